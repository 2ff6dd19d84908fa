/*
 * store.c: the silence store and the API-facing operations on it: create,
 * update (in place or expire-and-recreate), expire, lookup, query, counts
 * and garbage collection, all following Alertmanager 0.25.
 *
 * Entries live in insertion order so a snapshot re-encodes in the order it
 * was read; they are removed only by GC.  The index (index.c) is kept in step
 * on every insert and replace.  Nothing here does I/O or reads the clock.
 */
#include "silences/silences_internal.h"

#include <stdlib.h>

struct silences *silences_new(int64_t retention)
{
    struct silences *s = xcalloc(1, sizeof *s);
    s->retention = retention;
    return s;
}

static void entry_free(struct sil_entry *e)
{
    silence_free(&e->sil);
    free(e);
}

void silences_free(struct silences *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->len; i++)
        entry_free(s->entries[i]);
    free(s->entries);
    hmap_free(&s->by_id);
    sil_index_free(s);
    free(s);
}

/* expires_at = endsAt + retention, saturating so a far-future end (or a
 * hostile one from a peer) cannot wrap around into the past. */
int64_t sil_expiry(const struct silences *s, int64_t ends_at)
{
    if (ends_at == TIME_ZERO)
        return TIME_ZERO;
    if (s->retention > 0 && ends_at > INT64_MAX - s->retention)
        return INT64_MAX;
    if (s->retention < 0 && ends_at < INT64_MIN + 1 - s->retention)
        return INT64_MIN + 1;
    return ends_at + s->retention;
}

struct sil_entry *sil_store_find(const struct silences *s, const char *id)
{
    return hmap_get_str(&s->by_id, id);
}

struct sil_entry *sil_store_insert(struct silences *s, struct silence *sil, int64_t expires_at)
{
    struct sil_entry *e = xcalloc(1, sizeof *e);
    sil_move(&e->sil, sil);
    e->expires_at = expires_at;
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->entries = xrealloc(s->entries, s->cap * sizeof *s->entries);
    }
    e->order = s->len;
    s->entries[s->len++] = e;
    hmap_put(&s->by_id, e->sil.id, strlen(e->sil.id), e);
    sil_index_add(s, e);
    s->version++;
    return e;
}

void sil_store_replace(struct silences *s, struct sil_entry *e, struct silence *sil,
                       int64_t expires_at)
{
    sil_index_remove(s, e);
    silence_free(&e->sil);
    sil_move(&e->sil, sil);
    e->expires_at = expires_at;
    sil_index_add(s, e);
    s->version++;
}

/* ---- expire ---- */

static void entry_expire(struct silences *s, struct sil_entry *e, int64_t now)
{
    switch (silence_state_at(&e->sil, now)) {
    case SILENCE_EXPIRED:
        return;
    case SILENCE_ACTIVE:
        e->sil.ends_at = now;
        break;
    case SILENCE_PENDING:
        e->sil.starts_at = now;
        e->sil.ends_at = now;
        break;
    }
    e->sil.updated_at = now;
    e->expires_at = sil_expiry(s, now);
    s->version++;
}

int silences_expire(struct silences *s, const char *id, int64_t now)
{
    struct sil_entry *e = sil_store_find(s, id);
    if (!e)
        return SILENCES_ENOTFOUND;
    entry_expire(s, e, now);
    return SILENCES_OK;
}

/* ---- set ---- */

static int fail(char **err, char *msg)
{
    if (err)
        *err = msg;
    else
        free(msg);
    return SILENCES_EINVALID;
}

static int fail_invalid(char **err, char *why)
{
    char *msg = xasprintf("silence invalid: %s", why);
    free(why);
    return fail(err, msg);
}

/* Go's Time.Unix(): whole seconds, rounded toward the past. */
static int64_t time_unix_seconds(int64_t t)
{
    int64_t q = t / NS_PER_SEC;
    return (t % NS_PER_SEC < 0) ? q - 1 : q;
}

/* canUpdate (0.24+): an active silence keeps its start to the second (the
 * UI and amtool send milliseconds) and may not end in the past; a pending
 * one may not start in the past; an expired one is history. */
static bool can_update(const struct silence *prev, const struct silence *next, int64_t now)
{
    if (!sil_matchers_equal(prev, next))
        return false;
    switch (silence_state_at(prev, now)) {
    case SILENCE_ACTIVE:
        return time_unix_seconds(next->starts_at) == time_unix_seconds(prev->starts_at) &&
               next->ends_at >= now;
    case SILENCE_PENDING:
        return next->starts_at >= now;
    case SILENCE_EXPIRED:
        break;
    }
    return false;
}

static int set_in_place(struct silences *s, struct sil_entry *e, const struct silence *in,
                        int64_t now, char **err)
{
    struct silence next;
    silence_copy(&next, in);
    memcpy(next.id, e->sil.id, sizeof next.id);
    next.updated_at = now;
    char *why = sil_validate(&next);
    if (why) {
        silence_free(&next);
        return fail_invalid(err, why);
    }
    sil_store_replace(s, e, &next, sil_expiry(s, next.ends_at));
    return SILENCES_OK;
}

static int set_new(struct silences *s, const struct silence *in, int64_t now,
                   char out_id[37], char **err)
{
    struct silence next;
    silence_copy(&next, in);
    uuid_v4(next.id);
    if (next.starts_at < now)
        next.starts_at = now;
    next.updated_at = now;
    char *why = sil_validate(&next);
    if (why) {
        silence_free(&next);
        return fail_invalid(err, why);
    }
    memcpy(out_id, next.id, 37);
    sil_store_insert(s, &next, sil_expiry(s, next.ends_at));
    return SILENCES_OK;
}

/* The first two checks are the API handler's, the rest the store's.  As in
 * Alertmanager 0.25, a silence that cannot be updated in place is expired
 * before the replacement is validated, so a rejected update still ends the
 * old silence. */
int silences_set(struct silences *s, const struct silence *in, int64_t now, char out_id[37],
                 char **err)
{
    if (in->starts_at >= in->ends_at)
        return fail(err, xstrdup("Failed to create silence: start time must be before end time"));
    if (in->ends_at < now)
        return fail(err, xstrdup("Failed to create silence: end time can't be in the past"));
    struct sil_entry *prev = NULL;
    if (in->id[0] != '\0') {
        prev = sil_store_find(s, in->id);
        if (!prev)
            return SILENCES_ENOTFOUND;
    }
    if (prev && can_update(&prev->sil, in, now)) {
        int rc = set_in_place(s, prev, in, now, err);
        if (rc == SILENCES_OK)
            memcpy(out_id, prev->sil.id, 37);
        return rc;
    }
    if (prev)
        entry_expire(s, prev, now);
    return set_new(s, in, now, out_id, err);
}

/* ---- reads ---- */

const struct silence *silences_get(const struct silences *s, const char *id)
{
    const struct sil_entry *e = sil_store_find(s, id);
    return e ? &e->sil : NULL;
}

size_t silences_count(const struct silences *s)
{
    return s->len;
}

uint64_t silences_version(const struct silences *s)
{
    return s->version;
}

void silences_count_states(const struct silences *s, int64_t now, size_t counts[3])
{
    counts[SILENCE_EXPIRED] = counts[SILENCE_ACTIVE] = counts[SILENCE_PENDING] = 0;
    for (size_t i = 0; i < s->len; i++)
        counts[silence_state_at(&s->entries[i]->sil, now)]++;
}

/* ---- GC ---- */

/* Alertmanager 0.25 aborts a GC run on a zero expiry and so never removes
 * such a record; chorus keeps it too but goes on with the others. */
static bool entry_collectable(const struct sil_entry *e, int64_t now)
{
    return e->expires_at != TIME_ZERO && e->expires_at <= now;
}

size_t silences_gc(struct silences *s, int64_t now)
{
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < s->len; i++) {
        struct sil_entry *e = s->entries[i];
        if (entry_collectable(e, now)) {
            hmap_del(&s->by_id, e->sil.id, strlen(e->sil.id));
            sil_index_remove(s, e);
            entry_free(e);
            dropped++;
            continue;
        }
        e->order = kept;
        s->entries[kept++] = e;
    }
    s->len = kept;
    if (dropped)
        s->version++;
    return dropped;
}
