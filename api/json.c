/*
 * A small JSON reader that accepts exactly what Go's encoding/json Decoder
 * accepts and fails with its words ("invalid character 'x' after array
 * element", "unexpected EOF"), because go-openapi puts those words in the
 * API's 400 bodies.  Strings are decoded the way Go does: invalid UTF-8 and
 * lone surrogates become U+FFFD, so the result is always valid UTF-8.  The
 * tree keeps object members in document order with duplicates, since Go's
 * field matching (case-insensitive, last one wins, maps merged) is the
 * decoders' business, not the reader's.
 */
#include "api/api_internal.h"

#include <stdio.h>

#define JV_MAX_DEPTH 10000 /* Go's maxNestingDepth */

struct jp {
    const char *p;
    const char *end;
    char *err;
    int depth;
};

static void jp_fail_char(struct jp *jp, const char *context);

static bool jp_eof(const struct jp *jp)
{
    return jp->p >= jp->end;
}

static void jp_fail_eof(struct jp *jp)
{
    if (!jp->err)
        jp->err = xstrdup("unexpected EOF");
}

/* Go's quoteChar: strconv.Quote of the byte taken as a rune, in single quotes. */
static void quote_char(struct strbuf *sb, unsigned char c)
{
    static const char esc[] = "\a\b\f\n\r\t\v";
    static const char letters[] = "abfnrtv";
    if (c == '\'') {
        strbuf_puts(sb, "'\\''");
        return;
    }
    strbuf_putc(sb, '\'');
    const char *e = c ? strchr(esc, c) : NULL;
    if (e)
        strbuf_printf(sb, "\\%c", letters[e - esc]);
    else if (c == '\\')
        strbuf_puts(sb, "\\\\");
    else if (c >= 0x20 && c < 0x7f)
        strbuf_putc(sb, (char)c);
    else if (c < 0x20 || c == 0x7f)
        strbuf_printf(sb, "\\x%02x", c);
    else if (c < 0xa1 || c == 0xad)
        strbuf_printf(sb, "\\u%04x", c);
    else {
        strbuf_putc(sb, (char)(0xc0 | (c >> 6)));
        strbuf_putc(sb, (char)(0x80 | (c & 0x3f)));
    }
    strbuf_putc(sb, '\'');
}

static void jp_fail_char(struct jp *jp, const char *context)
{
    if (jp->err)
        return;
    if (jp_eof(jp)) {
        jp_fail_eof(jp);
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "invalid character ");
    quote_char(&sb, (unsigned char)*jp->p);
    strbuf_printf(&sb, " %s", context);
    jp->err = strbuf_detach(&sb);
}

static void jp_skip_ws(struct jp *jp)
{
    while (!jp_eof(jp) && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\r' || *jp->p == '\n'))
        jp->p++;
}

static void put_rune(struct strbuf *sb, uint32_t r)
{
    if (r < 0x80) {
        strbuf_putc(sb, (char)r);
    } else if (r < 0x800) {
        strbuf_putc(sb, (char)(0xc0 | (r >> 6)));
        strbuf_putc(sb, (char)(0x80 | (r & 0x3f)));
    } else if (r < 0x10000) {
        strbuf_putc(sb, (char)(0xe0 | (r >> 12)));
        strbuf_putc(sb, (char)(0x80 | ((r >> 6) & 0x3f)));
        strbuf_putc(sb, (char)(0x80 | (r & 0x3f)));
    } else {
        strbuf_putc(sb, (char)(0xf0 | (r >> 18)));
        strbuf_putc(sb, (char)(0x80 | ((r >> 12) & 0x3f)));
        strbuf_putc(sb, (char)(0x80 | ((r >> 6) & 0x3f)));
        strbuf_putc(sb, (char)(0x80 | (r & 0x3f)));
    }
}

/* Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune rules), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -2;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* After "\u": validates four hex digits (the scanner's job) and returns the
 * code unit, or -1 after failing. */
static int jp_u4(struct jp *jp)
{
    int v = hex4(jp->p, jp->end);
    if (v >= 0)
        return v;
    /* find the first non-hex digit for the error, or hit EOF */
    for (int i = 0; i < 4; i++, jp->p++) {
        if (jp_eof(jp)) {
            jp_fail_eof(jp);
            return -1;
        }
        if (!strchr("0123456789abcdefABCDEF", *jp->p) || !*jp->p) {
            jp_fail_char(jp, "in \\u hexadecimal character escape");
            return -1;
        }
    }
    return -1;
}

static int jp_escape(struct jp *jp, struct strbuf *sb)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (jp_eof(jp)) {
        jp_fail_eof(jp);
        return -1;
    }
    char c = *jp->p;
    const char *e = c ? strchr(from, c) : NULL;
    if (e) {
        strbuf_putc(sb, to[e - from]);
        jp->p++;
        return 0;
    }
    if (c != 'u') {
        jp_fail_char(jp, "in string escape code");
        return -1;
    }
    jp->p++;
    int r = jp_u4(jp);
    if (r < 0)
        return -1;
    jp->p += 4;
    if (r >= 0xd800 && r < 0xdc00 && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
        jp->p[1] == 'u') {
        int lo = hex4(jp->p + 2, jp->end);
        if (lo >= 0xdc00 && lo < 0xe000) {
            put_rune(sb, 0x10000 + (((uint32_t)r - 0xd800) << 10) + ((uint32_t)lo - 0xdc00));
            jp->p += 6;
            return 0;
        }
    }
    put_rune(sb, r >= 0xd800 && r < 0xe000 ? 0xfffd : (uint32_t)r);
    return 0;
}

/* At the opening quote. */
static int jp_string(struct jp *jp, char **out, size_t *outlen)
{
    struct strbuf sb = STRBUF_INIT;
    jp->p++;
    for (;;) {
        if (jp_eof(jp)) {
            jp_fail_eof(jp);
            break;
        }
        unsigned char c = (unsigned char)*jp->p;
        if (c == '"') {
            jp->p++;
            *outlen = sb.len;
            *out = strbuf_detach(&sb);
            return 0;
        }
        if (c < 0x20) {
            jp_fail_char(jp, "in string literal");
            break;
        }
        if (c == '\\') {
            jp->p++;
            if (jp_escape(jp, &sb) < 0)
                break;
            continue;
        }
        if (c < 0x80) {
            strbuf_putc(&sb, (char)c);
            jp->p++;
            continue;
        }
        size_t n = utf8_seq_len((const unsigned char *)jp->p, (size_t)(jp->end - jp->p));
        if (n) {
            strbuf_add(&sb, jp->p, n);
            jp->p += n;
        } else {
            put_rune(&sb, 0xfffd);
            jp->p++;
        }
    }
    strbuf_free(&sb);
    return -1;
}

static bool is_digit(const struct jp *jp)
{
    return !jp_eof(jp) && *jp->p >= '0' && *jp->p <= '9';
}

static void skip_digits(struct jp *jp)
{
    while (is_digit(jp))
        jp->p++;
}

/* A number ends at any byte that cannot continue it; the caller judges that
 * byte, exactly as Go's scanner hands it to the enclosing state. */
static int jp_number(struct jp *jp, struct jv *out)
{
    const char *start = jp->p;
    if (*jp->p == '-') {
        jp->p++;
        if (!is_digit(jp)) {
            jp_fail_char(jp, "in numeric literal");
            return -1;
        }
    }
    if (*jp->p == '0')
        jp->p++;
    else
        skip_digits(jp);
    if (!jp_eof(jp) && *jp->p == '.') {
        jp->p++;
        if (!is_digit(jp)) {
            jp_fail_char(jp, "after decimal point in numeric literal");
            return -1;
        }
        skip_digits(jp);
    }
    if (!jp_eof(jp) && (*jp->p == 'e' || *jp->p == 'E')) {
        jp->p++;
        if (!jp_eof(jp) && (*jp->p == '+' || *jp->p == '-'))
            jp->p++;
        if (!is_digit(jp)) {
            jp_fail_char(jp, "in exponent of numeric literal");
            return -1;
        }
        skip_digits(jp);
    }
    out->type = JV_NUMBER;
    out->s = xstrndup(start, (size_t)(jp->p - start));
    out->slen = (size_t)(jp->p - start);
    return 0;
}

static int jp_literal(struct jp *jp, const char *word, struct jv *out)
{
    for (size_t i = 1; word[i]; i++) {
        jp->p++;
        if (jp_eof(jp) || *jp->p != word[i]) {
            char ctx[64];
            snprintf(ctx, sizeof ctx, "in literal %s (expecting '%c')", word, word[i]);
            jp_fail_char(jp, ctx);
            return -1;
        }
    }
    jp->p++;
    out->type = word[0] == 'n' ? JV_NULL : JV_BOOL;
    out->b = word[0] == 't';
    return 0;
}

static int jp_value(struct jp *jp, struct jv *out);

static void jv_push(struct jv *v, size_t *cap)
{
    if (v->n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        v->elems = xrealloc(v->elems, *cap * sizeof *v->elems);
        if (v->type == JV_OBJECT)
            v->keys = xrealloc(v->keys, *cap * sizeof *v->keys);
    }
    memset(&v->elems[v->n], 0, sizeof v->elems[v->n]);
    if (v->type == JV_OBJECT)
        v->keys[v->n] = NULL;
    v->n++;
}

/* After an array element or object member: 1 after a comma (another item
 * follows), 0 after the closing bracket, -1 with Go's error otherwise. */
static int jp_separator(struct jp *jp, char close, const char *where)
{
    jp_skip_ws(jp);
    if (!jp_eof(jp) && (*jp->p == ',' || *jp->p == close))
        return *jp->p++ == ',' ? 1 : 0;
    jp_fail_char(jp, where);
    return -1;
}

static int jp_array(struct jp *jp, struct jv *out)
{
    size_t cap = 0;
    out->type = JV_ARRAY;
    jp->p++;
    jp_skip_ws(jp);
    if (!jp_eof(jp) && *jp->p == ']') {
        jp->p++;
        return 0;
    }
    for (;;) {
        jv_push(out, &cap);
        if (jp_value(jp, &out->elems[out->n - 1]) < 0)
            return -1;
        int more = jp_separator(jp, ']', "after array element");
        if (more <= 0)
            return more;
    }
}

static int jp_object(struct jp *jp, struct jv *out)
{
    size_t cap = 0;
    bool first = true;
    out->type = JV_OBJECT;
    jp->p++;
    for (;;) {
        jp_skip_ws(jp);
        if (first && !jp_eof(jp) && *jp->p == '}') {
            jp->p++;
            return 0;
        }
        first = false;
        if (jp_eof(jp) || *jp->p != '"') {
            jp_fail_char(jp, "looking for beginning of object key string");
            return -1;
        }
        jv_push(out, &cap);
        size_t klen;
        if (jp_string(jp, &out->keys[out->n - 1], &klen) < 0)
            return -1;
        jp_skip_ws(jp);
        if (jp_eof(jp) || *jp->p != ':') {
            jp_fail_char(jp, "after object key");
            return -1;
        }
        jp->p++;
        if (jp_value(jp, &out->elems[out->n - 1]) < 0)
            return -1;
        int more = jp_separator(jp, '}', "after object key:value pair");
        if (more <= 0)
            return more;
    }
}

static int jp_value(struct jp *jp, struct jv *out)
{
    jp_skip_ws(jp);
    if (jp_eof(jp)) {
        jp_fail_eof(jp);
        return -1;
    }
    char c = *jp->p;
    if (c == '{' || c == '[') {
        if (++jp->depth > JV_MAX_DEPTH) {
            jp->err = xstrdup("exceeded max depth");
            return -1;
        }
        int rc = c == '{' ? jp_object(jp, out) : jp_array(jp, out);
        jp->depth--;
        return rc;
    }
    if (c == '"') {
        out->type = JV_STRING;
        return jp_string(jp, &out->s, &out->slen);
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return jp_number(jp, out);
    if (c == 't')
        return jp_literal(jp, "true", out);
    if (c == 'f')
        return jp_literal(jp, "false", out);
    if (c == 'n')
        return jp_literal(jp, "null", out);
    jp_fail_char(jp, "looking for beginning of value");
    return -1;
}

int jv_parse(const char *buf, size_t len, struct jv *out, char **err)
{
    struct jp jp = {buf, buf + len, NULL, 0};
    memset(out, 0, sizeof *out);
    jp_skip_ws(&jp);
    if (jp_eof(&jp))
        return JV_EMPTY;
    if (jp_value(&jp, out) < 0) {
        jv_free(out);
        memset(out, 0, sizeof *out);
        *err = jp.err ? jp.err : xstrdup("unexpected EOF");
        return JV_ERROR;
    }
    return JV_OK;
}

void jv_free(struct jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jv_free(&v->elems[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->elems);
    free(v->keys);
    free(v->s);
    memset(v, 0, sizeof *v);
}

const char *jv_kind(const struct jv *v)
{
    switch (v->type) {
    case JV_BOOL:
        return "bool";
    case JV_NUMBER:
        return "number";
    case JV_STRING:
        return "string";
    case JV_ARRAY:
        return "array";
    case JV_OBJECT:
        return "object";
    default:
        return "null";
    }
}
