/*
 * Shared between the loop glue (outbound.c) and the two protocols (http.c,
 * smtp.c): a call is one curl easy handle plus what its protocol needs to
 * answer the caller.
 */
#ifndef CHORUS_OUTBOUND_INTERNAL_H
#define CHORUS_OUTBOUND_INTERNAL_H

#include <curl/curl.h>

#include "outbound/outbound.h"
#include "util/util.h"

struct outbound_call;

struct call_ops {
    /* Sets result/error from curl's verdict; runs once, on the loop. */
    void (*complete)(struct outbound_call *c, CURLcode rc);
    /* Error text for a cancel, worded as the protocol's errors are. */
    char *(*canceled)(struct outbound_call *c);
    /* Builds the response and calls the caller's done. */
    void (*deliver)(struct outbound_call *c);
};

enum call_state { CALL_NEW, CALL_ACTIVE, CALL_READY };

struct outbound_call {
    struct outbound *o;
    const struct call_ops *ops;
    CURL *easy;
    enum call_state state;
    struct outbound_call *prev, *next; /* in o->active, or o->ready (next only) */

    enum outbound_result result;
    char *error;
    int64_t started, duration;
    char errbuf[CURL_ERROR_SIZE];

    char *url;                       /* as the caller gave it, for error texts */
    char *host;                      /* of url, without brackets */
    long port;
    struct curl_slist *headers;      /* HTTP request headers */
    struct curl_slist *connect_to;   /* tls server_name redirection */
    struct curl_slist *rcpts;        /* SMTP envelope recipients */

    /* HTTP */
    char *method, *request_body;
    long status;
    struct strbuf response;
    outbound_http_done *http_done;

    /* SMTP */
    char *smarthost, *message;
    size_t message_len, message_sent;
    long code;
    outbound_smtp_done *smtp_done;

    void *arg;
};

/* A call with the options every protocol shares set on its easy handle. */
struct outbound_call *call_new(struct outbound *o, const struct call_ops *ops, const char *url,
                               int64_t timeout);
/* Hands a set-up call to curl. */
void call_start(struct outbound_call *c);
/* Ends a call that never reached curl; done still runs from the loop. */
void call_fail(struct outbound_call *c, enum outbound_result r, char *error);
bool outbound_closing(const struct outbound *o);

/* Splits url into c->host/c->port; 0 or -1 with *err set. */
int call_parse_url(struct outbound_call *c, char **err);
/* tls_config as prometheus/common's NewTLSConfig; NULL means the defaults. */
int call_apply_tls(struct outbound_call *c, const struct config_tls *tls, char **err);
/* Go's wording of a lookup, connect or certificate failure; NULL when
 * curl's own text is the best there is. */
char *call_go_error(struct outbound_call *c, CURLcode rc);
/* curl's own explanation of a failure. */
const char *call_curl_error(const struct outbound_call *c, CURLcode rc);
/* A password or credentials file, read per request and trimmed of
 * surrounding white space as prometheus/common and the email notifier do;
 * *err is worded `what <path>: open <path>: <reason>`. */
int read_secret_file(const char *path, const char *what, char **out, char **err);

#endif
