#!/usr/bin/env python3
"""Makes the derived fixtures in fixtures/ from the shipped aequitas samples (MIT).

Run from the project root: python3 scripts/make_fixtures.py
Deterministic: no randomness, only arithmetic on entity ids. Uses the standard library only.
"""
import csv
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"


def rows(name):
    with open(fx / name, newline="") as f:
        return list(csv.DictReader(f))


# adult_weighted.csv: adult.csv plus a deterministic sample weight in [0.25, 2.0].
adult = rows("adult.csv")
with open(fx / "adult_weighted.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(list(adult[0].keys()) + ["weight"])
    for r in adult:
        weight = 0.25 + (int(r["entity_id"]) * 7919 % 8) * 0.25
        w.writerow(list(r.values()) + [weight])

# compas_dup_header.csv: the first 300 COMPAS rows with a header that repeats
# `decile_score` (as ProPublica's compas-scores-two-years.csv does with decile_score and
# priors_count). The two columns differ: the second is the first shifted by one.
compas = rows("compas.csv")[:300]
with open(fx / "compas_dup_header.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["entity_id", "decile_score", "label_value", "race", "sex", "decile_score", "score"])
    for r in compas:
        d = int(r["entity_id"]) % 10 + 1
        w.writerow([r["entity_id"], d, r["label_value"], r["race"], r["sex"], min(d + 1, 10), r["score"]])

# compas_scores.csv: COMPAS labels and groups with a synthetic probability score (rounded to two
# decimals, so many ties) and a weight, for the score metrics (AUC, Brier, log loss). The score is
# a deterministic function of the entity id and the label: positives score higher on average.
compas = rows("compas.csv")
with open(fx / "compas_scores.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["entity_id", "label_value", "race", "sex", "proba", "weight"])
    for r in compas:
        eid = int(r["entity_id"])
        u = (eid * 2654435761 % 2**32) / 2**32
        v = (eid * 40503 % 65536) / 65536
        p = 0.55 * u + 0.45 * (0.3 + 0.4 * int(r["label_value"])) + 0.1 * v - 0.05
        p = min(1.0, max(0.0, p))
        weight = 0.5 + (eid * 7919 % 4) * 0.5
        w.writerow([eid, r["label_value"], r["race"], r["sex"], f"{p:.2f}", weight])

# compas_regression.csv: COMPAS groups with a synthetic numeric target `y` (e.g. days to an
# event, one decimal) and a regressor's prediction `y_pred` whose error depends on the group, plus
# a weight. A few labels are missing (every 997th row) to exercise the drop path.
with open(fx / "compas_regression.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["entity_id", "race", "sex", "y", "y_pred", "weight"])
    for r in compas:
        eid = int(r["entity_id"])
        u = (eid * 2654435761 % 2**32) / 2**32
        v = (eid * 40503 % 65536) / 65536
        y = 100 + 400 * u + 150 * int(r["label_value"])
        bias = 30 if r["race"] == "African-American" else 0
        y_pred = y + (v - 0.5) * 120 + bias
        weight = 0.5 + (eid * 7919 % 4) * 0.5
        w.writerow([eid, r["race"], r["sex"], "" if eid % 997 == 0 else f"{y:.1f}", f"{y_pred:.1f}", weight])

# compas_multiclass.csv: COMPAS groups with a three-class risk label (Low / Medium / High, from the
# recidivism label and the entity id) and a classifier's prediction that is right about 70% of the
# time, plus a weight.
classes = ["Low", "Medium", "High"]
with open(fx / "compas_multiclass.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["entity_id", "race", "sex", "risk", "risk_pred", "weight"])
    for r in compas:
        eid = int(r["entity_id"])
        k = (int(r["label_value"]) * 2 + eid % 3) % 3
        v = eid * 40503 % 10
        shift = 0 if v < 7 else (1 if v < 9 else 2)
        if r["race"] == "African-American" and v == 6:
            shift = 1
        weight = 0.5 + (eid * 7919 % 4) * 0.5
        w.writerow([eid, r["race"], r["sex"], classes[k], classes[(k + shift) % 3], weight])

# reward/pairs.csv: synthetic reward-model scores of preference pairs over RewardBench's subsets
# and two prior sets: prompt id (some prompts have two pairs), subset, chosen / rejected scores
# (one decimal, so some ties), response lengths in tokens (longer responses score a little higher)
# and a group column. reward/rewardbench_results.json: the same pairs in the form RewardBench
# writes its per-prompt results (pretty-printed JSON objects one after another).
import json

SUBSETS = [
    "alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med",
    "mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst",
    "llmbar-adver-GPTOut", "llmbar-adver-manual", "refusals-dangerous", "refusals-offensive",
    "xstest-should-refuse", "xstest-should-respond", "donotanswer", "math-prm", "hep-cpp",
    "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust", "anthropic_helpful", "shp",
]
state = 12345


def rnd():
    """A small linear congruential generator (deterministic, standard library only)."""
    global state
    state = (state * 1103515245 + 12345) % 2**31
    return state / 2**31


(fx / "reward").mkdir(exist_ok=True)
rows = []
for i in range(1000):
    subset = SUBSETS[i % len(SUBSETS)]
    prompt = i // 2 if i % 5 < 2 else 10000 + i
    difficulty = 0.4 + 0.6 * (SUBSETS.index(subset) % 5) / 4
    lc = 20 + int(rnd() * 400)
    lr = 20 + int(rnd() * 400)
    c = round(rnd() * 2 + difficulty + (lc - lr) / 400, 1)
    r = round(rnd() * 2 + (lr - lc) / 800, 1)
    group = ["en", "de", "fr"][int(rnd() * 3)]
    rows.append((prompt, subset, c, r, lc, lr, group))
with open(fx / "reward" / "pairs.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "subset", "score_chosen", "score_rejected", "len_chosen", "len_rejected", "lang"])
    w.writerows(rows)
with open(fx / "reward" / "rewardbench_results.json", "w") as f:
    for prompt, subset, c, r, *_ in rows:
        record = {"id": prompt, "subset": subset, "scores_chosen": c, "scores_rejected": r,
                  "results": int(c > r), "model": "synthetic"}
        f.write(json.dumps(record, indent=4, sort_keys=True) + "\n")

# reward/rmbench_scores.jsonl: synthetic RM-Bench records (id, domain, 3 chosen and 3 rejected
# scores in the styles concise, detailed, markdown); formatted responses score a little higher.
with open(fx / "reward" / "rmbench_scores.jsonl", "w") as f:
    for i in range(300):
        domain = ["chat", "math", "code", "safety-refuse", "safety-response"][i % 5]
        base_c, base_r = rnd() * 2 + 0.5, rnd() * 2
        c = [round(base_c + s * 0.4 + rnd() * 0.5, 2) for s in range(3)]
        r = [round(base_r + s * 0.6 + rnd() * 0.5, 2) for s in range(3)]
        f.write(json.dumps({"id": f"{domain}-{i}", "domain": domain, "score_chosen": c,
                            "score_rejected": r}) + "\n")

# reward/best_of_n.csv: 40 prompts with 8 responses each: a proxy (reward-model) score and a gold
# score that agrees with the proxy at first and then falls off (over-optimisation).
with open(fx / "reward" / "best_of_n.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["prompt_id", "response_id", "proxy", "gold"])
    for p in range(40):
        for k in range(8):
            proxy = round(rnd() * 3, 3)
            gold = round(proxy - 0.35 * max(0.0, proxy - 1.5) ** 2 + (rnd() - 0.5) * 0.6, 3)
            w.writerow([f"p{p}", k, proxy, gold])

# reward/ensemble.csv: 400 pairs scored by three reward models (one chosen / rejected column pair
# each); the models share a signal and add their own noise; a few labels are flipped.
with open(fx / "reward" / "ensemble.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "subset", "chosen_a", "rejected_a", "chosen_b", "rejected_b", "chosen_c", "rejected_c"])
    for i in range(400):
        signal = (rnd() - 0.3) * 2 if i % 13 else -(rnd() + 0.5)
        row = [i, ["chat", "code", "safety"][i % 3]]
        for _ in range(3):
            base = rnd() * 2
            row += [round(base + signal + (rnd() - 0.5), 2), round(base, 2)]
        w.writerow(row)

# reward/policies.csv and reward/elo.csv: 5 policy models answering 60 prompts, scored by a reward
# model that overrates one of them (model-c), and the models' (synthetic) Elo ratings.
models = {"model-a": 1250, "model-b": 1200, "model-c": 1150, "model-d": 1100, "model-e": 1000}
with open(fx / "reward" / "elo.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["model", "rating"])
    for m, r in models.items():
        w.writerow([m, r])
with open(fx / "reward" / "policies.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["prompt_id", "policy", "score"])
    for p in range(60):
        for m, r in models.items():
            bonus = 0.8 if m == "model-c" else 0.0
            w.writerow([f"q{p}", m, round((r - 1100) / 100 + bonus + (rnd() - 0.5) * 2, 3)])

# reward/counterfactual.csv: 300 responses scored under the original prompt and a variant that
# changes one attribute (gender, race, age); the reward model shifts the race variants.
with open(fx / "reward" / "counterfactual.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "attribute", "original", "perturbed"])
    for i in range(300):
        attr = ["gender", "race", "age"][i % 3]
        o = round(rnd() * 4 - 2, 3)
        shift = -0.3 if attr == "race" else 0.0
        noise = (rnd() - 0.5) * 0.04 if rnd() < 0.7 else (rnd() - 0.5) * 0.5
        w.writerow([i, attr, o, round(o + shift + noise, 3)])

# reward/pairs_rerun.csv: the pairs of reward/pairs.csv rescored by a second run (small noise).
with open(fx / "reward" / "pairs_rerun.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "subset", "score_chosen", "score_rejected", "len_chosen", "len_rejected", "lang"])
    for prompt, subset, c, r, lc, lr, g in rows:
        w.writerow([prompt, subset, round(c + (rnd() - 0.5) * 0.4, 1), round(r + (rnd() - 0.5) * 0.4, 1), lc, lr, g])

# reward/rb2_scores.jsonl: synthetic RewardBench 2 style records: per prompt a list of candidate
# scores whose first num_correct are correct (one decimal, so some ties at the top); the Ties
# subset has a `ref:` sample (one correct answer) and a `tied:` sample (several) per prompt.
with open(fx / "reward" / "rb2_scores.jsonl", "w") as f:
    for subset in ["Factuality", "Precise IF", "Math", "Safety", "Focus"]:
        for i in range(40):
            correct = round(rnd() * 2 + 0.6, 1)
            scores = [correct] + [round(rnd() * 2, 1) for _ in range(3)]
            f.write(json.dumps({"id": f"{subset}-{i}", "subset": subset, "scores": scores,
                                "num_correct": 1}) + "\n")
    for i in range(30):
        base = rnd() * 2
        ref = [round(base + 1 + rnd(), 2)] + [round(base + rnd() * 1.2, 2) for _ in range(3)]
        k = 2 + int(rnd() * 3)
        tied = [round(base + 1 + rnd(), 2) for _ in range(k)] + [round(base + rnd() * 1.2, 2) for _ in range(4)]
        f.write(json.dumps({"id": f"ref:{i}", "subset": "Ties", "scores": ref, "num_correct": 1}) + "\n")
        f.write(json.dumps({"id": f"tied:{i}", "subset": "Ties", "scores": tied, "num_correct": k}) + "\n")

# allocate/goods_6x24.csv: 6 agents, 24 goods, integer values 1..100 (the MNW benchmark size).
with open(fx / "allocate" / "goods_6x24.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["agent"] + [f"g{j + 1}" for j in range(24)])
    for i in range(6):
        w.writerow([f"agent{i + 1}"] + [1 + int(rnd() * 100) for _ in range(24)])
