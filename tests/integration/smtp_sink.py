#!/usr/bin/python3
"""SMTP sink for the notification tests: Debian's python3-aiosmtpd on 127.0.0.1.

Run with /usr/bin/python3 (sinks.SmtpSink does).  Appends one JSON line per
message to --out: arrival time, MAIL FROM, RCPT TOs, the AUTH mechanism and
login used (or null), the EHLO/HELO name, whether the session was under TLS,
and the raw DATA (latin-1 text of the bytes).  --auth USER:PASS requires
AUTH (PLAIN, LOGIN or CRAM-MD5, advertised also without TLS, in the order
CRAM-MD5 LOGIN PLAIN; --mechs says which, LOGIN and PLAIN by default; LOGIN's
challenges are "Username:" and "Password:"); --cert/--key offer
STARTTLS.  Not collected by ctest (its name does not start with test_).
"""

import argparse
import hmac
import json
import secrets
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, AuthResult, auth_mechanism


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--auth", default="")
    ap.add_argument("--cert", default="")
    ap.add_argument("--key", default="")
    ap.add_argument("--mechs", default="LOGIN,PLAIN")
    args = ap.parse_args()
    lock = threading.Lock()
    args_auth = args.auth

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            rec = {"t": time.time(), "mail_from": envelope.mail_from,
                   "rcpt_tos": list(envelope.rcpt_tos),
                   "auth": list(session.auth_data) if isinstance(session.auth_data, tuple)
                   else None,
                   "ehlo": session.host_name,
                   "tls": session.ssl is not None,
                   "data": (envelope.original_content or b"").decode("latin-1")}
            with lock, open(args.out, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
            return "250 OK"

        @auth_mechanism("CRAM-MD5")
        async def auth_CRAM_MD5(self, server, args):
            # RFC 2195: the client answers "user hex(HMAC-MD5(secret, challenge))".
            user, _, password = args_auth.partition(":")
            challenge = "<%s.%d@sink.test>" % (secrets.token_hex(8), int(time.time()))
            resp = await server.challenge_auth(challenge)
            if resp is MISSING:
                return AuthResult(success=False, handled=True)
            login, _, digest = resp.decode("utf-8", "replace").rpartition(" ")
            want = hmac.new(password.encode(), challenge.encode(), "md5").hexdigest()
            ok = login == user and hmac.compare_digest(digest, want)
            return AuthResult(success=ok, handled=False,
                              auth_data=("CRAM-MD5", login) if ok else None)

    kwargs = {}
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False,
                              auth_data=(mechanism, auth_data.login.decode()) if ok else None)
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False,
                      auth_exclude_mechanism=[m for m in ("CRAM-MD5", "LOGIN", "PLAIN")
                                              if m not in args.mechs.split(",")])
    else:
        kwargs.update(auth_exclude_mechanism=["CRAM-MD5"])
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=ctx, require_starttls=False)

    class SinkController(Controller):
        def factory(self):
            # The LOGIN challenges most servers send (and Go's net/smtp-style
            # clients, Alertmanager's among them, expect), not aiosmtpd's
            # "User Name\0".
            smtp = super().factory()
            smtp.AuthLoginUsernameChallenge = "Username:"
            smtp.AuthLoginPasswordChallenge = "Password:"
            return smtp

    ctl = SinkController(Handler(), hostname="127.0.0.1", port=args.port,
                     server_hostname="sink.test", ready_timeout=10, **kwargs)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *a: stop.set())
    ctl.start()
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    stop.wait(3600)   # a sink never outlives an hour, even if orphaned
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
