#!/usr/bin/env python3
"""Silences survive SIGKILL, and snapshots move between chorus and Alertmanager.

1. The candidate, with --storage.path in a temp dir, gets N silences through
   the API (active, pending, updated in place, expired), is killed with
   SIGKILL and restarted on the same path: GET /api/v2/silences must be
   exactly what it was (ids, matchers, times, comment, createdBy, state).
2. Alertmanager 0.25 gets the same silences, is stopped with SIGTERM (which
   writes its snapshot), and the candidate starts on its storage path: both
   lists must be equal, ids included.
3. The reverse: the candidate's snapshot (written after SIGTERM) is loaded
   by Alertmanager 0.25.
4. The snapshot fixtures in tests/fixtures/snapshots/ (written by 0.25) are
   loaded by both; their lists must be equal.
5. chorus only (Alertmanager does not promise it): clients create and expire
   silences concurrently, so changes share snapshot writes (group commit);
   SIGKILL right after the last answer; every acknowledged change is back.

Self-check mode (CHORUS_AS_ALERTMANAGER=1): Alertmanager only snapshots on
shutdown and every --data.maintenance-interval, so there the candidate gets
--data.maintenance-interval=1s and a pause before the SIGKILL; chorus gets
neither (it must persist a change before answering, or at least at once).
"""

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, get_json, http  # noqa: E402

N = 16
FIXTURE_DIR = os.path.join(harness.SOURCE_DIR, "tests", "fixtures", "snapshots")


def make_silences(url, t0):
    """Creates the silence set on url; returns the ids in creation order."""
    ops = [("a", False, True), ("b", False, False), ("c", True, True), ("d", True, False)]
    ids = []
    for i in range(N):
        name, regex, equal = ops[i % 4]
        matchers = [{"name": "alertname", "value": "Restart%d" % i, "isRegex": False,
                     "isEqual": True},
                    {"name": name, "value": ("v%d.*" % i) if regex else "v%d" % i,
                     "isRegex": regex, "isEqual": equal}]
        if i % 3 == 0:
            matchers.append({"name": "team", "value": "ops|dev", "isRegex": True,
                             "isEqual": True})
        pending = i % 5 == 4
        starts = t0 + (86400 + i * 60 if pending else -30)
        ends = starts + 3600 + i * 97
        body = {"matchers": matchers, "startsAt": harness.rfc3339(starts),
                "endsAt": harness.rfc3339(ends), "createdBy": "user%d" % i,
                "comment": "silence %d – ünïcödé \"quoted\" \\ back" % i}
        status, _, payload = http("POST", url + "/api/v2/silences", body)
        if status != 200:
            raise RuntimeError("creating silence %d: %d %r" % (i, status, payload))
        ids.append(json.loads(payload)["silenceID"])
    # An in-place update (same matchers and startsAt): comment and endsAt change.
    cur = get_json(url + "/api/v2/silence/" + ids[1])
    cur.update({"comment": "updated in place", "endsAt": harness.rfc3339(t0 + 7777)})
    for k in ("status", "updatedAt"):
        cur.pop(k)
    status, _, payload = http("POST", url + "/api/v2/silences", cur)
    if status != 200:
        raise RuntimeError("update: %d %r" % (status, payload))
    # Expire one active and one pending silence.
    for sid in (ids[2], ids[4]):
        status, _, payload = http("DELETE", url + "/api/v2/silence/" + sid)
        if status != 200:
            raise RuntimeError("expire: %d %r" % (status, payload))
    return ids


def silences(server, res=None):
    """GET /api/v2/silences with ties of the sort key put in id order; the
    order itself is checked when res is given."""
    sils = get_json(server.url + "/api/v2/silences")
    if res is not None:
        problems = harness.silence_order_problems(sils)
        res.check(not problems, "%s lists its silences in Alertmanager's order" % server.name,
                  problems)
    return harness.canonical_silences(sils)


CONCURRENT_CLIENTS = 8
CONCURRENT_PER_CLIENT = 25


def concurrent_changes(url, t0):
    """Each client creates silences and expires every third one.  Returns
    (created ids, expired ids, errors) as acknowledged by the server."""
    created, expired, errors = [], [], []
    lock = threading.Lock()

    def client(k):
        for i in range(CONCURRENT_PER_CLIENT):
            body = {"matchers": [{"name": "client", "value": "c%d-%d" % (k, i),
                                  "isRegex": False, "isEqual": True}],
                    "startsAt": harness.rfc3339(t0 - 1), "endsAt": harness.rfc3339(t0 + 3600),
                    "createdBy": "test", "comment": "concurrent %d/%d" % (k, i)}
            st, _, b = http("POST", url + "/api/v2/silences", json.dumps(body).encode(),
                            "application/json")
            if st != 200:
                with lock:
                    errors.append("POST %d: %s" % (st, b[:200]))
                continue
            sid = json.loads(b)["silenceID"]
            with lock:
                created.append(sid)
            if i % 3 == 0:
                st, _, b = http("DELETE", url + "/api/v2/silence/" + sid)
                with lock:
                    (expired.append(sid) if st == 200 else
                     errors.append("DELETE %d: %s" % (st, b[:200])))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CONCURRENT_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return created, expired, errors


def check_concurrent_durability(res, c):
    created, expired, errors = concurrent_changes(c.url, time.time())
    res.check(not errors, "every concurrent create and expire was acknowledged",
              "; ".join(errors[:5]))
    c.kill()
    c.start()
    after = {s["id"]: s for s in silences(c, res)}
    missing = [i for i in created if i not in after]
    res.check(not missing, "all %d acknowledged silences are back after SIGKILL" % len(created),
              "missing: %s" % missing[:5])
    not_expired = [i for i in expired
                   if i in after and after[i]["status"]["state"] != "expired"]
    res.check(not not_expired, "all %d acknowledged expiries are back after SIGKILL"
              % len(expired), "still active: %s" % not_expired[:5])


def main():
    res = harness.Results("test_restart")
    kind, binary = harness.candidate_binary()
    self_check = kind == "alertmanager"
    cand_args = ["--data.maintenance-interval=1s"] if self_check else []
    tmp = tempfile.mkdtemp(prefix="chorus-it-restart-")
    servers = []

    def server(k, b, store, name, extra=()):
        s = Server(k, b, storage_path=store, name=name, extra_args=extra)
        servers.append(s)
        return s

    try:
        # 1. SIGKILL and restart on the same storage path.
        store1 = os.path.join(tmp, "cand-kill")
        c = server(kind, binary, store1, "candidate", cand_args).start()
        t0 = time.time()
        ids = make_silences(c.url, t0)
        before = silences(c)
        res.check(len(before) == N, "candidate lists the %d silences it created" % N,
                  "got %d" % len(before))
        if self_check:
            time.sleep(2.5)     # one maintenance run (see the docstring)
        c.kill()
        c.start()
        after = silences(c, res)
        ok, diff = harness.compare_json(before, after, label_a="before SIGKILL",
                                        label_b="after restart", tol=0)
        res.check(ok, "every silence is back after SIGKILL and restart (ids, matchers, "
                  "times, comment, createdBy, state)", diff)
        res.check(sorted(s["id"] for s in after) == sorted(ids),
                  "the restarted candidate has exactly the created ids")
        # A second restart after a clean stop changes nothing either.
        c.stop()
        c.start()
        ok, diff = harness.compare_json(before, silences(c), label_a="before",
                                        label_b="after SIGTERM+restart", tol=0)
        res.check(ok, "the silences are unchanged after a clean stop and restart", diff)
        c.close()

        # 5 (see the docstring): concurrent changes share snapshot writes.
        if not self_check:
            store5 = os.path.join(tmp, "cand-concurrent")
            check_concurrent_durability(res, server(kind, binary, store5, "concurrent").start())

        # 2. Alertmanager's snapshot loaded by the candidate.
        store2 = os.path.join(tmp, "am-snapshot")
        am = server("alertmanager", harness.ALERTMANAGER_BIN, store2, "reference").start()
        make_silences(am.url, time.time())
        am_list = silences(am)
        rc = am.stop(signal.SIGTERM)
        res.check(rc == 0 and os.path.exists(os.path.join(store2, "silences")),
                  "Alertmanager stopped cleanly and wrote %s/silences" % store2,
                  "exit code %r, files %r" % (rc, os.listdir(store2)))
        c2 = server(kind, binary, store2, "candidate").start()
        ok, diff = harness.compare_json(am_list, silences(c2, res), label_a="alertmanager",
                                        label_b="candidate on its snapshot", tol=0)
        res.check(ok, "the candidate lists Alertmanager's silences from its snapshot", diff)
        c2.close()

        # 3. The candidate's snapshot loaded by Alertmanager.
        store3 = os.path.join(tmp, "cand-snapshot")
        c3 = server(kind, binary, store3, "candidate").start()
        make_silences(c3.url, time.time())
        c_list = silences(c3, res)
        rc = c3.stop(signal.SIGTERM)
        res.check(rc == 0, "the candidate exits 0 on SIGTERM", "exit code %r" % rc)
        am3 = server("alertmanager", harness.ALERTMANAGER_BIN, store3, "reference").start()
        ok, diff = harness.compare_json(c_list, silences(am3), label_a="candidate",
                                        label_b="alertmanager on its snapshot", tol=0)
        res.check(ok, "Alertmanager lists the candidate's silences from its snapshot", diff)
        am3.close()

        # 4. The 0.25 snapshot fixtures, loaded by both.
        fixtures = sorted(f for f in os.listdir(FIXTURE_DIR)
                          if f.startswith("alertmanager-0.25-silences")) \
            if os.path.isdir(FIXTURE_DIR) else []
        if not fixtures:
            res.skip("snapshot fixtures", "no tests/fixtures/snapshots/alertmanager-0.25-*")
        for f in fixtures:
            lists = []
            for k, b, name in (("alertmanager", harness.ALERTMANAGER_BIN, "reference"),
                               (kind, binary, "candidate")):
                store = os.path.join(tmp, "fixture-%s-%s" % (f, name))
                os.makedirs(store)
                shutil.copyfile(os.path.join(FIXTURE_DIR, f), os.path.join(store, "silences"))
                s = server(k, b, store, name).start()
                lists.append(silences(s, res))
                s.close()
            ok, diff = harness.compare_json(lists[0], lists[1], tol=0)
            res.check(ok, "fixture %s: the candidate lists what Alertmanager lists (%d silences)"
                      % (f, len(lists[0])), diff)
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
        for s in servers:
            tail = s.log_tail(15)
            if tail:
                print("--- log of %s (%s):\n%s" % (s.name, s.dir, tail))
    finally:
        for s in servers:
            s.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
