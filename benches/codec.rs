//! Criterion benches of the pure layers: decode/encode of a 10M i64 vector and of a
//! 1M-row 4-column table, a small select expression, query compile+encode, and typed-row
//! decode of 1M rows into structs.
//!
//! `cargo bench --bench codec`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayforce_client::query::{col, desc, TableRef};
use rayforce_client::wire::{self, Limits};
use rayforce_client::{table, typed, Timestamp, Value};
use std::hint::black_box;

fn big_table() -> Value {
    let n = 1_000_000i64;
    Value::Table(table! {
        "id" => (0..n).collect::<Vec<_>>(),
        "px" => (0..n).map(|i| i as f64 * 0.5).collect::<Vec<_>>(),
        "sym" => Value::symbols((0..n).map(|i| ["aa", "bbb", "c", "dddd"][i as usize % 4])),
        "ts" => (0..n).map(|i| Timestamp(757_468_800_000_000_000 + i)).collect::<Vec<_>>(),
    })
}

fn select_query() -> rayforce_client::query::SelectQuery {
    TableRef::named("employees")
        .select(["id", "name"])
        .select([(col("salary") * 2).alias("double")])
        .filter(col("age").gt(30) & col("dept").is_in(["eng", "hr"]))
        .order_by([desc("age")])
        .limit(10)
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Row {
    id: i64,
    px: f64,
    sym: String,
    ts: Timestamp,
}

fn benches(c: &mut Criterion) {
    let limits = Limits::default();
    let til = Value::from((0..10_000_000i64).collect::<Vec<_>>());
    let til_bytes = wire::encode(&til).unwrap();
    let mut g = c.benchmark_group("i64 vector 10M");
    g.sample_size(10)
        .throughput(Throughput::Bytes(til_bytes.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| wire::decode(black_box(&til_bytes), &limits).unwrap())
    });
    g.bench_function("encode", |b| {
        b.iter(|| wire::encode(black_box(&til)).unwrap())
    });
    g.finish();

    let table = big_table();
    let table_bytes = wire::encode(&table).unwrap();
    let mut g = c.benchmark_group("table 1M rows × (i64, f64, symbol, timestamp)");
    g.sample_size(10)
        .throughput(Throughput::Bytes(table_bytes.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| wire::decode(black_box(&table_bytes), &limits).unwrap())
    });
    g.bench_function("encode", |b| {
        b.iter(|| wire::encode(black_box(&table)).unwrap())
    });
    let t = table.as_table().unwrap().clone();
    g.bench_function("typed rows → Vec<struct>", |b| {
        b.iter(|| typed::rows::<Row>(black_box(&t)).unwrap())
    });
    g.finish();

    let q = select_query();
    let expr = q.compile().unwrap();
    let expr_bytes = wire::encode(&expr).unwrap();
    let mut g = c.benchmark_group("small select");
    g.bench_function("compile + encode", |b| {
        b.iter(|| wire::encode(&black_box(&q).compile().unwrap()).unwrap())
    });
    g.bench_function("encode", |b| {
        b.iter(|| wire::encode(black_box(&expr)).unwrap())
    });
    g.bench_function("decode", |b| {
        b.iter(|| wire::decode(black_box(&expr_bytes), &limits).unwrap())
    });
    g.bench_function("render text", |b| {
        b.iter(|| black_box(&q).to_rayfall().unwrap())
    });
    g.finish();
}

criterion_group!(codec, benches);
criterion_main!(codec);
