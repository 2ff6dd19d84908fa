/*
 * helpers.c: the shared test pieces declared in helpers.h.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>

const struct nflog_receiver RCV_WEBHOOK0 = {"team", "webhook", 0};
const struct nflog_receiver RCV_WEBHOOK1 = {"team", "webhook", 1};
const struct nflog_receiver RCV_EMAIL0 = {"team", "email", 0};

void labels_build(struct labelset *ls, const char *spec)
{
    *ls = (struct labelset)LABELSET_INIT;
    char *copy = xstrdup(spec), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        cr_assert_not_null(eq, "bad label spec %s", item);
        *eq = '\0';
        labelset_set(ls, item, eq + 1);
    }
    free(copy);
}

uint8_t *fixture_read(const char *name, size_t *len)
{
    char *path = xasprintf("%s/%s", CHORUS_TEST_FIXTURES, name);
    char *data;
    cr_assert_eq(file_read_all(path, &data, len), 0, "reading %s", path);
    free(path);
    return (uint8_t *)data;
}

void log_simple(struct nflog *l, const struct nflog_receiver *r, const char *gk,
                struct nflog_hashes firing, struct nflog_hashes resolved, int64_t now)
{
    cr_assert(nflog_log(l, r, gk, &firing, &resolved, now, 0));
}
