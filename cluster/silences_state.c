/*
 * silences_state.c: the silence store as the cluster's "sil" state, as
 * Alertmanager registers its silences: the whole store on push/pull, peers'
 * full states and single-record deltas merged by the store's own rule
 * (newer updatedAt wins), and one record broadcast after each local change.
 */
#include "cluster/cluster.h"
#include "silences/silences.h"

#include <stdlib.h>

static void marshal_silences(void *ctx, struct strbuf *out)
{
    uint8_t *buf;
    size_t len;
    if (silences_encode(ctx, &buf, &len) != 0)
        return;
    strbuf_add(out, buf, len);
    free(buf);
}

static int merge_silences(void *ctx, const uint8_t *data, size_t len)
{
    char *err = NULL;
    int merged = silences_merge(ctx, data, len, time_now(), &err);
    if (merged < 0) {
        log_kv(LOG_WARN, "Dropping a malformed silence state from a peer", "err", err, NULL);
        free(err);
    }
    return merged;
}

void cluster_node_add_silences(struct cluster_node *n, struct silences *s)
{
    struct cluster_state_ops ops = {.ctx = s, .marshal = marshal_silences,
                                    .merge = merge_silences};
    cluster_node_add_state(n, CLUSTER_KEY_SILENCES, &ops);
}

int cluster_node_broadcast_silence(struct cluster_node *n, const struct silences *s,
                                   const char *id)
{
    uint8_t *buf;
    size_t len;
    int r = silences_encode_one(s, id, &buf, &len);
    if (r != 0)
        return r;
    cluster_node_broadcast(n, CLUSTER_KEY_SILENCES, buf, len);
    free(buf);
    return 0;
}
