use rayforce_client::typed::RayTable;

#[derive(RayTable, serde::Deserialize)]
#[rayforce(table = "employees")]
struct Employee {
    id: i64,
    name: String,
}

fn main() {
    let _ = Employee::table().update().set(Employee::id(), "seven");
}
