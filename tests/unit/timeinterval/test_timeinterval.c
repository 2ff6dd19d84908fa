/*
 * Unit tests for time-interval evaluation as 0.25 does it: each field,
 * negative days of the month (clamping, short months, the DST-month quirk),
 * year boundaries, zones with daylight saving around their switches, zones
 * beyond their transition table (the TZif footer rule), Local and
 * $ZONEINFO, and TZif images built by hand.  Criterion runs each test in
 * its own process, so setting TZ or ZONEINFO in one leaves the others alone.
 */
#include "timeinterval/timeinterval.h"
#include "timeinterval/zone.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define R(a, b) {(a), (b)}
#define LIST(field, ...)                                                      \
    .field = (struct config_int_range[]){__VA_ARGS__},                        \
    .n_##field = sizeof((struct config_int_range[]){__VA_ARGS__}) /           \
                 sizeof(struct config_int_range)
#define HM(h, m) ((h) * 60 + (m))

/* A UTC wall-clock instant in ns. */
static int64_t utc(int64_t y, unsigned mo, unsigned d, int h, int mi)
{
    return (time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) * NS_PER_SEC;
}

static int64_t minus_sec(int64_t t)
{
    return t - NS_PER_SEC;
}

Test(timeinterval, empty_spec_matches_everything)
{
    struct config_time_spec s = {0};
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 2, 29, 12, 0)));
    cr_expect(timeinterval_spec_contains(&s, -1));
}

Test(timeinterval, times_are_half_open_minutes)
{
    struct config_time_spec s = {LIST(times, R(HM(9, 0), HM(17, 0)), R(HM(20, 0), HM(24, 0)))};
    cr_expect_not(timeinterval_spec_contains(&s, minus_sec(utc(2024, 5, 1, 9, 0))));
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 5, 1, 9, 0)));
    cr_expect(timeinterval_spec_contains(&s, minus_sec(utc(2024, 5, 1, 17, 0))));
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 5, 1, 17, 0)));
    cr_expect(timeinterval_spec_contains(&s, minus_sec(utc(2024, 5, 2, 0, 0))), "end 24:00");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 5, 2, 0, 0)));
}

Test(timeinterval, weekdays_inclusive_sunday_zero)
{
    struct config_time_spec s = {LIST(weekdays, R(1, 5))};
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 1, 6, 12, 0)), "saturday");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 1, 7, 12, 0)), "sunday");
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 1, 8, 0, 0)), "monday");
    cr_expect(timeinterval_spec_contains(&s, minus_sec(utc(2024, 1, 13, 0, 0))), "friday");
    struct config_time_spec sun = {LIST(weekdays, R(0, 0))};
    cr_expect(timeinterval_spec_contains(&sun, utc(2024, 1, 7, 12, 0)));
    /* Before the epoch: 1969-12-31 was a wednesday. */
    struct config_time_spec wed = {LIST(weekdays, R(3, 3))};
    cr_expect(timeinterval_spec_contains(&wed, -1));
    cr_expect_not(timeinterval_spec_contains(&wed, 0));
}

Test(timeinterval, months_and_years_inclusive)
{
    struct config_time_spec m = {LIST(months, R(3, 4), R(12, 12))};
    cr_expect(timeinterval_spec_contains(&m, utc(2024, 3, 1, 0, 0)));
    cr_expect(timeinterval_spec_contains(&m, minus_sec(utc(2024, 5, 1, 0, 0))));
    cr_expect_not(timeinterval_spec_contains(&m, utc(2024, 5, 1, 0, 0)));
    cr_expect(timeinterval_spec_contains(&m, utc(2024, 12, 31, 23, 59)));
    struct config_time_spec y = {LIST(years, R(2020, 2022))};
    cr_expect_not(timeinterval_spec_contains(&y, minus_sec(utc(2020, 1, 1, 0, 0))));
    cr_expect(timeinterval_spec_contains(&y, utc(2020, 1, 1, 0, 0)));
    cr_expect(timeinterval_spec_contains(&y, minus_sec(utc(2023, 1, 1, 0, 0))));
    cr_expect_not(timeinterval_spec_contains(&y, utc(2023, 1, 1, 0, 0)));
}

Test(timeinterval, year_boundary_follows_the_location)
{
    struct config_time_spec y = {LIST(years, R(2023, 2023)), LIST(months, R(1, 1)),
                                 LIST(days_of_month, R(1, 1))};
    int64_t t = utc(2022, 12, 31, 23, 30); /* 00:30 on new year's day in Berlin */
    cr_expect_not(timeinterval_spec_contains(&y, t));
    y.location = "Europe/Berlin";
    cr_expect(timeinterval_spec_contains(&y, t));
    y.location = "America/New_York";
    cr_expect_not(timeinterval_spec_contains(&y, utc(2023, 1, 1, 4, 59)));
    cr_expect(timeinterval_spec_contains(&y, utc(2023, 1, 1, 5, 0)));
}

static bool day_matches(int begin, int end, int64_t y, unsigned m, unsigned d)
{
    struct config_time_spec s = {LIST(days_of_month, R(begin, end))};
    return timeinterval_spec_contains(&s, utc(y, m, d, 12, 0));
}

Test(timeinterval, positive_days_of_month)
{
    cr_expect(day_matches(1, 5, 2024, 7, 1));
    cr_expect(day_matches(1, 5, 2024, 7, 5));
    cr_expect_not(day_matches(1, 5, 2024, 7, 6));
    /* Past the month's end: clamped, or skipped when it starts there. */
    cr_expect(day_matches(1, 31, 2023, 2, 28));
    cr_expect_not(day_matches(29, 31, 2023, 2, 28));
    cr_expect(day_matches(29, 31, 2024, 2, 29));
    cr_expect(day_matches(31, 31, 2024, 1, 31));
    cr_expect_not(day_matches(31, 31, 2024, 4, 30));
}

Test(timeinterval, negative_days_count_from_each_months_end)
{
    static const struct {
        int64_t y;
        unsigned m, last;
    } months[] = {{2023, 2, 28}, {2024, 2, 29}, {2024, 4, 30}, {2024, 1, 31}};
    for (size_t i = 0; i < ARRAY_SIZE(months); i++) {
        int64_t y = months[i].y;
        unsigned m = months[i].m, last = months[i].last;
        cr_expect(day_matches(-1, -1, y, m, last), "%lld-%u: -1", (long long)y, m);
        cr_expect_not(day_matches(-1, -1, y, m, last - 1));
        cr_expect(day_matches(-3, -1, y, m, last - 2), "%lld-%u: -3:-1", (long long)y, m);
        cr_expect(day_matches(-3, -1, y, m, last));
        cr_expect_not(day_matches(-3, -1, y, m, last - 3));
        cr_expect(day_matches(-31, -1, y, m, 1), "%lld-%u: -31:-1 is the whole month",
                  (long long)y, m);
        cr_expect(day_matches(-31, -1, y, m, last));
        cr_expect(day_matches(1, -1, y, m, last));
    }
    /* -31 alone exists only in 31-day months. */
    cr_expect(day_matches(-31, -31, 2024, 1, 1));
    cr_expect_not(day_matches(-31, -31, 2024, 4, 1));
    cr_expect_not(day_matches(-31, -31, 2023, 2, 1));
    cr_expect(day_matches(-29, -29, 2024, 2, 1));
    cr_expect(day_matches(-28, -28, 2023, 2, 1));
}

/* 0.25 measures a month as whole 24-hour days between two local midnights,
 * so with a location a spring-forward month is one day short. */
Test(timeinterval, last_day_in_a_spring_forward_month_is_0_25s)
{
    struct config_time_spec s = {LIST(days_of_month, R(-1, -1)), .location = "America/New_York"};
    cr_expect(timeinterval_spec_contains(&s, utc(2021, 3, 30, 16, 0)));
    cr_expect_not(timeinterval_spec_contains(&s, utc(2021, 3, 31, 16, 0)));
    cr_expect(timeinterval_spec_contains(&s, utc(2021, 5, 31, 16, 0)), "no switch in May");
    s.location = "Europe/Berlin";
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 3, 30, 12, 0)));
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 3, 31, 12, 0)));
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 10, 31, 12, 0)), "fall back: 31 days");
    s.location = NULL;
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 3, 31, 12, 0)), "UTC has no switch");
}

static int32_t offset_of(const char *zone, int64_t t)
{
    int32_t off = -1;
    cr_assert(timeinterval_zone_offset(zone, t, &off), "zone %s", zone);
    return off;
}

Test(timeinterval, berlin_around_its_switches)
{
    cr_expect_eq(offset_of("Europe/Berlin", minus_sec(utc(2024, 3, 31, 1, 0))), 3600);
    cr_expect_eq(offset_of("Europe/Berlin", utc(2024, 3, 31, 1, 0)), 7200);
    cr_expect_eq(offset_of("Europe/Berlin", minus_sec(utc(2024, 10, 27, 1, 0))), 7200);
    cr_expect_eq(offset_of("Europe/Berlin", utc(2024, 10, 27, 1, 0)), 3600);
    /* 02:00-03:00 local does not exist on the spring-forward day. */
    struct config_time_spec s = {LIST(times, R(HM(2, 0), HM(3, 0))), .location = "Europe/Berlin"};
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 3, 30, 1, 30)));
    for (int64_t t = utc(2024, 3, 30, 23, 0); t < utc(2024, 3, 31, 23, 0); t += 60 * NS_PER_SEC)
        cr_assert_not(timeinterval_spec_contains(&s, t));
    /* ... and happens twice on the fall-back day. */
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 10, 27, 0, 30)));
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 10, 27, 1, 30)));
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 10, 27, 2, 0)));
}

Test(timeinterval, new_york_around_its_switches)
{
    cr_expect_eq(offset_of("America/New_York", minus_sec(utc(2024, 3, 10, 7, 0))), -18000);
    cr_expect_eq(offset_of("America/New_York", utc(2024, 3, 10, 7, 0)), -14400);
    cr_expect_eq(offset_of("America/New_York", minus_sec(utc(2024, 11, 3, 6, 0))), -14400);
    cr_expect_eq(offset_of("America/New_York", utc(2024, 11, 3, 6, 0)), -18000);
    /* Business hours in New York, the week of the switch. */
    struct config_time_spec s = {LIST(times, R(HM(9, 0), HM(17, 0))), LIST(weekdays, R(1, 5)),
                                 .location = "America/New_York"};
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 3, 8, 13, 59)), "EST: 08:59");
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 3, 8, 14, 0)), "EST: 09:00");
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 3, 11, 13, 0)), "EDT: 09:00");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 3, 11, 21, 0)), "EDT: 17:00");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 3, 10, 14, 0)), "sunday");
}

Test(timeinterval, beyond_the_table_and_before_it)
{
    /* Far future: the footer rule. */
    cr_expect_eq(offset_of("Europe/Berlin", utc(2100, 7, 1, 0, 0)), 7200);
    cr_expect_eq(offset_of("Europe/Berlin", utc(2100, 1, 1, 0, 0)), 3600);
    cr_expect_eq(offset_of("Europe/Berlin", minus_sec(utc(2100, 3, 28, 1, 0))), 3600);
    cr_expect_eq(offset_of("Europe/Berlin", utc(2100, 3, 28, 1, 0)), 7200);
    cr_expect_eq(offset_of("Australia/Sydney", utc(2100, 1, 15, 0, 0)), 11 * 3600);
    cr_expect_eq(offset_of("Australia/Sydney", utc(2100, 7, 15, 0, 0)), 10 * 3600);
    cr_expect_eq(offset_of("Asia/Tokyo", utc(2200, 7, 15, 0, 0)), 9 * 3600);
    /* Before the first transition: local mean time. */
    cr_expect_eq(offset_of("Europe/Berlin", utc(1850, 1, 1, 0, 0)), 53 * 60 + 28);
}

Test(timeinterval, utc_unknown_and_unsafe_zones)
{
    int32_t off = 1;
    cr_expect(timeinterval_zone_offset(NULL, 0, &off));
    cr_expect_eq(off, 0);
    cr_expect(timeinterval_zone_offset("UTC", 0, &off));
    cr_expect_not(timeinterval_zone_offset("Mars/Olympus_Mons", 0, &off));
    cr_expect_eq(off, 0);
    cr_expect_not(timeinterval_zone_offset("../../etc/passwd", 0, &off));
    cr_expect_not(timeinterval_zone_offset("/usr/share/zoneinfo/Europe/Berlin", 0, &off));
    /* An unreadable zone leaves the spec in UTC. */
    struct config_time_spec s = {LIST(times, R(HM(12, 0), HM(13, 0))), .location = "Mars/X"};
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 1, 1, 12, 30)));
}

Test(timeinterval, local_follows_tz)
{
    setenv("TZ", "Asia/Kolkata", 1);
    cr_expect_eq(offset_of("Local", utc(2024, 1, 1, 0, 0)), 5 * 3600 + 1800);
    struct config_time_spec s = {LIST(times, R(HM(5, 30), HM(5, 31))), .location = "Local"};
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 1, 1, 0, 0)));
}

Test(timeinterval, local_from_an_absolute_tz_path)
{
    setenv("TZ", ":/usr/share/zoneinfo/Asia/Tokyo", 1);
    cr_expect_eq(offset_of("Local", utc(2024, 1, 1, 0, 0)), 9 * 3600);
}

Test(timeinterval, local_with_an_unknown_tz_is_utc)
{
    setenv("TZ", "Nowhere/Atlantis", 1);
    cr_expect_eq(offset_of("Local", utc(2024, 7, 1, 0, 0)), 0);
}

Test(timeinterval, local_with_empty_tz_is_utc)
{
    setenv("TZ", "", 1);
    cr_expect_eq(offset_of("Local", utc(2024, 7, 1, 0, 0)), 0);
}

Test(timeinterval, zoneinfo_overrides_the_directory)
{
    char dir[] = "/tmp/chorus-zoneinfo-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *sub = xasprintf("%s/Test", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    char *data;
    size_t len;
    cr_assert_eq(file_read_all("/usr/share/zoneinfo/Asia/Tokyo", &data, &len), 0);
    char *path = xasprintf("%s/Zone", sub);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    setenv("ZONEINFO", dir, 1);
    cr_expect_eq(offset_of("Test/Zone", utc(2024, 1, 1, 0, 0)), 9 * 3600);
    cr_expect_eq(offset_of("Europe/Berlin", utc(2024, 1, 1, 0, 0)), 3600, "system fallback");
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    free(path);
    free(sub);
    free(data);
}

Test(timeinterval, several_specs_any_matches)
{
    struct config_time_spec specs[] = {
        {LIST(weekdays, R(6, 6))},
        {LIST(times, R(HM(0, 0), HM(8, 0))), .location = "Europe/Berlin"},
    };
    struct config_time_interval ti = {.name = "off-hours", .specs = specs, .n_specs = 2};
    cr_expect(timeinterval_contains(&ti, utc(2024, 1, 6, 12, 0)), "saturday");
    cr_expect(timeinterval_contains(&ti, utc(2024, 1, 8, 6, 59)), "07:59 in Berlin");
    cr_expect_not(timeinterval_contains(&ti, utc(2024, 1, 8, 7, 0)), "08:00 in Berlin");
    struct config_time_interval none = {.name = "empty"};
    cr_expect_not(timeinterval_contains(&none, utc(2024, 1, 8, 7, 0)));
}

Test(timeinterval, all_fields_of_a_spec_must_hold)
{
    struct config_time_spec s = {LIST(times, R(HM(9, 0), HM(17, 0))), LIST(weekdays, R(1, 5)),
                                 LIST(days_of_month, R(1, 7)), LIST(months, R(1, 1)),
                                 LIST(years, R(2024, 2024))};
    cr_expect(timeinterval_spec_contains(&s, utc(2024, 1, 2, 10, 0)));
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 1, 2, 8, 0)), "times");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 1, 6, 10, 0)), "weekday");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 1, 8, 10, 0)), "day of month");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2024, 2, 1, 10, 0)), "month");
    cr_expect_not(timeinterval_spec_contains(&s, utc(2025, 1, 2, 10, 0)), "year");
}

/* ---- TZif images built by hand ---- */

struct image {
    uint8_t buf[512];
    size_t len;
};

static void put(struct image *im, const void *p, size_t n)
{
    cr_assert_leq(im->len + n, sizeof im->buf);
    memcpy(im->buf + im->len, p, n);
    im->len += n;
}

static void put32(struct image *im, uint32_t v)
{
    uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
    put(im, b, 4);
}

static void put64(struct image *im, int64_t v)
{
    put32(im, (uint32_t)((uint64_t)v >> 32));
    put32(im, (uint32_t)v);
}

static void header(struct image *im, char version, uint32_t timecnt, uint32_t typecnt,
                   uint32_t charcnt)
{
    put(im, "TZif", 4);
    uint8_t v[16] = {(uint8_t)version};
    put(im, v, 16);
    uint32_t counts[6] = {0, 0, 0, timecnt, typecnt, charcnt};
    for (int i = 0; i < 6; i++)
        put32(im, counts[i]);
}

static void ttinfo(struct image *im, int32_t off, bool dst, uint8_t abbr)
{
    put32(im, (uint32_t)off);
    uint8_t b[2] = {dst, abbr};
    put(im, b, 2);
}

/* The types +1h standard and +2h daylight time, and when asked one
 * transition at 1e9 s from the first to the second. */
static void body(struct image *im, bool wide, bool with_transition)
{
    if (with_transition) {
        if (wide)
            put64(im, 1000000000);
        else
            put32(im, 1000000000);
        uint8_t idx = 1;
        put(im, &idx, 1);
    }
    ttinfo(im, 3600, false, 0);
    ttinfo(im, 7200, true, 4);
    put(im, "AAA\0BBB\0", 8);
}

Test(timeinterval, tzif_version_1)
{
    struct image im = {.len = 0};
    header(&im, 0, 1, 2, 8);
    body(&im, false, true);
    struct zone *z = zone_parse_tzif(im.buf, im.len);
    cr_assert_not_null(z);
    cr_expect_eq(zone_offset_at(z, 999999999), 3600);
    cr_expect_eq(zone_offset_at(z, 1000000000), 7200);
    cr_expect_eq(zone_offset_at(z, INT64_C(5000000000)), 7200, "no footer: last type");
    zone_free(z);
    cr_expect_null(zone_parse_tzif(im.buf, im.len - 1), "truncated");
    im.buf[0] = 'X';
    cr_expect_null(zone_parse_tzif(im.buf, im.len));
}

static struct zone *v2_with_footer(const char *footer, bool with_transition)
{
    struct image im = {.len = 0};
    header(&im, '2', with_transition, 2, 8);
    body(&im, false, with_transition);
    header(&im, '2', with_transition, 2, 8);
    body(&im, true, with_transition);
    put(&im, "\n", 1);
    put(&im, footer, strlen(footer));
    put(&im, "\n", 1);
    return zone_parse_tzif(im.buf, im.len);
}

Test(timeinterval, tzif_footer_rules)
{
    struct zone *z = v2_with_footer("<+03>-3", false);
    cr_assert_not_null(z);
    cr_expect_eq(zone_offset_at(z, 0), 3 * 3600, "a footer rules a table with no transitions");
    zone_free(z);

    /* US rules with explicit times, after the only transition. */
    z = v2_with_footer("EST5EDT,M3.2.0/2,M11.1.0/2", true);
    cr_assert_not_null(z);
    cr_expect_eq(zone_offset_at(z, 999999999), 3600, "the table before its end");
    int64_t switch_on = utc(2030, 3, 10, 7, 0) / NS_PER_SEC;
    cr_expect_eq(zone_offset_at(z, switch_on - 1), -5 * 3600);
    cr_expect_eq(zone_offset_at(z, switch_on), -4 * 3600);
    zone_free(z);

    /* Julian days and negative / beyond-24h times (version 3). */
    z = v2_with_footer("XXX-2YYY,J60/-1,300/26", true);
    cr_assert_not_null(z);
    /* J60 is March 1st in every year (2031: no leap day); -1 h local standard time is 23:00 on
     * Feb 28th local, 21:00 UTC. */
    int64_t start = utc(2031, 2, 28, 21, 0) / NS_PER_SEC;
    cr_expect_eq(zone_offset_at(z, start - 1), 2 * 3600);
    cr_expect_eq(zone_offset_at(z, start), 3 * 3600);
    zone_free(z);

    /* A footer it cannot read leaves the table's last type in force. */
    z = v2_with_footer("nonsense", true);
    cr_assert_not_null(z);
    cr_expect_eq(zone_offset_at(z, INT64_C(5000000000)), 7200);
    zone_free(z);
}
