/*
 * Lexer for Go's text/template: splits the source into text and the tokens
 * inside {{ }} actions, applying {{- and -}} trimming and dropping comments.
 * Token kinds, terminator rules and error texts follow Go's text/template/parse
 * so that parse errors read the same.
 */
#include "template/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

enum lex_state { LS_TEXT, LS_LEFT, LS_INSIDE, LS_PENDING_ERROR, LS_DONE };

struct lexer {
    const char *in;
    size_t len;
    size_t pos;
    int line;
    enum lex_state state;
    int paren_depth;
    char errbuf[128];
};

struct lexer *lexer_new(const char *input, size_t len)
{
    struct lexer *lx = xcalloc(1, sizeof *lx);
    lx->in = input;
    lx->len = len;
    lx->line = 1;
    lx->state = LS_TEXT;
    return lx;
}

void lexer_free(struct lexer *lx)
{
    free(lx);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
    return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

static bool at(const struct lexer *lx, size_t pos, const char *s)
{
    size_t n = strlen(s);
    return pos + n <= lx->len && memcmp(lx->in + pos, s, n) == 0;
}

static void count_lines(struct lexer *lx, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (lx->in[i] == '\n')
            lx->line++;
}

static struct item make_item(struct lexer *lx, enum item_type t, size_t start, size_t end)
{
    struct item it = {t, start, lx->in + start, end - start, lx->line};
    count_lines(lx, start, end);
    lx->pos = end;
    return it;
}

static struct item lex_error(struct lexer *lx, const char *msg)
{
    snprintf(lx->errbuf, sizeof lx->errbuf, "%s", msg);
    struct item it = {ITEM_ERROR, lx->pos, lx->errbuf, strlen(lx->errbuf), lx->line};
    lx->state = LS_DONE;
    return it;
}

/* A right delimiter at pos: 1 plain "}}", 2 with trim marker " -}}". */
static int right_delim_at(const struct lexer *lx, size_t pos)
{
    if (pos + 1 < lx->len && is_space(lx->in[pos]) && lx->in[pos + 1] == '-' &&
        at(lx, pos + 2, "}}"))
        return 2;
    return at(lx, pos, "}}") ? 1 : 0;
}

static bool left_trim_at(const struct lexer *lx, size_t delim)
{
    return delim + 3 < lx->len && lx->in[delim + 2] == '-' && is_space(lx->in[delim + 3]);
}

static size_t skip_space(const struct lexer *lx, size_t pos)
{
    while (pos < lx->len && is_space(lx->in[pos]))
        pos++;
    return pos;
}

static struct item lex_text(struct lexer *lx)
{
    if (lx->pos >= lx->len) {
        lx->state = LS_DONE;
        return make_item(lx, ITEM_EOF, lx->pos, lx->pos);
    }
    const char *d = memmem(lx->in + lx->pos, lx->len - lx->pos, "{{", 2);
    size_t delim = d ? (size_t)(d - lx->in) : lx->len;
    size_t end = delim;
    if (d && left_trim_at(lx, delim))
        while (end > lx->pos && is_space(lx->in[end - 1]))
            end--;
    if (d)
        lx->state = LS_LEFT;
    if (end > lx->pos) {
        struct item it = make_item(lx, ITEM_TEXT, lx->pos, end);
        count_lines(lx, end, delim);
        lx->pos = delim;
        return it;
    }
    count_lines(lx, lx->pos, delim);
    lx->pos = delim;
    return lexer_next(lx);
}

/* Comments are dropped; the text after them is lexed as if adjacent. */
static struct item lex_comment(struct lexer *lx, size_t start)
{
    const char *e = memmem(lx->in + start + 2, lx->len - start - 2, "*/", 2);
    if (!e)
        return lex_error(lx, "unclosed comment");
    size_t after = (size_t)(e - lx->in) + 2;
    int rd = right_delim_at(lx, after);
    if (!rd)
        return lex_error(lx, "comment ends before closing delimiter");
    size_t next = after + (rd == 2 ? 4 : 2);
    if (rd == 2)
        next = skip_space(lx, next);
    count_lines(lx, lx->pos, next);
    lx->pos = next;
    lx->state = LS_TEXT;
    return lexer_next(lx);
}

static struct item lex_left(struct lexer *lx)
{
    size_t delim = lx->pos;
    size_t after = delim + (left_trim_at(lx, delim) ? 4 : 2);
    if (at(lx, after, "/*"))
        return lex_comment(lx, after);
    lx->state = LS_INSIDE;
    lx->paren_depth = 0;
    struct item it = make_item(lx, ITEM_LEFT, delim, delim + 2);
    count_lines(lx, delim + 2, after);
    lx->pos = after;
    return it;
}

static bool at_terminator(const struct lexer *lx, size_t pos)
{
    if (pos >= lx->len)
        return true;
    char c = lx->in[pos];
    if (is_space(c) || strchr(".,|:()", c))
        return true;
    return at(lx, pos, "}}");
}

static const struct {
    const char *word;
    enum item_type type;
} keywords[] = {
    {"block", ITEM_BLOCK}, {"break", ITEM_BREAK}, {"continue", ITEM_CONTINUE},
    {"define", ITEM_DEFINE}, {"else", ITEM_ELSE}, {"end", ITEM_END}, {"if", ITEM_IF},
    {"nil", ITEM_NIL}, {"range", ITEM_RANGE}, {"template", ITEM_TEMPLATE},
    {"with", ITEM_WITH}, {"true", ITEM_BOOL}, {"false", ITEM_BOOL},
};

static struct item bad_char(struct lexer *lx, size_t pos)
{
    char msg[64];
    unsigned char c = (unsigned char)lx->in[pos];
    snprintf(msg, sizeof msg, "bad character U+%04X '%c'", c, c);
    lx->pos = pos;
    return lex_error(lx, msg);
}

static struct item lex_identifier(struct lexer *lx)
{
    size_t end = lx->pos;
    while (end < lx->len && is_alnum(lx->in[end]))
        end++;
    if (!at_terminator(lx, end))
        return bad_char(lx, end);
    size_t n = end - lx->pos;
    for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
        if (strlen(keywords[i].word) == n && !memcmp(keywords[i].word, lx->in + lx->pos, n))
            return make_item(lx, keywords[i].type, lx->pos, end);
    return make_item(lx, ITEM_IDENT, lx->pos, end);
}

/* ".Name" / "$name"; a lone "." is dot and a lone "$" is the variable $. */
static struct item lex_field_or_var(struct lexer *lx, enum item_type type)
{
    size_t end = lx->pos + 1;
    if (at_terminator(lx, end)) {
        if (type == ITEM_VARIABLE)
            return make_item(lx, ITEM_VARIABLE, lx->pos, end);
        return make_item(lx, ITEM_DOT, lx->pos, end);
    }
    if (!is_alnum(lx->in[end]))
        return bad_char(lx, end);
    while (end < lx->len && is_alnum(lx->in[end]))
        end++;
    if (!at_terminator(lx, end))
        return bad_char(lx, end);
    return make_item(lx, type, lx->pos, end);
}

static size_t scan_digits(const struct lexer *lx, size_t p, const char *digits)
{
    while (p < lx->len && (strchr(digits, lx->in[p]) && lx->in[p]))
        p++;
    return p;
}

/* Go's scanNumber: returns the end of the number at p, or 0 with *bad set
 * to the end of the bad text when an alphanumeric follows. */
static size_t scan_number(const struct lexer *lx, size_t p, size_t *bad)
{
    if (p < lx->len && (lx->in[p] == '+' || lx->in[p] == '-'))
        p++;
    const char *digits = "0123456789_";
    if (at(lx, p, "0") && p + 1 < lx->len && strchr("xXoObB", lx->in[p + 1])) {
        char c = (char)tolower((unsigned char)lx->in[p + 1]);
        digits = c == 'x' ? "0123456789abcdefABCDEF_" : c == 'o' ? "01234567_" : "01_";
        p += 2;
    }
    p = scan_digits(lx, p, digits);
    if (p < lx->len && lx->in[p] == '.')
        p = scan_digits(lx, p + 1, digits);
    bool hex = strlen(digits) > 12;
    if (p < lx->len && strchr(hex ? "pP" : "eE", lx->in[p]) && lx->in[p] &&
        (hex || strlen(digits) == 11)) {
        p++;
        if (p < lx->len && (lx->in[p] == '+' || lx->in[p] == '-'))
            p++;
        p = scan_digits(lx, p, "0123456789_");
    }
    if (p < lx->len && lx->in[p] == 'i')
        p++;
    if (p < lx->len && is_alnum(lx->in[p])) {
        *bad = p + 1;
        return 0;
    }
    return p;
}

static struct item bad_number(struct lexer *lx, size_t end)
{
    char msg[96];
    struct strbuf q = STRBUF_INIT;
    char *text = xstrndup(lx->in + lx->pos, end - lx->pos);
    strbuf_go_quote(&q, text);
    free(text);
    snprintf(msg, sizeof msg, "bad number syntax: %s", strbuf_cstr(&q));
    strbuf_free(&q);
    return lex_error(lx, msg);
}

static struct item lex_number(struct lexer *lx)
{
    size_t bad = 0;
    size_t p = scan_number(lx, lx->pos, &bad);
    if (!p)
        return bad_number(lx, bad);
    if (p < lx->len && (lx->in[p] == '+' || lx->in[p] == '-')) {
        /* a complex constant such as 1+2i; anything else is malformed */
        size_t q = scan_number(lx, p, &bad);
        if (!q || lx->in[q - 1] != 'i')
            return bad_number(lx, q ? q : bad);
        p = q;
    }
    return make_item(lx, ITEM_NUMBER, lx->pos, p);
}

static struct item lex_quote(struct lexer *lx, char q, enum item_type type, const char *err)
{
    size_t p = lx->pos + 1;
    for (;;) {
        if (p >= lx->len || (q != '`' && lx->in[p] == '\n'))
            return lex_error(lx, err);
        char c = lx->in[p++];
        if (c == '\\' && q != '`') {
            if (p >= lx->len || lx->in[p] == '\n')
                return lex_error(lx, err);
            p++;
        } else if (c == q) {
            break;
        }
    }
    return make_item(lx, type, lx->pos, p);
}

static struct item lex_space(struct lexer *lx)
{
    size_t p = lx->pos;
    while (p < lx->len && is_space(lx->in[p]))
        p++;
    /* The last space may belong to a " -}}" trim marker. */
    if (p > lx->pos && right_delim_at(lx, p - 1) == 2)
        p--;
    if (p == lx->pos)
        return lexer_next(lx);
    return make_item(lx, ITEM_SPACE, lx->pos, p);
}

static struct item lex_right(struct lexer *lx, int rd)
{
    if (lx->paren_depth)
        return lex_error(lx, "unclosed left paren");
    size_t start = lx->pos + (rd == 2 ? 2 : 0);
    count_lines(lx, lx->pos, start); /* the marker's space may be a newline */
    struct item it = make_item(lx, ITEM_RIGHT, start, start + 2);
    if (rd == 2) {
        size_t next = skip_space(lx, lx->pos);
        count_lines(lx, lx->pos, next);
        lx->pos = next;
    }
    lx->state = LS_TEXT;
    return it;
}

static struct item lex_punct(struct lexer *lx, char c)
{
    size_t p = lx->pos;
    switch (c) {
    case '=':
        return make_item(lx, ITEM_ASSIGN, p, p + 1);
    case ':':
        if (!at(lx, p, ":="))
            return lex_error(lx, "expected :=");
        return make_item(lx, ITEM_DECLARE, p, p + 2);
    case '|':
        return make_item(lx, ITEM_PIPE, p, p + 1);
    case '(':
        lx->paren_depth++;
        return make_item(lx, ITEM_LPAREN, p, p + 1);
    case ')':
        if (--lx->paren_depth < 0) {
            /* Go emits the paren, then the error. */
            snprintf(lx->errbuf, sizeof lx->errbuf, "unexpected right paren");
            struct item it = make_item(lx, ITEM_RPAREN, p, p + 1);
            lx->state = LS_PENDING_ERROR;
            return it;
        }
        return make_item(lx, ITEM_RPAREN, p, p + 1);
    case ',':
        return make_item(lx, ITEM_COMMA, p, p + 1);
    }
    char msg[64];
    if ((unsigned char)c < 0x80 && isprint((unsigned char)c))
        return make_item(lx, ITEM_PUNCT, p, p + 1);
    snprintf(msg, sizeof msg, "unrecognized character in action: U+%04X", (unsigned char)c);
    return lex_error(lx, msg);
}

static struct item lex_inside(struct lexer *lx)
{
    int rd = right_delim_at(lx, lx->pos);
    if (rd)
        return lex_right(lx, rd);
    if (lx->pos >= lx->len)
        return lex_error(lx, "unclosed action");
    char c = lx->in[lx->pos];
    char n = lx->pos + 1 < lx->len ? lx->in[lx->pos + 1] : 0;
    if (is_space(c))
        return lex_space(lx);
    if (c == '"')
        return lex_quote(lx, '"', ITEM_STRING, "unterminated quoted string");
    if (c == '`')
        return lex_quote(lx, '`', ITEM_RAWSTRING, "unterminated raw quoted string");
    if (c == '\'')
        return lex_quote(lx, '\'', ITEM_CHAR, "unterminated character constant");
    if (c == '$')
        return lex_field_or_var(lx, ITEM_VARIABLE);
    if (c == '.' && isdigit((unsigned char)n))
        return lex_number(lx);
    if (c == '.')
        return lex_field_or_var(lx, ITEM_FIELD);
    if (c == '+' || c == '-' || isdigit((unsigned char)c))
        return lex_number(lx);
    if (is_alnum(c))
        return lex_identifier(lx);
    return lex_punct(lx, c);
}

struct item lexer_next(struct lexer *lx)
{
    switch (lx->state) {
    case LS_TEXT:
        return lex_text(lx);
    case LS_LEFT:
        return lex_left(lx);
    case LS_INSIDE:
        return lex_inside(lx);
    case LS_PENDING_ERROR: {
        char msg[sizeof lx->errbuf];
        memcpy(msg, lx->errbuf, sizeof msg);
        return lex_error(lx, msg);
    }
    case LS_DONE:
        break;
    }
    struct item eof = {ITEM_EOF, lx->len, lx->in + lx->len, 0, lx->line};
    return eof;
}
