/*
 * helpers.c: the loopback servers and loop runners declared in helpers.h.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 1500

/* Length of the first complete request in buf, 0 if it is not all there. */
static size_t request_length(const char *buf, size_t len)
{
    const char *end = buf ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
    if (!end)
        return 0;
    size_t head = (size_t)(end - buf) + 4, body = 0;
    for (const char *p = buf; p < end; p++) {
        if (*p == '\n' && strncasecmp(p + 1, "Content-Length:", 15) == 0)
            body = strtoul(p + 16, NULL, 10);
    }
    return len >= head + body ? head + body : 0;
}

static char *header_value(const char *req, size_t len, const char *name)
{
    size_t n = strlen(name);
    const char *end = memmem(req, len, "\r\n\r\n", 4);
    for (const char *p = req; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
        if (*p == '\n')
            p++;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *eol = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            return xstrndup(v, (size_t)(eol - v));
        }
    }
    return xstrdup("");
}

/* The response to one request; false when the path asks for none. */
static bool respond(struct http_server *s, const char *req, size_t len, struct strbuf *out)
{
    pthread_mutex_lock(&s->mu);
    strbuf_reset(&s->last_request);
    strbuf_add(&s->last_request, req, len);
    pthread_mutex_unlock(&s->mu);
    s->requests++;
    char path[256] = "";
    sscanf(req, "%*s %255s", path);
    int status = 200;
    char *body = NULL, *extra = xstrdup("");
    if (strcmp(path, "/hang") == 0) {
        free(extra);
        return false;
    } else if (strncmp(path, "/status/", 8) == 0) {
        status = atoi(path + 8);
    } else if (strncmp(path, "/redirect/", 10) == 0) {
        int n = atoi(path + 10);
        if (n > 0) {
            status = 302;
            free(extra);
            extra = xasprintf("Location: /redirect/%d\r\n", n - 1);
        }
    } else if (strncmp(path, "/redirect-code/", 15) == 0) {
        status = atoi(path + 15);
        free(extra);
        extra = xstrdup("Location: /method\r\n");
    } else if (strcmp(path, "/method") == 0) {
        char method[16] = "";
        sscanf(req, "%15s", method);
        char *length = header_value(req, len, "Content-Length");
        body = xasprintf("%s %s", method, length);
        free(length);
    } else if (strncmp(path, "/echo/", 6) == 0) {
        body = header_value(req, len, path + 6);
    } else if (strcmp(path, "/big") == 0) {
        body = xmalloc(100001);
        memset(body, 'x', 100000);
        body[100000] = '\0';
    }
    if (!body)
        body = xstrdup(status == 200 ? "ok" : "status");
    strbuf_printf(out, "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\n\r\n%s", status, extra,
                  strlen(body), body);
    free(body);
    free(extra);
    return true;
}

struct conn {
    int fd;
    struct strbuf in;
};

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Reads what is there; false when the peer is gone. */
static bool serve_readable(struct http_server *s, struct conn *c)
{
    char buf[16384];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n <= 0)
        return false;
    strbuf_add(&c->in, buf, (size_t)n);
    size_t len;
    while ((len = request_length(c->in.buf, c->in.len))) {
        struct strbuf out = STRBUF_INIT;
        char *connection = header_value(c->in.buf, len, "Connection");
        bool last = strcasecmp(connection, "close") == 0;
        if (respond(s, c->in.buf, len, &out))
            write_all(c->fd, out.buf, out.len);
        strbuf_free(&out);
        free(connection);
        if (last)
            return false;
        memmove(c->in.buf, c->in.buf + len, c->in.len - len);
        c->in.len -= len;
    }
    return true;
}

static void *serve_plain(void *arg)
{
    struct http_server *s = arg;
    static __thread struct pollfd pfd[MAX_CONNS + 1];
    struct conn *conns = xcalloc(MAX_CONNS + 1, sizeof *conns);
    size_t n = 1;
    pfd[0] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    while (!s->stop) {
        if (poll(pfd, n, 20) <= 0)
            continue;
        for (size_t i = n; i-- > 1;) {
            if (!pfd[i].revents)
                continue;
            if (serve_readable(s, &conns[i]))
                continue;
            close(pfd[i].fd);
            strbuf_free(&conns[i].in);
            pfd[i] = pfd[n - 1];
            conns[i] = conns[n - 1];
            n--;
        }
        if (pfd[0].revents & POLLIN) {
            int fd = accept(s->listen_fd, NULL, NULL);
            s->connections += fd >= 0;
            if (fd >= 0 && n <= MAX_CONNS) {
                pfd[n] = (struct pollfd){.fd = fd, .events = POLLIN};
                conns[n] = (struct conn){.fd = fd};
                n++;
            } else if (fd >= 0) {
                close(fd);
            }
        }
    }
    for (size_t i = 1; i < n; i++) {
        close(pfd[i].fd);
        strbuf_free(&conns[i].in);
    }
    free(conns);
    return NULL;
}

static void serve_tls_conn(struct http_server *s, int fd)
{
    SSL *ssl = SSL_new(s->tls);
    SSL_set_fd(ssl, fd);
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_accept(ssl) == 1) {
        struct strbuf in = STRBUF_INIT;
        char buf[4096];
        size_t len = 0;
        int r;
        while (!(len = request_length(in.buf, in.len)) && (r = SSL_read(ssl, buf, sizeof buf)) > 0)
            strbuf_add(&in, buf, (size_t)r);
        struct strbuf out = STRBUF_INIT;
        if (len && respond(s, in.buf, len, &out))
            SSL_write(ssl, out.buf, (int)out.len);
        strbuf_free(&out);
        strbuf_free(&in);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    close(fd);
}

static void *serve_tls(void *arg)
{
    struct http_server *s = arg;
    struct pollfd pfd = {.fd = s->listen_fd, .events = POLLIN};
    while (!s->stop) {
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd >= 0)
            serve_tls_conn(s, fd);
    }
    return NULL;
}

static int listen_loopback(int port, int *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0, "bind: %s", strerror(errno));
    cr_assert_eq(listen(fd, 4096), 0);
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    *bound = ntohs(a.sin_port);
    return fd;
}

void http_server_start(struct http_server *s, const char *cert, const char *key)
{
    /* A client that hangs up mid-handshake must not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->listen_fd = listen_loopback(0, &s->port);
    if (cert) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
        cr_assert_eq(SSL_CTX_use_certificate_chain_file(ctx, cert), 1);
        cr_assert_eq(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), 1);
        s->tls = ctx;
    }
    pthread_create(&s->thread, NULL, cert ? serve_tls : serve_plain, s);
}

void http_server_stop(struct http_server *s)
{
    s->stop = true;
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    if (s->tls)
        SSL_CTX_free(s->tls);
    strbuf_free(&s->last_request);
    pthread_mutex_destroy(&s->mu);
}

char *http_server_last_request(struct http_server *s)
{
    pthread_mutex_lock(&s->mu);
    char *copy = xstrndup(strbuf_cstr(&s->last_request), s->last_request.len);
    pthread_mutex_unlock(&s->mu);
    return copy;
}

static void on_guard(uv_timer_t *t)
{
    (void)t;
}

static bool run_while(uv_loop_t *loop, bool (*pending)(const void *), const void *arg,
                      int timeout_ms)
{
    /* A ticking timer keeps uv_run(ONCE) from returning at once when
     * nothing else is active. */
    uv_timer_t guard;
    uv_timer_init(loop, &guard);
    uv_timer_start(&guard, on_guard, 5, 5);
    int64_t deadline = time_monotonic() + (int64_t)timeout_ms * 1000000;
    while (pending(arg) && time_monotonic() < deadline)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return !pending(arg);
}

static bool not_done(const void *arg)
{
    return !*(const bool *)arg;
}

bool run_until(uv_loop_t *loop, const bool *done, int timeout_ms)
{
    return run_while(loop, not_done, done, timeout_ms);
}

struct count_goal {
    const int *count;
    int want;
};

static bool below(const void *arg)
{
    const struct count_goal *g = arg;
    return *g->count < g->want;
}

bool run_until_count(uv_loop_t *loop, const int *count, int want, int timeout_ms)
{
    struct count_goal g = {count, want};
    return run_while(loop, below, &g, timeout_ms);
}

char *make_cert_dir(const char *san)
{
    char tmpl[] = "/tmp/chorus-outbound-XXXXXX";
    char *dir = xstrdup(mkdtemp(tmpl));
    char *cmd = xasprintf("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                          "-nodes -days 1 -subj /CN=chorus-test -addext subjectAltName=%s "
                          "-keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1",
                          san, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
    return dir;
}

void remove_dir(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
}

char *write_temp_file(const char *dir, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

int free_port(void)
{
    int port;
    int fd = listen_loopback(0, &port);
    close(fd);
    return port;
}

bool wait_listening(int port, int timeout_ms)
{
    for (int i = 0; i < timeout_ms / 20; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (rc == 0)
            return true;
        usleep(20000);
    }
    return false;
}
