//! Which models a command scores with: the shipped ones, replacements given with `--model`,
//! or none (`--no-scores`).

use std::path::PathBuf;

use threadlens::classify::{FittedScorer, Task};
use threadlens::scores::Scorers;

/// Model arguments shared by `analyse` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Score with this model file: an incivility or stance model replaces the shipped one
    /// (models/incivility.json, models/stance.json); a target model (`train --task target`)
    /// adds its columns to `comments`. Repeat for several.
    #[arg(long = "model", value_name = "FILE", help_heading = "Models")]
    pub models: Vec<PathBuf>,
    /// Structure only: score no comments (score columns are null).
    #[arg(long, conflicts_with = "models", help_heading = "Models")]
    pub no_scores: bool,
}

impl ModelArgs {
    /// The incivility model alone (the `score` command): the one given, or the shipped one.
    pub fn incivility(&self) -> anyhow::Result<FittedScorer> {
        anyhow::ensure!(!self.no_scores, "`--no-scores` leaves nothing to score with");
        anyhow::ensure!(self.models.len() <= 1, "`score` takes one model");
        if let Some(path) = self.models.first() {
            let m = FittedScorer::load(path)?; // the error names the file
            anyhow::ensure!(
                m.task() == Task::Incivility,
                "'{}' is a {} model; `score` takes an incivility model",
                path.display(),
                m.task()
            );
            return Ok(m);
        }
        Ok(threadlens::classify::incivility::shipped_model())
    }

    /// The scorers of the run (`threadlens::pipeline::scorers`).
    pub fn scorers(&self) -> anyhow::Result<Scorers> {
        Ok(threadlens::pipeline::scorers(&self.models, !self.no_scores)?)
    }
}
