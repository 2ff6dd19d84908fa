/*
 * outbound: every request chorus sends to a receiver, HTTP(S) and SMTP,
 * through libcurl's multi interface driven by the libuv loop
 * (curl_multi_socket_action, a uv_poll per socket curl asks to watch, one
 * uv_timer from CURLMOPT_TIMERFUNCTION).  No thread per request and no
 * blocking call on the loop: a slow or dead receiver only delays its own
 * request.  Reading password/credential files happens when a request starts
 * (files are small; 0.25 reads them per request too).
 *
 * The HTTP client applies prometheus/common's HTTPClientConfig as
 * Alertmanager 0.25 does: basic_auth (password or password_file),
 * authorization (type + credentials or credentials_file; bearer_token(_file)
 * already folded in by config/), proxy_url, tls_config (ca_file, cert_file,
 * key_file, insecure_skip_verify, min/max version, server_name),
 * follow_redirects (at most 10, as Go's client) and enable_http2.  What it
 * cannot honour (oauth2, proxy_connect_header) fails the request with a
 * clear error instead of sending without it.
 *
 * SMTP follows 0.25's email notifier: port 465 means implicit TLS; otherwise
 * plain, then STARTTLS when require_tls (an error if the server does not
 * offer it) and no TLS otherwise; AUTH only when auth_username is set, with
 * CRAM-MD5 when auth_secret is set, else PLAIN (auth_identity as authzid) or
 * LOGIN, whichever the server offers; EHLO with `hello`.
 *
 * All callbacks run on the loop, never from inside the call that started
 * the request.
 */
#ifndef CHORUS_OUTBOUND_H
#define CHORUS_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct config_http;
struct config_tls;

struct outbound;
struct outbound_call;

/* One per loop.  Returns NULL (logged) if libcurl cannot start. */
struct outbound *outbound_new(uv_loop_t *loop);
/* Cancels every call in flight (their done callbacks run with
 * OUTBOUND_CANCELED), closes the loop handles, and frees the client once
 * they are closed; closed(arg) then runs if not NULL. */
void outbound_close(struct outbound *o, void (*closed)(void *arg), void *arg);
/* Calls in flight, for tests and shutdown. */
size_t outbound_in_flight(const struct outbound *o);

struct outbound_header {
    const char *name, *value;
};

struct outbound_http_request {
    const char *method; /* "POST" unless set */
    const char *url;
    const struct config_http *http; /* NULL: no auth, default TLS, follow redirects */
    const struct outbound_header *headers; /* sent as given, in order */
    size_t n_headers;
    const char *body;
    size_t body_len;
    int64_t timeout; /* ns for the whole call; 0: none */
};

enum outbound_result {
    OUTBOUND_OK = 0,       /* a response arrived (any status) */
    OUTBOUND_TRANSPORT,    /* DNS, connect, TLS, reset, protocol error */
    OUTBOUND_TIMEOUT,      /* the call's timeout ran out */
    OUTBOUND_CANCELED,     /* outbound_cancel or outbound_close */
    OUTBOUND_CONFIG,       /* the request could not be set up (bad file, unsupported option) */
};

struct outbound_http_response {
    enum outbound_result result;
    long status;      /* HTTP status when result is OUTBOUND_OK */
    const char *body; /* at most OUTBOUND_MAX_BODY bytes kept; NUL-terminated */
    size_t body_len;
    /* Set when result != OUTBOUND_OK, worded like Go's net/http errors where
     * it can be, e.g. `Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1:
     * connect: connection refused`. */
    const char *error;
    int64_t duration; /* ns from start to completion */
};
#define OUTBOUND_MAX_BODY (64u << 10)

/* The response is valid only during the callback. */
typedef void outbound_http_done(void *arg, const struct outbound_http_response *r);

/* Starts a request; the strings and body are copied, so the caller may free
 * them on return.  The returned handle is valid until done runs. */
struct outbound_call *outbound_http(struct outbound *o, const struct outbound_http_request *req,
                                    outbound_http_done *done, void *arg);

struct outbound_smtp_request {
    const char *smarthost; /* host:port */
    const char *hello;     /* EHLO name */
    const char *from;      /* envelope sender, bare address */
    const char *const *to; /* envelope recipients, bare addresses */
    size_t n_to;
    const char *auth_username, *auth_password, *auth_password_file;
    const char *auth_secret, *auth_identity;
    bool require_tls;
    const struct config_tls *tls; /* NULL: defaults (verify, SNI = host) */
    const char *message; /* the whole RFC 5322 message, CRLF line ends */
    size_t message_len;
    int64_t timeout; /* ns; 0: none */
};

struct outbound_smtp_response {
    enum outbound_result result; /* OUTBOUND_OK: the server accepted the message */
    long code;                   /* last SMTP reply code seen, 0 if none */
    const char *error;           /* set unless OUTBOUND_OK */
    int64_t duration;
};
typedef void outbound_smtp_done(void *arg, const struct outbound_smtp_response *r);

struct outbound_call *outbound_smtp(struct outbound *o, const struct outbound_smtp_request *req,
                                    outbound_smtp_done *done, void *arg);

/* Cancels a call in flight: its done runs (later, from the loop) with
 * OUTBOUND_CANCELED. */
void outbound_cancel(struct outbound_call *c);

#endif
