/*
 * The daemon's state, owned by main() and reached from every loop callback:
 * one libuv loop owns all of it, so nothing here is locked except the
 * snapshot writer's file lock (see persist.h).
 */
#ifndef CHORUS_MAIN_DAEMON_H
#define CHORUS_MAIN_DAEMON_H

#include "api/api.h"
#include "flags/flags.h"
#include "main/persist.h"
#include "notify/notify.h"

#include <stdbool.h>
#include <uv.h>

struct generation;
struct nflog;

struct daemon {
    uv_loop_t *loop;
    struct flags flags;
    char *external_url;  /* no trailing slash */
    char *route_prefix;  /* "/" or "/a/b" */
    char *snapshot_path; /* <storage>/silences */
    struct api_state state;
    struct persist persist;
    /* notifier.c: the config generation in force, the pipeline, the nflog */
    struct generation *gen;
    struct notify_env notify;
    struct nflog *nflog;
    char *nflog_path; /* <storage>/nflog */
    struct persist nflog_persist;
    bool nflog_persist_on, notifier_on;
    uv_timer_t dispatch_timer, dispatch_maintenance_timer;
    struct api **apis; /* one per --web.listen-address */
    size_t n_apis;
    uv_timer_t maintenance_timer;
    uv_timer_t alerts_gc_timer;
    uv_timer_t shutdown_timer;
    uv_signal_t sighup, sigint, sigterm;
    bool signals_on, timers_on; /* what daemon_shutdown has to close */
    bool stopping;
    bool stuck; /* the shutdown guard fired: handles are left open */
};

/* version.c */
void version_print(const char *prog);
/* "(version=0.1.0, branch=..., revision=...)" and the build context, for the
 * start-up log line.  Caller frees. */
char *version_info(void);
char *version_build_context(void);

/* reload.c: loads the config into d->state; logs as Alertmanager's
 * coordinator does.  Also the api_state reload callback. */
int daemon_config_load(struct daemon *d, char **err);
int daemon_reload_cb(void *ctx, char **err);

/* storage.c: creates the storage directory and sets d->snapshot_path; then,
 * once the silences and the writer exist, loads the snapshot, moving a
 * damaged one aside.  Both return 0 or -1 (logged). */
int storage_prepare(struct daemon *d);
int storage_load_silences(struct daemon *d);
int storage_load_nflog(struct daemon *d);

/* notifier.c.  config_swap makes c (owned from then on) the config in force
 * with its inhibitor, templates and dispatcher; -1 with *err, c untouched,
 * when its templates fail.  nflog_open creates and loads the nflog; start
 * wires the pipeline once the stores exist; maintenance and final are the
 * nflog's share of maintenance.c's; stop cancels what is in flight at
 * shutdown; free runs after the loop ran dry. */
int notifier_config_swap(struct daemon *d, struct config *c, char **err);
int notifier_nflog_open(struct daemon *d);
int notifier_start(struct daemon *d);
void notifier_maintenance(struct daemon *d);
void notifier_final(struct daemon *d);
void notifier_stop(struct daemon *d);
void notifier_free(struct daemon *d);
void notifier_alert_stored(void *ctx, const struct alert *a);

/* maintenance.c: the silence and alert GC timers; the final maintenance at
 * shutdown. */
int maintenance_start(struct daemon *d);
void maintenance_stop(struct daemon *d);
void maintenance_final(struct daemon *d);
void daemon_silences_changed_cb(void *ctx, void (*done)(void *arg, int rc), void *arg);

/* signals.c: SIGHUP reloads, SIGINT/SIGTERM stop the daemon. */
int signals_start(struct daemon *d);
/* Stops serving and closes the daemon's handles; idempotent, and safe after
 * a start-up that failed half-way. */
void daemon_shutdown(struct daemon *d);
/* After the loop returned: closes any handle still open (the shutdown guard,
 * or whatever a stuck module left) so the loop can be closed. */
void daemon_close_leftovers(struct daemon *d);

#endif
