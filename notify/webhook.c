/* The webhook notifier: 0.25's payload version 4. */
#include "notify/integrations_internal.h"

#include "config/config.h"

/* template.Alert as encoding/json writes it. */
static void json_alert(struct strbuf *sb, const struct template_alert *a)
{
    char starts[40], ends[40];
    time_format_rfc3339nano(a->starts_at, starts);
    time_format_rfc3339nano(a->ends_at, ends);
    strbuf_puts(sb, "{\"status\":");
    strbuf_json_cstr(sb, a->status, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"labels\":");
    notify_json_kv(sb, &a->labels);
    strbuf_puts(sb, ",\"annotations\":");
    notify_json_kv(sb, &a->annotations);
    strbuf_printf(sb, ",\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"generatorURL\":", starts, ends);
    strbuf_json_cstr(sb, a->generator_url, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"fingerprint\":");
    strbuf_json_cstr(sb, a->fingerprint, JSON_ESCAPE_HTML);
    strbuf_putc(sb, '}');
}

/* The embedded template.Data's fields, which lead the message object. */
static void json_data_fields(struct strbuf *sb, const struct template_data *d)
{
    strbuf_puts(sb, "\"receiver\":");
    strbuf_json_cstr(sb, d->receiver, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"status\":");
    strbuf_json_cstr(sb, d->status, JSON_ESCAPE_HTML);
    strbuf_puts(sb, ",\"alerts\":[");
    for (size_t i = 0; i < d->n_alerts; i++) {
        if (i)
            strbuf_putc(sb, ',');
        json_alert(sb, &d->alerts[i]);
    }
    strbuf_puts(sb, "],\"groupLabels\":");
    notify_json_kv(sb, &d->group_labels);
    strbuf_puts(sb, ",\"commonLabels\":");
    notify_json_kv(sb, &d->common_labels);
    strbuf_puts(sb, ",\"commonAnnotations\":");
    notify_json_kv(sb, &d->common_annotations);
    strbuf_puts(sb, ",\"externalURL\":");
    strbuf_json_cstr(sb, d->external_url, JSON_ESCAPE_HTML);
}

int notify_build_webhook(const struct notify_integration *in, const struct template_set *tmpl,
                         const struct notify_group *g, struct notify_message *out, bool *retry,
                         char **err)
{
    (void)tmpl;
    (void)retry;
    (void)err;
    const struct config_webhook *c = in->conf;
    /* max_alerts keeps the first alerts; the template data (status, common
     * labels) is computed from what is kept. */
    struct notify_group kept = *g;
    uint64_t truncated = 0;
    if (c->max_alerts && kept.n_alerts > c->max_alerts) {
        truncated = kept.n_alerts - c->max_alerts;
        kept.n_alerts = c->max_alerts;
    }
    struct template_data data;
    notify_template_data(&kept, &data);
    struct strbuf body = STRBUF_INIT;
    strbuf_putc(&body, '{');
    json_data_fields(&body, &data);
    strbuf_puts(&body, ",\"version\":\"4\",\"groupKey\":");
    strbuf_json_cstr(&body, g->group_key, JSON_ESCAPE_HTML);
    strbuf_printf(&body, ",\"truncatedAlerts\":%llu}\n", (unsigned long long)truncated);
    notify_template_data_free(&data);
    notify_json_post(out, &out->http, c->url, &body);
    out->http.http = c->http_config;
    return 0;
}
