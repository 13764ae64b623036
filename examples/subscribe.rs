//! Publish and subscribe in the style of a kdb+ tickerplant: the server keeps a `trades`
//! table and, on each update, pushes the new rows to every subscriber (`.ipc.post` on the
//! subscriber's connection). Subscribers receive them as typed rows while their connections
//! stay usable for ordinary requests.
//!
//! `RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --example subscribe`

use rayforce_client::typed::{FromTable, RayTable};
use rayforce_client::{Client, LocalServer, Result, Table, Value};
use serde::{Deserialize, Serialize};
use std::thread;
use std::time::Duration;

#[derive(RayTable, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[rayforce(table = "trades")]
struct Trade {
    sym: String,
    price: f64,
    size: i64,
}

/// The tickerplant's server side: the table, the subscriber handles, `sub` and `upd`.
const TICKERPLANT: [&str; 4] = [
    "(set trades (table [sym price size] (list (as 'SYMBOL []) (as 'F64 []) (as 'I64 []))))",
    "(set subs [])",
    // A subscriber calls (sub): its connection handle joins the list.
    "(set sub (fn [] (do (set subs (concat subs (.ipc.handle))) (count subs))))",
    // A publisher calls (upd 'trades rows): insert, then push (table rows) to everyone.
    "(set upd (fn [t x] (do (insert t x) (map (fn [h] (.ipc.post h (list t x))) subs) (count subs))))",
];

const BATCHES: usize = 5;

/// A batch of trades as a table value (typed data, never query text).
fn batch(n: usize) -> Result<Value> {
    let rows: Vec<Trade> = (0..3)
        .map(|i| Trade {
            sym: ["aapl", "msft", "goog"][i].to_string(),
            price: 100.0 + (n * 3 + i) as f64,
            size: (10 * (n + 1) + i) as i64,
        })
        .collect();
    let (names, columns): (Vec<String>, Vec<Value>) = Trade::to_columns(&rows)?.into_iter().unzip();
    Ok(Value::Table(Table::new(names, columns)?))
}

/// Takes pushed updates until `BATCHES` have come; each is `(table-name rows)`.
fn subscribe(mut client: Client, name: &str) -> Result<Vec<Trade>> {
    let mut received = Vec::new();
    for _ in 0..BATCHES {
        let update = client
            .recv_push(Some(Duration::from_secs(10)))?
            .expect("an update within 10 s");
        let (table, rows) = match update {
            Value::List(mut parts) if parts.len() == 2 => {
                let rows = parts.pop().unwrap();
                (parts.pop().unwrap(), rows)
            }
            other => panic!("unexpected update {other}"),
        };
        let Value::Table(rows) = rows else {
            panic!("rows are a table")
        };
        let trades = Trade::from_table(&rows)?;
        println!("{name}: {} new row(s) in {table}", trades.len());
        received.extend(trades);
        // The same connection still answers ordinary requests between updates.
        client.execute("(count trades)")?;
    }
    Ok(received)
}

fn main() -> Result<()> {
    let server = LocalServer::start()?;
    let mut admin = server.client()?;
    for definition in TICKERPLANT {
        admin.execute(definition)?;
    }

    let mut subscribers = Vec::new();
    for name in ["sub-1", "sub-2"] {
        let mut client = server.client()?;
        client.execute("(sub)")?;
        subscribers.push(thread::spawn(move || subscribe(client, name)));
    }

    let mut publisher = server.client()?;
    for n in 0..BATCHES {
        let reached =
            publisher.execute(&Value::call("upd", [Value::symbol("trades"), batch(n)?]))?;
        println!("published batch {n} to {reached} subscriber(s)");
    }

    let stored = Trade::from_table(&match admin.execute("trades")? {
        Value::Table(t) => t,
        other => panic!("{other}"),
    })?;
    for subscriber in subscribers {
        let received = subscriber.join().expect("subscriber thread")?;
        assert_eq!(received, stored, "every subscriber saw every row, in order");
    }
    println!(
        "{} rows stored; each subscriber received all of them",
        stored.len()
    );
    Ok(())
}
