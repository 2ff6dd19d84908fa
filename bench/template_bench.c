/*
 * bench/template_bench: render time of the built-in default templates for one
 * alert group, rendered as the notifiers do (each field's text is parsed as
 * Go's anonymous template and executed; the e-mail body as html/template).
 *
 *   template_bench [--alerts N] [--reps N]   prints microseconds per render
 *   template_bench --alerts N --json         prints the same group as
 *                                            amtool's --template.data
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "template/template.h"
#include "util/util.h"

/* Every field the Slack notifier fills from a default template. */
static const char *const slack_fields[] = {
    "slack.default.title",     "slack.default.username",  "slack.default.fallback",
    "slack.default.callbackid", "slack.default.pretext",   "slack.default.titlelink",
    "slack.default.iconemoji", "slack.default.iconurl",   "slack.default.text",
    "slack.default.footer",
};

struct group {
    struct template_data data;
    struct template_alert *alerts;
    char **strings;
    size_t n_strings;
};

static const char *keep(struct group *g, char *s)
{
    g->strings = xrealloc(g->strings, (g->n_strings + 1) * sizeof *g->strings);
    g->strings[g->n_strings++] = s;
    return s;
}

static void set_label(struct labelset *ls, const char *name, char *value)
{
    labelset_set(ls, name, value);
    free(value);
}

/* A group as Prometheus alerts look: six labels, two annotations, every
 * fifth alert resolved. */
static void group_build(struct group *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->alerts = xcalloc(n, sizeof *g->alerts);
    int64_t t0 = 1795000000LL * 1000000000LL;
    for (size_t i = 0; i < n; i++) {
        struct template_alert *a = &g->alerts[i];
        bool resolved = i % 5 == 4;
        a->status = resolved ? "resolved" : "firing";
        labelset_set(&a->labels, "alertname", "HighLatency");
        set_label(&a->labels, "instance", xasprintf("host-%zu:9100", i));
        labelset_set(&a->labels, "job", "node");
        labelset_set(&a->labels, "service", "checkout");
        set_label(&a->labels, "series", xasprintf("s%zu", i % 7));
        labelset_set(&a->labels, "severity", "warning");
        set_label(&a->annotations, "summary", xasprintf("Latency is high on host-%zu", i));
        set_label(&a->annotations, "description",
                  xasprintf("p99 latency of host-%zu has been above 500ms for 5 minutes", i));
        a->starts_at = t0 + (int64_t)i * 1000000123LL;
        a->ends_at = resolved ? t0 + 3600LL * 1000000000LL : TIME_ZERO;
        a->generator_url =
            keep(g, xasprintf("http://prometheus.example.com:9090/graph?g0.expr=up&i=%zu", i));
        a->fingerprint = keep(g, xasprintf("%016zx", i * 0x9e3779b97f4a7c15u));
    }
    g->data.receiver = "team-checkout";
    g->data.status = n > 0 ? "firing" : "resolved"; /* alert 0 fires */
    g->data.alerts = g->alerts;
    g->data.n_alerts = n;
    labelset_set(&g->data.group_labels, "alertname", "HighLatency");
    labelset_set(&g->data.common_labels, "alertname", "HighLatency");
    labelset_set(&g->data.common_labels, "job", "node");
    labelset_set(&g->data.common_labels, "service", "checkout");
    labelset_set(&g->data.common_labels, "severity", "warning");
    g->data.external_url = "http://am.example.com:9093";
}

static void group_free(struct group *g)
{
    for (size_t i = 0; i < g->data.n_alerts; i++) {
        labelset_free(&g->alerts[i].labels);
        labelset_free(&g->alerts[i].annotations);
    }
    for (size_t i = 0; i < g->n_strings; i++)
        free(g->strings[i]);
    free(g->strings);
    free(g->alerts);
    labelset_free(&g->data.group_labels);
    labelset_free(&g->data.common_labels);
    labelset_free(&g->data.common_annotations);
}

static void json_labels(const struct labelset *ls)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_putc(&sb, '{');
    for (size_t i = 0; i < ls->len; i++) {
        if (i)
            strbuf_puts(&sb, ", ");
        strbuf_json_cstr(&sb, ls->items[i].name, 0);
        strbuf_puts(&sb, ": ");
        strbuf_json_cstr(&sb, ls->items[i].value, 0);
    }
    strbuf_putc(&sb, '}');
    fputs(strbuf_cstr(&sb), stdout);
    strbuf_free(&sb);
}

static void json_time(int64_t t)
{
    char buf[40];
    time_format_rfc3339nano(t, buf);
    printf("\"%s\"", buf);
}

/* The group as Alertmanager's template.Data JSON (amtool --template.data). */
static void group_print_json(const struct group *g)
{
    const struct template_data *d = &g->data;
    printf("{\"receiver\": \"%s\", \"status\": \"%s\", \"alerts\": [", d->receiver, d->status);
    for (size_t i = 0; i < d->n_alerts; i++) {
        const struct template_alert *a = &d->alerts[i];
        printf("%s{\"status\": \"%s\", \"labels\": ", i ? ", " : "", a->status);
        json_labels(&a->labels);
        printf(", \"annotations\": ");
        json_labels(&a->annotations);
        printf(", \"startsAt\": ");
        json_time(a->starts_at);
        printf(", \"endsAt\": ");
        json_time(a->ends_at);
        printf(", \"generatorURL\": \"%s\", \"fingerprint\": \"%s\"}", a->generator_url,
               a->fingerprint);
    }
    printf("], \"groupLabels\": ");
    json_labels(&d->group_labels);
    printf(", \"commonLabels\": ");
    json_labels(&d->common_labels);
    printf(", \"commonAnnotations\": ");
    json_labels(&d->common_annotations);
    printf(", \"externalURL\": \"%s\"}\n", d->external_url);
}

static double now_us(void)
{
    return (double)time_monotonic() / 1e3;
}

/* Renders every field once per repetition; returns microseconds per pass and
 * the bytes one pass writes. */
static double time_renders(const struct template_set *set, const char *const *names,
                           size_t n_names, bool html, const struct template_data *data,
                           int reps, size_t *bytes)
{
    double start = now_us();
    for (int r = 0; r < reps; r++) {
        *bytes = 0;
        for (size_t i = 0; i < n_names; i++) {
            char *text = xasprintf("{{ template \"%s\" . }}", names[i]);
            struct strbuf out = STRBUF_INIT;
            char *err = NULL;
            int rc = html ? template_execute_html_text(set, text, data, &out, &err)
                          : template_execute_text(set, text, data, &out, &err);
            if (rc < 0) {
                fprintf(stderr, "%s: %s\n", names[i], err);
                exit(1);
            }
            *bytes += out.len;
            strbuf_free(&out);
            free(text);
        }
    }
    return (now_us() - start) / reps;
}

int main(int argc, char **argv)
{
    size_t n_alerts = 100;
    int reps = 200;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--alerts") && i + 1 < argc)
            n_alerts = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json"))
            json = true;
        else {
            fprintf(stderr, "usage: %s [--alerts N] [--reps N] [--json]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    struct group g;
    group_build(&g, n_alerts);
    if (json) {
        group_print_json(&g);
        group_free(&g);
        return 0;
    }
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *err = NULL;
    double t0 = now_us();
    if (template_set_parse_defaults(set, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double parse_us = now_us() - t0;
    static const char *const email[] = {"email.default.html"};
    size_t slack_bytes, email_bytes;
    double slack_us = time_renders(set, slack_fields, ARRAY_SIZE(slack_fields), false, &g.data,
                                   reps, &slack_bytes);
    double email_us = time_renders(set, email, 1, true, &g.data, reps, &email_bytes);
    printf("alerts %zu, repetitions %d\n", n_alerts, reps);
    printf("parse defaults                 %10.1f us\n", parse_us);
    printf("slack default fields (%zu)     %10.1f us  (%zu bytes)\n", ARRAY_SIZE(slack_fields),
           slack_us, slack_bytes);
    printf("email.default.html             %10.1f us  (%zu bytes)\n", email_us, email_bytes);
    template_set_free(set);
    group_free(&g);
    return 0;
}
