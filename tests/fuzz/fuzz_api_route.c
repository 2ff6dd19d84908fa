/*
 * fuzz_api_route: libFuzzer target for the whole transport-free API: up to 16
 * requests, separated by NUL bytes, each "METHOD /path?query" on its first
 * line and the body after it, go through api_route against one fresh state
 * per input (alert store, silences, inhibitor; a fixed config with routes,
 * inhibit rules and receivers).  This reaches every handler, the query
 * parsing (filters, receiver regex, booleans) and the encoders, and lets
 * posted alerts and silences meet later GETs, DELETEs and /metrics.
 */
#include "fuzz_common.h"
#include "api/api_internal.h"
#include "config/config.h"
#include "inhibit/inhibit.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW (INT64_C(1680307200) * NS_PER_SEC)
#define MAX_REQS 16

static const char fuzz_config_yaml[] =
    "global:\n"
    "  resolve_timeout: 5m\n"
    "route:\n"
    "  receiver: default\n"
    "  group_by: [alertname]\n"
    "  routes:\n"
    "  - receiver: team-a\n"
    "    matchers: ['team=\"a\"', 'severity=~\"crit|page\"']\n"
    "    continue: true\n"
    "  - receiver: team-b\n"
    "    match_re: {service: 'b.*'}\n"
    "inhibit_rules:\n"
    "- source_matchers: [severity=\"critical\"]\n"
    "  target_matchers: [severity=\"warning\"]\n"
    "  equal: [alertname, instance]\n"
    "receivers:\n"
    "- name: default\n"
    "- name: team-a\n"
    "  webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]\n"
    "- name: team-b\n";

static struct config *fuzz_config;
/* FUZZ_API_TRACE=1 prints each request's status and body start (seeds). */
static bool trace;

static int stub_reload(void *ctx, char **err)
{
    (void)ctx;
    *err = strdup("reload disabled in fuzzing");
    return -1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Go's url.QueryUnescape, leniently: bad escapes are kept as written. */
static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static void run_one(struct api_state *st, const char *buf, size_t len, int64_t now)
{
    const char *nl = memchr(buf, '\n', len);
    size_t line_len = nl ? (size_t)(nl - buf) : len;
    const char *sp = memchr(buf, ' ', line_len);
    if (!sp)
        return;
    char *method = fuzz_cstr((const uint8_t *)buf, (size_t)(sp - buf));
    const char *target = sp + 1;
    size_t target_len = line_len - (size_t)(target - buf);
    const char *q = memchr(target, '?', target_len);
    size_t path_len = q ? (size_t)(q - target) : target_len;
    char *path = unescape(target, path_len);

    struct api_param params[32];
    size_t np = 0;
    if (q) {
        const char *p = q + 1, *end = target + target_len;
        while (p < end && np < 32) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *pe = amp ? amp : end;
            const char *eq = memchr(p, '=', (size_t)(pe - p));
            params[np].key = unescape(p, (size_t)((eq ? eq : pe) - p));
            params[np].value = eq ? unescape(eq + 1, (size_t)(pe - eq - 1)) : strdup("");
            np++;
            p = amp ? amp + 1 : end;
        }
    }

    struct api_req req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.params = params;
    req.n_params = np;
    req.content_type = "application/json";
    req.body = nl ? nl + 1 : "";
    req.body_len = nl ? len - line_len - 1 : 0;
    req.now = now;
    struct api_resp resp;
    api_resp_init(&resp);
    api_route(st, "/", &req, &resp);
    if (trace)
        fprintf(stderr, "%s %s -> %d %.200s\n", method, path, resp.status,
                strbuf_cstr(&resp.body));
    api_resp_free(&resp);

    for (size_t i = 0; i < np; i++) {
        free(params[i].key);
        free(params[i].value);
    }
    free(path);
    free(method);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_config) {
        trace = getenv("FUZZ_API_TRACE") != NULL;
        char *err = NULL;
        if (config_load_string(fuzz_config_yaml, sizeof fuzz_config_yaml - 1, "fuzz.yml",
                               &fuzz_config, &err) != 0) {
            fprintf(stderr, "fuzz_api_route: built-in config: %s\n", err);
            abort();
        }
    }
    struct api_state st;
    memset(&st, 0, sizeof st);
    st.config = fuzz_config;
    st.alerts = alert_store_new();
    st.silences = silences_new(INT64_C(120) * 3600 * NS_PER_SEC);
    st.inhibitor = inhibitor_new(fuzz_config);
    st.start_time = FUZZ_NOW - 60 * NS_PER_SEC;
    st.external_url = "http://am.example.com";
    st.cluster_status = "disabled";
    st.reload = stub_reload;
    /* silences_changed stays NULL: the API answers at once. */

    /* A copy, so a request without a newline still ends inside the buffer. */
    char *buf = fuzz_cstr(data, size);
    size_t off = 0;
    for (int i = 0; i < MAX_REQS && off <= size; i++) {
        const char *start = buf + off;
        const char *nul = memchr(start, 0, size - off);
        size_t len = nul ? (size_t)(nul - start) : size - off;
        run_one(&st, start, len, FUZZ_NOW + i * NS_PER_SEC);
        if (!nul)
            break;
        off += len + 1;
    }
    free(buf);
    inhibitor_free(st.inhibitor);
    silences_free(st.silences);
    alert_store_free(st.alerts);
    return 0;
}
