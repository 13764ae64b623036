use rayforce_client::typed::{on, RayTable, Sym};

#[derive(RayTable)]
struct Trades {
    sym: Sym,
    px: f64,
}

#[derive(RayTable)]
struct Quotes {
    sym: Sym,
    bid: f64,
}

#[derive(RayTable)]
struct Venues {
    sym: Sym,
}

fn main() {
    // The keys must be columns of the two joined tables.
    let _ = Trades::table().inner_join(Quotes::table(), on(Trades::sym(), Venues::sym()));
}
