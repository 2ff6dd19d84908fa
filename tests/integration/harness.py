"""Shared helpers for chorus's integration and differential tests.

What this gives the test_*.py scripts:
  * free_port(): a TCP port on 127.0.0.1 that was free a moment ago;
  * Server: start Alertmanager 0.25 or chorus with a given alertmanager.yml in
    its own temporary directory, wait until /-/ready answers, stop it (the
    whole process group) and remove the directory;
  * http(): one HTTP request, any method/body/content type, returning
    (status, headers, body bytes) also for 4xx/5xx answers;
  * amtool(): run Debian's amtool against a URL, returning (exit code,
    stdout, stderr) with only nondeterministic parts normalised;
  * normalisation and comparison helpers: silence ids are mapped to names
    the test gave them (IdMap), timestamps are compared pairwise with a
    tolerance (a fixed client-supplied time must match exactly, a server's
    "now" within a few seconds), uptime/versionInfo/config hash replaced;
  * Results: counts passes/failures/skips and prints "N passed, M failed".

What it deliberately does not do: normalise fingerprints (they are a pure
function of the labels and must be equal), or hide any difference a test has
not listed, with a reason, in its allow-list.

The server under test is the binary named by $CHORUS_BIN.  Setting
CHORUS_AS_ALERTMANAGER=1 (or passing --against-alertmanager to a script)
runs the real Alertmanager in its place: every differential test must then
show zero differences, which is how the normalisation itself is checked.
"""

import atexit
import datetime
import difflib
import http.client as httpclient
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

ALERTMANAGER_BIN = os.environ.get("ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager")
AMTOOL_BIN = os.environ.get("AMTOOL_BIN", "/usr/bin/amtool")
PROMETHEUS_BIN = os.environ.get("PROMETHEUS_BIN", "/usr/bin/prometheus")

SOURCE_DIR = os.environ.get(
    "CHORUS_SOURCE",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

READY_TIMEOUT = 10.0        # seconds a server gets to answer /-/ready
STOP_TIMEOUT = 10.0         # seconds between SIGTERM and SIGKILL
HTTP_TIMEOUT = 30.0         # per request (the 70 MB body needs some time)
TIME_TOLERANCE = 3.0        # seconds two servers' "now" may differ by

# A small config most tests can share: one webhook receiver nobody listens
# on (port 1 refuses at once), long waits so nothing is sent during a test.
BASIC_CONFIG = """\
global:
  resolve_timeout: 5m
route:
  receiver: team-a
  group_by: [alertname]
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 4h
  routes:
    - receiver: team-b
      matchers: ['team="b"']
    - receiver: team-crit
      matchers: ['severity=~"crit.*"']
      continue: true
    - receiver: team-a
receivers:
  - name: team-a
    webhook_configs:
      - url: http://127.0.0.1:1/a
        send_resolved: false
  - name: team-b
    webhook_configs:
      - url: http://127.0.0.1:1/b
  - name: team-crit
  - name: unused
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
"""


# --------------------------------------------------------------------------
# Clean-up safety net: servers live in their own sessions (so that one
# killpg stops exactly their group), hence a test killed from outside would
# not take them along.  SIGTERM/SIGHUP/SIGINT therefore become SystemExit so
# the scripts' finally blocks run, and at exit any server still running is
# stopped and its directory removed.

_live_servers = []


def _exit_on_signal(signum, frame):
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_sig, _exit_on_signal)


@atexit.register
def _stop_leftovers():
    for srv in list(_live_servers):
        try:
            srv.close()
        except Exception:
            pass


# --------------------------------------------------------------------------
# Command line and environment

def against_alertmanager():
    """True when the candidate is the real Alertmanager (self-check mode)."""
    return (os.environ.get("CHORUS_AS_ALERTMANAGER", "") not in ("", "0")
            or "--against-alertmanager" in sys.argv)


def candidate_binary():
    """(kind, path) of the server under test, or exits 2 when there is none."""
    if against_alertmanager():
        return "alertmanager", ALERTMANAGER_BIN
    path = os.environ.get("CHORUS_BIN", "")
    if not path or not os.access(path, os.X_OK):
        print("FATAL: CHORUS_BIN=%r is not an executable (set CHORUS_AS_ALERTMANAGER=1 "
              "to run against Alertmanager instead)" % path)
        print("0 passed, 1 failed")
        sys.exit(2)
    return "chorus", path


def verbose():
    return os.environ.get("CHORUS_TEST_VERBOSE", "") not in ("", "0") or "-v" in sys.argv


# --------------------------------------------------------------------------
# Results

class Results:
    """Counts checks; prints one line per check and the summary line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []
        self.started = time.monotonic()

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s" % what)
        else:
            self.failed += 1
            self.failures.append(what)
            print("FAIL %s" % what)
            if detail:
                for line in str(detail).rstrip("\n").split("\n"):
                    print("     " + line)
        sys.stdout.flush()
        return ok

    def skip(self, what, why):
        self.skipped += 1
        print("SKIP %s: %s" % (what, why))
        sys.stdout.flush()

    def finish(self):
        """Prints the summary and returns the exit code."""
        took = time.monotonic() - self.started
        if self.failures:
            print("failed checks:")
            for f in self.failures:
                print("  - " + f)
        if self.skipped:
            print("%d skipped" % self.skipped)
        print("%s took %.1fs" % (self.name, took))
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        return 0 if self.failed == 0 else 1


# --------------------------------------------------------------------------
# Ports and processes

def free_port():
    """A port on 127.0.0.1 that the kernel just handed out (bind to 0)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def kill_group(proc, sig):
    """Sends sig to the process group proc leads (started with a new session)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_process(proc, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
    """Stops proc's whole group: sig, then SIGKILL after timeout. Returns rc."""
    if proc is None:
        return None
    if proc.poll() is None:
        kill_group(proc, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc, signal.SIGKILL)
            proc.wait(timeout=timeout)
    # Anything else left in the group (there should be nothing) goes too.
    kill_group(proc, signal.SIGKILL)
    return proc.returncode


class Server:
    """One Alertmanager-compatible server process in its own temporary dir.

    kind is "alertmanager" or "chorus" (only used in messages); binary is
    the executable.  The config is written to <dir>/alertmanager.yml (or
    config_file is used as it is); storage goes to <dir>/data unless a
    storage_path is given (to restart on the same data).
    """

    def __init__(self, kind, binary, config=BASIC_CONFIG, storage_path=None,
                 extra_args=(), name=None, config_file=None):
        self.kind = kind
        self.binary = binary
        self.name = name or kind
        self.config = config
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix="chorus-it-%s-" % self.name)
        # config_file: use that file in place (never written) instead.
        self.fixed_config = config_file is not None
        self.config_path = config_file or os.path.join(self.dir, "alertmanager.yml")
        self.storage_path = storage_path or os.path.join(self.dir, "data")
        os.makedirs(self.storage_path, exist_ok=True)
        self.port = None
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")
        self._log = None
        _live_servers.append(self)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def write_config(self, text=None):
        if self.fixed_config:
            return
        if text is not None:
            self.config = text
        with open(self.config_path, "w") as f:
            f.write(self.config)

    def argv(self):
        return [self.binary,
                "--config.file=" + self.config_path,
                "--storage.path=" + self.storage_path,
                "--web.listen-address=127.0.0.1:%d" % self.port,
                "--cluster.listen-address="] + self.extra_args

    def start(self, wait=True):
        """Starts the process; with wait, returns once /-/ready says 200.

        The port is picked free just before; should another process take it
        in between (the server then exits complaining about the address),
        it is retried on a new port, at most three times.
        """
        self.write_config()
        for attempt in range(3):
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                         stdout=self._log, stderr=subprocess.STDOUT,
                                         cwd=self.dir, start_new_session=True)
            if not wait:
                return self
            try:
                self.wait_ready()
                return self
            except RuntimeError:
                in_use = "address already in use" in self.log_tail(5).lower()
                self.stop(signal.SIGKILL)
                if not in_use or attempt == 2:
                    raise
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s before it was ready; log:\n%s"
                                   % (self.name, self.proc.returncode, self.log_tail()))
            try:
                status, _, _ = http("GET", self.url + "/-/ready", timeout=1.0)
                if status == 200:
                    return
                last = "status %d" % status
            except OSError as e:
                last = str(e)
            time.sleep(0.05)
        raise RuntimeError("%s not ready after %.0fs (%s); log:\n%s"
                           % (self.name, timeout, last, self.log_tail()))

    def stop(self, sig=signal.SIGTERM):
        """Stops the process (not the directory); returns its exit code."""
        rc = stop_process(self.proc, sig)
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def close(self, remove_dir=True):
        """Stops the process and removes the temporary dir."""
        try:
            self.stop()
        finally:
            if remove_dir:
                shutil.rmtree(self.dir, ignore_errors=True)
            if self in _live_servers:
                _live_servers.remove(self)


def start_pair(config=BASIC_CONFIG, extra_args=()):
    """Starts the reference Alertmanager and the candidate with one config.

    Returns (reference, candidate); the caller closes both (try/finally).
    """
    kind, binary = candidate_binary()
    ref = Server("alertmanager", ALERTMANAGER_BIN, config, extra_args=extra_args,
                 name="reference")
    cand = Server(kind, binary, config, extra_args=extra_args, name="candidate")
    try:
        ref.start()
        cand.start()
    except Exception:
        ref.close()
        cand.close()
        raise
    return ref, cand


# --------------------------------------------------------------------------
# HTTP

def http(method, url, body=None, content_type=None, headers=None, timeout=HTTP_TIMEOUT):
    """One request; returns (status, headers dict lower-cased, body bytes).

    body may be bytes, str, or any other value (sent as JSON, with an
    application/json Content-Type unless content_type says otherwise).  No
    header is added beyond Host, Content-Length (when there is a body) and
    the ones given: a request without Content-Type really has none.  Error
    statuses are returned, not raised; connection errors raise OSError.
    """
    data = None
    if body is not None:
        if isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
            if content_type is None:
                content_type = "application/json"
    parts = urllib.parse.urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn = httpclient.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if data is not None:
            hdrs["Content-Length"] = str(len(data))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if data:
            _send_body(conn, data)
        resp = conn.getresponse()
        payload = b"" if method == "HEAD" else resp.read()
        return resp.status, _lower(resp.getheaders()), payload
    finally:
        conn.close()


def _send_body(conn, data, chunk=1 << 20):
    """Sends data in chunks, stopping early when the server has already
    answered (a server refusing a large body, e.g. with 413, may close the
    connection before reading it; the answer is then still readable)."""
    sock = conn.sock
    for off in range(0, len(data), chunk):
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            return
        try:
            sock.sendall(data[off:off + chunk])
        except (BrokenPipeError, ConnectionResetError):
            return


def _lower(h):
    out = {}
    for k, v in h:
        k = k.lower()
        out[k] = v if k not in out else out[k] + ", " + v
    return out


def get_json(url):
    status, _, body = http("GET", url)
    if status != 200:
        raise RuntimeError("GET %s: %d %r" % (url, status, body[:300]))
    return json.loads(body)


def post_json(url, obj):
    return http("POST", url, body=obj)


def metric_value(text, name, labels=None):
    """The value of one sample in Prometheus text format, or None."""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        if labels:
            got = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                  m.group(2) or ""))
            if any(got.get(k) != v for k, v in labels.items()):
                continue
        return float(m.group(3))
    return None


# --------------------------------------------------------------------------
# Times

RFC3339_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
# amtool's text form: "2006-01-02 15:04:05 MST" (Go layout), plus the
# extended form with an offset "2006-01-02 15:04:05 +0000 UTC".
AMTOOL_TIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [+-]\d{4})?(?: [A-Z]{2,5})?")
ANY_TIME_RE = re.compile("(%s|%s)" % (RFC3339_RE.pattern, AMTOOL_TIME_RE.pattern))


def parse_time(s):
    """Seconds since the epoch for an RFC 3339 or amtool time string, else None."""
    s = s.strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                 r"(Z|[+-]\d{2}:?\d{2})?(?: ([+-]\d{4}))?(?: ([A-Z]{2,5}))?$", s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    try:
        base = datetime.datetime(y, mo, d, h, mi, se, tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    t = base.timestamp() + (float(m.group(7)) if m.group(7) else 0.0)
    off = m.group(8) if m.group(8) and m.group(8) != "Z" else m.group(9)
    if off:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return t


def rfc3339(t, frac=True):
    """RFC 3339 UTC text for epoch seconds t."""
    dt = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    if frac:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Normalisation

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class IdMap:
    """Maps one server's silence ids to names the test chose.

    The same silence created on both servers gets the same name, so outputs
    that differ only in the random UUID compare equal; an id the test did
    not register becomes <uuid?N> in order of first appearance within the
    text, so a server returning a wrong or extra id still shows up.
    """

    def __init__(self):
        self.names = {}

    def add(self, uuid, name):
        self.names[uuid] = name

    def name(self, uuid):
        return self.names.get(uuid)

    def apply(self, text):
        unknown = {}

        def repl(m):
            u = m.group(0)
            if u in self.names:
                return "<sil:%s>" % self.names[u]
            if u not in unknown:
                unknown[u] = "<uuid?%d>" % (len(unknown) + 1)
            return unknown[u]
        return UUID_RE.sub(repl, text)


def normalise_json(obj, ids=None):
    """A copy of a decoded JSON value with the nondeterministic parts replaced.

    Replaced: silence ids (through ids), the status endpoint's uptime and
    versionInfo; silencedBy/inhibitedBy are sorted.  Timestamps are left alone; compare
    with compare_json, which matches them with a tolerance.
    """
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "uptime" and isinstance(v, str):
                out[k] = "<uptime>"
            elif k == "versionInfo" and isinstance(v, dict):
                out[k] = {kk: "<%s>" % kk for kk in v}
            elif k in ("silencedBy", "inhibitedBy") and isinstance(v, list):
                # Alertmanager fills these from map iteration: the order is
                # random there, so only the set is compared.
                out[k] = sorted(normalise_json(v, ids), key=str)
            else:
                out[k] = normalise_json(v, ids)
        return out
    if isinstance(obj, list):
        return [normalise_json(v, ids) for v in obj]
    if isinstance(obj, str):
        obj = normalise_405_message(obj)
        return ids.apply(obj) if ids is not None else obj
    return obj


_METHODS_RE = re.compile(r"(but \[)([A-Z]+(?:,[A-Z]+)*)(\] are)")


def sort_method_list(text):
    """Sorts a comma-separated HTTP method list ("POST,GET" -> "GET,POST").

    Alertmanager builds the Allow header of a 405 and the "method X is not
    allowed, but [A,B] are" message from a Go map, so their order is random
    from one request to the next; only the set is compared.
    """
    sep = ", " if ", " in text else ","
    return sep.join(sorted(x.strip() for x in text.split(",")))


def normalise_405_message(text):
    """sort_method_list applied inside "but [A,B] are" of a 405 message."""
    return _METHODS_RE.sub(lambda m: m.group(1) + sort_method_list(m.group(2)) + m.group(3),
                           text)


def normalise_text(text, ids=None):
    """Silence ids mapped through ids; nothing else changes."""
    if ids is not None:
        text = ids.apply(text)
    return text


def align_times(a, b, tol=TIME_TOLERANCE):
    """Pairs the timestamps of text b with those of text a.

    Lines are first matched with the timestamps masked (difflib), so an
    extra or missing element does not shift the pairing; within matched
    lines the i-th timestamp of one is paired with the i-th of the other.
    Where a pair lies within tol seconds and is printed in the same layout,
    b's text is replaced by a's, so a plain comparison then treats them as
    equal; any other timestamp is left as it is and shows in the diff.
    Returns the new b.  A client-supplied time is the same on both servers
    and thus matches exactly; a server's "now" (or now+resolve_timeout)
    matches within tol.
    """
    la, lb = a.split("\n"), b.split("\n")
    mask = lambda line: ANY_TIME_RE.sub("<T>", line)  # noqa: E731
    sm = difflib.SequenceMatcher(None, [mask(x) for x in la], [mask(x) for x in lb],
                                 autojunk=False)
    out = list(lb)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2)):
                out[j] = _align_line(la[i], lb[j], tol)
    return "\n".join(out)


def _align_line(a, b, tol):
    ta = list(ANY_TIME_RE.finditer(a))
    tb = list(ANY_TIME_RE.finditer(b))
    out = []
    pos = 0
    for i, mb in enumerate(tb):
        out.append(b[pos:mb.start()])
        rep = mb.group(0)
        if i < len(ta):
            va, vb = parse_time(ta[i].group(0)), parse_time(mb.group(0))
            if va is not None and vb is not None and abs(va - vb) <= tol \
                    and _same_shape(ta[i].group(0), mb.group(0)):
                rep = ta[i].group(0)
        out.append(rep)
        pos = mb.end()
    out.append(b[pos:])
    return "".join(out)


def _same_shape(x, y):
    """Same layout (digits masked): a time printed differently must differ."""
    return re.sub(r"\d", "9", x) == re.sub(r"\d", "9", y)


def _silence_sort_key(s):
    """Alertmanager's GET /silences order: active by endsAt ascending, then
    pending by startsAt ascending, then expired by endsAt descending."""
    state = s.get("status", {}).get("state")
    ends = parse_time(s.get("endsAt", "")) or 0.0
    starts = parse_time(s.get("startsAt", "")) or 0.0
    if state == "active":
        return (0, ends)
    if state == "pending":
        return (1, starts)
    return (2, -ends)


def silence_order_problems(sils):
    """Where a GET /silences list breaks Alertmanager's order ("" if none)."""
    out = []
    for i in range(1, len(sils)):
        if _silence_sort_key(sils[i - 1]) > _silence_sort_key(sils[i]):
            out.append("silence %d (%s) sorts after silence %d (%s)"
                       % (i - 1, sils[i - 1].get("id"), i, sils[i].get("id")))
    return "\n".join(out)


def canonical_silences(sils):
    """The list with ties of the sort key ordered by id.

    Alertmanager sorts with an unstable sort over a map, so silences with
    the same key come out in random order; check the order itself with
    silence_order_problems, then compare canonical_silences lists.
    """
    return sorted(sils, key=lambda s: (_silence_sort_key(s), s.get("id", "")))


def canonical_json(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False)


def json_key_order(obj):
    """The object keys in emitted order, recursively, for order checks."""
    if isinstance(obj, dict):
        return [[k, json_key_order(v)] for k, v in obj.items()]
    if isinstance(obj, list):
        return [json_key_order(v) for v in obj]
    return None


def compare_text(a, b, label_a="reference", label_b="candidate", tol=TIME_TOLERANCE):
    """(equal, unified diff) of two texts after pairing their timestamps."""
    b2 = align_times(a, b, tol)
    if a == b2:
        return True, ""
    diff = difflib.unified_diff(a.splitlines(), b2.splitlines(), label_a, label_b,
                                lineterm="", n=2)
    return False, "\n".join(diff)


def compare_json(a, b, ids_a=None, ids_b=None, label_a="reference", label_b="candidate",
                 tol=TIME_TOLERANCE):
    """Compares two decoded JSON values after normalisation; (equal, diff)."""
    na = canonical_json(normalise_json(a, ids_a))
    nb = canonical_json(normalise_json(b, ids_b))
    return compare_text(na, nb, label_a, label_b, tol)


# --------------------------------------------------------------------------
# amtool

def amtool(url, args, ids=None, timeout=30.0, stdin=None):
    """Runs amtool --alertmanager.url=url args; (rc, stdout, stderr) normalised.

    Only silence ids are normalised here (through ids).  The environment is
    pinned (TZ=UTC, USER=chorus-test, no config file from $HOME) so both
    servers' runs see the same client.
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC",
           "USER": "chorus-test", "LANG": "C",
           "HOME": os.path.join(tempfile.gettempdir(), "chorus-it-no-such-home")}
    argv = [AMTOOL_BIN, "--alertmanager.url=" + url] + list(args)
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout, env=env,
                       start_new_session=True)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    return p.returncode, normalise_text(out, ids), normalise_text(err, ids)


def amtool_raw(url, args, timeout=30.0, stdin=None):
    """Like amtool() without normalisation, for reading ids from the output."""
    return amtool(url, args, None, timeout, stdin)


# --------------------------------------------------------------------------
# Allow-lists

def load_allow_list_doc():
    """The text of docs/compatibility.md ("" when missing)."""
    try:
        with open(os.path.join(SOURCE_DIR, "docs", "compatibility.md")) as f:
            return f.read()
    except OSError:
        return ""


def check_allow_list_documented(results, allow, prefix):
    """Every allow-list key must appear in docs/compatibility.md with a reason."""
    doc = load_allow_list_doc()
    for key, reason in sorted(allow.items()):
        results.check(bool(reason) and ("`%s`" % key) in doc,
                      "%s allow-list entry %s is documented in docs/compatibility.md"
                      % (prefix, key))
