//! Typed rows and `#[derive(RayTable)]` against the real server: struct round trips with
//! every supported field type, nulls, unicode, empty tables, mismatch errors, typed select,
//! update, insert, upsert and a join into a projection struct.

mod common;

use rayforce_client::query::{col, TableRef};
use rayforce_client::typed::{self, RayTable};
use rayforce_client::{Date, Error, Guid, Time, Timestamp, Value};
use serde::{Deserialize, Serialize};

/// The rows of `query` decoded through serde (`typed::rows`), for row types that also
/// derive `RayTable` (whose `fetch_all` takes the column-wise path).
fn via_serde<T: serde::de::DeserializeOwned>(
    c: &mut rayforce_client::Client,
    query: &dyn rayforce_client::Request,
) -> rayforce_client::Result<Vec<T>> {
    typed::rows(c.execute(query)?.as_table().expect("a table"))
}

#[derive(RayTable, Serialize, Deserialize, Debug, Clone, PartialEq)]
#[rayforce(table = "everything")]
struct Everything {
    id: i64,
    flag: bool,
    small: i16,
    medium: i32,
    byte: u8,
    ratio: f32,
    price: f64,
    sym: String,
    #[rayforce(string)]
    note: String,
    day: Date,
    at: Time,
    ts: Timestamp,
    guid: Guid,
    maybe_px: Option<f64>,
    maybe_n: Option<i64>,
    maybe_day: Option<Date>,
    maybe_sym: Option<String>,
}

fn everything(i: i64) -> Everything {
    Everything {
        id: i,
        flag: i % 2 == 0,
        small: -(i as i16),
        medium: 1000 * i as i32,
        byte: i as u8,
        ratio: 0.5 * i as f32,
        price: 1.25 * i as f64,
        sym: format!("s {i} ✓"),
        note: format!("note \"{i}\"\n(exit 0)"),
        day: Date::from_ymd(2024, 1, 1 + i as u32).unwrap(),
        at: Time::from_hms_milli(9, 30, 0, i as u32).unwrap(),
        ts: Timestamp(757_468_800_000_000_000 + i),
        guid: Guid([i as u8; 16]),
        maybe_px: (i % 2 == 0).then_some(i as f64),
        maybe_n: (i % 3 == 0).then_some(i),
        maybe_day: None,
        maybe_sym: (i == 1).then(|| "日本".to_string()),
    }
}

const CREATE: &str = "(set everything (table [id flag small medium byte ratio price sym note day at ts guid maybe_px maybe_n maybe_day maybe_sym] \
    (list [] (as 'B8 []) (as 'I16 []) (as 'I32 []) (as 'U8 []) (as 'F32 []) (as 'F64 []) (as 'SYMBOL []) (as 'STR []) \
    (as 'DATE []) (as 'TIME []) (as 'TIMESTAMP []) (as 'GUID []) (as 'F64 []) [] (as 'DATE []) (as 'SYMBOL []))))";

#[test]
fn structs_round_trip_with_every_field_type() {
    let (_server, mut c) = common::connected();
    c.execute(CREATE).unwrap();
    c.verify::<Everything>().unwrap();
    // Empty table → empty Vec.
    let none: Vec<Everything> = c.fetch_all(&Everything::table().select_all()).unwrap();
    assert!(none.is_empty());
    // Empty slice inserts nothing (and sends nothing).
    c.insert_rows::<Everything>("everything", &[]).unwrap();

    let rows: Vec<Everything> = (1..=4).map(everything).collect();
    c.insert_rows("everything", &rows).unwrap();
    let back: Vec<Everything> = via_serde(&mut c, &Everything::table().select_all()).unwrap();
    assert_eq!(back, rows);
    // The derive's column-wise decode gives the same rows.
    let columnar: Vec<Everything> = c.fetch_all(&Everything::table().select_all()).unwrap();
    assert_eq!(columnar, rows);

    // The derive's own insert (typed by the declared columns) gives the same table.
    c.execute(CREATE).unwrap();
    c.execute(&Everything::table().insert(&rows).unwrap())
        .unwrap();
    let back: Vec<Everything> = c.fetch_all(&Everything::table().select_all()).unwrap();
    assert_eq!(back, rows);
}

#[derive(rayforce_client::typed::FromTable, Deserialize, Debug, PartialEq)]
struct Projection {
    id: i64,
    sym: String,
    maybe_px: Option<f64>,
}

#[test]
fn typed_select_update_and_upsert() {
    let (_server, mut c) = common::connected();
    c.execute(CREATE).unwrap();
    c.execute(
        &Everything::table()
            .insert(&(1..=6).map(everything).collect::<Vec<_>>())
            .unwrap(),
    )
    .unwrap();

    let q = Everything::table()
        .select([
            Everything::id().into(),
            Everything::sym().into(),
            Everything::maybe_px().into(),
        ])
        .filter(Everything::price().gt(2.0) & Everything::flag().eq(true))
        .order_by([Everything::id().desc()])
        .limit(2);
    let rows: Vec<Projection> = c.fetch_all(&q).unwrap();
    assert_eq!(
        rows,
        [
            Projection {
                id: 6,
                sym: "s 6 ✓".into(),
                maybe_px: Some(6.0)
            },
            Projection {
                id: 4,
                sym: "s 4 ✓".into(),
                maybe_px: Some(4.0)
            },
        ]
    );

    c.execute(
        &Everything::table()
            .update()
            .set(Everything::sym(), "renamed")
            .set(Everything::note(), "new note")
            .set(Everything::price(), 9.5)
            .filter(Everything::id().eq(2)),
    )
    .unwrap();
    let two: Everything = c
        .fetch_value(&Everything::table().filter(Everything::id().eq(2)))
        .unwrap();
    assert_eq!(
        (two.sym.as_str(), two.note.as_str(), two.price),
        ("renamed", "new note", 9.5)
    );

    // (The server's upsert rejects F32, U8 and GUID columns, so upserts are tested on `emp`.)
    c.execute(
        "(set emp (table [id name dept salary] (list [1 2] ['ann 'bob] ['eng 'ops] [10.0 20.0])))",
    )
    .unwrap();
    let changed = Emp {
        id: 2,
        full_name: "bobby".into(),
        dept: "ops".into(),
        salary: 25.0,
    };
    let added = Emp {
        id: 3,
        full_name: "cy".into(),
        dept: "eng".into(),
        salary: 5.0,
    };
    c.execute(&Emp::table().upsert(1, &[changed, added]).unwrap())
        .unwrap();
    let all: Vec<Emp> = c.fetch_all(&Emp::table().select_all()).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!((all[1].full_name.as_str(), all[1].salary), ("bobby", 25.0));
    c.upsert_rows(
        "emp",
        1,
        &[Emp {
            id: 1,
            full_name: "ann2".into(),
            dept: "x".into(),
            salary: 1.0,
        }],
    )
    .unwrap_err(); // field names are Rust names; `full_name` is not a column of emp
    c.execute(
        &Emp::table()
            .upsert(
                1,
                &[Emp {
                    id: 1,
                    full_name: "ann2".into(),
                    dept: "x".into(),
                    salary: 1.0,
                }],
            )
            .unwrap(),
    )
    .unwrap();
    let all: Vec<Emp> = c.fetch_all(&Emp::table().select_all()).unwrap();
    assert_eq!(all[0].full_name, "ann2");

    // Scalars and single rows through execute_as.
    let n: i64 = c.fetch_value("(count everything)").unwrap();
    assert_eq!(n, 6);
    let total: f64 = c
        .fetch_value(&TableRef::named("everything").select([col("price").sum().alias("t")]))
        .unwrap();
    assert_eq!(total, 1.25 * (1.0 + 3.0 + 4.0 + 5.0 + 6.0) + 9.5);
    let ids: Vec<i64> = c.fetch_value("(at everything 'id)").unwrap();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
}

#[derive(RayTable, Serialize, Deserialize, Debug, PartialEq)]
#[rayforce(table = "emp")]
struct Emp {
    id: i64,
    #[rayforce(rename = "name")]
    full_name: String,
    dept: String,
    salary: f64,
}

#[derive(RayTable, Deserialize, Debug)]
#[rayforce(table = "dept")]
#[allow(dead_code)]
struct Dept {
    dept: String,
    floor: i64,
}

#[derive(rayforce_client::typed::FromTable, Deserialize, Debug, PartialEq)]
struct EmpFloor {
    name: String,
    floor: i64,
}

#[test]
fn renamed_columns_joins_and_mismatch_reports() {
    let (_server, mut c) = common::connected();
    c.execute(
        "(set emp (table [id name dept salary] (list [1 2] ['ann 'bob] ['eng 'ops] [10.0 20.0])))",
    )
    .unwrap();
    c.execute("(set dept (table [dept floor] (list ['eng 'ops] [3 4])))")
        .unwrap();
    c.verify::<Emp>().unwrap();
    c.verify::<Dept>().unwrap();
    let emps: Vec<Emp> = c.fetch_all(&Emp::table().select_all()).unwrap();
    assert_eq!(emps[1].full_name, "bob");
    c.execute(
        &Emp::table()
            .insert(&[Emp {
                id: 3,
                full_name: "cy".into(),
                dept: "eng".into(),
                salary: 5.0,
            }])
            .unwrap(),
    )
    .unwrap();
    // A join into a projection struct.
    let q = Emp::table()
        .untyped()
        .inner_join(Dept::table().untyped(), [Emp::dept().name()])
        .select(["name", "floor"]);
    let joined: Vec<EmpFloor> = c.fetch_all(&q).unwrap();
    assert_eq!(joined.len(), 3);
    assert!(joined.contains(&EmpFloor {
        name: "cy".into(),
        floor: 3
    }));

    // Every mismatch in one error: wrong types and a missing column.
    #[derive(rayforce_client::typed::FromTable, Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        id: String,
        salary: i64,
        bonus: f64,
        name: String,
    }
    let err = c
        .fetch_all::<Wrong, _>(&TableRef::named("emp"))
        .unwrap_err();
    match &err {
        Error::Schema { mismatches } => {
            let cols: Vec<&str> = mismatches.iter().map(|m| m.column.as_str()).collect();
            assert_eq!(cols, ["id", "salary", "bonus"], "{err}");
            assert!(
                err.to_string()
                    .contains("column `salary`: expected an integer column"),
                "{err}"
            );
            assert!(err.to_string().contains("found F64"), "{err}");
            assert!(
                err.to_string()
                    .contains("column `bonus`: expected a float column (F32/F64), found missing"),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The derive's column-wise decode reports the same way.
    let err = c
        .fetch_all::<Emp, _>(&"(table [id name] (list [1.5] ['a]))")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("column `id`: expected I64, found F64"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("column `dept`: expected SYMBOL, found missing"),
        "{err}"
    );

    // verify reports differences with the server's table.
    c.execute("(set dept (table [dept floor] (list ['eng] [1.5])))")
        .unwrap();
    let err = c.verify::<Dept>().unwrap_err();
    assert!(
        err.to_string()
            .contains("column `floor`: expected I64, found F64"),
        "{err}"
    );
    // A null in a non-Option field is a clear error.
    c.execute("(set dept (table [dept floor] (list ['eng] [0Nl])))")
        .unwrap();
    let err = via_serde::<Dept>(&mut c, &Dept::table().select_all()).unwrap_err();
    assert!(err.to_string().contains("null; use Option"), "{err}");
    let err = c
        .fetch_all::<Dept, _>(&Dept::table().select_all())
        .unwrap_err();
    assert!(err.to_string().contains("null; use Option"), "{err}");
    // Typed inserts refuse values that do not fit the server's column types.
    #[derive(Serialize)]
    struct BadRow {
        dept: String,
        floor: String,
    }
    let err = c
        .insert_rows(
            "dept",
            &[BadRow {
                dept: "x".into(),
                floor: "high".into(),
            }],
        )
        .unwrap_err();
    assert!(matches!(err, Error::Schema { .. }), "{err:?}");
}

#[test]
fn pure_conversions_without_a_server() {
    let t = rayforce_client::table! {
        "a" => vec![1i64, 2],
        "s" => Value::symbols(["x", ""]),
        "l" => Value::List(vec![Value::from(vec![1i64, 2]), Value::from(vec![3i64])]),
    };
    #[derive(rayforce_client::typed::FromTable, Deserialize, Debug, PartialEq)]
    struct Row {
        a: i32,
        s: Option<String>,
        l: Vec<i64>,
    }
    let rows: Vec<Row> = typed::rows(&t).unwrap();
    assert_eq!(
        rows[0],
        Row {
            a: 1,
            s: Some("x".into()),
            l: vec![1, 2]
        }
    );
    assert_eq!(
        rows[1],
        Row {
            a: 2,
            s: None,
            l: vec![3]
        }
    );
    // Tuples by position, maps by name.
    let tuples: Vec<(i64, String)> =
        typed::rows(&rayforce_client::table! { "a" => vec![7i64], "b" => Value::symbols(["q"]) })
            .unwrap();
    assert_eq!(tuples, [(7, "q".to_string())]);
    // An i64 that does not fit an i16 field is an error, not a wrap-around.
    #[derive(rayforce_client::typed::FromTable, Deserialize, Debug)]
    #[allow(dead_code)]
    struct Small {
        a: i16,
    }
    let big = rayforce_client::table! { "a" => vec![100_000i64] };
    assert!(typed::rows::<Small>(&big).is_err());
}

#[cfg(feature = "chrono")]
#[test]
fn chrono_fields_round_trip() {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    #[derive(RayTable, Serialize, Deserialize, Debug, PartialEq)]
    #[rayforce(table = "chrono_t")]
    struct Row {
        day: NaiveDate,
        at: NaiveTime,
        ts: NaiveDateTime,
        maybe: Option<NaiveDate>,
    }
    let (_server, mut c) = common::connected();
    c.execute("(set chrono_t (table [day at ts maybe] (list (as 'DATE []) (as 'TIME []) (as 'TIMESTAMP []) (as 'DATE []))))")
        .unwrap();
    c.verify::<Row>().unwrap();
    let day = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
    let rows = vec![
        Row {
            day,
            at: NaiveTime::from_hms_milli_opt(9, 30, 0, 500).unwrap(),
            ts: day.and_hms_nano_opt(23, 59, 59, 123_456_789).unwrap(),
            maybe: None,
        },
        Row {
            day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            at: NaiveTime::from_hms_opt(0, 0, 0).unwrap(),
            ts: NaiveDate::from_ymd_opt(2030, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            maybe: Some(day),
        },
    ];
    c.insert_rows("chrono_t", &rows).unwrap();
    let back: Vec<Row> = c.fetch_all(&Row::table().select_all()).unwrap();
    assert_eq!(back, rows);
    let days = c.execute("(at chrono_t 'day)").unwrap();
    assert_eq!(days.as_vector().unwrap().as_date().unwrap()[0], Date(-1));
}

#[test]
fn system_time_fields_and_list_cells() {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    #[derive(RayTable, Serialize, Deserialize, Debug, PartialEq)]
    #[rayforce(table = "stamps")]
    struct Stamp {
        id: i64,
        at: SystemTime,
    }
    let (_server, mut c) = common::connected();
    c.execute("(set stamps (table [id at] (list [] (as 'TIMESTAMP []))))")
        .unwrap();
    let rows = vec![
        Stamp {
            id: 1,
            at: UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789),
        },
        Stamp {
            id: 2,
            at: UNIX_EPOCH + Duration::from_secs(946_684_800),
        },
    ];
    c.execute(&Stamp::table().insert(&rows).unwrap()).unwrap();
    c.insert_rows("stamps", &rows).unwrap();
    let back: Vec<Stamp> = c.fetch_all(&Stamp::table().select_all()).unwrap();
    assert_eq!(back.len(), 4);
    assert_eq!(back[..2], rows[..]);
    let serde_rows: Vec<Stamp> = via_serde(&mut c, &Stamp::table().select_all()).unwrap();
    assert_eq!(serde_rows[2..], rows[..]);
    let at = c.execute("(at stamps 'at)").unwrap();
    assert_eq!(at.item(1), Some(Value::Timestamp(Timestamp(0))));

    // A grouped select gives list cells: Vec<i64> fields read them.
    c.execute("(set emp (table [id dept] (list [1 2 3] ['a 'b 'a])))")
        .unwrap();
    #[derive(RayTable, Deserialize, Debug, PartialEq)]
    #[rayforce(table = "groups")]
    struct Group {
        dept: String,
        ids: Vec<i64>,
    }
    let q = "(select {ids: id by: dept from: emp})";
    let expected = vec![
        Group {
            dept: "a".into(),
            ids: vec![1, 3],
        },
        Group {
            dept: "b".into(),
            ids: vec![2],
        },
    ];
    assert_eq!(via_serde::<Group>(&mut c, &q).unwrap(), expected);
    assert_eq!(c.fetch_all::<Group, _>(&q).unwrap(), expected);
}

/// `Some(v)` where `v` is the column's null sentinel would read back as `None`: both insert
/// paths (serde and the derive) refuse it with an error that names the field, and nothing
/// reaches the server.
#[test]
fn some_of_a_null_sentinel_is_refused_naming_the_field() {
    let (_server, mut c) = common::connected();
    c.execute(CREATE).unwrap();
    type Poison = Box<dyn Fn(&mut Everything)>;
    let sentinels: Vec<(&str, Poison)> = vec![
        ("maybe_n", Box::new(|r| r.maybe_n = Some(i64::MIN))),
        ("maybe_px", Box::new(|r| r.maybe_px = Some(f64::NAN))),
        ("maybe_day", Box::new(|r| r.maybe_day = Some(Date::NULL))),
        ("maybe_sym", Box::new(|r| r.maybe_sym = Some(String::new()))),
    ];
    for (field, poison) in sentinels {
        let mut rows: Vec<Everything> = (1..=3).map(everything).collect();
        poison(&mut rows[1]);
        let by_serde = c.insert_rows("everything", &rows).unwrap_err();
        let by_derive = Everything::table().insert(&rows).unwrap_err();
        for err in [by_serde, by_derive] {
            let text = err.to_string();
            assert!(text.contains(field), "{field}: {text}");
            assert!(text.contains("null sentinel"), "{field}: {text}");
        }
    }
    let count = c.execute("(count everything)").unwrap();
    assert_eq!(count, Value::I64(0), "nothing was inserted");
    // None and ordinary values still go through.
    let rows: Vec<Everything> = (1..=3).map(everything).collect();
    c.insert_rows("everything", &rows).unwrap();
    assert_eq!(c.execute("(count everything)").unwrap(), Value::I64(3));
}

/// A user's own type named `Date` is an ordinary newtype to the typed-row codec: the SDK's
/// temporal types are recognized by private serde markers, not by their names.
#[test]
fn a_user_type_named_date_is_not_taken_for_a_rayforce_date() {
    mod mine {
        #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq, Clone)]
        pub struct Date(pub String);
    }
    #[derive(
        rayforce_client::typed::FromTable,
        serde::Deserialize,
        serde::Serialize,
        Debug,
        PartialEq,
        Clone,
    )]
    struct Row {
        label: mine::Date,
        when: rayforce_client::Date,
    }
    let (_server, mut client) = common::connected();
    client
        .execute("(set days (table [label when] (list (as 'SYMBOL []) (as 'DATE []))))")
        .unwrap();
    let rows = vec![Row {
        label: mine::Date("pay day".into()),
        when: rayforce_client::Date::from_ymd(2024, 5, 31).unwrap(),
    }];
    client.insert_rows("days", &rows).unwrap();
    let back: Vec<Row> = client.fetch_all(&"days").unwrap();
    assert_eq!(back, rows);
}

/// serde's own field matching decides which column feeds which field: aliases and
/// `rename_all` work (fields are matched by name, not by position in serde's field list).
#[test]
fn serde_aliases_and_renames_match_columns_by_name() {
    #[derive(rayforce_client::typed::FromTable, serde::Deserialize, Debug, PartialEq)]
    struct Aliased {
        #[serde(alias = "px_old")]
        px: f64,
        qty: i64,
    }
    #[derive(rayforce_client::typed::FromTable, serde::Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "UPPERCASE")]
    struct Shouting {
        sym: String,
        qty: i64,
    }
    let (_server, mut client) = common::connected();
    let aliased: Vec<Aliased> = client
        .fetch_all(&"(table [px_old qty] (list [1.5 2.5] [1 2]))")
        .unwrap();
    assert_eq!(
        aliased,
        [Aliased { px: 1.5, qty: 1 }, Aliased { px: 2.5, qty: 2 }]
    );
    let direct: Vec<Aliased> = client
        .fetch_all(&"(table [qty px] (list [3] [4.5]))")
        .unwrap();
    assert_eq!(direct, [Aliased { px: 4.5, qty: 3 }]);
    let shouting: Vec<Shouting> = client
        .fetch_all(&"(table [SYM QTY] (list ['a] [7]))")
        .unwrap();
    assert_eq!(
        shouting,
        [Shouting {
            sym: "a".into(),
            qty: 7
        }]
    );
}

/// Types that validate their values decode valid data: the schema check reads real rows
/// (or, for an empty result, accepts the columns without running the type on invented
/// values).
#[test]
fn validating_types_decode_valid_data() {
    #[derive(rayforce_client::typed::FromTable, serde::Deserialize, Debug, PartialEq)]
    struct Order {
        id: std::num::NonZeroI64,
        qty: Option<std::num::NonZeroU32>,
    }
    let (_server, mut client) = common::connected();
    let orders: Vec<Order> = client
        .fetch_all(&"(table [id qty] (list [7 8] [3 0Nl]))")
        .unwrap();
    assert_eq!(orders[0].id.get(), 7);
    assert_eq!(orders[1].qty, None);
    let none: Vec<Order> = client
        .fetch_all(&"(table [id qty] (list (as 'I64 []) (as 'I64 [])))")
        .unwrap();
    assert!(none.is_empty());
    // A zero is still refused: by the type, on real data.
    assert!(client
        .fetch_all::<Order, _>(&"(table [id qty] (list [0] [1]))")
        .is_err());
}

/// `#[serde(flatten)]` works: a flattened struct takes its fields from the same row.
#[test]
fn flattened_fields_come_from_the_same_row() {
    #[derive(rayforce_client::typed::FromTable, serde::Deserialize, Debug, PartialEq)]
    struct Price {
        bid: f64,
        ask: f64,
    }
    #[derive(rayforce_client::typed::FromTable, serde::Deserialize, Debug, PartialEq)]
    struct Quote {
        sym: String,
        #[serde(flatten)]
        price: Price,
    }
    let (_server, mut client) = common::connected();
    let quotes: Vec<Quote> = client
        .fetch_all(&"(table [sym bid ask] (list ['a 'b] [1.0 2.0] [1.5 2.5]))")
        .unwrap();
    assert_eq!(
        quotes[1],
        Quote {
            sym: "b".into(),
            price: Price { bid: 2.0, ask: 2.5 }
        }
    );
}

/// Typed joins send what the untyped joins send when the key names agree, and give the same
/// rows when the right table names a key differently (renamed on its side).
#[test]
fn typed_joins_match_untyped_joins_on_the_server() {
    use rayforce_client::typed::{on, Sym};
    #[derive(RayTable, Debug, PartialEq)]
    #[rayforce(table = "jt")]
    struct Trade {
        sym: Sym,
        ts: Timestamp,
        px: f64,
    }
    #[derive(RayTable, Debug, PartialEq)]
    #[rayforce(table = "jq")]
    struct Quote {
        sym: Sym,
        ts: Timestamp,
        bid: f64,
    }
    #[derive(RayTable, Debug, PartialEq)]
    #[rayforce(table = "jq2")]
    struct RenamedQuote {
        #[rayforce(rename = "ticker")]
        sym: Sym,
        ts: Timestamp,
        bid: f64,
    }
    #[derive(RayTable, Debug, PartialEq)]
    #[rayforce(table = "out")]
    struct Joined {
        sym: Sym,
        ts: Timestamp,
        px: f64,
        bid: f64,
    }
    let (_server, mut c) = common::connected();
    c.execute(
        "(set jt (table [sym ts px] (list ['a 'b 'a] \
         (+ 2026.01.01D00:00:00.000000000 [10 20 30]) [1.0 2.0 3.0])))",
    )
    .unwrap();
    c.execute(
        "(set jq (table [sym ts bid] (list ['a 'b 'a 'b] \
         (+ 2026.01.01D00:00:00.000000000 [5 15 25 35]) [0.5 1.5 2.5 3.5])))",
    )
    .unwrap();
    c.execute("(set jq2 (select {ticker: sym ts: ts bid: bid from: jq}))")
        .unwrap();
    let keys = || on(Trade::sym(), Quote::sym()).at(Trade::ts(), Quote::ts());
    let renamed = || on(Trade::sym(), RenamedQuote::sym()).at(Trade::ts(), RenamedQuote::ts());
    let untyped = TableRef::named("jt").asof_join(TableRef::named("jq"), ["sym", "ts"]);

    let typed = Trade::table().asof_join(Quote::table(), keys());
    assert_eq!(typed.to_rayfall().unwrap(), untyped.to_rayfall().unwrap());
    let expected = c.execute(&untyped).unwrap();
    assert_eq!(c.execute(&typed).unwrap(), expected);
    let via_rename = Trade::table().asof_join(RenamedQuote::table(), renamed());
    assert_eq!(c.execute(&via_rename).unwrap(), expected);
    let rows: Vec<Joined> = c.fetch_all(&via_rename).unwrap();
    let bids: Vec<f64> = rows.iter().map(|r| r.bid).collect();
    assert_eq!(bids, [0.5, 1.5, 2.5]);

    let untyped = TableRef::named("jt")
        .window_join(TableRef::named("jq"), ["sym", "ts"], -10, 0)
        .agg([col("bid").max().alias("bid")]);
    let typed = Trade::table()
        .window_join(RenamedQuote::table(), renamed(), -10, 0)
        .agg([RenamedQuote::bid().max().alias("bid")]);
    assert_eq!(c.execute(&typed).unwrap(), c.execute(&untyped).unwrap());

    for (typed, untyped) in [
        (
            Trade::table().inner_join(RenamedQuote::table(), on(Trade::sym(), RenamedQuote::sym())),
            TableRef::named("jt").inner_join(TableRef::named("jq"), ["sym"]),
        ),
        (
            Trade::table().left_join(RenamedQuote::table(), on(Trade::sym(), RenamedQuote::sym())),
            TableRef::named("jt").left_join(TableRef::named("jq"), ["sym"]),
        ),
    ] {
        assert_eq!(c.execute(&typed).unwrap(), c.execute(&untyped).unwrap());
    }
}

/// A struct of one's own named `SystemTime` is not taken for std's (which serde writes as
/// `SystemTime { secs_since_epoch, nanos_since_epoch }`): it is refused as a cell, clearly.
#[test]
fn a_user_struct_named_system_time_is_not_taken_for_a_timestamp() {
    mod mine {
        #[derive(serde::Serialize, serde::Deserialize)]
        pub struct SystemTime {
            pub secs: u64,
            pub nanos: u64,
        }
    }
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Row {
        at: mine::SystemTime,
    }
    let err = typed::columns(
        &[Row {
            at: mine::SystemTime { secs: 1, nanos: 2 },
        }],
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("SystemTime"), "{err}");
    let t = rayforce_client::table! { "at" => vec![Timestamp(5)] };
    assert!(typed::rows::<Row>(&t).is_err());
    // std's SystemTime still reads a TIMESTAMP column.
    #[derive(serde::Deserialize)]
    struct Std {
        at: std::time::SystemTime,
    }
    let rows = typed::rows::<Std>(&t).unwrap();
    assert_eq!(rows[0].at, Timestamp(5).to_system_time());
}
