//! (being written for issue #3)

use super::{Format, ParseErrorKind};
use crate::model::Document;

/// Column names of a comment table.
#[derive(Clone, Debug, Default)]
pub struct TableOptions {}

/// The table format a header line suggests, if any.
pub fn sniff_header(_line: &str) -> Option<Format> {
    None
}

/// Parse a CSV, TSV or JSONL table of comments.
pub fn parse(
    _text: &str,
    _id: &str,
    _source: &str,
    _format: Format,
    _opts: &TableOptions,
) -> Result<Vec<Document>, ParseErrorKind> {
    Err(ParseErrorKind::Unrecognised("this format is not read yet".into()))
}
