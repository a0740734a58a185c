#!/usr/bin/env python3
"""fairlearn's ThresholdOptimizer on fixtures/compas_scores.csv, for `--suggest-thresholds`
(issue 17): what fairaudit's exact search must reach or beat.

    python3 -m venv /work/venv17 && /work/venv17/bin/pip install fairlearn pandas scikit-learn
    /work/venv17/bin/python scripts/oracle_fairlearn_thresholds.py

Writes tests/expected/thresholds/fairlearn.json. Versions used: see "versions" in the output
(fairlearn 0.15.0, pandas 3.1.1, scikit-learn 1.9.1, numpy 2.4.6).

For each constraint ("demographic_parity", "true_positive_rate_parity", "equalized_odds") and
objective ("accuracy_score", "balanced_accuracy_score"), and for the first two constraints also
with fairlearn's relaxed `tol=0.05`: ThresholdOptimizer(prefit=True, predict_method="predict")
around an estimator whose predict returns the score column `proba` (label `label_value`, group
`race`, default grid_size 1000). Its randomized rule is evaluated EXACTLY from `_pmf_predict`
(each row's probability p of a positive prediction — no random draw): expected TP = sum y p,
FP = sum (1 - y) p, TN = sum (1 - y)(1 - p), FN = sum y (1 - p); accuracy = (TP + TN) / n,
balanced accuracy = (TP / P + TN / N) / 2. Per group the expected selection rate, TPR and FPR;
the achieved violation = max - min over groups of the selection rate (demographic parity), the
TPR (TPR parity), max of the TPR and FPR spreads (equalized odds).
"""

import json
import os
import platform

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin

import fairlearn
from fairlearn.postprocessing import ThresholdOptimizer

FIXTURE = "fixtures/compas_scores.csv"
OUT = "tests/expected/thresholds/fairlearn.json"


class Identity(ClassifierMixin, BaseEstimator):
    """Returns the score column: the scores are already computed."""

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.asarray(X["proba"], dtype=float)


def main():
    df = pd.read_csv(FIXTURE)
    X = df[["proba"]]
    y = df["label_value"].astype(int)
    a = df["race"]
    est = Identity().fit(X)
    cases = []
    runs = []
    for cons in ("demographic_parity", "true_positive_rate_parity", "equalized_odds"):
        for tol in (None, 0.05):
            if tol is not None and cons == "equalized_odds":
                continue  # fairlearn: relaxation is not supported for equalized odds
            for obj in ("accuracy_score", "balanced_accuracy_score"):
                runs.append((cons, tol, obj))
    for cons, tol, obj in runs:
        to = ThresholdOptimizer(
            estimator=est,
            constraints=cons,
            objective=obj,
            prefit=True,
            predict_method="predict",
            tol=tol,
        )
        to.fit(X, y, sensitive_features=a)
        p = to._pmf_predict(X, sensitive_features=a)[:, 1]
        yy = y.to_numpy()
        tp = float(np.sum(yy * p))
        fp = float(np.sum((1 - yy) * p))
        tn = float(np.sum((1 - yy) * (1 - p)))
        fn = float(np.sum(yy * (1 - p)))
        n = len(yy)
        acc = (tp + tn) / n
        bal = (tp / (tp + fn) + tn / (tn + fp)) / 2
        groups = {}
        for g in sorted(a.unique()):
            m = (a == g).to_numpy()
            pg, yg = p[m], yy[m]
            groups[g] = {
                "selection_rate": float(pg.mean()),
                "true_positive_rate": float((yg * pg).sum() / yg.sum()) if yg.sum() > 0 else None,
                "false_positive_rate": float(((1 - yg) * pg).sum() / (1 - yg).sum()) if (1 - yg).sum() > 0 else None,
            }

        def spread(k):
            v = [x[k] for x in groups.values() if x[k] is not None]
            return max(v) - min(v)

        if cons == "demographic_parity":
            viol = spread("selection_rate")
        elif cons == "true_positive_rate_parity":
            viol = spread("true_positive_rate")
        else:
            viol = max(spread("true_positive_rate"), spread("false_positive_rate"))
        cases.append({
            "constraint": cons,
            "fairaudit_constraint": {
                "demographic_parity": "demographic-parity",
                "true_positive_rate_parity": "equal-opportunity",
                "equalized_odds": "equalized-odds",
            }[cons],
            "objective": obj,
            "fairaudit_objective": {"accuracy_score": "accuracy", "balanced_accuracy_score": "balanced-accuracy"}[obj],
            "tol": tol,
            "expected_objective": acc if obj == "accuracy_score" else bal,
            "expected_accuracy": acc,
            "expected_balanced_accuracy": bal,
            "violation": viol,
            "groups": groups,
        })
        print(f"{cons:28} tol={tol!s:5} {obj:24} objective {cases[-1]['expected_objective']:.6f} violation {viol:.3g}")
    out = {
        "fixture": FIXTURE,
        "label": "label_value",
        "score": "proba",
        "group": "race",
        "rows": int(len(df)),
        "versions": {
            "python": platform.python_version(),
            "fairlearn": fairlearn.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
