//! Issue #13 from the command line: no command overwrites a user's file or earlier results,
//! an output folder says what it holds, and inputs that are not comment data are refused with
//! a message naming them.

use crate::util::Workdir;

const PAGE: &str = "\
A headline long enough to read

Some article text that says a thing or two.
Show Comments
  1. First comment here
    1. A reply to it
  2. Second comment
";

/// A small table to sample from: 40 comments in two discussions.
fn corpus(wd: &Workdir) {
    let mut csv = String::from("article_id,id,parent_id,text\n");
    for i in 0..40 {
        let parent = if i % 2 == 0 { String::new() } else { format!("c{}", i - 1) };
        csv.push_str(&format!("a{},c{i},{parent},comment number {i} says something\n", i % 4 / 2));
    }
    wd.create("corpus/comments.csv", csv);
}

/// Issue #13, item 1: round 2 of `sample` overwrote a file of hand labels.
#[test]
fn r13_sample_never_overwrites_labels() {
    let wd = Workdir::new();
    corpus(&wd);
    wd.run(&["sample", "corpus", "--n", "5"]).expect_code(0);
    // The user labels a row.
    let text = std::fs::read_to_string(wd.join("to_label.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1].push_str("favour");
    let labelled = lines.join("\n") + "\n";
    std::fs::write(wd.join("to_label.csv"), &labelled).unwrap();

    // Round 2 without --out goes beside it, and says so.
    let run = wd.run(&["sample", "corpus", "--n", "5", "--seed", "2"]).expect_code(0);
    assert!(run.stderr.contains("to_label-2.csv"), "{run:?}");
    assert_eq!(std::fs::read_to_string(wd.join("to_label.csv")).unwrap(), labelled);
    assert!(wd.join("to_label-2.csv").exists());

    // Named explicitly: refused (exit 2), naming the file and --force.
    let run = wd.run(&["sample", "corpus", "--out", "to_label.csv"]).expect_code(2);
    assert!(run.stderr.contains("to_label.csv") && run.stderr.contains("--force"), "{run:?}");
    // --force is not enough for a file of labels.
    let run = wd.run(&["sample", "corpus", "--out", "to_label.csv", "--force"]).expect_code(2);
    assert!(run.stderr.contains("1 label(s)") && run.stderr.contains("--force-labels"), "{run:?}");
    assert_eq!(std::fs::read_to_string(wd.join("to_label.csv")).unwrap(), labelled);
    // Both flags replace it.
    wd.run(&["sample", "corpus", "--out", "to_label.csv", "--force", "--force-labels"])
        .expect_code(0);
    assert_ne!(std::fs::read_to_string(wd.join("to_label.csv")).unwrap(), labelled);
    // A file without labels is replaced with --force alone.
    wd.run(&["sample", "corpus", "--out", "to_label-2.csv", "--force"]).expect_code(0);
}

/// Issue #13, item 1: the same rule for `score --out`, `train --out` and
/// `evaluate --predictions`.
#[test]
fn r13_every_user_file_is_kept_without_force() {
    let wd = Workdir::new();
    wd.create("texts.csv", "text\nyou are an idiot\nthanks for this\n");
    wd.create("scores.csv", "mine\n");
    let run = wd.run(&["score", "texts.csv", "--out", "scores.csv"]).expect_code(2);
    assert!(run.stderr.contains("scores.csv") && run.stderr.contains("--force"), "{run:?}");
    assert_eq!(std::fs::read_to_string(wd.join("scores.csv")).unwrap(), "mine\n");
    wd.run(&["score", "texts.csv", "--out", "scores.csv", "--force"]).expect_code(0);
    assert!(std::fs::read_to_string(wd.join("scores.csv")).unwrap().starts_with("id,file,"));

    wd.create("m.json", "{}\n");
    let run = wd
        .run(&["train", "--task", "incivility", "--data", "texts.csv", "--out", "m.json"])
        .expect_code(2);
    assert!(run.stderr.contains("m.json") && run.stderr.contains("--force"), "{run:?}");
    assert_eq!(std::fs::read_to_string(wd.join("m.json")).unwrap(), "{}\n");

    wd.create("pred.csv", "dataset,line,label,text\nx,1,uncivil,kept\n");
    let run = wd
        .run(&["evaluate", "--model", "m.json", "--data", "texts.csv", "--predictions", "pred.csv"])
        .expect_code(2);
    assert!(run.stderr.contains("pred.csv"), "{run:?}");
    // Even with --force: that file holds a label.
    let run = wd
        .run(&[
            "evaluate",
            "--model",
            "m.json",
            "--data",
            "texts.csv",
            "--predictions",
            "pred.csv",
            "--force",
        ])
        .expect_code(2);
    assert!(run.stderr.contains("--force-labels"), "{run:?}");
}

/// Issue #13, item 2: a run that read nothing replaced earlier tables with empty ones.
#[test]
fn r13_a_run_that_reads_nothing_writes_nothing() {
    let wd = Workdir::new();
    wd.create("page.txt", PAGE);
    wd.run(&["analyse", "page.txt", "--out", "prev", "--format", "csv"]).expect_code(0);
    let before = std::fs::read_to_string(wd.join("prev/comments.csv")).unwrap();
    let run = wd.run(&["analyse", "pgae.txt", "--out", "prev", "--format", "csv"]).expect_code(1);
    assert!(run.stderr.contains("pgae.txt: no such file"), "{run:?}");
    assert!(run.stderr.contains("nothing was read"), "{run:?}");
    assert_eq!(std::fs::read_to_string(wd.join("prev/comments.csv")).unwrap(), before);
    assert_eq!(wd.list("."), ["page.txt", "prev"], "nothing left beside it");
}

/// Issue #13, item 2: the folder says what it holds.
#[test]
fn r13_output_folder_has_a_manifest() {
    let wd = Workdir::new();
    wd.create("page.txt", PAGE);
    wd.create("bad.txt", b"\x00\x01binary");
    wd.run(&["analyse", "page.txt", "bad.txt", "--out", "res", "--format", "jsonl"]).expect_code(1);
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("res/run.json")).unwrap()).unwrap();
    assert_eq!(run["threadlens_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["format"], "jsonl");
    assert_eq!(run["inputs"], serde_json::json!(["page.txt", "bad.txt"]));
    assert_eq!(run["rows"]["comments"], 3);
    assert_eq!(run["rows"]["articles"], 1);
    assert_eq!(run["input_formats"]["text"], 1);
    let failed = run["failed_inputs"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].as_str().unwrap().starts_with("bad.txt: binary content"), "{failed:?}");
    assert!(run["models"].is_object());
}

/// Issue #13, items 2 and 15: a second run replaces the set; the user's own files in the
/// folder are kept; a killed run's staging folder is cleaned by the next run.
#[test]
fn r13_output_folder_is_replaced_as_a_set() {
    let wd = Workdir::new();
    wd.create("page.txt", PAGE);
    wd.run(&["analyse", "page.txt", "--out", "res", "--format", "csv"]).expect_code(0);
    // A killed run's leftover (a pid that is not running).
    wd.create(".res.threadlens-4294967-x1.tmp/comments.csv", "half");
    wd.run(&["analyse", "page.txt", "--out", "res", "--format", "jsonl"]).expect_code(0);
    let mut expected: Vec<&str> =
        vec!["anomalies.jsonl", "articles.jsonl", "comments.jsonl", "edges.jsonl"];
    expected.extend(["interactions.jsonl", "run.json", "threads.jsonl"]);
    assert_eq!(wd.list("res"), expected);
    assert_eq!(wd.list("."), ["page.txt", "res"], "the stale staging folder is gone");

    // A folder with the user's files: they stay.
    wd.create("res/plot.png", "png");
    wd.run(&["analyse", "page.txt", "--out", "res", "--format", "jsonl"]).expect_code(0);
    expected.push("plot.png");
    expected.sort();
    assert_eq!(wd.list("res"), expected);
}

/// Issue #13, item 3: a forgotten INPUT silently analysed the bundled seeds.
#[test]
fn r13_no_input_says_the_seeds_were_read() {
    let wd = Workdir::new();
    let run = wd.run(&["analyse", "--out", "results", "--no-scores"]).expect_code(0);
    assert!(run.stderr.contains("no INPUT given; reading the 5 bundled seed"), "{run:?}");
}

/// Issue #13, items 5 and 12: binary files and inputs of no known format were read as
/// articles without comments.
#[test]
fn r13_unrecognised_inputs_are_refused() {
    let wd = Workdir::new();
    wd.create("in/page.txt", PAGE);
    wd.create("in/image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    wd.create("in/feed.xml", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel/></rss>");
    wd.create("in/foo.xml", "<foo/>");
    wd.create("in/config.yaml", "name: corpus\nversion: 2\nsources:\n  - a\n  - b\n");
    wd.create("in/paper.pdf", "%PDF-1.7\nsome objects\n");
    let run = wd.run(&["analyse", "in", "--out", "o", "--format", "jsonl"]).expect_code(1);
    let errors: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("threadlens: error: ")).collect();
    for name in ["image.png", "feed.xml", "foo.xml", "config.yaml", "paper.pdf"] {
        assert_eq!(errors.iter().filter(|l| l.contains(name)).count(), 1, "{name}: {run:?}");
    }
    assert_eq!(wd.table("o/articles.jsonl").column("article_id"), ["page"]);
    // Forced, a format is read as asked.
    wd.run(&["analyse", "in/foo.xml", "--input-format", "html", "--out", "o2"]).expect_code(0);
}

/// Issue #13, items 13 and 14: a FIFO blocked forever; a dangling link's error named its
/// folder; a newline in a file name split the error line.
#[cfg(unix)]
#[test]
fn r13_odd_files_get_one_clear_line() {
    let wd = Workdir::new();
    wd.create("in/page.txt", PAGE);
    std::os::unix::fs::symlink(wd.join("in/gone.txt"), wd.join("in/link.txt")).unwrap();
    let fifo = wd.join("pipe");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    wd.create("new\nline.txt", b"\x00binary");
    let run = wd.run(&["analyse", "in", "pipe", "new\nline.txt", "--out", "o"]).expect_code(1);
    let errors: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("threadlens: error: ")).collect();
    assert!(
        errors.iter().any(|l| l.contains("in/link.txt: a symbolic link to a missing file")),
        "{run:?}"
    );
    assert!(errors.iter().any(|l| l.contains("pipe: not a regular file")), "{run:?}");
    assert!(errors.iter().any(|l| l.contains("new\\nline.txt: binary content")), "{run:?}");
}

/// Issue #13, item 13: a missing `--model` file's error repeated "(os error 2)".
#[test]
fn r13_a_missing_model_is_named_once() {
    let wd = Workdir::new();
    let run = wd.run(&["analyse", "--model", "nope.json", "--out", "o"]).expect_code(1);
    let line = run.stderr.lines().find(|l| l.contains("nope.json")).expect("an error line");
    assert_eq!(line.matches("os error 2").count(), 1, "{line}");
    assert_eq!(line.matches("nope.json").count(), 1, "{line}");
}

/// A closed stderr (`threadlens analyse … 2>&1 | head`): the messages are dropped, the run
/// goes on and writes its tables. `eprintln!` panicked on the first message (exit 101, no
/// tables).
#[test]
fn closed_stderr_does_not_lose_the_run() {
    let wd = Workdir::new();
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    // A pipe whose reading end is closed before the run starts: every write to it fails.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_threadlens"));
    cmd.current_dir(wd.path())
        .args(["analyse", seeds.to_str().unwrap(), "--out", "out", "--no-scores"])
        .stdout(std::process::Stdio::null())
        .stderr(writer);
    let status = cmd.status().expect("run threadlens");
    assert_eq!(status.code(), Some(0), "{status:?}");
    for t in ["articles", "threads", "comments", "anomalies"] {
        assert!(wd.join(&format!("out/{t}.parquet")).is_file(), "{t}.parquet written");
    }
}
