//! `threadlens sample`: comments to annotate for a stance target of your own, spread over
//! discussions and depths, the most uncertain first when a model is given.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use threadlens::classify::data;
use threadlens::classify::features::Input;
use threadlens::classify::{FittedScorer, Task};
use threadlens::scores::is_scored;
use threadlens::{Discussion, NodeId};

use crate::cli::EXIT_FAILURE;
use crate::cli::inputs::{self, InputArgs};
use crate::cli::output::{self, ForceArgs};

pub const EXAMPLES: &str = "\
Examples:
  threadlens sample corpus/ --n 200 --out to_label.csv
  threadlens sample corpus/ --n 100 --model models/my_target.json --exclude to_label.csv --out round2.csv

The file has one comment per row: article_id, comment_id, depth, parent_text, text and an
empty `label` column to fill in (and `uncertainty` when --model is given). Then:
  threadlens train --task target --data to_label.csv --labels favour,against,none --out models/my_target.json
Rows left without a label are skipped, so a half-annotated file can be used. A later round
never re-draws a comment of an --exclude file (matched by article_id and comment_id, else by
text) nor one the --model was trained on.";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// How many comments to draw.
    #[arg(long, short, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    pub n: u64,
    /// Where to write the CSV [default: to_label.csv, or the first free to_label-2.csv,
    /// to_label-3.csv, … when it exists]. An existing file given here is never overwritten
    /// without --force, nor one holding labels without --force-labels.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub force: ForceArgs,
    /// A target model: draw the comments it is least sure about first.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Seed of the random draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Files of comments drawn or labelled before (CSV/TSV/JSONL with `comment_id` and
    /// `article_id`, or a text column): none of them is drawn again.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub exclude: Vec<PathBuf>,
    /// Do draw comments whose text the --model was trained on (left out by default).
    #[arg(long, requires = "model")]
    pub keep_trained: bool,
}

/// Comments already drawn: ids (`article_id` + `comment_id`, or `comment_id` alone) and text
/// hashes (rows without an id; the --model's training texts).
#[derive(Default)]
struct Seen {
    ids: std::collections::HashSet<(String, String)>,
    any_article: std::collections::HashSet<String>,
    texts: std::collections::HashSet<u64>,
}

impl Seen {
    fn contains(&self, article_id: &str, comment_id: &str, text: &str) -> bool {
        self.ids.contains(&(article_id.to_string(), comment_id.to_string()))
            || self.any_article.contains(comment_id)
            || self.texts.contains(&data::text_hash(text, None))
    }

    /// Reads an earlier file's comment ids and texts.
    fn read(&mut self, path: &std::path::Path) -> anyhow::Result<usize> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let mut rows: Vec<std::collections::HashMap<String, String>> = Vec::new();
        if ext == "jsonl" {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read '{}'", path.display()))?;
            for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)
                    .with_context(|| {
                        format!("{}, line {}: not a JSON object", path.display(), i + 1)
                    })?;
                rows.push(
                    v.into_iter()
                        .map(|(k, v)| {
                            let s = match v {
                                serde_json::Value::String(s) => s,
                                serde_json::Value::Null => String::new(),
                                other => other.to_string(),
                            };
                            (k, s)
                        })
                        .collect(),
                );
            }
        } else {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(if ext == "tsv" { b'\t' } else { b',' })
                .from_path(path)
                .with_context(|| format!("could not read '{}'", path.display()))?;
            let headers = rdr.headers()?.clone();
            for rec in rdr.records() {
                let rec = rec.with_context(|| format!("could not read '{}'", path.display()))?;
                rows.push(
                    headers
                        .iter()
                        .map(str::to_string)
                        .zip(rec.iter().map(str::to_string))
                        .collect(),
                );
            }
        }
        let n = rows.len();
        for r in rows {
            let get = |k: &str| r.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
            let comment = get("comment_id");
            let text = ["text", "comment_text", "body", "comment"]
                .iter()
                .find_map(|k| r.get(*k).filter(|t| !t.trim().is_empty()));
            if !comment.is_empty() {
                if r.contains_key("article_id") {
                    self.ids.insert((get("article_id"), comment));
                } else {
                    self.any_article.insert(comment);
                }
            } else if let Some(t) = text {
                self.texts.insert(data::text_hash(t, None));
            }
        }
        Ok(n)
    }
}

/// A comment that could be drawn.
struct Candidate {
    article_id: String,
    comment_id: String,
    depth: u32,
    parent_text: String,
    text: String,
    /// 1 − the model's top probability; `None` without a model.
    uncertainty: Option<f64>,
    /// Random tie-breaker.
    key: u64,
}

/// The default annotation file's name.
pub const DEFAULT_OUT: &str = "to_label.csv";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Before any work, decide where the file goes: never over an existing file unless told to
    // (a file of hand labels was lost that way: #13). Without --out, a later round goes beside
    // the first (to_label-2.csv) and says so.
    let out = match &args.out {
        Some(p) => {
            output::check_writable(p, args.force)?;
            p.clone()
        }
        None => {
            let p = output::next_free(std::path::Path::new(DEFAULT_OUT));
            if p != std::path::Path::new(DEFAULT_OUT) {
                say!(
                    "threadlens: note: {DEFAULT_OUT} exists (it is kept); writing {} instead",
                    p.display()
                );
            }
            p
        }
    };
    let model = match &args.model {
        Some(path) => {
            let m = FittedScorer::load(path)?; // the error names the file
            anyhow::ensure!(
                m.task() == Task::Target,
                "'{}' is a {} model; --model takes a target model (train --task target)",
                path.display(),
                m.task()
            );
            Some(m)
        }
        None => None,
    };
    let mut seen = Seen::default();
    for path in &args.exclude {
        let n = seen.read(path)?;
        say!("threadlens: {}: {n} comments not drawn again", path.display());
    }
    if let Some(m) = &model
        && !args.keep_trained
    {
        let hashes = &m.file().training.text_hashes;
        seen.texts.extend(hashes.iter().copied());
        if !hashes.is_empty() {
            say!(
                "threadlens: the {} texts the model was trained on are not drawn again",
                hashes.len()
            );
        }
    }
    let mut excluded = 0usize;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    // Strata: (discussion, depth band); each holds its candidates.
    let mut strata: BTreeMap<(String, u32), Vec<Candidate>> = BTreeMap::new();
    let outcome = inputs::for_each_discussion(&args.inputs, |d: Discussion| {
        for i in 0..d.len() {
            let id = NodeId(i as u32);
            if !is_scored(&d, id) {
                continue;
            }
            let n = d.node(id);
            if seen.contains(&d.article.id, &n.comment.id, &n.comment.text) {
                excluded += 1;
                continue;
            }
            let uncertainty = model.as_ref().map(|m| {
                let p = m.probabilities(Input {
                    text: &n.comment.text,
                    quotes: &n.comment.quotes,
                    ..Default::default()
                });
                1.0 - p.iter().copied().fold(0.0, f64::max)
            });
            // Depth bands: top level, replies, replies to replies, deeper.
            let band = n.depth.min(3);
            strata.entry((d.article.id.clone(), band)).or_default().push(Candidate {
                article_id: d.article.id.clone(),
                comment_id: n.comment.id.clone(),
                depth: n.depth,
                parent_text: n.parent.map(|p| d.node(p).comment.text.clone()).unwrap_or_default(),
                text: n.comment.text.clone(),
                uncertainty,
                key: rng.random(),
            });
        }
        Ok(())
    })?;

    // Within a stratum: most uncertain first, else random. Then round-robin over strata in
    // random order until n are drawn, so every discussion and depth band is represented.
    let mut queues: Vec<Vec<Candidate>> = strata.into_values().collect();
    for q in &mut queues {
        q.sort_by(|a, b| {
            let ua = a.uncertainty.unwrap_or(0.0);
            let ub = b.uncertainty.unwrap_or(0.0);
            // Reversed: popped from the end.
            ua.total_cmp(&ub).then(b.key.cmp(&a.key))
        });
    }
    queues.shuffle(&mut rng);
    let available: usize = queues.iter().map(Vec::len).sum();
    let want = (args.n as usize).min(available);
    let mut drawn: Vec<Candidate> = Vec::with_capacity(want);
    while drawn.len() < want {
        for q in &mut queues {
            if drawn.len() == want {
                break;
            }
            if let Some(c) = q.pop() {
                drawn.push(c);
            }
        }
    }
    if model.is_some() {
        drawn.sort_by(|a, b| b.uncertainty.unwrap_or(0.0).total_cmp(&a.uncertainty.unwrap_or(0.0)));
    }

    let file = output::create(&out)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(file.as_file());
    let mut header = vec!["article_id", "comment_id", "depth", "parent_text", "text", "label"];
    if model.is_some() {
        header.push("uncertainty");
    }
    w.write_record(&header)?;
    for c in &drawn {
        let mut rec = vec![
            c.article_id.clone(),
            c.comment_id.clone(),
            c.depth.to_string(),
            c.parent_text.clone(),
            c.text.clone(),
            String::new(),
        ];
        if let Some(u) = c.uncertainty {
            rec.push(format!("{u:.4}"));
        }
        w.write_record(&rec)?;
    }
    w.flush().with_context(|| format!("could not write '{}'", out.display()))?;
    drop(w);
    file.commit()?;
    let excluded = if excluded > 0 {
        format!("; {excluded} drawn or labelled before were left out")
    } else {
        String::new()
    };
    say!(
        "threadlens: wrote {} comments to label to {} (of {available} scoreable comments{excluded})",
        drawn.len(),
        out.display()
    );
    if outcome.failures > 0 {
        return Ok(ExitCode::from(EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}
