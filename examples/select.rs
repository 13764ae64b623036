//! Select queries: projections, computed columns, filters, grouping, ordering, limit,
//! distinct, ungroup and ipcsave, against a local server.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example select`

use rayforce_client::query::{col, desc, TableRef};
use rayforce_client::LocalServer;

fn main() -> rayforce_client::Result<()> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    client.execute(
        "(set employees (table [id name dept salary age]
           (list [1 2 3 4 5] ['alice 'bob 'carol 'dave 'eve] ['eng 'eng 'sales 'sales 'hr]
                 [100.0 120.5 90.0 95.0 70.0] [29 34 41 25 38])))",
    )?;
    let employees = || TableRef::named("employees");

    let older = employees()
        .select(["id", "name", "age"])
        .filter(col("age").gt(30))
        .order_by([desc("age")]);
    println!("{older}\n{}\n", client.execute(&older)?);

    let by_dept = employees()
        .select([
            col("salary").sum().alias("total"),
            col("id").count().alias("n"),
            col("age").avg(),
        ])
        .by(["dept"])
        .order_by([desc("total")])
        .limit(2);
    println!("{by_dept}\n{}\n", client.execute(&by_dept)?);

    let top = employees()
        .select([col("salary").top(2).alias("top")])
        .by(["dept"])
        .ungroup();
    println!("{top}\n{}\n", client.execute(&top)?);

    let saved = employees().select(["dept"]).distinct().ipcsave("depts");
    client.execute(&saved)?;
    println!("{saved}\n{}", client.execute("depts")?);
    Ok(())
}
