#!/usr/bin/env python3
"""fairaudit benchmark: per-group confusion counts of an N-row Parquet file, against references
measured in the same run on the same file.

Usage (bench/run.sh sets up the environment): bench.py FAIRAUDIT_BINARY [--rows 10000000]

References:
  numpy    one pass: pyarrow reads the columns, np.bincount(group*4 + 2*y + p) — the practical
           lower bound of any tool that reads the file
  duckdb   SQL GROUP BY over read_parquet producing the same four counts per group
  fairlearn MetricFrame (selection rate, TPR, FPR, ...) on a 1M-row sample, time scaled to N
           (marked "scaled"): it needs minutes on the full file

Every tool runs in its own process, `REPEAT` times; the best wall time is kept; peak RSS is the
child's maximum resident set (from /usr/bin/time). Results go to stdout and bench/results.md.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

here = pathlib.Path(__file__).resolve().parent
REPEAT = 3


def generate(path, rows, seed=20261127):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    names = np.array(["African-American", "Caucasian", "Hispanic", "Other"])
    g = rng.choice(4, size=rows, p=[0.4, 0.35, 0.15, 0.1])
    base = np.array([0.5, 0.4, 0.35, 0.3])[g]
    y = (rng.random(rows) < base).astype(np.int64)
    score = np.clip(0.35 * y + 0.65 * rng.random(rows), 0, 1)
    p = (score >= 0.5).astype(np.int64)
    w = rng.random(rows) * 2
    table = pa.table(
        {
            "race": pa.array(names[g]),
            "y_true": pa.array(y),
            "y_pred": pa.array(p),
            "score": pa.array(score),
            "weight": pa.array(w),
        }
    )
    # pandas' defaults: snappy, 1M-row row groups, dictionary-encoded strings.
    pq.write_table(table, path, row_group_size=1_000_000)


NUMPY = r"""
import sys, time, numpy as np, pyarrow.parquet as pq
t0 = time.perf_counter()
# Strings stay dictionary-encoded as in the file: group codes come without hashing.
t = pq.read_table(sys.argv[1], columns=["race", "y_true", "y_pred"], read_dictionary=["race"])
g = t.column("race").unify_dictionaries()
codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in g.chunks]).astype(np.int64)
y = t.column("y_true").to_numpy()
p = t.column("y_pred").to_numpy()
counts = np.bincount(codes * 4 + y * 2 + p, minlength=4 * len(g.chunks[0].dictionary)).reshape(-1, 4)
print(counts.sum())
print("ELAPSED", time.perf_counter() - t0)
"""

DUCKDB = r"""
import sys, time, duckdb
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads TO 2")
r = con.execute(f'''
  SELECT race,
         sum(CASE WHEN y_true = 1 AND y_pred = 1 THEN 1 ELSE 0 END) AS tp,
         sum(CASE WHEN y_true = 0 AND y_pred = 1 THEN 1 ELSE 0 END) AS fp,
         sum(CASE WHEN y_true = 0 AND y_pred = 0 THEN 1 ELSE 0 END) AS tn,
         sum(CASE WHEN y_true = 1 AND y_pred = 0 THEN 1 ELSE 0 END) AS fn
  FROM read_parquet('{sys.argv[1]}') GROUP BY race ORDER BY race''').fetchall()
print(sum(sum(x[1:]) for x in r))
print("ELAPSED", time.perf_counter() - t0)
"""

FAIRLEARN = r"""
import sys, time, pandas as pd, pyarrow.parquet as pq
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate, false_positive_rate, false_negative_rate, true_negative_rate, count
from sklearn.metrics import accuracy_score, precision_score
t0 = time.perf_counter()
df = pq.read_table(sys.argv[1], columns=["race", "y_true", "y_pred"]).slice(0, int(sys.argv[2])).to_pandas()
mf = MetricFrame(metrics={"sel": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
                          "fnr": false_negative_rate, "tnr": true_negative_rate, "acc": accuracy_score,
                          "ppv": precision_score, "n": count},
                 y_true=df.y_true, y_pred=df.y_pred, sensitive_features=df.race)
print(mf.difference().to_dict())
print("ELAPSED", time.perf_counter() - t0)
"""


def measure(cmd):
    """Best wall time over REPEAT runs, with the peak RSS (MB) and the in-process time (the
    script's own figure after its imports, for the Python references; None otherwise) of that
    run."""
    best = None
    for _ in range(REPEAT):
        with tempfile.NamedTemporaryFile("r") as tf:
            t0 = time.perf_counter()
            out = subprocess.run(
                ["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout
            wall = time.perf_counter() - t0
            rss_mb = int(tf.read().strip().splitlines()[-1]) / 1024
        inproc = [float(l.split()[1]) for l in out.splitlines() if l.startswith("ELAPSED ")]
        if best is None or wall < best[0]:
            best = (wall, rss_mb, inproc[0] if inproc else None)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fairaudit")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--fairlearn-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-fairlearn", action="store_true")
    args = ap.parse_args()

    data = here / "data"
    data.mkdir(exist_ok=True)
    path = data / f"preds_{args.rows}.parquet"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, args.rows)
    py = sys.executable
    rows = []
    fa = measure([args.fairaudit, "audit-fairness", str(path), "--group", "race", "--json", "-q"])
    rows.append(("fairaudit audit-fairness (all metrics, disparities, JSON)", fa, False))
    faw = measure([args.fairaudit, "audit-fairness", str(path), "--group", "race", "--weight", "weight", "--json", "-q"])
    rows.append(("fairaudit audit-fairness --weight", faw, False))
    fab = measure([args.fairaudit, "audit-fairness", str(path), "--group", "race", "--bootstrap", "1000", "--json", "-q"])
    rows.append(("fairaudit audit-fairness --bootstrap 1000", fab, False))
    fas = measure([args.fairaudit, "audit-fairness", str(path), "--group", "race", "--score", "score", "--json", "-q"])
    rows.append(("fairaudit audit-fairness --score (exact AUC, BPSN/BNSP, xAUC, Brier, log loss, ECE)", fas, False))
    rows.append(("numpy bincount (pyarrow read + one pass)", measure([py, "-c", NUMPY, str(path)]), False))
    rows.append(("duckdb GROUP BY (same counts, 2 threads)", measure([py, "-c", DUCKDB, str(path)]), False))
    if not args.skip_fairlearn:
        global REPEAT
        REPEAT = 1
        wall, rss, inproc = measure([py, "-c", FAIRLEARN, str(path), str(args.fairlearn_rows)])
        scale = args.rows / args.fairlearn_rows
        rows.append(
            (
                f"fairlearn MetricFrame ({args.fairlearn_rows:,} rows, times x{scale:g}: scaled)",
                (wall * scale, rss, inproc * scale),
                True,
            )
        )

    import platform

    lines = [
        f"rows: {args.rows:,}; groups: 4; file: {path.stat().st_size / 1e6:.0f} MB Parquet; "
        f"cores: {os.cpu_count()}; {platform.processor() or platform.machine()}",
        "",
        "| tool | wall, whole process (s) | in-process, after imports (s) | peak RSS (MB) | fairaudit / tool (wall) | fairaudit / tool (in-process) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (wall, rss, inproc), _scaled in rows:
        ip = f"{inproc:.3f}" if inproc is not None else "—"
        ipr = f"{fa[0] / inproc:.3f}" if inproc is not None else "—"
        lines.append(f"| {name} | {wall:.3f} | {ip} | {rss:.0f} | {fa[0] / wall:.3f} | {ipr} |")
    text = "\n".join(lines)
    print(text)
    (here / "results.md").write_text(text + "\n")
    print(json.dumps({name: {"wall_s": w, "rss_mb": r, "in_process_s": i} for name, (w, r, i), _ in rows}), file=sys.stderr)


if __name__ == "__main__":
    main()
