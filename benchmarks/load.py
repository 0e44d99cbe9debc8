#!/usr/bin/env python3
"""Load benchmark: a release build of Upward on the demo's data, measured with wrk.

Starts `upward demo` (release binary) on a fresh SQLite file, signs in a program manager and a
participant (API tokens and session cookies), then runs `wrk -t2 -c64` against each scenario and
prints requests/s, p50, p99 and errors:

  swift build -c release
  python3 benchmarks/load.py --binary .build/release/upward --seconds 10

Scenarios: GET /api/v1/me, the people API, a pair through the API (rotating over every pair, as
its manager), the participant's home page, the people list page, a program's outcomes page, and a
write mix (shared notes added through the API by the pair's two people). The API rate limits and
the per-request access log are off, so the figures are the application's own.
"""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time
import urllib.parse, urllib.request, http.cookiejar


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua(requests):
    """A wrk script that cycles through (method, path, headers, body) tuples."""
    lines = ["local requests = {"]
    for method, path, headers, body in requests:
        header_lua = ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in headers.items())
        lines.append(f'  {{ method = "{method}", path = {json.dumps(path)}, headers = {{ {header_lua} }}, body = {json.dumps(body) if body else "nil"} }},')
    lines.append("}")
    lines.append("local i = 0")
    lines.append("request = function()")
    lines.append("  i = i % #requests + 1")
    lines.append("  local r = requests[i]")
    lines.append("  return wrk.format(r.method, r.path, r.headers, r.body)")
    lines.append("end")
    return "\n".join(lines) + "\n"


def run_wrk(base, script, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", path, base], capture_output=True, text=True).stdout
    os.unlink(path)

    def latency(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket_errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rps, latency("50"), latency("99"), non2xx + socket_errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="upward-load-")
    database = os.path.join(work, "load.sqlite")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, UPWARD_API_RATE_TOKEN="0", UPWARD_API_RATE_ADDRESS="0", LOG_LEVEL="warning", UPWARD_DELIVERY_WORKER="false")
    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen([binary, "demo", "--database", database, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        log.seek(0)
        text = log.read()
        credentials = {m[0]: (m[1], m[2]) for m in re.findall(r"^\s+(program manager|pilot mentee \(live\))\s+(\S+)\s+(\S+)$", text, re.M)}
        token_env = dict(env, UPWARD_DATABASE_PATH=database)
        pm_email = credentials["program manager"][0]
        mentee_email = credentials["pilot mentee (live)"][0]
        pm_token = subprocess.run([binary, "token", "create", "--email", pm_email, "--name", "load"], env=token_env, capture_output=True, text=True,
                                  check=True).stdout.strip().splitlines()[-1]
        mentee_token = subprocess.run([binary, "token", "create", "--email", mentee_email, "--name", "load"], env=token_env, capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1]

        def api(path, token):
            req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
            return json.loads(urllib.request.urlopen(req).read())

        def cookie(email, password):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(base + "/login").read().decode()
            csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
            opener.open(base + "/login", data=urllib.parse.urlencode({"_csrf": csrf, "email": email, "password": password}).encode())
            return "; ".join(f"{c.name}={c.value}" for c in jar)

        pm_cookie = cookie(*credentials["program manager"])
        mentee_cookie = cookie(*credentials["pilot mentee (live)"])
        programs = api("/api/v1/programs", pm_token)
        pairs = [p["id"] for program in programs for p in api(f"/api/v1/programs/{program['id']}/pairs", pm_token)]
        mine = api(f"/api/v1/programs/{[p for p in programs if p['status'] == 'active'][0]['id']}/pairs", mentee_token)[0]["id"]
        pilot = [p for p in programs if p["status"] == "active"][0]["id"]
        bearer = lambda t: {"Authorization": f"Bearer {t}"}
        scenarios = [
            ("GET /api/v1/me", [("GET", "/api/v1/me", bearer(mentee_token), None)]),
            ("GET /api/v1/people?per_page=10", [("GET", f"/api/v1/people?per_page=10&page={n}", bearer(pm_token), None) for n in range(1, 34)]),
            ("GET /api/v1/people?per_page=50", [("GET", f"/api/v1/people?per_page=50&page={n}", bearer(pm_token), None) for n in range(1, 7)]),
            (f"GET /api/v1/pairs/{{id}} ({len(pairs)} pairs)", [("GET", f"/api/v1/pairs/{p}", bearer(pm_token), None) for p in pairs]),
            ("participant home page", [("GET", "/", {"Cookie": mentee_cookie}, None)]),
            ("people list page", [("GET", "/admin/people", {"Cookie": pm_cookie}, None)]),
            ("program outcomes page", [("GET", f"/programs/{pilot}/outcomes", {"Cookie": pm_cookie}, None)]),
            ("write mix: shared notes via the API", [
                ("POST", f"/api/v1/pairs/{mine}/notes", dict(bearer(mentee_token), **{"Content-Type": "application/json"}),
                 json.dumps({"body": "load test note", "visibility": "shared"}))]),
        ]
        print(f"Upward {os.path.basename(binary)} on the demo data (SQLite), wrk -t2 -c{args.connections} -d{args.seconds}s, server and wrk on this machine")
        print(f"{'scenario':45} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, requests in scenarios:
            rps, p50, p99, errors = run_wrk(base, lua(requests), args.seconds, args.connections)
            print(f"{name:45} {rps:9.0f} {p50:8.2f} {p99:8.2f} {errors:7d}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
