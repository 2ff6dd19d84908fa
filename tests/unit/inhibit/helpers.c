/* Builders for the inhibitor unit tests. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>

struct config *tconfig(const char *rules_yaml)
{
    char *yaml = xasprintf("route: {receiver: a}\nreceivers: [{name: a}]\n"
                           "inhibit_rules:\n%s",
                           rules_yaml);
    struct config *c = NULL;
    char *err = NULL;
    int rc = config_load_string(yaml, strlen(yaml), "alertmanager.yml", &c, &err);
    cr_assert_eq(rc, 0, "config: %s", err ? err : "?");
    free(yaml);
    return c;
}

static void labels_fill(struct labelset *ls, const char *name, va_list ap)
{
    for (; name; name = va_arg(ap, const char *))
        labelset_set(ls, name, va_arg(ap, const char *));
}

struct labelset tlabels(const char *name, ...)
{
    struct labelset ls = LABELSET_INIT;
    va_list ap;
    va_start(ap, name);
    labels_fill(&ls, name, ap);
    va_end(ap);
    return ls;
}

struct alert talert(int64_t ends, ...)
{
    struct alert a;
    alert_init(&a);
    va_list ap;
    va_start(ap, ends);
    labels_fill(&a.labels, va_arg(ap, const char *), ap);
    va_end(ap);
    a.starts_at = T0 - MIN;
    a.ends_at = ends;
    a.updated_at = T0 - MIN;
    a.fingerprint = labelset_fingerprint(&a.labels);
    return a;
}
