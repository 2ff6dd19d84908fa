/*
 * test_codec.c: the MeshSilence encoding and merge.  protobuf-c, compiled
 * from silence.proto, serves as an independent reader and writer of the same
 * messages; hostile inputs must fail cleanly (run under the sanitizers).
 */
#include "helpers.h"
#include "../test_buf.h"
#include "silence.pb-c.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static struct silences *st;

static void setup(void)
{
    st = silences_new(RETENTION);
}

static void teardown(void)
{
    silences_free(st);
}

TestSuite(silences_codec, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* Appends a length-delimited record packed by protobuf-c. */
static void buf_record(struct buf *b, const Silencepb__MeshSilence *m)
{
    size_t n = silencepb__mesh_silence__get_packed_size(m);
    uint8_t *tmp = xmalloc(n ? n : 1);
    silencepb__mesh_silence__pack(m, tmp);
    buf_varint(b, n);
    buf_add(b, tmp, n);
    free(tmp);
}

static Silencepb__Timestamp ts_of(int64_t t)
{
    Silencepb__Timestamp ts = SILENCEPB__TIMESTAMP__INIT;
    ts.seconds = t / NS_PER_SEC;
    ts.nanos = (int32_t)(t % NS_PER_SEC);
    return ts;
}

/* One record: id, one equality matcher a=<value>, times around T0. */
struct pb_fixture {
    Silencepb__MeshSilence mesh;
    Silencepb__Silence sil;
    Silencepb__Matcher m;
    Silencepb__Matcher *mp[1];
    Silencepb__Timestamp starts, ends, updated, expires;
};

static void pb_fixture_init(struct pb_fixture *f, const char *id, const char *value,
                            int64_t updated)
{
    *f = (struct pb_fixture){.mesh = SILENCEPB__MESH_SILENCE__INIT,
                             .sil = SILENCEPB__SILENCE__INIT,
                             .m = SILENCEPB__MATCHER__INIT};
    f->m.name = "a";
    f->m.pattern = (char *)value;
    f->mp[0] = &f->m;
    f->sil.id = (char *)id;
    f->sil.n_matchers = 1;
    f->sil.matchers = f->mp;
    f->starts = ts_of(T0);
    f->ends = ts_of(T0 + HOUR);
    f->updated = ts_of(updated);
    f->expires = ts_of(T0 + HOUR + RETENTION);
    f->sil.starts_at = &f->starts;
    f->sil.ends_at = &f->ends;
    f->sil.updated_at = &f->updated;
    f->sil.created_by = "peer";
    f->sil.comment = "from a peer";
    f->mesh.silence = &f->sil;
    f->mesh.expires_at = &f->expires;
}

static const char *ID1 = "11111111-1111-4111-8111-111111111111";
static const char *ID2 = "22222222-2222-4222-8222-222222222222";

static int merge_buf(const struct buf *b, int64_t now, char **err)
{
    return silences_merge(st, b->data, b->len, now, err);
}

static void encode_store(struct buf *b)
{
    cr_assert_eq(silences_encode(st, &b->data, &b->len), 0);
}

/* Splits the store's encoding into records and unpacks record i. */
static Silencepb__MeshSilence *unpack_record(const struct buf *b, size_t want)
{
    size_t pos = 0;
    for (size_t i = 0; pos < b->len; i++) {
        uint64_t n = 0;
        for (int shift = 0;; shift += 7) {
            uint8_t c = b->data[pos++];
            n |= (uint64_t)(c & 0x7f) << shift;
            if (!(c & 0x80))
                break;
        }
        if (i == want)
            return silencepb__mesh_silence__unpack(NULL, n, b->data + pos);
        pos += n;
    }
    return NULL;
}

/* ---- encoding read back by protobuf-c ---- */

Test(silences_codec, encoding_reads_back_with_protobuf_c)
{
    char id[37];
    strcpy(id, sil_create(st, "a=1,b!=2,c=~3.*,d!~4", T0 - MIN, T0 + HOUR + 5, T0 + 7));
    struct buf b = {0};
    encode_store(&b);
    Silencepb__MeshSilence *m = unpack_record(&b, 0);
    cr_assert_not_null(m);
    cr_assert_str_eq(m->silence->id, id);
    cr_assert_eq(m->silence->n_matchers, 4);
    const int types[] = {SILENCEPB__MATCHER__TYPE__EQUAL, SILENCEPB__MATCHER__TYPE__NOT_EQUAL,
                         SILENCEPB__MATCHER__TYPE__REGEXP, SILENCEPB__MATCHER__TYPE__NOT_REGEXP};
    const char *patterns[] = {"1", "2", "3.*", "4"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq((int)m->silence->matchers[i]->type, types[i], "matcher %zu", i);
        cr_assert_str_eq(m->silence->matchers[i]->pattern, patterns[i]);
    }
    cr_assert_eq(m->silence->starts_at->seconds, T0 / NS_PER_SEC);
    cr_assert_eq(m->silence->starts_at->nanos, 7);
    cr_assert_eq(m->silence->ends_at->nanos, 5);
    cr_assert_eq(m->silence->updated_at->nanos, 7);
    cr_assert_eq(m->expires_at->seconds, (T0 + HOUR + RETENTION) / NS_PER_SEC);
    cr_assert_eq(m->expires_at->nanos, 5);
    cr_assert_str_eq(m->silence->created_by, "tester");
    cr_assert_str_eq(m->silence->comment, "a comment");
    silencepb__mesh_silence__free_unpacked(m, NULL);
    free(b.data);
}

Test(silences_codec, empty_state_is_zero_bytes)
{
    struct buf b = {0};
    encode_store(&b);
    cr_assert_eq(b.len, 0);
    free(b.data);
    cr_assert_eq(silences_merge(st, NULL, 0, T0, NULL), 0);
}

Test(silences_codec, go_zero_time_round_trips)
{
    struct pb_fixture f;
    pb_fixture_init(&f, ID1, "x", T0);
    f.sil.updated_at = NULL; /* absent: Go's zero time in 0.25 */
    struct buf in = {0};
    buf_record(&in, &f.mesh);
    cr_assert_eq(merge_buf(&in, T0, NULL), 1);
    cr_assert_eq(silences_get(st, ID1)->updated_at, TIME_ZERO);
    struct buf out = {0};
    encode_store(&out);
    Silencepb__MeshSilence *m = unpack_record(&out, 0);
    cr_assert_not_null(m->silence->updated_at, "0.25 always writes the timestamps");
    cr_assert_eq(m->silence->updated_at->seconds, INT64_C(-62135596800));
    cr_assert_eq(m->silence->updated_at->nanos, 0);
    silencepb__mesh_silence__free_unpacked(m, NULL);
    free(in.data);
    free(out.data);
}

Test(silences_codec, encode_one_is_a_single_record)
{
    char id[37];
    strcpy(id, sil_create(st, "a=1", T0, T0 + HOUR, T0));
    sil_create(st, "a=2", T0, T0 + HOUR, T0);
    struct buf one = {0};
    cr_assert_eq(silences_encode_one(st, id, &one.data, &one.len), SILENCES_OK);
    struct silences *other = silences_new(RETENTION);
    cr_assert_eq(silences_merge(other, one.data, one.len, T0, NULL), 1);
    cr_assert_eq(silences_count(other), 1);
    cr_assert_not_null(silences_get(other, id));
    silences_free(other);
    free(one.data);
    cr_assert_eq(silences_encode_one(st, "nope", &one.data, &one.len), SILENCES_ENOTFOUND);
}

/* ---- merge rules ---- */

Test(silences_codec, merge_takes_new_and_strictly_newer)
{
    struct pb_fixture f;
    struct buf b = {0};
    pb_fixture_init(&f, ID1, "v1", T0);
    buf_record(&b, &f.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1, "unknown id is taken");
    cr_assert_eq(merge_buf(&b, T0, NULL), 0, "same updatedAt keeps ours");
    free(b.data);

    b = (struct buf){0};
    pb_fixture_init(&f, ID1, "v0", T0 - 1);
    buf_record(&b, &f.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 0, "older is ignored");
    free(b.data);

    b = (struct buf){0};
    pb_fixture_init(&f, ID1, "v2", T0 + 1);
    buf_record(&b, &f.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1, "newer wins");
    free(b.data);

    const struct silence *s = silences_get(st, ID1);
    cr_assert_str_eq(s->matchers.items[0].value, "v2");
    cr_assert_str_eq(s->created_by, "peer");
    cr_assert_eq(silences_count(st), 1);
}

Test(silences_codec, merged_silence_is_indexed)
{
    struct pb_fixture f;
    struct buf b = {0};
    pb_fixture_init(&f, ID1, "v1", T0);
    buf_record(&b, &f.mesh);
    merge_buf(&b, T0, NULL);
    free(b.data);
    b = (struct buf){0};
    pb_fixture_init(&f, ID1, "v2", T0 + 1);
    buf_record(&b, &f.mesh);
    merge_buf(&b, T0, NULL);
    free(b.data);
    struct labelset ls;
    labels_build(&ls, "a=v2");
    size_t n;
    const char **ids = silences_mutes(st, &ls, T0, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(ids[0], ID1);
    free(ids);
    labelset_free(&ls);
}

Test(silences_codec, merge_skips_records_past_expiry)
{
    struct pb_fixture f;
    struct buf b = {0};
    pb_fixture_init(&f, ID1, "x", T0);
    buf_record(&b, &f.mesh);
    int64_t expires = T0 + HOUR + RETENTION;
    cr_assert_eq(merge_buf(&b, expires + 1, NULL), 0);
    cr_assert_eq(merge_buf(&b, expires, NULL), 1, "expires_at == now is not before now");
    free(b.data);
}

Test(silences_codec, deprecated_comments_are_upgraded)
{
    struct pb_fixture f;
    pb_fixture_init(&f, ID1, "x", T0);
    Silencepb__Comment c0 = SILENCEPB__COMMENT__INIT, c1 = SILENCEPB__COMMENT__INIT;
    c0.author = "old-author";
    c0.comment = "old comment";
    c1.author = "second";
    c1.comment = "ignored";
    Silencepb__Comment *cs[] = {&c0, &c1};
    f.sil.n_comments = 2;
    f.sil.comments = cs;
    struct buf b = {0};
    buf_record(&b, &f.mesh);
    cr_assert_eq(merge_buf(&b, T0, NULL), 1);
    const struct silence *s = silences_get(st, ID1);
    cr_assert_str_eq(s->created_by, "old-author");
    cr_assert_str_eq(s->comment, "old comment");
    struct buf out = {0};
    encode_store(&out);
    Silencepb__MeshSilence *m = unpack_record(&out, 0);
    cr_assert_eq(m->silence->n_comments, 0, "comments are not written back");
    silencepb__mesh_silence__free_unpacked(m, NULL);
    free(b.data);
    free(out.data);
}

/* ---- fields of newer peers ---- */

struct newer_fields {
    Silencepb__Silence__AnnotationsEntry ann;
    Silencepb__Silence__AnnotationsEntry *anns[1];
    Silencepb__Matcher sm[2];
    Silencepb__Matcher *smp[2];
    Silencepb__MatcherSet set;
    Silencepb__MatcherSet *sets[1];
};

static void newer_fields_add(struct newer_fields *n, struct pb_fixture *f)
{
    *n = (struct newer_fields){.ann = SILENCEPB__SILENCE__ANNOTATIONS_ENTRY__INIT,
                               .sm = {SILENCEPB__MATCHER__INIT, SILENCEPB__MATCHER__INIT},
                               .set = SILENCEPB__MATCHER_SET__INIT};
    n->ann.key = "ticket";
    n->ann.value = "OPS-1";
    n->anns[0] = &n->ann;
    n->sm[0].name = "s";
    n->sm[0].pattern = "one";
    n->sm[1].name = "t";
    n->sm[1].pattern = "tw.";
    n->sm[1].type = SILENCEPB__MATCHER__TYPE__REGEXP;
    n->smp[0] = &n->sm[0];
    n->smp[1] = &n->sm[1];
    n->set.n_matchers = 2;
    n->set.matchers = n->smp;
    n->sets[0] = &n->set;
    f->sil.n_annotations = 1;
    f->sil.annotations = n->anns;
    f->sil.n_matcher_sets = 1;
    f->sil.matcher_sets = n->sets;
}

Test(silences_codec, newer_fields_survive_a_round_trip)
{
    struct pb_fixture f;
    struct newer_fields n;
    pb_fixture_init(&f, ID1, "x", T0);
    newer_fields_add(&n, &f);
    struct buf in = {0};
    buf_record(&in, &f.mesh);
    cr_assert_eq(merge_buf(&in, T0, NULL), 1);
    cr_assert_gt(silences_get(st, ID1)->extra_len, 0);
    cr_assert_eq(silences_get(st, ID1)->matchers.len, 1, "field 2 present: it wins");
    struct buf out = {0};
    encode_store(&out);
    cr_assert_eq(out.len, in.len);
    cr_assert_eq(memcmp(out.data, in.data, in.len), 0, "byte-identical re-encoding");
    Silencepb__MeshSilence *m = unpack_record(&out, 0);
    cr_assert_eq(m->silence->n_annotations, 1);
    cr_assert_str_eq(m->silence->annotations[0]->value, "OPS-1");
    cr_assert_eq(m->silence->n_matcher_sets, 1);
    silencepb__mesh_silence__free_unpacked(m, NULL);
    free(in.data);
    free(out.data);
}

Test(silences_codec, matcher_set_zero_stands_in_for_missing_matchers)
{
    struct pb_fixture f;
    struct newer_fields n;
    pb_fixture_init(&f, ID1, "x", T0);
    newer_fields_add(&n, &f);
    f.sil.n_matchers = 0;
    struct buf in = {0};
    buf_record(&in, &f.mesh);
    cr_assert_eq(merge_buf(&in, T0, NULL), 1);
    const struct silence *s = silences_get(st, ID1);
    cr_assert_eq(s->matchers.len, 2);
    cr_assert_str_eq(s->matchers.items[0].name, "s");
    cr_assert_eq(s->matchers.items[1].type, MATCH_REGEXP);
    cr_assert_str_eq(s->matchers.items[1].value, "tw.");
    struct buf out = {0};
    encode_store(&out);
    Silencepb__MeshSilence *m = unpack_record(&out, 0);
    cr_assert_eq(m->silence->n_matchers, 2, "written to field 2 for 0.25 peers");
    cr_assert_eq(m->silence->n_matcher_sets, 1, "and the sets kept");
    silencepb__mesh_silence__free_unpacked(m, NULL);
    free(in.data);
    free(out.data);
}

Test(silences_codec, uncompilable_regex_from_peer_is_kept_but_never_mutes)
{
    struct pb_fixture f;
    pb_fixture_init(&f, ID1, "(", T0);
    f.m.type = SILENCEPB__MATCHER__TYPE__REGEXP;
    struct buf in = {0};
    buf_record(&in, &f.mesh);
    cr_assert_eq(merge_buf(&in, T0, NULL), 1);
    struct labelset ls;
    labels_build(&ls, "a=(");
    size_t cnt;
    const char **ids = silences_mutes(st, &ls, T0, &cnt);
    cr_assert_eq(cnt, 0);
    free(ids);
    labelset_free(&ls);
    struct buf out = {0};
    encode_store(&out);
    cr_assert_eq(out.len, in.len);
    cr_assert_eq(memcmp(out.data, in.data, in.len), 0);
    free(in.data);
    free(out.data);
}

Test(silences_codec, unrepresentable_records_are_skipped)
{
    struct pb_fixture f;
    struct buf b = {0};
    pb_fixture_init(&f, "an-id-that-is-much-longer-than-a-uuid-string", "x", T0);
    buf_record(&b, &f.mesh);
    pb_fixture_init(&f, ID1, "x", T0);
    f.m.type = 7;
    buf_record(&b, &f.mesh);
    pb_fixture_init(&f, ID2, "x", T0);
    buf_record(&b, &f.mesh);
    char *err = NULL;
    cr_assert_eq(merge_buf(&b, T0, &err), 1);
    cr_assert_null(err);
    cr_assert_not_null(silences_get(st, ID2));
    cr_assert_eq(silences_count(st), 1);
    free(b.data);
}

/* ---- hostile input ---- */

static void assert_merge_fails(const uint8_t *data, size_t len, const char *want_substr)
{
    char *err = NULL;
    cr_assert_eq(silences_merge(st, data, len, T0, &err), -1);
    cr_assert_not_null(err);
    cr_assert(strstr(err, want_substr), "error '%s' lacks '%s'", err, want_substr);
    free(err);
}

Test(silences_codec, malformed_inputs_fail_cleanly)
{
    const uint8_t beyond[] = {0x05, 0x0a, 0x00};
    assert_merge_fails(beyond, sizeof beyond, "truncated");
    const uint8_t huge_len[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0a};
    assert_merge_fails(huge_len, sizeof huge_len, "truncated");
    const uint8_t long_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_merge_fails(long_varint, sizeof long_varint, "truncated");
    const uint8_t no_silence[] = {0x02, 0x12, 0x00};
    assert_merge_fails(no_silence, sizeof no_silence, "invalid state");
    const uint8_t empty_record[] = {0x00};
    assert_merge_fails(empty_record, sizeof empty_record, "invalid state");
    const uint8_t inner_overrun[] = {0x04, 0x0a, 0x02, 0x0a, 0x7f};
    assert_merge_fails(inner_overrun, sizeof inner_overrun, "malformed");
    const uint8_t wrong_type[] = {0x02, 0x08, 0x01};
    assert_merge_fails(wrong_type, sizeof wrong_type, "malformed");
    const uint8_t group[] = {0x04, 0x0a, 0x02, 0x33, 0x34};
    assert_merge_fails(group, sizeof group, "malformed");
    const uint8_t tag_zero[] = {0x02, 0x00, 0x00};
    assert_merge_fails(tag_zero, sizeof tag_zero, "malformed");
    cr_assert_eq(silences_count(st), 0);
}

Test(silences_codec, records_before_a_bad_one_are_kept)
{
    struct pb_fixture f;
    struct buf b = {0};
    pb_fixture_init(&f, ID1, "x", T0);
    buf_record(&b, &f.mesh);
    const uint8_t bad[] = {0x03, 0x0a, 0x05, 0x00};
    buf_add(&b, bad, sizeof bad);
    pb_fixture_init(&f, ID2, "x", T0);
    buf_record(&b, &f.mesh);
    char *err = NULL;
    cr_assert_eq(merge_buf(&b, T0, &err), -1);
    cr_assert_str_eq(err, "silences: record 1: malformed silence");
    free(err);
    cr_assert_not_null(silences_get(st, ID1));
    cr_assert_null(silences_get(st, ID2));
    free(b.data);
}

static uint32_t rng_next(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Every truncation and many random corruptions of a valid state: the merge
 * may fail or succeed, but must stay inside the buffer (ASan checks). */
Test(silences_codec, corrupted_state_never_crashes)
{
    sil_create(st, "a=1,b=~x.*,c!=3", T0, T0 + HOUR, T0);
    sil_create(st, "d!~y", T0 + HOUR, T0 + 2 * HOUR, T0);
    struct pb_fixture f;
    struct newer_fields n;
    pb_fixture_init(&f, ID1, "x", T0);
    newer_fields_add(&n, &f);
    struct buf good = {0};
    encode_store(&good);
    buf_record(&good, &f.mesh);
    for (size_t cut = 0; cut < good.len; cut++) {
        uint8_t *copy = xmalloc(cut ? cut : 1);
        memcpy(copy, good.data, cut);
        struct silences *s = silences_new(RETENTION);
        char *err = NULL;
        silences_merge(s, copy, cut, T0, &err);
        free(err);
        silences_free(s);
        free(copy);
    }
    uint32_t seed = 0x9e3779b9;
    for (int round = 0; round < 5000; round++) {
        uint8_t *copy = xmalloc(good.len);
        memcpy(copy, good.data, good.len);
        int flips = 1 + (int)(rng_next(&seed) % 4);
        for (int i = 0; i < flips; i++)
            copy[rng_next(&seed) % good.len] = (uint8_t)rng_next(&seed);
        struct silences *s = silences_new(RETENTION);
        char *err = NULL;
        if (silences_merge(s, copy, good.len, T0, &err) >= 0) {
            uint8_t *re;
            size_t relen;
            silences_encode(s, &re, &relen);
            free(re);
        }
        free(err);
        silences_free(s);
        free(copy);
    }
    free(good.data);
}
