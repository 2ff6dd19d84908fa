/* Microsoft Teams MessageCards.  Alertmanager 0.25 has no msteams
 * integration and no 0.26/0.27 binary is installed, so nothing here was
 * captured: the expectations are derived by hand from Alertmanager's public
 * sources and stated per release:
 *  - payload keys and their order, "@context" "http://schema.org/extensions",
 *    "type" (not "@type") "MessageCard", themeColor 8C1A1A firing / 2DC72D
 *    resolved, a JSON body written by json.Encoder (trailing newline):
 *    0.26's notify/msteams/msteams.go; "summary", never omitted: 0.27;
 *  - msteams.default.title and .summary are "__subject" (0.26, 0.27);
 *    msteams.default.text, Markdown headings over "__text_alert_list_markdown"
 *    (two-space indented pairs, blank line before each heading): 0.26's
 *    template/default.tmpl;
 *  - template errors are not retried: 0.26 returns (false, err).
 * The alerts are the "resolve" scenario's (tests/fixtures/notify), whose
 * subject line 0.25's Discord capture confirms. */
#include "integ_fixture.h"

#include "config/config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define SUBJECT_FIRING "[FIRING:2] resolve (Flap critical)"
#define SUBJECT_RESOLVED "[RESOLVED] resolve (Flap critical)"

/* "__text_alert_list_markdown" of the scenario's two alerts, JSON-escaped. */
#define ALERT_MD(instance)                                                                  \
    "\\nLabels:\\n  - alertname = Flap\\n  - instance = " instance                          \
    "\\n  - scenario = resolve\\n  - severity = critical\\n\\nAnnotations:\\n"              \
    "  - summary = flapping \xe2\x98\x82\\n\\nSource: \\n"
#define LIST_MD ALERT_MD("r1") ALERT_MD("r2") "\\n"

#define HOOK "http://127.0.0.1:19471/resolve/msteams"

static struct config_msteams default_conf(void)
{
    return (struct config_msteams){
        .send_resolved = true,
        .webhook_url = HOOK,
        .title = "{{ template \"msteams.default.title\" . }}",
        .summary = "{{ template \"msteams.default.summary\" . }}",
        .text = "{{ template \"msteams.default.text\" . }}",
    };
}

/* Builds the card for the scenario's phase; returns 0 or -1 with *err. */
static int build(const struct config_msteams *conf, int phase, struct notify_message *m,
                 bool *retry, char **err)
{
    struct integ_fixture f;
    integ_load(&f, "resolve", "resolve", phase);
    struct notify_integration in = {
        .kind = NOTIFY_MSTEAMS,
        .send_resolved = conf->send_resolved,
        .conf = conf,
        .supported = true,
    };
    struct notify_group g;
    struct alert *kept;
    integ_group_for(&f, &in, &g, &kept);
    int rc = notify_build(&in, f.tmpl, &g, m, retry, err);
    free(kept);
    integ_free(&f);
    return rc;
}

static const char *header(const struct outbound_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (!strcasecmp(req->headers[i].name, name))
            return req->headers[i].value;
    return NULL;
}

static void expect_card(int phase, const char *want_body)
{
    struct config_msteams conf = default_conf();
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(build(&conf, phase, &m, &retry, &err), 0, "%s", err);
    const struct outbound_http_request *req = &m.http;
    cr_expect(!req->method || !strcmp(req->method, "POST"));
    cr_expect_str_eq(req->url, HOOK);
    cr_expect_str_eq(header(req, "Content-Type"), "application/json");
    cr_expect_not_null(header(req, "User-Agent"));
    cr_expect_eq(req->body_len, strlen(want_body));
    cr_expect_str_eq(req->body, want_body);
    notify_message_free(&m);
}

Test(msteams, firing_card_is_red_with_markdown_lists)
{
    expect_card(0, "{\"@context\":\"http://schema.org/extensions\",\"type\":\"MessageCard\","
                   "\"title\":\"" SUBJECT_FIRING "\",\"summary\":\"" SUBJECT_FIRING "\","
                   "\"text\":\"\\n\\n# Alerts Firing:\\n" LIST_MD "\\n\\n\\n\","
                   "\"themeColor\":\"8C1A1A\"}\n");
}

Test(msteams, resolved_card_is_green)
{
    expect_card(1, "{\"@context\":\"http://schema.org/extensions\",\"type\":\"MessageCard\","
                   "\"title\":\"" SUBJECT_RESOLVED "\",\"summary\":\"" SUBJECT_RESOLVED "\","
                   "\"text\":\"\\n\\n\\n# Alerts Resolved:\\n" LIST_MD "\\n\\n\","
                   "\"themeColor\":\"2DC72D\"}\n");
}

Test(msteams, custom_fields_and_html_escaping)
{
    struct config_msteams conf = default_conf();
    conf.title = "<{{ .Status }}>";
    conf.summary = "";
    conf.text = "a & b";
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(build(&conf, 0, &m, &retry, &err), 0, "%s", err);
    /* encoding/json escapes <, > and & by default; an empty summary stays. */
    cr_expect_str_eq(m.http.body, "{\"@context\":\"http://schema.org/extensions\","
                                  "\"type\":\"MessageCard\",\"title\":\"\\u003cfiring\\u003e\","
                                  "\"summary\":\"\",\"text\":\"a \\u0026 b\","
                                  "\"themeColor\":\"8C1A1A\"}\n");
    notify_message_free(&m);
}

Test(msteams, template_error_is_not_retried)
{
    struct config_msteams conf = default_conf();
    conf.text = "{{ .Nope }}";
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(build(&conf, 0, &m, &retry, &err), -1);
    cr_expect(!retry);
    cr_expect_not_null(strstr(err, "can't evaluate field Nope"), "%s", err);
    free(err);
}

Test(msteams, server_errors_retry_client_errors_do_not)
{
    struct config_msteams conf = default_conf();
    struct notify_integration in = {.kind = NOTIFY_MSTEAMS, .conf = &conf, .supported = true};
    struct notify_message m;
    bool retry = false;
    char *err = NULL;
    cr_assert_eq(build(&conf, 0, &m, &retry, &err), 0, "%s", err);
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 500, .body = "busy",
                                       .body_len = 4};
    cr_expect_eq(notify_judge_http(&in, &m, &r, &retry, &err), -1);
    cr_expect(retry);
    cr_expect_str_eq(err, "unexpected status code 500: busy");
    free(err);
    r.status = 400;
    cr_expect_eq(notify_judge_http(&in, &m, &r, &retry, &err), -1);
    cr_expect(!retry);
    free(err);
    r.status = 200;
    cr_expect_eq(notify_judge_http(&in, &m, &r, &retry, &err), 0);
    notify_message_free(&m);
}
