/* The JSON reader: Go's syntax error texts and Go's string decoding. */
#include "api/api_internal.h"

#include <criterion/criterion.h>

static char *parse_err(const char *in)
{
    struct jv v;
    char *err = NULL;
    cr_assert_eq(jv_parse(in, strlen(in), &v, &err), JV_ERROR, "%s", in);
    return err;
}

static void expect_err(const char *in, const char *want)
{
    char *err = parse_err(in);
    cr_expect_str_eq(err, want, "input %s", in);
    free(err);
}

Test(json, syntax_errors_use_go_words)
{
    expect_err("[x", "invalid character 'x' looking for beginning of value");
    expect_err("[1 2]", "invalid character '2' after array element");
    expect_err("{\"a\" 1}", "invalid character '1' after object key");
    expect_err("{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair");
    expect_err("{1:1}", "invalid character '1' looking for beginning of object key string");
    expect_err("[-x]", "invalid character 'x' in numeric literal");
    expect_err("[1.x]", "invalid character 'x' after decimal point in numeric literal");
    expect_err("[1ex]", "invalid character 'x' in exponent of numeric literal");
    expect_err("[tx]", "invalid character 'x' in literal true (expecting 'r')");
    expect_err("[\"\\x\"]", "invalid character 'x' in string escape code");
    expect_err("[\"\\u12x4\"]", "invalid character 'x' in \\u hexadecimal character escape");
    expect_err("[1,]", "invalid character ']' looking for beginning of value");
    expect_err("[\"a\nb\"]", "invalid character '\\n' in string literal");
    expect_err("['", "invalid character '\\'' looking for beginning of value");
}

Test(json, truncated_input_is_unexpected_eof)
{
    expect_err("{", "unexpected EOF");
    expect_err("[tru", "unexpected EOF");
    expect_err("[\"abc", "unexpected EOF");
    expect_err("[1.", "unexpected EOF");
}

Test(json, only_whitespace_is_empty)
{
    struct jv v;
    char *err = NULL;
    cr_expect_eq(jv_parse(" \n\t", 3, &v, &err), JV_EMPTY);
    cr_expect_eq(jv_parse("", 0, &v, &err), JV_EMPTY);
}

Test(json, trailing_data_after_the_value_is_ignored)
{
    struct jv v;
    char *err = NULL;
    const char *in = "[1] xx";
    cr_assert_eq(jv_parse(in, strlen(in), &v, &err), JV_OK);
    cr_expect_eq(v.type, JV_ARRAY);
    cr_expect_eq(v.n, 1);
    cr_expect_str_eq(v.elems[0].s, "1");
    jv_free(&v);
}

Test(json, strings_decode_like_go)
{
    struct jv v;
    char *err = NULL;
    const char in[] = "[\"\xff" "a\", \"\\ud83d\\ude00\", \"\\ud800x\", \"\\u00e9\\n\"]";
    cr_assert_eq(jv_parse(in, strlen(in), &v, &err), JV_OK);
    cr_expect_str_eq(v.elems[0].s, "\xef\xbf\xbd" "a");
    cr_expect_str_eq(v.elems[1].s, "\xf0\x9f\x98\x80");
    cr_expect_str_eq(v.elems[2].s, "\xef\xbf\xbdx");
    cr_expect_str_eq(v.elems[3].s, "\xc3\xa9\n");
    jv_free(&v);
}

Test(json, objects_keep_duplicates_in_order)
{
    struct jv v;
    char *err = NULL;
    const char *in = "{\"a\":1,\"A\":true,\"a\":null}";
    cr_assert_eq(jv_parse(in, strlen(in), &v, &err), JV_OK);
    cr_assert_eq(v.n, 3);
    cr_expect_str_eq(v.keys[1], "A");
    cr_expect_eq(v.elems[1].type, JV_BOOL);
    cr_expect_str_eq(jv_kind(&v.elems[0]), "number");
    cr_expect_eq(v.elems[2].type, JV_NULL);
    jv_free(&v);
}
