/*
 * alerts: the in-memory alert store and the per-alert status markers.
 *
 * The store holds one alert per fingerprint and merges re-posts the way
 * Alertmanager's in-memory provider does.  Markers record what the silencer
 * and the inhibitor last decided for each fingerprint (active / suppressed /
 * unprocessed, silencedBy, inhibitedBy).  Every function takes "now" from the
 * caller, so the clock is injectable; nothing here does I/O or knows the loop.
 */
#ifndef CHORUS_ALERTS_H
#define CHORUS_ALERTS_H

#include "labels/labels.h"

#include <stdbool.h>
#include <stdint.h>

struct alert {
    struct labelset labels;
    struct labelset annotations;
    char *generator_url; /* never NULL; "" when unset */
    int64_t starts_at;
    int64_t ends_at;
    int64_t updated_at;
    bool timeout;   /* ends_at was defaulted from resolve_timeout */
    uint64_t fingerprint; /* of labels; kept current by alerts_put */
};

void alert_init(struct alert *a);
void alert_free(struct alert *a);
void alert_copy(struct alert *dst, const struct alert *src);
/* endsAt set and not after now. */
bool alert_resolved(const struct alert *a, int64_t now);

/* What the API does to a posted alert before validation: drop empty-valued
 * labels, default startsAt/endsAt (endsAt = now + resolve_timeout, marking
 * timeout) and set updatedAt = now.  startsAt/endsAt of TIME_ZERO mean unset. */
void alert_apply_defaults(struct alert *a, int64_t now, int64_t resolve_timeout);
/* Alertmanager's Alert.Validate plus the label/annotation checks; on failure
 * returns -1 with *err (caller frees), e.g. "start time must be before end
 * time", "invalid label set: invalid name \"1a\"". */
int alert_validate(const struct alert *a, char **err);

struct alert_store;

struct alert_store *alert_store_new(void);
void alert_store_free(struct alert_store *s);
/* Stores a (validated, defaulted) alert, merging with the stored alert of the
 * same fingerprint when their time ranges overlap.  Takes ownership of *a
 * (left empty: owning nothing, so alert_free on it is optional).  The merge's
 * "is it resolved" test uses a->updated_at as the current time, which the API
 * sets to the receipt time.  Returns the stored alert. */
const struct alert *alert_store_put(struct alert_store *s, struct alert *a);
const struct alert *alert_store_get(const struct alert_store *s, uint64_t fingerprint);
size_t alert_store_count(const struct alert_store *s);
/* All stored alerts (resolved ones included) in fingerprint order; the array
 * is caller-freed, the alerts stay owned by the store and are valid until the
 * next put or gc. */
const struct alert **alert_store_list(const struct alert_store *s, size_t *count);
/* Deletes resolved alerts and their markers; returns how many. */
size_t alert_store_gc(struct alert_store *s, int64_t now);

/* Markers. */
enum alert_state { ALERT_UNPROCESSED = 0, ALERT_ACTIVE, ALERT_SUPPRESSED };
const char *alert_state_name(enum alert_state st); /* "unprocessed" ... */

struct alert_status {
    enum alert_state state;
    char **silenced_by; /* silence ids, sorted */
    size_t n_silenced;
    uint64_t *inhibited_by;
    size_t n_inhibited;
};

/* The stored status of a fingerprint, or NULL (= unprocessed, nothing). */
const struct alert_status *alert_store_status(const struct alert_store *s, uint64_t fp);
/* Records the silencer's decision (ids copied); recomputes the state. */
void alert_store_set_silenced(struct alert_store *s, uint64_t fp, char *const *ids, size_t n);
/* Records the inhibitor's decision; recomputes the state. */
void alert_store_set_inhibited(struct alert_store *s, uint64_t fp, const uint64_t *fps,
                               size_t n);
/* Counts of non-resolved alerts by state, for alertmanager_alerts. */
void alert_store_count_states(const struct alert_store *s, int64_t now, size_t counts[3]);

#endif
