/*
 * Configuration loading and reloading, logged like Alertmanager's config
 * coordinator.  A reload builds a whole new config and swaps it in only when
 * it loaded, validated and its templates parsed; the old one stays in force
 * otherwise.  The swap itself (and when the old config may go) is
 * notifier.c's.
 */
#include "config/config.h"
#include "main/daemon.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>

/* Integrations chorus cannot send yet are loaded and validated, and named
 * here instead of failing the config or being ignored in silence. */
static void warn_unsupported_integrations(const struct config *c)
{
    for (size_t i = 0; i < config_receiver_count(c); i++) {
        const struct config_receiver *r = config_receiver_get(c, i);
        size_t n = 0;
        struct notify_integration *ins = notify_integrations(r, &n);
        for (size_t j = 0; j < n; j++) {
            if (ins[j].supported)
                continue;
            struct strbuf label = STRBUF_INIT;
            notify_integration_label(&ins[j], &label);
            log_kv(LOG_WARN, "Notifications are not supported yet for this integration: it "
                   "will fail every notification", "component", "configuration", "receiver",
                   r->name, "integration", strbuf_cstr(&label), NULL);
            strbuf_free(&label);
        }
        free(ins);
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
    /* 0.25's coordinator says this once the file parsed, before its
     * subscribers (templates, dispatcher, ...) apply it. */
    log_kv(LOG_INFO, "Completed loading of configuration file", "component", "configuration",
           "file", path, NULL);
    if (notifier_config_swap(d, c, err) != 0) {
        /* ... and this when one of them fails, e.g. a template. */
        log_kv(LOG_ERROR, "one or more config change subscribers failed to apply new config",
               "component", "configuration", "file", path, "err",
               *err ? *err : "unknown error", NULL);
        config_free(c);
        m->config_last_reload_successful = false;
        return -1;
    }
    warn_unsupported_integrations(c);
    m->config_last_reload_successful = true;
    m->config_last_reload_success_time = time_now();
    return 0;
}

int daemon_reload_cb(void *ctx, char **err)
{
    return daemon_config_load(ctx, err);
}
