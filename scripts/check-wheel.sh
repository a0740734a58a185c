#!/usr/bin/env bash
# The pip route, end to end: builds the wheel with maturin (pyproject.toml), installs it into a
# fresh virtual environment, and from there — with no Rust toolchain on PATH — runs the README's
# quick-start audit, `python -m fairaudit --version`, and checks the man page and completions
# were installed. CI runs it after the tests (.ci/run).
#
# Environment: CARGO_TARGET_DIR (reused, so the build is cheap after `cargo test`);
# FAIRAUDIT_WHEEL_PROFILE (cargo profile, default `dev`: the same build as the tests; `release`
# for the wheel you ship); FAIRAUDIT_WHEEL_TOOLS (the virtual environment holding maturin).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME:-/root}/.cache/fairaudit-target}"
profile="${FAIRAUDIT_WHEEL_PROFILE:-dev}"
tools="${FAIRAUDIT_WHEEL_TOOLS:-${HOME:-/root}/.cache/fairaudit-wheel-tools}"

if [ ! -x "$tools/bin/maturin" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.9,<2'
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== maturin build --profile $profile"
"$tools/bin/maturin" build --quiet --profile "$profile" --out "$work/wheels" --compatibility off > "$work/build.log" 2>&1 \
  || { cat "$work/build.log"; exit 1; }
wheel=$(ls "$work"/wheels/fairaudit-*.whl)
echo "built $(basename "$wheel")"

# The wheel holds the executable, the Python package and the data files.
"$tools/bin/python" - "$wheel" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
want = [
    "fairaudit/__init__.py",
    "fairaudit/__main__.py",
    "/scripts/fairaudit",
    "/data/share/man/man1/fairaudit.1",
    "/data/share/bash-completion/completions/fairaudit",
    "/data/share/zsh/site-functions/_fairaudit",
    "/data/share/fish/vendor_completions.d/fairaudit.fish",
]
missing = [w for w in want if not any(n.endswith(w) for n in names)]
if missing:
    sys.exit(f"the wheel lacks {missing}; it has {names}")
EOF

echo "== a fresh virtual environment, no Rust on PATH"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
clean_path="$work/venv/bin:/usr/local/bin:/usr/bin:/bin"
run() { env -i HOME="$work" PATH="$clean_path" LANG=C.UTF-8 "$@"; }
if run sh -c 'command -v cargo || command -v rustc' > /dev/null; then
  echo "cargo or rustc is on the clean PATH: the check would not show the wheel stands alone" >&2
  exit 1
fi
run sh -c 'command -v fairaudit' | grep -q "^$work/venv/bin/fairaudit$"

version=$(run python -m fairaudit --version)
expected="fairaudit $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
[ "$version" = "$expected" ] || { echo "python -m fairaudit --version: '$version', expected '$expected'" >&2; exit 1; }
echo "python -m fairaudit --version: $version"

# The README's quick start, from the installed executable: the same report as the build's own.
(cd "$root" && run fairaudit audit-fairness fixtures/compas.csv --group race --group sex > "$work/quick.txt")
(cd "$root" && run fairaudit audit-fairness fixtures/compas.csv --group race --group sex --json > "$work/quick.json")
(cd "$root" && run python -m fairaudit audit-fairness fixtures/compas.csv --group race --group sex --json > "$work/quick-m.json")
cmp "$work/quick.json" "$work/quick-m.json"
grep -q "demographic_parity_difference" "$work/quick.json"
grep -q "African-American" "$work/quick.txt"
# Exit codes pass through `python -m`.
set +e
(cd "$root" && run python -m fairaudit audit-fairness fixtures/compas.csv --group race \
   --fail-if 'demographic_parity_difference > 0.01' -q > /dev/null 2>&1)
code=$?
set -e
[ "$code" = 1 ] || { echo "python -m fairaudit with a failing gate exited $code, expected 1" >&2; exit 1; }

for f in share/man/man1/fairaudit.1 share/bash-completion/completions/fairaudit \
         share/zsh/site-functions/_fairaudit share/fish/vendor_completions.d/fairaudit.fish; do
  cmp "$work/venv/$f" "$root/$(case $f in *man1*) echo man/fairaudit.1;; *bash*) echo completions/fairaudit.bash;;
       *zsh*) echo completions/_fairaudit;; *) echo completions/fairaudit.fish;; esac)"
done
echo "wheel check: ok ($(basename "$wheel"): quick start, python -m, exit codes, man page, completions)"
