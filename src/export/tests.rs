//! Cross-format tests: every table, and a test table with a column of every type, round-trips
//! through every format with its values and types; output is atomic; and the exact CSV and JSONL
//! text is pinned by inline snapshots.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType as ArrowType, Field, Fields, TimeUnit};
use chrono::DateTime;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::parquet::MAX_ROW_GROUP_ROWS;
use super::*;

/// Text that trips writers up: separators, quotes, line breaks, non-ASCII, and strings that look
/// like numbers, bools, null or JSON.
const TEXTS: &[&str] = &[
    "Guter Artikel, danke!",
    "Ich sehe das anders: \"Freiheit\" heißt nicht, dass alles erlaubt ist.",
    "Erste Zeile\nzweite Zeile\n\nvierte Zeile nach Leerzeile",
    "Windows line end\r\nsecond line",
    "Ünïcödé — 日本語, emoji 🙂 and RTL שלום",
    "  leading and trailing spaces  ",
    "tab\tinside; semicolon",
    "\"fully quoted\"",
    "back\\slash and {\"json\": 1}",
    "null",
    "007",
    "1.5",
    "true",
    "a,b,,c",
    "[\"not\", \"a list\"]",
    "",
];
const INTS: &[i64] = &[0, 1, 3, 42, -7, 1_000_000, i64::MAX, i64::MIN];
const FLOATS: &[f64] =
    &[0.0, 0.1, 2.0 / 3.0, 2.0, 1e-7, 123_456.789, -3.5, 1e300, f64::MIN_POSITIVE, 5e-324];
const CATEGORIES: &[&str] =
    &["comment", "pingback", "trackback", "Ünïcödé, \"quoted\"\nand wrapped", "null", ""];
/// Microseconds since 1970-01-01T00:00:00: whole seconds, milliseconds and microseconds, before
/// and after 1970, and both ends of the accepted range.
const TIMESTAMPS: &[i64] = &[
    1_695_543_120_000_000,   // 2023-09-24T08:12:00
    0,                       // 1970-01-01T00:00:00
    1_695_543_120_250_000,   // 2023-09-24T08:12:00.250
    -1,                      // 1969-12-31T23:59:59.999999
    -2_208_988_800_000_000,  // 1900-01-01T00:00:00
    -4_102_444_799_876_544,  // 1840-01-01T00:00:00.123456
    1_000_001,               // 1970-01-01T00:00:01.000001
    MIN_TIMESTAMP_MICROS,    // 0000-01-01T00:00:00
    MAX_TIMESTAMP_MICROS,    // 9999-12-31T23:59:59.999999
    -62_135_596_800_000_001, // 0000-12-31T23:59:59.999999
    951_782_400_000_000,     // 2000-02-29T00:00:00
];

/// Maps with keys in an order that is not sorted, empty ones, and text that needs escaping.
fn str_maps() -> Vec<Vec<(String, String)>> {
    let pairs =
        |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    vec![
        vec![],
        pairs(&[("score", "3")]),
        pairs(&[("z", ""), ("a", "1"), ("", "empty key")]),
        pairs(&[("quote\"", "Zeile\n\"zwei\""), ("日本語", "🙂")]),
    ]
}

fn str_lists() -> Vec<Vec<String>> {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    vec![
        vec![],
        strings(&["a"]),
        strings(&["a", "b"]),
        strings(TEXTS),
        strings(&[""]),
        strings(&["null", "[]", "\"", "\\", ","]),
        strings(&["Zeile\n\"zwei\"", "🙂 日本語", "RTL שלום"]),
    ]
}

fn float_lists() -> Vec<Vec<f64>> {
    vec![vec![], vec![0.5, 1.0], FLOATS.to_vec(), vec![-0.0], vec![1e300, 5e-324, -1e-300]]
}

fn cue(start: i64, end: i64, label: &str, text: &str, weight: f64) -> CueValue {
    CueValue { start, end, label: label.into(), text: text.into(), weight }
}

fn cue_lists() -> Vec<Vec<CueValue>> {
    vec![
        vec![],
        vec![cue(0, 7, "vulgarity", "bellend", 0.8)],
        vec![
            cue(3, 12, "insult, \"mild\"", "Zeile\n\"zwei\" 🙂", -1.5),
            cue(0, 0, "", "", 0.0),
            cue(40, 52, "Ünïcödé", "back\\slash {\"json\": 1}", 2.0 / 3.0),
        ],
        vec![cue(i64::MIN, i64::MAX, "null", "[]", 1e-7)],
    ]
}

/// A column spec with a generic doc, for test tables.
const fn col(name: &'static str, dtype: DataType, nullable: bool) -> ColumnSpec {
    ColumnSpec { name, dtype, nullable, doc: "A test column.", values: &[] }
}

/// A table with a column of every type; the types added after the first four come both
/// nullable and not.
static ALL_TYPES: TableSpec = TableSpec {
    name: "all_types",
    doc: "One column of every type.",
    columns: &[
        col("str", DataType::Str, false),
        col("int", DataType::Int, true),
        col("float", DataType::Float, true),
        col("bool", DataType::Bool, true),
        col("category", DataType::Category, false),
        col("category_opt", DataType::Category, true),
        col("timestamp", DataType::Timestamp, false),
        col("timestamp_opt", DataType::Timestamp, true),
        col("local", DataType::LocalTimestamp, false),
        col("local_opt", DataType::LocalTimestamp, true),
        col("strs", DataType::StrList, false),
        col("strs_opt", DataType::StrList, true),
        col("floats", DataType::FloatList, false),
        col("floats_opt", DataType::FloatList, true),
        col("cues", DataType::Cues, false),
        col("cues_opt", DataType::Cues, true),
        col("map", DataType::StrMap, false),
        col("map_opt", DataType::StrMap, true),
    ],
};

/// `rows` values cycling through `values` from `at(0)`, with nulls in the rows `null` names.
fn cycle<T: Clone>(
    rows: usize,
    values: &[T],
    at: impl Fn(usize) -> usize,
    null: impl Fn(usize) -> bool,
) -> Vec<Option<T>> {
    (0..rows).map(|r| (!null(r)).then(|| values[at(r) % values.len()].clone())).collect()
}

/// `rows` rows of `spec`'s table; `seed` varies the values so batches differ. Every third value
/// of a nullable column is null. Nullable string and category columns never get `""`, which
/// CSV reads back as null (see `csv_nulls_and_empty_strings_are_empty_fields`).
fn sample_batch(spec: &'static TableSpec, rows: usize, seed: usize) -> Batch {
    let columns = spec
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let at = |r: usize| r + 5 * seed + 3 * c;
            let null = |r: usize| col.nullable && at(r) % 3 == 1;
            let texts = |values: &[&str]| {
                let values: Vec<String> = values
                    .iter()
                    .map(|&s| if col.nullable && s.is_empty() { "x" } else { s }.to_string())
                    .collect();
                cycle(rows, &values, at, null)
            };
            match col.dtype {
                DataType::Str => Column::Str(texts(TEXTS).into()),
                DataType::Int => Column::Int(cycle(rows, INTS, at, null).into()),
                DataType::Float => Column::Float(cycle(rows, FLOATS, at, null).into()),
                DataType::Bool => Column::Bool(cycle(rows, &[true, false], at, null).into()),
                DataType::Category => Column::Category(texts(CATEGORIES).into()),
                DataType::Timestamp => Column::Timestamp(cycle(rows, TIMESTAMPS, at, null).into()),
                DataType::LocalTimestamp => {
                    Column::LocalTimestamp(cycle(rows, TIMESTAMPS, at, null).into())
                }
                DataType::StrList => Column::StrList(cycle(rows, &str_lists(), at, null)),
                DataType::FloatList => Column::FloatList(cycle(rows, &float_lists(), at, null)),
                DataType::Cues => Column::Cues(cycle(rows, &cue_lists(), at, null)),
                DataType::StrMap => Column::StrMap(cycle(rows, &str_maps(), at, null)),
            }
        })
        .collect();
    Batch::new(spec, columns).unwrap()
}

/// An empty column of type `dtype`.
fn empty_column(dtype: DataType) -> Column {
    match dtype {
        DataType::Str => Column::Str(vec![].into()),
        DataType::Int => Column::Int(vec![].into()),
        DataType::Float => Column::Float(vec![].into()),
        DataType::Bool => Column::Bool(vec![].into()),
        DataType::Category => Column::Category(vec![].into()),
        DataType::Timestamp => Column::Timestamp(vec![].into()),
        DataType::LocalTimestamp => Column::LocalTimestamp(vec![].into()),
        DataType::StrList => Column::StrList(vec![]),
        DataType::FloatList => Column::FloatList(vec![]),
        DataType::Cues => Column::Cues(vec![]),
        DataType::StrMap => Column::StrMap(vec![]),
    }
}

/// The columns of `batches` appended to each other.
fn concat(spec: &TableSpec, batches: &[Batch]) -> Vec<Column> {
    let mut out: Vec<Column> = spec.columns.iter().map(|c| empty_column(c.dtype)).collect();
    for batch in batches {
        for (acc, col) in out.iter_mut().zip(batch.columns()) {
            match (acc, col) {
                (Column::Str(a), Column::Str(b)) | (Column::Category(a), Column::Category(b)) => {
                    a.extend(b.iter())
                }
                (Column::Int(a), Column::Int(b))
                | (Column::Timestamp(a), Column::Timestamp(b))
                | (Column::LocalTimestamp(a), Column::LocalTimestamp(b)) => a.extend(b.iter()),
                (Column::Float(a), Column::Float(b)) => a.extend(b.iter()),
                (Column::Bool(a), Column::Bool(b)) => a.extend(b.iter()),
                (Column::StrList(a), Column::StrList(b)) => a.extend(b.iter().cloned()),
                (Column::FloatList(a), Column::FloatList(b)) => a.extend(b.iter().cloned()),
                (Column::Cues(a), Column::Cues(b)) => a.extend(b.iter().cloned()),
                (Column::StrMap(a), Column::StrMap(b)) => a.extend(b.iter().cloned()),
                _ => unreachable!("Batch::new checked the types"),
            }
        }
    }
    out
}

fn write(format: ExportFormat, dir: &Path, spec: &'static TableSpec, batches: &[Batch]) -> PathBuf {
    let mut wtr = create_writer(format, dir, spec).unwrap();
    for batch in batches {
        wtr.write_batch(batch).unwrap();
    }
    wtr.finish().unwrap()
}

fn read_back(format: ExportFormat, path: &Path, spec: &TableSpec) -> Vec<Column> {
    match format {
        ExportFormat::Parquet => read_parquet(path, spec),
        ExportFormat::Csv => read_csv(path, spec),
        ExportFormat::Jsonl => read_jsonl(path, spec),
    }
}

/// The Arrow type a column of `dtype` must have when read back from Parquet, written out here
/// rather than taken from the writer so that the test pins it.
fn expected_arrow_type(dtype: DataType) -> ArrowType {
    let list = |item| ArrowType::List(Arc::new(Field::new("item", item, false)));
    match dtype {
        DataType::Str => ArrowType::Utf8,
        DataType::Int => ArrowType::Int64,
        DataType::Float => ArrowType::Float64,
        DataType::Bool => ArrowType::Boolean,
        DataType::Category => {
            ArrowType::Dictionary(Box::new(ArrowType::Int32), Box::new(ArrowType::Utf8))
        }
        DataType::Timestamp => ArrowType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::LocalTimestamp => ArrowType::Timestamp(TimeUnit::Microsecond, None),
        DataType::StrList => list(ArrowType::Utf8),
        DataType::FloatList => list(ArrowType::Float64),
        DataType::Cues => list(ArrowType::Struct(Fields::from(vec![
            Field::new("start", ArrowType::Int64, false),
            Field::new("end", ArrowType::Int64, false),
            Field::new("label", ArrowType::Utf8, false),
            Field::new("text", ArrowType::Utf8, false),
            Field::new("weight", ArrowType::Float64, false),
        ]))),
        DataType::StrMap => ArrowType::Map(
            Arc::new(Field::new(
                "entries",
                ArrowType::Struct(Fields::from(vec![
                    Field::new("key", ArrowType::Utf8, false),
                    Field::new("value", ArrowType::Utf8, false),
                ])),
                false,
            )),
            false,
        ),
    }
}

/// The items of each list of a Parquet list column, read by `items` from the list's values; a
/// null list is `None`. Checks that no item is null.
fn arrow_lists<T>(array: &ArrayRef, items: impl Fn(&ArrayRef) -> Vec<T>) -> Vec<Option<Vec<T>>> {
    array
        .as_list::<i32>()
        .iter()
        .map(|list| {
            list.map(|list| {
                assert_eq!(list.null_count(), 0, "null list item");
                items(&list)
            })
        })
        .collect()
}

/// Reads a Parquet file, checking names, Arrow types and nullability against `spec`.
fn read_parquet(path: &Path, spec: &TableSpec) -> Vec<Column> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    assert_eq!(schema.fields().len(), spec.columns.len());
    for (field, col) in schema.fields().iter().zip(spec.columns) {
        assert_eq!(
            (field.name().as_str(), field.data_type(), field.is_nullable()),
            (col.name, &expected_arrow_type(col.dtype), col.nullable)
        );
    }
    let mut columns = concat(spec, &[]);
    for record_batch in builder.build().unwrap() {
        let record_batch = record_batch.unwrap();
        for (acc, array) in columns.iter_mut().zip(record_batch.columns()) {
            let strings = |a: &ArrayRef| -> Vec<String> {
                a.as_string::<i32>().iter().map(|s| s.unwrap().to_string()).collect()
            };
            match acc {
                Column::Str(v) => v.extend(array.as_string::<i32>().iter()),
                Column::Int(v) => v.extend(array.as_primitive::<Int64Type>().iter()),
                Column::Float(v) => v.extend(array.as_primitive::<Float64Type>().iter()),
                Column::Bool(v) => v.extend(array.as_boolean().iter()),
                Column::Category(v) => {
                    let dict = array.as_dictionary::<Int32Type>();
                    let values = dict.values().as_string::<i32>();
                    v.extend(dict.keys().iter().map(|k| k.map(|k| values.value(k as usize))));
                }
                Column::Timestamp(v) | Column::LocalTimestamp(v) => {
                    v.extend(array.as_primitive::<TimestampMicrosecondType>().iter())
                }
                Column::StrList(v) => v.extend(arrow_lists(array, strings)),
                Column::FloatList(v) => v.extend(arrow_lists(array, |a| {
                    a.as_primitive::<Float64Type>().values().to_vec()
                })),
                Column::Cues(v) => v.extend(arrow_lists(array, |a| {
                    let cues = a.as_struct();
                    let ints =
                        |name| cues.column_by_name(name).unwrap().as_primitive::<Int64Type>();
                    let strs = |name| strings(cues.column_by_name(name).unwrap());
                    let (starts, ends) = (ints("start"), ints("end"));
                    let (labels, texts) = (strs("label"), strs("text"));
                    let weights =
                        cues.column_by_name("weight").unwrap().as_primitive::<Float64Type>();
                    (0..cues.len())
                        .map(|i| CueValue {
                            start: starts.value(i),
                            end: ends.value(i),
                            label: labels[i].clone(),
                            text: texts[i].clone(),
                            weight: weights.value(i),
                        })
                        .collect()
                })),
                Column::StrMap(v) => {
                    let maps = array.as_map();
                    for i in 0..maps.len() {
                        v.push((!maps.is_null(i)).then(|| {
                            let entries = maps.value(i);
                            let keys = strings(entries.column(0));
                            keys.into_iter().zip(strings(entries.column(1))).collect()
                        }));
                    }
                }
            }
        }
    }
    columns
}

/// Parses a timestamp as the writers write it: RFC 3339, in UTC with a `Z` when `utc`, else
/// without any zone. Returns microseconds since 1970-01-01T00:00:00.
fn parse_timestamp(text: &str, utc: bool) -> i64 {
    // Appending `Z` to a local time makes it RFC 3339; a time with a zone of its own fails.
    let rfc3339 = if utc { text.to_string() } else { format!("{text}Z") };
    let time = DateTime::parse_from_rfc3339(&rfc3339).unwrap_or_else(|e| {
        panic!("not an RFC 3339 {} time: {text:?}: {e}", ["local", "UTC"][utc as usize])
    });
    assert!(!utc || text.ends_with('Z'), "UTC time without `Z`: {text:?}");
    time.timestamp_micros()
}

/// Parses a list written as JSON text, checking that it is exactly serde_json's compact form.
fn parse_json_list<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Vec<T> {
    let list: Vec<T> = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("not a JSON list of the column's type: {text:?}: {e}"));
    assert_eq!(serde_json::to_string(&list).unwrap(), text, "not compact JSON");
    list
}

/// Parses a map written as a JSON object, keys in file order, checking that it is compact JSON
/// of strings.
fn parse_json_map(text: &str) -> Vec<(String, String)> {
    let Ordered(entries) =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not a JSON object: {text:?}: {e}"));
    let pairs: Vec<(String, String)> = entries
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(v) => (k, v),
            other => panic!("not a string value: {other}"),
        })
        .collect();
    assert_eq!(serde_json::to_string(&super::JsonMap(&pairs)).unwrap(), text, "not compact JSON");
    pairs
}

/// Reads a CSV file: an empty field is null in a nullable column; anything else must parse as
/// the column's type.
fn read_csv(path: &Path, spec: &TableSpec) -> Vec<Column> {
    let mut rdr = ::csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, spec.columns.iter().map(|c| c.name).collect::<Vec<_>>());
    let mut columns = concat(spec, &[]);
    for record in rdr.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), spec.columns.len());
        for ((acc, col), field) in columns.iter_mut().zip(spec.columns).zip(&record) {
            let null = col.nullable && field.is_empty();
            match acc {
                Column::Str(v) | Column::Category(v) => v.push((!null).then(|| field.to_string())),
                Column::Int(v) => v.push((!null).then(|| field.parse().unwrap())),
                Column::Float(v) => v.push((!null).then(|| field.parse().unwrap())),
                Column::Bool(v) => v.push((!null).then(|| match field {
                    "true" => true,
                    "false" => false,
                    other => panic!("column `{}`: not a bool: {other:?}", col.name),
                })),
                Column::Timestamp(v) => v.push((!null).then(|| parse_timestamp(field, true))),
                Column::LocalTimestamp(v) => v.push((!null).then(|| parse_timestamp(field, false))),
                Column::StrList(v) => v.push((!null).then(|| parse_json_list(field))),
                Column::FloatList(v) => v.push((!null).then(|| parse_json_list(field))),
                Column::Cues(v) => v.push((!null).then(|| parse_json_list(field))),
                Column::StrMap(v) => v.push((!null).then(|| parse_json_map(field))),
            }
        }
    }
    columns
}

/// A JSON object with its keys in file order (serde_json's `Map` sorts them).
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads a JSONL file, checking key order and that each value has its column's JSON type.
fn read_jsonl(path: &Path, spec: &TableSpec) -> Vec<Column> {
    use serde_json::Value;

    let text = fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'));
    let mut columns = concat(spec, &[]);
    for line in text.lines() {
        let Ordered(entries) = serde_json::from_str(line).unwrap();
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, spec.columns.iter().map(|c| c.name).collect::<Vec<_>>());
        for ((acc, col), (_, value)) in columns.iter_mut().zip(spec.columns).zip(entries) {
            let null = value.is_null();
            assert!(!null || col.nullable, "null in non-nullable column `{}`", col.name);
            let bad =
                || -> ! { panic!("column `{}`: expected {}, got {value}", col.name, col.dtype) };
            // A list's items must all have the JSON type `item_ok` accepts.
            let list = |item_ok: &dyn Fn(&Value) -> bool| match &value {
                Value::Array(items) if items.iter().all(item_ok) => Some(value.clone()),
                Value::Null => None,
                _ => bad(),
            };
            let is_float = |v: &Value| v.as_number().is_some_and(|n| n.is_f64());
            let is_int = |v: &Value| v.as_number().is_some_and(|n| !n.is_f64());
            match acc {
                Column::Str(v) | Column::Category(v) => v.push(match &value {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    _ => bad(),
                }),
                Column::Int(v) => v.push(match &value {
                    Value::Number(n) if !n.is_f64() => Some(n.as_i64().unwrap()),
                    Value::Null => None,
                    _ => bad(),
                }),
                Column::Float(v) => v.push(match &value {
                    Value::Number(n) if n.is_f64() => n.as_f64(),
                    Value::Null => None,
                    _ => bad(),
                }),
                Column::Bool(v) => v.push(match &value {
                    Value::Bool(b) => Some(*b),
                    Value::Null => None,
                    _ => bad(),
                }),
                Column::Timestamp(v) | Column::LocalTimestamp(v) => v.push(match &value {
                    Value::String(s) => Some(parse_timestamp(s, col.dtype == DataType::Timestamp)),
                    Value::Null => None,
                    _ => bad(),
                }),
                Column::StrList(v) => {
                    v.push(list(&Value::is_string).map(|l| serde_json::from_value(l).unwrap()))
                }
                Column::FloatList(v) => {
                    v.push(list(&is_float).map(|l| serde_json::from_value(l).unwrap()))
                }
                Column::Cues(v) => {
                    let is_cue = |c: &Value| {
                        c.as_object().is_some_and(|c| {
                            c.len() == 5
                                && is_int(&c["start"])
                                && is_int(&c["end"])
                                && c["label"].is_string()
                                && c["text"].is_string()
                                && is_float(&c["weight"])
                        })
                    };
                    let cues: Option<Vec<CueValue>> =
                        list(&is_cue).map(|l| serde_json::from_value(l).unwrap());
                    // `Value` forgets key order; the line must hold the cues with their keys in
                    // field order.
                    if let Some(cues) = &cues {
                        assert!(line.contains(&serde_json::to_string(cues).unwrap()), "{line}");
                    }
                    v.push(cues);
                }
                Column::StrMap(v) => v.push(match &value {
                    Value::Object(_) => {
                        // `Value` sorts keys: read the line's own object again, in order.
                        let key = format!("\"{}\":", col.name);
                        let at = line.find(&key).unwrap() + key.len();
                        let mut de = serde_json::Deserializer::from_str(&line[at..]);
                        let Ordered(entries) = Ordered::deserialize(&mut de).unwrap();
                        Some(
                            entries
                                .into_iter()
                                .map(|(k, v)| match v {
                                    Value::String(v) => (k, v),
                                    _ => bad(),
                                })
                                .collect(),
                        )
                    }
                    Value::Null => None,
                    _ => bad(),
                }),
            }
        }
    }
    columns
}

fn dir_entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect()
}

#[test]
fn every_table_round_trips_in_every_format() {
    for format in ExportFormat::ALL {
        for spec in TABLES.into_iter().chain([&ALL_TYPES]) {
            let dir = tempfile::tempdir().unwrap();
            let batches =
                [sample_batch(spec, 7, 0), sample_batch(spec, 0, 1), sample_batch(spec, 16, 2)];
            let path = write(format, dir.path(), spec, &batches);
            assert_eq!(path, dir.path().join(format!("{}.{}", spec.name, format.extension())));
            assert_eq!(
                dir_entries(dir.path()),
                BTreeSet::from([format!("{}.{format}", spec.name)])
            );
            let expected = concat(spec, &batches);
            assert_eq!(expected[0].len(), 23);
            assert!(expected.iter().any(|c| (0..c.len()).any(|r| c.is_null(r))));
            assert_eq!(read_back(format, &path, spec), expected, "table {} as {format}", spec.name);
        }
    }
}

#[test]
fn sample_of_all_types_has_nulls_and_empty_lists() {
    // So that the round trip above shows nulls and empty lists staying apart.
    let columns =
        concat(&ALL_TYPES, &[sample_batch(&ALL_TYPES, 7, 0), sample_batch(&ALL_TYPES, 16, 2)]);
    let names = ALL_TYPES.columns.iter().map(|c| c.name);
    for (name, column) in names.zip(&columns) {
        let (has_null, has_empty) = match column {
            Column::StrList(v) => (v.contains(&None), v.contains(&Some(vec![]))),
            Column::FloatList(v) => (v.contains(&None), v.contains(&Some(vec![]))),
            Column::Cues(v) => (v.contains(&None), v.contains(&Some(vec![]))),
            Column::StrMap(v) => (v.contains(&None), v.contains(&Some(vec![]))),
            _ => continue,
        };
        assert_eq!((has_null, has_empty), (name.ends_with("_opt"), true), "column {name}");
    }
    let Column::Timestamp(times) = &columns[6] else { panic!("not a timestamp") };
    assert!(times.iter().any(|t| t.unwrap() < 0 && t.unwrap() % 1_000_000 != 0));
}

#[test]
fn type_names_for_the_schema_doc() {
    use DataType::*;
    let names: Vec<&str> = [
        Str,
        Int,
        Float,
        Bool,
        Category,
        Timestamp,
        LocalTimestamp,
        StrList,
        FloatList,
        Cues,
        StrMap,
    ]
    .into_iter()
    .map(DataType::type_name)
    .collect();
    assert_eq!(
        names,
        [
            "string",
            "int64",
            "float64",
            "bool",
            "category",
            "timestamp[us, UTC]",
            "timestamp[us]",
            "list<string>",
            "list<float64>",
            "list<struct<start, end, label, text, weight>>",
            "map<string, string>",
        ]
    );
}

#[test]
fn timestamps_are_rfc3339_with_fraction_only_when_needed() {
    let text = |micros: i64, utc: bool| {
        let mut buf = Vec::new();
        write_timestamp(&mut buf, micros, utc).unwrap();
        String::from_utf8(buf).unwrap()
    };
    // Expected values worked out by hand from the Unix epoch (1 day = 86_400 s).
    for (micros, expected) in [
        (0, "1970-01-01T00:00:00"),
        (1_695_543_120_000_000, "2023-09-24T08:12:00"),
        (1_695_543_120_250_000, "2023-09-24T08:12:00.250"),
        (1_695_543_120_000_001, "2023-09-24T08:12:00.000001"),
        (1_695_543_120_123_450, "2023-09-24T08:12:00.123450"),
        (-1, "1969-12-31T23:59:59.999999"),
        (-1_000, "1969-12-31T23:59:59.999"),
        (-86_400_000_000, "1969-12-31T00:00:00"),
        (-2_208_988_800_000_000, "1900-01-01T00:00:00"),
        (-4_102_444_799_876_544, "1840-01-01T00:00:00.123456"),
        (-1_234_567, "1969-12-31T23:59:58.765433"),
        (-62_135_596_800_000_001, "0000-12-31T23:59:59.999999"),
        (951_782_400_000_000, "2000-02-29T00:00:00"),
        (MIN_TIMESTAMP_MICROS, "0000-01-01T00:00:00"),
        (MAX_TIMESTAMP_MICROS, "9999-12-31T23:59:59.999999"),
    ] {
        assert_eq!(text(micros, false), expected, "{micros}");
        assert_eq!(text(micros, true), format!("{expected}Z"), "{micros}");
        assert_eq!(parse_timestamp(&text(micros, true), true), micros);
        assert_eq!(parse_timestamp(&text(micros, false), false), micros);
    }
}

#[test]
fn writers_reject_timestamps_outside_years_0000_to_9999() {
    static TIMES: TableSpec = TableSpec {
        name: "times",
        doc: "Times.",
        columns: &[
            col("at", DataType::Timestamp, true),
            col("local", DataType::LocalTimestamp, true),
        ],
    };
    let cases = [
        (Some(MIN_TIMESTAMP_MICROS - 1), None, "at", MIN_TIMESTAMP_MICROS - 1, 0),
        (None, Some(MAX_TIMESTAMP_MICROS + 1), "local", MAX_TIMESTAMP_MICROS + 1, 1),
        (None, Some(i64::MIN), "local", i64::MIN, 1),
        (Some(i64::MAX), None, "at", i64::MAX, 1),
    ];
    for format in ExportFormat::ALL {
        for (at, local, name, micros, row) in cases {
            let dir = tempfile::tempdir().unwrap();
            let (at, local) = if row == 0 {
                (vec![at, None], vec![local, None])
            } else {
                (vec![Some(0), at], vec![Some(0), local])
            };
            let batch = Batch::new(
                &TIMES,
                vec![Column::Timestamp(at.into()), Column::LocalTimestamp(local.into())],
            )
            .unwrap();
            let mut wtr = create_writer(format, dir.path(), &TIMES).unwrap();
            let err = wtr.write_batch(&batch).unwrap_err();
            assert!(matches!(err, ExportError::Schema(_)), "{format}: {err:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "column `{name}` of table `times`: expected a timestamp from \
                     0000-01-01T00:00:00 to 9999-12-31T23:59:59.999999, got {micros} \
                     microseconds since 1970-01-01T00:00:00 in row {row} (0-based)"
                ),
                "{format}"
            );
            // Nothing of the rejected batch was written.
            let path = wtr.finish().unwrap();
            assert_eq!(read_back(format, &path, &TIMES), concat(&TIMES, &[]), "{format}");
        }
    }
}

#[test]
fn non_finite_floats_in_lists_are_null_in_csv_and_jsonl() {
    static LISTS: TableSpec = TableSpec {
        name: "lists",
        doc: "Lists.",
        columns: &[col("floats", DataType::FloatList, false), col("cues", DataType::Cues, false)],
    };
    let floats = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0];
    let batch = Batch::new(
        &LISTS,
        vec![
            Column::FloatList(vec![Some(floats.clone())]),
            Column::Cues(vec![Some(vec![cue(0, 1, "l", "t", f64::NAN)])]),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let batches = std::slice::from_ref(&batch);
    let csv = fs::read_to_string(write(ExportFormat::Csv, dir.path(), &LISTS, batches)).unwrap();
    assert_eq!(
        csv,
        "floats,cues\n\"[null,null,null,1.0]\",\"[{\"\"start\"\":0,\"\"end\"\":1,\"\"label\"\":\"\"l\"\",\"\"text\"\":\"\"t\"\",\"\"weight\"\":null}]\"\n"
    );
    let jsonl = fs::read_to_string(write(ExportFormat::Jsonl, dir.path(), &LISTS, batches));
    assert_eq!(
        jsonl.unwrap(),
        "{\"floats\":[null,null,null,1.0],\"cues\":[{\"start\":0,\"end\":1,\"label\":\"l\",\"text\":\"t\",\"weight\":null}]}\n"
    );
    // Parquet keeps them.
    let path = write(ExportFormat::Parquet, dir.path(), &LISTS, batches);
    let Column::FloatList(back) = &read_parquet(&path, &LISTS)[0] else { panic!("not floats") };
    let back = back[0].as_ref().unwrap();
    assert!(back[0].is_nan());
    assert_eq!(back[1..], floats[1..]);
}

#[test]
fn lists_keep_null_and_empty_apart() {
    static LISTS: TableSpec = TableSpec {
        name: "lists",
        doc: "Lists.",
        columns: &[
            col("strs", DataType::StrList, true),
            col("floats", DataType::FloatList, true),
            col("cues", DataType::Cues, true),
        ],
    };
    let batch = Batch::new(
        &LISTS,
        vec![
            Column::StrList(vec![None, Some(vec![]), Some(vec!["".into()])]),
            Column::FloatList(vec![Some(vec![]), None, Some(vec![0.0])]),
            Column::Cues(vec![Some(vec![]), None, None]),
        ],
    )
    .unwrap();
    for format in ExportFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
        let path = write(format, dir.path(), &LISTS, std::slice::from_ref(&batch));
        assert_eq!(read_back(format, &path, &LISTS), batch.columns(), "{format}");
        let text = fs::read_to_string(&path);
        match format {
            ExportFormat::Csv => {
                assert_eq!(text.unwrap(), "strs,floats,cues\n,[],[]\n[],,\n\"[\"\"\"\"]\",[0.0],\n")
            }
            ExportFormat::Jsonl => assert_eq!(
                text.unwrap(),
                "{\"strs\":null,\"floats\":[],\"cues\":[]}\n\
                 {\"strs\":[],\"floats\":null,\"cues\":null}\n\
                 {\"strs\":[\"\"],\"floats\":[0.0],\"cues\":null}\n"
            ),
            ExportFormat::Parquet => {}
        }
    }
}

#[test]
fn empty_table_has_header_or_schema_only() {
    for format in ExportFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
        // Checks the Parquet schema of every type.
        let path = write(format, dir.path(), &ALL_TYPES, &[]);
        assert_eq!(read_back(format, &path, &ALL_TYPES), concat(&ALL_TYPES, &[]));
        let path = write(format, dir.path(), &ANOMALIES, &[]);
        assert_eq!(read_back(format, &path, &ANOMALIES), concat(&ANOMALIES, &[]));
        if format == ExportFormat::Csv {
            assert_eq!(
                fs::read_to_string(&path).unwrap(),
                "article_id,source,line,comment_id,kind,message\n"
            );
        }
    }
}

#[test]
fn csv_nulls_and_empty_strings_are_empty_fields() {
    let dir = tempfile::tempdir().unwrap();
    let batch = Batch::new(
        &ANOMALIES,
        vec![
            Column::Str(vec![Some("a1".into()), Some("a1".into())].into()),
            Column::Str(vec![Some("".into()), Some("s".into())].into()),
            Column::Int(vec![None, Some(3)].into()),
            Column::Str(vec![None, Some("".into())].into()),
            Column::Category(vec![Some("orphan".into()), Some("cycle".into())].into()),
            Column::Str(vec![Some("m".into()), Some("".into())].into()),
        ],
    )
    .unwrap();
    let path = write(ExportFormat::Csv, dir.path(), &ANOMALIES, &[batch]);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "article_id,source,line,comment_id,kind,message\na1,,,,orphan,m\na1,s,3,,cycle,\n"
    );
    // A null and an empty string in a nullable column read back the same: as null.
    let back = read_csv(&path, &ANOMALIES);
    assert_eq!(back[3], Column::Str(vec![None, None].into()));
    // In non-nullable columns an empty field is an empty string.
    assert_eq!(back[1], Column::Str(vec![Some("".into()), Some("s".into())].into()));
}

#[test]
fn csv_numbers_use_shortest_round_trip_form() {
    static NUMS: TableSpec = TableSpec {
        name: "nums",
        doc: "Numbers.",
        columns: &[
            ColumnSpec {
                name: "f",
                dtype: DataType::Float,
                nullable: true,
                doc: "A float.",
                values: &[],
            },
            ColumnSpec {
                name: "b",
                dtype: DataType::Bool,
                nullable: true,
                doc: "A bool.",
                values: &[],
            },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let floats = vec![Some(0.1), Some(2.0), Some(1e-7), Some(-0.5), Some(f64::NAN), None];
    let bools = vec![Some(true), Some(false), None, None, None, None];
    let batch =
        Batch::new(&NUMS, vec![Column::Float(floats.into()), Column::Bool(bools.into())]).unwrap();
    let csv = fs::read_to_string(write(
        ExportFormat::Csv,
        dir.path(),
        &NUMS,
        std::slice::from_ref(&batch),
    ));
    assert_eq!(csv.unwrap(), "f,b\n0.1,true\n2,false\n0.0000001,\n-0.5,\nNaN,\n,\n");
    // JSON has no NaN: it is written as null, like a missing value.
    let jsonl = fs::read_to_string(write(ExportFormat::Jsonl, dir.path(), &NUMS, &[batch]));
    insta::assert_snapshot!(jsonl.unwrap(), @r#"
    {"f":0.1,"b":true}
    {"f":2.0,"b":false}
    {"f":1e-7,"b":null}
    {"f":-0.5,"b":null}
    {"f":null,"b":null}
    {"f":null,"b":null}
    "#);
}

#[test]
fn jsonl_writes_infinities_as_null() {
    static F: TableSpec = TableSpec {
        name: "f",
        doc: "Floats.",
        columns: &[ColumnSpec {
            name: "x",
            dtype: DataType::Float,
            nullable: true,
            doc: "X.",
            values: &[],
        }],
    };
    let dir = tempfile::tempdir().unwrap();
    let batch = Batch::new(
        &F,
        vec![Column::Float(vec![Some(f64::INFINITY), Some(f64::NEG_INFINITY)].into())],
    )
    .unwrap();
    let path = write(ExportFormat::Jsonl, dir.path(), &F, &[batch]);
    assert_eq!(fs::read_to_string(path).unwrap(), "{\"x\":null}\n{\"x\":null}\n");
}

#[test]
fn parquet_metadata_has_schema_version_and_docs() {
    let dir = tempfile::tempdir().unwrap();
    let path =
        write(ExportFormat::Parquet, dir.path(), &COMMENTS, &[sample_batch(&COMMENTS, 3, 0)]);
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let kv: Vec<(String, Option<String>)> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .map(|kv| (kv.key.clone(), kv.value.clone()))
        .collect();
    assert!(kv.contains(&(SCHEMA_VERSION_KEY.into(), Some(SCHEMA_VERSION.into()))), "{kv:?}");
    assert!(kv.contains(&(TABLE_KEY.into(), Some("comments".into()))), "{kv:?}");
    let schema = builder.schema();
    assert_eq!(schema.metadata()[SCHEMA_VERSION_KEY], SCHEMA_VERSION);
    assert_eq!(schema.metadata()[DOC_KEY], COMMENTS.doc);
    let depth = schema.field_with_name("depth").unwrap();
    assert_eq!(depth.metadata()[DOC_KEY], COMMENTS.columns[4].doc);
    assert!(!depth.metadata().contains_key(VALUES_KEY), "not a category");
    // Categories list their known values, present in the file or not.
    let mut categories = 0;
    for c in COMMENTS.columns.iter().filter(|c| !c.values.is_empty()) {
        let field = schema.field_with_name(c.name).unwrap();
        let values: Vec<String> = serde_json::from_str(&field.metadata()[VALUES_KEY]).unwrap();
        assert_eq!(values, c.values, "{}", c.name);
        categories += 1;
    }
    assert!(categories >= 3, "stance, side and kind at least");
}

#[test]
fn parquet_fields_of_every_type_carry_docs() {
    static DOCS: TableSpec = TableSpec {
        name: "docs",
        doc: "Columns with docs.",
        columns: &[
            ColumnSpec {
                name: "kind",
                dtype: DataType::Category,
                nullable: false,
                doc: "Kind.",
                values: &[],
            },
            ColumnSpec {
                name: "at",
                dtype: DataType::Timestamp,
                nullable: true,
                doc: "At.",
                values: &[],
            },
            ColumnSpec {
                name: "cues",
                dtype: DataType::Cues,
                nullable: true,
                doc: "Cues.",
                values: &[],
            },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Parquet, dir.path(), &DOCS, &[sample_batch(&DOCS, 3, 0)]);
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    for (field, col) in builder.schema().fields().iter().zip(DOCS.columns) {
        assert_eq!(field.metadata()[DOC_KEY], col.doc, "{}", col.name);
    }
}

#[test]
fn parquet_buffers_small_batches_into_bounded_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let batch = sample_batch(&ANOMALIES, 100, 0);
    let mut wtr = create_writer(ExportFormat::Parquet, dir.path(), &ANOMALIES).unwrap();
    let batches = MAX_ROW_GROUP_ROWS / 100 + 10;
    for _ in 0..batches {
        wtr.write_batch(&batch).unwrap();
    }
    let path = wtr.finish().unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let meta = builder.metadata();
    assert_eq!(meta.file_metadata().num_rows(), (batches * 100) as i64);
    // One row group per 64k rows, not one per batch.
    let sizes: Vec<i64> = meta.row_groups().iter().map(|rg| rg.num_rows()).collect();
    assert_eq!(sizes, [MAX_ROW_GROUP_ROWS as i64, (batches * 100 - MAX_ROW_GROUP_ROWS) as i64]);
}

#[test]
fn dropped_writer_leaves_no_temp_file_and_keeps_old_output() {
    for format in ExportFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("comments.{format}");
        fs::write(dir.path().join(&name), "previous run").unwrap();
        let mut wtr = create_writer(format, dir.path(), &COMMENTS).unwrap();
        wtr.write_batch(&sample_batch(&COMMENTS, 10, 0)).unwrap();
        // The data is going to a temporary file next to the output.
        assert_eq!(dir_entries(dir.path()).len(), 2, "{format}");
        drop(wtr);
        assert_eq!(dir_entries(dir.path()), BTreeSet::from([name.clone()]), "{format}");
        assert_eq!(fs::read_to_string(dir.path().join(&name)).unwrap(), "previous run");

        // A finished writer replaces the old output.
        let path = write(format, dir.path(), &COMMENTS, &[sample_batch(&COMMENTS, 2, 0)]);
        assert_eq!(dir_entries(dir.path()), BTreeSet::from([name]), "{format}");
        assert_eq!(
            read_back(format, &path, &COMMENTS),
            concat(&COMMENTS, &[sample_batch(&COMMENTS, 2, 0)])
        );
    }
}

#[cfg(unix)]
#[test]
fn output_file_is_not_private() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Csv, dir.path(), &ANOMALIES, &[]);
    // tempfile alone would leave 0600; a usual umask gives 0644.
    let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_ne!(mode & 0o044, 0, "mode {mode:o}");
}

#[test]
fn writer_rejects_batch_of_other_table() {
    let dir = tempfile::tempdir().unwrap();
    for format in ExportFormat::ALL {
        let mut wtr = create_writer(format, dir.path(), &COMMENTS).unwrap();
        let err = wtr.write_batch(&sample_batch(&ANOMALIES, 1, 0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "writer for table `comments`: expected a batch of that table, got a batch of table \
             `anomalies`"
        );
    }
}

#[test]
fn create_writer_reports_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = create_writer(ExportFormat::Jsonl, &missing, &THREADS).err().unwrap();
    match &err {
        ExportError::Io { path, .. } => assert_eq!(path, &missing.join("threads.jsonl")),
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(err.to_string().contains("threads.jsonl"), "{err}");
}

#[test]
fn create_writer_rejects_bad_specs() {
    static DUP: TableSpec = TableSpec {
        name: "dup",
        doc: "Duplicate column names.",
        columns: &[
            ColumnSpec { name: "a", dtype: DataType::Int, nullable: false, doc: "A.", values: &[] },
            ColumnSpec {
                name: "a",
                dtype: DataType::Str,
                nullable: false,
                doc: "A again.",
                values: &[],
            },
        ],
    };
    static PATHLIKE: TableSpec =
        TableSpec { name: "../up", doc: "Bad name.", columns: COMMENTS.columns };
    let dir = tempfile::tempdir().unwrap();
    let err = create_writer(ExportFormat::Csv, dir.path(), &DUP).err().unwrap();
    assert_eq!(err.to_string(), "table `dup`: expected unique column names, got `a` twice");
    let err = create_writer(ExportFormat::Csv, dir.path(), &PATHLIKE).err().unwrap();
    assert!(matches!(err, ExportError::Schema(_)), "{err}");
    assert!(dir_entries(dir.path()).is_empty());
}

/// Three comments as a parser would report them: a thread of two, and an orphan whose source
/// carries no author or time.
fn small_comments() -> Batch {
    let s = |v: &str| Some(v.to_string());
    Batch::new(
        &COMMENTS,
        vec![
            Column::Str(vec![s("a1"), s("a1"), s("a1")].into()),
            Column::Str(vec![s("c1"), s("c2"), s("c9")].into()),
            Column::Str(vec![None, s("c1"), None].into()),
            Column::Str(vec![s("c1"), s("c1"), s("c9")].into()),
            Column::Int(vec![Some(1), Some(2), Some(1)].into()),
            Column::Int(vec![Some(1), Some(1), Some(2)].into()),
            Column::Str(vec![s("Anna K."), s("bernd_77"), None].into()),
            Column::Timestamp(vec![Some(1_709_280_900_000_000), None, None].into()),
            Column::LocalTimestamp(vec![None, Some(1_709_284_800_000_000), None].into()),
            Column::Str(vec![s("2024-03-01T09:15+01:00"), s("1. März 2024, 09:20"), None].into()),
            Column::Category(vec![s("comment"), s("comment"), s("pingback")].into()),
            Column::Category(vec![s("approved"), None, s("spam")].into()),
            Column::Bool(vec![Some(false), Some(false), Some(true)].into()),
            Column::Bool(vec![Some(false), Some(true), None].into()),
            Column::Str(
                vec![
                    s("Stimmt, aber \"teuer\" ist relativ."),
                    s("Zwei Zeilen:\nja, wirklich — 🙂"),
                    s(""),
                ]
                .into(),
            ),
            Column::Int(vec![Some(0), Some(12), Some(0)].into()),
            Column::Int(vec![Some(1), Some(0), Some(0)].into()),
            Column::Int(vec![Some(2), Some(1), Some(1)].into()),
            Column::Int(vec![Some(12), Some(15), None].into()),
            Column::StrMap(vec![
                Some(vec![
                    (s("score").unwrap(), s("3").unwrap()),
                    (s("subreddit").unwrap(), s("de").unwrap()),
                ]),
                Some(vec![(s("note").unwrap(), s("a \"q\", b").unwrap())]),
                None,
            ]),
            Column::Bool(vec![Some(false), Some(false), Some(true)].into()),
            Column::Bool(vec![Some(false); 3].into()),
            Column::Bool(vec![Some(false); 3].into()),
            Column::Bool(vec![Some(false); 3].into()),
            Column::Category(vec![s("de"), None, None].into()),
            Column::Category(vec![s("scored"), s("scored"), s("not_a_comment")].into()),
            Column::Float(vec![Some(0.125), Some(0.75), None].into()),
            Column::Bool(vec![Some(false), Some(true), None].into()),
            Column::StrList(vec![Some(vec![]), Some(vec![s("vulgarity").unwrap()]), None]),
            Column::Cues(vec![
                Some(vec![]),
                Some(vec![CueValue {
                    start: 13,
                    end: 21,
                    label: "vulgarity".into(),
                    text: "wirklich".into(),
                    weight: 0.5,
                }]),
                None,
            ]),
            Column::Int(vec![Some(0), Some(0), None].into()),
            Column::Category(vec![s("no_target"), s("scored"), s("not_a_comment")].into()),
            Column::Category(vec![None, Some(s("disagree").unwrap()), None].into()),
            Column::Float(vec![None, Some(0.625), None].into()),
            Column::Float(vec![None, Some(0.25), None].into()),
            Column::Float(vec![None, Some(0.125), None].into()),
            Column::Category(
                vec![Some(s("unclear").unwrap()), Some(s("with_article").unwrap()), None].into(),
            ),
            Column::Float(vec![None, Some(0.5), None].into()),
        ],
    )
    .unwrap()
}

#[test]
fn csv_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Csv, dir.path(), &COMMENTS, &[small_comments()]);
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    article_id,comment_id,parent_id,root_id,depth,position,author,time,time_local,time_raw,kind,status,deleted,by_post_author,text,quoted_chars,children,subtree_size,line,extra,orphan,duplicate,cycle,self_reply,language,score_status,incivility,uncivil,incivility_forms,incivility_cues,incivility_more_cues,stance_status,stance,stance_disagree,stance_neutral,stance_agree,side,side_confidence
    a1,c1,,c1,1,1,Anna K.,2024-03-01T08:15:00Z,,2024-03-01T09:15+01:00,comment,approved,false,false,"Stimmt, aber ""teuer"" ist relativ.",0,1,2,12,"{""score"":""3"",""subreddit"":""de""}",false,false,false,false,de,scored,0.125,false,[],[],0,no_target,,,,,unclear,
    a1,c2,c1,c1,2,1,bernd_77,,2024-03-01T09:20:00,"1. März 2024, 09:20",comment,,false,true,"Zwei Zeilen:
    ja, wirklich — 🙂",12,0,1,15,"{""note"":""a \""q\"", b""}",false,false,false,false,,scored,0.75,true,"[""vulgarity""]","[{""start"":13,""end"":21,""label"":""vulgarity"",""text"":""wirklich"",""weight"":0.5}]",0,scored,disagree,0.625,0.25,0.125,with_article,0.5
    a1,c9,,c9,1,2,,,,,pingback,spam,true,,,0,0,1,,,true,false,false,false,,not_a_comment,,,,,,not_a_comment,,,,,,
    "#);
}

#[test]
fn jsonl_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Jsonl, dir.path(), &COMMENTS, &[small_comments()]);
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    {"article_id":"a1","comment_id":"c1","parent_id":null,"root_id":"c1","depth":1,"position":1,"author":"Anna K.","time":"2024-03-01T08:15:00Z","time_local":null,"time_raw":"2024-03-01T09:15+01:00","kind":"comment","status":"approved","deleted":false,"by_post_author":false,"text":"Stimmt, aber \"teuer\" ist relativ.","quoted_chars":0,"children":1,"subtree_size":2,"line":12,"extra":{"score":"3","subreddit":"de"},"orphan":false,"duplicate":false,"cycle":false,"self_reply":false,"language":"de","score_status":"scored","incivility":0.125,"uncivil":false,"incivility_forms":[],"incivility_cues":[],"incivility_more_cues":0,"stance_status":"no_target","stance":null,"stance_disagree":null,"stance_neutral":null,"stance_agree":null,"side":"unclear","side_confidence":null}
    {"article_id":"a1","comment_id":"c2","parent_id":"c1","root_id":"c1","depth":2,"position":1,"author":"bernd_77","time":null,"time_local":"2024-03-01T09:20:00","time_raw":"1. März 2024, 09:20","kind":"comment","status":null,"deleted":false,"by_post_author":true,"text":"Zwei Zeilen:\nja, wirklich — 🙂","quoted_chars":12,"children":0,"subtree_size":1,"line":15,"extra":{"note":"a \"q\", b"},"orphan":false,"duplicate":false,"cycle":false,"self_reply":false,"language":null,"score_status":"scored","incivility":0.75,"uncivil":true,"incivility_forms":["vulgarity"],"incivility_cues":[{"start":13,"end":21,"label":"vulgarity","text":"wirklich","weight":0.5}],"incivility_more_cues":0,"stance_status":"scored","stance":"disagree","stance_disagree":0.625,"stance_neutral":0.25,"stance_agree":0.125,"side":"with_article","side_confidence":0.5}
    {"article_id":"a1","comment_id":"c9","parent_id":null,"root_id":"c9","depth":1,"position":2,"author":null,"time":null,"time_local":null,"time_raw":null,"kind":"pingback","status":"spam","deleted":true,"by_post_author":null,"text":"","quoted_chars":0,"children":0,"subtree_size":1,"line":null,"extra":null,"orphan":true,"duplicate":false,"cycle":false,"self_reply":false,"language":null,"score_status":"not_a_comment","incivility":null,"uncivil":null,"incivility_forms":null,"incivility_cues":null,"incivility_more_cues":null,"stance_status":"not_a_comment","stance":null,"stance_disagree":null,"stance_neutral":null,"stance_agree":null,"side":null,"side_confidence":null}
    "#);
}

/// A table with one column of each type added after `Str`, `Int`, `Float` and `Bool`.
static TYPED: TableSpec = TableSpec {
    name: "typed",
    doc: "One column of each richer type.",
    columns: &[
        col("kind", DataType::Category, false),
        col("posted", DataType::Timestamp, true),
        col("posted_local", DataType::LocalTimestamp, true),
        col("tags", DataType::StrList, true),
        col("scores", DataType::FloatList, true),
        col("cues", DataType::Cues, true),
    ],
};

/// Four rows of `TYPED`: plain values; before 1970, with fractions and empty lists; all null;
/// text that needs quoting or escaping.
fn small_typed() -> Batch {
    let s = |v: &str| v.to_string();
    Batch::new(
        &TYPED,
        vec![
            Column::Category(
                vec![
                    Some(s("comment")),
                    Some(s("pingback")),
                    Some(s("comment")),
                    Some(s("Ünïcödé, \"q\"")),
                ]
                .into(),
            ),
            Column::Timestamp(
                vec![Some(1_695_543_120_000_000), Some(-250_000), None, Some(951_825_600_123_456)]
                    .into(),
            ),
            Column::LocalTimestamp(
                vec![
                    Some(1_695_550_320_000_000),
                    Some(-2_208_988_799_999_999),
                    None,
                    Some(951_825_600_500_000),
                ]
                .into(),
            ),
            Column::StrList(vec![
                Some(vec![s("news"), s("politics")]),
                Some(vec![]),
                None,
                Some(vec![s("Zeile\n\"zwei\""), s("🙂 日本語"), s("a,b"), s("")]),
            ]),
            Column::FloatList(vec![
                Some(vec![0.5, 1.0]),
                Some(vec![]),
                None,
                Some(vec![-3.5, 1e-7, 2.0 / 3.0, 1e300]),
            ]),
            Column::Cues(vec![
                Some(vec![cue(0, 7, "vulgarity", "bellend", 0.8)]),
                Some(vec![]),
                None,
                Some(vec![
                    cue(3, 12, "insult", "\"Depp\",\nna ja", -1.5),
                    cue(20, 23, "emoji", "🙂", 0.25),
                ]),
            ]),
        ],
    )
    .unwrap()
}

#[test]
fn csv_snapshot_of_richer_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Csv, dir.path(), &TYPED, &[small_typed()]);
    assert_eq!(read_back(ExportFormat::Csv, &path, &TYPED), small_typed().columns());
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    kind,posted,posted_local,tags,scores,cues
    comment,2023-09-24T08:12:00Z,2023-09-24T10:12:00,"[""news"",""politics""]","[0.5,1.0]","[{""start"":0,""end"":7,""label"":""vulgarity"",""text"":""bellend"",""weight"":0.8}]"
    pingback,1969-12-31T23:59:59.750Z,1900-01-01T00:00:00.000001,[],[],[]
    comment,,,,,
    "Ünïcödé, ""q""",2000-02-29T12:00:00.123456Z,2000-02-29T12:00:00.500,"[""Zeile\n\""zwei\"""",""🙂 日本語"",""a,b"",""""]","[-3.5,1e-7,0.6666666666666666,1e+300]","[{""start"":3,""end"":12,""label"":""insult"",""text"":""\""Depp\"",\nna ja"",""weight"":-1.5},{""start"":20,""end"":23,""label"":""emoji"",""text"":""🙂"",""weight"":0.25}]"
    "#);
}

#[test]
fn jsonl_snapshot_of_richer_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Jsonl, dir.path(), &TYPED, &[small_typed()]);
    assert_eq!(read_back(ExportFormat::Jsonl, &path, &TYPED), small_typed().columns());
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    {"kind":"comment","posted":"2023-09-24T08:12:00Z","posted_local":"2023-09-24T10:12:00","tags":["news","politics"],"scores":[0.5,1.0],"cues":[{"start":0,"end":7,"label":"vulgarity","text":"bellend","weight":0.8}]}
    {"kind":"pingback","posted":"1969-12-31T23:59:59.750Z","posted_local":"1900-01-01T00:00:00.000001","tags":[],"scores":[],"cues":[]}
    {"kind":"comment","posted":null,"posted_local":null,"tags":null,"scores":null,"cues":null}
    {"kind":"Ünïcödé, \"q\"","posted":"2000-02-29T12:00:00.123456Z","posted_local":"2000-02-29T12:00:00.500","tags":["Zeile\n\"zwei\"","🙂 日本語","a,b",""],"scores":[-3.5,1e-7,0.6666666666666666,1e+300],"cues":[{"start":3,"end":12,"label":"insult","text":"\"Depp\",\nna ja","weight":-1.5},{"start":20,"end":23,"label":"emoji","text":"🙂","weight":0.25}]}
    "#);
}

#[test]
fn schema_doc_lists_the_known_values_of_categories() {
    let md = schema_markdown();
    assert!(md.contains("| `stance` | category (disagree, neutral, agree) | yes |"), "{md}");
    assert!(md.contains("| `side` | category (with_article, against_article, unclear) | yes |"));
    // An open category (moderation status) lists none.
    assert!(md.contains("| `status` | category | yes |"));
}
