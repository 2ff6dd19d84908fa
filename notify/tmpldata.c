/* 0.25's template.Data for one notification (notify.GetTemplateData). */
#include "notify/integrations_internal.h"

#include <stdlib.h>

/* What notify_template_data allocates beyond the borrowed pointers: one
 * block, found again from data->alerts (template_data has no private slot). */
struct tmpldata_block {
    char *receiver;
    char (*fingerprints)[17];
    struct labelset common_labels, common_annotations;
    struct template_alert alerts[];
};

/* Keeps the pairs of common that a has with the same value. */
static void keep_common(struct labelset *common, const struct labelset *a)
{
    for (size_t i = 0; i < common->len;) {
        const char *v = labelset_get(a, common->items[i].name);
        if (v && strcmp(v, common->items[i].value) == 0)
            i++;
        else
            labelset_remove(common, common->items[i].name);
    }
}

void notify_template_data(const struct notify_group *g, struct template_data *out)
{
    struct tmpldata_block *own = xcalloc(1, sizeof *own + g->n_alerts * sizeof own->alerts[0]);
    struct template_alert *alerts = own->alerts;
    own->fingerprints = xcalloc(g->n_alerts ? g->n_alerts : 1, sizeof *own->fingerprints);
    own->receiver = regex_quote_meta(g->receiver);
    for (size_t i = 0; i < g->n_alerts; i++) {
        const struct alert *a = &g->alerts[i];
        bool resolved = alert_resolved(a, g->now);
        fingerprint_format(a->fingerprint, own->fingerprints[i]);
        alerts[i] = (struct template_alert){
            .status = resolved ? "resolved" : "firing",
            .labels = a->labels,
            .annotations = a->annotations,
            .starts_at = a->starts_at,
            /* types.Alerts hides an end time not reached yet. */
            .ends_at = resolved ? a->ends_at : TIME_ZERO,
            .generator_url = a->generator_url ? a->generator_url : "",
            .fingerprint = own->fingerprints[i],
        };
    }
    if (g->n_alerts) {
        labelset_copy(&own->common_labels, &g->alerts[0].labels);
        labelset_copy(&own->common_annotations, &g->alerts[0].annotations);
        for (size_t i = 1; i < g->n_alerts; i++) {
            keep_common(&own->common_labels, &g->alerts[i].labels);
            keep_common(&own->common_annotations, &g->alerts[i].annotations);
        }
    }
    *out = (struct template_data){
        .receiver = own->receiver,
        .status = notify_group_firing(g) ? "firing" : "resolved",
        .alerts = alerts,
        .n_alerts = g->n_alerts,
        .group_labels = g->group_labels ? *g->group_labels : (struct labelset)LABELSET_INIT,
        .common_labels = own->common_labels,
        .common_annotations = own->common_annotations,
        .external_url = g->external_url ? g->external_url : "",
        .by_pointer = true,
    };
}

void notify_template_data_free(struct template_data *d)
{
    if (!d->alerts)
        return;
    struct tmpldata_block *own =
        container_of((struct template_alert *)d->alerts, struct tmpldata_block, alerts);
    free(own->receiver);
    free(own->fingerprints);
    labelset_free(&own->common_labels);
    labelset_free(&own->common_annotations);
    free(own);
    memset(d, 0, sizeof *d);
}
