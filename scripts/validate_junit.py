#!/usr/bin/env python3
"""Validate JUnit XML files against the committed JUnit schema (tests/schema/junit-10.xsd, the
Jenkins xUnit plugin's), and check that the counts each <testsuite> and the <testsuites> root
declare are the counts of the elements they hold.

    python3 scripts/validate_junit.py FILE.xml [FILE.xml ...]
    python3 scripts/validate_junit.py --schema OTHER.xsd FILE.xml

Needs `xmlschema` (PyPI): python3 -m venv /tmp/xsd-venv && /tmp/xsd-venv/bin/pip install xmlschema
Prints one line per file (`ok FILE` or `invalid FILE: why`); exits 0 when every file is valid,
1 when one is not, 2 on bad usage or a missing xmlschema.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "tests", "schema", "junit-10.xsd")


def counts_problems(root):
    """Differences between declared and actual tests / failures / errors."""
    problems = []
    total = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        actual = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
        }
        for key, value in actual.items():
            total[key] += value
            declared = suite.get(key)
            if declared is not None and int(declared) != value:
                problems.append(
                    f"suite {suite.get('name')!r} declares {key}={declared}, holds {value}"
                )
    if root.tag == "testsuites":
        for key, value in total.items():
            declared = root.get(key)
            if declared is not None and int(declared) != value:
                problems.append(f"<testsuites> declares {key}={declared}, holds {value}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--schema", default=SCHEMA)
    args = parser.parse_args()
    try:
        import xmlschema
    except ImportError:
        print(
            "validate_junit.py: the Python package xmlschema is missing "
            "(python3 -m venv /tmp/xsd-venv && /tmp/xsd-venv/bin/pip install xmlschema)",
            file=sys.stderr,
        )
        return 2
    schema = xmlschema.XMLSchema(args.schema)
    bad = 0
    for path in args.files:
        try:
            schema.validate(path)
            problems = counts_problems(ET.parse(path).getroot())
        except Exception as e:  # not valid against the schema, or not XML at all
            text = str(e).strip()
            problems = [text.splitlines()[0] if text else type(e).__name__]
            reason = [l.strip() for l in text.splitlines() if l.strip().startswith("Reason:")]
            problems += reason[:1]
        if problems:
            bad += 1
            print(f"invalid {path}: {'; '.join(problems)}")
        else:
            print(f"ok {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
