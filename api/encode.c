/*
 * JSON output byte for byte as Alertmanager 0.25 writes it: go-swagger's
 * models marshalled by encoding/json (so <, > and & are escaped and map keys
 * come sorted), the odd field order of gettableAlert and gettableSilence, and
 * times as strfmt.DateTime with exactly three fractional digits.  Alert
 * times are always shown in UTC; Alertmanager keeps the sender's offset.
 * Also Go's shortest float formatting for /metrics.
 */
#include "api/api_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void enc_str(struct strbuf *sb, const char *s)
{
    strbuf_json_cstr(sb, s, JSON_ESCAPE_HTML);
}

void api_enc_labelset(struct strbuf *sb, const struct labelset *ls)
{
    strbuf_putc(sb, '{');
    for (size_t i = 0; i < ls->len; i++) {
        if (i)
            strbuf_putc(sb, ',');
        enc_str(sb, ls->items[i].name);
        strbuf_putc(sb, ':');
        enc_str(sb, ls->items[i].value);
    }
    strbuf_putc(sb, '}');
}

void api_enc_time(struct strbuf *sb, int64_t t)
{
    char buf[32];
    time_format_api(t, buf);
    strbuf_printf(sb, "\"%s\"", buf);
}

static void enc_status(struct strbuf *sb, const struct alert_status *st)
{
    char fp[17];
    strbuf_puts(sb, "{\"inhibitedBy\":[");
    for (size_t i = 0; st && i < st->n_inhibited; i++) {
        fingerprint_format(st->inhibited_by[i], fp);
        strbuf_printf(sb, "%s\"%s\"", i ? "," : "", fp);
    }
    strbuf_puts(sb, "],\"silencedBy\":[");
    for (size_t i = 0; st && i < st->n_silenced; i++) {
        if (i)
            strbuf_putc(sb, ',');
        enc_str(sb, st->silenced_by[i]);
    }
    strbuf_puts(sb, "],\"state\":");
    enc_str(sb, alert_state_name(st ? st->state : ALERT_UNPROCESSED));
    strbuf_putc(sb, '}');
}

void api_enc_alert(struct strbuf *sb, const struct alert *a, const struct alert_status *st,
                   const char *const *receivers, size_t n_receivers)
{
    char fp[17];
    fingerprint_format(a->fingerprint, fp);
    strbuf_puts(sb, "{\"annotations\":");
    api_enc_labelset(sb, &a->annotations);
    strbuf_puts(sb, ",\"endsAt\":");
    api_enc_time(sb, a->ends_at);
    strbuf_printf(sb, ",\"fingerprint\":\"%s\",\"receivers\":[", fp);
    for (size_t i = 0; i < n_receivers; i++) {
        strbuf_puts(sb, i ? ",{\"name\":" : "{\"name\":");
        enc_str(sb, receivers[i]);
        strbuf_putc(sb, '}');
    }
    strbuf_puts(sb, "],\"startsAt\":");
    api_enc_time(sb, a->starts_at);
    strbuf_puts(sb, ",\"status\":");
    enc_status(sb, st);
    strbuf_puts(sb, ",\"updatedAt\":");
    api_enc_time(sb, a->updated_at);
    if (a->generator_url && a->generator_url[0]) {
        strbuf_puts(sb, ",\"generatorURL\":");
        enc_str(sb, a->generator_url);
    }
    strbuf_puts(sb, ",\"labels\":");
    api_enc_labelset(sb, &a->labels);
    strbuf_putc(sb, '}');
}

static void enc_matcher(struct strbuf *sb, const struct matcher *m)
{
    bool eq = m->type == MATCH_EQUAL || m->type == MATCH_REGEXP;
    bool re = m->type == MATCH_REGEXP || m->type == MATCH_NOT_REGEXP;
    strbuf_printf(sb, "{\"isEqual\":%s,\"isRegex\":%s,\"name\":", eq ? "true" : "false",
                  re ? "true" : "false");
    enc_str(sb, m->name);
    strbuf_puts(sb, ",\"value\":");
    enc_str(sb, m->value);
    strbuf_putc(sb, '}');
}

void api_enc_silence(struct strbuf *sb, const struct silence *s, int64_t now)
{
    strbuf_puts(sb, "{\"id\":");
    enc_str(sb, s->id);
    strbuf_puts(sb, ",\"status\":{\"state\":");
    enc_str(sb, silence_state_name(silence_state_at(s, now)));
    strbuf_puts(sb, "},\"updatedAt\":");
    api_enc_time(sb, s->updated_at);
    strbuf_puts(sb, ",\"comment\":");
    enc_str(sb, s->comment);
    strbuf_puts(sb, ",\"createdBy\":");
    enc_str(sb, s->created_by);
    strbuf_puts(sb, ",\"endsAt\":");
    api_enc_time(sb, s->ends_at);
    strbuf_puts(sb, ",\"matchers\":[");
    for (size_t i = 0; i < s->matchers.len; i++) {
        if (i)
            strbuf_putc(sb, ',');
        enc_matcher(sb, &s->matchers.items[i]);
    }
    strbuf_puts(sb, "],\"startsAt\":");
    api_enc_time(sb, s->starts_at);
    strbuf_putc(sb, '}');
}

/* Shortest digits that read back as f, via %.*e: digits without the point,
 * and the decimal exponent. */
static int shortest_digits(double f, char digits[32], int *exp10)
{
    char buf[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    char *e = strchr(buf, 'e');
    *exp10 = atoi(e + 1);
    int n = 0;
    for (char *p = buf; p < e; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    return n;
}

void api_fmt_float(struct strbuf *sb, double f)
{
    if (isnan(f)) {
        strbuf_puts(sb, "NaN");
        return;
    }
    if (isinf(f)) {
        strbuf_puts(sb, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (f == 0) {
        strbuf_puts(sb, signbit(f) ? "-0" : "0");
        return;
    }
    if (f < 0) {
        strbuf_putc(sb, '-');
        f = -f;
    }
    char d[32];
    int exp10;
    int n = shortest_digits(f, d, &exp10);
    /* strconv's 'g' with shortest precision decides with an exponent limit
     * of 6, which is why Prometheus shows a million as 1e+06. */
    if (exp10 < -4 || exp10 >= 6) {
        strbuf_putc(sb, d[0]);
        if (n > 1) {
            strbuf_putc(sb, '.');
            strbuf_puts(sb, d + 1);
        }
        strbuf_printf(sb, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
        return;
    }
    if (exp10 < 0) {
        strbuf_puts(sb, "0.");
        for (int i = -1; i > exp10; i--)
            strbuf_putc(sb, '0');
        strbuf_puts(sb, d);
        return;
    }
    for (int i = 0; i <= exp10 || i < n; i++) {
        if (i == exp10 + 1)
            strbuf_putc(sb, '.');
        strbuf_putc(sb, i < n ? d[i] : '0');
    }
}
