#!/usr/bin/env python3
"""Capture and compare fairaudit's behaviour across a refactoring (issue 13).

    python3 scripts/behaviour.py capture BIN OUT.jsonl.gz   # record, then replay with BIN
    python3 scripts/behaviour.py compare BIN CAPTURE.jsonl.gz
    python3 scripts/behaviour.py accept BIN CAPTURE.jsonl.gz TEXT   # re-record the commands
                                                                    # containing TEXT

`capture` collects two kinds of command lines:
  * every invocation the integration tests make (the tests' `bin()` helper runs the binary named by
    FAIRAUDIT_TEST_BIN when it is set; here that is a small recording wrapper), kept when every path
    it names is a shipped file (fixtures/, docs/ ...), so it can be replayed later;
  * every example in the `--help` text of every command whose files are shipped, run with
    `--format json` (examples naming files that are not shipped are counted and skipped).
Each is replayed with BIN from the project root and stored with its exit code, stdout and stderr.

`compare` replays every stored command with BIN and checks: same exit code; when the stored
stdout was JSON, every value at every stored key is identical (new keys allowed); otherwise the
same text. stderr differences are listed but do not fail. Exit 0 when everything matched.
`accept` is for a documented fix only (say which in the commit): it replays the stored commands
whose command line contains TEXT with BIN and stores their new output.
Needs only the Python standard library.
"""
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRAPPER = """#!/bin/sh
# Records one invocation (arguments, working directory, stdin) and runs the real binary.
stdin_file=$(mktemp)
cat > "$stdin_file"
python3 - "$stdin_file" "$@" <<'EOF' > "$(mktemp -p "{log}" call.XXXXXXXX)"
import json, os, sys
data = open(sys.argv[1], 'rb').read()
print(json.dumps({{"cwd": os.getcwd(), "args": sys.argv[2:],
                   "stdin": data.decode('utf-8', 'surrogateescape') if data else None}}))
EOF
"{real}" "$@" < "$stdin_file"
code=$?
rm -f "$stdin_file"
exit $code
"""


def run(binary, args, stdin=None, cwd=ROOT):
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True,
                       input=stdin.encode('utf-8', 'surrogateescape') if stdin is not None else None,
                       env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
                       timeout=600)
    out = p.stdout.decode('utf-8', 'replace')
    try:
        stdout = {"json": json.loads(out)} if out.strip() else {"text": out}
    except ValueError:
        stdout = {"text": out}
    return {"code": p.returncode, "stdout": stdout, "stderr": p.stderr.decode('utf-8', 'replace')}


def looks_like_path(arg):
    return bool(re.search(r'\.(csv|tsv|txt|parquet|json|jsonl|ndjson|arrow|ipc|feather|pb|gz|zst)$', arg)) \
        or arg.startswith('/') or arg.startswith('fixtures')


def replayable(call):
    """Every path-like argument (or value after `=`) is a shipped file under the project root."""
    if call["cwd"] != ROOT:
        return False
    for arg in call["args"]:
        for part in [arg] + arg.split('=')[1:] + arg.split(',')[1:]:
            if not looks_like_path(part):
                continue
            full = part if os.path.isabs(part) else os.path.join(ROOT, part)
            if not os.path.realpath(full).startswith(ROOT + os.sep) or not os.path.exists(full):
                return False
    return True


def test_calls(binary):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "calls")
        os.mkdir(log)
        wrapper = os.path.join(tmp, "fairaudit")
        with open(wrapper, "w") as f:
            f.write(WRAPPER.format(log=log, real=os.path.abspath(binary)))
        os.chmod(wrapper, 0o755)
        env = {**os.environ, "FAIRAUDIT_TEST_BIN": wrapper}
        subprocess.run(["cargo", "test", "--tests", "-q"], cwd=ROOT, env=env, check=True)  # the binary must be named fairaudit (usage lines)
        calls = []
        for name in sorted(os.listdir(log)):
            with open(os.path.join(log, name)) as f:
                call = json.load(f)
            # Paths under the project root are stored relative to it (replayed from the root).
            call["args"] = [a.replace(ROOT + os.sep, "") for a in call["args"]]
            calls.append(call)
    return calls


def help_examples(binary):
    """(command line, shipped?) for every example in every command's --help."""
    commands = [["audit-fairness"], ["audit-reward"], ["sql"], ["allocate", "items"],
                ["allocate", "check"], ["allocate", "shapley"], ["allocate", "pb"]]
    examples = []
    for cmd in commands:
        text = subprocess.run([binary] + cmd + ["--help"], capture_output=True, text=True).stdout
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            if line.startswith("fairaudit "):
                # A command continues after a trailing backslash, and where the help text was
                # wrapped inside a quoted argument.
                while True:
                    words = None
                    if not line.endswith("\\"):
                        try:
                            words = shlex.split(line)
                        except ValueError:
                            pass
                    if words is not None or i + 1 >= len(lines):
                        break
                    i += 1
                    line = line.rstrip("\\").rstrip() + " " + lines[i].strip()
                if words is None:
                    i += 1
                    continue
                for i_end, w in enumerate(words):
                    if w in ("&&", "|", ">", "<", ";"):
                        words = words[:i_end]
                        break
                examples.append(words[1:])
            i += 1
    return examples


def capture(binary, out):
    calls = test_calls(binary)
    seen, entries, skipped = set(), [], 0
    for call in calls:
        key = json.dumps([call["args"], call["stdin"]])
        if key in seen:
            continue
        seen.add(key)
        if not replayable(call):
            skipped += 1
            continue
        entries.append({"source": "test", "args": call["args"], "stdin": call["stdin"]})
    help_skipped = 0
    for args in help_examples(binary):
        if not replayable({"cwd": ROOT, "args": args}):
            help_skipped += 1
            continue
        if args[0] == "sql":
            pass  # prints SQL text
        elif "--format" not in args and "--json" not in args:
            args = args + ["--format", "json"]
        entries.append({"source": "help", "args": args, "stdin": None})
    for e in entries:
        e.update(run(binary, e["args"], e["stdin"]))
    with gzip.open(out, "wt") as f:
        for e in entries:
            f.write(json.dumps(e, sort_keys=True) + "\n")
    tests = sum(e["source"] == "test" for e in entries)
    print(f"{len(calls)} test invocations, {len(seen)} distinct, {tests} replayable kept, "
          f"{skipped} skipped (temporary files); {len(entries) - tests} help examples kept, "
          f"{help_skipped} skipped (files not shipped) -> {out}")


def differences(old, new, path="$"):
    """Paths where `new` does not carry `old`'s value (keys only in `new` are allowed)."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [path]
        out = []
        for k, v in old.items():
            if k not in new:
                out.append(f"{path}.{k} (missing)")
            else:
                out += differences(v, new[k], f"{path}.{k}")
        return out
    if isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            return [path + " (length)"]
        out = []
        for i, (a, b) in enumerate(zip(old, new)):
            out += differences(a, b, f"{path}[{i}]")
        return out
    if type(old) is not type(new) or old != new:
        return [f"{path}: {old!r} -> {new!r}"]
    return []


def count_values(v):
    if isinstance(v, dict):
        return sum(count_values(x) for x in v.values())
    if isinstance(v, list):
        return sum(count_values(x) for x in v)
    return 1


def compare(binary, capture_file):
    with gzip.open(capture_file, "rt") as f:
        entries = [json.loads(line) for line in f]
    failed, stderr_changed, values = 0, 0, 0
    for e in entries:
        now = run(binary, e["args"], e["stdin"])
        problems = []
        if now["code"] != e["code"]:
            problems.append(f"exit {e['code']} -> {now['code']}: {now['stderr'][:300]}")
        if "json" in e["stdout"]:
            values += count_values(e["stdout"]["json"])
            if "json" not in now["stdout"]:
                problems.append("stdout is no longer JSON")
            else:
                problems += differences(e["stdout"]["json"], now["stdout"]["json"])[:20]
        elif now["stdout"] != e["stdout"]:
            problems.append("text output differs:\n" + "\n".join(
                f"  - {a!r}\n  + {b!r}" for a, b in zip(e["stdout"]["text"].split("\n"),
                                                        now["stdout"].get("text", "").split("\n"))
                if a != b)[:2000])
        if now["stderr"] != e["stderr"]:
            stderr_changed += 1
            print(f"note: stderr changed for {shlex.join(e['args'])}:\n  - {e['stderr'][:300]!r}\n  + {now['stderr'][:300]!r}")
        if problems:
            failed += 1
            print(f"DIFFERS: fairaudit {shlex.join(e['args'])}")
            for p in problems:
                print("   ", p)
    print(f"{len(entries)} commands replayed ({values} JSON values compared): {failed} differ, "
          f"{stderr_changed} with a changed stderr")
    return 1 if failed else 0


def accept(binary, capture_file, text):
    with gzip.open(capture_file, "rt") as f:
        entries = [json.loads(line) for line in f]
    changed = 0
    for e in entries:
        if text in shlex.join(e["args"]):
            e.update(run(binary, e["args"], e["stdin"]))
            changed += 1
            print(f"re-recorded: fairaudit {shlex.join(e['args'])}")
    with gzip.open(capture_file, "wt") as f:
        for e in entries:
            f.write(json.dumps(e, sort_keys=True) + "\n")
    print(f"{changed} commands re-recorded")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "accept":
        sys.exit(accept(sys.argv[2], sys.argv[3], sys.argv[4]))
    if len(sys.argv) != 4 or sys.argv[1] not in ("capture", "compare"):
        sys.exit(__doc__)
    if sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
