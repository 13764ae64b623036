use rayforce_client::typed::RayTable;

#[derive(RayTable)]
#[rayforce(tabel = "t")]
struct Row {
    id: i64,
}

fn main() {}
