/* Whole-file reads and crash-safe whole-file replacement. */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *strerror_go(int errnum)
{
    static _Thread_local char buf[128];
    snprintf(buf, sizeof buf, "%s", strerror(errnum));
    buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}

int file_read_all(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct strbuf sb = STRBUF_INIT;
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = -errno;
            close(fd);
            strbuf_free(&sb);
            return err;
        }
        if (n == 0)
            break;
        strbuf_add(&sb, buf, (size_t)n);
    }
    close(fd);
    if (len)
        *len = sb.len;
    *out = strbuf_detach(&sb);
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The temporary name carries random hex so two writers never share it, the
 * same scheme Alertmanager uses for its snapshots. */
int file_write_atomic(const char *path, const void *data, size_t len)
{
    unsigned char rnd[8];
    random_bytes(rnd, sizeof rnd);
    char *tmp = xasprintf("%s.%02x%02x%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1], rnd[2],
                          rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    int err = 0;
    if (fd < 0) {
        err = -errno;
        goto out;
    }
    err = write_all(fd, data, len);
    if (!err && fsync(fd) < 0)
        err = -errno;
    if (close(fd) < 0 && !err)
        err = -errno;
    if (!err && rename(tmp, path) < 0)
        err = -errno;
    if (err) {
        unlink(tmp);
        goto out;
    }
    char *dircopy = xstrdup(path);
    int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dircopy);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    return err;
}
