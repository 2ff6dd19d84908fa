/*
 * swim.c: the membership state machine (see swim.h).  The transitions follow
 * memberlist 0.2.2 (aliveNode / suspectNode / deadNode / mergeState) so that
 * an Alertmanager peer and chorus agree on every member's state.
 */
#include "cluster/swim.h"

#include <math.h>
#include <stdlib.h>

/* ---- configuration ---- */

void swim_config_alertmanager(struct swim_config *c, size_t n_peer_flags)
{
    memset(c, 0, sizeof *c);
    int fanout = (int)(n_peer_flags / 2) > 3 ? (int)(n_peer_flags / 2) : 3;
    c->probe_interval = 1 * NS_PER_SEC;
    c->probe_timeout = 500 * NS_PER_MS;
    c->gossip_interval = 200 * NS_PER_MS;
    c->pushpull_interval = 60 * NS_PER_SEC;
    c->gossip_to_dead_time = 30 * NS_PER_SEC;
    c->indirect_checks = 3;
    c->suspicion_mult = 4;
    c->suspicion_max_timeout_mult = 6;
    c->awareness_max_mult = 8;
    c->retransmit_mult = 4;
    c->user_retransmit_mult = fanout;
    c->gossip_nodes = fanout;
    c->udp_buffer = ML_UDP_BUFFER;
}

/* ---- broadcast queue ---- */

int swim_retransmit_limit(int mult, size_t n)
{
    return mult * (int)ceil(log10((double)n + 1.0));
}

static void broadcast_free(struct swim_broadcast *b)
{
    free(b->name);
    free(b->msg);
}

static void queue_remove(struct swim_queue *q, size_t i)
{
    broadcast_free(&q->items[i]);
    q->items[i] = q->items[--q->len];
}

void swim_queue_push(struct swim_queue *q, const char *name, const uint8_t *msg, size_t len)
{
    if (name) {
        for (size_t i = 0; i < q->len; i++)
            if (q->items[i].name && strcmp(q->items[i].name, name) == 0) {
                queue_remove(q, i);
                break;
            }
    }
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->items = xrealloc(q->items, q->cap * sizeof *q->items);
    }
    struct swim_broadcast *b = &q->items[q->len++];
    b->name = name ? xstrdup(name) : NULL;
    b->msg = xmalloc(len ? len : 1);
    memcpy(b->msg, msg, len);
    b->len = len;
    b->transmits = 0;
    b->id = q->next_id++;
}

/* Fewest transmits first, then longest, then newest. */
static int broadcast_order(const void *pa, const void *pb)
{
    const struct swim_broadcast *a = pa, *b = pb;
    if (a->transmits != b->transmits)
        return a->transmits < b->transmits ? -1 : 1;
    if (a->len != b->len)
        return a->len > b->len ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

size_t swim_queue_take(struct swim_queue *q, int limit, size_t overhead, size_t budget,
                       struct swim_batch *out)
{
    if (q->len == 0)
        return 0;
    qsort(q->items, q->len, sizeof *q->items, broadcast_order);
    size_t taken = 0;
    for (size_t i = 0; i < q->len && out->n < ML_MAX_COMPOUND_PARTS;) {
        struct swim_broadcast *b = &q->items[i];
        if (b->len + overhead > budget) {
            i++;
            continue;
        }
        budget -= b->len + overhead;
        if (out->n == 0)
            out->offsets[0] = out->bytes.len;
        strbuf_add(&out->bytes, b->msg, b->len);
        out->offsets[++out->n] = out->bytes.len;
        taken++;
        if (++b->transmits >= limit)
            queue_remove(q, i); /* the swapped-in item is looked at next */
        else
            i++;
    }
    return taken;
}

void swim_queue_free(struct swim_queue *q)
{
    for (size_t i = 0; i < q->len; i++)
        broadcast_free(&q->items[i]);
    free(q->items);
    memset(q, 0, sizeof *q);
}

static struct ml_bytes batch_part(const struct swim_batch *b, size_t i)
{
    return ML_BYTES(b->bytes.buf + b->offsets[i], b->offsets[i + 1] - b->offsets[i]);
}

/* ---- members ---- */

static char *bytes_cstr(struct ml_bytes b)
{
    return xstrndup(b.p ? (const char *)b.p : "", b.len);
}


struct swim_member *swim_member(const struct swim *s, const char *name)
{
    return hmap_get_str(&s->by_name, name);
}

static bool dead_or_left(const struct swim_member *m)
{
    return m->state == ML_STATE_DEAD || m->state == ML_STATE_LEFT;
}

size_t swim_alive_count(const struct swim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_members; i++)
        n += !dead_or_left(s->members[i]);
    return n;
}

static uint64_t random_below(struct swim *s, uint64_t n)
{
    return n ? s->io.rand64(s->io.ctx) % n : 0;
}

static void suspicion_free(struct swim_member *m)
{
    if (!m->suspicion)
        return;
    hmap_free(&m->suspicion->confirmers);
    free(m->suspicion);
    m->suspicion = NULL;
}

static void member_free(struct swim_member *m)
{
    suspicion_free(m);
    free(m->name);
    free(m);
}

/* New members go to a random place in the probe order, as memberlist
 * inserts them, so that a burst of joins does not probe in join order. */
static struct swim_member *member_add(struct swim *s, const char *name)
{
    struct swim_member *m = xcalloc(1, sizeof *m);
    m->name = xstrdup(name);
    m->state = ML_STATE_DEAD;
    if (s->n_members == s->cap_members) {
        s->cap_members = s->cap_members ? s->cap_members * 2 : 8;
        s->members = xrealloc(s->members, s->cap_members * sizeof *s->members);
    }
    size_t at = (size_t)random_below(s, s->n_members + 1);
    s->members[s->n_members++] = s->members[at];
    s->members[at] = m;
    hmap_put(&s->by_name, name, strlen(name), m);
    return m;
}

static void set_state(struct swim *s, struct swim_member *m, enum ml_member_state st, int64_t now)
{
    enum ml_member_state old = m->state;
    m->state = st;
    m->state_change = now;
    if (m == s->self)
        return;
    if (dead_or_left(m))
        hmap_put(&s->failed, m->name, strlen(m->name), m);
    else
        hmap_del(&s->failed, m->name, strlen(m->name));
    if (old != st && s->io.member_changed)
        s->io.member_changed(s->io.ctx, m, old);
}

/* ---- sending ---- */

static void send_batch(struct swim *s, const uint8_t *ip, size_t ip_len, uint16_t port,
                       const struct swim_batch *b, bool crc)
{
    struct ml_bytes parts[ML_MAX_COMPOUND_PARTS];
    for (size_t i = 0; i < b->n; i++)
        parts[i] = batch_part(b, i);
    struct ml_packet_opts opts = {.compress = true, .crc = crc, .label = NULL};
    struct strbuf pkt = STRBUF_INIT;
    ml_packet_encode(&pkt, parts, b->n, &opts);
    s->io.send_packet(s->io.ctx, ip, ip_len, port, (const uint8_t *)pkt.buf, pkt.len);
    s->stats.packets_out++;
    s->stats.bytes_out += pkt.len;
    s->stats.messages_out += b->n;
    strbuf_free(&pkt);
}

/* memberlist's queue first, then the delegate's with what room is left. */
static void take_broadcasts(struct swim *s, size_t budget, struct swim_batch *b)
{
    size_t before = b->bytes.len + b->n * ML_COMPOUND_PART_OVERHEAD;
    swim_queue_take(&s->queue, swim_retransmit_limit(s->cfg.retransmit_mult, s->n_members),
                    ML_COMPOUND_PART_OVERHEAD, budget, b);
    size_t used = b->bytes.len + b->n * ML_COMPOUND_PART_OVERHEAD - before;
    if (budget > used + 3)
        swim_queue_take(&s->user_queue,
                        swim_retransmit_limit(s->cfg.user_retransmit_mult, swim_alive_count(s)),
                        ML_COMPOUND_PART_OVERHEAD, budget - used, b);
}

/* A probe-path message with whatever broadcasts fit beside it. */
static void send_with_piggyback(struct swim *s, const uint8_t *ip, size_t ip_len, uint16_t port,
                                const struct ml_msg *msg)
{
    struct swim_batch b = {STRBUF_INIT, 0, {0}};
    b.offsets[0] = 0;
    ml_msg_encode(&b.bytes, msg);
    b.offsets[++b.n] = b.bytes.len;
    size_t room = s->cfg.udp_buffer > b.bytes.len + ML_COMPOUND_OVERHEAD
                      ? s->cfg.udp_buffer - b.bytes.len - ML_COMPOUND_OVERHEAD
                      : 0;
    take_broadcasts(s, room, &b);
    send_batch(s, ip, ip_len, port, &b, false);
    strbuf_free(&b.bytes);
}

static void queue_member_msg(struct swim *s, const char *name, const struct ml_msg *msg)
{
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, msg);
    swim_queue_push(&s->queue, name, (const uint8_t *)sb.buf, sb.len);
    strbuf_free(&sb);
}

static struct ml_msg alive_msg(const struct swim_member *m)
{
    struct ml_msg msg = {.type = ML_ALIVE};
    msg.alive.addr = ML_BYTES(m->addr, m->addr_len);
    msg.alive.incarnation = m->incarnation;
    msg.alive.meta = ML_NIL;
    msg.alive.node = ML_BYTES_STR(m->name);
    msg.alive.port = m->port;
    msg.alive.vsn = ML_BYTES(m->vsn, ML_VSN_LEN);
    return msg;
}

static void broadcast_alive(struct swim *s, const struct swim_member *m)
{
    struct ml_msg msg = alive_msg(m);
    queue_member_msg(s, m->name, &msg);
}

static void broadcast_accusation(struct swim *s, enum ml_type type, const char *node,
                                 const char *from, uint32_t incarnation)
{
    struct ml_msg msg = {.type = type};
    msg.suspect.from = ML_BYTES_STR(from);
    msg.suspect.incarnation = incarnation;
    msg.suspect.node = ML_BYTES_STR(node);
    queue_member_msg(s, node, &msg);
}

static void awareness_add(struct swim *s, int delta)
{
    int v = s->awareness + delta;
    if (v < 0)
        v = 0;
    if (v > s->cfg.awareness_max_mult - 1)
        v = s->cfg.awareness_max_mult - 1;
    s->awareness = v;
}

/* Someone says we are not alive: outbid their incarnation and say so. */
static void refute(struct swim *s, uint32_t accused)
{
    uint32_t inc = s->self->incarnation + 1;
    if (accused >= inc)
        inc = accused + 1;
    s->self->incarnation = inc;
    awareness_add(s, 1);
    broadcast_alive(s, s->self);
}

/* ---- transitions ---- */

int64_t swim_suspicion_min(int mult, size_t n, int64_t probe_interval)
{
    double scale = fmax(1.0, log10(fmax(1.0, (double)n)));
    return (int64_t)mult * (int64_t)(scale * 1000.0) * probe_interval / 1000;
}

/* Lifeguard: each independent confirmation brings the timeout down
 * logarithmically from max towards min. */
static int64_t suspicion_timeout(const struct swim_suspicion *sp)
{
    if (sp->k < 1)
        return sp->min;
    double frac = log((double)sp->n + 1.0) / log((double)sp->k + 1.0);
    double raw = (double)sp->max - frac * (double)(sp->max - sp->min);
    int64_t t = (int64_t)floor(raw / (double)NS_PER_MS) * NS_PER_MS;
    return t < sp->min ? sp->min : t;
}

static void suspicion_start(struct swim *s, struct swim_member *m, const char *from, int64_t now)
{
    struct swim_suspicion *sp = xcalloc(1, sizeof *sp);
    size_t n = s->n_members;
    sp->k = s->cfg.suspicion_mult - 2;
    if (n < 2 || (int)(n - 2) < sp->k)
        sp->k = 0;
    sp->min = swim_suspicion_min(s->cfg.suspicion_mult, n, s->cfg.probe_interval);
    sp->max = (int64_t)s->cfg.suspicion_max_timeout_mult * sp->min;
    sp->start = now;
    sp->timeout = sp->k < 1 ? sp->min : sp->max;
    hmap_put(&sp->confirmers, from, strlen(from), sp);
    m->suspicion = sp;
}

/* True when from is a new confirmation that changed the timeout. */
static bool suspicion_confirm(struct swim_suspicion *sp, const char *from)
{
    if (sp->n >= sp->k || hmap_get_str(&sp->confirmers, from))
        return false;
    hmap_put(&sp->confirmers, from, strlen(from), sp);
    sp->n++;
    sp->timeout = suspicion_timeout(sp);
    return true;
}

static void alive_node(struct swim *s, int64_t now, const struct ml_alive *a)
{
    if (a->vsn.len < ML_VSN_LEN || a->vsn.p[0] == 0 || a->vsn.p[1] == 0 || a->vsn.p[0] > a->vsn.p[1])
        return; /* Alertmanager's alive delegate drops these too */
    if (a->addr.len != 4 && a->addr.len != 16)
        return;
    char *name = bytes_cstr(a->node);
    struct swim_member *m = swim_member(s, name);
    bool is_self = m == s->self;
    bool moved = false;
    if (!m) {
        m = member_add(s, name);
        memcpy(m->addr, a->addr.p, a->addr.len);
        m->addr_len = a->addr.len;
        m->port = a->port;
    } else if (!is_self && (m->addr_len != a->addr.len || memcmp(m->addr, a->addr.p, a->addr.len) ||
                            m->port != a->port)) {
        /* A name conflict; only a node that left may come back elsewhere
         * (DeadNodeReclaimTime is 0 in Alertmanager). */
        if (m->state != ML_STATE_LEFT)
            goto out;
        memcpy(m->addr, a->addr.p, a->addr.len);
        m->addr_len = a->addr.len;
        m->port = a->port;
        moved = true;
    }
    if (!is_self && !moved && a->incarnation <= m->incarnation)
        goto out;
    if (is_self) {
        if (a->incarnation < m->incarnation)
            goto out;
        if (a->incarnation == m->incarnation && memcmp(a->vsn.p, m->vsn, ML_VSN_LEN) == 0)
            goto out;
        refute(s, a->incarnation);
        goto out;
    }
    suspicion_free(m);
    memcpy(m->vsn, a->vsn.p, ML_VSN_LEN);
    m->incarnation = a->incarnation;
    broadcast_alive(s, m);
    if (m->state != ML_STATE_ALIVE)
        set_state(s, m, ML_STATE_ALIVE, now);
out:
    free(name);
}

static void suspect_node(struct swim *s, int64_t now, const char *node, const char *from,
                         uint32_t incarnation)
{
    struct swim_member *m = swim_member(s, node);
    if (!m || incarnation < m->incarnation)
        return;
    if (m->suspicion) {
        if (suspicion_confirm(m->suspicion, from))
            broadcast_accusation(s, ML_SUSPECT, node, from, incarnation);
        return;
    }
    if (m->state != ML_STATE_ALIVE)
        return;
    if (m == s->self) {
        refute(s, incarnation);
        return;
    }
    broadcast_accusation(s, ML_SUSPECT, node, from, incarnation);
    m->incarnation = incarnation;
    set_state(s, m, ML_STATE_SUSPECT, now);
    suspicion_start(s, m, from, now);
}

static void dead_node(struct swim *s, int64_t now, const char *node, const char *from,
                      uint32_t incarnation)
{
    struct swim_member *m = swim_member(s, node);
    if (!m || incarnation < m->incarnation)
        return;
    suspicion_free(m);
    if (dead_or_left(m))
        return;
    if (m == s->self) {
        refute(s, incarnation);
        return;
    }
    broadcast_accusation(s, ML_DEAD, node, from, incarnation);
    m->incarnation = incarnation;
    set_state(s, m, strcmp(node, from) == 0 ? ML_STATE_LEFT : ML_STATE_DEAD, now);
}

/* ---- packets ---- */

struct packet_ctx {
    struct swim *s;
    int64_t now;
    const uint8_t *from_ip;
    size_t from_ip_len;
    uint16_t from_port;
};

static void reply_to(const struct packet_ctx *pc, struct ml_bytes src_addr, uint16_t src_port,
                     const uint8_t **ip, size_t *ip_len, uint16_t *port)
{
    if ((src_addr.len == 4 || src_addr.len == 16) && src_port) {
        *ip = src_addr.p;
        *ip_len = src_addr.len;
        *port = src_port;
    } else {
        *ip = pc->from_ip;
        *ip_len = pc->from_ip_len;
        *port = pc->from_port;
    }
}

static void handle_ping(const struct packet_ctx *pc, const struct ml_ping *p)
{
    struct swim *s = pc->s;
    if (p->node.len && !ml_bytes_eq(p->node, s->self->name))
        return;
    struct ml_msg ack = {.type = ML_ACK};
    ack.ack.payload = ML_BYTES("", 0);
    ack.ack.seq_no = p->seq_no;
    const uint8_t *ip;
    size_t ip_len;
    uint16_t port;
    reply_to(pc, p->source_addr, p->source_port, &ip, &ip_len, &port);
    send_with_piggyback(s, ip, ip_len, port, &ack);
}

static struct ml_msg ping_msg(const struct swim *s, const char *target, uint32_t seq)
{
    struct ml_msg msg = {.type = ML_PING};
    msg.ping.node = ML_BYTES_STR(target);
    msg.ping.seq_no = seq;
    msg.ping.source_addr = ML_BYTES(s->self->addr, s->self->addr_len);
    msg.ping.source_node = ML_BYTES_STR(s->self->name);
    msg.ping.source_port = s->self->port;
    return msg;
}

static void handle_indirect_ping(const struct packet_ctx *pc, const struct ml_indirect_ping *p)
{
    struct swim *s = pc->s;
    if (p->target.len != 4 && p->target.len != 16)
        return;
    if (s->n_relays == s->cap_relays) {
        s->cap_relays = s->cap_relays ? s->cap_relays * 2 : 8;
        s->relays = xrealloc(s->relays, s->cap_relays * sizeof *s->relays);
    }
    struct swim_relay *r = &s->relays[s->n_relays++];
    memset(r, 0, sizeof *r);
    r->seq = ++s->seq;
    r->orig_seq = p->seq_no;
    const uint8_t *ip;
    reply_to(pc, p->source_addr, p->source_port, &ip, &r->addr_len, &r->port);
    memcpy(r->addr, ip, r->addr_len);
    r->want_nack = p->nack;
    r->nack_at = pc->now + s->cfg.probe_timeout;
    r->expire_at = pc->now + s->cfg.probe_interval;
    char *target = bytes_cstr(p->node);
    struct ml_msg ping = ping_msg(s, target, r->seq);
    send_with_piggyback(s, p->target.p, p->target.len, p->port, &ping);
    free(target);
}

static void relay_remove(struct swim *s, size_t i)
{
    s->relays[i] = s->relays[--s->n_relays];
}

static void relay_send(struct swim *s, const struct swim_relay *r, enum ml_type type)
{
    struct ml_msg msg = {.type = type};
    if (type == ML_ACK) {
        msg.ack.payload = ML_BYTES("", 0);
        msg.ack.seq_no = r->orig_seq;
    } else {
        msg.nack.seq_no = r->orig_seq;
    }
    send_with_piggyback(s, r->addr, r->addr_len, r->port, &msg);
}

void swim_handle_ack(struct swim *s, int64_t now, uint32_t seq)
{
    (void)now;
    if (s->probe.active && seq == s->probe.seq) {
        awareness_add(s, -1);
        s->probe.active = false;
        free(s->probe.target);
        s->probe.target = NULL;
        return;
    }
    for (size_t i = 0; i < s->n_relays; i++)
        if (s->relays[i].seq == seq) {
            relay_send(s, &s->relays[i], ML_ACK);
            relay_remove(s, i);
            return;
        }
}

static int handle_leaf(void *ctx, const struct ml_msg *msg)
{
    struct packet_ctx *pc = ctx;
    struct swim *s = pc->s;
    s->stats.messages_in++;
    switch (msg->type) {
    case ML_PING: handle_ping(pc, &msg->ping); break;
    case ML_INDIRECT_PING: handle_indirect_ping(pc, &msg->indirect_ping); break;
    case ML_ACK: swim_handle_ack(s, pc->now, msg->ack.seq_no); break;
    case ML_NACK:
        if (s->probe.active && msg->nack.seq_no == s->probe.seq)
            s->probe.nacks++;
        break;
    case ML_ALIVE: alive_node(s, pc->now, &msg->alive); break;
    case ML_SUSPECT:
    case ML_DEAD: {
        char *node = bytes_cstr(msg->suspect.node), *from = bytes_cstr(msg->suspect.from);
        if (msg->type == ML_SUSPECT)
            suspect_node(s, pc->now, node, from, msg->suspect.incarnation);
        else
            dead_node(s, pc->now, node, from, msg->suspect.incarnation);
        free(node);
        free(from);
        break;
    }
    case ML_USER:
        if (s->io.notify_msg && msg->user.len)
            s->io.notify_msg(s->io.ctx, msg->user.p, msg->user.len);
        break;
    default: break;
    }
    return 0;
}

static void count_bad_part(void *ctx, const char *why)
{
    (void)why;
    ((struct packet_ctx *)ctx)->s->stats.packets_bad++;
}

void swim_handle_packet(struct swim *s, int64_t now, const uint8_t *from_ip, size_t from_ip_len,
                        uint16_t from_port, const uint8_t *pkt, size_t len)
{
    struct packet_ctx pc = {s, now, from_ip, from_ip_len, from_port};
    struct ml_packet_walker w = {.label = NULL, .fn = handle_leaf, .on_error = count_bad_part,
                                 .ctx = &pc, .max_decompressed = 0};
    s->stats.packets_in++;
    s->stats.bytes_in += len;
    if (ml_packet_walk(&w, pkt, len, NULL) < 0)
        s->stats.packets_bad++;
}

/* ---- probing ---- */

static int64_t scaled_probe_interval(const struct swim *s)
{
    return s->cfg.probe_interval * (s->awareness + 1);
}

static bool probeable(const struct swim *s, const struct swim_member *m)
{
    return m != s->self && !dead_or_left(m);
}

static void shuffle_members(struct swim *s)
{
    for (size_t i = s->n_members; i > 1; i--) {
        size_t j = (size_t)random_below(s, i);
        struct swim_member *t = s->members[i - 1];
        s->members[i - 1] = s->members[j];
        s->members[j] = t;
    }
}

/* At the end of a round: forget nodes dead for longer than they get gossip. */
static void reap_dead(struct swim *s, int64_t now)
{
    for (size_t i = 0; i < s->n_members;) {
        struct swim_member *m = s->members[i];
        if (dead_or_left(m) && now - m->state_change > s->cfg.gossip_to_dead_time) {
            hmap_del(&s->by_name, m->name, strlen(m->name));
            member_free(m);
            s->members[i] = s->members[--s->n_members];
        } else {
            i++;
        }
    }
}

static struct swim_member *next_probe_target(struct swim *s, int64_t now)
{
    for (size_t tried = 0; tried <= s->n_members; tried++) {
        if (s->probe_index >= s->n_members) {
            reap_dead(s, now);
            shuffle_members(s);
            s->probe_index = 0;
            if (s->n_members == 0)
                return NULL;
        }
        struct swim_member *m = s->members[s->probe_index++];
        if (probeable(s, m))
            return m;
    }
    return NULL;
}

static void probe_start(struct swim *s, int64_t now)
{
    struct swim_member *m = next_probe_target(s, now);
    s->next_probe = now + s->cfg.probe_interval;
    if (!m)
        return;
    struct swim_probe *p = &s->probe;
    free(p->target);
    memset(p, 0, sizeof *p);
    p->active = true;
    p->seq = ++s->seq;
    p->target = xstrdup(m->name);
    p->indirect_at = now + s->cfg.probe_timeout;
    p->end_at = now + scaled_probe_interval(s);
    if (p->end_at > s->next_probe)
        s->next_probe = p->end_at; /* memberlist's probe blocks its ticker */
    struct ml_msg ping = ping_msg(s, m->name, p->seq);
    if (m->state == ML_STATE_ALIVE) {
        send_with_piggyback(s, m->addr, m->addr_len, m->port, &ping);
        return;
    }
    /* A suspect gets told, so that it can refute in time. */
    struct swim_batch b = {STRBUF_INIT, 0, {0}};
    ml_msg_encode(&b.bytes, &ping);
    b.offsets[++b.n] = b.bytes.len;
    struct ml_msg sus = {.type = ML_SUSPECT};
    sus.suspect.from = ML_BYTES_STR(s->self->name);
    sus.suspect.incarnation = m->incarnation;
    sus.suspect.node = ML_BYTES_STR(m->name);
    ml_msg_encode(&b.bytes, &sus);
    b.offsets[++b.n] = b.bytes.len;
    send_batch(s, m->addr, m->addr_len, m->port, &b, false);
    strbuf_free(&b.bytes);
}

/* Up to want members that keep() accepts, chosen uniformly (reservoir sampling). */
typedef bool member_filter(const struct swim *s, const struct swim_member *m, const void *arg);
static size_t sample_members(struct swim *s, size_t want, struct swim_member **out,
                             member_filter *keep, const void *arg)
{
    size_t n = 0, seen = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        struct swim_member *m = s->members[i];
        if (!keep(s, m, arg))
            continue;
        seen++;
        if (n < want) {
            out[n++] = m;
        } else {
            size_t j = (size_t)random_below(s, seen);
            if (j < want)
                out[j] = m;
        }
    }
    return n;
}

static bool indirect_helper(const struct swim *s, const struct swim_member *m, const void *target)
{
    return m != s->self && m != target && m->state == ML_STATE_ALIVE;
}

static void probe_indirect(struct swim *s, struct swim_member *target)
{
    struct swim_probe *p = &s->probe;
    p->indirect_sent = true;
    struct swim_member *helpers[16];
    size_t want = (size_t)s->cfg.indirect_checks < ARRAY_SIZE(helpers)
                      ? (size_t)s->cfg.indirect_checks : ARRAY_SIZE(helpers);
    size_t n = sample_members(s, want, helpers, indirect_helper, target);
    for (size_t i = 0; i < n; i++) {
        struct ml_msg msg = {.type = ML_INDIRECT_PING};
        struct ml_indirect_ping *ip = &msg.indirect_ping;
        ip->nack = helpers[i]->vsn[1] >= 4;
        p->expected_nacks += ip->nack;
        ip->node = ML_BYTES_STR(target->name);
        ip->port = target->port;
        ip->seq_no = p->seq;
        ip->source_addr = ML_BYTES(s->self->addr, s->self->addr_len);
        ip->source_node = ML_BYTES_STR(s->self->name);
        ip->source_port = s->self->port;
        ip->target = ML_BYTES(target->addr, target->addr_len);
        send_with_piggyback(s, helpers[i]->addr, helpers[i]->addr_len, helpers[i]->port, &msg);
    }
    /* Peers speaking protocol 3 or later also answer pings on a stream,
     * which gets through where only UDP is lost. */
    if (target->vsn[1] >= 3 && s->io.tcp_ping)
        s->io.tcp_ping(s->io.ctx, target, p->seq, p->end_at - p->indirect_at);
}

static void probe_fail(struct swim *s, int64_t now, struct swim_member *target)
{
    struct swim_probe *p = &s->probe;
    int delta = p->expected_nacks > 0 ? (p->nacks < p->expected_nacks ? p->expected_nacks - p->nacks : 0) : 1;
    awareness_add(s, delta);
    p->active = false;
    if (target)
        suspect_node(s, now, target->name, s->self->name, target->incarnation);
}

static void probe_run(struct swim *s, int64_t now)
{
    struct swim_probe *p = &s->probe;
    if (p->active) {
        struct swim_member *target = swim_member(s, p->target);
        if (!target) {
            p->active = false;
        } else if (now >= p->end_at) {
            probe_fail(s, now, target);
        } else if (!p->indirect_sent && now >= p->indirect_at) {
            probe_indirect(s, target);
        }
    }
    if (!p->active && now >= s->next_probe)
        probe_start(s, now);
}

static void relays_run(struct swim *s, int64_t now)
{
    for (size_t i = 0; i < s->n_relays;) {
        struct swim_relay *r = &s->relays[i];
        if (r->want_nack && now >= r->nack_at) {
            relay_send(s, r, ML_NACK);
            r->want_nack = false;
        }
        if (now >= r->expire_at)
            relay_remove(s, i);
        else
            i++;
    }
}

static void suspicions_run(struct swim *s, int64_t now)
{
    for (size_t i = 0; i < s->n_members; i++) {
        struct swim_member *m = s->members[i];
        if (m->suspicion && now >= m->suspicion->start + m->suspicion->timeout &&
            m->state == ML_STATE_SUSPECT)
            dead_node(s, now, m->name, s->self->name, m->incarnation);
    }
}

/* ---- gossip and push/pull ---- */

static bool gossip_target(const struct swim *s, const struct swim_member *m, const void *arg)
{
    int64_t now = *(const int64_t *)arg;
    if (m == s->self)
        return false;
    if (dead_or_left(m))
        return now - m->state_change <= s->cfg.gossip_to_dead_time;
    return true;
}

static void gossip(struct swim *s, int64_t now)
{
    size_t fanout = (size_t)s->cfg.gossip_nodes;
    struct swim_member *targets[64];
    if (fanout > ARRAY_SIZE(targets))
        fanout = ARRAY_SIZE(targets);
    size_t n = sample_members(s, fanout, targets, gossip_target, &now);
    for (size_t i = 0; i < n; i++) {
        struct swim_batch b = {STRBUF_INIT, 0, {0}};
        take_broadcasts(s, s->cfg.udp_buffer - ML_COMPOUND_OVERHEAD, &b);
        if (b.n)
            send_batch(s, targets[i]->addr, targets[i]->addr_len, targets[i]->port, &b,
                       targets[i]->vsn[1] >= 5);
        strbuf_free(&b.bytes);
    }
}

static int64_t scaled_pushpull_interval(const struct swim *s)
{
    size_t n = swim_alive_count(s);
    if (n <= 32)
        return s->cfg.pushpull_interval;
    double mult = ceil(log2((double)n) - 5.0) + 1.0;
    return (int64_t)(mult * (double)s->cfg.pushpull_interval);
}

static void periodic_push_pull(struct swim *s)
{
    struct swim_member *pick = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        struct swim_member *m = s->members[i];
        if (m == s->self || m->state != ML_STATE_ALIVE)
            continue;
        if (random_below(s, ++seen) == 0)
            pick = m;
    }
    if (pick && s->io.push_pull)
        s->io.push_pull(s->io.ctx, pick);
}

void swim_tick(struct swim *s, int64_t now)
{
    suspicions_run(s, now);
    relays_run(s, now);
    probe_run(s, now);
    if (now >= s->next_gossip) {
        gossip(s, now);
        s->next_gossip = now + s->cfg.gossip_interval;
    }
    if (now >= s->next_pushpull) {
        periodic_push_pull(s);
        s->next_pushpull = now + scaled_pushpull_interval(s);
    }
}

static void earliest(int64_t *d, int64_t t)
{
    if (t < *d)
        *d = t;
}

int64_t swim_next_deadline(const struct swim *s)
{
    int64_t d = s->next_gossip;
    earliest(&d, s->next_pushpull);
    if (s->probe.active) {
        earliest(&d, s->probe.end_at);
        if (!s->probe.indirect_sent)
            earliest(&d, s->probe.indirect_at);
    } else {
        earliest(&d, s->next_probe);
    }
    for (size_t i = 0; i < s->n_relays; i++) {
        earliest(&d, s->relays[i].expire_at);
        if (s->relays[i].want_nack)
            earliest(&d, s->relays[i].nack_at);
    }
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->suspicion)
            earliest(&d, s->members[i]->suspicion->start + s->members[i]->suspicion->timeout);
    return d;
}

void swim_encode_local_state(struct swim *s, bool join, struct strbuf *out)
{
    struct ml_node_state *nodes = xcalloc(s->n_members ? s->n_members : 1, sizeof *nodes);
    for (size_t i = 0; i < s->n_members; i++) {
        const struct swim_member *m = s->members[i];
        nodes[i].addr = ML_BYTES(m->addr, m->addr_len);
        nodes[i].incarnation = m->incarnation;
        nodes[i].meta = ML_NIL;
        nodes[i].name = ML_BYTES_STR(m->name);
        nodes[i].port = m->port;
        nodes[i].state = m->state;
        nodes[i].vsn = ML_BYTES(m->vsn, ML_VSN_LEN);
    }
    struct strbuf user = STRBUF_INIT;
    if (s->io.local_state)
        s->io.local_state(s->io.ctx, join, &user);
    ml_push_pull_encode(out, join, nodes, s->n_members, (const uint8_t *)user.buf, user.len);
    strbuf_free(&user);
    free(nodes);
}

/* The versions every alive node understands: [max of mins, min of maxes]. */
struct version_range {
    uint8_t pmin, pmax, dmin, dmax;
};

static void range_narrow(struct version_range *r, const uint8_t *vsn)
{
    if (vsn[0] > r->pmin)
        r->pmin = vsn[0];
    if (vsn[1] < r->pmax)
        r->pmax = vsn[1];
    if (vsn[3] > r->dmin)
        r->dmin = vsn[3];
    if (vsn[4] < r->dmax)
        r->dmax = vsn[4];
}

static bool range_admits(const struct version_range *r, uint8_t pcur, uint8_t dcur)
{
    return pcur >= r->pmin && pcur <= r->pmax && dcur >= r->dmin && dcur <= r->dmax;
}

static bool protocol_compatible(const struct swim *s, const struct ml_push_pull *pp)
{
    struct version_range r = {0, UINT8_MAX, 0, UINT8_MAX};
    for (size_t i = 0; i < pp->n_nodes; i++) {
        const struct ml_node_state *n = &pp->nodes[i];
        if (n->state == ML_STATE_ALIVE && n->vsn.len >= ML_VSN_LEN)
            range_narrow(&r, n->vsn.p);
    }
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->state == ML_STATE_ALIVE)
            range_narrow(&r, s->members[i]->vsn);
    for (size_t i = 0; i < pp->n_nodes; i++) {
        const struct ml_bytes v = pp->nodes[i].vsn;
        bool known = v.len >= ML_VSN_LEN;
        if (!range_admits(&r, known ? v.p[2] : 0, known ? v.p[5] : 0))
            return false;
    }
    for (size_t i = 0; i < s->n_members; i++)
        if (!range_admits(&r, s->members[i]->vsn[2], s->members[i]->vsn[5]))
            return false;
    return true;
}

int swim_merge_remote(struct swim *s, int64_t now, const struct ml_push_pull *pp)
{
    if (!protocol_compatible(s, pp))
        return -1;
    for (size_t i = 0; i < pp->n_nodes; i++) {
        const struct ml_node_state *n = &pp->nodes[i];
        char *name = bytes_cstr(n->name);
        switch (n->state) {
        case ML_STATE_ALIVE: {
            struct ml_alive a = {.addr = n->addr, .incarnation = n->incarnation, .meta = n->meta,
                                 .node = n->name, .port = n->port, .vsn = n->vsn};
            if (a.port == 0)
                a.port = s->self->port;
            alive_node(s, now, &a);
            break;
        }
        case ML_STATE_LEFT: dead_node(s, now, name, name, n->incarnation); break;
        /* A remote "dead" is only a suspicion here: let the node refute it. */
        case ML_STATE_DEAD:
        case ML_STATE_SUSPECT: suspect_node(s, now, name, s->self->name, n->incarnation); break;
        default: break;
        }
        free(name);
    }
    if (s->io.merge_remote_state && pp->user_state.len)
        s->io.merge_remote_state(s->io.ctx, pp->user_state.p, pp->user_state.len, pp->join);
    return 0;
}

void swim_leave(struct swim *s, int64_t now)
{
    struct swim_member *me = s->self;
    broadcast_accusation(s, ML_DEAD, me->name, me->name, me->incarnation);
    me->state = ML_STATE_LEFT;
    me->state_change = now;
    gossip(s, now);
}

void swim_broadcast_user(struct swim *s, const uint8_t *msg, size_t len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_putc(&sb, (char)ML_USER);
    strbuf_add(&sb, msg, len);
    swim_queue_push(&s->user_queue, NULL, (const uint8_t *)sb.buf, sb.len);
    strbuf_free(&sb);
}

/* ---- life cycle ---- */

void swim_init(struct swim *s, const struct swim_config *cfg, const struct swim_io *io,
               int64_t now)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->cfg.name = xstrdup(cfg->name);
    s->io = *io;
    struct swim_member *me = member_add(s, cfg->name);
    memcpy(me->addr, cfg->addr, cfg->addr_len);
    me->addr_len = cfg->addr_len;
    me->port = cfg->port;
    me->incarnation = 1;
    memcpy(me->vsn, ml_alertmanager_vsn, ML_VSN_LEN);
    s->self = me;
    me->state = ML_STATE_ALIVE;
    me->state_change = now;
    broadcast_alive(s, me);
    s->next_probe = now + cfg->probe_interval;
    s->next_gossip = now + cfg->gossip_interval;
    /* A random first push/pull spreads the cluster's exchanges over the interval. */
    s->next_pushpull = now + (int64_t)random_below(s, (uint64_t)cfg->pushpull_interval) + 1;
}

void swim_free(struct swim *s)
{
    for (size_t i = 0; i < s->n_members; i++)
        member_free(s->members[i]);
    free(s->members);
    hmap_free(&s->by_name);
    hmap_free(&s->failed);
    free(s->relays);
    free(s->probe.target);
    swim_queue_free(&s->queue);
    swim_queue_free(&s->user_queue);
    free((char *)s->cfg.name);
    memset(s, 0, sizeof *s);
}
