#!/usr/bin/env bash
# One command: builds fairaudit (release), sets up the reference tools in bench/.venv, generates
# the seeded data (bench/data/, not committed) and prints wall time, peak RSS and ratios.
#   bench/run.sh                          # 1M, 10M and 100M rows
#   bench/run.sh --rows 1000000,10000000  # other sizes; --skip-fairlearn to leave the slow one out
# Writes bench/results*.md and, from them, docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/fairaudit-target}"
cargo build --release --quiet
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet -r bench/requirements.txt
fi
if [ ! -x bench/.venv-aequitas/bin/python ]; then
  python3 -m venv bench/.venv-aequitas
  bench/.venv-aequitas/bin/pip install --quiet aequitas==1.1.0 pyarrow
fi
FA="$CARGO_TARGET_DIR/release/fairaudit"
bench/.venv/bin/python bench/bench.py "$FA" "$@"
bench/.venv/bin/python bench/reward.py "$FA"
bench/.venv/bin/python bench/allocate.py "$FA"
bench/.venv/bin/python bench/ranking.py "$FA"
if [ -f bench/data/preds_10000000.parquet ]; then
  bench/.venv/bin/python bench/html_overhead.py "$FA" bench/data/preds_10000000.parquet 5 > bench/results-html.md
fi
bench/.venv/bin/python bench/document.py
