#!/usr/bin/env python3
"""Expected values for tests/sklearn_scores.rs: ROC AUC, Brier score and log loss per group and
overall, computed by scikit-learn (roc_auc_score, brier_score_loss, log_loss), and Borkan et al.'s
BPSN / BNSP AUCs as roc_auc_score on the row subsets that define them.

Writes tests/expected/sklearn_scores.json. Run from the project root in the oracle virtual
environment (see scripts/requirements-oracle.txt):

    .venv/bin/python scripts/oracle_sklearn.py

A group whose labels are all one class has no ROC AUC (scikit-learn raises); the file says null.
log_loss is given labels=[0, 1] so that it is defined for such groups too.
"""
import importlib.metadata
import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

root = pathlib.Path(__file__).resolve().parent.parent

CASES = [
    # name, fixture, label, score, groups, weight
    ("compas_scores_race", "compas_scores.csv", "label_value", "proba", ["race"], None),
    ("compas_scores_race_sex_weighted", "compas_scores.csv", "label_value", "proba", ["race", "sex"], "weight"),
    ("compas_binary_score_sex", "compas.csv", "label_value", "score", ["sex", "age_cat"], None),
]


def auc_or_none(y, s, w):
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, s, sample_weight=w))


def borkan(y, s, w, in_group):
    """Borkan et al. 2019: BPSN = AUC on subgroup negatives and background positives;
    BNSP = AUC on subgroup positives and background negatives."""
    bpsn = (in_group & (y == 0)) | (~in_group & (y == 1))
    bnsp = (in_group & (y == 1)) | (~in_group & (y == 0))
    sub = lambda m: (y[m], s[m], None if w is None else w[m])  # noqa: E731
    return {"bpsn_auc": auc_or_none(*sub(bpsn)), "bnsp_auc": auc_or_none(*sub(bnsp))}


def metrics(y, s, w):
    out = {}
    if len(np.unique(y)) < 2:
        out["roc_auc"] = None
    else:
        out["roc_auc"] = float(roc_auc_score(y, s, sample_weight=w))
    out["brier_score"] = float(brier_score_loss(y, s, sample_weight=w))
    out["log_loss"] = float(log_loss(y, s, sample_weight=w, labels=[0, 1]))
    return out


def main():
    out = {"scikit_learn_version": importlib.metadata.version("scikit-learn"), "cases": []}
    for name, fixture, label, score, groups, weight in CASES:
        df = pd.read_csv(root / "fixtures" / fixture)
        y = df[label].astype(int).to_numpy()
        s = df[score].astype(float).to_numpy()
        w = df[weight].astype(float).to_numpy() if weight else None
        args = ["--label", label, "--score", score]
        for g in groups:
            args += ["--group", g]
        if weight:
            args += ["--weight", weight]
        attrs = {}
        units = [[g] for g in groups] + ([groups] if len(groups) > 1 else [])
        for cols in units:
            keys = df[cols].astype(str).agg("&".join, axis=1)
            groups_out = {}
            for k in sorted(keys.unique()):
                m = (keys == k).to_numpy()
                groups_out[k] = metrics(y[m], s[m], None if w is None else w[m])
                groups_out[k].update(borkan(y, s, w, m))
            # xAUC (Kallus & Zhou 2019): AUC of group a's positives against group b's negatives.
            xauc = {}
            for a in sorted(keys.unique()):
                for b in sorted(keys.unique()):
                    if a == b:
                        continue
                    m = (((keys == a) & (y == 1)) | ((keys == b) & (y == 0))).to_numpy()
                    xauc[f"{a}|{b}"] = auc_or_none(y[m], s[m], None if w is None else w[m])
            groups_out_with = {"groups": groups_out, "xauc": xauc}
            attrs["&".join(cols)] = groups_out_with
        out["cases"].append(
            {"name": name, "file": f"fixtures/{fixture}", "args": args, "overall": metrics(y, s, w), "attributes": attrs}
        )
    path = root / "tests" / "expected" / "sklearn_scores.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
