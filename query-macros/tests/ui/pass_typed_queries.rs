use rayforce_client::typed::RayTable;

#[derive(RayTable, serde::Serialize, serde::Deserialize)]
#[rayforce(table = "employees")]
struct Employee {
    id: i64,
    name: String,
    salary: f64,
    bonus: Option<f64>,
}

fn main() {
    let q = Employee::table()
        .select_all()
        .filter(Employee::salary().gt(50_000.0) & Employee::name().eq("ann") & Employee::id().le(10))
        .filter(Employee::bonus().gt(1.0));
    let _ = q.to_rayfall();
    let _ = Employee::table().update().set(Employee::salary(), 1.5).filter(Employee::id().eq(1));
    let _: rayforce_client::query::Expr = Employee::salary().into();
    assert_eq!(<Employee as RayTable>::TABLE, "employees");
}
