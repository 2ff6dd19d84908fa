/*
 * test_capture.c: every datagram and stream of the two-node Alertmanager 0.25
 * capture decodes to what the capture's independently decoded text says
 * (expected.txt), and re-encodes to the bytes 0.25 sent.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

/* ---- rendering in the decoded text's notation ---- */

static void put_str(struct strbuf *sb, struct ml_bytes b)
{
    if (b.nil)
        strbuf_puts(sb, "None");
    else
        strbuf_printf(sb, "'%.*s'", (int)b.len, (const char *)b.p);
}

/* []byte: nil None, empty '', else hex. */
static void put_bin(struct strbuf *sb, struct ml_bytes b)
{
    if (b.nil || b.len == 0) {
        put_str(sb, b);
        return;
    }
    strbuf_puts(sb, "b[");
    hex_append(sb, b.p, b.len);
    strbuf_putc(sb, ']');
}

static void render_leaf(struct strbuf *out, const struct ml_msg *m)
{
    switch (m->type) {
    case ML_PING:
        strbuf_puts(out, "PING {Node: ");
        put_str(out, m->ping.node);
        strbuf_printf(out, ", SeqNo: %u, SourceAddr: ", m->ping.seq_no);
        put_bin(out, m->ping.source_addr);
        strbuf_puts(out, ", SourceNode: ");
        put_str(out, m->ping.source_node);
        strbuf_printf(out, ", SourcePort: %u}\n", m->ping.source_port);
        break;
    case ML_ACK:
        strbuf_puts(out, "ACK {Payload: ");
        put_bin(out, m->ack.payload);
        strbuf_printf(out, ", SeqNo: %u}\n", m->ack.seq_no);
        break;
    case ML_SUSPECT:
    case ML_DEAD:
        strbuf_puts(out, m->type == ML_DEAD ? "DEAD {From: " : "SUSPECT {From: ");
        put_str(out, m->suspect.from);
        strbuf_printf(out, ", Incarnation: %u, Node: ", m->suspect.incarnation);
        put_str(out, m->suspect.node);
        strbuf_puts(out, "}\n");
        break;
    case ML_ALIVE:
        strbuf_puts(out, "ALIVE {Addr: ");
        put_bin(out, m->alive.addr);
        strbuf_printf(out, ", Incarnation: %u, Meta: ", m->alive.incarnation);
        put_bin(out, m->alive.meta);
        strbuf_puts(out, ", Node: ");
        put_str(out, m->alive.node);
        strbuf_printf(out, ", Port: %u, Vsn: ", m->alive.port);
        put_bin(out, m->alive.vsn);
        strbuf_puts(out, "}\n");
        break;
    default: cr_assert_fail("unexpected %s in the capture", ml_type_name(m->type));
    }
}

/* A leaf re-encodes to exactly the bytes it came from. */
static void check_leaf_bytes(const uint8_t *buf, size_t len, const struct ml_msg *m)
{
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, m);
    cr_assert(sb.len == len && memcmp(sb.buf, buf, len) == 0, "%s re-encodes differently",
              ml_type_name(m->type));
    strbuf_free(&sb);
}

static void render_part(struct strbuf *out, const uint8_t *buf, size_t len, const char *fmt)
{
    struct cluster_parts parts;
    char *err = NULL;
    cr_assert_eq(cluster_part_decode(buf, len, &parts, &err), 0, "%s", err);
    strbuf_printf(out, fmt, (int)parts.items[0].key.len, (const char *)parts.items[0].key.p,
                  parts.items[0].data.len);
    struct strbuf again = STRBUF_INIT;
    cluster_part_encode(&again, parts.items[0].key, parts.items[0].data);
    cr_assert(again.len == len && memcmp(again.buf, buf, len) == 0, "Part re-encodes differently");
    strbuf_free(&again);
    cluster_parts_free(&parts);
}

/* Go's LZW is deterministic: compressing the plain bytes again must give
 * back what 0.25 sent. */
static void check_lzw_bytes(const struct ml_compress *c, const struct strbuf *plain)
{
    struct strbuf again = STRBUF_INIT;
    lzw_encode(&again, (const uint8_t *)plain->buf, plain->len);
    cr_assert(again.len == c->buf.len && memcmp(again.buf, c->buf.p, again.len) == 0,
              "LZW output differs from Go's (%zu vs %zu bytes)", again.len, c->buf.len);
    strbuf_free(&again);
}

static void render_msg(struct strbuf *out, const uint8_t *buf, size_t len)
{
    char *err = NULL;
    cr_assert(len > 0);
    if (buf[0] == ML_COMPOUND) {
        struct ml_bytes parts[ML_MAX_COMPOUND_PARTS];
        size_t n;
        cr_assert_eq(ml_compound_split(buf, len, parts, &n, &err), 0, "%s", err);
        strbuf_printf(out, "COMPOUND n=%zu lens=[", n);
        for (size_t i = 0; i < n; i++)
            strbuf_printf(out, "%s%zu", i ? ", " : "", parts[i].len);
        strbuf_puts(out, "]\n");
        struct strbuf again = STRBUF_INIT;
        ml_compound_encode(&again, parts, n);
        cr_assert(again.len == len && memcmp(again.buf, buf, len) == 0);
        strbuf_free(&again);
        for (size_t i = 0; i < n; i++)
            render_msg(out, parts[i].p, parts[i].len);
    } else if (buf[0] == ML_COMPRESS) {
        struct ml_compress c;
        size_t used;
        cr_assert_eq(ml_compress_decode(buf, len, &c, &used, &err), 0, "%s", err);
        cr_assert_eq(used, len);
        strbuf_printf(out, "COMPRESS {Algo: %u, Buf: ", c.algo);
        put_bin(out, c.buf);
        strbuf_puts(out, "}\n");
        struct strbuf plain = STRBUF_INIT;
        cr_assert_eq(ml_decompress(&c, 0, &plain, &err), 0, "%s", err);
        strbuf_printf(out, "LZW -> %zu bytes\n", plain.len);
        check_lzw_bytes(&c, &plain);
        struct strbuf again = STRBUF_INIT;
        ml_compress_encode(&again, (const uint8_t *)plain.buf, plain.len);
        cr_assert(again.len == len && memcmp(again.buf, buf, len) == 0);
        strbuf_free(&again);
        render_msg(out, (const uint8_t *)plain.buf, plain.len);
        strbuf_free(&plain);
    } else if (buf[0] == ML_USER) {
        strbuf_printf(out, "USER len=%zu\n", len - 1);
        render_part(out, buf + 1, len - 1, "Part: key=b'%.*s' data=len%zu\n");
    } else {
        struct ml_msg m;
        cr_assert_eq(ml_msg_decode(buf, len, &m, &err), 0, "%s", err);
        render_leaf(out, &m);
        check_leaf_bytes(buf, len, &m);
    }
}

static void render_datagram(struct strbuf *out, const uint8_t *buf, size_t len)
{
    if (len >= 5 && buf[0] == ML_HAS_CRC) {
        struct ml_bytes inner;
        char *err = NULL;
        cr_assert_eq(ml_crc_unwrap(buf, len, &inner, &err), 0, "%s", err);
        strbuf_printf(out, "HASCRC crc=%02x%02x%02x%02x\n", buf[1], buf[2], buf[3], buf[4]);
        struct strbuf again = STRBUF_INIT;
        ml_crc_encode(&again, inner.p, inner.len);
        cr_assert(again.len == len && memcmp(again.buf, buf, len) == 0);
        strbuf_free(&again);
        buf = inner.p;
        len = inner.len;
    }
    render_msg(out, buf, len);
}

static void render_node(struct strbuf *out, const struct ml_node_state *ns)
{
    strbuf_puts(out, "pushNodeState {Addr: ");
    put_bin(out, ns->addr);
    strbuf_printf(out, ", Incarnation: %u, Meta: ", ns->incarnation);
    put_bin(out, ns->meta);
    strbuf_puts(out, ", Name: ");
    put_str(out, ns->name);
    strbuf_printf(out, ", Port: %u, State: %lld, Vsn: ", ns->port, (long long)ns->state);
    put_bin(out, ns->vsn);
    strbuf_puts(out, "}\n");
}

static void render_full_state(struct strbuf *out, struct ml_bytes state)
{
    struct cluster_parts parts;
    char *err = NULL;
    cr_assert_eq(cluster_full_state_decode(state.p, state.len, &parts, &err), 0, "%s", err);
    for (size_t i = 0; i < parts.len; i++)
        strbuf_printf(out, "FullState.field1 Part key=b'%.*s' data=%zu bytes\n",
                      (int)parts.items[i].key.len, (const char *)parts.items[i].key.p,
                      parts.items[i].data.len);
    struct strbuf again = STRBUF_INIT;
    cluster_full_state_encode(&again, parts.items, parts.len);
    cr_assert(again.len == state.len && memcmp(again.buf, state.p, state.len) == 0,
              "FullState re-encodes differently");
    strbuf_free(&again);
    cluster_parts_free(&parts);
}

static void render_stream(struct strbuf *out, const uint8_t *buf, size_t len)
{
    struct ml_stream_msg m;
    size_t used;
    char *err = NULL;
    cr_assert_eq(ml_stream_decode(buf, len, 0, &m, &used, &err), 1, "%s", err);
    cr_assert_eq(used, len, "the stream holds one message");
    cr_assert(m.compressed, "Go compresses every stream message");
    strbuf_printf(out, "STREAM-COMPRESS\nLZW -> %zu bytes\n", m.owned.len);
    struct strbuf again = STRBUF_INIT;
    if (m.type == ML_PUSH_PULL) {
        const struct ml_push_pull *pp = &m.push_pull;
        strbuf_printf(out, "PUSHPULL hdr {Join: %s, Nodes: %zu, UserStateLen: %zu}\n",
                      pp->join ? "True" : "False", pp->n_nodes, pp->user_state.len);
        for (size_t i = 0; i < pp->n_nodes; i++)
            render_node(out, &pp->nodes[i]);
        strbuf_printf(out, "userstate %zu bytes\n", pp->user_state.len);
        render_full_state(out, pp->user_state);
        ml_push_pull_encode(&again, pp->join, pp->nodes, pp->n_nodes, pp->user_state.p,
                            pp->user_state.len);
    } else {
        cr_assert_eq(m.type, ML_USER);
        strbuf_printf(out, "USERSTREAM hdr {UserMsgLen: %zu}\n", m.user.len);
        render_part(out, m.user.p, m.user.len, "Part key=[b'%.*s'] data=%zu bytes\n");
        ml_user_stream_encode(&again, m.user.p, m.user.len);
    }
    cr_assert(again.len == m.owned.len && memcmp(again.buf, m.owned.buf, again.len) == 0,
              "stream message re-encodes differently");
    /* ...and compressed as Go would, byte for byte. */
    struct strbuf wrapped = STRBUF_INIT;
    ml_compress_encode(&wrapped, (const uint8_t *)again.buf, again.len);
    cr_assert(wrapped.len == len && memcmp(wrapped.buf, buf, len) == 0,
              "compressed stream message differs from Go's");
    strbuf_free(&wrapped);
    strbuf_free(&again);
    ml_stream_msg_free(&m);
}

Test(capture, every_message_decodes_as_the_reference_text_says)
{
    struct capture cap;
    capture_load(&cap);
    cr_assert_eq(cap.len, 194, "177 datagrams and 17 streams");
    struct strbuf got = STRBUF_INIT;
    for (size_t i = 0; i < cap.len; i++) {
        const struct capture_entry *e = &cap.items[i];
        strbuf_printf(&got, "== %s %s %s %zu\n", e->tcp ? "tcp" : "udp", e->src, e->dst, e->len);
        if (e->tcp)
            render_stream(&got, e->data, e->len);
        else
            render_datagram(&got, e->data, e->len);
    }
    char *want = NULL;
    size_t want_len = 0;
    cr_assert_eq(file_read_all(CHORUS_TEST_FIXTURES "/cluster/expected.txt", &want, &want_len), 0);
    /* Report the first differing line rather than two 80 KB blobs. */
    const char *a = strbuf_cstr(&got), *b = want;
    size_t line = 1;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++, b++;
    }
    const char *a_end = strchr(a, '\n'), *b_end = strchr(b, '\n');
    cr_assert(*a == '\0' && *b == '\0', "line %zu:\n got: %.*s\nwant: %.*s", line,
              (int)(a_end ? a_end - a : (long)strlen(a)), a,
              (int)(b_end ? b_end - b : (long)strlen(b)), b);
    free(want);
    strbuf_free(&got);
    capture_free(&cap);
}

/* The walker a receiver uses sees the same leaves as the detailed render. */
struct tally {
    size_t by_type[256];
};

static int count_leaf(void *ctx, const struct ml_msg *m)
{
    ((struct tally *)ctx)->by_type[m->type]++;
    return 0;
}

Test(capture, packet_walk_delivers_every_leaf)
{
    struct capture cap;
    capture_load(&cap);
    struct tally t = {0};
    struct ml_packet_walker w = {.fn = count_leaf, .ctx = &t};
    for (size_t i = 0; i < cap.len; i++) {
        if (cap.items[i].tcp)
            continue;
        char *err = NULL;
        int n = ml_packet_walk(&w, cap.items[i].data, cap.items[i].len, &err);
        cr_assert(n >= 1, "datagram %zu: %s", i, err);
    }
    /* Counts from the reference text (top-level and nested). */
    cr_expect_eq(t.by_type[ML_PING], 79);
    cr_expect_eq(t.by_type[ML_ACK], 79);
    cr_expect_eq(t.by_type[ML_ALIVE], 16);
    cr_expect_eq(t.by_type[ML_DEAD], 5);
    cr_expect_eq(t.by_type[ML_USER], 12);
    capture_free(&cap);
}

Test(capture, streams_decode_byte_by_byte)
{
    /* A stream reader gets bytes in pieces: every prefix asks for more. */
    struct capture cap;
    capture_load(&cap);
    for (size_t i = 0; i < cap.len; i++) {
        const struct capture_entry *e = &cap.items[i];
        if (!e->tcp)
            continue;
        for (size_t cut = 0; cut < e->len; cut += 7) {
            struct ml_stream_msg m;
            size_t used;
            char *err = NULL;
            int rc = ml_stream_decode(e->data, cut, 0, &m, &used, &err);
            cr_assert_eq(rc, 0, "stream %zu cut at %zu: rc %d %s", i, cut, rc, err ? err : "");
        }
    }
    capture_free(&cap);
}

/* The leaves of a captured datagram, below CRC, compression and compound. */
static size_t leaves_of(const uint8_t *buf, size_t len, struct ml_bytes *out, struct strbuf *plain)
{
    char *err = NULL;
    if (buf[0] == ML_COMPRESS) {
        struct ml_compress c;
        size_t used;
        cr_assert_eq(ml_compress_decode(buf, len, &c, &used, &err), 0);
        cr_assert_eq(ml_decompress(&c, 0, plain, &err), 0);
        buf = (const uint8_t *)plain->buf;
        len = plain->len;
    }
    if (buf[0] != ML_COMPOUND) {
        out[0] = ML_BYTES(buf, len);
        return 1;
    }
    size_t n;
    cr_assert_eq(ml_compound_split(buf, len, out, &n, &err), 0);
    return n;
}

Test(capture, packets_are_composed_as_go_composes_them)
{
    /* Same messages, compression whenever it is smaller, CRC where 0.25
     * put one: the same datagram, compressed or not as Go chose. */
    struct capture cap;
    capture_load(&cap);
    size_t compressed = 0;
    for (size_t i = 0; i < cap.len; i++) {
        const struct capture_entry *e = &cap.items[i];
        if (e->tcp)
            continue;
        struct ml_packet_opts opts = {.compress = true, .crc = e->data[0] == ML_HAS_CRC};
        const uint8_t *body = e->data + (opts.crc ? 5 : 0);
        size_t body_len = e->len - (opts.crc ? 5 : 0);
        compressed += body[0] == ML_COMPRESS;
        struct ml_bytes msgs[ML_MAX_COMPOUND_PARTS];
        struct strbuf plain = STRBUF_INIT, again = STRBUF_INIT;
        size_t n = leaves_of(body, body_len, msgs, &plain);
        ml_packet_encode(&again, msgs, n, &opts);
        cr_assert(again.len == e->len && memcmp(again.buf, e->data, e->len) == 0,
                  "datagram %zu composes differently (%zu vs %zu bytes)", i, again.len, e->len);
        strbuf_free(&plain);
        strbuf_free(&again);
    }
    cr_assert_eq(compressed, 1);
    capture_free(&cap);
}
