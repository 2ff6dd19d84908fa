/*
 * labels/matcher.c: label matchers (=, !=, =~, !~) and sets of them, with
 * Alertmanager 0.25's semantics: regexes fully anchored, a missing label
 * matches as the empty string, a set is an AND.
 */
#include "labels/labels.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const char *matcher_type_op(enum matcher_type t)
{
    switch (t) {
    case MATCH_EQUAL: return "=";
    case MATCH_NOT_EQUAL: return "!=";
    case MATCH_REGEXP: return "=~";
    case MATCH_NOT_REGEXP: return "!~";
    }
    return "?";
}

static bool matcher_is_regex(enum matcher_type t)
{
    return t == MATCH_REGEXP || t == MATCH_NOT_REGEXP;
}

int matcher_init(struct matcher *m, enum matcher_type type, const char *name,
                 const char *value, char **err)
{
    struct regex *re = NULL;
    if (matcher_is_regex(type)) {
        re = regex_compile(value, true, err);
        if (!re)
            return -1;
    }
    m->type = type;
    m->name = xstrdup(name);
    m->value = xstrdup(value);
    m->re = re;
    return 0;
}

void matcher_free(struct matcher *m)
{
    free(m->name);
    free(m->value);
    regex_free(m->re);
    m->name = m->value = NULL;
    m->re = NULL;
}

/* Recompiles rather than sharing: compiled code has one owner, and a
 * pattern that compiled once compiles again. */
void matcher_copy(struct matcher *dst, const struct matcher *src)
{
    char *err = NULL;
    if (matcher_init(dst, src->type, src->name, src->value, &err) < 0)
        abort();
}

bool matcher_matches(const struct matcher *m, const char *value)
{
    switch (m->type) {
    case MATCH_EQUAL: return strcmp(value, m->value) == 0;
    case MATCH_NOT_EQUAL: return strcmp(value, m->value) != 0;
    case MATCH_REGEXP: return regex_match(m->re, value, strlen(value));
    case MATCH_NOT_REGEXP: return !regex_match(m->re, value, strlen(value));
    }
    return false;
}

/* 0.25's Matcher.String() escapes only backslash, newline and double quote
 * (openMetricsEscape), not strconv.Quote: a tab or U+00A0 in a route
 * matcher shows up raw in the real binary's group keys. */
void matcher_format(const struct matcher *m, struct strbuf *out)
{
    strbuf_puts(out, m->name);
    strbuf_puts(out, matcher_type_op(m->type));
    strbuf_putc(out, '"');
    for (const char *p = m->value; *p; p++) {
        if (*p == '\\')
            strbuf_puts(out, "\\\\");
        else if (*p == '\n')
            strbuf_puts(out, "\\n");
        else if (*p == '"')
            strbuf_puts(out, "\\\"");
        else
            strbuf_putc(out, *p);
    }
    strbuf_putc(out, '"');
}

bool matcher_equal(const struct matcher *a, const struct matcher *b)
{
    return a->type == b->type && strcmp(a->name, b->name) == 0 &&
           strcmp(a->value, b->value) == 0;
}

void matchers_free(struct matchers *ms)
{
    for (size_t i = 0; i < ms->len; i++)
        matcher_free(&ms->items[i]);
    free(ms->items);
    ms->items = NULL;
    ms->len = 0;
}

void matchers_add(struct matchers *ms, struct matcher *m)
{
    ms->items = xrealloc(ms->items, (ms->len + 1) * sizeof *ms->items);
    ms->items[ms->len++] = *m;
    memset(m, 0, sizeof *m);
}

bool matchers_match(const struct matchers *ms, const struct labelset *ls)
{
    for (size_t i = 0; i < ms->len; i++) {
        const char *v = labelset_get(ls, ms->items[i].name);
        if (!matcher_matches(&ms->items[i], v ? v : ""))
            return false;
    }
    return true;
}
