/* Open-addressing hash map with linear probing and tombstones. */
#include "util/util.h"

#include <stdlib.h>

static char tombstone_key;
#define HMAP_TOMBSTONE (&tombstone_key)

static uint64_t key_hash(const void *key, size_t keylen)
{
    uint64_t h = hash_fnv1a64(FNV1A64_INIT, key, keylen);
    /* FNV's low bits are weak for short keys; mix before masking. */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

static struct hmap_entry *find_slot(const struct hmap *m, const void *key, size_t keylen,
                                    uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct hmap_entry *e = &m->slots[i];
        if (!e->key)
            return NULL;
        if (e->key != HMAP_TOMBSTONE && e->hash == h && e->keylen == keylen &&
            memcmp(e->key, key, keylen) == 0)
            return e;
    }
}

void *hmap_get(const struct hmap *m, const void *key, size_t keylen)
{
    if (!m->len)
        return NULL;
    struct hmap_entry *e = find_slot(m, key, keylen, key_hash(key, keylen));
    return e ? e->value : NULL;
}

static void insert_fresh(struct hmap *m, char *key, size_t keylen, uint64_t h, void *value)
{
    size_t mask = m->cap - 1;
    size_t i = h & mask;
    while (m->slots[i].key && m->slots[i].key != HMAP_TOMBSTONE)
        i = (i + 1) & mask;
    if (!m->slots[i].key)
        m->used++;
    m->slots[i] = (struct hmap_entry){key, keylen, h, value};
    m->len++;
}

static void rehash(struct hmap *m, size_t cap)
{
    struct hmap_entry *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = xcalloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->len = m->used = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key && old[i].key != HMAP_TOMBSTONE)
            insert_fresh(m, old[i].key, old[i].keylen, old[i].hash, old[i].value);
    free(old);
}

void *hmap_put(struct hmap *m, const void *key, size_t keylen, void *value)
{
    uint64_t h = key_hash(key, keylen);
    if (m->len) {
        struct hmap_entry *e = find_slot(m, key, keylen, h);
        if (e) {
            void *prev = e->value;
            e->value = value;
            return prev;
        }
    }
    if ((m->used + 1) * 4 >= m->cap * 3) {
        size_t cap = m->cap ? m->cap : 16;
        while ((m->len + 1) * 2 >= cap)
            cap *= 2;
        rehash(m, cap);
    }
    char *k = xmalloc(keylen + 1);
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    insert_fresh(m, k, keylen, h, value);
    return NULL;
}

void *hmap_del(struct hmap *m, const void *key, size_t keylen)
{
    if (!m->len)
        return NULL;
    struct hmap_entry *e = find_slot(m, key, keylen, key_hash(key, keylen));
    if (!e)
        return NULL;
    void *v = e->value;
    free(e->key);
    e->key = HMAP_TOMBSTONE;
    e->value = NULL;
    m->len--;
    return v;
}

void hmap_free(struct hmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != HMAP_TOMBSTONE)
            free(m->slots[i].key);
    free(m->slots);
    *m = (struct hmap)HMAP_INIT;
}

bool hmap_next(const struct hmap *m, size_t *pos, struct hmap_entry **out)
{
    while (*pos < m->cap) {
        struct hmap_entry *e = &m->slots[(*pos)++];
        if (e->key && e->key != HMAP_TOMBSTONE) {
            *out = e;
            return true;
        }
    }
    return false;
}
