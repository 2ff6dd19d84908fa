/* Loading of the template test fixtures (see fixtures.h). */
#include "fixtures.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static char *keep(struct fixture_data *fd, char *s)
{
    fd->strings = xrealloc(fd->strings, (fd->n_strings + 1) * sizeof *fd->strings);
    fd->strings[fd->n_strings++] = s;
    return s;
}

static char *unescape(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            strbuf_putc(&sb, *s == 'n' ? '\n' : *s == 't' ? '\t' : *s);
        } else {
            strbuf_putc(&sb, *s);
        }
    }
    return strbuf_detach(&sb);
}

static size_t split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    while (n < max) {
        f[n++] = line;
        char *t = strchr(line, '\t');
        if (!t)
            break;
        *t = '\0';
        line = t + 1;
    }
    return n;
}

static int64_t parse_time(const char *s)
{
    int64_t t;
    return time_parse_rfc3339(s, &t) == 0 ? t : TIME_ZERO;
}

static void add_record(struct fixture_data *fd, char **f, size_t n, size_t *n_alerts)
{
    struct template_data *d = &fd->data;
    char *v[6] = {0};
    for (size_t i = 1; i < n && i < 7; i++)
        v[i - 1] = keep(fd, unescape(f[i]));
    if (!strcmp(f[0], "receiver"))
        d->receiver = v[0];
    else if (!strcmp(f[0], "status"))
        d->status = v[0];
    else if (!strcmp(f[0], "externalURL"))
        d->external_url = v[0];
    else if (!strcmp(f[0], "groupLabel"))
        labelset_set(&d->group_labels, v[0], v[1]);
    else if (!strcmp(f[0], "commonLabel"))
        labelset_set(&d->common_labels, v[0], v[1]);
    else if (!strcmp(f[0], "commonAnnotation"))
        labelset_set(&d->common_annotations, v[0], v[1]);
    else if (!strcmp(f[0], "alert")) {
        fd->alerts = xrealloc(fd->alerts, (*n_alerts + 1) * sizeof *fd->alerts);
        struct template_alert *a = &fd->alerts[(*n_alerts)++];
        memset(a, 0, sizeof *a);
        a->status = v[0];
        a->starts_at = parse_time(v[1]);
        a->ends_at = parse_time(v[2]);
        a->generator_url = v[3];
        a->fingerprint = v[4];
    } else if (!strcmp(f[0], "label"))
        labelset_set(&fd->alerts[*n_alerts - 1].labels, v[0], v[1]);
    else if (!strcmp(f[0], "annotation"))
        labelset_set(&fd->alerts[*n_alerts - 1].annotations, v[0], v[1]);
}

int fixture_data_load(const char *path, struct fixture_data *fd)
{
    memset(fd, 0, sizeof *fd);
    char *text = fixture_read(path, NULL);
    if (!text)
        return -1;
    size_t n_alerts = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[8];
        size_t n = split_tabs(line, f, 8);
        add_record(fd, f, n, &n_alerts);
    }
    free(text);
    fd->data.alerts = fd->alerts;
    fd->data.n_alerts = n_alerts;
    return 0;
}

void fixture_data_free(struct fixture_data *fd)
{
    for (size_t i = 0; i < fd->data.n_alerts; i++) {
        labelset_free(&fd->alerts[i].labels);
        labelset_free(&fd->alerts[i].annotations);
    }
    free(fd->alerts);
    labelset_free(&fd->data.group_labels);
    labelset_free(&fd->data.common_labels);
    labelset_free(&fd->data.common_annotations);
    for (size_t i = 0; i < fd->n_strings; i++)
        free(fd->strings[i]);
    free(fd->strings);
}

char *fixture_read(const char *path, size_t *len)
{
    char *text;
    size_t n;
    if (file_read_all(path, &text, &n) < 0)
        return NULL;
    if (len)
        *len = n;
    return text;
}

struct template_set *fixture_default_set(void)
{
    struct template_set *set = template_set_new(TEMPLATE_COMPAT_0_25);
    char *err = NULL;
    if (template_set_parse_defaults(set, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        free(err);
        template_set_free(set);
        return NULL;
    }
    return set;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **fixture_list(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    char **names = xcalloc(1, sizeof *names);
    if (!d)
        return names;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) || e->d_name[0] == '.')
            continue;
        names = xrealloc(names, (n + 2) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
        names[n] = NULL;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    return names;
}

void fixture_list_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}
