#!/usr/bin/env python3
"""Expected values for tests/inequality.rs: generalized entropy index (α = 1, 2, 3), Theil
index and their between-group parts over all race groups of fixtures/compas.csv, computed by
AIF360's ClassificationMetric; and α = 0, where AIF360 is wrong.

AIF360's generalized_entropy_index at α = 0 returns −mean(ln(b/μ)) / μ: the extra division by μ
is a bug (its own docstring gives −mean(ln(b/μ))). The file records AIF360's number as
`aif360_alpha0` and the correct mean log deviation, computed with numpy, as `alpha0`. On all of
COMPAS some benefit is 0 (false negatives), so GE(0) is infinite (fairaudit: null); the case
`no_false_negatives` drops those rows so that GE(0) is finite.

Writes tests/expected/aif360.json. Run in the oracle virtual environment:
    .venv/bin/pip install aif360 && .venv/bin/python scripts/oracle_aif360.py
"""
import importlib.metadata
import json
import pathlib
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from aif360.metrics import ClassificationMetric  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent


def case(df):
    races = sorted(df["race"].unique())
    code = {r: i for i, r in enumerate(races)}
    data = pd.DataFrame(
        {
            "label": df["label_value"].astype(float),
            "race": df["race"].map(code).astype(float),
        }
    )
    truth = BinaryLabelDataset(df=data, label_names=["label"], protected_attribute_names=["race"])
    pred = truth.copy()
    pred.labels = (df["score"].to_numpy() >= 0.5).astype(float).reshape(-1, 1)
    m = ClassificationMetric(truth, pred, unprivileged_groups=[{"race": 0}], privileged_groups=[{"race": 1}])
    groups = [[{"race": i}] for i in range(len(races))]
    out = {}
    for a in (1, 2, 3):
        out[f"ge_{a}"] = float(m.generalized_entropy_index(alpha=a))
        out[f"between_{a}"] = float(m._between_group_generalized_entropy_index(groups=groups, alpha=a))
    out["theil"] = float(m.theil_index())
    out["between_theil"] = float(m._between_group_generalized_entropy_index(groups=groups, alpha=1))
    b = 1 + (df["score"].to_numpy() >= 0.5).astype(float) - df["label_value"].to_numpy().astype(float)
    mu = b.mean()
    with np.errstate(divide="ignore"):
        a0 = float(m.generalized_entropy_index(alpha=0))
        out["aif360_alpha0"] = a0 if np.isfinite(a0) else "inf"
        correct = -np.mean(np.log(b / mu))
    out["alpha0"] = None if np.isinf(correct) else float(correct)
    return out


def main():
    df = pd.read_csv(root / "fixtures" / "compas.csv")
    fn = (df["label_value"] == 1) & (df["score"] < 0.5)
    out = {
        "aif360_version": importlib.metadata.version("aif360"),
        "all": case(df),
        "no_false_negatives": case(df[~fn].reset_index(drop=True)),
    }
    path = root / "tests" / "expected" / "aif360.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
