/*
 * Template functions: Go's text/template built-ins and the functions
 * Alertmanager registers, each tagged with the release that added it.  A
 * function returns -1 with a message that the executor prefixes with
 * "error calling NAME: ", or -2 for a type error reported as is.
 */
#include "template/internal.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <wctype.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static int type_error(struct exec_state *st, struct value *args, size_t i, const char *want,
                      struct strbuf *err)
{
    exec_set_bad_arg(st, (int)i, want);
    strbuf_printf(err, "wrong type for value; expected %s; got %s", want,
                  value_type_name(&args[i]));
    return -2;
}

#define WANT_STRING(i)                                                    \
    do {                                                                  \
        if (args[i].kind != V_STRING)                                     \
            return type_error(st, args, i, "string", err);                \
    } while (0)

#define WANT_TIME(i)                                                      \
    do {                                                                  \
        if (args[i].kind != V_TIME)                                       \
            return type_error(st, args, i, "time.Time", err);             \
    } while (0)

static struct value str_result(struct exec_state *st, struct strbuf *sb)
{
    char *s = arena_strndup(exec_arena(st), strbuf_cstr(sb), sb->len);
    struct value v = value_string(s, sb->len);
    strbuf_free(sb);
    return v;
}

/* fmt.Sprint's operand joining, or the lone string itself (Go's evalArgs). */
static void args_text(struct value *args, size_t n, struct strbuf *out)
{
    if (n == 1 && (args[0].kind == V_STRING || args[0].kind == V_HTML))
        strbuf_add(out, args[0].u.str.s, args[0].u.str.len);
    else
        go_sprint(args, n, false, out);
}

/* ---- comparison ---- */

enum basic { B_INVALID, B_BOOL, B_INT, B_FLOAT, B_STRING, B_OTHER };

static enum basic basic_kind(const struct value *v)
{
    switch (v->kind) {
    case V_NIL: return B_INVALID;
    case V_BOOL: return B_BOOL;
    case V_INT: case V_BYTE: return B_INT;
    case V_FLOAT: return B_FLOAT;
    case V_STRING: case V_HTML: return B_STRING;
    default: return B_OTHER;
    }
}

static int str_cmp(const struct value *a, const struct value *b)
{
    size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
    int c = memcmp(a->u.str.s, b->u.str.s, n);
    if (c)
        return c;
    return a->u.str.len < b->u.str.len ? -1 : a->u.str.len > b->u.str.len;
}

/* Go's reflect.Kind for composite values: 1 slice, 2 map, 3 struct. */
static int reflect_kind(const struct value *v)
{
    switch (v->kind) {
    case V_LIST: case V_PAIRS: case V_ALERTS: return 1;
    case V_KV: return 2;
    default: return 3;
    }
}

/* Go's == on interfaces of composite values: kinds must agree and the second
 * operand's type be comparable (time.Time and Pair are; maps, slices and
 * structs holding them are not); different types are simply unequal. */
static int composite_equal(const struct value *a, const struct value *b, bool *eq,
                           struct strbuf *err)
{
    if (reflect_kind(a) != reflect_kind(b)) {
        strbuf_puts(err, "non-comparable types ");
        value_print(a, err);
        strbuf_printf(err, ": %s, %s: ", value_type_name(a), value_type_name(b));
        value_print(b, err);
        return -1;
    }
    if (b->kind != V_TIME && b->kind != V_PAIR) {
        strbuf_puts(err, "non-comparable type ");
        value_print(b, err);
        strbuf_printf(err, ": %s", value_type_name(b));
        return -1;
    }
    if (a->kind != b->kind)
        *eq = false;
    else if (a->kind == V_TIME)
        *eq = a->u.t == b->u.t;
    else
        *eq = !strcmp(a->u.pair.name, b->u.pair.name) && !strcmp(a->u.pair.value, b->u.pair.value);
    return 0;
}

static int values_equal(const struct value *a, const struct value *b, bool *eq,
                        struct strbuf *err)
{
    enum basic ka = basic_kind(a), kb = basic_kind(b);
    *eq = false;
    if (ka != kb) {
        if (ka != B_INVALID && kb != B_INVALID) {
            strbuf_puts(err, "incompatible types for comparison");
            return -1;
        }
        return 0;
    }
    switch (ka) {
    case B_INVALID: *eq = true; break;
    case B_BOOL: *eq = a->u.b == b->u.b; break;
    case B_INT: *eq = a->u.i == b->u.i; break;
    case B_FLOAT: *eq = a->u.f == b->u.f; break;
    case B_STRING: *eq = str_cmp(a, b) == 0; break;
    case B_OTHER:
        return composite_equal(a, b, eq, err);
    }
    return 0;
}

static int fn_eq(struct exec_state *st, struct value *args, size_t n, struct value *res,
                 struct strbuf *err)
{
    (void)st;
    if (n < 2) {
        strbuf_puts(err, "missing argument for comparison");
        return -1;
    }
    res->kind = V_BOOL;
    for (size_t i = 1; i < n; i++) {
        if (values_equal(&args[0], &args[i], &res->u.b, err) < 0)
            return -1;
        if (res->u.b)
            return 0;
    }
    return 0;
}

static int fn_ne(struct exec_state *st, struct value *args, size_t n, struct value *res,
                 struct strbuf *err)
{
    (void)st, (void)n;
    res->kind = V_BOOL;
    if (values_equal(&args[0], &args[1], &res->u.b, err) < 0)
        return -1;
    res->u.b = !res->u.b;
    return 0;
}

static int less(const struct value *a, const struct value *b, bool *lt, struct strbuf *err)
{
    enum basic ka = basic_kind(a), kb = basic_kind(b);
    if (ka == B_INVALID || kb == B_INVALID || ka == B_OTHER || kb == B_OTHER) {
        strbuf_puts(err, "invalid type for comparison");
        return -1;
    }
    if (ka != kb) {
        strbuf_puts(err, "incompatible types for comparison");
        return -1;
    }
    switch (ka) {
    case B_INT: *lt = a->u.i < b->u.i; break;
    case B_FLOAT: *lt = a->u.f < b->u.f; break;
    case B_STRING: *lt = str_cmp(a, b) < 0; break;
    default:
        strbuf_puts(err, "invalid type for comparison");
        return -1;
    }
    return 0;
}

/* which: 0 lt, 1 le, 2 gt, 3 ge */
static int compare(struct value *args, struct value *res, int which, struct strbuf *err)
{
    bool lt, eq = false;
    if (less(&args[0], &args[1], &lt, err) < 0)
        return -1;
    if ((which == 1 || which == 2) && !lt && values_equal(&args[0], &args[1], &eq, err) < 0)
        return -1;
    bool le = lt || eq;
    res->kind = V_BOOL;
    res->u.b = which == 0 ? lt : which == 1 ? le : which == 2 ? !le : !lt;
    return 0;
}

#define CMP_FN(fname, which)                                                          \
    static int fname(struct exec_state *st, struct value *args, size_t n,             \
                     struct value *res, struct strbuf *err)                           \
    {                                                                                 \
        (void)st, (void)n;                                                            \
        return compare(args, res, which, err);                                        \
    }
CMP_FN(fn_lt, 0)
CMP_FN(fn_le, 1)
CMP_FN(fn_gt, 2)
CMP_FN(fn_ge, 3)

/* ---- collections ---- */

static int fn_not(struct exec_state *st, struct value *args, size_t n, struct value *res,
                  struct strbuf *err)
{
    (void)st, (void)n, (void)err;
    res->kind = V_BOOL;
    res->u.b = !value_truth(&args[0]);
    return 0;
}

static int fn_len(struct exec_state *st, struct value *args, size_t n, struct value *res,
                  struct strbuf *err)
{
    (void)st, (void)n;
    struct value *v = &args[0];
    res->kind = V_INT;
    switch (v->kind) {
    case V_STRING: case V_HTML: res->u.i = (int64_t)v->u.str.len; break;
    case V_LIST: case V_PAIRS: res->u.i = (int64_t)v->u.list.len; break;
    case V_ALERTS: res->u.i = (int64_t)v->u.alerts.len; break;
    case V_KV: res->u.i = (int64_t)v->u.kv->len; break;
    case V_NIL:
        strbuf_puts(err, "len of nil pointer");
        return -1;
    default:
        strbuf_printf(err, "len of type %s", value_type_name(v));
        return -1;
    }
    return 0;
}

static size_t seq_len(const struct value *v)
{
    switch (v->kind) {
    case V_STRING: case V_HTML: return v->u.str.len;
    case V_LIST: case V_PAIRS: return v->u.list.len;
    case V_ALERTS: return v->u.alerts.len;
    default: return 0;
    }
}

static bool is_seq(const struct value *v)
{
    return v->kind == V_STRING || v->kind == V_HTML || v->kind == V_LIST ||
           v->kind == V_PAIRS || v->kind == V_ALERTS;
}

static int index_arg(const struct value *idx, size_t cap, int64_t *out, struct strbuf *err)
{
    if (idx->kind == V_NIL) {
        strbuf_puts(err, "cannot index slice/array with nil");
        return -1;
    }
    if (idx->kind != V_INT && idx->kind != V_BYTE) {
        strbuf_printf(err, "cannot index slice/array with type %s", value_type_name(idx));
        return -1;
    }
    if (idx->u.i < 0 || (uint64_t)idx->u.i > cap) {
        strbuf_printf(err, "index out of range: %lld", (long long)idx->u.i);
        return -1;
    }
    *out = idx->u.i;
    return 0;
}

static struct value seq_item(const struct value *v, size_t i)
{
    struct value r = {.kind = V_INT};
    switch (v->kind) {
    case V_STRING: case V_HTML: r.kind = V_BYTE; r.u.i = (unsigned char)v->u.str.s[i]; break;
    case V_LIST: case V_PAIRS: r = v->u.list.items[i]; break;
    case V_ALERTS: r.kind = V_ALERT; r.u.alert = v->u.alerts.items[i]; break;
    default: break;
    }
    return r;
}

static int fn_index(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    (void)st;
    struct value item = args[0];
    if (item.kind == V_NIL) {
        strbuf_puts(err, "index of untyped nil");
        return -1;
    }
    for (size_t k = 1; k < n; k++) {
        if (item.kind == V_KV) {
            if (args[k].kind != V_STRING) {
                strbuf_printf(err, "value has type %s; should be string",
                              value_type_name(&args[k]));
                return -1;
            }
            struct value found = value_cstr("");
            for (size_t i = 0; i < item.u.kv->len; i++)
                if (strlen(item.u.kv->names[i]) == args[k].u.str.len &&
                    !memcmp(item.u.kv->names[i], args[k].u.str.s, args[k].u.str.len))
                    found = value_cstr(item.u.kv->values[i]);
            item = found;
        } else if (is_seq(&item)) {
            int64_t i;
            size_t len = seq_len(&item);
            if (index_arg(&args[k], len, &i, err) < 0)
                return -1;
            if ((size_t)i == len) { /* passes Go's check, then reflect panics */
                bool str = item.kind == V_STRING || item.kind == V_HTML;
                strbuf_printf(err, "reflect: %s index out of range", str ? "string" : "slice");
                return -1;
            }
            item = seq_item(&item, (size_t)i);
        } else {
            strbuf_printf(err, "can't index item of type %s", value_type_name(&item));
            return -1;
        }
    }
    *res = item;
    return 0;
}

static int fn_slice(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    struct value *item = &args[0];
    if (!is_seq(item)) {
        strbuf_printf(err, "can't slice item of type %s", value_type_name(item));
        return -1;
    }
    if (n > 4) {
        strbuf_printf(err, "too many slice indexes: %zu", n - 1);
        return -1;
    }
    bool str = item->kind == V_STRING || item->kind == V_HTML;
    if (str && n == 4) {
        strbuf_puts(err, "cannot 3-index slice a string");
        return -1;
    }
    size_t len = seq_len(item);
    int64_t idx[3] = {0, (int64_t)len, (int64_t)len};
    for (size_t k = 1; k < n; k++)
        if (index_arg(&args[k], len, &idx[k - 1], err) < 0)
            return -1;
    if (idx[0] > idx[1]) {
        strbuf_printf(err, "invalid slice index: %lld > %lld", (long long)idx[0],
                      (long long)idx[1]);
        return -1;
    }
    size_t lo = (size_t)idx[0], hi = (size_t)idx[1];
    if (str) {
        *res = value_string(item->u.str.s + lo, hi - lo);
        res->kind = item->kind;
        return 0;
    }
    res->kind = item->kind == V_ALERTS ? V_ALERTS : item->kind;
    if (item->kind == V_ALERTS) {
        res->u.alerts.items = item->u.alerts.items + lo;
        res->u.alerts.len = hi - lo;
        res->u.alerts.plain = item->u.alerts.plain;
    } else {
        res->u.list = item->u.list;
        res->u.list.items = item->u.list.items + lo;
        res->u.list.len = hi - lo;
    }
    (void)st;
    return 0;
}

/* ---- printing and escaping ---- */

static int fn_print(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    (void)err;
    struct strbuf sb = STRBUF_INIT;
    go_sprint(args, n, false, &sb);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_println(struct exec_state *st, struct value *args, size_t n, struct value *res,
                      struct strbuf *err)
{
    (void)err;
    struct strbuf sb = STRBUF_INIT;
    go_sprint(args, n, true, &sb);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_printf(struct exec_state *st, struct value *args, size_t n, struct value *res,
                     struct strbuf *err)
{
    WANT_STRING(0);
    struct strbuf sb = STRBUF_INIT;
    go_sprintf(args[0].u.str.s, args[0].u.str.len, args + 1, n - 1, &sb);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_html(struct exec_state *st, struct value *args, size_t n, struct value *res,
                   struct strbuf *err)
{
    (void)err;
    struct strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
    args_text(args, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        switch (in.buf[i]) {
        case '"': strbuf_puts(&sb, "&#34;"); break;
        case '\'': strbuf_puts(&sb, "&#39;"); break;
        case '&': strbuf_puts(&sb, "&amp;"); break;
        case '<': strbuf_puts(&sb, "&lt;"); break;
        case '>': strbuf_puts(&sb, "&gt;"); break;
        case '\0': strbuf_puts(&sb, "\xEF\xBF\xBD"); break;
        default: strbuf_putc(&sb, in.buf[i]);
        }
    }
    strbuf_free(&in);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_js(struct exec_state *st, struct value *args, size_t n, struct value *res,
                 struct strbuf *err)
{
    (void)err;
    struct strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
    args_text(args, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.buf[i];
        if (c == '\\')
            strbuf_puts(&sb, "\\\\");
        else if (c == '\'' || c == '"')
            strbuf_printf(&sb, "\\%c", c);
        else if (c < ' ' || c == '<' || c == '>' || c == '&' || c == '=')
            strbuf_printf(&sb, "\\u%04X", c);
        else
            strbuf_putc(&sb, (char)c);
    }
    strbuf_free(&in);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_urlquery(struct exec_state *st, struct value *args, size_t n, struct value *res,
                       struct strbuf *err)
{
    (void)err;
    struct strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
    args_text(args, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.buf[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            strbuf_putc(&sb, (char)c);
        else if (c == ' ')
            strbuf_putc(&sb, '+');
        else
            strbuf_printf(&sb, "%%%02X", c);
    }
    strbuf_free(&in);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_call(struct exec_state *st, struct value *args, size_t n, struct value *res,
                   struct strbuf *err)
{
    (void)st, (void)n, (void)res;
    if (args[0].kind == V_NIL)
        strbuf_puts(err, "call of nil");
    else
        strbuf_printf(err, "non-function of type %s", value_type_name(&args[0]));
    return -1;
}

/* ---- Alertmanager's functions ---- */

/* Unicode simple case mapping, as Go's unicode.ToUpper/ToLower: glibc's
 * C.UTF-8 tables when that locale exists (a private locale object, so no
 * global state changes), else ASCII and Latin-1 only. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static uint32_t rune_upper(uint32_t r)
{
    if (r < 0x80)
        return r >= 'a' && r <= 'z' ? r - 32 : r;
    pthread_once(&utf8_once, utf8_locale_init);
    if (utf8_locale)
        return (uint32_t)towupper_l((wint_t)r, utf8_locale);
    if (r >= 0xE0 && r <= 0xFE && r != 0xF7)
        return r - 32;
    return r == 0xFF ? 0x178 : r == 0xB5 ? 0x39C : r;
}

static uint32_t rune_lower(uint32_t r)
{
    if (r < 0x80)
        return r >= 'A' && r <= 'Z' ? r + 32 : r;
    pthread_once(&utf8_once, utf8_locale_init);
    if (utf8_locale)
        return (uint32_t)towlower_l((wint_t)r, utf8_locale);
    if (r >= 0xC0 && r <= 0xDE && r != 0xD7)
        return r + 32;
    return r == 0x178 ? 0xFF : r;
}

/* Title case of a word's first letter (x/text/cases uses the full mapping):
 * the Latin digraphs have their own title forms and some letters expand. */
static const char *title_special(uint32_t r)
{
    static const struct {
        uint32_t from;
        const char *to;
    } special[] = {
        {0xDF, "Ss"}, {0xFB00, "Ff"}, {0xFB01, "Fi"}, {0xFB02, "Fl"}, {0xFB03, "Ffi"},
        {0xFB04, "Ffl"}, {0xFB05, "St"}, {0xFB06, "St"},
        {0x1C4, "\xC7\x85"}, {0x1C5, "\xC7\x85"}, {0x1C6, "\xC7\x85"},
        {0x1C7, "\xC7\x88"}, {0x1C8, "\xC7\x88"}, {0x1C9, "\xC7\x88"},
        {0x1CA, "\xC7\x8B"}, {0x1CB, "\xC7\x8B"}, {0x1CC, "\xC7\x8B"},
        {0x1F1, "\xC7\xB2"}, {0x1F2, "\xC7\xB2"}, {0x1F3, "\xC7\xB2"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(special); i++)
        if (special[i].from == r)
            return special[i].to;
    return NULL;
}

static void rune_title(uint32_t r, struct strbuf *out)
{
    const char *t = title_special(r);
    if (t)
        strbuf_puts(out, t);
    else
        utf8_put(out, rune_upper(r));
}

static void map_runes(const struct value *v, uint32_t (*fn)(uint32_t), struct strbuf *out)
{
    for (size_t i = 0; i < v->u.str.len;) {
        size_t used;
        uint32_t r = utf8_get(v->u.str.s + i, v->u.str.len - i, &used);
        utf8_put(out, fn(r));
        i += used;
    }
}

static int fn_to_upper(struct exec_state *st, struct value *args, size_t n, struct value *res,
                       struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    struct strbuf sb = STRBUF_INIT;
    map_runes(&args[0], rune_upper, &sb);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_to_lower(struct exec_state *st, struct value *args, size_t n, struct value *res,
                       struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    struct strbuf sb = STRBUF_INIT;
    map_runes(&args[0], rune_lower, &sb);
    *res = str_result(st, &sb);
    return 0;
}

/* Alertmanager 0.25's title is x/text/cases.Title: words (Unicode word
 * segmentation, approximated) get an upper-case first letter and lower-case
 * rest; '_' joins words, and ' . : join letters on both sides. */
static bool word_rune(uint32_t r)
{
    if (r < 0x80)
        return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
               r == '_';
    return !(r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x206F) ||
             r == 0x3000 || r == 0xD7 || r == 0xF7 || (r >= 0xA1 && r <= 0xBF));
}

static bool mid_rune(uint32_t r)
{
    return r == '\'' || r == '.' || r == ':' || r == 0x2019 || r == 0xB7;
}

static bool cased(uint32_t r)
{
    return rune_upper(r) != r || rune_lower(r) != r || title_special(r);
}

static int fn_title(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    struct strbuf sb = STRBUF_INIT;
    const char *s = args[0].u.str.s;
    size_t len = args[0].u.str.len;
    bool in_word = false, titled = false; /* titled: the word's first letter is done */
    uint32_t prev = 0;
    for (size_t i = 0; i < len;) {
        size_t used, nused = 0;
        uint32_t r = utf8_get(s + i, len - i, &used);
        uint32_t next = i + used < len ? utf8_get(s + i + used, len - i - used, &nused) : 0;
        bool joins = in_word && mid_rune(r) && word_rune(next) && next != '_' && prev != '_';
        if (!word_rune(r) && !joins) {
            utf8_put(&sb, r);
            in_word = titled = false;
        } else if (cased(r)) {
            if (titled)
                utf8_put(&sb, rune_lower(r));
            else
                rune_title(r, &sb);
            in_word = titled = true;
        } else {
            utf8_put(&sb, r);
            in_word = true;
        }
        prev = r;
        i += used;
    }
    *res = str_result(st, &sb);
    return 0;
}

static int fn_join(struct exec_state *st, struct value *args, size_t n, struct value *res,
                   struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    if (args[1].kind == V_NIL) { /* a nil []string */
        *res = value_string("", 0);
        return 0;
    }
    if (args[1].kind != V_LIST || !args[1].u.list.strings)
        return type_error(st, args, 1, "[]string", err);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < args[1].u.list.len; i++) {
        if (i)
            strbuf_add(&sb, args[0].u.str.s, args[0].u.str.len);
        strbuf_add(&sb, args[1].u.list.items[i].u.str.s, args[1].u.list.items[i].u.str.len);
    }
    *res = str_result(st, &sb);
    return 0;
}

static int fn_match(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    WANT_STRING(1);
    char *msg = NULL;
    char *pat = arena_strndup(exec_arena(st), args[0].u.str.s, args[0].u.str.len);
    struct regex *re = regex_compile(pat, false, &msg);
    if (!re) {
        strbuf_puts(err, msg ? msg : "invalid regexp");
        free(msg);
        return -1;
    }
    res->kind = V_BOOL;
    res->u.b = regex_match(re, args[1].u.str.s, args[1].u.str.len);
    regex_free(re);
    return 0;
}

static int fn_safe_html(struct exec_state *st, struct value *args, size_t n, struct value *res,
                        struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    *res = args[0];
    res->kind = V_HTML;
    return 0;
}

/* The subject as PCRE2 matches it.  Go reads each invalid UTF-8 byte as
 * U+FFFD, which PCRE2 refuses in UTF mode; such a subject is matched with
 * those bytes written as U+FFFD, and offsets are mapped back so unmatched
 * text and groups are copied from the original bytes, as Go copies them. */
struct re_subject {
    const char *orig;
    const char *text;
    size_t len;  /* of text */
    size_t *map; /* offset in text -> offset in orig; NULL when text is orig */
};

static void re_subject_init(struct re_subject *sj, const char *s, size_t n)
{
    *sj = (struct re_subject){s, s, n, NULL};
    if (utf8_valid(s, n))
        return;
    struct strbuf text = STRBUF_INIT;
    sj->map = xmalloc((3 * n + 1) * sizeof *sj->map);
    for (size_t i = 0, used; i < n; i += used) {
        uint32_t r = utf8_get(s + i, n - i, &used);
        bool invalid = r == 0xFFFD && used == 1;
        for (size_t k = 0; k < (invalid ? 3 : used); k++)
            sj->map[text.len + k] = i;
        strbuf_add(&text, invalid ? "\xef\xbf\xbd" : s + i, invalid ? 3 : used);
    }
    sj->map[text.len] = n;
    sj->len = text.len;
    sj->text = strbuf_detach(&text);
}

static void re_subject_free(struct re_subject *sj)
{
    if (sj->map) {
        free((char *)sj->text);
        free(sj->map);
    }
}

/* orig's bytes between two offsets in text. */
static void re_subject_copy(const struct re_subject *sj, size_t from, size_t to,
                            struct strbuf *out)
{
    if (sj->map)
        from = sj->map[from], to = sj->map[to];
    strbuf_add(out, sj->orig + from, to - from);
}

/* Go's unicode.IsLetter || unicode.IsDigit for one encoded non-ASCII rune,
 * from PCRE2's Unicode tables. */
static pcre2_code *letter_or_digit_re;
static pthread_once_t letter_or_digit_once = PTHREAD_ONCE_INIT;

static void letter_or_digit_init(void)
{
    int ec;
    PCRE2_SIZE eo;
    letter_or_digit_re = pcre2_compile((PCRE2_SPTR) "^[\\p{L}\\p{Nd}]$", PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &ec, &eo, NULL);
}

static bool rune_letter_or_digit(const char *s, size_t n)
{
    pthread_once(&letter_or_digit_once, letter_or_digit_init);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    bool yes = letter_or_digit_re &&
               pcre2_match(letter_or_digit_re, (PCRE2_SPTR)s, n, 0, 0, md, NULL) > 0;
    pcre2_match_data_free(md);
    return yes;
}

/* Length of the group name at s, as Go's regexp extract() reads it: letters,
 * digits and '_'. */
static size_t repl_name_len(const char *s, size_t n)
{
    size_t i = 0, used;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c != '_' && !isalnum(c))
                break;
            i++;
            continue;
        }
        uint32_t r = utf8_get(s + i, n - i, &used);
        if ((r == 0xFFFD && used == 1) || !rune_letter_or_digit(s + i, used))
            break;
        i += used;
    }
    return i;
}

/* The group number a name denotes, or -1 when it is a name: Go takes only
 * plain decimal numbers below 1e8 without a leading zero. */
static long repl_group_number(const char *name, size_t n)
{
    long num = 0;
    for (size_t i = 0; i < n; i++) {
        if (name[i] < '0' || name[i] > '9' || num >= 100000000)
            return -1;
        num = num * 10 + (name[i] - '0');
    }
    return n > 1 && name[0] == '0' ? -1 : num;
}

/* regexp.Expand's $name / ${name} / $$ in the replacement; a malformed
 * reference leaves its '$' as text. */
static void expand_repl(const struct value *repl, const struct re_subject *sj, PCRE2_SIZE *ov,
                        int groups, pcre2_code *code, struct strbuf *out)
{
    const char *s = repl->u.str.s;
    size_t len = repl->u.str.len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '$') {
            strbuf_putc(out, s[i]);
            continue;
        }
        if (i + 1 < len && s[i + 1] == '$') {
            strbuf_putc(out, '$');
            i++;
            continue;
        }
        size_t start = i + 1;
        bool brace = start < len && s[start] == '{';
        if (brace)
            start++;
        size_t nl = repl_name_len(s + start, len - start), end = start + nl;
        if (nl == 0 || (brace && (end >= len || s[end] != '}'))) {
            strbuf_putc(out, '$');
            continue;
        }
        long g = repl_group_number(s + start, nl);
        if (g < 0) {
            char *name = xstrndup(s + start, nl);
            g = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
            free(name);
        }
        if (g >= 0 && g < groups && ov[2 * g] != PCRE2_UNSET)
            re_subject_copy(sj, ov[2 * g], ov[2 * g + 1], out);
        i = brace ? end : end - 1;
    }
}

static int re_replace(const struct value *pat, const struct value *repl, const struct value *text,
                      struct strbuf *out, struct strbuf *err)
{
    int ec;
    PCRE2_SIZE eo;
    /* Go's $ without (?m) is the end of the text only. */
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat->u.str.s, pat->u.str.len,
                                     PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &ec, &eo, NULL);
    if (!code) {
        strbuf_printf(err, "regexp: Compile(`%.*s`): error parsing regexp",
                      (int)pat->u.str.len, pat->u.str.s);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    struct re_subject sj;
    re_subject_init(&sj, text->u.str.s, text->u.str.len);
    size_t len = sj.len, search = 0, last = 0;
    while (search <= len) {
        /* sj.text is valid UTF-8 and search is on a character boundary,
         * so PCRE2 need not check the whole subject on every call. */
        int rc = pcre2_match(code, (PCRE2_SPTR)sj.text, len, search, PCRE2_NO_UTF_CHECK, md,
                             NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        re_subject_copy(&sj, last, ms, out);
        /* An empty match right after a match is not replaced (Go). */
        if (me > last || ms == 0)
            expand_repl(repl, &sj, ov, rc, code, out);
        last = me;
        size_t width = 0;
        if (search < len)
            utf8_get(sj.text + search, len - search, &width);
        if (search + width > me)
            search += width;
        else if (search + 1 > me)
            search++;
        else
            search = me;
    }
    re_subject_copy(&sj, last, len, out);
    re_subject_free(&sj);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return 0;
}

/* regexp's quote(): backquoted when strconv.CanBackquote allows. */
static void regexp_quote(const char *s, struct strbuf *out)
{
    bool back = utf8_valid(s, strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p && back; p++)
        back = *p != '`' && (*p >= 0x20 || *p == '\t') && *p != 0x7F &&
               !(p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF);
    if (back)
        strbuf_printf(out, "`%s`", s);
    else
        strbuf_go_quote(out, s);
}

static int fn_re_replace_all(struct exec_state *st, struct value *args, size_t n,
                             struct value *res, struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    WANT_STRING(1);
    WANT_STRING(2);
    char *msg = NULL;
    char *pat = arena_strndup(exec_arena(st), args[0].u.str.s, args[0].u.str.len);
    struct regex *re = regex_compile(pat, false, &msg);
    if (!re) {
        /* MustCompile's panic, which text/template reports as the error */
        strbuf_puts(err, "regexp: Compile(");
        regexp_quote(pat, err);
        strbuf_printf(err, "): %s", msg ? msg : "");
        free(msg);
        return -1;
    }
    regex_free(re);
    struct strbuf sb = STRBUF_INIT;
    if (re_replace(&args[0], &args[1], &args[2], &sb, err) < 0) {
        strbuf_free(&sb);
        return -1;
    }
    *res = str_result(st, &sb);
    return 0;
}

static int fn_string_slice(struct exec_state *st, struct value *args, size_t n,
                           struct value *res, struct strbuf *err)
{
    for (size_t i = 0; i < n; i++)
        WANT_STRING(i);
    res->kind = V_LIST;
    res->u.list.strings = true;
    res->u.list.len = n;
    res->u.list.items = arena_alloc(exec_arena(st), (n + 1) * sizeof *res->u.list.items);
    memcpy(res->u.list.items, args, n * sizeof *args);
    return 0;
}

static bool unicode_space(uint32_t r)
{
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
           (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
           r == 0x205F || r == 0x3000;
}

static int fn_trim_space(struct exec_state *st, struct value *args, size_t n, struct value *res,
                         struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    const char *s = args[0].u.str.s;
    size_t lo = 0, hi = args[0].u.str.len, used;
    while (lo < hi && unicode_space(utf8_get(s + lo, hi - lo, &used)))
        lo += used;
    while (hi > lo) {
        size_t k = hi - 1;
        while (k > lo && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (!unicode_space(utf8_get(s + k, hi - k, &used)))
            break;
        hi = k;
    }
    *res = value_string(s + lo, hi - lo);
    return 0;
}

static int fn_date(struct exec_state *st, struct value *args, size_t n, struct value *res,
                   struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    WANT_TIME(1);
    struct strbuf sb = STRBUF_INIT;
    time_format_layout(args[1].u.t, args[0].u.str.s, args[0].u.str.len, &sb);
    *res = str_result(st, &sb);
    return 0;
}

/* Only UTC and fixed names are known without a zone database. */
static int fn_tz(struct exec_state *st, struct value *args, size_t n, struct value *res,
                 struct strbuf *err)
{
    (void)n;
    WANT_STRING(0);
    WANT_TIME(1);
    if (args[0].u.str.len && !(args[0].u.str.len == 3 && !memcmp(args[0].u.str.s, "UTC", 3))) {
        strbuf_printf(err, "unknown time zone %.*s", (int)args[0].u.str.len, args[0].u.str.s);
        return -1;
    }
    *res = args[1];
    return 0;
}

static int fn_since(struct exec_state *st, struct value *args, size_t n, struct value *res,
                    struct strbuf *err)
{
    (void)n;
    WANT_TIME(0);
    struct strbuf sb = STRBUF_INIT;
    duration_format_go(time_now() - args[0].u.t, &sb);
    *res = str_result(st, &sb);
    return 0;
}

static int fn_humanize_duration(struct exec_state *st, struct value *args, size_t n,
                                struct value *res, struct strbuf *err)
{
    (void)n;
    double v;
    if (args[0].kind == V_INT)
        v = (double)args[0].u.i;
    else if (args[0].kind == V_FLOAT)
        v = args[0].u.f;
    else if (args[0].kind == V_STRING) {
        char *s = arena_strndup(exec_arena(st), args[0].u.str.s, args[0].u.str.len);
        char *end;
        v = strtod(s, &end);
        if (*end || !*s) {
            strbuf_printf(err, "strconv.ParseFloat: parsing \"%s\": invalid syntax", s);
            return -1;
        }
    } else {
        strbuf_printf(err, "can't convert %s to float", value_type_name(&args[0]));
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    const char *sign = v < 0 ? "-" : "";
    double a = v < 0 ? -v : v;
    if (v == 0 || v != v) {
        strbuf_printf(&sb, "%.4gs", v);
    } else if (a >= 1) {
        /* Go's int64(float) on amd64 yields math.MinInt64 when out of range. */
        int64_t d = a < 9223372036854775807.0 ? (int64_t)a : INT64_MIN;
        int64_t s = d % 60, m = d / 60 % 60, h = d / 3600 % 24, days = d / 86400;
        if (days)
            strbuf_printf(&sb, "%s%lldd %lldh %lldm %llds", sign, (long long)days, (long long)h,
                          (long long)m, (long long)s);
        else if (h)
            strbuf_printf(&sb, "%s%lldh %lldm %llds", sign, (long long)h, (long long)m,
                          (long long)s);
        else if (m)
            strbuf_printf(&sb, "%s%lldm %llds", sign, (long long)m, (long long)s);
        else
            strbuf_printf(&sb, "%s%.4gs", sign, a);
    } else {
        const char *prefixes = "munpfazy";
        char prefix = 0;
        for (const char *p = prefixes; *p && (v < 0 ? -v : v) < 1; p++) {
            prefix = *p;
            v *= 1000;
        }
        strbuf_printf(&sb, "%.4g%.*ss", v, prefix ? 1 : 0, &prefix);
    }
    *res = str_result(st, &sb);
    return 0;
}

static const struct func_def funcs[] = {
    {"and", NULL, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"or", NULL, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"not", fn_not, TEMPLATE_COMPAT_0_25, 1, 1, "a"},
    {"len", fn_len, TEMPLATE_COMPAT_0_25, 1, 1, "a"},
    {"index", fn_index, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"slice", fn_slice, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"print", fn_print, TEMPLATE_COMPAT_0_25, 0, -1, "a*"},
    {"printf", fn_printf, TEMPLATE_COMPAT_0_25, 1, -1, "sa*"},
    {"println", fn_println, TEMPLATE_COMPAT_0_25, 0, -1, "a*"},
    {"html", fn_html, TEMPLATE_COMPAT_0_25, 0, -1, "a*"},
    {"js", fn_js, TEMPLATE_COMPAT_0_25, 0, -1, "a*"},
    {"urlquery", fn_urlquery, TEMPLATE_COMPAT_0_25, 0, -1, "a*"},
    {"call", fn_call, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"eq", fn_eq, TEMPLATE_COMPAT_0_25, 1, -1, "a*"},
    {"ne", fn_ne, TEMPLATE_COMPAT_0_25, 2, 2, "aa"},
    {"lt", fn_lt, TEMPLATE_COMPAT_0_25, 2, 2, "aa"},
    {"le", fn_le, TEMPLATE_COMPAT_0_25, 2, 2, "aa"},
    {"gt", fn_gt, TEMPLATE_COMPAT_0_25, 2, 2, "aa"},
    {"ge", fn_ge, TEMPLATE_COMPAT_0_25, 2, 2, "aa"},
    {"toUpper", fn_to_upper, TEMPLATE_COMPAT_0_25, 1, 1, "s"},
    {"toLower", fn_to_lower, TEMPLATE_COMPAT_0_25, 1, 1, "s"},
    {"title", fn_title, TEMPLATE_COMPAT_0_25, 1, 1, "s"},
    {"join", fn_join, TEMPLATE_COMPAT_0_25, 2, 2, "sS"},
    {"match", fn_match, TEMPLATE_COMPAT_0_25, 2, 2, "ss"},
    {"safeHtml", fn_safe_html, TEMPLATE_COMPAT_0_25, 1, 1, "s"},
    {"reReplaceAll", fn_re_replace_all, TEMPLATE_COMPAT_0_25, 3, 3, "sss"},
    {"stringSlice", fn_string_slice, TEMPLATE_COMPAT_0_25, 0, -1, "s*"},
    {"trimSpace", fn_trim_space, TEMPLATE_COMPAT_0_26, 1, 1, "s"},
    {"date", fn_date, TEMPLATE_COMPAT_0_28, 2, 2, "st"},
    {"tz", fn_tz, TEMPLATE_COMPAT_0_28, 2, 2, "st"},
    {"since", fn_since, TEMPLATE_COMPAT_0_28, 1, 1, "t"},
    {"humanizeDuration", fn_humanize_duration, TEMPLATE_COMPAT_0_28, 1, 1, "a"},
};

const struct func_def *func_lookup(const char *name, enum template_compat compat)
{
    for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
        if (!strcmp(funcs[i].name, name))
            return funcs[i].since <= compat ? &funcs[i] : NULL;
    return NULL;
}
