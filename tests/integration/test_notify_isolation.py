#!/usr/bin/env python3
"""A receiver that hangs does not delay other groups (issue 4, acceptance 3).

Receivers "slow" and "fast" are webhooks at one HTTP sink; the sink holds
every request for group SlowA open for 30 s without answering.  Receiver
"slowmail" sends e-mail to a TCP listener that accepts and never greets,
"slowtls" posts over HTTPS to the same listener (the TLS handshake hangs).  Timers:
group_wait 1s, group_interval 2s, group_by [alertname].

  t0      POST SlowA, SlowMail, SlowTLS -> their flushes at t0+1 hang
  t0+1.5  POST FastA/1 (receiver fast), SlowB (receiver slow, another group)
          -> both due at t0+2.5 (group_wait)
  t0+3.0  POST FastA/2               -> due at FastA's next tick, t0+4.5
  t0+4.0  POST FastB                 -> due at t0+5.0
  t0+5.6  resolve FastA/1 and /2     -> due at t0+6.5
  t0+10   POST FastC                 -> due at t0+11, when the hung flushes
          reach their deadline (max(group_interval, 10s) after they began):
          SlowA's request is given up and sent again at once (the next
          tick is overdue)

Every due notification must arrive within [-EARLY, +LIMIT] of its schedule
(LIMIT 1 s); each delay is printed.  The API must keep answering during the
hang (GET /api/v2/status under 1 s).  The hung request itself must have
reached the sink (else nothing was tested).

Run against the candidate (checked) and, unless the candidate already is
Alertmanager, against Alertmanager 0.25 at the same time for reference
(printed as REF lines, not counted).
"""

import os
import socket
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE if os.path.exists(os.path.join(HERE, "harness.py"))
                else os.path.dirname(HERE))
import harness  # noqa: E402
import sinks  # noqa: E402
from harness import Server, http  # noqa: E402

HANG = 30.0
EARLY = 0.15
LIMIT = 1.0

CONFIG = """\
route:
  receiver: fast
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - matchers: ['alertname="SlowMail"']
      receiver: slowmail
    - matchers: ['alertname="SlowTLS"']
      receiver: slowtls
    - matchers: ['alertname=~"Slow.*"']
      receiver: slow
receivers:
  - name: slowtls
    webhook_configs:
      - url: https://127.0.0.1:{blackhole}/never
  - name: slowmail
    email_configs:
      - to: ops@example.org
        from: am@example.org
        smarthost: 127.0.0.1:{blackhole}
        require_tls: false
  - name: fast
    webhook_configs:
      - url: {sink}/fast
  - name: slow
    webhook_configs:
      - url: {sink}/slow
"""


def alert(name, i="1", ends=None):
    a = {"labels": {"alertname": name, "i": i}}
    if ends is not None:
        a["endsAt"] = harness.rfc3339(ends)
    return a


def summary(req):
    j = req.json() or {}
    return "%s %s[%s]" % (j.get("receiver"), j.get("status"), ",".join(
        "%s/%s:%s" % (a["labels"]["alertname"], a["labels"]["i"], a["status"])
        for a in j.get("alerts", [])))


class BlackHole:
    """A TCP listener that accepts connections and never says a word (an SMTP
    server that hangs before its greeting)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = []          # (monotonic time, socket)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.accepted.append((time.monotonic(), conn))
            except OSError:
                continue

    def kinds(self):
        """Per connection: "tls" if a TLS ClientHello is waiting, else "smtp"
        (an SMTP client says nothing before the greeting)."""
        out = []
        for _, c in self.accepted:
            try:
                first = c.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except OSError:
                first = b""
            out.append("tls" if first == b"\x16" else "smtp" if first == b"" else "?")
        return out

    def close(self):
        self.stop.set()
        self.thread.join(2)
        for _, c in self.accepted:
            c.close()
        self.sock.close()


def run(kind, binary, name):
    """Returns (checks, lines): checks as (ok, what, detail)."""
    checks, lines = [], []
    hole = BlackHole()
    sink = sinks.HttpSink(name)
    sink.on("/slow", hang=HANG, match='"alertname":"SlowA"')
    srv = None

    def check(ok, what, detail=""):
        checks.append((bool(ok), what, detail))

    try:
        srv = Server(kind, binary, CONFIG.format(sink=sink.url, blackhole=hole.port),
                     name=name).start()
        t0 = time.monotonic()

        def post(alerts):
            status, _, body = http("POST", srv.url + "/api/v2/alerts", alerts)
            if status != 200:
                raise RuntimeError("POST: %d %r" % (status, body[:200]))

        def at(off):
            left = t0 + off - time.monotonic()
            if left > 0:
                time.sleep(left)

        def api_latency():
            s = time.monotonic()
            status, _, _ = http("GET", srv.url + "/api/v2/status", timeout=10)
            return status, time.monotonic() - s

        post([alert("SlowA"), alert("SlowMail"), alert("SlowTLS")])
        at(1.5)
        post([alert("FastA", "1"), alert("SlowB")])
        at(2.0)
        lat1 = api_latency()
        at(3.0)
        post([alert("FastA", "2")])
        at(4.0)
        post([alert("FastB")])
        lat2 = api_latency()
        at(5.6)
        now = time.time()
        post([alert("FastA", "1", ends=now), alert("FastA", "2", ends=now)])
        at(10.0)
        post([alert("FastC")])
        at(11.0 + LIMIT + 0.3)

        reqs = sink.snapshot()
        for r in reqs:
            lines.append("t0+%.3fs %s %s%s" % (r.mono - t0, r.path, summary(r),
                                               "" if r.status else " (held open)"))
        hung = [r for r in reqs if r.path == "/slow" and '"SlowA"' in r.body.decode()]
        # The hung flush ends at its deadline, max(group_interval, 10s) after
        # it began (t0+11): the request is given up and, the tick being
        # overdue, the next flush sends again at once.
        check(len(hung) == 2 and abs(hung[1].mono - t0 - 11.0) <= LIMIT,
              "SlowA: the hung request is given up at the flush deadline (t0+1+10s) and "
              "the overdue next flush sends it again at once", "\n".join(lines))
        check(len(hung) >= 1 and abs(hung[0].mono - t0 - 1.0) <= LIMIT,
              "the hanging receiver got SlowA's request at ~t0+1 (and holds it)",
              "\n".join(lines))
        mail = [t for t, _ in hole.accepted]
        lines.append("black hole: connections at %s" % ", ".join(
            "t0+%.3fs (%s)" % (t - t0, k) for t, k in zip(mail, hole.kinds())))
        check(len(mail) >= 2 and all(abs(t - t0 - 1.0) <= LIMIT for t in mail[:2]),
              "the silent listener got SlowMail's SMTP and SlowTLS's HTTPS connections at "
              "~t0+1 (and holds them)", "\n".join(lines))
        expected = [("fast firing[FastA/1:firing]", 2.5, "FastA first (receiver fast)"),
                    ("slow firing[SlowB/1:firing]", 2.5,
                     "SlowB first (same receiver as the hung group, another group)"),
                    ("fast firing[FastA/1:firing,FastA/2:firing]", 4.5,
                     "FastA with the added alert (next tick)"),
                    ("fast firing[FastB/1:firing]", 5.0, "FastB first (a group created "
                     "during the hang)"),
                    ("fast resolved[FastA/1:resolved,FastA/2:resolved]", 6.5,
                     "FastA resolved (next tick)"),
                    ("fast firing[FastC/1:firing]", 11.0, "FastC first (due when the hung "
                     "flushes reach their deadline)")]
        delays = []
        for want, due, what in expected:
            got = [r for r in reqs if summary(r) == want]
            if not got:
                check(False, "%s: arrives (due t0+%.1fs)" % (what, due), "\n".join(lines))
                continue
            delay = got[0].mono - t0 - due
            delays.append(delay)
            lines.append("delay of %-60s %+.3fs" % (what, delay))
            check(-EARLY <= delay <= LIMIT and len(got) == 1,
                  "%s: once, on time (due t0+%.1fs, delay %+.3fs, limit %.1fs)"
                  % (what, due, delay, LIMIT), "\n".join(lines))
        if delays:
            lines.append("max delay of the other groups: %.3fs" % max(delays))
        others = [r for r in reqs if r not in hung and summary(r) not in
                  [w for w, _, _ in expected]]
        check(not others, "no other notification", "\n".join(lines))
        for label, (status, took) in (("at t0+2", lat1), ("at t0+4", lat2)):
            lines.append("GET /api/v2/status %s: %d in %.3fs" % (label, status, took))
            check(status == 200 and took < LIMIT, "the API answers during the hang (%s, "
                  "%.3fs)" % (label, took))
    except Exception as e:
        check(False, "ran to the end", "%s: %s\n%s" % (type(e).__name__, e,
                                                        traceback.format_exc()))
        if srv is not None:
            lines.append("log:\n" + srv.log_tail(15))
    finally:
        if srv is not None:
            s = time.monotonic()
            rc = srv.stop()
            lines.append("SIGTERM with the requests still hanging: exit code %r after %.2fs"
                         % (rc, time.monotonic() - s))
            srv.close()
        sink.close()
        hole.close()
    return checks, lines


def main():
    res = harness.Results("test_notify_isolation")
    kind, binary = harness.candidate_binary()
    out = {}
    runs = [("candidate", kind, binary)]
    if kind != "alertmanager":
        runs.append(("reference", "alertmanager", harness.ALERTMANAGER_BIN))

    def worker(label, k, b):
        out[label] = run(k, b, label)

    threads = [threading.Thread(target=worker, args=r, daemon=True) for r in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    if "reference" in out:
        checks, lines = out["reference"]
        print("REF Alertmanager 0.25, for reference (not counted):")
        for line in lines:
            print("REF   " + line)
        for ok, what, _ in checks:
            print("REF   %s %s" % ("ok  " if ok else "FAIL", what))
    if "candidate" not in out:
        res.check(False, "the candidate's run finished within 90s")
        return res.finish()
    checks, lines = out["candidate"]
    print("%s (%s):" % (kind, binary))
    for line in lines:
        print("      " + line)
    for ok, what, detail in checks:
        res.check(ok, what, detail)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
