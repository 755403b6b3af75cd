//! Parquet writer: Arrow's `ArrowWriter`, snappy compressed, row groups of at most
//! [`MAX_ROW_GROUP_ROWS`] rows.
//!
//! Batches are converted to Arrow record batches and handed over one by one; `ArrowWriter`
//! buffers them until a row group is full, so memory is bounded by one row group whatever the
//! number of batches. Column docs go into Arrow field metadata (key `doc`), the table doc into
//! schema metadata, and the schema version and table name into the file's key-value metadata.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType as ArrowType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::{
    AtomicFile, Batch, Column, DOC_KEY, DataType, ExportError, SCHEMA_VERSION, SCHEMA_VERSION_KEY,
    TABLE_KEY, TableSpec, TableWriter, check_batch_spec,
};

/// Most rows in one Parquet row group.
pub(super) const MAX_ROW_GROUP_ROWS: usize = 64 * 1024;

/// Writes one table as Parquet.
pub(super) struct ParquetWriter {
    spec: &'static TableSpec,
    schema: SchemaRef,
    wtr: ArrowWriter<AtomicFile>,
    path: PathBuf,
}

impl ParquetWriter {
    pub(super) fn new(file: AtomicFile, spec: &'static TableSpec) -> Result<Self, ExportError> {
        let path = file.path().to_path_buf();
        let schema = arrow_schema(spec);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(vec![
                KeyValue::new(SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
                KeyValue::new(TABLE_KEY.to_string(), spec.name.to_string()),
            ]))
            .build();
        let wtr = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|source| ExportError::Parquet { path: path.clone(), source })?;
        Ok(ParquetWriter { spec, schema, wtr, path })
    }
}

/// The Arrow schema of `spec`'s table: types and nullability per column, docs as metadata.
pub(super) fn arrow_schema(spec: &TableSpec) -> SchemaRef {
    let fields: Vec<Field> = spec
        .columns
        .iter()
        .map(|c| {
            Field::new(c.name, arrow_type(c.dtype), c.nullable)
                .with_metadata(HashMap::from([(DOC_KEY.to_string(), c.doc.to_string())]))
        })
        .collect();
    let metadata = HashMap::from([
        (DOC_KEY.to_string(), spec.doc.to_string()),
        (TABLE_KEY.to_string(), spec.name.to_string()),
        (SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

fn arrow_type(dtype: DataType) -> ArrowType {
    match dtype {
        DataType::Str => ArrowType::Utf8,
        DataType::Int => ArrowType::Int64,
        DataType::Float => ArrowType::Float64,
        DataType::Bool => ArrowType::Boolean,
    }
}

fn arrow_array(column: &Column) -> ArrayRef {
    match column {
        Column::Str(v) => Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>()),
        Column::Int(v) => Arc::new(Int64Array::from(v.clone())),
        Column::Float(v) => Arc::new(Float64Array::from(v.clone())),
        Column::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
    }
}

impl TableWriter for ParquetWriter {
    fn write_batch(&mut self, batch: &Batch) -> Result<(), ExportError> {
        check_batch_spec(self.spec, batch)?;
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let arrays = batch.columns().iter().map(arrow_array).collect();
        let parquet_err = |source| ExportError::Parquet { path: self.path.clone(), source };
        // Batch::new checked types, lengths and nulls, so this fails only on a bug.
        let record_batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| parquet_err(ParquetError::from(e)))?;
        self.wtr.write(&record_batch).map_err(parquet_err)
    }

    fn finish(self: Box<Self>) -> Result<PathBuf, ExportError> {
        let ParquetWriter { wtr, path, .. } = *self;
        // Writes the footer and hands back the file.
        let file = wtr.into_inner().map_err(|source| ExportError::Parquet { path, source })?;
        file.commit()
    }
}
