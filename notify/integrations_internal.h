/*
 * Private to notify/'s integration builders: what the per-kind files share.
 * Not part of the contract (notify.h is).
 */
#ifndef CHORUS_NOTIFY_INTEGRATIONS_INTERNAL_H
#define CHORUS_NOTIFY_INTEGRATIONS_INTERNAL_H

#include "notify/notify.h"
#include "template/template.h"
#include "util/util.h"

/* Alertmanager's User-Agent, sent as-is so receivers that check it keep
 * working (docs/compatibility.md). */
#define NOTIFY_USER_AGENT "Alertmanager/0.25.0"

/* What a message owns: every string and array its request points to. */
struct notify_owned {
    void **ptrs;
    size_t n_ptrs;
    const char *error_prefix; /* wraps status errors (Slack: `channel "#x"`) */
    const char *transport_prefix; /* wraps transport errors ("telebot: ") */
    bool redact_url; /* transport errors show "<redacted>" for the URL (a secret) */
};

/* Hands p to the message (freed with it); returns p. */
void *notify_keep(struct notify_message *m, void *p);
/* Adds a header to req, copying nothing: name and value must be static or
 * kept by m. */
void notify_add_header(struct notify_message *m, struct outbound_http_request *req,
                       const char *name, const char *value);
/* A POST of a JSON body with 0.25's Content-Type and User-Agent. */
void notify_json_post(struct notify_message *m, struct outbound_http_request *req,
                      const char *url, struct strbuf *body);
/* Appends one more request to m->then and returns it. */
struct outbound_http_request *notify_add_followup(struct notify_message *m);

/* 0.25's notify.TmplText: renders a field; after the first error every later
 * field renders "" and the first error is kept (in r->err) for the caller. */
struct notify_render {
    const struct template_set *tmpl;
    const struct template_data *data;
    bool html; /* html/template (Telegram's parse_mode HTML) */
    bool keep_partial; /* the failing field keeps what rendered before the error
                          (Go's output; SNS sends it, ignoring the error) */
    char *err; /* first error, NULL while none */
};
char *notify_render(struct notify_render *r, const char *text); /* caller frees */
/* The same, kept by m. */
const char *notify_render_kept(struct notify_render *r, struct notify_message *m,
                               const char *text);

/* 0.25's notify.TruncateInRunes: at most n runes, the last one "…" when cut.
 * Returns a new string. */
char *notify_truncate_runes(const char *s, size_t n, bool *truncated);
/* notify.TruncateInBytes: at most n bytes, the last three "…" when cut. */
char *notify_truncate_bytes(const char *s, size_t n, bool *truncated);

/* Bytes of the UTF-8 rune at s; 1 for an invalid byte, as Go decodes it. */
size_t notify_rune_len(const char *s, size_t avail);
/* Go's strings.TrimSpace, in place; returns s. */
char *notify_trim_space(char *s);
/* A secret file's content (0.25 reads it per notification), trimmed when
 * asked; NULL with *err = "open <path>: <reason>" when unreadable. */
char *notify_read_secret(const char *path, bool trim, char **err);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void notify_hex(const void *data, size_t n, char *out);

/* SHA-256 of the group key in lowercase hex: 0.25's Key.Hash() (PagerDuty
 * dedup key, Opsgenie alias). */
void notify_key_hash(const char *group_key, char out[65]);

/* Writing a JSON object as encoding/json does for a Go struct: fields in
 * declaration order, `omitempty` ones left out when empty, HTML-escaped. */
struct json_obj {
    struct strbuf *sb;
    bool any;
};
void jobj_begin(struct json_obj *o, struct strbuf *sb);
void jobj_key(struct json_obj *o, const char *key); /* the value follows */
void jobj_str(struct json_obj *o, const char *key, const char *value, bool omitempty);
void jobj_end(struct json_obj *o);

/* Go map[string]string as JSON: keys sorted (the maps here are). */
void notify_json_kv(struct strbuf *sb, const struct labelset *ls);

/* Per-kind builders; each returns 0 or -1 with *retry and *err. */
typedef int notify_builder(const struct notify_integration *in, const struct template_set *tmpl,
                           const struct notify_group *g, struct notify_message *out,
                           bool *retry, char **err);
notify_builder notify_build_webhook;
notify_builder notify_build_email;
notify_builder notify_build_slack;
notify_builder notify_build_telegram;
notify_builder notify_build_discord;
notify_builder notify_build_msteams;
notify_builder notify_build_pagerduty;
notify_builder notify_build_opsgenie;
notify_builder notify_build_victorops;
notify_builder notify_build_pushover;
notify_builder notify_build_webex;
notify_builder notify_build_sns;

/* Response details 0.25's PagerDuty notifier adds to a 400's error. */
void notify_pagerduty_error_details(const char *body, size_t len, struct strbuf *out);
/* The <Message> of an AWS error reply, as the SDK hands it to 0.25. */
void notify_sns_error_message(const char *body, size_t len, struct strbuf *out);
/* Telegram's client library judges the JSON reply, not the status. */
int notify_telegram_judge(const struct outbound_http_response *r, bool *retry, char **err);

/* The alerts an integration renders (0.25's types.Alerts status). */
bool notify_group_firing(const struct notify_group *g);

/* Go's net/url escapings (urlvalues.c). */
enum notify_url_escape {
    NOTIFY_ESCAPE_QUERY,        /* url.QueryEscape: space as '+' */
    NOTIFY_ESCAPE_PATH,         /* URL.EscapedPath: keeps $&+,/:;=@ */
    NOTIFY_ESCAPE_RFC3986_PATH, /* AWS's EscapePath: unreserved and '/' only */
};
void notify_url_escape(struct strbuf *sb, const char *s, enum notify_url_escape mode);
/* url.Values.Encode: keys sorted, which a labelset is. */
void notify_form_encode(const struct labelset *values, struct strbuf *out);

/* AWS Signature Version 4 (sns.c), for a request with no query string. */
struct notify_sigv4 {
    const char *method, *canonical_uri, *canonical_query;
    const struct labelset *headers; /* lowercase names, sorted: all are signed */
    const char *payload;
    size_t payload_len;
    const char *amz_date; /* 20150830T123600Z */
    const char *region, *service, *access_key, *secret_key;
};
/* The Authorization header's value. */
char *notify_sigv4_authorization(const struct notify_sigv4 *s);
/* The derived key (for AWS's published key derivation example). */
void notify_sigv4_signing_key(const char *secret_key, const char *date, const char *region,
                              const char *service, unsigned char out[32]);

#endif
