//! Bulk data against the real server: a 10M-element i64 vector and a 1M-row table
//! (i64, f64, symbol, timestamp) fetched and checked element by element, and sent back.

mod common;

use rayforce_client::{Timestamp, Value, Vector};

#[test]
fn ten_million_i64_vector() {
    let (_server, mut client) = common::connected();
    let v = client.execute("(til 10000000)").unwrap();
    let xs = v.as_vector().and_then(Vector::as_i64).unwrap();
    assert_eq!(xs.len(), 10_000_000);
    assert!(xs.iter().enumerate().all(|(i, x)| *x == i as i64));
    // And back: the server sums what we send.
    let sum = client.execute(&Value::call("sum", [v])).unwrap();
    assert_eq!(sum, Value::I64(49_999_995_000_000));
}

#[test]
fn one_million_row_table() {
    let (_server, mut client) = common::connected();
    client
        .execute(
            "(set t (table [id px sym ts] (list (til 1000000) (* 0.5 (til 1000000)) \
             (take ['aa 'bbb 'c] 1000000) (+ 2024.01.02D00:00:00.000000000 (til 1000000)))))",
        )
        .unwrap();
    let t = client.execute("t").unwrap();
    let t = t.as_table().unwrap();
    assert_eq!(t.num_rows(), 1_000_000);
    let names: Vec<String> = t.names().iter_lossy().map(|s| s.into_owned()).collect();
    assert_eq!(names, ["id", "px", "sym", "ts"]);
    let id = t
        .column("id")
        .unwrap()
        .as_vector()
        .unwrap()
        .as_i64()
        .unwrap();
    let px = t
        .column("px")
        .unwrap()
        .as_vector()
        .unwrap()
        .as_f64()
        .unwrap();
    let sym = t
        .column("sym")
        .unwrap()
        .as_vector()
        .unwrap()
        .as_symbols()
        .unwrap();
    let ts = t
        .column("ts")
        .unwrap()
        .as_vector()
        .unwrap()
        .as_timestamp()
        .unwrap();
    let base = Timestamp(757_468_800_000_000_000); // 2024.01.02D00:00:00
    for i in 0..1_000_000usize {
        assert_eq!(id[i], i as i64);
        assert_eq!(px[i], 0.5 * i as f64);
        assert_eq!(sym.get_str(i), Some(["aa", "bbb", "c"][i % 3]));
        assert_eq!(ts[i], Timestamp(base.0 + i as i64));
    }
    let count = client
        .execute(&Value::call("count", [Value::Table(t.clone())]))
        .unwrap();
    assert_eq!(count, Value::I64(1_000_000));
}
