/*
 * Structured logging in the two forms Alertmanager's --log.format offers:
 * logfmt (`level=info ts=... msg="..." k=v`) and one JSON object per line.
 */
#include "util/util.h"

#include <stdio.h>

static enum log_level min_level = LOG_INFO;
static bool json_format;

static const char *level_names[] = {"debug", "info", "warn", "error"};

int log_setup(const char *level, const char *format)
{
    int found = -1;
    for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
        if (strcmp(level, level_names[i]) == 0)
            found = (int)i;
    if (found < 0)
        return -1;
    if (strcmp(format, "logfmt") != 0 && strcmp(format, "json") != 0)
        return -1;
    min_level = (enum log_level)found;
    json_format = strcmp(format, "json") == 0;
    return 0;
}

bool log_enabled(enum log_level level)
{
    return level >= min_level;
}

static void logfmt_value(struct strbuf *sb, const char *v)
{
    bool quote = !*v;
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\')
            quote = true;
    if (quote)
        strbuf_json_cstr(sb, v, 0);
    else
        strbuf_puts(sb, v);
}

static void put_pair(struct strbuf *sb, const char *k, const char *v, bool first)
{
    if (json_format) {
        strbuf_puts(sb, first ? "{" : ",");
        strbuf_json_cstr(sb, k, 0);
        strbuf_putc(sb, ':');
        strbuf_json_cstr(sb, v, 0);
    } else {
        if (!first)
            strbuf_putc(sb, ' ');
        strbuf_puts(sb, k);
        strbuf_putc(sb, '=');
        logfmt_value(sb, v);
    }
}

void log_kv(enum log_level level, const char *msg, ...)
{
    if (!log_enabled(level))
        return;
    struct strbuf sb = STRBUF_INIT;
    char ts[40];
    time_format_rfc3339nano(time_now(), ts);
    put_pair(&sb, "level", level_names[level], true);
    put_pair(&sb, "ts", ts, false);
    put_pair(&sb, "msg", msg, false);
    va_list ap;
    va_start(ap, msg);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        put_pair(&sb, k, v ? v : "", false);
    }
    va_end(ap);
    if (json_format)
        strbuf_putc(&sb, '}');
    strbuf_putc(&sb, '\n');
    fwrite(sb.buf, 1, sb.len, stderr);
    strbuf_free(&sb);
}
