/*
 * Tests for the --web.config.file loader: what the valid fixtures parse to,
 * and that every invalid fixture fails with the error in its .err file
 * (Alertmanager 0.25's message after chorus' "<file>:<line>: <key>: ").
 */
#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <unistd.h>

#define WEB_DIR CHORUS_TEST_FIXTURES "/webconfig"

static struct config_web *web_load(const char *rel)
{
    char *path = xasprintf("%s/%s", WEB_DIR, rel);
    struct config_web *w = NULL;
    char *err = NULL;
    int rc = config_web_load_file(path, &w, &err);
    cr_assert_eq(rc, 0, "%s: %s", rel, err ? err : "");
    free(path);
    return w;
}

static const char *user_hash(const struct config_web *w, const char *name)
{
    for (size_t i = 0; i < w->users.len; i++)
        if (!strcmp(w->users.items[i].key, name))
            return w->users.items[i].value;
    return NULL;
}

Test(web, full_config_parses_every_field)
{
    struct config_web *w = web_load("valid/full.yml");
    const struct config_web_tls *t = &w->tls;
    cr_expect(t->enabled);
    cr_expect_str_eq(t->cert_file, WEB_DIR "/certs/server.crt");
    cr_expect_str_eq(t->key_file, WEB_DIR "/certs/server.key");
    cr_expect_str_eq(t->client_ca_file, WEB_DIR "/certs/server.crt");
    cr_expect_eq(t->client_auth, CONFIG_WEB_REQUIRE_AND_VERIFY_CLIENT_CERT);
    cr_assert_eq(t->n_cipher_suites, 2);
    cr_expect_eq(t->cipher_suites[0], 0xc02b);
    cr_expect_eq(t->cipher_suites[1], 0x1302);
    cr_assert_eq(t->n_curve_preferences, 2);
    cr_expect_eq(t->curve_preferences[0], 29);
    cr_expect_eq(t->curve_preferences[1], 23);
    cr_expect_eq(t->min_version, 0x0304);
    cr_expect_eq(t->max_version, 0x0304);
    cr_expect_not(t->prefer_server_cipher_suites);
    cr_expect_not(w->http2);
    cr_assert_eq(w->headers.len, 3);
    cr_expect_str_eq(w->headers.items[0].key, "Content-Security-Policy"); /* sorted */
    cr_expect_str_eq(w->headers.items[0].value, "default-src 'self'");
    cr_expect_str_eq(w->headers.items[2].key, "X-Frame-Options");
    cr_assert_eq(w->users.len, 2);
    cr_expect_str_eq(w->users.items[0].key, "alice");
    cr_expect_str_eq(user_hash(w, "zed"),
                     "$2y$10$Wm8B8N1j1CzxkT2/2mHOae0d0UiaFRdJH3LyGyIBVAPlR0ld5/yHi");
    config_web_free(w);
}

Test(web, empty_file_keeps_the_defaults)
{
    struct config_web *w = web_load("valid/empty.yml");
    cr_expect_not(w->tls.enabled);
    cr_expect_null(w->tls.cert_file);
    cr_expect_eq(w->tls.min_version, 0x0303);
    cr_expect_eq(w->tls.max_version, 0x0304);
    cr_expect(w->tls.prefer_server_cipher_suites);
    cr_expect(w->http2);
    cr_expect_eq(w->headers.len, 0);
    cr_expect_eq(w->users.len, 0);
    config_web_free(w);
}

Test(web, null_sections_zero_their_defaults)
{
    struct config_web *w = web_load("valid/null-sections.yml");
    cr_expect_not(w->tls.enabled);
    cr_expect_eq(w->tls.min_version, 0);
    cr_expect_eq(w->tls.max_version, 0);
    cr_expect_not(w->tls.prefer_server_cipher_suites);
    cr_expect_not(w->http2);
    cr_expect_eq(w->users.len, 0);
    config_web_free(w);
}

Test(web, cert_and_key_alone_enable_tls)
{
    struct config_web *w = web_load("valid/tls-only.yml");
    cr_expect(w->tls.enabled);
    cr_expect_eq(w->tls.client_auth, CONFIG_WEB_NO_CLIENT_CERT);
    cr_expect_null(w->tls.client_ca_file);
    cr_expect_eq(w->tls.n_cipher_suites, 0);
    cr_expect(w->http2);
    config_web_free(w);
}

Test(web, users_keep_their_hashes)
{
    struct config_web *w = web_load("valid/users-only.yml");
    cr_assert_eq(w->users.len, 2);
    cr_expect_str_eq(w->users.items[1].key, "bob");
    cr_expect_str_eq(user_hash(w, "bob"),
                     "$2$+4$Wm8B8N1j1CzxkT2/2mHOae0d0UiaFRdJH3LyGyIBVAPlR0ld5/yHi");
    cr_expect_not(w->tls.enabled);
    config_web_free(w);
}

Test(web, tls_settings_without_files_leave_tls_off)
{
    struct config_web *w = web_load("valid/no-tls.yml");
    cr_expect_not(w->tls.enabled);
    cr_expect_null(w->tls.cert_file);
    cr_expect_eq(w->tls.min_version, 0x0301);
    cr_expect_eq(w->tls.max_version, 0x0302);
    cr_assert_eq(w->tls.n_cipher_suites, 1);
    cr_expect_eq(w->tls.cipher_suites[0], 0x1301);
    cr_assert_eq(w->headers.len, 2);
    cr_expect_str_eq(w->headers.items[1].key, "X-XSS-Protection");
    cr_expect_str_eq(w->headers.items[1].value, "");
    config_web_free(w);
}

Test(web, every_valid_fixture_loads)
{
    glob_t g;
    cr_assert_eq(glob(WEB_DIR "/valid/*.yml", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 6);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct config_web *w = NULL;
        char *err = NULL;
        if (config_web_load_file(g.gl_pathv[i], &w, &err)) {
            cr_expect_fail("%s: %s", g.gl_pathv[i], err);
            free(err);
        }
        config_web_free(w);
    }
    globfree(&g);
}

static char *read_err_file(const char *yml)
{
    size_t n = strlen(yml) - strlen(".yml");
    char *path = xasprintf("%.*s.err", (int)n, yml);
    char *want = NULL;
    size_t len = 0;
    cr_assert_eq(file_read_all(path, &want, &len), 0, "missing %s", path);
    while (len && want[len - 1] == '\n')
        want[--len] = '\0';
    free(path);
    return want;
}

/* Run from invalid/ with the bare name, as the .err files were written. */
static void check_invalid(const char *name)
{
    char *want = read_err_file(name);
    struct config_web *w = NULL;
    char *err = NULL;
    int rc = config_web_load_file(name, &w, &err);
    cr_expect_eq(rc, -1, "%s loaded but should not", name);
    if (rc == 0)
        config_web_free(w);
    else
        cr_expect_str_eq(err, want, "%s", name);
    free(err);
    free(want);
}

Test(web, invalid_fixtures_fail_with_alertmanagers_message)
{
    cr_assert_eq(chdir(WEB_DIR "/invalid"), 0);
    glob_t g;
    cr_assert_eq(glob("*.yml", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 50);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_invalid(g.gl_pathv[i]);
    globfree(&g);
}

Test(web, unreadable_file_is_reported_like_go)
{
    struct config_web *w = NULL;
    char *err = NULL;
    cr_assert_eq(config_web_load_file(WEB_DIR "/nope.yml", &w, &err), -1);
    cr_expect_str_eq(err, "open " WEB_DIR "/nope.yml: no such file or directory");
    free(err);
    err = NULL;
    cr_assert_eq(config_web_load_file(WEB_DIR "/valid", &w, &err), -1);
    cr_expect_str_eq(err, "read " WEB_DIR "/valid: is a directory");
    free(err);
}

Test(web, free_accepts_null)
{
    config_web_free(NULL);
}
