/*
 * stream.c: the one message each side of a memberlist TCP (or TLS STREAM)
 * connection sends: push/pull, reliable user message, fallback ping, its ack,
 * or err; compressed (as Go always sends them) or not.
 */
#include "cluster/cluster_internal.h"

#include <stdlib.h>

struct push_pull_header {
    bool join;
    int64_t nodes;
    int64_t user_state_len;
};

struct user_msg_header {
    int64_t user_msg_len;
};

#define FIELD(type, name, kind, member) {name, kind, offsetof(type, member), false}

static const struct mp_field push_pull_fields[] = {
    FIELD(struct push_pull_header, "Join", MP_BOOL, join),
    FIELD(struct push_pull_header, "Nodes", MP_INT, nodes),
    FIELD(struct push_pull_header, "UserStateLen", MP_INT, user_state_len),
};
static const struct mp_schema push_pull_schema = {"pushPullHeader", push_pull_fields, 3};

static const struct mp_field user_msg_fields[] = {
    FIELD(struct user_msg_header, "UserMsgLen", MP_INT, user_msg_len),
};
static const struct mp_schema user_msg_schema = {"userMsgHeader", user_msg_fields, 1};

static int bad(struct mp_reader *r, const char *why)
{
    r->why = why;
    return MP_BAD;
}

static int read_bytes(struct mp_reader *r, int64_t n, struct ml_bytes *out)
{
    if (r->end - r->p < n)
        return MP_SHORT;
    *out = ML_BYTES(r->p, (size_t)n);
    r->p += n;
    return MP_OK;
}

static int read_push_pull(struct mp_reader *r, struct ml_push_pull *pp)
{
    struct push_pull_header h = {0};
    int rc = mp_decode_struct(r, &push_pull_schema, &h);
    if (rc)
        return rc;
    if (h.nodes < 0 || h.nodes > ML_MAX_PUSH_NODES)
        return bad(r, "pushPull: node count out of range");
    if (h.user_state_len < 0 || h.user_state_len > ML_MAX_USER_LEN)
        return bad(r, "pushPull: user state length out of range");
    pp->join = h.join;
    /* Grown as states arrive, so a forged count costs only what was sent. */
    size_t cap = 0;
    for (int64_t i = 0; i < h.nodes; i++) {
        if (pp->n_nodes == cap) {
            cap = cap ? 2 * cap : 4;
            pp->nodes = xrealloc(pp->nodes, cap * sizeof(*pp->nodes));
        }
        struct ml_node_state *ns = &pp->nodes[pp->n_nodes];
        memset(ns, 0, sizeof(*ns));
        if ((rc = mp_decode_struct(r, &ml_schema_node_state, ns)))
            return rc;
        pp->n_nodes++;
    }
    return read_bytes(r, h.user_state_len, &pp->user_state);
}

static int read_user(struct mp_reader *r, struct ml_bytes *out)
{
    struct user_msg_header h = {0};
    int rc = mp_decode_struct(r, &user_msg_schema, &h);
    if (rc)
        return rc;
    if (h.user_msg_len < 0 || h.user_msg_len > ML_MAX_USER_LEN)
        return bad(r, "user: message length out of range");
    return read_bytes(r, h.user_msg_len, out);
}

static int read_stream_body(struct mp_reader *r, struct ml_stream_msg *out)
{
    if (r->p == r->end)
        return MP_SHORT;
    uint8_t type = *r->p++;
    out->type = type;
    switch (type) {
    case ML_PUSH_PULL: return read_push_pull(r, &out->push_pull);
    case ML_USER: return read_user(r, &out->user);
    case ML_PING: return mp_decode_struct(r, &ml_schema_ping, &out->ping);
    case ML_ACK: return mp_decode_struct(r, &ml_schema_ack, &out->ack);
    case ML_ERR: return mp_decode_struct(r, &ml_schema_err, &out->err);
    case ML_ENCRYPT: return bad(r, "encrypted stream (no keyring is configured)");
    default: return bad(r, "message type not used on streams");
    }
}

static void reset(struct ml_stream_msg *m)
{
    free(m->push_pull.nodes);
    strbuf_free(&m->owned);
    memset(m, 0, sizeof(*m));
}

static int decode_compressed(const uint8_t *buf, size_t len, size_t max_decompressed,
                             struct ml_stream_msg *out, size_t *used, char **err)
{
    struct mp_reader r = {buf, buf + len, NULL};
    struct ml_compress c;
    int rc = ml_compress_read(&r, &c);
    if (rc == MP_SHORT)
        return 0;
    if (rc)
        return cluster_fail(err, "memberlist stream: compress: %s", r.why);
    *used = (size_t)(r.p - buf);
    out->compressed = true;
    if (ml_decompress(&c, max_decompressed, &out->owned, err) < 0)
        return -1;
    struct mp_reader body = {(const uint8_t *)out->owned.buf,
                             (const uint8_t *)out->owned.buf + out->owned.len, NULL};
    /* Go reads the message from the decompressed bytes and ignores any left over. */
    rc = read_stream_body(&body, out);
    if (rc == MP_SHORT)
        return cluster_fail(err, "memberlist stream: compressed %s truncated",
                            ml_type_name(out->type));
    if (rc)
        return cluster_fail(err, "memberlist stream: %s", body.why);
    return 1;
}

int ml_stream_decode(const uint8_t *buf, size_t len, size_t max_decompressed,
                     struct ml_stream_msg *out, size_t *used, char **err)
{
    memset(out, 0, sizeof(*out));
    *used = 0;
    if (len == 0)
        return 0;
    int rc;
    if (buf[0] == ML_COMPRESS) {
        rc = decode_compressed(buf, len, max_decompressed, out, used, err);
    } else {
        struct mp_reader r = {buf, buf + len, NULL};
        int mp = read_stream_body(&r, out);
        if (mp == MP_OK)
            *used = (size_t)(r.p - buf);
        rc = mp == MP_OK ? 1 : mp == MP_SHORT ? 0
                                             : cluster_fail(err, "memberlist stream: %s", r.why);
    }
    if (rc == 0 && len >= ML_MAX_STREAM_MSG)
        rc = cluster_fail(err, "memberlist stream: message over %u bytes", ML_MAX_STREAM_MSG);
    if (rc != 1)
        reset(out);
    return rc;
}

void ml_stream_msg_free(struct ml_stream_msg *m)
{
    if (m)
        reset(m);
}

void ml_push_pull_encode(struct strbuf *sb, bool join, const struct ml_node_state *nodes,
                         size_t n_nodes, const uint8_t *user_state, size_t user_len)
{
    struct push_pull_header h = {join, (int64_t)n_nodes, (int64_t)user_len};
    strbuf_putc(sb, ML_PUSH_PULL);
    mp_encode_struct(sb, &push_pull_schema, &h);
    for (size_t i = 0; i < n_nodes; i++)
        mp_encode_struct(sb, &ml_schema_node_state, &nodes[i]);
    if (user_len)
        strbuf_add(sb, user_state, user_len);
}

void ml_user_stream_encode(struct strbuf *sb, const uint8_t *msg, size_t len)
{
    struct user_msg_header h = {(int64_t)len};
    strbuf_putc(sb, ML_USER);
    mp_encode_struct(sb, &user_msg_schema, &h);
    if (len)
        strbuf_add(sb, msg, len);
}
