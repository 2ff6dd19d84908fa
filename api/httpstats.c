/*
 * Request metrics of the routes Alertmanager's web router instruments:
 * duration and response size histograms per handler and method, with
 * client_golang's bucket layout as 0.25 configures it, and the in-flight
 * gauge.
 */
#include "api/api_internal.h"

#include <ctype.h>
#include <stdio.h>

static const double dur_bounds[API_HTTP_DUR_BUCKETS] = {0.05, 0.1, 0.25, 0.5, 0.75,
                                                        1,    2,   5,    20,  60};
static const double size_bounds[API_HTTP_SIZE_BUCKETS] = {100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

static void lower(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

static struct api_http_series *series_get(struct api_http_stats *hs, const char *handler,
                                          const char *method)
{
    size_t i = 0;
    for (; i < hs->n; i++) {
        int c = strcmp(hs->series[i].handler, handler);
        if (c == 0)
            c = strcmp(hs->series[i].method, method);
        if (c == 0)
            return &hs->series[i];
        if (c > 0)
            break;
    }
    hs->series = xrealloc(hs->series, (hs->n + 1) * sizeof *hs->series);
    memmove(&hs->series[i + 1], &hs->series[i], (hs->n - i) * sizeof *hs->series);
    hs->n++;
    struct api_http_series *s = &hs->series[i];
    memset(s, 0, sizeof *s);
    snprintf(s->handler, sizeof s->handler, "%s", handler);
    snprintf(s->method, sizeof s->method, "%s", method);
    return s;
}

void api_http_observe(struct api_http_stats *hs, const char *handler, const char *method,
                      double seconds, size_t size)
{
    char m[16];
    lower(m, sizeof m, method);
    struct api_http_series *s = series_get(hs, handler, m);
    s->count++;
    s->dur_sum += seconds;
    s->size_sum += (double)size;
    for (size_t i = 0; i < API_HTTP_DUR_BUCKETS; i++)
        s->dur_le[i] += seconds <= dur_bounds[i];
    for (size_t i = 0; i < API_HTTP_SIZE_BUCKETS; i++)
        s->size_le[i] += (double)size <= size_bounds[i];
}

void api_http_stats_free(struct api_http_stats *hs)
{
    free(hs->series);
    memset(hs, 0, sizeof *hs);
}

static void histogram(struct strbuf *sb, const char *name, const struct api_http_series *s,
                      const double *bounds, const uint64_t *le, size_t n, double sum)
{
    char labels[160];
    snprintf(labels, sizeof labels, "handler=\"%s\",method=\"%s\"", s->handler, s->method);
    api_metrics_histogram(sb, name, labels, bounds, le, n, s->count, sum);
}

/* The alertmanager_http_* families, in name order. */
void api_http_metrics_render(struct strbuf *sb, const struct api_http_stats *hs)
{
    const char *n = "alertmanager_http_concurrency_limit_exceeded_total";
    strbuf_printf(sb, "# HELP %s Total number of times an HTTP request failed because the "
                      "concurrency limit was reached.\n# TYPE %s counter\n%s{method=\"get\"} 0\n",
                  n, n, n);
    n = "alertmanager_http_request_duration_seconds";
    if (hs->n)
        strbuf_printf(sb, "# HELP %s Histogram of latencies for HTTP requests.\n"
                          "# TYPE %s histogram\n", n, n);
    for (size_t i = 0; i < hs->n; i++)
        histogram(sb, n, &hs->series[i], dur_bounds, hs->series[i].dur_le,
                  API_HTTP_DUR_BUCKETS, hs->series[i].dur_sum);
    n = "alertmanager_http_requests_in_flight";
    strbuf_printf(sb, "# HELP %s Current number of HTTP requests being processed.\n"
                      "# TYPE %s gauge\n", n, n);
    /* Only GETs are tracked (the GET concurrency limiter does it), and
     * the one being served is this scrape. */
    strbuf_printf(sb, "%s{method=\"get\"} 1\n", n);
    n = "alertmanager_http_response_size_bytes";
    if (hs->n)
        strbuf_printf(sb, "# HELP %s Histogram of response size for HTTP requests.\n"
                          "# TYPE %s histogram\n", n, n);
    for (size_t i = 0; i < hs->n; i++)
        histogram(sb, n, &hs->series[i], size_bounds, hs->series[i].size_le,
                  API_HTTP_SIZE_BUCKETS, hs->series[i].size_sum);
}
