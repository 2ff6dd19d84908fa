/*
 * silences: the silence store, Alertmanager's state for the gossip key "sil".
 *
 * Creation, in-place update versus expire-and-recreate, expiry, states,
 * queries and retention follow Alertmanager 0.25 exactly.  The store is
 * indexed by equality matchers so finding the silences that mute a label set
 * does not scan every silence.  The snapshot format is Alertmanager's own
 * (uvarint-delimited MeshSilence protobuf records), so a snapshot written by
 * Alertmanager 0.25 loads here and the reverse; the same encoding is what the
 * cluster will carry.  Every call takes "now" from the caller; no I/O happens
 * except in the snapshot functions, which the daemon runs off the loop.
 */
#ifndef CHORUS_SILENCES_H
#define CHORUS_SILENCES_H

#include "labels/labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum silence_state { SILENCE_EXPIRED = 0, SILENCE_ACTIVE, SILENCE_PENDING };
const char *silence_state_name(enum silence_state st); /* "expired", ... */

struct silence {
    char id[37];
    struct matchers matchers; /* compiled; order as created */
    int64_t starts_at;
    int64_t ends_at;
    int64_t updated_at;
    char *created_by; /* never NULL */
    char *comment;    /* never NULL */
    /* Protobuf fields chorus does not interpret (annotations, matcher sets of
     * newer peers), kept verbatim so they survive a round trip. */
    uint8_t *extra;
    size_t extra_len;
};

void silence_init(struct silence *s);
void silence_free(struct silence *s);
void silence_copy(struct silence *dst, const struct silence *src);
enum silence_state silence_state_at(const struct silence *s, int64_t now);

struct silences;

/* retention: how long expired silences are kept (--data.retention). */
struct silences *silences_new(int64_t retention);
void silences_free(struct silences *s);

enum {
    SILENCES_OK = 0,
    SILENCES_EINVALID = -1,  /* 400; *err is the API's whole message, e.g.
                                "Failed to create silence: end time can't be in
                                the past" or "silence invalid: ..." */
    SILENCES_ENOTFOUND = -2, /* 404 "silence not found"; *err not set */
};

/* The API's POST /silences, checks in Alertmanager 0.25's order (times,
 * unknown id, matcher validity): validates, then creates (in->id empty) or updates
 * by Alertmanager's rule (in place when allowed, otherwise expires the old one
 * and creates a new id).  Writes the resulting id to out_id.  On error returns
 * a SILENCES_E* code and sets *err (caller frees) where the code says so. */
int silences_set(struct silences *s, const struct silence *in, int64_t now,
                 char out_id[37], char **err);
/* DELETE /silence/{id}: 0, or SILENCES_ENOTFOUND.  Expiring an expired
 * silence succeeds and changes nothing. */
int silences_expire(struct silences *s, const char *id, int64_t now);
/* NULL when unknown. Valid until the next mutation. */
const struct silence *silences_get(const struct silences *s, const char *id);
size_t silences_count(const struct silences *s);

/* GET /silences: silences containing, for every filter matcher, a matcher with
 * the same name, type and value; in the API's order (active by endsAt asc,
 * pending by startsAt asc, expired by endsAt desc).  Caller frees the array;
 * entries stay owned by the store, valid until the next mutation. */
const struct silence **silences_query(const struct silences *s, const struct matchers *filter,
                                      int64_t now, size_t *count);

/* IDs of the active silences whose matchers all match ls, sorted; caller frees
 * the array (not the strings, which stay owned by the store). */
const char **silences_mutes(const struct silences *s, const struct labelset *ls, int64_t now,
                            size_t *count);

/* Counts by state for alertmanager_silences. */
void silences_count_states(const struct silences *s, int64_t now, size_t counts[3]);

/* Drops silences whose endsAt + retention <= now; returns how many. */
size_t silences_gc(struct silences *s, int64_t now);

/* Encodes the whole state in the snapshot/full-state format. Caller frees. */
int silences_encode(const struct silences *s, uint8_t **out, size_t *len);
/* Merges encoded state (snapshot or gossip): a record wins if its id is new
 * or its updatedAt is strictly newer; records whose expiry is past are
 * skipped; deprecated comments are upgraded.  Returns the number of records
 * merged, or -1 with *err on malformed input (records before the bad one are
 * kept). */
int silences_merge(struct silences *s, const uint8_t *data, size_t len, int64_t now,
                   char **err);
/* Snapshot to/from a file (atomic write).  A missing file loads as empty. */
int silences_snapshot_write(const struct silences *s, const char *path);
int silences_snapshot_load(struct silences *s, const char *path, int64_t now, char **err);

#endif
