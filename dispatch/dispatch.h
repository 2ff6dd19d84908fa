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

/* ---- the live aggregation groups and their timers ----
 *
 * Alertmanager 0.25's dispatcher as a pure state machine: the caller owns the
 * clock and the timer.  After any call that may change what is due, it reads
 * dispatcher_next_due() and arms one timer for that instant; when the timer
 * fires it calls dispatcher_run_due(now).  Unit tests drive the same calls
 * with a fake clock, so group_wait / group_interval / repeat semantics are
 * tested without sleeping.
 *
 * Semantics (0.25, see docs/architecture.md and the shared references):
 *  - every stored alert (each re-post too, merged as the store keeps it) is
 *    inserted into one group per matching route, identified by (route, group
 *    labels); a new group is due at now + group_wait;
 *  - on insert into a group that never flushed, an alert whose
 *    starts_at + group_wait is before now makes the group due at once;
 *  - a due group is flushed: its next due time is set to now +
 *    group_interval *before* the flush runs, and the flush callback gets a
 *    copy of the group's alerts, sorted (dispatch_alerts_sort), with ends_at
 *    set to TIME_ZERO on every alert not resolved when the flush starts;
 *  - while a flush is outstanding the group is not flushed again, whatever
 *    the clock says; it becomes due again (maybe at once) on
 *    dispatcher_flush_done, like 0.25's synchronous flush delaying its next
 *    tick;
 *  - a successful flush removes from the group every alert that was resolved
 *    in the flushed copy and whose updated_at has not changed since;
 *  - dispatcher_maintenance (every 30 s) deletes groups that are empty and
 *    not flushing.
 * Alerts held by groups are copies: the alert store may GC or replace its
 * own without touching them. */

struct dispatch_flush {
    const struct config_route *route; /* receiver, repeat_interval, time intervals */
    const char *group_key;            /* dispatch_group_key() */
    const struct labelset *group_labels;
    struct alert *alerts; /* owned by the flush; sorted; ends_at zeroed while firing */
    size_t n_alerts;
    int64_t now;          /* the tick time the pipeline evaluates against: when
                             the group fell due, as 0.25's timer reports it */
    int64_t deadline;     /* flush start + max(group_interval, 10s); the pipeline
                             adds its wait */
};

/* Called from dispatcher_run_due for each due non-empty group.  The callee
 * owns the flush until it hands it back with dispatcher_flush_done (at once
 * or later, from the loop). */
typedef void dispatch_flush_fn(void *ctx, struct dispatch_flush *f);

struct dispatcher;

/* The config must outlive the dispatcher and every flush it handed out. */
struct dispatcher *dispatcher_new(const struct config *c, dispatch_flush_fn *flush, void *ctx);
/* Inserts a stored alert (copied) into the group of every route it matches. */
void dispatcher_insert(struct dispatcher *d, const struct alert *a, int64_t now);
/* The earliest due time over groups not flushing; INT64_MAX when none. */
int64_t dispatcher_next_due(const struct dispatcher *d);
/* Flushes every group due at now (due <= now), in due-time order. */
void dispatcher_run_due(struct dispatcher *d, int64_t now);
/* Hands a flush back: ok when every integration succeeded.  Frees f. */
void dispatcher_flush_done(struct dispatcher *d, struct dispatch_flush *f, bool ok);
/* Deletes empty idle groups; returns how many. */
size_t dispatcher_maintenance(struct dispatcher *d, int64_t now);
/* For alertmanager_dispatcher_aggregation_groups. */
size_t dispatcher_group_count(const struct dispatcher *d);
/* Flushes handed out and not yet returned. */
size_t dispatcher_flushes_outstanding(const struct dispatcher *d);
/* Ends a dispatcher, as a config reload does: no group flushes again.  The
 * dispatcher is freed once every outstanding flush was handed back (at once
 * when none is); released(arg), when not NULL, runs then, so the caller can
 * free the config.  Flushes handed back after this only get freed. */
void dispatcher_retire(struct dispatcher *d, void (*released)(void *arg), void *arg);

#endif
