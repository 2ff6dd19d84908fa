/* The notification pipeline on a real loop against a loopback sink: dedup,
 * retry, give-up, deadline, fan-out, markers, time intervals, cancel. */
#include "pipeline_fixture.h"

#include "nflog/nflog.h"
#include "silences/silences.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define ROUTE \
    "route:\n  receiver: wh\n  group_by: [alertname]\n  group_interval: 1s\n" \
    "  repeat_interval: 1h\n"
#define WEBHOOK(path, resolved) \
    "      - url: http://127.0.0.1:%1$d/" path "\n        send_resolved: " resolved "\n"

static const char *const one_webhook =
    ROUTE "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("hook", "true");

Test(pipeline, first_flush_sends_then_dedup_holds_until_something_changes)
{
    struct pipeline_fx fx;
    pfx_init(&fx, one_webhook);
    pfx_alert(&fx, "a", false, true);
    pfx_flush(&fx, 5000, 5000);
    cr_assert(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 1);
    cr_assert_str_eq(fx.sink.requests[0].path, "/hook");
    cr_assert_not_null(strstr(fx.sink.requests[0].body, "\"groupKey\":\"{}:{alertname=\\\"A\\\"}\""),
                       "%s", fx.sink.requests[0].body);
    cr_assert_eq(nflog_count(fx.nflog), 1);

    /* The same firing set within the repeat interval: nothing to do. */
    pfx_flush(&fx, 5000, 5000);
    cr_assert(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 1);

    /* A new firing alert in the group: notify with the whole group. */
    pfx_alert(&fx, "b", false, true);
    pfx_flush(&fx, 5000, 5000);
    cr_assert_eq(fx.sink.n_requests, 2);
    cr_assert_not_null(strstr(fx.sink.requests[1].body, "\"instance\":\"a\""));
    cr_assert_not_null(strstr(fx.sink.requests[1].body, "\"instance\":\"b\""));

    const struct notify_kind_metrics *m = &fx.env.metrics.kinds[NOTIFY_WEBHOOK];
    cr_assert_eq(m->notifications, 2);
    cr_assert_eq(m->requests, 2);
    cr_assert_eq(m->requests_failed, 0);
    cr_assert_eq(m->latency_count, 2);
    cr_assert_eq(fx.env.metrics.nflog_queries, 3);
    cr_assert_eq(fx.env.metrics.nflog_query_errors, 1, "only the first lookup found nothing");
    pfx_free(&fx);
}

Test(pipeline, retries_after_5xx_until_success)
{
    struct pipeline_fx fx;
    pfx_init(&fx, one_webhook);
    fx.sink.statuses[0] = 500;
    fx.sink.statuses[1] = 503;
    fx.sink.statuses[2] = 200;
    fx.sink.n_statuses = 3;
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 10000, 8000);
    cr_assert(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 3);
    /* The first retry waits 0.5 s +/- 50 %. */
    int64_t gap = fx.sink.requests[1].at - fx.sink.requests[0].at;
    cr_assert(gap >= 240 * NS_PER_MS && gap <= 900 * NS_PER_MS, "gap %lld ms",
              (long long)(gap / NS_PER_MS));
    const struct notify_kind_metrics *m = &fx.env.metrics.kinds[NOTIFY_WEBHOOK];
    cr_assert_eq(m->notifications, 1);
    cr_assert_eq(m->notifications_failed, 0);
    cr_assert_eq(m->requests, 3);
    cr_assert_eq(m->requests_failed, 2);
    cr_assert_eq(nflog_count(fx.nflog), 1);
    pfx_free(&fx);
}

Test(pipeline, a_4xx_is_not_retried)
{
    struct pipeline_fx fx;
    pfx_init(&fx, one_webhook);
    fx.sink.statuses[0] = 400;
    fx.sink.n_statuses = 1;
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 10000, 5000);
    cr_assert_not(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 1);
    const struct notify_kind_metrics *m = &fx.env.metrics.kinds[NOTIFY_WEBHOOK];
    cr_assert_eq(m->notifications_failed, 1);
    cr_assert_eq(m->requests_failed, 1);
    cr_assert_eq(nflog_count(fx.nflog), 0, "a failed notification is not logged");
    pfx_free(&fx);
}

Test(pipeline, retrying_stops_at_the_deadline)
{
    struct pipeline_fx fx;
    pfx_init(&fx, one_webhook);
    fx.sink.statuses[0] = 500;
    fx.sink.n_statuses = 1;
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 1200, 5000);
    cr_assert_not(fx.ok);
    int64_t took = fx.finished - fx.started;
    cr_assert(took >= 1100 * NS_PER_MS && took < 2500 * NS_PER_MS, "took %lld ms",
              (long long)(took / NS_PER_MS));
    cr_assert_geq(fx.sink.n_requests, 2);
    cr_assert_eq(fx.env.metrics.kinds[NOTIFY_WEBHOOK].notifications_failed, 1);
    pfx_free(&fx);
}

Test(pipeline, integrations_run_in_parallel_and_all_must_succeed)
{
    struct pipeline_fx fx;
    pfx_init(&fx, ROUTE "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("one", "true")
                      WEBHOOK("two", "true"));
    /* Whichever arrives first fails for good; the other still gets sent. */
    fx.sink.statuses[0] = 404;
    fx.sink.statuses[1] = 200;
    fx.sink.n_statuses = 2;
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 5000, 5000);
    cr_assert_not(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 2);
    cr_assert_neq(strcmp(fx.sink.requests[0].path, fx.sink.requests[1].path), 0);
    cr_assert_eq(nflog_count(fx.nflog), 1, "the branch that succeeded is logged");
    pfx_free(&fx);
}

Test(pipeline, silenced_and_inhibited_alerts_are_dropped_and_marked)
{
    struct pipeline_fx fx;
    pfx_init(&fx, ROUTE "inhibit_rules:\n  - source_matchers: ['instance=\"src\"']\n"
                        "    target_matchers: ['instance=\"tgt\"']\n"
                        "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("hook", "true"));
    struct silence s;
    silence_init(&s);
    char *err = NULL;
    cr_assert_eq(matchers_parse("{instance=\"sil\"}", &s.matchers, &err), 0, "%s", err);
    s.starts_at = time_now() - NS_PER_SEC;
    s.ends_at = time_now() + 3600 * NS_PER_SEC;
    char id[37];
    cr_assert_eq(silences_set(fx.silences, &s, time_now(), id, &err), 0, "%s", err);
    silence_free(&s);
    pfx_alert(&fx, "src", false, true);
    pfx_alert(&fx, "tgt", false, true);
    pfx_alert(&fx, "sil", false, true);
    pfx_flush(&fx, 5000, 5000);
    cr_assert(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 1);
    const char *body = fx.sink.requests[0].body;
    cr_assert_not_null(strstr(body, "\"instance\":\"src\""));
    cr_assert_null(strstr(body, "\"instance\":\"tgt\""), "%s", body);
    cr_assert_null(strstr(body, "\"instance\":\"sil\""), "%s", body);

    const struct alert_status *st = alert_store_status(fx.store, fx.alerts[1].fingerprint);
    cr_assert(st && st->n_inhibited == 1 && st->inhibited_by[0] == fx.alerts[0].fingerprint);
    cr_assert_eq(st->state, ALERT_SUPPRESSED);
    st = alert_store_status(fx.store, fx.alerts[2].fingerprint);
    cr_assert(st && st->n_silenced == 1 && strcmp(st->silenced_by[0], id) == 0);
    st = alert_store_status(fx.store, fx.alerts[0].fingerprint);
    cr_assert(st && st->state == ALERT_ACTIVE && st->n_silenced == 0 && st->n_inhibited == 0);
    pfx_free(&fx);
}

Test(pipeline, mute_and_active_time_intervals_drop_the_whole_group)
{
    static const char *const yamls[] = {
        /* muted all week */
        "route:\n  receiver: wh\n  group_by: [alertname]\n"
        "  routes:\n    - matchers: ['alertname=\"A\"']\n      mute_time_intervals: [always]\n"
        "time_intervals:\n  - name: always\n    time_intervals:\n"
        "      - weekdays: ['sunday:saturday']\n"
        "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("hook", "true"),
        /* active only in a past year */
        "route:\n  receiver: wh\n  group_by: [alertname]\n"
        "  routes:\n    - matchers: ['alertname=\"A\"']\n      active_time_intervals: [past]\n"
        "time_intervals:\n  - name: past\n    time_intervals:\n      - years: ['2001']\n"
        "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("hook", "true"),
    };
    for (size_t i = 0; i < ARRAY_SIZE(yamls); i++) {
        struct pipeline_fx fx;
        pfx_init(&fx, yamls[i]);
        pfx_alert(&fx, "a", false, false);
        pfx_flush(&fx, 5000, 5000);
        cr_assert(fx.ok, "case %zu", i);
        pfx_run_for(&fx, 50);
        cr_assert_eq(fx.sink.n_requests, 0, "case %zu", i);
        cr_assert_eq(nflog_count(fx.nflog), 0, "case %zu", i);
        pfx_free(&fx);
    }
}

Test(pipeline, resolved_only_without_send_resolved_is_logged_not_sent)
{
    struct pipeline_fx fx;
    pfx_init(&fx, ROUTE "receivers:\n  - name: wh\n    webhook_configs:\n" WEBHOOK("hook", "false"));
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 5000, 5000);
    cr_assert_eq(fx.sink.n_requests, 1);
    fx.alerts[0].ends_at = time_now() - NS_PER_SEC;
    pfx_flush(&fx, 5000, 5000);
    cr_assert(fx.ok);
    cr_assert_eq(fx.sink.n_requests, 1, "the resolve is not sent");
    const struct nflog_entry *e = NULL;
    struct nflog_receiver r = {"wh", "webhook", 0};
    e = nflog_query(fx.nflog, "{}:{alertname=\"A\"}", &r);
    cr_assert(e && e->firing.len == 0 && e->resolved.len == 1, "the log forgets the alert");
    cr_assert_eq(fx.env.metrics.kinds[NOTIFY_WEBHOOK].notifications, 1);
    pfx_free(&fx);
}

/* A flush whose webhook answered 500 once and now waits in backoff. */
static void pfx_start_in_backoff(struct pipeline_fx *fx)
{
    pfx_init(fx, one_webhook);
    fx->sink.statuses[0] = 500;
    fx->sink.n_statuses = 1;
    pfx_alert(fx, "a", false, false);
    pfx_flush_start(fx, 30000);
    for (int i = 0; i < 200 && fx->sink.n_requests == 0; i++)
        pfx_run_for(fx, 10);
}

Test(pipeline, cancel_all_ends_flushes_in_backoff)
{
    struct pipeline_fx fx;
    pfx_start_in_backoff(&fx);
    cr_assert_eq(fx.sink.n_requests, 1);
    pfx_run_for(&fx, 20);
    cr_assert_eq(notify_in_flight(&fx.env), 1);
    notify_cancel_all(&fx.env);
    pfx_wait(&fx, 1000);
    cr_assert_eq(fx.done_calls, 1);
    cr_assert_not(fx.ok);
    cr_assert_eq(notify_in_flight(&fx.env), 0);
    pfx_free(&fx);
}

Test(pipeline, cancel_generation_ends_only_that_generations_flushes)
{
    struct pipeline_fx fx;
    pfx_start_in_backoff(&fx);
    struct notify_generation other = {NULL, NULL, NULL};
    notify_cancel_generation(&fx.env, &other);
    pfx_run_for(&fx, 50);
    cr_assert_eq(fx.done_calls, 0, "another generation's cancel left it running");
    notify_cancel_generation(&fx.env, &fx.gen);
    pfx_wait(&fx, 1000);
    cr_assert_eq(fx.done_calls, 1);
    cr_assert_not(fx.ok);
    pfx_free(&fx);
}

/* Opsgenie's update_alerts: the follow-up requests go out in order after the
 * first one succeeded, all within one attempt. */
Test(pipeline, follow_up_requests_are_sent_in_order)
{
    struct pipeline_fx fx;
    pfx_init(&fx, ROUTE "receivers:\n  - name: wh\n    opsgenie_configs:\n"
                        "      - api_key: k\n        api_url: http://127.0.0.1:%1$d/og/\n"
                        "        update_alerts: true\n");
    pfx_alert(&fx, "a", false, false);
    pfx_flush(&fx, 5000, 5000);
    cr_assert(fx.ok);
    cr_assert_geq(fx.sink.n_requests, 2, "%zu requests", fx.sink.n_requests);
    cr_assert_str_eq(fx.sink.requests[0].path, "/og/v2/alerts");
    for (size_t i = 1; i < fx.sink.n_requests; i++)
        cr_assert_not_null(strstr(fx.sink.requests[i].path, "identifierType=alias"), "%s",
                           fx.sink.requests[i].path);
    const struct notify_kind_metrics *m = &fx.env.metrics.kinds[NOTIFY_OPSGENIE];
    cr_assert_eq(m->requests, 1, "one attempt, however many requests");
    cr_assert_eq(m->notifications, 1);
    pfx_free(&fx);
}
