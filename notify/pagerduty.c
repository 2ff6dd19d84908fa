/* The PagerDuty notifier: Events API v2 (routing_key) and v1 (service_key). */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <jansson.h>
#include <stdlib.h>

void notify_pagerduty_error_details(const char *body, size_t len, struct strbuf *out)
{
    /* 0.25 decodes the first JSON value; anything undecodable adds nothing. */
    json_t *j = json_loadb(body, len, JSON_DISABLE_EOF_CHECK, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *message = json_string_value(json_object_get(j, "message"));
    strbuf_printf(out, "%s: ", message ? message : "");
    json_t *errors = json_object_get(j, "errors");
    for (size_t i = 0; json_is_array(errors) && i < json_array_size(errors); i++) {
        const char *e = json_string_value(json_array_get(errors, i));
        strbuf_printf(out, "%s%s", i ? "," : "", e ? e : "");
    }
    json_decref(j);
}
