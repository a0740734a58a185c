#!/usr/bin/env python3
"""Expected values for tests/fairlearn.rs, computed by fairlearn 0.15 (and scikit-learn).

Writes tests/expected/fairlearn.json. Run from the project root in a virtual environment:

    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-oracle.txt
    .venv/bin/python scripts/oracle_fairlearn.py

Every per-group rate is computed by fairlearn's MetricFrame with fairlearn's / scikit-learn's
metric functions, and every disparity by MetricFrame.difference / .ratio and fairlearn's named
functions (demographic_parity_*, equalized_odds_*, equal_opportunity_*).

Where fairlearn turns 0/0 into 0 (scikit-learn's zero_division), fairaudit reports null and
leaves the group out of that metric's disparities. For those cells this script records
`"fairlearn_zero_division": true` next to fairlearn's value, and computes the disparity that
fairaudit's rule gives (fairlearn's own formula over the groups whose value is defined) as
`expected`, keeping fairlearn's number as `fairlearn` for the record.
"""
import importlib.metadata
import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_score

warnings.filterwarnings("ignore")
root = pathlib.Path(__file__).resolve().parent.parent


def npv(y, p, sample_weight=None):
    return precision_score(y, p, pos_label=0, sample_weight=sample_weight, zero_division=0)


def base_rate(y, p, sample_weight=None):
    return selection_rate(y, y, sample_weight=sample_weight)


def fdr(y, p, sample_weight=None):
    return 1 - precision_score(y, p, sample_weight=sample_weight, zero_division=0)


def fomr(y, p, sample_weight=None):
    return 1 - npv(y, p, sample_weight)


def ppv(y, p, sample_weight=None):
    return precision_score(y, p, sample_weight=sample_weight, zero_division=0)


def f1(y, p, sample_weight=None):
    return f1_score(y, p, sample_weight=sample_weight, zero_division=0)


# fairaudit name -> (fairlearn/sklearn function, denominator that must be > 0 for it to be defined)
METRICS = {
    "base_rate": (base_rate, lambda c: c["n"]),
    "selection_rate": (selection_rate, lambda c: c["n"]),
    "true_positive_rate": (true_positive_rate, lambda c: c["tp"] + c["fn"]),
    "false_positive_rate": (false_positive_rate, lambda c: c["fp"] + c["tn"]),
    "true_negative_rate": (true_negative_rate, lambda c: c["fp"] + c["tn"]),
    "false_negative_rate": (false_negative_rate, lambda c: c["tp"] + c["fn"]),
    "positive_predictive_value": (ppv, lambda c: c["tp"] + c["fp"]),
    "negative_predictive_value": (npv, lambda c: c["tn"] + c["fn"]),
    "false_discovery_rate": (fdr, lambda c: c["tp"] + c["fp"]),
    "false_omission_rate": (fomr, lambda c: c["tn"] + c["fn"]),
    "accuracy": (accuracy_score, lambda c: c["n"]),
    "balanced_accuracy": (balanced_accuracy_score, lambda c: min(c["tp"] + c["fn"], c["fp"] + c["tn"])),
    "f1": (f1, lambda c: 2 * c["tp"] + c["fp"] + c["fn"]),
}

CASES = [
    # name, fixture, label, pred, groups, weight
    ("compas_race", "compas.csv", "label_value", "score", ["race"], None),
    ("compas_race_sex", "compas.csv", "label_value", "score", ["race", "sex"], None),
    ("compas_age_sex", "compas.csv", "label_value", "score", ["age_cat", "sex"], None),
    ("adult_gender_race", "adult.csv", "label_value", "score", ["gender", "race"], None),
    ("adult_weighted_race", "adult_weighted.csv", "label_value", "score", ["race"], "weight"),
    ("adult_weighted_gender_race", "adult_weighted.csv", "label_value", "score", ["gender", "race"], "weight"),
]


def counts(y, p, w):
    return {
        "tp": float(w[(y == 1) & (p == 1)].sum()),
        "fp": float(w[(y == 0) & (p == 1)].sum()),
        "tn": float(w[(y == 0) & (p == 0)].sum()),
        "fn": float(w[(y == 1) & (p == 0)].sum()),
        "n": float(w.sum()),
    }


def group_label(key):
    if isinstance(key, tuple):
        return "&".join(str(k) for k in key)
    return str(key)


def num(x):
    x = float(x)
    return None if np.isnan(x) else x


def own_disparities(values, overall):
    """fairlearn's difference/ratio formulas over the defined values only."""
    v = np.array(values, dtype=float)
    out = {}
    out["difference"] = float(v.max() - v.min())
    out["ratio"] = None if v.max() == 0 else float(v.min() / v.max())
    out["difference_to_overall"] = float(np.abs(v - overall).max())
    if overall == 0:
        out["ratio_to_overall"] = None
    else:
        r = v / overall
        out["ratio_to_overall"] = float(np.where(r > 1, 1 / r, r).min())
    return out


def attribute(df, label, pred, cols, weight):
    y = df[label].astype(int).to_numpy()
    p = (df[pred].astype(float) >= 0.5).astype(int).to_numpy()
    w = df[weight].astype(float).to_numpy() if weight else np.ones(len(df))
    sf = df[cols[0]] if len(cols) == 1 else df[cols]
    sample_params = {k: {"sample_weight": w} for k in METRICS} if weight else None
    mf = MetricFrame(
        metrics={k: f for k, (f, _) in METRICS.items()},
        y_true=y,
        y_pred=p,
        sensitive_features=sf,
        sample_params=sample_params,
    )
    mf_n = MetricFrame(metrics=count, y_true=y, y_pred=p, sensitive_features=sf)
    keys = list(mf.by_group.index)
    # Per-group counts, to know where a rate is undefined.
    gc = {}
    for key in keys:
        mask = np.ones(len(df), dtype=bool)
        kk = key if isinstance(key, tuple) else (key,)
        for c, v in zip(cols, kk):
            mask &= (df[c] == v).to_numpy()
        gc[key] = counts(y[mask], p[mask], w[mask])
    groups = {}
    for key in keys:
        g = {"n": int(mf_n.by_group.loc[key])}
        for m, (_, den) in METRICS.items():
            defined = den(gc[key]) > 0
            val = num(mf.by_group.loc[key, m])
            if defined:
                g[m] = val
            else:
                g[m] = None
                g[m + "__fairlearn_zero_division"] = val
        groups[group_label(key)] = g
    overall = {m: num(mf.overall[m]) for m in METRICS}
    disp = {}
    for m, (_, den) in METRICS.items():
        defined = [den(gc[k]) > 0 for k in keys]
        fl = {
            "difference": num(mf.difference(method="between_groups")[m]),
            "ratio": num(mf.ratio(method="between_groups")[m]),
            "difference_to_overall": num(mf.difference(method="to_overall")[m]),
            "ratio_to_overall": num(mf.ratio(method="to_overall")[m]),
        }
        if all(defined):
            for k, v in fl.items():
                disp[f"{m}_{k}"] = v
        else:
            vals = [mf.by_group.loc[k, m] for k, d in zip(keys, defined) if d]
            own = own_disparities(vals, overall[m])
            for k, v in fl.items():
                disp[f"{m}_{k}"] = own[k]
                disp[f"{m}_{k}__fairlearn"] = v
    sw = {"sample_weight": w} if weight else {}
    named = {
        "demographic_parity_difference": demographic_parity_difference(y, p, sensitive_features=sf, **sw),
        "demographic_parity_ratio": demographic_parity_ratio(y, p, sensitive_features=sf, **sw),
        "demographic_parity_difference_to_overall": demographic_parity_difference(
            y, p, sensitive_features=sf, method="to_overall", **sw
        ),
        "demographic_parity_ratio_to_overall": demographic_parity_ratio(
            y, p, sensitive_features=sf, method="to_overall", **sw
        ),
        "equal_opportunity_difference": equal_opportunity_difference(y, p, sensitive_features=sf, **sw),
        "equal_opportunity_ratio": equal_opportunity_ratio(y, p, sensitive_features=sf, **sw),
        "equalized_odds_difference": equalized_odds_difference(y, p, sensitive_features=sf, **sw),
        "equalized_odds_ratio": equalized_odds_ratio(y, p, sensitive_features=sf, **sw),
        "equalized_odds_difference_to_overall": equalized_odds_difference(
            y, p, sensitive_features=sf, method="to_overall", **sw
        ),
        "equalized_odds_ratio_to_overall": equalized_odds_ratio(
            y, p, sensitive_features=sf, method="to_overall", **sw
        ),
        "equalized_odds_difference__mean": equalized_odds_difference(
            y, p, sensitive_features=sf, agg="mean", **sw
        ),
        "equalized_odds_ratio__mean": equalized_odds_ratio(y, p, sensitive_features=sf, agg="mean", **sw),
    }
    tpr_fpr_defined = all(
        gc[k]["tp"] + gc[k]["fn"] > 0 and gc[k]["fp"] + gc[k]["tn"] > 0 for k in keys
    )
    for k, v in named.items():
        if k.startswith("demographic") or tpr_fpr_defined:
            disp[k] = num(v)
        else:
            disp[k + "__fairlearn"] = num(v)
    return {"groups": groups, "overall": overall, "disparities": disp}


def main():
    # fairlearn 0.15.0's own __version__ still says 0.13.0: ask the installed distribution.
    out = {
        "fairlearn_version": importlib.metadata.version("fairlearn"),
        "scikit_learn_version": importlib.metadata.version("scikit-learn"),
        "pandas_version": pd.__version__,
        "cases": [],
    }
    for name, fixture, label, pred, groups, weight in CASES:
        df = pd.read_csv(root / "fixtures" / fixture)
        args = ["--label", label, "--score", pred, "--threshold", "0.5"]
        for g in groups:
            args += ["--group", g]
        if weight:
            args += ["--weight", weight]
        attrs = {}
        units = [[g] for g in groups] + ([groups] if len(groups) > 1 else [])
        for cols in units:
            attrs["&".join(cols)] = attribute(df, label, pred, cols, weight)
        out["cases"].append({"name": name, "file": f"fixtures/{fixture}", "args": args, "attributes": attrs})
    path = root / "tests" / "expected" / "fairlearn.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
