/*
 * Receivers: every 0.25 integration type parses into its struct with its
 * defaults, takes what it lacks from `global`, and counts as an integration.
 */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>

Test(receivers, all_types_parse_with_their_send_resolved_defaults)
{
    struct config *c = fixture_load("valid/all-integrations.yml");
    const struct config_receiver *r = config_receiver_find(c, "a");
    cr_assert_not_null(r);
    cr_expect_eq(config_receiver_integrations(r), 12);
    cr_expect_eq(config_integration_count(c), 12);
    cr_expect(r->webhook[0].send_resolved);
    cr_expect_not(r->email[0].send_resolved);
    cr_expect_not(r->slack[0].send_resolved);
    cr_expect(r->telegram[0].send_resolved);
    cr_expect(r->pagerduty[0].send_resolved);
    cr_expect(r->opsgenie[0].send_resolved);
    cr_expect(r->victorops[0].send_resolved);
    cr_expect_not(r->wechat[0].send_resolved);
    cr_expect(r->pushover[0].send_resolved);
    cr_expect(r->sns[0].send_resolved);
    cr_expect(r->webex[0].send_resolved);
    cr_expect(r->discord[0].send_resolved);
    cr_expect_eq(r->webhook[0].max_alerts, 3);
    cr_expect_str_eq(r->telegram[0].parse_mode, "HTML");
    cr_expect_eq(r->telegram[0].chat_id, 123);
    cr_expect_eq(r->pushover[0].retry, 120 * NS_PER_SEC);
    cr_expect_eq(r->pushover[0].expire, 7200 * NS_PER_SEC);
    cr_expect_str_eq(r->wechat[0].message_type, "markdown");
    cr_expect_str_eq(r->victorops[0].message_type, "CRITICAL");
    cr_expect_str_eq(r->discord[0].webhook_url, "http://d/");
    cr_expect_str_eq(r->sns[0].sigv4.region, "r");
    config_free(c);
}

Test(receivers, globals_fill_urls_keys_and_http_config)
{
    struct config *c = fixture_load("valid/global-defaults.yml");
    const struct config_receiver *r = config_receiver_get(c, 0);
    cr_assert_not_null(r);
    cr_expect_str_eq(r->slack[0].api_url, "http://s");
    cr_expect_str_eq(r->opsgenie[0].api_key, "k");
    cr_expect_str_eq(r->opsgenie[0].api_url, "https://api.opsgenie.com/");
    cr_expect_str_eq(r->victorops[0].api_key, "v");
    cr_expect_str_eq(r->wechat[0].api_secret, "w");
    cr_expect_str_eq(r->wechat[0].corp_id, "c");
    cr_expect_str_eq(r->pagerduty[0].url, "https://events.pagerduty.com/v2/enqueue");
    cr_expect_str_eq(r->telegram[0].api_url, "https://api.telegram.org");
    cr_expect_str_eq(r->webex[0].api_url, "https://webexapis.com/v1/messages");
    cr_assert_not_null(r->slack[0].http_config);
    cr_expect(r->slack[0].http_config->follow_redirects);
    cr_expect(r->slack[0].http_config->enable_http2);
    const struct config_email *e = &r->email[0];
    cr_expect_str_eq(e->smarthost, "h:25");
    cr_expect_str_eq(e->from, "f");
    cr_expect_str_eq(e->hello, "localhost");
    cr_expect(e->require_tls);
    cr_expect_str_eq(e->html, "{{ template \"email.default.html\" . }}");
    cr_assert_eq(e->headers.len, 3);
    cr_expect_str_eq(e->headers.items[0].key, "From");
    cr_expect_str_eq(e->headers.items[1].key, "Subject");
    cr_expect_str_eq(e->headers.items[2].key, "To");
    config_free(c);
}

Test(receivers, pagerduty_details_and_source_defaults)
{
    struct config *c = yaml_load("route: {receiver: a}\nreceivers:\n- name: a\n"
                                 "  pagerduty_configs:\n  - routing_key: k\n"
                                 "    client: me\n    details: {firing: mine}\n");
    const struct config_pagerduty *pd = &config_receiver_get(c, 0)->pagerduty[0];
    cr_expect_str_eq(pd->source, "me");
    cr_assert_eq(pd->details.len, 4);
    cr_expect_str_eq(pd->details.items[0].key, "firing");
    cr_expect_str_eq(pd->details.items[0].value, "mine");
    config_free(c);
}

Test(receivers, bearer_token_becomes_authorization)
{
    struct config *c = yaml_load("route: {receiver: a}\nreceivers:\n- name: a\n"
                                 "  webhook_configs:\n  - url: http://x/\n"
                                 "    http_config: {bearer_token: tok}\n");
    const struct config_http *h = config_receiver_get(c, 0)->webhook[0].http_config;
    cr_assert_not_null(h->authorization);
    cr_expect_str_eq(h->authorization->type, "Bearer");
    cr_expect_str_eq(h->authorization->credentials, "tok");
    cr_expect_null(h->bearer_token);
    cr_expect_not_null(strstr(config_original(c), "credentials: <secret>"));
    cr_expect_null(strstr(config_original(c), "tok"));
    config_free(c);
}

Test(receivers, email_headers_are_canonical_and_unique)
{
    char *err = yaml_error("global: {smtp_smarthost: 'h:1', smtp_from: f}\n"
                           "route: {receiver: a}\nreceivers:\n- name: a\n"
                           "  email_configs:\n  - to: t\n    headers: {x-foo: 1, X-FOO: 2}\n");
    cr_expect_str_eq(err, "test.yml:6: receivers[0].email_configs[0]: duplicate header "
                          "\"X-Foo\" in email config");
    free(err);
}

Test(receivers, accessors_report_names_and_counts)
{
    struct config *c = fixture_load("valid/simple.yml");
    cr_assert_eq(config_receiver_count(c), 5);
    struct config_receiver_info i1 = config_receiver_at(c, 1);
    cr_expect_str_eq(i1.name, "team-X-pager");
    cr_expect_eq(i1.n_integrations, 2);
    cr_expect_null(config_receiver_find(c, "nobody"));
    cr_expect_null(config_receiver_get(c, 5));
    cr_expect_eq(config_integration_count(c), 6);
    config_free(c);
}

Test(receivers, a_receiver_without_integrations_is_valid)
{
    struct config *c = yaml_load("route: {receiver: a}\nreceivers:\n- name: a\n");
    cr_expect_eq(config_receiver_at(c, 0).n_integrations, 0);
    config_free(c);
}

Test(receivers, url_errors_use_gos_texts)
{
    char *err = yaml_error("route: {receiver: a}\nreceivers:\n- name: a\n"
                           "  webhook_configs:\n  - url: 'http://x:y/'\n");
    cr_expect_str_eq(err, "test.yml:5: receivers[0].webhook_configs[0].url: "
                          "parse \"http://x:y/\": invalid port \":y\" after host");
    free(err);
    err = yaml_error("route: {receiver: a}\nreceivers:\n- name: a\n"
                     "  webhook_configs:\n  - url: 'http://'\n");
    cr_expect_str_eq(err, "test.yml:5: receivers[0].webhook_configs[0].url: "
                          "missing host for URL");
    free(err);
}
