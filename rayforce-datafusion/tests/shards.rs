//! Every query runs three ways and must agree: on DataFusion over the single server that holds
//! all rows (one shard), on DataFusion over three shards split by symbol, and as the same
//! query in Rayforce on the single server (the ground truth, computed by the server). The
//! rows each scan moved are checked against what pushdown promises.

mod common;

use common::*;
use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use rayforce_client::query::{col, desc, sym, table};
use rayforce_client::{Client, Date, Request, Timestamp};
use rayforce_datafusion::{session_context, RayforceTable, Shard};
use std::sync::Arc;

/// How many rows a query's scans may move.
#[derive(Clone, Copy, Debug)]
enum Moved {
    /// Exactly the result's rows (filters and projection pushed down).
    Result,
    /// At most this many per shard scanned (grouped rows).
    AtMostPerShard(u64),
    /// At most this many in all (e.g. the rows matching the pushed filters).
    AtMost(u64),
}

struct Case {
    name: &'static str,
    sql: &'static str,
    truth: Box<dyn Request>,
    /// Columns of the truth to compare, in order (all when empty).
    truth_columns: &'static [&'static str],
    ordered: bool,
    moved: Moved,
}

fn case(
    name: &'static str,
    sql: &'static str,
    truth: impl Request + 'static,
    moved: Moved,
) -> Case {
    Case {
        name,
        sql,
        truth: Box::new(truth),
        truth_columns: &[],
        ordered: false,
        moved,
    }
}

fn ts(seconds_into_2024: i64) -> Timestamp {
    // 2024-01-01 is 8766 days after Rayforce's epoch (2000-01-01).
    Timestamp((8766 * 86_400 + seconds_into_2024) * 1_000_000_000)
}

fn cases() -> Vec<Case> {
    let t = || table("trades");
    let q = |e: &str| col(e);
    let mut cases = vec![
        case("projection", "SELECT sym, px FROM trades", t().select(["sym", "px"]), Moved::Result),
        case(
            "filter =",
            "SELECT sym, qty FROM trades WHERE qty = 7919",
            t().select(["sym", "qty"]).filter(q("qty").eq(7919)),
            Moved::Result,
        ),
        case(
            "filter < and >",
            "SELECT sym, qty, px FROM trades WHERE qty < 500 AND px > 200",
            t().select(["sym", "qty", "px"]).filter(q("qty").lt(500).and(q("px").gt(200.0))),
            Moved::Result,
        ),
        case(
            "filter <= >= !=",
            "SELECT qty FROM trades WHERE qty <= 9800 AND qty >= 9000 AND qty != 9001",
            t().select(["qty"])
                .filter(q("qty").le(9800).and(q("qty").ge(9000)).and(q("qty").ne(9001))),
            Moved::Result,
        ),
        case(
            "filter between",
            "SELECT sym, px FROM trades WHERE px BETWEEN 100 AND 101.5",
            t().select(["sym", "px"]).filter(q("px").within(100.0, 101.5)),
            Moved::Result,
        ),
        case(
            "filter in",
            "SELECT sym, qty FROM trades WHERE sym IN ('AAPL', 'IBM') AND qty < 2000",
            t().select(["sym", "qty"])
                .filter(q("sym").is_in([sym("AAPL"), sym("IBM")]).and(q("qty").lt(2000))),
            Moved::Result,
        ),
        case(
            "filter not in",
            "SELECT sym, qty FROM trades WHERE sym NOT IN ('AAPL', 'IBM') AND qty > 9900",
            t().select(["sym", "qty"])
                .filter(q("sym").is_in([sym("AAPL"), sym("IBM")]).not().and(q("qty").gt(9900))),
            Moved::Result,
        ),
        case(
            "filter or / not",
            "SELECT sym, qty FROM trades WHERE NOT (qty > 100) OR (sym = 'TSLA' AND qty > 9950)",
            t().select(["sym", "qty"]).filter(
                q("qty").gt(100).not().or(q("sym").eq(sym("TSLA")).and(q("qty").gt(9950))),
            ),
            Moved::Result,
        ),
        case(
            "filter date",
            "SELECT sym, day FROM trades WHERE day >= DATE '2024-01-19'",
            t().select(["sym", "day"]).filter(q("day").ge(Date::from_ymd(2024, 1, 19).unwrap())),
            Moved::Result,
        ),
        case(
            "filter timestamp",
            "SELECT sym, ts FROM trades WHERE ts < TIMESTAMP '2024-01-01 00:01:40'",
            t().select(["sym", "ts"]).filter(q("ts").lt(ts(100))),
            Moved::Result,
        ),
        case(
            "filter STR column",
            "SELECT venue, qty FROM trades WHERE venue = 'Y' AND qty < 300",
            t().select(["venue", "qty"]).filter(q("venue").eq("Y").and(q("qty").lt(300))),
            Moved::Result,
        ),
        case(
            "filter symbol order",
            "SELECT sym, qty FROM trades WHERE sym > 'M' AND qty < 100",
            t().select(["sym", "qty"]).filter(q("sym").gt(sym("M")).and(q("qty").lt(100))),
            Moved::Result,
        ),
        case(
            "filter like",
            "SELECT sym, qty FROM trades WHERE sym LIKE 'A%' AND qty < 1000",
            t().select(["sym", "qty"]).filter(q("sym").like("A*").and(q("qty").lt(1000))),
            Moved::Result,
        ),
        case(
            // ILIKE is not pushed down: DataFusion filters the rows of the pushed part.
            "filter ilike (not pushed)",
            "SELECT sym, qty FROM trades WHERE sym ILIKE 'a%' AND qty < 1000",
            t().select(["sym", "qty"]).filter(q("sym").like("A*").and(q("qty").lt(1000))),
            Moved::AtMost(1000),
        ),
        case(
            "group by the shard key, every aggregate",
            "SELECT sym, sum(qty), count(qty), min(px), max(px), avg(qty), count(*) FROM trades GROUP BY sym",
            t().select(vec![
                q("qty").sum(),
                q("qty").count(),
                q("px").min(),
                q("px").max(),
                q("qty").avg(),
                q("qty").count().alias("n"),
            ])
            .by("sym"),
            Moved::AtMostPerShard(6),
        ),
        case(
            "group by another key, filtered",
            "SELECT day, sum(px), count(*), min(ts), max(qty), avg(px) FROM trades WHERE qty > 1000 GROUP BY day",
            t().select(vec![
                q("px").sum(),
                q("px").count(),
                q("ts").min(),
                q("qty").max(),
                q("px").avg(),
            ])
            .filter(q("qty").gt(1000))
            .by("day"),
            Moved::AtMostPerShard(20),
        ),
        case(
            "global aggregate",
            "SELECT sum(qty), count(*), min(day), max(ts), avg(px) FROM trades",
            t().select(vec![
                q("qty").sum(),
                q("qty").count(),
                q("day").min(),
                q("ts").max(),
                q("px").avg(),
            ]),
            Moved::AtMostPerShard(1),
        ),
        Case {
            ordered: true,
            ..case(
                "order by + limit",
                "SELECT sym, qty, px FROM trades WHERE px > 100 ORDER BY qty DESC LIMIT 10",
                t().select(["sym", "qty", "px"])
                    .filter(q("px").gt(100.0))
                    .order_by([desc("qty")])
                    .limit(10),
                // Each shard sends its own first 10 (its no-null rows; nulls: none).
                Moved::AtMostPerShard(10),
            )
        },
        Case {
            ordered: true,
            ..case(
                "group by + order by + limit",
                "SELECT sym, sum(qty) AS s FROM trades GROUP BY sym ORDER BY s DESC LIMIT 3",
                t().select(vec![q("qty").sum().alias("s")]).by("sym").order_by([desc("s")]).limit(3),
                Moved::AtMostPerShard(6),
            )
        },
    ];
    cases.push(Case {
        truth_columns: &["sym", "sector", "qty"],
        ..case(
            "join with a local table",
            "SELECT t.sym, s.sector, t.qty FROM trades t JOIN sectors s ON t.sym = s.sym WHERE t.qty < 300",
            // The server joins the filtered trades (kept as `cheap`) with the same sectors.
            rayforce_client::Value::call(
                "do",
                [
                    rayforce_client::Value::call(
                        "set",
                        [
                            rayforce_client::Value::name("cheap"),
                            t().select(["sym", "qty"]).filter(q("qty").lt(300)).compile().unwrap(),
                        ],
                    ),
                    table("cheap").inner_join(table("sectors"), ["sym"]).compile().unwrap(),
                ],
            ),
            // The join itself is DataFusion's: the rows of the pushed filter move (qty
            // values are distinct, so at most 300), not only the joined ones.
            Moved::AtMost(300),
        )
    });
    cases
}

/// The local table of the join: sector of four of the six symbols.
fn sectors() -> RecordBatch {
    let sym = StringArray::from(vec!["AAPL", "MSFT", "IBM", "NVDA"]);
    let sector = StringArray::from(vec!["tech", "software", "services", "chips"]);
    RecordBatch::try_from_iter([
        ("sym", Arc::new(sym) as _),
        ("sector", Arc::new(sector) as _),
    ])
    .unwrap()
}

async fn context(shards: Vec<Shard>) -> (SessionContext, RayforceTable) {
    let trades = RayforceTable::open("trades", shards).await.unwrap();
    let ctx = session_context();
    ctx.register_table("trades", Arc::new(trades.clone()))
        .unwrap();
    let local = MemTable::try_new(sectors().schema(), vec![vec![sectors()]]).unwrap();
    ctx.register_table("sectors", Arc::new(local)).unwrap();
    (ctx, trades)
}

fn truth(client: &mut Client, case: &Case) -> Vec<String> {
    let batch = client.fetch_arrow(case.truth.as_ref()).unwrap();
    let batch = if case.truth_columns.is_empty() {
        batch
    } else {
        let indices: Vec<usize> = case
            .truth_columns
            .iter()
            .map(|c| batch.schema().index_of(c).unwrap())
            .collect();
        batch.project(&indices).unwrap()
    };
    rows(&[batch])
}

async fn run(ctx: &SessionContext, sql: &str) -> Vec<RecordBatch> {
    ctx.sql(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs every case over `shards` and checks results and rows moved.
async fn check_all(cluster: &Cluster, shards: Vec<Shard>, label: &str) {
    let count = shards.len() as u64;
    let (ctx, trades) = context(shards).await;
    let mut single = cluster.single.client().unwrap();
    common::load_sectors(&mut single, &sectors());
    for case in cases() {
        trades.stats().reset();
        let got = rows(&run(&ctx, case.sql).await);
        let expected = truth(&mut single, &case);
        let (got, expected) = if case.ordered {
            (got, expected)
        } else {
            (sorted(got), sorted(expected))
        };
        assert_eq!(got, expected, "{label}: {}: {}", case.name, case.sql);
        let moved = trades.stats().rows_received();
        // The README's pushdown table (`cargo test -p rayforce-datafusion -- --nocapture`).
        println!(
            "pushdown | {label} | {} | {moved} of {ROWS} rows moved ({:.2}%) | {} result rows",
            case.name,
            100.0 * moved as f64 / ROWS as f64,
            got.len()
        );
        let allowed = match case.moved {
            Moved::Result => got.len() as u64,
            Moved::AtMostPerShard(n) => n * count,
            Moved::AtMost(n) => n,
        };
        assert!(
            moved <= allowed,
            "{label}: {}: {moved} rows moved, at most {allowed} expected",
            case.name
        );
        if matches!(case.moved, Moved::Result) {
            assert_eq!(
                moved,
                got.len() as u64,
                "{label}: {}: rows moved",
                case.name
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_over_one_and_three_shards_matches_the_server() {
    let cluster = Cluster::start();
    check_all(&cluster, cluster.one(), "1 shard").await;
    check_all(&cluster, cluster.three(), "3 shards").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_shard_changes_nothing() {
    let cluster = Cluster::start();
    let empty = start_server();
    common::load(&mut empty.client().unwrap(), "trades", &trades(0..0));
    let mut shards = cluster.three();
    shards.push(shard("empty", &empty));
    check_all(&cluster, shards, "3 shards + an empty one").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_on_the_partition_column_skips_the_other_shards() {
    let cluster = Cluster::start();
    let (ctx, trades) = context(cluster.three()).await;
    let got = run(&ctx, "SELECT qty FROM trades WHERE sym = 'IBM'").await;
    assert_eq!(rows(&got).len(), ROWS / 6);
    assert_eq!(trades.stats().shard_scans(), 1);
    trades.stats().reset();
    run(
        &ctx,
        "SELECT qty FROM trades WHERE sym IN ('AAPL', 'TSLA') AND qty > 5000",
    )
    .await;
    assert_eq!(trades.stats().shard_scans(), 2);
    trades.stats().reset();
    let none = run(&ctx, "SELECT qty FROM trades WHERE sym = 'ORCL'").await;
    assert!(rows(&none).is_empty());
    assert_eq!(trades.stats().shard_scans(), 0);
    // A grouped query prunes the same way.
    trades.stats().reset();
    run(
        &ctx,
        "SELECT sym, sum(qty) FROM trades WHERE sym = 'MSFT' GROUP BY sym",
    )
    .await;
    assert_eq!(trades.stats().shard_scans(), 1);
    assert!(trades.stats().rows_received() <= 1);
}

/// The error chain of a DataFusion error, as text.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(" <- ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_that_is_down_is_an_error_naming_it_never_a_partial_result() {
    let cluster = Cluster::start();
    // Down when the table is opened.
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut shards = cluster.three();
    shards.push(Shard::new(
        "dead",
        Client::builder("127.0.0.1", dead_port).connect_timeout(std::time::Duration::from_secs(2)),
    ));
    let error = RayforceTable::open("trades", shards).await.unwrap_err();
    assert!(
        matches!(&error, rayforce_datafusion::Error::Shard { shard, .. } if shard == "dead"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains(&format!("127.0.0.1:{dead_port}")),
        "{error}"
    );

    // Down after the table was opened: the query fails and names the shard.
    let Cluster {
        single: _single,
        mut shards,
    } = cluster;
    let names = ["s1", "s2", "s3"];
    let table_shards: Vec<Shard> = shards
        .iter()
        .zip(names)
        .map(|(server, name)| shard(name, server))
        .collect();
    let (ctx, _) = context(table_shards).await;
    drop(shards.remove(1));
    for sql in [
        "SELECT sym, qty FROM trades",
        "SELECT sym, sum(qty) FROM trades GROUP BY sym",
    ] {
        let error = ctx.sql(sql).await.unwrap().collect().await.unwrap_err();
        let text = chain(&error);
        assert!(text.contains("shard s2"), "{sql}: {text}");
    }
}

/// Rows with nulls in every column kind the tests filter, aggregate and sort on.
fn rows_with_nulls() -> RecordBatch {
    use datafusion::arrow::array::{Float64Array, Int64Array};
    let g = StringArray::from(vec![
        Some("a"),
        Some("a"),
        Some("b"),
        Some("b"),
        Some("c"),
        Some("c"),
        Some("a"),
        None,
        Some("d"),
    ]);
    let x = Int64Array::from(vec![
        Some(1),
        None,
        Some(7),
        None,
        None,
        None,
        Some(3),
        Some(5),
        Some(-4),
    ]);
    let f = Float64Array::from(vec![
        Some(1.5),
        Some(-2.0),
        None,
        Some(4.0),
        None,
        None,
        None,
        Some(0.5),
        Some(9.0),
    ]);
    RecordBatch::try_from_iter([
        ("g", Arc::new(g) as _),
        ("x", Arc::new(x) as _),
        ("f", Arc::new(f) as _),
    ])
    .unwrap()
}

/// The reference is DataFusion itself over the same rows in memory; the Rayforce side holds
/// them split over two servers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_null_semantics_hold_on_the_server() {
    let batch = rows_with_nulls();
    let servers = [start_server(), start_server()];
    load(&mut servers[0].client().unwrap(), "n", &batch.slice(0, 5));
    load(&mut servers[1].client().unwrap(), "n", &batch.slice(5, 4));
    let shards = vec![shard("n1", &servers[0]), shard("n2", &servers[1])];
    let table = RayforceTable::open("n", shards).await.unwrap();
    let remote = session_context();
    remote.register_table("n", Arc::new(table.clone())).unwrap();
    let local = SessionContext::new();
    local
        .register_table(
            "n",
            Arc::new(MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap()),
        )
        .unwrap();
    let unordered = [
        "SELECT g, x FROM n WHERE x < 5",
        "SELECT g, x FROM n WHERE NOT (x > 5)",
        "SELECT g, x FROM n WHERE x != 3",
        "SELECT g, x FROM n WHERE x IS NULL",
        "SELECT g, x FROM n WHERE x IS NOT NULL AND f IS NULL",
        "SELECT g, x FROM n WHERE x NOT IN (1, 2)",
        "SELECT g, x FROM n WHERE NOT (x BETWEEN 2 AND 8)",
        "SELECT g, f FROM n WHERE f < 0 OR x > 2",
        "SELECT g, f FROM n WHERE NOT (f >= 0 AND x < 9)",
        "SELECT g, x FROM n WHERE g < 'b'",
        "SELECT g, x FROM n WHERE g NOT LIKE 'a%'",
        "SELECT g, x FROM n WHERE NOT (g LIKE '_')",
        "SELECT g, sum(x), count(x), avg(x), min(f), max(f), count(*), sum(f) FROM n GROUP BY g",
        "SELECT sum(x), count(x), avg(f), min(x), max(x), count(*) FROM n",
        "SELECT sum(x), count(x), count(*) FROM n WHERE x > 100",
    ];
    for sql in unordered {
        let got = sorted(rows(&run(&remote, sql).await));
        let expected = sorted(rows(&run(&local, sql).await));
        assert_eq!(got, expected, "{sql}");
    }
    // Top k: each key's nulls where SQL puts them (the default and both explicit places),
    // text keys, several keys. Only key columns are selected, so ties print the same.
    let ordered = [
        "SELECT x FROM n ORDER BY x DESC LIMIT 3",
        "SELECT x FROM n ORDER BY x LIMIT 3",
        "SELECT x FROM n ORDER BY x ASC NULLS FIRST LIMIT 3",
        "SELECT x FROM n ORDER BY x DESC NULLS LAST LIMIT 3",
        "SELECT g, x FROM n ORDER BY g, x DESC LIMIT 4",
        "SELECT g, f FROM n ORDER BY g DESC, f LIMIT 5",
        "SELECT g, f FROM n WHERE x > 0 ORDER BY f DESC NULLS LAST, g LIMIT 2",
        "SELECT x FROM n ORDER BY x LIMIT 100",
    ];
    for sql in ordered {
        table.stats().reset();
        let got = rows(&run(&remote, sql).await);
        let expected = rows(&run(&local, sql).await);
        assert_eq!(got, expected, "{sql}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_shows_the_rayforce_query_each_shard_runs() {
    let cluster = Cluster::start();
    let (ctx, _) = context(cluster.three()).await;
    let df = ctx
        .sql("EXPLAIN SELECT sym, sum(qty) FROM trades WHERE px > 100 GROUP BY sym")
        .await
        .unwrap();
    let plan = rows(&df.collect().await.unwrap()).join("\n");
    assert!(plan.contains("RayforceScanExec: shards=3/3"), "{plan}");
    assert!(plan.contains("by: {sym: sym}"), "{plan}");
    assert!(plan.contains("(sum qty)"), "{plan}");
    assert!(plan.contains("(> px 100"), "{plan}");
}
