//! Typed, columnar tables and the writers that put them on disk.
//!
//! The rest of the program describes each table it exports with a static [`TableSpec`] (the four
//! tables threadlens writes live in [`schema`]), fills a [`Batch`] of [`Column`]s per discussion
//! and hands the batches to a [`TableWriter`] made by [`create_writer`]. This module knows
//! tables, not comments.
//!
//! Writers stream: they accept any number of batches and their memory does not grow with the
//! number of batches written (Parquet buffers at most one row group). Output is atomic: data goes
//! to a temporary file in the target directory that [`TableWriter::finish`] renames to
//! `DIR/<table>.<ext>`; a writer dropped without `finish` removes its temporary file and leaves
//! any existing output untouched.
//!
//! # Column types
//!
//! Each [`DataType`] has one [`Column`] variant and is encoded as follows (a null is a Parquet
//! null, an empty CSV field and a JSON `null` throughout):
//!
//! | [`DataType`] | Parquet (Arrow type) | CSV field | JSONL value |
//! |---|---|---|---|
//! | `Str` | `utf8` | the text | string |
//! | `Int` | `int64` | decimal, `-7` | number, `-7` |
//! | `Float` | `float64` | shortest round-trip form, `0.1`, `2`, `NaN`, `inf` | number, `0.1`, `2.0`; non-finite as `null` |
//! | `Bool` | `bool` | `true` / `false` | `true` / `false` |
//! | `Category` | `dictionary<int32, utf8>` (dictionary-encoded; pandas reads it as `category`, polars as `Categorical`) | the text | string |
//! | `Timestamp` | `timestamp[us, tz=UTC]` | RFC 3339 in UTC, `2023-09-24T08:12:00Z`, `2023-09-24T08:12:00.250Z` | string, as in CSV |
//! | `LocalTimestamp` | `timestamp[us]` (no time zone) | as `Timestamp` without the `Z`, `2023-09-24T08:12:00` | string, as in CSV |
//! | `StrList` | `list<utf8>` | compact JSON array, `["a","b"]` | array of strings |
//! | `FloatList` | `list<float64>` | compact JSON array, `[0.5,1.0]` | array of numbers |
//! | `StrMap` | `map<utf8, utf8>` (keys unique, in the order read) | compact JSON object, `{"score":"3"}` | object of strings |
//! | `Cues` | `list<struct<start: int64, end: int64, label: utf8, text: utf8, weight: float64>>` | compact JSON array of objects, `[{"start":0,"end":7,"label":"vulgarity","text":"bellend","weight":0.8}]` | array of objects, keys in the order `start`, `end`, `label`, `text`, `weight` |
//!
//! Details:
//!
//! - In CSV a null and an empty string read back the same (an empty field), for `Str` and
//!   `Category` alike. Lists keep them apart: an empty list is `[]`, a null an empty field; in
//!   Parquet and JSONL an empty list is an empty list and a null a null.
//! - Parquet fields are nullable as their [`ColumnSpec`] says; list items and the fields of a cue
//!   are never null. Each field carries its column's doc as Arrow field metadata.
//! - Timestamps have microsecond precision. Their fractional seconds are written only when not
//!   whole, with 3 digits when they are whole milliseconds and 6 otherwise (`…:00.250Z`,
//!   `…:00.000001Z`). Writers accept timestamps from `0000-01-01T00:00:00` to
//!   `9999-12-31T23:59:59.999999` (the years RFC 3339 can write) and reject a batch holding
//!   any other with [`ExportError::Schema`], in every format so that formats never disagree
//!   about what can be exported.
//! - Floats in `FloatList` and cue weights are meant to be finite. JSON has no NaN or infinity,
//!   so CSV and JSONL write a non-finite float inside a list as `null` (as JSONL does for a
//!   `Float` value); Parquet keeps it.
//!
//! # Example
//!
//! ```
//! use threadlens::export::{create_writer, schema, Batch, Column, ExportFormat};
//!
//! let dir = tempfile::tempdir()?;
//! let spec = &schema::ANOMALIES;
//! let batch = Batch::new(spec, vec![
//!     Column::Str(vec![Some("a1".into())].into()),
//!     Column::Str(vec![Some("page.txt".into())].into()),
//!     Column::Int(vec![Some(12)].into()),
//!     Column::Str(vec![None].into()),
//!     Column::Category(vec![Some("numbering_gap".into())].into()),
//!     Column::Str(vec![Some("comment 4 follows comment 2".into())].into()),
//! ])?;
//! let mut wtr = create_writer(ExportFormat::Csv, dir.path(), spec)?;
//! wtr.write_batch(&batch)?;
//! let path = wtr.finish()?;
//! assert_eq!(path, dir.path().join("anomalies.csv"));
//! assert_eq!(
//!     std::fs::read_to_string(&path)?,
//!     "article_id,source,line,comment_id,kind,message\n\
//!      a1,page.txt,12,,numbering_gap,comment 4 follows comment 2\n",
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::DateTime;
use tempfile::NamedTempFile;

pub mod convokit;
mod csv;
mod dir;
mod jsonl;
mod parquet;
pub mod schema;
#[cfg(test)]
mod tests;
mod values;

pub use self::dir::{MANIFEST, OutputDir};
pub use self::parquet::{arrow_schema, from_record_batch, record_batch};
pub use self::schema::{
    ANOMALIES, ARTICLES, COMMENTS, EDGES, INTERACTIONS, TABLES, THREADS, schema_markdown,
};
pub use self::values::{Strs, Vals};

/// Version of the exported table layout.
///
/// Bumped whenever a column is added, removed, renamed or changes type or meaning. Written into
/// Parquet key-value metadata as `threadlens.schema_version` and into `docs/schema.md`.
pub const SCHEMA_VERSION: &str = "7";

/// Parquet key-value metadata key holding [`SCHEMA_VERSION`].
pub const SCHEMA_VERSION_KEY: &str = "threadlens.schema_version";

/// Parquet key-value metadata key holding the table name.
pub const TABLE_KEY: &str = "threadlens.table";

/// Arrow field metadata key holding a category column's known values (a JSON array).
pub const VALUES_KEY: &str = "values";

/// Arrow metadata key (on the schema and on each field) holding the table or column doc.
pub const DOC_KEY: &str = "doc";

/// The type of a column's values.
///
/// See the [module docs](self#column-types) for how each type is written in each format.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    /// UTF-8 text (Arrow `Utf8`).
    Str,
    /// 64-bit signed integer (Arrow `Int64`).
    Int,
    /// 64-bit float (Arrow `Float64`).
    Float,
    /// Boolean (Arrow `Boolean`).
    Bool,
    /// Categorical text with few distinct values (Arrow `Dictionary(Int32, Utf8)`).
    Category,
    /// An instant, in microseconds since the Unix epoch (Arrow `Timestamp(Microsecond, "UTC")`).
    Timestamp,
    /// A wall-clock time of an unknown zone (Arrow `Timestamp(Microsecond, None)`).
    LocalTimestamp,
    /// A list of UTF-8 strings (Arrow `List(Utf8)`).
    StrList,
    /// A list of 64-bit floats (Arrow `List(Float64)`).
    FloatList,
    /// A list of [`CueValue`]s (Arrow `List(Struct(start, end, label, text, weight))`).
    Cues,
    /// Text keyed by text (Arrow `Map(Utf8, Utf8)`), keys unique and in the order read.
    StrMap,
}

impl DataType {
    /// The Parquet/Arrow-style name used in the schema document: `string`, `int64`, `float64`,
    /// `bool`, `category` (dictionary-encoded text), `timestamp[us, UTC]`, `timestamp[us]`,
    /// `list<string>`, `list<float64>`, `list<struct<start, end, label, text, weight>>` or
    /// `map<string, string>`.
    ///
    /// ```
    /// use threadlens::export::DataType;
    ///
    /// assert_eq!(DataType::Timestamp.type_name(), "timestamp[us, UTC]");
    /// assert_eq!(DataType::StrList.type_name(), "list<string>");
    /// ```
    pub fn type_name(self) -> &'static str {
        match self {
            DataType::Str => "string",
            DataType::Int => "int64",
            DataType::Float => "float64",
            DataType::Bool => "bool",
            DataType::Category => "category",
            DataType::Timestamp => "timestamp[us, UTC]",
            DataType::LocalTimestamp => "timestamp[us]",
            DataType::StrList => "list<string>",
            DataType::FloatList => "list<float64>",
            DataType::Cues => "list<struct<start, end, label, text, weight>>",
            DataType::StrMap => "map<string, string>",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One column of a table: its name, type, nullability and meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name, as written in headers, JSON keys and Parquet fields.
    pub name: &'static str,
    /// Type of the values.
    pub dtype: DataType,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// One-line meaning of the column, for the schema document and Parquet field metadata.
    pub doc: &'static str,
    /// For a category: its known values, in order. A Parquet dictionary holds only the values
    /// present, so Parquet files list the known ones, as a JSON array, in the field's Arrow
    /// metadata under [`VALUES_KEY`]: a reader can give every file and shard the same categories
    /// (`pd.CategoricalDtype(values)`). Empty: values as they come.
    pub values: &'static [&'static str],
}

/// A table: its name (also the output file stem), meaning and columns in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// Table name; output goes to `DIR/<name>.<ext>`.
    pub name: &'static str,
    /// One-line meaning of a row of the table.
    pub doc: &'static str,
    /// Columns, in output order.
    pub columns: &'static [ColumnSpec],
}

/// One cue of a [`Cues`](Column::Cues) column (an explanation span of a score).
///
/// Serializes to JSON as an object with keys in field order, as the CSV and JSONL writers write
/// it: `{"start":0,"end":7,"label":"vulgarity","text":"bellend","weight":0.8}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CueValue {
    /// Start of the span in the scored text (as the scorer counts positions).
    pub start: i64,
    /// End of the span, exclusive.
    pub end: i64,
    /// What the span is evidence of, e.g. `vulgarity`.
    pub label: String,
    /// The text of the span.
    pub text: String,
    /// The span's contribution to the score; expected to be finite.
    pub weight: f64,
}

/// The values of one column; `None` is null.
///
/// See the [module docs](self#column-types) for how each variant is written in each format.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Values of a [`DataType::Str`] column.
    Str(Strs),
    /// Values of a [`DataType::Int`] column.
    Int(Vals<i64>),
    /// Values of a [`DataType::Float`] column.
    Float(Vals<f64>),
    /// Values of a [`DataType::Bool`] column.
    Bool(Vals<bool>),
    /// Categorical text (few distinct values): Parquet `dictionary<int32, utf8>`; plain strings
    /// in CSV/JSONL.
    Category(Strs),
    /// Instants: microseconds since the Unix epoch, UTC. Parquet `timestamp[us, tz=UTC]`.
    Timestamp(Vals<i64>),
    /// Wall-clock times whose zone the source does not give: microseconds since
    /// 1970-01-01T00:00:00 of that wall clock. Parquet `timestamp[us]` without time zone.
    LocalTimestamp(Vals<i64>),
    /// Lists of strings: Parquet `list<utf8>`.
    StrList(Vec<Option<Vec<String>>>),
    /// Lists of floats: Parquet `list<float64>`.
    FloatList(Vec<Option<Vec<f64>>>),
    /// Lists of cues: Parquet
    /// `list<struct<start: int64, end: int64, label: utf8, text: utf8, weight: float64>>`.
    Cues(Vec<Option<Vec<CueValue>>>),
    /// Maps of text to text, as (key, value) pairs with unique keys: Parquet
    /// `map<utf8, utf8>`.
    StrMap(Vec<Option<Vec<(String, String)>>>),
}

impl Column {
    /// The type of the values.
    pub fn dtype(&self) -> DataType {
        match self {
            Column::Str(_) => DataType::Str,
            Column::Int(_) => DataType::Int,
            Column::Float(_) => DataType::Float,
            Column::Bool(_) => DataType::Bool,
            Column::Category(_) => DataType::Category,
            Column::Timestamp(_) => DataType::Timestamp,
            Column::LocalTimestamp(_) => DataType::LocalTimestamp,
            Column::StrList(_) => DataType::StrList,
            Column::FloatList(_) => DataType::FloatList,
            Column::Cues(_) => DataType::Cues,
            Column::StrMap(_) => DataType::StrMap,
        }
    }

    /// Number of values, nulls included.
    pub fn len(&self) -> usize {
        match self {
            Column::Str(v) | Column::Category(v) => v.len(),
            Column::Int(v) | Column::Timestamp(v) | Column::LocalTimestamp(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::StrList(v) => v.len(),
            Column::FloatList(v) => v.len(),
            Column::Cues(v) => v.len(),
            Column::StrMap(v) => v.len(),
        }
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the value in `row` is null.
    ///
    /// # Panics
    /// If `row` is out of bounds.
    pub fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Str(v) | Column::Category(v) => v.is_null(row),
            Column::Int(v) | Column::Timestamp(v) | Column::LocalTimestamp(v) => v.is_null(row),
            Column::Float(v) => v.is_null(row),
            Column::Bool(v) => v.is_null(row),
            Column::StrList(v) => v[row].is_none(),
            Column::FloatList(v) => v[row].is_none(),
            Column::Cues(v) => v[row].is_none(),
            Column::StrMap(v) => v[row].is_none(),
        }
    }

    /// A copy of `rows`.
    ///
    /// # Panics
    /// If `rows` is out of bounds.
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Column {
        match self {
            Column::Str(v) => Column::Str(v.slice(rows)),
            Column::Category(v) => Column::Category(v.slice(rows)),
            Column::Int(v) => Column::Int(v.slice(rows)),
            Column::Timestamp(v) => Column::Timestamp(v.slice(rows)),
            Column::LocalTimestamp(v) => Column::LocalTimestamp(v.slice(rows)),
            Column::Float(v) => Column::Float(v.slice(rows)),
            Column::Bool(v) => Column::Bool(v.slice(rows)),
            Column::StrList(v) => Column::StrList(v[rows].to_vec()),
            Column::FloatList(v) => Column::FloatList(v[rows].to_vec()),
            Column::Cues(v) => Column::Cues(v[rows].to_vec()),
            Column::StrMap(v) => Column::StrMap(v[rows].to_vec()),
        }
    }

    fn first_null(&self) -> Option<usize> {
        (0..self.len()).find(|&row| self.is_null(row))
    }
}

/// A [`Column::StrMap`] value written as a JSON object (CSV, JSONL, ConvoKit meta).
pub(crate) struct JsonMap<'a>(pub &'a [(String, String)]);

impl serde::Serialize for JsonMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Rows of one table, stored column by column and checked against the table's spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    spec: &'static TableSpec,
    columns: Vec<Column>,
}

impl Batch {
    /// Makes a batch of `spec`'s table from `columns`.
    ///
    /// Checks that there is one column per spec column, in order; that each column's type
    /// matches its spec; that all columns have the same length; and that no non-nullable column
    /// holds a null. Returns [`ExportError::Schema`] naming the table and column otherwise.
    ///
    /// ```
    /// use threadlens::export::{Batch, Column, TableSpec, ColumnSpec, DataType};
    ///
    /// static PAIRS: TableSpec = TableSpec {
    ///     name: "pairs",
    ///     doc: "One row per pair.",
    ///     columns: &[
    ///         ColumnSpec { name: "key", dtype: DataType::Str, nullable: false, doc: "Key.", values: &[] },
    ///         ColumnSpec { name: "value", dtype: DataType::Float, nullable: true, doc: "Value.", values: &[] },
    ///     ],
    /// };
    /// let batch = Batch::new(&PAIRS, vec![
    ///     Column::Str(vec![Some("a".into()), Some("b".into())].into()),
    ///     Column::Float(vec![Some(0.5), None].into()),
    /// ])?;
    /// assert_eq!(batch.num_rows(), 2);
    ///
    /// let err = Batch::new(&PAIRS, vec![
    ///     Column::Str(vec![Some("a".into())].into()),
    ///     Column::Int(vec![Some(1)].into()),
    /// ]).unwrap_err();
    /// assert_eq!(err.to_string(), "column `value` of table `pairs`: expected Float, got Int");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(spec: &'static TableSpec, columns: Vec<Column>) -> Result<Batch, ExportError> {
        let table = spec.name;
        if columns.len() != spec.columns.len() {
            return Err(ExportError::Schema(format!(
                "table `{table}`: expected {} columns, got {}",
                spec.columns.len(),
                columns.len()
            )));
        }
        let num_rows = columns.first().map_or(0, Column::len);
        for (col_spec, column) in spec.columns.iter().zip(&columns) {
            let name = col_spec.name;
            if column.dtype() != col_spec.dtype {
                return Err(ExportError::Schema(format!(
                    "column `{name}` of table `{table}`: expected {}, got {}",
                    col_spec.dtype,
                    column.dtype()
                )));
            }
            if column.len() != num_rows {
                return Err(ExportError::Schema(format!(
                    "column `{name}` of table `{table}`: expected {num_rows} rows (as column `{}`), \
                     got {}",
                    spec.columns[0].name,
                    column.len()
                )));
            }
            if !col_spec.nullable
                && let Some(row) = column.first_null()
            {
                return Err(ExportError::Schema(format!(
                    "column `{name}` of table `{table}`: expected no nulls (not nullable), \
                     got null in row {row} (0-based)"
                )));
            }
        }
        Ok(Batch { spec, columns })
    }

    /// The spec the batch was checked against.
    pub fn spec(&self) -> &'static TableSpec {
        self.spec
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// The columns, in spec order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
}

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// Apache Parquet, snappy compressed, typed and nullable per spec (the default).
    #[default]
    Parquet,
    /// Comma-separated values with a header row; nulls are empty fields.
    Csv,
    /// JSON Lines: one JSON object per row; nulls are `null`.
    Jsonl,
}

impl ExportFormat {
    /// All formats, in the order they are listed to users.
    pub const ALL: [ExportFormat; 3] =
        [ExportFormat::Parquet, ExportFormat::Csv, ExportFormat::Jsonl];

    /// The lower-case name, as accepted by [`FromStr`]: `parquet`, `csv` or `jsonl`.
    pub fn name(&self) -> &'static str {
        match self {
            ExportFormat::Parquet => "parquet",
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }

    /// The file extension, without the dot: `parquet`, `csv` or `jsonl`.
    pub fn extension(&self) -> &'static str {
        self.name()
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ExportFormat {
    type Err = ExportError;

    /// Parses `parquet`, `csv` or `jsonl`, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s)).ok_or_else(|| {
            ExportError::Schema(format!(
                "unknown export format `{s}`: expected one of parquet, csv, jsonl"
            ))
        })
    }
}

/// An error while building a batch or writing a table.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading or writing `path` failed.
    #[error("could not write '{}'", path.display())]
    Io {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The Parquet writer failed on `path`.
    #[error("could not write Parquet file '{}'", path.display())]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: ::parquet::errors::ParquetError,
    },
    /// The CSV writer failed on `path`.
    #[error("could not write CSV file '{}'", path.display())]
    Csv {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: ::csv::Error,
    },
    /// Data did not match a table spec, or a value was not valid (e.g. an unknown format name).
    #[error("{0}")]
    Schema(String),
}

/// Writes batches of one table to one file.
///
/// Made by [`create_writer`]. Dropping a writer without calling [`finish`](TableWriter::finish)
/// discards what was written and leaves any existing output file untouched.
pub trait TableWriter: Send {
    /// Appends the rows of `batch`, whose spec must be the writer's spec.
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError>;

    /// Flushes, syncs to disk and atomically renames the temporary file to `DIR/<table>.<ext>`,
    /// replacing any file of that name. Returns the final path.
    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError>;
}

/// Makes a writer for `spec`'s table in `format`, writing `dir/<table>.<ext>` on finish.
///
/// `dir` must exist. The temporary file is created in `dir` at once, so an unwritable directory
/// fails here rather than after the run. Fails with [`ExportError::Schema`] if `spec` has no
/// columns, repeats a column name or has a table name that is not a plain file stem.
///
/// ```
/// use threadlens::export::{create_writer, schema, ExportFormat};
///
/// let dir = tempfile::tempdir()?;
/// let wtr = create_writer(ExportFormat::Parquet, dir.path(), &schema::COMMENTS)?;
/// let path = wtr.finish()?; // an empty table: schema only
/// assert_eq!(path, dir.path().join("comments.parquet"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn create_writer(
    format: ExportFormat,
    dir: &Path,
    spec: &'static TableSpec,
) -> Result<Box<dyn TableWriter>, ExportError> {
    create_writer_with_metadata(format, dir, spec, &[])
}

/// As [`create_writer`], adding `metadata` (key, value) pairs to a Parquet file's key-value
/// metadata (after `threadlens.schema_version` and `threadlens.table`); CSV and JSONL have
/// nowhere to put them and leave them out.
pub fn create_writer_with_metadata(
    format: ExportFormat,
    dir: &Path,
    spec: &'static TableSpec,
    metadata: &[(String, String)],
) -> Result<Box<dyn TableWriter>, ExportError> {
    check_spec(spec)?;
    let file_name = format!("{}.{}", spec.name, format.extension());
    let file = AtomicFile::create(dir, &file_name)?;
    Ok(match format {
        ExportFormat::Parquet => Box::new(parquet::ParquetWriter::new(file, spec, metadata)?),
        ExportFormat::Csv => Box::new(csv::CsvWriter::new(file, spec)?),
        ExportFormat::Jsonl => Box::new(jsonl::JsonlWriter::new(file, spec)),
    })
}

fn check_spec(spec: &TableSpec) -> Result<(), ExportError> {
    let table = spec.name;
    let plain = !table.is_empty()
        && table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !plain {
        return Err(ExportError::Schema(format!(
            "table `{table}`: expected a name of ASCII letters, digits, `_` or `-`"
        )));
    }
    if spec.columns.is_empty() {
        return Err(ExportError::Schema(format!(
            "table `{table}`: expected at least one column, got none"
        )));
    }
    for (i, col) in spec.columns.iter().enumerate() {
        if spec.columns[..i].iter().any(|c| c.name == col.name) {
            return Err(ExportError::Schema(format!(
                "table `{table}`: expected unique column names, got `{}` twice",
                col.name
            )));
        }
    }
    Ok(())
}

/// Checks that `batch` belongs to the table a writer was made for and that its values can be
/// written in every format (see [`check_batch_values`]). Writers call this before writing any
/// row of a batch, so a rejected batch leaves nothing behind.
fn check_batch(writer_spec: &'static TableSpec, batch: &Batch) -> Result<(), ExportError> {
    check_batch_spec(writer_spec, batch)?;
    check_batch_values(batch)
}

/// Checks that `batch` belongs to the table a writer was made for.
fn check_batch_spec(writer_spec: &'static TableSpec, batch: &Batch) -> Result<(), ExportError> {
    if std::ptr::eq(writer_spec, batch.spec()) || writer_spec == batch.spec() {
        Ok(())
    } else {
        Err(ExportError::Schema(format!(
            "writer for table `{}`: expected a batch of that table, got a batch of table `{}`",
            writer_spec.name,
            batch.spec().name
        )))
    }
}

/// Microseconds from the Unix epoch to `0000-01-01T00:00:00`, the earliest timestamp writers
/// accept (RFC 3339 writes four-digit years only).
const MIN_TIMESTAMP_MICROS: i64 = -62_167_219_200_000_000;

/// Microseconds from the Unix epoch to `9999-12-31T23:59:59.999999`, the latest timestamp
/// writers accept.
const MAX_TIMESTAMP_MICROS: i64 = 253_402_300_799_999_999;

/// Checks what [`Batch::new`] does not: that timestamps lie in the years 0000 to 9999.
///
/// The check is made for every format, Parquet included, so that a batch either exports in all
/// formats or in none.
fn check_batch_values(batch: &Batch) -> Result<(), ExportError> {
    let range = MIN_TIMESTAMP_MICROS..=MAX_TIMESTAMP_MICROS;
    for (col, column) in batch.spec().columns.iter().zip(batch.columns()) {
        if let Column::Timestamp(v) | Column::LocalTimestamp(v) = column
            && let Some((row, micros)) = v
                .iter()
                .enumerate()
                .find_map(|(row, x)| x.filter(|x| !range.contains(x)).map(|x| (row, x)))
        {
            return Err(ExportError::Schema(format!(
                "column `{}` of table `{}`: expected a timestamp from 0000-01-01T00:00:00 to \
                 9999-12-31T23:59:59.999999, got {micros} microseconds since 1970-01-01T00:00:00 \
                 in row {row} (0-based)",
                col.name,
                batch.spec().name
            )));
        }
    }
    Ok(())
}

/// Writes a timestamp of `micros` microseconds since 1970-01-01T00:00:00 as RFC 3339 text,
/// `2023-09-24T08:12:00`, with fractional seconds only when they are not whole (3 digits for
/// whole milliseconds, else 6) and a trailing `Z` when `utc`.
///
/// Fails with [`io::ErrorKind::InvalidData`] if chrono cannot represent the time; writers rule
/// that out beforehand with [`check_batch_values`].
fn write_timestamp<W: Write + ?Sized>(w: &mut W, micros: i64, utc: bool) -> io::Result<()> {
    let time = DateTime::from_timestamp_micros(micros).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, format!("timestamp out of range: {micros}"))
    })?;
    // `%.f` writes the fraction with 0, 3, 6 or 9 digits, whichever is the shortest exact one.
    write!(w, "{}", time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f"))?;
    if utc {
        w.write_all(b"Z")?;
    }
    Ok(())
}

/// A file written under a temporary name and renamed into place on [`commit`](Self::commit).
///
/// The temporary file is created in the target directory (so the rename cannot cross file
/// systems) and is removed if the `AtomicFile` is dropped without `commit`; an existing file at
/// the final path stays untouched until then.
///
/// ```
/// use std::io::Write;
/// use threadlens::export::AtomicFile;
///
/// let dir = tempfile::tempdir()?;
/// let mut file = AtomicFile::create(dir.path(), "notes.txt")?;
/// file.write_all(b"hello\n")?;
/// assert!(!dir.path().join("notes.txt").exists());
/// let path = file.commit()?;
/// assert_eq!(std::fs::read_to_string(path)?, "hello\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    tmp: NamedTempFile,
    path: PathBuf,
}

impl AtomicFile {
    /// Creates a temporary file in `dir` that [`commit`](Self::commit) renames to
    /// `dir/file_name`.
    pub fn create(dir: &Path, file_name: &str) -> Result<AtomicFile, ExportError> {
        let path = dir.join(file_name);
        let mut builder = tempfile::Builder::new();
        // A leading dot hides the file from casual listings; the final name in it tells whose
        // leftover it is should the process be killed before cleanup.
        let prefix = format!(".{file_name}.");
        builder.prefix(&prefix).suffix(".tmp");
        // tempfile creates files 0600; ask for what `File::create` gives (0666 minus umask) so
        // the renamed output is readable like any other file the user writes.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(dir)
            .map_err(|source| ExportError::Io { path: path.clone(), source })?;
        Ok(AtomicFile { tmp, path })
    }

    /// The final path, written on [`commit`](Self::commit).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, for writers that take a `&File` (`&File` is `Write`).
    pub fn as_file(&self) -> &std::fs::File {
        self.tmp.as_file()
    }

    /// The temporary path data is written to until [`commit`](Self::commit).
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Flushes, syncs the data to disk and renames the temporary file to the final path,
    /// replacing any file there. Returns the final path.
    pub fn commit(mut self) -> Result<PathBuf, ExportError> {
        let io_err = |source| ExportError::Io { path: self.path.clone(), source };
        self.tmp.flush().map_err(io_err)?;
        self.tmp.as_file().sync_all().map_err(io_err)?;
        let path = self.path.clone();
        self.tmp
            .persist(&path)
            .map_err(|e| ExportError::Io { path: path.clone(), source: e.error })?;
        // Make the rename itself durable. Best effort: some platforms and file systems cannot
        // open or sync a directory, and the data is already in place.
        if let Some(dir) = path.parent()
            && let Ok(dir) =
                File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
        {
            let _ = dir.sync_all();
        }
        Ok(path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    fn pair_columns() -> Vec<Column> {
        vec![
            Column::Str(vec![Some("a1".into()), Some("a2".into())].into()),
            Column::Str(vec![Some("x.txt".into()), Some("y.txt".into())].into()),
            Column::Int(vec![Some(3), None].into()),
            Column::Str(vec![None, Some("c4".into())].into()),
            Column::Category(vec![Some("orphan".into()), Some("cycle".into())].into()),
            Column::Str(vec![Some("m1".into()), Some("m2".into())].into()),
        ]
    }

    #[test]
    fn accepts_matching_columns() {
        let batch = Batch::new(&ANOMALIES, pair_columns()).unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.columns(), pair_columns().as_slice());
        assert!(std::ptr::eq(batch.spec(), &ANOMALIES));
    }

    #[test]
    fn rejects_wrong_column_count() {
        let mut columns = pair_columns();
        columns.pop();
        let err = Batch::new(&ANOMALIES, columns).unwrap_err();
        assert_eq!(err.to_string(), "table `anomalies`: expected 6 columns, got 5");
    }

    #[test]
    fn rejects_wrong_type() {
        let mut columns = pair_columns();
        columns[2] = Column::Str(vec![Some("3".into()), None].into());
        let err = Batch::new(&ANOMALIES, columns).unwrap_err();
        assert_eq!(err.to_string(), "column `line` of table `anomalies`: expected Int, got Str");
    }

    #[test]
    fn rejects_unequal_lengths() {
        let mut columns = pair_columns();
        columns[4] = Column::Category(vec![Some("orphan".into())].into());
        let err = Batch::new(&ANOMALIES, columns).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `kind` of table `anomalies`: expected 2 rows (as column `article_id`), got 1"
        );
    }

    #[test]
    fn rejects_null_in_non_nullable_column() {
        let mut columns = pair_columns();
        columns[5] = Column::Str(vec![Some("m1".into()), None].into());
        let err = Batch::new(&ANOMALIES, columns).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `message` of table `anomalies`: expected no nulls (not nullable), got null \
             in row 1 (0-based)"
        );
    }

    #[test]
    fn format_from_str_accepts_the_three_names() {
        for (name, format) in [
            ("parquet", ExportFormat::Parquet),
            ("csv", ExportFormat::Csv),
            ("jsonl", ExportFormat::Jsonl),
            ("CSV", ExportFormat::Csv),
            ("Parquet", ExportFormat::Parquet),
            ("JSONL", ExportFormat::Jsonl),
        ] {
            assert_eq!(name.parse::<ExportFormat>().unwrap(), format, "{name}");
        }
        for format in ExportFormat::ALL {
            assert_eq!(format.to_string().parse::<ExportFormat>().unwrap(), format);
            assert_eq!(format.extension(), format.to_string());
        }
        assert_eq!(ExportFormat::default(), ExportFormat::Parquet);
    }

    #[test]
    fn format_from_str_rejects_others() {
        for name in ["json", "tsv", "", " csv", "parquet.gz"] {
            let err = name.parse::<ExportFormat>().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("unknown export format `{name}`: expected one of parquet, csv, jsonl")
            );
        }
    }
}
