/*
 * config/global.c: the `global` section, its 0.25 defaults (which apply even
 * when the section is absent) and its rendering.
 */
#include "config/internal.h"

#define F(name, kind, flags, member, dflt) \
    {name, kind, flags, offsetof(struct cfg_global, member), 0, NULL, dflt}
#define O CFF_OMITEMPTY

static int global_validate(struct pctx *p, yaml_node_t *n, void *obj)
{
    struct cfg_global *g = obj;
    if (g->slack_api_url && g->slack_api_url_file)
        return pctx_fail(p, n, "at most one of slack_api_url & slack_api_url_file must be "
                               "configured");
    if (g->opsgenie_api_key && g->opsgenie_api_key_file)
        return pctx_fail(p, n, "at most one of opsgenie_api_key & opsgenie_api_key_file must "
                               "be configured");
    if (g->victorops_api_key && g->victorops_api_key_file)
        return pctx_fail(p, n, "at most one of victorops_api_key & victorops_api_key_file must "
                               "be configured");
    if (g->smtp_auth_password && g->smtp_auth_password_file)
        return pctx_fail(p, n, "at most one of smtp_auth_password & smtp_auth_password_file "
                               "must be configured");
    return 0;
}

static const struct cf_field global_fields[] = {
    F("resolve_timeout", CF_PROMDUR, 0, resolve_timeout, "5m"),
    {"http_config", CF_STRUCT, 0, offsetof(struct cfg_global, http_config), 0, &cf_http_schema,
     NULL},
    F("smtp_from", CF_STR, O, smtp_from, NULL),
    F("smtp_hello", CF_STR, O, smtp_hello, "localhost"),
    F("smtp_smarthost", CF_HOSTPORT, O, smtp_smarthost, NULL),
    F("smtp_auth_username", CF_STR, O, smtp_auth_username, NULL),
    F("smtp_auth_password", CF_SECRET, O, smtp_auth_password, NULL),
    F("smtp_auth_password_file", CF_STR, O, smtp_auth_password_file, NULL),
    F("smtp_auth_secret", CF_SECRET, O, smtp_auth_secret, NULL),
    F("smtp_auth_identity", CF_STR, O, smtp_auth_identity, NULL),
    F("smtp_require_tls", CF_BOOL, 0, smtp_require_tls, "true"),
    F("slack_api_url", CF_SECRET_URL, O, slack_api_url, NULL),
    F("slack_api_url_file", CF_STR, O, slack_api_url_file, NULL),
    F("pagerduty_url", CF_URL, O, pagerduty_url, "https://events.pagerduty.com/v2/enqueue"),
    F("opsgenie_api_url", CF_URL, O, opsgenie_api_url, "https://api.opsgenie.com/"),
    F("opsgenie_api_key", CF_SECRET, O, opsgenie_api_key, NULL),
    F("opsgenie_api_key_file", CF_STR, O, opsgenie_api_key_file, NULL),
    F("wechat_api_url", CF_URL, O, wechat_api_url, "https://qyapi.weixin.qq.com/cgi-bin/"),
    F("wechat_api_secret", CF_SECRET, O, wechat_api_secret, NULL),
    F("wechat_api_corp_id", CF_STR, O, wechat_api_corp_id, NULL),
    F("victorops_api_url", CF_URL, O, victorops_api_url,
      "https://alert.victorops.com/integrations/generic/20131114/alert/"),
    F("victorops_api_key", CF_SECRET, O, victorops_api_key, NULL),
    F("victorops_api_key_file", CF_STR, O, victorops_api_key_file, NULL),
    F("telegram_api_url", CF_URL, O, telegram_api_url, "https://api.telegram.org"),
    F("webex_api_url", CF_URL, O, webex_api_url, "https://webexapis.com/v1/messages"),
};
static const struct cf_schema global_schema = {"config.plain", sizeof(struct cfg_global),
                                               global_fields, ARRAY_SIZE(global_fields), NULL,
                                               global_validate};

void global_defaults(struct config *c)
{
    schema_defaults(&c->arena, &global_schema, &c->global);
}

int global_parse(struct pctx *p, yaml_node_t *n)
{
    if (node_is_null(n))
        return 0;
    if (schema_parse(p, &global_schema, n, &p->cfg->global))
        return -1;
    http_resolve_paths(p->a, p->cfg->dir, &p->cfg->global.http_config);
    return 0;
}

void global_emit(struct yout *o, const struct config *c)
{
    schema_emit(o, &global_schema, &c->global);
}
