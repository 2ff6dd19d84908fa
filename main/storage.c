/*
 * The storage directory and the silence snapshot at start-up.  A snapshot
 * that fails to decode is not fatal (Alertmanager refuses to start; an
 * operator would rather keep alerting): the silences read before the damage
 * are kept, the file is renamed aside so the next write cannot destroy what
 * a human might still recover from it, and a fresh snapshot is written at
 * once so the kept silences are durable again.
 */
#include "main/daemon.h"
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

static int snapshot_set_aside(struct daemon *d, int loaded, const char *why)
{
    char *aside = corrupt_name(d->snapshot_path);
    char n[24];
    snprintf(n, sizeof n, "%d", loaded);
    if (rename(d->snapshot_path, aside) != 0) {
        log_kv(LOG_ERROR, "Cannot move the damaged silence snapshot aside", "component",
               "silences", "file", d->snapshot_path, "to", aside, "err", strerror(errno), NULL);
        free(aside);
        return -1;
    }
    log_kv(LOG_WARN,
           "Silence snapshot is damaged: kept the silences before the damage, dropped the rest",
           "component", "silences", "file", d->snapshot_path, "kept", n, "moved_to", aside,
           "err", why, NULL);
    free(aside);
    int rc = persist_write_now(&d->persist);
    if (rc != 0)
        log_kv(LOG_ERROR, "Writing silence snapshot failed", "component", "silences", "file",
               d->snapshot_path, "err", persist_strerror(rc), NULL);
    return rc == 0 ? 0 : -1;
}

static int snapshot_load(struct daemon *d)
{
    char *data = NULL;
    size_t len = 0;
    int rc = file_read_all(d->snapshot_path, &data, &len);
    if (rc == -ENOENT) {
        log_kv(LOG_DEBUG, "snapshot file doesn't exist", "component", "silences", "file",
               d->snapshot_path, NULL);
        return 0;
    }
    if (rc != 0) {
        log_kv(LOG_ERROR, "Loading silence snapshot failed", "component", "silences", "file",
               d->snapshot_path, "err", strerror_go(-rc), NULL);
        return -1;
    }
    char *err = NULL;
    int n = silences_merge(d->state.silences, (const uint8_t *)data, len, time_now(), &err);
    free(data);
    if (n >= 0) {
        char count[24];
        snprintf(count, sizeof count, "%d", n);
        log_kv(LOG_DEBUG, "Loaded silence snapshot", "component", "silences", "file",
               d->snapshot_path, "silences", count, NULL);
        return 0;
    }
    rc = snapshot_set_aside(d, (int)silences_count(d->state.silences),
                            err ? err : "malformed snapshot");
    free(err);
    return rc;
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
    return 0;
}

int storage_load_silences(struct daemon *d)
{
    return snapshot_load(d);
}
