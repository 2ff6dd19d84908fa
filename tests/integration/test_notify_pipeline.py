#!/usr/bin/env python3
"""End-to-end smoke test of the notification pipeline, and the nflog's
durability across kill -9 (issue 4, acceptance 4).

One webhook receiver at a local sink, short timers (group_wait 1s,
group_interval 2s, repeat_interval 1h):
  1. a posted alert is notified once, with the group key and body 0.25 sends;
  2. posting it again does not notify again before the repeat interval;
  3. its resolve is sent (send_resolved: true);
  4. a second group is notified, then the server is killed with SIGKILL
     right after, restarted on the same storage and the alert posted again:
     no notification within several group intervals (the nflog entry
     survived), while a new alert in the group still is notified.

The detailed scenarios and the differential comparison with 0.25 live in
other suites; this one checks that chorus notifies at all, and durably.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import sinks  # noqa: E402
from harness import Server, post_json  # noqa: E402

CONFIG = """\
route:
  receiver: wh
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: wh
    webhook_configs:
      - url: %s/hook
        send_resolved: true
"""


def alert(name, instance="i1", ends=None):
    a = {"labels": {"alertname": name, "instance": instance},
         "annotations": {"summary": "smoke"}}
    if ends is not None:
        a["endsAt"] = harness.rfc3339(ends)
    return a


def bodies(sink, name):
    return [r.json() for r in sink.snapshot("/hook")
            if (r.json() or {}).get("groupLabels", {}).get("alertname") == name]


def main():
    res = harness.Results("notify_pipeline")
    sink = sinks.HttpSink()
    server = None
    try:
        kind, binary = harness.candidate_binary()
        # Alertmanager writes its nflog only every maintenance interval; the
        # self-check gives it a short one and a pause before the kill.
        am = kind == "alertmanager"
        extra = ["--log.level=debug"] + (["--data.maintenance-interval=1s"] if am else [])
        server = Server(kind, binary, config=CONFIG % sink.url, extra_args=extra)
        server.start()
        url = server.url + "/api/v2/alerts"

        # 1. first notification
        post_json(url, [alert("Smoke")])
        got = sink.wait_for(1, 10, path="/hook")
        res.check(len(got) == 1, "the alert is notified", "%d requests" % len(got))
        if got:
            b = got[0].json()
            res.check(b and b.get("groupKey") == '{}:{alertname="Smoke"}',
                      "the groupKey is 0.25's", repr(b and b.get("groupKey")))
            res.check(b and b.get("status") == "firing" and b.get("receiver") == "wh"
                      and b.get("version") == "4" and len(b.get("alerts", [])) == 1
                      and b["alerts"][0]["labels"] == {"alertname": "Smoke",
                                                       "instance": "i1"},
                      "the body is the webhook payload", repr(b))
            res.check(got[0].header("Content-Type") == "application/json",
                      "the content type is JSON", repr(got[0].header("Content-Type")))

        # 2. a re-post does not re-notify within the repeat interval
        post_json(url, [alert("Smoke")])
        time.sleep(4.5)
        n = len(bodies(sink, "Smoke"))
        res.check(n == 1, "a re-post is not notified again before the repeat interval",
                  "%d notifications" % n)

        # 3. the resolve is sent
        post_json(url, [alert("Smoke", ends=time.time())])
        got = sink.wait_for(2, 10, path="/hook")
        smoke = bodies(sink, "Smoke")
        res.check(len(smoke) == 2 and smoke[1].get("status") == "resolved",
                  "the resolve is sent", repr([b.get("status") for b in smoke]))

        # 4. kill -9 right after a notification, restart, no re-notification
        post_json(url, [alert("Durable")])
        got = sink.wait_for(1, 10, path="/hook",
                            pred=lambda r: b'"Durable"' in r.body)
        res.check(len(got) == 1, "the second group is notified", "%d" % len(got))
        time.sleep(1.5 if am else 0.3)  # the asynchronous nflog write (group commit)
        server.kill()
        nflog = os.path.join(server.storage_path, "nflog")
        res.check(os.path.exists(nflog) and os.path.getsize(nflog) > 0,
                  "the nflog snapshot is on disk after kill -9", nflog)
        server.start()
        post_json(server.url + "/api/v2/alerts", [alert("Durable")])
        time.sleep(5)
        n = len(bodies(sink, "Durable"))
        res.check(n == 1, "after kill -9 and restart the group is not notified again "
                  "before its repeat interval", "%d notifications; log:\n%s"
                  % (n, server.log_tail(15)))
        post_json(server.url + "/api/v2/alerts", [alert("Durable", instance="i2")])
        got = sink.wait_for(2, 10, path="/hook", pred=lambda r: b'"Durable"' in r.body)
        res.check(len(got) == 2, "a new alert in that group is still notified",
                  "%d" % len(got))

        text = harness.http("GET", server.url + "/metrics")[2].decode()
        v = harness.metric_value(text, "alertmanager_notifications_total",
                                 {"integration": "webhook"})
        res.check(v is not None and v >= 1, "alertmanager_notifications_total counts it",
                  repr(v))
        rc = server.stop(signal.SIGTERM)
        res.check(rc == 0, "SIGTERM exits cleanly", "exit code %r" % rc)
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        if server:
            server.close()
        sink.close()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
