/*
 * --help output in kingpin's layout: a flag column as wide as the widest flag
 * shorter than 30 characters, longer flags on a line of their own, help text
 * indented past the column.
 */
#include "flags/flags_internal.h"
#include "util/util.h"

#include <ctype.h>
#include <stdlib.h>

enum { COLUMN_LIMIT = 30, INDENT = 2, PADDING = 2 };

static bool has_short(void)
{
    for (size_t i = 0; i < flag_defs_count; i++)
        if (flag_defs[i].short_name && !flag_defs[i].hidden)
            return true;
    return false;
}

/* kingpin's placeholder: a string default quoted as Go does, another
 * default as is, else the flag name in upper case. */
static void placeholder(struct strbuf *sb, const struct flag_def *d)
{
    if (d->def && d->kind == FLAG_STRING) {
        strbuf_go_quote(sb, d->def);
    } else if (d->def) {
        strbuf_puts(sb, d->def);
    } else {
        for (const char *p = d->name; *p; p++)
            strbuf_putc(sb, (char)toupper((unsigned char)*p));
    }
}

static char *flag_column(const struct flag_def *d, bool any_short)
{
    struct strbuf sb = STRBUF_INIT;
    if (d->short_name)
        strbuf_printf(&sb, "-%c, --%s", d->short_name, d->name);
    else
        strbuf_printf(&sb, "%s--%s", any_short ? "    " : "", d->name);
    bool is_bool = d->kind == FLAG_BOOL || d->kind == FLAG_HELP || d->kind == FLAG_VERSION;
    if (!is_bool) {
        strbuf_putc(&sb, '=');
        placeholder(&sb, d);
    }
    if (d->kind == FLAG_STRINGS)
        strbuf_puts(&sb, " ...");
    return strbuf_detach(&sb);
}

static void put_row(struct strbuf *out, const char *col, size_t width, const char *help)
{
    size_t len = strlen(col);
    strbuf_printf(out, "%*s%-*s%*s", INDENT, "", (int)width, col, PADDING, "");
    if (len >= COLUMN_LIMIT)
        strbuf_printf(out, "\n%*s", (int)(INDENT + width + PADDING), "");
    for (const char *p = help; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        strbuf_add(out, p, n);
        strbuf_putc(out, '\n');
        if (!nl)
            break;
        p = nl + 1;
        strbuf_printf(out, "%*s", (int)(INDENT + width + PADDING), "");
    }
}

void flags_usage(struct strbuf *out, const char *prog)
{
    bool any_short = has_short();
    char **cols = xcalloc(flag_defs_count, sizeof *cols);
    size_t width = 0;
    for (size_t i = 0; i < flag_defs_count; i++) {
        cols[i] = flag_column(&flag_defs[i], any_short);
        size_t len = strlen(cols[i]);
        if (!flag_defs[i].hidden && len < COLUMN_LIMIT && len > width)
            width = len;
    }
    strbuf_printf(out, "usage: %s [<flags>]\n\nFlags:\n", prog);
    for (size_t i = 0; i < flag_defs_count; i++) {
        if (!flag_defs[i].hidden)
            put_row(out, cols[i], width, flag_defs[i].help);
        free(cols[i]);
    }
    strbuf_putc(out, '\n');
    free(cols);
}
