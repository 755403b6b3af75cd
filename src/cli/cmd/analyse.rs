//! `threadlens analyse`: read inputs, write the tables (`threadlens::pipeline`, with a
//! progress bar and a line per discussion).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use threadlens::export::{self, ExportFormat};
use threadlens::network::AuthorNetwork;
use threadlens::pipeline::{
    self, Callbacks, ConvokitFiles, Event, Outcome, RunOptions, Sink, Summary, TableFiles,
};

use crate::cli::inputs::{self, InputArgs};
use crate::cli::models::ModelArgs;
use crate::cli::output;

pub const EXAMPLES: &str = "\
Examples:
  threadlens analyse                         # the bundled seeds/, tables in out/
  threadlens analyse captures/ --out results --format csv
  threadlens analyse page1.txt page2.txt --format jsonl
  threadlens analyse dump/ --format convokit --out corpus   # a ConvoKit corpus folder
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
    /// Output format: parquet, csv or jsonl (the six tables), or convokit (a ConvoKit corpus:
    /// utterances.jsonl, conversations.json, speakers.json, corpus.json, index.json).
    #[arg(long, short, value_name = "FORMAT", default_value = "parquet", value_parser = OutputFormat::parse)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub models: ModelArgs,
    /// Threads to use [default: one per core]. With 1, reading, analysing and writing take
    /// turns on one thread; with more, that many analyse while one reads and one writes. The
    /// output is the same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Print no per-discussion lines and no progress bar (errors and the total still go
    /// to stderr).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the author interaction network as GraphML (networkx, igraph, Gephi): authors
    /// with comment counts and mean incivility, directed reply edges with counts, disagree
    /// and uncivil shares.
    #[arg(long, value_name = "FILE.graphml")]
    pub graph: Option<PathBuf>,
    /// With --graph: replace FILE if it exists (without this, an existing file is never
    /// overwritten).
    #[arg(long, requires = "graph")]
    pub force: bool,
    /// Write `interactions` with one row per ordered author pair over the whole corpus
    /// (authors matched by name across discussions; `article_id` null, `discussions` counts
    /// them) instead of one per pair and discussion.
    #[arg(long)]
    pub corpus_pairs: bool,
}

/// What `analyse --format` writes: the six tables in a file format, or a ConvoKit corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// The tables, as Parquet, CSV or JSONL files.
    Tables(ExportFormat),
    /// A ConvoKit corpus folder.
    Convokit,
}

impl OutputFormat {
    fn parse(s: &str) -> Result<OutputFormat, String> {
        if s.eq_ignore_ascii_case("convokit") {
            return Ok(OutputFormat::Convokit);
        }
        s.parse::<ExportFormat>().map(OutputFormat::Tables).map_err(|_| {
            format!("unknown output format `{s}`: expected one of parquet, csv, jsonl, convokit")
        })
    }

    fn name(self) -> &'static str {
        match self {
            OutputFormat::Tables(f) => f.name(),
            OutputFormat::Convokit => "convokit",
        }
    }
}

/// The run's sink, and the author network when --graph asks for it.
struct WithNetwork<'a> {
    files: &'a mut dyn Sink,
    network: Option<&'a mut AuthorNetwork>,
}

impl Sink for WithNetwork<'_> {
    fn write(&mut self, a: &pipeline::Analysed) -> Result<(), export::ExportError> {
        self.files.write(a)?;
        if let Some(n) = self.network.as_deref_mut() {
            n.add(&a.tables);
        }
        Ok(())
    }
}

/// Where the run's rows go.
enum Files {
    Tables(TableFiles),
    Convokit(ConvokitFiles),
}

impl Files {
    fn sink(&mut self) -> &mut dyn Sink {
        match self {
            Files::Tables(t) => t,
            Files::Convokit(c) => c,
        }
    }
}

/// A progress bar on stderr when it is a terminal (bytes read of all, within a large Reddit dump
/// too; discussions and comments scored); hidden otherwise.
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
                "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} read, {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message("0 discussions, 0 comments scored");
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(Some(bar))
    }

    fn read(&self, bytes: usize, total: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(total as u64);
            bar.set_position(bytes as u64);
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
            None => say!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The line printed for a discussion as it is written.
fn line(s: &Summary) -> String {
    let shape = match s.section {
        threadlens::CommentSection::Present => {
            format!("{} comments, {} threads, max depth {}", s.comments, s.threads, s.max_depth)
        }
        threadlens::CommentSection::Absent => "no comment section".to_string(),
        threadlens::CommentSection::NotInPage => "comments not in the page".to_string(),
    };
    let uncivil = match s.uncivil {
        Some(n) if n > 0 => format!(", {n} uncivil"),
        _ => String::new(),
    };
    let anomalies = match s.anomalies {
        0 => String::new(),
        n => format!(", {n} anomalies"),
    };
    format!(
        "  {:<24} {:<12} {:<10} {shape}{uncivil}{anomalies}",
        s.article_id,
        s.outlet.as_deref().unwrap_or("—"),
        s.published.as_deref().map_or("—", |p| p.get(..10).unwrap_or(p)),
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Before any work: an existing graph file is never replaced without --force (#13).
    if let Some(graph) = &args.graph {
        output::check_writable(
            graph,
            output::ForceArgs { force: args.force, force_labels: false },
        )?;
    }
    let scorers = args.models.scorers()?;
    let mut outcome = Outcome::default();
    let sources = inputs::sources(&args.inputs, &mut outcome);
    // The run's tables go to a staging folder beside --out and replace what it holds as one
    // set once all are written (#13): a failed or killed run leaves the earlier tables whole.
    let mut files = match args.format {
        OutputFormat::Tables(f) => TableFiles::create(&args.out, f, &scorers)
            .map(|t| if args.corpus_pairs { t.with_corpus_pairs() } else { t })
            .map(Files::Tables),
        OutputFormat::Convokit if args.corpus_pairs => {
            anyhow::bail!(
                "--corpus-pairs is for the tables; a ConvoKit corpus has no interactions table"
            )
        }
        OutputFormat::Convokit => ConvokitFiles::create(&args.out).map(Files::Convokit),
    }
    .with_context(|| format!("could not prepare output folder '{}'", args.out.display()))?;
    let progress = Progress::new(args.quiet);
    let quiet = args.quiet;
    let mut network = args.graph.as_ref().map(|_| AuthorNetwork::default());
    let mut sink = WithNetwork { files: files.sink(), network: network.as_mut() };
    let run = pipeline::run_with(
        &sources,
        &args.inputs.parse_options(),
        &scorers,
        &RunOptions { threads: args.threads },
        &mut sink,
        Callbacks {
            event: &mut |e| match e {
                Event::Error(m) => progress.println(&format!("threadlens: error: {m}")),
                Event::Note(m) => progress.println(&format!("threadlens: {m}")),
            },
            read: &mut |n, of| progress.read(n, of),
            written: &mut |s, totals| {
                if !quiet {
                    progress.println(&line(s));
                }
                progress.update(totals.articles, totals.comments);
            },
            cancelled: &|| false,
        },
    )?;
    progress.finish();
    let mut totals = run.totals;
    if let Files::Tables(t) = &files {
        // Corpus-wide pairs are the rows `interactions` gets.
        totals.interactions = t.corpus_pairs().unwrap_or(totals.interactions);
    }
    let totals = &totals;
    outcome.inputs += run.outcome.inputs;
    outcome.failures += run.outcome.failures;
    outcome.failed.extend(run.outcome.failed);

    say!(
        "threadlens: {} articles from {} inputs: {} comments in {} threads, {} anomalies",
        totals.articles,
        outcome.inputs,
        totals.comments,
        totals.threads,
        totals.anomalies
    );
    if !totals.unsupported_languages.is_empty() {
        let n: usize = totals.unsupported_languages.values().sum();
        let by: Vec<String> =
            totals.unsupported_languages.iter().map(|(l, n)| format!("{l} {n}")).collect();
        say!(
            "threadlens: {n} comments not scored: no model for their language ({}); \
             comments.score_status says which",
            by.join(", ")
        );
    }
    if totals.articles == 0 {
        // A run that read nothing (a mistyped path, every input failing) must not replace
        // earlier results with empty tables (#13).
        drop(files);
        say!(
            "threadlens: error: nothing was read; nothing written ({} left as it was)",
            args.out.display()
        );
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    let manifest = serde_json::json!({
        "threadlens_version": env!("CARGO_PKG_VERSION"),
        "schema_version": export::SCHEMA_VERSION,
        "created": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "format": args.format.name(),
        "inputs": if args.inputs.inputs.is_empty() {
            vec![serde_json::Value::from("(the bundled seeds)")]
        } else {
            args.inputs.inputs.iter().map(|p| p.display().to_string().into()).collect()
        },
        "inputs_read": outcome.inputs,
        "failed_inputs": outcome.failed,
        "input_formats": totals.formats,
        "unsupported_languages": totals.unsupported_languages,
        "rows": {
            "articles": totals.articles,
            "threads": totals.threads,
            "comments": totals.comments,
            "anomalies": totals.anomalies,
            "edges": totals.edges,
            "interactions": totals.interactions,
        },
        "interactions": if args.corpus_pairs { "corpus" } else { "discussion" },
        "models": scorers.describe(),
    });
    let written: Vec<String> = match files {
        Files::Tables(files) => {
            let paths = files.finish(&manifest).with_context(|| {
                format!("could not put the tables in place in '{}'", args.out.display())
            })?;
            let rows = [
                totals.articles,
                totals.threads,
                totals.comments,
                totals.anomalies,
                totals.edges,
                totals.interactions,
            ];
            paths.iter().zip(rows).map(|(p, n)| format!("{} ({n} rows)", p.display())).collect()
        }
        Files::Convokit(files) => {
            let utterances = files.utterances();
            let paths = files.finish(&manifest).with_context(|| {
                format!("could not put the corpus in place in '{}'", args.out.display())
            })?;
            let counts = [
                format!(" ({utterances} utterances)"),
                format!(" ({} conversations)", totals.articles),
            ];
            let n = |i: usize| counts.get(i).map_or("", |s| s.as_str());
            paths.iter().enumerate().map(|(i, p)| format!("{}{}", p.display(), n(i))).collect()
        }
    };
    say!("wrote {}, {}", written.join(", "), args.out.join(export::MANIFEST).display());
    if let (Some(path), Some(network)) = (&args.graph, &network) {
        let file = output::create(path)?;
        {
            let mut w = std::io::BufWriter::new(file.as_file());
            network.write_graphml(&mut w)?;
            std::io::Write::flush(&mut w)?;
        }
        file.commit()?;
        say!(
            "wrote {} ({} authors, {} reply edges)",
            path.display(),
            network.node_count(),
            network.edges.len()
        );
    }
    if outcome.failures > 0 {
        say!("threadlens: {} input(s) failed; see the errors above", outcome.failures);
        return Ok(ExitCode::from(crate::cli::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}
