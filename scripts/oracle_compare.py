#!/usr/bin/env python3
"""Independent expected values for issue 17's `--baseline` (flips, paired changes, McNemar + Holm)
and dominance (`--reference-decisions`) on fixtures/compare.csv and fixtures/compare_baseline.csv.

Writes tests/expected/compare/compare.json (pretty-printed, sorted keys, floats as Python repr).
Run from the project root:

    python3 scripts/make_compare.py
    /work/venv/bin/python scripts/oracle_compare.py

Versions used: Python 3.11.7, numpy 2.4.6, pandas 3.1.1, scipy 1.15.3, statsmodels 0.15.0 (also
recorded under "versions" in the output). Written from the issue and the TFMA sources, not from
fairaudit's code.

Definitions
  * Groups: "overall" (all rows); each value of `race`, of `sex`; and of the intersection, which
    fairaudit names attribute `race&sex` with groups "<race>&<sex>" (e.g. "Black&Female"; checked
    on fairaudit's `audit-fairness --group race --group sex --json` output).
  * cand = `pred`, base = the baseline prediction (A: column `baseline_pred`; B: `pred` of
    compare_baseline.csv joined on `id`), y = `label`; all 0/1, unweighted.
  * flips = #(cand != base); flip_rate = flips / n.
    positive_to_negative = #(base = 1, cand = 0), positive_to_negative_rate = that / #(base = 1);
    negative_to_positive = #(base = 0, cand = 1), negative_to_positive_rate = that / #(base = 0);
    null on 0/0. Flipped ids sorted as text.
  * "tfma": the same counts with TFMA's denominators (see tfma_notes):
      boolean_flip_rates (metrics/flip_metrics.py, today): every rate / n, direction
        baseline -> candidate: symmetric_flip_rate, pos_to_neg_flip_rate = #(base 1, cand 0) / n,
        neg_to_pos_flip_rate = #(base 0, cand 1) / n, pos_to_pos_flip_rate, neg_to_neg_flip_rate.
      counterfactual_flip_rate_2021 (addons/fairness/.../flip_rate.py before 2022-04-13):
        direction original (= the evaluated, candidate model) -> counterfactual (= baseline):
        overall = flips / n, positive_to_negative = #(cand 1, base 0) / #(cand 1),
        negative_to_positive = #(cand 0, base 1) / #(cand 0).
      counterfactual_flip_rate_2022 (the same file from 2022-04-13 until its removal on
        2024-10-08): the same counts / n.
  * Per group and model (cand, base): selection_rate = #(p = 1) / n, true_positive_rate =
    #(p 1, y 1) / #(y 1), false_positive_rate = #(p 1, y 0) / #(y 0), accuracy = #(p = y) / n,
    precision = #(p 1, y 1) / #(p 1); null on 0/0. delta = candidate - baseline (null if either
    is null).
  * Per attribute and model: demographic_parity_difference = max - min selection_rate over the
    attribute's groups, equalized_odds_difference = max(max - min TPR, max - min FPR),
    demographic_parity_ratio = min / max selection rate (null if max = 0); delta = cand - base.
  * McNemar on correctness per group (and overall; cross-checked against statsmodels'
    contingency_tables.mcnemar(exact=True)): b = #(cand correct, base wrong),
    c = #(cand wrong, base correct), p_value = scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue
    (exact two-sided; 1.0 when b + c = 0). holm_p_value: statsmodels multipletests(method="holm")
    over the groups of one attribute (race 3 tests, sex 2, race&sex 6); holm_p_value_all: Holm
    over all 11 group tests of the three attributes together. "overall" is in neither family
    (its Holm values are null).
  * B (joined): ids are compared as text. Only rows whose id occurs exactly once in compare.csv
    AND exactly once in compare_baseline.csv are used (the duplicated ids are left out even though
    both of their copies carry the same value).
  * C (dominance, attribute race, label `label`): accuracy, balanced_accuracy = (TPR + TNR) / 2,
    true_positive_rate (overall; higher is better), demographic_parity_difference,
    equalized_odds_difference (over race; lower is better). better = "candidate" / "reference" /
    "tie" (compared as exact fractions); dominates = candidate at least as good on all five and
    strictly better on at least one. bootstrap_probability_of_dominance: the share of
    numpy default_rng(SEED) replicates (rows resampled jointly, with replacement, n rows each) in
    which the candidate dominates (and per measure, the share in which the candidate is strictly
    better) - APPROXIMATE, a sanity range only (another RNG gives other
    values within Monte-Carlo error, sd about sqrt(p (1 - p) / replicates)).
"""
import hashlib
import json
import pathlib
import platform
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

root = pathlib.Path(__file__).resolve().parent.parent
FX = root / "fixtures"
OUT = root / "tests" / "expected" / "compare" / "compare.json"
ATTRS = ["race", "sex", "race&sex"]
SEED = 17
REPLICATES = 2000

TFMA_NOTES = (
    "Read in github:tensorflow/model-analysis at commit 422dbd37b31e286bda3311028b5d9ff7b76df7ac "
    "(2025-08-05, 'reintegrate build workflow (#519)'), with git log -p. "
    "(1) Today: tensorflow_model_analysis/metrics/flip_metrics.py (BooleanFlipRates, added "
    "1b76ccd0779a 2022-10-21; refactored into a flip_counts combiner 5c58cd7017ed 2024-03-18; "
    "SymmetricFlipRate, NegToNegFlipRate, NegToPosFlipRate, PosToNegFlipRate, PosToPosFlipRate "
    "added 6e6c6b0ab3e7 2024-03-27). Every rate divides by num_weighted_examples (all examples, "
    "weighted by the BASELINE model's example weight): symmetric = (neg_to_pos + pos_to_neg) / "
    "total, pos_to_neg = #(baseline pos, candidate neg) / total, etc. - NOT by the baseline's "
    "positives or negatives. Direction baseline -> candidate. Booleans are prediction > threshold "
    "(strict; default 0.5). (2) Older: tensorflow_model_analysis/addons/fairness/metrics/"
    "counterfactual_fairness/flip_count.py and flip_rate.py (FlipCount / FlipRate, added "
    "6e6a97f8601d 2021-02-23 for counterfactual fairness; the whole addons/fairness directory "
    "was deleted in 27c5497204fc 2024-10-08). FlipCount feeds the ORIGINAL prediction (the model "
    "under evaluation) as the label and the counterfactual prediction (a perturbed input, or the "
    "baseline model's prediction) as the prediction of a binary confusion matrix: "
    "positive_to_negative = fn = #(original pos, counterfactual neg), negative_to_positive = fp; "
    "positive/negative_examples_count count the ORIGINAL's positives/negatives. So with a "
    "baseline model as the counterfactual its direction is candidate -> baseline, the reverse of "
    "(1). FlipRate first (2021-02-23) divided positive_to_negative by the positives count and "
    "negative_to_positive by the negatives count (overall by all); commit ba2943748f44 "
    "(2022-04-13, 'Change the definition of the main flip rate metrics to divide by the total "
    "number of samples') changed both to divide by all examples. The issue's own definition "
    "(positive_to_negative_rate among baseline positives) matches neither TFMA version exactly: "
    "it is the 2021 conditional form with the baseline, not the candidate, as the reference side."
)


def fr(num, den):
    """num / den as a Python float, or None on 0/0 (den = 0)."""
    return None if den == 0 else float(Fraction(int(num), int(den)))


def sub(a, b):
    return None if a is None or b is None else a - b


def model_metrics(p, y):
    p = np.asarray(p)
    y = np.asarray(y)
    tp = int(((p == 1) & (y == 1)).sum())
    fp = int(((p == 1) & (y == 0)).sum())
    pos = int((y == 1).sum())
    neg = int((y == 0).sum())
    n = len(y)
    return {
        "selection_rate": fr(tp + fp, n),
        "true_positive_rate": fr(tp, pos),
        "false_positive_rate": fr(fp, neg),
        "accuracy": fr(int((p == y).sum()), n),
        "precision": fr(tp, tp + fp),
    }


def group_figures(g):
    cand = g["cand"].to_numpy()
    base = g["base"].to_numpy()
    y = g["label"].to_numpy()
    ids = g["id"].to_numpy()
    n = len(g)
    p2n = (base == 1) & (cand == 0)
    n2p = (base == 0) & (cand == 1)
    p2p = (base == 1) & (cand == 1)
    n2n = (base == 0) & (cand == 0)
    flips = int(p2n.sum() + n2p.sum())
    bpos = int((base == 1).sum())
    bneg = n - bpos
    cpos = int((cand == 1).sum())
    cneg = n - cpos
    cc = cand == y
    bc = base == y
    b = int((cc & ~bc).sum())
    c = int((~cc & bc).sum())
    pval = 1.0 if b + c == 0 else float(binomtest(min(b, c), b + c, 0.5).pvalue)
    if b + c > 0:  # cross-check against statsmodels' exact McNemar
        sm = mcnemar([[0, b], [c, 0]], exact=True).pvalue
        assert abs(sm - pval) <= 1e-12 * max(1.0, pval), (sm, pval)
    ct = pd.crosstab(g["base"], g["cand"]).reindex(index=[0, 1], columns=[0, 1], fill_value=0)
    assert int(ct.loc[1, 0]) == int(p2n.sum()) and int(ct.loc[0, 1]) == int(n2p.sum())
    mc = model_metrics(cand, y)
    mb = model_metrics(base, y)
    return {
        "n": n,
        "baseline_positives": bpos,
        "baseline_negatives": bneg,
        "candidate_positives": cpos,
        "candidate_negatives": cneg,
        "flips": flips,
        "flip_rate": fr(flips, n),
        "positive_to_negative": int(p2n.sum()),
        "positive_to_negative_rate": fr(p2n.sum(), bpos),
        "negative_to_positive": int(n2p.sum()),
        "negative_to_positive_rate": fr(n2p.sum(), bneg),
        "flipped_ids": {
            "positive_to_negative": sorted(str(i) for i in ids[p2n]),
            "positive_to_negative_count": int(p2n.sum()),
            "negative_to_positive": sorted(str(i) for i in ids[n2p]),
            "negative_to_positive_count": int(n2p.sum()),
        },
        "tfma": {
            "boolean_flip_rates": {
                "symmetric_flip_rate": fr(flips, n),
                "pos_to_neg_flip_rate": fr(p2n.sum(), n),
                "neg_to_pos_flip_rate": fr(n2p.sum(), n),
                "pos_to_pos_flip_rate": fr(p2p.sum(), n),
                "neg_to_neg_flip_rate": fr(n2n.sum(), n),
            },
            "counterfactual_flip_rate_2021": {
                "overall": fr(flips, n),
                "positive_to_negative": fr(n2p.sum(), cpos),
                "negative_to_positive": fr(p2n.sum(), cneg),
            },
            "counterfactual_flip_rate_2022": {
                "overall": fr(flips, n),
                "positive_to_negative": fr(n2p.sum(), n),
                "negative_to_positive": fr(p2n.sum(), n),
            },
        },
        "metrics": {
            "candidate": mc,
            "baseline": mb,
            "delta": {k: sub(mc[k], mb[k]) for k in mc},
        },
        "mcnemar": {"b": b, "c": c, "p_value": pval, "holm_p_value": None,
                    "holm_p_value_all": None},
    }


def disparities(groups, model):
    sr = [g["metrics"][model]["selection_rate"] for g in groups.values()]
    tpr = [g["metrics"][model]["true_positive_rate"] for g in groups.values()]
    fpr = [g["metrics"][model]["false_positive_rate"] for g in groups.values()]
    assert None not in sr + tpr + fpr
    return {
        "demographic_parity_difference": max(sr) - min(sr),
        "equalized_odds_difference": max(max(tpr) - min(tpr), max(fpr) - min(fpr)),
        "demographic_parity_ratio": None if max(sr) == 0 else min(sr) / max(sr),
    }


def compare_all(d):
    """d has columns id, race, sex, race&sex, label, cand, base."""
    out = {"groups": {"overall": group_figures(d)}, "disparities": {}}
    for a in ATTRS:
        gs = {str(k): group_figures(g) for k, g in d.groupby(a, sort=True)}
        out["groups"][a] = gs
        cand = disparities(gs, "candidate")
        base = disparities(gs, "baseline")
        out["disparities"][a] = {"candidate": cand, "baseline": base,
                                 "delta": {k: sub(cand[k], base[k]) for k in cand}}
        holm = multipletests([g["mcnemar"]["p_value"] for g in gs.values()], method="holm")[1]
        for g, h in zip(gs.values(), holm):
            g["mcnemar"]["holm_p_value"] = float(h)
    family = [(a, k) for a in ATTRS for k in out["groups"][a]]
    ps = [out["groups"][a][k]["mcnemar"]["p_value"] for a, k in family]
    holm_all = multipletests(ps, method="holm")[1]
    for (a, k), h in zip(family, holm_all):
        out["groups"][a][k]["mcnemar"]["holm_p_value_all"] = float(h)
    out["holm_all_family"] = [f"{a}={k}" for a, k in family]
    return out


def load():
    d = pd.read_csv(FX / "compare.csv", dtype={"id": str, "race": str, "sex": str})
    d["race&sex"] = d["race"] + "&" + d["sex"]
    return d


# ---- dominance ----------------------------------------------------------------------------

MEASURES = [("accuracy", "higher"), ("balanced_accuracy", "higher"),
            ("true_positive_rate", "higher"), ("demographic_parity_difference", "lower"),
            ("equalized_odds_difference", "lower")]


def dominance_measures(p, y, race_codes, k):
    """Exact Fractions of the five measures for 0/1 arrays p, y and race codes 0..k-1."""
    n = len(y)
    tp = int(((p == 1) & (y == 1)).sum())
    tn = int(((p == 0) & (y == 0)).sum())
    pos = int((y == 1).sum())
    neg = n - pos
    srs, tprs, fprs = [], [], []
    for r in range(k):
        m = race_codes == r
        ng = int(m.sum())
        sel = int((p[m] == 1).sum())
        pg = int((y[m] == 1).sum())
        tpg = int(((p[m] == 1) & (y[m] == 1)).sum())
        fpg = int(((p[m] == 1) & (y[m] == 0)).sum())
        srs.append(Fraction(sel, ng))
        tprs.append(Fraction(tpg, pg))
        fprs.append(Fraction(fpg, ng - pg))
    return {
        "accuracy": Fraction(tp + tn, n),
        "balanced_accuracy": (Fraction(tp, pos) + Fraction(tn, neg)) / 2,
        "true_positive_rate": Fraction(tp, pos),
        "demographic_parity_difference": max(srs) - min(srs),
        "equalized_odds_difference": max(max(tprs) - min(tprs), max(fprs) - min(fprs)),
    }


def better(cv, rv, direction):
    if cv == rv:
        return "tie"
    cand_better = cv > rv if direction == "higher" else cv < rv
    return "candidate" if cand_better else "reference"


def dominates(cm, rm):
    res = [better(cm[m], rm[m], dirn) for m, dirn in MEASURES]
    return all(r != "reference" for r in res) and any(r == "candidate" for r in res)


def fast_measures(p, y, race, k, w):
    """Float measures with integer bootstrap multiplicities w (for the bootstrap only)."""
    tp = np.dot(w, (p == 1) & (y == 1))
    tn = np.dot(w, (p == 0) & (y == 0))
    pos = np.dot(w, y == 1)
    neg = np.dot(w, y == 0)
    srs, tprs, fprs = [], [], []
    for r in range(k):
        wr = w * (race == r)
        ng = wr.sum()
        pg = np.dot(wr, y == 1)
        srs.append(np.dot(wr, p == 1) / ng)
        tprs.append(np.dot(wr, (p == 1) & (y == 1)) / pg)
        fprs.append(np.dot(wr, (p == 1) & (y == 0)) / (ng - pg))
    return [(tp + tn) / (pos + neg), (tp / pos + tn / neg) / 2, tp / pos,
            max(srs) - min(srs), max(max(tprs) - min(tprs), max(fprs) - min(fprs))]


def dominance(d):
    y = d["label"].to_numpy()
    p = d["pred"].to_numpy()
    races = sorted(d["race"].unique())
    race = d["race"].map({r: i for i, r in enumerate(races)}).to_numpy()
    k = len(races)
    n = len(y)
    out = {}
    for ref in ["human_weak", "human_strong"]:
        q = d[ref].to_numpy()
        cm = dominance_measures(p, y, race, k)
        rm = dominance_measures(q, y, race, k)
        measures = {}
        for m, dirn in MEASURES:
            measures[m] = {"candidate": float(cm[m]), "reference": float(rm[m]),
                           "better_is": dirn, "better": better(cm[m], rm[m], dirn)}
        rng = np.random.default_rng(SEED)
        hits = 0
        undefined = 0
        cand_better = [0] * len(MEASURES)
        for _ in range(REPLICATES):
            w = np.bincount(rng.integers(0, n, n), minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                c = fast_measures(p, y, race, k, w)
                r = fast_measures(q, y, race, k, w)
            if any(np.isnan(v) for v in c + r):
                undefined += 1
                continue
            ok = True
            strict = False
            for j, ((m, dirn), cv, rv) in enumerate(zip(MEASURES, c, r)):
                if dirn == "higher":
                    ok &= cv >= rv
                    strict |= cv > rv
                    cand_better[j] += cv > rv
                else:
                    ok &= cv <= rv
                    strict |= cv < rv
                    cand_better[j] += cv < rv
            hits += ok and strict
        prob = hits / (REPLICATES - undefined)
        for j, (m, _) in enumerate(MEASURES):
            measures[m]["bootstrap_probability_candidate_better_approx"] = (
                cand_better[j] / (REPLICATES - undefined))
        out[ref] = {
            "measures": measures,
            "dominates": dominates(cm, rm),
            "bootstrap_probability_of_dominance_approx": prob,
            "bootstrap": {"replicates": REPLICATES, "seed": SEED,
                          "rng": "numpy.random.default_rng(seed).integers(0, n, n) per replicate",
                          "replicates_undefined": undefined,
                          "monte_carlo_sd": (prob * (1 - prob) / REPLICATES) ** 0.5,
                          "note": "approximate: a sanity range only, not an exact expected value"},
        }
    return {"candidate": "pred", "label": "label", "attribute": "race", "groups": races,
            "references": out}


def score_baseline(d):
    """Score metrics of the candidate `score` and the baseline `baseline_score` per race group and
    overall, by scikit-learn (roc_auc_score, brier_score_loss), and their change."""
    from sklearn.metrics import brier_score_loss, roc_auc_score
    import sklearn
    out = {"sklearn": sklearn.__version__, "groups": {}}
    parts = [("overall", d)] + [(f"race={k}", g) for k, g in d.groupby("race")]
    for name, g in parts:
        fig = {}
        for metric, f in [("roc_auc", roc_auc_score), ("brier_score", brier_score_loss)]:
            c, b = f(g["label"], g["score"]), f(g["label"], g["baseline_score"])
            fig[metric] = {"candidate": float(c), "baseline": float(b), "delta": float(c - b)}
        out["groups"][name] = fig
    # A paired bootstrap (rows of the group redrawn with both scores) of the Black group's ROC
    # AUC change: an approximate range for fairaudit's own replicates (another RNG).
    b = d[d["race"] == "Black"].reset_index(drop=True)
    rng = np.random.default_rng(17)
    reps = []
    for _ in range(2000):
        s = b.iloc[rng.integers(0, len(b), len(b))]
        reps.append(roc_auc_score(s["label"], s["score"]) - roc_auc_score(s["label"], s["baseline_score"]))
    lo, hi = np.percentile(reps, [2.5, 97.5])
    out["black_roc_auc_delta_paired_interval_approx"] = {
        "interval": [float(lo), float(hi)], "replicates": 2000, "seed": 17,
        "note": "approximate: numpy's RNG, not fairaudit's; compare within Monte Carlo error",
    }
    return out


def main():
    d = load()
    assert d["id"].is_unique and len(d) == 2400
    scores_strict = {
        "note": "TFMA thresholds scores with prediction > 0.5 (strict); fairaudit's fixture "
                "columns use score >= 0.5. Rows whose score or baseline_score is exactly 0.500 "
                "differ; figures here are on the 0/1 columns, these are the rows affected.",
        "score_exactly_0_5_ids": sorted(d.loc[d["score"] == 0.5, "id"]),
        "baseline_score_exactly_0_5_ids": sorted(d.loc[d["baseline_score"] == 0.5, "id"]),
    }

    # A: baseline column in the same file.
    a = d.assign(cand=d["pred"], base=d["baseline_pred"])
    same = compare_all(a)
    same["baseline"] = "column baseline_pred of fixtures/compare.csv"

    # B: baseline from a second file joined on id.
    bf = pd.read_csv(FX / "compare_baseline.csv", dtype={"id": str})
    counts = bf["id"].value_counts()
    dup_ids = sorted(counts[counts > 1].index)
    cand_ids = set(d["id"])
    base_ids = set(bf["id"])
    missing = sorted(cand_ids - base_ids)
    extra = sorted(base_ids - cand_ids)
    once = set(counts[counts == 1].index)
    bonce = bf[bf["id"].isin(once)].rename(columns={"pred": "base"})
    used = d[d["id"].isin(once)].merge(bonce, on="id",
                                       how="inner", validate="one_to_one")
    assert (used["base"] == used["baseline_pred"]).all()
    dup_same = all(bf.loc[bf["id"] == i, "pred"].nunique() == 1 for i in dup_ids)
    joined = compare_all(used.assign(cand=used["pred"]))
    joined.update({
        "baseline": "column pred of fixtures/compare_baseline.csv joined on id",
        "rows_used": len(used),
        "rows_used_rule": "rows whose id occurs exactly once in compare.csv and exactly once "
                          "in compare_baseline.csv",
        "candidate_rows_without_baseline": len(missing),
        "candidate_ids_without_baseline": missing,
        "baseline_ids_not_in_candidate": len(extra),
        "baseline_ids_not_in_candidate_list": extra,
        "duplicated_ids": len(dup_ids),
        "duplicated_ids_list": dup_ids,
        "duplicated_rows_extra": int((counts[counts > 1] - 1).sum()),
        "duplicates_have_same_value": dup_same,
        "baseline_file_rows": len(bf),
    })

    result = {
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__},
        "fixtures": {
            "fixtures/compare.csv": hashlib.sha256((FX / "compare.csv").read_bytes()).hexdigest(),
            "fixtures/compare_baseline.csv":
                hashlib.sha256((FX / "compare_baseline.csv").read_bytes()).hexdigest(),
        },
        "definitions": sys.modules[__name__].__doc__.split("Definitions\n", 1)[1],
        "tfma_notes": TFMA_NOTES,
        "tfma_scores_strict_threshold": scores_strict,
        "same_file": same,
        "joined": joined,
        "dominance": dominance(d),
        "score_baseline": score_baseline(d),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True, allow_nan=False) + "\n")
    print(f"wrote {OUT.relative_to(root)}")


if __name__ == "__main__":
    main()
