#!/usr/bin/env python3
"""Notification scenarios with short timers: how many notifications, in which
order, at which moments, reach a webhook sink.

Every scenario starts its own server (the candidate: chorus, or Alertmanager
0.25 in self-check mode, which is how the suite itself is validated) with
its own alertmanager.yml and its own HTTP sink; the scenarios run in
parallel.  Timers are group_wait 1s, group_interval 2s (repeat_interval 1h
unless said), so a group's ticks fall at t0+1, t0+3, t0+5, ... where t0 is
the POST that created it.  A notification is "on time" if it arrives within
[-EARLY, +LATE] of its tick.

  fire           first notification after group_wait, once
  early          startsAt + group_wait already past (group_wait 3s here):
                 flushed at once, the next tick group_interval later; also
                 when such an alert joins a group still waiting (0.25)
  add            an alert added to a notified group goes out at the next
                 group_interval tick (not group_wait after it was added)
  repeat         repeat_interval 5s: repeats on the tick grid (t0+1, +7, +13)
  resolve        send_resolved true: the resolve goes out at the next tick
  no_resolved    send_resolved false (0.25's dedup): a resolve alone sends
                 nothing; a new firing alert sends only the firing ones; all
                 resolved sends nothing
  inhibit        the target is not notified while the source fires, and is
                 at the first tick after the source resolved; inhibitedBy
  silence        a silenced alert is not notified; it is at the first tick
                 after the silence expired; a control alert is notified
  mute           mute_time_intervals covering all times: nothing;
                 active_time_intervals excluding now: nothing; control sent
  continue       a route with continue: both receivers get the group
  retry          the receiver answers 500 then 200: retried once, one
                 notification delivered (the sink saw 2 equal requests), not
                 sent again at the next ticks; the metrics count 1 notification
                 and 2 requests, 1 failed
  reload         POST /-/reload with a notified group: nothing re-sent (nflog),
                 the group's ticks restart from the reload (early flush)
  fail400        the receiver answers 400: no retry within the flush, the
                 flush fails, so each tick sends again
"""

import json
import os
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

GW, GI = 1.0, 2.0
EARLY = 0.15        # a notification may come this much before its tick
LATE = 0.8          # ... and this much after it (2 shared CPUs, Go's timers)
SCENARIO_TIMEOUT = 60.0

BASE = """\
global:
  resolve_timeout: 5m
route:
  receiver: wh
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: {repeat}
{routes}
receivers:
  - name: wh
    webhook_configs:
      - url: {sink}/wh
        send_resolved: {send_resolved}
{receivers}
{extra}
"""


def make_config(sink, repeat="1h", send_resolved="true", routes="", receivers="", extra=""):
    return BASE.format(sink=sink.url, repeat=repeat, send_resolved=send_resolved,
                       routes=routes, receivers=receivers, extra=extra)


def alert(name, ends=None, **labels):
    a = {"labels": dict(alertname=name, **labels), "annotations": {"summary": name}}
    if ends is not None:
        a["endsAt"] = harness.rfc3339(ends)
    return a


class Ctx:
    """What a scenario gets: its sink, its server, a clock and a check list."""

    def __init__(self, name, kind, binary):
        self.name = name
        self.kind = kind
        self.binary = binary
        self.sink = sinks.HttpSink(name)
        self.server = None
        self.checks = []          # (ok, what, detail)
        self.t0 = None            # monotonic time of the scenario's first POST
        self.notes = []

    def start(self, config):
        self.server = Server(self.kind, self.binary, config, name=self.name).start()

    def check(self, ok, what, detail=""):
        self.checks.append((bool(ok), "%s: %s" % (self.name, what), detail))
        return ok

    def post(self, alerts):
        before = time.monotonic()
        status, _, body = http("POST", self.server.url + "/api/v2/alerts", alerts)
        if status != 200:
            raise RuntimeError("POST /api/v2/alerts: %d %r" % (status, body[:300]))
        if self.t0 is None:
            self.t0 = before
        return before

    def at(self, offset):
        """Sleeps until t0 + offset."""
        left = self.t0 + offset - time.monotonic()
        if left > 0:
            time.sleep(left)

    def reqs(self, path=None):
        return self.sink.snapshot(path)

    def offset(self, req):
        return req.mono - self.t0

    def on_time(self, req, tick, what):
        """Checks that req arrived at t0 + tick (within the window)."""
        off = self.offset(req)
        return self.check(tick - EARLY <= off <= tick + LATE,
                          "%s arrives at t0+%.1fs (window %.2f..%.2f)"
                          % (what, tick, tick - EARLY, tick + LATE),
                          "it arrived at t0+%.3fs" % off)

    def timeline(self, path=None):
        return ", ".join("t0+%.2fs %s %s" % (self.offset(r), r.path, summary(r))
                         for r in self.reqs(path))

    def close(self):
        if self.server is not None:
            self.server.close()
        self.sink.close()


def summary(req):
    """"firing[A:firing,B:resolved]" for a webhook request."""
    j = req.json()
    if not isinstance(j, dict):
        return "<not JSON: %r>" % req.body[:80]
    return "%s[%s]" % (j.get("status"), ",".join(
        "%s%s:%s" % (a["labels"].get("alertname"),
                     "/" + a["labels"]["i"] if "i" in a["labels"] else "", a.get("status"))
        for a in j.get("alerts", [])))


def expect_count(ctx, n, what, path=None):
    got = ctx.reqs(path)
    return ctx.check(len(got) == n, "%s: %d notification(s) at the sink" % (what, n),
                     "got %d: %s" % (len(got), ctx.timeline(path)))


def expect_summary(ctx, req, want, what):
    return ctx.check(req is not None and summary(req) == want, "%s is %s" % (what, want),
                     "got %s" % (summary(req) if req is not None else "nothing"))


# --------------------------------------------------------------------------
# Scenarios

def sc_fire(ctx):
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Fire")])
    got = ctx.sink.wait_for(1, GW + LATE + 2)
    if ctx.check(len(got) >= 1, "a first notification arrives", "none within %.1fs" % (GW + 3)):
        ctx.on_time(got[0], GW, "the first notification")
        expect_summary(ctx, got[0], "firing[Fire:firing]", "the first notification")
    ctx.at(GW + 2 * GI + 0.5)
    expect_count(ctx, 1, "after two more ticks without change")


def sc_early(ctx):
    ctx.start(make_config(ctx.sink).replace("group_wait: 1s", "group_wait: 3s"))
    old = alert("Early")
    old["startsAt"] = harness.rfc3339(time.time() - 10)
    ctx.post([old, alert("Early2")])
    ctx.at(0.5)
    old2 = alert("Early2", i="2")
    old2["startsAt"] = harness.rfc3339(time.time() - 10)
    ctx.post([alert("Early", i="2"), old2])
    ctx.at(0.5 + GI + LATE + 0.2)
    got = [r for r in ctx.reqs() if '"Early"' in r.body.decode()]
    if ctx.check(len(got) == 2, "Early: two notifications by t0+%.1f" % (GI + LATE + 0.2),
                 ctx.timeline()):
        ctx.on_time(got[0], 0.0, "Early's first notification (startsAt + group_wait is "
                    "past: flushed at once, not after group_wait 3s)")
        expect_summary(ctx, got[0], "firing[Early:firing]", "Early's first notification")
        ctx.on_time(got[1], GI, "Early's added alert (group_interval after the early flush)")
        expect_summary(ctx, got[1], "firing[Early:firing,Early/2:firing]",
                       "Early's second notification")
    # 0.25 checks on every insert into a group that has not flushed yet (0.34
    # only when the group is created): an old alert joining a waiting group
    # flushes it at once.
    got = [r for r in ctx.reqs() if '"Early2"' in r.body.decode()]
    if ctx.check(len(got) == 1, "Early2: one notification by t0+%.1f" % (0.5 + GI + LATE),
                 ctx.timeline()):
        ctx.on_time(got[0], 0.5, "Early2's notification (an old alert joined the waiting "
                    "group at t0+0.5: flushed at once)")
        expect_summary(ctx, got[0], "firing[Early2:firing,Early2/2:firing]",
                       "Early2's notification")


def sc_add(ctx):
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Add", i="1")])
    ctx.at(GW + 0.5)
    ctx.post([alert("Add", i="2")])
    ctx.at(GW + GI + LATE + 0.2)
    got = ctx.reqs()
    if ctx.check(len(got) == 2, "two notifications by the second tick", ctx.timeline()):
        ctx.on_time(got[0], GW, "the first notification")
        expect_summary(ctx, got[0], "firing[Add/1:firing]", "the first notification")
        ctx.on_time(got[1], GW + GI, "the notification with the added alert (next tick, "
                    "not group_wait after the add)")
        expect_summary(ctx, got[1], "firing[Add/1:firing,Add/2:firing]",
                       "the second notification")
    ctx.at(GW + 2 * GI + 0.5)
    expect_count(ctx, 2, "one more tick without change")


def sc_repeat(ctx):
    ctx.start(make_config(ctx.sink, repeat="5s"))
    ctx.post([alert("Repeat")])
    ctx.at(GW + 6 * GI + 0.5)          # ticks 1, 3, 5, 7, 9, 11, 13 have passed
    got = ctx.reqs()
    # nflog's entry is written just after the tick that sent (t0+1+); the
    # first tick with entry < now - 5s is t0+7, then t0+13.
    if ctx.check(len(got) == 3, "three notifications by t0+13.5 (t0+1, t0+7, t0+13)",
                 ctx.timeline()):
        for r, tick in zip(got, (GW, GW + 3 * GI, GW + 6 * GI)):
            ctx.on_time(r, tick, "a notification")
            expect_summary(ctx, r, "firing[Repeat:firing]", "the repeat at t0+%.0f" % tick)


def sc_resolve(ctx):
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Resolve")])
    ctx.at(GW + 0.5)
    ctx.post([alert("Resolve", ends=time.time())])
    ctx.at(GW + 2 * GI + 0.5)
    got = ctx.reqs()
    if ctx.check(len(got) == 2, "two notifications (firing, then resolved) by t0+5.5",
                 ctx.timeline()):
        ctx.on_time(got[0], GW, "the firing notification")
        expect_summary(ctx, got[0], "firing[Resolve:firing]", "the first notification")
        ctx.on_time(got[1], GW + GI, "the resolve (next tick)")
        expect_summary(ctx, got[1], "resolved[Resolve:resolved]", "the second notification")


def sc_no_resolved(ctx):
    ctx.start(make_config(ctx.sink, send_resolved="false"))
    ctx.post([alert("NoRes", i="a"), alert("NoRes", i="b")])
    ctx.at(GW + 0.5)
    ctx.post([alert("NoRes", ends=time.time(), i="a")])            # resolve a: nothing
    ctx.at(GW + GI + 0.5)
    ctx.post([alert("NoRes", ends=time.time(), i="b"), alert("NoRes", i="c")])
    ctx.at(GW + 2 * GI + 0.5)
    ctx.post([alert("NoRes", ends=time.time(), i="c")])            # all resolved: nothing
    ctx.at(GW + 4 * GI + 0.5)
    got = ctx.reqs()
    if ctx.check(len(got) == 2, "two notifications by t0+9.5 (t0+1 and t0+5)",
                 ctx.timeline()):
        ctx.on_time(got[0], GW, "the first notification")
        expect_summary(ctx, got[0], "firing[NoRes/a:firing,NoRes/b:firing]",
                       "the first notification")
        ctx.on_time(got[1], GW + 2 * GI, "the notification for the new firing alert c "
                    "(none at t0+3 for a's resolve)")
        expect_summary(ctx, got[1], "firing[NoRes/c:firing]",
                       "the second notification (firing alerts only)")


def sc_inhibit(ctx):
    ctx.start(make_config(ctx.sink, extra="""\
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
""").replace("group_by: [alertname]", "group_by: [alertname, severity]"))
    ctx.post([alert("Inh", severity="warning"), alert("Inh", severity="critical")])
    ctx.at(GW + 1.0)
    status, _, body = http("GET", ctx.server.url + "/api/v2/alerts?active=true&inhibited=true")
    lst = json.loads(body) if status == 200 else []
    by_sev = {a["labels"].get("severity"): a for a in lst}
    tgt, src = by_sev.get("warning"), by_sev.get("critical")
    ctx.check(tgt is not None and src is not None
              and tgt["status"]["inhibitedBy"] == [src["fingerprint"]]
              and tgt["status"]["state"] == "suppressed",
              "after the first tick the target is suppressed, inhibitedBy the source",
              "GET /api/v2/alerts: %d %s" % (status, body[:600]))
    ctx.at(GW + GI + 0.5)
    resolved_at = ctx.post([alert("Inh", ends=time.time(), severity="critical")]) - ctx.t0
    ctx.at(GW + 3 * GI + 0.5)
    got = ctx.reqs()
    warn = [r for r in got if "warning" in r.body.decode("utf-8", "replace")]
    crit = [r for r in got if "critical" in r.body.decode("utf-8", "replace")]
    ctx.check(len(got) == 3 and len(crit) == 2 and len(warn) == 1,
              "three notifications by t0+7.5: source firing, source resolved, target",
              ctx.timeline())
    if crit:
        ctx.on_time(crit[0], GW, "the source's notification")
        expect_summary(ctx, crit[0], "firing[Inh:firing]", "the source's first notification")
    if warn:
        ctx.check(ctx.offset(warn[0]) > resolved_at,
                  "the target is not notified while the source fires (source resolved "
                  "at t0+%.2fs)" % resolved_at, ctx.timeline())
        ctx.on_time(warn[0], GW + 2 * GI, "the target's notification (first tick after "
                    "the source resolved)")
        expect_summary(ctx, warn[0], "firing[Inh:firing]", "the target's notification")
    if len(crit) > 1:
        ctx.on_time(crit[1], GW + 2 * GI, "the source's resolve")
        expect_summary(ctx, crit[1], "resolved[Inh:resolved]", "the source's resolve")


def sc_silence(ctx):
    ctx.start(make_config(ctx.sink))
    now = time.time()
    status, _, body = http("POST", ctx.server.url + "/api/v2/silences", {
        "matchers": [{"name": "alertname", "value": "Sil", "isRegex": False, "isEqual": True}],
        "startsAt": harness.rfc3339(now - 1), "endsAt": harness.rfc3339(now + 3.5),
        "createdBy": "test", "comment": "expires at t0+3.5"})
    if not ctx.check(status == 200, "silence created", "%d %r" % (status, body[:300])):
        return
    ctx.post([alert("Sil"), alert("SilControl")])
    expiry = now + 3.5 - time.time() + (time.monotonic() - ctx.t0)   # as a t0 offset
    ctx.at(GW + 3 * GI + 0.5)
    sil = ctx.reqs()
    s = [r for r in sil if '"Sil"' in r.body.decode()]
    c = [r for r in sil if '"SilControl"' in r.body.decode()]
    ctx.check(len(c) == 1, "the control alert (not silenced) is notified once", ctx.timeline())
    if c:
        ctx.on_time(c[0], GW, "the control's notification")
    if ctx.check(len(s) == 1, "the silenced alert is notified once, after the silence "
                 "expired (at t0+%.2fs)" % expiry, ctx.timeline()):
        ctx.check(ctx.offset(s[0]) > expiry, "not before the silence expired",
                  ctx.timeline())
        ctx.on_time(s[0], GW + 2 * GI, "the formerly silenced alert (first tick after "
                    "expiry)")


def sc_mute(ctx):
    ctx.start(make_config(ctx.sink, routes="""\
  routes:
    - matchers: ['alertname="Muted"']
      mute_time_intervals: [always]
    - matchers: ['alertname="Inactive"']
      active_time_intervals: [never]
    - matchers: ['alertname="MuteControl"']
""", extra="""\
time_intervals:
  - name: always
    time_intervals:
      - weekdays: ['sunday:saturday']
  - name: never
    time_intervals:
      - years: ['2001']
"""))
    ctx.post([alert("Muted"), alert("Inactive"), alert("MuteControl")])
    ctx.at(GW + 2 * GI + 0.5)
    got = ctx.reqs()
    names = [summary(r) for r in got]
    ctx.check(not [n for n in names if "Muted:" in n],
              "mute_time_intervals covering all times: nothing sent", ctx.timeline())
    ctx.check(not [n for n in names if "Inactive:" in n],
              "active_time_intervals excluding now: nothing sent", ctx.timeline())
    ctrl = [r for r in got if "MuteControl:" in summary(r)]
    if ctx.check(len(ctrl) == 1, "the control alert's group is notified once", ctx.timeline()):
        ctx.on_time(ctrl[0], GW, "the control's notification")


def sc_continue(ctx):
    ctx.start(make_config(ctx.sink, routes="""\
  routes:
    - matchers: ['alertname="Cont"']
      receiver: r1
      continue: true
    - matchers: ['alertname="Cont"']
      receiver: r2
""", receivers="""\
  - name: r1
    webhook_configs:
      - url: %s/r1
  - name: r2
    webhook_configs:
      - url: %s/r2
""" % (ctx.sink.url, ctx.sink.url)))
    ctx.post([alert("Cont")])
    ctx.at(GW + 2 * GI + 0.5)
    for path, recv in (("/r1", "r1"), ("/r2", "r2")):
        got = ctx.reqs(path)
        if ctx.check(len(got) == 1, "receiver %s is notified once" % recv,
                     ctx.timeline()):
            ctx.on_time(got[0], GW, "%s's notification" % recv)
            j = got[0].json() or {}
            ctx.check(j.get("receiver") == recv, "%s's payload names receiver %s"
                      % (recv, recv), "receiver %r" % j.get("receiver"))
    expect_count(ctx, 0, "nothing for the root's receiver", path="/wh")


def sc_retry(ctx):
    ctx.sink.on("/wh", statuses=[500, 200])
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Retry")])
    ctx.at(GW + 2 * GI + 0.5)
    got = ctx.reqs()
    if ctx.check(len(got) == 2, "the sink saw exactly 2 requests by t0+5.5 (500, then 200; "
                 "not re-sent at the next ticks)", ctx.timeline()):
        ctx.on_time(got[0], GW, "the first attempt")
        gap = got[1].mono - got[0].mono
        ctx.check(0.05 <= gap <= GI, "the retry follows within the flush (backoff "
                  "%.3fs, before the next tick)" % gap, ctx.timeline())
        ctx.check(got[0].body == got[1].body and [x.status for x in got] == [500, 200],
                  "the retry is the same request; answers 500 then 200",
                  "statuses %r" % [x.status for x in got])
    expect_metrics(ctx, {"alertmanager_notifications_total": 1,
                         "alertmanager_notifications_failed_total": 0,
                         "alertmanager_notification_requests_total": 2,
                         "alertmanager_notification_requests_failed_total": 1,
                         "alertmanager_notification_latency_seconds_count": 2},
                   "one notification (not failed) in two requests (one failed)")


def expect_metrics(ctx, want, what):
    """0.25 counts notifications (one per flush and integration, failed if
    all attempts failed) and requests (every attempt) separately."""
    status, _, body = http("GET", ctx.server.url + "/metrics")
    text = body.decode("utf-8", "replace")
    got = {m: harness.metric_value(text, m, {"integration": "webhook"}) for m in want}
    ctx.check(status == 200 and got == {m: float(v) for m, v in want.items()},
              "metrics{integration=\"webhook\"}: " + what, "got %r" % got)


def sc_reload(ctx):
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Reload")])
    ctx.at(GW + 0.5)
    status, _, body = http("POST", ctx.server.url + "/-/reload")
    reloaded = time.monotonic() - ctx.t0
    ctx.check(status == 200, "POST /-/reload answers 200", "%d %r" % (status, body[:200]))
    ctx.at(GW + 1.0)
    ctx.post([alert("Reload", i="2")])
    ctx.at(reloaded + 2 * GI + 0.5)
    got = ctx.reqs()
    # A reload rebuilds the groups and re-inserts the alerts: the old alert
    # flushes the new group at once (early flush; nflog dedups: nothing sent)
    # and restarts its ticks from the reload, so the alert added after the
    # reload goes out group_interval after the reload, not on the old grid.
    if ctx.check(len(got) == 2, "two notifications by reload+%.1fs (the first, and the "
                 "added alert; nothing re-sent for the reload itself)" % (2 * GI + 0.5),
                 ctx.timeline()):
        ctx.on_time(got[0], GW, "the first notification")
        ctx.on_time(got[1], reloaded + GI, "the added alert (group_interval after the "
                    "reload at t0+%.2fs)" % reloaded)
        expect_summary(ctx, got[1], "firing[Reload:firing,Reload/2:firing]",
                       "the second notification")


def sc_fail400(ctx):
    ctx.sink.on("/wh", statuses=[400])
    ctx.start(make_config(ctx.sink))
    ctx.post([alert("Fail400")])
    ctx.at(GW + 2 * GI + 0.5)
    got = ctx.reqs()
    # 4xx is not retried within a flush; the flush fails, nothing is logged,
    # so every tick tries again: t0+1, t0+3, t0+5.
    if ctx.check(len(got) == 3, "the sink saw 3 requests by t0+5.5: one per tick, no "
                 "retry within a flush", ctx.timeline()):
        for r, tick in zip(got, (GW, GW + GI, GW + 2 * GI)):
            ctx.on_time(r, tick, "an attempt")
    expect_metrics(ctx, {"alertmanager_notifications_total": 3,
                         "alertmanager_notifications_failed_total": 3,
                         "alertmanager_notification_requests_total": 3,
                         "alertmanager_notification_requests_failed_total": 3},
                   "three failed notifications, three failed requests")


SCENARIOS = [("fire", sc_fire), ("early", sc_early), ("add", sc_add), ("repeat", sc_repeat),
             ("resolve", sc_resolve), ("no_resolved", sc_no_resolved),
             ("inhibit", sc_inhibit), ("silence", sc_silence), ("mute", sc_mute),
             ("continue", sc_continue), ("retry", sc_retry), ("fail400", sc_fail400),
             ("reload", sc_reload)]


def run_one(name, fn, kind, binary, out):
    ctx = None
    try:
        ctx = Ctx(name, kind, binary)
        fn(ctx)
    except Exception as e:
        if ctx is None:
            out[name] = ([(False, "%s: set-up" % name, traceback.format_exc())], "", "")
            return
        ctx.check(False, "scenario ran to the end", "%s: %s\n%s"
                  % (type(e).__name__, e, traceback.format_exc()))
    finally:
        if ctx is not None:
            failed = any(not ok for ok, _, _ in ctx.checks)
            tl = ctx.timeline() if ctx.t0 is not None else ""
            log = ctx.server.log_tail(12) if (failed and ctx.server) else ""
            out[name] = (ctx.checks, tl, log)
            ctx.close()


def main():
    res = harness.Results("test_notify_scenarios")
    kind, binary = harness.candidate_binary()
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    chosen = [(n, f) for n, f in SCENARIOS if not only or n in only]
    out = {}
    threads = []
    for name, fn in chosen:
        t = threading.Thread(target=run_one, args=(name, fn, kind, binary, out), daemon=True)
        t.start()
        threads.append(t)
        time.sleep(0.1)       # stagger the start-ups a little
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    for name, _ in chosen:
        if name not in out:
            res.check(False, "%s: finished within %.0fs" % (name, SCENARIO_TIMEOUT))
            continue
        checks, tl, log = out[name]
        print("---- %s (%s): %s" % (name, kind, tl or "no notifications"))
        for ok, what, detail in checks:
            res.check(ok, what, detail)
        if log:
            print("     log of %s:\n%s" % (name, "\n".join("       " + x
                                                            for x in log.splitlines())))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
