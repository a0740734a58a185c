#!/usr/bin/env python3
"""Makes the synthetic candidate-vs-baseline fixtures for issue 17 (`--baseline`, dominance).

    python3 scripts/make_compare.py

Standard library only (written and run with Python 3.11.7), deterministic: one
`random.Random(17)` stream of which only `.random()` is used (its sequence for an integer seed
has been stable since Python 3.2); normal draws are made from it by Box-Muller here, not with
`random.gauss` (whose caching is an implementation detail).

fixtures/compare.csv (2,400 rows):
  id              text id c00001 ... c02400
  race            Black / White / Hispanic (about 40 / 45 / 15 %)
  sex             Female / Male (about 50 / 50)
  label           0/1 outcome; base rate Black 0.45, White 0.35, Hispanic 0.40 (Female 0.03 lower)
  score           the candidate model's score in [0, 1], 3 decimals, higher for label 1
  pred            score >= 0.5 (on the 3-decimal value as written)
  baseline_score  the production model's score: the candidate's score plus noise, and group
                  terms that make its gaps larger: it pushes Black negatives up (more false
                  positives for Black) and Hispanic positives down (more false negatives for
                  Hispanic); for White only label-independent noise
  baseline_pred   baseline_score >= 0.5
  human_weak      0/1 reference decisions (e.g. human reviewers) from a weaker and race-biased
                  signal: lower accuracy and larger demographic-parity and equalized-odds gaps over
                  race than `pred`, so `pred` dominates them
  human_strong    0/1 reference decisions close to the label (higher accuracy than `pred`) but
                  missing many Black positives (larger gaps), so `pred` does not dominate them

fixtures/compare_baseline.csv: `id`, `pred` = compare.csv's baseline_pred in a shuffled order, with
  6 ids of compare.csv left out (MISSING below), 4 ids that are not in compare.csv added (EXTRA)
  and 2 ids written twice with the same value (DUPLICATED).
"""
import csv
import math
import pathlib
import random

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"

N = 2400
RACES = [("Black", 0.40), ("White", 0.45), ("Hispanic", 0.15)]
BASE_RATE = {"Black": 0.45, "White": 0.35, "Hispanic": 0.40}
MISSING = ["c00017", "c00400", "c00999", "c01234", "c01800", "c02399"]
EXTRA = ["c09001", "c09002", "x00001", "c02401"]
DUPLICATED = ["c00042", "c01500"]


def pick(table, u):
    acc = 0.0
    for value, share in table:
        acc += share
        if u < acc:
            return value
    return table[-1][0]


def clip3(x):
    """Clamps to [0.001, 0.999] and rounds to 3 decimals; returns the value as written."""
    v = min(999, max(1, round(x * 1000))) / 1000
    return float(f"{v:.3f}")


def compare():
    rng = random.Random(17)

    def normal():
        u1 = rng.random()
        u2 = rng.random()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    rows = []
    for i in range(1, N + 1):
        race = pick(RACES, rng.random())
        sex = "Female" if rng.random() < 0.5 else "Male"
        p = BASE_RATE[race] - (0.03 if sex == "Female" else 0.0)
        label = 1 if rng.random() < p else 0
        sign = 1 if label == 1 else -1
        score = clip3(0.5 + 0.16 * sign + 0.17 * normal())
        pred = 1 if score >= 0.5 else 0

        # Production model: the candidate's score, noise, and larger group-specific errors.
        if race == "Black":
            b = score + 0.02 + (0.09 if label == 0 else 0.0) + 0.05 * normal()
        elif race == "Hispanic":
            b = score - 0.01 - (0.08 if label == 1 else 0.0) + 0.05 * normal()
        else:
            b = score + 0.035 * normal()
        baseline_score = clip3(b)
        baseline_pred = 1 if baseline_score >= 0.5 else 0

        # A weaker, race-biased reviewer.
        shift = {"Black": -0.09, "White": 0.07, "Hispanic": -0.04}[race]
        hw = 0.5 + 0.10 * sign + shift + 0.17 * normal()
        human_weak = 1 if hw >= 0.5 else 0

        # A stronger reviewer close to the label who misses many Black positives.
        u = rng.random()
        if label == 1 and race == "Black":
            human_strong = 0 if u < 0.22 else 1
        else:
            human_strong = 1 - label if u < 0.05 else label

        rows.append([f"c{i:05d}", race, sex, label, f"{score:.3f}", pred,
                     f"{baseline_score:.3f}", baseline_pred, human_weak, human_strong])

    with open(fx / "compare.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "race", "sex", "label", "score", "pred", "baseline_score",
                    "baseline_pred", "human_weak", "human_strong"])
        w.writerows(rows)

    # The baseline as a separate file, joined by id.
    base = [[r[0], r[7]] for r in rows if r[0] not in MISSING]
    value = {r[0]: r[7] for r in rows}
    base += [[d, value[d]] for d in DUPLICATED]
    base += [[e, 1 if k % 2 == 0 else 0] for k, e in enumerate(EXTRA)]
    # Fisher-Yates with the same stream (continued), so the order is deterministic.
    for j in range(len(base) - 1, 0, -1):
        k = int(rng.random() * (j + 1))
        base[j], base[k] = base[k], base[j]
    with open(fx / "compare_baseline.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "pred"])
        w.writerows(base)


if __name__ == "__main__":
    compare()
