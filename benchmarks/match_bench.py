#!/usr/bin/env python3
"""Benchmark: `upward match` from CSV on generated programs of 5,000 × 5,000 and
20,000 × 20,000, printing wall time, peak memory and the optimality-proof line.

    python3 benchmarks/match_bench.py [--binary .build/release/upward] [--sizes 5000,20000]
        [--objective participation,fair,stable] [--reruns 5]

Each objective runs on the same generated program, so its time can be set against participation's.
With --reruns N, participation then runs N times warm from its --state file after one lock (a pair
the optimum did not choose) and N times after one exclusion (a pair it did choose), each from the
cold run's state, and each time beside a cold run of the same edit: the totals must agree.
"""
import csv
import random
import re
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
    parser.add_argument("--reruns", type=int, default=0, help="warm re-runs after one lock and after one exclusion")
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
            if args.reruns:
                failed |= not reruns(binary, folder, size, args.reruns)
    sys.exit(1 if failed else 0)


def match(binary, folder, out, *extra):
    command = [binary, "match", "--people", f"{folder}/people.csv", "--enrollments", f"{folder}/enrollments.csv", "--out", out, *extra]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    summary = next(line for line in run.stdout.splitlines() if line.startswith("participation:"))
    total = float(re.search(r"total score ([0-9.]+)", summary).group(1))
    solver = float(re.search(r"solver ([0-9.]+) s", summary).group(1))
    return summary, total, solver


def reruns(binary, folder, size, count):
    """Cold run with --state, then warm re-runs after one lock or one exclusion, each checked against a cold run."""
    state = f"{folder}/state.json"
    pairs = f"{folder}/pairs.csv"
    for path in (state,):
        if os.path.exists(path):
            os.remove(path)
    summary, _, cold_solver = match(binary, folder, pairs, "--state", state)
    print(f"{size} x {size:<10} cold with --state: solver {cold_solver:.3f} s, state {os.path.getsize(state) / 1e6:.1f} MB", flush=True)
    with open(state) as f:
        saved = f.read()
    rows = list(csv.DictReader(open(pairs)))
    matched = [r for r in rows if r["mentor_email"]]
    mentors = sorted({r["mentor_email"] for r in matched})
    rng = random.Random(size)
    ok = True
    for kind in ("lock", "exclude"):
        times = []
        for attempt in range(count * 20):
            if len(times) == count:
                break
            with open(state, "w") as f:
                f.write(saved)
            pick = rng.choice(matched)
            edit = f"{folder}/edit.csv"
            mentor = pick["mentor_email"] if kind == "exclude" else rng.choice(mentors)
            if kind == "lock" and mentor == pick["mentor_email"]:
                continue
            with open(edit, "w") as f:
                f.write(f"mentee_email,mentor_email\n{pick['mentee_email']},{mentor}\n")
            flag = "--locked" if kind == "lock" else "--exclude"
            try:
                warm, warm_total, warm_solver = match(binary, folder, f"{folder}/warm.csv", "--state", state, flag, edit)
            except RuntimeError:
                continue  # that lock breaks a hard rule (level gap, reporting chain): pick another
            _, cold_total, cold_solver = match(binary, folder, f"{folder}/cold.csv", flag, edit)
            agree = abs(warm_total - cold_total) < 1e-6 and "warm start" in warm and "proof holds" in warm
            ok &= agree
            times.append(warm_solver)
            checked = re.search(r"([0-9]+) pairs checked", warm).group(1)
            print(f"  re-run after one {kind:<7}: solver {warm_solver:.3f} s warm ({checked} pairs checked) vs {cold_solver:.3f} s cold; "
                  f"totals {'agree' if agree else 'DIFFER'} ({warm_total:.2f})", flush=True)
        if times:
            print(f"  {kind}: median warm solver {sorted(times)[len(times) // 2]:.3f} s, worst {max(times):.3f} s over {len(times)} re-runs", flush=True)
    return ok


if __name__ == "__main__":
    main()
