/*
 * The live aggregation groups of 0.25's dispatcher, driven by the caller's
 * clock.  Where 0.25 runs one goroutine and one timer per group, a group
 * here is a due time in a min-heap: the caller arms a single loop timer for
 * the heap's top, so ten thousand groups cost one timer and O(log n) per
 * reschedule.  A group being flushed leaves the heap; that is what stops a
 * second flush while the first is outstanding, as 0.25's synchronous flush
 * does by not reading its timer.
 */
#include "dispatch/dispatch.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>

#define NOT_IN_HEAP SIZE_MAX
#define MIN_FLUSH_TIMEOUT (10 * NS_PER_SEC)

struct group {
    const struct config_route *route;
    struct labelset labels;
    char *key;            /* dispatch_group_key() */
    struct hmap alerts;   /* fingerprint -> struct alert * (owned copies) */
    int64_t due;
    uint64_t seq;         /* creation order: ties of due run oldest first */
    size_t heap_pos;      /* NOT_IN_HEAP while flushing or retired */
    bool has_flushed;
    bool flushing;
};

/* The identity 0.25 keys groups by: route and group-label fingerprint. */
struct group_id {
    uintptr_t route;
    uint64_t fp;
};

struct flush_record {
    struct dispatch_flush pub;
    struct group *group;
};

struct dispatcher {
    const struct config *config;
    dispatch_flush_fn *flush;
    void *ctx;
    struct hmap groups; /* struct group_id -> struct group * */
    struct group **heap;
    size_t heap_len, heap_cap;
    uint64_t next_seq;
    size_t outstanding;
    bool running;  /* inside dispatcher_run_due: retire must not free yet */
    bool retired;
    void (*released)(void *arg);
    void *released_arg;
};

/* ---- the due-time heap ---- */

static bool group_before(const struct group *a, const struct group *b)
{
    if (a->due != b->due)
        return a->due < b->due;
    return a->seq < b->seq;
}

static void heap_place(struct dispatcher *d, size_t pos, struct group *g)
{
    d->heap[pos] = g;
    g->heap_pos = pos;
}

static void heap_sift_up(struct dispatcher *d, size_t pos)
{
    struct group *g = d->heap[pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (!group_before(g, d->heap[parent]))
            break;
        heap_place(d, pos, d->heap[parent]);
        pos = parent;
    }
    heap_place(d, pos, g);
}

static void heap_sift_down(struct dispatcher *d, size_t pos)
{
    struct group *g = d->heap[pos];
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= d->heap_len)
            break;
        if (child + 1 < d->heap_len && group_before(d->heap[child + 1], d->heap[child]))
            child++;
        if (!group_before(d->heap[child], g))
            break;
        heap_place(d, pos, d->heap[child]);
        pos = child;
    }
    heap_place(d, pos, g);
}

static void heap_push(struct dispatcher *d, struct group *g)
{
    if (d->heap_len == d->heap_cap) {
        d->heap_cap = d->heap_cap ? d->heap_cap * 2 : 16;
        d->heap = xrealloc(d->heap, d->heap_cap * sizeof *d->heap);
    }
    heap_place(d, d->heap_len++, g);
    heap_sift_up(d, g->heap_pos);
}

static void heap_remove(struct dispatcher *d, struct group *g)
{
    size_t pos = g->heap_pos;
    g->heap_pos = NOT_IN_HEAP;
    struct group *last = d->heap[--d->heap_len];
    if (last == g)
        return;
    heap_place(d, pos, last);
    heap_sift_up(d, pos);
    heap_sift_down(d, last->heap_pos);
}

/* Moves a group that is in the heap to a new due time. */
static void group_reschedule(struct dispatcher *d, struct group *g, int64_t due)
{
    g->due = due;
    heap_sift_up(d, g->heap_pos);
    heap_sift_down(d, g->heap_pos);
}

/* ---- groups ---- */

static struct group_id group_id_of(const struct config_route *r, const struct labelset *labels)
{
    struct group_id id;
    memset(&id, 0, sizeof id); /* padding is part of the hashed key */
    id.route = (uintptr_t)r;
    id.fp = labelset_fingerprint(labels);
    return id;
}

static void group_free(struct group *g)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&g->alerts, &i, &e);) {
        alert_free(e->value);
        free(e->value);
    }
    hmap_free(&g->alerts);
    labelset_free(&g->labels);
    free(g->key);
    free(g);
}

static struct group *group_new(struct dispatcher *d, const struct config_route *r,
                               struct labelset *labels, int64_t now)
{
    struct group *g = xcalloc(1, sizeof *g);
    g->route = r;
    g->labels = *labels;
    *labels = (struct labelset)LABELSET_INIT;
    struct strbuf key = STRBUF_INIT;
    dispatch_group_key(r, &g->labels, &key);
    g->key = strbuf_detach(&key);
    g->alerts = (struct hmap)HMAP_INIT;
    g->due = now + r->group_wait;
    g->seq = d->next_seq++;
    heap_push(d, g);
    return g;
}

static struct group *group_find_or_add(struct dispatcher *d, const struct config_route *r,
                                       const struct labelset *alert_labels, int64_t now)
{
    struct labelset labels;
    dispatch_group_labels(r, alert_labels, &labels);
    struct group_id id = group_id_of(r, &labels);
    struct group *g = hmap_get(&d->groups, &id, sizeof id);
    if (!g) {
        g = group_new(d, r, &labels, now);
        hmap_put(&d->groups, &id, sizeof id, g);
    }
    labelset_free(&labels);
    return g;
}

static void group_set_alert(struct group *g, const struct alert *a)
{
    struct alert *copy = xmalloc(sizeof *copy);
    alert_copy(copy, a);
    struct alert *old = hmap_put_u64(&g->alerts, a->fingerprint, copy);
    if (old) {
        alert_free(old);
        free(old);
    }
}

static void group_insert(struct dispatcher *d, struct group *g, const struct alert *a,
                         int64_t now)
{
    group_set_alert(g, a);
    /* An alert older than group_wait has waited enough: 0.25 resets the
     * timer to zero, but only before the group's first flush. */
    if (!g->has_flushed && g->heap_pos != NOT_IN_HEAP &&
        a->starts_at + g->route->group_wait < now && g->due > now)
        group_reschedule(d, g, now);
}

/* The group's alerts as a flush carries them: copies, in notification
 * order, ends_at zeroed on those still firing at the tick. */
static struct alert *group_snapshot(const struct group *g, int64_t now, size_t *n)
{
    size_t count = g->alerts.len;
    const struct alert **order = xmalloc((count + 1) * sizeof *order);
    struct hmap_entry *e;
    size_t k = 0;
    for (size_t i = 0; hmap_next(&g->alerts, &i, &e);)
        order[k++] = e->value;
    dispatch_alerts_sort(order, count);
    struct alert *out = xmalloc((count + 1) * sizeof *out);
    for (size_t i = 0; i < count; i++) {
        alert_copy(&out[i], order[i]);
        if (!alert_resolved(&out[i], now))
            out[i].ends_at = TIME_ZERO;
    }
    free(order);
    *n = count;
    return out;
}

/* tick: when the group fell due, which is the time 0.25's timer hands its
 * flush; now: when the flush really starts, which its deadline and the
 * resolved test go by. */
static void group_flush(struct dispatcher *d, struct group *g, int64_t tick, int64_t now)
{
    struct flush_record *rec = xcalloc(1, sizeof *rec);
    rec->group = g;
    int64_t timeout = g->route->group_interval;
    if (timeout < MIN_FLUSH_TIMEOUT)
        timeout = MIN_FLUSH_TIMEOUT;
    rec->pub = (struct dispatch_flush){
        .route = g->route,
        .group_key = g->key,
        .group_labels = &g->labels,
        .now = tick,
        .deadline = now + timeout,
    };
    rec->pub.alerts = group_snapshot(g, now, &rec->pub.n_alerts);
    g->flushing = true;
    d->outstanding++;
    d->flush(d->ctx, &rec->pub);
}

/* One tick of a due group: the next tick is set before the flush, as 0.25
 * resets its timer to group_interval first; an empty group only ticks. */
static void group_tick(struct dispatcher *d, struct group *g, int64_t now)
{
    g->has_flushed = true;
    if (g->alerts.len == 0) {
        group_reschedule(d, g, now + g->route->group_interval);
        return;
    }
    int64_t tick = g->due;
    g->due = now + g->route->group_interval;
    heap_remove(d, g);
    group_flush(d, g, tick, now);
}

/* 0.25's DeleteIfNotModified: drop what the flush carried as resolved (its
 * ends_at kept) unless a re-post replaced it meanwhile. */
static void group_remove_sent_resolved(struct group *g, const struct dispatch_flush *f)
{
    for (size_t i = 0; i < f->n_alerts; i++) {
        const struct alert *sent = &f->alerts[i];
        if (sent->ends_at == TIME_ZERO)
            continue;
        struct alert *held = hmap_get_u64(&g->alerts, sent->fingerprint);
        if (held && held->updated_at == sent->updated_at) {
            hmap_del_u64(&g->alerts, sent->fingerprint);
            alert_free(held);
            free(held);
        }
    }
}

static void flush_free(struct flush_record *rec)
{
    for (size_t i = 0; i < rec->pub.n_alerts; i++)
        alert_free(&rec->pub.alerts[i]);
    free(rec->pub.alerts);
    free(rec);
}

/* ---- the dispatcher ---- */

struct dispatcher *dispatcher_new(const struct config *c, dispatch_flush_fn *flush, void *ctx)
{
    struct dispatcher *d = xcalloc(1, sizeof *d);
    d->config = c;
    d->flush = flush;
    d->ctx = ctx;
    d->groups = (struct hmap)HMAP_INIT;
    return d;
}

void dispatcher_insert(struct dispatcher *d, const struct alert *a, int64_t now)
{
    if (d->retired)
        return;
    const struct config_route **routes;
    size_t n = dispatch_routes_match(config_route_root(d->config), &a->labels, &routes);
    for (size_t i = 0; i < n; i++)
        group_insert(d, group_find_or_add(d, routes[i], &a->labels, now), a, now);
    free(routes);
}

int64_t dispatcher_next_due(const struct dispatcher *d)
{
    return d->heap_len ? d->heap[0]->due : INT64_MAX;
}

static void dispatcher_free(struct dispatcher *d)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&d->groups, &i, &e);)
        group_free(e->value);
    hmap_free(&d->groups);
    free(d->heap);
    void (*released)(void *) = d->released;
    void *arg = d->released_arg;
    free(d);
    if (released)
        released(arg);
}

static void dispatcher_free_if_done(struct dispatcher *d)
{
    if (d->retired && !d->running && d->outstanding == 0)
        dispatcher_free(d);
}

void dispatcher_run_due(struct dispatcher *d, int64_t now)
{
    d->running = true;
    /* A flush handed back at once puts its group back at now +
     * group_interval, after now, so this ends. */
    while (!d->retired && d->heap_len && d->heap[0]->due <= now)
        group_tick(d, d->heap[0], now);
    d->running = false;
    dispatcher_free_if_done(d);
}

void dispatcher_flush_done(struct dispatcher *d, struct dispatch_flush *f, bool ok)
{
    struct flush_record *rec = container_of(f, struct flush_record, pub);
    struct group *g = rec->group;
    d->outstanding--;
    if (!d->retired) {
        if (ok)
            group_remove_sent_resolved(g, f);
        g->flushing = false;
        /* Its due time was set at the tick; a flush slower than
         * group_interval leaves it in the past, so it is due at once. */
        heap_push(d, g);
    }
    flush_free(rec);
    dispatcher_free_if_done(d);
}

size_t dispatcher_maintenance(struct dispatcher *d, int64_t now)
{
    (void)now;
    size_t removed = 0;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&d->groups, &i, &e);) {
        struct group *g = e->value;
        if (g->alerts.len || g->flushing)
            continue;
        if (g->heap_pos != NOT_IN_HEAP)
            heap_remove(d, g);
        hmap_del(&d->groups, e->key, e->keylen);
        group_free(g);
        removed++;
    }
    return removed;
}

size_t dispatcher_group_count(const struct dispatcher *d)
{
    return d->groups.len;
}

size_t dispatcher_flushes_outstanding(const struct dispatcher *d)
{
    return d->outstanding;
}

void dispatcher_retire(struct dispatcher *d, void (*released)(void *arg), void *arg)
{
    d->retired = true;
    d->released = released;
    d->released_arg = arg;
    for (size_t i = 0; i < d->heap_len; i++)
        d->heap[i]->heap_pos = NOT_IN_HEAP;
    d->heap_len = 0;
    dispatcher_free_if_done(d);
}
