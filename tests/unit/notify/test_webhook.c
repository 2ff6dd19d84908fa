/* The webhook payload against what Alertmanager 0.25 sent (fixtures). */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static void check_webhook(const char *scenario, const char *receiver, uint32_t idx)
{
    struct integ_fixture f;
    integ_load(&f, scenario, receiver, 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_WEBHOOK, idx);
    struct notify_group g;
    struct alert *kept;
    integ_group_for(&f, in, &g, &kept);
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(in, f.tmpl, &g, &m, &retry, &err), 0, "%s", err);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "/%s/%s", scenario, idx ? "webhook" : "ref");
    integ_check_http(&m.http, integ_request(&f, prefix, 0));
    notify_message_free(&m);
    free(kept);
    integ_free(&f);
}

Test(webhook, quoted_receiver_unicode_html_and_resolved_alerts)
{
    check_webhook("wh_basic", "wh-basic.team+(a)|[b]", 1);
}

Test(webhook, send_resolved_false_drops_resolved_alerts)
{
    check_webhook("wh_noresolved", "wh_noresolved", 1);
}

Test(webhook, max_alerts_truncates_and_counts)
{
    check_webhook("wh_max", "wh_max", 1);
}

Test(webhook, reference_webhooks_of_every_scenario)
{
    check_webhook("resolve", "resolve", 0);
    check_webhook("email_default", "email_default", 0);
    check_webhook("telegram_html", "telegram_html", 0);
}

Test(webhook, integration_order_and_labels)
{
    struct integ_fixture f;
    integ_load(&f, "resolve", "resolve", 0);
    static const char *const want[] = {"webhook[0]", "pagerduty[0]", "opsgenie[0]", "slack[0]",
                                       "telegram[0]", "discord[0]"};
    cr_assert_eq(f.n_integrations, ARRAY_SIZE(want));
    for (size_t i = 0; i < f.n_integrations; i++) {
        struct strbuf sb = STRBUF_INIT;
        notify_integration_label(&f.integrations[i], &sb);
        cr_expect_str_eq(strbuf_cstr(&sb), want[i]);
        strbuf_free(&sb);
    }
    integ_free(&f);
}

Test(webhook, status_judged_as_0_25)
{
    struct integ_fixture f;
    integ_load(&f, "wh_basic", "wh-basic.team+(a)|[b]", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_WEBHOOK, 1);
    struct notify_message m = {0};
    bool retry;
    char *err = NULL;
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 204};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), 0);
    r.status = 500;
    r.body = "oops";
    r.body_len = 4;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err,
                     "unexpected status code 500: http://127.0.0.1:19471/wh_basic/webhook: oops");
    free(err);
    r.status = 404;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(!retry);
    free(err);
    r = (struct outbound_http_response){.result = OUTBOUND_TRANSPORT,
                                        .error = "Post \"x\": connection refused"};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "Post \"x\": connection refused");
    free(err);
    integ_free(&f);
}
