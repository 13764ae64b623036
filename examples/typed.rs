//! The typed workflow end to end: a `#[derive(RayTable)]` struct, a schema check against
//! the server, typed inserts, compile-time-checked queries, and results as `Vec<Struct>`.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example typed`

use rayforce_client::typed::RayTable;
use rayforce_client::{Date, LocalServer};
use serde::{Deserialize, Serialize};

#[derive(RayTable, Serialize, Deserialize, Debug)]
#[rayforce(table = "employees")]
struct Employee {
    id: i64,
    name: String, // a SYMBOL column
    #[rayforce(string)]
    note: String, // a STR column
    #[rayforce(rename = "salary")]
    pay: f64, // field `pay`, column `salary`
    hired: Date,
    manager: Option<i64>, // nullable
}

#[derive(rayforce_client::typed::FromTable, Deserialize, Debug)]
struct Payroll {
    name: String,
    salary: f64,
}

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set employees (table [id name note salary hired manager]
           (list [] (as 'SYMBOL []) (as 'STR []) (as 'F64 []) (as 'DATE []) [])))",
    )?;
    client.verify::<Employee>()?; // names and types match the server's table

    let hired = Date::from_ymd(2024, 3, 1).unwrap();
    let staff = vec![
        Employee {
            id: 1,
            name: "ann".into(),
            note: "founder".into(),
            pay: 120_000.0,
            hired,
            manager: None,
        },
        Employee {
            id: 2,
            name: "bob".into(),
            note: "likes \"quotes\"".into(),
            pay: 90_000.0,
            hired,
            manager: Some(1),
        },
        Employee {
            id: 3,
            name: "cy".into(),
            note: "new".into(),
            pay: 60_000.0,
            hired,
            manager: Some(1),
        },
    ];
    client.execute(&Employee::table().insert(&staff)?)?;

    // Columns and literals are checked at compile time: `Employee::pay().gt("lots")` or a
    // column of another table would not compile.
    let well_paid: Vec<Employee> = client.fetch_all(
        &Employee::table()
            .select_all()
            .filter(Employee::pay().gt(80_000.0))
            .order_by([Employee::pay().desc()]),
    )?;
    println!("{well_paid:#?}");

    client.execute(
        &Employee::table()
            .update()
            .set(Employee::pay(), 65_000.0)
            .filter(Employee::name().eq("cy")),
    )?;
    let payroll: Vec<Payroll> = client.fetch_all(
        &Employee::table().select([Employee::name().into(), Employee::pay().alias("salary")]),
    )?;
    for p in &payroll {
        println!("{:>6} earns {:>9.2}", p.name, p.salary);
    }
    let total: f64 = client.fetch_value("(sum (at employees 'salary))")?;
    println!("total payroll: {total}");
    Ok(())
}
