/*
 * hash.c: the alert hash of the notification log, as 0.25's hashAlert
 * computes it: XXH64 with seed 0 over name 0xFF value 0xFF for each label in
 * name order.  The hashes travel in gossip and snapshots, so they must match
 * Alertmanager's bit for bit; libxxhash is the reference implementation.
 */
#include "nflog/nflog_internal.h"

/* For XXH64_state_t on the stack: one allocation less per alert. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

uint64_t nflog_alert_hash(const struct labelset *ls)
{
    static const char sep = (char)0xff;
    XXH64_state_t state, *st = &state;
    XXH64_reset(st, 0);
    /* A labelset is kept sorted by name, which is the order 0.25 uses. */
    for (size_t i = 0; i < ls->len; i++) {
        XXH64_update(st, ls->items[i].name, strlen(ls->items[i].name));
        XXH64_update(st, &sep, 1);
        XXH64_update(st, ls->items[i].value, strlen(ls->items[i].value));
        XXH64_update(st, &sep, 1);
    }
    return XXH64_digest(st);
}
