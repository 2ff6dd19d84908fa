/*
 * test_mutes.c: which silences mute a label set, and that the equality
 * index keeps the candidates examined small with many silences.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
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

TestSuite(silences_mutes, .init = setup, .fini = teardown);

static size_t mutes(const char *labels, int64_t now, const char **first)
{
    struct labelset ls;
    labels_build(&ls, labels);
    size_t n;
    const char **ids = silences_mutes(st, &ls, now, &n);
    static char keep[37];
    if (first && n > 0) {
        snprintf(keep, sizeof keep, "%s", ids[0]);
        *first = keep;
    }
    free(ids);
    labelset_free(&ls);
    return n;
}

Test(silences_mutes, active_matching_silence_mutes)
{
    const char *got = NULL;
    char id[37];
    strcpy(id, sil_create(st, "alertname=Foo,job=~api.*", T0, T0 + HOUR, T0));
    cr_assert_eq(mutes("alertname=Foo,job=api-1", T0, &got), 1);
    cr_assert_str_eq(got, id);
    cr_assert_eq(mutes("alertname=Foo,job=web", T0, NULL), 0);
    cr_assert_eq(mutes("alertname=Bar,job=api", T0, NULL), 0);
}

Test(silences_mutes, pending_and_expired_do_not_mute)
{
    char id[37];
    sil_create(st, "a=pending", T0 + HOUR, T0 + 2 * HOUR, T0);
    strcpy(id, sil_create(st, "a=expired", T0, T0 + HOUR, T0));
    silences_expire(st, id, T0 + MIN);
    cr_assert_eq(mutes("a=pending", T0, NULL), 0);
    cr_assert_eq(mutes("a=pending", T0 + HOUR, NULL), 1, "mutes once it starts");
    cr_assert_eq(mutes("a=expired", T0 + MIN, NULL), 1, "still active at its end instant");
    cr_assert_eq(mutes("a=expired", T0 + MIN + 1, NULL), 0);
}

Test(silences_mutes, absent_label_is_empty)
{
    sil_create(st, "a=x,b=", T0, T0 + HOUR, T0);
    cr_assert_eq(mutes("a=x", T0, NULL), 1);
    cr_assert_eq(mutes("a=x,b=y", T0, NULL), 0);
}

Test(silences_mutes, regex_only_and_negative_silences_are_found)
{
    sil_create(st, "job=~api.*", T0, T0 + HOUR, T0);
    sil_create(st, "env!=prod", T0, T0 + HOUR, T0);
    sil_create(st, "team!~ops|sre", T0, T0 + HOUR, T0);
    cr_assert_eq(mutes("job=api", T0, NULL), 3);
    cr_assert_eq(mutes("job=api,env=prod,team=ops", T0, NULL), 1);
    cr_assert_eq(mutes("job=web,env=prod,team=sre", T0, NULL), 0);
}

Test(silences_mutes, ids_are_sorted)
{
    for (int i = 0; i < 20; i++)
        sil_create(st, i % 2 ? "a=x" : "a=~x", T0, T0 + HOUR, T0);
    struct labelset ls;
    labels_build(&ls, "a=x");
    size_t n;
    const char **ids = silences_mutes(st, &ls, T0, &n);
    cr_assert_eq(n, 20);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(strcmp(ids[i - 1], ids[i]), 0);
    free(ids);
    labelset_free(&ls);
}

Test(silences_mutes, nothing_returns_null)
{
    struct labelset ls;
    labels_build(&ls, "a=x");
    size_t n = 99;
    const char **ids = silences_mutes(st, &ls, T0, &n);
    cr_assert_eq(n, 0);
    cr_assert_null(ids);
    labelset_free(&ls);
}

Test(silences_mutes, follows_in_place_updates_and_recreation)
{
    char id[37], out[37], *err = NULL;
    strcpy(id, sil_create(st, "a=1", T0, T0 + HOUR, T0));
    cr_assert_eq(sil_update(st, id, "a=2", T0, T0 + HOUR, T0 + MIN, out, &err), SILENCES_OK);
    cr_assert_eq(mutes("a=1", T0 + MIN + 1, NULL), 0);
    const char *got = NULL;
    cr_assert_eq(mutes("a=2", T0 + MIN + 1, &got), 1);
    cr_assert_str_eq(got, out);
}

Test(silences_mutes, index_keeps_candidates_few_among_10000)
{
    char spec[64];
    for (int i = 0; i < 10000; i++) {
        snprintf(spec, sizeof spec, "cluster=prod,alertname=A%d,instance=~.*", i);
        sil_create(st, spec, T0, T0 + HOUR, T0);
    }
    sil_create(st, "job=~api.*", T0, T0 + HOUR, T0);
    sil_create(st, "cluster=prod,alertname=A42", T0, T0 + HOUR, T0);
    struct labelset ls;
    labels_build(&ls, "cluster=prod,alertname=A42,instance=h1,job=api");
    size_t n, examined;
    const char **ids = silences_mutes_counted(st, &ls, T0, &n, &examined);
    cr_assert_eq(n, 3);
    /* A42's two silences, the one filed under cluster=prod before the
     * alertname buckets existed, and the scan list's one regex silence. */
    cr_assert_leq(examined, 5, "examined %zu of 10002", examined);
    free(ids);
    labelset_free(&ls);
}
