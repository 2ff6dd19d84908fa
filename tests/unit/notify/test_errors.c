/* Status judging against Alertmanager 0.25: errors.json holds, per receiver
 * of errors.yml, the status and body its sink answered, and the error text
 * and retry decision 0.25 logged (see capture.py; errors_more.* the same
 * for capture_more.py's kinds). */
#include "notify/notify.h"

#include "config/config.h"
#include "template/template.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>

#define FIXTURES CHORUS_TEST_FIXTURES "/notify/"

/* Replays every case of a <name>.yml/<name>.json pair. */
static void replay(const char *name_of_pair, size_t at_least)
{
    struct config *c = NULL;
    char *err = NULL;
    char path[256];
    snprintf(path, sizeof path, FIXTURES "%s.yml", name_of_pair);
    cr_assert_eq(config_load_file(path, &c, &err), 0, "%s", err);
    struct template_set *tmpl = notify_templates_load(c, &err);
    cr_assert_not_null(tmpl, "%s", err);
    json_error_t jerr;
    snprintf(path, sizeof path, FIXTURES "%s.json", name_of_pair);
    json_t *cases = json_load_file(path, 0, &jerr);
    cr_assert_not_null(cases, "%s", jerr.text);

    struct alert a;
    alert_init(&a);
    labelset_set(&a.labels, "alertname", "E");
    a.starts_at = 0;
    a.ends_at = TIME_ZERO;
    a.fingerprint = labelset_fingerprint(&a.labels);
    const char *name;
    json_t *want;
    size_t checked = 0;
    json_object_foreach(cases, name, want)
    {
        const struct config_receiver *r = config_receiver_find(c, name);
        cr_assert_not_null(r, "%s", name);
        size_t n;
        struct notify_integration *ins = notify_integrations(r, &n);
        cr_assert_eq(n, 1);
        struct labelset gl = LABELSET_INIT;
        labelset_set(&gl, "scenario", name);
        struct notify_group g = {.receiver = name, .group_key = "{}:{}", .group_labels = &gl,
                                 .alerts = &a, .n_alerts = 1, .external_url = "http://x",
                                 .now = time_now()};
        struct notify_message m;
        bool retry;
        cr_assert_eq(notify_build(&ins[0], tmpl, &g, &m, &retry, &err), 0, "%s: %s", name, err);
        const char *body = json_string_value(json_object_get(want, "body"));
        struct outbound_http_response resp = {
            .result = OUTBOUND_OK,
            .status = (long)json_integer_value(json_object_get(want, "status")),
            .body = body,
            .body_len = strlen(body),
        };
        cr_assert_eq(notify_judge_http(&ins[0], &m, &resp, &retry, &err), -1, "%s", name);
        cr_expect_str_eq(err, json_string_value(json_object_get(want, "err")), "%s", name);
        cr_expect_eq(retry, json_is_true(json_object_get(want, "retry")), "%s: retry", name);
        free(err);
        notify_message_free(&m);
        labelset_free(&gl);
        free(ins);
        checked++;
    }
    cr_assert_geq(checked, at_least);
    alert_free(&a);
    json_decref(cases);
    template_set_free(tmpl);
    config_free(c);
}

Test(errors, status_texts_and_retries_as_0_25_logged_them)
{
    replay("errors", 10);
}

/* VictorOps, Webex and SNS (capture_more.py). */
Test(errors, more_kinds_as_0_25_logged_them)
{
    replay("errors_more", 4);
}
