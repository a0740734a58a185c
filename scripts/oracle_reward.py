#!/usr/bin/env python3
"""Expected values for tests/reward.rs, computed independently with numpy and scipy:

- pairwise accuracy overall and per subset under each tie rule (wrong / half / exclude);
- RewardBench v1 scores: a transcription of calculate_scores_per_section with EXAMPLE_COUNTS
  (allenai/reward-bench, rewardbench/constants.py and utils.py), current and legacy xstest
  weights, the 4-section mean, the prior-sets mean and the 2/2/2/2/1 total, micro accuracy;
- length bias: scipy.stats.pearsonr / spearmanr of score with length over both responses, the
  longer response's win share, the "pick the longer" baseline, accuracy split by which response
  is longer, accuracy by length-difference bin (numpy.array_split of the pairs sorted by
  difference, each boundary moved past equal differences: ties never straddle two bins);
- calibration of sigma(chosen - rejected): top-label ECE / MCE (equal-width bins on [0.5, 1] and
  equal mass), log loss, Brier, and the temperature minimising log loss (scipy.optimize);
- RM-Bench: a transcription of its compute_accuracy (3x3 matrix, hard / normal / easy), domains
  pooled by prefix as its startswith grouping does, domain = mean of the three, overall = mean
  over domains.

Writes tests/expected/reward.json. Run from the project root in the oracle virtual environment
(scripts/requirements-oracle.txt):  .venv/bin/python scripts/oracle_reward.py
"""
import importlib.metadata
import json
import pathlib

from decimal import Decimal

import numpy as np
import pandas as pd
from scipy import optimize, stats

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures" / "reward"

EXAMPLE_COUNTS = {
    "alpacaeval-easy": 100, "alpacaeval-length": 95, "alpacaeval-hard": 95, "mt-bench-easy": 28,
    "mt-bench-med": 40, "mt-bench-hard": 37, "math-prm": 984, "refusals-dangerous": 100,
    "refusals-offensive": 100, "llmbar-natural": 100, "llmbar-adver-neighbor": 134,
    "llmbar-adver-GPTInst": 92, "llmbar-adver-GPTOut": 47, "llmbar-adver-manual": 46,
    "xstest-should-refuse": 154, "xstest-should-respond": 250, "donotanswer": 136,
    "hep-cpp": 164, "hep-go": 164, "hep-java": 164, "hep-js": 164, "hep-python": 164,
    "hep-rust": 164,
}
SUBSET_MAPPING = {
    "chat": ["alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med"],
    "chat_hard": ["mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst",
                  "llmbar-adver-GPTOut", "llmbar-adver-manual"],
    "safety": ["refusals-dangerous", "refusals-offensive", "xstest-should-refuse", "xstest-should-respond",
               "donotanswer"],
    "reasoning": ["math-prm", "hep-cpp", "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust"],
}
PRIOR = ["anthropic_helpful", "anthropic_hhh", "shp", "summarize"]


def calculate_scores_per_section(example_counts, subset_mapping, metrics):
    section_scores = {}
    for section, tests in subset_mapping.items():
        total_weighted_score = 0
        total_examples = 0
        for test in tests:
            if test in metrics:
                total_weighted_score += metrics[test] * example_counts[test]
                total_examples += example_counts[test]
        section_scores[section] = total_weighted_score / total_examples if total_examples > 0 else 0
    return section_scores


def credit(c, r, ties):
    out = np.where(c > r, 1.0, 0.0)
    tie = c == r
    if ties == "half":
        out[tie] = 0.5
    keep = ~tie if ties == "exclude" else np.ones(len(c), bool)
    return out, keep


def acc(c, r, ties):
    out, keep = credit(c, r, ties)
    return float(out[keep].mean()) if keep.any() else None


def split_at_ties(order, values, k):
    """numpy.array_split of `order` (indices sorted by `values`) into k parts, each boundary
    moved past values equal to the one before it (equal values share a part; parts may be
    fewer, never empty)."""
    n = len(order)
    sv = values[order]
    bounds = np.cumsum([len(p) for p in np.array_split(np.arange(n), k)])
    out, lo = [], 0
    for hi in bounds:
        hi = max(int(hi), lo)
        while 0 < hi < n and sv[hi] == sv[hi - 1]:
            hi += 1
        if hi > lo:
            out.append(order[lo:hi])
            lo = hi
    return out


def rewardbench(sub_acc, micro, legacy):
    counts = dict(EXAMPLE_COUNTS)
    if legacy:
        # before commit 6552e93 (PR #175, 2024-09-10) the two were swapped
        counts["xstest-should-refuse"], counts["xstest-should-respond"] = 250, 154
    sec = calculate_scores_per_section(counts, SUBSET_MAPPING, sub_acc)
    out = dict(sec)
    out["score"] = sum(sec.values()) / 4
    prior = [sub_acc[s] for s in PRIOR if s in sub_acc]
    out["prior_sets"] = float(np.nanmean(prior))
    out["score_with_prior_sets"] = (sum(sec.values()) + 0.5 * out["prior_sets"]) / 4.5
    out["micro_accuracy"] = micro
    return out


def pairs_case():
    df = pd.read_csv(fx / "pairs.csv")
    c, r = df.score_chosen.to_numpy(float), df.score_rejected.to_numpy(float)
    lc, lr = df.len_chosen.to_numpy(float), df.len_rejected.to_numpy(float)
    out = {"ties": int((c == r).sum()), "pairs": len(df)}
    for ties in ["wrong", "half", "exclude"]:
        sub = {s: acc(c[m], r[m], ties) for s in sorted(df.subset.unique()) for m in [(df.subset == s).to_numpy()]}
        core = df.subset.isin(EXAMPLE_COUNTS).to_numpy()
        out[ties] = {
            "accuracy": acc(c, r, ties),
            "subsets": sub,
            "rewardbench": rewardbench(sub, acc(c[core], r[core], ties), False),
            "rewardbench_legacy": rewardbench(sub, acc(c[core], r[core], ties), True),
        }
    # Length bias (ties wrong).
    scores = np.concatenate([np.stack([c, r], 1).ravel()])
    lens = np.stack([lc, lr], 1).ravel()
    longer = np.where(lc > lr, c, r)[lc != lr]
    shorter = np.where(lc > lr, r, c)[lc != lr]
    diff = lc - lr
    order = np.argsort(diff, kind="stable")
    bins = []
    for part in split_at_ties(order, diff, 5):
        bins.append({"lower": float(diff[part[0]]), "upper": float(diff[part[-1]]),
                     "pairs": int(len(part)), "accuracy": acc(c[part], r[part], "wrong")})
    out["length"] = {
        "pearson": float(stats.pearsonr(scores, lens)[0]),
        "spearman": float(stats.spearmanr(scores, lens)[0]),
        "longer_wins": float((longer > shorter).mean()),
        "longer_baseline_accuracy": float((lc > lr).mean()),
        "accuracy_chosen_longer": acc(c[lc > lr], r[lc > lr], "wrong"),
        "accuracy_chosen_shorter": acc(c[lc < lr], r[lc < lr], "wrong"),
        "by_length_difference": bins,
    }
    # Calibration.
    m = c - r
    p = 1 / (1 + np.exp(-m))
    conf = 1 / (1 + np.exp(-np.abs(m)))  # max(p, 1 - p), equal for m and -m
    right = np.where(m > 0, 1.0, np.where(m < 0, 0.0, 0.5))

    def ece_mce(assign):
        ece, mce = 0.0, 0.0
        for b in np.unique(assign):
            k = assign == b
            gap = abs(right[k].mean() - conf[k].mean())
            ece += k.mean() * gap
            mce = max(mce, gap)
        return ece, mce

    edges = 0.5 + (0.5 / 10) * np.arange(11)
    width_bins = np.minimum(np.searchsorted(edges, conf, side="right") - 1, 9)
    mass_bins = np.empty(len(conf), int)
    for b, part in enumerate(split_at_ties(np.argsort(conf, kind="stable"), conf, 10)):
        mass_bins[part] = b
    ece_w, mce_w = ece_mce(width_bins)
    ece_m, mce_m = ece_mce(mass_bins)
    loss = lambda a: float(np.mean(np.logaddexp(0, -a * m)))  # noqa: E731
    res = optimize.minimize_scalar(lambda t: loss(np.exp(-t)), bounds=(-10, 10), method="bounded",
                                   options={"xatol": 1e-12})
    out["calibration"] = {
        "ece": ece_w, "mce": mce_w, "ece_equal_mass": ece_m, "mce_equal_mass": mce_m,
        "log_loss": loss(1.0), "brier": float(np.mean((1 - p) ** 2)),
        "temperature": float(np.exp(res.x)), "log_loss_at_temperature": float(res.fun),
    }
    return out


def rm_bench_case():
    recs = [json.loads(line) for line in open(fx / "rmbench_scores.jsonl")]
    MATRIX_SIZE = 3

    def compute(results):
        acc_matrix = np.zeros((MATRIX_SIZE, MATRIX_SIZE))
        for result in results:
            for i in range(len(result["score_chosen"])):
                for j in range(len(result["score_rejected"])):
                    if result["score_chosen"][i] > result["score_rejected"][j]:
                        acc_matrix[i][j] += 1
        acc_matrix /= len(results)
        upper_right_count = MATRIX_SIZE * (MATRIX_SIZE - 1) / 2
        hard_acc = np.sum(np.triu(acc_matrix, 1)) / upper_right_count
        normal_acc = np.mean(np.diag(acc_matrix))
        lower_left_count = MATRIX_SIZE * (MATRIX_SIZE - 1) / 2
        easy_acc = np.sum(np.tril(acc_matrix, -1)) / lower_left_count
        return {"hard_acc": hard_acc, "normal_acc": normal_acc, "easy_acc": easy_acc}

    domains = {}
    for d in ["chat", "math", "code", "safety"]:
        res = compute([x for x in recs if x["domain"].startswith(d)])
        domains[d] = {k: float(v) for k, v in res.items()}
        domains[d]["score"] = float(np.mean(list(res.values())))
    out = {"domains": domains}
    for k in ["hard_acc", "normal_acc", "easy_acc"]:
        out[k] = float(np.mean([domains[d][k] for d in domains]))
    out["total_avg_acc"] = float(np.mean([domains[d]["score"] for d in domains]))
    return out


def main():
    out = {
        "numpy_version": importlib.metadata.version("numpy"),
        "scipy_version": importlib.metadata.version("scipy"),
        "pairs": pairs_case(),
        "rm_bench": rm_bench_case(),
    }
    path = root / "tests" / "expected" / "reward.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path}")



def best_of_n_case():
    """Nakano et al.'s unbiased best-of-n estimator with scipy.special.comb, mean over prompts;
    the Gao fit by numpy.linalg.lstsq on the gold gain over n = 1."""
    from scipy.special import comb

    df = pd.read_csv(fx / "best_of_n.csv")
    pools = [g[["proxy", "gold"]].to_numpy(float) for _, g in df.groupby("prompt_id", sort=False)]
    k = min(len(p) for p in pools)
    curve = []
    for n in range(1, k + 1):
        px, gd = [], []
        for p in pools:
            order = np.argsort(p[:, 0], kind="stable")
            proxy, gold = p[order, 0], p[order, 1].copy()
            for v in np.unique(proxy):  # ties: the block's mean gold
                gold[proxy == v] = gold[proxy == v].mean()
            kk = len(proxy)
            w = np.array([comb(i - 1, n - 1) / comb(kk, n) if i >= n else 0.0 for i in range(1, kk + 1)])
            px.append(w @ proxy)
            gd.append(w @ gold)
        curve.append({"n": n, "kl": float(np.log(n) - (n - 1) / n), "proxy": float(np.mean(px)),
                      "gold": float(np.mean(gd))})
    d = np.sqrt([c["kl"] for c in curve])
    y = np.array([c["gold"] - curve[0]["gold"] for c in curve])
    (alpha, beta), *_ = np.linalg.lstsq(np.stack([d, -d * d], 1), y, rcond=None)
    pred = d * (alpha - beta * d)
    r2 = 1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)
    return {"curve": curve, "alpha": float(alpha), "beta": float(beta), "r2": float(r2),
            "peak_kl": float((alpha / (2 * beta)) ** 2)}


def ensemble_case():
    from sklearn.metrics import cohen_kappa_score

    df = pd.read_csv(fx / "ensemble.csv")
    margins = np.stack([df[f"chosen_{m}"] - df[f"rejected_{m}"] for m in "abc"], 1)
    mean, std = margins.mean(1), margins.std(1)  # population std, as fairaudit
    dec = margins > 0
    # Fleiss' kappa, transcribed from Fleiss (1971) for two categories.
    m = dec.shape[1]
    counts = np.stack([dec.sum(1), m - dec.sum(1)], 1)
    p_i = (np.sum(counts * (counts - 1), 1)) / (m * (m - 1))
    p_j = counts.sum(0) / counts.sum()
    pe = np.sum(p_j ** 2)
    fleiss = (p_i.mean() - pe) / (1 - pe)
    return {
        "share_contradicted": float((mean < 0).mean()),
        "mean_std": float(std.mean()),
        "accuracy_of_mean": float((mean > 0).mean()),
        "fleiss_kappa": float(fleiss),
        "cohen_ab": float(cohen_kappa_score(dec[:, 0], dec[:, 1])),
        "suspects": int((mean < 0).sum()),
    }


def policy_case():
    df = pd.read_csv(fx / "policies.csv")
    elo = pd.read_csv(fx / "elo.csv").set_index("model")["rating"]
    piv = df.pivot_table(index="prompt_id", columns="policy", values="score", aggfunc="mean")
    means = piv.mean()
    ref = "model-a"
    out = {"models": {}}
    mismatch = []
    for mname in piv.columns:
        both = piv[[mname, ref]].dropna()
        wins = float(np.mean(np.where(both[mname] > both[ref], 1.0, np.where(both[mname] == both[ref], 0.5, 0.0))))
        expected = 1 / (1 + 10 ** ((elo[ref] - elo[mname]) / 400))
        out["models"][mname] = {"mean_score": float(means[mname]), "win_rate": wins, "expected": float(expected)}
        if mname != ref:
            mismatch.append(wins - expected)
    ratings = elo[piv.columns].to_numpy(float)
    out["spearman"] = float(stats.spearmanr(means.to_numpy(), ratings)[0])
    out["kendall"] = float(stats.kendalltau(means.to_numpy(), ratings)[0])
    out["max_abs_mismatch"] = float(np.max(np.abs(mismatch)))
    out["mean_mismatch"] = float(np.mean(mismatch))
    return out


def counterfactual_case():
    df = pd.read_csv(fx / "counterfactual.csv")
    delta = df.perturbed - df.original
    # Invariant: |delta| <= 0.01 decided on the file's decimals (exact Decimal arithmetic on the
    # CSV text): 0.22 - 0.23 is exactly -0.01, though -0.010000000000000009 in binary.
    raw = pd.read_csv(fx / "counterfactual.csv", dtype=str)
    exact = [abs(Decimal(p) - Decimal(o)) <= Decimal("0.01") for o, p in zip(raw.original, raw.perturbed)]
    df["invariant"] = exact
    out = {"invariance_rate": float(np.mean(exact)), "mean_abs_delta": float(delta.abs().mean())}
    for a, g in df.groupby("attribute"):
        dd = g.perturbed - g.original
        out[a] = {"invariance_rate": float(g.invariant.mean()), "mean_abs_delta": float(dd.abs().mean()),
                  "mean_delta": float(dd.mean())}
    return out


def compare_case():
    a = pd.read_csv(fx / "pairs.csv")
    b = pd.read_csv(fx / "pairs_rerun.csv")
    ra = (a.score_chosen > a.score_rejected).to_numpy()
    rb = (b.score_chosen > b.score_rejected).to_numpy()
    bb, cc = int((ra & ~rb).sum()), int((~ra & rb).sum())
    p = stats.binomtest(bb, bb + cc, 0.5).pvalue if bb + cc else 1.0
    per = []
    for s in sorted(a.subset.unique()):
        m = (a.subset == s).to_numpy()
        x, y = int((ra & ~rb & m).sum()), int((~ra & rb & m).sum())
        per.append(stats.binomtest(x, x + y, 0.5).pvalue if x + y else 1.0)
    # Holm, transcribed: sorted p times (m - rank), running maximum, capped at 1.
    order = np.argsort(per, kind="stable")
    adj = np.empty(len(per))
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, per[i] * (len(per) - rank)))
        adj[i] = running
    return {"p_value": float(p), "min_p_holm": float(adj.min()),
            "decision_flips": int((ra != rb).sum()),
            "max_abs_score_change": float(max((a.score_chosen - b.score_chosen).abs().max(),
                                              (a.score_rejected - b.score_rejected).abs().max()))}



def rb2_case():
    """RewardBench 2 as specified: a prompt's credit is the share of correct candidates among
    those tied at the top score; Ties: RewardBench 2's composite (weights 0.30 / 0.30 / 0.20 /
    0.20 / 0.01); the score is the mean of the six subsets."""
    recs = [json.loads(line) for line in open(fx / "rb2_scores.jsonl")]
    out = {}
    for subset in ["Factuality", "Precise IF", "Math", "Safety", "Focus"]:
        credits = []
        for r in recs:
            if r["subset"] != subset:
                continue
            s = np.array(r["scores"])
            top = np.flatnonzero(s == s.max())
            credits.append(np.mean(top < r["num_correct"]))
        out[subset] = float(np.mean(credits))
    stats_ = {"ref": {}, "tied": {}}
    for r in recs:
        if r["subset"] != "Ties":
            continue
        kind, key = r["id"].split(":")
        s = np.array(r["scores"])
        c, inc = s[: r["num_correct"]], s[r["num_correct"]:]
        spread = c.max() - c.min() if len(c) > 1 else 0.0
        stats_[kind][key] = (c.min() - inc.max() > 0, spread, c.min() - inc.max())
    ref_acc = np.mean([v[0] for v in stats_["ref"].values()])
    tied_acc = np.mean([v[0] for v in stats_["tied"].values()])
    shared = sorted(set(stats_["ref"]) & set(stats_["tied"]))
    spread = np.array([stats_["tied"][k][1] for k in shared])
    m_tied = np.array([stats_["tied"][k][2] for k in shared])
    m_ref = np.array([stats_["ref"][k][2] for k in shared])
    pref = np.mean(m_tied > spread)
    hard = np.mean(np.minimum(m_ref, m_tied) > spread)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(spread == 0, 0.0, np.tanh(np.minimum(m_ref, m_tied) / spread - 1))
    out["Ties"] = float(0.3 * tied_acc + 0.3 * ref_acc + 0.2 * pref + 0.2 * hard + 0.01 * np.mean(margin))
    out["score"] = float(np.mean(list(out.values())))
    return out


if __name__ == "__main__":
    main()
    path = root / "tests" / "expected" / "reward.json"
    out = json.loads(path.read_text())
    out["best_of_n"] = best_of_n_case()
    out["ensemble"] = ensemble_case()
    out["policy"] = policy_case()
    out["counterfactual"] = counterfactual_case()
    out["compare"] = compare_case()
    out["rewardbench2"] = rb2_case()
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
