//! `threadlens report`: per discussion, what it is and how it is shaped.

use std::io::Write;
use std::process::ExitCode;

use threadlens::report::{self, DiscussionReport};
use threadlens::scores::DiscussionScores;

use crate::cli::inputs::{self, InputArgs};
use crate::cli::models::ModelArgs;

pub const EXAMPLES: &str = "\
Examples:
  threadlens report                     # the bundled seeds/
  threadlens report --tree              # with each reply tree, uncivil comments and their cues
  threadlens report captures/ --json > report.json";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Draw each discussion's reply tree (first 70 characters of each
    /// comment).
    #[arg(long)]
    pub tree: bool,
    /// Print the report as JSON (an array, one object per discussion).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub models: ModelArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scorers = args.models.scorers()?;
    let mut stdout = std::io::stdout().lock();
    let mut reports = Vec::new();
    let mut first = true;
    let outcome = inputs::for_each_discussion(&args.inputs, |d| {
        let scores = DiscussionScores::new(&d, &scorers);
        let r = DiscussionReport::new(&d, &scores, args.tree);
        if args.json {
            reports.push(r);
        } else {
            // Print as we go, a blank line between discussions.
            if !first {
                writeln!(stdout)?;
            }
            first = false;
            stdout.write_all(report::render(std::slice::from_ref(&r)).as_bytes())?;
        }
        Ok(())
    })?;
    if args.json {
        serde_json::to_writer_pretty(&mut stdout, &reports)?;
        writeln!(stdout)?;
    }
    stdout.flush()?;
    if outcome.failures > 0 {
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}
