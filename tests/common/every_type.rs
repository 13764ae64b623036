//! A record batch holding every Rayforce type with nulls, and its table, shared by the
//! Arrow and polars tests.

use arrow_array::builder::FixedSizeBinaryBuilder;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, Int16Array, Int32Array,
    Int64Array, RecordBatch, StringArray, Time32MillisecondArray, TimestampNanosecondArray,
    UInt8Array,
};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

pub const CREATE: &str = "(set every (table [b u h i l e f d t p g s c] (list (as 'B8 []) (as 'U8 []) (as 'I16 []) (as 'I32 []) (as 'I64 []) (as 'F32 []) (as 'F64 []) (as 'DATE []) (as 'TIME []) (as 'TIMESTAMP []) (as 'GUID []) (as 'SYMBOL []) (as 'STR []))))";

/// 2023-11-14T22:13:20.123456789Z in nanoseconds since 1970.
pub const INSTANT: i64 = 1_700_000_000_123_456_789;

pub fn every_type() -> RecordBatch {
    let mut guids = FixedSizeBinaryBuilder::with_capacity(3, 16);
    guids.append_value([0x11u8; 16]).unwrap();
    guids.append_null();
    guids.append_value((0u8..16).collect::<Vec<_>>()).unwrap();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("b", Arc::new(BooleanArray::from(vec![true, false, true]))),
        ("u", Arc::new(UInt8Array::from(vec![1u8, 2, 255]))),
        (
            "h",
            Arc::new(Int16Array::from(vec![Some(1i16), None, Some(-3)])),
        ),
        (
            "i",
            Arc::new(Int32Array::from(vec![Some(70_000), None, Some(-1)])),
        ),
        (
            "l",
            Arc::new(Int64Array::from(vec![Some(1i64 << 40), None, Some(-7)])),
        ),
        (
            "e",
            Arc::new(Float32Array::from(vec![Some(1.5f32), None, Some(-2.25)])),
        ),
        (
            "f",
            Arc::new(Float64Array::from(vec![Some(0.1f64), None, Some(1e300)])),
        ),
        (
            "d",
            Arc::new(Date32Array::from(vec![Some(19_783), None, Some(0)])),
        ),
        (
            "t",
            Arc::new(Time32MillisecondArray::from(vec![
                Some(3_600_000),
                None,
                Some(86_399_999),
            ])),
        ),
        (
            "p",
            Arc::new(TimestampNanosecondArray::from(vec![
                Some(INSTANT),
                None,
                Some(0),
            ])),
        ),
        ("g", Arc::new(guids.finish())),
        (
            "s",
            Arc::new(StringArray::from(vec![
                Some("aapl"),
                None,
                Some("ünï code"),
            ])),
        ),
        (
            "c",
            Arc::new(StringArray::from(vec![
                Some("hello, world"),
                None,
                Some("x"),
            ])),
        ),
    ];
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap()
}
