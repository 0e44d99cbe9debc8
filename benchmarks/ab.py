#!/usr/bin/env python3
"""Two builds side by side under the same load, so the machine's own ups and downs fall on both.

On a shared machine the CPU one request costs moves by a third from one minute to the next, more
than most changes move it, so two builds measured one after the other cannot be told apart. This
script starts both builds on copies of the same large demo (see load.py's `--data`), and in each
round runs one wrk against each at the same moment (`-t1`, half the connections each). It prints
each build's requests/s, p50, p99 and server CPU per request for every round, then the ratio of
their CPU per request, round by round and its median:

  python3 benchmarks/ab.py --a /tmp/old/upward --b .build/release/upward --data /tmp/large --only "home page"

`--a-allocator system --b-allocator mimalloc` with one build on both sides compares the allocators.

Copy `Upward_UpwardServer.resources` beside each binary (see the README), or both render the
templates of the build folder they came from.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402


def wrk(base, script, seconds, connections, out):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", path, base], capture_output=True, text=True)
    os.unlink(path)
    out.append(done.stdout)


def parse(text):
    def latency(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
    return rps, latency("50"), latency("99"), total, errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True, help="the build to compare against (the old one)")
    parser.add_argument("--b", required=True, help="the build under test")
    parser.add_argument("--data", required=True, help="the folder of the seeded large demo, as load.py --data")
    parser.add_argument("--only", default="", help="scenarios whose name contains this text")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--a-allocator", choices=["auto", "mimalloc", "system"], default="auto", help="as load.py's --allocator, for build a")
    parser.add_argument("--b-allocator", choices=["auto", "mimalloc", "system"], default="auto", help="as load.py's --allocator, for build b")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32, help="per build")
    args = parser.parse_args()
    demos = {"a": load.LargeDemo(os.path.abspath(args.a), data=args.data, allocator=args.a_allocator),
             "b": load.LargeDemo(os.path.abspath(args.b), data=args.data, allocator=args.b_allocator)}
    try:
        requests = {}
        for side, demo in demos.items():
            client = load.Client(demo.base)
            pm_token = demo.token(demo.pm_email)
            pm_cookie = client.cookie(demo.pm_email, demo.pm_password)
            rows = demo.rows[::50][:200]
            cookies = [client.cookie(row["email"], demo.participant_password) for row in rows[:16]]
            bearer = lambda t: {"Authorization": f"Bearer {t}"}
            requests[side] = {
                "GET /api/v1/me": [("GET", "/api/v1/me", bearer(row["token"]), None) for row in rows],
                "GET /api/v1/people?per_page=10": [("GET", f"/api/v1/people?per_page=10&page={n}", bearer(pm_token), None) for n in range(1, 1001)],
                "GET /api/v1/people?per_page=50": [("GET", f"/api/v1/people?per_page=50&page={n}", bearer(pm_token), None) for n in range(1, 201)],
                "participant home page": [("GET", "/", {"Cookie": c}, None) for c in cookies],
                "program manager's home page": [("GET", "/", {"Cookie": pm_cookie}, None)],
                "people list page": [("GET", f"/admin/people?page={n}", {"Cookie": pm_cookie}, None) for n in range(1, 201)],
            }
            if args.only and ("program dashboard".startswith(args.only) or "outcomes report".startswith(args.only)):
                # The manager's report pages over the biggest program (run them with --connections 2).
                biggest = {p["name"]: p["id"] for p in client.call("GET", "/api/v1/programs", pm_token)}["Company-wide Reverse Mentoring"]
                requests[side]["program dashboard"] = [("GET", f"/programs/{biggest}", {"Cookie": pm_cookie}, None)]
                requests[side]["outcomes report"] = [("GET", f"/programs/{biggest}/outcomes", {"Cookie": pm_cookie}, None)]
            if args.only in "write mix":
                programs = {p["name"]: p["id"] for p in client.call("GET", "/api/v1/programs", pm_token)}
                # Built afresh for each round: new surveys, so no answer is sent twice (a 409).
                requests[side]["write mix"] = lambda client=client, pm_token=pm_token, demo=demo, program=programs["AI for Leaders"]: load.write_mix(
                    client, pm_token, demo.rows, program)
        for name in requests["a"]:
            if args.only not in name:
                continue
            ratios = []
            print(f"{name}: a = {args.a} (malloc: {demos['a'].allocator or 'C library'}), b = {args.b} (malloc: {demos['b'].allocator or 'C library'}), wrk -t1 -c{args.connections} -d{args.seconds}s on each at once")
            print(f"{'round':>5} {'a req/s':>8} {'a p50':>6} {'a p99':>6} {'a CPU us':>8} | {'b req/s':>8} {'b p50':>6} {'b p99':>6} {'b CPU us':>8} | b/a CPU")
            for round_ in range(1, args.rounds + 1):
                outs, cpu, threads = {"a": [], "b": []}, {}, []
                listed = {side: requests[side][name]() if callable(requests[side][name]) else requests[side][name] for side in demos}
                for side, demo in demos.items():
                    load.drain(demo.base)
                for side, demo in demos.items():
                    cpu[side] = load.cpu_seconds(demo.server.pid)
                    threads.append(threading.Thread(target=wrk, args=(demo.base, load.lua(listed[side]), args.seconds, args.connections, outs[side])))
                load.run_threads(threads)
                line, per = [], {}
                for side, demo in demos.items():
                    rps, p50, p99, total, errors = parse(outs[side][0])
                    per[side] = 1e6 * (load.cpu_seconds(demo.server.pid) - cpu[side]) / max(total, 1)
                    line.append(f"{rps:8.0f} {p50:6.1f} {p99:6.1f} {per[side]:8.0f}" + (f" ({errors} errors)" if errors else ""))
                ratios.append(per["b"] / per["a"])
                print(f"{round_:5d} {line[0]} | {line[1]} | {ratios[-1]:.3f}", flush=True)
            print(f"median b/a CPU per request: {statistics.median(ratios):.3f} (rounds: {', '.join(f'{r:.3f}' for r in ratios)})", flush=True)
    finally:
        for demo in demos.values():
            demo.stop()


if __name__ == "__main__":
    main()
