/*
 * GET and POST /api/v2/alerts.  Reading recomputes each listed alert's
 * silence status first, as Alertmanager's API does, so the state shown is
 * current even before the pipeline has seen the alert.  Inhibition is left as
 * the marker has it.  Posting stores the valid alerts of a batch even when
 * others fail, and answers with the failures joined by "; ".
 */
#include "api/api_internal.h"
#include "config/config.h"
#include "dispatch/dispatch.h"
#include "inhibit/inhibit.h"

int api_alert_filter_parse(const struct api_req *req, struct api_alert_filter *f,
                           struct api_resp *resp)
{
    char *err = NULL;
    memset(f, 0, sizeof *f);
    if (api_query_filters(req, &f->matchers, &err) < 0) {
        api_resp_errstr(resp, 400, err);
        free(err);
        return -1;
    }
    const char *recv = api_query_get(req, "receiver");
    if (recv && *recv) {
        f->receiver = regex_compile(recv, true, &err);
        if (!f->receiver) {
            char *msg = xasprintf("failed to parse receiver param: %s", err);
            api_resp_errstr(resp, 400, msg);
            free(msg);
            free(err);
            return -1;
        }
    }
    f->active = api_query_bool(req, "active", true);
    f->silenced = api_query_bool(req, "silenced", true);
    f->inhibited = api_query_bool(req, "inhibited", true);
    f->unprocessed = api_query_bool(req, "unprocessed", true);
    return 0;
}

void api_alert_filter_free(struct api_alert_filter *f)
{
    matchers_free(&f->matchers);
    if (f->receiver)
        regex_free(f->receiver);
    f->receiver = NULL;
}

bool api_receiver_matches(const struct api_alert_filter *f, const char *receiver)
{
    return !f->receiver || regex_match(f->receiver, receiver, strlen(receiver));
}

/* Alertmanager's API recomputes the inhibitor's verdict, then the silencer's,
 * for every alert it lists. */
static void alert_refresh_inhibited(struct api_state *st, const struct alert *a, int64_t now)
{
    uint64_t source = 0;
    bool muted = st->inhibitor && inhibitor_mutes(st->inhibitor, &a->labels, now, &source);
    alert_store_set_inhibited(st->alerts, a->fingerprint, &source, muted ? 1 : 0);
}

static void alert_refresh_silenced(struct api_state *st, const struct alert *a, int64_t now)
{
    size_t n = 0;
    const char **ids = silences_mutes(st->silences, &a->labels, now, &n);
    st->metrics.silences_queries++;
    alert_store_set_silenced(st->alerts, a->fingerprint, (char *const *)ids, n);
    free(ids);
}

bool api_alert_visible(struct api_state *st, const struct api_alert_filter *f,
                       const struct alert *a, int64_t now)
{
    if (a->ends_at != TIME_ZERO && a->ends_at < now)
        return false;
    alert_refresh_inhibited(st, a, now);
    alert_refresh_silenced(st, a, now);
    const struct alert_status *s = alert_store_status(st->alerts, a->fingerprint);
    enum alert_state state = s ? s->state : ALERT_UNPROCESSED;
    if (!f->active && state == ALERT_ACTIVE)
        return false;
    if (!f->unprocessed && state == ALERT_UNPROCESSED)
        return false;
    if (!f->silenced && s && s->n_silenced)
        return false;
    if (!f->inhibited && s && s->n_inhibited)
        return false;
    return api_filter_matches(&f->matchers, &a->labels);
}

/* Receivers of every matching route, duplicates kept, as 0.25 lists them. */
static size_t alert_receivers(const struct config *c, const struct alert *a,
                              const char ***out)
{
    const struct config_route **routes = NULL;
    size_t n = dispatch_routes_match(config_route_root(c), &a->labels, &routes);
    *out = xcalloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = routes[i]->receiver;
    free(routes);
    return n;
}

static bool any_receiver_matches(const struct api_alert_filter *f, const char **recv, size_t n)
{
    if (!f->receiver)
        return true;
    for (size_t i = 0; i < n; i++)
        if (api_receiver_matches(f, recv[i]))
            return true;
    return false;
}

void api_h_alerts_get(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    struct api_alert_filter f;
    if (api_alert_filter_parse(req, &f, resp) < 0) {
        api_alert_filter_free(&f);
        return;
    }
    size_t n = 0, shown = 0;
    const struct alert **list = alert_store_list(st->alerts, &n);
    strbuf_putc(&resp->body, '[');
    for (size_t i = 0; i < n; i++) {
        const struct alert *a = list[i];
        if (!api_alert_visible(st, &f, a, req->now))
            continue;
        const char **recv;
        size_t nr = alert_receivers(st->config, a, &recv);
        if (any_receiver_matches(&f, recv, nr)) {
            if (shown++)
                strbuf_putc(&resp->body, ',');
            api_enc_alert(&resp->body, a, alert_store_status(st->alerts, a->fingerprint),
                          recv, nr);
        }
        free(recv);
    }
    strbuf_putc(&resp->body, ']');
    free(list);
    api_alert_filter_free(&f);
    api_resp_json(resp, 200);
}

/* Defaults and the firing/resolved count for the whole batch, before any
 * validation, in Alertmanager's order. */
static void alerts_prepare(struct api_state *st, struct api_alerts_in *in, int64_t now)
{
    int64_t rt = config_resolve_timeout(st->config);
    for (size_t i = 0; i < in->n; i++) {
        alert_apply_defaults(&in->items[i], now, rt);
        if (in->items[i].ends_at > time_now())
            st->metrics.alerts_received_firing++;
        else
            st->metrics.alerts_received_resolved++;
    }
}

void api_h_alerts_post(struct api_state *st, const struct api_req *req, struct api_resp *resp)
{
    struct api_alerts_in in;
    struct api_fwerr fe;
    if (api_decode_alerts(req->body, req->body_len, &in, &fe) < 0) {
        if (fe.status == 0)
            resp->status = 0;
        else
            api_resp_fwerr(resp, fe.status, fe.code, fe.message);
        api_fwerr_free(&fe);
        return;
    }
    alerts_prepare(st, &in, req->now);
    struct strbuf errs = STRBUF_INIT;
    for (size_t i = 0; i < in.n; i++) {
        char *err = NULL;
        if (alert_validate(&in.items[i], &err) < 0) {
            if (errs.len)
                strbuf_puts(&errs, "; ");
            strbuf_puts(&errs, err);
            free(err);
            st->metrics.alerts_invalid++;
            continue;
        }
        const struct alert *stored = alert_store_put(st->alerts, &in.items[i]);
        if (st->inhibitor)
            inhibitor_observe(st->inhibitor, stored);
        if (st->alert_stored)
            st->alert_stored(st->alert_stored_ctx, stored);
    }
    api_alerts_in_free(&in);
    if (errs.len)
        api_resp_errstr(resp, 400, errs.buf);
    else
        resp->status = 200;
    strbuf_free(&errs);
}
