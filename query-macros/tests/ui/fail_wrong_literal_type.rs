use rayforce_client::typed::RayTable;

#[derive(RayTable, serde::Deserialize)]
#[rayforce(table = "employees")]
struct Employee {
    id: i64,
    salary: f64,
}

fn main() {
    let _ = Employee::table().filter(Employee::salary().gt("high"));
}
