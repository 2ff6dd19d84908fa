/*
 * Unit tests for one alert: the POST defaults (startsAt/endsAt/updatedAt,
 * timeout, empty labels dropped, empty annotations kept), each of 0.25's
 * validation errors in its order, resolution and copying.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define RESOLVE (5 * MIN)

Test(alert_defaults, unset_times_start_now_and_time_out)
{
    struct alert a = test_alert(TIME_ZERO, TIME_ZERO, TIME_ZERO, "alertname", "A", NULL);
    alert_apply_defaults(&a, T0, RESOLVE);
    cr_assert_eq(a.starts_at, T0);
    cr_assert_eq(a.ends_at, T0 + RESOLVE);
    cr_assert_eq(a.updated_at, T0);
    cr_assert(a.timeout);
    alert_free(&a);
}

Test(alert_defaults, unset_start_takes_ends_at)
{
    struct alert a = test_alert(TIME_ZERO, T0 - MIN, TIME_ZERO, "alertname", "A", NULL);
    alert_apply_defaults(&a, T0, RESOLVE);
    cr_assert_eq(a.starts_at, T0 - MIN);
    cr_assert_eq(a.ends_at, T0 - MIN);
    cr_assert_not(a.timeout);
    cr_assert(alert_resolved(&a, T0));
    alert_free(&a);
}

Test(alert_defaults, explicit_times_are_kept)
{
    struct alert a = test_alert(T0 - 2 * MIN, T0 + MIN, T0 - 3 * MIN, "alertname", "A", NULL);
    alert_apply_defaults(&a, T0, RESOLVE);
    cr_assert_eq(a.starts_at, T0 - 2 * MIN);
    cr_assert_eq(a.ends_at, T0 + MIN);
    cr_assert_eq(a.updated_at, T0);
    cr_assert_not(a.timeout);
    alert_free(&a);
}

Test(alert_defaults, empty_label_values_dropped_annotations_kept)
{
    struct alert a = test_alert(TIME_ZERO, TIME_ZERO, TIME_ZERO, "a", "", "b", "x", "c", "",
                                "d", "", NULL);
    labelset_set(&a.annotations, "summary", "");
    labelset_set(&a.annotations, "z", "v");
    alert_apply_defaults(&a, T0, RESOLVE);
    cr_assert_eq(a.labels.len, 1);
    cr_assert_str_eq(a.labels.items[0].name, "b");
    cr_assert_eq(a.annotations.len, 2);
    cr_assert_str_eq(labelset_get(&a.annotations, "summary"), "");
    alert_free(&a);
}

Test(alert_defaults, only_empty_labels_leave_an_empty_set)
{
    struct alert a = test_alert(TIME_ZERO, TIME_ZERO, TIME_ZERO, "a", "", NULL);
    alert_apply_defaults(&a, T0, RESOLVE);
    cr_assert_eq(a.labels.len, 0);
    cr_assert_str_eq(test_validate(&a), "at least one label pair required");
    alert_free(&a);
}

Test(alert_validate, valid_alert_passes)
{
    struct alert a = test_alert(T0, T0 + MIN, T0, "alertname", "A", "_x9", "\xc3\xbc", NULL);
    labelset_set(&a.annotations, "summary", "ok");
    cr_assert_null(test_validate(&a));
    alert_free(&a);
}

Test(alert_validate, start_time_missing)
{
    struct alert a = test_alert(TIME_ZERO, T0, T0, "1a", "x", NULL);
    cr_assert_str_eq(test_validate(&a), "start time missing");
    alert_free(&a);
}

Test(alert_validate, end_before_start)
{
    struct alert a = test_alert(T0, T0 - 1, T0, "1a", "x", NULL);
    cr_assert_str_eq(test_validate(&a), "start time must be before end time");
    alert_free(&a);
}

Test(alert_validate, end_equal_to_start_is_fine)
{
    struct alert a = test_alert(T0, T0, T0, "alertname", "A", NULL);
    cr_assert_null(test_validate(&a));
    alert_free(&a);
}

Test(alert_validate, unset_end_is_not_checked)
{
    struct alert a = test_alert(T0, TIME_ZERO, T0, "alertname", "A", NULL);
    cr_assert_null(test_validate(&a));
    alert_free(&a);
}

Test(alert_validate, invalid_label_name)
{
    struct alert a = test_alert(T0, T0, T0, "1a", "x", NULL);
    cr_assert_str_eq(test_validate(&a), "invalid label set: invalid name \"1a\"");
    alert_free(&a);
}

Test(alert_validate, non_ascii_label_name)
{
    struct alert a = test_alert(T0, T0, T0, "\xc3\xbcnicode", "x", NULL);
    cr_assert_str_eq(test_validate(&a), "invalid label set: invalid name \"\xc3\xbcnicode\"");
    alert_free(&a);
}

Test(alert_validate, invalid_label_value)
{
    struct alert a = test_alert(T0, T0, T0, "a", "x\xff", NULL);
    cr_assert_str_eq(test_validate(&a), "invalid label set: invalid value \"x\\xff\"");
    alert_free(&a);
}

Test(alert_validate, first_bad_label_in_name_order)
{
    struct alert a = test_alert(T0, T0, T0, "b", "\xff", "a-b", "x", NULL);
    cr_assert_str_eq(test_validate(&a), "invalid label set: invalid name \"a-b\"");
    alert_free(&a);
}

Test(alert_validate, no_labels)
{
    struct alert a = test_alert(T0, T0, T0, NULL);
    labelset_set(&a.annotations, "0bad", "x");
    cr_assert_str_eq(test_validate(&a), "at least one label pair required");
    alert_free(&a);
}

Test(alert_validate, label_checks_come_before_annotation_checks)
{
    struct alert a = test_alert(T0, T0, T0, "0x", "y", NULL);
    labelset_set(&a.annotations, "0bad", "x");
    cr_assert_str_eq(test_validate(&a), "invalid label set: invalid name \"0x\"");
    alert_free(&a);
}

Test(alert_validate, invalid_annotation_name)
{
    struct alert a = test_alert(T0, T0, T0, "alertname", "A", NULL);
    labelset_set(&a.annotations, "0bad", "x");
    cr_assert_str_eq(test_validate(&a), "invalid annotations: invalid name \"0bad\"");
    alert_free(&a);
}

Test(alert_validate, invalid_annotation_value)
{
    struct alert a = test_alert(T0, T0, T0, "alertname", "A", NULL);
    labelset_set(&a.annotations, "summary", "\xc3");
    cr_assert_str_eq(test_validate(&a), "invalid annotations: invalid value \"\\xc3\"");
    alert_free(&a);
}

Test(alert, resolved_means_ends_at_not_after_now)
{
    struct alert a = test_alert(T0 - MIN, T0, T0, "alertname", "A", NULL);
    cr_assert(alert_resolved(&a, T0));
    cr_assert(alert_resolved(&a, T0 + 1));
    cr_assert_not(alert_resolved(&a, T0 - 1));
    a.ends_at = TIME_ZERO;
    cr_assert_not(alert_resolved(&a, T0));
    alert_free(&a);
}

Test(alert, init_leaves_everything_unset)
{
    struct alert a;
    alert_init(&a);
    cr_assert_str_eq(a.generator_url, "");
    cr_assert_eq(a.starts_at, TIME_ZERO);
    cr_assert_eq(a.ends_at, TIME_ZERO);
    cr_assert_eq(a.updated_at, TIME_ZERO);
    cr_assert_not(a.timeout);
    alert_free(&a);
}

Test(alert, copy_is_deep)
{
    struct alert a = test_alert(T0, T0 + MIN, T0, "alertname", "A", NULL);
    labelset_set(&a.annotations, "summary", "s");
    free(a.generator_url);
    a.generator_url = xstrdup("http://x/");
    a.timeout = true;
    struct alert b;
    alert_copy(&b, &a);
    alert_free(&a);
    cr_assert_str_eq(labelset_get(&b.labels, "alertname"), "A");
    cr_assert_str_eq(labelset_get(&b.annotations, "summary"), "s");
    cr_assert_str_eq(b.generator_url, "http://x/");
    cr_assert_eq(b.starts_at, T0);
    cr_assert(b.timeout);
    cr_assert_eq(b.fingerprint, labelset_fingerprint(&b.labels));
    alert_free(&b);
}
