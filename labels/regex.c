/*
 * labels/regex.c: compiled regexes on PCRE2 with bounded matching.
 *
 * Go's RE2 engine runs in linear time, so Alertmanager never stalls on a
 * pattern; PCRE2 backtracks.  Every match therefore runs under a match limit
 * (and the JIT when the library has it).  When the backtracking matcher gives
 * up, the pattern is retried with PCRE2's DFA matcher, which explores all
 * paths at once and so answers nested-quantifier patterns like (a+)+$ in
 * linear time; only if that fails too does the match count as no match.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "labels/re2.h"
#include "util/util.h"

#define REGEX_MATCH_LIMIT 1000000
#define REGEX_DEPTH_LIMIT 10000
#define REGEX_HEAP_LIMIT_KIB (64 * 1024)
/* PCRE2's DFA does not merge equivalent states of nested groups, so its
 * work grows with the subject on the very patterns it is retried for; a
 * small fixed workspace bounds that (WSSIZE then counts as no match). */
#define REGEX_DFA_WORKSPACE 8192
#define REGEX_PARENS_LIMIT 1100

struct regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
    uint32_t match_options; /* PCRE2_ANCHORED for matchers: no retry per offset */
};

/* One per regex rather than a shared global, so nothing here needs locking. */
static pcre2_match_context *regex_match_context_new(void)
{
    pcre2_match_context *ctx = pcre2_match_context_create(NULL);
    if (!ctx)
        abort();
    pcre2_set_match_limit(ctx, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(ctx, REGEX_DEPTH_LIMIT);
    pcre2_set_heap_limit(ctx, REGEX_HEAP_LIMIT_KIB);
    return ctx;
}

static pcre2_code *regex_pcre_compile(const char *pattern, size_t len, int *errcode)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc)
        abort();
    pcre2_set_parens_nest_limit(cc, REGEX_PARENS_LIMIT);
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, len,
                                     PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_NEVER_BACKSLASH_C,
                                     errcode, &erroff, cc);
    pcre2_compile_context_free(cc);
    return code;
}

int regex_property_known(const char *name, size_t len)
{
    char *pat = xasprintf("\\p{sc:%.*s}", (int)len, name);
    int errcode;
    pcre2_code *code = regex_pcre_compile(pat, strlen(pat), &errcode);
    free(pat);
    pcre2_code_free(code);
    return code != NULL;
}

struct regex *regex_compile(const char *pattern, bool anchored, char **err)
{
    char *go = anchored ? xasprintf("^(?:%s)$", pattern) : xstrdup(pattern);
    struct strbuf pcre = STRBUF_INIT;
    pcre2_code *code = NULL;
    if (re2_translate(go, &pcre, err) == 0) {
        int errcode;
        code = regex_pcre_compile(strbuf_cstr(&pcre), pcre.len, &errcode);
        /* The translation only emits what PCRE2 accepts, so a failure here
         * is one of its size limits (a big {n} of a group is copied n
         * times); Go has a limit of the same name, set higher. */
        if (!code)
            *err = xasprintf("error parsing regexp: expression too large: `%s`", go);
    }
    free(go);
    strbuf_free(&pcre);
    if (!code)
        return NULL;
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* interpreter if unavailable */
    struct regex *re = xmalloc(sizeof *re);
    re->code = code;
    re->mctx = regex_match_context_new();
    re->match_options = anchored ? PCRE2_ANCHORED : 0;
    return re;
}

void regex_free(struct regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re);
}

/* Go reads each invalid byte as U+FFFD; PCRE2 in UTF mode refuses such
 * subjects, so they are rewritten the same way first. */
static char *regex_sanitize(const char *s, size_t len, size_t *out_len)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
        if (n == 0 || i + n > len || !utf8_valid(s + i, n)) {
            strbuf_add(&sb, "\xef\xbf\xbd", 3);
            i++;
            continue;
        }
        strbuf_add(&sb, s + i, n);
        i += n;
    }
    *out_len = sb.len;
    return strbuf_detach(&sb);
}

/* Matching only asks whether there is a match, so one small match block per
 * thread serves every regex and saves an allocation per label test. */
static pcre2_match_data *regex_thread_match_data(void)
{
    static _Thread_local pcre2_match_data *md;
    if (!md && !(md = pcre2_match_data_create(1, NULL)))
        abort();
    return md;
}

static int regex_dfa(const struct regex *re, const char *s, size_t len)
{
    int *work = xmalloc(REGEX_DFA_WORKSPACE * sizeof *work);
    int rc = pcre2_dfa_match(re->code, (PCRE2_SPTR)s, len, 0,
                             PCRE2_NO_UTF_CHECK | re->match_options, regex_thread_match_data(),
                             re->mctx, work, REGEX_DFA_WORKSPACE);
    free(work);
    return rc;
}

static bool regex_match_valid(const struct regex *re, const char *s, size_t len)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK | re->match_options,
                         regex_thread_match_data(), re->mctx);
    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    rc = regex_dfa(re, s, len);
    if (rc >= 0)
        return true;
    if (rc != PCRE2_ERROR_NOMATCH)
        log_kv(LOG_DEBUG, "regex match gave up; counting it as no match", NULL);
    return false;
}

bool regex_match(const struct regex *re, const char *s, size_t len)
{
    if (utf8_valid(s, len))
        return regex_match_valid(re, s, len);
    size_t n;
    char *clean = regex_sanitize(s, len, &n);
    bool ok = regex_match_valid(re, clean, n);
    free(clean);
    return ok;
}

char *regex_quote_meta(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    for (; *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s))
            strbuf_putc(&sb, '\\');
        strbuf_putc(&sb, *s);
    }
    return strbuf_detach(&sb);
}
