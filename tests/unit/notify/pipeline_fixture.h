/* The pipeline tests' world: a real uv loop, a loopback HTTP sink on it, a
 * config from YAML, the stores, and one hand-made flush of the root route
 * (or of its first child, when it has children). */
#ifndef CHORUS_TEST_PIPELINE_FIXTURE_H
#define CHORUS_TEST_PIPELINE_FIXTURE_H

#include "alerts/alerts.h"
#include "dispatch/dispatch.h"
#include "notify/notify.h"

#include <uv.h>

#define SINK_MAX_REQUESTS 64

struct sink_request {
    char path[256];
    char *body;
    int64_t at; /* monotonic */
};

/* Answers each request with the next status of its plan (the last one
 * repeats); 200 without a plan. */
struct sink {
    uv_tcp_t server;
    int port;
    int statuses[8];
    size_t n_statuses;
    struct sink_request requests[SINK_MAX_REQUESTS];
    size_t n_requests;
};

struct pipeline_fx {
    uv_loop_t loop;
    struct sink sink;
    struct notify_env env;
    struct nflog *nflog;
    struct silences *silences;
    struct alert_store *store;
    struct config *config;
    struct inhibitor *inhibitor;
    struct template_set *templates;
    struct notify_generation gen;
    struct dispatch_flush flush;
    struct alert alerts[4];
    size_t n_alerts;
    struct labelset group_labels;
    int done_calls;
    bool ok;
    int64_t started, finished; /* monotonic */
};

/* yaml may hold one %d: the sink's port. */
void pfx_init(struct pipeline_fx *fx, const char *yaml);
void pfx_free(struct pipeline_fx *fx);
/* Adds an alert (to the flush, and to the store when stored); resolved
 * alerts end a minute before now. */
void pfx_alert(struct pipeline_fx *fx, const char *name, bool resolved, bool stored);
/* Runs one flush to its end (bounded by timeout_ms); deadline_ms from now. */
void pfx_flush(struct pipeline_fx *fx, int64_t deadline_ms, int timeout_ms);
/* Starts a flush without waiting; pfx_wait runs the loop until done. */
void pfx_flush_start(struct pipeline_fx *fx, int64_t deadline_ms);
void pfx_wait(struct pipeline_fx *fx, int timeout_ms);
/* Runs the loop for about ms. */
void pfx_run_for(struct pipeline_fx *fx, int ms);

#endif
