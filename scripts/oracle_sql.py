#!/usr/bin/env python3
"""Expected statistics tables for the tests that check `fairaudit sql`: each case's query
(`fairaudit sql --table t ARGS`), run by DuckDB itself on the case's fixture registered as the
view `t`. The tests audit the committed result with `--from-stats` and compare it with the
audit of the file (tests/scale.rs, tests/answers.rs, tests/reading.rs; the helper
`sql_statistics` in tests/common).

Writes tests/expected/sql/NAME.sql (the query DuckDB ran: a test fails, asking to run this
script again, when `fairaudit sql` prints another query) and tests/expected/sql/NAME.csv (its
result). Run in the oracle virtual environment (scripts/requirements-oracle.txt) with the
binary to ask:
    .venv/bin/python scripts/oracle_sql.py target/debug/fairaudit
"""
import pathlib
import subprocess
import sys

import duckdb

root = pathlib.Path(__file__).resolve().parent.parent
binary = sys.argv[1] if len(sys.argv) > 1 else str(root / "target/debug/fairaudit")

# name -> (fixture, arguments after `fairaudit sql --table t`); keep in step with the tests.
CASES = {
    "adult_weighted": (
        "fixtures/adult_weighted.csv",
        ["--dialect", "duckdb", "--label", "label_value", "--score", "score", "--threshold", "0.5",
         "--weight", "weight", "-g", "race", "-g", "gender"],
    ),
    "positive_case": (
        "fixtures/answers/positive_case.csv",
        ["--dialect", "duckdb", "--label", "label", "--pred", "pred", "--positive", "yes",
         "-g", "region"],
    ),
    "threshold_f32": (
        "fixtures/reading/threshold_f32.parquet",
        ["--dialect", "duckdb", "--label", "y", "--score", "score", "--threshold", "0.7",
         "--score-type", "float32", "-g", "g"],
    ),
    "hiring_label_free": (
        "fixtures/hiring.csv",
        ["--dialect", "duckdb", "--no-label", "--pred", "selected", "-g", "race", "-g", "sex"],
    ),
    "threshold_f64": (
        "fixtures/reading/threshold_f64.parquet",
        ["--dialect", "duckdb", "--label", "y", "--score", "score", "--threshold", "0.7",
         "--score-type", "float64", "-g", "g"],
    ),
}

out = root / "tests/expected/sql"
out.mkdir(parents=True, exist_ok=True)
for name, (fixture, args) in CASES.items():
    query = subprocess.run(
        [binary, "sql", "--table", "t", *args], check=True, capture_output=True, text=True, cwd=root
    ).stdout
    con = duckdb.connect()
    path = str(root / fixture)
    reader = "read_parquet" if fixture.endswith(".parquet") else "read_csv"
    con.execute(f"CREATE VIEW t AS SELECT * FROM {reader}('{path}')")
    result = con.execute(query).df()
    (out / f"{name}.sql").write_text(query)
    result.to_csv(out / f"{name}.csv", index=False)
    print(f"{name}: duckdb {duckdb.__version__}, {len(result)} rows")
