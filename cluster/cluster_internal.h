/*
 * cluster_internal.h: what cluster/'s files share and nobody else sees: a
 * bounded msgpack reader, the msgpack writer for Go's forms, and struct
 * schemas as tables of Go field names.
 */
#ifndef CHORUS_CLUSTER_INTERNAL_H
#define CHORUS_CLUSTER_INTERNAL_H

#include "cluster/cluster.h"

/* Reader results: decoding a stream that is still arriving tells "the bytes
 * end too early" (MP_SHORT) from "these bytes can never decode" (MP_BAD). */
enum { MP_OK = 0, MP_BAD = -1, MP_SHORT = -2 };

/* msgpack-c's unpacker allocates a container's declared size before looking
 * at its bytes (a 5-byte map32 header can ask for gigabytes), so decoding
 * walks the input with this zero-copy reader instead; msgpack-c writes. */
struct mp_reader {
    const uint8_t *p;
    const uint8_t *end;
    const char *why; /* set on MP_BAD */
};

int mp_read_map(struct mp_reader *r, uint32_t *n);
/* nil, fixstr, str8/16/32 and bin8/16/32, as Go's decoder takes for string and []byte. */
int mp_read_raw(struct mp_reader *r, struct ml_bytes *out);
/* Any integer form; negative or above max is MP_BAD.  nil reads as 0. */
int mp_read_uint(struct mp_reader *r, uint64_t max, uint64_t *v);
int mp_read_int(struct mp_reader *r, int64_t *v);
int mp_read_bool(struct mp_reader *r, bool *v);
int mp_skip(struct mp_reader *r);

/* A Go struct as memberlist encodes it: fields sorted by name. */
enum mp_kind { MP_RAW, MP_BOOL, MP_U8, MP_U16, MP_U32, MP_INT };
struct mp_field {
    const char *name;
    enum mp_kind kind;
    size_t offset;
    bool omitempty;
};
struct mp_schema {
    const char *name; /* for errors: "alive", ... */
    const struct mp_field *fields;
    size_t n_fields;
};

int mp_decode_struct(struct mp_reader *r, const struct mp_schema *s, void *out);
void mp_encode_struct(struct strbuf *sb, const struct mp_schema *s, const void *in);

extern const struct mp_schema ml_schema_ping, ml_schema_indirect_ping, ml_schema_ack,
    ml_schema_nack, ml_schema_err, ml_schema_suspect, ml_schema_alive, ml_schema_node_state,
    ml_schema_compress;

/* *err = "<what>: <why>" when err is not NULL; returns -1. */
int cluster_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The compress wrapper from its type byte on; MP_SHORT while it is still
 * arriving. */
int ml_compress_read(struct mp_reader *r, struct ml_compress *out);

/* One leaf message from a reader positioned after its type byte. */
int ml_msg_decode_body(struct mp_reader *r, enum ml_type type, struct ml_msg *out);

#endif
