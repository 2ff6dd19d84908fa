/*
 * node.c: a cluster member on the libuv loop.  UDP carries packets, TCP
 * carries one stream exchange per connection (push/pull, reliable user
 * message, fallback ping); the SWIM state machine (swim.c) decides what to
 * send and when, and this file only moves bytes and keeps the timer armed at
 * the state machine's next deadline.  Alertmanager's delegate lives here too:
 * user messages and push/pull user state are Parts routed by key.
 */
#include "cluster/peers.h"
#include "cluster/swim.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <uv.h>

#define UDP_RECV_BUFFER 65536
#define SOCKET_BUFFER_WANTED (2 << 20)
#define STREAM_READ_CHUNK 65536
/* 0.25's fixed periods: re-resolving --cluster.peer, forgetting old failures. */
#define REFRESH_INTERVAL (15 * NS_PER_SEC)
#define FAILED_EXPIRY_INTERVAL (5 * 60 * NS_PER_SEC)
#define SETTLE_POLL_GOSSIP_INTERVALS 10
#define MAX_INBOUND_STREAMS 128

struct node_state_entry {
    char *key;
    struct cluster_state_ops ops;
};

enum conn_kind { CONN_INBOUND, CONN_PUSH_PULL, CONN_JOIN, CONN_USER, CONN_PING };

struct conn {
    struct cluster_node *node;
    enum conn_kind kind;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect;
    struct strbuf in;
    struct strbuf out; /* what an outbound connection sends once connected */
    char peer[64];
    uint32_t ping_seq; /* CONN_PING: the probe's seq */
    bool counted_inbound;
    int open_handles;
    bool closing;
    struct conn *prev, *next;
};

struct cluster_node {
    uv_loop_t *loop;
    uv_udp_t udp;
    uv_tcp_t listener;
    uv_timer_t tick;
    uv_timer_t reconnect;  /* --cluster.reconnect-interval: join failed peers again */
    uv_timer_t refresh;    /* join --cluster.peer addresses no member has */
    uv_timer_t expire;     /* forget failures older than --cluster.reconnect-timeout */
    uv_timer_t settle;     /* poll until "ready" */
    struct swim swim;
    struct am_peers am_peers;
    struct am_settle settle_state;
    int64_t settle_deadline, reconnect_timeout;
    char **peers; /* --cluster.peer as given */
    size_t n_peers;
    char name[64];
    char address[64];
    int64_t tcp_timeout;
    struct node_state_entry *states;
    size_t n_states;
    struct conn *conns;
    uint64_t streams_in, streams_out, streams_failed;
    uint8_t recv_buf[UDP_RECV_BUFFER];
    int open_handles;
    size_t live_conns;
    size_t inbound_open;
    bool closing;
};

/* ---- addresses ---- */

void cluster_ulid(char out[27], uint64_t unix_ms, const uint8_t entropy[10])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint8_t raw[16];
    for (int i = 0; i < 6; i++)
        raw[i] = (uint8_t)(unix_ms >> (8 * (5 - i)));
    memcpy(raw + 6, entropy, 10);
    /* 26 five-bit digits of the 128-bit big-endian number (two leading zero bits). */
    for (int d = 0; d < 26; d++) {
        int bit = d * 5 - 2; /* position of the digit's top bit in raw */
        unsigned v = 0;
        for (int b = 0; b < 5; b++) {
            int pos = bit + b;
            unsigned one = pos < 0 ? 0 : (raw[pos / 8] >> (7 - pos % 8)) & 1;
            v = (v << 1) | one;
        }
        out[d] = alphabet[v];
    }
    out[26] = '\0';
}

bool cluster_ip_private(const uint8_t ip[4])
{
    return ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) ||
           (ip[0] == 192 && ip[1] == 168) || (ip[0] == 100 && (ip[1] & 0xc0) == 64);
}

/* "host:port" or "[v6]:port" into its parts. */
static int split_host_port(const char *s, char *host, size_t host_size, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon)
        return -1;
    const char *h = s;
    size_t hlen = (size_t)(colon - s);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p > 65535 || hlen >= host_size)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int ip_parse(const char *host, uint8_t ip[16], size_t *len)
{
    if (inet_pton(AF_INET, host, ip) == 1) {
        *len = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, ip) == 1) {
        *len = 16;
        return 0;
    }
    return -1;
}

static void sockaddr_from_ip(struct sockaddr_storage *ss, const uint8_t *ip, size_t len,
                             uint16_t port)
{
    memset(ss, 0, sizeof *ss);
    if (len == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, ip, 4);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, ip, 16);
    }
}

static void format_ip_port(char *out, size_t size, const uint8_t *ip, size_t len, uint16_t port)
{
    char host[INET6_ADDRSTRLEN] = "?";
    inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, host, sizeof host);
    snprintf(out, size, len == 4 ? "%s:%u" : "[%s]:%u", host, port);
}

static bool ip_unspecified(const uint8_t *ip, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (ip[i])
            return false;
    return true;
}

static int first_private_ip(uint8_t ip[16], size_t *len)
{
    uv_interface_address_t *ifs;
    int count;
    if (uv_interface_addresses(&ifs, &count) != 0)
        return -1;
    int found = -1;
    for (int i = 0; i < count && found < 0; i++) {
        if (ifs[i].address.address4.sin_family != AF_INET)
            continue;
        const uint8_t *a = (const uint8_t *)&ifs[i].address.address4.sin_addr;
        if (cluster_ip_private(a)) {
            memcpy(ip, a, 4);
            *len = 4;
            found = 0;
        }
    }
    uv_free_interface_addresses(ifs, count);
    return found;
}

/* 0.25: --cluster.advertise-address, else the listen IP unless it is
 * unspecified, else the first private interface address (with the listen port). */
static int advertise_address(const struct cluster_node_opts *o, uint8_t ip[16], size_t *ip_len,
                             uint16_t *port, char **err)
{
    char host[256];
    uint16_t listen_port;
    if (split_host_port(o->listen_address, host, sizeof host, &listen_port) < 0 ||
        ip_parse(host, ip, ip_len) < 0) {
        *err = xasprintf("invalid listen address %s", o->listen_address);
        return -1;
    }
    *port = listen_port;
    if (o->advertise_address && *o->advertise_address) {
        if (split_host_port(o->advertise_address, host, sizeof host, port) < 0 ||
            ip_parse(host, ip, ip_len) < 0) {
            *err = xasprintf("invalid advertise address %s", o->advertise_address);
            return -1;
        }
        return 0;
    }
    if (!ip_unspecified(ip, *ip_len))
        return 0;
    if (first_private_ip(ip, ip_len) < 0) {
        *err = xstrdup("no private IP address found, and explicit advertise address not provided");
        return -1;
    }
    return 0;
}

/* ---- the timer ---- */

static void on_tick(uv_timer_t *t);

static void reschedule(struct cluster_node *n)
{
    if (n->closing)
        return;
    int64_t wait = swim_next_deadline(&n->swim) - time_monotonic();
    uint64_t ms = wait <= 0 ? 0 : (uint64_t)((wait + NS_PER_MS - 1) / NS_PER_MS);
    uv_timer_start(&n->tick, on_tick, ms, 0);
}

static void on_tick(uv_timer_t *t)
{
    struct cluster_node *n = t->data;
    swim_tick(&n->swim, time_monotonic());
    reschedule(n);
}

/* ---- UDP ---- */

struct udp_send {
    uv_udp_send_t req;
    char *buf;
};

static void on_udp_sent(uv_udp_send_t *req, int status)
{
    (void)status; /* a lost datagram is what SWIM is built for */
    struct udp_send *s = container_of(req, struct udp_send, req);
    free(s->buf);
    free(s);
}

static void io_send_packet(void *ctx, const uint8_t *ip, size_t ip_len, uint16_t port,
                           const uint8_t *pkt, size_t len)
{
    struct cluster_node *n = ctx;
    if (n->closing || (ip_len != 4 && ip_len != 16))
        return;
    struct sockaddr_storage ss;
    sockaddr_from_ip(&ss, ip, ip_len, port);
    struct udp_send *s = xmalloc(sizeof *s);
    s->buf = xmalloc(len);
    memcpy(s->buf, pkt, len);
    uv_buf_t b = uv_buf_init(s->buf, (unsigned)len);
    if (uv_udp_send(&s->req, &n->udp, &b, 1, (const struct sockaddr *)&ss, on_udp_sent) != 0) {
        free(s->buf);
        free(s);
    }
}

static void on_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct cluster_node *n = h->data;
    *buf = uv_buf_init((char *)n->recv_buf, sizeof n->recv_buf);
}

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *from, unsigned flags)
{
    (void)flags;
    struct cluster_node *n = h->data;
    if (nread <= 0 || !from)
        return;
    uint8_t ip[16];
    size_t ip_len;
    uint16_t port;
    if (from->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)from;
        memcpy(ip, &in->sin_addr, 4);
        ip_len = 4;
        port = ntohs(in->sin_port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
        memcpy(ip, &in6->sin6_addr, 16);
        ip_len = 16;
        port = ntohs(in6->sin6_port);
    }
    swim_handle_packet(&n->swim, time_monotonic(), ip, ip_len, port, (const uint8_t *)buf->base,
                       (size_t)nread);
    reschedule(n);
}

/* ---- streams ---- */

static void node_maybe_free(struct cluster_node *n)
{
    if (n->closing && n->open_handles == 0 && n->live_conns == 0)
        free(n);
}

static void conn_on_close(uv_handle_t *h)
{
    struct conn *c = h->data;
    if (--c->open_handles > 0)
        return;
    struct cluster_node *n = c->node;
    strbuf_free(&c->in);
    strbuf_free(&c->out);
    free(c);
    n->live_conns--;
    node_maybe_free(n);
}

static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    struct cluster_node *n = c->node;
    if (c->counted_inbound)
        n->inbound_open--;
    if (c->prev)
        c->prev->next = c->next;
    else
        n->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_close((uv_handle_t *)&c->tcp, conn_on_close);
    uv_close((uv_handle_t *)&c->timer, conn_on_close);
}

static void conn_fail(struct conn *c, const char *why)
{
    c->node->streams_failed++;
    if (c->kind == CONN_JOIN)
        log_kv(LOG_WARN, "Failed to join a peer", "peer", c->peer, "err", why, NULL);
    else
        log_kv(LOG_DEBUG, "Cluster stream failed", "peer", c->peer, "err", why, NULL);
    conn_close(c);
}

static void on_conn_timeout(uv_timer_t *t)
{
    conn_fail(t->data, "i/o timeout");
}

static struct conn *conn_new(struct cluster_node *n, enum conn_kind kind)
{
    struct conn *c = xcalloc(1, sizeof *c);
    c->node = n;
    c->kind = kind;
    uv_tcp_init(n->loop, &c->tcp);
    uv_timer_init(n->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    n->live_conns++;
    c->next = n->conns;
    if (n->conns)
        n->conns->prev = c;
    n->conns = c;
    uv_timer_start(&c->timer, on_conn_timeout, (uint64_t)(n->tcp_timeout / NS_PER_MS), 0);
    return c;
}

struct conn_write {
    uv_write_t req;
    struct conn *c;
    char *buf;
    bool close_after;
};

static void on_conn_written(uv_write_t *req, int status)
{
    struct conn_write *w = container_of(req, struct conn_write, req);
    struct conn *c = w->c;
    bool close_after = w->close_after;
    free(w->buf);
    free(w);
    if (status < 0)
        conn_fail(c, uv_strerror(status));
    else if (close_after)
        conn_close(c);
}

/* Go compresses every stream message it sends; so do we. */
static void conn_send(struct conn *c, const uint8_t *msg, size_t len, bool close_after)
{
    struct strbuf sb = STRBUF_INIT;
    ml_compress_encode(&sb, msg, len);
    struct conn_write *w = xcalloc(1, sizeof *w);
    w->c = c;
    w->close_after = close_after;
    size_t out_len = sb.len;
    w->buf = strbuf_detach(&sb);
    uv_buf_t b = uv_buf_init(w->buf, (unsigned)out_len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_conn_written) != 0) {
        free(w->buf);
        free(w);
        conn_fail(c, "write failed");
    }
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct conn *c = h->data;
    strbuf_grow(&c->in, STREAM_READ_CHUNK);
    *buf = uv_buf_init(c->in.buf + c->in.len, STREAM_READ_CHUNK);
}

static void answer_ping(struct conn *c, const struct ml_ping *p)
{
    struct cluster_node *n = c->node;
    if (p->node.len && !ml_bytes_eq(p->node, n->name)) {
        conn_fail(c, "ping for another node");
        return;
    }
    struct ml_msg ack = {.type = ML_ACK};
    ack.ack.payload = ML_NIL;
    ack.ack.seq_no = p->seq_no;
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, &ack);
    conn_send(c, (const uint8_t *)sb.buf, sb.len, true);
    strbuf_free(&sb);
}

static void serve_stream_msg(struct conn *c, struct ml_stream_msg *m)
{
    struct cluster_node *n = c->node;
    switch (m->type) {
    case ML_PUSH_PULL: {
        /* memberlist answers with its own state before merging the peer's. */
        struct strbuf sb = STRBUF_INIT;
        swim_encode_local_state(&n->swim, m->push_pull.join, &sb);
        conn_send(c, (const uint8_t *)sb.buf, sb.len, true);
        strbuf_free(&sb);
        if (swim_merge_remote(&n->swim, time_monotonic(), &m->push_pull) < 0)
            log_kv(LOG_WARN, "Push/pull from an incompatible protocol version ignored", NULL);
        break;
    }
    case ML_USER:
        if (n->swim.io.notify_msg && m->user.len)
            n->swim.io.notify_msg(n, m->user.p, m->user.len);
        conn_close(c);
        break;
    case ML_PING: answer_ping(c, &m->ping); break;
    default: conn_fail(c, "unexpected stream message"); break;
    }
}

static void finish_outbound(struct conn *c, struct ml_stream_msg *m)
{
    struct cluster_node *n = c->node;
    if (c->kind == CONN_PING) {
        if (m->type == ML_ACK && m->ack.seq_no == c->ping_seq) {
            swim_handle_ack(&n->swim, time_monotonic(), c->ping_seq);
            conn_close(c);
        } else {
            conn_fail(c, "no matching ack to a stream ping");
        }
        return;
    }
    if (m->type == ML_PUSH_PULL) {
        if (swim_merge_remote(&n->swim, time_monotonic(), &m->push_pull) < 0) {
            conn_fail(c, "incompatible protocol version");
            return;
        }
        if (c->kind == CONN_JOIN)
            log_kv(LOG_DEBUG, "Joined a peer", "peer", c->peer, NULL);
        conn_close(c);
    } else if (m->type == ML_ERR) {
        char *why = xstrndup(m->err.error.p ? (const char *)m->err.error.p : "", m->err.error.len);
        conn_fail(c, why);
        free(why);
    } else {
        conn_fail(c, "unexpected reply to push/pull");
    }
}

static void on_conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    struct conn *c = s->data;
    if (c->closing)
        return;
    if (nread < 0) {
        if (c->kind == CONN_INBOUND && nread == UV_EOF && c->in.len == 0)
            conn_close(c);
        else
            conn_fail(c, nread == UV_EOF ? "unexpected EOF" : uv_strerror((int)nread));
        return;
    }
    c->in.len += (size_t)nread;
    struct ml_stream_msg m;
    size_t used;
    char *err = NULL;
    int r = ml_stream_decode((const uint8_t *)c->in.buf, c->in.len, 0, &m, &used, &err);
    if (r == 0)
        return;
    if (r < 0) {
        conn_fail(c, err ? err : "undecodable stream");
        free(err);
        return;
    }
    uv_read_stop(s);
    if (c->kind == CONN_INBOUND)
        serve_stream_msg(c, &m);
    else
        finish_outbound(c, &m);
    ml_stream_msg_free(&m);
    reschedule(c->node);
}

static void on_accept(uv_stream_t *listener, int status)
{
    struct cluster_node *n = listener->data;
    if (status < 0 || n->closing)
        return;
    struct conn *c = conn_new(n, CONN_INBOUND);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    n->streams_in++;
    /* memberlist serves at most 128 streams at once; more is a flood. */
    if (n->inbound_open >= MAX_INBOUND_STREAMS) {
        conn_fail(c, "too many concurrent streams");
        return;
    }
    n->inbound_open++;
    c->counted_inbound = true;
    snprintf(c->peer, sizeof c->peer, "inbound");
    uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, on_conn_read);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    if (c->closing)
        return;
    if (status < 0) {
        conn_fail(c, uv_strerror(status));
        return;
    }
    bool expect_reply = c->kind != CONN_USER;
    conn_send(c, (const uint8_t *)c->out.buf, c->out.len, !expect_reply);
    if (expect_reply)
        uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, on_conn_read);
}

static struct conn *dial(struct cluster_node *n, enum conn_kind kind,
                         const struct sockaddr_storage *ss, const char *peer, struct strbuf *msg)
{
    struct conn *c = conn_new(n, kind);
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    c->out = *msg;
    *msg = (struct strbuf)STRBUF_INIT;
    c->connect.data = c;
    n->streams_out++;
    int r = uv_tcp_connect(&c->connect, &c->tcp, (const struct sockaddr *)ss, on_connected);
    if (r != 0)
        conn_fail(c, uv_strerror(r));
    return c;
}

static struct conn *dial_member(struct cluster_node *n, enum conn_kind kind,
                                const struct swim_member *m, struct strbuf *msg)
{
    struct sockaddr_storage ss;
    char peer[64];
    sockaddr_from_ip(&ss, m->addr, m->addr_len, m->port);
    format_ip_port(peer, sizeof peer, m->addr, m->addr_len, m->port);
    return dial(n, kind, &ss, peer, msg);
}

static bool dead_or_left(enum ml_member_state st)
{
    return st == ML_STATE_DEAD || st == ML_STATE_LEFT;
}

static void io_push_pull(void *ctx, const struct swim_member *m)
{
    struct cluster_node *n = ctx;
    struct strbuf sb = STRBUF_INIT;
    swim_encode_local_state(&n->swim, false, &sb);
    dial_member(n, CONN_PUSH_PULL, m, &sb);
}

static void io_tcp_ping(void *ctx, const struct swim_member *m, uint32_t seq, int64_t timeout)
{
    struct cluster_node *n = ctx;
    const struct swim_member *self = n->swim.self;
    struct ml_msg ping = {.type = ML_PING};
    ping.ping.node = ML_BYTES_STR(m->name);
    ping.ping.seq_no = seq;
    ping.ping.source_addr = ML_BYTES(self->addr, self->addr_len);
    ping.ping.source_node = ML_BYTES_STR(self->name);
    ping.ping.source_port = self->port;
    struct strbuf sb = STRBUF_INIT;
    ml_msg_encode(&sb, &ping);
    struct conn *c = dial_member(n, CONN_PING, m, &sb);
    c->ping_seq = seq;
    /* The probe gives up at the end of its interval; so does its stream. */
    if (!c->closing && timeout > 0)
        uv_timer_start(&c->timer, on_conn_timeout, (uint64_t)(timeout / NS_PER_MS), 0);
}

/* ---- joining --cluster.peer addresses ---- */

struct join_lookup {
    uv_getaddrinfo_t req;
    struct cluster_node *node;
    bool only_if_absent;
    char peer[256];
};

/* True when a member that is not dead or left advertises this address. */
static bool address_is_member(const struct cluster_node *n, const struct sockaddr_storage *ss)
{
    for (size_t i = 0; i < n->swim.n_members; i++) {
        const struct swim_member *m = n->swim.members[i];
        if (dead_or_left(m->state))
            continue;
        struct sockaddr_storage ms;
        sockaddr_from_ip(&ms, m->addr, m->addr_len, m->port);
        size_t len = m->addr_len == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
        if (ms.ss_family == ss->ss_family && memcmp(&ms, ss, len) == 0)
            return true;
    }
    return false;
}

static void join_addr(struct cluster_node *n, const struct sockaddr_storage *ss, const char *peer,
                      bool only_if_absent)
{
    if (only_if_absent && address_is_member(n, ss))
        return;
    struct strbuf sb = STRBUF_INIT;
    swim_encode_local_state(&n->swim, true, &sb);
    dial(n, CONN_JOIN, ss, peer, &sb);
}

static void on_join_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct join_lookup *j = container_of(req, struct join_lookup, req);
    struct cluster_node *n = j->node;
    n->live_conns--;
    if (status == 0 && !n->closing) {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            struct sockaddr_storage ss;
            memset(&ss, 0, sizeof ss);
            memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
            join_addr(n, &ss, j->peer, j->only_if_absent);
        }
    } else if (status != 0 && status != UV_ECANCELED) {
        log_kv(LOG_WARN, "Failed to resolve a peer", "peer", j->peer, "err", uv_strerror(status),
               NULL);
    }
    uv_freeaddrinfo(res);
    free(j);
    node_maybe_free(n);
}

static void join_peer(struct cluster_node *n, const char *peer, bool only_if_absent)
{
    char host[256], port_s[8];
    uint16_t port;
    if (split_host_port(peer, host, sizeof host, &port) < 0) {
        log_kv(LOG_WARN, "Invalid peer address", "peer", peer, NULL);
        return;
    }
    uint8_t ip[16];
    size_t ip_len;
    if (ip_parse(host, ip, &ip_len) == 0) {
        struct sockaddr_storage ss;
        sockaddr_from_ip(&ss, ip, ip_len, port);
        join_addr(n, &ss, peer, only_if_absent);
        return;
    }
    /* A DNS name: resolved off the loop thread by libuv. */
    struct join_lookup *j = xcalloc(1, sizeof *j);
    j->node = n;
    j->only_if_absent = only_if_absent;
    snprintf(j->peer, sizeof j->peer, "%s", peer);
    snprintf(port_s, sizeof port_s, "%u", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    if (uv_getaddrinfo(n->loop, &j->req, on_join_resolved, host, port_s, &hints) != 0)
        free(j);
    else
        n->live_conns++;
}

/* ---- Alertmanager's periodic tasks ---- */

static void on_reconnect(uv_timer_t *t)
{
    struct cluster_node *n = t->data;
    for (size_t i = 0; i < n->am_peers.n_failed; i++)
        join_peer(n, n->am_peers.failed[i], false);
}

static void on_refresh(uv_timer_t *t)
{
    struct cluster_node *n = t->data;
    for (size_t i = 0; i < n->n_peers; i++)
        join_peer(n, n->peers[i], true);
}

static void on_expire(uv_timer_t *t)
{
    struct cluster_node *n = t->data;
    am_peers_expire(&n->am_peers, time_now(), n->reconnect_timeout);
}

static void on_settle(uv_timer_t *t)
{
    struct cluster_node *n = t->data;
    bool timed_out = time_monotonic() >= n->settle_deadline;
    if (am_settle_poll(&n->settle_state, (int)swim_alive_count(&n->swim)) || timed_out) {
        n->settle_state.ready = true;
        uv_timer_stop(t);
        log_kv(LOG_INFO, timed_out ? "gossip not settled but continuing anyway"
                                   : "gossip settled; proceeding", NULL);
    }
}

static void start_periodic(struct cluster_node *n, uv_timer_t *t, uv_timer_cb cb, int64_t every)
{
    uv_timer_init(n->loop, t);
    t->data = n;
    if (every > 0)
        uv_timer_start(t, cb, (uint64_t)(every / NS_PER_MS), (uint64_t)(every / NS_PER_MS));
}

/* ---- Alertmanager's delegate: Parts by key ---- */

static struct node_state_entry *state_for(struct cluster_node *n, struct ml_bytes key)
{
    for (size_t i = 0; i < n->n_states; i++)
        if (ml_bytes_eq(key, n->states[i].key))
            return &n->states[i];
    return NULL;
}

static void merge_parts(struct cluster_node *n, const struct cluster_parts *parts)
{
    for (size_t i = 0; i < parts->len; i++) {
        struct node_state_entry *e = state_for(n, parts->items[i].key);
        if (e)
            e->ops.merge(e->ops.ctx, parts->items[i].data.p, parts->items[i].data.len);
    }
}

static void io_notify_msg(void *ctx, const uint8_t *msg, size_t len)
{
    struct cluster_parts parts;
    if (cluster_part_decode(msg, len, &parts, NULL) < 0)
        return;
    merge_parts(ctx, &parts);
    cluster_parts_free(&parts);
}

static void io_merge_remote_state(void *ctx, const uint8_t *state, size_t len, bool join)
{
    (void)join;
    struct cluster_parts parts;
    if (cluster_full_state_decode(state, len, &parts, NULL) < 0)
        return;
    merge_parts(ctx, &parts);
    cluster_parts_free(&parts);
}

static void io_local_state(void *ctx, bool join, struct strbuf *out)
{
    (void)join;
    struct cluster_node *n = ctx;
    struct cluster_part *parts = xcalloc(n->n_states ? n->n_states : 1, sizeof *parts);
    struct strbuf *data = xcalloc(n->n_states ? n->n_states : 1, sizeof *data);
    for (size_t i = 0; i < n->n_states; i++) {
        n->states[i].ops.marshal(n->states[i].ops.ctx, &data[i]);
        parts[i].key = ML_BYTES_STR(n->states[i].key);
        parts[i].data = ML_BYTES(data[i].buf, data[i].len);
    }
    cluster_full_state_encode(out, parts, n->n_states);
    for (size_t i = 0; i < n->n_states; i++)
        strbuf_free(&data[i]);
    free(data);
    free(parts);
}

/* memberlist's NotifyJoin (from dead or left to alive) and NotifyLeave. */
static void io_member_changed(void *ctx, const struct swim_member *m, enum ml_member_state old)
{
    struct cluster_node *n = ctx;
    static const char *const names[] = {"alive", "suspect", "dead", "left"};
    char addr[64];
    format_ip_port(addr, sizeof addr, m->addr, m->addr_len, m->port);
    log_kv(LOG_DEBUG, "Cluster member changed", "peer", m->name, "addr", addr, "state",
           names[m->state & 3], NULL);
    if (m->state == ML_STATE_ALIVE && dead_or_left(old))
        am_peers_join(&n->am_peers, addr);
    else if (dead_or_left(m->state) && !dead_or_left(old))
        am_peers_leave(&n->am_peers, addr, time_now());
}

static uint64_t io_rand64(void *ctx)
{
    (void)ctx;
    uint64_t v;
    random_bytes(&v, sizeof v);
    return v;
}

void cluster_node_add_state(struct cluster_node *n, const char *key,
                            const struct cluster_state_ops *ops)
{
    n->states = xrealloc(n->states, (n->n_states + 1) * sizeof *n->states);
    n->states[n->n_states].key = xstrdup(key);
    n->states[n->n_states].ops = *ops;
    n->n_states++;
}

void cluster_node_broadcast(struct cluster_node *n, const char *key, const uint8_t *data,
                            size_t len)
{
    struct strbuf part = STRBUF_INIT;
    cluster_part_encode(&part, ML_BYTES_STR(key), ML_BYTES(data, len));
    if (part.len <= CLUSTER_MAX_GOSSIP_PART) {
        swim_broadcast_user(&n->swim, (const uint8_t *)part.buf, part.len);
    } else {
        for (size_t i = 0; i < n->swim.n_members; i++) {
            const struct swim_member *m = n->swim.members[i];
            if (m == n->swim.self || m->state != ML_STATE_ALIVE)
                continue;
            struct strbuf msg = STRBUF_INIT;
            ml_user_stream_encode(&msg, (const uint8_t *)part.buf, part.len);
            dial_member(n, CONN_USER, m, &msg);
        }
    }
    strbuf_free(&part);
}

/* ---- reading the state ---- */

const char *cluster_node_name(const struct cluster_node *n)
{
    return n->name;
}

const char *cluster_node_address(const struct cluster_node *n)
{
    return n->address;
}

const char *cluster_node_status(const struct cluster_node *n)
{
    return n->settle_state.ready ? "ready" : "settling";
}

static int compare_peer_names(const void *a, const void *b)
{
    return strcmp(((const struct cluster_peer *)a)->name, ((const struct cluster_peer *)b)->name);
}

size_t cluster_node_peers(const struct cluster_node *n, struct cluster_peer **out)
{
    size_t count = n->swim.n_members;
    struct cluster_peer *p = xcalloc(count ? count : 1, sizeof *p);
    for (size_t i = 0; i < count; i++) {
        const struct swim_member *m = n->swim.members[i];
        p[i].name = xstrdup(m->name);
        format_ip_port(p[i].address, sizeof p[i].address, m->addr, m->addr_len, m->port);
        p[i].state = m->state;
    }
    qsort(p, count, sizeof *p, compare_peer_names);
    *out = p;
    return count;
}

void cluster_peers_free(struct cluster_peer *peers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(peers[i].name);
    free(peers);
}

void cluster_node_metrics(const struct cluster_node *n, struct cluster_metrics *out)
{
    memset(out, 0, sizeof *out);
    const struct swim *s = &n->swim;
    out->members = (int)swim_alive_count(s);
    out->failed_peers = (int)n->am_peers.n_failed;
    out->health_score = s->awareness;
    /* 0.25's Position: our rank among the sorted names of the members. */
    for (size_t i = 0; i < s->n_members; i++) {
        const struct swim_member *m = s->members[i];
        if (m != s->self && m->state != ML_STATE_DEAD && m->state != ML_STATE_LEFT &&
            strcmp(m->name, s->self->name) < 0)
            out->peer_position++;
    }
    out->packets_in = s->stats.packets_in;
    out->packets_bad = s->stats.packets_bad;
    out->packets_out = s->stats.packets_out;
    out->messages_in = s->stats.messages_in;
    out->messages_out = s->stats.messages_out;
    out->packet_bytes_in = s->stats.bytes_in;
    out->packet_bytes_out = s->stats.bytes_out;
    out->streams_in = n->streams_in;
    out->streams_out = n->streams_out;
    out->streams_failed = n->streams_failed;
}

/* ---- life cycle ---- */

static int bind_sockets(struct cluster_node *n, const char *listen, char **err)
{
    char host[256];
    uint16_t port;
    uint8_t ip[16];
    size_t ip_len;
    if (split_host_port(listen, host, sizeof host, &port) < 0 || ip_parse(host, ip, &ip_len) < 0) {
        *err = xasprintf("invalid listen address %s", listen);
        return -1;
    }
    struct sockaddr_storage ss;
    sockaddr_from_ip(&ss, ip, ip_len, port);
    int r = uv_udp_bind(&n->udp, (const struct sockaddr *)&ss, UV_UDP_REUSEADDR);
    if (r == 0)
        r = uv_tcp_bind(&n->listener, (const struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&n->listener, 128, on_accept);
    if (r != 0) {
        *err = xasprintf("listen %s: %s", listen, uv_strerror(r));
        return -1;
    }
    /* 0.25 asks for a 2 MiB receive buffer, halving until the kernel agrees. */
    for (int size = SOCKET_BUFFER_WANTED; size >= 4096; size /= 2) {
        int v = size;
        if (uv_recv_buffer_size((uv_handle_t *)&n->udp, &v) == 0)
            break;
    }
    uv_udp_recv_start(&n->udp, on_udp_alloc, on_udp_recv);
    return 0;
}

static void node_on_close(uv_handle_t *h)
{
    struct cluster_node *n = h->data;
    n->open_handles--;
    node_maybe_free(n);
}

static void node_release_handles(struct cluster_node *n);

/* Everything cluster_node_start allocated before the state machine. */
static void node_release_resources(struct cluster_node *n)
{
    am_peers_free(&n->am_peers);
    for (size_t i = 0; i < n->n_peers; i++)
        free(n->peers[i]);
    free(n->peers);
    node_release_handles(n);
}

static void node_release_handles(struct cluster_node *n)
{
    n->closing = true;
    uv_handle_t *handles[] = {(uv_handle_t *)&n->udp, (uv_handle_t *)&n->listener,
                              (uv_handle_t *)&n->tick, (uv_handle_t *)&n->reconnect,
                              (uv_handle_t *)&n->refresh, (uv_handle_t *)&n->expire,
                              (uv_handle_t *)&n->settle};
    n->open_handles = (int)ARRAY_SIZE(handles);
    for (size_t i = 0; i < ARRAY_SIZE(handles); i++)
        uv_close(handles[i], node_on_close);
}

int cluster_node_start(uv_loop_t *loop, const struct cluster_node_opts *o,
                       struct cluster_node **out, char **err)
{
    struct swim_config cfg;
    swim_config_alertmanager(&cfg, o->n_peers);
    if (advertise_address(o, cfg.addr, &cfg.addr_len, &cfg.port, err) < 0)
        return -1;
    if (o->probe_interval)
        cfg.probe_interval = o->probe_interval;
    if (o->probe_timeout)
        cfg.probe_timeout = o->probe_timeout;
    if (o->gossip_interval)
        cfg.gossip_interval = o->gossip_interval;
    if (o->pushpull_interval)
        cfg.pushpull_interval = o->pushpull_interval;

    struct cluster_node *n = xcalloc(1, sizeof *n);
    n->loop = loop;
    n->tcp_timeout = o->tcp_timeout ? o->tcp_timeout : 10 * NS_PER_SEC;
    if (o->name && *o->name) {
        snprintf(n->name, sizeof n->name, "%s", o->name);
    } else {
        uint8_t entropy[10];
        random_bytes(entropy, sizeof entropy);
        cluster_ulid(n->name, (uint64_t)(time_now() / NS_PER_MS), entropy);
    }
    cfg.name = n->name;
    format_ip_port(n->address, sizeof n->address, cfg.addr, cfg.addr_len, cfg.port);
    uv_udp_init(loop, &n->udp);
    uv_tcp_init(loop, &n->listener);
    uv_timer_init(loop, &n->tick);
    n->udp.data = n->listener.data = n->tick.data = n;
    n->reconnect_timeout = o->reconnect_timeout ? o->reconnect_timeout : 6 * 3600 * NS_PER_SEC;
    int64_t reconnect_every = o->reconnect_interval ? o->reconnect_interval : 10 * NS_PER_SEC;
    start_periodic(n, &n->reconnect, on_reconnect, reconnect_every < 0 ? 0 : reconnect_every);
    start_periodic(n, &n->refresh, on_refresh, REFRESH_INTERVAL);
    start_periodic(n, &n->expire, on_expire, FAILED_EXPIRY_INTERVAL);
    start_periodic(n, &n->settle, on_settle, cfg.gossip_interval * SETTLE_POLL_GOSSIP_INTERVALS);
    n->settle_deadline = time_monotonic() +
                         (o->settle_timeout ? o->settle_timeout : 60 * NS_PER_SEC);
    n->peers = xcalloc(o->n_peers ? o->n_peers : 1, sizeof *n->peers);
    for (size_t i = 0; i < o->n_peers; i++)
        n->peers[n->n_peers++] = xstrdup(o->peers[i]);
    am_peers_init(&n->am_peers, o->peers, o->n_peers, n->address, time_now());
    if (bind_sockets(n, o->listen_address, err) < 0) {
        node_release_resources(n);
        return -1;
    }
    struct swim_io io = {
        .ctx = n,
        .send_packet = io_send_packet,
        .push_pull = io_push_pull,
        .tcp_ping = io_tcp_ping,
        .rand64 = io_rand64,
        .notify_msg = io_notify_msg,
        .local_state = io_local_state,
        .merge_remote_state = io_merge_remote_state,
        .member_changed = io_member_changed,
    };
    swim_init(&n->swim, &cfg, &io, time_monotonic());
    for (size_t i = 0; i < o->n_peers; i++)
        join_peer(n, o->peers[i], false);
    reschedule(n);
    *out = n;
    return 0;
}

void cluster_node_leave(struct cluster_node *n)
{
    swim_leave(&n->swim, time_monotonic());
}

void cluster_node_close(struct cluster_node *n)
{
    while (n->conns)
        conn_close(n->conns);
    swim_free(&n->swim);
    for (size_t i = 0; i < n->n_states; i++)
        free(n->states[i].key);
    free(n->states);
    node_release_resources(n);
}
