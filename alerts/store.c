/*
 * The in-memory alert store: one alert per fingerprint, merged on re-post the
 * way Alertmanager 0.25's provider/mem Put and types.Alert.Merge do, listed in
 * fingerprint order and garbage-collected once resolved.  Status markers are
 * in marker.c; this file only drops them with their alert.
 */
#include "alerts/alerts_internal.h"

#include <stdlib.h>

struct alert_store *alert_store_new(void)
{
    struct alert_store *s = xcalloc(1, sizeof *s);
    return s;
}

void alert_store_free(struct alert_store *s)
{
    if (!s)
        return;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&s->alerts, &i, &e);) {
        alert_free(e->value);
        free(e->value);
    }
    hmap_free(&s->alerts);
    alerts__markers_free(s);
    free(s);
}

/* Owns nothing, so alert_free on it is harmless and forgetting it leaks
 * nothing: the state put leaves the caller's alert in. */
static void alert_clear(struct alert *a)
{
    *a = (struct alert){
        .labels = LABELSET_INIT,
        .annotations = LABELSET_INIT,
        .starts_at = TIME_ZERO,
        .ends_at = TIME_ZERO,
        .updated_at = TIME_ZERO,
    };
}

static void alert_move(struct alert *dst, struct alert *a)
{
    *dst = *a;
    alert_clear(a);
}

/* provider/mem: only alerts whose activity ranges overlap are merged; a
 * re-post with the same startsAt and a later endsAt (what Prometheus sends)
 * does not overlap by this test and simply replaces the old one. */
static bool ranges_overlap(const struct alert *old, const struct alert *nw)
{
    return (nw->ends_at > old->starts_at && nw->ends_at < old->ends_at) ||
           (nw->starts_at > old->starts_at && nw->starts_at < old->ends_at);
}

/* types.Alert.Merge: the younger alert (later updatedAt; the new one on a
 * tie) wins, keeping the earliest startsAt; an older endsAt survives only if
 * it is later and either both are resolved, or neither the younger is
 * resolved nor the older's endsAt was synthesized from resolve_timeout.  The
 * result lands in *old, and *nw is consumed. */
static void alert_merge_into(struct alert *old, struct alert *nw, int64_t now)
{
    bool new_younger = !(nw->updated_at < old->updated_at);
    struct alert *young = new_younger ? nw : old;
    struct alert *elder = new_younger ? old : nw;
    int64_t starts = elder->starts_at < young->starts_at ? elder->starts_at : young->starts_at;
    int64_t ends = young->ends_at;

    if (alert_resolved(young, now)) {
        if (alert_resolved(elder, now) && elder->ends_at > young->ends_at)
            ends = elder->ends_at;
    } else if (elder->ends_at > young->ends_at && !elder->timeout) {
        ends = elder->ends_at;
    }
    if (new_younger) {
        alert_free(old);
        alert_move(old, nw);
    } else {
        alert_free(nw);
        alert_clear(nw);
    }
    old->starts_at = starts;
    old->ends_at = ends;
}

const struct alert *alert_store_put(struct alert_store *s, struct alert *a)
{
    a->fingerprint = labelset_fingerprint(&a->labels);
    struct alert *old = hmap_get_u64(&s->alerts, a->fingerprint);
    if (!old) {
        old = xmalloc(sizeof *old);
        alert_move(old, a);
        hmap_put_u64(&s->alerts, old->fingerprint, old);
        return old;
    }
    if (ranges_overlap(old, a)) {
        alert_merge_into(old, a, a->updated_at);
    } else {
        alert_free(old);
        alert_move(old, a);
    }
    return old;
}

const struct alert *alert_store_get(const struct alert_store *s, uint64_t fingerprint)
{
    return hmap_get_u64(&s->alerts, fingerprint);
}

size_t alert_store_count(const struct alert_store *s)
{
    return s->alerts.len;
}

static int alert_cmp_fingerprint(const void *pa, const void *pb)
{
    uint64_t a = (*(const struct alert *const *)pa)->fingerprint;
    uint64_t b = (*(const struct alert *const *)pb)->fingerprint;
    return (a > b) - (a < b);
}

const struct alert **alert_store_list(const struct alert_store *s, size_t *count)
{
    const struct alert **out = xmalloc((s->alerts.len + 1) * sizeof *out);
    size_t n = 0;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&s->alerts, &i, &e);)
        out[n++] = e->value;
    /* Zero-padded hex sorts like the number, so this is the API's order. */
    qsort(out, n, sizeof *out, alert_cmp_fingerprint);
    *count = n;
    return out;
}

size_t alert_store_gc(struct alert_store *s, int64_t now)
{
    size_t removed = 0;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&s->alerts, &i, &e);) {
        struct alert *a = e->value;
        if (!alert_resolved(a, now))
            continue;
        uint64_t fp = a->fingerprint;
        hmap_del_u64(&s->alerts, fp);
        alerts__marker_delete(s, fp);
        alert_free(a);
        free(a);
        removed++;
    }
    return removed;
}
