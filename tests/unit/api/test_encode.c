/* JSON shapes of gettableAlert and gettableSilence, and Go's float format. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

#define T0 (INT64_C(1795600800) * NS_PER_SEC) /* 2026-11-25T10:00:00Z */

Test(encode, alert_has_alertmanagers_key_order_and_escaping)
{
    struct alert a;
    alert_init(&a);
    labelset_set(&a.labels, "alertname", "x");
    labelset_set(&a.labels, "v", "<a&b>");
    labelset_set(&a.annotations, "s", "<x>");
    a.starts_at = T0;
    a.ends_at = T0 + 300 * NS_PER_SEC;
    a.updated_at = T0 + 152 * NS_PER_MS;
    a.fingerprint = labelset_fingerprint(&a.labels);
    char *ids[] = {"s1"};
    uint64_t inh[] = {0x32d1c5f0feaf587};
    struct alert_status st = {ALERT_SUPPRESSED, ids, 1, inh, 1};
    const char *recv[] = {"r", "r"};
    struct strbuf sb = STRBUF_INIT;
    api_enc_alert(&sb, &a, &st, recv, 2);
    char fp[17];
    fingerprint_format(a.fingerprint, fp);
    char *want = xasprintf(
        "{\"annotations\":{\"s\":\"\\u003cx\\u003e\"},\"endsAt\":\"2026-11-25T10:05:00.000Z\","
        "\"fingerprint\":\"%s\",\"receivers\":[{\"name\":\"r\"},{\"name\":\"r\"}],"
        "\"startsAt\":\"2026-11-25T10:00:00.000Z\",\"status\":{\"inhibitedBy\":"
        "[\"032d1c5f0feaf587\"],\"silencedBy\":[\"s1\"],\"state\":\"suppressed\"},"
        "\"updatedAt\":\"2026-11-25T10:00:00.152Z\",\"labels\":{\"alertname\":\"x\","
        "\"v\":\"\\u003ca\\u0026b\\u003e\"}}",
        fp);
    cr_expect_str_eq(sb.buf, want);
    free(want);
    strbuf_free(&sb);
    alert_free(&a);
}

Test(encode, alert_without_status_is_unprocessed_and_shows_generator_url)
{
    struct alert a;
    alert_init(&a);
    labelset_set(&a.labels, "a", "b");
    free(a.generator_url);
    a.generator_url = xstrdup("http://g");
    a.starts_at = a.ends_at = a.updated_at = T0;
    struct strbuf sb = STRBUF_INIT;
    api_enc_alert(&sb, &a, NULL, NULL, 0);
    cr_expect(strstr(sb.buf, "\"receivers\":[],") != NULL);
    cr_expect(strstr(sb.buf, "{\"inhibitedBy\":[],\"silencedBy\":[],\"state\":\"unprocessed\"}"));
    cr_expect(strstr(sb.buf, ",\"generatorURL\":\"http://g\",\"labels\":{\"a\":\"b\"}}"));
    strbuf_free(&sb);
    alert_free(&a);
}

Test(encode, silence_shape)
{
    struct silence s;
    silence_init(&s);
    memcpy(s.id, "04c8d297-f82c-4918-9c6c-91ccbfabd45a", 37);
    silence_add_matcher(&s, MATCH_NOT_REGEXP, "a", "b.*");
    s.starts_at = T0;
    s.ends_at = T0 + 3600 * NS_PER_SEC;
    s.updated_at = T0 - NS_PER_SEC;
    free(s.comment);
    s.comment = xstrdup("c");
    struct strbuf sb = STRBUF_INIT;
    api_enc_silence(&sb, &s, T0 - 1);
    cr_expect_str_eq(sb.buf,
                     "{\"id\":\"04c8d297-f82c-4918-9c6c-91ccbfabd45a\",\"status\":{\"state\":"
                     "\"pending\"},\"updatedAt\":\"2026-11-25T09:59:59.000Z\",\"comment\":\"c\","
                     "\"createdBy\":\"\",\"endsAt\":\"2026-11-25T11:00:00.000Z\",\"matchers\":["
                     "{\"isEqual\":false,\"isRegex\":true,\"name\":\"a\",\"value\":\"b.*\"}],"
                     "\"startsAt\":\"2026-11-25T10:00:00.000Z\"}");
    strbuf_free(&sb);
    silence_free(&s);
}

static void expect_float(double f, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    api_fmt_float(&sb, f);
    cr_expect_str_eq(sb.buf, want);
    strbuf_free(&sb);
}

Test(encode, floats_as_strconv_g_shortest)
{
    expect_float(0, "0");
    expect_float(5, "5");
    expect_float(123456, "123456");
    expect_float(1e6, "1e+06");
    expect_float(0.5, "0.5");
    expect_float(0.0001, "0.0001");
    expect_float(0.00001, "1e-05");
    expect_float(-2.5, "-2.5");
    expect_float(1.7955928019380999e+09, "1.7955928019380999e+09");
    expect_float(2.28094098964141e+14, "2.28094098964141e+14");
    expect_float(1.3350000000000001e-05, "1.3350000000000001e-05");
}
