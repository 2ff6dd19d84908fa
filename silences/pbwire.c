/*
 * pbwire.c: the few pieces of the protobuf wire format the MeshSilence codec
 * needs: bounded readers for varints, tags and length-delimited fields, and
 * writers appending to a strbuf.
 *
 * Readers never trust a length: every read is checked against the end of its
 * buffer and fails cleanly, because the input comes from peers and from
 * files.  Groups (wire types 3 and 4) are rejected; no Alertmanager message
 * uses them.
 */
#include "silences/silences_internal.h"

int sil_pb_read_varint(struct sil_pb_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 63);
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1; /* more than 10 bytes */
}

int sil_pb_read_tag(struct sil_pb_reader *r, uint32_t *field, int *wire_type)
{
    uint64_t v;
    if (sil_pb_read_varint(r, &v) != 0)
        return -1;
    if ((v >> 3) == 0 || (v >> 3) > UINT32_C(0x1fffffff))
        return -1;
    *field = (uint32_t)(v >> 3);
    *wire_type = (int)(v & 7);
    return 0;
}

int sil_pb_read_len(struct sil_pb_reader *r, struct sil_pb_reader *sub)
{
    uint64_t n;
    if (sil_pb_read_varint(r, &n) != 0)
        return -1;
    if (n > (uint64_t)(r->end - r->p))
        return -1;
    sub->p = r->p;
    sub->end = r->p + n;
    r->p += n;
    return 0;
}

static int sil_pb_skip_fixed(struct sil_pb_reader *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return -1;
    r->p += n;
    return 0;
}

int sil_pb_skip(struct sil_pb_reader *r, int wire_type)
{
    uint64_t v;
    struct sil_pb_reader sub;
    switch (wire_type) {
    case SIL_PB_VARINT:
        return sil_pb_read_varint(r, &v);
    case SIL_PB_I64:
        return sil_pb_skip_fixed(r, 8);
    case SIL_PB_LEN:
        return sil_pb_read_len(r, &sub);
    case SIL_PB_I32:
        return sil_pb_skip_fixed(r, 4);
    default:
        return -1;
    }
}

void sil_pb_put_varint(struct strbuf *sb, uint64_t v)
{
    uint8_t buf[10];
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        buf[n++] = v ? (b | 0x80) : b;
    } while (v);
    strbuf_add(sb, buf, n);
}

void sil_pb_put_tag(struct strbuf *sb, uint32_t field, int wire_type)
{
    sil_pb_put_varint(sb, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

void sil_pb_put_bytes(struct strbuf *sb, uint32_t field, const void *data, size_t len)
{
    sil_pb_put_tag(sb, field, SIL_PB_LEN);
    sil_pb_put_varint(sb, len);
    if (len)
        strbuf_add(sb, data, len);
}

void sil_pb_put_string(struct strbuf *sb, uint32_t field, const char *s)
{
    if (s && s[0])
        sil_pb_put_bytes(sb, field, s, strlen(s));
}

/* ---- timestamps ---- */

/* Times outside int64 nanoseconds (years before 1678 or after 2261) other
 * than Go's zero time saturate; only the zero time round-trips exactly. */
int64_t sil_pb_time_from_ts(int64_t seconds, int32_t nanos)
{
    if (seconds == SIL_PB_GO_ZERO_SECONDS && nanos == 0)
        return TIME_ZERO;
    /* The margin of 3 s leaves room for any int32 nanos. */
    const int64_t max_s = INT64_MAX / NS_PER_SEC - 3, min_s = INT64_MIN / NS_PER_SEC + 3;
    if (seconds > max_s)
        return INT64_MAX;
    if (seconds < min_s)
        return INT64_MIN + 1;
    return seconds * NS_PER_SEC + nanos;
}

void sil_pb_time_to_ts(int64_t t, int64_t *seconds, int32_t *nanos)
{
    if (t == TIME_ZERO) {
        *seconds = SIL_PB_GO_ZERO_SECONDS;
        *nanos = 0;
        return;
    }
    int64_t s = t / NS_PER_SEC, n = t % NS_PER_SEC;
    if (n < 0) {
        s--;
        n += NS_PER_SEC;
    }
    *seconds = s;
    *nanos = (int32_t)n;
}
