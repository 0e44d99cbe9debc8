#!/usr/bin/env python3
"""Durability under SIGKILL: every write the server acknowledged survives, exactly once.

Each cycle starts `upward serve` on one SQLite file, four writers create programs through the
JSON API (each with a unique name), and at a random moment the server is killed with SIGKILL.
After the last cycle the script checks, through the API and in the file itself:
  - every program whose POST got a 2xx is there exactly once (acknowledged means durable);
  - no name is there twice, acknowledged or not (nothing half-written or repeated);
  - PRAGMA integrity_check says ok.

  python3 scripts/crash-test.py --cycles 200            # the full run
  python3 scripts/crash-test.py --cycles 20             # what CI runs
"""
import argparse, base64, json, os, random, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.request, urllib.error


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, token, body=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, response.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--binary", default=".build/debug/upward")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    random.seed(args.seed)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="upward-crash-")
    database = os.path.join(work, "crash.sqlite")
    env = dict(os.environ, UPWARD_DATABASE_PATH=database, UPWARD_NOTE_KEY=base64.b64encode(os.urandom(32)).decode(),
               UPWARD_ADMIN_PASSWORD="crash test passphrase", UPWARD_API_RATE_TOKEN="0", UPWARD_API_RATE_ADDRESS="0", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([binary, "admin", "create", "--email", "pm@crash.example"], env=env, check=True, capture_output=True)
    token = subprocess.run([binary, "token", "create", "--email", "pm@crash.example", "--name", "crash"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1].strip()

    acknowledged, attempted = [], []
    lock = threading.Lock()
    counts = {"ok": 0, "refused": 0, "cut": 0, "5xx": 0}
    kill_times = []
    for cycle in range(args.cycles):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    sys.exit(f"cycle {cycle}: the server did not start")
                time.sleep(0.05)
        stop = threading.Event()

        def writer(index):
            n = 0
            while not stop.is_set():
                name = f"crash-{cycle}-{index}-{n}"
                n += 1
                with lock:
                    attempted.append(name)
                body = {"name": name, "focusAreas": ["AI tools"], "startsOn": "2027-01-04", "endsOn": "2027-03-26"}
                try:
                    status, _ = request("POST", base + "/api/v1/programs", token, body)
                    with lock:
                        if 200 <= status < 300:
                            acknowledged.append(name)
                            counts["ok"] += 1
                        else:
                            counts["refused"] += 1
                except urllib.error.HTTPError as error:
                    with lock:
                        counts["5xx" if error.code >= 500 else "refused"] += 1
                except Exception:
                    with lock:
                        counts["cut"] += 1

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        pause = random.uniform(0.05, 1.2)
        time.sleep(pause)
        server.send_signal(signal.SIGKILL)
        server.wait()
        kill_times.append(pause)
        stop.set()
        for t in threads:
            t.join()
        if (cycle + 1) % 20 == 0:
            print(f"  {cycle + 1} cycles: {counts['ok']} acknowledged writes, {counts['cut']} cut off by the kill", flush=True)

    # One last start to read everything back through the API.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    _, raw = request("GET", base + "/api/v1/programs", token, timeout=60)
    server.send_signal(signal.SIGTERM)
    server.wait()
    names = [p["name"] for p in json.loads(raw)]
    seen = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    lost = [n for n in acknowledged if seen.get(n, 0) == 0]
    doubled = [n for n, c in seen.items() if c > 1]
    strangers = [n for n in seen if n not in set(attempted)]
    integrity = sqlite3.connect(database).execute("PRAGMA integrity_check").fetchall()
    print(f"crash test: {args.cycles} SIGKILLs, {len(acknowledged)} acknowledged writes, "
          f"{len(names) - len(acknowledged)} more that were written but not acknowledged before the kill, "
          f"{counts['cut']} requests cut off, {counts['5xx']} 5xx; lost {len(lost)}, doubled {len(doubled)}, "
          f"integrity_check {integrity[0][0]}")
    ok = not lost and not doubled and not strangers and integrity == [("ok",)] and counts["5xx"] == 0 and len(acknowledged) > 0
    if not ok:
        print(f"  lost: {lost[:5]} doubled: {doubled[:5]} strangers: {strangers[:5]}")
        sys.exit(1)
    print("crash test: every acknowledged write survived exactly once")


if __name__ == "__main__":
    main()
