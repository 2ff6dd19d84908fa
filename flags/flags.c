/*
 * The command-line parser, in kingpin's three passes so that precedence and
 * messages match Alertmanager: first the arguments are split into flag
 * elements (stopping at the first unknown flag, missing argument or stray
 * word), then defaults and values are set in order (stopping at the first bad
 * value), and only then is the outcome chosen: --version anywhere among the
 * elements wins, then a split error, then --help, then a value error.
 */
#include "flags/flags_internal.h"
#include "util/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct element {
    const struct flag_def *def;
    const char *value; /* NULL for booleans */
    bool negated;      /* --no-x */
};

struct split {
    struct element *elems;
    size_t n;
    char *err; /* the first structural error, or NULL */
};

static char *fmt_err(const char *fmt, const char *a)
{
    return xasprintf(fmt, a);
}

static char **field_str(struct flags *f, const struct flag_def *d)
{
    return (char **)((char *)f + d->offset);
}

/* ---- pass 1: arguments to elements ---- */

/* Returns the number of arguments consumed, or 0 after setting sp->err. */
static int split_long(struct split *sp, char *const *args, int i, int argc)
{
    const char *tok = args[i] + 2;
    const char *eq = strchr(tok, '=');
    size_t len = eq ? (size_t)(eq - tok) : strlen(tok);
    const struct flag_def *d = flag_lookup(tok, len);
    bool negated = false;
    if (!d && len > 3 && strncmp(tok, "no-", 3) == 0) {
        d = flag_lookup(tok + 3, len - 3);
        if (d && d->kind != FLAG_BOOL && d->kind != FLAG_HELP && d->kind != FLAG_VERSION)
            d = NULL;
        negated = d != NULL;
    }
    if (!d) {
        char *name = xstrndup(tok, len);
        sp->err = fmt_err("unknown long flag '--%s'", name);
        free(name);
        return 0;
    }
    struct element *e = &sp->elems[sp->n++];
    *e = (struct element){d, NULL, negated};
    if (d->kind == FLAG_BOOL || d->kind == FLAG_HELP || d->kind == FLAG_VERSION) {
        /* kingpin turns "--bool=x" into the flag followed by a stray "x". */
        if (eq)
            sp->err = fmt_err("unexpected %s", eq + 1);
        return eq ? 0 : 1;
    }
    if (eq) {
        e->value = eq + 1;
        return 1;
    }
    if (i + 1 >= argc || args[i + 1][0] == '-') {
        sp->n--;
        sp->err = fmt_err("expected argument for flag '--%s'", d->name);
        return 0;
    }
    e->value = args[i + 1];
    return 2;
}

/* "-h", "-hh": short flags are single letters; only -h exists. */
static int split_short(struct split *sp, const char *tok)
{
    if (!tok[1]) {
        sp->err = xstrdup("unknown short flag '-'");
        return 0;
    }
    for (const char *c = tok + 1; *c; c++) {
        if (*c != 'h') {
            char bad[2] = {*c, '\0'};
            sp->err = fmt_err("unknown short flag '-%s'", bad);
            return 0;
        }
        sp->elems[sp->n++] = (struct element){&flag_defs[0], NULL, false};
    }
    return 1;
}

static void split_args(struct split *sp, int argc, char *const *args)
{
    /* Every argument yields at most strlen(arg) elements ("-hhh"). */
    size_t cap = 1;
    for (int i = 0; i < argc; i++)
        cap += strlen(args[i]);
    sp->elems = xcalloc(cap, sizeof *sp->elems);
    bool only_words = false;
    for (int i = 0; i < argc;) {
        const char *tok = args[i];
        int used;
        if (only_words || tok[0] != '-') {
            sp->err = fmt_err("unexpected %s", tok);
            return;
        }
        if (strcmp(tok, "--") == 0) {
            only_words = true;
            used = 1;
        } else if (tok[1] == '-') {
            used = split_long(sp, args, i, argc);
        } else {
            used = split_short(sp, tok);
        }
        if (used == 0)
            return;
        i += used;
    }
}

/* ---- pass 2: values ---- */

/* kingpin reads integers with strconv.ParseFloat and truncates. */
static int set_int(int64_t *out, const char *s, char **err)
{
    char *clean = xmalloc(strlen(s) + 1), *q = clean;
    bool ok = *s != '\0';
    for (const char *p = s; *p; p++) {
        if (*p == '_' && p > s && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' && p[1] <= '9')
            continue;
        if (*p == 'x' || *p == 'X' || *p == '(' || *p == ' ' || *p == '\t' || *p == '\n')
            ok = false;
        *q++ = *p;
    }
    *q = '\0';
    char *end = NULL;
    errno = 0;
    double v = ok ? strtod(clean, &end) : 0;
    ok = ok && end && *end == '\0';
    bool range = ok && errno == ERANGE && isinf(v);
    free(clean);
    if (!ok || range) {
        *err = xasprintf("strconv.ParseFloat: parsing \"%s\": %s", s,
                         range ? "value out of range" : "invalid syntax");
        return -1;
    }
    /* Go's float-to-int conversion on amd64 yields INT64_MIN when out of range. */
    *out = (v >= -9.2e18 && v <= 9.2e18) ? (int64_t)v : INT64_MIN;
    return 0;
}

static int set_enum(char **field, const char *s, const char *const *allowed, const char *what,
                    char **err)
{
    for (const char *const *a = allowed; *a; a++) {
        if (strcmp(*a, s) == 0) {
            free(*field);
            *field = xstrdup(s);
            return 0;
        }
    }
    struct strbuf sb = STRBUF_INIT;
    strbuf_printf(&sb, "unrecognized %s ", what);
    strbuf_go_quote(&sb, s);
    *err = strbuf_detach(&sb);
    return -1;
}

static void append_str(struct flags *f, const struct flag_def *d, const char *s)
{
    char ***list = (char ***)((char *)f + d->offset);
    size_t *n = (size_t *)((char *)f + d->count_offset);
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = xstrdup(s);
}

static int set_value(struct flags *f, const struct flag_def *d, const char *s, bool negated,
                     char **err)
{
    static const char *const levels[] = {"debug", "info", "warn", "error", NULL};
    static const char *const formats[] = {"logfmt", "json", NULL};
    char *base = (char *)f + d->offset;
    switch (d->kind) {
    case FLAG_STRING:
        free(*field_str(f, d));
        *field_str(f, d) = xstrdup(s);
        return 0;
    case FLAG_STRINGS:
        append_str(f, d, s);
        return 0;
    case FLAG_DURATION:
        return duration_parse_go(s, (int64_t *)(void *)base, err);
    case FLAG_INT:
        return set_int((int64_t *)(void *)base, s, err);
    case FLAG_BOOL:
        *(bool *)base = !negated;
        return 0;
    case FLAG_LOG_LEVEL:
        return set_enum(field_str(f, d), s, levels, "log level", err);
    case FLAG_LOG_FORMAT:
        return set_enum(field_str(f, d), s, formats, "log format", err);
    case FLAG_HELP:
    case FLAG_VERSION:
        return 0;
    }
    return 0;
}

static bool given(const struct split *sp, const struct flag_def *d)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->elems[i].def == d)
            return true;
    return false;
}

/* Defaults apply only to flags not given, so a repeatable flag given on the
 * command line replaces its default instead of adding to it. */
static void set_defaults(struct flags *f, const struct split *sp)
{
    for (size_t i = 0; i < flag_defs_count; i++) {
        const struct flag_def *d = &flag_defs[i];
        char *ignored = NULL;
        if (d->kind == FLAG_STRING && !d->def)
            *field_str(f, d) = xstrdup("");
        if (!d->def || given(sp, d))
            continue;
        if (set_value(f, d, d->def, false, &ignored) != 0)
            free(ignored); /* the table's defaults are valid */
    }
}

static char *set_values(struct flags *f, const struct split *sp)
{
    bool *seen = xcalloc(flag_defs_count, sizeof *seen);
    char *err = NULL;
    for (size_t i = 0; i < sp->n && !err; i++) {
        const struct element *e = &sp->elems[i];
        size_t idx = (size_t)(e->def - flag_defs);
        bool once = e->def->kind != FLAG_STRINGS && e->def->kind != FLAG_HELP &&
                    e->def->kind != FLAG_VERSION;
        if (once && seen[idx])
            err = fmt_err("flag '%s' cannot be repeated", e->def->name);
        else
            set_value(f, e->def, e->value, e->negated, &err);
        seen[idx] = true;
    }
    free(seen);
    return err;
}

/* ---- pass 3: outcome ---- */

static bool has_kind(const struct split *sp, enum flag_kind kind)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->elems[i].def->kind == kind)
            return true;
    return false;
}

static enum flags_result choose(const struct split *sp, char *value_err, char **err)
{
    enum flags_result r = FLAGS_RUN;
    if (has_kind(sp, FLAG_VERSION))
        r = FLAGS_VERSION;
    else if (sp->err)
        r = FLAGS_ERROR, *err = xstrdup(sp->err);
    else if (has_kind(sp, FLAG_HELP))
        r = FLAGS_HELP;
    else if (value_err)
        r = FLAGS_ERROR, *err = xstrdup(value_err);
    return r;
}

enum flags_result flags_parse(struct flags *f, int argc, char *const *args, char **err)
{
    memset(f, 0, sizeof *f);
    *err = NULL;
    struct split sp = {NULL, 0, NULL};
    split_args(&sp, argc, args);
    set_defaults(f, &sp);
    char *value_err = set_values(f, &sp);
    enum flags_result r = choose(&sp, value_err, err);
    free(value_err);
    free(sp.err);
    free(sp.elems);
    return r;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void flags_free(struct flags *f)
{
    for (size_t i = 0; i < flag_defs_count; i++) {
        const struct flag_def *d = &flag_defs[i];
        if (d->kind == FLAG_STRING || d->kind == FLAG_LOG_LEVEL || d->kind == FLAG_LOG_FORMAT)
            free(*field_str(f, d));
    }
    free_list(f->web_listen_addresses, f->n_web_listen_addresses);
    free_list(f->cluster_peers, f->n_cluster_peers);
    memset(f, 0, sizeof *f);
}
