/*
 * labels/re2.h (private to labels/): reads a pattern in Go's regexp/syntax
 * dialect (Perl flags, as regexp.Compile uses) and rewrites it as an
 * equivalent PCRE2 pattern, so RE2 semantics and Go's exact error texts hold
 * whatever PCRE2 itself would accept.
 */
#ifndef CHORUS_LABELS_RE2_H
#define CHORUS_LABELS_RE2_H

#include <stddef.h>

struct strbuf;

/* Returns 0 and appends the PCRE2 pattern to out, or -1 with *err set to
 * Go's "error parsing regexp: <code>: `<fragment>`" (caller frees). */
int re2_translate(const char *pattern, struct strbuf *out, char **err);

/* Whether PCRE2 knows a Unicode property name (used to vet \p{Name}). */
int regex_property_known(const char *name, size_t len);

#endif
