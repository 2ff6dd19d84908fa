/*
 * Configuration loading and reloading, logged like Alertmanager's config
 * coordinator.  A reload builds a whole new config and swaps it in only when
 * it loaded and validated; the old one stays in force otherwise.  Handlers
 * run on the loop and do not keep config pointers across callbacks, so the
 * old config can be freed at once.
 */
#include "config/config.h"
#include "inhibit/inhibit.h"
#include "main/daemon.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

/* The inhibitor's rules point into the config, so it is rebuilt with every
 * new config and re-fed the stored alerts, as Alertmanager rebuilds its
 * inhibitor on each reload. */
static void swap_inhibitor(struct daemon *d, const struct config *c)
{
    struct inhibitor *ih = inhibitor_new(c);
    if (d->state.alerts)
        inhibitor_observe_store(ih, d->state.alerts);
    if (d->state.inhibitor)
        inhibitor_free(d->state.inhibitor);
    d->state.inhibitor = ih;
}

/* chorus does not send notifications yet (the pipeline issue).  Refusing every
 * config with a receiver would make chorus unusable as an API replacement, so
 * each integration is loaded and validated, and named here instead of being
 * ignored in silence. */
static void warn_unsupported_integrations(const struct config *c)
{
    for (size_t i = 0; i < config_receiver_count(c); i++) {
        const struct config_receiver *r = config_receiver_get(c, i);
        size_t n = config_receiver_integrations(r);
        if (n == 0)
            continue;
        char count[24];
        snprintf(count, sizeof count, "%zu", n);
        log_kv(LOG_WARN, "Notifications are not supported yet: this receiver's integrations "
               "will not send", "component", "configuration", "receiver", r->name,
               "integrations", count, NULL);
    }
}

int daemon_config_load(struct daemon *d, char **err)
{
    const char *path = d->flags.config_file;
    struct api_metrics *m = &d->state.metrics;
    struct config *c = NULL;
    log_kv(LOG_INFO, "Loading configuration file", "component", "configuration", "file", path,
           NULL);
    if (config_load_file(path, &c, err) != 0) {
        log_kv(LOG_ERROR, "Loading configuration file failed", "component", "configuration",
               "file", path, "err", *err ? *err : "unknown error", NULL);
        m->config_last_reload_successful = false;
        return -1;
    }
    warn_unsupported_integrations(c);
    swap_inhibitor(d, c);
    if (d->state.config)
        config_free(d->state.config);
    d->state.config = c;
    m->config_last_reload_successful = true;
    m->config_last_reload_success_time = time_now();
    log_kv(LOG_INFO, "Completed loading of configuration file", "component", "configuration",
           "file", path, NULL);
    return 0;
}

int daemon_reload_cb(void *ctx, char **err)
{
    return daemon_config_load(ctx, err);
}
