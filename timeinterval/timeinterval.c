/*
 * 0.25's TimeInterval.ContainsTime on chorus's config structs: the instant
 * is turned into the wall clock of the spec's location, then every field
 * that is set must hold.  Quirks kept on purpose, because they decide what
 * 0.25 mutes:
 *  - a month's length is the whole days between its first midnight and the
 *    next month's, so a month with a spring-forward switch is a day short
 *    (March in Europe/Berlin counts 30 days: day -1 is the 30th);
 *  - negative days of the month are counted back from that length, an entry
 *    whose first day is beyond it is skipped, and both ends are clamped to
 *    [-length, length].
 */
#include "timeinterval/timeinterval.h"
#include "timeinterval/zone.h"
#include "util/util.h"

#define SECS_PER_DAY 86400

struct wall_clock {
    int64_t year;
    int month, day, weekday; /* 1..12, 1..31, 0 = sunday */
    int minute;              /* of the day */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a % b < 0) != (b < 0));
}

/* The instant of a local date's midnight as Go's time.Date finds it: the
 * offset in force at the local time read as UTC, corrected once when that
 * lands outside its period. */
static int64_t local_midnight(const struct zone *z, int64_t y, unsigned m)
{
    int64_t local = time_days_from_civil(y, m, 1) * SECS_PER_DAY;
    int32_t off = zone_offset_at(z, local);
    if (off != 0)
        off = zone_offset_at(z, local - off);
    return local - off;
}

static int go_days_in_month(const struct zone *z, int64_t y, unsigned m)
{
    int64_t start = local_midnight(z, y, m);
    int64_t end = m == 12 ? local_midnight(z, y + 1, 1) : local_midnight(z, y, m + 1);
    return (int)((end - start) / SECS_PER_DAY);
}

static void wall_clock_at(const struct zone *z, int64_t now, struct wall_clock *w)
{
    int64_t sec = floor_div(now, NS_PER_SEC);
    int64_t local = sec + zone_offset_at(z, sec);
    int64_t days = floor_div(local, SECS_PER_DAY);
    unsigned m, d;
    time_civil_from_days(days, &w->year, &m, &d);
    w->month = (int)m;
    w->day = (int)d;
    w->weekday = zone_weekday(days);
    w->minute = (int)((local - days * SECS_PER_DAY) / 60);
}

static bool in_ranges(const struct config_int_range *r, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (v >= r[i].begin && v <= r[i].end)
            return true;
    return false;
}

static bool in_times(const struct config_int_range *r, size_t n, int minute)
{
    for (size_t i = 0; i < n; i++)
        if (minute >= r[i].begin && minute < r[i].end)
            return true;
    return false;
}

static int clamp(int v, int lo, int hi)
{
    return v <= lo ? lo : v >= hi ? hi : v;
}

static bool in_days_of_month(const struct config_int_range *r, size_t n,
                             const struct wall_clock *w, const struct zone *z)
{
    int len = go_days_in_month(z, w->year, (unsigned)w->month);
    for (size_t i = 0; i < n; i++) {
        int begin = r[i].begin < 0 ? len + r[i].begin + 1 : r[i].begin;
        int end = r[i].end < 0 ? len + r[i].end + 1 : r[i].end;
        if (begin > len)
            continue;
        begin = clamp(begin, -len, len);
        end = clamp(end, -len, len);
        if (w->day >= begin && w->day <= end)
            return true;
    }
    return false;
}

bool timeinterval_spec_contains(const struct config_time_spec *spec, int64_t now)
{
    /* A zone that cannot be read (config loading has refused unknown ones)
     * leaves the instant in UTC. */
    const struct zone *z = zone_get(spec->location);
    struct wall_clock w;
    wall_clock_at(z, now, &w);
    if (spec->n_times && !in_times(spec->times, spec->n_times, w.minute))
        return false;
    if (spec->n_days_of_month &&
        !in_days_of_month(spec->days_of_month, spec->n_days_of_month, &w, z))
        return false;
    if (spec->n_months && !in_ranges(spec->months, spec->n_months, w.month))
        return false;
    if (spec->n_weekdays && !in_ranges(spec->weekdays, spec->n_weekdays, w.weekday))
        return false;
    if (spec->n_years && !in_ranges(spec->years, spec->n_years, w.year))
        return false;
    return true;
}

bool timeinterval_contains(const struct config_time_interval *ti, int64_t now)
{
    for (size_t i = 0; i < ti->n_specs; i++)
        if (timeinterval_spec_contains(&ti->specs[i], now))
            return true;
    return false;
}

bool timeinterval_zone_offset(const char *zone, int64_t now, int32_t *offset)
{
    const struct zone *z = zone_get(zone);
    *offset = z ? zone_offset_at(z, floor_div(now, NS_PER_SEC)) : 0;
    return z != NULL;
}
