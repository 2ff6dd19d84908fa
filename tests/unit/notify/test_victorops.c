/* VictorOps requests against what Alertmanager 0.25 sent. */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(victorops, templated_routing_key_custom_fields_and_20480_rune_state_message)
{
    /* The API key goes into the path as written (0.25 does not template
     * it); WARNING is a type VictorOps knows, so it is kept. */
    integ_check_kind("vo_full", NOTIFY_VICTOROPS, 0, NULL);
}

Test(victorops, unknown_message_type_becomes_critical)
{
    integ_check_kind("vo_min", NOTIFY_VICTOROPS, 0, NULL);
}

Test(victorops, resolved_is_a_recovery_of_the_same_entity)
{
    integ_check_kind("vo_resolve", NOTIFY_VICTOROPS, 0, NULL);
    integ_check_kind("vo_resolve", NOTIFY_VICTOROPS, 1, NULL);
}

static void bad_routing_key(struct config_victorops *c) { c->routing_key = "{{ .Nope }}"; }
static void bad_custom_field(struct config_victorops *c)
{
    static struct config_kv kv = {"f", "{{ .Nope }}"};
    c->custom_fields = (struct config_strmap){&kv, 1};
}
static void missing_key_file(struct config_victorops *c)
{
    c->api_key = NULL;
    c->api_key_file = "/nonexistent/vo-key";
}

static char *build_error(void (*edit)(struct config_victorops *), bool want_retry)
{
    struct integ_fixture f;
    integ_load(&f, "vo_min", "vo_min", 0);
    struct config_victorops conf = *(const struct config_victorops *)integ_find(
                                                &f, NOTIFY_VICTOROPS, 0)->conf;
    edit(&conf);
    struct notify_integration in = *integ_find(&f, NOTIFY_VICTOROPS, 0);
    in.conf = &conf;
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(&in, f.tmpl, &f.group, &m, &retry, &err), -1);
    cr_assert_eq(retry, want_retry, "%s", err);
    integ_free(&f);
    return err;
}

/* All three checked against 0.25's log. */
Test(victorops, build_errors_as_0_25_words_them)
{
    const char *nope = "templating error: template: :1:3: executing \"\" at <.Nope>: can't "
                       "evaluate field Nope in type *template.Data";
    char *err = build_error(bad_routing_key, false);
    cr_expect_str_eq(err, nope);
    free(err);
    err = build_error(bad_custom_field, true);
    cr_expect_str_eq(err, nope);
    free(err);
    err = build_error(missing_key_file, false);
    cr_expect_str_eq(err, "failed to read API key from file: open /nonexistent/vo-key: no such "
                          "file or directory");
    free(err);
}

Test(victorops, transport_errors_hide_the_url_with_the_key)
{
    struct integ_fixture f;
    integ_load(&f, "vo_min", "vo_min", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_VICTOROPS, 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_VICTOROPS, 0, &m);
    char *error = xasprintf("Post \"%s\": connection refused", m.http.url);
    struct outbound_http_response r = {.result = OUTBOUND_TRANSPORT, .error = error};
    bool retry;
    char *err = NULL;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "Post \"<redacted>\": connection refused");
    free(err);
    free(error);
    notify_message_free(&m);
    integ_free(&f);
}
