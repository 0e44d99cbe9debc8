#!/usr/bin/env python3
"""Two `upward serve` instances on one PostgreSQL, requests alternating between them.

  - a session made on one instance works on the other;
  - the outbox delivers every message exactly once, though both instances run the delivery
    worker every second (rows are claimed with FOR UPDATE SKIP LOCKED);
  - the delivery log names the instance that sent each message (a worker claims up to 50 at a time);
  - scheduled housekeeping (session cleanup, suggestion timeouts, pair health) runs once per
    interval in all, not once per instance: both instances tick every second and only the holder
    of the job's lease runs it (counted from both instances' /metrics and the lease row).

Needs DATABASE_URL (or UPWARD_TEST_DATABASE_URL, as scripts/with-postgres.sh sets) to an empty
database, and aiosmtpd for the mail sink:

  scripts/with-postgres.sh python3 scripts/two-instances.py
"""
import argparse, base64, http.cookiejar, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request, urllib.error
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.lock = threading.Lock()
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


METRICS_TOKEN = "two-instances-metrics-token-0123456789"


def job_ticks(base):
    req = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    text = urllib.request.urlopen(req, timeout=10).read().decode()
    ticks = {}
    for match in re.finditer(r'upward_job_runs_total\{job="housekeeping",outcome="(\w+)"\} (\d+)', text):
        ticks[match.group(1)] = int(match.group(2))
    return ticks


def check(condition, message):
    print(("  ok   " if condition else "  FAIL ") + message, flush=True)
    if not condition:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/upward")
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or os.environ.get("UPWARD_TEST_DATABASE_URL")
    if not url:
        sys.exit("two-instances: set DATABASE_URL (or run under scripts/with-postgres.sh)")
    binary = os.path.abspath(args.binary)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = dict(os.environ, DATABASE_URL=url, UPWARD_NOTE_KEY=base64.b64encode(os.urandom(32)).decode(),
               UPWARD_ADMIN_PASSWORD="two instances passphrase", UPWARD_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}?tls=none",
               UPWARD_SMTP_FROM="upward@example.com", UPWARD_DELIVERY_SECONDS="1", UPWARD_HOUSEKEEPING_SECONDS="1",
               UPWARD_METRICS_TOKEN=METRICS_TOKEN, LOG_LEVEL="warning")
    env.pop("UPWARD_DATABASE_PATH", None)
    subprocess.run([binary, "migrate", "--revert", "--yes"], env=env, capture_output=True)
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="upward-two-")
    people = os.path.join(work, "people.csv")
    with open(people, "w") as f:
        f.write("employee_id,email,name,department,level,manager_id\n")
        f.write("B1,boss@example.com,Bo Boss,Ops,14,\n")
        for i in range(args.people):
            f.write(f"P{i},person{i}@example.com,Person {i},Ops,{2 if i % 2 else 12},B1\n")
    subprocess.run([binary, "import", "people", people], env=env, check=True, capture_output=True)
    subprocess.run([binary, "admin", "create", "--email", "pm@example.com"], env=env, check=True, capture_output=True)
    token = subprocess.run([binary, "token", "create", "--email", "pm@example.com", "--name", "two"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1].strip()

    servers, bases = [], []
    for name in ["a", "b"]:
        port = free_port()
        servers.append(subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                                        env=dict(env, UPWARD_INSTANCE=f"instance-{name}"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    passed = False
    try:
        for base in bases:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/health", timeout=1)
                    break
                except Exception:
                    time.sleep(0.1)
        calls = [0]

        def api(method, path, body=None):
            base = bases[calls[0] % 2]
            calls[0] += 1
            req = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as response:
                return json.loads(response.read() or b"null")

        # A browser session made on A works on B.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = opener.open(bases[0] + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', login).group(1)
        opener.open(bases[0] + "/login", data=urllib.parse.urlencode(
            {"_csrf": csrf, "email": "pm@example.com", "password": "two instances passphrase"}).encode())
        page = opener.open(bases[1] + "/programs").read().decode()
        check("Sign out" in page and "/login" not in page.split("<main")[-1][:300], "a session made on instance A works on instance B")

        # Invitations from both instances: each is an email the outbox must deliver exactly once.
        program = api("POST", "/api/v1/programs", {"name": "Two instances", "focusAreas": ["AI tools"], "startsOn": "2027-01-04", "endsOn": "2027-03-26"})
        api("POST", f"/api/v1/programs/{program['id']}/transition", {"to": "enrolling"})
        listed = api("GET", "/api/v1/people")
        ids = [p["id"] for p in listed["items"] if p["email"].startswith("person")]
        check(len(ids) == args.people, f"{len(ids)} people to invite")
        for index, person in enumerate(ids):
            api("POST", f"/api/v1/programs/{program['id']}/invitations", {"role": "mentor" if index % 2 else "mentee", "people": [person]})
        expected = {f"person{i}@example.com" for i in range(args.people)}
        deadline = time.time() + 90
        while time.time() < deadline and not expected.issubset(set(sink.recipients)):
            time.sleep(0.5)
        time.sleep(4)  # a second delivery, if any, would come within a few worker runs
        counts = {}
        for r in sink.recipients:
            counts[r] = counts.get(r, 0) + 1
        check(expected.issubset(counts), f"every invitation arrived ({len(expected & set(counts))} of {len(expected)})")
        check(all(counts[r] == 1 for r in expected), f"each exactly once (largest count {max(counts.values())})")
        import glob, shutil
        psql = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))), "psql")
        plain = re.sub(r"[?&]tlsmode=[^&]*", "", url)
        senders = subprocess.run([psql, plain, "-At", "-c", "SELECT claimed_by, COUNT(*) FROM deliveries WHERE status = 'sent' GROUP BY claimed_by"],
                                 capture_output=True, text=True)
        print("  deliveries sent per instance: " + (", ".join(senders.stdout.split()) if senders.returncode == 0 else senders.stderr.strip()[:200]))

        # Housekeeping: both instances tick every second; the lease lets one run per tick interval.
        ticks = [job_ticks(base) for base in bases]
        ran = sum(t.get("ok", 0) for t in ticks)
        skipped = sum(t.get("elsewhere", 0) for t in ticks)
        print(f"  housekeeping ticks: A {ticks[0]}, B {ticks[1]}")
        check(all(t.get("failed", 0) == 0 for t in ticks), "no housekeeping run failed")
        check(ran >= 5 and skipped >= 5, f"both instances ticked ({ran} runs, {skipped} skipped as held elsewhere)")
        check(abs(ran - (ran + skipped) / 2) <= 3, f"housekeeping ran once per second in all, not once per instance ({ran} runs of {ran + skipped} ticks)")
        runs = subprocess.run([psql, plain, "-At", "-c", "SELECT runs FROM job_leases WHERE name = 'housekeeping'"], capture_output=True, text=True)
        if runs.returncode == 0 and runs.stdout.strip():
            check(int(runs.stdout.strip()) >= ran, f"the lease row counts {runs.stdout.strip()} runs (metrics read a moment earlier: {ran})")
        print("two instances: all checks passed")
        passed = True
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        controller.stop()
        # Kept, with the servers' logs, when a check failed.
        if passed:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
