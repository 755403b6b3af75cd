//! Which inputs a run reads (files, folders searched recursively, bytes in memory) and reading
//! them into discussions, one at a time, with the pages of one discussion merged.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::parse::convokit::{UTTERANCES, is_corpus_file};
use crate::parse::{self, ParseOptions};
use crate::{Anomaly, AnomalyKind, Discussion, Document};

/// One input to read.
#[derive(Clone, Debug)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// Bytes in memory, with the name they are reported under (its stem is the discussion id,
    /// its extension a hint to the format, as for a file).
    Bytes {
        /// The name, e.g. `seeds/002_33127b48be7e0ce9.txt`.
        name: String,
        /// The content.
        bytes: Cow<'static, [u8]>,
    },
    /// A table of comment rows as Arrow record batches (from Python: a pyarrow, pandas or
    /// polars table), read by [`parse::table::parse_batches`] with the table reader's column
    /// recognition and [`ParseOptions::table`]; its `format` is `arrow`.
    Batches {
        /// The name the rows are reported under; without a discussion column, its stem is
        /// the discussion id.
        name: String,
        /// The rows, in order.
        batches: Vec<arrow_array::RecordBatch>,
    },
}

/// Something a run has to say while reading: an input that failed (the run goes on) or a note.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// An input could not be read; the message names it. The run reads the others.
    Error(&'a str),
    /// Something worth knowing that is not a failure (documentation files skipped).
    Note(&'a str),
}

/// What reading the inputs came to.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Inputs read (files or byte sources).
    pub inputs: usize,
    /// Inputs that failed (each also reported as an [`Event::Error`]).
    pub failures: usize,
    /// Their messages, each naming its input.
    pub failed: Vec<String>,
}

impl Outcome {
    fn error(&mut self, msg: String, events: &mut dyn FnMut(Event)) {
        events(Event::Error(&msg));
        self.failures += 1;
        self.failed.push(msg);
    }
}

/// A path for a message: control characters (a newline in a file name) escaped.
fn shown(path: &Path) -> String {
    parse::printable(&path.display().to_string()).into_owned()
}

/// The sources behind `paths`: files as given, folders searched recursively in name order
/// (hidden entries and documentation files skipped, the latter named in one note). A path that
/// cannot be read (missing, a dangling link, a FIFO or device, an empty folder) is an
/// [`Event::Error`] counted in `outcome`.
pub fn collect(
    paths: &[PathBuf],
    outcome: &mut Outcome,
    events: &mut dyn FnMut(Event),
) -> Vec<Source> {
    let mut out = Vec::new();
    let mut skipped: Vec<PathBuf> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let (before, skipped_before) = (out.len(), skipped.len());
            let walk = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
            for entry in walk {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_documentation(e.file_name()) => {
                        skipped.push(e.into_path())
                    }
                    Ok(e) if e.file_type().is_file() => out.push(Source::File(e.into_path())),
                    Ok(_) => {}
                    // Name the entry that failed (a dangling link, an unreadable folder), not
                    // the folder given (#13).
                    Err(e) => outcome.error(walk_error(path, &e), events),
                }
            }
            // A ConvoKit corpus folder is one input, its `utterances.jsonl`: the files beside
            // it (`conversations.json`, `speakers.json`, …) are read with it, not on their own.
            let corpora: std::collections::HashSet<PathBuf> = out[before..]
                .iter()
                .filter_map(|s| match s {
                    Source::File(p) if p.file_name().is_some_and(|n| n == UTTERANCES) => {
                        p.parent().map(Path::to_path_buf)
                    }
                    _ => None,
                })
                .collect();
            if !corpora.is_empty() {
                let sibling = |p: &Path| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(is_corpus_file)
                        && p.parent().is_some_and(|d| corpora.contains(d))
                };
                let mut k = 0;
                out.retain(|s| {
                    let earlier = k < before;
                    k += 1;
                    earlier || !matches!(s, Source::File(p) if sibling(p))
                });
            }
            if out.len() == before {
                let what = if skipped.len() > skipped_before {
                    "folder has only documentation files, no comment data to read"
                } else {
                    "folder has no files to read"
                };
                outcome.error(format!("{}: {what}", shown(path)), events);
            }
        } else {
            match regular_file(path) {
                Ok(()) => out.push(Source::File(path.clone())),
                Err(why) => outcome.error(format!("{}: {why}", shown(path)), events),
            }
        }
    }
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(|p| shown(p)).collect();
        events(Event::Note(&format!(
            "skipped {} documentation file(s) found in folders, not comment data: {} \
             (name a file on the command line to read it anyway)",
            skipped.len(),
            names.join(", ")
        )));
    }
    out
}

/// Why a path named as an input cannot be read as a file, if it cannot: missing, a dangling
/// link, or not a regular file (a FIFO would block the run forever, #13).
fn regular_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err("not a regular file (a FIFO, socket or device); threadlens reads files \
                      and folders"
            .into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match std::fs::symlink_metadata(path) {
                Ok(_) => Err(format!(
                    "a symbolic link to a missing file ({})",
                    std::fs::read_link(path).map_or_else(|_| "?".to_string(), |t| shown(&t))
                )),
                Err(_) => Err("no such file or folder".into()),
            }
        }
        Err(e) => Err(format!("could not read: {e}")),
    }
}

/// A folder walk's error, naming the entry it is about.
fn walk_error(root: &Path, e: &walkdir::Error) -> String {
    let path = e.path().unwrap_or(root);
    match e.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => format!(
            "{}: {}",
            shown(path),
            regular_file(path).err().unwrap_or_else(|| io.to_string())
        ),
        Some(io) => format!("{}: could not read: {io}", shown(path)),
        None => format!("{}: {e}", shown(path)),
    }
}

/// Whether a file met in a folder is documentation rather than data: a README, licence,
/// provenance note, changelog and the like (by the name before its first dot, any case), or
/// Markdown / reStructuredText.
pub fn is_documentation(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else { return false };
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    const STEMS: [&str; 11] = [
        "readme",
        "license",
        "licence",
        "copying",
        "provenance",
        "changelog",
        "changes",
        "notice",
        "authors",
        "contributing",
        "citation",
    ];
    STEMS.contains(&stem) || [".md", ".markdown", ".rst"].iter().any(|ext| lower.ends_with(ext))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Pages of one discussion (e.g. a paginated API) read so far.
#[derive(Default)]
struct Pending {
    docs: std::collections::BTreeMap<String, Document>,
}

impl Pending {
    fn add(&mut self, doc: Document, key: String) {
        match self.docs.entry(key) {
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(doc);
            }
            std::collections::btree_map::Entry::Occupied(mut e) => merge_into(e.get_mut(), doc),
        }
    }
}

/// Merge a later page of a discussion into the first: comments and
/// anomalies are appended, article fields the first page lacks are taken
/// from the later one.
fn merge_into(first: &mut Document, later: Document) {
    let (a, b) = (&mut first.article, later.article);
    if !a.source.split("; ").any(|s| s == b.source) {
        a.source = format!("{}; {}", a.source, b.source);
    }
    a.outlet = a.outlet.take().or(b.outlet);
    a.title = a.title.take().or(b.title);
    a.published = a.published.take().or(b.published);
    a.byline = a.byline.take().or(b.byline);
    a.url = a.url.take().or(b.url);
    if a.body.is_empty() {
        a.body = b.body;
    }
    if later.section == crate::CommentSection::Present {
        first.section = later.section;
    }
    first.comments.extend(later.comments);
    first.anomalies.extend(later.anomalies);
    first.hidden_comments += later.hidden_comments;
}

/// Read every source and hand each discussion to `f` as soon as it is complete, so memory is
/// bounded by the discussions still open, not the corpus. A failing input is an
/// [`Event::Error`], counted, and the others are still read; `read(bytes, total bytes)` is
/// called after each input and every few thousand lines of a Reddit dump. An error from `f`
/// (e.g. writing output) stops the run and is returned.
///
/// A discussion split into parts (pages of an API, a table sharded by time, rows of a table
/// that are not contiguous) is handed on after its last part; discussion ids are made unique
/// within the run (a repeat gets a `~2` suffix and a `duplicate_article` anomaly).
///
/// Reddit dump files are read together where the first of them is among the inputs, by one
/// [`Gatherer`](parse::dump::Gatherer): the comments of a thread meet over several files
/// (months), memory is bounded by [`DumpOptions::memory_limit`](parse::dump::DumpOptions)
/// (lines past it are spilled to disk and merged back), and the discussions come in the order
/// of their link ids.
///
/// ```
/// use std::borrow::Cow;
/// use threadlens::parse::ParseOptions;
/// use threadlens::pipeline::{for_each_discussion, Source};
///
/// let page = "Headline\n\nA sentence of the article.\nShow Comments\n  1. First\n    1. Reply\n";
/// let sources = [Source::Bytes { name: "page.txt".into(), bytes: Cow::Borrowed(page.as_bytes()) }];
/// let mut sizes = Vec::new();
/// let outcome = for_each_discussion(&sources, &ParseOptions::default(), &mut |_| {}, |_, _| {}, |d| {
///     sizes.push(d.len());
///     Ok::<(), std::convert::Infallible>(())
/// })?;
/// assert_eq!((sizes, outcome.failures), (vec![2], 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn for_each_discussion<E>(
    sources: &[Source],
    opts: &ParseOptions,
    events: &mut dyn FnMut(Event),
    mut read: impl FnMut(usize, usize),
    mut f: impl FnMut(Discussion) -> Result<(), E>,
) -> Result<Outcome, E> {
    let mut outcome = Outcome::default();
    // Progress is in bytes: of the files (compressed, for a compressed dump) and byte sources.
    let sizes: Vec<usize> = sources.iter().map(size).collect();
    let total: usize = sizes.iter().sum();
    let mut done = 0;
    // Reddit dump files are read together, at the place of the first: the comments of one
    // thread are spread over several files (a month's and the next months').
    // Whether each is a dump, and whether it may hold parts of a discussion (see the first
    // pass below), from one read of its start.
    let kinds: Vec<parse::FileKind> = sources
        .iter()
        .map(|s| match s {
            Source::File(path) => parse::file_kind(path, opts),
            Source::Bytes { name, bytes } => parse::FileKind {
                dump: None,
                may_merge: parse::may_merge(&bytes[..bytes.len().min(parse::HEAD)], name, opts),
            },
            Source::Batches { .. } => parse::FileKind { dump: None, may_merge: true },
        })
        .collect();
    let dumps: Vec<Option<bool>> = kinds.iter().map(|k| k.dump).collect();
    // Each input's documents in order, streamed where the format allows; `emit` returns
    // `false` to stop.
    let each = |input: &Source, emit: &mut dyn FnMut(Document) -> bool| match input {
        Source::File(path) => parse::parse_path_each(path, opts, emit),
        Source::Bytes { name, bytes } => {
            for doc in parse::parse_bytes(bytes, name, opts)? {
                if !emit(doc) {
                    break;
                }
            }
            Ok(())
        }
        Source::Batches { name, batches } => {
            let id = parse::discussion_id(name);
            parse::table::parse_batches(batches, &id, name, &opts.table, emit)
                .map_err(|kind| parse::ParseError { path: name.clone(), kind })
        }
    };
    // A first pass finds the last part of each merge key — (input, part number within the
    // input) — so each discussion is handed on as soon as it is complete. (Parsing twice
    // costs little beside scoring; errors are reported by the second pass.)
    let mut last_part: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, input) in sources.iter().enumerate() {
        if kinds[i].dump.is_some() || !kinds[i].may_merge {
            continue;
        }
        let mut part = 0;
        let _ = each(input, &mut |doc| {
            if let Some(key) = doc.merge_key {
                last_part.insert(key, (i, part));
            }
            part += 1;
            true
        });
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut pending = Pending::default();
    let mut failed: Option<E> = None;
    let mut dumps_read = false;
    for (i, input) in sources.iter().enumerate() {
        if dumps[i].is_some() {
            if !dumps_read {
                dumps_read = true;
                read_dumps(
                    sources,
                    &dumps,
                    &sizes,
                    opts,
                    (&mut done, total),
                    &mut outcome,
                    events,
                    &mut read,
                    &mut |doc| emit(doc, &mut seen, &mut f),
                )?;
            }
            continue;
        }
        outcome.inputs += 1;
        let mut part = 0;
        let parsed = each(input, &mut |doc| {
            let here = (i, part);
            part += 1;
            let result = match doc.merge_key.clone() {
                None => emit(doc, &mut seen, &mut f),
                Some(key) => {
                    pending.add(doc, key.clone());
                    // Complete: this was its last part (or the first pass did not see it).
                    if last_part.get(&key).is_none_or(|&last| last <= here) {
                        let doc = pending.docs.remove(&key).expect("just added");
                        emit(doc, &mut seen, &mut f)
                    } else {
                        Ok(())
                    }
                }
            };
            match result {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        });
        if let Some(e) = failed.take() {
            return Err(e);
        }
        done += sizes[i];
        read(done, total);
        if let Err(e) = parsed {
            outcome.error(e.to_string(), events);
        }
    }
    // Anything still open (its last part failed to read the second time): hand it on now.
    for doc in std::mem::take(&mut pending.docs).into_values() {
        emit(doc, &mut seen, &mut f)?;
    }
    Ok(outcome)
}

/// The size of a source in bytes, for progress (0 when it cannot be told).
fn size(source: &Source) -> usize {
    match source {
        Source::File(path) => std::fs::metadata(path).map_or(0, |m| m.len() as usize),
        Source::Bytes { bytes, .. } => bytes.len(),
        Source::Batches { batches, .. } => {
            batches.iter().map(arrow_array::RecordBatch::get_array_memory_size).sum()
        }
    }
}

/// Read every Reddit dump among `sources` (`dumps[i]`: whether compressed) into one
/// [`Gatherer`](parse::dump::Gatherer) and hand on its discussions. Progress is told in bytes
/// read within each file; a file that fails is an [`Event::Error`] and the others are read.
#[allow(clippy::too_many_arguments)]
fn read_dumps<E>(
    sources: &[Source],
    dumps: &[Option<bool>],
    sizes: &[usize],
    opts: &ParseOptions,
    (done, total): (&mut usize, usize),
    outcome: &mut Outcome,
    events: &mut dyn FnMut(Event),
    read: &mut impl FnMut(usize, usize),
    f: &mut dyn FnMut(Document) -> Result<(), E>,
) -> Result<(), E> {
    use std::cell::Cell;
    use std::rc::Rc;
    let mut g = parse::dump::Gatherer::new(opts.dump.held_limit(), opts.dump.spill_dir.clone());
    for (i, input) in sources.iter().enumerate() {
        let (Some(compressed), Source::File(path)) = (dumps[i], input) else { continue };
        outcome.inputs += 1;
        let source = path.display().to_string();
        let count = Rc::new(Cell::new(0u64));
        let rdr = std::fs::File::open(path).and_then(|file| {
            parse::dump::reader(parse::dump::Counting::new(file, count.clone()), compressed)
        });
        let result = match rdr {
            Ok(rdr) => g.read(rdr, &source, &opts.dump, &mut |_| {
                read(*done + (count.get() as usize).min(sizes[i]), total)
            }),
            Err(e) => Err(parse::ParseErrorKind::Io(e)),
        };
        *done += sizes[i];
        read(*done, total);
        if let Err(kind) = result {
            outcome.error(parse::ParseError { path: source, kind }.to_string(), events);
        }
    }
    let spilled = g.spilled();
    if spilled.runs > 0 {
        events(Event::Note(&format!(
            "Reddit dumps: past the memory limit, {} runs of lines ({:.1} MB compressed) were \
             spilled to a temporary folder and merged back",
            spilled.runs,
            spilled.bytes as f64 / 1e6
        )));
    }
    let mut failed = None;
    let finished = g.finish(&mut |doc| match f(doc) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if let Err(e) = finished {
        outcome
            .error(format!("Reddit dumps: could not read lines spilled to disk back: {e}"), events);
    }
    Ok(())
}

/// Give the discussion a run-unique id, build its tree and hand it on.
fn emit<E>(
    mut doc: Document,
    seen: &mut HashMap<String, usize>,
    f: &mut impl FnMut(Discussion) -> Result<(), E>,
) -> Result<(), E> {
    let count = seen.entry(doc.article.id.clone()).or_insert(0);
    *count += 1;
    if *count > 1 {
        let renamed = format!("{}~{count}", doc.article.id);
        doc.anomalies.push(Anomaly {
            kind: AnomalyKind::DuplicateArticle,
            line: None,
            comment_id: None,
            message: format!(
                "discussion id `{}` was already used by another input; this one is `{renamed}`",
                doc.article.id
            ),
        });
        doc.article.id = renamed;
    }
    f(Discussion::build(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_is_told_from_data() {
        for doc in ["README.md", "readme", "LICENSE", "LICENCE.txt", "PROVENANCE.txt", "notes.md"] {
            assert!(is_documentation(std::ffi::OsStr::new(doc)), "{doc}");
        }
        for data in ["002_canary.txt", "comments.csv", "page.html", "readme_comments.jsonl"] {
            assert!(!is_documentation(std::ffi::OsStr::new(data)), "{data}");
        }
    }

    #[test]
    fn a_missing_path_is_an_error_event_and_the_rest_is_collected() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let mut outcome = Outcome::default();
        let mut errors = Vec::new();
        let sources = collect(
            &[dir.path().join("a.txt"), dir.path().join("missing.txt")],
            &mut outcome,
            &mut |e| {
                if let Event::Error(m) = e {
                    errors.push(m.to_string())
                }
            },
        );
        assert_eq!(sources.len(), 1);
        assert_eq!(outcome.failures, 1);
        assert!(errors[0].ends_with("missing.txt: no such file or folder"), "{errors:?}");
    }
}
