//! Issue #15: Reddit dump files (Pushshift, Arctic Shift), plain and zstd-compressed,
//! comments (RC) and submissions (RS) in separate files, read by content with filters.

use crate::util::Workdir;

fn rc(id: &str, link: &str, parent: &str, author: &str, body: &str, sub: &str, t: i64) -> String {
    serde_json::json!({
        "id": id, "link_id": format!("t3_{link}"), "parent_id": parent, "author": author,
        "body": body, "subreddit": sub, "created_utc": t, "score": 1, "stickied": false
    })
    .to_string()
}

fn rs(id: &str, title: &str, sub: &str, t: i64) -> String {
    serde_json::json!({
        "id": id, "title": title, "selftext": format!("Text of {title}"), "author": "op",
        "permalink": format!("/r/{sub}/comments/{id}/x/"), "subreddit": sub, "created_utc": t,
        "num_comments": 2, "_meta": {"retrieved_2nd_on": 1}
    })
    .to_string()
}

/// Comments of two threads in r/Python interleaved with r/rust and r/news ones, a deleted
/// comment, a removed body, a broken line; the submissions in another file.
fn files() -> (String, String) {
    let comments = [
        rc("a1", "p1", "t3_p1", "ann", "First in p1", "Python", 1_693_526_400),
        rc("r1", "q1", "t3_q1", "rob", "Rust thread", "rust", 1_693_526_401),
        rc("b1", "p2", "t3_p2", "[deleted]", "[deleted]", "python", 1_693_526_402),
        rc("a2", "p1", "t1_a1", "bob", "Reply to ann", "Python", 1_693_526_403),
        "{\"id\": \"cut".to_string(),
        rc("n1", "z1", "t3_z1", "nat", "News", "news", 1_693_526_404),
        rc("b2", "p2", "t1_b1", "cat", "[removed]", "python", 1_693_526_405),
        rc("a3", "p1", "t1_a2", "[deleted]", "Answer to bob", "Python", 1_693_526_406),
    ];
    let subs = [
        rs("p1", "First Python post", "Python", 1_693_520_000),
        rs("q1", "Rust post", "rust", 1_693_520_001),
        rs("p2", "Second Python post", "python", 1_693_520_002),
    ];
    (comments.join("\n") + "\n", subs.join("\n") + "\n")
}

#[test]
fn dump_files_plain_and_zstd_with_subreddit_filter() {
    let (comments, subs) = files();
    let wd = Workdir::new();
    wd.create("plain/RC_2023-09", &comments);
    wd.create("plain/RS_2023-09", &subs);
    wd.create("zst/RC_2023-09.zst", zstd::encode_all(comments.as_bytes(), 3).unwrap());
    wd.create("zst/RS_2023-09.zst", zstd::encode_all(subs.as_bytes(), 3).unwrap());
    for dir in ["plain", "zst"] {
        let out = format!("out-{dir}");
        let run = wd
            .run(&["analyse", dir, "--subreddit", "PYTHON", "--format", "jsonl", "--out", &out])
            .expect_code(0);
        let articles = wd.table(&format!("{out}/articles.jsonl"));
        // The two threads in the order of their ids, then the comment file's own discussion
        // holding the line that named none.
        assert_eq!(articles.column("article_id"), ["p1", "p2", "RC_2023-09"], "{run:?}");
        let p1 = articles.row_where("article_id", "p1");
        assert_eq!(articles.cell(p1, "title"), "First Python post");
        assert_eq!(articles.cell(p1, "format"), "reddit-dump");
        assert_eq!(articles.cell(p1, "outlet"), "r/Python");
        assert_eq!(articles.cell(p1, "url"), "https://www.reddit.com/r/Python/comments/p1/x/");
        let sources = articles.cell(p1, "source");
        assert!(sources.contains("RC_2023-09") && sources.contains("RS_2023-09"), "{sources}");

        let c = wd.table(&format!("{out}/comments.jsonl"));
        let mut rows: Vec<(String, String, String, String)> = (0..c.len())
            .map(|r| {
                (
                    c.cell(r, "comment_id"),
                    c.cell(r, "parent_id"),
                    c.cell(r, "author"),
                    c.cell(r, "depth"),
                )
            })
            .collect();
        rows.sort();
        let s = |v: &str| v.to_string();
        assert_eq!(
            rows,
            [
                (s("a1"), s(""), s("ann"), s("1")),
                (s("a2"), s("a1"), s("bob"), s("2")),
                // A deleted author is null, the comment is kept.
                (s("a3"), s("a2"), s(""), s("3")),
                (s("b1"), s(""), s(""), s("1")),
                (s("b2"), s("b1"), s("cat"), s("2")),
            ],
            "{dir}"
        );
        // Deleted and removed bodies are kept as rows, marked, and not scored.
        for id in ["b1", "b2"] {
            let r = c.row_where("comment_id", id);
            assert_eq!(c.cell(r, "deleted"), "true", "{id}");
            assert_eq!(c.cell(r, "incivility"), "", "{id} is not scored");
        }
        assert_eq!(c.cell(c.row_where("comment_id", "a3"), "deleted"), "true");
        // The broken line is an anomaly with its line, whatever the filter.
        let an = wd.table(&format!("{out}/anomalies.jsonl"));
        assert!(
            (0..an.len()).any(|r| an.cell(r, "kind") == "bad_record"
                && an.cell(r, "line") == "5"
                && an.cell(r, "article_id") == "RC_2023-09"),
            "{:?}",
            an.rows
        );
    }
    // Both runs give the same comments.
    let a = wd.table("out-plain/comments.jsonl");
    let b = wd.table("out-zst/comments.jsonl");
    assert_eq!(a.rows.len(), b.rows.len());
}

#[test]
fn dump_filters_by_time_and_link_id() {
    let (comments, _) = files();
    let wd = Workdir::new();
    wd.create("RC_2023-09", &comments);
    // Created at or after 1693526403 (2023-09-01T00:00:03Z) and before ...406: a2, n1, b2.
    wd.run(&[
        "analyse",
        "RC_2023-09",
        "--since",
        "2023-09-01T00:00:03Z",
        "--until",
        "1693526406",
        "--format",
        "jsonl",
        "--out",
        "t",
    ])
    .expect_code(0);
    let mut ids = wd.table("t/comments.jsonl").column("comment_id");
    ids.sort();
    assert_eq!(ids, ["a2", "b2", "n1"]);
    wd.run(&["analyse", "RC_2023-09", "--link-id", "t3_p1,q1", "--format", "jsonl", "--out", "l"])
        .expect_code(0);
    let mut ids = wd.table("l/comments.jsonl").column("comment_id");
    ids.sort();
    assert_eq!(ids, ["a1", "a2", "a3", "r1"]);
    // A date that is not one is a usage error.
    wd.run(&["analyse", "RC_2023-09", "--since", "last week", "--out", "x"]).expect_code(2);
}

#[test]
fn truncated_zstd_dump_is_an_error_naming_the_file_and_keeps_what_was_read() {
    let (comments, _) = files();
    let many: String = (0..2000)
        .map(|i| {
            rc(&format!("c{i}"), &format!("p{}", i / 100), "t3_x", "u", "some words here", "s", 1)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let z = zstd::encode_all((comments + &many).as_bytes(), 1).unwrap();
    let wd = Workdir::new();
    wd.create("RC_cut.zst", &z[..z.len() * 3 / 4]);
    let run = wd.run(&["analyse", "RC_cut.zst", "--format", "jsonl", "--out", "o"]).expect_code(1);
    assert!(run.stderr.contains("RC_cut.zst") && run.stderr.contains("cut short"), "{run:?}");
    assert!(wd.table("o/comments.jsonl").len() > 0, "what was read before the cut is kept");
}

/// A thread's comments spread over two months' files meet in one discussion, and a run past
/// `--memory-limit` (spilling to disk) writes exactly what a run in memory writes.
#[test]
fn months_meet_and_a_spilled_run_writes_what_memory_writes() {
    let month = |m: usize| -> String {
        (0..3000)
            .map(|i| {
                let link = format!("k{}", i % 50);
                let parent =
                    if i < 100 { format!("t3_{link}") } else { format!("t1_m{m}c{}", i - 50) };
                rc(
                    &format!("m{m}c{i}"),
                    &link,
                    &parent,
                    &format!("u{}", i % 7),
                    "a few words",
                    "s",
                    1,
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let wd = Workdir::new();
    wd.create("dumps/RC_2023-09.zst", zstd::encode_all(month(9).as_bytes(), 3).unwrap());
    wd.create("dumps/RC_2023-10", month(10));
    wd.run(&["analyse", "dumps", "--format", "csv", "--out", "mem", "--no-scores"]).expect_code(0);
    let run = wd
        .run(&[
            "analyse",
            "dumps",
            "--format",
            "csv",
            "--out",
            "disk",
            "--no-scores",
            "--memory-limit",
            "200K",
            "--spill-dir",
            ".",
        ])
        .expect_code(0);
    assert!(run.stderr.contains("spilled"), "{run:?}");
    for table in ["articles", "threads", "comments", "anomalies"] {
        let a = std::fs::read(wd.path().join(format!("mem/{table}.csv"))).unwrap();
        let b = std::fs::read(wd.path().join(format!("disk/{table}.csv"))).unwrap();
        assert!(a == b, "{table}.csv differs");
    }
    let articles = wd.table("mem/articles.csv");
    assert_eq!(articles.len(), 50, "50 threads, each over both months");
    let comments = wd.table("mem/comments.csv");
    assert_eq!(comments.len(), 6000);
    // The spill folder is removed when the run is done.
    let left: Vec<_> = std::fs::read_dir(wd.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("spill"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
