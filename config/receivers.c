/*
 * config/receivers.c: `receivers` and every integration type of Alertmanager
 * 0.25 (and msteams, from 0.26), their defaults, per-type validation, and the
 * defaults each takes from `global` (which config.Load applies after parsing,
 * hence the second pass).
 * Parsing all types is deliberate: refusing the ones chorus cannot send yet is
 * the notification pipeline's job at start-up, not the config loader's.
 */
#include "config/internal.h"

#include <ctype.h>
#include <stdio.h>

#define F(name, kind, flags, type, member, dflt) \
    {name, kind, flags, offsetof(type, member), 0, NULL, dflt}
#define SUB(name, kind, flags, type, member, sub) \
    {name, kind, flags, offsetof(type, member), 0, sub, NULL}
#define LIST(name, type, member, count, sub, gotype) \
    {name, CF_LIST, CFF_OMITEMPTY, offsetof(type, member), offsetof(type, count), sub, gotype}
#define O CFF_OMITEMPTY
#define SCHEMA(var, gotype, type, fields, validate) \
    static const struct cf_schema var = {gotype, sizeof(type), fields, ARRAY_SIZE(fields), NULL, validate}

static bool empty(const char *s)
{
    return !s || !*s;
}

#define TPL(x) "{{ template \"" x "\" . }}"

/* ---- webhook ---- */
static int webhook_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    return ((struct config_webhook *)obj)->url ? 0 : pctx_fail(p, n, "missing URL in webhook config");
}
static const struct cf_field webhook_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_webhook, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_webhook, http_config), 0, NULL, NULL},
    F("url", CF_URL, O, struct config_webhook, url, NULL),
    F("max_alerts", CF_UINT, 0, struct config_webhook, max_alerts, NULL),
};
SCHEMA(webhook_schema, "config.plain", struct config_webhook, webhook_fields, webhook_validate);

/* ---- email ---- */

/* Go's textproto.CanonicalMIMEHeaderKey, for the token characters. */
static char *header_canonical(struct cfg_arena *a, const char *k)
{
    for (const char *q = k; *q; q++)
        if (*q == ' ' || (unsigned char)*q >= 0x80)
            return cfg_arena_strdup(a, k);
    char *s = cfg_arena_strdup(a, k);
    bool upper = true;
    for (char *q = s; *q; q++) {
        *q = upper ? (char)toupper((unsigned char)*q) : (char)tolower((unsigned char)*q);
        upper = *q == '-';
    }
    return s;
}

static int email_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_email *e = obj;
    if (empty(e->to))
        return pctx_fail(p, n, "missing to address in email config");
    struct config_strmap canon = {NULL, 0};
    for (size_t i = 0; i < e->headers.len; i++) {
        char *k = header_canonical(p->a, e->headers.items[i].key);
        for (size_t j = 0; j < canon.len; j++)
            if (!strcmp(canon.items[j].key, k))
                return pctx_fail(p, n, "duplicate header \"%s\" in email config", k);
        struct config_kv *kv = cfg_arena_push(p->a, &canon.items, &canon.len, sizeof *kv);
        kv->key = k;
        kv->value = e->headers.items[i].value;
    }
    strmap_sort(&canon);
    e->headers = canon;
    return 0;
}

static const struct cf_field email_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_email, send_resolved, "false"),
    F("to", CF_STR, O, struct config_email, to, NULL),
    F("from", CF_STR, O, struct config_email, from, NULL),
    F("hello", CF_STR, O, struct config_email, hello, NULL),
    F("smarthost", CF_HOSTPORT, O, struct config_email, smarthost, NULL),
    F("auth_username", CF_STR, O, struct config_email, auth_username, NULL),
    F("auth_password", CF_SECRET, O, struct config_email, auth_password, NULL),
    F("auth_password_file", CF_STR, O, struct config_email, auth_password_file, NULL),
    F("auth_secret", CF_SECRET, O, struct config_email, auth_secret, NULL),
    F("auth_identity", CF_STR, O, struct config_email, auth_identity, NULL),
    F("headers", CF_STRMAP, O, struct config_email, headers, NULL),
    F("html", CF_STR, O, struct config_email, html, TPL("email.default.html")),
    F("text", CF_STR, O, struct config_email, text, NULL),
    {"require_tls", CF_BOOLPTR, O, offsetof(struct config_email, require_tls_set),
     offsetof(struct config_email, require_tls), NULL, NULL},
    SUB("tls_config", CF_STRUCT, O, struct config_email, tls_config, &cf_tls_schema),
};
SCHEMA(email_schema, "config.plain", struct config_email, email_fields, email_validate);

/* ---- slack ---- */
static int slack_field_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_slack_field *f = obj;
    if (empty(f->title))
        return pctx_fail(p, n, "missing title in Slack field configuration");
    if (empty(f->value))
        return pctx_fail(p, n, "missing value in Slack field configuration");
    return 0;
}
static const struct cf_field slack_field_fields[] = {
    F("title", CF_STR, O, struct config_slack_field, title, NULL),
    F("value", CF_STR, O, struct config_slack_field, value, NULL),
    {"short", CF_BOOLPTR, O, offsetof(struct config_slack_field, short_set),
     offsetof(struct config_slack_field, short_value), NULL, NULL},
};
SCHEMA(slack_field_schema, "config.plain", struct config_slack_field, slack_field_fields,
       slack_field_validate);

static int slack_confirm_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    if (empty(((struct config_slack_confirm *)obj)->text))
        return pctx_fail(p, n, "missing text in Slack confirmation configuration");
    return 0;
}
static const struct cf_field slack_confirm_fields[] = {
    F("text", CF_STR, O, struct config_slack_confirm, text, NULL),
    F("title", CF_STR, O, struct config_slack_confirm, title, NULL),
    F("ok_text", CF_STR, O, struct config_slack_confirm, ok_text, NULL),
    F("dismiss_text", CF_STR, O, struct config_slack_confirm, dismiss_text, NULL),
};
SCHEMA(slack_confirm_schema, "config.plain", struct config_slack_confirm, slack_confirm_fields,
       slack_confirm_validate);

static int slack_action_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_slack_action *a = obj;
    if (empty(a->type))
        return pctx_fail(p, n, "missing type in Slack action configuration");
    if (empty(a->text))
        return pctx_fail(p, n, "missing text in Slack action configuration");
    if (!empty(a->url)) {
        /* a link button: message-action fields do not apply */
        a->name = a->value = NULL;
        a->confirm = NULL;
    } else if (empty(a->name)) {
        return pctx_fail(p, n, "missing name or url in Slack action configuration");
    }
    return 0;
}
static const struct cf_field slack_action_fields[] = {
    F("type", CF_STR, O, struct config_slack_action, type, NULL),
    F("text", CF_STR, O, struct config_slack_action, text, NULL),
    F("url", CF_STR, O, struct config_slack_action, url, NULL),
    F("style", CF_STR, O, struct config_slack_action, style, NULL),
    F("name", CF_STR, O, struct config_slack_action, name, NULL),
    F("value", CF_STR, O, struct config_slack_action, value, NULL),
    SUB("confirm", CF_PTR, O, struct config_slack_action, confirm, &slack_confirm_schema),
};
SCHEMA(slack_action_schema, "config.plain", struct config_slack_action, slack_action_fields,
       slack_action_validate);

static int slack_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_slack *s = obj;
    if (!empty(s->api_url) && !empty(s->api_url_file))
        return pctx_fail(p, n, "at most one of api_url & api_url_file must be configured");
    return 0;
}
static const struct cf_field slack_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_slack, send_resolved, "false"),
    {"http_config", CF_HTTP, O, offsetof(struct config_slack, http_config), 0, NULL, NULL},
    F("api_url", CF_SECRET_URL, O, struct config_slack, api_url, NULL),
    F("api_url_file", CF_STR, O, struct config_slack, api_url_file, NULL),
    F("channel", CF_STR, O, struct config_slack, channel, NULL),
    F("username", CF_STR, O, struct config_slack, username, TPL("slack.default.username")),
    F("color", CF_STR, O, struct config_slack, color,
      "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}"),
    F("title", CF_STR, O, struct config_slack, title, TPL("slack.default.title")),
    F("title_link", CF_STR, O, struct config_slack, title_link, TPL("slack.default.titlelink")),
    F("pretext", CF_STR, O, struct config_slack, pretext, TPL("slack.default.pretext")),
    F("text", CF_STR, O, struct config_slack, text, TPL("slack.default.text")),
    LIST("fields", struct config_slack, fields, n_fields, &slack_field_schema,
         "[]*config.SlackField"),
    F("short_fields", CF_BOOL, 0, struct config_slack, short_fields, NULL),
    F("footer", CF_STR, O, struct config_slack, footer, TPL("slack.default.footer")),
    F("fallback", CF_STR, O, struct config_slack, fallback, TPL("slack.default.fallback")),
    F("callback_id", CF_STR, O, struct config_slack, callback_id, TPL("slack.default.callbackid")),
    F("icon_emoji", CF_STR, O, struct config_slack, icon_emoji, TPL("slack.default.iconemoji")),
    F("icon_url", CF_STR, O, struct config_slack, icon_url, TPL("slack.default.iconurl")),
    F("image_url", CF_STR, O, struct config_slack, image_url, NULL),
    F("thumb_url", CF_STR, O, struct config_slack, thumb_url, NULL),
    F("link_names", CF_BOOL, 0, struct config_slack, link_names, NULL),
    F("mrkdwn_in", CF_STRLIST, O, struct config_slack, mrkdwn_in, NULL),
    LIST("actions", struct config_slack, actions, n_actions, &slack_action_schema,
         "[]*config.SlackAction"),
};
SCHEMA(slack_schema, "config.plain", struct config_slack, slack_fields, slack_validate);

/* ---- telegram ---- */
static int telegram_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_telegram *t = obj;
    if (empty(t->bot_token))
        return pctx_fail(p, n, "missing bot_token on telegram_config");
    if (t->chat_id == 0)
        return pctx_fail(p, n, "missing chat_id on telegram_config");
    const char *m = t->parse_mode ? t->parse_mode : "";
    if (*m && strcmp(m, "Markdown") && strcmp(m, "MarkdownV2") && strcmp(m, "HTML"))
        return pctx_fail(p, n, "unknown parse_mode on telegram_config, must be Markdown, "
                               "MarkdownV2, HTML or empty string");
    return 0;
}
static const struct cf_field telegram_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_telegram, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_telegram, http_config), 0, NULL, NULL},
    F("api_url", CF_URL, O, struct config_telegram, api_url, NULL),
    F("bot_token", CF_SECRET, O, struct config_telegram, bot_token, NULL),
    F("chat_id", CF_INT, O, struct config_telegram, chat_id, NULL),
    F("message", CF_STR, O, struct config_telegram, message, TPL("telegram.default.message")),
    F("disable_notifications", CF_BOOL, O, struct config_telegram, disable_notifications, NULL),
    F("parse_mode", CF_STR, O, struct config_telegram, parse_mode, "HTML"),
};
SCHEMA(telegram_schema, "config.plain", struct config_telegram, telegram_fields,
       telegram_validate);

/* ---- pagerduty ---- */
static const struct cf_field pd_image_fields[] = {
    F("src", CF_STR, O, struct config_pagerduty_image, src, NULL),
    F("alt", CF_STR, O, struct config_pagerduty_image, alt, NULL),
    F("href", CF_STR, O, struct config_pagerduty_image, href, NULL),
};
SCHEMA(pd_image_schema, "config.PagerdutyImage", struct config_pagerduty_image, pd_image_fields,
       NULL);
static const struct cf_field pd_link_fields[] = {
    F("href", CF_STR, O, struct config_pagerduty_link, href, NULL),
    F("text", CF_STR, O, struct config_pagerduty_link, text, NULL),
};
SCHEMA(pd_link_schema, "config.PagerdutyLink", struct config_pagerduty_link, pd_link_fields, NULL);

static void strmap_default(struct cfg_arena *a, struct config_strmap *m, const char *k,
                           const char *v)
{
    for (size_t i = 0; i < m->len; i++)
        if (!strcmp(m->items[i].key, k))
            return;
    struct config_kv *kv = cfg_arena_push(a, &m->items, &m->len, sizeof *kv);
    kv->key = cfg_arena_strdup(a, k);
    kv->value = cfg_arena_strdup(a, v);
    strmap_sort(m);
}

static int pagerduty_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_pagerduty *c = obj;
    if (empty(c->routing_key) && empty(c->service_key) && empty(c->routing_key_file) &&
        empty(c->service_key_file))
        return pctx_fail(p, n, "missing service or routing key in PagerDuty config");
    if (!empty(c->routing_key) && !empty(c->routing_key_file))
        return pctx_fail(p, n, "at most one of routing_key & routing_key_file must be configured");
    if (!empty(c->service_key) && !empty(c->service_key_file))
        return pctx_fail(p, n, "at most one of service_key & service_key_file must be configured");
    if (empty(c->source))
        c->source = c->client;
    strmap_default(p->a, &c->details, "firing",
                   "{{ template \"pagerduty.default.instances\" .Alerts.Firing }}");
    strmap_default(p->a, &c->details, "resolved",
                   "{{ template \"pagerduty.default.instances\" .Alerts.Resolved }}");
    strmap_default(p->a, &c->details, "num_firing", "{{ .Alerts.Firing | len }}");
    strmap_default(p->a, &c->details, "num_resolved", "{{ .Alerts.Resolved | len }}");
    return 0;
}
static const struct cf_field pagerduty_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_pagerduty, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_pagerduty, http_config), 0, NULL, NULL},
    F("service_key", CF_SECRET, O, struct config_pagerduty, service_key, NULL),
    F("service_key_file", CF_STR, O, struct config_pagerduty, service_key_file, NULL),
    F("routing_key", CF_SECRET, O, struct config_pagerduty, routing_key, NULL),
    F("routing_key_file", CF_STR, O, struct config_pagerduty, routing_key_file, NULL),
    F("url", CF_URL, O, struct config_pagerduty, url, NULL),
    F("client", CF_STR, O, struct config_pagerduty, client, TPL("pagerduty.default.client")),
    F("client_url", CF_STR, O, struct config_pagerduty, client_url,
      TPL("pagerduty.default.clientURL")),
    F("description", CF_STR, O, struct config_pagerduty, description,
      "{{ template \"pagerduty.default.description\" .}}"),
    F("details", CF_STRMAP, O, struct config_pagerduty, details, NULL),
    LIST("images", struct config_pagerduty, images, n_images, &pd_image_schema,
         "[]config.PagerdutyImage"),
    LIST("links", struct config_pagerduty, links, n_links, &pd_link_schema,
         "[]config.PagerdutyLink"),
    F("source", CF_STR, O, struct config_pagerduty, source, NULL),
    F("severity", CF_STR, O, struct config_pagerduty, severity, NULL),
    F("class", CF_STR, O, struct config_pagerduty, class_, NULL),
    F("component", CF_STR, O, struct config_pagerduty, component, NULL),
    F("group", CF_STR, O, struct config_pagerduty, group, NULL),
};
SCHEMA(pagerduty_schema, "config.plain", struct config_pagerduty, pagerduty_fields,
       pagerduty_validate);

/* ---- opsgenie ---- */
static const struct cf_field og_responder_fields[] = {
    F("id", CF_STR, O, struct config_opsgenie_responder, id, NULL),
    F("name", CF_STR, O, struct config_opsgenie_responder, name, NULL),
    F("username", CF_STR, O, struct config_opsgenie_responder, username, NULL),
    F("type", CF_STR, O, struct config_opsgenie_responder, type, NULL),
};
SCHEMA(og_responder_schema, "config.OpsGenieConfigResponder", struct config_opsgenie_responder,
       og_responder_fields, NULL);

static int opsgenie_responder_check(struct pctx *p, yaml_node_t *n,
                                    struct config_opsgenie_responder *r)
{
#define S(x) ((x) ? (x) : "")
    if (empty(r->id) && empty(r->username) && empty(r->name))
        return pctx_fail(p, n, "opsGenieConfig responder {%s %s %s %s} has to have at least one "
                               "of id, username or name specified",
                         S(r->id), S(r->name), S(r->username), S(r->type));
    if (r->type && strstr(r->type, "{{"))
        return 0;
    for (char *q = r->type; q && *q; q++)
        *q = (char)tolower((unsigned char)*q);
    static const char *const ok[] = {"team", "teams", "user", "escalation", "schedule", NULL};
    for (size_t i = 0; ok[i]; i++)
        if (!strcmp(S(r->type), ok[i]))
            return 0;
    return pctx_fail(p, n, "opsGenieConfig responder {%s %s %s %s} type does not match valid "
                           "options ^(team|teams|user|escalation|schedule)$",
                     S(r->id), S(r->name), S(r->username), S(r->type));
#undef S
}

static int opsgenie_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_opsgenie *c = obj;
    if (!empty(c->api_key) && !empty(c->api_key_file))
        return pctx_fail(p, n, "at most one of api_key & api_key_file must be configured");
    for (size_t i = 0; i < c->n_responders; i++)
        if (opsgenie_responder_check(p, n, &c->responders[i]))
            return -1;
    return 0;
}
static const struct cf_field opsgenie_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_opsgenie, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_opsgenie, http_config), 0, NULL, NULL},
    F("api_key", CF_SECRET, O, struct config_opsgenie, api_key, NULL),
    F("api_key_file", CF_STR, O, struct config_opsgenie, api_key_file, NULL),
    F("api_url", CF_URL, O, struct config_opsgenie, api_url, NULL),
    F("message", CF_STR, O, struct config_opsgenie, message, TPL("opsgenie.default.message")),
    F("description", CF_STR, O, struct config_opsgenie, description,
      TPL("opsgenie.default.description")),
    F("source", CF_STR, O, struct config_opsgenie, source, TPL("opsgenie.default.source")),
    F("details", CF_STRMAP, O, struct config_opsgenie, details, NULL),
    F("entity", CF_STR, O, struct config_opsgenie, entity, NULL),
    LIST("responders", struct config_opsgenie, responders, n_responders, &og_responder_schema,
         "[]config.OpsGenieConfigResponder"),
    F("actions", CF_STR, O, struct config_opsgenie, actions, NULL),
    F("tags", CF_STR, O, struct config_opsgenie, tags, NULL),
    F("note", CF_STR, O, struct config_opsgenie, note, NULL),
    F("priority", CF_STR, O, struct config_opsgenie, priority, NULL),
    F("update_alerts", CF_BOOL, O, struct config_opsgenie, update_alerts, NULL),
};
SCHEMA(opsgenie_schema, "config.plain", struct config_opsgenie, opsgenie_fields,
       opsgenie_validate);

/* ---- victorops ---- */
static int victorops_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_victorops *c = obj;
    if (empty(c->routing_key))
        return pctx_fail(p, n, "missing Routing key in VictorOps config");
    static const char *const reserved[] = {"routing_key", "message_type", "state_message",
                                           "entity_display_name", "monitoring_tool", "entity_id",
                                           "entity_state", NULL};
    for (size_t i = 0; reserved[i]; i++)
        for (size_t j = 0; j < c->custom_fields.len; j++)
            if (!strcmp(c->custom_fields.items[j].key, reserved[i]))
                return pctx_fail(p, n, "victorOps config contains custom field %s which cannot "
                                       "be used as it conflicts with the fixed/static fields",
                                 reserved[i]);
    if (!empty(c->api_key) && !empty(c->api_key_file))
        return pctx_fail(p, n, "at most one of api_key & api_key_file must be configured");
    return 0;
}
static const struct cf_field victorops_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_victorops, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_victorops, http_config), 0, NULL, NULL},
    F("api_key", CF_SECRET, O, struct config_victorops, api_key, NULL),
    F("api_key_file", CF_STR, O, struct config_victorops, api_key_file, NULL),
    F("api_url", CF_URL, O, struct config_victorops, api_url, NULL),
    F("routing_key", CF_STR, O, struct config_victorops, routing_key, NULL),
    F("message_type", CF_STR, O, struct config_victorops, message_type, "CRITICAL"),
    F("state_message", CF_STR, O, struct config_victorops, state_message,
      TPL("victorops.default.state_message")),
    F("entity_display_name", CF_STR, O, struct config_victorops, entity_display_name,
      TPL("victorops.default.entity_display_name")),
    F("monitoring_tool", CF_STR, O, struct config_victorops, monitoring_tool,
      TPL("victorops.default.monitoring_tool")),
    F("custom_fields", CF_STRMAP, O, struct config_victorops, custom_fields, NULL),
};
SCHEMA(victorops_schema, "config.plain", struct config_victorops, victorops_fields,
       victorops_validate);

/* ---- wechat ---- */
static int wechat_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_wechat *c = obj;
    if (empty(c->message_type))
        c->message_type = cfg_arena_strdup(p->a, "text");
    if (strcmp(c->message_type, "text") && strcmp(c->message_type, "markdown"))
        return pctx_fail(p, n, "weChat message type \"%s\" does not match valid options "
                               "^(text|markdown)$",
                         c->message_type);
    return 0;
}
static const struct cf_field wechat_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_wechat, send_resolved, "false"),
    {"http_config", CF_HTTP, O, offsetof(struct config_wechat, http_config), 0, NULL, NULL},
    F("api_secret", CF_SECRET, O, struct config_wechat, api_secret, NULL),
    F("corp_id", CF_STR, O, struct config_wechat, corp_id, NULL),
    F("message", CF_STR, O, struct config_wechat, message, TPL("wechat.default.message")),
    F("api_url", CF_URL, O, struct config_wechat, api_url, NULL),
    F("to_user", CF_STR, O, struct config_wechat, to_user, TPL("wechat.default.to_user")),
    F("to_party", CF_STR, O, struct config_wechat, to_party, TPL("wechat.default.to_party")),
    F("to_tag", CF_STR, O, struct config_wechat, to_tag, TPL("wechat.default.to_tag")),
    F("agent_id", CF_STR, O, struct config_wechat, agent_id, TPL("wechat.default.agent_id")),
    F("message_type", CF_STR, O, struct config_wechat, message_type, NULL),
};
SCHEMA(wechat_schema, "config.plain", struct config_wechat, wechat_fields, wechat_validate);

/* ---- pushover ---- */
static int pushover_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_pushover *c = obj;
    if (empty(c->user_key))
        return pctx_fail(p, n, "missing user key in Pushover config");
    if (empty(c->token))
        return pctx_fail(p, n, "missing token in Pushover config");
    return 0;
}
static const struct cf_field pushover_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_pushover, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_pushover, http_config), 0, NULL, NULL},
    F("user_key", CF_SECRET, O, struct config_pushover, user_key, NULL),
    F("token", CF_SECRET, O, struct config_pushover, token, NULL),
    F("title", CF_STR, O, struct config_pushover, title, TPL("pushover.default.title")),
    F("message", CF_STR, O, struct config_pushover, message, TPL("pushover.default.message")),
    F("url", CF_STR, O, struct config_pushover, url, TPL("pushover.default.url")),
    F("url_title", CF_STR, O, struct config_pushover, url_title, NULL),
    F("sound", CF_STR, O, struct config_pushover, sound, NULL),
    F("priority", CF_STR, O, struct config_pushover, priority,
      "{{ if eq .Status \"firing\" }}2{{ else }}0{{ end }}"),
    F("retry", CF_GODUR, O, struct config_pushover, retry, "1m"),
    F("expire", CF_GODUR, O, struct config_pushover, expire, "1h"),
    F("html", CF_BOOL, 0, struct config_pushover, html, NULL),
};
SCHEMA(pushover_schema, "config.plain", struct config_pushover, pushover_fields,
       pushover_validate);

/* ---- sns ---- */
static const struct cf_field sigv4_fields[] = {
    F("region", CF_STR, O, struct config_sigv4, region, NULL),
    F("access_key", CF_STR, O, struct config_sigv4, access_key, NULL),
    F("secret_key", CF_SECRET, O, struct config_sigv4, secret_key, NULL),
    F("profile", CF_STR, O, struct config_sigv4, profile, NULL),
    F("role_arn", CF_STR, O, struct config_sigv4, role_arn, NULL),
};
static int sigv4_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_sigv4 *c = obj;
    if (empty(c->access_key) != empty(c->secret_key))
        return pctx_fail(p, n, "must provide a AWS SigV4 Access key and Secret Key if "
                               "credentials are specified in the SigV4 config");
    return 0;
}
SCHEMA(sigv4_schema, "sigv4.plain", struct config_sigv4, sigv4_fields, sigv4_validate);

static int sns_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_sns *c = obj;
    /* 0.25 compares the three emptiness flags with a chained != */
    if (empty(c->target_arn) ^ empty(c->topic_arn) ^ empty(c->phone_number))
        return pctx_fail(p, n, "must provide either a Target ARN, Topic ARN, or Phone Number "
                               "for SNS config");
    return 0;
}
static const struct cf_field sns_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_sns, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_sns, http_config), 0, NULL, NULL},
    F("api_url", CF_STR, O, struct config_sns, api_url, NULL),
    SUB("sigv4", CF_STRUCT, 0, struct config_sns, sigv4, &sigv4_schema),
    F("topic_arn", CF_STR, O, struct config_sns, topic_arn, NULL),
    F("phone_number", CF_STR, O, struct config_sns, phone_number, NULL),
    F("target_arn", CF_STR, O, struct config_sns, target_arn, NULL),
    F("subject", CF_STR, O, struct config_sns, subject, TPL("sns.default.subject")),
    F("message", CF_STR, O, struct config_sns, message, TPL("sns.default.message")),
    F("attributes", CF_STRMAP, O, struct config_sns, attributes, NULL),
};
SCHEMA(sns_schema, "config.plain", struct config_sns, sns_fields, sns_validate);

/* ---- webex ---- */
static int webex_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_webex *c = obj;
    if (empty(c->room_id))
        return pctx_fail(p, n, "missing room_id on webex_config");
    if (!c->http_config || !c->http_config->authorization)
        return pctx_fail(p, n, "missing webex_configs.http_config.authorization");
    return 0;
}
static const struct cf_field webex_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_webex, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_webex, http_config), 0, NULL, NULL},
    F("api_url", CF_URL, O, struct config_webex, api_url, NULL),
    F("message", CF_STR, O, struct config_webex, message, TPL("webex.default.message")),
    F("room_id", CF_STR, 0, struct config_webex, room_id, NULL),
};
SCHEMA(webex_schema, "config.plain", struct config_webex, webex_fields, webex_validate);

/* ---- discord ---- */
static int discord_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    if (empty(((struct config_discord *)obj)->webhook_url))
        return pctx_fail(p, n, "no discord webhook URL provided");
    return 0;
}
static const struct cf_field discord_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_discord, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_discord, http_config), 0, NULL, NULL},
    F("webhook_url", CF_SECRET_URL, O, struct config_discord, webhook_url, NULL),
    F("title", CF_STR, O, struct config_discord, title, TPL("discord.default.title")),
    F("message", CF_STR, O, struct config_discord, message, TPL("discord.default.message")),
};
SCHEMA(discord_schema, "config.plain", struct config_discord, discord_fields, discord_validate);

/* ---- msteams (Alertmanager 0.26; summary 0.27) ----
 * 0.27 also names webhook_url_file, but its loader still demanded webhook_url
 * until 0.28 fixed it, so no 0.27 config could use the file: chorus leaves the
 * key out and keeps 0.26's error for a missing URL. */
static int msteams_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    if (empty(((struct config_msteams *)obj)->webhook_url))
        return pctx_fail(p, n, "no msteams webhook URL provided");
    return 0;
}
static const struct cf_field msteams_fields[] = {
    F("send_resolved", CF_BOOL, 0, struct config_msteams, send_resolved, "true"),
    {"http_config", CF_HTTP, O, offsetof(struct config_msteams, http_config), 0, NULL, NULL},
    F("webhook_url", CF_SECRET_URL, O, struct config_msteams, webhook_url, NULL),
    F("title", CF_STR, O, struct config_msteams, title, TPL("msteams.default.title")),
    F("summary", CF_STR, O, struct config_msteams, summary, TPL("msteams.default.summary")),
    F("text", CF_STR, O, struct config_msteams, text, TPL("msteams.default.text")),
};
SCHEMA(msteams_schema, "config.plain", struct config_msteams, msteams_fields, msteams_validate);

/* ---- receiver ---- */
#define RLIST(name, member, sub, gotype) \
    LIST(name, struct config_receiver, member, n_##member, sub, gotype)
static const struct cf_field receiver_fields[] = {
    F("name", CF_STR, 0, struct config_receiver, name, NULL),
    RLIST("discord_configs", discord, &discord_schema, "[]*config.DiscordConfig"),
    RLIST("email_configs", email, &email_schema, "[]*config.EmailConfig"),
    RLIST("pagerduty_configs", pagerduty, &pagerduty_schema, "[]*config.PagerdutyConfig"),
    RLIST("slack_configs", slack, &slack_schema, "[]*config.SlackConfig"),
    RLIST("webhook_configs", webhook, &webhook_schema, "[]*config.WebhookConfig"),
    RLIST("opsgenie_configs", opsgenie, &opsgenie_schema, "[]*config.OpsGenieConfig"),
    RLIST("wechat_configs", wechat, &wechat_schema, "[]*config.WechatConfig"),
    RLIST("pushover_configs", pushover, &pushover_schema, "[]*config.PushoverConfig"),
    RLIST("victorops_configs", victorops, &victorops_schema, "[]*config.VictorOpsConfig"),
    RLIST("sns_configs", sns, &sns_schema, "[]*config.SNSConfig"),
    RLIST("telegram_configs", telegram, &telegram_schema, "[]*config.TelegramConfig"),
    RLIST("webex_configs", webex, &webex_schema, "[]*config.WebexConfig"),
    RLIST("msteams_configs", msteams, &msteams_schema, "[]*config.MSTeamsConfig"),
};
static int receiver_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct config_receiver *r = obj;
    r->line = node_line(n);
    if (empty(r->name))
        return pctx_fail(p, n, "missing name in receiver");
    return 0;
}
SCHEMA(receiver_schema, "config.plain", struct config_receiver, receiver_fields,
       receiver_validate);

int receivers_parse(struct pctx *p, yaml_node_t *n)
{
    struct config *c = p->cfg;
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]*config.Receiver"))
        return -1;
    size_t idx = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++, idx++) {
        struct config_receiver *r =
            cfg_arena_push(p->a, &c->receivers, &c->n_receivers, sizeof *r);
        size_t mark = path_push_index(p, idx);
        int rc = schema_parse(p, &receiver_schema, node_get(p, *i), r);
        for (size_t j = 0; !rc && j + 1 < c->n_receivers; j++)
            if (!strcmp(c->receivers[j].name, r->name))
                rc = pctx_fail(p, node_get(p, *i), "notification config name \"%s\" is not unique",
                               r->name);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---- defaults from global (config.Load's second pass) ---- */

#define INHERIT(dst, src) \
    do { \
        if (empty(dst)) \
            (dst) = (src); \
    } while (0)

static struct config_http *http_or_global(struct config *c, struct config_http *h)
{
    if (!h)
        return &c->global.http_config;
    http_resolve_paths(&c->arena, c->dir, h);
    return h;
}

static int email_apply(struct pctx *p, yaml_node_t *n, struct config_email *e)
{
    struct cfg_global *g = &p->cfg->global;
    if (empty(e->smarthost)) {
        if (empty(g->smtp_smarthost))
            return pctx_fail(p, n, "no global SMTP smarthost set");
        e->smarthost = g->smtp_smarthost;
    }
    if (empty(e->from)) {
        if (empty(g->smtp_from))
            return pctx_fail(p, n, "no global SMTP from set");
        e->from = g->smtp_from;
    }
    INHERIT(e->hello, g->smtp_hello);
    INHERIT(e->auth_username, g->smtp_auth_username);
    if (empty(e->auth_password) && empty(e->auth_password_file)) {
        e->auth_password = g->smtp_auth_password;
        e->auth_password_file = g->smtp_auth_password_file;
    }
    INHERIT(e->auth_secret, g->smtp_auth_secret);
    INHERIT(e->auth_identity, g->smtp_auth_identity);
    if (!e->require_tls_set)
        e->require_tls = g->smtp_require_tls;
    e->require_tls_set = true;
    strmap_default(p->a, &e->headers, "From", e->from);
    strmap_default(p->a, &e->headers, "To", e->to);
    strmap_default(p->a, &e->headers, "Subject", TPL("email.default.subject"));
    return 0;
}

/* An integration URL left empty takes the global one; 0.25 fails when that
 * one was blanked out too (telegram excepted, which 0.25 does not check). */
static int url_or_global(struct pctx *p, yaml_node_t *n, char **url, char *global,
                         const char *what)
{
    if (!empty(*url))
        return 0;
    if (empty(global) && what)
        return pctx_fail(p, n, "no global %s URL set", what);
    *url = global;
    return 0;
}

/* A value that may be given inline or as a file, falling back to the global
 * pair when the integration sets neither; msg when the global has neither. */
static int pair_or_global(struct pctx *p, yaml_node_t *n, char **val, char **file,
                          char *global_val, char *global_file, const char *msg)
{
    if (!empty(*val) || !empty(*file))
        return 0;
    if (empty(global_val) && empty(global_file))
        return pctx_fail(p, n, "%s", msg);
    *val = global_val;
    *file = global_file;
    return 0;
}

static int slack_apply(struct pctx *p, yaml_node_t *n, struct config_slack *s)
{
    struct cfg_global *g = &p->cfg->global;
    s->http_config = http_or_global(p->cfg, s->http_config);
    return pair_or_global(p, n, &s->api_url, &s->api_url_file, g->slack_api_url,
                          g->slack_api_url_file,
                          "no global Slack API URL set either inline or in a file");
}

static int opsgenie_apply(struct pctx *p, yaml_node_t *n, struct config_opsgenie *o)
{
    struct cfg_global *g = &p->cfg->global;
    o->http_config = http_or_global(p->cfg, o->http_config);
    if (url_or_global(p, n, &o->api_url, g->opsgenie_api_url, "OpsGenie"))
        return -1;
    return pair_or_global(p, n, &o->api_key, &o->api_key_file, g->opsgenie_api_key,
                          g->opsgenie_api_key_file,
                          "no global OpsGenie API Key set either inline or in a file");
}

static int wechat_apply(struct pctx *p, yaml_node_t *n, struct config_wechat *w)
{
    struct cfg_global *g = &p->cfg->global;
    w->http_config = http_or_global(p->cfg, w->http_config);
    if (url_or_global(p, n, &w->api_url, g->wechat_api_url, "Wechat"))
        return -1;
    if (empty(w->api_secret)) {
        if (empty(g->wechat_api_secret))
            return pctx_fail(p, n, "no global Wechat ApiSecret set");
        w->api_secret = g->wechat_api_secret;
    }
    if (empty(w->corp_id)) {
        if (empty(g->wechat_api_corp_id))
            return pctx_fail(p, n, "no global Wechat CorpID set");
        w->corp_id = g->wechat_api_corp_id;
    }
    return 0;
}

static int victorops_apply(struct pctx *p, yaml_node_t *n, struct config_victorops *v)
{
    struct cfg_global *g = &p->cfg->global;
    v->http_config = http_or_global(p->cfg, v->http_config);
    if (url_or_global(p, n, &v->api_url, g->victorops_api_url, "VictorOps"))
        return -1;
    return pair_or_global(p, n, &v->api_key, &v->api_key_file, g->victorops_api_key,
                          g->victorops_api_key_file, "no global VictorOps API Key set");
}

/* Walks the node list of one `<type>_configs` key so errors point at it. */
static yaml_node_t *receiver_item_node(struct pctx *p, yaml_node_t *rn, const char *key,
                                       size_t idx)
{
    if (!rn || rn->type != YAML_MAPPING_NODE)
        return rn;
    for (yaml_node_pair_t *pr = rn->data.mapping.pairs.start; pr < rn->data.mapping.pairs.top;
         pr++) {
        if (strcmp(node_str(node_get(p, pr->key)), key))
            continue;
        yaml_node_t *seq = node_get(p, pr->value);
        if (seq->type == YAML_SEQUENCE_NODE &&
            seq->data.sequence.items.start + idx < seq->data.sequence.items.top)
            return node_get(p, seq->data.sequence.items.start[idx]);
        return seq;
    }
    return rn;
}

#define EACH(r, member, key, body) \
    for (size_t i_ = 0; i_ < (r)->n_##member; i_++) { \
        size_t m1_ = path_push_key(p, key); \
        size_t m2_ = path_push_index(p, i_); \
        yaml_node_t *in = receiver_item_node(p, rn, key, i_); \
        __typeof__(&(r)->member[0]) it = &(r)->member[i_]; \
        (void)in; \
        int rc_ = (body); \
        path_pop(p, m2_); \
        path_pop(p, m1_); \
        if (rc_) \
            return -1; \
    }

static int receiver_apply(struct pctx *p, yaml_node_t *rn, struct config_receiver *r)
{
    struct config *c = p->cfg;
    struct cfg_global *g = &c->global;
    EACH(r, webhook, "webhook_configs",
         (it->http_config = http_or_global(c, it->http_config), 0));
    EACH(r, email, "email_configs", email_apply(p, in, it));
    EACH(r, pagerduty, "pagerduty_configs",
         (it->http_config = http_or_global(c, it->http_config),
          url_or_global(p, in, &it->url, g->pagerduty_url, "PagerDuty")));
    EACH(r, slack, "slack_configs", slack_apply(p, in, it));
    EACH(r, opsgenie, "opsgenie_configs", opsgenie_apply(p, in, it));
    EACH(r, wechat, "wechat_configs", wechat_apply(p, in, it));
    EACH(r, pushover, "pushover_configs",
         (it->http_config = http_or_global(c, it->http_config), 0));
    EACH(r, victorops, "victorops_configs", victorops_apply(p, in, it));
    EACH(r, sns, "sns_configs", (it->http_config = http_or_global(c, it->http_config), 0));
    EACH(r, telegram, "telegram_configs",
         (it->http_config = http_or_global(c, it->http_config),
          url_or_global(p, in, &it->api_url, g->telegram_api_url, NULL)));
    EACH(r, discord, "discord_configs",
         (it->http_config = http_or_global(c, it->http_config), 0));
    EACH(r, webex, "webex_configs",
         (it->http_config = http_or_global(c, it->http_config),
          url_or_global(p, in, &it->api_url, g->webex_api_url, "Webex")));
    EACH(r, msteams, "msteams_configs",
         (it->http_config = http_or_global(c, it->http_config), 0));
    return 0;
}

int receivers_apply_global(struct pctx *p, yaml_node_t *n)
{
    struct config *c = p->cfg;
    size_t mark = path_push_key(p, "receivers");
    for (size_t i = 0; i < c->n_receivers; i++) {
        yaml_node_t *rn = n && n->type == YAML_SEQUENCE_NODE &&
                                  n->data.sequence.items.start + i < n->data.sequence.items.top
                              ? node_get(p, n->data.sequence.items.start[i])
                              : n;
        size_t m = path_push_index(p, i);
        int rc = receiver_apply(p, rn, &c->receivers[i]);
        path_pop(p, m);
        if (rc) {
            path_pop(p, mark);
            return -1;
        }
    }
    path_pop(p, mark);
    return 0;
}

void receivers_emit(struct yout *o, const struct config *c)
{
    yout_seq_begin(o, false);
    for (size_t i = 0; i < c->n_receivers; i++)
        schema_emit(o, &receiver_schema, &c->receivers[i]);
    yout_seq_end(o);
}

size_t config_receiver_integrations(const struct config_receiver *r)
{
    return r->n_discord + r->n_email + r->n_pagerduty + r->n_slack + r->n_webhook +
           r->n_opsgenie + r->n_wechat + r->n_pushover + r->n_victorops + r->n_sns +
           r->n_telegram + r->n_webex + r->n_msteams;
}
