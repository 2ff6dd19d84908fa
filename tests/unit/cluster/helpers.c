/*
 * helpers.c: loading the capture fixture and hex conversion for test_cluster.
 */
#include "helpers.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *hex_decode(const char *hex, size_t *len)
{
    uint8_t *out = xmalloc(strlen(hex) / 2 + 1);
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        cr_assert(isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]),
                  "bad hex at \"%.8s\"", p);
        unsigned byte;
        sscanf(p, "%2x", &byte);
        out[n++] = (uint8_t)byte;
        p += 2;
    }
    *len = n;
    return out;
}

void hex_append(struct strbuf *sb, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strbuf_printf(sb, "%02x", p[i]);
}

void capture_load(struct capture *c)
{
    memset(c, 0, sizeof(*c));
    char *text = NULL;
    size_t len = 0;
    int rc = file_read_all(CHORUS_TEST_FIXTURES "/cluster/capture.txt", &text, &len);
    cr_assert_eq(rc, 0, "reading capture.txt");
    size_t cap = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char proto[4], src[32], dst[32];
        int used = 0;
        cr_assert_eq(sscanf(line, "%3s %31s %31s %n", proto, src, dst, &used), 3);
        if (c->len == cap) {
            cap = cap ? 2 * cap : 64;
            c->items = xrealloc(c->items, cap * sizeof(*c->items));
        }
        struct capture_entry *e = &c->items[c->len++];
        e->tcp = strcmp(proto, "tcp") == 0;
        snprintf(e->src, sizeof(e->src), "%s", src);
        snprintf(e->dst, sizeof(e->dst), "%s", dst);
        e->data = hex_decode(line + used, &e->len);
    }
    free(text);
}

void capture_free(struct capture *c)
{
    for (size_t i = 0; i < c->len; i++)
        free(c->items[i].data);
    free(c->items);
    memset(c, 0, sizeof(*c));
}
