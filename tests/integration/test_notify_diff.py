#!/usr/bin/env python3
"""Differential notification test: the requests each integration sends.

One alertmanager.yml with one receiver per integration, every
url/api_url/smarthost pointed at local sinks (sinks.py), runs once through
Alertmanager 0.25 and once through the candidate, both with
--web.external-url=http://am.example:9093 so that links are equal:

  webhook        two integrations: basic auth; bearer token and max_alerts 1
  webhook-tls    HTTPS with tls_config.ca_file (a certificate made here)
  webhook-redirect  the sink answers 302 (one integration) or 307 (another)
                 with a Location: the redirected request (follow_redirects is
                 on by default; Go turns a POST into a GET on 302) is compared
  email          no TLS, AUTH PLAIN, two recipients (one with a unicode
                 name), a configured unicode header, default HTML body
  email-starttls STARTTLS (require_tls, ca_file), AUTH LOGIN (0.25 takes the
                 first mechanism the server lists: LOGIN PLAIN), text + HTML
  email-crammd5  AUTH CRAM-MD5 (auth_secret), text-only body, configured
                 Subject and Reply-To headers
  slack          fields and actions; a second one with the default
                 send_resolved (false): only the first notification is sent;
                 a third with every field set (colour template, link_names,
                 short_fields, mrkdwn_in, icon, image, thumb, footer, ...)
  telegram       default HTML message; a second one with MarkdownV2, a
                 custom message and disable_notifications
  discord, pagerduty (Events v2, links), victorops (custom_fields), webex
  opsgenie       responders, tags, details, close by alias; a second one with
                 update_alerts (create, then message and description PUTs),
                 priority, note, entity, actions, source, user/escalation
                 responders

Not tested: PagerDuty's v1 API (0.25 posts it to a fixed
events.pagerduty.com address whatever the url), MS Teams (msteams_configs
came in 0.26; test_notify_msteams.py checks chorus's request alone).

Each integration gets its own group (group_by [alertname, integration]) of
two alerts with fixed startsAt and endsAt, unicode and HTML-special labels
and annotations.  Three notifications per integration:

  1. both alerts firing, after group_wait (3s: startsAt, 1s in the past, plus
     group_wait is still ahead when the alerts arrive, so neither server
     flushes early: an early flush could run before the second alert of the
     POST is inserted, as seen with 0.25, and send a one-alert group);
  2. the first alert resolved (send_resolved is on everywhere): one firing,
     one resolved, at the next group_interval tick;
  3. the second one resolved too: everything resolved.

Then per integration the requests the two sinks got are compared in order:
the count; method, path and query; the headers that matter (all of them
except the transport-level ones in TRANSPORT_HEADERS, whose differences are
printed as NOTE lines, not hidden); JSON bodies as parsed JSON (raw byte
differences, e.g. Go's \\u003c escaping or key order, are printed as NOTE);
e-mails: envelope, AUTH mechanism and login, TLS, EHLO name, every header
(Message-Id and Date only checked for form, the MIME boundary replaced) and
every MIME part's headers and decoded body.

Self-check mode (CHORUS_AS_ALERTMANAGER=1 / --against-alertmanager) runs
Alertmanager on both sides: every check must pass, which checks the
normalisation.
"""

import email.utils
import json
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE if os.path.exists(os.path.join(HERE, "harness.py"))
                else os.path.dirname(HERE))
import harness  # noqa: E402
import sinks  # noqa: E402
from harness import Server, http  # noqa: E402

EXTERNAL_URL = "http://am.example:9093"
SMTP_USER, SMTP_PASS = "chorus-user", "s3cret pass"
WAIT_NOTIFY = 12.0      # seconds a notification may take to arrive
SETTLE = 3.0            # seconds of quiet after the last one (> group_interval)
READY_WAIT = 60.0       # seconds one side waits for the other to be ready

# Headers that say how the bytes travel, not what the receiver gets: the
# sink's address (checked on its own), the body length (the body is
# compared), compression offers (Go's transport adds Accept-Encoding: gzip on
# its own), connection management and curl's Expect: 100-continue.  Their
# differences are printed as NOTE lines.
TRANSPORT_HEADERS = {"host", "content-length", "accept-encoding", "connection", "expect",
                     "transfer-encoding", "accept"}

HTTP_KINDS = ["webhook", "webhook-tls", "webhook-redirect", "slack", "telegram", "discord",
              "pagerduty", "opsgenie", "victorops", "webex"]
MAIL_KINDS = ["email", "email-starttls", "email-crammd5"]


def config(http_url, https_url, smtp_plain, smtp_tls, smtp_cram, cert):
    return """\
global:
  resolve_timeout: 5m
  smtp_from: 'Alertmanager <alertmanager@example.org>'
  smtp_hello: chorus-test.example
route:
  receiver: blackhole
  group_by: [alertname, integration]
  group_wait: 3s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - {{matchers: ['integration="webhook"'], receiver: webhook}}
    - {{matchers: ['integration="email"'], receiver: email}}
    - {{matchers: ['integration="email-starttls"'], receiver: email-starttls}}
    - {{matchers: ['integration="email-crammd5"'], receiver: email-crammd5}}
    - {{matchers: ['integration="webhook-tls"'], receiver: webhook-tls}}
    - {{matchers: ['integration="webhook-redirect"'], receiver: webhook-redirect}}
    - {{matchers: ['integration="slack"'], receiver: slack}}
    - {{matchers: ['integration="telegram"'], receiver: telegram}}
    - {{matchers: ['integration="discord"'], receiver: discord}}
    - {{matchers: ['integration="pagerduty"'], receiver: pagerduty}}
    - {{matchers: ['integration="opsgenie"'], receiver: opsgenie}}
    - {{matchers: ['integration="victorops"'], receiver: victorops}}
    - {{matchers: ['integration="webex"'], receiver: webex}}
receivers:
  - name: blackhole
  - name: webhook
    webhook_configs:
      - url: {h}/webhook/hook?token=abc&x=%C3%BC
        http_config:
          basic_auth: {{username: hook-user, password: 'hook pass'}}
      - url: {h}/webhook/max1
        max_alerts: 1
        http_config:
          authorization: {{credentials: 'bearer-token-1'}}
  - name: email
    email_configs:
      - to: 'ops@example.org, "Ünïcödé Team" <team@example.org>'
        smarthost: {smtp_plain}
        auth_username: {user}
        auth_password: '{password}'
        require_tls: false
        send_resolved: true
        headers:
          X-Chorus-Test: 'plain & <simple> ✓'
  - name: webhook-tls
    webhook_configs:
      - url: {https}/webhook-tls/hook
        http_config:
          tls_config: {{ca_file: '{cert}'}}
  - name: webhook-redirect
    webhook_configs:
      - url: {h}/webhook-redirect/302
      - url: {h}/webhook-redirect/307
  - name: email-crammd5
    email_configs:
      - to: 'cram@example.org'
        smarthost: {smtp_cram}
        auth_username: {user}
        auth_secret: '{password}'
        require_tls: false
        send_resolved: true
        html: ''
        text: >-
          {{{{ template "email.default.subject" . }}}} – {{{{ .CommonAnnotations.runbook_url }}}}
        headers:
          Subject: 'Custom: {{{{ .Status }}}} {{{{ .GroupLabels.alertname }}}}'
          Reply-To: 'Önë <one@example.org>'
  - name: email-starttls
    email_configs:
      - to: tls@example.org
        from: 'tls-sender@example.org'
        smarthost: {smtp_tls}
        auth_username: {user}
        auth_password: '{password}'
        require_tls: true
        tls_config: {{ca_file: '{cert}'}}
        send_resolved: true
        text: '{{{{ .Status }}}}: {{{{ .CommonLabels.alertname }}}} ({{{{ len .Alerts }}}})'
  - name: slack
    slack_configs:
      - api_url: {h}/slack/services/T000/B000/XXXX
        channel: '#alerts'
        send_resolved: true
        fields:
          - {{title: 'Sev', value: '{{{{ .CommonLabels.severity }}}}', short: true}}
        actions:
          - {{type: button, text: 'Runbook <&>', url: 'http://runbook.example/a?b=1&c=2'}}
      - api_url: {h}/slack/default-send-resolved
      - api_url: {h}/slack/all-fields
        send_resolved: true
        username: 'bot <&>'
        color: '{{{{ if eq .Status "firing" }}}}#ff0000{{{{ else }}}}#00ff00{{{{ end }}}}'
        title: '{{{{ .CommonLabels.alertname }}}} ünï'
        title_link: 'http://dash.example/?a=1&b=2'
        pretext: 'pre <&>'
        text: '{{{{ range .Alerts }}}}{{{{ .Annotations.summary }}}}\n{{{{ end }}}}'
        footer: 'foot'
        fallback: 'fb'
        callback_id: 'cb-1'
        icon_emoji: ':fire:'
        image_url: 'http://img.example/i.png'
        thumb_url: 'http://img.example/t.png'
        link_names: true
        short_fields: true
        mrkdwn_in: [text]
        fields:
          - {{title: 'A', value: 'a-value'}}
          - {{title: 'B', value: 'b-value', short: false}}
  - name: telegram
    telegram_configs:
      - api_url: {h}/telegram
        bot_token: '123456:ABC-def_ghi'
        chat_id: -1001234567890
        send_resolved: true
      - api_url: {h}/telegram/md
        bot_token: '999:md'
        chat_id: 42
        parse_mode: MarkdownV2
        disable_notifications: true
        message: '*{{{{ .Status }}}}* {{{{ .CommonLabels.alertname }}}} \_x\_'
  - name: discord
    discord_configs:
      - webhook_url: {h}/discord/api/webhooks/1234/tok-en
        send_resolved: true
  - name: pagerduty
    pagerduty_configs:
      - routing_key: 'routing-key-0123456789abcdef'
        url: {h}/pagerduty/v2/enqueue
        send_resolved: true
        links:
          - {{href: 'http://runbook.example/x?a=1&b=2', text: 'runbook <&>'}}
  - name: victorops
    victorops_configs:
      - api_key: 'vo-key'
        api_url: {h}/victorops/integrations/generic/
        routing_key: 'vo-route'
        send_resolved: true
        custom_fields:
          extra: 'x <y> & z'
  - name: webex
    webex_configs:
      - api_url: {h}/webex/v1/messages
        room_id: 'room-1'
        send_resolved: true
        http_config:
          authorization: {{credentials: 'webex-token'}}
  - name: opsgenie
    opsgenie_configs:
      - api_key: 'genie-key-123'
        api_url: {h}/opsgenie/
        send_resolved: true
        tags: 'a,b,{{{{ .CommonLabels.severity }}}}'
        responders:
          - {{name: 'ops-team', type: team}}
        details:
          extra: 'x <y> & z'
      - api_key: 'genie-key-upd'
        api_url: {h}/opsgenie/upd/
        send_resolved: true
        update_alerts: true
        priority: P2
        note: 'note <&>'
        entity: 'ent-{{{{ .CommonLabels.job }}}}'
        actions: 'restart,ping'
        source: 'src'
        description: 'desc {{{{ .Status }}}}'
        message: 'msg {{{{ .Status }}}} ünï'
        responders:
          - {{id: 'abc-123', type: user}}
          - {{username: 'someone@example.org', type: user}}
          - {{name: 'esc', type: escalation}}
""".format(h=http_url, https=https_url, smtp_plain=smtp_plain, smtp_tls=smtp_tls,
           smtp_cram=smtp_cram, cert=cert,
           user=SMTP_USER, password=SMTP_PASS)


def alerts(kind, t0, phase):
    """The two alerts of kind's group; phase 0 firing, 1 first resolved,
    2 both resolved.  All times are fixed (relative to one t0, when both
    servers were ready): startsAt t0-1s (with nanoseconds), endsAt t0+1h
    while firing, t0+1s and t0+1.25s once resolved."""
    starts = harness.rfc3339(t0 - 1)[:-5] + ".123456789Z"
    out = []
    for i in range(2):
        resolved = phase > i
        ends = t0 + 1 + 0.25 * i if resolved else t0 + 3600
        out.append({
            "labels": {"alertname": "Diff<&>\"ünï\"", "integration": kind,
                       "instance": ["host-1:9100", "höst-2 <b>&amp;"][i],
                       "severity": "critical & <warn>", "job": "node"},
            "annotations": {"summary": "Disk <full> & \"quoted\" — ✓ %d" % i,
                            "description": "line one\nline two <i>%d</i> ' \\ tab\t" % i,
                            "runbook_url": "http://runbook.example/r?a=1&b=<2>"},
            "startsAt": starts,
            "endsAt": harness.rfc3339(ends),
            "generatorURL": "http://prom.example:9090/graph?g0.expr=up%3D%3D0&g0.tab=1"})
    return out


class Side:
    """One server with its own sinks, driven through the three phases."""

    def __init__(self, name, kind, binary):
        self.name = name
        self.kind = kind
        self.binary = binary
        self.http = None
        self.https = None
        self.smtp_plain = None
        self.smtp_tls = None
        self.smtp_cram = None
        self.server = None
        self.error = None
        self.timeline = []

    def start(self):
        self.http = sinks.HttpSink(self.name)
        self.expect_redirects()
        self.smtp_plain = sinks.SmtpSink(self.name + "-smtp", auth=(SMTP_USER, SMTP_PASS),
                                         mechs=("PLAIN",))
        self.smtp_tls = sinks.SmtpSink(self.name + "-smtps", auth=(SMTP_USER, SMTP_PASS),
                                       starttls=True)
        self.smtp_cram = sinks.SmtpSink(self.name + "-smtpc", auth=(SMTP_USER, SMTP_PASS),
                                        mechs=("CRAM-MD5", "LOGIN", "PLAIN"))
        # The STARTTLS sink's certificate (for 127.0.0.1) serves HTTPS too.
        self.https = sinks.HttpSink(self.name + "-https",
                                    tls=(self.smtp_tls.cert, self.smtp_tls.key))
        cfg = config(self.http.url, self.https.url, self.smtp_plain.smarthost,
                     self.smtp_tls.smarthost, self.smtp_cram.smarthost, self.smtp_tls.cert)
        self.server = Server(self.kind, self.binary, cfg, name=self.name,
                             extra_args=["--web.external-url=" + EXTERNAL_URL])
        self.server.start()

    def expect_redirects(self):
        for code in (302, 307):
            self.http.on("/webhook-redirect/%d" % code, statuses=[code],
                         headers={"Location": "/webhook-redirect/%d-target?from=%d"
                                  % (code, code)})

    def counts(self):
        return {k: len(self.requests(k)) for k in HTTP_KINDS + MAIL_KINDS}

    def expected(self, n):
        """Requests expected after n notifications per integration."""
        exp = {k: n for k in HTTP_KINDS + MAIL_KINDS}
        exp["webhook"] = 2 * n            # two webhook_configs
        exp["slack"] = 2 * n + 1          # the second one only fires (send_resolved false)
        exp["telegram"] = 2 * n
        # update_alerts: a firing notification is a create and two updates
        # (message, description); the resolve one close.
        exp["opsgenie"] = n + [0, 3, 6, 7][n]
        exp["webhook-redirect"] = 4 * n   # 2 configs, each redirected once
        return exp

    def run(self, barrier, shared):
        try:
            self.start()
            barrier.wait(READY_WAIT)
            t0 = shared["t0"]
            for phase in range(3):
                body = []
                for k in HTTP_KINDS + MAIL_KINDS:
                    body += alerts(k, t0, phase)
                status, _, payload = http("POST", self.server.url + "/api/v2/alerts", body)
                if status != 200:
                    raise RuntimeError("POST /api/v2/alerts: %d %r" % (status, payload[:300]))
                want = self.expected(phase + 1)
                deadline = time.monotonic() + WAIT_NOTIFY
                while time.monotonic() < deadline:
                    got = self.counts()
                    if all(got[k] >= want[k] for k in want):
                        break
                    time.sleep(0.1)
                self.timeline.append((phase, self.counts()))
            time.sleep(SETTLE)
        except threading.BrokenBarrierError:
            self.error = "the other side did not start"
            if self.server is None or self.server.proc is None:
                self.error = "this side did not start"
        except Exception as e:
            barrier.abort()
            self.error = "%s: %s" % (type(e).__name__, e)

    def requests(self, k):
        if k == "email":
            return self.smtp_plain.messages()
        if k == "email-starttls":
            return self.smtp_tls.messages()
        if k == "email-crammd5":
            return self.smtp_cram.messages()
        return [r for r in self.sink_for(k).snapshot() if r.path.startswith("/" + k + "/")]

    def sink_for(self, k):
        return self.https if k == "webhook-tls" else self.http

    def close(self):
        for x in (self.server, self.http, self.https, self.smtp_plain, self.smtp_tls,
                  self.smtp_cram):
            if x is not None:
                try:
                    x.close()
                except Exception:
                    pass


# --------------------------------------------------------------------------
# Comparison

def integration_of(req):
    """Which integration of its receiver sent req (a stable sort key)."""
    if req.path.startswith("/opsgenie/"):
        return "upd" if req.path.startswith("/opsgenie/upd/") else "main"
    if req.path.startswith("/telegram/"):
        return "md" if req.path.startswith("/telegram/md/") else "main"
    return req.path


def compare_http(res, k, i, ref, cand, ref_side, cand_side):
    what = "%s request %d (%s %s)" % (k, i + 1, ref.method, ref.path)
    res.check((ref.method, ref.path, ref.query) == (cand.method, cand.path, cand.query),
              what + ": method, path and query",
              "reference %s %s?%s\ncandidate %s %s?%s"
              % (ref.method, ref.path, ref.query, cand.method, cand.path, cand.query))
    # A header naming the sink (Referer after a redirect) names each side's
    # own port: the sink's base URL becomes <sink>.
    hr = {h: v.replace(ref_side.sink_for(k).url, "<sink>")
          for h, v in ref.header_dict().items()}
    hc = {h: v.replace(cand_side.sink_for(k).url, "<sink>")
          for h, v in cand.header_dict().items()}
    res.check(hc.get("host") == "127.0.0.1:%d" % cand_side.sink_for(k).port,
              what + ": Host names the sink", "Host: %r" % hc.get("host"))
    keys = sorted(set(hr) | set(hc))
    diffs = ["%s: reference %r, candidate %r" % (h, hr.get(h), hc.get(h))
             for h in keys if h not in TRANSPORT_HEADERS and hr.get(h) != hc.get(h)]
    res.check(not diffs, what + ": headers (%s)" % ", ".join(
        h for h in keys if h not in TRANSPORT_HEADERS), "\n".join(diffs))
    for h in keys:
        if h in TRANSPORT_HEADERS and h not in ("host", "content-length") \
                and hr.get(h) != hc.get(h):
            print("NOTE %s: transport header %s: reference %r, candidate %r"
                  % (what, h, hr.get(h), hc.get(h)))
    jr, jc = ref.json(), cand.json()
    if jr is not None:
        ok, diff = harness.compare_json(jr, jc, tol=0) if jc is not None else \
            (False, "candidate body is not JSON: %r" % cand.body[:500])
        res.check(ok, what + ": JSON body", diff)
        if ok and ref.body != cand.body:
            print("NOTE %s: same JSON, different bytes:\n     reference %s\n     candidate %s"
                  % (what, ref.body[:300], cand.body[:300]))
    else:
        res.check(ref.body == cand.body, what + ": body bytes",
                  "reference %r\ncandidate %r" % (ref.body[:800], cand.body[:800]))


BOUNDARY_RE = re.compile(r'boundary="?([^";\s]+)"?')
MESSAGE_ID_RE = re.compile(r"^<\d+\.\d+@[^>]+>$")


def mail_headers(msg):
    """[(name, value)] in order, unfolded, boundary replaced; Message-Id and
    Date kept aside (returned separately) as they must differ."""
    boundary = msg.get_boundary()
    out, kept = [], {}
    for name, value in msg.items():
        v = re.sub(r"\r?\n[ \t]", " ", value)
        if boundary:
            v = v.replace(boundary, "<boundary>")
        if name.lower() in ("message-id", "date"):
            kept[name.lower()] = v
            out.append((name, "<%s>" % name.lower()))
        else:
            out.append((name, v))
    return out, kept


def mail_parts(msg):
    """[(content-type, transfer-encoding, charset, decoded text)] per leaf part."""
    out = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        cs = part.get_content_charset() or "us-ascii"
        out.append({"content-type": part.get("Content-Type"),
                    "content-transfer-encoding": part.get("Content-Transfer-Encoding"),
                    "text": payload.decode(cs, "replace")})
    return out


def raw_normalised(m):
    raw = m.raw.decode("utf-8", "replace")
    b = m.msg.get_boundary()
    if b:
        raw = raw.replace(b, "<boundary>")
    raw = re.sub(r"(?mi)^(Message-Id|Date):.*$", r"\1: <x>", raw)
    head, sep, body = raw.partition("\r\n\r\n")
    return "\r\n".join(sorted(re.split(r"\r\n(?![ \t])", head))) + sep + body


# Known, documented difference (docs/compatibility.md, "SMTP AUTH mechanism"):
# where the server offers both, 0.25 takes LOGIN or PLAIN in the server's
# order and chorus (libcurl) prefers PLAIN.  Both carry the same login; the
# mechanism is printed, and everything else in the envelope still compared.
PLAIN_OR_LOGIN = {"PLAIN", "LOGIN"}
ALLOW = {"smtp-auth-mechanism": "libcurl prefers PLAIN over LOGIN whatever the server's order"}


def auth_for_compare(what, ref_auth, cand_auth):
    if (ref_auth and cand_auth and ref_auth[1] == cand_auth[1]
            and {ref_auth[0], cand_auth[0]} <= PLAIN_OR_LOGIN and ref_auth[0] != cand_auth[0]):
        print("ALLOWED %s: AUTH %s by the reference, %s by the candidate "
              "(smtp-auth-mechanism)" % (what, ref_auth[0], cand_auth[0]))
        return ref_auth
    return cand_auth


def compare_mail(res, k, i, ref, cand):
    what = "%s message %d" % (k, i + 1)
    env_r = (ref.mail_from, ref.rcpt_tos, ref.auth, ref.tls, ref.ehlo)
    env_c = (cand.mail_from, cand.rcpt_tos, auth_for_compare(what, ref.auth, cand.auth),
             cand.tls, cand.ehlo)
    res.check(env_r == env_c, what + ": envelope, AUTH mechanism/login, TLS, EHLO name",
              "reference %r\ncandidate %r" % (env_r, env_c))
    hr, kr = mail_headers(ref.msg)
    hc, kc = mail_headers(cand.msg)
    # Alertmanager writes the headers from a Go map: their order is random
    # from one message to the next, so the sorted lists are compared.
    ok, diff = harness.compare_text("\n".join("%s: %s" % x for x in sorted(hr)),
                                    "\n".join("%s: %s" % x for x in sorted(hc)), tol=0)
    res.check(ok, what + ": headers, in any order (Message-Id, Date and the MIME boundary "
              "normalised)", diff)
    date_ok = "date" in kc and email.utils.parsedate_tz(kc["date"]) is not None and \
        abs(email.utils.mktime_tz(email.utils.parsedate_tz(kc["date"])) - cand.t) < 30
    res.check(date_ok and MESSAGE_ID_RE.match(kc.get("message-id", "")) is not None,
              what + ": candidate's Date is now (RFC 5322) and Message-Id is <n.n@host>",
              "Date %r, Message-Id %r (reference: %r, %r)"
              % (kc.get("date"), kc.get("message-id"), kr.get("date"), kr.get("message-id")))
    pr, pc = mail_parts(ref.msg), mail_parts(cand.msg)
    ok, diff = harness.compare_text(json.dumps(pr, indent=1, ensure_ascii=False),
                                    json.dumps(pc, indent=1, ensure_ascii=False), tol=0)
    res.check(ok, what + ": MIME parts (types, encodings, decoded bodies)", diff)
    if ok:
        ok2, diff2 = harness.compare_text(raw_normalised(ref), raw_normalised(cand), tol=0)
        if not ok2:
            print("NOTE %s: same parts, different raw encoding:\n%s" % (what, diff2[:3000]))


def main():
    res = harness.Results("test_notify_diff")
    harness.check_allow_list_documented(res, ALLOW, "notify diff")
    kind, binary = harness.candidate_binary()
    ref = Side("reference", "alertmanager", harness.ALERTMANAGER_BIN)
    cand = Side("candidate", kind, binary)
    try:
        shared = {}
        barrier = threading.Barrier(2, action=lambda: shared.update(t0=time.time()))
        threads = [threading.Thread(target=s.run, args=(barrier, shared)) for s in (ref, cand)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for s in (ref, cand):
            res.check(s.error is None, "%s ran the three phases" % s.name, s.error or "")
            print("     %s: requests per integration after each phase: %s"
                  % (s.name, s.timeline))
        for k in HTTP_KINDS + MAIL_KINDS:
            rr, cr = ref.requests(k), cand.requests(k)
            n = ref.expected(3)[k]
            if k in ("webhook", "slack", "webhook-redirect", "telegram", "opsgenie"):
                # Its integrations run in parallel: by integration, then in order.
                rr = sorted(rr, key=integration_of)
                cr = sorted(cr, key=integration_of)
            res.check(len(rr) == n, "%s: the reference got %d requests" % (k, n),
                      "it got %d: %r" % (len(rr), rr))
            res.check(len(cr) == len(rr), "%s: the candidate got as many requests (%d)"
                      % (k, len(rr)), "it got %d: %r" % (len(cr), cr))
            for i in range(min(len(rr), len(cr))):
                if k in MAIL_KINDS:
                    compare_mail(res, k, i, rr[i], cr[i])
                else:
                    compare_http(res, k, i, rr[i], cr[i], ref, cand)
        if harness.verbose():
            for k in HTTP_KINDS:
                for r in ref.requests(k):
                    print("--- reference %s %s %s\n%s\n%s" % (k, r.method, r.target,
                                                           r.headers, r.body.decode()))
            for k in MAIL_KINDS:
                for m in ref.requests(k):
                    print("--- reference %s\n%s" % (k, m.raw.decode("utf-8", "replace")))
    except Exception as e:
        res.check(False, "test ran to the end", "%s: %s" % (type(e).__name__, e))
    finally:
        for s in (ref, cand):
            if res.failed and s.server is not None:
                tail = s.server.log_tail(15)
                if tail:
                    print("--- log of %s:\n%s" % (s.name, tail))
            s.close()
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
