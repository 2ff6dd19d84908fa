/*
 * Status markers: what the silencer and the inhibitor last decided for each
 * fingerprint, as Alertmanager 0.25's memMarker keeps it.  A fingerprint
 * nobody has decided on is unprocessed; once either decision is recorded it
 * is suppressed while silencedBy or inhibitedBy is non-empty, else active.
 */
#include "alerts/alerts_internal.h"

#include <stdlib.h>

static const char *const state_names[] = {
    [ALERT_UNPROCESSED] = "unprocessed",
    [ALERT_ACTIVE] = "active",
    [ALERT_SUPPRESSED] = "suppressed",
};

const char *alert_state_name(enum alert_state st)
{
    if ((size_t)st >= ARRAY_SIZE(state_names))
        return "unprocessed";
    return state_names[st];
}

static void status_free(struct alert_status *st)
{
    for (size_t i = 0; i < st->n_silenced; i++)
        free(st->silenced_by[i]);
    free(st->silenced_by);
    free(st->inhibited_by);
    free(st);
}

void alerts__marker_delete(struct alert_store *s, uint64_t fp)
{
    struct alert_status *st = hmap_del_u64(&s->markers, fp);
    if (st)
        status_free(st);
}

void alerts__markers_free(struct alert_store *s)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&s->markers, &i, &e);)
        status_free(e->value);
    hmap_free(&s->markers);
}

const struct alert_status *alert_store_status(const struct alert_store *s, uint64_t fp)
{
    return hmap_get_u64(&s->markers, fp);
}

static struct alert_status *status_get_or_add(struct alert_store *s, uint64_t fp)
{
    struct alert_status *st = hmap_get_u64(&s->markers, fp);
    if (!st) {
        st = xcalloc(1, sizeof *st);
        hmap_put_u64(&s->markers, fp, st);
    }
    return st;
}

static void status_update_state(struct alert_status *st)
{
    st->state = st->n_silenced || st->n_inhibited ? ALERT_SUPPRESSED : ALERT_ACTIVE;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void alert_store_set_silenced(struct alert_store *s, uint64_t fp, char *const *ids, size_t n)
{
    struct alert_status *st = status_get_or_add(s, fp);
    for (size_t i = 0; i < st->n_silenced; i++)
        free(st->silenced_by[i]);
    free(st->silenced_by);
    st->silenced_by = n ? xmalloc(n * sizeof *st->silenced_by) : NULL;
    for (size_t i = 0; i < n; i++)
        st->silenced_by[i] = xstrdup(ids[i]);
    st->n_silenced = n;
    if (n > 1)
        qsort(st->silenced_by, n, sizeof *st->silenced_by, cmp_str);
    status_update_state(st);
}

void alert_store_set_inhibited(struct alert_store *s, uint64_t fp, const uint64_t *fps,
                               size_t n)
{
    struct alert_status *st = status_get_or_add(s, fp);
    free(st->inhibited_by);
    st->inhibited_by = n ? xmalloc(n * sizeof *st->inhibited_by) : NULL;
    if (n)
        memcpy(st->inhibited_by, fps, n * sizeof *fps);
    st->n_inhibited = n;
    status_update_state(st);
}

void alert_store_count_states(const struct alert_store *s, int64_t now, size_t counts[3])
{
    counts[ALERT_UNPROCESSED] = counts[ALERT_ACTIVE] = counts[ALERT_SUPPRESSED] = 0;
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&s->alerts, &i, &e);) {
        const struct alert *a = e->value;
        if (alert_resolved(a, now))
            continue;
        const struct alert_status *st = hmap_get_u64(&s->markers, a->fingerprint);
        counts[st ? st->state : ALERT_UNPROCESSED]++;
    }
}
