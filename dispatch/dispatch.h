/*
 * dispatch: the routing tree applied to alerts, group labels and group keys,
 * and the aggregation groups the API shows.
 *
 * Route matching, group keys and the order of alerts inside a group follow
 * Alertmanager 0.25 (see docs/architecture.md).  For now the groups for
 * GET /api/v2/alerts/groups are computed from the alert store on request; the
 * notification pipeline issue replaces that with the live aggregation groups
 * and their timers.  No I/O, no loop: the clock is a parameter.
 */
#ifndef CHORUS_DISPATCH_H
#define CHORUS_DISPATCH_H

#include "alerts/alerts.h"
#include "config/config.h"
#include "labels/labels.h"

struct strbuf;

/* The deepest matching routes for a label set, depth first, honouring
 * `continue`.  Returns the count; caller frees *out. */
size_t dispatch_routes_match(const struct config_route *root, const struct labelset *ls,
                             const struct config_route ***out);
/* The alert's labels restricted to the route's group_by (all for `...`). */
void dispatch_group_labels(const struct config_route *r, const struct labelset *alert_labels,
                           struct labelset *out);
/* "<route key>:<group labels>", e.g. {}/{team="a"}:{alertname="G1"}. */
void dispatch_group_key(const struct config_route *r, const struct labelset *group_labels,
                        struct strbuf *out);
/* The order of alerts in a notification and in a group: by job, then
 * instance (present before absent), then label-set order.  Stable. */
void dispatch_alerts_sort(const struct alert **alerts, size_t n);

struct dispatch_group {
    const struct config_route *route;
    struct labelset labels;       /* group labels */
    const struct alert **alerts;  /* sorted as dispatch_alerts_sort */
    size_t n_alerts;
};

/* Groups for the given (already filtered) alerts, sorted by group labels then
 * receiver name, as GET /api/v2/alerts/groups lists them. */
struct dispatch_group *dispatch_groups_compute(const struct config_route *root,
                                               const struct alert *const *alerts, size_t n,
                                               size_t *count);
void dispatch_groups_free(struct dispatch_group *groups, size_t count);

#endif
