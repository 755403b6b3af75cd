//! `threadlens analyse`: read inputs, write the tables.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use threadlens::Discussion;
use threadlens::export::{self, ExportError, ExportFormat, OutputDir, TableWriter};
use threadlens::metrics;
use threadlens::scores::{DiscussionScores, Scorers};
use threadlens::tables::DiscussionTables;

use crate::cli::inputs::{self, InputArgs};
use crate::cli::models::ModelArgs;

pub const EXAMPLES: &str = "\
Examples:
  threadlens analyse                         # the bundled seeds/, tables in out/
  threadlens analyse captures/ --out results --format csv
  threadlens analyse page1.txt page2.txt --format jsonl
  threadlens analyse captures/ --model my_incivility.json   # a model of your own
  threadlens analyse captures/ --no-scores                  # structure only
  threadlens analyse archive/ --quiet --threads 2 --out results";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Folder to write the tables to (created if missing).
    #[arg(long, short, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
    /// Table file format: parquet, csv or jsonl.
    #[arg(long, short, value_name = "FORMAT", default_value = "parquet", value_parser = str::parse::<ExportFormat>)]
    pub format: ExportFormat,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Worker threads for analysing discussions [default: one per core]. The output is the
    /// same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Print no per-discussion lines and no progress bar (errors and the total still go
    /// to stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

/// A progress bar on stderr when it is a terminal (files read of all, discussions and comments
/// scored); hidden otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(quiet: bool) -> Progress {
        use std::io::IsTerminal;
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} files read, {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message("0 discussions, 0 comments scored");
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(Some(bar))
    }

    fn read(&self, files: usize, total: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(total as u64);
            bar.set_position(files as u64);
        }
    }

    fn update(&self, discussions: usize, comments: usize) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{discussions} discussions, {comments} comments scored"));
        }
    }

    fn println(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// One writer per table, in the order of `DiscussionTables`' fields.
struct Writers {
    articles: Box<dyn TableWriter>,
    threads: Box<dyn TableWriter>,
    comments: Box<dyn TableWriter>,
    anomalies: Box<dyn TableWriter>,
}

#[derive(Default)]
struct Totals {
    articles: usize,
    comments: usize,
    threads: usize,
    anomalies: usize,
    /// Discussions per input format (the `format` column).
    formats: std::collections::BTreeMap<String, usize>,
}

/// Most comments (plus one per discussion) being analysed or waiting to be written at once:
/// enough to keep every core busy, few enough that memory stays bounded. A discussion larger
/// than this still goes, beside the others in flight.
const IN_FLIGHT_COMMENTS: usize = 4_000;

/// Comments in flight: the reader takes room before handing a discussion on and waits while
/// there is none; the writer gives it back once the discussion is written, or stops the
/// reader when it fails.
#[derive(Default)]
struct Budget {
    /// (comments in flight, whether the writer stopped)
    state: std::sync::Mutex<(usize, bool)>,
    room: std::sync::Condvar,
}

impl Budget {
    /// Waits for room, then takes `n`; `false` when the writer has stopped.
    fn take(&self, n: usize) -> bool {
        let mut s = self.state.lock().expect("the budget's lock is not poisoned");
        while s.0 >= IN_FLIGHT_COMMENTS && !s.1 {
            s = self.room.wait(s).expect("the budget's lock is not poisoned");
        }
        s.0 += n;
        !s.1
    }

    fn give(&self, n: usize) {
        let mut s = self.state.lock().expect("the budget's lock is not poisoned");
        s.0 -= n;
        self.room.notify_all();
    }

    fn stop(&self) {
        self.state.lock().expect("the budget's lock is not poisoned").1 = true;
        self.room.notify_all();
    }
}

/// One analysed discussion: its tables and its line for stderr.
struct Done {
    tables: DiscussionTables,
    line: String,
    format: String,
    comments: usize,
    threads: usize,
    anomalies: usize,
}

fn analyse_one(d: &Discussion, scorers: &Scorers) -> Result<Done, ExportError> {
    let m = metrics::discussion_metrics(d);
    let threads: Vec<_> = d.roots().iter().map(|&r| metrics::thread_metrics(d, r)).collect();
    let scores = DiscussionScores::new(d, scorers);
    let tables = DiscussionTables::new(d, &m, &threads, &scores)?;
    let a = &d.article;
    let shape = match d.section {
        threadlens::CommentSection::Present => {
            format!("{} comments, {} threads, max depth {}", m.comments, m.threads, m.max_depth)
        }
        threadlens::CommentSection::Absent => "no comment section".to_string(),
        threadlens::CommentSection::NotInPage => "comments not in the page".to_string(),
    };
    let uncivil = match scores.has_incivility() {
        true => {
            let n = scores
                .comments()
                .iter()
                .filter(|s| s.incivility.as_ref().is_some_and(|i| i.uncivil))
                .count();
            if n > 0 { format!(", {n} uncivil") } else { String::new() }
        }
        false => String::new(),
    };
    let anomalies = match d.anomalies.len() {
        0 => String::new(),
        n => format!(", {n} anomalies"),
    };
    let line = format!(
        "  {:<24} {:<12} {:<10} {shape}{uncivil}{anomalies}",
        a.id,
        a.outlet.as_deref().unwrap_or("—"),
        a.published.as_deref().map_or("—", |p| p.get(..10).unwrap_or(p)),
    );
    Ok(Done {
        tables,
        line,
        format: a.format.clone(),
        comments: d.len(),
        threads: d.roots().len(),
        anomalies: d.anomalies.len(),
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scorers = args.models.scorers()?;
    // The run's tables go to a staging folder beside --out and replace what it holds as one
    // set once all are written (#13): a failed or killed run leaves the earlier tables whole.
    let dir = OutputDir::create(&args.out)
        .with_context(|| format!("could not prepare output folder '{}'", args.out.display()))?;
    let out = dir.staging();
    // Parquet files say what made them: this version and the models behind the scores.
    let metadata = [
        ("threadlens.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        ("threadlens.scores".to_string(), scorers.describe().to_string()),
    ];
    let open = |spec| export::create_writer_with_metadata(args.format, out, spec, &metadata);
    let mut w = Writers {
        articles: open(&export::schema::ARTICLES)?,
        threads: open(&export::schema::THREADS)?,
        comments: open(export::schema::comments_with_targets(&scorers.target_names()))?,
        anomalies: open(&export::schema::ANOMALIES)?,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, |n| n.get()))
        .build()
        .context("could not start the worker threads")?;
    let progress = Progress::new(args.quiet);

    // Reading, analysing and writing overlap: this thread reads discussions and hands each
    // to the pool as soon as it is complete; a writing thread takes the results and writes
    // them in input order, whatever order they finish in, so the output is the same for any
    // number of threads. The reader waits while too many comments are in flight, so memory
    // stays bounded by that budget and the largest discussion, not by the corpus.
    let scorers = std::sync::Arc::new(scorers);
    let budget = std::sync::Arc::new(Budget::default());
    let (totals, w, outcome) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Done, ExportError>)>();
        let (progress, quiet, budget_w) = (&progress, args.quiet, &budget);
        let writer = scope.spawn(move || -> anyhow::Result<(Totals, Writers)> {
            let mut totals = Totals::default();
            let mut waiting: std::collections::BTreeMap<usize, Result<Done, ExportError>> =
                std::collections::BTreeMap::new();
            let mut next = 0;
            let write = || -> anyhow::Result<()> {
                for (seq, done) in rx {
                    waiting.insert(seq, done);
                    while let Some(done) = waiting.remove(&next) {
                        let d = done?;
                        w.articles.write_batch(&d.tables.articles)?;
                        w.threads.write_batch(&d.tables.threads)?;
                        w.comments.write_batch(&d.tables.comments)?;
                        w.anomalies.write_batch(&d.tables.anomalies)?;
                        totals.articles += 1;
                        totals.comments += d.comments;
                        totals.threads += d.threads;
                        totals.anomalies += d.anomalies;
                        *totals.formats.entry(d.format).or_default() += 1;
                        if !quiet {
                            progress.println(&d.line);
                        }
                        budget_w.give(d.comments + 1);
                        next += 1;
                    }
                    progress.update(totals.articles, totals.comments);
                }
                // Every sender is gone: each discussion handed on has been written.
                anyhow::ensure!(waiting.is_empty(), "a discussion's analysis did not finish");
                Ok(())
            };
            match write() {
                Ok(()) => Ok((totals, w)),
                Err(e) => {
                    budget_w.stop();
                    Err(e)
                }
            }
        });

        let mut seq = 0;
        let read = inputs::for_each_discussion_with(
            &args.inputs,
            |n, of| progress.read(n, of),
            |d| {
                // A stopped writer has failed; its error is the one reported below.
                anyhow::ensure!(budget.take(d.len() + 1), "the writing stage stopped");
                let (tx, scorers, here) = (tx.clone(), std::sync::Arc::clone(&scorers), seq);
                seq += 1;
                pool.spawn(move || {
                    // A closed channel means the writer stopped: nothing to do.
                    let _ = tx.send((here, analyse_one(&d, &scorers)));
                });
                Ok(())
            },
        );
        drop(tx);
        let written = writer.join().expect("the writing thread does not panic");
        let (totals, w) = written?;
        Ok((totals, w, read?))
    })?;
    progress.finish();

    eprintln!(
        "threadlens: {} articles from {} inputs: {} comments in {} threads, {} anomalies",
        totals.articles, outcome.inputs, totals.comments, totals.threads, totals.anomalies
    );
    if totals.articles == 0 {
        // A run that read nothing (a mistyped path, every input failing) must not replace
        // earlier results with empty tables (#13).
        drop(w);
        eprintln!(
            "threadlens: error: nothing was read; nothing written ({} left as it was)",
            args.out.display()
        );
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    let mut written = Vec::new();
    for (writer, rows) in [
        (w.articles, totals.articles),
        (w.threads, totals.threads),
        (w.comments, totals.comments),
        (w.anomalies, totals.anomalies),
    ] {
        let path = writer.finish()?;
        let name = path.file_name().expect("a table file").to_string_lossy().into_owned();
        written.push(format!("{} ({rows} rows)", args.out.join(name).display()));
    }
    let manifest = serde_json::json!({
        "threadlens_version": env!("CARGO_PKG_VERSION"),
        "schema_version": export::SCHEMA_VERSION,
        "created": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "format": args.format.name(),
        "inputs": if outcome.seeds {
            vec![serde_json::Value::from("(the bundled seeds)")]
        } else {
            args.inputs.inputs.iter().map(|p| p.display().to_string().into()).collect()
        },
        "inputs_read": outcome.inputs,
        "failed_inputs": outcome.failed,
        "input_formats": totals.formats,
        "rows": {
            "articles": totals.articles,
            "threads": totals.threads,
            "comments": totals.comments,
            "anomalies": totals.anomalies,
        },
        "models": scorers.describe(),
    });
    dir.commit(&manifest).with_context(|| {
        format!("could not put the tables in place in '{}'", args.out.display())
    })?;
    eprintln!("wrote {}, {}", written.join(", "), args.out.join(export::MANIFEST).display());
    if outcome.failures > 0 {
        eprintln!("threadlens: {} input(s) failed; see the errors above", outcome.failures);
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}
