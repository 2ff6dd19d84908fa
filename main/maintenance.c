/*
 * Periodic housekeeping on the loop: every --data.maintenance-interval the
 * silences and the nflog are garbage-collected and snapshotted (the write runs on the
 * threadpool), every --alerts.gc-interval resolved alerts are dropped.  At
 * shutdown one last maintenance runs synchronously, as Alertmanager's does
 * when its stop channel closes.
 */
#include "alerts/alerts.h"
#include "inhibit/inhibit.h"
#include "main/daemon.h"
#include "silences/silences.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

static void log_write_failure(const struct daemon *d, int rc)
{
    log_kv(LOG_ERROR, "Writing silence snapshot failed", "component", "silences", "file",
           d->snapshot_path, "err", persist_strerror(rc), NULL);
}

static void maintenance_done(void *ctx, int rc, size_t size, int64_t duration_ns)
{
    struct daemon *d = ctx;
    if (rc != 0) {
        log_kv(LOG_INFO, "Running maintenance failed", "component", "silences", "err",
               persist_strerror(rc), NULL);
        return;
    }
    char dur[32], sz[32];
    snprintf(dur, sizeof dur, "%.6fms", (double)duration_ns / 1e6);
    snprintf(sz, sizeof sz, "%zu", size);
    log_kv(LOG_DEBUG, "Maintenance done", "component", "silences", "duration", dur, "size", sz,
           NULL);
    (void)d;
}

static void silences_gc_now(struct daemon *d)
{
    size_t n = silences_gc(d->state.silences, time_now());
    if (n > 0 && log_enabled(LOG_DEBUG)) {
        char count[24];
        snprintf(count, sizeof count, "%zu", n);
        log_kv(LOG_DEBUG, "Garbage collected silences", "component", "silences", "count", count,
               NULL);
    }
}

static void on_maintenance(uv_timer_t *t)
{
    struct daemon *d = container_of(t, struct daemon, maintenance_timer);
    log_kv(LOG_DEBUG, "Running maintenance", "component", "silences", NULL);
    silences_gc_now(d);
    persist_write_async(&d->persist, maintenance_done, d);
    notifier_maintenance(d);
}

static void on_alerts_gc(uv_timer_t *t)
{
    struct daemon *d = container_of(t, struct daemon, alerts_gc_timer);
    int64_t now = time_now();
    size_t n = alert_store_gc(d->state.alerts, now);
    if (d->state.inhibitor)
        inhibitor_gc(d->state.inhibitor, now);
    if (n > 0 && log_enabled(LOG_DEBUG)) {
        char count[24];
        snprintf(count, sizeof count, "%zu", n);
        log_kv(LOG_DEBUG, "Garbage collected alerts", "component", "alerts", "count", count,
               NULL);
    }
}

static int start_timer(uv_loop_t *loop, uv_timer_t *t, uv_timer_cb cb, int64_t interval_ns)
{
    uint64_t ms = (uint64_t)(interval_ns / NS_PER_MS);
    if (ms == 0)
        ms = 1;
    int rc = uv_timer_init(loop, t);
    if (rc == 0)
        rc = uv_timer_start(t, cb, ms, ms);
    return rc;
}

int maintenance_start(struct daemon *d)
{
    d->timers_on = true;
    int rc = start_timer(d->loop, &d->maintenance_timer, on_maintenance,
                         d->flags.data_maintenance_interval);
    if (rc == 0)
        rc = start_timer(d->loop, &d->alerts_gc_timer, on_alerts_gc,
                         d->flags.alerts_gc_interval);
    return rc;
}

void maintenance_stop(struct daemon *d)
{
    uv_timer_t *timers[] = {&d->maintenance_timer, &d->alerts_gc_timer};
    for (size_t i = 0; i < ARRAY_SIZE(timers); i++)
        if (timers[i]->loop && !uv_is_closing((uv_handle_t *)timers[i]))
            uv_close((uv_handle_t *)timers[i], NULL);
}

void maintenance_final(struct daemon *d)
{
    silences_gc_now(d);
    int rc = persist_write_now(&d->persist);
    if (rc != 0)
        log_write_failure(d, rc);
    notifier_final(d);
}

struct change_wait {
    struct daemon *d;
    void (*done)(void *arg, int rc);
    void *arg;
};

static void change_persisted(void *ctx, int rc, size_t size, int64_t duration_ns)
{
    (void)size;
    (void)duration_ns;
    struct change_wait *w = ctx;
    if (rc != 0)
        log_write_failure(w->d, rc);
    w->done(w->arg, rc);
    free(w);
}

/* The API calls this after a silence change and holds its answer until done
 * runs, so the change is on disk before the client hears 200. */
void daemon_silences_changed_cb(void *ctx, void (*done)(void *arg, int rc), void *arg)
{
    struct change_wait *w = xmalloc(sizeof *w);
    *w = (struct change_wait){ctx, done, arg};
    persist_write_async(&((struct daemon *)ctx)->persist, change_persisted, w);
}
