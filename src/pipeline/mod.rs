//! The whole analysis, inputs to tables: the one implementation behind the command line (and
//! the faces to come: Python, Spark).
//!
//! - [`inputs`]: sources (files, folders, bytes) → a stream of [`Discussion`]s, with the pages
//!   of one discussion merged ([`for_each_discussion`]).
//! - [`analyse`]: a discussion → its rows in the six tables ([`Analysed`]): structure,
//!   metrics, scores.
//! - [`run`]: both at once on a pool of threads, reading, analysing and writing overlapping,
//!   with a bounded number of comments in flight; results reach a [`Sink`] in input order, so
//!   the output is the same for any number of threads.
//! - [`TableFiles`]: the sink that writes Parquet, CSV or JSONL files into an output folder,
//!   replaced as a set ([`OutputDir`]); [`ConvokitFiles`] writes a ConvoKit corpus there
//!   instead; [`ArrowTables`] keeps Arrow record batches in memory.
//!
//! # Example
//! ```
//! use std::borrow::Cow;
//! use threadlens::export::ExportFormat;
//! use threadlens::parse::ParseOptions;
//! use threadlens::pipeline::{self, RunOptions, Source, TableFiles};
//! use threadlens::scores::Scorers;
//!
//! let page = "Headline\n\nA sentence of the article.\nShow Comments\n  1. First\n    1. Reply\n";
//! let sources = [Source::Bytes { name: "page.txt".into(), bytes: Cow::Borrowed(page.as_bytes()) }];
//! let dir = tempfile::tempdir()?;
//! let scorers = Scorers::default(); // no models: structure only
//! let mut files = TableFiles::create(&dir.path().join("out"), ExportFormat::Csv, &scorers)?;
//! let run = pipeline::run(&sources, &ParseOptions::default(), &scorers, &RunOptions::default(), &mut files)?;
//! assert_eq!((run.totals.articles, run.totals.comments), (1, 2));
//! files.finish(&serde_json::json!({}))?;
//! assert!(dir.path().join("out/comments.csv").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod inputs;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

pub use self::inputs::{Event, Outcome, Source, collect, for_each_discussion};
use crate::export::convokit::ConvokitWriter;
use crate::export::{self, ExportError, ExportFormat, OutputDir, TableWriter};
use crate::interactions::CorpusPairs;
use crate::parse::ParseOptions;
use crate::scores::{DiscussionScores, Scorers};
use crate::tables::DiscussionTables;
use crate::{CommentSection, Discussion, metrics};

/// What stopped a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// Building or writing a table failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The worker threads could not be started.
    #[error("could not start the worker threads: {0}")]
    Threads(String),
    /// [`Callbacks::cancelled`] asked the run to stop (Ctrl-C in Python, #14). The sink has
    /// the discussions written before it; a [`TableFiles`] sink dropped without
    /// [`finish`](TableFiles::finish) leaves the output folder as it was.
    #[error("the run was cancelled")]
    Cancelled,
}

/// A model file that cannot be used for a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelsError {
    /// The file could not be loaded (its message names it).
    #[error(transparent)]
    Load(#[from] crate::classify::ModelError),
    /// Two models of one shipped task.
    #[error("'{path}': a second {task} model; give one")]
    Twice {
        /// The second file.
        path: String,
        /// Its task.
        task: crate::classify::Task,
    },
    /// A target model whose name is already a column of `comments`.
    #[error("'{path}': its name `{name}` is already a column; retrain it with --name")]
    NameTaken {
        /// The file.
        path: String,
        /// Its name.
        name: String,
    },
}

/// The models a run scores with: the shipped incivility and stance models, each replaced by a
/// model of that task among `models`, plus every target model among them (each adds a column
/// named after it to `comments`). With `scores` false, none (structure only).
pub fn scorers(models: &[PathBuf], scores: bool) -> Result<Scorers, ModelsError> {
    use crate::classify::{FittedScorer, Task};
    let mut scorers = Scorers::none();
    if !scores {
        return Ok(scorers);
    }
    for path in models {
        let m = FittedScorer::load(path)?;
        let shown = || path.display().to_string();
        let same_language = |s: &FittedScorer| s.language() == m.language();
        match m.task() {
            Task::Incivility | Task::Stance
                if [&scorers.incivility, &scorers.stance]
                    .into_iter()
                    .flatten()
                    .chain(&scorers.incivility_languages)
                    .any(|s| s.task() == m.task() && same_language(s)) =>
            {
                return Err(ModelsError::Twice { path: shown(), task: m.task() });
            }
            // An English incivility model replaces the shipped one; one in another language
            // replaces (or adds) that language's.
            Task::Incivility if m.language() != "en" => scorers.incivility_languages.push(m),
            Task::Incivility => scorers.incivility = Some(m),
            Task::Stance => scorers.stance = Some(m),
            Task::Target => {
                let name = m.name().unwrap_or("target").to_string();
                let taken = export::schema::COMMENTS.columns.iter().any(|c| c.name == name)
                    || scorers.target_names().contains(&name);
                if taken {
                    return Err(ModelsError::NameTaken { path: shown(), name });
                }
                scorers.targets.push(m)
            }
        }
    }
    // The shipped models for the tasks and languages not given.
    let shipped = Scorers::shipped();
    scorers.incivility = scorers.incivility.or(shipped.incivility);
    scorers.stance = scorers.stance.or(shipped.stance);
    for m in shipped.incivility_languages {
        if !scorers.incivility_languages.iter().any(|g| g.language() == m.language()) {
            scorers.incivility_languages.push(m);
        }
    }
    Ok(scorers)
}

/// A discussion in one line: what the command line prints as it goes.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The discussion id (`article_id`).
    pub article_id: String,
    /// The outlet, when recognised.
    pub outlet: Option<String>,
    /// The publication date as the source gives it.
    pub published: Option<String>,
    /// The input format (the `format` column).
    pub format: String,
    /// Whether the input had a comment section.
    pub section: CommentSection,
    /// Comments.
    pub comments: usize,
    /// Top-level comments.
    pub threads: usize,
    /// Deepest comment.
    pub max_depth: u32,
    /// Anomalies.
    pub anomalies: usize,
    /// Comments rated uncivil; `None` without an incivility model.
    pub uncivil: Option<usize>,
    /// Comments not scored because no model of the run covers their language, by language.
    pub unsupported_languages: Vec<(&'static str, usize)>,
}

/// One analysed discussion: its rows and its summary.
#[derive(Debug)]
pub struct Analysed {
    /// Its rows in the six tables.
    pub tables: DiscussionTables,
    /// Its summary.
    pub summary: Summary,
    /// The article's body (not in the tables): the root utterance of a ConvoKit corpus
    /// ([`ConvokitFiles`]).
    pub body: String,
}

/// A discussion → its rows in the six tables: structure metrics, per-thread metrics, scores.
pub fn analyse(d: &Discussion, scorers: &Scorers) -> Result<Analysed, ExportError> {
    let m = metrics::discussion_metrics(d);
    let threads: Vec<_> = d.roots().iter().map(|&r| metrics::thread_metrics(d, r)).collect();
    let scores = DiscussionScores::new(d, scorers);
    let uncivil = scores.has_incivility().then(|| {
        scores
            .comments()
            .iter()
            .filter(|s| s.incivility.as_ref().is_some_and(|i| i.uncivil))
            .count()
    });
    let unsupported_languages = scores.unsupported_languages();
    let tables = DiscussionTables::from_scores(d, &m, &threads, scores)?;
    let a = &d.article;
    let summary = Summary {
        article_id: a.id.clone(),
        outlet: a.outlet.clone(),
        published: a.published.clone(),
        format: a.format.clone(),
        section: d.section,
        comments: d.len(),
        threads: d.roots().len(),
        max_depth: m.max_depth,
        anomalies: d.anomalies.len(),
        uncivil,
        unsupported_languages,
    };
    Ok(Analysed { tables, summary, body: a.body.clone() })
}

/// Where analysed discussions go, in input order.
pub trait Sink: Send {
    /// Takes one discussion's rows.
    fn write(&mut self, analysed: &Analysed) -> Result<(), ExportError>;
}

/// Rows written so far.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// Discussions (rows of `articles`).
    pub articles: usize,
    /// Comments.
    pub comments: usize,
    /// Top-level comments.
    pub threads: usize,
    /// Anomalies.
    pub anomalies: usize,
    /// Replies to comments (rows of `edges`).
    pub edges: usize,
    /// Ordered author pairs (rows of `interactions`).
    pub interactions: usize,
    /// Discussions per input format (the `format` column).
    pub formats: BTreeMap<String, usize>,
    /// Comments not scored because no model of the run covers their language, by language.
    pub unsupported_languages: BTreeMap<String, usize>,
}

impl Totals {
    /// Counts the rows of `a`.
    fn add(&mut self, a: &Analysed) {
        let s = &a.summary;
        self.articles += 1;
        self.comments += s.comments;
        self.threads += s.threads;
        self.anomalies += s.anomalies;
        self.edges += a.tables.edges.num_rows();
        self.interactions += a.tables.interactions.num_rows();
        *self.formats.entry(s.format.clone()).or_default() += 1;
        for (l, n) in &s.unsupported_languages {
            *self.unsupported_languages.entry(l.to_string()).or_default() += n;
        }
    }
}

/// How [`run`] runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Threads; defaults to one per core. With one, reading, analysing and writing take turns
    /// on the calling thread (one core busy); with more, they overlap: the calling thread
    /// reads, this many threads analyse and one writes. The output is the same for any number.
    pub threads: Option<NonZeroUsize>,
}

/// What a run came to.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// Rows handed to the sink.
    pub totals: Totals,
    /// Inputs read and failed.
    pub outcome: Outcome,
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
    state: Mutex<(usize, bool)>,
    room: Condvar,
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

/// Callbacks of a [`run_with`]: progress and messages, for a command line or a notebook.
pub struct Callbacks<'a> {
    /// An input failed (the run goes on) or a note.
    pub event: &'a mut (dyn FnMut(Event) + Send),
    /// `(bytes read, of all)`: after each input, and every few thousand lines within a
    /// Reddit dump (its bytes on disk, compressed or not).
    pub read: &'a mut (dyn FnMut(usize, usize) + Send),
    /// A discussion was handed to the sink, with the totals so far.
    pub written: &'a mut (dyn FnMut(&Summary, &Totals) + Send),
    /// Asked before each discussion is handed on to be analysed: `true` stops the run, which
    /// returns [`PipelineError::Cancelled`] once the discussions in flight are done (at most
    /// a few thousand comments). For Ctrl-C in a caller that watches for it on another thread,
    /// e.g. `&|| flag.load(Ordering::Relaxed)` on an `AtomicBool` (#14). Never cancelled:
    /// `&|| false`.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use threadlens::parse::ParseOptions;
    /// use threadlens::pipeline::{self, ArrowTables, Callbacks, PipelineError, RunOptions, Source};
    /// use threadlens::scores::Scorers;
    ///
    /// let page = "Headline\n\nA sentence of the article.\nShow Comments\n  1. First\n";
    /// let sources = [Source::Bytes { name: "page.txt".into(), bytes: Cow::Borrowed(page.as_bytes()) }];
    /// let stop = AtomicBool::new(true); // as if Ctrl-C came before the run
    /// let mut sink = ArrowTables::default();
    /// let run = pipeline::run_with(
    ///     &sources,
    ///     &ParseOptions::default(),
    ///     &Scorers::default(),
    ///     &RunOptions::default(),
    ///     &mut sink,
    ///     Callbacks {
    ///         event: &mut |_| {},
    ///         read: &mut |_, _| {},
    ///         written: &mut |_, _| {},
    ///         cancelled: &|| stop.load(Ordering::Relaxed),
    ///     },
    /// );
    /// assert!(matches!(run, Err(PipelineError::Cancelled)));
    /// assert!(sink.comments.is_empty());
    /// ```
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
}

/// [`run_with`] without callbacks: read `sources`, analyse every discussion and hand the rows
/// to `sink` in input order. Failed inputs are in the result's [`Outcome`].
pub fn run(
    sources: &[Source],
    parse: &ParseOptions,
    scorers: &Scorers,
    opts: &RunOptions,
    sink: &mut dyn Sink,
) -> Result<Run, PipelineError> {
    run_with(
        sources,
        parse,
        scorers,
        opts,
        sink,
        Callbacks {
            event: &mut |_| {},
            read: &mut |_, _| {},
            written: &mut |_, _| {},
            cancelled: &|| false,
        },
    )
}

/// Read `sources`, analyse every discussion on a pool of threads and hand the rows to `sink`
/// in input order, whatever order they finish in. Reading, analysing and writing overlap:
/// this thread reads and hands each discussion to the pool as soon as it is complete; a
/// writing thread takes the results in order. The reader waits while too many comments are in
/// flight, so memory stays bounded by that budget and the largest discussion, not the corpus.
pub fn run_with(
    sources: &[Source],
    parse: &ParseOptions,
    scorers: &Scorers,
    opts: &RunOptions,
    sink: &mut dyn Sink,
    cb: Callbacks<'_>,
) -> Result<Run, PipelineError> {
    if opts.threads.is_some_and(|n| n.get() == 1) {
        return run_serial(sources, parse, scorers, sink, cb);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.map_or(0, NonZeroUsize::get))
        .build()
        .map_err(|e| PipelineError::Threads(e.to_string()))?;
    let budget = Budget::default();
    let Callbacks { event, read, written, cancelled } = cb;
    std::thread::scope(|scope| -> Result<Run, PipelineError> {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Analysed, ExportError>)>();
        let budget_w = &budget;
        let writer = scope.spawn(move || -> Result<Totals, ExportError> {
            let mut totals = Totals::default();
            let mut waiting: BTreeMap<usize, Result<Analysed, ExportError>> = BTreeMap::new();
            let mut next = 0;
            let write = || -> Result<(), ExportError> {
                for (seq, done) in rx {
                    waiting.insert(seq, done);
                    while let Some(done) = waiting.remove(&next) {
                        let a = done?;
                        sink.write(&a)?;
                        totals.add(&a);
                        written(&a.summary, &totals);
                        budget_w.give(a.summary.comments + 1);
                        next += 1;
                    }
                }
                // Every sender is gone: each discussion handed on has been written (or the
                // reader stopped early because this thread failed).
                Ok(())
            };
            match write() {
                Ok(()) => Ok(totals),
                Err(e) => {
                    budget_w.stop();
                    Err(e)
                }
            }
        });

        let mut seq = 0;
        let mut stopped = false;
        // Jobs borrow the scorers: `in_place_scope` reads on this thread and returns only when
        // every job it spawned has finished.
        let outcome = pool.in_place_scope(|jobs| {
            for_each_discussion(sources, parse, event, read, |d| {
                if cancelled() {
                    stopped = true;
                    return Err(());
                }
                if !budget.take(d.len() + 1) {
                    // The writer has failed; its error is the one reported below.
                    return Err(());
                }
                let (tx, here) = (tx.clone(), seq);
                seq += 1;
                jobs.spawn(move |_| {
                    // A closed channel means the writer stopped: nothing to do.
                    let _ = tx.send((here, analyse(&d, scorers)));
                });
                Ok(())
            })
        });
        drop(tx);
        let totals = writer.join().expect("the writing thread does not panic")?;
        if stopped {
            return Err(PipelineError::Cancelled);
        }
        Ok(Run { totals, outcome: outcome.unwrap_or_default() })
    })
}

/// [`run_with`] on one thread: each discussion is read, analysed and written before the next
/// is read.
fn run_serial(
    sources: &[Source],
    parse: &ParseOptions,
    scorers: &Scorers,
    sink: &mut dyn Sink,
    cb: Callbacks<'_>,
) -> Result<Run, PipelineError> {
    let Callbacks { event, read, written, cancelled } = cb;
    let mut totals = Totals::default();
    let mut failed = None;
    let mut stopped = false;
    let outcome = for_each_discussion(sources, parse, event, read, |d| {
        if cancelled() {
            stopped = true;
            return Err(());
        }
        let done = analyse(&d, scorers).and_then(|a| sink.write(&a).map(|()| a));
        drop(d);
        match done {
            Ok(a) => {
                totals.add(&a);
                written(&a.summary, &totals);
                Ok(())
            }
            Err(e) => {
                failed = Some(e);
                Err(())
            }
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    if stopped {
        return Err(PipelineError::Cancelled);
    }
    Ok(Run { totals, outcome: outcome.unwrap_or_default() })
}

/// The sink that writes the six tables as files into an output folder: into a staging folder
/// while the run goes, put in place as a set by [`finish`](Self::finish) (see [`OutputDir`]).
/// Parquet files record the threadlens version and the models behind the scores.
pub struct TableFiles {
    dir: OutputDir,
    articles: Box<dyn TableWriter>,
    threads: Box<dyn TableWriter>,
    comments: Box<dyn TableWriter>,
    anomalies: Box<dyn TableWriter>,
    edges: Box<dyn TableWriter>,
    interactions: Box<dyn TableWriter>,
    comments_spec: &'static export::TableSpec,
    pairs: Option<CorpusPairs>,
}

impl TableFiles {
    /// Prepares `out` for a run in `format` scored by `scorers` (whose target models add
    /// columns to `comments`).
    pub fn create(
        out: &Path,
        format: ExportFormat,
        scorers: &Scorers,
    ) -> Result<TableFiles, ExportError> {
        TableFiles::create_for(
            out,
            format,
            &scorers.describe().to_string(),
            &scorers.target_names(),
        )
    }

    /// Prepares `out` for tables in `format` whose scores came from the models `scores`
    /// describes (JSON, as [`Scorers::describe`] gives it; kept in Parquet metadata) and
    /// whose `comments` has the target columns `targets`: for tables a run kept in memory
    /// and writes later ([`write_arrow`](Self::write_arrow), Python's `Result.write`).
    pub fn create_for(
        out: &Path,
        format: ExportFormat,
        scores: &str,
        targets: &[String],
    ) -> Result<TableFiles, ExportError> {
        let dir = OutputDir::create(out)?;
        let metadata = [
            ("threadlens.version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
            ("threadlens.scores".to_string(), scores.to_string()),
        ];
        let staging = dir.staging().to_path_buf();
        let open = |spec| export::create_writer_with_metadata(format, &staging, spec, &metadata);
        let comments_spec = export::schema::comments_with_targets(targets);
        Ok(TableFiles {
            articles: open(&export::schema::ARTICLES)?,
            threads: open(&export::schema::THREADS)?,
            comments: open(comments_spec)?,
            anomalies: open(&export::schema::ANOMALIES)?,
            edges: open(&export::schema::EDGES)?,
            interactions: open(&export::schema::INTERACTIONS)?,
            comments_spec,
            pairs: None,
            dir,
        })
    }

    /// Writes `interactions` with one row per ordered author pair over the whole corpus
    /// ([`CorpusPairs`]) instead of one per pair and discussion.
    pub fn with_corpus_pairs(mut self) -> TableFiles {
        self.pairs = Some(CorpusPairs::default());
        self
    }

    /// Corpus-wide author pairs so far, when [`with_corpus_pairs`](Self::with_corpus_pairs)
    /// asked for them: the rows `interactions` gets (the run's
    /// [`Totals::interactions`] counts per-discussion pairs).
    pub fn corpus_pairs(&self) -> Option<usize> {
        self.pairs.as_ref().map(CorpusPairs::len)
    }

    /// Writes tables held as Arrow record batches (as [`ArrowTables`] keeps them, or as they
    /// come back from Python) with the same writers, so the files have the bytes a run
    /// writes: each batch must have its table's [`arrow_schema`](export::arrow_schema)
    /// columns (see [`export::from_record_batch`]).
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use threadlens::export::ExportFormat;
    /// use threadlens::parse::ParseOptions;
    /// use threadlens::pipeline::{self, ArrowTables, RunOptions, Source, TableFiles};
    /// use threadlens::scores::Scorers;
    ///
    /// let page = "Headline\n\nA sentence of the article.\nShow Comments\n  1. First\n    1. Reply\n";
    /// let sources = [Source::Bytes { name: "page.txt".into(), bytes: Cow::Borrowed(page.as_bytes()) }];
    /// let scorers = Scorers::default();
    /// let mut tables = ArrowTables::default();
    /// pipeline::run(&sources, &ParseOptions::default(), &scorers, &RunOptions::default(), &mut tables)?;
    /// let dir = tempfile::tempdir()?;
    /// let mut files = TableFiles::create_for(&dir.path().join("out"), ExportFormat::Csv, "{}", &[])?;
    /// files.write_arrow(&tables)?;
    /// files.finish(&serde_json::json!({}))?;
    /// let csv = std::fs::read_to_string(dir.path().join("out/comments.csv"))?;
    /// assert_eq!(csv.lines().count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_arrow(&mut self, tables: &ArrowTables) -> Result<(), ExportError> {
        let each = |wtr: &mut Box<dyn TableWriter>,
                    spec: &'static export::TableSpec,
                    batches: &[arrow_array::RecordBatch]| {
            batches.iter().try_for_each(|b| wtr.write_batch(&export::from_record_batch(spec, b)?))
        };
        each(&mut self.articles, &export::schema::ARTICLES, &tables.articles)?;
        each(&mut self.threads, &export::schema::THREADS, &tables.threads)?;
        each(&mut self.comments, self.comments_spec, &tables.comments)?;
        each(&mut self.anomalies, &export::schema::ANOMALIES, &tables.anomalies)?;
        each(&mut self.edges, &export::schema::EDGES, &tables.edges)?;
        each(&mut self.interactions, &export::schema::INTERACTIONS, &tables.interactions)
    }

    /// Completes every table, writes `manifest` as `run.json` and puts the set in place.
    /// Returns the final path of each table.
    pub fn finish(mut self, manifest: &serde_json::Value) -> Result<Vec<PathBuf>, ExportError> {
        if let Some(pairs) = self.pairs.take() {
            self.interactions.write_batch(&pairs.rows()?)?;
        }
        let target = self.dir.target().to_path_buf();
        let mut paths = Vec::new();
        let writers = [
            self.articles,
            self.threads,
            self.comments,
            self.anomalies,
            self.edges,
            self.interactions,
        ];
        for w in writers {
            let staged = w.finish()?;
            paths.push(target.join(staged.file_name().expect("a table file")));
        }
        self.dir.commit(manifest)?;
        Ok(paths)
    }
}

impl Sink for TableFiles {
    fn write(&mut self, a: &Analysed) -> Result<(), ExportError> {
        self.articles.write_batch(&a.tables.articles)?;
        self.threads.write_batch(&a.tables.threads)?;
        self.comments.write_batch(&a.tables.comments)?;
        self.anomalies.write_batch(&a.tables.anomalies)?;
        self.edges.write_batch(&a.tables.edges)?;
        match &mut self.pairs {
            Some(pairs) => pairs.add(&a.tables.interactions),
            None => self.interactions.write_batch(&a.tables.interactions)?,
        }
        Ok(())
    }
}

/// The sink that writes a ConvoKit corpus (`utterances.jsonl`, `conversations.json`,
/// `speakers.json`, `corpus.json`, `index.json`; see [`export::convokit`]) into an output
/// folder: into a staging folder while the run goes, put in place as a set by
/// [`finish`](Self::finish), as [`TableFiles`] does.
///
/// ```
/// use std::borrow::Cow;
/// use threadlens::parse::ParseOptions;
/// use threadlens::pipeline::{self, ConvokitFiles, RunOptions, Source};
/// use threadlens::scores::Scorers;
///
/// let page = "Headline\n\nA sentence of the article.\nShow Comments\n  1. First\n    1. Reply\n";
/// let sources = [Source::Bytes { name: "page.txt".into(), bytes: Cow::Borrowed(page.as_bytes()) }];
/// let dir = tempfile::tempdir()?;
/// let mut corpus = ConvokitFiles::create(&dir.path().join("corpus"))?;
/// pipeline::run(&sources, &ParseOptions::default(), &Scorers::default(), &RunOptions::default(), &mut corpus)?;
/// corpus.finish(&serde_json::json!({}))?;
/// let utterances = std::fs::read_to_string(dir.path().join("corpus/utterances.jsonl"))?;
/// assert_eq!(utterances.lines().count(), 3); // the article's root utterance and two comments
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ConvokitFiles {
    dir: OutputDir,
    writer: ConvokitWriter,
}

impl ConvokitFiles {
    /// Prepares `out` for a corpus.
    pub fn create(out: &Path) -> Result<ConvokitFiles, ExportError> {
        let dir = OutputDir::create(out)?;
        let writer = ConvokitWriter::create(dir.staging())?;
        Ok(ConvokitFiles { dir, writer })
    }

    /// Utterances written so far (a root utterance per discussion included).
    pub fn utterances(&self) -> usize {
        self.writer.utterances()
    }

    /// Completes the corpus (`manifest` is its `corpus.json` meta, and is written as
    /// `run.json`) and puts the set in place. Returns the final path of each file.
    pub fn finish(self, manifest: &serde_json::Value) -> Result<Vec<PathBuf>, ExportError> {
        let target = self.dir.target().to_path_buf();
        let paths = self.writer.finish(manifest)?;
        self.dir.commit(manifest)?;
        Ok(paths.iter().map(|p| target.join(p.file_name().expect("a corpus file"))).collect())
    }
}

impl Sink for ConvokitFiles {
    fn write(&mut self, a: &Analysed) -> Result<(), ExportError> {
        let t = &a.tables;
        self.writer.write(&t.articles, &t.threads, &t.comments, &a.body)
    }
}

/// The sink that keeps the six tables in memory as Arrow record batches (the arrays the
/// Parquet writer writes): for a caller that hands them on, such as Python. The rows are in
/// input order; the batches of consecutive discussions are joined as they come, once they hold
/// [`ArrowTables::BATCH_ROWS`] rows or come from [`ArrowTables::BATCH_DISCUSSIONS`]
/// discussions, so that a corpus of many small discussions is not held as many tiny arrays
/// (each with its buffers' overhead).
#[derive(Debug, Default)]
pub struct ArrowTables {
    /// `articles` batches.
    pub articles: Vec<arrow_array::RecordBatch>,
    /// `threads` batches.
    pub threads: Vec<arrow_array::RecordBatch>,
    /// `comments` batches.
    pub comments: Vec<arrow_array::RecordBatch>,
    /// `anomalies` batches.
    pub anomalies: Vec<arrow_array::RecordBatch>,
    /// `edges` batches.
    pub edges: Vec<arrow_array::RecordBatch>,
    /// `interactions` batches.
    pub interactions: Vec<arrow_array::RecordBatch>,
    /// Per table, where its batches not yet joined start.
    unjoined: [usize; 6],
    /// Corpus-wide author pairs, when asked for.
    pairs: Option<CorpusPairs>,
}

impl ArrowTables {
    /// Rows from which the trailing batches of a table are joined into one.
    pub const BATCH_ROWS: usize = 8 * 1024;
    /// Discussions from which the trailing batches of a table are joined into one.
    pub const BATCH_DISCUSSIONS: usize = 64;

    /// Tables whose `interactions` will hold one row per ordered author pair over the whole
    /// corpus ([`CorpusPairs`]), put there by [`finish`](Self::finish).
    pub fn with_corpus_pairs() -> ArrowTables {
        ArrowTables { pairs: Some(CorpusPairs::default()), ..ArrowTables::default() }
    }

    /// Completes the tables after a run: the corpus-wide author pairs, when asked for, become
    /// `interactions`. Nothing to do otherwise.
    pub fn finish(&mut self) -> Result<(), ExportError> {
        if let Some(pairs) = self.pairs.take() {
            let rows = export::record_batch(&pairs.rows()?)
                .map_err(|e| ExportError::Schema(format!("could not build an Arrow batch: {e}")))?;
            self.interactions = vec![rows];
        }
        Ok(())
    }

    /// Joins the trailing batches of `batches` from `*from` on once they hold
    /// [`BATCH_ROWS`](Self::BATCH_ROWS) rows or are
    /// [`BATCH_DISCUSSIONS`](Self::BATCH_DISCUSSIONS) batches.
    fn join(
        batches: &mut Vec<arrow_array::RecordBatch>,
        from: &mut usize,
    ) -> Result<(), ExportError> {
        let tail = &batches[*from..];
        let rows = tail.iter().map(|b| b.num_rows()).sum::<usize>();
        if rows < Self::BATCH_ROWS && tail.len() < Self::BATCH_DISCUSSIONS {
            return Ok(());
        }
        if tail.len() > 1 {
            let joined = arrow_select::concat::concat_batches(&tail[0].schema(), tail)
                .map_err(|e| ExportError::Schema(format!("could not join Arrow batches: {e}")))?;
            batches.truncate(*from);
            batches.push(joined);
        }
        *from = batches.len();
        Ok(())
    }
}

impl Sink for ArrowTables {
    fn write(&mut self, a: &Analysed) -> Result<(), ExportError> {
        let arrow = |b| {
            export::record_batch(b)
                .map_err(|e| ExportError::Schema(format!("could not build an Arrow batch: {e}")))
        };
        let t = &a.tables;
        let [articles, threads, comments, anomalies, edges, interactions] = &mut self.unjoined;
        for (batches, from, batch) in [
            (&mut self.articles, articles, &t.articles),
            (&mut self.threads, threads, &t.threads),
            (&mut self.comments, comments, &t.comments),
            (&mut self.anomalies, anomalies, &t.anomalies),
            (&mut self.edges, edges, &t.edges),
            (&mut self.interactions, interactions, &t.interactions),
        ] {
            if let (Some(pairs), true) = (&mut self.pairs, std::ptr::eq(batch, &t.interactions)) {
                // Added up over the corpus, made a batch by `finish`.
                pairs.add(batch);
                continue;
            }
            batches.push(arrow(batch)?);
            ArrowTables::join(batches, from)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A sink that keeps each discussion's id, comments and `comments` rows.
    #[derive(Default)]
    struct Collect(Vec<(String, usize, usize)>);

    impl Sink for Collect {
        fn write(&mut self, a: &Analysed) -> Result<(), ExportError> {
            let s = &a.summary;
            self.0.push((s.article_id.clone(), s.comments, a.tables.comments.num_rows()));
            Ok(())
        }
    }

    fn page(n: usize) -> Source {
        let mut text = String::from("Headline\n\nA sentence of the article.\nShow Comments\n");
        for i in 1..=n {
            text.push_str(&format!("  {i}. Comment number {i}\n"));
        }
        Source::Bytes { name: format!("p{n}.txt"), bytes: text.into_bytes().into() }
    }

    #[test]
    fn results_reach_the_sink_in_input_order_for_any_number_of_threads() {
        let sources: Vec<Source> = (1..40).rev().map(page).collect();
        let expected: Vec<(String, usize, usize)> =
            (1..40).rev().map(|n| (format!("p{n}"), n, n)).collect();
        for threads in [1, 2, 4] {
            let mut sink = Collect::default();
            let opts = RunOptions { threads: NonZeroUsize::new(threads) };
            let run =
                run(&sources, &ParseOptions::default(), &Scorers::default(), &opts, &mut sink)
                    .unwrap();
            assert_eq!(sink.0, expected, "{threads} threads");
            assert_eq!((run.totals.articles, run.outcome.inputs), (39, 39));
            assert_eq!(run.totals.formats.get("text"), Some(&39));
        }
    }

    #[test]
    fn one_thread_reads_analyses_and_writes_on_the_calling_thread() {
        struct Threads(Vec<std::thread::ThreadId>);
        impl Sink for Threads {
            fn write(&mut self, _: &Analysed) -> Result<(), ExportError> {
                self.0.push(std::thread::current().id());
                Ok(())
            }
        }
        let sources: Vec<Source> = (1..5).map(page).collect();
        let here = std::thread::current().id();
        for threads in [1, 2] {
            let mut sink = Threads(Vec::new());
            let opts = RunOptions { threads: NonZeroUsize::new(threads) };
            run(&sources, &ParseOptions::default(), &Scorers::default(), &opts, &mut sink).unwrap();
            assert_eq!(sink.0.len(), 4);
            // One thread: every discussion written here; more: by the writing thread.
            assert_eq!(sink.0.iter().all(|t| *t == here), threads == 1, "{threads} threads");
        }
    }

    #[test]
    fn a_failing_sink_stops_a_one_thread_run_with_its_error() {
        struct Fail(usize);
        impl Sink for Fail {
            fn write(&mut self, _: &Analysed) -> Result<(), ExportError> {
                self.0 += 1;
                Err(ExportError::Schema("disk full".into()))
            }
        }
        let sources: Vec<Source> = (1..5).map(page).collect();
        let mut sink = Fail(0);
        let opts = RunOptions { threads: NonZeroUsize::new(1) };
        let err = run(&sources, &ParseOptions::default(), &Scorers::default(), &opts, &mut sink)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            PipelineError::from(ExportError::Schema("disk full".into())).to_string()
        );
        assert_eq!(sink.0, 1, "nothing is analysed after the sink failed");
    }

    #[test]
    fn arrow_tables_hold_the_rows() {
        let mut sink = ArrowTables::default();
        run(
            &[page(2), page(3)],
            &ParseOptions::default(),
            &Scorers::default(),
            &RunOptions::default(),
            &mut sink,
        )
        .unwrap();
        let rows = |v: &[arrow_array::RecordBatch]| v.iter().map(|b| b.num_rows()).sum::<usize>();
        assert_eq!(rows(&sink.articles), 2);
        assert_eq!(rows(&sink.comments), 5);
        assert_eq!(rows(&sink.threads), 5);
        assert_eq!(
            sink.comments[0].schema(),
            export::arrow_schema(&export::schema::COMMENTS),
            "the Parquet writer's schema"
        );
    }

    #[test]
    fn a_failing_input_is_counted_and_the_rest_analysed() {
        let bad = Source::Bytes { name: "bad.bin".into(), bytes: b"\x00\x01".to_vec().into() };
        let mut sink = Collect::default();
        let mut errors = Vec::new();
        let run = run_with(
            &[page(2), bad, page(3)],
            &ParseOptions::default(),
            &Scorers::default(),
            &RunOptions::default(),
            &mut sink,
            Callbacks {
                event: &mut |e| {
                    if let Event::Error(m) = e {
                        errors.push(m.to_string())
                    }
                },
                read: &mut |_, _| {},
                written: &mut |_, _| {},
                cancelled: &|| false,
            },
        )
        .unwrap();
        assert_eq!(sink.0.len(), 2);
        assert_eq!((run.outcome.inputs, run.outcome.failures), (3, 1));
        assert!(errors[0].starts_with("bad.bin: binary content"), "{errors:?}");
    }

    #[test]
    fn cancelling_stops_the_run_between_discussions() {
        let sources: Vec<Source> = (1..200).map(page).collect();
        let asked = AtomicUsize::new(0);
        let mut sink = Collect::default();
        let run = run_with(
            &sources,
            &ParseOptions::default(),
            &Scorers::default(),
            &RunOptions { threads: NonZeroUsize::new(2) },
            &mut sink,
            Callbacks {
                event: &mut |_| {},
                read: &mut |_, _| {},
                written: &mut |_, _| {},
                // Ctrl-C after the tenth discussion was handed on.
                cancelled: &|| asked.fetch_add(1, Ordering::Relaxed) >= 10,
            },
        );
        assert!(matches!(run, Err(PipelineError::Cancelled)), "{run:?}");
        assert_eq!(asked.load(Ordering::Relaxed), 11, "asked once per discussion, then stopped");
        let ids: Vec<String> = sink.0.iter().map(|(id, ..)| id.clone()).collect();
        let first: Vec<String> = (1..=10).map(|n| format!("p{n}")).collect();
        assert_eq!(ids, first, "the discussions handed on before are written, in order");
    }

    /// Issue #14: tables kept as Arrow (as Python holds them) are written with the bytes a
    /// run writes, in every format but Parquet (whose row groups follow the batches).
    #[test]
    fn arrow_tables_write_the_bytes_a_run_writes() {
        let sources = [page(3), page(5)];
        let scorers = Scorers::shipped();
        let dir = tempfile::tempdir().unwrap();
        for format in [ExportFormat::Csv, ExportFormat::Jsonl] {
            let direct = dir.path().join(format!("direct-{}", format.name()));
            let mut files = TableFiles::create(&direct, format, &scorers).unwrap();
            let opts = (ParseOptions::default(), RunOptions::default());
            run(&sources, &opts.0, &scorers, &opts.1, &mut files).unwrap();
            files.finish(&serde_json::json!({})).unwrap();
            let mut tables = ArrowTables::default();
            run(&sources, &opts.0, &scorers, &opts.1, &mut tables).unwrap();
            let later = dir.path().join(format!("later-{}", format.name()));
            let describe = scorers.describe().to_string();
            let mut files = TableFiles::create_for(&later, format, &describe, &[]).unwrap();
            files.write_arrow(&tables).unwrap();
            files.finish(&serde_json::json!({})).unwrap();
            for t in ["articles", "threads", "comments", "anomalies"] {
                let name = format!("{t}.{}", format.extension());
                let read = |d: &Path| std::fs::read(d.join(&name)).unwrap();
                assert_eq!(read(&later), read(&direct), "{name}");
            }
        }
    }

    /// Issue #14: one small batch per discussion held 10x the memory of the rows.
    #[test]
    fn arrow_tables_join_small_batches_in_input_order() {
        use arrow_array::Array;
        use arrow_array::cast::AsArray;
        let sources: Vec<Source> = (1..300).map(page).collect();
        let mut sink = ArrowTables::default();
        let opts = (ParseOptions::default(), RunOptions::default());
        run(&sources, &opts.0, &Scorers::default(), &opts.1, &mut sink).unwrap();
        let rows: Vec<usize> = sink.comments.iter().map(|b| b.num_rows()).collect();
        assert_eq!(rows.iter().sum::<usize>(), (1..300).sum::<usize>());
        // Joined at 64 discussions or 8,192 rows; the last ones as they came.
        assert!(rows.len() < 30, "{rows:?}");
        assert_eq!(
            sink.articles.iter().map(|b| b.num_rows()).collect::<Vec<_>>(),
            [64; 4].into_iter().chain(std::iter::repeat_n(1, 299 - 256)).collect::<Vec<_>>()
        );
        let ids: Vec<String> = sink
            .comments
            .iter()
            .flat_map(|b| {
                let a = b.column(0).as_string::<i32>().clone();
                (0..a.len()).map(move |i| a.value(i).to_string())
            })
            .collect();
        let expected: Vec<String> =
            (1..300).flat_map(|n| std::iter::repeat_n(format!("p{n}"), n)).collect();
        assert_eq!(ids, expected);
        assert_eq!(sink.articles.iter().map(|b| b.num_rows()).sum::<usize>(), 299);
    }
}
