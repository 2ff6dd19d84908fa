/* Pushover requests against what Alertmanager 0.25 sent.  0.25 posts to
 * the fixed https://api.pushover.net/1/messages.json; capture_more.py was
 * its proxy and recorded the request inside the tunnel under
 * /<scenario>/pushover, which is taken off before comparing. */
#include "integ_fixture.h"

#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static void behind_proxy(struct integ_fixture *f, json_t *captured)
{
    (void)f;
    cr_assert_str_eq(integ_header(captured, "Host"), "api.pushover.net");
    const char *path = json_string_value(json_object_get(captured, "path"));
    const char *inner = strstr(path, "/pushover/");
    cr_assert_not_null(inner, "%s", path);
    json_object_set_new(captured, "path", json_string(inner + strlen("/pushover")));
}

Test(pushover, html_message_and_truncated_title_message_url)
{
    /* title 250 runes, message 1024 (rendered as HTML), url 512; retry and
     * expire in whole seconds. */
    integ_check_kind("po_full", NOTIFY_PUSHOVER, 0, behind_proxy);
}

Test(pushover, blank_message_becomes_no_details)
{
    integ_check_kind("po_min", NOTIFY_PUSHOVER, 0, behind_proxy);
}

Test(pushover, firing_then_resolved_defaults)
{
    integ_check_kind("vo_resolve", NOTIFY_PUSHOVER, 0, behind_proxy);
    integ_check_kind("vo_resolve", NOTIFY_PUSHOVER, 1, behind_proxy);
}

Test(pushover, fixed_url_and_transport_errors_hide_the_token)
{
    struct integ_fixture f;
    integ_load(&f, "po_min", "po_min", 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_PUSHOVER, 0, &m);
    cr_assert(strncmp(m.http.url, "https://api.pushover.net/1/messages.json?", 41) == 0, "%s",
              m.http.url);
    char *error = xasprintf("Post \"%s\": EOF", m.http.url);
    struct outbound_http_response r = {.result = OUTBOUND_TRANSPORT, .error = error};
    bool retry;
    char *err = NULL;
    cr_assert_eq(notify_judge_http(integ_find(&f, NOTIFY_PUSHOVER, 0), &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "Post \"<redacted>\": EOF");
    free(err);
    free(error);
    notify_message_free(&m);
    integ_free(&f);
}
