/*
 * The two duration syntaxes Alertmanager accepts: Go's time.ParseDuration for
 * command-line flags (and a few config fields), with Go's error messages since
 * kingpin and yaml print them verbatim, and Prometheus' model.Duration for
 * alertmanager.yml.
 */
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

struct unit {
    const char *name;
    int64_t ns;
};

static const struct unit prom_units[] = {
    {"y", 365 * 24 * 3600 * NS_PER_SEC}, {"w", 7 * 24 * 3600 * NS_PER_SEC},
    {"d", 24 * 3600 * NS_PER_SEC},       {"h", 3600 * NS_PER_SEC},
    {"m", 60 * NS_PER_SEC},              {"s", NS_PER_SEC},
    {"ms", NS_PER_MS},
};

int duration_parse_prom(const char *s, int64_t *out_ns)
{
    if (strcmp(s, "0") == 0) {
        *out_ns = 0;
        return 0;
    }
    if (!*s)
        return -1;
    const char *p = s;
    size_t next_unit = 0; /* units must appear in decreasing order, each once */
    int64_t total = 0;
    while (*p) {
        if (*p < '0' || *p > '9')
            return -1;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v > INT64_MAX / 10)
                return -1;
            v = v * 10 + (*p++ - '0');
        }
        /* "ms" must be tried before "m". */
        size_t found = ARRAY_SIZE(prom_units);
        if (p[0] == 'm' && p[1] == 's')
            found = 6;
        else
            for (size_t i = 0; i < ARRAY_SIZE(prom_units); i++)
                if (*p == prom_units[i].name[0] && prom_units[i].name[1] == '\0') {
                    found = i;
                    break;
                }
        if (found == ARRAY_SIZE(prom_units) || found < next_unit)
            return -1;
        p += strlen(prom_units[found].name);
        next_unit = found + 1;
        if (v > INT64_MAX / prom_units[found].ns || total > INT64_MAX - v * prom_units[found].ns)
            return -1;
        total += v * prom_units[found].ns;
    }
    *out_ns = total;
    return 0;
}

void duration_format_prom(int64_t ns, char out[64])
{
    int64_t ms = ns / NS_PER_MS;
    if (ms == 0) {
        strcpy(out, "0s");
        return;
    }
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(prom_units); i++) {
        int64_t unit_ms = prom_units[i].ns / NS_PER_MS;
        int64_t v = ms / unit_ms;
        if (v > 0) {
            n += (size_t)snprintf(out + n, 64 - n, "%lld%s", (long long)v, prom_units[i].name);
            ms -= v * unit_ms;
        }
    }
}

/* ---- Go time.ParseDuration ---- */

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

static int parse_go(const char *s, int64_t *out_ns, char **err)
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

int duration_parse_go(const char *s, int64_t *out_ns, char **err)
{
    char *msg = NULL;
    int rc = parse_go(s, out_ns, &msg);
    if (err)
        *err = msg;
    else
        free(msg);
    return rc;
}
