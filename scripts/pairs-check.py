#!/usr/bin/env python3
"""End-to-end check of pairs at work against a running demo:

- every meeting's .ics and a subscription feed parse with icalendar, pass vobject's validation,
  have CRLF line ends and lines of at most 75 octets, and recurring-ical-events gives exactly the
  API's instants; a moved meeting's SEQUENCE went up, a cancelled one is STATUS:CANCELLED;
  a revoked feed is gone;
- email arrives at a real SMTP sink (aiosmtpd on loopback) over STARTTLS with authentication,
  each message once; Slack and Teams webhooks arrive at a local HTTP receiver in their formats.
"""
import datetime as dt
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import icalendar
import recurring_ical_events
import vobject
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("UPWARD_BIN", os.path.join(ROOT, ".build/debug/upward"))
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({
            "to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace"),
            "tls": session.ssl is not None, "auth": bool(session.authenticated),
        })
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"upward" and getattr(auth_data, "password", None) == b"s3cret"
    return AuthResult(success=ok)


hooks = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        hooks.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"1")

    def log_message(self, *args):
        pass


def main():
    work = tempfile.mkdtemp()
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    hook_port = free_port()
    receiver = ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    port = free_port()
    database = os.path.join(work, "demo.sqlite")
    env = dict(os.environ, UPWARD_SMTP_URL=f"smtp://upward:s3cret@localhost:{smtp_port}", UPWARD_SMTP_CA_FILE=cert,
               UPWARD_SMTP_FROM="upward@example.com", UPWARD_DELIVERY_SECONDS="1", UPWARD_CHAT_WEBHOOK_HOSTS="127.0.0.1")
    log = open(os.path.join(work, "demo.log"), "w+")
    server = subprocess.Popen([BIN, "demo", "--database", database, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/health", timeout=2)
                break
            except Exception:
                time.sleep(0.5)
        log.seek(0)
        output = log.read()
        mentee = re.search(r"pilot mentee \(live\)\s+(\S+)", output).group(1)
        mentor = re.search(r"pilot mentor \(live\)\s+(\S+)", output).group(1)

        def token(email):
            return subprocess.run([BIN, "token", "create", "--email", email, "--name", "pairs-check"], env=dict(os.environ, UPWARD_DATABASE_PATH=database),
                                  check=True, capture_output=True, text=True).stdout.strip()

        mentee_token, mentor_token = token(mentee), token(mentor)

        def api(method, path, tok, body=None, raw=False):
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": f"Bearer {tok}"})
            if data is not None:
                request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request) as response:
                    payload = response.read()
                    return response.status, (payload if raw else (json.loads(payload) if payload else None))
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        status, _ = api("PUT", "/api/v1/me/delivery", mentor_token, {
            "channels": {"meetings": ["email", "slack", "teams"], "matching": ["email"]},
            "slackUrl": f"http://127.0.0.1:{hook_port}/slack", "teamsUrl": f"http://127.0.0.1:{hook_port}/teams"})
        check(status == 200, "the mentor sets Slack and Teams webhooks for meetings")
        _, programs = api("GET", "/api/v1/programs", mentee_token)
        pilot = next(p for p in programs if p["isPilot"])
        _, pairs = api("GET", f"/api/v1/programs/{pilot['id']}/pairs", mentee_token)
        pair = pairs[0]
        _, meetings = api("GET", f"/api/v1/pairs/{pair['id']}/meetings", mentee_token)
        scheduled = [m for m in meetings if m["status"] == "scheduled"]
        check(len(scheduled) >= 3 and any(m["status"] == "held" for m in meetings), "the pilot pair has past and upcoming meetings")
        move, cancel = scheduled[0], scheduled[1]
        new_start = (dt.datetime.fromisoformat(move["localStart"]) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        status, moved = api("PATCH", f"/api/v1/pairs/{pair['id']}/meetings/{move['id']}", mentee_token, {"start": new_start, "timeZone": move["timeZone"]})
        check(status == 200 and moved["sequence"] == move["sequence"] + 1, "moving a meeting raises its sequence")
        status, _ = api("POST", f"/api/v1/pairs/{pair['id']}/meetings/{cancel['id']}/cancel", mentee_token)
        check(status == 200, "cancelling a meeting")
        _, meetings = api("GET", f"/api/v1/pairs/{pair['id']}/meetings", mentee_token)

        def validate(raw, what):
            check(b"\n" not in raw.replace(b"\r\n", b""), f"{what}: every line ends in CRLF")
            check(all(len(line) <= 75 for line in raw.split(b"\r\n")), f"{what}: no line longer than 75 octets")
            calendar = icalendar.Calendar.from_ical(raw)
            check(str(calendar.get("VERSION")) == "2.0" and calendar.get("PRODID") is not None, f"{what}: VERSION and PRODID")
            parsed = vobject.readOne(raw.decode("utf-8"))
            try:
                parsed.validate()
                valid = True
            except Exception as error:  # vobject names the missing property
                print("   vobject:", error)
                valid = False
            check(valid, f"{what}: vobject validates (DTSTAMP, UID, …)")
            events = calendar.walk("VEVENT")
            check(all(e.get("UID") and e.get("DTSTAMP") and e.get("SEQUENCE") is not None for e in events), f"{what}: UID, DTSTAMP, SEQUENCE on every event")
            return calendar, events

        for meeting in meetings:
            status, raw = api("GET", meeting["icsPath"], mentee_token, raw=True)
            calendar, events = validate(raw, f"meeting {meeting['id'][:8]} .ics")
            event = events[0]
            check(event.get("UID") == f"meeting-{meeting['id'].lower()}@upward", "the UID is stable per meeting")
            check(int(event.get("SEQUENCE")) == meeting["sequence"], "SEQUENCE matches the API")
            check((str(event.get("STATUS")) == "CANCELLED") == (meeting["status"] == "cancelled"), "STATUS:CANCELLED exactly for cancelled meetings")
            check(str(calendar.get("METHOD")) == "PUBLISH", "METHOD:PUBLISH")

        status, feed = api("POST", "/api/v1/me/calendar", mentee_token)
        check(status == 201, "a calendar address is created")
        feed_path = feed["url"].split(str(port), 1)[1]
        with urllib.request.urlopen(base + feed_path) as response:
            raw = response.read()
            check(response.headers.get("Content-Type", "").startswith("text/calendar"), "the feed is text/calendar")
        calendar, events = validate(raw, "subscription feed")
        check(str(calendar.get("METHOD")) == "PUBLISH" and "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar, "the feed has METHOD:PUBLISH and refresh hints")
        span = (dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc))
        occurrences = recurring_ical_events.of(calendar).between(*span)
        got = sorted((str(e.get("UID")), e.get("DTSTART").dt, e.get("DTEND").dt) for e in occurrences if str(e.get("STATUS")) != "CANCELLED")
        want = []
        for meeting in meetings:
            if meeting["status"] != "cancelled":
                want.append((f"meeting-{meeting['id'].lower()}@upward", dt.datetime.fromisoformat(meeting["start"].replace("Z", "+00:00")),
                             dt.datetime.fromisoformat(meeting["end"].replace("Z", "+00:00"))))
        got_pair = [g for g in got if any(g[0] == w[0] for w in want)]
        check(got_pair == sorted(want), f"recurring-ical-events gives the API's {len(want)} instants exactly")
        moved_event = next(e for e in events if str(e.get("UID")) == f"meeting-{move['id'].lower()}@upward")
        check(moved_event.get("DTSTART").dt == dt.datetime.fromisoformat(moved["start"].replace("Z", "+00:00")), "the feed shows the moved time")
        cancelled_event = next(e for e in events if str(e.get("UID")) == f"meeting-{cancel['id'].lower()}@upward")
        check(str(cancelled_event.get("STATUS")) == "CANCELLED" and int(cancelled_event.get("SEQUENCE")) >= 1, "the feed shows the cancellation")
        status, _ = api("DELETE", "/api/v1/me/calendar", mentee_token)
        try:
            urllib.request.urlopen(base + feed_path)
            revoked = False
        except urllib.error.HTTPError as error:
            revoked = error.code == 404
        check(status == 204 and revoked, "a revoked feed answers 404")

        # Delivery: the worker sends within a few seconds of its first run.
        def arrived(path, words):
            return any(h[0] == path and words in json.dumps(h[2]) for h in list(hooks))

        deadline = time.time() + 90
        while time.time() < deadline:
            to_mentor = [m for m in sink.messages if mentor in m["to"]]
            if (any("moved a meeting" in m["data"] for m in to_mentor) and any("cancelled a meeting" in m["data"] for m in to_mentor)
                    and all(arrived(path, words) for path in ("/slack", "/teams") for words in ("moved a meeting", "cancelled a meeting"))):
                break
            time.sleep(1)
        to_mentor = [m for m in sink.messages if mentor in m["to"]]
        check(any("moved a meeting" in m["data"] for m in to_mentor), "the partner got the move by email")
        check(any("cancelled a meeting" in m["data"] for m in to_mentor), "the partner got the cancellation by email")
        check(any("/invitations/" in m["data"] for m in sink.messages), "invitations went out by email with their one-time link")
        check(all(m["tls"] and m["auth"] for m in sink.messages), f"all {len(sink.messages)} emails came over STARTTLS with authentication")
        ids = [re.search(r"Message-ID: <([^>]+)>", m["data"]).group(1) for m in sink.messages]
        check(len(ids) == len(set(ids)), "no email was delivered twice")
        slack = [h for h in hooks if h[0] == "/slack"]
        teams = [h for h in hooks if h[0] == "/teams"]
        check(arrived("/slack", "moved a meeting") and arrived("/slack", "cancelled a meeting"), "Slack got the move and the cancellation")
        check(arrived("/teams", "moved a meeting") and arrived("/teams", "cancelled a meeting"), "Teams got the move and the cancellation")
        check(len(slack) >= 2 and all("blocks" in h[2] and "text" in h[2] for h in slack), "Slack got Block Kit messages")
        check(len(teams) >= 2 and all(h[2]["type"] == "message" and h[2]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
                                      and h[2]["attachments"][0]["content"]["type"] == "AdaptiveCard" for h in teams), "Teams got Adaptive Card messages")
        check(all(h[1] == "application/json" for h in hooks), "webhooks are JSON")
    finally:
        server.terminate()
        server.wait(timeout=20)
        controller.stop()
        receiver.shutdown()
        if failures:
            log.seek(0)
            print(log.read()[-4000:])
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("pairs check: all good")


if __name__ == "__main__":
    main()
