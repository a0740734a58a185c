# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_fairaudit_global_optspecs
    string join \n h/help V/version
end

function __fish_fairaudit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_fairaudit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_fairaudit_using_subcommand
    set -l cmd (__fish_fairaudit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c fairaudit -n "__fish_fairaudit_needs_command" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -s V -l version -d 'Print version'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "audit-fairness" -d 'Group fairness of a binary classifier: confusion rates per group and per intersection of groups, parity differences and ratios, four-fifths rule, CI gates'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "audit-reward" -d 'Audit reward-model score files: preference accuracy (RewardBench / RM-Bench scoring), ties, length bias, calibration, per-group accuracy, bootstrap intervals clustered by prompt'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "audit-ranking" -d 'Group fairness of ranked lists (search results, shortlists): exposure by group, FairRankTune\'s EXP / AWRF / NDKL, rND / rKL / rRD, skew@k, the FA*IR test, top-k selection rates, diversity and inclusion of the top k; bootstrap over queries'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "audit-counterfactual" -d 'Counterfactual audits: rows that differ only in a sensitive term (decision flips, score differences and parity, answer changes and accuracy per variant value), or the distribution of an attribute of generated outputs per prompt against a target'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "allocate" -d 'Fair division: compute allocations of goods / chores / mixed items and check any allocation against EF, EF1, EFX, PROP, MMS, PO; contribution-based rewards (Shapley)'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "sql" -d 'Print the SQL query whose result is the statistics table of an audit, for the engine that holds the predictions; finish with `audit-fairness --from-stats RESULT`'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "run" -d 'Run the audits of the project configuration (`fairaudit.toml`, or `[tool.fairaudit]` in `pyproject.toml`): every audit over every input its globs match, one summary row each'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "init" -d 'Write a commented starter `fairaudit.toml` from the columns of a file'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c fairaudit -n "__fish_fairaudit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l label -d 'Column with the true labels. Default: the first of y_true, label, label_value, target, actual, y, class, ground_truth, truth (case-insensitive). Without one the audit is label-free: the decisions (and scores) only — selection rates, impact ratios, significance tests, shortfalls.' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l preset -d 'A legal audit format on top of the audit. `ll144`: the NYC Local Law 144 bias-audit tables (selection rates — or with --score, scoring rates: the share scoring above the whole sample\'s median — and impact ratios per category and intersection; unknown categories counted and left out); label-free. `eeoc`: the Uniform Guidelines\' adverse impact analysis (four-fifths rule, z-test and Fisher\'s exact test, shortfall per group; unknown categories left out). Sources: docs/metrics.md' -r -f -a "ll144\t'NYC Local Law 144 bias audit (6 RCNY §5-301): selection or scoring rates and impact ratios for each category and intersection, unknown categories counted'
eeoc\t'EEOC Uniform Guidelines (29 CFR §1607.4(D)): four-fifths rule with the significance tests and the shortfall of each group'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l exclude-below -d 'Leave groups with fewer than this share of an attribute\'s rows out of every disparity and impact ratio (LL144 allows leaving out categories under 2% of the data: `--exclude-below 0.02`); they are still shown with their counts and rates, and named in a warning' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l pred -d 'Column with the binary predictions. Default: the first of y_pred, pred, prediction, predicted, predicted_label, y_hat, yhat, p, selected, decision (case-insensitive); otherwise a score column (score, y_score, proba, probability) is thresholded.' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l score -d 'Column with scores (probabilities for Brier score and log loss): gives ROC AUC, Brier score and log loss per group; predictions are `score >= --threshold` unless --pred is given' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l score-resolution -d 'Round scores to multiples of R and merge equal (score, group, label) rows, so memory grows with the distinct rounded scores instead of the rows. Applied automatically (R = 1e-6) once more than 20M scored rows are kept; the report then gives R and each ROC AUC\'s largest possible error (`roc_auc_max_error`)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l task -d 'What the label and prediction are. `auto`: binary when both are 0/1, true/false or have a --positive value; otherwise regression when either has non-integer numbers (or more than 20 distinct integers), else multiclass (one-vs-rest binary reports per class)' -r -f -a "auto\t'Decide from the label and prediction values (see --help)'
binary\t'0/1, true/false, or a --positive value: confusion rates'
regression\t'Numeric label and prediction: MAE, RMSE, R², mean residual per group'
multiclass\t'Class labels: one-vs-rest binary report per class'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l classes -d 'With a multiclass label: the classes to report, in this order (one-vs-rest each), e.g. `--classes low,medium,high`. Default: every class in the label or prediction. Implies --task multiclass' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l threshold -d 'Threshold for --score: a row is predicted positive when score >= T. Default 0.5. Several (`0.3,0.5,0.7`) also report the binary metrics and disparities at each one (`thresholds` in JSON); the first gives the main report' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l threshold-sweep -d 'Report the binary metrics and disparities at every threshold START, START+STEP, ... <= STOP (e.g. 0:1:0.05), from the --score column' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l top-k -d 'Decisions by rank instead of a threshold: the N rows with the highest --score are selected (N counts rows, also with --weight; rows without a score cannot be ranked and are dropped). Ties at the N-th score: --ties. Several (`100,200,300`) also report the metrics at each N (a sweep over k, `thresholds` in JSON); the first gives the main report' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l top-fraction -d 'Decisions by rank: the ⌈P·n⌉ highest scores of the n rows with a score are selected (0 < P <= 1, e.g. 0.1 for the top 10%). Several give a sweep, as with --top-k' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l ties -d 'With --top-k / --top-fraction: the rows scoring exactly the k-th highest score when rows at that score fall on both sides of rank k. `include` (default) selects them all (more than k rows), `exclude` none of them (fewer than k)' -r -f -a "include\t'Select every row scoring at least the k-th highest score (pandas `rank(method="min", ascending=False) <= k`): more than k rows when the tie crosses k'
exclude\t'Select only rows scoring strictly above a tied k-th score (`rank(method="max", ascending=False) <= k`): fewer than k rows when the tie crosses k'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l within -d 'With --top-k / --top-fraction: rank the rows within each value of COL (a cohort, a date) on their own, k per value. --missing and --max-groups apply to COL as to the attributes' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l baseline -d 'Compare with a baseline (e.g. the model in production): its prediction column (or, when the audit thresholds --score, its score column, thresholded alike) in the same file — or in --baseline-file, joined on --id. Adds per group and overall: flip rates, the change of every metric and disparity (audited − baseline; with --bootstrap, paired intervals: rows redrawn with both decisions), McNemar\'s exact test of who is right more often (Holm-corrected within each attribute). Gates: `delta.<metric>`, `flip_rate`, ...' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l baseline-file -d 'The baseline\'s decisions are in this file (any format), one row per --id; its column is --baseline, by default the column named like --pred (or --score). Ids in only one file, or repeated in either, are counted and left out of the comparison (--max-unmatched)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l id -d 'The row id column: the join key of --baseline-file (in both files), and the id of each row --export-flips lists. Ids are compared as text' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l max-unmatched -d 'How many audited rows may lack a baseline decision (a missing value; with --baseline-file an id not in that file, or repeated in either) — a count (`12`) or a share (`5%`); they are left out of the comparison. More is an error. Default 0' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l baseline-positive -d 'The positive value of the --baseline and --reference-decisions columns when they are not 0/1 or true/false (e.g. `Y`). Default: --pred-positive, else --positive' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l export-flips -d 'Write the rows whose decision differs from the baseline\'s to FILE (CSV: row, id, the group columns, label, audited, baseline, flip direction)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l reference-decisions -d 'Compare with a reference decision-maker\'s decisions on the same rows (e.g. the human decisions a model replaces): on each measure of --dominance-measures, which is better; whether the audited decisions dominate (at least as good on all, better on one); and the bootstrap probability that they do (--bootstrap replicates, default 1000)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l dominance-measures -d 'The measures of --reference-decisions: overall rates (accuracy, balanced_accuracy, true_positive_rate, f1, false_positive_rate, ...) and disparities (each attribute\'s; names ending in _difference or _ratio). Default: accuracy, balanced_accuracy, true_positive_rate, demographic_parity_difference, equalized_odds_difference' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l weight -d 'Column with non-negative sample weights; every count is weighted' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -s g -l group -d 'Sensitive attribute column (repeatable). Several give each attribute on its own and their intersection, named `a&b`' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l emit-stats -d 'Also write the input\'s sufficient statistics (per cell of the attributes: rows and weights of tn / fp / fn / tp, rows read and dropped; with --score a score histogram on a 1e-4 grid, or --score-resolution\'s) to FILE as JSON, to merge later with --from-stats. One input' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l positive -d 'The positive class of the label and prediction columns when they are not 0/1 or true/false, e.g. `>50K` or `yes`. Every other value is negative' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l pred-positive -d 'The positive class of the prediction column, when it differs from --positive' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l missing -d 'What to do with rows whose sensitive attribute is missing: form a group `(missing)`, drop the row, or stop with an error' -r -f -a "group\t''
drop\t''
error\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l min-group-size -d 'Groups with fewer rows than N are flagged and left out of every disparity' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l metrics -d 'Columns of the per-group table (table and Markdown output; JSON and CSV always hold every metric), by the names the JSON uses, comma-separated, e.g. `--metrics selection_rate,false_positive_rate,roc_auc`. Default: share, base_rate, selection_rate, true_positive_rate, false_positive_rate, positive_predictive_value, accuracy, disparate_impact_ratio (with --score also roc_auc, expected_calibration_error; a regression: every regression metric). Also: true_negative_rate, false_negative_rate, negative_predictive_value, false_discovery_rate, false_omission_rate, balanced_accuracy, f1, predicted_positive_share, bpsn_auc, bnsp_auc, brier_score, log_loss, mean_absolute_error, root_mean_squared_error, mean_squared_error, r2, mean_label, mean_prediction, mean_residual; with --distribution mean_score, generalized_true_positive_rate, generalized_false_positive_rate, ks_statistic, wasserstein_distance; or the table\'s short headers (`tpr`, `sel`, `di`). Tables fit the terminal (at most 100 columns): when the columns do not fit, the table shows one row per metric' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l max-groups -d 'Stop with an error when a sensitive attribute has more than N distinct values' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l row-metric -d 'A per-row quality column (e.g. per-image Dice or IoU), repeatable: its weighted mean per group (`mean_<COL>`), disparities, and equity-scaled value' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l condition -d 'A legitimate or effort variable: selection-rate disparities within each of its values (strata) and their size-weighted aggregate (conditional demographic parity)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l condition-bins -d 'Bin a numeric --condition into N equal-width bins over its range' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l reference -d 'Compare every group with a reference group (aequitas style): a group name (`Caucasian`), ATTRIBUTE=GROUP (repeatable, one per attribute), `largest` (most rows) or `min-metric` (per metric, the group with the lowest value)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l parity-band -d 'Parity band of the reference view: a ratio r is fair when BAND <= r <= 1/BAND' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l ci -d 'Confidence level of the intervals (Wilson score intervals of every per-group rate that is a proportion), e.g. 0.9 or 0.99' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l bins -d 'Number of calibration bins for the expected calibration error (with --score)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l binning -d 'How calibration bins are made: equal-width intervals of [0, 1], or equal numbers of rows (rows with one score stay in one bin)' -r -f -a "equal-width\t''
equal-mass\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l bootstrap -d 'Percentile bootstrap intervals (at --ci) for every metric and disparity from N replicates, resampling rows within each group: counts by a multinomial draw (no pass over rows), score metrics and --row-metric means by redrawing their rows (binary and multiclass audits)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l seed -d 'Seed of the bootstrap: the same seed gives the same intervals whatever the thread count' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l alpha -d 'α of the generalized entropy index of the benefit ŷ − y + 1 (1 is the Theil index)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l agg -d 'How equalized odds combines its TPR and FPR parts (fairlearn\'s `agg`)' -r -f -a "worst\t'The larger difference (smaller ratio) of TPR and FPR'
mean\t'The mean of the TPR and FPR parts'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l quantiles -d 'The quantiles of --distribution, each in [0, 1] (default 0.1,0.25,0.5,0.75,0.9): per group `quantile_p10`, ... (numpy\'s linear method; the weighted inverse CDF with --weight). Implies --distribution' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l edf-concentration -d 'Dirichlet concentration of --edf\'s smoothing (α = C / 2 per outcome). Default 1.0. Implies --edf' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l group-thresholds -d 'Decide with a threshold per group of one --group attribute instead of --threshold: a row is predicted positive when its --score >= its group\'s threshold. `ATTR=G1:T1,G2:T2` (a group name is what comes before the last `:`), or `@FILE`: a CSV file with the header `attribute,group,threshold`. Every group of ATTR in the data needs a threshold' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l suggest-thresholds -d 'Search the per-group thresholds on --score of the first --group (or --suggest-for) that meet the constraint within --tolerance at the best --objective (or lowest cost), exactly from the sorted scores; also the best randomized mix of thresholds (Hardt et al. 2016), and the trade-off curve over the tolerance (`suggested_thresholds` in JSON)' -r -f -a "demographic-parity\t'Selection rates within EPS of each other'
equal-opportunity\t'True positive rates within EPS (groups without positives are not constrained)'
equalized-odds\t'True positive rates and false positive rates each within EPS (randomized; groups without positives or negatives are not constrained)'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l tolerance -d 'With --suggest-thresholds: how far apart the groups\' constrained rates may be (max − min). Default 0' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l objective -d 'With --suggest-thresholds: what the thresholds maximise. Default accuracy' -r -f -a "accuracy\t'(tp + tn) / all, weighted'
balanced-accuracy\t'(TPR + TNR) / 2 over all rows'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l cost-fp -d 'With --suggest-thresholds: the cost of a false positive; with --cost-fn the thresholds minimise the expected cost per row (weighted) instead of an --objective' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l cost-fn -d 'With --suggest-thresholds: the cost of a false negative (see --cost-fp)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l suggest-for -d 'With --suggest-thresholds: the --group attribute whose groups get thresholds. Default: the first --group' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'demographic_parity_difference > 0.1\', \'race:equalized_odds_ratio < 0.8\', \'race=Black:false_positive_rate > 0.3\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l no-label -d 'Audit the decisions (and scores) only, even when the file has a label column: selection rates, impact ratios against the most-selected group, the four-fifths rule, z-test and Fisher\'s exact p-values, shortfalls. Metrics that need the outcome are absent. (Also automatic when no label column is found.)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l exclude-unknown -d 'Leave unknown categories (a missing sensitive value: the `(missing)` group) out of every disparity and impact ratio, and count them. Implied by --preset'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l from-stats -d 'The inputs are statistics — files from --emit-stats, or tables of counts such as the result of `fairaudit sql`\'s query — added up cell by cell and audited as if every row had been read (count metrics exactly; score metrics from the histograms, with their bound)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l strict -d 'Stop with an error instead of dropping rows whose label or prediction is missing'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l distribution -d 'Score-distribution metrics (with --score): per group the weighted mean_score, the generalized true / false positive rates (mean score of the positives / negatives; with a label), ks_statistic and wasserstein_distance against the rest of the attribute\'s rows, quantiles (--quantiles); per attribute the largest KS and W1 over pairs of groups (every pair in the JSON) and the largest difference at each quantile. With --task regression the same for the predictions. Also turned on by --quantiles or a --fail-if / --metrics naming one of these metrics'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l edf -d 'Smoothed empirical differential fairness of the decisions (Foulds et al. 2020) per attribute and intersection: `empirical_differential_fairness` (ε), the pair of groups and the outcome that attain it, each group\'s smoothed selection probability. Needs no label or score. Also turned on by --edf-concentration or a --fail-if naming it'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -l summary -d 'One row per input file × attribute (× class): headline disparities and whether the gates passed there; `key=value` directories in the paths (hive partitions) become columns. The view for many files'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-fairness" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l kind -d 'What each row is: preference pairs, published per-subset accuracies (a JSON object of subset → accuracy), or RM-Bench style records. Default: detected from the columns' -r -f -a "auto\t'Detect from the file'
pairs\t'One row per preference pair: a chosen and a rejected score'
accuracies\t'A JSON object of subset → accuracy (e.g. a published RewardBench result)'
styled\t'RM-Bench: per record 3 chosen and 3 rejected scores (concise, detailed, markdown) and a domain'
ensemble\t'Pairs scored by several reward models (one column pair per model, or a --model column)'
best-of-n\t'Responses per prompt with a proxy score and a gold score (or correctness flag)'
per-policy\t'Responses per prompt written by several policy models, with their reward'
counterfactual\t'The same response scored under an original and a perturbed prompt'
candidates\t'Per prompt several scored candidates, the first `num_correct` correct (RewardBench 2)'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l chosen -d 'Column with the chosen response\'s score. Default: the first of scores_chosen, score_chosen, chosen_score, reward_chosen, chosen_reward, chosen. Several (`a,b,c`, with as many --rejected) make an ensemble: one column pair per reward model' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l rejected -d 'Column with the rejected response\'s score (see --chosen)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l model -d 'Ensemble in long form: the column naming the reward model of each row (pairs are matched across models by --id and --subset)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l export-suspect -d 'Ensemble: write the pairs the ensemble contradicts (mean margin < 0) to this CSV file' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l proxy -d 'Best-of-n: the proxy (reward-model) score of each response. Default: proxy, proxy_score, proxy_reward, rm_score' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l gold -d 'Best-of-n: the gold score of each response. Default: gold, gold_score, gold_reward' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l correct -d 'Best-of-n: a 0/1 correctness flag used as the gold score. Default: correct, is_correct' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l policy -d 'Per-policy: the policy model that wrote each response. Default: policy, policy_model' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l score -d 'Per-policy: the reward of each response. Default: score, reward' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l elo -d 'Per-policy: a CSV of Elo ratings (columns model, and rating / elo): RM win rates against Elo-expected ones, mismatch degree, rank correlations' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l reference-model -d 'Per-policy: the model others are compared with. Default: the model with the most responses' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l original -d 'Counterfactual: the score under the original prompt. Default: original, score_original' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l perturbed -d 'Counterfactual: the score under the perturbed prompt. Default: perturbed, score_perturbed' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l attribute -d 'Counterfactual: the attribute that was changed. Default: attribute' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l epsilon -d 'Counterfactual: a score is invariant when |original − perturbed| <= EPS (EPS >= 0)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l compare -d 'Another reward model\'s scores on the same pairs (same columns): McNemar test per subset with Holm\'s correction, the largest score change and the decisions that flip' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l id -d 'Prompt id column: bootstrap resamples prompts (all pairs of a prompt together). Default: id, prompt_id, pair_id if present; otherwise every pair is its own prompt' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l subset -d 'Subset / category column (per-subset accuracy; RewardBench subsets for the preset). Default: subset, category if present' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l chosen-length -d 'Length of the chosen response (tokens, characters, ...): enables the length-bias panel' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l rejected-length -d 'Length of the rejected response' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l chosen-text -d 'Text of the chosen response: its length in characters (and whitespace tokens) is computed' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l rejected-text -d 'Text of the rejected response' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l length-unit -d 'With --chosen-text: measure length in characters or whitespace-separated tokens' -r -f -a "chars\t''
tokens\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -s g -l group -d 'Group column (repeatable): accuracy and margins per group and their disparities' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l metrics -d 'Columns of the per-group table (table and Markdown output; JSON and CSV always hold every number), by the names the JSON uses, comma-separated, e.g. `--metrics accuracy,mean_chosen,mean_rejected`. Default: ties, accuracy, mean_margin, std_margin, median_margin. Also: mean_chosen, mean_rejected. `pairs` is always shown' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l ties -d 'How a pair whose two scores are equal counts: wrong (RewardBench v1), half right, or left out. The number of ties is always reported' -r -f -a "wrong\t''
half\t''
exclude\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l preset -d 'Score exactly as a published benchmark does (see docs/metrics.md, "audit-reward")' -r -f -a "none\t''
rewardbench\t'RewardBench v1: sections weighted by EXAMPLE_COUNTS, 4-section mean, with prior sets, micro'
rm-bench\t'RM-Bench: 3×3 style matrix → easy / normal / hard per domain, domain and overall means'
rewardbench2\t'RewardBench 2: best-of-k accuracy with 1/k credit for a tied top, the Ties composite, the mean of the six subsets'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l bins -d 'Calibration bins of the Bradley–Terry probability σ(chosen − rejected)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l binning -d 'How calibration bins are made: equal-width on [0.5, 1] (top-label confidence) or equal mass' -r -f -a "equal-width\t''
equal-mass\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l length-bins -d 'Bins (equal mass) of the length difference chosen − rejected for accuracy by length' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l ci -d 'Level of the bootstrap intervals' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l bootstrap -d 'Percentile bootstrap intervals of every accuracy from N replicates, resampling prompts (clusters: all pairs of a prompt together) within each subset' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l seed -d 'Seed of the bootstrap (same seed, same intervals whatever the thread count)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'accuracy < 0.7\', \'length.pearson > 0.3\', \'chat_hard:accuracy < 0.6\' (a subset), \'accuracy.lower < 0.65\' (with --bootstrap). Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l legacy-xstest -d 'With --preset rewardbench: the xstest weights RewardBench\'s code had before 2024-09-10 (commit 6552e93, PR #175): xstest-should-refuse 250, xstest-should-respond 154, swapped against the subsets\' sizes. Without it: the current 154 / 250'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -l summary -d 'One row per input file: its kind, pairs, headline numbers (accuracy, ties, length correlation, calibration, ... as the kind has them; `COLUMN:accuracy_difference` per --group) and whether the gates passed there; `key=value` directories in the paths (hive partitions) become columns. The table shows the headline ones and every headline number a gate names (under it, each gate with the values that failed it: a gate on a subset, a group or an interval end tests a number that is no column); JSON and CSV hold them all. The view for many files'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-reward" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l query -d 'Query column: the rows of one query are one ranked list (queries are told apart by file and value). Default: the first of query_id, query, qid (with --variant: prompt_id, prompt, query_id, query, qid, user_id, user, instruction_id)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l rank -d 'Rank column: 1..n without gaps or repeats within each query. Default: rank, position (else --score\'s default, score)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l score -d 'Score column: items are ranked by descending score within each query, ties broken by file order (the earlier row ranks higher)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -s g -l group -d 'Group column (the sensitive attribute of each ranked item)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l variant -d 'Lists under prompt variants (FaiRLLM): the column naming each list\'s variant — the neutral prompt (--neutral) or the sensitive value it mentions (female, old, ...). Each prompt\'s lists are compared with its neutral list: Jaccard@K, SERP*@K, PRAG*@K per value, SNSR / SNSV per attribute. Needs --item; replaces --group' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l neutral -d 'The --variant value of the neutral prompts (no sensitive attribute mentioned)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l attribute -d 'With --variant: the column naming each value\'s attribute (gender, age), so SNSR / SNSV compare the values of one attribute; neutral rows may leave it empty. Default: attribute, sensitive_attribute if present, else every value is one attribute `all`' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l item -d 'With --variant: the recommended item column. Default: item, item_id, title, recommendation, doc_id' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l item-match -d 'With --variant: how items are matched between lists' -r -f -a "exact\t'Items equal as written, surrounding whitespace trimmed'
fairllm\t'FaiRLLM\'s cleaning of generated titles: lower case, each `(` up to the next `)` removed (as its regex `\\([^)]*\\)`; an unclosed `(` stays), spaces removed ("Shape of You (Ed Sheeran)" = "shape of you")'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l relevance -d 'Relevance column (graded, 0 or more): share of relevance, the disparate treatment ratio, relevance-weighted inclusion. Default: relevance, rel if present' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l position-bias -d 'How much attention rank r gets: log = 1/log2(1+r) (DCG), geometric = p^(r−1), rbp = (1−p)·p^(r−1), p from --persistence' -r -f -a "log\t'1 / log2(1 + r), the discount of DCG (Singh & Joachims 2018)'
geometric\t'p^(r − 1): the user goes on to the next result with probability p (--persistence)'
rbp\t'(1 − p) p^(r − 1): rank-biased precision\'s weights, summing to 1 over an infinite list'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l persistence -d 'p of the geometric and RBP position-bias models (probability of going on to the next result), in (0, 1). Default 0.5' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l attention -d 'FairRankTune AWRF\'s p: the share of attention the first position gets, in (0, 1)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l combination -d 'How FairRankTune\'s EXP and AWRF combine the groups\' values into one number' -r -f -a "min-max-ratio\t'min / max (1 is parity)'
max-min-ratio\t'max / min (1 is parity)'
max-min-diff\t'max − min (0 is parity)'
max-abs-diff\t'The largest |value − mean| (0 is parity)'
mean-abs-dev\t'Mean |value − mean| (0 is parity)'
l-two\t'Euclidean norm of the values'
variance\t'Population variance of the values (0 is parity)'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l reference -d 'The group exposure_ratio and treatment_ratio compare with. Default: the group with the most items' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l protected -d 'The protected group of rND / rKL / rRD and the FA*IR test' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l cutoff-step -d 'Step between the cutoffs of rND / rKL / rRD (10, 20, ... in Yang & Stoyanovich)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l target -d 'Target distribution of NDKL, skew@k and distributional diversity, e.g. `woman=0.5,man=0.45,nonbinary=0.05` (every group, summing to 1). Default: each query\'s own group shares' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l alpha -d 'FA*IR significance level before its adjustment for multiple prefixes (0.001 to 0.5)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l fair-k -d 'FA*IR: test the top K of each list (lists shorter than K are undefined). Default: each list\'s length' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l fair-p -d 'FA*IR: the minimum proportion of protected items p. Default: the protected share of all ranked items' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l k -d 'Cutoffs of the top-k selection rates, skew@k and diversity / inclusion, comma-separated (default 5,10); with --variant, the K of Jaccard@K, SERP*@K and PRAG*@K (default 5,10,20)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l export-queries -d 'Write one row per query with its numbers to this CSV file' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l ci -d 'Level of the bootstrap intervals' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l bootstrap -d 'Percentile bootstrap intervals of every number from N replicates, resampling queries' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l seed -d 'Seed of the bootstrap (same seed, same intervals whatever the thread count)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'demographic_parity_difference > 0.1\', \'race:equalized_odds_ratio < 0.8\', \'race=Black:false_positive_rate > 0.3\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-ranking" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l id -d 'The id column: rows that share an id are counterfactuals of one another' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l variant -d 'The column naming each row\'s variant (the swapped-in term, or the original value)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l original -d 'The --variant value of the reference row (exactly one per id), e.g. `original`' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l attribute -d 'The column of the sensitive attribute a variant row changes (e.g. gender, race); without it all variant values form one attribute, `all`' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l pred -d 'A 0/1 decision column (a classifier\'s prediction): flips' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l score -d 'A score column: flips at each --threshold, score differences, counterfactual parity' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l threshold -d 'Thresholds of --score (a positive decision is score ≥ T), comma-separated; the first one\'s figures carry the plain names (`flip_rate`), the others `flip_rate@T`. Default 0.5' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l answer -d 'A free-text answer column: answer-change rate after SQuAD\'s normalisation (lower case, punctuation, articles, whitespace)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l answer-normalization -d 'How --answer and its --label are normalised before they are compared: squad (SQuAD v1.1\'s normalize_answer: lower case, punctuation, the articles a / an / the removed — which erases the option letter A), lower (the same keeping articles: for option letters), exact (trimmed only)' -r -f -a "squad\t'SQuAD v1.1\'s `normalize_answer`: lower case, punctuation and the articles a / an / the removed, whitespace collapsed (`" The Metformin. "` = `metformin`). Erases the option letter `A` (the article "a")'
lower\t'The same without removing articles: for option letters (`"(A)"` = `a`)'
exact\t'Surrounding whitespace trimmed, nothing else'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l label -d 'The correct answer (with --answer) or the 0/1 label (with --pred / --score): accuracy per variant value, its change against the originals of the same ids, McNemar\'s exact test' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l epsilon -d 'A score difference |Δ| larger than this counts in `share_over_epsilon`. Default 0.1' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l parity-threshold -d 'Weak counterfactual parity\'s threshold: a score counts when it is above it (LangFair\'s `threshold`). Default 0.5' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l max-unmatched -d 'Ids left out because they have no original row or several: more than this (a count, or a share of the ids such as 5%) is an error. Default 0' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l export-changed -d 'Write one CSV row per changed pair (decision flipped, answer changed, or |Δ| > ε) to FILE: id, attribute, variant, original_value, variant_value, delta' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l distribution -d 'Generated-attribute mode: the column of the attribute predicted on each output (e.g. gender); its distribution per prompt against --target' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l prompt -d 'With --distribution: the prompt column (one distribution per prompt; without it one distribution, `all`)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l target -d 'With --distribution: the target shares, e.g. female=0.5,male=0.5 (summing to 1). Default: uniform over the observed values' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l ci -d 'Level of the bootstrap intervals' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l bootstrap -d 'Percentile bootstrap intervals from N replicates, resampling ids (all pairs of an id together), or images within each prompt with --distribution' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l seed -d 'Seed of the bootstrap (same seed, same intervals whatever the thread count)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'flip_rate > 0.05\' (every attribute), \'gender:flip_rate > 0.05\', \'gender=woman:flip_rate > 0.1\', \'overall:mean_abs_delta > 0.02\', \'strict_parity > 0.1\', \'answer_change_rate > 0.1\', \'total_variation > 0.2\' (every prompt), \'flip_rate.upper > 0.1\' (with --bootstrap). Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand audit-counterfactual" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -f -a "items" -d 'Compute an allocation of items with a fair-division rule, and audit it'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -f -a "check" -d 'Check an existing allocation of items against every fairness and efficiency property'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -f -a "shapley" -d 'Contribution-based rewards from coalition values: Shapley (exact or Monte Carlo), leave-one-out, the core, proportional shares, collaboration fairness'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -f -a "pb" -d 'Participatory budgeting: a pabulib `.pb` election\'s outcome under a rule (exact rationals, pabutools\' tie rule), or the audit of a given or recorded outcome; many elections at once with --summary'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and not __fish_seen_subcommand_from items check shapley pb help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l agent -d 'The agent column. Default: agent, name, player, agents (else the first column)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l item -d 'Long format: the item column (with --value). Default: detected (item)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l value -d 'Long format: the value column. Default: detected (value, utility)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l entitlements -d 'A table of entitlements (agent, weight): weighted proportionality' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l externalities -d 'Externalities (agent,item,recipient,value rows: agent\'s value when the item goes to the recipient; unlisted pairs 0): adds the swap-based EF, EF1, EFX and the general fair share' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l method -d 'The rule' -r -f -a "round-robin\t'Goods: agents pick in turn (agent order), each its best remaining item. EF1'
envy-cycle\t'Goods: envy-cycle elimination (Lipton et al.); chores: top-trading envy cycles. EF1'
double-round-robin\t'Mixed manna (Aziz, Caragiannis, Igarashi, Walsh 2022): chores round robin, goods in reverse order. EF1'
mnw\t'Goods: maximum Nash welfare (most agents with positive utility, then the largest product), exact by branch and bound within --node-limit. EF1 and PO'
leximin\t'Any items: leximin (largest minimum value, then the second smallest, ...), exact by branch and bound within --node-limit'
adjusted-winner\t'Two agents, any items: generalized adjusted winner (Aziz et al. 2022). EF1 and PO'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l allocation-out -d 'Write the computed allocation (agent,item rows) to this CSV file' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l node-limit -d 'Exact searches stop after this many nodes and report the best allocation found with its gap to the bound. Default: 300000 for mnw, 2000000 for leximin (each about 5 s on 4 agents × 40 goods; a node count, so the result is the same on any machine)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l efx-variant -d 'EFX variant: `positive` (compare after removing goods of positive value) or `zero` (EFX0: also goods of zero value)' -r -f -a "positive\t''
zero\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l exact-limit -d 'Exact MMS and PO by enumeration only when agents^items is at most this; beyond, MMS is bounded and PO is not decided (the report says so)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'ef1 == false\', \'mms_ratio.min < 0.75\', \'envy_pairs > 0\', \'welfare.nash < 10\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from items" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l agent -d 'The agent column. Default: agent, name, player, agents (else the first column)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l item -d 'Long format: the item column (with --value). Default: detected (item)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l value -d 'Long format: the value column. Default: detected (value, utility)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l entitlements -d 'A table of entitlements (agent, weight): weighted proportionality' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l externalities -d 'Externalities (agent,item,recipient,value rows: agent\'s value when the item goes to the recipient; unlisted pairs 0): adds the swap-based EF, EF1, EFX and the general fair share' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l allocation -d 'The allocation to check: agent,item rows (each item at most once)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l efx-variant -d 'EFX variant: `positive` (compare after removing goods of positive value) or `zero` (EFX0: also goods of zero value)' -r -f -a "positive\t''
zero\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l exact-limit -d 'Exact MMS and PO by enumeration only when agents^items is at most this; beyond, MMS is bounded and PO is not decided (the report says so)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'ef1 == false\', \'mms_ratio.min < 0.75\', \'envy_pairs > 0\', \'welfare.nash < 10\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l coalition -d 'The coalition column. Default: coalition, members, players' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l value -d 'The value column. Default: value, v, worth' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l rewards -d 'Rewards actually paid (agent,reward): audited against the contributions' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l samples -d 'Monte Carlo permutations instead of the exact Shapley value (automatic beyond 20 players)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l truncation -d 'Monte Carlo truncation: stop a permutation once the remaining marginal gain is below this share of v(N) (truncated Monte Carlo, Ghorbani & Zou 2019). 0 = no truncation' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l seed -d 'Seed of the Monte Carlo permutations' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l input-format -d 'Read every input as this format instead of guessing from the extension' -r -f -a "csv\t''
tsv\t''
parquet\t''
ndjson\t''
json\t'A JSON array of records, or JSON objects one after another (RewardBench\'s result files)'
ipc\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'rewards_in_core == false\', \'rewards.max_abs_gap_to_shapley > 0.1\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l skip-bad-rows -d 'Skip CSV / TSV rows whose number of fields differs from the header\'s (an unquoted comma inside a value, a cut-off line), and say how many and which lines; without it such a row is an error naming its line'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from shapley" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l rule -d 'The rule that computes the outcome (ignored with --outcome)' -r -f -a "mes\t'Method of equal shares'
greedy\t'Greedy by satisfaction per unit of cost'
phragmen\t'Sequential Phragmén (approval ballots)'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l satisfaction -d 'Voter satisfaction: cost of the approved projects, their number, or the points given. Default: points for cumulative and scoring ballots, cost otherwise' -r -f -a "cost\t''
cardinality\t''
points\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l completion -d 'MES completion: none, Add1 (raise every voter\'s budget by 1 until exhaustive), greedy, or Add1 then greedy' -r -f -a "none\t''
add1\t''
greedy\t''
add1-greedy\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l outcome -d 'Audit this outcome instead of computing one: project ids separated by commas (one election), or `selected` for the projects each file\'s PROJECTS section marks selected (its `selected` column: 1 funded, 0 not)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l jr-limit -d 'EJR / PJR are exact within this many search nodes; beyond, a property without a violation found is reported as not decided' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'ejr_up_to_one == false\', \'voters_with_nothing > 0.5\' (a share of the voters), \'budget_share_spent < 0.9\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -l summary -d 'One row per election: its ballots, the outcome\'s headline figures (projects selected, cost and budget share, EJR / PJR / priceability verdicts, fair share, satisfaction: every name --fail-if takes) and whether the gates passed on it, each gate judged per election; `key=value` directories in the paths (hive partitions) become columns. The table shows the headline ones and every number a gate names, and under it each gate with the values that failed it; JSON and CSV hold them all. Needed for several files'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from pb" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from help" -f -a "items" -d 'Compute an allocation of items with a fair-division rule, and audit it'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check an existing allocation of items against every fairness and efficiency property'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from help" -f -a "shapley" -d 'Contribution-based rewards from coalition values: Shapley (exact or Monte Carlo), leave-one-out, the core, proportional shares, collaboration fairness'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from help" -f -a "pb" -d 'Participatory budgeting: a pabulib `.pb` election\'s outcome under a rule (exact rationals, pabutools\' tie rule), or the audit of a given or recorded outcome; many elections at once with --summary'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand allocate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l dialect -d 'The SQL dialect' -r -f -a "duckdb\t''
postgres\t''
trino\t''
spark\t''
bigquery\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l table -d 'The table (or any FROM expression, e.g. read_parquet(\'x.parquet\')), used as written' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l label -d 'The label column (0/1, true/false, or with --positive). Required unless --no-label' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l pred -d 'The prediction column (0/1, true/false, or with --pred-positive / --positive)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l score -d 'A score column: the prediction is score >= --threshold' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l threshold -d 'The threshold on --score (a finite number)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l score-type -d 'The type of the --score column in the table: float32 (REAL / FLOAT) compares it with the threshold in 32-bit precision, as `audit-fairness` does on a float32 column (a float32 0.7 is >= 0.7); float64 (DOUBLE) compares in 64 bits' -r -f -a "float32\t''
float64\t''"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l na-values -d 'Values read as missing, comma-separated; replaces the default list (pandas\' read_csv spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is always missing. Applies to every column a command uses, in every format (and to the label and prediction in `fairaudit sql`). Example: --na-values \'NA,.,-999\'' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l positive -d 'The positive value of the label (and of the prediction, unless --pred-positive)' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l pred-positive -d 'The positive value of the prediction' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l weight -d 'A column of sample weights' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -s g -l group -d 'Sensitive attribute column (repeatable); the statistics are per combination of them' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -s o -l output -d 'Write the query to this file instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -l no-label -d 'No label column: statistics of the decisions only, for a label-free audit (`audit-fairness --from-stats RESULT --no-label`: selection rates, impact ratios, tests, shortfalls)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand sql" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -l config -d 'The configuration file [default: `fairaudit.toml`, else a `pyproject.toml` with a `[tool.fairaudit]` table, in the working folder or the nearest folder above it]. For `init`: the file to write (`-` prints it)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -s f -l format -d 'Report format [default: table, or from the -o file\'s extension: .json, .csv, .md, .html, .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG, nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub Actions: docs/ci.md' -r -f -a "table\t''
json\t''
csv\t''
markdown\t''
html\t'One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart next to the table of its numbers (inline CSS and SVG; nothing fetched)'
junit\t'JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input, one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the values; without gates one passing testcase `report`'
github\t'GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step summary; FAIRAUDIT_GITHUB=0 turns that off'"
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -s o -l output -d 'Write the report to this file (atomically) instead of standard output' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -l fail-if -d 'Fail (exit 1) when the expression holds, e.g. \'demographic_parity_difference > 0.1\', \'race:equalized_odds_ratio < 0.8\', \'race=Black:false_positive_rate > 0.3\'. Repeatable' -r
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -l plot -d 'Also write every chart of the report as a standalone SVG file in DIR (created if missing), with stable names listed under `plots` in the JSON report, e.g. `--plot figures/` (works with any --format)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -l list -d 'List the audits, their commands and the files their inputs match, and run nothing'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -l json -d 'Short for --format json'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -s q -l quiet -d 'No progress output on standard error'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand init" -l config -d 'The configuration file [default: `fairaudit.toml`, else a `pyproject.toml` with a `[tool.fairaudit]` table, in the working folder or the nearest folder above it]. For `init`: the file to write (`-` prints it)' -r -F
complete -c fairaudit -n "__fish_fairaudit_using_subcommand init" -l force -d 'Replace the configuration file when it exists'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand init" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand completions" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand man" -s h -l help -d 'Print help'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "audit-fairness" -d 'Group fairness of a binary classifier: confusion rates per group and per intersection of groups, parity differences and ratios, four-fifths rule, CI gates'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "audit-reward" -d 'Audit reward-model score files: preference accuracy (RewardBench / RM-Bench scoring), ties, length bias, calibration, per-group accuracy, bootstrap intervals clustered by prompt'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "audit-ranking" -d 'Group fairness of ranked lists (search results, shortlists): exposure by group, FairRankTune\'s EXP / AWRF / NDKL, rND / rKL / rRD, skew@k, the FA*IR test, top-k selection rates, diversity and inclusion of the top k; bootstrap over queries'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "audit-counterfactual" -d 'Counterfactual audits: rows that differ only in a sensitive term (decision flips, score differences and parity, answer changes and accuracy per variant value), or the distribution of an attribute of generated outputs per prompt against a target'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "allocate" -d 'Fair division: compute allocations of goods / chores / mixed items and check any allocation against EF, EF1, EFX, PROP, MMS, PO; contribution-based rewards (Shapley)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "sql" -d 'Print the SQL query whose result is the statistics table of an audit, for the engine that holds the predictions; finish with `audit-fairness --from-stats RESULT`'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "run" -d 'Run the audits of the project configuration (`fairaudit.toml`, or `[tool.fairaudit]` in `pyproject.toml`): every audit over every input its globs match, one summary row each'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "init" -d 'Write a commented starter `fairaudit.toml` from the columns of a file'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and not __fish_seen_subcommand_from audit-fairness audit-reward audit-ranking audit-counterfactual allocate sql run init completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and __fish_seen_subcommand_from allocate" -f -a "items" -d 'Compute an allocation of items with a fair-division rule, and audit it'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and __fish_seen_subcommand_from allocate" -f -a "check" -d 'Check an existing allocation of items against every fairness and efficiency property'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and __fish_seen_subcommand_from allocate" -f -a "shapley" -d 'Contribution-based rewards from coalition values: Shapley (exact or Monte Carlo), leave-one-out, the core, proportional shares, collaboration fairness'
complete -c fairaudit -n "__fish_fairaudit_using_subcommand help; and __fish_seen_subcommand_from allocate" -f -a "pb" -d 'Participatory budgeting: a pabulib `.pb` election\'s outcome under a rule (exact rationals, pabutools\' tie rule), or the audit of a given or recorded outcome; many elections at once with --summary'
