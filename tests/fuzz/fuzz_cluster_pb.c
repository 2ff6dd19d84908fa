/*
 * fuzz_cluster_pb: libFuzzer target for Alertmanager's protobuf envelopes:
 * the input is read as a clusterpb Part, as a FullState, and as a sequence of
 * TLS transport frames.  Parts that decode must re-encode to bytes that
 * decode to the same keys and data.
 */
#include <stdlib.h>

#include "cluster/cluster.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(struct ml_bytes a, struct ml_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void check_parts(const struct cluster_parts *p)
{
    struct strbuf sb = STRBUF_INIT;
    cluster_full_state_encode(&sb, p->items, p->len);
    struct cluster_parts back;
    char *err = NULL;
    if (cluster_full_state_decode((const uint8_t *)sb.buf, sb.len, &back, &err) != 0)
        abort();
    if (back.len != p->len)
        abort();
    for (size_t i = 0; i < p->len; i++)
        /* protobuf-c keeps a key only up to an embedded NUL. */
        if (!same(back.items[i].data, p->items[i].data) ||
            !same(back.items[i].key, p->items[i].key))
            abort();
    cluster_parts_free(&back);
    strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cluster_parts p;
    char *err = NULL;
    if (cluster_part_decode(data, size, &p, &err) == 0) {
        check_parts(&p);
        cluster_parts_free(&p);
    } else {
        free(err);
    }
    err = NULL;
    if (cluster_full_state_decode(data, size, &p, &err) == 0) {
        check_parts(&p);
        cluster_parts_free(&p);
    } else {
        free(err);
    }
    size_t at = 0, used;
    struct cluster_tls_frame f;
    for (;;) {
        err = NULL;
        int rc = cluster_tls_frame_decode(data + at, size - at, &f, &used, &err);
        if (rc != 1) {
            free(err);
            break;
        }
        if (f.kind == CLUSTER_TLS_PACKET) {
            struct strbuf sb = STRBUF_INIT;
            char *addr = xstrndup((const char *)f.from_addr.p, f.from_addr.len);
            cluster_tls_packet_encode(&sb, addr, f.msg.p, f.msg.len);
            free(addr);
            strbuf_free(&sb);
        }
        cluster_tls_frame_free(&f);
        at += used;
    }
    return 0;
}
