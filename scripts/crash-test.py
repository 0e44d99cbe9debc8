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

With --postgres the script starts its own PostgreSQL cluster (fsync on, as in production) and the
cycles alternate: in one, Upward is killed with SIGKILL and restarted; in the next, the database
server itself (the postmaster and every backend) is killed with SIGKILL while Upward keeps running,
then PostgreSQL is started again and recovers from its WAL. While the database is down Upward must
answer 503 with Retry-After, never 500, and it must serve again once PostgreSQL is back. At the end
the rows are counted in the database itself and `amcheck` verifies every index of the table.

  python3 scripts/crash-test.py --postgres --cycles 40  # 20 database kills, 20 Upward kills
"""
import argparse, base64, glob, json, os, random, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time
import urllib.request, urllib.error


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1 that can be killed like a power cut and started again."""

    def __init__(self, port):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            sys.exit("PostgreSQL is not installed (apt-get install -y postgresql)")
        self.bin = os.path.dirname(bins[-1])
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="upward-crash-pg-")
        self.as_pg = []
        if os.getuid() == 0:  # initdb refuses root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")
        subprocess.run(self.as_pg + [f"{self.bin}/initdb", "-D", self.data, "-U", "upward", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True)
        try:
            self.start()
            subprocess.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "upward", "crash"], check=True)
        except BaseException:
            self.stop()  # leave no cluster running behind a failed start
            raise
        self.url = f"postgres://upward@127.0.0.1:{port}/crash?tlsmode=disable"

    def start(self):
        started = subprocess.run(self.as_pg + [f"{self.bin}/pg_ctl", "-D", self.data, "-w", "-t", "60", "-l", os.path.join(self.dir, "log"), "-o",
                                               f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=on -c synchronous_commit=on", "start"],
                                 capture_output=True, text=True)
        if started.returncode != 0:
            with open(os.path.join(self.dir, "log")) as log:
                sys.exit(f"PostgreSQL did not start: {started.stdout}{started.stderr}\n{log.read()[-2000:]}")

    def kill(self):
        """SIGKILL to the postmaster and all its children at once, as a power cut would stop them."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        children = [int(p) for p in os.listdir("/proc") if p.isdigit() and self._parent(int(p)) == postmaster]
        for pid in [postmaster] + children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # Wait until they are gone. A zombie not yet reaped still holds its PID, and PostgreSQL would take
        # it for a running postmaster; after a real power cut no such process exists, so its stale lock file goes.
        deadline = time.time() + 5
        for pid in [postmaster] + children:
            while os.path.exists(f"/proc/{pid}") and (self._state(pid) != "Z" or time.time() < deadline):
                time.sleep(0.01)
        if os.path.exists(f"/proc/{postmaster}"):
            os.unlink(os.path.join(self.data, "postmaster.pid"))

    @staticmethod
    def _parent(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return None

    @staticmethod
    def _state(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return None

    def sql(self, query):
        return subprocess.run([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "upward", "-d", "crash", "-At", "-c", query],
                              check=True, capture_output=True, text=True).stdout.strip()

    def stop(self):
        subprocess.run(self.as_pg + [f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


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
    parser.add_argument("--postgres", action="store_true", help="run on a PostgreSQL cluster of its own, killing it in every other cycle")
    args = parser.parse_args()
    random.seed(args.seed)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="upward-crash-")
    database = os.path.join(work, "crash.sqlite")
    env = dict(os.environ, UPWARD_DATABASE_PATH=database, UPWARD_NOTE_KEY=base64.b64encode(os.urandom(32)).decode(),
               UPWARD_ADMIN_PASSWORD="crash test passphrase", UPWARD_API_RATE_TOKEN="0", UPWARD_API_RATE_ADDRESS="0", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    env["UPWARD_CRASH_LOG"] = os.path.join(work, "server.log")
    postgres = None
    if args.postgres:
        postgres = Postgres(free_port())
        env["DATABASE_URL"] = postgres.url
        env.pop("UPWARD_DATABASE_PATH")
    try:
        run(args, binary, env, postgres, database)
        # Kept, with the server's log, when a check failed.
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if postgres:
            postgres.stop()


def start_server(binary, env, cycle):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(env["UPWARD_CRASH_LOG"], "a")
    log.write(f"--- cycle {cycle}\n")
    log.flush()
    server = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return server, base
        except Exception:
            if time.time() > deadline or server.poll() is not None:
                sys.exit(f"cycle {cycle}: the server did not start")
            time.sleep(0.05)


def run(args, binary, env, postgres, database):
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([binary, "admin", "create", "--email", "pm@crash.example"], env=env, check=True, capture_output=True)
    token = subprocess.run([binary, "token", "create", "--email", "pm@crash.example", "--name", "crash"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1].strip()

    acknowledged, attempted = [], []
    lock = threading.Lock()
    counts = {"ok": 0, "refused": 0, "cut": 0, "5xx": 0, "503 while the database was down": 0}
    database_down = threading.Event()
    kill_times = []
    server = None
    for cycle in range(args.cycles):
        # On PostgreSQL, odd cycles kill the database and keep the same Upward process running.
        kill_database = postgres is not None and cycle % 2 == 1
        if server is None:
            server, base = start_server(binary, env, cycle)
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
                        if error.code == 503 and database_down.is_set() and error.headers.get("Retry-After"):
                            counts["503 while the database was down"] += 1
                        else:
                            counts["5xx" if error.code >= 500 else "refused"] += 1
                except Exception:
                    with lock:
                        counts["cut"] += 1

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        pause = random.uniform(0.05, 1.2)
        time.sleep(pause)
        if kill_database:
            database_down.set()
            postgres.kill()
            time.sleep(random.uniform(0.05, 0.5))  # requests meet the outage
            postgres.start()
            # Upward reconnects by itself: its first answers after recovery may still be 503s.
            deadline = time.time() + 60
            while True:
                try:
                    request("GET", base + "/api/v1/me", token, timeout=5)
                    break
                except Exception:
                    if time.time() > deadline:
                        with open(env["UPWARD_CRASH_LOG"]) as log:
                            sys.exit(f"cycle {cycle}: Upward did not serve again after PostgreSQL restarted; its log ends:\n{log.read()[-3000:]}")
                    time.sleep(0.1)
            database_down.clear()
        else:
            server.send_signal(signal.SIGKILL)
            server.wait()
            server = None
        kill_times.append(pause)
        stop.set()
        for t in threads:
            t.join()
        if (cycle + 1) % 20 == 0:
            print(f"  {cycle + 1} cycles: {counts['ok']} acknowledged writes, {counts['cut']} cut off by the kill", flush=True)

    # One last start to read everything back through the API.
    if server is not None:
        server.send_signal(signal.SIGKILL)
        server.wait()
    server, base = start_server(binary, env, args.cycles)
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
    if postgres:
        # The table itself, not only the API: one row per name, and every index consistent with it.
        rows = int(postgres.sql("SELECT count(*) FROM programs"))
        distinct = int(postgres.sql("SELECT count(DISTINCT name) FROM programs"))
        postgres.sql("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = postgres.sql("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                               "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am a ON a.oid = c.relam WHERE t.relname = 'programs' AND a.amname = 'btree'").split()
        for index in indexes:
            postgres.sql(f"SELECT bt_index_check('{index}', true)")
        integrity = [("ok",)] if rows == len(names) == distinct else [(f"{rows} rows, {distinct} names, {len(names)} listed",)]
        label = f"amcheck on {len(indexes)} indexes ok, rows"
        kills = f"{(args.cycles + 1) // 2} Upward SIGKILLs and {args.cycles // 2} PostgreSQL SIGKILLs"
    else:
        integrity = sqlite3.connect(database).execute("PRAGMA integrity_check").fetchall()
        label = "integrity_check"
        kills = f"{args.cycles} SIGKILLs"
    print(f"crash test: {kills}, {len(acknowledged)} acknowledged writes, "
          f"{len(names) - len(acknowledged)} more that were written but not acknowledged before the kill, "
          f"{counts['cut']} requests cut off, "
          + (f"{counts['503 while the database was down']} 503s while the database was down, " if postgres else "")
          + f"{counts['5xx']} {'other ' if postgres else ''}5xx; lost {len(lost)}, doubled {len(doubled)}, {label} {integrity[0][0]}")
    ok = not lost and not doubled and not strangers and integrity == [("ok",)] and counts["5xx"] == 0 and len(acknowledged) > 0
    if not ok:
        print(f"  lost: {lost[:5]} doubled: {doubled[:5]} strangers: {strangers[:5]}")
        sys.exit(1)
    print("crash test: every acknowledged write survived exactly once")


if __name__ == "__main__":
    main()
