#!/usr/bin/env python3
"""Differential test of the HTTP API: chorus against Alertmanager 0.25.

A table of scripted requests (good ones that build up state, and at least 40
bad ones) is sent to both servers in the same order, each request to the
reference and then at once to the candidate.  For every request the status
code, a few headers (Content-Type, Allow, Location, CORS) and the body must
be equal; bodies are JSON-parsed when both parse (key order is reported as a
note only) and compared after normalisation:
  * silence ids are mapped to the name of the request that created them;
  * timestamps are paired with a tolerance (a client-supplied time matches
    exactly, a server's "now" within a few seconds);
  * uptime and versionInfo of GET /status are replaced; silencedBy and
    inhibitedBy are compared as sets (Alertmanager's order is random).
At the end a table of every difference is printed; the test fails on any
difference whose request is not in ALLOW (with a reason, mirrored in
docs/compatibility.md).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IdMap, http  # noqa: E402

# request name -> (reason, what the candidate must answer instead).  The
# second element is a function of the candidate's normalised answer text;
# a difference is accepted only when it holds.  Keep in sync with
# docs/compatibility.md.
ALLOW = {
    "alerts-70MB-invalid": (
        "chorus refuses request bodies over 64 MiB (API_BODY_LIMIT) with 413; "
        "Alertmanager 0.25 reads any size",
        lambda answer: answer.startswith("status: 413\n")),
    "post-alerts-70MB-whitespace": (
        "same 64 MiB body limit: a valid 70 MB body is refused with 413",
        lambda answer: answer.startswith("status: 413\n")),
}

HEADERS_COMPARED = ("content-type", "allow", "location", "access-control-allow-origin",
                    "access-control-allow-methods", "vary")

JSON = "application/json"
DEFAULT = object()          # "application/json" when there is a body
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


class Req:
    def __init__(self, name, method, path, body=None, ct=DEFAULT, headers=None, save=None,
                 bad=True):
        self.name = name
        self.method = method
        self.path = path
        self.body = body
        self.ct = ct
        self.headers = headers or {}
        self.save = save
        self.bad = bad


def good(name, method, path, body=None, **kw):
    return Req(name, method, path, body, bad=False, **kw)


class Side:
    """One server and the silence names the test knows for it."""

    def __init__(self, server):
        self.server = server
        self.ids = IdMap()
        self.by_name = {}

    def expand(self, text):
        """Replaces {name} with the id of the silence saved under name."""
        for name, sid in self.by_name.items():
            text = text.replace("{%s}" % name, sid)
        return text

    def silence(self, name):
        return harness.get_json(self.server.url + "/api/v2/silence/" + self.by_name[name])


def body_bytes(req, side):
    b = req.body
    if callable(b):
        b = b(side)
    if b is None:
        return None
    if isinstance(b, bytes):
        return b
    if isinstance(b, str):
        return side.expand(b).encode("utf-8")
    return side.expand(json.dumps(b)).encode("utf-8")


def send(req, side):
    data = body_bytes(req, side)
    ct = req.ct
    if ct is DEFAULT:
        ct = JSON if data is not None else None
    status, headers, payload = http(req.method, side.server.url + side.expand(req.path),
                                    data, ct, req.headers)
    if req.save and status == 200:
        try:
            sid = json.loads(payload)["silenceID"]
            if side.ids.name(sid) is None:
                side.ids.add(sid, req.save)
                side.by_name[req.save] = sid
        except (ValueError, KeyError, TypeError):
            pass
    return status, headers, payload


def describe(status, headers, payload, ids, req):
    """The normalised answer as text, for comparison and diffs."""
    lines = ["status: %d" % status]
    for h in HEADERS_COMPARED:
        if h in headers:
            v = headers[h]
            if h in ("allow", "access-control-allow-methods"):
                v = harness.sort_method_list(v)
            lines.append("%s: %s" % (h, v))
    try:
        obj = json.loads(payload) if payload.strip() else None
        is_json = obj is not None or payload.strip() == b"null"
    except ValueError:
        is_json = False
    if is_json and isinstance(obj, list) and req.method == "GET" \
            and req.path.startswith("/api/v2/silences"):
        # Ties of the sort key come out in random order from Alertmanager.
        problems = harness.silence_order_problems(obj)
        if problems:
            lines.append("silence order broken: " + problems)
        obj = harness.canonical_silences(obj)
    if is_json:
        lines.append("json body:")
        lines.append(harness.canonical_json(harness.normalise_json(obj, ids)))
    else:
        text = payload.decode("utf-8", "backslashreplace")
        if len(text) > 4000:
            text = text[:4000] + "...(%d bytes)" % len(payload)
        lines.append("raw body: %r" % ids.apply(text))
    return "\n".join(lines) + "\n"


def key_order(payload, ids):
    try:
        return json.dumps(harness.json_key_order(json.loads(payload)))
    except ValueError:
        return None


def build_table(t):
    """The requests; t(offset) is an RFC 3339 time offset seconds from now."""
    def sil(matchers, starts, ends, created="tester", comment="c", extra=None):
        s = {"matchers": matchers, "startsAt": starts, "endsAt": ends,
             "createdBy": created, "comment": comment}
        if extra:
            s.update(extra)
        return s

    def m(name, value, regex=False, equal=None):
        d = {"name": name, "value": value, "isRegex": regex}
        if equal is not None:
            d["isEqual"] = equal
        return d

    ok_m = [m("alertname", "foo")]
    big5 = json.dumps([{"labels": {"alertname": "big"},
                        "annotations": {"blob": "x" * (5 * 1024 * 1024)},
                        "startsAt": t(-7200), "endsAt": t(-3600)}]).encode()
    big70 = b'[{"labels":{"1a":"' + b"x" * (70 * 1024 * 1024) + b'"}}]'
    big70ws = b" " * (70 * 1024 * 1024) + b"[]"

    def update_in_place(side):
        cur = side.silence("S1")
        return json.dumps(sil(cur["matchers"], cur["startsAt"], t(3700), "tester",
                              "S1 updated", {"id": cur["id"]})).encode()

    def update_pending(side):
        cur = side.silence("S3")
        return json.dumps(sil(cur["matchers"], cur["startsAt"], t(90500), "tester",
                              "S3 updated", {"id": cur["id"]})).encode()

    alerts = [
        {"labels": {"alertname": "foo", "severity": "critical", "team": "b"},
         "annotations": {"summary": "A foo", "description": "crit"}, "startsAt": t(-600)},
        {"labels": {"alertname": "foo", "severity": "warning", "instance": "i1", "job": "j1"},
         "annotations": {"summary": "inhibited"}},
        {"labels": {"alertname": "bar", "severity": "critical", "job": "j2", "instance": "i2"},
         "generatorURL": "http://prom.example/graph?g0.expr=up", "endsAt": t(3600)},
        {"labels": {"alertname": "old"}, "startsAt": t(-7200), "endsAt": t(-3600)},
        {"labels": {"alertname": "empty", "dropped": ""}},
        {"labels": {"alertname": "baz", "team": "a", "job": "j1", "instance": "i0"},
         "startsAt": t(-300), "endsAt": t(7200)},
    ]

    T = []
    add = T.append
    # --- good requests that build state
    add(good("status", "GET", "/api/v2/status"))
    add(good("receivers", "GET", "/api/v2/receivers"))
    add(good("alerts-empty", "GET", "/api/v2/alerts"))
    add(good("silences-empty", "GET", "/api/v2/silences"))
    add(good("post-alerts", "POST", "/api/v2/alerts", alerts))
    add(good("post-alerts-empty-list", "POST", "/api/v2/alerts", []))
    add(good("post-alerts-charset", "POST", "/api/v2/alerts",
             [{"labels": {"alertname": "charset"}}], ct="application/json; charset=utf-8"))
    add(good("post-alerts-invalid-utf8", "POST", "/api/v2/alerts",
             b'[{"labels":{"alertname":"utf8","v":"\xff\xfe"}}]'))
    add(good("post-alerts-5MB", "POST", "/api/v2/alerts", big5))
    add(good("post-alerts-70MB-whitespace", "POST", "/api/v2/alerts", big70ws))
    add(good("post-alerts-unknown-field", "POST", "/api/v2/alerts",
             [{"labels": {"alertname": "unk"}, "whatever": 1}]))
    add(good("silence-S1", "POST", "/api/v2/silences",
             sil(ok_m, t(-60), t(3600), comment="S1"), save="S1"))
    add(good("silence-S2", "POST", "/api/v2/silences",
             sil([m("severity", "crit.*", True), m("team", "a", False, False)], t(0), t(7200),
                 comment="S2"), save="S2"))
    add(good("silence-S3-pending", "POST", "/api/v2/silences",
             sil([m("instance", "x")], t(86400), t(90000), comment="S3"), save="S3"))
    add(good("silence-S4", "POST", "/api/v2/silences",
             sil([m("job", "j.*", True, True), m("x", "y", True, False)], t(0), t(10800),
                 created="", comment=""), save="S4"))
    add(good("silence-S5-pending", "POST", "/api/v2/silences",
             sil([m("instance", "y")], t(86400 * 2), t(86400 * 2 + 100), comment="S5"),
             save="S5"))
    add(good("sleep", "SLEEP", "0.6"))
    add(good("alerts", "GET", "/api/v2/alerts"))
    add(good("alerts-silenced-false", "GET", "/api/v2/alerts?silenced=false"))
    add(good("alerts-inhibited-false", "GET", "/api/v2/alerts?inhibited=false"))
    add(good("alerts-active-false", "GET", "/api/v2/alerts?active=false"))
    add(good("alerts-unprocessed-false", "GET", "/api/v2/alerts?unprocessed=false"))
    add(good("alerts-active-maybe", "GET", "/api/v2/alerts?active=maybe"))
    add(good("alerts-active-1", "GET", "/api/v2/alerts?active=1&silenced=0&inhibited=no"))
    add(good("alerts-filter-eq", "GET", "/api/v2/alerts?filter=alertname%3Dfoo"))
    add(good("alerts-filter-re", "GET",
             "/api/v2/alerts?filter=severity%3D~%22crit.*%22&filter=team!%3D%22a%22"))
    add(good("alerts-filter-absent", "GET", "/api/v2/alerts?filter=instance%3D%22%22"))
    add(good("alerts-filter-present", "GET", "/api/v2/alerts?filter=instance!%3D%22%22"))
    add(good("alerts-filter-braces", "GET",
             "/api/v2/alerts?filter=%7Balertname%3D%22foo%22%7D"))
    add(good("alerts-receiver", "GET", "/api/v2/alerts?receiver=team-b"))
    add(good("alerts-receiver-re", "GET", "/api/v2/alerts?receiver=team-(a%7Ccrit)"))
    add(good("alerts-receiver-partial", "GET", "/api/v2/alerts?receiver=team"))
    add(good("groups", "GET", "/api/v2/alerts/groups"))
    add(good("groups-filter", "GET", "/api/v2/alerts/groups?filter=alertname%3Dfoo"))
    add(good("groups-receiver", "GET", "/api/v2/alerts/groups?receiver=team-crit"))
    add(good("groups-silenced-false", "GET",
             "/api/v2/alerts/groups?silenced=false&inhibited=false"))
    add(good("alerts-receiver-empty", "GET", "/api/v2/alerts?receiver="))
    add(good("alerts-filter-anchored", "GET", "/api/v2/alerts?filter=alertname%3D~%22fo%22"))
    add(good("alerts-filter-regex-anchored", "GET",
             "/api/v2/alerts?filter=alertname%3D~%22fo.*%22&filter=severity!~%22warn.*%22"))
    add(good("alerts-filter-unicode", "GET", "/api/v2/alerts?filter=team%3D%22%C3%BC%22"))
    add(good("post-alerts-merge", "POST", "/api/v2/alerts",
             [{"labels": {"alertname": "foo", "severity": "critical", "team": "b"},
               "annotations": {"summary": "A foo again"}, "startsAt": t(-1200),
               "endsAt": t(1800)}]))
    add(good("post-alerts-future-start", "POST", "/api/v2/alerts",
             [{"labels": {"alertname": "future"}, "startsAt": t(3600)}]))
    add(good("post-alerts-equal-times", "POST", "/api/v2/alerts",
             [{"labels": {"alertname": "equal"}, "startsAt": t(600), "endsAt": t(600)}]))
    add(good("alerts-after-merge", "GET", "/api/v2/alerts"))
    add(good("silences", "GET", "/api/v2/silences"))
    add(good("silences-filter-two", "GET",
             "/api/v2/silences?filter=severity%3D~%22crit.*%22&filter=team!%3Da"))
    add(good("silences-filter", "GET", "/api/v2/silences?filter=alertname%3Dfoo"))
    add(good("silences-filter-re", "GET",
             "/api/v2/silences?filter=severity%3D~%22crit.*%22"))
    add(good("silences-filter-re-neq", "GET", "/api/v2/silences?filter=x!~y"))
    add(good("silences-filter-value-differs", "GET",
             "/api/v2/silences?filter=severity%3D~%22crit%22"))
    add(good("silence-get-S1", "GET", "/api/v2/silence/{S1}"))
    add(good("silence-update-in-place", "POST", "/api/v2/silences", update_in_place,
             save="S1-updated"))
    add(good("silence-update-new-matchers", "POST", "/api/v2/silences",
             sil([m("severity", "critical")], t(0), t(7300), comment="S2 replaced",
                 extra={"id": "{S2}"}), save="S2-replaced"))
    add(good("silence-update-pending", "POST", "/api/v2/silences", update_pending,
             save="S3-updated"))
    add(good("silence-delete-S4", "DELETE", "/api/v2/silence/{S4}"))
    add(good("silence-delete-S4-again", "DELETE", "/api/v2/silence/{S4}"))
    add(good("silence-delete-S5-pending", "DELETE", "/api/v2/silence/{S5}"))
    add(good("silence-update-expired", "POST", "/api/v2/silences",
             sil([m("job", "j.*", True, True), m("x", "y", True, False)], t(0), t(10900),
                 comment="S4 revived", extra={"id": "{S4}"}), save="S4-revived"))
    add(good("silence-get-S4", "GET", "/api/v2/silence/{S4}"))
    add(good("silence-get-S5", "GET", "/api/v2/silence/{S5}"))
    add(good("silences-after-updates", "GET", "/api/v2/silences"))
    add(good("alerts-after-updates", "GET", "/api/v2/alerts"))
    add(good("groups-after-updates", "GET", "/api/v2/alerts/groups"))
    add(good("cors-get", "GET", "/api/v2/receivers", headers={"Origin": "http://x.example"}))
    add(good("cors-preflight", "OPTIONS", "/api/v2/alerts",
             headers={"Origin": "http://x.example", "Access-Control-Request-Method": "POST"}))
    add(good("healthy", "GET", "/-/healthy"))
    add(good("healthy-head", "HEAD", "/-/healthy"))
    add(good("ready", "GET", "/-/ready"))

    # --- bad requests: POST /alerts
    A = "/api/v2/alerts"
    add(Req("alerts-malformed-json", "POST", A, b'[{"labels":'))
    add(Req("alerts-malformed-json-2", "POST", A, b'[{"labels":{"a":"b"}},]'))
    add(Req("alerts-garbage", "POST", A, b"not json at all"))
    add(Req("alerts-object-not-array", "POST", A, {"labels": {"a": "b"}}))
    add(Req("alerts-labels-list", "POST", A, [{"labels": ["a", "b"]}]))
    add(Req("alerts-label-value-number", "POST", A, [{"labels": {"a": 1}}]))
    add(Req("alerts-label-value-null", "POST", A, [{"labels": {"alertname": "n", "a": None}}]))
    add(Req("alerts-startsAt-number", "POST", A, [{"labels": {"a": "b"}, "startsAt": 12}]))
    add(Req("alerts-startsAt-bad-string", "POST", A,
            [{"labels": {"a": "b"}, "startsAt": "yesterday"}]))
    add(Req("alerts-endsAt-bool", "POST", A, [{"labels": {"a": "b"}, "endsAt": True}]))
    add(Req("alerts-annotations-list", "POST", A, [{"labels": {"a": "b"}, "annotations": [1]}]))
    add(Req("alerts-missing-labels", "POST", A, [{"annotations": {"x": "y"}}]))
    add(Req("alerts-missing-labels-2nd", "POST", A,
            [{"labels": {"alertname": "ok2"}}, {"annotations": {}}]))
    add(Req("alerts-empty-labels", "POST", A, [{"labels": {}}]))
    add(Req("alerts-only-empty-values", "POST", A, [{"labels": {"a": ""}}]))
    add(Req("alerts-label-name-digit", "POST", A, [{"labels": {"1a": "b"}}]))
    add(Req("alerts-label-name-unicode", "POST", A, [{"labels": {"ünicode": "b"}}]))
    add(Req("alerts-annotation-name-bad", "POST", A,
            [{"labels": {"alertname": "annbad"}, "annotations": {"0bad": "v"}}]))
    add(Req("alerts-ends-before-starts", "POST", A,
            [{"labels": {"alertname": "x"}, "startsAt": t(600), "endsAt": t(0)}]))
    add(Req("alerts-generatorURL-not-uri", "POST", A,
            [{"labels": {"alertname": "x"}, "generatorURL": "not a url"}]))
    add(Req("alerts-mixed-batch", "POST", A,
            [{"labels": {"alertname": "mixed-ok"}}, {"labels": {"0x": "y"}}, {"labels": {}},
             {"labels": {"alertname": "mixed-annbad"}, "annotations": {"0bad": "v"}}]))
    add(Req("alerts-array-of-null", "POST", A, b"[null]"))
    add(Req("alerts-null-body", "POST", A, b"null"))
    add(Req("alerts-empty-body", "POST", A, b""))
    add(Req("alerts-no-body", "POST", A, None))
    add(Req("alerts-text-plain", "POST", A, b"[]", ct="text/plain"))
    add(Req("alerts-form", "POST", A, b"[]", ct="application/x-www-form-urlencoded"))
    add(Req("alerts-no-content-type", "POST", A, b"[]", ct=None))
    add(Req("alerts-70MB-invalid", "POST", A, big70))
    add(good("alerts-after-bad-posts", "GET", A))

    # --- bad requests: POST /silences
    S = "/api/v2/silences"
    add(Req("silence-malformed-json", "POST", S, b'{"matchers":['))
    add(Req("silence-array-body", "POST", S, b"[]"))
    add(Req("silence-null-body", "POST", S, b"null"))
    add(Req("silence-empty-body", "POST", S, b""))
    add(Req("silence-matchers-object", "POST", S,
            sil({"name": "a", "value": "b", "isRegex": False}, t(0), t(3600))))
    add(Req("silence-isRegex-string", "POST", S,
            sil([{"name": "a", "value": "b", "isRegex": "true"}], t(0), t(3600))))
    add(Req("silence-isEqual-string", "POST", S,
            sil([{"name": "a", "value": "b", "isRegex": False, "isEqual": "no"}], t(0),
                t(3600))))
    add(Req("silence-createdBy-number", "POST", S, sil(ok_m, t(0), t(3600), created=5)))
    add(Req("silence-startsAt-number", "POST", S, sil(ok_m, 1, t(3600))))
    add(Req("silence-missing-matchers", "POST", S,
            {"startsAt": t(0), "endsAt": t(3600), "createdBy": "a", "comment": "c"}))
    add(Req("silence-missing-isRegex", "POST", S,
            sil([{"name": "a", "value": "b"}], t(0), t(3600))))
    add(Req("silence-missing-name", "POST", S,
            sil([{"value": "b", "isRegex": False}], t(0), t(3600))))
    add(Req("silence-missing-value", "POST", S,
            sil([{"name": "a", "isRegex": False}], t(0), t(3600))))
    for field in ("startsAt", "endsAt", "createdBy", "comment"):
        body = sil(ok_m, t(0), t(3600))
        del body[field]
        add(Req("silence-missing-" + field, "POST", S, body))
    add(Req("silence-empty-matchers", "POST", S, sil([], t(0), t(3600))))
    add(Req("silence-ends-before-starts", "POST", S, sil(ok_m, t(3600), t(60))))
    add(Req("silence-ends-equal-starts", "POST", S, sil(ok_m, t(3600), t(3600))))
    add(Req("silence-ends-in-past", "POST", S, sil(ok_m, t(-7200), t(-3600))))
    add(Req("silence-only-empty-matchers", "POST", S,
            sil([m("a", ""), m("b", ".*", True)], t(0), t(3600))))
    add(Req("silence-label-name-digit", "POST", S, sil([m("1a", "b")], t(0), t(3600))))
    add(Req("silence-label-name-unicode", "POST", S, sil([m("ünicode", "b")], t(0), t(3600))))
    add(Req("silence-bad-regex", "POST", S, sil([m("a", "(", True)], t(0), t(3600))))
    add(Req("silence-bad-regex-2nd", "POST", S,
            sil([m("a", "b"), m("c", "[z-a]", True)], t(0), t(3600))))
    add(Req("silence-unknown-id", "POST", S,
            sil(ok_m, t(0), t(3600), extra={"id": UNKNOWN_UUID})))
    add(Req("silence-non-uuid-id", "POST", S, sil(ok_m, t(0), t(3600), extra={"id": "abc"})))
    add(Req("silence-text-plain", "POST", S, json.dumps(sil(ok_m, t(0), t(3600))),
            ct="text/plain"))

    # --- bad requests: queries, ids, methods, paths
    add(Req("alerts-filter-no-op", "GET", "/api/v2/alerts?filter=foo"))
    add(Req("alerts-filter-empty", "GET", "/api/v2/alerts?filter="))
    add(Req("alerts-filter-bad-regex", "GET", "/api/v2/alerts?filter=a%3D~%22(%22"))
    add(Req("alerts-filter-unescaped-quote", "GET", "/api/v2/alerts?filter=a%3D%22b%22c%22"))
    add(Req("alerts-filter-open-quote", "GET", "/api/v2/alerts?filter=a%3D%22b"))
    add(Req("alerts-receiver-bad-regex", "GET", "/api/v2/alerts?receiver=("))
    add(Req("groups-filter-bad", "GET", "/api/v2/alerts/groups?filter=foo"))
    add(Req("groups-receiver-bad-regex", "GET", "/api/v2/alerts/groups?receiver=("))
    add(Req("silences-filter-bad", "GET", "/api/v2/silences?filter=foo"))
    add(Req("silences-filter-bad-regex", "GET", "/api/v2/silences?filter=a%3D~%22(%22"))
    add(Req("silence-get-unknown", "GET", "/api/v2/silence/" + UNKNOWN_UUID))
    add(Req("silence-get-non-uuid", "GET", "/api/v2/silence/not-a-uuid"))
    add(Req("silence-delete-unknown", "DELETE", "/api/v2/silence/" + UNKNOWN_UUID))
    add(Req("silence-delete-non-uuid", "DELETE", "/api/v2/silence/not-a-uuid"))
    add(Req("alerts-put", "PUT", "/api/v2/alerts", b"[]"))
    add(Req("alerts-delete", "DELETE", "/api/v2/alerts"))
    add(Req("status-post", "POST", "/api/v2/status", b"{}"))
    add(Req("silences-patch", "PATCH", "/api/v2/silences", b"{}"))
    add(Req("silence-id-post", "POST", "/api/v2/silence/" + UNKNOWN_UUID, b"{}"))
    add(Req("receivers-delete", "DELETE", "/api/v2/receivers"))
    add(Req("unknown-path", "GET", "/api/v2/nonexistent"))
    add(Req("unknown-path-slash", "GET", "/api/v2/"))
    add(Req("api-v2-no-slash", "GET", "/api/v2"))
    add(Req("silence-empty-id", "GET", "/api/v2/silence/"))
    add(Req("unknown-path-outside-api", "GET", "/nonexistent"))
    add(Req("reload-get", "GET", "/-/reload"))
    add(Req("healthy-post", "POST", "/-/healthy", b""))
    add(Req("ready-put", "PUT", "/-/ready", b""))

    add(good("final-alerts", "GET", "/api/v2/alerts"))
    add(good("final-silences", "GET", "/api/v2/silences"))
    add(good("final-groups", "GET", "/api/v2/alerts/groups"))
    add(good("final-status", "GET", "/api/v2/status"))
    return T


def main():
    res = harness.Results("test_api_diff")
    t0 = time.time()

    def t(off):
        return harness.rfc3339(t0 + off)

    table = build_table(t)
    nbad = sum(1 for r in table if r.bad)
    res.check(nbad >= 40, "the table has at least 40 bad requests (%d)" % nbad)
    names = [r.name for r in table]
    res.check(len(names) == len(set(names)), "request names are unique")

    diffs = []
    ref = cand = None
    try:
        ref, cand = harness.start_pair()
        sides = [Side(ref), Side(cand)]
        for req in table:
            if req.method == "SLEEP":
                time.sleep(float(req.path))
                continue
            answers = []
            orders = []
            for side in sides:
                try:
                    status, headers, payload = send(req, side)
                    answers.append(describe(status, headers, payload, side.ids, req))
                except OSError as e:
                    # A dropped connection is an answer too (and must match).
                    answers.append("connection error: %s\n" % type(e).__name__)
                    status, payload = None, b""
                orders.append(key_order(payload, side.ids))
            if harness.verbose():
                print("== %s %s %s\n%s" % (req.name, req.method, req.path, answers[0][:3000]))
            ok, diff = harness.compare_text(answers[0], answers[1])
            what = "%s %s %s (%s)" % ("bad" if req.bad else "good", req.method, req.path,
                                      req.name)
            if not ok:
                diffs.append((req, answers, diff))
                if req.name in ALLOW:
                    reason, expect = ALLOW[req.name]
                    print("ALLOWED %s: %s\n%s" % (req.name, reason, diff))
                    res.check(expect(answers[1]), what + ": differs as allowed (%s)" % reason,
                              "the candidate's answer is not the allowed one:\n" + answers[1])
                    continue
            elif orders[0] != orders[1]:
                print("NOTE %s: same JSON, different key order" % req.name)
            res.check(ok, what + ": same answer", diff)
        harness.check_allow_list_documented(res, {k: v[0] for k, v in ALLOW.items()}, "api")
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        for s in (ref, cand):
            if s:
                s.close()

    if diffs:
        print("\nDifferences (first differing line of each answer):")
        print("%-30s %-7s %-8s %-55s %s" % ("request", "allowed", "status", "reference",
                                            "candidate"))
        for req, answers, diff in diffs:
            minus = [l[1:] for l in diff.splitlines() if l.startswith("-") and
                     not l.startswith("---")]
            plus = [l[1:] for l in diff.splitlines() if l.startswith("+") and
                    not l.startswith("+++")]
            st = "/".join("drop" if a.startswith("connection error") else
                          a.split("\n", 1)[0].replace("status: ", "") for a in answers)
            print("%-30s %-7s %-8s %-55s %s" % (req.name[:30], "yes" if req.name in ALLOW else "NO",
                                                st, (minus[0].strip() if minus else "")[:55],
                                                (plus[0].strip() if plus else "")[:80]))
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
