/* The Discord notifier: one embed on the webhook, as 0.25 posts it.  0.25
 * truncates neither title nor description (checked against the binary). */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define DISCORD_COLOR_RED 0x992D22
#define DISCORD_COLOR_GREEN 0x2ECC71

int notify_build_discord(const struct notify_integration *in, const struct template_set *tmpl,
                         const struct notify_group *g, struct notify_message *out, bool *retry,
                         char **err)
{
    const struct config_discord *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    char *title = notify_render(&r, c->title);
    char *description = notify_render(&r, c->message);
    notify_template_data_free(&data);
    if (r.err) {
        free(title);
        free(description);
        *err = r.err;
        return -1;
    }
    struct strbuf body = STRBUF_INIT;
    strbuf_puts(&body, "{\"content\":\"\",\"embeds\":[");
    struct json_obj embed;
    jobj_begin(&embed, &body);
    jobj_str(&embed, "title", title, false);
    jobj_str(&embed, "description", description, false);
    jobj_key(&embed, "color");
    strbuf_printf(&body, "%d",
                  notify_group_firing(g) ? DISCORD_COLOR_RED : DISCORD_COLOR_GREEN);
    jobj_end(&embed);
    strbuf_puts(&body, "]}\n");
    free(title);
    free(description);
    notify_json_post(out, &out->http, c->webhook_url, &body);
    out->http.http = c->http_config;
    ((struct notify_owned *)out->owned)->redact_url = true;
    return 0;
}
