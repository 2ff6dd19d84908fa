/*
 * test_query.c: GET /silences filtering and order, state counts and
 * retention GC.
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

TestSuite(silences_query, .init = setup, .fini = teardown);

static void filter_build(struct matchers *f, const char *spec)
{
    struct silence tmp;
    sil_build(&tmp, spec, 0, 0);
    *f = tmp.matchers;
    tmp.matchers = (struct matchers)MATCHERS_INIT;
    silence_free(&tmp);
}

static size_t query_count(const char *spec)
{
    struct matchers f;
    filter_build(&f, spec);
    size_t n;
    const struct silence **r = silences_query(st, &f, T0, &n);
    free(r);
    matchers_free(&f);
    return n;
}

Test(silences_query, filter_is_textual_matcher_equality)
{
    sil_create(st, "alertname=Foo,job=~api.*", T0, T0 + HOUR, T0);
    sil_create(st, "alertname=Foo", T0, T0 + HOUR, T0);
    sil_create(st, "alertname=Bar,job=api", T0, T0 + HOUR, T0);
    cr_assert_eq(query_count("alertname=Foo"), 2);
    cr_assert_eq(query_count("job=~api.*"), 1);
    cr_assert_eq(query_count("job=api"), 1, "the regex job=~api.* is not job=api");
    cr_assert_eq(query_count("alertname=Foo,job=~api.*"), 1);
    cr_assert_eq(query_count("alertname!=Foo"), 0, "type must match too");
    cr_assert_eq(query_count("alertname=Fo"), 0, "no label matching, only equality");
}

Test(silences_query, no_filter_returns_all)
{
    sil_create(st, "a=1", T0, T0 + HOUR, T0);
    sil_create(st, "a=2", T0, T0 + HOUR, T0);
    size_t n;
    const struct silence **r = silences_query(st, NULL, T0, &n);
    cr_assert_eq(n, 2);
    free(r);
    struct matchers empty = MATCHERS_INIT;
    r = silences_query(st, &empty, T0, &n);
    cr_assert_eq(n, 2);
    free(r);
}

Test(silences_query, order_active_pending_expired)
{
    char ids[6][37];
    int64_t now = T0 + 10 * MIN;
    strcpy(ids[0], sil_create(st, "o=expired_early", T0, T0 + HOUR, T0));
    strcpy(ids[1], sil_create(st, "o=active_late", T0, T0 + 3 * HOUR, T0));
    strcpy(ids[2], sil_create(st, "o=pending_late", T0 + 2 * HOUR, T0 + 3 * HOUR, T0));
    strcpy(ids[3], sil_create(st, "o=active_early", T0, T0 + 2 * HOUR, T0));
    strcpy(ids[4], sil_create(st, "o=pending_early", T0 + HOUR, T0 + 3 * HOUR, T0));
    strcpy(ids[5], sil_create(st, "o=expired_late", T0, T0 + HOUR, T0));
    silences_expire(st, ids[0], T0 + MIN);
    silences_expire(st, ids[5], T0 + 2 * MIN);
    size_t n;
    const struct silence **r = silences_query(st, NULL, now, &n);
    cr_assert_eq(n, 6);
    const char *want[] = {"active_early", "active_late", "pending_early",
                          "pending_late", "expired_late", "expired_early"};
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(r[i]->matchers.items[0].value, want[i], "position %zu", i);
    free(r);
}

Test(silences_query, ties_break_by_id)
{
    for (int i = 0; i < 5; i++)
        sil_create(st, "a=b", T0, T0 + HOUR, T0);
    size_t n;
    const struct silence **r = silences_query(st, NULL, T0, &n);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(strcmp(r[i - 1]->id, r[i]->id), 0);
    free(r);
}

Test(silences_query, count_states)
{
    char id[37];
    sil_create(st, "a=1", T0, T0 + HOUR, T0);
    sil_create(st, "a=2", T0 + HOUR, T0 + 2 * HOUR, T0);
    sil_create(st, "a=3", T0 + HOUR, T0 + 2 * HOUR, T0);
    strcpy(id, sil_create(st, "a=4", T0, T0 + HOUR, T0));
    silences_expire(st, id, T0);
    size_t c[3];
    silences_count_states(st, T0 + 1, c);
    cr_assert_eq(c[SILENCE_ACTIVE], 1);
    cr_assert_eq(c[SILENCE_PENDING], 2);
    cr_assert_eq(c[SILENCE_EXPIRED], 1);
}

TestSuite(silences_gc, .init = setup, .fini = teardown);

Test(silences_gc, drops_after_end_plus_retention)
{
    char a[37], b[37];
    strcpy(a, sil_create(st, "a=1", T0, T0 + HOUR, T0));
    strcpy(b, sil_create(st, "a=2", T0, T0 + 2 * HOUR, T0));
    cr_assert_eq(silences_gc(st, T0 + HOUR + RETENTION - 1), 0);
    cr_assert_eq(silences_gc(st, T0 + HOUR + RETENTION), 1, "expires_at <= now is collected");
    cr_assert_null(silences_get(st, a));
    cr_assert_not_null(silences_get(st, b));
    cr_assert_eq(silences_count(st), 1);
    cr_assert_eq(silences_gc(st, T0 + 2 * HOUR + RETENTION), 1);
    cr_assert_eq(silences_count(st), 0);
}

Test(silences_gc, expiring_moves_the_retention_window)
{
    char a[37];
    strcpy(a, sil_create(st, "a=1", T0, T0 + 10 * HOUR, T0));
    silences_expire(st, a, T0 + MIN);
    cr_assert_eq(silences_gc(st, T0 + MIN + RETENTION), 1);
}

Test(silences_gc, keeps_index_consistent)
{
    char a[37];
    strcpy(a, sil_create(st, "x=1", T0, T0 + HOUR, T0));
    sil_create(st, "x=1", T0, T0 + 2 * HOUR, T0);
    silences_gc(st, T0 + HOUR + RETENTION);
    struct labelset ls;
    labels_build(&ls, "x=1");
    size_t n;
    const char **ids = silences_mutes(st, &ls, T0 + 90 * MIN, &n);
    cr_assert_eq(n, 1);
    free(ids);
    labelset_free(&ls);
}
