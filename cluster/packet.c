/*
 * packet.c: memberlist's packet layers (label, CRC, compound, compress) and
 * the receive walk that peels them down to leaf messages in Go's order.
 */
#include "cluster/cluster_internal.h"

#include <stdlib.h>

/* ---- CRC-32/IEEE (reflected 0xEDB88320, zlib's crc32) ---- */

static uint32_t crc_table[256];

static void crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t ml_crc32(const uint8_t *buf, size_t len)
{
    if (!crc_table[1])
        crc_table_init();
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        c = crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static void put_be32(struct strbuf *sb, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    strbuf_add(sb, b, 4);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ml_crc_encode(struct strbuf *sb, const uint8_t *msg, size_t len)
{
    strbuf_putc(sb, ML_HAS_CRC);
    put_be32(sb, ml_crc32(msg, len));
    if (len)
        strbuf_add(sb, msg, len);
}

int ml_crc_unwrap(const uint8_t *buf, size_t len, struct ml_bytes *msg, char **err)
{
    if (len < 5 || buf[0] != ML_HAS_CRC)
        return cluster_fail(err, "memberlist hasCrc: shorter than its 5-byte header");
    uint32_t want = get_be32(buf + 1), got = ml_crc32(buf + 5, len - 5);
    if (want != got)
        return cluster_fail(err, "memberlist hasCrc: checksum %08x, packet says %08x", got, want);
    *msg = ML_BYTES(buf + 5, len - 5);
    return 0;
}

/* ---- label ---- */

void ml_label_encode(struct strbuf *sb, const char *label)
{
    size_t n = strlen(label);
    if (n == 0 || n > 255)
        abort(); /* configuration validates --cluster.label */
    strbuf_putc(sb, (char)ML_HAS_LABEL);
    strbuf_putc(sb, (char)n);
    strbuf_add(sb, label, n);
}

int ml_label_peek(const uint8_t *buf, size_t len, struct ml_bytes *label, size_t *header_len,
                  char **err)
{
    *label = ML_BYTES("", 0);
    *header_len = 0;
    if (len == 0 || buf[0] != ML_HAS_LABEL)
        return 0;
    if (len < 2)
        return cluster_fail(err, "memberlist label: truncated header");
    if (buf[1] == 0)
        return cluster_fail(err, "memberlist label: zero length");
    if (len < 2 + (size_t)buf[1])
        return cluster_fail(err, "memberlist label: truncated label");
    *label = ML_BYTES(buf + 2, buf[1]);
    *header_len = 2 + (size_t)buf[1];
    return 0;
}

/* ---- compound ---- */

void ml_compound_encode(struct strbuf *sb, const struct ml_bytes *parts, size_t n)
{
    if (n > ML_MAX_COMPOUND_PARTS)
        abort();
    strbuf_putc(sb, ML_COMPOUND);
    strbuf_putc(sb, (char)n);
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len > UINT16_MAX)
            abort();
        uint8_t b[2] = {(uint8_t)(parts[i].len >> 8), (uint8_t)parts[i].len};
        strbuf_add(sb, b, 2);
    }
    for (size_t i = 0; i < n; i++)
        if (parts[i].len)
            strbuf_add(sb, parts[i].p, parts[i].len);
}

int ml_compound_split(const uint8_t *buf, size_t len, struct ml_bytes parts[ML_MAX_COMPOUND_PARTS],
                      size_t *n, char **err)
{
    *n = 0;
    if (len < 2 || buf[0] != ML_COMPOUND)
        return cluster_fail(err, "memberlist compound: missing header");
    size_t count = buf[1], at = 2 + 2 * count;
    if (len < at)
        return cluster_fail(err, "memberlist compound: truncated length table");
    for (size_t i = 0; i < count; i++) {
        size_t part_len = (size_t)buf[2 + 2 * i] << 8 | buf[3 + 2 * i];
        if (len - at < part_len)
            return cluster_fail(err, "memberlist compound: truncated after %zu of %zu parts", i,
                                count);
        parts[(*n)++] = ML_BYTES(buf + at, part_len);
        at += part_len;
    }
    return 0;
}

/* ---- compress ---- */

void ml_compress_encode(struct strbuf *sb, const uint8_t *msg, size_t len)
{
    struct strbuf lzw = STRBUF_INIT;
    lzw_encode(&lzw, msg, len);
    struct ml_compress c = {.algo = 0, .buf = ML_BYTES(lzw.buf, lzw.len)};
    strbuf_putc(sb, ML_COMPRESS);
    mp_encode_struct(sb, &ml_schema_compress, &c);
    strbuf_free(&lzw);
}

int ml_compress_read(struct mp_reader *r, struct ml_compress *out)
{
    uint8_t type;
    if (r->p == r->end)
        return MP_SHORT;
    type = *r->p++;
    if (type != ML_COMPRESS) {
        r->why = "not a compress message";
        return MP_BAD;
    }
    memset(out, 0, sizeof(*out));
    return mp_decode_struct(r, &ml_schema_compress, out);
}

int ml_compress_decode(const uint8_t *buf, size_t len, struct ml_compress *out, size_t *used,
                       char **err)
{
    struct mp_reader r = {buf, buf + len, NULL};
    int rc = ml_compress_read(&r, out);
    if (rc == MP_SHORT)
        return cluster_fail(err, "memberlist compress: truncated");
    if (rc)
        return cluster_fail(err, "memberlist compress: %s", r.why);
    *used = (size_t)(r.p - buf);
    return 0;
}

int ml_decompress(const struct ml_compress *c, size_t max_out, struct strbuf *out, char **err)
{
    if (c->algo != 0)
        return cluster_fail(err, "memberlist compress: unknown algorithm %u", c->algo);
    size_t before = out->len;
    if (lzw_decode(c->buf.p, c->buf.len, max_out, out, err) < 0)
        return -1;
    if (out->len == before)
        return cluster_fail(err, "memberlist compress: empty message");
    return 0;
}

/* ---- a packet to send ---- */

void ml_packet_encode(struct strbuf *sb, const struct ml_bytes *msgs, size_t n,
                      const struct ml_packet_opts *opts)
{
    struct strbuf body = STRBUF_INIT, packed = STRBUF_INIT;
    if (n == 1)
        strbuf_add(&body, msgs[0].p, msgs[0].len);
    else
        ml_compound_encode(&body, msgs, n);
    if (opts->compress) {
        ml_compress_encode(&packed, (const uint8_t *)body.buf, body.len);
        if (packed.len < body.len) {
            struct strbuf t = body;
            body = packed;
            packed = t;
        }
    }
    if (opts->label && *opts->label)
        ml_label_encode(sb, opts->label);
    if (opts->crc)
        ml_crc_encode(sb, (const uint8_t *)body.buf, body.len);
    else
        strbuf_add(sb, body.buf, body.len);
    strbuf_free(&body);
    strbuf_free(&packed);
}

/* ---- the receive walk ---- */

struct walk {
    const struct ml_packet_walker *w;
    size_t delivered;
    bool stopped;
};

static int walk_message(struct walk *k, const uint8_t *buf, size_t len, int depth, char **err);

/* A nested part's failure goes to on_error; only stopping ends the walk. */
static int walk_part(struct walk *k, const uint8_t *buf, size_t len, int depth)
{
    char *why = NULL;
    int rc = walk_message(k, buf, len, depth, &why);
    if (rc < 0 && !k->stopped && k->w->on_error)
        k->w->on_error(k->w->ctx, why);
    free(why);
    return k->stopped ? -1 : 0;
}

static int walk_compound(struct walk *k, const uint8_t *buf, size_t len, int depth, char **err)
{
    struct ml_bytes parts[ML_MAX_COMPOUND_PARTS];
    size_t n;
    char *why = NULL;
    int split = ml_compound_split(buf, len, parts, &n, &why);
    for (size_t i = 0; i < n; i++)
        if (walk_part(k, parts[i].p, parts[i].len, depth + 1) < 0) {
            free(why);
            return cluster_fail(err, "stopped");
        }
    if (split < 0) {
        if (err)
            *err = why;
        else
            free(why);
        return -1;
    }
    return 0;
}

static int walk_compressed(struct walk *k, const uint8_t *buf, size_t len, int depth, char **err)
{
    struct ml_compress c;
    size_t used;
    if (ml_compress_decode(buf, len, &c, &used, err) < 0)
        return -1;
    struct strbuf plain = STRBUF_INIT;
    size_t cap = k->w->max_decompressed ? k->w->max_decompressed : ML_MAX_PACKET;
    int rc = ml_decompress(&c, cap, &plain, err);
    if (rc == 0)
        rc = walk_message(k, (const uint8_t *)plain.buf, plain.len, depth + 1, err);
    strbuf_free(&plain);
    return rc;
}

static int walk_message(struct walk *k, const uint8_t *buf, size_t len, int depth, char **err)
{
    if (depth > ML_MAX_NESTING)
        return cluster_fail(err, "memberlist: compound/compress nested deeper than %d",
                            ML_MAX_NESTING);
    if (len == 0)
        return cluster_fail(err, "memberlist: empty message");
    switch (buf[0]) {
    case ML_COMPOUND: return walk_compound(k, buf, len, depth, err);
    case ML_COMPRESS: return walk_compressed(k, buf, len, depth, err);
    case ML_PING: case ML_INDIRECT_PING: case ML_ACK: case ML_NACK: case ML_SUSPECT:
    case ML_ALIVE: case ML_DEAD: case ML_USER: break;
    default:
        return cluster_fail(err, "memberlist: message type %u (%s) not supported in a packet",
                            buf[0], ml_type_name(buf[0]));
    }
    struct ml_msg msg;
    if (ml_msg_decode(buf, len, &msg, err) < 0)
        return -1;
    if (k->w->fn(k->w->ctx, &msg)) {
        k->stopped = true;
        return cluster_fail(err, "stopped");
    }
    k->delivered++;
    return 0;
}

int ml_packet_walk(const struct ml_packet_walker *w, const uint8_t *pkt, size_t len, char **err)
{
    if (len > ML_MAX_PACKET)
        return cluster_fail(err, "memberlist packet: %zu bytes, over %d", len, ML_MAX_PACKET);
    struct ml_bytes label;
    size_t skip;
    if (ml_label_peek(pkt, len, &label, &skip, err) < 0)
        return -1;
    const char *want = w->label ? w->label : "";
    if (!ml_bytes_eq(label, want))
        return cluster_fail(err, "memberlist packet: label \"%.*s\", expected \"%s\"",
                            (int)label.len, (const char *)label.p, want);
    pkt += skip;
    len -= skip;
    struct ml_bytes body = ML_BYTES(pkt, len);
    if (len >= 5 && pkt[0] == ML_HAS_CRC && ml_crc_unwrap(pkt, len, &body, err) < 0)
        return -1;
    struct walk k = {.w = w};
    if (walk_message(&k, body.p, body.len, 0, err) < 0)
        return -1;
    return (int)k.delivered;
}
