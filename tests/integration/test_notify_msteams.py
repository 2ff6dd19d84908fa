#!/usr/bin/env python3
"""Microsoft Teams (msteams_configs) end to end: one firing, then one resolved
MessageCard at an HTTP sink.

Alertmanager added msteams_configs in 0.26 (summary in 0.27); the installed
reference, 0.25, refuses the key, so there is no differential run here.  The
expected requests are derived from Alertmanager's public 0.26/0.27 sources
(notify/msteams/msteams.go, template/default.tmpl): see
tests/unit/notify/test_msteams.c for which fact comes from which release.
With --against-alertmanager (or CHORUS_AS_ALERTMANAGER=1) the test skips with
that reason instead of pretending to compare.

Timers: group_wait 1s, group_interval 1s, group_by [alertname].  The alert is
posted firing, and once its card arrived, posted again with endsAt now.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE if os.path.exists(os.path.join(HERE, "harness.py"))
                else os.path.dirname(HERE))
import harness  # noqa: E402
import sinks  # noqa: E402
from harness import Server  # noqa: E402

CONFIG = """\
route:
  receiver: teams
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: teams
    msteams_configs:
      - webhook_url: {sink}/teams/hook?key=secret
"""

LABELS = {"alertname": "Teams", "instance": "i1", "severity": "critical"}
ANNOTATIONS = {"summary": "disk <full> & hot"}
SOURCE = "http://prom.example/graph"

ALERT_MARKDOWN = ("\nLabels:\n  - alertname = Teams\n  - instance = i1\n"
                  "  - severity = critical\n\nAnnotations:\n"
                  "  - summary = disk <full> & hot\n\nSource: " + SOURCE + "\n\n")


def go_json(obj):
    """encoding/json's Encoder output: compact, <>& escaped, a newline."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    return (text + "\n").encode()


def card(subject, text, color):
    # Key order of 0.27's teamsMessage struct ("type", not "@type").
    return go_json({"@context": "http://schema.org/extensions", "type": "MessageCard",
                    "title": subject, "summary": subject, "text": text, "themeColor": color})


FIRING = card("[FIRING:1] Teams (i1 critical)",
              "\n\n# Alerts Firing:\n" + ALERT_MARKDOWN + "\n\n\n", "8C1A1A")
RESOLVED = card("[RESOLVED] Teams (i1 critical)",
                "\n\n\n# Alerts Resolved:\n" + ALERT_MARKDOWN + "\n\n", "2DC72D")


def post_alert(srv, ends=None):
    a = {"labels": LABELS, "annotations": ANNOTATIONS, "generatorURL": SOURCE}
    if ends is not None:
        a["endsAt"] = harness.rfc3339(ends)
    status, _, body = harness.http("POST", srv.url + "/api/v2/alerts", json.dumps([a]).encode(),
                                   "application/json")
    return status, body


def check_request(res, what, req, want_body):
    res.check(req.method == "POST", "%s: POST" % what, req.method)
    res.check(req.path == "/teams/hook" and req.query == "key=secret",
              "%s: the webhook URL as configured" % what, req.target)
    res.check(req.header("Content-Type") == "application/json",
              "%s: Content-Type application/json" % what, req.header("Content-Type"))
    ua = req.header("User-Agent") or ""
    res.check(ua.startswith("Alertmanager/"), "%s: an Alertmanager User-Agent" % what, ua)
    res.check(req.body == want_body, "%s: the MessageCard body" % what,
              "want %r\ngot  %r" % (want_body, req.body))


def run(res, binary):
    sink = sinks.HttpSink("teams")
    srv = None
    try:
        srv = Server("chorus", binary, CONFIG.format(sink=sink.url)).start()
        status, body = post_alert(srv)
        res.check(status == 200, "firing alert accepted", body)
        got = sink.wait_for(1, 10, path="/teams/hook")
        if res.check(len(got) == 1, "a firing card arrived"):
            check_request(res, "firing", got[0], FIRING)
        status, body = post_alert(srv, ends=time.time())
        res.check(status == 200, "resolved alert accepted", body)
        got = sink.wait_for(2, 10, path="/teams/hook")
        if res.check(len(got) == 2, "a resolved card arrived"):
            check_request(res, "resolved", got[1], RESOLVED)
        total = None
        deadline = time.monotonic() + 5
        while total != 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the counter moves once chorus read the sink's answer
            _, _, metrics = harness.http("GET", srv.url + "/metrics")
            total = harness.metric_value(metrics.decode(), "alertmanager_notifications_total",
                                         {"integration": "msteams"})
        res.check(total == 2, "alertmanager_notifications_total{integration=\"msteams\"} is 2",
                  total)
    finally:
        if srv:
            srv.close()
        sink.close()


def main():
    res = harness.Results("test_notify_msteams")
    kind, binary = harness.candidate_binary()
    if kind == "alertmanager":
        res.skip("msteams cards", "Alertmanager 0.25 has no msteams_configs (added in 0.26) "
                 "and refuses this config; there is nothing to compare against")
        return res.finish()
    run(res, binary)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
