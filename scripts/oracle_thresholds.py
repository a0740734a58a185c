#!/usr/bin/env python3
"""Brute-force expected values for group thresholds (issue 17) on fixtures/thresholds_small.csv.

Standard library only. Run from the project root:

    python3 scripts/oracle_thresholds.py

Writes tests/expected/thresholds/small.json (pretty-printed, sorted keys).

Definitions (written from the issue, not from fairaudit's code):
  * Rows with an empty score are dropped. A group is a value of `group`. With `weighted`, every
    count is the sum of the `weight` column, else the number of rows.
  * A group's candidate thresholds: +inf (nobody selected) and each distinct score of the group;
    a row is selected when score >= its group's threshold. EVERY combination of candidates (one
    per group) is enumerated — no search, no pruning.
  * Objectives over all rows: accuracy = (TP + TN) / W; balanced_accuracy = (TP/P + TN/N) / 2;
    expected_cost = (c_fp FP + c_fn FN) / W with c_fp = 1, c_fn = 3 (minimised).
  * Constraint value: max - min over groups of the selection rate (demographic_parity), of the
    TPR (equal_opportunity), and for equalized_odds the larger of the TPR spread and the FPR
    spread. A combination meets EPS when the value <= EPS + 1e-9.
  * For each constraint, objective, weighting and EPS: the best objective over the combinations
    that meet EPS, and the constraint value of the first combination reaching it (enumeration
    order: groups a, b, c, thresholds from +inf down).
  * applied: the weighted and unweighted confusion counts per group at the fixed thresholds
    a: 0.6, b: 0.45, c: 0.35 (the `--group-thresholds` test).
"""

import csv
import itertools
import json
import math
import os
import platform

FIXTURE = "fixtures/thresholds_small.csv"
OUT = "tests/expected/thresholds/small.json"
TOLERANCES = [0.0, 0.05, 0.1, 0.2, 0.3, 1.0]
APPLIED = {"a": 0.6, "b": 0.45, "c": 0.35}
COST_FP, COST_FN = 1.0, 3.0


def load():
    rows = []
    with open(FIXTURE, newline="") as f:
        for r in csv.DictReader(f):
            if r["score"] == "":
                continue
            rows.append((r["group"], float(r["score"]), int(r["label"]), float(r["weight"])))
    return rows


def counts(rows, thresholds, weighted):
    """group -> [tp, fp, tn, fn]."""
    out = {}
    for g, s, y, w in rows:
        c = out.setdefault(g, [0.0, 0.0, 0.0, 0.0])
        v = w if weighted else 1.0
        sel = s >= thresholds[g]
        if y == 1:
            c[0 if sel else 3] += v
        else:
            c[1 if sel else 2] += v
    return out


def objective(c, kind):
    tp = sum(x[0] for x in c.values())
    fp = sum(x[1] for x in c.values())
    tn = sum(x[2] for x in c.values())
    fn = sum(x[3] for x in c.values())
    w = tp + fp + tn + fn
    if kind == "accuracy":
        return (tp + tn) / w
    if kind == "balanced_accuracy":
        return (tp / (tp + fn) + tn / (tn + fp)) / 2
    return (COST_FP * fp + COST_FN * fn) / w


def spread(values):
    return max(values) - min(values)


def constraint(c, kind):
    sel = [(x[0] + x[1]) / sum(x) for x in c.values()]
    tpr = [x[0] / (x[0] + x[3]) for x in c.values() if x[0] + x[3] > 0]
    fpr = [x[1] / (x[1] + x[2]) for x in c.values() if x[1] + x[2] > 0]
    if kind == "demographic_parity":
        return spread(sel)
    if kind == "equal_opportunity":
        return spread(tpr)
    return max(spread(tpr), spread(fpr))


def main():
    rows = load()
    groups = sorted({r[0] for r in rows})
    cands = {g: [math.inf] + sorted({s for gg, s, _, _ in rows if gg == g}, reverse=True) for g in groups}
    combos = [dict(zip(groups, ts)) for ts in itertools.product(*(cands[g] for g in groups))]
    cases = []
    for weighted in (False, True):
        evaluated = [(t, counts(rows, t, weighted)) for t in combos]
        for obj in ("accuracy", "balanced_accuracy", "expected_cost"):
            minimise = obj == "expected_cost"
            for cons in ("demographic_parity", "equal_opportunity", "equalized_odds"):
                for eps in TOLERANCES:
                    best = None
                    for t, c in evaluated:
                        v = constraint(c, cons)
                        if v > eps + 1e-9:
                            continue
                        o = objective(c, obj)
                        if best is None or (o < best[0] if minimise else o > best[0]):
                            best = (o, v, t)
                    cases.append({
                        "weighted": weighted,
                        "objective": obj,
                        "constraint": cons,
                        "tolerance": eps,
                        "best_objective": best[0],
                        "constraint_value": best[1],
                        "thresholds": {g: (None if math.isinf(x) else x) for g, x in best[2].items()},
                    })
    applied = {}
    for weighted in (False, True):
        c = counts(rows, APPLIED, weighted)
        applied["weighted" if weighted else "rows"] = {
            g: dict(zip(["tp", "fp", "tn", "fn"], v)) for g, v in sorted(c.items())
        }
    out = {
        "fixture": FIXTURE,
        "python": platform.python_version(),
        "combinations": len(combos),
        "costs": {"fp": COST_FP, "fn": COST_FN},
        "cases": cases,
        "applied_thresholds": APPLIED,
        "applied": applied,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{OUT}: {len(cases)} cases over {len(combos)} combinations")


if __name__ == "__main__":
    main()
