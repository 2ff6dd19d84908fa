/* The Telegram notifier: 0.25 sends through the telebot library, so the
 * request and the judging of the reply are telebot's. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <jansson.h>
#include <stdlib.h>

int notify_telegram_judge(const struct outbound_http_response *r, bool *retry, char **err)
{
    /* 0.25 retries every failure of this notifier. */
    *retry = true;
    json_error_t jerr;
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_DISABLE_EOF_CHECK, &jerr);
    if (!json_is_object(j)) {
        /* telebot reports the reply's JSON decoding error. */
        *err = xasprintf("telebot: %s", j ? "reply is not a JSON object" : jerr.text);
        json_decref(j);
        return -1;
    }
    json_t *ok = json_object_get(j, "ok");
    if (json_is_false(ok) || !ok) {
        const char *desc = json_string_value(json_object_get(j, "description"));
        json_int_t code = json_integer_value(json_object_get(j, "error_code"));
        *err = xasprintf("telegram: %s (%lld)", desc ? desc : "", (long long)code);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    *retry = false;
    return 0;
}
