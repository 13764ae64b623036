//! The fixture of the DataFusion tests: a trades table generated deterministically, loaded
//! whole on one real server (the ground truth) and split by symbol over three more.
#![allow(dead_code)]

use datafusion::arrow::array::{
    Array, ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::array_value_to_string;
use rayforce_client::arrow::columns_from_record_batch;
use rayforce_client::{Client, LocalServer, Table, Type, Value};
use rayforce_datafusion::{Partition, Shard};
use std::sync::Arc;

pub const SYMS: [&str; 6] = ["AAPL", "MSFT", "GOOG", "IBM", "TSLA", "NVDA"];
/// Which symbols each of the three shards holds.
pub const SPLIT: [[&str; 2]; 3] = [["AAPL", "MSFT"], ["GOOG", "IBM"], ["TSLA", "NVDA"]];
pub const ROWS: usize = 6000;

/// The trades rows `range` as a record batch: sym (SYMBOL), venue (STR), px (F64), qty
/// (I64, distinct), day (DATE), ts (TIMESTAMP).
pub fn trades(rows: impl Iterator<Item = usize> + Clone) -> RecordBatch {
    let sym: StringArray = rows.clone().map(|i| Some(SYMS[i % 6])).collect();
    let venue: StringArray = rows.clone().map(|i| Some(["X", "Y", "Z"][i % 3])).collect();
    let px: Float64Array = rows
        .clone()
        .map(|i| Some(50.0 + ((i * 37) % 1000) as f64 * 0.25))
        .collect();
    let qty: Int64Array = rows
        .clone()
        .map(|i| Some(((i * 7919) % 10007) as i64))
        .collect();
    // 2024-01-01 is day 19723 since 1970.
    let day: Date32Array = rows
        .clone()
        .map(|i| Some(19723 + (i % 20) as i32))
        .collect();
    let ts: TimestampNanosecondArray = rows
        .map(|i| Some(1_704_067_200_000_000_000 + i as i64 * 1_000_000_000))
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("sym", Arc::new(sym)),
        ("venue", Arc::new(venue)),
        ("px", Arc::new(px)),
        ("qty", Arc::new(qty)),
        ("day", Arc::new(day)),
        ("ts", Arc::new(ts)),
    ];
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Stores `batch` on the server as table `name` (venue as STR, other text as SYMBOL).
pub fn load(client: &mut Client, name: &str, batch: &RecordBatch) {
    let schema = [("venue".to_string(), Some(Type::Str))];
    let (names, columns): (Vec<String>, Vec<Value>) =
        columns_from_record_batch(batch, Some(&schema))
            .unwrap()
            .into_iter()
            .unzip();
    let table = Table::new(names, columns).unwrap();
    client
        .execute(&Value::call(
            "set",
            [Value::name(name), Value::Table(table)],
        ))
        .unwrap();
}

/// Real servers: `single` holds every row; `shards` hold the rows of their symbols.
pub struct Cluster {
    pub single: LocalServer,
    pub shards: Vec<LocalServer>,
}

pub fn start_server() -> LocalServer {
    LocalServer::start()
        .unwrap_or_else(|e| panic!("these tests need the real rayforce binary: {e}"))
}

impl Cluster {
    pub fn start() -> Cluster {
        let single = start_server();
        load(&mut single.client().unwrap(), "trades", &trades(0..ROWS));
        let shards = SPLIT
            .iter()
            .map(|syms| {
                let server = start_server();
                let rows = (0..ROWS).filter(|i| syms.contains(&SYMS[i % 6]));
                load(&mut server.client().unwrap(), "trades", &trades(rows));
                server
            })
            .collect();
        Cluster { single, shards }
    }

    /// The single server as a one-shard table.
    pub fn one(&self) -> Vec<Shard> {
        vec![shard("all", &self.single)]
    }

    /// The three shards, each with its symbol partition.
    pub fn three(&self) -> Vec<Shard> {
        self.shards
            .iter()
            .zip(SPLIT)
            .enumerate()
            .map(|(i, (server, syms))| {
                shard(&format!("s{}", i + 1), server).partition(Partition::values("sym", syms))
            })
            .collect()
    }
}

pub fn shard(name: &str, server: &LocalServer) -> Shard {
    Shard::new(name, Client::builder(server.host(), server.port()))
}

/// Rows of batches as text, floats rounded to 6 decimals (sums in another order differ in
/// the last bits), column names ignored.
pub fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .map(|column| cell(column.as_ref(), row))
                .collect();
            out.push(cells.join(" | "));
        }
    }
    out
}

fn cell(column: &dyn Array, row: usize) -> String {
    if column.is_null(row) {
        return "NULL".into();
    }
    match column.data_type() {
        DataType::Float64 => {
            let v = column
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .value(row);
            format!("{v:.6}")
        }
        DataType::Int32 | DataType::Int16 | DataType::UInt8 => array_value_to_string(
            &datafusion::arrow::compute::cast(&column.slice(row, 1), &DataType::Int64).unwrap(),
            0,
        )
        .unwrap(),
        _ => array_value_to_string(&column.slice(row, 1), 0).unwrap(),
    }
}

/// Sorted rows, for results whose order is not specified.
pub fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

/// Stores the local sectors table on a server too (for the ground truth of the join).
pub fn load_sectors(client: &mut Client, batch: &RecordBatch) {
    load(client, "sectors", batch);
}
