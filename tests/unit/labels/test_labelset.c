/*
 * Unit tests for labels/ label sets: Prometheus fingerprints (vectors taken
 * from Alertmanager), LabelSet.String(), LabelSet.Before ordering as the
 * 0.25 binary orders alert groups, editing and label-name validity.
 */
#include "labels/labels.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>

/* ls_make(&ls, "a", "b", "c", "d", NULL) */
static void ls_make(struct labelset *ls, ...)
{
    va_list ap;
    va_start(ap, ls);
    *ls = (struct labelset)LABELSET_INIT;
    for (const char *n; (n = va_arg(ap, const char *));)
        labelset_set(ls, n, va_arg(ap, const char *));
    va_end(ap);
}

static void expect_fp(struct labelset *ls, const char *hex)
{
    char out[17];
    fingerprint_format(labelset_fingerprint(ls), out);
    cr_expect_str_eq(out, hex);
    labelset_free(ls);
}

Test(labelset, fingerprint_vectors)
{
    struct labelset ls;
    ls_make(&ls, "alertname", "Mix1", NULL);
    expect_fp(&ls, "032d1c5f0feaf587");
    ls_make(&ls, "team", "a", "severity", "warning", "alertname", "A1", NULL);
    expect_fp(&ls, "98b2f4ceb080ab7b");
    ls_make(&ls, "a", "b", NULL);
    expect_fp(&ls, "d2b371819297f98a");
    ls_make(&ls, "alertname", "Test1", "instance", "a", "severity", "warning", NULL);
    expect_fp(&ls, "1e80522c8e82fb66");
    ls_make(&ls, "severity", "critical", "alertname", "Test1", "team", "x", NULL);
    expect_fp(&ls, "eeb4d56f768498d8");
    ls_make(&ls, NULL);
    expect_fp(&ls, "cbf29ce484222325");
}

Test(labelset, fingerprint_format_pads)
{
    char out[17];
    fingerprint_format(0x1, out);
    cr_expect_str_eq(out, "0000000000000001");
    fingerprint_format(UINT64_MAX, out);
    cr_expect_str_eq(out, "ffffffffffffffff");
}

static void expect_format(struct labelset *ls, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    labelset_format(ls, &sb);
    cr_expect_str_eq(strbuf_cstr(&sb), want);
    strbuf_free(&sb);
    labelset_free(ls);
}

Test(labelset, format)
{
    struct labelset ls;
    ls_make(&ls, NULL);
    expect_format(&ls, "{}");
    ls_make(&ls, "c", "d", "a", "b", NULL);
    expect_format(&ls, "{a=\"b\", c=\"d\"}");
    ls_make(&ls, "a", "q\"\\\n\t", NULL);
    expect_format(&ls, "{a=\"q\\\"\\\\\\n\\t\"}");
    /* Observed in a 0.25 group key: the formatted pairs are sorted, so a
     * digit after a shared prefix sorts before '='; non-printables escape. */
    ls_make(&ls, "a", "1", "a1", "2", "a10", "3", "a9", "4", "b", "t\tq", NULL);
    expect_format(&ls, "{a10=\"3\", a1=\"2\", a9=\"4\", a=\"1\", b=\"t\\tq\"}");
    ls_make(&ls, "a", "\xc3\xa9", NULL);
    expect_format(&ls, "{a=\"\xc3\xa9\"}");
}

/* Observed from 0.25: strconv.Quote treats U+00A0 (a Zs space) as not
 * printable, so group keys carry it escaped. */
Test(labelset, format_quote_nbsp)
{
    struct labelset ls;
    ls_make(&ls, "a", "\x01\xc2\xa0\xe2\x80\xa8", NULL);
    expect_format(&ls, "{a=\"\\x01\\u00a0\\u2028\"}");
}

static int cmp(struct labelset *a, struct labelset *b)
{
    int c = labelset_compare(a, b);
    int r = labelset_compare(b, a);
    cr_expect((c < 0 && r > 0) || (c > 0 && r < 0) || (c == 0 && r == 0), "antisymmetry");
    labelset_free(a);
    labelset_free(b);
    return c;
}

Test(labelset, compare_is_length_first)
{
    struct labelset a, b;
    /* The real 0.25 lists groups {b="0"}, {a="1"}, {a="0",b="x"} in this order. */
    ls_make(&a, "a", "1", NULL);
    ls_make(&b, "a", "0", "b", "x", NULL);
    cr_expect_lt(cmp(&a, &b), 0);
    ls_make(&a, "b", "0", NULL);
    ls_make(&b, "a", "1", NULL);
    cr_expect_lt(cmp(&a, &b), 0);
    ls_make(&a, "a", "2", NULL);
    ls_make(&b, "a", "1", NULL);
    cr_expect_gt(cmp(&a, &b), 0);
    ls_make(&a, "a", "0", "b", "x", NULL);
    ls_make(&b, "a", "00", "b", "0", NULL);
    cr_expect_lt(cmp(&a, &b), 0);
    ls_make(&a, "a", "x", "c", "y", NULL);
    ls_make(&b, "a", "x", "b", "z", NULL);
    cr_expect_lt(cmp(&a, &b), 0); /* b missing from a */
    ls_make(&a, NULL);
    ls_make(&b, NULL);
    cr_expect_eq(cmp(&a, &b), 0);
    ls_make(&a, "a", "1", NULL);
    ls_make(&b, "a", "1", NULL);
    cr_expect_eq(cmp(&a, &b), 0);
    ls_make(&a, NULL);
    ls_make(&b, "a", "", NULL);
    cr_expect_lt(cmp(&a, &b), 0);
}

Test(labelset, set_get_remove_sorted)
{
    struct labelset ls;
    ls_make(&ls, "m", "1", "c", "2", "x", "3", "a", "4", NULL);
    cr_assert_eq(ls.len, 4);
    cr_expect_str_eq(ls.items[0].name, "a");
    cr_expect_str_eq(ls.items[1].name, "c");
    cr_expect_str_eq(ls.items[2].name, "m");
    cr_expect_str_eq(ls.items[3].name, "x");
    labelset_set(&ls, "c", "new");
    cr_expect_eq(ls.len, 4);
    cr_expect_str_eq(labelset_get(&ls, "c"), "new");
    cr_expect_null(labelset_get(&ls, "b"));
    cr_expect(labelset_remove(&ls, "m"));
    cr_expect_not(labelset_remove(&ls, "m"));
    cr_expect_null(labelset_get(&ls, "m"));
    cr_expect_eq(ls.len, 3);
    cr_expect_str_eq(ls.items[2].name, "x");
    cr_expect(labelset_remove(&ls, "a"));
    cr_expect(labelset_remove(&ls, "x"));
    cr_expect(labelset_remove(&ls, "c"));
    cr_expect_eq(ls.len, 0);
    labelset_set(&ls, "z", "");
    cr_expect_str_eq(labelset_get(&ls, "z"), "");
    labelset_free(&ls);
    labelset_free(&ls); /* idempotent */
}

Test(labelset, copy_and_equal)
{
    struct labelset a, b, c;
    ls_make(&a, "a", "1", "b", "2", NULL);
    labelset_copy(&b, &a);
    cr_expect(labelset_equal(&a, &b));
    cr_expect_eq(labelset_fingerprint(&a), labelset_fingerprint(&b));
    labelset_set(&b, "b", "3");
    cr_expect_not(labelset_equal(&a, &b));
    cr_expect_str_eq(labelset_get(&a, "b"), "2");
    ls_make(&c, "a", "1", NULL);
    cr_expect_not(labelset_equal(&a, &c));
    labelset_free(&c);
    c = (struct labelset)LABELSET_INIT;
    labelset_free(&b);
    labelset_copy(&b, &c);
    cr_expect_eq(b.len, 0);
    labelset_free(&a);
    labelset_free(&b);
}

Test(labelset, name_valid)
{
    const char *good[] = {"a", "_", "A_b9", "__name__", "alertname", "_1"};
    const char *bad[] = {"", "1a", "a-b", "a:b", "a b", "é", "a.b", "9"};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++)
        cr_expect(label_name_valid(good[i]), "%s", good[i]);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        cr_expect_not(label_name_valid(bad[i]), "%s", bad[i]);
}
