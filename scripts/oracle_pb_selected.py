#!/usr/bin/env python3
"""Expected values for `allocate pb --outcome selected` (tests/summary.rs): for every shipped
pabulib election whose PROJECTS section has a `selected` column (fixtures/pb/*.pb and the
hand-made fixtures/pb/selected/*.pb), pabutools 1.2.3 reads the file and the recorded outcome is
the projects whose `selected` is 1. For each: the outcome's project ids, its cost (exact), the
budget, whether it is feasible and exhaustive (Instance.is_feasible / is_exhaustive), and for
approval ballots the fair-share metrics (average_capped_fair_share_ratio,
average_normalised_distance_to_fair_share). EJR / PJR (plain, up to one, up to any; cost and
cardinality satisfaction, under `checks`) only for elections of at most 12 voters: pabutools checks them by brute
force over every group of voters.

Writes tests/expected/pb_selected.json. Run from the project root in the oracle virtual
environment (scripts/requirements-oracle.txt):  .venv/bin/python scripts/oracle_pb_selected.py
"""
import importlib.metadata
import json
import pathlib

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
from pabutools.election import AbstractApprovalProfile, Cardinality_Sat, Cost_Sat, parse_pabulib

root = pathlib.Path(__file__).resolve().parent.parent
CHECKS = {
    "ejr": is_EJR_approval, "ejr_up_to_one": is_EJR_one_approval,
    "ejr_up_to_any": is_EJR_any_approval, "pjr": is_PJR_approval,
    "pjr_up_to_one": is_PJR_one_approval, "pjr_up_to_any": is_PJR_any_approval,
}


def main():
    out = {"pabutools_version": importlib.metadata.version("pabutools"), "elections": {}}
    paths = sorted((root / "fixtures" / "pb").glob("*.pb")) + sorted(
        (root / "fixtures" / "pb" / "selected").glob("*.pb"))
    for path in paths:
        instance, profile = parse_pabulib(str(path))
        if not any("selected" in instance.project_meta[p] for p in instance):
            continue
        outcome = [p for p in instance if instance.project_meta[p].get("selected") == "1"]
        cost = sum(p.cost for p in outcome)
        entry = {
            "ids": sorted(p.name for p in outcome),
            "cost": str(cost),
            "budget": str(instance.budget_limit),
            "feasible": bool(instance.is_feasible(outcome)),
            "exhaustive": bool(instance.is_exhaustive(outcome)),
        }
        if isinstance(profile, AbstractApprovalProfile):
            entry["capped_ratio"] = float(average_capped_fair_share_ratio(instance, profile, outcome))
            entry["normalised_distance"] = float(
                average_normalised_distance_to_fair_share(instance, profile, outcome))
            if profile.num_ballots() <= 12:
                entry["checks"] = {
                    sname: {c: bool(f(instance, profile, sat, outcome)) for c, f in CHECKS.items()}
                    for sname, sat in {"cost": Cost_Sat, "cardinality": Cardinality_Sat}.items()}
        out["elections"][str(path.relative_to(root))] = entry
    with open(root / "tests" / "expected" / "pb_selected.json", "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['elections'])} elections with a selected column")


main()
