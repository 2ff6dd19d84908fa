/*
 * test_lzw.c: Go's compress/lzw (LSB, 8-bit literals).  Byte-for-byte
 * agreement with Go's encoder on real traffic is in test_capture.c (18
 * compressed messages); here: codes worked out from the format by hand,
 * round trips through table resets, and what the decoder must accept and
 * refuse.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "helpers.h"

static void expect_encoding(const char *in, const char *want_hex)
{
    size_t want_len;
    uint8_t *want = hex_decode(want_hex, &want_len);
    struct strbuf out = STRBUF_INIT;
    lzw_encode(&out, (const uint8_t *)in, strlen(in));
    cr_assert(out.len == want_len && memcmp(out.buf, want, want_len) == 0,
              "\"%s\" encodes to %zu bytes, want %s", in, out.len, want_hex);
    strbuf_free(&out);
    free(want);
}

/* CLEAR=256 and EOF=257 at 9 bits, packed LSB first. */
Test(lzw, go_vectors)
{
    expect_encoding("", "000302");        /* CLEAR EOF */
    expect_encoding("a", "00c30404");     /* CLEAR 'a' EOF */
    expect_encoding("aaa", "00c3080c08"); /* CLEAR 'a' 258("aa") EOF */
}

static void round_trip(const uint8_t *in, size_t len)
{
    struct strbuf z = STRBUF_INIT, back = STRBUF_INIT;
    lzw_encode(&z, in, len);
    char *err = NULL;
    cr_assert_eq(lzw_decode((const uint8_t *)z.buf, z.len, len + 1, &back, &err), 0, "%s", err);
    cr_assert_eq(back.len, len);
    cr_assert(len == 0 || memcmp(back.buf, in, len) == 0);
    strbuf_free(&z);
    strbuf_free(&back);
}

Test(lzw, round_trips_through_full_tables)
{
    /* Random bytes fill the 4096-entry table many times over (CLEAR at 12
     * bits); runs of one byte grow long codes; text sits in between. */
    size_t n = 300000;
    uint8_t *buf = xmalloc(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245 + 12345;
        buf[i] = (uint8_t)(x >> 16);
    }
    round_trip(buf, n);
    memset(buf, 'z', n);
    round_trip(buf, n);
    for (size_t i = 0; i < n; i++)
        buf[i] = "silence alertname=Test job=foo "[i % 31];
    round_trip(buf, n);
    for (size_t len = 0; len < 600; len++)
        round_trip(buf + 7, len);
    free(buf);
}

static int decode_hex(const char *hex, size_t max_out, struct strbuf *out, char **err)
{
    size_t len;
    uint8_t *in = hex_decode(hex, &len);
    int rc = lzw_decode(in, len, max_out, out, err);
    free(in);
    return rc;
}

Test(lzw, decoder_accepts_streams_without_leading_clear)
{
    /* Go before ~1.17 started with a literal: 'a' EOF. */
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    cr_assert_eq(decode_hex("610202", 0, &out, &err), 0, "%s", err);
    cr_assert_str_eq(strbuf_cstr(&out), "a");
    strbuf_free(&out);
}

Test(lzw, decoder_refuses_bad_streams)
{
    struct strbuf out = STRBUF_INIT;
    char *err = NULL;
    /* CLEAR 'a' then stop: no EOF. */
    cr_assert_eq(decode_hex("00c300", 0, &out, &err), -1);
    cr_assert(strstr(err, "EOF"), "%s", err);
    free(err);
    /* CLEAR then code 300, above anything defined. */
    cr_assert_eq(decode_hex("00590604", 0, &out, &err), -1);
    cr_assert(strstr(err, "invalid code"), "%s", err);
    free(err);
    /* Nothing at all. */
    cr_assert_eq(decode_hex("", 0, &out, &err), -1);
    free(err);
    cr_assert_eq(out.len, 0, "a failed decode appends nothing");
    strbuf_free(&out);
}

Test(lzw, decoder_caps_output)
{
    size_t n = 100000;
    uint8_t *zeros = xcalloc(n, 1);
    struct strbuf z = STRBUF_INIT, out = STRBUF_INIT;
    lzw_encode(&z, zeros, n);
    cr_assert_lt(z.len, 2000, "a run compresses well");
    char *err = NULL;
    cr_assert_eq(lzw_decode((const uint8_t *)z.buf, z.len, n - 1, &out, &err), -1);
    cr_assert(strstr(err, "cap"), "%s", err);
    free(err);
    cr_assert_eq(lzw_decode((const uint8_t *)z.buf, z.len, n, &out, &err), 0);
    cr_assert_eq(out.len, n);
    strbuf_free(&z);
    strbuf_free(&out);
    free(zeros);
}
