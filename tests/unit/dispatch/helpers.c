/* Builders for the dispatch unit tests: routes with keys, inherited
 * receivers and group_by filled the way the config loader does. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>

#define MAX_CHILDREN 8

static struct config_route *route_alloc(void)
{
    struct config_route *r = xcalloc(1, sizeof *r);
    r->routes = xcalloc(MAX_CHILDREN, sizeof *r->routes);
    return r;
}

static void route_set_group_by(struct config_route *r, const char *group_by,
                               const struct config_route *parent)
{
    if (!group_by) {
        if (!parent)
            return;
        r->group_by_all = parent->group_by_all;
        r->n_group_by = parent->n_group_by;
        r->group_by = xcalloc(r->n_group_by + 1, sizeof *r->group_by);
        for (size_t i = 0; i < r->n_group_by; i++)
            r->group_by[i] = xstrdup(parent->group_by[i]);
        return;
    }
    if (strcmp(group_by, "...") == 0) {
        r->group_by_all = true;
        return;
    }
    char *copy = xstrdup(group_by);
    r->group_by = xcalloc(strlen(group_by) + 1, sizeof *r->group_by);
    for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        r->group_by[r->n_group_by++] = xstrdup(tok);
    free(copy);
}

struct config_route *troute_root(const char *receiver, const char *group_by)
{
    struct config_route *r = route_alloc();
    r->receiver = xstrdup(receiver);
    r->key = xstrdup("{}");
    route_set_group_by(r, group_by, NULL);
    return r;
}

struct config_route *troute_add(struct config_route *parent, const char *matchers,
                                const char *receiver, const char *group_by, bool cont)
{
    cr_assert_lt(parent->n_routes, MAX_CHILDREN);
    struct config_route *r = &parent->routes[parent->n_routes];
    *r = (struct config_route){0};
    r->routes = xcalloc(MAX_CHILDREN, sizeof *r->routes);
    r->parent = parent;
    r->index = parent->n_routes++;
    r->receiver = xstrdup(receiver ? receiver : parent->receiver);
    r->continue_matching = cont;
    r->key = xasprintf("%s/{%s}", parent->key, matchers);
    route_set_group_by(r, group_by, parent);
    char *err = NULL;
    cr_assert_eq(matchers_parse(matchers, &r->matchers, &err), 0, "%s", err ? err : "");
    return r;
}

static void route_clear(struct config_route *r)
{
    for (size_t i = 0; i < r->n_routes; i++)
        route_clear(&r->routes[i]);
    free(r->routes);
    for (size_t i = 0; i < r->n_group_by; i++)
        free(r->group_by[i]);
    free(r->group_by);
    matchers_free(&r->matchers);
    free(r->receiver);
    free(r->key);
}

void troute_free(struct config_route *root)
{
    route_clear(root);
    free(root);
}

struct alert *talert(const char *first, ...)
{
    struct alert *a = xmalloc(sizeof *a);
    alert_init(a);
    a->starts_at = a->updated_at = INT64_C(1795521600) * NS_PER_SEC;
    a->ends_at = a->starts_at + 300 * NS_PER_SEC;
    va_list ap;
    va_start(ap, first);
    for (const char *n = first; n; n = va_arg(ap, const char *))
        labelset_set(&a->labels, n, va_arg(ap, const char *));
    va_end(ap);
    a->fingerprint = labelset_fingerprint(&a->labels);
    return a;
}

void talert_free(struct alert *a)
{
    alert_free(a);
    free(a);
}
