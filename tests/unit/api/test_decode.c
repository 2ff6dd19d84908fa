/* POST bodies decoded and schema-validated with go-swagger's errors. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

static void expect_alerts_err(const char *body, int status, int code, const char *msg)
{
    struct api_alerts_in in;
    struct api_fwerr e;
    cr_assert_eq(api_decode_alerts(body, strlen(body), &in, &e), -1, "%s", body);
    cr_expect_eq(e.status, status, "%s: status %d", body, e.status);
    cr_expect_eq(e.code, code, "%s: code %d", body, e.code);
    cr_expect_str_eq(e.message, msg);
    api_fwerr_free(&e);
}

#define PARSE "parsing alerts body from \"\" failed, because "

Test(decode_alerts, framework_errors)
{
    expect_alerts_err("", 422, 602, "alerts in body is required");
    expect_alerts_err("[{}]", 422, 602, "0.labels in body is required");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"}},{\"labels\":null}]", 422, 602,
                      "1.labels in body is required");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"},\"generatorURL\":\"not a url\"}]", 422, 601,
                      "0.generatorURL in body must be of type uri: \"not a url\"");
    expect_alerts_err("[{\"generatorURL\":\"foo\"}]", 422, 601,
                      "0.generatorURL in body must be of type uri: \"foo\"");
    expect_alerts_err("{", 400, 400, PARSE "unexpected EOF");
    expect_alerts_err("[x", 400, 400, PARSE "invalid character 'x' looking for beginning of value");
}

Test(decode_alerts, type_errors_name_go_fields)
{
    expect_alerts_err("{\"a\":1}", 400, 400,
                      PARSE "json: cannot unmarshal object into Go value of type "
                            "models.PostableAlerts");
    expect_alerts_err("[{\"labels\":{\"a\":1}}]", 400, 400,
                      PARSE "json: cannot unmarshal number into Go struct field Alert.labels of "
                            "type string");
    expect_alerts_err("[{\"labels\":[]}]", 400, 400,
                      PARSE "json: cannot unmarshal array into Go struct field Alert.labels of "
                            "type models.LabelSet");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"},\"annotations\":{\"x\":2}}]", 400, 400,
                      PARSE "json: cannot unmarshal number into Go struct field .annotations of "
                            "type string");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"},\"startsAt\":5}]", 400, 400,
                      PARSE "json: cannot unmarshal number into Go struct field .startsAt of "
                            "type string");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"},\"generatorURL\":5}]", 400, 400,
                      PARSE "json: cannot unmarshal number into Go struct field Alert.generatorURL "
                            "of type string");
    expect_alerts_err("[{\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-13-25T10:00:00Z\"}]", 400,
                      400, PARSE "parsing time \"2026-13-25T10:00:00Z\": month out of range");
}

Test(decode_alerts, own_properties_fail_before_the_embedded_alert)
{
    /* labels come first in the document, but annotations are decoded first */
    expect_alerts_err("[{\"labels\":[],\"annotations\":[]}]", 400, 400,
                      PARSE "json: cannot unmarshal array into Go struct field .annotations of "
                            "type models.LabelSet");
    /* a time error aborts at once and beats an earlier plain type error */
    expect_alerts_err("[{\"annotations\":{\"a\":1},\"endsAt\":\"x\"}]", 400, 400,
                      PARSE "parsing time \"x\" as \"2006-01-02 15:04:05\": cannot parse \"x\" as "
                            "\"2006\"");
}

Test(decode_alerts, decodes_and_merges_like_go)
{
    const char *body = "[{\"Labels\":{\"a\":\"b\"},\"LABELS\":{\"c\":\"d\",\"e\":null},"
                       "\"startsAt\":\"2026-11-25T10:00:00Z\",\"generatorURL\":\"http://g\"}]";
    struct api_alerts_in in;
    struct api_fwerr e;
    cr_assert_eq(api_decode_alerts(body, strlen(body), &in, &e), 0);
    cr_assert_eq(in.n, 1);
    const struct alert *a = &in.items[0];
    cr_expect_eq(a->labels.len, 3);
    cr_expect_str_eq(labelset_get(&a->labels, "c"), "d");
    cr_expect_str_eq(labelset_get(&a->labels, "e"), "");
    cr_expect_eq(a->starts_at, INT64_C(1795600800) * NS_PER_SEC);
    cr_expect_eq(a->ends_at, TIME_ZERO);
    cr_expect_str_eq(a->generator_url, "http://g");
    api_alerts_in_free(&in);
}

Test(decode_alerts, null_body_is_an_empty_batch_and_null_item_drops_the_connection)
{
    struct api_alerts_in in;
    struct api_fwerr e;
    cr_expect_eq(api_decode_alerts("null", 4, &in, &e), 0);
    cr_expect_eq(in.n, 0);
    cr_expect_eq(api_decode_alerts("[null]", 6, &in, &e), -1);
    cr_expect_eq(e.status, 0);
    api_fwerr_free(&e);
}

static void expect_silence_err(const char *body, int status, int code, const char *msg)
{
    struct silence s;
    struct api_fwerr e;
    cr_assert_eq(api_decode_silence(body, strlen(body), &s, &e), -1, "%s", body);
    cr_expect_eq(e.status, status, "%s", body);
    cr_expect_eq(e.code, code, "%s", body);
    cr_expect_str_eq(e.message, msg);
    api_fwerr_free(&e);
}

#define TIMES "\"startsAt\":\"2026-11-25T10:00:00Z\",\"endsAt\":\"2027-11-25T10:00:00Z\""
#define SPARSE "parsing silence body from \"\" failed, because "

Test(decode_silence, required_fields_in_schema_order)
{
    expect_silence_err("", 422, 602, "silence in body is required");
    expect_silence_err("{}", 422, 602, "comment in body is required");
    expect_silence_err("{\"comment\":\"c\"}", 422, 602, "createdBy in body is required");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\"}", 422, 602,
                       "endsAt in body is required");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\"," TIMES "}", 422, 602,
                       "matchers in body is required");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\",\"matchers\":[]," TIMES "}", 422, 612,
                       "matchers in body should have at least 1 items");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\",\"matchers\":[{\"name\":\"a\"}]," TIMES
                       "}",
                       422, 602, "matchers.0.isRegex in body is required");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\",\"matchers\":[{\"isRegex\":true}]," TIMES
                       "}",
                       422, 602, "matchers.0.name in body is required");
    expect_silence_err("{\"comment\":\"c\",\"createdBy\":\"\",\"endsAt\":\"2027-11-25T10:00:00Z\","
                       "\"matchers\":[{\"isRegex\":true,\"name\":\"a\",\"value\":\"b\"}]}",
                       422, 602, "startsAt in body is required");
}

Test(decode_silence, type_errors)
{
    expect_silence_err("[]", 400, 400,
                       SPARSE "json: cannot unmarshal array into Go value of type struct { ID "
                              "string \"json:\\\"id,omitempty\\\"\" }");
    expect_silence_err("{\"id\":1}", 400, 400,
                       SPARSE "json: cannot unmarshal number into Go struct field .id of type "
                              "string");
    expect_silence_err("{\"matchers\":[{\"name\":1}]}", 400, 400,
                       SPARSE "json: cannot unmarshal number into Go struct field "
                              "Matcher.matchers.name of type string");
    expect_silence_err("{\"matchers\":{}}", 400, 400,
                       SPARSE "json: cannot unmarshal object into Go struct field Silence.matchers "
                              "of type models.Matchers");
    expect_silence_err("{\"startsAt\":1}", 400, 400,
                       SPARSE "json: cannot unmarshal number into Go struct field Silence.startsAt "
                              "of type string");
}

Test(decode_silence, builds_the_silence)
{
    const char *body = "{\"id\":\"x\",\"comment\":\"c\",\"createdBy\":\"me\",\"matchers\":["
                       "{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false},"
                       "{\"name\":\"c\",\"value\":\"d\",\"isRegex\":false,\"isEqual\":false},"
                       "{\"name\":\"e\",\"value\":\"f.*\",\"isRegex\":true},"
                       "{\"name\":\"g\",\"value\":\"h\",\"isRegex\":true,\"isEqual\":false}]," TIMES
                       "}";
    struct silence s;
    struct api_fwerr e;
    cr_assert_eq(api_decode_silence(body, strlen(body), &s, &e), 0);
    cr_expect_str_eq(s.id, "x");
    cr_expect_str_eq(s.comment, "c");
    cr_expect_str_eq(s.created_by, "me");
    cr_assert_eq(s.matchers.len, 4);
    cr_expect_eq(s.matchers.items[0].type, MATCH_EQUAL);
    cr_expect_eq(s.matchers.items[1].type, MATCH_NOT_EQUAL);
    cr_expect_eq(s.matchers.items[2].type, MATCH_REGEXP);
    cr_expect_eq(s.matchers.items[3].type, MATCH_NOT_REGEXP);
    cr_expect_eq(s.ends_at, INT64_C(1827136800) * NS_PER_SEC);
    silence_free(&s);
}

Test(decode_silence, an_id_too_long_to_exist_stays_unknown)
{
    const char *body = "{\"id\":\"0123456789012345678901234567890123456789\",\"comment\":\"c\","
                       "\"createdBy\":\"me\",\"matchers\":[{\"name\":\"a\",\"value\":\"b\","
                       "\"isRegex\":false}]," TIMES "}";
    struct silence s;
    struct api_fwerr e;
    cr_assert_eq(api_decode_silence(body, strlen(body), &s, &e), 0);
    cr_expect_str_eq(s.id, "\x01");
    silence_free(&s);
}
