#!/usr/bin/env python3
"""How much a scheduled housekeeping run costs on the large demo.

Starts a release build on the large demo (SQLite, or PostgreSQL with `--postgres`, as `load.py` does) with housekeeping every
`--interval` seconds and nothing else to do, and reads the server's CPU time from /proc every
0.1 s. Each busy stretch (over 5% of a core, and 0.05 s of CPU in all) is one run; the script prints its CPU seconds and
how long it lasted. The first run finds the seeded healths out of date and writes them; the later
ones show what a deployment pays every interval.

    python3 benchmarks/housekeeping.py --binary .build/release/upward --data /tmp/large --runs 3
    scripts/with-postgres.sh python3 benchmarks/housekeeping.py --postgres
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import LargeDemo, cpu_seconds  # noqa: E402


def machine_busy_seconds():
    """CPU time the whole machine has spent busy so far (all cores, from /proc/stat): with PostgreSQL
    it counts the database server's work as well as Upward's."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--data", help="SQLite: a folder that keeps the seeded large demo between runs")
    parser.add_argument("--postgres", action="store_true", help="seed and serve on DATABASE_URL (or run under scripts/with-postgres.sh)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", type=int, default=45, help="seconds between housekeeping runs")
    args = parser.parse_args()
    demo = LargeDemo(os.path.abspath(args.binary), postgres=args.postgres, data=args.data, extra_env={"UPWARD_HOUSEKEEPING_SECONDS": str(args.interval)}, settle=False)
    try:
        runs, busy, started, spent, machine_at_start = [], False, 0.0, 0.0, 0.0
        last = cpu_seconds(demo.server.pid)
        quiet_since = time.time()
        deadline = time.time() + 30 + args.runs * (args.interval + 60)
        while len(runs) < args.runs and time.time() < deadline:
            machine_before = machine_busy_seconds()
            time.sleep(0.1)
            now, cpu = time.time(), cpu_seconds(demo.server.pid)
            used = cpu - last
            last = cpu
            if used > 0.005:
                if not busy:
                    busy, started, spent, machine_at_start = True, now - 0.1, 0.0, machine_before
                spent += used
                quiet_since = now
            elif busy and now - quiet_since > 0.5:
                busy = False
                if spent < 0.05:  # the checkpoint thread's tick, not a run
                    continue
                runs.append((spent, quiet_since - started))
                machine = machine_busy_seconds() - machine_at_start
                print(f"run {len(runs)}: {spent:.2f} s of Upward's CPU over {quiet_since - started:.2f} s"
                      f" ({machine:.2f} s of the whole machine's, the database server's included)", flush=True)
        if len(runs) < args.runs:
            sys.exit(f"only {len(runs)} runs seen")
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
