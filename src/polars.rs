//! Rayforce tables ⇄ polars `DataFrame`s (feature `polars`), through the Arrow path
//! ([`crate::arrow`]): a reply table becomes an Arrow record batch (fixed-width columns
//! moved, not copied, temporal columns shifted to the 1970 epoch in the same pass), whose
//! columns cross to polars through the Arrow C data interface — the same buffers, no copy.
//! The other way a `DataFrame`'s columns cross to Arrow and are written as an insert or an
//! upsert. Polars and arrow-rs each have their own Arrow implementation; the C data
//! interface is their common, stable ABI, so no Arrow version has to match.
//!
//! ```no_run
//! # use rayforce_client::Client;
//! let mut client = Client::connect("127.0.0.1", 5000)?;
//! let df = client.fetch_polars("(select {from: trades where: (> px 100.0)})")?;
//! println!("{df}");
//! client.insert_dataframe("trades_copy", &df)?;
//! # Ok::<(), rayforce_client::Error>(())
//! ```

use crate::{Error, Result};
use ::polars::prelude::{Column, CompatLevel, DataFrame, IntoColumn, PlSmallStr, Series};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

fn conversion(what: &str, e: impl std::fmt::Display) -> Error {
    Error::TypeMismatch {
        expected: format!("a column convertible {what}"),
        actual: e.to_string(),
    }
}

/// One arrow-rs array as a polars `Series`, through the C data interface (no copy).
fn series(name: &str, array: &ArrayRef) -> Result<Series> {
    let (ffi_array, ffi_schema) =
        arrow_array::ffi::to_ffi(&array.to_data()).map_err(|e| conversion("to polars", e))?;
    // SAFETY: arrow-rs's `FFI_ArrowArray`/`FFI_ArrowSchema` and polars-arrow's
    // `ArrowArray`/`ArrowSchema` are both `#[repr(C)]` definitions of the Arrow C data
    // interface structs (the same layout by that specification); ownership of the buffers
    // moves with the array struct, whose release callback frees them.
    let (array, schema) = unsafe {
        (
            std::mem::transmute::<arrow_array::ffi::FFI_ArrowArray, polars_arrow::ffi::ArrowArray>(
                ffi_array,
            ),
            std::mem::transmute::<arrow_schema::ffi::FFI_ArrowSchema, polars_arrow::ffi::ArrowSchema>(
                ffi_schema,
            ),
        )
    };
    // SAFETY: `schema` and `array` are valid C data interface structs just exported above.
    let imported = unsafe {
        let field = polars_arrow::ffi::import_field_from_c(&schema)
            .map_err(|e| conversion("to polars", e))?;
        polars_arrow::ffi::import_array_from_c(array, field.dtype)
            .map_err(|e| conversion("to polars", e))?
    };
    Series::from_arrow(PlSmallStr::from(name), imported).map_err(|e| conversion("to polars", e))
}

/// One polars column as an arrow-rs array, through the C data interface (no copy).
fn arrow_array(column: &Column) -> Result<(Field, ArrayRef)> {
    let series = column.as_materialized_series().rechunk();
    // The oldest compatibility level gives plain Arrow layouts (large_string, not views)
    // that every Arrow reader knows.
    let array = series.to_arrow(0, CompatLevel::oldest());
    let field =
        polars_arrow::datatypes::Field::new(series.name().clone(), array.dtype().clone(), true);
    let ffi_schema = polars_arrow::ffi::export_field_to_c(&field);
    let ffi_array = polars_arrow::ffi::export_array_to_c(array);
    // SAFETY: as in `series`, the two crates' C data interface structs are one layout.
    let (ffi_array, ffi_schema) = unsafe {
        (
            std::mem::transmute::<polars_arrow::ffi::ArrowArray, arrow_array::ffi::FFI_ArrowArray>(
                ffi_array,
            ),
            std::mem::transmute::<polars_arrow::ffi::ArrowSchema, arrow_schema::ffi::FFI_ArrowSchema>(
                ffi_schema,
            ),
        )
    };
    let field = Field::try_from(&ffi_schema).map_err(|e| conversion("from polars", e))?;
    // SAFETY: valid structs exported just above.
    let data = unsafe { arrow_array::ffi::from_ffi(ffi_array, &ffi_schema) }
        .map_err(|e| conversion("from polars", e))?;
    Ok((field, arrow_array::make_array(data)))
}

/// A record batch as a polars `DataFrame` (column buffers shared, not copied).
pub fn to_dataframe(batch: &RecordBatch) -> Result<DataFrame> {
    let schema = batch.schema();
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        columns.push(series(field.name(), array)?.into_column());
    }
    let mut columns = columns.into_iter();
    let Some(first) = columns.next() else {
        return Ok(DataFrame::empty());
    };
    let mut df = first.into_frame();
    for column in columns {
        df.with_column(column)
            .map_err(|e| conversion("to polars", e))?;
    }
    Ok(df)
}

/// A polars `DataFrame` as a record batch (column buffers shared, not copied).
pub fn from_dataframe(df: &DataFrame) -> Result<RecordBatch> {
    let mut fields = Vec::with_capacity(df.width());
    let mut arrays = Vec::with_capacity(df.width());
    for column in df.columns() {
        let (field, array) = arrow_array(column)?;
        fields.push(field);
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| conversion("from polars", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, Int64Array, StringArray};

    #[test]
    fn batches_cross_to_polars_and_back_unchanged() {
        let batch = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])) as ArrayRef,
            ),
            (
                "px",
                Arc::new(Float64Array::from(vec![1.5, 2.5, f64::NAN])) as ArrayRef,
            ),
            (
                "sym",
                Arc::new(StringArray::from(vec![Some("a"), Some("bb"), None])) as ArrayRef,
            ),
        ])
        .unwrap();
        let df = to_dataframe(&batch).unwrap();
        assert_eq!(df.shape(), (3, 3));
        assert_eq!(df.column("id").unwrap().null_count(), 1);
        // The same buffer on both sides: nothing was copied.
        let sent = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let polars_ids = df
            .column("id")
            .unwrap()
            .as_materialized_series()
            .i64()
            .unwrap();
        let chunk = polars_ids.downcast_iter().next().unwrap();
        assert_eq!(chunk.values().as_ptr(), sent.values().as_ptr());
        let back = from_dataframe(&df).unwrap();
        let ids_back = back
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(ids_back.values().as_ptr(), sent.values().as_ptr());
        assert_eq!(back.num_rows(), 3);
        let ids = back
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec![Some(1), None, Some(3)]);
        assert_eq!(back.column(2).null_count(), 1);
    }
}
