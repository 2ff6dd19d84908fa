/* The Pushover notifier: 0.25 puts every parameter in the query string of a
 * POST with an empty text body, to a URL it does not let the config change. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define PUSHOVER_API_URL "https://api.pushover.net/1/messages.json"
#define PUSHOVER_MAX_TITLE_RUNES 250
#define PUSHOVER_MAX_MESSAGE_RUNES 1024
#define PUSHOVER_MAX_URL_RUNES 512

static void set_rendered(struct labelset *params, const char *name, struct notify_render *r,
                         const char *text, size_t max_runes)
{
    char *v = notify_render(r, text);
    if (max_runes) {
        char *cut = notify_truncate_runes(v, max_runes, NULL);
        free(v);
        v = cut;
    }
    labelset_set(params, name, v);
    free(v);
}

/* With html the message alone goes through html/template; one error state
 * spans both engines, as in 0.25. */
static void set_message(struct labelset *params, struct notify_render *r,
                        const struct config_pushover *c)
{
    r->html = c->html;
    char *rendered = notify_render(r, c->message);
    r->html = false;
    char *message = notify_trim_space(
        notify_truncate_runes(rendered, PUSHOVER_MAX_MESSAGE_RUNES, NULL));
    /* Pushover refuses an empty message. */
    labelset_set(params, "message", *message ? message : "(no details)");
    free(rendered);
    free(message);
}

static void set_seconds(struct labelset *params, const char *name, int64_t ns)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)(ns / 1000000000));
    labelset_set(params, name, s);
}

int notify_build_pushover(const struct notify_integration *in, const struct template_set *tmpl,
                          const struct notify_group *g, struct notify_message *out, bool *retry,
                          char **err)
{
    const struct config_pushover *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    /* url.Values: the labelset keeps them sorted as Encode writes them. */
    struct labelset params = LABELSET_INIT;
    set_rendered(&params, "token", &r, c->token, 0);
    set_rendered(&params, "user", &r, c->user_key, 0);
    set_rendered(&params, "title", &r, c->title, PUSHOVER_MAX_TITLE_RUNES);
    if (c->html)
        labelset_set(&params, "html", "1");
    set_message(&params, &r, c);
    set_rendered(&params, "url", &r, c->url, PUSHOVER_MAX_URL_RUNES);
    set_rendered(&params, "url_title", &r, c->url_title, 0);
    set_rendered(&params, "priority", &r, c->priority, 0);
    set_seconds(&params, "retry", c->retry);
    set_seconds(&params, "expire", c->expire);
    set_rendered(&params, "sound", &r, c->sound, 0);
    notify_template_data_free(&data);
    if (r.err) {
        labelset_free(&params);
        *err = r.err; /* as it is, like 0.25 */
        return -1;
    }
    struct strbuf url = STRBUF_INIT;
    strbuf_puts(&url, PUSHOVER_API_URL "?");
    notify_form_encode(&params, &url);
    labelset_free(&params);
    out->http.method = "POST";
    out->http.url = notify_keep(out, strbuf_detach(&url));
    out->http.body = "";
    out->http.body_len = 0;
    notify_add_header(out, &out->http, "Content-Type", "text/plain");
    notify_add_header(out, &out->http, "User-Agent", NOTIFY_USER_AGENT);
    out->http.http = c->http_config;
    /* The query holds the token and the user key. */
    ((struct notify_owned *)out->owned)->redact_url = true;
    return 0;
}
