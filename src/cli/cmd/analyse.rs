//! `threadlens analyse`: read inputs, write the tables.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use threadlens::Discussion;
use threadlens::export::{self, ExportFormat, TableWriter};
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
}

/// Comments gathered before a batch of discussions is analysed in parallel: enough to keep
/// both cores busy, few enough that memory stays bounded by a batch, not the corpus.
const BATCH_COMMENTS: usize = 5_000;
/// Discussions gathered before a batch is analysed, however few comments they have.
const BATCH_DISCUSSIONS: usize = 512;

/// One analysed discussion: its tables and its line for stderr.
struct Done {
    tables: DiscussionTables,
    line: String,
    comments: usize,
    threads: usize,
    anomalies: usize,
}

fn analyse_one(d: &Discussion, scorers: &Scorers) -> Result<Done, threadlens::export::ExportError> {
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
        comments: d.len(),
        threads: d.roots().len(),
        anomalies: d.anomalies.len(),
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scorers = args.models.scorers()?;
    let out = &args.out;
    std::fs::create_dir_all(out)
        .with_context(|| format!("could not create output folder '{}'", out.display()))?;
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

    let mut totals = Totals::default();
    let mut batch: Vec<Discussion> = Vec::new();
    let mut batch_comments = 0;
    // Analyse a batch in parallel, then write it in input order: the output is the same
    // whatever the number of threads.
    let mut flush = |batch: &mut Vec<Discussion>, w: &mut Writers| -> anyhow::Result<()> {
        let done: Vec<Done> = pool.install(|| {
            batch.par_iter().map(|d| analyse_one(d, &scorers)).collect::<Result<_, _>>()
        })?;
        batch.clear();
        for d in done {
            w.articles.write_batch(&d.tables.articles)?;
            w.threads.write_batch(&d.tables.threads)?;
            w.comments.write_batch(&d.tables.comments)?;
            w.anomalies.write_batch(&d.tables.anomalies)?;
            totals.articles += 1;
            totals.comments += d.comments;
            totals.threads += d.threads;
            totals.anomalies += d.anomalies;
            if !args.quiet {
                progress.println(&d.line);
            }
        }
        progress.update(totals.articles, totals.comments);
        Ok(())
    };
    let outcome = inputs::for_each_discussion_with(
        &args.inputs,
        |n, of| progress.read(n, of),
        |d| {
            batch_comments += d.len();
            batch.push(d);
            if batch_comments >= BATCH_COMMENTS || batch.len() >= BATCH_DISCUSSIONS {
                flush(&mut batch, &mut w)?;
                batch_comments = 0;
            }
            Ok(())
        },
    )?;
    flush(&mut batch, &mut w)?;
    progress.finish();

    let mut written = Vec::new();
    for (writer, rows) in [
        (w.articles, totals.articles),
        (w.threads, totals.threads),
        (w.comments, totals.comments),
        (w.anomalies, totals.anomalies),
    ] {
        let path = writer.finish()?;
        written.push(format!("{} ({rows} rows)", path.display()));
    }
    eprintln!(
        "threadlens: {} articles from {} inputs: {} comments in {} threads, {} anomalies",
        totals.articles, outcome.inputs, totals.comments, totals.threads, totals.anomalies
    );
    eprintln!("wrote {}", written.join(", "));
    if outcome.failures > 0 {
        eprintln!("threadlens: {} input(s) failed; see the errors above", outcome.failures);
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}
