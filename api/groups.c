/*
 * GET /api/v2/alerts/groups.  Groups are computed from the visible alerts
 * (dispatch/ owns grouping and order); the receiver filter then drops whole
 * groups by their route's receiver, and each alert lists the receivers of
 * every remaining group that holds it, sorted, as Alertmanager does.
 */
#include "api/api_internal.h"
#include "config/config.h"
#include "dispatch/dispatch.h"

#include <stdlib.h>

struct recv_list {
    const char **names;
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void recv_add(struct hmap *by_fp, uint64_t fp, const char *name)
{
    struct recv_list *l = hmap_get_u64(by_fp, fp);
    if (!l) {
        l = xcalloc(1, sizeof *l);
        hmap_put_u64(by_fp, fp, l);
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 2;
        l->names = xrealloc(l->names, l->cap * sizeof *l->names);
    }
    l->names[l->n++] = name;
}

static void recv_map_free(struct hmap *m)
{
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(m, &i, &e);) {
        struct recv_list *l = e->value;
        free(l->names);
        free(l);
    }
    hmap_free(m);
}

static const struct alert **visible_alerts(struct api_state *st,
                                           const struct api_alert_filter *f, int64_t now,
                                           size_t *count)
{
    size_t n = 0;
    const struct alert **list = alert_store_list(st->alerts, &n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (api_alert_visible(st, f, list[i], now))
            list[k++] = list[i];
    *count = k;
    return list;
}

static void enc_group(struct strbuf *sb, struct api_state *st, const struct dispatch_group *g,
                      const struct hmap *by_fp)
{
    strbuf_puts(sb, "{\"alerts\":[");
    for (size_t j = 0; j < g->n_alerts; j++) {
        const struct alert *a = g->alerts[j];
        const struct recv_list *l = hmap_get_u64(by_fp, a->fingerprint);
        if (j)
            strbuf_putc(sb, ',');
        api_enc_alert(sb, a, alert_store_status(st->alerts, a->fingerprint), l->names, l->n);
    }
    strbuf_puts(sb, "],\"labels\":");
    api_enc_labelset(sb, &g->labels);
    strbuf_puts(sb, ",\"receiver\":{\"name\":");
    strbuf_json_cstr(sb, g->route->receiver, JSON_ESCAPE_HTML);
    strbuf_puts(sb, "}}");
}

void api_h_groups_get(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    struct api_alert_filter f;
    if (api_alert_filter_parse(req, &f, resp) < 0) {
        api_alert_filter_free(&f);
        return;
    }
    f.unprocessed = true; /* 0.25 ignores the parameter here */
    size_t n = 0, ng = 0;
    const struct alert **alerts = visible_alerts(st, &f, req->now, &n);
    struct dispatch_group *groups =
        dispatch_groups_compute(config_route_root(st->config), alerts, n, &ng);
    bool *keep = xcalloc(ng ? ng : 1, sizeof *keep);
    struct hmap by_fp = HMAP_INIT;
    for (size_t i = 0; i < ng; i++) {
        keep[i] = api_receiver_matches(&f, groups[i].route->receiver);
        for (size_t j = 0; keep[i] && j < groups[i].n_alerts; j++)
            recv_add(&by_fp, groups[i].alerts[j]->fingerprint, groups[i].route->receiver);
    }
    struct hmap_entry *e;
    for (size_t i = 0; hmap_next(&by_fp, &i, &e);) {
        struct recv_list *l = e->value;
        qsort(l->names, l->n, sizeof *l->names, cmp_str);
    }
    strbuf_putc(&resp->body, '[');
    for (size_t i = 0, shown = 0; i < ng; i++) {
        if (!keep[i])
            continue;
        if (shown++)
            strbuf_putc(&resp->body, ',');
        enc_group(&resp->body, st, &groups[i], &by_fp);
    }
    strbuf_putc(&resp->body, ']');
    api_resp_json(resp, 200);
    recv_map_free(&by_fp);
    free(keep);
    dispatch_groups_free(groups, ng);
    free(alerts);
    api_alert_filter_free(&f);
}
