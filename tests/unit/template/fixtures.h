/*
 * Test helpers for the template fixtures: loads tests/fixtures/templates data
 * files (template.Data, one tab-separated record a line) and files generally.
 */
#ifndef CHORUS_TEST_TEMPLATE_FIXTURES_H
#define CHORUS_TEST_TEMPLATE_FIXTURES_H

#include "template/template.h"

#define TEMPLATE_FIXTURES CHORUS_TEST_FIXTURES "/templates"

struct fixture_data {
    struct template_data data;
    struct template_alert *alerts;
    char **strings; /* owned copies the data points into */
    size_t n_strings;
};

int fixture_data_load(const char *path, struct fixture_data *fd);
void fixture_data_free(struct fixture_data *fd);
/* Whole file or NULL; *len set when non-NULL. */
char *fixture_read(const char *path, size_t *len);
/* A set holding only chorus's built-in default templates. */
struct template_set *fixture_default_set(void);
/* Sorted file names in dir ending with suffix; NULL-terminated, caller frees. */
char **fixture_list(const char *dir, const char *suffix);
void fixture_list_free(char **names);

#endif
