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

    /// The scorers of the run.
    pub fn scorers(&self) -> anyhow::Result<Scorers> {
        if self.no_scores {
            return Ok(Scorers::none());
        }
        let mut scorers = Scorers::none();
        // Every --model given (it repeats): one replacement per shipped task, targets added.
        for path in &self.models {
            let m = FittedScorer::load(path)?; // the error names the file
            match m.task() {
                Task::Incivility | Task::Stance
                    if [&scorers.incivility, &scorers.stance]
                        .into_iter()
                        .flatten()
                        .any(|s| s.task() == m.task()) =>
                {
                    anyhow::bail!("'{}': a second {} model; give one", path.display(), m.task())
                }
                Task::Incivility => scorers.incivility = Some(m),
                Task::Stance => scorers.stance = Some(m),
                Task::Target => {
                    let name = m.name().unwrap_or("target").to_string();
                    let taken =
                        threadlens::export::schema::COMMENTS.columns.iter().any(|c| c.name == name)
                            || scorers.target_names().contains(&name);
                    anyhow::ensure!(
                        !taken,
                        "'{}': its name `{name}` is already a column; retrain it with --name",
                        path.display()
                    );
                    scorers.targets.push(m)
                }
            }
        }
        // The shipped models for the tasks not given.
        if scorers.incivility.is_none() || scorers.stance.is_none() {
            let shipped = Scorers::shipped();
            scorers.incivility = scorers.incivility.or(shipped.incivility);
            scorers.stance = scorers.stance.or(shipped.stance);
        }
        Ok(scorers)
    }
}
