#!/usr/bin/env python3
"""The 1M-row candidate-search log of issue 18's benchmark (`audit-ranking` at scale).

    /work/venv/bin/python bench/make_search_log.py OUT_STEM [--queries 100000] [--per-query 10]

Writes OUT_STEM.csv and, when pyarrow is importable, OUT_STEM.parquet (the same table; written and
run with numpy 2.4.6 and pyarrow 26.0.1 from /work/venv, Python 3.11.7). Without pyarrow only the
CSV is written and a line on standard error says so.

Same columns and shape as fixtures/ranking_search.csv (scripts/make_ranking.py): query_id
(q000001 ...), item_id (c0000001 ..., from a pool of queries * per_query / 2 candidates, so a
candidate appears in about 2 queries; drawn with replacement across queries, without within one),
rank 1..n (every query has n = per_query here: the benchmark's 100,000 x 10), score (4 decimals,
strictly decreasing within a query), gender (woman / man / nonbinary, 45 / 50 / 5 %, fixed per
candidate), relevance 0..3. Same generating model as the fixture (women scored 0.45 lower at
equal fit), drawn with numpy's PCG64 generator seeded 18 (numpy.random.default_rng(18)):
deterministic for a given numpy version's Generator stream.
"""
import argparse
import pathlib
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_stem", help="output path without extension (.csv and .parquet are added)")
    ap.add_argument("--queries", type=int, default=100_000)
    ap.add_argument("--per-query", type=int, default=10)
    a = ap.parse_args()
    Q, n = a.queries, a.per_query
    rng = np.random.default_rng(18)
    pool = max(n, Q * n // 2)
    genders = np.array(["woman", "man", "nonbinary"])
    cand_gender = rng.choice(3, size=pool, p=[0.45, 0.50, 0.05])
    penalty = np.array([0.45, 0.0, 0.2])

    # n distinct candidates per query: random keys, argpartition per query (no repeats within one)
    cands = np.empty((Q, n), dtype=np.int64)
    chunk = 2000
    for s in range(0, Q, chunk):
        e = min(Q, s + chunk)
        draw = rng.integers(0, pool, size=(e - s, n * 2))
        for r in range(e - s):
            row = draw[r]
            _, first = np.unique(row, return_index=True)
            uniq = row[np.sort(first)]
            while len(uniq) < n:  # practically never: 20 draws from a pool of 500,000
                extra = rng.integers(0, pool, size=n)
                allv = np.concatenate([uniq, extra])
                _, first = np.unique(allv, return_index=True)
                uniq = allv[np.sort(first)]
            cands[s + r] = uniq[:n]

    fit = rng.standard_normal((Q, n))
    rel_latent = fit + 0.6 * rng.standard_normal((Q, n))
    relevance = np.digitize(rel_latent, [-0.6, 0.3, 1.1])
    g = cand_gender[cands]
    z = 0.9 * fit + 0.55 * rng.standard_normal((Q, n)) - penalty[g]
    score = 1.0 / (1.0 + np.exp(-z))

    order = np.argsort(-score, axis=1, kind="stable")
    take = lambda m: np.take_along_axis(m, order, axis=1)
    cands, relevance, g, score = take(cands), take(relevance), take(g), take(score)
    s4 = np.clip(np.rint(score * 10000).astype(np.int64), 1, 9999)
    for j in range(1, n):  # strictly decreasing after rounding to 4 decimals
        s4[:, j] = np.minimum(s4[:, j], s4[:, j - 1] - 1)
    low = s4[:, -1] < 1  # rare: a query's tail went below 0.0001; raise it from the bottom up
    if low.any():
        sub = s4[low]
        sub[:, -1] = np.maximum(sub[:, -1], 1)
        for j in range(n - 2, -1, -1):
            sub[:, j] = np.maximum(sub[:, j], sub[:, j + 1] + 1)
        s4[low] = sub
    assert (s4 >= 1).all() and (s4 <= 9999).all() and (np.diff(s4, axis=1) < 0).all()

    qid = np.char.add("q", np.char.zfill(np.arange(1, Q + 1).astype(str), 6))
    cols = {
        "query_id": np.repeat(qid, n),
        "item_id": np.char.add("c", np.char.zfill((cands.ravel() + 1).astype(str), 7)),
        "rank": np.tile(np.arange(1, n + 1), Q),
        "score": s4.ravel() / 10000.0,
        "gender": genders[g.ravel()],
        "relevance": relevance.ravel(),
    }
    out = pathlib.Path(a.out_stem)
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.name + ".csv")
    with open(csv_path, "w") as f:
        f.write("query_id,item_id,rank,score,gender,relevance\n")
        step = 100_000
        N = Q * n
        for s in range(0, N, step):
            e = min(N, s + step)
            lines = [f"{a},{b},{c},{d:.4f},{e_},{h}" for a, b, c, d, e_, h in
                     zip(cols["query_id"][s:e], cols["item_id"][s:e], cols["rank"][s:e].tolist(),
                         cols["score"][s:e].tolist(), cols["gender"][s:e], cols["relevance"][s:e].tolist())]
            f.write("\n".join(lines) + "\n")
    print("wrote", csv_path, Q * n, "rows")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow not importable: Parquet not written", file=sys.stderr)
        return
    table = pa.table({
        "query_id": pa.array(cols["query_id"].tolist(), pa.string()),
        "item_id": pa.array(cols["item_id"].tolist(), pa.string()),
        "rank": pa.array(cols["rank"], pa.int64()),
        "score": pa.array(np.round(cols["score"], 4), pa.float64()),
        "gender": pa.array(cols["gender"].tolist(), pa.string()),
        "relevance": pa.array(cols["relevance"], pa.int64()),
    })
    pq_path = out.with_name(out.name + ".parquet")
    pq.write_table(table, pq_path)
    print("wrote", pq_path, f"(pyarrow {pa.__version__})")


if __name__ == "__main__":
    main()
