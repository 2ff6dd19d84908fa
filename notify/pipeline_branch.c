/*
 * One integration's branch of a flush, 0.25's Wait -> Dedup -> Retry ->
 * SetNotifies, as a small state machine on the loop: the branch's uv_timer
 * carries the peer wait and every backoff, an outbound call carries each
 * attempt, and the flush's deadline bounds both.
 *
 * The backoff is cenkalti/backoff's exponential ticker as 0.25 configures
 * it: the first attempt at once, then 500 ms growing by 1.5x up to 60 s,
 * each randomised by +/-50 %, no overall limit but the deadline.  The ticker
 * starts each interval when an attempt starts, so a slow attempt eats into
 * the next wait instead of adding to it.
 */
#include "notify/pipeline_internal.h"

#include "config/config.h"
#include "dispatch/dispatch.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_INITIAL (500 * NS_PER_MS)
#define BACKOFF_MAX (60 * NS_PER_SEC)

static void attempt(struct pipeline_branch *b);

/* uv timers count whole milliseconds; never fire before the instant. */
static uint64_t ns_to_ms_up(int64_t ns)
{
    return ns > 0 ? (uint64_t)((ns + NS_PER_MS - 1) / NS_PER_MS) : 0;
}

static struct notify_kind_metrics *kind_metrics(struct pipeline_branch *b)
{
    return &b->flush->env->metrics.kinds[b->in.kind];
}

static const char *receiver_name(const struct pipeline_branch *b)
{
    return b->flush->receiver->name;
}

static void finish(struct pipeline_branch *b, bool ok)
{
    b->state = BRANCH_DONE;
    b->ok = ok;
    pipeline_branch_finished(b);
}

/* Ends the branch with 0.25's wrapped error, counted as a failed
 * notification once the retry stage had started (b->sent is its mark). */
static void give_up(struct pipeline_branch *b, const char *why, unsigned attempts,
                    const char *err)
{
    b->final_err = xasprintf("%s/%s: notify retry canceled%s after %u attempts: %s",
                             receiver_name(b), b->label, why, attempts, err);
    if (b->sent)
        kind_metrics(b)->notifications_failed++;
    finish(b, false);
}

/* ---- SetNotifies ---- */

static void set_notifies(struct pipeline_branch *b)
{
    struct pipeline_flush *pf = b->flush;
    struct notify_env *env = pf->env;
    if (!env->nflog)
        return;
    struct nflog_receiver r = {receiver_name(b), notify_kind_name(b->in.kind), b->in.idx};
    int64_t repeat = pf->f->route->repeat_interval;
    int64_t expiry = repeat > INT64_MAX / 2 ? INT64_MAX : 2 * repeat;
    if (nflog_log(env->nflog, &r, pf->f->group_key, &b->firing, &b->resolved, time_now(),
                  expiry) &&
        env->nflog_logged)
        env->nflog_logged(env->ctx, pf->f->group_key, &r);
}

/* ---- Retry ---- */

/* cenkalti/backoff: current +/- 50 %, uniformly. */
static int64_t randomized(int64_t current)
{
    uint32_t r;
    random_bytes(&r, sizeof r);
    double delta = 0.5 * (double)current;
    double lo = (double)current - delta, hi = (double)current + delta;
    return (int64_t)(lo + ((double)r / 4294967296.0) * (hi - lo + 1));
}

static void observe_latency(struct pipeline_branch *b)
{
    struct notify_kind_metrics *m = kind_metrics(b);
    double s = (double)(time_monotonic() - b->attempt_start) / 1e9;
    for (size_t i = 0; i < ARRAY_SIZE(NOTIFY_LATENCY_BUCKETS); i++)
        if (s <= NOTIFY_LATENCY_BUCKETS[i])
            m->latency_buckets[i]++;
    m->latency_count++;
    m->latency_sum += s;
    m->requests++;
}

static void on_backoff_over(uv_timer_t *t);
static void send_http(struct pipeline_branch *b, const struct outbound_http_request *msg);

static void attempt_failed(struct pipeline_branch *b, bool retry, const char *err)
{
    struct pipeline_flush *pf = b->flush;
    kind_metrics(b)->requests_failed++;
    if (!retry || pf->canceled) {
        give_up(b, pf->canceled ? "" : " due to unrecoverable error", b->attempts, err);
        return;
    }
    int64_t now = time_now();
    if (now < pf->deadline && (!b->last_err || strcmp(b->last_err, err) != 0)) {
        char n[16];
        snprintf(n, sizeof n, "%u", b->attempts);
        log_kv(LOG_WARN, "Notify attempt failed, will retry later", "component", "dispatcher",
               "aggrGroup", pf->f->group_key, "receiver", receiver_name(b), "integration",
               b->label, "attempts", n, "err", err, NULL);
    }
    free(b->last_err);
    b->last_err = xstrdup(err);
    int64_t wait = b->next_attempt - time_monotonic();
    if (wait < 0)
        wait = 0;
    if (wait > pf->deadline - now)
        wait = pf->deadline - now;
    b->state = BRANCH_WAITING;
    uv_timer_start(&b->timer, on_backoff_over, ns_to_ms_up(wait), 0);
}

static void attempt_succeeded(struct pipeline_branch *b)
{
    char n[16];
    snprintf(n, sizeof n, "%u", b->attempts);
    log_kv(b->attempts > 1 ? LOG_INFO : LOG_DEBUG, "Notify success", "component", "dispatcher",
           "aggrGroup", b->flush->f->group_key, "receiver", receiver_name(b), "integration",
           b->label, "attempts", n, NULL);
    set_notifies(b);
    finish(b, true);
}

static void judged(struct pipeline_branch *b, int rc, bool retry, char *err)
{
    observe_latency(b);
    if (rc == 0)
        attempt_succeeded(b);
    else
        attempt_failed(b, retry, err ? err : "unknown error");
    free(err);
}

static void on_http_done(void *arg, const struct outbound_http_response *r)
{
    struct pipeline_branch *b = arg;
    bool retry = true;
    char *err = NULL;
    b->call = NULL;
    int rc = notify_judge_http(&b->in, &b->msg, r, &retry, &err);
    if (rc == 0 && b->then_next < b->msg.n_then && !b->flush->canceled) {
        send_http(b, &b->msg.then[b->then_next++]);
        return;
    }
    judged(b, rc, retry, err);
}

static void on_smtp_done(void *arg, const struct outbound_smtp_response *r)
{
    struct pipeline_branch *b = arg;
    bool retry = true;
    char *err = NULL;
    b->call = NULL;
    int rc = notify_judge_smtp(&b->in, &b->msg, r, &retry, &err);
    judged(b, rc, retry, err);
}

static void on_backoff_over(uv_timer_t *t)
{
    struct pipeline_branch *b = container_of(t, struct pipeline_branch, timer);
    struct pipeline_flush *pf = b->flush;
    if (time_now() >= pf->deadline) {
        /* 0.25 counts the attempt it was about to make. */
        give_up(b, "", b->attempts + 1, b->last_err ? b->last_err : "context deadline exceeded");
        return;
    }
    attempt(b);
}

static void notify_group_of(const struct pipeline_branch *b, struct notify_group *g)
{
    const struct pipeline_flush *pf = b->flush;
    *g = (struct notify_group){
        .receiver = receiver_name(b),
        .group_key = pf->f->group_key,
        .group_labels = pf->f->group_labels,
        .alerts = b->sent,
        .n_alerts = b->n_sent,
        .external_url = pf->env->external_url ? pf->env->external_url : "",
        .now = pf->f->now,
    };
}

/* The request may not outlive the flush's deadline, as 0.25's context
 * bounds it. */
static int64_t bounded_timeout(int64_t own, int64_t left)
{
    return own > 0 && own < left ? own : left;
}

static int64_t time_left(const struct pipeline_flush *pf)
{
    int64_t left = pf->deadline - time_now();
    return left < NS_PER_MS ? NS_PER_MS : left;
}

static void send_http(struct pipeline_branch *b, const struct outbound_http_request *msg)
{
    struct pipeline_flush *pf = b->flush;
    struct outbound_http_request req = *msg;
    req.timeout = bounded_timeout(req.timeout, time_left(pf));
    b->call = outbound_http(pf->env->outbound, &req, on_http_done, b);
}

static void start_call(struct pipeline_branch *b)
{
    struct pipeline_flush *pf = b->flush;
    int64_t left = time_left(pf);
    b->state = BRANCH_SENDING;
    if (b->msg.is_smtp) {
        struct outbound_smtp_request req = b->msg.smtp;
        req.timeout = bounded_timeout(req.timeout, left);
        b->call = outbound_smtp(pf->env->outbound, &req, on_smtp_done, b);
    } else {
        b->then_next = 0;
        send_http(b, &b->msg.http);
    }
}

static void attempt(struct pipeline_branch *b)
{
    b->attempts++;
    b->attempt_start = time_monotonic();
    b->next_attempt = b->attempt_start + randomized(b->backoff);
    b->backoff = b->backoff * 3 / 2 > BACKOFF_MAX ? BACKOFF_MAX : b->backoff * 3 / 2;
    /* An unsupported kind fails here, unretried, with notify_build's words. */
    if (!b->have_msg) {
        struct notify_group g;
        bool retry = false;
        char *err = NULL;
        notify_group_of(b, &g);
        if (notify_build(&b->in, b->flush->gen.templates, &g, &b->msg, &retry, &err) != 0) {
            judged(b, -1, retry, err);
            return;
        }
        b->have_msg = true;
    }
    if (!b->flush->env->outbound) {
        judged(b, -1, false, xstrdup("no outbound client"));
        return;
    }
    start_call(b);
}

/* ---- Dedup ---- */

static void hashes_add(struct nflog_hashes *h, uint64_t v)
{
    h->items = xrealloc(h->items, (h->len + 1) * sizeof *h->items);
    h->items[h->len++] = v;
}

/* The dispatcher zeroed ends_at on every alert still firing when the flush
 * started, so what is left set is a resolve (0.25 asks the clock then). */
static bool resolved(const struct alert *a)
{
    return a->ends_at != TIME_ZERO;
}

static void split_alerts(struct pipeline_branch *b)
{
    const struct pipeline_flush *pf = b->flush;
    for (size_t i = 0; i < pf->n_kept; i++) {
        const struct alert *a = &pf->kept[i];
        hashes_add(resolved(a) ? &b->resolved : &b->firing,
                   nflog_alert_hash(&a->labels));
    }
}

static void count_query(struct notify_metrics *m, int64_t started, bool found)
{
    double s = (double)(time_monotonic() - started) / 1e9;
    m->nflog_queries++;
    if (!found)
        m->nflog_query_errors++;
    for (size_t i = 0; i < ARRAY_SIZE(NOTIFY_NFLOG_QUERY_BUCKETS); i++)
        if (s <= NOTIFY_NFLOG_QUERY_BUCKETS[i])
            m->nflog_query_buckets[i]++;
    m->nflog_query_seconds += s;
}

static bool needs_update(struct pipeline_branch *b)
{
    struct pipeline_flush *pf = b->flush;
    struct notify_env *env = pf->env;
    struct nflog_receiver r = {receiver_name(b), notify_kind_name(b->in.kind), b->in.idx};
    const struct nflog_entry *e = NULL;
    if (env->nflog) {
        int64_t started = time_monotonic();
        e = nflog_query(env->nflog, pf->f->group_key, &r);
        count_query(&env->metrics, started, e != NULL);
    }
    return nflog_needs_update(e, &b->firing, &b->resolved, b->in.send_resolved,
                              pf->f->route->repeat_interval, pf->f->now);
}

/* With send_resolved off only the firing alerts go out. */
static void choose_sent(struct pipeline_branch *b)
{
    const struct pipeline_flush *pf = b->flush;
    b->sent = xcalloc(pf->n_kept ? pf->n_kept : 1, sizeof *b->sent);
    for (size_t i = 0; i < pf->n_kept; i++)
        if (b->in.send_resolved || !resolved(&pf->kept[i]))
            b->sent[b->n_sent++] = pf->kept[i];
}

static void on_wait_over(uv_timer_t *t)
{
    struct pipeline_branch *b = container_of(t, struct pipeline_branch, timer);
    struct pipeline_flush *pf = b->flush;
    split_alerts(b);
    if (!needs_update(b)) {
        finish(b, true);
        return;
    }
    choose_sent(b);
    if (b->n_sent == 0) {
        /* Nothing firing and resolved ones not wanted: logged as notified,
         * so the next dedup forgets the alerts (0.25). */
        set_notifies(b);
        finish(b, true);
        return;
    }
    struct notify_metrics *m = &pf->env->metrics;
    m->kinds[b->in.kind].notifications++;
    m->used[b->in.kind] = true;
    attempt(b);
}

/* ---- the branch's life ---- */

void pipeline_branch_start(struct pipeline_branch *b, int64_t wait)
{
    struct strbuf sb = STRBUF_INIT;
    notify_integration_label(&b->in, &sb);
    b->label = strbuf_detach(&sb);
    b->backoff = BACKOFF_INITIAL;
    b->state = BRANCH_WAITING;
    uv_timer_start(&b->timer, on_wait_over, ns_to_ms_up(wait), 0);
}

void pipeline_branch_cancel(struct pipeline_branch *b)
{
    if (b->state == BRANCH_SENDING && b->call) {
        outbound_cancel(b->call); /* its callback ends the branch */
        return;
    }
    if (b->state == BRANCH_WAITING) {
        uv_timer_stop(&b->timer);
        give_up(b, "", b->attempts + 1, b->last_err ? b->last_err : "context canceled");
    }
}

void pipeline_branch_free(struct pipeline_branch *b)
{
    if (b->have_msg)
        notify_message_free(&b->msg);
    free(b->firing.items);
    free(b->resolved.items);
    free(b->sent);
    free(b->label);
    free(b->last_err);
    free(b->final_err);
}
