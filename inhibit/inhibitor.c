/*
 * inhibit/inhibitor.c: the rules, what feeds their caches and the mute
 * decision, as 0.25's Inhibitor.Mutes and InhibitRule.hasEqual make it.
 */
#include "inhibit/inhibit.h"
#include "inhibit/internal.h"

#include <stdlib.h>

struct inhibit_rule {
    const struct config_inhibit_rule *cfg;
    struct inhibit_cache cache;
};

struct inhibitor {
    struct inhibit_rule *rules;
    size_t n_rules;
};

struct inhibitor *inhibitor_new(const struct config *c)
{
    struct inhibitor *ih = xcalloc(1, sizeof *ih);
    ih->n_rules = c ? config_inhibit_rule_count(c) : 0;
    ih->rules = xcalloc(ih->n_rules ? ih->n_rules : 1, sizeof *ih->rules);
    for (size_t i = 0; i < ih->n_rules; i++) {
        ih->rules[i].cfg = config_inhibit_rule_at(c, i);
        inhibit_cache_init(&ih->rules[i].cache, &ih->rules[i].cfg->equal);
    }
    return ih;
}

void inhibitor_free(struct inhibitor *ih)
{
    if (!ih)
        return;
    for (size_t i = 0; i < ih->n_rules; i++)
        inhibit_cache_free(&ih->rules[i].cache);
    free(ih->rules);
    free(ih);
}

void inhibitor_observe(struct inhibitor *ih, const struct alert *a)
{
    for (size_t i = 0; i < ih->n_rules; i++)
        if (matchers_match(&ih->rules[i].cfg->source, &a->labels))
            inhibit_cache_set(&ih->rules[i].cache, a);
}

void inhibitor_observe_store(struct inhibitor *ih, const struct alert_store *s)
{
    size_t n;
    const struct alert **all = alert_store_list(s, &n);
    for (size_t i = 0; i < n; i++)
        inhibitor_observe(ih, all[i]);
    free(all);
}

/* hasEqual.  With two_sided (the target matches the source side too), a
 * source that also matches the target side does not count.  Without this,
 * an alert matching both sides would inhibit itself. */
static const struct inhibit_source *rule_find_source(const struct inhibit_rule *r,
                                                     const struct labelset *target,
                                                     bool two_sided, int64_t now,
                                                     size_t *examined)
{
    const struct inhibit_source *s = inhibit_cache_candidates(&r->cache, target);
    for (; s; s = s->next) {
        (*examined)++;
        if (alert_resolved(&s->alert, now))
            continue;
        if (!inhibit_cache_equal_match(&r->cache, &s->alert.labels, target))
            continue;
        if (two_sided && matchers_match(&r->cfg->target, &s->alert.labels))
            continue;
        return s;
    }
    return NULL;
}

bool inhibitor_mutes_count(const struct inhibitor *ih, const struct labelset *target,
                           int64_t now, uint64_t *source_fp, size_t *examined)
{
    size_t ignored = 0;
    if (!examined)
        examined = &ignored;
    for (size_t i = 0; i < ih->n_rules; i++) {
        const struct inhibit_rule *r = &ih->rules[i];
        if (!r->cache.len || !matchers_match(&r->cfg->target, target))
            continue;
        bool two_sided = matchers_match(&r->cfg->source, target);
        const struct inhibit_source *s = rule_find_source(r, target, two_sided, now, examined);
        if (s) {
            if (source_fp)
                *source_fp = s->alert.fingerprint;
            return true;
        }
    }
    return false;
}

bool inhibitor_mutes(const struct inhibitor *ih, const struct labelset *target, int64_t now,
                     uint64_t *source_fp)
{
    return inhibitor_mutes_count(ih, target, now, source_fp, NULL);
}

size_t inhibitor_gc(struct inhibitor *ih, int64_t now)
{
    size_t dropped = 0;
    for (size_t i = 0; i < ih->n_rules; i++)
        dropped += inhibit_cache_gc(&ih->rules[i].cache, now);
    return dropped;
}

size_t inhibitor_source_count(const struct inhibitor *ih)
{
    size_t n = 0;
    for (size_t i = 0; i < ih->n_rules; i++)
        n += ih->rules[i].cache.len;
    return n;
}
