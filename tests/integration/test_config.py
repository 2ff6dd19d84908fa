#!/usr/bin/env python3
"""Configuration at start-up and on reload, through the real daemon.

1. Every tests/fixtures/config/invalid/X.yml: the candidate, started with it,
   exits non-zero within 10 s and prints the error of X.err (chorus prints
   `<file>:<line>: <key>: <message>`; in self-check mode Alertmanager prints
   only the message, so there the .err must end with Alertmanager's message).
2. Every tests/fixtures/config/valid/X.yml: the candidate starts and GET
   /api/v2/status gives config.original equal to X.original (@DIR@ being the
   fixture directory).
3. Reload, on the candidate and on the reference side by side: a broken file
   via SIGHUP and via POST /-/reload keeps the old config (config.original
   unchanged), sets alertmanager_config_last_reload_successful to 0 and
   leaves alertmanager_config_hash alone; POST /-/reload answers 500 with
   "failed to reload config: <error>"; a fixed file then reloads (SIGHUP and
   POST), the metric returns to 1, the hash and config.original change, and
   the candidate's config.original equals the reference's.
Parts whose fixtures are missing are reported as SKIP (not counted as passed).
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Server, get_json, http, metric_value  # noqa: E402

FIXTURES = os.path.join(harness.SOURCE_DIR, "tests", "fixtures", "config")
EXIT_TIMEOUT = 10.0

BROKEN = """\
route:
  receiver: a
  group_wait: 1x
receivers:
- name: a
"""
BROKEN_MESSAGE = 'not a valid duration string: "1x"'

FIXED = harness.BASIC_CONFIG.replace("resolve_timeout: 5m", "resolve_timeout: 7m") \
    .replace("group_wait: 1h", "group_wait: 45m")


def logfmt_values(text):
    """The unescaped values of every key="..." in logfmt output."""
    out = []
    for m in re.finditer(r'[a-zA-Z_]+="((?:[^"\\]|\\.)*)"', text):
        v = m.group(1)
        v = re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), v)
        out.append(v)
    return out


def am_message(err_value):
    """Alertmanager's message as amtool check-config prints it: the first
    entry of a yaml.v2 "unmarshal errors" list without its "line N: "."""
    lines = err_value.split("\n")
    if lines[0] == "yaml: unmarshal errors:" and len(lines) > 1:
        return re.sub(r"^\s*line \d+: ", "", lines[1])
    return err_value


def run_to_exit(kind, binary, config_path, tmp):
    port = harness.free_port()
    argv = [binary, "--config.file=" + config_path,
            "--storage.path=" + os.path.join(tmp, "data"),
            "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address="]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp)
    try:
        out, _ = p.communicate(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        harness.stop_process(p, signal.SIGKILL)
        out, _ = p.communicate()
        return None, out.decode("utf-8", "replace")
    finally:
        harness.kill_group(p, signal.SIGKILL)
    return p.returncode, out.decode("utf-8", "replace")


def check_invalid(res, kind, binary, tmp):
    d = os.path.join(FIXTURES, "invalid")
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".yml")) \
        if os.path.isdir(d) else []
    if not names:
        res.skip("invalid config fixtures", "none in %s" % d)
        return
    for name in names:
        err_path = os.path.join(d, name + ".err")
        if not os.path.exists(err_path):
            res.skip("invalid/%s.yml" % name, "no .err beside it")
            continue
        with open(err_path) as f:
            expected = f.read().strip("\n")
        rc, out = run_to_exit(kind, binary, os.path.join(d, name + ".yml"), tmp)
        texts = [out] + logfmt_values(out)
        if kind == "alertmanager":
            msgs = [am_message(v) for v in logfmt_values(out)]
            found = any(m and expected.endswith(m) for m in msgs)
        else:
            found = any(expected in t for t in texts)
        res.check(rc not in (None, 0) and found,
                  "invalid/%s.yml: start-up fails (exit %s) with the expected error"
                  % (name, rc),
                  "expected: %s\noutput:\n%s" % (expected, out[-1500:]))


def check_valid(res, kind, binary):
    d = os.path.join(FIXTURES, "valid")
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".yml")) \
        if os.path.isdir(d) else []
    if not names:
        res.skip("valid config fixtures", "none in %s" % d)
        return
    for name in names:
        orig_path = os.path.join(d, name + ".original")
        if not os.path.exists(orig_path):
            res.skip("valid/%s.yml" % name, "no .original beside it")
            continue
        with open(orig_path) as f:
            expected = f.read().replace("@DIR@", d)
        s = Server(kind, binary, name="candidate-" + name,
                   config_file=os.path.join(d, name + ".yml"))
        try:
            s.start()
            got = get_json(s.url + "/api/v2/status")["config"]["original"]
            ok, diff = harness.compare_text(expected, got, "%s.original" % name, "candidate")
            res.check(ok, "valid/%s.yml: starts and config.original matches" % name, diff)
        except Exception as e:
            res.check(False, "valid/%s.yml: starts and config.original matches" % name,
                      "%s: %s" % (type(e).__name__, e))
        finally:
            s.close()


def metrics(server):
    return http("GET", server.url + "/metrics")[2].decode("utf-8", "replace")


def reload_state(server):
    text = metrics(server)
    return (metric_value(text, "alertmanager_config_last_reload_successful"),
            metric_value(text, "alertmanager_config_hash"),
            get_json(server.url + "/api/v2/status")["config"]["original"])


def wait_reload_metric(server, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    v = None
    while time.monotonic() < deadline:
        v = metric_value(metrics(server), "alertmanager_config_last_reload_successful")
        if v == want:
            return v
        time.sleep(0.05)
    return v


def check_reload(res, ref, cand):
    pair = (("reference", ref), ("candidate", cand))
    start = {n: reload_state(s) for n, s in pair}
    for n, _ in pair:
        res.check(start[n][0] == 1, "%s: alertmanager_config_last_reload_successful is 1 after "
                  "start-up" % n, repr(start[n][0]))
    res.check(start["reference"][2] == start["candidate"][2],
              "config.original equals the reference's after start-up")

    # Broken file, SIGHUP.
    for n, s in pair:
        s.write_config(BROKEN)
        s.signal(signal.SIGHUP)
    for n, s in pair:
        v = wait_reload_metric(s, 0)
        ok, h, orig = reload_state(s)
        res.check(v == 0, "%s: SIGHUP with a broken file sets last_reload_successful to 0" % n,
                  repr(v))
        res.check(orig == start[n][2], "%s: config.original unchanged after the failed SIGHUP"
                  % n)
        res.check(h == start[n][1], "%s: config hash unchanged after the failed SIGHUP" % n,
                  "%r -> %r" % (start[n][1], h))
        res.check(s.proc.poll() is None, "%s: still running after the failed SIGHUP" % n)

    # Broken file, POST /-/reload.
    answers = {}
    for n, s in pair:
        st, hd, body = http("POST", s.url + "/-/reload")
        answers[n] = (st, body.decode("utf-8", "replace"))
        ok, h, orig = reload_state(s)
        res.check(st == 500 and answers[n][1].startswith("failed to reload config: ")
                  and BROKEN_MESSAGE in answers[n][1],
                  "%s: POST /-/reload with a broken file answers 500 "
                  "\"failed to reload config: ...%s\"" % (n, BROKEN_MESSAGE),
                  "%d %r" % answers[n])
        res.check(ok == 0 and orig == start[n][2],
                  "%s: after the failed POST /-/reload the old config stays and the metric "
                  "is 0" % n, repr(ok))

    # Fixed file, POST /-/reload, then SIGHUP again with another change.
    for n, s in pair:
        s.write_config(FIXED)
        st, _, body = http("POST", s.url + "/-/reload")
        ok, h, orig = reload_state(s)
        res.check(st == 200 and body == b"", "%s: POST /-/reload with a fixed file answers 200 "
                  "with no body" % n, "%d %r" % (st, body))
        res.check(ok == 1, "%s: the metric returns to 1 after the successful reload" % n,
                  repr(ok))
        res.check(orig != start[n][2] and "resolve_timeout: 7m" in orig,
                  "%s: config.original shows the new config" % n)
        res.check(h != start[n][1], "%s: config hash changed with the new config" % n)
    r_orig = get_json(ref.url + "/api/v2/status")["config"]["original"]
    c_orig = get_json(cand.url + "/api/v2/status")["config"]["original"]
    ok, diff = harness.compare_text(r_orig, c_orig)
    res.check(ok, "config.original after the reload equals the reference's", diff)

    for n, s in pair:
        s.write_config(BROKEN)
        s.signal(signal.SIGHUP)
    for n, s in pair:
        wait_reload_metric(s, 0)
        s.write_config(harness.BASIC_CONFIG)
        s.signal(signal.SIGHUP)
    for n, s in pair:
        v = wait_reload_metric(s, 1)
        ok, h, orig = reload_state(s)
        res.check(v == 1 and orig == start[n][2],
                  "%s: a SIGHUP with a fixed file reloads it (metric 1, original back)" % n,
                  repr(v))
        res.check(h == start[n][1], "%s: the same file gives the same hash again" % n)


def main():
    res = harness.Results("test_config")
    kind, binary = harness.candidate_binary()
    tmp = tempfile.mkdtemp(prefix="chorus-it-config-")
    ref = cand = None
    try:
        check_invalid(res, kind, binary, tmp)
        check_valid(res, kind, binary)
        ref, cand = harness.start_pair()
        check_reload(res, ref, cand)
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        for s in (ref, cand):
            if s:
                s.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
