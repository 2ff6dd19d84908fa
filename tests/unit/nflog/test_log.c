/*
 * test_log.c: logging, lookup by (group key, receiver), expiry and GC.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static struct nflog *l;

static void setup(void)
{
    l = nflog_new(RETENTION);
}

static void teardown(void)
{
    nflog_free(l);
}

TestSuite(nflog_log, .init = setup, .fini = teardown);

Test(nflog_log, query_finds_what_was_logged)
{
    cr_assert_null(nflog_query(l, "{}:{a=\"b\"}", &RCV_WEBHOOK0));
    log_simple(l, &RCV_WEBHOOK0, "{}:{a=\"b\"}", HASHES(1, 2), HASHES(3), T0);
    const struct nflog_entry *e = nflog_query(l, "{}:{a=\"b\"}", &RCV_WEBHOOK0);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->group_key, "{}:{a=\"b\"}");
    cr_assert_eq(e->group_key_len, 10);
    cr_assert_str_eq(e->receiver.group_name, "team");
    cr_assert_str_eq(e->receiver.integration, "webhook");
    cr_assert_eq(e->receiver.idx, 0);
    cr_assert_eq(e->timestamp, T0);
    cr_assert_eq(e->expires_at, T0 + RETENTION);
    cr_assert_eq(e->firing.len, 2);
    cr_assert_eq(e->firing.items[0], 1);
    cr_assert_eq(e->firing.items[1], 2);
    cr_assert_eq(e->resolved.len, 1);
    cr_assert_eq(e->resolved.items[0], 3);
    cr_assert_eq(nflog_count(l), 1);
}

Test(nflog_log, receiver_parts_and_group_key_all_distinguish)
{
    log_simple(l, &RCV_WEBHOOK0, "g1", HASHES(1), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK1, "g1", HASHES(2), NO_HASHES, T0);
    log_simple(l, &RCV_EMAIL0, "g1", HASHES(3), NO_HASHES, T0);
    struct nflog_receiver other = {"other", "webhook", 0};
    log_simple(l, &other, "g1", HASHES(4), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK0, "g2", HASHES(5), NO_HASHES, T0);
    cr_assert_eq(nflog_count(l), 5);
    cr_assert_eq(nflog_query(l, "g1", &RCV_WEBHOOK1)->firing.items[0], 2);
    cr_assert_eq(nflog_query(l, "g1", &RCV_EMAIL0)->firing.items[0], 3);
    cr_assert_eq(nflog_query(l, "g1", &other)->firing.items[0], 4);
    cr_assert_eq(nflog_query(l, "g2", &RCV_WEBHOOK0)->firing.items[0], 5);
    cr_assert_null(nflog_query(l, "g3", &RCV_WEBHOOK0));
}

Test(nflog_log, relogging_replaces_in_place)
{
    log_simple(l, &RCV_WEBHOOK0, "g1", HASHES(1), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK0, "g2", HASHES(2), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK0, "g1", NO_HASHES, HASHES(1), T0 + MIN);
    cr_assert_eq(nflog_count(l), 2);
    const struct nflog_entry *e = nflog_query(l, "g1", &RCV_WEBHOOK0);
    cr_assert_eq(e->timestamp, T0 + MIN);
    cr_assert_eq(e->firing.len, 0);
    cr_assert_eq(e->resolved.items[0], 1);
    /* g1 is still encoded first. */
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert(len > 8);
    cr_assert_eq(memcmp(out + 5, "g1", 2), 0);
    free(out);
}

Test(nflog_log, an_entry_from_the_future_is_kept)
{
    log_simple(l, &RCV_WEBHOOK0, "g", HASHES(1), NO_HASHES, T0 + HOUR);
    struct nflog_hashes f = HASHES(2), r = NO_HASHES;
    cr_assert_not(nflog_log(l, &RCV_WEBHOOK0, "g", &f, &r, T0, 0));
    cr_assert_eq(nflog_query(l, "g", &RCV_WEBHOOK0)->firing.items[0], 1);
    cr_assert(nflog_log(l, &RCV_WEBHOOK0, "g", &f, &r, T0 + HOUR, 0), "same time overwrites");
    cr_assert_eq(nflog_query(l, "g", &RCV_WEBHOOK0)->firing.items[0], 2);
}

Test(nflog_log, expiry_is_the_shorter_of_retention_and_the_given_one)
{
    struct nflog_hashes f = HASHES(1), r = NO_HASHES;
    nflog_log(l, &RCV_WEBHOOK0, "a", &f, &r, T0, 2 * HOUR);
    cr_assert_eq(nflog_query(l, "a", &RCV_WEBHOOK0)->expires_at, T0 + 2 * HOUR);
    nflog_log(l, &RCV_WEBHOOK0, "b", &f, &r, T0, 2 * RETENTION);
    cr_assert_eq(nflog_query(l, "b", &RCV_WEBHOOK0)->expires_at, T0 + RETENTION);
    nflog_log(l, &RCV_WEBHOOK0, "c", &f, &r, T0, 0);
    cr_assert_eq(nflog_query(l, "c", &RCV_WEBHOOK0)->expires_at, T0 + RETENTION);
    nflog_log(l, &RCV_WEBHOOK0, "d", &f, &r, T0, -HOUR);
    cr_assert_eq(nflog_query(l, "d", &RCV_WEBHOOK0)->expires_at, T0 + RETENTION);
}

Test(nflog_log, huge_retention_saturates)
{
    struct nflog *big = nflog_new(INT64_MAX);
    struct nflog_hashes f = HASHES(1), r = NO_HASHES;
    nflog_log(big, &RCV_WEBHOOK0, "a", &f, &r, T0, 0);
    cr_assert_eq(nflog_query(big, "a", &RCV_WEBHOOK0)->expires_at, INT64_MAX);
    nflog_free(big);
}

Test(nflog_log, gc_drops_expired_at_or_before_now)
{
    struct nflog_hashes f = HASHES(1), r = NO_HASHES;
    nflog_log(l, &RCV_WEBHOOK0, "a", &f, &r, T0, HOUR);
    nflog_log(l, &RCV_WEBHOOK0, "b", &f, &r, T0, 2 * HOUR);
    nflog_log(l, &RCV_WEBHOOK0, "c", &f, &r, T0, 3 * HOUR);
    cr_assert_eq(nflog_gc(l, T0 + HOUR - 1), 0);
    cr_assert_eq(nflog_gc(l, T0 + 2 * HOUR), 2, "expires_at == now goes");
    cr_assert_eq(nflog_count(l), 1);
    cr_assert_null(nflog_query(l, "a", &RCV_WEBHOOK0));
    cr_assert_null(nflog_query(l, "b", &RCV_WEBHOOK0));
    cr_assert_not_null(nflog_query(l, "c", &RCV_WEBHOOK0));
    log_simple(l, &RCV_WEBHOOK0, "a", HASHES(9), NO_HASHES, T0 + 3 * HOUR);
    cr_assert_eq(nflog_count(l), 2);
    cr_assert_eq(nflog_gc(l, INT64_MAX), 2);
    cr_assert_eq(nflog_count(l), 0);
}

Test(nflog_log, many_entries)
{
    char gk[32];
    struct nflog_hashes f = HASHES(1), r = NO_HASHES;
    for (int i = 0; i < 5000; i++) {
        snprintf(gk, sizeof gk, "g%d", i);
        nflog_log(l, &RCV_WEBHOOK0, gk, &f, &r, T0, i % 2 ? HOUR : 2 * HOUR);
    }
    cr_assert_eq(nflog_gc(l, T0 + HOUR), 2500);
    for (int i = 0; i < 5000; i++) {
        snprintf(gk, sizeof gk, "g%d", i);
        cr_assert_eq(nflog_query(l, gk, &RCV_WEBHOOK0) != NULL, i % 2 == 0);
    }
}
