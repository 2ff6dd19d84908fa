/*
 * config: alertmanager.yml parsed (libyaml) into typed, validated structs.
 *
 * Parsing is strict like Alertmanager's: unknown keys, wrong types, bad
 * durations, bad matchers and every semantic check of 0.25's config.Load are
 * errors, each reported with file, line and key.  After loading, every route
 * carries its inherited receiver, group_by and timers, so consumers never walk
 * parents.  The loaded config also renders back to YAML with defaults filled
 * and secrets shown as <secret>: that is GET /api/v2/status' config.original.
 * A config is immutable once loaded; reload builds a new one and swaps it.
 */
#ifndef CHORUS_CONFIG_H
#define CHORUS_CONFIG_H

#include "labels/labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_route {
    const struct config_route *parent; /* NULL for the root */
    size_t index;                      /* among its siblings */
    char *receiver;                    /* inherited when unset */
    char **group_by;                   /* label names, inherited when unset */
    size_t n_group_by;
    bool group_by_all;                 /* group_by: ['...'] */
    struct matchers matchers;          /* match + match_re + matchers */
    bool continue_matching;            /* `continue` */
    int64_t group_wait, group_interval, repeat_interval; /* ns, inherited */
    char **mute_time_intervals;
    size_t n_mute_time_intervals;
    char **active_time_intervals;
    size_t n_active_time_intervals;
    struct config_route *routes;
    size_t n_routes;
    char *key;                         /* route key: {} or parent/{...} */
    int line;                          /* where it starts in the file */
};

/* Receivers and their integrations are private to config/ until the
 * notification pipeline needs them; the API sees names and counts. */
struct config;

struct config_receiver_info {
    const char *name;
    size_t n_integrations;
};

/* Loads and validates.  On failure returns -1 and sets *err (caller frees),
 * formatted "<file>:<line>: <key>: <message>" where the line and key are
 * known, e.g. "alertmanager.yml:12: route.receiver: undefined receiver \"x\"
 * used in route". */
int config_load_file(const char *path, struct config **out, char **err);
/* The same from a string; `name` stands in for the file name in errors. */
int config_load_string(const char *yaml, size_t len, const char *name, struct config **out,
                       char **err);
void config_free(struct config *c);

const struct config_route *config_route_root(const struct config *c);
int64_t config_resolve_timeout(const struct config *c);
size_t config_receiver_count(const struct config *c);
struct config_receiver_info config_receiver_at(const struct config *c, size_t i);
/* The effective config as YAML, defaults filled, secrets as <secret>. */
const char *config_original(const struct config *c);
/* Alertmanager's config hash metric: a hash of the file bytes. */
double config_hash(const struct config *c);
size_t config_integration_count(const struct config *c);

/* ---- receivers and integrations, as the notification pipeline reads them ----
 * Strings are NULL when unset.  Values inherited from `global` (URLs, SMTP
 * settings, API keys, http_config) are already filled in.  Secrets are kept
 * in clear here; only config_original() hides them.  Everything a config
 * hands out lives until config_free(); an integration without its own
 * http_config points at the global one. */
struct config_strlist {
    char **items;
    size_t len;
};
struct config_kv {
    char *key;
    char *value;
};
struct config_strmap { /* sorted by key */
    struct config_kv *items;
    size_t len;
};
struct config_header {
    char *name;
    struct config_strlist values;
};
struct config_headers {
    struct config_header *items;
    size_t len;
};

struct config_tls {
    char *ca_file, *cert_file, *key_file, *server_name;
    bool insecure_skip_verify;
    int64_t min_version, max_version; /* 0 or 0x0301..0x0304 */
};
struct config_basic_auth {
    char *username, *password, *password_file;
};
struct config_authorization {
    char *type, *credentials, *credentials_file;
};
struct config_oauth2 {
    char *client_id, *client_secret, *client_secret_file;
    struct config_strlist scopes;
    char *token_url;
    struct config_strmap endpoint_params;
    char *proxy_url;
    struct config_headers proxy_connect_header;
    struct config_tls tls_config;
};
/* prometheus/common HTTPClientConfig.  bearer_token(_file) are folded into
 * authorization {type: Bearer} while loading, as 0.25 does. */
struct config_http {
    struct config_basic_auth *basic_auth;
    struct config_authorization *authorization;
    struct config_oauth2 *oauth2;
    char *bearer_token, *bearer_token_file;
    char *proxy_url;
    struct config_headers proxy_connect_header;
    struct config_tls tls_config;
    bool follow_redirects, enable_http2;
};

struct config_webhook {
    bool send_resolved;
    struct config_http *http_config;
    char *url;
    uint64_t max_alerts;
};
struct config_email {
    bool send_resolved;
    char *to, *from, *hello, *smarthost;
    char *auth_username, *auth_password, *auth_password_file, *auth_secret, *auth_identity;
    struct config_strmap headers; /* canonical names; From, To, Subject filled */
    char *html, *text;
    bool require_tls_set; /* always true after loading (global default) */
    bool require_tls;
    struct config_tls tls_config;
};
struct config_slack_field {
    char *title, *value;
    bool short_set, short_value; /* `short` is a *bool */
};
struct config_slack_confirm {
    char *text, *title, *ok_text, *dismiss_text;
};
struct config_slack_action {
    char *type, *text, *url, *style, *name, *value;
    struct config_slack_confirm *confirm;
};
struct config_slack {
    bool send_resolved;
    struct config_http *http_config;
    char *api_url, *api_url_file;
    char *channel, *username, *color, *title, *title_link, *pretext, *text;
    struct config_slack_field *fields;
    size_t n_fields;
    bool short_fields;
    char *footer, *fallback, *callback_id, *icon_emoji, *icon_url, *image_url, *thumb_url;
    bool link_names;
    struct config_strlist mrkdwn_in;
    struct config_slack_action *actions;
    size_t n_actions;
};
struct config_telegram {
    bool send_resolved;
    struct config_http *http_config;
    char *api_url, *bot_token;
    int64_t chat_id;
    char *message;
    bool disable_notifications;
    char *parse_mode;
};
struct config_pagerduty_image {
    char *src, *alt, *href;
};
struct config_pagerduty_link {
    char *href, *text;
};
struct config_pagerduty {
    bool send_resolved;
    struct config_http *http_config;
    char *service_key, *service_key_file, *routing_key, *routing_key_file;
    char *url, *client, *client_url, *description;
    struct config_strmap details;
    struct config_pagerduty_image *images;
    size_t n_images;
    struct config_pagerduty_link *links;
    size_t n_links;
    char *source, *severity, *class_, *component, *group;
};
struct config_opsgenie_responder {
    char *id, *name, *username, *type;
};
struct config_opsgenie {
    bool send_resolved;
    struct config_http *http_config;
    char *api_key, *api_key_file, *api_url;
    char *message, *description, *source;
    struct config_strmap details;
    char *entity;
    struct config_opsgenie_responder *responders;
    size_t n_responders;
    char *actions, *tags, *note, *priority;
    bool update_alerts;
};
struct config_victorops {
    bool send_resolved;
    struct config_http *http_config;
    char *api_key, *api_key_file, *api_url, *routing_key;
    char *message_type, *state_message, *entity_display_name, *monitoring_tool;
    struct config_strmap custom_fields;
};
struct config_wechat {
    bool send_resolved;
    struct config_http *http_config;
    char *api_secret, *corp_id, *message, *api_url;
    char *to_user, *to_party, *to_tag, *agent_id, *message_type;
};
struct config_pushover {
    bool send_resolved;
    struct config_http *http_config;
    char *user_key, *token, *title, *message, *url, *url_title, *sound, *priority;
    int64_t retry, expire; /* ns, Go duration syntax */
    bool html;
};
struct config_sigv4 {
    char *region, *access_key, *secret_key, *profile, *role_arn;
};
struct config_sns {
    bool send_resolved;
    struct config_http *http_config;
    char *api_url;
    struct config_sigv4 sigv4;
    char *topic_arn, *phone_number, *target_arn, *subject, *message;
    struct config_strmap attributes;
};
struct config_webex {
    bool send_resolved;
    struct config_http *http_config;
    char *api_url, *message, *room_id;
};
struct config_discord {
    bool send_resolved;
    struct config_http *http_config;
    char *webhook_url, *title, *message;
};
/* msteams_configs: Alertmanager 0.26's keys plus 0.27's summary, beyond 0.25
 * (docs/compatibility.md). */
struct config_msteams {
    bool send_resolved;
    struct config_http *http_config;
    char *webhook_url, *title, *summary, *text;
};

struct config_receiver {
    char *name;
    struct config_discord *discord;
    size_t n_discord;
    struct config_email *email;
    size_t n_email;
    struct config_pagerduty *pagerduty;
    size_t n_pagerduty;
    struct config_slack *slack;
    size_t n_slack;
    struct config_webhook *webhook;
    size_t n_webhook;
    struct config_opsgenie *opsgenie;
    size_t n_opsgenie;
    struct config_wechat *wechat;
    size_t n_wechat;
    struct config_pushover *pushover;
    size_t n_pushover;
    struct config_victorops *victorops;
    size_t n_victorops;
    struct config_sns *sns;
    size_t n_sns;
    struct config_telegram *telegram;
    size_t n_telegram;
    struct config_webex *webex;
    size_t n_webex;
    struct config_msteams *msteams;
    size_t n_msteams;
    int line;
};
size_t config_receiver_integrations(const struct config_receiver *r);
const struct config_receiver *config_receiver_get(const struct config *c, size_t i);
/* NULL when no receiver has that name. */
const struct config_receiver *config_receiver_find(const struct config *c, const char *name);

struct config_inhibit_rule {
    struct matchers source; /* source_match + source_match_re + source_matchers */
    struct matchers target;
    struct config_strlist equal;
    int line;
};
size_t config_inhibit_rule_count(const struct config *c);
const struct config_inhibit_rule *config_inhibit_rule_at(const struct config *c, size_t i);

/* One entry of a named time interval.  An unset field (n_* == 0) matches
 * anything; ranges are inclusive except times, which are [start, end) in
 * minutes of the day (end may be 1440). */
struct config_int_range {
    int begin, end;
};
struct config_time_spec {
    struct config_int_range *times;
    size_t n_times;
    struct config_int_range *weekdays; /* 0 = sunday .. 6 = saturday */
    size_t n_weekdays;
    struct config_int_range *days_of_month; /* 1..31 or -31..-1 */
    size_t n_days_of_month;
    struct config_int_range *months; /* 1..12 */
    size_t n_months;
    struct config_int_range *years;
    size_t n_years;
    char *location; /* NULL: UTC; "Local" or an IANA name */
};
struct config_time_interval {
    char *name;
    struct config_time_spec *specs;
    size_t n_specs;
    bool deprecated_mute; /* came from mute_time_intervals */
};
size_t config_time_interval_count(const struct config *c);
const struct config_time_interval *config_time_interval_at(const struct config *c, size_t i);
const struct config_time_interval *config_time_interval_find(const struct config *c,
                                                             const char *name);

/* Template globs, relative ones already joined to the config file's dir. */
const struct config_strlist *config_templates(const struct config *c);

/* ---- the web config (--web.config.file) ----
 * The exporter-toolkit file Alertmanager 0.25 reads when it starts listening
 * (TLS and basic auth), parsed as strictly as 0.25 does and validated the
 * way it is at start-up: header names and values, bcrypt hashes, cert_file
 * and key_file both set, readable and holding PEM certificate and key
 * blocks, client_ca_file readable, client_auth_type known.  Relative paths
 * are joined to the file's directory.  Errors read "<file>:<line>: <key>:
 * <message>" with Go's message.  Nothing here serves TLS or checks
 * passwords; a config_web is plain data, immutable once loaded. */
enum config_web_client_auth {
    CONFIG_WEB_NO_CLIENT_CERT, /* "" or NoClientCert */
    CONFIG_WEB_REQUEST_CLIENT_CERT,
    CONFIG_WEB_REQUIRE_ANY_CLIENT_CERT, /* also the old name RequireClientCert */
    CONFIG_WEB_VERIFY_CLIENT_CERT_IF_GIVEN,
    CONFIG_WEB_REQUIRE_AND_VERIFY_CLIENT_CERT,
};
struct config_web_tls {
    bool enabled; /* cert_file, key_file, client_auth_type or client_ca_file set */
    char *cert_file, *key_file, *client_ca_file; /* NULL when unset or "" */
    enum config_web_client_auth client_auth;
    uint16_t *cipher_suites; /* IANA ids in file order; none: the TLS library's */
    size_t n_cipher_suites;
    uint16_t *curve_preferences; /* TLS named-group ids (23, 24, 25, 29) */
    size_t n_curve_preferences;
    /* 0x0301 (TLS10) .. 0x0304 (TLS13); default TLS12..TLS13, 0 when given null */
    uint16_t min_version, max_version;
    bool prefer_server_cipher_suites; /* default true */
};
struct config_web {
    struct config_web_tls tls;
    bool http2;                   /* http_server_config.http2, default true */
    struct config_strmap headers; /* extra response headers, validated */
    struct config_strmap users;   /* basic_auth_users: name -> bcrypt hash */
};
/* Loads and validates; on failure returns -1 and sets *err (caller frees).
 * A null section zeroes its defaults, as yaml.v2 does. */
int config_web_load_file(const char *path, struct config_web **out, char **err);
/* Go's (and IANA's) name of a cipher_suites id, NULL for one Go lacks. */
const char *config_web_cipher_name(uint16_t id);
void config_web_free(struct config_web *w);

#endif
