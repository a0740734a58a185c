#!/usr/bin/env python3
"""Expected values for tests/tasks.rs: the regression report (per group: MAE, MSE, RMSE, R², mean
label, mean prediction, mean residual) by scikit-learn's regression metrics, and the multiclass
report (one-vs-rest confusion counts per class and group by multilabel_confusion_matrix, recall and
precision per class, multiclass accuracy by accuracy_score), with and without sample weights.

Writes tests/expected/sklearn_tasks.json. Run from the project root in the oracle virtual
environment (see scripts/requirements-oracle.txt):

    .venv/bin/python scripts/oracle_tasks.py

Rows with a missing label or prediction are dropped first (fairaudit drops them and says so).
"""
import importlib.metadata
import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    mean_absolute_error,
    mean_squared_error,
    multilabel_confusion_matrix,
    precision_score,
    r2_score,
    recall_score,
    root_mean_squared_error,
)

root = pathlib.Path(__file__).resolve().parent.parent

REGRESSION = [
    # name, fixture, label, pred, groups, weight
    ("regression_race", "compas_regression.csv", "y", "y_pred", ["race"], None),
    ("regression_race_sex_weighted", "compas_regression.csv", "y", "y_pred", ["race", "sex"], "weight"),
]
MULTICLASS = [
    ("multiclass_race", "compas_multiclass.csv", "risk", "risk_pred", ["race"], None),
    ("multiclass_race_sex_weighted", "compas_multiclass.csv", "risk", "risk_pred", ["race", "sex"], "weight"),
]


def units(groups):
    return [[g] for g in groups] + ([groups] if len(groups) > 1 else [])


def args_for(label, pred, groups, weight):
    args = ["--label", label, "--pred", pred]
    for g in groups:
        args += ["--group", g]
    if weight:
        args += ["--weight", weight]
    return args


def regression_metrics(y, p, w):
    out = {
        "mean_absolute_error": float(mean_absolute_error(y, p, sample_weight=w)),
        "mean_squared_error": float(mean_squared_error(y, p, sample_weight=w)),
        "root_mean_squared_error": float(root_mean_squared_error(y, p, sample_weight=w)),
        "mean_label": float(np.average(y, weights=w)),
        "mean_prediction": float(np.average(p, weights=w)),
        "mean_residual": float(np.average(p - y, weights=w)),
    }
    # scikit-learn gives 1.0 / 0.0 (or nan below two rows) when the label is constant; fairaudit
    # says undefined: only compare where the label varies.
    if len(np.unique(y)) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["r2"] = float(r2_score(y, p, sample_weight=w))
    else:
        out["r2"] = None
    return out


def regression_case(name, fixture, label, pred, groups, weight):
    df = pd.read_csv(root / "fixtures" / fixture)
    df = df[df[label].notna() & df[pred].notna()].reset_index(drop=True)
    y = df[label].astype(float).to_numpy()
    p = df[pred].astype(float).to_numpy()
    w = df[weight].astype(float).to_numpy() if weight else None
    attrs = {}
    for cols in units(groups):
        keys = df[cols].astype(str).agg("&".join, axis=1)
        attrs["&".join(cols)] = {
            k: regression_metrics(y[m], p[m], None if w is None else w[m])
            for k in sorted(keys.unique())
            for m in [(keys == k).to_numpy()]
        }
    return {
        "name": name,
        "file": f"fixtures/{fixture}",
        "args": args_for(label, pred, groups, weight),
        "overall": regression_metrics(y, p, w),
        "attributes": attrs,
    }


def ovr(y, p, w, c):
    (tn, fp), (fn, tp) = multilabel_confusion_matrix(y, p, labels=[c], sample_weight=w)[0]
    yc, pc = (y == c).astype(int), (p == c).astype(int)
    return {
        "tp": float(tp), "fp": float(fp), "tn": float(tn), "fn": float(fn),
        "true_positive_rate": float(recall_score(yc, pc, sample_weight=w, zero_division=np.nan)),
        "positive_predictive_value": float(precision_score(yc, pc, sample_weight=w, zero_division=np.nan)),
    }


def nan_to_none(d):
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in d.items()}


def multiclass_case(name, fixture, label, pred, groups, weight):
    df = pd.read_csv(root / "fixtures" / fixture)
    y = df[label].astype(str).to_numpy()
    p = df[pred].astype(str).to_numpy()
    w = df[weight].astype(float).to_numpy() if weight else None
    classes = sorted(set(y) | set(p))
    per_class = {}
    for c in classes:
        attrs = {}
        for cols in units(groups):
            keys = df[cols].astype(str).agg("&".join, axis=1)
            attrs["&".join(cols)] = {
                k: nan_to_none(ovr(y[m], p[m], None if w is None else w[m], c))
                for k in sorted(keys.unique())
                for m in [(keys == k).to_numpy()]
            }
        per_class[c] = {"overall": nan_to_none(ovr(y, p, w, c)), "attributes": attrs}
    return {
        "name": name,
        "file": f"fixtures/{fixture}",
        "args": args_for(label, pred, groups, weight),
        "classes": classes,
        "accuracy": float(accuracy_score(y, p, sample_weight=w)),
        "per_class": per_class,
    }


def main():
    out = {
        "scikit_learn_version": importlib.metadata.version("scikit-learn"),
        "regression": [regression_case(*c) for c in REGRESSION],
        "multiclass": [multiclass_case(*c) for c in MULTICLASS],
    }
    path = root / "tests" / "expected" / "sklearn_tasks.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
