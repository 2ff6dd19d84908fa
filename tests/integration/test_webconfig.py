#!/usr/bin/env python3
"""--web.config.file enforced: TLS, client certificates and basic auth,
against chorus and Alertmanager 0.25 side by side.

Everything secret is made at test time in a temporary directory: a CA, a
server certificate for localhost/127.0.0.1, a client certificate from that
CA and one from another CA (openssl), and bcrypt hashes
(`htpasswd -nbBC <cost>`, from apache2-utils).  Each scenario runs on the
reference and on the candidate, and what a client sees must be the same:
  * every client_auth_type with no client certificate, a good one and one
    from a foreign CA (outcome: the HTTP status, or "refused" when the TLS
    connection fails, whichever side of the handshake notices);
  * min_version/max_version against clients pinned to one TLS version;
  * basic auth right, wrong, unknown user, missing, malformed: status and
    the headers and body of the 401; every path is protected, /-/healthy
    and /-/ready included; the configured extra headers on every answer;
  * amtool with --http.config.file (tls_config and basic_auth) running
    alert query, silence add and silence query;
  * 50 parallel requests from a cached client while a slow (cost 14)
    bcrypt check runs: none waits for it.
Differences that are by design are in ALLOW with a reason (and in
docs/compatibility.md).
"""

import concurrent.futures
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ALLOW = {
    "plain HTTP to the TLS port":
        "Go answers 400 'Client sent an HTTP request to an HTTPS server.'; "
        "libmicrohttpd closes the connection (the request is refused either way)",
}

HTPASSWD = "/usr/bin/htpasswd"
USERS = {"alice": "secret", "bob": "hunter2"}
SLOW_USER, SLOW_PASSWORD, SLOW_COST = "slow", "patience", 14

AM_CONFIG = """\
route:
  receiver: r
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 4h
receivers:
  - name: r
"""


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, **kw)


class Pki:
    """CA, server cert, client cert and a foreign-CA client cert."""

    def __init__(self, d):
        self.d = d

        def p(name):
            return os.path.join(d, name)
        self.path = p
        for ca, cn in (("ca", "chorus test CA"), ("ca2", "foreign CA")):
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-keyout", p(ca + ".key"), "-out", p(ca + ".crt"), "-subj", "/CN=" + cn])
        with open(p("server.ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        with open(p("client.ext"), "w") as f:
            f.write("extendedKeyUsage=clientAuth\n")
        for name, ca, ext in (("server", "ca", "server.ext"), ("client", "ca", "client.ext"),
                              ("foreign", "ca2", "client.ext")):
            run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", p(name + ".key"),
                 "-out", p(name + ".csr"), "-subj", "/CN=" + name])
            run(["openssl", "x509", "-req", "-in", p(name + ".csr"), "-CA", p(ca + ".crt"),
                 "-CAkey", p(ca + ".key"), "-CAcreateserial", "-days", "2",
                 "-out", p(name + ".crt"), "-extfile", p(ext)])


def bcrypt_hash(user, password, cost=10):
    out = run([HTPASSWD, "-nbBC", str(cost), user, password]).stdout.decode().strip()
    return out.split(":", 1)[1]


def web_config(pki, client_auth=None, ca=True, users=None, headers=None, tls=True,
               extra_tls=""):
    lines = []
    if tls:
        lines += ["tls_server_config:",
                  "  cert_file: " + pki.path("server.crt"),
                  "  key_file: " + pki.path("server.key")]
        if client_auth:
            lines.append("  client_auth_type: " + client_auth)
            if ca:
                lines.append("  client_ca_file: " + pki.path("ca.crt"))
        lines += ["  " + x for x in extra_tls.splitlines() if x]
    if users:
        lines.append("basic_auth_users:")
        lines += ["  %s: '%s'" % (u, h) for u, h in sorted(users.items())]
    if headers:
        lines += ["http_server_config:", "  headers:"]
        lines += ["    %s: %s" % kv for kv in sorted(headers.items())]
    return "\n".join(lines) + "\n"


# Sanitizer reports and bad exit codes of the candidate, checked at the end
# (the server's directory and log go when it is closed).
SHUTDOWN_PROBLEMS = []
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class Side:
    """One running server with a web config, and a client for it."""

    def __init__(self, kind, binary, pki, web_text, name):
        self.pki = pki
        self.server = harness.Server(kind, binary, AM_CONFIG, name=name)
        self.web_path = os.path.join(self.server.dir, "web.yml")
        with open(self.web_path, "w") as f:
            f.write(web_text)
        self.server.extra_args = ["--web.config.file=" + self.web_path]
        self.tls = "tls_server_config" in web_text

    def start(self, ready_auth=None, ready_cert=True):
        self.server.start(wait=False)
        deadline = time.monotonic() + harness.READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.proc.poll() is not None:
                raise RuntimeError("%s exited: %s" % (self.server.name, self.server.log_tail()))
            try:
                r = self.request("/-/ready", auth=ready_auth,
                                 cert="client" if ready_cert else None, timeout=1.0)
                if r[0] != "refused":
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("%s not ready: %s" % (self.server.name, self.server.log_tail()))

    def close(self):
        srv = self.server
        if srv.proc is not None and srv.kind != "alertmanager":
            running = srv.proc.poll() is None
            rc = srv.stop()
            log = srv.log_tail(100000)
            marks = [m for m in SANITIZER_MARKS if m in log]
            if marks or (running and rc != 0):
                SHUTDOWN_PROBLEMS.append("%s: exit %s %s\n%s" % (srv.name, rc, marks,
                                                                  srv.log_tail(60)))
        srv.close()

    @property
    def base(self):
        return "%s://%s:%d" % ("https" if self.tls else "http",
                               "localhost" if self.tls else "127.0.0.1", self.server.port)

    def context(self, cert=None, min_v=None, max_v=None, ciphers=None):
        ctx = ssl.create_default_context(cafile=self.pki.path("ca.crt"))
        if ciphers:
            ctx.set_ciphers(ciphers)
        if cert:
            ctx.load_cert_chain(self.pki.path(cert + ".crt"), self.pki.path(cert + ".key"))
        if min_v:
            ctx.minimum_version = min_v
        if max_v:
            ctx.maximum_version = max_v
        return ctx

    def request(self, path, method="GET", auth=None, raw_auth=None, cert=None, body=None,
                min_v=None, max_v=None, ciphers=None, timeout=10.0):
        """(status or "refused", headers dict lower-cased, body bytes)."""
        port = self.server.port
        if self.tls:
            conn = http.client.HTTPSConnection("localhost", port, timeout=timeout,
                                               context=self.context(cert, min_v, max_v, ciphers))
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        headers = {}
        if auth:
            import base64
            headers["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % auth).encode()).decode()
        if raw_auth is not None:
            headers["Authorization"] = raw_auth
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        except (ssl.SSLError, ConnectionError, http.client.RemoteDisconnected,
                http.client.BadStatusLine, socket.timeout) as e:
            return "refused", {}, str(e).encode()
        finally:
            conn.close()


def pair(pki, web_text, **start_kw):
    kind, binary = harness.candidate_binary()
    ref = Side("alertmanager", harness.ALERTMANAGER_BIN, pki, web_text, "reference")
    cand = Side(kind, binary, pki, web_text, "candidate")
    try:
        ref.start(**start_kw)
        cand.start(**start_kw)
    except Exception:
        ref.close()
        cand.close()
        raise
    return ref, cand


def same(res, what, a, b, expect=None):
    ok = a == b and (expect is None or a == expect)
    detail = "reference: %r\ncandidate: %r" % (a, b)
    if expect is not None:
        detail += "\nexpected:  %r" % (expect,)
    if not ok and what in ALLOW:
        res.skip(what, "allowed difference: " + ALLOW[what] + "\n" + detail)
        return True
    return res.check(ok, what, detail)


# ---- scenarios ----

CLIENT_AUTH_EXPECT = {
    # client_auth_type: outcome with (no cert, good cert, foreign-CA cert)
    "NoClientCert": (200, 200, 200),
    "RequestClientCert": (200, 200, 200),
    "RequireAnyClientCert": ("refused", 200, 200),
    "VerifyClientCertIfGiven": (200, 200, "refused"),
    "RequireAndVerifyClientCert": ("refused", 200, "refused"),
}


def test_client_auth(res, pki):
    for mode, expect in CLIENT_AUTH_EXPECT.items():
        web = web_config(pki, client_auth=mode, ca=mode != "NoClientCert")
        ref, cand = pair(pki, web)
        try:
            for cert, want in zip((None, "client", "foreign"), expect):
                for max_v in (None, ssl.TLSVersion.TLSv1_2):
                    a = ref.request("/-/healthy", cert=cert, max_v=max_v)[0]
                    b = cand.request("/-/healthy", cert=cert, max_v=max_v)[0]
                    same(res, "%s, client cert %s%s" % (
                        mode, cert or "none", ", TLS 1.2" if max_v else ""), a, b, want)
        finally:
            ref.close()
            cand.close()


TLS12 = ssl.TLSVersion.TLSv1_2
TLS13 = ssl.TLSVersion.TLSv1_3
SUITES = ("cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]")


def test_versions(res, pki):
    # (client min version, max version, OpenSSL cipher list, expected)
    cases = [
        ("min_version: TLS13", [(None, None, None, 200), (None, TLS12, None, "refused")]),
        ("max_version: TLS12", [(TLS13, None, None, "refused"), (None, TLS12, None, 200),
                                (None, None, None, 200)]),
        ("curve_preferences: [X25519]", [(None, None, None, 200)]),
        (SUITES, [(None, TLS12, "ECDHE-RSA-AES128-GCM-SHA256", 200),
                  (None, TLS12, "ECDHE-RSA-CHACHA20-POLY1305", 200),
                  (None, TLS12, "ECDHE-RSA-AES256-GCM-SHA384", "refused"),
                  (None, TLS12, "AES128-GCM-SHA256", "refused"),
                  (None, TLS12, "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256", 200),
                  (None, None, None, 200)]),
    ]
    for extra, clients in cases:
        ref, cand = pair(pki, web_config(pki, extra_tls=extra), ready_cert=False)
        try:
            for min_v, max_v, ciphers, want in clients:
                kw = dict(min_v=min_v, max_v=max_v, ciphers=ciphers)
                a = ref.request("/-/healthy", **kw)[0]
                b = cand.request("/-/healthy", **kw)[0]
                same(res, "%s, client TLS %s..%s %s" % (
                    extra, min_v and min_v.name, max_v and max_v.name, ciphers or ""),
                    a, b, want)
        finally:
            ref.close()
            cand.close()


UNAUTH_HEADERS = ("content-type", "www-authenticate", "x-content-type-options", "x-frame-options")


def auth_view(r):
    status, headers, body = r
    return status, {k: headers.get(k) for k in UNAUTH_HEADERS}, body


def test_basic_auth(res, pki, hashes, tls):
    prefix = "" if tls else "plain HTTP, "
    web = web_config(pki, users=hashes, headers={"X-Frame-Options": "deny"}, tls=tls)
    good = ("alice", USERS["alice"])
    ref, cand = pair(pki, web, ready_auth=good, ready_cert=False)
    try:
        for path in ("/-/healthy", "/-/ready", "/api/v2/status", "/metrics", "/api/v2/alerts"):
            a = ref.request(path, auth=good)
            b = cand.request(path, auth=good)
            same(res, prefix + "right credentials %s" % path, (a[0], a[1].get("x-frame-options")),
                 (b[0], b[1].get("x-frame-options")), (200, "deny"))
            a = auth_view(ref.request(path))
            b = auth_view(cand.request(path))
            same(res, prefix + "no credentials %s" % path, a, b)
            res.check(a[0] == 401, prefix + "no credentials %s is 401 on the reference" % path)
        wrong = {
            "wrong password": dict(auth=("alice", "nope")),
            "other user's password": dict(auth=("alice", USERS["bob"])),
            "unknown user": dict(auth=("mallory", "secret")),
            "empty user": dict(auth=("", "secret")),
            "malformed base64": dict(raw_auth="Basic !!!"),
            "no colon": dict(raw_auth="Basic YWxpY2U="),
            "bearer scheme": dict(raw_auth="Bearer abc"),
        }
        for what, kw in wrong.items():
            a = auth_view(ref.request("/api/v2/status", **kw))
            b = auth_view(cand.request("/api/v2/status", **kw))
            same(res, prefix + "basic auth: " + what, a, b)
        a = ref.request("/-/healthy", raw_auth="basic YWxpY2U6c2VjcmV0")[0]
        b = cand.request("/-/healthy", raw_auth="basic YWxpY2U6c2VjcmV0")[0]
        same(res, prefix + "basic auth: lower-case scheme, right credentials", a, b)
        # twice more: the cached outcome must not differ from the first
        for _ in range(2):
            same(res, prefix + "basic auth: wrong password, cached",
                 auth_view(ref.request("/-/healthy", auth=("alice", "nope"))),
                 auth_view(cand.request("/-/healthy", auth=("alice", "nope"))))
            same(res, prefix + "basic auth: right password, cached",
                 ref.request("/-/healthy", auth=good)[0],
                 cand.request("/-/healthy", auth=good)[0], 200)
        body = b'[{"labels":{"alertname":"x"}}]'
        a = auth_view(ref.request("/api/v2/alerts", "POST", auth=("bob", "bad"), body=body))
        b = auth_view(cand.request("/api/v2/alerts", "POST", auth=("bob", "bad"), body=body))
        same(res, prefix + "POST with wrong credentials", a, b)
        a = ref.request("/api/v2/alerts", "POST", auth=("bob", USERS["bob"]), body=body)[0]
        b = cand.request("/api/v2/alerts", "POST", auth=("bob", USERS["bob"]), body=body)[0]
        same(res, prefix + "POST with right credentials", a, b, 200)
        if tls:
            a = plain_http(ref.server.port)
            b = plain_http(cand.server.port)
            same(res, "plain HTTP to the TLS port", a, b)
    finally:
        ref.close()
        cand.close()


def plain_http(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data.split(b"\r\n", 1)[0].decode() if data else "closed"
    except OSError as e:
        return "error: %s" % e


def amtool(side, http_config, args):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "USER": "chorus-test",
           "LANG": "C", "HOME": os.path.join(tempfile.gettempdir(), "chorus-it-no-such-home")}
    argv = [harness.AMTOOL_BIN, "--alertmanager.url=" + side.base,
            "--http.config.file=" + http_config] + args
    p = subprocess.run(argv, capture_output=True, timeout=30, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_amtool(res, pki, hashes):
    web = web_config(pki, client_auth="RequireAndVerifyClientCert", users=hashes)
    good = ("alice", USERS["alice"])
    ref, cand = pair(pki, web, ready_auth=good)
    d = tempfile.mkdtemp(prefix="chorus-it-amtool-")
    try:
        def client_config(name, password, cert="client"):
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write("tls_config:\n  ca_file: %s\n" % pki.path("ca.crt"))
                if cert:
                    f.write("  cert_file: %s\n  key_file: %s\n"
                            % (pki.path(cert + ".crt"), pki.path(cert + ".key")))
                f.write("basic_auth:\n  username: alice\n  password: %s\n" % password)
            return path
        ok = client_config("ok.yml", USERS["alice"])
        bad_pw = client_config("badpw.yml", "wrong")
        no_cert = client_config("nocert.yml", USERS["alice"], cert=None)
        foreign = client_config("foreign.yml", USERS["alice"], cert="foreign")

        steps = [
            ("alert query", ok, ["alert", "query"]),
            ("silence add", ok, ["silence", "add", "-c", "webconfig test", "-a", "tester",
                                 "-d", "1h", "alertname=x"]),
            ("silence query", ok, ["silence", "query", "-o", "extended"]),
            ("alert query, wrong password", bad_pw, ["alert", "query"]),
            ("silence query, no client cert", no_cert, ["silence", "query"]),
            ("silence query, foreign client cert", foreign, ["silence", "query"]),
        ]
        for what, cfg, args in steps:
            a = amtool(ref, cfg, args)
            b = amtool(cand, cfg, args)
            if what == "silence add":  # a fresh silence id each side
                same(res, "amtool " + what, (a[0], len(a[1].strip())), (b[0], len(b[1].strip())),
                     (0, 36))
            elif what == "silence query":
                def norm(o):  # ids and times differ between the servers
                    text = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "ID", o[1])
                    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d( UTC)?", "T", text)
                    return o[0], [" ".join(ln.split()) for ln in text.splitlines()]
                same(res, "amtool " + what, norm(a), norm(b))
                res.check(a[0] == 0 and "webconfig" in a[1], "amtool silence query finds it",
                          a[1] + b[1])
            elif a[0] != 0:
                def port_masked(o):
                    # Under TLS 1.3 the client may be writing its request when
                    # the server's alert arrives: Go's own answer then reads as
                    # a broken pipe or a reset as often as the alert.
                    err = re.sub(r"localhost:\d+", "localhost:PORT", o[2])
                    # Under TLS 1.3 the client learns of a refused certificate
                    # after its handshake: which of these it prints is a race.
                    err = re.sub(r"((write|read) tcp \S+: (write|read): (broken pipe|"
                                 r"connection reset by peer)|remote error: tls: bad certificate)",
                                 "<TLS refusal>", err)
                    return o[0], err
                same(res, "amtool " + what, port_masked(a), port_masked(b))
            else:
                same(res, "amtool " + what, a, b)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        ref.close()
        cand.close()


def test_slow_bcrypt_does_not_stall(res, pki, hashes):
    users = dict(hashes)
    users[SLOW_USER] = bcrypt_hash(SLOW_USER, SLOW_PASSWORD, SLOW_COST)
    web = web_config(pki, users=users)
    good = ("alice", USERS["alice"])
    kind, binary = harness.candidate_binary()
    for side_kind, side_bin, name in (("alertmanager", harness.ALERTMANAGER_BIN, "reference"),
                                      (kind, binary, "candidate")):
        side = Side(side_kind, side_bin, pki, web, name).start(ready_auth=good, ready_cert=False)
        try:
            side.request("/-/healthy", auth=good)  # now cached
            slow = {}

            def slow_request():
                t0 = time.monotonic()
                slow["status"] = side.request("/-/healthy", auth=(SLOW_USER, SLOW_PASSWORD),
                                              timeout=60)[0]
                slow["took"] = time.monotonic() - t0
            th = threading.Thread(target=slow_request)
            th.start()
            time.sleep(0.05)
            t0 = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(50) as ex:
                outs = list(ex.map(lambda _: side.request("/-/healthy", auth=good, timeout=30),
                                   range(50)))
            took = time.monotonic() - t0
            th.join()
            statuses = sorted(set(o[0] for o in outs))
            res.check(statuses == [200], "%s: 50 cached requests during a slow bcrypt: all 200"
                      % name, str(statuses))
            res.check(slow.get("status") == 200, "%s: the slow (cost %d) check passes"
                      % (name, SLOW_COST), str(slow))
            res.check(took < slow.get("took", 0), "%s: the 50 finished (%.2fs) before the slow "
                      "one (%.2fs)" % (name, took, slow.get("took", 0)))
        finally:
            side.close()


def listen_error(kind, binary, pki, web):
    """(exit code, err of the "Listen error" line) of a server that must not start."""
    side = Side(kind, binary, pki, web, kind)
    try:
        side.server.start(wait=False)
        rc = side.server.proc.wait(timeout=10)
        m = re.search(r'msg="Listen error" err="((?:[^"\\]|\\.)*)"', side.server.log_tail())
        return rc, m.group(1) if m else side.server.log_tail(5)
    finally:
        side.close()


def test_key_pair_errors(res, pki):
    kind, binary = harness.candidate_binary()
    web = ("tls_server_config:\n  cert_file: %s\n  key_file: %s\n"
           % (pki.path("server.crt"), pki.path("client.key")))
    a = listen_error("alertmanager", harness.ALERTMANAGER_BIN, pki, web)
    b = listen_error(kind, binary, pki, web)
    same(res, "key that does not match the certificate: Listen error", a, b)


def test_startup_refusals(res, pki):
    """What GnuTLS cannot enforce must stop chorus, never be served weaker."""
    kind, binary = harness.candidate_binary()
    if kind != "chorus":
        res.skip("start-up refusals", "chorus-only (Alertmanager serves these)")
        return
    web = web_config(pki, extra_tls="min_version: TLS13\nmax_version: TLS12")
    side = Side(kind, binary, pki, web, "candidate")
    try:
        side.server.start(wait=False)
        rc = side.server.proc.wait(timeout=10)
        log = side.server.log_tail()
        res.check(rc != 0 and "Listen error" in log and "min_version" in log,
                  "min_version above max_version refused at start-up with a Listen error", log)
    finally:
        side.close()


def main():
    res = harness.Results("test_webconfig")
    for tool in (HTPASSWD, "/usr/bin/openssl"):
        if not os.access(tool, os.X_OK):
            res.skip("web config tests", "%s is missing (scripts/setup installs it)" % tool)
            return res.finish()
    d = tempfile.mkdtemp(prefix="chorus-it-pki-")
    try:
        pki = Pki(d)
        hashes = {u: bcrypt_hash(u, p) for u, p in USERS.items()}
        test_client_auth(res, pki)
        test_versions(res, pki)
        test_basic_auth(res, pki, hashes, tls=True)
        test_basic_auth(res, pki, hashes, tls=False)
        test_amtool(res, pki, hashes)
        test_slow_bcrypt_does_not_stall(res, pki, hashes)
        test_key_pair_errors(res, pki)
        test_startup_refusals(res, pki)
        harness.check_allow_list_documented(res, ALLOW, "webconfig")
        res.check(not SHUTDOWN_PROBLEMS, "candidate exits cleanly, no sanitizer reports",
                  "\n".join(SHUTDOWN_PROBLEMS))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
