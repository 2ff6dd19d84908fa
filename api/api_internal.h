/*
 * api internals: the transport-free request and response the handlers work
 * on, and the pieces (JSON reader, Go-compatible decoders and encoders, query
 * parsing) the handler files share.  server.c is the only file that knows
 * libmicrohttpd; everything declared here can be unit-tested without a socket.
 */
#ifndef CHORUS_API_INTERNAL_H
#define CHORUS_API_INTERNAL_H

#include "api/api.h"
#include "alerts/alerts.h"
#include "labels/labels.h"
#include "silences/silences.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>

/* Request bodies above this are refused with 413 before they are buffered. */
#ifndef API_BODY_LIMIT
#define API_BODY_LIMIT (64u * 1024u * 1024u)
#endif

#ifndef CHORUS_VERSION
#define CHORUS_VERSION "0.0.0"
#endif
#ifndef CHORUS_REVISION
#define CHORUS_REVISION "unknown"
#endif
/* Go's buildDate form, 20230409-09:50:43, from the compiler's clock. */
const char *api_build_date(void);
#define API_BUILD_DATE api_build_date()

/* The instrumentation Alertmanager's web router puts on its own routes
 * (/metrics, /-/healthy, /-/ready, /-/reload, the UI; not API v2). */
#define API_HTTP_DUR_BUCKETS 10
#define API_HTTP_SIZE_BUCKETS 7
struct api_http_series {
    char handler[32];
    char method[16]; /* lower case, as the metric shows it */
    uint64_t count;
    double dur_sum, size_sum;
    uint64_t dur_le[API_HTTP_DUR_BUCKETS]; /* cumulative */
    uint64_t size_le[API_HTTP_SIZE_BUCKETS];
};
struct api_http_stats {
    struct api_http_series *series; /* sorted by handler, method */
    size_t n;
};
void api_http_observe(struct api_http_stats *hs, const char *handler, const char *method,
                      double seconds, size_t size);
void api_http_stats_free(struct api_http_stats *hs);
void api_http_metrics_render(struct strbuf *sb, const struct api_http_stats *hs);

struct api_param {
    char *key;
    char *value; /* "" when the query had no '=' */
};

struct api_req {
    const char *method;
    const char *path; /* decoded URL path, route prefix included */
    struct api_param *params;
    size_t n_params;
    const char *content_type; /* NULL when absent */
    const char *origin;       /* CORS: Origin, Access-Control-Request-Method */
    const char *cors_method;  /* and -Headers, NULL when absent */
    const char *cors_headers;
    const char *body;
    size_t body_len;
    int64_t now;
    struct api_http_stats *http; /* NULL: not instrumented (tests) */
};

struct api_resp {
    int status; /* 0: drop the connection, as Go does when a handler panics */
    const char *content_type; /* static string or NULL for none */
    struct strbuf body;
    const char *allow;    /* Allow header, static */
    char *location;       /* Location header, owned */
    bool nosniff;         /* X-Content-Type-Options: nosniff */
    bool vary_origin;     /* the API v2 CORS wrapper's Vary: Origin */
    bool allow_origin;    /* Access-Control-Allow-Origin: * */
    bool preflight;       /* the extra Vary lines of a CORS preflight */
    char *allow_methods;  /* Access-Control-Allow-Methods, owned */
    char *allow_headers;  /* Access-Control-Allow-Headers, owned */
    const char *instrument; /* handler label when the route is instrumented */
    bool hold_until_persisted; /* a silence changed: answer once it is on disk */
};

void api_resp_init(struct api_resp *r);
void api_resp_free(struct api_resp *r);
/* JSON body with trailing newline, as Go's json.Encoder writes it. */
void api_resp_json(struct api_resp *r, int status);
/* go-openapi framework error: {"code":N,"message":"..."} without newline. */
void api_resp_fwerr(struct api_resp *r, int status, int code, const char *msg);
/* Handler error: a JSON string and a newline. */
void api_resp_errstr(struct api_resp *r, int status, const char *msg);
/* net/http's http.Error: text/plain, nosniff, message and a newline. */
void api_resp_text_error(struct api_resp *r, int status, const char *msg);

/* The whole routing table; fills resp. */
void api_route(struct api_state *st, const char *route_prefix, const struct api_req *req,
               struct api_resp *resp);

/* Handlers (st is never NULL). */
void api_h_status(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_receivers(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_alerts_get(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_alerts_post(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_groups_get(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_silences_get(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_silences_post(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_silence_get(struct api_state *st, const struct api_req *req, const char *id,
                       struct api_resp *resp);
void api_h_silence_delete(struct api_state *st, const struct api_req *req, const char *id,
                          struct api_resp *resp);
void api_h_metrics(struct api_state *st, const struct api_req *req, struct api_resp *resp);
void api_h_reload(struct api_state *st, const struct api_req *req, struct api_resp *resp);

/* ---- JSON reader with Go encoding/json's syntax and its error texts ---- */
enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
    enum jv_type type;
    bool b;
    char *s;        /* string (decoded, valid UTF-8) or number text */
    size_t slen;
    struct jv *elems; /* array elements or object values */
    char **keys;      /* object keys (decoded), parallel to elems */
    size_t n;
};

enum { JV_OK = 0, JV_EMPTY = 1, JV_ERROR = -1 };
/* Reads the first JSON value like json.Decoder.Decode (trailing data is
 * ignored).  JV_EMPTY when the input is only whitespace; JV_ERROR with *err
 * set to Go's message ("unexpected EOF", "invalid character 'x' looking for
 * beginning of value"). */
int jv_parse(const char *buf, size_t len, struct jv *out, char **err);
void jv_free(struct jv *v);
/* Go's name for the kind in UnmarshalTypeError: "object", "number"... */
const char *jv_kind(const struct jv *v);

/* ---- strfmt.DateTime parsing as go-openapi does it ---- */
/* 0 with *out set ("" is the Unix epoch, 0001-01-01T00:00:00Z is TIME_ZERO),
 * or -1 with *err set to Go's time.ParseError text. */
int api_datetime_parse(const char *s, size_t len, int64_t *out, char **err);
/* url.ParseRequestURI succeeds: strfmt's "uri" format. */
bool api_uri_valid(const char *s);

/* ---- body decoding (framework layer) ---- */
struct api_fwerr {
    int status; /* 400, 422; 0 when the handler would panic on a null item */
    int code;
    char *message;
};
void api_fwerr_free(struct api_fwerr *e);

struct api_alerts_in {
    struct alert *items;
    size_t n;
};
/* Decodes and schema-validates POST /alerts.  0, or -1 with *e. */
int api_decode_alerts(const char *body, size_t len, struct api_alerts_in *out,
                      struct api_fwerr *e);
void api_alerts_in_free(struct api_alerts_in *in);

/* Decodes and schema-validates POST /silences into *out (initialised here;
 * an id too long to exist comes out as "\x01" so it is reported unknown). */
int api_decode_silence(const char *body, size_t len, struct silence *out, struct api_fwerr *e);

/* ---- query parameters ---- */
/* The last value of key, or NULL. */
const char *api_query_get(const struct api_req *req, const char *key);
/* go-openapi's swag.ConvertBool on the last value; absent or "" gives def. */
bool api_query_bool(const struct api_req *req, const char *key, bool def);
/* Every "filter" value through labels.ParseMatcher.  0 or -1 with *err. */
int api_query_filters(const struct api_req *req, struct matchers *out, char **err);
/* The API's filter semantics for alerts (empty values match absence). */
bool api_filter_matches(const struct matchers *ms, const struct labelset *ls);

/* ---- the alert filter shared by GET /alerts and GET /alerts/groups ---- */
struct regex;
struct api_alert_filter {
    struct matchers matchers;
    struct regex *receiver; /* anchored, NULL when not given */
    bool active, silenced, inhibited, unprocessed;
};
/* Parses the query; on a bad filter or receiver writes the 400 and returns -1. */
int api_alert_filter_parse(const struct api_req *req, struct api_alert_filter *f,
                           struct api_resp *resp);
void api_alert_filter_free(struct api_alert_filter *f);
/* Not resolved, silence status recomputed (as Alertmanager does on every
 * read), state and label filters passed.  Does not look at the receiver. */
bool api_alert_visible(struct api_state *st, const struct api_alert_filter *f,
                       const struct alert *a, int64_t now);
bool api_receiver_matches(const struct api_alert_filter *f, const char *receiver);

/* ---- encoders (Go's json.Marshal output, HTML-escaped) ---- */
void api_enc_labelset(struct strbuf *sb, const struct labelset *ls);
void api_enc_time(struct strbuf *sb, int64_t t);
void api_enc_alert(struct strbuf *sb, const struct alert *a, const struct alert_status *st,
                   const char *const *receivers, size_t n_receivers);
void api_enc_silence(struct strbuf *sb, const struct silence *s, int64_t now);
/* Go's strconv.FormatFloat(f, 'g', -1, 64), for /metrics. */
void api_fmt_float(struct strbuf *sb, double f);
/* One Prometheus histogram series (metrics.c); labels "" or `k="v",...`. */
void api_metrics_histogram(struct strbuf *sb, const char *name, const char *labels,
                           const double *bounds, const uint64_t *le, size_t n, uint64_t count,
                           double sum);

/* ---- basic auth (auth.c): basic_auth_users with bcrypt off the loop ---- */
struct config_strmap;
struct api_auth;
struct api_auth_wait;
enum api_auth_result { API_AUTH_OK, API_AUTH_DENIED, API_AUTH_PENDING };
/* users (name -> bcrypt hash) is borrowed; none: every request passes. */
struct api_auth *api_auth_new(uv_loop_t *loop, const struct config_strmap *users);
bool api_auth_enabled(const struct api_auth *a);
/* Checks an Authorization header value (NULL when absent).  OK or DENIED when
 * known at once (no users, not basic credentials, a cached outcome);
 * PENDING when a bcrypt comparison is out: done(arg, ok) then runs once on
 * the loop, unless api_auth_wait_cancel(*wait) ran first. */
enum api_auth_result api_auth_check(struct api_auth *a, const char *authorization,
                                    void (*done)(void *arg, bool ok), void *arg,
                                    struct api_auth_wait **wait);
void api_auth_wait_cancel(struct api_auth_wait *w);
/* Cancels the waits; the memory goes when the last comparison is back. */
void api_auth_free(struct api_auth *a);

/* ---- TLS (tls.c): tls_server_config as GnuTLS settings for MHD ---- */
struct config_web_tls;
struct api_tls {
    char *key_pem, *cert_pem, *trust_pem; /* trust_pem NULL without client_ca_file */
    char *priorities;                     /* GnuTLS priority string */
    int client_auth;                      /* enum config_web_client_auth */
    bool system_trust_loaded;
};
/* *out NULL when TLS is not configured.  -1 with *err for a file that cannot
 * be read or a setting GnuTLS cannot enforce. */
int api_tls_new(const struct config_web_tls *cfg, struct api_tls **out, char **err);
/* Before a connection's handshake: ask for, require and verify the client
 * certificate as client_auth_type says.  tls_session is a gnutls_session_t. */
void api_tls_session_setup(struct api_tls *t, void *tls_session);
/* After the handshake, a second line behind the verify functions: false when
 * client_auth_type requires a certificate and the session has none. */
bool api_tls_client_ok(const struct api_tls *t, void *tls_session);
void api_tls_free(struct api_tls *t);

#endif
