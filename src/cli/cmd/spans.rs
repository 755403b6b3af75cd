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

The file is a SemEval-2021 Task 5 CSV (`spans,text`: the code-point offsets of the characters
marked toxic, as a JSON list). Its rows are split by the models' hash rule; the figures are the
mean per-post F1 (SemEval's metric) on the held-out rows, for the model's cues, its lexicon
and model cues apart, and a word list learned from the training rows.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// SemEval toxic-spans CSV file.
    #[arg(long, short, value_name = "FILE")]
    pub data: PathBuf,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Also write the word list learned from the training rows to FILE (the shipped one is
    /// models/spans/toxic-words-en.txt); an existing file is not replaced without --force.
    #[arg(long, value_name = "FILE")]
    pub write_words: Option<PathBuf>,
    /// With --write-words: replace FILE if it exists.
    #[arg(long, requires = "write_words")]
    pub force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let model = args.models.incivility()?;
    let posts = spans::load(&args.data)?;
    let r = spans::evaluate(&model, &posts);
    println!(
        "toxic spans: {} posts, {} held out ({} with no marked characters); split: the models' \
         hash rule, seed {}",
        r.posts,
        r.heldout,
        r.heldout_unmarked,
        spans::SEED
    );
    println!(
        "learned word list: {} words from the training rows ({} the list shipped in \
         models/spans/toxic-words-en.txt)",
        r.learned_words,
        if r.shipped_list { "the same as" } else { "NOT the same as" }
    );
    println!();
    println!("{:<44} {:>8}", "prediction", "span F1");
    for (name, f1) in &r.f1 {
        println!("{name:<44} {f1:>8.3}");
    }
    if let Some(path) = &args.write_words {
        crate::cli::output::check_writable(
            path,
            crate::cli::output::ForceArgs { force: args.force, force_labels: false },
        )?;
        let file = crate::cli::output::create(path)?;
        std::io::Write::write_all(
            &mut file.as_file(),
            r.list.to_text(&args.data.display().to_string()).as_bytes(),
        )?;
        file.commit()?;
        say!("wrote {} ({} words)", path.display(), r.learned_words);
    }
    Ok(ExitCode::SUCCESS)
}
