#!/usr/bin/env python3
"""fairaudit audit-reward benchmark: every pairs panel (accuracy per subset with RewardBench's
section scores, length bias with Pearson and Spearman, calibration with the fitted temperature,
per-group accuracy) on N preference pairs in one Parquet file, against numpy / scipy computing the
same numbers in the same run.

Usage (bench/run.sh sets up the environment): reward.py FAIRAUDIT_BINARY [--pairs 1000000]
Results go to stdout and bench/results-reward.md.
"""
import argparse
import pathlib
import subprocess
import sys
import time

here = pathlib.Path(__file__).resolve().parent
REPEAT = 3
SUBSETS = ["alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med",
           "mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst",
           "llmbar-adver-GPTOut", "llmbar-adver-manual", "refusals-dangerous", "refusals-offensive",
           "xstest-should-refuse", "xstest-should-respond", "donotanswer", "math-prm", "hep-cpp",
           "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust"]


def generate(path, n, seed=20261127):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    lc = rng.integers(20, 800, n)
    lr = rng.integers(20, 800, n)
    c = np.round(rng.normal(0.5, 1, n) + (lc - lr) / 800, 3)
    r = np.round(rng.normal(0, 1, n), 3)
    pq.write_table(pa.table({
        "id": pa.array(np.arange(n) // 2),
        "subset": pa.array(np.array(SUBSETS)[rng.integers(0, len(SUBSETS), n)]),
        "score_chosen": pa.array(c), "score_rejected": pa.array(r),
        "len_chosen": pa.array(lc), "len_rejected": pa.array(lr),
        "lang": pa.array(np.array(["en", "de", "fr", "es"])[rng.integers(0, 4, n)]),
    }), path, row_group_size=1_000_000)


REFERENCE = r"""
import sys, time, numpy as np, pyarrow.parquet as pq
from scipy import optimize, stats
t0 = time.perf_counter()
t = pq.read_table(sys.argv[1]).to_pandas()
c, r = t.score_chosen.to_numpy(), t.score_rejected.to_numpy()
lc, lr = t.len_chosen.to_numpy(float), t.len_rejected.to_numpy(float)
right = (c > r).astype(float)
per_subset = t.assign(right=right).groupby("subset").right.mean()
per_group = t.assign(right=right).groupby("lang").right.mean()
scores, lens = np.stack([c, r], 1).ravel(), np.stack([lc, lr], 1).ravel()
pearson = stats.pearsonr(scores, lens)[0]
spearman = stats.spearmanr(scores, lens)[0]
m = c - r
conf = 1 / (1 + np.exp(-np.abs(m)))
b = np.minimum(((conf - 0.5) / 0.05).astype(int), 9)
ece = sum(abs(right[b == k].mean() - conf[b == k].mean()) * (b == k).mean() for k in range(10) if (b == k).any())
loss = lambda a: np.mean(np.logaddexp(0, -a * m))
res = optimize.minimize_scalar(lambda s: loss(np.exp(-s)), bounds=(-10, 10), method="bounded")
print(per_subset.mean(), per_group.mean(), pearson, spearman, ece, loss(1.0), res.fun)
print("ELAPSED", time.perf_counter() - t0)
"""


def run(cmd, repeat=REPEAT):
    """Best wall time of `repeat` runs of `cmd` (own process each) and the largest peak RSS (MB)."""
    best, rss = None, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "RSS %M"] + cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if out.returncode not in (0, 1):
            sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
        rss = max(rss, int(out.stderr.split("RSS ")[-1].split()[0]) / 1024)
        best = wall if best is None else min(best, wall)
    return best, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--pairs", type=int, default=1_000_000)
    a = ap.parse_args()
    data = here / "data"
    data.mkdir(exist_ok=True)
    path = data / f"pairs_{a.pairs}.parquet"
    if not path.exists():
        generate(path, a.pairs)
    base = [a.binary, "audit-reward", str(path), "--preset", "rewardbench", "--chosen-length", "len_chosen",
            "--rejected-length", "len_rejected", "-g", "lang", "--json", "-q", "-o", "/dev/null"]
    rows = [
        ("fairaudit audit-reward (accuracy, RewardBench, length, calibration + temperature, groups)", run(base)),
        ("fairaudit audit-reward, same + --bootstrap 200 (prompts resampled)", run(base + ["--bootstrap", "200"])),
        ("numpy + scipy + pandas (same numbers, one process)", run([sys.executable, "-c", REFERENCE, str(path)])),
    ]
    head = rows[0][1][0]
    lines = [f"pairs: {a.pairs:,}; file: {path.stat().st_size / 1e6:.0f} MB Parquet", "",
             "| tool | wall (s) | peak RSS (MB) | fairaudit / tool |", "|---|---:|---:|---:|"]
    for name, (wall, rss) in rows:
        lines.append(f"| {name} | {wall:.3f} | {rss:.0f} | {head / wall:.3f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (here / "results-reward.md").write_text(text)


if __name__ == "__main__":
    main()
