#include "integ_fixture.h"

#include "config/config.h"
#include "template/template.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define FIXTURES CHORUS_TEST_FIXTURES "/notify/"

static void load_kv(json_t *obj, struct labelset *ls)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) labelset_set(ls, k, json_string_value(v));
}

static int64_t parse_time(json_t *j)
{
    int64_t t;
    cr_assert_eq(time_parse_rfc3339(json_string_value(j), &t), 0);
    return t;
}

void integ_load(struct integ_fixture *f, const char *name, const char *receiver, int phase)
{
    memset(f, 0, sizeof *f);
    char *err = NULL;
    cr_assert_eq(config_load_file(FIXTURES "config.yml", &f->config, &err), 0, "%s", err);
    f->receiver = config_receiver_find(f->config, receiver);
    cr_assert_not_null(f->receiver, "receiver %s", receiver);
    f->integrations = notify_integrations(f->receiver, &f->n_integrations);
    /* The built-in defaults, as the daemon loads them (config.yml names no
     * template files). */
    f->tmpl = notify_templates_load(f->config, &err);
    cr_assert_not_null(f->tmpl, "%s", err);

    char path[512];
    snprintf(path, sizeof path, FIXTURES "%s.json", name);
    json_error_t jerr;
    f->captured = json_load_file(path, 0, &jerr);
    cr_assert_not_null(f->captured, "%s: %s", path, jerr.text);

    char ref_path[128];
    snprintf(ref_path, sizeof ref_path, "/%s/ref", name);
    json_t *ref = integ_request(f, ref_path, (size_t)phase);
    cr_assert_not_null(ref, "no reference webhook for %s", name);
    json_t *body = json_loads(json_string_value(json_object_get(ref, "body")), 0, &jerr);
    cr_assert_not_null(body, "%s", jerr.text);

    json_t *alerts = json_object_get(body, "alerts");
    f->n_alerts = json_array_size(alerts);
    f->alerts = xcalloc(f->n_alerts, sizeof *f->alerts);
    for (size_t i = 0; i < f->n_alerts; i++) {
        json_t *a = json_array_get(alerts, i);
        struct alert *al = &f->alerts[i];
        alert_init(al);
        load_kv(json_object_get(a, "labels"), &al->labels);
        load_kv(json_object_get(a, "annotations"), &al->annotations);
        free(al->generator_url);
        al->generator_url = xstrdup(json_string_value(json_object_get(a, "generatorURL")));
        al->starts_at = parse_time(json_object_get(a, "startsAt"));
        al->ends_at = parse_time(json_object_get(a, "endsAt"));
        al->fingerprint = labelset_fingerprint(&al->labels);
    }
    load_kv(json_object_get(body, "groupLabels"), &f->group_labels);
    f->group_key = xstrdup(json_string_value(json_object_get(body, "groupKey")));
    json_decref(body);

    f->group = (struct notify_group){
        .receiver = f->receiver->name,
        .group_key = f->group_key,
        .group_labels = &f->group_labels,
        .alerts = f->alerts,
        .n_alerts = f->n_alerts,
        .external_url = "http://am.example:9093",
        .now = time_now(),
    };
}

void integ_free(struct integ_fixture *f)
{
    for (size_t i = 0; i < f->n_alerts; i++)
        alert_free(&f->alerts[i]);
    free(f->alerts);
    labelset_free(&f->group_labels);
    free(f->group_key);
    json_decref(f->captured);
    template_set_free(f->tmpl);
    free(f->integrations);
    config_free(f->config);
}

const struct notify_integration *integ_find(const struct integ_fixture *f,
                                            enum notify_kind kind, uint32_t idx)
{
    for (size_t i = 0; i < f->n_integrations; i++)
        if (f->integrations[i].kind == kind && f->integrations[i].idx == idx)
            return &f->integrations[i];
    cr_assert_fail("no %s[%u]", notify_kind_name(kind), idx);
    return NULL;
}

json_t *integ_request(const struct integ_fixture *f, const char *prefix, size_t n)
{
    json_t *reqs = json_object_get(f->captured, "requests");
    size_t seen = 0;
    for (size_t i = 0; i < json_array_size(reqs); i++) {
        json_t *r = json_array_get(reqs, i);
        const char *p = json_string_value(json_object_get(r, "path"));
        if (strncmp(p, prefix, strlen(prefix)) == 0 && seen++ == n)
            return r;
    }
    return NULL;
}

const char *integ_header(json_t *req, const char *name)
{
    json_t *hs = json_object_get(req, "headers");
    for (size_t i = 0; i < json_array_size(hs); i++) {
        json_t *h = json_array_get(hs, i);
        if (strcasecmp(json_string_value(json_array_get(h, 0)), name) == 0)
            return json_string_value(json_array_get(h, 1));
    }
    return NULL;
}

void integ_group_for(struct integ_fixture *f, const struct notify_integration *in,
                     struct notify_group *out, struct alert **storage)
{
    *out = f->group;
    *storage = xcalloc(f->n_alerts ? f->n_alerts : 1, sizeof **storage);
    size_t n = 0;
    for (size_t i = 0; i < f->n_alerts; i++)
        if (in->send_resolved || !alert_resolved(&f->alerts[i], f->group.now))
            (*storage)[n++] = f->alerts[i]; /* shallow: f owns the strings */
    out->alerts = *storage;
    out->n_alerts = n;
}

static const char *request_header(const struct outbound_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

void integ_check_http(const struct outbound_http_request *req, json_t *captured)
{
    cr_assert_not_null(captured);
    cr_assert_str_eq(req->method ? req->method : "POST",
                     json_string_value(json_object_get(captured, "method")));
    const char *path = json_string_value(json_object_get(captured, "path"));
    const char *url_path = strstr(req->url, "://");
    url_path = url_path ? strchr(url_path + 3, '/') : NULL;
    cr_assert_not_null(url_path, "url %s", req->url);
    cr_assert_str_eq(url_path, path);
    static const char *const own_headers[] = {"User-Agent", "Content-Type", "Authorization",
                                              "X-Amz-Date"};
    for (size_t i = 0; i < ARRAY_SIZE(own_headers); i++) {
        const char *want = integ_header(captured, own_headers[i]);
        const char *got = request_header(req, own_headers[i]);
        if (!want && !got)
            continue;
        cr_assert(want && got && strcmp(want, got) == 0, "%s: want %s, got %s", own_headers[i],
                  want ? want : "(none)", got ? got : "(none)");
    }
    const char *body = json_string_value(json_object_get(captured, "body"));
    cr_assert_eq(strlen(body), req->body_len, "body length: want %zu got %zu\nwant %s\ngot  %.*s",
                 strlen(body), req->body_len, body, (int)req->body_len, req->body);
    cr_assert(memcmp(body, req->body, req->body_len) == 0, "body:\nwant %s\ngot  %.*s", body,
              (int)req->body_len, req->body);
}

void integ_build(struct integ_fixture *f, enum notify_kind kind, uint32_t idx,
                 struct notify_message *out)
{
    const struct notify_integration *in = integ_find(f, kind, idx);
    struct notify_group g;
    struct alert *kept;
    integ_group_for(f, in, &g, &kept);
    bool retry = true;
    char *err = NULL;
    cr_assert_eq(notify_build(in, f->tmpl, &g, out, &retry, &err), 0, "%s", err);
    free(kept);
}

void integ_check_scenario(const char *scenario, const char *receiver, enum notify_kind kind,
                          const char *path_prefix, int phase)
{
    integ_check_adjusted(scenario, receiver, kind, path_prefix, phase, NULL);
}

void integ_check_adjusted(const char *scenario, const char *receiver, enum notify_kind kind,
                          const char *path_prefix, int phase, integ_adjust *adjust)
{
    struct integ_fixture f;
    integ_load(&f, scenario, receiver, phase);
    json_t *captured = integ_request(&f, path_prefix, (size_t)phase);
    cr_assert_not_null(captured, "no request %zu under %s", (size_t)phase, path_prefix);
    captured = json_deep_copy(captured);
    if (adjust)
        adjust(&f, captured);
    struct notify_message m;
    integ_build(&f, kind, 0, &m);
    integ_check_http(&m.http, captured);
    json_decref(captured);
    notify_message_free(&m);
    integ_free(&f);
}

void integ_check_kind(const char *scenario, enum notify_kind kind, int phase,
                      integ_adjust *adjust)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "/%s/%s", scenario, notify_kind_name(kind));
    integ_check_adjusted(scenario, scenario, kind, prefix, phase, adjust);
}
