/* Judging a response as 0.25's notifiers do: each notifier's notify.Retrier
 * (2xx succeeds, 5xx and its own extra codes retry) and its error texts. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>

/* What the error text gets after "unexpected status code N". */
enum judge_details {
    DETAILS_BODY,      /* notify.Retrier's default: the body */
    DETAILS_URL,       /* webhook: "<url>: <body>" */
    DETAILS_PAGERDUTY, /* 400 only: "<message>: <errors joined by ,>" */
    DETAILS_SNS,       /* the <Message> of AWS's XML error */
};

struct judge_rules {
    long extra_retry; /* one extra retryable status, 0 for none */
    enum judge_details details;
};

static struct judge_rules rules_for(const struct notify_integration *in)
{
    switch (in->kind) {
    case NOTIFY_WEBHOOK:
        return (struct judge_rules){0, DETAILS_URL};
    case NOTIFY_PAGERDUTY: {
        const struct config_pagerduty *c = in->conf;
        /* v1 retries 403 (its rate limit), v2 429. */
        bool v1 = c->service_key || c->service_key_file;
        return (struct judge_rules){v1 ? 403 : 429, DETAILS_PAGERDUTY};
    }
    case NOTIFY_OPSGENIE:
        return (struct judge_rules){429, DETAILS_BODY};
    case NOTIFY_SNS:
        return (struct judge_rules){0, DETAILS_SNS};
    default:
        return (struct judge_rules){0, DETAILS_BODY};
    }
}

static int judge_status(const struct notify_integration *in, long status, const char *body,
                        size_t body_len, bool *retry, char **err)
{
    if (status / 100 == 2) {
        *retry = false;
        return 0;
    }
    struct judge_rules rules = rules_for(in);
    *retry = status / 100 == 5 || (rules.extra_retry && status == rules.extra_retry);
    struct strbuf details = STRBUF_INIT;
    switch (rules.details) {
    case DETAILS_BODY:
        if (body)
            strbuf_add(&details, body, body_len);
        break;
    case DETAILS_URL:
        strbuf_printf(&details, "%s: ", ((const struct config_webhook *)in->conf)->url);
        if (body)
            strbuf_add(&details, body, body_len);
        break;
    case DETAILS_PAGERDUTY:
        if (status == 400 && body)
            notify_pagerduty_error_details(body, body_len, &details);
        break;
    case DETAILS_SNS:
        notify_sns_error_message(body, body_len, &details);
        break;
    }
    struct strbuf msg = STRBUF_INIT;
    strbuf_printf(&msg, "unexpected status code %ld", status);
    if (details.len)
        strbuf_printf(&msg, ": %s", details.buf);
    strbuf_free(&details);
    *err = strbuf_detach(&msg);
    return -1;
}

/* Go's url.Error names the URL; 0.25 hides it where it holds a secret. */
static char *transport_error(const struct notify_message *m, const char *error)
{
    const struct notify_owned *o = m->owned;
    const char *url = m->http.url;
    const char *hit = o && o->redact_url && url && *url ? strstr(error, url) : NULL;
    struct strbuf sb = STRBUF_INIT;
    if (o && o->transport_prefix)
        strbuf_puts(&sb, o->transport_prefix);
    if (!hit) {
        strbuf_puts(&sb, error);
        return strbuf_detach(&sb);
    }
    strbuf_add(&sb, error, (size_t)(hit - error));
    strbuf_puts(&sb, "<redacted>");
    strbuf_puts(&sb, hit + strlen(url));
    return strbuf_detach(&sb);
}

int notify_judge_http(const struct notify_integration *in, const struct notify_message *m,
                      const struct outbound_http_response *r, bool *retry, char **err)
{
    if (r->result != OUTBOUND_OK) {
        /* 0.25 retries every transport failure. */
        *retry = r->result != OUTBOUND_CONFIG && r->result != OUTBOUND_CANCELED;
        *err = transport_error(m, r->error ? r->error : "request failed");
        return -1;
    }
    int rc = in->kind == NOTIFY_TELEGRAM ? notify_telegram_judge(r, retry, err)
                                         : judge_status(in, r->status, r->body, r->body_len,
                                                        retry, err);
    const struct notify_owned *o = m->owned;
    if (rc != 0 && o && o->error_prefix) {
        char *wrapped = xasprintf("%s: %s", o->error_prefix, *err);
        free(*err);
        *err = wrapped;
    }
    return rc;
}

int notify_judge_smtp(const struct notify_integration *in, const struct notify_message *m,
                      const struct outbound_smtp_response *r, bool *retry, char **err)
{
    (void)in;
    (void)m;
    if (r->result == OUTBOUND_OK) {
        *retry = false;
        return 0;
    }
    /* Every SMTP-stage failure retries in 0.25's email notifier. */
    *retry = r->result != OUTBOUND_CONFIG && r->result != OUTBOUND_CANCELED;
    *err = xstrdup(r->error ? r->error : "sending e-mail failed");
    return -1;
}
