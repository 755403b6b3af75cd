//! `threadlens spans`: how well the incivility model's cue spans agree with the words people
//! marked as toxic (SemEval-2021 toxic spans data and metric).

use std::path::PathBuf;
use std::process::ExitCode;

use threadlens::classify::spans;

use crate::cli::models::ModelArgs;

pub const EXAMPLES: &str = "\
Examples:
  threadlens spans --data ../shared/data/incivility/toxic_spans_train/tsd_train.csv
  threadlens spans --data tsd_train.csv --model my_incivility.json
  threadlens spans --data ../shared/data/incivility/austrotox_de/austrotox_de.jsonl

The file is a SemEval-2021 Task 5 CSV (`spans,text`: the code-point offsets of the characters
marked toxic, as a JSON list), scored by the English model; or AustroTox's JSON lines
(`.jsonl`: German comments whose vulgar words are tagged; every whole-word occurrence of a
tagged word counts as marked), scored by the German model. Rows are split by the models' hash
rule; the figures are the mean per-post F1 (SemEval's metric) on the held-out rows, for the
model's cues, its lexicon and model cues apart, and a word list learned from the training rows.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// SemEval toxic-spans CSV file, or AustroTox's `austrotox_de.jsonl` (German).
    #[arg(long, short, value_name = "FILE")]
    pub data: PathBuf,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Also write the word list learned from the training rows to FILE (the shipped ones are
    /// models/spans/toxic-words-en.txt and, from AustroTox, toxic-words-de.txt); an existing
    /// file is not replaced without --force.
    #[arg(long, value_name = "FILE")]
    pub write_words: Option<PathBuf>,
    /// With --write-words: replace FILE if it exists.
    #[arg(long, requires = "write_words")]
    pub force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let german = args.data.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let (model, posts, shipped) = if german {
        let model = match args.models.models.is_empty() && !args.models.no_scores {
            true => threadlens::classify::incivility::shipped_model_de(),
            false => args.models.incivility()?,
        };
        let (posts, unlocated) = spans::load_austrotox(&args.data)?;
        println!(
            "AustroTox vulgarity tags: {} comments; {unlocated} tags found nowhere in their comment",
            posts.len()
        );
        (model, posts, Some(threadlens::classify::incivility::TOXIC_WORDS_DE))
    } else {
        let model = args.models.incivility()?;
        (model, spans::load(&args.data)?, Some(threadlens::classify::incivility::TOXIC_WORDS_EN))
    };
    let r = spans::evaluate(&model, &posts, shipped);
    println!(
        "{}: {} posts, {} held out ({} with no marked characters); split: the models' hash \
         rule, seed {}",
        if german { "marked words" } else { "toxic spans" },
        r.posts,
        r.heldout,
        r.heldout_unmarked,
        spans::SEED
    );
    println!(
        "learned word list: {} words from the training rows ({})",
        r.learned_words,
        match r.shipped_list {
            Some(same) => format!(
                "{} the list shipped in models/spans/toxic-words-{}.txt",
                if same { "the same as" } else { "NOT the same as" },
                if german { "de" } else { "en" }
            ),
            None => "no list is shipped for this data".to_string(),
        }
    );
    println!();
    println!("{:<44} {:>8}", "prediction", "span F1");
    for (name, f1) in &r.f1 {
        println!("{name:<44} {f1:>8.3}");
    }
    println!();
    println!(
        "least model-cue contribution, span F1 of all cues on the {} training rows \
         (shipped: {}; best: {}):",
        r.training,
        threshold_name(threadlens::classify::incivility::min_model_cue(model.language())),
        r.best_threshold().map_or("none".to_string(), threshold_name)
    );
    println!(
        "  {}",
        r.thresholds
            .iter()
            .map(|&(t, f1)| format!("{} {f1:.3}", threshold_name(t)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(path) = &args.write_words {
        crate::cli::output::check_writable(
            path,
            crate::cli::output::ForceArgs { force: args.force, force_labels: false },
        )?;
        let file = crate::cli::output::create(path)?;
        std::io::Write::write_all(
            &mut file.as_file(),
            match german {
                true => r.list.to_text_de(&args.data.display().to_string()),
                false => r.list.to_text(&args.data.display().to_string()),
            }
            .as_bytes(),
        )?;
        file.commit()?;
        say!("wrote {} ({} words)", path.display(), r.learned_words);
    }
    Ok(ExitCode::SUCCESS)
}

/// A model-cue threshold as printed: infinity as `no model cues`.
fn threshold_name(t: f64) -> String {
    if t.is_finite() { format!("{t}") } else { "no model cues".to_string() }
}
