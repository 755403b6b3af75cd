//! `threadlens evaluate`: score labelled data with a model and report how well it does.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use threadlens::classify::data::{self, Dataset, Example, Split};
use threadlens::classify::features::Input;
use threadlens::classify::train::{self, Rows};
use threadlens::classify::{FittedScorer, Task};
use threadlens::evaluation::{self, BinaryReport, MulticlassReport};

use super::train::{self as train_cmd, DataArgs};
use crate::cli::EXIT_FAILURE;
use crate::cli::output::{self, ForceArgs};

pub const EXAMPLES: &str = "\
Examples:
  threadlens evaluate --model models/incivility.json --data ../shared/data/incivility
  threadlens evaluate --model models/incivility.json --data mine.csv --text-col body --label-col uncivil
  threadlens evaluate --model models/my_target.json --data labelled.csv --folds 5
  threadlens evaluate --model models/incivility.json --leave-one-out --cap 2000 --data ../shared/data/incivility/{c3,reddit,davidson}

Rows of a dataset the model was trained on are scored only where they were held out from
training (--split auto, the default); other files are scored whole. Rows whose text the model
was fitted or calibrated on are left out and counted (models trained since #16 record them). With --folds K the
model's training recipe is refitted K times on the data given (cross-validation) and the
out-of-fold predictions are scored. With --leave-one-out each --data path is a domain: the
recipe is refitted on the other paths' data and scored on the held-out rows of the one left
out (cross-domain validation).";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitArg {
    /// Held-out rows of datasets the model was trained on, all rows of others.
    Auto,
    /// The held-out rows only.
    Heldout,
    /// Every row.
    All,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model file.
    #[arg(long, short, value_name = "FILE")]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Which rows to score.
    #[arg(long, value_enum, default_value = "auto")]
    pub split: SplitArg,
    /// Cross-validate the model's recipe with K folds on the data instead of scoring the
    /// model as it is.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(2..=20))]
    pub folds: Option<u64>,
    /// Cross-topic validation of the model's recipe: refit it once per topic (each subreddit
    /// of DEBAGREEMENT, each other dataset as a whole) on every other topic, and score the
    /// topic left out.
    #[arg(long, conflicts_with_all = ["folds", "baselines"])]
    pub leave_topic_out: bool,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap and the folds.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write each scored row (dataset, line of its file, label, class probabilities,
    /// text as the model read it: for Davidson's tweets without RT, @-mentions, links and
    /// HTML entities) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
    #[command(flatten)]
    pub force: ForceArgs,
    /// Also score two baselines on the same rows: the majority class of the model's training
    /// rows, and a plain bag of words (word 1-2-grams only, no lexicons, pair, start or
    /// surface features, no offsets) fitted on the same training rows.
    #[arg(long, conflicts_with = "folds")]
    pub baselines: bool,
    /// Cross-domain validation: for each --data path, refit the model's recipe on the data of
    /// the other paths (their training and calibration rows) and score the held-out rows of
    /// the path left out; prints one line per path. Probabilities are mapped so that each
    /// refit's threshold is 0.5 (ranking unchanged).
    #[arg(long, conflicts_with_all = ["folds", "baselines", "json", "leave_topic_out"])]
    pub leave_one_out: bool,
    /// With --leave-one-out: at most N training and calibration rows of each class of each
    /// dataset (the recipe's own caps apply when lower; the rows kept are picked by hash), so
    /// that the refits stay tractable.
    #[arg(long, value_name = "N", requires = "leave_one_out")]
    pub cap: Option<usize>,
    /// Binary models: the class reported as positive (precision, recall, F1, ROC-AUC)
    /// [default: the model's positive class, for target models the first of its --labels].
    #[arg(long, value_name = "LABEL")]
    pub positive: Option<String>,
}

/// Scored rows of one dataset.
struct Scored {
    name: String,
    truth: Vec<usize>,
    probs: Vec<Vec<f64>>,
    thresholds: Vec<f64>,
    texts: Vec<String>,
    /// Line of the source file of each row (0 when unknown).
    lines: Vec<u64>,
}

impl Scored {
    fn new(name: impl Into<String>) -> Scored {
        Scored {
            name: name.into(),
            truth: vec![],
            probs: vec![],
            thresholds: vec![],
            texts: vec![],
            lines: vec![],
        }
    }

    /// Adds `e`, scored `p` by a model of threshold `t`, with its probabilities mapped so
    /// that `t` becomes 0.5 ([`at_half`]).
    fn push_at_half(&mut self, e: &Example, mut p: Vec<f64>, t: f64) {
        at_half(&mut p, t);
        self.truth.push(e.label);
        self.probs.push(p);
        self.thresholds.push(0.5);
        self.texts.push(e.text.clone());
        self.lines.push(e.line);
    }
}

/// A binary model's probabilities `p`, at threshold `t`, mapped so that `t` becomes 0.5: the
/// rows of several refits (folds, topics, datasets left out) then share one decision rule;
/// ranking within a refit is unchanged (the map is monotone).
fn at_half(p: &mut [f64], t: f64) {
    if p.len() == 2 && t != 0.5 {
        p[1] = rescale(p[1], t);
        p[0] = 1.0 - p[1];
    }
}

#[derive(Serialize)]
struct Report {
    dataset: String,
    rows: String,
    /// The positive class of a binary target model's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    positive: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    binary: Option<BinaryReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    multiclass: Option<MulticlassReport>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Before any work: an existing file is never replaced without --force (#13).
    if let Some(path) = &args.predictions {
        output::check_writable(path, args.force)?;
    }
    let scorer = FittedScorer::load(&args.model)?;
    if args.leave_one_out {
        return leave_one_out(&scorer, &args);
    }
    let task = scorer.task();
    let classes = scorer.classes().to_vec();
    let (datasets, mut failed) = args.data.load(task, &classes);
    anyhow::ensure!(!datasets.is_empty(), "no labelled data could be read");
    let binary = classes.len() == 2;
    train_cmd::warn_empty_classes(&datasets, &classes);
    let positive = match &args.positive {
        None => 1,
        Some(p) => {
            anyhow::ensure!(binary, "--positive is for binary models only");
            classes.iter().position(|c| c == p).ok_or_else(|| {
                anyhow::anyhow!(
                    "--positive `{p}` is not a class of the model ({})",
                    classes.join(", ")
                )
            })?
        }
    };

    let scored: Vec<(Scored, String)> = match args.folds {
        _ if args.leave_topic_out => leave_topic_out(&scorer, &datasets)?,
        None => datasets.iter().map(|ds| score_dataset(&scorer, ds, args.split)).collect(),
        Some(k) => cross_validate(&scorer, &datasets, k as usize, args.seed)?,
    };

    let mut scored = scored;
    if args.baselines {
        let base = baselines(&scorer, &datasets, args.split)?;
        scored.extend(base);
    }

    let mut reports = Vec::new();
    let mut all = Scored::new("all");
    let models = scored.iter().filter(|(s, _)| !s.name.contains(" [")).count();
    for (s, rows) in &scored {
        if s.truth.is_empty() {
            say!("threadlens: {}: no rows to score ({rows})", s.name);
            continue;
        }
        reports.push(report(s, rows.clone(), &classes, binary, positive, task, &args)?);
        if !s.name.contains(" [") {
            all.truth.extend(&s.truth);
            all.probs.extend(s.probs.iter().cloned());
            all.thresholds.extend(&s.thresholds);
        }
    }
    if models > 1 && !all.truth.is_empty() {
        reports.push(report(
            &all,
            "all datasets pooled".into(),
            &classes,
            binary,
            positive,
            task,
            &args,
        )?);
    }
    if reports.is_empty() {
        failed = true;
    }

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    } else {
        let what = match args.folds {
            _ if args.leave_topic_out => {
                format!("leave-one-topic-out validation of the recipe of {}", args.model.display())
            }
            Some(k) => {
                format!("{k}-fold cross-validation of the recipe of {}", args.model.display())
            }
            None => format!("{}", args.model.display()),
        };
        // The language is named when it is not English (English cards print as before).
        let language = match scorer.language() {
            l if threadlens::classify::model::is_default_language(l) => String::new(),
            l => format!(", language {l}"),
        };
        writeln!(out, "model: {what} ({task}{language}; classes {})", classes.join(", "))?;
        // Target models only: the shipped models' cards print as before.
        if binary && task == Task::Target {
            writeln!(out, "positive class: {}", classes[positive])?;
        }
        let file = scorer.file();
        let refitted = args.folds.is_some() || args.leave_topic_out;
        if !file.calibrated && !refitted {
            writeln!(
                out,
                "note: the model is uncalibrated (fewer than {} calibration rows of a class): its probabilities are scores, not confidence",
                train::MIN_CALIBRATION_ROWS
            )?;
        }
        if !file.training.final_fit.is_empty() && !refitted {
            writeln!(out, "note: {}", file.training.final_fit)?;
        }
        for r in &reports {
            writeln!(out, "\n== {} ({})", r.dataset, r.rows)?;
            if let Some(b) = &r.binary {
                write!(out, "{}", evaluation::render_binary(b))?;
            }
            if let Some(m) = &r.multiclass {
                write!(out, "{}", evaluation::render_multiclass(m))?;
            }
        }
    }
    if let Some(path) = &args.predictions {
        write_predictions(path, &scored, &classes)?;
    }
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
}

fn report(
    s: &Scored,
    rows: String,
    classes: &[String],
    binary: bool,
    positive: usize,
    task: Task,
    args: &Args,
) -> anyhow::Result<Report> {
    let (b, m) = if binary {
        let scores: Vec<f64> = s.probs.iter().map(|p| p[positive]).collect();
        let labels: Vec<bool> = s.truth.iter().map(|&t| t == positive).collect();
        // Every row of a report shares one decision threshold: the model's, or 0.5 after
        // cross-validation has mapped each fold's threshold there. It is on the model's
        // positive class; the other class is positive at 1 - threshold.
        let thr = s.thresholds.first().copied().unwrap_or(0.5);
        let thr = if positive == 1 { thr } else { 1.0 - thr };
        let r = evaluation::binary_report(&scores, &labels, thr, args.bootstrap, args.seed)?;
        (Some(r), None)
    } else {
        let pred: Vec<usize> = s
            .probs
            .iter()
            .map(|p| {
                p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|x| x.0).unwrap_or(0)
            })
            .collect();
        let r = evaluation::multiclass_report(
            &pred,
            Some(&s.probs),
            &s.truth,
            classes,
            args.bootstrap,
            args.seed,
        )?;
        (None, Some(r))
    };
    let positive = (binary && task == Task::Target).then(|| classes[positive].clone());
    Ok(Report { dataset: s.name.clone(), rows, positive, binary: b, multiclass: m })
}

fn input(e: &data::Example) -> Input<'_> {
    e.input()
}

fn score_dataset(scorer: &FittedScorer, ds: &Dataset, split: SplitArg) -> (Scored, String) {
    let trained_on = scorer.file().training.datasets.iter().any(|d| d.name == ds.name);
    let seed = scorer.file().training.params.seed;
    let heldout_only = match split {
        SplitArg::Auto => trained_on,
        SplitArg::Heldout => true,
        SplitArg::All => false,
    };
    let mut rows: Vec<&data::Example> = ds
        .examples
        .iter()
        .filter(|e| !heldout_only || data::split_of(&ds.name, e, seed) == Split::Heldout)
        .collect();
    // Rows whose text the model was fitted or calibrated on (a copy of the training file
    // under another name, or a duplicate across splits) are left out, except with --split all.
    let hashes = &scorer.file().training.text_hashes;
    let seen = |e: &data::Example| {
        !hashes.is_empty()
            && hashes.binary_search(&data::text_hash(&e.text, e.target.as_deref())).is_ok()
    };
    let trained_rows = rows.iter().filter(|e| seen(e)).count();
    let mut note = String::new();
    if trained_rows > 0 {
        if split == SplitArg::All {
            note = format!("; {trained_rows} of them the model was trained on");
        } else {
            rows.retain(|e| !seen(e));
            note = format!("; excluded {trained_rows} rows the model was trained on");
        }
        say!("threadlens: {}: {}", ds.name, &note[2..]);
    }
    let probs: Vec<Vec<f64>> = rows.iter().map(|e| scorer.probabilities(input(e))).collect();
    let what = if heldout_only {
        format!("{} held-out rows of {}{note}", rows.len(), ds.examples.len())
    } else if trained_rows > 0 && split != SplitArg::All {
        format!("{} rows of {}{note}", rows.len(), ds.examples.len())
    } else {
        format!("all {} rows{note}", rows.len())
    };
    let s = Scored {
        name: ds.name.clone(),
        truth: rows.iter().map(|e| e.label).collect(),
        thresholds: vec![scorer.threshold(); rows.len()],
        texts: rows.iter().map(|e| e.text.clone()).collect(),
        lines: rows.iter().map(|e| e.line).collect(),
        probs,
    };
    (s, what)
}

/// The majority-class and bag-of-words baselines on the rows `score_dataset` scores.
fn baselines(
    scorer: &FittedScorer,
    datasets: &[Dataset],
    split: SplitArg,
) -> anyhow::Result<Vec<(Scored, String)>> {
    let file = scorer.file();
    let k = file.model.classes.len();
    // Majority: the class most frequent among the training rows; its training frequencies
    // serve as the probabilities of every row.
    let mut counts = vec![0usize; k];
    for d in &file.training.datasets {
        for (c, n) in d.train.iter().enumerate() {
            counts[c] += n;
        }
    }
    let total = counts.iter().sum::<usize>().max(1) as f64;
    let prior: Vec<f64> = counts.iter().map(|&n| n as f64 / total).collect();
    let majority = (0..k).max_by_key(|&c| (counts[c], std::cmp::Reverse(c))).unwrap_or(0);
    // Bag of words: the model's recipe stripped to word n-grams.
    let mut params = file.training.params.clone();
    params.char_features = 0;
    params.start_features = 0;
    params.target_features = 0;
    params.lexicons = Vec::new();
    params.features.surface = false;
    params.features.pair = false;
    params.features.start_words = 0;
    params.features.target_words = false;
    params.features.char_ngrams = [0, 0];
    params.tune_bias = false;
    say!("threadlens: fitting the bag-of-words baseline");
    let mut bow = train::train(datasets, &params, Rows::Split, |_| {})
        .context("the bag-of-words baseline could not be fitted")?;
    // Scored on exactly the model's rows: its own training texts are not left out again.
    bow.training.text_hashes.clear();
    let bow = FittedScorer::new(bow, "bag-of-words baseline")?;
    let mut out = Vec::new();
    for ds in datasets {
        let (mut s, rows) = score_dataset(scorer, ds, split);
        let name = s.name.clone();
        s.name = format!("{name} [majority class: {}]", file.model.classes[majority]);
        s.probs = vec![prior.clone(); s.truth.len()];
        s.thresholds = vec![0.5; s.truth.len()];
        out.push((s, rows.clone()));
        let (mut b, rows) = score_dataset(&bow, ds, split);
        b.name = format!("{name} [bag of words]");
        out.push((b, rows));
    }
    Ok(out)
}

fn cross_validate(
    scorer: &FittedScorer,
    datasets: &[Dataset],
    k: usize,
    seed: u64,
) -> anyhow::Result<Vec<(Scored, String)>> {
    let params = &scorer.file().training.params;
    let examples: Vec<(&Dataset, &data::Example)> =
        datasets.iter().flat_map(|d| d.examples.iter().map(move |e| (d, e))).collect();
    let grouped = examples.iter().any(|(_, e)| !e.group.is_empty());
    let folds = if grouped {
        let groups: Vec<u64> = examples
            .iter()
            .map(|(d, e)| {
                let key = if e.group.is_empty() { &e.text } else { &e.group };
                threadlens::classify::text::feature_hash(&format!("{}\u{1f}{key}", d.name))
            })
            .collect();
        evaluation::group_folds(&groups, k, seed)?
    } else {
        let labels: Vec<usize> = examples.iter().map(|(_, e)| e.label).collect();
        evaluation::stratified_folds(&labels, k, seed)?
    };
    let mut out: Vec<Scored> = datasets.iter().map(|d| Scored::new(d.name.clone())).collect();
    for fold in 0..k {
        say!("threadlens: fold {}/{k}", fold + 1);
        let file = train::train(datasets, params, Rows::Folds { folds: &folds, fold }, |_| {})
            .with_context(|| format!("fold {} could not be fitted", fold + 1))?;
        let m = FittedScorer::new(file, "fold model")?;
        for (i, (d, e)) in examples.iter().enumerate() {
            if folds[i] != fold {
                continue;
            }
            let di = datasets.iter().position(|x| std::ptr::eq(x, *d)).expect("dataset");
            out[di].push_at_half(e, m.probabilities(input(e)), m.threshold());
        }
    }
    Ok(out
        .into_iter()
        .map(|s| {
            let rows = format!("{} out-of-fold rows, {k} folds", s.truth.len());
            (s, rows)
        })
        .collect())
}

/// `--leave-one-out`: one refit of the model's recipe per --data path, on the other paths.
fn leave_one_out(scorer: &FittedScorer, args: &Args) -> anyhow::Result<ExitCode> {
    let classes = scorer.classes().to_vec();
    anyhow::ensure!(classes.len() == 2, "--leave-one-out is for binary models");
    anyhow::ensure!(args.data.data.len() >= 2, "--leave-one-out needs at least two --data paths");
    let mut failed = false;
    // Each path's datasets: one domain.
    let mut domains: Vec<(String, Vec<Dataset>)> = Vec::new();
    for path in &args.data.data {
        let one = DataArgs { data: vec![path.clone()], ..args.data.clone() };
        let (sets, f) = one.load(scorer.task(), &classes);
        failed |= f;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map_or_else(|| path.display().to_string(), str::to_string);
        domains.push((name, sets));
    }
    let mut params = scorer.file().training.params.clone();
    if let Some(n) = args.cap {
        let names: Vec<String> =
            domains.iter().flat_map(|(_, s)| s.iter().map(|d| d.name.clone())).collect();
        for name in names {
            for class in &classes {
                match params.caps.iter_mut().find(|c| c.dataset == name && &c.class == class) {
                    Some(c) => c.max = c.max.min(n),
                    None => params.caps.push(train::Cap {
                        dataset: name.clone(),
                        class: class.clone(),
                        max: n,
                    }),
                }
            }
        }
    }
    let mut scored: Vec<(Scored, String)> = Vec::new();
    let mut lines = Vec::new();
    for (i, (domain, sets)) in domains.iter().enumerate() {
        if sets.is_empty() {
            continue;
        }
        let others: Vec<Dataset> = domains
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .flat_map(|(_, (_, s))| s.iter().cloned())
            .collect();
        let names: Vec<&str> = others.iter().map(|d| d.name.as_str()).collect();
        say!("threadlens: leaving out {domain}: fitting on {}", names.join(", "));
        let file = train::train(&others, &params, Rows::Split, |_| {})
            .with_context(|| format!("the refit without {domain} could not be fitted"))?;
        let m = FittedScorer::new(file, "leave-one-out model")?;
        for ds in sets {
            let (mut s, rows) = score_dataset(&m, ds, SplitArg::Heldout);
            for (p, t) in s.probs.iter_mut().zip(&mut s.thresholds) {
                at_half(p, *t);
                *t = 0.5;
            }
            let scores: Vec<f64> = s.probs.iter().map(|p| p[1]).collect();
            let labels: Vec<bool> = s.truth.iter().map(|&t| t == 1).collect();
            if scores.is_empty() {
                say!("threadlens: {}: no held-out rows to score ({rows})", ds.name);
                failed = true;
                continue;
            }
            let r = evaluation::binary_report(&scores, &labels, 0.5, args.bootstrap, args.seed)?;
            let iv = |x: &Option<evaluation::Interval>| match x {
                Some(v) => format!("{:.3} [{:.3}, {:.3}]", v.estimate, v.lo, v.hi),
                None => "n/a".to_string(),
            };
            lines.push(format!(
                "{:<16} {:>6} {:>6}  {:<21}  {:<21}  {:.3}",
                ds.name,
                r.n,
                r.positives,
                iv(&r.roc_auc),
                iv(&r.pr_auc),
                r.recall.estimate,
            ));
            scored.push((s, rows));
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "model: leave-one-out refits of the recipe of {} ({}; classes {})",
        args.model.display(),
        scorer.task(),
        classes.join(", ")
    )?;
    let cap = args.cap.map_or(String::new(), |n| {
        format!("; at most {n} training and calibration rows per class and dataset")
    });
    writeln!(
        out,
        "each --data path left out in turn; fitted on the others' training and calibration rows{cap}; scored on its held-out rows"
    )?;
    writeln!(
        out,
        "\n{:<16} {:>6} {:>6}  {:<21}  {:<21}  recall",
        "left out", "n", "pos", "ROC-AUC", "PR-AUC"
    )?;
    for l in &lines {
        writeln!(out, "{l}")?;
    }
    writeln!(
        out,
        "\nintervals: 95% bootstrap percentile, {} resamples, seed {}; recall at each refit's threshold; n/a: one class only",
        args.bootstrap, args.seed
    )?;
    if let Some(path) = &args.predictions {
        write_predictions(path, &scored, &classes)?;
    }
    Ok(if failed { ExitCode::from(EXIT_FAILURE) } else { ExitCode::SUCCESS })
}

/// Each topic's rows scored by the recipe refitted on every other topic.
fn leave_topic_out(
    scorer: &FittedScorer,
    datasets: &[Dataset],
) -> anyhow::Result<Vec<(Scored, String)>> {
    let params = &scorer.file().training.params;
    let threadlens::classify::context::TopicPredictions { names, of_row, probs, thresholds } =
        threadlens::classify::context::leave_topic_out(datasets, params, |m| {
            say!("threadlens: {m}")
        })?;
    let mut out: Vec<Scored> = names.iter().map(|n| Scored::new(n.clone())).collect();
    let rows = datasets.iter().flat_map(|d| &d.examples);
    for ((e, &t), p) in rows.zip(&of_row).zip(probs) {
        out[t].push_at_half(e, p, thresholds[t]);
    }
    let total = of_row.len();
    Ok(out
        .into_iter()
        .map(|s| {
            let rows = format!(
                "{} rows left out, trained on the other {} rows",
                s.truth.len(),
                total - s.truth.len()
            );
            (s, rows)
        })
        .collect())
}

/// Maps `[0, t]` onto `[0, 0.5]` and `[t, 1]` onto `[0.5, 1]`.
fn rescale(p: f64, t: f64) -> f64 {
    if p < t { 0.5 * p / t } else { 0.5 + 0.5 * (p - t) / (1.0 - t) }
}

fn write_predictions(
    path: &std::path::Path,
    scored: &[(Scored, String)],
    classes: &[String],
) -> anyhow::Result<()> {
    let file = output::create(path)?;
    let mut w = csv::Writer::from_writer(file.as_file());
    let mut header = vec!["dataset".to_string(), "line".to_string(), "label".to_string()];
    header.extend(classes.iter().map(|c| format!("p_{c}")));
    header.push("text".into());
    w.write_record(&header)?;
    for (s, _) in scored {
        for i in 0..s.truth.len() {
            let line = if s.lines[i] > 0 { s.lines[i].to_string() } else { String::new() };
            let mut rec = vec![s.name.clone(), line, classes[s.truth[i]].clone()];
            rec.extend(s.probs[i].iter().map(|p| format!("{p:.6}")));
            rec.push(s.texts[i].clone());
            w.write_record(&rec)?;
        }
    }
    w.flush().with_context(|| format!("could not write '{}'", path.display()))?;
    drop(w);
    file.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::rescale;

    #[test]
    fn rescale_keeps_order_and_moves_the_threshold_to_half() {
        assert_eq!(rescale(0.2, 0.2), 0.5);
        assert!(rescale(0.1, 0.2) < rescale(0.19, 0.2));
        assert!(rescale(0.21, 0.2) > 0.5);
        assert_eq!(rescale(1.0, 0.2), 1.0);
    }
}
