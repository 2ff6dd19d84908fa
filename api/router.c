/*
 * Which handler answers a request, and the answers of the routers in front
 * of Alertmanager's handlers when none does: go-openapi's JSON 404 and 405
 * (with Allow) under /api/v2, net/http's text 404 and 405 elsewhere, the
 * ServeMux redirect of /api/v2 to /api/v2/, the route prefix (outside it
 * everything is 404; "/" redirects to it) and the CORS wrapper of API v2.
 * API v1 is not implemented and answers 404.
 */
#include "api/api_internal.h"

#include <ctype.h>
#include <strings.h>

struct v2_route {
    const char *path; /* "*" segment: the silence id */
    const char *methods; /* sorted, comma-separated: the Allow header */
};

static const struct v2_route v2_routes[] = {
    {"/status", "GET"},           {"/receivers", "GET"},   {"/alerts", "GET,POST"},
    {"/alerts/groups", "GET"},    {"/silences", "GET,POST"}, {"/silence/*", "DELETE,GET"},
};

static bool method_is(const struct api_req *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

static bool method_listed(const char *list, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && memcmp(p, m, n) == 0)
            return true;
        p += len + (c ? 1 : 0);
    }
    return false;
}

/* rel has no trailing slash; *id gets the silence id segment. */
static const struct v2_route *v2_match(const char *rel, char **id)
{
    for (size_t i = 0; i < ARRAY_SIZE(v2_routes); i++) {
        const char *p = v2_routes[i].path;
        const char *star = strchr(p, '*');
        if (!star) {
            if (strcmp(rel, p) == 0)
                return &v2_routes[i];
            continue;
        }
        size_t n = (size_t)(star - p);
        if (strncmp(rel, p, n) == 0 && rel[n] && !strchr(rel + n, '/')) {
            *id = xstrdup(rel + n);
            return &v2_routes[i];
        }
    }
    return NULL;
}

static void v2_dispatch(struct api_state *st, const struct api_req *req,
                        const struct v2_route *r, const char *id, struct api_resp *resp)
{
    bool post = method_is(req, "POST");
    if (strcmp(r->path, "/status") == 0)
        api_h_status(st, req, resp);
    else if (strcmp(r->path, "/receivers") == 0)
        api_h_receivers(st, req, resp);
    else if (strcmp(r->path, "/alerts") == 0)
        (post ? api_h_alerts_post : api_h_alerts_get)(st, req, resp);
    else if (strcmp(r->path, "/alerts/groups") == 0)
        api_h_groups_get(st, req, resp);
    else if (strcmp(r->path, "/silences") == 0)
        (post ? api_h_silences_post : api_h_silences_get)(st, req, resp);
    else if (method_is(req, "DELETE"))
        api_h_silence_delete(st, req, id, resp);
    else
        api_h_silence_get(st, req, id, resp);
}

/* go-openapi consumes a POST body only as application/json (and checks only
 * when there is a body). */
static bool v2_content_type_ok(const struct api_req *req, struct api_resp *resp)
{
    const char *ct = req->content_type ? req->content_type : "";
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0)
        return true;
    char *mt = req->content_type && *ct ? xstrndup(ct, n) : xstrdup("application/octet-stream");
    for (char *p = mt; *p; p++)
        *p = (char)tolower((unsigned char)*p); /* mime.ParseMediaType lowercases */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "unsupported media type ");
    strbuf_go_quote(&sb, mt);
    strbuf_puts(&sb, ", only [application/json] are allowed");
    api_resp_fwerr(resp, 415, 415, sb.buf);
    strbuf_free(&sb);
    free(mt);
    return false;
}

static bool v2_preflight(const struct api_req *req, struct api_resp *resp)
{
    if (!method_is(req, "OPTIONS") || !req->origin || !req->cors_method)
        return false;
    resp->status = 200;
    resp->preflight = true;
    if (method_listed("GET,POST,DELETE,HEAD", req->cors_method)) {
        resp->allow_origin = true;
        resp->allow_methods = xstrdup(req->cors_method);
        if (req->cors_headers && *req->cors_headers)
            resp->allow_headers = xstrdup(req->cors_headers);
    }
    return true;
}

static void route_v2(struct api_state *st, const struct api_req *req, const char *sub,
                     struct api_resp *resp)
{
    resp->vary_origin = true;
    if (v2_preflight(req, resp))
        return;
    resp->allow_origin = req->origin != NULL;
    char *rel = xstrdup(sub + strlen("/api/v2"));
    size_t n = strlen(rel);
    if (n > 1 && rel[n - 1] == '/')
        rel[n - 1] = '\0';
    char *id = NULL;
    const struct v2_route *r = v2_match(rel, &id);
    if (!r) {
        char *msg = xasprintf("path %s was not found", sub);
        api_resp_fwerr(resp, 404, 404, msg);
        free(msg);
    } else if (!method_listed(r->methods, req->method)) {
        char *msg = xasprintf("method %s is not allowed, but [%s] are", req->method, r->methods);
        api_resp_fwerr(resp, 405, 405, msg);
        resp->allow = r->methods;
        free(msg);
    } else if (!method_is(req, "POST") || req->body_len == 0 || v2_content_type_ok(req, resp)) {
        v2_dispatch(st, req, r, id, resp);
    }
    free(id);
    free(rel);
}

static void go_not_found(struct api_resp *resp)
{
    api_resp_text_error(resp, 404, "404 page not found");
}

static void go_redirect(struct api_resp *resp, int status, const char *to, const char *method)
{
    resp->status = status;
    resp->location = xstrdup(to);
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        resp->content_type = "text/html; charset=utf-8";
        strbuf_printf(&resp->body, "<a href=\"%s\">%s</a>.\n\n", to,
                      status == 301 ? "Moved Permanently" : "Found");
    }
}

/* httprouter's answer to a method it has no route for: OPTIONS gets the
 * Allow list with a 200, anything else a 405. */
static void not_allowed(const struct api_req *req, const char *allow, struct api_resp *resp)
{
    resp->allow = allow;
    if (method_is(req, "OPTIONS"))
        resp->status = 200;
    else
        api_resp_text_error(resp, 405, "Method Not Allowed");
}

enum side_methods { SIDE_GET, SIDE_GET_HEAD, SIDE_POST };

/* Whether the route takes the method; if not, answers as httprouter does. */
static bool side_method(const struct api_req *req, enum side_methods allowed,
                        struct api_resp *resp)
{
    static const char *const allow[] = {"GET, OPTIONS", "GET, HEAD, OPTIONS", "OPTIONS, POST"};
    bool ok = allowed == SIDE_POST ? method_is(req, "POST")
                                   : method_is(req, "GET") ||
                                         (allowed == SIDE_GET_HEAD && method_is(req, "HEAD"));
    if (!ok)
        not_allowed(req, allow[allowed], resp);
    return ok;
}

static void route_side(struct api_state *st, const struct api_req *req, const char *sub,
                       const char *prefix, struct api_resp *resp)
{
    if (strcmp(sub, "/-/healthy") == 0 || strcmp(sub, "/-/ready") == 0) {
        if (side_method(req, SIDE_GET_HEAD, resp)) {
            resp->instrument = strcmp(sub, "/-/ready") == 0 ? "/-/ready" : "/-/healthy";
            if (method_is(req, "GET")) { /* HEAD has its own, bodiless handler */
                resp->content_type = "text/plain; charset=utf-8";
                strbuf_puts(&resp->body, "OK");
            }
        }
    } else if (strcmp(sub, "/-/reload") == 0) {
        if (side_method(req, SIDE_POST, resp)) {
            resp->instrument = "/-/reload";
            api_h_reload(st, req, resp);
        }
    } else if (strcmp(sub, "/metrics") == 0) {
        if (side_method(req, SIDE_GET, resp)) {
            resp->instrument = "/metrics";
            api_h_metrics(st, req, resp);
        }
    } else if (strcmp(sub, "/api/v2") == 0) {
        char *to = xasprintf("%s/api/v2/", prefix);
        go_redirect(resp, 301, to, req->method);
        free(to);
    } else if (strcmp(sub, "/") == 0) {
        if (!side_method(req, SIDE_GET, resp))
            return;
        resp->instrument = "/";
        resp->content_type = "text/html; charset=utf-8";
        strbuf_puts(&resp->body,
                    "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                    "<title>Alertmanager</title></head>\n<body>\n<h1>chorus</h1>\n"
                    "<p>An Alertmanager-compatible daemon. It has no web UI; use amtool "
                    "or the HTTP API.</p>\n<ul>\n<li><a href=\"metrics\">/metrics</a></li>\n"
                    "<li><a href=\"-/reload\">/-/reload</a></li>\n"
                    "<li><a href=\"-/healthy\">/-/healthy</a></li>\n"
                    "<li><a href=\"-/ready\">/-/ready</a></li>\n</ul>\n</body>\n</html>\n");
    } else {
        go_not_found(resp);
    }
}

void api_route(struct api_state *st, const char *route_prefix, const struct api_req *req,
               struct api_resp *resp)
{
    const char *prefix = route_prefix && strcmp(route_prefix, "/") != 0 ? route_prefix : "";
    size_t plen = strlen(prefix);
    const char *sub = req->path;
    if (plen) {
        if (strcmp(req->path, "/") == 0) {
            if (method_is(req, "GET"))
                go_redirect(resp, 302, prefix, req->method);
            else
                not_allowed(req, "GET, OPTIONS", resp);
            return;
        }
        if (strcmp(req->path, prefix) == 0 && (method_is(req, "GET") || method_is(req, "HEAD"))) {
            char *to = xasprintf("%s/", prefix);
            go_redirect(resp, 301, to, req->method);
            free(to);
            return;
        }
        if (strncmp(req->path, prefix, plen) != 0 ||
            (req->path[plen] != '/' && req->path[plen] != '\0')) {
            go_not_found(resp);
            return;
        }
        sub = req->path[plen] ? req->path + plen : "/";
    }
    if (strncmp(sub, "/api/v2/", 8) == 0)
        route_v2(st, req, sub, resp);
    else
        route_side(st, req, sub, prefix, resp);
}
