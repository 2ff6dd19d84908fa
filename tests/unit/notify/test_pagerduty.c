/* PagerDuty events against what Alertmanager 0.25 sent (v2), and v1 from
 * 0.25's source (its v1 URL is fixed, so no local capture). */
#include "integ_fixture.h"

#include "notify/integrations_internal.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(pagerduty, v2_every_field_summary_truncated_empty_images_and_links_dropped)
{
    integ_check_scenario("pd_full", "pd_full", NOTIFY_PAGERDUTY, "/pd_full/pagerduty", 0);
}

Test(pagerduty, v2_defaults)
{
    integ_check_scenario("pd_min", "pd_min", NOTIFY_PAGERDUTY, "/pd_min/pagerduty", 0);
}

Test(pagerduty, v2_trigger_then_resolve_same_dedup_key)
{
    integ_check_scenario("resolve", "resolve", NOTIFY_PAGERDUTY, "/resolve/pagerduty", 0);
    integ_check_scenario("resolve", "resolve", NOTIFY_PAGERDUTY, "/resolve/pagerduty", 1);
}

Test(pagerduty, v1_service_key_event)
{
    struct integ_fixture f;
    integ_load(&f, "pd_min", "pd_min", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_PAGERDUTY, 0);
    struct config_pagerduty c = *(const struct config_pagerduty *)in->conf;
    c.routing_key = NULL;
    c.service_key = "sk-{{ .GroupLabels.scenario }}";
    c.description = "d <{{ .Status }}>";
    struct config_kv kv = {"k", "v"};
    c.details = (struct config_strmap){&kv, 1};
    struct notify_integration v1 = *in;
    v1.conf = &c;
    struct notify_message m;
    bool retry;
    char *err = NULL;
    cr_assert_eq(notify_build(&v1, f.tmpl, &f.group, &m, &retry, &err), 0, "%s", err);
    cr_assert_str_eq(m.http.url,
                     "https://events.pagerduty.com/generic/2010-04-15/create_event.json");
    char hash[65];
    struct strbuf want = STRBUF_INIT;
    /* sha256 of the group key, as 0.25's Key.Hash. */
    notify_key_hash(f.group_key, hash);
    strbuf_printf(&want,
                  "{\"service_key\":\"sk-pd_min\",\"incident_key\":\"%s\","
                  "\"event_type\":\"trigger\",\"description\":\"d \\u003cfiring\\u003e\","
                  "\"event_action\":\"\",\"payload\":null,"
                  "\"client\":\"Alertmanager\",\"client_url\":\"http://am.example:9093/#/alerts?"
                  "receiver=pd_min\",\"details\":{\"k\":\"v\"}}\n",
                  hash);
    cr_assert_str_eq(m.http.body, want.buf);
    strbuf_free(&want);

    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 403};
    cr_assert_eq(notify_judge_http(&v1, &m, &r, &retry, &err), -1);
    cr_assert(retry, "v1 retries 403");
    cr_assert_str_eq(err, "unexpected status code 403");
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}

Test(pagerduty, v2_status_judging)
{
    struct integ_fixture f;
    integ_load(&f, "pd_min", "pd_min", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_PAGERDUTY, 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_PAGERDUTY, 0, &m);
    bool retry;
    char *err = NULL;
    const char *body = "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
                       "\"errors\":[\"Length of 'routing_key' is incorrect\",\"x\"]}";
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 400, .body = body,
                                       .body_len = strlen(body)};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(!retry);
    cr_assert_str_eq(err, "unexpected status code 400: Event object is invalid: Length of "
                          "'routing_key' is incorrect,x");
    free(err);
    r.status = 429;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "unexpected status code 429");
    free(err);
    r = (struct outbound_http_response){.result = OUTBOUND_TRANSPORT, .error = "Post \"u\": EOF"};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert_str_eq(err, "failed to post message to PagerDuty: Post \"u\": EOF");
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}

Test(pagerduty, oversized_event_loses_its_details)
{
    struct integ_fixture f;
    integ_load(&f, "pd_min", "pd_min", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_PAGERDUTY, 0);
    struct config_pagerduty c = *(const struct config_pagerduty *)in->conf;
    char *big = xmalloc(600001);
    memset(big, 'x', 600000);
    big[600000] = '\0';
    struct config_kv kv = {"big", big};
    c.details = (struct config_strmap){&kv, 1};
    struct notify_integration mine = *in;
    mine.conf = &c;
    struct notify_message m;
    bool retry;
    char *err = NULL;
    cr_assert_eq(notify_build(&mine, f.tmpl, &f.group, &m, &retry, &err), 0, "%s", err);
    cr_assert_not_null(strstr(m.http.body, "\"custom_details\":{\"error\":\"Custom details have "
                                           "been removed because the original event exceeds "
                                           "the maximum size of 512KB\"}"));
    cr_assert_lt(m.http.body_len, 4096);
    free(big);
    notify_message_free(&m);
    integ_free(&f);
}
