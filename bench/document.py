#!/usr/bin/env python3
"""Writes docs/benchmarks.md from the results of the last `bench/run.sh` (bench/results.md,
bench/results-reward.md, bench/results-allocate.md, bench/results-ranking.md)."""
import datetime
import pathlib
import platform
import os

here = pathlib.Path(__file__).resolve().parent
root = here.parent


def read(name):
    p = here / name
    return p.read_text().strip() if p.exists() else "(not run)"


text = f"""# Benchmarks

Figures of one run of `bench/run.sh` on the project's machine ({os.cpu_count()} cores,
{platform.machine()}), {datetime.date.today().isoformat()}. Every figure is reproduced by that one
command (seeded data in `bench/data/`, references installed in `bench/.venv` and
`bench/.venv-aequitas`); see `bench/README.md` for what each reference computes. Ratios are
fairaudit's time over the reference's: below 1 means fairaudit is faster. "Scaled" rows ran on a
1M-row slice and are multiplied up. Speed is never asserted by a test.

## audit-fairness

{read("results.md")}

## audit-reward

{read("results-reward.md")}

## allocate

{read("results-allocate.md")}

## audit-ranking

{read("results-ranking.md")}
"""
(root / "docs" / "benchmarks.md").write_text(text)
print(f"wrote {root / 'docs' / 'benchmarks.md'}")
