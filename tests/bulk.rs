//! Bulk paths against the real server: the `Inserter` (flush by rows and by age, requests
//! split under a byte limit, pipelined) and `Pages` (a table and a query's result walked in
//! slices that add up to the whole, the query's temporary removed afterwards).

mod common;

use rayforce_client::client::inserter::{insert_requests, serde_rows, table_rows};
use rayforce_client::typed::{FromTable, RayTable};
use rayforce_client::Value;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(RayTable, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[rayforce(table = "ticks")]
struct Tick {
    id: i64,
    sym: String,
    price: f64,
}

fn tick(id: i64) -> Tick {
    Tick {
        id,
        sym: format!("s{}", id % 7),
        price: id as f64 / 4.0,
    }
}

const CREATE: &str = "(set ticks (table [id sym price] (list [] (as 'SYMBOL []) (as 'F64 []))))";

#[test]
fn the_inserter_flushes_by_rows_and_splits_large_flushes() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    let schema = client.table_schema("ticks").unwrap();
    // 10,000 rows under a 64 KiB request limit: several requests, each below it.
    let rows: Vec<Tick> = (0..10_000).map(tick).collect();
    let pipeline = insert_requests("ticks", &rows, &schema, 64 << 10, serde_rows).unwrap();
    assert!(pipeline.len() >= 4, "{} requests", pipeline.len());
    let derived = insert_requests("ticks", &rows, &schema, 64 << 10, table_rows).unwrap();
    assert_eq!(
        derived, pipeline,
        "serde and the derive encode the same requests"
    );

    let mut inserter = client
        .inserter::<Tick>("ticks")
        .unwrap()
        .with_max_rows(3_000)
        .with_max_request_bytes(64 << 10);
    for row in rows.iter().cloned() {
        inserter.write(row).unwrap();
    }
    assert_eq!(
        inserter.pending(),
        1_000,
        "three flushes of 3,000 rows happened"
    );
    let sent = inserter.end().unwrap();
    assert_eq!(sent.rows, 10_000);
    assert!(sent.requests >= 4, "{sent:?}");
    let back = client.fetch_all::<Tick, _>("ticks").unwrap();
    assert_eq!(back, rows, "every row once, in order");
}

#[test]
fn the_table_inserter_writes_derived_rows() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    let rows: Vec<Tick> = (0..5_000).map(tick).collect();
    let mut inserter = client
        .table_inserter::<Tick>()
        .unwrap()
        .with_max_rows(2_000);
    for row in rows.iter().cloned() {
        inserter.write(row).unwrap();
    }
    assert_eq!(
        inserter.end().unwrap(),
        rayforce_client::client::Quantities {
            rows: 5_000,
            requests: 3
        }
    );
    assert_eq!(client.fetch_all::<Tick, _>("ticks").unwrap(), rows);
}

#[test]
fn the_inserter_flushes_by_age() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    let mut inserter = client
        .inserter::<Tick>("ticks")
        .unwrap()
        .with_period(Some(Duration::from_millis(100)));
    inserter.write(tick(1)).unwrap();
    assert_eq!(inserter.pending(), 1);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(inserter.commit().unwrap().rows, 1, "the old row went out");
    assert_eq!(inserter.pending(), 0);
    drop(inserter);
    assert_eq!(client.execute("(count ticks)").unwrap(), Value::I64(1));
}

#[test]
fn pages_walk_a_table_and_a_query_result() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    let rows: Vec<Tick> = (0..2_500).map(tick).collect();
    client.insert_rows("ticks", &rows).unwrap();

    let pages = client.pages("ticks", 1_000).unwrap();
    assert_eq!(pages.total_rows(), 2_500);
    let sizes: Vec<usize> = pages.map(|p| p.unwrap().num_rows()).collect();
    assert_eq!(sizes, [1_000, 1_000, 500]);

    let mut walked = Vec::new();
    for page in client.pages("ticks", 999).unwrap() {
        walked.extend(Tick::from_table(&page.unwrap()).unwrap());
    }
    assert_eq!(walked, rows, "the pages add up to the table, in order");

    // A query's result: evaluated once, walked, then its temporary is released.
    let query = rayforce_client::query::TableRef::named("ticks")
        .select(["id", "sym", "price"])
        .filter(rayforce_client::query::col("price").gt(500.0));
    let mut selected = Vec::new();
    for page in client.query_pages(&query, 128).unwrap() {
        selected.extend(Tick::from_table(&page.unwrap()).unwrap());
    }
    let expected: Vec<Tick> = rows.iter().filter(|t| t.price > 500.0).cloned().collect();
    assert_eq!(selected, expected);
    let text = client
        .query_pages("(select {from: ticks where: (< id 10)})", 3)
        .unwrap();
    assert_eq!(text.total_rows(), 10);
    drop(text);
    let leftovers = client
        .execute("((fn [e] (filter (key e) (== (map type (value e)) 'TABLE))) (env 0))")
        .unwrap();
    assert_eq!(
        leftovers,
        Value::symbols(["ticks"]),
        "no page temporaries left"
    );
}

/// The async client's inserter and pages: the same rules and requests as the sync ones.
#[cfg(feature = "tokio")]
#[test]
fn the_async_inserter_and_pages_match_the_sync_ones() {
    let server = common::server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = rayforce_client::Client::builder("127.0.0.1", server.port())
            .connect_async()
            .await
            .unwrap();
        client.execute(CREATE).await.unwrap();
        let rows: Vec<Tick> = (0..2_500).map(tick).collect();
        let mut inserter = client
            .table_inserter::<Tick>()
            .await
            .unwrap()
            .with_max_rows(1_000);
        for row in rows.iter().cloned() {
            inserter.write(row).await.unwrap();
        }
        assert_eq!(inserter.pending(), 500);
        let sent = inserter.end().await.unwrap();
        assert_eq!((sent.rows, sent.requests), (2_500, 3));

        let mut pages = client.pages("ticks", 1_000).await.unwrap();
        assert_eq!(pages.total_rows(), 2_500);
        let mut walked = Vec::new();
        while let Some(page) = pages.next_page().await {
            walked.extend(Tick::from_table(&page.unwrap()).unwrap());
        }
        assert_eq!(walked, rows);

        let query = "(select {from: ticks where: (< id 10)})";
        let mut pages = client.query_pages(query, 4).await.unwrap();
        let mut sizes = Vec::new();
        while let Some(page) = pages.next_page().await {
            sizes.push(page.unwrap().num_rows());
        }
        assert_eq!(sizes, [4, 4, 2]);
        let tables = client.tables().await.unwrap();
        assert_eq!(tables, ["ticks"], "the query's temporary was released");
    });
}
