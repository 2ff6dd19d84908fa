#!/usr/bin/env python3
"""Debian's Prometheus, with a rule that fires, sends its alert to chorus.

Prometheus evaluates `vector(1)` every second (for: 0s) and is pointed, with
api_version v2, at the candidate and at the reference Alertmanager at once.
Within a bounded time (30 s) the candidate's GET /api/v2/alerts must hold the
alert with Prometheus' labels, rendered annotations and generatorURL, and the
whole answer must equal the reference's (normalised as in test_api_diff).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

WAIT = 30.0

RULES = """\
groups:
  - name: chorus-integration
    interval: 1s
    rules:
      - alert: ChorusPrometheusAlert
        expr: vector(1)
        for: 0s
        labels:
          severity: critical
          team: chorus
        annotations:
          summary: "value is {{ $value }}"
          description: "fired by prometheus at {{ 1 | humanize }}"
"""

PROM_CONFIG = """\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {rules}
alerting:
  alertmanagers:
    - api_version: v2
      timeout: 5s
      static_configs:
        - targets: ["127.0.0.1:{cand}", "127.0.0.1:{ref}"]
scrape_configs: []
"""


def find_alert(alerts):
    for a in alerts:
        if a.get("labels", {}).get("alertname") == "ChorusPrometheusAlert":
            return a
    return None


def main():
    res = harness.Results("test_prometheus")
    ref = cand = prom = None
    pdir = None
    try:
        ref, cand = harness.start_pair()
        pdir = tempfile.mkdtemp(prefix="chorus-it-prometheus-")
        rules = os.path.join(pdir, "rules.yml")
        with open(rules, "w") as f:
            f.write(RULES)
        cfg = os.path.join(pdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(PROM_CONFIG.format(rules=rules, cand=cand.port, ref=ref.port))
        pport = harness.free_port()
        external = "http://127.0.0.1:%d" % pport
        log = open(os.path.join(pdir, "prometheus.log"), "wb")
        prom = subprocess.Popen(
            [harness.PROMETHEUS_BIN, "--config.file=" + cfg,
             "--storage.tsdb.path=" + os.path.join(pdir, "tsdb"),
             "--web.listen-address=127.0.0.1:%d" % pport,
             "--web.external-url=" + external,
             # The notifier learns its targets a few seconds after the
             # first evaluation; resend every second instead of every minute.
             "--rules.alert.resend-delay=1s"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=pdir,
            start_new_session=True)
        log.close()

        deadline = time.monotonic() + WAIT
        got = {}
        while time.monotonic() < deadline and len(got) < 2:
            if prom.poll() is not None:
                break
            for name, server in (("reference", ref), ("candidate", cand)):
                if name in got:
                    continue
                try:
                    alert = find_alert(harness.get_json(server.url + "/api/v2/alerts"))
                except (OSError, RuntimeError, ValueError):
                    alert = None
                if alert:
                    got[name] = time.monotonic()
            time.sleep(0.25)
        res.check(prom.poll() is None, "prometheus is still running",
                  open(os.path.join(pdir, "prometheus.log"), errors="replace").read()[-3000:])
        res.check("reference" in got, "the reference Alertmanager received the alert "
                  "within %.0fs (sanity check of the set-up)" % WAIT)
        res.check("candidate" in got, "the candidate received the alert within %.0fs" % WAIT)
        if "candidate" not in got:
            print(cand.log_tail())
            return res.finish()

        # Let both have the same (first) sends, then compare.
        time.sleep(1.0)
        ra = harness.get_json(ref.url + "/api/v2/alerts")
        ca = harness.get_json(cand.url + "/api/v2/alerts")
        a = find_alert(ca)
        res.check(a["labels"] == {"alertname": "ChorusPrometheusAlert", "severity": "critical",
                                  "team": "chorus"},
                  "the alert has Prometheus' labels", repr(a["labels"]))
        res.check(a.get("annotations") == {"summary": "value is 1",
                                           "description": "fired by prometheus at 1"},
                  "the alert has the rendered annotations", repr(a.get("annotations")))
        gen = a.get("generatorURL", "")
        parsed = urllib.parse.urlsplit(gen)
        query = urllib.parse.parse_qs(parsed.query)
        res.check(gen.startswith(external + "/graph?") and query.get("g0.expr") == ["vector(1)"],
                  "the alert has Prometheus' generatorURL", gen)
        res.check(a["status"]["state"] == "active", "the alert is active", repr(a["status"]))
        res.check([r["name"] for r in a["receivers"]] == ["team-crit", "team-a"],
                  "the alert is routed to team-crit and team-a", repr(a["receivers"]))
        starts = harness.parse_time(a["startsAt"])
        ends = harness.parse_time(a["endsAt"])
        now = time.time()
        res.check(starts is not None and now - 60 < starts <= now + 1,
                  "startsAt is Prometheus' recent activation time", a["startsAt"])
        res.check(ends is not None and ends > now,
                  "endsAt is in the future (Prometheus sends a valid-until time)", a["endsAt"])
        ok, diff = harness.compare_json(ra, ca)
        res.check(ok, "GET /api/v2/alerts equals the reference's", diff)
        rg = harness.get_json(ref.url + "/api/v2/alerts/groups")
        cg = harness.get_json(cand.url + "/api/v2/alerts/groups")
        ok, diff = harness.compare_json(rg, cg)
        res.check(ok, "GET /api/v2/alerts/groups equals the reference's", diff)
        rm = harness.http("GET", ref.url + "/metrics")[2].decode()
        cm = harness.http("GET", cand.url + "/metrics")[2].decode()
        for which, text in (("reference", rm), ("candidate", cm)):
            v = harness.metric_value(text, "alertmanager_alerts_received_total",
                                     {"status": "firing", "version": "v2"})
            res.check(v is not None and v >= 1,
                      "%s counts the firing alert in alertmanager_alerts_received_total" % which,
                      "value %r" % v)
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        if prom is not None:
            harness.stop_process(prom)
        for s in (ref, cand):
            if s:
                s.close()
        if pdir:
            shutil.rmtree(pdir, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
