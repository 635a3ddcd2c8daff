#!/usr/bin/env bash
# Runs every benchmark scenario in bench/ (each prints ratios against a reference measured in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
for script in bench/bench_*.py; do
  echo "== $script =="
  .venv/bin/python "$script"
done
