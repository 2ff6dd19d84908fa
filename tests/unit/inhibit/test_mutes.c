/*
 * Unit tests for the inhibitor's decisions: the observed critical/warning
 * case, `equal` with absent labels, resolution, the two-sided guard, rule
 * order, re-posts, gc and feeding from the store.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct config *cfg;
static struct inhibitor *ih;

static void start(const char *rules_yaml)
{
    cfg = tconfig(rules_yaml);
    ih = inhibitor_new(cfg);
}

static void teardown(void)
{
    inhibitor_free(ih);
    config_free(cfg);
    ih = NULL;
    cfg = NULL;
}

TestSuite(mutes, .fini = teardown);

static uint64_t observe_alert(struct alert a)
{
    inhibitor_observe(ih, &a);
    uint64_t fp = a.fingerprint;
    alert_free(&a);
    return fp;
}
#define OBSERVE(ends, ...) observe_alert(talert((ends), __VA_ARGS__, NULL))

/* The inhibiting fingerprint, or 0 when the target is not muted. */
static uint64_t muted_by(int64_t now, struct labelset ls)
{
    uint64_t fp = 0;
    bool muted = inhibitor_mutes(ih, &ls, now, &fp);
    labelset_free(&ls);
    cr_assert_eq(muted, fp != 0);
    return fp;
}
#define MUTED_BY(now, ...) muted_by((now), tlabels(__VA_ARGS__, NULL))

static const char *const observed_rule =
    "- source_matchers: ['severity=\"critical\"']\n"
    "  target_matchers: ['severity=\"warning\"']\n"
    "  equal: [alertname]\n";

Test(mutes, critical_mutes_warning_with_same_alertname)
{
    start(observed_rule);
    uint64_t crit = OBSERVE(TIME_ZERO, "alertname", "A", "severity", "critical");
    OBSERVE(TIME_ZERO, "alertname", "A", "severity", "warning");
    OBSERVE(TIME_ZERO, "alertname", "B", "severity", "warning");
    cr_expect_eq(inhibitor_source_count(ih), 1, "only the critical alert is a source");
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), crit);
    cr_expect_eq(MUTED_BY(T0, "alertname", "B", "severity", "warning"), 0);
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "critical"), 0);
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "info"), 0);
}

Test(mutes, source_fp_may_be_null)
{
    start(observed_rule);
    OBSERVE(TIME_ZERO, "alertname", "A", "severity", "critical");
    struct labelset t = tlabels("alertname", "A", "severity", "warning", NULL);
    cr_expect(inhibitor_mutes(ih, &t, T0, NULL));
    labelset_free(&t);
}

Test(mutes, no_rules_or_no_config_never_mutes)
{
    cfg = tconfig("  []\n");
    ih = inhibitor_new(cfg);
    OBSERVE(TIME_ZERO, "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "severity", "warning"), 0);
    inhibitor_free(ih);
    ih = inhibitor_new(NULL);
    OBSERVE(TIME_ZERO, "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "severity", "warning"), 0);
    cr_expect_eq(inhibitor_gc(ih, T0), 0);
}

static const char *const cluster_rule =
    "- source_matchers: ['severity=\"critical\"']\n"
    "  target_matchers: ['severity=\"warning\"']\n"
    "  equal: [cluster]\n";

Test(mutes, equal_label_absent_on_both_sides_is_equal)
{
    start(cluster_rule);
    uint64_t crit = OBSERVE(TIME_ZERO, "alertname", "A", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "alertname", "W", "severity", "warning"), crit);
    /* A present-but-empty value is the same as an absent one. */
    cr_expect_eq(MUTED_BY(T0, "cluster", "", "severity", "warning"), crit);
}

Test(mutes, equal_label_absent_on_target_only_differs)
{
    start(cluster_rule);
    OBSERVE(TIME_ZERO, "cluster", "eu", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "severity", "warning"), 0);
    cr_expect_neq(MUTED_BY(T0, "cluster", "eu", "severity", "warning"), 0);
    cr_expect_eq(MUTED_BY(T0, "cluster", "us", "severity", "warning"), 0);
}

Test(mutes, equal_label_absent_on_source_only_differs)
{
    start(cluster_rule);
    OBSERVE(TIME_ZERO, "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "cluster", "eu", "severity", "warning"), 0);
}

Test(mutes, every_equal_label_must_match)
{
    start("- source_matchers: ['severity=\"critical\"']\n"
          "  target_matchers: ['severity=\"warning\"']\n"
          "  equal: [x, y]\n");
    uint64_t crit = OBSERVE(TIME_ZERO, "severity", "critical", "x", "ab", "y", "c");
    cr_expect_eq(MUTED_BY(T0, "severity", "warning", "x", "ab", "y", "c"), crit);
    cr_expect_eq(MUTED_BY(T0, "severity", "warning", "x", "ab", "y", "d"), 0);
    /* Concatenations that agree must not be confused. */
    cr_expect_eq(MUTED_BY(T0, "severity", "warning", "x", "a", "y", "bc"), 0);
    cr_expect_eq(MUTED_BY(T0, "severity", "warning", "x", "ab"), 0);
}

Test(mutes, resolved_source_does_not_inhibit)
{
    start(observed_rule);
    OBSERVE(T0 - SEC, "alertname", "A", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), 0);
    uint64_t later = OBSERVE(T0 + MIN, "alertname", "B", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "alertname", "B", "severity", "warning"), later);
    cr_expect_eq(MUTED_BY(T0 + MIN - 1, "alertname", "B", "severity", "warning"), later);
    /* endsAt == now is resolved, as in Alert.ResolvedAt. */
    cr_expect_eq(MUTED_BY(T0 + MIN, "alertname", "B", "severity", "warning"), 0);
}

Test(mutes, resolved_source_is_skipped_for_a_firing_one)
{
    start(cluster_rule);
    OBSERVE(T0 - SEC, "alertname", "old", "severity", "critical");
    uint64_t firing = OBSERVE(TIME_ZERO, "alertname", "new", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "severity", "warning"), firing);
}

/* team=ops is the source side, severity=warning the target side. */
static const char *const two_sided_rule =
    "- source_matchers: ['team=\"ops\"']\n"
    "  target_matchers: ['severity=\"warning\"']\n";

Test(mutes, alert_matching_both_sides_does_not_inhibit_itself)
{
    start(two_sided_rule);
    OBSERVE(TIME_ZERO, "team", "ops", "severity", "warning");
    cr_expect_eq(inhibitor_source_count(ih), 1);
    cr_expect_eq(MUTED_BY(T0, "team", "ops", "severity", "warning"), 0);
}

Test(mutes, two_sided_alerts_do_not_inhibit_each_other)
{
    start(two_sided_rule);
    OBSERVE(TIME_ZERO, "team", "ops", "severity", "warning", "i", "1");
    OBSERVE(TIME_ZERO, "team", "ops", "severity", "warning", "i", "2");
    cr_expect_eq(MUTED_BY(T0, "team", "ops", "severity", "warning", "i", "1"), 0);
    cr_expect_eq(MUTED_BY(T0, "team", "ops", "severity", "warning", "i", "2"), 0);
}

Test(mutes, two_sided_alert_is_muted_by_a_source_only_alert)
{
    start(two_sided_rule);
    OBSERVE(TIME_ZERO, "team", "ops", "severity", "warning");
    uint64_t src = OBSERVE(TIME_ZERO, "team", "ops", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "team", "ops", "severity", "warning"), src);
}

/* The guard only applies when the target matches the source side: a plain
 * target is muted by a two-sided source. */
Test(mutes, two_sided_source_mutes_a_target_only_alert)
{
    start(two_sided_rule);
    uint64_t both = OBSERVE(TIME_ZERO, "team", "ops", "severity", "warning");
    cr_expect_eq(MUTED_BY(T0, "team", "dev", "severity", "warning"), both);
}

Test(mutes, first_rule_in_config_order_wins)
{
    start("- source_matchers: ['a=\"1\"']\n"
          "  target_matchers: ['t=\"1\"']\n"
          "- source_matchers: ['b=\"1\"']\n"
          "  target_matchers: ['t=\"1\"']\n"
          "- source_matchers: ['c=\"1\"']\n"
          "  target_matchers: ['t=\"2\"']\n");
    uint64_t b = OBSERVE(TIME_ZERO, "b", "1");
    uint64_t c = OBSERVE(TIME_ZERO, "c", "1");
    cr_expect_eq(MUTED_BY(T0, "t", "1"), b, "rule 1 has no source yet");
    uint64_t a = OBSERVE(T0 + MIN, "a", "1");
    cr_expect_eq(MUTED_BY(T0, "t", "1"), a);
    cr_expect_eq(MUTED_BY(T0 + MIN, "t", "1"), b, "rule 1's source resolved");
    cr_expect_eq(MUTED_BY(T0, "t", "2"), c);
    cr_expect_eq(MUTED_BY(T0, "t", "3"), 0);
}

Test(mutes, one_alert_can_be_source_of_several_rules)
{
    start("- source_matchers: ['severity=\"critical\"']\n"
          "  target_matchers: ['t=\"1\"']\n"
          "- source_match_re: {severity: 'crit.*'}\n"
          "  target_match: {t: '2'}\n");
    uint64_t crit = OBSERVE(T0 + MIN, "severity", "critical");
    cr_expect_eq(inhibitor_source_count(ih), 2);
    cr_expect_eq(MUTED_BY(T0, "t", "1"), crit);
    cr_expect_eq(MUTED_BY(T0, "t", "2"), crit);
    cr_expect_eq(inhibitor_gc(ih, T0 + MIN), 2, "one entry per rule");
    cr_expect_eq(inhibitor_source_count(ih), 0);
}

Test(mutes, repost_replaces_the_cached_source)
{
    start(observed_rule);
    uint64_t crit = OBSERVE(TIME_ZERO, "alertname", "A", "severity", "critical");
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), crit);
    cr_expect_eq(OBSERVE(T0 - SEC, "alertname", "A", "severity", "critical"), crit);
    cr_expect_eq(inhibitor_source_count(ih), 1);
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), 0, "now resolved");
    OBSERVE(T0 + MIN, "alertname", "A", "severity", "critical");
    cr_expect_eq(inhibitor_source_count(ih), 1);
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), crit, "firing again");
}

Test(mutes, gc_drops_only_resolved_sources)
{
    start(cluster_rule);
    OBSERVE(T0 - SEC, "alertname", "gone", "severity", "critical");
    OBSERVE(T0 + MIN, "alertname", "soon", "severity", "critical", "cluster", "eu");
    uint64_t stays = OBSERVE(TIME_ZERO, "alertname", "stays", "severity", "critical");
    cr_expect_eq(inhibitor_gc(ih, T0), 1);
    cr_expect_eq(inhibitor_source_count(ih), 2);
    cr_expect_eq(MUTED_BY(T0, "severity", "warning"), stays);
    cr_expect_neq(MUTED_BY(T0, "cluster", "eu", "severity", "warning"), 0);
    cr_expect_eq(inhibitor_gc(ih, T0 + MIN), 1);
    cr_expect_eq(MUTED_BY(T0, "cluster", "eu", "severity", "warning"), 0);
    cr_expect_eq(inhibitor_gc(ih, T0 + MIN), 0);
    /* The emptied bucket comes back when a source with its values does. */
    uint64_t back = OBSERVE(TIME_ZERO, "alertname", "back", "severity", "critical",
                            "cluster", "eu");
    cr_expect_eq(MUTED_BY(T0, "cluster", "eu", "severity", "warning"), back);
}

Test(mutes, observe_store_feeds_every_stored_alert)
{
    start(observed_rule);
    struct alert_store *s = alert_store_new();
    struct alert a = talert(TIME_ZERO, "alertname", "A", "severity", "critical", NULL);
    a.updated_at = T0;
    uint64_t crit = a.fingerprint;
    alert_store_put(s, &a);
    alert_free(&a);
    a = talert(TIME_ZERO, "alertname", "A", "severity", "warning", NULL);
    alert_store_put(s, &a);
    alert_free(&a);
    inhibitor_observe_store(ih, s);
    cr_expect_eq(inhibitor_source_count(ih), 1);
    cr_expect_eq(MUTED_BY(T0, "alertname", "A", "severity", "warning"), crit);
    alert_store_free(s);
}
