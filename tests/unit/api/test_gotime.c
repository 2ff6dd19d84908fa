/* strfmt.DateTime parsing and its Go error texts; strfmt's uri format. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

static int64_t parse_ok(const char *s)
{
    int64_t t = 0;
    char *err = NULL;
    cr_assert_eq(api_datetime_parse(s, strlen(s), &t, &err), 0, "%s: %s", s, err);
    return t;
}

static void expect_err(const char *s, const char *want)
{
    int64_t t;
    char *err = NULL;
    cr_assert_eq(api_datetime_parse(s, strlen(s), &t, &err), -1, "%s", s);
    cr_expect_str_eq(err, want);
    free(err);
}

#define T0 INT64_C(1795600800) /* 2026-11-25T10:00:00Z */

Test(datetime, accepts_strfmt_layouts)
{
    cr_expect_eq(parse_ok("2026-11-25T10:00:00Z"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25T10:00:00.123Z"), T0 * NS_PER_SEC + 123 * NS_PER_MS);
    cr_expect_eq(parse_ok("2026-11-25T12:00:00+02:00"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25T12:00:00.500+0200"), T0 * NS_PER_SEC + 500 * NS_PER_MS);
    cr_expect_eq(parse_ok("2026-11-25T10:00:00"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25T10:00Z"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25T10:00"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25 10:00:00"), T0 * NS_PER_SEC);
    cr_expect_eq(parse_ok("2026-11-25T10:00:00.123456789Z"), T0 * NS_PER_SEC + 123456789);
}

Test(datetime, empty_is_epoch_and_go_zero_is_unset)
{
    cr_expect_eq(parse_ok(""), 0);
    cr_expect_eq(parse_ok("0001-01-01T00:00:00Z"), TIME_ZERO);
    cr_expect_eq(parse_ok("0001-01-01T00:00:00.000Z"), TIME_ZERO);
}

Test(datetime, years_beyond_int64_nanoseconds_are_clamped)
{
    cr_expect_eq(parse_ok("3026-11-25T10:00:00Z"), INT64_C(7258118400) * NS_PER_SEC);
    cr_expect_eq(parse_ok("1000-01-01T00:00:00Z"), INT64_C(-8520336000) * NS_PER_SEC);
}

Test(datetime, errors_are_those_of_the_last_layout)
{
    expect_err("bad", "parsing time \"bad\" as \"2006-01-02 15:04:05\": cannot parse \"bad\" as "
                      "\"2006\"");
    expect_err("2026-13-25T10:00:00Z", "parsing time \"2026-13-25T10:00:00Z\": month out of range");
    expect_err("2026-11-25 10:00:00x", "parsing time \"2026-11-25 10:00:00x\": extra text: \"x\"");
    expect_err("2026-11-25",
               "parsing time \"2026-11-25\" as \"2006-01-02 15:04:05\": cannot parse \"\" as \"15\"");
    expect_err("206-11-25T10:00:00Z", "parsing time \"206-11-25T10:00:00Z\" as \"2006-01-02 "
                                      "15:04:05\": cannot parse \"11-25T10:00:00Z\" as \"2006\"");
    expect_err("2026-02-30 10:00:00", "parsing time \"2026-02-30 10:00:00\": day out of range");
    /* only the last layout's error is reported, even when an earlier one got further */
    expect_err("2026-11-25T12:00:00.5+0200",
               "parsing time \"2026-11-25T12:00:00.5+0200\" as \"2006-01-02 15:04:05\": cannot "
               "parse \"T12:00:00.5+0200\" as \" \"");
    expect_err("\xc3\xa9", "parsing time \"\\xc3\\xa9\" as \"2006-01-02 15:04:05\": cannot parse "
                           "\"\\xc3\\xa9\" as \"2006\"");
}

Test(uri, request_uri_rules)
{
    cr_expect(api_uri_valid("http://example.com/graph?g0.expr=up"));
    cr_expect(api_uri_valid("/relative/path"));
    cr_expect(api_uri_valid("mailto:someone"));
    cr_expect(api_uri_valid("http://[::1]:9090/x"));
    cr_expect(!api_uri_valid("foo"));
    cr_expect(!api_uri_valid("not a url"));
    cr_expect(!api_uri_valid("http://a b"));
    cr_expect(!api_uri_valid("http://host:port/"));
    cr_expect(!api_uri_valid("/bad%zz"));
    cr_expect(!api_uri_valid(":nope"));
}
