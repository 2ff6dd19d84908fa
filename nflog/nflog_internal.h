/*
 * nflog_internal.h: what the files of the nflog module share and no other
 * module may use: the log's layout and the MeshEntry codec.
 */
#ifndef CHORUS_NFLOG_INTERNAL_H
#define CHORUS_NFLOG_INTERNAL_H

#include "nflog/nflog.h"
#include "util/util.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the log (store.c) ---- */

struct nflog {
    int64_t retention;
    struct nflog_entry **entries; /* insertion order */
    size_t len;
    size_t cap;
    struct hmap by_key; /* nflog_key_build -> struct nflog_entry * */
};

/* 0.25's stateKey: group_key ":" group_name "/" integration "/" idx. */
void nflog_key_build(struct strbuf *key, const char *group_key, size_t group_key_len,
                     const struct nflog_receiver *r);
struct nflog_entry *nflog_store_find(const struct nflog *l, const char *group_key,
                                     size_t group_key_len, const struct nflog_receiver *r);
/* Takes e (heap-allocated) into the log, replacing the entry of the same key
 * in place if there is one. */
void nflog_store_put(struct nflog *l, struct nflog_entry *e);
void nflog_entry_free(struct nflog_entry *e);

/* ---- MeshEntry codec (codec.c) ---- */

/* Decodes one MeshEntry into a new entry.  NULL with *err set (caller frees)
 * when malformed or when Entry or Receiver is missing. */
struct nflog_entry *nflog_record_decode(const uint8_t *data, size_t len, char **err);
/* Appends one length-delimited MeshEntry record. */
void nflog_record_encode(struct strbuf *out, const struct nflog_entry *e);

#endif
