//! `fairaudit audit-fairness`: its flags and examples.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::values::*;
use super::{InputArgs, OutputArgs, SummaryArgs};
use crate::fairness::decisions::{Rank, Ties, TopSpec};
use crate::fairness::settings::{
    detected_names, Agg, BaselineSpec, MissingPolicy, PairedSpec, Preset, Settings, Task,
    LABEL_NAMES, PRED_NAMES, SCORE_NAMES,
};
use crate::fairness::{reference, sweep};
use crate::stats::Binning;

pub(super) const FAIRNESS_EXAMPLES: &str = "\
Examples:
  # Audit a predictions file by race (label and prediction columns are detected
  # by name)
  fairaudit audit-fairness fixtures/compas.csv --group race

  # Race, sex and their intersection, as JSON, failing CI when parity is
  # violated
  fairaudit audit-fairness preds.parquet --label y_true --pred y_pred \\
      --group race --group sex \\
      --json --fail-if 'demographic_parity_difference > 0.1' \\
      --fail-if 'race:equalized_odds_ratio < 0.8'

  # Predictions from a score column, string labels, sample weights
  fairaudit audit-fairness adult.csv --label income --positive '>50K' \\
      --score proba --threshold 0.3 \\
      --weight fnlwgt --group sex

  # Scores: ROC AUC, BPSN/BNSP, Brier, log loss, calibration (ECE) per group
  fairaudit audit-fairness preds.csv --label y --score proba --bins 15 \\
      --group race

  # aequitas-style comparison with a reference group, bootstrap intervals, a
  # gate on an interval end
  fairaudit audit-fairness fixtures/compas.csv --group race \\
      --reference Caucasian --bootstrap 1000 --seed 7 \\
      --fail-if 'demographic_parity_difference.upper > 0.3'

  # Parity within strata of a legitimate variable (Simpson's paradox)
  fairaudit audit-fairness admissions.csv --group sex --condition department

  # Regression (numeric label and prediction): MAE, RMSE, R², mean residual per
  # group
  fairaudit audit-fairness fixtures/compas_regression.csv --label y \\
      --pred y_pred --group race

  # Multiclass: one-vs-rest report per class
  fairaudit audit-fairness fixtures/compas_multiclass.csv --label risk \\
      --pred risk_pred --group race --classes Low,High

  # An R export (TRUE/FALSE, NA) and a CSV with a malformed row: skip and count
  # such rows
  fairaudit audit-fairness fixtures/reading/r_write_csv_na.csv --group g
  fairaudit audit-fairness fixtures/reading/ragged_unquoted_comma.csv \\
      --group race --skip-bad-rows

  # Other missing-value spellings (replaces pandas' list; an empty field is
  # always missing)
  fairaudit audit-fairness survey.csv --group region --na-values 'NA,-99,.'

  # Many files at once (in parallel): one row per file x attribute, partition
  # keys as columns
  fairaudit audit-fairness 'runs/**/*.parquet' --group race --summary \\
      --format csv

  # No outcome (a hiring screen): a label-free audit of the decisions, each
  # group against the most-selected one (impact ratio, z-test and Fisher's
  # exact p-values, shortfall), unknown categories left out (automatic without
  # a label column; --no-label ignores one)
  fairaudit audit-fairness fixtures/hiring.csv --pred selected --no-label \
      --group race --group sex --exclude-unknown \
      --fail-if 'impact_ratio < 0.8' \
      --fail-if 'race:shortfall_to_four_fifths > 0'

  # NYC Local Law 144 bias-audit tables (selection rates, or with --score the
  # scoring rate above the median; categories under 2% left out), and the
  # EEOC Uniform Guidelines' adverse impact analysis
  fairaudit audit-fairness fixtures/ll144_example.csv --group sex \
      --group race --preset ll144 --exclude-below 0.02
  fairaudit audit-fairness fixtures/hiring.csv --pred selected --group race \
      --preset eeoc -o eeoc.html

  # Decisions by rank, as a shortlist: the 5 highest scores are selected (ties
  # at the 5th score included); then the top 30% of each cohort, ties excluded
  fairaudit audit-fairness fixtures/topk_ties.csv --label hired --score score \\
      --group sex --top-k 5
  fairaudit audit-fairness fixtures/topk_ties.csv --label hired --score score \\
      --group sex --top-fraction 0.3 --within cohort --ties exclude

  # Group thresholds: the thresholds per race that keep the true positive
  # rates within 0.02 at the best accuracy (exact; also randomized, as in Hardt
  # et al. 2016), with the trade-off curve; then decide with chosen thresholds
  fairaudit audit-fairness fixtures/compas_scores.csv --label label_value \\
      --score proba --group race --suggest-thresholds equal-opportunity \\
      --tolerance 0.02
  fairaudit audit-fairness fixtures/thresholds_small.csv --label label \\
      --score score --group group \\
      --group-thresholds 'group=a:0.6,b:0.45,c:0.35'

  # Scores of a file too big to keep: rounded to 1e-6 and merged, AUC with its
  # error bound
  fairaudit audit-fairness huge.parquet --group race --score p \\
      --score-resolution 1e-6

  # Statistics of each shard, merged into one audit (docs/scale.md)
  fairaudit audit-fairness part-1.parquet --group race --emit-stats part-1.json
  fairaudit audit-fairness --from-stats part-*.json --bootstrap 1000

  # Choose the group table's columns (JSON and CSV always hold every metric)
  fairaudit audit-fairness fixtures/compas.csv --group race \\
      --metrics selection_rate,false_positive_rate,false_negative_rate

  # CI: a JUnit test report, one test case per gate (docs/ci.md); under GitHub
  # Actions failed gates are also annotated and the report joins the job summary
  fairaudit audit-fairness fixtures/compas.csv --group race \\
      --fail-if 'demographic_parity_difference > 0.1' -o results.xml

  # Against the model in production, on the same rows: flip rates, the change of
  # every metric and disparity (paired bootstrap intervals), McNemar's test per
  # group; a gate on a change; then production's predictions from another file
  # joined on the id, the flipped rows written to a CSV
  fairaudit audit-fairness fixtures/compare.csv --label label --pred pred \
      --baseline baseline_pred --group race --group sex --bootstrap 1000 \
      --fail-if 'delta.equalized_odds_difference > 0.02'
  fairaudit audit-fairness fixtures/compare.csv --label label --pred pred \
      --group race --baseline-file fixtures/compare_baseline.csv --id id \
      --max-unmatched 1% --export-flips flips.csv

  # Does the model dominate the human decisions it replaces (better on accuracy,
  # balanced accuracy, TPR and both gaps at once), and how sure is that? Then on
  # measures of your choice; Y/N decision columns name their positive value
  fairaudit audit-fairness fixtures/compare.csv --label label --pred pred \
      --group race --reference-decisions human_weak --fail-if 'dominates < 1'
  fairaudit audit-fairness fixtures/compare.csv --label label --pred pred \
      --group race --reference-decisions human_strong \
      --dominance-measures f1,equalized_odds_ratio
  fairaudit audit-fairness screen.csv --pred decision --pred-positive Y \
      --group race --baseline last_year --baseline-positive Y --max-unmatched 1%

  # Score distributions by group (mean, generalized rates, KS, Wasserstein,
  # quantiles) and empirical differential fairness, with gates on them
  fairaudit audit-fairness fixtures/compas_scores.csv --group race --score proba \\
      --distribution --edf --fail-if 'ks_statistic > 0.1' \\
      --fail-if 'empirical_differential_fairness > 1.0'

  # Pipe into jq
  fairaudit audit-fairness preds.csv --group race --json | \\
    jq '.attributes[] | {name, dpd: .disparities.demographic_parity_difference}'";

#[derive(Debug, Args, Clone)]
pub struct FairnessArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[arg(long, value_name = "COL", help = format!(
        "Column with the true labels. {}. Without one the audit is label-free: the decisions \
         (and scores) only — selection rates, impact ratios, significance tests, shortfalls.",
        detected_names(LABEL_NAMES)
    ))]
    pub label: Option<String>,

    /// Audit the decisions (and scores) only, even when the file has a label column: selection
    /// rates, impact ratios against the most-selected group, the four-fifths rule, z-test and
    /// Fisher's exact p-values, shortfalls. Metrics that need the outcome are absent. (Also
    /// automatic when no label column is found.)
    #[arg(long = "no-label", conflicts_with = "label")]
    pub no_label: bool,

    /// A legal audit format on top of the audit. `ll144`: the NYC Local Law 144 bias-audit
    /// tables (selection rates — or with --score, scoring rates: the share scoring above the
    /// whole sample's median — and impact ratios per category and intersection; unknown
    /// categories counted and left out); label-free. `eeoc`: the Uniform Guidelines' adverse
    /// impact analysis (four-fifths rule, z-test and Fisher's exact test, shortfall per group;
    /// unknown categories left out). Sources: docs/metrics.md.
    #[arg(long, value_enum, value_name = "NAME")]
    pub preset: Option<Preset>,

    /// Leave groups with fewer than this share of an attribute's rows out of every disparity
    /// and impact ratio (LL144 allows leaving out categories under 2% of the data:
    /// `--exclude-below 0.02`); they are still shown with their counts and rates, and named in
    /// a warning.
    #[arg(long = "exclude-below", value_name = "SHARE", value_parser = share)]
    pub exclude_below: Option<f64>,

    /// Leave unknown categories (a missing sensitive value: the `(missing)` group) out of every
    /// disparity and impact ratio, and count them. Implied by --preset.
    #[arg(long = "exclude-unknown")]
    pub exclude_unknown: bool,

    #[arg(long, value_name = "COL", conflicts_with = "threshold", help = format!(
        "Column with the binary predictions. {}; otherwise a score column ({}) is thresholded.",
        detected_names(PRED_NAMES),
        SCORE_NAMES.join(", ")
    ))]
    pub pred: Option<String>,

    /// Column with scores (probabilities for Brier score and log loss): gives ROC AUC, Brier
    /// score and log loss per group; predictions are `score >= --threshold` unless --pred is given.
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,

    /// Round scores to multiples of R and merge equal (score, group, label) rows, so memory
    /// grows with the distinct rounded scores instead of the rows. Applied automatically (R =
    /// 1e-6) once more than 20M scored rows are kept; the report then gives R and each ROC AUC's
    /// largest possible error (`roc_auc_max_error`).
    #[arg(long = "score-resolution", value_name = "R")]
    pub score_resolution: Option<f64>,

    /// What the label and prediction are. `auto`: binary when both are 0/1, true/false or have a
    /// --positive value; otherwise regression when either has non-integer numbers (or more than
    /// 20 distinct integers), else multiclass (one-vs-rest binary reports per class).
    #[arg(long, value_enum, default_value_t = Task::Auto)]
    pub task: Task,

    /// With a multiclass label: the classes to report, in this order (one-vs-rest each), e.g.
    /// `--classes low,medium,high`. Default: every class in the label or prediction. Implies
    /// --task multiclass.
    #[arg(long, value_name = "CLASS,...", value_delimiter = ',')]
    pub classes: Vec<String>,

    /// Threshold for --score: a row is predicted positive when score >= T. Default 0.5. Several
    /// (`0.3,0.5,0.7`) also report the binary metrics and disparities at each one (`thresholds`
    /// in JSON); the first gives the main report.
    #[arg(
        long,
        value_name = "T",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub threshold: Vec<f64>,

    /// Report the binary metrics and disparities at every threshold START, START+STEP, ... <= STOP
    /// (e.g. 0:1:0.05), from the --score column.
    #[arg(long = "threshold-sweep", value_name = "START:STOP:STEP")]
    pub threshold_sweep: Option<String>,

    /// Decisions by rank instead of a threshold: the N rows with the highest --score are
    /// selected (N counts rows, also with --weight; rows without a score cannot be ranked and
    /// are dropped). Ties at the N-th score: --ties. Several (`100,200,300`) also report the
    /// metrics at each N (a sweep over k, `thresholds` in JSON); the first gives the main report.
    #[arg(
        long = "top-k",
        value_name = "N",
        value_delimiter = ',',
        conflicts_with = "top_fraction",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub top_k: Vec<u64>,

    /// Decisions by rank: the ⌈P·n⌉ highest scores of the n rows with a score are selected
    /// (0 < P <= 1, e.g. 0.1 for the top 10%). Several give a sweep, as with --top-k.
    #[arg(
        long = "top-fraction",
        value_name = "P",
        value_delimiter = ',',
        value_parser = open_unit_closed
    )]
    pub top_fraction: Vec<f64>,

    /// With --top-k / --top-fraction: the rows scoring exactly the k-th highest score when rows
    /// at that score fall on both sides of rank k. `include` (default) selects them all (more
    /// than k rows), `exclude` none of them (fewer than k).
    #[arg(long, value_enum, value_name = "RULE")]
    pub ties: Option<Ties>,

    /// With --top-k / --top-fraction: rank the rows within each value of COL (a cohort, a
    /// date) on their own, k per value. --missing and --max-groups apply to COL as to the
    /// attributes.
    #[arg(long, value_name = "COL")]
    pub within: Option<String>,

    /// Compare with a baseline (e.g. the model in production): its prediction column (or, when
    /// the audit thresholds --score, its score column, thresholded alike) in the same file — or
    /// in --baseline-file, joined on --id. Adds per group and overall: flip rates, the change of
    /// every metric and disparity (audited − baseline; with --bootstrap, paired intervals: rows
    /// redrawn with both decisions), McNemar's exact test of who is right more often
    /// (Holm-corrected within each attribute). Gates: `delta.<metric>`, `flip_rate`, ...
    #[arg(long, value_name = "COL")]
    pub baseline: Option<String>,

    /// The baseline's decisions are in this file (any format), one row per --id; its column is
    /// --baseline, by default the column named like --pred (or --score). Ids in only one file,
    /// or repeated in either, are counted and left out of the comparison (--max-unmatched).
    #[arg(long = "baseline-file", value_name = "FILE")]
    pub baseline_file: Option<String>,

    /// The row id column: the join key of --baseline-file (in both files), and the id of each
    /// row --export-flips lists. Ids are compared as text.
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,

    /// How many audited rows may lack a baseline decision (a missing value; with --baseline-file
    /// an id not in that file, or repeated in either) — a count (`12`) or a share (`5%`); they
    /// are left out of the comparison. More is an error. Default 0.
    #[arg(long = "max-unmatched", value_name = "N|P%", value_parser = unmatched)]
    pub max_unmatched: Option<crate::fairness::settings::Unmatched>,

    /// The positive value of the --baseline and --reference-decisions columns when they are
    /// not 0/1 or true/false (e.g. `Y`). Default: --pred-positive, else --positive.
    #[arg(long = "baseline-positive", value_name = "VALUE")]
    pub baseline_positive: Option<String>,

    /// Write the rows whose decision differs from the baseline's to FILE (CSV: row, id, the
    /// group columns, label, audited, baseline, flip direction).
    #[arg(long = "export-flips", value_name = "FILE")]
    pub export_flips: Option<PathBuf>,

    /// Compare with a reference decision-maker's decisions on the same rows (e.g. the human
    /// decisions a model replaces): on each measure of --dominance-measures, which is better;
    /// whether the audited decisions dominate (at least as good on all, better on one); and the
    /// bootstrap probability that they do (--bootstrap replicates, default 1000).
    #[arg(long = "reference-decisions", value_name = "COL")]
    pub reference_decisions: Option<String>,

    /// The measures of --reference-decisions: overall rates (accuracy, balanced_accuracy,
    /// true_positive_rate, f1, false_positive_rate, ...) and disparities (each attribute's;
    /// names ending in _difference or _ratio). Default: accuracy, balanced_accuracy,
    /// true_positive_rate, demographic_parity_difference, equalized_odds_difference.
    #[arg(
        long = "dominance-measures",
        value_name = "NAME,...",
        value_delimiter = ','
    )]
    pub dominance_measures: Vec<String>,

    /// Column with non-negative sample weights; every count is weighted.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,

    /// Sensitive attribute column (repeatable). Several give each attribute on its own and their
    /// intersection, named `a&b`.
    #[arg(long = "group", short = 'g', value_name = "COL")]
    pub groups: Vec<String>,

    /// Also write the input's sufficient statistics (per cell of the attributes: rows and
    /// weights of tn / fp / fn / tp, rows read and dropped; with --score a score histogram on a
    /// 1e-4 grid, or --score-resolution's) to FILE as JSON, to merge later with --from-stats.
    /// One input.
    #[arg(long = "emit-stats", value_name = "FILE")]
    pub emit_stats: Option<PathBuf>,

    #[command(flatten)]
    pub summary: SummaryArgs,

    /// The inputs are statistics — files from --emit-stats, or tables of counts such as the
    /// result of `fairaudit sql`'s query — added up cell by cell and audited as if every row had
    /// been read (count metrics exactly; score metrics from the histograms, with their bound).
    #[arg(long = "from-stats")]
    pub from_stats: bool,

    /// The positive class of the label and prediction columns when they are not 0/1 or
    /// true/false, e.g. `>50K` or `yes`. Every other value is negative.
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,

    /// The positive class of the prediction column, when it differs from --positive.
    #[arg(long = "pred-positive", value_name = "VALUE")]
    pub pred_positive: Option<String>,

    /// What to do with rows whose sensitive attribute is missing: form a group `(missing)`,
    /// drop the row, or stop with an error.
    #[arg(long, value_enum, default_value_t = MissingPolicy::Group)]
    pub missing: MissingPolicy,

    /// Stop with an error instead of dropping rows whose label or prediction is missing.
    #[arg(long)]
    pub strict: bool,

    /// Groups with fewer rows than N are flagged and left out of every disparity.
    #[arg(long = "min-group-size", value_name = "N", default_value_t = 0)]
    pub min_group_size: u64,

    /// Columns of the per-group table (table and Markdown output; JSON and CSV always hold every
    /// metric), by the names the JSON uses, comma-separated, e.g. `--metrics
    /// selection_rate,false_positive_rate,roc_auc`. Default: share, base_rate, selection_rate,
    /// true_positive_rate, false_positive_rate, positive_predictive_value, accuracy,
    /// disparate_impact_ratio (with --score also roc_auc, expected_calibration_error; a
    /// regression: every regression metric). Also: true_negative_rate, false_negative_rate,
    /// negative_predictive_value, false_discovery_rate, false_omission_rate, balanced_accuracy,
    /// f1, predicted_positive_share, bpsn_auc, bnsp_auc, brier_score, log_loss,
    /// mean_absolute_error, root_mean_squared_error, mean_squared_error, r2, mean_label,
    /// mean_prediction, mean_residual; with --distribution mean_score,
    /// generalized_true_positive_rate, generalized_false_positive_rate, ks_statistic,
    /// wasserstein_distance; or the table's short headers (`tpr`, `sel`, `di`).
    /// Tables fit the terminal (at most 100 columns): when the
    /// columns do not fit, the table shows one row per metric.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub metrics: Vec<String>,

    /// Stop with an error when a sensitive attribute has more than N distinct values.
    #[arg(long = "max-groups", value_name = "N", default_value_t = 1000)]
    pub max_groups: usize,

    /// A per-row quality column (e.g. per-image Dice or IoU), repeatable: its weighted mean per
    /// group (`mean_<COL>`), disparities, and equity-scaled value.
    #[arg(long = "row-metric", value_name = "COL")]
    pub row_metric: Vec<String>,

    /// A legitimate or effort variable: selection-rate disparities within each of its values
    /// (strata) and their size-weighted aggregate (conditional demographic parity).
    #[arg(long, value_name = "COL")]
    pub condition: Option<String>,

    /// Bin a numeric --condition into N equal-width bins over its range.
    #[arg(long = "condition-bins", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub condition_bins: Option<u16>,

    /// Compare every group with a reference group (aequitas style): a group name (`Caucasian`),
    /// ATTRIBUTE=GROUP (repeatable, one per attribute), `largest` (most rows) or `min-metric`
    /// (per metric, the group with the lowest value).
    #[arg(long, value_name = "GROUP")]
    pub reference: Vec<String>,

    /// Parity band of the reference view: a ratio r is fair when BAND <= r <= 1/BAND.
    #[arg(long = "parity-band", value_name = "BAND", default_value_t = 0.8, value_parser = open_unit_closed)]
    pub parity_band: f64,

    /// Confidence level of the intervals (Wilson score intervals of every per-group rate that is a
    /// proportion), e.g. 0.9 or 0.99.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95, value_parser = open_unit)]
    pub ci: f64,

    /// Number of calibration bins for the expected calibration error (with --score).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=10000))]
    pub bins: u16,

    /// How calibration bins are made: equal-width intervals of [0, 1], or equal numbers of rows
    /// (rows with one score stay in one bin).
    #[arg(long, value_enum, default_value_t = Binning::EqualWidth)]
    pub binning: Binning,

    /// Percentile bootstrap intervals (at --ci) for every metric and disparity from N replicates,
    /// resampling rows within each group: counts by a multinomial draw (no pass over rows), score
    /// metrics and --row-metric means by redrawing their rows (binary and multiclass audits).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = replicates)]
    pub bootstrap: usize,

    /// Seed of the bootstrap: the same seed gives the same intervals whatever the thread count.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// α of the generalized entropy index of the benefit ŷ − y + 1 (1 is the Theil index).
    #[arg(
        long,
        value_name = "ALPHA",
        default_value_t = 2.0,
        allow_negative_numbers = true,
        value_parser = finite
    )]
    pub alpha: f64,

    /// How equalized odds combines its TPR and FPR parts (fairlearn's `agg`).
    #[arg(long, value_enum, default_value_t = Agg::Worst)]
    pub agg: Agg,

    /// Score-distribution metrics (with --score): per group the weighted mean_score, the
    /// generalized true / false positive rates (mean score of the positives / negatives; with a
    /// label), ks_statistic and wasserstein_distance against the rest of the attribute's rows,
    /// quantiles (--quantiles); per attribute the largest KS and W1 over pairs of groups (every
    /// pair in the JSON) and the largest difference at each quantile. With --task regression
    /// the same for the predictions. Also turned on by --quantiles or a --fail-if / --metrics
    /// naming one of these metrics.
    #[arg(long)]
    pub distribution: bool,

    /// The quantiles of --distribution, each in [0, 1] (default 0.1,0.25,0.5,0.75,0.9): per
    /// group `quantile_p10`, ... (numpy's linear method; the weighted inverse CDF with --weight).
    /// Implies --distribution.
    #[arg(long, value_name = "Q,...", value_delimiter = ',')]
    pub quantiles: Vec<f64>,

    /// Smoothed empirical differential fairness of the decisions (Foulds et al. 2020) per
    /// attribute and intersection: `empirical_differential_fairness` (ε), the pair of groups and
    /// the outcome that attain it, each group's smoothed selection probability. Needs no label
    /// or score. Also turned on by --edf-concentration or a --fail-if naming it.
    #[arg(long)]
    pub edf: bool,

    /// Dirichlet concentration of --edf's smoothing (α = C / 2 per outcome). Default 1.0.
    /// Implies --edf.
    #[arg(long = "edf-concentration", value_name = "C", value_parser = finite)]
    pub edf_concentration: Option<f64>,

    #[command(flatten)]
    pub thresholds: super::thresholds::ThresholdArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl FairnessArgs {
    /// The settings of the audit: every flag-combination check of `audit-fairness` is here.
    /// Errors name the flags and what to do (exit 2).
    pub fn settings(&self) -> Result<Settings> {
        let gates = crate::gate::parse_all(&self.output.fail_if)?;
        let reference = reference::parse(&self.reference)?;
        let sweep = sweep::thresholds(&self.threshold, self.threshold_sweep.as_deref())?;
        if !sweep.is_empty() && self.score.is_none() {
            bail!("several thresholds or --threshold-sweep need --score COL");
        }
        if let Some(r) = self.score_resolution {
            if !(r > 0.0 && r.is_finite()) {
                bail!("--score-resolution must be a positive number, e.g. 1e-6; got {r}");
            }
            if self.score.is_none() {
                bail!("--score-resolution rounds the scores of --score COL; there is no --score");
            }
        }
        let mut task = self.task;
        if !self.classes.is_empty() {
            if matches!(task, Task::Binary | Task::Regression) {
                bail!(
                    "--classes needs a multiclass label; it conflicts with --task {}",
                    task.name()
                );
            }
            task = Task::Multiclass;
        }
        if self.emit_stats.is_some() && self.from_stats {
            bail!("--emit-stats writes the statistics of one input (run it once per file, then merge with --from-stats)");
        }
        let top = self.top()?;
        if self.from_stats {
            for (given, flag) in [
                (self.score.is_some(), "--score"),
                (!self.row_metric.is_empty(), "--row-metric"),
                (self.condition.is_some(), "--condition"),
                (!sweep.is_empty(), "--threshold-sweep / several --threshold"),
            ] {
                if given {
                    bail!("{flag} needs the rows; --from-stats has only the counts");
                }
            }
        }
        if let Some(preset) = self.preset {
            let p = preset.name();
            for (given, flag) in [
                (self.weight.is_some(), "--weight (the rules count people)"),
                (self.emit_stats.is_some(), "--emit-stats"),
                (
                    self.summary.summary,
                    "--summary (one row per file cannot hold the rule's tables; run each file, or drop --preset for a summary)",
                ),
                (
                    self.missing != MissingPolicy::Group,
                    "--missing drop / error (the rule counts the unknown category: keep --missing group)",
                ),
                (task == Task::Regression, "--task regression"),
                (task == Task::Multiclass, "--task multiclass / --classes"),
            ] {
                if given {
                    bail!("--preset {p} does not take {flag}");
                }
            }
            if preset == Preset::Ll144 {
                if self.label.is_some() {
                    bail!("--preset ll144 is label-free (a bias audit under Local Law 144 uses no outcome); drop --label");
                }
                if !self.top_k.is_empty() || !self.top_fraction.is_empty() {
                    bail!("--preset ll144 decides by the rule's scoring rate (a score above the whole sample's median), not by rank; drop --top-k / --top-fraction (or use --preset eeoc)");
                }
                if !self.threshold.is_empty() || self.threshold_sweep.is_some() {
                    bail!("--preset ll144 with --score uses the rule's scoring rate (a score above the whole sample's median); drop --threshold / --threshold-sweep");
                }
                if self.groups.len() > 2 {
                    bail!("--preset ll144: the rule's tables are for sex, race / ethnicity and their intersection; give at most two --group columns (got {}); audit other attributes in another run", self.groups.len());
                }
            }
        }
        let (distribution, edf) = self.distribution_settings(&gates)?;
        let paired = self.paired(task)?;
        let (group_thresholds, suggest) = self.group_threshold_settings(task, &sweep)?;
        Ok(Settings {
            paired,
            group_thresholds,
            suggest,
            distribution,
            edf,
            files: self.input.files.clone(),
            read: self.input.read.options(),
            label: self.label.clone(),
            no_label: self.no_label || self.preset == Some(Preset::Ll144),
            preset: self.preset,
            exclude_below: self.exclude_below,
            exclude_unknown: self.exclude_unknown || self.preset.is_some(),
            pred: self.pred.clone(),
            score: self.score.clone(),
            score_resolution: self.score_resolution,
            task,
            classes: self.classes.clone(),
            threshold: self.threshold.clone(),
            sweep,
            weight: self.weight.clone(),
            groups: self.groups.clone(),
            emit_stats: self.emit_stats.clone(),
            summary: self.summary.summary,
            from_stats: self.from_stats,
            positive: self.positive.clone(),
            pred_positive: self.pred_positive.clone(),
            missing: self.missing,
            strict: self.strict,
            min_group_size: self.min_group_size,
            table_metrics: super::table_metrics(
                &self.metrics,
                &crate::fairness::report::TABLE_METRICS
                    .iter()
                    .map(|(n, _, _)| *n)
                    .collect::<Vec<_>>(),
                &crate::fairness::report::TABLE_METRICS
                    .iter()
                    .map(|(n, s, _)| (*n, *s))
                    // LL144's and the EEOC's name, as --fail-if takes it.
                    .chain([("disparate_impact_ratio", "impact_ratio")])
                    .collect::<Vec<_>>(),
            )?,
            max_groups: self.max_groups,
            row_metric: self.row_metric.clone(),
            condition: self.condition.clone(),
            condition_bins: self.condition_bins,
            reference,
            parity_band: self.parity_band,
            ci: self.ci,
            bins: self.bins,
            binning: self.binning,
            bootstrap: self.bootstrap,
            seed: self.seed,
            alpha: self.alpha,
            agg: self.agg,
            gates,
            output: self.output.settings(),
            top,
        })
    }

    /// `--baseline`, `--baseline-file`, `--id`, `--export-flips`, `--reference-decisions`,
    /// checked.
    fn paired(&self, task: Task) -> Result<PairedSpec> {
        let baseline = self.baseline.is_some() || self.baseline_file.is_some();
        let any = baseline || self.reference_decisions.is_some();
        if self.baseline_file.is_some() && self.id.is_none() {
            bail!("--baseline-file is joined on the row id: pass --id COL (the id column, in both files)");
        }
        if self.id.is_some() && !baseline {
            bail!("--id is the join key of --baseline-file and the id --export-flips lists; it needs --baseline");
        }
        if self.export_flips.as_deref() == Some(std::path::Path::new("-")) {
            bail!("--export-flips writes a CSV file; give a file name (the report has standard output)");
        }
        if self.export_flips.is_some() && !baseline {
            bail!("--export-flips lists the rows whose decision differs from the baseline's; pass --baseline COL");
        }
        if self.max_unmatched.is_some() && !baseline {
            bail!("--max-unmatched is how many rows may lack a baseline decision; it needs --baseline");
        }
        if self.baseline_positive.is_some() && !any {
            bail!("--baseline-positive names the positive value of --baseline / --reference-decisions; pass one of them");
        }
        if !self.dominance_measures.is_empty() && self.reference_decisions.is_none() {
            bail!("--dominance-measures chooses the measures of --reference-decisions; pass --reference-decisions COL");
        }
        crate::fairness::dominance::check_measures(&self.dominance_measures)?;
        if any {
            let what = if baseline {
                "--baseline"
            } else {
                "--reference-decisions"
            };
            for (given, flag) in [
                (
                    self.from_stats,
                    "--from-stats (the comparison needs both decisions of each row)",
                ),
                (self.emit_stats.is_some(), "--emit-stats"),
                (
                    !self.top_k.is_empty() || !self.top_fraction.is_empty(),
                    "--top-k / --top-fraction",
                ),
                (task == Task::Regression, "--task regression"),
                (task == Task::Multiclass, "--task multiclass / --classes"),
                (self.preset.is_some(), "--preset"),
                (
                    self.summary.summary,
                    "--summary (one row per file cannot hold the comparison)",
                ),
                (
                    self.thresholds.group_thresholds.is_some()
                        || self.thresholds.suggest_thresholds.is_some(),
                    "--group-thresholds / --suggest-thresholds (audit the thresholded decisions on their own, then compare their file)",
                ),
            ] {
                if given {
                    bail!("{what} does not work with {flag}");
                }
            }
        }
        Ok(PairedSpec {
            baseline: baseline.then(|| BaselineSpec {
                column: self.baseline.clone(),
                file: self.baseline_file.clone(),
                id: self.id.clone(),
                max_unmatched: self
                    .max_unmatched
                    .unwrap_or(crate::fairness::settings::Unmatched::Rows(0)),
            }),
            positive: self.baseline_positive.clone(),
            reference_decisions: self.reference_decisions.clone(),
            dominance_measures: self.dominance_measures.clone(),
            export_flips: self.export_flips.clone(),
        })
    }

    /// `--distribution` / `--quantiles` and `--edf` / `--edf-concentration`, checked; a gate or
    /// `--metrics` naming one of their metrics turns them on.
    fn distribution_settings(
        &self,
        gates: &[crate::gate::Gate],
    ) -> Result<(Option<Vec<f64>>, Option<f64>)> {
        use crate::fairness::distribution::{is_distribution_metric, DEFAULT_QUANTILES};
        let named = |f: &dyn Fn(&str) -> bool| {
            gates.iter().any(|g| f(gate_base(&g.name))) || self.metrics.iter().any(|m| f(m.trim()))
        };
        for q in &self.quantiles {
            if !(0.0..=1.0).contains(q) {
                bail!("--quantiles: {q} is not in [0, 1]; give quantiles such as 0.1,0.5,0.9");
            }
        }
        let distribution =
            (self.distribution || !self.quantiles.is_empty() || named(&is_distribution_metric))
                .then(|| {
                    if self.quantiles.is_empty() {
                        DEFAULT_QUANTILES.to_vec()
                    } else {
                        let mut q = self.quantiles.clone();
                        q.dedup();
                        q
                    }
                });
        if distribution.is_some()
            && self.score.is_none()
            && !self.from_stats
            && self.task != Task::Regression
        {
            bail!("--distribution (or --quantiles, or a gate on a score-distribution metric) compares the groups' scores: give --score COL (or --task regression to compare a regression's predictions)");
        }
        if let Some(c) = self.edf_concentration {
            if c <= 0.0 {
                bail!("--edf-concentration must be a positive number (the Dirichlet smoothing), e.g. 1.0; got {c}");
            }
        }
        let edf = (self.edf
            || self.edf_concentration.is_some()
            || named(&|n| n == "empirical_differential_fairness"))
        .then(|| {
            self.edf_concentration
                .unwrap_or(crate::fairness::edf::DEFAULT_CONCENTRATION)
        });
        Ok((distribution, edf))
    }
}

impl FairnessArgs {
    /// `--group-thresholds` / `--suggest-thresholds` (cli/thresholds.rs), checked against the
    /// flags they cannot go with.
    fn group_threshold_settings(
        &self,
        task: Task,
        sweep: &[f64],
    ) -> Result<(
        Option<crate::fairness::thresholds::GroupThresholds>,
        Option<crate::fairness::thresholds::SuggestSpec>,
    )> {
        let (gt, suggest) = self.thresholds.settings(&self.groups)?;
        let flag = match (&gt, &suggest) {
            (Some(_), _) => "--group-thresholds",
            (_, Some(_)) => "--suggest-thresholds",
            _ => return Ok((gt, suggest)),
        };
        if self.score.is_none() {
            bail!("{flag} thresholds a score: pass --score COL");
        }
        let conflicts = [
            (self.pred.is_some(), "--pred (the decisions come from --score and the group thresholds, not a prediction column)"),
            (sweep.len() > 1 || self.threshold_sweep.is_some(), "--threshold-sweep / several --threshold (one threshold per group, not a sweep)"),
            (!self.top_k.is_empty() || !self.top_fraction.is_empty(), "--top-k / --top-fraction (decisions by rank, not by threshold)"),
            (self.from_stats, "--from-stats (it needs every row's score)"),
            (self.emit_stats.is_some(), "--emit-stats (the statistics of a threshold per group do not merge as the counts of one threshold)"),
            (self.preset.is_some(), "--preset (the rules decide by their own scoring rate)"),
            (!self.classes.is_empty() || matches!(task, Task::Regression | Task::Multiclass), "--task regression / multiclass (group thresholds make binary decisions)"),
        ];
        for (given, what) in conflicts {
            if given {
                bail!("{flag} cannot go with {what}");
            }
        }
        if gt.is_some() && self.threshold.len() == 1 {
            bail!("{flag} cannot go with --threshold (each group's threshold replaces it)");
        }
        if suggest.is_some() {
            for (given, what) in [
                (
                    self.no_label,
                    "--no-label (the objective and the constraints need the outcome)",
                ),
                (
                    self.summary.summary,
                    "--summary (one row per file cannot hold the suggestion; run each file)",
                ),
            ] {
                if given {
                    bail!("{flag} cannot go with {what}");
                }
            }
        }
        Ok((gt, suggest))
    }
}

/// A gate's metric name without an interval end (`.lower` / `.upper`) or a short alias's change.
fn gate_base(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

impl FairnessArgs {
    /// `--top-k` / `--top-fraction` with `--ties` and `--within`, checked against the flags
    /// they cannot go with.
    fn top(&self) -> Result<Option<TopSpec>> {
        let ranks: Vec<Rank> = if !self.top_k.is_empty() {
            self.top_k.iter().map(|&k| Rank::Count(k)).collect()
        } else {
            self.top_fraction
                .iter()
                .map(|&p| Rank::Fraction(p))
                .collect()
        };
        if ranks.is_empty() {
            if self.ties.is_some() || self.within.is_some() {
                bail!(
                    "--ties and --within go with --top-k N or --top-fraction P (decisions by rank)"
                );
            }
            return Ok(None);
        }
        let flag = if self.top_k.is_empty() {
            "--top-fraction"
        } else {
            "--top-k"
        };
        if self.score.is_none() {
            bail!("{flag} ranks the rows by a score: pass --score COL");
        }
        let conflicts = [
            (self.pred.is_some(), "--pred (the decisions come from the ranking, not a prediction column)"),
            (!self.threshold.is_empty(), "--threshold (decisions by rank, not by a threshold; several --top-k values give a sweep over k)"),
            (self.threshold_sweep.is_some(), "--threshold-sweep (several --top-k or --top-fraction values give a sweep over k)"),
            (self.score_resolution.is_some(), "--score-resolution (rounded scores make ties that are not in the data)"),
            (self.emit_stats.is_some(), "--emit-stats (a cut-off depends on every row's score, so the counts of shards do not add up to the counts of the whole; audit the whole data)"),
            (self.from_stats, "--from-stats (ranking needs the rows)"),
            (self.bootstrap > 0, "--bootstrap (an honest bootstrap re-ranks every replicate, which is not implemented; drop --bootstrap: the Wilson intervals remain)"),
            (!self.classes.is_empty() || matches!(self.task, Task::Regression | Task::Multiclass), "--task regression / multiclass (decisions by rank are binary)"),
        ];
        for (given, what) in conflicts {
            if given {
                bail!("{flag} cannot go with {what}");
            }
        }
        Ok(Some(TopSpec {
            ranks,
            ties: self.ties.unwrap_or(Ties::Include),
            within: self.within.clone(),
        }))
    }
}
