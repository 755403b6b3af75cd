//! Issue #18 part 1: the `edges` (one row per reply to a comment) and `interactions` (one
//! row per ordered author pair of a discussion) tables, checked against the `comments` table
//! they come from, on the seeds and on a small discussion worked out by hand.

use std::collections::{HashMap, HashSet};

use crate::util::Workdir;

#[test]
fn seeds_edges_are_the_replies_to_comments() {
    let wd = Workdir::new();
    wd.run(&["analyse", "--format", "jsonl", "--out", "out"]).expect_code(0);
    let c = wd.table("out/comments.jsonl");
    let e = wd.table("out/edges.jsonl");
    // One row per comment whose parent is a comment: five on the seeds.
    let replies: Vec<(String, String, String)> = (0..c.len())
        .filter(|&r| !c.cell(r, "parent_id").is_empty())
        .map(|r| (c.cell(r, "article_id"), c.cell(r, "comment_id"), c.cell(r, "parent_id")))
        .collect();
    assert_eq!(replies.len(), 5);
    let edges: Vec<(String, String, String)> = (0..e.len())
        .map(|r| (e.cell(r, "article_id"), e.cell(r, "comment_id"), e.cell(r, "parent_id")))
        .collect();
    assert_eq!(edges.iter().collect::<HashSet<_>>(), replies.iter().collect::<HashSet<_>>());
    assert_eq!(edges.len(), replies.len());
    // Each edge carries its reply's and its parent's values from `comments`.
    let row: HashMap<(String, String), usize> =
        (0..c.len()).map(|r| ((c.cell(r, "article_id"), c.cell(r, "comment_id")), r)).collect();
    for r in 0..e.len() {
        let me = row[&(e.cell(r, "article_id"), e.cell(r, "comment_id"))];
        let parent = row[&(e.cell(r, "article_id"), e.cell(r, "parent_id"))];
        assert_eq!(e.cell(r, "author"), c.cell(me, "author"));
        assert_eq!(e.cell(r, "parent_author"), c.cell(parent, "author"));
        assert_eq!(e.cell(r, "depth"), c.cell(me, "depth"));
        assert_eq!(e.cell(r, "stance"), c.cell(me, "stance"));
        assert_eq!(e.cell(r, "incivility"), c.cell(me, "incivility"));
        assert_eq!(e.cell(r, "parent_incivility"), c.cell(parent, "incivility"));
        assert!(!e.cell(r, "stance").is_empty(), "the stance model scores every reply");
    }
    // Interactions add up to the edges with both authors known, and reciprocity is mutual.
    let i = wd.table("out/interactions.jsonl");
    let known = (0..e.len())
        .filter(|&r| !e.cell(r, "author").is_empty() && !e.cell(r, "parent_author").is_empty())
        .count();
    let total: usize = i.column("replies").iter().map(|n| n.parse::<usize>().unwrap()).sum();
    assert_eq!(total, known);
    let pairs: HashSet<(String, String, String)> = (0..i.len())
        .map(|r| (i.cell(r, "article_id"), i.cell(r, "author"), i.cell(r, "parent_author")))
        .collect();
    for r in 0..i.len() {
        let back = (i.cell(r, "article_id"), i.cell(r, "parent_author"), i.cell(r, "author"));
        let own = i.cell(r, "author") == i.cell(r, "parent_author");
        assert_eq!(i.cell(r, "reciprocated") == "true", !own && pairs.contains(&back));
        let stances: usize = ["disagree", "neutral", "agree"]
            .iter()
            .map(|k| i.cell(r, k).parse::<usize>().unwrap())
            .sum();
        assert_eq!(stances.to_string(), i.cell(r, "replies"));
    }
    // The Parquet tables say the same.
    wd.run(&["analyse", "--out", "pq"]).expect_code(0);
    assert_eq!(wd.table("pq/edges.parquet").column("comment_id"), e.column("comment_id"));
    assert_eq!(wd.table("pq/interactions.parquet").column("replies"), i.column("replies"));
}

#[test]
fn a_discussion_by_hand() {
    let wd = Workdir::new();
    // ann opens; bob replies twice (once quoting her, 90 s later); ann answers bob; an unknown
    // author replies to bob; cat replies to herself.
    wd.create(
        "t.csv",
        "id,parent_id,author,created_utc,text\n\
         1,,ann,1700000000,The figures in the report are wrong.\n\
         2,1,bob,1700000090,\"> the report are wrong\nNo, they are not.\"\n\
         3,1,bob,1700000300,Another thought.\n\
         4,2,ann,1700003600,Yes they are.\n\
         5,2,,1700003700,Who knows.\n\
         6,,cat,1700000000,A point.\n\
         7,6,cat,,And another.\n",
    );
    wd.run(&["analyse", "t.csv", "--format", "csv", "--out", "o", "--no-scores"]).expect_code(0);
    let e = wd.table("o/edges.csv");
    assert_eq!(e.column("comment_id"), ["2", "4", "5", "3", "7"]);
    assert_eq!(e.column("parent_author"), ["ann", "bob", "bob", "ann", "cat"]);
    assert_eq!(e.column("latency_seconds"), ["90", "3510", "3610", "300", ""]);
    assert_eq!(e.column("quotes_parent"), ["true", "false", "false", "false", "false"]);
    assert_eq!(e.column("stance"), ["", "", "", "", ""]);
    let i = wd.table("o/interactions.csv");
    let rows: Vec<String> = (0..i.len())
        .map(|r| {
            let v = |k: &str| i.cell(r, k);
            format!(
                "{}>{} {} {} {}",
                v("author"),
                v("parent_author"),
                v("replies"),
                v("agree"),
                v("reciprocated")
            )
        })
        .collect();
    assert_eq!(rows, ["ann>bob 1  true", "bob>ann 2  true", "cat>cat 1  false"]);
    assert_eq!(i.cell(1, "first_time"), "2023-11-14T22:14:50Z");
    assert_eq!(i.cell(1, "last_time"), "2023-11-14T22:18:20Z");
}

#[test]
fn graphml_author_network() {
    let wd = Workdir::new();
    wd.create(
        "t.csv",
        "id,parent_id,article_id,author,text\n\
         1,,a,ann,The figures are wrong.\n\
         2,1,a,bob,No they are not.\n\
         3,2,a,ann,Yes they are.\n\
         4,1,a,,Anonymous reply.\n\
         5,,b,bob,Another article.\n\
         6,5,b,ann,I disagree.\n\
         7,5,b,cat,Me too.\n\
         8,,b,O'Neil <&>,Quoting needed.\n",
    );
    let run = wd.run(&["analyse", "t.csv", "--out", "o", "--graph", "g.graphml"]).expect_code(0);
    assert!(run.stderr.contains("g.graphml (4 authors, 3 reply edges)"), "{run:?}");
    let xml = std::fs::read_to_string(wd.join("g.graphml")).unwrap();
    // Nodes in name order: O'Neil <&> (escaped), ann, bob, cat.
    assert!(xml.contains(r#"<data key="name">O&apos;Neil &lt;&amp;&gt;</data>"#), "{xml}");
    assert_eq!(xml.matches("<node ").count(), 4);
    // ann → bob twice over the two discussions, bob → ann once, cat → bob once.
    let edge = |s: usize, t: usize, replies: usize| {
        format!(r#"source="a{s}" target="a{t}"><data key="replies">{replies}</data>"#)
    };
    for (s, t, n) in [(1, 2, 2), (2, 1, 1), (3, 2, 1)] {
        assert!(xml.contains(&edge(s, t, n)), "{s}→{t}: {xml}");
    }
    assert_eq!(xml.matches("<edge ").count(), 3);
    // Scored by the shipped models: shares and mean incivility are there.
    assert!(xml.contains(r#"<data key="disagree_share">"#) && xml.contains("mean_incivility"));
    // An existing file is not replaced without --force; the tables are not written either.
    let run = wd.run(&["analyse", "t.csv", "--out", "o2", "--graph", "g.graphml"]).expect_code(2);
    assert!(run.stderr.contains("g.graphml") && run.stderr.contains("--force"), "{run:?}");
    assert!(!wd.join("o2").exists());
    wd.run(&["analyse", "t.csv", "--out", "o2", "--graph", "g.graphml", "--force", "--no-scores"])
        .expect_code(0);
    let xml = std::fs::read_to_string(wd.join("g.graphml")).unwrap();
    assert!(!xml.contains(r#"<data key="uncivil_share">"#), "no model, no share");
}

#[test]
fn corpus_pairs_add_up_the_discussions() {
    let wd = Workdir::new();
    // ann → bob in both discussions, bob → ann only in `a`, cat → bob only in `b`; times in
    // `b` only.
    wd.create(
        "t.csv",
        "id,parent_id,article_id,author,created_utc,text\n\
         1,,a,bob,,The figures are wrong.\n\
         2,1,a,ann,,No they are not.\n\
         3,2,a,bob,,Yes they are.\n\
         4,2,a,,,Anonymous reply.\n\
         5,,b,bob,1700000000,Another article.\n\
         6,5,b,ann,1700000100,I disagree.\n\
         7,5,b,ann,1700000500,And again.\n\
         8,5,b,cat,1700000200,Me too.\n",
    );
    wd.run(&["analyse", "t.csv", "--format", "csv", "--out", "per"]).expect_code(0);
    let run = wd
        .run(&["analyse", "t.csv", "--format", "csv", "--out", "all", "--corpus-pairs"])
        .expect_code(0);
    let per = wd.table("per/interactions.csv");
    assert_eq!(per.len(), 4);
    assert!(per.column("discussions").iter().all(|d| d == "1"));
    let i = wd.table("all/interactions.csv");
    let rows: Vec<String> = (0..i.len())
        .map(|r| {
            let v = |k: &str| i.cell(r, k);
            format!(
                "{}|{}>{} d{} r{} {}",
                v("article_id"),
                v("author"),
                v("parent_author"),
                v("discussions"),
                v("replies"),
                v("reciprocated")
            )
        })
        .collect();
    assert_eq!(rows, ["|ann>bob d2 r3 true", "|bob>ann d1 r1 true", "|cat>bob d1 r1 false"]);
    assert_eq!(i.cell(0, "first_time"), "2023-11-14T22:15:00Z");
    assert_eq!(i.cell(0, "last_time"), "2023-11-14T22:21:40Z");
    // The counts are the per-discussion rows summed.
    let sum = |t: &crate::util::Table, k: &str| -> usize {
        t.column(k).iter().map(|n| n.parse::<usize>().unwrap()).sum()
    };
    for k in ["replies", "disagree", "neutral", "agree", "uncivil"] {
        assert_eq!(sum(&i, k), sum(&per, k), "{k}");
    }
    // run.json and the written-files line count the corpus rows; the other tables are as before.
    assert!(run.stderr.contains("interactions.csv (3 rows)"), "{run:?}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("all/run.json")).unwrap()).unwrap();
    assert_eq!(manifest["rows"]["interactions"], 3);
    assert_eq!(manifest["interactions"], "corpus");
    assert_eq!(
        wd.table("all/edges.csv").column("comment_id"),
        wd.table("per/edges.csv").column("comment_id")
    );
    // Not for a ConvoKit corpus.
    let run = wd
        .run(&["analyse", "t.csv", "--format", "convokit", "--out", "ck", "--corpus-pairs"])
        .expect_code(1);
    assert!(run.stderr.contains("--corpus-pairs"), "{run:?}");
}

#[test]
fn seeds_dynamics_agree_with_the_comments_table() {
    let wd = Workdir::new();
    wd.run(&["analyse", "--format", "jsonl", "--out", "out"]).expect_code(0);
    let a = wd.table("out/articles.jsonl");
    let c = wd.table("out/comments.jsonl");
    let canary = "002_33127b48be7e0ce9";
    let r = a.row_where("article_id", canary);
    let rows: Vec<usize> = (0..c.len()).filter(|&i| c.cell(i, "article_id") == canary).collect();
    assert_eq!(rows.len(), 8);
    // Fewer than 10 comments: the opening is all of them, nothing comes later.
    let probs: Vec<f64> = rows.iter().map(|&i| c.cell(i, "incivility").parse().unwrap()).collect();
    let mean = probs.iter().sum::<f64>() / probs.len() as f64;
    let opening: f64 = a.cell(r, "opening_incivility").parse().unwrap();
    assert!((opening - mean).abs() < 1e-12, "{opening} vs {mean}");
    assert_eq!(a.cell(r, "later_uncivil_share"), "");
    // Escalation counted from the comments table: replies by whether their parent is uncivil.
    let uncivil: HashMap<String, bool> =
        rows.iter().map(|&i| (c.cell(i, "comment_id"), c.cell(i, "uncivil") == "true")).collect();
    let (mut after_u, mut after_u_u, mut after_c, mut after_c_u) = (0, 0, 0, 0);
    for &i in &rows {
        let p = c.cell(i, "parent_id");
        if p.is_empty() {
            continue;
        }
        let me = uncivil[&c.cell(i, "comment_id")];
        if uncivil[&p] {
            after_u += 1;
            after_u_u += usize::from(me);
        } else {
            after_c += 1;
            after_c_u += usize::from(me);
        }
    }
    assert_eq!(after_u + after_c, 5);
    assert_eq!(a.cell(r, "replies_after_uncivil"), after_u.to_string());
    assert_eq!(a.cell(r, "replies_after_civil"), after_c.to_string());
    let got = |k: &str| a.cell(r, k).parse::<f64>().unwrap();
    assert_eq!(got("uncivil_after_uncivil"), after_u_u as f64 / after_u as f64);
    assert_eq!(got("uncivil_after_civil"), after_c_u as f64 / after_c as f64);
    // A page capture has no authors, times or post-author marks.
    for k in
        ["reentry_share", "first_comment_seconds", "median_reply_seconds", "post_author_comments"]
    {
        assert_eq!(a.cell(r, k), "", "{k}");
    }
}

#[test]
fn thread_dynamics_add_up_to_the_discussions() {
    // Escalation counts replies within threads: the threads' counts sum to the discussion's.
    let wd = Workdir::new();
    wd.run(&["analyse", "--format", "jsonl", "--out", "out"]).expect_code(0);
    let a = wd.table("out/articles.jsonl");
    let t = wd.table("out/threads.jsonl");
    for k in ["replies_after_uncivil", "replies_after_civil"] {
        for r in 0..a.len() {
            let id = a.cell(r, "article_id");
            let sum: usize = (0..t.len())
                .filter(|&i| t.cell(i, "article_id") == id)
                .map(|i| t.cell(i, k).parse::<usize>().unwrap_or(0))
                .sum();
            assert_eq!(a.cell(r, k).parse::<usize>().unwrap_or(0), sum, "{id} {k}");
        }
    }
}
