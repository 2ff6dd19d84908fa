/*
 * test_codec.c: the encodings the capture does not show: every msgpack
 * integer and string form a Go peer may send (0.25 and >= 0.28), message
 * types 0.25 only sends under failure (indirect ping, nack, suspect, err),
 * labels, and Alertmanager's TLS frames and FullState as the wire reference
 * records them.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "helpers.h"

static void expect_bytes(const struct strbuf *sb, const char *want_hex)
{
    size_t n;
    uint8_t *want = hex_decode(want_hex, &n);
    struct strbuf got = STRBUF_INIT;
    hex_append(&got, (const uint8_t *)sb->buf, sb->len);
    cr_assert(sb->len == n && memcmp(sb->buf, want, n) == 0, "got  %s\nwant %s",
              strbuf_cstr(&got), want_hex);
    strbuf_free(&got);
    free(want);
}

static struct ml_msg decode_hex(const char *hex)
{
    size_t n;
    uint8_t *buf = hex_decode(hex, &n);
    struct ml_msg m;
    char *err = NULL;
    cr_assert_eq(ml_msg_decode(buf, n, &m, &err), 0, "%s: %s", hex, err);
    /* Only numbers are compared after this; slices would dangle. */
    free(buf);
    return m;
}

static int decode_fails(const char *hex)
{
    size_t n;
    uint8_t *buf = hex_decode(hex, &n);
    struct ml_msg m;
    char *err = NULL;
    int rc = ml_msg_decode(buf, n, &m, &err);
    cr_assert(rc < 0 ? err != NULL : err == NULL);
    free(err);
    free(buf);
    return rc;
}

Test(codec, worked_ack_from_the_reference)
{
    /* 02 82 a7"Payload" a0 a5"SeqNo" 01 */
    struct ml_msg m = {.type = ML_ACK, .ack = {.payload = ML_BYTES("", 0), .seq_no = 1}};
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, &m);
    expect_bytes(&sb, "0282a75061796c6f6164a0a55365714e6f01");
    strbuf_free(&sb);
}

Test(codec, every_integer_form_decodes)
{
    /* nack {SeqNo: 300} as 0.25 (cd), >= 0.28 (d1), and the wider forms. */
    const char *forms[] = {
        "0b81a55365714e6fcd012c",             /* uint16 */
        "0b81a55365714e6fd1012c",             /* int16 */
        "0b81a55365714e6fce0000012c",         /* uint32 */
        "0b81a55365714e6fd20000012c",         /* int32 */
        "0b81a55365714e6fcf000000000000012c", /* uint64 */
        "0b81a55365714e6fd3000000000000012c", /* int64 */
    };
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++)
        cr_assert_eq(decode_hex(forms[i]).nack.seq_no, 300, "%s", forms[i]);
    cr_assert_eq(decode_hex("0b81a55365714e6f7f").nack.seq_no, 127);
    cr_assert_eq(decode_hex("0b81a55365714e6fcc80").nack.seq_no, 128);
    cr_assert_eq(decode_hex("0b81a55365714e6fd07f").nack.seq_no, 127);
    cr_assert_eq(decode_hex("0b81a55365714e6fc0").nack.seq_no, 0, "nil reads as zero");
    cr_assert_eq(decode_hex("0b81a55365714e6fceffffffff").nack.seq_no, UINT32_MAX);
    /* Too wide for uint32, negative, not an integer at all. */
    cr_assert_eq(decode_fails("0b81a55365714e6fcf0000000100000000"), -1);
    cr_assert_eq(decode_fails("0b81a55365714e6fff"), -1);
    cr_assert_eq(decode_fails("0b81a55365714e6fd0ff"), -1);
    cr_assert_eq(decode_fails("0b81a55365714e6fcb3ff0000000000000"), -1);
    cr_assert_eq(decode_fails("0b81a55365714e6fa131"), -1);
}

Test(codec, every_string_form_decodes_and_encoding_uses_go_forms)
{
    /* err {Error: "x"} via fixstr, str8, str16, str32, bin8, bin16, bin32. */
    const char *forms[] = {
        "0d81a54572726f72a178",       "0d81a54572726f72d90178",
        "0d81a54572726f72da000178",   "0d81a54572726f72db0000000178",
        "0d81a54572726f72c40178",     "0d81a54572726f72c5000178",
        "0d81a54572726f72c60000000178",
    };
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        size_t n;
        uint8_t *buf = hex_decode(forms[i], &n);
        struct ml_msg m;
        cr_assert_eq(ml_msg_decode(buf, n, &m, NULL), 0, "%s", forms[i]);
        cr_assert(ml_bytes_eq(m.err.error, "x"));
        free(buf);
    }
    /* 32..65535 bytes: str16 (da), never str8 (d9). */
    char name[41];
    memset(name, 'n', 40);
    name[40] = '\0';
    struct ml_msg m = {.type = ML_ERR, .err = {.error = ML_BYTES_STR(name)}};
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, &m);
    cr_assert_eq((uint8_t)sb.buf[8], 0xda);
    cr_assert_eq((uint8_t)sb.buf[9], 0x00);
    cr_assert_eq((uint8_t)sb.buf[10], 40);
    strbuf_free(&sb);
}

Test(codec, keys_in_any_order_and_unknown_keys_skipped)
{
    /* suspect {Node: "b", Extra: [1, {"k": nil}], From: "a", Incarnation: 7} */
    struct ml_msg m = decode_hex("0384a44e6f6465a162a54578747261920181a16bc0a446726f6da161"
                                 "ab496e6361726e6174696f6e07");
    cr_assert_eq(m.suspect.incarnation, 7);
}

static void round_trip(const struct ml_msg *m, const char *want_hex)
{
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, m);
    expect_bytes(&sb, want_hex);
    struct ml_msg back;
    char *err = NULL;
    cr_assert_eq(ml_msg_decode((const uint8_t *)sb.buf, sb.len, &back, &err), 0, "%s", err);
    struct strbuf again = STRBUF_INIT;
    ml_msg_encode(&again, &back);
    cr_assert(again.len == sb.len && memcmp(again.buf, sb.buf, sb.len) == 0);
    strbuf_free(&again);
    strbuf_free(&sb);
}

Test(codec, failure_path_messages)
{
    uint8_t ip[4] = {127, 0, 0, 3};
    struct ml_msg ind = {.type = ML_INDIRECT_PING,
                         .indirect_ping = {.nack = true,
                                           .node = ML_BYTES_STR("B"),
                                           .port = 9094,
                                           .seq_no = 5,
                                           .source_addr = ML_BYTES(ip, 4),
                                           .source_node = ML_BYTES_STR("A"),
                                           .source_port = 9094,
                                           .target = ML_BYTES(ip, 4)}};
    /* Nack Node Port SeqNo SourceAddr SourceNode SourcePort Target */
    round_trip(&ind, "0188a44e61636bc3a44e6f6465a142a4506f7274cd2386a55365714e6f05"
                     "aa536f7572636541646472a47f000003aa536f757263654e6f6465a141"
                     "aa536f75726365506f7274cd2386a6546172676574a47f000003");
    /* A ping with no Source* leaves them out (omitempty). */
    struct ml_msg ping = {.type = ML_PING, .ping = {.node = ML_BYTES_STR("B"), .seq_no = 1}};
    round_trip(&ping, "0082a44e6f6465a142a55365714e6f01");
    struct ml_msg nack = {.type = ML_NACK, .nack = {.seq_no = 70000}};
    round_trip(&nack, "0b81a55365714e6fce00011170");
    struct ml_msg sus = {.type = ML_SUSPECT,
                         .suspect = {.from = ML_BYTES_STR("A"), .incarnation = 2,
                                     .node = ML_BYTES_STR("B")}};
    round_trip(&sus, "0383a446726f6da141ab496e6361726e6174696f6e02a44e6f6465a142");
    struct ml_msg e = {.type = ML_ERR, .err = {.error = ML_BYTES_STR("boom")}};
    round_trip(&e, "0d81a54572726f72a4626f6f6d");
    struct ml_msg alive = {.type = ML_ALIVE,
                           .alive = {.addr = ML_BYTES(ip, 4),
                                     .incarnation = 1,
                                     .meta = ML_BYTES("", 0),
                                     .node = ML_BYTES_STR("C"),
                                     .port = 9094,
                                     .vsn = ML_BYTES(ml_alertmanager_vsn, ML_VSN_LEN)}};
    round_trip(&alive, "0486a441646472a47f000003ab496e6361726e6174696f6e01a44d657461a0"
                       "a44e6f6465a143a4506f7274cd2386a356736ea6010502000000");
}

static int collect(void *ctx, const struct ml_msg *m)
{
    (*(int *)ctx)++;
    return m->type == ML_NACK && m->nack.seq_no == 99; /* 99 stops the walk */
}

Test(codec, labels)
{
    struct strbuf pkt = STRBUF_INIT;
    ml_label_encode(&pkt, "prod");
    struct ml_msg nack = {.type = ML_NACK, .nack = {.seq_no = 1}};
    ml_msg_encode(&pkt, &nack);
    int seen = 0;
    char *err = NULL;
    struct ml_packet_walker w = {.label = "prod", .fn = collect, .ctx = &seen};
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), 1, "%s", err);
    w.label = NULL;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), -1);
    cr_assert(strstr(err, "label"), "%s", err);
    free(err);
    w.label = "prod";
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf + 6, pkt.len - 6, &err), -1,
                 "a labelled receiver refuses unlabelled packets");
    free(err);
    /* Composed: label, then CRC around a compound of two. */
    struct ml_bytes two[2] = {ML_BYTES(pkt.buf + 6, pkt.len - 6), ML_BYTES(pkt.buf + 6, pkt.len - 6)};
    struct strbuf composed = STRBUF_INIT;
    struct ml_packet_opts opts = {.compress = true, .crc = true, .label = "prod"};
    ml_packet_encode(&composed, two, 2, &opts);
    cr_assert_eq((uint8_t)composed.buf[0], ML_HAS_LABEL);
    cr_assert_eq((uint8_t)composed.buf[6], ML_HAS_CRC);
    cr_assert_eq((uint8_t)composed.buf[11], ML_COMPOUND, "too small to gain from LZW");
    seen = 0;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)composed.buf, composed.len, &err), 2, "%s", err);
    strbuf_free(&composed);
    strbuf_free(&pkt);
}

Test(codec, walker_reports_bad_parts_and_can_stop)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, pkt = STRBUF_INIT;
    struct ml_msg n1 = {.type = ML_NACK, .nack = {.seq_no = 1}};
    struct ml_msg n99 = {.type = ML_NACK, .nack = {.seq_no = 99}};
    ml_msg_encode(&a, &n1);
    strbuf_add(&b, "\x03\x81", 2); /* a suspect whose map is cut short */
    ml_msg_encode(&c, &n99);
    struct ml_bytes parts[4] = {ML_BYTES(a.buf, a.len), ML_BYTES(b.buf, b.len),
                                ML_BYTES(c.buf, c.len), ML_BYTES(a.buf, a.len)};
    ml_compound_encode(&pkt, parts, 4);
    int seen = 0;
    char *err = NULL;
    struct ml_packet_walker w = {.fn = collect, .ctx = &seen};
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), -1);
    cr_assert_str_eq(err, "stopped");
    cr_assert_eq(seen, 2, "the bad part is skipped, the walk stops at 99");
    free(err);
    strbuf_free(&a);
    strbuf_free(&b);
    strbuf_free(&c);
    strbuf_free(&pkt);
}

Test(codec, compressed_and_crc_packets_walk)
{
    struct strbuf inner = STRBUF_INIT, z = STRBUF_INIT, pkt = STRBUF_INIT;
    struct ml_msg n1 = {.type = ML_NACK, .nack = {.seq_no = 1}};
    ml_msg_encode(&inner, &n1);
    ml_compress_encode(&z, (const uint8_t *)inner.buf, inner.len);
    ml_crc_encode(&pkt, (const uint8_t *)z.buf, z.len);
    int seen = 0;
    char *err = NULL;
    struct ml_packet_walker w = {.fn = collect, .ctx = &seen};
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), 1, "%s", err);
    pkt.buf[pkt.len - 1] ^= 1;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), -1);
    cr_assert(strstr(err, "checksum"), "%s", err);
    free(err);
    strbuf_free(&inner);
    strbuf_free(&z);
    strbuf_free(&pkt);
}

Test(codec, push_pull_with_newer_int_forms)
{
    /* 0.28+ writes UserStateLen 200 as d1 00c8; uncompressed, no nodes. */
    struct strbuf sb = STRBUF_INIT;
    size_t n;
    uint8_t *hdr = hex_decode("0683a44a6f696ec3a54e6f64657300ac5573657253746174654c656ed100c8", &n);
    strbuf_add(&sb, hdr, n);
    free(hdr);
    struct ml_stream_msg m;
    size_t used;
    char *err = NULL;
    cr_assert_eq(ml_stream_decode((const uint8_t *)sb.buf, sb.len, 0, &m, &used, &err), 0,
                 "waits for the user state");
    for (int i = 0; i < 200; i++)
        strbuf_putc(&sb, 'x');
    strbuf_add(&sb, "extra", 5);
    cr_assert_eq(ml_stream_decode((const uint8_t *)sb.buf, sb.len, 0, &m, &used, &err), 1, "%s", err);
    cr_assert(m.push_pull.join);
    cr_assert_eq(m.push_pull.user_state.len, 200);
    cr_assert_eq(used, sb.len - 5);
    cr_assert_not(m.compressed);
    ml_stream_msg_free(&m);
    strbuf_free(&sb);
}

Test(codec, full_state_and_parts)
{
    struct cluster_part parts[] = {{ML_BYTES_STR("nfl"), ML_BYTES("", 0)},
                                   {ML_BYTES_STR("sil"), ML_BYTES("", 0)}};
    struct strbuf sb = STRBUF_INIT;
    cluster_full_state_encode(&sb, parts, 2);
    expect_bytes(&sb, "0a050a036e666c0a050a0373696c"); /* observed from 0.25 */
    struct cluster_parts back;
    char *err = NULL;
    cr_assert_eq(cluster_full_state_decode((const uint8_t *)sb.buf, sb.len, &back, &err), 0);
    cr_assert_eq(back.len, 2);
    cr_assert(ml_bytes_eq(back.items[1].key, "sil"));
    cr_assert_eq(back.items[1].data.len, 0);
    cluster_parts_free(&back);
    strbuf_reset(&sb);
    cluster_full_state_encode(&sb, NULL, 0);
    cr_assert_eq(sb.len, 0);
    cr_assert_eq(cluster_full_state_decode((const uint8_t *)"", 0, &back, &err), 0);
    cr_assert_eq(back.len, 0);
    cluster_parts_free(&back);
    strbuf_free(&sb);
}

Test(codec, tls_frames_as_observed)
{
    struct strbuf sb = STRBUF_INIT;
    cluster_tls_stream_encode(&sb);
    expect_bytes(&sb, "080000000a0676302e312e30");
    struct cluster_tls_frame f;
    size_t used;
    char *err = NULL;
    cr_assert_eq(cluster_tls_frame_decode((const uint8_t *)sb.buf, sb.len - 1, &f, &used, &err), 0);
    cr_assert_eq(cluster_tls_frame_decode((const uint8_t *)sb.buf, sb.len, &f, &used, &err), 1);
    cr_assert_eq(f.kind, CLUSTER_TLS_STREAM);
    cr_assert_eq(used, 12);
    cluster_tls_frame_free(&f);

    uint8_t pkt[70];
    memset(pkt, 0x0c, sizeof(pkt));
    strbuf_reset(&sb);
    cluster_tls_packet_encode(&sb, "127.0.0.1:9094", pkt, sizeof(pkt));
    /* 62000000 0a06"v0.1.0" 1001 1a0e"127.0.0.1:9094" 2246 <70 bytes> */
    cr_assert_eq(sb.len, 4 + 0x62);
    size_t n;
    uint8_t *head = hex_decode("620000000a0676302e312e3010011a0e3132372e302e302e313a393039342246", &n);
    cr_assert(memcmp(sb.buf, head, n) == 0);
    free(head);
    cr_assert_eq(cluster_tls_frame_decode((const uint8_t *)sb.buf, sb.len, &f, &used, &err), 1);
    cr_assert_eq(f.kind, CLUSTER_TLS_PACKET);
    cr_assert(ml_bytes_eq(f.from_addr, "127.0.0.1:9094"));
    cr_assert_eq(f.msg.len, 70);
    cluster_tls_frame_free(&f);
    strbuf_free(&sb);
}
