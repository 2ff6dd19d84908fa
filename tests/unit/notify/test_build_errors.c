/* Build failures: template errors and secret files, worded per notifier as
 * 0.25's source words them; none is retried. */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#define NOPE                                                                             \
    "template: :1:3: executing \"\" at <.Nope>: can't evaluate field Nope in type "     \
    "*template.Data"

/* Builds kind[0] of the scenario with its config changed by edit(conf). */
static char *build_error(const char *scenario, enum notify_kind kind, size_t conf_size,
                         void (*edit)(void *conf))
{
    struct integ_fixture f;
    integ_load(&f, scenario, scenario, 0);
    const struct notify_integration *in = integ_find(&f, kind, 0);
    void *conf = xmalloc(conf_size);
    memcpy(conf, in->conf, conf_size);
    edit(conf);
    struct notify_integration mine = *in;
    mine.conf = conf;
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(&mine, f.tmpl, &f.group, &m, &retry, &err), -1, "%s built", scenario);
    cr_assert(!retry, "%s: %s retried", scenario, err);
    free(conf);
    integ_free(&f);
    return err;
}

static void expect_error(char *got, const char *want)
{
    cr_expect_str_eq(got, want);
    free(got);
}

static void slack_bad_title(void *c) { ((struct config_slack *)c)->title = "{{ .Nope }}"; }
static void slack_missing_file(void *c)
{
    ((struct config_slack *)c)->api_url = NULL;
    ((struct config_slack *)c)->api_url_file = "/nonexistent/slack-url";
}
static void telegram_bad(void *c) { ((struct config_telegram *)c)->message = "{{ .Nope }}"; }
static void discord_bad(void *c) { ((struct config_discord *)c)->title = "{{ .Nope }}"; }
static void pd_bad_description(void *c)
{
    ((struct config_pagerduty *)c)->description = "{{ .Nope }}";
}
static struct config_kv bad_detail = {"k", "{{ .Nope }}"};
static void pd_bad_detail(void *c)
{
    ((struct config_pagerduty *)c)->details = (struct config_strmap){&bad_detail, 1};
}
static void pd_empty_key(void *c) { ((struct config_pagerduty *)c)->routing_key = "{{ \"\" }}"; }
static void pd_missing_file(void *c)
{
    ((struct config_pagerduty *)c)->routing_key = NULL;
    ((struct config_pagerduty *)c)->routing_key_file = "/nonexistent/rk";
}
static void og_bad_message(void *c) { ((struct config_opsgenie *)c)->message = "{{ .Nope }}"; }
static void og_missing_file(void *c)
{
    ((struct config_opsgenie *)c)->api_key = NULL;
    ((struct config_opsgenie *)c)->api_key_file = "/nonexistent/key";
}

Test(build_errors, raw_template_errors)
{
    expect_error(build_error("slack_min", NOTIFY_SLACK, sizeof(struct config_slack),
                             slack_bad_title),
                 NOPE);
    expect_error(build_error("telegram_md", NOTIFY_TELEGRAM, sizeof(struct config_telegram),
                             telegram_bad),
                 NOPE);
    expect_error(build_error("discord_basic", NOTIFY_DISCORD, sizeof(struct config_discord),
                             discord_bad),
                 NOPE);
}

Test(build_errors, pagerduty)
{
    size_t size = sizeof(struct config_pagerduty);
    expect_error(build_error("pd_min", NOTIFY_PAGERDUTY, size, pd_bad_description),
                 "failed to template PagerDuty v2 message: " NOPE);
    expect_error(build_error("pd_min", NOTIFY_PAGERDUTY, size, pd_bad_detail),
                 "\"k\": failed to template \"{{ .Nope }}\": " NOPE);
    expect_error(build_error("pd_min", NOTIFY_PAGERDUTY, size, pd_empty_key),
                 "routing key cannot be empty");
    expect_error(build_error("pd_min", NOTIFY_PAGERDUTY, size, pd_missing_file),
                 "failed to read routing key from file: open /nonexistent/rk: no such file or "
                 "directory");
}

Test(build_errors, opsgenie_and_slack_files)
{
    expect_error(build_error("og_min", NOTIFY_OPSGENIE, sizeof(struct config_opsgenie),
                             og_bad_message),
                 "templating error: " NOPE);
    expect_error(build_error("og_min", NOTIFY_OPSGENIE, sizeof(struct config_opsgenie),
                             og_missing_file),
                 "read key_file error: open /nonexistent/key: no such file or directory");
    expect_error(build_error("slack_min", NOTIFY_SLACK, sizeof(struct config_slack),
                             slack_missing_file),
                 "open /nonexistent/slack-url: no such file or directory");
}

Test(build_errors, unsupported_kind)
{
    /* Past the last kind: the fallback every kind without a builder takes. */
    struct notify_integration in = {.kind = NOTIFY_KIND_COUNT};
    struct notify_message m;
    bool retry = true;
    char *err = NULL;
    struct notify_group g = {0};
    cr_assert_eq(notify_build(&in, NULL, &g, &m, &retry, &err), -1);
    cr_assert(!retry);
    cr_assert_str_eq(err, "unknown: integration not supported yet by chorus");
    free(err);
}

/* Secrets read from files as 0.25 read them in the capture: Slack's URL and
 * PagerDuty's key trimmed, Opsgenie's key as is.  The paths are relative and
 * the capture ran 0.25 in the fixtures folder, so this test runs there too
 * (Criterion runs each test in its own process). */
Test(build_errors, secrets_from_files_as_captured)
{
    cr_assert_eq(chdir(CHORUS_TEST_FIXTURES "/notify"), 0);
    integ_check_scenario("files", "files", NOTIFY_SLACK, "/files/slack", 0);
    integ_check_scenario("files", "files", NOTIFY_PAGERDUTY, "/files/pagerduty", 0);
    integ_check_scenario("files", "files", NOTIFY_OPSGENIE, "/files/opsgenie/", 0);
}
