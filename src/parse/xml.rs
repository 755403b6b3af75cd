//! (being written for issue #3)

use crate::model::Document;

use super::{Format, ParseErrorKind};

/// Parse one input of this family.
pub fn parse(
    _text: &str,
    _id: &str,
    _source: &str,
    _format: Option<Format>,
) -> Result<Vec<Document>, ParseErrorKind> {
    Err(ParseErrorKind::Unrecognised("this format is not read yet".into()))
}
