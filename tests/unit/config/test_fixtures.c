/*
 * Fixture-driven tests: every valid fixture loads and renders exactly the
 * config.original that Alertmanager 0.25 produced for it (the .original files
 * were captured from GET /api/v2/status, with the fixture directory replaced
 * by @DIR@); every invalid fixture fails with the error in its .err file,
 * whose message part is amtool check-config's text.
 */
#include "helpers.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>

static char *replace_dir(const char *text, const char *dir)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = text; *p;) {
        const char *hit = strstr(p, "@DIR@");
        if (!hit) {
            strbuf_puts(&sb, p);
            break;
        }
        strbuf_add(&sb, p, (size_t)(hit - p));
        strbuf_puts(&sb, dir);
        p = hit + 5;
    }
    return strbuf_detach(&sb);
}

static char *sibling(const char *path, const char *ext)
{
    size_t n = strlen(path) - strlen(".yml");
    return xasprintf("%.*s%s", (int)n, path, ext);
}

static void check_valid(const char *path)
{
    struct config *c = NULL;
    char *err = NULL;
    if (config_load_file(path, &c, &err)) {
        cr_expect_fail("%s: %s", path, err);
        free(err);
        return;
    }
    char *exp_path = sibling(path, ".original");
    char *raw = NULL;
    size_t len;
    cr_assert_eq(file_read_all(exp_path, &raw, &len), 0, "missing %s", exp_path);
    char *expected = replace_dir(raw, FIXTURE_DIR "/valid");
    cr_expect_str_eq(config_original(c), expected, "%s: config.original differs", path);
    free(expected);
    free(raw);
    free(exp_path);
    config_free(c);
}

Test(fixtures, valid_configs_render_like_alertmanager)
{
    glob_t g;
    cr_assert_eq(glob(FIXTURE_DIR "/valid/*.yml", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 8);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_valid(g.gl_pathv[i]);
    globfree(&g);
}

static void check_invalid(const char *path)
{
    char *data = NULL, *want = NULL;
    size_t len, wlen;
    cr_assert_eq(file_read_all(path, &data, &len), 0);
    char *err_path = sibling(path, ".err");
    cr_assert_eq(file_read_all(err_path, &want, &wlen), 0, "missing %s", err_path);
    while (wlen && want[wlen - 1] == '\n')
        want[--wlen] = '\0';
    char *copy = xstrdup(path);
    struct config *c = NULL;
    char *err = NULL;
    int rc = config_load_string(data, len, basename(copy), &c, &err);
    cr_expect_eq(rc, -1, "%s loaded but should not", path);
    if (rc == 0)
        config_free(c);
    else
        cr_expect_str_eq(err, want, "%s", path);
    free(err);
    free(copy);
    free(err_path);
    free(want);
    free(data);
}

Test(fixtures, invalid_configs_fail_with_alertmanagers_message)
{
    glob_t g;
    cr_assert_eq(glob(FIXTURE_DIR "/invalid/*.yml", 0, NULL, &g), 0);
    cr_expect_geq(g.gl_pathc, 25);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_invalid(g.gl_pathv[i]);
    globfree(&g);
}

Test(fixtures, missing_file_is_an_error)
{
    struct config *c = NULL;
    char *err = NULL;
    cr_assert_eq(config_load_file(FIXTURE_DIR "/nope.yml", &c, &err), -1);
    cr_expect_not_null(strstr(err, "nope.yml"));
    free(err);
}
