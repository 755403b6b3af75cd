//! Test helpers: a temp working directory that runs the built binary
//! (xsv's `Workdir`, ripgrep's `Dir`), readers that load an exported table
//! back in any format, and a diff-friendly string assert (ripgrep's
//! `eqnice!`).

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, StringArray};
use arrow_schema::{DataType, TimeUnit};
use assert_cmd::Command;
use chrono::DateTime;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

/// A temporary directory, removed on drop, in which the binary runs.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A fresh, empty directory.
    pub fn new() -> Workdir {
        let dir =
            tempfile::Builder::new().prefix("threadlens-test-").tempdir().expect("create temp dir");
        Workdir { dir }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` resolved inside the directory.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Writes `contents` to `rel`, creating parent folders.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent dirs");
        }
        std::fs::write(&path, contents).expect("write input file");
        path
    }

    /// The built `threadlens` binary with `args`, run in this directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("threadlens").expect("threadlens binary is built");
        cmd.current_dir(self.path()).args(args);
        cmd
    }

    /// Runs `threadlens args` and captures its exit code and output.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run threadlens");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Names of the entries of folder `rel`, sorted.
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.join(rel))
            .expect("read dir")
            .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Reads the table at `rel`, by its extension (`parquet`, `csv`, `jsonl`).
    pub fn table(&self, rel: &str) -> Table {
        read_table(&self.join(rel))
    }
}

/// What a run of the binary gave.
pub struct Run {
    args: Vec<String>,
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics, showing both streams, unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        if self.code != Some(code) {
            panic!("expected exit code {code}, got {self:?}");
        }
        self
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "~".repeat(72);
        write!(
            f,
            "exit code {:?} from `threadlens {}`\n\nstdout:\n{rule}\n{}\n{rule}\n\nstderr:\n{rule}\n{}\n{rule}",
            self.code,
            self.args.join(" "),
            self.stdout,
            self.stderr
        )
    }
}

/// An exported table read back: column names in file order and rows of
/// values in column order.
#[derive(Debug)]
pub struct Table {
    /// Column names, in the order the file has them.
    pub columns: Vec<String>,
    /// Rows; each holds one value per column. CSV values are strings (an
    /// empty field is `Null`); Parquet and JSONL values are typed, except
    /// that categories and timestamps are strings as the CSV and JSONL
    /// writers write them (`2023-09-24T08:12:00.250Z`, no `Z` for local
    /// times) and Parquet lists and cues are arrays and objects as JSONL has
    /// them.
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Index of column `name`.
    #[track_caller]
    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.columns))
    }

    /// The value of column `name` in `row`, written the same way for every
    /// format: strings (categories and RFC 3339 timestamps included) as they
    /// are, numbers and booleans as text, lists as compact JSON with cue keys
    /// in the order `start`, `end`, `label`, `text`, `weight` (as the CSV
    /// writer writes them: `["a","b"]`, `[0.5,1.0]`), null as "".
    #[track_caller]
    pub fn cell(&self, row: usize, name: &str) -> String {
        match &self.rows[row][self.col(name)] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => compact_json(other),
        }
    }

    /// Every value of column `name`, as [`Table::cell`] writes it.
    #[track_caller]
    pub fn column(&self, name: &str) -> Vec<String> {
        (0..self.len()).map(|r| self.cell(r, name)).collect()
    }

    /// The only row whose column `name` is `value`.
    #[track_caller]
    pub fn row_where(&self, name: &str, value: &str) -> usize {
        let hits: Vec<usize> = (0..self.len()).filter(|&r| self.cell(r, name) == value).collect();
        match hits[..] {
            [r] => r,
            _ => panic!("expected one row with {name} = {value:?}, got rows {hits:?}"),
        }
    }
}

/// Reads a table written by `analyse`, choosing the reader by extension.
#[track_caller]
pub fn read_table(path: &Path) -> Table {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => read_parquet(path),
        Some("csv") => read_csv(path),
        Some("jsonl") => read_jsonl(path),
        _ => panic!("unknown table extension: {}", path.display()),
    }
}

/// Reads a Parquet file through Arrow record batches.
pub fn read_parquet(path: &Path) -> Table {
    let file = File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("Parquet footer");
    let columns: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    for batch in builder.build().expect("Parquet reader") {
        let batch = batch.expect("Parquet record batch");
        let cols: Vec<Vec<Value>> =
            batch.columns().iter().map(|a| arrow_values(a.as_ref())).collect();
        for r in 0..batch.num_rows() {
            rows.push(cols.iter().map(|c| c[r].clone()).collect());
        }
    }
    Table { columns, rows }
}

/// The values of an Arrow array as JSON values, null for null: the scalar
/// types as themselves, categories as strings, timestamps as RFC 3339 strings,
/// lists as arrays and structs (cues) as objects.
fn arrow_values(a: &dyn Array) -> Vec<Value> {
    let any = a.as_any();
    let nullable = |i: usize, v: Value| if a.is_null(i) { Value::Null } else { v };
    if let DataType::Timestamp(TimeUnit::Microsecond, tz) = a.data_type() {
        let t = a.as_primitive::<TimestampMicrosecondType>();
        let utc = tz.is_some();
        (0..t.len()).map(|i| nullable(i, Value::from(rfc3339(t.value(i), utc)))).collect()
    } else if let Some(d) = a.as_dictionary_opt::<Int32Type>() {
        let values = arrow_values(d.values().as_ref());
        d.keys().iter().map(|k| k.map_or(Value::Null, |k| values[k as usize].clone())).collect()
    } else if let Some(l) = a.as_list_opt::<i32>() {
        l.iter()
            .map(|list| list.map_or(Value::Null, |items| Value::Array(arrow_values(&items))))
            .collect()
    } else if let Some(m) = a.as_map_opt() {
        // A map (`extra`) as an object, its entries in the order written.
        let keys = arrow_values(m.keys().as_ref());
        let values = arrow_values(m.values().as_ref());
        let offsets = m.value_offsets();
        (0..m.len())
            .map(|i| {
                let (from, to) = (offsets[i] as usize, offsets[i + 1] as usize);
                let entries = (from..to).map(|j| {
                    let k = keys[j].as_str().expect("map keys are strings").to_string();
                    (k, values[j].clone())
                });
                nullable(i, Value::Object(entries.collect()))
            })
            .collect()
    } else if let Some(st) = a.as_struct_opt() {
        let fields: Vec<(&String, Vec<Value>)> = st
            .fields()
            .iter()
            .zip(st.columns())
            .map(|(f, c)| (f.name(), arrow_values(c.as_ref())))
            .collect();
        (0..st.len())
            .map(|i| {
                let object = fields.iter().map(|(name, v)| ((*name).clone(), v[i].clone()));
                nullable(i, Value::Object(object.collect()))
            })
            .collect()
    } else if let Some(s) = any.downcast_ref::<StringArray>() {
        (0..s.len()).map(|i| nullable(i, Value::from(s.value(i)))).collect()
    } else if let Some(n) = any.downcast_ref::<Int64Array>() {
        (0..n.len()).map(|i| nullable(i, Value::from(n.value(i)))).collect()
    } else if let Some(x) = any.downcast_ref::<Float64Array>() {
        (0..x.len()).map(|i| nullable(i, Value::from(x.value(i)))).collect()
    } else if let Some(b) = any.downcast_ref::<BooleanArray>() {
        (0..b.len()).map(|i| nullable(i, Value::from(b.value(i)))).collect()
    } else {
        panic!("unexpected Arrow type {:?} in an exported table", a.data_type())
    }
}

/// `micros` microseconds since 1970-01-01T00:00:00 as the CSV and JSONL
/// writers write it: RFC 3339, fractional seconds only when not whole (3 or 6
/// digits), `Z` when `utc`.
fn rfc3339(micros: i64, utc: bool) -> String {
    let time = DateTime::from_timestamp_micros(micros)
        .unwrap_or_else(|| panic!("timestamp out of range: {micros}"));
    let text = time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f");
    if utc { format!("{text}Z") } else { text.to_string() }
}

/// `value` as compact JSON, as serde_json writes it, except that object keys
/// come in the order of a cue (`start`, `end`, `label`, `text`, `weight`), then
/// any others by name: serde_json's `Map` sorts keys, so JSONL objects lose
/// the order the writer gave them.
fn compact_json(value: &Value) -> String {
    const CUE_KEYS: [&str; 5] = ["start", "end", "label", "text", "weight"];
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact_json).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| {
                (CUE_KEYS.iter().position(|c| c == k).unwrap_or(CUE_KEYS.len()), *k)
            });
            let entries: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::from(k.as_str()), compact_json(&map[k])))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        other => other.to_string(),
    }
}

/// Reads a CSV file with a header row; empty fields are null.
pub fn read_csv(path: &Path) -> Table {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let columns = rdr.headers().expect("CSV header").iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|rec| {
            rec.expect("CSV record")
                .iter()
                .map(|f| if f.is_empty() { Value::Null } else { Value::from(f) })
                .collect()
        })
        .collect();
    Table { columns, rows }
}

/// Reads JSON Lines, one object per line, keeping the keys' order. The
/// columns are the first object's keys (none when the file is empty); every
/// later object must have the same keys in the same order.
pub fn read_jsonl(path: &Path) -> Table {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut columns: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let OrderedObject(pairs) = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: not a JSON object: {e}", path.display(), i + 1));
        let (keys, values): (Vec<String>, Vec<Value>) = pairs.into_iter().unzip();
        match &columns {
            None => columns = Some(keys),
            Some(cols) => assert_eq!(cols, &keys, "{}:{}: keys differ", path.display(), i + 1),
        }
        rows.push(values);
    }
    Table { columns: columns.unwrap_or_default(), rows }
}

/// A JSON object with its keys in source order (serde_json's `Map` sorts
/// them unless its `preserve_order` feature is on).
struct OrderedObject(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for OrderedObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<OrderedObject, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, Value>()? {
                    pairs.push(pair);
                }
                Ok(OrderedObject(pairs))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// Like `assert_eq!` on strings, but prints both sides whole, between
/// rules, and names the first line that differs (ripgrep's `eqnice!`).
#[track_caller]
pub fn assert_eq_nice(expected: &str, got: &str) {
    if expected == got {
        return;
    }
    let first_diff = expected
        .lines()
        .zip(got.lines())
        .position(|(e, g)| e != g)
        .unwrap_or_else(|| expected.lines().count().min(got.lines().count()));
    let rule = "~".repeat(72);
    panic!(
        "\nstrings differ (first at line {}):\n\nexpected:\n{rule}\n{expected}\n{rule}\n\ngot:\n{rule}\n{got}\n{rule}\n",
        first_diff + 1
    );
}

#[cfg(test)]
mod tests {
    use threadlens::export::{
        Batch, Column, ColumnSpec, CueValue, DataType, ExportFormat, TableSpec, create_writer,
    };

    use super::*;

    const fn col(name: &'static str, dtype: DataType) -> ColumnSpec {
        ColumnSpec { name, dtype, nullable: true, doc: "A test column.", values: &[] }
    }

    static TYPES: TableSpec = TableSpec {
        name: "types",
        doc: "One column of every type.",
        columns: &[
            col("str", DataType::Str),
            col("int", DataType::Int),
            col("float", DataType::Float),
            col("bool", DataType::Bool),
            col("category", DataType::Category),
            col("timestamp", DataType::Timestamp),
            col("local", DataType::LocalTimestamp),
            col("strs", DataType::StrList),
            col("floats", DataType::FloatList),
            col("cues", DataType::Cues),
        ],
    };

    #[test]
    fn readers_give_the_same_cells_in_every_format() {
        let s = |v: &str| Some(v.to_string());
        let cue = CueValue {
            start: 0,
            end: 7,
            label: "vulgarity".into(),
            text: "\"bell\"\nend 🙂".into(),
            weight: 0.8,
        };
        let batch = Batch::new(
            &TYPES,
            vec![
                Column::Str(vec![s("a, \"b\""), None, s("c")].into()),
                Column::Int(vec![Some(-7), None, Some(0)].into()),
                Column::Float(vec![Some(0.5), None, Some(2.0)].into()),
                Column::Bool(vec![Some(true), None, Some(false)].into()),
                Column::Category(vec![s("comment"), None, s("comment")].into()),
                Column::Timestamp(vec![Some(1_695_543_120_000_000), None, Some(-250_000)].into()),
                Column::LocalTimestamp(vec![Some(1_695_543_120_000_001), None, Some(0)].into()),
                Column::StrList(vec![
                    Some(vec!["a".into(), "b\n\"c\"".into()]),
                    None,
                    Some(vec![]),
                ]),
                Column::FloatList(vec![Some(vec![0.5, 1.0]), None, Some(vec![])]),
                Column::Cues(vec![Some(vec![cue]), None, Some(vec![])]),
            ],
        )
        .unwrap();
        let expected = [
            [
                "a, \"b\"",
                "-7",
                "0.5",
                "true",
                "comment",
                "2023-09-24T08:12:00Z",
                "2023-09-24T08:12:00.000001",
                r#"["a","b\n\"c\""]"#,
                "[0.5,1.0]",
                r#"[{"start":0,"end":7,"label":"vulgarity","text":"\"bell\"\nend 🙂","weight":0.8}]"#,
            ],
            [""; 10],
            [
                "c",
                "0",
                "2",
                "false",
                "comment",
                "1969-12-31T23:59:59.750Z",
                "1970-01-01T00:00:00",
                "[]",
                "[]",
                "[]",
            ],
        ];
        let dir = tempfile::tempdir().unwrap();
        for format in ExportFormat::ALL {
            let mut wtr = create_writer(format, dir.path(), &TYPES).unwrap();
            wtr.write_batch(&batch).unwrap();
            let table = read_table(&wtr.finish().unwrap());
            for (row, cells) in expected.iter().enumerate() {
                let got: Vec<String> =
                    TYPES.columns.iter().map(|c| table.cell(row, c.name)).collect();
                // CSV writes the float 2.0 as `2`, JSON as `2.0`.
                let mut cells = cells.map(str::to_string);
                if format != ExportFormat::Csv && row == 2 {
                    cells[2] = "2.0".into();
                }
                assert_eq!(got, cells, "row {row} of {format}");
            }
        }
    }
}
