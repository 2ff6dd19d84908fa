/* util: time and duration forms, Go-compatible quoting, the hash map. */
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static int64_t parse_time(const char *s)
{
    int64_t t = 0;
    cr_assert_eq(time_parse_rfc3339(s, &t), 0, "parse %s", s);
    return t;
}

Test(time, api_form_has_three_fraction_digits)
{
    char out[32];
    time_format_api(parse_time("2026-11-24T13:03:29.152999Z"), out);
    cr_assert_str_eq(out, "2026-11-24T13:03:29.152Z");
    time_format_api(parse_time("1970-01-01T00:00:00Z"), out);
    cr_assert_str_eq(out, "1970-01-01T00:00:00.000Z");
}

Test(time, rfc3339nano_drops_trailing_zeros)
{
    char out[40];
    time_format_rfc3339nano(parse_time("2026-11-24T13:05:20.536537938Z"), out);
    cr_assert_str_eq(out, "2026-11-24T13:05:20.536537938Z");
    time_format_rfc3339nano(parse_time("2026-11-24T13:05:20.5Z"), out);
    cr_assert_str_eq(out, "2026-11-24T13:05:20.5Z");
    time_format_rfc3339nano(TIME_ZERO, out);
    cr_assert_str_eq(out, "0001-01-01T00:00:00Z");
}

Test(time, offsets_and_zero_time)
{
    cr_assert_eq(parse_time("2026-11-24T14:00:00+01:00"), parse_time("2026-11-24T13:00:00Z"));
    cr_assert_eq(parse_time("2026-11-24T12:00:00-01:00"), parse_time("2026-11-24T13:00:00Z"));
    cr_assert_eq(parse_time("0001-01-01T00:00:00Z"), TIME_ZERO);
    cr_assert_eq(parse_time("0001-01-01T00:00:00.000Z"), TIME_ZERO);
    cr_assert_eq(parse_time("1970-01-01T00:00:01Z"), NS_PER_SEC);
    cr_assert_eq(parse_time("2026-11-24T13:00:00"), parse_time("2026-11-24T13:00:00Z"));
}

Test(time, rejects_malformed_and_out_of_range)
{
    int64_t t;
    const char *bad[] = {"", "bad", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                         "2025-02-29T00:00:00Z", "2026-11-24 13:00:00Z", "2026-11-24T25:00:00Z",
                         "2026-11-24T13:00:00.Z", "2026-11-24T13:00:00Zx", "2026-11-24"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        cr_assert_eq(time_parse_rfc3339(bad[i], &t), -1, "%s", bad[i]);
    cr_assert_eq(time_parse_rfc3339("1000-01-01T00:00:00Z", &t), -2);
    cr_assert_eq(time_parse_rfc3339("3000-01-01T00:00:00Z", &t), -2);
    cr_assert_eq(time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
}

Test(time, format_then_parse_round_trips)
{
    int64_t t = parse_time("2031-07-04T23:59:58.000000001Z"), back;
    char out[40];
    time_format_rfc3339nano(t, out);
    cr_assert_eq(time_parse_rfc3339(out, &back), 0);
    cr_assert_eq(back, t);
}

Test(duration, prometheus_syntax)
{
    int64_t d;
    cr_assert_eq(duration_parse_prom("5m", &d), 0);
    cr_assert_eq(d, 300 * NS_PER_SEC);
    cr_assert_eq(duration_parse_prom("1h30m", &d), 0);
    cr_assert_eq(d, 5400 * NS_PER_SEC);
    cr_assert_eq(duration_parse_prom("1w2d", &d), 0);
    cr_assert_eq(d, 9 * 86400 * NS_PER_SEC);
    cr_assert_eq(duration_parse_prom("500ms", &d), 0);
    cr_assert_eq(d, 500 * NS_PER_MS);
    cr_assert_eq(duration_parse_prom("0", &d), 0);
    cr_assert_eq(d, 0);
    const char *bad[] = {"", "1x", "1.5h", "5m1h", "1h1h", "-1m", "m", "1"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        cr_assert_neq(duration_parse_prom(bad[i], &d), 0, "%s", bad[i]);
}

Test(duration, prometheus_string_form)
{
    char out[64];
    duration_format_prom(300 * NS_PER_SEC, out);
    cr_assert_str_eq(out, "5m");
    duration_format_prom(4 * 3600 * NS_PER_SEC, out);
    cr_assert_str_eq(out, "4h");
    duration_format_prom(120 * 3600 * NS_PER_SEC, out);
    cr_assert_str_eq(out, "5d");
    duration_format_prom(5400 * NS_PER_SEC, out);
    cr_assert_str_eq(out, "1h30m");
    duration_format_prom(0, out);
    cr_assert_str_eq(out, "0s");
}

Test(duration, go_syntax)
{
    int64_t d;
    cr_assert_eq(duration_parse_go("120h", &d, NULL), 0);
    cr_assert_eq(d, 120 * 3600 * NS_PER_SEC);
    cr_assert_eq(duration_parse_go("1m0s", &d, NULL), 0);
    cr_assert_eq(d, 60 * NS_PER_SEC);
    cr_assert_eq(duration_parse_go("1.5s", &d, NULL), 0);
    cr_assert_eq(d, 1500 * NS_PER_MS);
    cr_assert_eq(duration_parse_go("200ms", &d, NULL), 0);
    cr_assert_eq(d, 200 * NS_PER_MS);
    cr_assert_neq(duration_parse_go("1d", &d, NULL), 0);
    cr_assert_neq(duration_parse_go("", &d, NULL), 0);
    cr_assert_neq(duration_parse_go("10", &d, NULL), 0);
}

Test(duration, go_error_messages)
{
    struct {
        const char *in, *msg;
    } cases[] = {
        {"1d", "time: unknown unit \"d\" in duration \"1d\""},
        {"10", "time: missing unit in duration \"10\""},
        {"xx", "time: invalid duration \"xx\""},
        {"", "time: invalid duration \"\""},
        {"9999999999h", "time: invalid duration \"9999999999h\""},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int64_t d;
        char *err = NULL;
        cr_assert_eq(duration_parse_go(cases[i].in, &d, &err), -1, "%s", cases[i].in);
        cr_assert_str_eq(err, cases[i].msg);
        free(err);
    }
}

static char *json(const char *s, size_t n, int flags)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_json_string(&sb, s, n, flags);
    return strbuf_detach(&sb);
}

Test(quote, json_like_go)
{
    char *a = json("a\"b\\c\n\t\x01", 8, 0);
    cr_assert_str_eq(a, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    char *b = json("<a&b>", 5, JSON_ESCAPE_HTML);
    cr_assert_str_eq(b, "\"\\u003ca\\u0026b\\u003e\"");
    char *c = json("<a&b>", 5, 0);
    cr_assert_str_eq(c, "\"<a&b>\"");
    char *d = json("x\xff\xe2\x80\xa8\xc3\xa9", 7, 0);
    cr_assert_str_eq(d, "\"x\\ufffd\\u2028\xc3\xa9\"");
    free(a), free(b), free(c), free(d);
}

Test(quote, go_strconv_quote)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_go_quote(&sb, "a\"b\\\n\x7f\xff\xc3\xa9");
    cr_assert_str_eq(sb.buf, "\"a\\\"b\\\\\\n\\x7f\\xff\xc3\xa9\"");
    strbuf_reset(&sb);
    strbuf_go_quote(&sb, "c\xef\xbf\xbd \xc2\xa0");
    cr_assert_str_eq(sb.buf, "\"c\xef\xbf\xbd \\u00a0\"");
    strbuf_free(&sb);
}

Test(utf8, validity)
{
    cr_assert(utf8_valid("h\xc3\xa9llo", 6));
    cr_assert_not(utf8_valid("\xc3", 1));
    cr_assert_not(utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
    cr_assert_not(utf8_valid("\xc0\xaf", 2));     /* overlong */
}

Test(hmap, put_get_delete_many)
{
    struct hmap m = HMAP_INIT;
    enum { N = 20000 };
    for (uint64_t i = 0; i < N; i++)
        cr_assert_null(hmap_put_u64(&m, i * 7919, (void *)(uintptr_t)(i + 1)));
    cr_assert_eq(m.len, N);
    for (uint64_t i = 0; i < N; i += 2)
        cr_assert_eq(hmap_del_u64(&m, i * 7919), (void *)(uintptr_t)(i + 1));
    for (uint64_t i = 0; i < N; i++) {
        void *v = hmap_get_u64(&m, i * 7919);
        if (i % 2)
            cr_assert_eq(v, (void *)(uintptr_t)(i + 1));
        else
            cr_assert_null(v);
    }
    size_t pos = 0, seen = 0;
    struct hmap_entry *e;
    while (hmap_next(&m, &pos, &e))
        seen++;
    cr_assert_eq(seen, N / 2);
    hmap_free(&m);
}

Test(hmap, string_keys_and_replace)
{
    struct hmap m = HMAP_INIT;
    int a = 1, b = 2;
    hmap_put(&m, "k", 1, &a);
    cr_assert_eq(hmap_put(&m, "k", 1, &b), &a);
    cr_assert_eq(hmap_get_str(&m, "k"), &b);
    cr_assert_null(hmap_get_str(&m, "missing"));
    hmap_free(&m);
}

Test(uuid, v4_form_and_validation)
{
    char id[37];
    uuid_v4(id);
    cr_assert_eq(strlen(id), 36);
    cr_assert_eq(id[14], '4');
    cr_assert(uuid_valid(id));
    cr_assert(uuid_valid("48C17FAB-2660-40D1-A60F-2260A1FA7ED3"));
    cr_assert(uuid_valid("48c17fab266040d1a60f2260a1fa7ed3"));
    cr_assert_not(uuid_valid("not-a-uuid"));
    cr_assert_not(uuid_valid("48c17fab-2660-40d1-a60f-2260a1fa7ed"));
    cr_assert_not(uuid_valid("48c17fab-2660-40d1-a60f-2260a1fa7ed3x"));
}

Test(file, atomic_write_then_read)
{
    char dir[] = "/tmp/chorus-util-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = xasprintf("%s/f", dir);
    cr_assert_eq(file_write_atomic(path, "hello", 5), 0);
    char *data;
    size_t len;
    cr_assert_eq(file_read_all(path, &data, &len), 0);
    cr_assert_eq(len, 5);
    cr_assert_str_eq(data, "hello");
    free(data);
    cr_assert_lt(file_read_all("/nonexistent/x", &data, &len), 0);
    remove(path);
    remove(dir);
    free(path);
}
