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
    // A price is no key for a symbol.
    let _ = Trades::table().inner_join(Quotes::table(), on(Trades::px(), Quotes::sym()));
}
