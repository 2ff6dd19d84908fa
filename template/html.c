/*
 * html/template's contextual escaping, done while executing: the HTML context
 * (text, tag, attribute value, URL part, comment, RCDATA/script/style element)
 * is tracked over the template text actually emitted, and each action's value
 * goes through the escapers Go's html/template would insert for that context.
 * Template text is rewritten as Go does: HTML comments are dropped and a '<'
 * that starts no tag becomes "&lt;".
 *
 * Go decides contexts statically; escape_check.c repeats that walk to reject
 * what Go rejects, and tracking contexts at run time then gives the same output
 * for every template Go accepts.  JavaScript is followed through strings,
 * regexp literals, comments and the division/regexp ambiguity; CSS only
 * through strings and comments.
 */
#include "template/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static bool html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static enum html_element element_of(const char *name, size_t n)
{
    if (n == 6 && !strncasecmp(name, "script", 6))
        return HE_SCRIPT;
    if (n == 5 && !strncasecmp(name, "style", 5))
        return HE_STYLE;
    if (n == 8 && !strncasecmp(name, "textarea", 8))
        return HE_TEXTAREA;
    if (n == 5 && !strncasecmp(name, "title", 5))
        return HE_TITLE;
    return HE_NONE;
}

static enum html_state element_content(enum html_element e)
{
    switch (e) {
    case HE_SCRIPT: return HS_JS;
    case HE_STYLE: return HS_CSS;
    case HE_TEXTAREA: case HE_TITLE: return HS_RCDATA;
    default: return HS_TEXT;
    }
}

/* Go's attrType: which attributes hold URLs, scripts or styles. */
static enum html_attr attr_type(const char *name, size_t n)
{
    static const char *const urls[] = {
        "action", "archive", "background", "cite", "classid", "codebase", "data",
        "formaction", "href", "icon", "longdesc", "manifest", "poster", "profile",
        "src", "usemap", "xmlns",
    };
    if (n > 5 && !strncasecmp(name, "data-", 5))
        name += 5, n -= 5;
    else if (memchr(name, ':', n)) {
        const char *c = memchr(name, ':', n);
        if ((size_t)(c - name) == 5 && !strncasecmp(name, "xmlns", 5))
            return HA_URL;
        n -= (size_t)(c + 1 - name);
        name = c + 1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(urls); i++)
        if (strlen(urls[i]) == n && !strncasecmp(name, urls[i], n))
            return HA_URL;
    if (n == 5 && !strncasecmp(name, "style", 5))
        return HA_CSS;
    if (n == 6 && !strncasecmp(name, "srcset", 6))
        return HA_SRCSET;
    if (n > 2 && !strncasecmp(name, "on", 2))
        return HA_JS;
    /* Names mentioning a URL are treated as URLs. */
    for (size_t i = 0; i + 3 <= n; i++)
        if (!strncasecmp(name + i, "url", 3) || !strncasecmp(name + i, "uri", 3))
            return HA_URL;
    if ((n >= 3 && !strncasecmp(name + n - 3, "src", 3)))
        return HA_URL;
    return HA_NONE;
}

static size_t tag_name_end(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n) {
        char x = s[j];
        if (!(isalpha((unsigned char)x) || (isdigit((unsigned char)x) && j != i) || x == ':' ||
              x == '-'))
            break;
        j++;
    }
    return j;
}

/* Text state: returns how much was consumed; may enter a tag or comment. */
static size_t t_text(struct html_ctx *c, const char *s, size_t n)
{
    size_t k = 0;
    for (;;) {
        const char *lt = memchr(s + k, '<', n - k);
        if (!lt || (size_t)(lt - s) + 1 == n)
            return n;
        size_t i = (size_t)(lt - s);
        if (i + 4 <= n && !memcmp(s + i, "<!--", 4)) {
            memset(c, 0, sizeof *c);
            c->state = HS_HTML_CMT;
            return i + 4;
        }
        i++;
        bool end = false;
        if (s[i] == '/') {
            if (i + 1 == n)
                return n;
            end = true;
            i++;
        }
        size_t j = tag_name_end(s, n, i);
        if (j != i) {
            enum html_element e = end ? HE_NONE : element_of(s + i, j - i);
            memset(c, 0, sizeof *c);
            c->state = HS_TAG;
            c->element = e;
            return j;
        }
        k = j;
    }
}

/* Go's %q of at most 32 runes of s. */
static void quote32(const char *s, size_t n, struct strbuf *out)
{
    size_t k = 0, runes = 0;
    while (k < n && runes < 32) {
        k++;
        while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
            k++;
        runes++;
    }
    char *t = xstrndup(s, k);
    strbuf_go_quote(out, t);
    free(t);
}

/* Enters Go's error state for malformed HTML; the rest is consumed. */
static size_t bad_html(struct html_ctx *c, const char *what, size_t wn, const char *fmt_mid,
                       const char *s, size_t n, size_t consumed)
{
    struct strbuf sb = STRBUF_INIT;
    quote32(what, wn, &sb);
    strbuf_puts(&sb, fmt_mid);
    quote32(s, n, &sb);
    c->bad = true;
    snprintf(c->badmsg, sizeof c->badmsg, "%s", sb.buf);
    strbuf_free(&sb);
    return consumed;
}

/* End of an attribute name at i; quotes and '<' in it are malformed. */
static size_t attr_name_end(struct html_ctx *c, const char *s, size_t n, size_t i)
{
    for (size_t j = i; j < n; j++) {
        if (html_space(s[j]) || s[j] == '=' || s[j] == '>')
            return j;
        if (s[j] == '"' || s[j] == '\'' || s[j] == '<') {
            bad_html(c, s + j, 1, " in attribute name: ", s, n, n);
            return n;
        }
    }
    return n;
}

static size_t t_tag(struct html_ctx *c, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && html_space(s[i]))
        i++;
    if (i == n)
        return n;
    if (s[i] == '>') {
        enum html_element e = c->element;
        memset(c, 0, sizeof *c);
        c->state = element_content(e);
        c->element = e;
        return i + 1;
    }
    size_t j = attr_name_end(c, s, n, i);
    if (c->bad)
        return n;
    if (j == i) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "expected space, attr name, or end of tag, but got ");
        char *t = xstrndup(s + i, n - i);
        strbuf_go_quote(&sb, t);
        free(t);
        c->bad = true;
        snprintf(c->badmsg, sizeof c->badmsg, "%s", sb.buf);
        strbuf_free(&sb);
        return n;
    }
    c->attr = c->element == HE_SCRIPT && j - i == 4 && !strncasecmp(s + i, "type", 4)
                  ? HA_SCRIPT_TYPE
                  : attr_type(s + i, j - i);
    c->state = j == n ? HS_ATTR_NAME : HS_AFTER_NAME;
    return j;
}

static size_t t_attr_name(struct html_ctx *c, const char *s, size_t n)
{
    size_t i = attr_name_end(c, s, n, 0);
    if (i != n)
        c->state = HS_AFTER_NAME;
    return i;
}

static size_t t_after_name(struct html_ctx *c, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && html_space(s[i]))
        i++;
    if (i == n)
        return n;
    if (s[i] != '=') {
        c->state = HS_TAG;
        return i;
    }
    c->state = HS_BEFORE_VALUE;
    return i + 1;
}

static enum html_state attr_start_state(enum html_attr a)
{
    switch (a) {
    case HA_JS: return HS_JS;
    case HA_CSS: return HS_CSS;
    case HA_URL: return HS_URL;
    case HA_SRCSET: return HS_SRCSET;
    default: return HS_ATTR;
    }
}

static size_t t_before_value(struct html_ctx *c, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && html_space(s[i]))
        i++;
    if (i == n)
        return n;
    enum html_delim d = HD_SPACE;
    if (s[i] == '\'')
        d = HD_SQ, i++;
    else if (s[i] == '"')
        d = HD_DQ, i++;
    c->state = attr_start_state(c->attr);
    c->delim = d;
    return i;
}

static size_t t_url(struct html_ctx *c, const char *s, size_t n)
{
    if (memchr(s, '#', n) || memchr(s, '?', n)) {
        c->url_part = HU_QUERY;
    } else if (c->url_part == HU_NONE) {
        for (size_t i = 0; i < n; i++)
            if (!html_space(s[i])) {
                c->url_part = HU_PRE;
                break;
            }
    }
    return n;
}

static size_t t_html_cmt(struct html_ctx *c, const char *s, size_t n)
{
    const char *e = memmem(s, n, "-->", 3);
    if (!e)
        return n;
    memset(c, 0, sizeof *c);
    return (size_t)(e - s) + 3;
}

/* Go's nextJSCtx: whether a '/' after s would divide (after a value) or
 * start a regexp (after an operator or keyword). */
static enum html_js_ctx js_ctx_after(const char *s, size_t n, enum html_js_ctx preceding)
{
    while (n && strchr("\t\n\f\r ", s[n - 1]))
        n--;
    if (n == 0)
        return preceding;
    char c = s[n - 1];
    if (c == '+' || c == '-') {
        size_t start = n - 1;
        while (start > 0 && s[start - 1] == c)
            start--;
        return ((n - start) & 1) ? JS_REGEXP : JS_DIVOP;
    }
    if (c == '.')
        return n != 1 && s[n - 2] >= '0' && s[n - 2] <= '9' ? JS_DIVOP : JS_REGEXP;
    if (strchr(",<>=*%&|^?!~([:;{}", c))
        return JS_REGEXP;
    size_t j = n;
    while (j > 0 && (isalnum((unsigned char)s[j - 1]) || s[j - 1] == '_' || s[j - 1] == '$'))
        j--;
    static const char *const kw[] = {"break", "case", "continue", "delete", "do", "else",
                                     "finally", "in", "instanceof", "return", "throw", "try",
                                     "typeof", "void"};
    for (size_t k = 0; k < ARRAY_SIZE(kw); k++)
        if (strlen(kw[k]) == n - j && !memcmp(s + j, kw[k], n - j))
            return JS_REGEXP;
    return JS_DIVOP;
}

/* Inside a JS string, template literal or regexp literal: to its end. */
static size_t t_js_delimited(struct html_ctx *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\\') {
            i++;
        } else if (c->quote == '/' && c->in_class) {
            c->in_class = ch != ']';
        } else if (c->quote == '/' && ch == '[') {
            c->in_class = true;
        } else if (ch == c->quote) {
            c->quote = 0;
            c->js_ctx = JS_DIVOP;
            return i + 1;
        }
    }
    return n;
}

static size_t t_js(struct html_ctx *c, const char *s, size_t n)
{
    if (c->quote)
        return t_js_delimited(c, s, n);
    if (c->in_line_cmt) {
        const char *nl = memchr(s, '\n', n);
        if (!nl)
            return n;
        c->in_line_cmt = false;
        return (size_t)(nl - s);
    }
    size_t i = 0;
    while (i < n && !strchr("\"'`/", s[i]))
        i++;
    if (i >= n) {
        c->js_ctx = js_ctx_after(s, n, c->js_ctx);
        return n;
    }
    c->js_ctx = js_ctx_after(s, i, c->js_ctx);
    char ch = s[i];
    if (ch != '/') {
        c->quote = ch;
        c->js_ctx = JS_REGEXP;
    } else if (i + 1 < n && s[i + 1] == '/') {
        c->in_line_cmt = true;
        return i + 2;
    } else if (i + 1 < n && s[i + 1] == '*') {
        c->in_block_cmt = true;
        return i + 2;
    } else if (c->js_ctx == JS_REGEXP) {
        c->quote = '/';
    } else if (c->js_ctx == JS_DIVOP) {
        c->js_ctx = JS_REGEXP;
    } else {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "'/' could start a division or regexp: ");
        quote32(s + i, n - i, &sb);
        c->bad = true;
        snprintf(c->badmsg, sizeof c->badmsg, "%s", sb.buf);
        strbuf_free(&sb);
        return n;
    }
    return i + 1;
}

/* CSS: only quotes and comments are followed. */
static size_t t_code(struct html_ctx *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (c->quote) {
            if (ch == '\\')
                i++;
            else if (ch == c->quote)
                c->quote = 0;
            continue;
        }
        if (ch == '"' || ch == '\'') {
            c->quote = ch;
        } else if (ch == '/' && i + 1 < n && s[i + 1] == '*') {
            c->in_block_cmt = true;
            return i + 2;
        }
    }
    return n;
}

static size_t t_block_cmt(struct html_ctx *c, const char *s, size_t n)
{
    const char *e = memmem(s, n, "*/", 2);
    if (!e)
        return n;
    c->in_block_cmt = false;
    return (size_t)(e - s) + 2;
}

static size_t transition(struct html_ctx *c, const char *s, size_t n)
{
    if (c->in_block_cmt)
        return t_block_cmt(c, s, n);
    switch (c->state) {
    case HS_TEXT: return t_text(c, s, n);
    case HS_TAG: return t_tag(c, s, n);
    case HS_ATTR_NAME: return t_attr_name(c, s, n);
    case HS_AFTER_NAME: return t_after_name(c, s, n);
    case HS_BEFORE_VALUE: return t_before_value(c, s, n);
    case HS_URL: return t_url(c, s, n);
    case HS_HTML_CMT: return t_html_cmt(c, s, n);
    case HS_JS: return t_js(c, s, n);
    case HS_CSS: return t_code(c, s, n);
    default: return n;
    }
}

/* Index of "</name" followed by a tag-end separator, or -1. */
static long special_end(const char *s, size_t n, enum html_element e)
{
    static const char *const names[] = {NULL, "script", "style", "textarea", "title"};
    const char *name = names[e];
    size_t nl = strlen(name);
    for (size_t i = 0; i + 2 + nl < n; i++) {
        if (s[i] != '<' || s[i + 1] != '/' || strncasecmp(s + i + 2, name, nl))
            continue;
        if (strchr("> \t\n\f/", s[i + 2 + nl]) && s[i + 2 + nl])
            return (long)i;
    }
    return -1;
}

static size_t context_after_text(struct html_ctx *c, const char *s, size_t n)
{
    if (c->delim == HD_NONE) {
        size_t lim = n;
        if (c->element != HE_NONE && c->state != HS_TAG && c->state != HS_ATTR_NAME &&
            c->state != HS_AFTER_NAME && c->state != HS_BEFORE_VALUE) {
            long e = special_end(s, n, c->element);
            if (e == 0) {
                memset(c, 0, sizeof *c);
                return 0;
            }
            if (e > 0)
                lim = (size_t)e;
        }
        return transition(c, s, lim);
    }
    size_t i = 0;
    if (c->delim == HD_SPACE) {
        while (i < n && !html_space(s[i]) && s[i] != '>')
            i++;
        for (size_t j = 0; j < i; j++)
            if (s[j] && strchr("\"'<=`", s[j]))
                return bad_html(c, s + j, 1, " in unquoted attr: ", s, i, n);
    } else {
        const char *q = memchr(s, c->delim == HD_DQ ? '"' : '\'', n);
        i = q ? (size_t)(q - s) : n;
    }
    if (i == n) {
        while (n) {
            size_t k = transition(c, s, n);
            s += k, n -= k;
            if (!k)
                break;
        }
        return i;
    }
    enum html_element e = c->element;
    if (c->delim != HD_SPACE)
        i++;
    memset(c, 0, sizeof *c);
    c->state = HS_TAG;
    c->element = e;
    return i;
}

static bool is_comment(const struct html_ctx *c)
{
    return c->state == HS_HTML_CMT || c->in_block_cmt || c->in_line_cmt;
}

/* Escapes '<' that starts no tag in text/RCDATA: s[from, to). */
static void write_text_lt(const char *s, size_t from, size_t to, size_t *written,
                          struct strbuf *out)
{
    for (size_t j = from; j < to; j++) {
        if (s[j] != '<' || !strncasecmp(s + j, "<!DOCTYPE", 9))
            continue;
        strbuf_add(out, s + *written, j - *written);
        strbuf_puts(out, "&lt;");
        *written = j + 1;
    }
}

void html_text(struct html_ctx *c, const char *s, size_t n, struct strbuf *out)
{
    size_t i = 0, written = 0;
    while (i < n && !c->bad) {
        struct html_ctx c1 = *c;
        size_t nread = context_after_text(&c1, s + i, n - i);
        size_t i1 = i + nread;
        if (c->state == HS_TEXT || c->state == HS_RCDATA) {
            size_t end = i1;
            if (c1.state != c->state)
                for (size_t j = i1; j-- > i;)
                    if (s[j] == '<') {
                        end = j;
                        break;
                    }
            write_text_lt(s, i, end, &written, out);
        } else if (is_comment(c) && c->delim == HD_NONE) {
            /* a JS block comment with a line break still ends a line */
            if (c->in_block_cmt && c->state == HS_JS && memchr(s + written, '\n', i1 - written))
                strbuf_putc(out, '\n');
            else if (c->in_block_cmt)
                strbuf_putc(out, ' ');
            written = i1;
        }
        if (!is_comment(c) && is_comment(&c1) && c1.delim == HD_NONE) {
            size_t cs = i1 - (c1.state == HS_HTML_CMT ? 4 : 2);
            strbuf_add(out, s + written, cs - written);
            written = i1;
        }
        if (i == i1 && c->state == c1.state) {
            /* no progress: copy the rest */
            break;
        }
        *c = c1;
        i = i1;
    }
    if (written < n)
        strbuf_add(out, s + written, n - written);
}

void html_nudge(struct html_ctx *c)
{
    if (c->state == HS_TAG) {
        c->state = HS_ATTR_NAME;
    } else if (c->state == HS_AFTER_NAME) {
        c->state = HS_ATTR_NAME;
        c->attr = HA_NONE;
    } else if (c->state == HS_BEFORE_VALUE) {
        c->state = attr_start_state(c->attr);
        c->delim = HD_SPACE;
        c->attr = HA_NONE;
    }
}

size_t html_escapers(struct html_ctx *c, enum html_esc out[4])
{
    size_t n = 0;
    html_nudge(c);
    if (is_comment(c)) {
        out[n++] = ESC_COMMENT;
        return n;
    }
    switch (c->state) {
    case HS_URL:
        if (c->url_part == HU_NONE)
            out[n++] = ESC_URL_FILTER;
        out[n++] = c->url_part >= HU_QUERY ? ESC_URL_ESCAPE : ESC_URL_NORM;
        break;
    case HS_JS:
        out[n++] = c->quote == '/' ? ESC_JS_REGEXP : c->quote ? ESC_JS_STR : ESC_JS_VAL;
        if (!c->quote)
            c->js_ctx = JS_DIVOP; /* a value was written */
        break;
    case HS_CSS:
        out[n++] = c->quote ? ESC_CSS : ESC_CSS_FILTER;
        break;
    case HS_TEXT: out[n++] = ESC_HTML; break;
    case HS_RCDATA: out[n++] = ESC_RCDATA; break;
    case HS_ATTR_NAME: out[n++] = ESC_NAME_FILTER; break;
    case HS_SRCSET: out[n++] = ESC_SRCSET; break;
    default: break;
    }
    if (c->delim == HD_SPACE)
        out[n++] = ESC_NOSPACE;
    else if (c->delim != HD_NONE)
        out[n++] = ESC_ATTR;
    return n;
}

/* ---- escapers ---- */

/* norm: the value is already HTML, so '&' starts an entity and is kept. */
static void html_replace(const char *s, size_t n, bool nospace, bool norm, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case 0: strbuf_puts(out, "\xEF\xBF\xBD"); break;
        case '"': strbuf_puts(out, "&#34;"); break;
        case '&': strbuf_puts(out, norm ? "&" : "&amp;"); break;
        case '\'': strbuf_puts(out, "&#39;"); break;
        case '+': strbuf_puts(out, "&#43;"); break;
        case '<': strbuf_puts(out, "&lt;"); break;
        case '>': strbuf_puts(out, "&gt;"); break;
        default:
            if (nospace && strchr("\t\n\v\f\r =`", ch))
                strbuf_printf(out, "&#%d;", ch);
            else
                strbuf_putc(out, (char)ch);
        }
    }
}

static bool is_hex(char c)
{
    return isxdigit((unsigned char)c);
}

static void url_process(const char *s, size_t n, bool norm, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = isalnum(c) || strchr("-._~", c);
        if (norm && c && strchr("!#$&*+,/:;=?@[]", c))
            keep = true;
        if (norm && c == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2]))
            keep = true;
        if (c == 0)
            keep = false;
        if (keep)
            strbuf_putc(out, (char)c);
        else
            strbuf_printf(out, "%%%02x", c);
    }
}

static bool url_safe(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return true;
    const char *slash = memchr(s, '/', n);
    if (slash && slash < colon)
        return true;
    size_t pl = (size_t)(colon - s);
    return (pl == 4 && !strncasecmp(s, "http", 4)) || (pl == 5 && !strncasecmp(s, "https", 5)) ||
           (pl == 6 && !strncasecmp(s, "mailto", 6));
}

static void js_str_escape(const char *s, size_t n, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\t': strbuf_puts(out, "\\t"); break;
        case '\n': strbuf_puts(out, "\\n"); break;
        case '\f': strbuf_puts(out, "\\f"); break;
        case '\r': strbuf_puts(out, "\\r"); break;
        case '\\': strbuf_puts(out, "\\\\"); break;
        case '/': strbuf_puts(out, "\\/"); break;
        default:
            if (c < 0x20 || strchr("\"&'+<>`", c))
                strbuf_printf(out, "\\u%04x", c);
            else
                strbuf_putc(out, (char)c);
        }
    }
}

/* jsRegexpEscaper: a string escape that also quotes regexp syntax; an empty
 * value becomes "(?:)" so the literal stays a regexp. */
static void js_regexp_escape(const char *s, size_t n, struct strbuf *out)
{
    if (n == 0) {
        strbuf_puts(out, "(?:)");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] && strchr("$()*+-.?[]^{|}", s[i])) {
            strbuf_putc(out, '\\');
            strbuf_putc(out, s[i]);
        } else {
            js_str_escape(s + i, 1, out);
        }
    }
}

static void css_escape(const char *s, size_t n, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || strchr("\"&'()+/;<>\\{}", c)) {
            strbuf_printf(out, "\\%x", c);
            if (i + 1 < n && (isxdigit((unsigned char)s[i + 1]) || s[i + 1] == ' '))
                strbuf_putc(out, ' ');
        } else {
            strbuf_putc(out, (char)c);
        }
    }
}

/* Text content of an HTML fragment (tags dropped), for HTML in attributes. */
static void strip_tags(const char *s, size_t n, struct strbuf *out)
{
    bool in_tag = false;
    char quote = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_tag) {
            if (quote) {
                if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                in_tag = false;
            }
        } else if (c == '<' && i + 1 < n &&
                   (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!')) {
            in_tag = true;
        } else {
            strbuf_putc(out, c);
        }
    }
}

static void attr_escape(const char *s, size_t n, bool safe_html, bool nospace,
                        struct strbuf *out)
{
    if (!safe_html) {
        html_replace(s, n, nospace, false, out);
        return;
    }
    struct strbuf text = STRBUF_INIT;
    strip_tags(s, n, &text);
    html_replace(strbuf_cstr(&text), text.len, nospace, true, out);
    strbuf_free(&text);
}

static bool js_ident_part(char c)
{
    return isalnum((unsigned char)c) || c == '$' || c == '_' || (unsigned char)c >= 0x80;
}

/* jsValEscaper: the JSON form, padded with spaces where it could run into
 * an adjacent identifier or keyword. */
static void js_value(const struct value *v, struct strbuf *out)
{
    if (v->kind == V_NIL) {
        strbuf_puts(out, " null ");
        return;
    }
    struct strbuf j = STRBUF_INIT;
    value_json(v, &j);
    bool padded = j.len && (js_ident_part(j.buf[0]) || js_ident_part(j.buf[j.len - 1]));
    if (padded)
        strbuf_putc(out, ' ');
    strbuf_add(out, j.buf, j.len);
    if (padded)
        strbuf_putc(out, ' ');
    strbuf_free(&j);
}

void html_escape(enum html_esc e, const struct value *v, struct strbuf *out)
{
    struct strbuf sb = STRBUF_INIT;
    value_print(v, &sb);
    const char *s = strbuf_cstr(&sb);
    size_t n = sb.len;
    bool safe_html = v->kind == V_HTML;
    switch (e) {
    case ESC_HTML:
    case ESC_RCDATA:
        if (safe_html)
            strbuf_add(out, s, n);
        else
            html_replace(s, n, false, false, out);
        break;
    case ESC_ATTR: attr_escape(s, n, safe_html, false, out); break;
    case ESC_NOSPACE: attr_escape(s, n, safe_html, true, out); break;
    case ESC_URL_FILTER:
        if (url_safe(s, n))
            strbuf_add(out, s, n);
        else
            strbuf_puts(out, "#ZgotmplZ");
        break;
    case ESC_URL_NORM: url_process(s, n, true, out); break;
    case ESC_URL_ESCAPE: url_process(s, n, false, out); break;
    case ESC_SRCSET: url_process(s, n, true, out); break;
    case ESC_JS_STR: js_str_escape(s, n, out); break;
    case ESC_JS_REGEXP: js_regexp_escape(s, n, out); break;
    case ESC_JS_VAL:
        js_value(v, out);
        break;
    case ESC_CSS: css_escape(s, n, out); break;
    case ESC_CSS_FILTER: {
        bool ok = n > 0;
        for (size_t i = 0; i < n && ok; i++)
            ok = isalnum((unsigned char)s[i]) || strchr(" #%-._,", s[i]);
        strbuf_puts(out, ok ? s : "ZgotmplZ");
        break;
    }
    case ESC_NAME_FILTER: {
        /* Go writes attribute names in lower case and refuses one whose
         * value would be a URL, script or style. */
        char *lower = xstrndup(s, n);
        bool ok = n > 0;
        for (size_t i = 0; i < n && ok; i++) {
            lower[i] = (char)tolower((unsigned char)lower[i]);
            ok = isalnum((unsigned char)lower[i]);
        }
        ok = ok && attr_type(lower, n) == HA_NONE && strcmp(lower, "srcdoc");
        strbuf_puts(out, ok ? lower : "ZgotmplZ");
        free(lower);
        break;
    }
    case ESC_COMMENT:
        break;
    }
    strbuf_free(&sb);
}

bool html_esc_equiv(enum html_esc e, bool is_html_fn)
{
    if (is_html_fn)
        return e == ESC_HTML || e == ESC_RCDATA || e == ESC_ATTR;
    return e == ESC_URL_ESCAPE || e == ESC_URL_NORM;
}

void html_ctx_format(const struct html_ctx *c, struct strbuf *out)
{
    static const char *const states[] = {
        "stateText", "stateTag", "stateAttrName", "stateAfterName", "stateBeforeValue",
        "stateAttr", "stateURL", "stateSrcset", "stateJS", "stateCSS", "stateRCDATA",
        "stateHTMLCmt",
    };
    static const char *const delims[] = {
        "delimNone", "delimDoubleQuote", "delimSingleQuote", "delimSpaceOrTagEnd",
    };
    static const char *const parts[] = {"urlPartNone", "urlPartPreQuery", "urlPartQueryOrFrag",
                                        "urlPartUnknown"};
    static const char *const attrs[] = {
        "attrNone", "attrURL", "attrScript", "attrStyle", "attrSrcset", "attrScriptType",
    };
    static const char *const elements[] = {
        "elementNone", "elementScript", "elementStyle", "elementTextarea", "elementTitle",
    };
    static const char *const js_ctx_names[] = {"jsCtxRegexp", "jsCtxDivOp", "jsCtxUnknown"};
    const char *state = states[c->state];
    if (c->in_block_cmt)
        state = c->state == HS_JS ? "stateJSBlockCmt" : "stateCSSBlockCmt";
    else if (c->in_line_cmt)
        state = "stateJSLineCmt";
    else if (c->quote && c->state == HS_JS)
        state = c->quote == '"' ? "stateJSDqStr" : c->quote == '\'' ? "stateJSSqStr"
              : c->quote == '/' ? "stateJSRegexp" : "stateJSBqStr";
    else if (c->quote && c->state == HS_CSS)
        state = c->quote == '"' ? "stateCSSDqStr" : "stateCSSSqStr";
    strbuf_printf(out, "{%s %s %s %s %s %s <nil>}", state, delims[c->delim],
                  parts[c->url_part], js_ctx_names[c->js_ctx], attrs[c->attr],
                  elements[c->element]);
}
