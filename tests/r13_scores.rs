//! Issue #13, items 7 and 8: scoring time linear in a comment's length, cues capped per
//! comment with a count of the rest, and every per-discussion step (tree, metrics, score
//! summaries, tables) O(n log n) in the discussion's comments.
//!
//! These tests build pathological inputs and simply complete: with the quadratic code each
//! took minutes. They assert no timings.

use threadlens::classify::features::Input;
use threadlens::classify::incivility::{self, MAX_CUES};
use threadlens::metrics::{discussion_metrics, thread_metrics};
use threadlens::scores::{DiscussionScores, Scorers, StanceSummary};
use threadlens::tables::DiscussionTables;
use threadlens::{Discussion, Document, RawComment};

fn comment(id: String, parent: Option<String>, text: String) -> RawComment {
    RawComment { id, parent_id: parent, text, ..Default::default() }
}

/// About `bytes` of insults that the lexicons and the model both mark.
fn insults(bytes: usize) -> String {
    let words = ["you", "prick", "idiot", "bellend", "moron", "liar", "shitty", "scum"];
    let mut out = String::with_capacity(bytes + 16);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(words[i % words.len()]);
        out.push(' ');
        i += 1;
    }
    out
}

/// Issue #13 (item 7): a ~1 MB comment of insult words took 7.6 s to score (each lexicon
/// match was checked against every earlier one, and each cue's offset counted from the start
/// of the text); it is linear now, and keeps only the strongest cues.
#[test]
fn r13_a_megabyte_of_insults_scores_in_linear_time() {
    let text = insults(1 << 20);
    let s = incivility::score(&incivility::shipped_model(), &text, &[]);
    assert!(s.uncivil, "p = {}", s.probability);
    assert_eq!(s.cues.len(), MAX_CUES);
    // Hundreds of thousands of matches, counted rather than listed.
    assert!(s.more_cues > 100_000, "{}", s.more_cues);
    // Still by position, offsets in characters.
    assert!(s.cues.windows(2).all(|w| w[0].start <= w[1].start));
    for c in &s.cues {
        assert_eq!(text.chars().skip(c.start).take(c.end - c.start).collect::<String>(), c.text);
    }
}

/// Issue #13 (item 7): the cap keeps the strongest cues and counts the rest; a comment with
/// fewer cues than the cap keeps them all.
#[test]
fn r13_cues_are_capped_keeping_the_strongest_and_counting_the_rest() {
    let model = incivility::shipped_model();
    // Insults of several forms, a few rare (strong: a form's weight is shared by its
    // matches) among many repeated ones.
    let text = format!(
        "{} You absolute bellend, you liar, I will find you. {}",
        insults(3000),
        "scum ".repeat(80)
    );
    let input = Input { text: &text, ..Default::default() };
    let all = incivility::score_capped(&model, input, usize::MAX);
    assert_eq!(all.more_cues, 0);
    assert!(all.cues.len() > MAX_CUES + 100, "{}", all.cues.len());
    let capped = incivility::score_capped(&model, input, MAX_CUES);
    assert_eq!(capped, incivility::score_input(&model, input));
    assert_eq!(capped.probability, all.probability);
    assert_eq!(capped.forms, all.forms);
    assert_eq!(capped.cues.len(), MAX_CUES);
    assert_eq!(capped.more_cues, all.cues.len() - MAX_CUES);
    // The kept are the strongest: no dropped cue outweighs a kept one, and every cue of the
    // strongest weight is kept.
    let least_kept = capped.cues.iter().map(|c| c.weight).fold(f64::INFINITY, f64::min);
    let dropped: Vec<_> = all.cues.iter().filter(|c| !capped.cues.contains(c)).collect();
    assert_eq!(dropped.len(), capped.more_cues);
    assert!(dropped.iter().all(|c| c.weight <= least_kept), "{least_kept}");
    let strongest = all.cues.iter().map(|c| c.weight).fold(f64::NEG_INFINITY, f64::max);
    assert!(capped.cues.iter().any(|c| c.weight == strongest));
    assert!(capped.cues.windows(2).all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end)));

    // The seed's insults (the Canary's comment 1.3) are far below the cap: all kept.
    let seed = "You’re a (obviously right-wing) bellend, you prick. With a name like that you \
                must be another neuvo rich Indian. Stick to the Mail comments page, you prick.";
    let input = Input { text: seed, ..Default::default() };
    let s = incivility::score_input(&model, input);
    assert_eq!(s, incivility::score_capped(&model, input, usize::MAX));
    assert_eq!(s.more_cues, 0);
    assert!(s.cues.iter().any(|c| c.text == "bellend"), "{:?}", s.cues);
}

/// Issue #13 (item 7): a comment of many short quotes was O(length × quotes) to split into
/// words and to measure.
#[test]
fn r13_a_comment_of_many_quotes_scores_in_linear_time() {
    let mut text = String::new();
    let mut quotes = Vec::new();
    for i in 0..40_000 {
        let start = text.len();
        text.push_str(&format!("> you prick {i}\n"));
        quotes.push(start..text.len());
        text.push_str("fair point\n");
    }
    let s = incivility::score(&incivility::shipped_model(), &text, &quotes);
    // Every insult is quoted: none is a cue of the quoter.
    assert!(s.cues.iter().all(|c| c.label == incivility::MODEL_CUE), "{:?}", &s.cues[..3]);
    assert!(!s.forms.contains(&"name_calling".to_string()), "{:?}", s.forms);
}

/// Issue #13 (item 8): 100,000 top-level comments in one discussion took 128 s, even
/// without scores: each thread's stance summary built a list over the whole discussion.
#[test]
fn r13_100k_top_level_comments_in_one_discussion() {
    let n = 100_000;
    let comments = (0..n).map(|i| comment(format!("c{i}"), None, format!("comment {i}"))).collect();
    let d = Discussion::build(Document { comments, ..Default::default() });
    let m = discussion_metrics(&d);
    let threads: Vec<_> = d.roots().iter().map(|&r| thread_metrics(&d, r)).collect();
    let scores = DiscussionScores::unscored(&d);
    let tables = DiscussionTables::new(&d, &m, &threads, &scores).unwrap();
    assert_eq!(m.threads, n as u64);
    assert_eq!(tables.threads.num_rows(), n);
    assert_eq!(tables.comments.num_rows(), n);
    let per_thread: usize =
        d.roots().iter().map(|&r| StanceSummary::of(&d, &scores, d.subtree(r)).replies).sum();
    assert_eq!(per_thread, 0);
}

/// Issue #13 (item 8): a wide and deep discussion of 20,000 comments (5,000 threads of 3, a
/// 5,000-deep chain under the first) goes through every per-discussion step, scored.
#[test]
fn r13_wide_and_deep_discussion_goes_through_every_step() {
    let mut comments = Vec::new();
    for t in 0..5_000 {
        comments.push(comment(format!("t{t}"), None, "The figures are wrong.".into()));
        for k in 0..2 {
            let text = format!("No, you prick, they are right {k}");
            comments.push(comment(format!("t{t}.{k}"), Some(format!("t{t}")), text));
        }
    }
    for k in 0..5_000 {
        let parent = if k == 0 { "t0".to_string() } else { format!("deep{}", k - 1) };
        comments.push(comment(format!("deep{k}"), Some(parent), "No, you are wrong.".into()));
    }
    let n = comments.len();
    let d = Discussion::build(Document { comments, ..Default::default() });
    let m = discussion_metrics(&d);
    let threads: Vec<_> = d.roots().iter().map(|&r| thread_metrics(&d, r)).collect();
    let scores = DiscussionScores::new(&d, &Scorers::shipped());
    let tables = DiscussionTables::new(&d, &m, &threads, &scores).unwrap();
    assert_eq!((tables.comments.num_rows(), tables.threads.num_rows()), (n, 5_000));
    assert_eq!(m.max_depth, 5_001);
    assert_eq!(threads[0].comments, 2 + 1 + 5_000);
    assert!(scores.comments().iter().all(|c| c.incivility.is_some()));
    // Replies have a relation to their parent (top-level ones none: the article is empty).
    let related = scores.comments().iter().filter(|c| c.stance.is_some()).count();
    assert_eq!(related, n - 5_000);
    // The thread summaries add up to the discussion's.
    let all = StanceSummary::of(&d, &scores, d.preorder());
    let replies: usize =
        d.roots().iter().map(|&r| StanceSummary::of(&d, &scores, d.subtree(r)).replies).sum();
    assert_eq!(replies, all.replies);
}

/// Issue #13 (item 8): exact repeats were found by comparing each comment with every earlier
/// one of its id: 100,000 comments sharing one id took minutes.
#[test]
fn r13_many_comments_sharing_one_id_build_in_linear_time() {
    let n = 100_000;
    let mut comments: Vec<RawComment> =
        (0..n).map(|i| comment("same".into(), None, format!("text {i}"))).collect();
    // And one exact repeat, still found.
    comments.push(comment("same".into(), None, "text 7".into()));
    let d = Discussion::build(Document { comments, ..Default::default() });
    assert_eq!(d.len(), n);
    let kinds = |k: threadlens::AnomalyKind| d.anomalies.iter().filter(|a| a.kind == k).count();
    assert_eq!(kinds(threadlens::AnomalyKind::RepeatedRecord), 1);
    assert_eq!(kinds(threadlens::AnomalyKind::DuplicateId), n - 1);
}

/// Issue #13 (item 8): each reply to a comment split its parent into words and read its
/// stance features anew, O(replies × parent length): 3,000 replies to a 200 KB comment.
#[test]
fn r13_many_replies_to_a_long_comment() {
    let parent =
        "The figures on police shootings are per capita, and the UK compares well. ".repeat(2_700);
    let mut comments = vec![comment("p".into(), None, parent)];
    for i in 0..3_000 {
        let text = format!("No, the figures are wrong {i}");
        comments.push(comment(format!("r{i}"), Some("p".into()), text));
    }
    let d = Discussion::build(Document { comments, ..Default::default() });
    let scores = DiscussionScores::new(&d, &Scorers::shipped());
    assert!(scores.comments()[1..].iter().all(|c| c.stance.is_some()));
    // The same as scoring one reply on its own (no cache: one reply).
    let alone = Discussion::build(Document {
        comments: d.nodes()[..2].iter().map(|n| n.comment.clone()).collect(),
        ..Default::default()
    });
    let one = DiscussionScores::new(&alone, &Scorers::shipped());
    assert_eq!(one.comments()[1].stance, scores.comments()[1].stance);
}

/// Issue #13, item 7: the cues beyond the 50 listed are counted where users see them: the
/// `incivility_more_cues` column and the tree's cue line.
#[test]
fn r13_more_cues_are_shown() {
    let wd = crate::util::Workdir::new();
    let text = "you idiot, you moron, you prick. ".repeat(40);
    wd.create("c.csv", format!("id,parent_id,text\n1,,\"{text}\"\n2,,thanks for this\n"));
    wd.run(&["analyse", "c.csv", "--out", "o", "--format", "csv"]).expect_code(0);
    let comments = wd.table("o/comments.csv");
    let more: usize = comments.cell(0, "incivility_more_cues").parse().unwrap();
    assert!(more >= 60, "{more}");
    assert_eq!(comments.cell(1, "incivility_more_cues"), "0");
    let run = wd.run(&["report", "--tree", "c.csv"]).expect_code(0);
    assert!(run.stdout.contains(&format!("and {more} more")), "{}", run.stdout);
}
