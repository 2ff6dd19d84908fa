/*
 * labels/labelset.c: sorted label sets, their fingerprints, ordering and
 * string form, matching Prometheus' model.LabelSet as Alertmanager 0.25 uses it.
 */
#include "labels/labels.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void labelset_free(struct labelset *ls)
{
    for (size_t i = 0; i < ls->len; i++) {
        free(ls->items[i].name);
        free(ls->items[i].value);
    }
    free(ls->items);
    ls->items = NULL;
    ls->len = ls->cap = 0;
}

void labelset_copy(struct labelset *dst, const struct labelset *src)
{
    dst->len = dst->cap = src->len;
    dst->items = src->len ? xmalloc(src->len * sizeof *dst->items) : NULL;
    for (size_t i = 0; i < src->len; i++) {
        dst->items[i].name = xstrdup(src->items[i].name);
        dst->items[i].value = xstrdup(src->items[i].value);
    }
}

/* Binary search; *found tells whether the index holds name or is where it
 * would be inserted. */
static size_t labelset_find(const struct labelset *ls, const char *name, bool *found)
{
    size_t lo = 0, hi = ls->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ls->items[mid].name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

void labelset_set(struct labelset *ls, const char *name, const char *value)
{
    bool found;
    size_t i = labelset_find(ls, name, &found);
    if (found) {
        char *v = xstrdup(value);
        free(ls->items[i].value);
        ls->items[i].value = v;
        return;
    }
    if (ls->len == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 4;
        ls->items = xrealloc(ls->items, ls->cap * sizeof *ls->items);
    }
    memmove(&ls->items[i + 1], &ls->items[i], (ls->len - i) * sizeof *ls->items);
    ls->items[i].name = xstrdup(name);
    ls->items[i].value = xstrdup(value);
    ls->len++;
}

bool labelset_remove(struct labelset *ls, const char *name)
{
    bool found;
    size_t i = labelset_find(ls, name, &found);
    if (!found)
        return false;
    free(ls->items[i].name);
    free(ls->items[i].value);
    memmove(&ls->items[i], &ls->items[i + 1], (ls->len - i - 1) * sizeof *ls->items);
    ls->len--;
    return true;
}

const char *labelset_get(const struct labelset *ls, const char *name)
{
    bool found;
    size_t i = labelset_find(ls, name, &found);
    return found ? ls->items[i].value : NULL;
}

bool labelset_equal(const struct labelset *a, const struct labelset *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        if (strcmp(a->items[i].name, b->items[i].name) != 0 ||
            strcmp(a->items[i].value, b->items[i].value) != 0)
            return false;
    }
    return true;
}

/*
 * model.LabelSet.Before from prometheus/common, which Alertmanager 0.25 uses
 * to order alert groups: the set with fewer labels sorts first; for equal
 * sizes the union of names is walked in order and the first name missing
 * from one side puts that side first, else the first differing value decides.
 * (The brief suggested the prometheus/prometheus labels.Compare walk, which
 * compares pairs before lengths; the vendored source and the real 0.25 binary
 * both order {b="0"} < {a="1"} < {a="0",b="x"}, i.e. length first.)
 */
int labelset_compare(const struct labelset *a, const struct labelset *b)
{
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (size_t i = 0; i < a->len; i++) {
        int c = strcmp(a->items[i].name, b->items[i].name);
        if (c != 0)
            return c < 0 ? 1 : -1; /* the smaller name is missing from the other side */
        c = strcmp(a->items[i].value, b->items[i].value);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    return 0;
}

uint64_t labelset_fingerprint(const struct labelset *ls)
{
    static const unsigned char sep = 0xff;
    uint64_t h = FNV1A64_INIT;
    for (size_t i = 0; i < ls->len; i++) {
        h = hash_fnv1a64(h, ls->items[i].name, strlen(ls->items[i].name));
        h = hash_fnv1a64(h, &sep, 1);
        h = hash_fnv1a64(h, ls->items[i].value, strlen(ls->items[i].value));
        h = hash_fnv1a64(h, &sep, 1);
    }
    return h;
}

void fingerprint_format(uint64_t fp, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[fp & 0xf];
        fp >>= 4;
    }
    out[16] = '\0';
}

static int labelset_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The 0.25 String() sorts the formatted `name="value"` strings, not the
 * names, so {a1=..} comes before {a=..} ('1' < '='); the real binary's group
 * keys show {a10="3", a1="2", a9="4", a="1"}. */
void labelset_format(const struct labelset *ls, struct strbuf *out)
{
    char **parts = ls->len ? xmalloc(ls->len * sizeof *parts) : NULL;
    for (size_t i = 0; i < ls->len; i++) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, ls->items[i].name);
        strbuf_putc(&sb, '=');
        strbuf_go_quote(&sb, ls->items[i].value);
        parts[i] = strbuf_detach(&sb);
    }
    if (ls->len > 1)
        qsort(parts, ls->len, sizeof *parts, labelset_cmp_str);
    strbuf_putc(out, '{');
    for (size_t i = 0; i < ls->len; i++) {
        if (i)
            strbuf_puts(out, ", ");
        strbuf_puts(out, parts[i]);
        free(parts[i]);
    }
    strbuf_putc(out, '}');
    free(parts);
}

bool label_name_valid(const char *name)
{
    if (!name[0])
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(p != name && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}
