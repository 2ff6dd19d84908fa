/*
 * fuzz_cluster_packet: libFuzzer target for ml_packet_walk, the receive path
 * of a memberlist packet (label, CRC, compound, compress/LZW and every leaf
 * message decoder).  Each delivered leaf must re-encode to bytes that decode
 * to the same leaf and re-encode identically.
 */
#include <stdlib.h>

#include "cluster/cluster.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_leaf(void *ctx, const struct ml_msg *m)
{
    (void)ctx;
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    ml_msg_encode(&a, m);
    struct ml_msg back;
    char *err = NULL;
    if (ml_msg_decode((const uint8_t *)a.buf, a.len, &back, &err) != 0)
        abort(); /* our own encoding must decode */
    ml_msg_encode(&b, &back);
    if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
        abort();
    strbuf_free(&a);
    strbuf_free(&b);
    return 0;
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
    struct ml_packet_walker w = {.fn = check_leaf, .on_error = ignore, .max_decompressed = 4096};
    char *err = NULL;
    if (ml_packet_walk(&w, data, size, &err) < 0) {
        if (!err || !*err)
            abort();
        free(err);
    }
    w.label = "fuzz";
    err = NULL;
    if (ml_packet_walk(&w, data, size, &err) < 0)
        free(err);
    return 0;
}
