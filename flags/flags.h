/*
 * flags: chorus's command line, Alertmanager 0.25's flags parsed the way its
 * kingpin parser does (same names, defaults, help text, error messages and
 * precedence between --version, --help and errors), plus the derivation of
 * the external URL and route prefix from them.
 *
 * Pure functions over argv and strings: no I/O, no exit, so the daemon decides
 * what to print and the unit tests can check every outcome.
 */
#ifndef CHORUS_FLAGS_H
#define CHORUS_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct flags {
    char *config_file;
    char *storage_path;
    int64_t data_retention;              /* durations in ns */
    int64_t data_maintenance_interval;
    int64_t alerts_gc_interval;
    bool web_systemd_socket;
    char **web_listen_addresses;         /* repeatable, at least one */
    size_t n_web_listen_addresses;
    char *web_config_file;               /* "" when unset */
    char *web_external_url;              /* "" when unset */
    char *web_route_prefix;              /* "" when unset */
    int64_t web_get_concurrency;
    int64_t web_timeout;
    char *web_ui_path;
    char *cluster_listen_address;        /* "" disables clustering */
    char *cluster_advertise_address;     /* "" when unset */
    char **cluster_peers;                /* repeatable, may be empty */
    size_t n_cluster_peers;
    int64_t cluster_peer_timeout;
    int64_t cluster_gossip_interval;
    int64_t cluster_pushpull_interval;
    int64_t cluster_tcp_timeout;
    int64_t cluster_probe_timeout;
    int64_t cluster_probe_interval;
    int64_t cluster_settle_timeout;
    int64_t cluster_reconnect_interval;
    int64_t cluster_reconnect_timeout;
    char *cluster_tls_config;            /* "" when unset */
    bool cluster_allow_insecure_public_advertise_address_discovery;
    char *log_level;                     /* debug|info|warn|error */
    char *log_format;                    /* logfmt|json */
};

enum flags_result {
    FLAGS_RUN = 0, /* *f holds the values to run with */
    FLAGS_HELP,    /* print flags_usage() to stdout, exit 0 */
    FLAGS_VERSION, /* print the version block to stdout, exit 0 */
    FLAGS_ERROR,   /* print "<prog>: error: <err>, try --help" to stderr */
};

/* Parses args (argv without the program name) over the defaults.  *f is
 * always filled and must be released with flags_free; on FLAGS_ERROR *err is
 * the message (caller frees), e.g. "unknown long flag '--foo'" or
 * "time: invalid duration \"xx\"". */
enum flags_result flags_parse(struct flags *f, int argc, char *const *args, char **err);
void flags_free(struct flags *f);

/* kingpin's --help text for program name prog, 80 columns wide. */
void flags_usage(struct strbuf *out, const char *prog);

/* Alertmanager's external URL and route prefix: the URL defaults to
 * http://<hostname>:<port of the first listen address>, its path loses the
 * trailing slash; the prefix defaults to that path and is normalised to "/"
 * or "/a/b".  Returns 0, or -1 with *err (caller frees). */
int flags_external_url(const struct flags *f, const char *hostname, char **url, char **prefix,
                       char **err);

#endif
