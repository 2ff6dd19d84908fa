/*
 * Helpers for the config unit tests (see helpers.h).
 */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

char *fixture_read(const char *rel, size_t *len)
{
    char *path = xasprintf("%s/%s", FIXTURE_DIR, rel);
    char *data = NULL;
    int rc = file_read_all(path, &data, len);
    cr_assert_eq(rc, 0, "cannot read %s", path);
    free(path);
    return data;
}

struct config *fixture_load(const char *rel)
{
    char *path = xasprintf("%s/%s", FIXTURE_DIR, rel);
    struct config *c = NULL;
    char *err = NULL;
    int rc = config_load_file(path, &c, &err);
    cr_assert_eq(rc, 0, "%s: %s", rel, err ? err : "");
    free(path);
    return c;
}

struct config *yaml_load(const char *yaml)
{
    struct config *c = NULL;
    char *err = NULL;
    int rc = config_load_string(yaml, strlen(yaml), "test.yml", &c, &err);
    cr_assert_eq(rc, 0, "unexpected error: %s", err ? err : "");
    return c;
}

char *yaml_error(const char *yaml)
{
    struct config *c = NULL;
    char *err = NULL;
    int rc = config_load_string(yaml, strlen(yaml), "test.yml", &c, &err);
    cr_assert_eq(rc, -1, "expected an error for:\n%s", yaml);
    cr_assert_not_null(err);
    return err;
}
