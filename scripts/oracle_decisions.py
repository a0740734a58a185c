#!/usr/bin/env python3
"""Independent expected values for issue 16 (decision audits): label-free selection metrics,
significance tests, shortfalls, group-size-adjusted FP / FN, generalized rates, score
distributions, empirical differential fairness, top-k decisions and the LL144 scoring rate on
fixtures/hiring.csv; the top-k tie case on fixtures/hiring_ties.csv; and the NYC LL144 rule's
worked examples (fixtures/ll144_example*.csv) checked against the tables as printed.

Writes tests/expected/decisions/hiring.json and tests/expected/decisions/ll144_example.json
(pretty-printed, sorted keys, floats as Python repr). Run from the project root in a virtual
environment with the versions below:

    python3 -m venv /work/venv16 && /work/venv16/bin/pip install -r scripts/requirements-decisions.txt
    python3 scripts/make_hiring.py && python3 scripts/make_ll144_example.py
    /work/venv16/bin/python scripts/oracle_decisions.py

Versions used: Python 3 (see "versions" in the output), aif360 0.6.1, numpy 2.4.6, pandas 3.1.1,
scipy 1.17.1.

Definitions (written from the issue, not from fairaudit's code):
  * A group of attribute `sex` / `race` is a value of that column; of `race&sex` the pair, named
    "<race>&<sex>" (fairaudit's intersection naming). Rows with an empty value in any of the
    attribute's columns are dropped (the LL144 "unknown" category; its count is `unknown`).
  * prediction = `selected`. selection_rate = selected / n. The most-selected group r has the
    highest rate (the first in sorted order on a tie); impact_ratio = rate / rate_r.
  * Against r (null for r itself): z_statistic = (p_g - p_r) / sqrt(p (1-p) (1/n_g + 1/n_r)) with
    pooled p = (s_g + s_r) / (n_g + n_r) (null when p is 0 or 1); z_test_p_value =
    2 norm.sf(|z|); fisher_exact_p_value = scipy.stats.fisher_exact([[s_g, n_g-s_g],
    [s_r, n_r-s_r]]) two-sided; shortfall_to_parity = max(0, ceil(s_r n_g / n_r - s_g)) and
    shortfall_to_four_fifths = max(0, ceil(4/5 s_r n_g / n_r - s_g)), in exact fractions.
  * With label `hired`: false_positives_per_group_size = FP_g / n_g, false_negatives_per_group_size
    = FN_g / n_g (aequitas issue #95 asks for "Group-Size adjusted False Positives / False
    Negatives"; aequitas has no column names for them, its group.py has `group_size`).
  * With score `score`: mean_score; generalized_true_positive_rate = sum(score | hired=1) /
    #(hired=1), generalized_false_positive_rate = sum(score | hired=0) / #(hired=0), computed with
    AIF360's ClassificationMetric and with pandas (asserted equal to 1e-12); `_weighted` versions
    with `weight` as instance weights.
  * Distributions of `score`: per group ks_statistic (scipy.stats.ks_2samp) and
    wasserstein_distance (scipy.stats.wasserstein_distance, also with u_weights / v_weights) of
    the group against the rest of the attribute's known rows, and for every pair of groups;
    numpy quantiles (method "linear") at 0.1, 0.25, 0.5, 0.75, 0.9.
  * EDF: AIF360 BinaryLabelDatasetMetric(...).smoothed_empirical_differential_fairness(1.0) on a
    dataset whose label is `selected` and whose protected attributes are the attribute's columns
    (integer codes in sorted order), unweighted and with `weight` as instance weights; and a numpy
    brute force over the smoothed rates (pos + 1/2) / (n + 1) that names the pair and outcome.
  * Top-k (no label): the k-th highest score t (counting duplicates) over all 3,000 rows (k = 300)
    or within each `cohort` (k = 75); "include_ties" selects score >= t, "exclude_ties" score > t;
    then per group n, selected, selection_rate over the attribute's known rows.
  * LL144 scoring rate: m = numpy median of `score` over ALL rows (unknowns included); scoring
    rate = share of the group with score > m (strictly above); impact ratio = rate / highest rate.
"""
import importlib.metadata
import json
import math
import pathlib
import platform
import sys
import warnings
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import scipy
import scipy.stats as st

warnings.filterwarnings("ignore")
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric  # noqa: E402
from aif360.sklearn.metrics import smoothed_edf  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "scripts"))
import make_ll144_example as ll144  # noqa: E402

fx = root / "fixtures"
out_dir = root / "tests" / "expected" / "decisions"

ATTRIBUTES = {"sex": ["sex"], "race": ["race"], "race&sex": ["race", "sex"]}
QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9]


def versions():
    return {
        "python": platform.python_version(),
        "aif360": importlib.metadata.version("aif360"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }


def read(name):
    return pd.read_csv(fx / name, dtype=str, keep_default_na=False)


def f(x):
    return None if x is None else float(x)


def known(df, cols):
    mask = np.ones(len(df), dtype=bool)
    for c in cols:
        mask &= (df[c] != "").to_numpy()
    sub = df[mask].copy()
    sub["_group"] = sub[cols].agg("&".join, axis=1)
    return sub, int((~mask).sum())


def most_selected(rates):
    best = None
    for g in sorted(rates):
        if best is None or rates[g] > rates[best]:
            best = g
    return best


def ceil_frac(x):
    return -((-x.numerator) // x.denominator)


def versus(s_g, n_g, s_r, n_r):
    p_g, p_r = s_g / n_g, s_r / n_r
    p = (s_g + s_r) / (n_g + n_r)
    if p <= 0 or p >= 1:
        z = zp = None
    else:
        z = (p_g - p_r) / math.sqrt(p * (1 - p) * (1 / n_g + 1 / n_r))
        zp = float(2 * st.norm.sf(abs(z)))
    fisher = float(st.fisher_exact([[s_g, n_g - s_g], [s_r, n_r - s_r]]).pvalue)
    parity = Fraction(s_r * n_g, n_r) - s_g
    four_fifths = Fraction(4, 5) * Fraction(s_r * n_g, n_r) - s_g
    return {
        "z_statistic": z,
        "z_test_p_value": zp,
        "fisher_exact_p_value": fisher,
        "shortfall_to_parity": max(0, ceil_frac(parity)),
        "shortfall_to_four_fifths": max(0, ceil_frac(four_fifths)),
    }


def codes(sub, cols):
    """Integer codes (sorted order of the values) of the attribute's columns."""
    out = {}
    maps = {}
    for c in cols:
        values = sorted(sub[c].unique())
        maps[c] = {v: i for i, v in enumerate(values)}
        out[c] = sub[c].map(maps[c]).astype(float).to_numpy()
    return out, maps


def aif360_generalized(sub, cols, weighted):
    code_cols, maps = codes(sub, cols)
    frame = pd.DataFrame(code_cols)
    frame["hired"] = sub["hired"].astype(float).to_numpy()
    frame["weight"] = sub["weight"].astype(float).to_numpy() if weighted else 1.0
    truth = BinaryLabelDataset(
        df=frame, label_names=["hired"], protected_attribute_names=cols, instance_weights_name="weight"
    )
    pred = truth.copy()
    pred.scores = sub["score"].astype(float).to_numpy().reshape(-1, 1)
    out = {}
    groups = sorted(sub["_group"].unique())
    for g in groups:
        values = g.split("&")
        cond = {c: float(maps[c][v]) for c, v in zip(cols, values)}
        others = []
        for h in groups:
            if h != g:
                others.append({c: float(maps[c][v]) for c, v in zip(cols, h.split("&"))})
        m = ClassificationMetric(truth, pred, unprivileged_groups=[cond], privileged_groups=others)
        out[g] = {
            "generalized_true_positive_rate": float(m.generalized_true_positive_rate(privileged=False)),
            "generalized_false_positive_rate": float(m.generalized_false_positive_rate(privileged=False)),
            "num_generalized_true_positives": float(m.num_generalized_true_positives(privileged=False)),
            "num_generalized_false_positives": float(m.num_generalized_false_positives(privileged=False)),
        }
    return out


def edf(sub, cols, weighted):
    code_cols, maps = codes(sub, cols)
    frame = pd.DataFrame(code_cols)
    frame["selected"] = sub["selected"].astype(float).to_numpy()
    w = sub["weight"].astype(float).to_numpy() if weighted else np.ones(len(sub))
    frame["weight"] = w
    ds = BinaryLabelDataset(
        df=frame, label_names=["selected"], protected_attribute_names=cols, instance_weights_name="weight"
    )
    # EDF ignores the (un)privileged groups, but the constructor wants two disjoint ones.
    g0, g1 = {c: 0.0 for c in cols}, {c: 1.0 for c in cols}
    aif = float(
        BinaryLabelDatasetMetric(ds, unprivileged_groups=[g0], privileged_groups=[g1])
        .smoothed_empirical_differential_fairness(concentration=1.0)
    )
    # aif360.sklearn's smoothed_edf: its Dirichlet alpha is concentration / (number of distinct
    # label values present in each group), not / 2; equal here unless a group is all 0 or all 1.
    y = pd.Series(
        sub["selected"].astype(int).to_numpy(), index=pd.MultiIndex.from_frame(sub[cols].reset_index(drop=True))
    )
    skl = float(smoothed_edf(y, prot_attr=cols, concentration=1.0, sample_weight=w if weighted else None))

    # Brute force.
    sel = sub["selected"].astype(int).to_numpy()
    rates = {}
    for g in sorted(sub["_group"].unique()):
        mask = (sub["_group"] == g).to_numpy()
        pos = float(np.sum(w[mask] * sel[mask]))
        tot = float(np.sum(w[mask]))
        rates[g] = (pos + 0.5) / (tot + 1.0)
    best = None
    names = sorted(rates)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            for outcome in (1, 0):
                ra, rb = (rates[a], rates[b]) if outcome == 1 else (1 - rates[a], 1 - rates[b])
                eps = abs(math.log(ra) - math.log(rb))
                if best is None or eps > best[0]:
                    best = (eps, a, b, outcome, ra, rb)
    eps, a, b, outcome, ra, rb = best
    assert abs(eps - aif) <= 1e-12 * max(1.0, aif), (eps, aif)
    return {
        "aif360": aif,
        "aif360_sklearn_smoothed_edf": skl,
        "brute_force": eps,
        "groups": [a, b],
        "outcome": outcome,
        "higher": a if ra > rb else b,
        "smoothed_rates": rates,
    }


def topk_mask(scores, k):
    t = float(np.sort(scores)[::-1][k - 1])
    return t, scores >= t, scores > t


def per_group_selection(df, mask_col):
    out = {}
    for attr, cols in ATTRIBUTES.items():
        sub, unknown = known(df, cols)
        groups = {}
        for g in sorted(sub["_group"].unique()):
            m = sub["_group"] == g
            n = int(m.sum())
            s = int(sub.loc[m, mask_col].sum())
            groups[g] = {"n": n, "selected": s, "selection_rate": s / n}
        out[attr] = {"unknown": unknown, "groups": groups}
    return out


def hiring():
    df = read("hiring.csv")
    score = df["score"].astype(float).to_numpy()
    weight = df["weight"].astype(float).to_numpy()
    sel = df["selected"].astype(int).to_numpy()
    hired = df["hired"].astype(int).to_numpy()
    median_all = float(np.median(score))
    result = {
        "versions": versions(),
        "fixture": "fixtures/hiring.csv",
        "rows": len(df),
        "prediction": "selected",
        "label": "hired",
        "score": "score",
        "weight": "weight",
        "overall": {
            "n": len(df),
            "selected": int(sel.sum()),
            "selection_rate": float(sel.mean()),
            "mean_score": float(score.mean()),
            "median_score": median_all,
            "quantiles": {str(q): float(v) for q, v in zip(QUANTILES, np.quantile(score, QUANTILES))},
        },
        "attributes": {},
    }
    max_diff = 0.0
    for attr, cols in ATTRIBUTES.items():
        sub, unknown = known(df, cols)
        names = sorted(sub["_group"].unique())
        n_known = len(sub)
        s_sel = sub["selected"].astype(int).to_numpy()
        s_hired = sub["hired"].astype(int).to_numpy()
        s_score = sub["score"].astype(float).to_numpy()
        s_w = sub["weight"].astype(float).to_numpy()
        gmask = {g: (sub["_group"] == g).to_numpy() for g in names}
        counts = {g: (int(s_sel[m].sum()), int(m.sum())) for g, m in gmask.items()}
        rates = {g: s / n for g, (s, n) in counts.items()}
        r = most_selected(rates)
        s_r, n_r = counts[r]
        aif_u = aif360_generalized(sub, cols, weighted=False)
        aif_w = aif360_generalized(sub, cols, weighted=True)
        groups = {}
        for g in names:
            m = gmask[g]
            s_g, n_g = counts[g]
            row = {
                "n": n_g,
                "selected": s_g,
                "selection_rate": rates[g],
                "impact_ratio": rates[g] / rates[r] if rates[r] > 0 else None,
                "share_of_known": n_g / n_known,
                "share_of_all_rows": n_g / len(df),
            }
            if g == r:
                row.update(
                    {k: None for k in ("z_statistic", "z_test_p_value", "fisher_exact_p_value",
                                       "shortfall_to_parity", "shortfall_to_four_fifths")}
                )
            else:
                row.update(versus(s_g, n_g, s_r, n_r))
            fp = int(((s_sel == 1) & (s_hired == 0) & m).sum())
            fn = int(((s_sel == 0) & (s_hired == 1) & m).sum())
            row.update(
                {
                    "false_positives": fp,
                    "false_negatives": fn,
                    "false_positives_per_group_size": fp / n_g,
                    "false_negatives_per_group_size": fn / n_g,
                }
            )
            x, w, y = s_score[m], s_w[m], s_hired[m]
            pd_gtpr = x[y == 1].sum() / (y == 1).sum()
            pd_gfpr = x[y == 0].sum() / (y == 0).sum()
            pd_gtpr_w = (w * x)[y == 1].sum() / w[y == 1].sum()
            pd_gfpr_w = (w * x)[y == 0].sum() / w[y == 0].sum()
            for ours, theirs in (
                (pd_gtpr, aif_u[g]["generalized_true_positive_rate"]),
                (pd_gfpr, aif_u[g]["generalized_false_positive_rate"]),
                (pd_gtpr_w, aif_w[g]["generalized_true_positive_rate"]),
                (pd_gfpr_w, aif_w[g]["generalized_false_positive_rate"]),
            ):
                d = abs(float(ours) - theirs)
                assert d <= 1e-12, (attr, g, ours, theirs)
                max_diff = max(max_diff, d)
            rest = ~m
            row.update(
                {
                    "mean_score": float(x.mean()),
                    "mean_score_weighted": float((w * x).sum() / w.sum()),
                    "generalized_true_positive_rate": aif_u[g]["generalized_true_positive_rate"],
                    "generalized_false_positive_rate": aif_u[g]["generalized_false_positive_rate"],
                    "generalized_true_positive_rate_weighted": aif_w[g]["generalized_true_positive_rate"],
                    "generalized_false_positive_rate_weighted": aif_w[g]["generalized_false_positive_rate"],
                    "num_generalized_true_positives": aif_u[g]["num_generalized_true_positives"],
                    "num_generalized_false_positives": aif_u[g]["num_generalized_false_positives"],
                    "positives": int((y == 1).sum()),
                    "negatives": int((y == 0).sum()),
                    "ks_statistic": float(st.ks_2samp(x, s_score[rest]).statistic),
                    "ks_p_value": float(st.ks_2samp(x, s_score[rest]).pvalue),
                    "wasserstein_distance": float(st.wasserstein_distance(x, s_score[rest])),
                    "wasserstein_distance_weighted": float(
                        st.wasserstein_distance(x, s_score[rest], u_weights=w, v_weights=s_w[rest])
                    ),
                    "quantiles": {str(q): float(v) for q, v in zip(QUANTILES, np.quantile(x, QUANTILES))},
                    "scoring_rate": float((x > median_all).mean()),
                    "scored_above_median": int((x > median_all).sum()),
                }
            )
            groups[g] = row
        top_scoring = max(groups[g]["scoring_rate"] for g in names)
        for g in names:
            groups[g]["scoring_rate_impact_ratio"] = groups[g]["scoring_rate"] / top_scoring
        pairs = []
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                xa, xb = s_score[gmask[a]], s_score[gmask[b]]
                pairs.append(
                    {
                        "groups": [a, b],
                        "ks_statistic": float(st.ks_2samp(xa, xb).statistic),
                        "wasserstein_distance": float(st.wasserstein_distance(xa, xb)),
                        "wasserstein_distance_weighted": float(
                            st.wasserstein_distance(xa, xb, u_weights=s_w[gmask[a]], v_weights=s_w[gmask[b]])
                        ),
                    }
                )
        # LL144 § 5-301(d): categories under 2 % of the data may be left out of impact ratios.
        # Here "2 % of the data" is read as 2 % of the attribute's known rows; the set excluded is
        # also given for 2 % of all rows.
        excl_known = sorted(g for g in names if groups[g]["share_of_known"] < 0.02)
        excl_all = sorted(g for g in names if groups[g]["share_of_all_rows"] < 0.02)
        kept = [g for g in names if g not in excl_known]
        r2 = most_selected({g: rates[g] for g in kept})
        exclude_below = {
            "threshold": 0.02,
            "excluded": excl_known,
            "excluded_if_share_of_all_rows": excl_all,
            "most_selected_group": r2,
            "impact_ratio": {g: rates[g] / rates[r2] for g in kept},
        }
        # fairaudit (main, before issue 16) keeps empty values as a group named "(missing)"; with
        # such groups kept, the most-selected group can change (race&sex: "Asian&(missing)",
        # 6 of 12 selected, beats "Asian&Male", 108 of 218).
        full = df.copy()
        for c in cols:
            full[c] = full[c].replace("", "(missing)")
        full["_group"] = full[cols].agg("&".join, axis=1)
        with_missing = {}
        for g in sorted(full["_group"].unique()):
            m = full["_group"] == g
            with_missing[g] = int(full.loc[m, "selected"].astype(int).sum()) / int(m.sum())
        rm = most_selected(with_missing)
        result["attributes"][attr] = {
            "if_missing_kept_as_group": {
                "most_selected_group": rm,
                "selection_rate": with_missing[rm],
                "groups": len(with_missing),
            },
            "columns": cols,
            "unknown": unknown,
            "n": n_known,
            "most_selected_group": r,
            "highest_scoring_group": most_selected({g: groups[g]["scoring_rate"] for g in names}),
            "groups": groups,
            "pairs": pairs,
            "edf": {"unweighted": edf(sub, cols, False), "weighted": edf(sub, cols, True)},
            "ll144_exclude_below": exclude_below,
        }
    result["checks"] = {"generalized_rates_aif360_vs_pandas_max_abs_diff": max_diff}

    # Top-k, no label.
    t, inc, exc = topk_mask(score, 300)
    df["_inc"], df["_exc"] = inc.astype(int), exc.astype(int)
    overall = {
        "k": 300,
        "kth_score": t,
        "include_ties": {"selected": int(inc.sum()), "attributes": per_group_selection(df, "_inc")},
        "exclude_ties": {"selected": int(exc.sum()), "attributes": per_group_selection(df, "_exc")},
    }
    df["_inc"], df["_exc"] = 0, 0
    thresholds = {}
    for c in sorted(df["cohort"].unique()):
        m = (df["cohort"] == c).to_numpy()
        tc, ic, ec = topk_mask(score[m], 75)
        df.loc[m, "_inc"] = ic.astype(int)
        df.loc[m, "_exc"] = ec.astype(int)
        thresholds[c] = {"n": int(m.sum()), "kth_score": tc, "include_ties": int(ic.sum()), "exclude_ties": int(ec.sum())}
    within = {
        "k": 75,
        "within": "cohort",
        "cohorts": thresholds,
        "include_ties": {"selected": int(df["_inc"].sum()), "attributes": per_group_selection(df, "_inc")},
        "exclude_ties": {"selected": int(df["_exc"].sum()), "attributes": per_group_selection(df, "_exc")},
    }
    result["top_k"] = {"overall": overall, "within_cohort": within}

    # The hand-sized tie case.
    ties = read("hiring_ties.csv")
    ts = ties["score"].astype(float).to_numpy()
    t5, i5, e5 = topk_mask(ts, 5)

    def counts_by_sex(mask):
        return {s: int(mask[(ties["sex"] == s).to_numpy()].sum()) for s in sorted(ties["sex"].unique())}

    result["top_k_ties"] = {
        "fixture": "fixtures/hiring_ties.csv",
        "k": 5,
        "kth_score": t5,
        "rule": "include_ties: score >= kth_score; exclude_ties: score > kth_score",
        "n": {s: int((ties["sex"] == s).sum()) for s in sorted(ties["sex"].unique())},
        "include_ties": {
            "selected_ids": sorted(ties.loc[i5, "applicant_id"]),
            "selected": int(i5.sum()),
            "by_sex": counts_by_sex(i5),
        },
        "exclude_ties": {
            "selected_ids": sorted(ties.loc[e5, "applicant_id"]),
            "selected": int(e5.sum()),
            "by_sex": counts_by_sex(e5),
        },
    }
    result["notes"] = [
        "Rows with an empty value in an attribute's column(s) are dropped from that attribute "
        "(LL144's unknown category); `unknown` counts them. Top-k ranks and the LL144 median use "
        "all 3,000 rows, unknowns included.",
        "race&sex groups are named '<race>&<sex>', as fairaudit names intersections "
        "(fairaudit audit-fairness fixtures/compas.csv --group race --group sex --json: "
        "'African-American&Female').",
        "AIF360 BinaryLabelDatasetMetric._smoothed_base_rates uses alpha = concentration / 2 "
        "(num_classes fixed at 2) and only the intersections present in the data; "
        "aif360.sklearn.metrics.smoothed_base_rate uses concentration / len(np.unique(y)) per "
        "group, so the two APIs differ when a group is all 0 or all 1 (both recorded under edf).",
        "AIF360's generalized rates divide by the (weighted) number of positives / negatives: "
        "GTPR = sum(w score | y=1) / sum(w | y=1).",
        "ks_p_value is scipy.stats.ks_2samp's default (method='auto').",
    ]
    return result


# ---------------------------------------------------------------------------------------------
# LL144 worked examples.


def parse_printed(text, percent_column):
    """Value, number of decimals and whether it is a percent, of a printed rate or ratio."""
    pct = text.endswith("%") or (percent_column and not text.endswith("%"))
    body = text.rstrip("%")
    decimals = len(body.split(".")[1]) if "." in body else 0
    return Decimal(body), decimals, pct


def compare(printed, exact, percent_column):
    value, decimals, pct = parse_printed(printed, percent_column)
    x = exact * 100 if pct else exact
    q = Decimal(1).scaleb(-decimals)
    dec = Decimal(x.numerator) / Decimal(x.denominator)
    half_up = dec.quantize(q, rounding=ROUND_HALF_UP)
    truncated = dec.quantize(q, rounding="ROUND_DOWN")
    return {
        "printed": printed,
        "exact": float(x),
        "rounded_half_up": str(half_up),
        "matches_rounding": half_up == value,
        "matches_truncation": truncated == value,
    }


def ll144_check(table_rows, recomputed, label_of, rate_key, kind):
    """Compare printed rows with recomputed group values; returns rows of checks."""
    checks = []
    for row in table_rows:
        g = label_of(row)
        rec = recomputed.get(g)
        if kind == "selection":
            n_p, s_p, rate_p, ir_p = row[-4:]
        else:
            n_p, rate_p, ir_p = row[-3:]
            s_p = None
        c = {"group": g, "n_printed": int(n_p), "n": rec["n"] if rec else None}
        if s_p is not None:
            c["selected_printed"] = int(s_p)
            c["selected"] = rec["selected"] if rec else None
        if rec:
            c["rate"] = compare(rate_p, rec["exact_rate"], True)
            c["impact_ratio"] = compare(ir_p, rec["exact_impact_ratio"], False)
            # The ratio of the two printed (rounded) rates, to see which one the rule divides.
            top = max(parse_printed(r[-2], True)[0] for r in table_rows)
            c["impact_ratio_from_printed_rates"] = compare(
                ir_p, Fraction(parse_printed(rate_p, True)[0]) / Fraction(top), False
            )
            c["counts_match"] = c["n"] == c["n_printed"] and c.get("selected") == c.get("selected_printed")
        checks.append(c)
    return checks


def recompute(df, cols, outcome):
    sub, unknown = known(df, cols)
    groups = {}
    for g in sorted(sub["_group"].unique()):
        m = sub["_group"] == g
        n = int(m.sum())
        s = int(sub.loc[m, outcome].sum())
        groups[g] = {"n": n, "selected": s, "exact_rate": Fraction(s, n)}
    top = max(v["exact_rate"] for v in groups.values())
    for v in groups.values():
        v["exact_impact_ratio"] = v["exact_rate"] / top
    return groups, unknown


def public(groups, count_key):
    return {
        g: {"n": v["n"], count_key: v["selected"], "rate": float(v["exact_rate"]), "impact_ratio": float(v["exact_impact_ratio"])}
        for g, v in groups.items()
    }


def inter_label(row):
    eth, sex, race = row[0], row[1], row[2]
    return ll144.fixture_race(eth, race) + "&" + sex


def ll144_examples():
    out = {"source": ll144.SOURCE, "versions": versions()}
    sel_tables = ll144.SELECTION
    sc_tables = ll144.SCORING

    def printed(rows, kind, inter):
        keys = (["applicants", "selected", "selection_rate", "impact_ratio"] if kind == "selection"
                else ["applicants", "scoring_rate", "impact_ratio"])
        res = []
        for r in rows:
            d = dict(zip(keys, r[-len(keys):]))
            if inter:
                d.update({"ethnicity": r[0], "sex": r[1], "race": r[2]})
            else:
                d["category"] = r[0]
            res.append(d)
        return res

    # Selection example.
    df = read("ll144_example.csv")
    df["selected"] = df["selected"].astype(int)
    race_df = read("ll144_example_race.csv")
    race_df["selected"] = race_df["selected"].astype(int)
    rec = {}
    unk = {}
    for attr, cols in ATTRIBUTES.items():
        rec[attr], unk[attr] = recompute(df, cols, "selected")
    rec_race_table, _ = recompute(race_df, ["race"], "selected")
    sel_checks = {
        "sex": ll144_check(sel_tables["sex"], rec["sex"], lambda r: r[0], "selection_rate", "selection"),
        "race": ll144_check(sel_tables["race"], rec["race"], lambda r: r[0], "selection_rate", "selection"),
        "race_from_ll144_example_race_csv": ll144_check(
            sel_tables["race"], rec_race_table, lambda r: r[0], "selection_rate", "selection"
        ),
        "race&sex": ll144_check(sel_tables["intersectional"], rec["race&sex"], inter_label, "selection_rate", "selection"),
    }
    out["selection_example"] = {
        "section": "6 RCNY § 5-301(b), example",
        "printed": {
            "sex": printed(sel_tables["sex"], "selection", False),
            "race": printed(sel_tables["race"], "selection", False),
            "intersectional": printed(sel_tables["intersectional"], "selection", True),
            "unknown": sel_tables["unknown"],
            "unknown_note": sel_tables["unknown_note"],
        },
        "fixture": "fixtures/ll144_example.csv",
        "fixture_race_table": "fixtures/ll144_example_race.csv",
        "recomputed": {
            "sex": public(rec["sex"], "selected"),
            "race": public(rec["race"], "selected"),
            "race&sex": public(rec["race&sex"], "selected"),
            "race_from_ll144_example_race_csv": public(rec_race_table, "selected"),
            "unknown": unk,
        },
        "checks": sel_checks,
    }

    # Scoring example.
    sdf = read("ll144_example_scoring.csv")
    s = sdf["score"].astype(float).to_numpy()
    median_all = float(np.median(s))
    kn = (sdf["sex"] != "").to_numpy() & (sdf["race"] != "").to_numpy()
    median_known = float(np.median(s[kn]))
    sdf["above"] = (s > median_all).astype(int)
    sdf["above_known_median"] = (s > median_known).astype(int)
    sdf["at_or_above"] = (s >= median_all).astype(int)
    srec, sunk = {}, {}
    for attr, cols in ATTRIBUTES.items():
        srec[attr], sunk[attr] = recompute(sdf, cols, "above")
        # The constructed scores give the same rates under the other readings.
        for alt in ("above_known_median", "at_or_above"):
            other, _ = recompute(sdf[kn], cols, alt)
            assert {g: v["selected"] for g, v in other.items()} == {g: v["selected"] for g, v in srec[attr].items()}
    sc_checks = {
        "sex": ll144_check(sc_tables["sex"], srec["sex"], lambda r: r[0], "scoring_rate", "scoring"),
        "race": ll144_check(sc_tables["race"], srec["race"], lambda r: r[0], "scoring_rate", "scoring"),
        "race&sex": ll144_check(sc_tables["intersectional"], srec["race&sex"], inter_label, "scoring_rate", "scoring"),
    }
    out["scoring_example"] = {
        "section": "6 RCNY § 5-301(d), example",
        "printed": {
            "sex": printed(sc_tables["sex"], "scoring", False),
            "race": printed(sc_tables["race"], "scoring", False),
            "intersectional": printed(sc_tables["intersectional"], "scoring", True),
            "unknown": sc_tables["unknown"],
            "unknown_note": sc_tables["unknown_note"],
        },
        "fixture": "fixtures/ll144_example_scoring.csv",
        "scores_constructed": True,
        "median_all_rows": median_all,
        "median_known_rows": median_known,
        "recomputed": {
            "sex": public(srec["sex"], "scored_above_median"),
            "race": public(srec["race"], "scored_above_median"),
            "race&sex": public(srec["race&sex"], "scored_above_median"),
            "unknown": sunk,
        },
        "checks": sc_checks,
    }

    # Summarise every place where the printed numbers disagree with their own counts.
    problems = []
    for ex_name, checks in (("selection_example", sel_checks), ("scoring_example", sc_checks)):
        for table, rows in checks.items():
            for c in rows:
                if c.get("n") is None:
                    problems.append(f"{ex_name}.{table}: {c['group']}: no such group in the fixture")
                    continue
                if not c["counts_match"]:
                    problems.append(
                        f"{ex_name}.{table}: {c['group']}: printed counts "
                        f"{c['n_printed']}/{c.get('selected_printed')} but the intersectional table "
                        f"sums to {c['n']}/{c.get('selected')}"
                    )
                for key in ("rate", "impact_ratio"):
                    cc = c[key]
                    if not cc["matches_rounding"]:
                        how = "truncated, not rounded" if cc["matches_truncation"] else "neither rounded nor truncated"
                        problems.append(
                            f"{ex_name}.{table}: {c['group']}: {key} printed {cc['printed']}, exact "
                            f"{cc['exact']!r} rounds half-up to {cc['rounded_half_up']} ({how})"
                        )
    formatting = [
        "scoring_example intersectional, Non-Hispanic Male Native American or Alaska Native: scoring "
        "rate printed '62.5' without a percent sign",
        "scoring_example intersectional, Non-Hispanic Female Black or African American: impact ratio "
        "printed '.67' without a leading zero",
        "selection_example: rates are printed with 0 decimals (sex, race) or 1 decimal "
        "(intersectional) and impact ratios with 2 or 3 decimals; the sex table's '1.00' and "
        "'0.979' differ in precision",
    ]
    sel_race_total = sum(int(r[1]) for r in sel_tables["race"])
    sel_sex_total = sum(int(r[1]) for r in sel_tables["sex"])
    problems.append(
        f"selection_example: the race table totals {sel_race_total} applicants, the sex and "
        f"intersectional tables {sel_sex_total}; the whole difference is the Hispanic or Latino row "
        "(printed 408 applicants / 204 selected / 50% / 0.97; its two intersectional rows sum to "
        "395 / 172, i.e. 43.5%, impact ratio 0.842). The 13 extra applicants cannot carry 32 extra "
        "selections, so no set of applicants reproduces all three tables; fixtures/ll144_example.csv "
        "reproduces the sex and intersectional tables and the other six race rows, "
        "fixtures/ll144_example_race.csv the race table alone."
    )
    out["inconsistencies"] = problems
    out["formatting_oddities"] = formatting
    out["notes"] = [
        "Every printed impact ratio is the rounded ratio of the exact (unrounded) rates; dividing "
        "the printed rounded rates instead misses 3 race and 6 intersectional ratios of the "
        "selection example (see impact_ratio_from_printed_rates).",
        "Exact rates and ratios are computed with fractions from the fixtures; `matches_rounding` "
        "compares round-half-up of the exact value at the printed number of decimals with the "
        "printed value. Impact ratios are checked against the exact rates and, under "
        "impact_ratio_from_printed_rates, against the ratio of the printed (rounded) rates.",
        "The scoring example prints no median and no scores; the fixture's scores are "
        "constructed (see scripts/make_ll144_example.py).",
        "Unknown rows (empty sex and race) are dropped from every table: 250 in the selection "
        "example, 15 in the scoring example.",
    ]
    return out


def write(name, obj):
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / name, "w") as fh:
        json.dump(obj, fh, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


def main():
    write("hiring.json", hiring())
    write("ll144_example.json", ll144_examples())


if __name__ == "__main__":
    main()
