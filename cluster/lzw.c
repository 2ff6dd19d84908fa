/*
 * lzw.c: LZW in the variant of Go's compress/lzw with LSB bit order and
 * 8-bit literals, which memberlist uses for every stream message: codes 0-255
 * literals, 256 CLEAR, 257 EOF, table entries from 258, code width 9 growing
 * to 12 bits, codes packed least significant bit first.
 */
#include "cluster/cluster_internal.h"

#include <stdlib.h>

#define LIT_WIDTH 8
#define CODE_CLEAR 256
#define CODE_EOF 257
#define MAX_WIDTH 12
#define MAX_CODE ((1 << MAX_WIDTH) - 1)
#define NO_CODE 0xffff

struct bit_writer {
    struct strbuf *out;
    uint32_t bits;
    unsigned n_bits;
    unsigned width;
};

static void put_code(struct bit_writer *w, uint32_t code)
{
    w->bits |= code << w->n_bits;
    w->n_bits += w->width;
    while (w->n_bits >= 8) {
        strbuf_putc(w->out, (char)(w->bits & 0xff));
        w->bits >>= 8;
        w->n_bits -= 8;
    }
}

/* The encoder's dictionary: (prefix code, next byte) -> code, open
 * addressing; an entry packs key << 12 | code, and code >= 258 keeps it
 * non-zero.  It lives on the stack (64 KiB; compressing is frequent and
 * allocating is not free) and only the part the input can fill is used,
 * since every table reset clears it: a short message never makes more codes
 * than it has bytes. */
#define TABLE_MAX 16384
struct dict {
    uint32_t mask;
    uint32_t slot[TABLE_MAX];
};

static void dict_size(struct dict *d, size_t input_len)
{
    uint32_t size = 64;
    while (size < TABLE_MAX && size < 4 * input_len)
        size <<= 1;
    d->mask = size - 1;
}

static uint32_t dict_hash(const struct dict *d, uint32_t key)
{
    return (key ^ key >> 12) & d->mask;
}

static uint32_t dict_get(const struct dict *d, uint32_t key)
{
    for (uint32_t h = dict_hash(d, key);; h = (h + 1) & d->mask) {
        if (!d->slot[h])
            return NO_CODE;
        if (d->slot[h] >> MAX_WIDTH == key)
            return d->slot[h] & MAX_CODE;
    }
}

static void dict_put(struct dict *d, uint32_t key, uint32_t code)
{
    uint32_t h = dict_hash(d, key);
    while (d->slot[h])
        h = (h + 1) & d->mask;
    d->slot[h] = key << MAX_WIDTH | code;
}

struct encoder {
    struct bit_writer w;
    struct dict *dict;
    uint32_t hi;       /* the last code handed out */
    uint32_t overflow; /* the first code that needs one more bit */
};

static void encoder_reset(struct encoder *e)
{
    e->w.width = LIT_WIDTH + 1;
    e->hi = CODE_EOF;
    e->overflow = 1 << (LIT_WIDTH + 1);
    memset(e->dict->slot, 0, ((size_t)e->dict->mask + 1) * sizeof(uint32_t));
}

/* Takes the next code; false when the table was full, which Go answers by
 * sending CLEAR at the current width and starting over. */
static bool encoder_next_code(struct encoder *e)
{
    e->hi++;
    if (e->hi == e->overflow) {
        e->w.width++;
        e->overflow <<= 1;
    }
    if (e->hi == MAX_CODE) {
        put_code(&e->w, CODE_CLEAR);
        encoder_reset(e);
        return false;
    }
    return true;
}

void lzw_encode(struct strbuf *out, const uint8_t *in, size_t len)
{
    struct dict dict;
    dict_size(&dict, len);
    struct encoder e = {.w = {.out = out}, .dict = &dict};
    encoder_reset(&e);
    /* 12 bits per code at worst; one allocation instead of a dozen. */
    strbuf_grow(out, len + len / 2 + 8);
    /* Go writes CLEAR first (GIF's advice), even for empty input. */
    put_code(&e.w, CODE_CLEAR);
    if (len) {
        uint32_t code = in[0];
        for (size_t i = 1; i < len; i++) {
            uint32_t key = code << 8 | in[i];
            uint32_t found = dict_get(e.dict, key);
            if (found != NO_CODE) {
                code = found;
                continue;
            }
            put_code(&e.w, code);
            code = in[i];
            if (encoder_next_code(&e))
                dict_put(e.dict, key, e.hi);
        }
        put_code(&e.w, code);
        encoder_next_code(&e);
    }
    put_code(&e.w, CODE_EOF);
    if (e.w.n_bits)
        strbuf_putc(out, (char)(e.w.bits & 0xff));
}

struct decoder {
    uint16_t prefix[1 << MAX_WIDTH];
    uint8_t suffix[1 << MAX_WIDTH];
    uint8_t first[1 << MAX_WIDTH]; /* first byte of each code's expansion */
    uint8_t scratch[1 << MAX_WIDTH];
};

int lzw_decode(const uint8_t *in, size_t len, size_t max_out, struct strbuf *out, char **err)
{
    if (!max_out)
        max_out = ML_MAX_DECOMPRESSED;
    struct decoder dec, *d = &dec; /* 20 KiB: no allocation per message */
    size_t start = out->len, pos = 0;
    /* Memberlist's messages expand about threefold; growing once up front
     * saves most reallocations. */
    strbuf_grow(out, len < max_out / 3 ? 3 * len : max_out);
    uint32_t bits = 0, n_bits = 0, width = LIT_WIDTH + 1;
    uint32_t hi = CODE_EOF, overflow = 1 << width, last = NO_CODE;
    const char *why = NULL;
    for (uint32_t i = 0; i < CODE_CLEAR; i++)
        d->first[i] = (uint8_t)i;
    for (;;) {
        while (n_bits < width && pos < len) {
            bits |= (uint32_t)in[pos++] << n_bits;
            n_bits += 8;
        }
        if (n_bits < width) {
            why = "unexpected end of data (no EOF code)";
            break;
        }
        uint32_t code = bits & ((1u << width) - 1);
        bits >>= width;
        n_bits -= width;
        if (code == CODE_CLEAR) {
            width = LIT_WIDTH + 1;
            hi = CODE_EOF;
            overflow = 1 << width;
            last = NO_CODE;
            continue;
        }
        if (code == CODE_EOF)
            break;
        if (code > hi || (code == hi && last == NO_CODE)) {
            why = "invalid code";
            break;
        }
        /* Expand back to front into scratch; code == hi is the KwKwK case:
         * last's expansion followed by its own first byte. */
        size_t n = 0, cap = sizeof(d->scratch);
        uint32_t c = code;
        if (code == hi) {
            d->scratch[cap - ++n] = d->first[last];
            c = last;
        }
        while (c >= CODE_CLEAR) {
            d->scratch[cap - ++n] = d->suffix[c];
            c = d->prefix[c];
        }
        d->scratch[cap - ++n] = (uint8_t)c;
        if (out->len - start + n > max_out) {
            why = "output over the size cap";
            break;
        }
        strbuf_add(out, d->scratch + cap - n, n);
        if (last != NO_CODE) {
            d->prefix[hi] = (uint16_t)last;
            d->suffix[hi] = (uint8_t)c;
            d->first[hi] = d->first[last];
        }
        last = code;
        hi++;
        if (hi >= overflow) {
            if (width == MAX_WIDTH) {
                /* Table full: stop defining entries until a CLEAR. */
                last = NO_CODE;
                hi--;
            } else {
                width++;
                overflow <<= 1;
            }
        }
    }
    if (why) {
        out->len = start;
        if (out->buf)
            out->buf[start] = '\0';
        return cluster_fail(err, "lzw: %s", why);
    }
    return 0;
}
