//! The `threadlens._threadlens` extension module: a thin face over `threadlens::pipeline`.
//! It converts types and releases the GIL; the pipeline does the work. Tables cross to Python
//! as Arrow record batches through the C data interface (`arrow-pyarrow`), not row by row.

use std::borrow::Cow;
use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_pyarrow::ToPyArrow;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use threadlens::export::{self, schema};
use threadlens::parse::{Format, ParseOptions, table::TableOptions};
use threadlens::pipeline::{self, ArrowTables, Event, RunOptions, Source};

pyo3::create_exception!(_threadlens, ThreadlensError, pyo3::exceptions::PyException);

/// One input from Python: a path (str or os.PathLike) or `(name, bytes)`.
fn source(obj: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok((name, bytes)) = obj.extract::<(String, Bound<'_, PyBytes>)>() {
        return Ok(Source::Bytes { name, bytes: Cow::Owned(bytes.as_bytes().to_vec()) });
    }
    Ok(Source::File(obj.extract::<PathBuf>()?))
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
        },
    })
}

/// Files, folders and byte inputs → sources; paths that cannot be read are listed in `failed`.
fn collect(inputs: &Bound<'_, PyList>, failed: &mut Vec<String>) -> PyResult<Vec<Source>> {
    let mut paths = Vec::new();
    let mut sources = Vec::new();
    for item in inputs.iter() {
        match source(&item)? {
            Source::File(p) => paths.push(p),
            s => sources.push(s),
        }
    }
    let mut outcome = pipeline::Outcome::default();
    let mut files = pipeline::collect(&paths, &mut outcome, &mut |_| {});
    failed.extend(outcome.failed);
    files.extend(sources);
    Ok(files)
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

/// Analyse inputs; returns a dict of the four pyarrow tables and the run's summary.
#[pyfunction]
#[pyo3(signature = (inputs, *, input_format=None, models=Vec::new(), scores=true, threads=None,
    id_col=None, parent_col=None, discussion_col=None, author_col=None, time_col=None,
    text_col=None))]
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
) -> PyResult<Bound<'py, PyDict>> {
    let opts = parse_options(
        input_format,
        id_col,
        parent_col,
        discussion_col,
        author_col,
        time_col,
        text_col,
    )?;
    let scorers =
        pipeline::scorers(&models, scores).map_err(|e| ThreadlensError::new_err(e.to_string()))?;
    let mut failed = Vec::new();
    let sources = collect(&inputs, &mut failed)?;
    let run_opts = RunOptions { threads: threads.and_then(std::num::NonZeroUsize::new) };
    // The GIL is released while Rust works.
    let (sink, run) = py
        .detach(|| {
            let mut sink = ArrowTables::default();
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
                },
            );
            run.map(|r| (sink, r))
        })
        .map_err(|e| ThreadlensError::new_err(e.to_string()))?;
    failed.extend(run.outcome.failed.iter().cloned());
    let out = PyDict::new(py);
    let comments_spec = schema::comments_with_targets(&scorers.target_names());
    out.set_item("articles", table(py, sink.articles, &schema::ARTICLES)?)?;
    out.set_item("threads", table(py, sink.threads, &schema::THREADS)?)?;
    out.set_item("comments", table(py, sink.comments, comments_spec)?)?;
    out.set_item("anomalies", table(py, sink.anomalies, &schema::ANOMALIES)?)?;
    let summary = PyDict::new(py);
    let t = &run.totals;
    summary.set_item("inputs", run.outcome.inputs)?;
    summary.set_item("articles", t.articles)?;
    summary.set_item("threads", t.threads)?;
    summary.set_item("comments", t.comments)?;
    summary.set_item("anomalies", t.anomalies)?;
    summary.set_item("input_formats", t.formats.clone().into_pyobject(py)?)?;
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
    let opts = parse_options(input_format, None, None, None, None, None, None)?;
    let scorers =
        pipeline::scorers(&models, scores).map_err(|e| ThreadlensError::new_err(e.to_string()))?;
    let mut failed = Vec::new();
    let sources = collect(&inputs, &mut failed)?;
    let (text, outcome) = py.detach(|| {
        let mut parts = Vec::new();
        let outcome = pipeline::for_each_discussion(
            &sources,
            &opts,
            &mut |_| {},
            |_, _| {},
            |d| {
                let s = threadlens::scores::DiscussionScores::new(&d, &scorers);
                let r = threadlens::report::DiscussionReport::new(&d, &s, tree);
                parts.push(threadlens::report::render(std::slice::from_ref(&r)));
                Ok::<(), std::convert::Infallible>(())
            },
        );
        (parts.join("\n"), outcome)
    });
    let outcome = outcome.map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    failed.extend(outcome.failed);
    Ok((text, failed))
}

/// Incivility of each text: (probability, uncivil, forms, cues as JSON).
#[pyfunction]
fn score(
    py: Python<'_>,
    texts: Vec<Option<String>>,
) -> PyResult<Vec<(Option<f64>, Option<bool>, Vec<String>, String)>> {
    let model = threadlens::classify::incivility::shipped_model();
    Ok(py.detach(|| {
        texts
            .iter()
            .map(|t| match t {
                None => (None, None, Vec::new(), "[]".to_string()),
                Some(t) => {
                    let quotes = threadlens::parse::clean::gt_quotes(t);
                    let s = threadlens::classify::incivility::score(&model, t, &quotes);
                    let cues = serde_json::to_string(&s.cues).expect("cues serialise");
                    (Some(s.probability), Some(s.uncivil), s.forms, cues)
                }
            })
            .collect()
    }))
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
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add("ThreadlensError", m.py().get_type::<ThreadlensError>())?;
    Ok(())
}
