/*
 * fuzz_cluster_packet: libFuzzer target for ml_packet_walk, the receive path
 * of a memberlist packet (label, CRC, compound, compress/LZW and every leaf
 * message decoder).  Each delivered leaf must re-encode to bytes that decode
 * to the same leaf and re-encode identically, and the re-encoded leaves,
 * composed into a packet again (compressed, CRC'd, labelled), must walk to
 * as many leaves.
 */
#include <stdlib.h>

#include "cluster/cluster.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct leaves {
    struct strbuf enc[ML_MAX_COMPOUND_PARTS];
    size_t n;
    bool too_many;
};

static int check_leaf(void *ctx, const struct ml_msg *m)
{
    struct leaves *l = ctx;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    ml_msg_encode(&a, m);
    struct ml_msg back;
    char *err = NULL;
    if (ml_msg_decode((const uint8_t *)a.buf, a.len, &back, &err) != 0)
        abort(); /* our own encoding must decode */
    ml_msg_encode(&b, &back);
    if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
        abort();
    if (l->n < ML_MAX_COMPOUND_PARTS)
        l->enc[l->n++] = a;
    else
        l->too_many = true, strbuf_free(&a);
    strbuf_free(&b);
    return 0;
}

static int count_leaf(void *ctx, const struct ml_msg *m)
{
    (void)m;
    (*(size_t *)ctx)++;
    return 0;
}

static void recompose(const struct leaves *l)
{
    struct ml_bytes msgs[ML_MAX_COMPOUND_PARTS];
    size_t total = 0;
    for (size_t i = 0; i < l->n; i++) {
        msgs[i] = ML_BYTES(l->enc[i].buf, l->enc[i].len);
        total += 2 + l->enc[i].len;
    }
    if (total > ML_MAX_PACKET - 64)
        return; /* more than one datagram holds (nested compression expands) */
    struct strbuf pkt = STRBUF_INIT;
    struct ml_packet_opts opts = {.compress = true, .crc = true, .label = "fuzz"};
    ml_packet_encode(&pkt, msgs, l->n, &opts);
    size_t seen = 0;
    struct ml_packet_walker w = {.label = "fuzz", .fn = count_leaf, .ctx = &seen,
                                 .max_decompressed = ML_MAX_PACKET};
    char *err = NULL;
    /* A lone user message swallows the rest of its packet, so only the count
     * of a compound or a single message is certain. */
    if (ml_packet_walk(&w, (const uint8_t *)pkt.buf, pkt.len, &err) != (int)l->n)
        abort();
    strbuf_free(&pkt);
}

static void ignore(void *ctx, const char *why)
{
    (void)ctx;
    if (!why || !*why)
        abort(); /* every failure says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A small decompression cap keeps runs fast; the cap's own handling is
     * what is exercised, not the size. */
    struct leaves l = {.n = 0};
    struct ml_packet_walker w = {.fn = check_leaf, .on_error = ignore, .ctx = &l,
                                 .max_decompressed = 4096};
    char *err = NULL;
    if (ml_packet_walk(&w, data, size, &err) < 0) {
        if (!err || !*err)
            abort();
        free(err);
    } else if (l.n && !l.too_many && size <= 8192) {
        recompose(&l);
    }
    for (size_t i = 0; i < l.n; i++)
        strbuf_free(&l.enc[i]);
    l.n = 0;
    w.label = "fuzz";
    err = NULL;
    if (ml_packet_walk(&w, data, size, &err) < 0)
        free(err);
    for (size_t i = 0; i < l.n; i++)
        strbuf_free(&l.enc[i]);
    return 0;
}
