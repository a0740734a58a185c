//! The `allocate` HTML report and `--plot` charts: the page parses as HTML5, holds the expected
//! charts (each an inline SVG next to its table), links nowhere outside itself, shows every
//! number of its tables as the JSON report has it, escapes hostile agent / item / project names,
//! and `--plot DIR` writes exactly the files the JSON lists, the same bytes on every run.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use scraper::{Html, Selector};
use serde_json::Value;

const HOSTILE_SCRIPT: &str = "<script>alert(1)</script>";
const HOSTILE_IMG: &str = "\"><img src=x onerror=alert(1)>";

/// `fairaudit allocate ARGS --format html -q`: the HTML on standard output (exit 0).
fn html(args: &[&str]) -> String {
    let out = bin()
        .arg("allocate")
        .args(args)
        .args(["--format", "html", "-q"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `fairaudit allocate ARGS --plot DIR --json -q`: the JSON report (exit 0).
fn json_with_plots(args: &[&str], dir: &Path) -> Value {
    let mut a: Vec<&str> = args.to_vec();
    let d = dir.to_str().unwrap();
    a.extend(["--plot", d]);
    engine_json("allocate", &a, 0)
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let s = Selector::parse(css).unwrap();
    doc.select(&s).collect()
}

/// The files `--plot` wrote are exactly the JSON's `plots`, and the names are the charts'.
fn plots_listed(report: &Value, dir: &Path, page_charts: &[String]) -> BTreeSet<String> {
    let listed: BTreeSet<String> = report["plots"]
        .as_array()
        .expect("plots in the JSON")
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap().to_string();
            assert_eq!(
                Path::new(p["path"].as_str().unwrap()),
                dir.join(&file),
                "{p}"
            );
            assert!(!p["title"].as_str().unwrap().is_empty());
            file
        })
        .collect();
    let written: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, written);
    let expected: BTreeSet<String> = page_charts.iter().map(|c| format!("{c}.svg")).collect();
    assert_eq!(listed, expected);
    listed
}

/// Runs `args` as HTML and as JSON with --plot twice: parses, checks charts, numbers, files and
/// determinism. Returns the chart names.
fn check_fixture(args: &[&str]) -> Vec<String> {
    let page = html(args);
    let doc = check_page(&page);
    let names = chart_names(&doc);
    let d1 = tempfile::TempDir::new().unwrap();
    let d2 = tempfile::TempDir::new().unwrap();
    let (p1, p2) = (d1.path().join("plots"), d2.path().join("plots"));
    let r1 = json_with_plots(args, &p1);
    let r2 = json_with_plots(args, &p2);
    let files = plots_listed(&r1, &p1, &names);
    plots_listed(&r2, &p2, &names);
    for f in &files {
        let a = std::fs::read(p1.join(f)).unwrap();
        let b = std::fs::read(p2.join(f)).unwrap();
        assert!(a == b, "{f} differs between two runs");
        let svg = String::from_utf8(a).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<title>"), "{f}");
    }
    assert_eq!(page, html(args), "the HTML differs between two runs");
    let checked = check_numbers(&doc, &r1);
    assert!(checked >= 10, "only {checked} numbers checked");
    names
}

#[test]
fn check_unfair_allocation_page() {
    let args = [
        "check",
        "fixtures/allocate/goods.csv",
        "--allocation",
        "fixtures/allocate/unfair_allocation.csv",
    ];
    assert_eq!(
        check_fixture(&args),
        ["utilities", "envy-graph", "mms-ratio"]
    );
    let page = html(&args);
    let doc = check_page(&page);
    // The bundles are outlined in the heat map: alice's four items, bob's lamp, carol's clock.
    let heat = select(&doc, "figure[data-chart=utilities] svg")[0].html();
    assert_eq!(heat.matches("stroke=\"#E69F00\"").count(), 6, "{heat}");
    // The envy graph has the report's three arrows, labelled with the envy.
    let graph: String = select(&doc, "figure[data-chart=envy-graph] svg")[0]
        .text()
        .collect();
    for label in ["17", "8", "2"] {
        assert!(graph.contains(label), "{graph}");
    }
    // Witnesses in words, not JSON.
    let props: String = select(&doc, "#s3 table")[0].text().collect();
    assert!(
        props.contains("bob envies alice: bob values its own bundle at 3 and alice's at 20"),
        "{props}"
    );
    assert!(
        props.contains("bob gets 3, below its maximin share 8"),
        "{props}"
    );
    assert!(!props.contains('{'), "{props}");
    // An undefined value is shown as such with its reason, never as 0.
    let undefined: Vec<String> = select(&doc, "td.undefined")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert!(
        undefined.iter().any(|t| t.contains("not envy-freeable")),
        "{undefined:?}"
    );
}

#[test]
fn items_and_mixed_pages() {
    assert_eq!(
        check_fixture(&[
            "items",
            "fixtures/allocate/goods_6x24.csv",
            "--method",
            "mnw"
        ]),
        ["utilities", "envy-graph", "mms-ratio"]
    );
    assert_eq!(
        check_fixture(&[
            "items",
            "fixtures/allocate/mixed.csv",
            "--method",
            "double-round-robin"
        ]),
        ["utilities", "envy-graph", "mms-ratio"]
    );
}

#[test]
fn pb_page() {
    let args = [
        "pb",
        "fixtures/pb/poland_warszawa_2017_anin.pb",
        "--rule",
        "mes",
    ];
    assert_eq!(check_fixture(&args), ["pb-projects", "pb-satisfaction"]);
    let doc = check_page(&html(&args));
    // Every project is in the table with its full name; 7 are funded (the report's outcome).
    let rows = select(&doc, "figure[data-chart=pb-projects] tbody tr");
    assert_eq!(rows.len(), 17);
    let all: String = rows.iter().flat_map(|r| r.text()).collect();
    assert!(all.contains("Czasopisma dla całej rodziny: dziecka, mamy i taty w 2017 r."));
    // The histogram's voters add up to the election's 510.
    let voters: u64 = select(
        &doc,
        "figure[data-chart=pb-satisfaction] tbody tr td:last-child",
    )
    .iter()
    .map(|td| {
        td.text()
            .collect::<String>()
            .replace(',', "")
            .parse::<u64>()
            .unwrap()
    })
    .sum();
    assert_eq!(voters, 510);
    // The greedy outcome's priceability is undefined, with the reason.
    let doc = check_page(&html(&[
        "pb",
        "fixtures/pb/poland_warszawa_2017_anin.pb",
        "--rule",
        "greedy",
    ]));
    let checklist: String = select(&doc, "#s3 table")[0].text().collect();
    assert!(
        checklist.contains("priceable") && checklist.contains("MES"),
        "{checklist}"
    );
}

#[test]
fn shapley_pages() {
    assert_eq!(
        check_fixture(&[
            "shapley",
            "fixtures/allocate/glove.csv",
            "--rewards",
            "fixtures/allocate/glove_rewards.csv",
        ]),
        ["shapley", "rewards"]
    );
    let args = [
        "shapley",
        "fixtures/allocate/glove.csv",
        "--samples",
        "3000",
        "--seed",
        "5",
    ];
    assert_eq!(check_fixture(&args), ["shapley"]);
    // Sampled: whiskers (error bars) drawn, the standard errors in the table.
    let doc = check_page(&html(&args));
    let head: String = select(&doc, "figure[data-chart=shapley] thead")[0]
        .text()
        .collect();
    assert!(head.contains("standard error"), "{head}");
}

#[test]
fn json_without_charts_is_unchanged() {
    let r = engine_json(
        "allocate",
        &["pb", "fixtures/pb/poland_warszawa_2017_anin.pb"],
        0,
    );
    assert!(r.get("plots").is_none() && r.get("chart_data").is_none());
    let d = tempfile::TempDir::new().unwrap();
    let r = json_with_plots(
        &["pb", "fixtures/pb/poland_warszawa_2017_anin.pb"],
        &d.path().join("p"),
    );
    assert_eq!(
        r["chart_data"]["projects"].as_array().unwrap().len(),
        17,
        "{}",
        r["chart_data"]
    );
}

#[test]
fn hostile_names_are_text() {
    let d = tempfile::TempDir::new().unwrap();
    let utilities = write(
        d.path(),
        "u.csv",
        "agent,a,b\n<script>alert(1)</script>,5,1\n\"\"\"><img src=x onerror=alert(1)>\",1,6\nbob,2,2\n",
    );
    let pb = write(
        d.path(),
        "h.pb",
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n\
         <script>alert(1)</script>;50;\"\"\"><img src=x onerror=alert(1)>\"\np2;60;park\n\
         VOTES\nvoter_id;vote\n1;<script>alert(1)</script>\n2;p2\n3;p2\n",
    );
    for args in [
        vec!["items", utilities.as_str(), "--method", "round-robin"],
        vec!["pb", pb.as_str()],
    ] {
        let page = html(&args);
        let doc = check_page(&page);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img src"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        // The names are the text of the cells.
        let cells: Vec<String> = select(&doc, "td")
            .iter()
            .map(|e| e.text().collect())
            .collect();
        assert!(cells.iter().any(|c| c == HOSTILE_SCRIPT), "{cells:?}");
        assert!(cells.iter().any(|c| c == HOSTILE_IMG), "{cells:?}");
        let plots = d.path().join(format!("plots-{}", args[0]));
        let r = json_with_plots(&args, &plots);
        for p in r["plots"].as_array().unwrap() {
            let svg = std::fs::read_to_string(p["path"].as_str().unwrap()).unwrap();
            assert!(!svg.contains("<script") && !svg.contains("<img"), "{svg}");
        }
    }
}
