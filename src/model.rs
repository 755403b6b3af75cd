//! The data model shared by every stage: what a parser produces.
//!
//! A parser turns one input into one or more [`Document`]s, each an
//! [`Article`] with the [`RawComment`]s read under it and the
//! [`Anomaly`]s met while reading. Fields the source does not carry are
//! `None`, never guessed (issue #2).

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// The article a discussion hangs under: the root of its reply tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Identifier of the discussion, unique within a run (for a text
    /// capture: the file stem).
    pub id: String,
    /// Path of the input the article was read from.
    pub source: String,
    /// Name of the parser that read it (`text`, …).
    pub format: String,
    /// Outlet, when recognised from the content.
    pub outlet: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Publication date (ISO 8601 `YYYY-MM-DD`, or a local date-time
    /// `YYYY-MM-DDTHH:MM:SS` when the source gives a time but no zone).
    pub published: Option<String>,
    /// Author line, without the leading "By".
    pub byline: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Body text with recognised boilerplate removed; paragraphs are
    /// separated by a blank line.
    pub body: String,
}

/// Whether the input held a comment section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentSection {
    /// A comment section was found (it may still be empty).
    Present,
    /// The input has no comment section: not an error.
    #[default]
    Absent,
    /// The page embeds comments that load by JavaScript, so they are not in
    /// the page.
    NotInPage,
}

impl CommentSection {
    /// The name used in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentSection::Present => "present",
            CommentSection::Absent => "absent",
            CommentSection::NotInPage => "not_in_page",
        }
    }
}

/// A comment as read from the source, before the tree is built.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawComment {
    /// Identifier, unique within the discussion when the source is sound.
    /// Sources without ids get position paths (`1`, `1.2`).
    pub id: String,
    /// Identifier of the comment this one replies to; `None` for a reply
    /// to the article.
    pub parent_id: Option<String>,
    /// Author name, when the source carries one.
    pub author: Option<String>,
    /// Time, ISO 8601: in UTC with a `Z` when the source gives the zone,
    /// otherwise local time as written (and [`time_local`](Self::time_local)
    /// is set). `None` when the source carries no time or it could not be
    /// read (then [`time_raw`](Self::time_raw) keeps the text).
    pub time: Option<String>,
    /// The time is local time of an unknown zone.
    pub time_local: bool,
    /// The time as the source wrote it, when it gave one.
    pub time_raw: Option<String>,
    /// Plain text; paragraphs separated by a blank line.
    pub text: String,
    /// Byte ranges of `text` that quote someone else (`<blockquote>`, lines
    /// starting with `>`), so that classifiers can leave them out.
    pub quotes: Vec<Range<usize>>,
    /// What kind of record this is.
    pub kind: CommentKind,
    /// Moderation status as the source gives it (`approved`, `unapproved`,
    /// `spam`, `trash`, `deleted`, `removed`), when it gives one.
    pub status: Option<String>,
    /// The comment was deleted or removed: its text or author may be gone.
    pub deleted: bool,
    /// Written by the article's author, as the source marks it (WordPress `bypostauthor`,
    /// Reddit `is_submitter`, WXR and Disqus by the post author's user id or username);
    /// `None` when the source does not say.
    pub by_post_author: Option<bool>,
    /// 1-based line of the source where the comment starts, for line-based
    /// sources.
    pub line: Option<usize>,
    /// Fields the source carries that have no column of their own (Reddit's `score`,
    /// `subreddit`, `distinguished`; Disqus' `isSpam`; a table's other columns; ConvoKit
    /// utterance meta), as text: nothing the source gave is dropped. The tables write them
    /// in the order of their keys.
    pub extra: Vec<(String, String)>,
}

/// What kind of record a comment is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    /// A reader's comment.
    #[default]
    Comment,
    /// A WordPress pingback (another site linked to the article).
    Pingback,
    /// A WordPress trackback.
    Trackback,
}

impl CommentKind {
    /// The name used in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Comment => "comment",
            CommentKind::Pingback => "pingback",
            CommentKind::Trackback => "trackback",
        }
    }
}

/// What kind of rule an input broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnomalyKind {
    /// Reply numbering skipped a number or restarted at the wrong place.
    NumberingGap,
    /// An item's indentation fits no level of the tree above it.
    BadIndentation,
    /// A comment section with no items.
    EmptySection,
    /// A line in a comment section that belongs to no comment.
    StrayText,
    /// A comment whose parent does not exist; attached to the article.
    Orphan,
    /// A comment whose id was already used in the discussion.
    DuplicateId,
    /// A comment naming itself as parent; attached to the article.
    SelfReply,
    /// A cycle of reply links; broken at one edge.
    Cycle,
    /// Two inputs gave the same discussion id.
    DuplicateArticle,
    /// A comment names a discussion the input does not declare; it is kept
    /// under a discussion of that id.
    UndeclaredThread,
    /// A record that could not be read as a comment (a missing id, a wrong
    /// type); what could be read is kept.
    BadRecord,
    /// The same comment read twice (same id, parent, author, time and text), e.g. from
    /// overlapping pages of an export: counted once, the repeat reported.
    RepeatedRecord,
    /// An HTML page nesting elements deeper than the tree builder follows (512 levels, as
    /// browsers): read with a linear builder that keeps every element and text (#13).
    DeepNesting,
}

impl AnomalyKind {
    /// The name used in tables and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::NumberingGap => "numbering_gap",
            AnomalyKind::BadIndentation => "bad_indentation",
            AnomalyKind::EmptySection => "empty_section",
            AnomalyKind::StrayText => "stray_text",
            AnomalyKind::Orphan => "orphan",
            AnomalyKind::DuplicateId => "duplicate_id",
            AnomalyKind::SelfReply => "self_reply",
            AnomalyKind::Cycle => "cycle",
            AnomalyKind::DuplicateArticle => "duplicate_article",
            AnomalyKind::UndeclaredThread => "undeclared_thread",
            AnomalyKind::BadRecord => "bad_record",
            AnomalyKind::RepeatedRecord => "repeated_record",
            AnomalyKind::DeepNesting => "deep_nesting",
        }
    }
}

/// Something in the input that broke the format's rules. The data it
/// concerns is kept; the anomaly says what was odd about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// What rule was broken.
    pub kind: AnomalyKind,
    /// 1-based source line, when known.
    pub line: Option<usize>,
    /// The comment concerned, when there is one.
    pub comment_id: Option<String>,
    /// A sentence for people.
    pub message: String,
}

/// One article and the comments read under it: a parser's output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The article.
    pub article: Article,
    /// Whether a comment section was found.
    pub section: CommentSection,
    /// Comments in source order.
    pub comments: Vec<RawComment>,
    /// Rule breaks met while parsing.
    pub anomalies: Vec<Anomaly>,
    /// Comments the source says exist but did not include (Reddit's "load
    /// more" and "continue this thread" stubs).
    pub hidden_comments: u64,
    /// Documents with the same key are one discussion split over several
    /// inputs (pages of a paginated API) and are merged before the tree is
    /// built. `None` for a self-contained document.
    pub merge_key: Option<String>,
}
