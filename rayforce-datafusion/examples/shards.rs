//! One trades table split by symbol over three Rayforce servers, queried with SQL through
//! DataFusion: a group-by (aggregated on the shards), a join with a local CSV file, and an
//! order by + limit that prunes shards. Each query prints the Rayforce query the shards ran
//! and how many rows crossed the wire.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run -p rayforce-datafusion --example shards`

use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::prelude::{CsvReadOptions, SessionContext};
use rayforce_client::{Client, LocalServer, Table, Value};
use rayforce_datafusion::{session_context, Partition, RayforceTable, Shard};
use std::error::Error;
use std::sync::Arc;

const SPLIT: [[&str; 2]; 3] = [["AAPL", "MSFT"], ["GOOG", "IBM"], ["TSLA", "NVDA"]];
const ROWS_PER_SYMBOL: usize = 50_000;

/// Stores the trades of `symbols` on the server: sym, px, qty.
fn load(client: &mut Client, symbols: &[&str]) -> Result<(), Box<dyn Error>> {
    let rows = symbols.len() * ROWS_PER_SYMBOL;
    let sym: Vec<&str> = (0..rows).map(|i| symbols[i % symbols.len()]).collect();
    let px: Vec<f64> = (0..rows)
        .map(|i| 100.0 + (i * 37 % 2000) as f64 * 0.05)
        .collect();
    let qty: Vec<i64> = (0..rows).map(|i| (i * 7919 % 1000) as i64 + 1).collect();
    let trades = Table::new(
        ["sym", "px", "qty"],
        vec![Value::symbols(sym), Value::from(px), Value::from(qty)],
    )?;
    client.execute(&Value::call(
        "set",
        [Value::name("trades"), Value::Table(trades)],
    ))?;
    Ok(())
}

/// Runs `sql`, printing the shards' Rayforce queries, the result and the rows moved.
async fn run(
    ctx: &SessionContext,
    table: &RayforceTable,
    sql: &str,
) -> Result<Vec<datafusion::arrow::array::RecordBatch>, Box<dyn Error>> {
    println!("\n>>> {sql}");
    let plan = ctx.sql(&format!("EXPLAIN {sql}")).await?.collect().await?;
    for line in pretty_format_batches(&plan)?.to_string().lines() {
        if let Some(at) = line.find("RayforceScanExec") {
            println!("    {}", line[at..].trim_end_matches(['|', ' ']));
        }
    }
    table.stats().reset();
    let batches = ctx.sql(sql).await?.collect().await?;
    println!("{}", pretty_format_batches(&batches)?);
    let total = (SPLIT.len() * 2 * ROWS_PER_SYMBOL) as f64;
    let moved = table.stats().rows_received();
    println!(
        "rows moved: {moved} of {total} ({:.4}%), shards contacted: {}",
        100.0 * moved as f64 / total,
        table.stats().shard_scans()
    );
    Ok(batches)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn Error>> {
    // Three local servers, each holding two symbols' trades.
    let mut servers = Vec::new();
    let mut shards = Vec::new();
    for (i, symbols) in SPLIT.iter().enumerate() {
        let server = LocalServer::start()?;
        load(&mut server.client()?, symbols)?;
        shards.push(
            Shard::new(
                format!("shard{}", i + 1),
                Client::builder(server.host(), server.port()),
            )
            .partition(Partition::values("sym", *symbols)),
        );
        servers.push(server);
    }
    let trades = RayforceTable::open("trades", shards).await?;
    let ctx = session_context();
    ctx.register_table("trades", Arc::new(trades.clone()))?;

    // A local CSV table to join with.
    let dir = std::env::temp_dir().join(format!("rayforce-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("sectors.csv");
    std::fs::write(
        &csv,
        "sym,sector\nAAPL,hardware\nMSFT,software\nGOOG,software\nIBM,services\nNVDA,hardware\n",
    )?;
    ctx.register_csv(
        "sectors",
        csv.to_str().ok_or("temp path")?,
        CsvReadOptions::new(),
    )
    .await?;

    // 1. Group-by: each shard returns its groups' partial sums and counts.
    let by_symbol = run(
        &ctx,
        &trades,
        "SELECT sym, count(*) AS trades, sum(qty) AS volume, avg(px) AS avg_px \
         FROM trades GROUP BY sym ORDER BY volume DESC",
    )
    .await?;
    assert_eq!(by_symbol.iter().map(|b| b.num_rows()).sum::<usize>(), 6);
    assert!(
        trades.stats().rows_received() <= 6,
        "only grouped rows move"
    );

    // 2. Join with the CSV file (TSLA has no sector), filter pushed to the shards.
    let by_sector = run(
        &ctx,
        &trades,
        "SELECT s.sector, count(*) AS trades, sum(t.qty * t.px) AS notional \
         FROM trades t JOIN sectors s ON t.sym = s.sym \
         WHERE t.qty > 990 GROUP BY s.sector ORDER BY notional DESC",
    )
    .await?;
    assert_eq!(by_sector.iter().map(|b| b.num_rows()).sum::<usize>(), 3);

    // 3. Order by + limit over two symbols: the third shard is never contacted.
    let top = run(
        &ctx,
        &trades,
        "SELECT sym, px, qty FROM trades WHERE sym IN ('AAPL', 'TSLA') \
         ORDER BY px DESC, qty DESC LIMIT 5",
    )
    .await?;
    assert_eq!(top.iter().map(|b| b.num_rows()).sum::<usize>(), 5);
    assert_eq!(trades.stats().shard_scans(), 2);

    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
