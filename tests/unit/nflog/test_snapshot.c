/*
 * test_snapshot.c: snapshot files, starting with ones Alertmanager 0.25
 * wrote itself.
 *
 * alertmanager-0.25-nflog: one webhook notification for {alertname="Notify1"}
 * to receiver "null".  alertmanager-0.25-nflog-two-integrations: receiver
 * "hooks" with two webhook_configs (idx 0 send_resolved: true, idx 1 false),
 * repeat_interval 1h, group_by [alertname]; two alerts posted,
 *   {alertname="Fix",instance="host-1",job="api",sev="crit"} and
 *   {alertname="Fix",instance="host-2",job="api",zone="ü-1"},
 * then the second resolved, then SIGTERM.  Idx 1 was notified once with both
 * firing; idx 0 again with host-1 firing and host-2 resolved.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FIXTURE_ONE "snapshots/alertmanager-0.25-nflog"
#define FIXTURE_TWO "snapshots/alertmanager-0.25-nflog-two-integrations"

static struct nflog *l;

static void setup(void)
{
    l = nflog_new(RETENTION);
}

static void teardown(void)
{
    nflog_free(l);
}

TestSuite(nflog_snapshot, .init = setup, .fini = teardown);

static void load(const char *name, int want)
{
    char *path = xasprintf("%s/%s", CHORUS_TEST_FIXTURES, name);
    char *err = NULL;
    cr_assert_eq(nflog_snapshot_load(l, path, &err), want, "%s", err ? err : "");
    free(path);
}

static void assert_re_encodes(const char *name)
{
    size_t want_len, got_len;
    uint8_t *want = fixture_read(name, &want_len), *got;
    nflog_encode(l, &got, &got_len);
    cr_assert_eq(got_len, want_len);
    cr_assert_eq(memcmp(got, want, want_len), 0);
    free(got);
    free(want);
}

Test(nflog_snapshot, fixture_one_content)
{
    load(FIXTURE_ONE, 1);
    struct nflog_receiver rcv = {"null", "webhook", 0};
    const struct nflog_entry *e = nflog_query(l, "{}:{alertname=\"Notify1\"}", &rcv);
    cr_assert_not_null(e);
    cr_assert_eq(e->timestamp, ts(1795521367, 310957404));
    cr_assert_eq(e->expires_at, ts(1795521367 + 7200, 310957404), "2 x repeat_interval");
    cr_assert_eq(e->firing.len, 1);
    cr_assert_eq(e->firing.items[0], UINT64_C(0x3d776c3e5e385f7e));
    cr_assert_eq(e->resolved.len, 0);
    cr_assert_eq(e->raw.entry_deprecated_len + e->raw.entry_unknown_len +
                     e->raw.receiver_unknown_len + e->raw.mesh_unknown_len,
                 0);
}

Test(nflog_snapshot, fixture_one_re_encodes_byte_for_byte)
{
    load(FIXTURE_ONE, 1);
    assert_re_encodes(FIXTURE_ONE);
}

Test(nflog_snapshot, fixture_two_content_and_alert_hashes)
{
    load(FIXTURE_TWO, 2);
    struct labelset host1, host2;
    labels_build(&host1, "alertname=Fix,instance=host-1,job=api,sev=crit");
    labels_build(&host2, "alertname=Fix,instance=host-2,job=api,zone=ü-1");
    uint64_t h1 = nflog_alert_hash(&host1), h2 = nflog_alert_hash(&host2);
    cr_assert_eq(h1, UINT64_C(0xd2c3faca5d6fb291), "0.25's own hash of host-1");
    cr_assert_eq(h2, UINT64_C(0xd8757c16bd4902d5), "0.25's own hash of host-2");

    struct nflog_receiver idx0 = {"hooks", "webhook", 0}, idx1 = {"hooks", "webhook", 1};
    const char *gk = "{}:{alertname=\"Fix\"}";
    const struct nflog_entry *e1 = nflog_query(l, gk, &idx1);
    cr_assert_not_null(e1);
    cr_assert_eq(e1->timestamp, ts(1795594640, 885199642));
    cr_assert_eq(e1->expires_at, ts(1795594640 + 7200, 885199642));
    cr_assert_eq(e1->firing.len, 2);
    cr_assert_eq(e1->firing.items[0], h1);
    cr_assert_eq(e1->firing.items[1], h2);
    cr_assert_eq(e1->resolved.len, 0);

    const struct nflog_entry *e0 = nflog_query(l, gk, &idx0);
    cr_assert_not_null(e0);
    cr_assert_eq(e0->timestamp, ts(1795594644, 883227110));
    cr_assert_eq(e0->firing.len, 1);
    cr_assert_eq(e0->firing.items[0], h1);
    cr_assert_eq(e0->resolved.len, 1);
    cr_assert_eq(e0->resolved.items[0], h2);

    /* What 0.25 decided next: nothing more to send to either integration
     * until the repeat interval. */
    struct nflog_hashes f = {&h1, 1}, r = {&h2, 1};
    int64_t later = e0->timestamp + 10 * SEC;
    cr_assert_not(nflog_needs_update(e0, &f, &r, true, HOUR, later));
    cr_assert_not(nflog_needs_update(e1, &f, &r, false, HOUR, later));
    cr_assert(nflog_needs_update(e1, &f, &r, true, HOUR, later), "idx 1 with send_resolved");
    labelset_free(&host1);
    labelset_free(&host2);
}

Test(nflog_snapshot, fixture_two_re_encodes_byte_for_byte)
{
    load(FIXTURE_TWO, 2);
    assert_re_encodes(FIXTURE_TWO);
}

Test(nflog_snapshot, load_keeps_expired_records_like_alertmanager)
{
    load(FIXTURE_TWO, 2);
    cr_assert_eq(nflog_gc(l, ts(1795601844, 0)), 1);
    cr_assert_eq(nflog_gc(l, ts(1795601844, 883227110)), 1);
    cr_assert_eq(nflog_count(l), 0);
}

Test(nflog_snapshot, gossip_merge_of_the_fixture_skips_expired_records)
{
    size_t len;
    uint8_t *data = fixture_read(FIXTURE_TWO, &len);
    cr_assert_eq(nflog_merge(l, data, len, ts(1795601842, 0), NULL), 1);
    free(data);
}

static char *temp_path(void)
{
    char *p = xstrdup("/tmp/chorus-nflog-test-XXXXXX");
    int fd = mkstemp(p);
    cr_assert_geq(fd, 0);
    close(fd);
    return p;
}

Test(nflog_snapshot, own_snapshot_loads_back)
{
    log_simple(l, &RCV_WEBHOOK0, "a", HASHES(1, 2), HASHES(3), T0);
    log_simple(l, &RCV_EMAIL0, "b", NO_HASHES, HASHES(4), T0 + 7);
    char *path = temp_path();
    cr_assert_eq(nflog_snapshot_write(l, path), 0);
    struct nflog *back = nflog_new(RETENTION);
    char *err = NULL;
    cr_assert_eq(nflog_snapshot_load(back, path, &err), 2);
    const struct nflog_entry *e = nflog_query(back, "b", &RCV_EMAIL0);
    cr_assert_eq(e->timestamp, T0 + 7);
    cr_assert_eq(e->resolved.items[0], 4);
    uint8_t *x, *y;
    size_t xn, yn;
    nflog_encode(l, &x, &xn);
    nflog_encode(back, &y, &yn);
    cr_assert_eq(xn, yn);
    cr_assert_eq(memcmp(x, y, xn), 0);
    free(x);
    free(y);
    nflog_free(back);
    unlink(path);
    free(path);
}

Test(nflog_snapshot, empty_log_writes_an_empty_file)
{
    char *path = temp_path();
    cr_assert_eq(nflog_snapshot_write(l, path), 0);
    char *data;
    size_t len;
    cr_assert_eq(file_read_all(path, &data, &len), 0);
    cr_assert_eq(len, 0);
    free(data);
    cr_assert_eq(nflog_snapshot_load(l, path, NULL), 0);
    unlink(path);
    free(path);
}

Test(nflog_snapshot, missing_file_is_empty_and_a_directory_is_an_error)
{
    cr_assert_eq(nflog_snapshot_load(l, "/nonexistent/chorus/nflog", NULL), 0);
    char *err = NULL;
    cr_assert_eq(nflog_snapshot_load(l, "/", &err), -1);
    cr_assert_not_null(err);
    free(err);
}

Test(nflog_snapshot, load_takes_the_later_duplicate)
{
    /* Two records for one key: 0.25 fills a map, so the later one stands
     * even with an older timestamp. */
    struct nflog *src = nflog_new(RETENTION);
    log_simple(src, &RCV_WEBHOOK0, "g", HASHES(1), NO_HASHES, T0 + HOUR);
    uint8_t *a, *b;
    size_t an, bn;
    nflog_encode(src, &a, &an);
    nflog_free(src);
    src = nflog_new(RETENTION);
    log_simple(src, &RCV_WEBHOOK0, "g", HASHES(2), NO_HASHES, T0);
    nflog_encode(src, &b, &bn);
    nflog_free(src);
    char *path = temp_path();
    FILE *f = fopen(path, "wb");
    fwrite(a, 1, an, f);
    fwrite(b, 1, bn, f);
    fclose(f);
    cr_assert_eq(nflog_snapshot_load(l, path, NULL), 2);
    cr_assert_eq(nflog_count(l), 1);
    cr_assert_eq(nflog_query(l, "g", &RCV_WEBHOOK0)->firing.items[0], 2);
    unlink(path);
    free(path);
    free(a);
    free(b);
}

Test(nflog_snapshot, truncated_file_is_an_error_keeping_the_prefix)
{
    size_t len;
    uint8_t *data = fixture_read(FIXTURE_TWO, &len);
    char *path = temp_path();
    cr_assert_eq(file_write_atomic(path, data, len - 3), 0);
    char *err = NULL;
    cr_assert_eq(nflog_snapshot_load(l, path, &err), -1);
    cr_assert_str_eq(err, "nflog: record 1: truncated record");
    cr_assert_eq(nflog_count(l), 1);
    free(err);
    unlink(path);
    free(path);
    free(data);
}
