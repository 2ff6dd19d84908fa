/* 0.25's notify.TruncateInRunes. */
#include "notify/integrations_internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static void runes(const char *in, size_t n, const char *want, bool want_cut)
{
    bool cut;
    char *got = notify_truncate_runes(in, n, &cut);
    cr_expect_str_eq(got, want, "runes(%s, %zu)", in, n);
    cr_expect_eq(cut, want_cut);
    free(got);
}

Test(truncate, runes_keep_n_minus_one_and_a_marker)
{
    runes("héllo", 5, "héllo", false);
    runes("héllo!", 5, "héll…", true);
    runes("ЖЖЖЖЖ", 4, "ЖЖЖ…", true);
    runes("abcd", 3, "abc", true); /* n <= 3: cut without marker */
    runes("a\xff" "bcdef", 4, "a\xef\xbf\xbd" "b…", true);
}
