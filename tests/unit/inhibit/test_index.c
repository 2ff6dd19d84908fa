/*
 * Unit tests for the `equal` index: with 10 000 cached sources a lookup
 * examines only the sources that share the target's equal values, and gc
 * keeps the index consistent.  Counts, not timings, are asserted.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define N_SOURCES 10000

static struct config *cfg;
static struct inhibitor *ih;

static void teardown(void)
{
    inhibitor_free(ih);
    config_free(cfg);
}

TestSuite(index, .fini = teardown);

/* Sources critical{instance=i}, ending at T0 + i seconds when `ending`. */
static void observe_many(bool ending)
{
    for (int i = 0; i < N_SOURCES; i++) {
        char inst[16];
        snprintf(inst, sizeof inst, "%d", i);
        struct alert a = talert(ending ? T0 + i * SEC : TIME_ZERO, "alertname", "Down",
                                "severity", "critical", "instance", inst, NULL);
        inhibitor_observe(ih, &a);
        alert_free(&a);
    }
}

static bool mutes_instance(const char *inst, int64_t now, uint64_t *fp, size_t *examined)
{
    struct labelset t = tlabels("alertname", "Down", "severity", "warning", "instance", inst,
                                NULL);
    *examined = 0;
    bool muted = inhibitor_mutes_count(ih, &t, now, fp, examined);
    labelset_free(&t);
    return muted;
}

static uint64_t fp_of_source(const char *inst)
{
    struct labelset ls = tlabels("alertname", "Down", "severity", "critical", "instance", inst,
                                 NULL);
    uint64_t fp = labelset_fingerprint(&ls);
    labelset_free(&ls);
    return fp;
}

static void start(const char *equal)
{
    char *rules = xasprintf("- source_matchers: ['severity=\"critical\"']\n"
                            "  target_matchers: ['severity=\"warning\"']\n"
                            "  equal: %s\n",
                            equal);
    cfg = tconfig(rules);
    free(rules);
    ih = inhibitor_new(cfg);
}

Test(index, lookup_examines_only_sources_with_the_same_equal_values)
{
    start("[alertname, instance]");
    observe_many(false);
    cr_assert_eq(inhibitor_source_count(ih), N_SOURCES);
    uint64_t fp = 0;
    size_t examined;
    cr_expect(mutes_instance("5000", T0, &fp, &examined));
    cr_expect_eq(fp, fp_of_source("5000"));
    cr_expect_eq(examined, 1);
    cr_expect_not(mutes_instance("nope", T0, &fp, &examined));
    cr_expect_eq(examined, 0);
}

Test(index, candidates_sharing_equal_values_are_all_examined)
{
    start("[alertname]");
    observe_many(true);
    uint64_t fp = 0;
    size_t examined;
    /* Every source shares alertname.  At T0 + 9998s all but the last one
     * are resolved (9998 ends exactly then), so all are examined in turn. */
    cr_expect(mutes_instance("x", T0 + 9998 * SEC, &fp, &examined));
    cr_expect_eq(fp, fp_of_source("9999"));
    cr_expect_eq(examined, N_SOURCES);
}

Test(index, gc_of_many_sources_keeps_the_index_consistent)
{
    start("[instance]");
    observe_many(true);
    cr_expect_eq(inhibitor_gc(ih, T0 + (N_SOURCES / 2) * SEC), N_SOURCES / 2 + 1);
    cr_expect_eq(inhibitor_source_count(ih), N_SOURCES / 2 - 1);
    uint64_t fp = 0;
    size_t examined;
    cr_expect_not(mutes_instance("10", T0, &fp, &examined));
    cr_expect_eq(examined, 0, "the bucket of a collected source is gone");
    cr_expect(mutes_instance("7000", T0, &fp, &examined));
    cr_expect_eq(fp, fp_of_source("7000"));
    cr_expect_eq(examined, 1);
    /* Re-posting everything refills the index without duplicates. */
    observe_many(false);
    cr_expect_eq(inhibitor_source_count(ih), N_SOURCES);
    cr_expect(mutes_instance("10", T0 + N_SOURCES * SEC, &fp, &examined));
    cr_expect_eq(examined, 1);
    cr_expect_eq(inhibitor_gc(ih, T0 + N_SOURCES * SEC), 0);
}
