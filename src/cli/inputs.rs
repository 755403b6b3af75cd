//! Which inputs a command reads: files, folders (recursed), or the bundled
//! seeds; and reading them into discussions, one at a time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use threadlens::parse::{self, Format, ParseOptions};
use threadlens::{Anomaly, AnomalyKind, Discussion, Document};

/// The bundled corpus, compiled into the binary so that `threadlens
/// analyse` works from any directory. A test checks this list against the
/// `seeds/` folder.
pub const SEEDS: &[(&str, &[u8])] = &[
    ("000_d9b278959070677e.txt", include_bytes!("../../seeds/000_d9b278959070677e.txt")),
    ("001_999234820501752a.txt", include_bytes!("../../seeds/001_999234820501752a.txt")),
    ("002_33127b48be7e0ce9.txt", include_bytes!("../../seeds/002_33127b48be7e0ce9.txt")),
    ("003_f25abc09e29af3fb.txt", include_bytes!("../../seeds/003_f25abc09e29af3fb.txt")),
    ("004_f6aa056cd6eb0edf.txt", include_bytes!("../../seeds/004_f6aa056cd6eb0edf.txt")),
];

/// Input arguments shared by the commands.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Files or folders to read (folders are searched recursively; hidden
    /// files and documentation such as README.md, LICENSE or PROVENANCE.txt
    /// are skipped, with a note). With none, the bundled seeds are read.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Read every input as this format instead of detecting it from the
    /// content. Formats: text, html, wp-rest-json, reddit-json, hn-json,
    /// wxr, disqus-xml, csv, tsv, jsonl.
    #[arg(long, value_name = "FORMAT", value_parser = str::parse::<Format>)]
    pub input_format: Option<Format>,
    /// Tables (CSV/TSV/JSONL): the comment id column [default: the first of
    /// id, comment_id, commentid, utterance_id, message_id, cid].
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub id_col: Option<String>,
    /// Tables: the parent id column [default: parent_id, reply_to, parent,
    /// in_reply_to, …]. Empty, 0 or null means a reply to the article.
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub parent_col: Option<String>,
    /// Tables: the discussion id column [default: article_id,
    /// conversation_id, thread_id, discussion_id, post_id, link_id, …]. Without
    /// one, each file is one discussion.
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub discussion_col: Option<String>,
    /// Tables: the author column [default: author, speaker, user, username, …].
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub author_col: Option<String>,
    /// Tables: the time column [default: timestamp, created_utc, created_at,
    /// time, date, …]; numbers are Unix seconds.
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub time_col: Option<String>,
    /// Tables: the text column [default: text, body, content, comment, message, …].
    #[arg(long, value_name = "NAME", help_heading = "Table columns")]
    pub text_col: Option<String>,
}

impl InputArgs {
    pub fn parse_options(&self) -> ParseOptions {
        ParseOptions {
            format: self.input_format,
            table: parse::table::TableOptions {
                id: self.id_col.clone(),
                parent: self.parent_col.clone(),
                discussion: self.discussion_col.clone(),
                author: self.author_col.clone(),
                time: self.time_col.clone(),
                text: self.text_col.clone(),
            },
        }
    }
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
    if later.section == threadlens::CommentSection::Present {
        first.section = later.section;
    }
    first.comments.extend(later.comments);
    first.anomalies.extend(later.anomalies);
    first.hidden_comments += later.hidden_comments;
}

/// One input to read.
#[derive(Debug)]
enum Input {
    File(PathBuf),
    Seed(&'static str, &'static [u8]),
}

/// What reading the inputs came to.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Inputs read (files or seeds).
    pub inputs: usize,
    /// Inputs that failed (already reported on stderr).
    pub failures: usize,
    /// Their messages, each naming its file.
    pub failed: Vec<String>,
    /// Whether the bundled seeds were read (no INPUT given).
    pub seeds: bool,
}

fn report_error(msg: impl std::fmt::Display, outcome: &mut Outcome) {
    let msg = msg.to_string();
    eprintln!("threadlens: error: {msg}");
    outcome.failures += 1;
    outcome.failed.push(msg);
}

fn collect(args: &InputArgs, outcome: &mut Outcome) -> Vec<Input> {
    if args.inputs.is_empty() {
        // Said, so that a forgotten INPUT is not mistaken for an analysis of one's data (#13).
        eprintln!(
            "threadlens: note: no INPUT given; reading the {} bundled seed captures (seeds/)",
            SEEDS.len()
        );
        outcome.seeds = true;
        return SEEDS.iter().map(|&(name, bytes)| Input::Seed(name, bytes)).collect();
    }
    let mut out = Vec::new();
    let mut skipped: Vec<PathBuf> = Vec::new();
    for path in &args.inputs {
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
                    Ok(e) if e.file_type().is_file() => out.push(Input::File(e.into_path())),
                    Ok(_) => {}
                    // Name the entry that failed (a dangling link, an unreadable folder), not
                    // the folder given (#13).
                    Err(e) => report_error(walk_error(path, &e), outcome),
                }
            }
            if out.len() == before {
                let what = if skipped.len() > skipped_before {
                    "folder has only documentation files, no comment data to read"
                } else {
                    "folder has no files to read"
                };
                report_error(format_args!("{}: {what}", path.display()), outcome);
            }
        } else {
            match regular_file(path) {
                Ok(()) => out.push(Input::File(path.clone())),
                Err(why) => report_error(format_args!("{}: {why}", shown(path)), outcome),
            }
        }
    }
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "threadlens: skipped {} documentation file(s) found in folders, not comment data: {} \
             (name a file on the command line to read it anyway)",
            skipped.len(),
            names.join(", ")
        );
    }
    out
}

/// A path for a message: control characters (a newline in a file name) escaped.
fn shown(path: &Path) -> String {
    parse::printable(&path.display().to_string()).into_owned()
}

/// Why a path named on the command line cannot be read as a file, if it cannot: missing, a
/// dangling link, or not a regular file (a FIFO would block the run forever, #13).
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
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            format!(
                "{}: {}",
                shown(path),
                regular_file(path).err().unwrap_or_else(|| io.to_string())
            )
        }
        Some(io) => format!("{}: could not read: {io}", shown(path)),
        None => format!("{}: {e}", shown(path)),
    }
}

/// Whether a file met in a folder is documentation rather than data: a README, licence,
/// provenance note, changelog and the like (by the name before its first dot, any case), or
/// Markdown / reStructuredText.
fn is_documentation(name: &std::ffi::OsStr) -> bool {
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

/// Read every input and hand each discussion to `f` as soon as it is built,
/// so memory is bounded by the largest discussion. A failing input is
/// reported on stderr, counted, and the others are still read. An error
/// from `f` (e.g. writing output) stops the run.
pub fn for_each_discussion(
    args: &InputArgs,
    f: impl FnMut(Discussion) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    for_each_discussion_with(args, |_, _| {}, f)
}

/// As [`for_each_discussion`], calling `read(done, total)` after each input is read.
pub fn for_each_discussion_with(
    args: &InputArgs,
    mut read: impl FnMut(usize, usize),
    mut f: impl FnMut(Discussion) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let inputs = collect(args, &mut outcome);
    let total = inputs.len();
    let opts = args.parse_options();
    // Each input's documents in order, streamed where the format allows; `emit` returns
    // `false` to stop.
    let each = |input: &Input, emit: &mut dyn FnMut(Document) -> bool| match input {
        Input::File(path) => parse::parse_path_each(path, &opts, emit),
        Input::Seed(name, bytes) => {
            let source = Path::new("seeds").join(name).display().to_string();
            for doc in parse::parse_bytes(bytes, &source, &opts)? {
                if !emit(doc) {
                    break;
                }
            }
            Ok(())
        }
    };
    // A discussion split into parts (pages of an API, a table sharded by time, rows of a
    // table that are not contiguous) is complete after its last part. A first pass finds
    // that part for each merge key — (input, part number within the input) — so each
    // discussion is handed on as soon as it is complete and memory holds the discussions
    // still open, not the corpus. (Parsing twice costs little beside scoring; errors are
    // reported by the second pass.)
    let mut last_part: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut part = 0;
        let _ = each(input, &mut |doc| {
            if let Some(key) = doc.merge_key {
                last_part.insert(key, (i, part));
            }
            part += 1;
            true
        });
    }
    // Discussion ids must be unique within a run; a repeat gets a suffix
    // and an anomaly saying so.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut pending = Pending::default();
    let mut failed: Option<anyhow::Error> = None;
    for (i, input) in inputs.iter().enumerate() {
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
        read(outcome.inputs, total);
        if let Err(e) = parsed {
            report_error(e, &mut outcome);
        }
    }
    // Anything still open (its last part failed to read the second time): hand it on now.
    for doc in std::mem::take(&mut pending.docs).into_values() {
        emit(doc, &mut seen, &mut f)?;
    }
    Ok(outcome)
}

/// Give the discussion a run-unique id, build its tree and hand it on.
fn emit(
    mut doc: Document,
    seen: &mut HashMap<String, usize>,
    f: &mut impl FnMut(Discussion) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
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
    fn bundled_seeds_match_the_seeds_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let mut on_disk: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
            })
            .collect();
        on_disk.sort();
        let bundled: Vec<(String, Vec<u8>)> =
            SEEDS.iter().map(|(n, b)| (n.to_string(), b.to_vec())).collect();
        assert_eq!(bundled, on_disk, "update SEEDS in src/cli/inputs.rs to match seeds/");
    }

    #[test]
    fn documentation_is_told_from_data() {
        for doc in ["README.md", "readme", "LICENSE", "LICENCE.txt", "PROVENANCE.txt", "notes.md"] {
            assert!(is_documentation(std::ffi::OsStr::new(doc)), "{doc}");
        }
        for data in ["002_canary.txt", "comments.csv", "page.html", "readme_comments.jsonl"] {
            assert!(!is_documentation(std::ffi::OsStr::new(data)), "{data}");
        }
    }
}
