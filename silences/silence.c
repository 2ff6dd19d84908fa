/*
 * silence.c: one silence on its own: lifetime, state at a given time, and
 * Alertmanager 0.25's validation (validateSilence / validateMatcher).
 *
 * Matchers are normally compiled, but a regex matcher that does not compile
 * is kept with re == NULL: the API must be able to hand such a matcher to
 * silences_set, which reports it only after the time and id checks, as
 * Alertmanager does, and a peer's garbage must survive a round trip.  Nothing
 * here touches the store.
 */
#include "silences/silences_internal.h"

#include <stdlib.h>

const char *silence_state_name(enum silence_state st)
{
    switch (st) {
    case SILENCE_ACTIVE:
        return "active";
    case SILENCE_PENDING:
        return "pending";
    case SILENCE_EXPIRED:
        break;
    }
    return "expired";
}

void silence_init(struct silence *s)
{
    memset(s, 0, sizeof *s);
    s->created_by = xstrdup("");
    s->comment = xstrdup("");
}

static bool matcher_type_is_regex(enum matcher_type t)
{
    return t == MATCH_REGEXP || t == MATCH_NOT_REGEXP;
}

bool sil_matcher_compiled(const struct matcher *m)
{
    return !matcher_type_is_regex(m->type) || m->re != NULL;
}

bool sil_matchers_compiled(const struct silence *s)
{
    for (size_t i = 0; i < s->matchers.len; i++)
        if (!sil_matcher_compiled(&s->matchers.items[i]))
            return false;
    return true;
}

/* matcher_free takes an uncompiled matcher too (re == NULL). */
void silence_free(struct silence *s)
{
    matchers_free(&s->matchers);
    free(s->created_by);
    free(s->comment);
    free(s->extra);
    memset(s, 0, sizeof *s);
}

/* matcher_copy recompiles and aborts on failure, so an uncompiled matcher
 * is copied by hand. */
static void matcher_dup(struct matcher *dst, const struct matcher *src)
{
    if (sil_matcher_compiled(src)) {
        matcher_copy(dst, src);
        return;
    }
    dst->type = src->type;
    dst->name = xstrdup(src->name);
    dst->value = xstrdup(src->value);
    dst->re = NULL;
}

void silence_copy(struct silence *dst, const struct silence *src)
{
    memcpy(dst->id, src->id, sizeof dst->id);
    dst->matchers = (struct matchers)MATCHERS_INIT;
    for (size_t i = 0; i < src->matchers.len; i++) {
        struct matcher m;
        matcher_dup(&m, &src->matchers.items[i]);
        matchers_add(&dst->matchers, &m);
    }
    dst->starts_at = src->starts_at;
    dst->ends_at = src->ends_at;
    dst->updated_at = src->updated_at;
    dst->created_by = xstrdup(src->created_by ? src->created_by : "");
    dst->comment = xstrdup(src->comment ? src->comment : "");
    dst->extra = NULL;
    dst->extra_len = src->extra_len;
    if (src->extra_len) {
        dst->extra = xmalloc(src->extra_len);
        memcpy(dst->extra, src->extra, src->extra_len);
    }
}

void sil_move(struct silence *dst, struct silence *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}

void silence_add_matcher(struct silence *s, enum matcher_type type, const char *name,
                         const char *value)
{
    struct matcher m;
    char *err = NULL;
    if (matcher_init(&m, type, name, value, &err) != 0) {
        free(err);
        m.type = type;
        m.name = xstrdup(name);
        m.value = xstrdup(value);
        m.re = NULL;
    }
    matchers_add(&s->matchers, &m);
}

/* Go's time.Before/After: the state flips only strictly after the bound, so
 * a silence expired "now" (endsAt = now) still reads as active at that very
 * nanosecond and as expired from the next one on. */
enum silence_state silence_state_at(const struct silence *s, int64_t now)
{
    if (now < s->starts_at)
        return SILENCE_PENDING;
    if (now > s->ends_at)
        return SILENCE_EXPIRED;
    return SILENCE_ACTIVE;
}

bool sil_matchers_equal(const struct silence *a, const struct silence *b)
{
    if (a->matchers.len != b->matchers.len)
        return false;
    for (size_t i = 0; i < a->matchers.len; i++) {
        const struct matcher *x = &a->matchers.items[i], *y = &b->matchers.items[i];
        if (x->type != y->type || strcmp(x->name, y->name) != 0 ||
            strcmp(x->value, y->value) != 0)
            return false;
    }
    return true;
}

static char *go_quoted(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_go_quote(&sb, s);
    return strbuf_detach(&sb);
}

static char *reason_with_quoted(const char *fmt_before, const char *subject, const char *after)
{
    char *q = go_quoted(subject);
    char *r = xasprintf("%s%s%s", fmt_before, q, after);
    free(q);
    return r;
}

/* validateMatcher: the regex is compiled unanchored, as Alertmanager does
 * here, so Go's error names the pattern as the user wrote it. */
static char *matcher_check(const struct matcher *m)
{
    if (!label_name_valid(m->name))
        return reason_with_quoted("invalid label name ", m->name, "");
    if (!matcher_type_is_regex(m->type)) {
        if (!utf8_valid(m->value, strlen(m->value)))
            return reason_with_quoted("invalid label value ", m->value, "");
        return NULL;
    }
    char *err = NULL;
    struct regex *re = regex_compile(m->value, false, &err);
    if (re) {
        regex_free(re);
        return NULL;
    }
    char *tail = xasprintf(": %s", err ? err : "error parsing regexp");
    char *r = reason_with_quoted("invalid regular expression ", m->value, tail);
    free(tail);
    free(err);
    return r;
}

/* Only = and =~ can match an absent label; an unanchored match against ""
 * can only be the empty match at offset 0, so the anchored matcher answers
 * the same question Go's regexp.MatchString(pattern, "") does. */
static bool matcher_matches_empty(const struct matcher *m)
{
    if (m->type == MATCH_EQUAL)
        return m->value[0] == '\0';
    if (m->type == MATCH_REGEXP)
        return m->re != NULL && matcher_matches(m, "");
    return false;
}

static char *matchers_check(const struct matchers *ms)
{
    if (ms->len == 0)
        return xstrdup("at least one matcher required");
    bool all_match_empty = true;
    for (size_t i = 0; i < ms->len; i++) {
        char *why = matcher_check(&ms->items[i]);
        if (why) {
            char *r = xasprintf("invalid label matcher %zu: %s", i, why);
            free(why);
            return r;
        }
        all_match_empty = all_match_empty && matcher_matches_empty(&ms->items[i]);
    }
    if (all_match_empty)
        return xstrdup("at least one matcher must not match the empty string");
    return NULL;
}

char *sil_validate(const struct silence *s)
{
    if (s->id[0] == '\0')
        return xstrdup("ID missing");
    char *why = matchers_check(&s->matchers);
    if (why)
        return why;
    if (s->starts_at == TIME_ZERO)
        return xstrdup("invalid zero start timestamp");
    if (s->ends_at == TIME_ZERO)
        return xstrdup("invalid zero end timestamp");
    if (s->ends_at < s->starts_at)
        return xstrdup("end time must not be before start time");
    if (s->updated_at == TIME_ZERO)
        return xstrdup("invalid zero update timestamp");
    return NULL;
}
