/*
 * silences_internal.h: what the files of the silences module share and no
 * other module may use: the store's layout, the matcher index and the
 * MeshSilence codec.
 *
 * The store keeps its entries in insertion order (so a snapshot re-encodes in
 * the order it was read), finds them by id through a hash map, and files each
 * one in exactly one index bucket so silences_mutes looks only at silences
 * that can possibly match.
 */
#ifndef CHORUS_SILENCES_INTERNAL_H
#define CHORUS_SILENCES_INTERNAL_H

#include "silences/silences.h"
#include "util/util.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- silence helpers (silence.c) ---- */

/* A regex matcher that did not compile is kept with re == NULL so the store
 * can report it in Alertmanager's order, or keep a peer's garbage verbatim. */
bool sil_matcher_compiled(const struct matcher *m);
bool sil_matchers_compiled(const struct silence *s);
/* Alertmanager 0.25 validateSilence; returns the reason without the
 * "silence invalid: " prefix, or NULL when valid. Caller frees. */
char *sil_validate(const struct silence *s);
/* Same matchers, in the same order (Go's reflect.DeepEqual on the list). */
bool sil_matchers_equal(const struct silence *a, const struct silence *b);
/* Moves src into dst (dst must be free or fresh); src is left zeroed, which
 * silence_free accepts. */
void sil_move(struct silence *dst, struct silence *src);

/* ---- store (store.c, index.c) ---- */

struct sil_bucket {
    struct sil_entry **items;
    size_t len;
    size_t cap;
    char *key; /* "name\0value" in silences.index; NULL for the scan list */
    size_t key_len;
};

struct sil_entry {
    struct silence sil;
    int64_t expires_at;       /* MeshSilence.expires_at, as stored or received */
    size_t order;             /* position in silences.entries */
    struct sil_bucket *bucket; /* the one index bucket holding this entry */
    size_t slot;               /* position inside the bucket */
};

struct silences {
    int64_t retention;
    struct sil_entry **entries; /* insertion order */
    size_t len;
    size_t cap;
    struct hmap by_id;          /* id -> struct sil_entry * */
    struct hmap index;          /* "name\0value" -> struct sil_bucket * */
    struct sil_bucket scan;     /* entries without a usable equality matcher */
    uint64_t version;
};

void sil_index_add(struct silences *s, struct sil_entry *e);
void sil_index_remove(struct silences *s, struct sil_entry *e);
void sil_index_free(struct silences *s);

struct sil_entry *sil_store_find(const struct silences *s, const char *id);
/* Takes ownership of sil's contents. */
struct sil_entry *sil_store_insert(struct silences *s, struct silence *sil, int64_t expires_at);
void sil_store_replace(struct silences *s, struct sil_entry *e, struct silence *sil,
                       int64_t expires_at);
int64_t sil_expiry(const struct silences *s, int64_t ends_at);

/* ---- MeshSilence codec (codec.c) ---- */

struct sil_record {
    struct silence sil;
    int64_t expires_at;
};

/* Decodes one MeshSilence.  Returns 0; 1 when the record is well formed but
 * cannot be represented (an id longer than a UUID, a matcher type 0.25 does
 * not know), so it is skipped; or -1 with *err set (caller frees).  out->sil
 * is the caller's only on 0. */
int sil_record_decode(const uint8_t *data, size_t len, struct sil_record *out, char **err);
/* Appends one length-delimited MeshSilence record. */
void sil_record_encode(struct strbuf *out, const struct silence *sil, int64_t expires_at);

#endif
