/*
 * swim.h: memberlist 0.2.2's failure detector and dissemination (SWIM with
 * Lifeguard) as pure code: no sockets, no clock, no randomness of its own.
 *
 * The caller feeds it packets and push/pull messages and calls swim_tick with
 * the current (monotonic) time whenever swim_next_deadline says something is
 * due; everything it wants sent leaves through struct swim_io.  Unit tests
 * drive it with a fake clock and a seeded random source; cluster/node.c drives
 * it from a libuv loop.  Timings and formulas are memberlist's with
 * Alertmanager's settings (docs/architecture.md, "Cluster membership").
 */
#ifndef CHORUS_CLUSTER_SWIM_H
#define CHORUS_CLUSTER_SWIM_H

#include "cluster/cluster.h"

struct swim_config {
    const char *name;  /* this node's name (Alertmanager: a ULID) */
    uint8_t addr[16];  /* advertise IP: 4 or 16 bytes */
    size_t addr_len;
    uint16_t port;
    int64_t probe_interval;      /* ns; --cluster.probe-interval */
    int64_t probe_timeout;       /* --cluster.probe-timeout */
    int64_t gossip_interval;     /* --cluster.gossip-interval */
    int64_t pushpull_interval;   /* --cluster.pushpull-interval */
    int64_t gossip_to_dead_time; /* dead nodes still get gossip, then are reaped */
    int indirect_checks;
    int suspicion_mult;
    int suspicion_max_timeout_mult;
    int awareness_max_mult;
    int retransmit_mult;      /* memberlist's own broadcasts */
    int user_retransmit_mult; /* Alertmanager's queue: max(3, peers/2) */
    int gossip_nodes;         /* max(3, peers/2) */
    size_t udp_buffer;        /* ML_UDP_BUFFER */
};
/* memberlist's DefaultLANConfig with Alertmanager 0.25's flag defaults. */
void swim_config_alertmanager(struct swim_config *c, size_t n_peer_flags);

struct swim_suspicion {
    int64_t start;
    int64_t timeout; /* from start */
    int64_t min, max;
    int k;           /* confirmations that bring the timeout down to min */
    int n;           /* confirmations so far */
    struct hmap confirmers;
};

struct swim_member {
    char *name;
    uint8_t addr[16];
    size_t addr_len;
    uint16_t port;
    uint32_t incarnation;
    enum ml_member_state state;
    int64_t state_change;
    uint8_t vsn[ML_VSN_LEN];
    struct swim_suspicion *suspicion; /* NULL unless suspect */
};

/* What the state machine asks of its surroundings.  Every callback may be
 * NULL except send_packet and rand64. */
struct swim_io {
    void *ctx;
    void (*send_packet)(void *ctx, const uint8_t *ip, size_t ip_len, uint16_t port,
                        const uint8_t *pkt, size_t len);
    /* Start a periodic (Join=false) push/pull with m; the transport answers
     * with swim_merge_remote when the reply has arrived. */
    void (*push_pull)(void *ctx, const struct swim_member *m);
    /* The probe's fallback when UDP stays silent: ping m over TCP with this
     * seq and give up after timeout ns; an ack goes to swim_handle_ack. */
    void (*tcp_ping)(void *ctx, const struct swim_member *m, uint32_t seq, int64_t timeout);
    uint64_t (*rand64)(void *ctx);
    /* The delegate: a user message arrived; our user state for a push/pull;
     * a peer's user state. */
    void (*notify_msg)(void *ctx, const uint8_t *msg, size_t len);
    void (*local_state)(void *ctx, bool join, struct strbuf *out);
    void (*merge_remote_state)(void *ctx, const uint8_t *state, size_t len, bool join);
    /* A member changed state (joined, suspect, failed, left, came back);
     * a new member comes from ML_STATE_DEAD, as in memberlist. */
    void (*member_changed)(void *ctx, const struct swim_member *m, enum ml_member_state old);
};

/* Dissemination queue with memberlist's TransmitLimitedQueue semantics: a
 * message leaves at most mult * ceil(log10(n + 1)) times; the least sent go
 * first, then bigger before smaller, then newer before older; a named
 * message replaces a queued one of the same name. */
struct swim_broadcast {
    char *name; /* NULL: never invalidated */
    uint8_t *msg;
    size_t len;
    int transmits;
    uint64_t id;
};
struct swim_queue {
    struct swim_broadcast *items;
    size_t len, cap;
    uint64_t next_id;
};
int swim_retransmit_limit(int mult, size_t n);
void swim_queue_push(struct swim_queue *q, const char *name, const uint8_t *msg, size_t len);
/* Appends to out the messages that fit in budget, each costing overhead more
 * than its length, counting one transmission each; returns how many. */
struct swim_batch {
    struct strbuf bytes;
    size_t n;
    size_t offsets[ML_MAX_COMPOUND_PARTS + 1];
};
size_t swim_queue_take(struct swim_queue *q, int limit, size_t overhead, size_t budget,
                       struct swim_batch *out);
void swim_queue_free(struct swim_queue *q);

struct swim_probe {
    bool active;
    bool indirect_sent;
    uint32_t seq;
    char *target;
    int64_t indirect_at; /* no ack by then: ask indirect_checks peers */
    int64_t end_at;      /* no ack by then: suspect the target */
    int expected_nacks, nacks;
};

/* An indirect ping we relay for another node. */
struct swim_relay {
    uint32_t seq;      /* of our ping to the target */
    uint32_t orig_seq; /* of the requester's probe */
    uint8_t addr[16];
    size_t addr_len;
    uint16_t port;
    bool want_nack;
    int64_t nack_at, expire_at;
};

struct swim_stats {
    uint64_t packets_in, packets_bad, messages_in, messages_out, packets_out;
    uint64_t bytes_in, bytes_out;
};

struct swim {
    struct swim_config cfg;
    struct swim_io io;
    struct swim_member **members; /* the probe order; self included */
    size_t n_members, cap_members;
    struct hmap by_name;
    struct swim_member *self;
    size_t probe_index;
    uint32_t seq;
    int awareness; /* 0 .. awareness_max_mult - 1: the health score */
    struct swim_probe probe;
    struct swim_relay *relays;
    size_t n_relays, cap_relays;
    struct swim_queue queue;      /* alive/suspect/dead */
    struct swim_queue user_queue; /* the delegate's broadcasts */
    struct hmap failed;           /* names of peers that failed or left (value unused) */
    int64_t next_probe, next_gossip, next_pushpull;
    struct swim_stats stats;
};

/* Adds this node as alive (incarnation 1) and schedules the loops. */
void swim_init(struct swim *s, const struct swim_config *cfg, const struct swim_io *io,
               int64_t now);
void swim_free(struct swim *s);

void swim_tick(struct swim *s, int64_t now);
int64_t swim_next_deadline(const struct swim *s);

/* One received packet (label, CRC, compound, compress all handled);
 * from_ip/from_port: the datagram's source, used when a ping has no Source*. */
void swim_handle_packet(struct swim *s, int64_t now, const uint8_t *from_ip, size_t from_ip_len,
                        uint16_t from_port, const uint8_t *pkt, size_t len);
/* An ack that came back another way (the TCP fallback ping). */
void swim_handle_ack(struct swim *s, int64_t now, uint32_t seq);

/* A graceful leave: dead{Node: self, From: self} is queued and gossiped at
 * once; peers record the node as left.  Stop the node afterwards. */
void swim_leave(struct swim *s, int64_t now);

/* Our push/pull message, uncompressed (ML_PUSH_PULL first). */
void swim_encode_local_state(struct swim *s, bool join, struct strbuf *out);
/* A peer's push/pull: nodes, then the delegate's state.  -1 (nothing
 * merged) when memberlist's verifyProtocol would refuse it: some node's
 * current protocol or delegate version outside the range every alive node,
 * local or remote, understands. */
int swim_merge_remote(struct swim *s, int64_t now, const struct ml_push_pull *pp);

/* Queues a user broadcast (the delegate's bytes, without the user type byte). */
void swim_broadcast_user(struct swim *s, const uint8_t *msg, size_t len);

struct swim_member *swim_member(const struct swim *s, const char *name);
/* Members not dead or left, self included: memberlist's Members(). */
size_t swim_alive_count(const struct swim *s);

/* Lifeguard's suspicion bounds for n known nodes (ns). */
int64_t swim_suspicion_min(int mult, size_t n, int64_t probe_interval);

#endif
