//! Arrow record batches in and out: a query result as a `RecordBatch` (symbols as Utf8 or
//! dictionary-encoded, temporal columns on the 1970 epoch), and a `RecordBatch` built in
//! Rust appended to a server table.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --features arrow --example arrow`

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampNanosecondArray};
use rayforce_client::arrow::{ArrowOptions, SymbolEncoding};
use rayforce_client::LocalServer;
use std::sync::Arc;

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set trades (table [sym ts px] (list ['AAPL 'MSFT] \
         [2026.11.26D09:30:00.000000000 2026.11.26D09:30:01.000000000] [190.1 410.5])))",
    )?;

    // A batch built in Rust (nanoseconds since 1970), appended to the server table.
    let batch = RecordBatch::try_from_iter([
        (
            "sym",
            Arc::new(StringArray::from(vec!["AAPL", "GOOG"])) as ArrayRef,
        ),
        (
            "ts",
            Arc::new(TimestampNanosecondArray::from(vec![
                1_795_685_402_000_000_000,
                1_795_685_403_000_000_000,
            ])) as ArrayRef,
        ),
        (
            "px",
            Arc::new(Float64Array::from(vec![Some(190.4), None])) as ArrayRef,
        ),
    ])
    .expect("a valid batch");
    client.insert_batch("trades", &batch)?;

    let back = client.fetch_arrow("trades")?;
    println!("{:?}\n{} rows", back.schema(), back.num_rows());
    assert_eq!(back.num_rows(), 4);
    assert_eq!(back.column(2).null_count(), 1);

    let dict = client.fetch_arrow_with(
        "trades",
        ArrowOptions::default().symbols(SymbolEncoding::Dictionary),
    )?;
    println!("symbols as {}", dict.schema().field(0).data_type());
    Ok(())
}
