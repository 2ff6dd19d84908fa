/*
 * fuzz_silences_merge: libFuzzer target for silences_merge, the decoder of
 * Alertmanager's silence snapshot / gossip state (uvarint-delimited
 * MeshSilence protobuf records).  Whatever merges is then queried, matched,
 * re-encoded (the encoding must merge into an empty store and re-encode to
 * the same bytes), updated through silences_set, expired and GC'd.
 */
#include "fuzz_common.h"
#include "silences/silences.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2023-04-01T00:00:00Z: inside the fixtures' lifetimes. */
#define FUZZ_NOW (INT64_C(1680307200) * NS_PER_SEC)
#define RETENTION (INT64_C(120) * 3600 * NS_PER_SEC)

static void exercise(struct silences *s, int64_t now)
{
    size_t n = 0;
    const struct silence **all = silences_query(s, NULL, now, &n);
    for (size_t i = 0; i < n; i++) {
        const struct silence *si = all[i];
        (void)silence_state_at(si, now);
        struct labelset ls = LABELSET_INIT;
        for (size_t j = 0; j < si->matchers.len; j++) {
            const struct matcher *m = &si->matchers.items[j];
            if (m->type == MATCH_EQUAL && label_name_valid(m->name))
                labelset_set(&ls, m->name, m->value);
        }
        size_t cnt = 0;
        const char **ids = silences_mutes(s, &ls, now, &cnt);
        free(ids);
        labelset_free(&ls);
        uint8_t *one = NULL;
        size_t one_len = 0;
        if (silences_encode_one(s, si->id, &one, &one_len) == 0)
            free(one);
        struct matchers filter = {si->matchers.items, si->matchers.len};
        size_t fn = 0;
        const struct silence **f = silences_query(s, &filter, now, &fn);
        free(f);
    }
    size_t counts[3];
    silences_count_states(s, now, counts);
    free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct silences *s = silences_new(RETENTION);
    char *err = NULL;
    int rc = silences_merge(s, data, size, FUZZ_NOW, &err);
    if (rc < 0)
        free(err);
    err = NULL;
    exercise(s, FUZZ_NOW);

    /* Encode, merge into an empty store, encode again: same bytes. */
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (silences_encode(s, &a, &alen) != 0)
        abort();
    struct silences *s2 = silences_new(RETENTION);
    if (silences_merge(s2, a, alen, FUZZ_NOW, &err) < 0)
        abort(); /* our own encoding must decode */
    if (silences_encode(s2, &b, &blen) != 0)
        abort();
    if (alen != blen || (alen && memcmp(a, b, alen) != 0))
        abort();
    free(a);
    free(b);
    silences_free(s2);

    /* Re-post each silence as the API would (update path), then expire. */
    size_t n = 0;
    const struct silence **all = silences_query(s, NULL, FUZZ_NOW, &n);
    char (*ids)[37] = n ? calloc(n, sizeof *ids) : NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(ids[i], all[i]->id, 37);
    free(all);
    for (size_t i = 0; i < n && i < 8; i++) {
        const struct silence *cur = silences_get(s, ids[i]);
        if (!cur)
            continue;
        struct silence in;
        silence_copy(&in, cur);
        in.ends_at = FUZZ_NOW + 3600 * NS_PER_SEC;
        char out_id[37];
        err = NULL;
        if (silences_set(s, &in, FUZZ_NOW, out_id, &err) != 0)
            free(err);
        silence_free(&in);
        (void)silences_expire(s, ids[i], FUZZ_NOW + NS_PER_SEC);
    }
    free(ids);
    exercise(s, FUZZ_NOW + 2 * NS_PER_SEC);
    (void)silences_gc(s, FUZZ_NOW + 2 * RETENTION);
    silences_free(s);
    return 0;
}
