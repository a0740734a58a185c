//! `--preset ll144|eeoc`: the legal view ([`legal::LegalView`]) built from the finished report —
//! its groups' counts, rates, impact ratios, tests and shortfalls, in the rule's layout.

use serde_json::{Map, Value as Json};

use super::legal::{self, EeocFigures, LegalInput, LegalRow, LegalTable, LegalView};
use super::report::{AttributeReport, FairnessReport, GroupReport};
use super::settings::Preset;

/// Significance level of the EEOC view's finding.
const ALPHA: f64 = 0.05;

fn num(m: &Map<String, Json>, k: &str) -> Option<f64> {
    m.get(k).and_then(Json::as_f64)
}

fn row(g: &GroupReport, eeoc: bool) -> LegalRow {
    let selected = g
        .rows
        .as_ref()
        .map_or(g.selected.unwrap_or(0.0).round() as u64, |r| r.fp + r.tp);

    let m = &g.metrics;
    let ir = num(m, "disparate_impact_ratio");
    LegalRow {
        category: g.group.clone(),
        applicants: g.n,
        selected,
        rate: num(m, "selection_rate"),
        impact_ratio: ir,
        excluded: g.excluded.clone(),
        eeoc: eeoc.then(|| {
            let z_p = num(m, "z_test_p_value");
            let f_p = num(m, "fisher_exact_p_value");
            EeocFigures {
                z_statistic: num(m, "z_statistic"),
                z_test_p_value: z_p,
                fisher_exact_p_value: f_p,
                shortfall_to_parity: num(m, "shortfall_to_parity"),
                shortfall_to_four_fifths: num(m, "shortfall_to_four_fifths"),
                below_four_fifths: ir
                    .filter(|_| g.excluded.is_none())
                    .map(|r| r < super::audit::FOUR_FIFTHS),
                statistically_significant: z_p.zip(f_p).map(|(a, b)| a < ALPHA && b < ALPHA),
            }
        }),
    }
}

fn table(a: &AttributeReport, eeoc: bool) -> LegalTable {
    LegalTable {
        file: a.file.clone(),
        attribute: a.name.clone(),
        most_selected_group: a.most_selected_group.clone(),
        unknown: a.groups.iter().filter(|g| g.unknown).map(|g| g.n).sum(),
        rows: a
            .groups
            .iter()
            .filter(|g| !g.unknown)
            .map(|g| row(g, eeoc))
            .collect(),
    }
}

/// The legal view of `model` for `preset`.
pub fn view(model: &FairnessReport, preset: Preset) -> LegalView {
    let eeoc = preset == Preset::Eeoc;
    // Individuals with any unknown category: the unknown groups of each input's last unit (the
    // intersection of all attributes, or the one attribute).
    let inputs: Vec<LegalInput> = model
        .inputs
        .iter()
        .map(|inp| {
            let last = model.attributes.iter().rfind(|a| a.file == inp.path);
            LegalInput {
                file: inp.path.clone(),
                unknown_individuals: last.map_or(0, |a| {
                    a.groups.iter().filter(|g| g.unknown).map(|g| g.n).sum()
                }),
                median_score: inp.columns.scoring_median,
            }
        })
        .collect();
    let scoring = inputs.iter().any(|i| i.median_score.is_some());
    LegalView {
        preset: preset.name().to_string(),
        source: match preset {
            Preset::Ll144 => legal::LL144_SOURCE,
            Preset::Eeoc => legal::EEOC_SOURCE,
        }
        .to_string(),
        rate: if scoring {
            "scoring_rate"
        } else {
            "selection_rate"
        }
        .to_string(),
        inputs,
        exclude_below: model.settings.exclude_below,
        tables: model.attributes.iter().map(|a| table(a, eeoc)).collect(),
    }
}
