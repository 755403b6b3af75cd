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

use arrow_array::builder::{NullBufferBuilder, OffsetBufferBuilder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray,
    StructArray, TimestampMicrosecondArray,
};
use arrow_schema::{
    ArrowError, DataType as ArrowType, Field, FieldRef, Fields, Schema, SchemaRef, TimeUnit,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::{
    AtomicFile, Batch, Column, DOC_KEY, DataType, ExportError, SCHEMA_VERSION, SCHEMA_VERSION_KEY,
    TABLE_KEY, TableSpec, TableWriter, VALUES_KEY, check_batch,
};

/// Most rows in one Parquet row group.
pub(super) const MAX_ROW_GROUP_ROWS: usize = 4 * 1024;

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
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(kv))
            .build();
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
    }
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
        Column::Str(v) => Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>()),
        Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
        Column::Float(v) => Arc::new(Float64Array::from(v.clone())),
        Column::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
        Column::Category(v) => {
            let mut builder = StringDictionaryBuilder::<Int32Type>::new();
            for value in v {
                match value {
                    // Fails only past i32::MAX distinct values in one batch.
                    Some(s) => _ = builder.append(s)?,
                    None => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        Column::Timestamp(v) => {
            Arc::new(TimestampMicrosecondArray::from(v.clone()).with_timezone(UTC))
        }
        Column::LocalTimestamp(v) => Arc::new(TimestampMicrosecondArray::from(v.clone())),
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
    })
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
    RecordBatch::try_new(arrow_schema(batch.spec()), arrays)
}

impl TableWriter for ParquetWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch(self.spec, batch)?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let parquet_err = |source| ExportError::Parquet { path: self.path.clone(), source };
        let arrow_err = |e| parquet_err(ParquetError::from(e));
        // Fails only when a batch overflows Arrow's 32-bit offsets or dictionary keys.
        let arrays =
            batch.columns().iter().map(arrow_array).collect::<Result<_, _>>().map_err(arrow_err)?;
        // Batch::new checked types, lengths and nulls, so this fails only on a bug.
        let record_batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(arrow_err)?;
        self.wtr.write(&record_batch).map_err(parquet_err)
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let ParquetWriter { wtr, path, .. } = *self;
        // Writes the footer and hands back the file.
        let file = wtr.into_inner().map_err(|source| ExportError::Parquet { path, source })?;
        file.commit()
    }
}
