/*
 * Byte-for-byte comparison with Alertmanager 0.25's amtool: every default
 * template for every alert-group fixture, the user-style templates and the
 * broken templates' error messages (expected outputs come from
 * tests/fixtures/templates/regenerate.sh).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "util/util.h"

/* An execution error inside a default template gives a position in
 * Alertmanager's default.tmpl or email.tmpl; chorus's built-in defaults are
 * its own source, so only the text from "executing" on is compared. */
static bool same_error(const char *got, size_t got_len, const char *want, size_t want_len)
{
    const char *want_exec = strstr(want, ": executing ");
    const char *got_exec = strstr(got, ": executing ");
    if (want_exec && got_exec &&
        (!strncmp(want, "template: default.tmpl:", 23) ||
         !strncmp(want, "template: email.tmpl:", 21)))
        return !strcmp(got_exec, want_exec);
    return got_len == want_len && !memcmp(got, want, want_len);
}

/* Renders text inline and compares with the .out or .err file at base. */
static bool check_render(const struct template_set *set, const char *text,
                         const struct template_data *data, const char *base, bool html)
{
    char path[1024];
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    int rc = html ? template_execute_html_text(set, text, data, &out, &err)
                  : template_execute_text(set, text, data, &out, &err);
    snprintf(path, sizeof path, "%s.out", base);
    size_t len = 0;
    char *want = fixture_read(path, &len);
    bool want_err = !want;
    if (want_err) {
        snprintf(path, sizeof path, "%s.err", base);
        want = fixture_read(path, &len);
    }
    const char *got = rc < 0 ? err : strbuf_cstr(&out);
    size_t got_len = rc < 0 ? strlen(err) : out.len;
    bool ok = want && (rc < 0) == want_err &&
              (want_err ? same_error(got, got_len, want, len)
                        : got_len == len && !memcmp(got, want, len));
    if (!ok) {
        size_t i = 0;
        while (want && i < len && i < got_len && got[i] == want[i])
            i++;
        fprintf(stderr, "MISMATCH %s (%s) at byte %zu\n  want: %.*s\n  got:  %.*s\n", base,
                want_err ? "error" : "output", i, (int)(len - i < 200 ? len - i : 200),
                want ? want + i : "(none)", (int)(got_len - i < 200 ? got_len - i : 200),
                got + i);
    }
    free(want);
    free(err);
    strbuf_free(&out);
    return ok;
}

static char **read_lines(const char *path)
{
    char *text = fixture_read(path, NULL);
    cr_assert_not_null(text, "%s", path);
    char **lines = xcalloc(1, sizeof *lines);
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = xrealloc(lines, (n + 2) * sizeof *lines);
        lines[n++] = xstrdup(l);
        lines[n] = NULL;
    }
    free(text);
    return lines;
}

/* Every default template on every data set, as text or (expected/<data>/html)
 * through html/template, as a user's html template may call them. */
static void check_defaults(bool html)
{
    struct template_set *set = fixture_default_set();
    cr_assert_not_null(set);
    char **names = read_lines(TEMPLATE_FIXTURES "/names.txt");
    char **data = fixture_list(TEMPLATE_FIXTURES "/data", ".txt");
    size_t total = 0, failed = 0, n_data = 0;
    for (size_t d = 0; data[d]; d++, n_data++) {
        char path[1024];
        snprintf(path, sizeof path, TEMPLATE_FIXTURES "/data/%s", data[d]);
        struct fixture_data fd;
        cr_assert_eq(fixture_data_load(path, &fd), 0, "%s", path);
        for (size_t i = 0; names[i]; i++) {
            char text[512], base[1024];
            snprintf(text, sizeof text, "{{ template \"%s\" . }}", names[i]);
            snprintf(base, sizeof base, TEMPLATE_FIXTURES "/expected/%.*s/%s%s",
                     (int)(strlen(data[d]) - 4), data[d], html ? "html/" : "", names[i]);
            total++;
            failed += !check_render(set, text, &fd.data, base, html);
        }
        fixture_data_free(&fd);
    }
    cr_assert_geq(n_data, 20);
    cr_assert_eq(failed, 0, "%zu of %zu default renderings (%s) differ from amtool", failed,
                 total, html ? "html" : "text");
    fixture_list_free(names);
    fixture_list_free(data);
    template_set_free(set);
}

Test(fixtures, default_templates_match_amtool)
{
    check_defaults(false);
}

Test(fixtures, default_templates_as_html_match_amtool)
{
    check_defaults(true);
}

Test(fixtures, email_html_matches_amtool)
{
    struct template_set *set = fixture_default_set();
    cr_assert_not_null(set);
    char **data = fixture_list(TEMPLATE_FIXTURES "/data", ".txt");
    size_t total = 0, failed = 0;
    for (size_t d = 0; data[d]; d++, total++) {
        char path[1024], base[1024];
        snprintf(path, sizeof path, TEMPLATE_FIXTURES "/data/%s", data[d]);
        struct fixture_data fd;
        cr_assert_eq(fixture_data_load(path, &fd), 0, "%s", path);
        snprintf(base, sizeof base, TEMPLATE_FIXTURES "/expected/%.*s/email.default.html",
                 (int)(strlen(data[d]) - 4), data[d]);
        failed += !check_render(set, "{{ template \"email.default.html\" . }}", &fd.data, base,
                                true);
        fixture_data_free(&fd);
    }
    cr_assert_geq(total, 20);
    cr_assert_eq(failed, 0, "%zu of %zu e-mail HTML renderings differ from amtool", failed, total);
    fixture_list_free(data);
    template_set_free(set);
}

/* $(cat file) in regenerate.sh drops trailing newlines; so do we. */
static char *read_text_arg(const char *path)
{
    size_t len;
    char *t = fixture_read(path, &len);
    cr_assert_not_null(t, "%s", path);
    while (len && t[len - 1] == '\n')
        t[--len] = '\0';
    return t;
}

static void check_user_dir(const char *dir, bool html, size_t min_tmpls);

Test(fixtures, user_templates_match_amtool)
{
    check_user_dir("user", false, 30);
}

Test(fixtures, user_html_templates_match_amtool)
{
    check_user_dir("user-html", true, 10);
}

static void check_user_dir(const char *dir, bool html, size_t min_tmpls)
{
    struct template_set *set = fixture_default_set();
    cr_assert_not_null(set);
    char **data = read_lines(TEMPLATE_FIXTURES "/user-data.txt");
    char path[1024];
    snprintf(path, sizeof path, TEMPLATE_FIXTURES "/%s", dir);
    char **tmpls = fixture_list(path, ".tmpl");
    size_t total = 0, failed = 0, n_tmpl = 0;
    for (size_t t = 0; tmpls[t]; t++)
        n_tmpl++;
    for (size_t d = 0; data[d]; d++) {
        snprintf(path, sizeof path, TEMPLATE_FIXTURES "/data/%s.txt", data[d]);
        struct fixture_data fd;
        cr_assert_eq(fixture_data_load(path, &fd), 0, "%s", path);
        for (size_t t = 0; tmpls[t]; t++) {
            snprintf(path, sizeof path, TEMPLATE_FIXTURES "/%s/%s", dir, tmpls[t]);
            char *text = read_text_arg(path);
            char base[1024];
            snprintf(base, sizeof base, TEMPLATE_FIXTURES "/expected/%s/%.*s@%s", dir,
                     (int)(strlen(tmpls[t]) - 5), tmpls[t], data[d]);
            total++;
            failed += !check_render(set, text, &fd.data, base, html);
            free(text);
        }
        fixture_data_free(&fd);
    }
    cr_assert_geq(n_tmpl, min_tmpls);
    cr_assert_eq(failed, 0, "%zu of %zu %s renderings differ from amtool", failed, total, dir);
    fixture_list_free(data);
    fixture_list_free(tmpls);
    template_set_free(set);
}

static bool check_error(const char *got, const char *expected_path)
{
    char *want = fixture_read(expected_path, NULL);
    bool ok = want && got && !strcmp(got, want);
    if (!ok)
        fprintf(stderr, "MISMATCH %s\n  want: %s\n  got:  %s\n", expected_path,
                want ? want : "(none)", got ? got : "(no error)");
    free(want);
    return ok;
}

Test(fixtures, broken_templates_fail_like_amtool)
{
    char **files = fixture_list(TEMPLATE_FIXTURES "/broken", ".tmpl");
    size_t failed = 0, n = 0;
    for (size_t i = 0; files[i]; i++, n++) {
        char path[1024], exp[1024];
        snprintf(path, sizeof path, TEMPLATE_FIXTURES "/broken/%s", files[i]);
        snprintf(exp, sizeof exp, TEMPLATE_FIXTURES "/expected/broken/%.*s.err",
                 (int)(strlen(files[i]) - 5), files[i]);
        struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
        char *err = NULL;
        int rc = template_set_parse_file(set, path, &err);
        failed += !check_error(rc < 0 ? err : NULL, exp);
        free(err);
        template_set_free(set);
    }
    cr_assert_geq(n, 20);
    cr_assert_eq(failed, 0, "%zu of %zu parse errors differ from amtool", failed, n);
    fixture_list_free(files);
}

Test(fixtures, broken_inline_templates_fail_like_amtool)
{
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *err = NULL;
    cr_assert_eq(template_set_parse_defaults(set, &err), 0);
    struct fixture_data fd;
    cr_assert_eq(fixture_data_load(TEMPLATE_FIXTURES "/data/01-single-firing.txt", &fd), 0);
    char **files = fixture_list(TEMPLATE_FIXTURES "/broken", ".text");
    size_t failed = 0, n = 0;
    for (size_t i = 0; files[i]; i++, n++) {
        char path[1024], exp[1024];
        snprintf(path, sizeof path, TEMPLATE_FIXTURES "/broken/%s", files[i]);
        snprintf(exp, sizeof exp, TEMPLATE_FIXTURES "/expected/broken/%.*s.err",
                 (int)(strlen(files[i]) - 5), files[i]);
        char *text = read_text_arg(path);
        struct strbuf out = STRBUF_INIT;
        int rc = template_execute_text(set, text, &fd.data, &out, &err);
        failed += !check_error(rc < 0 ? err : NULL, exp);
        if (rc < 0)
            free(err);
        free(text);
        strbuf_free(&out);
    }
    cr_assert_eq(failed, 0, "%zu of %zu execution errors differ from amtool", failed, n);
    fixture_list_free(files);
    fixture_data_free(&fd);
    template_set_free(set);
}

/* Length-prefixed records: "#<len>[ tag]\n<bytes>\n". */
struct record {
    char *tag;
    char *body;
    size_t len;
};

static size_t read_records(const char *path, struct record **out)
{
    size_t total;
    char *data = fixture_read(path, &total);
    cr_assert_not_null(data, "%s", path);
    size_t n = 0, i = 0;
    *out = NULL;
    while (i < total && data[i] == '#') {
        char *nl = memchr(data + i, '\n', total - i);
        cr_assert_not_null(nl);
        char *end;
        size_t len = strtoul(data + i + 1, &end, 10);
        *out = xrealloc(*out, (n + 1) * sizeof **out);
        (*out)[n].tag = xstrndup(*end == ' ' ? end + 1 : "", *end == ' ' ? (size_t)(nl - end - 1) : 0);
        (*out)[n].body = xstrndup(nl + 1, len);
        (*out)[n].len = len;
        n++;
        i = (size_t)(nl - data) + 1 + len + 1;
    }
    free(data);
    return n;
}

static void free_records(struct record *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].tag);
        free(r[i].body);
    }
    free(r);
}

static void check_generated(const char *kind, bool html)
{
    struct template_set *set = fixture_default_set();
    struct fixture_data fd;
    cr_assert_eq(fixture_data_load(TEMPLATE_FIXTURES "/data/04-mixed.txt", &fd), 0);
    char path[1024];
    snprintf(path, sizeof path, TEMPLATE_FIXTURES "/generated/%s.tmpls", kind);
    struct record *cases, *want;
    size_t n = read_records(path, &cases);
    snprintf(path, sizeof path, TEMPLATE_FIXTURES "/expected/generated/%s.out", kind);
    size_t nw = read_records(path, &want);
    cr_assert_eq(n, nw, "%s: %zu cases, %zu expectations", kind, n, nw);
    size_t failed = 0, checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(want[i].tag, "skip"))
            continue;
        checked++;
        struct strbuf out = STRBUF_INIT;
        char *err = NULL;
        int rc = html ? template_execute_html_text(set, cases[i].body, &fd.data, &out, &err)
                      : template_execute_text(set, cases[i].body, &fd.data, &out, &err);
        const char *got = rc < 0 ? err : strbuf_cstr(&out);
        size_t got_len = rc < 0 ? strlen(err) : out.len;
        bool ok = (rc < 0) == !strcmp(want[i].tag, "err") && got_len == want[i].len &&
                  !memcmp(got, want[i].body, got_len);
        if (!ok) {
            failed++;
            fprintf(stderr, "MISMATCH %s #%zu: %s\n  want: %.300s\n  got:  %.300s\n", kind, i,
                    cases[i].body, want[i].body, got);
        }
        free(err);
        strbuf_free(&out);
    }
    cr_assert_eq(failed, 0, "%s: %zu of %zu generated cases differ from amtool", kind, failed,
                 checked);
    free_records(cases, n);
    free_records(want, nw);
    fixture_data_free(&fd);
    template_set_free(set);
}

Test(generated, text) { check_generated("text", false); }
Test(generated, html) { check_generated("html", true); }
Test(generated, html_unbalanced) { check_generated("html-unbalanced", true); }
Test(generated, printf) { check_generated("printf", false); }
Test(generated, parse) { check_generated("parse", false); }
Test(generated, control) { check_generated("control", false); }
