//! Stance end to end (issue #5): relations and sides in the tables and the report, and the
//! user's own stance target: `sample` → annotate → `train --task target` → `evaluate` →
//! `analyse --model`.

use crate::analyse::CANARY;
use crate::util::Workdir;

const RELATIONS: [&str; 3] = ["disagree", "neutral", "agree"];
const SIDES: [&str; 3] = ["with_article", "against_article", "unclear"];

#[test]
fn seed_comments_all_get_a_stance_and_a_side() {
    let wd = Workdir::new();
    wd.run(&["analyse", "--format", "csv"]).expect_code(0);
    let comments = wd.table("out/comments.csv");
    let rows: Vec<usize> =
        (0..comments.len()).filter(|&r| comments.cell(r, "article_id") == CANARY).collect();
    assert_eq!(rows.len(), 8);
    for &r in &rows {
        let stance = comments.cell(r, "stance");
        assert!(RELATIONS.contains(&stance.as_str()), "row {r}: {stance:?}");
        let p: Vec<f64> = ["stance_disagree", "stance_neutral", "stance_agree"]
            .iter()
            .map(|c| comments.cell(r, c).parse().unwrap())
            .collect();
        approx::assert_abs_diff_eq!(p.iter().sum::<f64>(), 1.0, epsilon = 1e-9);
        let best = RELATIONS[(0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()];
        assert_eq!(stance, best, "the stance is the most probable relation");
        let side = comments.cell(r, "side");
        assert!(SIDES.contains(&side.as_str()), "row {r}: {side:?}");
        assert_eq!(comments.cell(r, "side_confidence").is_empty(), side == "unclear");
    }
    // Article-level shares add up, and the disagreement share is over the 5 replies.
    let articles = wd.table("out/articles.csv");
    let a = articles.row_where("article_id", CANARY);
    let share = |c: &str| articles.cell(a, c).parse::<f64>().unwrap();
    approx::assert_abs_diff_eq!(
        share("with_article_share") + share("against_article_share") + share("unclear_share"),
        1.0,
        epsilon = 1e-9
    );
    let replies = rows.iter().filter(|&&r| comments.cell(r, "depth") == "2").count();
    let disagreeing = rows
        .iter()
        .filter(|&&r| comments.cell(r, "depth") == "2" && comments.cell(r, "stance") == "disagree")
        .count();
    approx::assert_abs_diff_eq!(
        share("disagree_share"),
        disagreeing as f64 / replies as f64,
        epsilon = 1e-12
    );
}

#[test]
fn report_shows_each_comments_relation_and_side() {
    let wd = Workdir::new();
    let seed = format!("{}/seeds/{CANARY}.txt", env!("CARGO_MANIFEST_DIR"));
    let run = wd.run(&["report", "--tree", &seed]).expect_code(0);
    assert!(run.stdout.contains("  stance:     "), "{run:?}");
    assert!(run.stdout.contains("  sides:      "), "{run:?}");
    let details: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(" · side ") || l.ends_with("side unclear"))
        .collect();
    assert_eq!(details.len(), 8, "{}", run.stdout);
    let to_article = details.iter().filter(|l| l.contains("the article")).count();
    assert_eq!(to_article, 3, "three top-level comments relate to the article");
}

/// A small corpus about one question, and how an annotator would label each comment.
fn corpus() -> (String, Vec<(String, &'static str)>) {
    let favour = [
        "Armed officers should face prosecution like anyone else who kills",
        "No one is above the law, police who shoot should stand trial",
        "Prosecute the officer, a uniform is not a licence to kill",
        "If I shot someone I would be charged, so should they",
    ];
    let against = [
        "Officers put their lives on the line, prosecuting them is wrong",
        "No officer will carry a gun if every shooting means a trial",
        "They made a split second call, charging them is absurd",
        "Police must be protected from prosecution when doing their job",
    ];
    let none = [
        "What time was the inquest held",
        "The article does not say where this happened",
        "I saw this on the news last night",
        "Has anyone read the full report yet",
    ];
    let mut csv = String::from("article_id,id,parent_id,text\n");
    let mut labels = Vec::new();
    let mut n = 0;
    for round in 0..6 {
        for (label, texts) in [("favour", &favour), ("against", &against), ("none", &none)] {
            for t in texts.iter() {
                n += 1;
                let text = format!("{t} ({round})");
                let parent = if n % 3 == 0 { format!("c{}", n - 1) } else { String::new() };
                csv.push_str(&format!("a{},c{n},{parent},\"{text}\"\n", round % 2));
                labels.push((text, label));
            }
        }
    }
    (csv, labels)
}

#[test]
fn target_workflow_sample_annotate_train_evaluate_analyse() {
    let wd = Workdir::new();
    let (csv, labels) = corpus();
    wd.create("corpus/comments.csv", csv);

    // 1. Draw comments to label, spread over both discussions.
    let run = wd.run(&["sample", "corpus", "--n", "60", "--out", "to_label.csv"]).expect_code(0);
    assert!(run.stderr.contains("wrote 60 comments"), "{run:?}");
    let mut rdr = csv::Reader::from_path(wd.join("to_label.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, ["article_id", "comment_id", "depth", "parent_text", "text", "label"]);
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert!(rows.iter().any(|r| &r[0] == "a0") && rows.iter().any(|r| &r[0] == "a1"));
    assert!(rows.iter().any(|r| &r[2] == "1") && rows.iter().any(|r| &r[2] == "2"));
    assert!(rows.iter().all(|r| r[5].is_empty()), "labels start empty");

    // 2. Annotate (as a person would), leaving two rows for later.
    let mut w = csv::Writer::from_path(wd.join("labelled.csv")).unwrap();
    w.write_record(&header).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let label = labels.iter().find(|(t, _)| t == &r[4]).map(|(_, l)| *l).unwrap();
        let label = if i < 2 { "" } else { label };
        w.write_record([&r[0], &r[1], &r[2], &r[3], &r[4], label]).unwrap();
    }
    w.flush().unwrap();

    // 3. Train; the name comes from the output file.
    let run = wd
        .run(&[
            "train",
            "--task",
            "target",
            "--data",
            "labelled.csv",
            "--labels",
            "favour,against,none",
            "--out",
            "my_target.json",
        ])
        .expect_code(0);
    assert!(run.stderr.contains("favour 1") || run.stderr.contains("favour"), "{run:?}");

    // 4. Cross-validate the recipe.
    let run = wd
        .run(&["evaluate", "--model", "my_target.json", "--data", "labelled.csv", "--folds", "3"])
        .expect_code(0);
    assert!(run.stdout.contains("macro-F1"), "{run:?}");
    assert!(run.stdout.contains("58 out-of-fold rows"), "{run:?}");

    // 5. Its labels become columns of `comments`.
    wd.run(&["analyse", "corpus", "--model", "my_target.json", "--format", "jsonl"]).expect_code(0);
    let comments = wd.table("out/comments.jsonl");
    assert_eq!(comments.len(), labels.len());
    let got = comments.column("my_target");
    assert!(got.iter().all(|l| ["favour", "against", "none"].contains(&l.as_str())), "{got:?}");
    let right = (0..comments.len())
        .filter(|&r| {
            let text = comments.cell(r, "text");
            labels.iter().any(|(t, l)| *t == text && comments.cell(r, "my_target") == *l)
        })
        .count();
    assert!(right * 10 >= comments.len() * 8, "{right} of {} right", comments.len());
    for c in comments.column("my_target_confidence") {
        let p: f64 = c.parse().unwrap();
        assert!((1.0 / 3.0..=1.0).contains(&p), "{p}");
    }

    // 6. A second round draws the most uncertain first.
    let run = wd
        .run(&["sample", "corpus", "--n", "10", "--model", "my_target.json", "--out", "r2.csv"])
        .expect_code(0);
    assert!(run.stderr.contains("wrote 10"), "{run:?}");
    let mut rdr = csv::Reader::from_path(wd.join("r2.csv")).unwrap();
    let u: Vec<f64> = rdr.records().map(|r| r.unwrap()[6].parse().unwrap()).collect();
    assert!(u.windows(2).all(|w| w[0] >= w[1]), "{u:?}");
}

#[test]
fn a_target_model_named_like_a_column_is_refused() {
    let wd = Workdir::new();
    let (csv, labels) = corpus();
    wd.create("corpus.csv", csv);
    let mut labelled = String::from("text,label\n");
    for (t, l) in &labels {
        labelled.push_str(&format!("\"{t}\",{l}\n"));
    }
    wd.create("l.csv", labelled);
    wd.run(&["train", "--task", "target", "--data", "l.csv", "--name", "text", "--out", "m.json"])
        .expect_code(0);
    let run = wd.run(&["analyse", "corpus.csv", "--model", "m.json"]).expect_code(1);
    assert!(run.stderr.contains("already a column"), "{run:?}");
}
