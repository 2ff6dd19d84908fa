/*
 * labels/re2.c: Go regexp/syntax front end for PCRE2.
 *
 * Alertmanager compiles matcher regexes with Go's regexp package.  PCRE2
 * accepts a superset of that syntax with different meanings in places (\s,
 * $, `.`, octal escapes, {,n}...), so instead of handing the user's text to
 * PCRE2 this file walks it the way Go's parser does, reports the same errors
 * with the same fragments, and emits a pattern built only from constructs
 * whose PCRE2 meaning equals the RE2 one (literals as \x{..}, explicit
 * classes and anchors).  Capturing groups are kept in order so a later
 * replace helper sees Go's group numbers.
 */
#include "labels/re2.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Go's parser flags that change meaning (the rest of the Perl set is fixed). */
enum {
    RF_FOLD = 1,      /* (?i) */
    RF_DOTNL = 2,     /* (?s) */
    RF_ONELINE = 4,   /* cleared by (?m) */
    RF_NONGREEDY = 8, /* (?U) */
};

#define RE2_MAX_REPEAT 1000
/* Go refuses trees taller than 1000 nodes.  Only capturing groups and the
 * anchoring concatenation make nodes here (non-capturing groups do not), so
 * the height is approximated as open captures + 2: exact for the anchored
 * matcher form on plain nesting, one short for unanchored helpers. */
#define RE2_MAX_HEIGHT 1000
/* Non-capturing nesting beyond this is refused rather than handed to PCRE2,
 * whose own limit is lower (it then reports "expression too large"). */
#define RE2_MAX_FRAMES 4096

struct re2_frame {
    unsigned flags;   /* restored at the closing paren */
    size_t out_start; /* where the group's text begins in the output */
    unsigned maxrep;  /* largest product of nested {n} counts inside */
    bool out_fold;    /* PCRE2's caseless state where the group opened */
    bool capture;
};

enum re2_top { TOP_NONE, TOP_PSEUDO, TOP_ITEM };

struct re2_parser {
    const char *whole;
    const char *end;
    struct strbuf *out;
    unsigned flags;
    struct re2_frame *frames; /* frames[0] is the whole expression */
    size_t depth, frames_cap;
    size_t captures_open;
    enum re2_top top;
    size_t item_start;     /* output offset of the item a repeat applies to */
    bool item_wrap;        /* a repeat needs (?:...) around the item */
    unsigned item_maxrep;  /* repeat-count product within the item */
    const char *last_repeat;
    bool out_fold; /* whether the output has (?i) in force here */
    char *err;
};

/* ---- errors ---- */

static int re2_fail(struct re2_parser *p, const char *code, const char *frag, size_t n)
{
    if (!p->err)
        p->err = xasprintf("error parsing regexp: %s: `%.*s`", code, (int)n, frag);
    return -1;
}

static int re2_fail_span(struct re2_parser *p, const char *code, const char *from, const char *to)
{
    return re2_fail(p, code, from, (size_t)(to - from));
}

static int re2_fail_whole(struct re2_parser *p, const char *code)
{
    return re2_fail_span(p, code, p->whole, p->end);
}

/* ---- runes ---- */

/* Go's nextRune: decodes one rune; at the end yields U+FFFD without moving
 * (Go's DecodeRune of "" does the same); invalid UTF-8 is an error. */
static int re2_next_rune(struct re2_parser *p, const char **t, uint32_t *c)
{
    const unsigned char *s = (const unsigned char *)*t;
    size_t avail = (size_t)(p->end - *t);
    if (avail == 0) {
        *c = 0xfffd;
        return 0;
    }
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (n > avail || !utf8_valid(*t, n) || (s[0] >= 0x80 && s[0] < 0xc0))
        return re2_fail_span(p, "invalid UTF-8", *t, p->end);
    uint32_t v = n == 1 ? s[0] : n == 2 ? s[0] & 0x1fu : n == 3 ? s[0] & 0x0fu : s[0] & 0x07u;
    for (size_t i = 1; i < n; i++)
        v = (v << 6) | (s[i] & 0x3fu);
    *c = v;
    *t += n;
    return 0;
}

static bool re2_isalnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int re2_unhex(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

/* ---- output ---- */

static void re2_emit_rune(struct strbuf *out, uint32_t c)
{
    if (re2_isalnum(c))
        strbuf_putc(out, (char)c);
    else
        strbuf_printf(out, "\\x{%x}", (unsigned)c);
}

static void re2_frame_note(struct re2_parser *p, unsigned rep)
{
    struct re2_frame *f = &p->frames[p->depth];
    if (rep > f->maxrep)
        f->maxrep = rep;
}

/* Begins a new item at the current end of the output. */
static void re2_item_begin(struct re2_parser *p, bool wrap)
{
    p->top = TOP_ITEM;
    p->item_start = p->out->len;
    p->item_wrap = wrap;
    p->item_maxrep = 1;
    re2_frame_note(p, 1);
}

/* Go's (?i) is switched on in PCRE2 only before an atom that needs it, so
 * a flag group between an item and its quantifier emits nothing, and runs of
 * folded literals stay compact (PCRE2's compiled size is limited).  PCRE2
 * scopes an inline option to its group like Go does. */
static void re2_sync_fold(struct re2_parser *p)
{
    bool fold = (p->flags & RF_FOLD) != 0;
    if (fold != p->out_fold)
        strbuf_puts(p->out, fold ? "(?i)" : "(?-i)");
    p->out_fold = fold;
}

static void re2_emit_literal(struct re2_parser *p, uint32_t c)
{
    re2_sync_fold(p);
    re2_item_begin(p, false);
    re2_emit_rune(p->out, c);
}

/* Zero-width and other items that cannot take a quantifier bare. */
static void re2_emit_special(struct re2_parser *p, const char *text)
{
    re2_item_begin(p, true);
    strbuf_puts(p->out, text);
}

/* ---- escapes (Go's parseEscape) ---- */

static int re2_escape_hex(struct re2_parser *p, const char *s, const char **t, uint32_t *r)
{
    uint32_t c;
    if (*t == p->end)
        goto bad;
    if (re2_next_rune(p, t, &c) < 0)
        return -1;
    if (c == '{') {
        int nhex = 0;
        uint32_t v = 0;
        for (;;) {
            if (*t == p->end)
                goto bad;
            if (re2_next_rune(p, t, &c) < 0)
                return -1;
            if (c == '}')
                break;
            int x = re2_unhex(c);
            if (x < 0)
                goto bad;
            v = v * 16 + (uint32_t)x;
            if (v > 0x10ffff)
                goto bad;
            nhex++;
        }
        if (nhex == 0)
            goto bad;
        *r = v;
        return 0;
    }
    int x = re2_unhex(c);
    if (re2_next_rune(p, t, &c) < 0)
        return -1;
    int y = re2_unhex(c);
    if (x < 0 || y < 0)
        goto bad;
    *r = (uint32_t)(x * 16 + y);
    return 0;
bad:
    return re2_fail_span(p, "invalid escape sequence", s, *t);
}

static int re2_escape_octal(const char **t, const char *end, uint32_t first, uint32_t *r)
{
    uint32_t v = first - '0';
    for (int i = 1; i < 3; i++) {
        if (*t == end || **t < '0' || **t > '7')
            break;
        v = v * 8 + (uint32_t)(**t - '0');
        (*t)++;
    }
    *r = v;
    return 0;
}

/* s points at the backslash; on success *rest is past the escape. */
static int re2_parse_escape(struct re2_parser *p, const char *s, const char **rest, uint32_t *r)
{
    const char *t = s + 1;
    uint32_t c;
    if (t == p->end)
        return re2_fail(p, "trailing backslash at end of expression", "", 0);
    if (re2_next_rune(p, &t, &c) < 0)
        return -1;
    *rest = t;
    switch (c) {
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        /* A lone non-zero digit would be a backreference: unsupported. */
        if (t == p->end || *t < '0' || *t > '7')
            break;
        /* fallthrough */
    case '0':
        re2_escape_octal(rest, p->end, c, r);
        return 0;
    case 'x':
        if (t == p->end)
            break;
        if (re2_escape_hex(p, s, rest, r) < 0)
            return -1;
        return 0;
    case 'a': *r = 7; return 0;
    case 'f': *r = 12; return 0;
    case 'n': *r = 10; return 0;
    case 'r': *r = 13; return 0;
    case 't': *r = 9; return 0;
    case 'v': *r = 11; return 0;
    default:
        /* Escaped punctuation is itself; letters and digits must be known. */
        if (c < 0x80 && !re2_isalnum(c)) {
            *r = c;
            return 0;
        }
        break;
    }
    return re2_fail_span(p, "invalid escape sequence", s, t);
}

/* ---- character classes ---- */

struct re2_range {
    uint32_t lo, hi;
};

/* Go's ASCII class tables, as [lo,hi] pairs, sorted. */
static const struct re2_range re2_digit[] = {{'0', '9'}};
static const struct re2_range re2_space[] = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
static const struct re2_range re2_word[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const struct re2_range re2_alnum[] = {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
static const struct re2_range re2_alpha[] = {{'A', 'Z'}, {'a', 'z'}};
static const struct re2_range re2_ascii[] = {{0, 0x7f}};
static const struct re2_range re2_blank[] = {{'\t', '\t'}, {' ', ' '}};
static const struct re2_range re2_cntrl[] = {{0, 0x1f}, {0x7f, 0x7f}};
static const struct re2_range re2_graph[] = {{'!', '~'}};
static const struct re2_range re2_lower[] = {{'a', 'z'}};
static const struct re2_range re2_print[] = {{' ', '~'}};
static const struct re2_range re2_punct[] = {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
static const struct re2_range re2_pspace[] = {{'\t', '\r'}, {' ', ' '}};
static const struct re2_range re2_upper[] = {{'A', 'Z'}};
static const struct re2_range re2_xdigit[] = {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};

struct re2_group {
    const char *name;
    const struct re2_range *r;
    size_t n;
};
#define RE2_GROUP(name, tab) {name, tab, ARRAY_SIZE(tab)}

static const struct re2_group re2_posix_groups[] = {
    RE2_GROUP("alnum", re2_alnum), RE2_GROUP("alpha", re2_alpha),
    RE2_GROUP("ascii", re2_ascii), RE2_GROUP("blank", re2_blank),
    RE2_GROUP("cntrl", re2_cntrl), RE2_GROUP("digit", re2_digit),
    RE2_GROUP("graph", re2_graph), RE2_GROUP("lower", re2_lower),
    RE2_GROUP("print", re2_print), RE2_GROUP("punct", re2_punct),
    RE2_GROUP("space", re2_pspace), RE2_GROUP("upper", re2_upper),
    RE2_GROUP("word", re2_word), RE2_GROUP("xdigit", re2_xdigit),
};

static void re2_emit_range(struct strbuf *out, uint32_t lo, uint32_t hi)
{
    strbuf_printf(out, "\\x{%x}", (unsigned)lo);
    if (hi != lo)
        strbuf_printf(out, "-\\x{%x}", (unsigned)hi);
}

/* Emits the ranges, or their complement over all code points. */
static void re2_emit_group(struct strbuf *out, const struct re2_range *r, size_t n, bool negate)
{
    if (!negate) {
        for (size_t i = 0; i < n; i++)
            re2_emit_range(out, r[i].lo, r[i].hi);
        return;
    }
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].lo > next)
            re2_emit_range(out, next, r[i].lo - 1);
        next = r[i].hi + 1;
    }
    if (next <= 0x10ffff)
        re2_emit_range(out, next, 0x10ffff);
}

/* \d \D \s \S \w \W (Go's perlGroup, all ASCII); upper case negates. */
static bool re2_perl_class(struct re2_parser *p, const char **t, struct strbuf *cls)
{
    const char *s = *t;
    if (p->end - s < 2 || s[0] != '\\')
        return false;
    const struct re2_range *r;
    size_t n;
    switch (s[1]) {
    case 'd': case 'D': r = re2_digit; n = ARRAY_SIZE(re2_digit); break;
    case 's': case 'S': r = re2_space; n = ARRAY_SIZE(re2_space); break;
    case 'w': case 'W': r = re2_word; n = ARRAY_SIZE(re2_word); break;
    default: return false;
    }
    re2_emit_group(cls, r, n, s[1] >= 'A' && s[1] <= 'Z');
    *t = s + 2;
    return true;
}

static bool re2_category_known(const char *name, size_t len)
{
    static const char *const cats[] = {
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc",
        "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po",
        "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs", "Any"};
    for (size_t i = 0; i < ARRAY_SIZE(cats); i++)
        if (strlen(cats[i]) == len && memcmp(cats[i], name, len) == 0)
            return true;
    return false;
}

/* Go 1.19 accepts its general categories, "Any" and its script names,
 * spelt exactly.  Script names are vetted by PCRE2, after rejecting the forms
 * PCRE2 takes that Go does not (other capitalisations, 4-letter ISO codes).
 * *script tells the caller to ask PCRE2 for the Script property, not the
 * Script_Extensions it uses by default for a bare name. */
static bool re2_property_valid(const char *name, size_t len, bool *script)
{
    static const char *const four[] = {"Cham", "Lisu", "Modi", "Newa", "Thai"};
    /* Known to PCRE2 10.42 (Unicode 14) but not to Go 1.19 (Unicode 13). */
    static const char *const newer[] = {"Cypro_Minoan", "Old_Uyghur", "Tangsa", "Vithkuqi",
                                        "Unknown"};
    *script = false;
    for (size_t i = 0; i < ARRAY_SIZE(newer); i++)
        if (strlen(newer[i]) == len && memcmp(newer[i], name, len) == 0)
            return false;
    if (re2_category_known(name, len))
        return true;
    if (len < 2 || name[0] < 'A' || name[0] > 'Z' || name[1] < 'a' || name[1] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!re2_isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    if (len == 2 && memcmp(name, "Yi", 2) != 0)
        return false;
    if (len == 4) {
        bool ok = false;
        for (size_t i = 0; i < ARRAY_SIZE(four); i++)
            ok = ok || memcmp(name, four[i], 4) == 0;
        if (!ok)
            return false;
    }
    *script = true;
    return regex_property_known(name, len);
}

/* Go's parseUnicodeClass: \pL, \p{Greek}, \p{^Greek}, \PL.  Returns 1 when
 * it parsed one, 0 when t is not one, -1 on error. */
static int re2_unicode_class(struct re2_parser *p, const char **t, struct strbuf *cls)
{
    const char *s = *t;
    if (p->end - s < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P'))
        return 0;
    bool neg = s[1] == 'P';
    const char *u = s + 2;
    uint32_t c;
    if (re2_next_rune(p, &u, &c) < 0)
        return -1;
    const char *name, *seq_end;
    size_t len;
    if (c != '{') {
        seq_end = u;
        name = s + 2;
        len = (size_t)(u - name);
    } else {
        const char *close = memchr(s, '}', (size_t)(p->end - s));
        if (!close)
            return re2_fail_span(p, "invalid character class range", s, p->end);
        seq_end = close + 1;
        name = s + 3;
        len = (size_t)(close - name);
        if (!utf8_valid(name, len))
            return re2_fail_span(p, "invalid UTF-8", name, p->end);
    }
    if (len > 0 && name[0] == '^') {
        neg = !neg;
        name++;
        len--;
    }
    bool script;
    if (!re2_property_valid(name, len, &script))
        return re2_fail_span(p, "invalid character class range", s, seq_end);
    /* Go folds a class under (?i); PCRE2 ignores caselessness for \p.  For
     * the cased-letter categories the folded set is (nearly) L&. */
    if ((p->flags & RF_FOLD) && len == 2 && name[0] == 'L' && strchr("ult", name[1])) {
        name = "L&";
        len = 2;
    }
    strbuf_printf(cls, "\\%c{%s%.*s}", neg ? 'P' : 'p', script ? "sc:" : "", (int)len, name);
    *t = seq_end;
    return 1;
}

/* [:alpha:] and [:^alpha:]; 1 parsed, 0 not one, -1 error. */
static int re2_named_class(struct re2_parser *p, const char **t, struct strbuf *cls)
{
    const char *s = *t;
    const char *close = NULL;
    for (const char *q = s + 2; q + 1 < p->end; q++) {
        if (q[0] == ':' && q[1] == ']') {
            close = q;
            break;
        }
    }
    if (!close)
        return 0;
    const char *name = s + 2;
    size_t len = (size_t)(close - name);
    bool neg = len > 0 && name[0] == '^';
    if (neg) {
        name++;
        len--;
    }
    for (size_t i = 0; i < ARRAY_SIZE(re2_posix_groups); i++) {
        const struct re2_group *g = &re2_posix_groups[i];
        if (strlen(g->name) == len && memcmp(g->name, name, len) == 0) {
            re2_emit_group(cls, g->r, g->n, neg);
            *t = close + 2;
            return 1;
        }
    }
    return re2_fail_span(p, "invalid character class range", s, close + 2);
}

static int re2_class_char(struct re2_parser *p, const char **t, const char *whole_class, uint32_t *r)
{
    if (*t == p->end)
        return re2_fail_span(p, "missing closing ]", whole_class, p->end);
    if (**t == '\\')
        return re2_parse_escape(p, *t, t, r);
    return re2_next_rune(p, t, r);
}

/* One class element; returns 0 or -1. */
static int re2_class_item(struct re2_parser *p, const char **t, const char *whole, struct strbuf *cls)
{
    int rc;
    if (p->end - *t > 2 && (*t)[0] == '[' && (*t)[1] == ':') {
        if ((rc = re2_named_class(p, t, cls)) != 0)
            return rc < 0 ? -1 : 0;
    }
    if ((rc = re2_unicode_class(p, t, cls)) != 0)
        return rc < 0 ? -1 : 0;
    if (re2_perl_class(p, t, cls))
        return 0;
    const char *rng = *t;
    uint32_t lo, hi;
    if (re2_class_char(p, t, whole, &lo) < 0)
        return -1;
    hi = lo;
    if (p->end - *t >= 2 && (*t)[0] == '-' && (*t)[1] != ']') {
        (*t)++;
        if (re2_class_char(p, t, whole, &hi) < 0)
            return -1;
        if (hi < lo)
            return re2_fail_span(p, "invalid character class range", rng, *t);
    }
    re2_emit_range(cls, lo, hi);
    return 0;
}

/* s points at '['. */
static int re2_parse_class(struct re2_parser *p, const char **t)
{
    const char *s = *t;
    const char *u = s + 1;
    struct strbuf cls = STRBUF_INIT;
    bool neg = u != p->end && *u == '^';
    if (neg)
        u++;
    bool first = true;
    while (u == p->end || *u != ']' || first) {
        first = false;
        if (re2_class_item(p, &u, s, &cls) < 0) {
            strbuf_free(&cls);
            return -1;
        }
    }
    u++;
    re2_sync_fold(p);
    re2_item_begin(p, false);
    strbuf_puts(p->out, neg ? "[^" : "[");
    strbuf_add(p->out, cls.buf, cls.len);
    strbuf_putc(p->out, ']');
    strbuf_free(&cls);
    *t = u;
    return 0;
}

/* ---- repetition ---- */

/* Go's parseInt: no leading zeros; -1 when too big. */
static bool re2_parse_int(const char **t, const char *end, int *n)
{
    const char *s = *t;
    if (s == end || *s < '0' || *s > '9')
        return false;
    if (end - s >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
        return false;
    int v = 0;
    for (; s != end && *s >= '0' && *s <= '9'; s++) {
        if (v >= 100000000)
            v = -1;
        if (v >= 0)
            v = v * 10 + (*s - '0');
    }
    *n = v;
    *t = s;
    return true;
}

/* Go's parseRepeat: {n}, {n,}, {n,m}; false means the '{' is a literal. */
static bool re2_parse_repeat(const char *s, const char *end, int *min, int *max, const char **rest)
{
    const char *t = s + 1;
    if (!re2_parse_int(&t, end, min) || t == end)
        return false;
    if (*t != ',') {
        *max = *min;
    } else {
        t++;
        if (t == end)
            return false;
        if (*t == '}') {
            *max = -1;
        } else {
            if (!re2_parse_int(&t, end, max))
                return false;
            if (*max < 0)
                *min = -1;
        }
    }
    if (t == end || *t != '}')
        return false;
    *rest = t + 1;
    return true;
}

static unsigned re2_mulsat(unsigned a, unsigned b)
{
    uint64_t v = (uint64_t)a * b;
    return v > RE2_MAX_REPEAT + 1 ? RE2_MAX_REPEAT + 1 : (unsigned)v;
}

/* Puts the quantifier after the item, first wrapping the item in (?:...)
 * when PCRE2 would read a bare quantifier differently (a** or a*+ there are
 * not Go's star-of-star, and assertions take none). */
static void re2_emit_quantifier(struct re2_parser *p, char op, int min, int max, bool nongreedy)
{
    if (p->item_wrap) {
        strbuf_grow(p->out, 3);
        memmove(p->out->buf + p->item_start + 3, p->out->buf + p->item_start,
                p->out->len - p->item_start + 1);
        memcpy(p->out->buf + p->item_start, "(?:", 3);
        p->out->len += 3;
        strbuf_putc(p->out, ')');
    }
    if (op == '{' && max < 0)
        strbuf_printf(p->out, "{%d,}", min);
    else if (op == '{' && max == min)
        strbuf_printf(p->out, "{%d}", min);
    else if (op == '{')
        strbuf_printf(p->out, "{%d,%d}", min, max);
    else
        strbuf_putc(p->out, op);
    if (nongreedy)
        strbuf_putc(p->out, '?');
    p->item_wrap = true;
}

/* Applies a repetition operator (before..after is its text) to the item. */
static int re2_repeat(struct re2_parser *p, char op, int min, int max, const char *before,
                      const char **after)
{
    bool nongreedy = (p->flags & RF_NONGREEDY) != 0;
    if (*after != p->end && **after == '?') {
        (*after)++;
        nongreedy = !nongreedy;
    }
    if (p->last_repeat)
        return re2_fail_span(p, "invalid nested repetition operator", p->last_repeat, *after);
    if (p->top != TOP_ITEM)
        return re2_fail_span(p, "missing argument to repetition operator", before, *after);
    unsigned rep = p->item_maxrep;
    if (op == '{' && max != 0) {
        int m = max < 0 ? min : max;
        rep = re2_mulsat(m > 0 ? (unsigned)m : 1, rep);
    } else if (op == '{') {
        rep = 1;
    }
    if (op == '{' && (min >= 2 || max >= 2) && rep > RE2_MAX_REPEAT)
        return re2_fail_span(p, "invalid repeat count", before, *after);
    re2_emit_quantifier(p, op, min, max, nongreedy);
    p->item_maxrep = rep;
    re2_frame_note(p, rep);
    p->last_repeat = before;
    return 0;
}

static int re2_parse_brace(struct re2_parser *p, const char **t)
{
    const char *before = *t, *after;
    int min, max;
    if (!re2_parse_repeat(before, p->end, &min, &max, &after)) {
        re2_emit_literal(p, '{');
        (*t)++;
        return 0;
    }
    if (min < 0 || min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT || (max >= 0 && min > max))
        return re2_fail_span(p, "invalid repeat count", before, after);
    if (re2_repeat(p, '{', min, max, before, &after) < 0)
        return -1;
    *t = after;
    return 0;
}

/* ---- groups ---- */

static int re2_group_open(struct re2_parser *p, bool capture)
{
    if ((capture && p->captures_open + 2 >= RE2_MAX_HEIGHT) || p->depth + 1 >= RE2_MAX_FRAMES)
        return re2_fail_whole(p, "expression nests too deeply");
    if (p->depth + 1 >= p->frames_cap) {
        p->frames_cap *= 2;
        p->frames = xrealloc(p->frames, p->frames_cap * sizeof *p->frames);
    }
    p->depth++;
    p->captures_open += capture;
    p->frames[p->depth].capture = capture;
    p->frames[p->depth].flags = p->flags;
    p->frames[p->depth].out_start = p->out->len;
    p->frames[p->depth].maxrep = 1;
    p->frames[p->depth].out_fold = p->out_fold;
    strbuf_puts(p->out, capture ? "(" : "(?:");
    p->top = TOP_PSEUDO;
    return 0;
}

static int re2_group_close(struct re2_parser *p)
{
    if (p->depth == 0)
        return re2_fail_whole(p, "unexpected )");
    struct re2_frame *f = &p->frames[p->depth--];
    p->captures_open -= f->capture;
    strbuf_putc(p->out, ')');
    p->flags = f->flags;
    p->out_fold = f->out_fold;
    p->top = TOP_ITEM;
    p->item_start = f->out_start;
    p->item_wrap = false;
    p->item_maxrep = f->maxrep;
    re2_frame_note(p, f->maxrep);
    return 0;
}

static bool re2_capture_name_valid(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (name[i] != '_' && !re2_isalnum((unsigned char)name[i]))
            return false;
    return true;
}

static int re2_named_capture(struct re2_parser *p, const char **t)
{
    const char *s = *t;
    const char *close = memchr(s, '>', (size_t)(p->end - s));
    if (!close) {
        if (!utf8_valid(s, (size_t)(p->end - s)))
            return re2_fail_span(p, "invalid UTF-8", s, p->end);
        return re2_fail_span(p, "invalid named capture", s, p->end);
    }
    if (!utf8_valid(s + 4, (size_t)(close - s - 4)))
        return re2_fail_span(p, "invalid UTF-8", s + 4, p->end);
    if (!re2_capture_name_valid(s + 4, (size_t)(close - s - 4)))
        return re2_fail_span(p, "invalid named capture", s, close + 1);
    *t = close + 1;
    return re2_group_open(p, true);
}

static unsigned re2_flag_bit(uint32_t c)
{
    switch (c) {
    case 'i': return RF_FOLD;
    case 's': return RF_DOTNL;
    case 'U': return RF_NONGREEDY;
    default: return 0;
    }
}

/* Go's parsePerlFlags: (?P<name>, (?flags), (?flags:; anything else, such
 * as lookaround or atomic groups, is "invalid or unsupported Perl syntax". */
static int re2_perl_flags(struct re2_parser *p, const char **t)
{
    const char *s = *t;
    if (p->end - s > 4 && s[2] == 'P' && s[3] == '<')
        return re2_named_capture(p, t);
    const char *u = s + 2;
    unsigned flags = p->flags;
    bool negated = false, saw = false;
    while (u != p->end) {
        uint32_t c;
        if (re2_next_rune(p, &u, &c) < 0)
            return -1;
        if (re2_flag_bit(c) || c == 'm') {
            /* Negation inverts the set, so "set" here clears there. */
            if (c == 'm')
                flags &= ~(unsigned)RF_ONELINE;
            else
                flags |= re2_flag_bit(c);
            saw = true;
        } else if (c == '-') {
            if (negated)
                break;
            negated = true;
            flags = ~flags;
            saw = false;
        } else if (c == ':' || c == ')') {
            if (negated) {
                if (!saw)
                    break;
                flags = ~flags;
            }
            *t = u;
            if (c == ':') {
                if (re2_group_open(p, false) < 0)
                    return -1;
                p->frames[p->depth].flags = p->flags;
            }
            p->flags = flags;
            return 0;
        } else {
            break;
        }
    }
    return re2_fail_span(p, "invalid or unsupported Perl syntax", s, u);
}

/* ---- the main loop ---- */

/* \Q...\E: literal text up to \E or the end of the expression. */
static int re2_parse_quoted(struct re2_parser *p, const char **t)
{
    const char *lit = *t + 2, *stop = p->end, *next = p->end;
    for (const char *q = lit; q + 1 < p->end; q++) {
        if (q[0] == '\\' && q[1] == 'E') {
            stop = q;
            next = q + 2;
            break;
        }
    }
    const char *save_end = p->end;
    p->end = stop; /* so decoding stops at \E */
    int rc = 0;
    while (lit < stop && rc == 0) {
        uint32_t c;
        if ((rc = re2_next_rune(p, &lit, &c)) == 0)
            re2_emit_literal(p, c);
    }
    p->end = save_end;
    *t = next;
    return rc;
}

/* \pL or \d-style class outside brackets: 1 parsed, 0 not one, -1 error. */
static int re2_parse_escape_class(struct re2_parser *p, const char **t)
{
    struct strbuf cls = STRBUF_INIT;
    int rc = re2_unicode_class(p, t, &cls);
    if (rc == 0 && re2_perl_class(p, t, &cls))
        rc = 1;
    if (rc > 0) {
        re2_sync_fold(p);
        re2_item_begin(p, false);
        strbuf_printf(p->out, "[%s]", strbuf_cstr(&cls));
    }
    strbuf_free(&cls);
    return rc;
}

/* \A \b \B \C \Q..\E \z, then \p, then \d-style classes, then plain escapes. */
static int re2_parse_backslash(struct re2_parser *p, const char **t)
{
    const char *s = *t;
    if (p->end - s >= 2) {
        switch (s[1]) {
        case 'A': re2_emit_special(p, "\\A"); *t = s + 2; return 0;
        case 'b': re2_emit_special(p, "\\b"); *t = s + 2; return 0;
        case 'B': re2_emit_special(p, "\\B"); *t = s + 2; return 0;
        case 'z': re2_emit_special(p, "\\z"); *t = s + 2; return 0;
        case 'C': return re2_fail_span(p, "invalid escape sequence", s, s + 2);
        case 'Q': return re2_parse_quoted(p, t);
        default: break;
        }
    }
    int rc = re2_parse_escape_class(p, t);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    uint32_t c;
    if (re2_parse_escape(p, s, t, &c) < 0)
        return -1;
    re2_emit_literal(p, c);
    return 0;
}

static int re2_parse_simple(struct re2_parser *p, const char **t)
{
    switch (**t) {
    case '|':
        strbuf_putc(p->out, '|');
        p->top = TOP_PSEUDO;
        break;
    case ')':
        if (re2_group_close(p) < 0)
            return -1;
        break;
    case '^':
        re2_emit_special(p, p->flags & RF_ONELINE ? "\\A" : "(?<![^\\x{a}])");
        break;
    case '$':
        re2_emit_special(p, p->flags & RF_ONELINE ? "\\z" : "(?![^\\x{a}])");
        break;
    case '.':
        re2_item_begin(p, false);
        strbuf_puts(p->out, p->flags & RF_DOTNL ? "(?s:.)" : "[^\\x{a}]");
        break;
    default: {
        uint32_t c;
        if (re2_next_rune(p, t, &c) < 0)
            return -1;
        re2_emit_literal(p, c);
        return 0;
    }
    }
    (*t)++;
    return 0;
}

static int re2_parse_token(struct re2_parser *p, const char **t)
{
    const char *s = *t;
    switch (*s) {
    case '(':
        if (p->end - s >= 2 && s[1] == '?')
            return re2_perl_flags(p, t);
        *t = s + 1;
        return re2_group_open(p, true);
    case '[':
        return re2_parse_class(p, t);
    case '*': case '+': case '?': {
        const char *after = s + 1;
        if (re2_repeat(p, *s, 0, 0, s, &after) < 0)
            return -1;
        *t = after;
        return 0;
    }
    case '{':
        return re2_parse_brace(p, t);
    case '\\':
        return re2_parse_backslash(p, t);
    default:
        return re2_parse_simple(p, t);
    }
}

int re2_translate(const char *pattern, struct strbuf *out, char **err)
{
    struct re2_parser p = {0};
    p.whole = pattern;
    p.end = pattern + strlen(pattern);
    p.out = out;
    p.flags = RF_ONELINE;
    p.frames_cap = 16;
    p.frames = xcalloc(p.frames_cap, sizeof *p.frames);
    p.frames[0].maxrep = 1;
    p.top = TOP_NONE;
    strbuf_puts(out, ""); /* so out->buf exists for the wrap insertion */
    const char *t = pattern;
    int rc = 0;
    while (t != p.end && rc == 0) {
        const char *repeat_before = p.last_repeat;
        bool is_repeat = *t == '*' || *t == '+' || *t == '?' || *t == '{';
        rc = re2_parse_token(&p, &t);
        /* Only a repetition directly after another one is "nested". */
        if (rc == 0 && (!is_repeat || p.last_repeat == repeat_before))
            p.last_repeat = NULL;
    }
    if (rc == 0 && p.depth != 0)
        rc = re2_fail_whole(&p, "missing closing )");
    free(p.frames);
    if (rc < 0) {
        *err = p.err;
        return -1;
    }
    return 0;
}
