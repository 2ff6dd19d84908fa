/*
 * test_silence.c: a single struct silence: state at the boundaries, state
 * names, deep copies (extra bytes and uncompiled matchers included).
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

Test(silence, state_boundaries_follow_go_before_after)
{
    struct silence s;
    sil_build(&s, "a=b", T0, T0 + HOUR);
    cr_assert_eq(silence_state_at(&s, T0 - 1), SILENCE_PENDING);
    cr_assert_eq(silence_state_at(&s, T0), SILENCE_ACTIVE);
    cr_assert_eq(silence_state_at(&s, T0 + HOUR), SILENCE_ACTIVE);
    cr_assert_eq(silence_state_at(&s, T0 + HOUR + 1), SILENCE_EXPIRED);
    silence_free(&s);
}

Test(silence, state_names)
{
    cr_assert_str_eq(silence_state_name(SILENCE_ACTIVE), "active");
    cr_assert_str_eq(silence_state_name(SILENCE_PENDING), "pending");
    cr_assert_str_eq(silence_state_name(SILENCE_EXPIRED), "expired");
}

Test(silence, init_gives_empty_strings)
{
    struct silence s;
    silence_init(&s);
    cr_assert_str_eq(s.created_by, "");
    cr_assert_str_eq(s.comment, "");
    cr_assert_eq(s.matchers.len, 0);
    cr_assert_eq(s.extra_len, 0);
    silence_free(&s);
}

Test(silence, copy_is_deep)
{
    struct silence s, c;
    sil_build(&s, "a=b,c=~d.*,e!=f,g!~h", T0, T0 + HOUR);
    strcpy(s.id, "0e4cbb2c-1f8c-4b5e-9a43-0b0f6d0c5a11");
    s.updated_at = T0 - 1;
    s.extra = xmalloc(3);
    memcpy(s.extra, "\x52\x01\x00", 3);
    s.extra_len = 3;
    silence_copy(&c, &s);
    silence_free(&s);
    cr_assert_str_eq(c.id, "0e4cbb2c-1f8c-4b5e-9a43-0b0f6d0c5a11");
    cr_assert_eq(c.matchers.len, 4);
    cr_assert_str_eq(c.matchers.items[1].name, "c");
    cr_assert_eq(c.matchers.items[1].type, MATCH_REGEXP);
    cr_assert(matcher_matches(&c.matchers.items[1], "dxx"));
    cr_assert_eq(c.starts_at, T0);
    cr_assert_eq(c.ends_at, T0 + HOUR);
    cr_assert_eq(c.updated_at, T0 - 1);
    cr_assert_str_eq(c.created_by, "tester");
    cr_assert_eq(c.extra_len, 3);
    cr_assert_eq(memcmp(c.extra, "\x52\x01\x00", 3), 0);
    silence_free(&c);
}

Test(silence, uncompilable_regex_is_kept_uncompiled)
{
    struct silence s, c;
    sil_build(&s, "a=~(", T0, T0 + HOUR);
    cr_assert_eq(s.matchers.len, 1);
    cr_assert_null(s.matchers.items[0].re);
    cr_assert_str_eq(s.matchers.items[0].value, "(");
    silence_copy(&c, &s);
    cr_assert_null(c.matchers.items[0].re);
    cr_assert_str_eq(c.matchers.items[0].value, "(");
    silence_free(&s);
    silence_free(&c);
}
