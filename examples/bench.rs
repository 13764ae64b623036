//! End-to-end benchmark against the real server: the SDK interleaved, in one run, with a
//! minimal raw-socket client written here (pre-encoded request bytes, reply bytes read but
//! never decoded) as the floor. Prints medians and SDK/floor ratios; with
//! `--python PYTHON` it also runs `scripts/bench_rayforce_py.py` (rayforce-py 2.4.0) against
//! the same server and prints it side by side.
//!
//! ```sh
//! RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --release --example bench
//! RAYFORCE_BIN=$(bash scripts/fetch-rayforce.sh) cargo run --release --example bench -- --python /tmp/rpy/bin/python
//! ```

use rayforce_client::query::{col, TableRef};
use rayforce_client::typed::{FromTable, RayTable, Sym};
use rayforce_client::wire::{FrameHeader, MsgType, Parts, HEADER_LEN};
use rayforce_client::{Client, LocalServer, Request, Timestamp, Value, Vector};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The floor: a socket that only moves bytes.
struct Raw {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    fn connect(port: u16) -> Raw {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        stream.write_all(&[3, 0]).unwrap();
        let mut reply = [0u8; 2];
        stream.read_exact(&mut reply).unwrap();
        Raw {
            stream,
            buf: Vec::new(),
        }
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = FrameHeader::new(MsgType::Sync, payload.len() as u64)
            .encode()
            .to_vec();
        out.extend_from_slice(payload);
        out
    }

    /// Reads one reply frame's bytes (header validated only by size), returns its length.
    fn read_reply(&mut self) -> usize {
        let mut head = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut head).unwrap();
        let size = u64::from_le_bytes(head[8..].try_into().unwrap()) as usize;
        self.buf.clear();
        self.buf.reserve(size);
        (&mut self.stream)
            .take(size as u64)
            .read_to_end(&mut self.buf)
            .unwrap();
        size
    }

    fn round_trip(&mut self, frame: &[u8]) -> usize {
        self.stream.write_all(frame).unwrap();
        self.read_reply()
    }
}

fn payload<R: Request + ?Sized>(r: &R) -> Vec<u8> {
    Client::encode_request(r).unwrap()
}

/// A pipeline of 1000 × `(+ 1 2)`, encoded anew for each batch (as a user would).
fn plus_batch() -> rayforce_client::client::Pipeline {
    let mut p = rayforce_client::client::Pipeline::new();
    for _ in 0..1000 {
        p.push("(+ 1 2)").unwrap();
    }
    p
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn percentile(mut xs: Vec<Duration>, p: f64) -> Duration {
    xs.sort();
    xs[((xs.len() - 1) as f64 * p).round() as usize]
}

/// Runs `sdk` and `floor` alternately `n` times; returns their samples.
fn interleave(
    n: usize,
    mut sdk: impl FnMut(),
    mut floor: impl FnMut(),
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let t = Instant::now();
        sdk();
        a.push(t.elapsed());
        let t = Instant::now();
        floor();
        b.push(t.elapsed());
    }
    (a, b)
}

#[derive(RayTable, Serialize, Deserialize, Clone)]
#[rayforce(table = "big")]
struct BigRow {
    id: i64,
    px: f64,
    sym: String,
    ts: Timestamp,
}

/// The same rows with shared symbols, decoded into a reused vector.
#[derive(RayTable)]
#[rayforce(table = "big")]
#[allow(dead_code)]
struct FastRow {
    id: i64,
    px: f64,
    sym: Sym,
    ts: Timestamp,
}

/// The same rows through serde.
#[derive(Deserialize, FromTable)]
#[allow(dead_code)]
struct SerdeRow {
    id: i64,
    px: f64,
    sym: String,
    ts: Timestamp,
}

struct Row {
    name: &'static str,
    sdk: Duration,
    floor: Duration,
    target: &'static str,
}

fn fmt(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    let python = std::env::args().skip_while(|a| a != "--python").nth(1);
    let server = LocalServer::builder().args(["-c", "1"]).start().unwrap();
    let port = server.port();
    let mut client = server.client().unwrap();
    let mut raw = Raw::connect(port);
    let mut rows: Vec<Row> = Vec::new();

    // 1. (+ 1 2) round trip.
    let plus = Raw::frame(&payload("(+ 1 2)"));
    for _ in 0..2000 {
        client.execute("(+ 1 2)").unwrap();
        raw.round_trip(&plus);
    }
    let (sdk, floor) = interleave(
        20_000,
        || {
            assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
        },
        || {
            raw.round_trip(&plus);
        },
    );
    rows.push(Row {
        name: "(+ 1 2) round trip p50",
        sdk: median(sdk.clone()),
        floor: median(floor.clone()),
        target: "≤ 1.05×",
    });
    rows.push(Row {
        name: "(+ 1 2) round trip p99",
        sdk: percentile(sdk, 0.99),
        floor: percentile(floor, 0.99),
        target: "",
    });

    // 2. A select on a 1000-row table, sent as a query object.
    client
        .execute("(set small (table [id px sym] (list (til 1000) (* 0.5 (til 1000)) (take ['a 'b 'c] 1000))))")
        .unwrap();
    let select = TableRef::named("small")
        .select(["id", "px", "sym"])
        .filter(col("px").gt(100.0) & col("sym").is_in(["a", "b"]));
    let select_frame = Raw::frame(&payload(&select));
    let (sdk, floor) = interleave(
        2000,
        || {
            let v = client.execute(&select).unwrap();
            assert_eq!(v.as_table().unwrap().num_rows(), 533);
        },
        || {
            raw.round_trip(&select_frame);
        },
    );
    rows.push(Row {
        name: "select on 1000 rows (query object)",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });

    // 3. Pipelined throughput, 1000 in flight.
    let batch: Vec<u8> = plus.repeat(1000);
    let (sdk, floor) = interleave(
        60,
        || {
            let replies = client.run(&plus_batch()).unwrap();
            assert_eq!(replies.len(), 1000);
        },
        || {
            raw.stream.write_all(&batch).unwrap();
            for _ in 0..1000 {
                raw.read_reply();
            }
        },
    );
    let (s, f) = (median(sdk), median(floor));
    rows.push(Row {
        name: "pipelined 1000 × (+ 1 2), per batch",
        sdk: s,
        floor: f,
        target: "throughput ≥ 0.9×",
    });

    // 3b. The async client (feature `tokio`): round trip and a pipelined batch.
    #[cfg(feature = "tokio")]
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let aclient = rt
            .block_on(Client::builder("127.0.0.1", port).connect_async())
            .unwrap();
        for _ in 0..2000 {
            rt.block_on(aclient.execute("(+ 1 2)")).unwrap();
        }
        let (sdk, floor) = interleave(
            20_000,
            || {
                let v = rt.block_on(aclient.execute("(+ 1 2)")).unwrap();
                assert_eq!(v, Value::I64(3));
            },
            || {
                raw.round_trip(&plus);
            },
        );
        rows.push(Row {
            name: "async (+ 1 2) round trip p50",
            sdk: median(sdk),
            floor: median(floor),
            target: "",
        });
        let (sdk, floor) = interleave(
            60,
            || {
                let replies = rt.block_on(aclient.run(&plus_batch())).unwrap();
                assert_eq!(replies.len(), 1000);
            },
            || {
                raw.stream.write_all(&batch).unwrap();
                for _ in 0..1000 {
                    raw.read_reply();
                }
            },
        );
        rows.push(Row {
            name: "async pipelined 1000 × (+ 1 2), per batch",
            sdk: median(sdk),
            floor: median(floor),
            target: "",
        });
    }

    // 4. (til 10000000) into an owned i64 column.
    let til = Raw::frame(&payload("(til 10000000)"));
    let (sdk, floor) = interleave(
        15,
        || {
            let column: Vec<i64> = match client.execute("(til 10000000)").unwrap() {
                Value::Vector(Vector::I64(v)) => v,
                other => panic!("{}", other.kind_name()),
            };
            assert_eq!(column.len(), 10_000_000);
        },
        || {
            raw.round_trip(&til);
        },
    );
    rows.push(Row {
        name: "(til 10000000) → owned Vec<i64>",
        sdk: median(sdk),
        floor: median(floor),
        target: "≤ 1.3×",
    });
    // 4b. The same into a Vec kept across calls (fetch_column_into).
    let mut reused: Vec<i64> = Vec::new();
    client
        .fetch_column_into("(til 10000000)", &mut reused)
        .unwrap();
    let (sdk, floor) = interleave(
        15,
        || {
            client
                .fetch_column_into("(til 10000000)", &mut reused)
                .unwrap();
            assert_eq!(reused.len(), 10_000_000);
        },
        || {
            raw.round_trip(&til);
        },
    );
    rows.push(Row {
        name: "(til 10000000) → reused Vec<i64> (fetch_column_into)",
        sdk: median(sdk),
        floor: median(floor),
        target: "≤ 1.05×",
    });

    // 5/6. A 1M-row table (i64, f64, symbol, timestamp) into typed columns and into structs.
    client
        .execute(
            "(set big (table [id px sym ts] (list (til 1000000) (* 0.5 (til 1000000)) \
             (take ['aa 'bbb 'c 'dddd] 1000000) (+ 2024.01.02D00:00:00.000000000 (til 1000000)))))",
        )
        .unwrap();
    let big = Raw::frame(&payload("big"));
    let (sdk, floor) = interleave(
        15,
        || {
            let t = client.execute("big").unwrap();
            let t = t.as_table().unwrap();
            assert_eq!(
                t.column("sym")
                    .unwrap()
                    .as_vector()
                    .unwrap()
                    .as_symbols()
                    .unwrap()
                    .len(),
                1_000_000
            );
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table → typed columns",
        sdk: median(sdk),
        floor: median(floor),
        target: "≤ 1.3×",
    });
    let mut slot = Value::Null;
    let (sdk, floor) = interleave(
        15,
        || {
            client.execute_into(&"big", &mut slot).unwrap();
            assert_eq!(slot.as_table().unwrap().num_rows(), 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    drop(slot);
    rows.push(Row {
        name: "1M-row table → reused typed columns (execute_into)",
        sdk: median(sdk),
        floor: median(floor),
        target: "≤ 1.3×",
    });
    let (sdk, floor) = interleave(
        15,
        || {
            let batch = client.fetch_arrow(&"big").unwrap();
            assert_eq!(batch.num_rows(), 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table → Arrow RecordBatch (symbols Utf8)",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });
    #[cfg(feature = "polars")]
    {
        let (sdk, floor) = interleave(
            15,
            || {
                let df = client.fetch_polars(&"big").unwrap();
                assert_eq!(df.height(), 1_000_000);
            },
            || {
                raw.round_trip(&big);
            },
        );
        rows.push(Row {
            name: "1M-row table → polars DataFrame (through Arrow)",
            sdk: median(sdk),
            floor: median(floor),
            target: "",
        });
    }
    let (sdk, floor) = interleave(
        5,
        || {
            let mut n = 0;
            for page in client.pages("big", 250_000).unwrap() {
                n += page.unwrap().num_rows();
            }
            assert_eq!(n, 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table in 4 pages (Pages), vs the whole table",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });
    let (sdk, floor) = interleave(
        9,
        || {
            let v: Vec<BigRow> = client.fetch_all(&"big").unwrap();
            assert_eq!(v.len(), 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table → fresh Vec<struct> (derive, String symbols)",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });
    let mut fast: Vec<FastRow> = Vec::new();
    let (sdk, floor) = interleave(
        15,
        || {
            client.fetch_all_into(&"big", &mut fast).unwrap();
            assert_eq!(fast.len(), 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table → reused Vec<struct> (derive, Sym symbols, fetch_all_into)",
        sdk: median(sdk),
        floor: median(floor),
        target: "≤ 2.5×",
    });
    drop(fast);
    let (sdk, floor) = interleave(
        5,
        || {
            let v: Vec<SerdeRow> = client.fetch_all(&"big").unwrap();
            assert_eq!(v.len(), 1_000_000);
        },
        || {
            raw.round_trip(&big);
        },
    );
    rows.push(Row {
        name: "1M-row table → fresh Vec<struct> (serde, #[derive(FromTable)])",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });

    // 7. Insert 1M rows from typed columns and from structs.
    let t = match client.execute("big").unwrap() {
        Value::Table(t) => t,
        _ => unreachable!(),
    };
    let reset = "(set ins (table [id px sym ts] (list [] (as 'F64 []) (as 'SYMBOL []) (as 'TIMESTAMP []))))";
    let insert = TableRef::named("ins").insert().table(t.clone());
    let insert_frame = Raw::frame(&payload(&insert));
    let structs: Vec<BigRow> = client.fetch_all(&"big").unwrap();
    // Resets go through a second connection and are not timed.
    let mut admin = server.client().unwrap();
    type Op<'a> = Box<dyn FnMut(&mut Client, &mut Raw) + 'a>;
    let mut timed = |n: usize, mut op: Op<'_>| {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            admin.execute(reset).unwrap();
            let t = Instant::now();
            op(&mut client, &mut raw);
            samples.push(t.elapsed());
        }
        median(samples)
    };
    let mut sdk = Vec::new();
    let mut floor = Vec::new();
    for _ in 0..9 {
        sdk.push(timed(
            1,
            Box::new(|c, _| {
                c.execute(&insert).unwrap();
            }),
        ));
        floor.push(timed(
            1,
            Box::new(|_, r| {
                r.round_trip(&insert_frame);
            }),
        ));
    }
    rows.push(Row {
        name: "insert 1M rows from typed columns",
        sdk: median(sdk),
        floor: median(floor.clone()),
        target: "≤ 1.15×",
    });
    // Where the insert's gap to the floor goes: the floor sends bytes encoded beforehand,
    // the SDK encodes the request (symbols copied with their NULs, fixed-width columns
    // borrowed) while sending. Encoding alone, no I/O:
    let mut encode = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        let mut parts = Parts::new(Vec::new());
        insert.write_parts(&mut parts).unwrap();
        std::hint::black_box(parts.len());
        encode.push(t.elapsed());
    }
    let insert_encode = median(encode);
    let mut sdk = Vec::new();
    for _ in 0..5 {
        sdk.push(timed(
            1,
            Box::new(|c, _| {
                let columns = BigRow::to_columns(&structs).unwrap();
                c.execute(&TableRef::named("ins").insert().values(columns))
                    .unwrap();
            }),
        ));
    }
    rows.push(Row {
        name: "insert 1M rows from structs (derive)",
        sdk: median(sdk.clone()),
        floor: median(floor.clone()),
        target: "",
    });
    let mut sdk = Vec::new();
    for _ in 0..3 {
        sdk.push(timed(
            1,
            Box::new(|c, _| {
                let encode = rayforce_client::client::inserter::table_rows::<BigRow>;
                let mut inserter = c
                    .inserter_with("ins", encode)
                    .unwrap()
                    .with_max_rows(250_000);
                for row in &structs {
                    inserter.write(row.clone()).unwrap();
                }
                assert_eq!(inserter.end().unwrap().rows, 1_000_000);
            }),
        ));
    }
    rows.push(Row {
        name: "insert 1M rows through the Inserter (derive, 4 × 250k pipelined)",
        sdk: median(sdk),
        floor: median(floor),
        target: "",
    });
    assert_eq!(
        client.execute("(count ins)").unwrap(),
        Value::I64(1_000_000)
    );

    println!("\nRayforce Rust SDK vs raw-socket floor (real server 2.4.0, loopback, medians)\n");
    println!("| workload | SDK | floor | SDK/floor | target |");
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {:.2}× | {} |",
            r.name,
            fmt(r.sdk),
            fmt(r.floor),
            r.sdk.as_secs_f64() / r.floor.as_secs_f64(),
            r.target
        );
    }
    let per_batch = rows
        .iter()
        .find(|r| r.name.starts_with("pipelined"))
        .unwrap();
    println!(
        "\npipelined throughput: SDK {:.0} q/s, floor {:.0} q/s",
        1000.0 / per_batch.sdk.as_secs_f64(),
        1000.0 / per_batch.floor.as_secs_f64()
    );
    println!(
        "encoding the 1M-row insert request alone (no I/O, median of 9): {}",
        fmt(insert_encode)
    );

    if let Some(python) = python {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/bench_rayforce_py.py");
        let out = std::process::Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .output()
            .expect("run the rayforce-py bench");
        let text = String::from_utf8_lossy(&out.stdout);
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        let py: Vec<(String, f64)> = text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter_map(|(k, v)| Some((k.to_string(), v.trim().parse().ok()?)))
            .collect();
        let get = |k: &str| py.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        let sdk = |prefix: &str| {
            rows.iter()
                .find(|r| r.name.starts_with(prefix))
                .unwrap()
                .sdk
                .as_secs_f64()
        };
        println!("\nSDK vs rayforce-py 2.4.0 (same server, same run, medians)\n");
        println!("| workload | Rust SDK | rayforce-py | rayforce-py / SDK |");
        println!("|---|---|---|---|");
        for (name, key, prefix) in [
            ("(+ 1 2) round trip", "round_trip", "(+ 1 2) round trip p50"),
            (
                "(til 10000000) as an array",
                "til",
                "(til 10000000) → owned",
            ),
            (
                "(til 10000000) into a reused array",
                "til",
                "(til 10000000) → reused",
            ),
            (
                "1M-row table, 4 columns as arrays",
                "table_columns",
                "1M-row table → typed",
            ),
            ("insert 1M rows", "insert", "insert 1M rows from typed"),
        ] {
            if let Some(p) = get(key) {
                let s = sdk(prefix);
                println!(
                    "| {name} | {} | {} | {:.1}× |",
                    fmt(Duration::from_secs_f64(s)),
                    fmt(Duration::from_secs_f64(p)),
                    p / s
                );
            }
        }
    }
}
