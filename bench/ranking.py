#!/usr/bin/env python3
"""fairaudit audit-ranking benchmark: the 1M-row candidate-search log (100,000 queries x 10,
bench/make_search_log.py, seeded) in Parquet and CSV, against DuckDB, numpy and FairRankTune
computing parts of the same audit in the same run.

Usage (bench/run.sh sets up the environment): ranking.py FAIRAUDIT_BINARY [--queries 100000]
Results go to stdout and bench/results-ranking.md.

What each tool computes:
- fairaudit: the whole audit — exposure (log), shares of exposure / items / relevance, the
  exposure and treatment ratios, FairRankTune's EXP / AWRF / NDKL, rND / rKL / rRD, skew@k,
  the FA*IR test per query, top-k selection rates, diversity / inclusion; JSON.
- DuckDB: one GROUP BY gender over read_parquet: the exposure sums, item counts, relevance sums
  and top-5 counts (the pooled shares; no per-query metric).
- numpy: pyarrow reads the columns, the lists reshaped to (queries, 10) (every list is 10 long
  here), per-query exposure per group and NDKL (Geyik et al.), means over queries.
- FairRankTune 0.0.7: NDKL and EXP per query on the first 1,000 queries, its time multiplied up
  (scaled): the pure-Python per-ranking reference.
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

here = pathlib.Path(__file__).resolve().parent
REPEAT = 3

DUCKDB = r"""
import sys, time, duckdb
t0 = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads TO 2")
r = con.execute(f'''
  SELECT gender, count(*) AS items, sum(1 / log2(1 + rank)) AS exposure, sum(relevance) AS rel,
         sum(CASE WHEN rank <= 5 THEN 1 ELSE 0 END) AS top5
  FROM read_parquet('{sys.argv[1]}') GROUP BY gender ORDER BY gender''').fetchall()
tot = sum(x[2] for x in r)
print([(x[0], x[2] / tot) for x in r])
print("ELAPSED", time.perf_counter() - t0)
"""

NUMPY = r"""
import sys, time, numpy as np, pyarrow.parquet as pq
t0 = time.perf_counter()
t = pq.read_table(sys.argv[1], columns=["query_id", "rank", "gender"], read_dictionary=["gender"])
g = t.column("gender").unify_dictionaries().combine_chunks()
codes = g.indices.to_numpy(zero_copy_only=False).astype(np.int64)
rank = t.column("rank").to_numpy()
n = 10
order = np.lexsort((rank, np.arange(len(rank)) // n))
G = len(g.dictionary)
onehot = np.eye(G)[codes[order]].reshape(-1, n, G)
w = 1 / np.log2(1 + np.arange(1, n + 1))
exposure = (onehot * w[None, :, None]).sum(1)
share = exposure / exposure.sum(1, keepdims=True)
# NDKL: sum_i 1/log2(i+1) KL(D_i || D) / Z, D = the query's own shares
prefix = np.cumsum(onehot, 1) / np.arange(1, n + 1)[None, :, None]
target = prefix[:, -1:, :]
with np.errstate(divide="ignore", invalid="ignore"):
    kl = np.where(prefix > 0, prefix * np.log(prefix / target), 0).sum(2)
ndkl = (kl * w[None, :]).sum(1) / w.sum()
print(share.mean(0), ndkl.mean())
print("ELAPSED", time.perf_counter() - t0)
"""

FAIRRANKTUNE = r"""
import sys, time, pandas as pd, pyarrow.parquet as pq
import FairRankTune as frt
t0 = time.perf_counter()
m = int(sys.argv[2])
df = pq.read_table(sys.argv[1], columns=["query_id", "item_id", "rank", "gender"]).slice(0, m * 10).to_pandas()
out = []
for q, d in df.groupby("query_id", sort=False):
    d = d.sort_values("rank")
    ranking = pd.DataFrame(d.item_id.to_numpy())
    groups = dict(zip(d.item_id, d.gender))
    out.append((frt.Metrics.NDKL(ranking, groups), frt.Metrics.EXP(ranking, groups, "MinMaxRatio")[0]))
print(len(out))
print("ELAPSED", time.perf_counter() - t0)
"""


def measure(cmd, repeat=None):
    """Best wall time over the runs, with the peak RSS (MB) and the in-process time (the script's
    own figure after its imports, for the Python references; None otherwise) of that run."""
    best = None
    for _ in range(repeat or REPEAT):
        with tempfile.NamedTemporaryFile("r") as tf:
            t0 = time.perf_counter()
            out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name] + cmd,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - t0
            if out.returncode not in (0, 1):
                sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
            rss_mb = int(tf.read().strip().splitlines()[-1]) / 1024
        inproc = [float(l.split()[1]) for l in out.stdout.splitlines() if l.startswith("ELAPSED ")]
        if best is None or wall < best[0]:
            best = (wall, rss_mb, inproc[0] if inproc else None)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fairaudit")
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--frt-queries", type=int, default=1_000,
                    help="queries FairRankTune runs on (its time is scaled up)")
    a = ap.parse_args()
    data = here / "data"
    data.mkdir(exist_ok=True)
    stem = data / f"search_{a.queries}"
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    py = sys.executable
    if not parquet.exists() or not csv.exists():
        print(f"generating {stem}.* ...", file=sys.stderr)
        subprocess.run([py, str(here / "make_search_log.py"), str(stem), "--queries", str(a.queries)],
                       check=True)
    audit = ["audit-ranking", "--query", "query_id", "--rank", "rank", "--group", "gender",
             "--relevance", "relevance", "--protected", "woman", "--json", "-q"]
    fa = measure([a.fairaudit, audit[0], str(parquet)] + audit[1:])
    rows = [("fairaudit audit-ranking, Parquet (every metric, JSON)", fa, fa)]
    fac = measure([a.fairaudit, audit[0], str(csv)] + audit[1:])
    rows.append(("fairaudit audit-ranking, CSV", fac, fac))
    rows.append(("DuckDB GROUP BY gender (pooled exposure, items, relevance, top-5; 2 threads)",
                 measure([py, "-c", DUCKDB, str(parquet)]), fa))
    rows.append(("numpy (pyarrow read, lists reshaped; per-query exposure shares and NDKL)",
                 measure([py, "-c", NUMPY, str(parquet)]), fa))
    m = a.frt_queries
    wall, rss, inproc = measure([py, "-c", FAIRRANKTUNE, str(parquet), str(m)], repeat=1)
    k = a.queries / m
    rows.append((f"FairRankTune NDKL + EXP per query ({m:,} queries, times x{k:g}: scaled)",
                 (wall * k, rss, inproc * k), fa))
    fab = measure([a.fairaudit, audit[0], str(parquet)] + audit[1:] + ["--bootstrap", "200"])
    rows.append(("fairaudit --bootstrap 200 (queries resampled, every number)", fab, fab))
    rows_n = a.queries * 10
    lines = [
        f"### {rows_n:,} rows ({a.queries:,} queries x 10)",
        "",
        f"{parquet.stat().st_size / 1e6:.0f} MB Parquet, {csv.stat().st_size / 1e6:.0f} MB CSV, "
        f"3 groups; best of {REPEAT} (FairRankTune: 1 run).",
        "",
        "| workload | wall, whole process (s) | in-process, after imports (s) | peak RSS (MB) | fairaudit / tool (wall) | fairaudit / tool (in-process) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, (wall, rss, inproc), (ref_wall, _, _) in rows:
        ip = f"{inproc:.3f}" if inproc is not None else "—"
        ipr = f"{ref_wall / inproc:.3f}" if inproc is not None else "—"
        lines.append(f"| {name} | {wall:.3f} | {ip} | {rss:.0f} | {ref_wall / wall:.3f} | {ipr} |")
    text = "\n".join(lines)
    print(text)
    (here / "results-ranking.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
