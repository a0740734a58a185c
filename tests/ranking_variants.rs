//! Recommendation lists under prompt variants (FaiRLLM's Jaccard@K, SERP*@K, PRAG*@K, SNSR,
//! SNSV) against `scripts/oracle_ranking.py` (its transcription of FaiRLLM's `process.ipynb`,
//! a154dd6; SERP* as the paper writes it: `serp_paper`), and the small case by hand
//! (tests/expected/ranking/HAND.md).

use fairaudit::ranking::variants::{self, ItemMatch, VariantAudit, VariantSettings, MEASURES};
use serde_json::Value;

fn settings(k: &[usize], bootstrap: usize) -> VariantSettings {
    VariantSettings {
        prompt: None,
        variant: "variant".into(),
        neutral: "neutral".into(),
        attribute: None,
        item: None,
        rank: None,
        score: None,
        cutoffs: k.to_vec(),
        item_match: ItemMatch::Exact,
        bootstrap,
        seed: 7,
        confidence: 0.95,
    }
}

fn run(file: &str, s: &VariantSettings) -> VariantAudit {
    let source = fairaudit::input::source(&format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("source");
    let lists = variants::load(&source, s).expect("load");
    variants::audit(&lists, s)
}

fn expected(name: &str) -> Value {
    let p = format!(
        "{}/tests/expected/ranking/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The oracle's key for a measure.
fn oracle_key(m: variants::Measure) -> &'static str {
    match m {
        variants::Measure::Jaccard => "iou",
        variants::Measure::SerpStar => "serp_paper",
        variants::Measure::PragStar => "prag",
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-12, "{what}: {a} vs {b}");
}

fn check_against_oracle(file: &str, oracle: &str) {
    let ks = [5, 10, 20];
    let audit = run(file, &settings(&ks, 0));
    let exp = expected(oracle);
    let per_value = &exp["per_value_mean_over_prompts"];
    let per_attr = &exp["per_attribute"];
    let mut checked = 0;
    for a in &audit.attributes {
        for v in &a.values {
            let e = &per_value[&v.value];
            assert_eq!(e["attribute"], a.attribute.as_str(), "{}", v.value);
            assert_eq!(e["n_prompts"], v.prompts, "{}", v.value);
            for at in &v.similarity {
                for m in MEASURES {
                    let got = serde_json::to_value(&at).unwrap()[m.name()]["value"]
                        .as_f64()
                        .unwrap();
                    let want = e[at.k.to_string()][oracle_key(m)].as_f64().unwrap();
                    close(got, want, &format!("{} {} @{}", v.value, m.name(), at.k));
                    checked += 1;
                }
            }
        }
        for sp in &a.fairness {
            let e = &per_attr[&a.attribute][sp.k.to_string()][oracle_key(sp.measure)];
            close(sp.snsr.value.unwrap(), e["SNSR"].as_f64().unwrap(), "SNSR");
            close(sp.snsv.value.unwrap(), e["SNSV"].as_f64().unwrap(), "SNSV");
            checked += 2;
        }
    }
    assert!(checked > 0);
}

#[test]
fn recommendations_equal_the_oracle() {
    // 60 prompts, gender (female / male / nonbinary) and age (young / middle-aged / old), K = 20.
    check_against_oracle("fixtures/recommendations.csv", "recommendations");
}

#[test]
fn small_case_by_hand() {
    // HAND.md: prompt u001, K = 5. female shares 4 of 5 items with neutral (Jaccard 4/6);
    // male 3 (3/7). SNSR of Jaccard = 2/3 − 3/7 = 5/21; SNSV = half the range with two values.
    check_against_oracle(
        "fixtures/recommendations_small.csv",
        "recommendations_small",
    );
    let audit = run("fixtures/recommendations_small.csv", &settings(&[5], 0));
    let g = &audit.attributes[0];
    assert_eq!(g.attribute, "gender");
    let f = g.values.iter().find(|v| v.value == "female").unwrap();
    close(
        f.similarity[0].jaccard.value.unwrap(),
        4.0 / 6.0,
        "female jaccard",
    );
    close(
        f.similarity[0].serp_star.value.unwrap(),
        14.0 / 15.0,
        "female serp*",
    );
    let jac = &g.fairness[0];
    close(jac.snsr.value.unwrap(), 2.0 / 3.0 - 3.0 / 7.0, "snsr");
    close(
        jac.snsv.value.unwrap(),
        (2.0 / 3.0 - 3.0 / 7.0) / 2.0,
        "snsv",
    );
    assert_eq!(jac.most_similar.as_deref(), Some("female"));
    assert_eq!(jac.least_similar.as_deref(), Some("male"));
}

#[test]
fn bootstrap_over_prompts_brackets_the_estimate_and_is_seeded() {
    let s = settings(&[10], 200);
    let a = run("fixtures/recommendations.csv", &s);
    let b = run("fixtures/recommendations.csv", &s);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    for attr in &a.attributes {
        for v in &attr.values {
            let j = &v.similarity[0].jaccard;
            let [lo, hi] = j.interval.expect("interval");
            assert!(
                lo <= j.value.unwrap() && j.value.unwrap() <= hi,
                "{}",
                v.value
            );
            assert!(hi - lo > 0.0 && hi - lo < 0.3, "{} [{lo}, {hi}]", v.value);
        }
        // SNSR is a range over values: non-negative in every replicate.
        let [lo, _] = attr.fairness[0].snsr.interval.unwrap();
        assert!(lo >= 0.0);
    }
}
