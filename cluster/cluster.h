/*
 * cluster.h: gossip between chorus and Alertmanager 0.25 replicas.
 *
 * The wire codec (docs/architecture.md, "Cluster wire codec"; byte layouts in
 * ../shared/docs/alertmanager-gossip-wire.md): memberlist's messages as
 * memberlist 0.2.2 (Alertmanager 0.25) writes them, the Alertmanager parts
 * that ride on them (clusterpb Part / FullState, TLS frames) and Go's LZW; it
 * does no I/O and keeps no state.  The membership layer stands on it: the
 * SWIM state machine (swim.h, pure) and a node on the libuv loop (the end of
 * this file; docs/architecture.md, "Cluster membership").  The replicated
 * state stays opaque here: a Part carries bytes under a key ("sil", "nfl")
 * and whoever owns the key decodes them.
 *
 * Decoders take untrusted bytes.  They never read outside the buffer, allocate
 * only what the input's own size bounds (or a documented cap), and return -1
 * with *err (caller frees; err may be NULL) saying what was wrong.  Decoded
 * byte strings are slices of the input (or of a buffer the result owns), so a
 * decoded message lives no longer than the bytes it came from.
 *
 * Encoders append to a strbuf, writing what 0.25 writes byte for byte: maps
 * keyed by Go field names in sorted order, raw-string forms fixstr/str16/str32
 * only, the smallest unsigned form for every non-negative integer.
 */
#ifndef CHORUS_CLUSTER_H
#define CHORUS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/util.h"

/* ---- limits ----
 * Go's decoders (memberlist <= 0.5) have none; these are 0.34's where it has
 * them and otherwise far above anything a real peer sends. */
#define ML_MAX_PACKET 65536               /* a UDP datagram, or a TLS PACKET frame's msg;
                                             also a compressed packet's plain form */
#define ML_MAX_NESTING 8                  /* compound/compress inside each other */
#define ML_MAX_COMPOUND_PARTS 255         /* the count is a byte */
#define ML_MAX_PUSH_NODES 1048576         /* pushPullHeader.Nodes */
#define ML_MAX_USER_LEN (20u << 20)       /* UserStateLen, UserMsgLen */
#define ML_MAX_DECOMPRESSED (40u << 20)   /* LZW output of one stream message */
#define ML_MAX_STREAM_MSG (48u << 20)     /* one stream message, as read (compressed or not) */
#define ML_MAX_MAP_FIELDS 64              /* entries in one msgpack struct map */
#define ML_MAX_SKIP_DEPTH 16              /* nesting inside a skipped unknown value */
#define CLUSTER_MAX_TLS_FRAME (1u << 20)  /* one TLS transport frame */

/* The gossip budget (memberlist's UDPBufferSize, which Alertmanager keeps):
 * a packet's bytes before the 5 of a CRC wrapper, with 2 for a compound's
 * header and 2 per part. */
#define ML_UDP_BUFFER 1400
#define ML_COMPOUND_OVERHEAD 2
#define ML_COMPOUND_PART_OVERHEAD 2

/* Vsn every Alertmanager node advertises: protocol min/max/current 1/5/2,
 * delegate versions 0.  Meta is empty: Alertmanager sets no node metadata. */
#define ML_VSN_LEN 6
extern const uint8_t ml_alertmanager_vsn[ML_VSN_LEN];

/* The first byte of every memberlist message. */
enum ml_type {
    ML_PING = 0,
    ML_INDIRECT_PING = 1,
    ML_ACK = 2,
    ML_SUSPECT = 3,
    ML_ALIVE = 4,
    ML_DEAD = 5,
    ML_PUSH_PULL = 6,
    ML_COMPOUND = 7,
    ML_USER = 8,
    ML_COMPRESS = 9,
    ML_ENCRYPT = 10, /* never used by Alertmanager; rejected */
    ML_NACK = 11,
    ML_HAS_CRC = 12,
    ML_ERR = 13,
    ML_HAS_LABEL = 244, /* memberlist >= 0.3 (Alertmanager >= 0.26) */
};
const char *ml_type_name(int type); /* "ping", ..., "unknown" */

/* A byte string inside a decoded message.  nil tells msgpack nil (c0) from an
 * empty string (a0): Go sends both and both mean "empty"; it is kept so that
 * re-encoding reproduces the bytes. */
struct ml_bytes {
    const uint8_t *p;
    size_t len;
    bool nil;
};
#define ML_BYTES_STR(s) ((struct ml_bytes){(const uint8_t *)(s), strlen(s), false})
#define ML_BYTES(ptr, n) ((struct ml_bytes){(const uint8_t *)(ptr), (n), false})
#define ML_NIL ((struct ml_bytes){NULL, 0, true})
bool ml_bytes_eq(struct ml_bytes a, const char *s);

/* ---- messages (field names are Go's) ----
 * Source* of ping / indirect ping are omitted on the wire when zero (omitempty). */
struct ml_ping {
    struct ml_bytes node; /* the target's name; "" accepted by anyone */
    uint32_t seq_no;
    struct ml_bytes source_addr; /* 4 or 16 bytes */
    struct ml_bytes source_node;
    uint16_t source_port;
};

struct ml_indirect_ping {
    bool nack; /* the requester wants a nack when the target stays silent */
    struct ml_bytes node;
    uint16_t port;
    uint32_t seq_no;
    struct ml_bytes source_addr;
    struct ml_bytes source_node;
    uint16_t source_port;
    struct ml_bytes target; /* the target's IP */
};

struct ml_ack {
    struct ml_bytes payload; /* empty from Alertmanager (nil on the TCP ping path) */
    uint32_t seq_no;
};

struct ml_nack {
    uint32_t seq_no;
};

struct ml_err {
    struct ml_bytes error;
};

/* suspect and dead share a shape; dead with from == node is a voluntary leave. */
struct ml_suspect {
    struct ml_bytes from;
    uint32_t incarnation;
    struct ml_bytes node;
};

struct ml_alive {
    struct ml_bytes addr;
    uint32_t incarnation;
    struct ml_bytes meta;
    struct ml_bytes node;
    uint16_t port;
    struct ml_bytes vsn; /* as received; Alertmanager ignores alives whose Vsn is not 6 bytes */
};

enum ml_member_state { ML_STATE_ALIVE = 0, ML_STATE_SUSPECT = 1, ML_STATE_DEAD = 2, ML_STATE_LEFT = 3 };

/* One node of a push/pull. */
struct ml_node_state {
    struct ml_bytes addr;
    uint32_t incarnation;
    struct ml_bytes meta;
    struct ml_bytes name;
    uint16_t port;
    int64_t state; /* enum ml_member_state; other values are passed on for the caller to judge */
    struct ml_bytes vsn;
};

struct ml_compress {
    uint8_t algo; /* 0 = LZW, the only one there is */
    struct ml_bytes buf;
};

/* One decoded leaf message of a packet or stream. */
struct ml_msg {
    enum ml_type type;
    union {
        struct ml_ping ping;
        struct ml_indirect_ping indirect_ping;
        struct ml_ack ack;
        struct ml_nack nack;
        struct ml_suspect suspect; /* ML_SUSPECT and ML_DEAD */
        struct ml_alive alive;
        struct ml_err err;
        struct ml_bytes user; /* ML_USER: the delegate's bytes (Alertmanager: a Part) */
    };
};

/* Decodes one message of a leaf type (ping, indirect ping, ack, nack,
 * suspect, alive, dead, err, or user: the rest of the buffer) starting at its
 * type byte.  Bytes after a msgpack body are ignored, as Go ignores them. */
int ml_msg_decode(const uint8_t *buf, size_t len, struct ml_msg *out, char **err);
/* Type byte plus msgpack body (or, for user, the bytes). */
void ml_msg_encode(struct strbuf *sb, const struct ml_msg *msg);

/* ---- packets (UDP datagrams, TLS PACKET frames) ----
 * Receive order: label, CRC, then type dispatch with compound and compress
 * recursing.  ml_packet_walk does all of it and hands each leaf message to fn
 * in order.  A part of a compound that does not decode is reported through
 * on_error and its siblings still go through.  Returns the number of leaves
 * delivered, or -1 (*err) when the packet is unusable: bad label, CRC
 * mismatch, undecodable outer message, or a compound whose lengths run past
 * its buffer (its complete parts have been delivered by then, as Go keeps
 * what arrived). */
struct ml_packet_walker {
    /* The receiver's --cluster.label; NULL or "" accepts only unlabelled
     * packets, as memberlist >= 0.3 does.  (0.25 cannot strip labels.) */
    const char *label;
    /* Non-zero stops the walk; the walk then returns -1 with *err "stopped".
     * msg and its slices live only during the call (they may point into a
     * decompressed buffer); copy what is kept. */
    int (*fn)(void *ctx, const struct ml_msg *msg);
    /* Optional: one call per part that failed to decode. */
    void (*on_error)(void *ctx, const char *why);
    void *ctx;
    /* 0: ML_MAX_PACKET.  Go compresses a packet it has already built, so
     * the plain form is no bigger than a datagram; a larger cap would let
     * one datagram cost the work of megabytes. */
    size_t max_decompressed;
};
int ml_packet_walk(const struct ml_packet_walker *w, const uint8_t *pkt, size_t len, char **err);

/* A packet as Go sends one: a single message bare, several in a compound;
 * LZW-compressed when that comes out smaller; CRC-wrapped when the peer
 * speaks protocol 5 (Go adds it on gossip, not on probes); the label first
 * when one is configured.  At most ML_MAX_COMPOUND_PARTS messages. */
struct ml_packet_opts {
    bool compress; /* memberlist's EnableCompression, on in Alertmanager */
    bool crc;
    const char *label; /* NULL or "": none (always so towards 0.25) */
};
void ml_packet_encode(struct strbuf *sb, const struct ml_bytes *msgs, size_t n,
                      const struct ml_packet_opts *opts);

/* Compound: [7][count][len16 BE x count][messages].  At most 255 parts, each
 * < 65536 bytes (asserted: callers split bigger batches, as Go does). */
void ml_compound_encode(struct strbuf *sb, const struct ml_bytes *parts, size_t n);
/* The parts of a compound (starting at its type byte) as slices of buf; *n
 * receives how many are complete.  Returns 0, or -1 when the header is short
 * or the declared lengths run past the buffer (*n still counts the complete
 * parts before that). */
int ml_compound_split(const uint8_t *buf, size_t len, struct ml_bytes parts[ML_MAX_COMPOUND_PARTS],
                      size_t *n, char **err);

/* CRC wrapper: [12][CRC-32/IEEE of msg, BE][msg]. */
uint32_t ml_crc32(const uint8_t *buf, size_t len);
void ml_crc_encode(struct strbuf *sb, const uint8_t *msg, size_t len);
/* Checks and strips the wrapper (buf starts at the 12). */
int ml_crc_unwrap(const uint8_t *buf, size_t len, struct ml_bytes *msg, char **err);

/* Label header: [244][len][label], the label 1..255 bytes (configuration
 * checks that; encoding anything else aborts).  Packets carry it first;
 * streams carry it once at the start of the connection.  Never send one to
 * 0.25. */
void ml_label_encode(struct strbuf *sb, const char *label);
/* When buf starts with 244, the label and the header length; otherwise an
 * empty label and 0.  -1 on a zero or truncated length. */
int ml_label_peek(const uint8_t *buf, size_t len, struct ml_bytes *label, size_t *header_len,
                  char **err);

/* Compress wrapper: [9] msgpack{Algo: 0, Buf: LZW(msg)}. */
void ml_compress_encode(struct strbuf *sb, const uint8_t *msg, size_t len);
/* Decodes the wrapper (buf starts at the 9) without decompressing; *used is
 * how many bytes it took (streams carry more after it only in error). */
int ml_compress_decode(const uint8_t *buf, size_t len, struct ml_compress *out, size_t *used,
                       char **err);
/* Decompresses a wrapper's Buf into out (appended); at most max_out bytes
 * (0: ML_MAX_DECOMPRESSED) and not empty. */
int ml_decompress(const struct ml_compress *c, size_t max_out, struct strbuf *out, char **err);

/* ---- LZW as Go's compress/lzw (LSB first, literal width 8) ----
 * The encoder writes what Go >= 1.17 writes: a leading CLEAR, a CLEAR when
 * the 12-bit table fills, EOF, zero padding.  The decoder accepts CLEAR
 * anywhere, requires EOF and ignores bytes after it; more than max_out bytes
 * of output is an error. */
void lzw_encode(struct strbuf *out, const uint8_t *in, size_t len);
int lzw_decode(const uint8_t *in, size_t len, size_t max_out, struct strbuf *out, char **err);

/* ---- streams (TCP, or TLS after a STREAM frame) ----
 * One message per direction per connection: push/pull, user message, ping
 * (TCP fallback probe), its ack, or err.  Go compresses every stream message;
 * chorus may send either form.  ml_stream_decode is incremental: call it with
 * everything read so far (after any label header); 0 means "need more bytes",
 * 1 means *out holds a message and *used how many bytes it took.  A
 * compressed message may expand to max_decompressed bytes (0:
 * ML_MAX_DECOMPRESSED). */
struct ml_push_pull {
    bool join;
    size_t n_nodes;
    struct ml_node_state *nodes;
    struct ml_bytes user_state; /* the delegate's state; Alertmanager: FullState */
};

struct ml_stream_msg {
    enum ml_type type; /* ML_PUSH_PULL, ML_USER, ML_PING, ML_ACK or ML_ERR */
    bool compressed;   /* arrived in a compress wrapper */
    union {
        struct ml_push_pull push_pull;
        struct ml_bytes user; /* a reliable user message's bytes */
        struct ml_ping ping;
        struct ml_ack ack;
        struct ml_err err;
    };
    struct strbuf owned; /* the decompressed message the slices point into */
};
int ml_stream_decode(const uint8_t *buf, size_t len, size_t max_decompressed,
                     struct ml_stream_msg *out, size_t *used, char **err);
void ml_stream_msg_free(struct ml_stream_msg *m);

/* [6] header{Join, Nodes, UserStateLen}, the node states, the user state.
 * Uncompressed; wrap the result with ml_compress_encode to send it as Go does. */
void ml_push_pull_encode(struct strbuf *sb, bool join, const struct ml_node_state *nodes,
                         size_t n_nodes, const uint8_t *user_state, size_t user_len);
/* [8] header{UserMsgLen} then the bytes: a user message on a stream. */
void ml_user_stream_encode(struct strbuf *sb, const uint8_t *msg, size_t len);

/* ---- Alertmanager: clusterpb ----
 * A Part is one replicated state's bytes under its key: a user message is one
 * marshalled Part, push/pull user state is a FullState (one Part per key). */
#define CLUSTER_KEY_SILENCES "sil"
#define CLUSTER_KEY_NFLOG "nfl"
/* Alertmanager gossips a Part over UDP up to this size and sends anything
 * bigger to every peer on a TCP stream. */
#define CLUSTER_MAX_GOSSIP_PART 700

struct cluster_part {
    struct ml_bytes key;
    struct ml_bytes data;
};

/* Decoded Parts: one for a Part, any number for a FullState.  The slices
 * point into memory the struct owns. */
struct cluster_parts {
    size_t len;
    struct cluster_part *items;
    void *pb;
};
int cluster_part_decode(const uint8_t *buf, size_t len, struct cluster_parts *out, char **err);
int cluster_full_state_decode(const uint8_t *buf, size_t len, struct cluster_parts *out,
                              char **err);
void cluster_parts_free(struct cluster_parts *parts);

void cluster_part_encode(struct strbuf *sb, struct ml_bytes key, struct ml_bytes data);
void cluster_full_state_encode(struct strbuf *sb, const struct cluster_part *parts, size_t n);

/* ---- Alertmanager's TLS transport framing ----
 * Every frame: [len u32 LITTLE-endian][MemberlistMessage{version "v0.1.0",
 * kind, from_addr, msg}].  A PACKET frame carries one packet; a STREAM frame
 * turns the rest of the connection into a raw stream.  Send each frame with
 * its own SSL_write (Go's reader drops read-ahead bytes). */
enum cluster_tls_kind { CLUSTER_TLS_STREAM = 0, CLUSTER_TLS_PACKET = 1 };
#define CLUSTER_TLS_VERSION "v0.1.0"

struct cluster_tls_frame {
    enum cluster_tls_kind kind;
    struct ml_bytes from_addr; /* "ip:port" of the sender's listener */
    struct ml_bytes msg;       /* PACKET: the packet */
    void *pb;
};
/* Incremental like ml_stream_decode: 0 need more, 1 a frame (*used bytes),
 * -1 a bad length, version or kind (close the connection). */
int cluster_tls_frame_decode(const uint8_t *buf, size_t len, struct cluster_tls_frame *out,
                             size_t *used, char **err);
void cluster_tls_frame_free(struct cluster_tls_frame *f);
void cluster_tls_packet_encode(struct strbuf *sb, const char *from_addr, const uint8_t *pkt,
                               size_t len);
void cluster_tls_stream_encode(struct strbuf *sb);

/* ---- membership on a libuv loop (cluster/node.c, state machine in swim.h) ----
 * One node: a UDP socket and a TCP listener on --cluster.listen-address, the
 * SWIM state machine driven by a timer, push/pull joins to --cluster.peer,
 * and Alertmanager's delegate: user messages and push/pull user state are
 * Parts routed by key to the states registered with cluster_node_add_state. */
struct uv_loop_s;
struct cluster_node;

struct cluster_node_opts {
    const char *name;              /* NULL: a fresh ULID, as 0.25 always does */
    const char *listen_address;    /* "host:port"; host may be 0.0.0.0 */
    const char *advertise_address; /* "ip:port", or NULL: derived as 0.25 does */
    const char *const *peers;      /* "host:port" each */
    size_t n_peers;
    /* Durations in ns; 0 takes Alertmanager's default. */
    int64_t probe_interval, probe_timeout, gossip_interval, pushpull_interval, tcp_timeout;
    int64_t settle_timeout;     /* 1m */
    int64_t reconnect_interval; /* 10s; negative disables the reconnect loop */
    int64_t reconnect_timeout;  /* 6h */
};

/* A replicated state under a key ("sil", "nfl"), as Alertmanager's
 * cluster.State: its full state for push/pull, and merging a peer's full
 * state or one broadcast delta (both arrive as the same bytes). */
struct cluster_state_ops {
    void *ctx;
    void (*marshal)(void *ctx, struct strbuf *out);
    int (*merge)(void *ctx, const uint8_t *data, size_t len);
};

/* What the alertmanager_cluster_* / alertmanager_peer_position metrics show. */
struct cluster_metrics {
    int members;      /* alertmanager_cluster_members: not dead or left, self included */
    int failed_peers; /* alertmanager_cluster_failed_peers: 0.25's failed list
                         (--cluster.peer addresses count until they join) */
    int health_score; /* alertmanager_cluster_health_score: Lifeguard awareness, 0 is best */
    int peer_position;/* alertmanager_peer_position: rank of our name among members */
    uint64_t packets_in, packets_bad, packets_out, messages_in, messages_out;
    uint64_t packet_bytes_in, packet_bytes_out;
    uint64_t streams_in, streams_out, streams_failed;
};

struct cluster_peer {
    char *name;
    char address[64]; /* "ip:port" */
    enum ml_member_state state;
};

int cluster_node_start(struct uv_loop_s *loop, const struct cluster_node_opts *opts,
                       struct cluster_node **out, char **err);
/* Tells the members we are leaving (they record us as left, 0.25 counts us
 * as a failed peer at once); close the node a moment later. */
void cluster_node_leave(struct cluster_node *n);
/* Closes the sockets (no leave message: 0.25 peers then notice the failure)
 * and frees the node once libuv has released its handles. */
void cluster_node_close(struct cluster_node *n);
const char *cluster_node_name(const struct cluster_node *n);
/* "ip:port" this node advertises. */
const char *cluster_node_address(const struct cluster_node *n);
/* /api/v2/status's cluster.status: "settling" until 0.25's settle poll is
 * content (or --cluster.settle-timeout passed), then "ready". */
const char *cluster_node_status(const struct cluster_node *n);
void cluster_node_add_state(struct cluster_node *n, const char *key,
                            const struct cluster_state_ops *ops);
/* Sends a delta to every member: gossiped when its Part is at most
 * CLUSTER_MAX_GOSSIP_PART bytes, else on a TCP stream to each, as 0.25. */
void cluster_node_broadcast(struct cluster_node *n, const char *key, const uint8_t *data,
                            size_t len);
void cluster_node_metrics(const struct cluster_node *n, struct cluster_metrics *out);
/* Every known member, self included, sorted by name; free with cluster_peers_free. */
size_t cluster_node_peers(const struct cluster_node *n, struct cluster_peer **out);
void cluster_peers_free(struct cluster_peer *peers, size_t n);

/* The silence store as the "sil" state (cluster/silences_state.c): its whole
 * state on push/pull, peers' states and deltas merged into it.  After a local
 * change, broadcast each silence it changed (silences_set may change two);
 * 0, or SILENCES_ENOTFOUND. */
struct silences;
void cluster_node_add_silences(struct cluster_node *n, struct silences *s);
int cluster_node_broadcast_silence(struct cluster_node *n, const struct silences *s,
                                   const char *id);

/* A ULID (26 characters of Crockford base32 + NUL) from a millisecond time
 * and 10 random bytes: what 0.25 names itself. */
void cluster_ulid(char out[27], uint64_t unix_ms, const uint8_t entropy[10]);
/* True for RFC 1918 and RFC 6598 IPv4 addresses (0.25's "private"). */
bool cluster_ip_private(const uint8_t ip[4]);

#endif
