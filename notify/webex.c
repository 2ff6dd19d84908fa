/* The Webex notifier: a markdown message to a room; the bot's token is the
 * http_config's authorization, which outbound/ applies. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define WEBEX_MAX_MESSAGE_BYTES 7439

int notify_build_webex(const struct notify_integration *in, const struct template_set *tmpl,
                       const struct notify_group *g, struct notify_message *out, bool *retry,
                       char **err)
{
    const struct config_webex *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    char *rendered = notify_render(&r, c->message);
    char *message = notify_truncate_bytes(rendered, WEBEX_MAX_MESSAGE_BYTES, NULL);
    notify_template_data_free(&data);
    int rc = 0;
    if (r.err) {
        /* 0.25 returns the template error as it is. */
        *err = r.err;
        rc = -1;
    } else {
        struct strbuf body = STRBUF_INIT;
        struct json_obj o;
        jobj_begin(&o, &body);
        jobj_str(&o, "markdown", message, false);
        /* 0.25 sends room_id as written, braces and all. */
        jobj_str(&o, "roomId", c->room_id, true);
        jobj_end(&o);
        strbuf_putc(&body, '\n');
        notify_json_post(out, &out->http, c->api_url, &body);
        out->http.http = c->http_config;
        ((struct notify_owned *)out->owned)->redact_url = true;
    }
    free(rendered);
    free(message);
    return rc;
}
