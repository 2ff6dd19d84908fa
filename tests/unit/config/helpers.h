/*
 * Shared by the config unit tests: fixture paths and file reading.
 */
#ifndef CHORUS_TEST_CONFIG_HELPERS_H
#define CHORUS_TEST_CONFIG_HELPERS_H

#include "config/config.h"

#define FIXTURE_DIR CHORUS_TEST_FIXTURES "/config"

char *fixture_read(const char *rel, size_t *len);
/* Loads fixtures/config/<rel>; fails the test with the error on failure. */
struct config *fixture_load(const char *rel);
/* Loads a YAML string, expecting success. */
struct config *yaml_load(const char *yaml);
/* Loads a YAML string expecting failure; returns the error (caller frees). */
char *yaml_error(const char *yaml);

#endif
