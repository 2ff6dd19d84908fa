/*
 * Unit tests for the alert store: insertion, the overlap test that decides
 * between merge and replace, every branch of 0.25's Merge (younger wins,
 * earliest start, endsAt with timeout and resolution), listing in
 * fingerprint order, GC, and 100k alerts.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static struct alert_store *store;

static void setup(void)
{
    store = alert_store_new();
}

static void teardown(void)
{
    alert_store_free(store);
}

TestSuite(store, .init = setup, .fini = teardown);

/* Puts an alert named A with one annotation saying where it came from. */
static const struct alert *put(int64_t starts, int64_t ends, int64_t updated, bool timeout,
                               const char *tag)
{
    struct alert a = test_alert(starts, ends, updated, "alertname", "A", NULL);
    a.timeout = timeout;
    labelset_set(&a.annotations, "tag", tag);
    const struct alert *s = alert_store_put(store, &a);
    alert_free(&a);
    return s;
}

static const char *tag(const struct alert *a)
{
    return labelset_get(&a->annotations, "tag");
}

Test(store, put_new_alert)
{
    struct alert a = test_alert(T0, T0 + MIN, T0, "alertname", "A", NULL);
    uint64_t fp = labelset_fingerprint(&a.labels);
    a.fingerprint = 0;
    const struct alert *s = alert_store_put(store, &a);
    cr_assert_eq(a.labels.len, 0);
    cr_assert_null(a.generator_url);
    cr_assert_eq(s->fingerprint, fp);
    cr_assert_eq(alert_store_get(store, fp), s);
    cr_assert_eq(alert_store_count(store), 1);
    cr_assert_str_eq(s->generator_url, "");
    cr_assert_null(alert_store_get(store, fp + 1));
}

Test(store, resend_with_same_start_and_later_end_replaces)
{
    put(T0, T0 + 5 * MIN, T0, true, "old");
    const struct alert *s = put(T0, T0 + 10 * MIN, T0 + MIN, true, "new");
    cr_assert_str_eq(tag(s), "new");
    cr_assert_eq(s->starts_at, T0);
    cr_assert_eq(s->ends_at, T0 + 10 * MIN);
    cr_assert_eq(alert_store_count(store), 1);
}

Test(store, new_episode_after_resolution_replaces)
{
    put(T0 - 10 * MIN, T0 - 5 * MIN, T0 - 5 * MIN, false, "old");
    const struct alert *s = put(T0, T0 + 5 * MIN, T0, true, "new");
    cr_assert_eq(s->starts_at, T0);
    cr_assert_eq(s->ends_at, T0 + 5 * MIN);
    cr_assert(s->timeout);
}

Test(store, range_ending_exactly_at_old_end_does_not_overlap)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0 - MIN, false, "old");
    const struct alert *s = put(T0 - 10 * MIN, T0 + 10 * MIN, T0, true, "new");
    cr_assert_eq(s->ends_at, T0 + 10 * MIN);
    cr_assert(s->timeout, "replaced, not merged: the new flag stays");
}

Test(store, overlap_keeps_earliest_start_and_explicit_later_end)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0 - 10 * MIN, false, "old");
    const struct alert *s = put(T0 - 5 * MIN, T0 + 5 * MIN, T0, true, "new");
    cr_assert_str_eq(tag(s), "new");
    cr_assert_eq(s->starts_at, T0 - 10 * MIN);
    cr_assert_eq(s->ends_at, T0 + 10 * MIN);
    cr_assert_eq(s->updated_at, T0);
    cr_assert(s->timeout, "the younger alert's flag is kept");
}

Test(store, overlap_ignores_older_timeout_end)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0 - 10 * MIN, true, "old");
    const struct alert *s = put(T0 - 5 * MIN, T0 + 5 * MIN, T0, false, "new");
    cr_assert_eq(s->starts_at, T0 - 10 * MIN);
    cr_assert_eq(s->ends_at, T0 + 5 * MIN);
}

Test(store, overlap_keeps_younger_end_when_it_is_later)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0 - 10 * MIN, false, "old");
    const struct alert *s = put(T0 - 5 * MIN, T0 + 20 * MIN, T0, false, "new");
    cr_assert_eq(s->ends_at, T0 + 20 * MIN);
}

Test(store, explicit_resolve_wins_over_firing_old)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0 - 10 * MIN, false, "old");
    const struct alert *s = put(T0 - 5 * MIN, T0 - MIN, T0, false, "new");
    cr_assert_eq(s->starts_at, T0 - 10 * MIN);
    cr_assert_eq(s->ends_at, T0 - MIN);
    cr_assert(alert_resolved(s, T0));
}

Test(store, both_resolved_latest_resolve_wins)
{
    put(T0 - 10 * MIN, T0 - 2 * MIN, T0 - MIN, false, "old");
    const struct alert *s = put(T0 - 8 * MIN, T0 - 5 * MIN, T0, false, "new");
    cr_assert_str_eq(tag(s), "new");
    cr_assert_eq(s->starts_at, T0 - 10 * MIN);
    cr_assert_eq(s->ends_at, T0 - 2 * MIN);
}

Test(store, older_post_merges_into_younger_stored_alert)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0, false, "stored");
    const struct alert *s = put(T0 - 12 * MIN, T0 + 5 * MIN, T0 - MIN, false, "late");
    cr_assert_str_eq(tag(s), "stored");
    cr_assert_eq(s->updated_at, T0);
    cr_assert_eq(s->starts_at, T0 - 12 * MIN);
    cr_assert_eq(s->ends_at, T0 + 10 * MIN);
}

Test(store, equal_updated_at_lets_the_new_alert_win)
{
    put(T0 - 10 * MIN, T0 + 10 * MIN, T0, false, "old");
    const struct alert *s = put(T0 - 5 * MIN, T0 + 5 * MIN, T0, true, "new");
    cr_assert_str_eq(tag(s), "new");
    cr_assert_eq(s->ends_at, T0 + 10 * MIN);
}

Test(store, list_is_in_fingerprint_order_and_includes_resolved)
{
    const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        struct alert a = test_alert(T0 - MIN, i % 2 ? T0 - 1 : T0 + MIN, T0, "alertname",
                                    names[i], NULL);
        alert_store_put(store, &a);
    }
    size_t n;
    const struct alert **l = alert_store_list(store, &n);
    cr_assert_eq(n, ARRAY_SIZE(names));
    for (size_t i = 1; i < n; i++) {
        char x[17], y[17];
        fingerprint_format(l[i - 1]->fingerprint, x);
        fingerprint_format(l[i]->fingerprint, y);
        cr_assert_lt(strcmp(x, y), 0);
    }
    free(l);
}

Test(store, list_of_empty_store)
{
    size_t n = 99;
    const struct alert **l = alert_store_list(store, &n);
    cr_assert_eq(n, 0);
    free(l);
}

Test(store, gc_removes_resolved_alerts_and_their_markers)
{
    struct alert a = test_alert(T0 - MIN, T0 - 1, T0, "alertname", "gone", NULL);
    struct alert b = test_alert(T0 - MIN, T0, T0, "alertname", "edge", NULL);
    struct alert c = test_alert(T0 - MIN, T0 + 1, T0, "alertname", "kept", NULL);
    uint64_t fa = alert_store_put(store, &a)->fingerprint;
    uint64_t fb = alert_store_put(store, &b)->fingerprint;
    uint64_t fc = alert_store_put(store, &c)->fingerprint;
    char *ids[] = {"s1"};
    alert_store_set_silenced(store, fa, ids, 1);
    alert_store_set_silenced(store, fc, ids, 1);
    cr_assert_eq(alert_store_gc(store, T0), 2);
    cr_assert_eq(alert_store_count(store), 1);
    cr_assert_null(alert_store_get(store, fa));
    cr_assert_null(alert_store_get(store, fb));
    cr_assert_not_null(alert_store_get(store, fc));
    cr_assert_null(alert_store_status(store, fa));
    cr_assert_not_null(alert_store_status(store, fc));
    cr_assert_eq(alert_store_gc(store, T0), 0);
}

static void put_many(size_t n, int64_t ends)
{
    char v[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(v, sizeof v, "host-%zu", i);
        struct alert a = test_alert(T0, ends, T0, "alertname", "Load", "instance", v, NULL);
        alert_store_put(store, &a);
    }
}

Test(store, hundred_thousand_alerts, .timeout = 60)
{
    const size_t n = 100000;
    put_many(n, T0 + 5 * MIN);
    cr_assert_eq(alert_store_count(store), n);
    put_many(n, T0 + 10 * MIN);
    cr_assert_eq(alert_store_count(store), n);

    size_t got;
    const struct alert **l = alert_store_list(store, &got);
    cr_assert_eq(got, n);
    for (size_t i = 1; i < got; i++)
        cr_assert_lt(l[i - 1]->fingerprint, l[i]->fingerprint);
    cr_assert_eq(l[0]->ends_at, T0 + 10 * MIN);
    free(l);

    cr_assert_eq(alert_store_gc(store, T0 + 5 * MIN), 0);
    cr_assert_eq(alert_store_gc(store, T0 + 10 * MIN), n);
    cr_assert_eq(alert_store_count(store), 0);
    put_many(10, T0 + 5 * MIN);
    cr_assert_eq(alert_store_count(store), 10);
}
