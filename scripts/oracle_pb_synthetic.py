#!/usr/bin/env python3
"""Expected outcomes for tests/pb.rs on a synthetic election of pabulib's largest project count:
fixtures/pb/synthetic/synthetic_200x2000.pb (200 projects, 2,000 approval ballots; made by
`bench/make_pb_election.py fixtures/pb/synthetic/synthetic_200x2000.pb --voters 2000`, seed 19).
pabutools 1.2.3, cost satisfaction, lexicographic tie-breaking: the method of equal shares
without completion and with Add1 (voter_budget_increment=1), and the fair-share metrics of the
Add1 outcome (average_capped_fair_share_ratio, average_normalised_distance_to_fair_share).

Writes tests/expected/pb_synthetic.json. Run from the project root in the oracle virtual
environment (scripts/requirements-oracle.txt):  .venv/bin/python scripts/oracle_pb_synthetic.py
"""
import importlib.metadata
import json
import pathlib

from pabutools.analysis.fairshare import (
    average_capped_fair_share_ratio,
    average_normalised_distance_to_fair_share,
)
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares

root = pathlib.Path(__file__).resolve().parent.parent
FILE = "synthetic/synthetic_200x2000.pb"


def main():
    instance, profile = parse_pabulib(str(root / "fixtures" / "pb" / FILE))
    none = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    add1 = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    out = {
        "pabutools_version": importlib.metadata.version("pabutools"),
        "elections": {
            FILE: {
                "budget": str(instance.budget_limit),
                "voters": profile.num_ballots(),
                "outcomes": {
                    "mes/cost/none": sorted(p.name for p in none),
                    "mes/cost/add1": sorted(p.name for p in add1),
                },
                "fair_share_add1": {
                    "capped_ratio": float(average_capped_fair_share_ratio(instance, profile, add1)),
                    "normalised_distance": float(
                        average_normalised_distance_to_fair_share(instance, profile, add1)),
                },
            }
        },
    }
    path = root / "tests" / "expected" / "pb_synthetic.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
