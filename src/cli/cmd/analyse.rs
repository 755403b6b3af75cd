//! `threadlens analyse`: read inputs, write the tables.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use threadlens::export::{self, ExportFormat, TableWriter};
use threadlens::metrics;
use threadlens::scores::DiscussionScores;
use threadlens::tables::DiscussionTables;

use crate::cli::inputs::{self, InputArgs};
use crate::cli::models::ModelArgs;

pub const EXAMPLES: &str = "\
Examples:
  threadlens analyse                         # the bundled seeds/, tables in out/
  threadlens analyse captures/ --out results --format csv
  threadlens analyse page1.txt page2.txt --format jsonl
  threadlens analyse captures/ --model my_incivility.json   # a model of your own
  threadlens analyse captures/ --no-scores                  # structure only";

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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scorers = args.models.scorers()?;
    let out = &args.out;
    std::fs::create_dir_all(out)
        .with_context(|| format!("could not create output folder '{}'", out.display()))?;
    let open = |spec| export::create_writer(args.format, out, spec);
    let mut w = Writers {
        articles: open(&export::schema::ARTICLES)?,
        threads: open(&export::schema::THREADS)?,
        comments: open(export::schema::comments_with_targets(&scorers.target_names()))?,
        anomalies: open(&export::schema::ANOMALIES)?,
    };

    let mut totals = Totals::default();
    let outcome = inputs::for_each_discussion(&args.inputs, |d| {
        let m = metrics::discussion_metrics(&d);
        let threads: Vec<_> = d.roots().iter().map(|&r| metrics::thread_metrics(&d, r)).collect();
        let scores = DiscussionScores::new(&d, &scorers);
        let t = DiscussionTables::new(&d, &m, &threads, &scores)?;
        w.articles.write_batch(&t.articles)?;
        w.threads.write_batch(&t.threads)?;
        w.comments.write_batch(&t.comments)?;
        w.anomalies.write_batch(&t.anomalies)?;

        totals.articles += 1;
        totals.comments += d.len();
        totals.threads += d.roots().len();
        totals.anomalies += d.anomalies.len();
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
        eprintln!(
            "  {:<24} {:<12} {:<10} {shape}{uncivil}{anomalies}",
            a.id,
            a.outlet.as_deref().unwrap_or("—"),
            a.published.as_deref().map_or("—", |p| p.get(..10).unwrap_or(p)),
        );
        Ok(())
    })?;

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
