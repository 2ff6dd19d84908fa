/* TEMPORARY stub of labels/ for running alerts/dispatch tests before labels lands. NOT COMMITTED. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "labels/labels.h"
#include "util/util.h"
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
void labelset_free(struct labelset *ls) { for (size_t i = 0; i < ls->len; i++) { free(ls->items[i].name); free(ls->items[i].value);} free(ls->items); ls->items = NULL; ls->len = ls->cap = 0; }
void labelset_copy(struct labelset *d, const struct labelset *s) { *d = (struct labelset)LABELSET_INIT; for (size_t i = 0; i < s->len; i++) labelset_set(d, s->items[i].name, s->items[i].value); }
void labelset_set(struct labelset *ls, const char *name, const char *value)
{
    size_t i = 0;
    while (i < ls->len && strcmp(ls->items[i].name, name) < 0) i++;
    if (i < ls->len && !strcmp(ls->items[i].name, name)) { free(ls->items[i].value); ls->items[i].value = xstrdup(value); return; }
    if (ls->len == ls->cap) { ls->cap = ls->cap ? ls->cap * 2 : 4; ls->items = xrealloc(ls->items, ls->cap * sizeof *ls->items); }
    memmove(&ls->items[i + 1], &ls->items[i], (ls->len - i) * sizeof *ls->items);
    ls->items[i].name = xstrdup(name); ls->items[i].value = xstrdup(value); ls->len++;
}
const char *labelset_get(const struct labelset *ls, const char *name) { for (size_t i = 0; i < ls->len; i++) if (!strcmp(ls->items[i].name, name)) return ls->items[i].value; return NULL; }
int labelset_compare(const struct labelset *a, const struct labelset *b)
{
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    size_t i = 0, j = 0;
    while (i < a->len && j < b->len) {
        int c = strcmp(a->items[i].name, b->items[j].name);
        if (c < 0) return 1;  /* b lacks a's name: a has it -> a after */
        if (c > 0) return -1;
        c = strcmp(a->items[i].value, b->items[j].value);
        if (c) return c;
        i++; j++;
    }
    return 0;
}
uint64_t labelset_fingerprint(const struct labelset *ls)
{
    uint64_t h = FNV1A64_INIT; unsigned char sep = 0xff;
    for (size_t i = 0; i < ls->len; i++) { h = hash_fnv1a64(h, ls->items[i].name, strlen(ls->items[i].name)); h = hash_fnv1a64(h, &sep, 1); h = hash_fnv1a64(h, ls->items[i].value, strlen(ls->items[i].value)); h = hash_fnv1a64(h, &sep, 1); }
    return h;
}
void fingerprint_format(uint64_t fp, char out[17]) { snprintf(out, 17, "%016llx", (unsigned long long)fp); }
void labelset_format(const struct labelset *ls, struct strbuf *out)
{
    strbuf_putc(out, '{');
    for (size_t i = 0; i < ls->len; i++) { if (i) strbuf_puts(out, ", "); strbuf_puts(out, ls->items[i].name); strbuf_putc(out, '='); strbuf_go_quote(out, ls->items[i].value); }
    strbuf_putc(out, '}');
}
bool label_name_valid(const char *n)
{
    if (!*n || !((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || *n == '_')) return false;
    for (const char *p = n; *p; p++) if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || (*p >= '0' && *p <= '9'))) return false;
    return true;
}
bool matcher_matches(const struct matcher *m, const char *v)
{
    bool r;
    if (m->type == MATCH_EQUAL || m->type == MATCH_NOT_EQUAL) r = !strcmp(m->value, v);
    else { pcre2_match_data *md = pcre2_match_data_create_from_pattern(m->re, NULL); r = pcre2_match(m->re, (PCRE2_SPTR)v, strlen(v), 0, 0, md, NULL) >= 0; pcre2_match_data_free(md); }
    return (m->type == MATCH_NOT_EQUAL || m->type == MATCH_NOT_REGEXP) ? !r : r;
}
bool matchers_match(const struct matchers *ms, const struct labelset *ls)
{
    for (size_t i = 0; i < ms->len; i++) { const char *v = labelset_get(ls, ms->items[i].name); if (!matcher_matches(&ms->items[i], v ? v : "")) return false; }
    return true;
}
void matchers_free(struct matchers *ms) { for (size_t i = 0; i < ms->len; i++) { free(ms->items[i].name); free(ms->items[i].value); if (ms->items[i].re) pcre2_code_free(ms->items[i].re);} free(ms->items); ms->items = NULL; ms->len = 0; }
/* Only name<op>"value" joined with commas, no escapes. */
int matchers_parse(const char *input, struct matchers *out, char **err)
{
    (void)err;
    char *s = xstrdup(input), *save;
    for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        struct matcher m = {0};
        char *op = strpbrk(tok, "=!");
        m.name = xstrndup(tok, op - tok);
        const char *ops[] = {"=~", "!~", "!=", "="}; enum matcher_type ts[] = {MATCH_REGEXP, MATCH_NOT_REGEXP, MATCH_NOT_EQUAL, MATCH_EQUAL};
        for (int i = 0; i < 4; i++) if (!strncmp(op, ops[i], strlen(ops[i]))) { m.type = ts[i]; op += strlen(ops[i]); break; }
        m.value = xstrndup(op + 1, strlen(op) - 2);
        if (m.type >= MATCH_REGEXP) { char *p = xasprintf("^(?:%s)$", m.value); int ec; PCRE2_SIZE off; m.re = pcre2_compile((PCRE2_SPTR)p, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &off, NULL); free(p); }
        out->items = xrealloc(out->items, (out->len + 1) * sizeof m); out->items[out->len++] = m;
    }
    free(s);
    return 0;
}
