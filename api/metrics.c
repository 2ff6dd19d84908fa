/*
 * GET /metrics: the Prometheus text format with Alertmanager 0.25's metric
 * names, help texts and label sets for what chorus has so far, families in
 * name order as client_golang writes them.  Values are read at scrape time
 * from the state and the API's counters.
 */
#include "api/api_internal.h"
#include "config/config.h"

#include <stdio.h>

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

static void metrics_receivers(struct strbuf *sb, const struct api_state *st)
{
    const char *n = "alertmanager_integrations";
    family(sb, n, "gauge", "Number of configured integrations.");
    sample(sb, n, NULL, (double)config_integration_count(st->config));
    n = "alertmanager_receivers";
    family(sb, n, "gauge", "Number of configured receivers.");
    sample(sb, n, NULL, (double)config_receiver_count(st->config));
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
    if (req->http)
        api_http_metrics_render(&resp->body, req->http);
    metrics_receivers(&resp->body, st);
    metrics_silences(&resp->body, st, req->now);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
