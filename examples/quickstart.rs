//! Quickstart: start a local Rayforce server, run a few queries, print the results.
//!
//! ```sh
//! RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example quickstart
//! ```

use rayforce_client::{LocalServer, Value};

fn main() -> Result<(), rayforce_client::Error> {
    let server = LocalServer::start()?;
    let mut client = server.client()?;
    println!("connected: {client}\n");

    // Rayfall text is parsed and evaluated by the server.
    println!("(+ 1 2) = {}", client.execute("(+ 1 2)")?);

    // An expression tree: user values travel as typed data, never pasted into text.
    let name = "O'Brien \"the (exit 0) tester\"";
    let greeting = Value::call("concat", [Value::from("hello, "), Value::from(name)]);
    println!("{}", client.execute(&greeting)?);

    client.execute(
        "(set employees (table [id name dept salary age]
           (list [1 2 3 4 5] ['alice 'bob 'carol 'dave 'eve] ['eng 'eng 'sales 'sales 'hr]
                 [100.0 120.5 90.0 95.0 70.0] [29 34 41 25 38])))",
    )?;
    println!("\nemployees:\n{}\n", client.execute("employees")?);

    let by_dept = client
        .execute("(select {total: (sum salary) n: (count id) by: {dept: dept} from: employees})")?;
    println!("salary by department:\n{by_dept}\n");

    // Several requests in one round trip.
    let mut batch = rayforce_client::client::Pipeline::new();
    batch.push("(avg (at employees 'salary))")?;
    batch.push("(max (at employees 'age))")?;
    for reply in client.run(&batch)? {
        println!("pipelined reply: {}", reply?);
    }

    // Server errors are typed.
    match client.execute("(+ 1 'a)") {
        Err(e) => println!("\nas expected: {e} (code {:?})", e.server_code()),
        Ok(v) => println!("unexpected: {v}"),
    }
    Ok(())
}
