/*
 * One alert: life cycle, the defaults POST /api/v2/alerts applies and the
 * validation Alertmanager 0.25 runs on each posted alert (prometheus/common's
 * model.Alert.Validate).  Knows nothing of the store or of markers.
 */
#include "alerts/alerts.h"
#include "util/util.h"

#include <stdlib.h>

void alert_init(struct alert *a)
{
    *a = (struct alert){
        .labels = LABELSET_INIT,
        .annotations = LABELSET_INIT,
        .generator_url = xstrdup(""),
        .starts_at = TIME_ZERO,
        .ends_at = TIME_ZERO,
        .updated_at = TIME_ZERO,
    };
}

void alert_free(struct alert *a)
{
    labelset_free(&a->labels);
    labelset_free(&a->annotations);
    free(a->generator_url);
    a->generator_url = NULL;
}

void alert_copy(struct alert *dst, const struct alert *src)
{
    *dst = *src;
    dst->labels = (struct labelset)LABELSET_INIT;
    dst->annotations = (struct labelset)LABELSET_INIT;
    labelset_copy(&dst->labels, &src->labels);
    labelset_copy(&dst->annotations, &src->annotations);
    dst->generator_url = xstrdup(src->generator_url ? src->generator_url : "");
}

bool alert_resolved(const struct alert *a, int64_t now)
{
    return a->ends_at != TIME_ZERO && a->ends_at <= now;
}

/* The Prometheus model treats an empty value as an absent label, so the
 * API drops them before validating and fingerprinting.  Annotations keep
 * theirs: 0.25 only cleans the labels. */
static void labels_drop_empty(struct labelset *ls)
{
    size_t out = 0;
    for (size_t i = 0; i < ls->len; i++) {
        if (ls->items[i].value[0] == '\0') {
            free(ls->items[i].name);
            free(ls->items[i].value);
            continue;
        }
        ls->items[out++] = ls->items[i];
    }
    ls->len = out;
}

void alert_apply_defaults(struct alert *a, int64_t now, int64_t resolve_timeout)
{
    a->updated_at = now;
    if (a->starts_at == TIME_ZERO)
        a->starts_at = a->ends_at != TIME_ZERO ? a->ends_at : now;
    if (a->ends_at == TIME_ZERO) {
        a->timeout = true;
        a->ends_at = now + resolve_timeout;
    }
    labels_drop_empty(&a->labels);
}

/* model.LabelSet.Validate: the first bad name or value.  Go walks a map, so
 * its choice among several bad labels is random; name order is ours. */
static char *labelset_check(const struct labelset *ls)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < ls->len; i++) {
        const struct label *l = &ls->items[i];
        if (!label_name_valid(l->name)) {
            strbuf_puts(&sb, "invalid name ");
            strbuf_go_quote(&sb, l->name);
            return strbuf_detach(&sb);
        }
        if (!utf8_valid(l->value, strlen(l->value))) {
            strbuf_puts(&sb, "invalid value ");
            strbuf_go_quote(&sb, l->value);
            return strbuf_detach(&sb);
        }
    }
    return NULL;
}

static int fail(char **err, const char *prefix, char *detail)
{
    *err = xasprintf("%s%s", prefix, detail ? detail : "");
    free(detail);
    return -1;
}

int alert_validate(const struct alert *a, char **err)
{
    char *detail;
    if (a->starts_at == TIME_ZERO)
        return fail(err, "start time missing", NULL);
    if (a->ends_at != TIME_ZERO && a->ends_at < a->starts_at)
        return fail(err, "start time must be before end time", NULL);
    if ((detail = labelset_check(&a->labels)))
        return fail(err, "invalid label set: ", detail);
    if (a->labels.len == 0)
        return fail(err, "at least one label pair required", NULL);
    if ((detail = labelset_check(&a->annotations)))
        return fail(err, "invalid annotations: ", detail);
    return 0;
}
