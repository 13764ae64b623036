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
    // An asof join's time key must be a temporal column.
    let _ = Trades::table().asof_join(
        Quotes::table(),
        on(Trades::sym(), Quotes::sym()).at(Trades::px(), Quotes::bid()),
    );
    // And an asof join needs one.
    let _ = Trades::table().asof_join(Quotes::table(), on(Trades::sym(), Quotes::sym()));
}
