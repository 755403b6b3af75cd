//! Issue #15 part 4: what a source carries that has no column of its own is kept in the
//! comments' `extra` map (a Parquet map, a JSON object in JSONL and CSV), from tables (every
//! other column, or those `--keep-col` names), Reddit dumps and ConvoKit utterance meta; and a
//! corpus threadlens wrote carries it back.

use serde_json::json;

use crate::util::Workdir;

/// `extra` of every row of `comments` in the three output formats, which must agree.
fn extras(wd: &Workdir, args: &[&str]) -> Vec<String> {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for format in ["parquet", "jsonl", "csv"] {
        let out = format!("out-{format}-{}", seen.len());
        let mut all = args.to_vec();
        all.extend(["--format", format, "--out", &out, "--no-scores"]);
        wd.run(&all).expect_code(0);
        seen.push(wd.table(&format!("{out}/comments.{format}")).column("extra"));
    }
    assert_eq!(seen[0], seen[1], "Parquet and JSONL differ");
    assert_eq!(seen[0], seen[2], "Parquet and CSV differ");
    seen.remove(0)
}

#[test]
fn table_columns_without_a_role_are_kept_unless_keep_col_says_otherwise() {
    let wd = Workdir::new();
    wd.create(
        "t.csv",
        "id,parent_id,text,likes,country,Note\n1,,First,3,de,\"a, \"\"b\"\"\"\n2,1,Reply,0,,\n",
    );
    // Every other column, by name; empty values are left out, keys in order.
    assert_eq!(
        extras(&wd, &["analyse", "t.csv"]),
        [r#"{"Note":"a, \"b\"","country":"de","likes":"3"}"#, r#"{"likes":"0"}"#]
    );
    // Only those named, ignoring case.
    assert_eq!(
        extras(&wd, &["analyse", "t.csv", "--keep-col", "LIKES"]),
        [r#"{"likes":"3"}"#, r#"{"likes":"0"}"#]
    );
    assert_eq!(
        extras(&wd, &["analyse", "t.csv", "--keep-col", "note"]),
        [r#"{"Note":"a, \"b\""}"#, ""]
    );
    // A column the table lacks is an error naming it and the columns there are.
    let run = wd.run(&["analyse", "t.csv", "--keep-col", "nope", "--out", "bad"]).expect_code(1);
    assert!(run.stderr.contains("--keep-col names column `nope`"), "{run:?}");
    assert!(run.stderr.contains("likes, country, Note"), "{run:?}");
}

#[test]
fn jsonl_keys_without_a_role_are_kept_as_text_or_json() {
    let wd = Workdir::new();
    let lines = [
        json!({"id": "1", "parent_id": null, "text": "Hi", "score": 5, "flags": ["a", "b"],
               "mod": {"ok": true}, "gone": null}),
        json!({"id": "2", "parent_id": "1", "text": "Hey", "lang": "en"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    wd.create("t.jsonl", text);
    assert_eq!(
        extras(&wd, &["analyse", "t.jsonl"]),
        [r#"{"flags":"[\"a\",\"b\"]","mod":"{\"ok\":true}","score":"5"}"#, r#"{"lang":"en"}"#]
    );
}

#[test]
fn reddit_dump_fields_without_a_column_are_kept() {
    let wd = Workdir::new();
    let lines = [
        json!({"id": "a1", "link_id": "t3_p1", "parent_id": "t3_p1", "author": "ann",
               "body": "First", "subreddit": "Python", "created_utc": 1_693_526_400,
               "score": 12, "distinguished": null, "edited": false, "stickied": true,
               "author_flair_text": "Pythonista", "controversiality": 0, "gilded": 1,
               "_meta": {"retrieved_2nd_on": 1}}),
        // An older dump's line: fewer fields, `edited` a time.
        json!({"id": "a2", "link_id": "t3_p1", "parent_id": "t1_a1", "author": "bob",
               "body": "Second", "created_utc": "1693526460", "edited": 1_693_526_999,
               "distinguished": "moderator"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    wd.create("RC_2023-09", text);
    assert_eq!(
        extras(&wd, &["analyse", "RC_2023-09"]),
        [
            r#"{"author_flair_text":"Pythonista","controversiality":"0","edited":"false","gilded":"1","score":"12","stickied":"true","subreddit":"Python"}"#,
            r#"{"distinguished":"moderator","edited":"1693526999"}"#,
        ]
    );
}

#[test]
fn convokit_meta_is_kept_and_extra_survives_a_round_trip() {
    let wd = Workdir::new();
    let utt = |id: &str, reply_to: Option<&str>, meta: serde_json::Value| {
        json!({"id": id, "speaker": "s", "conversation_id": "p", "reply_to": reply_to,
               "timestamp": 1_693_526_400, "text": format!("Text {id}"), "meta": meta,
               "vectors": []})
        .to_string()
    };
    let lines = [
        utt("p", None, json!({})),
        utt("c1", Some("p"), json!({"score": 2, "top_level_comment": null, "tag": "x"})),
        utt("c2", Some("c1"), json!({})),
    ];
    wd.create("talk.jsonl", lines.join("\n") + "\n");
    assert_eq!(extras(&wd, &["analyse", "talk.jsonl"]), [r#"{"score":"2","tag":"x"}"#, ""]);

    // A table's extra, written as a ConvoKit corpus and read back: the same maps.
    wd.create("t.csv", "id,parent_id,text,likes\n1,,First,3\n2,1,Reply,\n");
    wd.run(&["analyse", "t.csv", "--format", "convokit", "--out", "corpus", "--no-scores"])
        .expect_code(0);
    assert_eq!(extras(&wd, &["analyse", "corpus"]), [r#"{"likes":"3"}"#, ""]);
}
