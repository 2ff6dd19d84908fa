/*
 * The storage directory and the state snapshots (silences, nflog) at
 * start-up.  A snapshot that fails to decode is not fatal (Alertmanager
 * refuses to start; an operator would rather keep alerting): the records
 * read before the damage are kept, the file is renamed aside so the next
 * write cannot destroy what a human might still recover from it, and a
 * fresh snapshot is written at once so the kept state is durable again.
 */
#include "main/daemon.h"
#include "nflog/nflog.h"
#include "silences/silences.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

/* mkdir -p, like Go's os.MkdirAll(path, 0777). */
static int mkdir_all(const char *path)
{
    if (!*path)
        return -ENOENT;
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        bool end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = -errno;
        if (end)
            break;
        *s = '/';
    }
    struct stat st;
    if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = errno ? -errno : -ENOTDIR;
    free(p);
    return rc;
}

static char *corrupt_name(const char *path)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    return xasprintf("%s.corrupt-%s", path, stamp);
}

/* A state file and what its messages call it. */
struct state_file {
    const char *component; /* "silences", "nflog" */
    const char *title;     /* "Silence snapshot" */
    const char *items;     /* "silences" */
    const char *path;
    struct persist *writer;
    /* Merges the file's bytes; the count taken, or -1 with *err. */
    int (*load)(struct daemon *d, const uint8_t *data, size_t len, char **err);
    size_t (*count)(const struct daemon *d);
};

static int snapshot_set_aside(struct daemon *d, const struct state_file *sf, const char *why)
{
    char *aside = corrupt_name(sf->path);
    char n[24], *msg;
    snprintf(n, sizeof n, "%zu", sf->count(d));
    if (rename(sf->path, aside) != 0) {
        msg = xasprintf("Cannot move the damaged %s snapshot aside", sf->component);
        log_kv(LOG_ERROR, msg, "component", sf->component, "file", sf->path, "to", aside,
               "err", strerror(errno), NULL);
        free(msg);
        free(aside);
        return -1;
    }
    msg = xasprintf("%s is damaged: kept the %s before the damage, dropped the rest", sf->title,
                    sf->items);
    log_kv(LOG_WARN, msg, "component", sf->component, "file", sf->path, "kept", n, "moved_to",
           aside, "err", why, NULL);
    free(msg);
    free(aside);
    int rc = persist_write_now(sf->writer);
    if (rc != 0) {
        msg = xasprintf("Writing %s snapshot failed", sf->component);
        log_kv(LOG_ERROR, msg, "component", sf->component, "file", sf->path, "err",
               persist_strerror(rc), NULL);
        free(msg);
    }
    return rc == 0 ? 0 : -1;
}

static int snapshot_load(struct daemon *d, const struct state_file *sf)
{
    char *data = NULL, *msg;
    size_t len = 0;
    int rc = file_read_all(sf->path, &data, &len);
    if (rc == -ENOENT) {
        log_kv(LOG_DEBUG, "snapshot file doesn't exist", "component", sf->component, "file",
               sf->path, NULL);
        return 0;
    }
    if (rc != 0) {
        msg = xasprintf("Loading %s failed", sf->title);
        log_kv(LOG_ERROR, msg, "component", sf->component, "file", sf->path, "err",
               strerror_go(-rc), NULL);
        free(msg);
        return -1;
    }
    char *err = NULL;
    int n = sf->load(d, (const uint8_t *)data, len, &err);
    free(data);
    if (n >= 0) {
        char count[24];
        snprintf(count, sizeof count, "%d", n);
        msg = xasprintf("Loaded %s", sf->title);
        log_kv(LOG_DEBUG, msg, "component", sf->component, "file", sf->path, sf->items, count,
               NULL);
        free(msg);
        return 0;
    }
    rc = snapshot_set_aside(d, sf, err ? err : "malformed snapshot");
    free(err);
    return rc;
}

static int silences_load(struct daemon *d, const uint8_t *data, size_t len, char **err)
{
    return silences_merge(d->state.silences, data, len, time_now(), err);
}

static size_t silences_kept(const struct daemon *d)
{
    return silences_count(d->state.silences);
}

/* A merge reads the same record stream a snapshot holds; 0.25's loadSnapshot
 * takes expired records too, which the next GC drops. */
static int nflog_load(struct daemon *d, const uint8_t *data, size_t len, char **err)
{
    return nflog_merge(d->nflog, data, len, INT64_MIN, err);
}

static size_t nflog_kept(const struct daemon *d)
{
    return nflog_count(d->nflog);
}

int storage_prepare(struct daemon *d)
{
    int rc = mkdir_all(d->flags.storage_path);
    if (rc != 0) {
        char *err = xasprintf("mkdir %s: %s", d->flags.storage_path, strerror_go(-rc));
        log_kv(LOG_ERROR, "Unable to create data directory", "err", err, NULL);
        free(err);
        return -1;
    }
    size_t len = strlen(d->flags.storage_path);
    const char *sep = d->flags.storage_path[len - 1] == '/' ? "" : "/";
    d->snapshot_path = xasprintf("%s%ssilences", d->flags.storage_path, sep);
    d->nflog_path = xasprintf("%s%snflog", d->flags.storage_path, sep);
    return 0;
}

int storage_load_silences(struct daemon *d)
{
    struct state_file sf = {"silences",     "Silence snapshot", "silences",  d->snapshot_path,
                            &d->persist,    silences_load,      silences_kept};
    return snapshot_load(d, &sf);
}

int storage_load_nflog(struct daemon *d)
{
    struct state_file sf = {"nflog",           "Notification log snapshot", "entries",
                            d->nflog_path,     &d->nflog_persist,           nflog_load,
                            nflog_kept};
    return snapshot_load(d, &sf);
}
