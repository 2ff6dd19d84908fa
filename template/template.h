/*
 * template: Go text/template, as Alertmanager renders notification fields.
 *
 * A template set holds named templates (Go's "associated templates"): every
 * `define` of every parsed file, and each file's own top-level text under the
 * file's base name.  Later definitions replace earlier ones, except that an
 * empty definition never replaces a non-empty one, as in Go.  Executing a
 * name, or an inline string parsed as Go's anonymous template "", renders
 * against the Alertmanager notification data defined below.  Error texts are
 * Go's, e.g. "template: bad.tmpl:2: unclosed action" or
 * `template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type
 * template.Data`.
 *
 * Versions: the function set follows Alertmanager 0.25 unless the set is
 * created with a later compatibility level (see enum template_compat); the
 * language is that of the Go 0.25 was built with (no {{else with}}, no range
 * over an integer).
 *
 * Threads: parsing needs exclusive access to the set; once parsed, a set may
 * be executed from several threads at once (each execution has its own
 * memory).  Times are printed as UTC without Go's monotonic-clock suffix.
 * Not implemented: `call` on function values (the data holds none), printf's
 * %p and %#v (and non-string verbs on time values), CSS contexts beyond
 * strings and comments, and html/template's JavaScript template-literal rules.
 */
#ifndef CHORUS_TEMPLATE_H
#define CHORUS_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labels/labels.h"

struct strbuf;

/* One alert as Alertmanager's template.Alert.  Strings and label sets are
 * borrowed: the caller keeps them alive while executing. */
struct template_alert {
    const char *status; /* "firing" or "resolved" */
    struct labelset labels;
    struct labelset annotations;
    int64_t starts_at; /* ns since the epoch, UTC; TIME_ZERO when unset */
    int64_t ends_at;
    const char *generator_url;
    const char *fingerprint; /* 16 hex digits */
};

/* Alertmanager 0.25's template.Data (there is no GroupKey). */
struct template_data {
    const char *receiver; /* already regex-quoted, as the dispatcher does */
    const char *status;   /* "firing" if any alert fires, else "resolved" */
    const struct template_alert *alerts;
    size_t n_alerts;
    struct labelset group_labels;
    struct labelset common_labels;
    struct labelset common_annotations;
    const char *external_url;
    /* 0.25's notifiers execute with a *template.Data, amtool with a value:
     * the type named in execution errors follows. */
    bool by_pointer;
};

/* Which Alertmanager release's function set a template may call.  Functions
 * a release lacks fail at parse time with Go's `function "x" not defined`,
 * so configurations valid on 0.25 stay exactly as strict. */
enum template_compat {
    TEMPLATE_COMPAT_0_25 = 0, /* toUpper toLower title join match safeHtml
                                 reReplaceAll stringSlice */
    TEMPLATE_COMPAT_0_26,     /* + trimSpace */
    TEMPLATE_COMPAT_0_28,     /* + date tz since humanizeDuration */
};

struct template_set;

struct template_set *template_set_new(enum template_compat compat);
void template_set_free(struct template_set *set);

/* Parses text as a file called name: its defines join the set and its
 * top-level text becomes template `name`.  Returns 0, or -1 with *err set
 * (caller frees); on error the set is unchanged. */
int template_set_parse(struct template_set *set, const char *name, const char *text,
                       char **err);
/* Reads path and parses it under its base name, as Go's ParseGlob does. */
int template_set_parse_file(struct template_set *set, const char *path, char **err);
bool template_set_has(const struct template_set *set, const char *name);
/* Parses chorus's built-in default templates: every name 0.25's default.tmpl
 * and email.tmpl define ("slack.default.title", "email.default.html", ...),
 * rendering byte-identically to 0.25's.  Done first, so user files override. */
int template_set_parse_defaults(struct template_set *set, char **err);

/* Appends the rendering of template `name` to out.  Returns 0, or -1 with
 * *err set; out then holds whatever was written before the error. */
int template_execute(const struct template_set *set, const char *name,
                     const struct template_data *data, struct strbuf *out, char **err);
/* Alertmanager's ExecuteTextString: text is parsed as the anonymous template
 * "" over the set (its defines are visible only to this call) and executed. */
int template_execute_text(const struct template_set *set, const char *text,
                          const struct template_data *data, struct strbuf *out,
                          char **err);

/* The same with html/template's contextual escaping (Alertmanager's
 * ExecuteHTMLString, used for e-mail HTML): every action is escaped for the
 * HTML, attribute or URL context it appears in, HTML comments in the template
 * text are dropped.  Contexts are tracked while executing, so templates Go
 * rejects for ambiguous contexts are rendered rather than refused. */
int template_execute_html(const struct template_set *set, const char *name,
                          const struct template_data *data, struct strbuf *out, char **err);
int template_execute_html_text(const struct template_set *set, const char *text,
                               const struct template_data *data, struct strbuf *out,
                               char **err);

/* Execution bounds: nested template calls and bytes written per execution. */
#define TEMPLATE_MAX_DEPTH 1000
#define TEMPLATE_MAX_OUTPUT (16u << 20)

#endif
