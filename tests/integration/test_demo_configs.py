#!/usr/bin/env python3
"""The demo stack's configuration (docker/, deploy/ansible/) checked with the
real tools, as far as they are installed here.

  * Prometheus: `promtool check config`, `check rules`, `test rules`; every
    rule has a summary and a description annotation and a severity label,
    and at least one firing and one quiet unit test; every Grafana panel
    query parses (promtool checks them as recording rules).
  * The demo alertmanager.yml, as committed and rendered with Slack and
    Telegram switched on: `amtool check-config`, `amtool config routes test`
    for the severity routes, and chorus starting on it (GET /-/ready); the
    inhibition of warnings by a critical on the same instance, read back
    from chorus's API.
  * docker/certs/generate.sh: the certificates verify against the CA, and
    two Alertmanager 0.25 peers gossip over mutual TLS with the generated
    --cluster.tls-config files (which proves the format); chorus starts with
    the same flag.
  * `docker-compose config` (or `docker compose config`), structure of the
    compose file and of the Dockerfile.  No Dockerfile linter is packaged by
    Debian (hadolint is not): that check reports SKIP.
  * Ansible: `ansible-playbook --syntax-check`, `ansible-lint`, the chorus
    role's unit and config rendered and checked by `systemd-analyze verify`,
    amtool and chorus, and the chorus play against localhost in check mode.

A tool that is missing makes its checks report SKIP with the reason, never a
silent pass.  The slow Ansible steps run in the background while the rest
goes on; everything is bounded by timeouts.
"""

import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SRC = harness.SOURCE_DIR
DOCKER = os.path.join(SRC, "docker")
PROM = os.path.join(DOCKER, "prometheus")
DEMO_AM = os.path.join(DOCKER, "chorus", "alertmanager.yml")
RENDER = os.path.join(DOCKER, "chorus", "render-config.sh")
GENERATE = os.path.join(DOCKER, "certs", "generate.sh")
ANSIBLE = os.path.join(SRC, "deploy", "ansible")
TOOL_TIMEOUT = 50
ANSIBLE_TIMEOUT = 150      # a loaded machine makes Ansible slow; still bounded

try:
    import yaml
except ImportError:  # python3-yaml is a dependency of ansible and docker-compose
    yaml = None


def run(argv, timeout=TOOL_TIMEOUT, env=None, cwd=None, stdin=None):
    """(rc, combined output); rc is None when the command timed out."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL if stdin is None else None,
                           input=stdin, timeout=timeout, env=env, cwd=cwd)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out + "\n(timed out after %ss)" % timeout


def tool(name, path=None):
    """The tool's path, or None."""
    if path and os.access(path, os.X_OK):
        return path
    return shutil.which(name)


def tail(text, n=25):
    return "\n".join(text.rstrip("\n").split("\n")[-n:])


# --------------------------------------------------------------------------
# Prometheus

def check_prometheus(res, tmp):
    promtool = tool("promtool")
    if not promtool:
        res.skip("promtool checks", "promtool is not installed (Debian package prometheus)")
        return
    rc, out = run([promtool, "check", "config", os.path.join(PROM, "prometheus.yml")])
    res.check(rc == 0, "promtool check config docker/prometheus/prometheus.yml", tail(out))
    rules = sorted(glob.glob(os.path.join(PROM, "rules", "*.yml")))
    rc, out = run([promtool, "check", "rules"] + rules)
    res.check(rc == 0 and rules, "promtool check rules (%d files)" % len(rules), tail(out))
    tests = sorted(glob.glob(os.path.join(PROM, "tests", "*.yml")))
    rc, out = run([promtool, "test", "rules"] + tests, cwd=PROM)
    res.check(rc == 0 and tests, "promtool test rules (%d files)" % len(tests), tail(out, 60))

    if yaml is None:
        res.skip("rule structure and test coverage", "python3-yaml is not installed")
        return
    alerts = {}
    for f in rules:
        for g in yaml.safe_load(open(f))["groups"]:
            for r in g["rules"]:
                if "alert" in r:
                    alerts[r["alert"]] = r
    bad = []
    for name, r in sorted(alerts.items()):
        ann = r.get("annotations", {})
        if not ann.get("summary") or not ann.get("description"):
            bad.append("%s: summary or description annotation missing" % name)
        if r.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
            bad.append("%s: severity label missing or not critical/warning/info" % name)
    res.check(alerts and not bad, "every rule (%d) has summary, description and severity" % len(alerts),
              "\n".join(bad))
    firing, quiet = set(), set()
    for f in tests:
        for t in yaml.safe_load(open(f)).get("tests", []):
            for a in t.get("alert_rule_test", []):
                (firing if a.get("exp_alerts") else quiet).add(a["alertname"])
    missing = ["%s: no firing test" % a for a in sorted(set(alerts) - firing)]
    missing += ["%s: no quiet test" % a for a in sorted(set(alerts) - quiet)]
    res.check(not missing, "every rule has a firing and a quiet promtool test", "\n".join(missing))

    check_dashboards(res, tmp, promtool)


def check_dashboards(res, tmp, promtool):
    dash_dir = os.path.join(DOCKER, "grafana", "dashboards")
    files = sorted(glob.glob(os.path.join(dash_dir, "*.json")))
    ds_file = os.path.join(DOCKER, "grafana", "provisioning", "datasources", "prometheus.yml")
    ds_uids = {d["uid"] for d in yaml.safe_load(open(ds_file))["datasources"]}
    problems, exprs, uids = [], [], set()
    titles = {}
    for f in files:
        name = os.path.basename(f)
        try:
            d = json.load(open(f))
        except ValueError as e:
            problems.append("%s: not JSON: %s" % (name, e))
            continue
        if d.get("uid") in uids:
            problems.append("%s: duplicate uid %s" % (name, d.get("uid")))
        uids.add(d.get("uid"))
        titles[d.get("title")] = name
        ds_var = [v for v in d.get("templating", {}).get("list", []) if v.get("type") == "datasource"]
        if not ds_var or ds_var[0].get("current", {}).get("value") not in ds_uids:
            problems.append("%s: no data source variable defaulting to a provisioned uid" % name)
        for p in d.get("panels", []):
            if p.get("type") == "row":
                continue
            if p.get("datasource", {}).get("uid") != "${datasource}":
                problems.append("%s: panel %r does not use the data source variable" % (name, p.get("title")))
            if not p.get("targets"):
                problems.append("%s: panel %r has no query" % (name, p.get("title")))
            for t in p.get("targets", []):
                exprs.append((name, p.get("title"), t.get("expr", "")))
    for want in ("Hosts overview", "Containers", "chorus cluster"):
        if want not in titles:
            problems.append("dashboard %r is missing" % want)
    res.check(files and not problems, "Grafana dashboards (%d) are provisionable" % len(files),
              "\n".join(problems))

    # Each query, with Grafana's variables replaced, as a recording rule:
    # promtool then parses it with Prometheus' own parser.
    def plain(e):
        e = e.replace("$__rate_interval", "5m").replace("$__interval", "1m")
        return re.sub(r"\$\{?[a-z_]+\}?", ".+", e)
    group = {"groups": [{"name": "dashboard_queries", "rules": [
        {"record": "dashboard_query_%d" % i, "expr": plain(e)} for i, (_, _, e) in enumerate(exprs)]}]}
    path = os.path.join(tmp, "dashboard-queries.yml")
    with open(path, "w") as f:
        yaml.safe_dump(group, f)
    rc, out = run([promtool, "check", "rules", path])
    detail = tail(out)
    if rc != 0:
        detail += "\n" + "\n".join("%d: %s / %s: %s" % (i, n, t, e) for i, (n, t, e) in enumerate(exprs))
    res.check(rc == 0 and exprs, "every dashboard query (%d) parses as PromQL" % len(exprs), detail)

    # Cluster panels use Alertmanager's metric names.
    cluster = [e for n, _, e in exprs if n == "chorus-cluster.json"]
    wanted = ["alertmanager_cluster_members", "alertmanager_cluster_messages_sent_total",
              "alertmanager_notifications_total", "alertmanager_notifications_failed_total",
              "alertmanager_alerts", "alertmanager_silences", "alertmanager_peer_position"]
    absent = [m for m in wanted if not any(re.search(r"\b%s\b" % m, e) for e in cluster)]
    res.check(not absent, "the chorus cluster dashboard shows members, gossip, notifications, "
              "alerts, silences and peer positions", "missing: %s" % ", ".join(absent))


# --------------------------------------------------------------------------
# The demo alertmanager.yml

ROUTES = [
    # (labels, receivers as committed, receivers with Slack and Telegram on)
    ("severity=critical instance=h1", "mail-oncall", "mail-oncall,telegram,slack"),
    ("severity=warning instance=h1", "mail-team", "slack,mail-team"),
    ("severity=info instance=h1", "mail-digest", "mail-digest"),
    ("instance=h1", "mail-team", "mail-team"),
]


def render_demo(env_extra, out):
    env = dict(os.environ)
    for k in ("SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"):
        env.pop(k, None)
    env.update(env_extra)
    return run(["sh", RENDER, "--render", DEMO_AM, out], env=env)


def check_alertmanager_config(res, tmp, configs):
    """configs: list of (label, path) filled here for chorus to load later."""
    amtool = tool("amtool", harness.AMTOOL_BIN)
    rendered = os.path.join(tmp, "rendered-all.yml")
    rc, out = render_demo({"SLACK_WEBHOOK_URL": "https://hooks.example.org/services/T0/B0/x&y",
                           "TELEGRAM_BOT_TOKEN": "123456:demo-token",
                           "TELEGRAM_CHAT_ID": "-1001234567890"}, rendered)
    ok = rc == 0 and os.path.exists(rendered)
    text = open(rendered).read() if ok else ""
    ok = ok and "'https://hooks.example.org/services/T0/B0/x&y'" in text and "chat_id: -1001234567890" in text
    res.check(ok, "render-config.sh switches Slack and Telegram on from the environment", out)
    rc0, out0 = render_demo({}, os.path.join(tmp, "rendered-none.yml"))
    same = rc0 == 0 and open(os.path.join(tmp, "rendered-none.yml")).read() == open(DEMO_AM).read()
    res.check(same, "render-config.sh leaves the config as committed without variables", out0)
    rc1, out1 = render_demo({"TELEGRAM_BOT_TOKEN": "x", "TELEGRAM_CHAT_ID": "12ab"},
                            os.path.join(tmp, "rendered-bad.yml"))
    res.check(rc1 not in (0, None) and "TELEGRAM_CHAT_ID" in out1,
              "render-config.sh refuses a chat id that is not a number", out1)
    configs += [("demo alertmanager.yml as committed", DEMO_AM),
                ("demo alertmanager.yml with Slack and Telegram on", rendered)]

    if not amtool:
        res.skip("amtool check-config / config routes test", "amtool is not installed "
                 "(Debian package prometheus-alertmanager)")
        return
    for label, path in configs:
        rc, out = run([amtool, "check-config", path])
        res.check(rc == 0, "amtool check-config: %s" % label, out)
    for labels, plain, full in ROUTES:
        for cfg, want in ((DEMO_AM, plain), (rendered, full)):
            # amtool warns on stderr that --config.file overrides the URL.
            rc, out = run([amtool, "config", "routes", "test", "--config.file=" + cfg] + labels.split())
            got = out.strip().split("\n")[-1]
            res.check(rc == 0 and got == want, "route %s -> %s%s" % (
                labels, want, "" if cfg == DEMO_AM else " (Slack, Telegram on)"),
                "got: %s" % got)


def check_chorus_loads(res, configs):
    kind, binary = harness.candidate_binary()
    for label, path in configs:
        srv = harness.Server(kind, binary, config_file=path, name="demo")
        try:
            srv.start()
            res.check(True, "%s loads %s and answers /-/ready" % (kind, label))
        except RuntimeError as e:
            res.check(False, "%s loads %s and answers /-/ready" % (kind, label), str(e))
        finally:
            srv.close()


def check_inhibition(res):
    """A critical alert mutes a warning on the same instance, not elsewhere."""
    kind, binary = harness.candidate_binary()
    srv = harness.Server(kind, binary, config_file=DEMO_AM, name="demo-inhibit")
    try:
        srv.start()
        now = time.time()
        alerts = [{"labels": {"alertname": a, "severity": s, "instance": i},
                   "startsAt": harness.rfc3339(now - 60), "endsAt": harness.rfc3339(now + 3600)}
                  for a, s, i in (("HostDiskSpaceCritical", "critical", "h1"),
                                  ("HostDiskSpaceLow", "warning", "h1"),
                                  ("HostDiskSpaceLow", "warning", "h2"))]
        status, _, body = harness.http("POST", srv.url + "/api/v2/alerts", alerts)
        got = {}
        if status == 200:
            for a in harness.get_json(srv.url + "/api/v2/alerts"):
                key = (a["labels"]["alertname"], a["labels"]["instance"])
                got[key] = (a["status"]["state"], bool(a["status"]["inhibitedBy"]))
        want = {("HostDiskSpaceCritical", "h1"): ("active", False),
                ("HostDiskSpaceLow", "h1"): ("suppressed", True),
                ("HostDiskSpaceLow", "h2"): ("active", False)}
        res.check(got == want, "%s inhibits the warning on the critical's instance only" % kind,
                  "post: %s %s\ngot:  %s\nwant: %s" % (status, body[:200], got, want))
    except (RuntimeError, OSError, ValueError, KeyError) as e:
        res.check(False, "%s inhibits the warning on the critical's instance only" % kind, str(e))
    finally:
        srv.close()


# --------------------------------------------------------------------------
# Certificates and gossip TLS

def check_certs(res, tmp):
    openssl = tool("openssl")
    if not openssl:
        res.skip("certificate generation", "openssl is not installed")
        return None
    out_dir = os.path.join(tmp, "certs")
    rc, out = run(["sh", GENERATE, "-o", out_dir, "-d", out_dir, "peer-a", "peer-b", "peer-c"])
    files = ["ca.crt", "ca.key"] + ["%s%s" % (p, s) for p in ("peer-a", "peer-b", "peer-c")
                                    for s in (".crt", ".key", "-tls.yml")]
    missing = [f for f in files if not os.path.exists(os.path.join(out_dir, f))]
    res.check(rc == 0 and not missing, "generate.sh writes the CA, peer certificates and TLS configs",
              out + ("\nmissing: %s" % missing if missing else ""))
    if rc != 0 or missing:
        return None
    rc, out = run([openssl, "verify", "-CAfile", os.path.join(out_dir, "ca.crt")] +
                  [os.path.join(out_dir, p + ".crt") for p in ("peer-a", "peer-b", "peer-c")])
    res.check(rc == 0, "peer certificates verify against the generated CA", out)
    rc, out = run([openssl, "x509", "-noout", "-ext", "subjectAltName,extendedKeyUsage", "-in",
                   os.path.join(out_dir, "peer-b.crt")])
    res.check(rc == 0 and "DNS:peer-b" in out and "DNS:chorus-cluster" in out
              and "TLS Web Client Authentication" in out
              and "TLS Web Server Authentication" in out,
              "a peer certificate names its peer and the cluster, and serves as client and server", out)
    modes = {f: oct(os.stat(os.path.join(out_dir, f)).st_mode & 0o777)
             for f in os.listdir(out_dir) if f.endswith(".key")}
    res.check(all(m == "0o600" for m in modes.values()), "private keys are mode 0600", str(modes))
    if yaml is not None:
        cfg = yaml.safe_load(open(os.path.join(out_dir, "peer-a-tls.yml")))
        ok = (set(cfg) == {"tls_server_config", "tls_client_config"}
              and cfg["tls_server_config"].get("client_auth_type") == "RequireAndVerifyClientCert"
              and cfg["tls_client_config"].get("server_name") == "chorus-cluster")
        res.check(ok, "the TLS config has tls_server_config (client certs required) and tls_client_config",
                  json.dumps(cfg, indent=1))
    return out_dir


class ClusterServer(harness.Server):
    """A harness server whose --cluster.* flags are the test's own (the
    harness turns clustering off with an empty --cluster.listen-address,
    and both parsers refuse a repeated flag)."""

    def argv(self):
        return [a for a in super().argv() if a != "--cluster.listen-address="]


def check_gossip_tls(res, cert_dir):
    """Two real Alertmanager 0.25 peers gossip with the generated files."""
    am = tool("prometheus-alertmanager", harness.ALERTMANAGER_BIN)
    if not am:
        res.skip("Alertmanager gossips with the generated TLS configs",
                 "prometheus-alertmanager is not installed")
        return
    ports = [harness.free_port() for _ in range(2)]
    peers = []
    try:
        for i, name in enumerate(("peer-a", "peer-b")):
            other = ports[1 - i]
            srv = ClusterServer("alertmanager", am, config=harness.BASIC_CONFIG, name="tls-" + name,
                                 extra_args=["--cluster.listen-address=127.0.0.1:%d" % ports[i],
                                             "--cluster.peer=127.0.0.1:%d" % other,
                                             "--cluster.tls-config=%s/%s-tls.yml" % (cert_dir, name),
                                             "--cluster.settle-timeout=1s"])
            peers.append(srv)
        for srv in peers:
            srv.start()
        deadline = time.monotonic() + 15
        members = None
        while time.monotonic() < deadline:
            _, _, body = harness.http("GET", peers[0].url + "/metrics", timeout=3)
            members = harness.metric_value(body.decode(), "alertmanager_cluster_members")
            if members == 2:
                break
            time.sleep(0.3)
        log = peers[0].log_tail(15)
        res.check(members == 2 and "using TLS for gossip" in log,
                  "two Alertmanager 0.25 peers form a cluster over mutual TLS with the generated configs",
                  "members=%s\n%s" % (members, log))
    except (RuntimeError, OSError) as e:
        res.check(False, "two Alertmanager 0.25 peers form a cluster over mutual TLS "
                  "with the generated configs", str(e))
    finally:
        for srv in peers:
            srv.close()

    kind, binary = harness.candidate_binary()
    srv = ClusterServer(kind, binary, name="tls-chorus", extra_args=[
        "--cluster.listen-address=127.0.0.1:%d" % harness.free_port(),
        "--cluster.tls-config=%s/peer-c-tls.yml" % cert_dir])
    try:
        srv.start()
        res.check(True, "%s starts with the --cluster.* flags and the generated --cluster.tls-config" % kind)
    except RuntimeError as e:
        res.check(False, "%s starts with the --cluster.* flags and the generated --cluster.tls-config"
                  % kind, str(e))
    finally:
        srv.close()


# --------------------------------------------------------------------------
# Compose and Dockerfile

def check_compose(res):
    path = os.path.join(DOCKER, "compose.yml")
    cmd = None
    if tool("docker-compose"):
        cmd = [tool("docker-compose")]
    elif tool("docker") and run([tool("docker"), "compose", "version"], timeout=15)[0] == 0:
        cmd = [tool("docker"), "compose"]
    if cmd is None:
        res.skip("docker-compose config", "neither docker-compose nor the docker compose plugin "
                 "is installed (Debian package docker-compose)")
    else:
        env = dict(os.environ, SLACK_WEBHOOK_URL="", TELEGRAM_BOT_TOKEN="", TELEGRAM_CHAT_ID="")
        rc, out = run(cmd + ["-f", path, "config", "-q"], env=env, timeout=30)
        res.check(rc == 0, "%s -f docker/compose.yml config" % " ".join(os.path.basename(c) for c in cmd),
                  tail(out))
    if yaml is None:
        return
    c = yaml.safe_load(open(path))
    s = c.get("services", {})
    problems = []
    for want in ("prometheus-a", "prometheus-b", "node-exporter", "cadvisor", "grafana", "mailpit",
                 "chorus-1", "chorus-2", "chorus-3", "certs"):
        if want not in s:
            problems.append("service %s missing" % want)
    for i in (1, 2, 3):
        cmdline = " ".join(s.get("chorus-%d" % i, {}).get("command", []))
        others = [j for j in (1, 2, 3) if j != i]
        for flag in ["--cluster.listen-address=", "--cluster.tls-config=/etc/chorus/tls/chorus-%d-tls.yml" % i] + \
                    ["--cluster.peer=chorus-%d:9094" % j for j in others]:
            if flag not in cmdline:
                problems.append("chorus-%d lacks %s" % (i, flag))
    for v in ("chorus-1-data", "prometheus-a-data", "prometheus-b-data", "grafana-data"):
        if v not in (c.get("volumes") or {}):
            problems.append("named volume %s missing" % v)
    prom = yaml.safe_load(open(os.path.join(PROM, "prometheus.yml")))
    targets = prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    if sorted(targets) != ["chorus-1:9093", "chorus-2:9093", "chorus-3:9093"]:
        problems.append("Prometheus does not send to all three chorus replicas: %s" % targets)
    res.check(not problems, "compose stack: services, cluster flags, named volumes, "
              "Prometheus sends to every replica", "\n".join(problems))


def check_dockerfile(res):
    path = os.path.join(DOCKER, "Dockerfile")
    text = open(path).read()
    linter = tool("hadolint")
    if linter:
        rc, out = run([linter, path])
        res.check(rc == 0, "hadolint docker/Dockerfile", out)
    else:
        res.skip("Dockerfile linter", "Debian 12 packages no Dockerfile linter (hadolint is not in "
                 "Debian); the structure is checked below and the image was not built here")
    problems = []
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    if len(froms) < 2 or not froms[0].startswith("debian:") or "slim" not in froms[-1]:
        problems.append("not a multi-stage Debian build with a slim runtime stage: %s" % froms)
    runtime = text[text.rindex("\nFROM "):]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    if not user or user[-1].split(":")[0] in ("root", "0"):
        problems.append("the runtime stage does not switch to a non-root user")
    if not re.search(r"^HEALTHCHECK .*\n?.*/-/ready", runtime, re.M):
        problems.append("no HEALTHCHECK on /-/ready")
    expose = " ".join(re.findall(r"^EXPOSE\s+(.*)$", runtime, re.M))
    if "9093" not in expose or "9094" not in expose:
        problems.append("EXPOSE lacks 9093 or 9094: %r" % expose)
    if not re.search(r'^ENTRYPOINT \["/usr/bin/chorus"\]', runtime, re.M):
        problems.append("ENTRYPOINT is not chorus")
    # The build stage installs every -dev package scripts/setup installs.
    setup = open(os.path.join(SRC, "scripts", "setup")).read()
    pkgs = re.search(r"packages=\((.*?)\)", setup, re.S).group(1).split()
    build = text[:text.index("\nFROM ", text.index("FROM "))]
    test_only = {"libcriterion-dev"}          # unit tests only; the image builds with CHORUS_TESTS=OFF
    for p in pkgs:
        if p in test_only:
            continue
        if (p.endswith("-dev") or p in ("cmake", "pkg-config", "protobuf-c-compiler")) \
                and not p.startswith("libclang") and not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(p), build):
            problems.append("build stage lacks %s (in scripts/setup)" % p)
    res.check(not problems, "Dockerfile: multi-stage, non-root, health check, ports, entrypoint, "
              "build packages as scripts/setup", "\n".join(problems))
    docker = tool("docker")
    if docker:
        rc, out = run([docker, "info", "--format", "{{.ServerVersion}}"], timeout=15)
        if rc != 0:
            res.skip("docker build", "the Docker daemon is not reachable here: %s"
                     % out.strip().split("\n")[-1][:160])
        else:
            res.skip("docker build", "a daemon answers, but building the image takes longer than "
                     "this test may; build it by hand")
    else:
        res.skip("docker build", "docker is not installed")


# --------------------------------------------------------------------------
# Ansible (slow steps; started in the background)

def ansible_env(tmp):
    env = dict(os.environ)
    env.update({"ANSIBLE_CONFIG": os.path.join(ANSIBLE, "ansible.cfg"),
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-local"),
                "ANSIBLE_REMOTE_TEMP": os.path.join(tmp, "ansible-remote"),
                "ANSIBLE_GATHERING": "explicit", "ANSIBLE_RETRY_FILES_ENABLED": "0",
                "ANSIBLE_PIPELINING": "1",
                "NO_COLOR": "1"})
    return env


def ansible_jobs(tmp, chorus_bin):
    """name -> zero-argument callable returning (rc, output)."""
    env = ansible_env(tmp)
    playbook = tool("ansible-playbook")
    lint = tool("ansible-lint")
    jobs = {}
    if playbook:
        jobs["syntax"] = lambda: run([playbook, "--syntax-check", "-i", "inventory.example.yml",
                                      "site.yml"], env=env, cwd=ANSIBLE, timeout=ANSIBLE_TIMEOUT)
        render_dir = os.path.join(tmp, "ansible-render")
        os.makedirs(render_dir)
        jobs["render"] = lambda: run([playbook, "-i", "localhost,", "-c", "local", "tests/render.yml",
                                      "-e", json.dumps({"render_dir": render_dir,
                                                        "chorus_binary_path": chorus_bin,
                                                        "chorus_slack_webhook_url": "https://hooks.example.org/x",
                                                        "chorus_telegram_bot_token": "1:t",
                                                        "chorus_telegram_chat_id": "42"})],
                                     env=env, cwd=ANSIBLE, timeout=ANSIBLE_TIMEOUT)
        cert_dir = os.path.join(tmp, "ansible-certs")

        def check_mode():
            rc, out = run(["sh", GENERATE, "-o", cert_dir, "localhost"])
            if rc != 0:
                return rc, out
            # Check mode changes nothing; become is off as this runs as the
            # test's user (root or not), the service calls are switched off.
            return run([playbook, "-i", "tests/localhost.yml", "site.yml", "--check", "--tags", "chorus",
                        "-e", json.dumps({"chorus_binary_src": chorus_bin, "chorus_tls_src_dir": cert_dir,
                                          "chorus_manage_service": False, "ansible_become": False})],
                       env=env, cwd=ANSIBLE, timeout=ANSIBLE_TIMEOUT)
        jobs["check"] = check_mode
    if lint:
        jobs["lint"] = lambda: run([lint, "--offline", "--nocolor", "site.yml"], env=env, cwd=ANSIBLE,
                                   timeout=ANSIBLE_TIMEOUT)
    # Longest first: the check-mode run and ansible-lint start at once.
    order = ["check", "lint", "syntax", "render"]
    return {k: jobs[k] for k in order if k in jobs}


def report_ansible(res, tmp, futures):
    if "syntax" not in futures:
        res.skip("ansible-playbook checks", "ansible-playbook is not installed (Debian package ansible)")
    else:
        rc, out = futures["syntax"].result()
        res.check(rc == 0, "ansible-playbook --syntax-check site.yml", tail(out))
    if "lint" not in futures:
        res.skip("ansible-lint", "ansible-lint is not installed (Debian package ansible-lint)")
    else:
        rc, out = futures["lint"].result()
        res.check(rc == 0, "ansible-lint site.yml", tail(out, 40))
    if "render" not in futures:
        return
    rc, out = futures["render"].result()
    render_dir = os.path.join(tmp, "ansible-render")
    unit = os.path.join(render_dir, "chorus.service")
    res.check(rc == 0 and os.path.exists(unit), "the chorus role renders its unit and alertmanager.yml",
              tail(out))
    if os.path.exists(unit):
        text = open(unit).read()
        needed = ["DynamicUser=yes", "StateDirectory=chorus", "ProtectSystem=strict", "NoNewPrivileges=yes",
                  "CapabilityBoundingSet=\n", "LoadCredential=peer.key:", "--cluster.tls-config="]
        res.check(all(n in text for n in needed), "the unit has the hardening options and credentials",
                  "missing: %s" % [n for n in needed if n not in text])
        sa = tool("systemd-analyze")
        if sa:
            rc, out = run([sa, "verify", unit], timeout=30)
            res.check(rc == 0, "systemd-analyze verify on the rendered unit", out)
        else:
            res.skip("systemd-analyze verify", "systemd-analyze is not installed")
    rc, out = futures["check"].result()
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out)
    ok = rc == 0 and recap and recap.group(3) == "0" and recap.group(4) == "0"
    res.check(ok, "the chorus play runs against localhost in check mode", tail(out, 30))


# --------------------------------------------------------------------------

def main():
    res = harness.Results("test_demo_configs")
    kind, chorus_bin = harness.candidate_binary()
    tmp = tempfile.mkdtemp(prefix="chorus-demo-")
    # Two at a time (the machine has 2 CPUs): the check-mode run and
    # ansible-lint first, then the syntax check and the render.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    try:
        took = {}

        def timed(name, job):
            t0 = time.monotonic()
            try:
                return job()
            finally:
                took[name] = time.monotonic() - t0
        futures = {name: pool.submit(timed, name, job)
                   for name, job in ansible_jobs(tmp, chorus_bin).items()}
        configs = []
        check_prometheus(res, tmp)
        check_alertmanager_config(res, tmp, configs)
        cert_dir = check_certs(res, tmp)
        check_compose(res)
        check_dockerfile(res)
        # The Ansible-rendered config joins the ones chorus must load.
        if "render" in futures and futures["render"].result()[0] == 0:
            path = os.path.join(tmp, "ansible-render", "alertmanager.yml")
            amtool = tool("amtool", harness.AMTOOL_BIN)
            if amtool:
                rc, out = run([amtool, "check-config", path])
                res.check(rc == 0, "amtool check-config: the chorus role's alertmanager.yml", out)
            configs.append(("the chorus role's alertmanager.yml", path))
        check_chorus_loads(res, configs)
        check_inhibition(res)
        if cert_dir:
            check_gossip_tls(res, cert_dir)
        print("(%.1fs: the checks beside Ansible are done)" % (time.monotonic() - res.started))
        report_ansible(res, tmp, futures)
        print("(Ansible steps took: %s)" % ", ".join("%s %.1fs" % kv for kv in sorted(took.items())))
    finally:
        pool.shutdown(wait=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
