/*
 * test_codec.c: the MeshEntry encoding, and merging gossiped state.
 * protobuf-c, compiled from nflog.proto, serves as an independent reader and
 * writer of the same messages; hostile inputs must fail cleanly (run under
 * the sanitizers).
 */
#include "helpers.h"
#include "../test_buf.h"
#include "nflog.pb-c.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static struct nflog *l;

static void setup(void)
{
    l = nflog_new(RETENTION);
}

static void teardown(void)
{
    nflog_free(l);
}

TestSuite(nflog_codec, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* Appends a length-delimited record packed by protobuf-c. */
static void buf_record(struct buf *b, const Nflogpb__MeshEntry *m)
{
    size_t n = nflogpb__mesh_entry__get_packed_size(m);
    uint8_t *tmp = xmalloc(n ? n : 1);
    nflogpb__mesh_entry__pack(m, tmp);
    buf_varint(b, n);
    buf_add(b, tmp, n);
    free(tmp);
}

/* Splits one record off the front, as protobuf-c would see it. */
static Nflogpb__MeshEntry *unpack_first(const uint8_t *data, size_t len, size_t *used)
{
    uint64_t n = 0;
    size_t i = 0;
    for (unsigned shift = 0; i < len; shift += 7) {
        n |= (uint64_t)(data[i] & 0x7f) << shift;
        if (!(data[i++] & 0x80))
            break;
    }
    cr_assert_leq(i + n, len);
    *used = i + n;
    Nflogpb__MeshEntry *m = nflogpb__mesh_entry__unpack(NULL, n, data + i);
    cr_assert_not_null(m);
    return m;
}

struct pb_mesh {
    Nflogpb__MeshEntry mesh;
    Nflogpb__Entry entry;
    Nflogpb__Receiver rcv;
    Nflogpb__Timestamp ts, exp;
};

/* A MeshEntry for protobuf-c to pack; pointers into *p. */
static void pb_mesh_init(struct pb_mesh *p, const char *gk, const char *name, uint32_t idx,
                         int64_t when, int64_t expires)
{
    nflogpb__mesh_entry__init(&p->mesh);
    nflogpb__entry__init(&p->entry);
    nflogpb__receiver__init(&p->rcv);
    nflogpb__timestamp__init(&p->ts);
    nflogpb__timestamp__init(&p->exp);
    p->rcv.group_name = (char *)name;
    p->rcv.integration = "webhook";
    p->rcv.idx = idx;
    p->entry.group_key.data = (uint8_t *)gk;
    p->entry.group_key.len = strlen(gk);
    p->entry.receiver = &p->rcv;
    p->ts.seconds = when / NS_PER_SEC;
    p->ts.nanos = (int32_t)(when % NS_PER_SEC);
    p->entry.timestamp = &p->ts;
    p->exp.seconds = expires / NS_PER_SEC;
    p->exp.nanos = (int32_t)(expires % NS_PER_SEC);
    p->mesh.entry = &p->entry;
    p->mesh.expires_at = &p->exp;
}

static int merge_buf(struct buf *b, int64_t now, char **err)
{
    return nflog_merge(l, b->data, b->len, now, err);
}

static struct nflog_receiver rcv_named(const char *name, uint32_t idx)
{
    return (struct nflog_receiver){name, "webhook", idx};
}

/* ---- encoding read back by protobuf-c ---- */

Test(nflog_codec, encode_is_read_by_protobuf_c)
{
    struct nflog_hashes f = HASHES(UINT64_C(0xfedcba9876543210), 7), r = HASHES(42);
    struct nflog_receiver rcv = {"team", "email", 3};
    nflog_log(l, &rcv, "{}/{a=\"1\"}:{b=\"2\"}", &f, &r, ts(1795521367, 310957404), 2 * HOUR);
    uint8_t *out;
    size_t len, used;
    nflog_encode(l, &out, &len);
    Nflogpb__MeshEntry *m = unpack_first(out, len, &used);
    cr_assert_eq(used, len);
    cr_assert_not_null(m->entry);
    const char *gk = "{}/{a=\"1\"}:{b=\"2\"}";
    cr_assert_eq(m->entry->group_key.len, strlen(gk));
    cr_assert_eq(memcmp(m->entry->group_key.data, gk, m->entry->group_key.len), 0);
    cr_assert_str_eq(m->entry->receiver->group_name, "team");
    cr_assert_str_eq(m->entry->receiver->integration, "email");
    cr_assert_eq(m->entry->receiver->idx, 3);
    cr_assert_eq(m->entry->timestamp->seconds, 1795521367);
    cr_assert_eq(m->entry->timestamp->nanos, 310957404);
    cr_assert_eq(m->entry->n_firing_alerts, 2);
    cr_assert_eq(m->entry->firing_alerts[0], UINT64_C(0xfedcba9876543210));
    cr_assert_eq(m->entry->firing_alerts[1], 7);
    cr_assert_eq(m->entry->n_resolved_alerts, 1);
    cr_assert_eq(m->entry->resolved_alerts[0], 42);
    cr_assert_eq(m->expires_at->seconds, 1795521367 + 7200);
    cr_assert_eq(m->expires_at->nanos, 310957404);
    nflogpb__mesh_entry__free_unpacked(m, NULL);
    free(out);
}

Test(nflog_codec, empty_log_encodes_to_nothing)
{
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert_eq(len, 0);
    cr_assert_not_null(out);
    free(out);
    cr_assert_eq(nflog_merge(l, NULL, 0, T0, NULL), 0);
}

Test(nflog_codec, encode_one_is_a_single_record)
{
    log_simple(l, &RCV_WEBHOOK0, "a", HASHES(1), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK0, "b", HASHES(2), NO_HASHES, T0);
    uint8_t *out;
    size_t len, used;
    cr_assert_eq(nflog_encode_one(l, "b", &RCV_WEBHOOK0, &out, &len), 0);
    Nflogpb__MeshEntry *m = unpack_first(out, len, &used);
    cr_assert_eq(used, len);
    cr_assert_eq(m->entry->firing_alerts[0], 2);
    nflogpb__mesh_entry__free_unpacked(m, NULL);
    free(out);
    cr_assert_eq(nflog_encode_one(l, "c", &RCV_WEBHOOK0, &out, &len), -1);
}

Test(nflog_codec, go_zero_time_round_trips)
{
    struct pb_mesh p;
    pb_mesh_init(&p, "g", "r", 0, T0, T0 + HOUR);
    p.ts.seconds = INT64_C(-62135596800);
    p.ts.nanos = 0;
    struct buf b = {0};
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    struct nflog_receiver rcv = rcv_named("r", 0);
    cr_assert_eq(nflog_query(l, "g", &rcv)->timestamp, TIME_ZERO);
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert_eq(len, b.len);
    cr_assert_eq(memcmp(out, b.data, len), 0);
    free(out);
    free(b.data);
}

/* ---- decoding what protobuf-c wrote ---- */

Test(nflog_codec, decodes_protobuf_c_and_re_encodes_identically)
{
    struct pb_mesh p;
    pb_mesh_init(&p, "{}:{x=\"y\"}", "team", 2, T0 + 123, T0 + HOUR);
    uint64_t fa[] = {1, UINT64_MAX, 300}, ra[] = {5};
    p.entry.firing_alerts = fa;
    p.entry.n_firing_alerts = 3;
    p.entry.resolved_alerts = ra;
    p.entry.n_resolved_alerts = 1;
    struct buf b = {0};
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    struct nflog_receiver rcv = rcv_named("team", 2);
    const struct nflog_entry *e = nflog_query(l, "{}:{x=\"y\"}", &rcv);
    cr_assert_not_null(e);
    cr_assert_eq(e->timestamp, T0 + 123);
    cr_assert_eq(e->expires_at, T0 + HOUR);
    cr_assert_eq(e->firing.len, 3);
    cr_assert_eq(e->firing.items[1], UINT64_MAX);
    cr_assert_eq(e->resolved.items[0], 5);
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert_eq(len, b.len);
    cr_assert_eq(memcmp(out, b.data, len), 0);
    free(out);
    free(b.data);
}

/* An unpacked repeated uint64 (one tag per value), as proto2 writers and
 * some encoders send it, hand-built since protobuf-c packs proto3. */
Test(nflog_codec, accepts_unpacked_hashes)
{
    static const uint8_t rec[] = {
        /* MeshEntry */ 0x1d,
        0x0a, 0x13,                              /* entry, 19 bytes */
        0x0a, 0x01, 'g',                         /* group_key */
        0x12, 0x03, 0x0a, 0x01, 'r',             /* receiver */
        0x2a, 0x00,                              /* timestamp: epoch */
        0x30, 0x05,                              /* firing 5 */
        0x30, 0x06,                              /* firing 6 */
        0x38, 0x07,                              /* resolved 7 */
        0x32, 0x01, 0x08,                        /* firing, packed: 8 */
        0x12, 0x06, 0x08, 0x80, 0xe0, 0xb7, 0x80, 0x07, /* expires_at */
    };
    cr_assert_eq(nflog_merge(l, rec, sizeof rec, 0, NULL), 1);
    struct nflog_receiver rcv = {"r", "", 0};
    const struct nflog_entry *e = nflog_query(l, "g", &rcv);
    cr_assert_not_null(e);
    cr_assert_eq(e->firing.len, 3);
    cr_assert_eq(e->firing.items[0], 5);
    cr_assert_eq(e->firing.items[1], 6);
    cr_assert_eq(e->firing.items[2], 8);
    cr_assert_eq(e->resolved.len, 1);
    cr_assert_eq(e->timestamp, 0);
}

Test(nflog_codec, keeps_deprecated_and_newer_fields)
{
    struct pb_mesh p;
    pb_mesh_init(&p, "g", "r", 1, T0, T0 + HOUR);
    p.entry.group_hash.data = (uint8_t *)"\x01\x02\x03";
    p.entry.group_hash.len = 3;
    p.entry.resolved = 1;
    Nflogpb__ReceiverDataValue v = NFLOGPB__RECEIVER_DATA_VALUE__INIT;
    v.value_case = NFLOGPB__RECEIVER_DATA_VALUE__VALUE_INT_VAL;
    v.int_val = 12345;
    Nflogpb__Entry__ReceiverDataEntry kv = NFLOGPB__ENTRY__RECEIVER_DATA_ENTRY__INIT;
    kv.key = "threadTs";
    kv.value = &v;
    Nflogpb__Entry__ReceiverDataEntry *kvs[] = {&kv};
    p.entry.receiver_data = kvs;
    p.entry.n_receiver_data = 1;
    struct buf b = {0};
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    struct nflog_receiver rcv = rcv_named("r", 1);
    const struct nflog_entry *e = nflog_query(l, "g", &rcv);
    cr_assert_gt(e->raw.entry_deprecated_len, 0);
    cr_assert_gt(e->raw.entry_unknown_len, 0);
    uint8_t *out;
    size_t len, used;
    nflog_encode(l, &out, &len);
    cr_assert_eq(len, b.len);
    cr_assert_eq(memcmp(out, b.data, len), 0, "re-encoded byte for byte");
    Nflogpb__MeshEntry *m = unpack_first(out, len, &used);
    cr_assert_eq(m->entry->resolved, 1);
    cr_assert_eq(m->entry->group_hash.len, 3);
    cr_assert_eq(m->entry->n_receiver_data, 1);
    cr_assert_eq(m->entry->receiver_data[0]->value->int_val, 12345);
    nflogpb__mesh_entry__free_unpacked(m, NULL);
    free(out);
    free(b.data);
}

Test(nflog_codec, keeps_unknown_fields_of_receiver_and_mesh)
{
    static const uint8_t rec[] = {
        0x1a,
        0x0a, 0x0e,                   /* entry */
        0x0a, 0x01, 'g',              /* group_key */
        0x12, 0x05, 0x0a, 0x01, 'r',  /* receiver: group_name */
        0x20, 0x09,                   /*   field 4 varint: unknown */
        0x2a, 0x02, 0x08, 0x01,       /* timestamp 1s */
        0x12, 0x04, 0x08, 0x80, 0x80, 0x10, /* expires_at */
        0x1a, 0x02, 'x', 'y',         /* MeshEntry field 3: unknown */
    };
    cr_assert_eq(nflog_merge(l, rec, sizeof rec, 0, NULL), 1);
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert_eq(len, sizeof rec);
    cr_assert_eq(memcmp(out, rec, len), 0);
    free(out);
}

/* ---- merge rules ---- */

Test(nflog_codec, merge_skips_expired_and_needs_a_strictly_newer_timestamp)
{
    struct pb_mesh p;
    struct buf b = {0};
    pb_mesh_init(&p, "g", "r", 0, T0, T0 + HOUR);
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0 + HOUR + 1, NULL), 0, "expires_at < now is skipped");
    cr_assert_eq(merge_buf(&b, T0 + HOUR, NULL), 1, "expires_at == now is taken");
    cr_assert_eq(merge_buf(&b, T0, NULL), 0, "same timestamp keeps ours");
    free(b.data);
    b = (struct buf){0};
    uint64_t fa[] = {77};
    p.entry.firing_alerts = fa;
    p.entry.n_firing_alerts = 1;
    p.ts.nanos = 1;
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1, "one nanosecond newer wins");
    struct nflog_receiver rcv = rcv_named("r", 0);
    cr_assert_eq(nflog_query(l, "g", &rcv)->firing.items[0], 77);
    free(b.data);
    b = (struct buf){0};
    p.ts.nanos = 0;
    p.ts.seconds -= 1;
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 0, "older loses");
    free(b.data);
    cr_assert_eq(nflog_count(l), 1);
}

Test(nflog_codec, merge_replaces_a_local_entry_in_place)
{
    log_simple(l, &RCV_WEBHOOK0, "a", HASHES(1), NO_HASHES, T0);
    log_simple(l, &RCV_WEBHOOK0, "b", HASHES(2), NO_HASHES, T0);
    struct pb_mesh p;
    pb_mesh_init(&p, "a", "team", 0, T0 + SEC, T0 + HOUR);
    struct buf b = {0};
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    cr_assert_eq(nflog_count(l), 2);
    cr_assert_eq(nflog_query(l, "a", &RCV_WEBHOOK0)->firing.len, 0);
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    cr_assert_eq(memcmp(out, b.data, b.len), 0, "still first");
    free(out);
    free(b.data);
}

Test(nflog_codec, missing_entry_or_receiver_is_invalid_and_keeps_the_prefix)
{
    struct pb_mesh good, no_rcv, no_entry;
    pb_mesh_init(&good, "g", "r", 0, T0, T0 + HOUR);
    pb_mesh_init(&no_rcv, "h", "r", 0, T0, T0 + HOUR);
    no_rcv.entry.receiver = NULL;
    pb_mesh_init(&no_entry, "i", "r", 0, T0, T0 + HOUR);
    no_entry.mesh.entry = NULL;
    for (int which = 0; which < 2; which++) {
        struct buf b = {0};
        buf_record(&b, &good.mesh);
        buf_record(&b, which ? &no_entry.mesh : &no_rcv.mesh);
        buf_record(&b, &good.mesh);
        char *err = NULL;
        cr_assert_eq(merge_buf(&b, T0, &err), -1);
        cr_assert_str_eq(err, "nflog: record 1: invalid state");
        free(err);
        free(b.data);
    }
    cr_assert_eq(nflog_count(l), 1);
}

Test(nflog_codec, wrong_wire_types_are_malformed)
{
    static const uint8_t entry_as_varint[] = {0x02, 0x08, 0x01};
    static const uint8_t group_key_as_varint[] = {0x04, 0x0a, 0x02, 0x08, 0x01};
    static const uint8_t expires_as_varint[] = {0x02, 0x10, 0x01};
    static const uint8_t group_tag[] = {0x02, 0x0b, 0x0c};
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {{entry_as_varint, sizeof entry_as_varint},
                 {group_key_as_varint, sizeof group_key_as_varint},
                 {expires_as_varint, sizeof expires_as_varint},
                 {group_tag, sizeof group_tag}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *err = NULL;
        cr_assert_eq(nflog_merge(l, cases[i].p, cases[i].n, 0, &err), -1, "case %zu", i);
        cr_assert_not_null(err);
        free(err);
    }
    cr_assert_eq(nflog_count(l), 0);
}

/* ---- hostile input ---- */

static void full_record(struct buf *b)
{
    struct pb_mesh p;
    pb_mesh_init(&p, "{}:{alertname=\"x\"}", "team", 1, T0 + 5, T0 + HOUR);
    uint64_t fa[] = {1, 2, UINT64_MAX};
    p.entry.firing_alerts = fa;
    p.entry.n_firing_alerts = 3;
    p.entry.resolved_alerts = fa;
    p.entry.n_resolved_alerts = 2;
    p.entry.group_hash.data = (uint8_t *)"h";
    p.entry.group_hash.len = 1;
    buf_record(b, &p.mesh);
}

Test(nflog_codec, every_truncation_fails_cleanly)
{
    struct buf b = {0};
    full_record(&b);
    for (size_t n = 1; n < b.len; n++) {
        uint8_t *copy = xmalloc(n); /* exact size, so ASan sees any overread */
        memcpy(copy, b.data, n);
        char *err = NULL;
        cr_assert_eq(nflog_merge(l, copy, n, T0, &err), -1, "prefix %zu", n);
        cr_assert_not_null(err);
        free(err);
        free(copy);
    }
    cr_assert_eq(nflog_count(l), 0);
    free(b.data);
}

Test(nflog_codec, truncated_inner_lengths_fail_cleanly)
{
    /* Keep the outer length right but cut the body, so every inner length
     * overruns its parent. */
    struct buf b = {0};
    full_record(&b);
    for (size_t n = 0; n + 1 < b.len - 1; n++) {
        uint8_t *copy = xmalloc(n + 1);
        copy[0] = (uint8_t)n;
        memcpy(copy + 1, b.data + 1, n);
        nflog_merge(l, copy, n + 1, T0, NULL);
        free(copy);
    }
    free(b.data);
}

Test(nflog_codec, huge_lengths_fail_cleanly)
{
    static const uint8_t huge_record[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a};
    static const uint8_t huge_entry[] = {0x07, 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t huge_key[] = {0x0c, 0x0a, 0x0a, 0x0a, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0x7f};
    static const uint8_t long_varint[] = {0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t field_zero[] = {0x02, 0x00, 0x00};
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {{huge_record, sizeof huge_record}, {huge_entry, sizeof huge_entry},
                 {huge_key, sizeof huge_key},       {long_varint, sizeof long_varint},
                 {field_zero, sizeof field_zero}};
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *err = NULL;
        cr_assert_eq(nflog_merge(l, cases[i].p, cases[i].n, 0, &err), -1, "case %zu", i);
        free(err);
    }
}

Test(nflog_codec, many_hashes_in_one_record)
{
    enum { N = 100000 };
    struct pb_mesh p;
    pb_mesh_init(&p, "g", "r", 0, T0, T0 + HOUR);
    uint64_t *fa = xmalloc(N * sizeof *fa);
    for (size_t i = 0; i < N; i++)
        fa[i] = i * 0x9e3779b97f4a7c15u;
    p.entry.firing_alerts = fa;
    p.entry.n_firing_alerts = N;
    struct buf b = {0};
    buf_record(&b, &p.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    struct nflog_receiver rcv = rcv_named("r", 0);
    cr_assert_eq(nflog_query(l, "g", &rcv)->firing.len, N);
    free(fa);
    free(b.data);
}

/* Random mutations of a valid record: never a crash, never a leak. */
Test(nflog_codec, mutated_records_never_crash)
{
    struct buf b = {0};
    full_record(&b);
    full_record(&b);
    uint64_t seed = 0x243f6a8885a308d3u;
    for (int round = 0; round < 20000; round++) {
        uint8_t *copy = xmalloc(b.len);
        memcpy(copy, b.data, b.len);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            copy[(seed >> 33) % b.len] ^= (uint8_t)(seed >> 17);
        }
        size_t n = (size_t)((seed >> 40) % (b.len + 1));
        char *err = NULL;
        int rc = nflog_merge(l, copy, n, T0, &err);
        cr_assert(rc >= -1);
        free(err);
        free(copy);
    }
    uint8_t *out;
    size_t len;
    nflog_encode(l, &out, &len);
    struct nflog *again = nflog_new(RETENTION);
    cr_assert_eq(nflog_snapshot_load(again, "/nonexistent/nflog", NULL), 0);
    char *err = NULL;
    int rc = nflog_merge(again, out, len, INT64_MIN + 1, &err);
    cr_assert_geq(rc, 0, "whatever was merged re-encodes readably: %s", err ? err : "");
    nflog_free(again);
    free(out);
    free(b.data);
}
