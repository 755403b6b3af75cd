//! Parquet writer: Arrow's `ArrowWriter`, snappy compressed, row groups of at most
//! [`MAX_ROW_GROUP_ROWS`] rows.
//!
//! Batches are converted to Arrow record batches and handed over one by one; `ArrowWriter`
//! buffers them until a row group is full, so memory is bounded by one row group whatever the
//! number of batches. Column docs go into Arrow field metadata (key `doc`), the table doc into
//! schema metadata, and the schema version and table name into the file's key-value metadata.
//!
//! Types map as the module docs of [`export`](super) list: categories become
//! `Dictionary(Int32, Utf8)` arrays (one dictionary per batch, in order of first appearance),
//! timestamps `Timestamp(Microsecond, "UTC")` or `Timestamp(Microsecond, None)`, and lists
//! `List` arrays whose items (and, for cues, struct fields) are non-null. The Arrow schema is
//! embedded in the file, so Arrow-based readers get these types back exactly.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{
    NullBufferBuilder, OffsetBufferBuilder, StringBuilder, StringDictionaryBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray,
    StructArray, TimestampMicrosecondArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{
    ArrowError, DataType as ArrowType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::{
    AtomicFile, Batch, Column, DOC_KEY, DataType, ExportError, SCHEMA_VERSION, SCHEMA_VERSION_KEY,
    Strs, TABLE_KEY, TableSpec, TableWriter, VALUES_KEY, Vals, check_batch,
};

/// Most rows in one Parquet row group.
pub(super) const MAX_ROW_GROUP_ROWS: usize = 4 * 1024;

/// Columns whose values are nearly all different (ids, texts): written plainly, without the
/// dictionary a Parquet writer tries first, which costs a hash and a copy of every value
/// and saves nothing (issue #17).
const UNIQUE_VALUES: &[&str] = &["comment_id", "parent_id", "text", "time_raw"];

/// Writes one table as Parquet.
pub(super) struct ParquetWriter {
    spec: &'static TableSpec,
    schema: SchemaRef,
    wtr: ArrowWriter<AtomicFile>,
    path: PathBuf,
}

impl ParquetWriter {
    pub(super) fn new(
        file: AtomicFile,
        spec: &'static TableSpec,
        metadata: &[(String, String)],
    ) -> Result<Self, ExportError> {
        let path = file.path().to_path_buf();
        let schema = arrow_schema(spec);
        let mut kv = vec![
            KeyValue::new(SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
            KeyValue::new(TABLE_KEY.to_string(), spec.name.to_string()),
        ];
        kv.extend(metadata.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())));
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(kv));
        for c in spec.columns.iter().filter(|c| UNIQUE_VALUES.contains(&c.name)) {
            props = props.set_column_dictionary_enabled(ColumnPath::from(c.name), false);
        }
        let props = props.build();
        let wtr = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|source| ExportError::Parquet { path: path.clone(), source })?;
        Ok(ParquetWriter { spec, schema, wtr, path })
    }
}

/// The Arrow schema of `spec`'s table: types and nullability per column, docs as metadata.
pub fn arrow_schema(spec: &TableSpec) -> SchemaRef {
    let fields: Vec<Field> = spec
        .columns
        .iter()
        .map(|c| {
            let mut metadata = HashMap::from([(DOC_KEY.to_string(), c.doc.to_string())]);
            if !c.values.is_empty() {
                // A Parquet dictionary holds only the values present; the known ones travel
                // here, so a reader can give every file and shard the same categories.
                let values = serde_json::to_string(c.values).expect("strings serialise");
                metadata.insert(VALUES_KEY.to_string(), values);
            }
            Field::new(c.name, arrow_type(c.dtype), c.nullable).with_metadata(metadata)
        })
        .collect();
    let metadata = HashMap::from([
        (DOC_KEY.to_string(), spec.doc.to_string()),
        (TABLE_KEY.to_string(), spec.name.to_string()),
        (SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

/// Time zone of [`DataType::Timestamp`] columns.
const UTC: &str = "UTC";

fn arrow_type(dtype: DataType) -> ArrowType {
    match dtype {
        DataType::Str => ArrowType::Utf8,
        DataType::Int => ArrowType::Int64,
        DataType::Float => ArrowType::Float64,
        DataType::Bool => ArrowType::Boolean,
        DataType::Category => {
            ArrowType::Dictionary(Box::new(ArrowType::Int32), Box::new(ArrowType::Utf8))
        }
        DataType::Timestamp => ArrowType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
        DataType::LocalTimestamp => ArrowType::Timestamp(TimeUnit::Microsecond, None),
        DataType::StrList => ArrowType::List(item_field(ArrowType::Utf8)),
        DataType::FloatList => ArrowType::List(item_field(ArrowType::Float64)),
        DataType::Cues => ArrowType::List(item_field(ArrowType::Struct(cue_fields()))),
        DataType::StrMap => ArrowType::Map(map_entries(), false),
    }
}

/// The entries of a [`DataType::StrMap`]: `key` and `value`, as pyarrow names them, neither
/// null.
fn map_entries() -> FieldRef {
    let fields = Fields::from(vec![
        Field::new("key", ArrowType::Utf8, false),
        Field::new("value", ArrowType::Utf8, false),
    ]);
    Arc::new(Field::new("entries", ArrowType::Struct(fields), false))
}

/// The field of a list's items: named `item` as Arrow and Parquet name it by default, never null.
fn item_field(item_type: ArrowType) -> FieldRef {
    Arc::new(Field::new_list_field(item_type, false))
}

/// The fields of a cue struct, in [`CueValue`](super::CueValue) order, none of them nullable.
fn cue_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", ArrowType::Int64, false),
        Field::new("end", ArrowType::Int64, false),
        Field::new("label", ArrowType::Utf8, false),
        Field::new("text", ArrowType::Utf8, false),
        Field::new("weight", ArrowType::Float64, false),
    ])
}

fn arrow_array(column: &Column) -> Result<ArrayRef, ArrowError> {
    Ok(match column {
        Column::Str(v) => {
            // Exactly sized (collecting reserves 1 KB of text per array, #14).
            let mut builder = StringBuilder::with_capacity(v.len(), v.text_len());
            for s in v.iter() {
                builder.append_option(s);
            }
            Arc::new(builder.finish())
        }
        Column::Int(v) => Arc::new(Int64Array::new(v.values().to_vec().into(), nulls(v))),
        Column::Float(v) => Arc::new(Float64Array::new(v.values().to_vec().into(), nulls(v))),
        Column::Bool(v) => {
            Arc::new(BooleanArray::new(v.values().iter().copied().collect(), nulls(v)))
        }
        Column::Category(v) => {
            // Sized for the batch: the default (1,024 keys and values) holds ~9 KB per column,
            // which a run keeping one small batch per discussion in memory (Python) pays for
            // each (#14).
            let mut builder = StringDictionaryBuilder::<Int32Type>::with_capacity(v.len(), 8, 64);
            for value in v.iter() {
                match value {
                    // Fails only past i32::MAX distinct values in one batch.
                    Some(s) => _ = builder.append(s)?,
                    None => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        Column::Timestamp(v) => Arc::new(
            TimestampMicrosecondArray::new(v.values().to_vec().into(), nulls(v)).with_timezone(UTC),
        ),
        Column::LocalTimestamp(v) => {
            Arc::new(TimestampMicrosecondArray::new(v.values().to_vec().into(), nulls(v)))
        }
        Column::StrList(v) => {
            let items = StringArray::from_iter_values(v.iter().flatten().flatten());
            list_array(v, ArrowType::Utf8, Arc::new(items))?
        }
        Column::FloatList(v) => {
            let items = Float64Array::from_iter_values(v.iter().flatten().flatten().copied());
            list_array(v, ArrowType::Float64, Arc::new(items))?
        }
        Column::Cues(v) => {
            let cues = || v.iter().flatten().flatten();
            let fields: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from_iter_values(cues().map(|c| c.start))),
                Arc::new(Int64Array::from_iter_values(cues().map(|c| c.end))),
                Arc::new(StringArray::from_iter_values(cues().map(|c| &c.label))),
                Arc::new(StringArray::from_iter_values(cues().map(|c| &c.text))),
                Arc::new(Float64Array::from_iter_values(cues().map(|c| c.weight))),
            ];
            let items = StructArray::try_new(cue_fields(), fields, None)?;
            list_array(v, ArrowType::Struct(cue_fields()), Arc::new(items))?
        }
        Column::StrMap(v) => {
            let pairs = || v.iter().flatten().flatten();
            let ArrowType::Struct(fields) = map_entries().data_type().clone() else {
                unreachable!("map entries are a struct")
            };
            let entries = StructArray::try_new(
                fields,
                vec![
                    Arc::new(StringArray::from_iter_values(pairs().map(|(k, _)| k))),
                    Arc::new(StringArray::from_iter_values(pairs().map(|(_, v)| v))),
                ],
                None,
            )?;
            let mut offsets = OffsetBufferBuilder::<i32>::new(v.len());
            let mut nulls = NullBufferBuilder::new(v.len());
            for m in v {
                offsets
                    .try_push_length(m.as_ref().map_or(0, Vec::len))
                    .map_err(|e| ArrowError::ComputeError(format!("map entries: {e}")))?;
                nulls.append(m.is_some());
            }
            let offsets = offsets
                .try_finish()
                .map_err(|e| ArrowError::ComputeError(format!("map entries: {e}")))?;
            Arc::new(arrow_array::MapArray::try_new(
                map_entries(),
                offsets,
                entries,
                nulls.finish(),
                false,
            )?)
        }
    })
}

/// The null buffer of `v`: `None` when no row is null.
fn nulls<T: Copy + Default>(v: &Vals<T>) -> Option<NullBuffer> {
    Some(NullBuffer::from(v.validity())).filter(|n| n.null_count() > 0)
}

/// A list array of `lists`, whose non-null items, in order, are `items` (of type `item_type`).
fn list_array<T>(
    lists: &[Option<Vec<T>>],
    item_type: ArrowType,
    items: ArrayRef,
) -> Result<ArrayRef, ArrowError> {
    // The error type (arrow_buffer's `OverflowError`) is not re-exported by arrow_array.
    fn overflow(e: impl std::fmt::Display) -> ArrowError {
        ArrowError::ComputeError(format!("list items: {e}"))
    }
    let mut offsets = OffsetBufferBuilder::<i32>::new(lists.len());
    let mut nulls = NullBufferBuilder::new(lists.len());
    for list in lists {
        offsets.try_push_length(list.as_ref().map_or(0, Vec::len)).map_err(overflow)?;
        nulls.append(list.is_some());
    }
    let offsets = offsets.try_finish().map_err(overflow)?;
    Ok(Arc::new(ListArray::try_new(item_field(item_type), offsets, items, nulls.finish())?))
}

/// `batch` as an Arrow record batch of its table's [`arrow_schema()`]: the arrays the Parquet
/// writer writes.
pub fn record_batch(batch: &Batch) -> Result<RecordBatch, ArrowError> {
    let arrays = batch.columns().iter().map(arrow_array).collect::<Result<_, _>>()?;
    RecordBatch::try_new(shared_schema(batch.spec()), arrays)
}

/// [`arrow_schema()`] of a table spec, made once and shared by every batch of that table: a
/// run keeping one batch per discussion in memory (Python, #14) would otherwise hold a copy of
/// the schema and its column docs per batch.
fn shared_schema(spec: &'static TableSpec) -> SchemaRef {
    static SCHEMAS: std::sync::Mutex<Vec<(usize, SchemaRef)>> = std::sync::Mutex::new(Vec::new());
    // A `'static` spec never moves or changes: its address names it.
    let key = std::ptr::from_ref(spec) as usize;
    let mut schemas = SCHEMAS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, schema)) = schemas.iter().find(|(k, _)| *k == key) {
        return schema.clone();
    }
    let schema = arrow_schema(spec);
    schemas.push((key, schema.clone()));
    schema
}

/// The inverse of [`record_batch`]: an Arrow record batch of `spec`'s table (the columns of
/// [`arrow_schema()`], in order) as a [`Batch`] the writers take, so that tables that went
/// to Arrow (to Python) are written with the same bytes as the command line writes (#14).
/// Text columns may also be `large_utf8` or `utf8_view`, and categories plain text; anything
/// else that is not the spec's type is an [`ExportError::Schema`] naming the column.
///
/// ```
/// use threadlens::export::{from_record_batch, record_batch, schema, Batch, Column};
///
/// let spec = &schema::ANOMALIES;
/// let batch = Batch::new(spec, vec![
///     Column::Str(vec![Some("a1".into())].into()),
///     Column::Str(vec![Some("page.txt".into())].into()),
///     Column::Int(vec![Some(12)].into()),
///     Column::Str(vec![None].into()),
///     Column::Category(vec![Some("numbering_gap".into())].into()),
///     Column::Str(vec![Some("comment 4 follows comment 2".into())].into()),
/// ])?;
/// assert_eq!(from_record_batch(spec, &record_batch(&batch)?)?, batch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_record_batch(spec: &'static TableSpec, rb: &RecordBatch) -> Result<Batch, ExportError> {
    let schema = rb.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let expected: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    if names != expected {
        return Err(ExportError::Schema(format!(
            "table `{}`: expected the columns {}, got {}",
            spec.name,
            expected.join(", "),
            names.join(", ")
        )));
    }
    let columns = spec
        .columns
        .iter()
        .zip(rb.columns())
        .map(|(c, a)| {
            column_of(c.dtype, a.as_ref()).ok_or_else(|| {
                ExportError::Schema(format!(
                    "table `{}`, column `{}`: expected {}, got {}",
                    spec.name,
                    c.name,
                    c.dtype.type_name(),
                    a.data_type()
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Batch::new(spec, columns)
}

/// The values of `array` as a column of `dtype`; `None` when its Arrow type is not that.
fn column_of(dtype: DataType, array: &dyn Array) -> Option<Column> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType};

    let n = array.len();
    fn strings(array: &dyn Array) -> Option<Strs> {
        Some(match array.data_type() {
            ArrowType::Utf8 => array.as_string::<i32>().iter().collect(),
            ArrowType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
            ArrowType::Utf8View => array.as_string_view().iter().collect(),
            _ => return None,
        })
    }
    let list = |item: &ArrowType| -> Option<&arrow_array::ListArray> {
        let a = array.as_list_opt::<i32>()?;
        (a.value_type() == *item).then_some(a)
    };
    let lists = |a: &arrow_array::ListArray| -> Vec<Option<std::ops::Range<usize>>> {
        let offsets = a.value_offsets();
        (0..n)
            .map(|i| (!a.is_null(i)).then(|| offsets[i] as usize..offsets[i + 1] as usize))
            .collect()
    };
    let micros = |utc: bool| -> Option<Vals<i64>> {
        match array.data_type() {
            ArrowType::Timestamp(TimeUnit::Microsecond, tz) if tz.is_some() == utc => {
                let a = array.as_primitive::<TimestampMicrosecondType>();
                Some((0..n).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
            }
            _ => None,
        }
    };
    Some(match dtype {
        DataType::Str => Column::Str(strings(array)?),
        DataType::Category => Column::Category(match array.as_any_dictionary_opt() {
            Some(d) => {
                let values = strings(d.values().as_ref())?;
                // (`normalized_keys` panics on an empty dictionary: every value is null.)
                if values.is_empty() {
                    return Some(Column::Category((0..n).map(|_| None::<&str>).collect()));
                }
                let keys = d.normalized_keys();
                (0..n).map(|i| if array.is_null(i) { None } else { values.get(keys[i]) }).collect()
            }
            None => strings(array)?,
        }),
        DataType::Int => {
            let a = array.as_primitive_opt::<Int64Type>()?;
            Column::Int((0..n).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
        }
        DataType::Float => {
            let a = array.as_primitive_opt::<Float64Type>()?;
            Column::Float((0..n).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
        }
        DataType::Bool => {
            let a = array.as_boolean_opt()?;
            Column::Bool((0..n).map(|i| (!a.is_null(i)).then(|| a.value(i))).collect())
        }
        DataType::Timestamp => Column::Timestamp(micros(true)?),
        DataType::LocalTimestamp => Column::LocalTimestamp(micros(false)?),
        DataType::StrList => {
            let a = list(&ArrowType::Utf8)?;
            let items = a.values().as_string::<i32>();
            Column::StrList(
                lists(a)
                    .into_iter()
                    .map(|r| r.map(|r| r.map(|j| items.value(j).to_string()).collect()))
                    .collect(),
            )
        }
        DataType::FloatList => {
            let a = list(&ArrowType::Float64)?;
            let items = a.values().as_primitive::<Float64Type>();
            Column::FloatList(
                lists(a)
                    .into_iter()
                    .map(|r| r.map(|r| r.map(|j| items.value(j)).collect()))
                    .collect(),
            )
        }
        DataType::Cues => {
            let a = list(&ArrowType::Struct(cue_fields()))?;
            let s = a.values().as_struct();
            let start = s.column(0).as_primitive::<Int64Type>();
            let end = s.column(1).as_primitive::<Int64Type>();
            let label = s.column(2).as_string::<i32>();
            let text = s.column(3).as_string::<i32>();
            let weight = s.column(4).as_primitive::<Float64Type>();
            Column::Cues(
                lists(a)
                    .into_iter()
                    .map(|r| {
                        r.map(|r| {
                            r.map(|j| super::CueValue {
                                start: start.value(j),
                                end: end.value(j),
                                label: label.value(j).to_string(),
                                text: text.value(j).to_string(),
                                weight: weight.value(j),
                            })
                            .collect()
                        })
                    })
                    .collect(),
            )
        }
        DataType::StrMap => {
            let a = array.as_map_opt()?;
            let (keys, values) =
                (a.keys().as_string_opt::<i32>()?, a.values().as_string_opt::<i32>()?);
            let offsets = a.value_offsets();
            Column::StrMap(
                (0..n)
                    .map(|i| {
                        (!a.is_null(i)).then(|| {
                            (offsets[i] as usize..offsets[i + 1] as usize)
                                .map(|j| (keys.value(j).to_string(), values.value(j).to_string()))
                                .collect()
                        })
                    })
                    .collect(),
            )
        }
    })
}

impl TableWriter for ParquetWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch(self.spec, batch)?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let parquet_err = |source| ExportError::Parquet { path: self.path.clone(), source };
        let arrow_err = |e| parquet_err(ParquetError::from(e));
        // A row group at a time: the writer holds no more than that anyway, and a copy of a
        // discussion's whole table in Arrow arrays would be its largest allocation (#13).
        let n = batch.num_rows();
        for start in (0..n).step_by(MAX_ROW_GROUP_ROWS) {
            let rows = start..n.min(start + MAX_ROW_GROUP_ROWS);
            let whole = rows.len() == n;
            let arrays = batch
                .columns()
                .iter()
                .map(|c| if whole { arrow_array(c) } else { arrow_array(&c.slice(rows.clone())) })
                // Fails only when a batch overflows Arrow's 32-bit offsets or dictionary keys.
                .collect::<Result<_, _>>()
                .map_err(arrow_err)?;
            // Batch::new checked types, lengths and nulls, so this fails only on a bug.
            let record_batch =
                RecordBatch::try_new(self.schema.clone(), arrays).map_err(arrow_err)?;
            self.wtr.write(&record_batch).map_err(parquet_err)?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let ParquetWriter { wtr, path, .. } = *self;
        // Writes the footer and hands back the file.
        let file = wtr.into_inner().map_err(|source| ExportError::Parquet { path, source })?;
        file.commit()
    }
}
