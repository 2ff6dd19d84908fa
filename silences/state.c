/*
 * state.c: the whole store as Alertmanager's full-state bytes (uvarint
 * length + MeshSilence, back to back), for gossip merges and for the
 * snapshot file.
 *
 * Records are written in the store's insertion order, so a snapshot read and
 * written again comes out byte for byte the same.  A bad record stops a merge
 * but keeps what came before it (Alertmanager would drop the whole message;
 * the header's contract chose to keep the good prefix).
 */
#include "silences/silences_internal.h"

#include <errno.h>
#include <stdlib.h>

int silences_encode(const struct silences *s, uint8_t **out, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < s->len; i++)
        sil_record_encode(&sb, &s->entries[i]->sil, s->entries[i]->expires_at);
    *len = sb.len;
    *out = (uint8_t *)strbuf_detach(&sb);
    return 0;
}

int silences_encode_one(const struct silences *s, const char *id, uint8_t **out, size_t *len)
{
    const struct sil_entry *e = sil_store_find(s, id);
    if (!e)
        return SILENCES_ENOTFOUND;
    struct strbuf sb = STRBUF_INIT;
    sil_record_encode(&sb, &e->sil, e->expires_at);
    *len = sb.len;
    *out = (uint8_t *)strbuf_detach(&sb);
    return SILENCES_OK;
}

/* state.merge: past-expiry records are ignored, and a known id is replaced
 * only by a strictly newer updatedAt (a tie keeps ours). */
static bool merge_record(struct silences *s, struct sil_record *rec, int64_t now,
                         bool drop_expired)
{
    if (drop_expired && rec->expires_at < now)
        return false;
    struct sil_entry *prev = sil_store_find(s, rec->sil.id);
    if (!prev) {
        sil_store_insert(s, &rec->sil, rec->expires_at);
        return true;
    }
    if (prev->sil.updated_at < rec->sil.updated_at) {
        sil_store_replace(s, prev, &rec->sil, rec->expires_at);
        return true;
    }
    return false;
}

struct merge_ctx {
    struct silences *s;
    int64_t now;
    bool drop_expired;
};

static int merge_one(void *arg, const uint8_t *data, size_t len, char **why)
{
    struct merge_ctx *m = arg;
    struct sil_record rec;
    int rc = sil_record_decode(data, len, &rec, why);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 0; /* a record chorus cannot hold: skipped, see sil_record_decode */
    int taken = merge_record(m->s, &rec, m->now, m->drop_expired) ? 1 : 0;
    silence_free(&rec.sil);
    return taken;
}

static int merge_bytes(struct silences *s, const uint8_t *data, size_t len, int64_t now,
                       bool drop_expired, char **err)
{
    struct merge_ctx m = {s, now, drop_expired};
    return pb_delimited_each(data, len, "silences", merge_one, &m, err);
}

int silences_merge(struct silences *s, const uint8_t *data, size_t len, int64_t now, char **err)
{
    return merge_bytes(s, data, len, now, true, err);
}

int silences_snapshot_write(const struct silences *s, const char *path)
{
    uint8_t *data;
    size_t len;
    silences_encode(s, &data, &len);
    int rc = file_write_atomic(path, data, len);
    free(data);
    return rc;
}

/* Alertmanager's loadSnapshot takes every record, past expiry or not; the
 * next GC drops the stale ones.  now is not needed for that. */
int silences_snapshot_load(struct silences *s, const char *path, int64_t now, char **err)
{
    struct merge_ctx m = {s, now, false};
    return pb_delimited_load(path, "silences", merge_one, &m, err);
}
