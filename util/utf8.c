/*
 * UTF-8 decoding and the two string quotings chorus must reproduce byte for
 * byte: Go's encoding/json string escaping and strconv.Quote.  Both replace
 * or escape invalid UTF-8 the way Go does, so outputs compare equal with
 * Alertmanager's even for hostile label values.
 */
#include "util/util.h"

/* Decodes one rune at s (n bytes left).  Returns its length, or 0 for an
 * invalid sequence (the caller then treats one byte as invalid, as Go's
 * utf8.DecodeRuneInString returns RuneError with width 1). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *rune)
{
    if (s[0] < 0x80) {
        *rune = s[0];
        return 1;
    }
    size_t len;
    uint32_t r, min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2; r = s[0] & 0x1F; min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3; r = s[0] & 0x0F; min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4; r = s[0] & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        r = (r << 6) | (s[i] & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        return 0;
    *rune = r;
    return len;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t r;
    while (i < n) {
        size_t l = utf8_decode(p + i, n - i, &r);
        if (!l)
            return false;
        i += l;
    }
    return true;
}

static const char hexdigits[] = "0123456789abcdef";

void strbuf_json_string(struct strbuf *sb, const char *s, size_t n, int flags)
{
    const unsigned char *p = (const unsigned char *)s;
    strbuf_grow(sb, n + 2);
    strbuf_putc(sb, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            bool html = (flags & JSON_ESCAPE_HTML) && (c == '<' || c == '>' || c == '&');
            if (c >= 0x20 && c != '"' && c != '\\' && !html) {
                strbuf_putc(sb, (char)c);
            } else if (c == '"' || c == '\\') {
                strbuf_putc(sb, '\\');
                strbuf_putc(sb, (char)c);
            } else if (c == '\n') {
                strbuf_puts(sb, "\\n");
            } else if (c == '\r') {
                strbuf_puts(sb, "\\r");
            } else if (c == '\t') {
                strbuf_puts(sb, "\\t");
            } else {
                char esc[7] = {'\\', 'u', '0', '0', hexdigits[c >> 4], hexdigits[c & 15], 0};
                strbuf_puts(sb, esc);
            }
            i++;
            continue;
        }
        uint32_t r;
        size_t l = utf8_decode(p + i, n - i, &r);
        if (!l) {
            strbuf_puts(sb, "\\ufffd");
            i++;
            continue;
        }
        if (r == 0x2028 || r == 0x2029) {
            strbuf_puts(sb, r == 0x2028 ? "\\u2028" : "\\u2029");
        } else {
            strbuf_add(sb, p + i, l);
        }
        i += l;
    }
    strbuf_putc(sb, '"');
}

void strbuf_json_cstr(struct strbuf *sb, const char *s, int flags)
{
    strbuf_json_string(sb, s, strlen(s), flags);
}

/* Go's unicode.IsPrint, approximated: the control ranges, every space other
 * than U+0020 (category Zs), the line and paragraph separators, format
 * characters, noncharacters and private use are not printable.  Label values
 * rarely hold anything else outside ASCII. */
static bool rune_printable(uint32_t r)
{
    if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD)
        return false;
    if (r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x202F || r == 0x205F ||
        r == 0x3000)
        return false;
    if (r == 0x2028 || r == 0x2029 || (r >= 0x200B && r <= 0x200F) ||
        (r >= 0x202A && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF)
        return false;
    /* U+FFFC and U+FFFD (the replacement character) are printable symbols. */
    if ((r >= 0xE000 && r <= 0xF8FF) || (r >= 0xFFF0 && r <= 0xFFFB) ||
        (r & 0xFFFE) == 0xFFFE || r >= 0xF0000)
        return false;
    return true;
}

void strbuf_go_quote(struct strbuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    strbuf_putc(sb, '"');
    while (i < n) {
        unsigned char c = p[i];
        uint32_t r;
        size_t l = utf8_decode(p + i, n - i, &r);
        if (!l) {
            strbuf_printf(sb, "\\x%02x", c);
            i++;
            continue;
        }
        i += l;
        switch (r) {
        case '"': strbuf_puts(sb, "\\\""); continue;
        case '\\': strbuf_puts(sb, "\\\\"); continue;
        case '\a': strbuf_puts(sb, "\\a"); continue;
        case '\b': strbuf_puts(sb, "\\b"); continue;
        case '\f': strbuf_puts(sb, "\\f"); continue;
        case '\n': strbuf_puts(sb, "\\n"); continue;
        case '\r': strbuf_puts(sb, "\\r"); continue;
        case '\t': strbuf_puts(sb, "\\t"); continue;
        case '\v': strbuf_puts(sb, "\\v"); continue;
        default: break;
        }
        if (rune_printable(r)) {
            strbuf_add(sb, p + i - l, l);
        } else if (r < 0x80) {
            strbuf_printf(sb, "\\x%02x", (unsigned)r);
        } else if (r < 0x10000) {
            strbuf_printf(sb, "\\u%04x", (unsigned)r);
        } else {
            strbuf_printf(sb, "\\U%08x", (unsigned)r);
        }
    }
    strbuf_putc(sb, '"');
}
