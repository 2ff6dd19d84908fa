/*
 * Time strings and URIs as go-openapi's strfmt reads them.  A DateTime is
 * tried against strfmt's layouts in order (RFC 3339 with milli/micro/nano
 * fractions and either offset form, local time without zone, minute
 * precision, "2006-01-02 15:04:05") and a failure reports Go's time.Parse
 * error for the last layout, because that is the text the API's 400 shows.
 * The layouts are pre-split into Go's layout elements instead of parsing
 * layout strings: only the elements these layouts use exist here.
 */
#include "api/api_internal.h"

#include <stdio.h>

enum el_kind {
    EL_LIT, EL_YEAR, EL_MONTH, EL_DAY, EL_HOUR, EL_MIN, EL_SEC,
    EL_FRAC0, /* exact digit count, from the layout text */
    EL_FRAC9, /* optional, any digits */
    EL_TZ_COLON, EL_TZ_PLAIN, EL_END
};

struct el {
    enum el_kind kind;
    const char *text; /* the layout element, for error messages */
};

#define DATE {EL_YEAR, "2006"}, {EL_LIT, "-"}, {EL_MONTH, "01"}, {EL_LIT, "-"}, {EL_DAY, "02"}
#define CLOCK {EL_HOUR, "15"}, {EL_LIT, ":"}, {EL_MIN, "04"}, {EL_LIT, ":"}, {EL_SEC, "05"}

struct layout {
    const char *text;
    struct el els[16];
};

static const struct layout layouts[] = {
    {"2006-01-02T15:04:05.000Z07:00",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_FRAC0, ".000"}, {EL_TZ_COLON, "Z07:00"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05.000Z0700",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_FRAC0, ".000"}, {EL_TZ_PLAIN, "Z0700"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05.000000Z07:00",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_FRAC0, ".000000"}, {EL_TZ_COLON, "Z07:00"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05.000000Z0700",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_FRAC0, ".000000"}, {EL_TZ_PLAIN, "Z0700"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05.999999999Z07:00",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_FRAC9, ".999999999"}, {EL_TZ_COLON, "Z07:00"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05Z07:00",
     {DATE, {EL_LIT, "T"}, CLOCK, {EL_TZ_COLON, "Z07:00"}, {EL_END, ""}}},
    {"2006-01-02T15:04:05", {DATE, {EL_LIT, "T"}, CLOCK, {EL_END, ""}}},
    {"2006-01-02T15:04Z",
     {DATE, {EL_LIT, "T"}, {EL_HOUR, "15"}, {EL_LIT, ":"}, {EL_MIN, "04"}, {EL_LIT, "Z"},
      {EL_END, ""}}},
    {"2006-01-02T15:04",
     {DATE, {EL_LIT, "T"}, {EL_HOUR, "15"}, {EL_LIT, ":"}, {EL_MIN, "04"}, {EL_END, ""}}},
    {"2006-01-02 15:04:05", {DATE, {EL_LIT, " "}, CLOCK, {EL_END, ""}}},
};

#define API_TIME_MAX_SEC INT64_C(7258118400)  /* 2200-01-01T00:00:00Z */
#define API_TIME_MIN_SEC INT64_C(-8520336000) /* 1700-01-01T00:00:00Z */

struct tparse {
    const char *v;   /* remaining value */
    const char *end;
    int year, month, day, hour, min, sec;
    int64_t nsec;
    int offset; /* seconds east of UTC */
};

/* Go's time package quote(): non-ASCII and control bytes as \x escapes. */
static void time_quote(struct strbuf *sb, const char *s, size_t n)
{
    strbuf_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < 0x20)
            strbuf_printf(sb, "\\x%02x", c);
        else {
            if (c == '"' || c == '\\')
                strbuf_putc(sb, '\\');
            strbuf_putc(sb, (char)c);
        }
    }
    strbuf_putc(sb, '"');
}

static bool dig(const struct tparse *t, size_t i)
{
    return t->end - t->v > (ptrdiff_t)i && t->v[i] >= '0' && t->v[i] <= '9';
}

/* Go's getnum: one or two digits, exactly two when fixed. */
static int getnum(struct tparse *t, bool fixed, int *out)
{
    if (!dig(t, 0))
        return -1;
    if (!dig(t, 1)) {
        if (fixed)
            return -1;
        *out = t->v[0] - '0';
        t->v++;
        return 0;
    }
    *out = (t->v[0] - '0') * 10 + t->v[1] - '0';
    t->v += 2;
    return 0;
}

/* n bytes from '.' or ','; consumed even when they do not parse. */
static int parse_nanos(struct tparse *t, size_t n)
{
    const char *p = t->v;
    t->v += n;
    if (p[0] != '.' && p[0] != ',')
        return -1;
    size_t use = n > 10 ? 10 : n;
    int64_t ns = 0;
    for (size_t i = 1; i < use; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        ns = ns * 10 + (p[i] - '0');
    }
    for (size_t i = use; i < 10; i++)
        ns *= 10;
    t->nsec = ns;
    return 0;
}

static int parse_tz(struct tparse *t, bool colon)
{
    size_t need = colon ? 6 : 5;
    if (t->v < t->end && t->v[0] == 'Z') {
        t->v++;
        t->offset = 0;
        return 0;
    }
    if ((size_t)(t->end - t->v) < need || (colon && t->v[3] != ':'))
        return -1;
    char sign = t->v[0];
    struct tparse h = *t, m = *t;
    h.v = t->v + 1;
    h.end = t->v + 3;
    m.v = t->v + (colon ? 4 : 3);
    m.end = m.v + 2;
    t->v += need; /* Go slices the offset off before checking it */
    int hr, mn;
    if (getnum(&h, true, &hr) < 0 || getnum(&m, true, &mn) < 0)
        return -1;
    if (sign != '+' && sign != '-')
        return -1;
    t->offset = (hr * 60 + mn) * 60 * (sign == '-' ? -1 : 1);
    return 0;
}

static bool frac_follows(const struct el *next)
{
    return next->kind == EL_FRAC0 || next->kind == EL_FRAC9;
}

/* One element; returns 0, -1 (cannot parse) or sets *range to a name. */
static int parse_el(struct tparse *t, const struct el *e, const char **range)
{
    switch (e->kind) {
    case EL_YEAR: {
        if (t->end - t->v < 4 || !dig(t, 0))
            return -1;
        bool ok = dig(t, 1) && dig(t, 2) && dig(t, 3);
        t->year = (t->v[0] - '0') * 1000 + (t->v[1] - '0') * 100 + (t->v[2] - '0') * 10 +
                  (t->v[3] - '0');
        t->v += 4; /* consumed even when not all digits */
        return ok ? 0 : -1;
    }
    case EL_MONTH:
        if (getnum(t, true, &t->month) < 0)
            return -1;
        if (t->month < 1 || t->month > 12)
            *range = "month";
        return 0;
    case EL_DAY:
        return getnum(t, true, &t->day);
    case EL_HOUR:
        if (getnum(t, false, &t->hour) < 0)
            return -1;
        if (t->hour >= 24)
            *range = "hour";
        return 0;
    case EL_MIN:
        if (getnum(t, true, &t->min) < 0)
            return -1;
        if (t->min >= 60)
            *range = "minute";
        return 0;
    case EL_SEC:
        if (getnum(t, true, &t->sec) < 0)
            return -1;
        if (t->sec >= 60) {
            *range = "second";
            return 0;
        }
        if (!frac_follows(e + 1) && t->end - t->v >= 2 && (t->v[0] == '.' || t->v[0] == ',') &&
            dig(t, 1)) {
            size_t n = 2;
            while (dig(t, n))
                n++;
            return parse_nanos(t, n);
        }
        return 0;
    case EL_FRAC0: {
        size_t n = strlen(e->text);
        if ((size_t)(t->end - t->v) < n)
            return -1;
        return parse_nanos(t, n);
    }
    case EL_FRAC9: {
        if (t->end - t->v < 2 || (t->v[0] != '.' && t->v[0] != ',') || !dig(t, 1))
            return 0;
        size_t n = 1;
        while (dig(t, n))
            n++;
        return parse_nanos(t, n);
    }
    case EL_TZ_COLON:
    case EL_TZ_PLAIN:
        return parse_tz(t, e->kind == EL_TZ_COLON);
    default:
        return 0;
    }
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return 29;
    return d[month - 1];
}

static void fail_elem(struct strbuf *err, const char *value, size_t len, const char *layout,
                      const char *vel, size_t vlen, const char *lel)
{
    strbuf_puts(err, "parsing time ");
    time_quote(err, value, len);
    strbuf_puts(err, " as ");
    time_quote(err, layout, strlen(layout));
    strbuf_puts(err, ": cannot parse ");
    time_quote(err, vel, vlen);
    strbuf_puts(err, " as ");
    time_quote(err, lel, strlen(lel));
}

static void fail_msg(struct strbuf *err, const char *value, size_t len, const char *msg,
                     const char *extra, size_t extra_len)
{
    strbuf_puts(err, "parsing time ");
    time_quote(err, value, len);
    strbuf_puts(err, msg);
    if (extra)
        time_quote(err, extra, extra_len);
}

static int layout_parse(const struct layout *l, const char *s, size_t len, int64_t *out,
                        struct strbuf *err)
{
    struct tparse t = {s, s + len, 1, 1, 1, 0, 0, 0, 0, 0};
    for (const struct el *e = l->els;; e++) {
        if (e->kind == EL_END) {
            if (t.v < t.end) {
                fail_msg(err, s, len, ": extra text: ", t.v, (size_t)(t.end - t.v));
                return -1;
            }
            break;
        }
        if (e->kind == EL_LIT && e->text[0] == ' ') {
            /* a layout space matches any run of spaces, even none at the end */
            if (t.v < t.end && *t.v != ' ') {
                fail_elem(err, s, len, l->text, t.v, (size_t)(t.end - t.v), e->text);
                return -1;
            }
            while (t.v < t.end && *t.v == ' ')
                t.v++;
            continue;
        }
        if (e->kind == EL_LIT) {
            size_t n = strlen(e->text);
            if ((size_t)(t.end - t.v) < n || memcmp(t.v, e->text, n) != 0) {
                fail_elem(err, s, len, l->text, t.v, (size_t)(t.end - t.v), e->text);
                return -1;
            }
            t.v += n;
            continue;
        }
        const char *range = NULL;
        int rc = parse_el(&t, e, &range);
        if (range) {
            char msg[64];
            snprintf(msg, sizeof msg, ": %s out of range", range);
            fail_msg(err, s, len, msg, NULL, 0);
            return -1;
        }
        if (rc < 0) {
            /* Go reports what is left after the element's own slicing */
            fail_elem(err, s, len, l->text, t.v, (size_t)(t.end - t.v), e->text);
            return -1;
        }
    }
    if (t.day < 1 || t.day > days_in(t.month, t.year)) {
        fail_msg(err, s, len, ": day out of range", NULL, 0);
        return -1;
    }
    if (t.year == 1 && t.month == 1 && t.day == 1 && t.hour == 0 && t.min == 0 && t.sec == 0 &&
        t.nsec == 0 && t.offset == 0) {
        *out = TIME_ZERO;
        return 0;
    }
    int64_t days = time_days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
    int64_t secs = days * 86400 + t.hour * 3600 + t.min * 60 + t.sec - t.offset;
    /* int64 nanoseconds reach 1677..2262 while Go accepts years 0..9999:
     * clamp rather than refuse, so a far-future endsAt still means "never",
     * leaving headroom for sums such as endsAt + retention. */
    if (secs >= API_TIME_MAX_SEC)
        *out = API_TIME_MAX_SEC * NS_PER_SEC;
    else if (secs <= API_TIME_MIN_SEC)
        *out = API_TIME_MIN_SEC * NS_PER_SEC;
    else
        *out = secs * NS_PER_SEC + t.nsec;
    return 0;
}

int api_datetime_parse(const char *s, size_t len, int64_t *out, char **err)
{
    struct strbuf eb = STRBUF_INIT;
    if (len == 0) {
        *out = 0; /* strfmt.NewDateTime(): the Unix epoch */
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
        strbuf_reset(&eb);
        if (layout_parse(&layouts[i], s, len, out, &eb) == 0) {
            strbuf_free(&eb);
            return 0;
        }
    }
    *err = strbuf_detach(&eb);
    return -1;
}

/* ---- url.ParseRequestURI ---- */

static bool uri_host_char(unsigned char c)
{
    if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return strchr("-_.~!$&'()*+,;=:[]<>\"%", c) != NULL && c != 0;
}

static bool uri_escapes_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%')
            continue;
        if (i + 2 >= n)
            return false;
        if (!strchr("0123456789abcdefABCDEF", s[i + 1]) || !s[i + 1] ||
            !strchr("0123456789abcdefABCDEF", s[i + 2]) || !s[i + 2])
            return false;
        i += 2;
    }
    return true;
}

static bool uri_authority_ok(const char *a, size_t n)
{
    const char *at = memrchr(a, '@', n);
    const char *host = at ? at + 1 : a;
    size_t hlen = n - (size_t)(host - a);
    if (hlen && host[0] == '[') {
        const char *close = memchr(host, ']', hlen);
        if (!close)
            return false;
        size_t rest = hlen - (size_t)(close + 1 - host);
        if (rest && close[1] != ':')
            return false;
        for (size_t i = 2; i < rest; i++)
            if (close[i] < '0' || close[i] > '9')
                return false;
        return true;
    }
    const char *colon = memrchr(host, ':', hlen);
    if (colon)
        for (const char *p = colon + 1; p < host + hlen; p++)
            if (*p < '0' || *p > '9')
                return false;
    for (size_t i = 0; i < hlen; i++)
        if (!uri_host_char((unsigned char)host[i]))
            return false;
    return uri_escapes_ok(host, hlen);
}

bool api_uri_valid(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    if (n == 0)
        return false;
    if (strcmp(s, "*") == 0)
        return true;
    /* scheme */
    const char *rest = s;
    bool scheme = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0)
                return false; /* missing protocol scheme */
            scheme = true;
            rest = s + i + 1;
        }
        break;
    }
    const char *q = strchr(rest, '?');
    size_t rlen = q ? (size_t)(q - rest) : strlen(rest);
    if (rlen == 0 || rest[0] != '/')
        return scheme; /* opaque with a scheme; "invalid URI for request" without */
    if (scheme && rlen >= 2 && rest[1] == '/') {
        const char *auth = rest + 2;
        const char *slash = memchr(auth, '/', rlen - 2);
        size_t alen = slash ? (size_t)(slash - auth) : rlen - 2;
        if (!uri_authority_ok(auth, alen))
            return false;
        rest = auth + alen;
        rlen -= alen + 2;
    }
    return uri_escapes_ok(rest, rlen);
}
