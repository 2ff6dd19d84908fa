/* Routing trees and alerts built by hand for the dispatch unit tests, so
 * they need nothing from the config loader. */
#ifndef CHORUS_TEST_DISPATCH_HELPERS_H
#define CHORUS_TEST_DISPATCH_HELPERS_H

#include "dispatch/dispatch.h"
#include "util/util.h"

/* group_by is a comma-separated list, "..." for all labels, or NULL to
 * inherit the parent's; receiver NULL inherits too. */
struct config_route *troute_root(const char *receiver, const char *group_by);
/* A child of parent matching `matchers` (e.g. `sev=~"x|y",team="a"`, written
 * in key order); its key is parent's key + "/{" + matchers + "}". */
struct config_route *troute_add(struct config_route *parent, const char *matchers,
                                const char *receiver, const char *group_by, bool cont);
void troute_free(struct config_route *root);

/* A heap alert with labels (name, value, ..., NULL). */
struct alert *talert(const char *first, ...);
void talert_free(struct alert *a);

#endif
