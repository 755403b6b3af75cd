//! Labelled data for training and evaluation: the public datasets in `../shared/data`
//! (recognised by file name, with a documented label rule each) and any CSV/TSV/JSONL file
//! with a text column and a label column.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::model::Task;
use super::text::feature_hash;

/// One labelled example.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Example {
    /// The comment.
    pub text: String,
    /// What it replies to (stance data), if known.
    pub target: Option<String>,
    /// Class index.
    pub label: usize,
    /// Rows with the same group always land in the same split (same article, same thread,
    /// same text).
    pub group: String,
    /// Byte ranges of `text` quoting someone else (lines starting with `>`), left out of the
    /// features as `analyse` leaves them out.
    pub quotes: Vec<std::ops::Range<usize>>,
    /// 1-based line of the file where the row starts (0 when unknown).
    pub line: u64,
    /// Where the pair sits in its discussion, when the file says (DEBAGREEMENT): for
    /// leave-one-topic-out validation and the reply-tree features of [`super::context`].
    pub thread: Option<Box<ThreadInfo>>,
}

/// A labelled pair's place in its Reddit discussion.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThreadInfo {
    /// The topic: the subreddit.
    pub topic: String,
    /// The submission (thread) id.
    pub submission: String,
    /// The parent comment's id.
    pub parent_id: String,
    /// The reply's id.
    pub child_id: String,
    /// The parent comment's author.
    pub parent_author: String,
    /// The reply's author.
    pub child_author: String,
    /// When the reply was posted (Unix seconds; 0 when unknown).
    pub time: i64,
}

/// The topic of an example of dataset `dataset` for leave-one-topic-out validation: its
/// subreddit when the file gives one (DEBAGREEMENT), else the dataset's name.
pub fn topic_of(dataset: &str, ex: &Example) -> String {
    match &ex.thread {
        Some(t) if !t.topic.is_empty() => format!("{dataset} r/{}", t.topic),
        _ => dataset.to_string(),
    }
}

impl Example {
    /// The model input of the example: its text without quoted lines, and its target.
    pub fn input(&self) -> super::features::Input<'_> {
        super::features::Input {
            text: &self.text,
            quotes: &self.quotes,
            target: self.target.as_deref(),
            ..Default::default()
        }
    }
}

/// A labelled dataset read from one file.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Short name (`c3`, `reddit`, … or the file stem).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// How labels were made from the file's columns.
    pub labels: String,
    /// Class names.
    pub classes: Vec<String>,
    /// The examples.
    pub examples: Vec<Example>,
}

/// Which columns of a generic file hold what.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Text column (default: `text`, `comment_text`, `body`, `comment`, `response_text`).
    pub text: Option<String>,
    /// Label column (default: `label`, `class`, `relation`, `stance`).
    pub label: Option<String>,
    /// Target (parent) text column, for stance (default: `parent_text`, `target`, `parent`,
    /// `body_parent`, `quote_text`).
    pub target: Option<String>,
    /// Group column: rows sharing it stay in one split (default: none, the text).
    pub group: Option<String>,
}

/// Why labelled data could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
pub struct DataError {
    /// The file.
    pub path: String,
    /// The line (1-based), where one applies.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
}

fn err(path: &Path, line: Option<u64>, message: impl Into<String>) -> DataError {
    DataError { path: path.display().to_string(), line, message: message.into() }
}

/// The default classes of a task.
pub fn default_classes(task: Task) -> Vec<String> {
    let names: &[&str] = match task {
        Task::Incivility => &["civil", "uncivil"],
        Task::Stance => &["disagree", "neutral", "agree"],
        Task::Target => &["favour", "against", "none"],
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// Reads a labelled file for `task`. Known public datasets are recognised by file name and
/// labelled by their documented rule; other files are read through `columns`.
pub fn load(
    path: &Path,
    task: Task,
    classes: &[String],
    columns: &Columns,
) -> Result<Dataset, DataError> {
    let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    let known = columns.text.is_none() && columns.label.is_none();
    let mut ds = match (task, file) {
        (Task::Incivility, "C3_anonymized.csv") if known => c3(path),
        (Task::Incivility, "incivility_train.csv") if known => reddit_incivility(path),
        (Task::Incivility, "labeled_data.csv") if known => davidson(path),
        (Task::Incivility, "CAT_LARGE_gc.csv" | "CAT_LARGE_gn.csv") if known => wiki(path),
        (Task::Incivility, GERMEVAL_TRAINING | GERMEVAL_TEST) if known => germeval(path),
        (Task::Incivility, "austrotox_de.jsonl") if known => austrotox(path),
        (Task::Incivility, ETHOS_BINARY) if known => ethos(path),
        (Task::Incivility, "train.csv" | "test_with_solutions.csv")
            if known && path.to_string_lossy().contains("kaggle_insults") =>
        {
            kaggle_insults(path)
        }
        (Task::Incivility, "stormfront_sentences.tsv") if known => stormfront(path),
        (Task::Incivility, "tsd_train.csv") if known => toxic_spans(path),
        (Task::Stance, "dev.csv" | "test.csv")
            if known && path.to_string_lossy().contains("debagreement") =>
        {
            debagreement(path)
        }
        _ => generic(path, task, classes, columns),
    }?;
    for e in &mut ds.examples {
        e.quotes = crate::parse::clean::gt_quotes(&e.text);
    }
    Ok(ds)
}

/// GermEval 2018's training file (German tweets; TAB-separated, no header).
const GERMEVAL_TRAINING: &str = "germeval2018.training.txt";
/// GermEval 2018's test file (labelled too; both are used, split by the hash rule).
const GERMEVAL_TEST: &str = "germeval2018.test.txt";

/// ETHOS' binary file (the one read; its multi-label file holds the same hate comments again).
const ETHOS_BINARY: &str = "Ethos_Dataset_Binary.csv";
/// ETHOS' multi-label file: the 433 hate comments of the binary file with per-aspect scores.
/// Skipped when a folder is searched (reading it would count them twice).
const ETHOS_MULTI_LABEL: &str = "Ethos_Dataset_Multi_Label.csv";

/// Every labelled file under `path` (a file, or a folder searched recursively for
/// `.csv`/`.tsv`/`.jsonl` files and GermEval's two `.txt` files, without ETHOS' multi-label
/// file), sorted by path.
pub fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "tsv" | "jsonl"))
                || matches!(
                    p.file_name().and_then(|f| f.to_str()),
                    Some(GERMEVAL_TRAINING | GERMEVAL_TEST)
                )
        })
        .filter(|p| p.file_name().and_then(|f| f.to_str()) != Some(ETHOS_MULTI_LABEL))
        .collect();
    out.sort();
    out
}

/// A CSV file's header and its records with their line numbers.
type CsvRows = (Vec<String>, Vec<(u64, csv::StringRecord)>);

/// Rows of a CSV file as header-keyed records.
fn read_csv(path: &Path, has_headers: bool, delimiter: u8) -> Result<CsvRows, DataError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, None, e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = if has_headers {
        rdr.headers()
            .map_err(|e| err(path, Some(1), e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line());
            err(path, line, e.to_string())
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        rows.push((line, rec));
    }
    Ok((headers, rows))
}

fn column(path: &Path, headers: &[String], name: &str) -> Result<usize, DataError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        err(path, Some(1), format!("no `{name}` column (columns: {})", headers.join(", ")))
    })
}

fn classes(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn dataset(name: &str, path: &Path, labels: &str, cls: &[&str], examples: Vec<Example>) -> Dataset {
    Dataset {
        name: name.to_string(),
        path: path.to_path_buf(),
        labels: labels.to_string(),
        classes: classes(cls),
        examples,
    }
}

/// C3 (Globe and Mail): uncivil when the mean crowd toxicity is at least 2 ("mildly toxic"
/// or worse on the 1–4 scale); grouped by article.
fn c3(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b',')?;
    let (t, l, a) = (
        column(path, &h, "comment_text")?,
        column(path, &h, "crowd_toxicity_level")?,
        column(path, &h, "article_id")?,
    );
    let mut examples = Vec::new();
    for (line, r) in rows {
        let level: f64 = r[l].trim().parse().map_err(|_| {
            err(path, Some(line), format!("crowd_toxicity_level `{}` is not a number", &r[l]))
        })?;
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: r[t].to_string(),
            target: None,
            label: usize::from(level >= 2.0),
            group: format!("article:{}", &r[a]),
        });
    }
    Ok(dataset(
        "c3",
        path,
        "uncivil = crowd_toxicity_level >= 2.0 (mean of ~5 raters, 1-4 scale)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// Reddit incivility (no header): text, label 1 = uncivil.
fn reddit_incivility(path: &Path) -> Result<Dataset, DataError> {
    let (_, rows) = read_csv(path, false, b',')?;
    let mut examples = Vec::new();
    for (line, r) in rows {
        if r.len() < 2 {
            return Err(err(path, Some(line), "expected 2 columns: text, label"));
        }
        let label = match r[1].trim() {
            "1" => 1,
            "0" => 0,
            other => return Err(err(path, Some(line), format!("label `{other}` is not 0 or 1"))),
        };
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: r[0].to_string(),
            target: None,
            label,
            group: String::new(),
        });
    }
    Ok(dataset(
        "reddit",
        path,
        "uncivil = label 1 (coders' incivility label)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// Davidson et al. tweets: uncivil = hate speech or offensive language (class 0 or 1).
/// Retweet markers, @-mentions, links and HTML entities are cleaned out.
fn davidson(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b',')?;
    let (t, c) = (column(path, &h, "tweet")?, column(path, &h, "class")?);
    let mention = regex::Regex::new(r"(?:\bRT\s+)?@\w+:?|https?://\S+").expect("valid");
    let mut examples = Vec::new();
    for (line, r) in rows {
        let label = match r[c].trim() {
            "0" | "1" => 1,
            "2" => 0,
            other => {
                return Err(err(path, Some(line), format!("class `{other}` is not 0, 1 or 2")));
            }
        };
        let text = mention.replace_all(&r[t], " ");
        let text = decode_entities(&text);
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: text.trim().to_string(),
            target: None,
            label,
            group: String::new(),
        });
    }
    Ok(dataset(
        "davidson",
        path,
        "uncivil = class 0 (hate speech) or 1 (offensive language)",
        &["civil", "uncivil"],
        examples,
    ))
}

fn decode_entities(s: &str) -> String {
    static RE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"&(amp|lt|gt|quot|#\d+);").expect("valid"));
    RE.replace_all(s, |c: &regex::Captures<'_>| match &c[1] {
        "amp" => "&".to_string(),
        "lt" => "<".to_string(),
        "gt" => ">".to_string(),
        "quot" => "\"".to_string(),
        n => n[1..]
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
    })
    .into_owned()
}

/// Wikipedia talk comments (CAT-LARGE): label 1 = toxic.
fn wiki(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b',')?;
    let (t, l) = (column(path, &h, "text")?, column(path, &h, "label")?);
    let mut examples = Vec::new();
    for (line, r) in rows {
        let label = match r[l].trim() {
            "1" => 1,
            "0" => 0,
            other => return Err(err(path, Some(line), format!("label `{other}` is not 0 or 1"))),
        };
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: r[t].to_string(),
            target: None,
            label,
            group: String::new(),
        });
    }
    let name = if path.to_string_lossy().ends_with("gc.csv") { "wiki_gc" } else { "wiki_gn" };
    Ok(dataset(name, path, "uncivil = label 1 (crowd toxic)", &["civil", "uncivil"], examples))
}

/// GermEval 2018 (German tweets; no header): `text<TAB>OFFENSE|OTHER<TAB>fine label`.
/// Uncivil = OFFENSE (ABUSE, INSULT or PROFANITY). `|LBR|` stands for a line break; @-mentions
/// and links are cleaned out as in Davidson's tweets. The training and test files are one
/// dataset (`germeval`), split by the hash rule.
fn germeval(path: &Path) -> Result<Dataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, None, e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mention = regex::Regex::new(r"(?:\bRT\s+)?@\w+:?|https?://\S+").expect("valid");
    let mut examples = Vec::new();
    for (i, row) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if row.trim().is_empty() {
            continue;
        }
        let mut cols = row.rsplitn(3, '\t');
        let (Some(_fine), Some(coarse), Some(tweet)) = (cols.next(), cols.next(), cols.next())
        else {
            return Err(err(
                path,
                Some(line),
                "expected 3 TAB-separated columns: text, label, fine label",
            ));
        };
        let label = match coarse.trim() {
            "OFFENSE" => 1,
            "OTHER" => 0,
            other => {
                return Err(err(
                    path,
                    Some(line),
                    format!("label `{other}` is not OFFENSE or OTHER"),
                ));
            }
        };
        let tweet = tweet.replace("|LBR|", "\n");
        let tweet = mention.replace_all(&tweet, " ");
        let tweet = decode_entities(&tweet);
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: tweet.trim().to_string(),
            target: None,
            label,
            group: String::new(),
        });
    }
    Ok(dataset(
        "germeval",
        path,
        "uncivil = OFFENSE (fine label ABUSE, INSULT or PROFANITY); OTHER = civil",
        &["civil", "uncivil"],
        examples,
    ))
}

/// AustroTox (Austrian news-forum comments, JSON lines): uncivil = `Label` 1 (offensive);
/// vulgar but not offensive comments are civil. Grouped by `Article_title`.
fn austrotox(path: &Path) -> Result<Dataset, DataError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(path, None, e.to_string()))?;
    let mut examples = Vec::new();
    for (i, row) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if row.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(row)
            .map_err(|e| err(path, Some(line), format!("not JSON: {e}")))?;
        let comment =
            v["Comment"].as_str().ok_or_else(|| err(path, Some(line), "no `Comment` string"))?;
        let label = match v["Label"].as_i64() {
            Some(1) => 1,
            Some(0) => 0,
            _ => {
                return Err(err(path, Some(line), format!("Label `{}` is not 0 or 1", v["Label"])));
            }
        };
        let article = v["Article_title"]
            .as_str()
            .ok_or_else(|| err(path, Some(line), "no `Article_title` string"))?;
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: comment.to_string(),
            target: None,
            label,
            group: format!("article:{article}"),
        });
    }
    Ok(dataset(
        "austrotox",
        path,
        "uncivil = Label 1 (offensive; vulgar-only comments are Label 0)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// A group key for texts that differ only in case, punctuation or spacing (duplicates in
/// ETHOS, the Kaggle insults and Stormfront): such rows share one split.
fn text_group(text: &str) -> String {
    let mut out = String::from("text:");
    for w in
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
    {
        if out.len() > 5 {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

/// ETHOS (YouTube and Reddit comments; `comment;isHate`, semicolon-separated): `isHate` is
/// the share of crowd raters who judged the comment hate speech; uncivil = `isHate` >= 0.5
/// (the dataset's own rule). C1 control characters (mojibake such as `aren'\u{80}\u{99}t`)
/// and HTML entities are cleaned out.
fn ethos(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b';')?;
    let (t, l) = (column(path, &h, "comment")?, column(path, &h, "isHate")?);
    let mut examples = Vec::new();
    for (line, r) in rows {
        let score: f64 =
            r[l].trim().parse().ok().filter(|s: &f64| (0.0..=1.0).contains(s)).ok_or_else(
                || err(path, Some(line), format!("isHate `{}` is not a number in 0-1", &r[l])),
            )?;
        let text: String = r[t].chars().filter(|c| !('\u{80}'..='\u{9f}').contains(c)).collect();
        let text = decode_entities(&text).trim().to_string();
        examples.push(Example {
            line,
            thread: None,
            quotes: Vec::new(),
            group: text_group(&text),
            text,
            target: None,
            label: usize::from(score >= 0.5),
        });
    }
    Ok(dataset(
        "ethos",
        path,
        "uncivil = isHate >= 0.5 (share of crowd raters judging it hate speech)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// Decodes Python-style backslash escapes (`\n`, `\t`, `\xHH`, `\uHHHH`, `\\`, `\'`, `\"`)
/// to characters; other backslashes are kept.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Option<char> {
        let ahead: String = chars.clone().take(n).collect();
        if ahead.len() != n || !ahead.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let c = u32::from_str_radix(&ahead, 16).ok().and_then(char::from_u32)?;
        for _ in 0..n {
            chars.next();
        }
        Some(c)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.peek().copied() {
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            Some('\\') => Some('\\'),
            Some('\'') => Some('\''),
            Some('"') => Some('"'),
            Some('x') | Some('u') => None,
            _ => {
                out.push('\\');
                continue;
            }
        };
        if let Some(d) = decoded {
            chars.next();
            out.push(d);
            continue;
        }
        let kind = chars.next();
        let n = if kind == Some('x') { 2 } else { 4 };
        match hex(&mut chars, n) {
            Some(d) => out.push(d),
            None => {
                out.push('\\');
                out.extend(kind);
            }
        }
    }
    out
}

/// Text whose characters are all below U+0100 and, read as Latin-1 bytes, form UTF-8 with
/// some multi-byte character (`\xe2\x80\x99` decoded one byte per character): the UTF-8 it
/// stands for. Anything else is returned as it is.
fn repair_mojibake(s: &str) -> String {
    if !s.chars().any(|c| ('\u{80}'..='\u{ff}').contains(&c)) {
        return s.to_string();
    }
    let bytes: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    match bytes.map(String::from_utf8) {
        Some(Ok(fixed)) => fixed,
        _ => s.to_string(),
    }
}

/// A Kaggle insults comment as stored: an escaped Python-style string in literal double
/// quotes, some escaped twice (`\\n`, `\\xc2\\xa0`).
fn kaggle_text(raw: &str) -> String {
    let s = raw.trim();
    let s = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s);
    static ESCAPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\\(?:[ntr]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})").expect("valid")
    });
    let mut text = unescape(s);
    if ESCAPE.is_match(&text) {
        text = unescape(&text);
    }
    decode_entities(&repair_mojibake(&text)).trim().to_string()
}

/// "Detecting Insults in Social Commentary" (Kaggle/Impermium 2012; `train.csv` and
/// `test_with_solutions.csv`, one dataset split by the hash rule): uncivil = `Insult` 1 (an
/// insult to a participant of the conversation; profanity and attacks on third parties are
/// 0). A `Usage` column (the leaderboard part) is ignored. Comments are unescaped.
fn kaggle_insults(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b',')?;
    let (l, t) = (column(path, &h, "Insult")?, column(path, &h, "Comment")?);
    let mut examples = Vec::new();
    for (line, r) in rows {
        let label = match r[l].trim() {
            "1" => 1,
            "0" => 0,
            other => {
                return Err(err(path, Some(line), format!("Insult `{other}` is not 0 or 1")));
            }
        };
        let text = kaggle_text(&r[t]);
        examples.push(Example {
            line,
            thread: None,
            quotes: Vec::new(),
            group: text_group(&text),
            text,
            target: None,
            label,
        });
    }
    Ok(dataset(
        "kaggle_insults",
        path,
        "uncivil = Insult 1 (insult to a participant; train and test_with_solutions)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// Undoes the Penn-style tokenisation of Stormfront's sentences (`They 're`, `do n't`,
/// `word , word .`), so punctuation and contractions read as in the other data.
fn detokenise(s: &str) -> String {
    static CONTRACTION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)(\w) (n't|'s|'re|'ve|'ll|'d|'m)\b").expect("valid")
    });
    static BEFORE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r" +([,.!?;:%)\]])").expect("valid"));
    static AFTER: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"([(\[]) +").expect("valid"));
    let s = CONTRACTION.replace_all(s, "$1$2");
    let s = BEFORE.replace_all(&s, "$1");
    AFTER.replace_all(&s, "$1").trim().to_string()
}

/// Stormfront sentences (de Gibert et al. 2018; TAB-separated, no quoting): uncivil = `hate`,
/// civil = `noHate`; `relation` (hateful only with the neighbouring sentences) and
/// `idk/skip` are left out. Sentences of one post (`file_id` before `_`) share a split; the
/// tokenised text is detokenised.
fn stormfront(path: &Path) -> Result<Dataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, None, e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines.next().map(|(_, h)| h.split('\t').collect()).unwrap_or_default();
    let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    let (f, l, t) = (
        column(path, &header, "file_id")?,
        column(path, &header, "label")?,
        column(path, &header, "text")?,
    );
    let mut examples = Vec::new();
    for (i, row) in lines {
        let line = i as u64 + 1;
        if row.is_empty() {
            continue;
        }
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() != header.len() {
            return Err(err(
                path,
                Some(line),
                format!("{} TAB-separated columns, expected {}", cols.len(), header.len()),
            ));
        }
        let label = match cols[l] {
            "hate" => 1,
            "noHate" => 0,
            "relation" | "idk/skip" => continue,
            other => {
                return Err(err(
                    path,
                    Some(line),
                    format!("label `{other}` is not hate, noHate, relation or idk/skip"),
                ));
            }
        };
        let post = cols[f].split('_').next().unwrap_or(cols[f]);
        examples.push(Example {
            line,
            thread: None,
            quotes: Vec::new(),
            text: detokenise(cols[t]),
            target: None,
            label,
            group: format!("post:{post}"),
        });
    }
    Ok(dataset(
        "stormfront",
        path,
        "uncivil = hate, civil = noHate (sentences; relation and idk/skip left out)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// SemEval-2021 toxic spans, train split (Civil Comments news comments): every post was
/// rated toxic by at least half its raters, so every row is uncivil, marked spans or not (an
/// empty list means no span reached a majority, not that the post is civil). Split by text
/// under the name `toxic_spans`, as `threadlens spans` splits it.
fn toxic_spans(path: &Path) -> Result<Dataset, DataError> {
    let posts = super::spans::load(path)?;
    let examples = posts
        .into_iter()
        .map(|p| Example {
            line: p.line,
            thread: None,
            quotes: Vec::new(),
            text: p.text,
            target: None,
            label: 1,
            group: String::new(),
        })
        .collect();
    Ok(dataset(
        "toxic_spans",
        path,
        "uncivil = every post (all were rated toxic; no civil rows)",
        &["civil", "uncivil"],
        examples,
    ))
}

/// DEBAGREEMENT: label 0 disagree, 1 neutral, 2 agree; reply `body_child` to `body_parent`,
/// grouped by submission.
fn debagreement(path: &Path) -> Result<Dataset, DataError> {
    let (h, rows) = read_csv(path, true, b',')?;
    let (l, p, c, s) = (
        column(path, &h, "label")?,
        column(path, &h, "body_parent")?,
        column(path, &h, "body_child")?,
        column(path, &h, "submission_id")?,
    );
    let (sub, pid, cid, pa, ca, time) = (
        column(path, &h, "subreddit")?,
        column(path, &h, "msg_id_parent")?,
        column(path, &h, "msg_id_child")?,
        column(path, &h, "author_parent")?,
        column(path, &h, "author_child")?,
        column(path, &h, "exact_time")?,
    );
    let mut examples = Vec::new();
    for (line, r) in rows {
        let label = match r[l].trim() {
            "0" => 0,
            "1" => 1,
            "2" => 2,
            other => {
                return Err(err(path, Some(line), format!("label `{other}` is not 0, 1 or 2")));
            }
        };
        examples.push(Example {
            line,
            quotes: Vec::new(),
            text: r[c].to_string(),
            target: Some(r[p].to_string()),
            label,
            group: format!("submission:{}", &r[s]),
            thread: Some(Box::new(ThreadInfo {
                topic: r[sub].trim().to_string(),
                submission: r[s].to_string(),
                parent_id: r[pid].to_string(),
                child_id: r[cid].to_string(),
                parent_author: r[pa].to_string(),
                child_author: r[ca].to_string(),
                time: r[time].trim().parse::<f64>().map_or(0, |t| t as i64),
            })),
        });
    }
    // Both files are one dataset: a submission can have pairs in each, and splits go by
    // submission, so they must share one split (see `merge_same_names`).
    Ok(dataset(
        "debagreement",
        path,
        "label 0 disagree, 1 neutral, 2 agree (reply vs parent)",
        &["disagree", "neutral", "agree"],
        examples,
    ))
}

const TEXT_COLS: [&str; 6] =
    ["text", "comment_text", "body", "comment", "response_text", "body_child"];
const LABEL_COLS: [&str; 4] = ["label", "class", "relation", "stance"];
const TARGET_COLS: [&str; 6] =
    ["parent_text", "target", "parent", "body_parent", "quote_text", "target_text"];

/// Any CSV/TSV/JSONL with a text and a label column; labels may be class names or indices.
fn generic(
    path: &Path,
    task: Task,
    cls: &[String],
    columns: &Columns,
) -> Result<Dataset, DataError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let rows: Vec<(u64, Vec<(String, String)>)> = if ext == "jsonl" {
        let text = std::fs::read_to_string(path).map_err(|e| err(path, None, e.to_string()))?;
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .map_err(|e| err(path, Some(i as u64 + 1), format!("not JSON: {e}")))?;
            let Value::Object(map) = v else {
                return Err(err(path, Some(i as u64 + 1), "expected a JSON object"));
            };
            let fields = map
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect();
            rows.push((i as u64 + 1, fields));
        }
        rows
    } else {
        let delim = if ext == "tsv" { b'\t' } else { b',' };
        let (h, recs) = read_csv(path, true, delim)?;
        recs.into_iter()
            .map(|(line, r)| (line, h.iter().cloned().zip(r.iter().map(str::to_string)).collect()))
            .collect()
    };
    let keys: Vec<String> =
        rows.first().map(|(_, f)| f.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    let pick = |given: &Option<String>,
                defaults: &[&str],
                what: &str|
     -> Result<Option<String>, DataError> {
        match given {
            Some(c) if keys.contains(c) || rows.is_empty() => Ok(Some(c.clone())),
            Some(c) => Err(err(
                path,
                Some(1),
                format!("no `{c}` column for the {what} (columns: {})", keys.join(", ")),
            )),
            None => {
                Ok(defaults.iter().find(|d| keys.iter().any(|k| k == *d)).map(|s| s.to_string()))
            }
        }
    };
    let no_col = |what: &str, flag: &str| {
        err(
            path,
            Some(1),
            format!("no {what} column found (columns: {}); name it with {flag}", keys.join(", ")),
        )
    };
    let text_col =
        pick(&columns.text, &TEXT_COLS, "text")?.ok_or_else(|| no_col("text", "--text-col"))?;
    let label_col = pick(&columns.label, &LABEL_COLS, "label")?
        .ok_or_else(|| no_col("label", "--label-col"))?;
    let target_col =
        if task == Task::Stance { pick(&columns.target, &TARGET_COLS, "target")? } else { None };
    let group_col = pick(&columns.group, &[], "group")?;

    let mut examples = Vec::new();
    // Every row with an unknown label, reported together (not only the first).
    let mut bad: Vec<(u64, String)> = Vec::new();
    for (line, fields) in rows {
        let get =
            |c: &str| fields.iter().find(|(k, _)| k == c).map(|(_, v)| v.as_str()).unwrap_or("");
        let raw = get(&label_col).trim();
        if raw.is_empty() {
            // Not yet annotated (e.g. a `sample` file half done): skipped, and counted below.
            continue;
        }
        let Some(label) = parse_label(raw, task, cls) else {
            bad.push((line, raw.to_string()));
            continue;
        };
        examples.push(Example {
            line,
            quotes: Vec::new(),
            thread: None,
            text: get(&text_col).to_string(),
            target: target_col.as_deref().map(|c| get(c).to_string()),
            label,
            group: group_col.as_deref().map(|c| get(c).to_string()).unwrap_or_default(),
        });
    }
    if let Some((first, raw)) = bad.first() {
        let mut message = format!("label `{raw}` is not one of {} (or its index)", cls.join(", "));
        for (line, raw) in bad.iter().skip(1).take(MAX_BAD_LABELS_LISTED - 1) {
            message.push_str(&format!("\n  {}, line {line}: label `{raw}`", path.display()));
        }
        if bad.len() > MAX_BAD_LABELS_LISTED {
            message.push_str(&format!(
                "\n  … and {} more rows with unknown labels",
                bad.len() - MAX_BAD_LABELS_LISTED
            ));
        }
        if bad.len() > 1 {
            message.push_str(&format!("\n  ({} rows with unknown labels in all)", bad.len()));
        }
        return Err(err(path, Some(*first), message));
    }
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("data").to_string();
    Ok(Dataset {
        name,
        path: path.to_path_buf(),
        labels: format!("column `{label_col}`"),
        classes: cls.to_vec(),
        examples,
    })
}

/// Merges datasets that share a name (DEBAGREEMENT's dev.csv and test.csv), keeping the
/// first one's place; their paths are joined with `; `.
pub fn merge_same_names(datasets: Vec<Dataset>) -> Vec<Dataset> {
    let mut out: Vec<Dataset> = Vec::new();
    for ds in datasets {
        match out.iter_mut().find(|d| d.name == ds.name) {
            Some(d) => {
                d.path = PathBuf::from(format!("{}; {}", d.path.display(), ds.path.display()));
                d.examples.extend(ds.examples);
            }
            None => out.push(ds),
        }
    }
    out
}

/// Most rows with unknown labels listed one by one in the error (the rest are counted).
pub const MAX_BAD_LABELS_LISTED: usize = 20;

/// A stable 64-bit hash (FNV-1a) of a labelled text, its whitespace runs collapsed to one
/// space and trimmed, and of its target when it has one: the same on every platform and Rust
/// version, so a model file's [`TrainingSummary::text_hashes`] can be checked against any
/// labelled file later.
///
/// [`TrainingSummary::text_hashes`]: super::model::TrainingSummary::text_hashes
pub fn text_hash(text: &str, target: Option<&str>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    fn eat(h: &mut u64, bytes: &[u8]) {
        for &b in bytes {
            *h ^= u64::from(b);
            *h = h.wrapping_mul(PRIME);
        }
    }
    fn words(h: &mut u64, s: &str) {
        for (i, w) in s.split_whitespace().enumerate() {
            if i > 0 {
                eat(h, b" ");
            }
            eat(h, w.as_bytes());
        }
    }
    let mut h = OFFSET;
    words(&mut h, text);
    if let Some(t) = target {
        eat(&mut h, &[0x1f]);
        words(&mut h, t);
    }
    h
}

/// A label given as a class name, an index, or (binary tasks) a yes/no word.
fn parse_label(raw: &str, task: Task, cls: &[String]) -> Option<usize> {
    let lower = raw.to_lowercase();
    if let Some(i) = cls.iter().position(|c| c.to_lowercase() == lower) {
        return Some(i);
    }
    if let Ok(i) = lower.parse::<usize>() {
        return (i < cls.len()).then_some(i);
    }
    if task == Task::Incivility {
        return match lower.as_str() {
            "true" | "yes" | "toxic" | "y" => Some(1),
            "false" | "no" | "not_toxic" | "n" => Some(0),
            _ => None,
        };
    }
    if task == Task::Target && (lower == "favor" || lower == "pro") {
        return cls.iter().position(|c| c == "favour");
    }
    None
}

/// Where an example goes: held out (never trained on), calibration, or training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// Fitting.
    Train,
    /// Calibration and threshold.
    Calibration,
    /// Held out from training.
    Heldout,
}

/// Percent of groups held out.
pub const HELDOUT_PERCENT: u64 = 20;
/// Percent of groups used for calibration.
pub const CALIBRATION_PERCENT: u64 = 15;

/// The split of an example of dataset `name`: a hash of the dataset name, the seed and the
/// example's group (its text when it has none) picks a bucket 0–99; buckets below 20 are held
/// out, 20–34 calibrate, the rest train.
pub fn split_of(name: &str, ex: &Example, seed: u64) -> Split {
    let key = if ex.group.is_empty() { &ex.text } else { &ex.group };
    let bucket = feature_hash(&format!("{seed}\u{1f}{name}\u{1f}{key}")) % 100;
    if bucket < HELDOUT_PERCENT {
        Split::Heldout
    } else if bucket < HELDOUT_PERCENT + CALIBRATION_PERCENT {
        Split::Calibration
    } else {
        Split::Train
    }
}

/// The rule [`split_of`] applies, in words, for model files and cards.
pub fn split_rule(seed: u64) -> String {
    format!(
        "bucket = hash(seed {seed}, dataset, group or text) mod 100: 0-{} held out, {}-{} calibration, rest training; groups are articles (c3, austrotox), submissions (debagreement) or the text",
        HELDOUT_PERCENT - 1,
        HELDOUT_PERCENT,
        HELDOUT_PERCENT + CALIBRATION_PERCENT - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn generic_csv_with_names_indices_and_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "l.csv",
            "id,text,label\n1,\"you idiot,\nreally\",uncivil\n2,fine,0\n3,unlabelled,\n",
        );
        let cls = default_classes(Task::Incivility);
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.examples.len(), 2);
        assert_eq!(d.examples[0].text, "you idiot,\nreally");
        assert_eq!((d.examples[0].label, d.examples[1].label), (1, 0));
    }

    #[test]
    fn bad_label_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "l.csv", "text,label\na,0\nb,maybe\n");
        let cls = default_classes(Task::Incivility);
        let e = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("l.csv") && e.to_string().contains("maybe"), "{e}");
    }

    #[test]
    fn every_bad_label_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("text,label\na,favour\nb,favor\nc,agianst\nd,none\ne,nnoe\n");
        for i in 0..30 {
            text.push_str(&format!("x{i},oops\n"));
        }
        let p = write(dir.path(), "l.csv", &text);
        let cls: Vec<String> = ["favour", "against", "none"].map(String::from).to_vec();
        let e = load(&p, Task::Target, &cls, &Columns::default()).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.line, Some(4));
        assert!(msg.contains("agianst") && msg.contains("line 6: label `nnoe`"), "{msg}");
        assert!(msg.contains("line 7: label `oops`"), "{msg}");
        assert!(
            msg.contains("and 12 more") && msg.contains("32 rows with unknown labels"),
            "{msg}"
        );
    }

    #[test]
    fn text_hash_is_stable_and_ignores_spacing() {
        assert_eq!(text_hash("", None), 0xcbf2_9ce4_8422_2325);
        assert_eq!(text_hash("a", None), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(text_hash(" Some  text\n", None), text_hash("Some text", None));
        assert_ne!(text_hash("Some text", None), text_hash("some text", None));
        assert_ne!(text_hash("Yes", Some("a")), text_hash("Yes", Some("b")));
        assert_ne!(text_hash("Yes", Some("")), text_hash("Yes", None));
    }

    #[test]
    fn missing_column_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "l.tsv", "words\tlabel\na\t0\n");
        let cls = default_classes(Task::Incivility);
        let e = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert!(e.to_string().contains("--text-col"), "{e}");
        let cols = Columns { text: Some("words".into()), ..Default::default() };
        assert_eq!(load(&p, Task::Incivility, &cls, &cols).unwrap().examples.len(), 1);
    }

    #[test]
    fn jsonl_stance_pairs_with_custom_labels() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "s.jsonl",
            "{\"parent_text\":\"Tax it\",\"text\":\"Exactly\",\"label\":\"agree\"}\n\n{\"parent_text\":\"x\",\"text\":\"No\",\"label\":0}\n",
        );
        let cls = default_classes(Task::Stance);
        let d = load(&p, Task::Stance, &cls, &Columns::default()).unwrap();
        assert_eq!(d.examples[0].target.as_deref(), Some("Tax it"));
        assert_eq!((d.examples[0].label, d.examples[1].label), (2, 0));
    }

    #[test]
    fn known_files_use_their_rules() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "incivility_train.csv", "\"a\nb\",1\nfine,0\n");
        let cls = default_classes(Task::Incivility);
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.name, "reddit");
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 0]);

        let p = write(
            dir.path(),
            "labeled_data.csv",
            ",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,RT @bob: you &amp; me http://t.co/x\n",
        );
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.examples[0].text, "you & me");
        assert_eq!(d.examples[0].label, 0);
    }

    #[test]
    fn debagreement_rows_know_their_thread_and_topic() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("debagreement");
        std::fs::create_dir(&sub).unwrap();
        let p = write(
            &sub,
            "dev.csv",
            "label,msg_id_parent,msg_id_child,submission_id,body_parent,body_child,subreddit,author_parent,exact_time,author_child\n\
             2,p1,c1,s1,Tax it,Agreed.,Brexit,ann,1605323077,bob\n",
        );
        let cls = default_classes(Task::Stance);
        let d = load(&p, Task::Stance, &cls, &Columns::default()).unwrap();
        let e = &d.examples[0];
        assert_eq!(
            (e.label, e.target.as_deref(), e.group.as_str()),
            (2, Some("Tax it"), "submission:s1")
        );
        let t = e.thread.as_deref().unwrap();
        assert_eq!(
            (t.topic.as_str(), t.parent_id.as_str(), t.child_author.as_str(), t.time),
            ("Brexit", "p1", "bob", 1605323077)
        );
        assert_eq!(topic_of("debagreement", e), "debagreement r/Brexit");
        assert_eq!(topic_of("masks", &Example::default()), "masks");
    }

    #[test]
    fn germeval_labels_offense_and_cleans_tweets() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            GERMEVAL_TRAINING,
            "@Martin28a Sie haben ja auch Recht.\tOTHER\tOTHER\n\
             Scheiss-Klimaschützer. |LBR| Die Flieger https://t.co/x\tOFFENSE\tINSULT\n\
             Verdammt nochmal\tOFFENSE\tPROFANITY\n",
        );
        write(dir.path(), GERMEVAL_TEST, "Die Polizei &amp; Co\tOFFENSE\tABUSE\n");
        write(dir.path(), "PROVENANCE.txt", "not data\n");
        let found = files(dir.path());
        assert_eq!(found.len(), 2, "{found:?}");
        let cls = default_classes(Task::Incivility);
        let sets: Vec<Dataset> = found
            .iter()
            .map(|f| load(f, Task::Incivility, &cls, &Columns::default()).unwrap())
            .collect();
        let sets = merge_same_names(sets);
        assert_eq!(sets.len(), 1, "training and test are one dataset");
        let d = &sets[0];
        assert_eq!(d.name, "germeval");
        // Files by path: the test file first.
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 0, 1, 1]);
        assert_eq!(d.examples[0].text, "Die Polizei & Co");
        assert_eq!(d.examples[1].text, "Sie haben ja auch Recht.");
        assert_eq!(d.examples[2].text, "Scheiss-Klimaschützer. \n Die Flieger");
        assert_eq!(d.examples[3].line, 3);

        let bad = write(dir.path(), GERMEVAL_TEST, "text\tMAYBE\tOTHER\n");
        let e = load(&bad, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert!(e.to_string().contains("MAYBE") && e.line == Some(1), "{e}");
    }

    #[test]
    fn austrotox_labels_offensive_and_groups_by_article() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "austrotox_de.jsonl",
            concat!(
                r#"{"Index": 0, "cv_split": 0, "Article_title": "Krisengipfel", "Comment": "Ihr trottel habts", "Label": 1, "Label_fine": "Target_Group_Vulgar", "Tags": [{"Tag": "Vulgarity", "Token": "trottel"}]}"#,
                "\n",
                r#"{"Index": 1, "cv_split": 1, "Article_title": "Krisengipfel", "Comment": "So ein Scheiss", "Label": 0, "Label_fine": "Not_Toxic_Vulgar", "Tags": [{"Tag": "Vulgarity", "Token": "Scheiss"}]}"#,
                "\n\n",
                r#"{"Index": 2, "cv_split": 1, "Article_title": "Andere Nachricht", "Comment": "Gibt es Studien?", "Label": 0, "Label_fine": "Not_Toxic", "Tags": []}"#,
                "\n"
            ),
        );
        let cls = default_classes(Task::Incivility);
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.name, "austrotox");
        // Vulgar is not offensive: "So ein Scheiss" is civil.
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 0, 0]);
        assert_eq!(d.examples[0].group, d.examples[1].group);
        assert_ne!(d.examples[0].group, d.examples[2].group);
        assert_eq!(
            split_of("austrotox", &d.examples[0], 1),
            split_of("austrotox", &d.examples[1], 1)
        );
        assert_eq!(d.examples[2].line, 4);
        // The span check splits the rows as the German model's training did.
        let (posts, _) = super::super::spans::load_austrotox(&p).unwrap();
        assert_eq!(posts.len(), d.examples.len());
        for (e, post) in d.examples.iter().zip(&posts) {
            assert_eq!((split_of(&d.name, e, 20231124), e.line), (post.split, post.line));
        }

        let bad = write(
            dir.path(),
            "austrotox_de.jsonl",
            r#"{"Comment": "x", "Label": 2, "Article_title": "a"}"#,
        );
        let e = load(&bad, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert!(e.to_string().contains("Label"), "{e}");
    }

    #[test]
    fn ethos_labels_by_the_half_rule_and_skips_the_multi_label_file() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ETHOS_BINARY,
            "comment;isHate\n\
             You should know women's sports are a joke;1.0\n\
             \"On todays episode of \"\"Guess That Gender\"\"\";0.5\n\
             \"Why aren'\u{80}\u{99}t they here &lt;3\";0.4\n\
             fine; really;0.0\n",
        );
        write(dir.path(), ETHOS_MULTI_LABEL, "comment;violence\nx;1.0\n");
        let found = files(dir.path());
        assert_eq!(found.len(), 1, "{found:?}");
        let cls = default_classes(Task::Incivility);
        let d = load(&found[0], Task::Incivility, &cls, &Columns::default()).unwrap_err();
        // `fine; really;0.0` has three fields: reported with its line.
        assert_eq!(d.line, Some(5), "{d}");
        let p = write(
            dir.path(),
            ETHOS_BINARY,
            "comment;isHate\nA joke;1.0\n\"Guess \"\"That\"\"\";0.5\n\"Why aren'\u{80}\u{99}t they &lt;3\";0.4\nfine;0.0\n",
        );
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.name, "ethos");
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 1, 0, 0]);
        assert_eq!(d.examples[1].text, "Guess \"That\"");
        assert_eq!(d.examples[2].text, "Why aren't they <3");
        let bad = write(dir.path(), ETHOS_BINARY, "comment;isHate\nx;1.5\n");
        let e = load(&bad, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert!(e.to_string().contains("1.5"), "{e}");
    }

    #[test]
    fn kaggle_insults_unescape_once_or_twice() {
        assert_eq!(kaggle_text(r#""You fuck your dad.""#), "You fuck your dad.");
        assert_eq!(kaggle_text(r#""point.\xa0 It""#), "point.\u{a0} It");
        // Double-escaped: literal \\n and UTF-8 bytes as \\xe2\\x80\\x99.
        assert_eq!(kaggle_text(r#""A\\n\\nB isn\\xe2\\x80\\x99t""#), "A\n\nB isn\u{2019}t");
        assert_eq!(kaggle_text(r#""caf\u00e9 &amp; \"bar\"""#), "café & \"bar\"");
        // A backslash that escapes nothing stays.
        assert_eq!(kaggle_text(r#""a\b \x4""#), r"a\b \x4");

        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("kaggle_insults");
        std::fs::create_dir(&sub).unwrap();
        write(
            &sub,
            "train.csv",
            "Insult,Date,Comment\n1,20120618192155Z,\"\"\"You moron.\"\"\"\n0,,\"\"\"Fine\\\\nreally\"\"\"\n",
        );
        write(
            &sub,
            "test_with_solutions.csv",
            "Insult,Date,Comment,Usage\n0,,\"\"\"you moron!\"\"\",PublicTest\n",
        );
        let cls = default_classes(Task::Incivility);
        let sets: Vec<Dataset> = files(&sub)
            .iter()
            .map(|f| load(f, Task::Incivility, &cls, &Columns::default()).unwrap())
            .collect();
        let sets = merge_same_names(sets);
        assert_eq!(sets.len(), 1);
        let d = &sets[0];
        assert_eq!(d.name, "kaggle_insults");
        // test_with_solutions first (files by path); Usage is not a label.
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [0, 1, 0]);
        assert_eq!(d.examples[2].text, "Fine\nreally");
        // The same words in another case and punctuation: one group, one split.
        assert_eq!(d.examples[0].group, d.examples[1].group);
        // Outside a kaggle_insults folder a train.csv is a generic file.
        let other = write(dir.path(), "train.csv", "Insult,Date,Comment\n1,,\"\"\"x\"\"\"\n");
        assert!(load(&other, Task::Incivility, &cls, &Columns::default()).is_err());
    }

    #[test]
    fn stormfront_keeps_hate_and_no_hate_by_post_detokenised() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "stormfront_sentences.tsv",
            "file_id\tuser_id\tsubforum_id\tnum_contexts\tlabel\ttext\tupstream_sample\n\
             12834217_1\t1\t2\t0\tnoHate\tThey 're here , and I do n't mind ( really ) .\t\n\
             12834217_2\t1\t2\t0\thate\tThey act \"stupid\" .\tsampled_train\n\
             12834218_1\t1\t2\t0\trelation\tEspecially these .\t\n\
             12834219_1\t1\t2\t0\tidk/skip\tOch nu\t\n",
        );
        let cls = default_classes(Task::Incivility);
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.name, "stormfront");
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(d.examples[0].text, "They're here, and I don't mind (really).");
        assert_eq!(d.examples[1].text, "They act \"stupid\".");
        assert_eq!(d.examples[1].line, 3);
        assert_eq!(d.examples[0].group, d.examples[1].group);
        assert_eq!(
            split_of("stormfront", &d.examples[0], 5),
            split_of("stormfront", &d.examples[1], 5)
        );
        let bad = write(
            dir.path(),
            "stormfront_sentences.tsv",
            "file_id\tuser_id\tsubforum_id\tnum_contexts\tlabel\ttext\tupstream_sample\n1_1\t1\t2\t0\tmaybe\tx\t\n",
        );
        let e = load(&bad, Task::Incivility, &cls, &Columns::default()).unwrap_err();
        assert!(e.to_string().contains("maybe") && e.line == Some(2), "{e}");
    }

    #[test]
    fn toxic_spans_posts_are_all_uncivil_and_split_as_spans_splits_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "tsd_train.csv",
            "spans,text\n\"[0, 1, 2, 3]\",Damn a whole family\n[],\"Implicitly,\nrude\"\n",
        );
        let cls = default_classes(Task::Incivility);
        let d = load(&p, Task::Incivility, &cls, &Columns::default()).unwrap();
        assert_eq!(d.name, "toxic_spans");
        // An empty span list is a toxic post too.
        assert_eq!(d.examples.iter().map(|e| e.label).collect::<Vec<_>>(), [1, 1]);
        assert_eq!(d.examples[1].text, "Implicitly,\nrude");
        let posts = super::super::spans::load(&p).unwrap();
        for (e, post) in d.examples.iter().zip(&posts) {
            assert_eq!(split_of(&d.name, e, 20231124), post.split);
        }
    }

    #[test]
    fn datasets_with_one_name_merge() {
        let ex = |t: &str| Example { text: t.into(), ..Default::default() };
        let ds = |name: &str, path: &str, t: &str| Dataset {
            name: name.into(),
            path: path.into(),
            labels: String::new(),
            classes: vec!["a".into(), "b".into()],
            examples: vec![ex(t)],
        };
        let merged = merge_same_names(vec![
            ds("d", "dev.csv", "x"),
            ds("o", "o.csv", "y"),
            ds("d", "test.csv", "z"),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].path, PathBuf::from("dev.csv; test.csv"));
        assert_eq!(
            merged[0].examples.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
            ["x", "z"]
        );
    }

    #[test]
    fn splits_are_stable_and_roughly_sized() {
        let mut counts = std::collections::HashMap::new();
        for i in 0..10_000 {
            let ex = Example { text: format!("t{i}"), ..Default::default() };
            *counts.entry(split_of("d", &ex, 7)).or_insert(0) += 1;
            assert_eq!(split_of("d", &ex, 7), split_of("d", &ex, 7));
        }
        assert!((1800..2200).contains(&counts[&Split::Heldout]), "{counts:?}");
        assert!((1300..1700).contains(&counts[&Split::Calibration]), "{counts:?}");
    }
}
