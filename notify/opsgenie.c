/* The Opsgenie notifier: create (or close when resolved) the alert whose
 * alias is the SHA-256 of the group key, as 0.25 does; with update_alerts
 * the create is followed by message and description updates. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define OPSGENIE_MAX_MESSAGE_RUNES 130

/* 0.25's safeSplit: the whole string trimmed, split at commas, empty parts
 * dropped (the parts keep their own spaces).  Returns the count. */
static size_t safe_split(const char *text, char ***parts)
{
    char *s = notify_trim_space(xstrdup(text));
    size_t len = strlen(s), n = 0;
    *parts = NULL;
    for (size_t start = 0; start < len;) {
        const char *comma = memchr(s + start, ',', len - start);
        size_t end = comma ? (size_t)(comma - s) : len;
        if (end > start) {
            *parts = xrealloc(*parts, (n + 1) * sizeof **parts);
            (*parts)[n++] = xstrndup(s + start, end - start);
        }
        start = end + 1;
    }
    free(s);
    return n;
}

static void free_parts(char **parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
    free(parts);
}

/* A []string field with omitempty. */
static void json_safe_split(struct json_obj *o, const char *key, const char *s)
{
    char **parts;
    size_t n = safe_split(s, &parts);
    if (n) {
        jobj_key(o, key);
        for (size_t i = 0; i < n; i++) {
            strbuf_putc(o->sb, i ? ',' : '[');
            strbuf_json_cstr(o->sb, parts[i], JSON_ESCAPE_HTML);
        }
        strbuf_putc(o->sb, ']');
    }
    free_parts(parts, n);
}

static void json_responder(struct strbuf *items, const char *id, const char *name,
                           const char *username, const char *type)
{
    struct json_obj o;
    if (items->len)
        strbuf_putc(items, ',');
    jobj_begin(&o, items);
    jobj_str(&o, "id", id, true);
    jobj_str(&o, "name", name, true);
    jobj_str(&o, "username", username, true);
    jobj_str(&o, "type", type, false);
    jobj_end(&o);
}

/* Empty responders are dropped; type "teams" fans a comma list out into
 * one team responder each. */
static void json_responders(struct json_obj *msg, struct notify_render *r,
                            const struct config_opsgenie *c)
{
    struct strbuf items = STRBUF_INIT;
    for (size_t i = 0; i < c->n_responders; i++) {
        const struct config_opsgenie_responder *rs = &c->responders[i];
        char *id = notify_render(r, rs->id), *name = notify_render(r, rs->name);
        char *username = notify_render(r, rs->username), *type = notify_render(r, rs->type);
        if (strcmp(type, "teams") == 0) {
            char **teams;
            size_t n = safe_split(name, &teams);
            for (size_t t = 0; t < n; t++) {
                char *team = notify_render(r, teams[t]);
                json_responder(&items, "", team, "", "team");
                free(team);
            }
            free_parts(teams, n);
        } else if (*id || *name || *username || *type) {
            json_responder(&items, id, name, username, type);
        }
        free(id);
        free(name);
        free(username);
        free(type);
    }
    if (items.len) {
        jobj_key(msg, "responders");
        strbuf_printf(msg->sb, "[%s]", items.buf);
    }
    strbuf_free(&items);
}

static void add_request(struct notify_message *m, struct outbound_http_request *req,
                        const char *method, char *url, struct strbuf *body)
{
    req->method = method;
    req->url = notify_keep(m, url);
    req->body_len = body->len;
    req->body = notify_keep(m, strbuf_detach(body));
}

/* api_url (ends with "/") + path, with identifierType=alias when asked. */
static char *endpoint(const char *api_url, const char *path, bool by_alias)
{
    const char *q = strchr(api_url, '?');
    size_t base = q ? (size_t)(q - api_url) : strlen(api_url);
    struct strbuf sb = STRBUF_INIT;
    strbuf_add(&sb, api_url, base);
    strbuf_puts(&sb, path);
    if (q && q[1])
        strbuf_printf(&sb, "%s%s", q, by_alias ? "&identifierType=alias" : "");
    else if (by_alias)
        strbuf_puts(&sb, "?identifierType=alias");
    return strbuf_detach(&sb);
}

static void build_close(struct notify_message *m, struct notify_render *r,
                        const struct config_opsgenie *c, const char *alias)
{
    char *source = notify_render(r, c->source);
    struct strbuf body = STRBUF_INIT;
    struct json_obj o;
    jobj_begin(&o, &body);
    jobj_str(&o, "source", source, false);
    jobj_end(&o);
    strbuf_putc(&body, '\n');
    free(source);
    char path[128];
    snprintf(path, sizeof path, "v2/alerts/%s/close", alias);
    add_request(m, &m->http, "POST", endpoint(c->api_url, path, true), &body);
}

static void build_update(struct notify_message *m, const struct config_opsgenie *c,
                         const char *alias, const char *what, const char *value)
{
    struct strbuf body = STRBUF_INIT;
    struct json_obj o;
    jobj_begin(&o, &body);
    jobj_str(&o, what, value, true);
    jobj_end(&o);
    strbuf_putc(&body, '\n');
    char path[160];
    snprintf(path, sizeof path, "v2/alerts/%s/%s", alias, what);
    add_request(m, notify_add_followup(m), "PUT", endpoint(c->api_url, path, true), &body);
}

static void build_create(struct notify_message *m, struct notify_render *r,
                         const struct config_opsgenie *c, const struct template_data *data,
                         const char *alias)
{
    char *full = notify_render(r, c->message);
    char *message = notify_truncate_runes(full, OPSGENIE_MAX_MESSAGE_RUNES, NULL);
    free(full);
    /* details: the common labels, then the configured details over them. */
    struct labelset details = LABELSET_INIT;
    labelset_copy(&details, &data->common_labels);
    for (size_t i = 0; i < c->details.len; i++) {
        char *v = notify_render(r, c->details.items[i].value);
        labelset_set(&details, c->details.items[i].key, v);
        free(v);
    }
    char *description = notify_render(r, c->description);
    char *source = notify_render(r, c->source);
    struct strbuf body = STRBUF_INIT;
    struct json_obj o;
    jobj_begin(&o, &body);
    jobj_str(&o, "alias", alias, false);
    jobj_str(&o, "message", message, false);
    jobj_str(&o, "description", description, true);
    jobj_key(&o, "details");
    notify_json_kv(&body, &details);
    jobj_str(&o, "source", source, false);
    json_responders(&o, r, c);
    char *tags = notify_render(r, c->tags);
    json_safe_split(&o, "tags", tags);
    free(tags);
    const char *names[] = {"note", "priority", "entity"};
    const char *texts[] = {c->note, c->priority, c->entity};
    for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
        char *v = notify_render(r, texts[k]);
        jobj_str(&o, names[k], v, true);
        free(v);
    }
    char *actions = notify_render(r, c->actions);
    json_safe_split(&o, "actions", actions);
    free(actions);
    jobj_end(&o);
    strbuf_putc(&body, '\n');
    add_request(m, &m->http, "POST", endpoint(c->api_url, "v2/alerts", false), &body);
    if (c->update_alerts) {
        build_update(m, c, alias, "message", message);
        build_update(m, c, alias, "description", description);
    }
    labelset_free(&details);
    free(message);
    free(description);
    free(source);
}

static char *api_key(struct notify_render *r, const struct config_opsgenie *c, char **err)
{
    if (c->api_key && *c->api_key)
        return notify_render(r, c->api_key);
    char *why = NULL;
    char *content = notify_read_secret(c->api_key_file, false, &why);
    if (!content) {
        *err = xasprintf("read key_file error: %s", why);
        free(why);
        return NULL;
    }
    char *key = notify_render(r, content);
    free(content);
    return key;
}

static void set_headers(struct notify_message *m, struct outbound_http_request *req,
                        const struct config_opsgenie *c, const char *authorization)
{
    req->http = c->http_config;
    notify_add_header(m, req, "User-Agent", NOTIFY_USER_AGENT);
    notify_add_header(m, req, "Content-Type", "application/json");
    notify_add_header(m, req, "Authorization", authorization);
}

int notify_build_opsgenie(const struct notify_integration *in, const struct template_set *tmpl,
                          const struct notify_group *g, struct notify_message *out, bool *retry,
                          char **err)
{
    const struct config_opsgenie *c = in->conf;
    *retry = false;
    char alias[65];
    notify_key_hash(g->group_key, alias);
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    if (notify_group_firing(g))
        build_create(out, &r, c, &data, alias);
    else
        build_close(out, &r, c, alias);
    char *key = api_key(&r, c, err);
    notify_template_data_free(&data);
    if (!key) {
        free(r.err);
        return -1;
    }
    if (r.err) {
        free(key);
        *err = xasprintf("templating error: %s", r.err);
        free(r.err);
        return -1;
    }
    const char *authorization = notify_keep(out, xasprintf("GenieKey %s", key));
    free(key);
    set_headers(out, &out->http, c, authorization);
    for (size_t i = 0; i < out->n_then; i++)
        set_headers(out, &out->then[i], c, authorization);
    return 0;
}
