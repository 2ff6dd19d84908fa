/*
 * msteams_configs, which Alertmanager 0.26 added (summary: 0.27) and 0.25
 * refuses: chorus accepts them as a deliberate extension
 * (docs/compatibility.md).  Defaults, global http_config, the missing-URL
 * error (0.26's config.Load text), the integration count and the
 * config.original rendering in the Go struct's key order.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "route: {receiver: t}\nreceivers:\n- name: t\n  msteams_configs:\n"

Test(msteams_config, defaults_and_global_http_config)
{
    struct config *c = yaml_load("global: {http_config: {bearer_token: tok}}\n" HEAD
                                 "  - webhook_url: http://127.0.0.1:9/hook\n");
    const struct config_receiver *r = config_receiver_find(c, "t");
    cr_assert_not_null(r);
    cr_assert_eq(r->n_msteams, 1);
    const struct config_msteams *m = &r->msteams[0];
    cr_expect(m->send_resolved);
    cr_expect_str_eq(m->webhook_url, "http://127.0.0.1:9/hook");
    cr_expect_str_eq(m->title, "{{ template \"msteams.default.title\" . }}");
    cr_expect_str_eq(m->summary, "{{ template \"msteams.default.summary\" . }}");
    cr_expect_str_eq(m->text, "{{ template \"msteams.default.text\" . }}");
    cr_assert_not_null(m->http_config);
    cr_assert_not_null(m->http_config->authorization);
    cr_expect_str_eq(m->http_config->authorization->credentials, "tok");
    cr_expect_eq(config_receiver_integrations(r), 1);
    cr_expect_eq(config_receiver_at(c, 0).n_integrations, 1);
    config_free(c);
}

Test(msteams_config, missing_webhook_url_is_refused)
{
    char *err = yaml_error(HEAD "  - title: x\n");
    cr_expect_not_null(strstr(err, "no msteams webhook URL provided"), "%s", err);
    free(err);
}

/* 0.27 names webhook_url_file but cannot load a config using it before 0.28;
 * chorus does not know the key. */
Test(msteams_config, webhook_url_file_is_not_a_key)
{
    char *err = yaml_error(HEAD "  - webhook_url_file: /x\n");
    cr_expect_not_null(strstr(err, "webhook_url_file"), "%s", err);
    free(err);
}

Test(msteams_config, original_in_go_key_order_with_url_hidden)
{
    struct config *c = yaml_load(HEAD "  - webhook_url: http://127.0.0.1:9/hook\n"
                                      "    send_resolved: false\n    summary: s\n");
    const char *want = "  msteams_configs:\n"
                       "  - send_resolved: false\n"
                       "    http_config:\n"
                       "      follow_redirects: true\n"
                       "      enable_http2: true\n"
                       "    webhook_url: <secret>\n"
                       "    title: '{{ template \"msteams.default.title\" . }}'\n"
                       "    summary: s\n"
                       "    text: '{{ template \"msteams.default.text\" . }}'\n";
    cr_expect_not_null(strstr(config_original(c), want), "%s", config_original(c));
    cr_expect_null(strstr(config_original(c), "127.0.0.1:9"));
    config_free(c);
}
