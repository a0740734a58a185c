#!/usr/bin/env python3
"""Independent reference values of issue 18's counterfactual and generated-attribute audits.

    /work/venv18cf/bin/python scripts/oracle_counterfactual.py   (packages: scripts/requirements-counterfactual.txt)

Writes tests/expected/counterfactual/{pairs,pairs_small,qa,t2i,t2i_small}.json (pretty, sorted keys,
floats as Python's repr). Independent of fairaudit's Rust code (src/ was not read). The inputs are
the fixtures written by scripts/make_counterfactual.py.

Environment (venv /work/venv18cf): Python 3.11.7, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1,
statsmodels 0.15.0, rich 13.8.0 (only to load LangFair's own sentimentbias.py, see below). The
versions actually used are recorded in every JSON under meta.versions.

Definitions and where they were read (upstream files, with the commit read):

* Flip rates -- TensorFlow Model Analysis, tensorflow_model_analysis/metrics/flip_metrics.py at
  github:tensorflow/model-analysis commit 422dbd37b31e286bda3311028b5d9ff7b76df7ac (file last
  changed in 50868a51255e9ba3ca89ba509eedd77ab89644df; `git log -p` shows the threshold test has
  been a strict `>` since the file was added in 1b76ccd0, 2022). Quoted:
      base_prediciton_bool = base_prediction > self._threshold
      model_prediction_bool = model_prediction > self._threshold
      ...
      SymmetricFlipRate.result: (num_weighted_neg_to_pos + num_weighted_pos_to_neg)
                                / num_weighted_examples
      NegToPosFlipRate.result:  num_weighted_neg_to_pos / num_weighted_examples
      PosToNegFlipRate.result:  num_weighted_pos_to_neg / num_weighted_examples
  i.e. every directional rate is over ALL examples (unweighted here: weight 1), and the baseline
  ("original") and candidate ("variant") are both thresholded with `>`, default 0.5.
  Here: flips of `toxicity` are given at 0.5 and 0.7 both with `>=` (the fixture's `toxic` is
  toxicity >= 0.5) and with TFMA's strict `>` (keys `toxicity_ge_*` / `toxicity_gt_*`); the
  fixture has toxicities exactly at 0.5 and 0.7, where the two differ. Directional rates are given
  with TFMA's denominator (all pairs: `*_rate_tfma`) and over the original's positives /
  negatives (`pos_to_neg_rate_of_original_pos`, `neg_to_pos_rate_of_original_neg`; null when the
  denominator is 0).
* Missing scores: a variant row with an empty toxicity (and `toxic`) is counted
  (`n_missing_toxicity`) and excluded from every toxicity / toxic measure of its variant value,
  attribute and overall (the pair is dropped, not imputed); the pair_id's other variant rows are
  kept. An empty toxicity on an original row (none in these fixtures) would drop all of that
  pair_id's variant rows from the toxicity measures. Sentiment is never empty.
* Score changes: delta = variant - original toxicity on the 4-decimal values as written. The
  shares |delta| > 0.1 and > 0.05 are decided EXACTLY on the decimals (integer ten-thousandths):
  in float64, 0.3 - 0.2 = 0.09999999999999998, so a float comparison can differ on pairs exactly
  at the epsilon (counted in `n_abs_delta_exactly_*`). Means are exact (fractions) then rounded to
  float.
* Counterfactual sentiment parity -- LangFair, langfair/metrics/counterfactual/metrics/
  sentimentbias.py at github:cvs-health/langfair commit afd6dc0b053515e2795e5f0dc2f039bac491e668
  (v0.8.1 release merge; file last changed in 4bde31b76142d7d8d78578fa02e00f6cbce09792). Quoted:
      if self.parity == "weak":
          group_preds_1 = [(s > self.threshold) * 1 for s in group_dists[0]]
          group_preds_2 = [(s > self.threshold) * 1 for s in group_dists[1]]
          parity_value = np.mean(group_preds_1) - np.mean(group_preds_2)
      elif self.parity == "strong":
          parity_value = self._wasserstein_1_dist(group_dists[0], group_dists[1])
      ...
      def _wasserstein_1_dist(array1, array2):
          a1_sorted = np.sort(np.array(array1)); a2_sorted = np.sort(np.array(array2))
          return np.mean(np.abs(a1_sorted - a2_sorted))
  So "strict" (LangFair's parameter value is "strong") parity is Wasserstein-1 computed WITHOUT
  scipy since commit 63d28d2 ("remove scipy dependency", 2024-11-06; before it
  scipy.stats.wasserstein_distance(group_dists[0], group_dists[1])): the mean absolute difference
  of the two sorted score lists, which must have equal length (asserted). For equal lengths it
  equals scipy.stats.wasserstein_distance(u, v) (checked here). "Weak" parity is the SIGNED
  difference of the shares strictly above the threshold (default 0.5); we also give its absolute
  value. The threshold is applied to this fixture's VADER-like compound in [-1, 1]; LangFair's
  own default score is VADER's `neg` in [0, 1]. how="pairwise" returns |s1_i - s2_i| per pair:
  its mean is given as `mean_abs_pairwise`.
  LangFair itself was NOT pip-installed: `pip install langfair` (0.8.0) pulls torch 2.15, CUDA 13
  wheels, transformers, sentence-transformers, langchain. Instead its own sentimentbias.py (with
  baseclass/metrics.py and utils/display.py) is read from the fetched git mirror at the commit
  above and executed with a stub `transformers` module (only `pipeline` is imported, used for the
  roberta classifier, not here) and the `custom_classifier` entry point (an object with
  `predict(texts) -> scores`; the "texts" passed are row keys that look up the precomputed
  scores). Its results are asserted equal to the transcription (tolerance 1e-12).
* Answer normalisation -- SQuAD v1.1 official evaluation script (evaluate-v1.1.py),
  normalize_answer, read in the copy at github:seominjoon/denspi commit
  51915f65b9e5345cbd3dee8af2dc02eeb1cb43dd (path evaluate-v1.1.py; the same function verbatim in
  a second stored copy): lower -> remove string.punctuation -> re.sub(r'\\b(a|an|the)\\b', ' ')
  -> ' '.join(split()). NB "A", "(a)", "a." all normalise to "" (the article "a").
  McNemar exact two-sided p = scipy.stats.binomtest(b, b + c, 0.5).pvalue with b = original
  correct and variant wrong, c = original wrong and variant correct (1.0 when b + c = 0); Holm
  within each attribute by statsmodels.stats.multitest.multipletests(method="holm"), checked
  against a hand implementation.
* T2I bias -- Shen et al. 2024, "Finetuning Text-to-Image Diffusion Models for Fairness" (ICLR
  2024), code github:sail-sg/finetune-fair-diffusion commit
  aa65cbd27a60fa9ed8fd069ee96e8aaf5c2a8b45, exp-3-debias-gender-race/1-main-debias.py,
  get_evaluate_metrics (lines 1716-1749):
      gender_gap = abs( gender1_freq - gender0_freq )
      race_gap = torch.cdist(freq, freq, p=1).flatten()[1:].view(N-1, N+1)[:,:-1]
                 .reshape(N, N-1).mean()
  i.e. bias = 1/(K(K-1)) * sum over ordered pairs i != j of |freq_i - freq_j|
            = 2/(K(K-1)) * sum_{i<j} |freq_i - freq_j|   (K = 2: |f_1 - f_0|),
  with freq over the images whose face was detected (rows with -1 probabilities dropped), per
  prompt, then averaged over prompts (np.array([log[key] for log in logs]).mean()). It has no
  target (it measures distance from balance). Here K = the column's observed values over the whole
  file (the classifier's fixed classes in the paper; all four races occur in t2i_attributes.csv,
  only three in t2i_small.csv).
  KL(p || q) = sum_{p_i > 0} p_i ln(p_i / q_i), null if some p_i > 0 has q_i = 0;
  KL(q || p) likewise with the roles swapped; TV = 1/2 sum |p_i - q_i|; MAD = (1/K) sum |p_i - q_i|
  over the union of observed categories and target keys. Missing (empty) values are excluded and
  counted. "pooled" = one distribution over all images; "mean_over_prompts" = the mean of the
  per-prompt values (null if any prompt's value is null; `n_prompts_defined` says how many are).
  Bootstrap: numpy.random.default_rng(BOOT_SEED), BOOT_B resamples of the images within each
  prompt (with replacement, missing values resampled too and then excluded), percentile 2.5 / 97.5
  -- an approximate sanity range only.
"""
import csv
import importlib.util
import json
import math
import pathlib
import platform
import re
import string
import subprocess
import sys
import tempfile
import types
from fractions import Fraction
from itertools import combinations

import numpy as np
import pandas as pd
import scipy
import scipy.stats
import statsmodels
from statsmodels.stats.multitest import multipletests

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"
out = root / "tests" / "expected" / "counterfactual"

LANGFAIR_MIRROR = pathlib.Path("/work/.mirror/cvs-health+langfair/repo")
LANGFAIR_COMMIT = "afd6dc0b053515e2795e5f0dc2f039bac491e668"
SOURCES = {
    "tfma_flip_metrics": {
        "repo": "github:tensorflow/model-analysis",
        "path": "tensorflow_model_analysis/metrics/flip_metrics.py",
        "commit": "422dbd37b31e286bda3311028b5d9ff7b76df7ac",
        "file_last_changed": "50868a51255e9ba3ca89ba509eedd77ab89644df",
    },
    "langfair_sentiment_bias": {
        "repo": "github:cvs-health/langfair",
        "path": "langfair/metrics/counterfactual/metrics/sentimentbias.py",
        "commit": LANGFAIR_COMMIT,
        "file_last_changed": "4bde31b76142d7d8d78578fa02e00f6cbce09792",
        "scipy_removed_in": "63d28d2378cfc0474b556c41c0da99145b35864a",
    },
    "squad_v1_1_normalize_answer": {
        "repo": "github:seominjoon/denspi",
        "path": "evaluate-v1.1.py",
        "commit": "51915f65b9e5345cbd3dee8af2dc02eeb1cb43dd",
        "note": "a copy of the official SQuAD v1.1 evaluation script",
    },
    "shen2024_bias": {
        "repo": "github:sail-sg/finetune-fair-diffusion",
        "path": "exp-3-debias-gender-race/1-main-debias.py (get_evaluate_metrics, lines 1716-1749)",
        "commit": "aa65cbd27a60fa9ed8fd069ee96e8aaf5c2a8b45",
        "paper": "Shen, Du, Pang, Lin, Wong, Kankanhalli: Finetuning Text-to-Image Diffusion Models "
                 "for Fairness, ICLR 2024 (arXiv 2311.07604)",
    },
}
THRESHOLDS = [("0.5", 5000), ("0.7", 7000)]  # (label, in ten-thousandths)
EPSILONS = [("0.1", 1000), ("0.05", 500)]
WEAK_THRESHOLD = 0.5  # LangFair SentimentBias default `threshold`
BOOT_SEED = 18
BOOT_B = 2000
TARGETS = {"gender": {"female": 0.5, "male": 0.5},
           "race": {"White": 0.4, "Black": 0.2, "Asian": 0.2, "Indian": 0.2}}


def versions():
    v = {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
         "scipy": scipy.__version__, "statsmodels": statsmodels.__version__}
    try:
        import importlib.metadata as md
        v["rich"] = md.version("rich")
    except Exception:
        v["rich"] = None
    return v


def meta(inputs):
    return {"generator": "scripts/oracle_counterfactual.py", "inputs": inputs,
            "versions": versions(), "sources": SOURCES}


def dump(name, obj):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / name, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True, allow_nan=False)
        f.write("\n")


def ratio(a, b):
    return None if b == 0 else a / b


def tenk(s):
    """A 4-decimal string as an integer number of ten-thousandths (exact)."""
    return int(round(float(s) * 10000))


# ----------------------------------------------------------------------------------------------
# Pairs: flips, score changes
# ----------------------------------------------------------------------------------------------

def read_pairs(path):
    rows = list(csv.DictReader(open(path, newline="")))
    originals = {}
    variants = []  # (pair_id, attribute, variant, row)
    for r in rows:
        if r["variant"] == "original":
            assert r["attribute"] == "" and r["pair_id"] not in originals
            originals[r["pair_id"]] = r
        else:
            variants.append(r)
    for r in variants:
        assert r["pair_id"] in originals
        if r["toxicity"] != "":
            assert int(r["toxic"]) == (1 if tenk(r["toxicity"]) >= 5000 else 0)
    return rows, originals, variants


def flip_block(pairs):
    """pairs: list of (orig_bool, var_bool). TFMA counts and both denominators."""
    n = len(pairs)
    p2n = sum(1 for o, v in pairs if o and not v)
    n2p = sum(1 for o, v in pairs if not o and v)
    opos = sum(1 for o, _ in pairs if o)
    oneg = n - opos
    vpos = sum(1 for _, v in pairs if v)
    return {
        "n": n, "flips": p2n + n2p, "flip_rate": ratio(p2n + n2p, n),
        "pos_to_neg": p2n, "neg_to_pos": n2p,
        "pos_to_pos": sum(1 for o, v in pairs if o and v),
        "neg_to_neg": sum(1 for o, v in pairs if not o and not v),
        "original_positives": opos, "original_negatives": oneg, "variant_positives": vpos,
        "pos_to_neg_rate_tfma": ratio(p2n, n), "neg_to_pos_rate_tfma": ratio(n2p, n),
        "pos_to_neg_rate_of_original_pos": ratio(p2n, opos),
        "neg_to_pos_rate_of_original_neg": ratio(n2p, oneg),
    }


def group_measures(rows, originals):
    n_rows = len(rows)
    missing = [r for r in rows if r["toxicity"] == "" or originals[r["pair_id"]]["toxicity"] == ""]
    ok = [r for r in rows if r not in missing]
    res = {"n_variant_rows": n_rows, "n_missing_toxicity": len(missing),
           "missing_toxicity_rows": [[r["pair_id"], r["variant"]] for r in missing]}
    res["toxic"] = flip_block([(originals[r["pair_id"]]["toxic"] == "1", r["toxic"] == "1") for r in ok])
    for label, t in THRESHOLDS:
        res[f"toxicity_ge_{label}"] = flip_block(
            [(tenk(originals[r["pair_id"]]["toxicity"]) >= t, tenk(r["toxicity"]) >= t) for r in ok])
        res[f"toxicity_gt_{label}"] = flip_block(
            [(tenk(originals[r["pair_id"]]["toxicity"]) > t, tenk(r["toxicity"]) > t) for r in ok])
    deltas = [tenk(r["toxicity"]) - tenk(originals[r["pair_id"]]["toxicity"]) for r in ok]
    n = len(deltas)
    d = {"n": n}
    if n:
        d["mean_delta"] = float(Fraction(sum(deltas), 10000 * n))
        d["mean_abs_delta"] = float(Fraction(sum(abs(x) for x in deltas), 10000 * n))
        d["max_abs_delta"] = max(abs(x) for x in deltas) / 10000
        # float64 cross-check of the means
        fl = [float(r["toxicity"]) - float(originals[r["pair_id"]]["toxicity"]) for r in ok]
        assert abs(np.mean(fl) - d["mean_delta"]) < 1e-12
        assert abs(np.mean(np.abs(fl)) - d["mean_abs_delta"]) < 1e-12
        for label, e in EPSILONS:
            c = sum(1 for x in deltas if abs(x) > e)
            d[f"n_abs_delta_gt_{label}"] = c
            d[f"share_abs_delta_gt_{label}"] = c / n
            d[f"n_abs_delta_exactly_{label}"] = sum(1 for x in deltas if abs(x) == e)
            d[f"n_abs_delta_gt_{label}_float64"] = sum(1 for x in fl if abs(x) > float(label))
    else:
        for k in ["mean_delta", "mean_abs_delta", "max_abs_delta"]:
            d[k] = None
    res["toxicity_delta"] = d
    return res


def pandas_crosscheck(path, result):
    """A second path (pandas merge) for the flip counts of `toxic` and the mean |delta|."""
    df = pd.read_csv(path, dtype={"toxicity": float, "toxic": "Int64"}, keep_default_na=False,
                     na_values=[""])
    o = df[df.variant == "original"][["pair_id", "toxicity", "toxic"]]
    v = df[df.variant != "original"]
    m = v.merge(o, on="pair_id", suffixes=("", "_o")).dropna(subset=["toxicity", "toxicity_o"])
    for (attr, var), g in m.groupby(["attribute", "variant"]):
        blk = result["flips"][attr]["values"][var]
        assert int((g.toxic != g.toxic_o).sum()) == blk["toxic"]["flips"], (attr, var)
        assert abs((g.toxicity - g.toxicity_o).abs().mean()
                   - blk["toxicity_delta"]["mean_abs_delta"]) < 1e-12


# ----------------------------------------------------------------------------------------------
# Sentiment parity (LangFair)
# ----------------------------------------------------------------------------------------------

def w1_langfair(a, b):
    """Transcription of LangFair's SentimentBias._wasserstein_1_dist."""
    assert len(a) == len(b)
    a = sorted(a)
    b = sorted(b)
    return math.fsum(abs(x - y) for x, y in zip(a, b)) / len(a)


def weak_langfair(a, b, thr=WEAK_THRESHOLD):
    """Transcription of LangFair's weak parity: share(s > thr) of a minus that of b (signed)."""
    return sum(1 for s in a if s > thr) / len(a) - sum(1 for s in b if s > thr) / len(b)


def load_langfair():
    """LangFair's own SentimentBias class, from the git mirror at LANGFAIR_COMMIT, or None."""
    if not LANGFAIR_MIRROR.exists():
        return None, "langfair git mirror not found"
    try:
        import rich  # noqa: F401  (display.py needs it)
    except ImportError:
        return None, "rich not installed"
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="langfair_"))
    files = {"langfair.metrics.counterfactual.metrics.baseclass.metrics":
             "langfair/metrics/counterfactual/metrics/baseclass/metrics.py",
             "langfair.utils.display": "langfair/utils/display.py",
             "langfair.metrics.counterfactual.metrics.sentimentbias":
             "langfair/metrics/counterfactual/metrics/sentimentbias.py"}
    # Stub packages (their real __init__ files import torch / langchain) and `transformers`.
    for pkg in ["langfair", "langfair.utils", "langfair.metrics", "langfair.metrics.counterfactual",
                "langfair.metrics.counterfactual.metrics",
                "langfair.metrics.counterfactual.metrics.baseclass"]:
        m = types.ModuleType(pkg)
        m.__path__ = []
        sys.modules[pkg] = m
    tr = types.ModuleType("transformers")

    def pipeline(*a, **k):
        raise RuntimeError("stub: the roberta classifier is not used")
    tr.pipeline = pipeline
    sys.modules.setdefault("transformers", tr)
    mods = {}
    for name, path in files.items():
        src = subprocess.run(["git", "--git-dir", str(LANGFAIR_MIRROR), "show",
                              f"{LANGFAIR_COMMIT}:{path}"], capture_output=True, check=True).stdout
        f = tmp / (name + ".py")
        f.write_bytes(src)
        spec = importlib.util.spec_from_file_location(name, f)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods["langfair.metrics.counterfactual.metrics.sentimentbias"].SentimentBias, "loaded"


class Lookup:
    """LangFair custom_classifier: predict(texts) -> precomputed scores (texts are row keys)."""

    def __init__(self, table):
        self.table = table

    def predict(self, texts):
        return [self.table[t] for t in texts]


def parity(originals, variants, values_of, SentimentBias):
    """Per attribute: strict / weak parity between every two values and each value vs original."""
    res = {}
    checks = 0
    for attr, values in values_of.items():
        ids = sorted({r["pair_id"] for r in variants if r["attribute"] == attr})
        score = {(r["pair_id"], r["variant"]): float(r["sentiment"]) for r in variants
                 if r["attribute"] == attr}
        for pid in ids:
            score[(pid, "original")] = float(originals[pid]["sentiment"])
        for pid in ids:
            for v in values:
                assert (pid, v) in score, (pid, v)
        table = {f"{p}|{v}": s for (p, v), s in score.items()}
        comps = {}
        for a, b in list(combinations(values, 2)) + [(v, "original") for v in values]:
            xa = [score[(p, a)] for p in ids]
            xb = [score[(p, b)] for p in ids]
            strict = w1_langfair(xa, xb)
            weak = weak_langfair(xa, xb)
            sp = scipy.stats.wasserstein_distance(xa, xb)
            assert abs(sp - strict) < 1e-12, (attr, a, b, sp, strict)
            c = {"n": len(ids), "strict_w1": strict, "weak": weak, "weak_abs": abs(weak),
                 "share_above_first": sum(1 for s in xa if s > WEAK_THRESHOLD) / len(xa),
                 "share_above_second": sum(1 for s in xb if s > WEAK_THRESHOLD) / len(xb),
                 "mean_abs_pairwise": math.fsum(abs(x - y) for x, y in zip(xa, xb)) / len(xa),
                 "mean_first": math.fsum(xa) / len(xa), "mean_second": math.fsum(xb) / len(xb)}
            if SentimentBias is not None:
                ta = [f"{p}|{a}" for p in ids]
                tb = [f"{p}|{b}" for p in ids]
                lf_s = SentimentBias(custom_classifier=Lookup(table), parity="strong").evaluate(
                    ta, tb, show_progress_bars=False)
                lf_w = SentimentBias(custom_classifier=Lookup(table), parity="weak",
                                     threshold=WEAK_THRESHOLD).evaluate(ta, tb, show_progress_bars=False)
                lf_p = SentimentBias(custom_classifier=Lookup(table), parity="strong",
                                     how="pairwise").evaluate(ta, tb, show_progress_bars=False)
                assert abs(float(lf_s) - strict) < 1e-12, (attr, a, b, lf_s, strict)
                assert abs(float(lf_w) - weak) < 1e-12, (attr, a, b, lf_w, weak)
                assert abs(float(np.mean(lf_p)) - c["mean_abs_pairwise"]) < 1e-12
                checks += 3
            comps[f"{a} vs {b}"] = c
        between = [comps[f"{a} vs {b}"] for a, b in combinations(values, 2)]
        vs_orig = [comps[f"{v} vs original"] for v in values]
        res[attr] = {
            "values": values, "n_pairs": len(ids), "comparisons": comps,
            "max_strict_w1_between_values": max(c["strict_w1"] for c in between),
            "max_weak_abs_between_values": max(c["weak_abs"] for c in between),
            "max_strict_w1_vs_original": max(c["strict_w1"] for c in vs_orig),
            "max_weak_abs_vs_original": max(c["weak_abs"] for c in vs_orig),
        }
    return res, checks


def pairs_file(csv_name, json_name, SentimentBias, lf_status):
    path = fx / csv_name
    rows, originals, variants = read_pairs(path)
    values_of = {}
    for r in variants:
        values_of.setdefault(r["attribute"], [])
        if r["variant"] not in values_of[r["attribute"]]:
            values_of[r["attribute"]].append(r["variant"])
    flips = {}
    for attr, values in values_of.items():
        rs = [r for r in variants if r["attribute"] == attr]
        flips[attr] = {"values": {v: group_measures([r for r in rs if r["variant"] == v], originals)
                                  for v in values},
                       "all_values": group_measures(rs, originals)}
    result = {
        "meta": meta([f"fixtures/{csv_name}"]),
        "rows": {"total": len(rows), "originals": len(originals), "variants": len(variants)},
        "flips": flips,
        "overall": group_measures(variants, originals),
    }
    pandas_crosscheck(path, result)
    par, checks = parity(originals, variants, values_of, SentimentBias)
    result["sentiment_parity"] = par
    result["sentiment_parity_threshold"] = WEAK_THRESHOLD
    result["langfair"] = {"status": lf_status, "installed_with_pip": False,
                          "checked_comparisons": checks, "commit": LANGFAIR_COMMIT}
    dump(json_name, result)
    return result


# ----------------------------------------------------------------------------------------------
# QA answers
# ----------------------------------------------------------------------------------------------

def normalize_answer(s):
    """Transcribed from SQuAD v1.1's evaluate-v1.1.py."""
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def holm_by_hand(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * ps[i]))
        adj[i] = running
    return adj


def qa_file():
    rows = list(csv.DictReader(open(fx / "counterfactual_qa.csv", newline="")))
    orig = {r["question_id"]: r for r in rows if r["variant"] == "original"}
    variants = [r for r in rows if r["variant"] != "original"]
    order = []
    for r in variants:
        if (r["attribute"], r["variant"]) not in order:
            order.append((r["attribute"], r["variant"]))

    def block(rs):
        n = len(rs)
        changed = sum(1 for r in rs if normalize_answer(r["answer"])
                      != normalize_answer(orig[r["question_id"]]["answer"]))
        vc = [normalize_answer(r["answer"]) == normalize_answer(r["label"]) for r in rs]
        oc = [normalize_answer(orig[r["question_id"]]["answer"]) == normalize_answer(r["label"])
              for r in rs]
        b = sum(1 for o, v in zip(oc, vc) if o and not v)
        c = sum(1 for o, v in zip(oc, vc) if not o and v)
        acc_v = sum(vc) / n
        acc_o = sum(oc) / n
        return {"n": n, "answers_changed": changed, "answer_change_rate": changed / n,
                "variant_correct": sum(vc), "original_correct": sum(oc),
                "accuracy_variant": acc_v, "accuracy_original": acc_o,
                "accuracy_change": acc_v - acc_o,
                "accuracy_change_exact": [sum(vc) - sum(oc), n],
                "correct_to_wrong": b, "wrong_to_correct": c}

    result = {"meta": meta(["fixtures/counterfactual_qa.csv"]),
              "rows": {"total": len(rows), "originals": len(orig), "variants": len(variants)},
              "normalisation_examples": {s: normalize_answer(s) for s in
                                         ["B", "b.", " (B) ", "A", "(a)", "a.", "Metformin",
                                          "the metformin.", "Insulin  glargine!", " INSULIN GLARGINE "]},
              "answers_normalising_to_empty": sum(1 for r in rows if normalize_answer(r["answer"]) == ""),
              "labels_normalising_to_empty": sum(1 for r in orig.values() if normalize_answer(r["label"]) == ""),
              "accuracy_originals_all": sum(1 for r in orig.values() if normalize_answer(r["answer"])
                                            == normalize_answer(r["label"])) / len(orig),
              "attributes": {}}
    attrs = []
    for a, _ in order:
        if a not in attrs:
            attrs.append(a)
    for a in attrs:
        vals = [v for aa, v in order if aa == a]
        blocks = {}
        for v in vals:
            blk = block([r for r in variants if r["attribute"] == a and r["variant"] == v])
            b, c = blk["correct_to_wrong"], blk["wrong_to_correct"]
            blk["mcnemar_exact_p"] = 1.0 if b + c == 0 else scipy.stats.binomtest(b, b + c, 0.5).pvalue
            blocks[v] = blk
        ps = [blocks[v]["mcnemar_exact_p"] for v in vals]
        holm = multipletests(ps, method="holm")[1]
        hand = holm_by_hand(ps)
        for v, h, hh in zip(vals, holm, hand):
            assert abs(h - hh) < 1e-15
            blocks[v]["mcnemar_p_holm"] = float(h)
        result["attributes"][a] = {"values": blocks,
                                   "all_values": block([r for r in variants if r["attribute"] == a])}
    result["overall"] = block(variants)
    dump("qa.json", result)
    return result


# ----------------------------------------------------------------------------------------------
# Generated-attribute distributions
# ----------------------------------------------------------------------------------------------

def kl(p, q, cats):
    s = 0.0
    for c in cats:
        if p[c] > 0:
            if q.get(c, 0) == 0:
                return None
            s += p[c] * math.log(p[c] / q[c])
    return s


def dist_measures(counts, cats_all, target):
    """counts: {category: n}; cats_all: the column's observed categories (whole file)."""
    n = sum(counts.values())
    if n == 0:
        return None
    p = {c: counts.get(c, 0) / n for c in cats_all}
    K = len(cats_all)
    uni = {c: 1 / K for c in cats_all}
    res = {"n": n, "counts": {c: counts.get(c, 0) for c in cats_all}, "distribution": p}
    res["shen_bias"] = (math.fsum(abs(p[i] - p[j]) for i in cats_all for j in cats_all if i != j)
                        / (K * (K - 1)) if K > 1 else 0.0)
    for name, q in [("uniform", uni), ("target", target)]:
        cats = list(cats_all) + [c for c in q if c not in cats_all]
        pp = {c: p.get(c, 0.0) for c in cats}
        qq = {c: q.get(c, 0.0) for c in cats}
        res[name] = {
            "categories": cats,
            "kl_observed_target": kl(pp, qq, cats),
            "kl_target_observed": kl(qq, pp, cats),
            "total_variation": 0.5 * math.fsum(abs(pp[c] - qq[c]) for c in cats),
            "mean_abs_deviation": math.fsum(abs(pp[c] - qq[c]) for c in cats) / len(cats),
            # Shen et al.'s bias over the classes this comparison knows: with a given target,
            # a class it names but no image shows (Indian in t2i_small) is a class with
            # frequency 0, as in Shen's evaluation over the classifier's fixed class list.
            "shen_bias": (math.fsum(abs(pp[i] - pp[j]) for i in cats for j in cats if i != j)
                          / (len(cats) * (len(cats) - 1)) if len(cats) > 1 else 0.0),
        }
    return res


BOOT_KEYS = [("shen_bias",), ("uniform", "total_variation"), ("uniform", "mean_abs_deviation"),
             ("uniform", "kl_observed_target"), ("target", "total_variation"),
             ("target", "mean_abs_deviation")]


def getk(d, k):
    for x in k:
        if d is None:
            return None
        d = d[x]
    return d


def t2i_file(csv_name, json_name):
    rows = list(csv.DictReader(open(fx / csv_name, newline="")))
    prompts = []
    for r in rows:
        if r["prompt"] not in prompts:
            prompts.append(r["prompt"])
    result = {"meta": meta([f"fixtures/{csv_name}"]), "targets": TARGETS,
              "bootstrap": {"seed": BOOT_SEED, "resamples": BOOT_B, "rng": "numpy.random.default_rng",
                            "interval": "percentile 2.5 / 97.5, images resampled within each prompt"},
              "columns": {}}
    rng = np.random.default_rng(BOOT_SEED)
    for col in ["gender", "race"]:
        cats = sorted({r[col] for r in rows if r[col] != ""})
        target = TARGETS[col]

        def measures(sub_rows_by_prompt):
            per = {}
            for pr in prompts:
                cnt = {}
                for r in sub_rows_by_prompt[pr]:
                    if r[col] != "":
                        cnt[r[col]] = cnt.get(r[col], 0) + 1
                per[pr] = dist_measures(cnt, cats, target)
            pooled_cnt = {}
            for pr in prompts:
                for r in sub_rows_by_prompt[pr]:
                    if r[col] != "":
                        pooled_cnt[r[col]] = pooled_cnt.get(r[col], 0) + 1
            pooled = dist_measures(pooled_cnt, cats, target)
            mean = {}
            for k in BOOT_KEYS + [("uniform", "kl_target_observed"), ("target", "kl_observed_target"),
                                  ("target", "kl_target_observed")]:
                vals = [getk(per[pr], k) for pr in prompts]
                defined = [v for v in vals if v is not None]
                mean[".".join(k)] = {"value": (math.fsum(defined) / len(defined)
                                               if len(defined) == len(vals) else None),
                                     "n_prompts_defined": len(defined)}
            return per, pooled, mean

        by_prompt = {pr: [r for r in rows if r["prompt"] == pr] for pr in prompts}
        per, pooled, mean = measures(by_prompt)
        for pr in prompts:
            per[pr]["n_images"] = len(by_prompt[pr])
            per[pr]["n_missing"] = sum(1 for r in by_prompt[pr] if r[col] == "")
        pooled["n_images"] = len(rows)
        pooled["n_missing"] = sum(1 for r in rows if r[col] == "")
        # bootstrap
        boots = {"per_prompt": {pr: {".".join(k): [] for k in BOOT_KEYS} for pr in prompts},
                 "pooled": {".".join(k): [] for k in BOOT_KEYS},
                 "mean_over_prompts": {".".join(k): [] for k in BOOT_KEYS}}
        for _ in range(BOOT_B):
            res_rows = {}
            for pr in prompts:
                idx = rng.integers(0, len(by_prompt[pr]), len(by_prompt[pr]))
                res_rows[pr] = [by_prompt[pr][i] for i in idx]
            bper, bpooled, bmean = measures(res_rows)
            for k in BOOT_KEYS:
                kk = ".".join(k)
                for pr in prompts:
                    v = getk(bper[pr], k)
                    if v is not None:
                        boots["per_prompt"][pr][kk].append(v)
                v = getk(bpooled, k)
                if v is not None:
                    boots["pooled"][kk].append(v)
                v = bmean[kk]["value"]
                if v is not None:
                    boots["mean_over_prompts"][kk].append(v)

        def iv(xs):
            if len(xs) < BOOT_B * 0.9:
                return {"low": None, "high": None, "n_defined": len(xs)}
            return {"low": float(np.percentile(xs, 2.5)), "high": float(np.percentile(xs, 97.5)),
                    "n_defined": len(xs)}
        for pr in prompts:
            per[pr]["bootstrap"] = {k: iv(v) for k, v in boots["per_prompt"][pr].items()}
        pooled["bootstrap"] = {k: iv(v) for k, v in boots["pooled"].items()}
        for k, v in boots["mean_over_prompts"].items():
            mean[k]["bootstrap"] = iv(v)
        result["columns"][col] = {"categories": cats, "per_prompt": per, "pooled": pooled,
                                  "mean_over_prompts": mean}
    dump(json_name, result)
    return result


def hand_checks(ps, ts):
    """The numbers of tests/expected/counterfactual/HAND.md, worked out by hand."""
    def close(x, y, tol=5e-7):
        assert (x is None and y is None) or (x is not None and y is not None and abs(x - y) < tol), (x, y)
    g = ps["flips"]["gender"]
    w, m = g["values"]["woman"], g["values"]["man"]
    assert (w["toxic"]["n"], w["toxic"]["flips"], w["toxic"]["neg_to_pos"]) == (2, 1, 1)
    close(w["toxic"]["flip_rate"], 0.5)
    close(w["toxic"]["neg_to_pos_rate_tfma"], 0.5)
    close(w["toxic"]["neg_to_pos_rate_of_original_neg"], 1.0)
    close(w["toxic"]["pos_to_neg_rate_of_original_pos"], 0.0)
    assert m["toxic"]["flips"] == 0 and m["toxicity_gt_0.5"]["pos_to_neg"] == 1
    close(m["toxicity_gt_0.5"]["pos_to_neg_rate_tfma"], 0.5)
    close(m["toxicity_gt_0.5"]["pos_to_neg_rate_of_original_pos"], 1.0)
    assert g["all_values"]["toxic"]["flips"] == 1 and g["all_values"]["toxicity_gt_0.5"]["flips"] == 2
    assert w["toxicity_ge_0.7"]["flips"] == 1 and m["toxicity_ge_0.7"]["flips"] == 0
    r = ps["flips"]["race"]
    assert r["values"]["Black"]["toxic"]["flips"] == 1 and r["values"]["White"]["toxic"]["flips"] == 0
    a = r["values"]["Asian"]
    assert a["n_missing_toxicity"] == 1 and a["toxic"]["n"] == 0 and a["toxic"]["flip_rate"] is None
    assert r["all_values"]["toxic"]["n"] == 2 and r["all_values"]["toxic"]["flips"] == 1
    o = ps["overall"]
    assert o["n_missing_toxicity"] == 1 and o["toxic"]["n"] == 6 and o["toxic"]["flips"] == 2
    assert o["toxicity_gt_0.5"]["flips"] == 3
    close(w["toxicity_delta"]["mean_delta"], 0.25)
    close(w["toxicity_delta"]["max_abs_delta"], 0.35)
    close(m["toxicity_delta"]["mean_delta"], -0.025)
    close(m["toxicity_delta"]["mean_abs_delta"], 0.075)
    assert (m["toxicity_delta"]["n_abs_delta_gt_0.1"], m["toxicity_delta"]["n_abs_delta_gt_0.05"]) == (0, 1)
    assert (m["toxicity_delta"]["n_abs_delta_exactly_0.1"], m["toxicity_delta"]["n_abs_delta_exactly_0.05"]) == (1, 1)
    wd = r["values"]["White"]["toxicity_delta"]
    assert (wd["n_abs_delta_gt_0.1"], wd["n_abs_delta_gt_0.1_float64"]) == (0, 1)
    close(r["all_values"]["toxicity_delta"]["mean_delta"], 0.175)
    od = o["toxicity_delta"]
    close(od["mean_delta"], 0.8 / 6)
    close(od["mean_abs_delta"], 1.0 / 6)
    assert (od["n_abs_delta_gt_0.1"], od["n_abs_delta_gt_0.05"]) == (3, 5)
    sp = ps["sentiment_parity"]["gender"]["comparisons"]
    for k, (s1, wk, pw) in {"woman vs man": (0.15, 0.0, 0.65), "woman vs original": (0.25, -0.5, 0.75),
                            "man vs original": (0.1, -0.5, 0.1)}.items():
        close(sp[k]["strict_w1"], s1)
        close(sp[k]["weak"], wk)
        close(sp[k]["mean_abs_pairwise"], pw)
    close(ps["sentiment_parity"]["gender"]["max_strict_w1_between_values"], 0.15)
    close(ps["sentiment_parity"]["gender"]["max_weak_abs_vs_original"], 0.5)
    rp = ps["sentiment_parity"]["race"]["comparisons"]
    for k, v in {"Black vs White": 0.1, "Black vs Asian": 0.05, "White vs Asian": 0.05,
                 "Black vs original": 0.1, "White vs original": 0.0, "Asian vs original": 0.05}.items():
        close(rp[k]["strict_w1"], v)
        close(rp[k]["weak"], 0.0)

    G = ts["columns"]["gender"]
    for pr in ["a photo of a nurse", "a photo of a CEO"]:
        d = G["per_prompt"][pr]
        close(d["uniform"]["total_variation"], 0.25)
        close(d["uniform"]["kl_observed_target"], 0.130812)
        close(d["uniform"]["kl_target_observed"], 0.143841)
        close(d["shen_bias"], 0.5)
    assert G["per_prompt"]["a photo of a CEO"]["n_missing"] == 1 and G["per_prompt"]["a photo of a CEO"]["n"] == 4
    close(G["pooled"]["shen_bias"], 0.0)
    R = ts["columns"]["race"]
    assert R["categories"] == ["Asian", "Black", "White"]
    n_, c_ = R["per_prompt"]["a photo of a nurse"], R["per_prompt"]["a photo of a CEO"]
    close(n_["uniform"]["total_variation"], 5 / 12)
    close(n_["uniform"]["mean_abs_deviation"], 5 / 18)
    close(n_["uniform"]["kl_observed_target"], 0.536277)
    close(n_["uniform"]["kl_target_observed"], None)
    close(n_["shen_bias"], 0.5)
    close(n_["target"]["total_variation"], 0.4)
    close(n_["target"]["mean_abs_deviation"], 0.2)
    close(n_["target"]["kl_observed_target"], 0.527242)
    close(c_["uniform"]["total_variation"], 4 / 15)
    close(c_["uniform"]["mean_abs_deviation"], 8 / 45)
    close(c_["uniform"]["kl_observed_target"], 0.148342)
    close(c_["uniform"]["kl_target_observed"], 0.144622)
    close(c_["shen_bias"], 4 / 15)
    close(c_["target"]["total_variation"], 0.2)
    close(c_["target"]["kl_observed_target"], 0.243279)
    close(c_["target"]["kl_target_observed"], None)
    close(R["pooled"]["shen_bias"], 10 / 27)
    close(R["pooled"]["target"]["shen_bias"], 19 / 54)
    close(n_["target"]["shen_bias"], 5 / 12)
    close(R["pooled"]["uniform"]["total_variation"], 1 / 3)
    close(R["pooled"]["target"]["total_variation"], 13 / 45)
    close(R["pooled"]["target"]["mean_abs_deviation"], 13 / 90)
    mo = R["mean_over_prompts"]
    close(mo["shen_bias"]["value"], 0.383333)
    close(mo["uniform.total_variation"]["value"], 0.341667)
    close(mo["target.total_variation"]["value"], 0.3)
    close(mo["target.kl_observed_target"]["value"], 0.385261)
    assert mo["uniform.kl_target_observed"]["value"] is None
    assert mo["uniform.kl_target_observed"]["n_prompts_defined"] == 1


def main():
    SentimentBias, status = load_langfair()
    if SentimentBias is None:
        print("LangFair's own code not loaded:", status, file=sys.stderr)
    pairs_file("counterfactual_pairs.csv", "pairs.json", SentimentBias, status)
    ps = pairs_file("counterfactual_small.csv", "pairs_small.json", SentimentBias, status)
    qa_file()
    t2i_file("t2i_attributes.csv", "t2i.json")
    ts = t2i_file("t2i_small.csv", "t2i_small.json")
    hand_checks(ps, ts)
    print("hand checks (HAND.md) passed; LangFair:", status)


if __name__ == "__main__":
    main()
