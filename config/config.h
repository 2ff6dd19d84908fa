/*
 * config: alertmanager.yml parsed (libyaml) into typed, validated structs.
 *
 * Parsing is strict like Alertmanager's: unknown keys, wrong types, bad
 * durations, bad matchers and every semantic check of 0.25's config.Load are
 * errors, each reported with file, line and key.  After loading, every route
 * carries its inherited receiver, group_by and timers, so consumers never walk
 * parents.  The loaded config also renders back to YAML with defaults filled
 * and secrets shown as <secret>: that is GET /api/v2/status' config.original.
 * A config is immutable once loaded; reload builds a new one and swaps it.
 */
#ifndef CHORUS_CONFIG_H
#define CHORUS_CONFIG_H

#include "labels/labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_route {
    const struct config_route *parent; /* NULL for the root */
    size_t index;                      /* among its siblings */
    char *receiver;                    /* inherited when unset */
    char **group_by;                   /* label names, inherited when unset */
    size_t n_group_by;
    bool group_by_all;                 /* group_by: ['...'] */
    struct matchers matchers;          /* match + match_re + matchers */
    bool continue_matching;            /* `continue` */
    int64_t group_wait, group_interval, repeat_interval; /* ns, inherited */
    char **mute_time_intervals;
    size_t n_mute_time_intervals;
    char **active_time_intervals;
    size_t n_active_time_intervals;
    struct config_route *routes;
    size_t n_routes;
    char *key;                         /* route key: {} or parent/{...} */
    int line;                          /* where it starts in the file */
};

/* Receivers and their integrations are private to config/ until the
 * notification pipeline needs them; the API sees names and counts. */
struct config;

struct config_receiver_info {
    const char *name;
    size_t n_integrations;
};

/* Loads and validates.  On failure returns -1 and sets *err (caller frees),
 * formatted "<file>:<line>: <key>: <message>" where the line and key are
 * known, e.g. "alertmanager.yml:12: route.receiver: undefined receiver \"x\"
 * used in route". */
int config_load_file(const char *path, struct config **out, char **err);
/* The same from a string; `name` stands in for the file name in errors. */
int config_load_string(const char *yaml, size_t len, const char *name, struct config **out,
                       char **err);
void config_free(struct config *c);

const struct config_route *config_route_root(const struct config *c);
int64_t config_resolve_timeout(const struct config *c);
size_t config_receiver_count(const struct config *c);
struct config_receiver_info config_receiver_at(const struct config *c, size_t i);
/* The effective config as YAML, defaults filled, secrets as <secret>. */
const char *config_original(const struct config *c);
/* Alertmanager's config hash metric: a hash of the file bytes. */
double config_hash(const struct config *c);
size_t config_integration_count(const struct config *c);

#endif
