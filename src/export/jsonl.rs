//! JSON Lines writer: one JSON object per row, keys in column order.
//!
//! Nulls are `null`. JSON has no NaN or infinity, so non-finite floats are written as `null`
//! too, inside lists as well. Categories are strings; timestamps RFC 3339 strings
//! (`"2023-09-24T08:12:00.250Z"`, no `Z` for local times); lists arrays, cues objects with keys
//! in the order `start`, `end`, `label`, `text`, `weight`. Objects are written field by field
//! rather than through a map so that key order is the spec's order.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::{AtomicFile, Batch, Column, ExportError, TableSpec, TableWriter, check_batch};

/// Writes one table as JSON Lines.
pub(super) struct JsonlWriter {
    spec: &'static TableSpec,
    wtr: BufWriter<AtomicFile>,
    path: PathBuf,
    /// `"name":` for each column, JSON-escaped once.
    keys: Vec<Vec<u8>>,
}

impl JsonlWriter {
    pub(super) fn new(file: AtomicFile, spec: &'static TableSpec) -> Self {
        let path = file.path().to_path_buf();
        let keys = spec
            .columns
            .iter()
            .map(|c| {
                let mut key = serde_json::to_vec(c.name).expect("a string serializes");
                key.push(b':');
                key
            })
            .collect();
        JsonlWriter { spec, wtr: BufWriter::with_capacity(64 * 1024, file), path, keys }
    }

    fn write_rows(&mut self, batch: &Batch) -> io::Result<()> {
        let w = &mut self.wtr;
        for row in 0..batch.num_rows() {
            w.write_all(b"{")?;
            for (i, (key, column)) in self.keys.iter().zip(batch.columns()).enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                w.write_all(key)?;
                match column {
                    Column::Str(v) | Column::Category(v) => match v.get(row) {
                        Some(s) => serde_json::to_writer(&mut *w, s)?,
                        None => w.write_all(b"null")?,
                    },
                    Column::Int(v) => match v.get(row) {
                        Some(x) => write!(w, "{x}")?,
                        None => w.write_all(b"null")?,
                    },
                    Column::Float(v) => match v.get(row) {
                        // serde_json writes the shortest round-trip form, always with a `.` or
                        // an exponent, so readers see a float even for whole numbers.
                        Some(x) if x.is_finite() => serde_json::to_writer(&mut *w, &x)?,
                        _ => w.write_all(b"null")?,
                    },
                    Column::Bool(v) => match v.get(row) {
                        Some(x) => w.write_all(if x { b"true" } else { b"false" })?,
                        None => w.write_all(b"null")?,
                    },
                    Column::Timestamp(v) | Column::LocalTimestamp(v) => match v.get(row) {
                        Some(x) => {
                            let utc = matches!(column, Column::Timestamp(_));
                            // RFC 3339 text needs no JSON escaping.
                            w.write_all(b"\"")?;
                            super::write_timestamp(&mut *w, x, utc)?;
                            w.write_all(b"\"")?;
                        }
                        None => w.write_all(b"null")?,
                    },
                    // serde_json writes non-finite floats in lists as `null`.
                    Column::StrList(v) => json_or_null(&mut *w, v[row].as_ref())?,
                    Column::FloatList(v) => json_or_null(&mut *w, v[row].as_ref())?,
                    Column::Cues(v) => json_or_null(&mut *w, v[row].as_ref())?,
                    Column::StrMap(v) => {
                        json_or_null(&mut *w, v[row].as_deref().map(super::JsonMap).as_ref())?
                    }
                }
            }
            w.write_all(b"}\n")?;
        }
        Ok(())
    }
}

/// Writes `value` as compact JSON, or `null` for `None`.
fn json_or_null<W: Write, T: Serialize>(w: &mut W, value: Option<&T>) -> io::Result<()> {
    match value {
        Some(x) => Ok(serde_json::to_writer(w, x)?),
        None => w.write_all(b"null"),
    }
}

impl TableWriter for JsonlWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch(self.spec, batch)?;
        self.write_rows(batch).map_err(|source| ExportError::Io { path: self.path.clone(), source })
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let JsonlWriter { wtr, path, .. } = *self;
        let file =
            wtr.into_inner().map_err(|e| ExportError::Io { path, source: e.into_error() })?;
        file.commit()
    }
}
