/*
 * test_swim.c: the membership state machine with a fake clock, a seeded
 * random source and a fake network that records every packet: joins, probes
 * answered and unanswered (indirect checks, nacks, suspicion, death),
 * Lifeguard's shrinking suspicion timeout, refutation, push/pull merging and
 * the broadcast queue's limits and order.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "cluster/peers.h"
#include "cluster/swim.h"

#define SELF_PORT 7000
#define MAX_SENT 4096
#define MS NS_PER_MS
#define SEC NS_PER_SEC

static const uint8_t LOCALHOST[4] = {127, 0, 0, 1};

/* One leaf message of a sent packet, reduced to what tests compare. */
struct leaf {
    uint16_t to_port;
    enum ml_type type;
    uint32_t seq;
    uint32_t incarnation;
    bool nack_wanted;
    char node[32];
    char from[32];
};

struct fake {
    struct leaf sent[MAX_SENT];
    size_t n_sent;
    uint64_t rng;
    int push_pulls;
    int tcp_pings;
    uint32_t tcp_ping_seq;
    int user_msgs;
    size_t merged_state_len;
    uint16_t port_now; /* while decoding one sent packet */
};

static struct fake net;
static struct swim sw;
static int64_t now;

static void copy_name(char out[32], struct ml_bytes b)
{
    size_t n = b.len < 31 ? b.len : 31;
    if (n)
        memcpy(out, b.p, n);
    out[n] = '\0';
}

static int record_leaf(void *ctx, const struct ml_msg *m)
{
    struct fake *f = ctx;
    cr_assert(f->n_sent < MAX_SENT);
    struct leaf *l = &f->sent[f->n_sent++];
    memset(l, 0, sizeof *l);
    l->to_port = f->port_now;
    l->type = m->type;
    switch (m->type) {
    case ML_PING: l->seq = m->ping.seq_no; copy_name(l->node, m->ping.node); break;
    case ML_ACK: l->seq = m->ack.seq_no; break;
    case ML_NACK: l->seq = m->nack.seq_no; break;
    case ML_INDIRECT_PING:
        l->seq = m->indirect_ping.seq_no;
        l->nack_wanted = m->indirect_ping.nack;
        copy_name(l->node, m->indirect_ping.node);
        break;
    case ML_ALIVE:
        l->incarnation = m->alive.incarnation;
        copy_name(l->node, m->alive.node);
        break;
    case ML_SUSPECT:
    case ML_DEAD:
        l->incarnation = m->suspect.incarnation;
        copy_name(l->node, m->suspect.node);
        copy_name(l->from, m->suspect.from);
        break;
    default: break;
    }
    return 0;
}

static void fake_send(void *ctx, const uint8_t *ip, size_t ip_len, uint16_t port,
                      const uint8_t *pkt, size_t len)
{
    (void)ip;
    (void)ip_len;
    struct fake *f = ctx;
    f->port_now = port;
    struct ml_packet_walker w = {.fn = record_leaf, .ctx = f};
    char *err = NULL;
    cr_assert(ml_packet_walk(&w, pkt, len, &err) >= 1, "unreadable packet: %s", err);
}

static uint64_t fake_rand(void *ctx)
{
    struct fake *f = ctx;
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return f->rng;
}

static void fake_push_pull(void *ctx, const struct swim_member *m)
{
    (void)m;
    ((struct fake *)ctx)->push_pulls++;
}

static void fake_tcp_ping(void *ctx, const struct swim_member *m, uint32_t seq, int64_t timeout)
{
    (void)m;
    cr_assert(timeout > 0);
    struct fake *f = ctx;
    f->tcp_pings++;
    f->tcp_ping_seq = seq;
}

static void fake_notify(void *ctx, const uint8_t *msg, size_t len)
{
    (void)msg;
    (void)len;
    ((struct fake *)ctx)->user_msgs++;
}

static void fake_merge(void *ctx, const uint8_t *state, size_t len, bool join)
{
    (void)state;
    (void)join;
    ((struct fake *)ctx)->merged_state_len = len;
}

static void setup(void)
{
    memset(&net, 0, sizeof net);
    net.rng = 0x9e3779b97f4a7c15u;
    now = 1000 * SEC;
    struct swim_config cfg;
    swim_config_alertmanager(&cfg, 0);
    cfg.name = "me";
    memcpy(cfg.addr, LOCALHOST, 4);
    cfg.addr_len = 4;
    cfg.port = SELF_PORT;
    struct swim_io io = {.ctx = &net, .send_packet = fake_send, .rand64 = fake_rand,
                         .push_pull = fake_push_pull, .tcp_ping = fake_tcp_ping,
                         .notify_msg = fake_notify,
                         .merge_remote_state = fake_merge};
    swim_init(&sw, &cfg, &io, now);
}

static void teardown(void)
{
    swim_free(&sw);
}

TestSuite(swim, .init = setup, .fini = teardown);

static void deliver(const struct ml_msg *m, uint16_t from_port)
{
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, m);
    swim_handle_packet(&sw, now, LOCALHOST, 4, from_port, (const uint8_t *)sb.buf, sb.len);
    strbuf_free(&sb);
}

static void deliver_alive(const char *name, uint16_t port, uint32_t inc)
{
    struct ml_msg m = {.type = ML_ALIVE};
    m.alive.addr = ML_BYTES(LOCALHOST, 4);
    m.alive.incarnation = inc;
    m.alive.meta = ML_NIL;
    m.alive.node = ML_BYTES_STR(name);
    m.alive.port = port;
    m.alive.vsn = ML_BYTES(ml_alertmanager_vsn, ML_VSN_LEN);
    deliver(&m, port);
}

static void deliver_accusation(enum ml_type type, const char *node, const char *from,
                               uint32_t inc)
{
    struct ml_msg m = {.type = type};
    m.suspect.from = ML_BYTES_STR(from);
    m.suspect.incarnation = inc;
    m.suspect.node = ML_BYTES_STR(node);
    deliver(&m, SELF_PORT + 1);
}

static void deliver_ack(uint32_t seq, uint16_t from_port)
{
    struct ml_msg m = {.type = ML_ACK};
    m.ack.payload = ML_BYTES("", 0);
    m.ack.seq_no = seq;
    deliver(&m, from_port);
}

static enum ml_member_state state_of(const char *name)
{
    struct swim_member *m = swim_member(&sw, name);
    cr_assert(m, "%s unknown", name);
    return m->state;
}

/* Advances the clock deadline by deadline up to end; pings to any port but
 * silent_port are answered at once, as a healthy peer would. */
static void run_until(int64_t end, uint16_t silent_port)
{
    for (;;) {
        size_t before = net.n_sent;
        swim_tick(&sw, now);
        for (size_t i = before; i < net.n_sent; i++)
            if (net.sent[i].type == ML_PING && net.sent[i].to_port != silent_port)
                deliver_ack(net.sent[i].seq, net.sent[i].to_port);
        int64_t next = swim_next_deadline(&sw);
        if (next > end)
            break;
        now = next > now ? next : now + 1;
    }
    now = end;
    swim_tick(&sw, now);
}

static size_t count_sent(enum ml_type type, uint16_t port, size_t from)
{
    size_t n = 0;
    for (size_t i = from; i < net.n_sent; i++)
        n += net.sent[i].type == type && (port == 0 || net.sent[i].to_port == port);
    return n;
}

static const struct leaf *find_sent(enum ml_type type, const char *node, size_t from)
{
    for (size_t i = from; i < net.n_sent; i++)
        if (net.sent[i].type == type && (!node || strcmp(net.sent[i].node, node) == 0))
            return &net.sent[i];
    return NULL;
}

Test(swim, starts_alone_at_incarnation_one)
{
    cr_assert_eq(swim_alive_count(&sw), 1);
    cr_assert_eq(sw.self->incarnation, 1);
    cr_assert_eq(sw.awareness, 0);
    /* Nobody to probe or gossip to: nothing leaves. */
    run_until(now + 5 * SEC, 0);
    cr_assert_eq(net.n_sent, 0);
}

Test(swim, alive_adds_a_member_and_is_gossiped)
{
    deliver_alive("p1", 7001, 1);
    cr_assert_eq(state_of("p1"), ML_STATE_ALIVE);
    cr_assert_eq(swim_alive_count(&sw), 2);
    run_until(now + 300 * MS, 0);
    /* Our own alive and p1's ride on gossip to p1. */
    const struct leaf *a = find_sent(ML_ALIVE, "me", 0);
    cr_assert(a && a->to_port == 7001 && a->incarnation == 1);
    cr_assert(find_sent(ML_ALIVE, "p1", 0));
    /* A stale or equal incarnation changes nothing. */
    deliver_alive("p1", 7001, 1);
    cr_assert_eq(swim_member(&sw, "p1")->incarnation, 1);
}

Test(swim, alive_with_another_address_is_a_conflict)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p1", 7999, 5);
    cr_assert_eq(swim_member(&sw, "p1")->port, 7001);
    cr_assert_eq(swim_member(&sw, "p1")->incarnation, 1);
}

Test(swim, answered_probes_keep_everyone_alive)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p2", 7002, 1);
    run_until(now + 10 * SEC, 0);
    cr_assert(count_sent(ML_PING, 0, 0) >= 9, "pings: %zu", count_sent(ML_PING, 0, 0));
    cr_assert_eq(count_sent(ML_INDIRECT_PING, 0, 0), 0);
    cr_assert_eq(state_of("p1"), ML_STATE_ALIVE);
    cr_assert_eq(state_of("p2"), ML_STATE_ALIVE);
    cr_assert_eq(sw.awareness, 0);
}

Test(swim, silent_node_goes_indirect_then_suspect_then_dead)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p2", 7002, 1);
    deliver_alive("p3", 7003, 1);
    /* Run until p1 is probed and has not answered for a whole interval. */
    int64_t start = now;
    while (state_of("p1") == ML_STATE_ALIVE && now - start < 10 * SEC)
        run_until(now + 100 * MS, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT);
    const struct leaf *ping = find_sent(ML_PING, "p1", 0);
    cr_assert(ping);
    /* 500 ms after the ping: indirect pings to both other peers, nacks wanted. */
    size_t indirect = 0;
    for (size_t i = 0; i < net.n_sent; i++)
        if (net.sent[i].type == ML_INDIRECT_PING) {
            cr_assert_str_eq(net.sent[i].node, "p1");
            cr_assert_eq(net.sent[i].seq, ping->seq);
            cr_assert(net.sent[i].nack_wanted);
            indirect++;
        }
    cr_assert_eq(indirect, 2);
    /* And the stream ping, with the same seq, in parallel. */
    cr_assert_eq(net.tcp_pings, 1);
    cr_assert_eq(net.tcp_ping_seq, ping->seq);
    /* Two nacks expected, none came: awareness +2 (then -1 if the next probe,
     * started in the same tick, was already answered). */
    cr_assert(sw.awareness == 2 || sw.awareness == 1, "%d", sw.awareness);
    const struct leaf *sus = find_sent(ML_SUSPECT, "p1", 0);
    cr_assert(sus && strcmp(sus->from, "me") == 0 && sus->incarnation == 1);
    /* 4 nodes: k = 2, so the timer starts at max = 6 * 4 s. */
    struct swim_suspicion *sp = swim_member(&sw, "p1")->suspicion;
    cr_assert_eq(sp->min, 4 * SEC);
    cr_assert_eq(sp->max, 24 * SEC);
    cr_assert_eq(sp->timeout, 24 * SEC);
    int64_t suspected_at = sp->start;
    run_until(suspected_at + 24 * SEC - 1, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT);
    run_until(suspected_at + 24 * SEC, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_DEAD);
    cr_assert(find_sent(ML_DEAD, "p1", 0));
    cr_assert_eq(sw.failed.len, 1);
    cr_assert_eq(swim_alive_count(&sw), 3);
}

Test(swim, an_ack_over_the_stream_saves_the_probe)
{
    deliver_alive("p1", 7001, 1);
    int64_t start = now;
    while (net.tcp_pings == 0 && now - start < 10 * SEC)
        run_until(now + 50 * MS, 7001);
    cr_assert_eq(net.tcp_pings, 1);
    swim_handle_ack(&sw, now, net.tcp_ping_seq);
    run_until(now + 600 * MS, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_ALIVE);
}

Test(swim, leave_gossips_our_own_death)
{
    deliver_alive("p1", 7001, 1);
    swim_leave(&sw, now);
    const struct leaf *d = find_sent(ML_DEAD, "me", 0);
    cr_assert(d && strcmp(d->from, "me") == 0 && d->to_port == 7001 && d->incarnation == 1);
    cr_assert_eq(sw.self->state, ML_STATE_LEFT);
}

Test(swim, two_nodes_fail_after_the_minimum_suspicion)
{
    deliver_alive("p1", 7001, 1);
    int64_t start = now;
    while (state_of("p1") == ML_STATE_ALIVE && now - start < 10 * SEC)
        run_until(now + 100 * MS, 7001);
    struct swim_suspicion *sp = swim_member(&sw, "p1")->suspicion;
    cr_assert_eq(sp->k, 0);
    cr_assert_eq(sp->timeout, 4 * SEC);
    cr_assert_eq(sw.awareness, 1); /* nobody to nack: +1 */
    int64_t t0 = sp->start;
    run_until(t0 + 4 * SEC, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_DEAD);
}

Test(swim, suspicion_timeout_shrinks_with_confirmations)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p2", 7002, 1);
    deliver_alive("p3", 7003, 1);
    deliver_accusation(ML_SUSPECT, "p1", "p2", 1);
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT);
    struct swim_suspicion *sp = swim_member(&sw, "p1")->suspicion;
    cr_assert_eq(sp->timeout, 24 * SEC);
    int64_t t0 = sp->start;
    /* The accuser again is no confirmation. */
    deliver_accusation(ML_SUSPECT, "p1", "p2", 1);
    cr_assert_eq(sp->n, 0);
    /* max - ln(2)/ln(3) * (max - min), to the millisecond below. */
    deliver_accusation(ML_SUSPECT, "p1", "p3", 1);
    int64_t want = (int64_t)floor((24.0 - log(2.0) / log(3.0) * 20.0) * 1000.0) * MS;
    cr_assert_eq(sp->timeout, want, "%lld", (long long)sp->timeout);
    /* k = 2 confirmations reach the minimum. */
    deliver_accusation(ML_SUSPECT, "p1", "me-too", 1);
    cr_assert_eq(sp->timeout, 4 * SEC);
    deliver_accusation(ML_SUSPECT, "p1", "p4", 1); /* beyond k: ignored */
    cr_assert_eq(sp->n, 2);
    run_until(t0 + 4 * SEC, 7001);
    cr_assert_eq(state_of("p1"), ML_STATE_DEAD);
}

Test(swim, alive_with_higher_incarnation_clears_suspicion)
{
    deliver_alive("p1", 7001, 1);
    deliver_accusation(ML_SUSPECT, "p1", "p2", 1);
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT);
    deliver_alive("p1", 7001, 1); /* the same incarnation refutes nothing */
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT);
    deliver_alive("p1", 7001, 2);
    cr_assert_eq(state_of("p1"), ML_STATE_ALIVE);
    cr_assert_null(swim_member(&sw, "p1")->suspicion);
}

Test(swim, refutes_suspicion_and_death_by_incarnation)
{
    deliver_alive("p1", 7001, 1);
    deliver_accusation(ML_SUSPECT, "me", "p1", 1);
    cr_assert_eq(sw.self->incarnation, 2);
    cr_assert_eq(sw.self->state, ML_STATE_ALIVE);
    cr_assert_eq(sw.awareness, 1);
    deliver_accusation(ML_DEAD, "me", "p1", 5);
    cr_assert_eq(sw.self->incarnation, 6);
    deliver_alive("me", SELF_PORT, 9); /* someone claims a newer self */
    cr_assert_eq(sw.self->incarnation, 10);
    cr_assert_eq(sw.awareness, 3);
    run_until(now + 300 * MS, 0);
    /* Named broadcasts: only the newest alive about us is queued and sent. */
    const struct leaf *a = find_sent(ML_ALIVE, "me", 0);
    cr_assert(a && a->incarnation == 10, "%u", a ? a->incarnation : 0);
}

Test(swim, dead_with_from_equal_node_is_a_leave)
{
    deliver_alive("p1", 7001, 1);
    deliver_accusation(ML_DEAD, "p1", "p1", 1);
    cr_assert_eq(state_of("p1"), ML_STATE_LEFT);
    cr_assert_eq(sw.failed.len, 1);
    /* A node that left may come back, even at another address. */
    deliver_alive("p1", 7005, 2);
    cr_assert_eq(state_of("p1"), ML_STATE_ALIVE);
    cr_assert_eq(swim_member(&sw, "p1")->port, 7005);
    cr_assert_eq(sw.failed.len, 0);
}

Test(swim, dead_nodes_are_reaped_after_gossip_to_the_dead_time)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p2", 7002, 1);
    deliver_accusation(ML_DEAD, "p1", "p2", 1);
    run_until(now + 29 * SEC, 0);
    cr_assert_not_null(swim_member(&sw, "p1"));
    run_until(now + 5 * SEC, 0);
    cr_assert_null(swim_member(&sw, "p1"));
}

Test(swim, answers_pings_for_itself_only)
{
    struct ml_msg ping = {.type = ML_PING};
    ping.ping.node = ML_BYTES_STR("me");
    ping.ping.seq_no = 42;
    ping.ping.source_addr = ML_BYTES(LOCALHOST, 4);
    ping.ping.source_node = ML_BYTES_STR("p1");
    ping.ping.source_port = 7001;
    deliver(&ping, 55555);
    const struct leaf *ack = find_sent(ML_ACK, NULL, 0);
    cr_assert(ack && ack->seq == 42 && ack->to_port == 7001); /* to Source*, not the sender */
    size_t before = net.n_sent;
    ping.ping.node = ML_BYTES_STR("someone-else");
    deliver(&ping, 55555);
    cr_assert_eq(net.n_sent, before);
}

Test(swim, relays_indirect_pings_with_ack_or_nack)
{
    struct ml_msg req = {.type = ML_INDIRECT_PING};
    req.indirect_ping.nack = true;
    req.indirect_ping.node = ML_BYTES_STR("p9");
    req.indirect_ping.port = 7009;
    req.indirect_ping.seq_no = 77;
    req.indirect_ping.source_addr = ML_BYTES(LOCALHOST, 4);
    req.indirect_ping.source_node = ML_BYTES_STR("p1");
    req.indirect_ping.source_port = 7001;
    req.indirect_ping.target = ML_BYTES(LOCALHOST, 4);
    deliver(&req, 7001);
    const struct leaf *ping = find_sent(ML_PING, "p9", 0);
    cr_assert(ping && ping->to_port == 7009);
    /* No answer within the probe timeout: a nack for the requester's seq. */
    run_until(now + 500 * MS, 7009);
    const struct leaf *nack = find_sent(ML_NACK, NULL, 0);
    cr_assert(nack && nack->seq == 77 && nack->to_port == 7001);
    /* A late ack is still forwarded under the requester's seq. */
    deliver_ack(ping->seq, 7009);
    const struct leaf *ack = find_sent(ML_ACK, NULL, 0);
    cr_assert(ack && ack->seq == 77 && ack->to_port == 7001);
}

Test(swim, push_pull_merges_nodes_and_user_state)
{
    deliver_alive("p1", 7001, 1);
    deliver_alive("p2", 7002, 1);
    struct ml_node_state nodes[4];
    const char *names[] = {"p1", "p2", "p3", "me"};
    const int64_t states[] = {ML_STATE_DEAD, ML_STATE_LEFT, ML_STATE_ALIVE, ML_STATE_SUSPECT};
    for (int i = 0; i < 4; i++) {
        nodes[i] = (struct ml_node_state){.addr = ML_BYTES(LOCALHOST, 4), .incarnation = 3,
                                          .meta = ML_NIL, .name = ML_BYTES_STR(names[i]),
                                          .port = (uint16_t)(7001 + i), .state = states[i],
                                          .vsn = ML_BYTES(ml_alertmanager_vsn, ML_VSN_LEN)};
    }
    nodes[3].port = SELF_PORT;
    struct ml_push_pull pp = {.join = false, .n_nodes = 4, .nodes = nodes,
                              .user_state = ML_BYTES("state", 5)};
    cr_assert_eq(swim_merge_remote(&sw, now, &pp), 0);
    cr_assert_eq(state_of("p1"), ML_STATE_SUSPECT); /* a remote "dead" is a suspicion */
    cr_assert_eq(state_of("p2"), ML_STATE_LEFT);
    cr_assert_eq(state_of("p3"), ML_STATE_ALIVE);
    cr_assert_eq(swim_member(&sw, "p3")->incarnation, 3);
    cr_assert_eq(sw.self->incarnation, 4); /* suspected at 3: refuted */
    cr_assert_eq(net.merged_state_len, 5);

    /* Our own push/pull lists everyone, self included, and decodes. */
    struct strbuf sb = STRBUF_INIT;
    swim_encode_local_state(&sw, true, &sb);
    struct ml_stream_msg m;
    size_t used;
    cr_assert_eq(ml_stream_decode((const uint8_t *)sb.buf, sb.len, 0, &m, &used, NULL), 1);
    cr_assert(m.push_pull.join);
    cr_assert_eq(m.push_pull.n_nodes, 4);
    ml_stream_msg_free(&m);
    strbuf_free(&sb);
}

Test(swim, push_pull_with_an_incompatible_version_is_refused)
{
    /* A node that speaks protocol 1 at most narrows the common range to
     * [1, 1]; our current version 2 falls outside it. */
    static const uint8_t old_vsn[ML_VSN_LEN] = {1, 1, 1, 0, 0, 0};
    struct ml_node_state n = {.addr = ML_BYTES(LOCALHOST, 4), .incarnation = 1, .meta = ML_NIL,
                              .name = ML_BYTES_STR("old"), .port = 7001,
                              .state = ML_STATE_ALIVE, .vsn = ML_BYTES(old_vsn, ML_VSN_LEN)};
    struct ml_push_pull pp = {.join = true, .n_nodes = 1, .nodes = &n,
                              .user_state = ML_BYTES("state", 5)};
    cr_assert_eq(swim_merge_remote(&sw, now, &pp), -1);
    cr_assert_null(swim_member(&sw, "old"));
    cr_assert_eq(net.merged_state_len, 0);
    /* 0.25's own vector passes. */
    n.vsn = ML_BYTES(ml_alertmanager_vsn, ML_VSN_LEN);
    cr_assert_eq(swim_merge_remote(&sw, now, &pp), 0);
    cr_assert_eq(state_of("old"), ML_STATE_ALIVE);
}

Test(swim, periodic_push_pull_picks_an_alive_peer)
{
    run_until(now + 61 * SEC, 0);
    cr_assert_eq(net.push_pulls, 0); /* nobody to ask */
    deliver_alive("p1", 7001, 1);
    run_until(now + 61 * SEC, 0);
    cr_assert_eq(net.push_pulls, 1);
}

Test(swim, user_messages_reach_the_delegate_and_broadcasts_leave)
{
    uint8_t pkt[] = {ML_USER, 'h', 'i'};
    swim_handle_packet(&sw, now, LOCALHOST, 4, 7001, pkt, sizeof pkt);
    cr_assert_eq(net.user_msgs, 1);
    deliver_alive("p1", 7001, 1);
    swim_broadcast_user(&sw, (const uint8_t *)"x", 1);
    run_until(now + 2 * SEC, 0);
    /* n = 2 alive: 3 * ceil(log10(3)) = 3 transmissions, then gone. */
    size_t users = count_sent(ML_USER, 7001, 0);
    cr_assert_eq(users, 3, "%zu", users);
    cr_assert_eq(sw.user_queue.len, 0);
}

Test(queue, retransmit_limit_formula)
{
    cr_assert_eq(swim_retransmit_limit(4, 1), 4);
    cr_assert_eq(swim_retransmit_limit(4, 2), 4);
    cr_assert_eq(swim_retransmit_limit(3, 3), 3);
    cr_assert_eq(swim_retransmit_limit(4, 9), 4);
    cr_assert_eq(swim_retransmit_limit(4, 10), 8);
    cr_assert_eq(swim_retransmit_limit(3, 100), 9);
}

Test(queue, suspicion_minimum_grows_with_log_of_size)
{
    cr_assert_eq(swim_suspicion_min(4, 1, SEC), 4 * SEC);
    cr_assert_eq(swim_suspicion_min(4, 10, SEC), 4 * SEC);
    cr_assert_eq(swim_suspicion_min(4, 100, SEC), 8 * SEC);
    cr_assert_eq(swim_suspicion_min(4, 20, SEC), 4 * 1301 * SEC / 1000);
}

static size_t take_all(struct swim_queue *q, int limit, size_t budget, struct swim_batch *b)
{
    b->bytes = (struct strbuf)STRBUF_INIT;
    b->n = 0;
    return swim_queue_take(q, limit, 2, budget, b);
}

Test(queue, order_invalidation_and_limit)
{
    struct swim_queue q = {0};
    swim_queue_push(&q, "a", (const uint8_t *)"a1", 2);
    swim_queue_push(&q, NULL, (const uint8_t *)"long-one", 8);
    swim_queue_push(&q, NULL, (const uint8_t *)"s", 1);
    swim_queue_push(&q, "a", (const uint8_t *)"a2", 2); /* replaces a1 */
    cr_assert_eq(q.len, 3);
    struct swim_batch b;
    /* Largest first; then the newer of equal sizes. */
    cr_assert_eq(take_all(&q, 2, 100, &b), 3);
    cr_assert(memcmp(b.bytes.buf, "long-onea2s", 11) == 0, "%s", b.bytes.buf);
    strbuf_free(&b.bytes);
    /* A budget that fits only the small ones skips the big one. */
    cr_assert_eq(take_all(&q, 2, 8, &b), 2);
    cr_assert(memcmp(b.bytes.buf, "a2s", 3) == 0);
    strbuf_free(&b.bytes);
    cr_assert_eq(q.len, 1); /* a2 and s reached the limit of 2 */
    /* The least transmitted go first: long-one was sent once. */
    swim_queue_push(&q, NULL, (const uint8_t *)"new", 3);
    cr_assert_eq(take_all(&q, 2, 5, &b), 1);
    cr_assert(memcmp(b.bytes.buf, "new", 3) == 0);
    strbuf_free(&b.bytes);
    swim_queue_free(&q);
}

/* ---- Alertmanager's bookkeeping (peers.h) ---- */

Test(am_peers, peer_flags_start_failed_until_they_join)
{
    struct am_peers p;
    const char *flags[] = {"127.0.0.1:9094", "127.0.0.1:9095", "am.example:9094", "[::1]:9096"};
    am_peers_init(&p, flags, 4, "127.0.0.1:9094", 0);
    /* Ourselves and DNS names are left out, as 0.25 does. */
    cr_assert_eq(p.n_failed, 2);
    am_peers_join(&p, "127.0.0.1:9095");
    cr_assert_eq(p.n_failed, 1);
    cr_assert_str_eq(p.failed[0], "[::1]:9096");
    am_peers_leave(&p, "127.0.0.1:9095", 100);
    am_peers_leave(&p, "127.0.0.1:9095", 100); /* counted once */
    am_peers_leave(&p, "10.0.0.9:9094", 100);  /* never joined: ignored */
    cr_assert_eq(p.n_failed, 2);
    am_peers_expire(&p, 150, 100);
    cr_assert_eq(p.n_failed, 1, "the initial failure at 0 is forgotten after the timeout");
    cr_assert_str_eq(p.failed[0], "127.0.0.1:9095");
    am_peers_free(&p);
}

Test(am_peers, settles_after_three_equal_polls)
{
    struct am_settle st = {0};
    cr_assert_not(am_settle_poll(&st, 2)); /* 0 -> 2: not settled */
    cr_assert_not(am_settle_poll(&st, 2));
    cr_assert_not(am_settle_poll(&st, 2));
    cr_assert_not(am_settle_poll(&st, 3)); /* a change starts over */
    cr_assert_not(am_settle_poll(&st, 3));
    cr_assert_not(am_settle_poll(&st, 3));
    cr_assert_not(am_settle_poll(&st, 3));
    cr_assert(am_settle_poll(&st, 3)); /* the poll after the third equal one */
    cr_assert(am_settle_poll(&st, 7));
}
