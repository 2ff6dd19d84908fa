/*
 * config/schema.c: the table-driven reader and writer for struct-like YAML
 * sections (integrations, http_config, tls_config).  One table per type gives
 * the field order, defaults and yaml.v2 omitempty rules, so parsing and the
 * config.original rendering cannot drift apart.  Also http_config's own
 * validation (prometheus/common's rules) and URL checks.
 */
#include "config/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define FIELD_AT(obj, off, type) ((type *)((char *)(obj) + (off)))

static bool str_empty(const char *s)
{
    return !s || !*s;
}

/* ---- defaults ---- */

static void field_default(struct cfg_arena *a, const struct cf_field *f, void *obj)
{
    switch (f->kind) {
    case CF_STR:
    case CF_SECRET:
    case CF_URL:
    case CF_SECRET_URL:
    case CF_HOSTPORT:
        if (f->dflt)
            *FIELD_AT(obj, f->off, char *) = cfg_arena_strdup(a, f->dflt);
        break;
    case CF_BOOL:
        *FIELD_AT(obj, f->off, bool) = f->dflt && !strcmp(f->dflt, "true");
        break;
    case CF_GODUR:
        if (f->dflt)
            duration_parse_go(f->dflt, FIELD_AT(obj, f->off, int64_t), NULL);
        break;
    case CF_PROMDUR:
        if (f->dflt)
            duration_parse_prom(f->dflt, FIELD_AT(obj, f->off, int64_t));
        break;
    case CF_STRUCT:
        schema_defaults(a, f->sub, FIELD_AT(obj, f->off, void));
        break;
    default:
        break;
    }
}

void schema_defaults(struct cfg_arena *a, const struct cf_schema *s, void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++)
        field_default(a, &s->fields[i], obj);
}

/* ---- URLs (the subset of Go's url.Parse errors configs run into) ---- */

static bool url_scheme(const char *s, size_t *len, char **why)
{
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (isalpha((unsigned char)c))
            continue;
        if (isdigit((unsigned char)c) || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0) {
                *why = xstrdup("missing protocol scheme");
                return false;
            }
            *len = i;
            return true;
        }
        break;
    }
    *len = 0; /* no scheme: a path */
    return true;
}

static bool url_escapes_ok(const char *s, char **why)
{
    for (const char *q = s; *q; q++) {
        if (*q != '%')
            continue;
        if (!isxdigit((unsigned char)q[1]) || !isxdigit((unsigned char)q[2])) {
            size_t n = strnlen(q, 3);
            *why = xasprintf("invalid URL escape \"%.*s\"", (int)n, q);
            return false;
        }
    }
    return true;
}

static bool url_host_ok(const char *h, size_t n, char **why)
{
    const char *end = h + n;
    const char *port = NULL;
    if (n && h[0] == '[') {
        const char *rb = memchr(h, ']', n);
        if (!rb) {
            *why = xstrdup("missing ']' in host");
            return false;
        }
        port = rb + 1 < end ? rb + 1 : NULL;
        end = rb;
    } else {
        const char *colon = memrchr(h, ':', n);
        if (colon) {
            port = colon;
            end = colon;
        }
    }
    if (port) {
        for (const char *q = port + 1; q < h + n; q++)
            if (*port != ':' || !isdigit((unsigned char)*q)) {
                *why = xasprintf("invalid port \"%.*s\" after host", (int)(h + n - port), port);
                return false;
            }
    }
    for (const char *q = h; q < end; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x80 && !isalnum(c) && !strchr("-._~!$&'()*+,;=:[]%", c)) {
            *why = xasprintf("invalid character \"%c\" in host name", c);
            return false;
        }
    }
    return true;
}

/* Parses like Go's url.Parse; *host_len gets the host's length. */
static bool url_parse(const char *s, size_t *scheme_len, size_t *host_len, char **why)
{
    char *inner = NULL;
    *host_len = 0;
    if (!url_escapes_ok(s, &inner) || !url_scheme(s, scheme_len, &inner))
        goto bad;
    const char *rest = s + *scheme_len + (*scheme_len ? 1 : 0);
    if (!*scheme_len && *s != '/') {
        size_t seg = strcspn(s, "/?#");
        if (memchr(s, ':', seg)) {
            inner = xstrdup("first path segment in URL cannot contain colon");
            goto bad;
        }
    }
    if (*scheme_len && !strncmp(rest, "//", 2)) {
        const char *auth = rest + 2;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memrchr(auth, '@', alen);
        const char *host = at ? at + 1 : auth;
        size_t hlen = alen - (size_t)(host - auth);
        if (!url_host_ok(host, hlen, &inner))
            goto bad;
        *host_len = hlen;
    }
    return true;
bad:
    *why = xasprintf("parse \"%s\": %s", s, inner);
    free(inner);
    return false;
}

bool url_valid(const char *s, char **why)
{
    size_t sl, hl;
    if (!url_parse(s, &sl, &hl, why))
        return false;
    if (!(sl == 4 && !strncasecmp(s, "http", 4)) && !(sl == 5 && !strncasecmp(s, "https", 5))) {
        *why = xasprintf("unsupported scheme \"%.*s\" for URL", (int)sl, s);
        return false;
    }
    if (hl == 0) {
        *why = xstrdup("missing host for URL");
        return false;
    }
    return true;
}

/* What Go's URL.String() gives back for a parsed URL: the scheme in lower
 * case and the path with non-ASCII bytes and spaces percent-encoded. */
static char *url_normalize(struct cfg_arena *a, const char *s)
{
    size_t sl, hl;
    char *why = NULL;
    if (!url_parse(s, &sl, &hl, &why)) {
        free(why);
        return cfg_arena_strdup(a, s);
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < sl; i++)
        strbuf_putc(&sb, (char)tolower((unsigned char)s[i]));
    const char *rest = s + sl;
    size_t head = 0;
    if (sl && !strncmp(rest + 1, "//", 2))
        head = 3 + strcspn(rest + 3, "/?#");
    strbuf_add(&sb, rest, head);
    const char *q = rest + head;
    size_t path_len = strcspn(q, "?#");
    for (size_t i = 0; i < path_len; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c >= 0x80 || c == ' ')
            strbuf_printf(&sb, "%%%02X", c);
        else
            strbuf_putc(&sb, (char)c);
    }
    strbuf_puts(&sb, q + path_len);
    char *out = cfg_arena_strdup(a, strbuf_cstr(&sb));
    strbuf_free(&sb);
    return out;
}

static int check_url(struct pctx *p, yaml_node_t *n, const char *s, bool any_scheme)
{
    char *why = NULL;
    size_t sl, hl;
    bool ok = any_scheme ? url_parse(s, &sl, &hl, &why) : url_valid(s, &why);
    if (ok)
        return 0;
    pctx_fail(p, n, "%s", why);
    free(why);
    return -1;
}

int hostport_check(struct pctx *p, yaml_node_t *n, const char *s)
{
    if (str_empty(s))
        return 0;
    const char *colon = strrchr(s, ':');
    if (!colon)
        return pctx_fail(p, n, "address %s: missing port in address", s);
    if (s[0] != '[' && strchr(s, ':') != colon)
        return pctx_fail(p, n, "address %s: too many colons in address", s);
    if (!colon[1])
        return pctx_fail(p, n, "address \"%s\": port cannot be empty", s);
    return 0;
}

/* ---- parsing ---- */

static int parse_tlsver(struct pctx *p, yaml_node_t *n, int64_t *out)
{
    static const char *const names[] = {"TLS10", "TLS11", "TLS12", "TLS13"};
    if (parse_string(p, n, &(char *){NULL}))
        return -1;
    if (node_is_null(n)) {
        *out = 0;
        return 0;
    }
    for (int i = 0; i < 4; i++)
        if (!strcmp(node_str(n), names[i])) {
            *out = 0x0301 + i;
            return 0;
        }
    return pctx_fail(p, n, "unknown TLS version: %s", node_str(n));
}

static int parse_list(struct pctx *p, const struct cf_field *f, yaml_node_t *n, void *obj)
{
    void *items = FIELD_AT(obj, f->off, void *);
    size_t *count = FIELD_AT(obj, f->off2, size_t);
    *count = 0;
    if (node_is_null(n))
        return 0;
    if (expect_seq(p, n, f->dflt ? f->dflt : "[]interface {}"))
        return -1;
    size_t idx = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++, idx++) {
        void *elem = cfg_arena_push(p->a, items, count, f->sub->size);
        schema_defaults(p->a, f->sub, elem);
        size_t mark = path_push_index(p, idx);
        int r = schema_parse(p, f->sub, node_get(p, *i), elem);
        path_pop(p, mark);
        if (r)
            return -1;
    }
    return 0;
}

static int parse_ptr(struct pctx *p, const struct cf_field *f, yaml_node_t *n, void *obj)
{
    void **slot = FIELD_AT(obj, f->off, void *);
    const struct cf_schema *sub = f->kind == CF_HTTP ? &cf_http_schema : f->sub;
    *slot = NULL;
    if (node_is_null(n))
        return 0;
    void *v = cfg_arena_alloc(p->a, sub->size);
    schema_defaults(p->a, sub, v);
    if (schema_parse(p, sub, n, v))
        return -1;
    *slot = v;
    return 0;
}

static int parse_scalar_field(struct pctx *p, const struct cf_field *f, yaml_node_t *n, void *obj)
{
    char **sp = FIELD_AT(obj, f->off, char *);
    switch (f->kind) {
    case CF_STR:
    case CF_SECRET:
        return parse_string(p, n, sp);
    case CF_URL:
    case CF_SECRET_URL:
    case CF_PROXYURL:
        if (parse_string(p, n, sp))
            return -1;
        if (!*sp)
            return 0;
        if (check_url(p, n, *sp, f->kind == CF_PROXYURL))
            return -1;
        *sp = url_normalize(p->a, *sp);
        return 0;
    case CF_BOOL:
        return parse_bool(p, n, FIELD_AT(obj, f->off, bool));
    case CF_INT:
        return parse_int64(p, n, FIELD_AT(obj, f->off, int64_t), "int64");
    case CF_UINT:
        return parse_uint64(p, n, FIELD_AT(obj, f->off, uint64_t));
    case CF_GODUR:
        return parse_go_duration(p, n, FIELD_AT(obj, f->off, int64_t));
    case CF_TLSVER:
        return parse_tlsver(p, n, FIELD_AT(obj, f->off, int64_t));
    case CF_PROMDUR:
        return parse_prom_duration(p, n, FIELD_AT(obj, f->off, int64_t));
    case CF_HOSTPORT:
        if (parse_string(p, n, sp))
            return -1;
        return hostport_check(p, n, *sp);
    case CF_BOOLPTR:
        *FIELD_AT(obj, f->off, bool) = !node_is_null(n);
        return parse_bool(p, n, FIELD_AT(obj, f->off2, bool));
    }
    return -1;
}

static int parse_field(struct pctx *p, const struct cf_field *f, yaml_node_t *n, void *obj)
{
    switch (f->kind) {
    case CF_STRLIST:
        return parse_strlist(p, n, FIELD_AT(obj, f->off, struct config_strlist));
    case CF_STRMAP:
        return parse_strmap(p, n, FIELD_AT(obj, f->off, struct config_strmap));
    case CF_HEADERS:
        return parse_headers(p, n, FIELD_AT(obj, f->off, struct config_headers));
    case CF_STRUCT:
        memset(FIELD_AT(obj, f->off, void), 0, f->sub->size);
        schema_defaults(p->a, f->sub, FIELD_AT(obj, f->off, void));
        if (node_is_null(n))
            return 0;
        return schema_parse(p, f->sub, n, FIELD_AT(obj, f->off, void));
    case CF_PTR:
    case CF_HTTP:
        return parse_ptr(p, f, n, obj);
    case CF_LIST:
        return parse_list(p, f, n, obj);
    default:
        return parse_scalar_field(p, f, n, obj);
    }
}

int schema_parse(struct pctx *p, const struct cf_schema *s, yaml_node_t *n, void *obj)
{
    const char *known[65];
    size_t nk = s->n_fields < 64 ? s->n_fields : 64;
    for (size_t i = 0; i < nk; i++)
        known[i] = s->fields[i].name;
    known[nk] = NULL;
    struct map_iter it;
    if (map_begin(p, n, known, s->gotype, &it))
        return -1;
    const char *key;
    yaml_node_t *val;
    int r;
    while ((r = map_next(p, &it, &key, &val)) == 1) {
        const struct cf_field *f = NULL;
        for (size_t i = 0; i < s->n_fields && !f; i++)
            if (!strcmp(s->fields[i].name, key))
                f = &s->fields[i];
        size_t mark = path_push_key(p, key);
        r = parse_field(p, f, val, obj);
        path_pop(p, mark);
        if (r)
            return -1;
    }
    if (r)
        return -1;
    return s->validate ? s->validate(p, n, obj) : 0;
}

/* ---- emitting ---- */

static bool field_is_zero(const struct cf_field *f, const void *obj)
{
    switch (f->kind) {
    case CF_STR:
    case CF_SECRET:
    case CF_URL:
    case CF_SECRET_URL:
    case CF_HOSTPORT:
    case CF_PROXYURL:
        return str_empty(*FIELD_AT(obj, f->off, char *));
    case CF_PROMDUR:
        return *FIELD_AT(obj, f->off, int64_t) == 0;
    case CF_BOOL:
        return !*FIELD_AT(obj, f->off, bool);
    case CF_INT:
    case CF_GODUR:
    case CF_TLSVER:
        return *FIELD_AT(obj, f->off, int64_t) == 0;
    case CF_UINT:
        return *FIELD_AT(obj, f->off, uint64_t) == 0;
    case CF_STRLIST:
        return FIELD_AT(obj, f->off, struct config_strlist)->len == 0;
    case CF_STRMAP:
        return FIELD_AT(obj, f->off, struct config_strmap)->len == 0;
    case CF_HEADERS:
        return FIELD_AT(obj, f->off, struct config_headers)->len == 0;
    case CF_STRUCT:
        return schema_is_zero(f->sub, FIELD_AT(obj, f->off, void));
    case CF_PTR:
    case CF_HTTP:
        return *FIELD_AT(obj, f->off, void *) == NULL;
    case CF_LIST:
        return *FIELD_AT(obj, f->off2, size_t) == 0;
    case CF_BOOLPTR:
        return !*FIELD_AT(obj, f->off, bool);
    }
    return true;
}

bool schema_is_zero(const struct cf_schema *s, const void *obj)
{
    for (size_t i = 0; i < s->n_fields; i++)
        if (!field_is_zero(&s->fields[i], obj))
            return false;
    return true;
}

/* Go's time.Duration.String() for the values configs hold. */
static void go_duration_format(int64_t ns, char out[64])
{
    if (ns == 0) {
        strcpy(out, "0s");
        return;
    }
    const char *sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;
    if (u < 1000000000) {
        if (u < 1000)
            snprintf(out, 64, "%s%lluns", sign, (unsigned long long)u);
        else if (u < 1000000)
            snprintf(out, 64, "%s%g\xc2\xb5s", sign, (double)u / 1e3);
        else
            snprintf(out, 64, "%s%gms", sign, (double)u / 1e6);
        return;
    }
    uint64_t h = u / 3600000000000ULL, m = u / 60000000000ULL % 60;
    uint64_t s = u / 1000000000ULL % 60, frac = u % 1000000000ULL;
    char secs[32];
    snprintf(secs, sizeof secs, "%llu", (unsigned long long)s);
    if (frac) {
        char f[16];
        snprintf(f, sizeof f, "%09llu", (unsigned long long)frac);
        for (int i = 8; i >= 0 && f[i] == '0'; i--)
            f[i] = '\0';
        snprintf(secs + strlen(secs), sizeof secs - strlen(secs), ".%s", f);
    }
    if (h)
        snprintf(out, 64, "%s%lluh%llum%ss", sign, (unsigned long long)h, (unsigned long long)m,
                 secs);
    else if (m)
        snprintf(out, 64, "%s%llum%ss", sign, (unsigned long long)m, secs);
    else
        snprintf(out, 64, "%s%ss", sign, secs);
}

static void emit_secret(struct yout *o, const struct cf_field *f, const char *v)
{
    if (str_empty(v) && (f->flags & CFF_NULL_IF_EMPTY))
        yout_null(o);
    else
        yout_str(o, str_empty(v) ? "" : "<secret>");
}

static void emit_headers(struct yout *o, const struct config_headers *h)
{
    yout_map_begin(o);
    for (size_t i = 0; i < h->len; i++) {
        yout_key(o, h->items[i].name);
        yout_seq_begin(o, false);
        for (size_t j = 0; j < h->items[i].values.len; j++)
            yout_str(o, "<secret>");
        yout_seq_end(o);
    }
    yout_map_end(o);
}

static void emit_list(struct yout *o, const struct cf_field *f, const void *obj)
{
    const char *items = *FIELD_AT(obj, f->off, const char *);
    size_t n = *FIELD_AT(obj, f->off2, size_t);
    yout_seq_begin(o, false);
    for (size_t i = 0; i < n; i++)
        schema_emit(o, f->sub, items + i * f->sub->size);
    yout_seq_end(o);
}

static void emit_scalar_value(struct yout *o, const struct cf_field *f, const void *obj)
{
    char num[64];
    switch (f->kind) {
    case CF_PROMDUR:
        duration_format_prom(*FIELD_AT(obj, f->off, int64_t), num);
        yout_str(o, num);
        break;
    case CF_GODUR:
        go_duration_format(*FIELD_AT(obj, f->off, int64_t), num);
        yout_str(o, num);
        break;
    case CF_SECRET:
    case CF_SECRET_URL:
        emit_secret(o, f, *FIELD_AT(obj, f->off, char *));
        break;
    case CF_BOOL:
    case CF_BOOLPTR:
        yout_raw(o, *FIELD_AT(obj, f->kind == CF_BOOL ? f->off : f->off2, bool) ? "true"
                                                                                : "false");
        break;
    case CF_INT:
    case CF_TLSVER:
        snprintf(num, sizeof num, "%lld", (long long)*FIELD_AT(obj, f->off, int64_t));
        yout_raw(o, num);
        break;
    case CF_UINT:
        snprintf(num, sizeof num, "%llu", (unsigned long long)*FIELD_AT(obj, f->off, uint64_t));
        yout_raw(o, num);
        break;
    default: { /* the string kinds */
        const char *v = *FIELD_AT(obj, f->off, char *);
        yout_str(o, v ? v : "");
        break;
    }
    }
}

static void emit_value(struct yout *o, const struct cf_field *f, const void *obj)
{
    switch (f->kind) {
    case CF_STRLIST:
        yout_strlist(o, FIELD_AT(obj, f->off, struct config_strlist), false);
        break;
    case CF_STRMAP:
        yout_strmap(o, FIELD_AT(obj, f->off, struct config_strmap));
        break;
    case CF_HEADERS:
        emit_headers(o, FIELD_AT(obj, f->off, struct config_headers));
        break;
    case CF_STRUCT:
        schema_emit(o, f->sub, FIELD_AT(obj, f->off, void));
        break;
    case CF_PTR:
    case CF_HTTP: {
        const void *v = *FIELD_AT(obj, f->off, void *);
        if (v)
            schema_emit(o, f->kind == CF_HTTP ? &cf_http_schema : f->sub, v);
        else
            yout_null(o);
        break;
    }
    case CF_LIST:
        emit_list(o, f, obj);
        break;
    default:
        emit_scalar_value(o, f, obj);
    }
}

void schema_emit(struct yout *o, const struct cf_schema *s, const void *obj)
{
    yout_map_begin(o);
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct cf_field *f = &s->fields[i];
        if ((f->flags & CFF_OMITEMPTY) && field_is_zero(f, obj))
            continue;
        yout_key(o, f->name);
        emit_value(o, f, obj);
    }
    yout_map_end(o);
}

/* ---- http_config and tls_config ---- */

#define F(name, kind, flags, type, member, dflt) \
    {name, kind, flags, offsetof(type, member), 0, NULL, dflt}
#define O CFF_OMITEMPTY

static const struct cf_field tls_fields[] = {
    F("ca_file", CF_STR, O, struct config_tls, ca_file, NULL),
    F("cert_file", CF_STR, O, struct config_tls, cert_file, NULL),
    F("key_file", CF_STR, O, struct config_tls, key_file, NULL),
    F("server_name", CF_STR, O, struct config_tls, server_name, NULL),
    F("insecure_skip_verify", CF_BOOL, 0, struct config_tls, insecure_skip_verify, NULL),
    F("min_version", CF_TLSVER, O, struct config_tls, min_version, NULL),
    F("max_version", CF_TLSVER, O, struct config_tls, max_version, NULL),
};
const struct cf_schema cf_tls_schema = {"config.plain", sizeof(struct config_tls), tls_fields,
                                        ARRAY_SIZE(tls_fields), NULL, NULL};

static const struct cf_field basic_auth_fields[] = {
    F("username", CF_STR, O, struct config_basic_auth, username, NULL),
    F("password", CF_SECRET, O, struct config_basic_auth, password, NULL),
    F("password_file", CF_STR, O, struct config_basic_auth, password_file, NULL),
};
static const struct cf_schema basic_auth_schema = {
    "config.plain", sizeof(struct config_basic_auth), basic_auth_fields,
    ARRAY_SIZE(basic_auth_fields), NULL, NULL};

static const struct cf_field authz_fields[] = {
    F("type", CF_STR, O, struct config_authorization, type, NULL),
    F("credentials", CF_SECRET, O, struct config_authorization, credentials, NULL),
    F("credentials_file", CF_STR, O, struct config_authorization, credentials_file, NULL),
};
static const struct cf_schema authz_schema = {"config.Authorization",
                                              sizeof(struct config_authorization), authz_fields,
                                              ARRAY_SIZE(authz_fields), NULL, NULL};

static const struct cf_field oauth2_fields[] = {
    F("client_id", CF_STR, 0, struct config_oauth2, client_id, NULL),
    F("client_secret", CF_SECRET, CFF_NULL_IF_EMPTY, struct config_oauth2, client_secret, NULL),
    F("client_secret_file", CF_STR, 0, struct config_oauth2, client_secret_file, NULL),
    F("scopes", CF_STRLIST, O, struct config_oauth2, scopes, NULL),
    F("token_url", CF_STR, 0, struct config_oauth2, token_url, NULL),
    F("endpoint_params", CF_STRMAP, O, struct config_oauth2, endpoint_params, NULL),
    F("proxy_url", CF_PROXYURL, O, struct config_oauth2, proxy_url, NULL),
    F("proxy_connect_header", CF_HEADERS, O, struct config_oauth2, proxy_connect_header, NULL),
    {"tls_config", CF_STRUCT, O, offsetof(struct config_oauth2, tls_config), 0, &cf_tls_schema,
     NULL},
};
static const struct cf_schema oauth2_schema = {"config.OAuth2", sizeof(struct config_oauth2),
                                               oauth2_fields, ARRAY_SIZE(oauth2_fields), NULL,
                                               NULL};

static const struct cf_field http_fields[] = {
    {"basic_auth", CF_PTR, O, offsetof(struct config_http, basic_auth), 0, &basic_auth_schema,
     NULL},
    {"authorization", CF_PTR, O, offsetof(struct config_http, authorization), 0, &authz_schema,
     NULL},
    {"oauth2", CF_PTR, O, offsetof(struct config_http, oauth2), 0, &oauth2_schema, NULL},
    F("bearer_token", CF_SECRET, O, struct config_http, bearer_token, NULL),
    F("bearer_token_file", CF_STR, O, struct config_http, bearer_token_file, NULL),
    F("proxy_url", CF_PROXYURL, O, struct config_http, proxy_url, NULL),
    F("proxy_connect_header", CF_HEADERS, O, struct config_http, proxy_connect_header, NULL),
    {"tls_config", CF_STRUCT, O, offsetof(struct config_http, tls_config), 0, &cf_tls_schema,
     NULL},
    F("follow_redirects", CF_BOOL, 0, struct config_http, follow_redirects, "true"),
    F("enable_http2", CF_BOOL, 0, struct config_http, enable_http2, "true"),
};
static int http_validate_obj(struct pctx *p, yaml_node_t *n, void *obj);
const struct cf_schema cf_http_schema = {"config.plain", sizeof(struct config_http), http_fields,
                                         ARRAY_SIZE(http_fields), NULL, http_validate_obj};

static int http_validate_authz(struct pctx *p, yaml_node_t *n, struct config_http *h)
{
    struct config_authorization *az = h->authorization;
    if (!str_empty(h->bearer_token) || !str_empty(h->bearer_token_file))
        return pctx_fail(p, n, "authorization is not compatible with bearer_token & "
                               "bearer_token_file");
    if (!str_empty(az->credentials) && !str_empty(az->credentials_file))
        return pctx_fail(p, n, "at most one of authorization credentials & credentials_file "
                               "must be configured");
    /* Go trims spaces off the type and defaults it to Bearer */
    char *t = az->type ? az->type : "";
    while (isspace((unsigned char)*t))
        t++;
    size_t tl = strlen(t);
    while (tl && isspace((unsigned char)t[tl - 1]))
        tl--;
    az->type = cfg_arena_strndup(p->a, tl ? t : "Bearer", tl ? tl : 6);
    if (!strcasecmp(az->type, "basic"))
        return pctx_fail(p, n, "authorization type cannot be set to \"basic\", use "
                               "\"basic_auth\" instead");
    if (h->basic_auth || h->oauth2)
        return pctx_fail(p, n, "at most one of basic_auth, oauth2 & authorization must be "
                               "configured");
    return 0;
}

static void http_fold_bearer(struct pctx *p, struct config_http *h)
{
    if (str_empty(h->bearer_token) && str_empty(h->bearer_token_file))
        return;
    h->authorization = cfg_arena_alloc(p->a, sizeof *h->authorization);
    h->authorization->type = cfg_arena_strdup(p->a, "Bearer");
    if (!str_empty(h->bearer_token))
        h->authorization->credentials = h->bearer_token;
    else
        h->authorization->credentials_file = h->bearer_token_file;
    h->bearer_token = h->bearer_token_file = NULL;
}

static int http_validate_oauth2(struct pctx *p, yaml_node_t *n, struct config_oauth2 *o2,
                                bool basic)
{
    if (basic)
        return pctx_fail(p, n, "at most one of oauth2 & basic_auth must be configured");
    if (str_empty(o2->client_id))
        return pctx_fail(p, n, "oauth2 client_id must be configured");
    if (str_empty(o2->client_secret) && str_empty(o2->client_secret_file))
        return pctx_fail(p, n, "either oauth2 client_secret or client_secret_file must be "
                               "configured");
    if (str_empty(o2->token_url))
        return pctx_fail(p, n, "oauth2 token_url must be configured");
    if (!str_empty(o2->client_secret) && !str_empty(o2->client_secret_file))
        return pctx_fail(p, n, "at most one of oauth2 client_secret & client_secret_file must "
                               "be configured");
    return 0;
}

int http_validate(struct pctx *p, yaml_node_t *n, struct config_http *h)
{
    bool bearer = !str_empty(h->bearer_token) || !str_empty(h->bearer_token_file);
    if (!str_empty(h->bearer_token) && !str_empty(h->bearer_token_file))
        return pctx_fail(p, n, "at most one of bearer_token & bearer_token_file must be "
                               "configured");
    if ((h->basic_auth || h->oauth2) && bearer)
        return pctx_fail(p, n, "at most one of basic_auth, oauth2, bearer_token & "
                               "bearer_token_file must be configured");
    if (h->basic_auth && !str_empty(h->basic_auth->password) &&
        !str_empty(h->basic_auth->password_file))
        return pctx_fail(p, n, "at most one of basic_auth password & password_file must be "
                               "configured");
    if (h->authorization) {
        if (http_validate_authz(p, n, h))
            return -1;
    } else {
        http_fold_bearer(p, h);
    }
    if (h->oauth2 && http_validate_oauth2(p, n, h->oauth2, h->basic_auth != NULL))
        return -1;
    if (h->proxy_connect_header.len && str_empty(h->proxy_url))
        return pctx_fail(p, n, "if proxy_connect_header is configured proxy_url must also be "
                               "configured");
    return 0;
}

static int http_validate_obj(struct pctx *p, yaml_node_t *n, void *obj)
{
    return http_validate(p, n, obj);
}

static void tls_resolve_paths(struct cfg_arena *a, const char *dir, struct config_tls *t)
{
    t->ca_file = path_join_dir(a, dir, t->ca_file);
    t->cert_file = path_join_dir(a, dir, t->cert_file);
    t->key_file = path_join_dir(a, dir, t->key_file);
}

/* HTTPClientConfig.SetDirectory: relative files are relative to the config. */
void http_resolve_paths(struct cfg_arena *a, const char *dir, struct config_http *h)
{
    tls_resolve_paths(a, dir, &h->tls_config);
    if (h->basic_auth)
        h->basic_auth->password_file = path_join_dir(a, dir, h->basic_auth->password_file);
    if (h->authorization)
        h->authorization->credentials_file =
            path_join_dir(a, dir, h->authorization->credentials_file);
    if (h->oauth2) {
        h->oauth2->client_secret_file = path_join_dir(a, dir, h->oauth2->client_secret_file);
        tls_resolve_paths(a, dir, &h->oauth2->tls_config);
    }
}
