/*
 * fuzz_regex: libFuzzer target for labels/ regex_compile, the RE2-dialect
 * check and translation onto PCRE2.  Input: pattern NUL subject; the low bit
 * of the subject's length picks anchored or not.  A compiled pattern is run
 * on the subject, the pattern itself and its QuoteMeta form; a matcher with
 * the same pattern is built too (the =~ path).
 */
#include "fuzz_common.h"
#include "labels/labels.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *pat, *subj;
    fuzz_split(data, size, &pat, &subj);
    size_t slen = strlen(subj);
    char *err = NULL;
    struct regex *re = regex_compile(pat, (slen & 1) != 0, &err);
    if (re) {
        (void)regex_match(re, subj, slen);
        (void)regex_match(re, pat, strlen(pat));
        char *q = regex_quote_meta(subj);
        (void)regex_match(re, q, strlen(q));
        free(q);
        regex_free(re);
    } else {
        free(err);
        err = NULL;
    }
    /* A quoted UTF-8 string is a valid pattern that matches exactly itself
     * (Go refuses patterns that are not UTF-8, so others may fail). */
    if (utf8_valid(subj, slen)) {
        char *q = regex_quote_meta(subj);
        struct regex *lit = regex_compile(q, true, &err);
        if (!lit)
            abort();
        if (!regex_match(lit, subj, slen))
            abort();
        regex_free(lit);
        free(q);
    }

    struct matcher m;
    if (matcher_init(&m, MATCH_NOT_REGEXP, "x", pat, &err) == 0) {
        (void)matcher_matches(&m, subj);
        matcher_free(&m);
    } else {
        free(err);
    }
    free(pat);
    free(subj);
    return 0;
}
