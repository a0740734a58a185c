#!/usr/bin/env bash
# One command: builds fairaudit (release), sets up the reference tools in bench/.venv, generates
# the seeded data (bench/data/, not committed) and prints wall time, peak RSS and ratios.
#   bench/run.sh                 # 10M rows
#   bench/run.sh --rows 1000000  # other sizes; --skip-fairlearn to leave the slow one out
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/fairaudit-target}"
cargo build --release --quiet
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet -r bench/requirements.txt
fi
bench/.venv/bin/python bench/bench.py "$CARGO_TARGET_DIR/release/fairaudit" "$@"
bench/.venv/bin/python bench/reward.py "$CARGO_TARGET_DIR/release/fairaudit"
bench/.venv/bin/python bench/allocate.py "$CARGO_TARGET_DIR/release/fairaudit"
