//! `threadlens analyse` end to end: the tables it writes, how it reports
//! inputs it cannot read, and what its output folder holds afterwards.

use predicates::prelude::*;
use threadlens::export::TableSpec;
use threadlens::export::schema::{ANOMALIES, ARTICLES, COMMENTS, EDGES, INTERACTIONS, THREADS};

use crate::util::{Table, Workdir};

/// The bundled seeds' ids, in the order they are read.
pub const SEED_IDS: [&str; 5] = [
    "000_d9b278959070677e",
    "001_999234820501752a",
    "002_33127b48be7e0ce9",
    "003_f25abc09e29af3fb",
    "004_f6aa056cd6eb0edf",
];

/// The seed with a comment section (The Canary): 8 comments in 3 threads.
pub const CANARY: &str = "002_33127b48be7e0ce9";

/// A capture with three comments: a thread of two and a single one.
const THREE_COMMENTS: &str = "\
Three comments
Body of the first article.
Show Comments
  1. First
    1. A reply to first
  2. Second
Leave a Reply
";

/// A capture with two top-level comments, `•` before the section header.
const TWO_COMMENTS: &str = "\
Two comments

Body of the second article.
• Show Comments
  1. Alpha
  2. Beta
";

/// Breaks two rules (issue #2): item `3.` on line 7 should be `2.` (a
/// numbering gap), and the item on line 9 is indented 5 columns, between
/// its sibling's 6 and its parent's 2 (fits no level).
const GAP_AND_BAD_INDENT: &str = "\
Gaps and indents

Body of the article.
Show Comments
  1. First comment
    1. A reply to it
  3. Numbered three but second
      1. Deep reply
     2. Between levels
Leave a Reply
";

fn column_names(spec: &TableSpec) -> Vec<String> {
    spec.columns.iter().map(|c| c.name.to_string()).collect()
}

fn tables(ext: &str) -> [(&'static TableSpec, String); 6] {
    [&ARTICLES, &COMMENTS, &THREADS, &ANOMALIES, &EDGES, &INTERACTIONS]
        .map(|s| (s, format!("out/{}.{ext}", s.name)))
}

#[test]
fn seeds_to_parquet() {
    let wd = Workdir::new();
    let run = wd.run(&["analyse"]).expect_code(0);
    for id in SEED_IDS {
        assert!(run.stderr.contains(id), "stderr does not name {id}:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("8 comments"), "{}", run.stderr);

    let rows: Vec<(&str, usize)> = tables("parquet")
        .iter()
        .map(|(spec, path)| {
            let t = wd.table(path);
            assert_eq!(t.columns, column_names(spec), "columns of {path}");
            (spec.name, t.len())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("articles", 5),
            ("comments", 8),
            ("threads", 3),
            ("anomalies", 0),
            ("edges", 5),
            ("interactions", 0)
        ]
    );

    let articles = wd.table("out/articles.parquet");
    assert_eq!(articles.column("article_id"), SEED_IDS);
    let r = articles.row_where("article_id", CANARY);
    let got: Vec<String> = ["outlet", "comments", "threads", "max_depth"]
        .iter()
        .map(|c| articles.cell(r, c))
        .collect();
    assert_eq!(got, ["The Canary", "8", "3", "2"]);

    let comments = wd.table("out/comments.parquet");
    assert_eq!(comments.column("article_id"), [CANARY; 8]);
    assert_eq!(comments.column("comment_id"), ["1", "1.1", "1.2", "1.3", "2", "2.1", "3", "3.1"]);
}

/// The Parquet key-value metadata of `path`.
fn parquet_metadata(path: &std::path::Path) -> std::collections::HashMap<String, String> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let kv = reader.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    kv.into_iter().map(|kv| (kv.key, kv.value.unwrap_or_default())).collect()
}

#[test]
fn parquet_files_name_the_version_and_the_models_behind_the_scores() {
    let wd = Workdir::new();
    wd.run(&["analyse"]).expect_code(0);
    let shipped = |json: &str| -> serde_json::Value { serde_json::from_str(json).unwrap() };
    let incivility = shipped(include_str!("../models/incivility.json"));
    let stance = shipped(include_str!("../models/stance.json"));
    let german = shipped(include_str!("../models/incivility-de.json"));
    for table in ["articles", "threads", "comments", "anomalies"] {
        let kv = parquet_metadata(&wd.path().join(format!("out/{table}.parquet")));
        assert_eq!(kv["threadlens.version"], env!("CARGO_PKG_VERSION"), "{table}");
        let scores: serde_json::Value = serde_json::from_str(&kv["threadlens.scores"]).unwrap();
        let models = scores["models"].as_array().unwrap();
        let columns: Vec<&str> = models.iter().map(|m| m["column"].as_str().unwrap()).collect();
        // English and German incivility, English stance.
        assert_eq!(columns, ["incivility", "incivility", "stance"], "{table}");
        let languages: Vec<&str> = models.iter().map(|m| m["language"].as_str().unwrap()).collect();
        assert_eq!(languages, ["en", "de", "en"], "{table}");
        assert_eq!(models[0]["threshold"], incivility["threshold"], "{table}");
        assert_eq!(models[0]["classes"], incivility["model"]["classes"], "{table}");
        assert_eq!(models[1]["threshold"], german["threshold"], "{table}");
        assert_eq!(models[2]["class_bias"], stance["class_bias"], "{table}");
        assert_eq!(
            models[2]["features"].as_u64().unwrap() as usize,
            stance["feature_names"].as_array().unwrap().len()
        );
        assert_eq!(scores["side_min_link_confidence"], 0.4, "{table}");
    }

    // Without scores the metadata says so.
    wd.run(&["analyse", "--no-scores"]).expect_code(0);
    let kv = parquet_metadata(&wd.path().join("out/comments.parquet"));
    let scores: serde_json::Value = serde_json::from_str(&kv["threadlens.scores"]).unwrap();
    assert_eq!(scores["models"], serde_json::json!([]));
    assert!(scores["side_min_link_confidence"].is_null());
}

/// CSV and JSONL hold the same rows and columns as Parquet: every cell
/// agrees (floats to 1e-12, since each format prints them its own way).
#[test]
fn seeds_to_csv_and_jsonl_match_parquet() {
    let wd = Workdir::new();
    // One folder per format: a run replaces its folder's tables as a set.
    for format in ["parquet", "csv", "jsonl"] {
        wd.run(&["analyse", "--format", format, "--out", &format!("out-{format}")]).expect_code(0);
    }
    for (spec, _) in tables("parquet") {
        let parquet = wd.table(&format!("out-parquet/{}.parquet", spec.name));
        for ext in ["csv", "jsonl"] {
            let path = format!("out-{ext}/{}.{ext}", spec.name);
            let other = wd.table(&path);
            assert_eq!(other.len(), parquet.len(), "rows of {path}");
            // An empty JSONL file has no keys to name the columns.
            if !(ext == "jsonl" && other.len() == 0) {
                assert_eq!(other.columns, column_names(spec), "columns of {path}");
            }
            assert_same_cells(&parquet, &other, &path);
        }
    }
}

#[track_caller]
fn assert_same_cells(expected: &Table, got: &Table, what: &str) {
    for row in 0..expected.len() {
        for col in &expected.columns {
            let (e, g) = (expected.cell(row, col), got.cell(row, col));
            let same = e == g
                || matches!((e.parse::<f64>(), g.parse::<f64>()),
                    (Ok(x), Ok(y)) if (x - y).abs() <= 1e-12 * x.abs().max(1.0));
            assert!(same, "{what}: row {row}, column `{col}`: expected {e:?}, got {g:?}");
        }
    }
}

#[test]
fn unreadable_files_are_reported_and_the_rest_is_written() {
    let wd = Workdir::new();
    wd.create("captures/a.txt", THREE_COMMENTS);
    wd.create("captures/b.txt", TWO_COMMENTS);
    wd.create("captures/latin1.txt", b"Caf\xe9 headline\n\nBody \xff.\n");
    // Truncated JSON: a parse error with its position (issue #3 made HTML
    // pages readable, so a broken JSON file is the unreadable format here).
    wd.create("captures/broken.json", "[{\"id\": 1, \"post\": 5,\n  \"parent\": ");
    let run = wd.run(&["analyse", "captures", "--out", "out"]).expect_code(1);

    let errors: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("threadlens: error: ")).collect();
    assert_eq!(errors.len(), 2, "{run:?}");
    let named = |path: &str| errors.iter().filter(|l| l.contains(path)).count();
    assert_eq!((named("captures/latin1.txt"), named("captures/broken.json")), (1, 1), "{run:?}");
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with("threadlens: error: captures/latin1.txt: not valid UTF-8"))
    );
    assert!(errors.iter().any(
        |l| l.starts_with("threadlens: error: captures/broken.json: ") && l.contains("line 2")
    ));

    let articles = wd.table("out/articles.parquet");
    assert_eq!(articles.column("article_id"), ["a", "b"]);
    assert_eq!(articles.column("comments"), ["3", "2"]);
    let comments = wd.table("out/comments.parquet");
    assert_eq!(comments.column("article_id"), ["a", "a", "a", "b", "b"]);
    assert_eq!(comments.column("comment_id"), ["1", "1.1", "2", "1", "2"]);
}

#[test]
fn missing_input_is_an_error_naming_it() {
    let wd = Workdir::new();
    wd.create("good.txt", TWO_COMMENTS);
    let run = wd.run(&["analyse", "good.txt", "no/such.txt"]).expect_code(1);
    assert!(
        run.stderr.lines().any(|l| l.starts_with("threadlens: error: no/such.txt: ")),
        "{run:?}"
    );
    // The readable input is still analysed.
    assert_eq!(wd.table("out/articles.parquet").column("article_id"), ["good"]);
}

#[test]
fn unknown_export_format_is_rejected_while_parsing_arguments() {
    let wd = Workdir::new();
    wd.command(&["analyse", "--format", "xlsx"]).assert().code(2).stderr(
        predicate::str::contains("xlsx").and(predicate::str::contains("parquet, csv, jsonl")),
    );
    // Rejected before anything ran: no output folder.
    assert!(!wd.join("out").exists());
}

#[test]
fn numbering_gap_and_bad_indentation_are_anomalies_and_nothing_is_lost() {
    let wd = Workdir::new();
    wd.create("gaps.txt", GAP_AND_BAD_INDENT);
    wd.run(&["analyse", "gaps.txt", "--format", "csv"]).expect_code(0);

    let anomalies = wd.table("out/anomalies.csv");
    let got: Vec<[String; 4]> = (0..anomalies.len())
        .map(|r| ["article_id", "kind", "line", "comment_id"].map(|c| anomalies.cell(r, c)))
        .collect();
    let expected = [["gaps", "numbering_gap", "7", "2"], ["gaps", "bad_indentation", "9", "2.2"]];
    assert_eq!(got, expected.map(|row| row.map(String::from)));

    let articles = wd.table("out/articles.csv");
    assert_eq!(articles.column("anomalies"), [anomalies.len().to_string()]);

    let comments = wd.table("out/comments.csv");
    assert_eq!(comments.column("comment_id"), ["1", "1.1", "2", "2.1", "2.2"]);
    assert_eq!(comments.column("parent_id"), ["", "1", "", "2", "2"]);
    assert_eq!(comments.column("line"), ["5", "6", "7", "8", "9"]);
    assert_eq!(
        comments.column("text"),
        [
            "First comment",
            "A reply to it",
            "Numbered three but second",
            "Deep reply",
            "Between levels"
        ]
    );
    assert_eq!(articles.column("comments"), [comments.len().to_string()]);
}

#[test]
fn successful_run_leaves_only_the_tables() {
    let wd = Workdir::new();
    for format in ["parquet", "csv", "jsonl"] {
        wd.run(&["analyse", "--format", format]).expect_code(0);
        // Each run replaces the folder's set: its four tables and its manifest, nothing else
        // (a leftover temporary file would start with a dot).
        let mut expected: Vec<String> =
            tables(format).map(|(_, p)| p.trim_start_matches("out/").to_string()).to_vec();
        expected.push("run.json".into());
        expected.sort();
        assert_eq!(wd.list("out"), expected);
        assert_eq!(wd.list("."), ["out"], "no staging folder is left beside it");
    }
}

/// A table that cannot be put in place (its name is taken by a folder)
/// fails the run, and no temporary file is left behind.
#[test]
fn failed_rename_leaves_no_temp_files() {
    let wd = Workdir::new();
    wd.create("out/comments.parquet/keep", "not a table");
    let run = wd.run(&["analyse"]).expect_code(1);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("threadlens: error: ") && l.contains("comments.parquet")),
        "{run:?}"
    );
    let names = wd.list("out");
    assert!(names.iter().all(|n| !n.starts_with('.')), "leftovers in out/: {names:?}");
    assert_eq!(wd.list("out/comments.parquet"), ["keep"]);
}

/// The error for a table that cannot be written should give its cause
/// once. Found by `failed_rename_leaves_no_temp_files`.
#[test]
fn write_error_gives_its_cause_once() {
    let wd = Workdir::new();
    wd.create("out/comments.parquet/keep", "not a table");
    let run = wd.run(&["analyse"]).expect_code(1);
    let line = run.stderr.lines().find(|l| l.contains("comments.parquet")).expect("an error line");
    assert_eq!(line.matches("Is a directory").count(), 1, "{line}");
}

#[test]
fn same_file_stem_in_two_folders_keeps_both() {
    let wd = Workdir::new();
    wd.create("x/page.txt", THREE_COMMENTS);
    wd.create("y/page.txt", TWO_COMMENTS);
    wd.run(&["analyse", "x/page.txt", "y/page.txt", "--format", "jsonl"]).expect_code(0);

    let articles = wd.table("out/articles.jsonl");
    assert_eq!(articles.column("article_id"), ["page", "page~2"]);
    assert_eq!(articles.column("source"), ["x/page.txt", "y/page.txt"]);
    assert_eq!(articles.column("anomalies"), ["0", "1"]);

    let anomalies = wd.table("out/anomalies.jsonl");
    assert_eq!(anomalies.len(), 1);
    let got = ["article_id", "kind", "line", "source"].map(|c| anomalies.cell(0, c));
    assert_eq!(got, ["page~2", "duplicate_article", "", "y/page.txt"]);

    let comments = wd.table("out/comments.jsonl");
    assert_eq!(comments.column("article_id"), ["page", "page", "page", "page~2", "page~2"]);
}

#[test]
fn documentation_in_a_folder_is_skipped_with_a_note_and_named_files_are_read() {
    let wd = Workdir::new();
    wd.create("corpus/page.txt", THREE_COMMENTS);
    wd.create(
        "corpus/README.md",
        "# My corpus\nCollected in 2026 from the comment sections of three sites.\n",
    );
    wd.create("corpus/sub/PROVENANCE.txt", "Downloaded from example.org\n");
    let run = wd.run(&["analyse", "corpus", "--format", "jsonl"]).expect_code(0);
    assert!(run.stderr.contains("skipped 2 documentation file(s)"), "{run:?}");
    assert!(run.stderr.contains("README.md"), "{run:?}");
    assert!(run.stderr.contains("PROVENANCE.txt"), "{run:?}");
    assert_eq!(wd.table("out/articles.jsonl").column("article_id"), ["page"]);

    // Named on the command line, a README is read like any other input.
    wd.run(&["analyse", "corpus/page.txt", "corpus/README.md", "--format", "jsonl"]).expect_code(0);
    assert_eq!(wd.table("out/articles.jsonl").column("article_id"), ["page", "README"]);

    // A folder holding only documentation has nothing to read: an error, as for an empty one.
    wd.create("docs/README.md", "# nothing here\n");
    let run = wd.run(&["analyse", "docs", "--format", "jsonl"]);
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("docs: folder has only documentation files"), "{run:?}");
}

/// A table of `discussions` discussions of growing size, replies hanging off earlier
/// comments, some of them uncivil.
fn many_discussions(discussions: usize) -> String {
    let mut csv = String::from("id,parent_id,article_id,author,text\n");
    let mut id = 0;
    for a in 0..discussions {
        let first = id;
        for k in 0..(a % 37 + 1) {
            let parent = if k % 3 == 0 { String::new() } else { (first + k / 2).to_string() };
            let text = match k % 5 {
                0 => "No, that is nonsense, you idiot.",
                1 => "I agree, well said.",
                _ => "The council met on Tuesday to discuss the budget.",
            };
            csv.push_str(&format!("{id},{parent},a{a},u{},{text}\n", k % 7));
            id += 1;
        }
    }
    csv
}

/// Issue #7: discussions are analysed in parallel and written in input order, so any number
/// of threads gives the same bytes; more comments than the in-flight budget pass through.
#[test]
fn any_number_of_threads_writes_the_same_tables() {
    let wd = Workdir::new();
    wd.create("small.csv", many_discussions(40));
    wd.create("large.csv", many_discussions(500));
    let runs: [(&str, &[&str]); 2] =
        [("small.csv", &["--format", "jsonl"]), ("large.csv", &["--no-scores", "--quiet"])];
    for (input, flags) in runs {
        let mut outputs = Vec::new();
        for threads in ["1", "3"] {
            let out = format!("out-{input}-{threads}");
            let mut args = vec!["analyse", input, "--threads", threads, "--out", &out];
            args.extend(flags);
            wd.run(&args).expect_code(0);
            let files: Vec<Vec<u8>> = ["articles", "threads", "comments", "anomalies"]
                .iter()
                .map(|t| {
                    let ext = if flags.contains(&"jsonl") { "jsonl" } else { "parquet" };
                    std::fs::read(wd.path().join(&out).join(format!("{t}.{ext}"))).unwrap()
                })
                .collect();
            outputs.push(files);
        }
        assert!(outputs[0] == outputs[1], "{input}: --threads 1 and 3 differ");
    }
    let comments = wd.table("out-large.csv-1/comments.parquet");
    assert_eq!(comments.len(), (0..500).map(|a| a % 37 + 1).sum::<usize>());
    let articles = wd.table("out-large.csv-3/articles.parquet");
    let expected: Vec<String> = (0..500).map(|a| format!("a{a}")).collect();
    assert_eq!(articles.column("article_id"), expected, "input order");
}

#[test]
fn help_shows_examples() {
    let wd = Workdir::new();
    for cmd in ["analyse", "report"] {
        let run = wd.run(&[cmd, "--help"]).expect_code(0);
        let examples = run.stdout.find("Examples:").unwrap_or_else(|| panic!("{run:?}"));
        let example = format!("  threadlens {cmd}");
        assert!(run.stdout[examples..].contains(&example), "{run:?}");
    }
}

/// Issue #7: a corpus split by discussion into shards, each analysed on its own, gives the
/// same rows as one run over everything, so shard outputs can be read together (DuckDB,
/// polars, Spark) as one table.
#[test]
fn sharded_runs_combined_equal_one_run() {
    let wd = Workdir::new();
    let row = |d: usize, c: usize, p: Option<usize>, text: &str| {
        let parent = p.map_or("null".to_string(), |p| format!("\"d{d}c{p}\""));
        format!(
            "{{\"conversation_id\":\"d{d}\",\"id\":\"d{d}c{c}\",\"parent_id\":{parent},\
             \"author\":\"u{}\",\"timestamp\":{},\"text\":\"{text}\"}}\n",
            c % 3,
            1_700_000_000 + c * 60
        )
    };
    let mut shards = [String::new(), String::new()];
    for d in 0..6 {
        let s = &mut shards[d % 2];
        s.push_str(&row(d, 1, None, "I agree with the article, well argued."));
        s.push_str(&row(d, 2, Some(1), "No, that's simply not true, you idiot."));
        s.push_str(&row(d, 3, Some(2), "Exactly right."));
        s.push_str(&row(d, 4, None, "What time was the inquest?"));
    }
    wd.create("all/a.jsonl", &shards[0]);
    wd.create("all/b.jsonl", &shards[1]);
    wd.run(&["analyse", "all/a.jsonl", "--out", "shard-a", "--format", "csv"]).expect_code(0);
    wd.run(&["analyse", "all/b.jsonl", "--out", "shard-b", "--format", "csv"]).expect_code(0);
    wd.run(&["analyse", "all", "--out", "whole", "--format", "csv"]).expect_code(0);
    for table in ["articles", "threads", "comments", "anomalies"] {
        let lines = |dir: &str| -> Vec<String> {
            let text = std::fs::read_to_string(wd.join(&format!("{dir}/{table}.csv"))).unwrap();
            text.lines().map(str::to_string).collect()
        };
        let (a, b, whole) = (lines("shard-a"), lines("shard-b"), lines("whole"));
        assert_eq!(a[0], whole[0], "{table}: same header");
        let mut combined: Vec<String> = a[1..].iter().chain(&b[1..]).cloned().collect();
        let mut all: Vec<String> = whole[1..].to_vec();
        combined.sort();
        all.sort();
        assert_eq!(combined, all, "{table}");
    }
    let articles = wd.table("whole/articles.csv");
    assert_eq!(articles.len(), 6);
}

/// Issue #6: `threadlens schema` prints the schema from the writers' own specs.
#[test]
fn schema_command_prints_the_writers_specs() {
    let wd = Workdir::new();
    let run = wd.run(&["schema"]).expect_code(0);
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    crate::util::assert_eq_nice(&doc, &run.stdout);

    let run = wd.run(&["schema", "--json"]).expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let tables = json["tables"].as_array().unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["articles", "threads", "comments", "anomalies", "edges", "interactions"]);
    let comments = &tables[2]["columns"];
    assert_eq!(comments.as_array().unwrap().len(), COMMENTS.columns.len());
    let time = comments.as_array().unwrap().iter().find(|c| c["name"] == "time").unwrap();
    assert_eq!(time["type"], "timestamp[us, UTC]");

    let run = wd.run(&["schema", "--table", "anomalies"]).expect_code(0);
    assert!(run.stdout.starts_with("## `anomalies`"), "{}", run.stdout);
    assert!(!run.stdout.contains("## `comments`"));
    wd.run(&["schema", "--table", "nope"]).expect_code(2);
}
