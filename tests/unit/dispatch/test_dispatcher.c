/*
 * Unit tests for the live aggregation groups: 0.25's group_wait,
 * group_interval, early flush, resolved-alert removal and the one-flush-at-
 * a-time rule, driven by a fake clock (no sleeping).  The flush callback
 * either hands every flush back at once (ok or failed) or holds it, so a
 * test can play the slow pipeline.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define T0 (INT64_C(1795521600) * NS_PER_SEC)
#define SEC(s) ((int64_t)(s) * NS_PER_SEC)
#define MAX_LOG 256
#define MAX_HELD 64

enum flush_mode { FLUSH_OK, FLUSH_FAIL, FLUSH_HOLD };

/* What a flush carried, kept after it was handed back. */
struct flush_log {
    char *key;
    int64_t now, deadline;
    size_t n_alerts;
    char *alerts; /* "name=firing,name=resolved" by alertname, in order */
};

static struct {
    struct config *config;
    struct dispatcher *d;
    enum flush_mode mode;
    struct flush_log log[MAX_LOG];
    size_t n_log;
    struct dispatch_flush *held[MAX_HELD];
    size_t n_held;
    int released;
} fx;

static char *describe_alerts(const struct dispatch_flush *f)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < f->n_alerts; i++) {
        const char *name = labelset_get(&f->alerts[i].labels, "alertname");
        strbuf_printf(&sb, "%s%s=%s", i ? "," : "", name ? name : "?",
                      f->alerts[i].ends_at == TIME_ZERO ? "firing" : "resolved");
    }
    return strbuf_detach(&sb);
}

static void on_flush(void *ctx, struct dispatch_flush *f)
{
    cr_assert_eq(ctx, &fx);
    cr_assert_lt(fx.n_log, MAX_LOG);
    fx.log[fx.n_log++] = (struct flush_log){
        .key = xstrdup(f->group_key),
        .now = f->now,
        .deadline = f->deadline,
        .n_alerts = f->n_alerts,
        .alerts = describe_alerts(f),
    };
    if (fx.mode == FLUSH_HOLD) {
        cr_assert_lt(fx.n_held, MAX_HELD);
        fx.held[fx.n_held++] = f;
        return;
    }
    dispatcher_flush_done(fx.d, f, fx.mode == FLUSH_OK);
}

static void on_released(void *arg)
{
    cr_assert_eq(arg, &fx);
    fx.released++;
}

static void setup_yaml(const char *route_yaml)
{
    char *yaml = xasprintf("route:\n%sreceivers:\n- name: r\n- name: other\n", route_yaml);
    char *err = NULL;
    int rc = config_load_string(yaml, strlen(yaml), "test.yml", &fx.config, &err);
    cr_assert_eq(rc, 0, "%s", err ? err : "");
    free(yaml);
    fx.d = dispatcher_new(fx.config, on_flush, &fx);
}

/* The observed timing example's route: group_wait 2s, group_interval 5s. */
static void setup_default(void)
{
    setup_yaml("  receiver: r\n  group_by: [alertname]\n  group_wait: 2s\n"
               "  group_interval: 5s\n  repeat_interval: 20s\n");
}

/* The default route with a pipeline that holds every flush. */
static void setup_held(void)
{
    setup_default();
    fx.mode = FLUSH_HOLD;
}

static void log_clear(void)
{
    for (size_t i = 0; i < fx.n_log; i++) {
        free(fx.log[i].key);
        free(fx.log[i].alerts);
    }
    fx.n_log = 0;
}

static void teardown(void)
{
    if (fx.d) {
        for (size_t i = 0; i < fx.n_held; i++)
            dispatcher_flush_done(fx.d, fx.held[i], true);
        dispatcher_retire(fx.d, NULL, NULL);
    }
    log_clear();
    if (fx.config)
        config_free(fx.config);
    memset(&fx, 0, sizeof fx);
}

TestSuite(dispatcher, .fini = teardown);

/* Inserts an alert with labels (name, value, ..., NULL) firing from
 * starts_at and resolved at ends_at (TIME_ZERO: in 5 minutes), updated at
 * now, as the store hands it over. */
static void post(int64_t now, int64_t starts_at, int64_t ends_at, const char *first, ...)
{
    struct alert a;
    alert_init(&a);
    va_list ap;
    va_start(ap, first);
    for (const char *n = first; n; n = va_arg(ap, const char *))
        labelset_set(&a.labels, n, va_arg(ap, const char *));
    va_end(ap);
    a.fingerprint = labelset_fingerprint(&a.labels);
    a.starts_at = starts_at;
    a.ends_at = ends_at == TIME_ZERO ? now + SEC(300) : ends_at;
    a.updated_at = now;
    dispatcher_insert(fx.d, &a, now);
    alert_free(&a);
}

static void post_firing(int64_t now, const char *alertname)
{
    post(now, now, TIME_ZERO, "alertname", alertname, NULL);
}

/* Runs the fake clock up to `until`, firing the timer at every due time
 * the dispatcher asks for, as main's single uv_timer would. */
static void run_until(int64_t until)
{
    for (int i = 0; i < 100000; i++) {
        int64_t due = dispatcher_next_due(fx.d);
        if (due > until)
            return;
        dispatcher_run_due(fx.d, due);
    }
    cr_assert_fail("the dispatcher never stopped being due");
}

static size_t flushes_at(int64_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < fx.n_log; i++)
        n += fx.log[i].now == t;
    return n;
}

Test(dispatcher, observed_timing_example)
{
    setup_default();
    post_firing(T0, "A");
    post_firing(T0, "B");
    post_firing(T0, "C");
    cr_assert_eq(dispatcher_group_count(fx.d), 3);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(2));
    run_until(T0 + SEC(1));
    cr_assert_eq(fx.n_log, 0, "nothing before group_wait");
    run_until(T0 + SEC(2));
    cr_assert_eq(flushes_at(T0 + SEC(2)), 3, "all groups created at t=0 flush together at t=2");
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(7));
    run_until(T0 + SEC(32));
    /* 2, 7, 12, 17, 22, 27, 32: repeat_interval is the pipeline's business,
     * the ticks keep coming on the group_interval grid. */
    static const int ticks[] = {2, 7, 12, 17, 22, 27, 32};
    cr_assert_eq(fx.n_log, 3 * ARRAY_SIZE(ticks));
    for (size_t i = 0; i < ARRAY_SIZE(ticks); i++)
        cr_expect_eq(flushes_at(T0 + SEC(ticks[i])), 3, "tick at %d", ticks[i]);
    cr_expect_str_eq(fx.log[0].key, "{}:{alertname=\"A\"}");
    cr_expect_eq(fx.log[0].deadline, T0 + SEC(2) + SEC(10), "max(group_interval, 10s)");
}

Test(dispatcher, deadline_is_group_interval_when_longer)
{
    setup_yaml("  receiver: r\n  group_wait: 1s\n  group_interval: 1m\n");
    post_firing(T0, "A");
    run_until(T0 + SEC(1));
    cr_assert_eq(fx.n_log, 1);
    cr_expect_eq(fx.log[0].deadline, T0 + SEC(61));
    cr_expect_str_eq(fx.log[0].key, "{}:{}");
}

Test(dispatcher, old_alert_flushes_early)
{
    setup_default();
    post(T0, T0 - SEC(60), TIME_ZERO, "alertname", "Old", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0, "starts_at + group_wait is past: due now");
    run_until(T0);
    cr_assert_eq(fx.n_log, 1);
    cr_expect_eq(dispatcher_next_due(fx.d), T0 + SEC(5));
}

Test(dispatcher, old_alert_joining_a_waiting_group_flushes_it)
{
    setup_default();
    post(T0, T0, TIME_ZERO, "alertname", "A", "i", "1", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(2));
    /* starts_at + group_wait == now is not before now: no early flush. */
    post(T0 + SEC(1), T0 - SEC(1), TIME_ZERO, "alertname", "A", "i", "2", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(2));
    post(T0 + SEC(1), T0 - SEC(2), TIME_ZERO, "alertname", "A", "i", "3", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(1));
}

Test(dispatcher, old_alert_after_first_flush_waits_for_the_tick)
{
    setup_default();
    post_firing(T0, "A");
    run_until(T0 + SEC(2));
    post(T0 + SEC(3), T0 - SEC(600), TIME_ZERO, "alertname", "A", "x", "old", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(7));
}

Test(dispatcher, alerts_added_between_ticks_appear_at_next_tick)
{
    setup_default();
    post(T0, T0, TIME_ZERO, "alertname", "A", "i", "1", NULL);
    run_until(T0 + SEC(2));
    cr_assert_eq(fx.n_log, 1);
    cr_expect_eq(fx.log[0].n_alerts, 1);
    post(T0 + SEC(6), T0 + SEC(6), TIME_ZERO, "alertname", "A", "i", "2", NULL);
    cr_assert_eq(dispatcher_next_due(fx.d), T0 + SEC(7), "a new alert does not flush by itself");
    run_until(T0 + SEC(7));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_eq(fx.log[1].n_alerts, 2);
    cr_expect_eq(fx.log[1].now, T0 + SEC(7));
}

Test(dispatcher, firing_alerts_get_zero_ends_at)
{
    setup_held();
    post(T0, T0, T0 + SEC(100), "alertname", "A", "job", "1", NULL);
    post(T0, T0 - SEC(1), T0 + SEC(1), "alertname", "A", "job", "2", NULL);
    post(T0 + SEC(1), T0 + SEC(1), T0 + SEC(2), "alertname", "A", "job", "3", NULL);
    dispatcher_run_due(fx.d, T0 + SEC(2));
    cr_assert_eq(fx.n_held, 1);
    const struct dispatch_flush *f = fx.held[0];
    cr_assert_eq(f->n_alerts, 3);
    /* Sorted by job; ends_at == now counts as resolved. */
    cr_expect_str_eq(labelset_get(&f->alerts[0].labels, "job"), "1");
    cr_expect_eq(f->alerts[0].ends_at, TIME_ZERO);
    cr_expect_eq(f->alerts[1].ends_at, T0 + SEC(1));
    cr_expect_eq(f->alerts[2].ends_at, T0 + SEC(2));
    cr_expect_eq(f->now, T0 + SEC(2));
    cr_expect_str_eq(f->route->receiver, "r");
    cr_expect_str_eq(labelset_get(f->group_labels, "alertname"), "A");
}

Test(dispatcher, repost_replaces_the_groups_copy)
{
    setup_default();
    post_firing(T0, "A");
    post(T0 + SEC(1), T0, T0 + SEC(1), "alertname", "A", NULL);
    run_until(T0 + SEC(2));
    cr_assert_eq(fx.n_log, 1);
    cr_expect_str_eq(fx.log[0].alerts, "A=resolved");
}

Test(dispatcher, successful_flush_removes_resolved_alerts)
{
    setup_default();
    post(T0, T0, TIME_ZERO, "alertname", "A", "i", "1", NULL);
    post(T0, T0, T0 + SEC(1), "alertname", "A", "i", "2", NULL);
    run_until(T0 + SEC(2));
    cr_assert_eq(fx.n_log, 1);
    cr_expect_str_eq(fx.log[0].alerts, "A=firing,A=resolved");
    run_until(T0 + SEC(7));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_str_eq(fx.log[1].alerts, "A=firing", "the sent resolve is gone");
}

Test(dispatcher, failed_flush_keeps_resolved_alerts)
{
    setup_default();
    fx.mode = FLUSH_FAIL;
    post(T0, T0, T0 + SEC(1), "alertname", "A", NULL);
    run_until(T0 + SEC(7));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_str_eq(fx.log[1].alerts, "A=resolved", "retried at the next tick");
    fx.mode = FLUSH_OK;
    run_until(T0 + SEC(12));
    cr_assert_eq(fx.n_log, 3);
    cr_expect_eq(fx.log[2].n_alerts, 1);
    run_until(T0 + SEC(17));
    cr_expect_eq(fx.n_log, 3, "an empty group flushes nothing");
    cr_expect_eq(dispatcher_maintenance(fx.d, T0 + SEC(17)), 1);
    cr_expect_eq(dispatcher_group_count(fx.d), 0);
    cr_expect_eq(dispatcher_next_due(fx.d), INT64_MAX);
}

Test(dispatcher, repost_during_flush_keeps_the_alert)
{
    setup_held();
    post(T0, T0, T0 + SEC(1), "alertname", "A", NULL);
    dispatcher_run_due(fx.d, T0 + SEC(2));
    cr_assert_eq(fx.n_held, 1);
    /* It fires again while the resolve is being sent. */
    post(T0 + SEC(3), T0 + SEC(3), TIME_ZERO, "alertname", "A", NULL);
    dispatcher_flush_done(fx.d, fx.held[--fx.n_held], true);
    fx.mode = FLUSH_OK;
    run_until(T0 + SEC(7));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_str_eq(fx.log[1].alerts, "A=firing");
}

Test(dispatcher, no_second_flush_while_outstanding)
{
    setup_held();
    post_firing(T0, "A");
    dispatcher_run_due(fx.d, T0 + SEC(2));
    cr_assert_eq(fx.n_held, 1);
    cr_assert_eq(dispatcher_flushes_outstanding(fx.d), 1);
    cr_expect_eq(dispatcher_next_due(fx.d), INT64_MAX, "a flushing group is not due");
    dispatcher_run_due(fx.d, T0 + SEC(20));
    cr_expect_eq(fx.n_log, 1);
    /* Handed back long after its tick: due at once, and the grid restarts
     * from the moment that runs it.  As 0.25's timer, which fired during
     * the flush, the pipeline's time is when the group fell due; the
     * deadline counts from the real start. */
    dispatcher_flush_done(fx.d, fx.held[--fx.n_held], true);
    cr_assert_eq(dispatcher_flushes_outstanding(fx.d), 0);
    cr_expect_eq(dispatcher_next_due(fx.d), T0 + SEC(7));
    dispatcher_run_due(fx.d, T0 + SEC(20));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_eq(fx.log[1].now, T0 + SEC(7));
    cr_expect_eq(fx.log[1].deadline, T0 + SEC(30));
    dispatcher_flush_done(fx.d, fx.held[--fx.n_held], true);
    cr_expect_eq(dispatcher_next_due(fx.d), T0 + SEC(25));
}

Test(dispatcher, flush_back_in_time_keeps_the_grid)
{
    setup_held();
    post_firing(T0, "A");
    dispatcher_run_due(fx.d, T0 + SEC(2));
    dispatcher_flush_done(fx.d, fx.held[--fx.n_held], true);
    cr_expect_eq(dispatcher_next_due(fx.d), T0 + SEC(7));
}

Test(dispatcher, continue_gives_two_groups)
{
    setup_yaml("  receiver: r\n  group_by: [alertname]\n  group_wait: 2s\n"
               "  group_interval: 5s\n"
               "  routes:\n"
               "  - matchers: ['team=\"a\"']\n    continue: true\n"
               "  - receiver: other\n    group_wait: 4s\n");
    post(T0, T0, TIME_ZERO, "alertname", "A", "team", "a", NULL);
    cr_assert_eq(dispatcher_group_count(fx.d), 2);
    run_until(T0 + SEC(4));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_str_eq(fx.log[0].key, "{}/{team=\"a\"}:{alertname=\"A\"}");
    cr_expect_eq(fx.log[0].now, T0 + SEC(2));
    cr_expect_str_eq(fx.log[1].key, "{}/{}:{alertname=\"A\"}");
    cr_expect_eq(fx.log[1].now, T0 + SEC(4));
}

Test(dispatcher, group_by_all_labels)
{
    setup_yaml("  receiver: r\n  group_by: ['...']\n  group_wait: 2s\n"
               "  group_interval: 5s\n");
    post(T0, T0, TIME_ZERO, "alertname", "A", "i", "1", NULL);
    post(T0, T0, TIME_ZERO, "alertname", "A", "i", "2", NULL);
    post(T0 + SEC(1), T0, TIME_ZERO, "alertname", "A", "i", "2", NULL);
    cr_assert_eq(dispatcher_group_count(fx.d), 2);
    run_until(T0 + SEC(2));
    cr_assert_eq(fx.n_log, 2);
    cr_expect_str_eq(fx.log[0].key, "{}:{alertname=\"A\", i=\"1\"}");
    cr_expect_str_eq(fx.log[1].key, "{}:{alertname=\"A\", i=\"2\"}");
    cr_expect_eq(fx.log[1].n_alerts, 1);
}

Test(dispatcher, group_by_missing_label_groups_together)
{
    setup_yaml("  receiver: r\n  group_by: [team]\n  group_wait: 2s\n");
    post_firing(T0, "A");
    post_firing(T0, "B");
    cr_assert_eq(dispatcher_group_count(fx.d), 1);
    run_until(T0 + SEC(2));
    cr_assert_eq(fx.n_log, 1);
    cr_expect_str_eq(fx.log[0].alerts, "A=firing,B=firing");
}

Test(dispatcher, maintenance_spares_flushing_and_nonempty_groups)
{
    setup_held();
    post(T0, T0, T0 + SEC(1), "alertname", "A", NULL); /* emptied after a good flush */
    post(T0, T0, T0 + SEC(1), "alertname", "B", NULL); /* will be held */
    post_firing(T0, "C");
    dispatcher_run_due(fx.d, T0 + SEC(2));
    cr_assert_eq(fx.n_held, 3);
    dispatcher_flush_done(fx.d, fx.held[0], true);
    dispatcher_flush_done(fx.d, fx.held[2], true);
    fx.held[0] = fx.held[1];
    fx.n_held = 1;
    cr_expect_eq(dispatcher_maintenance(fx.d, T0 + SEC(3)), 1);
    cr_expect_eq(dispatcher_group_count(fx.d), 2);
    dispatcher_flush_done(fx.d, fx.held[--fx.n_held], true);
    cr_expect_eq(dispatcher_maintenance(fx.d, T0 + SEC(4)), 1);
    cr_expect_eq(dispatcher_group_count(fx.d), 1);
    /* A later alert with the deleted group's labels makes a new group that
     * waits group_wait again. */
    post_firing(T0 + SEC(5), "A");
    cr_expect_eq(dispatcher_group_count(fx.d), 2);
    cr_expect_eq(dispatcher_next_due(fx.d), T0 + SEC(7));
    fx.mode = FLUSH_OK;
    run_until(T0 + SEC(7));
    cr_expect_eq(flushes_at(T0 + SEC(7)), 2);
}

Test(dispatcher, retire_without_flushes_releases_at_once)
{
    setup_default();
    post_firing(T0, "A");
    dispatcher_retire(fx.d, on_released, &fx);
    fx.d = NULL;
    cr_expect_eq(fx.released, 1);
}

Test(dispatcher, retire_waits_for_outstanding_flushes)
{
    setup_held();
    post_firing(T0, "A");
    post_firing(T0, "B");
    dispatcher_run_due(fx.d, T0 + SEC(2));
    cr_assert_eq(fx.n_held, 2);
    struct dispatcher *d = fx.d;
    dispatcher_retire(d, on_released, &fx);
    fx.d = NULL;
    cr_expect_eq(fx.released, 0);
    cr_expect_eq(dispatcher_next_due(d), INT64_MAX, "a retired dispatcher never flushes");
    dispatcher_run_due(d, T0 + SEC(60));
    cr_expect_eq(fx.n_log, 2);
    /* The flush still reads its group's key and labels until handed back. */
    cr_expect_str_eq(fx.held[1]->group_key, "{}:{alertname=\"B\"}");
    dispatcher_flush_done(d, fx.held[0], true);
    cr_expect_eq(fx.released, 0);
    dispatcher_flush_done(d, fx.held[1], false);
    cr_expect_eq(fx.released, 1);
    fx.n_held = 0;
}

static void retire_from_flush(void *ctx, struct dispatch_flush *f)
{
    (void)ctx;
    struct dispatcher *d = fx.d;
    fx.n_log++;
    dispatcher_flush_done(d, f, true);
    dispatcher_retire(d, on_released, &fx);
}

Test(dispatcher, retire_inside_a_flush_callback)
{
    char *err = NULL;
    static const char yaml[] = "route:\n  receiver: r\n  group_by: [alertname]\n"
                               "  group_wait: 2s\nreceivers:\n- name: r\n";
    cr_assert_eq(config_load_string(yaml, strlen(yaml), "t.yml", &fx.config, &err), 0);
    fx.d = dispatcher_new(fx.config, retire_from_flush, &fx);
    post_firing(T0, "A");
    post_firing(T0, "B");
    dispatcher_run_due(fx.d, T0 + SEC(2));
    fx.d = NULL;
    cr_expect_eq(fx.n_log, 1, "no flush after the retire");
    cr_expect_eq(fx.released, 1);
}

Test(dispatcher, ten_thousand_groups)
{
    setup_default();
    enum { N = 10000 };
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "A%05d", i);
        /* Spread over 5 s so the heap holds many distinct due times. */
        int64_t at = T0 + (int64_t)i * (SEC(5) / N);
        post(at, at, TIME_ZERO, "alertname", name, NULL);
        cr_assert_leq(dispatcher_next_due(fx.d), T0 + SEC(2));
    }
    cr_assert_eq(dispatcher_group_count(fx.d), N);
    size_t before = 0;
    int64_t last = INT64_MIN;
    for (int i = 0; i < 3 * N && dispatcher_next_due(fx.d) <= T0 + SEC(12); i++) {
        int64_t due = dispatcher_next_due(fx.d);
        cr_assert_geq(due, last, "due times come in order");
        last = due;
        dispatcher_run_due(fx.d, due);
        cr_assert_gt(fx.n_log, before);
        before = fx.n_log;
        if (fx.n_log > MAX_LOG - 8)
            log_clear(), before = 0;
    }
    cr_expect_eq(dispatcher_flushes_outstanding(fx.d), 0);
}
