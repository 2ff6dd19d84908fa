/* Webex requests against what Alertmanager 0.25 sent.  The Authorization
 * header comes from http_config and is added by outbound/ when sending,
 * so it is checked against the config and left out of the comparison. */
#include "integ_fixture.h"

#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static void authorization_from_config(struct integ_fixture *f, json_t *captured)
{
    const struct config_webex *c = integ_find(f, NOTIFY_WEBEX, 0)->conf;
    const struct config_authorization *a = c->http_config->authorization;
    char *want = xasprintf("%s %s", a->type && *a->type ? a->type : "Bearer", a->credentials);
    cr_assert_str_eq(integ_header(captured, "Authorization"), want);
    free(want);
    json_t *headers = json_object_get(captured, "headers");
    for (size_t i = json_array_size(headers); i-- > 0;)
        if (strcasecmp(json_string_value(json_array_get(json_array_get(headers, i), 0)),
                       "Authorization") == 0)
            json_array_remove(headers, i);
}

Test(webex, markdown_cut_at_7439_bytes_and_room_id_not_templated)
{
    integ_check_kind("webex_basic", NOTIFY_WEBEX, 0, authorization_from_config);
}

Test(webex, firing_then_resolved_defaults)
{
    for (int phase = 0; phase < 2; phase++)
        integ_check_kind("vo_resolve", NOTIFY_WEBEX, phase, authorization_from_config);
}
