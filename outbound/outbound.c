/*
 * The loop side of outbound: curl's multi interface told about socket
 * readiness by one uv_poll per socket and about time by one uv_timer, and a
 * second timer that hands finished calls back to their callers, so a done
 * callback never runs inside a function the caller is still in.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <openssl/x509_vfy.h>

#include "config/config.h"
#include "outbound/outbound_internal.h"

struct sockwatch {
    uv_poll_t poll;
    struct outbound *o;
    curl_socket_t fd;
    struct sockwatch *prev, *next;
};

struct outbound {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t curl_timer; /* CURLMOPT_TIMERFUNCTION's deadline */
    uv_timer_t deliver;    /* runs the done callbacks of o->ready */
    struct sockwatch *socks;
    struct outbound_call *active;               /* in curl, doubly linked */
    struct outbound_call *ready, *ready_tail;   /* finished, done not yet run */
    size_t in_flight;
    bool closing, handles_closing;
    unsigned open_handles;
    void (*closed)(void *arg);
    void *closed_arg;
};

static void handle_released(struct outbound *o);

/* ---- delivery ---- */

static void call_free(struct outbound_call *c)
{
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->connect_to);
    curl_slist_free_all(c->rcpts);
    free(c->error);
    free(c->url);
    free(c->host);
    free(c->method);
    free(c->request_body);
    strbuf_free(&c->response);
    free(c->smarthost);
    free(c->message);
    free(c);
}

static void shutdown_handles(struct outbound *o);

static void on_deliver(uv_timer_t *t)
{
    struct outbound *o = t->data;
    /* Only what is queued now: a done that starts a call which fails at once
     * gets its answer on the next turn, so this loop is bounded. */
    struct outbound_call *c = o->ready;
    o->ready = o->ready_tail = NULL;
    while (c) {
        struct outbound_call *next = c->next;
        o->in_flight--;
        c->ops->deliver(c);
        call_free(c);
        c = next;
    }
    if (o->closing && !o->ready && !o->active && !o->handles_closing)
        shutdown_handles(o);
}

static void enqueue_ready(struct outbound_call *c)
{
    struct outbound *o = c->o;
    c->state = CALL_READY;
    c->duration = time_monotonic() - c->started;
    c->next = NULL;
    if (o->ready_tail)
        o->ready_tail->next = c;
    else
        o->ready = c;
    o->ready_tail = c;
    if (!uv_is_active((uv_handle_t *)&o->deliver))
        uv_timer_start(&o->deliver, on_deliver, 0, 0);
}

static void unlink_active(struct outbound_call *c)
{
    struct outbound *o = c->o;
    curl_multi_remove_handle(o->multi, c->easy);
    if (c->prev)
        c->prev->next = c->next;
    else
        o->active = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void drain_completed(struct outbound *o)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(o->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct outbound_call *c = NULL;
        CURLcode rc = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        unlink_active(c);
        c->ops->complete(c, rc);
        enqueue_ready(c);
    }
}

/* ---- curl's sockets and timer ---- */

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sockwatch *w = p->data;
    struct outbound *o = w->o;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    /* w may be closed and freed inside: nothing below touches it. */
    curl_multi_socket_action(o->multi, w->fd, flags, &running);
    drain_completed(o);
}

static void sockwatch_closed(uv_handle_t *h)
{
    struct sockwatch *w = h->data;
    struct outbound *o = w->o;
    free(w);
    handle_released(o);
}

/* uv_close unregisters the fd from the backend at once, so curl may hand the
 * same fd number to a new watcher before this one's close callback ran. */
static void sockwatch_close(struct sockwatch *w)
{
    struct outbound *o = w->o;
    if (w->prev)
        w->prev->next = w->next;
    else
        o->socks = w->next;
    if (w->next)
        w->next->prev = w->prev;
    uv_close((uv_handle_t *)&w->poll, sockwatch_closed);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct outbound *o = userp;
    struct sockwatch *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            curl_multi_assign(o->multi, fd, NULL);
            sockwatch_close(w);
        }
        return 0;
    }
    if (!w) {
        w = xcalloc(1, sizeof *w);
        int rc = uv_poll_init_socket(o->loop, &w->poll, fd);
        if (rc < 0) {
            log_kv(LOG_ERROR, "Cannot watch an outbound socket", "err", uv_strerror(rc), NULL);
            free(w);
            return -1;
        }
        w->o = o;
        w->fd = fd;
        w->poll.data = w;
        w->next = o->socks;
        if (o->socks)
            o->socks->prev = w;
        o->socks = w;
        o->open_handles++;
        curl_multi_assign(o->multi, fd, w);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&w->poll, events, on_poll);
    return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
    struct outbound *o = t->data;
    int running;
    curl_multi_socket_action(o->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_completed(o);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct outbound *o = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&o->curl_timer);
    else
        uv_timer_start(&o->curl_timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* ---- the client ---- */

struct outbound *outbound_new(uv_loop_t *loop)
{
    static bool global_done;
    if (!global_done) {
        CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (rc != CURLE_OK) {
            log_kv(LOG_ERROR, "Cannot start libcurl", "err", curl_easy_strerror(rc), NULL);
            return NULL;
        }
        global_done = true;
    }
    struct outbound *o = xcalloc(1, sizeof *o);
    o->loop = loop;
    o->multi = curl_multi_init();
    if (!o->multi) {
        log_kv(LOG_ERROR, "Cannot start libcurl", "err", "curl_multi_init failed", NULL);
        free(o);
        return NULL;
    }
    curl_multi_setopt(o->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(o->multi, CURLMOPT_SOCKETDATA, o);
    curl_multi_setopt(o->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(o->multi, CURLMOPT_TIMERDATA, o);
    uv_timer_init(loop, &o->curl_timer);
    uv_timer_init(loop, &o->deliver);
    o->curl_timer.data = o->deliver.data = o;
    o->open_handles = 2;
    return o;
}

size_t outbound_in_flight(const struct outbound *o)
{
    return o->in_flight;
}

bool outbound_closing(const struct outbound *o)
{
    return o->closing;
}

static void handle_released(struct outbound *o)
{
    if (--o->open_handles)
        return;
    void (*closed)(void *) = o->closed;
    void *arg = o->closed_arg;
    free(o);
    if (closed)
        closed(arg);
}

static void handle_closed(uv_handle_t *h)
{
    handle_released(h->data);
}

static void shutdown_handles(struct outbound *o)
{
    o->handles_closing = true;
    /* Closing curl's cached connections reports their sockets removed,
     * which closes their watchers; any it does not report are closed after. */
    curl_multi_cleanup(o->multi);
    o->multi = NULL;
    while (o->socks)
        sockwatch_close(o->socks);
    uv_close((uv_handle_t *)&o->curl_timer, handle_closed);
    uv_close((uv_handle_t *)&o->deliver, handle_closed);
}

void outbound_close(struct outbound *o, void (*closed)(void *arg), void *arg)
{
    if (o->closing)
        return;
    o->closing = true;
    o->closed = closed;
    o->closed_arg = arg;
    while (o->active)
        outbound_cancel(o->active);
    /* The deliver turn closes the handles once the queue is empty. */
    if (!uv_is_active((uv_handle_t *)&o->deliver))
        uv_timer_start(&o->deliver, on_deliver, 0, 0);
}

/* ---- calls ---- */

struct outbound_call *call_new(struct outbound *o, const struct call_ops *ops, const char *url,
                               int64_t timeout)
{
    struct outbound_call *c = xcalloc(1, sizeof *c);
    c->o = o;
    c->ops = ops;
    c->started = time_monotonic();
    c->url = xstrdup(url ? url : "");
    c->easy = curl_easy_init();
    o->in_flight++;
    if (!c->easy)
        return c; /* call_start reports it */
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
    if (timeout > 0) {
        int64_t ms = (timeout + 999999) / 1000000;
        curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)(ms > LONG_MAX ? LONG_MAX : ms));
    }
    return c;
}

void call_fail(struct outbound_call *c, enum outbound_result r, char *error)
{
    c->result = r;
    free(c->error);
    c->error = error;
    enqueue_ready(c);
}

void call_start(struct outbound_call *c)
{
    struct outbound *o = c->o;
    if (!c->easy) {
        call_fail(c, OUTBOUND_CONFIG, xstrdup("curl_easy_init failed"));
        return;
    }
    CURLMcode mrc = curl_multi_add_handle(o->multi, c->easy);
    if (mrc != CURLM_OK) {
        call_fail(c, OUTBOUND_TRANSPORT, xstrdup(curl_multi_strerror(mrc)));
        return;
    }
    c->state = CALL_ACTIVE;
    c->prev = NULL;
    c->next = o->active;
    if (o->active)
        o->active->prev = c;
    o->active = c;
}

void outbound_cancel(struct outbound_call *c)
{
    if (!c)
        return;
    if (c->state == CALL_ACTIVE) {
        /* libcurl 7.88's SMTP "done" step ignores that a removed transfer is
         * unfinished: it sends the end of the message and waits for the
         * reply, blocking the loop for what remains of the transfer's
         * timeout.  A timeout that has already run out ends that wait at once. */
        curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, 1L);
        unlink_active(c);
        call_fail(c, OUTBOUND_CANCELED, c->ops->canceled(c));
    } else if (c->state == CALL_READY && c->result != OUTBOUND_CANCELED) {
        /* Finished but not yet told: the caller asked not to care. */
        c->result = OUTBOUND_CANCELED;
        free(c->error);
        c->error = c->ops->canceled(c);
    }
}

/* ---- shared request pieces ---- */

int call_parse_url(struct outbound_call *c, char **err)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, c->url, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc == CURLUE_OK)
        uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (uc != CURLUE_OK) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "parse ");
        strbuf_go_quote(&sb, c->url);
        strbuf_printf(&sb, ": %s", curl_url_strerror(uc));
        *err = strbuf_detach(&sb);
    } else {
        size_t n = strlen(host);
        c->host = host[0] == '[' && n > 1 ? xstrndup(host + 1, n - 2) : xstrdup(host);
        c->port = strtol(port, NULL, 10);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return uc == CURLUE_OK ? 0 : -1;
}

static long tls_version(int64_t v, bool max)
{
    switch (v) {
    case 0x0301: return max ? CURL_SSLVERSION_MAX_TLSv1_0 : CURL_SSLVERSION_TLSv1_0;
    case 0x0302: return max ? CURL_SSLVERSION_MAX_TLSv1_1 : CURL_SSLVERSION_TLSv1_1;
    case 0x0303: return max ? CURL_SSLVERSION_MAX_TLSv1_2 : CURL_SSLVERSION_TLSv1_2;
    case 0x0304: return max ? CURL_SSLVERSION_MAX_TLSv1_3 : CURL_SSLVERSION_TLSv1_3;
    default: return -1;
    }
}

static int check_readable(const char *path, const char *what, char **err)
{
    FILE *f = fopen(path, "r");
    if (f) {
        fclose(f);
        return 0;
    }
    *err = xasprintf("%s %s: open %s: %s", what, path, path, strerror_go(errno));
    return -1;
}

static const char *bracketed(const char *host, char *buf, size_t n)
{
    if (!strchr(host, ':'))
        return host;
    snprintf(buf, n, "[%s]", host);
    return buf;
}

/* libcurl takes SNI and the name it verifies from the URL, so a server_name
 * becomes the URL's host while CONNECT_TO keeps the real address; HTTP then
 * sends the original Host header, as Go does with tls.Config.ServerName. */
static int redirect_server_name(struct outbound_call *c, const char *server_name, char **err)
{
    CURLU *u = curl_url();
    char *url = NULL, *authority_port = NULL;
    char hb[300], sb[300];
    int rc = -1;
    if (curl_url_set(u, CURLUPART_URL, c->url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_HOST, bracketed(server_name, sb, sizeof sb), 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        *err = xasprintf("tls_config.server_name %s cannot be used with %s", server_name, c->url);
        goto out;
    }
    char *to = xasprintf("%s:%ld:%s:%ld", bracketed(server_name, sb, sizeof sb), c->port,
                         bracketed(c->host, hb, sizeof hb), c->port);
    c->connect_to = curl_slist_append(c->connect_to, to);
    free(to);
    curl_easy_setopt(c->easy, CURLOPT_CONNECT_TO, c->connect_to);
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    if (c->method) {
        bool has_host = false;
        for (struct curl_slist *h = c->headers; h; h = h->next)
            has_host |= strncasecmp(h->data, "Host:", 5) == 0;
        if (!has_host) {
            CURLU *orig = curl_url();
            curl_url_set(orig, CURLUPART_URL, c->url, 0);
            curl_url_get(orig, CURLUPART_PORT, &authority_port, 0);
            char *line = authority_port
                ? xasprintf("Host: %s:%s", bracketed(c->host, hb, sizeof hb), authority_port)
                : xasprintf("Host: %s", bracketed(c->host, hb, sizeof hb));
            c->headers = curl_slist_append(c->headers, line);
            free(line);
            curl_url_cleanup(orig);
            curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
        }
    }
    rc = 0;
out:
    curl_free(url);
    curl_free(authority_port);
    curl_url_cleanup(u);
    return rc;
}

int call_apply_tls(struct outbound_call *c, const struct config_tls *tls, char **err)
{
    /* Go's crypto/tls client default minimum since 1.18. */
    long min = CURL_SSLVERSION_TLSv1_2, max = CURL_SSLVERSION_MAX_DEFAULT;
    if (tls && tls->min_version) {
        if ((min = tls_version(tls->min_version, false)) < 0) {
            *err = xasprintf("unknown TLS version: %lld", (long long)tls->min_version);
            return -1;
        }
    }
    if (tls && tls->max_version) {
        if ((max = tls_version(tls->max_version, true)) < 0) {
            *err = xasprintf("unknown TLS version: %lld", (long long)tls->max_version);
            return -1;
        }
        if (tls->min_version && tls->max_version < tls->min_version) {
            *err = xstrdup("tls_config.max_version must be greater than or equal to "
                           "tls_config.min_version if both are specified");
            return -1;
        }
    }
    curl_easy_setopt(c->easy, CURLOPT_SSLVERSION, min | max);
    if (!tls)
        return 0;
    if (tls->ca_file && *tls->ca_file) {
        if (check_readable(tls->ca_file, "unable to load specified CA cert", err) < 0)
            return -1;
        curl_easy_setopt(c->easy, CURLOPT_CAINFO, tls->ca_file);
    }
    bool cert = tls->cert_file && *tls->cert_file, key = tls->key_file && *tls->key_file;
    if (cert != key) {
        *err = xstrdup(cert ? "client cert file specified without client key file"
                            : "client key file specified without client cert file");
        return -1;
    }
    if (cert) {
        if (check_readable(tls->cert_file, "unable to use specified client cert", err) < 0 ||
            check_readable(tls->key_file, "unable to use specified client key", err) < 0)
            return -1;
        curl_easy_setopt(c->easy, CURLOPT_SSLCERT, tls->cert_file);
        curl_easy_setopt(c->easy, CURLOPT_SSLKEY, tls->key_file);
    }
    if (tls->insecure_skip_verify) {
        curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (tls->server_name && *tls->server_name && strcmp(tls->server_name, c->host) != 0)
        return redirect_server_name(c, tls->server_name, err);
    return 0;
}

const char *call_curl_error(const struct outbound_call *c, CURLcode rc)
{
    return c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
}

static char *dial_error(struct outbound_call *c, CURLcode rc)
{
    char hb[300];
    long os_errno = 0;
    char *ip = NULL;
    curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
    curl_easy_getinfo(c->easy, CURLINFO_PRIMARY_IP, &ip);
    const char *addr = bracketed(ip && *ip ? ip : c->host, hb, sizeof hb);
    if (!os_errno)
        return xasprintf("dial tcp %s:%ld: %s", addr, c->port, call_curl_error(c, rc));
    return xasprintf("dial tcp %s:%ld: connect: %s", addr, c->port, strerror_go((int)os_errno));
}

/* The certificate verdicts Go words differently from OpenSSL; a name
 * mismatch keeps curl's text, which names the host it wanted. */
static char *verify_error(struct outbound_call *c)
{
    long verdict = 0;
    curl_easy_getinfo(c->easy, CURLINFO_SSL_VERIFYRESULT, &verdict);
    switch (verdict) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return xstrdup("x509: certificate signed by unknown authority");
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return xstrdup("x509: certificate has expired or is not yet valid");
    default:
        return NULL;
    }
}

char *call_go_error(struct outbound_call *c, CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return xasprintf("dial tcp: lookup %s: no such host", c->host);
    case CURLE_COULDNT_CONNECT:
        return dial_error(c, rc);
    case CURLE_PEER_FAILED_VERIFICATION:
        return verify_error(c);
    default:
        return NULL;
    }
}

int read_secret_file(const char *path, const char *what, char **out, char **err)
{
    char *data;
    size_t len;
    int rc = file_read_all(path, &data, &len);
    if (rc < 0) {
        *err = xasprintf("%s %s: open %s: %s", what, path, path, strerror_go(-rc));
        return -1;
    }
    size_t start = 0;
    while (start < len && isspace((unsigned char)data[start]))
        start++;
    while (len > start && isspace((unsigned char)data[len - 1]))
        len--;
    *out = xstrndup(data + start, len - start);
    free(data);
    return 0;
}
