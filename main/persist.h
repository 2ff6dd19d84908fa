/*
 * The silence snapshot writer.  Two ways in, one file:
 *
 *  - persist_write_now encodes and writes on the calling (loop) thread and
 *    returns once the file and its directory are fsync'd.  The API answers a
 *    silence change only after silences_changed returns, so this is what
 *    makes "acknowledged means durable" hold; it blocks the loop for one
 *    fsync per change.
 *  - persist_write_async encodes on the loop and writes on the libuv
 *    threadpool, for maintenance, where nobody waits.
 *
 * Every write carries a generation taken on the loop when its state was
 * encoded, and the file lock lets a write through only if it is newer than
 * what is on disk, so a slow background write can never land an older state
 * over a newer synchronous one.  Async requests made while one is in flight
 * are coalesced into one more write.
 */
#ifndef CHORUS_MAIN_PERSIST_H
#define CHORUS_MAIN_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct silences;

/* Called on the loop when an async write finished; rc as persist_write_now. */
typedef void persist_done_fn(void *ctx, int rc, size_t size, int64_t duration_ns);

struct persist {
    uv_loop_t *loop;
    struct silences *silences;
    char *path;
    uv_mutex_t file_lock;
    uint64_t next_gen;    /* loop thread only */
    uint64_t written_gen; /* under file_lock */
    bool in_flight;       /* an async write is queued or running */
    bool again;           /* another async write was asked for meanwhile */
    persist_done_fn *again_done; /* callback of the coalesced request */
    void *again_ctx;
};

int persist_init(struct persist *p, uv_loop_t *loop, struct silences *s, const char *path);
/* Only once no async write is in flight (the loop has run dry). */
void persist_destroy(struct persist *p);

/* Returned when the silences could not be encoded; other failures are
 * negative errno values. */
#define PERSIST_EENCODE (-1000000)
const char *persist_strerror(int rc);

/* Returns 0, PERSIST_EENCODE or a negative errno. */
int persist_write_now(struct persist *p);
/* done (may be NULL) is called once this request's state is written; a
 * request coalesced into a later write gets the later write's outcome. */
void persist_write_async(struct persist *p, persist_done_fn *done, void *ctx);

#endif
