/*
 * The notification side of the daemon: config generations, the
 * dispatcher's timer, the pipeline's environment and the nflog's durability.
 *
 * A generation is everything a flush reads that a reload replaces: the
 * config, its inhibitor, its templates and its dispatcher.  A reload cancels
 * the old generation's flushes (0.25's dispatcher.Stop cancels them too, so
 * a retry in backoff does not duplicate what the new dispatcher sends),
 * retires the old dispatcher and keeps the old generation until every flush
 * is back, since a canceled flush still reads it until its done runs; the new
 * dispatcher is fed every stored alert, as 0.25 rebuilds its dispatcher from
 * the alert store.
 *
 * The dispatcher is a clock-driven state machine: one uv_timer is armed for
 * its next due instant after anything that can change it.
 */
#include "config/config.h"
#include "dispatch/dispatch.h"
#include "inhibit/inhibit.h"
#include "main/daemon.h"
#include "nflog/nflog.h"
#include "template/template.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

enum { DISPATCH_MAINTENANCE_MS = 30000 };

struct generation {
    struct daemon *d;
    struct config *config;
    struct inhibitor *inhibitor;
    struct template_set *templates;
    struct dispatcher *dispatcher; /* NULL once retired and released */
    struct notify_generation view;
};

struct flush_call {
    struct generation *gen;
    struct dispatch_flush *f;
};

static void generation_free(struct generation *g)
{
    if (!g)
        return;
    inhibitor_free(g->inhibitor);
    template_set_free(g->templates);
    config_free(g->config);
    free(g);
}

static void generation_released(void *arg)
{
    generation_free(arg);
}

/* ---- the dispatcher's timer ---- */

static void on_dispatch_due(uv_timer_t *t);

static void arm(struct daemon *d)
{
    if (!d->notifier_on || d->stopping || !d->gen)
        return;
    int64_t due = dispatcher_next_due(d->gen->dispatcher);
    if (due == INT64_MAX) {
        uv_timer_stop(&d->dispatch_timer);
        return;
    }
    int64_t wait = due - time_now();
    uint64_t ms = wait > 0 ? (uint64_t)((wait + NS_PER_MS - 1) / NS_PER_MS) : 0;
    /* The loop's cached time may lag; the timer counts from it. */
    uv_update_time(d->loop);
    uv_timer_start(&d->dispatch_timer, on_dispatch_due, ms, 0);
}

static void on_dispatch_due(uv_timer_t *t)
{
    struct daemon *d = container_of(t, struct daemon, dispatch_timer);
    dispatcher_run_due(d->gen->dispatcher, time_now());
    arm(d);
}

static void on_dispatch_maintenance(uv_timer_t *t)
{
    struct daemon *d = container_of(t, struct daemon, dispatch_maintenance_timer);
    dispatcher_maintenance(d->gen->dispatcher, time_now());
}

/* ---- flushes ---- */

static void flush_done(void *arg, bool ok)
{
    struct flush_call *fc = arg;
    struct generation *g = fc->gen;
    struct daemon *d = g->d;
    bool current = d->gen == g;
    /* May free a retired generation. */
    dispatcher_flush_done(g->dispatcher, fc->f, ok);
    free(fc);
    if (current)
        arm(d);
}

static void on_flush(void *ctx, struct dispatch_flush *f)
{
    struct generation *g = ctx;
    struct daemon *d = g->d;
    if (!d->notifier_on || d->stopping) {
        dispatcher_flush_done(g->dispatcher, f, false);
        return;
    }
    struct flush_call *fc = xmalloc(sizeof *fc);
    *fc = (struct flush_call){g, f};
    notify_flush(&d->notify, &g->view, f, flush_done, fc);
}

void notifier_alert_stored(void *ctx, const struct alert *a)
{
    struct daemon *d = ctx;
    if (!d->gen || d->stopping)
        return;
    int64_t started = time_monotonic();
    dispatcher_insert(d->gen->dispatcher, a, time_now());
    d->state.alert_processing_count++;
    d->state.alert_processing_seconds += (double)(time_monotonic() - started) / 1e9;
    arm(d);
}

static void insert_stored_alerts(struct daemon *d)
{
    if (!d->state.alerts)
        return;
    size_t n = 0;
    const struct alert **all = alert_store_list(d->state.alerts, &n);
    int64_t now = time_now();
    for (size_t i = 0; i < n; i++)
        dispatcher_insert(d->gen->dispatcher, all[i], now);
    free(all);
}

/* ---- generations ---- */

int notifier_config_swap(struct daemon *d, struct config *c, char **err)
{
    struct template_set *t = notify_templates_load(c, err);
    if (!t)
        return -1;
    struct generation *g = xcalloc(1, sizeof *g);
    g->d = d;
    g->config = c;
    g->templates = t;
    g->inhibitor = inhibitor_new(c);
    if (d->state.alerts)
        inhibitor_observe_store(g->inhibitor, d->state.alerts);
    g->dispatcher = dispatcher_new(c, on_flush, g);
    g->view = (struct notify_generation){c, g->inhibitor, t};

    struct generation *old = d->gen;
    d->gen = g;
    d->state.config = c;
    d->state.inhibitor = g->inhibitor;
    d->state.dispatcher = g->dispatcher;
    if (old) {
        notify_cancel_generation(&d->notify, &old->view);
        dispatcher_retire(old->dispatcher, generation_released, old);
    }
    insert_stored_alerts(d);
    arm(d);
    return 0;
}

/* ---- the nflog's durability ---- */

static void nflog_written(void *ctx, int rc, size_t size, int64_t duration_ns)
{
    struct daemon *d = ctx;
    struct api_nflog_metrics *m = &d->state.nflog_metrics;
    if (rc != 0) {
        log_kv(LOG_ERROR, "Writing nflog snapshot failed", "component", "nflog", "file",
               d->nflog_path, "err", persist_strerror(rc), NULL);
        return;
    }
    m->snapshot_count++;
    m->snapshot_seconds += (double)duration_ns / 1e9;
    m->snapshot_size = size;
}

/* After every notification: the entry reaches the disk soon after, in a
 * write shared with whatever else was logged meanwhile, so a kill -9 does
 * not make chorus notify the same group again. */
static void on_nflog_logged(void *ctx, const char *group_key, const struct nflog_receiver *r)
{
    (void)group_key;
    (void)r;
    struct daemon *d = ctx;
    persist_write_async(&d->nflog_persist, nflog_written, d);
}

static void nflog_gc_now(struct daemon *d)
{
    int64_t started = time_monotonic();
    size_t n = nflog_gc(d->nflog, time_now());
    struct api_nflog_metrics *m = &d->state.nflog_metrics;
    m->gc_count++;
    m->gc_seconds += (double)(time_monotonic() - started) / 1e9;
    if (n > 0 && log_enabled(LOG_DEBUG)) {
        char count[24];
        snprintf(count, sizeof count, "%zu", n);
        log_kv(LOG_DEBUG, "Garbage collected nflog entries", "component", "nflog", "count",
               count, NULL);
    }
}

void notifier_maintenance(struct daemon *d)
{
    if (!d->nflog)
        return;
    log_kv(LOG_DEBUG, "Running maintenance", "component", "nflog", NULL);
    nflog_gc_now(d);
    persist_write_async(&d->nflog_persist, nflog_written, d);
}

void notifier_final(struct daemon *d)
{
    if (!d->nflog)
        return;
    nflog_gc_now(d);
    int rc = persist_write_now(&d->nflog_persist);
    if (rc != 0)
        log_kv(LOG_ERROR, "Writing nflog snapshot failed", "component", "nflog", "file",
               d->nflog_path, "err", persist_strerror(rc), NULL);
}

static int encode_nflog(void *ctx, uint8_t **buf, size_t *len)
{
    nflog_encode(ctx, buf, len);
    return 0;
}

int notifier_nflog_open(struct daemon *d)
{
    d->nflog = nflog_new(d->flags.data_retention);
    if (persist_init(&d->nflog_persist, d->loop, encode_nflog, d->nflog, d->nflog_path) != 0)
        return -1;
    d->nflog_persist_on = true;
    return storage_load_nflog(d);
}

/* ---- start and stop ---- */

int notifier_start(struct daemon *d)
{
    struct notify_env *env = &d->notify;
    env->loop = d->loop;
    env->outbound = outbound_new(d->loop);
    if (!env->outbound)
        return -1;
    env->nflog = d->nflog;
    env->silences = d->state.silences;
    env->alerts = d->state.alerts;
    env->external_url = d->external_url;
    env->retention = d->flags.data_retention;
    env->nflog_logged = on_nflog_logged;
    env->ctx = d;
    d->state.notify_metrics = &env->metrics;
    d->state.alert_stored = notifier_alert_stored;
    d->state.alert_stored_ctx = d;
    if (uv_timer_init(d->loop, &d->dispatch_timer) != 0 ||
        uv_timer_init(d->loop, &d->dispatch_maintenance_timer) != 0)
        return -1;
    d->notifier_on = true;
    uv_timer_start(&d->dispatch_maintenance_timer, on_dispatch_maintenance,
                   DISPATCH_MAINTENANCE_MS, DISPATCH_MAINTENANCE_MS);
    insert_stored_alerts(d);
    arm(d);
    return 0;
}

static void dispatcher_released(void *arg)
{
    struct generation *g = arg;
    g->dispatcher = NULL;
}

/* Flushes in flight end canceled (their done callbacks hand them back); the
 * current generation itself stays until notifier_free. */
void notifier_stop(struct daemon *d)
{
    notify_cancel_all(&d->notify);
    if (d->notifier_on) {
        uv_close((uv_handle_t *)&d->dispatch_timer, NULL);
        uv_close((uv_handle_t *)&d->dispatch_maintenance_timer, NULL);
    }
    d->state.dispatcher = NULL;
    if (d->gen && d->gen->dispatcher)
        dispatcher_retire(d->gen->dispatcher, dispatcher_released, d->gen);
    if (d->notify.outbound) {
        outbound_close(d->notify.outbound, NULL, NULL);
        d->notify.outbound = NULL;
    }
}

/* After the loop ran dry. */
void notifier_free(struct daemon *d)
{
    if (d->gen && d->gen->dispatcher) {
        /* Start-up failed before notifier_stop could retire it. */
        dispatcher_retire(d->gen->dispatcher, dispatcher_released, d->gen);
    }
    generation_free(d->gen);
    d->gen = NULL;
    d->state.config = NULL;
    d->state.inhibitor = NULL;
    if (d->nflog_persist_on)
        persist_destroy(&d->nflog_persist);
    nflog_free(d->nflog);
    d->nflog = NULL;
}
