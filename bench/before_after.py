"""Two fairaudit builds on the same seeded file in the same run, with DuckDB as the yardstick:
shows that a refactoring made nothing slower (issue 13).

    python bench/before_after.py BEFORE_BIN AFTER_BIN [--rows 10000000] [--out bench/results-refactor.md]

Each workload runs BEFORE and AFTER alternately, ROUNDS times each (so a warm cache or a busy
moment favours neither), and reports the best and the median wall time, on the file bench.py
generates (bench/data/preds_N.parquet, and a CSV copy for the CSV row). Needs
numpy, pyarrow and duckdb (bench/requirements.txt).
"""
import argparse
import pathlib
import statistics
import subprocess
import sys
import time

here = pathlib.Path(__file__).resolve().parent
ROUNDS = 6
sys.path.insert(0, str(here))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--out", default=str(here / "results-refactor.md"))
    args = ap.parse_args()
    data = here / "data"
    data.mkdir(exist_ok=True)
    path = data / f"preds_{args.rows}.parquet"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        bench.generate(path, args.rows)
    csv = data / f"preds_{args.rows}.csv"
    if not csv.exists():
        import pyarrow.csv as pc
        import pyarrow.parquet as pq

        pc.write_csv(pq.read_table(path), csv)
    workloads = [
        ("audit-fairness, Parquet", [str(path), "--group", "race"]),
        ("audit-fairness, CSV", [str(csv), "--group", "race"]),
        ("--weight weight", [str(path), "--group", "race", "--weight", "weight"]),
        ("--bootstrap 1000", [str(path), "--group", "race", "--bootstrap", "1000"]),
        ("--score score", [str(path), "--group", "race", "--score", "score"]),
    ]
    duck = bench.measure([sys.executable, "-c", bench.DUCKDB, str(path)])
    lines = [
        f"### Before / after on {args.rows:,} rows (same run)",
        "",
        f"before: `{args.before}`; after: `{args.after}`; {ROUNDS} alternating runs each; "
        f"DuckDB GROUP BY on the Parquet file: {duck[0]:.3f} s.",
        "",
        "| workload | before: best / median (s) | after: best / median (s) | after / before (median) | after / DuckDB (best) | peak RSS before / after (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, a in workloads:
        cmd = ["audit-fairness"] + a + ["--json", "-q"]
        times = {args.before: [], args.after: []}
        for _ in range(ROUNDS):
            for binary in (args.before, args.after):
                t0 = time.perf_counter()
                subprocess.run([binary] + cmd, stdout=subprocess.DEVNULL, check=True)
                times[binary].append(time.perf_counter() - t0)
        rss_b = bench.measure([args.before] + cmd)[1]
        rss_a = bench.measure([args.after] + cmd)[1]
        tb, ta = times[args.before], times[args.after]
        same = subprocess.run([args.before] + cmd, capture_output=True).stdout == subprocess.run(
            [args.after] + cmd, capture_output=True
        ).stdout
        lines.append(
            f"| {name}{'' if same else ' (outputs differ!)'} | {min(tb):.3f} / {statistics.median(tb):.3f} | "
            f"{min(ta):.3f} / {statistics.median(ta):.3f} | "
            f"{statistics.median(ta) / statistics.median(tb):.3f} | {min(ta) / duck[0]:.3f} | "
            f"{rss_b:.0f} / {rss_a:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    pathlib.Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
