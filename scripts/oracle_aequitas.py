#!/usr/bin/env python3
"""Expected values for tests/aequitas.rs: reference-group disparities (ratios) and parity
verdicts (tau = 0.8) computed by aequitas 1.1 on its COMPAS sample (fixtures/compas.csv), with
predefined reference groups, the majority (largest) group, and the min-metric method.

Writes tests/expected/aequitas.json. Run in its own virtual environment (aequitas pins older
packages than fairlearn):
    python3 -m venv .venv-aequitas && .venv-aequitas/bin/pip install -r scripts/requirements-aequitas.txt
    .venv-aequitas/bin/python scripts/oracle_aequitas.py

Where the reference group's value is 0, aequitas' ratio is not a measurement (x/0); the file keeps
aequitas' number under `aequitas` and marks it `"x_over_0": true`; fairaudit says null.
"""
import importlib.metadata
import json
import pathlib
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
from aequitas.bias import Bias  # noqa: E402
from aequitas.fairness import Fairness  # noqa: E402
from aequitas.group import Group  # noqa: E402

root = pathlib.Path(__file__).resolve().parent.parent

# aequitas metric -> (fairaudit metric, aequitas parity column)
METRICS = {
    "ppr": ("predicted_positive_share", "Statistical Parity"),
    "pprev": ("selection_rate", "Impact Parity"),
    "precision": ("positive_predictive_value", "Precision Parity"),
    "fdr": ("false_discovery_rate", "FDR Parity"),
    "for": ("false_omission_rate", "FOR Parity"),
    "fpr": ("false_positive_rate", "FPR Parity"),
    "fnr": ("false_negative_rate", "FNR Parity"),
    "tpr": ("true_positive_rate", "TPR Parity"),
    "tnr": ("true_negative_rate", "TNR Parity"),
    "npv": ("negative_predictive_value", "NPV Parity"),
}


def table(fdf):
    out = {}
    for _, row in fdf.iterrows():
        attr = out.setdefault(row["attribute_name"], {})
        g = attr.setdefault(str(row["attribute_value"]), {})
        same = fdf[fdf["attribute_name"] == row["attribute_name"]]
        for m, (ours, parity) in METRICS.items():
            ref_group = row[f"{m}_ref_group_value"]  # aequitas stores the reference group's name here
            ref = float(same[same["attribute_value"] == ref_group][m].iloc[0])
            g[ours] = {
                "ratio": float(row[f"{m}_disparity"]),
                "parity": bool(row[parity]),
                "reference_group": str(ref_group),
                "x_over_0": bool(ref == 0),
            }
    return out


def main():
    df = pd.read_csv(root / "fixtures" / "compas.csv")[["score", "label_value", "race", "sex", "age_cat"]]
    xtab, _ = Group().get_crosstabs(df)
    b, f = Bias(), Fairness()
    cases = {
        "given": b.get_disparity_predefined_groups(
            xtab, original_df=df, ref_groups_dict={"race": "Caucasian", "sex": "Male", "age_cat": "25 - 45"}
        ),
        "largest": b.get_disparity_major_group(xtab, original_df=df),
        "min-metric": b.get_disparity_min_metric(xtab, original_df=df),
    }
    out = {"aequitas_version": importlib.metadata.version("aequitas"), "cases": {}}
    for name, bdf in cases.items():
        out["cases"][name] = table(f.get_group_value_fairness(bdf))
    path = root / "tests" / "expected" / "aequitas.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
