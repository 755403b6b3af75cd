//! The six tables threadlens exports, and the schema document rendered from them.
//!
//! Every table joins on `article_id`. [`schema_markdown`] renders `docs/schema.md`; a test keeps
//! the two equal.

use std::fmt::Write as _;

use super::DataType::{
    Bool, Category, Cues, Float, FloatList, Int, LocalTimestamp, Str, StrList, StrMap, Timestamp,
};
use super::{ColumnSpec, DataType, SCHEMA_VERSION, TableSpec};

const fn req(name: &'static str, dtype: DataType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, dtype, nullable: false, doc, values: &[] }
}

const fn opt(name: &'static str, dtype: DataType, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, dtype, nullable: true, doc, values: &[] }
}

/// A category column with known values.
const fn cat(
    name: &'static str,
    nullable: bool,
    values: &'static [&'static str],
    doc: &'static str,
) -> ColumnSpec {
    ColumnSpec { name, dtype: Category, nullable, doc, values }
}

/// Values of `articles.format`: the parsers' names (`arrow`: a table handed over in memory,
/// from Python).
const FORMATS: &[&str] = &[
    "text",
    "html",
    "wp-rest-json",
    "reddit-json",
    "hn-json",
    "wxr",
    "disqus-xml",
    "csv",
    "tsv",
    "jsonl",
    "reddit-dump",
    "convokit",
    "arrow",
];
/// Values of `anomalies.kind`.
const ANOMALY_KINDS: &[&str] = &[
    "numbering_gap",
    "bad_indentation",
    "empty_section",
    "stray_text",
    "orphan",
    "duplicate_id",
    "self_reply",
    "cycle",
    "duplicate_article",
    "undeclared_thread",
    "bad_record",
    "repeated_record",
    "deep_nesting",
];

/// The conversation-dynamics columns (`threadlens::dynamics`, `docs/metrics.md`), last in
/// `articles` (of the discussion) and `threads` (of the thread alone).
const DYNAMICS: [ColumnSpec; 11] = [
    opt(
        "replies_after_uncivil",
        Int,
        "Escalation: scored replies to comments rated uncivil; null without an incivility \
         model (`docs/metrics.md`).",
    ),
    opt(
        "uncivil_after_uncivil",
        Float,
        "Escalation: share of those replies rated uncivil; null when there are none.",
    ),
    opt(
        "replies_after_civil",
        Int,
        "Escalation: scored replies to comments rated civil; null without an incivility model.",
    ),
    opt(
        "uncivil_after_civil",
        Float,
        "Escalation: share of those replies rated uncivil; null when there are none.",
    ),
    opt(
        "opening_incivility",
        Float,
        "Mean incivility probability of the scored comments among the first 10 (by time \
         when every comment has a UTC time, else in source order); null when none was \
         scored.",
    ),
    opt(
        "later_uncivil_share",
        Float,
        "Share of the scored comments after the first 10 rated uncivil; null when there \
         are none.",
    ),
    opt(
        "reentry_share",
        Float,
        "Share of the known authors who commented again after someone else had commented \
         since their previous comment; null without known authors.",
    ),
    opt(
        "first_comment_seconds",
        Float,
        "Seconds from publication to the first comment, when both are UTC instants.",
    ),
    opt(
        "median_reply_seconds",
        Float,
        "Median seconds from a comment to a reply to it (`edges.latency_seconds`); null \
         without any.",
    ),
    opt(
        "first_hour_share",
        Float,
        "Share of the comments with a UTC time posted within an hour of publication; null \
         without a UTC publication time or comment times.",
    ),
    opt(
        "post_author_comments",
        Int,
        "Comments marked as the article author's (`comments.by_post_author`); null when \
         the source marks none either way.",
    ),
];

/// `head` followed by `tail`.
const fn concat<const A: usize, const B: usize, const N: usize>(
    head: &[ColumnSpec; A],
    tail: &[ColumnSpec; B],
) -> [ColumnSpec; N] {
    assert!(A + B == N && B > 0);
    let mut out = [tail[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = head[i];
        i += 1;
    }
    while i < N {
        out[i] = tail[i - A];
        i += 1;
    }
    out
}

/// The columns of `articles` before the conversation dynamics.
const ARTICLE_COLUMNS_BASE: [ColumnSpec; 45] = [
    req("article_id", Str, "Identifier of the discussion, unique within a run; joins all tables."),
    req("source", Str, "Path of the input file the discussion was read from."),
    cat("format", false, FORMATS, "Parser that read the file, e.g. `text`."),
    opt(
        "outlet",
        Category,
        "News outlet that published the article; null when the source does not say.",
    ),
    opt("title", Str, "Headline of the article; null when the source carries none."),
    opt(
        "published",
        Timestamp,
        "Publication time, an instant in UTC, when the source gives the time and its zone; \
             null otherwise (see `published_local` and `published_raw`).",
    ),
    opt(
        "published_local",
        LocalTimestamp,
        "Publication time as the wall clock showed it, when the source gives a time but not \
             its zone (a date alone is its midnight); null otherwise.",
    ),
    opt(
        "published_raw",
        Str,
        "Publication time as read from the source: an ISO 8601 instant (`…Z`), local \
             date-time or date; null when the source carries none.",
    ),
    opt("byline", Str, "Author line of the article as printed; null when the source carries none."),
    opt("url", Str, "Address of the article; null when the source carries none."),
    req(
        "body_chars",
        Int,
        "Characters (Unicode scalar values) of the article body after boilerplate removal.",
    ),
    cat(
        "comment_section",
        false,
        &["present", "absent", "not_in_page"],
        "`present` (a comment section was found and read), `absent` (the page has no comment \
             section, e.g. comments are switched off) or `not_in_page` (the article has comments \
             but the captured page does not contain them).",
    ),
    opt(
        "language",
        Category,
        "Language of the discussion (ISO 639-1): the article's title and lede when whatlang \
             tells it reliably, else the language most of its comments are in; null when \
             neither tells it or the run scored nothing. Comments whose own language cannot be \
             told are scored as in this language.",
    ),
    opt(
        "unsupported_language_comments",
        Int,
        "Comments with text not scored for incivility because no model of the run covers \
             their language (`comments.score_status` = `unsupported_language`); null when the \
             run used no incivility model.",
    ),
    req("comments", Int, "Comments read for the article (its rows in `comments`)."),
    req(
        "hidden_comments",
        Int,
        "Comments the source said exist but did not include (Reddit's \"load more\" and \
             \"continue this thread\" stubs); 0 for other sources.",
    ),
    req("threads", Int, "Top-level comments, each starting one thread (its rows in `threads`)."),
    req(
        "max_depth",
        Int,
        "Depth of the deepest comment (top-level = 1); 0 when there are no comments.",
    ),
    opt(
        "mean_depth",
        Float,
        "Mean depth over all comments (top-level = 1); null when there are no comments.",
    ),
    req(
        "max_width",
        Int,
        "Largest number of comments at any one depth; 0 when there are no comments.",
    ),
    req("leaves", Int, "Comments without replies."),
    opt(
        "branching_factor",
        Float,
        "Mean number of direct replies per comment that has replies; null when no comment has replies.",
    ),
    opt(
        "reply_share",
        Float,
        "Share of comments that are replies (depth >= 2); null when there are no comments.",
    ),
    req(
        "h_index",
        Int,
        "Discussion h-index (Gómez et al. 2008): the largest h such that at least h comments \
             sit at depth h; 0 when there are no comments.",
    ),
    opt(
        "structural_virality",
        Float,
        "Mean shortest-path distance between all pairs of nodes of the reply tree with the \
             article as root (Goel et al. 2016); null when there are no comments.",
    ),
    opt("authors", Int, "Distinct comment authors; null when the source carries no authors."),
    opt(
        "max_comments_per_author",
        Int,
        "Most comments written by any one author; null when the source carries no authors.",
    ),
    opt(
        "author_gini",
        Float,
        "Gini coefficient of comments per author (0 = every author wrote equally many); null \
             when the source carries no authors.",
    ),
    opt(
        "reciprocity",
        Float,
        "Share of author pairs (A replied to B, A != B) where B also replied to A; null when \
             the source carries no authors or no author replied to another.",
    ),
    opt(
        "back_and_forth",
        Int,
        "Replies by the author of the comment two levels up (A -> B -> A exchanges); null \
             when the source carries no authors.",
    ),
    req("anomalies", Int, "Anomalies reported for the discussion (its rows in `anomalies`)."),
    opt(
        "scored_comments",
        Int,
        "Comments given an incivility score (reader comments with text); null when the run \
             used no incivility model.",
    ),
    opt(
        "uncivil_comments",
        Int,
        "Scored comments at or above the incivility model's threshold (`comments.uncivil`); \
             null when the run used no incivility model.",
    ),
    opt(
        "uncivil_share",
        Float,
        "`uncivil_comments / scored_comments`; null when nothing was scored.",
    ),
    opt(
        "incivility_mean",
        Float,
        "Mean incivility probability of the scored comments: the expected share of uncivil \
             comments; null when nothing was scored.",
    ),
    opt(
        "uncivil_share_by_depth",
        FloatList,
        "Share of scored comments that are uncivil at each depth: item 0 is depth 1 \
             (top level), item 1 depth 2, and so on; NaN (null in CSV/JSONL) for a depth with \
             no scored comment; null when the run used no incivility model.",
    ),
    opt(
        "disagree_share",
        Float,
        "Share of replies (not top-level comments) with a stance that disagree with the \
             comment they reply to; null when there are none or the run used no stance model.",
    ),
    opt(
        "agree_share",
        Float,
        "Share of replies with a stance that agree with the comment they reply to; null \
             when there are none or the run used no stance model.",
    ),
    opt(
        "with_article_share",
        Float,
        "Share of comments with a stance whose side is `with_article`; null when there are \
             none or the run used no stance model.",
    ),
    opt(
        "against_article_share",
        Float,
        "Share of comments with a stance whose side is `against_article`; null as for \
             `with_article_share`.",
    ),
    opt(
        "unclear_share",
        Float,
        "Share of comments with a stance whose side is `unclear`; null as for \
             `with_article_share`.",
    ),
    opt(
        "longest_disagreement_chain",
        Int,
        "Longest run of replies down one path of the tree each disagreeing with the comment \
             it replies to; null when the run used no stance model.",
    ),
    opt(
        "incivility_disagree",
        Float,
        "Mean incivility of comments that disagree with their target; null when none do or \
             a model is missing.",
    ),
    opt(
        "incivility_neutral",
        Float,
        "Mean incivility of comments neutral to their target; null when none are or a model \
             is missing.",
    ),
    opt(
        "incivility_agree",
        Float,
        "Mean incivility of comments that agree with their target; null when none do or a \
             model is missing.",
    ),
];

const ARTICLE_COLUMNS: [ColumnSpec; 45 + 11] = concat(&ARTICLE_COLUMNS_BASE, &DYNAMICS);

/// One row per discussion: the article, where it was read from, and its discussion's shape.
pub static ARTICLES: TableSpec = TableSpec {
    name: "articles",
    doc: "One row per discussion: the article, the file it was read from, and the shape of its \
          reader-comment discussion.",
    columns: &ARTICLE_COLUMNS,
};

/// The columns of `threads` before the conversation dynamics.
const THREAD_COLUMNS_BASE: [ColumnSpec; 31] = [
    req("article_id", Str, "Discussion the thread belongs to (`articles.article_id`)."),
    req("thread_id", Str, "`comment_id` of the thread's top-level comment."),
    req("position", Int, "1-based order of the thread under the article."),
    req("comments", Int, "Comments in the thread, the top-level comment included."),
    req("max_depth", Int, "Depth of the deepest comment in the thread (top-level = 1)."),
    opt("mean_depth", Float, "Mean depth over the thread's comments (top-level = 1)."),
    req("max_width", Int, "Largest number of the thread's comments at any one depth."),
    req("leaves", Int, "Comments in the thread without replies."),
    opt(
        "branching_factor",
        Float,
        "Mean number of direct replies per comment that has replies; null when the thread has no replies.",
    ),
    opt("reply_share", Float, "Share of the thread's comments that are replies (depth >= 2)."),
    req(
        "h_index",
        Int,
        "Thread h-index (Gómez et al. 2008): the largest h such that at least h of the \
             thread's comments sit at depth h.",
    ),
    opt(
        "structural_virality",
        Float,
        "Mean shortest-path distance between all pairs of comments of the thread (Goel et al. \
             2016); null when the thread is a single comment.",
    ),
    opt("authors", Int, "Distinct authors in the thread; null when the source carries no authors."),
    opt(
        "max_comments_per_author",
        Int,
        "Most comments by any one author in the thread; null when the source carries no authors.",
    ),
    opt(
        "author_gini",
        Float,
        "Gini coefficient of comments per author in the thread; null when the source carries no authors.",
    ),
    opt(
        "reciprocity",
        Float,
        "Share of author pairs (A replied to B, A != B) where B also replied to A; null when \
             the source carries no authors or no author replied to another.",
    ),
    opt(
        "back_and_forth",
        Int,
        "Replies by the author of the comment two levels up (A -> B -> A exchanges); null \
             when the source carries no authors.",
    ),
    opt(
        "scored_comments",
        Int,
        "Comments given an incivility score (reader comments with text); null when the run \
             used no incivility model.",
    ),
    opt(
        "uncivil_comments",
        Int,
        "Scored comments at or above the incivility model's threshold (`comments.uncivil`); \
             null when the run used no incivility model.",
    ),
    opt(
        "uncivil_share",
        Float,
        "`uncivil_comments / scored_comments`; null when nothing was scored.",
    ),
    opt(
        "incivility_mean",
        Float,
        "Mean incivility probability of the scored comments: the expected share of uncivil \
             comments; null when nothing was scored.",
    ),
    opt(
        "uncivil_share_by_depth",
        FloatList,
        "Share of scored comments that are uncivil at each depth: item 0 is depth 1 \
             (top level), item 1 depth 2, and so on; NaN (null in CSV/JSONL) for a depth with \
             no scored comment; null when the run used no incivility model.",
    ),
    opt(
        "disagree_share",
        Float,
        "Share of replies (not top-level comments) with a stance that disagree with the \
             comment they reply to; null when there are none or the run used no stance model.",
    ),
    opt(
        "agree_share",
        Float,
        "Share of replies with a stance that agree with the comment they reply to; null \
             when there are none or the run used no stance model.",
    ),
    opt(
        "with_article_share",
        Float,
        "Share of comments with a stance whose side is `with_article`; null when there are \
             none or the run used no stance model.",
    ),
    opt(
        "against_article_share",
        Float,
        "Share of comments with a stance whose side is `against_article`; null as for \
             `with_article_share`.",
    ),
    opt(
        "unclear_share",
        Float,
        "Share of comments with a stance whose side is `unclear`; null as for \
             `with_article_share`.",
    ),
    opt(
        "longest_disagreement_chain",
        Int,
        "Longest run of replies down one path of the tree each disagreeing with the comment \
             it replies to; null when the run used no stance model.",
    ),
    opt(
        "incivility_disagree",
        Float,
        "Mean incivility of comments that disagree with their target; null when none do or \
             a model is missing.",
    ),
    opt(
        "incivility_neutral",
        Float,
        "Mean incivility of comments neutral to their target; null when none are or a model \
             is missing.",
    ),
    opt(
        "incivility_agree",
        Float,
        "Mean incivility of comments that agree with their target; null when none do or a \
             model is missing.",
    ),
];

const THREAD_COLUMNS: [ColumnSpec; 31 + 11] = concat(&THREAD_COLUMNS_BASE, &DYNAMICS);

/// One row per thread: a top-level comment and all replies below it.
pub static THREADS: TableSpec = TableSpec {
    name: "threads",
    doc: "One row per thread: a top-level comment and all replies below it. Depths count from the \
          article (the top-level comment has depth 1).",
    columns: &THREAD_COLUMNS,
};

/// One row per comment read.
pub static COMMENTS: TableSpec = TableSpec {
    name: "comments",
    doc: "One row per comment read, in source order, with its place in the reply tree and the \
          repairs made to that tree.",
    columns: &[
        req("article_id", Str, "Discussion the comment belongs to (`articles.article_id`)."),
        req(
            "comment_id",
            Str,
            "Identifier of the comment, from the source or assigned when it has none.",
        ),
        opt(
            "parent_id",
            Str,
            "`comment_id` of the comment replied to; null = replies to the article (top-level, or \
             attached to the article by a repair).",
        ),
        req(
            "root_id",
            Str,
            "`comment_id` of the top-level comment of its thread (`threads.thread_id`).",
        ),
        req("depth", Int, "Depth in the reply tree: top-level = 1, a reply to it = 2, and so on."),
        req("position", Int, "1-based order among the comments with the same parent."),
        opt("author", Str, "Author name as shown; null when the source carries none."),
        opt(
            "time",
            Timestamp,
            "Posting time, an instant in UTC, when the source gives the time and its zone; null \
             otherwise (see `time_local` and `time_raw`).",
        ),
        opt(
            "time_local",
            LocalTimestamp,
            "Posting time as the wall clock showed it, when the source gives a time but not its \
             zone (so it is not turned into UTC); null otherwise.",
        ),
        opt("time_raw", Str, "The time exactly as the source wrote it; null when it gave none."),
        cat(
            "kind",
            false,
            &["comment", "pingback", "trackback"],
            "`comment`, `pingback` or `trackback`.",
        ),
        opt(
            "status",
            Category,
            "Moderation status as the source gives it (`approved`, `unapproved`, `spam`, `trash`, \
             `deleted`, `removed`); null when the source carries none.",
        ),
        req("deleted", Bool, "The comment was deleted or removed; its text or author may be gone."),
        opt(
            "by_post_author",
            Bool,
            "Written by the article's author, as the source marks it (WordPress pages' \
             `bypostauthor`, Reddit `is_submitter`) or shows it (WXR: the comment's \
             `wp:comment_user_id` is the id of the post's `dc:creator` among the channel's \
             `wp:author`s; Disqus: the post's author username is the thread's); null when the \
             source does not say.",
        ),
        req(
            "text",
            Str,
            "Plain text of the comment; paragraphs separated by a blank line, HTML removed and \
             entities decoded.",
        ),
        req(
            "quoted_chars",
            Int,
            "Characters of `text` that quote someone else (blockquotes, lines starting with `>`).",
        ),
        req("children", Int, "Direct replies to the comment."),
        req("subtree_size", Int, "The comment plus all replies below it."),
        opt(
            "line",
            Int,
            "1-based line in the source file where the comment starts; null when the source is \
             not line-based.",
        ),
        opt(
            "extra",
            StrMap,
            "Fields the source carries that have no column of their own, as text keyed by the \
             source's name, in key order: Reddit `subreddit`, `score`, `distinguished`, \
             `author_flair_text`, `edited`, `stickied`, `controversiality`, `gilded`, \
             `retrieved_on`; Disqus `isSpam`, `isDeleted`, `username`; a table's other columns \
             (all, or those `--keep-col` names); a ConvoKit utterance's meta (strings as they \
             are, other values as JSON). Null when there are none.",
        ),
        req("orphan", Bool, "The parent id was not found; the comment is attached to the article."),
        req("duplicate", Bool, "The comment id was seen before in this discussion."),
        req(
            "cycle",
            Bool,
            "The reply link was broken to end a cycle; the comment is attached to the article.",
        ),
        req(
            "self_reply",
            Bool,
            "The comment named itself as parent; it is attached to the article.",
        ),
        opt(
            "language",
            Category,
            "Language of the comment's text (ISO 639-1, by whatlang), when it tells it reliably; \
             null for text too short or mixed to tell (most comments under 30 characters), \
             which is then scored as in the discussion's language (`articles.language`).",
        ),
        cat(
            "score_status",
            false,
            &["scored", "no_text", "not_a_comment", "unsupported_language", "no_model"],
            "Why `incivility` has a value or is null: `scored` (by the model of the comment's \
             language: `models/incivility.md` for English, `models/incivility-de.md` for \
             German); `no_text` (deleted, removed or empty); `not_a_comment` (a pingback or \
             trackback); `unsupported_language` (no model of the run covers its language); \
             `no_model` (the run has no incivility model).",
        ),
        opt(
            "incivility",
            Float,
            "Calibrated probability that the comment is uncivil (incivility model of its \
             language); quoted text is left out. Null when not scored: see `score_status`.",
        ),
        opt(
            "uncivil",
            Bool,
            "`incivility` is at or above the model's decision threshold; null when not scored.",
        ),
        opt(
            "incivility_forms",
            StrList,
            "Forms of incivility whose cue lexicon matched outside quoted text: `name_calling`, \
             `aspersion`, `lying_accusation`, `vulgarity`, `pejorative_speech`, \
             `identity_attack`, `threat`; empty when none; null when not scored.",
        ),
        opt(
            "incivility_cues",
            Cues,
            "The spans behind the score: `start`/`end` in characters of `text` (end exclusive), \
             `label` (the form whose lexicon matched — an insult or vulgar word without its \
             address: `prick`, not `you prick` —, `word` for a word people mark as toxic in \
             news comments (`models/spans/toxic-words-en.txt`; German: \
             `toxic-words-de.txt`), or `model` for an \
             n-gram adding at least 0.5 to the log-odds, 1.0 for the German model), the span's `text` and `weight` (its \
             contribution to the log-odds); at most the 50 strongest, listed by position (see \
             `incivility_more_cues`); null when not scored.",
        ),
        opt(
            "incivility_more_cues",
            Int,
            "Cues found beyond the 50 listed in `incivility_cues` (all weaker than those): \
             counted, not listed; 0 for nearly every comment; null when not scored.",
        ),
        cat(
            "stance_status",
            false,
            &[
                "scored",
                "no_text",
                "not_a_comment",
                "unsupported_language",
                "no_model",
                "no_target",
            ],
            "Why `stance` has a value or is null: as `score_status` (the stance model reads \
             English only), and `no_target` when what it replies to has no text (a deleted \
             parent; an article without title or body).",
        ),
        cat(
            "stance",
            true,
            &["disagree", "neutral", "agree"],
            "Relation to what the comment replies to (its parent comment; for a top-level \
             comment, the article's title and lede): `disagree`, `neutral` or `agree` (stance \
             model, `models/stance.md`). Null when not scored or there is no target text.",
        ),
        opt("stance_disagree", Float, "Probability of `disagree`; null with `stance`."),
        opt("stance_neutral", Float, "Probability of `neutral`; null with `stance`."),
        opt("stance_agree", Float, "Probability of `agree`; null with `stance`."),
        cat(
            "side",
            true,
            &["with_article", "against_article", "unclear"],
            "Position relative to the article: `with_article`, `against_article` or `unclear`, \
             from the relations on the path from the article (agreeing keeps a side, \
             disagreeing flips it; a neutral link, a link below 0.4 confidence or a comment \
             without a stance makes it unclear). Null when the run used no stance model or \
             the comment was not scored.",
        ),
        opt(
            "side_confidence",
            Float,
            "Product of the relation probabilities on the path from the article; null when the \
             side is unclear.",
        ),
    ],
};

/// One row per anomaly reported while reading a discussion.
pub static ANOMALIES: TableSpec = TableSpec {
    name: "anomalies",
    doc: "One row per anomaly reported while reading or repairing a discussion.",
    columns: &[
        req("article_id", Str, "Discussion the anomaly was found in (`articles.article_id`)."),
        req("source", Str, "Path of the input file (`articles.source`)."),
        opt(
            "line",
            Int,
            "1-based line in the source file; null when the source is not line-based or the anomaly has no line.",
        ),
        opt(
            "comment_id",
            Str,
            "Comment concerned (`comments.comment_id`); null when the anomaly concerns no single comment.",
        ),
        cat(
            "kind",
            false,
            ANOMALY_KINDS,
            "Kind of anomaly, e.g. `numbering_gap`, `orphan`, `duplicate_id`, `cycle`, \
             `self_reply`, `bad_indentation`, `empty_section`, `stray_text`, `repeated_record`.",
        ),
        req("message", Str, "Human-readable description of the anomaly."),
    ],
};

/// One row per reply to a comment: who answered whom, how.
pub static EDGES: TableSpec = TableSpec {
    name: "edges",
    doc: "One row per reply to a comment (a comment whose parent is a comment, not the \
          article): the reply, what it replies to, and how.",
    columns: &[
        req("article_id", Str, "Discussion (`articles.article_id`)."),
        req("comment_id", Str, "The reply (`comments.comment_id`)."),
        req("parent_id", Str, "The comment replied to (`comments.comment_id`)."),
        opt("author", Str, "Author of the reply; null when unknown."),
        opt("parent_author", Str, "Author of the comment replied to; null when unknown."),
        req("depth", Int, "Depth of the reply (a reply to a top-level comment is at 2)."),
        cat(
            "stance",
            true,
            &["disagree", "neutral", "agree"],
            "The reply's relation to the comment it replies to (`comments.stance`); null when \
             not scored.",
        ),
        opt("incivility", Float, "Incivility probability of the reply; null when not scored."),
        opt(
            "parent_incivility",
            Float,
            "Incivility probability of the comment replied to; null when not scored.",
        ),
        opt(
            "latency_seconds",
            Float,
            "Seconds from the comment replied to until the reply, when both times are known \
             instants (UTC) or both wall-clock times of the source; null otherwise.",
        ),
        req(
            "quotes_parent",
            Bool,
            "The reply quotes the comment it replies to: a quoted passage of the reply (a \
             `<blockquote>`, lines starting with `>`) of 8 characters or more, its spaces \
             evened out, appears in the parent's text.",
        ),
    ],
};

/// One row per ordered pair of authors within a discussion.
pub static INTERACTIONS: TableSpec = TableSpec {
    name: "interactions",
    doc: "One row per ordered pair of known authors within a discussion in which the first \
          replied to the second (from `edges`; replies with an unknown author on either side \
          are left out). With `analyse --corpus-pairs` (Python: `corpus_pairs=True`) one row \
          per ordered pair over the whole corpus instead: `article_id` is null, `discussions` \
          counts the discussions the replies were in, and authors are matched by name across \
          discussions.",
    columns: &[
        opt(
            "article_id",
            Str,
            "Discussion (`articles.article_id`); null in corpus-wide rows (`--corpus-pairs`).",
        ),
        req("author", Str, "Who replied."),
        req("parent_author", Str, "To whom (the same as `author` for replies to oneself)."),
        req(
            "discussions",
            Int,
            "Discussions in which `author` replied to `parent_author`: 1 in per-discussion rows.",
        ),
        req("replies", Int, "Replies from `author` to comments of `parent_author`."),
        opt(
            "disagree",
            Int,
            "Of them, replies whose stance is `disagree`; null without a stance model.",
        ),
        opt(
            "neutral",
            Int,
            "Of them, replies whose stance is `neutral`; null without a stance model.",
        ),
        opt("agree", Int, "Of them, replies whose stance is `agree`; null without a stance model."),
        opt(
            "uncivil",
            Int,
            "Of them, replies rated uncivil (`comments.uncivil`); null without an incivility model.",
        ),
        opt(
            "first_time",
            Timestamp,
            "Time of the first of these replies, UTC; null when none has a UTC time.",
        ),
        opt(
            "last_time",
            Timestamp,
            "Time of the last of these replies, UTC; null when none has a UTC time.",
        ),
        req(
            "reciprocated",
            Bool,
            "`parent_author` also replied to `author` in this discussion (in corpus-wide rows: in \
             any discussion); false for replies to oneself.",
        ),
    ],
};

/// The `comments` table with two more columns per user target model (`analyse --model
/// my_target.json`): `<name>`, the label (a category), and `<name>_confidence`, its
/// probability. The same names always give the same spec (built once, kept for the run).
///
/// # Panics
/// If a name clashes with a `comments` column or another name.
pub fn comments_with_targets(names: &[String]) -> &'static TableSpec {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    if names.is_empty() {
        return &COMMENTS;
    }
    static SPECS: OnceLock<Mutex<HashMap<Vec<String>, &'static TableSpec>>> = OnceLock::new();
    let specs = SPECS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut specs = specs.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(spec) = specs.get(names) {
        return spec;
    }
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut columns: Vec<ColumnSpec> = COMMENTS.columns.to_vec();
    for name in names {
        let label = leak(name.clone());
        let conf = leak(format!("{name}_confidence"));
        for new in [label, conf] {
            assert!(columns.iter().all(|c| c.name != new), "column `{new}` exists already");
        }
        columns.push(opt(
            label,
            Category,
            leak(format!(
                "Label of the user's target model `{name}` (its classes); null when the \
                 comment was not scored."
            )),
        ));
        columns.push(opt(conf, Float, leak(format!("Probability of the `{name}` label."))));
    }
    let spec: &'static TableSpec = Box::leak(Box::new(TableSpec {
        name: COMMENTS.name,
        doc: COMMENTS.doc,
        columns: Box::leak(columns.into_boxed_slice()),
    }));
    specs.insert(names.to_vec(), spec);
    spec
}

/// The exported tables, from coarse to fine: articles, threads, comments, anomalies.
pub static TABLES: [&TableSpec; 6] =
    [&ARTICLES, &THREADS, &COMMENTS, &ANOMALIES, &EDGES, &INTERACTIONS];

/// Renders the schema document (`docs/schema.md`) from [`TABLES`].
///
/// ```
/// let md = threadlens::export::schema_markdown();
/// assert!(md.contains("| `depth` | int64 | no |"));
/// ```
pub fn schema_markdown() -> String {
    let mut md = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut md);
    md
}

fn write_markdown(md: &mut String) -> std::fmt::Result {
    writeln!(md, "# threadlens export schema")?;
    writeln!(md)?;
    writeln!(
        md,
        "<!-- Generated from src/export/schema.rs by `schema_markdown()`; do not edit. \
         Regenerate with `THREADLENS_BLESS=1 cargo test --lib schema_doc_is_current`. -->"
    )?;
    writeln!(md)?;
    writeln!(md, "Schema version: **{SCHEMA_VERSION}**")?;
    writeln!(md)?;
    let names: Vec<String> = TABLES.iter().map(|t| format!("`{}`", t.name)).collect();
    writeln!(
        md,
        "A run writes one file per table, `<table>.<ext>` in the output directory: {}. \
         All tables join on `article_id`.",
        names.join(", ")
    )?;
    writeln!(md)?;
    writeln!(md, "## Formats")?;
    writeln!(md)?;
    writeln!(
        md,
        "- **Parquet** (`.parquet`, the default): snappy compressed, with the types and \
         nullability below. The file's key-value metadata holds `threadlens.schema_version` and \
         `threadlens.table`, and from `analyse` also `threadlens.version` (the version that \
         wrote it) and `threadlens.scores`, JSON naming the models behind the score columns \
         (per model: `column`, `task`, `trained_with`, `classes`, `features`, `threshold`, \
         `class_bias`) and `side_min_link_confidence`; the embedded Arrow schema holds each \
         column's meaning under the field metadata key `doc`, and a category's known values \
         (a JSON array) under `values`: a Parquet dictionary holds only the values present, \
         so use these to give every file and shard the same categories."
    )?;
    writeln!(
        md,
        "- **CSV** (`.csv`): a header row of column names, then one row per record. Nulls are \
         empty fields, so a null and an empty string read back the same. Floats are written in \
         the shortest form that reads back exactly (`0.1`, `2`, `0.0000001`); bools as \
         `true`/`false`; text with commas, quotes or line breaks is quoted."
    )?;
    writeln!(
        md,
        "- **JSONL** (`.jsonl`): one JSON object per row, keys in column order. Nulls are \
         `null`. JSON has no NaN or infinity, so such floats are written as `null`."
    )?;
    writeln!(
        md,
        "- **ConvoKit** (`--format convokit`): instead of the tables, a corpus folder that \
         `convokit.Corpus(filename=DIR)` loads: `utterances.jsonl`, `conversations.json`, \
         `speakers.json`, `corpus.json` (the run's manifest, with `threadlens_version`) and \
         `index.json` (every meta field with its Python types, `\"<class 'float'>\"`). A \
         discussion is a conversation whose id is its `article_id`; its root utterance (same \
         id, `reply_to` null) stands for the article: the body as text, the byline as speaker, \
         meta `{{\"threadlens_article\": true, \"article_id\": …}}`. Each comment is an \
         utterance `<article_id>/<comment_id>` (`/` and `%` inside a part written `%2F` and \
         `%25`; a repeated comment id gets `/2`, `/3`, …) whose `reply_to` is its parent's \
         utterance, or the root for a top-level comment, as in `parent_id` (repairs \
         included); its meta is its `comments` row without `text` (every column above, score \
         and target columns included). The speaker is the author, or `[unknown]` when there \
         is none (ConvoKit needs one). `timestamp` is Unix seconds when every comment of the \
         discussion has a `time` (the root: `published` when it is an instant, else the \
         earliest comment's); otherwise the position in the conversation (root 0, comments 1, \
         2, … in source order), since ConvoKit sorts by it and a local or missing time is not \
         made an instant. A conversation's meta is its `articles` row, plus `thread_metrics` \
         (its `threads` rows without `article_id`, in order) and `timestamps` (`unix` or \
         `order`). Each speaker has empty meta. `threadlens analyse DIR` reads the corpus \
         back with the same trees."
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "Types beyond text, numbers and bools: a `category` is text with few distinct values, \
         dictionary-encoded in Parquet (pandas reads it as `category`), plain text in CSV and \
         JSONL. `timestamp[us, UTC]` is an instant, written `2023-09-24T08:12:00Z` in CSV and \
         JSONL; `timestamp[us]` is a wall-clock time of an unknown zone, written without the \
         `Z`. Lists (`list<string>`, `list<float64>`, and cue lists \
         `list<struct<start, end, label, text, weight>>`) are Parquet lists and JSON arrays in \
         JSONL; in CSV a list is its compact JSON text (`[\"a\",\"b\"]`, `[]` for an empty \
         list, an empty field for null), which `json.loads` reads back."
    )?;
    for table in TABLES {
        writeln!(md)?;
        writeln!(md, "## `{}`", table.name)?;
        writeln!(md)?;
        writeln!(md, "{}", table.doc)?;
        writeln!(md)?;
        writeln!(md, "| column | type | nullable | meaning |")?;
        writeln!(md, "|---|---|---|---|")?;
        for col in table.columns {
            writeln!(
                md,
                "| `{}` | {} | {} | {} |",
                col.name,
                if col.values.is_empty() {
                    col.dtype.type_name().to_string()
                } else {
                    format!("{} ({})", col.dtype.type_name(), col.values.join(", "))
                },
                if col.nullable { "yes" } else { "no" },
                col.doc.replace('|', "\\|")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn doc_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs").join("schema.md")
    }

    #[test]
    fn schema_doc_is_current() {
        let expected = schema_markdown();
        let path = doc_path();
        if std::env::var_os("THREADLENS_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{} is out of date with src/export/schema.rs; regenerate it with \
             `THREADLENS_BLESS=1 cargo test --lib schema_doc_is_current`",
            path.display()
        );
    }

    #[test]
    fn every_input_format_is_a_listed_format_value() {
        for f in crate::parse::Format::ALL {
            assert!(FORMATS.contains(&f.name()), "{} missing from FORMATS", f.name());
        }
    }

    #[test]
    fn column_counts_and_order() {
        let names = |t: &TableSpec| t.columns.iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(ARTICLES.columns.len(), 56);
        assert_eq!(THREADS.columns.len(), 42);
        assert_eq!(COMMENTS.columns.len(), 38);
        assert_eq!(
            names(&ANOMALIES),
            ["article_id", "source", "line", "comment_id", "kind", "message"]
        );
        for table in TABLES {
            assert_eq!(table.columns[0].name, "article_id", "table {}", table.name);
            assert!(super::super::check_spec(table).is_ok(), "table {}", table.name);
            for col in table.columns {
                assert!(col.doc.ends_with('.'), "doc of {}.{}", table.name, col.name);
                assert!(!col.doc.contains('\n'), "doc of {}.{}", table.name, col.name);
            }
        }
    }

    #[test]
    fn markdown_shows_version_types_and_nullability() {
        let md = schema_markdown();
        assert!(md.contains(&format!("Schema version: **{SCHEMA_VERSION}**")));
        assert!(md.contains("| `mean_depth` | float64 | yes |"));
        assert!(md.contains("| `orphan` | bool | no |"));
        assert!(md.contains("| `parent_id` | string | yes |"));
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## `")).collect();
        assert_eq!(
            headings,
            [
                "## `articles`",
                "## `threads`",
                "## `comments`",
                "## `anomalies`",
                "## `edges`",
                "## `interactions`"
            ]
        );
    }
}
