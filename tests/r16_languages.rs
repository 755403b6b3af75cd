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
         6,5,b,Ok\n",
    );
    let run = wd.run(&["analyse", "t.csv", "--format", "csv", "--out", "o"]).expect_code(0);
    let c = wd.table("o/comments.csv");
    assert_eq!(c.column("language"), ["en", "fr", "", "", "es", ""]);
    assert_eq!(
        c.column("score_status"),
        [
            "scored",
            "unsupported_language",
            "scored",
            "no_text",
            "unsupported_language",
            "unsupported_language"
        ]
    );
    assert_eq!(
        c.column("stance_status"),
        [
            "no_target",
            "unsupported_language",
            "scored",
            "no_text",
            "unsupported_language",
            "unsupported_language"
        ]
    );
    // Every comment with text has a score or a reason; only scored ones have a probability.
    for r in 0..c.len() {
        let scored = c.cell(r, "score_status") == "scored";
        assert_eq!(!c.cell(r, "incivility").is_empty(), scored, "row {r}");
    }
    let a = wd.table("o/articles.csv");
    assert_eq!(a.column("language"), ["en", "es"]);
    assert_eq!(a.column("unsupported_language_comments"), ["1", "2"]);
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
    assert_eq!(wd.table("n/articles.csv").column("unsupported_language_comments"), ["", ""]);
}
