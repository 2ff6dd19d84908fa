/*
 * Unit tests for labels/ matchers: the four operators, anchoring, absent
 * labels read as "", sets as AND, String() escaping, equality and copies.
 */
#include "labels/labels.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct matcher mk(enum matcher_type t, const char *name, const char *value)
{
    struct matcher m;
    char *err = NULL;
    cr_assert_eq(matcher_init(&m, t, name, value, &err), 0, "%s", err ? err : "");
    return m;
}

Test(matcher, operators)
{
    struct matcher m = mk(MATCH_EQUAL, "a", "x");
    cr_expect(matcher_matches(&m, "x"));
    cr_expect_not(matcher_matches(&m, "xx"));
    cr_expect_not(matcher_matches(&m, ""));
    matcher_free(&m);
    m = mk(MATCH_NOT_EQUAL, "a", "x");
    cr_expect_not(matcher_matches(&m, "x"));
    cr_expect(matcher_matches(&m, ""));
    matcher_free(&m);
    m = mk(MATCH_REGEXP, "a", "x|y");
    cr_expect(matcher_matches(&m, "y"));
    cr_expect_not(matcher_matches(&m, "xy"), "anchored");
    cr_expect_not(matcher_matches(&m, "ax"), "anchored");
    matcher_free(&m);
    m = mk(MATCH_NOT_REGEXP, "a", "x.*");
    cr_expect_not(matcher_matches(&m, "xyz"));
    cr_expect(matcher_matches(&m, "axyz"));
    cr_expect(matcher_matches(&m, ""));
    matcher_free(&m);
    m = mk(MATCH_REGEXP, "a", "");
    cr_expect(matcher_matches(&m, ""));
    cr_expect_not(matcher_matches(&m, "a"));
    matcher_free(&m);
}

Test(matcher, ops_text)
{
    cr_expect_str_eq(matcher_type_op(MATCH_EQUAL), "=");
    cr_expect_str_eq(matcher_type_op(MATCH_NOT_EQUAL), "!=");
    cr_expect_str_eq(matcher_type_op(MATCH_REGEXP), "=~");
    cr_expect_str_eq(matcher_type_op(MATCH_NOT_REGEXP), "!~");
}

Test(matcher, set_with_absent_labels)
{
    struct labelset ls = LABELSET_INIT;
    labelset_set(&ls, "severity", "critical");
    labelset_set(&ls, "team", "a");
    struct matchers ms = MATCHERS_INIT;
    cr_expect(matchers_match(&ms, &ls), "no matchers match everything");
    struct matcher m = mk(MATCH_EQUAL, "env", "");
    matchers_add(&ms, &m);
    cr_expect(matchers_match(&ms, &ls), "absent label equals \"\"");
    m = mk(MATCH_REGEXP, "severity", "crit.*");
    matchers_add(&ms, &m);
    cr_expect(matchers_match(&ms, &ls));
    m = mk(MATCH_NOT_REGEXP, "missing", ".+");
    matchers_add(&ms, &m);
    cr_expect(matchers_match(&ms, &ls));
    m = mk(MATCH_NOT_EQUAL, "team", "a");
    matchers_add(&ms, &m);
    cr_expect_not(matchers_match(&ms, &ls), "all must hold");
    matchers_free(&ms);
    ms = (struct matchers)MATCHERS_INIT;
    m = mk(MATCH_REGEXP, "env", ".+");
    matchers_add(&ms, &m);
    cr_expect_not(matchers_match(&ms, &ls), "absent label does not match .+");
    matchers_free(&ms);
    labelset_free(&ls);
}

Test(matcher, format_escapes_like_0_25)
{
    /* Seen in 0.25 group keys: only \\, newline and " are escaped. */
    struct matcher m = mk(MATCH_EQUAL, "x", "t\tab\x01\xc2\xa0");
    struct strbuf sb = STRBUF_INIT;
    matcher_format(&m, &sb);
    cr_expect_str_eq(strbuf_cstr(&sb), "x=\"t\tab\x01\xc2\xa0\"");
    matcher_free(&m);
    strbuf_reset(&sb);
    m = mk(MATCH_NOT_REGEXP, "y", "a\\b\"c\nd");
    matcher_format(&m, &sb);
    cr_expect_str_eq(strbuf_cstr(&sb), "y!~\"a\\\\b\\\"c\\nd\"");
    matcher_free(&m);
    strbuf_free(&sb);
}

Test(matcher, equal_and_copy)
{
    struct matcher a = mk(MATCH_REGEXP, "n", "a+");
    struct matcher b;
    matcher_copy(&b, &a);
    cr_expect(matcher_equal(&a, &b));
    cr_expect(matcher_matches(&b, "aaa"));
    matcher_free(&a);
    cr_expect(matcher_matches(&b, "aaa"), "copy owns its regex");
    struct matcher c = mk(MATCH_NOT_REGEXP, "n", "a+");
    cr_expect_not(matcher_equal(&b, &c));
    struct matcher d = mk(MATCH_REGEXP, "m", "a+");
    cr_expect_not(matcher_equal(&b, &d));
    matcher_free(&b);
    matcher_free(&c);
    matcher_free(&d);
}

Test(matcher, init_error_leaves_nothing)
{
    struct matcher m;
    char *err = NULL;
    cr_expect_eq(matcher_init(&m, MATCH_REGEXP, "a", "(foo", &err), -1);
    cr_expect_str_eq(err, "error parsing regexp: missing closing ): `^(?:(foo)$`");
    free(err);
    err = NULL;
    cr_expect_eq(matcher_init(&m, MATCH_EQUAL, "a", "(foo", &err), 0, "no regex for =");
    cr_expect_null(err);
    matcher_free(&m);
}
