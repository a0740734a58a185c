#!/usr/bin/env python3
"""What the HTML report adds to a run (issue 14: under 10 %).

Runs the same audit with --format table and --format html (and --plot) alternately, REPS times
each, on the benchmark file, and prints the best wall time of each and the ratio.
Usage: bench/html_overhead.py FAIRAUDIT_BIN [FILE] [REPS]
"""
import subprocess, sys, tempfile, time

bin_ = sys.argv[1]
path = sys.argv[2] if len(sys.argv) > 2 else "bench/data/preds_10000000.parquet"
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
plots = tempfile.mkdtemp()
cases = {
    "counts": ["audit-fairness", path, "--group", "race"],
    "--score": ["audit-fairness", path, "--group", "race", "--score", "score"],
}
print(f"| audit ({path}) | table (s) | html (s) | html + --plot (s) | html / table |")
print("|---|---:|---:|---:|---:|")
for name, args in cases.items():
    best = {}
    for _ in range(reps):
        for fmt, extra in [("table", []), ("html", []), ("plot", ["--plot", plots])]:
            f = "html" if fmt == "plot" else fmt
            t = time.perf_counter()
            subprocess.run([bin_, *args, "--format", f, "-q", *extra], check=True, stdout=subprocess.DEVNULL)
            best[fmt] = min(best.get(fmt, 1e9), time.perf_counter() - t)
    print(f"| {name} | {best['table']:.3f} | {best['html']:.3f} | {best['plot']:.3f} | {best['html'] / best['table']:.3f} |")
