/*
 * The routing tree applied to one label set (Alertmanager 0.25's
 * Route.Match), the group labels a route takes from an alert, and the group
 * key that names an aggregation group in notifications and the nflog.
 */
#include "dispatch/dispatch.h"
#include "util/util.h"

#include <stdlib.h>

struct route_list {
    const struct config_route **items;
    size_t len, cap;
};

static void route_list_push(struct route_list *l, const struct config_route *r)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->len++] = r;
}

/* Appends the deepest matches under r; returns whether r matched at all.
 * A matching child ends the walk over its siblings unless it has
 * `continue`; a node none of whose children matched is itself the match. */
static bool route_match(const struct config_route *r, const struct labelset *ls,
                        struct route_list *out)
{
    if (!matchers_match(&r->matchers, ls))
        return false;
    size_t before = out->len;
    for (size_t i = 0; i < r->n_routes; i++) {
        const struct config_route *child = &r->routes[i];
        if (route_match(child, ls, out) && !child->continue_matching)
            break;
    }
    if (out->len == before)
        route_list_push(out, r);
    return true;
}

size_t dispatch_routes_match(const struct config_route *root, const struct labelset *ls,
                             const struct config_route ***out)
{
    struct route_list l = {NULL, 0, 0};
    route_match(root, ls, &l);
    *out = l.items;
    return l.len;
}

static bool route_groups_by(const struct config_route *r, const char *name)
{
    for (size_t i = 0; i < r->n_group_by; i++)
        if (strcmp(r->group_by[i], name) == 0)
            return true;
    return false;
}

void dispatch_group_labels(const struct config_route *r, const struct labelset *alert_labels,
                           struct labelset *out)
{
    *out = (struct labelset)LABELSET_INIT;
    if (r->group_by_all) {
        labelset_copy(out, alert_labels);
        return;
    }
    for (size_t i = 0; i < alert_labels->len; i++) {
        const struct label *l = &alert_labels->items[i];
        if (route_groups_by(r, l->name))
            labelset_set(out, l->name, l->value);
    }
}

void dispatch_group_key(const struct config_route *r, const struct labelset *group_labels,
                        struct strbuf *out)
{
    strbuf_puts(out, r->key ? r->key : "{}");
    strbuf_putc(out, ':');
    labelset_format(group_labels, out);
}
