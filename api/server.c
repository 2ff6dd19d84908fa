/*
 * The HTTP server: libmicrohttpd in external-poll epoll mode driven by the
 * libuv loop.  MHD's epoll fd is watched with a uv_poll, MHD_run runs on
 * readiness, and a uv_timer armed from MHD_get_timeout covers MHD's own
 * deadlines.  The listening socket is created here rather than by MHD so a
 * bind failure can be reported with its errno, Go-style.  Request bodies are
 * accumulated per connection up to API_BODY_LIMIT; each complete request is
 * turned into a struct api_req, routed, and the struct api_resp queued.  An
 * answer to a silence change is held, its connection suspended, until main
 * reports the change written to disk; the loop serves others meanwhile.
 */
#include "api/api_internal.h"
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

struct api_wait;

struct api {
    uv_loop_t *loop;
    struct api_wait *waits; /* answers held for a snapshot write */
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t timer;
    struct api_state *state;
    char *prefix;
    int pending_closes;
    struct api_http_stats http;
    const struct config_web *web; /* NULL: plain HTTP, no auth */
    struct api_auth *auth;
    struct api_tls *tls;
    struct api_conn *auth_held; /* connections suspended for a bcrypt check */
};

struct api_conn {
    struct strbuf body;
    bool too_large;
    struct api_resp *held; /* the answer, once routed, while it waits */
    int persist_rc;
    struct api *api;
    struct MHD_Connection *c;
    enum api_auth_result auth;
    struct api_auth_wait *auth_wait; /* while a bcrypt check is out */
    bool auth_suspended;             /* the request is complete and waits for it */
    struct api_conn *auth_prev, *auth_next; /* in api->auth_held when suspended */
};

/* One held answer.  It outlives its connection when api_stop cancels it: the
 * persistence callback still arrives later and only frees it then. */
struct api_wait {
    struct api *api;
    struct MHD_Connection *c;
    struct api_conn *cc;
    bool cancelled;
    struct api_wait *prev, *next;
};

/* ---- listening socket ---- */

static int addr_split(const char *addr, char **host, char **port)
{
    const char *colon = strrchr(addr, ':');
    if (!colon)
        return -1;
    const char *h = addr;
    size_t hlen = (size_t)(colon - addr);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    *host = hlen ? xstrndup(h, hlen) : NULL;
    *port = xstrdup(colon + 1);
    return 0;
}

static char *listen_error(const char *addr, const char *op, int errnum)
{
    return xasprintf("listen tcp %s: %s: %s", addr, op, strerror_go(errnum));
}

static int socket_bind(const struct addrinfo *ai, const char *addr, char **err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = listen_error(addr, "socket", errno);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        *err = listen_error(addr, "bind", errno);
        close(fd);
        return -1;
    }
    if (listen(fd, SOMAXCONN) < 0) {
        *err = listen_error(addr, "listen", errno);
        close(fd);
        return -1;
    }
    return fd;
}

/* ":9093" binds all IPv4 addresses. */
static int listen_open(const char *addr, char **err)
{
    char *host = NULL, *port = NULL;
    if (addr_split(addr, &host, &port) < 0) {
        *err = xasprintf("listen tcp %s: address %s: missing port in address", addr, addr);
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = host ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, port, &hints, &res);
    free(host);
    free(port);
    if (rc != 0) {
        *err = xasprintf("listen tcp %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = socket_bind(res, addr, err);
    freeaddrinfo(res);
    return fd;
}

/* ---- driving MHD from the loop ---- */

static void on_timer(uv_timer_t *t);

static void api_run(struct api *api)
{
    MHD_run(api->mhd);
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(api->mhd, &ms) == MHD_YES)
        uv_timer_start(&api->timer, on_timer, ms, 0);
    else
        uv_timer_stop(&api->timer);
}

static void on_timer(uv_timer_t *t)
{
    api_run(container_of(t, struct api, timer));
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    api_run(container_of(p, struct api, poll));
}

/* ---- requests ---- */

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct api_req *req = cls;
    req->params = xrealloc(req->params, (req->n_params + 1) * sizeof *req->params);
    req->params[req->n_params].key = xstrdup(key ? key : "");
    req->params[req->n_params].value = xstrdup(value ? value : "");
    req->n_params++;
    return MHD_YES;
}

static void req_free_params(struct api_req *req)
{
    for (size_t i = 0; i < req->n_params; i++) {
        free(req->params[i].key);
        free(req->params[i].value);
    }
    free(req->params);
}

static void add_header(struct MHD_Response *r, const char *name, const char *value)
{
    if (value)
        MHD_add_response_header(r, name, value);
}

/* In Go's order (sorted by name) so captures compare easily. */
static void add_headers(struct MHD_Response *r, const struct api_resp *resp)
{
    add_header(r, "Access-Control-Allow-Headers", resp->allow_headers);
    add_header(r, "Access-Control-Allow-Methods", resp->allow_methods);
    if (resp->allow_origin)
        add_header(r, "Access-Control-Allow-Origin", "*");
    add_header(r, "Allow", resp->allow);
    add_header(r, "Content-Type", resp->content_type);
    add_header(r, "Location", resp->location);
    if (resp->vary_origin)
        add_header(r, "Vary", "Origin");
    if (resp->preflight) {
        add_header(r, "Vary", "Access-Control-Request-Method");
        add_header(r, "Vary", "Access-Control-Request-Headers");
    }
    if (resp->nosniff)
        add_header(r, "X-Content-Type-Options", "nosniff");
}

/* The web config's headers go on every answer, as exporter-toolkit sets them
 * before the handler runs; a header the handler sets itself wins. */
static void add_web_headers(struct MHD_Response *r, const struct config_web *web)
{
    if (!web)
        return;
    for (size_t i = 0; i < web->headers.len; i++)
        if (!MHD_get_response_header(r, web->headers.items[i].key))
            MHD_add_response_header(r, web->headers.items[i].key, web->headers.items[i].value);
}

static enum MHD_Result send_resp_extra(struct MHD_Connection *c, const struct config_web *web,
                                       struct api_resp *resp, const char *extra_name,
                                       const char *extra_value)
{
    if (resp->status == 0)
        return MHD_NO;
    size_t len = resp->body.len;
    char *buf = strbuf_detach(&resp->body);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(buf);
        return MHD_NO;
    }
    add_headers(r, resp);
    if (extra_name)
        add_header(r, extra_name, extra_value);
    add_web_headers(r, web);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_resp(struct api_conn *cc, struct api_resp *resp)
{
    return send_resp_extra(cc->c, cc->api->web, resp, NULL, NULL);
}

static enum MHD_Result send_too_large(struct api_conn *cc)
{
    struct api_resp resp;
    api_resp_init(&resp);
    api_resp_text_error(&resp, 413, "request body too large");
    enum MHD_Result rc = send_resp(cc, &resp);
    api_resp_free(&resp);
    return rc;
}

/* exporter-toolkit's answer to missing or wrong credentials. */
static enum MHD_Result send_unauthorized(struct api_conn *cc)
{
    struct api_resp resp;
    api_resp_init(&resp);
    api_resp_text_error(&resp, 401, "Unauthorized");
    enum MHD_Result rc = send_resp_extra(cc->c, cc->api->web, &resp, "WWW-Authenticate", "Basic");
    api_resp_free(&resp);
    return rc;
}

static void wait_unlink(struct api_wait *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        w->api->waits = w->next;
    if (w->next)
        w->next->prev = w->prev;
}

static void on_persisted(void *arg, int rc)
{
    struct api_wait *w = arg;
    if (!w->cancelled) {
        wait_unlink(w);
        w->cc->persist_rc = rc;
        MHD_resume_connection(w->c);
        api_run(w->api); /* MHD now calls on_access again, which sends it */
    }
    free(w);
}

static void hold_response(struct api *api, struct MHD_Connection *c, struct api_conn *cc,
                          struct api_resp *resp)
{
    cc->held = xmalloc(sizeof *cc->held);
    *cc->held = *resp; /* moves the body and owned headers */
    api_resp_init(resp);
    struct api_wait *w = xcalloc(1, sizeof *w);
    *w = (struct api_wait){api, c, cc, false, NULL, api->waits};
    if (api->waits)
        api->waits->prev = w;
    api->waits = w;
    MHD_suspend_connection(c);
    api->state->silences_changed(api->state->silences_changed_ctx, on_persisted, w);
}

static void held_free(struct api_conn *cc)
{
    if (!cc->held)
        return;
    api_resp_free(cc->held);
    free(cc->held);
    cc->held = NULL;
}

static enum MHD_Result send_held(struct api_conn *cc)
{
    if (cc->persist_rc != 0) {
        /* The change is in memory and the next write retries it, but the
         * client must not take it for durable. */
        api_resp_free(cc->held);
        api_resp_init(cc->held);
        api_resp_errstr(cc->held, 500, "failed to write the silence snapshot");
    }
    enum MHD_Result rc = send_resp(cc, cc->held);
    held_free(cc);
    return rc;
}

static bool declared_too_large(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    return cl && strtoull(cl, NULL, 10) > API_BODY_LIMIT;
}

static enum MHD_Result handle(struct api *api, struct MHD_Connection *c, const char *url,
                              const char *method, struct api_conn *cc)
{
    struct api_req req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    req.body = cc->body.buf ? cc->body.buf : "";
    req.body_len = cc->body.len;
    req.now = time_now();
    req.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    req.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    req.cors_method =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Method");
    req.cors_headers =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &req);
    req.http = &api->http;
    struct api_resp resp;
    api_resp_init(&resp);
    int64_t start = time_monotonic();
    api_route(api->state, api->prefix, &req, &resp);
    if (resp.instrument)
        api_http_observe(&api->http, resp.instrument, method,
                         (double)(time_monotonic() - start) / 1e9, resp.body.len);
    req_free_params(&req);
    if (resp.hold_until_persisted && resp.status != 0 && api->state->silences_changed) {
        hold_response(api, c, cc, &resp);
        return MHD_YES;
    }
    enum MHD_Result rc = send_resp(cc, &resp);
    api_resp_free(&resp);
    return rc;
}

/* ---- basic auth: bcrypt runs on the pool, the request waits suspended ---- */

static void auth_held_unlink(struct api_conn *cc)
{
    if (cc->auth_prev)
        cc->auth_prev->auth_next = cc->auth_next;
    else
        cc->api->auth_held = cc->auth_next;
    if (cc->auth_next)
        cc->auth_next->auth_prev = cc->auth_prev;
    cc->auth_prev = cc->auth_next = NULL;
}

static void on_auth_checked(void *arg, bool ok)
{
    struct api_conn *cc = arg;
    cc->auth = ok ? API_AUTH_OK : API_AUTH_DENIED;
    cc->auth_wait = NULL;
    if (cc->auth_suspended) {
        cc->auth_suspended = false;
        auth_held_unlink(cc);
        MHD_resume_connection(cc->c);
        api_run(cc->api); /* MHD calls on_access again, which answers */
    }
}

/* The request is complete but its credentials are still being checked. */
static enum MHD_Result auth_suspend(struct api_conn *cc)
{
    cc->auth_suspended = true;
    cc->auth_prev = NULL;
    cc->auth_next = cc->api->auth_held;
    if (cc->auth_next)
        cc->auth_next->auth_prev = cc;
    cc->api->auth_held = cc;
    MHD_suspend_connection(cc->c);
    return MHD_YES;
}

static struct api_conn *conn_new(struct api *api, struct MHD_Connection *c)
{
    struct api_conn *cc = xcalloc(1, sizeof *cc);
    cc->api = api;
    cc->c = c;
    /* The comparison, when one is needed, runs while the body arrives. */
    cc->auth = api_auth_check(api->auth,
                              MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
                              on_auth_checked, cc, &cc->auth_wait);
    return cc;
}

static bool tls_client_ok(struct api *api, struct MHD_Connection *c)
{
    if (!api->tls)
        return true;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    return ci && ci->tls_session && api_tls_client_ok(api->tls, ci->tls_session);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    (void)version;
    struct api_conn *cc = *con_cls;
    if (!cc) {
        if (!tls_client_ok(cls, c))
            return MHD_NO;
        *con_cls = cc = conn_new(cls, c);
        /* MHD accepts a response only before the upload starts or after it
         * ends: refuse a declared oversize body now, without reading it, but
         * not before the credentials are known (401 comes first, as in Go);
         * until then the body is dropped as it arrives. */
        if (declared_too_large(c)) {
            cc->too_large = true;
            if (cc->auth == API_AUTH_PENDING)
                return MHD_YES;
            return cc->auth == API_AUTH_DENIED ? send_unauthorized(cc) : send_too_large(cc);
        }
        /* Other refused requests are answered once their body has been read
         * and dropped, so the connection can stay open as with Go. */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (cc->auth == API_AUTH_DENIED) /* a body for a 401: not kept */
            return MHD_YES;
        if (!cc->too_large && cc->body.len + n > API_BODY_LIMIT) {
            cc->too_large = true; /* chunked: discard the rest, answer at the end */
            strbuf_free(&cc->body);
        }
        if (!cc->too_large)
            strbuf_add(&cc->body, upload_data, n);
        return MHD_YES;
    }
    if (cc->held)
        return send_held(cc);
    if (cc->auth == API_AUTH_PENDING)
        return auth_suspend(cc);
    if (cc->auth == API_AUTH_DENIED)
        return send_unauthorized(cc);
    if (cc->too_large)
        return send_too_large(cc);
    return handle(cls, c, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct api_conn *cc = *con_cls;
    if (!cc)
        return;
    api_auth_wait_cancel(cc->auth_wait);
    if (cc->auth_suspended)
        auth_held_unlink(cc);
    held_free(cc);
    strbuf_free(&cc->body);
    free(cc);
    *con_cls = NULL;
}

/* ---- lifecycle ---- */

/* Runs before the connection's TLS handshake. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)socket_context;
    struct api *api = cls;
    if (code != MHD_CONNECTION_NOTIFY_STARTED || !api->tls)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci && ci->tls_session)
        api_tls_session_setup(api->tls, ci->tls_session);
}

static struct MHD_Daemon *mhd_start(struct api *api, int fd)
{
    unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    struct MHD_OptionItem tls[5];
    size_t n = 0;
    if (api->tls) {
        flags |= MHD_USE_TLS;
        tls[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, api->tls->key_pem};
        tls[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, api->tls->cert_pem};
        tls[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, api->tls->priorities};
        if (api->tls->trust_pem)
            tls[n++] =
                (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, api->tls->trust_pem};
    }
    tls[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_start_daemon(flags, 0, NULL, NULL, on_access, api, MHD_OPTION_LISTEN_SOCKET,
                            (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0, MHD_OPTION_ARRAY,
                            tls, MHD_OPTION_END);
}

static void api_free(struct api *api)
{
    api_auth_free(api->auth);
    api_tls_free(api->tls);
    api_http_stats_free(&api->http);
    free(api->prefix);
    free(api);
}

/* TLS material and the auth cache, before anything is bound. */
static int api_security_init(struct api *api, uv_loop_t *loop, const struct config_web *web,
                             char **err)
{
    api->web = web;
    if (!web)
        return 0;
    if (web->tls.enabled && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        *err = xstrdup("TLS is configured but this libmicrohttpd has no TLS support");
        return -1;
    }
    if (api_tls_new(&web->tls, &api->tls, err) != 0)
        return -1;
    api->auth = api_auth_new(loop, &web->users);
    return 0;
}

int api_start(uv_loop_t *loop, const struct api_options *opts, struct api_state *state,
              struct api **out, char **err)
{
    const char *addr = opts->listen_address ? opts->listen_address : ":9093";
    struct api *api = xcalloc(1, sizeof *api);
    api->loop = loop;
    api->state = state;
    api->prefix = xstrdup(opts->route_prefix ? opts->route_prefix : "/");
    if (api_security_init(api, loop, opts->web, err) != 0) {
        api_free(api);
        return -1;
    }
    int fd = listen_open(addr, err);
    if (fd < 0) {
        api_free(api);
        return -1;
    }
    api->mhd = mhd_start(api, fd);
    if (!api->mhd) {
        *err = xasprintf("starting HTTP server on %s failed%s", addr,
                         api->tls ? " (the TLS key or certificate was refused)" : "");
        close(fd);
        api_free(api);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(api->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    uv_timer_init(loop, &api->timer);
    uv_poll_init(loop, &api->poll, info->epoll_fd);
    uv_poll_start(&api->poll, UV_READABLE, on_poll);
    api_run(api);
    *out = api;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    struct api *api = h->data;
    if (--api->pending_closes == 0)
        api_free(api);
}

void api_stop(struct api *api)
{
    if (!api)
        return;
    /* The poll handle must stop watching before MHD closes its epoll fd. */
    api->poll.data = api;
    api->timer.data = api;
    api->pending_closes = 2;
    /* MHD must not be stopped with suspended connections: resume them to be
     * closed unanswered, and let their late callbacks find them cancelled. */
    for (struct api_wait *w = api->waits; w; w = w->next) {
        w->cancelled = true;
        MHD_resume_connection(w->c);
    }
    api->waits = NULL;
    while (api->auth_held) {
        struct api_conn *cc = api->auth_held;
        auth_held_unlink(cc);
        cc->auth_suspended = false;
        MHD_resume_connection(cc->c);
    }
    uv_close((uv_handle_t *)&api->poll, on_closed);
    uv_close((uv_handle_t *)&api->timer, on_closed);
    MHD_stop_daemon(api->mhd);
    api->mhd = NULL;
}
