/*
 * util: the small containers and helpers every chorus module shares.
 *
 * Memory helpers abort on exhaustion (a daemon that cannot allocate a few bytes
 * cannot keep its promises anyway, and checking every small allocation would
 * hide the real error paths).  Time is int64 nanoseconds since the Unix epoch;
 * Go's zero time.Time, which Alertmanager's wire formats use for "unset", is
 * the sentinel TIME_ZERO.  Nothing here knows about alerts, the loop or I/O,
 * except the logger, which writes to stderr.
 */
#ifndef CHORUS_UTIL_H
#define CHORUS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- memory ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- growable string ---- */
struct strbuf {
    char *buf; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
};
#define STRBUF_INIT {NULL, 0, 0}
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);
/* Returns the buffer (never NULL, "" when empty) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
const char *strbuf_cstr(const struct strbuf *sb); /* "" when empty */

/* JSON string literal with quotes, escaped as Go's encoding/json does:
 * invalid UTF-8 becomes \ufffd, U+2028/U+2029 are escaped, and with
 * JSON_ESCAPE_HTML also <, > and & (json.Marshal's default). */
enum { JSON_ESCAPE_HTML = 1 };
void strbuf_json_string(struct strbuf *sb, const char *s, size_t n, int flags);
void strbuf_json_cstr(struct strbuf *sb, const char *s, int flags);
/* Go's strconv.Quote: used for group keys and matcher strings. */
void strbuf_go_quote(struct strbuf *sb, const char *s);

bool utf8_valid(const char *s, size_t n);

/* ---- time ---- */
#define TIME_ZERO INT64_MIN /* Go's time.Time{} (0001-01-01T00:00:00Z) */
#define NS_PER_SEC INT64_C(1000000000)
#define NS_PER_MS INT64_C(1000000)
int64_t time_now(void);              /* wall clock, ns since epoch */
int64_t time_monotonic(void);        /* ns, for measuring intervals */
/* "2026-11-24T13:03:29.152Z": the API's form, exactly 3 fractional digits. */
void time_format_api(int64_t t, char out[32]);
/* Go's RFC3339Nano: trailing zeros of the fraction dropped. */
void time_format_rfc3339nano(int64_t t, char out[40]);
/* Parses RFC 3339 with optional fraction and zone offset.  0001-01-01T00:00:00Z
 * parses as TIME_ZERO.  Returns 0, or -1 when malformed, -2 when out of the
 * representable range (years 1678..2261). */
int time_parse_rfc3339(const char *s, int64_t *out);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12), and
 * back: the calendar arithmetic under every wall-clock computation. */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);
void time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Go's time.ParseDuration ("1h30m", "1.5s", "300ms"), as kingpin flags use.
 * On failure returns -1 and, when err is not NULL, sets *err (caller frees) to
 * Go's message, e.g. "time: unknown unit \"d\" in duration \"1d\"". */
int duration_parse_go(const char *s, int64_t *out_ns, char **err);
/* Prometheus model.Duration ("1w2d", "5m", "0"): what alertmanager.yml uses.
 * Rejects fractions and out-of-order units, like Prometheus does. */
int duration_parse_prom(const char *s, int64_t *out_ns);
/* Prometheus model.Duration.String(): "5m", "4h", "1d", "0s". */
void duration_format_prom(int64_t ns, char out[64]);

/* ---- hashing, ids ---- */
uint64_t hash_fnv1a64(uint64_t h, const void *data, size_t n);
#define FNV1A64_INIT UINT64_C(14695981039346656037)
/* Random RFC 4122 version-4 UUID, lowercase, NUL-terminated (37 bytes). */
void uuid_v4(char out[37]);
bool uuid_valid(const char *s);
void random_bytes(void *buf, size_t n);

/* ---- hash map: byte-string keys (copied) to pointers ---- */
struct hmap_entry {
    char *key; /* NULL: empty slot; HMAP_TOMBSTONE: deleted */
    size_t keylen;
    uint64_t hash;
    void *value;
};
struct hmap {
    struct hmap_entry *slots;
    size_t cap;  /* power of two, or 0 */
    size_t len;  /* live entries */
    size_t used; /* live + tombstones */
};
#define HMAP_INIT {NULL, 0, 0, 0}
void *hmap_get(const struct hmap *m, const void *key, size_t keylen);
/* Inserts or replaces; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const void *key, size_t keylen, void *value);
/* Removes; returns the removed value or NULL. */
void *hmap_del(struct hmap *m, const void *key, size_t keylen);
void hmap_free(struct hmap *m); /* frees keys and slots, not values */
/* Iteration: for (size_t i = 0; hmap_next(m, &i, &e);) ... Deleting the
 * current entry during iteration is allowed; inserting is not. */
bool hmap_next(const struct hmap *m, size_t *pos, struct hmap_entry **out);
static inline void *hmap_get_str(const struct hmap *m, const char *k)
{
    return hmap_get(m, k, strlen(k));
}
static inline void *hmap_get_u64(const struct hmap *m, uint64_t k)
{
    return hmap_get(m, &k, sizeof k);
}
static inline void *hmap_put_u64(struct hmap *m, uint64_t k, void *v)
{
    return hmap_put(m, &k, sizeof k, v);
}
static inline void *hmap_del_u64(struct hmap *m, uint64_t k)
{
    return hmap_del(m, &k, sizeof k);
}

/* ---- logging (logfmt or JSON on stderr, as Alertmanager's go-kit logger) ---- */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
int log_setup(const char *level, const char *format); /* -1 on an unknown value */
bool log_enabled(enum log_level level);
/* Key/value pairs of strings, terminated by NULL:
 *   log_kv(LOG_INFO, "Loading configuration file", "file", path, NULL); */
void log_kv(enum log_level level, const char *msg, ...) __attribute__((sentinel));

/* strerror as Go's syscall.Errno prints it: glibc's text with a lower-case
 * first letter ("no such file or directory").  Thread-local buffer. */
const char *strerror_go(int errnum);

/* ---- files ---- */
/* Reads a whole file; NUL-terminates.  Returns 0 or -errno. */
int file_read_all(const char *path, char **out, size_t *len);
/* Writes to path.tmp<random>, fsyncs, renames over path, fsyncs the dir. */
int file_write_atomic(const char *path, const void *data, size_t len);

/* ---- protobuf wire format ----
 * The few pieces Alertmanager's state messages (MeshSilence, MeshEntry) need
 * for the hand-written codecs of silences/ and nflog/: bounded readers
 * (returning 0 or -1), writers appending to a strbuf, and
 * google.protobuf.Timestamp as 0.25 (gogo, non-nullable stdtime) writes it. */
enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

struct pb_reader {
    const uint8_t *p;
    const uint8_t *end;
};

int pb_read_varint(struct pb_reader *r, uint64_t *v);
int pb_read_tag(struct pb_reader *r, uint32_t *field, int *wire_type);
int pb_read_len(struct pb_reader *r, struct pb_reader *sub);
int pb_skip(struct pb_reader *r, int wire_type);

void pb_put_varint(struct strbuf *sb, uint64_t v);
void pb_put_tag(struct strbuf *sb, uint32_t field, int wire_type);
void pb_put_bytes(struct strbuf *sb, uint32_t field, const void *data, size_t len);
/* Omitted when empty, as proto3 does. */
void pb_put_string(struct strbuf *sb, uint32_t field, const char *s);

/* Go's time.Time{} as a google.protobuf.Timestamp. */
#define PB_GO_ZERO_SECONDS INT64_C(-62135596800)
int64_t pb_time_from_ts(int64_t seconds, int32_t nanos);
void pb_time_to_ts(int64_t t, int64_t *seconds, int32_t *nanos);

/* Reads a length-delimited Timestamp; unknown fields inside are skipped. */
int pb_read_time(struct pb_reader *r, int64_t *out);
/* Writes field as a Timestamp, always present, Go's zero time included. */
void pb_put_time(struct strbuf *sb, uint32_t field, int64_t t);

/* One record of a delimited buffer: 1 when taken, 0 when left out, -1 when
 * malformed, with *why (caller frees) saying how. */
typedef int pb_record_fn(void *ctx, const uint8_t *rec, size_t len, char **why);
/* Walks uvarint-length-delimited records (Go's WriteDelimited form: what
 * Alertmanager's snapshots and state gossip hold), stopping at the first
 * truncated or malformed one.  Returns how many records fn took, or -1 with
 * *err = "<what>: record <n>: <why>"; records before the bad one stay taken. */
int pb_delimited_each(const uint8_t *data, size_t len, const char *what, pb_record_fn *fn,
                      void *ctx, char **err);
/* The same over a whole file (a snapshot).  A missing file holds no records;
 * an unreadable one gives -1 with *err = "<what>: reading <path>: <why>". */
int pb_delimited_load(const char *path, const char *what, pb_record_fn *fn, void *ctx,
                      char **err);

#endif
