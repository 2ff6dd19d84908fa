/*
 * TLS for the API server from the web config's tls_server_config, on the
 * GnuTLS that Debian's libmicrohttpd is built with.  MHD takes the PEM key,
 * certificate chain and client CAs from memory and a GnuTLS priority string;
 * what MHD does not expose (asking for a client certificate, requiring it,
 * verifying it) is set on each connection's session before its handshake,
 * so a client that fails client_auth_type fails the handshake, as with Go.
 * Settings GnuTLS cannot express exactly are refused at start-up rather than
 * served weaker.
 */
#include "api/api_internal.h"
#include "config/config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

static const char *version_keyword(uint16_t v)
{
    switch (v) {
    case 0x0301:
        return "VERS-TLS1.0";
    case 0x0302:
        return "VERS-TLS1.1";
    case 0x0303:
        return "VERS-TLS1.2";
    case 0x0304:
        return "VERS-TLS1.3";
    }
    return NULL;
}

static const char *group_keyword(uint16_t id)
{
    switch (id) {
    case 23:
        return "GROUP-SECP256R1";
    case 24:
        return "GROUP-SECP384R1";
    case 25:
        return "GROUP-SECP521R1";
    case 29:
        return "GROUP-X25519";
    }
    return NULL;
}

/* The TLS 1.0-1.2 suites cipher_suites allows, as GnuTLS's (key exchange,
 * cipher, MAC) triples, enforced by a handshake hook.  Process-wide, as the
 * web config they come from is: the hook gets no user pointer, and MHD owns
 * the session's. */
struct suite {
    gnutls_kx_algorithm_t kx;
    gnutls_cipher_algorithm_t cipher;
    gnutls_mac_algorithm_t mac;
};
static struct suite *allowed_suites;
static size_t n_allowed_suites;

/* Go applies cipher_suites to TLS 1.0-1.2 only; TLS 1.3's suites are fixed.
 * GnuTLS chooses key exchange, cipher and MAC from separate lists, so the
 * priority string lets through every combination of the listed suites'
 * parts: a combination nobody listed ends the handshake here, when the
 * client's Finished has arrived (its keys are then the session's current
 * ones) and before any request is read. */
static int enforce_cipher_suites(gnutls_session_t session, unsigned int htype,
                                 unsigned int when, unsigned int incoming,
                                 const gnutls_datum_t *msg)
{
    (void)htype;
    (void)when;
    (void)msg;
    if (!incoming || gnutls_protocol_get_version(session) == GNUTLS_TLS1_3)
        return 0;
    gnutls_kx_algorithm_t kx = gnutls_kx_get(session);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(session);
    gnutls_mac_algorithm_t mac = gnutls_mac_get(session);
    for (size_t i = 0; i < n_allowed_suites; i++)
        if (allowed_suites[i].kx == kx && allowed_suites[i].cipher == cipher &&
            allowed_suites[i].mac == mac)
            return 0;
    return GNUTLS_E_NO_CIPHER_SUITES;
}

/* Appends ":+kw" to a priority fragment unless it is there already. */
static void add_keyword(struct strbuf *list, const char *kw)
{
    size_t n = strlen(kw);
    for (const char *p = list->buf; p && (p = strstr(p, kw)) != NULL; p += n)
        if (p - list->buf >= 2 && p[-1] == '+' && p[-2] == ':' && (p[n] == ':' || !p[n]))
            return;
    strbuf_printf(list, ":+%s", kw);
}

/* GnuTLS's key exchange, cipher and MAC keywords for each listed suite, and
 * TLS 1.3's ciphers when it is allowed (Go always offers all three). */
static int suite_keywords(const struct config_web_tls *cfg, bool tls13, struct strbuf *sb,
                          char **err)
{
    free(allowed_suites);
    allowed_suites = NULL;
    n_allowed_suites = 0;
    struct strbuf kx = STRBUF_INIT, ciphers = STRBUF_INIT, macs = STRBUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < cfg->n_cipher_suites && rc == 0; i++) {
        unsigned char id[2];
        gnutls_kx_algorithm_t k;
        gnutls_cipher_algorithm_t c;
        gnutls_mac_algorithm_t m;
        gnutls_protocol_t min;
        bool found = false;
        for (size_t j = 0; !found && gnutls_cipher_suite_info(j, id, &k, &c, &m, &min); j++) {
            if ((id[0] << 8 | id[1]) != cfg->cipher_suites[i])
                continue;
            found = true;
            allowed_suites = xrealloc(allowed_suites, (n_allowed_suites + 1) *
                                                          sizeof *allowed_suites);
            allowed_suites[n_allowed_suites++] = (struct suite){k, c, m};
            if (k != GNUTLS_KX_UNKNOWN)
                add_keyword(&kx, gnutls_kx_get_name(k));
            add_keyword(&ciphers, gnutls_cipher_get_name(c));
            add_keyword(&macs, gnutls_mac_get_name(m));
        }
        if (!found) {
            const char *name = config_web_cipher_name(cfg->cipher_suites[i]);
            *err = xasprintf("tls_server_config: cipher suite %s is not available in GnuTLS",
                             name ? name : "?");
            rc = -1;
        }
    }
    if (tls13) {
        add_keyword(&ciphers, "AES-128-GCM");
        add_keyword(&ciphers, "AES-256-GCM");
        add_keyword(&ciphers, "CHACHA20-POLY1305");
        add_keyword(&macs, "AEAD");
    }
    strbuf_printf(sb, ":-KX-ALL%s:-CIPHER-ALL%s:-MAC-ALL%s", kx.buf ? kx.buf : "",
                  ciphers.buf ? ciphers.buf : "", macs.buf ? macs.buf : "");
    strbuf_free(&kx);
    strbuf_free(&ciphers);
    strbuf_free(&macs);
    return rc;
}

/* Go picks the suite by the server's order whatever prefer_server_cipher_suites
 * says (the field has no effect since Go 1.17), hence %SERVER_PRECEDENCE. */
static int build_priorities(const struct config_web_tls *cfg, struct strbuf *sb, char **err)
{
    /* Go's server default minimum is TLS 1.0 when min_version is null. */
    uint16_t lo = cfg->min_version ? cfg->min_version : 0x0301;
    uint16_t hi = cfg->max_version ? cfg->max_version : 0x0304;
    if (lo > hi) {
        *err = xstrdup("tls_server_config: min_version is above max_version: no TLS version "
                       "is left to serve");
        return -1;
    }
    strbuf_puts(sb, "NORMAL:-VERS-ALL");
    for (uint16_t v = hi; v >= lo; v--)
        strbuf_printf(sb, ":+%s", version_keyword(v));
    if (cfg->n_cipher_suites && suite_keywords(cfg, hi >= 0x0304, sb, err) != 0)
        return -1;
    if (cfg->n_curve_preferences) {
        strbuf_puts(sb, ":-GROUP-ALL");
        for (size_t i = 0; i < cfg->n_curve_preferences; i++) {
            const char *g = group_keyword(cfg->curve_preferences[i]);
            if (!g) {
                *err = xasprintf("tls_server_config: curve %u is not supported",
                                 cfg->curve_preferences[i]);
                return -1;
            }
            strbuf_printf(sb, ":+%s", g);
        }
    }
    strbuf_puts(sb, ":%SERVER_PRECEDENCE");
    gnutls_priority_t check;
    const char *where = NULL;
    int rc = gnutls_priority_init(&check, sb->buf, &where);
    if (rc != GNUTLS_E_SUCCESS) {
        *err = xasprintf("tls_server_config: GnuTLS refuses the TLS settings (%s at \"%s\")",
                         gnutls_strerror(rc), where ? where : "");
        return -1;
    }
    gnutls_priority_deinit(check);
    return 0;
}

static int read_pem(const char *path, const char *what, char **out, char **err)
{
    size_t len;
    if (file_read_all(path, out, &len) != 0) {
        *err = xasprintf("tls_server_config: cannot read %s %s", what, path);
        return -1;
    }
    return 0;
}

/* exporter-toolkit loads the key pair before it listens and fails with
 * "failed to load X509KeyPair: <Go's error>"; GnuTLS's own refusal inside MHD
 * would say nothing useful. */
static int check_key_pair(const struct api_tls *t, char **err)
{
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0) {
        *err = xstrdup("failed to load X509KeyPair: out of memory");
        return -1;
    }
    gnutls_datum_t cert = {(unsigned char *)t->cert_pem, (unsigned int)strlen(t->cert_pem)};
    gnutls_datum_t key = {(unsigned char *)t->key_pem, (unsigned int)strlen(t->key_pem)};
    int rc = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL,
                                                  0);
    gnutls_certificate_free_credentials(cred);
    if (rc >= 0)
        return 0;
    *err = xasprintf("failed to load X509KeyPair: %s",
                     rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
                         ? "tls: private key does not match public key"
                         : gnutls_strerror(rc));
    return -1;
}

void api_tls_free(struct api_tls *t)
{
    if (!t)
        return;
    if (t->key_pem)
        explicit_bzero(t->key_pem, strlen(t->key_pem));
    free(t->key_pem);
    free(t->cert_pem);
    free(t->trust_pem);
    free(t->priorities);
    free(t);
}

int api_tls_new(const struct config_web_tls *cfg, struct api_tls **out, char **err)
{
    *out = NULL;
    if (!cfg || !cfg->enabled)
        return 0;
    struct api_tls *t = xcalloc(1, sizeof *t);
    t->client_auth = cfg->client_auth;
    struct strbuf prio = STRBUF_INIT;
    int rc = read_pem(cfg->cert_file, "cert_file", &t->cert_pem, err);
    if (rc == 0)
        rc = read_pem(cfg->key_file, "key_file", &t->key_pem, err);
    if (rc == 0 && cfg->client_ca_file)
        rc = read_pem(cfg->client_ca_file, "client_ca_file", &t->trust_pem, err);
    if (rc == 0)
        rc = check_key_pair(t, err);
    if (rc == 0)
        rc = build_priorities(cfg, &prio, err);
    t->priorities = strbuf_detach(&prio);
    if (rc != 0) {
        api_tls_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

static bool has_client_cert(gnutls_session_t session)
{
    unsigned int n = 0;
    return gnutls_certificate_get_peers(session, &n) && n > 0;
}

/* MHD closes a failed handshake silently; Go's clients expect the alert Go
 * sends for a missing or rejected certificate ("tls: bad certificate"). */
static int refuse(gnutls_session_t session)
{
    gnutls_alert_send(session, GNUTLS_AL_FATAL, GNUTLS_A_BAD_CERTIFICATE);
    return -1;
}

/* Go's chain verification for client certificates: against client_ca_file
 * (the system roots when it is unset), and a certificate that names its
 * uses must allow client authentication. */
static int verify_chain(gnutls_session_t session)
{
    gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                     (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) < 0 || status != 0)
        return refuse(session);
    return 0;
}

/* The session verify functions, one per client_auth_type that checks
 * anything.  GnuTLS calls them after the client's Certificate message, also
 * an empty one, so a missing certificate gets the same alert. */
static int require_any_cert(gnutls_session_t session)
{
    return has_client_cert(session) ? 0 : refuse(session);
}

static int verify_cert_if_given(gnutls_session_t session)
{
    return has_client_cert(session) ? verify_chain(session) : 0;
}

static int require_and_verify_cert(gnutls_session_t session)
{
    return has_client_cert(session) ? verify_chain(session) : refuse(session);
}

bool api_tls_client_ok(const struct api_tls *t, void *tls_session)
{
    bool required = t->client_auth == CONFIG_WEB_REQUIRE_ANY_CLIENT_CERT ||
                    t->client_auth == CONFIG_WEB_REQUIRE_AND_VERIFY_CLIENT_CERT;
    return !required || has_client_cert(tls_session);
}

void api_tls_session_setup(struct api_tls *t, void *tls_session)
{
    gnutls_session_t session = tls_session;
    gnutls_certificate_verify_function *verify = NULL;
    switch (t->client_auth) {
    case CONFIG_WEB_NO_CLIENT_CERT:
    case CONFIG_WEB_REQUEST_CLIENT_CERT:
        break;
    case CONFIG_WEB_REQUIRE_ANY_CLIENT_CERT:
        verify = require_any_cert;
        break;
    case CONFIG_WEB_VERIFY_CLIENT_CERT_IF_GIVEN:
        verify = verify_cert_if_given;
        break;
    case CONFIG_WEB_REQUIRE_AND_VERIFY_CLIENT_CERT:
        verify = require_and_verify_cert;
        break;
    }
    /* Asked, not required: the verify functions refuse a missing one
     * themselves, with an alert (GnuTLS's own refusal sends none). */
    gnutls_certificate_server_set_request(
        session, t->client_auth == CONFIG_WEB_NO_CLIENT_CERT ? GNUTLS_CERT_IGNORE
                                                             : GNUTLS_CERT_REQUEST);
    if (n_allowed_suites)
        gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_FINISHED,
                                           GNUTLS_HOOK_POST, enforce_cipher_suites);
    if (!verify)
        return;
    gnutls_session_set_verify_function(session, verify);
    if (verify == require_any_cert || t->trust_pem || t->system_trust_loaded)
        return;
    /* Without client_ca_file Go verifies against the system roots.  The
     * credentials are MHD's, one set per daemon; should they be out of
     * reach the trust list stays empty and every certificate fails. */
    void *cred = NULL;
    if (gnutls_credentials_get(session, GNUTLS_CRD_CERTIFICATE, &cred) == 0 && cred) {
        gnutls_certificate_set_x509_system_trust(cred);
        t->system_trust_loaded = true;
    }
}
