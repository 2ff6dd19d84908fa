/*
 * state.c: the whole log as Alertmanager's full-state bytes (uvarint length
 * + MeshEntry, back to back), for gossip merges, broadcasts and the snapshot
 * file.
 */
#include "nflog/nflog_internal.h"

#include <errno.h>
#include <stdlib.h>

static void strbuf_to_bytes(struct strbuf *sb, uint8_t **out, size_t *len)
{
    *len = sb->len;
    *out = (uint8_t *)strbuf_detach(sb);
}

void nflog_encode(const struct nflog *l, uint8_t **out, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < l->len; i++)
        nflog_record_encode(&sb, l->entries[i]);
    strbuf_to_bytes(&sb, out, len);
}

int nflog_encode_one(const struct nflog *l, const char *group_key,
                     const struct nflog_receiver *r, uint8_t **out, size_t *len)
{
    const struct nflog_entry *e = nflog_query(l, group_key, r);
    if (!e)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    nflog_record_encode(&sb, e);
    strbuf_to_bytes(&sb, out, len);
    return 0;
}

/* 0.25's state.merge for gossip; loading a snapshot instead takes every
 * record, a later one replacing an earlier one of the same key (0.25 fills a
 * map and swaps it in). */
static bool merge_entry(struct nflog *l, struct nflog_entry *e, int64_t now, bool loading)
{
    if (!loading) {
        if (e->expires_at < now)
            return false;
        const struct nflog_entry *prev =
            nflog_store_find(l, e->group_key, e->group_key_len, &e->receiver);
        if (prev && prev->timestamp >= e->timestamp)
            return false;
    }
    nflog_store_put(l, e);
    return true;
}

struct merge_ctx {
    struct nflog *l;
    int64_t now;
    bool loading;
};

static int merge_one(void *arg, const uint8_t *rec, size_t len, char **why)
{
    struct merge_ctx *m = arg;
    struct nflog_entry *e = nflog_record_decode(rec, len, why);
    if (!e)
        return -1;
    if (merge_entry(m->l, e, m->now, m->loading))
        return 1;
    nflog_entry_free(e);
    return 0;
}

static int merge_bytes(struct nflog *l, const uint8_t *data, size_t len, int64_t now,
                       bool loading, char **err)
{
    struct merge_ctx m = {l, now, loading};
    return pb_delimited_each(data, len, "nflog", merge_one, &m, err);
}

int nflog_merge(struct nflog *l, const uint8_t *data, size_t len, int64_t now, char **err)
{
    return merge_bytes(l, data, len, now, false, err);
}

int nflog_snapshot_write(const struct nflog *l, const char *path)
{
    uint8_t *data;
    size_t len;
    nflog_encode(l, &data, &len);
    int rc = file_write_atomic(path, data, len);
    free(data);
    return rc;
}

int nflog_snapshot_load(struct nflog *l, const char *path, char **err)
{
    struct merge_ctx m = {l, 0, true};
    return pb_delimited_load(path, "nflog", merge_one, &m, err);
}
