//! polars against the real server: a table with every Rayforce type and nulls is read as a
//! `DataFrame` (`fetch_polars`), written back into an empty table of the same schema
//! (`insert_dataframe`), and the server then holds exactly the original rows; upserts and
//! the async client take the same path.
#![cfg(all(feature = "polars", feature = "tokio"))]

mod common;

use polars::prelude::DataType;

use common::every_type::{every_type, CREATE};

#[test]
fn every_type_with_nulls_round_trips_through_polars_and_the_server() {
    let (_server, mut client) = common::connected();
    client.execute(CREATE).unwrap();
    client.insert_batch("every", &every_type()).unwrap();
    client.execute("(set copy (take every 0))").unwrap();
    let df = client.fetch_polars("every").unwrap();
    assert_eq!(df.shape(), (3, 13));
    let dtypes: Vec<String> = df.dtypes().iter().map(|d| d.to_string()).collect();
    assert_eq!(
        dtypes,
        [
            "bool",
            "u8",
            "i16",
            "i32",
            "i64",
            "f32",
            "f64",
            "date",
            "time",
            "datetime[ns]",
            "binary",
            "str",
            "str"
        ]
    );
    assert_eq!(df.column("l").unwrap().dtype(), &DataType::Int64);
    for (name, nulls) in [
        ("h", 1),
        ("i", 1),
        ("l", 1),
        ("e", 1),
        ("f", 1),
        ("d", 1),
        ("t", 1),
        ("p", 1),
        ("s", 1),
        ("b", 0),
        ("u", 0),
    ] {
        assert_eq!(
            df.column(name).unwrap().null_count(),
            nulls,
            "column `{name}`"
        );
    }

    client.insert_dataframe("copy", &df).unwrap();
    // Equal cell for cell (compared as text: a null float is NaN, and NaN != NaN).
    assert_eq!(
        format!("{:?}", client.execute("copy").unwrap()),
        format!("{:?}", client.execute("every").unwrap())
    );
    assert_eq!(
        client.execute("(at (at copy 'p) 0)").unwrap(),
        client.execute("2023.11.14D22:13:20.123456789").unwrap()
    );
    assert!(client.execute("(at (at copy 'l) 1)").unwrap().is_null());
}

#[test]
fn upserts_and_the_async_client_take_the_same_path() {
    let (server, mut client) = common::connected();
    client
        .execute("(set px (table [sym price] (list ['a 'b] [1.0 2.0])))")
        .unwrap();
    let update = client
        .fetch_polars("(select {sym: sym price: (* price 10.0) from: px})")
        .unwrap();
    client.upsert_dataframe("px", 1, &update).unwrap();
    let prices: Vec<f64> = client.fetch_column("(at px 'price)").unwrap();
    assert_eq!(prices, [10.0, 20.0]);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let a = rayforce_client::Client::builder("127.0.0.1", server.port())
            .connect_async()
            .await
            .unwrap();
        let df = a.fetch_polars("px").await.unwrap();
        assert_eq!(df.shape(), (2, 2));
        a.insert_dataframe("px", &df).await.unwrap();
        let n: i64 = a.fetch_value("(count px)").await.unwrap();
        assert_eq!(n, 4);
    });
    // A DataFrame column that does not fit the table is refused and nothing is written.
    let bad = client
        .fetch_polars("(select {sym: sym price: sym from: px})")
        .unwrap();
    assert!(client.insert_dataframe("px", &bad).is_err());
    assert_eq!(client.fetch_value::<i64, _>("(count px)").unwrap(), 4);
}
