#!/usr/bin/env python3
"""The worked examples of the NYC Local Law 144 rule (6 RCNY § 5-301), transcribed exactly as
printed, and fixtures that reproduce their counts.

    python3 scripts/make_ll144_example.py

Standard library only, deterministic. Source: New York City Department of Consumer and Worker
Protection, "Notice of Adoption of Final Rule" (automated employment decision tools; adds
6 RCNY §§ 5-300 to 5-304; second proposal December 23, 2022, hearing January 23, 2023; the
notice itself prints no adoption date; DCWP's FAQ of 06/29/2023: enforcement from July 5, 2023), pages 5-8: the example under § 5-301(b) (an AEDT that
selects) and the example under § 5-301(d) (an AEDT that scores). The same text is § 5-301 of the
Rules of the City of New York (codelibrary.amlegal.com/codes/newyorkcity/latest/NYCrules/
0-0-0-138530). Every count, rate and ratio below is the string the rule prints (".67" and "62.5"
without a percent sign included), nothing recomputed.

Writes
  fixtures/ll144_example.csv          the § 5-301(b) selection example, one row per applicant
                                      (applicant_id, sex, race, selected), built from the
                                      intersectional table (which also gives the printed sex
                                      table exactly), plus 250 rows of unknown sex and race
                                      (both empty; their `selected` is not given by the rule and
                                      is set to 1 for the first 125, 0 for the rest)
  fixtures/ll144_example_race.csv     the § 5-301(b) race/ethnicity table as printed (race,
                                      selected), because its Hispanic or Latino row (408
                                      applicants, 204 selected) cannot come from the same
                                      applicants as the intersectional table (395, 172)
  fixtures/ll144_example_scoring.csv  the § 5-301(d) scoring example (applicant_id, sex, race,
                                      score), plus 15 rows of unknown sex and race. The rule gives
                                      only counts and scoring rates; the scores are constructed:
                                      applicants scoring above the median get 0.60-0.99, the
                                      others 0.10-0.49, the 15 unknowns exactly 0.50. The median
                                      is then 0.50 over all 183 rows and 0.55 over the 168 known
                                      rows, and no known applicant scores at either, so the
                                      printed scoring rates come out under either convention and
                                      with "above" read as > or >=.
scripts/oracle_decisions.py checks the fixtures against these tables with pandas and writes
tests/expected/decisions/ll144_example.json.
"""
import csv
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
fx = root / "fixtures"

SOURCE = {
    "title": "New York City Department of Consumer and Worker Protection, Notice of Adoption of "
    "Final Rule: Use of Automated Employment Decision Tools (6 RCNY §§ 5-300 to 5-304)",
    "sections": "§ 5-301(b) example (selection), § 5-301(d) example (scoring); pages 5-8 of the notice",
    "adopted": "2023: the notice gives the second proposal (December 23, 2022) and its hearing "
    "(January 23, 2023) but no adoption date; DCWP's FAQ (06/29/2023) gives enforcement from July 5, 2023",
    "url": "https://codelibrary.amlegal.com/codes/newyorkcity/latest/NYCrules/0-0-0-138530",
    "url_note": "6 RCNY § 5-301 as codified (American Legal Publishing); its stored copy showed the "
    "same § 5-301(b) text up to the example, the tables were read from the notice's PDF",
    "copy_read": "the notice's PDF as committed in github.com/shreyas-nikam/QU-AEDT, data/AEDT.pdf "
    "(git blob 84181525f203b1d20dd8945689e7eee69f6108b7, 16 pages: the notice, then DCWP's FAQ "
    "dated 06/29/2023); text extracted with pypdf",
}

# Race / ethnicity labels exactly as the rule's race tables print them; the fixtures use them as
# the `race` values, so that fairaudit's race&sex groups map one to one onto the rule's
# intersectional rows.
HISP = "Hispanic or Latino"
RACES = [
    HISP,
    "White (Not Hispanic or Latino)",
    "Black or African American (Not Hispanic or Latino)",
    "Native Hawaiian or Pacific Islander (Not Hispanic or Latino)",
    "Asian (Not Hispanic or Latino)",
    "Native American or Alaska Native (Not Hispanic or Latino)",
    "Two or More Races (Not Hispanic or Latino)",
]
# The intersectional tables print the non-Hispanic races without the suffix, under a
# "Non/Hispanic or Latino" heading.
SHORT = {
    "White": RACES[1],
    "Black or African American": RACES[2],
    "Native Hawaiian or Pacific Islander": RACES[3],
    "Asian": RACES[4],
    "Native American or Alaska Native": RACES[5],
    "Two or More Races": RACES[6],
}

# § 5-301(b): columns "# of Applicants", "# Selected", "Selection Rate", "Impact Ratio".
SELECTION = {
    "sex": [
        ["Male", "1390", "667", "48%", "1.00"],
        ["Female", "1181", "555", "47%", "0.979"],
    ],
    "race": [
        ["Hispanic or Latino", "408", "204", "50%", "0.97"],
        ["White (Not Hispanic or Latino)", "797", "412", "52%", "1.00"],
        ["Black or African American (Not Hispanic or Latino)", "390", "170", "44%", "0.84"],
        ["Native Hawaiian or Pacific Islander (Not Hispanic or Latino)", "119", "52", "44%", "0.85"],
        ["Asian (Not Hispanic or Latino)", "616", "302", "49%", "0.95"],
        ["Native American or Alaska Native (Not Hispanic or Latino)", "41", "18", "44%", "0.85"],
        ["Two or More Races (Not Hispanic or Latino)", "213", "96", "45%", "0.87"],
    ],
    # [ethnicity heading, sex, race (None under "Hispanic or Latino"), applicants, selected,
    #  selection rate, impact ratio]
    "intersectional": [
        ["Hispanic or Latino", "Male", None, "205", "90", "43.9%", "0.841"],
        ["Hispanic or Latino", "Female", None, "190", "82", "43.2%", "0.827"],
        ["Non/Hispanic or Latino", "Male", "White", "412", "215", "52.2%", "1.000"],
        ["Non/Hispanic or Latino", "Male", "Black or African American", "226", "95", "42.0%", "0.806"],
        ["Non/Hispanic or Latino", "Male", "Native Hawaiian or Pacific Islander", "87", "37", "42.5%", "0.815"],
        ["Non/Hispanic or Latino", "Male", "Asian", "321", "167", "52.0%", "0.997"],
        ["Non/Hispanic or Latino", "Male", "Native American or Alaska Native", "24", "11", "45.8%", "0.878"],
        ["Non/Hispanic or Latino", "Male", "Two or More Races", "115", "52", "45.2%", "0.866"],
        ["Non/Hispanic or Latino", "Female", "White", "385", "197", "51.2%", "0.981"],
        ["Non/Hispanic or Latino", "Female", "Black or African American", "164", "75", "45.7%", "0.876"],
        ["Non/Hispanic or Latino", "Female", "Native Hawaiian or Pacific Islander", "32", "15", "46.9%", "0.898"],
        ["Non/Hispanic or Latino", "Female", "Asian", "295", "135", "45.8%", "0.877"],
        ["Non/Hispanic or Latino", "Female", "Native American or Alaska Native", "17", "7", "41.2%", "0.789"],
        ["Non/Hispanic or Latino", "Female", "Two or More Races", "98", "44", "44.9%", "0.860"],
    ],
    "unknown": 250,
    "unknown_note": "Note: The AEDT was also used to assess 250 individuals with an unknown sex or "
    "race/ethnicity category. Data on those individuals was not included in the calculations above.",
}

# § 5-301(d): columns "# of Applicants", "Scoring Rate", "Impact Ratio".
SCORING = {
    "sex": [
        ["Male", "92", "54.3%", "1.00"],
        ["Female", "76", "44.7%", "0.82"],
    ],
    "race": [
        ["Hispanic or Latino", "28", "64.2%", "1.00"],
        ["White (Not Hispanic or Latino)", "40", "37.5%", "0.58"],
        ["Black or African American (Not Hispanic or Latino)", "32", "50.0%", "0.78"],
        ["Native Hawaiian or Pacific Islander (Not Hispanic or Latino)", "8", "62.5%", "0.97"],
        ["Asian (Not Hispanic or Latino)", "24", "41.7%", "0.65"],
        ["Native American or Alaska Native (Not Hispanic or Latino)", "16", "62.5%", "0.97"],
        ["Two or More Races (Not Hispanic or Latino)", "20", "50.0%", "0.78"],
    ],
    "intersectional": [
        ["Hispanic or Latino", "Male", None, "16", "75%", "1.00"],
        ["Hispanic or Latino", "Female", None, "12", "50%", "0.67"],
        ["Non/Hispanic or Latino", "Male", "White", "20", "35%", "0.47"],
        ["Non/Hispanic or Latino", "Male", "Black or African American", "20", "50%", "0.67"],
        ["Non/Hispanic or Latino", "Male", "Native Hawaiian or Pacific Islander", "4", "75%", "1.00"],
        ["Non/Hispanic or Latino", "Male", "Asian", "12", "58.3%", "0.78"],
        ["Non/Hispanic or Latino", "Male", "Native American or Alaska Native", "8", "62.5", "0.83"],
        ["Non/Hispanic or Latino", "Male", "Two or More Races", "12", "50%", "0.67"],
        ["Non/Hispanic or Latino", "Female", "White", "20", "40%", "0.53"],
        ["Non/Hispanic or Latino", "Female", "Black or African American", "12", "50%", ".67"],
        ["Non/Hispanic or Latino", "Female", "Native Hawaiian or Pacific Islander", "4", "50%", "0.67"],
        ["Non/Hispanic or Latino", "Female", "Asian", "12", "25%", "0.33"],
        ["Non/Hispanic or Latino", "Female", "Native American or Alaska Native", "8", "62.5%", "0.83"],
        ["Non/Hispanic or Latino", "Female", "Two or More Races", "8", "50%", "0.67"],
    ],
    "unknown": 15,
    "unknown_note": "Note: The AEDT was used to assess 15 individuals with an unknown sex or "
    "race/ethnicity category. Data on these individuals was not included in the calculations above.",
}

# How many applicants in each scoring intersectional cell score above the median: the printed
# rate times the count (every printed rate is within rounding of exactly one integer).
SCORING_ABOVE = [12, 6, 7, 10, 3, 7, 5, 6, 8, 6, 2, 3, 5, 4]


def fixture_race(ethnicity, race):
    return HISP if ethnicity == HISP else SHORT[race]


def write_selection():
    rows = []
    for eth, sex, race, n, sel, _rate, _ir in SELECTION["intersectional"]:
        r = fixture_race(eth, race)
        n, sel = int(n), int(sel)
        rows += [(sex, r, 1)] * sel + [(sex, r, 0)] * (n - sel)
    unknown = SELECTION["unknown"]
    rows += [("", "", 1 if i < unknown // 2 else 0) for i in range(unknown)]
    with open(fx / "ll144_example.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "sex", "race", "selected"])
        for i, (sex, race, sel) in enumerate(rows, 1):
            w.writerow([f"S{i:04d}", sex, race, sel])


def write_selection_race():
    with open(fx / "ll144_example_race.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "race", "selected"])
        i = 0
        for race, n, sel, _rate, _ir in SELECTION["race"]:
            n, sel = int(n), int(sel)
            for k in range(n):
                i += 1
                w.writerow([f"R{i:04d}", race, 1 if k < sel else 0])


def write_scoring():
    rows = []
    j = 0
    for (eth, sex, race, n, _rate, _ir), above in zip(SCORING["intersectional"], SCORING_ABOVE):
        r = fixture_race(eth, race)
        for k in range(int(n)):
            j += 1
            step = (j * 37) % 40
            score = 60 + step if k < above else 10 + step
            rows.append((sex, r, score))
    rows += [("", "", 50)] * SCORING["unknown"]
    with open(fx / "ll144_example_scoring.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "sex", "race", "score"])
        for i, (sex, race, score) in enumerate(rows, 1):
            w.writerow([f"C{i:03d}", sex, race, f"0.{score:02d}"])


if __name__ == "__main__":
    write_selection()
    write_selection_race()
    write_scoring()
