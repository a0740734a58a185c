#!/usr/bin/env python3
"""Maximum Nash welfare of fixtures/allocate/goods_6x24.csv by an independent method: the mixed
integer program of Caragiannis et al. (2019, §6) solved by HiGHS through scipy.optimize.milp.

For integer utilities the concave log is replaced exactly at integers by its secant lines:
W_i <= log k + (log(k+1) - log k) (u_i - k) for k = 1 .. u_i(M), with u_i >= 1 forced (every
agent can get a positive value here). Writes tests/expected/mnw.json (the optimal log Nash
product and the utilities). Run from the project root in the oracle venv:
    python scripts/oracle_mnw.py
"""
import csv
import json
import math
import pathlib

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

root = pathlib.Path(__file__).resolve().parent.parent
with open(root / "fixtures/allocate/goods_6x24.csv", newline="") as f:
    rows = list(csv.reader(f))
items = rows[0][1:]
U = np.array([[int(x) for x in r[1:]] for r in rows[1:]])
n, m = U.shape
nx = n * m  # x[i*m + o] binary, then W[i] continuous
c = np.zeros(nx + n)
c[nx:] = -1.0  # maximise sum W
A, lo, hi = [], [], []
for o in range(m):  # each item to exactly one agent
    row = np.zeros(nx + n)
    row[[i * m + o for i in range(n)]] = 1
    A.append(row); lo.append(1); hi.append(1)
for i in range(n):
    tot = int(U[i].sum())
    for k in range(1, tot + 1):
        slope = math.log(k + 1) - math.log(k)
        row = np.zeros(nx + n)
        row[nx + i] = 1
        row[i * m:(i + 1) * m] = -slope * U[i]
        A.append(row); lo.append(-np.inf); hi.append(math.log(k) - slope * k)
    row = np.zeros(nx + n)
    row[i * m:(i + 1) * m] = U[i]
    A.append(row); lo.append(1); hi.append(np.inf)
integrality = np.r_[np.ones(nx), np.zeros(n)]
bounds = Bounds(np.r_[np.zeros(nx), np.full(n, -1e9)], np.r_[np.ones(nx), np.full(n, 1e9)])
res = milp(c, constraints=LinearConstraint(np.array(A), lo, hi), integrality=integrality,
           bounds=bounds, options={"mip_rel_gap": 0, "time_limit": 600})
assert res.success, res.message
x = np.round(res.x[:nx]).reshape(n, m)
util = (x * U).sum(axis=1)
out = {"log_nash": float(np.log(util).sum()), "utilities": sorted(float(v) for v in util),
       "solver": "scipy.optimize.milp (HiGHS)"}
(root / "tests/expected").mkdir(exist_ok=True)
with open(root / "tests/expected/mnw.json", "w") as f:
    json.dump(out, f, indent=1)
print(out)
