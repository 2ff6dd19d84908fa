/*
 * fuzz_cluster_lzw: libFuzzer target for lzw_decode (Go's compress/lzw, LSB,
 * 8-bit literals), the decompressor every Go stream goes through.  Whatever
 * decodes (a prefix of it: sanitizer coverage makes every byte of the coder's
 * loops costly) must survive lzw_encode and decode back to the same bytes.
 * The table resets that need long inputs are test_lzw's.
 */
#include <stdlib.h>

#include "cluster/cluster.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const uint8_t *plain, size_t len)
{
    struct strbuf z = STRBUF_INIT, back = STRBUF_INIT;
    lzw_encode(&z, plain, len);
    char *err = NULL;
    if (lzw_decode((const uint8_t *)z.buf, z.len, len + 1, &back, &err) != 0)
        abort();
    if (back.len != len || (len && memcmp(back.buf, plain, len) != 0))
        abort();
    strbuf_free(&z);
    strbuf_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    if (lzw_decode(data, size, 1024, &out, &err) == 0)
        round_trip((const uint8_t *)out.buf, out.len < 256 ? out.len : 256);
    else if (!err || !*err)
        abort();
    free(err);
    strbuf_free(&out);
    return 0;
}
