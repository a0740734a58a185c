#!/usr/bin/env bash
# The install step of the fairaudit GitHub Action (action.yml): puts fairaudit on PATH for the
# job's next steps (through $GITHUB_PATH).
#
# INPUT_INSTALL:
#   auto   (default) keep a fairaudit already on PATH; else `pip` when Python can make a virtual
#          environment and the action has a pyproject.toml; else `cargo`
#   pip    pip install of the action's own checkout ($GITHUB_ACTION_PATH) into a virtual
#          environment in $RUNNER_TEMP (the wheel is built by maturin, which needs the Rust
#          toolchain the hosted runners have)
#   cargo  cargo install --locked --path of the action's checkout into $RUNNER_TEMP
#   none   fairaudit must already be on PATH
# The version installed is the action's own: the ref in `uses: OWNER/fairaudit@REF`.
set -euo pipefail

mode=${INPUT_INSTALL:-auto}
src=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
path_file=${GITHUB_PATH:-/dev/null}

die() {
    echo "::error title=fairaudit install::$1"
    exit 2
}

if [ "$mode" = auto ] || [ "$mode" = none ]; then
    if found=$(command -v fairaudit 2>/dev/null); then
        echo "fairaudit is on PATH already: $found ($(fairaudit --version))"
        exit 0
    fi
    [ "$mode" = none ] && die "install: none, but fairaudit is not on PATH"
    if [ -f "$src/pyproject.toml" ] && command -v python3 >/dev/null 2>&1 &&
        python3 -m venv --help >/dev/null 2>&1; then
        mode=pip
    else
        mode=cargo
    fi
fi

case $mode in
pip)
    venv="$tmp/fairaudit-venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (install python3-venv, or use install: cargo)"
    "$venv/bin/python" -m pip install --quiet "$src" || die "pip install of $src failed"
    bin="$venv/bin"
    ;;
cargo)
    command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH (use dtolnay/rust-toolchain, or install: pip)"
    cargo install --locked --quiet --path "$src" --root "$tmp/fairaudit-cargo" || die "cargo install failed"
    bin="$tmp/fairaudit-cargo/bin"
    ;;
*)
    die "install: '$mode' is not one of auto, pip, cargo, none"
    ;;
esac

echo "$bin" >>"$path_file"
echo "installed $("$bin/fairaudit" --version) in $bin"
