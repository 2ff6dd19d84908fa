/*
 * test_snapshot.c: snapshot files: the one Alertmanager 0.25 wrote at
 * shutdown loads with the expected content and re-encodes byte for byte;
 * chorus' own snapshots load back; missing and corrupt files.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FIXTURE CHORUS_TEST_FIXTURES "/snapshots/alertmanager-0.25-silences"

static struct silences *st;

static void setup(void)
{
    st = silences_new(RETENTION);
}

static void teardown(void)
{
    silences_free(st);
}

TestSuite(silences_snapshot, .init = setup, .fini = teardown);

static int64_t ts(int64_t seconds, int64_t nanos)
{
    return seconds * NS_PER_SEC + nanos;
}

static void load_fixture(void)
{
    char *err = NULL;
    int n = silences_snapshot_load(st, FIXTURE, T0, &err);
    cr_assert_eq(n, 4, "loaded %d: %s", n, err ? err : "");
}

static void assert_matcher(const struct matcher *m, enum matcher_type type, const char *name,
                           const char *value)
{
    cr_assert_eq(m->type, type);
    cr_assert_str_eq(m->name, name);
    cr_assert_str_eq(m->value, value);
}

Test(silences_snapshot, alertmanager_fixture_loads)
{
    load_fixture();
    cr_assert_eq(silences_count(st), 4);
    const struct silence *s = silences_get(st, "48c17fab-2660-40d1-a60f-2260a1fa7ed3");
    cr_assert_not_null(s);
    cr_assert_eq(s->matchers.len, 2);
    assert_matcher(&s->matchers.items[0], MATCH_EQUAL, "alertname", "Test1");
    assert_matcher(&s->matchers.items[1], MATCH_REGEXP, "job", "foo.*");
    cr_assert_eq(s->starts_at, ts(1795521361, 130208396));
    cr_assert_eq(s->ends_at, ts(1795528561, 126000000));
    cr_assert_eq(s->updated_at, ts(1795521361, 130208396));
    cr_assert_str_eq(s->created_by, "tester");
    cr_assert_str_eq(s->comment, "small silence");
    cr_assert_eq(s->extra_len, 0);

    s = silences_get(st, "390e5f42-7e64-404a-b322-92ef26f37a35");
    cr_assert_not_null(s);
    cr_assert_eq(s->matchers.len, 1);
    assert_matcher(&s->matchers.items[0], MATCH_EQUAL, "alertname", "Big");
    cr_assert_eq(strlen(s->comment), 900);
    cr_assert_eq(strspn(s->comment, "x"), 900);

    s = silences_get(st, "f24500ae-f648-4c30-8556-9465b86a3952");
    cr_assert_not_null(s);
    assert_matcher(&s->matchers.items[1], MATCH_REGEXP, "job", "py.*");
    cr_assert_str_eq(s->created_by, "pynode");
    cr_assert_str_eq(s->comment, "small one from pynode");
    cr_assert_eq(s->starts_at, ts(1795521556, 372533798));
    cr_assert_eq(s->ends_at, ts(1795525156, 372533798));

    s = silences_get(st, "b047cc81-0157-4f06-948a-45c19b4af343");
    cr_assert_not_null(s);
    cr_assert_eq(strncmp(s->comment, "big one yyyy", 12), 0);
}

Test(silences_snapshot, fixture_states_and_mutes)
{
    load_fixture();
    size_t c[3];
    int64_t now = ts(1795521600, 0);
    silences_count_states(st, now, c);
    cr_assert_eq(c[SILENCE_ACTIVE], 4);
    struct labelset ls;
    labels_build(&ls, "alertname=FromPy,job=py-1");
    size_t n;
    const char **ids = silences_mutes(st, &ls, now, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(ids[0], "b047cc81-0157-4f06-948a-45c19b4af343");
    cr_assert_str_eq(ids[1], "f24500ae-f648-4c30-8556-9465b86a3952");
    free(ids);
    labelset_free(&ls);
}

Test(silences_snapshot, fixture_re_encodes_byte_for_byte)
{
    load_fixture();
    char *want;
    size_t want_len;
    cr_assert_eq(file_read_all(FIXTURE, &want, &want_len), 0);
    uint8_t *got;
    size_t got_len;
    silences_encode(st, &got, &got_len);
    cr_assert_eq(got_len, want_len);
    cr_assert_eq(memcmp(got, want, want_len), 0);
    free(got);
    free(want);
}

Test(silences_snapshot, load_keeps_records_past_expiry_like_alertmanager)
{
    char *err = NULL;
    int64_t far = ts(1795960561, 126000000) + HOUR;
    cr_assert_eq(silences_snapshot_load(st, FIXTURE, far, &err), 4);
    cr_assert_eq(silences_gc(st, far), 4, "the next GC drops them");
}

static char *temp_path(void)
{
    char *p = xstrdup("/tmp/chorus-silences-test-XXXXXX");
    int fd = mkstemp(p);
    cr_assert_geq(fd, 0);
    close(fd);
    return p;
}

Test(silences_snapshot, own_snapshot_loads_back)
{
    char id[37];
    strcpy(id, sil_create(st, "a=1,b=~x", T0, T0 + HOUR, T0));
    sil_create(st, "c!=2", T0 + HOUR, T0 + 2 * HOUR, T0);
    char *path = temp_path();
    cr_assert_eq(silences_snapshot_write(st, path), 0);
    struct silences *other = silences_new(RETENTION);
    char *err = NULL;
    cr_assert_eq(silences_snapshot_load(other, path, T0, &err), 2);
    const struct silence *s = silences_get(other, id);
    cr_assert_not_null(s);
    cr_assert_eq(s->matchers.len, 2);
    cr_assert_eq(s->updated_at, T0);
    uint8_t *a, *b;
    size_t alen, blen;
    silences_encode(st, &a, &alen);
    silences_encode(other, &b, &blen);
    cr_assert_eq(alen, blen);
    cr_assert_eq(memcmp(a, b, alen), 0);
    free(a);
    free(b);
    silences_free(other);
    unlink(path);
    free(path);
}

Test(silences_snapshot, missing_file_loads_empty)
{
    char *err = NULL;
    cr_assert_eq(silences_snapshot_load(st, "/nonexistent/chorus/silences", T0, &err), 0);
    cr_assert_null(err);
    cr_assert_eq(silences_count(st), 0);
}

Test(silences_snapshot, corrupt_file_keeps_the_good_prefix)
{
    char *data;
    size_t len;
    cr_assert_eq(file_read_all(FIXTURE, &data, &len), 0);
    char *path = temp_path();
    /* Cut inside the last record. */
    cr_assert_eq(file_write_atomic(path, data, len - 10), 0);
    char *err = NULL;
    cr_assert_eq(silences_snapshot_load(st, path, T0, &err), -1);
    cr_assert_not_null(err);
    cr_assert_str_eq(err, "silences: record 3: truncated record");
    free(err);
    cr_assert_eq(silences_count(st), 3);
    unlink(path);
    free(path);
    free(data);
}

/* Written by 0.25 on this project's machine: !=, !~, an empty pattern, a
 * pending and two expired silences, UTF-8 text, whole-second timestamps. */
#define MIXED CHORUS_TEST_FIXTURES "/snapshots/alertmanager-0.25-silences-mixed"

Test(silences_snapshot, mixed_fixture_loads_and_re_encodes)
{
    char *err = NULL;
    cr_assert_eq(silences_snapshot_load(st, MIXED, T0, &err), 7);
    const struct silence *s = silences_get(st, "159b99a1-7857-451c-9324-f21f4905705a");
    cr_assert_not_null(s);
    cr_assert_eq(s->matchers.len, 3);
    assert_matcher(&s->matchers.items[0], MATCH_NOT_EQUAL, "n", "x");
    assert_matcher(&s->matchers.items[1], MATCH_NOT_REGEXP, "r", "y.+");
    assert_matcher(&s->matchers.items[2], MATCH_NOT_EQUAL, "e", "");
    cr_assert_str_eq(s->created_by, "");
    cr_assert_eq(s->ends_at, ts(1795595932, 0));
    s = silences_get(st, "c883759e-d92e-4aed-b57b-46ece6eb6fbb");
    cr_assert_str_eq(s->created_by, "\xc3\xbc");
    cr_assert_str_eq(s->comment, "\xc3\xbcn\xc3\xaf" "code \"q\"");

    size_t c[3];
    silences_count_states(st, ts(1795592400, 0), c);
    cr_assert_eq(c[SILENCE_ACTIVE], 4);
    cr_assert_eq(c[SILENCE_PENDING], 1);
    cr_assert_eq(c[SILENCE_EXPIRED], 2);

    char *want;
    size_t want_len;
    cr_assert_eq(file_read_all(MIXED, &want, &want_len), 0);
    uint8_t *got;
    size_t got_len;
    silences_encode(st, &got, &got_len);
    cr_assert_eq(got_len, want_len);
    cr_assert_eq(memcmp(got, want, want_len), 0);
    free(got);
    free(want);
}
