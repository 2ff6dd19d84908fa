/*
 * config/web.c: --web.config.file, the exporter-toolkit web config that
 * Alertmanager 0.25 reads when it starts listening (TLS, HTTP headers and
 * basic auth users).  Parsed strictly with the config module's yaml.v2
 * helpers, then checked in the order 0.25 checks at start-up: YAML, header
 * names and values, bcrypt hashes, then the TLS settings (cert_file and
 * key_file set, readable and holding PEM certificate / key blocks,
 * client_ca_file readable, client_auth_type known, a client CA only with a
 * client auth policy).  Certificates are not parsed beyond PEM framing: that
 * belongs to whoever serves TLS.
 */
#include "config/internal.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>

struct web_box {
    struct config_web pub; /* first: config_web_free casts back */
    struct cfg_arena arena;
};

/* Where the values checked after parsing sit in the document. */
struct web_nodes {
    yaml_node_t *tls, *cert, *key, *ca, *auth, *headers, *users;
};

struct web_load {
    struct pctx p;
    struct config_web *w;
    struct web_nodes at;
    char *client_auth; /* client_auth_type as written, NULL when unset */
};

/* ---- names ---- */

struct name_id {
    const char *name;
    uint16_t id;
};

static const struct name_id tls_versions[] = {
    {"TLS10", 0x0301}, {"TLS11", 0x0302}, {"TLS12", 0x0303}, {"TLS13", 0x0304}};

/* Go 1.19's tls.CipherSuites(): the suites exporter-toolkit accepts. */
static const struct name_id ciphers[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", 0x002f},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009c},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009d},
    {"TLS_AES_128_GCM_SHA256", 0x1301},
    {"TLS_AES_256_GCM_SHA384", 0x1302},
    {"TLS_CHACHA20_POLY1305_SHA256", 0x1303},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xc009},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xc00a},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xc013},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xc014},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xc02b},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xc02c},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xc02f},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xc030},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca8},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xcca9},
};

const char *config_web_cipher_name(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++)
        if (ciphers[i].id == id)
            return ciphers[i].name;
    return NULL;
}

static const struct name_id curves[] = {
    {"CurveP256", 23}, {"CurveP384", 24}, {"CurveP521", 25}, {"X25519", 29}};

static const struct name_id client_auths[] = {
    {"", CONFIG_WEB_NO_CLIENT_CERT},
    {"NoClientCert", CONFIG_WEB_NO_CLIENT_CERT},
    {"RequestClientCert", CONFIG_WEB_REQUEST_CLIENT_CERT},
    {"RequireAnyClientCert", CONFIG_WEB_REQUIRE_ANY_CLIENT_CERT},
    {"RequireClientCert", CONFIG_WEB_REQUIRE_ANY_CLIENT_CERT},
    {"VerifyClientCertIfGiven", CONFIG_WEB_VERIFY_CLIENT_CERT_IF_GIVEN},
    {"RequireAndVerifyClientCert", CONFIG_WEB_REQUIRE_AND_VERIFY_CLIENT_CERT},
};

static const struct name_id *name_find(const struct name_id *t, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, s))
            return &t[i];
    return NULL;
}

/* A scalar that names nothing in the table: what exporter-toolkit's
 * UnmarshalYAML methods reject (null never reaches them). */
static bool name_unknown(const yaml_node_t *n, const struct name_id *t, size_t nt)
{
    return n->type == YAML_SCALAR_NODE && !node_is_null(n) && !name_find(t, nt, node_str(n));
}

/* ---- parsing ---- */

typedef int (*field_fn)(struct web_load *l, const char *key, yaml_node_t *val);

static int web_map(struct web_load *l, yaml_node_t *n, const char *const *keys,
                   const char *gotype, field_fn fn)
{
    struct map_iter it;
    if (map_begin(&l->p, n, keys, gotype, &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(&l->p, &it, &k, &v)) == 1) {
        size_t mark = path_push_key(&l->p, k);
        rc = fn(l, k, v);
        path_pop(&l->p, mark);
        if (rc)
            return -1;
    }
    return rc;
}

static int tls_version(struct web_load *l, yaml_node_t *n, uint16_t *out)
{
    char *s = NULL;
    if (parse_string(&l->p, n, &s))
        return -1;
    *out = 0;
    if (!s)
        return 0;
    const struct name_id *v = name_find(tls_versions, ARRAY_SIZE(tls_versions), s);
    if (!v)
        return pctx_fail(&l->p, n, "unknown TLS version: %s", s);
    *out = v->id;
    return 0;
}

struct id_list {
    const char *gotype, *what;
    const struct name_id *names;
    size_t n_names;
};
static const struct id_list cipher_list = {"[]web.Cipher", "cipher", ciphers,
                                           ARRAY_SIZE(ciphers)};
static const struct id_list curve_list = {"[]web.Curve", "curve", curves, ARRAY_SIZE(curves)};

static int id_item(struct web_load *l, const struct id_list *d, yaml_node_t *n, uint16_t **items,
                   size_t *len)
{
    char *s = NULL;
    if (parse_string(&l->p, n, &s))
        return -1;
    if (!s) /* yaml.v2 leaves a null entry zero */
        return 0;
    const struct name_id *v = name_find(d->names, d->n_names, s);
    if (!v)
        return pctx_fail(&l->p, n, "unknown %s: %s", d->what, s);
    uint16_t *slot = cfg_arena_push(l->p.a, items, len, sizeof *slot);
    *slot = v->id;
    return 0;
}

static int id_list_parse(struct web_load *l, const struct id_list *d, yaml_node_t *n,
                         uint16_t **items, size_t *len)
{
    *items = NULL;
    *len = 0;
    if (node_is_null(n))
        return 0;
    if (expect_seq(&l->p, n, d->gotype))
        return -1;
    size_t idx = 0;
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
         i++) {
        size_t mark = path_push_index(&l->p, idx++);
        int rc = id_item(l, d, node_get(&l->p, *i), items, len);
        path_pop(&l->p, mark);
        if (rc)
            return -1;
    }
    return 0;
}

static const char *const tls_keys[] = {
    "cert_file",     "key_file",          "client_auth_type", "client_ca_file",
    "cipher_suites", "curve_preferences", "min_version",      "max_version",
    "prefer_server_cipher_suites", NULL};

static int tls_field_file(struct web_load *l, const char *k, yaml_node_t *v)
{
    struct config_web_tls *t = &l->w->tls;
    char **dst = &l->client_auth;
    yaml_node_t **at = &l->at.auth;
    if (!strcmp(k, "cert_file"))
        dst = &t->cert_file, at = &l->at.cert;
    else if (!strcmp(k, "key_file"))
        dst = &t->key_file, at = &l->at.key;
    else if (!strcmp(k, "client_ca_file"))
        dst = &t->client_ca_file, at = &l->at.ca;
    *at = v;
    return parse_string(&l->p, v, dst);
}

static int tls_field(struct web_load *l, const char *k, yaml_node_t *v)
{
    struct config_web_tls *t = &l->w->tls;
    if (!strcmp(k, "cipher_suites"))
        return id_list_parse(l, &cipher_list, v, &t->cipher_suites, &t->n_cipher_suites);
    if (!strcmp(k, "curve_preferences"))
        return id_list_parse(l, &curve_list, v, &t->curve_preferences,
                             &t->n_curve_preferences);
    if (!strcmp(k, "min_version"))
        return tls_version(l, v, &t->min_version);
    if (!strcmp(k, "max_version"))
        return tls_version(l, v, &t->max_version);
    if (!strcmp(k, "prefer_server_cipher_suites"))
        return parse_bool(&l->p, v, &t->prefer_server_cipher_suites);
    return tls_field_file(l, k, v);
}

/* yaml.v2 zeroes a struct given null; a mapping updates the defaults. */
static int tls_parse(struct web_load *l, yaml_node_t *n)
{
    l->at.tls = n;
    if (!node_is_null(n))
        return web_map(l, n, tls_keys, "web.TLSConfig", tls_field);
    memset(&l->w->tls, 0, sizeof l->w->tls);
    l->client_auth = NULL;
    l->at.cert = l->at.key = l->at.ca = l->at.auth = NULL;
    return 0;
}

static const char *const http_keys[] = {"http2", "headers", NULL};

static int http_field(struct web_load *l, const char *k, yaml_node_t *v)
{
    if (!strcmp(k, "http2"))
        return parse_bool(&l->p, v, &l->w->http2);
    l->at.headers = v;
    return parse_strmap(&l->p, v, &l->w->headers);
}

static int http_parse(struct web_load *l, yaml_node_t *n)
{
    if (!node_is_null(n))
        return web_map(l, n, http_keys, "web.HTTPConfig", http_field);
    l->w->http2 = false;
    memset(&l->w->headers, 0, sizeof l->w->headers);
    l->at.headers = NULL;
    return 0;
}

/* config.Secret decodes through its `plain` string type. */
static int secret_parse(struct pctx *p, yaml_node_t *n, char **out)
{
    if (n->type == YAML_SCALAR_NODE)
        return parse_string(p, n, out);
    /* each helper reports the node's real kind when it is not the expected one */
    if (n->type == YAML_MAPPING_NODE)
        return expect_seq(p, n, "config.plain");
    return expect_map(p, n, "config.plain");
}

static void user_set(struct pctx *p, struct config_strmap *m, const char *name, char *hash)
{
    struct config_kv *kv = NULL;
    for (size_t i = 0; i < m->len && !kv; i++)
        if (!strcmp(m->items[i].key, name))
            kv = &m->items[i];
    if (!kv) {
        kv = cfg_arena_push(p->a, &m->items, &m->len, sizeof *kv);
        kv->key = cfg_arena_strdup(p->a, name);
    }
    kv->value = hash ? hash : cfg_arena_strdup(p->a, "");
}

static int users_parse(struct web_load *l, yaml_node_t *n)
{
    struct pctx *p = &l->p;
    struct config_strmap *m = &l->w->users;
    memset(m, 0, sizeof *m);
    l->at.users = n;
    if (node_is_null(n))
        return 0;
    struct map_iter it;
    if (map_begin(p, n, NULL, "map[string]config.Secret", &it))
        return -1;
    const char *k;
    yaml_node_t *v;
    int rc;
    while ((rc = map_next(p, &it, &k, &v)) == 1) {
        char *hash = NULL;
        size_t mark = path_push_key(p, k);
        rc = secret_parse(p, v, &hash);
        path_pop(p, mark);
        if (rc)
            return -1;
        user_set(p, m, k, hash);
    }
    if (rc == 0)
        strmap_sort(m);
    return rc;
}

static const char *const top_keys[] = {"tls_server_config", "http_server_config",
                                       "basic_auth_users", NULL};

static int top_field(struct web_load *l, const char *k, yaml_node_t *v)
{
    if (!strcmp(k, "tls_server_config"))
        return tls_parse(l, v);
    if (!strcmp(k, "http_server_config"))
        return http_parse(l, v);
    return users_parse(l, v);
}

static void web_defaults(struct config_web *w)
{
    w->tls.min_version = 0x0303;
    w->tls.max_version = 0x0304;
    w->tls.prefer_server_cipher_suites = true;
    w->http2 = true;
}

/* An empty file keeps the defaults; a null document zeroes them. */
static int web_parse_root(struct web_load *l, yaml_node_t *root)
{
    if (!root)
        return 0;
    if (!node_is_null(root))
        return web_map(l, root, top_keys, "web.Config", top_field);
    memset(l->w, 0, sizeof *l->w);
    return 0;
}

/* ---- which error yaml.v2 reports ----
 * yaml.v2 collects type errors and decodes on, but an error returned by a
 * custom UnmarshalYAML (an unknown TLS version, cipher or curve name) stops
 * decoding and is the only one reported.  After a failed parse the first
 * such name in the document, if any, replaces the error. */

static int fatal_version(struct web_load *l, const char *k, yaml_node_t *v)
{
    if (!name_unknown(v, tls_versions, ARRAY_SIZE(tls_versions)))
        return 0;
    return pctx_fail_key(&l->p, v, k, "unknown TLS version: %s", node_str(v));
}

static int fatal_list(struct web_load *l, const char *k, yaml_node_t *v, const struct id_list *d)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return 0;
    size_t idx = 0;
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
         i++, idx++) {
        yaml_node_t *e = node_get(&l->p, *i);
        if (!name_unknown(e, d->names, d->n_names))
            continue;
        char *key = xasprintf("%s[%zu]", k, idx);
        pctx_fail_key(&l->p, e, key, "unknown %s: %s", d->what, node_str(e));
        free(key);
        return -1;
    }
    return 0;
}

static int fatal_tls(struct web_load *l, yaml_node_t *tls)
{
    for (yaml_node_pair_t *pr = tls->data.mapping.pairs.start; pr < tls->data.mapping.pairs.top;
         pr++) {
        const char *k = node_str(node_get(&l->p, pr->key));
        yaml_node_t *v = node_get(&l->p, pr->value);
        int rc = 0;
        if (!strcmp(k, "min_version") || !strcmp(k, "max_version"))
            rc = fatal_version(l, k, v);
        else if (!strcmp(k, "cipher_suites"))
            rc = fatal_list(l, k, v, &cipher_list);
        else if (!strcmp(k, "curve_preferences"))
            rc = fatal_list(l, k, v, &curve_list);
        if (rc)
            return -1;
    }
    return 0;
}

static void fatal_rescan(struct web_load *l, yaml_node_t *root)
{
    if (!root || root->type != YAML_MAPPING_NODE)
        return;
    char *first = l->p.err;
    l->p.err = NULL;
    path_pop(&l->p, 0);
    size_t mark = path_push_key(&l->p, "tls_server_config");
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top && !l->p.err; pr++) {
        yaml_node_t *v = node_get(&l->p, pr->value);
        if (!strcmp(node_str(node_get(&l->p, pr->key)), "tls_server_config") &&
            v->type == YAML_MAPPING_NODE)
            fatal_tls(l, v);
    }
    path_pop(&l->p, mark);
    if (l->p.err)
        free(first);
    else
        l->p.err = first;
}

/* ---- checks after parsing ---- */

/* Go's %q for the ASCII text these messages quote. */
static void go_quote(struct strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            strbuf_printf(sb, "\\%c", c);
        else if (c == '\n')
            strbuf_puts(sb, "\\n");
        else if (c == '\t')
            strbuf_puts(sb, "\\t");
        else if (c < 0x20 || c == 0x7f)
            strbuf_printf(sb, "\\x%02x", c);
        else
            strbuf_putc(sb, (char)c);
    }
    strbuf_putc(sb, '"');
}

/* exporter-toolkit's extraHTTPHeaders: the headers a web config may add,
 * and for some the only values allowed. */
struct header_rule {
    const char *name;
    const char *values[3];
};
static const struct header_rule header_rules[] = {
    {"Strict-Transport-Security", {NULL}},
    {"X-Content-Type-Options", {"nosniff", NULL}},
    {"X-Frame-Options", {"deny", "sameorigin", NULL}},
    {"X-XSS-Protection", {NULL}},
    {"Content-Security-Policy", {NULL}},
};

static int header_bad_value(struct pctx *p, yaml_node_t *at, const char *k,
                            const struct header_rule *r, const char *v)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "invalid value for %s. Expected one of: [", r->name);
    for (size_t i = 0; r->values[i]; i++) {
        if (i)
            strbuf_putc(&sb, ' ');
        go_quote(&sb, r->values[i]);
    }
    strbuf_puts(&sb, "], but got: ");
    go_quote(&sb, v);
    pctx_fail_key(p, at, k, "%s", strbuf_cstr(&sb));
    strbuf_free(&sb);
    return -1;
}

static int header_check(struct pctx *p, yaml_node_t *at, const char *k, const char *v)
{
    const struct header_rule *r = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(header_rules) && !r; i++)
        if (!strcmp(header_rules[i].name, k))
            r = &header_rules[i];
    if (!r) {
        struct strbuf sb = STRBUF_INIT;
        go_quote(&sb, k);
        pctx_fail_key(p, at, k, "HTTP header %s can not be configured", strbuf_cstr(&sb));
        strbuf_free(&sb);
        return -1;
    }
    for (size_t i = 0; r->values[i]; i++)
        if (!strcmp(r->values[i], v))
            return 0;
    return r->values[0] ? header_bad_value(p, at, k, r, v) : 0;
}

typedef int (*entry_fn)(struct pctx *p, yaml_node_t *at, const char *k, const char *v);

/* Runs fn over an already parsed string map, in file order, under `path`. */
static int map_each(struct web_load *l, yaml_node_t *n, const char *sect, const char *key,
                    entry_fn fn)
{
    struct pctx *p = &l->p;
    if (!n || node_is_null(n))
        return 0;
    struct map_iter it;
    size_t mark = path_push_key(p, sect);
    if (key)
        path_push_key(p, key);
    int rc = map_begin(p, n, NULL, "map", &it);
    const char *k;
    yaml_node_t *v;
    while (!rc && (rc = map_next(p, &it, &k, &v)) == 1)
        rc = fn(p, it.pairs[it.pos - 1].key, k, node_is_null(v) ? "" : node_str(v));
    path_pop(p, mark);
    return rc;
}

/* Go's strconv.Atoi on bcrypt's two cost characters. */
static bool go_atoi2(const char *s, int *out)
{
    int sign = 1, v = 0;
    size_t i = 0;
    if (s[0] == '+' || s[0] == '-')
        sign = s[i++] == '-' ? -1 : 1;
    if (i == 2)
        return false;
    for (; i < 2; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = sign * v;
    return true;
}

/* A byte as Go's %c prints it: the code point of that value, in UTF-8. */
static void go_char(struct strbuf *sb, unsigned char c)
{
    if (c < 0x80) {
        strbuf_putc(sb, (char)c);
        return;
    }
    strbuf_putc(sb, (char)(0xc0 | (c >> 6)));
    strbuf_putc(sb, (char)(0x80 | (c & 0x3f)));
}

/* golang.org/x/crypto/bcrypt.Cost's checks; NULL when the hash passes. */
static char *bcrypt_error(const char *h)
{
    if (strlen(h) < 59)
        return xasprintf("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
    struct strbuf sb = STRBUF_INIT;
    int cost = 0;
    size_t n = h[2] != '$' ? 4 : 3; /* a minor version letter may follow the major */
    char two[3] = {0};
    if (h[0] != '$') {
        strbuf_puts(&sb, "crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret "
                         "started with '");
        go_char(&sb, (unsigned char)h[0]);
        strbuf_putc(&sb, '\'');
    } else if (h[1] > '2') {
        strbuf_puts(&sb, "crypto/bcrypt: bcrypt algorithm version '");
        go_char(&sb, (unsigned char)h[1]);
        strbuf_puts(&sb, "' requested is newer than current version '2'");
    } else if (!go_atoi2(h + n, &cost)) {
        memcpy(two, h + n, 2);
        strbuf_puts(&sb, "strconv.Atoi: parsing ");
        go_quote(&sb, two);
        strbuf_puts(&sb, ": invalid syntax");
    } else if (cost < 4 || cost > 31) {
        strbuf_printf(&sb, "crypto/bcrypt: cost %d is outside allowed range (4,31)", cost);
    } else {
        return NULL;
    }
    return strbuf_detach(&sb);
}

static int user_check(struct pctx *p, yaml_node_t *at, const char *k, const char *hash)
{
    char *why = bcrypt_error(hash);
    if (!why)
        return 0;
    pctx_fail_key(p, at, k, "%s", why);
    free(why);
    return -1;
}

/* ---- TLS files ---- */

/* os.ReadFile's errors: "open <path>: ..." or "read <path>: ...". */
static int read_file(struct web_load *l, const char *path, yaml_node_t *at, const char *key,
                     const char *prefix, char **out)
{
    int rc = file_read_all(path, out, NULL);
    if (!rc)
        return 0;
    *out = NULL;
    return pctx_fail_key(&l->p, at, key, "%s%s %s: %s", prefix, rc == -EISDIR ? "read" : "open",
                         path, strerror_go(-rc));
}

static const char *line_end(const char *s)
{
    const char *e = strchr(s, '\n');
    return e ? e : s + strlen(s);
}

/* The line from s, without trailing spaces, tabs and \r (Go's getLine). */
static size_t line_len(const char *s)
{
    size_t n = (size_t)(line_end(s) - s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return n;
}

static const char *line_next(const char *s)
{
    const char *e = line_end(s);
    return *e ? e + 1 : e;
}

/* StdEncoding base64 between BEGIN and END, whitespace ignored. */
static bool pem_body_ok(const char *s, size_t n)
{
    size_t chars = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=')
            pad++;
        else if (pad || !(isalnum(c) || c == '+' || c == '/'))
            return false;
        chars++;
    }
    return pad <= 2 && chars % 4 == 0;
}

/* The END line of a block of `type` (tlen bytes) whose body starts at s. */
static const char *pem_end(const char *s, const char *type, size_t tlen, bool headers)
{
    const char *e = !headers && !strncmp(s, "-----END ", 9) ? s : strstr(s, "\n-----END ");
    if (!e)
        return NULL;
    const char *t = e + (*e == '\n' ? 10 : 9);
    if (strncmp(t, type, tlen) || strncmp(t + tlen, "-----", 5))
        return NULL;
    return line_len(t + tlen + 5) == 0 ? e : NULL;
}

/* One block from *pos, like encoding/pem.Decode: its type into *type and
 * 1, or 0 when no well-formed block is left. */
static int pem_next(const char **pos, struct strbuf *type)
{
    const char *s = *pos;
    for (;;) {
        const char *b = !strncmp(s, "-----BEGIN ", 11) ? s : strstr(s, "\n-----BEGIN ");
        if (!b)
            return 0;
        b += *b == '\n' ? 12 : 11;
        size_t tl = line_len(b);
        s = line_next(b);
        if (tl < 5 || strncmp(b + tl - 5, "-----", 5))
            continue;
        const char *body = s;
        while (*body && memchr(body, ':', (size_t)(line_end(body) - body)))
            body = line_next(body);
        const char *e = pem_end(body, b, tl - 5, body != s);
        if (!e || !pem_body_ok(body, (size_t)(e - body)))
            continue;
        strbuf_free(type);
        strbuf_add(type, b, tl - 5);
        *pos = line_next(e + 1);
        return 1;
    }
}

struct pem_types {
    struct strbuf list; /* skipped types, Go's %v of a []string */
    size_t n;
    bool one_key; /* the only skipped one ends in PRIVATE KEY */
};

static void pem_skip(struct pem_types *sk, const char *type)
{
    size_t tl = strlen(type);
    strbuf_printf(&sk->list, "%s%s", sk->n ? " " : "", type);
    sk->one_key = sk->n == 0 && tl >= 11 && !strcmp(type + tl - 11, "PRIVATE KEY");
    sk->n++;
}

static bool is_key_type(const char *t)
{
    size_t tl = strlen(t);
    return !strcmp(t, "PRIVATE KEY") || (tl >= 12 && !strcmp(t + tl - 12, " PRIVATE KEY"));
}

/* crypto/tls.X509KeyPair up to finding the blocks; NULL when both are there. */
static char *pem_cert_error(const char *cert)
{
    struct pem_types sk = {STRBUF_INIT, 0, false};
    struct strbuf type = STRBUF_INIT;
    size_t found = 0;
    while (pem_next(&cert, &type))
        if (!strcmp(strbuf_cstr(&type), "CERTIFICATE"))
            found++;
        else
            pem_skip(&sk, strbuf_cstr(&type));
    char *why = NULL;
    if (found)
        why = NULL;
    else if (!sk.n)
        why = xasprintf("tls: failed to find any PEM data in certificate input");
    else if (sk.n == 1 && sk.one_key)
        why = xasprintf("tls: failed to find certificate PEM data in certificate input, but did "
                        "find a private key; PEM inputs may have been switched");
    else
        why = xasprintf("tls: failed to find \"CERTIFICATE\" PEM block in certificate input "
                        "after skipping PEM blocks of the following types: [%s]",
                        strbuf_cstr(&sk.list));
    strbuf_free(&type);
    strbuf_free(&sk.list);
    return why;
}

static char *pem_key_error(const char *key)
{
    struct pem_types sk = {STRBUF_INIT, 0, false};
    struct strbuf type = STRBUF_INIT;
    bool found = false;
    while (!found && pem_next(&key, &type)) {
        found = is_key_type(strbuf_cstr(&type));
        if (!found)
            pem_skip(&sk, strbuf_cstr(&type));
    }
    char *why = NULL;
    if (found)
        why = NULL;
    else if (!sk.n)
        why = xasprintf("tls: failed to find any PEM data in key input");
    else if (sk.n == 1 && !strcmp(strbuf_cstr(&sk.list), "CERTIFICATE"))
        why = xasprintf("tls: found a certificate rather than a key in the PEM for the "
                        "private key");
    else
        why = xasprintf("tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key "
                        "input after skipping PEM blocks of the following types: [%s]",
                        strbuf_cstr(&sk.list));
    strbuf_free(&type);
    strbuf_free(&sk.list);
    return why;
}

#define KEYPAIR "failed to load X509KeyPair: "

static int tls_pair_check(struct web_load *l)
{
    struct config_web_tls *t = &l->w->tls;
    char *cert = NULL, *key = NULL, *why = NULL;
    int rc = read_file(l, t->cert_file, l->at.cert, "cert_file", KEYPAIR, &cert);
    if (!rc)
        rc = read_file(l, t->key_file, l->at.key, "key_file", KEYPAIR, &key);
    if (!rc && (why = pem_cert_error(cert)))
        rc = pctx_fail_key(&l->p, l->at.cert, "cert_file", KEYPAIR "%s", why);
    else if (!rc && (why = pem_key_error(key)))
        rc = pctx_fail_key(&l->p, l->at.key, "key_file", KEYPAIR "%s", why);
    free(why);
    free(cert);
    free(key);
    return rc;
}

static int tls_auth_check(struct web_load *l)
{
    struct config_web_tls *t = &l->w->tls;
    const char *auth = l->client_auth ? l->client_auth : "";
    const struct name_id *a = name_find(client_auths, ARRAY_SIZE(client_auths), auth);
    if (t->client_ca_file) {
        char *ca = NULL;
        int rc = read_file(l, t->client_ca_file, l->at.ca, "client_ca_file", "", &ca);
        free(ca);
        if (rc)
            return -1;
    }
    if (!a)
        return pctx_fail_key(&l->p, l->at.auth, "client_auth_type", "Invalid ClientAuth: %s",
                             auth);
    t->client_auth = (enum config_web_client_auth)a->id;
    if (t->client_ca_file && t->client_auth == CONFIG_WEB_NO_CLIENT_CERT)
        return pctx_fail_key(&l->p, l->at.ca, "client_ca_file",
                             "Client CA's have been configured without a Client Auth Policy");
    return 0;
}

/* exporter-toolkit's ConfigToTLSConfig, short of building a TLS context. */
static int tls_check(struct web_load *l)
{
    struct config_web_tls *t = &l->w->tls;
    t->enabled = t->cert_file || t->key_file || t->client_ca_file || l->client_auth;
    if (!t->enabled)
        return 0;
    size_t mark = path_push_key(&l->p, "tls_server_config");
    int rc = -1;
    if (!t->cert_file)
        pctx_fail(&l->p, l->at.tls, "missing cert_file");
    else if (!t->key_file)
        pctx_fail(&l->p, l->at.tls, "missing key_file");
    else if (!tls_pair_check(l))
        rc = tls_auth_check(l);
    path_pop(&l->p, mark);
    return rc;
}

/* "" means unset; relative paths are joined to the file's directory. */
static char *tls_path(struct web_load *l, char *s, const char *dir)
{
    if (s && !*s)
        return NULL;
    return path_join_dir(l->p.a, dir, s);
}

static int web_check(struct web_load *l, const char *dir)
{
    struct config_web_tls *t = &l->w->tls;
    t->cert_file = tls_path(l, t->cert_file, dir);
    t->key_file = tls_path(l, t->key_file, dir);
    t->client_ca_file = tls_path(l, t->client_ca_file, dir);
    if (l->client_auth && !*l->client_auth)
        l->client_auth = NULL;
    if (map_each(l, l->at.headers, "http_server_config", "headers", header_check) ||
        map_each(l, l->at.users, "basic_auth_users", NULL, user_check))
        return -1;
    if (tls_check(l))
        return -1;
    strmap_sort(&l->w->headers);
    return 0;
}

/* ---- loading ---- */

static int web_parse(struct web_load *l, const char *yaml, size_t len, const char *dir)
{
    yaml_parser_t ps;
    yaml_document_t doc;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_string(&ps, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&ps, &doc)) {
        config__yaml_syntax_error(&l->p, &ps);
        yaml_parser_delete(&ps);
        return -1;
    }
    l->p.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = web_parse_root(l, root);
    if (rc)
        fatal_rescan(l, root);
    else
        rc = web_check(l, dir);
    yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    return rc;
}

static int web_load_data(const char *yaml, size_t len, const char *path, struct config_web **out,
                         char **err)
{
    struct web_box *box = xcalloc(1, sizeof *box);
    struct web_load l = {.w = &box->pub};
    l.p = (struct pctx){.a = &box->arena, .name = path, .path = STRBUF_INIT};
    web_defaults(l.w);
    char *copy = xstrdup(path);
    int rc = web_parse(&l, yaml, len, dirname(copy));
    free(copy);
    strbuf_free(&l.p.path);
    if (rc) {
        *err = l.p.err ? l.p.err : xasprintf("%s: invalid web configuration", path);
        config_web_free(&box->pub);
        return -1;
    }
    *out = &box->pub;
    return 0;
}

int config_web_load_file(const char *path, struct config_web **out, char **err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = file_read_all(path, &data, &len);
    if (rc) {
        *err = xasprintf("%s %s: %s", rc == -EISDIR ? "read" : "open", path,
                         strerror_go(-rc));
        return -1;
    }
    rc = web_load_data(data, len, path, out, err);
    free(data);
    return rc;
}

void config_web_free(struct config_web *w)
{
    if (!w)
        return;
    struct web_box *box = (struct web_box *)w;
    cfg_arena_free(&box->arena);
    free(box);
}
