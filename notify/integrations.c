/* The integrations layer's shared parts: kinds, the receiver's integration
 * list, the message's storage, and dispatch to the per-kind builders. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <openssl/sha.h>
#include <stddef.h>
#include <stdlib.h>

static const char *const kind_names[NOTIFY_KIND_COUNT] = {
    [NOTIFY_EMAIL] = "email",         [NOTIFY_OPSGENIE] = "opsgenie",
    [NOTIFY_PAGERDUTY] = "pagerduty", [NOTIFY_PUSHOVER] = "pushover",
    [NOTIFY_SLACK] = "slack",         [NOTIFY_SNS] = "sns",
    [NOTIFY_TELEGRAM] = "telegram",   [NOTIFY_VICTOROPS] = "victorops",
    [NOTIFY_WEBHOOK] = "webhook",     [NOTIFY_WECHAT] = "wechat",
    [NOTIFY_DISCORD] = "discord",     [NOTIFY_WEBEX] = "webex",
    [NOTIFY_MSTEAMS] = "msteams",
};

const char *notify_kind_name(enum notify_kind k)
{
    return (unsigned)k < NOTIFY_KIND_COUNT ? kind_names[k] : "unknown";
}

static notify_builder *const builders[NOTIFY_KIND_COUNT] = {
    [NOTIFY_WEBHOOK] = notify_build_webhook,
    [NOTIFY_EMAIL] = notify_build_email,
    [NOTIFY_SLACK] = notify_build_slack,
    [NOTIFY_TELEGRAM] = notify_build_telegram,
    [NOTIFY_DISCORD] = notify_build_discord,
    [NOTIFY_PAGERDUTY] = notify_build_pagerduty,
    [NOTIFY_OPSGENIE] = notify_build_opsgenie,
    [NOTIFY_VICTOROPS] = notify_build_victorops,
    [NOTIFY_PUSHOVER] = notify_build_pushover,
    [NOTIFY_WEBEX] = notify_build_webex,
    [NOTIFY_SNS] = notify_build_sns,
    [NOTIFY_MSTEAMS] = notify_build_msteams,
};

/* Every config struct starts with `bool send_resolved`, so one walk serves
 * all kinds. */
static void add_kind(struct notify_integration *list, size_t *n, enum notify_kind kind,
                     const void *confs, size_t stride, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const void *conf = (const char *)confs + i * stride;
        list[(*n)++] = (struct notify_integration){
            .kind = kind,
            .idx = (uint32_t)i,
            .send_resolved = *(const bool *)conf,
            .conf = conf,
            .supported = builders[kind] != NULL,
        };
    }
}
#define ADD_KIND(list, n, k, arr, count)                                              \
    do {                                                                                \
        _Static_assert(offsetof(__typeof__(*(arr)), send_resolved) == 0,                \
                       "send_resolved leads every integration config");                 \
        add_kind(list, n, k, arr, sizeof *(arr), count);                                \
    } while (0)

struct notify_integration *notify_integrations(const struct config_receiver *r, size_t *n)
{
    size_t total = r->n_webhook + r->n_email + r->n_pagerduty + r->n_opsgenie + r->n_wechat +
                   r->n_slack + r->n_victorops + r->n_pushover + r->n_sns + r->n_telegram +
                   r->n_discord + r->n_webex + r->n_msteams;
    struct notify_integration *list = xcalloc(total ? total : 1, sizeof *list);
    *n = 0;
    /* 0.25's buildReceiverIntegrations order, which is also the order of
     * integration indexes in the nflog; 0.26 appends msteams. */
    ADD_KIND(list, n, NOTIFY_WEBHOOK, r->webhook, r->n_webhook);
    ADD_KIND(list, n, NOTIFY_EMAIL, r->email, r->n_email);
    ADD_KIND(list, n, NOTIFY_PAGERDUTY, r->pagerduty, r->n_pagerduty);
    ADD_KIND(list, n, NOTIFY_OPSGENIE, r->opsgenie, r->n_opsgenie);
    ADD_KIND(list, n, NOTIFY_WECHAT, r->wechat, r->n_wechat);
    ADD_KIND(list, n, NOTIFY_SLACK, r->slack, r->n_slack);
    ADD_KIND(list, n, NOTIFY_VICTOROPS, r->victorops, r->n_victorops);
    ADD_KIND(list, n, NOTIFY_PUSHOVER, r->pushover, r->n_pushover);
    ADD_KIND(list, n, NOTIFY_SNS, r->sns, r->n_sns);
    ADD_KIND(list, n, NOTIFY_TELEGRAM, r->telegram, r->n_telegram);
    ADD_KIND(list, n, NOTIFY_DISCORD, r->discord, r->n_discord);
    ADD_KIND(list, n, NOTIFY_WEBEX, r->webex, r->n_webex);
    ADD_KIND(list, n, NOTIFY_MSTEAMS, r->msteams, r->n_msteams);
    return list;
}

void notify_integration_label(const struct notify_integration *in, struct strbuf *out)
{
    strbuf_printf(out, "%s[%u]", notify_kind_name(in->kind), in->idx);
}

bool notify_group_firing(const struct notify_group *g)
{
    for (size_t i = 0; i < g->n_alerts; i++)
        if (!alert_resolved(&g->alerts[i], g->now))
            return true;
    return false;
}

/* ---- the message's storage ---- */

static struct notify_owned *owned_of(struct notify_message *m)
{
    if (!m->owned)
        m->owned = xcalloc(1, sizeof(struct notify_owned));
    return m->owned;
}

void *notify_keep(struct notify_message *m, void *p)
{
    struct notify_owned *o = owned_of(m);
    o->ptrs = xrealloc(o->ptrs, (o->n_ptrs + 1) * sizeof *o->ptrs);
    o->ptrs[o->n_ptrs++] = p;
    return p;
}

void notify_add_header(struct notify_message *m, struct outbound_http_request *req,
                       const char *name, const char *value)
{
    struct outbound_header *h = xmalloc((req->n_headers + 1) * sizeof *h);
    if (req->n_headers)
        memcpy(h, req->headers, req->n_headers * sizeof *h);
    h[req->n_headers++] = (struct outbound_header){name, value};
    /* The older array stays kept until the message goes: headers are few. */
    req->headers = notify_keep(m, h);
}

void notify_json_post(struct notify_message *m, struct outbound_http_request *req,
                      const char *url, struct strbuf *body)
{
    req->method = "POST";
    req->url = url;
    req->body_len = body->len;
    req->body = notify_keep(m, strbuf_detach(body));
    notify_add_header(m, req, "Content-Type", "application/json");
    notify_add_header(m, req, "User-Agent", NOTIFY_USER_AGENT);
}

struct outbound_http_request *notify_add_followup(struct notify_message *m)
{
    struct outbound_http_request *reqs = xcalloc(m->n_then + 1, sizeof *reqs);
    if (m->n_then)
        memcpy(reqs, m->then, m->n_then * sizeof *reqs);
    m->then = notify_keep(m, reqs);
    return &m->then[m->n_then++];
}

void notify_message_free(struct notify_message *m)
{
    struct notify_owned *o = m->owned;
    if (o) {
        for (size_t i = 0; i < o->n_ptrs; i++)
            free(o->ptrs[i]);
        free(o->ptrs);
        free(o);
    }
    memset(m, 0, sizeof *m);
}

/* ---- rendering helpers ---- */

char *notify_render(struct notify_render *r, const char *text)
{
    if (r->err || !text || !*text)
        return xstrdup("");
    struct strbuf sb = STRBUF_INIT;
    char *err = NULL;
    int rc = r->html ? template_execute_html_text(r->tmpl, text, r->data, &sb, &err)
                     : template_execute_text(r->tmpl, text, r->data, &sb, &err);
    if (rc != 0) {
        r->err = err;
        if (!r->keep_partial) {
            strbuf_free(&sb);
            return xstrdup("");
        }
    }
    return strbuf_detach(&sb);
}

const char *notify_render_kept(struct notify_render *r, struct notify_message *m,
                               const char *text)
{
    return notify_keep(m, notify_render(r, text));
}

size_t notify_rune_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (n > avail || !utf8_valid(s, n))
        return 1;
    return n;
}

char *notify_trim_space(char *s)
{
    size_t start = 0, len = strlen(s);
    while (start < len && strchr(" \t\n\v\f\r", s[start]))
        start++;
    while (len > start && strchr(" \t\n\v\f\r", s[len - 1]))
        len--;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
    return s;
}

char *notify_read_secret(const char *path, bool trim, char **err)
{
    char *content = NULL;
    size_t len = 0;
    int rc = file_read_all(path ? path : "", &content, &len);
    if (rc < 0) {
        *err = xasprintf("open %s: %s", path ? path : "", strerror_go(-rc));
        return NULL;
    }
    return trim ? notify_trim_space(content) : content;
}

#define TRUNCATION_MARKER "\xe2\x80\xa6" /* "…" */

char *notify_truncate_runes(const char *s, size_t n, bool *truncated)
{
    size_t len = strlen(s), runes = 0;
    for (size_t i = 0; i < len; runes++)
        i += notify_rune_len(s + i, len - i);
    if (truncated)
        *truncated = runes > n;
    if (runes <= n)
        return xstrdup(s);
    /* The kept runes go through Go's []rune conversion, which turns each
     * invalid byte into U+FFFD. */
    size_t keep = n > 3 ? n - 1 : n;
    struct strbuf out = STRBUF_INIT;
    strbuf_grow(&out, 1);
    for (size_t i = 0, r = 0; r < keep; r++) {
        size_t k = notify_rune_len(s + i, len - i);
        if (k == 1 && (unsigned char)s[i] >= 0x80)
            strbuf_puts(&out, "\xef\xbf\xbd");
        else
            strbuf_add(&out, s + i, k);
        i += k;
    }
    if (n > 3)
        strbuf_puts(&out, TRUNCATION_MARKER);
    return strbuf_detach(&out);
}

/* Cuts bytes, so a rune may be split, as Go's s[:n] does. */
char *notify_truncate_bytes(const char *s, size_t n, bool *truncated)
{
    size_t len = strlen(s);
    if (truncated)
        *truncated = len > n;
    if (len <= n)
        return xstrdup(s);
    if (n <= 3)
        return xstrndup(s, n);
    struct strbuf out = STRBUF_INIT;
    strbuf_add(&out, s, n - 3);
    strbuf_puts(&out, TRUNCATION_MARKER);
    return strbuf_detach(&out);
}

void notify_hex(const void *data, size_t n, char *out)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = "0123456789abcdef"[b[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void notify_key_hash(const char *group_key, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)group_key, strlen(group_key), md);
    notify_hex(md, sizeof md, out);
}

void jobj_begin(struct json_obj *o, struct strbuf *sb)
{
    o->sb = sb;
    o->any = false;
    strbuf_putc(sb, '{');
}

void jobj_key(struct json_obj *o, const char *key)
{
    if (o->any)
        strbuf_putc(o->sb, ',');
    o->any = true;
    strbuf_json_cstr(o->sb, key, JSON_ESCAPE_HTML);
    strbuf_putc(o->sb, ':');
}

void jobj_str(struct json_obj *o, const char *key, const char *value, bool omitempty)
{
    if (omitempty && (!value || !*value))
        return;
    jobj_key(o, key);
    strbuf_json_cstr(o->sb, value ? value : "", JSON_ESCAPE_HTML);
}

void jobj_end(struct json_obj *o)
{
    strbuf_putc(o->sb, '}');
}

void notify_json_kv(struct strbuf *sb, const struct labelset *ls)
{
    strbuf_putc(sb, '{');
    for (size_t i = 0; i < ls->len; i++) {
        if (i)
            strbuf_putc(sb, ',');
        strbuf_json_cstr(sb, ls->items[i].name, JSON_ESCAPE_HTML);
        strbuf_putc(sb, ':');
        strbuf_json_cstr(sb, ls->items[i].value, JSON_ESCAPE_HTML);
    }
    strbuf_putc(sb, '}');
}

/* ---- building ---- */

int notify_build(const struct notify_integration *in, const struct template_set *tmpl,
                 const struct notify_group *g, struct notify_message *out, bool *retry,
                 char **err)
{
    memset(out, 0, sizeof *out);
    *retry = false;
    notify_builder *build = (unsigned)in->kind < NOTIFY_KIND_COUNT ? builders[in->kind] : NULL;
    if (!build) {
        *err = xasprintf("%s: integration not supported yet by chorus",
                         notify_kind_name(in->kind));
        return -1;
    }
    int rc = build(in, tmpl, g, out, retry, err);
    if (rc != 0)
        notify_message_free(out);
    return rc;
}
