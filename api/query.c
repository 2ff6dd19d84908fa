/*
 * Query parameters as go-swagger binds them: a scalar takes the last value
 * and an empty value counts as absent (so the default applies), booleans go
 * through swag.ConvertBool (unknown words are false, not errors), and the
 * repeatable `filter` is parsed matcher by matcher with labels.ParseMatcher.
 * Also the alert filter semantics of the API, where an empty matcher value
 * matches on presence or absence instead of on the value.
 */
#include "api/api_internal.h"

#include <strings.h>

const char *api_query_get(const struct api_req *req, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].key, key) == 0)
            v = req->params[i].value;
    return v;
}

bool api_query_bool(const struct api_req *req, const char *key, bool def)
{
    static const char *const truthy[] = {"true", "1",        "yes",     "ok", "y",
                                         "on",   "selected", "checked", "t",  "enabled"};
    const char *v = api_query_get(req, key);
    if (!v || !*v)
        return def;
    for (size_t i = 0; i < ARRAY_SIZE(truthy); i++)
        if (strcasecmp(v, truthy[i]) == 0)
            return true;
    return false;
}

int api_query_filters(const struct api_req *req, struct matchers *out, char **err)
{
    for (size_t i = 0; i < req->n_params; i++) {
        if (strcmp(req->params[i].key, "filter") != 0)
            continue;
        struct matcher m;
        if (matcher_parse(req->params[i].value, &m, err) < 0)
            return -1;
        matchers_add(out, &m);
    }
    return 0;
}

bool api_filter_matches(const struct matchers *ms, const struct labelset *ls)
{
    for (size_t i = 0; i < ms->len; i++) {
        const struct matcher *m = &ms->items[i];
        const char *v = labelset_get(ls, m->name);
        bool negative = m->type == MATCH_NOT_EQUAL || m->type == MATCH_NOT_REGEXP;
        if (m->value[0] == '\0' && (negative ? v != NULL : v == NULL))
            continue;
        if (!matcher_matches(m, v ? v : ""))
            return false;
    }
    return true;
}
