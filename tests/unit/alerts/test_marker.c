/*
 * Unit tests for the status markers: unprocessed until a decision, sorted
 * silence ids, suppressed while either list is non-empty, and the per-state
 * counts that skip resolved alerts.
 */
#include "helpers.h"

#include <criterion/criterion.h>

static struct alert_store *store;

static void setup(void)
{
    store = alert_store_new();
}

static void teardown(void)
{
    alert_store_free(store);
}

TestSuite(marker, .init = setup, .fini = teardown);

Test(marker, state_names)
{
    cr_assert_str_eq(alert_state_name(ALERT_UNPROCESSED), "unprocessed");
    cr_assert_str_eq(alert_state_name(ALERT_ACTIVE), "active");
    cr_assert_str_eq(alert_state_name(ALERT_SUPPRESSED), "suppressed");
}

Test(marker, unknown_fingerprint_has_no_status)
{
    cr_assert_null(alert_store_status(store, 42));
}

Test(marker, silenced_ids_are_copied_and_sorted)
{
    char a[] = "zz", b[] = "aa", c[] = "mm";
    char *ids[] = {a, b, c};
    alert_store_set_silenced(store, 7, ids, 3);
    a[0] = 'X';
    const struct alert_status *st = alert_store_status(store, 7);
    cr_assert_eq(st->state, ALERT_SUPPRESSED);
    cr_assert_eq(st->n_silenced, 3);
    cr_assert_str_eq(st->silenced_by[0], "aa");
    cr_assert_str_eq(st->silenced_by[1], "mm");
    cr_assert_str_eq(st->silenced_by[2], "zz");
    cr_assert_eq(st->n_inhibited, 0);
}

Test(marker, empty_decision_makes_active)
{
    alert_store_set_silenced(store, 7, NULL, 0);
    cr_assert_eq(alert_store_status(store, 7)->state, ALERT_ACTIVE);
    cr_assert_eq(alert_store_status(store, 8), NULL);
    alert_store_set_inhibited(store, 8, NULL, 0);
    cr_assert_eq(alert_store_status(store, 8)->state, ALERT_ACTIVE);
}

Test(marker, suppressed_while_either_list_is_non_empty)
{
    char *ids[] = {"s"};
    uint64_t src[] = {UINT64_C(0x98b2f4ceb080ab7b), 3};
    alert_store_set_inhibited(store, 7, src, 2);
    const struct alert_status *st = alert_store_status(store, 7);
    cr_assert_eq(st->state, ALERT_SUPPRESSED);
    cr_assert_eq(st->n_inhibited, 2);
    cr_assert_eq(st->inhibited_by[0], src[0]);
    alert_store_set_silenced(store, 7, ids, 1);
    alert_store_set_inhibited(store, 7, NULL, 0);
    cr_assert_eq(st->state, ALERT_SUPPRESSED);
    cr_assert_eq(st->n_silenced, 1);
    alert_store_set_silenced(store, 7, NULL, 0);
    cr_assert_eq(st->state, ALERT_ACTIVE);
    cr_assert_eq(st->n_silenced, 0);
    cr_assert_eq(st->n_inhibited, 0);
}

Test(marker, counts_skip_resolved_alerts)
{
    const char *names[] = {"unmarked", "active", "silenced", "inhibited", "resolved"};
    uint64_t fp[5];
    for (size_t i = 0; i < 5; i++) {
        struct alert a = test_alert(T0 - MIN, i == 4 ? T0 - 1 : T0 + MIN, T0, "alertname",
                                    names[i], NULL);
        fp[i] = alert_store_put(store, &a)->fingerprint;
    }
    char *ids[] = {"s"};
    uint64_t src = fp[1];
    alert_store_set_silenced(store, fp[1], NULL, 0);
    alert_store_set_silenced(store, fp[2], ids, 1);
    alert_store_set_inhibited(store, fp[3], &src, 1);
    alert_store_set_silenced(store, fp[4], ids, 1);
    alert_store_set_silenced(store, 12345, ids, 1); /* no such alert */
    size_t counts[3];
    alert_store_count_states(store, T0, counts);
    cr_assert_eq(counts[ALERT_UNPROCESSED], 1);
    cr_assert_eq(counts[ALERT_ACTIVE], 1);
    cr_assert_eq(counts[ALERT_SUPPRESSED], 2);
}
