#!/usr/bin/env python3
"""Load benchmark: a release build of Upward on the large demo organization, measured with wrk.

Seeds `upward demo --size large` (10,333 people, three programs, 5,000 live pairs) on a fresh
SQLite file, or with `--postgres` into the database at DATABASE_URL (scripts/with-postgres.sh
sets one), with an API token for every participant. Signs in a program manager and sixteen
participants (session cookies), then runs `wrk -t2 -c64` against each scenario and prints
requests/s, p50, p99 and errors (non-2xx and socket errors):

  swift build -c release --product upward
  python3 benchmarks/load.py --seconds 10                                    # SQLite
  scripts/with-postgres.sh python3 benchmarks/load.py --postgres --seconds 10

Reads are spread over many callers and records: /api/v1/me and a pair as 200 different
participants (their own pairs), the people API over its pages as the program manager, the home
page as sixteen signed-in participants, the program manager's home page (the directory's figures) as the
program manager. The write mix (2 notes added : 1 meeting logged : 1 survey
answered, all through the API as 200 participants of one program, the answers by every participant
of that program, each once) runs after the reads. Last, a survey burst: a survey in every program,
answered by all 10,000 participants from 200 concurrent clients; the script then checks every
answer was stored exactly once (the results count, and a repeated answer is refused).

The API rate limits and the per-request access log are off, so the figures are the application's own.
"""
import argparse, base64, resource, csv, http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request, http.cookiejar


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua(requests):
    """A wrk script that cycles through (method, path, headers, body) tuples."""
    # Filled in chunks of 4,000, each a function of its own: one table constructor of tens of
    # thousands of entries is more than LuaJIT compiles, and wrk then quietly sends `GET /` instead.
    lines = ["local requests = {}"]
    for start in range(0, len(requests), 4000):
        lines.append("(function()")
        for method, path, headers, body in requests[start:start + 4000]:
            header_lua = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
            lines.append(f'  requests[#requests + 1] = {{ method = "{method}", path = {json.dumps(path)}, headers = {{ {header_lua} }}, '
                         f'body = {json.dumps(body) if body else "nil"} }}')
        lines.append("end)();")
    # Each wrk thread starts its own half of the list, so writes meant once (survey answers) are sent once.
    lines.append("local i = 0")
    lines.append("local threads = 0")
    lines.append("setup = function(thread) thread:set('id', threads); threads = threads + 1 end")
    lines.append("init = function(args) i = (id or 0) * math.floor(#requests / 2) end")
    lines.append("request = function()")
    lines.append("  i = i % #requests + 1")
    lines.append("  local r = requests[i]")
    lines.append("  return wrk.format(r.method, r.path, r.headers, r.body)")
    lines.append("end")
    return "\n".join(lines) + "\n"


def check_page(base, request, markers):
    """Fetches a scenario's first request once: a page measured must be the whole page its caller sees."""
    method, path, headers, body = request
    req = urllib.request.Request(base + path, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as response:
        text = response.read().decode()
    missing = [marker for marker in markers if marker not in text]
    if missing:
        sys.exit(f"{path} is not the page to measure: it lacks {missing}")


def run_wrk(base, script, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", path, base], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_wrk.cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    os.unlink(path)
    out = done.stdout
    if path in done.stderr or "error" in done.stderr.lower():
        # A script wrk cannot load is not fatal to wrk: it would measure `GET /` instead.
        sys.exit("wrk could not run the script: " + done.stderr.strip()[:2000])

    def latency(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, latency("50"), latency("99"), non2xx + socket_errors, total


def write_batches(base):
    """SQLite: the commits of the write gate so far and the writes they carried, from /metrics (zeros elsewhere)."""
    request = urllib.request.Request(base + "/metrics", headers={"Authorization": "Bearer load-benchmark-metrics-token"})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    def total(name):
        m = re.search(rf"^{name}(?:{{[^}}]*}})? ([\d.e+]+)$", text, re.M)
        return int(float(m.group(1))) if m else 0
    return total("upward_db_write_batches_total"), total("upward_db_writes_total")


def memory_mb(pid):
    """The server's resident memory now and at its peak, in MB (Linux /proc), or None elsewhere."""
    try:
        status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)
        return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return None


def cpu_seconds(pid):
    """User plus system CPU time the process has used so far (Linux /proc), or None elsewhere."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def drain(base):
    """Waits until requests left over from the previous scenario are done (health answers fast)."""
    for _ in range(600):
        start = time.perf_counter()
        urllib.request.urlopen(base + "/health", timeout=120).read()
        if time.perf_counter() - start < 0.05:
            return
        time.sleep(0.5)


def allocator_preload(choice):
    """The library to preload for `--allocator`: mimalloc (the README's recommendation for serving)
    when it is installed and `auto`, or when asked for by name; None for the C library's own malloc."""
    if choice == "system":
        return None
    import ctypes.util
    found = ctypes.util.find_library("mimalloc")
    if found is None and choice == "mimalloc":
        sys.exit("--allocator mimalloc: libmimalloc is not installed (apt-get install -y libmimalloc2.0)")
    return found


class LargeDemo:
    """A release build serving the large demo (10,333 people, API tokens for every participant).

    SQLite by default, on a fresh file; with `data`, the seeded file is kept in that folder and later
    runs start from a copy of it. With `postgres`, seeds and serves DATABASE_URL (or UPWARD_TEST_DATABASE_URL).
    """

    def __init__(self, binary, postgres=False, data=None, extra_env=None, settle=True, allocator="auto"):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="upward-load-")
        tokens_file = os.path.join(self.work, "tokens.csv")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, UPWARD_API_RATE_TOKEN="0", UPWARD_API_RATE_ADDRESS="0", LOG_LEVEL="warning", UPWARD_DELIVERY_WORKER="false",
                   UPWARD_PUBLIC_URL=self.base, UPWARD_METRICS_TOKEN="load-benchmark-metrics-token")
        env.update(extra_env or {})
        self.allocator = allocator_preload(allocator)
        if self.allocator:
            env["LD_PRELOAD"] = self.allocator
        log = open(os.path.join(self.work, "server.log"), "w+")
        seeded = time.time()
        if postgres:
            url = os.environ.get("DATABASE_URL") or os.environ.get("UPWARD_TEST_DATABASE_URL")
            if not url:
                sys.exit("--postgres needs DATABASE_URL (or run under scripts/with-postgres.sh)")
            env = dict(env, DATABASE_URL=url, UPWARD_NOTE_KEY=base64.b64encode(os.urandom(32)).decode())
            env.pop("UPWARD_DATABASE_PATH", None)
            subprocess.run([binary, "migrate", "--revert", "--yes"], env=env, capture_output=True)
            subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
            subprocess.run([binary, "seed-demo", "--size", "large", "--tokens", tokens_file], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
            command = [binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)]
            self.storage = "PostgreSQL"
        else:
            database = os.path.join(self.work, "load.sqlite")
            env = dict(env, UPWARD_DATABASE_PATH=database)
            command = [binary, "demo", "--size", "large", "--tokens", tokens_file, "--database", database, "--port", str(self.port)]
            if data:
                os.makedirs(data, exist_ok=True)
                key_file = os.path.join(data, "note.key")
                if not os.path.exists(key_file):
                    open(key_file, "w").write(base64.b64encode(os.urandom(32)).decode())
                env = dict(env, UPWARD_NOTE_KEY=open(key_file).read().strip())
                seed, seed_log = os.path.join(data, "seed.sqlite"), os.path.join(data, "seed.log")
                if not os.path.exists(seed_log):
                    with open(seed_log + ".part", "w") as out:
                        subprocess.run([binary, "demo", "--size", "large", "--tokens", os.path.join(data, "tokens.csv"), "--database", seed, "--no-serve"],
                                       env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
                    import sqlite3
                    sqlite3.connect(seed).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                    os.rename(seed_log + ".part", seed_log)
                shutil.copy(seed, database)
                shutil.copy(os.path.join(data, "tokens.csv"), tokens_file)
                log.write(open(seed_log).read())
                log.flush()
                command = [binary, "demo", "--keep", "--database", database, "--port", str(self.port)]
            self.storage = "SQLite"
        self.env = env
        self.server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started_at = time.time()
        for _ in range(3000):
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1)
                break
            except Exception:
                if self.server.poll() is not None:
                    log.seek(0)
                    sys.exit("the server stopped:\n" + log.read()[-3000:])
                time.sleep(0.1)
        log.seek(0)
        self.text = log.read()
        seconds = re.search(r"seeded in (\d+) s", self.text)
        print(f"large demo seeded in {seconds.group(1) if seconds else round(time.time() - seeded)} s ({self.storage})", flush=True)
        self.rows = list(csv.DictReader(open(tokens_file)))
        credentials = {m[0]: (m[1], m[2]) for m in re.findall(r"^\s+(program manager|mentee \(live\)|every participant)\s+(\S+(?: \S+)*?)\s+(\S+)$", self.text, re.M)}
        self.pm_email, self.pm_password = credentials["program manager"]
        self.participant_password = credentials["every participant"][1]
        if settle:
            self.settle()

    def settle(self, limit=180):
        """Waits until the idle server uses under a tenth of a core for two seconds in a row: its first
        housekeeping run, 5 s after start, assesses every pair's health and took 22 s of a core on the
        large demo, and would otherwise share the machine with the first scenarios."""
        time.sleep(max(0, self.started_at + 8 - time.time()))
        quiet, started = 0, time.time()
        while quiet < 2 and time.time() - started < limit:
            before = cpu_seconds(self.server.pid)
            time.sleep(1)
            after = cpu_seconds(self.server.pid)
            quiet = quiet + 1 if before is not None and after is not None and after - before < 0.1 else 0
        print(f"server settled after {time.time() - started:.0f} s", flush=True)

    def token(self, email):
        """A new API token for an account, made with the CLI on the same database."""
        return subprocess.run([self.binary, "token", "create", "--email", email, "--name", "load"], env=self.env, capture_output=True, text=True,
                              check=True).stdout.strip().splitlines()[-1]

    def stop(self):
        self.server.terminate()
        self.server.wait()
        # Its copy of the database (about 100 MB) and its log; a server that died keeps them (see above).
        shutil.rmtree(self.work, ignore_errors=True)


class Client:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, token=None, body=None, cookie=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookie:
            headers["Cookie"] = cookie
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def cookie(self, email, password):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(self.base + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        opener.open(self.base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "email": email, "password": password}).encode())
        return "; ".join(f"{c.name}={c.value}" for c in jar)


def burst(port, jobs, clients):
    """POSTs every (path, token, body) once from `clients` threads on keep-alive connections."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    latencies, statuses = [], {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                path, token, body = queue.pop()
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=json.dumps(body), headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except Exception:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    wall = run_threads([threading.Thread(target=worker) for _ in range(clients)])
    latencies.sort()
    return wall, percentile(latencies, 0.5), percentile(latencies, 0.99), statuses


def run_threads(threads):
    """Starts the threads, waits for all of them, and returns the seconds it took."""
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def percentile(ordered, q):
    """The q-quantile of sorted latencies in seconds, in milliseconds."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def write_mix(client, pm_token, rows, mix_program):
    """The write mix's requests: notes, meeting logs and survey answers by 200 participants of the
    program `mix_program`, each with their own live pair and a past meeting."""
    mix_rows = [r for r in rows if r["program_id"].lower() == mix_program.lower()]
    writers = []
    for row in mix_rows[::15][:200]:
        pairs = client.call("GET", f"/api/v1/programs/{mix_program}/pairs", row["token"])
        pair = [p for p in pairs if p["status"] == "live"][0]["id"]
        meetings = client.call("GET", f"/api/v1/pairs/{pair}/meetings", row["token"])
        past = [m for m in meetings if m["status"] in ("held", "missed")][0]["id"]
        writers.append((row["token"], pair, past))
    # Three surveys, so each participant answers each once: 36,000 requests before the cycle repeats
    # (a repeated answer is refused with 409 and would count as an error).
    mix_surveys = [client.call("POST", f"/api/v1/programs/{mix_program}/surveys", pm_token, {"phase": "midpoint", "anonymous": False})["id"]
                   for _ in range(3)]

    json_bearer = lambda t: {"Authorization": f"Bearer {t}", "Content-Type": "application/json"}
    mix = []
    for index, (mix_survey, row) in enumerate((survey, row) for survey in mix_surveys for row in mix_rows):
        token, pair, meeting = writers[index % len(writers)]
        mix.append(("POST", f"/api/v1/pairs/{pair}/notes", json_bearer(token), json.dumps({"body": "load test note", "visibility": "shared"})))
        mix.append(("POST", f"/api/v1/pairs/{pair}/meetings/{meeting}/log", json_bearer(token),
                    json.dumps({"outcome": "held", "summary": "Logged under load."})))
        mix.append(("POST", f"/api/v1/pairs/{pair}/notes", json_bearer(token), json.dumps({"body": "another note", "visibility": "shared"})))
        mix.append(("POST", f"/api/v1/surveys/{mix_survey}/answers", json_bearer(row["token"]),
                    json.dumps({"answers": {"fit": "4", "satisfaction": "5", "pace": "As planned", "recommend": "9"}})))
    return mix


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--postgres", action="store_true", help="seed and serve on DATABASE_URL (or UPWARD_TEST_DATABASE_URL)")
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    parser.add_argument("--no-burst", action="store_true")
    parser.add_argument("--perf", metavar="PREFIX", help="record each scenario with `perf record -g` into PREFIX-<scenario>.data")
    parser.add_argument("--no-settle", action="store_true",
                        help="measure at once, while the first housekeeping run (5 s after start) is under way")
    parser.add_argument("--allocator", choices=["auto", "mimalloc", "system"], default="auto",
                        help="serve with mimalloc preloaded (auto: when installed, as the README recommends) or the C library's malloc")
    parser.add_argument("--data", help="SQLite only: keep the seeded demo in this folder and start each later run from a copy of it")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    demo = LargeDemo(os.path.abspath(args.binary), postgres=args.postgres, data=args.data, settle=not args.no_settle, allocator=args.allocator)
    binary, base, port, env, rows, storage = demo.binary, demo.base, demo.port, demo.env, demo.rows, demo.storage
    server = demo.server
    try:
        pm_email, pm_password, participant_password = demo.pm_email, demo.pm_password, demo.participant_password
        client = Client(base)
        pm_token = demo.token(pm_email)
        pm_cookie = client.cookie(pm_email, pm_password)
        programs = sorted(client.call("GET", "/api/v1/programs", pm_token), key=lambda p: p["name"])
        by_name = {p["name"]: p["id"] for p in programs}
        biggest = by_name["Company-wide Reverse Mentoring"]
        mix_program = by_name["AI for Leaders"]

        # 200 participants of the biggest program, with their own pair and a past meeting.
        sample = [r for r in rows if r["program_id"].lower() == biggest.lower()][::25][:200]
        callers = []
        for row in sample:
            pairs = client.call("GET", f"/api/v1/programs/{biggest}/pairs", row["token"])
            pair = [p for p in pairs if p["status"] == "live"][0]["id"]
            callers.append((row, pair))
        cookies = [client.cookie(row["email"], participant_password) for row, _ in callers[:16]]
        bearer = lambda t: {"Authorization": f"Bearer {t}"}
        mix = write_mix(client, pm_token, rows, mix_program)
        # (name, requests, connections): the manager's report pages take a few at a time, as managers do.
        scenarios = [
            ("GET /api/v1/me (200 participants)", [("GET", "/api/v1/me", bearer(row["token"]), None) for row, _ in callers], args.connections),
            ("GET /api/v1/people?per_page=10", [("GET", f"/api/v1/people?per_page=10&page={n}", bearer(pm_token), None) for n in range(1, 1001)],
             args.connections),
            ("GET /api/v1/people?per_page=50", [("GET", f"/api/v1/people?per_page=50&page={n}", bearer(pm_token), None) for n in range(1, 201)],
             args.connections),
            ("GET /api/v1/pairs/{id} (200 participants)", [("GET", f"/api/v1/pairs/{pair}", bearer(row["token"]), None) for row, pair in callers],
             args.connections),
            ("participant home page (16 participants)", [("GET", "/", {"Cookie": c}, None) for c in cookies], args.connections),
            ("program manager's home page", [("GET", "/", {"Cookie": pm_cookie}, None)], args.connections),
            ("people list page", [("GET", f"/admin/people?page={n}", {"Cookie": pm_cookie}, None) for n in range(1, 201)], args.connections),
            ("write mix (notes, meeting logs, answers)", mix, args.connections),
            ("program dashboard (2,500 pairs), 4 connections", [("GET", f"/programs/{biggest}", {"Cookie": pm_cookie}, None)], 4),
            ("outcomes report (2,500 pairs), 4 connections", [("GET", f"/programs/{biggest}/outcomes", {"Cookie": pm_cookie}, None)], 4),
        ]
        print(f"Upward {os.path.basename(binary)} on the large demo ({storage}, malloc: {demo.allocator or 'the C library'}), wrk -t2 -c{args.connections} -d{args.seconds}s, server and wrk on this machine")
        # Server CPU: the server's own CPU time (both cores) per request, and its share of the machine's two cores.
        print(f"{'scenario':45} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU us/req':>10} {'CPU %':>6} {'wrk %':>6}")
        # What each page must show (the signed-in layout, the page's own rows), checked once before it is measured.
        markers = {
            "participant home page (16 participants)": ['class="mainnav"', "Your profile", "Open your pair", "You take part as a"],
            "program manager's home page": ['class="mainnav"', "People in the directory", "People by generation", "bar-count"],
            "people list page": ['class="mainnav"', "<tbody>", "rel=\"next\""],
            "program dashboard (2,500 pairs), 4 connections": ['class="mainnav"', "Pairs at work", "Participants"],
            "outcomes report (2,500 pairs), 4 connections": ['class="mainnav"', "Pairs that need a check-in", "<svg"],
        }
        for name, requests, connections in scenarios:
            if args.only and args.only not in name:
                continue
            if name in markers:
                check_page(base, requests[0], markers[name])
            drain(base)
            profiler = None
            if args.perf:
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
                profiler = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", f"{args.perf}-{slug}.data", "-p", str(server.pid), "--", "sleep",
                                             str(max(1, args.seconds - 1))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            batches = write_batches(base)
            before, started = cpu_seconds(server.pid), time.perf_counter()
            rps, p50, p99, errors, total = run_wrk(base, lua(requests), args.seconds, connections)
            if profiler:
                profiler.wait()
            after, wall = cpu_seconds(server.pid), time.perf_counter() - started
            used = (after - before) if before is not None and after is not None else float("nan")
            note = ""
            if name.startswith("write"):
                commits, writes = (a - b for a, b in zip(write_batches(base), batches))
                note = f"  (cycle {len(requests)}, sent {total}; {writes} writes in {commits} commits, {writes / max(commits, 1):.1f} per commit)"
            print(f"{name:45} {rps:9.0f} {p50:8.2f} {p99:8.2f} {errors:7d} {1e6 * used / max(total, 1):10.0f} {100 * used / wall / 2:6.0f} {100 * run_wrk.cpu / wall / 2:6.0f}{note}",
                  flush=True)

        if not args.no_burst and (not args.only or args.only in "survey burst"):
            surveys = {p["id"].lower(): client.call("POST", f"/api/v1/programs/{p['id']}/surveys", pm_token, {"phase": "final", "anonymous": False})["id"]
                       for p in programs}
            answer = {"answers": {"satisfaction": "4", "recommend": "8", "partnerGrowth": "4", "comments": "Burst."}}
            jobs = [(f"/api/v1/surveys/{surveys[r['program_id'].lower()]}/answers", r["token"], answer) for r in rows]
            drain(base)
            wall, p50, p99, statuses = burst(port, jobs, 200)
            print(f"{'survey burst: ' + str(len(jobs)) + ' answers, 200 clients':45} {len(jobs) / wall:9.0f} {p50:8.2f} {p99:8.2f} "
                  f"{sum(v for k, v in statuses.items() if k >= 500 or k == 0):7d}  ({wall:.1f} s, statuses {statuses})", flush=True)
            stored = 0
            for program_id, survey in surveys.items():
                results = client.call("GET", f"/api/v1/surveys/{survey}/results", pm_token)
                stored += results["answered"]
            again = 0
            for path, token, body in jobs[:20]:
                try:
                    client.call("POST", path, token, body)
                except urllib.error.HTTPError as error:
                    again += error.code == 409
            print(f"  stored answers: {stored} of {len(jobs)} (exactly once: {stored == len(jobs) and sum(v for k, v in statuses.items() if 200 <= k < 300) == len(jobs)}); "
                  f"a repeated answer refused with 409: {again} of 20", flush=True)
        if (memory := memory_mb(server.pid)) is not None:
            print(f"server memory: {memory[0]:.0f} MB resident now, {memory[1]:.0f} MB at its peak", flush=True)
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
