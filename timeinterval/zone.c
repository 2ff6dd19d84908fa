/*
 * TZif files (RFC 8536, versions 1 to 3) and their POSIX TZ footer, read
 * without tzset()/localtime_r(): those consult one process-wide zone set
 * through the TZ variable, and a time interval may name any zone.
 *
 * Lookups follow Go's time.Location, which is what 0.25 evaluates against:
 * before the first transition (or with none) the first standard-time type
 * applies; after the last transition the footer rule, when there is one,
 * extends the table; leap-second records are ignored.
 */
#include "timeinterval/zone.h"
#include "util/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define SECS_PER_DAY 86400

struct zone_type {
    int32_t offset;
    bool is_dst;
};

/* A footer rule "std offset [dst [offset] ,start[/time],end[/time]]". */
enum rule_kind { RULE_JULIAN_NO_LEAP, RULE_DAY_OF_YEAR, RULE_MONTH_WEEK_DAY };
struct tz_rule {
    enum rule_kind kind;
    int day, week, month; /* per kind: J day 1..365, day 0..365, or M m.w.d */
    int32_t time;         /* seconds after local midnight; may be negative or > 24h */
};
struct posix_tz {
    bool present;
    int32_t std_offset, dst_offset; /* east of UTC, as Go stores them */
    bool has_dst;
    struct tz_rule start, end;
};

struct zone {
    int64_t *when; /* transition instants, ascending */
    uint8_t *type_at; /* type index of each transition */
    size_t n_trans;
    struct zone_type *types;
    size_t n_types;
    size_t first_type; /* what applies before the first transition */
    struct posix_tz footer;
};

/* ---- reading the binary ---- */

struct reader {
    const uint8_t *p, *end;
};

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
    if ((size_t)(r->end - r->p) < n)
        return false;
    *out = r->p;
    r->p += n;
    return true;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

enum { CNT_ISUT, CNT_ISSTD, CNT_LEAP, CNT_TIME, CNT_TYPE, CNT_CHAR, N_COUNTS };

struct tzif_header {
    char version;
    uint32_t count[N_COUNTS];
};

static bool read_header(struct reader *r, struct tzif_header *h)
{
    const uint8_t *p;
    if (!take(r, 44, &p) || memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = (char)p[4];
    for (int i = 0; i < N_COUNTS; i++)
        h->count[i] = be32(p + 20 + 4 * i);
    return h->count[CNT_TYPE] > 0 && h->count[CNT_TYPE] <= 256 &&
           h->count[CNT_TIME] <= 1000000;
}

/* Bytes of the data block that follows a header, for time size tsize. */
static size_t data_size(const struct tzif_header *h, size_t tsize)
{
    return h->count[CNT_TIME] * (tsize + 1) + h->count[CNT_TYPE] * 6 + h->count[CNT_CHAR] +
           h->count[CNT_LEAP] * (tsize + 4) + h->count[CNT_ISSTD] + h->count[CNT_ISUT];
}

static bool read_data(struct reader *r, const struct tzif_header *h, size_t tsize,
                      struct zone *z)
{
    const uint8_t *times, *idx, *types;
    size_t nt = h->count[CNT_TIME], nty = h->count[CNT_TYPE];
    if (!take(r, nt * tsize, &times) || !take(r, nt, &idx) || !take(r, nty * 6, &types))
        return false;
    const uint8_t *rest;
    size_t rest_len = data_size(h, tsize) - nt * (tsize + 1) - nty * 6;
    if (!take(r, rest_len, &rest))
        return false;
    z->n_trans = nt;
    z->when = xcalloc(nt + 1, sizeof *z->when);
    z->type_at = xcalloc(nt + 1, 1);
    for (size_t i = 0; i < nt; i++) {
        z->when[i] = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
        if (idx[i] >= nty || (i && z->when[i] <= z->when[i - 1]))
            return false;
        z->type_at[i] = idx[i];
    }
    z->n_types = nty;
    z->types = xcalloc(nty, sizeof *z->types);
    for (size_t i = 0; i < nty; i++) {
        z->types[i].offset = (int32_t)be32(types + 6 * i);
        z->types[i].is_dst = types[6 * i + 4] != 0;
    }
    return true;
}

/* Go's lookupFirstZone: the type in force before the first transition. */
static size_t first_type(const struct zone *z)
{
    bool type0_used = false;
    for (size_t i = 0; i < z->n_trans; i++)
        type0_used |= z->type_at[i] == 0;
    if (!type0_used || z->n_trans == 0)
        return 0;
    if (z->types[z->type_at[0]].is_dst) {
        for (size_t t = z->type_at[0]; t-- > 0;)
            if (!z->types[t].is_dst)
                return t;
    }
    for (size_t t = 0; t < z->n_types; t++)
        if (!z->types[t].is_dst)
            return t;
    return 0;
}

/* ---- the POSIX TZ footer ---- */

static bool parse_name(const char **s)
{
    const char *p = *s;
    if (*p == '<') {
        const char *close = strchr(p, '>');
        if (!close || close - p < 2)
            return false;
        *s = close + 1;
        return true;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    if (p - *s < 3)
        return false;
    *s = p;
    return true;
}

static bool parse_number(const char **s, int max, int *out)
{
    const char *p = *s;
    int v = 0;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > max)
            return false;
    }
    *s = p;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]], hours up to 167 as RFC 8536 allows for rule times. */
static bool parse_hms(const char **s, int32_t *out)
{
    const char *p = *s;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int h, m = 0, sec = 0;
    if (!parse_number(&p, 167, &h))
        return false;
    if (*p == ':') {
        p++;
        if (!parse_number(&p, 59, &m))
            return false;
        if (*p == ':') {
            p++;
            if (!parse_number(&p, 59, &sec))
                return false;
        }
    }
    *s = p;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static bool parse_rule(const char **s, struct tz_rule *r)
{
    const char *p = *s;
    if (*p == 'J') {
        p++;
        r->kind = RULE_JULIAN_NO_LEAP;
        if (!parse_number(&p, 365, &r->day) || r->day < 1)
            return false;
    } else if (*p == 'M') {
        p++;
        r->kind = RULE_MONTH_WEEK_DAY;
        if (!parse_number(&p, 12, &r->month) || r->month < 1 || *p++ != '.' ||
            !parse_number(&p, 5, &r->week) || r->week < 1 || *p++ != '.' ||
            !parse_number(&p, 6, &r->day))
            return false;
    } else {
        r->kind = RULE_DAY_OF_YEAR;
        if (!parse_number(&p, 365, &r->day))
            return false;
    }
    r->time = 2 * 3600;
    if (*p == '/') {
        p++;
        if (!parse_hms(&p, &r->time))
            return false;
    }
    *s = p;
    return true;
}

/* POSIX offsets count west of UTC; Go, and this file, count east. */
static bool parse_posix_tz(const char *s, struct posix_tz *tz)
{
    int32_t west;
    if (!parse_name(&s) || !parse_hms(&s, &west))
        return false;
    tz->std_offset = -west;
    tz->present = true;
    if (*s == '\0')
        return true;
    if (!parse_name(&s))
        return false;
    tz->has_dst = true;
    tz->dst_offset = tz->std_offset + 3600;
    if (*s != ',' && *s != '\0') {
        if (!parse_hms(&s, &west))
            return false;
        tz->dst_offset = -west;
    }
    if (*s == '\0') {
        /* No rule given: POSIX leaves it to the implementation; Go uses
         * the US rules of 2007. */
        tz->start = (struct tz_rule){RULE_MONTH_WEEK_DAY, 0, 2, 3, 2 * 3600};
        tz->end = (struct tz_rule){RULE_MONTH_WEEK_DAY, 0, 1, 11, 2 * 3600};
        return true;
    }
    return *s++ == ',' && parse_rule(&s, &tz->start) && *s++ == ',' &&
           parse_rule(&s, &tz->end) && *s == '\0';
}

int zone_weekday(int64_t days)
{
    return (int)((days % 7 + 11) % 7); /* 1970-01-01 was a thursday */
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && is_leap(y));
}

/* Seconds from the start of year y (UTC) to when the rule fires, the
 * rule's time being local time at UTC offset `offset`. */
static int64_t rule_time(int64_t y, const struct tz_rule *r, int32_t offset)
{
    int64_t day; /* zero-based day of the year */
    switch (r->kind) {
    case RULE_JULIAN_NO_LEAP:
        day = r->day - 1;
        if (is_leap(y) && r->day >= 60)
            day++;
        break;
    case RULE_DAY_OF_YEAR:
        day = r->day;
        break;
    default: {
        int64_t first = time_days_from_civil(y, (unsigned)r->month, 1);
        int mday = (r->day - zone_weekday(first) + 7) % 7 + 1 + (r->week - 1) * 7;
        while (mday > month_days(y, r->month))
            mday -= 7;
        day = first + mday - 1 - time_days_from_civil(y, 1, 1);
        break;
    }
    }
    return day * SECS_PER_DAY + r->time - offset;
}

static int32_t posix_tz_offset(const struct posix_tz *tz, int64_t unix_sec)
{
    if (!tz->has_dst)
        return tz->std_offset;
    int64_t days = unix_sec / SECS_PER_DAY - (unix_sec % SECS_PER_DAY < 0);
    int64_t y;
    unsigned m, d;
    time_civil_from_days(days, &y, &m, &d);
    int64_t ysec = unix_sec - time_days_from_civil(y, 1, 1) * SECS_PER_DAY;
    int64_t start = rule_time(y, &tz->start, tz->std_offset);
    int64_t end = rule_time(y, &tz->end, tz->dst_offset);
    /* Southern hemisphere: daylight time spans the new year. */
    if (end < start)
        return ysec >= end && ysec < start ? tz->std_offset : tz->dst_offset;
    return ysec >= start && ysec < end ? tz->dst_offset : tz->std_offset;
}

/* ---- the zone ---- */

void zone_free(struct zone *z)
{
    if (!z)
        return;
    free(z->when);
    free(z->type_at);
    free(z->types);
    free(z);
}

static bool read_footer(struct reader *r, struct posix_tz *tz)
{
    const uint8_t *nl;
    if (!take(r, 1, &nl) || *nl != '\n')
        return false;
    const uint8_t *end = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (!end)
        return false;
    char *text = xstrndup((const char *)r->p, (size_t)(end - r->p));
    /* An empty footer means "no rule"; one we cannot read is ignored, as
     * Go ignores it, and the table's last type goes on applying. */
    if (*text && !parse_posix_tz(text, tz))
        *tz = (struct posix_tz){0};
    free(text);
    return true;
}

struct zone *zone_parse_tzif(const uint8_t *data, size_t len)
{
    struct reader r = {data, data + len};
    struct tzif_header h;
    if (!read_header(&r, &h))
        return NULL;
    struct zone *z = xcalloc(1, sizeof *z);
    size_t tsize = 4;
    if (h.version >= '2') {
        /* Skip the 32-bit block: the 64-bit one after it says the same
         * over a wider range. */
        const uint8_t *skip;
        if (!take(&r, data_size(&h, 4), &skip) || !read_header(&r, &h))
            goto bad;
        tsize = 8;
    }
    if (!read_data(&r, &h, tsize, z))
        goto bad;
    if (tsize == 8 && !read_footer(&r, &z->footer))
        goto bad;
    z->first_type = first_type(z);
    return z;
bad:
    zone_free(z);
    return NULL;
}

int32_t zone_offset_at(const struct zone *z, int64_t unix_sec)
{
    if (!z)
        return 0;
    /* Go gives a table without transitions one at the start of time, so
     * its footer, when present, rules all of time. */
    if (z->n_trans == 0)
        return z->footer.present ? posix_tz_offset(&z->footer, unix_sec) : z->types[0].offset;
    if (unix_sec < z->when[0])
        return z->types[z->first_type].offset;
    if (unix_sec >= z->when[z->n_trans - 1] && z->footer.present)
        return posix_tz_offset(&z->footer, unix_sec);
    size_t lo = 0, hi = z->n_trans; /* when[lo] <= unix_sec < when[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->when[mid] <= unix_sec)
            lo = mid;
        else
            hi = mid;
    }
    return z->types[z->type_at[lo]].offset;
}

/* ---- loading by name, cached ---- */

static struct zone *zone_load_file(const char *path)
{
    char *data;
    size_t len;
    if (file_read_all(path, &data, &len) != 0)
        return NULL;
    struct zone *z = zone_parse_tzif((const uint8_t *)data, len);
    free(data);
    return z;
}

/* Go's time.LoadLocation: $ZONEINFO first (when asked: Go's Local skips
 * it), then the system directories.  Names that could leave the directory
 * are refused, as Go refuses them. */
static struct zone *zone_load_named(const char *name, bool use_zoneinfo_env)
{
    if (name[0] == '/' || name[0] == '\\' || strstr(name, ".."))
        return NULL;
    static const char *const dirs[] = {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo",
                                       "/usr/lib/locale/TZ", "/etc/zoneinfo"};
    const char *env = use_zoneinfo_env ? getenv("ZONEINFO") : NULL;
    struct zone *z = NULL;
    for (size_t i = 0; !z && i <= ARRAY_SIZE(dirs); i++) {
        const char *dir = i == 0 ? env : dirs[i - 1];
        if (!dir || !*dir)
            continue;
        char *path = xasprintf("%s/%s", dir, name);
        z = zone_load_file(path);
        free(path);
    }
    return z;
}

/* The process's zone as Go's initLocal finds it: TZ unset means
 * /etc/localtime; TZ empty or "UTC" means UTC; ":name" or "name" a zone
 * name or an absolute file; anything unreadable falls back to UTC. */
static struct zone *zone_load_local(void)
{
    const char *tz = getenv("TZ");
    if (!tz)
        return zone_load_file("/etc/localtime");
    if (*tz == ':')
        tz++;
    if (*tz == '/')
        return zone_load_file(tz);
    if (*tz && strcmp(tz, "UTC") != 0)
        return zone_load_named(tz, false);
    return NULL;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hmap cache = HMAP_INIT; /* name -> struct zone *, or &unreadable */
static struct zone unreadable;
static struct zone_type utc_type;
static struct zone utc = {.types = &utc_type, .n_types = 1};

const struct zone *zone_get(const char *name)
{
    if (!name || !*name || strcmp(name, "UTC") == 0)
        return &utc;
    pthread_mutex_lock(&cache_lock);
    struct zone *z = hmap_get_str(&cache, name);
    if (!z) {
        z = strcmp(name, "Local") == 0 ? zone_load_local() : zone_load_named(name, true);
        /* An unreadable Local is UTC, as in Go; other names stay unknown. */
        if (!z && strcmp(name, "Local") == 0)
            z = &utc;
        if (!z)
            z = &unreadable;
        hmap_put(&cache, name, strlen(name), z);
    }
    pthread_mutex_unlock(&cache_lock);
    return z == &unreadable ? NULL : z;
}
