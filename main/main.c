/*
 * chorus: the daemon's entry point.  Start-up is linear, in Alertmanager's
 * order where it matters to an operator (flags, logging, config, storage,
 * silences, alerts, HTTP, signals, timers), and every step that can fail
 * unwinds through one cleanup ladder.  After start-up one libuv loop owns all
 * state; main() returns when that loop has run dry after a SIGINT/SIGTERM.
 */
#include "alerts/alerts.h"
#include "config/config.h"
#include "main/daemon.h"
#include "silences/silences.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* kingpin names the program after argv[0]'s base name. */
static const char *prog_name(const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
    return slash ? slash + 1 : (argv0 && *argv0 ? argv0 : "chorus");
}

/* Returns -1 to run, otherwise the exit code. */
static int handle_flags(struct daemon *d, int argc, char **argv)
{
    char *err = NULL;
    enum flags_result r = flags_parse(&d->flags, argc > 0 ? argc - 1 : 0, argv + 1, &err);
    const char *prog = prog_name(argv[0]);
    if (r == FLAGS_VERSION) {
        version_print("chorus");
        return 0;
    }
    if (r == FLAGS_HELP) {
        struct strbuf sb = STRBUF_INIT;
        flags_usage(&sb, prog);
        fputs(strbuf_cstr(&sb), stdout);
        strbuf_free(&sb);
        return 0;
    }
    if (r == FLAGS_ERROR) {
        fprintf(stderr, "%s: error: %s, try --help\n", prog, err);
        free(err);
        return 1;
    }
    return -1;
}

static void log_start(void)
{
    char *info = version_info(), *ctx = version_build_context();
    log_kv(LOG_INFO, "Starting chorus", "version", info, NULL);
    log_kv(LOG_INFO, "Build context", "build_context", ctx, NULL);
    free(info);
    free(ctx);
}

/* Go's time.NewTicker panics on these; refuse them with a message instead. */
static int check_intervals(const struct flags *f)
{
    if (f->data_maintenance_interval <= 0 || f->alerts_gc_interval <= 0) {
        log_kv(LOG_ERROR, "Intervals must be positive", "flags",
               "--data.maintenance-interval, --alerts.gc-interval", NULL);
        return -1;
    }
    return 0;
}

static int resolve_urls(struct daemon *d)
{
    char host[256] = "localhost";
    char *err = NULL;
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    if (flags_external_url(&d->flags, host, &d->external_url, &d->route_prefix, &err) != 0) {
        log_kv(LOG_ERROR, "failed to determine external URL", "err", err, NULL);
        free(err);
        return -1;
    }
    log_kv(LOG_DEBUG, "External URL", "external_url", d->external_url, "route_prefix",
           d->route_prefix, NULL);
    return 0;
}

/* Clustering arrives with the cluster issue; until then the flags are
 * accepted and validated, and the instance runs alone. */
static void cluster_note(const struct flags *f)
{
    if (*f->cluster_listen_address)
        log_kv(LOG_WARN, "Clustering is not implemented yet; running as a single instance",
               "component", "cluster", "listen_address", f->cluster_listen_address, NULL);
}

/* The loaded --web.config.file (NULL without one): the API servers read it
 * until the process ends. */
static struct config_web *web_config;

/* Alertmanager 0.25 reads the web config as it starts listening and fails
 * with "Listen error"; chorus loads and validates it during start-up,
 * before binding, with the same message. */
static int web_config_check(const struct flags *f)
{
    if (!*f->web_config_file)
        return 0;
    char *err = NULL;
    if (config_web_load_file(f->web_config_file, &web_config, &err) != 0) {
        log_kv(LOG_ERROR, "Listen error", "err", err, NULL);
        free(err);
        return -1;
    }
    return 0;
}

static void fill_state(struct daemon *d)
{
    struct api_state *s = &d->state;
    s->start_time = time_now();
    s->external_url = d->external_url;
    s->cluster_status = "disabled";
    s->reload = daemon_reload_cb;
    s->reload_ctx = d;
    s->silences_changed = daemon_silences_changed_cb;
    s->silences_changed_ctx = d;
}

static int encode_silences(void *ctx, uint8_t **buf, size_t *len)
{
    return silences_encode(ctx, buf, len);
}

static int api_start_all(struct daemon *d)
{
    struct api_options opts = {.route_prefix = d->route_prefix, .web = web_config};
    bool tls = web_config && web_config->tls.enabled;
    if (d->flags.web_systemd_socket) {
        log_kv(LOG_ERROR, "Listen error", "err", "systemd socket activation is not supported",
               NULL);
        return -1;
    }
    d->apis = xcalloc(d->flags.n_web_listen_addresses, sizeof *d->apis);
    for (size_t i = 0; i < d->flags.n_web_listen_addresses; i++) {
        char *err = NULL;
        opts.listen_address = d->flags.web_listen_addresses[i];
        if (api_start(d->loop, &opts, &d->state, &d->apis[i], &err) != 0) {
            log_kv(LOG_ERROR, "Listen error", "err", err ? err : "unknown error", NULL);
            free(err);
            return -1;
        }
        d->n_apis++;
        log_kv(LOG_INFO, "Listening on", "address", opts.listen_address, NULL);
        log_kv(LOG_INFO, tls ? "TLS is enabled." : "TLS is disabled.", "http2", "false",
               "address", opts.listen_address, NULL);
    }
    return 0;
}

static int run(struct daemon *d)
{
    int rc = 1;
    char *err = NULL;
    cluster_note(&d->flags);
    if (check_intervals(&d->flags) != 0)
        return 1;
    if (daemon_config_load(d, &err) != 0)
        goto out_err;
    if (resolve_urls(d) != 0 || web_config_check(&d->flags) != 0 || storage_prepare(d) != 0)
        goto out_config;
    d->state.silences = silences_new(d->flags.data_retention);
    if (persist_init(&d->persist, d->loop, encode_silences, d->state.silences,
                     d->snapshot_path) != 0)
        goto out_silences;
    if (storage_load_silences(d) != 0 || notifier_nflog_open(d) != 0)
        goto out_persist;
    d->state.alerts = alert_store_new();
    fill_state(d);
    if (notifier_start(d) != 0) {
        log_kv(LOG_ERROR, "Cannot start the notification pipeline", NULL);
        goto out_apis;
    }
    if (api_start_all(d) != 0)
        goto out_apis;
    if (signals_start(d) != 0 || maintenance_start(d) != 0) {
        log_kv(LOG_ERROR, "Cannot set up signals and timers", NULL);
        goto out_apis;
    }
    uv_run(d->loop, UV_RUN_DEFAULT);
    rc = 0;
out_apis:
    /* The silences are already on disk; a module that cannot close its
     * handles must not keep the process alive, nor have its memory freed
     * under it. */
    if (d->stuck)
        return rc;
    /* After a clean shutdown the handles are closed; after a failed start
     * close whatever was opened and let the loop finish closing it. */
    daemon_shutdown(d);
    uv_run(d->loop, UV_RUN_DEFAULT);
    if (d->stuck)
        return rc;
    daemon_close_leftovers(d);
    free(d->apis);
    alert_store_free(d->state.alerts);
out_persist:
    persist_destroy(&d->persist);
out_silences:
    silences_free(d->state.silences);
out_config:
    notifier_free(d);
out_err:
    free(err);
    return rc;
}

int main(int argc, char **argv)
{
    static struct daemon d;
    int rc = handle_flags(&d, argc, argv);
    if (rc >= 0) {
        flags_free(&d.flags);
        return rc;
    }
    if (log_setup(d.flags.log_level, d.flags.log_format) != 0) {
        flags_free(&d.flags);
        return 1;
    }
    log_start();
    d.loop = uv_default_loop();
    rc = run(&d);
    uv_loop_close(d.loop);
    config_web_free(web_config);
    free(d.external_url);
    free(d.route_prefix);
    free(d.snapshot_path);
    free(d.nflog_path);
    flags_free(&d.flags);
    return rc;
}
