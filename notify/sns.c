/* The SNS notifier: a Publish call as 0.25's aws-sdk-go (v1) makes it, a
 * form body in the query protocol signed with AWS Signature Version 4. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <time.h>

#define SNS_USER_AGENT "aws-sdk-go/1.44.133 (go1.19.8; linux; amd64)"
#define SNS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define SNS_MAX_MESSAGE_BYTES (256 * 1024)
#define SNS_MAX_SMS_BYTES 1600

/* ---- Signature Version 4 ---- */

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    notify_hex(md, sizeof md, out);
}

static void hmac(const unsigned char *key, size_t key_len, const char *data,
                 unsigned char out[SHA256_DIGEST_LENGTH])
{
    unsigned int len = SHA256_DIGEST_LENGTH;
    HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, strlen(data), out, &len);
}

void notify_sigv4_signing_key(const char *secret_key, const char *date, const char *region,
                              const char *service, unsigned char out[32])
{
    char *first = xasprintf("AWS4%s", secret_key);
    unsigned char k[SHA256_DIGEST_LENGTH];
    hmac((const unsigned char *)first, strlen(first), date, k);
    hmac(k, sizeof k, region, k);
    hmac(k, sizeof k, service, k);
    hmac(k, sizeof k, "aws4_request", out);
    free(first);
}

char *notify_sigv4_authorization(const struct notify_sigv4 *s)
{
    struct strbuf canonical = STRBUF_INIT, signed_headers = STRBUF_INIT;
    strbuf_printf(&canonical, "%s\n%s\n%s\n", s->method, s->canonical_uri,
                  s->canonical_query ? s->canonical_query : "");
    for (size_t i = 0; i < s->headers->len; i++) {
        strbuf_printf(&canonical, "%s:%s\n", s->headers->items[i].name,
                      s->headers->items[i].value);
        strbuf_printf(&signed_headers, "%s%s", i ? ";" : "", s->headers->items[i].name);
    }
    char payload_hash[65], request_hash[65];
    sha256_hex(s->payload, s->payload_len, payload_hash);
    strbuf_printf(&canonical, "\n%s\n%s", signed_headers.buf, payload_hash);
    sha256_hex(canonical.buf, canonical.len, request_hash);

    char date[9];
    snprintf(date, sizeof date, "%.8s", s->amz_date);
    char *scope = xasprintf("%s/%s/%s/aws4_request", date, s->region, s->service);
    char *to_sign = xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", s->amz_date, scope, request_hash);
    unsigned char key[SHA256_DIGEST_LENGTH], sig[SHA256_DIGEST_LENGTH];
    notify_sigv4_signing_key(s->secret_key, date, s->region, s->service, key);
    hmac(key, sizeof key, to_sign, sig);
    char sig_hex[65];
    notify_hex(sig, sizeof sig, sig_hex);
    char *auth = xasprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                           s->access_key, scope, signed_headers.buf, sig_hex);
    free(scope);
    free(to_sign);
    strbuf_free(&canonical);
    strbuf_free(&signed_headers);
    return auth;
}

/* ---- replies ---- */

void notify_sns_error_message(const char *body, size_t len, struct strbuf *out)
{
    char *text = xstrndup(body ? body : "", body ? len : 0);
    const char *start = strstr(text, "<Message>");
    const char *end = start ? strstr(start, "</Message>") : NULL;
    if (!end) {
        /* Not an AWS error document: the SDK's message is empty (checked
         * against 0.25 with a 503 "oops"). */
        free(text);
        return;
    }
    static const char *const entities[][2] = {
        {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}, {"&apos;", "'"}};
    for (const char *p = start + strlen("<Message>"); p < end;) {
        size_t i = 0;
        while (i < ARRAY_SIZE(entities) && strncmp(p, entities[i][0], strlen(entities[i][0])))
            i++;
        if (i < ARRAY_SIZE(entities)) {
            strbuf_puts(out, entities[i][1]);
            p += strlen(entities[i][0]);
        } else {
            strbuf_putc(out, *p++);
        }
    }
    free(text);
}

/* ---- the Publish request ---- */

/* The SDK's message check: valid UTF-8, then cut at a byte count (which
 * may split a rune: 0.25 sends that). */
static int sns_message(char *rendered, size_t limit, bool *truncated, char **err)
{
    size_t len = strlen(rendered);
    if (!utf8_valid(rendered, len)) {
        *err = xstrdup("non utf8 encoded message string");
        return -1;
    }
    *truncated = len > limit;
    if (*truncated)
        rendered[limit] = '\0';
    return 0;
}

/* A map of MessageAttributeValue in the query protocol: entries numbered
 * from 1 in key order; an empty map still sends its name. */
static void add_attributes(struct labelset *params, const struct labelset *attrs)
{
    if (!attrs->len) {
        labelset_set(params, "MessageAttributes", "");
        return;
    }
    for (size_t i = 0; i < attrs->len; i++) {
        char key[96];
        snprintf(key, sizeof key, "MessageAttributes.entry.%zu.Name", i + 1);
        labelset_set(params, key, attrs->items[i].name);
        snprintf(key, sizeof key, "MessageAttributes.entry.%zu.Value.DataType", i + 1);
        labelset_set(params, key, "String");
        snprintf(key, sizeof key, "MessageAttributes.entry.%zu.Value.StringValue", i + 1);
        labelset_set(params, key, attrs->items[i].value);
    }
}

static void set_rendered(struct labelset *params, const char *name, struct notify_render *r,
                         const char *text)
{
    char *v = notify_render(r, text);
    labelset_set(params, name, v);
    free(v);
}

/* The PublishInput as url.Values; 0 or -1 with *err. */
static int publish_params(const struct config_sns *c, struct notify_render *r,
                          const struct notify_group *g, struct labelset *params, char **err)
{
    struct labelset attrs = LABELSET_INIT;
    for (size_t i = 0; i < c->attributes.len; i++) {
        char *k = notify_render(r, c->attributes.items[i].key);
        char *v = notify_render(r, c->attributes.items[i].value);
        labelset_set(&attrs, k, v);
        free(k);
        free(v);
    }
    size_t limit = SNS_MAX_MESSAGE_BYTES;
    labelset_set(params, "Action", "Publish");
    labelset_set(params, "Version", "2010-03-31");
    if (c->topic_arn && *c->topic_arn) {
        char *topic = notify_render(r, c->topic_arn);
        labelset_set(params, "TopicArn", topic);
        size_t n = strlen(topic);
        if (n >= 5 && strcmp(topic + n - 5, ".fifo") == 0) {
            /* A FIFO topic deduplicates and orders by the group. */
            char key_hash[65];
            notify_key_hash(g->group_key, key_hash);
            labelset_set(params, "MessageDeduplicationId", key_hash);
            labelset_set(params, "MessageGroupId", key_hash);
        }
        free(topic);
    }
    if (c->phone_number && *c->phone_number) {
        set_rendered(params, "PhoneNumber", r, c->phone_number);
        limit = SNS_MAX_SMS_BYTES;
    }
    if (c->target_arn && *c->target_arn)
        set_rendered(params, "TargetArn", r, c->target_arn);
    char *message = notify_render(r, c->message);
    bool truncated = false;
    int rc = sns_message(message, limit, &truncated, err);
    if (rc == 0) {
        if (truncated)
            labelset_set(&attrs, "truncated", "true");
        labelset_set(params, "Message", message);
        add_attributes(params, &attrs);
        if (c->subject && *c->subject)
            set_rendered(params, "Subject", r, c->subject);
    }
    free(message);
    labelset_free(&attrs);
    return rc;
}

/* What the request is signed with; only static keys are supported. */
static int check_credentials(const struct config_sigv4 *s, bool *retry, char **err)
{
    if (s->role_arn && *s->role_arn) {
        *err = xstrdup("sns: sigv4.role_arn (STS AssumeRole) is not supported by chorus");
        return -1;
    }
    if (!s->access_key || !*s->access_key || !s->secret_key || !*s->secret_key) {
        *err = xstrdup("sns: credentials from the environment or a profile are not supported by "
                       "chorus; set sigv4.access_key and sigv4.secret_key");
        return -1;
    }
    if (!s->region || !*s->region) {
        *err = xstrdup("region not configured in sns.sigv4.region or in default credentials "
                       "chain");
        *retry = true; /* as 0.25 */
        return -1;
    }
    return 0;
}

/* scheme://host[:port]/path: the Host the SDK signs (without a default
 * port) and the path. */
static void split_url(const char *url, char **host, const char **path)
{
    const char *start = strstr(url, "://");
    bool https = strncmp(url, "https:", 6) == 0;
    start = start ? start + 3 : url;
    size_t n = strcspn(start, "/?#");
    *path = start + n;
    *host = xstrndup(start, n);
    const char *default_port = https ? ":443" : ":80";
    size_t hl = strlen(*host), pl = strlen(default_port);
    if (hl > pl && strcmp(*host + hl - pl, default_port) == 0)
        (*host)[hl - pl] = '\0';
}

static void sign(struct notify_message *m, const struct config_sigv4 *s, int64_t now)
{
    time_t secs = (time_t)(now / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char amz_date[17];
    strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
    char *host;
    const char *path;
    split_url(m->http.url, &host, &path);
    struct strbuf uri = STRBUF_INIT;
    size_t path_len = strcspn(path, "?#");
    char *raw_path = xstrndup(*path ? path : "/", *path ? path_len : 1);
    notify_url_escape(&uri, raw_path, NOTIFY_ESCAPE_RFC3986_PATH);
    char length[24];
    snprintf(length, sizeof length, "%zu", m->http.body_len);
    struct labelset headers = LABELSET_INIT;
    labelset_set(&headers, "content-length", length);
    labelset_set(&headers, "content-type", SNS_CONTENT_TYPE);
    labelset_set(&headers, "host", host);
    labelset_set(&headers, "x-amz-date", amz_date);
    struct notify_sigv4 sv = {
        .method = "POST",
        .canonical_uri = uri.buf,
        .headers = &headers,
        .payload = m->http.body,
        .payload_len = m->http.body_len,
        .amz_date = amz_date,
        .region = s->region,
        .service = "sns",
        .access_key = s->access_key,
        .secret_key = s->secret_key,
    };
    notify_add_header(m, &m->http, "X-Amz-Date", notify_keep(m, xstrdup(amz_date)));
    notify_add_header(m, &m->http, "Authorization", notify_keep(m, notify_sigv4_authorization(&sv)));
    labelset_free(&headers);
    strbuf_free(&uri);
    free(raw_path);
    free(host);
}

int notify_build_sns(const struct notify_integration *in, const struct template_set *tmpl,
                     const struct notify_group *g, struct notify_message *out, bool *retry,
                     char **err)
{
    const struct config_sns *c = in->conf;
    *retry = false;
    if (check_credentials(&c->sigv4, retry, err) != 0)
        return -1;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data, .keep_partial = true};
    char *endpoint = notify_render(&r, c->api_url);
    struct labelset params = LABELSET_INIT;
    int rc = publish_params(c, &r, g, &params, err);
    notify_template_data_free(&data);
    /* 0.25 loses its template error (the variable is reused before it is
     * read): the failed field goes out with what rendered before the error,
     * the ones after it empty (checked against 0.25). */
    free(r.err);
    if (rc != 0) {
        *retry = true;
        labelset_free(&params);
        free(endpoint);
        return -1;
    }
    struct strbuf body = STRBUF_INIT;
    notify_form_encode(&params, &body);
    labelset_free(&params);
    char *url = *endpoint ? xasprintf("%s/", endpoint)
                          : xasprintf("https://sns.%s.amazonaws.com/", c->sigv4.region);
    free(endpoint);
    out->http.method = "POST";
    out->http.url = notify_keep(out, url);
    out->http.body_len = body.len;
    out->http.body = notify_keep(out, strbuf_detach(&body));
    notify_add_header(out, &out->http, "Content-Type", SNS_CONTENT_TYPE);
    notify_add_header(out, &out->http, "User-Agent", SNS_USER_AGENT);
    /* Signed at the flush's tick: the message is built once and retried
     * as is (AWS accepts a signature for 15 minutes). */
    sign(out, &c->sigv4, g->now);
    out->http.http = c->http_config;
    /* aws-sdk-go's wording around a failed send. */
    ((struct notify_owned *)out->owned)->transport_prefix =
        "RequestError: send request failed\ncaused by: ";
    return 0;
}
