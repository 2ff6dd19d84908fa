/*
 * codec.c: one MeshSilence record to and from Alertmanager's protobuf bytes
 * (field numbers in silence.proto and the gossip wire reference §4.2).
 *
 * Encoding reproduces what Alertmanager 0.25 (gogo, non-nullable stdtime)
 * writes: fields in number order, proto3 defaults omitted, but the four
 * timestamps always present, Go's zero time as seconds -62135596800.  Fields
 * of the Silence that chorus does not interpret (annotations 10, matcher sets
 * 11 and 12 of newer peers, anything unknown) are kept as raw bytes and
 * written back after field 9, where their numbers put them.
 *
 * Deliberately hand-written rather than protobuf-c: keeping those fields
 * byte for byte, and bounding every read of hostile input, needs the wire
 * level anyway.  Unknown fields inside Matcher, Comment or Timestamp are
 * dropped; strings are C strings, so bytes after an embedded NUL are lost.
 */
#include "silences/silences_internal.h"

#include <stdlib.h>

enum { DECODE_OK = 0, DECODE_SKIP = 1, DECODE_BAD = -1 };

static int bad(char **err, const char *what)
{
    *err = xstrdup(what);
    return DECODE_BAD;
}

static char *reader_string(const struct pb_reader *r)
{
    return xstrndup((const char *)r->p, (size_t)(r->end - r->p));
}

/* ---- decoding ---- */

static int read_string_field(struct pb_reader *r, int wt, char **dst)
{
    struct pb_reader sub;
    if (wt != PB_LEN || pb_read_len(r, &sub) != 0)
        return -1;
    free(*dst);
    *dst = reader_string(&sub);
    return 0;
}

/* silencepb.Matcher.Type to chorus' enum; -1 for a type 0.25 does not know. */
static int matcher_type_from_pb(uint64_t t)
{
    switch (t) {
    case 0:
        return MATCH_EQUAL;
    case 1:
        return MATCH_REGEXP;
    case 2:
        return MATCH_NOT_EQUAL;
    case 3:
        return MATCH_NOT_REGEXP;
    default:
        return -1;
    }
}

static int matcher_type_to_pb(enum matcher_type t)
{
    switch (t) {
    case MATCH_REGEXP:
        return 1;
    case MATCH_NOT_EQUAL:
        return 2;
    case MATCH_NOT_REGEXP:
        return 3;
    case MATCH_EQUAL:
        break;
    }
    return 0;
}

/* A matcher of an unknown type cannot be evaluated or shown; Alertmanager
 * itself fails every query over such a silence, so the record is skipped. */
static int decode_matcher(struct pb_reader *r, struct silence *sil)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return DECODE_BAD;
    uint64_t type = 0;
    char *name = xstrdup(""), *value = xstrdup("");
    int rc = DECODE_OK;
    while (rc == DECODE_OK && m.p < m.end) {
        uint32_t f;
        int wt;
        if (pb_read_tag(&m, &f, &wt) != 0)
            rc = DECODE_BAD;
        else if (f == 1)
            rc = (wt == PB_VARINT && pb_read_varint(&m, &type) == 0) ? DECODE_OK : DECODE_BAD;
        else if (f == 2 || f == 3)
            rc = read_string_field(&m, wt, f == 2 ? &name : &value) == 0 ? DECODE_OK : DECODE_BAD;
        else
            rc = pb_skip(&m, wt) == 0 ? DECODE_OK : DECODE_BAD;
    }
    int t = matcher_type_from_pb(type);
    if (rc == DECODE_OK && t < 0)
        rc = DECODE_SKIP;
    if (rc == DECODE_OK)
        silence_add_matcher(sil, (enum matcher_type)t, name, value);
    free(name);
    free(value);
    return rc;
}

struct comment_pb {
    bool seen;
    char *author;
    char *comment;
};

/* Only the first deprecated Comment matters: it becomes createdBy/comment. */
static int decode_comment(struct pb_reader *r, struct comment_pb *c)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return -1;
    if (c->seen)
        return 0;
    c->seen = true;
    c->author = xstrdup("");
    c->comment = xstrdup("");
    while (m.p < m.end) {
        uint32_t f;
        int wt;
        if (pb_read_tag(&m, &f, &wt) != 0)
            return -1;
        int rc = (f == 1 || f == 2) ? read_string_field(&m, wt, f == 1 ? &c->author : &c->comment)
                                    : pb_skip(&m, wt);
        if (rc != 0)
            return -1;
    }
    return 0;
}

struct silence_pb {
    struct silence *sil;
    struct strbuf extra;
    struct comment_pb comment;
    size_t matchers_seen;
    struct pb_reader first_set; /* field 11's first MatcherSet, if any */
    bool has_set;
    bool id_unusable;
};

static int decode_id(struct pb_reader *r, int wt, struct silence_pb *d)
{
    struct pb_reader sub;
    if (wt != PB_LEN || pb_read_len(r, &sub) != 0)
        return DECODE_BAD;
    size_t n = (size_t)(sub.end - sub.p);
    /* Ids are UUIDs everywhere; one that does not fit struct silence's
     * buffer, or has a NUL inside, could not be looked up faithfully. */
    d->id_unusable = n >= sizeof d->sil->id || memchr(sub.p, '\0', n) != NULL;
    if (!d->id_unusable) {
        memcpy(d->sil->id, sub.p, n);
        d->sil->id[n] = '\0';
    }
    return DECODE_OK;
}

static void keep_raw(struct silence_pb *d, const uint8_t *from, const uint8_t *to, uint32_t f,
                     int wt)
{
    if (f == 11 && wt == PB_LEN && !d->has_set) {
        struct pb_reader r = {from, to};
        uint32_t ff;
        int wwt;
        if (pb_read_tag(&r, &ff, &wwt) == 0 && pb_read_len(&r, &d->first_set) == 0)
            d->has_set = true;
    }
    strbuf_add(&d->extra, from, (size_t)(to - from));
}

static int decode_silence_field(struct pb_reader *r, struct silence_pb *d)
{
    const uint8_t *start = r->p;
    uint32_t f;
    int wt;
    if (pb_read_tag(r, &f, &wt) != 0)
        return DECODE_BAD;
    struct silence *sil = d->sil;
    switch (f) {
    case 1:
        return decode_id(r, wt, d);
    case 2:
        d->matchers_seen++;
        return wt == PB_LEN ? decode_matcher(r, sil) : DECODE_BAD;
    case 3:
    case 4:
    case 5: {
        int64_t *t = f == 3 ? &sil->starts_at : f == 4 ? &sil->ends_at : &sil->updated_at;
        return (wt == PB_LEN && pb_read_time(r, t) == 0) ? DECODE_OK : DECODE_BAD;
    }
    case 7:
        return (wt == PB_LEN && decode_comment(r, &d->comment) == 0) ? DECODE_OK : DECODE_BAD;
    case 8:
    case 9:
        return read_string_field(r, wt, f == 8 ? &sil->created_by : &sil->comment) == 0
                   ? DECODE_OK
                   : DECODE_BAD;
    default:
        if (pb_skip(r, wt) != 0)
            return DECODE_BAD;
        keep_raw(d, start, r->p, f, wt);
        return DECODE_OK;
    }
}

/* 0.32+ peers may carry the matchers only in matcher_sets; set 0 is what
 * they copy into field 2 for older peers, so it is what 0.25 would see. */
static int matchers_from_first_set(struct silence_pb *d)
{
    struct pb_reader r = d->first_set;
    while (r.p < r.end) {
        uint32_t f;
        int wt;
        if (pb_read_tag(&r, &f, &wt) != 0)
            return DECODE_BAD;
        int rc = (f == 1 && wt == PB_LEN) ? decode_matcher(&r, d->sil)
                                           : (pb_skip(&r, wt) == 0 ? DECODE_OK : DECODE_BAD);
        if (rc != DECODE_OK)
            return rc;
    }
    return DECODE_OK;
}

static void silence_pb_finish(struct silence_pb *d)
{
    struct silence *sil = d->sil;
    if (d->comment.seen) {
        free(sil->comment);
        free(sil->created_by);
        sil->comment = d->comment.comment;
        sil->created_by = d->comment.author;
        d->comment.comment = d->comment.author = NULL;
    }
    free(sil->extra);
    sil->extra_len = d->extra.len;
    sil->extra = d->extra.len ? (uint8_t *)strbuf_detach(&d->extra) : NULL;
}

static int decode_silence(struct pb_reader *r, struct silence *sil)
{
    struct pb_reader m;
    if (pb_read_len(r, &m) != 0)
        return DECODE_BAD;
    struct silence_pb d = {.sil = sil, .extra = STRBUF_INIT};
    int rc = DECODE_OK;
    while (rc != DECODE_BAD && m.p < m.end) {
        int frc = decode_silence_field(&m, &d);
        if (frc != DECODE_OK)
            rc = frc;
    }
    if (rc == DECODE_OK && d.matchers_seen == 0 && d.has_set)
        rc = matchers_from_first_set(&d);
    if (rc == DECODE_OK && d.id_unusable)
        rc = DECODE_SKIP;
    silence_pb_finish(&d);
    strbuf_free(&d.extra);
    free(d.comment.author);
    free(d.comment.comment);
    return rc;
}

static int decode_mesh(struct pb_reader *r, struct sil_record *out, char **err)
{
    bool has_silence = false;
    int rc = DECODE_OK;
    while (r->p < r->end) {
        uint32_t f;
        int wt;
        if (pb_read_tag(r, &f, &wt) != 0)
            return bad(err, "malformed field tag");
        if (f == 1 && wt == PB_LEN) {
            int src = decode_silence(r, &out->sil);
            has_silence = true;
            if (src == DECODE_BAD)
                return bad(err, "malformed silence");
            if (src == DECODE_SKIP)
                rc = DECODE_SKIP;
        } else if (f == 2 && wt == PB_LEN) {
            if (pb_read_time(r, &out->expires_at) != 0)
                return bad(err, "malformed expires_at");
        } else if (f == 1 || f == 2 || pb_skip(r, wt) != 0) {
            return bad(err, "malformed field");
        }
    }
    /* Alertmanager's ErrInvalidState. */
    if (!has_silence)
        return bad(err, "invalid state");
    return rc;
}

int sil_record_decode(const uint8_t *data, size_t len, struct sil_record *out, char **err)
{
    struct pb_reader r = {data, data + len};
    silence_init(&out->sil);
    /* gogo's non-nullable times read as Go's zero time when absent. */
    out->sil.starts_at = out->sil.ends_at = out->sil.updated_at = TIME_ZERO;
    out->expires_at = TIME_ZERO;
    int rc = decode_mesh(&r, out, err);
    if (rc != DECODE_OK)
        silence_free(&out->sil);
    return rc;
}

/* ---- encoding ---- */

static void put_matcher(struct strbuf *sb, const struct matcher *mt)
{
    struct strbuf m = STRBUF_INIT;
    int type = matcher_type_to_pb(mt->type);
    if (type != 0) {
        pb_put_tag(&m, 1, PB_VARINT);
        pb_put_varint(&m, (uint64_t)type);
    }
    pb_put_string(&m, 2, mt->name);
    pb_put_string(&m, 3, mt->value);
    pb_put_bytes(sb, 2, m.buf, m.len);
    strbuf_free(&m);
}

static void put_silence(struct strbuf *sb, const struct silence *sil)
{
    struct strbuf m = STRBUF_INIT;
    pb_put_string(&m, 1, sil->id);
    for (size_t i = 0; i < sil->matchers.len; i++)
        put_matcher(&m, &sil->matchers.items[i]);
    pb_put_time(&m, 3, sil->starts_at);
    pb_put_time(&m, 4, sil->ends_at);
    pb_put_time(&m, 5, sil->updated_at);
    pb_put_string(&m, 8, sil->created_by);
    pb_put_string(&m, 9, sil->comment);
    if (sil->extra_len)
        strbuf_add(&m, sil->extra, sil->extra_len);
    pb_put_bytes(sb, 1, m.buf, m.len);
    strbuf_free(&m);
}

void sil_record_encode(struct strbuf *out, const struct silence *sil, int64_t expires_at)
{
    struct strbuf m = STRBUF_INIT;
    put_silence(&m, sil);
    pb_put_time(&m, 2, expires_at);
    pb_put_varint(out, m.len);
    strbuf_add(out, m.buf, m.len);
    strbuf_free(&m);
}
