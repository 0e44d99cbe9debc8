#!/usr/bin/env python3
"""Benchmark: `upward match` from CSV on generated programs of 5,000 × 5,000 and
20,000 × 20,000, printing wall time, peak memory and the optimality-proof line.

    python3 benchmarks/match_bench.py [--binary .build/release/upward] [--sizes 5000,20000]
        [--objective participation,fair,stable]

Each objective runs on the same generated program, so its time can be set against participation's.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--objective", default="participation", help="one objective or a comma-separated list")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    failed = False
    print(f"{'program':<18} {'seconds':>8} {'peak MB':>8}  summary")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            folder = os.path.join(tmp, f"p{size}")
            subprocess.run([sys.executable, os.path.join(HERE, "generate_program.py"), "--mentees", str(size), "--mentors", str(size),
                            "--out", folder], check=True, capture_output=True)
            for objective in args.objective.split(","):
                command = ["/usr/bin/time", "-f", "TIME %e %M", binary, "match", "--people", f"{folder}/people.csv",
                           "--enrollments", f"{folder}/enrollments.csv", "--out", f"{folder}/pairs.csv", "--objective", objective]
                run = subprocess.run(command, capture_output=True, text=True)
                if run.returncode != 0:
                    print(run.stderr)
                    failed = True
                    continue
                seconds, kilobytes = run.stderr.strip().splitlines()[-1].split()[1:3]
                summary = next(line for line in run.stdout.splitlines() if line.startswith(objective + ":"))
                failed |= objective != "stable" and "proof holds" not in summary
                print(f"{size} x {size:<10} {float(seconds):>8.2f} {int(kilobytes) / 1024:>8.0f}  {summary}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
