/* SNS Publish requests against what Alertmanager 0.25's aws-sdk-go sent,
 * signature included (built at the captured X-Amz-Date), and SigV4 against
 * AWS's published examples. */
#include "integ_fixture.h"

#include "config/config.h"
#include "notify/integrations_internal.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static int64_t amz_date_ns(const char *d)
{
    unsigned y, mo, da, h, mi, s;
    cr_assert_eq(sscanf(d, "%4u%2u%2uT%2u%2u%2uZ", &y, &mo, &da, &h, &mi, &s), 6);
    return ((time_days_from_civil(y, mo, da) * 86400) + h * 3600 + mi * 60 + s) * 1000000000LL;
}

/* Signs at the instant 0.25 signed; the X-Amz-Date header and the whole
 * Authorization are then compared with the rest. */
static void at_captured_date(struct integ_fixture *f, json_t *captured)
{
    f->group.now = amz_date_ns(integ_header(captured, "X-Amz-Date"));
}

Test(sns, fifo_topic_with_subject_and_attributes)
{
    integ_check_kind("sns_topic", NOTIFY_SNS, 0, at_captured_date);
}

Test(sns, sms_message_cut_at_1600_bytes_adds_truncated_attribute)
{
    integ_check_kind("sns_phone", NOTIFY_SNS, 0, at_captured_date);
}

Test(sns, target_arn_with_defaults)
{
    integ_check_kind("sns_target", NOTIFY_SNS, 0, at_captured_date);
}

Test(sns, topic_firing_then_resolved)
{
    integ_check_kind("vo_resolve", NOTIFY_SNS, 0, at_captured_date);
    integ_check_kind("vo_resolve", NOTIFY_SNS, 1, at_captured_date);
}

#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

Test(sigv4, aws_key_derivation_example)
{
    unsigned char key[32];
    char hex[65];
    notify_sigv4_signing_key(EXAMPLE_SECRET, "20120215", "us-east-1", "iam", key);
    notify_hex(key, sizeof key, hex);
    cr_assert_str_eq(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

static char *sign_example(const char *method, const struct labelset *headers, const char *body)
{
    struct notify_sigv4 s = {
        .method = method,
        .canonical_uri = "/",
        .headers = headers,
        .payload = body,
        .payload_len = strlen(body),
        .amz_date = "20150830T123600Z",
        .region = "us-east-1",
        .service = "service",
        .access_key = "AKIDEXAMPLE",
        .secret_key = EXAMPLE_SECRET,
    };
    return notify_sigv4_authorization(&s);
}

Test(sigv4, aws_test_suite_get_vanilla_and_post_form)
{
    struct labelset h = LABELSET_INIT;
    labelset_set(&h, "host", "example.amazonaws.com");
    labelset_set(&h, "x-amz-date", "20150830T123600Z");
    char *auth = sign_example("GET", &h, "");
    cr_assert_str_eq(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                           "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                           "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    free(auth);
    labelset_set(&h, "content-type", "application/x-www-form-urlencoded");
    auth = sign_example("POST", &h, "Param1=value1");
    cr_assert_str_eq(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                           "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
                           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
    free(auth);
    labelset_free(&h);
}

/* Builds sns_target's SNS notification with its config changed by edit. */
static int build_edited(void (*edit)(struct config_sns *), struct notify_message *m, bool *retry,
                        char **err)
{
    struct integ_fixture f;
    integ_load(&f, "sns_target", "sns_target", 0);
    struct notify_integration in = *integ_find(&f, NOTIFY_SNS, 0);
    struct config_sns conf = *(const struct config_sns *)in.conf;
    edit(&conf);
    in.conf = &conf;
    int rc = notify_build(&in, f.tmpl, &f.group, m, retry, err);
    integ_free(&f);
    return rc;
}

static char *build_error(void (*edit)(struct config_sns *), bool *retry)
{
    struct notify_message m;
    char *err = NULL;
    cr_assert_eq(build_edited(edit, &m, retry, &err), -1);
    return err;
}

static void role(struct config_sns *c) { c->sigv4.role_arn = "arn:aws:iam::1:role/x"; }
static void no_keys(struct config_sns *c)
{
    c->sigv4.access_key = NULL;
    c->sigv4.secret_key = NULL;
}
static void bad_utf8(struct config_sns *c) { c->message = "ok \xff"; }
static void no_region(struct config_sns *c) { c->sigv4.region = NULL; }

Test(sns, unsupported_credentials_missing_region_and_invalid_messages)
{
    bool retry;
    char *err = build_error(role, &retry);
    cr_expect_str_eq(err, "sns: sigv4.role_arn (STS AssumeRole) is not supported by chorus");
    cr_expect(!retry);
    free(err);
    err = build_error(no_keys, &retry);
    cr_expect(strstr(err, "not supported by chorus") != NULL, "%s", err);
    free(err);
    err = build_error(no_region, &retry);
    cr_expect_str_eq(err, "region not configured in sns.sigv4.region or in default credentials "
                          "chain");
    cr_expect(retry);
    free(err);
    err = build_error(bad_utf8, &retry);
    cr_expect_str_eq(err, "non utf8 encoded message string");
    cr_expect(retry); /* 0.25 returns it as retryable */
    free(err);
}

Test(sns, status_errors_carry_aws_message_and_transport_errors_the_sdk_words)
{
    struct integ_fixture f;
    integ_load(&f, "sns_target", "sns_target", 0);
    const struct notify_integration *in = integ_find(&f, NOTIFY_SNS, 0);
    struct notify_message m;
    integ_build(&f, NOTIFY_SNS, 0, &m);
    const char *xml = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>"
                      "<Message>Invalid parameter: TopicArn &amp; &lt;x&gt;</Message></Error>"
                      "</ErrorResponse>";
    struct outbound_http_response r = {.result = OUTBOUND_OK, .status = 400, .body = xml,
                                       .body_len = strlen(xml)};
    bool retry;
    char *err = NULL;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(!retry);
    cr_assert_str_eq(err, "unexpected status code 400: Invalid parameter: TopicArn & <x>");
    free(err);
    r.status = 503;
    r.body = "oops";
    r.body_len = 4;
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "unexpected status code 503");
    free(err);
    /* 0.25 (aws-sdk-go) words a refused connection "RequestError: send request
     * failed\ncaused by: Post \"http://127.0.0.1:9/s/\": dial tcp ...". */
    r = (struct outbound_http_response){.result = OUTBOUND_TRANSPORT, .error = "Post: EOF"};
    cr_assert_eq(notify_judge_http(in, &m, &r, &retry, &err), -1);
    cr_assert(retry);
    cr_assert_str_eq(err, "RequestError: send request failed\ncaused by: Post: EOF");
    free(err);
    notify_message_free(&m);
    integ_free(&f);
}

static void bad_subject(struct config_sns *c) { c->subject = "S {{ .Nope }}"; }

Test(sns, template_error_is_ignored_and_the_field_keeps_its_partial_output)
{
    /* 0.25 sent "...&Subject=S+&TopicArn=..." and logged nothing. */
    struct notify_message m;
    bool retry;
    char *err = NULL;
    cr_assert_eq(build_edited(bad_subject, &m, &retry, &err), 0, "%s", err);
    cr_assert(strstr(m.http.body, "&Subject=S+&TargetArn=") != NULL);
    notify_message_free(&m);
}
