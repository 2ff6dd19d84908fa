/*
 * test_buf.h: a growable byte buffer for unit tests that hand-craft wire
 * input (protobuf records, truncated or hostile bytes).  Shared by the
 * silences and nflog codec tests; header-only because each test binary
 * compiles just its own folder.
 */
#ifndef CHORUS_TESTS_UNIT_TEST_BUF_H
#define CHORUS_TESTS_UNIT_TEST_BUF_H

#include "util/util.h"

#include <stdint.h>
#include <string.h>

struct buf {
    uint8_t *data;
    size_t len;
};

static inline void buf_varint(struct buf *b, uint64_t v)
{
    b->data = xrealloc(b->data, b->len + 10);
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        b->data[b->len++] = v ? (c | 0x80) : c;
    } while (v);
}

/* Keeps one spare byte so an empty buffer still has a valid pointer. */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
    b->data = xrealloc(b->data, b->len + n + 1);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

#endif
