#!/usr/bin/env python3
"""Expected outcomes for tests/pb.rs: pabutools 1.2.3 on every shipped pabulib election
(fixtures/pb/*.pb) — greedy, the method of equal shares without completion, with Add1
(voter_budget_increment=1), with greedy completion, with Add1 then greedy, and sequential Phragmén
— under each satisfaction measure the ballots allow (approval: cost and cardinality;
cumulative / scoring: points, cost and cardinality). Lexicographic tie-breaking on project ids
(pabutools' default).

Writes tests/expected/pabutools.json. Run from the project root in the oracle virtual environment
(scripts/requirements-oracle.txt):  .venv/bin/python scripts/oracle_pabutools.py
"""
import importlib.metadata
import json
import pathlib

from pabutools.election import (
    AbstractApprovalProfile,
    Additive_Cardinal_Sat,
    Cardinality_Sat,
    Cost_Sat,
    parse_pabulib,
)
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

root = pathlib.Path(__file__).resolve().parent.parent


def names(outcome):
    return [p.name for p in outcome]


def main():
    out = {"pabutools_version": importlib.metadata.version("pabutools"), "elections": {}}
    for path in sorted((root / "fixtures" / "pb").glob("*.pb")):
        instance, profile = parse_pabulib(str(path))
        approval = isinstance(profile, AbstractApprovalProfile)
        sats = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}
        if instance.meta.get("vote_type") in ("cumulative", "scoring"):
            sats = {"points": Additive_Cardinal_Sat, **sats}
        res = {"budget": str(instance.budget_limit), "voters": profile.num_ballots(), "outcomes": {}}
        for sname, sat in sats.items():
            o = res["outcomes"]
            runs = {
                f"greedy/{sname}": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=sat),
                f"mes/{sname}/none": lambda: method_of_equal_shares(instance, profile, sat_class=sat),
                f"mes/{sname}/add1": lambda: method_of_equal_shares(
                    instance, profile, sat_class=sat, voter_budget_increment=1),
                f"mes/{sname}/greedy": lambda: completion_by_rule_combination(
                    instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                    [{"sat_class": sat}, {"sat_class": sat}]),
                f"mes/{sname}/add1-greedy": lambda: completion_by_rule_combination(
                    instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                    [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}]),
            }
            for key, run in runs.items():
                try:
                    o[key] = names(run())
                except (ValueError, NotImplementedError) as e:
                    # pabutools does not define this measure for these ballots: not compared.
                    print(f"  {path.name} {key}: {type(e).__name__}")
        if approval:
            res["outcomes"]["phragmen"] = names(sequential_phragmen(instance, profile))
        out["elections"][path.name] = res
        print(path.name, len(res["outcomes"]))
    dest = root / "tests" / "expected" / "pabutools.json"
    dest.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
