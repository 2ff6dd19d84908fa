/*
 * fuzz_matcher: libFuzzer target for the label matcher parsers in labels/
 * (matcher_parse, matchers_parse).  The first byte picks the parser; parsed
 * matchers are formatted (Matcher.String()), re-parsed from that form, which
 * must succeed and give an equal matcher as it does in 0.25, and matched.
 */
#include "fuzz_common.h"
#include "labels/labels.h"
#include "util/util.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct matcher *m)
{
    struct strbuf sb = STRBUF_INIT;
    matcher_format(m, &sb);
    struct matcher again;
    char *err = NULL;
    /* matcher_format is Matcher.String(); ParseMatcher reads it back. */
    if (matcher_parse(strbuf_cstr(&sb), &again, &err) != 0) {
        fprintf(stderr, "re-parse of %s failed: %s\n", strbuf_cstr(&sb), err);
        abort();
    }
    if (!matcher_equal(&again, m)) {
        fprintf(stderr, "re-parse of %s gave another matcher\n", strbuf_cstr(&sb));
        abort();
    }
    matcher_free(&again);
    (void)matcher_matches(m, strbuf_cstr(&sb));
    (void)matcher_matches(m, "");
    strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    char *in = fuzz_cstr(data + 1, size - 1);
    char *err = NULL;
    if (mode & 1) {
        struct matchers ms = MATCHERS_INIT;
        if (matchers_parse(in, &ms, &err) == 0) {
            struct labelset ls = LABELSET_INIT;
            for (size_t i = 0; i < ms.len; i++) {
                check_roundtrip(&ms.items[i]);
                if (label_name_valid(ms.items[i].name))
                    labelset_set(&ls, ms.items[i].name, ms.items[i].value);
            }
            (void)matchers_match(&ms, &ls);
            labelset_free(&ls);
            matchers_free(&ms);
        } else {
            free(err);
        }
    } else {
        struct matcher m;
        if (matcher_parse(in, &m, &err) == 0) {
            check_roundtrip(&m);
            struct matcher c;
            matcher_copy(&c, &m);
            if (!matcher_equal(&c, &m))
                abort(); /* a copy must compare equal */
            matcher_free(&c);
            matcher_free(&m);
        } else {
            free(err);
        }
    }
    free(in);
    return 0;
}
