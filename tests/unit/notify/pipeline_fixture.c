/* The pipeline tests' loopback HTTP sink and world (see pipeline_fixture.h). */
#include "pipeline_fixture.h"

#include "config/config.h"
#include "inhibit/inhibit.h"
#include "nflog/nflog.h"
#include "silences/silences.h"
#include "template/template.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the sink: one request per connection, answered and closed ---- */

struct sink_conn {
    uv_tcp_t tcp;
    struct sink *sink;
    struct strbuf in;
    uv_write_t wr;
    char reply[128];
};

static void conn_closed(uv_handle_t *h)
{
    struct sink_conn *c = h->data;
    strbuf_free(&c->in);
    free(c);
}

static void reply_written(uv_write_t *w, int status)
{
    (void)status;
    struct sink_conn *c = w->data;
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    buf->base = xmalloc(hint);
    buf->len = hint;
}

/* The whole request is in: headers and Content-Length bytes of body. */
static bool request_complete(const struct strbuf *in, size_t *body_at, size_t *body_len)
{
    const char *end = in->len ? strstr(in->buf, "\r\n\r\n") : NULL;
    if (!end)
        return false;
    *body_at = (size_t)(end - in->buf) + 4;
    const char *cl = strcasestr(in->buf, "\r\ncontent-length:");
    *body_len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
    return in->len >= *body_at + *body_len;
}

static void record_and_reply(struct sink_conn *c, size_t body_at, size_t body_len)
{
    struct sink *s = c->sink;
    int status = 200;
    if (s->n_statuses)
        status = s->statuses[s->n_requests < s->n_statuses ? s->n_requests : s->n_statuses - 1];
    if (s->n_requests < SINK_MAX_REQUESTS) {
        struct sink_request *r = &s->requests[s->n_requests++];
        sscanf(c->in.buf, "%*s %255s", r->path);
        r->body = xstrndup(c->in.buf + body_at, body_len);
        r->at = time_monotonic();
    }
    snprintf(c->reply, sizeof c->reply,
             "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
    uv_buf_t b = uv_buf_init(c->reply, (unsigned)strlen(c->reply));
    c->wr.data = c;
    uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, reply_written);
}

static void conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct sink_conn *c = st->data;
    if (n > 0)
        strbuf_add(&c->in, buf->base, (size_t)n);
    free(buf->base);
    size_t at, len;
    if (n < 0) {
        uv_close((uv_handle_t *)st, conn_closed);
    } else if (request_complete(&c->in, &at, &len)) {
        uv_read_stop(st);
        record_and_reply(c, at, len);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status != 0)
        return;
    struct sink_conn *c = xcalloc(1, sizeof *c);
    c->sink = server->data;
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) == 0)
        uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read);
    else
        uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void sink_start(struct sink *s, uv_loop_t *loop)
{
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    cr_assert_eq(uv_tcp_init(loop, &s->server), 0);
    s->server.data = s;
    cr_assert_eq(uv_tcp_bind(&s->server, (const struct sockaddr *)&addr, 0), 0);
    cr_assert_eq(uv_listen((uv_stream_t *)&s->server, 64, on_connection), 0);
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&s->server, (struct sockaddr *)&got, &len);
    s->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
}

/* ---- the world ---- */

void pfx_init(struct pipeline_fx *fx, const char *yaml)
{
    memset(fx, 0, sizeof *fx);
    cr_assert_eq(uv_loop_init(&fx->loop), 0);
    sink_start(&fx->sink, &fx->loop);
    char *text = xasprintf(yaml, fx->sink.port);
    char *err = NULL;
    cr_assert_eq(config_load_string(text, strlen(text), "test.yml", &fx->config, &err), 0, "%s",
                 err);
    free(text);
    fx->templates = notify_templates_load(fx->config, &err);
    cr_assert_not_null(fx->templates, "%s", err);
    fx->inhibitor = inhibitor_new(fx->config);
    fx->gen = (struct notify_generation){fx->config, fx->inhibitor, fx->templates};
    fx->nflog = nflog_new(120 * 3600 * NS_PER_SEC);
    fx->silences = silences_new(120 * 3600 * NS_PER_SEC);
    fx->store = alert_store_new();
    fx->env = (struct notify_env){
        .loop = &fx->loop,
        .outbound = outbound_new(&fx->loop),
        .nflog = fx->nflog,
        .silences = fx->silences,
        .alerts = fx->store,
        .external_url = "http://am.test",
        .retention = 120 * 3600 * NS_PER_SEC,
    };
    cr_assert_not_null(fx->env.outbound);
    labelset_set(&fx->group_labels, "alertname", "A");
}

void pfx_alert(struct pipeline_fx *fx, const char *name, bool resolved, bool stored)
{
    cr_assert_lt(fx->n_alerts, ARRAY_SIZE(fx->alerts));
    int64_t now = time_now();
    struct alert *a = &fx->alerts[fx->n_alerts++];
    alert_init(a);
    labelset_set(&a->labels, "alertname", "A");
    labelset_set(&a->labels, "instance", name);
    a->starts_at = now - 120 * NS_PER_SEC;
    a->ends_at = resolved ? now - 60 * NS_PER_SEC : TIME_ZERO;
    a->updated_at = now;
    a->fingerprint = labelset_fingerprint(&a->labels);
    if (stored) {
        struct alert copy;
        alert_copy(&copy, a);
        if (!resolved)
            copy.ends_at = now + 300 * NS_PER_SEC;
        alert_store_put(fx->store, &copy);
        alert_free(&copy);
        inhibitor_observe_store(fx->inhibitor, fx->store);
    }
}

static void flush_done(void *arg, bool ok)
{
    struct pipeline_fx *fx = arg;
    fx->done_calls++;
    fx->ok = ok;
    fx->finished = time_monotonic();
}

static void on_guard(uv_timer_t *t)
{
    (void)t;
}

/* The guard timer wakes the loop so the time bound is checked. */
static void run_until(struct pipeline_fx *fx, int ms, bool stop_when_done)
{
    uv_timer_t guard;
    uv_timer_init(&fx->loop, &guard);
    uv_timer_start(&guard, on_guard, 10, 10);
    int64_t until = time_monotonic() + ms * NS_PER_MS;
    while (!(stop_when_done && fx->done_calls > 0) && time_monotonic() < until)
        uv_run(&fx->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&guard, NULL);
    uv_run(&fx->loop, UV_RUN_NOWAIT);
}

void pfx_wait(struct pipeline_fx *fx, int timeout_ms)
{
    run_until(fx, timeout_ms, true);
}

void pfx_run_for(struct pipeline_fx *fx, int ms)
{
    run_until(fx, ms, false);
}

void pfx_flush_start(struct pipeline_fx *fx, int64_t deadline_ms)
{
    int64_t now = time_now();
    struct strbuf key = STRBUF_INIT;
    /* The first child route when there is one (only those may carry time
     * intervals), else the root. */
    const struct config_route *route = config_route_root(fx->config);
    if (route->n_routes)
        route = &route->routes[0];
    dispatch_group_key(route, &fx->group_labels, &key);
    fx->flush = (struct dispatch_flush){
        .route = route,
        .group_key = strbuf_detach(&key),
        .group_labels = &fx->group_labels,
        .alerts = fx->alerts,
        .n_alerts = fx->n_alerts,
        .now = now,
        .deadline = now + deadline_ms * NS_PER_MS,
    };
    fx->done_calls = 0;
    fx->started = time_monotonic();
    notify_flush(&fx->env, &fx->gen, &fx->flush, flush_done, fx);
    cr_assert_eq(fx->done_calls, 0, "done ran inside notify_flush");
}

void pfx_flush(struct pipeline_fx *fx, int64_t deadline_ms, int timeout_ms)
{
    pfx_flush_start(fx, deadline_ms);
    pfx_wait(fx, timeout_ms);
    cr_assert_eq(fx->done_calls, 1, "the flush did not end in %d ms", timeout_ms);
    free((char *)fx->flush.group_key);
    fx->flush.group_key = NULL;
}

static void walk_close(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void pfx_free(struct pipeline_fx *fx)
{
    outbound_close(fx->env.outbound, NULL, NULL);
    uv_close((uv_handle_t *)&fx->sink.server, NULL);
    for (int i = 0; i < 100 && uv_run(&fx->loop, UV_RUN_NOWAIT); i++)
        uv_sleep(1);
    uv_walk(&fx->loop, walk_close, NULL);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    cr_assert_eq(uv_loop_close(&fx->loop), 0);
    for (size_t i = 0; i < fx->sink.n_requests; i++)
        free(fx->sink.requests[i].body);
    for (size_t i = 0; i < fx->n_alerts; i++)
        alert_free(&fx->alerts[i]);
    free((char *)fx->flush.group_key);
    labelset_free(&fx->group_labels);
    alert_store_free(fx->store);
    silences_free(fx->silences);
    nflog_free(fx->nflog);
    inhibitor_free(fx->inhibitor);
    template_set_free(fx->templates);
    config_free(fx->config);
}
