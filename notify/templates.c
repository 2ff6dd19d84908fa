/* The config's template set: built-in defaults, then the `templates:` globs. */
#include "notify/integrations_internal.h"

#include "config/config.h"

#include <glob.h>
#include <stdlib.h>

/* One glob as Go's filepath.Glob: sorted matches, none is not an error, a
 * malformed pattern is. */
static int load_glob(struct template_set *set, const char *pattern, char **err)
{
    glob_t gl;
    int rc = glob(pattern, GLOB_PERIOD, NULL, &gl);
    if (rc == GLOB_NOMATCH)
        return 0;
    if (rc != 0) {
        *err = xasprintf("failed to parse templates: syntax error in pattern");
        return -1;
    }
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        char *perr = NULL;
        if (template_set_parse_file(set, gl.gl_pathv[i], &perr) != 0) {
            *err = xasprintf("failed to parse templates: %s", perr);
            free(perr);
            globfree(&gl);
            return -1;
        }
    }
    globfree(&gl);
    return 0;
}

struct template_set *notify_templates_load(const struct config *c, char **err)
{
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *perr = NULL;
    if (template_set_parse_defaults(set, &perr) != 0) {
        *err = xasprintf("failed to parse templates: %s", perr);
        free(perr);
        template_set_free(set);
        return NULL;
    }
    const struct config_strlist *globs = config_templates(c);
    for (size_t i = 0; globs && i < globs->len; i++) {
        if (load_glob(set, globs->items[i], err) != 0) {
            template_set_free(set);
            return NULL;
        }
    }
    return set;
}
