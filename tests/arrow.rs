//! Arrow against the real server: a record batch with every Rayforce type and nulls is
//! inserted (`insert_batch`), read back (`fetch_arrow`) and equals the original; the
//! server sees the right values (epoch shift, nulls as its own nulls); symbols come back
//! dictionary-encoded on request; upserts and the async client take the same path.
#![cfg(feature = "arrow")]

mod common;

use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use rayforce_client::arrow::{ArrowOptions, SymbolEncoding};
use rayforce_client::{Date, Time, Timestamp, Value};
use std::sync::Arc;

use common::every_type::{every_type, CREATE, INSTANT};

fn assert_same(back: &RecordBatch, sent: &RecordBatch) {
    assert_eq!(back.num_columns(), sent.num_columns());
    for (i, field) in sent.schema().fields().iter().enumerate() {
        assert_eq!(
            back.column(i).to_data(),
            sent.column(i).to_data(),
            "column `{}`",
            field.name()
        );
    }
}

#[test]
fn every_type_with_nulls_round_trips_through_the_server() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    let sent = every_type();
    client.insert_batch("every", &sent).unwrap();
    let back = client.fetch_arrow("every").unwrap();
    assert_same(&back, &sent);

    // The server holds its own values: dates and timestamps shifted to its 2000 epoch,
    // Arrow nulls as its nulls, text as SYMBOL or STR per the table.
    let mut first = |col: &str, row: i64| {
        client
            .execute(&Value::call(
                "at",
                [
                    Value::call("at", [Value::name("every"), Value::symbol(col)]),
                    Value::I64(row),
                ],
            ))
            .unwrap()
    };
    assert_eq!(
        first("d", 0),
        Value::Date(Date::from_ymd(2024, 3, 1).unwrap())
    );
    assert_eq!(first("t", 0), Value::Time(Time(3_600_000)));
    assert_eq!(
        first("p", 0),
        Value::Timestamp(Timestamp(INSTANT - rayforce_client::arrow::EPOCH_NANOS))
    );
    for col in ["h", "i", "l", "e", "f", "d", "t", "p", "g", "s"] {
        assert!(
            first(col, 1).is_null_sentinel(),
            "`{col}` row 1 is a server null"
        );
    }
    let types = client.table_schema("every").unwrap();
    assert_eq!(types[11].1.map(|t| t.name()), Some("SYMBOL"));
    assert_eq!(types[12].1.map(|t| t.name()), Some("STR"));

    // Symbols dictionary-encoded on request; decoded back they are the same strings.
    let dict = client
        .fetch_arrow_with(
            "every",
            ArrowOptions::default().symbols(SymbolEncoding::Dictionary),
        )
        .unwrap();
    let s = dict.column(11);
    assert_eq!(
        s.data_type(),
        &DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
    );
    let s = s
        .as_any()
        .downcast_ref::<DictionaryArray<Int32Type>>()
        .unwrap();
    assert_eq!(s.null_count(), 1);
    let table = rayforce_client::arrow::from_record_batch(&dict).unwrap();
    assert_eq!(
        table.column("s").unwrap().item(2).unwrap(),
        Value::symbol("ünï code")
    );
}

#[test]
fn arrow_nulls_where_rayforce_has_none_are_refused() {
    let (_server, mut client) = common::connected();
    client
        .execute("(set flags (table [b] (list (as 'B8 []))))")
        .unwrap();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("b", DataType::Boolean, true)])),
        vec![Arc::new(BooleanArray::from(vec![Some(true), None]))],
    )
    .unwrap();
    let err = client.insert_batch("flags", &batch).unwrap_err();
    assert!(err.to_string().contains("has no null"), "{err}");
}

#[test]
fn upserts_and_the_async_client_take_the_same_path() {
    let server = common::server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt
        .block_on(rayforce_client::Client::builder("127.0.0.1", server.port()).connect_async())
        .unwrap();
    rt.block_on(async {
        client
            .execute("(set px (table [sym price] (list (as 'SYMBOL []) (as 'F64 []))))")
            .await
            .unwrap();
        let batch = |syms: Vec<&str>, prices: Vec<f64>| {
            RecordBatch::try_new(
                Arc::new(Schema::new(vec![
                    Field::new("sym", DataType::Utf8, true),
                    Field::new("price", DataType::Float64, true),
                ])),
                vec![
                    Arc::new(StringArray::from(syms)) as ArrayRef,
                    Arc::new(Float64Array::from(prices)),
                ],
            )
            .unwrap()
        };
        client
            .insert_batch("px", &batch(vec!["a", "b"], vec![1.0, 2.0]))
            .await
            .unwrap();
        client
            .upsert_batch("px", 1, &batch(vec!["b", "c"], vec![20.0, 30.0]))
            .await
            .unwrap();
        let back = client.fetch_arrow("px").await.unwrap();
        assert_same(&back, &batch(vec!["a", "b", "c"], vec![1.0, 20.0, 30.0]));
    });
}
