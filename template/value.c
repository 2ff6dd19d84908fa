/*
 * Runtime values of the template engine and how Go's fmt prints them: the
 * Alertmanager data types (Data, Alert, KV, Pairs...) print as Go prints the
 * structs and maps behind them, so `{{ . }}` or `{{ .Labels }}` match.
 */
#include "template/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct value value_string(const char *s, size_t len)
{
    struct value v = {.kind = V_STRING};
    v.u.str.s = s;
    v.u.str.len = len;
    return v;
}

struct value value_cstr(const char *s)
{
    return value_string(s ? s : "", s ? strlen(s) : 0);
}

struct kv *kv_from_labelset(struct arena *a, const struct labelset *ls)
{
    struct kv *kv = arena_alloc(a, sizeof *kv);
    kv->len = ls->len;
    kv->names = arena_alloc(a, (ls->len + 1) * sizeof *kv->names);
    kv->values = arena_alloc(a, (ls->len + 1) * sizeof *kv->values);
    for (size_t i = 0; i < ls->len; i++) {
        kv->names[i] = ls->items[i].name;
        kv->values[i] = ls->items[i].value;
    }
    return kv;
}

bool value_truth(const struct value *v)
{
    switch (v->kind) {
    case V_NIL:
        return false;
    case V_BOOL:
        return v->u.b;
    case V_INT:
    case V_BYTE:
        return v->u.i != 0;
    case V_FLOAT:
        return v->u.f != 0;
    case V_STRING:
    case V_HTML:
        return v->u.str.len != 0;
    case V_LIST:
    case V_PAIRS:
        return v->u.list.len != 0;
    case V_ALERTS:
        return v->u.alerts.len != 0;
    case V_KV:
        return v->u.kv->len != 0;
    case V_PAIR:
    case V_TIME:
    case V_ALERT:
    case V_DATA:
        return true;
    }
    return false;
}

const char *value_type_name(const struct value *v)
{
    switch (v->kind) {
    case V_NIL: return "<nil>";
    case V_BOOL: return "bool";
    case V_INT: return "int";
    case V_BYTE: return "uint8";
    case V_FLOAT: return "float64";
    case V_STRING: return "string";
    case V_HTML: return "template.HTML";
    case V_LIST: return v->u.list.strings ? "[]string" : "[]interface {}";
    case V_KV: return "template.KV";
    case V_PAIR: return "template.Pair";
    case V_PAIRS: return "template.Pairs";
    case V_TIME: return "time.Time";
    case V_ALERT: return "template.Alert";
    case V_ALERTS: return v->u.alerts.plain ? "[]template.Alert" : "template.Alerts";
    case V_DATA: return v->u.data->by_pointer ? "*template.Data" : "template.Data";
    }
    return "?";
}

void time_split(int64_t t, struct time_parts *tp)
{
    if (t == TIME_ZERO) {
        memset(tp, 0, sizeof *tp);
        tp->year = 1, tp->month = 1, tp->day = 1, tp->is_zero = true;
        tp->yday = 1;
        tp->wday = 1; /* 0001-01-01 was a Monday */
        return;
    }
    int64_t secs = t / NS_PER_SEC, ns = t % NS_PER_SEC;
    if (ns < 0)
        ns += NS_PER_SEC, secs--;
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0)
        rem += 86400, days--;
    unsigned month, day;
    time_civil_from_days(days, &tp->year, &month, &day);
    tp->month = (int)month;
    tp->day = (int)day;
    tp->hour = (int)(rem / 3600);
    tp->min = (int)(rem / 60 % 60);
    tp->sec = (int)(rem % 60);
    tp->nsec = (int)ns;
    tp->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    bool leap = (tp->year % 4 == 0 && tp->year % 100 != 0) || tp->year % 400 == 0;
    tp->yday = cum[tp->month - 1] + tp->day + (leap && tp->month > 2);
    tp->is_zero = false;
}

void time_format_go(int64_t t, struct strbuf *out)
{
    struct time_parts tp;
    time_split(t, &tp);
    strbuf_printf(out, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)tp.year, tp.month, tp.day,
                  tp.hour, tp.min, tp.sec);
    if (tp.nsec) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%09d", tp.nsec);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0')
            n--;
        strbuf_add(out, frac, n);
    }
    strbuf_puts(out, " +0000 UTC");
}

/* Shortest decimal digits that read back as f: digits and decimal exponent
 * (value = 0.d1d2... * 10^dp). */
static void float_shortest(double f, char *digits, int *nd, int *dp)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    int n = 0;
    char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *nd = n;
    *dp = atoi(p + 1) + 1;
}

static void float_exp_form(const char *digits, int nd, int dp, int prec, char e,
                           struct strbuf *out)
{
    strbuf_putc(out, digits[0]);
    int shown = prec < 0 ? nd - 1 : prec;
    if (shown > 0) {
        strbuf_putc(out, '.');
        for (int i = 1; i <= shown; i++)
            strbuf_putc(out, i < nd ? digits[i] : '0');
    }
    int exp = dp - 1;
    strbuf_printf(out, "%c%c%02d", e, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

void float_format_go(double f, char fmt, int prec, struct strbuf *out)
{
    if (isnan(f)) {
        strbuf_puts(out, "NaN");
        return;
    }
    if (isinf(f)) {
        strbuf_puts(out, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if ((fmt == 'f' || fmt == 'F') && prec >= 0) {
        strbuf_printf(out, "%.*f", prec, f);
        return;
    }
    if ((fmt == 'e' || fmt == 'E') && prec >= 0) {
        strbuf_printf(out, fmt == 'e' ? "%.*e" : "%.*E", prec, f);
        return;
    }
    if ((fmt == 'g' || fmt == 'G') && prec >= 0) {
        strbuf_printf(out, fmt == 'g' ? "%.*g" : "%.*G", prec == 0 ? 1 : prec, f);
        return;
    }
    char digits[24];
    int nd, dp;
    if (signbit(f))
        strbuf_putc(out, '-');
    if (f == 0) {
        strbuf_puts(out, fmt == 'e' || fmt == 'E' ? "0e+00" : "0");
        return;
    }
    float_shortest(fabs(f), digits, &nd, &dp);
    int exp = dp - 1;
    bool fixed = fmt == 'f' || fmt == 'F';
    if (!fixed && (fmt == 'e' || fmt == 'E' || exp < -4 || exp >= 6)) {
        float_exp_form(digits, nd, dp, -1, fmt == 'E' || fmt == 'G' ? 'E' : 'e', out);
        return;
    }
    if (dp <= 0) {
        strbuf_puts(out, "0.");
        for (int i = 0; i < -dp; i++)
            strbuf_putc(out, '0');
        strbuf_puts(out, digits);
        return;
    }
    for (int i = 0; i < dp; i++)
        strbuf_putc(out, i < nd ? digits[i] : '0');
    if (nd > dp) {
        strbuf_putc(out, '.');
        strbuf_puts(out, digits + dp);
    }
}

static void print_kv(const struct kv *kv, struct strbuf *out)
{
    strbuf_puts(out, "map[");
    for (size_t i = 0; i < kv->len; i++) {
        if (i)
            strbuf_putc(out, ' ');
        strbuf_printf(out, "%s:%s", kv->names[i], kv->values[i]);
    }
    strbuf_putc(out, ']');
}

static void print_alert(const struct template_alert *a, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    strbuf_printf(out, "{%s ", a->status ? a->status : "");
    print_kv(kv_from_labelset(&tmp, &a->labels), out);
    strbuf_putc(out, ' ');
    print_kv(kv_from_labelset(&tmp, &a->annotations), out);
    strbuf_putc(out, ' ');
    time_format_go(a->starts_at, out);
    strbuf_putc(out, ' ');
    time_format_go(a->ends_at, out);
    strbuf_printf(out, " %s %s}", a->generator_url ? a->generator_url : "",
                  a->fingerprint ? a->fingerprint : "");
    arena_free(&tmp);
}

static void print_data(const struct template_data *d, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    strbuf_printf(out, "{%s %s [", d->receiver ? d->receiver : "", d->status ? d->status : "");
    for (size_t i = 0; i < d->n_alerts; i++) {
        if (i)
            strbuf_putc(out, ' ');
        print_alert(&d->alerts[i], out);
    }
    strbuf_puts(out, "] ");
    print_kv(kv_from_labelset(&tmp, &d->group_labels), out);
    strbuf_putc(out, ' ');
    print_kv(kv_from_labelset(&tmp, &d->common_labels), out);
    strbuf_putc(out, ' ');
    print_kv(kv_from_labelset(&tmp, &d->common_annotations), out);
    strbuf_printf(out, " %s}", d->external_url ? d->external_url : "");
    arena_free(&tmp);
}

void value_print(const struct value *v, struct strbuf *out)
{
    switch (v->kind) {
    case V_NIL:
        strbuf_puts(out, "<nil>");
        break;
    case V_BOOL:
        strbuf_puts(out, v->u.b ? "true" : "false");
        break;
    case V_INT:
    case V_BYTE:
        strbuf_printf(out, "%lld", (long long)v->u.i);
        break;
    case V_FLOAT:
        float_format_go(v->u.f, 'v', -1, out);
        break;
    case V_STRING:
    case V_HTML:
        strbuf_add(out, v->u.str.s, v->u.str.len);
        break;
    case V_LIST:
    case V_PAIRS:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i)
                strbuf_putc(out, ' ');
            value_print(&v->u.list.items[i], out);
        }
        strbuf_putc(out, ']');
        break;
    case V_KV:
        print_kv(v->u.kv, out);
        break;
    case V_PAIR:
        strbuf_printf(out, "{%s %s}", v->u.pair.name, v->u.pair.value);
        break;
    case V_TIME:
        time_format_go(v->u.t, out);
        break;
    case V_ALERT:
        print_alert(v->u.alert, out);
        break;
    case V_ALERTS:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < v->u.alerts.len; i++) {
            if (i)
                strbuf_putc(out, ' ');
            print_alert(v->u.alerts.items[i], out);
        }
        strbuf_putc(out, ']');
        break;
    case V_DATA:
        print_data(v->u.data, out);
        break;
    }
}
