#!/usr/bin/env python3
"""Makes the synthetic decision-audit fixtures for issue 16 (label-free audits, LL144, top-k).

    python3 scripts/make_hiring.py

Standard library only, deterministic: one `random.Random(16)` stream, of which only `.random()`
is used (its sequence for an integer seed has been stable since Python 3.2).

fixtures/hiring.csv (3,000 rows), a hiring screen:
  applicant_id  text id A00001 ... A03000
  sex           Female / Male; about 3 % empty (unknown)
  race          six categories with LL144-like names; "Native Hawaiian or Pacific Islander" under
                2 % of rows; about 2 % empty (unknown)
  score         the tool's score in [0, 1], two decimals (many ties); higher on average for
                White, Asian and Male applicants, lower for Black and Hispanic applicants
  selected      the tool's decision: score >= 0.6, except that about 2 % of rows are flipped
  hired         a later outcome (0/1), more likely at high scores; for labelled tests only (it is
                deliberately not a name fairaudit detects as a label column)
  cohort        2026-Q1 ... 2026-Q4 (for top-k within a cohort)
  weight        deterministic in {0.5, 0.75, ..., 2.0} (exact binary fractions)

fixtures/hiring_ties.csv (20 rows): applicant_id, sex, score, where the 5th-highest score (0.80)
is held by three applicants of both sexes, for the top-k tie test (k = 5):
  include ties (score >= 0.80): 6 selected, Female 3, Male 3
  exclude ties (score >  0.80): 3 selected, Female 1, Male 2
(scripts/oracle_decisions.py recomputes these and writes them to
tests/expected/decisions/hiring.json.)
"""
import csv
import pathlib
import random

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"

RACES = [
    # (value, share, score shift)
    ("", 0.020, 0.00),
    ("Native Hawaiian or Pacific Islander", 0.015, -0.02),
    ("Two or More Races", 0.060, 0.00),
    ("Asian", 0.140, 0.05),
    ("Black or African American", 0.180, -0.07),
    ("Hispanic or Latino", 0.220, -0.04),
    ("White", 0.365, 0.04),
]
SEXES = [("", 0.03, 0.0), ("Female", 0.47, -0.025), ("Male", 0.50, 0.025)]
COHORTS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def pick(table, u):
    acc = 0.0
    for value, share, shift in table:
        acc += share
        if u < acc:
            return value, shift
    return table[-1][0], table[-1][2]


def hiring():
    rng = random.Random(16)
    out = []
    for i in range(1, 3001):
        race, rshift = pick(RACES, rng.random())
        sex, sshift = pick(SEXES, rng.random())
        noise = (rng.random() + rng.random() + rng.random()) / 3.0
        raw = 0.08 + rshift + sshift + 0.9 * noise
        score = min(100, max(0, round(raw * 100))) / 100
        selected = 1 if score >= 0.6 else 0
        if rng.random() < 0.02:
            selected = 1 - selected
        hired = 1 if rng.random() < 0.05 + 0.7 * score * score else 0
        cohort = COHORTS[int(rng.random() * 4)]
        weight = 0.5 + (i * 7919 % 7) * 0.25
        out.append([f"A{i:05d}", sex, race, f"{score:.2f}", selected, hired, cohort, weight])
    with open(fx / "hiring.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "sex", "race", "score", "selected", "hired", "cohort", "weight"])
        w.writerows(out)


def hiring_ties():
    # k = 5: sorted descending the scores are 0.95 M, 0.91 F, 0.88 M, then 0.80 F, 0.80 M, 0.80 F
    # (ranks 4-6), so the 5th-highest score, 0.80, is tied across both sexes.
    rows = [
        ("T01", "Male", 0.95), ("T02", "Female", 0.91), ("T03", "Male", 0.88),
        ("T04", "Female", 0.80), ("T05", "Male", 0.80), ("T06", "Female", 0.80),
        ("T07", "Male", 0.74), ("T08", "Female", 0.71), ("T09", "Male", 0.66),
        ("T10", "Female", 0.62), ("T11", "Male", 0.58), ("T12", "Female", 0.55),
        ("T13", "Male", 0.51), ("T14", "Female", 0.47), ("T15", "Male", 0.44),
        ("T16", "Female", 0.40), ("T17", "Male", 0.33), ("T18", "Female", 0.29),
        ("T19", "Male", 0.21), ("T20", "Female", 0.12),
    ]
    # Shuffle the file order deterministically so that ties are not already in rank order.
    order = [7, 4, 15, 0, 11, 5, 18, 2, 9, 13, 3, 16, 1, 10, 19, 6, 14, 8, 17, 12]
    with open(fx / "hiring_ties.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "sex", "score"])
        for j in order:
            a, s, sc = rows[j]
            w.writerow([a, s, f"{sc:.2f}"])


if __name__ == "__main__":
    hiring()
    hiring_ties()
