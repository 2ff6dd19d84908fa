#!/usr/bin/env python3
"""A chorus cluster member and Debian's Alertmanager 0.25 in one cluster.

The chorus side is cluster_member (cluster/tool/, built next to chorus): the
membership layer alone on a libuv loop, printing its view as JSON lines.

1. chorus starts alone; 0.25 starts with --cluster.peer pointing at it.
   0.25's GET /api/v2/status must list the chorus node (its name and
   advertise address) among its peers with cluster status "ready", and its
   alertmanager_cluster_members must be 2; chorus must see 0.25 alive.
2. chorus is SIGKILLed: 0.25 must count it failed
   (alertmanager_cluster_failed_peers 1, members 1) within memberlist's
   detection time for two nodes: a probe interval, its timeout, the 4 s
   suspicion minimum (no confirmations are possible with two nodes), with
   slack for awareness and a loaded machine.
3. The reverse: a new chorus node joins 0.25 (push/pull from chorus's side),
   both see each other and chorus settles to "ready"; 0.25 is SIGKILLed and
   chorus must mark it dead within the same bound; 0.25 restarts on the same
   address with a new name and no peers, and chorus's reconnect loop must
   bring it back, as 0.25's own would.
4. A chorus node stopped with SIGTERM leaves (dead about itself, from
   itself): 0.25 counts it failed at once, without the suspicion wait.
5. Silences replicate both ways: one made on chorus before it joins appears
   on 0.25, one posted to 0.25 reaches chorus's store.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, get_json, http  # noqa: E402

JOIN_TIMEOUT = 30.0      # 0.25 settles in 3 polls of 2 s once membership is stable
FAILURE_BOUND = 15.0     # 1 s probe + 0.5 s timeout + 4 s suspicion, with slack
RECONNECT_BOUND = 17.0   # the 10 s reconnect interval (or the 15 s refresh), plus a join
LEAVE_BOUND = 2.0        # a leave is one gossip message: no probe, no suspicion
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # a ULID's alphabet
CONFIG = """\
route:
  receiver: default
receivers:
  - name: default
"""


def member_binary():
    path = os.environ.get("CLUSTER_MEMBER_BIN")
    if not path:
        chorus = os.environ.get("CHORUS_BIN", "")
        path = os.path.join(os.path.dirname(chorus), "cluster_member") if chorus else ""
    if not path or not os.access(path, os.X_OK):
        print("FATAL: no cluster_member binary (set CLUSTER_MEMBER_BIN or CHORUS_BIN)")
        print("0 passed, 1 failed")
        sys.exit(2)
    return path


class Member:
    """A cluster_member process; view() is the last JSON line it printed."""

    def __init__(self, port, peers=(), extra=()):
        self.port = port
        argv = [member_binary(), "--listen", "127.0.0.1:%d" % port] + list(extra)
        for p in peers:
            argv += ["--peer", p]
        self.log = []
        self.lines = queue.Queue()
        self.last = None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log.append(line)
            if line.startswith("{"):
                try:
                    self.last = json.loads(line)
                except ValueError:
                    pass

    def view(self):
        return self.last

    def state_of(self, name):
        v = self.last or {}
        for p in v.get("peers", []):
            if p["name"] == name:
                return p["state"]
        return None

    def kill(self):
        harness.stop_process(self.proc, signal.SIGKILL)

    def close(self):
        harness.stop_process(self.proc)


def wait_for(cond, timeout, step=0.1):
    """Polls cond until it returns a true value; returns (value, seconds)."""
    start = time.monotonic()
    while True:
        v = cond()
        if v or time.monotonic() - start > timeout:
            return v, time.monotonic() - start
        time.sleep(step)


def am_status(am):
    try:
        return get_json(am.url + "/api/v2/status")["cluster"]
    except Exception:
        return None


def am_metric(am, name):
    try:
        _, _, body = http("GET", am.url + "/metrics")
    except OSError:
        return None
    return harness.metric_value(body.decode(), name)


class ClusteredServer(Server):
    """A Server whose clustering the test sets (the harness turns it off)."""

    def argv(self):
        return [a for a in super().argv() if a != "--cluster.listen-address="]


def start_alertmanager(cluster_port, peer):
    args = ["--cluster.listen-address=127.0.0.1:%d" % cluster_port]
    if peer:
        args.append("--cluster.peer=" + peer)
    return ClusteredServer("alertmanager", harness.ALERTMANAGER_BIN, CONFIG, extra_args=args,
                           name="am-cluster").start()


def lists_peer(status, name, address):
    return status and any(p["name"] == name and p["address"] == address
                          for p in status.get("peers", []))


def chorus_first(r):
    cport, aport = harness.free_port(), harness.free_port()
    member = Member(cport)
    am = None
    try:
        view, _ = wait_for(member.view, 5)
        r.check(view is not None, "cluster_member starts and reports its view",
                "\n".join(member.log[-20:]))
        if not view:
            return
        name = view["name"]
        r.check(len(name) == 26 and all(c in CROCKFORD for c in name),
                "chorus names itself with a ULID as 0.25 does", name)
        r.check(view["address"] == "127.0.0.1:%d" % cport, "advertises its listen address",
                view["address"])
        am = start_alertmanager(aport, "127.0.0.1:%d" % cport)

        def am_ready_with_chorus():
            st = am_status(am)
            return (st if lists_peer(st, name, "127.0.0.1:%d" % cport)
                    and st.get("status") == "ready" else None)
        st, took = wait_for(am_ready_with_chorus, JOIN_TIMEOUT, 0.25)
        r.check(st is not None, "0.25 lists chorus among its peers and is ready (%.1fs)" % took,
                json.dumps(am_status(am)) + "\n" + am.log_tail(20))
        am_name = (am_status(am) or {}).get("name")
        r.check(am_metric(am, "alertmanager_cluster_members") == 2,
                "0.25 counts 2 cluster members")
        _, took = wait_for(lambda: member.state_of(am_name) == "alive", JOIN_TIMEOUT)
        r.check(member.state_of(am_name) == "alive", "chorus sees 0.25 alive (%.1fs)" % took,
                json.dumps(member.view()))
        v = member.view() or {}
        r.check(v.get("metrics", {}).get("members") == 2, "chorus counts 2 members",
                json.dumps(v))
        expected_pos = sorted([name, am_name]).index(name)
        r.check(v.get("metrics", {}).get("peer_position") == expected_pos,
                "chorus's peer position is its rank among the names")
        time.sleep(3)  # a few probe rounds both ways: nobody may become suspect
        r.check(member.state_of(am_name) == "alive"
                and am_metric(am, "alertmanager_cluster_failed_peers") == 0,
                "both stay alive through probe rounds")

        member.kill()
        killed = time.monotonic()

        def am_noticed():
            return (am_metric(am, "alertmanager_cluster_failed_peers") == 1
                    and am_metric(am, "alertmanager_cluster_members") == 1)
        ok, _ = wait_for(am_noticed, FAILURE_BOUND + 5, 0.2)
        took = time.monotonic() - killed
        r.check(ok and took <= FAILURE_BOUND,
                "0.25 counts the killed chorus node failed within %.0fs (%.1fs)"
                % (FAILURE_BOUND, took), am.log_tail(20))
    finally:
        member.close()
        if am:
            am.close()


def alertmanager_first(r):
    cport, aport = harness.free_port(), harness.free_port()
    am = start_alertmanager(aport, None)
    member = None
    try:
        am_name = (am_status(am) or {}).get("name")
        member = Member(cport, ["127.0.0.1:%d" % aport])
        _, took = wait_for(lambda: member.state_of(am_name) == "alive", JOIN_TIMEOUT)
        r.check(member.state_of(am_name) == "alive",
                "chorus joins 0.25 by push/pull and sees it alive (%.1fs)" % took,
                "\n".join(member.log[-20:]))
        name = (member.view() or {}).get("name")
        st, took = wait_for(lambda: lists_peer(am_status(am), name, "127.0.0.1:%d" % cport),
                            JOIN_TIMEOUT, 0.25)
        r.check(bool(st), "0.25 lists the joining chorus node (%.1fs)" % took,
                json.dumps(am_status(am)))
        _, took = wait_for(lambda: (member.view() or {}).get("status") == "ready", JOIN_TIMEOUT)
        v = member.view() or {}
        r.check(v.get("status") == "ready" and v["metrics"]["failed_peers"] == 0,
                "chorus settles to ready as 0.25 does (%.1fs), its peer no longer failed"
                % took, json.dumps(v))
        time.sleep(3)
        r.check(member.state_of(am_name) == "alive", "0.25 stays alive for chorus")

        am.kill()
        killed = time.monotonic()
        ok, _ = wait_for(lambda: member.state_of(am_name) == "dead", FAILURE_BOUND + 5)
        took = time.monotonic() - killed
        v = member.view() or {}
        r.check(ok and took <= FAILURE_BOUND,
                "chorus marks the killed 0.25 dead within %.0fs (%.1fs)" % (FAILURE_BOUND, took),
                json.dumps(v))
        r.check(v.get("metrics", {}).get("failed_peers") == 1
                and v.get("metrics", {}).get("members") == 1,
                "chorus counts 1 failed peer and 1 member", json.dumps(v))

        # 0.25 comes back on the same address under a new name, knowing no
        # peers: chorus's reconnect loop (every 10 s) must find it.
        am.start()
        new_name = (am_status(am) or {}).get("name")
        ok, took = wait_for(lambda: member.state_of(new_name) == "alive"
                            and (member.view() or {}).get("metrics", {}).get("failed_peers") == 0,
                            RECONNECT_BOUND + 5)
        r.check(ok and took <= RECONNECT_BOUND,
                "chorus reconnects to the restarted 0.25 within %.0fs (%.1fs)"
                % (RECONNECT_BOUND, took), json.dumps(member.view()))
    finally:
        if member:
            member.close()
        am.close()


def leave_is_noticed(r):
    cport, aport = harness.free_port(), harness.free_port()
    am = start_alertmanager(aport, None)
    member = None
    try:
        member = Member(cport, ["127.0.0.1:%d" % aport])
        ok, _ = wait_for(lambda: am_metric(am, "alertmanager_cluster_members") == 2,
                         JOIN_TIMEOUT, 0.2)
        r.check(ok, "0.25 counts the joining chorus node")
        left = time.monotonic()
        member.close()  # SIGTERM: chorus leaves as 0.25 does
        ok, _ = wait_for(lambda: am_metric(am, "alertmanager_cluster_failed_peers") == 1
                         and am_metric(am, "alertmanager_cluster_members") == 1,
                         LEAVE_BOUND + 5, 0.1)
        took = time.monotonic() - left
        r.check(ok and took <= LEAVE_BOUND,
                "0.25 takes chorus's leave at once, no suspicion (%.1fs)" % took,
                am.log_tail(20))
    finally:
        if member:
            member.close()
        am.close()


def silence_comments(member):
    return {x["comment"] for x in (member.view() or {}).get("silences", [])}


def silences_replicate(r):
    cport, aport = harness.free_port(), harness.free_port()
    am = start_alertmanager(aport, None)
    member = None
    try:
        # Created before the join: reaches 0.25 by the join's push/pull or by gossip.
        member = Member(cport, ["127.0.0.1:%d" % aport], ["--create-silence", "made by chorus"])

        def am_comments():
            try:
                return {x["comment"] for x in get_json(am.url + "/api/v2/silences")}
            except Exception:
                return set()
        ok, took = wait_for(lambda: "made by chorus" in am_comments(), JOIN_TIMEOUT)
        r.check(ok, "a silence made on chorus appears on 0.25 (%.1fs)" % took,
                "\n".join(member.log[-10:]))
        now = time.time()
        body = {"matchers": [{"name": "job", "value": "x", "isRegex": False}],
                "startsAt": harness.rfc3339(now), "endsAt": harness.rfc3339(now + 3600),
                "createdBy": "test", "comment": "made by 0.25"}
        harness.post_json(am.url + "/api/v2/silences", body)
        ok, took = wait_for(lambda: "made by 0.25" in silence_comments(member), JOIN_TIMEOUT)
        r.check(ok, "a silence made on 0.25 reaches chorus by gossip (%.1fs)" % took,
                json.dumps(member.view()))
    finally:
        if member:
            member.close()
        am.close()


def main():
    r = harness.Results("test_cluster_membership")
    chorus_first(r)
    alertmanager_first(r)
    leave_is_noticed(r)
    silences_replicate(r)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
