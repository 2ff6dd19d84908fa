/*
 * config/inhibit.c: `inhibit_rules`.  Legacy *_match / *_match_re maps and the
 * *_matchers strings merge into one matcher set per side, which is what the
 * inhibitor evaluates; the as-written forms are kept for config_original.
 */
#include "config/internal.h"

static const char *const inhibit_keys[] = {
    "source_match", "source_match_re", "source_matchers", "target_match", "target_match_re",
    "target_matchers", "equal", NULL};

static int equal_check(struct pctx *p, yaml_node_t *n, const struct config_strlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (!label_name_valid(l->items[i]))
            return pctx_fail(p, n, "\"%s\" is not a valid label name", l->items[i]);
    return 0;
}

static int inhibit_field(struct pctx *p, const char *k, yaml_node_t *v,
                         struct config_inhibit_rule *r, struct inhibit_src *s)
{
    if (!strcmp(k, "source_match"))
        return parse_legacy_matchers(p, v, &s->source_match, false, &r->source);
    if (!strcmp(k, "source_match_re"))
        return parse_legacy_matchers(p, v, &s->source_match_re, true, &r->source);
    if (!strcmp(k, "source_matchers"))
        return parse_matcher_list(p, v, &r->source, &s->source_matchers);
    if (!strcmp(k, "target_match"))
        return parse_legacy_matchers(p, v, &s->target_match, false, &r->target);
    if (!strcmp(k, "target_match_re"))
        return parse_legacy_matchers(p, v, &s->target_match_re, true, &r->target);
    if (!strcmp(k, "target_matchers"))
        return parse_matcher_list(p, v, &r->target, &s->target_matchers);
    if (!node_is_null(v) && expect_seq(p, v, "model.LabelNames"))
        return -1;
    return parse_strlist(p, v, &r->equal) || equal_check(p, v, &r->equal) ? -1 : 0;
}

static int inhibit_rule_parse(struct pctx *p, yaml_node_t *n, struct config_inhibit_rule *r,
                              struct inhibit_src *s)
{
    r->line = node_line(n);
    config_track_matchers(p->cfg, &r->source);
    config_track_matchers(p->cfg, &r->target);
    struct map_iter it;
    if (map_begin(p, n, inhibit_keys, "config.plain", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1) {
        size_t mark = path_push_key(p, k);
        rc = inhibit_field(p, k, v, r, s);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return rc;
}

int inhibit_parse(struct pctx *p, yaml_node_t *n)
{
    struct config *c = p->cfg;
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, "[]*config.InhibitRule"))
        return -1;
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    c->inhibit = cfg_arena_alloc(p->a, count * sizeof *c->inhibit);
    c->inhibit_src = cfg_arena_alloc(p->a, count * sizeof *c->inhibit_src);
    for (size_t i = 0; i < count; i++) {
        size_t mark = path_push_index(p, i);
        c->n_inhibit = i + 1;
        int rc = inhibit_rule_parse(p, node_get(p, n->data.sequence.items.start[i]),
                                    &c->inhibit[i], &c->inhibit_src[i]);
        path_pop(p, mark);
        if (rc)
            return -1;
    }
    return 0;
}

static void emit_map(struct yout *o, const char *k, const struct config_strmap *m)
{
    if (!m->len)
        return;
    yout_key(o, k);
    yout_strmap(o, m);
}

static void emit_list(struct yout *o, const char *k, const struct config_strlist *l)
{
    if (!l->len)
        return;
    yout_key(o, k);
    yout_strlist(o, l, false);
}

void inhibit_emit(struct yout *o, const struct config *c)
{
    yout_seq_begin(o, false);
    for (size_t i = 0; i < c->n_inhibit; i++) {
        const struct inhibit_src *s = &c->inhibit_src[i];
        yout_map_begin(o);
        emit_map(o, "source_match", &s->source_match);
        emit_map(o, "source_match_re", &s->source_match_re);
        emit_list(o, "source_matchers", &s->source_matchers);
        emit_map(o, "target_match", &s->target_match);
        emit_map(o, "target_match_re", &s->target_match_re);
        emit_list(o, "target_matchers", &s->target_matchers);
        emit_list(o, "equal", &c->inhibit[i].equal);
        yout_map_end(o);
    }
    yout_seq_end(o);
}
