//! `threadlens report`: the rendered summary and tree, its JSON form, and a
//! tree far deeper than the renderer draws guides for.

use serde_json::Value;
use threadlens::report::MAX_DRAWN_DEPTH;

use crate::analyse::{CANARY, SEED_IDS};
use crate::util::{Workdir, assert_eq_nice};

/// The Canary seed's comment ids in pre-order, with their depths.
const CANARY_TREE: [(&str, u64); 8] =
    [("1", 1), ("1.1", 2), ("1.2", 2), ("1.3", 2), ("2", 1), ("2.1", 2), ("3", 1), ("3.1", 2)];

#[test]
fn seed_report_tree() {
    let wd = Workdir::new();
    let run = wd.run(&["report", "--tree"]).expect_code(0);
    assert_eq_nice(
        "threadlens: note: no INPUT given; reading the 5 bundled seed captures (seeds/)\n",
        &run.stderr,
    );
    // Reviewed by eye: the Canary's tree of 8 comments and four articles
    // without a comment section.
    insta::assert_snapshot!("seed_report_tree", run.stdout);

    // What the snapshot must show, checked on its own so that accepting a
    // wrong snapshot cannot hide it.
    assert_eq!(run.stdout.matches("none (no comment section").count(), 4);
    let tree_ids: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.trim_start_matches([' ', '│']).strip_prefix(['├', '└']))
        .filter_map(|rest| rest.trim_start_matches('─').split_whitespace().next())
        .collect();
    assert_eq!(tree_ids, CANARY_TREE.map(|(id, _)| id));
}

fn report_json(wd: &Workdir, args: &[&str]) -> Vec<Value> {
    let run = wd.run(args).expect_code(0);
    match serde_json::from_str(&run.stdout) {
        Ok(Value::Array(reports)) => reports,
        other => panic!("expected a JSON array, got {other:?}\n{run:?}"),
    }
}

#[test]
fn report_json_with_and_without_tree() {
    let wd = Workdir::new();
    let with_tree = report_json(&wd, &["report", "--json", "--tree"]);
    let without = report_json(&wd, &["report", "--json"]);

    for reports in [&with_tree, &without] {
        let ids: Vec<&str> = reports.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, SEED_IDS);
        let canary = reports.iter().find(|r| r["id"] == CANARY).unwrap();
        let m = &canary["metrics"];
        let got = ["comments", "threads", "max_depth"].map(|k| m[k].as_u64());
        assert_eq!(got, [Some(8), Some(3), Some(2)], "{m:#}");
    }
    assert!(without.iter().all(|r| r.get("tree").is_none()), "{without:#?}");

    for r in &with_tree {
        let tree = r["tree"].as_array().unwrap_or_else(|| panic!("no tree array in {r:#}"));
        if r["id"] != CANARY {
            assert!(tree.is_empty(), "{r:#}");
            continue;
        }
        let got: Vec<(&str, u64)> = tree
            .iter()
            .map(|t| (t["id"].as_str().unwrap(), t["depth"].as_u64().unwrap()))
            .collect();
        assert_eq!(got, CANARY_TREE);
        // Pre-order: each reply's parent is the nearest earlier line one
        // level up.
        for (i, t) in tree.iter().enumerate() {
            let depth = t["depth"].as_u64().unwrap();
            let expected_parent = tree[..i]
                .iter()
                .rev()
                .find(|p| p["depth"].as_u64() == Some(depth - 1))
                .map_or(Value::Null, |p| p["id"].clone());
            assert_eq!(t["parent_id"], expected_parent, "line {i}: {t:#}");
        }
    }
}

/// A 2,000-deep reply chain: each item indented one column more than the
/// one above. Its ids are position paths `1`, `1.1`, `1.1.1`, …
fn deep_chain(depth: usize) -> String {
    let mut s = String::from("A very deep thread\n\nBody.\nShow Comments\n");
    for level in 1..=depth {
        s.push_str(&format!("{}1. level {level}\n", " ".repeat(level + 1)));
    }
    s
}

fn chain_id(depth: usize) -> String {
    vec!["1"; depth].join(".")
}

#[test]
fn report_draws_a_2000_deep_chain_with_depths_written_out() {
    const DEPTH: usize = 2000;
    let wd = Workdir::new();
    wd.create("deep.txt", deep_chain(DEPTH));
    let run = wd.run(&["report", "--tree", "deep.txt"]).expect_code(0);
    assert!(run.stdout.contains("max depth 2000"), "{}", &run.stdout[..500]);
    assert!(run.stdout.contains("anomalies:  none"), "{}", &run.stdout[..500]);

    let tree: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" level ")).collect();
    assert_eq!(tree.len(), DEPTH);
    // Each line is last among its siblings, so the guides are blank and
    // stop at MAX_DRAWN_DEPTH; past it the depth is written out.
    let line = |depth: usize| {
        let drawn = depth.min(MAX_DRAWN_DEPTH);
        let shown =
            if depth > MAX_DRAWN_DEPTH { format!("[depth {depth}] ") } else { String::new() };
        format!("  {}└─ {shown}{} level {depth}", "   ".repeat(drawn - 1), chain_id(depth))
    };
    for depth in [1, 2, MAX_DRAWN_DEPTH, MAX_DRAWN_DEPTH + 1, DEPTH] {
        assert_eq_nice(&line(depth), tree[depth - 1]);
    }
    // Output stays linear: no line's prefix grows past the drawn levels.
    let widest = tree.iter().map(|l| l.chars().take_while(|c| " │├└─".contains(*c)).count()).max();
    assert_eq!(widest, Some(2 + 3 * MAX_DRAWN_DEPTH));
}
