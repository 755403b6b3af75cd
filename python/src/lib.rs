//! The `threadlens._threadlens` extension module: a thin face over `threadlens::pipeline`.
//! It converts types and releases the GIL; the pipeline does the work. Tables cross to Python
//! as Arrow record batches through the C data interface (`arrow-pyarrow`), not row by row.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use threadlens::export::{self, ExportFormat, schema};
use threadlens::parse::{Format, ParseOptions, table::TableOptions};
use threadlens::pipeline::{
    self, ArrowTables, Event, PipelineError, RunOptions, Source, TableFiles,
};

pyo3::create_exception!(
    _threadlens,
    ThreadlensError,
    pyo3::exceptions::PyException,
    "A run that could not be done: nothing could be read (the message gives each input's \
     error), a model file that cannot be used, or tables that could not be written."
);

/// The model files of a call with their sizes and modification times (a retrained file is
/// read again), and whether scores are wanted.
type ModelsKey = (Vec<(PathBuf, Option<(u64, std::time::SystemTime)>)>, bool);

/// The models of a call, loaded once per process and kept (issue #14: a Spark worker analyses
/// many chunks, and loading the shipped models takes about 0.1 s each time).
fn cached_scorers(models: &[PathBuf], scores: bool) -> PyResult<Arc<threadlens::scores::Scorers>> {
    static CACHE: OnceLock<Mutex<HashMap<ModelsKey, Arc<threadlens::scores::Scorers>>>> =
        OnceLock::new();
    let stamp =
        |p: &PathBuf| std::fs::metadata(p).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
    let key: ModelsKey = (models.iter().map(|p| (p.clone(), stamp(p))).collect(), scores);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().expect("cache lock").get(&key) {
        return Ok(Arc::clone(s));
    }
    let loaded = Arc::new(
        pipeline::scorers(models, scores).map_err(|e| ThreadlensError::new_err(e.to_string()))?,
    );
    let mut cache = cache.lock().expect("cache lock");
    // A few sets of models at most are used in one process; keep the cache from growing
    // without bound when files keep changing.
    if cache.len() >= 16 {
        cache.clear();
    }
    cache.insert(key, Arc::clone(&loaded));
    Ok(loaded)
}

/// One input from Python: a path (str or os.PathLike), `(name, bytes)`, or `(name, table)`
/// with a table of comment rows (anything with `__arrow_c_stream__`: a pyarrow Table or
/// RecordBatchReader) whose record batches come across through the Arrow C data interface.
fn source(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok((name, data)) = obj.extract::<(String, Bound<'_, PyAny>)>() {
        if let Ok(bytes) = data.cast::<PyBytes>() {
            return Ok(Source::Bytes { name, bytes: Cow::Owned(bytes.as_bytes().to_vec()) });
        }
        let (batches, _) = arrow_pyarrow::Table::from_pyarrow_bound(&data)?.into_inner();
        return Ok(Source::Batches { name, batches });
    }
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        return Ok(Source::File(obj.extract::<PathBuf>()?));
    }
    let (batches, _) = arrow_pyarrow::Table::from_pyarrow_bound(obj)?.into_inner();
    Ok(Source::Batches { name: "table".into(), batches })
}

/// Runs `work` on a thread of its own with the GIL released, while this thread checks for
/// signals every 50 ms (#14): on Ctrl-C the flag `work` is given is set, `work` stops at its
/// next check, and the signal's exception (KeyboardInterrupt) is raised.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let stop = AtomicBool::new(false);
    let mut signal: Option<PyErr> = None;
    let out = py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel();
            let stop = &stop;
            // Named so that a test can see the run is still going when Ctrl-C is handled.
            std::thread::Builder::new()
                .name("threadlens-run".into())
                .spawn_scoped(scope, move || {
                    let _ = tx.send(work(stop));
                })
                .expect("a thread can be started");
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(out) => return Some(out),
                    Err(mpsc::RecvTimeoutError::Timeout) if signal.is_none() => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            stop.store(true, Ordering::Relaxed);
                            signal = Some(e);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    // The worker panicked: the scope's end raises its panic.
                    Err(mpsc::RecvTimeoutError::Disconnected) => return None,
                }
            }
        })
    });
    match (signal, out) {
        (Some(e), _) => Err(e),
        (None, Some(out)) => Ok(out),
        (None, None) => unreachable!("a panic of the worker is raised by the scope"),
    }
}

#[allow(clippy::too_many_arguments)]
fn parse_options(
    input_format: Option<&str>,
    id_col: Option<String>,
    parent_col: Option<String>,
    discussion_col: Option<String>,
    author_col: Option<String>,
    time_col: Option<String>,
    text_col: Option<String>,
    keep_cols: Option<Vec<String>>,
) -> PyResult<ParseOptions> {
    let format =
        input_format.map(str::parse::<Format>).transpose().map_err(PyValueError::new_err)?;
    Ok(ParseOptions {
        format,
        dump: Default::default(),
        table: TableOptions {
            id: id_col,
            parent: parent_col,
            discussion: discussion_col,
            author: author_col,
            time: time_col,
            text: text_col,
            keep: keep_cols,
        },
    })
}

/// Files, folders, byte inputs and tables → sources, in the order given; paths that cannot be
/// read are listed in `failed`.
fn collect(inputs: &Bound<'_, PyList>, failed: &mut Vec<String>) -> PyResult<Vec<Source>> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    let mut outcome = pipeline::Outcome::default();
    for item in inputs.iter() {
        match source(&item)? {
            Source::File(p) => paths.push(p),
            s => {
                // The paths before it first: the tables come out in input order.
                out.extend(pipeline::collect(&paths, &mut outcome, &mut |_| {}));
                paths.clear();
                out.push(s);
            }
        }
    }
    out.extend(pipeline::collect(&paths, &mut outcome, &mut |_| {}));
    failed.extend(outcome.failed);
    Ok(out)
}

/// A pyarrow Table of `batches` (schema of `spec` when there are none).
fn table<'py>(
    py: Python<'py>,
    batches: Vec<RecordBatch>,
    spec: &'static export::TableSpec,
) -> PyResult<Bound<'py, PyAny>> {
    let schema = export::arrow_schema(spec);
    let list = PyList::empty(py);
    for b in batches {
        list.append(b.to_pyarrow(py)?)?;
    }
    let pa = py.import("pyarrow")?;
    pa.getattr("Table")?.call_method1("from_batches", (list, schema.as_ref().to_pyarrow(py)?))
}

/// Analyse inputs; returns a dict of the four pyarrow tables (in chunks of about 8,192 rows, as
/// `ArrowTables` joins them) and the run's summary.
#[pyfunction]
#[pyo3(signature = (inputs, *, input_format=None, models=Vec::new(), scores=true, threads=None,
    id_col=None, parent_col=None, discussion_col=None, author_col=None, time_col=None,
    text_col=None, keep_cols=None, corpus_pairs=false))]
#[allow(clippy::too_many_arguments)]
fn analyse<'py>(
    py: Python<'py>,
    inputs: Bound<'py, PyList>,
    input_format: Option<&str>,
    models: Vec<PathBuf>,
    scores: bool,
    threads: Option<usize>,
    id_col: Option<String>,
    parent_col: Option<String>,
    discussion_col: Option<String>,
    author_col: Option<String>,
    time_col: Option<String>,
    text_col: Option<String>,
    keep_cols: Option<Vec<String>>,
    corpus_pairs: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = parse_options(
        input_format,
        id_col,
        parent_col,
        discussion_col,
        author_col,
        time_col,
        text_col,
        keep_cols,
    )?;
    let scorers = cached_scorers(&models, scores)?;
    let mut failed = Vec::new();
    let sources = collect(&inputs, &mut failed)?;
    let run_opts = RunOptions { threads: threads.and_then(std::num::NonZeroUsize::new) };
    // The GIL is released while Rust works; Ctrl-C stops the run.
    let (sink, run) = interruptible(py, |stop| {
        let mut sink =
            if corpus_pairs { ArrowTables::with_corpus_pairs() } else { ArrowTables::default() };
        let run = pipeline::run_with(
            &sources,
            &opts,
            &scorers,
            &run_opts,
            &mut sink,
            pipeline::Callbacks {
                event: &mut |_: Event| {},
                read: &mut |_, _| {},
                written: &mut |_, _| {},
                cancelled: &|| stop.load(Ordering::Relaxed),
            },
        );
        let run = run?;
        sink.finish().map_err(PipelineError::from)?;
        Ok((sink, run))
    })?
    .map_err(|e| match e {
        PipelineError::Cancelled => pyo3::exceptions::PyKeyboardInterrupt::new_err(()),
        e => ThreadlensError::new_err(e.to_string()),
    })?;
    failed.extend(run.outcome.failed.iter().cloned());
    let out = PyDict::new(py);
    let comments_spec = schema::comments_with_targets(&scorers.target_names());
    out.set_item("articles", table(py, sink.articles, &schema::ARTICLES)?)?;
    out.set_item("threads", table(py, sink.threads, &schema::THREADS)?)?;
    out.set_item("comments", table(py, sink.comments, comments_spec)?)?;
    out.set_item("anomalies", table(py, sink.anomalies, &schema::ANOMALIES)?)?;
    out.set_item("edges", table(py, sink.edges, &schema::EDGES)?)?;
    out.set_item("interactions", table(py, sink.interactions, &schema::INTERACTIONS)?)?;
    let summary = PyDict::new(py);
    let t = &run.totals;
    summary.set_item("inputs", run.outcome.inputs)?;
    summary.set_item("articles", t.articles)?;
    summary.set_item("threads", t.threads)?;
    summary.set_item("comments", t.comments)?;
    summary.set_item("anomalies", t.anomalies)?;
    summary.set_item("input_formats", t.formats.clone().into_pyobject(py)?)?;
    summary
        .set_item("unsupported_languages", t.unsupported_languages.clone().into_pyobject(py)?)?;
    summary.set_item("failed", failed)?;
    summary.set_item("models", scorers.describe().to_string())?;
    out.set_item("summary", summary)?;
    Ok(out)
}

/// The text report of the inputs (as `threadlens report [--tree]` prints it).
#[pyfunction]
#[pyo3(signature = (inputs, *, tree=false, input_format=None, models=Vec::new(), scores=true))]
fn report(
    py: Python<'_>,
    inputs: Bound<'_, PyList>,
    tree: bool,
    input_format: Option<&str>,
    models: Vec<PathBuf>,
    scores: bool,
) -> PyResult<(String, Vec<String>)> {
    let opts = parse_options(input_format, None, None, None, None, None, None, None)?;
    let scorers = cached_scorers(&models, scores)?;
    let mut failed = Vec::new();
    let sources = collect(&inputs, &mut failed)?;
    let (text, outcome) = interruptible(py, |stop| {
        let mut parts = Vec::new();
        let outcome = pipeline::for_each_discussion(
            &sources,
            &opts,
            &mut |_| {},
            |_, _| {},
            |d| {
                if stop.load(Ordering::Relaxed) {
                    return Err("cancelled");
                }
                let s = threadlens::scores::DiscussionScores::new(&d, &scorers);
                let r = threadlens::report::DiscussionReport::new(&d, &s, tree);
                parts.push(threadlens::report::render(std::slice::from_ref(&r)));
                Ok(())
            },
        );
        (parts.join("\n"), outcome)
    })?;
    let outcome = outcome.map_err(PyRuntimeError::new_err)?;
    failed.extend(outcome.failed);
    Ok((text, failed))
}

/// One text's scores: (probability, uncivil, forms, cues as JSON, language, score_status).
type Scored = (Option<f64>, Option<bool>, Vec<String>, String, Option<&'static str>, &'static str);

/// Incivility of each text by the shipped model of its language (`language`: ISO 639-1 to read
/// every text in, or `None` to detect each), as `threadlens score` writes it: probability,
/// uncivil, forms, cues (JSON), language, score_status. A null text gets null scores.
#[pyfunction]
#[pyo3(signature = (texts, *, language=None))]
fn score(
    py: Python<'_>,
    texts: Vec<Option<String>>,
    language: Option<String>,
) -> PyResult<Vec<Scored>> {
    let scorers = threadlens::scores::Scorers {
        incivility: Some(threadlens::classify::incivility::shipped_model()),
        incivility_languages: vec![threadlens::classify::incivility::shipped_model_de()],
        ..Default::default()
    };
    Ok(py.detach(|| {
        texts
            .iter()
            .map(|t| match t {
                None => (None, None, Vec::new(), "[]".to_string(), None, "no_text"),
                Some(t) => {
                    let s = scorers.score_text(t, language.as_deref());
                    let status = s.status.as_str();
                    match s.incivility {
                        Some(i) => {
                            let cues = serde_json::to_string(&i.cues).expect("cues serialise");
                            (
                                Some(i.probability),
                                Some(i.uncivil),
                                i.forms,
                                cues,
                                s.language,
                                status,
                            )
                        }
                        None => (None, None, Vec::new(), "[]".to_string(), s.language, status),
                    }
                }
            })
            .collect()
    }))
}

/// Writes the six tables (a dict of pyarrow Tables with the columns `analyse` returns) into
/// `directory` as the CLI's `analyse --out` does: the same writers, a `run.json` holding
/// `manifest` (JSON), the folder replaced as a set. `models` is the summary's description of
/// the models (Parquet metadata). Returns the paths of the six tables.
#[pyfunction]
fn write(
    py: Python<'_>,
    directory: PathBuf,
    format: &str,
    tables: Bound<'_, PyDict>,
    models: &str,
    manifest: &str,
) -> PyResult<Vec<PathBuf>> {
    let format: ExportFormat =
        format.parse().map_err(|e: export::ExportError| PyValueError::new_err(e.to_string()))?;
    let manifest: serde_json::Value =
        serde_json::from_str(manifest).map_err(|e| PyValueError::new_err(e.to_string()))?;
    let batches = |name: &str| -> PyResult<Vec<RecordBatch>> {
        let table = tables
            .get_item(name)?
            .ok_or_else(|| PyValueError::new_err(format!("no `{name}` table")))?;
        Ok(arrow_pyarrow::Table::from_pyarrow_bound(&table)?.into_inner().0)
    };
    let mut arrow = ArrowTables::default();
    arrow.articles = batches("articles")?;
    arrow.threads = batches("threads")?;
    arrow.comments = batches("comments")?;
    arrow.anomalies = batches("anomalies")?;
    arrow.edges = batches("edges")?;
    arrow.interactions = batches("interactions")?;
    // Target models' columns: those of `comments` beyond the standard ones.
    let targets: Vec<String> = tables
        .get_item("comments")?
        .map(|t| t.getattr("column_names")?.extract::<Vec<String>>())
        .transpose()?
        .unwrap_or_default()
        .into_iter()
        .filter(|n| !schema::COMMENTS.columns.iter().any(|c| c.name == n))
        .collect();
    py.detach(|| {
        let mut files = TableFiles::create_for(&directory, format, models, &targets)?;
        files.write_arrow(&arrow)?;
        files.finish(&manifest)
    })
    .map_err(|e| ThreadlensError::new_err(error_chain(&e)))
}

/// An error and its causes, as the CLI prints them (`{:#}`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        msg.push_str(": ");
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    msg
}

/// The threadlens version the module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _threadlens(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(analyse, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(write, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("ThreadlensError", m.py().get_type::<ThreadlensError>())?;
    m.add("SCHEMA_VERSION", export::SCHEMA_VERSION)?;
    Ok(())
}
