/* Opsgenie requests against what Alertmanager 0.25 sent. */
#include "integ_fixture.h"

#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(opsgenie, create_with_responders_tags_details_then_updates)
{
    struct integ_fixture f;
    integ_load(&f, "og_full", "og_full", 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_OPSGENIE, 0, &m);
    integ_check_http(&m.http, integ_request(&f, "/og_full/opsgenie/", 0));
    cr_assert_eq(m.n_then, 2);
    integ_check_http(&m.then[0], integ_request(&f, "/og_full/opsgenie/", 1));
    integ_check_http(&m.then[1], integ_request(&f, "/og_full/opsgenie/", 2));
    notify_message_free(&m);
    integ_free(&f);
}

Test(opsgenie, defaults)
{
    integ_check_scenario("og_min", "og_min", NOTIFY_OPSGENIE, "/og_min/opsgenie/", 0);
}

Test(opsgenie, create_then_close_by_alias)
{
    integ_check_scenario("resolve", "resolve", NOTIFY_OPSGENIE, "/resolve/opsgenie/", 0);
    integ_check_scenario("resolve", "resolve", NOTIFY_OPSGENIE, "/resolve/opsgenie/", 1);
}

Test(opsgenie, retries_429_and_5xx_only)
{
    struct integ_fixture f;
    integ_load(&f, "og_min", "og_min", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_OPSGENIE, 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_OPSGENIE, 0, &m);
    bool retry;
    char *err = NULL;
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 429, .body = "slow down",
                                       .body_len = 9};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "unexpected status code 429: slow down");
    free(err);
    r.status = 422;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(!retry);
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}
