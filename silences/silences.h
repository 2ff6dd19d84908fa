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
/* dst is overwritten, not freed first: pass an uninitialised or freed one. */
void silence_copy(struct silence *dst, const struct silence *src);
/* Appends a matcher as the API received it.  A regex that does not compile is
 * kept uncompiled (re == NULL) instead of failing here, so that silences_set
 * reports it after the time and id checks, in Alertmanager's order; a
 * silence holding such a matcher is rejected by silences_set and, when it
 * comes from a peer, kept but never mutes. */
void silence_add_matcher(struct silence *s, enum matcher_type type, const char *name,
                         const char *value);
/* Go's Before/After: pending iff now < startsAt, expired iff now > endsAt,
 * otherwise active.  So a silence expired at now (endsAt = now) is still
 * active at that very nanosecond and expired from the next one. */
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
 * a SILENCES_E* code and sets *err (caller frees) where the code says so.
 * In place means: same matchers in the same order and, if the stored silence
 * is active, the same startsAt to the second (Go's Unix()) and endsAt not in
 * the past, or if it is pending, startsAt not in the past; the posted times
 * are stored as given.  As in 0.25, the old silence is expired before the
 * replacement is validated, so an update rejected with "silence invalid"
 * still expires the silence it named (observed on the real binary). */
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
 * pending by startsAt asc, expired by endsAt desc; ties, which Alertmanager
 * leaves to map order, by id).  filter may be NULL.  Caller frees the array;
 * entries stay owned by the store, valid until the next mutation. */
const struct silence **silences_query(const struct silences *s, const struct matchers *filter,
                                      int64_t now, size_t *count);

/* IDs of the active silences whose matchers all match ls, sorted; caller frees
 * the array (not the strings, which stay owned by the store).  NULL when
 * *count is 0.  Uses the equality-matcher index: only silences filed under a
 * pair of ls, plus those with no non-empty equality matcher, are examined. */
const char **silences_mutes(const struct silences *s, const struct labelset *ls, int64_t now,
                            size_t *count);
/* The same, also reporting how many silences were examined (for tests and
 * debugging the index). */
const char **silences_mutes_counted(const struct silences *s, const struct labelset *ls,
                                    int64_t now, size_t *count, size_t *examined);

/* Bumped by every change (set, expire, merge, GC), so a caller can cache
 * mute results per version as Alertmanager's marker does. */
uint64_t silences_version(const struct silences *s);

/* Counts by state for alertmanager_silences. */
void silences_count_states(const struct silences *s, int64_t now, size_t counts[3]);

/* Drops silences whose expires_at <= now; returns how many.  expires_at is
 * endsAt + retention for changes made here, and the peer's own value for
 * merged or loaded records (Alertmanager keeps MeshSilence.expires_at). */
size_t silences_gc(struct silences *s, int64_t now);

/* Encodes the whole state in the snapshot/full-state format, records in the
 * order they entered the store (so a loaded snapshot re-encodes byte for
 * byte).  Caller frees. */
int silences_encode(const struct silences *s, uint8_t **out, size_t *len);
/* One silence as a single record: what Alertmanager broadcasts after each
 * local change.  silences_set can change two silences (the expired old one,
 * in->id, and the new one, out_id); broadcast both when they differ.
 * 0, or SILENCES_ENOTFOUND. */
int silences_encode_one(const struct silences *s, const char *id, uint8_t **out, size_t *len);
/* Merges encoded state (gossip): a record wins if its id is new or its
 * updatedAt is strictly newer; records whose expiry is past are skipped;
 * deprecated comments are upgraded.  Records chorus cannot represent (an id
 * longer than a UUID or holding a NUL, a matcher type unknown to 0.25) are
 * skipped.  Returns the number of records merged, or -1 with *err on
 * malformed input (records before the bad one are kept). */
int silences_merge(struct silences *s, const uint8_t *data, size_t len, int64_t now,
                   char **err);
/* Snapshot to/from a file.  Write is atomic; 0 or -errno.  Load merges the
 * file's records and returns how many were taken (a missing file loads as
 * empty: 0), or -1 with *err.  Like Alertmanager's loadSnapshot it keeps
 * records already past their expiry (the next silences_gc drops them), so
 * now is unused. */
int silences_snapshot_write(const struct silences *s, const char *path);
int silences_snapshot_load(struct silences *s, const char *path, int64_t now, char **err);

#endif
