/* Telegram sendMessage requests against what Alertmanager 0.25 sent. */
#include "integ_fixture.h"

#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(telegram, html_escaped_and_truncated_to_4096_runes)
{
    integ_check_scenario("telegram_html", "telegram_html", NOTIFY_TELEGRAM,
                         "/telegram_html/telegram/", 0);
}

Test(telegram, markdown_mode_silent_with_resolved_alerts)
{
    integ_check_scenario("telegram_md", "telegram_md", NOTIFY_TELEGRAM, "/telegram_md/telegram/",
                         0);
}

Test(telegram, firing_then_resolved)
{
    integ_check_scenario("resolve", "resolve", NOTIFY_TELEGRAM, "/resolve/telegram/", 0);
    integ_check_scenario("resolve", "resolve", NOTIFY_TELEGRAM, "/resolve/telegram/", 1);
}

static int judge(const char *body, bool *retry, char **err)
{
    struct notify_integration in = {.kind = NOTIFY_TELEGRAM};
    struct notify_message m = {0};
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 200, .body = body,
                                       .body_len = strlen(body)};
    return notify_judge_http(&in, &m, &r, retry, err);
}

Test(telegram, replies_judged_as_telebot)
{
    bool retry;
    char *err = NULL;
    cr_assert_eq(judge("{\"ok\":true,\"result\":{\"message_id\":1}}", &retry, &err), 0);
    cr_assert_eq(judge("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not "
                       "found\"}",
                       &retry, &err),
                 -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "telegram: chat not found (400)");
    free(err);
    cr_assert_eq(judge("not json", &retry, &err), -1);
    cr_assert(retry);
    cr_assert(strncmp(err, "telebot: ", 9) == 0, "%s", err);
    free(err);
}

Test(telegram, transport_errors_as_telebot_wraps_them)
{
    struct integ_fixture f;
    integ_load(&f, "telegram_md", "telegram_md", 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_TELEGRAM, 0, &m);
    bool retry;
    char *err = NULL;
    struct outbound_http_response r = {.result = OUTBOUND_TRANSPORT, .error = "Post \"u\": EOF"};
    cr_assert_eq(notify_judge_http(integ_find(&f, NOTIFY_TELEGRAM, 0), &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "telebot: Post \"u\": EOF");
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}
