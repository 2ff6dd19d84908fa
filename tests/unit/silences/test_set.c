/*
 * test_set.c: silences_set and silences_expire: validation messages and their
 * order, creation, Alertmanager 0.25's in-place-or-recreate update rule and
 * expiry, as observed on the real 0.25 binary.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct silences *st;

static void setup(void)
{
    st = silences_new(RETENTION);
}

static void teardown(void)
{
    silences_free(st);
}

TestSuite(silences_set, .init = setup, .fini = teardown);

static void assert_create_fails(const char *spec, int64_t start, int64_t end, const char *want)
{
    char *err = sil_create_err(st, spec, start, end, T0);
    cr_assert_not_null(err, "%s was accepted", spec);
    cr_assert_str_eq(err, want);
    free(err);
    cr_assert_eq(silences_count(st), 0);
}

Test(silences_set, start_must_be_before_end)
{
    const char *want = "Failed to create silence: start time must be before end time";
    assert_create_fails("a=b", T0 + HOUR, T0, want);
    assert_create_fails("a=b", T0 + HOUR, T0 + HOUR, want);
}

Test(silences_set, end_cannot_be_in_the_past)
{
    assert_create_fails("a=b", T0 - HOUR, T0 - 1,
                        "Failed to create silence: end time can't be in the past");
}

Test(silences_set, time_checks_come_before_matcher_checks)
{
    assert_create_fails("1a=(", T0 + HOUR, T0,
                        "Failed to create silence: start time must be before end time");
}

Test(silences_set, unknown_id_is_not_found_before_matcher_checks)
{
    char id[37], *err = NULL;
    int rc = sil_update(st, "9b7c1c2e-4a44-4f0a-8f3e-2f1d2c3b4a59", "1a=b", T0, T0 + HOUR, T0,
                        id, &err);
    cr_assert_eq(rc, SILENCES_ENOTFOUND);
    cr_assert_null(err);
}

Test(silences_set, invalid_label_name)
{
    assert_create_fails("1a=b", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 0: invalid label name \"1a\"");
}

Test(silences_set, invalid_label_name_reports_its_index)
{
    assert_create_fails("a=b,b-c=d", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 1: invalid label name \"b-c\"");
}

Test(silences_set, invalid_regex_uses_go_text_on_the_raw_pattern)
{
    assert_create_fails("a=~(", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 0: invalid regular expression "
                        "\"(\": error parsing regexp: missing closing ): `(`");
}

/* More texts observed on the 0.25 binary; the second pattern compiles once
 * anchored as ^(?:a)(?:b)$, so only the raw compile catches it. */
Test(silences_set, more_regex_errors_as_observed)
{
    assert_create_fails("a=~a)(?:b", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 0: invalid regular expression "
                        "\"a)(?:b\": error parsing regexp: unexpected ): `a)(?:b`");
    assert_create_fails("a=~x\\1", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 0: invalid regular expression "
                        "\"x\\\\1\": error parsing regexp: invalid escape sequence: `\\1`");
}

Test(silences_set, invalid_label_value)
{
    assert_create_fails("a=\xff", T0, T0 + HOUR,
                        "silence invalid: invalid label matcher 0: invalid label value \"\\xff\"");
}

Test(silences_set, no_matchers)
{
    assert_create_fails("", T0, T0 + HOUR, "silence invalid: at least one matcher required");
}

Test(silences_set, matchers_matching_empty_are_rejected)
{
    const char *want = "silence invalid: at least one matcher must not match the empty string";
    assert_create_fails("a=", T0, T0 + HOUR, want);
    assert_create_fails("a=~.*", T0, T0 + HOUR, want);
    assert_create_fails("a=,b=~x*", T0, T0 + HOUR, want);
    assert_create_fails("a=~x|", T0, T0 + HOUR, want);
}

Test(silences_set, negative_matchers_never_count_as_matching_empty)
{
    sil_create(st, "a!=", T0, T0 + HOUR, T0);
    sil_create(st, "a!~.*", T0, T0 + HOUR, T0);
    sil_create(st, "a=,b=~x", T0, T0 + HOUR, T0);
    cr_assert_eq(silences_count(st), 3);
}

Test(silences_set, create_assigns_uuid_and_clamps_start)
{
    const char *id = sil_create(st, "a=b", T0 - HOUR, T0 + HOUR, T0);
    cr_assert(uuid_valid(id));
    const struct silence *s = silences_get(st, id);
    cr_assert_not_null(s);
    cr_assert_str_eq(s->id, id);
    cr_assert_eq(s->starts_at, T0);
    cr_assert_eq(s->ends_at, T0 + HOUR);
    cr_assert_eq(s->updated_at, T0);
    cr_assert_str_eq(s->created_by, "tester");
    cr_assert_str_eq(s->comment, "a comment");
    cr_assert_eq(silence_state_at(s, T0), SILENCE_ACTIVE);
}

Test(silences_set, create_keeps_future_start_as_pending)
{
    const char *id = sil_create(st, "a=b", T0 + MIN, T0 + HOUR, T0);
    const struct silence *s = silences_get(st, id);
    cr_assert_eq(s->starts_at, T0 + MIN);
    cr_assert_eq(silence_state_at(s, T0), SILENCE_PENDING);
}

Test(silences_set, create_gives_fresh_ids)
{
    char a[37], b[37];
    strcpy(a, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    strcpy(b, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    cr_assert_str_neq(a, b);
    cr_assert_eq(silences_count(st), 2);
}

static const struct silence *get(const char *id)
{
    const struct silence *s = silences_get(st, id);
    cr_assert_not_null(s, "silence %s missing", id);
    return s;
}

/* The API sends milliseconds; 0.24+ compares startsAt to the second. */
Test(silences_set, active_update_in_place_with_same_start_second)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b,c=~d", T0 + 445 * NS_PER_MS, T0 + HOUR, T0 + 445 * NS_PER_MS));
    int64_t now = T0 + 10 * SEC;
    int rc = sil_update(st, id, "a=b,c=~d", T0 + 999 * NS_PER_MS, T0 + 2 * HOUR, now, out, &err);
    cr_assert_eq(rc, SILENCES_OK);
    cr_assert_str_eq(out, id);
    cr_assert_eq(silences_count(st), 1);
    const struct silence *s = get(id);
    cr_assert_eq(s->starts_at, T0 + 999 * NS_PER_MS, "posted start is stored as given");
    cr_assert_eq(s->ends_at, T0 + 2 * HOUR);
    cr_assert_eq(s->updated_at, now);
}

Test(silences_set, in_place_update_replaces_comment_and_author)
{
    char id[37], out[37];
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    struct silence in;
    sil_build(&in, "a=b", T0, T0 + HOUR);
    strcpy(in.id, id);
    free(in.comment);
    free(in.created_by);
    in.comment = xstrdup("new comment");
    in.created_by = xstrdup("someone");
    cr_assert_eq(silences_set(st, &in, T0 + MIN, out, NULL), SILENCES_OK);
    silence_free(&in);
    cr_assert_str_eq(out, id);
    cr_assert_str_eq(get(id)->comment, "new comment");
    cr_assert_str_eq(get(id)->created_by, "someone");
}

static void assert_recreated(const char *old_id, const char *new_id, int64_t now)
{
    cr_assert_str_neq(old_id, new_id);
    cr_assert(uuid_valid(new_id));
    cr_assert_eq(silences_count(st), 2);
    cr_assert_eq(get(new_id)->updated_at, now);
}

Test(silences_set, active_update_with_other_start_second_recreates)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    int64_t now = T0 + MIN;
    cr_assert_eq(sil_update(st, id, "a=b", T0 + SEC, T0 + HOUR, now, out, &err), SILENCES_OK);
    assert_recreated(id, out, now);
    cr_assert_eq(get(id)->ends_at, now, "old active silence expired at now");
    cr_assert_eq(get(id)->updated_at, now);
    cr_assert_eq(get(out)->starts_at, now, "past start clamped");
}

Test(silences_set, changed_matchers_recreate)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b,c=d", T0, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "a=b,c=e", T0, T0 + HOUR, T0 + MIN, out, &err), SILENCES_OK);
    assert_recreated(id, out, T0 + MIN);
}

Test(silences_set, reordered_matchers_recreate)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b,c=d", T0, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "c=d,a=b", T0, T0 + HOUR, T0 + MIN, out, &err), SILENCES_OK);
    assert_recreated(id, out, T0 + MIN);
}

Test(silences_set, matcher_type_change_recreates)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "a=~b", T0, T0 + HOUR, T0 + MIN, out, &err), SILENCES_OK);
    assert_recreated(id, out, T0 + MIN);
}

Test(silences_set, pending_update_in_place_with_future_start)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "p=1", T0 + 10 * MIN, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "p=1", T0 + 20 * MIN, T0 + HOUR, T0 + SEC, out, &err),
                 SILENCES_OK);
    cr_assert_str_eq(out, id);
    cr_assert_eq(get(id)->starts_at, T0 + 20 * MIN);
    cr_assert_eq(silences_count(st), 1);
}

Test(silences_set, pending_update_with_start_now_is_in_place)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "p=1", T0 + 10 * MIN, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "p=1", T0 + SEC, T0 + HOUR, T0 + SEC, out, &err),
                 SILENCES_OK);
    cr_assert_str_eq(out, id);
}

Test(silences_set, pending_update_with_past_start_recreates)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "p=1", T0 + 10 * MIN, T0 + HOUR, T0));
    int64_t now = T0 + SEC;
    cr_assert_eq(sil_update(st, id, "p=1", T0 - MIN, T0 + HOUR, now, out, &err), SILENCES_OK);
    assert_recreated(id, out, now);
    cr_assert_eq(get(id)->starts_at, now, "pending expired: start = end = now");
    cr_assert_eq(get(id)->ends_at, now);
    cr_assert_eq(get(out)->starts_at, now);
}

Test(silences_set, expired_is_never_updated_in_place)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    cr_assert_eq(silences_expire(st, id, T0 + MIN), SILENCES_OK);
    int64_t now = T0 + 2 * MIN;
    cr_assert_eq(sil_update(st, id, "a=b", T0, T0 + HOUR, now, out, &err), SILENCES_OK);
    assert_recreated(id, out, now);
    cr_assert_eq(get(id)->ends_at, T0 + MIN, "an expired silence is left alone");
    cr_assert_eq(get(id)->updated_at, T0 + MIN);
}

Test(silences_set, active_update_may_not_end_in_the_past_of_now)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    /* endsAt == now passes the API check and canUpdate (not before now). */
    cr_assert_eq(sil_update(st, id, "a=b", T0, T0 + MIN, T0 + MIN, out, &err), SILENCES_OK);
    cr_assert_str_eq(out, id);
}

/* Observed on 0.25: the old silence is expired before the new one fails. */
Test(silences_set, rejected_update_still_expires_the_old_silence)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    int64_t now = T0 + MIN;
    int rc = sil_update(st, id, "1a=b", T0, T0 + HOUR, now, out, &err);
    cr_assert_eq(rc, SILENCES_EINVALID);
    cr_assert_str_eq(err, "silence invalid: invalid label matcher 0: invalid label name \"1a\"");
    free(err);
    cr_assert_eq(silences_count(st), 1);
    cr_assert_eq(get(id)->ends_at, now);
    cr_assert_eq(silence_state_at(get(id), now + 1), SILENCE_EXPIRED);
}

Test(silences_set, error_pointer_may_be_null)
{
    struct silence in;
    char out[37];
    sil_build(&in, "1a=b", T0, T0 + HOUR);
    cr_assert_eq(silences_set(st, &in, T0, out, NULL), SILENCES_EINVALID);
    silence_free(&in);
}

Test(silences_set, version_moves_on_every_change)
{
    uint64_t v0 = silences_version(st);
    char id[37];
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    uint64_t v1 = silences_version(st);
    cr_assert_gt(v1, v0);
    silences_expire(st, id, T0 + MIN);
    cr_assert_gt(silences_version(st), v1);
}

/* ---- expire ---- */

TestSuite(silences_expire, .init = setup, .fini = teardown);

Test(silences_expire, active_ends_now)
{
    char id[37];
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    cr_assert_eq(silences_expire(st, id, T0 + MIN), SILENCES_OK);
    const struct silence *s = silences_get(st, id);
    cr_assert_eq(s->starts_at, T0);
    cr_assert_eq(s->ends_at, T0 + MIN);
    cr_assert_eq(s->updated_at, T0 + MIN);
    cr_assert_eq(silence_state_at(s, T0 + MIN), SILENCE_ACTIVE, "still active at that instant");
    cr_assert_eq(silence_state_at(s, T0 + MIN + 1), SILENCE_EXPIRED);
}

Test(silences_expire, pending_starts_and_ends_now)
{
    char id[37];
    strcpy(id, sil_create(st, "a=b", T0 + HOUR, T0 + 2 * HOUR, T0));
    cr_assert_eq(silences_expire(st, id, T0 + MIN), SILENCES_OK);
    const struct silence *s = silences_get(st, id);
    cr_assert_eq(s->starts_at, T0 + MIN);
    cr_assert_eq(s->ends_at, T0 + MIN);
}

Test(silences_expire, expired_is_a_no_op)
{
    char id[37];
    strcpy(id, sil_create(st, "a=b", T0, T0 + HOUR, T0));
    silences_expire(st, id, T0 + MIN);
    uint64_t v = silences_version(st);
    cr_assert_eq(silences_expire(st, id, T0 + 2 * MIN), SILENCES_OK);
    const struct silence *s = silences_get(st, id);
    cr_assert_eq(s->ends_at, T0 + MIN);
    cr_assert_eq(s->updated_at, T0 + MIN);
    cr_assert_eq(silences_version(st), v);
}

Test(silences_expire, unknown_is_not_found)
{
    cr_assert_eq(silences_expire(st, "nope", T0), SILENCES_ENOTFOUND);
}
