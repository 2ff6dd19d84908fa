/*
 * A snapshot writer, one per state file (silences, nflog).  Two ways in,
 * one file:
 *
 *  - persist_write_async encodes on the loop and writes on the libuv
 *    threadpool.  The API holds its answer to a silence change until the
 *    write that contains the change has been fsync'd (the pipeline writes
    the nflog after each notification the same way), which is what makes
 *    "acknowledged means durable" hold without blocking the loop.  Changes
 *    that arrive while a write runs wait together for the next one (group
 *    commit), so a burst of changes costs a few fsyncs, not one each.
 *  - persist_write_now encodes and writes on the calling thread, for start-up
 *    and shutdown, when nothing else runs.
 *
 * Every write carries a generation taken on the loop when its state was
 * encoded, and the file lock lets a write through only if it is newer than
 * what is on disk, so a slow background write can never land an older state
 * over a newer synchronous one.
 */
#ifndef CHORUS_MAIN_PERSIST_H
#define CHORUS_MAIN_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Encodes the whole state, on the loop; 0, or -1 when it cannot.  The
 * writer frees *buf. */
typedef int persist_encode_fn(void *ctx, uint8_t **buf, size_t *len);

/* Called on the loop when an async write finished; rc as persist_write_now. */
typedef void persist_done_fn(void *ctx, int rc, size_t size, int64_t duration_ns);

struct persist_waiter {
    persist_done_fn *done;
    void *ctx;
    struct persist_waiter *next;
};

struct persist {
    uv_loop_t *loop;
    persist_encode_fn *encode;
    void *encode_ctx;
    char *path;
    uv_mutex_t file_lock;
    uint64_t next_gen;    /* loop thread only */
    uint64_t written_gen; /* under file_lock */
    bool in_flight;       /* an async write is queued or running */
    bool wanted;          /* a write was asked for since the last one started */
    struct persist_waiter *waiting; /* for the next write to start, FIFO */
    struct persist_waiter **waiting_tail;
};

int persist_init(struct persist *p, uv_loop_t *loop, persist_encode_fn *encode, void *ctx,
                 const char *path);
/* Only once no async write is in flight (the loop has run dry). */
void persist_destroy(struct persist *p);

/* Returned when the state could not be encoded; other failures are
 * negative errno values. */
#define PERSIST_EENCODE (-1000000)
const char *persist_strerror(int rc);

/* Returns 0, PERSIST_EENCODE or a negative errno. */
int persist_write_now(struct persist *p);
/* done (may be NULL) is called on the loop, never from inside this call, once
 * a write that started after this call has finished, with its outcome. */
void persist_write_async(struct persist *p, persist_done_fn *done, void *ctx);

#endif
