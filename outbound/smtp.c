/*
 * SMTP calls through libcurl's smtp(s) protocol, set up as 0.25's email
 * notifier talks to its smarthost: implicit TLS on port 465, STARTTLS only
 * (and then mandatorily) when require_tls, AUTH only with auth_username.
 */
#include <stdlib.h>

#include "config/config.h"
#include "outbound/outbound_internal.h"

/* Prefixed with the step that failed, as 0.25's email notifier does. */
static char *smtp_error(struct outbound_call *c, CURLcode rc)
{
    char *go = call_go_error(c, rc), *e;
    const char *cause = go ? go : call_curl_error(c, rc);
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
        e = xasprintf("establish connection to server: %s", cause);
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR)
        e = xasprintf("%s: %s",
                      strncmp(c->url, "smtps:", 6) == 0 ? "establish TLS connection to server"
                                                        : "starttls failed",
                      cause);
    else
        e = xasprintf("send message to %s: %s", c->smarthost, cause);
    free(go);
    return e;
}

static void smtp_complete(struct outbound_call *c, CURLcode rc)
{
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->code);
    switch (rc) {
    case CURLE_OK:
        c->result = OUTBOUND_OK;
        return;
    case CURLE_OPERATION_TIMEDOUT:
        c->result = OUTBOUND_TIMEOUT;
        c->error = xstrdup("context deadline exceeded");
        return;
    case CURLE_USE_SSL_FAILED: {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "'require_tls' is true (default) but ");
        strbuf_go_quote(&sb, c->smarthost);
        strbuf_puts(&sb, " does not advertise the STARTTLS extension");
        c->result = OUTBOUND_TRANSPORT;
        c->error = strbuf_detach(&sb);
        return;
    }
    case CURLE_LOGIN_DENIED:
        c->result = OUTBOUND_TRANSPORT;
        c->error = xasprintf("authentication failed: %s", call_curl_error(c, rc));
        return;
    default:
        c->result = OUTBOUND_TRANSPORT;
        c->error = smtp_error(c, rc);
    }
}

static char *smtp_canceled(struct outbound_call *c)
{
    (void)c;
    return xstrdup("context canceled");
}

static void smtp_deliver(struct outbound_call *c)
{
    struct outbound_smtp_response r = {
        .result = c->result,
        .code = c->code,
        .error = c->result == OUTBOUND_OK ? NULL : c->error,
        .duration = c->duration,
    };
    c->smtp_done(c->arg, &r);
}

static const struct call_ops smtp_ops = {smtp_complete, smtp_canceled, smtp_deliver};

static size_t on_read_message(char *buf, size_t size, size_t n, void *userp)
{
    struct outbound_call *c = userp;
    size_t left = c->message_len - c->message_sent, room = size * n;
    size_t take = left < room ? left : room;
    memcpy(buf, c->message + c->message_sent, take);
    c->message_sent += take;
    return take;
}

/* smtp://host:port/<hello>: curl says EHLO with the URL's path. */
static char *smtp_url(CURL *e, const struct outbound_smtp_request *req, char **err)
{
    const char *hp = req->smarthost ? req->smarthost : "";
    const char *colon = strrchr(hp, ':');
    if (!colon || colon == hp || !colon[1] || (strchr(hp, ':') != colon && hp[0] != '[')) {
        *err = xasprintf("address %s: missing port in address", hp);
        return NULL;
    }
    const char *scheme = strcmp(colon + 1, "465") == 0 ? "smtps" : "smtp";
    const char *hello = req->hello && *req->hello ? req->hello : "localhost";
    char *escaped = curl_easy_escape(e, hello, 0);
    char *url = xasprintf("%s://%s/%s", scheme, hp, escaped ? escaped : "");
    curl_free(escaped);
    return url;
}

static int apply_auth(struct outbound_call *c, const struct outbound_smtp_request *req,
                      char **err)
{
    CURL *e = c->easy;
    if (!req->auth_username || !*req->auth_username)
        return 0;
    char *password = NULL;
    const char *options;
    if (req->auth_secret && *req->auth_secret) {
        password = xstrdup(req->auth_secret);
        options = "AUTH=CRAM-MD5";
    } else {
        if (req->auth_password_file && *req->auth_password_file) {
            if (read_secret_file(req->auth_password_file, "could not read", &password, err) < 0)
                return -1;
        } else {
            password = xstrdup(req->auth_password ? req->auth_password : "");
        }
        options = "AUTH=PLAIN;AUTH=LOGIN";
        if (req->auth_identity && *req->auth_identity)
            curl_easy_setopt(e, CURLOPT_SASL_AUTHZID, req->auth_identity);
    }
    curl_easy_setopt(e, CURLOPT_USERNAME, req->auth_username);
    curl_easy_setopt(e, CURLOPT_PASSWORD, password);
    curl_easy_setopt(e, CURLOPT_LOGIN_OPTIONS, options);
    /* Go's net/smtp sends the first response with the AUTH command. */
    curl_easy_setopt(e, CURLOPT_SASL_IR, 1L);
    free(password);
    return 0;
}

static int smtp_setup(struct outbound_call *c, const struct outbound_smtp_request *req,
                      char **err)
{
    CURL *e = c->easy;
    if (!e)
        return 0; /* call_start reports it */
    if (!req->n_to) {
        *err = xstrdup("no recipient address");
        return -1;
    }
    free(c->url);
    if (!(c->url = smtp_url(e, req, err)) || call_parse_url(c, err) < 0)
        return -1;
    curl_easy_setopt(e, CURLOPT_URL, c->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    bool implicit_tls = strncmp(c->url, "smtps:", 6) == 0;
    curl_easy_setopt(e, CURLOPT_USE_SSL,
                     req->require_tls && !implicit_tls ? (long)CURLUSESSL_ALL
                                                       : (long)CURLUSESSL_NONE);
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, req->from ? req->from : "");
    for (size_t i = 0; i < req->n_to; i++)
        c->rcpts = curl_slist_append(c->rcpts, req->to[i]);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->rcpts);
    c->message = xmalloc(req->message_len + 1);
    if (req->message_len)
        memcpy(c->message, req->message, req->message_len);
    c->message_len = req->message_len;
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read_message);
    curl_easy_setopt(e, CURLOPT_READDATA, c);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)c->message_len);
    if (apply_auth(c, req, err) < 0)
        return -1;
    return call_apply_tls(c, req->tls, err);
}

struct outbound_call *outbound_smtp(struct outbound *o, const struct outbound_smtp_request *req,
                                    outbound_smtp_done *done, void *arg)
{
    struct outbound_call *c = call_new(o, &smtp_ops, NULL, req->timeout);
    c->smarthost = xstrdup(req->smarthost ? req->smarthost : "");
    c->smtp_done = done;
    c->arg = arg;
    if (outbound_closing(o)) {
        call_fail(c, OUTBOUND_CANCELED, xstrdup("context canceled"));
        return c;
    }
    char *err = NULL;
    if (smtp_setup(c, req, &err) < 0)
        call_fail(c, OUTBOUND_CONFIG, err);
    else
        call_start(c);
    return c;
}
