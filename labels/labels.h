/*
 * labels: label sets, their fingerprints and ordering, and label matchers.
 *
 * A label set is kept sorted by name with unique names, so fingerprints,
 * comparisons and string forms are computed in one pass.  Matchers follow
 * Alertmanager 0.25's classic parser and RE2-style fully anchored regexes; the
 * regexes run on PCRE2 (JIT when available) with match and depth limits, so a
 * hostile pattern is bounded (a match that hits the limit counts as no match)
 * and constructs RE2 rejects (backreferences, lookaround, possessive
 * quantifiers...) are rejected with Go's error text.
 *
 * This module knows nothing about alerts, silences, I/O or the loop.
 */
#ifndef CHORUS_LABELS_H
#define CHORUS_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct label {
    char *name;
    char *value;
};

/* Sorted by name (byte order), names unique.  Owns its strings. */
struct labelset {
    struct label *items;
    size_t len;
    size_t cap;
};
#define LABELSET_INIT {NULL, 0, 0}

void labelset_free(struct labelset *ls);
/* dst is overwritten, not freed first. */
void labelset_copy(struct labelset *dst, const struct labelset *src);
/* Sets name=value, replacing an existing value; keeps the set sorted. */
void labelset_set(struct labelset *ls, const char *name, const char *value);
bool labelset_remove(struct labelset *ls, const char *name);
/* NULL when absent. */
const char *labelset_get(const struct labelset *ls, const char *name);
bool labelset_equal(const struct labelset *a, const struct labelset *b);
/* Prometheus model.LabelSet.Before (how 0.25 orders alert groups): negative,
 * 0 or positive.  The set with fewer labels sorts first; for equal sizes the
 * union of names is walked in order and the side missing a name sorts first,
 * else the first differing value decides.  (Checked against the 0.25 binary:
 * {b="0"} < {a="1"} < {a="0",b="x"}.) */
int labelset_compare(const struct labelset *a, const struct labelset *b);

/* Prometheus' label-set fingerprint: FNV-1a 64 over name 0xFF value 0xFF for
 * each label in name order.  The empty set hashes to the FNV offset basis. */
uint64_t labelset_fingerprint(const struct labelset *ls);
/* The 16-lowercase-hex-digit form the API shows. */
void fingerprint_format(uint64_t fp, char out[17]);
/* Prometheus LabelSet.String(): {a="b", c="d"} (Go-quoted values, ", "),
 * ordered by the formatted `name="value"` strings as 0.25 does, so
 * a1="x" comes before a="y". */
void labelset_format(const struct labelset *ls, struct strbuf *out);

/* [a-zA-Z_][a-zA-Z0-9_]* */
bool label_name_valid(const char *name);

enum matcher_type {
    MATCH_EQUAL = 0,     /* = */
    MATCH_NOT_EQUAL = 1, /* != */
    MATCH_REGEXP = 2,    /* =~ */
    MATCH_NOT_REGEXP = 3 /* !~ */
};
const char *matcher_type_op(enum matcher_type t); /* "=", "!=", "=~", "!~" */

struct matcher {
    enum matcher_type type;
    char *name;
    char *value; /* the pattern as written, unanchored, for regex types */
    void *re;    /* compiled ^(?:value)$, private to this module */
};

/* Builds a matcher, compiling the regex for regex types.  On error returns -1
 * and sets *err (caller frees) to Go's text, e.g.
 * "error parsing regexp: missing closing ): `^(?:(foo)$`". */
int matcher_init(struct matcher *m, enum matcher_type type, const char *name,
                 const char *value, char **err);
void matcher_free(struct matcher *m);
void matcher_copy(struct matcher *dst, const struct matcher *src);
/* Value matching; a missing label is passed as "". */
bool matcher_matches(const struct matcher *m, const char *value);
/* Matcher.String(): name + op + quoted value, e.g. foo=~"a|b".  0.25 escapes
 * only \\, newline and " (not strconv.Quote): other bytes go out raw. */
void matcher_format(const struct matcher *m, struct strbuf *out);
bool matcher_equal(const struct matcher *a, const struct matcher *b);

struct matchers {
    struct matcher *items;
    size_t len;
};
#define MATCHERS_INIT {NULL, 0}
void matchers_free(struct matchers *ms);
void matchers_add(struct matchers *ms, struct matcher *m); /* takes ownership */
/* Every matcher matches the set (absent label = ""). */
bool matchers_match(const struct matchers *ms, const struct labelset *ls);

/* Alertmanager 0.25 labels.ParseMatcher: one matcher, e.g. `foo=~"bar.*"`,
 * `foo=bar baz`, `foo==x`.  Errors as Go's: "bad matcher format: x",
 * "matcher value contains unescaped double quote: \"b", regex errors. */
int matcher_parse(const char *input, struct matcher *out, char **err);
/* labels.ParseMatchers: `{a="b",c!=d}` or `a="b", c!=d`, split on commas
 * outside quotes; braces optional (stripped without trimming spaces first,
 * as 0.25 does: " {a=b}" is an error).  Appends to out; nothing on error. */
int matchers_parse(const char *input, struct matchers *out, char **err);

/* Go's regexp.QuoteMeta, used for the receiver name in template data. */
char *regex_quote_meta(const char *s);

/* An unanchored regex (template `match`, `reReplaceAll`) for other modules;
 * same limits and error texts as matchers. */
struct regex;
struct regex *regex_compile(const char *pattern, bool anchored, char **err);
bool regex_match(const struct regex *re, const char *s, size_t len);
void regex_free(struct regex *re);

#endif
