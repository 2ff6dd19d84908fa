/*
 * test_smtp.c: SMTP calls against aiosmtpd (tests/fixtures/outbound/
 * smtp_server.py, run by Debian's /usr/bin/python3): the message and the
 * envelope as delivered, AUTH PLAIN and LOGIN, STARTTLS demanded or
 * missing, refusals and the reply codes reported.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"

static uv_loop_t loop;
static struct outbound *ob;
static pid_t server_pid;
static int server_port;
static char *dir, *out_path, *smarthost;

/* tls_flag: NULL, "--starttls" or "--implicit-tls". */
static void smtp_server_start_on(int port, const char *auth, const char *tls_flag)
{
    server_port = port;
    char port_arg[16];
    snprintf(port_arg, sizeof port_arg, "%d", server_port);
    char *script = xasprintf("%s/outbound/smtp_server.py", CHORUS_TEST_FIXTURES);
    char *cert = xasprintf("%s/cert.pem", dir), *key = xasprintf("%s/key.pem", dir);
    const char *argv[12] = {"/usr/bin/python3", script, "--port", port_arg, "--out", out_path};
    size_t n = 6;
    if (auth) {
        argv[n++] = "--auth";
        argv[n++] = auth;
    }
    if (tls_flag) {
        argv[n++] = tls_flag;
        argv[n++] = cert;
        argv[n++] = key;
    }
    server_pid = fork();
    cr_assert_geq(server_pid, 0);
    if (server_pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    cr_assert(wait_listening(server_port, 15000), "aiosmtpd did not start");
    smarthost = xasprintf("127.0.0.1:%d", server_port);
    free(script);
    free(cert);
    free(key);
}

static void smtp_server_start(const char *auth, bool starttls)
{
    smtp_server_start_on(free_port(), auth, starttls ? "--starttls" : NULL);
}

static void setup(void)
{
    uv_loop_init(&loop);
    ob = outbound_new(&loop);
    cr_assert_not_null(ob);
    dir = make_cert_dir("IP:127.0.0.1");
    out_path = xasprintf("%s/messages.jsonl", dir);
}

static void closed(void *arg)
{
    *(bool *)arg = true;
}

static void teardown(void)
{
    bool done = false;
    outbound_close(ob, closed, &done);
    cr_assert(run_until(&loop, &done, 5000));
    cr_assert_eq(uv_loop_close(&loop), 0);
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = 0;
    }
    remove_dir(dir);
    free(dir);
    free(out_path);
    free(smarthost);
    smarthost = NULL;
}

TestSuite(smtp, .init = setup, .fini = teardown, .timeout = 60);

struct answer {
    bool done, inside_call;
    enum outbound_result result;
    long code;
    char *error;
};

static bool calling;

static void on_done(void *arg, const struct outbound_smtp_response *r)
{
    struct answer *a = arg;
    a->done = true;
    a->inside_call = calling;
    a->result = r->result;
    a->code = r->code;
    a->error = r->error ? xstrdup(r->error) : NULL;
}

static const char MESSAGE[] = "From: alertmanager@example.org\r\n"
                              "To: team@example.org\r\n"
                              "Subject: [FIRING:1] \xc3\xa9t\xc3\xa9\r\n"
                              "\r\n"
                              ".leading dot\r\n"
                              "..two dots\r\n"
                              ".\r\n"
                              "last line\r\n";

static const char *const TO[] = {"team@example.org", "oncall@example.org"};

static struct outbound_smtp_request request(void)
{
    return (struct outbound_smtp_request){
        .smarthost = smarthost, .hello = "chorus.test", .from = "alertmanager@example.org",
        .to = TO, .n_to = 2, .message = MESSAGE, .message_len = sizeof MESSAGE - 1,
        .timeout = 10000000000,
    };
}

static void send_mail(const struct outbound_smtp_request *req, struct answer *a)
{
    memset(a, 0, sizeof *a);
    calling = true;
    outbound_smtp(ob, req, on_done, a);
    calling = false;
    cr_assert(run_until(&loop, &a->done, 15000), "no answer");
    cr_assert_not(a->inside_call);
}

static char *recorded(void)
{
    char *data = NULL;
    size_t len;
    /* the server writes after it answered; give it a moment */
    for (int i = 0; i < 100 && file_read_all(out_path, &data, &len) < 0; i++)
        usleep(20000);
    cr_assert_not_null(data, "nothing delivered");
    return data;
}

static void send_ok(const struct outbound_smtp_request *req)
{
    struct answer a;
    send_mail(req, &a);
    cr_assert_eq(a.result, OUTBOUND_OK, "%s", a.error);
    cr_assert_eq(a.code, 250);
}

/* want_code < 0: any; want_error: a substring of the error. */
static void send_failing(const struct outbound_smtp_request *req, enum outbound_result want,
                         long want_code, const char *want_error)
{
    struct answer a;
    send_mail(req, &a);
    cr_assert_eq(a.result, want, "result %d: %s", a.result, a.error);
    if (want_code >= 0)
        cr_assert_eq(a.code, want_code);
    cr_assert(a.error && strstr(a.error, want_error), "error %s, want %s", a.error, want_error);
    free(a.error);
}

static void assert_recorded(const char *needle)
{
    char *rec = recorded();
    cr_assert(strstr(rec, needle), "%s not in %s", needle, rec);
    free(rec);
}

static char *base64(const char *s, size_t n)
{
    char *b = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b, (const unsigned char *)s, (int)n);
    return b;
}

Test(smtp, delivered_byte_exact)
{
    smtp_server_start(NULL, false);
    struct outbound_smtp_request req = request();
    send_ok(&req);
    char *b64 = base64(MESSAGE, sizeof MESSAGE - 1);
    char *field = xasprintf("\"data_b64\": \"%s\"", b64);
    assert_recorded(field);
    assert_recorded("\"mail_from\": \"alertmanager@example.org\"");
    assert_recorded("\"rcpt_tos\": [\"team@example.org\", \"oncall@example.org\"]");
    assert_recorded("\"auth\": null");
    free(field);
    free(b64);
}

/* Sends req (its smarthost filled in here) to a server offering offered;
 * want: the recorded auth, as JSON. */
static void expect_auth(const char *offered, struct outbound_smtp_request *req, const char *want)
{
    smtp_server_start(offered, false);
    req->smarthost = smarthost;
    send_ok(req);
    char *field = xasprintf("\"auth\": %s", want);
    assert_recorded(field);
    free(field);
}

Test(smtp, auth_plain)
{
    struct outbound_smtp_request req = request();
    req.auth_username = req.auth_identity = "user";
    req.auth_password = "pass";
    expect_auth("PLAIN,LOGIN", &req, "[\"PLAIN\", \"user\", \"pass\"]");
}

Test(smtp, auth_login_with_password_file)
{
    struct outbound_smtp_request req = request();
    req.auth_username = "user";
    char *pw = write_temp_file(dir, "pw", "from-file\n");
    req.auth_password_file = pw;
    expect_auth("LOGIN", &req, "[\"LOGIN\", \"user\", \"from-file\"]");
    free(pw);
}

Test(smtp, auth_cram_md5_uses_the_secret)
{
    struct outbound_smtp_request req = request();
    req.auth_username = "user";
    req.auth_password = "not-this";
    req.auth_secret = "secret";
    expect_auth("CRAM-MD5,PLAIN", &req, "[\"CRAM-MD5\", \"user\", \"digest ok\"]");
}

Test(smtp, no_auth_without_username)
{
    struct outbound_smtp_request req = request();
    req.auth_password = "unused";
    expect_auth("PLAIN", &req, "null");
}

Test(smtp, implicit_tls_on_port_465)
{
    /* Port 465 is what selects implicit TLS, and binding it needs root. */
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(465)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int bound = bind(fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    if (bound != 0)
        cr_skip_test("cannot bind 127.0.0.1:465 here");
    smtp_server_start_on(465, NULL, "--implicit-tls");
    struct outbound_smtp_request req = request();
    struct config_tls tls = {.ca_file = xasprintf("%s/cert.pem", dir)};
    req.tls = &tls;
    req.require_tls = true; /* no STARTTLS on an implicit TLS connection */
    send_ok(&req);
    assert_recorded("\"tls\": true");
    free(tls.ca_file);
}

Test(smtp, auth_refused)
{
    smtp_server_start("PLAIN", false);
    struct outbound_smtp_request req = request();
    req.auth_username = "user";
    req.auth_password = "wrong";
    send_failing(&req, OUTBOUND_TRANSPORT, 535, "authentication failed");
}

Test(smtp, require_tls_without_starttls)
{
    smtp_server_start(NULL, false);
    struct outbound_smtp_request req = request();
    req.require_tls = true;
    char *want = xasprintf("'require_tls' is true (default) but \"%s\" does not advertise the "
                           "STARTTLS extension",
                           smarthost);
    send_failing(&req, OUTBOUND_TRANSPORT, -1, want);
    free(want);
}

Test(smtp, starttls)
{
    smtp_server_start("PLAIN", true);
    struct outbound_smtp_request req = request();
    struct config_tls tls = {.ca_file = xasprintf("%s/cert.pem", dir)};
    req.require_tls = true;
    req.tls = &tls;
    req.auth_username = "user";
    req.auth_password = "pass";
    send_ok(&req);
    assert_recorded("\"tls\": true");
    assert_recorded("\"auth\": [\"PLAIN\", \"user\", \"pass\"]");
    free(tls.ca_file);
}

Test(smtp, starttls_unverified_certificate)
{
    smtp_server_start(NULL, true);
    struct outbound_smtp_request req = request();
    req.require_tls = true;
    send_failing(&req, OUTBOUND_TRANSPORT, -1,
                 "starttls failed: x509: certificate signed by unknown authority");
}

/* An HTTP server says nothing until it hears a request: a mute smarthost. */
static void mute_smarthost_start(struct http_server *mute)
{
    http_server_start(mute, NULL, NULL);
    smarthost = xasprintf("127.0.0.1:%d", mute->port);
}

Test(smtp, timeout)
{
    struct http_server mute;
    mute_smarthost_start(&mute);
    struct outbound_smtp_request req = request();
    req.timeout = 300000000;
    int64_t t0 = time_monotonic();
    send_failing(&req, OUTBOUND_TIMEOUT, 0, "context deadline exceeded");
    cr_assert_lt(time_monotonic() - t0, 1000000000);
    http_server_stop(&mute);
}

/* libcurl 7.88 answers the removal of an SMTP transfer waiting for the
 * greeting by sending the end of the message and waiting for a reply, for
 * up to the transfer's timeout, inside curl_multi_remove_handle: the loop
 * stood still for as long at shutdown.  Cancelling must not wait. */
Test(smtp, cancel_while_waiting_for_the_greeting_does_not_block)
{
    struct http_server mute;
    mute_smarthost_start(&mute);
    struct outbound_smtp_request req = request();
    req.timeout = 20000000000;
    struct answer a;
    memset(&a, 0, sizeof a);
    struct outbound_call *call = outbound_smtp(ob, &req, on_done, &a);
    bool never = false;
    run_until(&loop, &never, 300); /* connected, waiting for "220" */
    cr_assert_not(a.done);
    int64_t t0 = time_monotonic();
    outbound_cancel(call);
    cr_assert_lt(time_monotonic() - t0, 1000000000, "outbound_cancel blocked");
    cr_assert(run_until(&loop, &a.done, 5000), "no answer");
    cr_assert_eq(a.result, OUTBOUND_CANCELED);
    free(a.error);
    http_server_stop(&mute);
}

Test(smtp, no_starttls_unless_required)
{
    smtp_server_start(NULL, true);
    struct outbound_smtp_request req = request();
    send_ok(&req);
    assert_recorded("\"tls\": false");
}

Test(smtp, refused_recipient)
{
    smtp_server_start(NULL, false);
    struct outbound_smtp_request req = request();
    const char *to[] = {"reject@example.org"};
    req.to = to;
    req.n_to = 1;
    send_failing(&req, OUTBOUND_TRANSPORT, 550, "");
}

Test(smtp, connection_refused)
{
    smarthost = xstrdup("127.0.0.1:1");
    struct outbound_smtp_request req = request();
    send_failing(&req, OUTBOUND_TRANSPORT, 0,
                 "establish connection to server: dial tcp 127.0.0.1:1: connect: "
                 "connection refused");
}

Test(smtp, bad_requests_are_config_errors)
{
    smarthost = xstrdup("127.0.0.1");
    struct outbound_smtp_request req = request();
    send_failing(&req, OUTBOUND_CONFIG, 0, "address 127.0.0.1: missing port in address");
    req.smarthost = "127.0.0.1:25";
    req.n_to = 0;
    send_failing(&req, OUTBOUND_CONFIG, 0, "no recipient address");
}
