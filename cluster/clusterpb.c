/*
 * clusterpb.c: Alertmanager's clusterpb messages through protobuf-c: the Part
 * envelope of replicated state, FullState for push/pull, and the TLS
 * transport's length-prefixed MemberlistMessage frames.
 */
#include "cluster/cluster_internal.h"

#include <stdlib.h>

#include "clusterpb.pb-c.h"

static struct ml_bytes pb_string(const char *s)
{
    return s ? ML_BYTES(s, strlen(s)) : ML_BYTES("", 0);
}

static struct ml_bytes pb_bytes(ProtobufCBinaryData b)
{
    return ML_BYTES(b.len ? b.data : (const uint8_t *)"", b.len);
}

static struct cluster_part part_view(const Clusterpb__Part *p)
{
    return (struct cluster_part){pb_string(p->key), pb_bytes(p->data)};
}

int cluster_part_decode(const uint8_t *buf, size_t len, struct cluster_parts *out, char **err)
{
    memset(out, 0, sizeof(*out));
    Clusterpb__Part *p = clusterpb__part__unpack(NULL, len, buf);
    if (!p)
        return cluster_fail(err, "clusterpb Part: malformed protobuf");
    out->pb = p;
    out->len = 1;
    out->items = xmalloc(sizeof(*out->items));
    out->items[0] = part_view(p);
    return 0;
}

int cluster_full_state_decode(const uint8_t *buf, size_t len, struct cluster_parts *out,
                              char **err)
{
    memset(out, 0, sizeof(*out));
    Clusterpb__FullState *fs = clusterpb__full_state__unpack(NULL, len, buf);
    if (!fs)
        return cluster_fail(err, "clusterpb FullState: malformed protobuf");
    out->pb = fs;
    out->len = fs->n_parts;
    out->items = xcalloc(fs->n_parts ? fs->n_parts : 1, sizeof(*out->items));
    for (size_t i = 0; i < fs->n_parts; i++)
        out->items[i] = part_view(fs->parts[i]);
    return 0;
}

void cluster_parts_free(struct cluster_parts *parts)
{
    if (!parts || !parts->pb)
        return;
    /* Either message type: protobuf-c finds its layout through the descriptor it starts with. */
    ProtobufCMessage *m = parts->pb;
    protobuf_c_message_free_unpacked(m, NULL);
    free(parts->items);
    memset(parts, 0, sizeof(*parts));
}

/* protobuf-c wants NUL-terminated strings; a key is bytes on the wire. */
static char *key_copy(struct ml_bytes key)
{
    return xstrndup(key.len ? (const char *)key.p : "", key.len);
}

static void pack_into(struct strbuf *sb, const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    strbuf_grow(sb, n + 1);
    protobuf_c_message_pack(m, (uint8_t *)sb->buf + sb->len);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void cluster_part_encode(struct strbuf *sb, struct ml_bytes key, struct ml_bytes data)
{
    Clusterpb__Part p = CLUSTERPB__PART__INIT;
    p.key = key_copy(key);
    p.data.data = (uint8_t *)data.p;
    p.data.len = data.len;
    pack_into(sb, &p.base);
    free(p.key);
}

void cluster_full_state_encode(struct strbuf *sb, const struct cluster_part *parts, size_t n)
{
    Clusterpb__FullState fs = CLUSTERPB__FULL_STATE__INIT;
    Clusterpb__Part *items = xcalloc(n ? n : 1, sizeof(*items));
    Clusterpb__Part **ptrs = xcalloc(n ? n : 1, sizeof(*ptrs));
    for (size_t i = 0; i < n; i++) {
        clusterpb__part__init(&items[i]);
        items[i].key = key_copy(parts[i].key);
        items[i].data.data = (uint8_t *)parts[i].data.p;
        items[i].data.len = parts[i].data.len;
        ptrs[i] = &items[i];
    }
    fs.n_parts = n;
    fs.parts = ptrs;
    pack_into(sb, &fs.base);
    for (size_t i = 0; i < n; i++)
        free(items[i].key);
    free(items);
    free(ptrs);
}

/* ---- TLS transport frames ---- */

int cluster_tls_frame_decode(const uint8_t *buf, size_t len, struct cluster_tls_frame *out,
                             size_t *used, char **err)
{
    memset(out, 0, sizeof(*out));
    *used = 0;
    if (len < 4)
        return 0;
    uint32_t n = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                 (uint32_t)buf[3] << 24;
    if (n > CLUSTER_MAX_TLS_FRAME)
        return cluster_fail(err, "tls frame: %u bytes, over %u", n, CLUSTER_MAX_TLS_FRAME);
    if (len - 4 < n)
        return 0;
    Clusterpb__MemberlistMessage *m = clusterpb__memberlist_message__unpack(NULL, n, buf + 4);
    if (!m)
        return cluster_fail(err, "tls frame: malformed protobuf");
    if (!m->version || strcmp(m->version, CLUSTER_TLS_VERSION) != 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return cluster_fail(err, "tls frame: version is not " CLUSTER_TLS_VERSION);
    }
    if (m->kind != CLUSTERPB__MEMBERLIST_MESSAGE__KIND__STREAM &&
        m->kind != CLUSTERPB__MEMBERLIST_MESSAGE__KIND__PACKET) {
        int kind = (int)m->kind;
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return cluster_fail(err, "tls frame: unknown kind %d", kind);
    }
    out->kind = m->kind == CLUSTERPB__MEMBERLIST_MESSAGE__KIND__PACKET ? CLUSTER_TLS_PACKET
                                                                        : CLUSTER_TLS_STREAM;
    out->from_addr = pb_string(m->from_addr);
    out->msg = pb_bytes(m->msg);
    out->pb = m;
    *used = 4 + (size_t)n;
    return 1;
}

void cluster_tls_frame_free(struct cluster_tls_frame *f)
{
    if (!f || !f->pb)
        return;
    protobuf_c_message_free_unpacked(f->pb, NULL);
    memset(f, 0, sizeof(*f));
}

static void frame_encode(struct strbuf *sb, const Clusterpb__MemberlistMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(&m->base);
    uint8_t len[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    strbuf_add(sb, len, 4);
    pack_into(sb, &m->base);
}

void cluster_tls_packet_encode(struct strbuf *sb, const char *from_addr, const uint8_t *pkt,
                               size_t len)
{
    Clusterpb__MemberlistMessage m = CLUSTERPB__MEMBERLIST_MESSAGE__INIT;
    m.version = (char *)CLUSTER_TLS_VERSION;
    m.kind = CLUSTERPB__MEMBERLIST_MESSAGE__KIND__PACKET;
    m.from_addr = (char *)from_addr;
    m.msg.data = (uint8_t *)pkt;
    m.msg.len = len;
    frame_encode(sb, &m);
}

void cluster_tls_stream_encode(struct strbuf *sb)
{
    Clusterpb__MemberlistMessage m = CLUSTERPB__MEMBERLIST_MESSAGE__INIT;
    m.version = (char *)CLUSTER_TLS_VERSION;
    frame_encode(sb, &m);
}
