/* Slack payloads against what Alertmanager 0.25 sent. */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(slack, every_field_title_truncated_send_resolved_off)
{
    integ_check_scenario("slack_full", "slack_full", NOTIFY_SLACK, "/slack_full/slack", 0);
}

Test(slack, defaults)
{
    integ_check_scenario("slack_min", "slack_min", NOTIFY_SLACK, "/slack_min/slack", 0);
}

Test(slack, firing_then_resolved)
{
    integ_check_scenario("resolve", "resolve", NOTIFY_SLACK, "/resolve/slack", 0);
    integ_check_scenario("resolve", "resolve", NOTIFY_SLACK, "/resolve/slack", 1);
}

Test(slack, errors_name_the_channel_and_hide_the_url)
{
    struct integ_fixture f;
    integ_load(&f, "slack_min", "slack_min", 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_SLACK, 0, &m);
    bool retry;
    char *err = NULL;
    struct outbound_http_response r = {
        .result = OUTBOUND_OK, .status = 400, .body = "invalid_payload", .body_len = 15};
    cr_assert_eq(notify_judge_http(integ_find(&f, NOTIFY_SLACK, 0), &m, &r, &retry, &err), -1);
    cr_assert(!retry);
    cr_assert_str_eq(err, "channel \"#c\": unexpected status code 400: invalid_payload");
    free(err);
    r = (struct outbound_http_response){
        .result = OUTBOUND_TRANSPORT,
        .error = "Post \"http://127.0.0.1:19471/slack_min/slack\": dial tcp: connection refused"};
    cr_assert_eq(notify_judge_http(integ_find(&f, NOTIFY_SLACK, 0), &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "Post \"<redacted>\": dial tcp: connection refused");
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}
