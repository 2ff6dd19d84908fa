/*
 * The two duration syntaxes Alertmanager accepts: Go's time.ParseDuration for
 * command-line flags, and Prometheus' model.Duration for alertmanager.yml.
 */
#include "util/util.h"

#include <stdio.h>

struct unit {
    const char *name;
    int64_t ns;
};

static const struct unit go_units[] = {
    {"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
    {"ms", NS_PER_MS}, {"s", NS_PER_SEC}, {"m", 60 * NS_PER_SEC}, {"h", 3600 * NS_PER_SEC},
};

int duration_parse_go(const char *s, int64_t *out_ns)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (strcmp(p, "0") == 0) {
        *out_ns = 0;
        return 0;
    }
    if (!*p)
        return -1;
    double total = 0;
    while (*p) {
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return -1;
        double v = 0, scale = 1;
        int seen_digit = 0, seen_dot = 0;
        while ((*p >= '0' && *p <= '9') || (*p == '.' && !seen_dot)) {
            if (*p == '.') {
                seen_dot = 1;
            } else {
                seen_digit = 1;
                if (seen_dot) {
                    scale /= 10;
                    v += (*p - '0') * scale;
                } else {
                    v = v * 10 + (*p - '0');
                }
            }
            p++;
        }
        if (!seen_digit)
            return -1;
        const struct unit *u = NULL;
        size_t best = 0;
        for (size_t i = 0; i < ARRAY_SIZE(go_units); i++) {
            size_t l = strlen(go_units[i].name);
            if (strncmp(p, go_units[i].name, l) == 0 && l > best) {
                u = &go_units[i];
                best = l;
            }
        }
        if (!u)
            return -1;
        p += best;
        total += v * (double)u->ns;
        if (total > 9.2e18)
            return -1;
    }
    *out_ns = (int64_t)(neg ? -total : total);
    return 0;
}

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
