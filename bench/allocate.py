#!/usr/bin/env python3
"""fairaudit allocate benchmark, against the references in the same run:
- the method of equal shares with Add1 completion (cost satisfaction) on the largest shipped
  approval election, on the one needing the most Add1 rounds, and on all 12 shipped approval
  elections (pabutools in one process for all 12: its import is paid once), against pabutools 1.2.3 (parse +
  method_of_equal_shares(voter_budget_increment=1), one process per election for both tools);
- the same on a synthetic election of pabulib's largest size (200 projects, 100,000 approval
  ballots; bench/make_pb_election.py, seeded, written to bench/data/ when missing), one run each
  (pabutools takes minutes), and both tools' selected projects compared: the row says "same
  outcome" or the script fails;
- maximum Nash welfare on 6 agents × 24 goods (fixtures/allocate/goods_6x24.csv), against the
  mixed integer program of Caragiannis et al. solved by HiGHS (scripts/oracle_mnw.py).

Usage (bench/run.sh sets up the environment): allocate.py FAIRAUDIT_BINARY [--skip-large]
Results go to stdout and bench/results-allocate.md.
"""
import json
import pathlib
import subprocess
import sys
import time

from make_pb_election import generate
from reward import run

here = pathlib.Path(__file__).resolve().parent
root = here.parent

PABUTOOLS = r"""
import sys
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares
for path in sys.argv[1:]:
    instance, profile = parse_pabulib(path)
    method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
"""

# The same, printing the selected project ids (sorted) for the outcome check.
PABUTOOLS_IDS = r"""
import sys
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares
instance, profile = parse_pabulib(sys.argv[1])
outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
print(",".join(sorted(p.name for p in outcome)))
"""

LARGE = {"projects": 200, "voters": 100_000}


def timed(cmd):
    """One run of `cmd` under /usr/bin/time: wall (s), peak RSS (MB), stdout."""
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "RSS %M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return wall, int(out.stderr.split("RSS ")[-1].split()[0]) / 1024, out.stdout


def large_election(fa):
    """MES + Add1 on the synthetic election of pabulib's largest size, both tools once; fails
    loudly when their selected projects differ."""
    data = here / "data"
    path = data / f"pb_{LARGE['projects']}x{LARGE['voters']}.pb"
    if not path.exists():
        generate(path, **LARGE)
    report = data / f"pb_{LARGE['projects']}x{LARGE['voters']}.fairaudit.json"
    fw, fr, _ = timed([fa, "allocate", "pb", str(path), "--rule", "mes", "--completion", "add1",
                       "--jr-limit", "0", "--json", "-q", "-o", str(report)])
    ours = sorted(a["project"] for a in json.loads(report.read_text())["allocation"])
    rw, rr, out = timed([sys.executable, "-c", PABUTOOLS_IDS, str(path)])
    theirs = out.strip().split(",") if out.strip() else []
    if ours != theirs:
        only_fa = sorted(set(ours) - set(theirs))
        only_pb = sorted(set(theirs) - set(ours))
        sys.exit(f"MES + Add1 on {path.name}: fairaudit and pabutools select different projects: "
                 f"only fairaudit {only_fa}, only pabutools {only_pb}\n"
                 f"fairaudit ({len(ours)}): {','.join(ours)}\npabutools ({len(theirs)}): {','.join(theirs)}")
    name = (f"MES + Add1, synthetic {LARGE['projects']} projects × {LARGE['voters']:,} ballots "
            f"(one run each; same outcome, {len(ours)} projects)")
    return name, (fw, fr), (rw, rr)


def approval(path):
    return "vote_type;approval" in path.read_text(errors="replace")


def main():
    fa = sys.argv[1]
    elections = sorted(p for p in (root / "fixtures" / "pb").glob("*.pb") if approval(p))
    largest = max(elections, key=lambda p: p.stat().st_size)
    mes = lambda p: [fa, "allocate", "pb", str(p), "--rule", "mes", "--completion", "add1",
                     "--jr-limit", "0", "--json", "-q", "-o", "/dev/null"]
    rows = []
    one_fa = run(mes(largest))
    one_pb = run([sys.executable, "-c", PABUTOOLS, str(largest)])
    rows.append((f"MES + Add1, {largest.name} (largest file)", one_fa, one_pb))
    las = root / "fixtures" / "pb" / "poland_warszawa_2019_las.pb"
    rows.append((f"MES + Add1, {las.name} (most Add1 rounds)", run(mes(las)),
                 run([sys.executable, "-c", PABUTOOLS, str(las)])))
    all_fa = [0.0, 0]
    for p in elections:
        w, r = run(mes(p), 1)
        all_fa = [all_fa[0] + w, max(all_fa[1], r)]
    all_pb = run([sys.executable, "-c", PABUTOOLS] + [str(p) for p in elections], 1)
    rows.append((f"MES + Add1, all {len(elections)} approval elections (one run each)",
                 tuple(all_fa), all_pb))
    mnw = run([fa, "allocate", "items", str(root / "fixtures/allocate/goods_6x24.csv"), "--method",
               "mnw", "--json", "-q", "-o", "/dev/null"])
    milp = run([sys.executable, str(root / "scripts" / "oracle_mnw.py")], 1)
    if "--skip-large" not in sys.argv:
        name, f, r = large_election(fa)
        rows.append((name, f, r))
    rows.append(("MNW, 6 agents × 24 goods (exact) vs HiGHS MILP", mnw, milp))
    lines = ["| workload | fairaudit wall (s) | RSS (MB) | reference wall (s) | RSS (MB) | fairaudit / reference |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, (fw, fr), (rw, rr) in rows:
        lines.append(f"| {name} | {fw:.3f} | {fr:.0f} | {rw:.3f} | {rr:.0f} | {fw / rw:.3f} |")
    text = ("References: pabutools 1.2.3 (MES rows), scipy.optimize.milp / HiGHS (MNW row; it also "
            "rewrites tests/expected/mnw.json with the same values).\n\n" + "\n".join(lines) + "\n")
    print(text)
    (here / "results-allocate.md").write_text(text)


if __name__ == "__main__":
    main()
