/* The VictorOps (Splunk On-Call) notifier: one REST alert per group, keyed
 * by the SHA-256 of the group key, posted to <api_url><api_key>/<routing_key>. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

#define VICTOROPS_MAX_STATE_MESSAGE_RUNES 20480

/* A firing group keeps a message type VictorOps knows, else CRITICAL; a
 * resolved one is always a RECOVERY. */
static const char *message_type(const char *rendered, bool firing)
{
    if (!firing)
        return "RECOVERY";
    static const char *const allowed[] = {"INFO", "WARNING", "CRITICAL"};
    for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
        if (strcmp(rendered, allowed[i]) == 0)
            return rendered;
    return "CRITICAL";
}

/* The fields render into a Go map[string]string, which encoding/json
 * writes with sorted keys: a labelset is that map. */
static int render_fields(const struct config_victorops *c, struct notify_render *r,
                         const struct notify_group *g, struct labelset *fields, char **err)
{
    char *type = notify_render(r, c->message_type);
    char *state = notify_render(r, c->state_message);
    char *state_cut = notify_truncate_runes(state, VICTOROPS_MAX_STATE_MESSAGE_RUNES, NULL);
    char *display = notify_render(r, c->entity_display_name);
    char *tool = notify_render(r, c->monitoring_tool);
    char key_hash[65];
    notify_key_hash(g->group_key, key_hash);
    labelset_set(fields, "message_type", message_type(type, notify_group_firing(g)));
    labelset_set(fields, "entity_id", key_hash);
    labelset_set(fields, "entity_display_name", display);
    labelset_set(fields, "state_message", state_cut);
    labelset_set(fields, "monitoring_tool", tool);
    free(type);
    free(state);
    free(state_cut);
    free(display);
    free(tool);
    for (size_t i = 0; i < c->custom_fields.len && !r->err; i++) {
        char *v = notify_render(r, c->custom_fields.items[i].value);
        labelset_set(fields, c->custom_fields.items[i].key, v);
        free(v);
    }
    if (r->err) {
        *err = xasprintf("templating error: %s", r->err);
        return -1;
    }
    return 0;
}

/* <api_url><api_key>/<routing key>, the two escaped as Go escapes a path;
 * the key is used as written (0.25 does not template it). */
static char *alert_url(const char *api_url, const char *api_key, const char *routing_key)
{
    const char *query = strchr(api_url, '?');
    size_t base = query ? (size_t)(query - api_url) : strlen(api_url);
    struct strbuf sb = STRBUF_INIT;
    strbuf_add(&sb, api_url, base);
    notify_url_escape(&sb, api_key, NOTIFY_ESCAPE_PATH);
    strbuf_putc(&sb, '/');
    notify_url_escape(&sb, routing_key, NOTIFY_ESCAPE_PATH);
    if (query)
        strbuf_puts(&sb, query);
    return strbuf_detach(&sb);
}

static char *api_key_of(const struct config_victorops *c, char **err)
{
    if (c->api_key && *c->api_key)
        return xstrdup(c->api_key);
    char *why = NULL;
    char *key = notify_read_secret(c->api_key_file, true, &why);
    if (!key) {
        *err = xasprintf("failed to read API key from file: %s", why);
        free(why);
    }
    return key;
}

int notify_build_victorops(const struct notify_integration *in, const struct template_set *tmpl,
                           const struct notify_group *g, struct notify_message *out, bool *retry,
                           char **err)
{
    const struct config_victorops *c = in->conf;
    *retry = false;
    char *api_key = api_key_of(c, err);
    if (!api_key)
        return -1;
    struct template_data data;
    notify_template_data(g, &data);
    /* 0.25 renders the routing key with one TmplText and the payload with
     * another, so an error in the first is reported on its own. */
    struct notify_render key_r = {.tmpl = tmpl, .data = &data};
    char *routing_key = notify_render(&key_r, c->routing_key);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    struct labelset fields = LABELSET_INIT;
    int rc = 0;
    if (key_r.err) {
        *err = xasprintf("templating error: %s", key_r.err);
        rc = -1;
    } else {
        rc = render_fields(c, &r, g, &fields, err);
        /* 0.25 retries a payload template error (checked), unlike the
         * routing key's. */
        *retry = rc != 0;
    }
    if (rc == 0) {
        struct strbuf body = STRBUF_INIT;
        notify_json_kv(&body, &fields);
        strbuf_putc(&body, '\n');
        notify_json_post(out, &out->http,
                         notify_keep(out, alert_url(c->api_url, api_key, routing_key)), &body);
        out->http.http = c->http_config;
        /* The URL holds the API key. */
        ((struct notify_owned *)out->owned)->redact_url = true;
    }
    labelset_free(&fields);
    free(key_r.err);
    free(r.err);
    free(routing_key);
    free(api_key);
    notify_template_data_free(&data);
    return rc;
}
