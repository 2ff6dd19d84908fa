/*
 * config/internal.h: what the files of config/ share and nobody else sees.
 *
 * A loaded config lives in one arena, so the many small strings and arrays of
 * a big alertmanager.yml need no individual frees; only matchers (owned by
 * labels/) are freed one by one.  Integration structs and http_config are
 * described by field tables (struct cf_schema) that drive both parsing and
 * re-serialisation, which keeps the field order of config_original() in one
 * place per type.
 */
#ifndef CHORUS_CONFIG_INTERNAL_H
#define CHORUS_CONFIG_INTERNAL_H

#include "config/config.h"
#include "util/util.h"

#include <yaml.h>

/* ---- arena ---- */
struct cfg_arena {
    struct cfg_block *head;
};
void *cfg_arena_alloc(struct cfg_arena *a, size_t n); /* zeroed */
char *cfg_arena_strdup(struct cfg_arena *a, const char *s);
char *cfg_arena_strndup(struct cfg_arena *a, const char *s, size_t n);
char *cfg_arena_printf(struct cfg_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Grows *items (of elem bytes each) by one zeroed element, returns it. */
void *cfg_arena_push(struct cfg_arena *a, void *items_ptr, size_t *len, size_t elem);
void cfg_arena_free(struct cfg_arena *a);

/* ---- the loaded config ---- */
struct cfg_global {
    int64_t resolve_timeout;
    struct config_http http_config;
    char *smtp_from, *smtp_hello, *smtp_smarthost, *smtp_auth_username, *smtp_auth_password,
        *smtp_auth_password_file, *smtp_auth_secret, *smtp_auth_identity;
    bool smtp_require_tls;
    char *slack_api_url, *slack_api_url_file, *pagerduty_url, *opsgenie_api_url,
        *opsgenie_api_key, *opsgenie_api_key_file, *wechat_api_url, *wechat_api_secret,
        *wechat_api_corp_id, *victorops_api_url, *victorops_api_key, *victorops_api_key_file,
        *telegram_api_url, *webex_api_url;
};

/* What a route said itself, before inheritance: config_original shows this. */
struct route_src {
    char *receiver;
    struct config_strlist group_by;
    bool group_by_set;
    struct config_strmap match, match_re;
    struct config_strlist matchers; /* each parsed matcher, re-formatted */
    struct config_strlist mute, active;
    bool cont;
    struct route_src *routes;
    size_t n_routes;
    int64_t group_wait, group_interval, repeat_interval; /* -1 when unset */
};

struct inhibit_src {
    struct config_strmap source_match, source_match_re;
    struct config_strlist source_matchers;
    struct config_strmap target_match, target_match_re;
    struct config_strlist target_matchers;
};

struct config {
    struct cfg_arena arena;
    struct cfg_global global;
    struct config_route root;
    struct route_src root_src;
    struct config_receiver *receivers;
    size_t n_receivers;
    struct config_inhibit_rule *inhibit;
    struct inhibit_src *inhibit_src;
    size_t n_inhibit;
    struct config_strlist templates;
    struct config_time_interval *intervals; /* mute_time_intervals first */
    size_t n_intervals;
    struct matchers **all_matchers; /* every matchers set to free */
    size_t n_all_matchers;
    char *original;
    double hash;
    const char *dir; /* of the config file, for relative paths */
};

/* ---- parsing context ---- */
struct pctx {
    yaml_document_t *doc;
    struct config *cfg;
    struct cfg_arena *a;
    const char *name; /* file name for messages */
    struct strbuf path; /* key path of the node being parsed */
    char *err;
};

/* Records the first error as "<file>:<line>: <path>: <message>"; returns -1. */
/* yaml.v2's text for a libyaml parse failure, into p->err; returns -1. */
int config__yaml_syntax_error(struct pctx *p, const yaml_parser_t *ps);
int pctx_fail(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pctx_fail_key(struct pctx *p, const yaml_node_t *n, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t path_push_key(struct pctx *p, const char *key);
size_t path_push_index(struct pctx *p, size_t i);
void path_pop(struct pctx *p, size_t mark);
int node_line(const yaml_node_t *n);

yaml_node_t *node_get(struct pctx *p, int id);
bool node_is_null(const yaml_node_t *n);
const char *node_str(const yaml_node_t *n); /* scalar text */
/* yaml.v2's resolved tag of a scalar: "!!str", "!!int", "!!bool", ... */
const char *node_tag(const yaml_node_t *n);

/* Iterates a mapping strictly: each key must be in `known` (NULL-terminated)
 * and appear once; otherwise the error yaml.v2 gives for `gotype`. */
struct map_pair {
    yaml_node_t *key, *value;
    bool merged; /* came in through a `<<` merge key */
};
struct map_iter {
    struct map_pair *pairs;
    size_t n, pos;
    const char *const *known;
    const char *gotype;
    unsigned seen[2]; /* bit per known key (up to 64 keys) */
};
int map_begin(struct pctx *p, const yaml_node_t *n, const char *const *known, const char *gotype,
              struct map_iter *it);
/* 1 with *key and *val set, 0 at the end, -1 on error. */
int map_next(struct pctx *p, struct map_iter *it, const char **key, yaml_node_t **val);

int parse_string(struct pctx *p, yaml_node_t *n, char **out);
int parse_bool(struct pctx *p, yaml_node_t *n, bool *out);
int parse_int64(struct pctx *p, yaml_node_t *n, int64_t *out, const char *gotype);
int parse_uint64(struct pctx *p, yaml_node_t *n, uint64_t *out);
int parse_prom_duration(struct pctx *p, yaml_node_t *n, int64_t *out);
int parse_go_duration(struct pctx *p, yaml_node_t *n, int64_t *out);
int parse_strlist(struct pctx *p, yaml_node_t *n, struct config_strlist *out);
int parse_strmap(struct pctx *p, yaml_node_t *n, struct config_strmap *out);
int parse_headers(struct pctx *p, yaml_node_t *n, struct config_headers *out);
int expect_seq(struct pctx *p, yaml_node_t *n, const char *gotype);
int expect_map(struct pctx *p, yaml_node_t *n, const char *gotype);
void strmap_sort(struct config_strmap *m);
char *path_join_dir(struct cfg_arena *a, const char *dir, const char *p);
void config_track_matchers(struct config *c, struct matchers *m);

/* ---- field tables ---- */
enum cf_kind {
    CF_STR,        /* char * */
    CF_SECRET,     /* char *, shown as <secret> */
    CF_URL,        /* char *, validated as an absolute URL */
    CF_SECRET_URL, /* char *, validated, shown as <secret> */
    CF_BOOL,
    CF_INT,          /* int64_t */
    CF_UINT,         /* uint64_t */
    CF_GODUR,        /* int64_t ns, Go syntax, shown "1m0s" */
    CF_STRLIST,      /* struct config_strlist */
    CF_STRMAP,       /* struct config_strmap */
    CF_HEADERS,      /* struct config_headers, values shown as <secret> */
    CF_TLSVER,       /* int64_t */
    CF_STRUCT,       /* embedded struct */
    CF_PTR,          /* pointer to struct, NULL when absent */
    CF_LIST,         /* T *items at off, size_t count at off2 */
    CF_BOOLPTR,      /* two bools at off (set) and off2 (value) */
    CF_HTTP,         /* struct config_http *, defaults to global */
    CF_PROMDUR,      /* int64_t ns, Prometheus syntax, shown "5m" */
    CF_HOSTPORT,     /* char *, host:port */
    CF_PROXYURL,     /* char *, any parseable URL */
};
enum {
    CFF_OMITEMPTY = 1,
    CFF_NULL_IF_EMPTY = 2, /* secret shown as null when empty (not omitted) */
};
struct cf_schema;
struct cf_field {
    const char *name;
    unsigned char kind;
    unsigned char flags;
    size_t off, off2;
    const struct cf_schema *sub;
    const char *dflt; /* default for scalar kinds, as YAML text */
};
struct cf_schema {
    const char *gotype; /* for "field x not found in type <gotype>" */
    size_t size;
    const struct cf_field *fields;
    size_t n_fields;
    const char *const *known; /* NULL-terminated names; built lazily */
    /* Called after the fields were read; node is the mapping. */
    int (*validate)(struct pctx *p, yaml_node_t *n, void *obj);
};
int schema_parse(struct pctx *p, const struct cf_schema *s, yaml_node_t *n, void *obj);
void schema_defaults(struct cfg_arena *a, const struct cf_schema *s, void *obj);
extern const struct cf_schema cf_http_schema, cf_tls_schema;
int http_validate(struct pctx *p, yaml_node_t *n, struct config_http *h);
int hostport_check(struct pctx *p, yaml_node_t *n, const char *s);
void http_resolve_paths(struct cfg_arena *a, const char *dir, struct config_http *h);

/* ---- sections ---- */
int global_parse(struct pctx *p, yaml_node_t *n);
void global_defaults(struct config *c);
int route_parse_root(struct pctx *p, yaml_node_t *n);
int route_check_root(struct pctx *p, yaml_node_t *route_node);
int route_check_intervals(struct pctx *p, yaml_node_t *route_node);
int parse_matcher_list(struct pctx *p, yaml_node_t *n, struct matchers *out,
                       struct config_strlist *formatted);
int parse_legacy_matchers(struct pctx *p, yaml_node_t *n, struct config_strmap *m, bool re,
                          struct matchers *out);
int receivers_parse(struct pctx *p, yaml_node_t *n);
int receivers_apply_global(struct pctx *p, yaml_node_t *n);
int inhibit_parse(struct pctx *p, yaml_node_t *n);
int intervals_parse(struct pctx *p, yaml_node_t *n, bool mute);
bool url_valid(const char *s, char **why); /* Go's url.Parse rules we check */

/* ---- output ---- */
struct yout;
struct yout *yout_new(void);
char *yout_finish(struct yout *o); /* the YAML text, caller frees */
void yout_map_begin(struct yout *o);
void yout_flow_next(struct yout *o); /* next collection in flow style */
void yout_map_end(struct yout *o);
void yout_seq_begin(struct yout *o, bool flow);
void yout_seq_end(struct yout *o);
void yout_str(struct yout *o, const char *s); /* a string, quoted as yaml.v2 does */
void yout_raw(struct yout *o, const char *s); /* a plain scalar: numbers, bools */
void yout_null(struct yout *o);
void yout_key(struct yout *o, const char *k);
void yout_strlist(struct yout *o, const struct config_strlist *l, bool flow);
void yout_strmap(struct yout *o, const struct config_strmap *m);
void schema_emit(struct yout *o, const struct cf_schema *s, const void *obj);
bool schema_is_zero(const struct cf_schema *s, const void *obj);
void global_emit(struct yout *o, const struct config *c);
void route_emit(struct yout *o, const struct route_src *r);
void receivers_emit(struct yout *o, const struct config *c);
void inhibit_emit(struct yout *o, const struct config *c);
void intervals_emit(struct yout *o, const struct config *c, bool mute);
bool yaml_v2_plain_ok(const char *s); /* would a plain scalar read back as this string */
double config_md5_metric(const void *data, size_t len);

#endif
