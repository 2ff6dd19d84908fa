/*
 * codec.c: one MeshEntry record to and from Alertmanager's protobuf bytes
 * (nflog.proto; gossip wire reference §4.3).
 *
 * Encoding reproduces what 0.25 (gogo) writes: fields in number order,
 * proto3 defaults omitted, repeated hashes packed, the two timestamps always
 * present.  What chorus does not interpret is kept as the bytes it came in
 * (struct nflog_raw) and written back where its field numbers put it, as gogo
 * does with the deprecated fields and with XXX_unrecognized.  Decoding
 * accepts packed and unpacked hashes and never reads past its buffer; a
 * repeated message field merges into the one before, as protobuf specifies.
 */
#include "nflog/nflog_internal.h"

#include <stdlib.h>

static char *reader_string(const struct pb_reader *r)
{
    return xstrndup((const char *)r->p, (size_t)(r->end - r->p));
}

static void raw_append(uint8_t **buf, size_t *len, const uint8_t *from, const uint8_t *to)
{
    size_t n = (size_t)(to - from);
    *buf = xrealloc(*buf, *len + n);
    memcpy(*buf + *len, from, n);
    *len += n;
}

/* ---- decoding ---- */

static int read_string(struct pb_reader *r, int wt, const char **dst)
{
    struct pb_reader sub;
    if (wt != PB_LEN || pb_read_len(r, &sub) != 0)
        return -1;
    free((char *)*dst);
    *dst = reader_string(&sub);
    return 0;
}

static int decode_receiver(struct pb_reader *r, struct nflog_entry *e)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return -1;
    while (m.p < m.end) {
        const uint8_t *start = m.p;
        uint32_t f;
        int wt;
        uint64_t v = 0;
        if (pb_read_tag(&m, &f, &wt) != 0)
            return -1;
        int rc;
        if (f == 1 || f == 2) {
            rc = read_string(&m, wt, f == 1 ? &e->receiver.group_name : &e->receiver.integration);
        } else if (f == 3) {
            rc = wt == PB_VARINT ? pb_read_varint(&m, &v) : -1;
            /* Go keeps the low 32 bits of an oversized uint32 too. */
            e->receiver.idx = (uint32_t)v;
        } else {
            rc = pb_skip(&m, wt);
            if (rc == 0)
                raw_append(&e->raw.receiver_unknown, &e->raw.receiver_unknown_len, start, m.p);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

static void hashes_push(struct nflog_hashes *h, uint64_t v)
{
    /* Grows by doubling from the current length, so hostile input costs at
     * most a constant factor over its own size. */
    if ((h->len & (h->len - 1)) == 0)
        h->items = xrealloc(h->items, (h->len ? h->len * 2 : 1) * sizeof *h->items);
    h->items[h->len++] = v;
}

static int decode_hashes(struct pb_reader *r, int wt, struct nflog_hashes *h)
{
    uint64_t v;
    if (wt == PB_VARINT) {
        if (pb_read_varint(r, &v) != 0)
            return -1;
        hashes_push(h, v);
        return 0;
    }
    struct pb_reader m;
    if (wt != PB_LEN || pb_read_len(r, &m) != 0)
        return -1;
    while (m.p < m.end) {
        if (pb_read_varint(&m, &v) != 0)
            return -1;
        hashes_push(h, v);
    }
    return 0;
}

static int decode_group_key(struct pb_reader *r, int wt, struct nflog_entry *e)
{
    struct pb_reader sub;
    if (wt != PB_LEN || pb_read_len(r, &sub) != 0)
        return -1;
    free((char *)e->group_key);
    e->group_key_len = (size_t)(sub.end - sub.p);
    e->group_key = reader_string(&sub);
    return 0;
}

static int decode_deprecated(struct pb_reader *r, uint32_t f, int wt, struct nflog_entry *e,
                             const uint8_t *start)
{
    if (wt != (f == 3 ? PB_LEN : PB_VARINT) || pb_skip(r, wt) != 0)
        return -1;
    raw_append(&e->raw.entry_deprecated, &e->raw.entry_deprecated_len, start, r->p);
    return 0;
}

static int decode_entry_field(struct pb_reader *r, struct nflog_entry *e, bool *has_receiver)
{
    const uint8_t *start = r->p;
    uint32_t f;
    int wt;
    if (pb_read_tag(r, &f, &wt) != 0)
        return -1;
    switch (f) {
    case 1:
        return decode_group_key(r, wt, e);
    case 2:
        *has_receiver = true;
        return wt == PB_LEN ? decode_receiver(r, e) : -1;
    case 3:
    case 4:
        return decode_deprecated(r, f, wt, e, start);
    case 5:
        return wt == PB_LEN ? pb_read_time(r, &e->timestamp) : -1;
    case 6:
    case 7:
        return decode_hashes(r, wt, f == 6 ? &e->firing : &e->resolved);
    default:
        if (pb_skip(r, wt) != 0)
            return -1;
        raw_append(&e->raw.entry_unknown, &e->raw.entry_unknown_len, start, r->p);
        return 0;
    }
}

static int decode_entry(struct pb_reader *r, struct nflog_entry *e, bool *has_receiver)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return -1;
    while (m.p < m.end)
        if (decode_entry_field(&m, e, has_receiver) != 0)
            return -1;
    return 0;
}

static const char *decode_mesh(struct pb_reader *r, struct nflog_entry *e)
{
    bool has_entry = false, has_receiver = false;
    while (r->p < r->end) {
        const uint8_t *start = r->p;
        uint32_t f;
        int wt;
        if (pb_read_tag(r, &f, &wt) != 0)
            return "malformed field tag";
        if (f == 1) {
            has_entry = true;
            if (wt != PB_LEN || decode_entry(r, e, &has_receiver) != 0)
                return "malformed entry";
        } else if (f == 2) {
            if (wt != PB_LEN || pb_read_time(r, &e->expires_at) != 0)
                return "malformed expires_at";
        } else if (pb_skip(r, wt) == 0) {
            raw_append(&e->raw.mesh_unknown, &e->raw.mesh_unknown_len, start, r->p);
        } else {
            return "malformed field";
        }
    }
    /* Alertmanager's ErrInvalidState. */
    if (!has_entry || !has_receiver)
        return "invalid state";
    return NULL;
}

struct nflog_entry *nflog_record_decode(const uint8_t *data, size_t len, char **err)
{
    struct nflog_entry *e = xcalloc(1, sizeof *e);
    e->group_key = xstrdup("");
    e->receiver.group_name = xstrdup("");
    e->receiver.integration = xstrdup("");
    /* gogo's non-nullable times read as Go's zero time when absent. */
    e->timestamp = e->expires_at = TIME_ZERO;
    struct pb_reader r = {data, data + len};
    const char *why = decode_mesh(&r, e);
    if (!why)
        return e;
    *err = xstrdup(why);
    nflog_entry_free(e);
    return NULL;
}

/* ---- encoding ---- */

static void put_raw(struct strbuf *sb, const uint8_t *p, size_t n)
{
    if (n)
        strbuf_add(sb, p, n);
}

static void put_receiver(struct strbuf *sb, const struct nflog_entry *e)
{
    struct strbuf m = STRBUF_INIT;
    pb_put_string(&m, 1, e->receiver.group_name);
    pb_put_string(&m, 2, e->receiver.integration);
    if (e->receiver.idx) {
        pb_put_tag(&m, 3, PB_VARINT);
        pb_put_varint(&m, e->receiver.idx);
    }
    put_raw(&m, e->raw.receiver_unknown, e->raw.receiver_unknown_len);
    pb_put_bytes(sb, 2, m.buf, m.len);
    strbuf_free(&m);
}

static void put_hashes(struct strbuf *sb, uint32_t field, const struct nflog_hashes *h)
{
    if (!h->len)
        return;
    struct strbuf m = STRBUF_INIT;
    for (size_t i = 0; i < h->len; i++)
        pb_put_varint(&m, h->items[i]);
    pb_put_bytes(sb, field, m.buf, m.len);
    strbuf_free(&m);
}

static void put_entry(struct strbuf *sb, const struct nflog_entry *e)
{
    struct strbuf m = STRBUF_INIT;
    if (e->group_key_len)
        pb_put_bytes(&m, 1, e->group_key, e->group_key_len);
    put_receiver(&m, e);
    put_raw(&m, e->raw.entry_deprecated, e->raw.entry_deprecated_len);
    pb_put_time(&m, 5, e->timestamp);
    put_hashes(&m, 6, &e->firing);
    put_hashes(&m, 7, &e->resolved);
    put_raw(&m, e->raw.entry_unknown, e->raw.entry_unknown_len);
    pb_put_bytes(sb, 1, m.buf, m.len);
    strbuf_free(&m);
}

void nflog_record_encode(struct strbuf *out, const struct nflog_entry *e)
{
    struct strbuf m = STRBUF_INIT;
    put_entry(&m, e);
    pb_put_time(&m, 2, e->expires_at);
    put_raw(&m, e->raw.mesh_unknown, e->raw.mesh_unknown_len);
    pb_put_varint(out, m.len);
    strbuf_add(out, m.buf, m.len);
    strbuf_free(&m);
}
