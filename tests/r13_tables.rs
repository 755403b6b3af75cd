//! Issue #13 regressions in the table (CSV, TSV, JSONL) and JSON readers, from the command
//! line: broken quoting, broken rows, big numeric ids, raw times, long messages, empty
//! discussion ids.

use crate::util::Workdir;

/// Issue #13: a CSV with one stray, unterminated quote folded every later row into one
/// comment's text, exit 0. Now: an error naming the file and the line the field opened
/// on, the discussions before it analysed and written.
#[test]
fn r13_unterminated_quote_is_an_error_and_earlier_rows_are_kept() {
    let wd = Workdir::new();
    wd.create(
        "in/t.csv",
        "article_id,id,parent_id,text\nA,1,,ok\nA,2,1,fine\nB,3,,\"never closed\nB,4,,x\nB,5,,y\n",
    );
    let run = wd.run(&["analyse", "in/t.csv", "--format", "jsonl", "--no-scores"]).expect_code(1);
    assert!(run.stderr.contains("t.csv"), "{run:?}");
    assert!(run.stderr.contains("line 4: a quoted field opens here"), "{run:?}");
    let comments = wd.table("out/comments.jsonl");
    assert_eq!(comments.column("comment_id"), ["1", "2"]);
    assert_eq!(comments.column("article_id"), ["A", "A"]);
}

/// Issue #13: extra fields, short rows and stray quotes were accepted silently; a quoted
/// field over 1,000 lines long likewise. Each is an anomaly with its line; every row is
/// kept.
#[test]
fn r13_broken_rows_are_anomalies_and_rows() {
    let wd = Workdir::new();
    let long = "x\n".repeat(1_001);
    wd.create(
        "t.csv",
        format!(
            "id,parent_id,text\n1,,a,EXTRA\n2,1\n3,1,ab\"c\n4,,\"{long}\"\n5,,fine\n6,,\"x\"y\n"
        ),
    );
    wd.run(&["analyse", "t.csv", "--format", "jsonl", "--no-scores"]).expect_code(0);
    let comments = wd.table("out/comments.jsonl");
    assert_eq!(comments.column("comment_id"), ["1", "2", "3", "4", "5", "6"]);
    let anomalies = wd.table("out/anomalies.jsonl");
    let got: Vec<(String, String)> = (0..anomalies.len())
        .map(|r| (anomalies.cell(r, "kind"), anomalies.cell(r, "line")))
        .collect();
    let want: Vec<(String, String)> =
        [2, 3, 4, 5, 1008].iter().map(|l| ("bad_record".to_string(), l.to_string())).collect();
    assert_eq!(got, want);
    assert!(anomalies.cell(0, "message").contains("EXTRA"));
}

/// Issue #13: numeric ids 2^64 and 2^64+1 (and below -2^63) were rounded to one float:
/// a false duplicate and self-reply, the reply link lost.
#[test]
fn r13_big_numeric_ids_are_kept_exactly() {
    let wd = Workdir::new();
    wd.create(
        "ids.jsonl",
        "{\"id\":18446744073709551616,\"parent_id\":null,\"text\":\"a\"}\n\
         {\"id\":18446744073709551617,\"parent_id\":18446744073709551616,\"text\":\"b\"}\n\
         {\"id\":-9223372036854775809,\"parent_id\":18446744073709551617,\"text\":\"c\"}\n",
    );
    wd.run(&["analyse", "ids.jsonl", "--format", "jsonl", "--no-scores"]).expect_code(0);
    let comments = wd.table("out/comments.jsonl");
    assert_eq!(
        comments.column("comment_id"),
        ["18446744073709551616", "18446744073709551617", "-9223372036854775809"]
    );
    assert_eq!(comments.column("depth"), ["1", "2", "3"]);
    assert_eq!(comments.column("duplicate"), ["false", "false", "false"]);
    assert_eq!(comments.column("self_reply"), ["false", "false", "false"]);
    assert_eq!(wd.table("out/anomalies.jsonl").len(), 0);
}

/// Issue #13: `time_raw` was a re-rendered number (CSV `1e300` became 301 digits,
/// `18446744073709551617` became `18446744073709552000`).
#[test]
fn r13_time_raw_is_what_the_source_wrote() {
    let wd = Workdir::new();
    wd.create("t.csv", "id,parent_id,created_utc\n1,,1e300\n2,,18446744073709551617\n");
    wd.run(&["analyse", "t.csv", "--format", "jsonl", "--no-scores"]).expect_code(0);
    let comments = wd.table("out/comments.jsonl");
    assert_eq!(comments.column("time_raw"), ["1e300", "18446744073709551617"]);
}

/// Issue #13: "no comment id column … (columns: …)" echoed the whole first line (5 MB on
/// stderr for a one-line file): messages quote at most ~200 characters of input.
#[test]
fn r13_error_messages_quote_little_of_the_input() {
    let wd = Workdir::new();
    let key = "k".repeat(5_000_000);
    wd.create("one.jsonl", format!("{{\"{key}\":1}}\n"));
    wd.create("one.json", format!("{{\"{key}\":1}}\n"));
    wd.create("one.csv", format!("id,{key}\n1,2\n"));
    for file in ["one.jsonl", "one.json", "one.csv"] {
        let run = wd.run(&["analyse", file, "--format", "jsonl", "--no-scores"]).expect_code(1);
        assert!(run.stderr.contains(file), "{run:?}");
        assert!(run.stderr.len() < 2_000, "{file}: {} bytes on stderr", run.stderr.len());
        assert!(run.stderr.contains('…'), "{run:?}");
    }
}

/// Issue #13: a table row with an empty discussion id gave `article_id ""` (written as
/// null in CSV) and no anomaly: it goes to `<file stem>#no-discussion`, reported.
#[test]
fn r13_empty_discussion_id_gets_a_visible_id_and_an_anomaly() {
    let wd = Workdir::new();
    wd.create("t.csv", "article_id,id,parent_id,text\nA,1,,a\n,2,,b\n");
    wd.run(&["analyse", "t.csv", "--format", "csv", "--no-scores"]).expect_code(0);
    let comments = wd.table("out/comments.csv");
    assert_eq!(comments.column("article_id"), ["A", "t#no-discussion"]);
    let anomalies = wd.table("out/anomalies.csv");
    assert_eq!(anomalies.len(), 1);
    assert_eq!(anomalies.cell(0, "article_id"), "t#no-discussion");
    assert_eq!(anomalies.cell(0, "line"), "3");
}
