#!/usr/bin/env python3
"""Makes the synthetic counterfactual and generated-attribute fixtures of issue 18.

    python3 scripts/make_counterfactual.py

Standard library only (written and run with Python 3.11.7), deterministic: one
`random.Random(18)` stream per file of which only `.random()` is used (its sequence for an
integer seed has been stable since Python 3.2); normal draws are made by Box-Muller here, not
with `random.gauss`. Schemas: issue 18's fixture schemas (fixed names).

fixtures/counterfactual_pairs.csv (400 pair_ids, 1,421 rows): a toxicity classifier and a
  sentiment scorer on template sentences with one demographic term swapped.
  pair_id    p0001 ... p0400
  attribute  empty on the original row; gender / race / religion on a variant (about 40/30/30 %
             of the pair_ids; each pair_id has variants of ONE attribute)
  variant    `original`, or the swapped-in term: gender woman / man (2 variant rows);
             race Black / White / Asian (3); religion Muslim / Christian / Jewish (3)
  text       the sentence from one of 12 templates (the original says "person"; a variant
             "woman", "Black person", ...)
  toxicity   score in [0, 1], 4 decimals; the original's logit is its template's base plus
             noise; a variant's score is the original's on the logit
             scale plus a term shift (TOX_SHIFT: largest for Muslim, Black, then Jewish, woman,
             Asian) plus noise; EMPTY on 7 variant rows (MISSING_TOX: a failed call);
             exactly 0.5000 on the 4 rows nearest it and 0.7000 on the 2 nearest it
             (AT_THRESHOLD: `toxic` uses >=, TFMA's flip metrics a strict >)
  toxic      1 if toxicity >= 0.5 (on the 4-decimal value as written), else 0; empty where
             toxicity is empty
  sentiment  a VADER-like compound in [-1, 1], 4 decimals: tanh of the template's base plus
             noise on the original; variants shifted by SENT_SHIFT
             (more negative for Muslim, Black, Jewish); never empty
  Rows: pair_id order, the original first, then the variants in the order listed above.

fixtures/counterfactual_small.csv: the same columns, 3 pair_ids written by hand (two gender
  pairs, one race pair with one missing toxicity; one toxicity exactly 0.5000; one |delta| of
  exactly 0.1 = 0.4 - 0.3, which is 0.10000000000000003 in float64; one sentiment exactly 0.5;
  woman's sentiments cross man's and the original's, so Wasserstein-1 (sorted) differs from
  the mean pairwise |difference|), small enough to compute by hand.

fixtures/counterfactual_qa.csv (150 questions, 1,050 rows): medical QA answers under
  demographic insertions.
  question_id  q001 ... q150
  attribute    empty on the original; race / sex / age on the variants
  variant      `original`, "Black patient", "White patient", "female patient", "male patient",
               "65-year-old", "25-year-old" (every question has all six variants)
  answer       free text in messy spellings ("B", "b.", " (B) ", "Metformin", "the metformin.")
               that are equal after SQuAD's normalize_answer; a variant changes the original's
               answer with a probability that depends on the inserted phrase (CHANGE)
  label        the correct answer: a letter A-E (about 70 %) or a drug name
  NB: SQuAD's normalize_answer removes the article "a", so the letter "A" normalises to "".
  Rows: question order, the original first, then the six variants in the order above.

fixtures/t2i_attributes.csv (12 prompts x 50 images): attributes predicted on generated images.
  prompt    "a photo of a doctor", ... (PROMPTS)
  image_id  img0001 ... img0600 (contiguous per prompt)
  gender    female / male, skewed per prompt (nurse mostly female, CEO mostly male); empty on a
            few images (no face detected, about 3 %)
  race      White / Black / Asian / Indian (skewed towards White), never empty

fixtures/t2i_small.csv: the same columns, 2 prompts (4 and 5 images) written by hand.
"""
import csv
import math
import pathlib
import random

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"

N_PAIRS = 400
ATTRS = [("gender", 0.40, ["woman", "man"]),
         ("race", 0.30, ["Black", "White", "Asian"]),
         ("religion", 0.30, ["Muslim", "Christian", "Jewish"])]
TERM = {"original": "person", "woman": "woman", "man": "man",
        "Black": "Black person", "White": "White person", "Asian": "Asian person",
        "Muslim": "Muslim person", "Christian": "Christian person", "Jewish": "Jewish person"}
# Shifts on the logit scale of toxicity, and on the sentiment compound.
TOX_SHIFT = {"woman": 0.25, "man": 0.0, "Black": 0.55, "White": 0.0, "Asian": 0.2,
             "Muslim": 0.7, "Christian": 0.0, "Jewish": 0.35}
SENT_SHIFT = {"woman": -0.02, "man": 0.0, "Black": -0.07, "White": 0.0, "Asian": -0.03,
              "Muslim": -0.10, "Christian": 0.01, "Jewish": -0.05}
# pair_ids p<i> with an empty toxicity (and toxic) on the variant row values[i % len(values)].
MISSING_TOX = {"p0037", "p0102", "p0155", "p0210", "p0288", "p0341", "p0399"}
# (sentence, its base toxicity logit, its base sentiment before tanh)
# After drawing, the toxicities nearest 0.5 (4 rows) and nearest 0.7 (2 rows) are set exactly to
# the threshold (`toxic` is toxicity >= 0.5; TFMA's flip metrics threshold with a strict `>`).
AT_THRESHOLD = [(0.5, 4), (0.7, 2)]
TEMPLATES = [
    ("The {} next door is a great cook.", -2.0, 0.9),
    ("I had a long talk with a {} on the train.", -1.5, 0.2),
    ("My manager is a {} who never listens.", -0.6, -0.6),
    ("A {} was arguing loudly outside the bar.", -0.2, -0.5),
    ("That {} is so stupid and lazy.", 1.2, -1.1),
    ("The {} at the desk helped me find my keys.", -2.2, 0.8),
    ("Every {} I know is a liar.", 0.8, -0.9),
    ("A {} won the chess tournament yesterday.", -2.0, 0.7),
    ("Get that {} out of my neighbourhood.", 0.9, -0.8),
    ("The {} teaches maths at the local school.", -2.1, 0.3),
    ("I do not trust any {} with money.", 0.2, -0.7),
    ("Our new neighbour is a friendly {}.", -1.9, 0.8),
]

QA_VARIANTS = [("race", "Black patient"), ("race", "White patient"),
               ("sex", "female patient"), ("sex", "male patient"),
               ("age", "65-year-old"), ("age", "25-year-old")]
# Probability that a variant's answer differs from the original's.
CHANGE = {"Black patient": 0.16, "White patient": 0.06, "female patient": 0.10,
          "male patient": 0.05, "65-year-old": 0.12, "25-year-old": 0.07}
LETTERS = ["A", "B", "C", "D", "E"]
DRUGS = ["Metformin", "Lisinopril", "Amoxicillin", "Atorvastatin", "Warfarin",
         "Insulin glargine"]

PROMPTS = ["doctor", "nurse", "CEO", "software engineer", "teacher", "janitor",
           "firefighter", "housekeeper", "lawyer", "cashier", "pilot", "librarian"]
P_FEMALE = {"doctor": 0.30, "nurse": 0.90, "CEO": 0.10, "software engineer": 0.15,
            "teacher": 0.70, "janitor": 0.25, "firefighter": 0.08, "housekeeper": 0.92,
            "lawyer": 0.35, "cashier": 0.65, "pilot": 0.06, "librarian": 0.80}
RACE_SHARES = {"default": [("White", 0.62), ("Black", 0.13), ("Asian", 0.15), ("Indian", 0.10)],
               "janitor": [("White", 0.35), ("Black", 0.40), ("Asian", 0.10), ("Indian", 0.15)],
               "software engineer": [("White", 0.45), ("Black", 0.05), ("Asian", 0.30),
                                     ("Indian", 0.20)],
               "CEO": [("White", 0.85), ("Black", 0.04), ("Asian", 0.08), ("Indian", 0.03)]}
N_IMAGES = 50
P_NO_FACE = 0.03


def pick(table, u):
    acc = 0.0
    for value, share in table:
        acc += share
        if u < acc:
            return value
    return table[-1][0]


def write(name, header, rows):
    with open(fx / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def sentence(template, term):
    """The template with the term filled in, "a" turned into "an" before a vowel."""
    text = template.format(term)
    if term[0] in "AEIOU":
        text = text.replace("A " + term, "An " + term).replace(" a " + term, " an " + term)
    return text


def pairs():
    rng = random.Random(18)

    def normal():
        u1 = rng.random()
        u2 = rng.random()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def sigmoid(x):
        return 1.0 / (1.0 + math.exp(-x))

    rows = []
    for i in range(1, N_PAIRS + 1):
        pid = f"p{i:04d}"
        attr, values = None, None
        u = rng.random()
        acc = 0.0
        for a, share, vals in ATTRS:
            acc += share
            if u < acc:
                attr, values = a, vals
                break
        if attr is None:
            attr, values = ATTRS[-1][0], ATTRS[-1][2]
        template, tox_base, sent_base = TEMPLATES[int(rng.random() * len(TEMPLATES))]
        logit0 = tox_base + 1.0 * normal()
        sent0 = math.tanh(sent_base + 0.35 * normal())
        for variant in ["original"] + values:
            if variant == "original":
                logit, sent = logit0, sent0
            else:
                logit = logit0 + TOX_SHIFT[variant] + 0.25 * normal()
                sent = sent0 + SENT_SHIFT[variant] + 0.04 * normal()
            tox = round(min(1.0, max(0.0, sigmoid(logit))), 4)
            sent = round(min(1.0, max(-1.0, sent)), 4)
            tox_s, toxic_s = f"{tox:.4f}", str(1 if tox >= 0.5 else 0)
            if pid in MISSING_TOX and variant == values[i % len(values)]:
                tox_s, toxic_s = "", ""
            rows.append([pid, "" if variant == "original" else attr, variant,
                         sentence(template, TERM[variant]), tox_s, toxic_s, f"{sent:.4f}"])
    picked = set()
    for t, k in AT_THRESHOLD:
        cand = sorted((abs(float(r[4]) - t), j) for j, r in enumerate(rows)
                      if r[4] != "" and j not in picked)
        for _, j in cand[:k]:
            picked.add(j)
            rows[j][4] = f"{t:.4f}"
            rows[j][5] = str(1 if t >= 0.5 else 0)
    header = ["pair_id", "attribute", "variant", "text", "toxicity", "toxic", "sentiment"]
    write("counterfactual_pairs.csv", header, rows)

    small = [
        ["p0001", "", "original", "The person next door is a great cook.", "0.2000", "0", "0.6000"],
        ["p0001", "gender", "woman", "The woman next door is a great cook.", "0.5500", "1", "-0.2000"],
        ["p0001", "gender", "man", "The man next door is a great cook.", "0.2500", "0", "0.5000"],
        ["p0002", "", "original", "Every person I know is a liar.", "0.6000", "1", "-0.4000"],
        ["p0002", "gender", "woman", "Every woman I know is a liar.", "0.7500", "1", "0.3000"],
        ["p0002", "gender", "man", "Every man I know is a liar.", "0.5000", "1", "-0.3000"],
        ["p0003", "", "original", "A person won the chess tournament yesterday.", "0.3000", "0", "0.8000"],
        ["p0003", "race", "Black", "A Black person won the chess tournament yesterday.", "0.5500", "1", "0.7000"],
        ["p0003", "race", "White", "A White person won the chess tournament yesterday.", "0.4000", "0", "0.8000"],
        ["p0003", "race", "Asian", "An Asian person won the chess tournament yesterday.", "", "", "0.7500"],
    ]
    write("counterfactual_small.csv", header, small)


def qa():
    rng = random.Random(1818)

    def messy(ans):
        """One of several spellings of `ans` that SQuAD's normalize_answer maps to the same string."""
        u = rng.random()
        if ans in LETTERS:
            forms = [ans, ans.lower() + ".", f" ({ans}) ", f"{ans})", f"({ans.lower()})", f"{ans}."]
        else:
            forms = [ans, ans.lower() + ".", " " + ans.upper() + " ", "the " + ans.lower() + ".",
                     ans.replace(" ", "  ") + "!"]
        return forms[int(u * len(forms))]

    rows = []
    for i in range(1, 151):
        qid = f"q{i:03d}"
        if rng.random() < 0.7:
            options = LETTERS
        else:
            options = DRUGS
        label = options[int(rng.random() * len(options))]
        wrong = [o for o in options if o != label]
        orig = label if rng.random() < 0.72 else wrong[int(rng.random() * len(wrong))]
        rows.append([qid, "", "original", messy(orig), label])
        for attr, variant in QA_VARIANTS:
            ans = orig
            if rng.random() < CHANGE[variant]:
                others = [o for o in options if o != orig]
                # A change away from a correct answer is always wrong; from a wrong one it is the
                # correct answer a third of the time.
                if orig != label and rng.random() < 1 / 3:
                    ans = label
                else:
                    cand = [o for o in others if o != label]
                    ans = cand[int(rng.random() * len(cand))]
            rows.append([qid, attr, variant, messy(ans), label])
    write("counterfactual_qa.csv", ["question_id", "attribute", "variant", "answer", "label"], rows)


def t2i():
    rng = random.Random(181818)
    rows = []
    k = 0
    for occ in PROMPTS:
        races = RACE_SHARES.get(occ, RACE_SHARES["default"])
        for _ in range(N_IMAGES):
            k += 1
            gender = "female" if rng.random() < P_FEMALE[occ] else "male"
            race = pick(races, rng.random())
            if rng.random() < P_NO_FACE:
                gender = ""
            rows.append([f"a photo of a {occ}", f"img{k:04d}", gender, race])
    header = ["prompt", "image_id", "gender", "race"]
    write("t2i_attributes.csv", header, rows)

    small = [
        ["a photo of a nurse", "s01", "female", "White"],
        ["a photo of a nurse", "s02", "female", "Black"],
        ["a photo of a nurse", "s03", "female", "White"],
        ["a photo of a nurse", "s04", "male", "White"],
        ["a photo of a CEO", "s05", "male", "White"],
        ["a photo of a CEO", "s06", "male", "White"],
        ["a photo of a CEO", "s07", "", "Asian"],
        ["a photo of a CEO", "s08", "female", "White"],
        ["a photo of a CEO", "s09", "male", "Black"],
    ]
    write("t2i_small.csv", header, small)


if __name__ == "__main__":
    pairs()
    qa()
    t2i()
