/* The Slack notifier: one attachment, as 0.25 posts to the incoming webhook. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define SLACK_MAX_TITLE_RUNES 1024

static void json_fields(struct json_obj *att, struct notify_render *r,
                        const struct config_slack *c)
{
    if (!c->n_fields)
        return;
    jobj_key(att, "fields");
    strbuf_putc(att->sb, '[');
    for (size_t i = 0; i < c->n_fields; i++) {
        const struct config_slack_field *f = &c->fields[i];
        bool is_short = f->short_set ? f->short_value : c->short_fields;
        char *title = notify_render(r, f->title), *value = notify_render(r, f->value);
        struct json_obj o;
        if (i)
            strbuf_putc(att->sb, ',');
        jobj_begin(&o, att->sb);
        jobj_str(&o, "title", title, false);
        jobj_str(&o, "value", value, false);
        jobj_key(&o, "short");
        strbuf_puts(att->sb, is_short ? "true" : "false");
        jobj_end(&o);
        free(title);
        free(value);
    }
    strbuf_putc(att->sb, ']');
}

/* 0.25 sends no `confirm` object (checked against the binary). */
static void json_actions(struct json_obj *att, struct notify_render *r,
                         const struct config_slack *c)
{
    if (!c->n_actions)
        return;
    jobj_key(att, "actions");
    strbuf_putc(att->sb, '[');
    for (size_t i = 0; i < c->n_actions; i++) {
        const struct config_slack_action *a = &c->actions[i];
        const char *names[] = {"type", "text", "url", "style", "name", "value"};
        const char *texts[] = {a->type, a->text, a->url, a->style, a->name, a->value};
        struct json_obj o;
        if (i)
            strbuf_putc(att->sb, ',');
        jobj_begin(&o, att->sb);
        for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
            char *v = notify_render(r, texts[k]);
            jobj_str(&o, names[k], v, true);
            free(v);
        }
        jobj_end(&o);
    }
    strbuf_putc(att->sb, ']');
}

static void json_attachment(struct strbuf *sb, struct notify_render *r,
                            const struct config_slack *c)
{
    char *full_title = notify_render(r, c->title);
    char *title = notify_truncate_runes(full_title, SLACK_MAX_TITLE_RUNES, NULL);
    free(full_title);
    const char *names[] = {"title_link", "pretext", "text", "fallback", "callback_id"};
    const char *texts[] = {c->title_link, c->pretext, c->text, c->fallback, c->callback_id};
    const bool omit[] = {true, true, false, false, false};
    struct json_obj att;
    jobj_begin(&att, sb);
    jobj_str(&att, "title", title, true);
    free(title);
    for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
        char *v = notify_render(r, texts[k]);
        jobj_str(&att, names[k], v, omit[k]);
        free(v);
    }
    /* Rendered in 0.25's order, written in its field order. */
    char *image = notify_render(r, c->image_url), *thumb = notify_render(r, c->thumb_url);
    char *footer = notify_render(r, c->footer), *color = notify_render(r, c->color);
    json_fields(&att, r, c);
    json_actions(&att, r, c);
    jobj_str(&att, "image_url", image, true);
    jobj_str(&att, "thumb_url", thumb, true);
    jobj_str(&att, "footer", footer, false);
    jobj_str(&att, "color", color, true);
    free(image);
    free(thumb);
    free(footer);
    free(color);
    jobj_key(&att, "mrkdwn_in");
    strbuf_putc(sb, '[');
    static const char *const default_mrkdwn[] = {"fallback", "pretext", "text"};
    size_t n = c->mrkdwn_in.len ? c->mrkdwn_in.len : ARRAY_SIZE(default_mrkdwn);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_putc(sb, ',');
        strbuf_json_cstr(sb, c->mrkdwn_in.len ? c->mrkdwn_in.items[i] : default_mrkdwn[i],
                         JSON_ESCAPE_HTML);
    }
    strbuf_putc(sb, ']');
    jobj_end(&att);
}

/* api_url, or api_url_file read per notification as 0.25 does. */
static char *slack_url(const struct config_slack *c, char **err)
{
    return c->api_url ? xstrdup(c->api_url) : notify_read_secret(c->api_url_file, true, err);
}

int notify_build_slack(const struct notify_integration *in, const struct template_set *tmpl,
                       const struct notify_group *g, struct notify_message *out, bool *retry,
                       char **err)
{
    const struct config_slack *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    struct strbuf att = STRBUF_INIT;
    json_attachment(&att, &r, c);
    const char *names[] = {"channel", "username", "icon_emoji", "icon_url"};
    const char *texts[] = {c->channel, c->username, c->icon_emoji, c->icon_url};
    struct strbuf body = STRBUF_INIT;
    struct json_obj req;
    jobj_begin(&req, &body);
    char *channel = NULL;
    for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
        char *v = notify_render(&r, texts[k]);
        jobj_str(&req, names[k], v, true);
        if (k == 0)
            channel = v;
        else
            free(v);
    }
    if (c->link_names) {
        jobj_key(&req, "link_names");
        strbuf_puts(&body, "true");
    }
    jobj_key(&req, "attachments");
    strbuf_printf(&body, "[%s]", strbuf_cstr(&att));
    jobj_end(&req);
    strbuf_putc(&body, '\n');
    strbuf_free(&att);
    notify_template_data_free(&data);
    char *url = r.err ? NULL : slack_url(c, err);
    if (r.err || !url) {
        if (r.err)
            *err = r.err;
        free(channel);
        strbuf_free(&body);
        return -1;
    }
    notify_json_post(out, &out->http, notify_keep(out, url), &body);
    out->http.http = c->http_config;
    struct strbuf prefix = STRBUF_INIT;
    strbuf_puts(&prefix, "channel ");
    strbuf_go_quote(&prefix, channel);
    free(channel);
    struct notify_owned *o = out->owned;
    o->error_prefix = notify_keep(out, strbuf_detach(&prefix));
    o->redact_url = true;
    return 0;
}
