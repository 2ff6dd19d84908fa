/* Fixture builders shared by the alerts unit tests. */
#include "helpers.h"

#include <stdarg.h>
#include <stdlib.h>

struct alert test_alert(int64_t starts, int64_t ends, int64_t updated, ...)
{
    struct alert a;
    alert_init(&a);
    a.starts_at = starts;
    a.ends_at = ends;
    a.updated_at = updated;
    va_list ap;
    va_start(ap, updated);
    for (const char *n; (n = va_arg(ap, const char *));)
        labelset_set(&a.labels, n, va_arg(ap, const char *));
    va_end(ap);
    a.fingerprint = labelset_fingerprint(&a.labels);
    return a;
}

static char *last_err;

const char *test_validate(const struct alert *a)
{
    free(last_err);
    last_err = NULL;
    if (alert_validate(a, &last_err) == 0)
        return NULL;
    return last_err;
}
