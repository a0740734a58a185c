#!/usr/bin/env python3
"""Writes docs/benchmarks.md from the results of the last `bench/run.sh` (bench/results.md,
bench/results-reward.md, bench/results-allocate.md, bench/results-ranking.md,
bench/results-html.md): every section's text is here, so the page is whole after every run."""
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
1M-row slice and are multiplied up. Peak RSS is the process's maximum resident set
(`/usr/bin/time`). Speed is never asserted by a test.

## audit-fairness

{read("results.md")}

## audit-reward

{read("results-reward.md")}

## allocate

{read("results-allocate.md")}

## audit-ranking

`bench/ranking.py`: the 1M-row candidate-search log of `bench/make_search_log.py` (100,000
queries × 10, seeded), the whole audit — exposure, shares, ratios, EXP / AWRF / NDKL, rND / rKL /
rRD, skew@k, FA*IR per query, top-k rates, diversity / inclusion — against DuckDB (only the pooled
per-group sums: no per-query metric), numpy (per-query exposure shares and NDKL, lists reshaped)
and FairRankTune 0.0.7 (NDKL + EXP per query on 1,000 queries, scaled).

{read("results-ranking.md")}

## What the HTML report adds (issue 14)

`bench/html_overhead.py FAIRAUDIT bench/data/preds_10000000.parquet 5`: the same audit of the
10M-row benchmark file written as a table, as HTML, and as HTML with `--plot`, alternated 5
times, best wall time of each. The page is built from the report's numbers; with `--score` the
charts also trace each group's ROC curve (one pass over the sorted scores, a point per 0.005 of
FPR + TPR).

{read("results-html.md")}
"""
(root / "docs" / "benchmarks.md").write_text(text)
print(f"wrote {root / 'docs' / 'benchmarks.md'}")
