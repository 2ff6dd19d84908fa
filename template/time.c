/*
 * time.Time as templates see it: Go's reference-layout Format ("2006-01-02
 * 15:04:05 MST"), the accessor methods operators call on .StartsAt/.EndsAt,
 * and time.Duration's String().  Times are UTC (Alertmanager's data is).
 */
#include "template/internal.h"

#include <stdio.h>

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
};
static const char *const day_names[] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

static bool has(const char *s, size_t n, size_t i, const char *p)
{
    size_t k = strlen(p);
    return i + k <= n && memcmp(s + i, p, k) == 0;
}

static void put_frac(const struct time_parts *tp, size_t digits, bool trim, char sep,
                     struct strbuf *out)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%09d", tp->nsec);
    size_t n = digits > 9 ? 9 : digits;
    if (trim) {
        while (n > 0 && buf[n - 1] == '0')
            n--;
        if (n == 0)
            return;
    }
    strbuf_putc(out, sep);
    strbuf_add(out, buf, n);
}

static const struct {
    const char *pat;
    int id;
} std_chunks[] = {
    {"January", 1}, {"Jan", 2}, {"Monday", 3}, {"Mon", 4}, {"MST", 5},
    {"2006", 6}, {"002", 7}, {"01", 8}, {"02", 9}, {"03", 10}, {"04", 11},
    {"05", 12}, {"06", 13}, {"15", 14}, {"__2", 15}, {"_2", 16}, {"1", 17},
    {"2", 18}, {"3", 19}, {"4", 20}, {"5", 21}, {"PM", 22}, {"pm", 23},
    {"-07:00:00", 24}, {"-070000", 24}, {"-07:00", 24}, {"-0700", 24}, {"-07", 24},
    {"Z07:00:00", 25}, {"Z070000", 25}, {"Z07:00", 25}, {"Z0700", 25}, {"Z07", 25},
};

/* The zone forms for UTC: "Z..." layouts print Z, "-07..." ones zeros. */
static void put_zone(const char *p, struct strbuf *out)
{
    if (p[0] == 'Z') {
        strbuf_putc(out, 'Z');
        return;
    }
    strbuf_puts(out, strlen(p) == 3 ? "+00" : strchr(p, ':') ? "+00:00" : "+0000");
    if (!strcmp(p, "-07:00:00"))
        strbuf_puts(out, ":00");
    else if (!strcmp(p, "-070000"))
        strbuf_puts(out, "00");
}

static void put_std(int id, const char *p, const struct time_parts *tp, struct strbuf *out)
{
    int h12 = tp->hour % 12 == 0 ? 12 : tp->hour % 12;
    switch (id) {
    case 1: strbuf_puts(out, month_names[tp->month - 1]); break;
    case 2: strbuf_add(out, month_names[tp->month - 1], 3); break;
    case 3: strbuf_puts(out, day_names[tp->wday]); break;
    case 4: strbuf_add(out, day_names[tp->wday], 3); break;
    case 5: strbuf_puts(out, "UTC"); break;
    case 6: strbuf_printf(out, "%04lld", (long long)tp->year); break;
    case 7: strbuf_printf(out, "%03d", tp->yday); break;
    case 8: strbuf_printf(out, "%02d", tp->month); break;
    case 9: strbuf_printf(out, "%02d", tp->day); break;
    case 10: strbuf_printf(out, "%02d", h12); break;
    case 11: strbuf_printf(out, "%02d", tp->min); break;
    case 12: strbuf_printf(out, "%02d", tp->sec); break;
    case 13: strbuf_printf(out, "%02lld", (long long)(tp->year % 100)); break;
    case 14: strbuf_printf(out, "%02d", tp->hour); break;
    case 15: strbuf_printf(out, "%3d", tp->yday); break;
    case 16: strbuf_printf(out, "%2d", tp->day); break;
    case 17: strbuf_printf(out, "%d", tp->month); break;
    case 18: strbuf_printf(out, "%d", tp->day); break;
    case 19: strbuf_printf(out, "%d", h12); break;
    case 20: strbuf_printf(out, "%d", tp->min); break;
    case 21: strbuf_printf(out, "%d", tp->sec); break;
    case 22: strbuf_puts(out, tp->hour >= 12 ? "PM" : "AM"); break;
    case 23: strbuf_puts(out, tp->hour >= 12 ? "pm" : "am"); break;
    default: put_zone(p, out); break;
    }
}

/* One layout element at l[*i]; returns false for a literal byte. */
static bool format_elem(const char *l, size_t n, size_t *i, const struct time_parts *tp,
                        struct strbuf *out)
{
    for (size_t k = 0; k < ARRAY_SIZE(std_chunks); k++) {
        if (!has(l, n, *i, std_chunks[k].pat))
            continue;
        put_std(std_chunks[k].id, std_chunks[k].pat, tp, out);
        *i += strlen(std_chunks[k].pat);
        return true;
    }
    char c = l[*i];
    if ((c == '.' || c == ',') && *i + 1 < n && (l[*i + 1] == '0' || l[*i + 1] == '9')) {
        size_t j = *i + 1;
        while (j < n && l[j] == l[*i + 1])
            j++;
        if (j >= n || l[j] < '0' || l[j] > '9') {
            put_frac(tp, j - *i - 1, l[*i + 1] == '9', c, out);
            *i = j;
            return true;
        }
    }
    return false;
}

void time_format_layout(int64_t t, const char *layout, size_t n, struct strbuf *out)
{
    struct time_parts tp;
    time_split(t, &tp);
    for (size_t i = 0; i < n;) {
        if (!format_elem(layout, n, &i, &tp, out))
            strbuf_putc(out, layout[i++]);
    }
}

/* Writes v/10^prec with trailing fractional zeros dropped. */
static void frac_units(uint64_t v, int prec, struct strbuf *out)
{
    uint64_t div = 1;
    for (int i = 0; i < prec; i++)
        div *= 10;
    strbuf_printf(out, "%llu", (unsigned long long)(v / div));
    uint64_t rem = v % div;
    if (!rem)
        return;
    char buf[24];
    snprintf(buf, sizeof buf, "%0*llu", prec, (unsigned long long)rem);
    size_t k = strlen(buf);
    while (k && buf[k - 1] == '0')
        k--;
    strbuf_putc(out, '.');
    strbuf_add(out, buf, k);
}

void duration_format_go(int64_t d, struct strbuf *out)
{
    if (d == 0) {
        strbuf_puts(out, "0s");
        return;
    }
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    if (d < 0)
        strbuf_putc(out, '-');
    if (u < 1000) {
        strbuf_printf(out, "%lluns", (unsigned long long)u);
    } else if (u < 1000000) {
        frac_units(u, 3, out);
        strbuf_puts(out, "\xC2\xB5s");
    } else if (u < 1000000000) {
        frac_units(u, 6, out);
        strbuf_puts(out, "ms");
    } else {
        uint64_t secs = u / 1000000000, ns = u % 1000000000;
        uint64_t h = secs / 3600, m = secs / 60 % 60;
        if (h)
            strbuf_printf(out, "%lluh", (unsigned long long)h);
        if (h || m)
            strbuf_printf(out, "%llum", (unsigned long long)m);
        frac_units((secs % 60) * 1000000000 + ns, 9, out);
        strbuf_putc(out, 's');
    }
}

static int64_t unix_seconds(int64_t t)
{
    if (t == TIME_ZERO)
        return INT64_C(-62135596800);
    int64_t s = t / NS_PER_SEC;
    return t % NS_PER_SEC < 0 ? s - 1 : s;
}

static struct value int_value(int64_t i)
{
    struct value v = {.kind = V_INT};
    v.u.i = i;
    return v;
}

static int want_none(const char *name, size_t n, struct strbuf *err)
{
    if (n) {
        strbuf_printf(err, "wrong number of args for %s: want 0 got %zu", name, n);
        return -1;
    }
    return 0;
}

int time_call(struct arena *a, int64_t t, const char *name, struct value *args, size_t n,
              struct value *out, struct strbuf *err)
{
    struct time_parts tp;
    time_split(t, &tp);
    if (!strcmp(name, "Format")) {
        if (n != 1) {
            strbuf_printf(err, "wrong number of args for Format: want 1 got %zu", n);
            return -1;
        }
        if (args[0].kind != V_STRING) {
            strbuf_printf(err, "wrong type for value; expected string; got %s",
                          value_type_name(&args[0]));
            return -1;
        }
        struct strbuf sb = STRBUF_INIT;
        time_format_layout(t, args[0].u.str.s, args[0].u.str.len, &sb);
        char *s = arena_strndup(a, strbuf_cstr(&sb), sb.len);
        *out = value_string(s, sb.len);
        strbuf_free(&sb);
        return 1;
    }
    static const char *const nullary[] = {
        "Unix", "UnixMilli", "UnixNano", "IsZero", "UTC", "Local", "String", "Year",
        "Day", "Hour", "Minute", "Second", "Nanosecond", "YearDay", "Month", "Weekday",
    };
    size_t k;
    for (k = 0; k < ARRAY_SIZE(nullary) && strcmp(nullary[k], name); k++)
        ;
    if (k == ARRAY_SIZE(nullary))
        return 0;
    if (want_none(name, n, err) < 0)
        return -1;
    int64_t secs = unix_seconds(t);
    int64_t sub = t == TIME_ZERO ? 0 : t - secs * NS_PER_SEC;
    struct strbuf sb = STRBUF_INIT;
    switch (k) {
    case 0: *out = int_value(secs); break;
    case 1: *out = int_value(secs * 1000 + sub / NS_PER_MS); break;
    case 2: *out = int_value(t); break;
    case 3: out->kind = V_BOOL; out->u.b = t == TIME_ZERO; break;
    case 4: case 5: out->kind = V_TIME; out->u.t = t; break;
    case 6:
        time_format_go(t, &sb);
        *out = value_string(arena_strndup(a, sb.buf, sb.len), sb.len);
        break;
    case 7: *out = int_value(tp.year); break;
    case 8: *out = int_value(tp.day); break;
    case 9: *out = int_value(tp.hour); break;
    case 10: *out = int_value(tp.min); break;
    case 11: *out = int_value(tp.sec); break;
    case 12: *out = int_value(tp.nsec); break;
    case 13: *out = int_value(tp.yday); break;
    case 14: *out = value_cstr(month_names[tp.month - 1]); break;
    case 15: *out = value_cstr(day_names[tp.wday]); break;
    }
    strbuf_free(&sb);
    return 1;
}
