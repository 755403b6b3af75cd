//! JSON Lines writer: one JSON object per row, keys in column order.
//!
//! Nulls are `null`. JSON has no NaN or infinity, so non-finite floats are written as `null`
//! too. Objects are written field by field rather than through a map so that key order is the
//! spec's order.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::{AtomicFile, Batch, Column, ExportError, TableSpec, TableWriter, check_batch_spec};

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
                    Column::Str(v) => match &v[row] {
                        Some(s) => serde_json::to_writer(&mut *w, s)?,
                        None => w.write_all(b"null")?,
                    },
                    Column::Int(v) => match v[row] {
                        Some(x) => write!(w, "{x}")?,
                        None => w.write_all(b"null")?,
                    },
                    Column::Float(v) => match v[row] {
                        // serde_json writes the shortest round-trip form, always with a `.` or
                        // an exponent, so readers see a float even for whole numbers.
                        Some(x) if x.is_finite() => serde_json::to_writer(&mut *w, &x)?,
                        _ => w.write_all(b"null")?,
                    },
                    Column::Bool(v) => match v[row] {
                        Some(x) => w.write_all(if x { b"true" } else { b"false" })?,
                        None => w.write_all(b"null")?,
                    },
                }
            }
            w.write_all(b"}\n")?;
        }
        Ok(())
    }
}

impl TableWriter for JsonlWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch_spec(self.spec, batch)?;
        self.write_rows(batch).map_err(|source| ExportError::Io { path: self.path.clone(), source })
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let JsonlWriter { wtr, path, .. } = *self;
        let file =
            wtr.into_inner().map_err(|e| ExportError::Io { path, source: e.into_error() })?;
        file.commit()
    }
}
