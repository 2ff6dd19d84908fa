/* The e-mail notifier: the message 0.25 writes after DATA, and the envelope
 * its SMTP client uses.  The encodings follow Go's mime.QEncoding (headers),
 * mime/quotedprintable (bodies) and mime/multipart (parts), and addresses are
 * parsed as net/mail.ParseAddressList does. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char upper_hex[] = "0123456789ABCDEF";

/* ---- mime.QEncoding.Encode("utf-8", s) ---- */

static bool q_needs_encoding(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < ' ' || *p > '~') && *p != '\t')
            return true;
    return false;
}

static bool q_plain(unsigned char b)
{
    return b >= ' ' && b <= '~' && b != '=' && b != '?' && b != '_';
}

static void q_encode(struct strbuf *out, const char *s)
{
    if (!q_needs_encoding(s)) {
        strbuf_puts(out, s);
        return;
    }
    /* Encoded words hold at most 75 bytes; a rune is never split. */
    const size_t max_content = 75 - strlen("=?UTF-8?q?") - strlen("?=");
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), used = 0;
    strbuf_puts(out, "=?utf-8?q?");
    for (size_t i = 0; i < len;) {
        size_t n = q_plain(p[i]) ? 1 : notify_rune_len((const char *)p + i, len - i);
        size_t enc = q_plain(p[i]) ? 1 : 3 * n;
        if (used + enc > max_content) {
            strbuf_puts(out, "?= =?utf-8?q?");
            used = 0;
        }
        for (size_t k = i; k < i + n; k++) {
            if (p[k] == ' ')
                strbuf_putc(out, '_');
            else if (p[k] >= '!' && p[k] <= '~' && q_plain(p[k]))
                strbuf_putc(out, (char)p[k]);
            else
                strbuf_printf(out, "=%c%c", upper_hex[p[k] >> 4], upper_hex[p[k] & 15]);
        }
        used += enc;
        i += n;
    }
    strbuf_puts(out, "?=");
}

/* ---- mime/quotedprintable.Writer ---- */

#define QP_LINE_MAX 76

struct qp_writer {
    struct strbuf *out;
    char line[QP_LINE_MAX + 2];
    size_t i;
    bool cr;
};

static void qp_flush(struct qp_writer *w)
{
    strbuf_add(w->out, w->line, w->i);
    w->i = 0;
}

static void qp_crlf(struct qp_writer *w)
{
    w->line[w->i++] = '\r';
    w->line[w->i++] = '\n';
    qp_flush(w);
}

static void qp_soft_break(struct qp_writer *w)
{
    w->line[w->i++] = '=';
    qp_crlf(w);
}

static void qp_encode(struct qp_writer *w, unsigned char b)
{
    if (QP_LINE_MAX - 1 - w->i < 3)
        qp_soft_break(w);
    w->line[w->i++] = '=';
    w->line[w->i++] = upper_hex[b >> 4];
    w->line[w->i++] = upper_hex[b & 15];
}

/* A space or tab ending a line must be encoded. */
static void qp_check_last(struct qp_writer *w)
{
    if (w->i == 0)
        return;
    unsigned char b = (unsigned char)w->line[w->i - 1];
    if (b == ' ' || b == '\t') {
        w->i--;
        qp_encode(w, b);
    }
}

static void qp_literal(struct qp_writer *w, unsigned char b)
{
    if (b == '\n' || b == '\r') {
        /* A CRLF pair makes one line break. */
        if (w->cr && b == '\n') {
            w->cr = false;
            return;
        }
        w->cr = b == '\r';
        qp_check_last(w);
        qp_crlf(w);
        return;
    }
    if (w->i == QP_LINE_MAX - 1)
        qp_soft_break(w);
    w->line[w->i++] = (char)b;
    w->cr = false;
}

static void qp_write(struct strbuf *out, const char *s, size_t len)
{
    struct qp_writer w = {.out = out};
    for (size_t k = 0; k < len; k++) {
        unsigned char b = (unsigned char)s[k];
        if ((b >= '!' && b <= '~' && b != '=') || b == ' ' || b == '\t' || b == '\n' ||
            b == '\r')
            qp_literal(&w, b);
        else
            qp_encode(&w, b);
    }
    qp_check_last(&w);
    qp_flush(&w);
}

/* ---- net/mail.ParseAddressList, for the envelope ---- */

struct addr_parser {
    const char *s;
};

static bool is_vchar(unsigned char c)
{
    return (c >= '!' && c <= '~') || c >= 0x80;
}

static bool is_atext(unsigned char c, bool dot, bool permissive)
{
    switch (c) {
    case '.':
        return dot;
    case '(': case ')': case '[': case ']': case ';': case '@': case '\\': case ',':
        return permissive;
    case '<': case '>': case '"': case ':':
        return false;
    }
    return is_vchar(c);
}

static void skip_space(struct addr_parser *p)
{
    while (*p->s == ' ' || *p->s == '\t')
        p->s++;
}

static bool consume(struct addr_parser *p, char c)
{
    if (*p->s != c)
        return false;
    p->s++;
    return true;
}

/* A (possibly nested) comment after its '('; false when unclosed. */
static bool skip_comment(struct addr_parser *p)
{
    int depth = 1;
    for (; *p->s; p->s++) {
        if (*p->s == '\\' && p->s[1])
            p->s++;
        else if (*p->s == '(')
            depth++;
        else if (*p->s == ')' && --depth == 0) {
            p->s++;
            return true;
        }
    }
    return false;
}

static bool skip_cfws(struct addr_parser *p)
{
    skip_space(p);
    while (consume(p, '(')) {
        if (!skip_comment(p))
            return false;
        skip_space(p);
    }
    return true;
}

static int consume_atom(struct addr_parser *p, bool dot, bool permissive, char **out,
                        char **err)
{
    size_t len = strlen(p->s), i = 0;
    while (i < len) {
        size_t n = notify_rune_len(p->s + i, len - i);
        if (n == 1 && (unsigned char)p->s[i] >= 0x80) {
            struct strbuf q = STRBUF_INIT;
            strbuf_go_quote(&q, p->s);
            *err = xasprintf("mail: invalid utf-8 in address: %s", q.buf);
            strbuf_free(&q);
            return -1;
        }
        if (!is_atext((unsigned char)p->s[i], dot, permissive))
            break;
        i += n;
    }
    if (i == 0) {
        *err = xstrdup("mail: invalid string");
        return -1;
    }
    char *atom = xstrndup(p->s, i);
    if (!permissive) {
        const char *why = atom[0] == '.'            ? "mail: leading dot in atom"
                          : strstr(atom, "..")      ? "mail: double dot in atom"
                          : atom[i - 1] == '.'      ? "mail: trailing dot in atom"
                                                    : NULL;
        if (why) {
            free(atom);
            *err = xstrdup(why);
            return -1;
        }
    }
    p->s += i;
    *out = atom;
    return 0;
}

static int consume_quoted(struct addr_parser *p, char **out, char **err)
{
    struct strbuf sb = STRBUF_INIT;
    const char *s = p->s + 1;
    bool escaped = false;
    for (;;) {
        unsigned char c = (unsigned char)*s;
        if (!c) {
            *err = xstrdup("mail: unclosed quoted-string");
            break;
        }
        size_t n = notify_rune_len(s, strlen(s));
        if (escaped || (c != '\\' && c != '"' && (is_vchar(c) || c == ' ' || c == '\t'))) {
            if (escaped && !is_vchar(c) && c != ' ' && c != '\t') {
                *err = xasprintf("mail: bad character in quoted-string: '\\x%02x'", c);
                break;
            }
            strbuf_add(&sb, s, n);
            escaped = false;
        } else if (c == '"') {
            p->s = s + 1;
            *out = strbuf_detach(&sb);
            return 0;
        } else if (c == '\\') {
            escaped = true;
        } else {
            *err = xasprintf("mail: bad character in quoted-string: '\\x%02x'", c);
            break;
        }
        s += n;
    }
    strbuf_free(&sb);
    return -1;
}

static int consume_addr_spec(struct addr_parser *p, char **out, char **err)
{
    const char *orig = p->s;
    char *local = NULL, *domain = NULL;
    skip_space(p);
    if (!*p->s) {
        *err = xstrdup("mail: no addr-spec");
        goto fail;
    }
    if (*p->s == '"') {
        if (consume_quoted(p, &local, err) != 0)
            goto fail;
        if (!*local) {
            *err = xstrdup("mail: empty quoted-string in addr-spec");
            goto fail;
        }
    } else if (consume_atom(p, true, false, &local, err) != 0) {
        goto fail;
    }
    if (!consume(p, '@')) {
        *err = xstrdup("mail: missing @ in addr-spec");
        goto fail;
    }
    skip_space(p);
    if (!*p->s) {
        *err = xstrdup("mail: no domain in addr-spec");
        goto fail;
    }
    if (consume_atom(p, true, false, &domain, err) != 0)
        goto fail;
    *out = xasprintf("%s@%s", local, domain);
    free(local);
    free(domain);
    return 0;
fail:
    free(local);
    p->s = orig;
    return -1;
}

/* Display names are only checked, as the envelope needs the address. */
static int consume_phrase(struct addr_parser *p, bool *all_atext, char **err)
{
    size_t words = 0;
    *all_atext = true;
    for (;;) {
        if (words && !skip_cfws(p)) {
            *err = xstrdup("mail: misformatted parenthetical comment");
            return -1;
        }
        skip_space(p);
        if (!*p->s)
            break;
        char *word = NULL, *werr = NULL;
        int rc = *p->s == '"' ? consume_quoted(p, &word, &werr)
                              : consume_atom(p, true, true, &word, &werr);
        if (rc != 0) {
            if (!words) {
                *err = xasprintf("mail: missing word in phrase: %s", werr);
                free(werr);
                return -1;
            }
            free(werr);
            break;
        }
        for (const char *c = word; *c; c++)
            if (!is_atext((unsigned char)*c, true, false))
                *all_atext = false;
        free(word);
        /* The words are joined with spaces, which are not atext. */
        if (++words > 1)
            *all_atext = false;
    }
    return 0;
}

struct addr_list {
    char **items;
    size_t len;
};

static void addr_add(struct addr_list *l, char *a)
{
    l->items = xrealloc(l->items, (l->len + 1) * sizeof *l->items);
    l->items[l->len++] = a;
}

static void addr_list_free(struct addr_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
}

static int parse_address(struct addr_parser *p, bool group, struct addr_list *out, char **err);

static int parse_group(struct addr_parser *p, struct addr_list *out, char **err)
{
    for (;;) {
        if (!skip_cfws(p)) {
            *err = xstrdup("mail: misformatted parenthetical comment");
            return -1;
        }
        if (consume(p, ';')) {
            skip_cfws(p);
            return 0;
        }
        if (parse_address(p, false, out, err) != 0)
            return -1;
        if (!skip_cfws(p)) {
            *err = xstrdup("mail: misformatted parenthetical comment");
            return -1;
        }
        if (consume(p, ';')) {
            skip_cfws(p);
            return 0;
        }
        if (!consume(p, ',')) {
            *err = xstrdup("mail: expected comma");
            return -1;
        }
    }
}

static int parse_address(struct addr_parser *p, bool group, struct addr_list *out, char **err)
{
    skip_space(p);
    if (!*p->s) {
        *err = xstrdup("mail: no address");
        return -1;
    }
    char *spec = NULL, *spec_err = NULL;
    if (consume_addr_spec(p, &spec, &spec_err) == 0) {
        skip_space(p);
        if (*p->s == '(' && (p->s++, !skip_comment(p))) {
            free(spec);
            *err = xstrdup("mail: misformatted parenthetical comment");
            return -1;
        }
        addr_add(out, spec);
        return 0;
    }
    free(spec_err);
    bool all_atext = true;
    if (*p->s != '<' && consume_phrase(p, &all_atext, err) != 0)
        return -1;
    skip_space(p);
    if (group && consume(p, ':'))
        return parse_group(p, out, err);
    if (!consume(p, '<')) {
        *err = xstrdup(all_atext ? "mail: missing '@' or angle-addr" : "mail: no angle-addr");
        return -1;
    }
    if (consume_addr_spec(p, &spec, err) != 0)
        return -1;
    if (!consume(p, '>')) {
        free(spec);
        *err = xstrdup("mail: unclosed angle-addr");
        return -1;
    }
    addr_add(out, spec);
    return 0;
}

static int parse_address_list(const char *s, struct addr_list *out, char **err)
{
    struct addr_parser p = {s};
    memset(out, 0, sizeof *out);
    for (;;) {
        skip_space(&p);
        if (consume(&p, ','))
            continue;
        if (parse_address(&p, true, out, err) != 0)
            goto fail;
        if (!skip_cfws(&p)) {
            *err = xstrdup("mail: misformatted parenthetical comment");
            goto fail;
        }
        if (!*p.s)
            return 0;
        if (*p.s != ',') {
            *err = xstrdup("mail: expected comma");
            goto fail;
        }
        while (consume(&p, ','))
            skip_space(&p);
        if (!*p.s)
            return 0;
    }
fail:
    addr_list_free(out);
    memset(out, 0, sizeof *out);
    return -1;
}

/* ---- the message ---- */

/* One mime/multipart part: its headers in sorted order, then the body
 * quoted-printable. */
static void add_part(struct strbuf *mp, const char *boundary, bool first,
                     const char *content_type, const char *body, size_t len)
{
    strbuf_printf(mp, "%s--%s\r\n", first ? "" : "\r\n", boundary);
    strbuf_printf(mp, "Content-Transfer-Encoding: quoted-printable\r\n"
                      "Content-Type: %s\r\n\r\n",
                  content_type);
    qp_write(mp, body, len);
}

static void header_lines(struct strbuf *msg, const struct config_email *c, int64_t now)
{
    bool has_message_id = false;
    for (size_t i = 0; i < c->headers.len; i++)
        if (strcmp(c->headers.items[i].key, "Message-Id") == 0)
            has_message_id = true;
    if (!has_message_id) {
        char host[256] = "localhost";
        gethostname(host, sizeof host - 1);
        uint64_t r;
        random_bytes(&r, sizeof r);
        strbuf_printf(msg, "Message-Id: <%lld.%llu@%s>\r\n", (long long)now,
                      (unsigned long long)r, host);
    }
    time_t secs = (time_t)(now / NS_PER_SEC);
    struct tm tm;
    localtime_r(&secs, &tm);
    char date[64];
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
    strbuf_printf(msg, "Date: %s\r\n", date);
}

static int render_envelope(struct notify_render *r, const struct config_email *c,
                           struct addr_list *from, struct addr_list *to, char **err)
{
    char *perr = NULL;
    char *text = notify_render(r, c->from);
    if (r->err) {
        free(text);
        *err = xasprintf("execute 'from' template: %s", r->err);
        return -1;
    }
    int rc = parse_address_list(text, from, &perr);
    free(text);
    if (rc != 0) {
        *err = xasprintf("parse 'from' addresses: %s", perr);
        free(perr);
        return -1;
    }
    if (from->len != 1) {
        *err = xasprintf("must be exactly one 'from' address (got: %zu)", from->len);
        return -1;
    }
    text = notify_render(r, c->to);
    if (r->err) {
        free(text);
        *err = xasprintf("execute 'to' template: %s", r->err);
        return -1;
    }
    rc = parse_address_list(text, to, &perr);
    free(text);
    if (rc != 0) {
        *err = xasprintf("parse 'to' addresses: %s", perr);
        free(perr);
        return -1;
    }
    return 0;
}

static int render_message(struct notify_render *r, const struct config_email *c, int64_t now,
                          struct strbuf *msg, char **err)
{
    for (size_t i = 0; i < c->headers.len; i++) {
        char *value = notify_render(r, c->headers.items[i].value);
        if (r->err) {
            free(value);
            *err = xasprintf("execute \"%s\" header template: %s", c->headers.items[i].key,
                             r->err);
            return -1;
        }
        strbuf_printf(msg, "%s: ", c->headers.items[i].key);
        q_encode(msg, value);
        strbuf_puts(msg, "\r\n");
        free(value);
    }
    /* mime/multipart's random boundary: 30 random bytes in hex. */
    unsigned char random[30];
    char boundary[61];
    random_bytes(random, sizeof random);
    notify_hex(random, sizeof random, boundary);
    header_lines(msg, c, now);
    strbuf_printf(msg, "Content-Type: multipart/alternative;  boundary=%s\r\n", boundary);
    strbuf_puts(msg, "MIME-Version: 1.0\r\n\r\n");

    bool first = true;
    if (c->text && *c->text) {
        char *text = notify_render(r, c->text);
        if (r->err) {
            free(text);
            *err = xasprintf("execute text template: %s", r->err);
            return -1;
        }
        add_part(msg, boundary, true, "text/plain; charset=UTF-8", text, strlen(text));
        free(text);
        first = false;
    }
    if (c->html && *c->html) {
        struct notify_render html = *r;
        html.html = true;
        char *text = notify_render(&html, c->html);
        if (html.err) {
            free(text);
            *err = xasprintf("execute html template: %s", html.err);
            free(html.err);
            return -1;
        }
        add_part(msg, boundary, first, "text/html; charset=UTF-8", text, strlen(text));
        free(text);
    }
    strbuf_printf(msg, "\r\n--%s--\r\n", boundary);
    return 0;
}

int notify_build_email(const struct notify_integration *in, const struct template_set *tmpl,
                       const struct notify_group *g, struct notify_message *out, bool *retry,
                       char **err)
{
    const struct config_email *c = in->conf;
    *retry = false;
    struct template_data data;
    notify_template_data(g, &data);
    struct notify_render r = {.tmpl = tmpl, .data = &data};
    struct addr_list from = {0}, to = {0};
    struct strbuf msg = STRBUF_INIT;
    int rc = render_envelope(&r, c, &from, &to, err);
    if (rc == 0)
        rc = render_message(&r, c, time_now(), &msg, err);
    free(r.err);
    notify_template_data_free(&data);
    if (rc != 0) {
        addr_list_free(&from);
        addr_list_free(&to);
        strbuf_free(&msg);
        return -1;
    }
    out->is_smtp = true;
    struct outbound_smtp_request *s = &out->smtp;
    s->smarthost = c->smarthost;
    s->hello = c->hello;
    s->from = notify_keep(out, from.items[0]);
    free(from.items);
    for (size_t i = 0; i < to.len; i++)
        notify_keep(out, to.items[i]);
    s->to = (const char *const *)notify_keep(out, to.items);
    s->n_to = to.len;
    s->auth_username = c->auth_username;
    s->auth_password = c->auth_password;
    s->auth_password_file = c->auth_password_file;
    s->auth_secret = c->auth_secret;
    s->auth_identity = c->auth_identity;
    s->require_tls = c->require_tls;
    s->tls = &c->tls_config;
    s->message_len = msg.len;
    s->message = notify_keep(out, strbuf_detach(&msg));
    return 0;
}
