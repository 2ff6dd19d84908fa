/*
 * fuzz_common.h: small helpers shared by the libFuzzer targets in tests/fuzz:
 * NUL-terminated copies of the fuzzer's bytes and splitting an input in two.
 */
#ifndef CHORUS_FUZZ_COMMON_H
#define CHORUS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd NUL-terminated copy of data[0..len) (embedded NULs are kept, so
 * C-string consumers see only the prefix up to the first one). */
static inline char *fuzz_cstr(const uint8_t *data, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        abort();
    if (len)
        memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

/* Splits data at the first NUL: the head becomes *a (NUL-terminated copy)
 * and what follows the NUL becomes *b; without a NUL, *b is "". */
static inline void fuzz_split(const uint8_t *data, size_t len, char **a, char **b)
{
    const uint8_t *nul = len ? memchr(data, 0, len) : NULL;
    size_t alen = nul ? (size_t)(nul - data) : len;
    *a = fuzz_cstr(data, alen);
    *b = nul ? fuzz_cstr(nul + 1, len - alen - 1) : fuzz_cstr(NULL, 0);
}

#endif
