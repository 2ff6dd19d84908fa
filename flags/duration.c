/*
 * Go's time.ParseDuration with Go's error messages.  util's parser gives the
 * value only; kingpin prints Go's message verbatim ("time: unknown unit \"d\"
 * in duration \"1d\""), so the flag parser needs to know which rule failed.
 */
#include "flags/flags.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

#define DUR_LIMIT (UINT64_C(1) << 63)

struct go_unit {
    const char *name;
    uint64_t ns;
};

static const struct go_unit go_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
    {"ms", 1000000},
    {"s", UINT64_C(1000000000)},
    {"m", UINT64_C(60000000000)},
    {"h", UINT64_C(3600000000000)},
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char *duration_err(const char *what, const char *orig)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "time: %s ", what);
    strbuf_go_quote(&sb, orig);
    return strbuf_detach(&sb);
}

static char *unknown_unit_err(const char *unit, size_t len, const char *orig)
{
    struct strbuf sb = STRBUF_INIT;
    char *u = xstrndup(unit, len);
    strbuf_puts(&sb, "time: unknown unit ");
    strbuf_go_quote(&sb, u);
    strbuf_puts(&sb, " in duration ");
    strbuf_go_quote(&sb, orig);
    free(u);
    return strbuf_detach(&sb);
}

/* Digits as an integer; false on overflow past 2^63, as Go's leadingInt. */
static bool leading_int(const char **p, uint64_t *out)
{
    uint64_t x = 0;
    for (; is_digit(**p); (*p)++) {
        if (x > DUR_LIMIT / 10)
            return false;
        x = x * 10 + (uint64_t)(**p - '0');
        if (x > DUR_LIMIT)
            return false;
    }
    *out = x;
    return true;
}

/* Fraction digits; digits past what fits are dropped, not an error. */
static void leading_fraction(const char **p, uint64_t *frac, double *scale)
{
    bool overflow = false;
    *frac = 0;
    *scale = 1;
    for (; is_digit(**p); (*p)++) {
        if (overflow)
            continue;
        if (*frac > (UINT64_MAX >> 1) / 10) {
            overflow = true;
            continue;
        }
        uint64_t y = *frac * 10 + (uint64_t)(**p - '0');
        if (y > DUR_LIMIT) {
            overflow = true;
            continue;
        }
        *frac = y;
        *scale *= 10;
    }
}

static const struct go_unit *unit_lookup(const char *u, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(go_units); i++)
        if (strlen(go_units[i].name) == len && memcmp(go_units[i].name, u, len) == 0)
            return &go_units[i];
    return NULL;
}

/* One "<number><unit>" term added to *total; NULL or Go's message. */
static char *parse_term(const char **p, uint64_t *total, const char *orig)
{
    if (!(**p == '.' || is_digit(**p)))
        return duration_err("invalid duration", orig);
    const char *start = *p;
    uint64_t v = 0, frac = 0;
    double scale = 1;
    if (!leading_int(p, &v))
        return duration_err("invalid duration", orig);
    bool pre = *p != start, post = false;
    if (**p == '.') {
        (*p)++;
        const char *fs = *p;
        leading_fraction(p, &frac, &scale);
        post = *p != fs;
    }
    if (!pre && !post)
        return duration_err("invalid duration", orig);
    const char *u = *p;
    while (**p && **p != '.' && !is_digit(**p))
        (*p)++;
    if (*p == u)
        return duration_err("missing unit in duration", orig);
    const struct go_unit *unit = unit_lookup(u, (size_t)(*p - u));
    if (!unit)
        return unknown_unit_err(u, (size_t)(*p - u), orig);
    if (v > DUR_LIMIT / unit->ns)
        return duration_err("invalid duration", orig);
    v *= unit->ns;
    if (frac > 0) {
        v += (uint64_t)((double)frac * ((double)unit->ns / scale));
        if (v > DUR_LIMIT)
            return duration_err("invalid duration", orig);
    }
    *total += v;
    if (*total > DUR_LIMIT)
        return duration_err("invalid duration", orig);
    return NULL;
}

int flags_parse_go_duration(const char *s, int64_t *out_ns, char **err)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *out_ns = 0;
        return 0;
    }
    if (!*p) {
        *err = duration_err("invalid duration", s);
        return -1;
    }
    uint64_t total = 0;
    while (*p) {
        *err = parse_term(&p, &total, s);
        if (*err)
            return -1;
    }
    if (neg) {
        *out_ns = total == DUR_LIMIT ? INT64_MIN : -(int64_t)total;
        return 0;
    }
    if (total > (uint64_t)INT64_MAX) {
        *err = duration_err("invalid duration", s);
        return -1;
    }
    *out_ns = (int64_t)total;
    return 0;
}
