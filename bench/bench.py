#!/usr/bin/env python3
"""fairaudit benchmark: per-group confusion counts of an N-row Parquet file, against references
measured in the same run on the same file.

Usage (bench/run.sh sets up the environment): bench.py FAIRAUDIT_BINARY [--rows 1000000,10000000]

References:
  numpy    one pass: pyarrow reads the columns, np.bincount(group*4 + 2*y + p) — the practical
           lower bound of any tool that reads the file
  duckdb   SQL GROUP BY over read_parquet producing the same four counts per group
  fairlearn MetricFrame (selection rate, TPR, FPR, ...) on a 1M-row sample, time scaled to N
           (marked "scaled"): it needs minutes on the full file
  aequitas Group().get_crosstabs on the same 1M-row sample, scaled (its own venv, whose pandas
           pin clashes with fairlearn's: bench/.venv-aequitas, or AEQUITAS_PYTHON)
  numpy    the 1000-replicate count bootstrap (multinomial draws per group) for --bootstrap 1000
  sklearn  roc_auc_score per group and overall for the exact-AUC workload (--score)

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


def categorical(plain, path):
    """The same rows with `race` as pandas writes a `category` column (Arrow dictionary<int8,
    string> in the Parquet schema): read and written by pandas, 1M rows at a time (pandas'
    own row groups), so the file is what `df.to_parquet` gives a pandas user."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = pq.ParquetFile(plain)
    writer = None
    for batch in src.iter_batches(batch_size=1_000_000):
        df = batch.to_pandas()
        df["race"] = df["race"].astype(pd.CategoricalDtype(sorted(df["race"].unique())))
        table = pa.Table.from_pandas(df, preserve_index=False)
        if writer is None:
            # One categories list for the file (pandas writes one per call; every chunk has the
            # same four groups, sorted).
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
    writer.close()


def generate(path, rows, seed=20261127):
    """Seeded synthetic predictions, written in 10M-row chunks (bounded memory at any size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    names = np.array(["African-American", "Caucasian", "Hispanic", "Other"])
    writer = None
    done = 0
    while done < rows:
        n = min(10_000_000, rows - done)
        g = rng.choice(4, size=n, p=[0.4, 0.35, 0.15, 0.1])
        base = np.array([0.5, 0.4, 0.35, 0.3])[g]
        y = (rng.random(n) < base).astype(np.int64)
        score = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
        p = (score >= 0.5).astype(np.int64)
        w = rng.random(n) * 2
        table = pa.table(
            {
                # Plain strings (Parquet dictionary-encodes them), as pandas writes an object column.
                "race": pa.array(names[g]),
                "y_true": pa.array(y),
                "y_pred": pa.array(p),
                "score": pa.array(score),
                "weight": pa.array(w),
            }
        )
        if writer is None:
            # pandas' defaults: snappy, 1M-row row groups, dictionary-encoded strings.
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
        done += n
    writer.close()


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

AEQUITAS = r"""
import sys, time, pyarrow.parquet as pq
from aequitas.group import Group
t0 = time.perf_counter()
df = pq.read_table(sys.argv[1], columns=["race", "y_true", "y_pred"]).slice(0, int(sys.argv[2])).to_pandas()
df = df.rename(columns={"y_true": "label_value", "y_pred": "score"})
df["race"] = df["race"].astype(str)
xtab, _ = Group().get_crosstabs(df, attr_cols=["race"])
print(len(xtab))
print("ELAPSED", time.perf_counter() - t0)
"""

SKLEARN_AUC = r"""
import sys, time, numpy as np, pyarrow.parquet as pq
from sklearn.metrics import roc_auc_score
t0 = time.perf_counter()
t = pq.read_table(sys.argv[1], columns=["race", "y_true", "score"], read_dictionary=["race"])
g = t.column("race").unify_dictionaries()
codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in g.chunks])
y = t.column("y_true").to_numpy()
s = t.column("score").to_numpy()
print([roc_auc_score(y[codes == k], s[codes == k]) for k in range(4)], roc_auc_score(y, s))
print("ELAPSED", time.perf_counter() - t0)
"""

BOOTSTRAP = r"""
import sys, time, numpy as np, pyarrow.parquet as pq
t0 = time.perf_counter()
t = pq.read_table(sys.argv[1], columns=["race", "y_true", "y_pred"], read_dictionary=["race"])
g = t.column("race").unify_dictionaries()
codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in g.chunks]).astype(np.int64)
counts = np.bincount(codes * 4 + t.column("y_true").to_numpy() * 2 + t.column("y_pred").to_numpy(),
                     minlength=16).reshape(-1, 4)
rng = np.random.default_rng(7)
# 1000 replicates: a multinomial draw of each group's quadrants (fairaudit's count bootstrap),
# then selection rate, TPR, FPR per group and their largest differences.
draws = np.stack([rng.multinomial(c.sum(), c / c.sum(), size=1000) for c in counts], axis=1)
tn, fp, fn, tp = (draws[..., k].astype(float) for k in range(4))
sel = (tp + fp) / (tn + fp + fn + tp)
tpr = tp / (tp + fn)
fpr = fp / (fp + tn)
for m in (sel, tpr, fpr):
    print(np.percentile(m.max(axis=1) - m.min(axis=1), [2.5, 97.5]))
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


def one_size(args, n, fairlearn, aequitas):
    """Every workload on an n-row file; returns the Markdown table."""
    global REPEAT
    REPEAT = 3 if n <= 10_000_000 else 1
    data = here / "data"
    data.mkdir(exist_ok=True)
    path = data / f"preds_{n}.parquet"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, n)
    py = sys.executable
    fa_cmd = [args.fairaudit, "audit-fairness", str(path), "--group", "race", "--json", "-q"]
    rows = []
    fa = measure(fa_cmd)
    rows.append(("fairaudit audit-fairness (all metrics, disparities, JSON)", fa, fa))
    rows.append(("numpy bincount (pyarrow read + one pass)", measure([py, "-c", NUMPY, str(path)]), fa))
    rows.append(("duckdb GROUP BY (same counts, 2 threads)", measure([py, "-c", DUCKDB, str(path)]), fa))
    # The same rows with the group as a pandas `category` column (dictionary-encoded in the
    # schema): both tools on that file.
    cat = data / f"preds_{n}_category.parquet"
    if not cat.exists():
        print(f"generating {cat} ...", file=sys.stderr)
        categorical(path, cat)
    fac = measure([args.fairaudit, "audit-fairness", str(cat), "--group", "race", "--json", "-q"])
    rows.append(("fairaudit audit-fairness, race as a pandas category (dictionary) column", fac, fac))
    rows.append(("duckdb GROUP BY, the same category file", measure([py, "-c", DUCKDB, str(cat)]), fac))
    if fairlearn is not None:
        wall, rss, inproc, m = fairlearn
        rows.append((f"fairlearn MetricFrame ({m:,} rows, times x{n / m:g}: scaled)",
                     (wall * n / m, rss, inproc * n / m), fa))
    if aequitas is not None:
        wall, rss, inproc, m = aequitas
        rows.append((f"aequitas Group().get_crosstabs ({m:,} rows, times x{n / m:g}: scaled)",
                     (wall * n / m, rss, inproc * n / m), fa))
    faw = measure(fa_cmd + ["--weight", "weight"])
    rows.append(("fairaudit --weight", faw, faw))
    fab = measure(fa_cmd + ["--bootstrap", "1000"])
    rows.append(("fairaudit --bootstrap 1000 (count metrics, every disparity)", fab, fab))
    rows.append(("numpy: the same 1000 multinomial replicates, 3 rates", measure([py, "-c", BOOTSTRAP, str(path)]), fab))
    if n <= args.max_score_rows:
        fas = measure(fa_cmd + ["--score", "score"])
        rows.append(("fairaudit --score (exact AUC per group + BPSN/BNSP, xAUC, Brier, log loss, ECE)", fas, fas))
        rows.append(("scikit-learn roc_auc_score per group + overall", measure([py, "-c", SKLEARN_AUC, str(path)]), fas))
    import platform

    lines = [
        f"### {n:,} rows",
        "",
        f"{path.stat().st_size / 1e6:.0f} MB Parquet, 4 groups; cores: {os.cpu_count()}; "
        f"{platform.processor() or platform.machine()}; best of {REPEAT}.",
        "",
        "| workload | wall, whole process (s) | in-process, after imports (s) | peak RSS (MB) | fairaudit / tool (wall) | fairaudit / tool (in-process) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (wall, rss, inproc), (ref_wall, _, _) in rows:
        ip = f"{inproc:.3f}" if inproc is not None else "—"
        ipr = f"{ref_wall / inproc:.3f}" if inproc is not None else "—"
        lines.append(f"| {name} | {wall:.3f} | {ip} | {rss:.0f} | {ref_wall / wall:.3f} | {ipr} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fairaudit")
    ap.add_argument("--rows", default="1000000,10000000,100000000",
                    help="comma-separated sizes (default 1M, 10M, 100M)")
    ap.add_argument("--fairlearn-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-fairlearn", action="store_true")
    ap.add_argument("--max-score-rows", type=int, default=10_000_000,
                    help="the exact-AUC workload runs up to this size (it keeps every score)")
    args = ap.parse_args()
    sizes = [int(x) for x in args.rows.split(",")]
    py = sys.executable
    # The slow references run once, on a 1M-row slice of the smallest file, and are scaled.
    sample = min(sizes + [args.fairlearn_rows])
    data = here / "data"
    data.mkdir(exist_ok=True)
    first = data / f"preds_{min(sizes)}.parquet"
    if not first.exists():
        generate(first, min(sizes))
    global REPEAT
    REPEAT = 1
    fairlearn = None
    if not args.skip_fairlearn:
        wall, rss, inproc = measure([py, "-c", FAIRLEARN, str(first), str(sample)])
        fairlearn = (wall, rss, inproc, sample)
    aequitas = None
    aeq_py = pathlib.Path(os.environ.get("AEQUITAS_PYTHON", here / ".venv-aequitas" / "bin" / "python"))
    if aeq_py.exists():
        wall, rss, inproc = measure([str(aeq_py), "-c", AEQUITAS, str(first), str(sample)])
        aequitas = (wall, rss, inproc, sample)
    tables = [one_size(args, n, fairlearn, aequitas) for n in sizes]
    text = "\n\n".join(tables)
    print(text)
    (here / "results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
