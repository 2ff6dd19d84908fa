/*
 * cluster_member: one chorus cluster member on a libuv loop and nothing else,
 * for tests against Alertmanager 0.25 until the daemon wires cluster/ in.
 * SIGTERM or SIGINT makes it leave the cluster and exit.
 * It prints its view as a JSON line whenever it changes (and every 5 s):
 *   {"name":..., "address":..., "status":"settling"|"ready", "metrics":{...},
 *    "peers":[{"name","address","state"}]}
 * followed by a line "traffic {...}" with the packet and stream counters.
 *
 *   cluster_member --listen 127.0.0.1:9094 [--advertise ip:port] [--peer host:port]...
 *                  [--name N] [--probe-interval MS] [--probe-timeout MS]
 *                  [--gossip-interval MS] [--pushpull-interval MS]
 *                  [--reconnect-interval MS] [--settle-timeout MS]
 *                  [--silences on] [--create-silence COMMENT]
 * With --silences on a silence store is replicated as the "sil" state and
 * its silences are listed in the view; --create-silence also creates one
 * (alertname="ClusterMemberTest", one hour) and broadcasts it.
 */
#include "cluster/cluster.h"
#include "silences/silences.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#define MAX_PEERS 64
#define REPORT_EVERY_MS 100
#define REPORT_AT_LEAST_MS 5000
#define LEAVE_GRACE_MS 300

static struct cluster_node *node;
static struct silences *store; /* with --silences */
static char *last_report;
static uint64_t last_report_at;

static void report_view(uv_timer_t *t)
{
    static const char *const states[] = {"alive", "suspect", "dead", "left"};
    struct cluster_metrics m;
    cluster_node_metrics(node, &m);
    struct cluster_peer *peers;
    size_t n = cluster_node_peers(node, &peers);
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"name\":");
    strbuf_json_cstr(&sb, cluster_node_name(node), 0);
    strbuf_puts(&sb, ",\"address\":");
    strbuf_json_cstr(&sb, cluster_node_address(node), 0);
    strbuf_printf(&sb, ",\"status\":\"%s\"", cluster_node_status(node));
    strbuf_printf(&sb, ",\"metrics\":{\"members\":%d,\"failed_peers\":%d,\"health_score\":%d,"
                       "\"peer_position\":%d},\"peers\":[",
                  m.members, m.failed_peers, m.health_score, m.peer_position);
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        strbuf_json_cstr(&sb, peers[i].name, 0);
        strbuf_puts(&sb, ",\"address\":");
        strbuf_json_cstr(&sb, peers[i].address, 0);
        strbuf_printf(&sb, ",\"state\":\"%s\"}", states[peers[i].state & 3]);
    }
    strbuf_puts(&sb, "]");
    if (store) {
        size_t count;
        const struct silence **all = silences_query(store, NULL, time_now(), &count);
        strbuf_puts(&sb, ",\"silences\":[");
        for (size_t i = 0; i < count; i++) {
            strbuf_puts(&sb, i ? ",{\"id\":" : "{\"id\":");
            strbuf_json_cstr(&sb, all[i]->id, 0);
            strbuf_puts(&sb, ",\"comment\":");
            strbuf_json_cstr(&sb, all[i]->comment, 0);
            strbuf_putc(&sb, '}');
        }
        strbuf_putc(&sb, ']');
        free(all);
    }
    strbuf_putc(&sb, '}');
    cluster_peers_free(peers, n);
    uint64_t now = uv_now(t->loop);
    if (!last_report || strcmp(last_report, sb.buf) != 0 ||
        now - last_report_at >= REPORT_AT_LEAST_MS) {
        printf("%s\n", sb.buf);
        /* Counters change all the time, so they get their own line. */
        printf("traffic {\"packets_in\":%llu,\"packets_out\":%llu,\"bytes_in\":%llu,"
               "\"bytes_out\":%llu,\"streams_in\":%llu,\"streams_out\":%llu}\n",
               (unsigned long long)m.packets_in, (unsigned long long)m.packets_out,
               (unsigned long long)m.packet_bytes_in, (unsigned long long)m.packet_bytes_out,
               (unsigned long long)m.streams_in, (unsigned long long)m.streams_out);
        fflush(stdout);
        free(last_report);
        last_report = strbuf_detach(&sb);
        last_report_at = now;
    }
    strbuf_free(&sb);
}

static uv_timer_t stop_timer;

static void stop_loop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Like Alertmanager on SIGTERM: say goodbye, give the packets a moment. */
static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    cluster_node_leave(node);
    uv_timer_start(&stop_timer, stop_loop, LEAVE_GRACE_MS, 0);
    uv_signal_stop(s);
}

/* A one-hour silence for alertname="ClusterMemberTest", broadcast at once. */
static int create_silence(const char *comment)
{
    struct silence in;
    silence_init(&in);
    silence_add_matcher(&in, MATCH_EQUAL, "alertname", "ClusterMemberTest");
    int64_t now = time_now();
    in.starts_at = now;
    in.ends_at = now + 3600 * NS_PER_SEC;
    free(in.created_by);
    in.created_by = xstrdup("cluster_member");
    free(in.comment);
    in.comment = xstrdup(comment);
    char id[37], *err = NULL;
    int r = silences_set(store, &in, now, id, &err);
    silence_free(&in);
    if (r != SILENCES_OK) {
        fprintf(stderr, "cluster_member: %s\n", err ? err : "silence rejected");
        free(err);
        return -1;
    }
    return cluster_node_broadcast_silence(node, store, id);
}

static int64_t ms_arg(const char *v)
{
    return (int64_t)strtoll(v, NULL, 10) * NS_PER_MS;
}

int main(int argc, char **argv)
{
    const char *peers[MAX_PEERS];
    const char *silence_comment = NULL;
    bool with_silences = false;
    struct cluster_node_opts o = {.listen_address = "0.0.0.0:9094", .peers = peers};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--listen"))
            o.listen_address = v;
        else if (!strcmp(k, "--advertise"))
            o.advertise_address = v;
        else if (!strcmp(k, "--name"))
            o.name = v;
        else if (!strcmp(k, "--peer") && o.n_peers < MAX_PEERS)
            peers[o.n_peers++] = v;
        else if (!strcmp(k, "--probe-interval"))
            o.probe_interval = ms_arg(v);
        else if (!strcmp(k, "--probe-timeout"))
            o.probe_timeout = ms_arg(v);
        else if (!strcmp(k, "--gossip-interval"))
            o.gossip_interval = ms_arg(v);
        else if (!strcmp(k, "--pushpull-interval"))
            o.pushpull_interval = ms_arg(v);
        else if (!strcmp(k, "--silences"))
            with_silences = !strcmp(v, "on");
        else if (!strcmp(k, "--create-silence"))
            silence_comment = v;
        else if (!strcmp(k, "--reconnect-interval"))
            o.reconnect_interval = ms_arg(v);
        else if (!strcmp(k, "--settle-timeout"))
            o.settle_timeout = ms_arg(v);
        else {
            fprintf(stderr, "cluster_member: unknown or incomplete option %s\n", k);
            return 2;
        }
    }
    log_setup(getenv("CLUSTER_MEMBER_LOG") ? getenv("CLUSTER_MEMBER_LOG") : "info", "logfmt");
    uv_loop_t *loop = uv_default_loop();
    char *err = NULL;
    if (cluster_node_start(loop, &o, &node, &err) < 0) {
        fprintf(stderr, "cluster_member: %s\n", err);
        free(err);
        return 1;
    }
    if (with_silences || silence_comment) {
        store = silences_new(120 * 3600 * NS_PER_SEC);
        cluster_node_add_silences(node, store);
    }
    if (silence_comment && create_silence(silence_comment) < 0)
        return 1;
    uv_timer_t report;
    uv_timer_init(loop, &report);
    uv_timer_start(&report, report_view, 0, REPORT_EVERY_MS);
    uv_timer_init(loop, &stop_timer);
    uv_signal_t sigterm, sigint;
    uv_signal_init(loop, &sigterm);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_run(loop, UV_RUN_DEFAULT);
    cluster_node_close(node);
    uv_close((uv_handle_t *)&report, NULL);
    uv_close((uv_handle_t *)&stop_timer, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    free(last_report);
    if (store)
        silences_free(store);
    uv_loop_close(loop);
    return 0;
}
