/*
 * peers.h: Alertmanager's own bookkeeping above memberlist, as 0.25's
 * cluster.Peer keeps it: peers by advertise address, the failed list that
 * alertmanager_cluster_failed_peers counts and the reconnect loop retries
 * (every --cluster.peer address starts in it until a member with that address
 * joins), and the settle poll behind /api/v2/status's "settling"/"ready".
 * Pure code with the time passed in; cluster/node.c runs the timers.
 */
#ifndef CHORUS_CLUSTER_PEERS_H
#define CHORUS_CLUSTER_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct am_peer {
    char address[64]; /* "ip:port" */
    bool failed;
    int64_t leave_time;
};

struct am_peers {
    struct hmap by_address; /* address -> struct am_peer */
    char **failed;          /* addresses, oldest failure first */
    size_t n_failed, cap_failed;
};

/* The --cluster.peer addresses that are IP literals, except our own, start
 * failed (0.25's setInitialFailed). */
void am_peers_init(struct am_peers *p, const char *const *peers, size_t n, const char *self,
                   int64_t now);
void am_peers_free(struct am_peers *p);
/* memberlist's NotifyJoin / NotifyLeave for the member at address. */
void am_peers_join(struct am_peers *p, const char *address);
void am_peers_leave(struct am_peers *p, const char *address, int64_t now);
/* Forgets failed peers older than timeout (--cluster.reconnect-timeout). */
void am_peers_expire(struct am_peers *p, int64_t now, int64_t timeout);

/* 0.25's Settle: poll the member count every 10 gossip intervals; ready
 * after 3 polls in a row that saw the count of the poll before, or at the
 * settle timeout. */
#define AM_SETTLE_POLLS_OK 3
struct am_settle {
    int last_count;
    int n_okay;
    int polls;
    bool ready;
};
/* One poll; true once ready. */
bool am_settle_poll(struct am_settle *s, int member_count);

#endif
