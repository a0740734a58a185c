#!/usr/bin/env python3
"""Synthetic tiny approval elections (fixtures/pb/tiny/*.pb, seeded) and, for several outcomes
of each, pabutools 1.2.3's own proportionality checks: is_EJR_approval, is_EJR_one_approval,
is_EJR_any_approval, is_PJR_approval, is_PJR_one_approval, is_PJR_any_approval under Cost_Sat
and Cardinality_Sat (brute force over every group of voters and set of projects: fine at this
size), and the fair-share metrics average_capped_fair_share_ratio and
average_normalised_distance_to_fair_share.

Writes tests/expected/pb_checks.json. Run from the project root in the oracle venv:
    python scripts/oracle_pb_checks.py
"""
import json
import pathlib
import random

from pabutools.analysis.fairshare import (
    average_capped_fair_share_ratio,
    average_normalised_distance_to_fair_share,
)
from pabutools.analysis.justifiedrepresentation import (
    is_EJR_any_approval,
    is_EJR_approval,
    is_EJR_one_approval,
    is_PJR_any_approval,
    is_PJR_approval,
    is_PJR_one_approval,
)
from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

root = pathlib.Path(__file__).resolve().parent.parent
tiny = root / "fixtures" / "pb" / "tiny"
CHECKS = {
    "ejr": is_EJR_approval, "ejr_up_to_one": is_EJR_one_approval,
    "ejr_up_to_any": is_EJR_any_approval, "pjr": is_PJR_approval,
    "pjr_up_to_one": is_PJR_one_approval, "pjr_up_to_any": is_PJR_any_approval,
}


def write_election(path, rng):
    m = rng.randint(3, 6)
    n = rng.randint(4, 8)
    costs = [rng.randint(1, 10) for _ in range(m)]
    budget = max(max(costs), int(sum(costs) * rng.uniform(0.35, 0.7)))
    # A few voter "camps" so that cohesive groups exist.
    camps = [[p for p in range(m) if rng.random() < 0.5] or [rng.randrange(m)] for _ in range(3)]
    lines = ["META", "key;value", "description;synthetic (scripts/oracle_pb_checks.py)",
             f"num_projects;{m}", f"num_votes;{n}", f"budget;{budget}", "vote_type;approval",
             "PROJECTS", "project_id;cost"]
    lines += [f"{p + 1};{c}" for p, c in enumerate(costs)]
    lines += ["VOTES", "voter_id;vote"]
    ballots = []
    for v in range(n):
        base = set(rng.choice(camps))
        for p in range(m):
            if rng.random() < 0.15:
                base ^= {p}
        if not base:
            base = {rng.randrange(m)}
        ballots.append(base)
    # Every project approved by someone (pabutools' fair-share functions need it).
    for p in range(m):
        if not any(p in b for b in ballots):
            ballots[rng.randrange(n)].add(p)
    for v, b in enumerate(ballots):
        lines.append(f"{v + 1};{','.join(str(p + 1) for p in sorted(b))}")
    path.write_text("\n".join(lines) + "\n")


def main():
    rng = random.Random(2026)
    tiny.mkdir(parents=True, exist_ok=True)
    out = {}
    for k in range(24):
        path = tiny / f"tiny_{k:02d}.pb"
        write_election(path, rng)
        instance, profile = parse_pabulib(str(path))
        projects = sorted(instance, key=lambda p: p.name)
        outcomes = [list(greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)),
                    list(method_of_equal_shares(instance, profile, sat_class=Cost_Sat))]
        for _ in range(2):  # random feasible outcomes
            order = projects[:]
            rng.shuffle(order)
            chosen, spent = [], 0
            for p in order:
                if spent + p.cost <= instance.budget_limit and rng.random() < 0.7:
                    chosen.append(p)
                    spent += p.cost
            outcomes.append(chosen)
        res = []
        for o in outcomes:
            entry = {"ids": sorted(p.name for p in o)}
            for sname, sat in {"cost": Cost_Sat, "cardinality": Cardinality_Sat}.items():
                entry[sname] = {c: bool(f(instance, profile, sat, o)) for c, f in CHECKS.items()}
            entry["capped_ratio"] = float(average_capped_fair_share_ratio(instance, profile, o))
            entry["normalised_distance"] = float(
                average_normalised_distance_to_fair_share(instance, profile, o))
            res.append(entry)
        out[path.name] = res
    with open(root / "tests" / "expected" / "pb_checks.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    falses = sum(not v for e in out.values() for o in e for s in ("cost", "cardinality")
                 for v in o[s].values())
    print(f"{len(out)} elections, {sum(len(e) for e in out.values())} outcomes, {falses} violations")


main()
