/*
 * Unit tests for labels/ matcher parsing.  Every input below was sent to the
 * real Alertmanager 0.25 (API `filter` for one matcher, `amtool check-config`
 * for matcher lists); the accepted/rejected outcome and every error text are
 * what it answered.  Accepted inputs are shown in Matcher.String() form.
 */
#include "labels/labels.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

struct parse_case {
    const char *input;
    const char *want; /* String() form, or NULL when an error is expected */
    const char *err;
};

static const struct parse_case one_cases[] = {
    {"a=b", "a=\"b\"", NULL},
    {"a = b", "a=\"b\"", NULL},
    {"  a=b  ", "a=\"b\"", NULL},
    {"a=", "a=\"\"", NULL},
    {"a=\"\"", "a=\"\"", NULL},
    {"a=\"", NULL, "matcher value contains unescaped double quote: \""},
    {"a=\"\\\"", NULL, "matcher value contains unescaped double quote: \"\\\""},
    {"a=a\\", "a=\"a\\\\\"", NULL},
    {"a=a\"", NULL, "matcher value contains unescaped double quote: a\""},
    {"a=\"a\"b\"", NULL, "matcher value contains unescaped double quote: \"a\"b\""},
    {"a=\\\"a", "a=\"\\\"a\"", NULL},
    {"a=\"bar\\qux\"", "a=\"bar\\\\qux\"", NULL},
    {"a=\"a\\nb\"", "a=\"a\\nb\"", NULL},
    {"a=bar baz", "a=\"bar baz\"", NULL},
    {"a==x", "a=\"=x\"", NULL},
    {"a!=~x", "a!=\"~x\"", NULL},
    {"a=~", "a=~\"\"", NULL},
    {"a!", NULL, "bad matcher format: a!"},
    {"1a=b", NULL, "bad matcher format: 1a=b"},
    {"=b", NULL, "bad matcher format: =b"},
    {"a", NULL, "bad matcher format: a"},
    {"{a=b}", NULL, "bad matcher format: {a=b}"},
    {"a:b=c", "a:b=\"c\"", NULL},
    {"_a=b", "_a=\"b\"", NULL},
    {"a b=c", NULL, "bad matcher format: a b=c"},
    {"a=\"a\",\"b\"", NULL, "matcher value contains unescaped double quote: \"a\",\"b\""},
    {"a=~(", NULL, "error parsing regexp: missing closing ): `^(?:()$`"},
    {"a=~[a", NULL, "error parsing regexp: missing closing ]: `[a)$`"},
    {"a=~a)", NULL, "error parsing regexp: unexpected ): `^(?:a))$`"},
    {"a=~(?=x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
    {"a=~(?!x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"},
    {"a=~(?<=x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"},
    {"a=~(?<!x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"},
    {"a=~(?>x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?>`"},
    {"a=~a**", NULL, "error parsing regexp: invalid nested repetition operator: `**`"},
    {"a=~a*?*", NULL, "error parsing regexp: invalid nested repetition operator: `*?*`"},
    {"a=~a++", NULL, "error parsing regexp: invalid nested repetition operator: `++`"},
    {"a=~a?+", NULL, "error parsing regexp: invalid nested repetition operator: `?+`"},
    {"a=~*", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~\\q", NULL, "error parsing regexp: invalid escape sequence: `\\q`"},
    {"a=~[z-a]", NULL, "error parsing regexp: invalid character class range: `z-a`"},
    {"a=~a{1001}", NULL, "error parsing regexp: invalid repeat count: `{1001}`"},
    {"a=~a{1000}", "a=~\"a{1000}\"", NULL},
    {"a=~(a{500}){3}", NULL, "error parsing regexp: invalid repeat count: `{3}`"},
    {"a=~(a{500}){2}", "a=~\"(a{500}){2}\"", NULL},
    {"a=~(?:a{10}){100}", "a=~\"(?:a{10}){100}\"", NULL},
    {"a=~((a{10}){10}){11}", NULL, "error parsing regexp: invalid repeat count: `{11}`"},
    {"a=~a{2,1}", NULL, "error parsing regexp: invalid repeat count: `{2,1}`"},
    {"a=~a{,5}", "a=~\"a{,5}\"", NULL},
    {"a=~a{01}", "a=~\"a{01}\"", NULL},
    {"a=~\\", NULL, "error parsing regexp: missing closing ): `^(?:\\)$`"},
    {"a=~\\p", NULL, "error parsing regexp: invalid character class range: `\\p)`"},
    {"a=~\\pX", NULL, "error parsing regexp: invalid character class range: `\\pX`"},
    {"a=~\\pL", "a=~\"\\\\pL\"", NULL},
    {"a=~\\p{Greek}", "a=~\"\\\\p{Greek}\"", NULL},
    {"a=~\\p{Grek}", NULL, "error parsing regexp: invalid character class range: `\\p{Grek}`"},
    {"a=~\\p{greek}", NULL, "error parsing regexp: invalid character class range: `\\p{greek}`"},
    {"a=~\\p{^Greek}", "a=~\"\\\\p{^Greek}\"", NULL},
    {"a=~\\p{Foo}", NULL, "error parsing regexp: invalid character class range: `\\p{Foo}`"},
    {"a=~\\p{Greek", NULL, "error parsing regexp: invalid character class range: `\\p{Greek)$`"},
    {"a=~[[:foo:]]", NULL, "error parsing regexp: invalid character class range: `[:foo:]`"},
    {"a=~[[:alpha:]]", "a=~\"[[:alpha:]]\"", NULL},
    {"a=~[[:^alpha:]]", "a=~\"[[:^alpha:]]\"", NULL},
    {"a=~[[:alpha:]", NULL, "error parsing regexp: missing closing ]: `[[:alpha:])$`"},
    {"a=~\\1", NULL, "error parsing regexp: invalid escape sequence: `\\1`"},
    {"a=~(a)\\1", NULL, "error parsing regexp: invalid escape sequence: `\\1`"},
    {"a=~\\12", "a=~\"\\\\12\"", NULL},
    {"a=~\\8", NULL, "error parsing regexp: invalid escape sequence: `\\8`"},
    {"a=~\\0", "a=~\"\\\\0\"", NULL},
    {"a=~\\x", NULL, "error parsing regexp: invalid escape sequence: `\\x)$`"},
    {"a=~\\x4", NULL, "error parsing regexp: invalid escape sequence: `\\x4)`"},
    {"a=~\\x41", "a=~\"\\\\x41\"", NULL},
    {"a=~\\x{41}", "a=~\"\\\\x{41}\"", NULL},
    {"a=~\\x{}", NULL, "error parsing regexp: invalid escape sequence: `\\x{}`"},
    {"a=~\\x{zz}", NULL, "error parsing regexp: invalid escape sequence: `\\x{z`"},
    {"a=~\\x{110000}", NULL, "error parsing regexp: invalid escape sequence: `\\x{110000`"},
    {"a=~\\K", NULL, "error parsing regexp: invalid escape sequence: `\\K`"},
    {"a=~a\\Kb", NULL, "error parsing regexp: invalid escape sequence: `\\K`"},
    {"a=~\\Z", NULL, "error parsing regexp: invalid escape sequence: `\\Z`"},
    {"a=~\\z", "a=~\"\\\\z\"", NULL},
    {"a=~\\A", "a=~\"\\\\A\"", NULL},
    {"a=~\\C", NULL, "error parsing regexp: invalid escape sequence: `\\C`"},
    {"a=~\\e", NULL, "error parsing regexp: invalid escape sequence: `\\e`"},
    {"a=~\\G", NULL, "error parsing regexp: invalid escape sequence: `\\G`"},
    {"a=~\\R", NULL, "error parsing regexp: invalid escape sequence: `\\R`"},
    {"a=~\\h", NULL, "error parsing regexp: invalid escape sequence: `\\h`"},
    {"a=~\\X", NULL, "error parsing regexp: invalid escape sequence: `\\X`"},
    {"a=~\\Qa.b\\E", "a=~\"\\\\Qa.b\\\\E\"", NULL},
    {"a=~\\Qa.b", NULL, "error parsing regexp: missing closing ): `^(?:\\Qa.b)$`"},
    {"a=~(?P<n>x)", "a=~\"(?P<n>x)\"", NULL},
    {"a=~(?P<n", NULL, "error parsing regexp: invalid named capture: `(?P<n)$`"},
    {"a=~(?P<>x)", NULL, "error parsing regexp: invalid named capture: `(?P<>`"},
    {"a=~(?P<n-1>x)", NULL, "error parsing regexp: invalid named capture: `(?P<n-1>`"},
    {"a=~(?<n>x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"},
    {"a=~(?P=n)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"},
    {"a=~(?i)abc", "a=~\"(?i)abc\"", NULL},
    {"a=~(?i", NULL, "error parsing regexp: missing closing ): `^(?:(?i)$`"},
    {"a=~(?)", "a=~\"(?)\"", NULL},
    {"a=~(?-)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?-)`"},
    {"a=~(?i-)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"},
    {"a=~(?-i)a", "a=~\"(?-i)a\"", NULL},
    {"a=~(?#x)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?#`"},
    {"a=~(?|a)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?|`"},
    {"a=~(?R)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?R`"},
    {"a=~(?1)", NULL, "error parsing regexp: invalid or unsupported Perl syntax: `(?1`"},
    {"a=~(*FAIL)", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~(*)", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~x|*", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~(*)", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~(?i)*", NULL, "error parsing regexp: missing argument to repetition operator: `*`"},
    {"a=~a(?i)*", "a=~\"a(?i)*\"", NULL},
    {"a=~^*", "a=~\"^*\"", NULL},
    {"a=~$*", "a=~\"$*\"", NULL},
    {"a=~\\b*", "a=~\"\\\\b*\"", NULL},
    {"a=~[]a]", "a=~\"[]a]\"", NULL},
    {"a=~[]", NULL, "error parsing regexp: missing closing ]: `[])$`"},
    {"a=~[^]", NULL, "error parsing regexp: missing closing ]: `[^])$`"},
    {"a=~[a-]", "a=~\"[a-]\"", NULL},
    {"a=~[-a]", "a=~\"[-a]\"", NULL},
    {"a=~[a-\\d]", NULL, "error parsing regexp: invalid escape sequence: `\\d`"},
    {"a=~[\\d-z]", "a=~\"[\\\\d-z]\"", NULL},
    {"a=~[\\Q]", NULL, "error parsing regexp: invalid escape sequence: `\\Q`"},
    {"a=~[\\z]", NULL, "error parsing regexp: invalid escape sequence: `\\z`"},
    {"a=~[\\b]", NULL, "error parsing regexp: invalid escape sequence: `\\b`"},
    {"a=~\\pN+", "a=~\"\\\\pN+\"", NULL},
    {"a=~[\\p{Foo}]", NULL, "error parsing regexp: invalid character class range: `\\p{Foo}`"},
    {"a=~a{1,1001}", NULL, "error parsing regexp: invalid repeat count: `{1,1001}`"},
    {"a=~a{1000,}", "a=~\"a{1000,}\"", NULL},
    {"a=~a{1001,}", NULL, "error parsing regexp: invalid repeat count: `{1001,}`"},
    {"a=~x{2}{3}", NULL, "error parsing regexp: invalid nested repetition operator: `{2}{3}`"},
    {"a=~a{2}*", NULL, "error parsing regexp: invalid nested repetition operator: `{2}*`"},
    {"a=~.*", "a=~\".*\"", NULL},
    {"a=~a|b|", "a=~\"a|b|\"", NULL},
    {"a=~()", "a=~\"()\"", NULL},
    {"a=~(?:)", "a=~\"(?:)\"", NULL},
    {"a=~(?:)*", "a=~\"(?:)*\"", NULL},
    {"a=~[a", NULL, "error parsing regexp: missing closing ]: `[a)$`"},
    {"a=~[a\\]", NULL, "error parsing regexp: missing closing ]: `[a\\])$`"},
    {"a=~x[a", NULL, "error parsing regexp: missing closing ]: `[a)$`"},
};

static const struct parse_case list_cases[] = {
    {"{a=\"b\",c!=d}", "a=\"b\",c!=\"d\"", NULL},
    {"a=\"b\", c!=d", "a=\"b\",c!=\"d\"", NULL},
    {"{}", "", NULL},
    {"", "", NULL},
    {" {a=b} ", NULL, "bad matcher format: {a=b}"},
    {"{a=b", "a=\"b\"", NULL},
    {"a=b}", "a=\"b\"", NULL},
    {"a=b,,c=d", NULL, "bad matcher format: "},
    {"a=b,", "a=\"b\"", NULL},
    {"a=b, 1x", NULL, "bad matcher format: 1x"},
    {" 1x,a=b", NULL, "bad matcher format:  1x"},
    {"a=\"x,y\",b=c", "a=\"x,y\",b=\"c\"", NULL},
    {"a=\"x\\\",y\",b=c", "a=\"x\\\",y\",b=\"c\"", NULL},
    {"a=x\\,y", NULL, "bad matcher format: y"},
    {"a=\"\\\\\",b=c", "a=\"\\\\\",b=\"c\"", NULL},
    {"{a=~\"(\",b=c}", NULL, "error parsing regexp: missing closing ): `^(?:()$`"},
    {"a=b,c", NULL, "bad matcher format: c"},
    {",a=b", NULL, "bad matcher format: "},
    {"{a=\"b}\"}", "a=\"b}\"", NULL},
    {"{{a=b}}", NULL, "bad matcher format: {a=b}"},
    {"a=\"b\" , c=\"d\"", "a=\"b\",c=\"d\"", NULL},
    {"a=b,c=d}", "a=\"b\",c=\"d\"", NULL},
};

Test(parse, matcher_table)
{
    for (size_t i = 0; i < ARRAY_SIZE(one_cases); i++) {
        const struct parse_case *c = &one_cases[i];
        struct matcher m;
        char *err = NULL;
        int rc = matcher_parse(c->input, &m, &err);
        if (c->err) {
            cr_expect_eq(rc, -1, "input %s", c->input);
            cr_expect_str_eq(err ? err : "", c->err, "input %s", c->input);
            free(err);
            continue;
        }
        cr_expect_eq(rc, 0, "input %s: %s", c->input, err ? err : "");
        if (rc == 0) {
            struct strbuf sb = STRBUF_INIT;
            matcher_format(&m, &sb);
            cr_expect_str_eq(strbuf_cstr(&sb), c->want, "input %s", c->input);
            strbuf_free(&sb);
            matcher_free(&m);
        }
        free(err);
    }
}

Test(parse, matchers_table)
{
    for (size_t i = 0; i < ARRAY_SIZE(list_cases); i++) {
        const struct parse_case *c = &list_cases[i];
        struct matchers ms = MATCHERS_INIT;
        char *err = NULL;
        int rc = matchers_parse(c->input, &ms, &err);
        if (c->err) {
            cr_expect_eq(rc, -1, "input %s", c->input);
            cr_expect_str_eq(err ? err : "", c->err, "input %s", c->input);
            cr_expect_eq(ms.len, 0, "input %s: nothing appended on error", c->input);
        } else {
            cr_expect_eq(rc, 0, "input %s: %s", c->input, err ? err : "");
            struct strbuf sb = STRBUF_INIT;
            for (size_t j = 0; j < ms.len; j++) {
                if (j)
                    strbuf_putc(&sb, ',');
                matcher_format(&ms.items[j], &sb);
            }
            cr_expect_str_eq(strbuf_cstr(&sb), c->want, "input %s", c->input);
            strbuf_free(&sb);
        }
        matchers_free(&ms);
        free(err);
    }
}

static char *parse_value(const char *input)
{
    struct matcher m;
    char *err = NULL;
    if (matcher_parse(input, &m, &err) < 0) {
        free(err);
        return NULL;
    }
    char *v = xstrdup(m.value);
    matcher_free(&m);
    return v;
}

Test(parse, value_unescaping)
{
    struct {
        const char *input, *value;
    } cases[] = {
        {"a=\"x\\\"y\"", "x\"y"},  {"a=\"x\\\\y\"", "x\\y"}, {"a=\"x\\ny\"", "x\ny"},
        {"a=\"x\\ty\"", "x\\ty"},  {"a=x\\", "x\\"},         {"a=\\\"x", "\"x"},
        {"a=bar baz", "bar baz"}, {"a==x", "=x"},           {"a=  \" x \"  ", " x "},
        {"a=", ""},               {"a=\"\"", ""},           {"a=\"\xc3\xa9\"", "\xc3\xa9"},
        {"a=x\ny", "x\ny"},      {"a=\"x\\\\\\\"\"", "x\\\""}, {"a=x\\\\\\\\y", "x\\\\y"},
        {"a=\"\\\\n\"", "\\n"},   {"a=x\\qy", "x\\qy"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *v = parse_value(cases[i].input);
        cr_expect_str_eq(v ? v : "(error)", cases[i].value, "input %s", cases[i].input);
        free(v);
    }
}

Test(parse, types_and_names)
{
    struct matcher m;
    char *err = NULL;
    cr_assert_eq(matcher_parse("job:x !~ \"a|b\"", &m, &err), 0);
    cr_expect_eq(m.type, MATCH_NOT_REGEXP);
    cr_expect_str_eq(m.name, "job:x");
    cr_expect_str_eq(m.value, "a|b");
    matcher_free(&m);
    cr_assert_eq(matcher_parse("a!=~x", &m, &err), 0);
    cr_expect_eq(m.type, MATCH_NOT_EQUAL);
    cr_expect_str_eq(m.value, "~x");
    matcher_free(&m);
}

Test(parse, invalid_utf8)
{
    struct matcher m;
    char *err = NULL;
    cr_expect_eq(matcher_parse("a=\"\xff\"", &m, &err), -1);
    cr_expect_str_eq(err, "matcher value not valid UTF-8: \"\xff\"");
    free(err);
    /* The list parser reads runes like Go's range loop: bad bytes become
     * U+FFFD before the single-matcher parser sees them. */
    struct matchers ms = MATCHERS_INIT;
    err = NULL;
    cr_expect_eq(matchers_parse("a=\xff", &ms, &err), 0);
    cr_assert_eq(ms.len, 1);
    cr_expect_str_eq(ms.items[0].value, "\xef\xbf\xbd");
    matchers_free(&ms);
}

Test(parse, matchers_appends)
{
    struct matchers ms = MATCHERS_INIT;
    char *err = NULL;
    cr_assert_eq(matchers_parse("a=b", &ms, &err), 0);
    cr_assert_eq(matchers_parse("{c=~d, e!=f}", &ms, &err), 0);
    cr_assert_eq(matchers_parse("{x=\"(\"", &ms, &err), 0);
    cr_expect_eq(matchers_parse("g=~(", &ms, &err), -1);
    free(err);
    cr_assert_eq(ms.len, 4);
    cr_expect_str_eq(ms.items[0].name, "a");
    cr_expect_str_eq(ms.items[2].name, "e");
    cr_expect_str_eq(ms.items[3].value, "(");
    matchers_free(&ms);
}
