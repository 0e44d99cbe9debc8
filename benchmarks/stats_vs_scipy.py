#!/usr/bin/env python3
"""Generates before/after CSVs, runs `upward stats prepost` on them and compares every figure
with scipy (ttest_rel and its confidence_interval, wilcoxon with zero_method='wilcox',
correction=False, method='auto'); exits 1 on any difference beyond 1e-9 relative.

    python3 benchmarks/stats_vs_scipy.py [--binary .build/debug/upward] [--files 20]
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_reference import summary  # noqa: E402


def same(actual, expected):
    if expected == "nan" or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None
    if expected in ("inf", "-inf"):
        return actual is None
    return actual is not None and abs(actual - expected) <= 1e-9 * max(1.0, abs(expected))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/upward")
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    compared = 0
    bad = 0
    folder = tempfile.mkdtemp()
    for index in range(args.files):
        path = os.path.join(folder, f"prepost-{index}.csv")
        skills = {}
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "skill", "before", "after", "department"])
            person = 0
            for skill in ["AI tools", "Social media", "Leadership", "Communication"][: 1 + index % 4]:
                n = int(rng.choice([2, 3, 5, 9, 13, 14, 25, 50, 51, 120]))
                likert = rng.random() < 0.6
                before = rng.integers(1, 6, n).astype(float) if likert else np.round(rng.normal(3, 1, n), 3)
                after = np.clip(before + rng.integers(-1, 3, n), 1, 5) if likert else np.round(before + rng.normal(0.3, 0.9, n), 3)
                skills[skill] = (before, after)
                for b, a in zip(before, after):
                    person += 1
                    writer.writerow([f"p{person}", skill, repr(float(b)), repr(float(a)), "Sales"])
        out = subprocess.run([args.binary, "stats", "prepost", path], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr)
            sys.exit(1)
        results = {row["skill"]: row for row in json.loads(out.stdout)}
        pooled_before = np.concatenate([b for b, _ in skills.values()])
        pooled_after = np.concatenate([a for _, a in skills.values()])
        expected = {skill: summary(b, a) for skill, (b, a) in skills.items()}
        expected["all"] = summary(pooled_before, pooled_after)
        for skill, figures in expected.items():
            for key, value in figures.items():
                compared += 1
                if not same(results[skill][key], value):
                    bad += 1
                    print(f"DIFFERENT {path} {skill} {key}: upward {results[skill][key]} scipy {value}")
    print(f"stats vs scipy: {compared} figures compared in {args.files} files, {bad} different")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
