//! Cross-format tests: every table round-trips through every format, output is atomic, and the
//! exact CSV and JSONL text is pinned by inline snapshots.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File};
use std::path::Path;

use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_schema::DataType as ArrowType;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::parquet::MAX_ROW_GROUP_ROWS;
use super::*;

/// Text that trips writers up: separators, quotes, line breaks, non-ASCII, and strings that look
/// like numbers, bools or null.
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
    "",
];
const INTS: &[i64] = &[0, 1, 3, 42, -7, 1_000_000, i64::MAX, i64::MIN];
const FLOATS: &[f64] =
    &[0.0, 0.1, 2.0 / 3.0, 2.0, 1e-7, 123_456.789, -3.5, 1e300, f64::MIN_POSITIVE, 5e-324];

/// `rows` rows of `spec`'s table; `seed` varies the values so batches differ. Every third value
/// of a nullable column is null. Nullable string columns never get `""`, which CSV reads back
/// as null (see `csv_nulls_and_empty_strings_are_empty_fields`).
fn sample_batch(spec: &'static TableSpec, rows: usize, seed: usize) -> Batch {
    let columns = spec
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let at = |r: usize| r + 5 * seed + 3 * c;
            let null = |r: usize| col.nullable && at(r) % 3 == 1;
            match col.dtype {
                DataType::Str => Column::Str(
                    (0..rows)
                        .map(|r| {
                            let text = TEXTS[at(r) % TEXTS.len()];
                            let text = if col.nullable && text.is_empty() { "x" } else { text };
                            (!null(r)).then(|| text.to_string())
                        })
                        .collect(),
                ),
                DataType::Int => Column::Int(
                    (0..rows).map(|r| (!null(r)).then(|| INTS[at(r) % INTS.len()])).collect(),
                ),
                DataType::Float => Column::Float(
                    (0..rows).map(|r| (!null(r)).then(|| FLOATS[at(r) % FLOATS.len()])).collect(),
                ),
                DataType::Bool => {
                    Column::Bool((0..rows).map(|r| (!null(r)).then_some(at(r) % 2 == 0)).collect())
                }
            }
        })
        .collect();
    Batch::new(spec, columns).unwrap()
}

/// The columns of `batches` appended to each other.
fn concat(spec: &TableSpec, batches: &[Batch]) -> Vec<Column> {
    let mut out: Vec<Column> = spec
        .columns
        .iter()
        .map(|c| match c.dtype {
            DataType::Str => Column::Str(vec![]),
            DataType::Int => Column::Int(vec![]),
            DataType::Float => Column::Float(vec![]),
            DataType::Bool => Column::Bool(vec![]),
        })
        .collect();
    for batch in batches {
        for (acc, col) in out.iter_mut().zip(batch.columns()) {
            match (acc, col) {
                (Column::Str(a), Column::Str(b)) => a.extend(b.iter().cloned()),
                (Column::Int(a), Column::Int(b)) => a.extend(b),
                (Column::Float(a), Column::Float(b)) => a.extend(b),
                (Column::Bool(a), Column::Bool(b)) => a.extend(b),
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

/// Reads a Parquet file, checking names, Arrow types and nullability against `spec`.
fn read_parquet(path: &Path, spec: &TableSpec) -> Vec<Column> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    assert_eq!(schema.fields().len(), spec.columns.len());
    for (field, col) in schema.fields().iter().zip(spec.columns) {
        let expected = match col.dtype {
            DataType::Str => ArrowType::Utf8,
            DataType::Int => ArrowType::Int64,
            DataType::Float => ArrowType::Float64,
            DataType::Bool => ArrowType::Boolean,
        };
        assert_eq!(
            (field.name().as_str(), field.data_type(), field.is_nullable()),
            (col.name, &expected, col.nullable)
        );
    }
    let mut columns = concat(spec, &[]);
    for record_batch in builder.build().unwrap() {
        let record_batch = record_batch.unwrap();
        for (acc, array) in columns.iter_mut().zip(record_batch.columns()) {
            match acc {
                Column::Str(v) => {
                    v.extend(array.as_string::<i32>().iter().map(|s| s.map(str::to_string)))
                }
                Column::Int(v) => v.extend(array.as_primitive::<Int64Type>()),
                Column::Float(v) => v.extend(array.as_primitive::<Float64Type>()),
                Column::Bool(v) => v.extend(array.as_boolean()),
            }
        }
    }
    columns
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
                Column::Str(v) => v.push((!null).then(|| field.to_string())),
                Column::Int(v) => v.push((!null).then(|| field.parse().unwrap())),
                Column::Float(v) => v.push((!null).then(|| field.parse().unwrap())),
                Column::Bool(v) => v.push((!null).then(|| match field {
                    "true" => true,
                    "false" => false,
                    other => panic!("column `{}`: not a bool: {other:?}", col.name),
                })),
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
            match acc {
                Column::Str(v) => v.push(match &value {
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
        for spec in TABLES {
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
fn empty_table_has_header_or_schema_only() {
    for format in ExportFormat::ALL {
        let dir = tempfile::tempdir().unwrap();
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
            Column::Str(vec![Some("a1".into()), Some("a1".into())]),
            Column::Str(vec![Some("".into()), Some("s".into())]),
            Column::Int(vec![None, Some(3)]),
            Column::Str(vec![None, Some("".into())]),
            Column::Str(vec![Some("orphan".into()), Some("cycle".into())]),
            Column::Str(vec![Some("m".into()), Some("".into())]),
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
    assert_eq!(back[3], Column::Str(vec![None, None]));
    // In non-nullable columns an empty field is an empty string.
    assert_eq!(back[1], Column::Str(vec![Some("".into()), Some("s".into())]));
}

#[test]
fn csv_numbers_use_shortest_round_trip_form() {
    static NUMS: TableSpec = TableSpec {
        name: "nums",
        doc: "Numbers.",
        columns: &[
            ColumnSpec { name: "f", dtype: DataType::Float, nullable: true, doc: "A float." },
            ColumnSpec { name: "b", dtype: DataType::Bool, nullable: true, doc: "A bool." },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let floats = vec![Some(0.1), Some(2.0), Some(1e-7), Some(-0.5), Some(f64::NAN), None];
    let bools = vec![Some(true), Some(false), None, None, None, None];
    let batch = Batch::new(&NUMS, vec![Column::Float(floats), Column::Bool(bools)]).unwrap();
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
        columns: &[ColumnSpec { name: "x", dtype: DataType::Float, nullable: true, doc: "X." }],
    };
    let dir = tempfile::tempdir().unwrap();
    let batch =
        Batch::new(&F, vec![Column::Float(vec![Some(f64::INFINITY), Some(f64::NEG_INFINITY)])])
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
            ColumnSpec { name: "a", dtype: DataType::Int, nullable: false, doc: "A." },
            ColumnSpec { name: "a", dtype: DataType::Str, nullable: false, doc: "A again." },
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
            Column::Str(vec![s("a1"), s("a1"), s("a1")]),
            Column::Str(vec![s("c1"), s("c2"), s("c9")]),
            Column::Str(vec![None, s("c1"), None]),
            Column::Str(vec![s("c1"), s("c1"), s("c9")]),
            Column::Int(vec![Some(1), Some(2), Some(1)]),
            Column::Int(vec![Some(1), Some(1), Some(2)]),
            Column::Str(vec![s("Anna K."), s("bernd_77"), None]),
            Column::Str(vec![s("2024-03-01T08:15:00Z"), s("2024-03-01T09:20:00"), None]),
            Column::Bool(vec![Some(false), Some(true), Some(false)]),
            Column::Str(vec![s("2024-03-01T09:15+01:00"), s("1. März 2024, 09:20"), None]),
            Column::Str(vec![s("comment"), s("comment"), s("pingback")]),
            Column::Str(vec![s("approved"), None, s("spam")]),
            Column::Bool(vec![Some(false), Some(false), Some(true)]),
            Column::Str(vec![
                s("Stimmt, aber \"teuer\" ist relativ."),
                s("Zwei Zeilen:\nja, wirklich — 🙂"),
                s(""),
            ]),
            Column::Int(vec![Some(0), Some(12), Some(0)]),
            Column::Int(vec![Some(1), Some(0), Some(0)]),
            Column::Int(vec![Some(2), Some(1), Some(1)]),
            Column::Int(vec![Some(12), Some(15), None]),
            Column::Bool(vec![Some(false), Some(false), Some(true)]),
            Column::Bool(vec![Some(false); 3]),
            Column::Bool(vec![Some(false); 3]),
            Column::Bool(vec![Some(false); 3]),
        ],
    )
    .unwrap()
}

#[test]
fn csv_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Csv, dir.path(), &COMMENTS, &[small_comments()]);
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    article_id,comment_id,parent_id,root_id,depth,position,author,time,time_local,time_raw,kind,status,deleted,text,quoted_chars,children,subtree_size,line,orphan,duplicate,cycle,self_reply
    a1,c1,,c1,1,1,Anna K.,2024-03-01T08:15:00Z,false,2024-03-01T09:15+01:00,comment,approved,false,"Stimmt, aber ""teuer"" ist relativ.",0,1,2,12,false,false,false,false
    a1,c2,c1,c1,2,1,bernd_77,2024-03-01T09:20:00,true,"1. März 2024, 09:20",comment,,false,"Zwei Zeilen:
    ja, wirklich — 🙂",12,0,1,15,false,false,false,false
    a1,c9,,c9,1,2,,,false,,pingback,spam,true,,0,0,1,,true,false,false,false
    "#);
}

#[test]
fn jsonl_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(ExportFormat::Jsonl, dir.path(), &COMMENTS, &[small_comments()]);
    insta::assert_snapshot!(fs::read_to_string(path).unwrap(), @r#"
    {"article_id":"a1","comment_id":"c1","parent_id":null,"root_id":"c1","depth":1,"position":1,"author":"Anna K.","time":"2024-03-01T08:15:00Z","time_local":false,"time_raw":"2024-03-01T09:15+01:00","kind":"comment","status":"approved","deleted":false,"text":"Stimmt, aber \"teuer\" ist relativ.","quoted_chars":0,"children":1,"subtree_size":2,"line":12,"orphan":false,"duplicate":false,"cycle":false,"self_reply":false}
    {"article_id":"a1","comment_id":"c2","parent_id":"c1","root_id":"c1","depth":2,"position":1,"author":"bernd_77","time":"2024-03-01T09:20:00","time_local":true,"time_raw":"1. März 2024, 09:20","kind":"comment","status":null,"deleted":false,"text":"Zwei Zeilen:\nja, wirklich — 🙂","quoted_chars":12,"children":0,"subtree_size":1,"line":15,"orphan":false,"duplicate":false,"cycle":false,"self_reply":false}
    {"article_id":"a1","comment_id":"c9","parent_id":null,"root_id":"c9","depth":1,"position":2,"author":null,"time":null,"time_local":false,"time_raw":null,"kind":"pingback","status":"spam","deleted":true,"text":"","quoted_chars":0,"children":0,"subtree_size":1,"line":null,"orphan":true,"duplicate":false,"cycle":false,"self_reply":false}
    "#);
}
