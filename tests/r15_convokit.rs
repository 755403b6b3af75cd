//! Issue #15: ConvoKit corpora, both ways. A corpus folder (utterances.jsonl beside
//! conversations.json, speakers.json, corpus.json, index.json) read as discussions, by name and
//! by content; `analyse --format convokit` writing one in ConvoKit's documented layout; and the
//! round trip: a corpus threadlens wrote, read back, gives the same trees.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::util::{Table, Workdir};

fn utt(
    id: &str,
    conv: &str,
    reply_to: Option<&str>,
    speaker: &str,
    t: Value,
    text: &str,
) -> String {
    json!({
        "id": id, "speaker": speaker, "conversation_id": conv, "reply_to": reply_to,
        "timestamp": t, "text": text, "meta": {"score": 2, "top_level_comment": null},
        "vectors": []
    })
    .to_string()
}

/// A small Reddit-like corpus in ConvoKit's layout: two posts (root utterances), a `[deleted]`
/// speaker, a float and a string timestamp, a reply to an utterance that is not there.
fn write_corpus(wd: &Workdir, dir: &str) {
    let lines = [
        utt("p1", "p1", None, "op", json!(1_693_526_400), "What do you think?"),
        utt("c1", "p1", Some("p1"), "ann", json!(1_693_526_460), "I agree"),
        utt("c2", "p1", Some("c1"), "[deleted]", json!(1_693_526_520.5), "[deleted]"),
        utt("c3", "p1", Some("c2"), "bob", json!("1693526580"), "Who deleted that?"),
        utt("c4", "p1", Some("gone"), "cat", json!(1_693_526_640), "Replying to nothing"),
        utt("p2", "p2", None, "op2", json!(1_693_600_000), "Second post"),
        utt("d1", "p2", Some("p2"), "ann", json!(1_693_600_060), "Only reply"),
    ];
    wd.create(&format!("{dir}/utterances.jsonl"), lines.join("\n") + "\n");
    wd.create(
        &format!("{dir}/conversations.json"),
        json!({
            "p1": {"meta": {"title": "A question", "subreddit": "AskX", "num_comments": 4}, "vectors": []},
            "p2": {"meta": {"title": "Another"}, "vectors": []}
        })
        .to_string(),
    );
    wd.create(
        &format!("{dir}/speakers.json"),
        json!({"op": {"meta": {}, "vectors": []}, "ann": {"meta": {}, "vectors": []}}).to_string(),
    );
    wd.create(&format!("{dir}/corpus.json"), json!({"subreddit": "AskX"}).to_string());
    wd.create(
        &format!("{dir}/index.json"),
        json!({"utterances-index": {"score": ["<class 'int'>"], "top_level_comment": []},
               "speakers-index": {}, "conversations-index": {"title": ["<class 'str'>"]},
               "overall-index": {"subreddit": ["<class 'str'>"]}, "version": 1, "vectors": []})
        .to_string(),
    );
}

/// (article, comment, parent, author, depth) per row of `comments`.
fn tree(c: &Table) -> Vec<(String, String, String, String, String)> {
    (0..c.len())
        .map(|r| {
            let v = |k: &str| c.cell(r, k);
            (v("article_id"), v("comment_id"), v("parent_id"), v("author"), v("depth"))
        })
        .collect()
}

#[test]
fn a_corpus_folder_is_read_as_one_input() {
    let wd = Workdir::new();
    write_corpus(&wd, "in/corpus");
    let run = wd.run(&["analyse", "in", "--format", "jsonl", "--out", "out", "--no-scores"]);
    let run = run.expect_code(0);
    // The siblings are not inputs of their own: one input, two discussions, no failure.
    assert!(run.stderr.contains("2 articles from 1 inputs"), "{run:?}");
    let a = wd.table("out/articles.jsonl");
    assert_eq!(a.column("article_id"), ["p1", "p2"]);
    let p1 = a.row_where("article_id", "p1");
    assert_eq!(a.cell(p1, "format"), "convokit");
    assert_eq!(a.cell(p1, "title"), "A question");
    assert_eq!(a.cell(p1, "outlet"), "r/AskX");
    assert_eq!(a.cell(p1, "byline"), "op");
    assert_eq!(a.cell(p1, "published"), "2023-09-01T00:00:00Z");
    assert_eq!(a.cell(p1, "body_chars"), "18");
    let c = wd.table("out/comments.jsonl");
    let s = |x: &str| x.to_string();
    let row = |a: &str, c: &str, p: &str, au: &str, d: &str| (s(a), s(c), s(p), s(au), s(d));
    assert_eq!(
        tree(&c),
        [
            row("p1", "c1", "", "ann", "1"),
            row("p1", "c2", "c1", "", "2"),
            row("p1", "c3", "c2", "bob", "3"),
            // `gone` is not in the conversation: an orphan, attached to the article.
            row("p1", "c4", "", "cat", "1"),
            row("p2", "d1", "", "ann", "1"),
        ]
    );
    let c2 = c.row_where("comment_id", "c2");
    assert_eq!(
        (c.cell(c2, "deleted"), c.cell(c2, "status"), c.cell(c2, "text")),
        (s("true"), s("deleted"), s(""))
    );
    assert_eq!(c.cell(c2, "time"), "2023-09-01T00:02:00Z");
    assert_eq!(c.cell(c2, "time_raw"), "1693526520.5");
    assert_eq!(c.cell(c.row_where("comment_id", "c3"), "time"), "2023-09-01T00:03:00Z");
    assert_eq!(c.cell(c.row_where("comment_id", "c4"), "orphan"), "true");
    let an = wd.table("out/anomalies.jsonl");
    assert_eq!(an.column("kind"), ["orphan"]);

    // Given as a file, `utterances.jsonl` reads its siblings too.
    wd.run(&[
        "analyse",
        "in/corpus/utterances.jsonl",
        "--format",
        "jsonl",
        "--out",
        "out2",
        "--no-scores",
    ])
    .expect_code(0);
    assert_eq!(wd.table("out2/articles.jsonl").column("title"), ["A question", "Another"]);
}

#[test]
fn utterances_are_detected_by_content_and_bad_lines_reported() {
    let wd = Workdir::new();
    let lines = [
        utt("r", "r", None, "op", json!(1_693_526_400), "Root"),
        "{not json".to_string(),
        utt("a", "r", Some("r"), "ann", json!(1_693_526_401), "Hi"),
        "[1, 2]".to_string(),
        utt("b", "r", Some("a"), "bob", Value::Null, "Hello"),
    ];
    // Another name, no siblings: detected by its first line.
    wd.create("talk.jsonl", lines.join("\n") + "\n");
    wd.run(&["analyse", "talk.jsonl", "--format", "jsonl", "--out", "out", "--no-scores"])
        .expect_code(0);
    let a = wd.table("out/articles.jsonl");
    assert_eq!((a.cell(0, "article_id"), a.cell(0, "format")), ("r".into(), "convokit".into()));
    let c = wd.table("out/comments.jsonl");
    assert_eq!(c.column("comment_id"), ["a", "b"]);
    assert_eq!(c.column("parent_id"), ["", "a"]);
    assert_eq!(c.cell(1, "time"), "");
    let an = wd.table("out/anomalies.jsonl");
    assert_eq!(an.column("kind"), ["bad_record", "bad_record"]);
    assert_eq!(an.column("line"), ["2", "4"]);

    // A broken conversations.json is an error naming it; the other inputs are read.
    write_corpus(&wd, "broken");
    wd.create("broken/conversations.json", "{\"p1\": ");
    wd.create("ok.jsonl", lines.join("\n") + "\n");
    let run = wd.run(&[
        "analyse",
        "broken",
        "ok.jsonl",
        "--format",
        "jsonl",
        "--out",
        "o3",
        "--no-scores",
    ]);
    let run = run.expect_code(1);
    assert!(
        run.stderr.contains("utterances.jsonl") && run.stderr.contains("conversations.json"),
        "{run:?}"
    );
    assert_eq!(wd.table("o3/articles.jsonl").column("article_id"), ["r"]);
}

/// The utterances of a corpus folder, by id.
fn utterances(wd: &Workdir, dir: &str) -> Vec<serde_json::Map<String, Value>> {
    std::fs::read_to_string(wd.join(&format!("{dir}/utterances.jsonl")))
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            Value::Object(o) => o,
            other => panic!("not an object: {other}"),
        })
        .collect()
}

fn json_file(wd: &Workdir, path: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_slice(&std::fs::read(wd.join(path)).unwrap()).unwrap() {
        Value::Object(o) => o,
        other => panic!("{path}: not an object: {other}"),
    }
}

/// Checks a written corpus against ConvoKit's documented layout; returns the number of
/// utterances.
fn check_layout(wd: &Workdir, dir: &str, tables: &str) -> usize {
    let utts = utterances(wd, dir);
    let conversations = json_file(wd, &format!("{dir}/conversations.json"));
    let speakers = json_file(wd, &format!("{dir}/speakers.json"));
    let index = json_file(wd, &format!("{dir}/index.json"));
    let corpus = json_file(wd, &format!("{dir}/corpus.json"));
    assert!(corpus.contains_key("threadlens_version"), "{corpus:?}");
    let mut ids = HashSet::new();
    let mut by_conversation: HashMap<String, HashSet<String>> = HashMap::new();
    for u in &utts {
        for key in ["id", "speaker", "conversation_id", "reply_to", "timestamp", "text", "meta"] {
            assert!(u.contains_key(key), "no `{key}` in {u:?}");
        }
        let id = u["id"].as_str().unwrap().to_string();
        assert!(ids.insert(id.clone()), "utterance id {id} twice");
        let speaker = u["speaker"].as_str().expect("a speaker for every utterance");
        assert!(speakers.contains_key(speaker), "speaker {speaker} not in speakers.json");
        let conv = u["conversation_id"].as_str().unwrap().to_string();
        by_conversation.entry(conv).or_default().insert(id);
        assert!(u["timestamp"].is_number(), "ConvoKit sorts by timestamp: {u:?}");
        let meta = u["meta"].as_object().unwrap();
        for k in meta.keys() {
            assert!(index["utterances-index"].get(k).is_some(), "meta `{k}` not in index.json");
        }
    }
    for u in &utts {
        let conv = u["conversation_id"].as_str().unwrap();
        match u["reply_to"].as_str() {
            None => assert_eq!(u["id"].as_str(), Some(conv), "only the root replies to nothing"),
            Some(r) => assert!(by_conversation[conv].contains(r), "{r} not in conversation {conv}"),
        }
    }
    assert_eq!(conversations.len(), by_conversation.len());
    let articles = wd.table(&format!("{tables}/articles.jsonl"));
    for r in 0..articles.len() {
        let id = articles.cell(r, "article_id");
        let conv = id.replace('%', "%25").replace('/', "%2F");
        let meta = conversations[&conv]["meta"].as_object().unwrap();
        assert_eq!(meta["comments"].to_string(), articles.cell(r, "comments"));
        assert_eq!(
            by_conversation[&conv].len().to_string(),
            (meta["comments"].as_u64().unwrap() + 1).to_string()
        );
        for k in meta.keys() {
            assert!(index["conversations-index"].get(k).is_some(), "meta `{k}` not in index.json");
        }
    }
    for key in ["speakers-index", "overall-index", "version", "vectors"] {
        assert!(index.contains_key(key), "no `{key}` in index.json");
    }
    utts.len()
}

/// (comment, parent, author, time, time_local, text, depth) per discussion, as `comments`
/// has them.
fn trees(t: &Table) -> Vec<Vec<String>> {
    let keys = [
        "article_id",
        "comment_id",
        "parent_id",
        "author",
        "time",
        "time_local",
        "time_raw",
        "text",
        "depth",
        "position",
        "deleted",
    ];
    (0..t.len()).map(|r| keys.iter().map(|k| t.cell(r, k)).collect()).collect()
}

#[test]
fn the_seeds_written_as_a_corpus_and_read_back_give_the_same_trees() {
    let wd = Workdir::new();
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    let run = wd.run(&["analyse", seeds, "--format", "convokit", "--out", "corpus"]).expect_code(0);
    assert!(run.stderr.contains("utterances.jsonl"), "{run:?}");
    assert_eq!(
        wd.list("corpus"),
        [
            "conversations.json",
            "corpus.json",
            "index.json",
            "run.json",
            "speakers.json",
            "utterances.jsonl"
        ]
    );
    wd.run(&["analyse", seeds, "--format", "jsonl", "--out", "direct"]).expect_code(0);
    let n = check_layout(&wd, "corpus", "direct");
    let direct = wd.table("direct/comments.jsonl");
    assert_eq!(n, direct.len() + wd.table("direct/articles.jsonl").len());
    // Scores and structure are in the utterance meta.
    let utts = utterances(&wd, "corpus");
    let scored =
        utts.iter().filter(|u| u["meta"].get("incivility").is_some_and(Value::is_number)).count();
    assert!(scored > 0, "no incivility in the meta");
    assert!(utts.iter().any(|u| u["meta"].get("side").is_some()));

    wd.run(&["analyse", "corpus", "--format", "jsonl", "--out", "back", "--no-scores"])
        .expect_code(0);
    let back = wd.table("back/comments.jsonl");
    assert_eq!(trees(&back), trees(&direct));
    let a = |dir: &str| {
        let t = wd.table(&format!("{dir}/articles.jsonl"));
        (0..t.len())
            .map(|r| {
                ["article_id", "title", "byline", "published", "outlet", "body_chars", "max_depth"]
                    .map(|k| t.cell(r, k))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(a("back"), a("direct"));
}

/// A table with duplicate ids, an orphan, a cycle, local times, an author-less comment and
/// ids holding `/` and `%`: the corpus keeps ids unique and the round trip keeps the trees.
#[test]
fn awkward_ids_and_repairs_survive_the_round_trip() {
    let wd = Workdir::new();
    wd.create(
        "in/a/b%.csv",
        "id,parent_id,author,timestamp,text\n\
         1,,ann,2024-01-02T03:04:05Z,first\n\
         2,1,,2024-01-02 04:00,local time\n\
         1,2,bob,,duplicate id\n\
         x/y,1,cat,1704164645,slash in id\n\
         3,zz,dan,1704164700,orphan\n\
         4,5,eve,1704164701,cycle a\n\
         5,4,fay,1704164702,cycle b\n\
         6,x/y,gus,1704164703,reply to slash\n",
    );
    wd.create("in/plain.csv", "id,parent_id,author,timestamp,text\n1,,ann,1704164645,hello\n2,1,bob,1704164646,\"> hello\nhi\"\n");
    wd.run(&["analyse", "in", "--format", "convokit", "--out", "corpus", "--no-scores"])
        .expect_code(0);
    wd.run(&["analyse", "in", "--format", "jsonl", "--out", "direct", "--no-scores"])
        .expect_code(0);
    check_layout(&wd, "corpus", "direct");
    let utts = utterances(&wd, "corpus");
    let ids: Vec<&str> = utts.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"b%25") && ids.contains(&"b%25/x%2Fy") && ids.contains(&"b%25/1/2"),
        "{ids:?}"
    );
    let by_id = |id: &str| utts.iter().find(|u| u["id"] == id).unwrap();
    assert_eq!(by_id("b%25/6")["reply_to"], "b%25/x%2Fy");
    assert_eq!(by_id("b%25/2")["speaker"], "[unknown]");
    // A local time is not an instant: this conversation's timestamps are positions.
    assert_eq!(by_id("b%25/2")["timestamp"], 2);
    assert_eq!(by_id("plain/2")["timestamp"], 1_704_164_646);
    assert_eq!(by_id("plain")["timestamp"], 1_704_164_645, "the earliest comment's");

    wd.run(&["analyse", "corpus", "--format", "jsonl", "--out", "back", "--no-scores"])
        .expect_code(0);
    assert_eq!(trees(&wd.table("back/comments.jsonl")), trees(&wd.table("direct/comments.jsonl")));
}

/// A later run of another format replaces a corpus as a set, and the user's files stay.
#[test]
fn a_corpus_folder_is_replaced_as_a_set() {
    let wd = Workdir::new();
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");
    wd.create("out/notes.txt", "mine");
    wd.run(&["analyse", seeds, "--format", "csv", "--out", "out", "--no-scores"]).expect_code(0);
    wd.run(&["analyse", seeds, "--format", "convokit", "--out", "out", "--no-scores"])
        .expect_code(0);
    assert_eq!(
        wd.list("out"),
        [
            "conversations.json",
            "corpus.json",
            "index.json",
            "notes.txt",
            "run.json",
            "speakers.json",
            "utterances.jsonl"
        ]
    );
    wd.run(&["analyse", seeds, "--format", "csv", "--out", "out", "--no-scores"]).expect_code(0);
    assert_eq!(
        wd.list("out"),
        [
            "anomalies.csv",
            "articles.csv",
            "comments.csv",
            "edges.csv",
            "interactions.csv",
            "notes.txt",
            "run.json",
            "threads.csv"
        ]
    );
}
