/*
 * Go's fmt as templates use it: Sprint's operand spacing, Sprintln, and the
 * Printf verbs with flags, width and precision, including the "%!d(string=x)"
 * forms Go writes for mismatched or missing operands.
 */
#include "template/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void utf8_put(struct strbuf *sb, uint32_t r)
{
    char b[4];
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        strbuf_putc(sb, (char)r);
    } else if (r < 0x800) {
        b[0] = (char)(0xC0 | (r >> 6)), b[1] = (char)(0x80 | (r & 0x3F));
        strbuf_add(sb, b, 2);
    } else if (r < 0x10000) {
        b[0] = (char)(0xE0 | (r >> 12)), b[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        b[2] = (char)(0x80 | (r & 0x3F));
        strbuf_add(sb, b, 3);
    } else {
        b[0] = (char)(0xF0 | (r >> 18)), b[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((r >> 6) & 0x3F)), b[3] = (char)(0x80 | (r & 0x3F));
        strbuf_add(sb, b, 4);
    }
}

uint32_t utf8_get(const char *str, size_t n, size_t *used)
{
    const unsigned char *s = (const unsigned char *)str;
    *used = 1;
    if (n == 0)
        return 0xFFFD;
    if (s[0] < 0x80)
        return s[0];
    int extra = s[0] >= 0xF0 && s[0] < 0xF5 ? 3 : s[0] >= 0xE0 ? (s[0] < 0xF0 ? 2 : -1)
                                                : s[0] >= 0xC2 ? 1 : -1;
    if (extra < 0 || (size_t)extra >= n)
        return 0xFFFD;
    uint32_t r = s[0] & (0x3F >> extra);
    for (int k = 1; k <= extra; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0xFFFD;
        r = (r << 6) | (s[k] & 0x3F);
    }
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (r < min[extra] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        return 0xFFFD;
    *used = (size_t)extra + 1;
    return r;
}

static bool is_string(const struct value *v)
{
    return v->kind == V_STRING || v->kind == V_HTML;
}

void go_sprint(struct value *args, size_t n, bool ln, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i && (ln || (!is_string(&args[i]) && !is_string(&args[i - 1]))))
            strbuf_putc(out, ' ');
        value_print(&args[i], out);
    }
    if (ln)
        strbuf_putc(out, '\n');
}

struct spec {
    bool minus, plus, sharp, zero, space;
    bool plus_v; /* %+v: struct field names; the sign flag is dropped */
    int width, prec; /* -1: absent */
    char verb;
};

static size_t rune_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Writes s padded to the spec's width; the 0 flag pads with zeros, after
 * the sign when numeric. */
static void pad(const struct spec *sp, const char *s, size_t n, bool numeric, struct strbuf *out)
{
    size_t w = rune_count(s, n);
    size_t fill = sp->width > 0 && (size_t)sp->width > w ? (size_t)sp->width - w : 0;
    if (sp->minus) {
        strbuf_add(out, s, n);
        for (size_t i = 0; i < fill; i++)
            strbuf_putc(out, ' ');
        return;
    }
    bool zero = sp->zero;
    if (zero && numeric && n && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
        strbuf_putc(out, s[0]);
        s++, n--;
    }
    for (size_t i = 0; i < fill; i++)
        strbuf_putc(out, zero ? '0' : ' ');
    strbuf_add(out, s, n);
}

static void fmt_value(const struct spec *sp, const struct value *v, struct strbuf *out);

/* Go writes the operand with %v and the same flags and width. */
static void bad_verb(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    strbuf_printf(out, "%%!%c(", sp->verb);
    if (v->kind == V_NIL) {
        strbuf_puts(out, "<nil>");
    } else {
        strbuf_printf(out, "%s=", value_type_name(v));
        struct spec s2 = *sp;
        s2.verb = 'v';
        fmt_value(&s2, v, out);
    }
    strbuf_putc(out, ')');
}

static void fmt_integer(const struct spec *sp, int64_t i, struct strbuf *out)
{
    struct strbuf sb = STRBUF_INIT;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    if (i < 0)
        strbuf_putc(&sb, '-');
    else if (sp->plus)
        strbuf_putc(&sb, '+');
    else if (sp->space)
        strbuf_putc(&sb, ' ');
    char digits[80];
    int nd = 0;
    int base = sp->verb == 'b' ? 2 : sp->verb == 'o' || sp->verb == 'O' ? 8
             : sp->verb == 'x' || sp->verb == 'X' ? 16 : 10;
    const char *alpha = sp->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[nd++] = alpha[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    while (sp->prec > nd && nd < 70)
        digits[nd++] = '0';
    if (sp->prec == 0 && i == 0)
        nd = 0;
    if (sp->verb == 'O' || (sp->sharp && base == 8 && digits[nd - 1] != '0'))
        strbuf_puts(&sb, sp->verb == 'O' ? "0o" : "0");
    if (sp->sharp && base == 16)
        strbuf_puts(&sb, sp->verb == 'X' ? "0X" : "0x");
    if (sp->sharp && base == 2)
        strbuf_puts(&sb, "0b");
    while (nd)
        strbuf_putc(&sb, digits[--nd]);
    struct spec s2 = *sp;
    s2.zero = sp->zero && sp->prec < 0; /* a precision turns zero padding off */
    pad(&s2, strbuf_cstr(&sb), sb.len, true, out);
    strbuf_free(&sb);
}

static void fmt_int_value(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    struct strbuf sb = STRBUF_INIT;
    switch (sp->verb) {
    case 'c':
        utf8_put(&sb, (uint32_t)v->u.i);
        pad(sp, sb.buf, sb.len, false, out);
        break;
    case 'q': {
        struct strbuf r = STRBUF_INIT;
        utf8_put(&r, (uint32_t)v->u.i);
        strbuf_putc(&sb, '\'');
        if (v->u.i == 0)
            strbuf_puts(&sb, "\\x00");
        else if (v->u.i == '\'')
            strbuf_puts(&sb, "\\'");
        else if (v->u.i == '"')
            strbuf_putc(&sb, '"');
        else {
            strbuf_go_quote(&sb, strbuf_cstr(&r));
            /* strip the double quotes go_quote added */
            memmove(sb.buf + 1, sb.buf + 2, sb.len - 2);
            sb.len -= 2;
        }
        strbuf_putc(&sb, '\'');
        strbuf_free(&r);
        pad(sp, sb.buf, sb.len, false, out);
        break;
    }
    case 'U':
        strbuf_printf(&sb, "U+%04llX", (unsigned long long)v->u.i);
        pad(sp, sb.buf, sb.len, false, out);
        break;
    default:
        fmt_integer(sp, v->u.i, out);
    }
    strbuf_free(&sb);
}

/* strconv's 'b' form: mantissa "p" binary exponent. */
static void float_binary(double f, struct strbuf *out)
{
    if (f == 0) {
        strbuf_puts(out, signbit(f) ? "-0p-1074" : "0p-1074");
        return;
    }
    int e;
    double m = frexp(fabs(f), &e);
    uint64_t mant = (uint64_t)ldexp(m, 53);
    strbuf_printf(out, "%s%llup%+d", f < 0 ? "-" : "", (unsigned long long)mant, e - 53);
}

/* %x of a float: C's %a with Go's two-digit exponent. */
static void float_hex(double f, int prec, bool upper, struct strbuf *out)
{
    char buf[64];
    if (prec >= 0)
        snprintf(buf, sizeof buf, upper ? "%.*A" : "%.*a", prec, f);
    else
        snprintf(buf, sizeof buf, upper ? "%A" : "%a", f);
    char *p = strchr(buf, upper ? 'P' : 'p');
    if (!p || !p[1] || !p[2] || p[3]) {
        strbuf_puts(out, buf);
        return;
    }
    strbuf_add(out, buf, (size_t)(p - buf) + 2);
    strbuf_putc(out, '0');
    strbuf_puts(out, p + 2);
}

/* The # flag on floats: keep a decimal point, and for %g/%v/%x pad the
 * significant digits to the precision (6 when unset). */
static void float_sharp(struct strbuf *sb, char verb, int prec)
{
    int digits = 0;
    if (strchr("vgGx", verb))
        digits = prec < 0 ? 6 : prec;
    size_t start = sb->len && strchr("+- ", sb->buf[0]) ? 1 : 0, cut = sb->len;
    bool point = false, nonzero = false;
    for (size_t i = start; i < sb->len; i++) {
        char c = sb->buf[i];
        if (c == '.') {
            point = true;
        } else if (c == 'p' || c == 'P' || ((c == 'e' || c == 'E') && verb != 'x' && verb != 'X')) {
            cut = i;
            break;
        } else {
            nonzero |= c != '0';
            digits -= nonzero;
        }
    }
    char tail[16] = "";
    snprintf(tail, sizeof tail, "%s", sb->buf + cut);
    sb->len = cut;
    sb->buf[cut] = '\0';
    if (!point) {
        if (cut - start == 1 && sb->buf[start] == '0')
            digits--;
        strbuf_putc(sb, '.');
    }
    for (; digits > 0; digits--)
        strbuf_putc(sb, '0');
    strbuf_puts(sb, tail);
}

static void fmt_float(const struct spec *sp, double f, struct strbuf *out)
{
    struct strbuf sb = STRBUF_INIT;
    if (sp->plus && f >= 0)
        strbuf_putc(&sb, '+');
    else if (sp->space && f >= 0)
        strbuf_putc(&sb, ' ');
    char verb = sp->verb == 'v' ? 'g' : sp->verb;
    if (verb == 'b') {
        float_binary(f, &sb);
    } else if (verb == 'x' || verb == 'X') {
        float_hex(f, sp->prec, verb == 'X', &sb);
    } else if (verb == 'g' && sp->prec < 0)
        float_format_go(f, 'v', -1, &sb);
    else if (verb == 'G' && sp->prec < 0)
        float_format_go(f, 'G', -1, &sb);
    else if ((verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F') && sp->prec < 0)
        float_format_go(f, verb, 6, &sb);
    else
        float_format_go(f, verb, sp->prec, &sb);
    if (sp->sharp && verb != 'b')
        float_sharp(&sb, verb, sp->prec);
    pad(sp, sb.buf, sb.len, true, out);
    strbuf_free(&sb);
}

static void fmt_string(const struct spec *sp, const char *s, size_t n, struct strbuf *out)
{
    if (sp->prec >= 0) {
        size_t k = 0, runes = 0;
        while (k < n && runes < (size_t)sp->prec) {
            k++;
            while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
                k++;
            runes++;
        }
        n = k;
    }
    struct strbuf sb = STRBUF_INIT;
    if (sp->verb == 'q') {
        char *tmp = xstrndup(s, n);
        strbuf_go_quote(&sb, tmp);
        free(tmp);
    } else if (sp->verb == 'x' || sp->verb == 'X') {
        for (size_t i = 0; i < n; i++) {
            if (i && sp->space)
                strbuf_putc(&sb, ' ');
            if (sp->sharp && (i == 0 || sp->space))
                strbuf_puts(&sb, sp->verb == 'x' ? "0x" : "0X");
            strbuf_printf(&sb, sp->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
        }
    } else {
        strbuf_add(&sb, s, n);
    }
    pad(sp, sb.buf ? sb.buf : "", sb.len, false, out);
    strbuf_free(&sb);
}

static void fmt_value(const struct spec *sp, const struct value *v, struct strbuf *out);

static void fmt_list(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    strbuf_putc(out, '[');
    for (size_t i = 0; i < v->u.list.len; i++) {
        if (i)
            strbuf_putc(out, ' ');
        fmt_value(sp, &v->u.list.items[i], out);
    }
    strbuf_putc(out, ']');
}

static void fmt_cstr(const struct spec *sp, const char *s, struct strbuf *out)
{
    struct value v = value_cstr(s);
    fmt_value(sp, &v, out);
}

/* Maps print as map[k:v ...], the verb applied to each key and value. */
static void fmt_kv(const struct spec *sp, const struct kv *kv, struct strbuf *out)
{
    strbuf_puts(out, "map[");
    for (size_t i = 0; i < kv->len; i++) {
        if (i)
            strbuf_putc(out, ' ');
        fmt_cstr(sp, kv->names[i], out);
        strbuf_putc(out, ':');
        fmt_cstr(sp, kv->values[i], out);
    }
    strbuf_putc(out, ']');
}

/* One struct field: "Name:" under %+v, then the value. */
static void fmt_field(const struct spec *sp, const char *name, const struct value *v, bool first,
                      struct strbuf *out)
{
    if (!first)
        strbuf_putc(out, ' ');
    if (sp->plus_v)
        strbuf_printf(out, "%s:", name);
    fmt_value(sp, v, out);
}

static struct value time_val(int64_t t)
{
    struct value v = {.kind = V_TIME};
    v.u.t = t;
    return v;
}

static void fmt_alert(const struct spec *sp, const struct template_alert *a, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    struct value labels = {.kind = V_KV}, annots = {.kind = V_KV};
    labels.u.kv = kv_from_labelset(&tmp, &a->labels);
    annots.u.kv = kv_from_labelset(&tmp, &a->annotations);
    struct value f[7] = {value_cstr(a->status), labels, annots, time_val(a->starts_at),
                         time_val(a->ends_at), value_cstr(a->generator_url),
                         value_cstr(a->fingerprint)};
    static const char *const names[7] = {"Status", "Labels", "Annotations", "StartsAt",
                                         "EndsAt", "GeneratorURL", "Fingerprint"};
    strbuf_putc(out, '{');
    for (int i = 0; i < 7; i++)
        fmt_field(sp, names[i], &f[i], i == 0, out);
    strbuf_putc(out, '}');
    arena_free(&tmp);
}

static void fmt_alerts(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    strbuf_putc(out, '[');
    for (size_t i = 0; i < v->u.alerts.len; i++) {
        if (i)
            strbuf_putc(out, ' ');
        fmt_alert(sp, v->u.alerts.items[i], out);
    }
    strbuf_putc(out, ']');
}

static void fmt_data(const struct spec *sp, const struct template_data *d, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    struct value alerts = {.kind = V_ALERTS};
    alerts.u.alerts.items = arena_alloc(&tmp, (d->n_alerts + 1) * sizeof(void *));
    for (size_t i = 0; i < d->n_alerts; i++)
        alerts.u.alerts.items[i] = &d->alerts[i];
    alerts.u.alerts.len = d->n_alerts;
    struct value kvs[3] = {{.kind = V_KV}, {.kind = V_KV}, {.kind = V_KV}};
    kvs[0].u.kv = kv_from_labelset(&tmp, &d->group_labels);
    kvs[1].u.kv = kv_from_labelset(&tmp, &d->common_labels);
    kvs[2].u.kv = kv_from_labelset(&tmp, &d->common_annotations);
    struct value f[7] = {value_cstr(d->receiver), value_cstr(d->status), alerts, kvs[0], kvs[1],
                         kvs[2], value_cstr(d->external_url)};
    static const char *const names[7] = {"Receiver", "Status", "Alerts", "GroupLabels",
                                         "CommonLabels", "CommonAnnotations", "ExternalURL"};
    strbuf_putc(out, '{');
    for (int i = 0; i < 7; i++)
        fmt_field(sp, names[i], &f[i], i == 0, out);
    strbuf_putc(out, '}');
    arena_free(&tmp);
}

static void fmt_pair(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    struct value name = value_cstr(v->u.pair.name), val = value_cstr(v->u.pair.value);
    strbuf_putc(out, '{');
    fmt_field(sp, "Name", &name, true, out);
    fmt_field(sp, "Value", &val, false, out);
    strbuf_putc(out, '}');
}

/* time.Time is a Stringer, used for the verbs fmt hands to String(). */
static void fmt_time(const struct spec *sp, int64_t t, struct strbuf *out)
{
    struct strbuf sb = STRBUF_INIT;
    time_format_go(t, &sb);
    struct spec s2 = *sp;
    if (!strchr("sqxX", s2.verb))
        s2.verb = 's';
    fmt_string(&s2, strbuf_cstr(&sb), sb.len, out);
    strbuf_free(&sb);
}

static bool fmt_scalar(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    char verb = sp->verb;
    switch (v->kind) {
    case V_BOOL:
        if (verb == 'v' || verb == 't')
            pad(sp, v->u.b ? "true" : "false", v->u.b ? 4 : 5, false, out);
        else
            bad_verb(sp, v, out);
        return true;
    case V_INT:
    case V_BYTE:
        if (strchr("bcdoOqxXUv", verb))
            fmt_int_value(sp, v, out);
        else
            bad_verb(sp, v, out);
        return true;
    case V_FLOAT:
        if (strchr("bveEfFgGxX", verb))
            fmt_float(sp, v->u.f, out);
        else
            bad_verb(sp, v, out);
        return true;
    case V_STRING:
    case V_HTML:
        if (strchr("vsqxX", verb))
            fmt_string(sp, v->u.str.s, v->u.str.len, out);
        else
            bad_verb(sp, v, out);
        return true;
    case V_NIL:
        if (verb == 'v')
            pad(sp, "<nil>", 5, false, out);
        else
            bad_verb(sp, v, out);
        return true;
    default:
        return false;
    }
}

static void fmt_value(const struct spec *sp, const struct value *v, struct strbuf *out)
{
    if (sp->verb == 'T') {
        const char *t = value_type_name(v);
        pad(sp, t, strlen(t), false, out);
        return;
    }
    if (fmt_scalar(sp, v, out))
        return;
    switch (v->kind) {
    case V_LIST: case V_PAIRS: fmt_list(sp, v, out); break;
    case V_KV: fmt_kv(sp, v->u.kv, out); break;
    case V_PAIR: fmt_pair(sp, v, out); break;
    case V_TIME: fmt_time(sp, v->u.t, out); break;
    case V_ALERT: fmt_alert(sp, v->u.alert, out); break;
    case V_ALERTS: fmt_alerts(sp, v, out); break;
    case V_DATA: fmt_data(sp, v->u.data, out); break;
    default: break;
    }
}

static int parse_num(const char *f, size_t n, size_t *i)
{
    int v = 0;
    while (*i < n && f[*i] >= '0' && f[*i] <= '9' && v < 1000000)
        v = v * 10 + (f[(*i)++] - '0');
    return v;
}

/* Reads flags, width and precision; '*' takes an int operand. */
static void parse_spec(const char *f, size_t n, size_t *i, struct spec *sp, struct value *args,
                       size_t nargs, size_t *argi, struct strbuf *out)
{
    memset(sp, 0, sizeof *sp);
    sp->width = sp->prec = -1;
    for (; *i < n && strchr("+-# 0", f[*i]); (*i)++) {
        char c = f[*i];
        sp->plus |= c == '+', sp->minus |= c == '-', sp->sharp |= c == '#';
        sp->zero |= c == '0', sp->space |= c == ' ';
    }
    if (*i < n && f[*i] == '*') {
        (*i)++;
        if (*argi < nargs && args[*argi].kind == V_INT)
            sp->width = (int)args[(*argi)++].u.i;
        else
            strbuf_puts(out, "%!(BADWIDTH)"), (*argi)++;
        if (sp->width < 0)
            sp->minus = true, sp->width = -sp->width;
    } else if (*i < n && f[*i] >= '0' && f[*i] <= '9') {
        sp->width = parse_num(f, n, i);
    }
    if (*i < n && f[*i] == '.') {
        (*i)++;
        if (*i < n && f[*i] == '*') {
            (*i)++;
            if (*argi < nargs && args[*argi].kind == V_INT)
                sp->prec = (int)args[(*argi)++].u.i;
            else
                (*argi)++;
            if (sp->prec < 0) { /* missing, not an int, or negative */
                sp->prec = -1;
                strbuf_puts(out, "%!(BADPREC)");
            }
        } else {
            sp->prec = parse_num(f, n, i);
        }
    }
    if (sp->minus)
        sp->zero = false;
}

/* "[n]" before a verb picks operand n (1-based); -1 for a bad index. */
static int arg_index(const char *f, size_t n, size_t *i, size_t nargs, size_t *argi)
{
    if (*i >= n || f[*i] != '[')
        return 0;
    size_t j = *i + 1;
    size_t v = 0;
    while (j < n && f[j] >= '0' && f[j] <= '9' && v < 1000000)
        v = v * 10 + (size_t)(f[j++] - '0');
    if (j >= n || f[j] != ']') {
        *i = j;
        return -1;
    }
    *i = j + 1;
    if (v < 1 || v > nargs)
        return -1;
    *argi = v - 1;
    return 1;
}

/* Operands Printf did not use: "%!(EXTRA type=value, ...)". */
static void fmt_extra(struct value *args, size_t from, size_t nargs, struct strbuf *out)
{
    strbuf_puts(out, "%!(EXTRA ");
    for (size_t k = from; k < nargs; k++) {
        if (k > from)
            strbuf_puts(out, ", ");
        if (args[k].kind == V_NIL) {
            strbuf_puts(out, "<nil>");
            continue;
        }
        strbuf_printf(out, "%s=", value_type_name(&args[k]));
        value_print(&args[k], out);
    }
    strbuf_putc(out, ')');
}

struct printf_state {
    struct value *args;
    size_t nargs, argi;
    bool reordered;
};

/* One directive after its '%'; returns false when the format ends early. */
static bool fmt_directive(const char *f, size_t n, size_t *i, struct printf_state *ps,
                          struct strbuf *out)
{
    struct spec sp;
    parse_spec(f, n, i, &sp, ps->args, ps->nargs, &ps->argi, out);
    int idx = arg_index(f, n, i, ps->nargs, &ps->argi);
    ps->reordered |= idx != 0;
    if (*i >= n) {
        strbuf_puts(out, "%!(NOVERB)");
        return false;
    }
    size_t used;
    uint32_t verb = utf8_get(f + *i, n - *i, &used);
    *i += used;
    if (verb == '%') {
        strbuf_putc(out, '%');
        return true;
    }
    sp.verb = verb < 0x80 ? (char)verb : '?';
    if (sp.verb == 'v' && sp.plus) {
        sp.plus_v = true;
        sp.plus = false;
    }
    if (idx < 0 || ps->argi >= ps->nargs) {
        strbuf_puts(out, "%!");
        utf8_put(out, verb);
        strbuf_puts(out, idx < 0 ? "(BADINDEX)" : "(MISSING)");
        return true;
    }
    fmt_value(&sp, &ps->args[ps->argi++], out);
    return true;
}

void go_sprintf(const char *f, size_t n, struct value *args, size_t nargs, struct strbuf *out)
{
    struct printf_state ps = {args, nargs, 0, false};
    for (size_t i = 0; i < n;) {
        if (f[i] != '%') {
            size_t j = i;
            while (j < n && f[j] != '%')
                j++;
            strbuf_add(out, f + i, j - i);
            i = j;
            continue;
        }
        i++;
        if (!fmt_directive(f, n, &i, &ps, out))
            break;
    }
    if (!ps.reordered && ps.argi < nargs)
        fmt_extra(args, ps.argi, nargs, out);
}
