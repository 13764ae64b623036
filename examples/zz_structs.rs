use rayforce_client::typed::{RayTable, Sym};
use rayforce_client::{LocalServer, Timestamp, Value};
use std::time::Instant;

#[derive(RayTable)]
#[rayforce(table = "big")]
#[allow(dead_code)]
struct FastRow {
    id: i64,
    px: f64,
    sym: Sym,
    ts: Timestamp,
}

fn main() {
    let server = LocalServer::builder().args(["-c", "1"]).start().unwrap();
    let mut client = rayforce_client::Client::connect("127.0.0.1", server.port()).unwrap();
    client
        .execute(
            "(set big (table [id px sym ts] (list (til 1000000) (* 0.5 (til 1000000)) \
             (take ['aa 'bbb 'c 'dddd] 1000000) (+ 2024.01.02D00:00:00.000000000 (til 1000000)))))",
        )
        .unwrap();
    let mode = std::env::args().nth(1).unwrap_or_default();
    let mut fast: Vec<FastRow> = Vec::new();
    let mut scratch = Value::Null;
    for i in 0..40 {
        let t = Instant::now();
        match mode.as_str() {
            "into" => client.execute_into("big", &mut scratch).unwrap(),
            "decode" => {
                client.execute_into("big", &mut scratch).unwrap();
                let t2 = Instant::now();
                fast.clear();
                <FastRow as rayforce_client::FromTable>::extend_from_table(
                    scratch.as_table().unwrap(),
                    &mut fast,
                )
                .unwrap();
                if i % 10 == 0 {
                    eprintln!("  from_table {:?}", t2.elapsed());
                }
            }
            _ => client.fetch_all_into(&"big", &mut fast).unwrap(),
        }
        if i % 10 == 0 {
            eprintln!("{mode} {:?}", t.elapsed());
        }
    }
}
