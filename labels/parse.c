/*
 * labels/parse.c: Alertmanager 0.25's classic matcher syntax (pkg/labels
 * ParseMatcher / ParseMatchers), reproduced rule by rule including its error
 * texts, since config files, amtool arguments and API filters all use it.
 */
#include "labels/labels.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Go's \s: ASCII only. */
static bool parse_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool parse_name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

struct parse_parts {
    const char *name;
    size_t name_len;
    enum matcher_type type;
    const char *value; /* raw, quotes and escapes still in */
    size_t value_len;
};

/* The grammar 0.25 matches with
 *   ^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$
 * written out by hand: only one way to match exists, so no backtracking. */
static bool parse_split(const char *s, struct parse_parts *pp)
{
    while (parse_is_space(*s))
        s++;
    if (!parse_name_char(*s, true))
        return false;
    pp->name = s;
    while (parse_name_char(*s, false))
        s++;
    pp->name_len = (size_t)(s - pp->name);
    while (parse_is_space(*s))
        s++;
    if (s[0] == '=' && s[1] == '~')
        pp->type = MATCH_REGEXP, s += 2;
    else if (s[0] == '=')
        pp->type = MATCH_EQUAL, s += 1;
    else if (s[0] == '!' && s[1] == '=')
        pp->type = MATCH_NOT_EQUAL, s += 2;
    else if (s[0] == '!' && s[1] == '~')
        pp->type = MATCH_NOT_REGEXP, s += 2;
    else
        return false;
    while (parse_is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && parse_is_space(s[n - 1]))
        n--;
    pp->value = s;
    pp->value_len = n;
    return true;
}

/* Undoes \" \\ \n; any other escape stays as written, as does a final lone
 * backslash.  A value opening with a quote must close with one as its last
 * character, and no other unescaped quote may appear. */
static int parse_unescape(const char *raw, size_t n, struct strbuf *out)
{
    bool quoted = n > 0 && raw[0] == '"';
    const char *v = raw + quoted;
    size_t len = n - quoted;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (c == '\\' && i + 1 < len) {
            char e = v[++i];
            if (e == 'n') {
                strbuf_putc(out, '\n');
            } else if (e == '"' || e == '\\') {
                strbuf_putc(out, e);
            } else {
                strbuf_putc(out, '\\');
                strbuf_putc(out, e);
            }
        } else if (c == '"') {
            if (!quoted || i + 1 < len)
                return -1;
            quoted = false;
        } else {
            strbuf_putc(out, c);
        }
    }
    return quoted ? -1 : 0;
}

int matcher_parse(const char *input, struct matcher *out, char **err)
{
    struct parse_parts pp;
    if (!parse_split(input, &pp)) {
        *err = xasprintf("bad matcher format: %s", input);
        return -1;
    }
    char *raw = xstrndup(pp.value, pp.value_len);
    bool quoted = raw[0] == '"';
    if (!utf8_valid(raw + quoted, strlen(raw + quoted))) {
        *err = xasprintf("matcher value not valid UTF-8: %s", raw);
        free(raw);
        return -1;
    }
    struct strbuf value = STRBUF_INIT;
    if (parse_unescape(raw, pp.value_len, &value) < 0) {
        *err = xasprintf("matcher value contains unescaped double quote: %s", raw);
        free(raw);
        strbuf_free(&value);
        return -1;
    }
    free(raw);
    char *name = xstrndup(pp.name, pp.name_len);
    char *v = strbuf_detach(&value);
    int rc = matcher_init(out, pp.type, name, v, err);
    free(name);
    free(v);
    return rc;
}

/* Appends the UTF-8 for one rune of s at *i, advancing *i; an invalid byte
 * becomes U+FFFD, as Go's range-over-string and WriteRune do. */
static void parse_copy_rune(const char *s, size_t len, size_t *i, struct strbuf *tok)
{
    unsigned char c = (unsigned char)s[*i];
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || *i + n > len || !utf8_valid(s + *i, n)) {
        strbuf_add(tok, "\xef\xbf\xbd", 3);
        (*i)++;
        return;
    }
    strbuf_add(tok, s + *i, n);
    *i += n;
}

static int parse_token(const char *tok, struct matchers *out, char **err)
{
    struct matcher m;
    if (matcher_parse(tok, &m, err) < 0)
        return -1;
    matchers_add(out, &m);
    return 0;
}

/* Splits on commas outside double quotes; a backslash escapes the quote
 * toggle.  Only the last piece is trimmed (and dropped when empty), so
 * "a=b,,c=d" fails on the empty middle piece as 0.25 does. */
static int parse_split_list(const char *s, size_t len, struct matchers *tmp, char **err)
{
    struct strbuf tok = STRBUF_INIT;
    bool in_quotes = false, escaped = false;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0;) {
        char c = s[i];
        if (c == ',' && !in_quotes) {
            rc = parse_token(strbuf_cstr(&tok), tmp, err);
            strbuf_reset(&tok);
            i++;
            continue;
        }
        if (c == '"') {
            if (!escaped)
                in_quotes = !in_quotes;
            else
                escaped = false;
        } else if (c == '\\') {
            escaped = !escaped;
        } else if (c != ',') {
            escaped = false;
        }
        parse_copy_rune(s, len, &i, &tok);
    }
    if (rc == 0) {
        const char *last = strbuf_cstr(&tok);
        size_t a = 0, b = tok.len;
        while (a < b && parse_is_space(last[a]))
            a++;
        while (b > a && parse_is_space(last[b - 1]))
            b--;
        if (b > a) {
            char *piece = xstrndup(last + a, b - a);
            rc = parse_token(piece, tmp, err);
            free(piece);
        }
    }
    strbuf_free(&tok);
    return rc;
}

int matchers_parse(const char *input, struct matchers *out, char **err)
{
    size_t len = strlen(input);
    const char *s = input;
    if (len > 0 && s[0] == '{')
        s++, len--;
    if (len > 0 && s[len - 1] == '}')
        len--;
    struct matchers tmp = MATCHERS_INIT;
    if (parse_split_list(s, len, &tmp, err) < 0) {
        matchers_free(&tmp);
        return -1;
    }
    for (size_t i = 0; i < tmp.len; i++)
        matchers_add(out, &tmp.items[i]);
    free(tmp.items);
    return 0;
}
