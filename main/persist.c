/*
 * The snapshot writer: threadpool writes with group commit for the
 * API and maintenance, synchronous writes at start-up and shutdown, ordered
 * by generation (see persist.h for why).
 */
#include "main/persist.h"
#include "util/util.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>

struct persist_job {
    uv_work_t work;
    struct persist *p;
    uint8_t *buf;
    size_t len;
    uint64_t gen;
    int rc;
    int64_t started; /* monotonic */
    struct persist_waiter *waiters; /* the requests this write covers */
};

int persist_init(struct persist *p, uv_loop_t *loop, persist_encode_fn *encode, void *ctx,
                 const char *path)
{
    memset(p, 0, sizeof *p);
    p->loop = loop;
    p->encode = encode;
    p->encode_ctx = ctx;
    p->path = xstrdup(path);
    p->waiting_tail = &p->waiting;
    return uv_mutex_init(&p->file_lock);
}

void persist_destroy(struct persist *p)
{
    uv_mutex_destroy(&p->file_lock);
    free(p->path);
    p->path = NULL;
}

/* Runs on any thread.  A write older than the file's content is skipped: the
 * newer state it would overwrite already contains its changes. */
static int write_ordered(struct persist *p, uint64_t gen, const uint8_t *buf, size_t len)
{
    int rc = 0;
    uv_mutex_lock(&p->file_lock);
    if (gen > p->written_gen) {
        rc = file_write_atomic(p->path, buf, len);
        if (rc == 0)
            p->written_gen = gen;
    }
    uv_mutex_unlock(&p->file_lock);
    return rc;
}

const char *persist_strerror(int rc)
{
    return rc == PERSIST_EENCODE ? "encoding the state failed" : strerror(-rc);
}

static int encode(struct persist *p, uint8_t **buf, size_t *len, uint64_t *gen)
{
    *buf = NULL;
    *len = 0;
    if (p->encode(p->encode_ctx, buf, len) != 0) {
        free(*buf);
        *buf = NULL;
        return PERSIST_EENCODE;
    }
    *gen = ++p->next_gen;
    return 0;
}

int persist_write_now(struct persist *p)
{
    uint8_t *buf;
    size_t len;
    uint64_t gen;
    int rc = encode(p, &buf, &len, &gen);
    if (rc == 0)
        rc = write_ordered(p, gen, buf, len);
    free(buf);
    return rc;
}

static void job_work(uv_work_t *w)
{
    struct persist_job *job = container_of(w, struct persist_job, work);
    if (job->rc == 0)
        job->rc = write_ordered(job->p, job->gen, job->buf, job->len);
}

static void start_job(struct persist *p);

static void job_after(uv_work_t *w, int status)
{
    struct persist_job *job = container_of(w, struct persist_job, work);
    struct persist *p = job->p;
    int rc = status == UV_ECANCELED ? status : job->rc;
    int64_t took = time_monotonic() - job->started;
    for (struct persist_waiter *wt = job->waiters, *next; wt; wt = next) {
        next = wt->next;
        wt->done(wt->ctx, rc, job->len, took);
        free(wt);
    }
    free(job->buf);
    free(job);
    p->in_flight = false;
    if (p->wanted)
        start_job(p);
}

/* The state is encoded now, on the loop, so the write covers every change
 * made before this moment: all the requests waiting so far. */
static void start_job(struct persist *p)
{
    struct persist_job *job = xcalloc(1, sizeof *job);
    job->p = p;
    job->started = time_monotonic();
    job->waiters = p->waiting;
    p->waiting = NULL;
    p->waiting_tail = &p->waiting;
    p->wanted = false;
    /* An encoding failure travels through the threadpool like a write
     * failure, so callbacks always arrive from the loop. */
    job->rc = encode(p, &job->buf, &job->len, &job->gen);
    int rc = uv_queue_work(p->loop, &job->work, job_work, job_after);
    if (rc != 0) {
        log_kv(LOG_ERROR, "Cannot queue a snapshot write", "file", p->path, "err",
               uv_strerror(rc), NULL);
        abort(); /* uv_queue_work fails only on invalid arguments */
    }
    p->in_flight = true;
}

void persist_write_async(struct persist *p, persist_done_fn *done, void *ctx)
{
    if (done) {
        struct persist_waiter *wt = xcalloc(1, sizeof *wt);
        wt->done = done;
        wt->ctx = ctx;
        *p->waiting_tail = wt;
        p->waiting_tail = &wt->next;
    }
    p->wanted = true;
    if (!p->in_flight)
        start_job(p);
}
