/*
 * Signals and the orderly shutdown.  SIGHUP reloads the configuration (a
 * failure is logged and the old config stays).  SIGINT and SIGTERM stop
 * serving, close every loop handle and write the final silence snapshot; the
 * loop then runs dry and main() returns 0.  A guard timer stops the loop if
 * some handle fails to close, so a shutdown can never hang.
 */
#include "main/daemon.h"
#include "util/util.h"

#include <signal.h>
#include <stdlib.h>

enum { SHUTDOWN_GUARD_MS = 5000 };

static void on_sighup(uv_signal_t *s, int signum)
{
    struct daemon *d = container_of(s, struct daemon, sighup);
    char *err = NULL;
    (void)signum;
    daemon_config_load(d, &err); /* the failure is already logged */
    free(err);
}

static void on_stop_signal(uv_signal_t *s, int signum)
{
    struct daemon *d = s->data;
    (void)signum;
    /* Alertmanager says SIGTERM for SIGINT too. */
    log_kv(LOG_INFO, "Received SIGTERM, exiting gracefully...", NULL);
    daemon_shutdown(d);
}

static void on_shutdown_guard(uv_timer_t *t)
{
    struct daemon *d = container_of(t, struct daemon, shutdown_timer);
    log_kv(LOG_WARN, "Shutdown took too long; leaving open handles behind", NULL);
    d->stuck = true;
    uv_stop(d->loop);
}

static int watch(struct daemon *d, uv_signal_t *s, uv_signal_cb cb, int signum)
{
    int rc = uv_signal_init(d->loop, s);
    s->data = d;
    if (rc == 0)
        rc = uv_signal_start(s, cb, signum);
    return rc;
}

int signals_start(struct daemon *d)
{
    /* A peer closing its socket must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    d->signals_on = true;
    int rc = watch(d, &d->sighup, on_sighup, SIGHUP);
    if (rc == 0)
        rc = watch(d, &d->sigint, on_stop_signal, SIGINT);
    if (rc == 0)
        rc = watch(d, &d->sigterm, on_stop_signal, SIGTERM);
    return rc;
}

static void close_signals(struct daemon *d)
{
    uv_signal_t *sigs[] = {&d->sighup, &d->sigint, &d->sigterm};
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
        if (sigs[i]->loop && !uv_is_closing((uv_handle_t *)sigs[i]))
            uv_close((uv_handle_t *)sigs[i], NULL);
}

static void close_one(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void daemon_close_leftovers(struct daemon *d)
{
    uv_walk(d->loop, close_one, NULL);
    uv_run(d->loop, UV_RUN_DEFAULT);
}

void daemon_shutdown(struct daemon *d)
{
    if (d->stopping)
        return;
    d->stopping = true;
    for (size_t i = 0; i < d->n_apis; i++)
        api_stop(d->apis[i]);
    d->n_apis = 0;
    if (d->timers_on)
        maintenance_stop(d);
    if (d->signals_on)
        close_signals(d);
    notifier_stop(d);
    maintenance_final(d);
    uv_timer_init(d->loop, &d->shutdown_timer);
    uv_timer_start(&d->shutdown_timer, on_shutdown_guard, SHUTDOWN_GUARD_MS, 0);
    uv_unref((uv_handle_t *)&d->shutdown_timer);
}
