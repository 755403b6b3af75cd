//! Which models a command scores with: the shipped ones, replacements given with `--model`,
//! or none (`--no-scores`).

use std::path::PathBuf;

use anyhow::Context;
use threadlens::classify::{FittedScorer, Task};
use threadlens::scores::Scorers;

/// Model arguments shared by `analyse` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Score with this model file instead of the shipped one of its task (an incivility
    /// model replaces models/incivility.json). Repeat for several.
    #[arg(long = "model", value_name = "FILE", help_heading = "Models")]
    pub models: Vec<PathBuf>,
    /// Structure only: score no comments (score columns are null).
    #[arg(long, conflicts_with = "models", help_heading = "Models")]
    pub no_scores: bool,
}

impl ModelArgs {
    /// The scorers of the run.
    pub fn scorers(&self) -> anyhow::Result<Scorers> {
        if self.no_scores {
            return Ok(Scorers::none());
        }
        let mut scorers = Scorers::none();
        for path in &self.models {
            let m = FittedScorer::load(path)
                .with_context(|| format!("could not load model '{}'", path.display()))?;
            match m.task() {
                Task::Incivility => scorers.incivility = Some(m),
                other => anyhow::bail!(
                    "'{}' is a {other} model; `--model` takes incivility models",
                    path.display()
                ),
            }
        }
        // The shipped models for the tasks not given.
        if scorers.incivility.is_none() {
            scorers.incivility = Scorers::shipped().incivility;
        }
        Ok(scorers)
    }
}
