#!/usr/bin/env bash
# Builds upward in release mode and runs every benchmark; each prints its own figures.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product upward
python3 -c "import numpy, scipy" 2>/dev/null || python3 -m pip install -q numpy scipy
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
echo "== upward assign vs scipy.optimize.linear_sum_assignment"
python3 benchmarks/assign_vs_scipy.py --binary .build/release/upward "$@"
echo "== upward match from CSV"
python3 benchmarks/match_bench.py --binary .build/release/upward --objective participation,fair,stable
python3 benchmarks/match_bench.py --binary .build/release/upward --sizes 5000 --reruns 5
