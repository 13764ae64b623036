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

/// Progress of a large reply and a large request: exact totals from the frame headers,
/// monotone, ending at the total; small frames are not reported.
#[test]
fn progress_of_large_frames_is_exact_and_monotone() {
    use rayforce_client::transport::{Direction, Progress};
    use std::sync::{Arc, Mutex};
    let (_server, mut client) = common::connected();
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client.on_progress(move |p| sink.lock().unwrap().push(p));
    client.execute("(+ 1 2)").unwrap();
    assert!(
        seen.lock().unwrap().is_empty(),
        "small frames are not reported"
    );

    client.execute("(til 1000000)").unwrap(); // 8,000,010 payload bytes
    let received: Vec<Progress> = std::mem::take(&mut *seen.lock().unwrap());
    assert!(received.len() > 3, "{}", received.len());
    assert!(received
        .iter()
        .all(|p| p.direction == Direction::Receiving && p.total == 8_000_010));
    assert!(received.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(received.first().unwrap().done, 0);
    assert_eq!(received.last().unwrap().done, 8_000_010);

    let big = rayforce_client::Value::from(vec![1i64; 500_000]);
    assert_eq!(
        client
            .execute(&rayforce_client::Value::call("count", [big]))
            .unwrap(),
        rayforce_client::Value::I64(500_000)
    );
    let sent: Vec<Progress> = std::mem::take(&mut *seen.lock().unwrap());
    let sending: Vec<_> = sent
        .iter()
        .filter(|p| p.direction == Direction::Sending)
        .collect();
    assert!(sending.len() > 5);
    assert_eq!(sending.last().unwrap().done, sending.last().unwrap().total);
    assert!(sending[0].total > 4_000_000);
}

/// A column decoded into a caller's buffer: correct values, the buffer's memory reused
/// across calls (same pointer, no growth), shorter replies shrink it, and any other reply
/// is a typed error that leaves the connection in step.
#[test]
fn columns_decode_into_a_reused_buffer() {
    let (_server, mut client) = common::connected();
    let mut out: Vec<i64> = Vec::new();
    client.fetch_column_into("(til 3000000)", &mut out).unwrap();
    assert_eq!(out.len(), 3_000_000);
    assert!(out.iter().enumerate().all(|(i, x)| *x == i as i64));
    let (ptr, cap) = (out.as_ptr(), out.capacity());
    client
        .fetch_column_into("(+ 1 (til 3000000))", &mut out)
        .unwrap();
    assert_eq!(
        (out.as_ptr(), out.capacity()),
        (ptr, cap),
        "the same memory, reused"
    );
    assert_eq!(out[2_999_999], 3_000_000);
    client.fetch_column_into("(til 5)", &mut out).unwrap();
    assert_eq!(out, [0, 1, 2, 3, 4]);

    let mut dates: Vec<rayforce_client::Date> = Vec::new();
    client
        .fetch_column_into("(+ 2024.01.01 (til 3))", &mut dates)
        .unwrap();
    assert_eq!(
        dates[2],
        rayforce_client::Date::from_ymd(2024, 1, 3).unwrap()
    );

    let err = client.fetch_column_into("(til 1.5)", &mut out);
    assert!(err.is_err());
    let err = client.fetch_column_into("['a 'b]", &mut out).unwrap_err();
    assert!(
        matches!(err, rayforce_client::Error::TypeMismatch { .. }),
        "{err:?}"
    );
    let err = client.fetch_column_into("(+ 1 'a)", &mut out).unwrap_err();
    assert!(err.server_code().is_some(), "{err:?}");
    assert_eq!(
        client.execute("(+ 1 2)").unwrap(),
        Value::I64(3),
        "still in step"
    );
}
