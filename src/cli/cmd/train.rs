//! `threadlens train`: fit a model on labelled data and write it as JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use threadlens::classify::data::{self, Columns, Dataset};
use threadlens::classify::train::{self, Rows, TrainParams};
use threadlens::classify::{FittedScorer, Task};

use crate::cli::EXIT_FAILURE;
use crate::cli::output::{self, ForceArgs};

pub const EXAMPLES: &str = "\
Examples:
  threadlens train --task incivility --data ../shared/data/incivility --out models/incivility.json
  threadlens train --task incivility --language de --data ../shared/data/incivility/{germeval2018_de,austrotox_de} --out models/incivility-de.json
  threadlens train --task stance --data ../shared/data/agreement --out models/stance.json
  threadlens train --task target --data labelled.csv --labels favour,against,none --out models/my_target.json

Known public datasets (C3, Reddit incivility, Davidson, CAT-LARGE, toxic spans, Kaggle insults,
ETHOS, Stormfront, GermEval 2018, AustroTox, DEBAGREEMENT) are recognised by file name and labelled by their documented rule; any other CSV/TSV/JSONL needs a text and a
label column (found by name, or named with --text-col and --label-col). Rows with an empty
label are skipped (not yet annotated).";

/// Labelled data and its columns: shared by `train` and `evaluate`.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Labelled files, or folders searched for .csv/.tsv/.jsonl files.
    #[arg(long, short, value_name = "PATH", required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Column holding the comment text (generic files).
    #[arg(long, value_name = "NAME")]
    pub text_col: Option<String>,
    /// Column holding the label (generic files).
    #[arg(long, value_name = "NAME")]
    pub label_col: Option<String>,
    /// Column holding the text replied to (stance files).
    #[arg(long, value_name = "NAME")]
    pub target_col: Option<String>,
    /// Column whose rows must stay together in one split or fold (e.g. the article).
    #[arg(long, value_name = "NAME")]
    pub group_col: Option<String>,
}

impl DataArgs {
    fn columns(&self) -> Columns {
        Columns {
            text: self.text_col.clone(),
            label: self.label_col.clone(),
            target: self.target_col.clone(),
            group: self.group_col.clone(),
        }
    }

    /// Reads every labelled file; a file that fails is reported and skipped.
    pub fn load(&self, task: Task, classes: &[String]) -> (Vec<Dataset>, bool) {
        let mut out = Vec::new();
        let mut failed = false;
        for path in &self.data {
            if !path.exists() {
                say!("threadlens: '{}': no such file or folder", path.display());
                failed = true;
                continue;
            }
            for file in data::files(path) {
                match data::load(&file, task, classes, &self.columns()) {
                    Ok(ds) if ds.examples.is_empty() => {
                        say!("threadlens: {}: no labelled rows", file.display());
                        failed = true;
                    }
                    Ok(ds) => out.push(ds),
                    Err(e) => {
                        say!("threadlens: {e}");
                        failed = true;
                    }
                }
            }
        }
        (data::merge_same_names(out), failed)
    }
}

/// Warns about classes with no example in any of the data.
pub fn warn_empty_classes(datasets: &[Dataset], classes: &[String]) {
    let mut per_class = vec![0usize; classes.len()];
    for e in datasets.iter().flat_map(|d| &d.examples) {
        per_class[e.label] += 1;
    }
    let paths: Vec<String> = datasets.iter().map(|d| d.path.display().to_string()).collect();
    for (c, n) in classes.iter().zip(per_class) {
        if n == 0 {
            say!(
                "threadlens: warning: class `{c}` has no examples in {} (check --labels and the label column)",
                paths.join(", ")
            );
        }
    }
}

/// Accuracy and macro-F1 (binary: ROC-AUC too) of a model on the held-out rows of the split
/// rule; the number of rows.
fn heldout_figures(scorer: &FittedScorer, datasets: &[Dataset], seed: u64) -> (usize, String) {
    let k = scorer.classes().len();
    let mut truth = Vec::new();
    let mut probs = Vec::new();
    for ds in datasets {
        for e in &ds.examples {
            if data::split_of(&ds.name, e, seed) == data::Split::Heldout {
                truth.push(e.label);
                probs.push(scorer.probabilities(e.input()));
            }
        }
    }
    let pred: Vec<usize> = probs
        .iter()
        .map(|p: &Vec<f64>| {
            if k == 2 {
                usize::from(p[1] >= scorer.threshold())
            } else {
                (0..k).max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a))).unwrap_or(0)
            }
        })
        .collect();
    let cm = threadlens::evaluation::ConfusionMatrix::new(&pred, &truth, k);
    let f = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    let mut out = format!("accuracy {}, macro-F1 {}", f(cm.accuracy()), f(cm.macro_f1()));
    if k == 2 {
        let scores: Vec<f64> = probs.iter().map(|p| p[1]).collect();
        let labels: Vec<bool> = truth.iter().map(|&t| t == 1).collect();
        out.push_str(&format!(
            ", ROC-AUC {}",
            f(threadlens::evaluation::roc_auc(&scores, &labels))
        ));
    }
    (truth.len(), out)
}

/// The classes given with `--labels`, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels(pub Vec<String>);

/// Parses `--labels a,b,c`.
pub fn parse_labels(s: &str) -> Result<Labels, String> {
    let labels: Vec<String> =
        s.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let distinct: std::collections::HashSet<&String> = labels.iter().collect();
    if labels.len() < 2 {
        return Err("give at least two labels, separated by commas".into());
    }
    if distinct.len() != labels.len() {
        return Err("labels must be distinct".into());
    }
    Ok(Labels(labels))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to train: incivility, stance, or target (your own stance target).
    #[arg(long, value_enum)]
    pub task: Task,
    #[command(flatten)]
    pub data: DataArgs,
    /// Class labels in order (target task; e.g. favour,against,none).
    #[arg(long, value_name = "A,B,..", value_parser = parse_labels)]
    pub labels: Option<Labels>,
    /// Binary target: the positive class (whose probability is scored and whose precision,
    /// recall and F1 are reported) [default: the first of --labels].
    #[arg(long, value_name = "LABEL", requires = "labels")]
    pub positive: Option<String>,
    /// After the held-out figures are reported, fit the final model on every labelled row
    /// (held-out ones too; the calibration part still calibrates). The figures reported stay
    /// those of the held-out rows; `evaluate` cannot measure the refitted model on this data.
    #[arg(long)]
    pub refit_all: bool,
    /// Where to write the model.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// Language of the comments (recorded in the model file): `de` trains incivility with
    /// the German lexicons (models/lexicons/incivility-de/). Stance has no German recipe.
    #[arg(long, value_name = "LANG", value_parser = ["en", "de"])]
    pub language: Option<String>,
    /// Seed for the split and down-sampling (default: the shipped recipe's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// L2 penalty (default: the shipped recipe's).
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Binary models: the share of positives in the comments the model will score, when the
    /// calibration rows have another (e.g. 0.1 for a labelled set of 40% uncivil comments
    /// standing for comment sections of 10%): the probabilities and the threshold are moved
    /// to it (default: the recipe's; the calibration rows' own share when it has none).
    #[arg(long, value_name = "SHARE")]
    pub calibration_prior: Option<f64>,
    /// Target task: the model's name, the column its labels go to in `comments` (default:
    /// the --out file's stem, e.g. `my_target`).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// A whole training recipe as JSON (the `training.params` object of a model file),
    /// instead of the shipped recipe of the task; --seed and --alpha still apply on top.
    #[arg(long, value_name = "FILE", conflicts_with = "labels")]
    pub params: Option<PathBuf>,
    #[command(flatten)]
    pub force: ForceArgs,
}

/// Orders two target classes `[negative, positive]`: the positive class is `positive` when
/// given, else the first label (`--labels favour,none` makes `favour` positive, #16).
pub fn binary_order(labels: Vec<String>, positive: Option<&str>) -> anyhow::Result<Vec<String>> {
    if labels.len() != 2 {
        anyhow::ensure!(positive.is_none(), "--positive is for two labels only");
        return Ok(labels);
    }
    let pos = match positive {
        None => 0,
        Some(p) => labels.iter().position(|l| l == p).ok_or_else(|| {
            anyhow::anyhow!("--positive `{p}` is not one of the labels ({})", labels.join(", "))
        })?,
    };
    Ok(vec![labels[1 - pos].clone(), labels[pos].clone()])
}

/// The recipe for a task in a language (`en`, `de`), with the classes given.
pub fn recipe(
    task: Task,
    labels: Option<Vec<String>>,
    language: &str,
) -> anyhow::Result<TrainParams> {
    let english = language == "en";
    let mut params = match task {
        Task::Incivility => {
            anyhow::ensure!(labels.is_none(), "--labels is for the target task only");
            if english { TrainParams::incivility() } else { TrainParams::incivility_de() }
        }
        Task::Stance => {
            anyhow::ensure!(labels.is_none(), "--labels is for the target task only");
            anyhow::ensure!(
                english,
                "stance has no recipe for --language {language} (its lexicons and data are English)"
            );
            TrainParams::stance(Task::Stance, data::default_classes(Task::Stance))
        }
        Task::Target => TrainParams::stance(
            Task::Target,
            labels.unwrap_or_else(|| data::default_classes(Task::Target)),
        ),
    };
    params.language = language.to_string();
    Ok(params)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Before any work: an existing model file is never replaced without --force (#13).
    output::check_writable(&args.out, args.force)?;
    let labels = match args.labels {
        Some(l) => Some(binary_order(l.0, args.positive.as_deref())?),
        None => None,
    };
    let mut params = match &args.params {
        None => recipe(args.task, labels, args.language.as_deref().unwrap_or("en"))?,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read '{}'", path.display()))?;
            let p: TrainParams = serde_json::from_str(&text)
                .with_context(|| format!("'{}' is not a training recipe", path.display()))?;
            anyhow::ensure!(
                p.task == args.task,
                "'{}' is a recipe for {}, not {}",
                path.display(),
                p.task,
                args.task
            );
            p
        }
    };
    if let Some(language) = &args.language {
        // A recipe file keeps its lexicons; --language only records the language.
        params.language = language.clone();
    }
    if let Some(seed) = args.seed {
        params.seed = seed;
    }
    if let Some(alpha) = args.alpha {
        anyhow::ensure!(alpha.is_finite() && alpha >= 0.0, "--alpha must be a number >= 0");
        params.alpha = alpha;
    }
    if let Some(prior) = args.calibration_prior {
        anyhow::ensure!(
            prior > 0.0 && prior < 1.0,
            "--calibration-prior must be a share between 0 and 1 (exclusive), got {prior}"
        );
        params.calibration_prior = Some(prior);
    }
    let (datasets, failed) = args.data.load(params.task, &params.classes);
    anyhow::ensure!(!datasets.is_empty(), "no labelled data could be read");
    for ds in &datasets {
        let mut per_class = vec![0usize; params.classes.len()];
        for e in &ds.examples {
            per_class[e.label] += 1;
        }
        let counts: Vec<String> =
            params.classes.iter().zip(&per_class).map(|(c, n)| format!("{c} {n}")).collect();
        say!("threadlens: {} ({}): {}", ds.name, ds.path.display(), counts.join(", "));
    }
    warn_empty_classes(&datasets, &params.classes);
    if params.task == Task::Target && params.classes.len() == 2 {
        say!(
            "threadlens: positive class: {} (negative: {}; choose with --positive)",
            params.classes[1],
            params.classes[0]
        );
    }
    let name = match (params.task, &args.name) {
        (Task::Target, Some(n)) => Some(n.clone()),
        (Task::Target, None) => Some(
            args.out
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("target")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect(),
        ),
        (_, Some(_)) => anyhow::bail!("--name is for the target task only"),
        (_, None) => None,
    };
    let mut file = train::train(&datasets, &params, Rows::Split, |msg| say!("threadlens: {msg}"))
        .context("training failed")?;
    if args.refit_all {
        // The figures come from the model fitted without the held-out rows; the model written
        // is fitted on every row.
        let split_model = FittedScorer::new(file, "split model")?;
        let (n, figures) = heldout_figures(&split_model, &datasets, params.seed);
        let figures = if n == 0 {
            "no held-out rows, no figures".to_string()
        } else {
            format!("{n} held-out rows: {figures}")
        };
        say!("threadlens: held-out figures of the model fitted without them: {figures}");
        let rows: usize = datasets.iter().map(|d| d.examples.len()).sum();
        say!("threadlens: refitting on all {rows} labelled rows (--refit-all)");
        file = train::train(&datasets, &params, Rows::All, |msg| say!("threadlens: {msg}"))
            .context("training on every row failed")?;
        file.training.final_fit = format!(
            "refitted on all {rows} labelled rows (train --refit-all; the calibration part of the split rule still calibrates); figures taken first with the model fitted by the split rule on {figures}"
        );
        say!(
            "threadlens: the model written was fitted on every labelled row: the figures above are the honest ones; evaluate can only measure it on other data"
        );
    }
    file.name = name;
    // Check the file loads before writing it.
    FittedScorer::new(file.clone(), &args.out.display().to_string())?;
    let json = serde_json::to_string_pretty(&file)? + "\n";
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create '{}'", dir.display()))?;
    }
    let mut w = output::create(&args.out)?;
    w.write_all(json.as_bytes())
        .and_then(|()| w.flush())
        .with_context(|| format!("could not write '{}'", args.out.display()))?;
    w.commit()?;
    say!(
        "threadlens: wrote {} ({} features{})",
        args.out.display(),
        file.feature_names.len(),
        file.threshold.map(|t| format!(", threshold {t:.3}")).unwrap_or_default()
    );
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
}
