//! Updates (in place, grouped, with strings), inserts and upserts against a local server.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example update_insert`

use rayforce_client::query::{col, TableRef};
use rayforce_client::{LocalServer, Value};

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set employees (table [id name dept salary age]
           (list [1 2 3] ['alice 'bob 'carol] ['eng 'eng 'sales] [100.0 120.5 90.0] [29 34 41])))",
    )?;
    let employees = || TableRef::named("employees");

    // A raise for engineering; a plain string works on a symbol column.
    client.execute(
        &employees()
            .update()
            .set("salary", col("salary") * 1.1)
            .filter(col("dept").eq("eng")),
    )?;
    client.execute(
        &employees()
            .update()
            .set("dept", "management")
            .filter(col("id").eq(1)),
    )?;
    // Grouped update: the department average on every row.
    client.execute(
        &employees()
            .update()
            .set("dept_avg", col("salary").avg())
            .by("dept"),
    )?;

    let s = Value::symbol;
    client.execute(&employees().insert().row([
        4i64.into(),
        s("dave"),
        s("sales"),
        95.0.into(),
        25i64.into(),
        0.0.into(),
    ]))?;
    client.execute(&employees().upsert(1).rows([
        [
            2i64.into(),
            s("bob"),
            s("eng"),
            130.0.into(),
            35i64.into(),
            0.0.into(),
        ],
        [
            5i64.into(),
            s("eve"),
            s("hr"),
            70.0.into(),
            38i64.into(),
            0.0.into(),
        ],
    ]))?;
    println!("{}", client.execute("employees")?);
    Ok(())
}
