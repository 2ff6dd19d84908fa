/*
 * dedup.c: the dedup stage's decision whether a group must be notified
 * again, 0.25's needsUpdate as a pure function of the log entry, the alert
 * sets and the clock.
 */
#include "nflog/nflog_internal.h"

#include <stdlib.h>

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every hash of sub is in super.  Sorting a copy of super keeps this
 * O(n log n) however many alerts a group (or a hostile peer) holds. */
static bool hashes_subset(const struct nflog_hashes *sub, const struct nflog_hashes *super)
{
    if (sub->len == 0)
        return true;
    if (super->len == 0)
        return false;
    uint64_t *sorted = xmalloc(super->len * sizeof *sorted);
    memcpy(sorted, super->items, super->len * sizeof *sorted);
    qsort(sorted, super->len, sizeof *sorted, u64_cmp);
    bool all = true;
    for (size_t i = 0; all && i < sub->len; i++)
        all = bsearch(&sub->items[i], sorted, super->len, sizeof *sorted, u64_cmp) != NULL;
    free(sorted);
    return all;
}

bool nflog_needs_update(const struct nflog_entry *e, const struct nflog_hashes *firing,
                        const struct nflog_hashes *resolved, bool send_resolved,
                        int64_t repeat_interval, int64_t now)
{
    if (!e)
        return firing->len > 0;
    if (!hashes_subset(firing, &e->firing))
        return true;
    if (firing->len == 0)
        return e->firing.len > 0;
    if (send_resolved && !hashes_subset(resolved, &e->resolved))
        return true;
    /* now - repeat_interval, saturating rather than wrapping. */
    int64_t since;
    if (repeat_interval > 0 && now < INT64_MIN + repeat_interval)
        since = INT64_MIN;
    else if (repeat_interval < 0 && now > INT64_MAX + repeat_interval)
        since = INT64_MAX;
    else
        since = now - repeat_interval;
    return e->timestamp < since;
}
