/*
 * Values as Go's encoding/json marshals them, for html/template's JavaScript
 * value escaper: Alertmanager's structs with their json field tags, times in
 * RFC 3339, maps with sorted keys, floats in json's own format.
 */
#include "template/internal.h"

#include <math.h>
#include <stdio.h>

static void json_str(const char *s, struct strbuf *out)
{
    strbuf_json_cstr(out, s ? s : "", JSON_ESCAPE_HTML);
}

static void json_time(int64_t t, struct strbuf *out)
{
    char buf[40];
    if (t == TIME_ZERO)
        strbuf_puts(out, "\"0001-01-01T00:00:00Z\"");
    else {
        time_format_rfc3339nano(t, buf);
        strbuf_printf(out, "\"%s\"", buf);
    }
}

/* encoding/json: fixed notation, exponent outside [1e-6, 1e21), "e-7" not "e-07". */
static void json_float(double f, struct strbuf *out)
{
    double a = fabs(f);
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        struct strbuf sb = STRBUF_INIT;
        float_format_go(f, 'e', -1, &sb);
        size_t n = sb.len;
        if (n >= 4 && sb.buf[n - 4] == 'e' && sb.buf[n - 3] == '-' && sb.buf[n - 2] == '0') {
            sb.buf[n - 2] = sb.buf[n - 1];
            sb.len--;
            sb.buf[sb.len] = '\0';
        }
        strbuf_add(out, sb.buf, sb.len);
        strbuf_free(&sb);
        return;
    }
    float_format_go(f, 'f', -1, out);
}

static void json_kv(const struct kv *kv, struct strbuf *out)
{
    strbuf_putc(out, '{');
    for (size_t i = 0; i < kv->len; i++) {
        if (i)
            strbuf_putc(out, ',');
        json_str(kv->names[i], out);
        strbuf_putc(out, ':');
        json_str(kv->values[i], out);
    }
    strbuf_putc(out, '}');
}

static void json_alert(const struct template_alert *a, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    strbuf_puts(out, "{\"status\":");
    json_str(a->status, out);
    strbuf_puts(out, ",\"labels\":");
    json_kv(kv_from_labelset(&tmp, &a->labels), out);
    strbuf_puts(out, ",\"annotations\":");
    json_kv(kv_from_labelset(&tmp, &a->annotations), out);
    strbuf_puts(out, ",\"startsAt\":");
    json_time(a->starts_at, out);
    strbuf_puts(out, ",\"endsAt\":");
    json_time(a->ends_at, out);
    strbuf_puts(out, ",\"generatorURL\":");
    json_str(a->generator_url, out);
    strbuf_puts(out, ",\"fingerprint\":");
    json_str(a->fingerprint, out);
    strbuf_putc(out, '}');
    arena_free(&tmp);
}

static void json_data(const struct template_data *d, struct strbuf *out)
{
    struct arena tmp = ARENA_INIT;
    strbuf_puts(out, "{\"receiver\":");
    json_str(d->receiver, out);
    strbuf_puts(out, ",\"status\":");
    json_str(d->status, out);
    strbuf_puts(out, ",\"alerts\":[");
    for (size_t i = 0; i < d->n_alerts; i++) {
        if (i)
            strbuf_putc(out, ',');
        json_alert(&d->alerts[i], out);
    }
    strbuf_puts(out, "],\"groupLabels\":");
    json_kv(kv_from_labelset(&tmp, &d->group_labels), out);
    strbuf_puts(out, ",\"commonLabels\":");
    json_kv(kv_from_labelset(&tmp, &d->common_labels), out);
    strbuf_puts(out, ",\"commonAnnotations\":");
    json_kv(kv_from_labelset(&tmp, &d->common_annotations), out);
    strbuf_puts(out, ",\"externalURL\":");
    json_str(d->external_url, out);
    strbuf_putc(out, '}');
    arena_free(&tmp);
}

void value_json(const struct value *v, struct strbuf *out)
{
    switch (v->kind) {
    case V_NIL: strbuf_puts(out, "null"); break;
    case V_BOOL: strbuf_puts(out, v->u.b ? "true" : "false"); break;
    case V_INT: case V_BYTE: strbuf_printf(out, "%lld", (long long)v->u.i); break;
    case V_FLOAT: json_float(v->u.f, out); break;
    case V_STRING: case V_HTML:
        strbuf_json_string(out, v->u.str.s, v->u.str.len, JSON_ESCAPE_HTML);
        break;
    case V_LIST: case V_PAIRS:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i)
                strbuf_putc(out, ',');
            value_json(&v->u.list.items[i], out);
        }
        strbuf_putc(out, ']');
        break;
    case V_KV: json_kv(v->u.kv, out); break;
    case V_PAIR:
        strbuf_puts(out, "{\"Name\":");
        json_str(v->u.pair.name, out);
        strbuf_puts(out, ",\"Value\":");
        json_str(v->u.pair.value, out);
        strbuf_putc(out, '}');
        break;
    case V_TIME: json_time(v->u.t, out); break;
    case V_ALERT: json_alert(v->u.alert, out); break;
    case V_ALERTS:
        strbuf_putc(out, '[');
        for (size_t i = 0; i < v->u.alerts.len; i++) {
            if (i)
                strbuf_putc(out, ',');
            json_alert(v->u.alerts.items[i], out);
        }
        strbuf_putc(out, ']');
        break;
    case V_DATA: json_data(v->u.data, out); break;
    }
}
