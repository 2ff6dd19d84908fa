/*
 * api: Alertmanager's HTTP API v2 and its side endpoints (/-/healthy,
 * /-/ready, /-/reload, /metrics), served by libmicrohttpd driven from the
 * libuv loop (external-poll mode: MHD's epoll fd watched by a uv_poll, MHD_run
 * on readiness, a uv_timer armed from MHD_get_timeout).
 *
 * All handlers run on the loop thread and read and write the shared state in
 * struct api_state, which main/ owns.  JSON shapes, status codes and error
 * bodies live only here.
 */
#ifndef CHORUS_API_H
#define CHORUS_API_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct config;
struct alert;
struct alert_store;
struct dispatcher;
struct notify_metrics;
struct silences;
struct inhibitor;

/* Counters the API bumps and /metrics shows beside the state's own gauges. */
struct api_metrics {
    uint64_t alerts_received_firing;
    uint64_t alerts_received_resolved;
    uint64_t alerts_invalid;
    uint64_t silences_queries;
    uint64_t silences_query_errors;
    bool config_last_reload_successful;
    int64_t config_last_reload_success_time; /* ns since epoch */
};

/* The notification log's housekeeping, as main/ measures it: summaries of
 * the GC and snapshot durations and the last snapshot's size. */
struct api_nflog_metrics {
    uint64_t gc_count, snapshot_count;
    double gc_seconds, snapshot_seconds;
    uint64_t snapshot_size;
};

/* Owned by main/; the API keeps a pointer and reads the current values on each
 * request (config is swapped on reload). */
struct api_state {
    struct config *config;
    struct alert_store *alerts;
    struct silences *silences;
    struct inhibitor *inhibitor; /* rebuilt with the config on reload */
    struct api_metrics metrics;
    int64_t start_time;        /* process start, ns since epoch */
    const char *external_url;  /* no trailing slash */
    const char *cluster_status; /* "disabled" until cluster/ exists */
    /* POST /-/reload: returns 0, or -1 with *err (caller frees). */
    int (*reload)(void *ctx, char **err);
    void *reload_ctx;
    /* Called after a silence was created, updated or expired.  The API holds
     * the client's answer (the connection suspended, the loop free) until
     * done(arg, rc) runs: rc 0 means the change is on disk, a negative rc
     * that it could not be written, and the client gets a 500.  done runs
     * exactly once, from the loop, never from inside silences_changed.  NULL:
     * the API answers at once. */
    void (*silences_changed)(void *ctx, void (*done)(void *arg, int rc), void *arg);
    void *silences_changed_ctx;
    /* Called right after each alert of a POST was stored, with the stored
     * (merged) alert, so main/ can hand it to the dispatcher.  NULL: none. */
    void (*alert_stored)(void *ctx, const struct alert *a);
    void *alert_stored_ctx;
    /* For /metrics: the pipeline's counters and the current dispatcher
     * (NULL: shown as zero), the nflog's housekeeping. */
    const struct notify_metrics *notify_metrics;
    const struct dispatcher *dispatcher;
    struct api_nflog_metrics nflog_metrics;
    /* alertmanager_dispatcher_alert_processing_duration_seconds: the time
     * main/ spends handing each stored alert to the dispatcher. */
    uint64_t alert_processing_count;
    double alert_processing_seconds;
};

struct config_web;
struct api_options {
    const char *listen_address; /* host:port, ":9093" = all interfaces */
    const char *route_prefix;   /* "/" or "/prefix", no trailing slash */
    /* --web.config.file (TLS, basic auth, extra headers), or NULL; must
     * outlive the server. */
    const struct config_web *web;
};

struct api;

/* Binds and starts serving on the loop.  Returns 0, or -1 with *err. */
int api_start(uv_loop_t *loop, const struct api_options *opts, struct api_state *state,
              struct api **out, char **err);
/* Stops accepting, closes the loop handles; frees when they are closed. */
void api_stop(struct api *api);

#endif
