//! Joins on server-side tables (never shipped through the client): inner, left, asof and
//! window joins, and a select over a join.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example joins`

use rayforce_client::query::{col, TableRef};
use rayforce_client::LocalServer;

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set trades (table [sym time price] (list ['a 'b 'a] \
         [09:00:00.100 09:00:00.200 09:00:00.300] [10.0 20.0 11.0])))",
    )?;
    client.execute(
        "(set quotes (table [sym time bid] (list ['a 'a 'b] \
         [09:00:00.095 09:00:00.250 09:00:00.150] [9.9 10.5 19.9])))",
    )?;
    let trades = || TableRef::named("trades");
    let quotes = || TableRef::named("quotes");

    let queries = [
        trades().inner_join(quotes(), ["sym"]).into(),
        trades().left_join(quotes(), ["sym"]).into(),
        trades().asof_join(quotes(), ["sym", "time"]).into(),
        trades()
            .window_join(quotes(), ["sym", "time"], -100, 100)
            .agg([
                col("bid").count().alias("n"),
                col("bid").max().alias("best"),
            ])
            .into(),
        trades()
            .asof_join(quotes(), ["sym", "time"])
            .select(["sym", "time"])
            .select([(col("price") - col("bid")).alias("spread")])
            .into(),
    ];
    for q in queries {
        let q: rayforce_client::query::Query = q;
        println!("{q}\n{}\n", client.execute(&q)?);
    }
    Ok(())
}
