/* Go's net/url encodings for the integrations that speak forms and paths:
 * Pushover's query, SNS's form body and its SigV4 canonical URI,
 * VictorOps's key and routing key appended to the URL path. */
#include "notify/integrations_internal.h"

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

static bool keeps(unsigned char c, enum notify_url_escape mode)
{
    if (is_unreserved(c))
        return true;
    switch (mode) {
    case NOTIFY_ESCAPE_QUERY:
        return false;
    case NOTIFY_ESCAPE_PATH:
        return strchr("$&+,/:;=@", c) != NULL && c != '\0';
    case NOTIFY_ESCAPE_RFC3986_PATH:
        return c == '/';
    }
    return false;
}

void notify_url_escape(struct strbuf *sb, const char *s, enum notify_url_escape mode)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (keeps(*p, mode))
            strbuf_putc(sb, (char)*p);
        else if (*p == ' ' && mode == NOTIFY_ESCAPE_QUERY)
            strbuf_putc(sb, '+');
        else
            strbuf_printf(sb, "%%%02X", *p);
    }
}

void notify_form_encode(const struct labelset *values, struct strbuf *out)
{
    for (size_t i = 0; i < values->len; i++) {
        if (i)
            strbuf_putc(out, '&');
        notify_url_escape(out, values->items[i].name, NOTIFY_ESCAPE_QUERY);
        strbuf_putc(out, '=');
        notify_url_escape(out, values->items[i].value, NOTIFY_ESCAPE_QUERY);
    }
}
