"""Local notification sinks for the notification tests (127.0.0.1 only).

HttpSink: a threaded HTTP server standing in for a webhook, Slack, Telegram,
Discord, MS Teams, PagerDuty or Opsgenie endpoint, over HTTP or HTTPS.  It records every request
(arrival time, method, path, query, headers, body) and answers 200 with a
small JSON body (Telegram's client wants {"ok":true,"result":...}; the
others only look at the status).  Per path it can be told to answer a
sequence of statuses (e.g. 500 then 200: the last one repeats) or to hang
for N seconds before answering (released early when the sink closes).

SmtpSink: Debian's aiosmtpd run as a subprocess with /usr/bin/python3 (the
python3 on PATH may be an interpreter without it) through smtp_sink.py,
which appends each message as a JSON line (envelope, AUTH, EHLO name, raw
data) to a file this class reads.  Optionally requires AUTH (PLAIN, LOGIN)
and offers STARTTLS with a certificate made for the test (make_cert()).

Both record arrival times from time.time() and time.monotonic() so tests can
check schedules; wait_for() polls with a bound on time.
"""

import email
import email.policy
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness

SYSTEM_PYTHON = os.environ.get("CHORUS_SYSTEM_PYTHON", "/usr/bin/python3")
SMTP_SINK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_sink.py")

DEFAULT_BODY = (b'{"ok":true,"result":{"message_id":1,"date":1700000000,'
                b'"chat":{"id":-1001,"type":"group"},"text":"ok"}}')


class Request:
    """One request an HttpSink received."""

    def __init__(self, t, mono, method, target, headers, body, status):
        self.t = t                    # time.time() at arrival (headers read)
        self.mono = mono              # time.monotonic() at arrival
        self.method = method
        parts = urllib.parse.urlsplit(target)
        self.target = target
        self.path = parts.path
        self.query = parts.query
        self.headers = headers        # list of (name, value) as sent
        self.body = body
        self.status = status          # what the sink answered (None: hung up)

    def header(self, name):
        name = name.lower()
        vals = [v for k, v in self.headers if k.lower() == name]
        return ", ".join(vals) if vals else None

    def header_dict(self):
        out = {}
        for k, v in self.headers:
            k = k.lower()
            out[k] = v if k not in out else out[k] + ", " + v
        return out

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def __repr__(self):
        return "<%s %s %d bytes>" % (self.method, self.target, len(self.body))


class _Rule:
    def __init__(self, statuses=None, hang=0.0, body=None, match=None, headers=None):
        self.statuses = list(statuses or [])
        self.headers = dict(headers or {})
        self.hang = hang
        self.body = body
        self.match = match            # bytes that must occur in the body, or None
        self.count = 0


class HttpSink:
    """A recording HTTP server on 127.0.0.1:<free port>."""

    def __init__(self, name="sink", tls=None):
        """tls=(cert, key) serves HTTPS with that certificate."""
        self.name = name
        self.tls = tls
        self.requests = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.rules = {}               # path -> [_Rule]
        self.closing = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                t, mono = time.time(), time.monotonic()
                body = self._read_body()
                req = Request(t, mono, self.command, self.path, list(self.headers.items()),
                              body, None)
                status, hang, payload, extra = sink._decide(req)
                with sink.cond:
                    sink.requests.append(req)
                    sink.cond.notify_all()
                if hang:
                    sink.closing.wait(hang)
                    if sink.closing.is_set():
                        self.close_connection = True
                        return
                req.status = status
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    self.close_connection = True

            def _read_body(self):
                te = (self.headers.get("Transfer-Encoding") or "").lower()
                if "chunked" in te:
                    out = b""
                    for _ in range(100000):
                        line = self.rfile.readline(1024)
                        size = int(line.split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                                pass
                            break
                        out += self.rfile.read(size)
                        self.rfile.readline(16)
                    return out
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        for attempt in range(3):
            try:
                self.port = harness.free_port()
                self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                if attempt == 2:
                    raise
        self.server.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            # The handshake happens in the handler's thread, on first read.
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def on(self, path, statuses=None, hang=0.0, body=None, match=None, headers=None):
        """Answers requests to path (with match in the body, if given) with the
        statuses in turn (the last repeats), after hanging hang seconds, with
        the extra response headers given."""
        with self.lock:
            self.rules.setdefault(path, []).append(
                _Rule(statuses, hang, body, match.encode() if isinstance(match, str) else match,
                      headers))

    def _decide(self, req):
        with self.lock:
            for rule in self.rules.get(req.path, []):
                if rule.match is not None and rule.match not in req.body:
                    continue
                i = min(rule.count, len(rule.statuses) - 1) if rule.statuses else -1
                rule.count += 1
                status = rule.statuses[i] if i >= 0 else 200
                return (status, rule.hang, rule.body if rule.body is not None else DEFAULT_BODY,
                        rule.headers)
        return 200, 0.0, DEFAULT_BODY, {}

    def snapshot(self, path=None):
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, n, timeout, path=None, pred=None):
        """Waits (at most timeout s) until n requests (to path, matching pred)
        arrived; returns the matching list (maybe shorter)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests
                       if (path is None or r.path == path) and (pred is None or pred(r))]
                left = deadline - time.monotonic()
                if len(got) >= n or left <= 0:
                    return got
                self.cond.wait(min(left, 0.2))

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# --------------------------------------------------------------------------
# SMTP

def make_cert(directory, cn="127.0.0.1"):
    """A self-signed certificate for 127.0.0.1/localhost; (cert, key) paths."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class Mail:
    """One message an SmtpSink received."""

    def __init__(self, rec):
        self.t = rec["t"]
        self.mail_from = rec["mail_from"]
        self.rcpt_tos = rec["rcpt_tos"]
        self.auth = rec.get("auth")           # [mechanism, login] or None
        self.ehlo = rec.get("ehlo")
        self.tls = rec.get("tls")
        self.raw = rec["data"].encode("latin-1")
        self.msg = email.message_from_bytes(self.raw, policy=email.policy.compat32)

    def __repr__(self):
        return "<mail from %s to %s %d bytes>" % (self.mail_from, self.rcpt_tos, len(self.raw))


class SmtpSink:
    """aiosmtpd in a subprocess; auth=(user, password) requires AUTH with one
    of mechs (advertised in aiosmtpd's order: LOGIN before PLAIN);
    starttls=True offers STARTTLS with a fresh self-signed certificate
    (self.cert is its path, for the server's tls_config.ca_file)."""

    def __init__(self, name="smtp", auth=None, starttls=False, mechs=("LOGIN", "PLAIN")):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="chorus-it-smtp-")
        self.out = os.path.join(self.dir, "mail.jsonl")
        self.cert = self.key = None
        self.proc = None
        self._log = None
        try:
            argv = [SYSTEM_PYTHON, SMTP_SINK_SCRIPT, "--out", self.out]
            if auth:
                argv += ["--auth", "%s:%s" % auth, "--mechs", ",".join(mechs)]
            if starttls:
                self.cert, self.key = make_cert(self.dir)
                argv += ["--cert", self.cert, "--key", self.key]
            for attempt in range(3):
                self.port = harness.free_port()
                self._log = open(os.path.join(self.dir, "sink.log"), "ab")
                self.proc = subprocess.Popen(argv + ["--port", str(self.port)],
                                             stdin=subprocess.DEVNULL, stdout=self._log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
                if self._wait_ready(10.0):
                    break
                harness.stop_process(self.proc)
                self._log.close()
                if attempt == 2:
                    raise RuntimeError("SMTP sink did not start: %s" % self.log_tail())
        except Exception:
            self.close()
            raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as s:
                    s.settimeout(2.0)
                    if s.recv(512).startswith(b"220"):
                        s.sendall(b"QUIT\r\n")
                        return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    @property
    def smarthost(self):
        return "127.0.0.1:%d" % self.port

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "sink.log"), "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def messages(self):
        try:
            with open(self.out, "r", encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError:
            return []
        out = []
        for line in lines:
            if line.strip():
                try:
                    out.append(Mail(json.loads(line)))
                except ValueError:
                    pass          # a line still being written
        return out

    def wait_for(self, n, timeout):
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= n or time.monotonic() >= deadline:
                return got
            time.sleep(0.1)

    def close(self):
        if self.proc is not None:
            harness.stop_process(self.proc, timeout=5)
            self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        shutil.rmtree(self.dir, ignore_errors=True)
