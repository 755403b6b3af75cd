//! CSV writer: a header row of column names, then one record per row.
//!
//! Nulls are empty fields, so a null and an empty string read back the same; floats use Rust's
//! shortest round-trip formatting (`{}`: `0.1`, `2`, `NaN`, `inf`); bools are `true`/`false`.
//! Categories are their text; timestamps RFC 3339 text (`2023-09-24T08:12:00.250Z`, no `Z` for
//! local times); lists compact JSON arrays (`["a","b"]`, `[0.5,1.0]`, cues as objects), so an
//! empty list (`[]`) stays apart from a null. The csv crate quotes fields holding commas, quotes
//! or line breaks, so multi-line text and JSON round-trip.

use std::io::{self, Write as _};
use std::path::PathBuf;

use super::{AtomicFile, Batch, Column, ExportError, TableSpec, TableWriter, check_batch};

/// Writes one table as CSV.
pub(super) struct CsvWriter {
    spec: &'static TableSpec,
    wtr: csv::Writer<AtomicFile>,
    path: PathBuf,
    /// Reused buffer for formatting numbers, timestamps and lists.
    buf: Vec<u8>,
}

impl CsvWriter {
    /// Writes the header row to `file`.
    pub(super) fn new(file: AtomicFile, spec: &'static TableSpec) -> Result<Self, ExportError> {
        let path = file.path().to_path_buf();
        let mut wtr =
            csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(file);
        wtr.write_record(spec.columns.iter().map(|c| c.name))
            .map_err(|source| ExportError::Csv { path: path.clone(), source })?;
        Ok(CsvWriter { spec, wtr, path, buf: Vec::new() })
    }

    fn write_rows(&mut self, batch: &Batch) -> Result<(), csv::Error> {
        for row in 0..batch.num_rows() {
            for column in batch.columns() {
                if let Column::Str(v) | Column::Category(v) = column {
                    self.wtr.write_field(v.get(row).unwrap_or(""))?;
                } else {
                    self.buf.clear();
                    format_value(&mut self.buf, column, row)?;
                    self.wtr.write_field(&self.buf)?;
                }
            }
            self.wtr.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }
}

/// Appends the CSV text of the value of `column` in `row` to `buf`; nothing for a null.
///
/// Writing to a `Vec` cannot fail, so this fails only on a timestamp that `check_batch` rules
/// out.
fn format_value(buf: &mut Vec<u8>, column: &Column, row: usize) -> io::Result<()> {
    match column {
        Column::Str(v) | Column::Category(v) => {
            if let Some(s) = v.get(row) {
                buf.extend_from_slice(s.as_bytes());
            }
        }
        Column::Int(v) => {
            if let Some(x) = v.get(row) {
                write!(buf, "{x}")?;
            }
        }
        Column::Float(v) => {
            if let Some(x) = v.get(row) {
                write!(buf, "{x}")?;
            }
        }
        Column::Bool(v) => {
            if let Some(x) = v.get(row) {
                write!(buf, "{x}")?;
            }
        }
        Column::Timestamp(v) | Column::LocalTimestamp(v) => {
            if let Some(x) = v.get(row) {
                super::write_timestamp(buf, x, matches!(column, Column::Timestamp(_)))?;
            }
        }
        // serde_json writes non-finite floats in lists as `null`.
        Column::StrList(v) => {
            if let Some(x) = &v[row] {
                serde_json::to_writer(buf, x)?;
            }
        }
        Column::FloatList(v) => {
            if let Some(x) = &v[row] {
                serde_json::to_writer(buf, x)?;
            }
        }
        Column::Cues(v) => {
            if let Some(x) = &v[row] {
                serde_json::to_writer(buf, x)?;
            }
        }
        Column::StrMap(v) => {
            if let Some(x) = &v[row] {
                serde_json::to_writer(buf, &super::JsonMap(x))?;
            }
        }
    }
    Ok(())
}

impl TableWriter for CsvWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch(self.spec, batch)?;
        self.write_rows(batch)
            .map_err(|source| ExportError::Csv { path: self.path.clone(), source })
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let CsvWriter { wtr, path, .. } = *self;
        let file =
            wtr.into_inner().map_err(|e| ExportError::Io { path, source: e.into_error() })?;
        file.commit()
    }
}
