/*
 * The notification pipeline for one flush: the stages that act on the whole
 * group (gossip settle, inhibit, active and mute time intervals, silences),
 * then the fan-out to one branch per integration (pipeline_branch.c), and
 * the bookkeeping that lets main/ cancel every flush at shutdown.
 *
 * The group-wide stages run synchronously inside notify_flush: they only read
 * in-memory state at the flush's tick time, so running them later would
 * change nothing but the markers' freshness.
 */
#include "notify/pipeline_internal.h"

#include "config/config.h"
#include "dispatch/dispatch.h"
#include "inhibit/inhibit.h"
#include "silences/silences.h"
#include "timeinterval/timeinterval.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct pipeline_flush **running_head(struct notify_env *env)
{
    return (struct pipeline_flush **)&env->running;
}

static void running_add(struct pipeline_flush *pf)
{
    struct pipeline_flush **head = running_head(pf->env);
    pf->next = *head;
    if (*head)
        (*head)->prev = pf;
    *head = pf;
}

static void running_remove(struct pipeline_flush *pf)
{
    if (pf->prev)
        pf->prev->next = pf->next;
    else
        *running_head(pf->env) = pf->next;
    if (pf->next)
        pf->next->prev = pf->prev;
}

size_t notify_in_flight(const struct notify_env *env)
{
    size_t n = 0;
    for (const struct pipeline_flush *pf = env->running; pf; pf = pf->next)
        n++;
    return n;
}

/* ---- the end of a flush ---- */

static void flush_free(struct pipeline_flush *pf)
{
    for (size_t i = 0; i < pf->n_branches; i++)
        pipeline_branch_free(&pf->branches[i]);
    free(pf->branches);
    free(pf->kept);
    free(pf);
}

static void handle_closed(uv_handle_t *h)
{
    struct pipeline_flush *pf = h->data;
    if (--pf->open_handles > 0)
        return;
    void (*done)(void *, bool) = pf->done;
    void *arg = pf->arg;
    bool ok = pf->ok && !pf->canceled;
    flush_free(pf);
    done(arg, ok);
}

/* 0.25's dispatcher logs the combined errors of every failed branch. */
static void log_failures(const struct pipeline_flush *pf)
{
    struct strbuf errs = STRBUF_INIT;
    for (size_t i = 0; i < pf->n_branches; i++) {
        const struct pipeline_branch *b = &pf->branches[i];
        if (b->ok || !b->final_err)
            continue;
        if (errs.len)
            strbuf_puts(&errs, "; ");
        strbuf_puts(&errs, b->final_err);
    }
    if (errs.len) {
        char n[24];
        snprintf(n, sizeof n, "%zu", pf->n_kept);
        log_kv(pf->canceled ? LOG_DEBUG : LOG_ERROR, "Notify for alerts failed", "component",
               "dispatcher", "aggrGroup", pf->f->group_key, "num_alerts", n, "err",
               strbuf_cstr(&errs), NULL);
    }
    strbuf_free(&errs);
}

/* Closes the flush's handles; done runs from the last close callback, so it
 * never runs inside notify_flush and never before every timer is gone. */
static void flush_end(struct pipeline_flush *pf)
{
    running_remove(pf);
    log_failures(pf);
    pf->open_handles = 1 + pf->n_branches;
    uv_close((uv_handle_t *)&pf->finish, handle_closed);
    for (size_t i = 0; i < pf->n_branches; i++)
        uv_close((uv_handle_t *)&pf->branches[i].timer, handle_closed);
}

void pipeline_branch_finished(struct pipeline_branch *b)
{
    struct pipeline_flush *pf = b->flush;
    if (!b->ok)
        pf->ok = false;
    if (--pf->pending == 0)
        flush_end(pf);
}

static void on_finish(uv_timer_t *t)
{
    flush_end(t->data);
}

/* ---- the group-wide stages ---- */

static bool in_store(const struct notify_env *env, const struct alert *a)
{
    return env->alerts && alert_store_get(env->alerts, a->fingerprint) != NULL;
}

/* Keeps the alerts for which mutes() is false.  The stage stops the
 * pipeline when nothing is left, as 0.25's MultiStage does. */
static void filter_kept(struct pipeline_flush *pf,
                        bool (*mutes)(struct pipeline_flush *pf, const struct alert *a))
{
    size_t n = 0;
    for (size_t i = 0; i < pf->n_kept; i++)
        if (!mutes(pf, &pf->kept[i]))
            pf->kept[n++] = pf->kept[i];
    pf->n_kept = n;
}

static bool inhibited(struct pipeline_flush *pf, const struct alert *a)
{
    if (!pf->gen.inhibitor)
        return false;
    uint64_t source = 0;
    bool muted = inhibitor_mutes(pf->gen.inhibitor, &a->labels, pf->f->now, &source);
    if (in_store(pf->env, a))
        alert_store_set_inhibited(pf->env->alerts, a->fingerprint, &source, muted ? 1 : 0);
    return muted;
}

static bool silenced(struct pipeline_flush *pf, const struct alert *a)
{
    if (!pf->env->silences)
        return false;
    size_t n = 0;
    const char **ids = silences_mutes(pf->env->silences, &a->labels, pf->f->now, &n);
    if (in_store(pf->env, a))
        alert_store_set_silenced(pf->env->alerts, a->fingerprint, (char *const *)ids, n);
    free(ids);
    return n > 0;
}

/* Whether now falls in any of the named intervals.  Unknown names cannot
 * occur: config loading rejects a route naming an undefined interval. */
static bool in_any_interval(const struct config *c, char *const *names, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        const struct config_time_interval *ti = config_time_interval_find(c, names[i]);
        if (ti && timeinterval_contains(ti, now))
            return true;
    }
    return false;
}

/* TimeActive and TimeMute: both drop the whole group. */
static bool muted_by_time(const struct pipeline_flush *pf)
{
    const struct config_route *r = pf->f->route;
    int64_t now = pf->f->now;
    if (r->n_active_time_intervals > 0 &&
        !in_any_interval(pf->gen.config, r->active_time_intervals, r->n_active_time_intervals,
                         now)) {
        log_kv(LOG_DEBUG, "Notifications not sent, route is not within active time",
               "component", "dispatcher", "aggrGroup", pf->f->group_key, "receiver",
               r->receiver, NULL);
        return true;
    }
    if (r->n_mute_time_intervals > 0 &&
        in_any_interval(pf->gen.config, r->mute_time_intervals, r->n_mute_time_intervals, now)) {
        log_kv(LOG_DEBUG, "Notifications not sent, route is within mute time", "component",
               "dispatcher", "aggrGroup", pf->f->group_key, "receiver", r->receiver, NULL);
        return true;
    }
    return false;
}

/* Runs the stages before the fan-out; false when nothing is left to send. */
static bool group_stages(struct pipeline_flush *pf)
{
    filter_kept(pf, inhibited);
    if (pf->n_kept == 0 || muted_by_time(pf))
        return false;
    filter_kept(pf, silenced);
    return pf->n_kept > 0;
}

static void fan_out(struct pipeline_flush *pf, int64_t wait)
{
    size_t n = 0;
    struct notify_integration *ins = notify_integrations(pf->receiver, &n);
    pf->branches = xcalloc(n ? n : 1, sizeof *pf->branches);
    pf->n_branches = n;
    pf->pending = n;
    for (size_t i = 0; i < n; i++) {
        struct pipeline_branch *b = &pf->branches[i];
        b->flush = pf;
        b->in = ins[i];
        uv_timer_init(pf->env->loop, &b->timer);
        b->timer.data = pf;
    }
    free(ins);
    if (n == 0) {
        uv_timer_start(&pf->finish, on_finish, 0, 0);
        return;
    }
    /* After the timers exist: a branch may end synchronously (nothing to
     * send) and the flush must then be able to close them all. */
    for (size_t i = 0; i < n && pf->pending > 0; i++)
        pipeline_branch_start(&pf->branches[i], wait);
}

static int64_t peer_wait(const struct notify_env *env)
{
    if (!env->peer_position)
        return 0;
    return (int64_t)env->peer_position(env->ctx) * env->peer_timeout;
}

void notify_flush(struct notify_env *env, const struct notify_generation *gen,
                  const struct dispatch_flush *f, void (*done)(void *arg, bool ok), void *arg)
{
    struct pipeline_flush *pf = xcalloc(1, sizeof *pf);
    pf->env = env;
    pf->gen = *gen;
    pf->f = f;
    pf->done = done;
    pf->arg = arg;
    pf->ok = true;
    pf->receiver = config_receiver_find(gen->config, f->route->receiver);
    pf->kept = xcalloc(f->n_alerts ? f->n_alerts : 1, sizeof *pf->kept);
    if (f->n_alerts)
        memcpy(pf->kept, f->alerts, f->n_alerts * sizeof *pf->kept);
    pf->n_kept = f->n_alerts;
    int64_t wait = peer_wait(env);
    pf->deadline = f->deadline + wait;
    uv_timer_init(env->loop, &pf->finish);
    pf->finish.data = pf;
    running_add(pf);
    if (!pf->receiver) {
        log_kv(LOG_ERROR, "Notify for alerts failed", "component", "dispatcher", "err",
               "the route's receiver is not in the config", "receiver", f->route->receiver,
               NULL);
        pf->ok = false;
        uv_timer_start(&pf->finish, on_finish, 0, 0);
        return;
    }
    if (!group_stages(pf)) {
        uv_timer_start(&pf->finish, on_finish, 0, 0);
        return;
    }
    fan_out(pf, wait);
}

/* gen NULL: every flush. */
static void cancel_flushes(struct notify_env *env, const struct notify_generation *gen)
{
    struct pipeline_flush *pf = env->running;
    while (pf) {
        /* A branch's cancel can end its flush, which unlinks it. */
        struct pipeline_flush *next = pf->next;
        if (!gen || pf->gen.config == gen->config) {
            pf->canceled = true;
            for (size_t i = 0; i < pf->n_branches; i++)
                pipeline_branch_cancel(&pf->branches[i]);
        }
        pf = next;
    }
}

void notify_cancel_all(struct notify_env *env)
{
    cancel_flushes(env, NULL);
}

void notify_cancel_generation(struct notify_env *env, const struct notify_generation *gen)
{
    cancel_flushes(env, gen);
}
