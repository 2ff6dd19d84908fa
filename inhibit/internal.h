/*
 * inhibit/internal.h: one rule's source cache, shared by the inhibitor and
 * the cache.  Private to inhibit/.
 */
#ifndef CHORUS_INHIBIT_INTERNAL_H
#define CHORUS_INHIBIT_INTERNAL_H

#include "alerts/alerts.h"
#include "config/config.h"
#include "util/util.h"

/* A cached source alert.  It sits in its bucket's list, so removing it
 * costs nothing and lookups keep the order of first caching. */
struct inhibit_source {
    struct alert alert; /* no annotations: nothing here reads them */
    uint64_t equal_hash;
    struct inhibit_source *prev, *next;
};

/* Sources that share one hash of their `equal` values. */
struct inhibit_bucket {
    struct inhibit_source *head, *tail;
};

struct inhibit_cache {
    const struct config_strlist *equal; /* the rule's, not owned */
    struct hmap by_fp;    /* fingerprint -> struct inhibit_source */
    struct hmap by_equal; /* equal hash -> struct inhibit_bucket */
    size_t len;
};

void inhibit_cache_init(struct inhibit_cache *c, const struct config_strlist *equal);
void inhibit_cache_free(struct inhibit_cache *c);
/* Caches a copy of a, replacing any source of the same fingerprint. */
void inhibit_cache_set(struct inhibit_cache *c, const struct alert *a);
/* The first source that may share ls's equal values, or NULL.  Walk the list
 * with ->next, and confirm each one with inhibit_cache_equal_match. */
const struct inhibit_source *inhibit_cache_candidates(const struct inhibit_cache *c,
                                                      const struct labelset *ls);
bool inhibit_cache_equal_match(const struct inhibit_cache *c, const struct labelset *a,
                               const struct labelset *b);
/* Drops sources resolved at now; returns how many. */
size_t inhibit_cache_gc(struct inhibit_cache *c, int64_t now);

#endif
