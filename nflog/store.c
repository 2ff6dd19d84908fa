/*
 * store.c: the notification log's entries, found by 0.25's state key and
 * kept in insertion order; logging, lookup and garbage collection.
 *
 * Insertion order makes a snapshot re-encode in the order it was read and
 * keeps encodings deterministic (0.25 walks a Go map, so any order is valid
 * for its peers).  A replaced entry keeps its position.
 */
#include "nflog/nflog_internal.h"

#include <inttypes.h>
#include <stdlib.h>

struct nflog *nflog_new(int64_t retention)
{
    struct nflog *l = xcalloc(1, sizeof *l);
    l->retention = retention;
    return l;
}

static void entry_clear(struct nflog_entry *e)
{
    free((char *)e->group_key);
    free((char *)e->receiver.group_name);
    free((char *)e->receiver.integration);
    free(e->firing.items);
    free(e->resolved.items);
    free(e->raw.entry_deprecated);
    free(e->raw.entry_unknown);
    free(e->raw.receiver_unknown);
    free(e->raw.mesh_unknown);
}

void nflog_entry_free(struct nflog_entry *e)
{
    if (!e)
        return;
    entry_clear(e);
    free(e);
}

void nflog_free(struct nflog *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        nflog_entry_free(l->entries[i]);
    free(l->entries);
    hmap_free(&l->by_key);
    free(l);
}

size_t nflog_count(const struct nflog *l)
{
    return l->len;
}

void nflog_key_build(struct strbuf *key, const char *group_key, size_t group_key_len,
                     const struct nflog_receiver *r)
{
    strbuf_add(key, group_key, group_key_len);
    strbuf_printf(key, ":%s/%s/%" PRIu32, r->group_name, r->integration, r->idx);
}

struct nflog_entry *nflog_store_find(const struct nflog *l, const char *group_key,
                                     size_t group_key_len, const struct nflog_receiver *r)
{
    struct strbuf key = STRBUF_INIT;
    nflog_key_build(&key, group_key, group_key_len, r);
    struct nflog_entry *e = hmap_get(&l->by_key, key.buf, key.len);
    strbuf_free(&key);
    return e;
}

/* A replacement moves into the old entry's memory, so the entry keeps its
 * place in the order without a search and the map needs no update. */
void nflog_store_put(struct nflog *l, struct nflog_entry *e)
{
    struct nflog_entry *prev = nflog_store_find(l, e->group_key, e->group_key_len, &e->receiver);
    if (prev) {
        entry_clear(prev);
        *prev = *e;
        free(e);
        return;
    }
    struct strbuf key = STRBUF_INIT;
    nflog_key_build(&key, e->group_key, e->group_key_len, &e->receiver);
    hmap_put(&l->by_key, key.buf, key.len, e);
    strbuf_free(&key);
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->entries = xrealloc(l->entries, l->cap * sizeof *l->entries);
    }
    l->entries[l->len++] = e;
}

static void hashes_copy(struct nflog_hashes *dst, const struct nflog_hashes *src)
{
    dst->len = src ? src->len : 0;
    dst->items = NULL;
    if (dst->len) {
        dst->items = xmalloc(dst->len * sizeof *dst->items);
        memcpy(dst->items, src->items, dst->len * sizeof *dst->items);
    }
}

/* now + d, saturating: a huge retention must not wrap into the past. */
static int64_t time_add(int64_t now, int64_t d)
{
    if (d > 0 && now > INT64_MAX - d)
        return INT64_MAX;
    if (d < 0 && now < INT64_MIN + 1 - d)
        return INT64_MIN + 1;
    return now + d;
}

bool nflog_log(struct nflog *l, const struct nflog_receiver *r, const char *group_key,
               const struct nflog_hashes *firing, const struct nflog_hashes *resolved,
               int64_t now, int64_t expiry)
{
    size_t gk_len = strlen(group_key);
    const struct nflog_entry *prev = nflog_store_find(l, group_key, gk_len, r);
    if (prev && prev->timestamp > now)
        return false;
    struct nflog_entry *e = xcalloc(1, sizeof *e);
    e->group_key = xstrndup(group_key, gk_len);
    e->group_key_len = gk_len;
    e->receiver.group_name = xstrdup(r->group_name);
    e->receiver.integration = xstrdup(r->integration);
    e->receiver.idx = r->idx;
    e->timestamp = now;
    hashes_copy(&e->firing, firing);
    hashes_copy(&e->resolved, resolved);
    bool shorter = expiry > 0 && expiry < l->retention;
    e->expires_at = time_add(now, shorter ? expiry : l->retention);
    nflog_store_put(l, e);
    return true;
}

const struct nflog_entry *nflog_query(const struct nflog *l, const char *group_key,
                                      const struct nflog_receiver *r)
{
    return nflog_store_find(l, group_key, strlen(group_key), r);
}

static void store_forget(struct nflog *l, struct nflog_entry *e)
{
    struct strbuf key = STRBUF_INIT;
    nflog_key_build(&key, e->group_key, e->group_key_len, &e->receiver);
    hmap_del(&l->by_key, key.buf, key.len);
    strbuf_free(&key);
    nflog_entry_free(e);
}

size_t nflog_gc(struct nflog *l, int64_t now)
{
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < l->len; i++) {
        struct nflog_entry *e = l->entries[i];
        if (e->expires_at <= now) {
            store_forget(l, e);
            dropped++;
        } else {
            l->entries[kept++] = e;
        }
    }
    l->len = kept;
    return dropped;
}
