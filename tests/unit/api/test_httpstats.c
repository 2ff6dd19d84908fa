/* Request histograms of the instrumented routes, in client_golang's layout. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

Test(httpstats, series_sorted_with_cumulative_buckets)
{
    struct api_http_stats hs;
    memset(&hs, 0, sizeof hs);
    api_http_observe(&hs, "/metrics", "GET", 0.2, 5000);
    api_http_observe(&hs, "/-/healthy", "GET", 0.01, 2);
    api_http_observe(&hs, "/metrics", "GET", 3, 50);
    cr_assert_eq(hs.n, 2);
    cr_expect_str_eq(hs.series[0].handler, "/-/healthy");
    cr_expect_str_eq(hs.series[1].method, "get");
    struct strbuf sb = STRBUF_INIT;
    api_http_metrics_render(&sb, &hs);
    const char *want[] = {
        "alertmanager_http_request_duration_seconds_bucket{handler=\"/metrics\",method=\"get\","
        "le=\"0.25\"} 1\n",
        "alertmanager_http_request_duration_seconds_bucket{handler=\"/metrics\",method=\"get\","
        "le=\"5\"} 2\n",
        "alertmanager_http_request_duration_seconds_sum{handler=\"/metrics\",method=\"get\"} 3.2\n",
        "alertmanager_http_response_size_bytes_bucket{handler=\"/metrics\",method=\"get\","
        "le=\"1e+06\"} 2\n",
        "alertmanager_http_response_size_bytes_bucket{handler=\"/-/healthy\",method=\"get\","
        "le=\"+Inf\"} 1\n",
        "alertmanager_http_requests_in_flight{method=\"get\"} 1\n",
        "alertmanager_http_concurrency_limit_exceeded_total{method=\"get\"} 0\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        cr_expect(strstr(sb.buf, want[i]) != NULL, "missing %s", want[i]);
    strbuf_free(&sb);
    api_http_stats_free(&hs);
}
