#!/usr/bin/env python3
"""Expected Wilson intervals for tests/intervals.rs, computed by SciPy
(scipy.stats.binomtest(k, n).proportion_ci(confidence_level, method="wilson")) for every
proportion rate of every race group of fixtures/compas.csv, at 95% and 90%.

Writes tests/expected/wilson.json. Run in the oracle virtual environment
(scripts/requirements-oracle.txt): .venv/bin/python scripts/oracle_wilson.py
"""
import importlib.metadata
import json
import pathlib

import pandas as pd
from scipy.stats import binomtest

root = pathlib.Path(__file__).resolve().parent.parent

# rate -> (numerator quadrants, denominator quadrants)
RATES = {
    "base_rate": (["fn", "tp"], ["tn", "fp", "fn", "tp"]),
    "selection_rate": (["fp", "tp"], ["tn", "fp", "fn", "tp"]),
    "true_positive_rate": (["tp"], ["tp", "fn"]),
    "false_positive_rate": (["fp"], ["fp", "tn"]),
    "true_negative_rate": (["tn"], ["fp", "tn"]),
    "false_negative_rate": (["fn"], ["tp", "fn"]),
    "positive_predictive_value": (["tp"], ["tp", "fp"]),
    "negative_predictive_value": (["tn"], ["tn", "fn"]),
    "false_discovery_rate": (["fp"], ["tp", "fp"]),
    "false_omission_rate": (["fn"], ["tn", "fn"]),
    "accuracy": (["tp", "tn"], ["tn", "fp", "fn", "tp"]),
}


def main():
    df = pd.read_csv(root / "fixtures" / "compas.csv")
    y = df["label_value"].astype(int)
    p = (df["score"] >= 0.5).astype(int)
    out = {"scipy_version": importlib.metadata.version("scipy"), "levels": {}}
    for level in (0.95, 0.9):
        groups = {}
        for g, idx in df.groupby("race").groups.items():
            yy, pp = y[idx], p[idx]
            q = {
                "tp": int(((yy == 1) & (pp == 1)).sum()),
                "fp": int(((yy == 0) & (pp == 1)).sum()),
                "tn": int(((yy == 0) & (pp == 0)).sum()),
                "fn": int(((yy == 1) & (pp == 0)).sum()),
            }
            rates = {}
            for name, (num, den) in RATES.items():
                k, n = sum(q[x] for x in num), sum(q[x] for x in den)
                if n == 0:
                    rates[name] = None
                else:
                    ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
                    rates[name] = [float(ci.low), float(ci.high)]
            groups[str(g)] = rates
        out["levels"][str(level)] = groups
    path = root / "tests" / "expected" / "wilson.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
