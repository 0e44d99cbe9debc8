#!/usr/bin/env python3
"""Writes the statistics reference values that UpwardCore's tests compare with (to 1e-9):
fixed data sets and what scipy.stats computes for them.

    python3 benchmarks/stats_reference.py > Tests/UpwardCoreTests/Fixtures/stats-reference.json
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import stats


def number(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def summary(before, after):
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    d = after - before
    n = len(d)
    with np.errstate(all="ignore"):
        t = stats.ttest_rel(after, before)
        ci = t.confidence_interval(confidence_level=0.95)
        w = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="auto")
        sd = np.std(d, ddof=1) if n > 1 else float("nan")
        nonzero = d[d != 0]
        ranks = stats.rankdata(np.abs(nonzero))
        r_plus, r_minus = ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()
        rank_biserial = (r_plus - r_minus) / (r_plus + r_minus) if len(nonzero) else float("nan")
        d_z = d.mean() / sd if n > 1 else float("nan")
    return {
        "n": n, "mean_before": number(before.mean()), "mean_after": number(after.mean()), "mean_change": number(d.mean()),
        "ci_low": number(ci.low), "ci_high": number(ci.high), "t": number(t.statistic), "t_p": number(t.pvalue),
        "wilcoxon_statistic": number(w.statistic), "wilcoxon_p": number(w.pvalue), "d_z": number(d_z), "rank_biserial": number(rank_biserial),
    }


def main():
    rng = np.random.default_rng(2026)
    sets = {}

    def add(name, before, after):
        sets[name] = {"before": [float(x) for x in before], "after": [float(x) for x in after], "expected": summary(before, after)}

    add("n1", [3], [4])
    add("n2", [1, 2], [3, 1])
    b = rng.normal(3, 1, 13)
    add("n13_exact", b, b + rng.normal(0.4, 0.8, 13))
    add("n13_ties_zeros", [2, 3, 3, 4, 2, 1, 3, 4, 5, 2, 3, 3, 2], [3, 3, 4, 4, 4, 2, 2, 5, 5, 3, 4, 3, 3])
    add("n14_ties", [2, 3, 3, 4, 2, 1, 3, 4, 5, 2, 3, 3, 2, 1], [3, 4, 4, 5, 4, 2, 2, 5, 5, 3, 4, 4, 3, 3])
    b = rng.normal(3, 1, 14)
    add("n14_exact", b, b + rng.normal(0.3, 1, 14))
    b = rng.normal(3, 1, 50)
    add("n50_exact", b, b + rng.normal(0.2, 1, 50))
    b = rng.normal(3, 1, 51)
    add("n51_asymptotic", b, b + rng.normal(0.2, 1, 51))
    add("all_equal_change", [1, 2, 3, 4, 5, 1, 2, 3], [2, 3, 4, 5, 6, 2, 3, 4])
    add("all_zero_small", [3, 3, 4, 2, 5, 1], [3, 3, 4, 2, 5, 1])
    b = rng.integers(1, 6, 30)
    a = np.clip(b + rng.integers(-1, 3, 30), 1, 5)
    add("likert_30_ties_zeros", b, a)
    b = rng.integers(1, 6, 80)
    a = np.clip(b + rng.integers(-1, 3, 80), 1, 5)
    add("likert_80", b, a)
    b = rng.normal(0, 1, 9)
    add("n9_negative", b, b - np.abs(rng.normal(1, 0.5, 9)))
    json.dump({"scipy": scipy.__version__, "sets": sets}, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
