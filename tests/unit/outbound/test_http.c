/*
 * test_http.c: HTTP calls against loopback servers: what arrives on the
 * wire, statuses, Go-worded errors, timeouts that do not hold up other
 * calls, auth from http_config, redirects, TLS, cancel and close.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"

static uv_loop_t loop;
static struct outbound *ob;
static struct http_server srv;

static void setup(void)
{
    uv_loop_init(&loop);
    ob = outbound_new(&loop);
    cr_assert_not_null(ob);
    http_server_start(&srv, NULL, NULL);
}

static void closed(void *arg)
{
    *(bool *)arg = true;
}

static void close_client(void)
{
    if (!ob)
        return;
    bool done = false;
    outbound_close(ob, closed, &done);
    cr_assert(run_until(&loop, &done, 5000), "outbound_close never finished");
    ob = NULL;
}

static void teardown(void)
{
    close_client();
    http_server_stop(&srv);
    cr_assert_eq(uv_loop_close(&loop), 0, "handles left open");
}

TestSuite(http, .init = setup, .fini = teardown, .timeout = 60);

struct answer {
    bool done, inside_call;
    enum outbound_result result;
    long status;
    char *body, *error;
    size_t body_len;
    int64_t duration, at; /* at: monotonic time of the callback */
};

static bool calling; /* true while inside outbound_http */

static void on_done(void *arg, const struct outbound_http_response *r)
{
    struct answer *a = arg;
    a->done = true;
    a->inside_call = calling;
    a->result = r->result;
    a->status = r->status;
    a->body = xstrndup(r->body, r->body_len);
    a->body_len = r->body_len;
    a->error = r->error ? xstrdup(r->error) : NULL;
    a->duration = r->duration;
    a->at = time_monotonic();
}

static void answer_free(struct answer *a)
{
    free(a->body);
    free(a->error);
}

static struct outbound_call *start(struct outbound_http_request *req, struct answer *a)
{
    memset(a, 0, sizeof *a);
    calling = true;
    struct outbound_call *c = outbound_http(ob, req, on_done, a);
    calling = false;
    return c;
}

static char *url(const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", srv.port, path);
}

/* One call to path, waited for. */
static void call_path(const char *path, const struct config_http *http, struct answer *a)
{
    char *u = url(path);
    struct outbound_http_request req = {.url = u, .http = http, .timeout = 5000000000};
    start(&req, a);
    free(u);
    cr_assert(run_until(&loop, &a->done, 6000), "no answer for %s", path);
    cr_assert_not(a->inside_call, "done ran inside outbound_http");
}

Test(http, post_arrives_byte_exact)
{
    char *u = url("/hook");
    const char body[] = "{\"a\":\"\xc3\xa9\\n\",\"b\":[1,2]}\r\n.\n";
    struct outbound_header headers[] = {
        {"Content-Type", "application/json"},
        {"User-Agent", "Alertmanager/0.25.0"},
        {"X-Custom", "v1"},
    };
    struct outbound_http_request req = {
        .url = u, .headers = headers, .n_headers = 3, .body = body, .body_len = sizeof body - 1,
    };
    struct answer a;
    start(&req, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    cr_assert_eq(a.status, 200);
    cr_assert_str_eq(a.body, "ok");
    char *got = http_server_last_request(&srv);
    char *want = xasprintf("POST /hook HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                           "Content-Type: application/json\r\nUser-Agent: Alertmanager/0.25.0\r\n"
                           "X-Custom: v1\r\nContent-Length: %zu\r\n\r\n%s",
                           srv.port, sizeof body - 1, body);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
    free(u);
    answer_free(&a);
}

Test(http, other_methods_and_no_defaults)
{
    char *u = url("/x");
    struct outbound_http_request req = {.method = "PUT", .url = u};
    struct answer a;
    start(&req, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    char *got = http_server_last_request(&srv);
    char *want = xasprintf("PUT /x HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 0\r\n\r\n",
                           srv.port);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
    free(u);
    answer_free(&a);
}

Test(http, statuses_are_returned)
{
    const int codes[] = {200, 201, 204, 400, 404, 429, 500, 503};
    for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
        char path[32];
        snprintf(path, sizeof path, "/status/%d", codes[i]);
        struct answer a;
        call_path(path, NULL, &a);
        cr_assert_eq(a.result, OUTBOUND_OK);
        cr_assert_eq(a.status, codes[i]);
        cr_assert_null(a.error);
        answer_free(&a);
    }
}

Test(http, body_is_capped)
{
    struct answer a;
    call_path("/big", NULL, &a);
    cr_assert_eq(a.result, OUTBOUND_OK);
    cr_assert_eq(a.body_len, OUTBOUND_MAX_BODY);
    answer_free(&a);
}

Test(http, connection_refused_is_worded_as_go)
{
    struct outbound_http_request req = {.url = "http://127.0.0.1:1/"};
    struct answer a;
    start(&req, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_not(a.inside_call);
    cr_assert_eq(a.result, OUTBOUND_TRANSPORT);
    cr_assert_str_eq(a.error,
                     "Post \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused");
    answer_free(&a);
}

Test(http, setup_errors_are_deferred)
{
    struct config_http http = {.follow_redirects = true};
    struct config_oauth2 oauth = {0};
    http.oauth2 = &oauth;
    char *u = url("/");
    struct outbound_http_request req = {.url = u, .http = &http};
    struct answer a;
    start(&req, &a);
    cr_assert_not(a.done, "done ran inside outbound_http");
    cr_assert_eq(outbound_in_flight(ob), 1);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_eq(a.result, OUTBOUND_CONFIG);
    cr_assert(strstr(a.error, "oauth2"), "%s", a.error);
    cr_assert_eq(outbound_in_flight(ob), 0);
    cr_assert_eq(srv.requests, 0);
    answer_free(&a);

    struct outbound_http_request bad = {.url = "::not a url"};
    start(&bad, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_eq(a.result, OUTBOUND_CONFIG);
    answer_free(&a);
    free(u);
}

Test(http, timeout_does_not_delay_others)
{
    char *slow = url("/hang"), *fast = url("/fast");
    struct outbound_http_request slow_req = {.url = slow, .timeout = 600000000};
    struct outbound_http_request fast_req = {.url = fast, .timeout = 5000000000};
    struct answer s, f;
    int64_t t0 = time_monotonic();
    start(&slow_req, &s);
    start(&fast_req, &f);
    cr_assert(run_until(&loop, &s.done, 5000));
    cr_assert(f.done);
    cr_assert_eq(f.result, OUTBOUND_OK);
    cr_assert_lt(f.at, s.at, "the fast call waited for the slow one");
    cr_assert_lt(f.at - t0, 300000000, "fast call took %lld ns", (long long)(f.at - t0));
    cr_assert_eq(s.result, OUTBOUND_TIMEOUT);
    char *want = xasprintf("Post \"%s\": context deadline exceeded", slow);
    cr_assert_str_eq(s.error, want);
    cr_assert_geq(s.duration, 590000000);
    cr_assert_lt(s.duration, 1200000000, "timeout overshot: %lld ns", (long long)s.duration);
    free(want);
    free(slow);
    free(fast);
    answer_free(&s);
    answer_free(&f);
}

Test(http, basic_auth)
{
    struct config_basic_auth ba = {.username = "user", .password = "pass"};
    struct config_http http = {.basic_auth = &ba, .follow_redirects = true};
    struct answer a;
    call_path("/echo/Authorization", &http, &a);
    cr_assert_str_eq(a.body, "Basic dXNlcjpwYXNz");
    answer_free(&a);

    char *dir = make_cert_dir("DNS:localhost"); /* any temp dir will do */
    ba.password = NULL;
    ba.password_file = write_temp_file(dir, "pw", "  secret\n");
    call_path("/echo/Authorization", &http, &a);
    cr_assert_str_eq(a.body, "Basic dXNlcjpzZWNyZXQ=", "file content is trimmed");
    answer_free(&a);

    free(ba.password_file);
    ba.password_file = xasprintf("%s/missing", dir);
    call_path("/echo/Authorization", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_CONFIG);
    char *u = url("/echo/Authorization");
    char *want = xasprintf("Post \"%s\": unable to read basic auth password file %s: open %s: "
                           "no such file or directory",
                           u, ba.password_file, ba.password_file);
    cr_assert_str_eq(a.error, want);
    answer_free(&a);
    free(want);
    free(u);
    free(ba.password_file);
    remove_dir(dir);
    free(dir);
}

Test(http, authorization_and_credentials_file)
{
    struct config_authorization az = {.type = "Bearer", .credentials = "tok"};
    struct config_http http = {.authorization = &az, .follow_redirects = true};
    struct answer a;
    call_path("/echo/Authorization", &http, &a);
    cr_assert_str_eq(a.body, "Bearer tok");
    answer_free(&a);

    char *dir = make_cert_dir("DNS:localhost");
    az.type = "Token";
    az.credentials = NULL;
    az.credentials_file = write_temp_file(dir, "cred", "from-file\n");
    call_path("/echo/Authorization", &http, &a);
    cr_assert_str_eq(a.body, "Token from-file");
    answer_free(&a);

    /* A caller's own Authorization header wins, as in prometheus/common. */
    char *u = url("/echo/Authorization");
    struct outbound_header h = {"Authorization", "Custom x"};
    struct outbound_http_request req = {.url = u, .http = &http, .headers = &h, .n_headers = 1};
    start(&req, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_str_eq(a.body, "Custom x");
    answer_free(&a);
    free(u);
    free(az.credentials_file);
    remove_dir(dir);
    free(dir);
}

Test(http, redirects)
{
    struct config_http follow = {.follow_redirects = true}, stay = {.follow_redirects = false};
    struct answer a;
    call_path("/redirect/3", &follow, &a);
    cr_assert_eq(a.result, OUTBOUND_OK);
    cr_assert_eq(a.status, 200);
    answer_free(&a);

    call_path("/redirect/3", &stay, &a);
    cr_assert_eq(a.result, OUTBOUND_OK);
    cr_assert_eq(a.status, 302, "with follow_redirects false a 3xx is the answer");
    answer_free(&a);

    call_path("/redirect/10", NULL, &a);
    cr_assert_eq(a.status, 200, "ten redirects are followed");
    answer_free(&a);

    call_path("/redirect/11", NULL, &a);
    cr_assert_eq(a.result, OUTBOUND_TRANSPORT);
    cr_assert(strstr(a.error, ": stopped after 10 redirects"), "%s", a.error);
    answer_free(&a);
}

Test(http, redirects_change_the_method_as_go_does)
{
    const struct {
        int code;
        const char *want;
    } cases[] = {{301, "GET "}, {302, "GET "}, {303, "GET "}, {307, "POST 4"}, {308, "POST 4"}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *u = xasprintf("http://127.0.0.1:%d/redirect-code/%d", srv.port, cases[i].code);
        struct outbound_http_request req = {.url = u, .body = "body", .body_len = 4};
        struct answer a;
        start(&req, &a);
        cr_assert(run_until(&loop, &a.done, 5000));
        cr_assert_eq(a.status, 200, "%d: %s", cases[i].code, a.error);
        cr_assert_str_eq(a.body, cases[i].want, "after a %d", cases[i].code);
        answer_free(&a);
        free(u);
    }
}

static void cancel_now(uv_timer_t *t)
{
    outbound_cancel(t->data);
}

Test(http, cancel)
{
    char *u = url("/hang");
    struct outbound_http_request req = {.url = u};
    struct answer a;
    struct outbound_call *c = start(&req, &a);
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    t.data = c;
    uv_timer_start(&t, cancel_now, 50, 0);
    cr_assert(run_until(&loop, &a.done, 5000));
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&loop, UV_RUN_NOWAIT); /* t lives on this stack */
    cr_assert_eq(a.result, OUTBOUND_CANCELED);
    char *want = xasprintf("Post \"%s\": context canceled", u);
    cr_assert_str_eq(a.error, want);
    cr_assert_lt(a.duration, 1000000000);
    free(want);
    free(u);
    answer_free(&a);
}

static int close_answers, close_canceled;

static void count_done(void *arg, const struct outbound_http_response *r)
{
    (void)arg;
    close_answers++;
    close_canceled += r->result == OUTBOUND_CANCELED;
}

Test(http, close_with_calls_in_flight)
{
    char *u = url("/hang");
    struct outbound_http_request req = {.url = u};
    for (int i = 0; i < 5; i++)
        outbound_http(ob, &req, count_done, NULL);
    /* One that fails at once and one whose answer is queued when close runs. */
    struct outbound_http_request refused = {.url = "http://127.0.0.1:1/"};
    outbound_http(ob, &refused, count_done, NULL);
    cr_assert(run_until_count(&loop, &close_answers, 1, 5000));
    struct outbound_http_request bad = {.url = "::bad"};
    outbound_http(ob, &bad, count_done, NULL);
    cr_assert_eq(outbound_in_flight(ob), 6);
    bool done = false;
    outbound_close(ob, closed, &done);
    ob = NULL;
    cr_assert_eq(close_answers, 1, "close ran done callbacks synchronously");
    cr_assert(run_until(&loop, &done, 5000));
    cr_assert_eq(close_answers, 7);
    cr_assert_eq(close_canceled, 5);
    free(u);
}

static int many_ok, many_answers;

static void many_done(void *arg, const struct outbound_http_response *r)
{
    (void)arg;
    many_answers++;
    many_ok += r->result == OUTBOUND_OK && r->status == 200;
}

Test(http, thousand_concurrent_posts)
{
    enum { N = 1000 };
    char *u = url("/sink");
    const char body[] = "{\"receiver\":\"r\",\"status\":\"firing\"}";
    struct outbound_header h = {"Content-Type", "application/json"};
    struct outbound_http_request req = {.url = u, .headers = &h, .n_headers = 1, .body = body,
                                        .body_len = sizeof body - 1, .timeout = 30000000000};
    int64_t t0 = time_monotonic();
    for (int i = 0; i < N; i++)
        outbound_http(ob, &req, many_done, NULL);
    cr_assert(run_until_count(&loop, &many_answers, N, 60000), "%d of %d answered", many_answers,
              N);
    double secs = (double)(time_monotonic() - t0) / 1e9;
    cr_assert_eq(many_ok, N);
    cr_assert_eq(srv.requests, N);
    printf("outbound: %d concurrent POSTs to a loopback sink in %.3f s (%.0f requests/s)\n", N,
           secs, N / secs);
    fflush(stdout);
    free(u);
}

Test(http, sockets_come_and_go)
{
    /* Every call on a fresh connection that the server then closes: fd
     * numbers are reused while earlier watchers are still closing. */
    enum { WAVES = 10, WIDTH = 30 };
    char *u = url("/close");
    struct outbound_header h = {"Connection", "close"};
    struct outbound_http_request req = {.url = u, .headers = &h, .n_headers = 1,
                                        .timeout = 10000000000};
    many_ok = many_answers = 0;
    for (int w = 1; w <= WAVES; w++) {
        for (int i = 0; i < WIDTH; i++)
            outbound_http(ob, &req, many_done, NULL);
        cr_assert(run_until_count(&loop, &many_answers, w * WIDTH, 10000));
    }
    cr_assert_eq(many_ok, WAVES * WIDTH);
    free(u);
}

Test(http, proxy_url_and_no_environment_proxy)
{
    /* 0.25 ignores http_proxy; a dead one in the environment must not matter. */
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    struct answer a;
    call_path("/direct", NULL, &a);
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    answer_free(&a);

    struct config_http http = {.follow_redirects = true};
    http.proxy_url = xasprintf("http://127.0.0.1:%d", srv.port);
    struct outbound_http_request req = {.url = "http://chorus.invalid/via-proxy", .http = &http};
    start(&req, &a);
    cr_assert(run_until(&loop, &a.done, 5000));
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    char *got = http_server_last_request(&srv);
    const char *want = "POST http://chorus.invalid/via-proxy HTTP/1.1\r\n"
                       "Host: chorus.invalid\r\nContent-Length: 0\r\n\r\n";
    cr_assert_str_eq(got, want);
    free(got);
    free(http.proxy_url);
    answer_free(&a);
    unsetenv("http_proxy");
}

static struct answer chained;

static void close_from_done(void *arg, const struct outbound_http_response *r)
{
    (void)r;
    /* A callback may start another call and close the client. */
    char *u = url("/after");
    struct outbound_http_request req = {.url = u};
    outbound_http(ob, &req, on_done, &chained);
    free(u);
    outbound_close(ob, closed, arg);
    ob = NULL;
}

Test(http, done_may_close_the_client)
{
    char *u = url("/first");
    struct outbound_http_request req = {.url = u};
    bool done = false;
    outbound_http(ob, &req, close_from_done, &done);
    cr_assert(run_until(&loop, &done, 5000));
    cr_assert(chained.done);
    cr_assert_eq(chained.result, OUTBOUND_CANCELED);
    answer_free(&chained);
    free(u);
}

static struct outbound_http_request chain_req;

static void chain_done(void *arg, const struct outbound_http_response *r)
{
    many_done(arg, r);
    if (many_answers < 1000)
        outbound_http(ob, &chain_req, chain_done, NULL);
}

Test(http, thousand_sequential_posts)
{
    /* One at a time, so the rate is that of a reused connection. */
    char *u = url("/sink");
    const char body[] = "{\"receiver\":\"r\",\"status\":\"firing\"}";
    chain_req = (struct outbound_http_request){.url = u, .body = body, .body_len = sizeof body - 1,
                                               .timeout = 5000000000};
    many_ok = many_answers = 0;
    int64_t t0 = time_monotonic();
    outbound_http(ob, &chain_req, chain_done, NULL);
    cr_assert(run_until_count(&loop, &many_answers, 1000, 60000), "%d answered", many_answers);
    double secs = (double)(time_monotonic() - t0) / 1e9;
    cr_assert_eq(many_ok, 1000);
    cr_assert_eq(srv.connections, 1, "keep-alive: %d connections", srv.connections);
    printf("outbound: 1000 sequential POSTs on one connection in %.3f s (%.0f requests/s)\n",
           secs, 1000 / secs);
    fflush(stdout);
    free(u);
}

/* ---- TLS ---- */

static char *cert_dir;
static struct http_server tls_srv;

static void tls_setup(void)
{
    setup();
    cert_dir = make_cert_dir("DNS:chorus.test,IP:127.0.0.1");
    char *cert = xasprintf("%s/cert.pem", cert_dir), *key = xasprintf("%s/key.pem", cert_dir);
    http_server_start(&tls_srv, cert, key);
    free(cert);
    free(key);
}

static void tls_teardown(void)
{
    close_client();
    http_server_stop(&tls_srv);
    remove_dir(cert_dir);
    free(cert_dir);
    teardown();
}

TestSuite(https, .init = tls_setup, .fini = tls_teardown, .timeout = 60);

static void tls_call(const char *host, const struct config_http *http, struct answer *a)
{
    char *u = xasprintf("https://%s:%d/echo/Host", host, tls_srv.port);
    struct outbound_http_request req = {.method = "GET", .url = u, .http = http,
                                        .timeout = 5000000000};
    start(&req, a);
    cr_assert(run_until(&loop, &a->done, 6000));
    free(u);
}

Test(https, ca_file)
{
    struct config_http http = {.follow_redirects = true};
    http.tls_config.ca_file = xasprintf("%s/cert.pem", cert_dir);
    struct answer a;
    tls_call("127.0.0.1", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    cr_assert_eq(a.status, 200);
    answer_free(&a);
    free(http.tls_config.ca_file);
}

Test(https, unknown_authority_fails)
{
    struct answer a;
    tls_call("127.0.0.1", NULL, &a);
    cr_assert_eq(a.result, OUTBOUND_TRANSPORT);
    char *want = xasprintf("Get \"https://127.0.0.1:%d/echo/Host\": x509: certificate signed by "
                           "unknown authority",
                           tls_srv.port);
    cr_assert_str_eq(a.error, want);
    free(want);
    answer_free(&a);
}

Test(https, insecure_skip_verify)
{
    struct config_http http = {.follow_redirects = true};
    http.tls_config.insecure_skip_verify = true;
    struct answer a;
    tls_call("127.0.0.1", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    answer_free(&a);
}

Test(https, server_name)
{
    /* The cert names chorus.test and 127.0.0.1, not localhost: verifying
     * "localhost" fails unless server_name says whom to expect. */
    struct config_http http = {.follow_redirects = true};
    http.tls_config.ca_file = xasprintf("%s/cert.pem", cert_dir);
    struct answer a;
    tls_call("localhost", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_TRANSPORT, "localhost is not in the cert");
    answer_free(&a);

    http.tls_config.server_name = "chorus.test";
    tls_call("localhost", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    char *host = xasprintf("localhost:%d", tls_srv.port);
    cr_assert_str_eq(a.body, host, "the Host header keeps the URL's host");
    free(host);
    answer_free(&a);
    free(http.tls_config.ca_file);
}

Test(https, bad_ca_file_is_a_config_error)
{
    struct config_http http = {.follow_redirects = true};
    http.tls_config.ca_file = "/nonexistent/ca.pem";
    struct answer a;
    tls_call("127.0.0.1", &http, &a);
    cr_assert_eq(a.result, OUTBOUND_CONFIG);
    cr_assert(strstr(a.error, "unable to load specified CA cert /nonexistent/ca.pem: open "
                              "/nonexistent/ca.pem: no such file or directory"),
              "%s", a.error);
    answer_free(&a);
}
