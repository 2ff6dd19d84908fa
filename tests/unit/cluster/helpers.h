/*
 * helpers.h: the Alertmanager 0.25 capture (tests/fixtures/cluster/, see
 * extract.py there) as test_cluster reads it, and hex helpers.
 */
#ifndef CHORUS_TEST_CLUSTER_HELPERS_H
#define CHORUS_TEST_CLUSTER_HELPERS_H

#include "cluster/cluster.h"

struct capture_entry {
    bool tcp; /* a reassembled stream direction; else a UDP datagram */
    char src[32], dst[32];
    uint8_t *data;
    size_t len;
};

struct capture {
    struct capture_entry *items;
    size_t len;
};

void capture_load(struct capture *c); /* asserts on failure */
void capture_free(struct capture *c);

/* Decodes hex (whitespace ignored) into a malloc'd buffer. */
uint8_t *hex_decode(const char *hex, size_t *len);
void hex_append(struct strbuf *sb, const uint8_t *p, size_t n);

#endif
