/*
 * Unit tests for flags/: defaults, every flag kind, repeatable flags, kingpin's
 * precedence between --version, --help and errors, Go's duration messages,
 * the help layout, and the external URL / route prefix derivation.
 */
#include "flags/flags.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

static struct flags fl;
static char *err;

static void teardown(void)
{
    flags_free(&fl);
    free(err);
    err = NULL;
}

TestSuite(flags, .fini = teardown);

/* parse("--a", "--b", NULL) */
static enum flags_result parse(const char *first, ...)
{
    char *args[64];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        args[n++] = (char *)a;
    va_end(ap);
    return flags_parse(&fl, n, args, &err);
}

static void expect_error(const char *msg, enum flags_result r)
{
    cr_assert_eq(r, FLAGS_ERROR);
    cr_assert_str_eq(err, msg);
}

Test(flags, defaults)
{
    cr_assert_eq(flags_parse(&fl, 0, NULL, &err), FLAGS_RUN);
    cr_assert_null(err);
    cr_assert_str_eq(fl.config_file, "alertmanager.yml");
    cr_assert_str_eq(fl.storage_path, "data/");
    cr_assert_eq(fl.data_retention, 120 * 3600 * SEC);
    cr_assert_eq(fl.data_maintenance_interval, 15 * 60 * SEC);
    cr_assert_eq(fl.alerts_gc_interval, 30 * 60 * SEC);
    cr_assert_eq(fl.n_web_listen_addresses, 1);
    cr_assert_str_eq(fl.web_listen_addresses[0], ":9093");
    cr_assert_not(fl.web_systemd_socket);
    cr_assert_str_eq(fl.web_config_file, "");
    cr_assert_str_eq(fl.web_external_url, "");
    cr_assert_str_eq(fl.web_route_prefix, "");
    cr_assert_eq(fl.web_get_concurrency, 0);
    cr_assert_eq(fl.web_timeout, 0);
    cr_assert_str_eq(fl.web_ui_path, "/usr/share/prometheus/alertmanager/ui/");
    cr_assert_str_eq(fl.log_level, "info");
    cr_assert_str_eq(fl.log_format, "logfmt");
}

Test(flags, cluster_defaults)
{
    cr_assert_eq(parse(NULL), FLAGS_RUN);
    cr_assert_str_eq(fl.cluster_listen_address, "0.0.0.0:9094");
    cr_assert_str_eq(fl.cluster_advertise_address, "");
    cr_assert_eq(fl.n_cluster_peers, 0);
    cr_assert_eq(fl.cluster_peer_timeout, 15 * SEC);
    cr_assert_eq(fl.cluster_gossip_interval, 200 * MS);
    cr_assert_eq(fl.cluster_pushpull_interval, 60 * SEC);
    cr_assert_eq(fl.cluster_tcp_timeout, 10 * SEC);
    cr_assert_eq(fl.cluster_probe_timeout, 500 * MS);
    cr_assert_eq(fl.cluster_probe_interval, 1 * SEC);
    cr_assert_eq(fl.cluster_settle_timeout, 60 * SEC);
    cr_assert_eq(fl.cluster_reconnect_interval, 10 * SEC);
    cr_assert_eq(fl.cluster_reconnect_timeout, 6 * 3600 * SEC);
    cr_assert_str_eq(fl.cluster_tls_config, "");
    cr_assert_not(fl.cluster_allow_insecure_public_advertise_address_discovery);
}

Test(flags, string_flags_both_forms)
{
    cr_assert_eq(parse("--config.file=/etc/a.yml", "--storage.path", "/tmp/x",
                       "--web.external-url=http://h/am", "--web.route-prefix", "/p",
                       "--web.config.file=w.yml", "--web.ui-path=/ui", "--cluster.tls-config=t",
                       "--cluster.advertise-address", "1.2.3.4:9094", NULL),
                 FLAGS_RUN);
    cr_assert_str_eq(fl.config_file, "/etc/a.yml");
    cr_assert_str_eq(fl.storage_path, "/tmp/x");
    cr_assert_str_eq(fl.web_external_url, "http://h/am");
    cr_assert_str_eq(fl.web_route_prefix, "/p");
    cr_assert_str_eq(fl.web_config_file, "w.yml");
    cr_assert_str_eq(fl.web_ui_path, "/ui");
    cr_assert_str_eq(fl.cluster_tls_config, "t");
    cr_assert_str_eq(fl.cluster_advertise_address, "1.2.3.4:9094");
}

Test(flags, empty_value_allowed)
{
    cr_assert_eq(parse("--cluster.listen-address=", NULL), FLAGS_RUN);
    cr_assert_str_eq(fl.cluster_listen_address, "");
}

Test(flags, durations)
{
    cr_assert_eq(parse("--data.retention=1h30m", "--data.maintenance-interval", "90s",
                       "--alerts.gc-interval=1.5m", "--web.timeout=250ms",
                       "--cluster.peer-timeout=+2s", "--cluster.gossip-interval=1us",
                       "--cluster.pushpull-interval=1\xc2\xb5s", "--cluster.tcp-timeout=0",
                       "--cluster.probe-timeout=-1s", "--cluster.probe-interval=.5s",
                       "--cluster.settle-timeout=3ns", "--cluster.reconnect-interval=5.s",
                       "--cluster.reconnect-timeout=1h0m0s", NULL),
                 FLAGS_RUN);
    cr_assert_eq(fl.data_retention, 5400 * SEC);
    cr_assert_eq(fl.data_maintenance_interval, 90 * SEC);
    cr_assert_eq(fl.alerts_gc_interval, 90 * SEC);
    cr_assert_eq(fl.web_timeout, 250 * MS);
    cr_assert_eq(fl.cluster_peer_timeout, 2 * SEC);
    cr_assert_eq(fl.cluster_gossip_interval, 1000);
    cr_assert_eq(fl.cluster_pushpull_interval, 1000);
    cr_assert_eq(fl.cluster_tcp_timeout, 0);
    cr_assert_eq(fl.cluster_probe_timeout, -SEC);
    cr_assert_eq(fl.cluster_probe_interval, SEC / 2);
    cr_assert_eq(fl.cluster_settle_timeout, 3);
    cr_assert_eq(fl.cluster_reconnect_interval, 5 * SEC);
    cr_assert_eq(fl.cluster_reconnect_timeout, 3600 * SEC);
}

Test(flags, duration_errors_use_go_messages)
{
    expect_error("time: invalid duration \"xx\"", parse("--data.retention=xx", NULL));
    teardown();
    expect_error("time: missing unit in duration \"1\"", parse("--data.retention=1", NULL));
    teardown();
    expect_error("time: unknown unit \"d\" in duration \"1d\"",
                 parse("--data.retention=1d", NULL));
    teardown();
    expect_error("time: unknown unit \"hm\" in duration \"1hm\"",
                 parse("--data.retention=1hm", NULL));
    teardown();
    expect_error("time: missing unit in duration \"1.5.5h\"",
                 parse("--data.retention=1.5.5h", NULL));
    teardown();
    expect_error("time: invalid duration \"\"", parse("--cluster.peer-timeout=", NULL));
    teardown();
    expect_error("time: invalid duration \".h\"", parse("--web.timeout=.h", NULL));
    teardown();
    expect_error("time: invalid duration \"99999999h\"",
                 parse("--data.retention=99999999h", NULL));
    teardown();
    expect_error("time: invalid duration \"-\"", parse("--data.retention=-", NULL));
}

Test(flags, go_duration_limits)
{
    int64_t v;
    cr_assert_eq(duration_parse_go("2562047h47m16.854775807s", &v, &err), 0);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(duration_parse_go("-2562047h47m16.854775808s", &v, &err), 0);
    cr_assert_eq(v, INT64_MIN);
    cr_assert_eq(duration_parse_go("2562047h47m16.854775808s", &v, &err), -1);
    cr_assert_str_eq(err, "time: invalid duration \"2562047h47m16.854775808s\"");
}

Test(flags, int_parsed_as_float)
{
    cr_assert_eq(parse("--web.get-concurrency=1.5", NULL), FLAGS_RUN);
    cr_assert_eq(fl.web_get_concurrency, 1);
    teardown();
    cr_assert_eq(parse("--web.get-concurrency", "-3", NULL), FLAGS_ERROR);
    cr_assert_str_eq(err, "expected argument for flag '--web.get-concurrency'");
    teardown();
    cr_assert_eq(parse("--web.get-concurrency=-3", NULL), FLAGS_RUN);
    cr_assert_eq(fl.web_get_concurrency, -3);
    teardown();
    cr_assert_eq(parse("--web.get-concurrency=1_0", NULL), FLAGS_RUN);
    cr_assert_eq(fl.web_get_concurrency, 10);
    teardown();
    expect_error("strconv.ParseFloat: parsing \"x\": invalid syntax",
                 parse("--web.get-concurrency=x", NULL));
    teardown();
    expect_error("strconv.ParseFloat: parsing \"0x10\": invalid syntax",
                 parse("--web.get-concurrency=0x10", NULL));
    teardown();
    expect_error("strconv.ParseFloat: parsing \"\": invalid syntax",
                 parse("--web.get-concurrency=", NULL));
    teardown();
    expect_error("strconv.ParseFloat: parsing \"1e999\": value out of range",
                 parse("--web.get-concurrency=1e999", NULL));
}

Test(flags, booleans)
{
    cr_assert_eq(parse("--web.systemd-socket",
                       "--cluster.allow-insecure-public-advertise-address-discovery", NULL),
                 FLAGS_RUN);
    cr_assert(fl.web_systemd_socket);
    cr_assert(fl.cluster_allow_insecure_public_advertise_address_discovery);
    teardown();
    cr_assert_eq(parse("--no-web.systemd-socket", NULL), FLAGS_RUN);
    cr_assert_not(fl.web_systemd_socket);
    teardown();
    expect_error("unexpected true", parse("--web.systemd-socket=true", NULL));
    teardown();
    expect_error("unknown long flag '--no-config.file'", parse("--no-config.file=x", NULL));
}

Test(flags, repeatable_peers)
{
    cr_assert_eq(parse("--cluster.peer=a:9094", "--cluster.peer", "b:9094",
                       "--cluster.peer=a:9094", NULL),
                 FLAGS_RUN);
    cr_assert_eq(fl.n_cluster_peers, 3);
    cr_assert_str_eq(fl.cluster_peers[0], "a:9094");
    cr_assert_str_eq(fl.cluster_peers[1], "b:9094");
    cr_assert_str_eq(fl.cluster_peers[2], "a:9094");
}

Test(flags, listen_addresses_replace_default)
{
    cr_assert_eq(parse("--web.listen-address=127.0.0.1:1", "--web.listen-address=[::1]:2", NULL),
                 FLAGS_RUN);
    cr_assert_eq(fl.n_web_listen_addresses, 2);
    cr_assert_str_eq(fl.web_listen_addresses[0], "127.0.0.1:1");
    cr_assert_str_eq(fl.web_listen_addresses[1], "[::1]:2");
}

Test(flags, single_flags_cannot_repeat)
{
    expect_error("flag 'data.retention' cannot be repeated",
                 parse("--data.retention=1h", "--data.retention=2h", NULL));
    teardown();
    expect_error("flag 'web.systemd-socket' cannot be repeated",
                 parse("--web.systemd-socket", "--web.systemd-socket", NULL));
}

Test(flags, log_flags)
{
    cr_assert_eq(parse("--log.level=debug", "--log.format", "json", NULL), FLAGS_RUN);
    cr_assert_str_eq(fl.log_level, "debug");
    cr_assert_str_eq(fl.log_format, "json");
    teardown();
    expect_error("unrecognized log level \"INFO\"", parse("--log.level=INFO", NULL));
    teardown();
    expect_error("unrecognized log level \"\"", parse("--log.level=", NULL));
    teardown();
    expect_error("unrecognized log format \"JSON\"", parse("--log.format=JSON", NULL));
}

Test(flags, structural_errors)
{
    expect_error("unknown long flag '--foo'", parse("--foo", NULL));
    teardown();
    expect_error("unknown long flag '--foo'", parse("--foo=bar", NULL));
    teardown();
    expect_error("unknown short flag '-x'", parse("-x", NULL));
    teardown();
    expect_error("unknown short flag '-v'", parse("-hv", NULL));
    teardown();
    expect_error("unknown short flag '-'", parse("-", NULL));
    teardown();
    expect_error("unexpected foo", parse("foo", NULL));
    teardown();
    expect_error("expected argument for flag '--data.retention'",
                 parse("--data.retention", NULL));
    teardown();
    expect_error("expected argument for flag '--config.file'",
                 parse("--config.file", "--version", NULL));
    teardown();
    expect_error("unexpected --version", parse("--", "--version", NULL));
    teardown();
    expect_error("unknown long flag '--'", parse("--=x", NULL));
    teardown();
    expect_error("unexpected extra", parse("--data.retention", "1h", "extra", NULL));
}

Test(flags, double_dash_alone_runs)
{
    cr_assert_eq(parse("--", NULL), FLAGS_RUN);
}

Test(flags, version_wins_over_later_problems)
{
    cr_assert_eq(parse("--version", "--foo", NULL), FLAGS_VERSION);
    teardown();
    cr_assert_eq(parse("--data.retention=xx", "--version", NULL), FLAGS_VERSION);
    teardown();
    cr_assert_eq(parse("--version=1", NULL), FLAGS_VERSION);
    teardown();
    cr_assert_eq(parse("--no-version", NULL), FLAGS_VERSION);
    teardown();
    cr_assert_eq(parse("--help", "--version", NULL), FLAGS_VERSION);
    teardown();
    expect_error("unknown long flag '--foo'", parse("--foo", "--version", NULL));
}

Test(flags, help_precedence)
{
    cr_assert_eq(parse("--help", NULL), FLAGS_HELP);
    teardown();
    cr_assert_eq(parse("-h", NULL), FLAGS_HELP);
    teardown();
    cr_assert_eq(parse("--no-help", NULL), FLAGS_HELP);
    teardown();
    cr_assert_eq(parse("--help-long", NULL), FLAGS_HELP);
    teardown();
    cr_assert_eq(parse("--help", "--data.retention=xx", NULL), FLAGS_HELP);
    teardown();
    expect_error("unknown long flag '--foo'", parse("--help", "--foo", NULL));
    teardown();
    expect_error("unexpected foo", parse("--help", "foo", NULL));
    teardown();
    expect_error("unexpected ", parse("--help=", NULL));
}

Test(flags, first_value_error_wins)
{
    expect_error("time: invalid duration \"xx\"",
                 parse("--data.retention=xx", "--log.level=bad", NULL));
    teardown();
    expect_error("unrecognized log level \"bad\"",
                 parse("--log.level=bad", "--data.retention=xx", NULL));
    teardown();
    expect_error("unexpected foo", parse("--data.retention=xx", "foo", NULL));
}

Test(flags, usage_layout)
{
    struct strbuf sb = STRBUF_INIT;
    flags_usage(&sb, "chorus");
    const char *u = strbuf_cstr(&sb);
    const char *head = "usage: chorus [<flags>]\n\nFlags:\n"
                       "  -h, --help                     Show context-sensitive help (also try\n"
                       "                                 --help-long and --help-man).\n"
                       "      --config.file=\"alertmanager.yml\"  \n"
                       "                                 Alertmanager configuration file name.\n"
                       "      --storage.path=\"data/\"     Base path for data storage.\n";
    cr_assert(strncmp(u, head, strlen(head)) == 0, "%s", u);
    cr_assert(strstr(u, "      --web.listen-address=:9093 ...  \n"
                        "                                 Addresses on which to expose metrics "
                        "and web\n"));
    cr_assert(strstr(u, "      --cluster.peer=CLUSTER.PEER ...  \n"));
    cr_assert(strstr(u, "      --web.config.file=\"\"       [EXPERIMENTAL]"));
    cr_assert(strstr(u, "      --cluster.tcp-timeout=10s  Timeout for"));
    cr_assert(strstr(u, "\n      --version                  Show application version.\n\n"));
    cr_assert_null(strstr(u, "help-long="));
    cr_assert_null(strstr(u, "Generate long help"));
    strbuf_free(&sb);
}

static void external(const char *listen, const char *ext, const char *prefix_flag,
                     const char *want_url, const char *want_prefix)
{
    char *url = NULL, *prefix = NULL;
    cr_assert_eq(parse("--web.listen-address", listen, NULL), FLAGS_RUN);
    free(fl.web_external_url);
    fl.web_external_url = xstrdup(ext);
    free(fl.web_route_prefix);
    fl.web_route_prefix = xstrdup(prefix_flag);
    cr_assert_eq(flags_external_url(&fl, "box", &url, &prefix, &err), 0, "%s", err);
    cr_assert_str_eq(url, want_url);
    cr_assert_str_eq(prefix, want_prefix);
    free(url);
    free(prefix);
    teardown();
}

Test(flags, external_url_and_prefix)
{
    external(":9093", "", "", "http://box:9093", "/");
    external("127.0.0.1:19151", "", "", "http://box:19151", "/");
    external("[::1]:9093", "", "", "http://box:9093", "/");
    external(":9093", "https://am.example.com/", "", "https://am.example.com", "/");
    external(":9093", "http://am:80/alertmanager/", "", "http://am:80/alertmanager",
             "/alertmanager");
    external(":9093", "HTTP://am/a/b//", "", "http://am/a/b", "/a/b");
    external(":9093", "http://am/ext", "/int/", "http://am/ext", "/int");
    external(":9093", "http://am/ext", "//", "http://am/ext", "/");
    external(":9093", "http://am/x?q=1", "", "http://am/x?q=1", "/x");
}

static void external_error(const char *listen, const char *ext, const char *want)
{
    char *url = NULL, *prefix = NULL;
    cr_assert_eq(parse("--web.listen-address", listen, NULL), FLAGS_RUN);
    free(fl.web_external_url);
    fl.web_external_url = xstrdup(ext);
    cr_assert_eq(flags_external_url(&fl, "box", &url, &prefix, &err), -1);
    cr_assert_str_eq(err, want);
    teardown();
}

Test(flags, external_url_errors)
{
    external_error("localhost", "", "address localhost: missing port in address");
    external_error("::1", "", "address ::1: too many colons in address");
    external_error("[::1", "", "address [::1: missing ']' in address");
    external_error(":9093", "ftp://x/",
                   "\"ftp://x/\": invalid \"ftp\" scheme, only 'http' and 'https' are supported");
    external_error(":9093", "foo", "\"foo\": invalid \"\" scheme, only 'http' and 'https' are "
                                   "supported");
    external_error(":9093", "127.0.0.1:9093",
                   "parse \"127.0.0.1:9093\": first path segment in URL cannot contain colon");
}
