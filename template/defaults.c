/*
 * template/defaults.c: chorus's built-in default templates (the public names
 * of Alertmanager 0.25's default.tmpl and email.tmpl, in chorus's own
 * template source under template/defaults/).
 */
#include "template/internal.h"

int template_set_parse_defaults(struct template_set *set, char **err)
{
    /* Alertmanager parses its defaults as the anonymous template "", so no
     * file name becomes a template a user could call. */
    for (size_t i = 0; i < default_template_files_len; i++)
        if (template_set_parse(set, "", default_template_files[i].text, err) < 0)
            return -1;
    return 0;
}
