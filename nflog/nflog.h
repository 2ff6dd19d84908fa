/*
 * nflog: the notification log, Alertmanager's state for the gossip key "nfl".
 *
 * One entry per (group key, receiver) records when that receiver was last
 * notified about that aggregation group and which alerts were firing and
 * resolved then; the dedup stage reads it to decide whether to notify again.
 * Entries, merge, GC and the snapshot format follow Alertmanager 0.25: the
 * snapshot and gossip bytes are uvarint-delimited MeshEntry protobuf records,
 * so a snapshot written by 0.25 loads here and the reverse.  Every call takes
 * "now" from the caller; no I/O happens except in the snapshot functions.
 */
#ifndef CHORUS_NFLOG_H
#define CHORUS_NFLOG_H

#include "labels/labels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* nflogpb.Receiver: the receiver name, the integration type ("webhook",
 * "email", ...) and the integration's index among that receiver's
 * integrations of the same type. */
struct nflog_receiver {
    const char *group_name;
    const char *integration;
    uint32_t idx;
};

/* A set of alert hashes (nflog_alert_hash), in no particular order. */
struct nflog_hashes {
    uint64_t *items;
    size_t len;
};

/* Fields chorus does not interpret, kept as the protobuf bytes they came in
 * so that a record read from 0.25 or a newer peer is written back unchanged:
 * the deprecated Entry.group_hash (3) and Entry.resolved (4), and the unknown
 * fields of each message (e.g. Entry.receiver_data, 8, of 0.31+). */
struct nflog_raw {
    uint8_t *entry_deprecated; /* fields 3 and 4 as read */
    size_t entry_deprecated_len;
    uint8_t *entry_unknown;
    size_t entry_unknown_len;
    uint8_t *receiver_unknown;
    size_t receiver_unknown_len;
    uint8_t *mesh_unknown;
    size_t mesh_unknown_len;
};

/* One MeshEntry.  Owned by the log; strings are never NULL. */
struct nflog_entry {
    const char *group_key; /* bytes on the wire; NUL-terminated here */
    size_t group_key_len;
    struct nflog_receiver receiver;
    int64_t timestamp;              /* when the notification went out */
    struct nflog_hashes firing;     /* Entry.firing_alerts */
    struct nflog_hashes resolved;   /* Entry.resolved_alerts */
    int64_t expires_at;             /* MeshEntry.expires_at */
    struct nflog_raw raw;
};

/* The alert's identity in the log: XXH64 (seed 0) over name 0xFF value 0xFF
 * for each label in name order.  Not the API fingerprint (FNV-1a). */
uint64_t nflog_alert_hash(const struct labelset *ls);

/* The dedup stage's needsUpdate, 0.25's rules in order:
 *   1. no entry: notify iff firing is non-empty;
 *   2. firing not a subset of the entry's firing: notify;
 *   3. firing empty: notify iff the entry's firing was non-empty (whatever
 *      send_resolved says, so the log forgets the alerts);
 *   4. send_resolved and resolved not a subset of the entry's resolved: notify;
 *   5. otherwise notify iff entry timestamp < now - repeat_interval. */
bool nflog_needs_update(const struct nflog_entry *e, const struct nflog_hashes *firing,
                        const struct nflog_hashes *resolved, bool send_resolved,
                        int64_t repeat_interval, int64_t now);

struct nflog;

/* retention: --data.retention (120h by default). */
struct nflog *nflog_new(int64_t retention);
void nflog_free(struct nflog *l);
size_t nflog_count(const struct nflog *l);

/* SetNotifies: records that receiver r was notified about group_key at now
 * with these alerts (copied).  expires_at = now + retention, or now + expiry
 * when 0 < expiry < retention (the caller passes 2 x repeat_interval).  As in
 * 0.25, an existing entry whose timestamp is after now (a peer with a clock
 * ahead) is kept: returns false then, true when the entry was written and
 * should be broadcast (nflog_encode_one). */
bool nflog_log(struct nflog *l, const struct nflog_receiver *r, const char *group_key,
               const struct nflog_hashes *firing, const struct nflog_hashes *resolved,
               int64_t now, int64_t expiry);

/* The entry for (group_key, r), or NULL: 0.25 counts a not-found query as a
 * query error in alertmanager_nflog_query_errors_total.  Valid until the next
 * change to the log. */
const struct nflog_entry *nflog_query(const struct nflog *l, const char *group_key,
                                      const struct nflog_receiver *r);

/* Drops entries whose expires_at <= now (a zero expires_at included, as
 * 0.34 does; 0.25 aborted its GC on one); returns how many. */
size_t nflog_gc(struct nflog *l, int64_t now);

/* The whole log in the snapshot/full-state format, entries in the order they
 * entered the log (a loaded snapshot re-encodes byte for byte).  Caller
 * frees *out (non-NULL even when *len is 0). */
void nflog_encode(const struct nflog *l, uint8_t **out, size_t *len);
/* One entry as a single record, what 0.25 broadcasts after nflog_log.
 * 0, or -1 when there is no such entry. */
int nflog_encode_one(const struct nflog *l, const char *group_key,
                     const struct nflog_receiver *r, uint8_t **out, size_t *len);
/* Merges gossiped state: a record whose expires_at < now is skipped; one is
 * taken if its (group key, receiver) is unknown or its timestamp is strictly
 * newer than the stored one.  Returns how many were taken (0.25 re-broadcasts
 * the message when any was), or -1 with *err (caller frees; err may be NULL)
 * on a malformed record, including a MeshEntry without Entry or Entry without
 * Receiver.  Records before the bad one stay merged (0.25 would drop the
 * whole message; its good prefix is harmless to keep). */
int nflog_merge(struct nflog *l, const uint8_t *data, size_t len, int64_t now, char **err);

/* Snapshot file <storage.path>/nflog.  Write is atomic; 0 or -errno.  Load
 * takes every record as 0.25's loadSnapshot does (no expiry check, a later
 * record for the same key replaces an earlier one); returns how many records
 * were read (a missing file reads as empty: 0), or -1 with *err. */
int nflog_snapshot_write(const struct nflog *l, const char *path);
int nflog_snapshot_load(struct nflog *l, const char *path, char **err);

#endif
