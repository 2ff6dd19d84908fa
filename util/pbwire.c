/*
 * pbwire.c: the few pieces of the protobuf wire format Alertmanager's state
 * messages need: bounded readers for varints, tags and length-delimited
 * fields, writers appending to a strbuf, and Timestamps.
 *
 * Readers never trust a length: every read is checked against the end of its
 * buffer and fails cleanly, because the input comes from peers and from
 * files.  Groups (wire types 3 and 4) are rejected; no Alertmanager message
 * uses them.
 */
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>

int pb_read_varint(struct pb_reader *r, uint64_t *v)
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

int pb_read_tag(struct pb_reader *r, uint32_t *field, int *wire_type)
{
    uint64_t v;
    if (pb_read_varint(r, &v) != 0)
        return -1;
    if ((v >> 3) == 0 || (v >> 3) > UINT32_C(0x1fffffff))
        return -1;
    *field = (uint32_t)(v >> 3);
    *wire_type = (int)(v & 7);
    return 0;
}

int pb_read_len(struct pb_reader *r, struct pb_reader *sub)
{
    uint64_t n;
    if (pb_read_varint(r, &n) != 0)
        return -1;
    if (n > (uint64_t)(r->end - r->p))
        return -1;
    sub->p = r->p;
    sub->end = r->p + n;
    r->p += n;
    return 0;
}

static int pb_skip_fixed(struct pb_reader *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return -1;
    r->p += n;
    return 0;
}

int pb_skip(struct pb_reader *r, int wire_type)
{
    uint64_t v;
    struct pb_reader sub;
    switch (wire_type) {
    case PB_VARINT:
        return pb_read_varint(r, &v);
    case PB_I64:
        return pb_skip_fixed(r, 8);
    case PB_LEN:
        return pb_read_len(r, &sub);
    case PB_I32:
        return pb_skip_fixed(r, 4);
    default:
        return -1;
    }
}

void pb_put_varint(struct strbuf *sb, uint64_t v)
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

void pb_put_tag(struct strbuf *sb, uint32_t field, int wire_type)
{
    pb_put_varint(sb, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

void pb_put_bytes(struct strbuf *sb, uint32_t field, const void *data, size_t len)
{
    pb_put_tag(sb, field, PB_LEN);
    pb_put_varint(sb, len);
    if (len)
        strbuf_add(sb, data, len);
}

void pb_put_string(struct strbuf *sb, uint32_t field, const char *s)
{
    if (s && s[0])
        pb_put_bytes(sb, field, s, strlen(s));
}

/* ---- timestamps ---- */

/* Times outside int64 nanoseconds (years before 1678 or after 2261) other
 * than Go's zero time saturate; only the zero time round-trips exactly. */
int64_t pb_time_from_ts(int64_t seconds, int32_t nanos)
{
    if (seconds == PB_GO_ZERO_SECONDS && nanos == 0)
        return TIME_ZERO;
    /* The margin of 3 s leaves room for any int32 nanos. */
    const int64_t max_s = INT64_MAX / NS_PER_SEC - 3, min_s = INT64_MIN / NS_PER_SEC + 3;
    if (seconds > max_s)
        return INT64_MAX;
    if (seconds < min_s)
        return INT64_MIN + 1;
    return seconds * NS_PER_SEC + nanos;
}

void pb_time_to_ts(int64_t t, int64_t *seconds, int32_t *nanos)
{
    if (t == TIME_ZERO) {
        *seconds = PB_GO_ZERO_SECONDS;
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

int pb_read_time(struct pb_reader *r, int64_t *out)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return -1;
    int64_t seconds = 0;
    int32_t nanos = 0;
    while (m.p < m.end) {
        uint32_t f;
        int wt;
        uint64_t v;
        if (pb_read_tag(&m, &f, &wt) != 0)
            return -1;
        if (f != 1 && f != 2) {
            if (pb_skip(&m, wt) != 0)
                return -1;
            continue;
        }
        if (wt != PB_VARINT || pb_read_varint(&m, &v) != 0)
            return -1;
        if (f == 1)
            seconds = (int64_t)v;
        else
            nanos = (int32_t)(uint32_t)v;
    }
    *out = pb_time_from_ts(seconds, nanos);
    return 0;
}

void pb_put_time(struct strbuf *sb, uint32_t field, int64_t t)
{
    int64_t seconds;
    int32_t nanos;
    pb_time_to_ts(t, &seconds, &nanos);
    struct strbuf m = STRBUF_INIT;
    if (seconds != 0) {
        pb_put_tag(&m, 1, PB_VARINT);
        pb_put_varint(&m, (uint64_t)seconds);
    }
    if (nanos != 0) {
        pb_put_tag(&m, 2, PB_VARINT);
        pb_put_varint(&m, (uint64_t)(int64_t)nanos);
    }
    pb_put_bytes(sb, field, m.buf, m.len);
    strbuf_free(&m);
}

static int record_fail(char **err, const char *what, size_t index, const char *why)
{
    if (err)
        *err = xasprintf("%s: record %zu: %s", what, index, why);
    return -1;
}

int pb_delimited_each(const uint8_t *data, size_t len, const char *what, pb_record_fn *fn,
                      void *ctx, char **err)
{
    struct pb_reader r = {data, data + len};
    int taken = 0;
    for (size_t index = 0; r.p < r.end; index++) {
        struct pb_reader body;
        if (pb_read_len(&r, &body) != 0)
            return record_fail(err, what, index, "truncated record");
        char *why = NULL;
        int rc = fn(ctx, body.p, (size_t)(body.end - body.p), &why);
        if (rc < 0) {
            record_fail(err, what, index, why ? why : "malformed record");
            free(why);
            return -1;
        }
        taken += rc;
    }
    return taken;
}

int pb_delimited_load(const char *path, const char *what, pb_record_fn *fn, void *ctx,
                      char **err)
{
    char *data;
    size_t len;
    int rc = file_read_all(path, &data, &len);
    if (rc == -ENOENT)
        return 0;
    if (rc != 0) {
        if (err)
            *err = xasprintf("%s: reading %s: %s", what, path, strerror_go(-rc));
        return -1;
    }
    rc = pb_delimited_each((const uint8_t *)data, len, what, fn, ctx, err);
    free(data);
    return rc;
}
