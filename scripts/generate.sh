#!/usr/bin/env bash
# Regenerates the shell completions (completions/) and the man page (man/) from src/cli/.
# Run after changing any flag; tests/cli.rs fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/fairaudit"
"$bin" completions bash > completions/fairaudit.bash
"$bin" completions zsh > completions/_fairaudit
"$bin" completions fish > completions/fairaudit.fish
"$bin" man > man/fairaudit.1
echo "completions/ and man/ regenerated"
