/*
 * index.c: the matcher index that lets silences_mutes skip silences which
 * cannot match a label set.
 *
 * A silence with an equality matcher name="v" (v non-empty) can only match a
 * label set that contains exactly name="v", so each such silence is filed
 * under one of those pairs, the one whose bucket is smallest when it is
 * filed.  Looking up every pair of a label set then finds every candidate,
 * each once (a label set has one value per name and a silence sits in one
 * bucket).  Silences without such a matcher (only regexes, negations or
 * name="") go to a scan list checked for every query.  State is not indexed:
 * expired and pending silences stay filed until GC, and the caller checks the
 * state of each candidate.
 */
#include "silences/silences_internal.h"

#include <stdlib.h>

static void bucket_push(struct sil_bucket *b, struct sil_entry *e)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        b->items = xrealloc(b->items, b->cap * sizeof *b->items);
    }
    e->bucket = b;
    e->slot = b->len;
    b->items[b->len++] = e;
}

/* Swap-remove, keeping the moved entry's slot right. */
static void bucket_pop(struct sil_bucket *b, struct sil_entry *e)
{
    struct sil_entry *last = b->items[--b->len];
    b->items[e->slot] = last;
    last->slot = e->slot;
    e->bucket = NULL;
}

static char *pair_key(const char *name, const char *value, size_t *len)
{
    size_t n = strlen(name), v = strlen(value);
    char *k = xmalloc(n + v + 2);
    memcpy(k, name, n + 1);
    memcpy(k + n + 1, value, v + 1);
    *len = n + 1 + v;
    return k;
}

static bool matcher_indexable(const struct matcher *m)
{
    return m->type == MATCH_EQUAL && m->value[0] != '\0';
}

static size_t bucket_size(const struct silences *s, const struct matcher *m)
{
    size_t len;
    char *k = pair_key(m->name, m->value, &len);
    const struct sil_bucket *b = hmap_get(&s->index, k, len);
    free(k);
    return b ? b->len : 0;
}

static const struct matcher *choose_matcher(const struct silences *s, const struct silence *sil)
{
    const struct matcher *best = NULL;
    size_t best_size = 0;
    for (size_t i = 0; i < sil->matchers.len; i++) {
        const struct matcher *m = &sil->matchers.items[i];
        if (!matcher_indexable(m))
            continue;
        size_t n = bucket_size(s, m);
        if (!best || n < best_size) {
            best = m;
            best_size = n;
        }
    }
    return best;
}

static struct sil_bucket *bucket_get_or_add(struct silences *s, const struct matcher *m)
{
    size_t len;
    char *k = pair_key(m->name, m->value, &len);
    struct sil_bucket *b = hmap_get(&s->index, k, len);
    if (b) {
        free(k);
        return b;
    }
    b = xcalloc(1, sizeof *b);
    b->key = k;
    b->key_len = len;
    hmap_put(&s->index, k, len, b);
    return b;
}

void sil_index_add(struct silences *s, struct sil_entry *e)
{
    const struct matcher *m = choose_matcher(s, &e->sil);
    bucket_push(m ? bucket_get_or_add(s, m) : &s->scan, e);
}

static void bucket_free(struct sil_bucket *b)
{
    free(b->items);
    free(b->key);
    free(b);
}

void sil_index_remove(struct silences *s, struct sil_entry *e)
{
    struct sil_bucket *b = e->bucket;
    if (!b)
        return;
    bucket_pop(b, e);
    if (b->len == 0 && b != &s->scan) {
        hmap_del(&s->index, b->key, b->key_len);
        bucket_free(b);
    }
}

void sil_index_free(struct silences *s)
{
    struct hmap_entry *he;
    for (size_t i = 0; hmap_next(&s->index, &i, &he);)
        bucket_free(he->value);
    hmap_free(&s->index);
    free(s->scan.items);
    s->scan = (struct sil_bucket){0};
}

/* ---- lookup ---- */

struct mute_hits {
    const char **ids;
    size_t len;
    size_t cap;
    size_t examined;
};

static void hits_consider(struct mute_hits *h, const struct sil_entry *e,
                          const struct labelset *ls, int64_t now)
{
    h->examined++;
    if (silence_state_at(&e->sil, now) != SILENCE_ACTIVE)
        return;
    /* A silence with a matcher that never compiled cannot be evaluated;
     * Alertmanager's query fails on it, so it mutes nothing. */
    if (!sil_matchers_compiled(&e->sil) || !matchers_match(&e->sil.matchers, ls))
        return;
    if (h->len == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 4;
        h->ids = xrealloc(h->ids, h->cap * sizeof *h->ids);
    }
    h->ids[h->len++] = e->sil.id;
}

static void hits_scan_bucket(struct mute_hits *h, const struct sil_bucket *b,
                             const struct labelset *ls, int64_t now)
{
    for (size_t i = 0; i < b->len; i++)
        hits_consider(h, b->items[i], ls, now);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **silences_mutes_counted(const struct silences *s, const struct labelset *ls,
                                    int64_t now, size_t *count, size_t *examined)
{
    struct mute_hits h = {0};
    for (size_t i = 0; i < ls->len; i++) {
        const struct label *l = &ls->items[i];
        if (l->value[0] == '\0')
            continue;
        size_t len;
        char *k = pair_key(l->name, l->value, &len);
        const struct sil_bucket *b = hmap_get(&s->index, k, len);
        free(k);
        if (b)
            hits_scan_bucket(&h, b, ls, now);
    }
    hits_scan_bucket(&h, &s->scan, ls, now);
    if (h.len > 1)
        qsort(h.ids, h.len, sizeof *h.ids, id_cmp);
    *count = h.len;
    if (examined)
        *examined = h.examined;
    return h.ids;
}

const char **silences_mutes(const struct silences *s, const struct labelset *ls, int64_t now,
                            size_t *count)
{
    return silences_mutes_counted(s, ls, now, count, NULL);
}
