/*
 * msgpack.c: memberlist's msgpack as Go's codec writes and reads it: a
 * bounded zero-copy reader for every form Go accepts, and Go structs as
 * tables (mp_schema) decoded from and encoded to maps keyed by field name.
 */
#include "cluster/cluster_internal.h"

#include <msgpack.h>
#include <stdarg.h>
#include <stdlib.h>

int cluster_fail(char **err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        struct strbuf sb = STRBUF_INIT;
        strbuf_vprintf(&sb, fmt, ap);
        va_end(ap);
        *err = strbuf_detach(&sb);
    }
    return -1;
}

static int mp_bad(struct mp_reader *r, const char *why)
{
    r->why = why;
    return MP_BAD;
}

static int take(struct mp_reader *r, size_t n, const uint8_t **at)
{
    if ((size_t)(r->end - r->p) < n)
        return MP_SHORT;
    *at = r->p;
    r->p += n;
    return MP_OK;
}

static int read_be(struct mp_reader *r, size_t n, uint64_t *v)
{
    const uint8_t *at;
    int rc = take(r, n, &at);
    if (rc)
        return rc;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v << 8 | at[i];
    return MP_OK;
}

static int read_tag(struct mp_reader *r, uint8_t *tag)
{
    const uint8_t *at;
    int rc = take(r, 1, &at);
    if (rc == MP_OK)
        *tag = *at;
    return rc;
}

int mp_read_map(struct mp_reader *r, uint32_t *n)
{
    uint8_t tag;
    uint64_t v;
    int rc = read_tag(r, &tag);
    if (rc)
        return rc;
    if ((tag & 0xf0) == 0x80) {
        *n = tag & 0x0f;
        return MP_OK;
    }
    if (tag != 0xde && tag != 0xdf)
        return mp_bad(r, "expected a map");
    if ((rc = read_be(r, tag == 0xde ? 2 : 4, &v)))
        return rc;
    *n = (uint32_t)v;
    return MP_OK;
}

/* The raw length of a str/bin tag, or MP_BAD when tag is something else. */
static int raw_len(struct mp_reader *r, uint8_t tag, uint64_t *len)
{
    if ((tag & 0xe0) == 0xa0) {
        *len = tag & 0x1f;
        return MP_OK;
    }
    switch (tag) {
    case 0xd9: case 0xc4: return read_be(r, 1, len);
    case 0xda: case 0xc5: return read_be(r, 2, len);
    case 0xdb: case 0xc6: return read_be(r, 4, len);
    default: return mp_bad(r, "expected a string");
    }
}

int mp_read_raw(struct mp_reader *r, struct ml_bytes *out)
{
    uint8_t tag;
    uint64_t len;
    int rc = read_tag(r, &tag);
    if (rc)
        return rc;
    if (tag == 0xc0) {
        *out = ML_NIL;
        return MP_OK;
    }
    if ((rc = raw_len(r, tag, &len)))
        return rc;
    /* No message holds a longer string; refusing it now spares a stream
     * reader from waiting for gigabytes that were never coming. */
    if (len > ML_MAX_STREAM_MSG)
        return mp_bad(r, "string longer than any message may be");
    const uint8_t *at;
    if ((rc = take(r, (size_t)len, &at)))
        return rc;
    *out = (struct ml_bytes){at, (size_t)len, false};
    return MP_OK;
}

/* Any integer as sign + magnitude. */
static int read_integer(struct mp_reader *r, bool *negative, uint64_t *mag)
{
    uint8_t tag;
    uint64_t v;
    int rc = read_tag(r, &tag);
    if (rc)
        return rc;
    *negative = false;
    if (tag <= 0x7f || tag == 0xc0) {
        *mag = tag == 0xc0 ? 0 : tag;
        return MP_OK;
    }
    if (tag >= 0xe0) {
        *negative = true;
        *mag = (uint64_t)(256 - tag);
        return MP_OK;
    }
    static const uint8_t widths[] = {1, 2, 4, 8};
    if (tag >= 0xcc && tag <= 0xcf)
        return read_be(r, widths[tag - 0xcc], mag);
    if (tag < 0xd0 || tag > 0xd3)
        return mp_bad(r, "expected an integer");
    size_t w = widths[tag - 0xd0];
    if ((rc = read_be(r, w, &v)))
        return rc;
    uint64_t sign = UINT64_C(1) << (8 * w - 1);
    if (v & sign) {
        *negative = true;
        *mag = (~v & (sign - 1)) + 1; /* two's complement magnitude, up to 2^63 */
    } else {
        *mag = v;
    }
    return MP_OK;
}

int mp_read_uint(struct mp_reader *r, uint64_t max, uint64_t *v)
{
    bool negative;
    int rc = read_integer(r, &negative, v);
    if (rc)
        return rc;
    if (negative && *v)
        return mp_bad(r, "negative value for an unsigned field");
    if (*v > max)
        return mp_bad(r, "integer overflows its field");
    return MP_OK;
}

int mp_read_int(struct mp_reader *r, int64_t *v)
{
    bool negative;
    uint64_t mag;
    int rc = read_integer(r, &negative, &mag);
    if (rc)
        return rc;
    if (!negative && mag > (uint64_t)INT64_MAX)
        return mp_bad(r, "integer overflows its field");
    *v = negative ? (mag == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    return MP_OK;
}

int mp_read_bool(struct mp_reader *r, bool *v)
{
    uint8_t tag;
    int rc = read_tag(r, &tag);
    if (rc)
        return rc;
    if (tag != 0xc0 && tag != 0xc2 && tag != 0xc3)
        return mp_bad(r, "expected a bool");
    *v = tag == 0xc3;
    return MP_OK;
}

static int skip_n(struct mp_reader *r, uint64_t n, int depth);

static int skip_value(struct mp_reader *r, int depth)
{
    if (depth > ML_MAX_SKIP_DEPTH)
        return mp_bad(r, "unknown value nested too deep");
    uint8_t tag;
    uint64_t n;
    const uint8_t *at;
    int rc = read_tag(r, &tag);
    if (rc)
        return rc;
    if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3)
        return MP_OK;
    if ((tag & 0xf0) == 0x80)
        return skip_n(r, 2 * (uint64_t)(tag & 0x0f), depth + 1);
    if ((tag & 0xf0) == 0x90)
        return skip_n(r, tag & 0x0f, depth + 1);
    if ((tag & 0xe0) == 0xa0 || tag == 0xd9 || tag == 0xda || tag == 0xdb ||
        (tag >= 0xc4 && tag <= 0xc6)) {
        if ((rc = raw_len(r, tag, &n)))
            return rc;
        return take(r, (size_t)n, &at);
    }
    switch (tag) {
    case 0xcc: case 0xd0: return take(r, 1, &at);
    case 0xcd: case 0xd1: return take(r, 2, &at);
    case 0xca: case 0xce: case 0xd2: return take(r, 4, &at);
    case 0xcb: case 0xcf: case 0xd3: return take(r, 8, &at);
    case 0xd4: return take(r, 2, &at); /* fixext: type byte + 1..16 */
    case 0xd5: return take(r, 3, &at);
    case 0xd6: return take(r, 5, &at);
    case 0xd7: return take(r, 9, &at);
    case 0xd8: return take(r, 17, &at);
    case 0xc7: case 0xc8: case 0xc9:
        if ((rc = read_be(r, tag == 0xc7 ? 1 : tag == 0xc8 ? 2 : 4, &n)))
            return rc;
        return take(r, (size_t)n + 1, &at);
    case 0xdc: case 0xdd:
        if ((rc = read_be(r, tag == 0xdc ? 2 : 4, &n)))
            return rc;
        return skip_n(r, n, depth + 1);
    case 0xde: case 0xdf:
        if ((rc = read_be(r, tag == 0xde ? 2 : 4, &n)))
            return rc;
        return skip_n(r, 2 * n, depth + 1);
    default: return mp_bad(r, "invalid msgpack byte");
    }
}

/* Every element takes at least one byte, so a count beyond what is left
 * ends the skip early instead of looping on a forged header. */
static int skip_n(struct mp_reader *r, uint64_t n, int depth)
{
    for (uint64_t i = 0; i < n; i++) {
        int rc = skip_value(r, depth);
        if (rc)
            return rc;
    }
    return MP_OK;
}

int mp_skip(struct mp_reader *r)
{
    return skip_value(r, 0);
}

static const struct mp_field *find_field(const struct mp_schema *s, struct ml_bytes key)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (ml_bytes_eq(key, s->fields[i].name))
            return &s->fields[i];
    return NULL;
}

static int decode_field(struct mp_reader *r, const struct mp_field *f, void *out)
{
    char *at = (char *)out + f->offset;
    uint64_t u;
    int rc;
    switch (f->kind) {
    case MP_RAW: return mp_read_raw(r, (struct ml_bytes *)at);
    case MP_BOOL: return mp_read_bool(r, (bool *)at);
    case MP_INT: return mp_read_int(r, (int64_t *)at);
    case MP_U8:
        if ((rc = mp_read_uint(r, UINT8_MAX, &u)) == MP_OK)
            *(uint8_t *)at = (uint8_t)u;
        return rc;
    case MP_U16:
        if ((rc = mp_read_uint(r, UINT16_MAX, &u)) == MP_OK)
            *(uint16_t *)at = (uint16_t)u;
        return rc;
    case MP_U32:
        if ((rc = mp_read_uint(r, UINT32_MAX, &u)) == MP_OK)
            *(uint32_t *)at = (uint32_t)u;
        return rc;
    }
    return mp_bad(r, "unknown field kind");
}

int mp_decode_struct(struct mp_reader *r, const struct mp_schema *s, void *out)
{
    uint32_t n;
    int rc = mp_read_map(r, &n);
    if (rc)
        return rc;
    if (n > ML_MAX_MAP_FIELDS)
        return mp_bad(r, "more map entries than any memberlist struct has");
    for (uint32_t i = 0; i < n; i++) {
        struct ml_bytes key;
        if ((rc = mp_read_raw(r, &key)))
            return rc == MP_BAD ? mp_bad(r, "map key is not a string") : rc;
        const struct mp_field *f = find_field(s, key);
        rc = f ? decode_field(r, f, out) : mp_skip(r);
        if (rc)
            return rc;
    }
    return MP_OK;
}

static int sb_write(void *data, const char *buf, size_t len)
{
    if (len)
        strbuf_add(data, buf, len);
    return 0;
}

static bool field_empty(const struct mp_field *f, const void *in)
{
    const char *at = (const char *)in + f->offset;
    switch (f->kind) {
    case MP_RAW: return ((const struct ml_bytes *)at)->len == 0;
    case MP_BOOL: return !*(const bool *)at;
    case MP_U8: return *(const uint8_t *)at == 0;
    case MP_U16: return *(const uint16_t *)at == 0;
    case MP_U32: return *(const uint32_t *)at == 0;
    case MP_INT: return *(const int64_t *)at == 0;
    }
    return false;
}

/* Go (WriteExt=false) writes strings and []byte alike in the old raw forms:
 * fixraw, raw16, raw32 (never str8 or bin), and a nil []byte as nil. */
static void encode_raw(msgpack_packer *pk, const struct ml_bytes *b)
{
    if (b->nil) {
        msgpack_pack_nil(pk);
        return;
    }
    msgpack_pack_v4raw(pk, b->len);
    msgpack_pack_v4raw_body(pk, b->p, b->len);
}

static void encode_field(msgpack_packer *pk, const struct mp_field *f, const void *in)
{
    const char *at = (const char *)in + f->offset;
    int64_t i;
    switch (f->kind) {
    case MP_RAW: encode_raw(pk, (const struct ml_bytes *)at); break;
    case MP_BOOL:
        if (*(const bool *)at)
            msgpack_pack_true(pk);
        else
            msgpack_pack_false(pk);
        break;
    case MP_U8: msgpack_pack_uint8(pk, *(const uint8_t *)at); break;
    case MP_U16: msgpack_pack_uint16(pk, *(const uint16_t *)at); break;
    case MP_U32: msgpack_pack_uint32(pk, *(const uint32_t *)at); break;
    case MP_INT:
        /* go-msgpack 0.5 (Alertmanager 0.25) writes a non-negative int in
         * the unsigned forms; v2 would use d1..d3 above 127. */
        i = *(const int64_t *)at;
        if (i >= 0)
            msgpack_pack_uint64(pk, (uint64_t)i);
        else
            msgpack_pack_int64(pk, i);
        break;
    }
}

void mp_encode_struct(struct strbuf *sb, const struct mp_schema *s, const void *in)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, sb_write);
    size_t n = 0;
    for (size_t i = 0; i < s->n_fields; i++)
        if (!s->fields[i].omitempty || !field_empty(&s->fields[i], in))
            n++;
    msgpack_pack_map(&pk, n);
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct mp_field *f = &s->fields[i];
        if (f->omitempty && field_empty(f, in))
            continue;
        size_t len = strlen(f->name);
        msgpack_pack_v4raw(&pk, len);
        msgpack_pack_v4raw_body(&pk, f->name, len);
        encode_field(&pk, f, in);
    }
}
