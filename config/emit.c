/*
 * config/emit.c: YAML output in Go yaml.v2's style, for config_original().
 *
 * libyaml's emitter is the C original of yaml.v2's, so it already indents,
 * wraps at 80 columns and picks single quotes the same way; what yaml.v2 adds
 * on top is the choice of the requested style per string (plain unless the
 * text would read back as another type, literal when multi-line), and its
 * ordering of map keys.  Both are here.
 */
#include "config/internal.h"

#include <ctype.h>
#include <stdlib.h>

struct yout {
    yaml_emitter_t em;
    struct strbuf out;
    /* yaml.v2 remembers a field's `flow` tag until the next collection or
     * struct field it writes; a flow field whose value is a scalar (time
     * intervals' location) therefore turns the next spec or interval into
     * flow style.  Reproduced, since config.original shows it. */
    bool flow_pending;
};

void yout_flow_next(struct yout *o)
{
    o->flow_pending = true;
}

static int yout_write(void *data, unsigned char *buf, size_t size)
{
    strbuf_add(&((struct yout *)data)->out, buf, size);
    return 1;
}

static void yout_event(struct yout *o, yaml_event_t *ev)
{
    /* the events are well-formed by construction, so emitting cannot fail */
    yaml_emitter_emit(&o->em, ev);
}

struct yout *yout_new(void)
{
    struct yout *o = xcalloc(1, sizeof *o);
    yaml_emitter_initialize(&o->em);
    yaml_emitter_set_output(&o->em, yout_write, o);
    yaml_emitter_set_unicode(&o->em, 1);
    yaml_emitter_set_indent(&o->em, 2);
    yaml_emitter_set_width(&o->em, 80);
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    yout_event(o, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    yout_event(o, &ev);
    return o;
}

char *yout_finish(struct yout *o)
{
    yaml_event_t ev;
    yaml_document_end_event_initialize(&ev, 1);
    yout_event(o, &ev);
    yaml_stream_end_event_initialize(&ev);
    yout_event(o, &ev);
    yaml_emitter_flush(&o->em);
    yaml_emitter_delete(&o->em);
    char *s = strbuf_detach(&o->out);
    free(o);
    return s;
}

void yout_map_begin(struct yout *o)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                        o->flow_pending ? YAML_FLOW_MAPPING_STYLE
                                                        : YAML_BLOCK_MAPPING_STYLE);
    o->flow_pending = false;
    yout_event(o, &ev);
}

void yout_map_end(struct yout *o)
{
    yaml_event_t ev;
    yaml_mapping_end_event_initialize(&ev);
    yout_event(o, &ev);
}

void yout_seq_begin(struct yout *o, bool flow)
{
    yaml_event_t ev;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                         flow || o->flow_pending ? YAML_FLOW_SEQUENCE_STYLE
                                                                 : YAML_BLOCK_SEQUENCE_STYLE);
    o->flow_pending = false;
    yout_event(o, &ev);
}

void yout_seq_end(struct yout *o)
{
    yaml_event_t ev;
    yaml_sequence_end_event_initialize(&ev);
    yout_event(o, &ev);
}

static void scalar(struct yout *o, const char *s, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style);
    yout_event(o, &ev);
}

void yout_str(struct yout *o, const char *s)
{
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
    if (strchr(s, '\n'))
        style = YAML_LITERAL_SCALAR_STYLE;
    else if (!yaml_v2_plain_ok(s))
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    scalar(o, s, style);
}

void yout_raw(struct yout *o, const char *s)
{
    scalar(o, s, YAML_PLAIN_SCALAR_STYLE);
}

void yout_null(struct yout *o)
{
    scalar(o, "null", YAML_PLAIN_SCALAR_STYLE);
}

/* A struct field resets the pending flow flag (yaml.v2 sets it per field). */
void yout_key(struct yout *o, const char *k)
{
    yout_str(o, k);
    o->flow_pending = false;
}

void yout_strlist(struct yout *o, const struct config_strlist *l, bool flow)
{
    yout_seq_begin(o, flow);
    for (size_t i = 0; i < l->len; i++)
        yout_str(o, l->items[i]);
    yout_seq_end(o);
}

/* yaml.v2 sorts string keys with letters after everything else and runs of
 * digits compared as numbers, so "a9" comes before "a10". */
static int key_cmp(const char *a, const char *b)
{
    size_t i = 0;
    for (; a[i] && b[i]; i++) {
        if (a[i] == b[i])
            continue;
        bool al = isalpha((unsigned char)a[i]), bl = isalpha((unsigned char)b[i]);
        if (al && bl)
            return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
        if (al || bl)
            return bl ? -1 : 1;
        unsigned long long an = 0, bn = 0;
        size_t ai = i, bi = i;
        if (a[i] == '0' || b[i] == '0')
            for (size_t j = i; j-- > 0 && isdigit((unsigned char)a[j]);)
                if (a[j] != '0') {
                    an = bn = 1;
                    break;
                }
        for (; isdigit((unsigned char)a[ai]); ai++)
            an = an * 10 + (unsigned)(a[ai] - '0');
        for (; isdigit((unsigned char)b[bi]); bi++)
            bn = bn * 10 + (unsigned)(b[bi] - '0');
        if (an != bn)
            return an < bn ? -1 : 1;
        if (ai != bi)
            return ai < bi ? -1 : 1;
        return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
    }
    return a[i] ? 1 : b[i] ? -1 : 0;
}

static int kv_key_cmp(const void *x, const void *y)
{
    return key_cmp(((const struct config_kv *)x)->key, ((const struct config_kv *)y)->key);
}

void yout_strmap(struct yout *o, const struct config_strmap *m)
{
    struct config_kv *sorted = xcalloc(m->len + 1, sizeof *sorted);
    if (m->len)
        memcpy(sorted, m->items, m->len * sizeof *sorted);
    qsort(sorted, m->len, sizeof *sorted, kv_key_cmp);
    yout_map_begin(o);
    for (size_t i = 0; i < m->len; i++) {
        yout_key(o, sorted[i].key);
        yout_str(o, sorted[i].value ? sorted[i].value : "");
    }
    yout_map_end(o);
    free(sorted);
}
