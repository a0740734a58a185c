//! The report of `audit-ranking --variant COL`: recommendation lists under prompt variants
//! ([`variants`] computes them). One [`VariantInput`] per file (files are not pooled: a prompt
//! id means nothing across files), its flat view for gates and CSV, text / Markdown tables and
//! the HTML page (bars of each value's mean similarity to the neutral lists, with intervals).

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use super::variants::{self, ItemMatch, Measure, VariantAudit, VariantSettings, MEASURES};
use crate::gate::{self, GateResult, Level, Number, Observation, Scope};
use crate::render::chart::{self, Bar, Bars};
use crate::render::html::{Cell, Item, Page, PlotFile, Section, Table};
use crate::render::{self, Output, Rendered, ReportInfo, Warning};

/// What the report says it was asked.
#[derive(Debug, Clone, Serialize)]
pub struct VariantReportSettings {
    pub neutral: String,
    pub k: Vec<usize>,
    pub item_match: ItemMatch,
    pub bootstrap: usize,
    pub seed: u64,
    pub ci: f64,
}

/// One file's audit.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInput {
    pub file: String,
    #[serde(flatten)]
    pub audit: VariantAudit,
}

/// The whole report (JSON as documented in docs/report-schema.md, "audit-ranking --variant").
#[derive(Debug, Clone, Serialize)]
pub struct VariantReport {
    pub schema_version: u32,
    pub command: String,
    /// `"variants"`: tells this report from the group-exposure one.
    pub mode: &'static str,
    pub settings: VariantReportSettings,
    pub inputs: Vec<VariantInput>,
    pub passed: bool,
    pub gates: Vec<GateResult>,
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<PlotFile>,
    #[serde(skip)]
    numbers: Vec<Number>,
}

/// Runs the variant mode on every file of `files`.
pub fn run(
    files: &[String],
    read: &crate::input::ReadOptions,
    s: &VariantSettings,
    output: &Output,
) -> Result<Rendered> {
    let gates = gate::parse_all(&output.fail_if)?;
    let sources = crate::input::sources(files, read)?;
    let mut warnings = Vec::new();
    let mut inputs = Vec::new();
    let mut numbers = Vec::new();
    for source in &sources {
        let lists = variants::load(source, s)?;
        let file = source.display.clone();
        for w in &lists.warnings {
            warnings.push(Warning::new(&file, None, w.clone()));
        }
        let audit = variants::audit(&lists, s);
        if audit.prompts_without_neutral > 0 {
            warnings.push(Warning::new(
                &file,
                None,
                format!(
                    "{} of {} prompts have no neutral list ('{}'): their other lists are not compared",
                    audit.prompts_without_neutral, audit.prompts, s.neutral
                ),
            ));
        }
        for a in &audit.attributes {
            if a.values.len() < 2 {
                warnings.push(Warning::new(
                    &file,
                    Some(&a.attribute),
                    format!(
                        "one sensitive value ('{}'): SNSR and SNSV compare two or more",
                        a.values[0].value
                    ),
                ));
            }
        }
        numbers.extend(audit.numbers(&file));
        inputs.push(VariantInput { file, audit });
    }
    let mut model = VariantReport {
        schema_version: render::SCHEMA_VERSION,
        command: "audit-ranking".into(),
        mode: "variants",
        settings: VariantReportSettings {
            neutral: s.neutral.clone(),
            k: s.cutoffs.clone(),
            item_match: s.item_match,
            bootstrap: s.bootstrap,
            seed: s.seed,
            ci: s.confidence,
        },
        inputs,
        passed: true,
        gates: Vec::new(),
        warnings,
        plots: Vec::new(),
        numbers,
    };
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    let figures = render::html::figures(output, || page(&model))?;
    model.plots = figures.plots;
    let info = ReportInfo {
        command: "audit-ranking".into(),
        inputs: model.inputs.iter().map(|i| i.file.clone()).collect(),
        warnings: model.warnings.clone(),
    };
    let mut rendered = render::render_with(
        &model,
        output.format,
        model.passed,
        &model.gates,
        info,
        || model.csv(),
        |md| model.text(s, md),
        figures.page.as_ref(),
    )?;
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}

impl VariantReport {
    /// The table / Markdown report: per file, per attribute, each value's mean similarities at
    /// each K and the attribute's SNSR / SNSV; then the gates and warnings.
    pub fn text(&self, s: &VariantSettings, markdown: bool) -> String {
        let mut out = String::new();
        for i in &self.inputs {
            if markdown {
                let _ = writeln!(
                    out,
                    "# audit-ranking (lists under prompt variants): {}\n",
                    render::markdown_text(&i.file)
                );
            } else {
                let _ = writeln!(
                    out,
                    "audit-ranking (lists under prompt variants): {}",
                    i.file
                );
            }
            out.push_str(&i.audit.text(s, markdown));
        }
        out.push_str(&render::gates_and_warnings(
            &self.gates,
            &self.warnings,
            markdown,
            !markdown && render::use_colour(),
        ));
        out
    }

    /// One row per number: file, level (attribute / value), attribute, value, metric, its
    /// estimate, interval and why it is undefined.
    pub fn csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "file",
            "level",
            "attribute",
            "value",
            "metric",
            "estimate",
            "lower",
            "upper",
            "undefined",
        ])?;
        for n in &self.numbers {
            let [v, lo, hi, why] = crate::render::csv_cells(n);
            w.write_record([
                n.file.as_str(),
                if n.level == Level::Group {
                    "value"
                } else {
                    "attribute"
                },
                n.attribute.as_deref().unwrap_or(""),
                n.group.as_deref().unwrap_or(""),
                &n.metric,
                &v,
                &lo,
                &hi,
                &why,
            ])?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }

    fn attributes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for i in &self.inputs {
            for a in &i.audit.attributes {
                if !out.contains(&a.attribute.as_str()) {
                    out.push(&a.attribute);
                }
            }
        }
        out
    }

    /// The attributes a sensitive value belongs to.
    fn attributes_of(&self, value: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for i in &self.inputs {
            for a in &i.audit.attributes {
                if a.values.iter().any(|v| v.value == value) && !out.contains(&a.attribute.as_str())
                {
                    out.push(&a.attribute);
                }
            }
        }
        out
    }
}

impl gate::Gateable for VariantReport {
    /// Names: `jaccard@K`, `serp_star@K`, `prag_star@K` (a value's mean similarity; scope
    /// `ATTRIBUTE=VALUE:` or `VALUE:`, or none for every value) and `snsr_M@K`, `snsv_M@K` (an
    /// attribute's spread; scope `ATTRIBUTE:`, or none for every attribute), with `.lower` /
    /// `.upper` under `--bootstrap`.
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>> {
        let (base, end) = gate::interval_end(name);
        let mut known: Vec<&str> = Vec::new();
        for n in &self.numbers {
            if !known.contains(&n.metric.as_str()) {
                known.push(&n.metric);
            }
        }
        if !known.contains(&base) {
            let hint = crate::input::closest_name(base, &known)
                .map(|c| format!("did you mean '{c}'? "))
                .unwrap_or_default();
            anyhow::bail!(
                "unknown metric '{base}' for lists under prompt variants; {hint}known: {} \
                 (one per --k cut-off)",
                known.join(", ")
            );
        }
        if end.is_some() && self.settings.bootstrap == 0 {
            anyhow::bail!("'{name}' is an interval end: run with --bootstrap N");
        }
        let attrs = self.attributes();
        let unknown_scope = |a: &str| {
            let mut names: Vec<&str> = attrs.clone();
            for i in &self.inputs {
                for at in &i.audit.attributes {
                    names.extend(at.values.iter().map(|v| v.value.as_str()));
                }
            }
            let hint = crate::input::closest_name(a, &names)
                .map(|c| format!("; did you mean '{c}'?"))
                .unwrap_or_default();
            anyhow::anyhow!(
                "scope '{a}' is neither an attribute ({}) nor a sensitive value{hint}",
                attrs.join(", ")
            )
        };
        let scope = match scope {
            Scope::All => Scope::All,
            Scope::Overall => anyhow::bail!(
                "lists under prompt variants have no overall numbers: scope a gate to an \
                 attribute ({}) or a value, or leave the scope out",
                attrs.join(", ")
            ),
            Scope::Attribute(a) if attrs.contains(&a.as_str()) => scope.clone(),
            Scope::Attribute(v) => match self.attributes_of(v)[..] {
                [a] => Scope::Group(a.to_string(), v.clone()),
                [] => return Err(unknown_scope(v)),
                ref several => anyhow::bail!(
                    "'{v}' is a value of {}: write ATTRIBUTE={v}:",
                    several.join(" and ")
                ),
            },
            Scope::Group(a, v) => {
                if !attrs.contains(&a.as_str()) {
                    return Err(unknown_scope(a));
                }
                if !self.attributes_of(v).contains(&a.as_str()) {
                    return Err(unknown_scope(v));
                }
                scope.clone()
            }
        };
        let found = gate::select(&self.numbers, &scope, base, end, name);
        if found.is_empty() {
            anyhow::bail!(
                "'{base}' has no value in that scope ({})",
                if matches!(scope, Scope::Group(..)) {
                    "SNSR / SNSV belong to an attribute: scope it as 'ATTRIBUTE:NAME'"
                } else {
                    "a mean similarity belongs to a value: scope it as 'ATTRIBUTE=VALUE:NAME' or leave the scope out"
                }
            );
        }
        Ok(found)
    }
}

/// The HTML page: per file and attribute, bars of each value's mean similarity to the neutral
/// lists at the largest K (Jaccard, SERP*, PRAG*), with intervals under `--bootstrap`; the
/// table of every number.
pub fn page(r: &VariantReport) -> Result<Page> {
    let mut sections = Vec::new();
    let k = r.settings.k.last().copied().unwrap_or(0);
    for i in &r.inputs {
        for a in &i.audit.attributes {
            let mut s = Section::new(format!("{} — {}", a.attribute, i.file));
            for m in MEASURES {
                let ki = r.settings.k.len() - 1;
                let mut bars = Vec::new();
                let mut rows = Vec::new();
                for v in &a.values {
                    let at = &v.similarity[ki];
                    let st = match m {
                        Measure::Jaccard => &at.jaccard,
                        Measure::SerpStar => &at.serp_star,
                        Measure::PragStar => &at.prag_star,
                    };
                    let value = st
                        .value
                        .ok_or_else(|| st.undefined.unwrap_or("undefined").to_string());
                    bars.push(Bar {
                        label: v.value.clone(),
                        value: value.clone(),
                        interval: st.interval.map(|[lo, hi]| (lo, hi)),
                        flagged: false,
                    });
                    let mut row = vec![
                        Cell::text(&v.value),
                        Cell::Amount(v.prompts as f64),
                        Cell::value(value),
                    ];
                    if r.settings.bootstrap > 0 {
                        row.push(Cell::value(
                            st.interval
                                .map(|x| x[0])
                                .ok_or_else(|| "no interval".to_string()),
                        ));
                        row.push(Cell::value(
                            st.interval
                                .map(|x| x[1])
                                .ok_or_else(|| "no interval".to_string()),
                        ));
                    }
                    rows.push(row);
                }
                let spread = a
                    .fairness
                    .iter()
                    .find(|sp| sp.k == k && sp.measure == m)
                    .expect("every measure at every K");
                let metric = variants::metric_name("", m, k);
                let c = chart::bars(&Bars {
                    name: chart::slug(&[&a.attribute, &metric]),
                    title: format!("{metric} by {} (similarity to the neutral list)", a.attribute),
                    desc: format!(
                        "Mean over prompts of {metric} between the list under each value of {} and the \
                         neutral list of the same prompt; 1 = the same list. SNSR (range) {}, SNSV (std) {}.",
                        a.attribute,
                        render::fmt_num(spread.snsr.value),
                        render::fmt_num(spread.snsv.value)
                    ),
                    x_label: metric.clone(),
                    bars,
                    rules: Vec::new(),
                    band: None,
                    x_range: Some((0.0, 1.0)),
                    interval_label: if r.settings.bootstrap > 0 {
                        format!("{}% bootstrap interval", (r.settings.ci * 100.0).round())
                    } else {
                        String::new()
                    },
                })?;
                let mut header = vec![a.attribute.clone(), "prompts".into(), metric.clone()];
                if r.settings.bootstrap > 0 {
                    header.push("lower".into());
                    header.push("upper".into());
                }
                s.items.push(Item::Figure(
                    c,
                    Table {
                        caption: format!("{metric} per value"),
                        header,
                        rows,
                        notes: vec![],
                    },
                ));
            }
            // Every SNSR / SNSV.
            let rows =
                a.fairness
                    .iter()
                    .flat_map(|sp| {
                        [("snsr", &sp.snsr), ("snsv", &sp.snsv)].map(|(p, st)| {
                            vec![
                                Cell::text(variants::metric_name(p, sp.measure, sp.k)),
                                Cell::value(st.value.ok_or_else(|| {
                                    st.undefined.unwrap_or("undefined").to_string()
                                })),
                                Cell::text(sp.least_similar.clone().unwrap_or_default()),
                                Cell::text(sp.most_similar.clone().unwrap_or_default()),
                            ]
                        })
                    })
                    .collect();
            s.items.push(Item::Table(Table {
                caption: format!(
                    "Spread over the values of {} (larger = less fair)",
                    a.attribute
                ),
                header: vec![
                    "metric".into(),
                    "value".into(),
                    "least similar".into(),
                    "most similar".into(),
                ],
                rows,
                notes: vec![],
            }));
            sections.push(s);
        }
    }
    let inputs = super::html::inputs_table(
        "prompts",
        r.inputs.iter().map(|i| {
            let c = &i.audit.columns;
            (
                i.file.as_str(),
                i.audit.rows,
                i.audit.prompts,
                format!(
                    "prompt {}, variant {}, item {}, {}{}",
                    c.prompt,
                    c.variant,
                    c.item,
                    match (&c.rank, &c.score) {
                        (Some(r), _) => format!("rank {r}"),
                        (None, Some(s)) => format!("score {s}"),
                        _ => String::new(),
                    },
                    c.attribute
                        .as_ref()
                        .map(|a| format!(", attribute {a}"))
                        .unwrap_or_default()
                ),
            )
        }),
    );
    Ok(Page {
        command: r.command.clone(),
        subject: r
            .inputs
            .iter()
            .map(|i| i.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passed: r.passed,
        gates: r.gates.clone(),
        inputs,
        settings: render::html::settings_list(&r.settings),
        warnings: r.warnings.clone(),
        sections,
    })
}
