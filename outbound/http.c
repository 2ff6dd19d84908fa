/*
 * HTTP(S) calls: a request shaped by prometheus/common's HTTPClientConfig
 * and errors worded as Go's net/http url.Error (`Post "<url>": <cause>`).
 */
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

#include <openssl/evp.h>

#include "config/config.h"
#include "outbound/outbound_internal.h"

/* `Post "http://x/": cause`, the op spelled as Go's url.Error does. */
static char *url_error(const struct outbound_call *c, const char *cause)
{
    struct strbuf sb = STRBUF_INIT;
    const char *m = c->method;
    if (*m) {
        strbuf_putc(&sb, m[0]);
        for (const char *p = m + 1; *p; p++)
            strbuf_putc(&sb, (char)tolower((unsigned char)*p));
    }
    strbuf_putc(&sb, ' ');
    strbuf_go_quote(&sb, c->url);
    strbuf_printf(&sb, ": %s", cause);
    return strbuf_detach(&sb);
}

static char *url_error_take(const struct outbound_call *c, char *cause)
{
    char *e = url_error(c, cause);
    free(cause);
    return e;
}

static void http_complete(struct outbound_call *c, CURLcode rc)
{
    char *go = NULL;
    switch (rc) {
    case CURLE_OK:
        c->result = OUTBOUND_OK;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
        return;
    case CURLE_OPERATION_TIMEDOUT:
        c->result = OUTBOUND_TIMEOUT;
        c->error = url_error(c, "context deadline exceeded");
        return;
    case CURLE_TOO_MANY_REDIRECTS:
        c->result = OUTBOUND_TRANSPORT;
        c->error = url_error(c, "stopped after 10 redirects");
        return;
    default:
        c->result = OUTBOUND_TRANSPORT;
        go = call_go_error(c, rc);
        c->error = go ? url_error_take(c, go) : url_error(c, call_curl_error(c, rc));
    }
}

static char *http_canceled(struct outbound_call *c)
{
    return url_error(c, "context canceled");
}

static void http_deliver(struct outbound_call *c)
{
    struct outbound_http_response r = {
        .result = c->result,
        .status = c->result == OUTBOUND_OK ? c->status : 0,
        .body = strbuf_cstr(&c->response),
        .body_len = c->response.len,
        .error = c->result == OUTBOUND_OK ? NULL : c->error,
        .duration = c->duration,
    };
    c->http_done(c->arg, &r);
}

static const struct call_ops http_ops = {http_complete, http_canceled, http_deliver};

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    struct outbound_call *c = userp;
    size_t len = size * n;
    if (c->response.len < OUTBOUND_MAX_BODY) {
        size_t keep = OUTBOUND_MAX_BODY - c->response.len;
        strbuf_add(&c->response, data, len < keep ? len : keep);
    }
    return len; /* the rest is read and dropped so the connection stays usable */
}

static bool has_header(const struct outbound_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return true;
    return false;
}

static void add_header(struct outbound_call *c, const char *name, const char *value)
{
    /* "Name;" is curl's spelling of a header with an empty value. */
    char *line = value && *value ? xasprintf("%s: %s", name, value) : xasprintf("%s;", name);
    c->headers = curl_slist_append(c->headers, line);
    free(line);
}

static void add_basic_auth(struct outbound_call *c, const char *user, const char *password)
{
    char *plain = xasprintf("%s:%s", user ? user : "", password ? password : "");
    size_t n = strlen(plain);
    unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)n);
    char *value = xasprintf("Basic %s", (char *)b64);
    add_header(c, "Authorization", value);
    free(value);
    free(b64);
    free(plain);
}

/* basic_auth or authorization, unless the caller set Authorization itself
 * (prometheus/common's round trippers leave such a request alone). */
static int apply_auth(struct outbound_call *c, const struct config_http *http, char **err)
{
    if (http->basic_auth) {
        const struct config_basic_auth *b = http->basic_auth;
        char *password = NULL;
        if (b->password_file && *b->password_file) {
            if (read_secret_file(b->password_file, "unable to read basic auth password file",
                                 &password, err) < 0)
                return -1;
        } else {
            password = xstrdup(b->password ? b->password : "");
        }
        add_basic_auth(c, b->username, password);
        free(password);
    } else if (http->authorization) {
        const struct config_authorization *a = http->authorization;
        char *credentials = NULL;
        if (a->credentials_file && *a->credentials_file) {
            if (read_secret_file(a->credentials_file,
                                 "unable to read authorization credentials file", &credentials,
                                 err) < 0)
                return -1;
        } else {
            credentials = xstrdup(a->credentials ? a->credentials : "");
        }
        char *value = xasprintf("%s %s", a->type && *a->type ? a->type : "Bearer", credentials);
        add_header(c, "Authorization", value);
        free(value);
        free(credentials);
    }
    return 0;
}

static int unsupported(const struct config_http *http, char **err)
{
    if (http->oauth2) {
        *err = xstrdup("oauth2 in http_config is not supported by chorus");
        return -1;
    }
    if (http->proxy_connect_header.len) {
        *err = xstrdup("proxy_connect_header in http_config is not supported by chorus");
        return -1;
    }
    return 0;
}

static void set_method_and_body(struct outbound_call *c, const struct outbound_http_request *req)
{
    CURL *e = c->easy;
    bool get = strcmp(c->method, "GET") == 0;
    if (get && !req->body_len) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(c->method, "HEAD") == 0 && !req->body_len) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        return;
    }
    c->request_body = xmalloc(req->body_len + 1);
    if (req->body_len)
        memcpy(c->request_body, req->body, req->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->request_body);
    /* CURLOPT_POST keeps curl's redirect rules, which are Go's: 301-303
     * turn into GET, 307/308 resend the body. */
    if (strcmp(c->method, "POST") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->method);
}

static enum outbound_result http_setup(struct outbound_call *c,
                                       const struct outbound_http_request *req, char **err)
{
    const struct config_http *http = req->http;
    CURL *e = c->easy;
    if (!e)
        return OUTBOUND_OK; /* call_start reports it */
    if (http && unsupported(http, err) < 0)
        return OUTBOUND_CONFIG;
    if (call_parse_url(c, err) < 0)
        return OUTBOUND_CONFIG;
    curl_easy_setopt(e, CURLOPT_URL, c->url);
    /* Go sends the path as written, dot segments included. */
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set_method_and_body(c, req);

    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name)
            add_header(c, req->headers[i].name, req->headers[i].value);
    /* Blank out what curl would add on its own: Go sends none of these. */
    c->headers = curl_slist_append(c->headers, "Expect:");
    if (!has_header(req, "Accept"))
        c->headers = curl_slist_append(c->headers, "Accept:");
    if (!has_header(req, "Content-Type"))
        c->headers = curl_slist_append(c->headers, "Content-Type:");
    if (http && !has_header(req, "Authorization") && apply_auth(c, http, err) < 0)
        return OUTBOUND_CONFIG;
    if (http && http->proxy_url && *http->proxy_url)
        c->headers = curl_slist_append(c->headers, "Proxy-Connection:");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);

    /* An empty proxy keeps curl from reading http_proxy and friends, which
     * 0.25 ignores too. */
    curl_easy_setopt(e, CURLOPT_PROXY, http && http->proxy_url ? http->proxy_url : "");
    bool follow = http ? http->follow_redirects : true;
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    /* Go's client sends the previous URL as Referer on each redirect. */
    curl_easy_setopt(e, CURLOPT_AUTOREFERER, 1L);
    bool h2 = http ? http->enable_http2 : true;
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     h2 ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    if (call_apply_tls(c, http ? &http->tls_config : NULL, err) < 0)
        return OUTBOUND_CONFIG;
    return OUTBOUND_OK;
}

struct outbound_call *outbound_http(struct outbound *o, const struct outbound_http_request *req,
                                    outbound_http_done *done, void *arg)
{
    struct outbound_call *c = call_new(o, &http_ops, req->url, req->timeout);
    c->method = xstrdup(req->method && *req->method ? req->method : "POST");
    c->http_done = done;
    c->arg = arg;
    if (outbound_closing(o)) {
        call_fail(c, OUTBOUND_CANCELED, url_error(c, "context canceled"));
        return c;
    }
    char *err = NULL;
    enum outbound_result r = http_setup(c, req, &err);
    if (r != OUTBOUND_OK)
        call_fail(c, r, url_error_take(c, err));
    else
        call_start(c);
    return c;
}
