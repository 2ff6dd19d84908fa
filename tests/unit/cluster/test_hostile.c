/*
 * test_hostile.c: garbage, truncated and oversized input.  Every decoder
 * must say no with an error message, read nothing outside its buffer and
 * allocate nothing a forged length asks for (run it under the sanitizer
 * build to hold it to that).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "helpers.h"

enum target { PACKET, STREAM, TLS, PART, FULL_STATE, LZW, MSG };

struct hostile {
    const char *name;
    enum target target;
    const char *hex;
};

static const struct hostile corpus[] = {
    {"empty packet", PACKET, ""},
    {"type byte alone", PACKET, "00"},
    {"unknown type", PACKET, "c8 80"},
    {"encrypt in a packet", PACKET, "0a 0102"},
    {"push/pull in a packet", PACKET, "06 80"},
    {"err in a packet", PACKET, "0d 81 a5 4572726f72 a0"},
    {"crc mismatch", PACKET, "0c 00000000 0b81a55365714e6f01"},
    {"crc header cut", PACKET, "0c 0102"},
    {"crc inside a compound", PACKET, "07 01 0005 0c00000000"},
    {"compound length table cut", PACKET, "07 03 0001"},
    {"compound part past the end", PACKET, "07 02 0001 00ff 0b"},
    {"compound with no count", PACKET, "07"},
    {"compress algo 1", PACKET, "09 82 a4416c676f 01 a3427566 a3 000302"},
    {"compress without EOF", PACKET, "09 82 a4416c676f 00 a3427566 a3 00c300"},
    {"compress invalid code", PACKET, "09 82 a4416c676f 00 a3427566 a4 00590604"},
    {"compress empty output", PACKET, "09 82 a4416c676f 00 a3427566 a3 000302"},
    {"compress Buf not a string", PACKET, "09 82 a4416c676f 00 a3427566 05"},
    {"map32 claiming 4G entries", PACKET, "00 df ffffffff a4 4e6f6465"},
    {"str32 key claiming 4G bytes", PACKET, "00 81 db ffffffff 4e"},
    {"SeqNo negative", PACKET, "00 81 a5 5365714e6f d0 ff"},
    {"SeqNo over uint32", PACKET, "00 81 a5 5365714e6f cf 0000000100000000"},
    {"Port over uint16", PACKET, "04 81 a4 506f7274 ce 00011170"},
    {"bool field holds an int", PACKET, "01 81 a4 4e61636b 01"},
    {"struct sent as an array", PACKET, "02 92 a0 01"},
    {"integer map key", PACKET, "02 81 01 01"},
    {"unknown key nested too deep", PACKET,
     "02 81 a1 58 91919191919191919191919191919191919191 c0"},
    {"invalid msgpack byte", PACKET, "02 81 a1 58 c1"},
    {"float for an integer", PACKET, "0b 81 a5 5365714e6f cb 3ff0000000000000"},
    {"ext for a string", PACKET, "05 81 a4 4e6f6465 d4 01 00"},
    {"label of length zero", PACKET, "f4 00 0b81a55365714e6f01"},
    {"label cut short", PACKET, "f4 05 6162"},
    {"label to an unlabelled node", PACKET, "f4 01 78 0b81a55365714e6f01"},
    {"label inside a compound", PACKET, "07 01 0003 f40178"},
    {"stream: encrypted", STREAM, "0a 00000000"},
    {"stream: suspect is not a stream message", STREAM, "03 80"},
    {"stream: negative node count", STREAM, "06 83 a44a6f696e c2 a54e6f646573 ff ac5573657253746174654c656e 00"},
    {"stream: node count over the cap", STREAM, "06 83 a44a6f696e c2 a54e6f646573 ce 00100001 ac5573657253746174654c656e 00"},
    {"stream: user state over 20 MiB", STREAM, "06 83 a44a6f696e c2 a54e6f646573 00 ac5573657253746174654c656e ce 01400001"},
    {"stream: negative user message length", STREAM, "08 81 aa557365724d73674c656e d0 80"},
    {"stream: user message over 20 MiB", STREAM, "08 81 aa557365724d73674c656e ce 01400001"},
    {"stream: compressed body cut short", STREAM,
     /* LZW of "06 83" (a push/pull header map missing its 3 entries) */
     "09 82 a4416c676f 00 a3427566 a5 000d0c0a08"},
    {"stream: compress of a compress", STREAM, /* LZW of "09 80" */
     "09 82 a4416c676f 00 a3427566 a5 0013000a08"},
    {"stream: string longer than any message", STREAM, "0d 81 a5 4572726f72 db 7fffffff"},
    {"tls: frame over 1 MiB", TLS, "01001000 0a"},
    {"tls: wrong version", TLS, "08000000 0a06 76302e312e31"},
    {"tls: no version", TLS, "02000000 1001"},
    {"tls: unknown kind", TLS, "0a000000 0a06 76302e312e30 1005"},
    {"tls: malformed protobuf", TLS, "03000000 0a 05 41"},
    {"part: field length past the end", PART, "0a 05 73696c"},
    {"part: bad wire type", PART, "0f 01"},
    {"part: varint never ends", PART, "10 ffffffffffffffffffffff"},
    {"full state: part is garbage", FULL_STATE, "0a 03 0a 05 41"},
    {"full state: truncated", FULL_STATE, "0a 05 0a 03 6e66"},
    {"lzw: empty", LZW, ""},
    {"lzw: code above the table", LZW, "00590604"},
    {"lzw: ends before EOF", LZW, "00c300"},
    {"msg: compound is not a leaf", MSG, "07 00"},
    {"msg: alive cut inside a string", MSG, "04 81 a4 4e6f6465 a5 4142"},
};

static int ignore_leaf(void *ctx, const struct ml_msg *m)
{
    (void)ctx;
    (void)m;
    return 0;
}

static int bad_parts;

static void count_bad(void *ctx, const char *why)
{
    (void)ctx;
    cr_assert(why && *why);
    bad_parts++;
}

static int run(enum target t, const uint8_t *buf, size_t len, char **err)
{
    struct ml_packet_walker w = {.fn = ignore_leaf, .on_error = count_bad};
    struct ml_stream_msg sm;
    struct cluster_tls_frame f;
    struct cluster_parts parts;
    struct strbuf out = STRBUF_INIT;
    struct ml_msg m;
    size_t used;
    int rc = -1;
    switch (t) {
    case PACKET:
        bad_parts = 0;
        rc = ml_packet_walk(&w, buf, len, err);
        /* A bad part inside a good compound is reported, not fatal. */
        if (rc >= 0 && bad_parts)
            rc = -1, *err = xstrdup("bad part");
        break;
    case STREAM:
        rc = ml_stream_decode(buf, len, 0, &sm, &used, err);
        if (rc == 1)
            ml_stream_msg_free(&sm);
        break;
    case TLS:
        rc = cluster_tls_frame_decode(buf, len, &f, &used, err);
        if (rc == 1)
            cluster_tls_frame_free(&f);
        break;
    case PART:
        if ((rc = cluster_part_decode(buf, len, &parts, err)) == 0)
            cluster_parts_free(&parts);
        break;
    case FULL_STATE:
        if ((rc = cluster_full_state_decode(buf, len, &parts, err)) == 0)
            cluster_parts_free(&parts);
        break;
    case LZW: rc = lzw_decode(buf, len, 0, &out, err); break;
    case MSG: rc = ml_msg_decode(buf, len, &m, err); break;
    }
    strbuf_free(&out);
    return rc;
}

Test(hostile, corpus_is_refused_with_errors)
{
    cr_assert_geq(ARRAY_SIZE(corpus), 30);
    for (size_t i = 0; i < ARRAY_SIZE(corpus); i++) {
        size_t len;
        uint8_t *buf = hex_decode(corpus[i].hex, &len);
        char *err = NULL;
        int rc = run(corpus[i].target, buf, len, &err);
        cr_expect_eq(rc, -1, "%s: accepted (rc %d)", corpus[i].name, rc);
        cr_expect(rc != -1 || (err && *err), "%s: no error message", corpus[i].name);
        free(err);
        free(buf);
    }
}

Test(hostile, oversized_and_deep_inputs)
{
    char *err = NULL;
    struct ml_packet_walker w = {.fn = ignore_leaf};
    /* A datagram bigger than any UDP buffer. */
    uint8_t *big = xcalloc(ML_MAX_PACKET + 1, 1);
    big[0] = ML_USER;
    cr_assert_eq(ml_packet_walk(&w, big, ML_MAX_PACKET + 1, &err), -1);
    free(err);
    cr_assert_eq(ml_packet_walk(&w, big, ML_MAX_PACKET, &err), 1, "%s", err);
    free(big);

    /* Compounds nested deeper than ML_MAX_NESTING. */
    struct strbuf pkt = STRBUF_INIT, next = STRBUF_INIT;
    strbuf_add(&pkt, "\x0b\x81\xa5SeqNo\x01", 9);
    for (int i = 0; i < ML_MAX_NESTING + 2; i++) {
        struct ml_bytes part = ML_BYTES(pkt.buf, pkt.len);
        strbuf_reset(&next);
        ml_compound_encode(&next, &part, 1);
        struct strbuf t = pkt;
        pkt = next;
        next = t;
    }
    bad_parts = 0;
    w.on_error = count_bad;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), 0);
    cr_assert_eq(bad_parts, 1, "the too-deep part is reported");

    /* A compression bomb: a few KB that expand to 1 MiB, refused under the
     * default cap (one datagram), taken when the caller allows more. */
    uint8_t *zeros = xcalloc(1 << 20, 1);
    zeros[0] = ML_USER;
    strbuf_reset(&pkt);
    ml_compress_encode(&pkt, zeros, 1 << 20);
    cr_assert_lt(pkt.len, ML_MAX_PACKET);
    w.max_decompressed = 0;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), -1);
    cr_assert(strstr(err, "cap"), "%s", err);
    free(err);
    w.max_decompressed = 2 << 20;
    cr_assert_eq(ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err), 1);
    free(zeros);
    strbuf_free(&pkt);
    strbuf_free(&next);
}

Test(hostile, long_stream_message_waits_then_completes)
{
    /* An uncompressed user message of the largest allowed size: "need more"
     * while it arrives, nothing allocated for what has not. */
    size_t n = ML_MAX_STREAM_MSG;
    uint8_t *buf = xcalloc(n, 1);
    memcpy(buf, "\x08\x81\xaaUserMsgLen\xce\x01\x40\x00\x00", 17);
    struct ml_stream_msg m;
    size_t used;
    char *err = NULL;
    cr_assert_eq(ml_stream_decode(buf, 1 << 20, 0, &m, &used, &err), 0);
    cr_assert_eq(ml_stream_decode(buf, n, 0, &m, &used, &err), 1, "20 MiB fits: %s", err);
    ml_stream_msg_free(&m);
    free(buf);
}

Test(hostile, every_truncation_of_the_capture_is_safe)
{
    struct capture cap;
    capture_load(&cap);
    size_t refused = 0;
    for (size_t i = 0; i < cap.len; i++) {
        const struct capture_entry *e = &cap.items[i];
        /* Copies at exact size, so the sanitizer sees any read past the end. */
        for (size_t cut = 0; cut < e->len; cut += e->tcp ? 13 : 1) {
            uint8_t *buf = xmalloc(cut ? cut : 1);
            memcpy(buf, e->data, cut);
            char *err = NULL;
            int rc = run(e->tcp ? STREAM : PACKET, buf, cut, &err);
            if (rc < 0) {
                refused++;
                cr_assert(err && *err);
            }
            free(err);
            free(buf);
        }
    }
    cr_assert_gt(refused, 1000);
    capture_free(&cap);
}
