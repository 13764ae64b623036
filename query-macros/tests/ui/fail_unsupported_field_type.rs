use rayforce_client::typed::RayTable;

#[derive(RayTable)]
#[rayforce(table = "t")]
struct Row {
    id: i64,
    tags: std::collections::HashMap<String, String>,
}

fn main() {}
