/*
 * Aggregation groups computed from a list of alerts, the way GET
 * /api/v2/alerts/groups shows 0.25's dispatcher groups: one group per
 * (route, fingerprint of the group labels), sorted by group labels then
 * receiver, alerts inside in notification order.  No timers here: the live
 * groups of the notification pipeline are another matter.
 */
#include "dispatch/dispatch.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>

struct group_build {
    struct dispatch_group *items;
    size_t *alert_cap; /* capacity of items[i].alerts */
    size_t len, cap;
    struct hmap index; /* (route, group fingerprint) -> position + 1 */
};

struct group_id {
    uintptr_t route;
    uint64_t fp;
};

static size_t group_build_add(struct group_build *b, const struct config_route *r,
                              struct labelset *labels)
{
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->items = xrealloc(b->items, b->cap * sizeof *b->items);
        b->alert_cap = xrealloc(b->alert_cap, b->cap * sizeof *b->alert_cap);
    }
    b->items[b->len] = (struct dispatch_group){.route = r, .labels = *labels};
    *labels = (struct labelset)LABELSET_INIT;
    b->alert_cap[b->len] = 0;
    return b->len++;
}

static void group_push_alert(struct group_build *b, size_t gi, const struct alert *a)
{
    struct dispatch_group *g = &b->items[gi];
    if (g->n_alerts == b->alert_cap[gi]) {
        b->alert_cap[gi] = b->alert_cap[gi] ? b->alert_cap[gi] * 2 : 4;
        g->alerts = xrealloc(g->alerts, b->alert_cap[gi] * sizeof *g->alerts);
    }
    g->alerts[g->n_alerts++] = a;
}

static void group_build_insert(struct group_build *b, const struct config_route *r,
                               const struct alert *a)
{
    struct labelset labels;
    dispatch_group_labels(r, &a->labels, &labels);
    struct group_id id;
    memset(&id, 0, sizeof id); /* padding is part of the hashed key */
    id.route = (uintptr_t)r;
    id.fp = labelset_fingerprint(&labels);
    uintptr_t pos = (uintptr_t)hmap_get(&b->index, &id, sizeof id);
    if (!pos) {
        pos = group_build_add(b, r, &labels) + 1;
        hmap_put(&b->index, &id, sizeof id, (void *)pos);
    }
    labelset_free(&labels);
    group_push_alert(b, pos - 1, a);
}

static const char *route_receiver(const struct config_route *r)
{
    return r->receiver ? r->receiver : "";
}

/* 0.25 sorts groups with sort.Sort on (labels, receiver), leaving equal
 * pairs in no particular order; ours keep first-seen order instead, which
 * is the order of the pointers into the build array being sorted. */
static int group_order(const void *pa, const void *pb)
{
    const struct dispatch_group *a = *(const struct dispatch_group *const *)pa;
    const struct dispatch_group *b = *(const struct dispatch_group *const *)pb;
    int c = labelset_compare(&a->labels, &b->labels);
    if (c)
        return c;
    c = strcmp(route_receiver(a->route), route_receiver(b->route));
    if (c)
        return c;
    return (a > b) - (a < b);
}

static struct dispatch_group *groups_sorted(struct dispatch_group *items, size_t n)
{
    struct dispatch_group **order = xmalloc((n + 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = &items[i];
    qsort(order, n, sizeof *order, group_order);
    struct dispatch_group *out = xmalloc((n + 1) * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = *order[i];
    free(order);
    free(items);
    return out;
}

struct dispatch_group *dispatch_groups_compute(const struct config_route *root,
                                               const struct alert *const *alerts, size_t n,
                                               size_t *count)
{
    struct group_build b = {NULL, NULL, 0, 0, HMAP_INIT};
    for (size_t i = 0; i < n; i++) {
        const struct config_route **routes;
        size_t nr = dispatch_routes_match(root, &alerts[i]->labels, &routes);
        for (size_t j = 0; j < nr; j++)
            group_build_insert(&b, routes[j], alerts[i]);
        free(routes);
    }
    hmap_free(&b.index);
    free(b.alert_cap);
    struct dispatch_group *groups = groups_sorted(b.items, b.len);
    for (size_t i = 0; i < b.len; i++)
        dispatch_alerts_sort(groups[i].alerts, groups[i].n_alerts);
    *count = b.len;
    return groups;
}

void dispatch_groups_free(struct dispatch_group *groups, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        labelset_free(&groups[i].labels);
        free(groups[i].alerts);
    }
    free(groups);
}
