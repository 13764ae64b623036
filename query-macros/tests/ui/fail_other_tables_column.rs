use rayforce_client::typed::RayTable;

#[derive(RayTable, serde::Deserialize)]
#[rayforce(table = "employees")]
struct Employee {
    id: i64,
    salary: f64,
}

#[derive(RayTable, serde::Deserialize)]
#[rayforce(table = "depts")]
struct Dept {
    floor: i64,
}

fn main() {
    let _ = Employee::table().filter(Dept::floor().gt(1));
}
