/*
 * messages.c: memberlist's leaf messages (ping, indirect ping, ack, nack,
 * suspect, alive, dead, err, user) as schemas of Go field names, and the
 * one-message decoder and encoder built on them.
 */
#include "cluster/cluster_internal.h"

#include <stddef.h>

const uint8_t ml_alertmanager_vsn[ML_VSN_LEN] = {1, 5, 2, 0, 0, 0};

bool ml_bytes_eq(struct ml_bytes a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

const char *ml_type_name(int type)
{
    switch (type) {
    case ML_PING: return "ping";
    case ML_INDIRECT_PING: return "indirectPing";
    case ML_ACK: return "ack";
    case ML_SUSPECT: return "suspect";
    case ML_ALIVE: return "alive";
    case ML_DEAD: return "dead";
    case ML_PUSH_PULL: return "pushPull";
    case ML_COMPOUND: return "compound";
    case ML_USER: return "user";
    case ML_COMPRESS: return "compress";
    case ML_ENCRYPT: return "encrypt";
    case ML_NACK: return "nack";
    case ML_HAS_CRC: return "hasCrc";
    case ML_ERR: return "err";
    case ML_HAS_LABEL: return "hasLabel";
    default: return "unknown";
    }
}

/* Fields in byte-wise name order: the order Go writes map keys in. */
#define FIELD(type, name, kind, member, omit) {name, kind, offsetof(type, member), omit}
#define SCHEMA(var, label, table) \
    const struct mp_schema var = {label, table, sizeof(table) / sizeof(table[0])}

static const struct mp_field ping_fields[] = {
    FIELD(struct ml_ping, "Node", MP_RAW, node, false),
    FIELD(struct ml_ping, "SeqNo", MP_U32, seq_no, false),
    FIELD(struct ml_ping, "SourceAddr", MP_RAW, source_addr, true),
    FIELD(struct ml_ping, "SourceNode", MP_RAW, source_node, true),
    FIELD(struct ml_ping, "SourcePort", MP_U16, source_port, true),
};
SCHEMA(ml_schema_ping, "ping", ping_fields);

static const struct mp_field indirect_fields[] = {
    FIELD(struct ml_indirect_ping, "Nack", MP_BOOL, nack, false),
    FIELD(struct ml_indirect_ping, "Node", MP_RAW, node, false),
    FIELD(struct ml_indirect_ping, "Port", MP_U16, port, false),
    FIELD(struct ml_indirect_ping, "SeqNo", MP_U32, seq_no, false),
    FIELD(struct ml_indirect_ping, "SourceAddr", MP_RAW, source_addr, true),
    FIELD(struct ml_indirect_ping, "SourceNode", MP_RAW, source_node, true),
    FIELD(struct ml_indirect_ping, "SourcePort", MP_U16, source_port, true),
    FIELD(struct ml_indirect_ping, "Target", MP_RAW, target, false),
};
SCHEMA(ml_schema_indirect_ping, "indirectPing", indirect_fields);

static const struct mp_field ack_fields[] = {
    FIELD(struct ml_ack, "Payload", MP_RAW, payload, false),
    FIELD(struct ml_ack, "SeqNo", MP_U32, seq_no, false),
};
SCHEMA(ml_schema_ack, "ack", ack_fields);

static const struct mp_field nack_fields[] = {
    FIELD(struct ml_nack, "SeqNo", MP_U32, seq_no, false),
};
SCHEMA(ml_schema_nack, "nack", nack_fields);

static const struct mp_field err_fields[] = {
    FIELD(struct ml_err, "Error", MP_RAW, error, false),
};
SCHEMA(ml_schema_err, "err", err_fields);

static const struct mp_field suspect_fields[] = {
    FIELD(struct ml_suspect, "From", MP_RAW, from, false),
    FIELD(struct ml_suspect, "Incarnation", MP_U32, incarnation, false),
    FIELD(struct ml_suspect, "Node", MP_RAW, node, false),
};
SCHEMA(ml_schema_suspect, "suspect", suspect_fields);

static const struct mp_field alive_fields[] = {
    FIELD(struct ml_alive, "Addr", MP_RAW, addr, false),
    FIELD(struct ml_alive, "Incarnation", MP_U32, incarnation, false),
    FIELD(struct ml_alive, "Meta", MP_RAW, meta, false),
    FIELD(struct ml_alive, "Node", MP_RAW, node, false),
    FIELD(struct ml_alive, "Port", MP_U16, port, false),
    FIELD(struct ml_alive, "Vsn", MP_RAW, vsn, false),
};
SCHEMA(ml_schema_alive, "alive", alive_fields);

static const struct mp_field node_state_fields[] = {
    FIELD(struct ml_node_state, "Addr", MP_RAW, addr, false),
    FIELD(struct ml_node_state, "Incarnation", MP_U32, incarnation, false),
    FIELD(struct ml_node_state, "Meta", MP_RAW, meta, false),
    FIELD(struct ml_node_state, "Name", MP_RAW, name, false),
    FIELD(struct ml_node_state, "Port", MP_U16, port, false),
    FIELD(struct ml_node_state, "State", MP_INT, state, false),
    FIELD(struct ml_node_state, "Vsn", MP_RAW, vsn, false),
};
SCHEMA(ml_schema_node_state, "pushNodeState", node_state_fields);

static const struct mp_field compress_fields[] = {
    FIELD(struct ml_compress, "Algo", MP_U8, algo, false),
    FIELD(struct ml_compress, "Buf", MP_RAW, buf, false),
};
SCHEMA(ml_schema_compress, "compress", compress_fields);

static const struct mp_schema *leaf_schema(int type)
{
    switch (type) {
    case ML_PING: return &ml_schema_ping;
    case ML_INDIRECT_PING: return &ml_schema_indirect_ping;
    case ML_ACK: return &ml_schema_ack;
    case ML_NACK: return &ml_schema_nack;
    case ML_SUSPECT: case ML_DEAD: return &ml_schema_suspect;
    case ML_ALIVE: return &ml_schema_alive;
    case ML_ERR: return &ml_schema_err;
    default: return NULL;
    }
}

int ml_msg_decode_body(struct mp_reader *r, enum ml_type type, struct ml_msg *out)
{
    memset(out, 0, sizeof(*out));
    out->type = type;
    if (type == ML_USER) {
        out->user = (struct ml_bytes){r->p, (size_t)(r->end - r->p), false};
        r->p = r->end;
        return MP_OK;
    }
    const struct mp_schema *s = leaf_schema(type);
    if (!s) {
        r->why = "not a message type that stands alone";
        return MP_BAD;
    }
    /* The union's members all start at its address. */
    return mp_decode_struct(r, s, &out->ping);
}

int ml_msg_decode(const uint8_t *buf, size_t len, struct ml_msg *out, char **err)
{
    if (len == 0)
        return cluster_fail(err, "memberlist message: empty");
    struct mp_reader r = {buf + 1, buf + len, NULL};
    int rc = ml_msg_decode_body(&r, buf[0], out);
    if (rc == MP_SHORT)
        return cluster_fail(err, "memberlist %s: truncated", ml_type_name(buf[0]));
    if (rc)
        return cluster_fail(err, "memberlist %s (type %u): %s", ml_type_name(buf[0]), buf[0],
                            r.why);
    return 0;
}

void ml_msg_encode(struct strbuf *sb, const struct ml_msg *msg)
{
    strbuf_putc(sb, (char)msg->type);
    if (msg->type == ML_USER) {
        if (msg->user.len)
            strbuf_add(sb, msg->user.p, msg->user.len);
        return;
    }
    const struct mp_schema *s = leaf_schema(msg->type);
    if (s)
        mp_encode_struct(sb, s, &msg->ping);
}
