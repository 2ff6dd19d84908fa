/*
 * helpers.h: shared pieces of the nflog unit tests: a fixed clock, the
 * receivers the tests log for, and small builders for hash sets and labels.
 */
#ifndef CHORUS_TEST_NFLOG_HELPERS_H
#define CHORUS_TEST_NFLOG_HELPERS_H

#include "nflog/nflog.h"
#include "util/util.h"

/* 2026-11-24T12:00:00Z, near the times in the Alertmanager fixtures. */
#define T0 (INT64_C(1795521600) * NS_PER_SEC)
#define SEC NS_PER_SEC
#define MIN (60 * NS_PER_SEC)
#define HOUR (3600 * NS_PER_SEC)
#define RETENTION (120 * HOUR)

static inline int64_t ts(int64_t seconds, int64_t nanos)
{
    return seconds * NS_PER_SEC + nanos;
}

extern const struct nflog_receiver RCV_WEBHOOK0; /* "team"/"webhook"/0 */
extern const struct nflog_receiver RCV_WEBHOOK1; /* "team"/"webhook"/1 */
extern const struct nflog_receiver RCV_EMAIL0;   /* "team"/"email"/0 */

/* A hash set over a caller-provided array: HASHES(a, b, c). */
#define HASHES(...)                                                              \
    ((struct nflog_hashes){(uint64_t[]){__VA_ARGS__},                            \
                           sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)})
#define NO_HASHES ((struct nflog_hashes){NULL, 0})

void labels_build(struct labelset *ls, const char *spec); /* `a=b,c=d` */
/* Reads a fixture under tests/fixtures/; caller frees. */
uint8_t *fixture_read(const char *name, size_t *len);
/* Logs with retention-only expiry; asserts it was written. */
void log_simple(struct nflog *l, const struct nflog_receiver *r, const char *gk,
                struct nflog_hashes firing, struct nflog_hashes resolved, int64_t now);

#endif
