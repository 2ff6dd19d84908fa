/* notify_templates_load: defaults, then the config's globs in sorted order. */
#include "notify/notify.h"

#include "config/config.h"
#include "template/template.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/chorus-tmpl-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(file_write_atomic(path, text, strlen(text)), 0);
}

static struct config *config_with_glob(const char *glob)
{
    char *yaml = xasprintf("route: {receiver: r}\nreceivers: [{name: r}]\ntemplates: ['%s/%s']\n",
                           dir, glob);
    struct config *c = NULL;
    char *err = NULL;
    cr_assert_eq(config_load_string(yaml, strlen(yaml), "t.yml", &c, &err), 0, "%s", err);
    free(yaml);
    return c;
}

static char *render(const struct template_set *set, const char *name)
{
    struct template_data d = {.receiver = "r", .status = "firing"};
    struct strbuf sb = STRBUF_INIT;
    char *err = NULL;
    cr_assert_eq(template_execute(set, name, &d, &sb, &err), 0, "%s", err);
    return strbuf_detach(&sb);
}

Test(templates, defaults_then_globs_in_sorted_order)
{
    cr_assert_not_null(mkdtemp(dir));
    put("b.tmpl", "{{ define \"x\" }}from b{{ end }}");
    put("a.tmpl",
        "{{ define \"x\" }}from a{{ end }}{{ define \"slack.default.title\" }}mine{{ end }}");
    struct config *c = config_with_glob("*.tmpl");
    char *err = NULL;
    struct template_set *set = notify_templates_load(c, &err);
    cr_assert_not_null(set, "%s", err);
    char *x = render(set, "x"), *title = render(set, "slack.default.title");
    cr_assert_str_eq(x, "from b");
    cr_assert_str_eq(title, "mine");
    cr_assert(template_set_has(set, "email.default.html"));
    free(x);
    free(title);
    template_set_free(set);
    config_free(c);

    /* A glob matching nothing is no error, as Go's filepath.Glob. */
    c = config_with_glob("none-*.tmpl");
    set = notify_templates_load(c, &err);
    cr_assert_not_null(set, "%s", err);
    template_set_free(set);
    config_free(c);

    put("c.tmpl", "{{ define \"y\" }}{{ .Oops ");
    c = config_with_glob("c.tmpl");
    cr_assert_null(notify_templates_load(c, &err));
    /* amtool words the same file's error "template: c.tmpl:1: unclosed action". */
    cr_assert_str_eq(err, "failed to parse templates: template: c.tmpl:1: unclosed action");
    free(err);
    config_free(c);
    char path[256];
    for (const char *n = "a.tmpl\0b.tmpl\0c.tmpl\0"; *n; n += strlen(n) + 1) {
        snprintf(path, sizeof path, "%s/%s", dir, n);
        unlink(path);
    }
    rmdir(dir);
}
