/*
 * config/route.c: the routing tree.  Each node is read into two shapes: what
 * the file said (struct route_src, for config_original) and the effective
 * route with inherited receiver, group_by and timers, its merged matchers and
 * its route key (struct config_route, for the dispatcher).
 */
#include "config/internal.h"

#include <stdlib.h>

static const char *const route_keys[] = {
    "receiver", "group_by", "continue", "match", "match_re", "matchers", "group_wait",
    "group_interval", "repeat_interval", "mute_time_intervals", "active_time_intervals",
    "routes", NULL};

static int matcher_cmp(const void *x, const void *y)
{
    const struct matcher *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    c = strcmp(a->value, b->value);
    if (c)
        return c;
    return (int)a->type - (int)b->type;
}

static int add_map_matchers(struct pctx *p, yaml_node_t *n, const struct config_strmap *m,
                            enum matcher_type t, struct matchers *out)
{
    for (size_t i = 0; i < m->len; i++) {
        if (!label_name_valid(m->items[i].key))
            return pctx_fail(p, n, "invalid label name \"%s\"", m->items[i].key);
        struct matcher mt;
        char *err = NULL;
        if (matcher_init(&mt, t, m->items[i].key, m->items[i].value, &err)) {
            pctx_fail(p, n, "%s", err);
            free(err);
            return -1;
        }
        matchers_add(out, &mt);
    }
    return 0;
}

/* `matchers:` strings, each possibly several comma-separated matchers. */
int parse_matcher_list(struct pctx *p, yaml_node_t *n, struct matchers *out,
                       struct config_strlist *formatted)
{
    struct config_strlist lines;
    if (parse_strlist(p, n, &lines))
        return -1;
    struct matchers mine = MATCHERS_INIT;
    for (size_t i = 0; i < lines.len; i++) {
        char *err = NULL;
        if (matchers_parse(lines.items[i], &mine, &err)) {
            pctx_fail(p, n, "%s", err);
            free(err);
            matchers_free(&mine);
            return -1;
        }
    }
    if (mine.len > 1)
        qsort(mine.items, mine.len, sizeof *mine.items, matcher_cmp);
    memset(formatted, 0, sizeof *formatted);
    for (size_t i = 0; i < mine.len; i++) {
        struct strbuf sb = STRBUF_INIT;
        matcher_format(&mine.items[i], &sb);
        char **slot = cfg_arena_push(p->a, &formatted->items, &formatted->len, sizeof(char *));
        *slot = cfg_arena_strdup(p->a, strbuf_cstr(&sb));
        strbuf_free(&sb);
        struct matcher copy;
        matcher_copy(&copy, &mine.items[i]);
        matchers_add(out, &copy);
    }
    matchers_free(&mine);
    return 0;
}

/* Legacy match / match_re maps become = and =~ matchers. */
int parse_legacy_matchers(struct pctx *p, yaml_node_t *n, struct config_strmap *m, bool re,
                          struct matchers *out)
{
    /* match_re has its own YAML type in 0.25, hence the other type name */
    if (re && !node_is_null(n) && expect_map(p, n, "config.plain"))
        return -1;
    for (yaml_node_pair_t *pr = re && !node_is_null(n) ? n->data.mapping.pairs.start : NULL;
         pr && pr < n->data.mapping.pairs.top; pr++)
        if (node_is_null(node_get(p, pr->value)))
            return pctx_fail(p, node_get(p, pr->key), "invalid regexp value for \"%s\"",
                             node_str(node_get(p, pr->key)));
    if (parse_strmap(p, n, m))
        return -1;
    return add_map_matchers(p, n, m, re ? MATCH_REGEXP : MATCH_EQUAL, out);
}

static int group_by_check(struct pctx *p, yaml_node_t *n, struct route_src *s, bool *all)
{
    size_t names = 0;
    *all = false;
    for (size_t i = 0; i < s->group_by.len; i++) {
        const char *l = s->group_by.items[i];
        if (!strcmp(l, "...")) {
            *all = true;
            continue;
        }
        if (!label_name_valid(l))
            return pctx_fail(p, n, "invalid label name \"%s\" in group_by list", l);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->group_by.items[j], l))
                return pctx_fail(p, n, "duplicated label \"%s\" in group_by", l);
        names++;
    }
    if (names && *all)
        return pctx_fail(p, n, "cannot have wildcard group_by (`...`) and other other labels at "
                               "the same time");
    return 0;
}

static int route_parse(struct pctx *p, yaml_node_t *n, struct config_route *r,
                       struct route_src *s);

static int route_children(struct pctx *p, yaml_node_t *n, struct config_route *r,
                          struct route_src *s)
{
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]*config.Route"))
        return -1;
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    r->routes = cfg_arena_alloc(p->a, count * sizeof *r->routes);
    s->routes = cfg_arena_alloc(p->a, count * sizeof *s->routes);
    for (size_t i = 0; i < count; i++) {
        r->routes[i].parent = r;
        size_t mark = path_push_index(p, i);
        int rc = route_parse(p, node_get(p, n->data.sequence.items.start[i]), &r->routes[i],
                             &s->routes[i]);
        path_pop(p, mark);
        if (rc)
            return -1;
        r->routes[i].index = i;
        r->n_routes = s->n_routes = i + 1;
    }
    return 0;
}

static int route_timer(struct pctx *p, yaml_node_t *v, int64_t *out)
{
    if (node_is_null(v)) {
        *out = -1;
        return 0;
    }
    return parse_prom_duration(p, v, out);
}

static int route_field(struct pctx *p, const char *key, yaml_node_t *v, struct config_route *r,
                       struct route_src *s, yaml_node_t **routes)
{
    if (!strcmp(key, "receiver"))
        return parse_string(p, v, &s->receiver);
    if (!strcmp(key, "group_by")) {
        s->group_by_set = !node_is_null(v);
        return parse_strlist(p, v, &s->group_by);
    }
    if (!strcmp(key, "continue"))
        return parse_bool(p, v, &s->cont);
    if (!strcmp(key, "match"))
        return parse_legacy_matchers(p, v, &s->match, false, &r->matchers);
    if (!strcmp(key, "match_re"))
        return parse_legacy_matchers(p, v, &s->match_re, true, &r->matchers);
    if (!strcmp(key, "matchers"))
        return parse_matcher_list(p, v, &r->matchers, &s->matchers);
    if (!strcmp(key, "group_wait"))
        return route_timer(p, v, &s->group_wait);
    if (!strcmp(key, "group_interval"))
        return route_timer(p, v, &s->group_interval);
    if (!strcmp(key, "repeat_interval"))
        return route_timer(p, v, &s->repeat_interval);
    if (!strcmp(key, "mute_time_intervals"))
        return parse_strlist(p, v, &s->mute);
    if (!strcmp(key, "active_time_intervals"))
        return parse_strlist(p, v, &s->active);
    *routes = v; /* "routes": children are read once this node is complete */
    return 0;
}

static int route_check_self(struct pctx *p, yaml_node_t *n, struct config_route *r,
                            struct route_src *s)
{
    bool all;
    if (group_by_check(p, n, s, &all))
        return -1;
    if (s->group_interval == 0)
        return pctx_fail(p, n, "group_interval cannot be zero");
    if (s->repeat_interval == 0)
        return pctx_fail(p, n, "repeat_interval cannot be zero");
    r->group_by_all = all;
    return 0;
}

static void route_inherit(struct config_route *r, const struct route_src *s)
{
    const struct config_route *up = r->parent;
    r->receiver = s->receiver && *s->receiver ? s->receiver : up ? up->receiver : NULL;
    r->group_wait = s->group_wait >= 0 ? s->group_wait : up ? up->group_wait : 30 * NS_PER_SEC;
    r->group_interval = s->group_interval >= 0 ? s->group_interval
                        : up                  ? up->group_interval
                                              : 300 * NS_PER_SEC;
    r->repeat_interval = s->repeat_interval >= 0 ? s->repeat_interval
                         : up                   ? up->repeat_interval
                                                : 4 * 3600 * NS_PER_SEC;
    size_t names = s->group_by.len - (r->group_by_all ? 1 : 0);
    if (names > 0) {
        r->group_by = s->group_by.items;
        r->n_group_by = s->group_by.len;
        r->group_by_all = false;
    } else if (up) {
        r->group_by = up->group_by;
        r->n_group_by = up->n_group_by;
        r->group_by_all = r->group_by_all || up->group_by_all;
    }
    r->mute_time_intervals = s->mute.items;
    r->n_mute_time_intervals = s->mute.len;
    r->active_time_intervals = s->active.items;
    r->n_active_time_intervals = s->active.len;
    r->continue_matching = s->cont;
}

static char *route_key(struct cfg_arena *a, const struct config_route *r)
{
    struct strbuf sb = STRBUF_INIT;
    if (r->parent)
        strbuf_printf(&sb, "%s/", r->parent->key);
    strbuf_putc(&sb, '{');
    for (size_t i = 0; i < r->matchers.len; i++) {
        if (i)
            strbuf_putc(&sb, ',');
        matcher_format(&r->matchers.items[i], &sb);
    }
    strbuf_putc(&sb, '}');
    char *k = cfg_arena_strdup(a, strbuf_cstr(&sb));
    strbuf_free(&sb);
    return k;
}

static int route_parse(struct pctx *p, yaml_node_t *n, struct config_route *r,
                       struct route_src *s)
{
    const struct config_route *parent = r->parent;
    memset(r, 0, sizeof *r);
    memset(s, 0, sizeof *s);
    r->parent = parent;
    r->line = node_line(n);
    s->group_wait = s->group_interval = s->repeat_interval = -1;
    config_track_matchers(p->cfg, &r->matchers);
    struct map_iter it;
    if (map_begin(p, n, route_keys, "config.plain", &it))
        return -1;
    const char *key;
    yaml_node_t *v, *routes = NULL;
    int rc;
    while ((rc = map_next(p, &it, &key, &v)) == 1) {
        size_t mark = path_push_key(p, key);
        rc = route_field(p, key, v, r, s, &routes);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    if (rc || route_check_self(p, n, r, s))
        return -1;
    if (r->matchers.len > 1)
        qsort(r->matchers.items, r->matchers.len, sizeof *r->matchers.items, matcher_cmp);
    route_inherit(r, s);
    r->key = route_key(p->a, r);
    if (!routes)
        return 0;
    size_t mark = path_push_key(p, "routes");
    rc = route_children(p, routes, r, s);
    path_pop(p, mark);
    return rc;
}

/* The checks config.Load makes on the root after the whole file is read. */
static int root_checks(struct pctx *p, yaml_node_t *n)
{
    const struct config_route *r = &p->cfg->root;
    const struct route_src *s = &p->cfg->root_src;
    if (!s->receiver || !*s->receiver)
        return pctx_fail(p, n, "root route must specify a default receiver");
    if (r->matchers.len || s->match.len || s->match_re.len)
        return pctx_fail(p, n, "root route must not have any matchers");
    if (s->mute.len)
        return pctx_fail(p, n, "root route must not have any mute time intervals");
    if (s->active.len)
        return pctx_fail(p, n, "root route must not have any active time intervals");
    return 0;
}

int route_parse_root(struct pctx *p, yaml_node_t *n)
{
    if (node_is_null(n))
        return 0;
    return route_parse(p, n, &p->cfg->root, &p->cfg->root_src);
}

static yaml_node_t *child_node(struct pctx *p, yaml_node_t *n, size_t i)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return n;
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
        if (!strcmp(node_str(node_get(p, pr->key)), "routes")) {
            yaml_node_t *seq = node_get(p, pr->value);
            if (seq->type == YAML_SEQUENCE_NODE)
                return node_get(p, seq->data.sequence.items.start[i]);
        }
    return n;
}

static int check_refs(struct pctx *p, yaml_node_t *n, const struct config_route *r,
                      const struct route_src *s, bool intervals)
{
    if (!intervals && s->receiver && *s->receiver && !config_receiver_find(p->cfg, s->receiver))
        return pctx_fail_key(p, n, "receiver", "undefined receiver \"%s\" used in route",
                             s->receiver);
    for (size_t i = 0; intervals && i < s->mute.len + s->active.len; i++) {
        const char *name = i < s->mute.len ? s->mute.items[i] : s->active.items[i - s->mute.len];
        if (!config_time_interval_find(p->cfg, name))
            return pctx_fail_key(p, n, i < s->mute.len ? "mute_time_intervals"
                                                       : "active_time_intervals",
                                 "undefined time interval \"%s\" used in route", name);
    }
    for (size_t i = 0; i < r->n_routes; i++) {
        size_t m1 = path_push_key(p, "routes");
        size_t m2 = path_push_index(p, i);
        int rc = check_refs(p, child_node(p, n, i), &r->routes[i], &s->routes[i], intervals);
        path_pop(p, m2);
        path_pop(p, m1);
        if (rc)
            return -1;
    }
    return 0;
}

int route_check_root(struct pctx *p, yaml_node_t *n)
{
    size_t mark = path_push_key(p, "route");
    int rc = root_checks(p, n);
    if (!rc)
        rc = check_refs(p, n, &p->cfg->root, &p->cfg->root_src, false);
    path_pop(p, mark);
    return rc;
}

/* After the time intervals are known to be unique, as config.Load orders it. */
int route_check_intervals(struct pctx *p, yaml_node_t *n)
{
    size_t mark = path_push_key(p, "route");
    int rc = check_refs(p, n, &p->cfg->root, &p->cfg->root_src, true);
    if (!rc && p->cfg->root_src.cont)
        rc = pctx_fail(p, n, "cannot have continue in root route");
    path_pop(p, mark);
    return rc;
}

static void emit_timer(struct yout *o, const char *key, int64_t v)
{
    if (v < 0)
        return;
    char buf[64];
    duration_format_prom(v, buf);
    yout_key(o, key);
    yout_str(o, buf);
}

void route_emit(struct yout *o, const struct route_src *s)
{
    yout_map_begin(o);
    if (s->receiver && *s->receiver) {
        yout_key(o, "receiver");
        yout_str(o, s->receiver);
    }
    if (s->group_by.len) {
        yout_key(o, "group_by");
        yout_strlist(o, &s->group_by, false);
    }
    if (s->match.len) {
        yout_key(o, "match");
        yout_strmap(o, &s->match);
    }
    if (s->match_re.len) {
        yout_key(o, "match_re");
        yout_strmap(o, &s->match_re);
    }
    if (s->matchers.len) {
        yout_key(o, "matchers");
        yout_strlist(o, &s->matchers, false);
    }
    if (s->mute.len) {
        yout_key(o, "mute_time_intervals");
        yout_strlist(o, &s->mute, false);
    }
    if (s->active.len) {
        yout_key(o, "active_time_intervals");
        yout_strlist(o, &s->active, false);
    }
    yout_key(o, "continue");
    yout_raw(o, s->cont ? "true" : "false");
    if (s->n_routes) {
        yout_key(o, "routes");
        yout_seq_begin(o, false);
        for (size_t i = 0; i < s->n_routes; i++)
            route_emit(o, &s->routes[i]);
        yout_seq_end(o);
    }
    emit_timer(o, "group_wait", s->group_wait);
    emit_timer(o, "group_interval", s->group_interval);
    emit_timer(o, "repeat_interval", s->repeat_interval);
    yout_map_end(o);
}
