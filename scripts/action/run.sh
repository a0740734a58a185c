#!/usr/bin/env bash
# The step of the fairaudit GitHub Action (action.yml) that runs the audit; tests/github.rs runs
# it locally with the environment a runner sets.
#
# Reads (action.yml maps its inputs to these):
#   INPUT_COMMAND            fairaudit command, words split at spaces (default `run`; e.g.
#                            `audit-fairness`, `allocate pb`)
#   INPUT_ARGS               its arguments, as shell words (quoted as on a `run:` line)
#   INPUT_WORKING_DIRECTORY  where to run it (default: the current directory)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP   set by the runner
#
# Runs `fairaudit COMMAND ARGS` with fairaudit from PATH, prints its output, and
#   - writes `passed=true|false`, `exit-code=N` and `report=PATH` to $GITHUB_OUTPUT: PATH is the
#     file that `-o` / `--output` in ARGS names (made absolute), else a file in $RUNNER_TEMP
#     holding what the command printed (the report, in the format ARGS ask for);
#   - makes sure the step summary has the report: fairaudit appends its Markdown report there
#     itself under Actions; when the summary did not grow (the command failed before writing a
#     report, or FAIRAUDIT_GITHUB=0), the verdict and the output (or the error) are appended;
#   - exits with the command's exit code (0 all gates passed, 1 a gate failed, 2 bad input).
set -u

command_words=${INPUT_COMMAND:-run}
args=${INPUT_ARGS:-}
workdir=${INPUT_WORKING_DIRECTORY:-.}
[ -n "$workdir" ] || workdir=.
outputs=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-}
tmp_root=${RUNNER_TEMP:-${TMPDIR:-/tmp}}

# A workflow command's message, escaped as the Actions toolkit's escapeData does.
escape_data() {
    local s=${1//%/%25}
    s=${s//$'\r'/%0D}
    printf '%s' "${s//$'\n'/%0A}"
}

# Outputs and exit for a run that never started.
fail_early() {
    echo "::error title=fairaudit::$(escape_data "$1")"
    echo "fairaudit action: $1" >&2
    {
        echo "passed=false"
        echo "exit-code=2"
        echo "report="
    } >>"$outputs"
    if [ -n "$summary" ]; then
        printf '\n### fairaudit %s\n\nDid not run: %s\n' "$command_words" "$1" >>"$summary"
    fi
    exit 2
}

cd "$workdir" 2>/dev/null || fail_early "working-directory '$workdir' does not exist"
command -v fairaudit >/dev/null 2>&1 ||
    fail_early "fairaudit is not on PATH (the action's install step puts it there; install: none expects it already)"

# The arguments as shell words (quotes and backslashes as in a shell; newlines are spaces, so
# a YAML block works), parsed by xargs: nothing in them is ever run (no $(...), no ;).
parsed="$(mktemp)"
printf '%s' "$args" | tr '\n\r' '  ' | xargs printf '%s\0' >"$parsed" 2>/dev/null ||
    fail_early "args is not a valid list of shell words (an unbalanced quote?): $args"
set --
while IFS= read -r -d '' word; do
    set -- "$@" "$word"
done <"$parsed"
rm -f "$parsed"
read -r -a words <<<"$command_words"

# The report's extension, from the format the arguments ask for; the report's file, when -o names
# one.
ext=txt
written=
prev=
for a in "$@"; do
    format=
    case $prev in
    --format | -f) format=$a ;;
    --output | -o) written=$a ;;
    esac
    case $a in
    --json) format=json ;;
    --format=*) format=${a#--format=} ;;
    -f?*) format=${a#-f} ;;
    --output=*) written=${a#--output=} ;;
    -o?*) written=${a#-o} ;;
    esac
    case $format in
    json | csv | html) ext=$format ;;
    markdown | md) ext=md ;;
    junit) ext=xml ;;
    table | github) ext=txt ;;
    esac
    prev=$a
done

dir=$(mktemp -d "$tmp_root/fairaudit.XXXXXX") || fail_early "cannot create a folder in $tmp_root"
size() { if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo 0; fi; }
before=0
[ -n "$summary" ] && before=$(size "$summary")

printed="$dir/report.$ext"
errors="$dir/stderr.txt"
fairaudit "${words[@]}" "$@" >"$printed" 2>"$errors"
code=$?
# What the report printed comes from the data (group and file names): the runner must not read
# a line of it as a workflow command, so it is shown between ::stop-commands:: and its token.
token="fairaudit-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::$token"
cat "$printed"
echo "::$token::"
# fairaudit's own annotations are on standard error: shown after, read as commands.
cat "$errors" >&2
report=$printed

passed=false
[ "$code" -eq 0 ] && passed=true
# With -o the report is that file (as an absolute path); else what the command printed.
if [ -n "$written" ]; then
    case $written in
    /*) report=$written ;;
    *) report="$PWD/$written" ;;
    esac
fi
{
    echo "passed=$passed"
    echo "exit-code=$code"
    echo "report=$report"
} >>"$outputs"

# Text inside <pre>: &, < and > as entities (the rest of Markdown is inert there), at most 64 KiB.
pre() {
    head -c 65536 "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
    [ "$(size "$1")" -le 65536 ] || printf '\n[cut at 64 KiB: the whole output is the report file]\n'
}

if [ -n "$summary" ] && [ "$(size "$summary")" = "$before" ]; then
    case $code in
    0) verdict="every gate passed" ;;
    1) verdict="a --fail-if gate failed" ;;
    2) verdict="could not run (exit 2: bad usage or bad input)" ;;
    *) verdict="ended with exit code $code" ;;
    esac
    shown=$printed
    [ "$code" -eq 0 ] || [ "$code" -eq 1 ] || shown=$errors
    {
        printf '\n### fairaudit %s\n\n%s\n\n<pre>\n' "$command_words" "$verdict"
        pre "$shown"
        printf '</pre>\n'
    } >>"$summary"
fi

exit "$code"
