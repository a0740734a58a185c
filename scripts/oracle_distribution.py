#!/usr/bin/env python3
"""Independent reference values for `audit-fairness --distribution --edf` (issue 16) on
fixtures/compas_scores.csv: writes tests/expected/distribution.json (read by tests/distribution.rs).

Run in a venv with numpy, scipy, pandas and aif360 (versions recorded in the output):
    python3 scripts/oracle_distribution.py

Definitions (docs/metrics.md, "Score distributions", "Empirical differential fairness"); label
`label_value`, score `proba`, decision `proba >= 0.5`, attributes race, sex and race&sex, weights
`weight` for the weighted variant:
  - mean_score, generalized TPR / FPR: AIF360 ClassificationMetric (unprivileged_groups = the
    group, privileged=False), checked against pandas;
  - ks_statistic: scipy.stats.ks_2samp(group, rest).statistic (unweighted only: scipy has no
    weighted KS); wasserstein_distance: scipy.stats.wasserstein_distance with u_weights /
    v_weights for the weighted variant; the same between every pair of groups;
  - quantiles: numpy.quantile (default 'linear'; weighted: method='inverted_cdf', weights=w);
  - regression (fixtures/compas_regression.csv, prediction y_pred by race): KS, W1 and quantiles
    of the prediction as above;
  - empirical differential fairness: AIF360 BinaryLabelDatasetMetric(dataset with labels = the
    decision).smoothed_empirical_differential_fairness(concentration=1.0), and a numpy brute force
    giving the pair and outcome (first in report order on ties).
This script uses no fairaudit code. The hiring fixture of the oracle16 branch was not committed
when this was written; tests/distribution.rs can move to it once it is.
"""
import itertools
import json
import math
import os

import aif360
import numpy as np
import pandas as pd
import scipy
import scipy.stats as ss
from aif360.datasets import BinaryLabelDataset
from aif360.metrics import BinaryLabelDatasetMetric, ClassificationMetric

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QS = [0.1, 0.25, 0.5, 0.75, 0.9]


def report_order(values):
    return sorted(values)


def edf_bruteforce(df, cols, w, concentration=1.0):
    alpha = concentration / 2
    keys = sorted(df.groupby(cols).groups.keys(), key=lambda k: k if isinstance(k, tuple) else (k,))
    rates = []
    for k in keys:
        k = k if isinstance(k, tuple) else (k,)
        m = np.logical_and.reduce([df[c] == v for c, v in zip(cols, k)])
        n, s = w[m].sum(), w[m & (df.pred == 1)].sum()
        rates.append(((s + alpha) / (n + concentration), (n - s + alpha) / (n + concentration)))
    best = None
    for i, j in itertools.combinations(range(len(keys)), 2):
        for y in range(2):
            d = abs(math.log(rates[i][y]) - math.log(rates[j][y]))
            if best is None or d > best[0]:
                best = (d, i, j, y)
    name = lambda k: "&".join(str(x) for x in (k if isinstance(k, tuple) else (k,)))
    return {
        "epsilon": best[0],
        "group_a": name(keys[best[1]]),
        "group_b": name(keys[best[2]]),
        "outcome": ["selected", "not_selected"][best[3]],
        "smoothed_selected": {name(k): r[0] for k, r in zip(keys, rates)},
    }


def edf_aif360(df, cols, weighted):
    codes = {c: {v: i for i, v in enumerate(sorted(df[c].unique()))} for c in cols}
    frame = pd.DataFrame({c: df[c].map(codes[c]) for c in cols})
    frame["pred"] = df.pred
    ds = BinaryLabelDataset(df=frame, label_names=["pred"], protected_attribute_names=cols,
                            instance_weights_name=None)
    if weighted:
        ds.instance_weights = df.weight.to_numpy(dtype=float)
    return BinaryLabelDatasetMetric(ds).smoothed_empirical_differential_fairness(concentration=1.0)


def generalized_aif360(df, col, group, weighted):
    codes = {v: i for i, v in enumerate(sorted(df[col].unique()))}
    frame = pd.DataFrame({"a": df[col].map(codes), "y": df.label_value})
    truth = BinaryLabelDataset(df=frame, label_names=["y"], protected_attribute_names=["a"])
    if weighted:
        truth.instance_weights = df.weight.to_numpy(dtype=float)
    pred = truth.copy(deepcopy=True)
    pred.scores = df.proba.to_numpy(dtype=float).reshape(-1, 1)
    m = ClassificationMetric(truth, pred, unprivileged_groups=[{"a": codes[group]}],
                             privileged_groups=[{"a": v} for k, v in codes.items() if k != group])
    return m.generalized_true_positive_rate(privileged=False), m.generalized_false_positive_rate(privileged=False)


def attribute(df, cols, weighted):
    name_of = df[cols].astype(str).agg("&".join, axis=1)
    w = df.weight.to_numpy(dtype=float) if weighted else np.ones(len(df))
    groups = report_order(name_of.unique())
    out = {"groups": {}, "pairs": []}
    for g in groups:
        m = (name_of == g).to_numpy()
        x, rest = df.proba[m].to_numpy(), df.proba[~m].to_numpy()
        wx, wr = w[m], w[~m]
        pos, neg = m & (df.label_value == 1).to_numpy(), m & (df.label_value == 0).to_numpy()
        gtpr = float(np.average(df.proba[pos], weights=w[pos]))
        gfpr = float(np.average(df.proba[neg], weights=w[neg]))
        if len(cols) == 1:
            a_tpr, a_fpr = generalized_aif360(df, cols[0], g, weighted)
            assert abs(a_tpr - gtpr) < 1e-12 and abs(a_fpr - gfpr) < 1e-12, (g, a_tpr, gtpr)
        rec = {
            "mean_score": float(np.average(x, weights=wx)),
            "generalized_true_positive_rate": gtpr,
            "generalized_false_positive_rate": gfpr,
            "wasserstein_distance": float(ss.wasserstein_distance(x, rest, wx, wr)),
        }
        if weighted:
            qs = np.quantile(x, QS, weights=wx, method="inverted_cdf")
        else:
            rec["ks_statistic"] = float(ss.ks_2samp(x, rest).statistic)
            qs = np.quantile(x, QS)
        for q, v in zip(QS, qs):
            rec["quantile_p%g" % (q * 100)] = float(v)
        out["groups"][g] = rec
    for a, b in itertools.combinations(groups, 2):
        ma, mb = (name_of == a).to_numpy(), (name_of == b).to_numpy()
        xa, xb = df.proba[ma].to_numpy(), df.proba[mb].to_numpy()
        p = {"group_a": a, "group_b": b,
             "wasserstein_distance": float(ss.wasserstein_distance(xa, xb, w[ma], w[mb]))}
        if not weighted:
            p["ks_statistic"] = float(ss.ks_2samp(xa, xb).statistic)
        out["pairs"].append(p)
    edf = edf_bruteforce(df, cols, w)
    edf["aif360_epsilon"] = float(edf_aif360(df, cols, weighted))
    assert abs(edf["aif360_epsilon"] - edf["epsilon"]) < 1e-12
    out["empirical_differential_fairness"] = edf
    return out


def main():
    df = pd.read_csv(os.path.join(ROOT, "fixtures/compas_scores.csv"))
    df["pred"] = (df.proba >= 0.5).astype(int)
    result = {
        "fixture": "fixtures/compas_scores.csv",
        "columns": {"label": "label_value", "score": "proba", "decision": "proba >= 0.5",
                    "weight": "weight"},
        "versions": {"aif360": aif360.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__, "scipy": scipy.__version__},
        "quantiles": QS,
    }
    for weighted in (False, True):
        key = "weighted" if weighted else "unweighted"
        result[key] = {"&".join(cols): attribute(df, cols, weighted)
                       for cols in (["race"], ["sex"], ["race", "sex"])}
    # Regression: the distribution of the prediction y_pred by race (rows with a label and a
    # prediction), unweighted.
    reg = pd.read_csv(os.path.join(ROOT, "fixtures/compas_regression.csv")).dropna(subset=["y", "y_pred"])
    result["regression"] = {"fixture": "fixtures/compas_regression.csv", "prediction": "y_pred",
                            "race": {}}
    for g in report_order(reg.race.unique()):
        x, rest = reg.y_pred[reg.race == g], reg.y_pred[reg.race != g]
        rec = {"ks_statistic": float(ss.ks_2samp(x, rest).statistic),
               "wasserstein_distance": float(ss.wasserstein_distance(x, rest))}
        for q, v in zip(QS, np.quantile(x, QS)):
            rec["quantile_p%g" % (q * 100)] = float(v)
        result["regression"]["race"][g] = rec
    path = os.path.join(ROOT, "tests/expected/distribution.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
