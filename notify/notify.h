/*
 * notify: Alertmanager 0.25's notification pipeline and its integrations.
 *
 * Two layers, one contract:
 *
 *  1. Integrations (pure, no I/O): for one `*_configs` entry, a group of
 *     alerts and the config's template set, build the exact request 0.25
 *     would send (URL, headers, JSON body; or the whole e-mail), and judge a
 *     response the way 0.25's notifier does (success, retry or give up, and
 *     the error text).  Unit-tested byte for byte, differential-tested
 *     against 0.25 at local sinks.
 *
 *  2. The pipeline (on the libuv loop): for one flush of an aggregation group
 *     handed over by dispatch/, run 0.25's stages for the route's receiver:
 *     gossip settle (nothing until cluster/ exists), inhibit, active time
 *     intervals, mute time intervals, silences, then per integration, in
 *     parallel: wait peer_position x peer_timeout, dedup against nflog, send
 *     with retry and backoff until the flush deadline, record in nflog.
 *     Sends go through outbound/ (libcurl multi); backoff and wait are
 *     uv_timers.  Markers (inhibitedBy, silencedBy) are written to the alert
 *     store as the stages decide.
 */
#ifndef CHORUS_NOTIFY_H
#define CHORUS_NOTIFY_H

#include "alerts/alerts.h"
#include "labels/labels.h"
#include "outbound/outbound.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct config;
struct config_receiver;
struct dispatch_flush;
struct inhibitor;
struct nflog;
struct nflog_receiver;
struct silences;
struct strbuf;
struct template_data;
struct template_set;

/* ---------------------------------------------------------------- integrations */

/* In 0.25's metric order; the names are Alertmanager's integration names. */
enum notify_kind {
    NOTIFY_EMAIL,
    NOTIFY_OPSGENIE,
    NOTIFY_PAGERDUTY,
    NOTIFY_PUSHOVER,
    NOTIFY_SLACK,
    NOTIFY_SNS,
    NOTIFY_TELEGRAM,
    NOTIFY_VICTOROPS,
    NOTIFY_WEBHOOK,
    NOTIFY_WECHAT,
    NOTIFY_DISCORD, /* not pre-initialised in 0.25's metrics */
    NOTIFY_WEBEX,   /* idem */
    NOTIFY_MSTEAMS, /* idem; Alertmanager 0.26's, beyond 0.25 */
    NOTIFY_KIND_COUNT
};
const char *notify_kind_name(enum notify_kind k); /* "email", ... */

/* One `*_configs` entry of a receiver. */
struct notify_integration {
    enum notify_kind kind;
    uint32_t idx; /* index among the receiver's entries of this kind */
    bool send_resolved;
    const void *conf; /* struct config_webhook *, config_email *, ... of config.h */
    bool supported;   /* false: chorus cannot send this kind yet */
};

/* The receiver's integrations in the order 0.25 builds them.  Caller frees
 * the array (the entries point into the config). */
struct notify_integration *notify_integrations(const struct config_receiver *r, size_t *n);
/* "webhook[0]", as 0.25 names an integration in logs and errors. */
void notify_integration_label(const struct notify_integration *in, struct strbuf *out);

/* What one notification is about: the alerts are the ones this integration
 * gets (firing only when send_resolved is false), sorted, with ends_at
 * TIME_ZERO for firing ones, as the flush made them. */
struct notify_group {
    const char *receiver; /* the name as configured */
    const char *group_key;
    const struct labelset *group_labels;
    const struct alert *alerts;
    size_t n_alerts;
    const char *external_url; /* no trailing slash */
    int64_t now;              /* the flush tick time */
};

/* 0.25's template.Data for a group (receiver regexp-quoted, status, common
 * labels and annotations).  Borrowed pointers into g; free with
 * notify_template_data_free. */
void notify_template_data(const struct notify_group *g, struct template_data *out);
void notify_template_data_free(struct template_data *d);

/* A request built for one integration.  Everything it points to is owned by
 * the message. */
struct notify_message {
    bool is_smtp;
    struct outbound_http_request http;
    /* Opsgenie with update_alerts: requests sent in order after http
     * succeeded, each judged with notify_judge_http; the first failure ends
     * the notification (0.25 stops there too).  Usually none. */
    struct outbound_http_request *then;
    size_t n_then;
    struct outbound_smtp_request smtp;
    void *owned; /* private storage */
};

/* Builds the request.  Returns 0; or -1 with *err (caller frees) when a
 * template fails or a field is invalid; *retry then says whether 0.25 would
 * retry (template errors: no). */
int notify_build(const struct notify_integration *in, const struct template_set *tmpl,
                 const struct notify_group *g, struct notify_message *out, bool *retry,
                 char **err);
void notify_message_free(struct notify_message *m);

/* Judges an HTTP or SMTP outcome as 0.25's notifier: 0 on success; else -1
 * with *retry and *err (caller frees) worded as 0.25's, e.g. "unexpected
 * status code 500: http://127.0.0.1:19099/500: <body>". */
int notify_judge_http(const struct notify_integration *in, const struct notify_message *m,
                      const struct outbound_http_response *r, bool *retry, char **err);
int notify_judge_smtp(const struct notify_integration *in, const struct notify_message *m,
                      const struct outbound_smtp_response *r, bool *retry, char **err);

/* The config's template set: chorus's built-in defaults, then every file the
 * config's `templates:` globs match (Go's filepath.Glob order).  Returns
 * NULL with *err worded as 0.25's reload error when a file fails to parse. */
struct template_set *notify_templates_load(const struct config *c, char **err);

/* ---------------------------------------------------------------- pipeline */

/* 0.25's notification metrics, by integration kind.  Latency buckets are
 * 1, 5, 10, 15, 20 s (+Inf is the count). */
struct notify_kind_metrics {
    uint64_t notifications, notifications_failed;
    uint64_t requests, requests_failed;
    uint64_t latency_buckets[5];
    uint64_t latency_count;
    double latency_sum; /* seconds */
};
struct notify_metrics {
    struct notify_kind_metrics kinds[NOTIFY_KIND_COUNT];
    bool used[NOTIFY_KIND_COUNT]; /* discord/webex/msteams appear once used */
    uint64_t nflog_queries, nflog_query_errors;
    /* alertmanager_nflog_query_duration_seconds: client_golang's default
     * buckets (NOTIFY_NFLOG_QUERY_BUCKETS); the count is nflog_queries. */
    uint64_t nflog_query_buckets[11];
    double nflog_query_seconds;
};
/* The upper bounds of nflog_query_buckets, in seconds. */
extern const double NOTIFY_NFLOG_QUERY_BUCKETS[11];
/* The upper bounds of latency_buckets, in seconds. */
extern const double NOTIFY_LATENCY_BUCKETS[5];

/* What every flush reads; owned by main/, lives as long as the loop. */
struct notify_env {
    uv_loop_t *loop;
    struct outbound *outbound;
    struct nflog *nflog;
    struct silences *silences;
    struct alert_store *alerts; /* markers */
    const char *external_url;
    int64_t retention; /* --data.retention: nflog expiry cap */
    /* The cluster's say (NULL / 0 until cluster/ exists). */
    uint32_t (*peer_position)(void *ctx);
    int64_t peer_timeout;
    /* After an nflog entry was written (to persist it, and to gossip it). */
    void (*nflog_logged)(void *ctx, const char *group_key, const struct nflog_receiver *r);
    void *ctx;
    struct notify_metrics metrics;
    void *running; /* private to the pipeline: the flushes in flight */
};

/* What a flush needs from the config generation it was made under; all of
 * it must outlive the flush (main/ keeps a retired generation until its
 * dispatcher has every flush back). */
struct notify_generation {
    const struct config *config;
    const struct inhibitor *inhibitor;
    const struct template_set *templates;
};

/* Runs the pipeline for one flush of the route's receiver.  done(arg, ok)
 * runs once, from the loop, never from inside this call: ok when every
 * integration succeeded (or had nothing to do). */
void notify_flush(struct notify_env *env, const struct notify_generation *gen,
                  const struct dispatch_flush *f, void (*done)(void *arg, bool ok), void *arg);
/* Flushes running, for shutdown and tests. */
size_t notify_in_flight(const struct notify_env *env);
/* Shutdown: cancels waits, retries and requests of every running flush;
 * their done callbacks still run (ok = false). */
void notify_cancel_all(struct notify_env *env);
/* A reload: cancels the flushes made under gen's config, as 0.25's
 * dispatcher.Stop cancels its groups' contexts. */
void notify_cancel_generation(struct notify_env *env, const struct notify_generation *gen);

#endif
