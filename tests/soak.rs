//! Nothing lost: a bounded soak of 100,000 mixed inserts and selects against the real
//! server, pipelined in batches; every acknowledged insert must be present afterwards,
//! counts must match along the way, and the client's memory must not grow.

mod common;

use rayforce_client::query::{col, TableRef};
use rayforce_client::Value;

fn resident_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

#[test]
fn hundred_thousand_mixed_operations_lose_nothing() {
    let (_server, mut c) = common::connected();
    c.execute("(set soak (table [id v s] (list [] (as 'F64 []) (as 'SYMBOL []))))")
        .unwrap();
    let total_ops = 100_000usize;
    let batch = 1_000usize;
    let mut acknowledged = 0i64;
    let mut baseline = None;
    for b in 0..total_ops / batch {
        let mut p = rayforce_client::client::Pipeline::new();
        let mut kinds = Vec::with_capacity(batch);
        for i in 0..batch {
            let op = b * batch + i;
            if op % 4 == 3 {
                p.push(&TableRef::named("soak").select([col("id").count().alias("n")]))
                    .unwrap();
                kinds.push(None);
            } else {
                let id = op as i64;
                p.push(&TableRef::named("soak").insert().row([
                    Value::I64(id),
                    Value::F64(id as f64 / 2.0),
                    Value::symbol(format!("k{}", id % 97)),
                ]))
                .unwrap();
                kinds.push(Some(id));
            }
        }
        let replies = c.run(&p).unwrap();
        assert_eq!(replies.len(), batch);
        for (kind, reply) in kinds.into_iter().zip(replies) {
            let reply = reply.unwrap();
            match kind {
                Some(_) => {
                    assert_eq!(
                        reply.as_str(),
                        Some("soak"),
                        "insert not acknowledged: {reply:?}"
                    );
                    acknowledged += 1;
                }
                None => {
                    let n = reply
                        .as_table()
                        .unwrap()
                        .column("n")
                        .unwrap()
                        .item(0)
                        .unwrap();
                    assert_eq!(
                        n,
                        Value::I64(acknowledged),
                        "count after {acknowledged} inserts"
                    );
                }
            }
        }
        if b == 9 {
            baseline = resident_kib();
        }
    }
    assert_eq!(acknowledged, 75_000);
    let ids = c.execute("(asc (at soak 'id))").unwrap();
    let ids = ids.as_vector().unwrap().as_i64().unwrap().to_vec();
    let expected: Vec<i64> = (0..total_ops as i64).filter(|op| op % 4 != 3).collect();
    assert_eq!(
        ids, expected,
        "every acknowledged insert is present exactly once"
    );
    if let (Some(before), Some(after)) = (baseline, resident_kib()) {
        assert!(
            after < before + 32 * 1024,
            "client memory grew from {before} KiB to {after} KiB"
        );
    }
}
