//! Comment scores end to end (issue #4): the columns `analyse` writes, what `report --tree`
//! shows, and the `train`, `evaluate` and `score` commands on small labelled files written
//! here.

use serde_json::Value;

use crate::analyse::CANARY;
use crate::util::{Table, Workdir};

/// A small labelled file: civil and uncivil comments, written for these tests.
fn labelled_csv(rows_per_class: usize) -> String {
    let civil = [
        "I think the council made the right call on this",
        "Thanks for the careful reporting, very useful",
        "The figures in paragraph three look wrong to me",
        "An interesting point about the tax rules here",
        "I disagree, the evidence points the other way",
    ];
    let uncivil = [
        "you absolute idiot, read the article",
        "what a moron, total drivel from start to end",
        "shut up you pathetic clown",
        "this is utter tripe, you liar",
        "stupid prick, go away",
    ];
    let mut out = String::from("id,text,label\n");
    for i in 0..rows_per_class {
        out.push_str(&format!("c{i},\"{} ({i})\",civil\n", civil[i % civil.len()]));
        out.push_str(&format!("u{i},\"{} ({i})\",uncivil\n", uncivil[i % uncivil.len()]));
    }
    out
}

fn cues(t: &Table, row: usize) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&t.cell(row, "incivility_cues")).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (c["text"].as_str().unwrap().to_lowercase(), c["label"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn seed_insults_show_as_cues_in_every_format() {
    let wd = Workdir::new();
    for format in ["parquet", "csv", "jsonl"] {
        let out = format!("out-{format}");
        wd.run(&["analyse", "--out", &out, "--format", format]).expect_code(0);
        let comments = wd.table(&format!("{out}/comments.{format}"));
        let rows: Vec<usize> =
            (0..comments.len()).filter(|&r| comments.cell(r, "article_id") == CANARY).collect();
        assert_eq!(rows.len(), 8);
        // Every Canary comment is scored.
        for &r in &rows {
            let p: f64 = comments.cell(r, "incivility").parse().unwrap();
            assert!((0.0..=1.0).contains(&p), "{format} row {r}: {p}");
            assert!(["true", "false"].contains(&comments.cell(r, "uncivil").as_str()));
        }
        let r = comments.row_where("comment_id", "1.3");
        let found = cues(&comments, r);
        assert!(found.iter().any(|(t, _)| t == "bellend"), "{format}: {found:?}");
        // The insult, not its address (#16: people mark "prick", not "you prick").
        assert!(found.iter().any(|(t, _)| t == "prick"), "{format}: {found:?}");
        // Insults are marked as words; an attack on a group stays the phrase ("you lot").
        let insults = found.iter().filter(|(_, l)| l == "name_calling" || l == "vulgarity");
        assert!(insults.clone().all(|(t, _)| !t.contains("you")), "{format}: {found:?}");
        assert!(found.contains(&("you lot".into(), "identity_attack".into())), "{found:?}");
        assert!(comments.cell(r, "incivility_forms").contains("name_calling"));
        assert_eq!(comments.cell(r, "uncivil"), "true", "{format}");

        let articles = wd.table(&format!("{out}/articles.{format}"));
        let a = articles.row_where("article_id", CANARY);
        assert_eq!(articles.cell(a, "scored_comments"), "8");
        let uncivil = (0..comments.len())
            .filter(|&r| {
                comments.cell(r, "article_id") == CANARY && comments.cell(r, "uncivil") == "true"
            })
            .count();
        assert_eq!(articles.cell(a, "uncivil_comments"), uncivil.to_string());
        // Seeds without comments: nothing scored, nothing to share.
        let other = articles.row_where("article_id", "000_d9b278959070677e");
        assert_eq!(articles.cell(other, "scored_comments"), "0");
        assert_eq!(articles.cell(other, "uncivil_share"), "");

        let threads = wd.table(&format!("{out}/threads.{format}"));
        assert_eq!(threads.len(), 3);
        let by_depth: Vec<Value> =
            serde_json::from_str(&threads.cell(0, "uncivil_share_by_depth")).unwrap();
        assert_eq!(by_depth.len(), 2, "thread 1 has depths 1 and 2");
    }
}

#[test]
fn no_scores_leaves_score_columns_null() {
    let wd = Workdir::new();
    wd.run(&["analyse", "--no-scores", "--format", "jsonl"]).expect_code(0);
    let comments = wd.table("out/comments.jsonl");
    for col in ["incivility", "uncivil", "incivility_forms", "incivility_cues"] {
        assert!(comments.column(col).iter().all(String::is_empty), "{col}");
    }
    let articles = wd.table("out/articles.jsonl");
    assert!(articles.column("scored_comments").iter().all(String::is_empty));
    assert!(articles.column("uncivil_share_by_depth").iter().all(String::is_empty));
}

#[test]
fn report_tree_marks_uncivil_comments_with_their_cues() {
    let wd = Workdir::new();
    let run = wd
        .run(&["report", "--tree", &format!("{}/seeds/{CANARY}.txt", env!("CARGO_MANIFEST_DIR"))])
        .expect_code(0);
    assert!(run.stdout.contains("  incivility: "), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines.iter().position(|l| l.contains("1.3 You’re a")).expect("comment 1.3 drawn");
    let detail = lines[at + 1];
    assert!(detail.contains("⚠ uncivil"), "{detail}");
    assert!(detail.contains("“bellend”") && detail.contains("“prick” ×2"), "{detail}");
}

#[test]
fn train_evaluate_and_score_a_small_labelled_file() {
    let wd = Workdir::new();
    wd.create("labelled.csv", labelled_csv(60));
    let run = wd
        .run(&["train", "--task", "incivility", "--data", "labelled.csv", "--out", "m/inc.json"])
        .expect_code(0);
    assert!(run.stderr.contains("wrote m/inc.json"), "{run:?}");
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("m/inc.json")).unwrap()).unwrap();
    assert_eq!(model["task"], "incivility");
    assert_eq!(model["training"]["datasets"][0]["rows"], 120);

    // Held-out rows of a dataset the model was trained on.
    let run = wd
        .run(&["evaluate", "--model", "m/inc.json", "--data", "labelled.csv", "--json"])
        .expect_code(0);
    let reports: Value = serde_json::from_str(&run.stdout).unwrap();
    let r = &reports[0];
    assert!(r["rows"].as_str().unwrap().contains("held-out rows of 120"), "{r}");
    let auc = r["binary"]["roc_auc"]["estimate"].as_f64().unwrap();
    assert!(auc > 0.9, "the toy data separate: {auc}");

    // Cross-validation refits the recipe on every fold.
    let run = wd
        .run(&["evaluate", "--model", "m/inc.json", "--data", "labelled.csv", "--folds", "3"])
        .expect_code(0);
    assert!(run.stdout.contains("3-fold cross-validation"), "{run:?}");
    assert!(run.stdout.contains("120 out-of-fold rows"), "{run:?}");

    // The model scores a table of texts; a file without a text column fails by name.
    wd.create("texts.csv", "id,text\na,you absolute idiot\nb,Thanks for the careful reporting\n");
    wd.create("no_text.csv", "id,words\na,hello\n");
    let run = wd
        .run(&["score", "texts.csv", "no_text.csv", "--model", "m/inc.json", "--id-col", "id"])
        .expect_code(1);
    assert!(run.stderr.contains("no_text.csv") && run.stderr.contains("--text-col"), "{run:?}");
    let mut rdr = csv::Reader::from_reader(run.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[1][0]), ("a", "b"));
    let p: Vec<f64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(p[0] > p[1], "{p:?}");
}

#[test]
fn a_model_of_the_wrong_task_or_a_broken_file_is_refused() {
    let wd = Workdir::new();
    wd.create("broken.json", "{\"format\": \"something else\"}");
    let run = wd.run(&["analyse", "--model", "broken.json"]).expect_code(1);
    assert!(run.stderr.contains("broken.json"), "{run:?}");
    let run = wd.run(&["evaluate", "--model", "missing.json", "--data", "x.csv"]).expect_code(1);
    assert!(run.stderr.contains("missing.json"), "{run:?}");
}

#[test]
fn labelled_data_errors_name_the_file_and_line() {
    let wd = Workdir::new();
    wd.create("bad.csv", "text,label\nfine,civil\nhmm,perhaps\n");
    let run = wd.run(&["train", "--task", "incivility", "--data", "bad.csv", "--out", "m.json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("bad.csv, line 3") && run.stderr.contains("perhaps"), "{run:?}");
    assert!(!wd.join("m.json").exists());
}

/// `--model` repeats (README: "Repeat for several"), but a second model was refused with
/// "`score` takes one model". Found while working on #13.
#[test]
fn model_flag_repeats() {
    let wd = Workdir::new();
    let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let (inc, stance) = (models.join("incivility.json"), models.join("stance.json"));
    let (inc, stance) = (inc.to_str().unwrap(), stance.to_str().unwrap());
    let run = wd.run(&["report", "--model", inc, "--model", stance]).expect_code(0);
    assert!(!run.stderr.contains("error"), "{run:?}");
    let run = wd.run(&["report", "--model", inc, "--model", inc]).expect_code(1);
    assert!(run.stderr.contains("a second incivility model"), "{run:?}");
}

/// A labelled file for a binary target of one's own: `favour` and `none` comments.
fn target_csv(rows_per_class: usize) -> String {
    let favour = [
        "Prosecute the officer, a uniform is not a licence to kill",
        "No one is above the law, police who shoot should stand trial",
        "If I shot someone I would be charged, so should they",
        "Armed officers should face prosecution like anyone else",
    ];
    let none = [
        "What time was the inquest held",
        "The article does not say where this happened",
        "I saw this on the news last night",
        "Has anyone read the full report yet",
    ];
    let mut out = String::from("id,text,label\n");
    for i in 0..rows_per_class {
        out.push_str(&format!("f{i},\"{} ({i})\",favour\n", favour[i % favour.len()]));
        out.push_str(&format!("n{i},\"{} ({i})\",none\n", none[i % none.len()]));
    }
    out
}

fn read_json(wd: &Workdir, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(wd.join(rel)).unwrap()).unwrap()
}

fn train_target(wd: &Workdir, extra: &[&str]) -> crate::util::Run {
    let mut args = vec!["train", "--task", "target", "--data", "t.csv", "--labels", "favour,none"];
    args.extend_from_slice(extra);
    wd.run(&args)
}

/// #16 part 5: `--labels favour,none` made `none` the positive class.
#[test]
fn own_binary_target_is_positive_on_the_first_label() {
    let wd = Workdir::new();
    wd.create("t.csv", target_csv(100));
    let run = train_target(&wd, &["--out", "m.json"]).expect_code(0);
    assert!(run.stderr.contains("positive class: favour"), "{run:?}");
    let m = read_json(&wd, "m.json");
    assert_eq!(m["training"]["params"]["classes"], serde_json::json!(["none", "favour"]));

    let run = wd.run(&["evaluate", "--model", "m.json", "--data", "t.csv"]).expect_code(0);
    assert!(run.stdout.contains("\npositive class: favour\n"), "{run:?}");
    let run = wd
        .run(&["evaluate", "--model", "m.json", "--data", "t.csv", "--positive", "none", "--json"])
        .expect_code(0);
    let reports: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(reports[0]["positive"], "none");
    let auc = reports[0]["binary"]["roc_auc"]["estimate"].as_f64().unwrap();
    assert!(auc > 0.9, "none is ranked the other way round: {auc}");
    let run = wd
        .run(&["evaluate", "--model", "m.json", "--data", "t.csv", "--positive", "maybe"])
        .expect_code(1);
    assert!(run.stderr.contains("`maybe` is not a class"), "{run:?}");

    let run = train_target(&wd, &["--positive", "none", "--out", "m2.json"]).expect_code(0);
    assert!(run.stderr.contains("positive class: none"), "{run:?}");
    let m = read_json(&wd, "m2.json");
    assert_eq!(m["training"]["params"]["classes"], serde_json::json!(["favour", "none"]));
    let run = train_target(&wd, &["--positive", "against", "--out", "m3.json"]).expect_code(1);
    assert!(run.stderr.contains("--positive `against`"), "{run:?}");
}

/// #16 part 5: a copy of the training file was evaluated as if held out, and a model
/// calibrated on a handful of rows reported confident probabilities.
#[test]
fn evaluate_leaves_out_training_texts_and_says_a_model_is_uncalibrated() {
    let wd = Workdir::new();
    wd.create("t.csv", target_csv(100));
    let run = train_target(&wd, &["--out", "m.json"]).expect_code(0);
    assert!(run.stderr.contains("calibration skipped"), "{run:?}");
    let m = read_json(&wd, "m.json");
    assert_eq!(m["calibrated"], false);
    let d = &m["training"]["datasets"][0];
    let sum = |v: &Value| v.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum::<u64>();
    let (fitted, heldout) = (sum(&d["train"]) + sum(&d["calibration"]), sum(&d["heldout"]));
    assert_eq!(fitted + heldout, 200);
    assert_eq!(m["training"]["text_hashes"].as_array().unwrap().len() as u64, fitted);

    std::fs::copy(wd.join("t.csv"), wd.join("copy.csv")).unwrap();
    let run = wd.run(&["evaluate", "--model", "m.json", "--data", "copy.csv"]).expect_code(0);
    let want = format!("{heldout} rows of 200; excluded {fitted} rows the model was trained on");
    assert!(run.stdout.contains(&want), "{want}\n{run:?}");
    assert!(run.stdout.contains("note: the model is uncalibrated"), "{run:?}");
    // --split all scores every row and says how many were trained on.
    let run = wd
        .run(&["evaluate", "--model", "m.json", "--data", "copy.csv", "--split", "all"])
        .expect_code(0);
    assert!(run.stdout.contains(&format!("all 200 rows; {fitted} of them")), "{run:?}");
    // The training file itself: its held-out rows, nothing else to leave out.
    let run = wd.run(&["evaluate", "--model", "m.json", "--data", "t.csv"]).expect_code(0);
    assert!(run.stdout.contains(&format!("{heldout} held-out rows of 200)")), "{run:?}");

    // Shipped models have no hashes and are calibrated: nothing is said.
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/incivility.json");
    wd.create("inc.csv", labelled_csv(20));
    let run = wd
        .run(&["evaluate", "--model", shipped.to_str().unwrap(), "--data", "inc.csv"])
        .expect_code(0);
    assert!(!run.stdout.contains("excluded") && !run.stdout.contains("uncalibrated"), "{run:?}");
}

/// #16 part 5: only 65% of the labels trained the final model.
#[test]
fn refit_all_fits_every_row_after_the_held_out_figures() {
    let wd = Workdir::new();
    wd.create("t.csv", target_csv(100));
    let run = train_target(&wd, &["--refit-all", "--out", "m.json"]).expect_code(0);
    assert!(run.stderr.contains("held-out figures of the model fitted without them: "), "{run:?}");
    assert!(run.stderr.contains("refitting on all 200 labelled rows"), "{run:?}");
    let m = read_json(&wd, "m.json");
    assert!(m["training"]["final_fit"].as_str().unwrap().contains("refitted on all 200"), "{m}");
    assert_eq!(m["training"]["datasets"][0]["heldout"], serde_json::json!([0, 0]));
    assert_eq!(m["training"]["text_hashes"].as_array().unwrap().len(), 200);
    // Every row was trained on: evaluate has nothing honest to score here, and says why.
    let run = wd.run(&["evaluate", "--model", "m.json", "--data", "t.csv"]);
    assert!(run.stdout.contains("note: refitted on all 200"), "{run:?}");
    assert!(run.stderr.contains("excluded"), "{run:?}");
}

/// #16 part 5: a mistyped label reported only the first bad line; an empty class went unnamed.
#[test]
fn every_bad_label_and_every_empty_class_is_named() {
    let wd = Workdir::new();
    wd.create("bad.csv", "text,label\nfine,favour\nhmm,agianst\nok,none\nx,nnoe\ny,favor\nz,?\n");
    let run = wd
        .run(&["train", "--task", "target", "--data", "bad.csv", "--out", "m.json"])
        .expect_code(1);
    for line in ["bad.csv, line 3: label `agianst`", "bad.csv, line 5: label `nnoe`"] {
        assert!(run.stderr.contains(line), "{line}\n{run:?}");
    }
    assert!(run.stderr.contains("bad.csv, line 7: label `?`"), "{run:?}");
    assert!(run.stderr.contains("3 rows with unknown labels in all"), "{run:?}");

    wd.create("t.csv", target_csv(100));
    let run = wd.run(&[
        "train",
        "--task",
        "target",
        "--data",
        "t.csv",
        "--labels",
        "favour,against,none",
        "--out",
        "m.json",
    ]);
    assert!(run.stderr.contains("class `against` has no examples in t.csv"), "{run:?}");
}

/// #16 part 5: round 2 of `sample` re-drew comments already labelled.
#[test]
fn sample_never_redraws_excluded_or_trained_comments() {
    let wd = Workdir::new();
    let mut corpus = String::from("article_id,id,parent_id,text\n");
    let mut labelled = String::from("text,label\n");
    let (f, n) = ("Prosecute the officer who shot him", "When was the inquest held");
    for i in 0..40 {
        corpus.push_str(&format!("a{},c{i},,\"{} {i}\"\n", i % 2, if i % 2 == 0 { f } else { n }));
        if i < 20 {
            let label = if i % 2 == 0 { "favour" } else { "none" };
            labelled.push_str(&format!("\"{} {i}\",{label}\n", if i % 2 == 0 { f } else { n }));
        }
    }
    wd.create("corpus/comments.csv", corpus);
    wd.run(&["sample", "corpus", "--n", "10", "--out", "r1.csv"]).expect_code(0);
    let r1 = wd.table("r1.csv");
    let run = wd
        .run(&["sample", "corpus", "--n", "100", "--exclude", "r1.csv", "--out", "r2.csv"])
        .expect_code(0);
    assert!(run.stderr.contains("wrote 30 comments"), "{run:?}");
    assert!(run.stderr.contains("10 drawn or labelled before were left out"), "{run:?}");
    let r2 = wd.table("r2.csv");
    let first: Vec<String> = r1.column("comment_id");
    assert!(r2.column("comment_id").iter().all(|c| !first.contains(c)), "{first:?}");

    // A file without ids is matched by text; a model's training texts are left out too.
    wd.create("l.csv", labelled);
    wd.run(&["sample", "corpus", "--n", "100", "--exclude", "l.csv", "--out", "r3.csv"])
        .expect_code(0);
    assert_eq!(wd.table("r3.csv").len(), 20);
    wd.run(&[
        "train",
        "--task",
        "target",
        "--data",
        "l.csv",
        "--labels",
        "favour,none",
        "--out",
        "m.json",
    ])
    .expect_code(0);
    let m = read_json(&wd, "m.json");
    let trained = m["training"]["text_hashes"].as_array().unwrap().len();
    let run = wd
        .run(&["sample", "corpus", "--n", "100", "--model", "m.json", "--out", "r4.csv"])
        .expect_code(0);
    assert_eq!(wd.table("r4.csv").len(), 40 - trained, "{run:?}");
    let run = wd
        .run(&[
            "sample",
            "corpus",
            "--n",
            "100",
            "--model",
            "m.json",
            "--keep-trained",
            "--out",
            "r5.csv",
        ])
        .expect_code(0);
    assert_eq!(wd.table("r5.csv").len(), 40, "{run:?}");
}

/// #16 part 4: `evaluate --leave-one-out` refits the recipe without the path left out. Domain
/// `two` labels the same kinds of sentence the other way round, so a refit on `two` alone
/// ranks `one` backwards, and one on `one` ranks `two` backwards: had either seen the path it
/// is scored on, its ROC-AUC would be high.
#[test]
fn leave_one_out_scores_each_path_with_a_refit_on_the_others() {
    let wd = Workdir::new();
    wd.create("a/one.csv", labelled_csv(60));
    let swapped: String = labelled_csv(60)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return format!("{l}\n");
            }
            let l = l.replace(")\"", " b)\"");
            match l.rsplit_once(',') {
                Some((head, "civil")) => format!("{head},uncivil\n"),
                Some((head, _)) => format!("{head},civil\n"),
                None => format!("{l}\n"),
            }
        })
        .collect();
    wd.create("b/two.csv", swapped);
    wd.run(&["train", "--task", "incivility", "--data", "a", "--out", "m.json"]).expect_code(0);
    let run = wd
        .run(&[
            "evaluate",
            "--model",
            "m.json",
            "--leave-one-out",
            "--cap",
            "40",
            "--data",
            "a",
            "b",
            "--predictions",
            "loo.csv",
        ])
        .expect_code(0);
    assert!(run.stderr.contains("leaving out a: fitting on two"), "{run:?}");
    assert!(run.stdout.contains("at most 40 training and calibration rows"), "{run:?}");
    let preds = wd.table("loo.csv");
    for name in ["one", "two"] {
        let rows: Vec<&Vec<Value>> = preds.rows.iter().filter(|r| r[0] == name).collect();
        assert!(!rows.is_empty() && rows.len() < 60, "{name}: {} held-out rows", rows.len());
        let line = run.stdout.lines().find(|l| l.starts_with(name)).expect("a line per path");
        let auc: f64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert!(auc < 0.2, "{name} ranked by a refit on the other path: {line}");
    }
    let run = wd.run(&["evaluate", "--model", "m.json", "--leave-one-out", "--data", "a"]);
    assert!(run.stderr.contains("at least two --data paths"), "{run:?}");
}
