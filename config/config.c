/*
 * config/config.c: loading alertmanager.yml end to end (read, parse each top
 * level section in file order, then the cross-section checks config.Load
 * makes), the accessors, the rendering for config.original and the hash
 * behind alertmanager_config_hash.
 */
#include "config/internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const top_keys[] = {"global", "route", "inhibit_rules", "receivers",
                                       "templates", "mute_time_intervals", "time_intervals",
                                       NULL};

static int top_field(struct pctx *p, const char *k, yaml_node_t *v, yaml_node_t **route,
                     yaml_node_t **receivers)
{
    if (!strcmp(k, "global"))
        return global_parse(p, v);
    if (!strcmp(k, "route")) {
        *route = v;
        return route_parse_root(p, v);
    }
    if (!strcmp(k, "inhibit_rules"))
        return inhibit_parse(p, v);
    if (!strcmp(k, "receivers")) {
        *receivers = v;
        return receivers_parse(p, v);
    }
    if (!strcmp(k, "templates"))
        return parse_strlist(p, v, &p->cfg->templates);
    return intervals_parse(p, v, !strcmp(k, "mute_time_intervals"));
}

static int intervals_unique(struct pctx *p, yaml_node_t *root)
{
    struct config *c = p->cfg;
    for (size_t i = 0; i < c->n_intervals; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->intervals[i].name, c->intervals[j].name))
                return pctx_fail(p, root, "%stime interval \"%s\" is not unique",
                                 c->intervals[i].deprecated_mute ? "mute " : "",
                                 c->intervals[i].name);
    return 0;
}

/* config.Load's checks across sections, in its order. */
static int config_check(struct pctx *p, yaml_node_t *root, yaml_node_t *route,
                        yaml_node_t *receivers)
{
    if (receivers_apply_global(p, receivers ? receivers : root))
        return -1;
    if (!route || node_is_null(route))
        return pctx_fail(p, root, "no routes provided");
    if (route_check_root(p, route) || intervals_unique(p, root) ||
        route_check_intervals(p, route))
        return -1;
    for (size_t i = 0; i < p->cfg->templates.len; i++)
        p->cfg->templates.items[i] =
            path_join_dir(p->a, p->cfg->dir, p->cfg->templates.items[i]);
    return 0;
}

static int config_parse_root(struct pctx *p, yaml_node_t *root)
{
    if (!root || node_is_null(root))
        return pctx_fail(p, NULL, "no route provided in config");
    struct map_iter it;
    if (map_begin(p, root, top_keys, "config.plain", &it))
        return -1;
    const char *k;
    yaml_node_t *v, *route = NULL, *receivers = NULL;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1) {
        size_t mark = path_push_key(p, k);
        rc = top_field(p, k, v, &route, &receivers);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    if (rc)
        return -1;
    return config_check(p, root, route, receivers);
}

/* yaml.v2 reports the problem's 0-based line for parser errors and the
 * 1-based one for scanner errors; its text is kept, the file line is real. */
int config__yaml_syntax_error(struct pctx *p, const yaml_parser_t *ps)
{
    size_t line = ps->problem_mark.line;
    if (line && ps->error == YAML_SCANNER_ERROR)
        line++;
    else if (!line)
        line = ps->context_mark.line;
    const char *msg = ps->problem ? ps->problem : "unknown problem parsing YAML content";
    if (line)
        p->err = xasprintf("%s:%zu: yaml: line %zu: %s", p->name, ps->problem_mark.line + 1, line,
                           msg);
    else
        p->err = xasprintf("%s:%zu: yaml: %s", p->name, ps->problem_mark.line + 1, msg);
    return -1;
}

static int config_parse(struct pctx *p, const char *yaml, size_t len)
{
    yaml_parser_t ps;
    yaml_document_t doc;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_string(&ps, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&ps, &doc)) {
        config__yaml_syntax_error(p, &ps);
        yaml_parser_delete(&ps);
        return -1;
    }
    p->doc = &doc;
    int rc = config_parse_root(p, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    return rc;
}

static char *config_render(const struct config *c)
{
    struct yout *o = yout_new();
    yout_map_begin(o);
    yout_key(o, "global");
    global_emit(o, c);
    yout_key(o, "route");
    route_emit(o, &c->root_src);
    if (c->n_inhibit) {
        yout_key(o, "inhibit_rules");
        inhibit_emit(o, c);
    }
    if (c->n_receivers) {
        yout_key(o, "receivers");
        receivers_emit(o, c);
    }
    yout_key(o, "templates");
    yout_strlist(o, &c->templates, false);
    for (int mute = 1; mute >= 0; mute--) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_intervals; i++)
            n += c->intervals[i].deprecated_mute == (bool)mute;
        if (!n)
            continue;
        yout_key(o, mute ? "mute_time_intervals" : "time_intervals");
        intervals_emit(o, c, mute);
    }
    yout_map_end(o);
    return yout_finish(o);
}



static int config_load_dir(const char *yaml, size_t len, const char *name, const char *dir,
                           struct config **out, char **err)
{
    struct config *c = xcalloc(1, sizeof *c);
    c->dir = dir ? cfg_arena_strdup(&c->arena, dir) : NULL;
    global_defaults(c);
    struct pctx p = {.cfg = c, .a = &c->arena, .name = name, .path = STRBUF_INIT};
    int rc = config_parse(&p, yaml, len);
    strbuf_free(&p.path);
    if (rc) {
        *err = p.err ? p.err : xasprintf("%s: invalid configuration", name);
        config_free(c);
        return -1;
    }
    c->original = config_render(c);
    c->hash = config_md5_metric(yaml, len);
    *out = c;
    return 0;
}

int config_load_string(const char *yaml, size_t len, const char *name, struct config **out,
                       char **err)
{
    return config_load_dir(yaml, len, name, NULL, out, err);
}

int config_load_file(const char *path, struct config **out, char **err)
{
    char *data;
    size_t len;
    int rc = file_read_all(path, &data, &len);
    if (rc) {
        *err = xasprintf("open %s: %s", path, strerror_go(-rc));
        return -1;
    }
    char *copy = xstrdup(path);
    rc = config_load_dir(data, len, path, dirname(copy), out, err);
    free(copy);
    free(data);
    return rc;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_all_matchers; i++)
        matchers_free(c->all_matchers[i]);
    free(c->original);
    cfg_arena_free(&c->arena);
    free(c);
}

/* ---- accessors ---- */

const struct config_route *config_route_root(const struct config *c)
{
    return &c->root;
}

int64_t config_resolve_timeout(const struct config *c)
{
    return c->global.resolve_timeout;
}

size_t config_receiver_count(const struct config *c)
{
    return c->n_receivers;
}

struct config_receiver_info config_receiver_at(const struct config *c, size_t i)
{
    struct config_receiver_info info = {c->receivers[i].name,
                                        config_receiver_integrations(&c->receivers[i])};
    return info;
}

const struct config_receiver *config_receiver_get(const struct config *c, size_t i)
{
    return i < c->n_receivers ? &c->receivers[i] : NULL;
}

const struct config_receiver *config_receiver_find(const struct config *c, const char *name)
{
    for (size_t i = 0; i < c->n_receivers; i++)
        if (!strcmp(c->receivers[i].name, name))
            return &c->receivers[i];
    return NULL;
}

const char *config_original(const struct config *c)
{
    return c->original;
}

double config_hash(const struct config *c)
{
    return c->hash;
}

size_t config_integration_count(const struct config *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_receivers; i++)
        n += config_receiver_integrations(&c->receivers[i]);
    return n;
}

size_t config_inhibit_rule_count(const struct config *c)
{
    return c->n_inhibit;
}

const struct config_inhibit_rule *config_inhibit_rule_at(const struct config *c, size_t i)
{
    return i < c->n_inhibit ? &c->inhibit[i] : NULL;
}

size_t config_time_interval_count(const struct config *c)
{
    return c->n_intervals;
}

const struct config_time_interval *config_time_interval_at(const struct config *c, size_t i)
{
    return i < c->n_intervals ? &c->intervals[i] : NULL;
}

const struct config_time_interval *config_time_interval_find(const struct config *c,
                                                             const char *name)
{
    for (size_t i = 0; i < c->n_intervals; i++)
        if (!strcmp(c->intervals[i].name, name))
            return &c->intervals[i];
    return NULL;
}

const struct config_strlist *config_templates(const struct config *c)
{
    return &c->templates;
}
