#!/usr/bin/env python3
"""Writes a seeded synthetic pabulib approval election of pabulib's largest size (default 200
projects, 100,000 ballots) for the allocate benchmark (issue 19).

    make_pb_election.py OUT.pb [--projects 200] [--voters 100000] [--budget-share 0.12]
                               [--districts 4] [--seed 19]

Shape, chosen to look like a city-wide Warsaw election:
- costs log-normal (median ~90k), clipped to 5k–1.5M and rounded to 100;
- budget a share (default 12%) of the total cost, rounded to 1,000;
- voters in a few districts of unequal size; each project has a home district (a fifth of them
  are city-wide), and a voter weighs a project by its popularity (log-normal: a few projects are
  much more popular) times its affinity to the voter's district (home 4, city-wide 1.5, other 0.25)
  times a mild preference for cheaper projects;
- ballot lengths 1–15 (mean ~5.5), projects drawn without replacement by those weights
  (Gumbel top-k).
Deterministic from the seed (numpy's PCG64). Layout (META / PROJECTS / VOTES, `;`-separated)
as the shipped files in fixtures/pb/.
"""
import argparse
import pathlib

import numpy as np


def generate(path, projects=200, voters=100_000, budget_share=0.12, districts=4, seed=19):
    rng = np.random.default_rng(seed)
    m, n = projects, voters
    cost = np.exp(rng.normal(np.log(90_000), 1.0, m))
    cost = (np.clip(cost, 5_000, 1_500_000) / 100).round().astype(np.int64) * 100
    budget = int(round(cost.sum() * budget_share, -3))
    ids = 1000 + np.arange(m)
    # Home district per project; -1 = city-wide.
    home = rng.integers(0, districts, m)
    home[rng.random(m) < 0.2] = -1
    popularity = np.exp(rng.normal(0.0, 1.1, m))
    size = rng.dirichlet(np.full(districts, 4.0))
    district = rng.choice(districts, n, p=size)
    cheap = (cost / np.median(cost)) ** -0.25
    affinity = np.where(home[None, :] == np.arange(districts)[:, None], 4.0,
                        np.where(home[None, :] < 0, 1.5, 0.25))        # districts × projects
    logw = np.log(affinity * popularity[None, :] * cheap[None, :])    # districts × projects
    length = np.clip(rng.geometric(0.2, n), 1, 15)
    ballots = []
    chunk = 20_000
    for s in range(0, n, chunk):
        d = district[s:s + chunk]
        keys = logw[d] + rng.gumbel(size=(len(d), m))
        order = np.argsort(-keys, axis=1)
        for row, k in zip(order, length[s:s + chunk]):
            ballots.append(np.sort(ids[row[:k]]))
    votes = np.zeros(m, dtype=np.int64)
    for b in ballots:
        votes[b - 1000] += 1
    lines = ["META", "key;value",
             f"description;Synthetic city-wide PB election (seed {seed}, fairaudit bench)",
             "country;Synthetic", "unit;Benchmark", "instance;2026",
             f"num_projects;{m}", f"num_votes;{n}", f"budget;{budget}", "vote_type;approval",
             "rule;greedy", "min_length;1", "max_length;15", f"max_sum_cost;{budget}",
             "language;english",
             "PROJECTS", "project_id;cost;votes;name;district"]
    for j in np.argsort(-votes, kind="stable"):
        where = "city-wide" if home[j] < 0 else f"district {home[j] + 1}"
        lines.append(f"{ids[j]};{cost[j]};{votes[j]};Project {ids[j]};{where}")
    lines += ["VOTES", "voter_id;district;vote"]
    for v, (d, b) in enumerate(zip(district, ballots)):
        lines.append(f"{v + 1};{d + 1};{','.join(map(str, b))}")
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--voters", type=int, default=100_000)
    ap.add_argument("--budget-share", type=float, default=0.12)
    ap.add_argument("--districts", type=int, default=4)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    generate(a.out, a.projects, a.voters, a.budget_share, a.districts, a.seed)


if __name__ == "__main__":
    main()
