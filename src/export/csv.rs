//! CSV writer: a header row of column names, then one record per row.
//!
//! Nulls are empty fields, so a null and an empty string read back the same; floats use Rust's
//! shortest round-trip formatting (`{}`: `0.1`, `2`, `NaN`, `inf`); bools are `true`/`false`.
//! The csv crate quotes fields holding commas, quotes or line breaks, so multi-line text
//! round-trips.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{AtomicFile, Batch, Column, ExportError, TableSpec, TableWriter, check_batch_spec};

/// Writes one table as CSV.
pub(super) struct CsvWriter {
    spec: &'static TableSpec,
    wtr: csv::Writer<AtomicFile>,
    path: PathBuf,
    /// Reused buffer for formatting numbers.
    buf: String,
}

impl CsvWriter {
    /// Writes the header row to `file`.
    pub(super) fn new(file: AtomicFile, spec: &'static TableSpec) -> Result<Self, ExportError> {
        let path = file.path().to_path_buf();
        let mut wtr =
            csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(file);
        wtr.write_record(spec.columns.iter().map(|c| c.name))
            .map_err(|source| ExportError::Csv { path: path.clone(), source })?;
        Ok(CsvWriter { spec, wtr, path, buf: String::new() })
    }

    fn write_rows(&mut self, batch: &Batch) -> Result<(), csv::Error> {
        for row in 0..batch.num_rows() {
            for column in batch.columns() {
                self.buf.clear();
                // Writing to a String cannot fail.
                let _ = match column {
                    Column::Str(v) => {
                        self.wtr.write_field(v[row].as_deref().unwrap_or(""))?;
                        continue;
                    }
                    Column::Int(v) => v[row].map_or(Ok(()), |x| write!(self.buf, "{x}")),
                    Column::Float(v) => v[row].map_or(Ok(()), |x| write!(self.buf, "{x}")),
                    Column::Bool(v) => v[row].map_or(Ok(()), |x| write!(self.buf, "{x}")),
                };
                self.wtr.write_field(&self.buf)?;
            }
            self.wtr.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }
}

impl TableWriter for CsvWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch_spec(self.spec, batch)?;
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
