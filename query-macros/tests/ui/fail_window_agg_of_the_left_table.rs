use rayforce_client::typed::{on, RayTable, Sym};
use rayforce_client::Timestamp;

#[derive(RayTable)]
struct Trades {
    sym: Sym,
    ts: Timestamp,
    px: f64,
}

#[derive(RayTable)]
struct Quotes {
    sym: Sym,
    ts: Timestamp,
    bid: f64,
}

fn main() {
    // Window aggregations are over the right table's columns.
    let _ = Trades::table()
        .window_join(
            Quotes::table(),
            on(Trades::sym(), Quotes::sym()).at(Trades::ts(), Quotes::ts()),
            -1000,
            0,
        )
        .agg([Trades::px().max().alias("m")]);
}
