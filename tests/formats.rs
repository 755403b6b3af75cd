//! Issue #3: a folder of whatever a scraper or export produced, read end to
//! end: formats detected from content, paginated API files merged, tables
//! grouped by discussion, bad files reported while the rest is analysed.

use crate::util::Workdir;

const WP_PAGE1: &str = r#"[
 {"id": 3, "post": 7, "parent": 1, "author_name": "Cy", "date": "2024-01-01T10:05:00",
  "date_gmt": "2024-01-01T09:05:00", "content": {"rendered": "<p>Agreed &amp; more</p>"},
  "link": "https://blog.example/p/7/#comment-3", "status": "approved", "type": "comment"}
]"#;
const WP_PAGE2: &str = r#"[
 {"id": 1, "post": 7, "parent": 0, "author_name": "Al", "date": "2024-01-01T10:00:00",
  "date_gmt": "2024-01-01T09:00:00", "content": {"rendered": "<blockquote>quoted</blockquote><p>First</p>"},
  "link": "https://blog.example/p/7/#comment-1", "status": "approved", "type": "comment"},
 {"id": 2, "post": 7, "parent": 0, "author_name": "Bo", "date": "2024-01-01T10:01:00",
  "date_gmt": "2024-01-01T09:01:00", "content": {"rendered": "<p>Linked</p>"},
  "link": "https://blog.example/p/7/#comment-2", "status": "approved", "type": "pingback"}
]"#;

const CSV: &str = "\
thread_id,id,reply_to,author,created_utc,body
T1,a,,ann,1700000000,top
T1,b,a,bob,1700000060,reply
T2,c,,cat,1700000120,other thread
";

#[test]
fn mixed_folder_is_read_with_pages_merged() {
    let wd = Workdir::new();
    wd.create("in/rest/page1.json", WP_PAGE1);
    wd.create("in/rest/page2.json", WP_PAGE2);
    wd.create("in/table.csv", CSV);
    wd.create("in/capture.txt", "Headline\n\nBody.\nShow Comments\n  1. one\n    1. two\n");
    wd.run(&["analyse", "in", "--format", "jsonl"]).expect_code(0);

    let articles = wd.table("out/articles.jsonl");
    let mut ids = articles.column("article_id");
    ids.sort();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(ids.contains(&"T1".to_string()) && ids.contains(&"T2".to_string()), "{ids:?}");
    assert!(ids.contains(&"capture".to_string()));

    // The two REST pages are one discussion: the reply on page 1 finds its
    // parent on page 2, so nothing is an orphan.
    let rest = articles.row_where("format", "wp-rest-json");
    assert_eq!(articles.cell(rest, "comments"), "3");
    assert_eq!(articles.cell(rest, "threads"), "2");
    assert_eq!(articles.cell(rest, "max_depth"), "2");
    assert_eq!(articles.cell(rest, "anomalies"), "0");

    let comments = wd.table("out/comments.jsonl");
    let c3 = comments.row_where("text", "Agreed & more");
    assert_eq!(comments.cell(c3, "parent_id"), "1");
    assert_eq!(comments.cell(c3, "orphan"), "false");
    assert_eq!(comments.cell(c3, "time"), "2024-01-01T09:05:00Z");
    let c1 = comments.row_where("author", "Al");
    assert_eq!(comments.cell(c1, "quoted_chars"), "6");
    assert_eq!(comments.cell(comments.row_where("author", "Bo"), "kind"), "pingback");
    let b = comments.row_where("author", "bob");
    assert_eq!(
        (comments.cell(b, "article_id"), comments.cell(b, "parent_id")),
        ("T1".into(), "a".into())
    );
    assert_eq!(comments.cell(b, "time"), "2023-11-14T22:14:20Z");
}

#[test]
fn report_names_the_parser_of_each_file() {
    let wd = Workdir::new();
    wd.create("t.csv", CSV);
    let run = wd.run(&["report", "t.csv"]).expect_code(0);
    assert!(run.stdout.contains("source:     t.csv (csv)"), "{}", run.stdout);
}

#[test]
fn forced_wrong_format_fails_cleanly_and_others_run() {
    let wd = Workdir::new();
    wd.create("a.json", WP_PAGE2);
    wd.create("b.csv", CSV);
    let run = wd.run(&["analyse", "a.json", "--input-format", "wxr"]).expect_code(1);
    assert!(run.stderr.lines().any(|l| l.starts_with("threadlens: error: a.json: ")), "{run:?}");

    let run = wd.run(&["analyse", "a.json", "b.csv", "--input-format", "csv"]).expect_code(1);
    let errors: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("threadlens: error:")).collect();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].starts_with("threadlens: error: a.json: "), "{run:?}");
    assert_eq!(wd.table("out/articles.parquet").len(), 2, "b.csv's two discussions are written");
}

#[test]
fn table_columns_can_be_named() {
    let wd = Workdir::new();
    wd.create("c.tsv", "cid\tre\twho\twords\n1\t\tx\thello\n2\t1\ty\tworld\n");
    let run = wd.run(&["analyse", "c.tsv"]).expect_code(1);
    assert!(run.stderr.contains("--parent-col"), "{run:?}");
    wd.run(&[
        "analyse",
        "c.tsv",
        "--parent-col",
        "re",
        "--text-col",
        "words",
        "--author-col",
        "who",
    ])
    .expect_code(0);
    let comments = wd.table("out/comments.parquet");
    assert_eq!(comments.column("parent_id"), ["", "1"]);
    assert_eq!(comments.column("author"), ["x", "y"]);
}

/// Issue #7: tables stream discussion by discussion. Rows of one discussion that are not
/// contiguous, in one file or across files, still make one discussion; a line that breaks
/// the file midway is reported with its line while what came before is analysed.
#[test]
fn streamed_tables_merge_split_discussions_and_report_a_broken_line() {
    let wd = Workdir::new();
    let row = |d: &str, id: &str, parent: &str| {
        format!(
            "{{\"article_id\":\"{d}\",\"id\":\"{id}\",\"parent_id\":\"{parent}\",\"text\":\"t {id}\"}}\n"
        )
    };
    // A, B, A again in one file; A's last part in a second file.
    let one = [row("A", "a1", ""), row("B", "b1", ""), row("A", "a2", "a1")].concat();
    wd.create("split/1.jsonl", one);
    wd.create("split/2.jsonl", row("A", "a3", "a2"));
    wd.run(&["analyse", "split", "--format", "csv", "--out", "o"]).expect_code(0);
    let articles = wd.table("o/articles.csv");
    assert_eq!(articles.column("article_id"), ["B", "A"], "A is handed on when complete");
    assert_eq!(articles.cell(articles.row_where("article_id", "A"), "comments"), "3");
    assert_eq!(articles.cell(articles.row_where("article_id", "A"), "max_depth"), "3");

    let mut bad = [row("C", "c1", ""), row("D", "d1", "")].concat().into_bytes();
    bad.extend_from_slice(b"{\"article_id\":\"E\",\"id\":\"e\xff\",\"parent_id\":\"\"}\n");
    wd.create("bad.jsonl", bad);
    let run = wd.run(&["analyse", "bad.jsonl", "--format", "csv", "--out", "b"]).expect_code(1);
    assert!(run.stderr.contains("bad.jsonl") && run.stderr.contains("line 3"), "{run:?}");
    let articles = wd.table("b/articles.csv");
    assert_eq!(articles.column("article_id"), ["C", "D"], "what came before the break is kept");
}
