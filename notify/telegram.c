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
        /* telebot's known errors ("Bad Request: chat not found") print the
         * part after the one ": "; chorus applies that to every
         * description of that shape (docs/compatibility.md). */
        const char *sep = desc ? strstr(desc, ": ") : NULL;
        if (sep && !strstr(sep + 2, ": "))
            desc = sep + 2;
        *err = xasprintf("telegram: %s (%lld)", desc ? desc : "", (long long)code);
        json_decref(j);
        return -1;
    }
    json_decref(j);
    *retry = false;
    return 0;
}

#define TELEGRAM_MAX_MESSAGE_RUNES 4096

int notify_build_telegram(const struct notify_integration *in, const struct template_set *tmpl,
                          const struct notify_group *g, struct notify_message *out, bool *retry,
                          char **err)
{
    const struct config_telegram *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    /* parse_mode HTML renders with html/template's escaping. */
    bool html = c->parse_mode && strcmp(c->parse_mode, "HTML") == 0;
    struct notify_render r = {.tmpl = tmpl, .data = &data, .html = html};
    char *rendered = notify_render(&r, c->message);
    notify_template_data_free(&data);
    if (r.err) {
        free(rendered);
        *err = r.err;
        return -1;
    }
    char *text = notify_truncate_runes(rendered, TELEGRAM_MAX_MESSAGE_RUNES, NULL);
    free(rendered);

    /* telebot sends a map[string]string: keys sorted, values strings. */
    char chat_id[24];
    snprintf(chat_id, sizeof chat_id, "%lld", (long long)c->chat_id);
    struct strbuf body = STRBUF_INIT;
    struct json_obj o;
    jobj_begin(&o, &body);
    jobj_str(&o, "chat_id", chat_id, false);
    if (c->disable_notifications)
        jobj_str(&o, "disable_notification", "true", false);
    jobj_str(&o, "disable_web_page_preview", "true", false);
    jobj_str(&o, "parse_mode", c->parse_mode, true);
    jobj_str(&o, "text", text, false);
    jobj_end(&o);
    strbuf_putc(&body, '\n');
    free(text);

    char *url = xasprintf("%s/bot%s/sendMessage", c->api_url, c->bot_token ? c->bot_token : "");
    struct outbound_http_request *req = &out->http;
    req->method = "POST";
    req->url = notify_keep(out, url);
    req->body_len = body.len;
    req->body = notify_keep(out, strbuf_detach(&body));
    req->http = c->http_config;
    /* telebot's own client, not Alertmanager's User-Agent. */
    notify_add_header(out, req, "User-Agent", "Go-http-client/1.1");
    notify_add_header(out, req, "Content-Type", "application/json");
    ((struct notify_owned *)out->owned)->transport_prefix = "telebot: ";
    return 0;
}
