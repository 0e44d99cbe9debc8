#!/usr/bin/env python3
"""Concurrency: 50 writers for 60 s on SQLite, on the large demo.

Fifty API clients write at once, each as its own participant (or, for one of them, the program
manager), as fast as the server answers, for 60 seconds:
  - notes added to their pair;
  - goals created, and goals updated (read, then write);
  - past meetings logged (read, then write);
  - a survey answered once (read whether answered, then write);
  - the program manager creates programs, each under a new name.

Then it checks what a user would notice:
  - no 5xx and no connection errors;
  - no request waited longer than SQLite's busy timeout (5 s), so none gave up on a lock and
    none deadlocked (read-then-write transactions take the write lock first);
  - every acknowledged write is stored exactly once: the notes, goals and programs are counted
    back through the API by their unique text, and the survey results count every answer once.

  swift build -c release --product upward
  python3 benchmarks/writers.py                        # 50 writers, 60 s, SQLite
  python3 benchmarks/writers.py --writers 20 --seconds 10
  scripts/with-postgres.sh python3 benchmarks/writers.py --postgres
"""
import argparse, collections, http.client, json, os, random, sys, threading, time

from load import Client, LargeDemo, percentile, run_threads

BUSY_TIMEOUT_SECONDS = 5.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--data", help="SQLite only: keep the seeded demo in this folder (see load.py)")
    args = parser.parse_args()
    demo = LargeDemo(os.path.abspath(args.binary), postgres=args.postgres, data=args.data)
    try:
        ok = run(demo, args)
    finally:
        demo.stop()
    sys.exit(0 if ok else 1)


def run(demo, args):
    client = Client(demo.base)
    pm_token = demo.token(demo.pm_email)
    programs = client.call("GET", "/api/v1/programs", pm_token)
    live = [p for p in programs if p["status"] == "active"]
    surveys = {p["id"].lower(): client.call("POST", f"/api/v1/programs/{p['id']}/surveys", pm_token, {"phase": "midpoint", "anonymous": False})["id"]
               for p in live}
    # Mentees of different pairs, spread over the programs.
    rows = [r for r in demo.rows if r["role"] == "mentee" and r["program_id"].lower() in surveys]
    random.Random(7).shuffle(rows)
    writers = []
    for row in rows[: args.writers - 1]:
        pairs = client.call("GET", f"/api/v1/programs/{row['program_id']}/pairs", row["token"])
        pair = [p for p in pairs if p["status"] == "live"][0]["id"]
        meetings = [m["id"] for m in client.call("GET", f"/api/v1/pairs/{pair}/meetings", row["token"]) if m["status"] in ("held", "missed")]
        goals = [g["id"] for g in client.call("GET", f"/api/v1/pairs/{pair}/goals", row["token"])]
        writers.append({"token": row["token"], "pair": pair, "meetings": meetings, "goals": goals, "survey": surveys[row["program_id"].lower()]})
    print(f"{len(writers)} participants and the program manager write for {args.seconds} s ({demo.storage})", flush=True)

    lock = threading.Lock()
    latencies, statuses, errors = [], collections.Counter(), collections.Counter()
    written = collections.defaultdict(list)  # kind -> unique texts acknowledged
    answered = collections.Counter()  # survey -> acknowledged answers
    deadline = time.time() + args.seconds

    def send(conn, method, path, token, body):
        start = time.perf_counter()
        conn.request(method, path, body=json.dumps(body), headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            statuses[response.status] += 1
        return response.status

    def participant(index, w):
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=30)
        n = 0
        try:
            if send(conn, "POST", f"/api/v1/surveys/{w['survey']}/answers", w["token"],
                    {"answers": {"fit": "4", "satisfaction": "5", "pace": "As planned", "recommend": "9"}}) < 300:
                with lock:
                    answered[w["survey"]] += 1
            while time.time() < deadline:
                n += 1
                kind = rng.choices(["note", "goal", "progress", "log"], [4, 2, 2, 2])[0]
                text = f"w{index}-{n}"
                if kind == "note":
                    status = send(conn, "POST", f"/api/v1/pairs/{w['pair']}/notes", w["token"], {"body": f"Note {text}", "visibility": "shared"})
                elif kind == "goal":
                    status = send(conn, "POST", f"/api/v1/pairs/{w['pair']}/goals", w["token"],
                                  {"title": f"Goal {text}", "why": "Practice under load.", "measure": "Done once.", "owner": "mentee"})
                elif kind == "progress" and w["goals"]:
                    status = send(conn, "PATCH", f"/api/v1/pairs/{w['pair']}/goals/{rng.choice(w['goals'])}", w["token"], {"progress": rng.randint(0, 100)})
                elif w["meetings"]:
                    kind = "log"
                    status = send(conn, "POST", f"/api/v1/pairs/{w['pair']}/meetings/{rng.choice(w['meetings'])}/log", w["token"],
                                  {"outcome": "held", "summary": f"Logged {text}."})
                else:
                    continue
                if status < 300 and kind in ("note", "goal"):
                    with lock:
                        written[kind].append(text)
        except Exception as error:  # a reset or timeout is a failure the report names
            with lock:
                errors[type(error).__name__] += 1
        finally:
            conn.close()

    def manager():
        conn = http.client.HTTPConnection("127.0.0.1", demo.port, timeout=30)
        n = 0
        try:
            while time.time() < deadline:
                n += 1
                name = f"Load program {n}"
                status = send(conn, "POST", "/api/v1/programs", pm_token,
                              {"name": name, "focusAreas": ["AI tools"], "startsOn": "2027-01-04", "endsOn": "2027-03-26"})
                if status < 300:
                    with lock:
                        written["program"].append(name)
        except Exception as error:
            with lock:
                errors[type(error).__name__] += 1
        finally:
            conn.close()

    wall = run_threads([threading.Thread(target=participant, args=(i, w)) for i, w in enumerate(writers)] + [threading.Thread(target=manager)])
    latencies.sort()
    pick = lambda q: percentile(latencies, q)
    slow = sum(1 for x in latencies if x >= BUSY_TIMEOUT_SECONDS)
    server_errors = sum(c for s, c in statuses.items() if s >= 500)
    print(f"{len(latencies)} writes in {wall:.1f} s: {len(latencies) / wall:.0f}/s, p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; statuses {dict(statuses)}; connection errors {dict(errors)}")

    # Everything acknowledged is there exactly once.
    counted = collections.Counter()
    for w in writers:
        for note in client.call("GET", f"/api/v1/pairs/{w['pair']}/notes", w["token"]):
            if note["body"].startswith("Note w"):
                counted["note", note["body"][5:]] += 1
        for goal in client.call("GET", f"/api/v1/pairs/{w['pair']}/goals", w["token"]):
            if goal["title"].startswith("Goal w"):
                counted["goal", goal["title"][5:]] += 1
    for program in client.call("GET", "/api/v1/programs", pm_token):
        if program["name"].startswith("Load program "):
            counted["program", program["name"]] += 1
    missing = [(k, t) for k in written for t in written[k] if counted[k, t] == 0]
    doubled = [key for key, c in counted.items() if c > 1]
    stored_answers = {s: client.call("GET", f"/api/v1/surveys/{s}/results", pm_token)["answered"] for s in surveys.values()}
    answers_ok = all(stored_answers[s] == answered[s] for s in surveys.values())
    print(f"acknowledged: {len(written['note'])} notes, {len(written['goal'])} goals, {len(written['program'])} programs, "
          f"{sum(answered.values())} survey answers; missing {len(missing)}, doubled {len(doubled)}, "
          f"answers stored {sum(stored_answers.values())} of {sum(answered.values())}")
    print(f"requests over the busy timeout ({BUSY_TIMEOUT_SECONDS:.0f} s): {slow}; 5xx: {server_errors}")
    ok = server_errors == 0 and not errors and slow == 0 and not missing and not doubled and answers_ok and len(latencies) > 0
    print("writers: " + ("no 5xx, no lock wait past the busy timeout, every acknowledged write stored exactly once" if ok else "FAILED"))
    return ok


if __name__ == "__main__":
    main()
