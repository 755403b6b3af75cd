//! Issue #16 part 1 and 2: each comment's language, scores only where a model covers it, and a
//! reason wherever a score is null.

use crate::util::Workdir;

#[test]
fn languages_without_a_model_are_not_scored_and_say_why() {
    let wd = Workdir::new();
    wd.create(
        "t.csv",
        "id,parent_id,article_id,text\n\
         1,,a,\"I think the figures in this article are simply wrong, and the author knows it.\"\n\
         2,1,a,\"Je pense que les chiffres de cet article sont tout simplement faux, et l'auteur le sait.\"\n\
         3,1,a,!!!!\n\
         4,1,a,\n\
         5,,b,\"El gobierno ha publicado hoy nuevas cifras sobre el desempleo en todo el país.\"\n\
         6,5,b,Ok\n\
         7,,c,\"Was für ein Vollidiot, der Typ lügt doch, sobald er den Mund aufmacht.\"\n\
         8,7,c,Genau!\n",
    );
    let run = wd.run(&["analyse", "t.csv", "--format", "csv", "--out", "o"]).expect_code(0);
    let c = wd.table("o/comments.csv");
    assert_eq!(c.column("language"), ["en", "fr", "", "", "es", "", "de", ""]);
    let [sc, un, nt, tg] = ["scored", "unsupported_language", "no_text", "no_target"];
    assert_eq!(c.column("score_status"), [sc, un, sc, nt, un, un, sc, sc]);
    // German comments are scored by the German incivility model; there is no German stance.
    assert_eq!(c.column("stance_status"), [tg, un, sc, nt, un, un, un, un]);
    assert_eq!(c.cell(6, "uncivil"), "true", "the German insult");
    // Every comment with text has a score or a reason; only scored ones have a probability.
    for r in 0..c.len() {
        let scored = c.cell(r, "score_status") == "scored";
        assert_eq!(!c.cell(r, "incivility").is_empty(), scored, "row {r}");
    }
    let a = wd.table("o/articles.csv");
    assert_eq!(a.column("language"), ["en", "es", "de"]);
    assert_eq!(a.column("unsupported_language_comments"), ["1", "2", "0"]);
    assert!(
        run.stderr.contains("3 comments not scored: no model for their language (es 2, fr 1)"),
        "{run:?}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.join("o/run.json")).unwrap()).unwrap();
    assert_eq!(manifest["unsupported_languages"], serde_json::json!({"es": 2, "fr": 1}));
    // The report says it per discussion.
    let run = wd.run(&["report", "t.csv"]).expect_code(0);
    assert!(
        run.stdout
            .contains("language:   es; 2 comments not scored, no model for their language (es 2)"),
        "{}",
        run.stdout
    );
    // Without models nothing is scored, and that is the reason given.
    wd.run(&["analyse", "t.csv", "--format", "csv", "--out", "n", "--no-scores"]).expect_code(0);
    let c = wd.table("n/comments.csv");
    assert_eq!(c.column("score_status")[0], "no_model");
    assert_eq!(wd.table("n/articles.csv").column("unsupported_language_comments"), ["", "", ""]);
}

#[test]
fn score_reads_each_text_in_its_language() {
    let wd = Workdir::new();
    wd.create(
        "t.csv",
        "text\n\
         \"You are a complete idiot and a pathetic moron, go away and stop posting this rubbish.\"\n\
         \"Was für ein Vollidiot, der Typ lügt doch, sobald er den Mund aufmacht.\"\n\
         \"Je pense que les chiffres de cet article sont tout simplement faux, et l'auteur le sait.\"\n\
         ???\n\
         \"\"\n",
    );
    let rows = |args: &[&str]| -> Vec<Vec<String>> {
        let run = wd.run(args).expect_code(0);
        let mut rdr = csv::Reader::from_reader(run.stdout.as_bytes());
        rdr.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
    };
    let auto = rows(&["score", "t.csv"]);
    let col =
        |rows: &[Vec<String>], i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
    assert_eq!(col(&auto, 6), ["en", "de", "fr", "", ""]);
    assert_eq!(col(&auto, 7), ["scored", "scored", "unsupported_language", "scored", "no_text"]);
    assert_eq!(col(&auto, 3), ["true", "true", "", "false", ""]);
    // --language en reads every text as English: the German one gets the English model's view.
    let en = rows(&["score", "t.csv", "--language", "en"]);
    assert_eq!(col(&en, 7), ["scored", "scored", "scored", "scored", "no_text"]);
    assert_eq!(en[0][2], auto[0][2]);
    assert_ne!(en[1][2], auto[1][2]);
    // The German model on its own scores every text as German.
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/incivility-de.json");
    let de = rows(&["score", "t.csv", "--model", model]);
    assert_eq!(de[1][2], auto[1][2]);
    assert_eq!(col(&de, 7), ["scored", "scored", "scored", "scored", "no_text"]);
}

/// The model-cue thresholds shipped are the ones `threadlens spans` chooses on the training
/// rows of each language's span data (the lowest within 0.001 of the best span F1).
#[test]
fn model_cue_thresholds_are_the_ones_chosen_on_the_training_rows() {
    use threadlens::classify::{incivility, spans};
    let root = std::path::PathBuf::from(
        std::env::var_os("THREADLENS_SHARED_DATA").unwrap_or_else(|| "../shared/data".into()),
    );
    let sets = [
        ("en", root.join("incivility/toxic_spans_train/tsd_train.csv")),
        ("de", root.join("incivility/austrotox_de/austrotox_de.jsonl")),
    ];
    if !sets.iter().all(|(_, p)| p.is_file()) {
        eprintln!("{}: the span sets are not present, thresholds not checked", root.display());
        return;
    }
    for (language, path) in sets {
        let (model, posts) = match language {
            "de" => (incivility::shipped_model_de(), spans::load_austrotox(&path).unwrap().0),
            _ => (incivility::shipped_model(), spans::load(&path).unwrap()),
        };
        let report = spans::evaluate(&model, &posts, None);
        assert_eq!(report.thresholds.len(), incivility::MODEL_CUE_THRESHOLDS.len());
        assert_eq!(
            report.best_threshold(),
            Some(incivility::min_model_cue(language)),
            "{language}: {:?}",
            report.thresholds
        );
    }
}
