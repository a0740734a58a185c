#!/usr/bin/env python3
"""Independent expected values for issue 18's `audit-ranking` on the ranking and recommendation
fixtures. Written from the papers and the libraries' sources, not from fairaudit's code.

    python3 scripts/make_ranking.py
    /work/venv18/bin/python scripts/oracle_ranking.py

Writes tests/expected/ranking/{ranking_search,ranking_small,recommendations,
recommendations_small}.json (pretty-printed, sorted keys, floats as Python repr; a value that is
undefined is null, the reason under "notes").

Environment (/work/venv18, python3 -m venv, pip): Python 3.11.7, FairRankTune 0.0.7,
fairsearchcore 1.0.4, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1 (recorded under "versions").

Upstream files read (each as it is at the stated commit, the repository head; `git log -p` on
each file read):
  KCachel/fairranktune @ 9dd15505eeff843e6acf910515669d4aac826742
    src/FairRankTune/Metrics/EXP.py, AWRF.py (last changed 13e21fa9, 2023-08-21), NDKL.py,
    ComboUtil.py (last changed 8a06ae06, 2023-08-18), docs/metrics.md. The installed PyPI 0.0.7
    files are identical to the head's (modulo CRLF line ends): the library is called, not copied.
  fair-search/fairsearchcore-python @ a92a3d6a94e8050a1216d7f5d1157d4882d4d584
    fairsearchcore/fair.py (last changed 9c4d3b2a), mtable_generator.py, fail_prob.py (last
    changed 37c031d0, 2019-02-24); identical to PyPI 1.0.4. Called, with ONE shim:
    fail_prob.LegalAssignmentKey.__hash__ returns numpy.int64 under today's pandas (its
    `aux_mtable['block'].sum()`; the 2019 code relied on object-dtype frames) and Python raises
    "TypeError: __hash__ method should return an integer" in adjust_alpha() / is_fair(); the
    shim wraps the same expression in int() (also fails with pandas 1.5.3 and 2.3.3, tried).
  DataResponsibly/FairRank @ cc203679ffbe53ff38c5f535062af1333860ac58
    measures.py (fb8a5c5e, 2017-01-26), dataGenerator.py (2af02843), normalizer.txt: rND, rKL,
    rRD and their normaliser, transcribed below in numpy (the code is Python 2); the transcription
    is checked against the repository's own functions, executed with minimal Python-3 edits
    (`long`, `basestring`, one print statement), in "crosscheck_fairrank".
  jizhi-zhang/FaiRLLM @ a154dd60ade017442c382182f009d271ce5e0ccf
    process.ipynb (29ece932, 2023-05-15): calc_metric_at_k (iou = Jaccard), calc_serp_ms,
    calc_prag, calc_mean_metric_k, return_min_max_delta_std (SNSR = max - min, SNSV =
    numpy .std(), ddof 0). The same functions are in FairEval's notebook
    (xutony05/FairEval @ ece6d8d89495a840b19b32b5083aee29dadd0782, OpenAI/process.ipynb), which
    only adds skipping of prompts missing from a file. Transcribed exactly below.

Definitions (ranking files; rows of a query in rank order; protected group `woman`)
  * FairRankTune, per query: ranking_df = one column of the query's item ids in rank order,
    item_group_dict = {item: gender} of the query's items only. EXP(ranking_df, d, combo) for the
    7 combos (MinMaxRatio, MaxMinRatio, MaxMinDiff, MaxAbsDiff, MeanAbsDev, LTwo, Variance) and
    its per-group average exposures (1/log2(1+rank) summed over the group's items / the number of
    the group's items in the dict). AWRF(ranking_df, d, p, combo): no default p exists in the code
    (p is a required argument, the "first position's share of attention"; attention =
    100 (1-p)^(rank-1) p, NO target distribution, unlike Sapiezynski et al.): recorded at p = 0.5
    and p = 0.01 (docs/metrics.md's example). NDKL(ranking_df, d).
    Pooled ("library"): the same functions on all queries at once (one column per query, padded
    with NaN; the dict over all items). NB: the per-group average then divides by the number of
    DISTINCT items of the group, although a candidate may appear in several queries.
  * Exposure per group (pandas), weights w(r): log = 1/log2(1+r); geometric = p^(r-1);
    rbp = (1-p) p^(r-1); p = 0.5. Per query and pooled over all rows: exposure (sum of weights),
    mean_exposure (per item), share_of_exposure = sum_g / sum_all, share_of_items = n_g / n,
    share_of_relevance = sum of relevance_g / sum of relevance (null when 0),
    exposure_to_items = share_of_exposure / share_of_items, exposure_to_relevance =
    share_of_exposure / share_of_relevance (Singh & Joachims' demographic-parity and
    disparate-treatment quantities, as shares).
  * rND, rKL, rRD (Yang & Stoyanovich 2017, FairRank measures.py): N = list length, S+ = the
    protected items (pro_N = |S+|), for every cut-off i = step, 2 step, ... <= N with i % step == 0
    (measures.py's loop), f(i) / log2(i + 1) summed; pro_i = protected among the first i.
      rND f = |pro_i / i - pro_N / N|
      rKL f = px log2(px/qx) + (1-px) log2((1-px)/(1-qx)), px = pro_i / i, qx = pro_N / N, with
              px (and qx) set to 0.001 when 0 or 1 (the code's guard)
      rRD f = |min(R, r_i) - R|, R = pro_N / (N - pro_N), r_i = pro_i / (i - pro_i), r_i = 0 when
              i = pro_i ("consistent with the FATML poster, not the arXiv version", the code says)
    Normalisers: "raw" = the sum; Z_max = the largest sum over every placement of pro_N protected
    items among N positions (exhaustive; the paper's "highest possible value for N and |S+|");
    Z_code = measures.calculateNormalizer: max over fairness probabilities fp in {0, 0.98} (rRD:
    {0, 0.5}) of the mean over NORM_ITERATION = 10 rankings from dataGenerator.
    generateUnfairRanking(fp) (each next item protected with probability fp while both groups
    remain); its random mean is replaced here by its exact expectation (dynamic programme over
    the count of protected items), so Z_code = max(sum at fp = 0, E[sum at fp]). The code itself
    computes its normaliser at NORM_CUTPOINT = 10 whatever the step, and raises ValueError when
    N < 10 ("Batch size should be less than ...") or pro_N in {0, N}; at step 10 on a 10-long
    list the only cut-off is the whole list, so every sum and Z is 0 (0/0: null). Values
    normalised by both Z's; null on Z = 0. `code_raises` says when measures.py would refuse.
  * skew@k (Geyik et al. 2019) per group g and k = 1..n: ln(p_{top k, g} / p_{q, g}), target
    p_{q, g} = the query's own share of g (groups present in the query); null for a group absent
    from the top k (ln 0 = -inf). min_skew / max_skew @k over the query's groups.
    NDKL (paper's eq.): (1/Z) sum_{i=1..n} 1/log2(i+1) KL(D_{top i} || D_query), natural log,
    0 ln 0 = 0, Z = sum 1/log2(i+1). FairRankTune adds 1e-7 to both distributions (unrenormalised)
    before its KL: the two differ by ~1e-7 (recorded: ndkl_paper - ndkl_fairranktune).
  * FA*IR (fairsearchcore): per query, fsc.Fair(k = n (the query's list length: 10, or 6..9 —
    the library warns below 10 but accepts k >= 2; k = 10 on a shorter list raises ValueError in
    check_ranking, so it is not passed), p = the overall share of women in the file's rows,
    alpha = 0.1); is_fair on FairScoreDoc(item, score, gender == woman) in rank order;
    create_adjusted_mtable(), adjust_alpha(), create_unadjusted_mtable(). Cross-checked: the
    prefix test against the adjusted mtable done here by hand; the unadjusted mtable =
    scipy binom.ppf(alpha, i, p); the adjusted mtable's fail probability (P(a ranking with each
    position protected with probability p fails it), computed here by a binomial DP) <= alpha.
  * top-k selection rates (k = 5, 10), pooled over queries: per group, #(rows of g with rank <= k)
    / #(rows of g); the ratio of each group's rate to man's and to the highest rate.
  * Means over queries: the unweighted mean of each per-query scalar over the queries where it is
    defined (count recorded as n_defined).

Definitions (recommendation files; FaiRLLM's process.ipynb, x = the sensitive list, y = the
neutral list of the same prompt, both cut at K)
  * Jaccard@K ("iou") = |set(x[:K]) & set(y[:K])| / |set(x[:K]) | set(y[:K])|
  * SERP*@K ("serp_ms") = sum over positions i = 0..K-1 (0-based) of x with x[i] in y of
    (len(x) - i + 1), times 0.5 / ((len(y) + 1) len(y)). NB: the code's top weight is K + 1 (0-based
    i) and its normaliser is 2 K (K+1); two identical lists score
    ((K+1)(K+2)/2 - 1) / (2 K (K+1)) (1/3 at K = 5, 0.2955 at 10, 0.2738 at 20), not 1 —
    recorded as "serp_ms_identical_lists". (The paper writes the weight as K - rank + 1 over
    K (K+1) / 2, which gives 1: recorded too as "serp_paper", the value fairaudit reports.)
  * PRAG*@K ("prag"): over all pairs i < j of x (K (K-1) / 2 pairs): no credit if x[i] is not in
    y; credit 1 if x[i] is in y and x[j] is not; credit 1 if both are in y and x[i] is ranked
    above x[j] in y; / the number of pairs. (K = 1: 1 if x == y else 0.)
  * Per variant value: the mean over prompts; per attribute: SNSR = max - min of the values'
    means, SNSV = numpy std of the values' means (population, ddof = 0, as `.std()` in
    return_min_max_delta_std). K = 5, 10, 20 (x[:K], y[:K] of the 20-long lists; FaiRLLM asks the
    LLM for a separate top-K list per K — here one list is cut).
"""
import csv
import importlib.metadata as md
import itertools
import json
import math
import pathlib
import platform
import random
import sys
import types
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy.stats import binom

import FairRankTune as frt
import fairsearchcore as fsc
from fairsearchcore import fail_prob as _fsc_fail_prob
from fairsearchcore.models import FairScoreDoc

_orig_hash = _fsc_fail_prob.LegalAssignmentKey.__hash__
_fsc_fail_prob.LegalAssignmentKey.__hash__ = lambda self: int(_orig_hash(self))

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"
out_dir = root / "tests" / "expected" / "ranking"

PROTECTED = "woman"
COMBOS = ["MinMaxRatio", "MaxMinRatio", "MaxMinDiff", "MaxAbsDiff", "MeanAbsDev", "LTwo", "Variance"]
AWRF_P = [0.5, 0.01]
P_GEOM = 0.5
STEPS = [1, 5, 10]
ALPHA = 0.1
TOPK = [5, 10]
KS_REC = [5, 10, 20]

UPSTREAM = {
    "fairranktune": {"repo": "KCachel/fairranktune", "commit": "9dd15505eeff843e6acf910515669d4aac826742",
                      "files": ["src/FairRankTune/Metrics/EXP.py", "src/FairRankTune/Metrics/AWRF.py",
                                "src/FairRankTune/Metrics/NDKL.py", "src/FairRankTune/Metrics/ComboUtil.py",
                                "docs/metrics.md"]},
    "fairsearchcore": {"repo": "fair-search/fairsearchcore-python",
                        "commit": "a92a3d6a94e8050a1216d7f5d1157d4882d4d584",
                        "files": ["fairsearchcore/fair.py", "fairsearchcore/mtable_generator.py",
                                  "fairsearchcore/fail_prob.py"]},
    "fairrank": {"repo": "DataResponsibly/FairRank", "commit": "cc203679ffbe53ff38c5f535062af1333860ac58",
                  "files": ["measures.py", "dataGenerator.py", "normalizer.txt"]},
    "fairllm": {"repo": "jizhi-zhang/FaiRLLM", "commit": "a154dd60ade017442c382182f009d271ce5e0ccf",
                 "files": ["process.ipynb"]},
    "faireval": {"repo": "xutony05/FairEval", "commit": "ece6d8d89495a840b19b32b5083aee29dadd0782",
                  "files": ["OpenAI/process.ipynb"]},
}


def fl(x):
    """A JSON number, or None for nan / inf / None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def mean_defined(values):
    v = [x for x in values if x is not None]
    return {"mean": (sum(v) / len(v)) if v else None, "n_defined": len(v)}


# ---------------------------------------------------------------------------------------------
# Yang & Stoyanovich (FairRank measures.py), transcribed
# ---------------------------------------------------------------------------------------------
def f_rnd(i, pro_i, N, pro_N):
    return abs(pro_i / i - pro_N / N)


def f_rkl(i, pro_i, N, pro_N):
    px = pro_i / i
    qx = pro_N / N
    if px == 0 or px == 1:
        px = 0.001
    if qx == 0 or qx == 1:
        qx = 0.001
    return px * math.log(px / qx, 2) + (1 - px) * math.log((1 - px) / (1 - qx), 2)


def f_rrd(i, pro_i, N, pro_N):
    input_ratio = pro_N / (N - pro_N)
    unpro = i - pro_i
    current = 0 if unpro == 0 else pro_i / unpro
    return abs(min(input_ratio, current) - input_ratio)


FUNCS = {"rND": f_rnd, "rKL": f_rkl, "rRD": f_rrd}


def yang_sum(is_pro, measure, step):
    """Sum over cut-offs i (i % step == 0) of f(i) / log2(i + 1); is_pro: 0/1 list in rank order."""
    N = len(is_pro)
    pro_N = sum(is_pro)
    total = 0.0
    pro_i = 0
    for i in range(1, N + 1):
        pro_i += is_pro[i - 1]
        if i % step == 0:
            total += FUNCS[measure](i, pro_i, N, pro_N) / math.log(i + 1, 2)
    return total


_Z_CACHE = {}


def z_max(N, pro_N, measure, step):
    key = ("max", N, pro_N, measure, step)
    if key not in _Z_CACHE:
        best = 0.0
        for pos in itertools.combinations(range(N), pro_N):
            is_pro = [0] * N
            for p in pos:
                is_pro[p] = 1
            best = max(best, yang_sum(is_pro, measure, step))
        _Z_CACHE[key] = best
    return _Z_CACHE[key]


def z_code(N, pro_N, measure, step):
    """measures.calculateNormalizer with its Monte-Carlo means replaced by their expectations."""
    key = ("code", N, pro_N, measure, step)
    if key in _Z_CACHE:
        return _Z_CACHE[key]
    fps = [0, 0.5] if measure == "rRD" else [0, 0.98]
    vals = []
    for fp in fps:
        # dist[(placed, pro)] = probability; generateUnfairRanking: while both groups remain the
        # next item is protected with probability fp, then the rest of the other group follows.
        dist = {(0, 0): 1.0}
        expected = 0.0
        for i in range(1, N + 1):
            nxt = {}
            for (placed, pro), pr in dist.items():
                unpro = placed - pro
                if pro < pro_N and unpro < N - pro_N:
                    choices = [(1, fp), (0, 1 - fp)]
                elif pro < pro_N:
                    choices = [(1, 1.0)]
                else:
                    choices = [(0, 1.0)]
                for add, q in choices:
                    if q > 0:
                        k = (placed + 1, pro + add)
                        nxt[k] = nxt.get(k, 0.0) + pr * q
            dist = nxt
            if i % step == 0:
                expected += sum(pr * FUNCS[measure](i, pro, N, pro_N) for (_, pro), pr in dist.items()) \
                    / math.log(i + 1, 2)
        vals.append(expected)
    _Z_CACHE[key] = max(vals)
    return _Z_CACHE[key]


def yang_all(is_pro):
    N = len(is_pro)
    pro_N = sum(is_pro)
    res = {"N": N, "pro_N": pro_N,
           "code_raises": N < 10 or pro_N == 0 or pro_N == N,
           "code_raises_reason": ("N < NORM_CUTPOINT = 10" if N < 10 else
                                  "no protected item" if pro_N == 0 else
                                  "only protected items" if pro_N == N else None)}
    for measure in FUNCS:
        for step in STEPS:
            name = f"{measure}_step{step}"
            if pro_N == 0 or pro_N == N:
                res[name] = {"raw": None, "z_max": None, "z_code": None, "by_z_max": None, "by_z_code": None}
                continue
            raw = yang_sum(is_pro, measure, step)
            zm = z_max(N, pro_N, measure, step)
            zc = z_code(N, pro_N, measure, step)
            res[name] = {"raw": raw, "z_max": zm, "z_code": zc,
                         "by_z_max": raw / zm if zm > 0 else None,
                         "by_z_code": raw / zc if zc > 0 else None}
    return res


def load_fairrank_module():
    """FairRank's measures.py / dataGenerator.py from the fetched mirror, with Python-3 edits."""
    import subprocess
    git_dir = "/work/.mirror/DataResponsibly+FairRank/repo"
    commit = UPSTREAM["fairrank"]["commit"]
    try:
        dg_src = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:dataGenerator.py"],
                                capture_output=True, text=True, check=True).stdout
        ms_src = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:measures.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    dg_src = dg_src.replace('print "Error!"', 'print("Error!")')
    dg = types.ModuleType("dataGenerator")
    dg.__dict__.update(long=int, basestring=str)
    exec(compile(dg_src, "dataGenerator.py", "exec"), dg.__dict__)
    sys.modules["dataGenerator"] = dg
    ms = types.ModuleType("measures")
    ms.__dict__.update(long=int, basestring=str)
    exec(compile(ms_src, "measures.py", "exec"), ms.__dict__)
    return ms


# ---------------------------------------------------------------------------------------------
# Geyik et al.: skew@k, NDKL
# ---------------------------------------------------------------------------------------------
def skew_ndkl(groups):
    n = len(groups)
    present = sorted(set(groups))
    target = {g: groups.count(g) / n for g in present}
    skew = {g: [] for g in present}
    min_skew, max_skew = [], []
    kl_terms = []
    for k in range(1, n + 1):
        top = groups[:k]
        vals = []
        kl = 0.0
        for g in present:
            share = top.count(g) / k
            s = math.log(share / target[g]) if share > 0 else None
            skew[g].append(s)
            vals.append(-math.inf if s is None else s)
            if share > 0:
                kl += share * math.log(share / target[g])
        min_skew.append(fl(min(vals)))
        max_skew.append(fl(max(vals)))
        kl_terms.append(kl)
    Z = sum(1 / math.log2(i + 1) for i in range(1, n + 1))
    ndkl = sum(kl_terms[i - 1] / math.log2(i + 1) for i in range(1, n + 1)) / Z
    return {"target_share": target, "skew_at_k": skew, "min_skew_at_k": min_skew,
            "max_skew_at_k": max_skew, "kl_at_k": kl_terms, "ndkl_paper": ndkl}


# ---------------------------------------------------------------------------------------------
# Exposure (pandas)
# ---------------------------------------------------------------------------------------------
WEIGHTS = {
    "log": lambda r: 1.0 / np.log2(1.0 + r),
    "geometric": lambda r: P_GEOM ** (r - 1.0),
    "rbp": lambda r: (1.0 - P_GEOM) * P_GEOM ** (r - 1.0),
}


def exposure_table(df):
    """df: rows with rank, gender, relevance. Per weight model and group."""
    res = {}
    n = len(df)
    rel_total = float(df["relevance"].sum())
    for name, w in WEIGHTS.items():
        d = df.assign(w=w(df["rank"].astype(float)))
        tot = float(d["w"].sum())
        grp = d.groupby("gender").agg(exposure=("w", "sum"), n=("w", "size"), rel=("relevance", "sum"))
        per = {}
        for g, row in grp.iterrows():
            se = float(row["exposure"]) / tot
            si = float(row["n"]) / n
            sr = float(row["rel"]) / rel_total if rel_total > 0 else None
            per[g] = {"exposure": float(row["exposure"]), "n_items": int(row["n"]),
                      "mean_exposure": float(row["exposure"]) / float(row["n"]),
                      "share_of_exposure": se, "share_of_items": si, "share_of_relevance": sr,
                      "exposure_to_items": se / si,
                      "exposure_to_relevance": (se / sr) if sr else None}
        res[name] = per
    return res


# ---------------------------------------------------------------------------------------------
# FairRankTune
# ---------------------------------------------------------------------------------------------
def frt_calls(columns, item_group):
    """columns: {query: [item ids in rank order]}."""
    rdf = pd.DataFrame({q: pd.Series(items, dtype=object) for q, items in columns.items()})
    out = {"EXP": {}, "AWRF": {}}
    for combo in COMBOS:
        v, per = frt.Metrics.EXP(rdf, item_group, combo)
        out["EXP"][combo] = fl(v)
    out["EXP"]["per_group_avg_exposure"] = {str(k): float(v) for k, v in per.items()}
    for p in AWRF_P:
        key = f"p={p}"
        out["AWRF"][key] = {}
        for combo in COMBOS:
            v, per = frt.Metrics.AWRF(rdf, item_group, p, combo)
            out["AWRF"][key][combo] = fl(v)
        out["AWRF"][key]["per_group_avg_attention"] = {str(k): float(v) for k, v in per.items()}
    if len(columns) == 1:
        out["NDKL"] = float(frt.Metrics.NDKL(rdf, item_group))
    return out


# ---------------------------------------------------------------------------------------------
# FA*IR
# ---------------------------------------------------------------------------------------------
def fair_fail_probability(mtable, p):
    """P(a ranking whose positions are protected independently with probability p fails mtable)."""
    dist = {0: 1.0}
    for i, m in enumerate(mtable, start=1):
        nxt = {}
        for c, pr in dist.items():
            for add, q in ((1, p), (0, 1 - p)):
                c2 = c + add
                if c2 >= m:
                    nxt[c2] = nxt.get(c2, 0.0) + pr * q
        dist = nxt
    return 1.0 - sum(dist.values())


_FAIR_CACHE = {}


def fair_test(items, scores, is_pro, p):
    k = len(items)
    if k not in _FAIR_CACHE:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f = fsc.Fair(k, p, ALPHA)
            adj = f.create_adjusted_mtable()
            adj_alpha = f.adjust_alpha()
            unadj = f.create_unadjusted_mtable()
        ppf = [max(0, int(binom.ppf(ALPHA, i, p))) for i in range(1, k + 1)]
        _FAIR_CACHE[k] = (f, adj, adj_alpha, unadj, ppf, [str(w.message) for w in caught])
    f, adj, adj_alpha, unadj, ppf, warns = _FAIR_CACHE[k]
    docs = [FairScoreDoc(i, s, pr) for i, s, pr in zip(items, scores, is_pro)]
    lib = f.is_fair(docs)
    c = 0
    mine = True
    first_fail = None
    for i, pr in enumerate(is_pro, start=1):
        c += pr
        if c < adj[i - 1]:
            mine = False
            first_fail = i
            break
    assert lib == mine
    assert unadj == ppf, (unadj, ppf)
    return {"k": k, "p": p, "alpha": ALPHA, "is_fair": bool(lib), "first_failing_prefix": first_fail,
            "adjusted_mtable": adj, "adjusted_alpha": float(adj_alpha), "unadjusted_mtable": unadj,
            "adjusted_mtable_fail_probability": fair_fail_probability(adj, p),
            "library_warnings": warns}


# ---------------------------------------------------------------------------------------------
# Ranking files
# ---------------------------------------------------------------------------------------------
def ranking_file(name, fairrank):
    df = pd.read_csv(fx / name, dtype={"query_id": str, "item_id": str, "gender": str})
    p_women = float((df["gender"] == PROTECTED).mean())
    queries = list(dict.fromkeys(df["query_id"]))
    per_query = {}
    crosscheck = {"checked": 0, "max_abs_diff_raw": 0.0}
    for q in queries:
        d = df[df["query_id"] == q].sort_values("rank")
        assert list(d["rank"]) == list(range(1, len(d) + 1))
        items = list(d["item_id"])
        groups = list(d["gender"])
        is_pro = [1 if g == PROTECTED else 0 for g in groups]
        ig = dict(zip(items, groups))
        rec = {"n": len(d)}
        frtq = frt_calls({q: items}, ig)
        rec["fairranktune"] = frtq
        rec["exposure"] = exposure_table(d)
        rec["yang"] = yang_all(is_pro)
        sk = skew_ndkl(groups)
        sk["ndkl_paper_minus_fairranktune"] = sk["ndkl_paper"] - frtq["NDKL"]
        rec["geyik"] = sk
        rec["fair"] = fair_test(items, list(d["score"].astype(float)), [bool(x) for x in is_pro], p_women)
        per_query[q] = rec
        # cross-check the transcription with FairRank's own code (numerator, normaliser 1)
        if fairrank is not None and 0 < sum(is_pro) < len(is_pro):
            perm = list(range(len(items)))
            prot = [i for i in perm if is_pro[i]]
            for measure in FUNCS:
                for step in STEPS:
                    theirs = fairrank.calculateNDFairness(perm, prot, step, measure, 1)
                    diff = abs(theirs - rec["yang"][f"{measure}_step{step}"]["raw"])
                    crosscheck["checked"] += 1
                    crosscheck["max_abs_diff_raw"] = max(crosscheck["max_abs_diff_raw"], diff)

    # means over queries
    def scal(path):
        vals = []
        for q in queries:
            x = per_query[q]
            for p in path:
                x = None if x is None else x.get(p) if isinstance(x, dict) else None
            vals.append(fl(x) if x is not None else None)
        return mean_defined(vals)

    means = {"fairranktune": {"EXP": {c: scal(["fairranktune", "EXP", c]) for c in COMBOS},
                              "AWRF": {f"p={p}": {c: scal(["fairranktune", "AWRF", f"p={p}", c]) for c in COMBOS}
                                       for p in AWRF_P},
                              "NDKL": scal(["fairranktune", "NDKL"])},
             "geyik": {"ndkl_paper": scal(["geyik", "ndkl_paper"])},
             "yang": {f"{m}_step{s}": {v: scal(["yang", f"{m}_step{s}", v]) for v in
                                       ["raw", "by_z_max", "by_z_code"]}
                      for m in FUNCS for s in STEPS},
             "exposure": {w: {g: {v: scal(["exposure", w, g, v]) for v in
                                  ["mean_exposure", "share_of_exposure", "share_of_items", "share_of_relevance",
                                   "exposure_to_items", "exposure_to_relevance"]}
                              for g in sorted(df["gender"].unique())}
                          for w in WEIGHTS}}
    means["fair"] = {"n_queries": len(queries),
                     "n_fair": sum(per_query[q]["fair"]["is_fair"] for q in queries),
                     "share_fair": sum(per_query[q]["fair"]["is_fair"] for q in queries) / len(queries),
                     "failing_queries": [q for q in queries if not per_query[q]["fair"]["is_fair"]]}
    ksizes = sorted({per_query[q]["n"] for q in queries})
    means["skew_at_k_by_length"] = {}
    for n in ksizes:
        qs = [q for q in queries if per_query[q]["n"] == n]
        means["skew_at_k_by_length"][str(n)] = {
            "n_queries": len(qs),
            "mean_skew_at_k": {g: [mean_defined([per_query[q]["geyik"]["skew_at_k"].get(g, [None] * n)[k]
                                                 for q in qs]) for k in range(n)]
                               for g in sorted(df["gender"].unique())}}

    # pooled
    columns = {q: list(df[df["query_id"] == q].sort_values("rank")["item_id"]) for q in queries}
    item_group = dict(zip(df["item_id"], df["gender"]))
    pooled = {"fairranktune_library_pooled": frt_calls(columns, item_group),
              "fairranktune_pooled_note": "all queries as columns of one ranking_df; per-group average over "
                                          "DISTINCT items (%d distinct of %d rows)" % (len(item_group), len(df)),
              "exposure": exposure_table(df),
              "share_of_women": p_women}
    sel = {}
    for k in TOPK:
        rates = {}
        for g, d in df.groupby("gender"):
            rates[g] = {"selected": int((d["rank"] <= k).sum()), "n": int(len(d)),
                        "rate": float((d["rank"] <= k).mean())}
        best = max(r["rate"] for r in rates.values())
        for g in rates:
            rates[g]["ratio_to_man"] = rates[g]["rate"] / rates["man"]["rate"] if rates.get("man") else None
            rates[g]["ratio_to_highest"] = rates[g]["rate"] / best
        sel[str(k)] = rates
    pooled["top_k_selection"] = sel

    normalisers = sorted({(k[1], k[2], k[3], k[4]) for k in _Z_CACHE})
    ztable = {f"N={N},pro_N={pn},{m},step={s}": {"z_max": _Z_CACHE[("max", N, pn, m, s)],
                                                "z_code": _Z_CACHE[("code", N, pn, m, s)]}
              for (N, pn, m, s) in normalisers}
    if fairrank is not None:
        # z_code's dynamic programme against measures.calculateNormalizer itself (its Monte-Carlo
        # mean over many more iterations than its 10, at the measure's own step)
        sim = {}
        random.seed(18)
        for (N, pn, m, s_) in sorted({(k[1], k[2], k[3], k[4]) for k in _Z_CACHE})[:18]:
            if s_ > N:
                continue
            fairrank.NORM_ITERATION = 3000
            fairrank.NORM_CUTPOINT = s_
            simulated = fairrank.calculateNormalizer(N, pn, m)
            sim[f"N={N},pro_N={pn},{m},step={s_}"] = {"simulated_3000": float(simulated),
                                                      "z_code": _Z_CACHE[("code", N, pn, m, s_)]}
        fairrank.NORM_CUTPOINT = 1
        crosscheck["z_code_vs_their_normaliser_simulated"] = sim
    return {"per_query": per_query, "mean_over_queries": means, "pooled": pooled,
            "normalisers": ztable, "crosscheck_fairrank": crosscheck,
            "fixture": f"fixtures/{name}", "n_rows": int(len(df)), "n_queries": len(queries)}


# ---------------------------------------------------------------------------------------------
# Recommendation lists (FaiRLLM process.ipynb)
# ---------------------------------------------------------------------------------------------
def calc_serp_ms(x, y):
    temp = 0
    if len(y) == 0:
        return 0
    for i, item_x in enumerate(x):
        for j, item_y in enumerate(y):
            if item_x == item_y:
                temp = temp + len(x) - i + 1
    return temp * 0.5 / ((len(y) + 1) * len(y))


def calc_serp_paper(x, y):
    """SERP*@K as the FaiRLLM paper writes it (Zhang et al. 2023, section 3.2): the items of the
    sensitive list x found in the neutral list y, weighted K - rank + 1 with rank 1-based in x,
    over K (K + 1) / 2 -- 1 for identical lists. The same function with the notebook's two slips
    fixed (1-based rank, normaliser K (K + 1) / 2) appears in later reuses of FaiRLLM's code.
    Written from the formula, not from fairaudit: the lead's Rust follows the paper here."""
    if len(y) == 0:
        return None
    temp = 0
    for i, item_x in enumerate(x):
        if item_x in y:
            temp += len(x) - (i + 1) + 1
    return temp / (len(y) * (len(y) + 1) / 2)


def calc_prag(x, y):
    temp = 0
    total = 0
    if len(y) == 0 or len(x) == 0:
        return 0
    if len(x) == 1:
        return 1 if x == y else 0
    for i, item_x1 in enumerate(x):
        for j, item_x2 in enumerate(x):
            if i >= j:
                continue
            id1 = -1
            id2 = -1
            for k, item_y in enumerate(y):
                if item_y == item_x1:
                    id1 = k
                if item_y == item_x2:
                    id2 = k
            total = total + 1
            if id1 == -1:
                continue
            if id2 == -1:
                temp = temp + 1
            if id1 < id2:
                temp = temp + 1
    return temp / total


def calc_metric_at_k(list1, list2, top_k, metric):
    if metric == "iou":
        x = set(list1[:top_k])
        y = set(list2[:top_k])
        return len(x & y) / len(x | y)
    if metric == "serp_ms":
        return calc_serp_ms(list1[:top_k], list2[:top_k])
    if metric == "prag":
        return calc_prag(list1[:top_k], list2[:top_k])
    if metric == "serp_paper":
        return calc_serp_paper(list1[:top_k], list2[:top_k])
    raise ValueError(metric)


METRICS = ["iou", "serp_ms", "prag", "serp_paper"]


def rec_file(name):
    rows = list(csv.DictReader(open(fx / name, newline="")))
    lists = {}
    attr_of = {}
    for r in rows:
        lists.setdefault((r["prompt_id"], r["variant"]), []).append((int(r["rank"]), r["item"]))
        attr_of[r["variant"]] = r["attribute"]
    lists = {k: [it for _, it in sorted(v)] for k, v in lists.items()}
    prompts = list(dict.fromkeys(r["prompt_id"] for r in rows))
    variants = [v for v in dict.fromkeys(r["variant"] for r in rows) if v != "neutral"]
    per_prompt = {}
    for p in prompts:
        neutral = lists[(p, "neutral")]
        per_prompt[p] = {}
        for v in variants:
            if (p, v) not in lists:
                continue
            x = lists[(p, v)]
            per_prompt[p][v] = {str(K): {m: calc_metric_at_k(x, neutral, K, m) for m in METRICS} for K in KS_REC}
    per_value = {}
    for v in variants:
        per_value[v] = {"attribute": attr_of[v], "n_prompts": sum(1 for p in prompts if v in per_prompt[p])}
        for K in KS_REC:
            per_value[v][str(K)] = {m: float(np.mean(np.array([per_prompt[p][v][str(K)][m]
                                                                for p in prompts if v in per_prompt[p]])))
                                    for m in METRICS}
    per_attribute = {}
    for a in dict.fromkeys(attr_of[v] for v in variants):
        vs = [v for v in variants if attr_of[v] == a]
        per_attribute[a] = {"values": vs}
        for K in KS_REC:
            per_attribute[a][str(K)] = {}
            for m in METRICS:
                arr = np.array([per_value[v][str(K)][m] for v in vs])
                per_attribute[a][str(K)][m] = {"max": float(arr.max()), "min": float(arr.min()),
                                               "SNSR": float(arr.max() - arr.min()),
                                               "SNSV": float(arr.std()),
                                               "SNSV_ddof1": float(arr.std(ddof=1)) if len(arr) > 1 else None}
    identical = {str(K): ((K + 1) * (K + 2) / 2 - 1) / (2 * K * (K + 1)) for K in KS_REC}
    for K in KS_REC:  # the closed form agrees with the code on a list compared with itself
        lst = [f"i{j}" for j in range(K)]
        assert abs(calc_serp_ms(lst, lst) - identical[str(K)]) < 1e-15
    list_len = {len(v) for v in lists.values()}
    return {"fixture": f"fixtures/{name}", "n_rows": len(rows), "n_prompts": len(prompts),
            "list_lengths": sorted(list_len),
            "per_prompt": per_prompt, "per_value_mean_over_prompts": per_value,
            "per_attribute": per_attribute, "serp_ms_identical_lists": identical,
            "note_short_lists": "K larger than a list's length cuts nothing: x[:K] is the whole list"}


def versions():
    v = {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
         "scipy": scipy.__version__}
    for dist in ["FairRankTune", "fairsearchcore"]:
        v[dist] = md.version(dist)
    return v


NOTES = {
    "null": "a value is null when undefined: a 0/0 ratio, ln 0 (a group absent from the top k), "
            "a Yang-Stoyanovich normaliser of 0 (e.g. step 10 on a 10-long list: one cut-off, the whole list), "
            "no protected item (or only protected items) in a list for rND/rKL/rRD",
    "fairranktune_docs_vs_code": "docs/metrics.md says LTwo = ||V||_2^2 and Variance = 1/(G-1) sum (V - mean)^2; "
                                 "the code returns np.linalg.norm(V, 2) (not squared) and np.var(V) (ddof 0); "
                                 "the values here are the code's",
    "awrf": "FairRankTune's AWRF has no default p and no target distribution; recorded at p = 0.5 and 0.01",
    "fair_k": "k passed to fsc.Fair = the query's list length (6..10); p = share of women over the file's rows",
    "fairsearchcore_shim": "LegalAssignmentKey.__hash__ wrapped in int(): the library raises TypeError under "
                           "pandas >= 1.5 (numpy.int64 from a pandas sum); values are otherwise the library's",
    "yang": "see the script's docstring: raw sums, Z_max (exhaustive), Z_code (measures.py's procedure, "
            "expectation instead of its 10-run Monte-Carlo mean, at the measure's own step)",
}


def main():
    out_dir.mkdir(parents=True, exist_ok=True)
    fairrank = load_fairrank_module()
    if fairrank is not None:
        fairrank.NORM_CUTPOINT = 1  # lets measures.py's calculateNDFairness take lists shorter than 10
    common = {"versions": versions(), "upstream": UPSTREAM, "notes": NOTES,
              "protected": PROTECTED, "script": "scripts/oracle_ranking.py"}
    for name in ["ranking_search.csv", "ranking_small.csv"]:
        _Z_CACHE.clear()
        res = ranking_file(name, fairrank)
        res.update(common)
        write(out_dir / name.replace(".csv", ".json"), res)
    for name in ["recommendations.csv", "recommendations_small.csv"]:
        res = rec_file(name)
        res.update(common)
        write(out_dir / name.replace(".csv", ".json"), res)


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    print("wrote", path.relative_to(root))


if __name__ == "__main__":
    main()
