/*
 * inhibit/cache.c: one inhibit rule's cache of source alerts.  Sources are
 * found by fingerprint (for re-posts) and by a hash of their `equal` label
 * values (for lookups).
 */
#include "inhibit/internal.h"

#include <stdlib.h>

/* Absent labels count as "", as Go's map lookup of a model.LabelSet does. */
static const char *label_value(const struct labelset *ls, const char *name)
{
    const char *v = labelset_get(ls, name);
    return v ? v : "";
}

/* Each value is length-prefixed, so ("ab","") and ("a","b") hash apart. */
static uint64_t equal_hash(const struct inhibit_cache *c, const struct labelset *ls)
{
    uint64_t h = FNV1A64_INIT;
    for (size_t i = 0; i < c->equal->len; i++) {
        const char *v = label_value(ls, c->equal->items[i]);
        uint64_t n = strlen(v);
        h = hash_fnv1a64(h, &n, sizeof n);
        h = hash_fnv1a64(h, v, n);
    }
    return h;
}

bool inhibit_cache_equal_match(const struct inhibit_cache *c, const struct labelset *a,
                               const struct labelset *b)
{
    for (size_t i = 0; i < c->equal->len; i++) {
        const char *name = c->equal->items[i];
        if (strcmp(label_value(a, name), label_value(b, name)) != 0)
            return false;
    }
    return true;
}

void inhibit_cache_init(struct inhibit_cache *c, const struct config_strlist *equal)
{
    static const struct config_strlist none = {NULL, 0};
    *c = (struct inhibit_cache){
        .equal = equal ? equal : &none,
        .by_fp = HMAP_INIT,
        .by_equal = HMAP_INIT,
    };
}

static void source_free(struct inhibit_source *s)
{
    alert_free(&s->alert);
    free(s);
}

void inhibit_cache_free(struct inhibit_cache *c)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&c->by_fp, &i, &e);)
        source_free(e->value);
    for (size_t i = 0; hmap_next(&c->by_equal, &i, &e);)
        free(e->value);
    hmap_free(&c->by_fp);
    hmap_free(&c->by_equal);
    c->len = 0;
}

static void bucket_append(struct inhibit_cache *c, struct inhibit_source *s)
{
    struct inhibit_bucket *b = hmap_get_u64(&c->by_equal, s->equal_hash);
    if (!b) {
        b = xcalloc(1, sizeof *b);
        hmap_put_u64(&c->by_equal, s->equal_hash, b);
    }
    s->prev = b->tail;
    s->next = NULL;
    if (b->tail)
        b->tail->next = s;
    else
        b->head = s;
    b->tail = s;
}

/* Unlinks s from its bucket, dropping the bucket once empty so that the
 * index does not keep the hashes of long-gone equal values. */
static void bucket_remove(struct inhibit_cache *c, struct inhibit_source *s)
{
    struct inhibit_bucket *b = hmap_get_u64(&c->by_equal, s->equal_hash);
    if (s->prev)
        s->prev->next = s->next;
    else
        b->head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        b->tail = s->prev;
    if (!b->head)
        free(hmap_del_u64(&c->by_equal, s->equal_hash));
}

/* Copies what lookups need: the labels and the times. */
static void source_fill(struct inhibit_source *s, const struct alert *a)
{
    alert_init(&s->alert);
    labelset_copy(&s->alert.labels, &a->labels);
    s->alert.starts_at = a->starts_at;
    s->alert.ends_at = a->ends_at;
    s->alert.updated_at = a->updated_at;
    s->alert.timeout = a->timeout;
    s->alert.fingerprint = a->fingerprint;
}

/* A re-post keeps its place in the bucket, like a Go map entry being
 * overwritten.  Its labels hash to the same fingerprint and so, barring a
 * fingerprint collision, to the same equal values. */
static void source_replace(struct inhibit_cache *c, struct inhibit_source *s,
                           const struct alert *a)
{
    alert_free(&s->alert);
    source_fill(s, a);
    uint64_t h = equal_hash(c, &s->alert.labels);
    if (h == s->equal_hash)
        return;
    bucket_remove(c, s);
    s->equal_hash = h;
    bucket_append(c, s);
}

void inhibit_cache_set(struct inhibit_cache *c, const struct alert *a)
{
    struct inhibit_source *s = hmap_get_u64(&c->by_fp, a->fingerprint);
    if (s) {
        source_replace(c, s, a);
        return;
    }
    s = xcalloc(1, sizeof *s);
    source_fill(s, a);
    s->equal_hash = equal_hash(c, &s->alert.labels);
    hmap_put_u64(&c->by_fp, a->fingerprint, s);
    bucket_append(c, s);
    c->len++;
}

const struct inhibit_source *inhibit_cache_candidates(const struct inhibit_cache *c,
                                                      const struct labelset *ls)
{
    if (!c->len)
        return NULL;
    const struct inhibit_bucket *b = hmap_get_u64(&c->by_equal, equal_hash(c, ls));
    return b ? b->head : NULL;
}

size_t inhibit_cache_gc(struct inhibit_cache *c, int64_t now)
{
    size_t dropped = 0;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&c->by_fp, &i, &e);) {
        struct inhibit_source *s = e->value;
        if (!alert_resolved(&s->alert, now))
            continue;
        hmap_del_u64(&c->by_fp, s->alert.fingerprint);
        bucket_remove(c, s);
        source_free(s);
        dropped++;
    }
    c->len -= dropped;
    return dropped;
}
