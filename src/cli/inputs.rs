//! The input arguments shared by the commands, and the bundled seeds read when none is given;
//! the reading itself is the library's (`threadlens::pipeline`).

use std::path::{Path, PathBuf};

use threadlens::Discussion;
use threadlens::parse::{self, Format, ParseOptions};
use threadlens::pipeline::{self, Event, Source};

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
    /// wxr, disqus-xml, csv, tsv, jsonl, reddit-dump.
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
    /// Tables: keep only these of the other columns in each comment's `extra` map (repeat or
    /// separate by commas) [default: every column no role takes].
    #[arg(long, value_name = "NAME", value_delimiter = ',', help_heading = "Table columns")]
    pub keep_col: Option<Vec<String>>,
    /// Reddit dumps: only these subreddits (case-insensitive; repeat or separate by commas).
    #[arg(long, value_name = "NAME", value_delimiter = ',', help_heading = "Reddit dumps")]
    pub subreddit: Vec<String>,
    /// Reddit dumps: only lines created at or after this date (2023-09-01, an RFC 3339 time
    /// or Unix seconds; UTC).
    #[arg(long, value_name = "DATE", value_parser = parse::dump::parse_date, help_heading = "Reddit dumps")]
    pub since: Option<i64>,
    /// Reddit dumps: only lines created before this date.
    #[arg(long, value_name = "DATE", value_parser = parse::dump::parse_date, help_heading = "Reddit dumps")]
    pub until: Option<i64>,
    /// Reddit dumps: only these discussions (link ids, with or without `t3_`; repeat or
    /// separate by commas).
    #[arg(long, value_name = "ID", value_delimiter = ',', help_heading = "Reddit dumps")]
    pub link_id: Vec<String>,
    /// Reddit dumps: about how much memory to use while grouping lines into discussions
    /// (e.g. 1G, 512M); past it, lines are spilled, compressed, to a temporary folder and
    /// merged back, with the same output [default: a quarter of the machine's memory].
    #[arg(long, value_name = "SIZE", value_parser = parse::dump::parse_size, help_heading = "Reddit dumps")]
    pub memory_limit: Option<u64>,
    /// Reddit dumps: where to spill past --memory-limit [default: the system's temporary
    /// folder, $TMPDIR].
    #[arg(long, value_name = "DIR", help_heading = "Reddit dumps")]
    pub spill_dir: Option<std::path::PathBuf>,
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
                keep: self.keep_col.clone(),
            },
            dump: parse::dump::DumpOptions {
                subreddits: self.subreddit.clone(),
                since: self.since,
                until: self.until,
                link_ids: self.link_id.clone(),
                memory_limit: self.memory_limit,
                spill_dir: self.spill_dir.clone(),
            },
        }
    }
}

/// What reading the inputs came to.
pub use threadlens::pipeline::Outcome;

/// Prints a run's events on stderr as they come.
pub fn print_event(e: Event) {
    match e {
        Event::Error(msg) => say!("threadlens: error: {msg}"),
        Event::Note(msg) => say!("threadlens: {msg}"),
    }
}

/// The sources the arguments name: the files and folders given, or the bundled seeds (with a
/// note, so that a forgotten INPUT is not mistaken for an analysis of one's data, #13).
/// Failures are printed and counted in `outcome`.
pub fn sources(args: &InputArgs, outcome: &mut Outcome) -> Vec<Source> {
    if args.inputs.is_empty() {
        say!(
            "threadlens: note: no INPUT given; reading the {} bundled seed captures (seeds/)",
            SEEDS.len()
        );
        return SEEDS
            .iter()
            .map(|&(name, bytes)| Source::Bytes {
                name: Path::new("seeds").join(name).display().to_string(),
                bytes: bytes.into(),
            })
            .collect();
    }
    pipeline::collect(&args.inputs, outcome, &mut print_event)
}

/// Read every input and hand each discussion to `f` as soon as it is built
/// ([`pipeline::for_each_discussion`]), printing failures on stderr; the others are still
/// read. An error from `f` stops the run.
pub fn for_each_discussion(
    args: &InputArgs,
    f: impl FnMut(Discussion) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut before = Outcome::default();
    let sources = sources(args, &mut before);
    let mut outcome = pipeline::for_each_discussion(
        &sources,
        &args.parse_options(),
        &mut print_event,
        |_, _| {},
        f,
    )?;
    outcome.failures += before.failures;
    outcome.failed.splice(0..0, before.failed);
    Ok(outcome)
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
}
