#!/usr/bin/env python3
"""The exact randomized optimum of group thresholds (issue 17), as a linear programme solved by
scipy's HiGHS — independent of fairaudit's envelope / simplex search.

    /work/venv17/bin/python scripts/oracle_lp_thresholds.py      (numpy, scipy; see below)

Writes tests/expected/thresholds/lp.json. Versions: see "versions" in the output (scipy 1.17.1,
numpy 2.4.6).

For each file, constraint, objective, weighting and EPS: variables lambda[g][k] >= 0 for EVERY
candidate threshold k of every group g (+inf and each distinct score; no convex hull taken),
sum_k lambda[g][k] = 1 per group, and free band starts X (and Y): for each constrained group,
X <= sum_k lambda[g][k] * m[g][k] <= X + EPS, m = the selection rate (demographic parity) or
the TPR (equal opportunity); for equalized odds the TPR with X and the FPR with Y. A group is
constrained when its rate is defined (weight > 0; positives for equal opportunity; positives and
negatives for equalized odds). Maximise the expected accuracy (TP + TN) / W, or balanced
accuracy (TP/P + TN/N) / 2, or minimise the expected cost (c_fp FP + c_fn FN) / W with c_fp = 1,
c_fn = 3, where TP = sum_g sum_k lambda[g][k] tp[g][k] and so on.
"""

import csv
import json
import math
import os
import platform

import numpy as np
import scipy
from scipy.optimize import linprog

OUT = "tests/expected/thresholds/lp.json"
CASES = [
    ("fixtures/thresholds_small.csv", "group", "score", "label", "weight", [0.0, 0.05, 0.1, 0.3]),
    ("fixtures/compas_scores.csv", "race", "proba", "label_value", None, [0.0, 0.02, 0.1]),
]
COST_FP, COST_FN = 1.0, 3.0


def groups_of(path, gcol, scol, ycol, wcol):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r[scol] == "":
                continue
            w = float(r[wcol]) if wcol else 1.0
            rows.setdefault(r[gcol], []).append((float(r[scol]), int(r[ycol]), w))
    out = {}
    for g, rs in sorted(rows.items()):
        cands = [math.inf] + sorted({s for s, _, _ in rs}, reverse=True)
        tp = [sum(w for s, y, w in rs if y == 1 and s >= t) for t in cands]
        fp = [sum(w for s, y, w in rs if y == 0 and s >= t) for t in cands]
        pos = sum(w for _, y, w in rs if y == 1)
        neg = sum(w for _, y, w in rs if y == 0)
        out[g] = {"tp": tp, "fp": fp, "pos": pos, "neg": neg}
    return out


def solve(gs, constraint, objective, eps):
    names = list(gs)
    P = sum(gs[g]["pos"] for g in names)
    N = sum(gs[g]["neg"] for g in names)
    W = P + N
    # Objective per candidate (maximised), up to a constant.
    cols, c = [], []
    for gi, g in enumerate(names):
        for k in range(len(gs[g]["tp"])):
            tp, fp = gs[g]["tp"][k], gs[g]["fp"][k]
            if objective == "accuracy":
                v = (tp - fp) / W
            elif objective == "balanced_accuracy":
                v = (tp / P - fp / N) / 2
            else:
                v = (COST_FN * tp - COST_FP * fp) / W
            cols.append((gi, k))
            c.append(v)
    nl = len(cols)
    nvar = nl + 2  # X, Y
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for gi, g in enumerate(names):
        row = np.zeros(nvar)
        for j, (gj, _) in enumerate(cols):
            if gj == gi:
                row[j] = 1
        a_eq.append(row)
        b_eq.append(1.0)
        d = gs[g]
        rates = []
        if constraint == "demographic_parity" and d["pos"] + d["neg"] > 0:
            rates.append(([(t + f) / (d["pos"] + d["neg"]) for t, f in zip(d["tp"], d["fp"])], nl))
        if constraint == "equal_opportunity" and d["pos"] > 0:
            rates.append(([t / d["pos"] for t in d["tp"]], nl))
        if constraint == "equalized_odds" and d["pos"] > 0 and d["neg"] > 0:
            rates.append(([t / d["pos"] for t in d["tp"]], nl))
            rates.append(([f / d["neg"] for f in d["fp"]], nl + 1))
        for m, band in rates:
            lo = np.zeros(nvar)  # X - sum lambda m <= 0
            hi = np.zeros(nvar)  # sum lambda m - X <= eps
            for j, (gj, k) in enumerate(cols):
                if gj == gi:
                    lo[j] = -m[k]
                    hi[j] = m[k]
            lo[band] = 1
            hi[band] = -1
            a_ub += [lo, hi]
            b_ub += [0.0, eps]
    bounds = [(0, None)] * nl + [(None, None), (None, None)]
    res = linprog(
        -np.array(c + [0.0, 0.0]),
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        A_eq=np.array(a_eq),
        b_eq=np.array(b_eq),
        bounds=bounds,
        method="highs",
    )
    assert res.status == 0, res.message
    lam = res.x[:nl]
    tp = sum(lam[j] * gs[names[gi]]["tp"][k] for j, (gi, k) in enumerate(cols))
    fp = sum(lam[j] * gs[names[gi]]["fp"][k] for j, (gi, k) in enumerate(cols))
    if objective == "accuracy":
        value = (tp + N - fp) / W
    elif objective == "balanced_accuracy":
        value = (tp / P + (N - fp) / N) / 2
    else:
        value = (COST_FP * fp + COST_FN * (P - tp)) / W
    return value


def main():
    cases = []
    for path, gcol, scol, ycol, wcol, tolerances in CASES:
        for weighted in ([False, True] if wcol else [False]):
            gs = groups_of(path, gcol, scol, ycol, wcol if weighted else None)
            for cons in ("demographic_parity", "equal_opportunity", "equalized_odds"):
                for obj in ("accuracy", "balanced_accuracy", "expected_cost"):
                    for eps in tolerances:
                        cases.append({
                            "file": path, "group": gcol, "score": scol, "label": ycol,
                            "weight": wcol if weighted else None,
                            "constraint": cons, "objective": obj, "tolerance": eps,
                            "randomized_objective": solve(gs, cons, obj, eps),
                        })
    out = {
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__},
        "costs": {"fp": COST_FP, "fn": COST_FN},
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
