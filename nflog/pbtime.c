/*
 * pbtime.c: google.protobuf.Timestamp fields as 0.25 writes them (gogo
 * stdtime, non-nullable: always present, Go's zero time as seconds
 * -62135596800), on top of the silences module's wire helpers.
 *
 * silences/codec.c has the same two operations as static functions; both
 * should become one pair in util/ when the wire helpers move there.
 */
#include "nflog/nflog_internal.h"

int nflog_pb_read_time(struct sil_pb_reader *r, int64_t *out)
{
    struct sil_pb_reader m;
    if (sil_pb_read_len(r, &m) != 0)
        return -1;
    int64_t seconds = 0;
    int32_t nanos = 0;
    while (m.p < m.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (sil_pb_read_tag(&m, &f, &wt) != 0)
            return -1;
        if (f != 1 && f != 2) {
            if (sil_pb_skip(&m, wt) != 0)
                return -1;
            continue;
        }
        if (wt != SIL_PB_VARINT || sil_pb_read_varint(&m, &v) != 0)
            return -1;
        if (f == 1)
            seconds = (int64_t)v;
        else
            nanos = (int32_t)(uint32_t)v;
    }
    *out = sil_pb_time_from_ts(seconds, nanos);
    return 0;
}

void nflog_pb_put_time(struct strbuf *sb, uint32_t field, int64_t t)
{
    int64_t seconds;
    int32_t nanos;
    sil_pb_time_to_ts(t, &seconds, &nanos);
    struct strbuf m = STRBUF_INIT;
    if (seconds != 0) {
        sil_pb_put_tag(&m, 1, SIL_PB_VARINT);
        sil_pb_put_varint(&m, (uint64_t)seconds);
    }
    if (nanos != 0) {
        sil_pb_put_tag(&m, 2, SIL_PB_VARINT);
        sil_pb_put_varint(&m, (uint64_t)(int64_t)nanos);
    }
    sil_pb_put_bytes(sb, field, m.buf, m.len);
    strbuf_free(&m);
}
