/*
 * query.c: GET /silences: the filter (textual matcher equality, not label
 * matching) and the API's order.
 *
 * Alertmanager sorts with sort.Slice over a map's iteration order, so ties
 * (same state and same sort time) come out in no particular order; chorus
 * breaks them by id so the answer is stable.
 */
#include "silences/silences_internal.h"

#include <stdlib.h>

static bool silence_has_matcher(const struct silence *sil, const struct matcher *f)
{
    for (size_t i = 0; i < sil->matchers.len; i++) {
        const struct matcher *m = &sil->matchers.items[i];
        if (m->type == f->type && strcmp(m->name, f->name) == 0 &&
            strcmp(m->value, f->value) == 0)
            return true;
    }
    return false;
}

static bool silence_passes(const struct silence *sil, const struct matchers *filter)
{
    if (!filter)
        return true;
    for (size_t i = 0; i < filter->len; i++)
        if (!silence_has_matcher(sil, &filter->items[i]))
            return false;
    return true;
}

struct query_item {
    const struct silence *sil;
    enum silence_state state;
};

/* Active first, then pending, then expired. */
static int state_rank(enum silence_state st)
{
    switch (st) {
    case SILENCE_ACTIVE:
        return 0;
    case SILENCE_PENDING:
        return 1;
    case SILENCE_EXPIRED:
        break;
    }
    return 2;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int query_item_cmp(const void *pa, const void *pb)
{
    const struct query_item *a = pa, *b = pb;
    int c = state_rank(a->state) - state_rank(b->state);
    if (c != 0)
        return c;
    switch (a->state) {
    case SILENCE_ACTIVE:
        c = cmp_i64(a->sil->ends_at, b->sil->ends_at);
        break;
    case SILENCE_PENDING:
        c = cmp_i64(a->sil->starts_at, b->sil->starts_at);
        break;
    case SILENCE_EXPIRED:
        c = cmp_i64(b->sil->ends_at, a->sil->ends_at);
        break;
    }
    return c != 0 ? c : strcmp(a->sil->id, b->sil->id);
}

const struct silence **silences_query(const struct silences *s, const struct matchers *filter,
                                      int64_t now, size_t *count)
{
    struct query_item *items = xmalloc((s->len ? s->len : 1) * sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++) {
        const struct silence *sil = &s->entries[i]->sil;
        if (silence_passes(sil, filter))
            items[n++] = (struct query_item){sil, silence_state_at(sil, now)};
    }
    qsort(items, n, sizeof *items, query_item_cmp);
    const struct silence **out = xmalloc((n ? n : 1) * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = items[i].sil;
    free(items);
    *count = n;
    return out;
}
