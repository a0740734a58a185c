#!/usr/bin/env bash
# Renders one HTML report per engine from shipped fixtures and checks them in a real browser
# (scripts/browser_check.mjs): loads with no console error and no network request, expected
# charts drawn, a screenshot of each saved.
# Usage: scripts/browser-check.sh FAIRAUDIT_BIN OUT_DIR [--update-docs]
#   --update-docs  also copy the screenshots to docs/img/ (the README shows them).
# Needs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) and Node.js with playwright-core
# (NODE_PATH, or installed in $FAIRAUDIT_BROWSER_DIR, default ~/.cache/fairaudit-browser);
# .ci/run installs both when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1; out=$2; update=${3:-}
rm -rf "$out/shots"; mkdir -p "$out/shots"
dir=${FAIRAUDIT_BROWSER_DIR:-${HOME:-/root}/.cache/fairaudit-browser}
export NODE_PATH="${NODE_PATH:-$dir/node_modules}"

# report NAME EXPECTED_CHARTS COMMAND...: writes $out/NAME.html (exit 1, a failed gate, is fine).
specs=()
report() {
  local name=$1 charts=$2; shift 2
  local code=0
  "$bin" "$@" --format html -o "$out/$name.html" -q || code=$?
  if [ "$code" -gt 1 ]; then echo "fairaudit failed ($code): $*" >&2; exit 1; fi
  specs+=("$out/$name.html=$charts")
}
report fairness race-selection-rate,race-false-positive-rate,race-disparities,sex-true-positive-rate \
  audit-fairness fixtures/compas.csv --group race --group sex
report fairness-scores race-roc,race-reliability,race-score-distribution \
  audit-fairness fixtures/compas_scores.csv --group race --score proba
report fairness-eeoc race-selection-rate,race-disparities,race-sex-selection-rate \
  audit-fairness fixtures/hiring.csv --group race --group sex --preset eeoc
report fairness-ll144-scoring sex-selection-rate,sex-race-selection-rate \
  audit-fairness fixtures/hiring.csv --group sex --group race --preset ll144 --score score
report fairness-compare race-selection-rate,race-roc \
  audit-fairness fixtures/compare.csv --label label --score score --baseline baseline_score \
  --reference-decisions human_weak --group race --bootstrap 50
report fairness-thresholds suggested-thresholds-race,race-selection-rate \
  audit-fairness fixtures/compas_scores.csv --group race --score proba \
  --suggest-thresholds equal-opportunity --tolerance 0.05
report reward subset-accuracy,rewardbench-sections,length-accuracy-by-difference,calibration-reliability \
  audit-reward fixtures/reward/pairs.csv --preset rewardbench --chosen-length len_chosen --rejected-length len_rejected
report reward-rm-bench rm-bench-style-matrix,rm-bench-sections \
  audit-reward fixtures/reward/rmbench_scores.jsonl --preset rm-bench
report reward-best-of-n best-of-n audit-reward fixtures/reward/best_of_n.csv
report allocate utilities,envy-graph,mms-ratio \
  allocate check fixtures/allocate/goods.csv --allocation fixtures/allocate/unfair_allocation.csv
report allocate-pb pb-projects,pb-satisfaction allocate pb fixtures/pb/poland_warszawa_2017_anin.pb
report allocate-shapley shapley,rewards \
  allocate shapley fixtures/allocate/glove.csv --rewards fixtures/allocate/glove_rewards.csv
report ranking gender-share-of-exposure \
  audit-ranking fixtures/ranking_search.csv --group gender --relevance relevance --protected woman
report ranking-variants gender-jaccard-20,age-prag-star-20 \
  audit-ranking fixtures/recommendations.csv --variant variant --bootstrap 100
report counterfactual gender-flip-rate,gender-mean-abs-delta,race-flip-rate \
  audit-counterfactual fixtures/counterfactual_pairs.csv --id pair_id --variant variant \
  --original original --attribute attribute --score toxicity --bootstrap 100
report counterfactual-distribution gender-total-variation \
  audit-counterfactual fixtures/t2i_attributes.csv --distribution gender --prompt prompt

# playwright-core resolves from NODE_PATH only for CommonJS; load it through a symlinked copy.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp scripts/browser_check.mjs "$tmp/"
ln -s "$NODE_PATH" "$tmp/node_modules"
node "$tmp/browser_check.mjs" "$out/shots" "${specs[@]}"
if [ "$update" = "--update-docs" ]; then
  mkdir -p docs/img
  for f in "$out"/shots/*.png; do cp "$f" docs/img/report-"$(basename "$f")"; done
fi
