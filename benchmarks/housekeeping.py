#!/usr/bin/env python3
"""How much a scheduled housekeeping run costs on the large demo.

Starts a release build on the large demo (SQLite, as `load.py` does) with housekeeping every
`--interval` seconds and nothing else to do, and reads the server's CPU time from /proc every
0.1 s. Each busy stretch (over 5% of a core, and 0.05 s of CPU in all) is one run; the script prints its CPU seconds and
how long it lasted. The first run finds the seeded healths out of date and writes them; the later
ones show what a deployment pays every interval.

    python3 benchmarks/housekeeping.py --binary .build/release/upward --data /tmp/large --runs 3
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import LargeDemo, cpu_seconds  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--data", help="folder that keeps the seeded large demo between runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interval", type=int, default=45, help="seconds between housekeeping runs")
    args = parser.parse_args()
    demo = LargeDemo(args.binary, data=args.data, extra_env={"UPWARD_HOUSEKEEPING_SECONDS": str(args.interval)}, settle=False)
    try:
        runs, busy, started, spent = [], False, 0.0, 0.0
        last = cpu_seconds(demo.server.pid)
        quiet_since = time.time()
        deadline = time.time() + 30 + args.runs * (args.interval + 60)
        while len(runs) < args.runs and time.time() < deadline:
            time.sleep(0.1)
            now, cpu = time.time(), cpu_seconds(demo.server.pid)
            used = cpu - last
            last = cpu
            if used > 0.005:
                if not busy:
                    busy, started, spent = True, now - 0.1, 0.0
                spent += used
                quiet_since = now
            elif busy and now - quiet_since > 0.5:
                busy = False
                if spent < 0.05:  # the checkpoint thread's tick, not a run
                    continue
                runs.append((spent, quiet_since - started))
                print(f"run {len(runs)}: {spent:.2f} s of CPU over {quiet_since - started:.2f} s", flush=True)
        if len(runs) < args.runs:
            sys.exit(f"only {len(runs)} runs seen")
    finally:
        demo.stop()


if __name__ == "__main__":
    main()
