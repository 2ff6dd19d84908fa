/*
 * Unit tests for labels/ regexes: RE2 semantics as the real Alertmanager
 * 0.25 applies them (the table below is what its API filter matched), Go's
 * error texts for constructs RE2 lacks, bounded time on catastrophic
 * patterns, QuoteMeta and the unanchored helper.
 */
#include "labels/labels.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

struct sem_case {
    const char *re;
    uint64_t matches;
};

static const char *const sem_values[] = {
    "",
    "a",
    "abc",
    "a\nb",
    "ab\n",
    "\n",
    "A",
    "k",
    "K",
    "\xe2""\x84""\xaa""",
    "\xc3""\xa9""",
    "\xc3""\x89""",
    "\xc5""\xbf""",
    "s",
    "S",
    " ",
    "\t",
    "\x0b""",
    "x y",
    "123",
    "a.b",
    "aXb",
    "\xce""\x91""\xce""\x92""\xce""\x93""",
    "\xce""\xb1""\xce""\xb2""\xce""\xb3""",
    "\xc2""\xa0""",
    "a{01}",
    "{,5}",
    "a]",
    "b",
    "\na",
    "aa",
    "a\n",
    "_",
    "-",
    "a-",
    "z",
    "\x0b""",
    "\x0c""",
};

/* For each pattern, which of sem_values it matches (bit i = value i). */
static const struct sem_case sem_cases[] = {
    {"", UINT64_C(0x1)},
    {".*", UINT64_C(0x3f5fffffc7)},
    {".", UINT64_C(0x3b1103ffc2)},
    {"a.b", UINT64_C(0x300000)},
    {"(?s)a.b", UINT64_C(0x300008)},
    {"\\s", UINT64_C(0x2000018020)},
    {"\\S", UINT64_C(0x1b11027fc2)},
    {"\\v", UINT64_C(0x1000020000)},
    {"[[:space:]]", UINT64_C(0x3000038020)},
    {"(?i)k", UINT64_C(0x380)},
    {"(?i)K", UINT64_C(0x380)},
    {"(?i)\xc3""\xa9""", UINT64_C(0xc00)},
    {"\\w+", UINT64_C(0x9502861c6)},
    {"\\W", UINT64_C(0x3201039e20)},
    {"\\d+", UINT64_C(0x80000)},
    {"\\pL+", UINT64_C(0x850e07fc6)},
    {"\\p{Greek}+", UINT64_C(0xc00000)},
    {"\\p{Lu}", UINT64_C(0x4b40)},
    {"(?i)\\p{Lu}", UINT64_C(0x810007fc2)},
    {"a$", UINT64_C(0x2)},
    {"(?m)a$", UINT64_C(0x2)},
    {"(?m)^b", UINT64_C(0x10000000)},
    {"(?m)a\\n^b", UINT64_C(0x8)},
    {"^a", UINT64_C(0x2)},
    {"a\\z", UINT64_C(0x2)},
    {"\\Aa", UINT64_C(0x2)},
    {"\\bb", UINT64_C(0x10000000)},
    {"a{01}", UINT64_C(0x2000000)},
    {"a{,5}", UINT64_C(0x0)},
    {"\\{,5\\}", UINT64_C(0x4000000)},
    {"[^a]", UINT64_C(0x3b1103ffe0)},
    {"[^\\n]*", UINT64_C(0x3f5fffffc7)},
    {"\\x{212A}", UINT64_C(0x200)},
    {"\\12", UINT64_C(0x20)},
    {"(?U)a+", UINT64_C(0x40000002)},
    {"ab|a", UINT64_C(0x2)},
    {"[\\d-z]+", UINT64_C(0xa00080000)},
    {"[a-]", UINT64_C(0x200000002)},
    {"\\Qa.b\\E", UINT64_C(0x100000)},
    {"x*", UINT64_C(0x1)},
    {"a|", UINT64_C(0x3)},
    {"()", UINT64_C(0x1)},
    {"(?i)[[:upper:]]", UINT64_C(0x8100073c2)},
    {"[[:^alpha:]]+", UINT64_C(0x3305cb9e20)},
    {"\\pN+", UINT64_C(0x80000)},
    {"(?i)\xc5""\xbf""", UINT64_C(0x7000)},
    {"(?i)s", UINT64_C(0x7000)},
    {"(?i)[a-z]", UINT64_C(0x8100073c2)},
    {"(?i)[^k]", UINT64_C(0x3b1103fc62)},
    {"[^\\x00-\\x{10FFFF}]", UINT64_C(0x0)},
    {"(?s).", UINT64_C(0x3b1103ffe2)},
    {"\\S+", UINT64_C(0x1f5ffa7fc6)},
    {"[\\S]", UINT64_C(0x1b11027fc2)},
    {"[\\s]", UINT64_C(0x2000018020)},
    {"[\\W]+", UINT64_C(0x3201c39e20)},
    {"[^\\d]", UINT64_C(0x3b1103ffe2)},
    {"\\D", UINT64_C(0x3b1103ffe2)},
    {"(?m)$", UINT64_C(0x1)},
    {"(?m)^", UINT64_C(0x1)},
    {"(?m)^$", UINT64_C(0x1)},
    {"(?m:a$)\\n", UINT64_C(0x80000000)},
    {"a\\b", UINT64_C(0x2)},
    {"\\B", UINT64_C(0x1)},
    {"(a+)+", UINT64_C(0x40000002)},
    {"(?i)\xce""\x91""\xce""\x92""\xce""\x93""", UINT64_C(0xc00000)},
    {"[[:word:]]", UINT64_C(0x9100061c2)},
    {"\\p{^L}", UINT64_C(0x3301038020)},
    {"\\PL", UINT64_C(0x3301038020)},
    {"[\\PL]", UINT64_C(0x3301038020)},
    {"(?i:a)A", UINT64_C(0x0)},
    {"a(?i)b", UINT64_C(0x0)},
    {"(?i)a(?-i)b", UINT64_C(0x0)},
    {"a*?", UINT64_C(0x40000003)},
    {"(?U)a*?", UINT64_C(0x40000003)},
    {"[]a]", UINT64_C(0x2)},
    {"[a\\]]", UINT64_C(0x2)},
    {"a{2}", UINT64_C(0x40000000)},
    {"a{1,2}", UINT64_C(0x40000002)},
    {"(?:a{2})?", UINT64_C(0x40000001)},
};

Test(regex, semantics_match_alertmanager)
{
    for (size_t i = 0; i < ARRAY_SIZE(sem_cases); i++) {
        struct matcher m;
        char *err = NULL;
        int rc = matcher_init(&m, MATCH_REGEXP, "v", sem_cases[i].re, &err);
        cr_assert_eq(rc, 0, "%s: %s", sem_cases[i].re, err ? err : "");
        for (size_t j = 0; j < ARRAY_SIZE(sem_values); j++) {
            bool want = (sem_cases[i].matches >> j) & 1;
            cr_expect_eq(matcher_matches(&m, sem_values[j]), want, "/%s/ on value #%zu",
                         sem_cases[i].re, j);
        }
        matcher_free(&m);
    }
}

static void expect_reject(const char *re, const char *want)
{
    char *err = NULL;
    struct regex *r = regex_compile(re, true, &err);
    cr_expect_null(r, "%s compiled", re);
    cr_expect_str_eq(err ? err : "", want, "%s", re);
    regex_free(r);
    free(err);
}

Test(regex, re2_unsupported_rejected_with_go_text)
{
    expect_reject("(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect_reject("(?!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`");
    expect_reject("(?<=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`");
    expect_reject("(?<!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`");
    expect_reject("(?>x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?>`");
    expect_reject("(?R)", "error parsing regexp: invalid or unsupported Perl syntax: `(?R`");
    expect_reject("(?1)", "error parsing regexp: invalid or unsupported Perl syntax: `(?1`");
    expect_reject("(?#c)", "error parsing regexp: invalid or unsupported Perl syntax: `(?#`");
    expect_reject("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`");
    expect_reject("a++", "error parsing regexp: invalid nested repetition operator: `++`");
    expect_reject("a*+", "error parsing regexp: invalid nested repetition operator: `*+`");
    expect_reject("a\\Kb", "error parsing regexp: invalid escape sequence: `\\K`");
    expect_reject("\\G", "error parsing regexp: invalid escape sequence: `\\G`");
    expect_reject("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`");
    expect_reject("\\C", "error parsing regexp: invalid escape sequence: `\\C`");
    expect_reject("(*FAIL)", "error parsing regexp: missing argument to repetition operator: `*`");
    expect_reject("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`");
    expect_reject("\\p{Grek}", "error parsing regexp: invalid character class range: `\\p{Grek}`");
    expect_reject("(", "error parsing regexp: missing closing ): `^(?:()$`");
}

Test(regex, unicode_property_names_as_go_1_19)
{
    /* Accepted and refused by the real 0.25 (Go 1.19, Unicode 13). */
    const char *ok[] = {"Common", "Inherited", "Latin", "Han", "Old_Italic", "Nko", "Yi",
                        "SignWriting", "Cham", "Adlam", "Yezidi", "Co", "Cs", "Sk", "Zs",
                        "Any", "Braille", "Nyiakeng_Puachue_Hmong"};
    const char *bad[] = {"Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi",
                         "Unknown", "Zzzz", "Katakana_Or_Hiragana", "Alphabetic", "Hex_Digit",
                         "Hrkt", "Kawi", "L&", "Lc", "LC", "Cn", "Latn", "ANY", "any", "Xan"};
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        char *re = xasprintf("\\p{%s}", ok[i]);
        char *err = NULL;
        struct regex *r = regex_compile(re, true, &err);
        cr_expect_not_null(r, "%s: %s", re, err ? err : "");
        regex_free(r);
        free(err);
        free(re);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *re = xasprintf("\\p{%s}", bad[i]);
        char *want = xasprintf("error parsing regexp: invalid character class range: `%s`", re);
        expect_reject(re, want);
        free(want);
        free(re);
    }
}

Test(regex, unanchored_helper)
{
    char *err = NULL;
    struct regex *r = regex_compile("b+", false, &err);
    cr_assert_not_null(r);
    cr_expect(regex_match(r, "abbbc", 5));
    cr_expect_not(regex_match(r, "ac", 2));
    regex_free(r);
    r = regex_compile("^a$", false, &err);
    cr_expect_not(regex_match(r, "a\n", 2), "$ is end of text only, as in Go");
    cr_expect(regex_match(r, "a", 1));
    regex_free(r);
    cr_expect_null(regex_compile("a\\", false, &err));
    cr_expect_str_eq(err, "error parsing regexp: trailing backslash at end of expression: ``");
    free(err);
    err = NULL;
    cr_expect_null(regex_compile("a)", false, &err));
    cr_expect_str_eq(err, "error parsing regexp: unexpected ): `a)`");
    free(err);
}

Test(regex, subject_with_nul_and_invalid_utf8)
{
    char *err = NULL;
    struct regex *r = regex_compile("a.b", true, &err);
    cr_assert_not_null(r);
    cr_expect(regex_match(r, "a\xff" "b", 3), "an invalid byte reads as U+FFFD");
    cr_expect(regex_match(r, "a\0b", 3));
    regex_free(r);
    r = regex_compile("\\x{FFFD}+", true, &err);
    cr_expect(regex_match(r, "\xff\xfe", 2));
    regex_free(r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(regex, catastrophic_patterns_are_bounded, .timeout = 20)
{
    const char *pats[] = {"(a+)+$", "(a|aa)+$", "(a*)*c", "(.*a){20}", "((a+)+)+b+c"};
    size_t n = 100000;
    char *s = xmalloc(n + 2);
    memset(s, 'a', n);
    s[n] = 'b';
    s[n + 1] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(pats); i++) {
        char *err = NULL;
        struct regex *r = regex_compile(pats[i], true, &err);
        cr_assert_not_null(r, "%s", pats[i]);
        const size_t lens[] = {31, 1001, n + 1};
        for (size_t k = 0; k < ARRAY_SIZE(lens); k++) {
            size_t len = lens[k];
            double t0 = now_s();
            cr_expect_not(regex_match(r, s + n + 1 - len, len), "%s", pats[i]);
            cr_expect_lt(now_s() - t0, 2.0, "%s took too long on %zu bytes", pats[i], len);
        }
        regex_free(r);
    }
    free(s);
}

Test(regex, backtracking_blowup_still_answers_short_inputs)
{
    /* Backtracking gives up on the first branch; the DFA retry finds the
     * second, as RE2 would. */
    char *err = NULL;
    struct regex *r = regex_compile("(a+)+x|a*b", true, &err);
    cr_assert_not_null(r);
    cr_expect(regex_match(r, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 40));
    regex_free(r);
}

Test(regex, quote_meta)
{
    char *q = regex_quote_meta("a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o-p");
    cr_expect_str_eq(q, "a\\.b\\+c\\*d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o-p");
    char *err = NULL;
    struct regex *r = regex_compile(q, true, &err);
    cr_assert_not_null(r);
    const char *subject = "a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o-p";
    cr_expect(regex_match(r, subject, strlen(subject)));
    cr_expect_not(regex_match(r, "aXb+c*d?e(f)g|h[i]j{k}l^m$n\\o-p", strlen(subject)));
    regex_free(r);
    free(q);
    q = regex_quote_meta("");
    cr_expect_str_eq(q, "");
    free(q);
}

Test(regex, repeat_limits)
{
    char *err = NULL;
    struct regex *r = regex_compile("a{1000}", true, &err);
    cr_expect_not_null(r);
    regex_free(r);
    r = regex_compile("(?:a{10}){100}", true, &err);
    cr_expect_not_null(r);
    regex_free(r);
    expect_reject("((a{10}){10}){11}", "error parsing regexp: invalid repeat count: `{11}`");
    expect_reject("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`");
    /* {0} stops the product, as Go's repeatIsValid does. */
    r = regex_compile("(a{0}){1000}", true, &err);
    cr_expect_not_null(r, "%s", err ? err : "");
    regex_free(r);
}

static char *nest(const char *open, size_t depth, const char *inner)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < depth; i++)
        strbuf_puts(&sb, open);
    strbuf_puts(&sb, inner);
    for (size_t i = 0; i < depth; i++)
        strbuf_putc(&sb, ')');
    return strbuf_detach(&sb);
}

Test(regex, nesting_depth)
{
    /* 0.25 accepts 998 nested captures in a matcher and refuses 999. */
    char *err = NULL;
    char *re = nest("(", 998, "a");
    struct regex *r = regex_compile(re, true, &err);
    cr_expect_not_null(r, "%s", err ? err : "");
    cr_expect(regex_match(r, "a", 1));
    regex_free(r);
    free(re);
    re = nest("(", 999, "a");
    cr_expect_null(regex_compile(re, true, &err));
    cr_expect(strncmp(err, "error parsing regexp: expression nests too deeply: `^(?:((", 58) == 0, "%s", err);
    free(err);
    free(re);
}

Test(regex, long_folded_literal_compiles)
{
    /* Folded runs stay compact enough for PCRE2's compiled-size limit. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "(?i)");
    for (int i = 0; i < 400; i++)
        strbuf_puts(&sb, "abcdefghij");
    char *err = NULL;
    struct regex *r = regex_compile(strbuf_cstr(&sb), true, &err);
    cr_assert_not_null(r, "%s", err ? err : "");
    char *subject = xstrdup(strbuf_cstr(&sb) + 4);
    subject[0] = 'A';
    cr_expect(regex_match(r, subject, strlen(subject)));
    regex_free(r);
    free(subject);
    strbuf_free(&sb);
}
