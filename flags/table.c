/*
 * Alertmanager 0.25's flags, in its --help order, with its defaults and help
 * text (wrapped where kingpin wraps it at 80 columns, so the help output is
 * the same).  Defaults are upstream's except --web.ui-path, which is Debian's
 * flag.
 */
#include "flags/flags_internal.h"
#include "util/util.h"

#define F(field) offsetof(struct flags, field)

const struct flag_def flag_defs[] = {
    {"help", FLAG_HELP, 'h', NULL, 0, 0,
     "Show context-sensitive help (also try\n--help-long and --help-man).", false},
    {"help-long", FLAG_HELP, 0, NULL, 0, 0, "Generate long help.", true},
    {"config.file", FLAG_STRING, 0, "alertmanager.yml", F(config_file), 0,
     "Alertmanager configuration file name.", false},
    {"storage.path", FLAG_STRING, 0, "data/", F(storage_path), 0,
     "Base path for data storage.", false},
    {"data.retention", FLAG_DURATION, 0, "120h", F(data_retention), 0,
     "How long to keep data for.", false},
    {"data.maintenance-interval", FLAG_DURATION, 0, "15m", F(data_maintenance_interval), 0,
     "Interval between garbage collection and\nsnapshotting to disk of the silences and the\n"
     "notification logs.",
     false},
    {"alerts.gc-interval", FLAG_DURATION, 0, "30m", F(alerts_gc_interval), 0,
     "Interval between alert GC.", false},
    {"web.systemd-socket", FLAG_BOOL, 0, NULL, F(web_systemd_socket), 0,
     "Use systemd socket activation listeners instead\nof port listeners (Linux only).", false},
    {"web.listen-address", FLAG_STRINGS, 0, ":9093", F(web_listen_addresses),
     F(n_web_listen_addresses),
     "Addresses on which to expose metrics and web\ninterface. Repeatable for multiple addresses.",
     false},
    {"web.config.file", FLAG_STRING, 0, "", F(web_config_file), 0,
     "[EXPERIMENTAL] Path to configuration file that\ncan enable TLS or authentication.", false},
    {"web.external-url", FLAG_STRING, 0, NULL, F(web_external_url), 0,
     "The URL under which Alertmanager is externally\nreachable (for example, if Alertmanager\n"
     "is served via a reverse proxy). Used for\ngenerating relative and absolute links back\n"
     "to Alertmanager itself. If the URL has a path\nportion, it will be used to prefix all HTTP\n"
     "endpoints served by Alertmanager. If omitted,\nrelevant URL components will be derived\n"
     "automatically.",
     false},
    {"web.route-prefix", FLAG_STRING, 0, NULL, F(web_route_prefix), 0,
     "Prefix for the internal routes of\nweb endpoints. Defaults to path of\n--web.external-url.",
     false},
    {"web.get-concurrency", FLAG_INT, 0, "0", F(web_get_concurrency), 0,
     "Maximum number of GET requests processed\nconcurrently. If negative or zero, the limit is\n"
     "GOMAXPROC or 8, whichever is larger.",
     false},
    {"web.timeout", FLAG_DURATION, 0, "0", F(web_timeout), 0,
     "Timeout for HTTP requests. If negative or zero,\nno timeout is set.", false},
    {"web.ui-path", FLAG_STRING, 0, "/usr/share/prometheus/alertmanager/ui/", F(web_ui_path), 0,
     "Path to static UI directory.", false},
    {"cluster.listen-address", FLAG_STRING, 0, "0.0.0.0:9094", F(cluster_listen_address), 0,
     "Listen address for cluster. Set to empty string\nto disable HA mode.", false},
    {"cluster.advertise-address", FLAG_STRING, 0, NULL, F(cluster_advertise_address), 0,
     "Explicit address to advertise in cluster.", false},
    {"cluster.peer", FLAG_STRINGS, 0, NULL, F(cluster_peers), F(n_cluster_peers),
     "Initial peers (may be repeated).", false},
    {"cluster.peer-timeout", FLAG_DURATION, 0, "15s", F(cluster_peer_timeout), 0,
     "Time to wait between peers to send\nnotifications.", false},
    {"cluster.gossip-interval", FLAG_DURATION, 0, "200ms", F(cluster_gossip_interval), 0,
     "Interval between sending gossip messages.\nBy lowering this value (more frequent) gossip\n"
     "messages are propagated across the cluster more\nquickly at the expense of increased "
     "bandwidth.",
     false},
    {"cluster.pushpull-interval", FLAG_DURATION, 0, "1m0s", F(cluster_pushpull_interval), 0,
     "Interval for gossip state syncs. Setting this\ninterval lower (more frequent) will increase\n"
     "convergence speeds across larger clusters at\nthe expense of increased bandwidth usage.",
     false},
    {"cluster.tcp-timeout", FLAG_DURATION, 0, "10s", F(cluster_tcp_timeout), 0,
     "Timeout for establishing a stream connection\nwith a remote node for a full state sync,\n"
     "and for stream read and write operations.",
     false},
    {"cluster.probe-timeout", FLAG_DURATION, 0, "500ms", F(cluster_probe_timeout), 0,
     "Timeout to wait for an ack from a probed node\nbefore assuming it is unhealthy. This should "
     "be\nset to 99-percentile of RTT (round-trip time)\non your network.",
     false},
    {"cluster.probe-interval", FLAG_DURATION, 0, "1s", F(cluster_probe_interval), 0,
     "Interval between random node probes. Setting\nthis lower (more frequent) will cause the\n"
     "cluster to detect failed nodes more quickly at\nthe expense of increased bandwidth usage.",
     false},
    {"cluster.settle-timeout", FLAG_DURATION, 0, "1m0s", F(cluster_settle_timeout), 0,
     "Maximum time to wait for cluster connections to\nsettle before evaluating notifications.",
     false},
    {"cluster.reconnect-interval", FLAG_DURATION, 0, "10s", F(cluster_reconnect_interval), 0,
     "Interval between attempting to reconnect to\nlost peers.", false},
    {"cluster.reconnect-timeout", FLAG_DURATION, 0, "6h0m0s", F(cluster_reconnect_timeout), 0,
     "Length of time to attempt to reconnect to a\nlost peer.", false},
    {"cluster.tls-config", FLAG_STRING, 0, "", F(cluster_tls_config), 0,
     "[EXPERIMENTAL] Path to config yaml file\nthat can enable mutual TLS within the gossip\n"
     "protocol.",
     false},
    {"cluster.allow-insecure-public-advertise-address-discovery", FLAG_BOOL, 0, NULL,
     F(cluster_allow_insecure_public_advertise_address_discovery), 0,
     "[EXPERIMENTAL] Allow alertmanager to discover\nand listen on a public IP address.", false},
    {"log.level", FLAG_LOG_LEVEL, 0, "info", F(log_level), 0,
     "Only log messages with the given severity or\nabove. One of: [debug, info, warn, error]",
     false},
    {"log.format", FLAG_LOG_FORMAT, 0, "logfmt", F(log_format), 0,
     "Output format of log messages. One of: [logfmt,\njson]", false},
    {"version", FLAG_VERSION, 0, NULL, 0, 0, "Show application version.", false},
};

const size_t flag_defs_count = ARRAY_SIZE(flag_defs);

const struct flag_def *flag_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < flag_defs_count; i++)
        if (strlen(flag_defs[i].name) == len && memcmp(flag_defs[i].name, name, len) == 0)
            return &flag_defs[i];
    return NULL;
}
