#!/usr/bin/env python3
"""amtool, unmodified, against chorus and against Alertmanager 0.25.

One script of amtool commands runs against both servers, step by step (each
step on the reference, then at once on the candidate, so their clocks stay
close).  Each step's exit code, stdout and stderr must be equal after:
  * silence ids mapped to names (the same silence on both servers has the
    same name: created by step X, or found after step X by its comment);
  * timestamps paired with a tolerance (harness.align_times);
  * for `silence import`, output lines sorted: amtool imports with 8
    concurrent workers, so its output order is not the server's.
Differences that are by design are listed in ALLOW with a reason, and the
same keys must appear in docs/compatibility.md.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IdMap, amtool_raw, compare_text, get_json  # noqa: E402

# step name -> reason.  A step listed here may differ; it is still run and
# its diff printed.  Keep in sync with docs/compatibility.md.
ALLOW = {
}


def pretty(text, ids):
    """A JSON output normalised (ids mapped, silencedBy sorted) and indented,
    keeping key order, so diffs read well; other text has its ids mapped."""
    try:
        obj = json.loads(text)
    except ValueError:
        return ids.apply(text)
    return json.dumps(harness.normalise_json(obj, ids), indent=1, ensure_ascii=False) + "\n"


class Side:
    def __init__(self, server):
        self.server = server
        self.ids = IdMap()
        self.saved = {}

    def register_new_silences(self, step):
        """Names every silence the map does not know by comment and step."""
        sils = get_json(self.server.url + "/api/v2/silences")
        fresh = [s for s in sils if self.ids.name(s["id"]) is None]
        fresh.sort(key=lambda s: (s["comment"], s["startsAt"], json.dumps(s["matchers"])))
        seen = {}
        for s in fresh:
            base = "%s@%s" % (s["comment"], step)
            seen[base] = seen.get(base, 0) + 1
            self.ids.add(s["id"], base if seen[base] == 1 else "%s#%d" % (base, seen[base]))


def main():
    res = harness.Results("test_amtool")
    now = time.time()
    t_start = harness.rfc3339(now - 3600, frac=False)           # 1h ago
    t_end = harness.rfc3339(now + 7200, frac=False)             # in 2h
    t_old_s = harness.rfc3339(now - 86400 * 2, frac=False)
    t_old_e = harness.rfc3339(now - 86400, frac=False)
    t_pend_s = harness.rfc3339(now + 86400, frac=False)         # tomorrow
    t_pend_e = harness.rfc3339(now + 86400 * 2, frac=False)

    # (step name, args, options).  "@name" in args is replaced by the id of
    # the silence the side knows under that name.  Options: save=KEY keeps
    # stdout for a later stdin=KEY; sort=True sorts output lines; new=True
    # registers silences created by the step.
    script = [
        ("status-empty/alert-query", ["alert", "query"], {}),
        ("status-empty/silence-query", ["silence", "query"], {}),
        ("alert-add/A1", ["alert", "add", "alertname=foo", "severity=critical", "team=b",
                          "--annotation=summary=hello world", "--annotation=desc=x"], {}),
        ("alert-add/A2", ["alert", "add", "alertname=foo", "severity=warning", "instance=i1",
                          "--annotation=summary=inhibited one"], {}),
        ("alert-add/A3", ["alert", "add", "alertname=bar", "severity=critical",
                          "--start=" + t_start, "--annotation=runbook=http://x/y"], {}),
        ("alert-add/A4-resolved", ["alert", "add", "alertname=old", "--start=" + t_old_s,
                                   "--end=" + t_old_e], {}),
        ("alert-add/A5-end", ["alert", "add", "alertname=baz", "severity=info", "job=j",
                              "--start=" + t_start, "--end=" + t_end,
                              "--generator-url=http://gen.example/graph"], {}),
        ("alert-add/A6-bare-name", ["alert", "add", "qux", "team=b"], {}),
        ("alert-add/no-labels", ["alert", "add"], {}),
        ("alert-add/bad-end", ["alert", "add", "alertname=x", "--start=" + t_end,
                               "--end=" + t_start], {}),
        ("sleep", None, {"sleep": 0.7}),
        ("alert-query", ["alert", "query"], {}),
        ("alert-query/extended", ["alert", "query", "-o", "extended"], {}),
        ("alert-query/json", ["alert", "query", "-o", "json"], {}),
        ("alert-query/alertname", ["alert", "query", "alertname=foo"], {}),
        ("alert-query/bare", ["alert", "query", "foo"], {}),
        ("alert-query/regex", ["alert", "query", 'severity=~"crit.*"'], {}),
        ("alert-query/regex-ext", ["alert", "query", "-o", "extended", "severity=~crit.*"], {}),
        ("alert-query/neq", ["alert", "query", "-o", "extended", "severity!=critical"], {}),
        ("alert-query/absent", ["alert", "query", "-o", "extended", 'instance=""'], {}),
        ("alert-query/-i", ["alert", "query", "-i"], {}),
        ("alert-query/-i-ext", ["alert", "query", "-i", "-o", "extended"], {}),
        ("alert-query/-a", ["alert", "query", "-a"], {}),
        ("alert-query/receiver", ["alert", "query", "--receiver=team-b"], {}),
        ("alert-query/receiver-re", ["alert", "query", "--receiver=team-.*", "-o", "json"], {}),
        ("alert-query/receiver-none", ["alert", "query", "--receiver=unused"], {}),
        ("alert-query/bad-matcher", ["alert", "query", "a=~("], {}),
        ("alert-query/unescaped-quote", ["alert", "query", 'a=~"("'], {}),
        ("alert-query/bad-receiver", ["alert", "query", "--receiver=("], {}),
        ("silence-add/S1", ["silence", "add", "alertname=foo", "-c", "c1", "-a", "alice",
                            "-d", "1h"], {"new": True}),
        ("silence-add/S2", ["silence", "add", "alertname=~ba.*", "severity!=info", "-c", "c2",
                            "-d", "2h"], {"new": True}),
        ("silence-add/S3-pending", ["silence", "add", "instance=x", "--start=" + t_pend_s,
                                    "--end=" + t_pend_e, "-c", "c3", "-a", "bob"],
         {"new": True}),
        ("silence-add/S4", ["silence", "add", 'severity=~"crit.*"', "team!~a|c", "-c",
                            "c4 with spaces", "-a", "carol", "-d", "3h"], {"new": True}),
        ("silence-add/empty-match", ["silence", "add", 'foo=""', "-c", "bad"], {"new": True}),
        ("silence-add/bad-regex", ["silence", "add", 'foo=~"("', "-c", "bad"], {"new": True}),
        ("silence-add/past", ["silence", "add", "foo=bar", "-c", "bad", "--start=" + t_old_s,
                              "--end=" + t_old_e], {"new": True}),
        ("sleep2", None, {"sleep": 0.3}),
        ("silence-query", ["silence", "query"], {}),
        ("silence-query/extended", ["silence", "query", "-o", "extended"], {}),
        ("silence-query/json", ["silence", "query", "-o", "json"], {}),
        ("silence-query/-q", ["silence", "query", "-q"], {}),
        ("silence-query/matcher", ["silence", "query", "alertname=foo"], {}),
        ("silence-query/matcher-regex", ["silence", "query", "alertname=~ba.*"], {}),
        ("silence-query/matcher-none", ["silence", "query", "alertname=nope"], {}),
        ("alert-query/after-silence", ["alert", "query", "-o", "extended"], {}),
        ("alert-query/-s", ["alert", "query", "-s"], {}),
        ("alert-query/-s-ext", ["alert", "query", "-s", "-o", "extended"], {}),
        ("alert-query/-s-json", ["alert", "query", "-s", "-i", "-o", "json"], {}),
        ("silence-update/S2", ["silence", "update", "@silence-add/S2", "-c", "c2 updated"],
         {"new": True}),
        ("silence-update/S3-dur", ["silence", "update", "@silence-add/S3-pending", "-d", "5h"],
         {"new": True}),
        ("silence-expire/S1", ["silence", "expire", "@silence-add/S1"], {}),
        ("silence-expire/unknown", ["silence", "expire",
                                    "00000000-0000-4000-8000-000000000000"], {}),
        ("silence-expire/not-uuid", ["silence", "expire", "not-a-uuid"], {}),
        ("silence-query/after-expire", ["silence", "query"], {}),
        ("silence-query/--expired", ["silence", "query", "--expired"], {}),
        ("silence-query/--expired-ext", ["silence", "query", "--expired", "-o", "extended"], {}),
        ("silence-query/--expired-q", ["silence", "query", "--expired", "-q"], {}),
        ("alert-query/after-expire", ["alert", "query", "-o", "extended"], {}),
        ("silence-query/save-json", ["silence", "query", "-o", "json"], {"save": "active"}),
        ("silence-import/in-place", ["silence", "import"],
         {"stdin": "active", "sort": True, "new": True}),
        ("silence-query/after-import", ["silence", "query", "-o", "extended"], {}),
        ("silence-expire/all", ["silence", "expire", "@silence-add/S2",
                                "@silence-add/S4", "@silence-add/S3-pending"], {}),
        ("silence-import/-f", ["silence", "import", "-f"],
         {"stdin": "active", "sort": True, "new": True}),
        ("silence-query/after-import-f", ["silence", "query", "-o", "extended"], {}),
        ("silence-query/save-expired", ["silence", "query", "--expired", "-o", "json"],
         {"save": "expired"}),
        ("silence-import/expired", ["silence", "import"],
         {"stdin": "expired", "sort": True, "new": True}),
        ("silence-query/final-json", ["silence", "query", "--expired", "-o", "json"], {}),
        ("silence-query/final", ["silence", "query", "-o", "extended"], {}),
        ("config-show", ["config", "show"], {}),
        ("config-routes", ["config", "routes"], {}),
        ("config-routes-test", ["config", "routes", "test", "severity=critical", "team=b"], {}),
        ("cluster-show", ["cluster", "show"], {}),
        ("cluster-show/json", ["cluster", "show", "-o", "json"], {}),
        ("cluster-show/extended", ["cluster", "show", "-o", "extended"], {}),
    ]

    ref = cand = None
    try:
        ref, cand = harness.start_pair()
        sides = [Side(ref), Side(cand)]
        for name, args, opt in script:
            if args is None:
                time.sleep(opt.get("sleep", 0))
                continue
            outs = []
            for side in sides:
                argv = []
                for a in args:
                    if a.startswith("@"):
                        sid = [u for u, n in side.ids.names.items()
                               if n == a[1:] or n.endswith("@" + a[1:])]
                        argv.append(sid[0] if sid else "00000000-0000-4000-8000-00000000dead")
                    else:
                        argv.append(a)
                stdin = side.saved[opt["stdin"]].encode() if "stdin" in opt else None
                rc, out, err = amtool_raw(side.server.url, argv, stdin=stdin)
                if "save" in opt:
                    side.saved[opt["save"]] = out
                if opt.get("new"):
                    side.register_new_silences(name)
                out = pretty(out, side.ids)
                err = side.ids.apply(err)
                if opt.get("sort"):
                    out = "".join(sorted(out.splitlines(True)))
                    err = "".join(sorted(err.splitlines(True)))
                outs.append("exit code: %d\n--- stdout\n%s--- stderr\n%s" % (rc, out, err))
            ok, diff = compare_text(outs[0], outs[1])
            if harness.verbose():
                print("== %s: amtool %s\n%s" % (name, " ".join(args), outs[0]))
            if not ok and name in ALLOW:
                print("ALLOWED %s (%s)\n%s" % (name, ALLOW[name], diff))
                res.check(True, "amtool %s: differs as allowed" % name)
                continue
            res.check(ok, "amtool %s (%s) gives the same output" % (name, " ".join(args)),
                      diff)
        harness.check_allow_list_documented(res, ALLOW, "amtool")
    except Exception as e:  # a server that does not start is a failure, not a crash
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        for s in (ref, cand):
            if s:
                s.close()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
