/*
 * config/node.c: reading libyaml document nodes the way yaml.v2 decodes them
 * into Alertmanager's structs: strict keys, yaml.v2's type errors, and error
 * messages that carry the file, line and key path.  Also the config arena.
 */
#include "config/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- arena ---- */

struct cfg_block {
    struct cfg_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *cfg_arena_alloc(struct cfg_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    struct cfg_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        b = xcalloc(1, sizeof *b + cap);
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *cfg_arena_strndup(struct cfg_arena *a, const char *s, size_t n)
{
    char *d = cfg_arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cfg_arena_strdup(struct cfg_arena *a, const char *s)
{
    return s ? cfg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *cfg_arena_printf(struct cfg_arena *a, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    char *s = cfg_arena_strdup(a, strbuf_cstr(&sb));
    strbuf_free(&sb);
    return s;
}

/* Arrays double in place of growing by one: the arena never frees, so the
 * copies are the price of not tracking each array. */
void *cfg_arena_push(struct cfg_arena *a, void *items_ptr, size_t *len, size_t elem)
{
    void **items = items_ptr;
    size_t n = *len;
    if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4...: capacity is full */
        size_t cap = n ? n * 2 : 1;
        void *grown = cfg_arena_alloc(a, cap * elem);
        if (n)
            memcpy(grown, *items, n * elem);
        *items = grown;
    }
    *len = n + 1;
    char *slot = (char *)*items + n * elem;
    memset(slot, 0, elem);
    return slot;
}

void cfg_arena_free(struct cfg_arena *a)
{
    while (a->head) {
        struct cfg_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* ---- errors and key paths ---- */

int node_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static int fail_v(struct pctx *p, const yaml_node_t *n, const char *key, const char *fmt,
                  va_list ap)
{
    if (p->err)
        return -1;
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, p->name);
    if (n)
        strbuf_printf(&sb, ":%d", node_line(n));
    strbuf_puts(&sb, ": ");
    const char *path = strbuf_cstr(&p->path);
    if (*path == '.')
        path++;
    if (*path || key) {
        strbuf_puts(&sb, path);
        if (key)
            strbuf_printf(&sb, "%s%s", *path ? "." : "", key);
        strbuf_puts(&sb, ": ");
    }
    strbuf_vprintf(&sb, fmt, ap);
    p->err = strbuf_detach(&sb);
    return -1;
}

int pctx_fail(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(p, n, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int pctx_fail_key(struct pctx *p, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(p, n, key, fmt, ap);
    va_end(ap);
    return -1;
}

size_t path_push_key(struct pctx *p, const char *key)
{
    size_t mark = p->path.len;
    strbuf_printf(&p->path, ".%s", key);
    return mark;
}

size_t path_push_index(struct pctx *p, size_t i)
{
    size_t mark = p->path.len;
    strbuf_printf(&p->path, "[%zu]", i);
    return mark;
}

void path_pop(struct pctx *p, size_t mark)
{
    p->path.len = mark;
    if (p->path.buf)
        p->path.buf[mark] = '\0';
}

/* ---- nodes ---- */

yaml_node_t *node_get(struct pctx *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

const char *node_str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

static bool is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

bool node_is_null(const yaml_node_t *n)
{
    if (!n)
        return true;
    if (!is_plain(n))
        return false;
    const char *s = node_str(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static const char *const yaml_true[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
                                        "true", "True", "TRUE", NULL};
static const char *const yaml_false[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF",
                                         "false", "False", "FALSE", NULL};

static bool in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (!strcmp(*l, s))
            return true;
    return false;
}

/* Go's strconv.ParseInt/ParseUint with base 0 (syntax only). */
static bool go_int_syntax(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
        base = 8, s += 2;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
    else if (s[0] == '0' && s[1])
        base = 8, s += 1;
    if (!*s)
        return false;
    for (; *s; s++) {
        int d = isdigit((unsigned char)*s) ? *s - '0'
                : isxdigit((unsigned char)*s) ? tolower((unsigned char)*s) - 'a' + 10
                                               : 99;
        if (d >= base)
            return false;
    }
    return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_float_syntax(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    } else {
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
        if (*s == '.')
            for (s++; isdigit((unsigned char)*s);)
                s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return !*s;
}

/* yaml.v2 only tries timestamps that start with four digits and a dash. */
static bool yaml_timestamp_syntax(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    if (s[4] != '-')
        return false;
    int y, mo, d, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return false;
    if (!s[n])
        return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
    return s[n] == 'T' || s[n] == 't' || s[n] == ' ';
}

static const char *resolve_plain(const char *s)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const floats[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
                                         "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                                         NULL};
    if (in_list(nulls, s))
        return "!!null";
    if (in_list(yaml_true, s) || in_list(yaml_false, s))
        return "!!bool";
    if (in_list(floats, s))
        return "!!float";
    if (!strcmp(s, "<<"))
        return "!!merge";
    char c = s[0];
    if (c == '.')
        return yaml_float_syntax(s) ? "!!float" : "!!str";
    if (!(c == '+' || c == '-' || isdigit((unsigned char)c)))
        return "!!str";
    if (yaml_timestamp_syntax(s))
        return "!!timestamp";
    struct strbuf sb = STRBUF_INIT;
    for (const char *q = s; *q; q++)
        if (*q != '_')
            strbuf_putc(&sb, *q);
    const char *plain = strbuf_cstr(&sb);
    const char *tag = go_int_syntax(plain) ? "!!int" : yaml_float_syntax(plain) ? "!!float" : "!!str";
    strbuf_free(&sb);
    return tag;
}

const char *node_tag(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "!!map";
    if (n->type == YAML_SEQUENCE_NODE)
        return "!!seq";
    if (!is_plain(n))
        return "!!str";
    return resolve_plain(node_str(n));
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool base60_float(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    while (isdigit((unsigned char)*s) || *s == '_')
        s++;
    int groups = 0;
    while (*s == ':') {
        s++;
        int digits = 0;
        while (isdigit((unsigned char)s[digits]))
            digits++;
        if (digits == 0 || digits > 2 || (digits == 2 && s[0] > '5'))
            return false;
        s += digits;
        groups++;
    }
    if (!groups)
        return false;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s) || *s == '_';)
            s++;
    return !*s;
}

bool yaml_v2_plain_ok(const char *s)
{
    return !strcmp(resolve_plain(s), "!!str") && !base60_float(s);
}

/* ---- mappings ---- */

static int type_error(struct pctx *p, yaml_node_t *n, const char *gotype)
{
    if (n->type == YAML_SCALAR_NODE)
        return pctx_fail(p, n, "cannot unmarshal %s `%s` into %s", node_tag(n), node_str(n),
                         gotype);
    return pctx_fail(p, n, "cannot unmarshal %s into %s", node_tag(n), gotype);
}

int expect_map(struct pctx *p, yaml_node_t *n, const char *gotype)
{
    return n->type == YAML_MAPPING_NODE ? 0 : type_error(p, n, gotype);
}

int expect_seq(struct pctx *p, yaml_node_t *n, const char *gotype)
{
    return n->type == YAML_SEQUENCE_NODE ? 0 : type_error(p, n, gotype);
}

static bool is_merge_key(const yaml_node_t *k)
{
    return k->type == YAML_SCALAR_NODE && is_plain(k) && !strcmp(node_str(k), "<<");
}

static int pairs_add(struct pctx *p, struct map_iter *it, yaml_node_t *n, bool merged,
                     int depth);

static int merge_error(struct pctx *p, yaml_node_t *v)
{
    return pctx_fail(p, v, "yaml: map merge requires map or sequence of maps as the value");
}

/* yaml.v2 applies a merge where `<<` stands; in a list of maps the earlier
 * ones win, so they are applied last. */
static int pairs_merge(struct pctx *p, struct map_iter *it, yaml_node_t *v, int depth)
{
    if (v->type == YAML_MAPPING_NODE)
        return pairs_add(p, it, v, true, depth + 1);
    if (v->type != YAML_SEQUENCE_NODE)
        return merge_error(p, v);
    for (yaml_node_item_t *i = v->data.sequence.items.top; i > v->data.sequence.items.start;) {
        yaml_node_t *m = node_get(p, *--i);
        if (m->type != YAML_MAPPING_NODE)
            return merge_error(p, m);
        if (pairs_add(p, it, m, true, depth + 1))
            return -1;
    }
    return 0;
}

static int pairs_add(struct pctx *p, struct map_iter *it, yaml_node_t *n, bool merged, int depth)
{
    if (depth > 32)
        return merge_error(p, n);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node_get(p, pr->key), *v = node_get(p, pr->value);
        if (is_merge_key(k)) {
            if (pairs_merge(p, it, v, depth))
                return -1;
            continue;
        }
        struct map_pair *mp = cfg_arena_push(p->a, &it->pairs, &it->n, sizeof *mp);
        mp->key = k;
        mp->value = v;
        mp->merged = merged;
    }
    return 0;
}

int map_begin(struct pctx *p, const yaml_node_t *n, const char *const *known, const char *gotype,
              struct map_iter *it)
{
    memset(it, 0, sizeof *it);
    it->known = known;
    it->gotype = gotype;
    if (n->type != YAML_MAPPING_NODE)
        return type_error(p, (yaml_node_t *)n, gotype);
    return pairs_add(p, it, (yaml_node_t *)n, false, 0);
}

static int check_known(struct pctx *p, struct map_iter *it, const struct map_pair *mp,
                       const char *key)
{
    for (size_t i = 0; it->known[i]; i++) {
        if (strcmp(it->known[i], key))
            continue;
        unsigned bit = 1u << (i % 32);
        if (mp->merged)
            return 1;
        if (it->seen[i / 32] & bit)
            return pctx_fail_key(p, mp->key, key, "field %s already set in type %s", key,
                                 it->gotype);
        it->seen[i / 32] |= bit;
        return 1;
    }
    return pctx_fail_key(p, mp->key, key, "field %s not found in type %s", key, it->gotype);
}

static int check_map_duplicate(struct pctx *p, struct map_iter *it, const struct map_pair *mp)
{
    if (mp->merged)
        return 1;
    for (size_t i = 0; i + 1 < it->pos; i++)
        if (!it->pairs[i].merged && !strcmp(node_str(it->pairs[i].key), node_str(mp->key)))
            return pctx_fail(p, mp->key, "key \"%s\" already set in map", node_str(mp->key));
    return 1;
}

int map_next(struct pctx *p, struct map_iter *it, const char **key, yaml_node_t **val)
{
    if (it->pos >= it->n)
        return 0;
    const struct map_pair *mp = &it->pairs[it->pos++];
    *val = mp->value;
    if (mp->key->type != YAML_SCALAR_NODE)
        return type_error(p, mp->key, "string");
    *key = node_str(mp->key);
    return it->known ? check_known(p, it, mp, *key) : check_map_duplicate(p, it, mp);
}

/* ---- scalars ---- */

int parse_string(struct pctx *p, yaml_node_t *n, char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return type_error(p, n, "string");
    *out = node_is_null(n) ? NULL : cfg_arena_strdup(p->a, node_str(n));
    return 0;
}

int parse_bool(struct pctx *p, yaml_node_t *n, bool *out)
{
    if (node_is_null(n)) {
        *out = false;
        return 0;
    }
    if (n->type == YAML_SCALAR_NODE && is_plain(n)) {
        if (in_list(yaml_true, node_str(n))) {
            *out = true;
            return 0;
        }
        if (in_list(yaml_false, node_str(n))) {
            *out = false;
            return 0;
        }
    }
    return type_error(p, n, "bool");
}

/* strconv.ParseInt(s, 0, 64) after yaml.v2 dropped the underscores. */
static bool go_parse_int(const char *text, int64_t *out)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *q = text; *q; q++)
        if (*q != '_')
            strbuf_putc(&sb, *q);
    const char *digits = strbuf_cstr(&sb);
    bool neg = *digits == '-';
    const char *body = digits + (*digits == '-' || *digits == '+');
    int base = 10;
    if (body[0] == '0' && (body[1] == 'x' || body[1] == 'X'))
        base = 16, body += 2;
    else if (body[0] == '0' && (body[1] == 'o' || body[1] == 'O'))
        base = 8, body += 2;
    else if (body[0] == '0' && (body[1] == 'b' || body[1] == 'B'))
        base = 2, body += 2;
    else if (body[0] == '0' && body[1])
        base = 8;
    errno = 0;
    char *end;
    unsigned long long u = strtoull(body, &end, base);
    bool ok = !errno && !*end && *body &&
              u <= (neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX);
    strbuf_free(&sb);
    if (ok)
        *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return ok;
}

int parse_int64(struct pctx *p, yaml_node_t *n, int64_t *out, const char *gotype)
{
    if (node_is_null(n)) {
        *out = 0;
        return 0;
    }
    const char *tag = n->type == YAML_SCALAR_NODE ? node_tag(n) : "";
    if (!strcmp(tag, "!!float")) {
        /* yaml.v2 truncates a float that fits */
        double d = strtod(node_str(n), NULL);
        if (!(d > -9.2e18 && d < 9.2e18))
            return type_error(p, n, gotype);
        *out = (int64_t)d;
        return 0;
    }
    if (strcmp(tag, "!!int") || !go_parse_int(node_str(n), out))
        return type_error(p, n, gotype);
    return 0;
}

int parse_uint64(struct pctx *p, yaml_node_t *n, uint64_t *out)
{
    int64_t v;
    if (n->type == YAML_SCALAR_NODE && node_str(n)[0] == '-')
        return type_error(p, n, "uint64");
    if (parse_int64(p, n, &v, "uint64"))
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int parse_prom_duration(struct pctx *p, yaml_node_t *n, int64_t *out)
{
    if (node_is_null(n)) { /* yaml.v2 zeroes a field given null */
        *out = 0;
        return 0;
    }
    if (n->type != YAML_SCALAR_NODE)
        return type_error(p, n, "string");
    if (duration_parse_prom(node_str(n), out))
        return pctx_fail(p, n, "not a valid duration string: \"%s\"", node_str(n));
    return 0;
}

int parse_go_duration(struct pctx *p, yaml_node_t *n, int64_t *out)
{
    if (node_is_null(n)) {
        *out = 0;
        return 0;
    }
    if (n->type != YAML_SCALAR_NODE)
        return type_error(p, n, "string");
    char *err = NULL;
    if (!duration_parse_go(node_str(n), out, &err))
        return 0;
    int rc = pctx_fail(p, n, "%s", err);
    free(err);
    return rc;
}

int parse_strlist(struct pctx *p, yaml_node_t *n, struct config_strlist *out)
{
    memset(out, 0, sizeof *out);
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]string"))
        return -1;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        char **slot = cfg_arena_push(p->a, &out->items, &out->len, sizeof(char *));
        if (parse_string(p, node_get(p, *i), slot))
            return -1;
        if (!*slot)
            *slot = cfg_arena_strdup(p->a, "");
    }
    return 0;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct config_kv *)a)->key, ((const struct config_kv *)b)->key);
}

void strmap_sort(struct config_strmap *m)
{
    if (m->len > 1)
        qsort(m->items, m->len, sizeof *m->items, kv_cmp);
}

static struct config_kv *strmap_slot(struct pctx *p, struct config_strmap *m, const char *key)
{
    for (size_t i = 0; i < m->len; i++)
        if (!strcmp(m->items[i].key, key))
            return &m->items[i];
    struct config_kv *kv = cfg_arena_push(p->a, &m->items, &m->len, sizeof *kv);
    kv->key = cfg_arena_strdup(p->a, key);
    return kv;
}

int parse_strmap(struct pctx *p, yaml_node_t *n, struct config_strmap *out)
{
    memset(out, 0, sizeof *out);
    if (node_is_null(n))
        return 0;
    struct map_iter it;
    if (map_begin(p, n, NULL, "map[string]string", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int r;
    while ((r = map_next(p, &it, &k, &v)) == 1) {
        struct config_kv *kv = strmap_slot(p, out, k);
        if (parse_string(p, v, &kv->value))
            return -1;
        if (!kv->value)
            kv->value = cfg_arena_strdup(p->a, "");
    }
    if (r == 0)
        strmap_sort(out);
    return r;
}

int parse_headers(struct pctx *p, yaml_node_t *n, struct config_headers *out)
{
    memset(out, 0, sizeof *out);
    if (node_is_null(n))
        return 0;
    struct map_iter it;
    if (map_begin(p, n, NULL, "config.Header", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int r;
    while ((r = map_next(p, &it, &k, &v)) == 1) {
        struct config_header *h = cfg_arena_push(p->a, &out->items, &out->len, sizeof *h);
        h->name = cfg_arena_strdup(p->a, k);
        if (parse_strlist(p, v, &h->values))
            return -1;
    }
    return r;
}

/* Go's filepath.Join(dir, p) for the relative case, cleaned like Go. */
char *path_join_dir(struct cfg_arena *a, const char *dir, const char *p)
{
    if (!p || !*p || p[0] == '/' || !dir)
        return (char *)p;
    struct strbuf in = STRBUF_INIT;
    strbuf_printf(&in, "%s/%s", dir, p);
    const char *s = strbuf_cstr(&in);
    bool abs = s[0] == '/';
    /* split, drop "." and empty parts, fold ".." */
    char **parts = xcalloc(strlen(s) + 1, sizeof *parts);
    size_t np = 0;
    char *dup = xstrdup(s);
    for (char *save = NULL, *tok = strtok_r(dup, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..") && np > 0 && strcmp(parts[np - 1], ".."))
            np--;
        else if (!strcmp(tok, "..") && abs)
            continue;
        else
            parts[np++] = tok;
    }
    struct strbuf out = STRBUF_INIT;
    if (abs)
        strbuf_putc(&out, '/');
    for (size_t i = 0; i < np; i++)
        strbuf_printf(&out, "%s%s", i ? "/" : "", parts[i]);
    if (!out.len)
        strbuf_putc(&out, '.');
    char *r = cfg_arena_strdup(a, strbuf_cstr(&out));
    strbuf_free(&out);
    strbuf_free(&in);
    free(parts);
    free(dup);
    return r;
}

void config_track_matchers(struct config *c, struct matchers *m)
{
    struct matchers **slot =
        cfg_arena_push(&c->arena, &c->all_matchers, &c->n_all_matchers, sizeof(struct matchers *));
    *slot = m;
}
