/*
 * GET /metrics: the Prometheus text format with Alertmanager 0.25's metric
 * names, help texts and label sets for what chorus has so far, families in
 * name order as client_golang writes them.  Values are read at scrape time
 * from the state and the API's counters.
 */
#include "api/api_internal.h"
#include "config/config.h"
#include "dispatch/dispatch.h"
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>

static void family(struct strbuf *sb, const char *name, const char *type, const char *help)
{
    strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct strbuf *sb, const char *name, const char *labels, double v)
{
    strbuf_printf(sb, "%s%s ", name, labels ? labels : "");
    api_fmt_float(sb, v);
    strbuf_putc(sb, '\n');
}

/* One histogram series; labels is "" or `k="v",...` without braces. */
void api_metrics_histogram(struct strbuf *sb, const char *name, const char *labels,
                           const double *bounds, const uint64_t *le, size_t n, uint64_t count,
                           double sum)
{
    const char *sep = *labels ? "," : "";
    for (size_t i = 0; i < n; i++) {
        strbuf_printf(sb, "%s_bucket{%s%sle=\"", name, labels, sep);
        api_fmt_float(sb, bounds[i]);
        strbuf_printf(sb, "\"} %llu\n", (unsigned long long)le[i]);
    }
    strbuf_printf(sb, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
                  (unsigned long long)count);
    const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
    strbuf_printf(sb, "%s_sum%s%s%s ", name, open, labels, close);
    api_fmt_float(sb, sum);
    strbuf_printf(sb, "\n%s_count%s%s%s %llu\n", name, open, labels, close,
                  (unsigned long long)count);
}

static void summary(struct strbuf *sb, const char *name, double sum, uint64_t count)
{
    strbuf_printf(sb, "%s_sum ", name);
    api_fmt_float(sb, sum);
    strbuf_printf(sb, "\n%s_count %llu\n", name, (unsigned long long)count);
}

static void sample_state(struct strbuf *sb, const char *name, const char *state, double v)
{
    char labels[64];
    snprintf(labels, sizeof labels, "{state=\"%s\"}", state);
    sample(sb, name, labels, v);
}

static void metrics_alerts(struct strbuf *sb, struct api_state *st, int64_t now)
{
    size_t c[3] = {0, 0, 0};
    alert_store_count_states(st->alerts, now, c);
    family(sb, "alertmanager_alerts", "gauge", "How many alerts by state.");
    sample_state(sb, "alertmanager_alerts", "active", (double)c[ALERT_ACTIVE]);
    sample_state(sb, "alertmanager_alerts", "suppressed", (double)c[ALERT_SUPPRESSED]);
    sample_state(sb, "alertmanager_alerts", "unprocessed", (double)c[ALERT_UNPROCESSED]);

    const char *n = "alertmanager_alerts_invalid_total";
    family(sb, n, "counter", "The total number of received alerts that were invalid.");
    sample(sb, n, "{version=\"v1\"}", 0);
    sample(sb, n, "{version=\"v2\"}", (double)st->metrics.alerts_invalid);

    n = "alertmanager_alerts_received_total";
    family(sb, n, "counter", "The total number of received alerts.");
    sample(sb, n, "{status=\"firing\",version=\"v1\"}", 0);
    sample(sb, n, "{status=\"firing\",version=\"v2\"}",
           (double)st->metrics.alerts_received_firing);
    sample(sb, n, "{status=\"resolved\",version=\"v1\"}", 0);
    sample(sb, n, "{status=\"resolved\",version=\"v2\"}",
           (double)st->metrics.alerts_received_resolved);
}

static const char *go_arch(void)
{
#if defined(__x86_64__)
    return "amd64";
#elif defined(__aarch64__)
    return "arm64";
#elif defined(__i386__)
    return "386";
#elif defined(__arm__)
    return "arm";
#else
    return "unknown";
#endif
}

static void metrics_build(struct strbuf *sb, const struct api_state *st)
{
    family(sb, "alertmanager_build_info", "gauge",
           "A metric with a constant '1' value labeled by version, revision, branch, "
           "goversion from which alertmanager was built, and the goos and goarch for the "
           "build.");
    strbuf_printf(sb,
                  "alertmanager_build_info{branch=\"chorus\",goarch=\"%s\",goos=\"linux\","
                  "goversion=\"none\",revision=\"chorus-%s-%s\",version=\"0.25.0\"} 1\n",
                  go_arch(), CHORUS_VERSION, CHORUS_REVISION);
    family(sb, "alertmanager_cluster_enabled", "gauge",
           "Indicates whether the clustering is enabled or not.");
    bool clustered = st->cluster_status && strcmp(st->cluster_status, "disabled") != 0;
    sample(sb, "alertmanager_cluster_enabled", NULL, clustered ? 1 : 0);
}

static void metrics_config(struct strbuf *sb, const struct api_state *st)
{
    const struct api_metrics *m = &st->metrics;
    const char *n = "alertmanager_config_hash";
    family(sb, n, "gauge", "Hash of the currently loaded alertmanager configuration.");
    sample(sb, n, NULL, config_hash(st->config));
    n = "alertmanager_config_last_reload_success_timestamp_seconds";
    family(sb, n, "gauge", "Timestamp of the last successful configuration reload.");
    sample(sb, n, NULL, (double)m->config_last_reload_success_time / 1e9);
    n = "alertmanager_config_last_reload_successful";
    family(sb, n, "gauge", "Whether the last configuration reload attempt was successful.");
    sample(sb, n, NULL, m->config_last_reload_successful ? 1 : 0);
}

static void metrics_dispatcher(struct strbuf *sb, const struct api_state *st)
{
    const char *n = "alertmanager_dispatcher_aggregation_groups";
    family(sb, n, "gauge", "Number of active aggregation groups");
    sample(sb, n, NULL, st->dispatcher ? (double)dispatcher_group_count(st->dispatcher) : 0);
    n = "alertmanager_dispatcher_alert_processing_duration_seconds";
    family(sb, n, "summary", "Summary of latencies for the processing of alerts.");
    summary(sb, n, st->alert_processing_seconds, st->alert_processing_count);
}

static void metrics_integrations(struct strbuf *sb, const struct api_state *st)
{
    const char *n = "alertmanager_integrations";
    family(sb, n, "gauge", "Number of configured integrations.");
    sample(sb, n, NULL, (double)config_integration_count(st->config));
}

static void metrics_receivers(struct strbuf *sb, const struct api_state *st)
{
    const char *n = "alertmanager_receivers";
    family(sb, n, "gauge", "Number of configured receivers.");
    sample(sb, n, NULL, (double)config_receiver_count(st->config));
}

static void metrics_nflog(struct strbuf *sb, const struct api_state *st)
{
    static const struct notify_metrics zero;
    const struct notify_metrics *m = st->notify_metrics ? st->notify_metrics : &zero;
    const struct api_nflog_metrics *h = &st->nflog_metrics;
    const char *n = "alertmanager_nflog_gc_duration_seconds";
    family(sb, n, "summary", "Duration of the last notification log garbage collection cycle.");
    summary(sb, n, h->gc_seconds, h->gc_count);
    n = "alertmanager_nflog_gossip_messages_propagated_total";
    family(sb, n, "counter", "Number of received gossip messages that have been further gossiped.");
    sample(sb, n, NULL, 0);
    n = "alertmanager_nflog_queries_total";
    family(sb, n, "counter", "Number of notification log queries were received.");
    sample(sb, n, NULL, (double)m->nflog_queries);
    n = "alertmanager_nflog_query_duration_seconds";
    family(sb, n, "histogram", "Duration of notification log query evaluation.");
    api_metrics_histogram(sb, n, "", NOTIFY_NFLOG_QUERY_BUCKETS, m->nflog_query_buckets,
                          ARRAY_SIZE(NOTIFY_NFLOG_QUERY_BUCKETS), m->nflog_queries,
                          m->nflog_query_seconds);
    n = "alertmanager_nflog_query_errors_total";
    family(sb, n, "counter", "Number notification log received queries that failed.");
    sample(sb, n, NULL, (double)m->nflog_query_errors);
    n = "alertmanager_nflog_snapshot_duration_seconds";
    family(sb, n, "summary", "Duration of the last notification log snapshot.");
    summary(sb, n, h->snapshot_seconds, h->snapshot_count);
    n = "alertmanager_nflog_snapshot_size_bytes";
    family(sb, n, "gauge", "Size of the last notification log snapshot in bytes.");
    sample(sb, n, NULL, (double)h->snapshot_size);
}

/* 0.25 pre-initialises ten integrations; discord, webex and msteams (which
 * 0.25 lacks) appear once used.  Series are in label order, as client_golang
 * writes them. */
static size_t notify_kinds_shown(const struct notify_metrics *m, enum notify_kind *out)
{
    size_t n = 0;
    for (int k = 0; k < NOTIFY_KIND_COUNT; k++)
        if (k < NOTIFY_DISCORD || m->used[k])
            out[n++] = (enum notify_kind)k;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(notify_kind_name(out[j - 1]),
                                           notify_kind_name(out[j])) > 0; j--) {
            enum notify_kind t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

enum kind_counter { KC_REQUESTS_FAILED, KC_REQUESTS, KC_FAILED, KC_TOTAL };

static uint64_t kind_counter(const struct notify_kind_metrics *k, enum kind_counter c)
{
    switch (c) {
    case KC_REQUESTS_FAILED: return k->requests_failed;
    case KC_REQUESTS: return k->requests;
    case KC_FAILED: return k->notifications_failed;
    case KC_TOTAL: return k->notifications;
    }
    return 0;
}

static void metrics_notifications(struct strbuf *sb, const struct api_state *st)
{
    static const struct notify_metrics zero;
    const struct notify_metrics *m = st->notify_metrics ? st->notify_metrics : &zero;
    enum notify_kind kinds[NOTIFY_KIND_COUNT];
    size_t nk = notify_kinds_shown(m, kinds);
    const char *n = "alertmanager_notification_latency_seconds";
    family(sb, n, "histogram", "The latency of notifications in seconds.");
    for (size_t i = 0; i < nk; i++) {
        const struct notify_kind_metrics *k = &m->kinds[kinds[i]];
        char labels[64];
        snprintf(labels, sizeof labels, "integration=\"%s\"", notify_kind_name(kinds[i]));
        api_metrics_histogram(sb, n, labels, NOTIFY_LATENCY_BUCKETS, k->latency_buckets,
                              ARRAY_SIZE(NOTIFY_LATENCY_BUCKETS), k->latency_count,
                              k->latency_sum);
    }
    static const struct {
        const char *name, *help;
        enum kind_counter which;
    } counters[] = {
        {"alertmanager_notification_requests_failed_total",
         "The total number of failed notification requests.", KC_REQUESTS_FAILED},
        {"alertmanager_notification_requests_total",
         "The total number of attempted notification requests.", KC_REQUESTS},
        {"alertmanager_notifications_failed_total", "The total number of failed notifications.",
         KC_FAILED},
        {"alertmanager_notifications_total", "The total number of attempted notifications.",
         KC_TOTAL},
    };
    for (size_t c = 0; c < ARRAY_SIZE(counters); c++) {
        family(sb, counters[c].name, "counter", counters[c].help);
        for (size_t i = 0; i < nk; i++)
            strbuf_printf(sb, "%s{integration=\"%s\"} %llu\n", counters[c].name,
                          notify_kind_name(kinds[i]),
                          (unsigned long long)kind_counter(&m->kinds[kinds[i]],
                                                           counters[c].which));
    }
}

static void metrics_silences(struct strbuf *sb, const struct api_state *st, int64_t now)
{
    size_t c[3] = {0, 0, 0};
    silences_count_states(st->silences, now, c);
    const char *n = "alertmanager_silences";
    family(sb, n, "gauge", "How many silences by state.");
    sample_state(sb, n, "active", (double)c[SILENCE_ACTIVE]);
    sample_state(sb, n, "expired", (double)c[SILENCE_EXPIRED]);
    sample_state(sb, n, "pending", (double)c[SILENCE_PENDING]);
    n = "alertmanager_silences_queries_total";
    family(sb, n, "counter", "How many silence queries were received.");
    sample(sb, n, NULL, (double)st->metrics.silences_queries);
    n = "alertmanager_silences_query_errors_total";
    family(sb, n, "counter", "How many silence received queries did not succeed.");
    sample(sb, n, NULL, (double)st->metrics.silences_query_errors);
}

void api_h_metrics(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    metrics_alerts(&resp->body, st, req->now);
    metrics_build(&resp->body, st);
    metrics_config(&resp->body, st);
    metrics_dispatcher(&resp->body, st);
    if (req->http)
        api_http_metrics_render(&resp->body, req->http);
    metrics_integrations(&resp->body, st);
    metrics_nflog(&resp->body, st);
    metrics_notifications(&resp->body, st);
    metrics_receivers(&resp->body, st);
    metrics_silences(&resp->body, st, req->now);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
