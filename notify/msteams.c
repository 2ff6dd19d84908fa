/* The Microsoft Teams notifier: one legacy "MessageCard" on the incoming
 * webhook, as Alertmanager 0.26 posts it, with 0.27's summary.  0.25 has no
 * such integration (docs/compatibility.md); its status codes are judged by
 * the default rules (5xx retries), as 0.26's plain notify.Retrier does. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define MSTEAMS_CARD_CONTEXT "http://schema.org/extensions"
#define MSTEAMS_CARD_TYPE "MessageCard"
#define MSTEAMS_COLOR_FIRING "8C1A1A"
#define MSTEAMS_COLOR_RESOLVED "2DC72D"

struct msteams_texts {
    char *title, *summary, *text;
};

static void msteams_texts_free(struct msteams_texts *t)
{
    free(t->title);
    free(t->summary);
    free(t->text);
}

/* Rendered in 0.27's order (title, text, summary): with TmplText only the
 * first failing field's error is reported. */
static char *msteams_render(const struct config_msteams *c, const struct template_set *tmpl,
                            const struct notify_group *g, struct msteams_texts *out)
{
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    out->title = notify_render(&r, c->title);
    out->text = notify_render(&r, c->text);
    out->summary = notify_render(&r, c->summary);
    notify_template_data_free(&data);
    return r.err;
}

/* The Go struct's field order, which encoding/json keeps; summary is never
 * omitted, even empty. */
static void msteams_card(struct strbuf *body, const struct msteams_texts *t, bool firing)
{
    struct json_obj card;
    jobj_begin(&card, body);
    jobj_str(&card, "@context", MSTEAMS_CARD_CONTEXT, false);
    jobj_str(&card, "type", MSTEAMS_CARD_TYPE, false);
    jobj_str(&card, "title", t->title, false);
    jobj_str(&card, "summary", t->summary, false);
    jobj_str(&card, "text", t->text, false);
    jobj_str(&card, "themeColor", firing ? MSTEAMS_COLOR_FIRING : MSTEAMS_COLOR_RESOLVED, false);
    jobj_end(&card);
    strbuf_puts(body, "\n");
}

int notify_build_msteams(const struct notify_integration *in, const struct template_set *tmpl,
                         const struct notify_group *g, struct notify_message *out, bool *retry,
                         char **err)
{
    const struct config_msteams *c = in->conf;
    *retry = false;
    struct msteams_texts texts = {0};
    char *render_err = msteams_render(c, tmpl, g, &texts);
    if (render_err) {
        msteams_texts_free(&texts);
        *err = render_err;
        return -1;
    }
    struct strbuf body = STRBUF_INIT;
    msteams_card(&body, &texts, notify_group_firing(g));
    msteams_texts_free(&texts);
    notify_json_post(out, &out->http, c->webhook_url, &body);
    out->http.http = c->http_config;
    /* The webhook URL carries its credentials: 0.26 redacts it in errors. */
    ((struct notify_owned *)out->owned)->redact_url = true;
    return 0;
}
