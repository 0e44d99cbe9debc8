#!/usr/bin/env python3
"""Benchmark: `upward assign` against scipy.optimize.linear_sum_assignment and against lapjv
(Jonker-Volgenant with AVX2 inner loops, float32 by default), whole process against whole
process, on the same .npy files, checking that the totals agree to 1e-9, relative.

    python3 benchmarks/assign_vs_scipy.py [--binary .build/release/upward] [--quick] [--no-lapjv]

Prints one line per instance: kind, shape, capacity, the times (best of --repeat), the ratio of
upward to the best peer, peak memory of upward and scipy, and whether the totals agree. lapjv
only takes square matrices without forbidden pairs or capacities; elsewhere its column shows "-".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import scipy  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "numpy", "scipy"])
    import numpy as np

SCIPY_RUNNER = r"""
import sys, json, numpy as np
from scipy.optimize import linear_sum_assignment
path, capacity = sys.argv[1], int(sys.argv[2])
m = np.load(path)
if capacity > 1:
    m = np.repeat(m, capacity, axis=1)          # each column becomes `capacity` slots
forbidden = np.isnan(m)
if forbidden.any():
    # scipy has no "forbidden": a very low score keeps such pairs out whenever possible.
    m = np.where(forbidden, -1e9, m)
rows, cols = linear_sum_assignment(m, maximize=True)
keep = ~forbidden[rows, cols]
print(json.dumps({"total": float(m[rows[keep], cols[keep]].sum()), "matched": int(keep.sum())}))
"""


LAPJV_RUNNER = r"""
import sys, json, numpy as np
from lapjv import lapjv
m = np.load(sys.argv[1])
rows, _, _ = lapjv(-m)                          # lapjv minimizes
print(json.dumps({"total": float(m[np.arange(len(rows)), rows].sum()), "matched": int(len(rows))}))
"""


def generate(kind, n, m, rng):
    if kind == "uniform":
        return rng.random((n, m))
    if kind == "integer":
        return rng.integers(0, 101, (n, m)).astype(np.float64)
    if kind == "distance":
        a, b = rng.random((n, 8)), rng.random((m, 8))
        d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)) if n * m <= 4_000_000 else np.sqrt(
            np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0))
        return 100 - 30 * d
    if kind == "lowrank":
        a, b = rng.random((n, 4)), rng.random((m, 4))
        return 100 * (a @ b.T) / 4
    if kind == "forbidden":
        x = rng.random((n, m))
        x[rng.random((n, m)) < 0.10] = np.nan
        return x
    raise ValueError(kind)


def run_once(command, has_time):
    """Runs a command once: (seconds, peak RSS in MB, stdout). Peak memory comes from /usr/bin/time
    when it is installed (its own start-up is a few milliseconds of the time)."""
    wrapped = ["/usr/bin/time", "-f", "%M", *command] if has_time else command
    start = time.perf_counter()
    done = subprocess.run(wrapped, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024 if has_time else float("nan")
    return elapsed, peak, done.stdout


def best_of(command, repeat, has_time):
    """The fastest of `repeat` runs, with that run's peak memory and output."""
    return min((run_once(command, has_time) for _ in range(repeat)), key=lambda r: r[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/upward")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small sizes only, for a smoke run")
    parser.add_argument("--only", help="comma-separated kinds to run, e.g. lowrank,uniform or lowrank:8000")
    parser.add_argument("--no-lapjv", action="store_true", help="compare with scipy only")
    args = parser.parse_args()
    use_lapjv = not args.no_lapjv
    if use_lapjv:
        try:
            import lapjv  # noqa: F401
        except ImportError:
            subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "lapjv"])
    binary = os.path.abspath(args.binary)
    rng = np.random.default_rng(2026)
    if args.quick:
        cases = [("uniform", 500, 500, 1), ("integer", 500, 500, 1), ("lowrank", 300, 300, 1), ("forbidden", 300, 300, 1),
                 ("uniform", 300, 600, 1), ("uniform", 600, 200, 3)]
    else:
        cases = [
            ("uniform", 4000, 4000, 1), ("integer", 4000, 4000, 1), ("distance", 4000, 4000, 1),
            ("uniform", 8000, 8000, 1), ("integer", 8000, 8000, 1), ("distance", 8000, 8000, 1),
            ("lowrank", 2000, 2000, 1), ("lowrank", 4000, 4000, 1), ("lowrank", 8000, 8000, 1), ("forbidden", 2000, 2000, 1),
            ("uniform", 2000, 4000, 1), ("uniform", 3000, 1000, 3),
        ]
    if args.only:
        # "lowrank" runs every low-rank case, "lowrank:8000" only that size.
        wanted = [w.split(":") for w in args.only.split(",")]
        cases = [c for c in cases if any(w[0] == c[0] and (len(w) == 1 or int(w[1]) == c[1]) for w in wanted)]
    has_time = os.path.exists("/usr/bin/time")
    print(f"{'instance':<26} {'upward s':>9} {'scipy s':>9} {'lapjv s':>9} {'ratio':>6} {'upward MB':>10} {'scipy MB':>9} {'matrix MB':>9}  totals")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        runner = os.path.join(tmp, "scipy_runner.py")
        open(runner, "w").write(SCIPY_RUNNER)
        lapjv_runner = os.path.join(tmp, "lapjv_runner.py")
        open(lapjv_runner, "w").write(LAPJV_RUNNER)
        for kind, n, m, capacity in cases:
            matrix = generate(kind, n, m, rng)
            path = os.path.join(tmp, f"{kind}-{n}x{m}.npy")
            np.save(path, np.ascontiguousarray(matrix, dtype=np.float64))
            up_cmd = [binary, "assign", path] + (["--capacity", str(capacity)] if capacity > 1 else [])
            sp_cmd = [sys.executable, runner, path, str(capacity)]
            up_t, up_mb, up_out = best_of(up_cmd, args.repeat, has_time)
            sp_t, sp_mb, sp_out = best_of(sp_cmd, args.repeat, has_time)
            up, sp = json.loads(up_out), json.loads(sp_out)
            # Both solve in float64 exactly: the totals must agree to 1e-9, relative.
            relative = abs(up["total"] - sp["total"]) / max(1.0, abs(sp["total"]))
            agree = relative <= 1e-9 and len(up["pairs"]) == sp["matched"]
            lj_t = float("nan")
            if use_lapjv and n == m and capacity == 1 and not np.isnan(matrix).any():
                lj_t, _, lj_out = best_of([sys.executable, lapjv_runner, path], args.repeat, has_time)
                # lapjv works in float32: its total may differ from the exact optimum in the last digits.
                agree &= json.loads(lj_out)["total"] <= sp["total"] + 1e-6 * max(1.0, abs(sp["total"]))
            failed |= not agree
            best = min(sp_t, lj_t) if lj_t == lj_t else sp_t
            label = f"{kind} {n}x{m}" + (f" cap {capacity}" if capacity > 1 else "")
            lj_text = f"{lj_t:>9.2f}" if lj_t == lj_t else f"{'-':>9}"
            print(f"{label:<26} {up_t:>9.2f} {sp_t:>9.2f} {lj_text} {up_t / best:>6.2f} {up_mb:>10.0f} {sp_mb:>9.0f} {matrix.nbytes / 2**20:>9.0f}  "
                  f"{'agree' if agree else 'DIFFER'} ({up['total']:.6f} vs {sp['total']:.6f}, relative {relative:.1e})", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
