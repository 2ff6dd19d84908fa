/*
 * The template set's contract beyond what amtool can show: redefinition
 * rules, compatibility levels, execution bounds, inline defines and the
 * functions added after 0.25.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "template/template.h"
#include "util/util.h"

static struct template_alert api_alert = {
    .status = "firing",
    .starts_at = INT64_C(1795525267101752072), /* 2026-11-24 13:01:07.101752072 */
    .ends_at = TIME_ZERO,
    .generator_url = "http://gen/",
    .fingerprint = "0123456789abcdef",
};

static struct template_data api_data = {
    .receiver = "team",
    .status = "firing",
    .alerts = &api_alert,
    .n_alerts = 1,
    .external_url = "http://am",
};

/* Renders text inline; returns the output or "ERR: <message>" (static). */
static const char *render(struct template_set *set, const char *text,
                          const struct template_data *data)
{
    static char *last;
    free(last);
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    if (template_execute_text(set, text, data, &out, &err) < 0) {
        last = xasprintf("ERR: %s", err);
        free(err);
        strbuf_free(&out);
    } else {
        last = strbuf_detach(&out);
    }
    return last;
}

static struct template_set *set_with(enum template_compat compat, const char *name,
                                     const char *text)
{
    struct template_set *set = template_set_new(compat);
    char *err = NULL;
    if (text)
        cr_assert_eq(template_set_parse(set, name, text, &err), 0, "%s", err ? err : "");
    return set;
}

Test(api, later_definition_replaces_earlier)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, "a.tmpl",
                                        "{{ define \"x\" }}one{{ end }}");
    char *err = NULL;
    cr_assert_eq(template_set_parse(set, "b.tmpl", "{{ define \"x\" }}two{{ end }}", &err), 0);
    cr_assert_str_eq(render(set, "{{ template \"x\" . }}", &api_data), "two");
    /* An empty definition does not replace a non-empty one. */
    cr_assert_eq(template_set_parse(set, "c.tmpl", "{{ define \"x\" }} {{ end }}", &err), 0);
    cr_assert_str_eq(render(set, "{{ template \"x\" . }}", &api_data), "two");
    cr_assert(template_set_has(set, "a.tmpl"));
    template_set_free(set);
}

Test(api, parse_error_leaves_set_unchanged)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, "a.tmpl",
                                        "{{ define \"x\" }}one{{ end }}");
    char *err = NULL;
    cr_assert_eq(template_set_parse(set, "b.tmpl", "{{ define \"x\" }}two{{ end }}{{ if }}", &err),
                 -1);
    cr_assert_str_eq(err, "template: b.tmpl:1: missing value for if");
    free(err);
    cr_assert_str_eq(render(set, "{{ template \"x\" . }}", &api_data), "one");
    template_set_free(set);
}

Test(api, inline_defines_stay_inline)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    cr_assert_str_eq(render(set, "{{ define \"y\" }}Y{{ end }}{{ template \"y\" }}", &api_data), "Y");
    cr_assert_str_eq(render(set, "{{ template \"y\" }}", &api_data),
                     "ERR: template: :1:12: executing \"\" at <{{template \"y\"}}>: template \"y\" not defined");
    template_set_free(set);
}

Test(api, unknown_name)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    cr_assert_eq(template_execute(set, "nope", &api_data, &out, &err), -1);
    cr_assert_not_null(strstr(err, "no template \"nope\""));
    free(err);
    template_set_free(set);
}

Test(api, compat_levels_gate_functions)
{
    struct template_set *v25 = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    struct template_set *v26 = set_with(TEMPLATE_COMPAT_0_26, NULL, NULL);
    struct template_set *v28 = set_with(TEMPLATE_COMPAT_0_28, NULL, NULL);
    cr_assert_str_eq(render(v25, "{{ trimSpace \" a \" }}", &api_data),
                     "ERR: template: :1: function \"trimSpace\" not defined");
    cr_assert_str_eq(render(v26, "[{{ trimSpace \" \\t a b \\n\" }}]", &api_data), "[a b]");
    cr_assert_str_eq(render(v26, "{{ date \"2006\" .ExternalURL }}", &api_data),
                     "ERR: template: :1: function \"date\" not defined");
    cr_assert_str_eq(render(v28, "{{ range .Alerts }}{{ date \"2006-01-02 15:04\" .StartsAt }}{{ end }}",
                            &api_data),
                     "2026-11-24 13:01");
    cr_assert_str_eq(render(v28, "{{ range .Alerts }}{{ .StartsAt | tz \"UTC\" }}{{ end }}", &api_data),
                     "2026-11-24 13:01:07.101752072 +0000 UTC");
    template_set_free(v25);
    template_set_free(v26);
    template_set_free(v28);
}

Test(api, humanize_duration)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_28, NULL, NULL);
    cr_assert_str_eq(render(set, "{{ humanizeDuration 0 }}|{{ humanizeDuration 1.5 }}|"
                                 "{{ humanizeDuration 61 }}|{{ humanizeDuration 3601 }}|"
                                 "{{ humanizeDuration 90000 }}|{{ humanizeDuration 0.0012 }}|"
                                 "{{ humanizeDuration \"2.5\" }}",
                            &api_data),
                     "0s|1.5s|1m 1s|1h 0m 1s|1d 1h 0m 0s|1.2ms|2.5s");
    /* Beyond int64 seconds Go's conversion gives MinInt64 on amd64 (found by fuzzing). */
    cr_assert_str_eq(render(set, "{{ humanizeDuration 1e109 }}", &api_data),
                     "-106751991167300d -15h -30m -8s");
    template_set_free(set);
}

Test(api, recursion_is_bounded)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, "r.tmpl",
                                        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}");
    const char *got = render(set, "{{ template \"r\" . }}", &api_data);
    cr_assert_not_null(strstr(got, "exceeded maximum template depth (1000)"), "%s", got);
    template_set_free(set);
}

Test(api, output_is_bounded)
{
    struct strbuf defs = STRBUF_INIT;
    strbuf_puts(&defs, "{{ define \"t0\" }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}");
    for (int i = 1; i < 30; i++)
        strbuf_printf(&defs, "{{ define \"t%d\" }}{{ template \"t%d\" }}{{ template \"t%d\" }}{{ end }}",
                      i, i - 1, i - 1);
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, "big.tmpl", defs.buf);
    strbuf_free(&defs);
    const char *got = render(set, "{{ template \"t29\" }}", &api_data);
    cr_assert_not_null(strstr(got, "output exceeds"), "%.100s", got);
    template_set_free(set);
}

Test(api, parse_nesting_is_bounded)
{
    struct strbuf t = STRBUF_INIT;
    strbuf_puts(&t, "{{ ");
    for (int i = 0; i < 5000; i++)
        strbuf_putc(&t, '(');
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *err = NULL;
    cr_assert_eq(template_set_parse(set, "deep.tmpl", t.buf, &err), -1);
    cr_assert_str_eq(err, "template: deep.tmpl:1: max expression depth exceeded");
    free(err);
    strbuf_free(&t);
    template_set_free(set);
}

Test(api, nil_data_prints_no_value)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    cr_assert_str_eq(render(set, "{{ .Foo }}|{{ .Foo.Bar }}|{{ if .Foo }}y{{ else }}n{{ end }}", NULL),
                     "<no value>|<no value>|n");
    template_set_free(set);
}

Test(api, time_values)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    cr_assert_str_eq(render(set, "{{ range .Alerts }}{{ .EndsAt }}|{{ .EndsAt.IsZero }}|"
                                 "{{ .EndsAt.Unix }}|{{ .StartsAt.UnixMilli }}|"
                                 "{{ .StartsAt.Format \"Monday 02/01/06 3:04:05.000000PM -07:00 Z07:00\" }}{{ end }}",
                            &api_data),
                     "0001-01-01 00:00:00 +0000 UTC|true|-62135596800|1795525267101|"
                     "Tuesday 24/11/26 1:01:07.101752PM +00:00 Z");
    template_set_free(set);
}

Test(api, variables_scope)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, NULL, NULL);
    cr_assert_str_eq(render(set, "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"
                                 "{{ range $i, $e := .Alerts }}{{ $x = $i }}{{ end }}{{ $x }}",
                            &api_data),
                     "210");
    cr_assert_str_eq(render(set, "{{ $y }}", &api_data),
                     "ERR: template: :1: undefined variable \"$y\"");
    template_set_free(set);
}

Test(api, html_execution_of_named_template)
{
    struct template_set *set = set_with(TEMPLATE_COMPAT_0_25, "h.tmpl",
                                        "{{ define \"h\" }}<a href=\"/x?r={{ .Receiver }}\">{{ .ExternalURL }} &</a>{{ end }}");
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    struct template_data d = api_data;
    d.receiver = "a b&c";
    cr_assert_eq(template_execute_html(set, "h", &d, &out, &err), 0);
    cr_assert_str_eq(out.buf, "<a href=\"/x?r=a%20b%26c\">http://am &</a>");
    strbuf_free(&out);
    template_set_free(set);
}

static struct template_set *set_with_defaults(void)
{
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *err = NULL;
    cr_assert_eq(template_set_parse_defaults(set, &err), 0, "%s", err ? err : "");
    return set;
}

Test(api, user_files_override_built_in_defaults_as_on_alertmanager)
{
    struct template_set *set = set_with_defaults();
    char *err = NULL;
    cr_assert_str_eq(render(set, "{{ template \"slack.default.title\" . }}", &api_data),
                     "[FIRING:1]  ");
    /* An empty user definition keeps the default, a non-empty one replaces
     * it, and the defaults that call it follow. */
    cr_assert_eq(template_set_parse(set, "u.tmpl", "{{ define \"__subject\" }} {{ end }}", &err),
                 0);
    cr_assert_str_eq(render(set, "{{ template \"email.default.subject\" . }}", &api_data),
                     "[FIRING:1]  ");
    cr_assert_eq(template_set_parse(set, "v.tmpl", "{{ define \"__subject\" }}S{{ end }}", &err),
                 0);
    cr_assert_str_eq(render(set,
                            "{{ template \"slack.default.fallback\" . }}|"
                            "{{ template \"email.default.subject\" . }}",
                            &api_data),
                     "S | http://am/#/alerts?receiver=team|S");
    template_set_free(set);
}

Test(api, built_in_defaults_add_no_file_templates)
{
    struct template_set *set = set_with_defaults();
    cr_assert(template_set_has(set, "email.default.html"));
    cr_assert(template_set_has(set, "__text_alert_list"));
    cr_assert_not(template_set_has(set, "default.tmpl"));
    cr_assert_not(template_set_has(set, "email.tmpl"));
    cr_assert_not(template_set_has(set, "messages.tmpl"));
    template_set_free(set);
}
