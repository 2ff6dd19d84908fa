/*
 * The external URL and route prefix, derived as Alertmanager's extURL() and
 * main() do, with Go's error texts for the cases an operator can hit (a
 * listen address without a port, a URL without http/https).
 */
#include "flags/flags.h"
#include "util/util.h"

#include <ctype.h>
#include <stdlib.h>

/* Go's net.SplitHostPort, port part only. */
static int split_port(const char *addr, char **port, char **err)
{
    const char *colon = strrchr(addr, ':');
    const char *why = NULL;
    if (!colon) {
        why = "missing port in address";
    } else if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        if (!end)
            why = "missing ']' in address";
        else if (end[1] != ':')
            why = "missing port in address";
        else if (end + 1 != colon)
            why = "too many colons in address";
    } else if (memchr(addr, ':', (size_t)(colon - addr))) {
        why = "too many colons in address";
    }
    if (why) {
        *err = xasprintf("address %s: %s", addr, why);
        return -1;
    }
    *port = xstrdup(colon + 1);
    return 0;
}

/* Go's url.Parse scheme rule: a letter, then letters, digits, + - . */
static size_t scheme_len(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

/* Splits url into scheme, everything up to the path, the path, and the
 * rest (?query#fragment). */
struct url_parts {
    char *scheme; /* lower case; "" when none */
    const char *path, *rest;
    size_t head_len, path_len;
};

static int url_split(const char *url, struct url_parts *u, char **err)
{
    if (url[0] == ':') {
        *err = xasprintf("parse \"%s\": missing protocol scheme", url);
        return -1;
    }
    size_t sl = scheme_len(url);
    u->scheme = xstrndup(url, sl);
    for (char *p = u->scheme; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *p = url + (sl ? sl + 1 : 0);
    if (strncmp(p, "//", 2) == 0)
        p += 2 + strcspn(p + 2, "/?#");
    u->head_len = (size_t)(p - url);
    u->path = p;
    u->path_len = strcspn(p, "?#");
    u->rest = p + u->path_len;
    if (!sl && memchr(p, ':', strcspn(p, "/?#"))) {
        free(u->scheme);
        *err = xasprintf("parse \"%s\": first path segment in URL cannot contain colon", url);
        return -1;
    }
    return 0;
}

/* The path without trailing slashes, with a leading one unless empty. */
static char *url_path_clean(const char *path, size_t len)
{
    while (len > 0 && path[len - 1] == '/')
        len--;
    if (len == 0)
        return xstrdup("");
    return xasprintf("%s%.*s", path[0] == '/' ? "" : "/", (int)len, path);
}

static char *default_url(const struct flags *f, const char *hostname, char **err)
{
    const char *listen = f->n_web_listen_addresses ? f->web_listen_addresses[0] : "";
    char *port = NULL;
    if (split_port(listen, &port, err) != 0)
        return NULL;
    char *url = xasprintf("http://%s:%s/", hostname, port);
    free(port);
    return url;
}

static char *route_prefix(const char *flag, const char *url_path)
{
    const char *p = *flag ? flag : url_path;
    while (*p == '/')
        p++;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == '/')
        len--;
    return xasprintf("/%.*s", (int)len, p);
}

int flags_external_url(const struct flags *f, const char *hostname, char **url, char **prefix,
                       char **err)
{
    char *raw = *f->web_external_url ? xstrdup(f->web_external_url)
                                     : default_url(f, hostname, err);
    if (!raw)
        return -1;
    struct url_parts u;
    if (url_split(raw, &u, err) != 0) {
        free(raw);
        return -1;
    }
    int rc = 0;
    if (strcmp(u.scheme, "http") != 0 && strcmp(u.scheme, "https") != 0) {
        *err = xasprintf("\"%s\": invalid \"%s\" scheme, only 'http' and 'https' are supported",
                         raw, u.scheme);
        rc = -1;
    } else {
        char *path = url_path_clean(u.path, u.path_len);
        *url = xasprintf("%s%.*s%s%s", u.scheme, (int)(u.head_len - strlen(u.scheme)),
                         raw + strlen(u.scheme), path, u.rest);
        *prefix = route_prefix(f->web_route_prefix, path);
        free(path);
    }
    free(u.scheme);
    free(raw);
    return rc;
}
