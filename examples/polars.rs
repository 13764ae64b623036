//! polars DataFrames in and out: a query result as a `DataFrame` (through Arrow, buffers
//! shared), worked on with polars, and written back to a server table.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --features polars --example polars`

use rayforce_client::LocalServer;

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set trades (table [sym ts px qty] (list ['AAPL 'MSFT 'AAPL] \
         [2026.11.26D09:30:00.000000000 2026.11.26D09:30:01.000000000 2026.11.26D09:30:02.000000000] \
         [190.1 410.5 190.3] [100 50 200])))",
    )?;

    let df = client.fetch_polars("trades")?;
    println!("{df}");
    assert_eq!(df.shape(), (3, 4));

    // Work on it with polars, then store the result as a new table on the server.
    let notional = (df.column("px").expect("px").as_materialized_series()
        * df.column("qty").expect("qty").as_materialized_series())
    .expect("same length")
    .with_name("notional".into());
    let mut out = df.select(["sym", "ts"]).expect("columns");
    out.with_column(notional.into()).expect("a column");
    client.execute("(set notional (table [sym ts notional] (list (as 'SYMBOL []) (as 'TIMESTAMP []) (as 'F64 []))))")?;
    client.insert_dataframe("notional", &out)?;
    let total: f64 = client.fetch_value("(sum (at notional 'notional))")?;
    println!("total notional {total}");
    assert!((total - (190.1 * 100.0 + 410.5 * 50.0 + 190.3 * 200.0)).abs() < 1e-6);
    Ok(())
}
