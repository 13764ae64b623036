//! Typed joins over trades and quotes, checked at compile time: the join keys are column
//! handles of both tables with one Rust type, the asof/window time key is a temporal
//! column, window aggregations are typed expressions of the quotes table, and the joined
//! rows decode into plain structs. (A key of another type, a non-temporal time key or an
//! aggregation over the trades table does not compile: see `query-macros/tests/ui`.)
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example typed_joins`

use rayforce_client::typed::{on, RayTable, Sym};
use rayforce_client::{LocalServer, Timestamp};

/// The trades table on the server.
#[derive(RayTable, Debug)]
#[rayforce(table = "trades")]
struct Trade {
    sym: Sym,
    ts: Timestamp,
    px: f64,
    qty: i64,
}

/// The quotes table; its symbol column is called `ticker` on the server.
#[derive(RayTable, Debug)]
#[rayforce(table = "quotes")]
struct Quote {
    #[rayforce(rename = "ticker")]
    sym: Sym,
    ts: Timestamp,
    bid: f64,
    ask: f64,
}

/// A trade with the quote prevailing when it happened (asof join).
#[derive(RayTable, Debug, PartialEq)]
#[rayforce(table = "trade_quotes")]
struct TradeQuote {
    sym: Sym,
    ts: Timestamp,
    px: f64,
    qty: i64,
    bid: f64,
    ask: f64,
}

/// A trade with statistics of the quotes in the second before it (window join).
#[derive(RayTable, Debug, PartialEq)]
#[rayforce(table = "trade_windows")]
struct TradeWindow {
    sym: Sym,
    ts: Timestamp,
    px: f64,
    qty: i64,
    quotes: i64,
    best_bid: f64,
}

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    let t0 = "2026.11.26D09:30:00.000000000";
    client.execute(&format!(
        "(set trades (table [sym ts px qty] (list ['AAPL 'MSFT 'AAPL 'AAPL] \
         (+ {t0} [1000000000 1500000000 2500000000 4000000000]) [190.1 410.5 190.3 190.0] [100 50 200 10])))"
    ))?;
    client.execute(&format!(
        "(set quotes (table [ticker ts bid ask] (list ['AAPL 'MSFT 'AAPL 'AAPL 'MSFT] \
         (+ {t0} [500000000 1200000000 2000000000 2400000000 3000000000]) \
         [189.9 410.0 190.0 190.2 410.2] [190.2 410.6 190.4 190.5 410.9])))"
    ))?;

    // Asof: each trade with the last quote of its symbol at or before its time. The symbol
    // column has another name in quotes: the join renames it on the quotes side.
    let asof = Trade::table().asof_join(
        Quote::table(),
        on(Trade::sym(), Quote::sym()).at(Trade::ts(), Quote::ts()),
    );
    println!("{}", asof.to_rayfall()?);
    let rows: Vec<TradeQuote> = client.fetch_all(&asof)?;
    for r in &rows {
        println!(
            "  {} {} px {} bid {} ask {}",
            r.sym, r.ts, r.px, r.bid, r.ask
        );
    }
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (rows[0].bid, rows[1].bid, rows[2].bid),
        (189.9, 410.0, 190.2)
    );

    // Window: per trade, the quotes of its symbol in the second before it.
    let window = Trade::table()
        .window_join(
            Quote::table(),
            on(Trade::sym(), Quote::sym()).at(Trade::ts(), Quote::ts()),
            -1_000_000_000i64,
            0i64,
        )
        .agg([
            Quote::bid().count().alias("quotes"),
            Quote::bid().max().alias("best_bid"),
        ]);
    println!("{}", window.to_rayfall()?);
    let windows: Vec<TradeWindow> = client.fetch_all(&window)?;
    for w in &windows {
        println!(
            "  {} {} quotes {} best bid {}",
            w.sym, w.ts, w.quotes, w.best_bid
        );
    }
    let counts: Vec<i64> = windows.iter().map(|w| w.quotes).collect();
    let best: Vec<f64> = windows.iter().map(|w| w.best_bid).collect();
    // The 09:30:02.5 trade sees the quotes at 02.0 and 02.4 and the one prevailing at the
    // window's start (00.5), as kdb's `wj` does.
    assert_eq!(counts, [1, 1, 3, 1]);
    assert_eq!(best, [189.9, 410.0, 190.2, 190.2]);

    // Inner join on the symbol alone: every (trade, quote) pair of one symbol.
    let inner = Trade::table().inner_join(Quote::table(), on(Trade::sym(), Quote::sym()));
    let pairs = client.execute(&inner)?;
    println!("{}\n{pairs}", inner.to_rayfall()?);
    Ok(())
}
