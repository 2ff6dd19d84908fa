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

#define PAGERDUTY_V1_URL "https://events.pagerduty.com/generic/2010-04-15/create_event.json"
#define PAGERDUTY_MAX_SUMMARY_RUNES 1024 /* v2 summary, and v1 description */
#define PAGERDUTY_MAX_EVENT_BYTES 512000
#define PAGERDUTY_TOO_BIG                                                                 \
    "Custom details have been removed because the original event exceeds the maximum " \
    "size of 512KB"

/* What one event holds, rendered, before it is written as JSON. */
struct pd_event {
    bool v1;
    const char *action; /* "trigger" or "resolve" */
    char key_hash[65];
    char *key; /* routing or service key */
    char *summary, *source, *severity, *class_, *component, *group;
    char *client, *client_url;
    struct labelset details; /* sorted like a Go map when encoded */
    struct strbuf images, links; /* JSON array items, "" when none */
};

static void pd_event_free(struct pd_event *e)
{
    free(e->key);
    free(e->summary);
    free(e->source);
    free(e->severity);
    free(e->class_);
    free(e->component);
    free(e->group);
    free(e->client);
    free(e->client_url);
    labelset_free(&e->details);
    strbuf_free(&e->images);
    strbuf_free(&e->links);
}

static void pd_encode(const struct pd_event *e, const struct labelset *details, struct strbuf *sb)
{
    struct json_obj o;
    jobj_begin(&o, sb);
    if (e->v1) {
        jobj_str(&o, "service_key", e->key, true);
        jobj_str(&o, "incident_key", e->key_hash, true);
        jobj_str(&o, "event_type", e->action, true);
        jobj_str(&o, "description", e->summary, true);
        jobj_key(&o, "event_action");
        strbuf_puts(sb, "\"\",\"payload\":null");
    } else {
        jobj_str(&o, "routing_key", e->key, true);
        jobj_str(&o, "dedup_key", e->key_hash, true);
        jobj_str(&o, "event_action", e->action, false);
        jobj_key(&o, "payload");
        struct json_obj p;
        jobj_begin(&p, sb);
        jobj_str(&p, "summary", e->summary, false);
        jobj_str(&p, "source", e->source, false);
        jobj_str(&p, "severity", e->severity, false);
        jobj_str(&p, "class", e->class_, true);
        jobj_str(&p, "component", e->component, true);
        jobj_str(&p, "group", e->group, true);
        if (details->len) {
            jobj_key(&p, "custom_details");
            notify_json_kv(sb, details);
        }
        jobj_end(&p);
    }
    jobj_str(&o, "client", e->client, true);
    jobj_str(&o, "client_url", e->client_url, true);
    if (e->v1 && details->len) {
        jobj_key(&o, "details");
        notify_json_kv(sb, details);
    }
    if (e->images.len) {
        jobj_key(&o, "images");
        strbuf_printf(sb, "[%s]", e->images.buf);
    }
    if (e->links.len) {
        jobj_key(&o, "links");
        strbuf_printf(sb, "[%s]", e->links.buf);
    }
    jobj_end(&o);
    strbuf_putc(sb, '\n');
}

/* The key, inline or read from its file per notification as 0.25 does. */
static char *pd_key(const char *inline_key, const char *file, const char *what, char **err)
{
    if (inline_key && *inline_key)
        return xstrdup(inline_key);
    char *why = NULL;
    char *key = notify_read_secret(file, true, &why);
    if (!key) {
        *err = xasprintf("failed to read %s key from file: %s", what, why);
        free(why);
    }
    return key;
}

static int pd_render_details(const struct config_pagerduty *c, const struct template_set *tmpl,
                             const struct template_data *data, struct labelset *out, char **err)
{
    for (size_t i = 0; i < c->details.len; i++) {
        const struct config_kv *kv = &c->details.items[i];
        struct strbuf sb = STRBUF_INIT;
        char *terr = NULL;
        if (template_execute_text(tmpl, kv->value, data, &sb, &terr) != 0) {
            struct strbuf msg = STRBUF_INIT;
            strbuf_go_quote(&msg, kv->key);
            strbuf_puts(&msg, ": failed to template ");
            strbuf_go_quote(&msg, kv->value);
            strbuf_printf(&msg, ": %s", terr);
            free(terr);
            strbuf_free(&sb);
            *err = strbuf_detach(&msg);
            return -1;
        }
        labelset_set(out, kv->key, strbuf_cstr(&sb));
        strbuf_free(&sb);
    }
    return 0;
}

static void pd_render_v2_extras(struct pd_event *e, struct notify_render *r,
                                const struct config_pagerduty *c)
{
    for (size_t i = 0; i < c->n_images; i++) {
        char *src = notify_render(r, c->images[i].src), *alt = notify_render(r, c->images[i].alt);
        char *href = notify_render(r, c->images[i].href);
        if (*src) {
            struct json_obj o;
            if (e->images.len)
                strbuf_putc(&e->images, ',');
            jobj_begin(&o, &e->images);
            jobj_str(&o, "src", src, false);
            jobj_str(&o, "alt", alt, false);
            jobj_str(&o, "href", href, false);
            jobj_end(&o);
        }
        free(src);
        free(alt);
        free(href);
    }
    for (size_t i = 0; i < c->n_links; i++) {
        char *href = notify_render(r, c->links[i].href), *text = notify_render(r, c->links[i].text);
        if (*href) {
            struct json_obj o;
            if (e->links.len)
                strbuf_putc(&e->links, ',');
            jobj_begin(&o, &e->links);
            jobj_str(&o, "href", href, false);
            jobj_str(&o, "text", text, false);
            jobj_end(&o);
        }
        free(href);
        free(text);
    }
}

/* Renders the event's fields in 0.25's order; 0 or -1 with *err. */
static int pd_render(struct pd_event *e, const struct config_pagerduty *c,
                     const struct template_set *tmpl, const struct template_data *data,
                     char **err)
{
    struct notify_render r = {.tmpl = tmpl, .data = data};
    char *raw_key = e->v1 ? pd_key(c->service_key, c->service_key_file, "service", err)
                          : NULL;
    char *desc = notify_render(&r, c->description);
    e->summary = notify_truncate_runes(desc, PAGERDUTY_MAX_SUMMARY_RUNES, NULL);
    free(desc);
    if (e->v1) {
        if (!raw_key)
            return -1;
        e->key = notify_render(&r, raw_key);
        free(raw_key);
        if (strcmp(e->action, "trigger") == 0) {
            e->client = notify_render(&r, c->client);
            e->client_url = notify_render(&r, c->client_url);
        }
    } else {
        raw_key = pd_key(c->routing_key, c->routing_key_file, "routing", err);
        if (!raw_key) {
            free(r.err);
            return -1;
        }
        e->client = notify_render(&r, c->client);
        e->client_url = notify_render(&r, c->client_url);
        e->key = notify_render(&r, raw_key);
        free(raw_key);
        e->source = notify_render(&r, c->source);
        e->severity = notify_render(&r, c->severity && *c->severity ? c->severity : "error");
        e->class_ = notify_render(&r, c->class_);
        e->component = notify_render(&r, c->component);
        e->group = notify_render(&r, c->group);
        pd_render_v2_extras(e, &r, c);
    }
    if (r.err) {
        *err = xasprintf("failed to template PagerDuty %s message: %s", e->v1 ? "v1" : "v2",
                         r.err);
        free(r.err);
        return -1;
    }
    if (!*e->key) {
        *err = xstrdup(e->v1 ? "service key cannot be empty" : "routing key cannot be empty");
        return -1;
    }
    return 0;
}

int notify_build_pagerduty(const struct notify_integration *in, const struct template_set *tmpl,
                           const struct notify_group *g, struct notify_message *out, bool *retry,
                           char **err)
{
    const struct config_pagerduty *c = in->conf;
    *retry = false;
    struct pd_event e = {
        .v1 = (c->service_key && *c->service_key) || c->service_key_file,
        .action = notify_group_firing(g) ? "trigger" : "resolve",
        .images = STRBUF_INIT,
        .links = STRBUF_INIT,
    };
    notify_key_hash(g->group_key, e.key_hash);
    struct template_data data;
    notify_template_data(g, &data);
    int rc = pd_render_details(c, tmpl, &data, &e.details, err);
    if (rc == 0)
        rc = pd_render(&e, c, tmpl, &data, err);
    notify_template_data_free(&data);
    if (rc != 0) {
        pd_event_free(&e);
        return -1;
    }
    struct strbuf body = STRBUF_INIT;
    pd_encode(&e, &e.details, &body);
    if (body.len > PAGERDUTY_MAX_EVENT_BYTES) {
        /* 0.25 drops the details rather than the event. */
        struct labelset replaced = LABELSET_INIT;
        labelset_set(&replaced, "error", PAGERDUTY_TOO_BIG);
        strbuf_reset(&body);
        pd_encode(&e, &replaced, &body);
        labelset_free(&replaced);
    }
    notify_json_post(out, &out->http, e.v1 ? PAGERDUTY_V1_URL : c->url, &body);
    out->http.http = c->http_config;
    ((struct notify_owned *)out->owned)->transport_prefix =
        e.v1 ? "failed to post message to PagerDuty v1: " : "failed to post message to PagerDuty: ";
    pd_event_free(&e);
    return 0;
}
