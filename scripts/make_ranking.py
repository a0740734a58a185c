#!/usr/bin/env python3
"""Makes the synthetic ranking and recommendation-list fixtures of issue 18 (`audit-ranking`).

    python3 scripts/make_ranking.py

Standard library only (written and run with Python 3.11.7), deterministic: each file has its own
`random.Random(seed)` stream of which only `.random()` is used (its sequence for an integer seed
has been stable since Python 3.2); normal draws are made from it by Box-Muller here, not with
`random.gauss` (whose caching is an implementation detail). Schemas: the issue-18 fixture schemas
(binding for engines, oracles and tests).

fixtures/ranking_search.csv (300 queries, rows of a query contiguous in rank order):
  query_id   q0001 ... q0300
  item_id    candidate id c00001 ... c01500 from a pool of 1,500 candidates; a candidate appears
             in about 2 queries (never twice in one)
  rank       1..n; n = 10 for about 90 % of queries, 6..9 (uniform) for about 10 %
  score      the model's score in (0, 1), 4 decimals, strictly decreasing with rank in a query
  gender     woman / man / nonbinary (about 45 / 50 / 5 %), fixed per candidate
  relevance  graded 0..3 from the candidate's fit to the query (same distribution for every
             gender), correlated with the score
  The score is logistic(0.9 * fit + 0.55 * noise - 0.45 [woman] - 0.2 [nonbinary]): women and
  non-binary candidates are ranked lower than men of equal fit, so their exposure is lower than
  their share of relevance (disparate treatment ratio informative).

fixtures/ranking_small.csv: 2 queries (6 and 4 items), written below by hand; c00003 is in both.

fixtures/recommendations.csv (60 prompts x 7 lists x 20 = 8,400 rows):
  prompt_id  u001 ... u060
  attribute  neutral / gender / age
  variant    neutral; gender: female / male / nonbinary; age: young / middle-aged / old
  rank       1..20
  item       "Song dddd" from a catalogue of Song 0000 ... Song 2999, unique within a list
  Lists of a prompt in the order neutral, female, male, nonbinary, young, middle-aged, old.
  A variant's list keeps each neutral item with probability 1 - c (c in CHANGE below, larger for
  nonbinary and old) and replaces it with a catalogue item not in the neutral list; the list is
  then reordered by position + normal noise of standard deviation 12 * c.

fixtures/recommendations_small.csv: prompt u001, K = 5, neutral, female and male, by hand.
"""
import csv
import math
import pathlib
import random

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"

N_QUERIES = 300
N_CANDIDATES = 1500
GENDERS = [("woman", 0.45), ("man", 0.50), ("nonbinary", 0.05)]
PENALTY = {"woman": 0.45, "man": 0.0, "nonbinary": 0.2}

N_PROMPTS = 60
K_REC = 20
CATALOGUE = 3000
VARIANTS = [("neutral", "neutral"), ("gender", "female"), ("gender", "male"),
            ("gender", "nonbinary"), ("age", "young"), ("age", "middle-aged"), ("age", "old")]
CHANGE = {"female": 0.15, "male": 0.10, "nonbinary": 0.35,
          "young": 0.12, "middle-aged": 0.08, "old": 0.30}


def pick(table, u):
    acc = 0.0
    for value, share in table:
        acc += share
        if u < acc:
            return value
    return table[-1][0]


def write(name, header, rows):
    with open(fx / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def search():
    rng = random.Random(18)

    def normal():
        u1 = rng.random()
        u2 = rng.random()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    gender = [pick(GENDERS, rng.random()) for _ in range(N_CANDIDATES)]
    rows = []
    for q in range(1, N_QUERIES + 1):
        n = 10 if rng.random() >= 0.10 else 6 + int(rng.random() * 4)
        chosen = set()
        cands = []
        while len(cands) < n:
            c = int(rng.random() * N_CANDIDATES)
            if c not in chosen:
                chosen.add(c)
                cands.append(c)
        items = []
        for c in cands:
            fit = normal()
            rel_latent = fit + 0.6 * normal()
            relevance = 0 if rel_latent < -0.6 else 1 if rel_latent < 0.3 else 2 if rel_latent < 1.1 else 3
            z = 0.9 * fit + 0.55 * normal() - PENALTY[gender[c]]
            score = 1.0 / (1.0 + math.exp(-z))
            items.append((score, c, relevance))
        items.sort(key=lambda t: (-t[0], t[1]))
        prev = None
        for r, (score, c, relevance) in enumerate(items, start=1):
            s = round(score * 10000)
            s = min(9999, max(1, s))
            if prev is not None and s >= prev:
                s = prev - 1  # keep strictly decreasing after rounding to 4 decimals
            assert s >= 1
            prev = s
            rows.append([f"q{q:04d}", f"c{c + 1:05d}", r, f"{s / 10000:.4f}", gender[c], relevance])
    write("ranking_search.csv", ["query_id", "item_id", "rank", "score", "gender", "relevance"], rows)


def small():
    rows = [
        # query q01: 6 items (2 women, 3 men, 1 non-binary)
        ["q01", "c00001", 1, "0.9500", "man", 3],
        ["q01", "c00002", 2, "0.9000", "man", 2],
        ["q01", "c00003", 3, "0.8000", "woman", 3],
        ["q01", "c00004", 4, "0.7000", "man", 1],
        ["q01", "c00005", 5, "0.6000", "woman", 2],
        ["q01", "c00006", 6, "0.5000", "nonbinary", 0],
        # query q02: 4 items (2 women, 2 men)
        ["q02", "c00003", 1, "0.8800", "woman", 2],
        ["q02", "c00007", 2, "0.7500", "man", 3],
        ["q02", "c00008", 3, "0.6100", "man", 1],
        ["q02", "c00009", 4, "0.4000", "woman", 1],
    ]
    write("ranking_small.csv", ["query_id", "item_id", "rank", "score", "gender", "relevance"], rows)


def recommendations():
    rng = random.Random(1818)

    def normal():
        u1 = rng.random()
        u2 = rng.random()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def draw_new(taken):
        while True:
            s = int(rng.random() * CATALOGUE)
            if s not in taken:
                taken.add(s)
                return s

    rows = []
    for p in range(1, N_PROMPTS + 1):
        pid = f"u{p:03d}"
        taken = set()
        neutral = [draw_new(taken) for _ in range(K_REC)]
        for attribute, variant in VARIANTS:
            if variant == "neutral":
                lst = neutral
            else:
                c = CHANGE[variant]
                used = set(taken)  # new items differ from the neutral list and from each other
                keyed = []
                for pos, s in enumerate(neutral):
                    item = s if rng.random() >= c else draw_new(used)
                    keyed.append((pos + 12.0 * c * normal(), pos, item))
                keyed.sort()
                lst = [item for _, _, item in keyed]
            assert len(set(lst)) == K_REC
            for r, s in enumerate(lst, start=1):
                rows.append([pid, attribute, variant, r, f"Song {s:04d}"])
    write("recommendations.csv", ["prompt_id", "attribute", "variant", "rank", "item"], rows)


def recommendations_small():
    lists = [
        ("neutral", "neutral", ["Song 0001", "Song 0002", "Song 0003", "Song 0004", "Song 0005"]),
        # same first item, 0002/0003 swapped, 0005 replaced by 0006
        ("gender", "female", ["Song 0001", "Song 0003", "Song 0002", "Song 0004", "Song 0006"]),
        # two items replaced (0001 by 0007, 0004 by 0008), the rest moved
        ("gender", "male", ["Song 0002", "Song 0007", "Song 0003", "Song 0005", "Song 0008"]),
    ]
    rows = []
    for attribute, variant, lst in lists:
        for r, item in enumerate(lst, start=1):
            rows.append(["u001", attribute, variant, r, item])
    write("recommendations_small.csv", ["prompt_id", "attribute", "variant", "rank", "item"], rows)


if __name__ == "__main__":
    search()
    small()
    recommendations()
    recommendations_small()
