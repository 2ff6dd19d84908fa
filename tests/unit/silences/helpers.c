/*
 * helpers.c: the shared test fixtures declared in helpers.h.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const ops[] = {"=~", "!~", "!=", "="};
static const enum matcher_type op_types[] = {MATCH_REGEXP, MATCH_NOT_REGEXP, MATCH_NOT_EQUAL,
                                             MATCH_EQUAL};

static void add_one(struct silence *s, const char *item)
{
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        const char *at = strstr(item, ops[i]);
        if (!at)
            continue;
        char *name = xstrndup(item, (size_t)(at - item));
        silence_add_matcher(s, op_types[i], name, at + strlen(ops[i]));
        free(name);
        return;
    }
    cr_assert_fail("bad matcher spec %s", item);
}

void sil_build(struct silence *s, const char *spec, int64_t starts_at, int64_t ends_at)
{
    silence_init(s);
    s->starts_at = starts_at;
    s->ends_at = ends_at;
    free(s->created_by);
    free(s->comment);
    s->created_by = xstrdup("tester");
    s->comment = xstrdup("a comment");
    char *copy = xstrdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
        add_one(s, item);
    free(copy);
}

const char *sil_create(struct silences *st, const char *spec, int64_t starts_at,
                       int64_t ends_at, int64_t now)
{
    static char ids[8][37];
    static int next;
    char *id = ids[next++ % 8];
    char *err = NULL;
    struct silence in;
    sil_build(&in, spec, starts_at, ends_at);
    int rc = silences_set(st, &in, now, id, &err);
    silence_free(&in);
    cr_assert_eq(rc, SILENCES_OK, "creating %s: %s", spec, err ? err : "(no message)");
    return id;
}

int sil_update(struct silences *st, const char *id, const char *spec, int64_t starts_at,
               int64_t ends_at, int64_t now, char out_id[37], char **err)
{
    struct silence in;
    sil_build(&in, spec, starts_at, ends_at);
    snprintf(in.id, sizeof in.id, "%s", id);
    int rc = silences_set(st, &in, now, out_id, err);
    silence_free(&in);
    return rc;
}

char *sil_create_err(struct silences *st, const char *spec, int64_t starts_at, int64_t ends_at,
                     int64_t now)
{
    char id[37], *err = NULL;
    int rc = sil_update(st, "", spec, starts_at, ends_at, now, id, &err);
    if (rc == SILENCES_OK)
        return NULL;
    cr_assert_eq(rc, SILENCES_EINVALID);
    cr_assert_not_null(err);
    return err;
}

void labels_build(struct labelset *ls, const char *spec)
{
    *ls = (struct labelset)LABELSET_INIT;
    char *copy = xstrdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        cr_assert_not_null(eq);
        *eq = '\0';
        labelset_set(ls, item, eq + 1);
    }
    free(copy);
}
