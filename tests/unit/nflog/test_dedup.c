/*
 * test_dedup.c: nflog_needs_update, the dedup stage's five rules in 0.25's
 * order, and the alert hash they compare.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct nflog_entry entry_at(int64_t when, struct nflog_hashes firing,
                                   struct nflog_hashes resolved)
{
    struct nflog_entry e = {.group_key = "{}:{a=\"b\"}", .receiver = RCV_WEBHOOK0};
    e.group_key_len = strlen(e.group_key);
    e.timestamp = when;
    e.firing = firing;
    e.resolved = resolved;
    e.expires_at = when + RETENTION;
    return e;
}

static bool needs(const struct nflog_entry *e, struct nflog_hashes f, struct nflog_hashes r,
                  bool send_resolved, int64_t now)
{
    return nflog_needs_update(e, &f, &r, send_resolved, HOUR, now);
}

Test(nflog_dedup, rule1_no_entry_notifies_only_with_firing_alerts)
{
    cr_assert(needs(NULL, HASHES(1), NO_HASHES, true, T0));
    cr_assert_not(needs(NULL, NO_HASHES, HASHES(1), true, T0),
                  "a group seen first with only resolved alerts is never sent");
    cr_assert_not(needs(NULL, NO_HASHES, NO_HASHES, true, T0));
}

Test(nflog_dedup, rule2_new_firing_alert_notifies)
{
    struct nflog_entry e = entry_at(T0, HASHES(1, 2), NO_HASHES);
    cr_assert(needs(&e, HASHES(1, 3), NO_HASHES, false, T0 + SEC));
    cr_assert(needs(&e, HASHES(3), NO_HASHES, false, T0 + SEC));
}

Test(nflog_dedup, rule2_shrinking_firing_set_does_not_notify)
{
    struct nflog_entry e = entry_at(T0, HASHES(1, 2, 3), NO_HASHES);
    cr_assert_not(needs(&e, HASHES(2), NO_HASHES, true, T0 + SEC));
    cr_assert_not(needs(&e, HASHES(3, 1, 2), NO_HASHES, true, T0 + SEC), "order does not matter");
}

Test(nflog_dedup, rule3_all_resolved_notifies_iff_something_was_firing)
{
    struct nflog_entry was_firing = entry_at(T0, HASHES(1), NO_HASHES);
    cr_assert(needs(&was_firing, NO_HASHES, HASHES(1), false, T0 + SEC),
              "even with send_resolved off, so the log forgets the alerts");
    cr_assert(needs(&was_firing, NO_HASHES, HASHES(1), true, T0 + SEC));
    struct nflog_entry nothing = entry_at(T0, NO_HASHES, HASHES(1));
    cr_assert_not(needs(&nothing, NO_HASHES, HASHES(1, 2), true, T0 + 2 * HOUR),
                  "rule 3 decides before the repeat interval is looked at");
}

Test(nflog_dedup, rule4_new_resolved_alert_notifies_only_with_send_resolved)
{
    struct nflog_entry e = entry_at(T0, HASHES(1, 2), NO_HASHES);
    cr_assert(needs(&e, HASHES(1), HASHES(2), true, T0 + SEC));
    cr_assert_not(needs(&e, HASHES(1), HASHES(2), false, T0 + SEC));
    struct nflog_entry known = entry_at(T0, HASHES(1), HASHES(2));
    cr_assert_not(needs(&known, HASHES(1), HASHES(2), true, T0 + SEC));
}

Test(nflog_dedup, rule5_repeat_interval_strictly_passed)
{
    struct nflog_entry e = entry_at(T0, HASHES(1), NO_HASHES);
    cr_assert_not(needs(&e, HASHES(1), NO_HASHES, true, T0 + HOUR),
                  "timestamp == now - repeat is not before it");
    cr_assert(needs(&e, HASHES(1), NO_HASHES, true, T0 + HOUR + 1));
}

Test(nflog_dedup, extreme_times_saturate)
{
    struct nflog_entry e = entry_at(TIME_ZERO, HASHES(1), NO_HASHES);
    struct nflog_hashes f = HASHES(1), r = NO_HASHES;
    cr_assert_not(nflog_needs_update(&e, &f, &r, false, INT64_MAX, INT64_MIN + 5));
    cr_assert(nflog_needs_update(&e, &f, &r, false, INT64_MIN, INT64_MAX));
    e.timestamp = INT64_MAX;
    cr_assert_not(nflog_needs_update(&e, &f, &r, false, -HOUR, INT64_MAX - 1));
}

Test(nflog_dedup, large_sets)
{
    enum { N = 20000 };
    struct nflog_hashes big = {xmalloc(N * sizeof(uint64_t)), N};
    for (size_t i = 0; i < N; i++)
        big.items[i] = (uint64_t)i * 2654435761u;
    struct nflog_entry e = entry_at(T0, big, NO_HASHES);
    struct nflog_hashes none = NO_HASHES;
    cr_assert_not(nflog_needs_update(&e, &big, &none, true, HOUR, T0 + SEC));
    big.items[N - 1] = 1; /* not a multiple of the stride: new */
    struct nflog_entry e2 = entry_at(T0, HASHES(0), NO_HASHES);
    cr_assert(nflog_needs_update(&e2, &big, &none, true, HOUR, T0 + SEC));
    free(big.items);
}

/* ---- alert hash ---- */

Test(nflog_hash, empty_set_is_xxh64_of_nothing)
{
    struct labelset ls = LABELSET_INIT;
    cr_assert_eq(nflog_alert_hash(&ls), UINT64_C(0xef46db3751d8e999));
}

Test(nflog_hash, separators_and_order)
{
    struct labelset a, b, c;
    labels_build(&a, "alertname=Notify1");
    labels_build(&b, "job=x,alertname=Notify1");
    labels_build(&c, "alertname=Notify1,job=x");
    /* libxxhash one-shot XXH64("alertname\xffNotify1\xff", 0), outside chorus. */
    cr_assert_eq(nflog_alert_hash(&a), UINT64_C(0x97254c1b82066c55));
    cr_assert_eq(nflog_alert_hash(&b), nflog_alert_hash(&c), "labels go in name order");
    cr_assert_neq(nflog_alert_hash(&a), labelset_fingerprint(&a), "not the FNV fingerprint");
    struct labelset d, e;
    labels_build(&d, "a=bc");
    labels_build(&e, "ab=c");
    cr_assert_neq(nflog_alert_hash(&d), nflog_alert_hash(&e), "0xFF keeps name and value apart");
    labelset_free(&a);
    labelset_free(&b);
    labelset_free(&c);
    labelset_free(&d);
    labelset_free(&e);
}
