//! Every query kind against the real server, sent as an expression tree and as its
//! Rayfall text, with the full result checked (columns, types, values).

mod common;

use rayforce_client::query::{asc, col, desc, sym, Compile, TableRef};
use rayforce_client::{
    table, Client, Date, Error, Guid, ServerErrorCode, Time, Timestamp, Type, Value, Vector,
};

const EMPLOYEES: &str = "(set employees (table [id name dept salary age]
  (list [1 2 3 4 5] ['alice 'bob 'carol 'dave 'eve] ['eng 'eng 'sales 'sales 'hr]
        [100.0 120.5 90.0 95.0 70.0] [29 34 41 25 38])))";

fn employees() -> TableRef {
    TableRef::named("employees")
}

fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Runs a read-only query as a tree and as text; both must give the same result.
fn read<Q: Compile + rayforce_client::Request>(client: &mut Client, q: &Q) -> Value {
    let tree = client
        .execute(q)
        .unwrap_or_else(|e| panic!("{}: {e}", q.to_rayfall().unwrap()));
    let text = q.to_rayfall().unwrap();
    let by_text = client
        .execute(&text)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    assert!(
        same(&tree, &by_text),
        "{text}\ntree: {tree:?}\ntext: {by_text:?}"
    );
    tree
}

/// Runs a mutating query as a tree and as text, each on a fresh copy made by `reset`;
/// returns the reply and the table `name` afterwards (both must agree).
fn mutate<Q: Compile + rayforce_client::Request>(
    client: &mut Client,
    reset: &str,
    q: &Q,
    name: &str,
) -> (Value, Value) {
    client.execute(reset).unwrap();
    let reply = client
        .execute(q)
        .unwrap_or_else(|e| panic!("{}: {e}", q.to_rayfall().unwrap()));
    let after = client.execute(name).unwrap();
    client.execute(reset).unwrap();
    let text = q.to_rayfall().unwrap();
    let reply_text = client
        .execute(&text)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    let after_text = client.execute(name).unwrap();
    assert!(same(&reply, &reply_text), "{text}: replies differ");
    assert!(same(&after, &after_text), "{text}: tables differ");
    (reply, after)
}

fn column<'a>(t: &'a Value, name: &str) -> &'a Vector {
    t.as_table()
        .unwrap_or_else(|| panic!("not a table: {t:?}"))
        .column(name)
        .unwrap_or_else(|| panic!("no column {name} in {t}"))
        .as_vector()
        .unwrap_or_else(|| panic!("column {name} is not a vector"))
}

fn names(t: &Value) -> Vec<String> {
    t.as_table()
        .unwrap()
        .names()
        .iter_lossy()
        .map(|s| s.into_owned())
        .collect()
}

fn syms(v: &Vector) -> Vec<String> {
    v.as_symbols()
        .unwrap()
        .iter_lossy()
        .map(|s| s.into_owned())
        .collect()
}

#[test]
fn select_filter_group_order_limit_distinct() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();

    let r = read(
        &mut c,
        &employees().select(["id", "name"]).filter(col("age").gt(30)),
    );
    assert_eq!(names(&r), ["id", "name"]);
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[2, 3, 5]);
    assert_eq!(syms(column(&r, "name")), ["bob", "carol", "eve"]);

    let r = read(
        &mut c,
        &employees()
            .select([
                col("salary").sum().alias("total"),
                col("id").count().alias("n"),
                col("age").avg(),
            ])
            .by(["dept"]),
    );
    assert_eq!(names(&r), ["dept", "total", "n", "avg_age"]);
    assert_eq!(syms(column(&r, "dept")), ["eng", "sales", "hr"]);
    assert_eq!(column(&r, "total").as_f64().unwrap(), &[220.5, 185.0, 70.0]);
    assert_eq!(column(&r, "n").as_i64().unwrap(), &[2, 2, 1]);
    assert_eq!(column(&r, "avg_age").as_f64().unwrap(), &[31.5, 33.0, 38.0]);

    // order_by is applied over IPC (rayforce-py drops it).
    let r = read(&mut c, &employees().select(["id"]).order_by([desc("age")]));
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[3, 5, 2, 1, 4]);
    let r = read(
        &mut c,
        &employees()
            .select(["id"])
            .order_by([asc("dept"), desc("age")])
            .limit(4),
    );
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[2, 1, 5, 3]);
    // asc, desc, asc needs the fallback sorts.
    let r = read(
        &mut c,
        &employees()
            .select(["id"])
            .order_by([asc("dept"), desc("salary"), asc("id")])
            .limit(10),
    );
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[2, 1, 5, 4, 3]);
    // A limit larger than the result does not repeat rows.
    let r = read(&mut c, &employees().select(["id"]).limit(100));
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[1, 2, 3, 4, 5]);

    let r = read(&mut c, &employees().select(["dept"]).distinct());
    assert_eq!(syms(column(&r, "dept")), ["eng", "sales", "hr"]);
    let r = read(&mut c, &employees().select(["dept"]).distinct().limit(2));
    assert_eq!(syms(column(&r, "dept")), ["eng", "sales"]);

    // Predicates of every family.
    let r = read(
        &mut c,
        &employees()
            .select(["id"])
            .filter(col("name").is_in(["bob", "eve"]) | col("age").within(40, 50)),
    );
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[2, 3, 5]);
    let r = read(
        &mut c,
        &employees().select(["id"]).filter(col("name").like("*a*")),
    );
    assert_eq!(column(&r, "id").as_i64().unwrap(), &[1, 3, 4]);
    let r = read(
        &mut c,
        &employees().select([
            (col("salary") * 2).alias("s2"),
            (100 - col("age")).alias("left"),
        ]),
    );
    assert_eq!(
        column(&r, "s2").as_f64().unwrap(),
        &[200.0, 241.0, 180.0, 190.0, 140.0]
    );
    assert_eq!(column(&r, "left").as_i64().unwrap(), &[71, 66, 59, 75, 62]);
}

#[test]
fn empty_results_keep_columns_and_types() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let r = read(
        &mut c,
        &employees()
            .select(["id", "name", "salary"])
            .filter(col("age").gt(1000))
            .limit(5),
    );
    assert_eq!(names(&r), ["id", "name", "salary"]);
    assert_eq!(column(&r, "id"), &Vector::I64(vec![]));
    assert_eq!(column(&r, "name").elem_type(), Type::Symbol);
    assert_eq!(column(&r, "salary").elem_type(), Type::F64);
    assert_eq!(r.as_table().unwrap().num_rows(), 0);
}

#[test]
fn ipcsave_stores_results_under_a_name() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let saved = c
        .execute(
            &employees()
                .select(["id"])
                .filter(col("age").gt(30))
                .ipcsave("older"),
        )
        .unwrap();
    assert_eq!(column(&saved, "id").as_i64().unwrap(), &[2, 3, 5]);
    let r = c.execute("older").unwrap();
    assert!(same(&r, &saved));
    // A whole inline table, with every column type, saved and read back.
    let guid: Guid = "00112233-4455-6677-8899-aabbccddeeff".parse().unwrap();
    let all = table! {
        "b" => vec![true, false],
        "u" => vec![1u8, 2],
        "h" => vec![Some(1i16), None],
        "i" => vec![Some(1i32), None],
        "j" => vec![Some(1i64), None],
        "e" => vec![Some(1.5f32), None],
        "f" => vec![Some(2.5f64), None],
        "d" => vec![Some(Date(8767)), None],
        "t" => vec![Some(Time(1000)), None],
        "p" => vec![Some(Timestamp(5)), None],
        "g" => vec![guid, Guid([0; 16])],
        "s" => Value::symbols(["a b", "ünï"]),
        "x" => vec!["str", "日本"],
    };
    c.execute(&TableRef::inline(all.clone()).ipcsave("alltypes"))
        .unwrap();
    let back = read(
        &mut c,
        &TableRef::named("alltypes").select(Vec::<&str>::new()),
    );
    assert!(same(&back, &Value::Table(all)), "{back:?}");
}

#[test]
fn updates_in_place_with_strings_groups_and_inline_tables() {
    let (_server, mut c) = common::connected();
    let (reply, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees()
            .update()
            .set("salary", col("salary") * 2.0)
            .filter(col("dept").eq("eng")),
        "employees",
    );
    assert_eq!(
        reply,
        Value::Symbol(rayforce_client::Symbol::name("employees"))
    );
    assert_eq!(
        column(&after, "salary").as_f64().unwrap(),
        &[200.0, 241.0, 90.0, 95.0, 70.0]
    );

    // A string value on a symbol column (rayforce-py fails here with `type`).
    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees()
            .update()
            .set("dept", "mgmt")
            .filter(col("id").eq(1)),
        "employees",
    );
    assert_eq!(
        syms(column(&after, "dept")),
        ["mgmt", "eng", "sales", "sales", "hr"]
    );

    // …and on a string column.
    let notes = "(set notes (table [id note] (list [1 2] [\"a\" \"b\"])))";
    let (_, after) = mutate(
        &mut c,
        notes,
        &TableRef::named("notes")
            .update()
            .set("note", "it's \"new\"")
            .filter(col("id").eq(2)),
        "notes",
    );
    let note = column(&after, "note").as_strings().unwrap();
    assert_eq!(note.get_str(1), Some("it's \"new\""));

    // A new column, and a grouped update.
    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees().update().set("bonus", col("salary") / 10),
        "employees",
    );
    assert_eq!(column(&after, "bonus").as_f64().unwrap()[1], 12.05);
    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees()
            .update()
            .set("avg_sal", col("salary").avg())
            .by("dept"),
        "employees",
    );
    assert_eq!(
        column(&after, "avg_sal").as_f64().unwrap(),
        &[110.25, 110.25, 92.5, 92.5, 70.0]
    );

    // An inline table: the changed copy comes back, nothing global changes.
    let inline = TableRef::inline(table! { "a" => vec![1i64, 2, 3] });
    let r = read(
        &mut c,
        &inline
            .update()
            .set("a", col("a") * 10)
            .filter(col("a").gt(1)),
    );
    assert_eq!(column(&r, "a").as_i64().unwrap(), &[1, 20, 30]);
}

#[test]
fn inserts_and_upserts() {
    let (_server, mut c) = common::connected();
    let s = Value::symbol;
    let (reply, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees()
            .insert()
            .row([6i64.into(), s("frank"), s("eng"), 80.0.into(), 22i64.into()]),
        "employees",
    );
    assert_eq!(
        reply,
        Value::Symbol(rayforce_client::Symbol::name("employees"))
    );
    assert_eq!(column(&after, "id").as_i64().unwrap(), &[1, 2, 3, 4, 5, 6]);

    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees().insert().rows([
            [7i64.into(), s("g h"), s("hr"), 1.0.into(), 30i64.into()],
            [8i64.into(), s("ü"), s("hr"), 2.0.into(), 31i64.into()],
        ]),
        "employees",
    );
    assert_eq!(syms(column(&after, "name"))[5..], ["g h", "ü"]);

    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees().insert().values([
            ("id", Value::from(vec![10i64, 11])),
            ("name", Value::symbols(["j", "k"])),
            ("dept", Value::symbols(["x", "y"])),
            ("salary", Value::from(vec![1.0, 2.0])),
            ("age", Value::from(vec![Some(3i64), None])),
        ]),
        "employees",
    );
    assert_eq!(column(&after, "age").as_i64().unwrap()[5..], [3, i64::MIN]);

    // Text where no text fits is the server's conversion error (`domain`: the string is
    // converted to the column's type first) and leaves the table unchanged.
    c.execute(EMPLOYEES).unwrap();
    let err = c
        .execute(&employees().insert().row([
            Value::from("x"),
            s("a"),
            s("b"),
            1.0.into(),
            1i64.into(),
        ]))
        .unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Domain));
    assert_eq!(c.execute("(count employees)").unwrap(), Value::I64(5));

    let pos = "(set pos (table [acct sym qty] (list ['a 'a 'b] ['X 'Y 'X] [1 2 3])))";
    let (_, after) = mutate(
        &mut c,
        pos,
        &TableRef::named("pos").upsert(2).values([
            ("acct", Value::symbols(["a", "c"])),
            ("sym", Value::symbols(["Y", "Z"])),
            ("qty", Value::from(vec![20i64, 30])),
        ]),
        "pos",
    );
    assert_eq!(syms(column(&after, "acct")), ["a", "a", "b", "c"]);
    assert_eq!(syms(column(&after, "sym")), ["X", "Y", "X", "Z"]);
    assert_eq!(column(&after, "qty").as_i64().unwrap(), &[1, 20, 3, 30]);

    let (_, after) = mutate(
        &mut c,
        EMPLOYEES,
        &employees().upsert(1).row([
            1i64.into(),
            s("alice"),
            s("mgmt"),
            200.0.into(),
            30i64.into(),
        ]),
        "employees",
    );
    assert_eq!(syms(column(&after, "dept"))[0], "mgmt");
    assert_eq!(column(&after, "salary").as_f64().unwrap()[0], 200.0);
}

const TRADES: &str = "(set trades (table [sym time price] (list ['a 'b 'a] \
    [09:00:00.100 09:00:00.200 09:00:00.300] [10.0 20.0 11.0])))";
const QUOTES: &str = "(set quotes (table [sym time bid] (list ['a 'a 'b] \
    [09:00:00.095 09:00:00.250 09:00:00.150] [9.9 10.5 19.9])))";

#[test]
fn joins_on_server_side_tables() {
    let (_server, mut c) = common::connected();
    c.execute(TRADES).unwrap();
    c.execute(QUOTES).unwrap();
    let trades = || TableRef::named("trades");
    let quotes = || TableRef::named("quotes");

    let r = read(&mut c, &trades().inner_join(quotes(), ["sym"]));
    assert_eq!(names(&r), ["sym", "time", "price", "time", "bid"]);
    assert_eq!(r.as_table().unwrap().num_rows(), 5);

    let r = read(&mut c, &trades().left_join(quotes(), ["sym"]));
    assert!(r.as_table().unwrap().num_rows() >= 3);

    let r = read(&mut c, &trades().asof_join(quotes(), ["sym", "time"]));
    assert_eq!(names(&r), ["sym", "time", "price", "bid"]);
    assert_eq!(column(&r, "bid").as_f64().unwrap(), &[9.9, 19.9, 10.5]);

    let r = read(
        &mut c,
        &trades()
            .window_join(quotes(), ["sym", "time"], -100, 100)
            .agg([col("bid").count().alias("n"), col("bid").max().alias("mx")]),
    );
    assert_eq!(names(&r), ["sym", "time", "price", "n", "mx"]);
    // window-join also counts the quote prevailing at the window's start.
    assert_eq!(column(&r, "n").as_i64().unwrap(), &[1, 1, 2]);
    assert_eq!(column(&r, "mx").as_f64().unwrap(), &[9.9, 19.9, 10.5]);
    let r = read(
        &mut c,
        &trades()
            .window_join1(quotes(), ["sym", "time"], -10, 10)
            .agg([col("bid").count().alias("n")]),
    );
    assert_eq!(names(&r), ["sym", "time", "price", "n"]);
    // window-join1: only quotes inside [t-10, t+10].
    assert_eq!(column(&r, "n").as_i64().unwrap(), &[1, 0, 0]);

    // A select over a join.
    let r = read(
        &mut c,
        &trades()
            .asof_join(quotes(), ["sym", "time"])
            .select([(col("price") - col("bid")).alias("spread")])
            .filter(col("sym").eq(sym("a"))),
    );
    let spread = column(&r, "spread").as_f64().unwrap();
    assert!(
        (spread[0] - 0.1).abs() < 1e-9 && (spread[1] - 0.5).abs() < 1e-9,
        "{spread:?}"
    );
}

#[test]
fn ungroup_flattens_list_cells() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let r = read(
        &mut c,
        &employees()
            .select([col("salary").top(2).alias("t")])
            .by(["dept"])
            .ungroup(),
    );
    assert_eq!(
        syms(column(&r, "dept")),
        ["eng", "eng", "sales", "sales", "hr"]
    );
    assert_eq!(
        column(&r, "t").as_f64().unwrap(),
        &[120.5, 100.0, 95.0, 90.0, 70.0]
    );
}

#[test]
fn nulls_unicode_and_hostile_values_are_data() {
    let (_server, mut c) = common::connected();
    let reset = "(set notes (table [id who note] (list [1] ['a] [\"x\"])))";
    let hostile = [
        "\"); (exit 0); (\"",
        "(exit 0)",
        "back\\slash",
        "tab\there\nnewline",
        "日本語 ✓ with spaces",
    ];
    for h in hostile {
        // insert
        let (_, after) = mutate(
            &mut c,
            reset,
            &TableRef::named("notes").insert().row([
                Value::I64(2),
                Value::symbol(h),
                Value::from(h),
            ]),
            "notes",
        );
        assert_eq!(syms(column(&after, "who"))[1], h);
        assert_eq!(
            column(&after, "note").as_strings().unwrap().get_str(1),
            Some(h)
        );
        // filter
        let q = TableRef::named("notes")
            .select(["id"])
            .filter(col("note").eq(h));
        let r = c.execute(&q).unwrap();
        assert_eq!(column(&r, "id").as_i64().unwrap(), &[2]);
        // update
        let (_, after) = mutate(
            &mut c,
            reset,
            &TableRef::named("notes")
                .update()
                .set("note", h)
                .set("who", h)
                .filter(col("id").eq(1)),
            "notes",
        );
        assert_eq!(
            column(&after, "note").as_strings().unwrap().get_str(0),
            Some(h)
        );
        assert_eq!(syms(column(&after, "who"))[0], h);
        // upsert
        let (_, after) = mutate(
            &mut c,
            reset,
            &TableRef::named("notes").upsert(1).row([
                Value::I64(1),
                Value::symbol(h),
                Value::from(h),
            ]),
            "notes",
        );
        assert_eq!(
            column(&after, "note").as_strings().unwrap().get_str(0),
            Some(h)
        );
    }
    // A NUL byte can travel in a string (tree only: text cannot carry it)…
    c.execute(reset).unwrap();
    c.execute(&TableRef::named("notes").insert().row([
        Value::I64(2),
        Value::symbol("n"),
        Value::from("a\0b"),
    ]))
    .unwrap();
    let r = c.execute("notes").unwrap();
    assert_eq!(
        column(&r, "note").as_strings().unwrap().get(1),
        Some(&b"a\0b"[..])
    );
    // …but never in a symbol: a typed error before anything is sent.
    let err = c
        .execute(&TableRef::named("notes").insert().row([
            Value::I64(3),
            Value::symbol("a\0b"),
            Value::from("x"),
        ]))
        .unwrap_err();
    assert!(matches!(err, Error::Encode(_)), "{err:?}");

    // Nulls of several types through a select.
    c.execute("(set nn (table [i f d] (list [1 0Nl] [0Nf 2.0] [0Nd 2024.01.02])))")
        .unwrap();
    let r = read(&mut c, &TableRef::named("nn").select(["i", "f", "d"]));
    assert_eq!(column(&r, "i").as_i64().unwrap(), &[1, i64::MIN]);
    assert!(column(&r, "f").as_f64().unwrap()[0].is_nan());
    assert_eq!(column(&r, "d").as_date().unwrap()[0], Date::NULL);
}

/// Masked aggregates give the same numbers as filtering the rows first, grouped or not
/// (`(max (filter salary mask))` used to be a `type` error ungrouped and, grouped, applied
/// the mask before grouping: sales = 70.0 and hr = null where 90.0 and 70.0 are right).
#[test]
fn masked_aggregates_match_filtering_the_rows_first() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let older = || col("age").gt(30);
    let masked = |e: rayforce_client::query::Expr| e.filter(older());
    let aggregates = || {
        vec![
            masked(col("salary")).max().alias("top"),
            masked(col("salary")).min().alias("low"),
            masked(col("salary")).sum().alias("total"),
            masked(col("salary")).avg().alias("mean"),
            masked(col("salary")).median().alias("mid"),
            masked(col("id")).count().alias("n"),
            masked(col("salary")).first().alias("head"),
            masked(col("salary")).last().alias("tail"),
        ]
    };
    let plain = || {
        vec![
            col("salary").max().alias("top"),
            col("salary").min().alias("low"),
            col("salary").sum().alias("total"),
            col("salary").avg().alias("mean"),
            col("salary").median().alias("mid"),
            col("id").count().alias("n"),
            col("salary").first().alias("head"),
            col("salary").last().alias("tail"),
        ]
    };
    // Ungrouped.
    let by_mask = read(&mut c, &employees().select(aggregates()));
    let by_rows = read(&mut c, &employees().select(plain()).filter(older()));
    assert!(same(&by_mask, &by_rows), "{by_mask:?}\n{by_rows:?}");
    // Grouped: only groups with matching rows can be compared with the filtered select.
    let by_mask = read(&mut c, &employees().select(aggregates()).by(["dept"]));
    let by_rows = read(
        &mut c,
        &employees().select(plain()).by(["dept"]).filter(older()),
    );
    let depts = syms(column(&by_rows, "dept"));
    let mask_depts = syms(column(&by_mask, "dept"));
    for name in ["top", "low", "total", "mean", "mid", "n", "head", "tail"] {
        for (i, d) in depts.iter().enumerate() {
            let j = mask_depts.iter().position(|x| x == d).unwrap();
            let want = column(&by_rows, name).get(i).unwrap();
            let got = column(&by_mask, name).get(j).unwrap();
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{name} for {d}");
        }
    }
}

/// The typed verbs, each checked against values computed here from the same data.
#[test]
fn typed_verbs_match_values_computed_independently() {
    let (_server, mut client) = common::connected();
    client
        .execute(
            "(set m (table [x y z] (list [3 -1 4 0Nl 5] [1.5 -2.5 0.4 4.0 2.0] [30 10 20 50 40])))",
        )
        .unwrap();
    let x: Vec<Option<i64>> = vec![Some(3), Some(-1), Some(4), None, Some(5)];
    let y = [1.5f64, -2.5, 0.4, 4.0, 2.0];
    let q = TableRef::named("m").select([
        col("x").abs().alias("abs"),
        col("y").floor().alias("floor"),
        col("y").ceil().alias("ceil"),
        col("y").round().alias("round"),
        col("x").fills().alias("fills"),
        col("y").deltas().alias("deltas"),
        col("y").sums().alias("sums"),
        col("y").maxs().alias("maxs"),
        col("y").lag().alias("lag"),
        col("y").msum(2).alias("msum"),
        col("x").xbar(2).alias("xbar"),
        col("y").signum().alias("signum"),
    ]);
    let t = read(&mut client, &q);
    let f64s = |name: &str| column(&t, name).as_f64().unwrap().to_vec();
    let i64s = |name: &str| column(&t, name).as_i64().unwrap().to_vec();
    let null = i64::MIN;
    let want_abs: Vec<i64> = x.iter().map(|v| v.map_or(null, i64::abs)).collect();
    assert_eq!(i64s("abs"), want_abs);
    assert_eq!(f64s("floor"), y.map(f64::floor));
    assert_eq!(f64s("ceil"), y.map(f64::ceil));
    assert_eq!(
        f64s("round"),
        y.map(f64::round),
        "halves away from zero, as f64::round"
    );
    assert_eq!(i64s("fills"), [3, -1, 4, 4, 5]);
    let deltas = f64s("deltas");
    assert!(deltas[0].is_nan());
    for i in 1..5 {
        assert!((deltas[i] - (y[i] - y[i - 1])).abs() < 1e-12);
    }
    let sums: Vec<f64> = y
        .iter()
        .scan(0.0, |s, v| {
            *s += v;
            Some(*s)
        })
        .collect();
    assert_eq!(f64s("sums"), sums);
    let maxs: Vec<f64> = y
        .iter()
        .scan(f64::MIN, |m, v| {
            *m = m.max(*v);
            Some(*m)
        })
        .collect();
    assert_eq!(f64s("maxs"), maxs);
    let z = [30i64, 10, 20, 50, 40];
    let mut order: Vec<usize> = (0..5).collect();
    order.sort_by_key(|i| z[*i]);
    let mut rank = [0i64; 5];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = r as i64;
    }
    // In a select the 2.4.0 server answers `rank` with `type`; on a vector it works.
    let ranked = client
        .execute(
            &rayforce_client::query::lit(Value::from(z.to_vec()))
                .rank()
                .compile()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(ranked, Value::from(rank.to_vec()));
    let lag = f64s("lag");
    assert!(lag[0].is_nan() && lag[1..] == y[..4]);
    let msum: Vec<f64> = (0..5)
        .map(|i| y[i] + if i > 0 { y[i - 1] } else { 0.0 })
        .collect();
    assert_eq!(f64s("msum"), msum);
    let want_xbar: Vec<i64> = x
        .iter()
        .map(|v| v.map_or(null, |v| v.div_euclid(2) * 2))
        .collect();
    assert_eq!(i64s("xbar"), want_xbar);
    assert_eq!(
        i64s("signum"),
        y.map(|v| v.signum() as i64),
        "signum of F64 is I64"
    );
}

/// `select("*")`/`select_all()`, mixed names and expressions in one call, a single `by`
/// name, and paging forms (`head`, `offset`, `tail`): each compared with rows computed here.
#[test]
fn star_mixed_columns_single_keys_and_paging() {
    let (_server, mut client) = common::connected();
    client.execute(EMPLOYEES).unwrap();
    let all = read(&mut client, &employees().select("*"));
    assert_eq!(names(&all), ["id", "name", "dept", "salary", "age"]);
    assert!(same(&all, &read(&mut client, &employees().select_all())));
    assert!(matches!(
        employees().select(["*", "id"]).compile(),
        Err(Error::InvalidQuery(_))
    ));

    let grouped = read(
        &mut client,
        &employees()
            .select(("dept", col("salary").sum().alias("total")))
            .by("dept"),
    );
    assert_eq!(syms(column(&grouped, "dept")), ["eng", "sales", "hr"]);
    assert_eq!(
        column(&grouped, "total").as_f64().unwrap(),
        [220.5, 185.0, 70.0]
    );

    let ids = |q: &rayforce_client::query::SelectQuery, client: &mut Client| -> Vec<i64> {
        column(&read(client, q), "id").as_i64().unwrap().to_vec()
    };
    let by_age = || employees().select(["id", "age"]).order_by(["age"]);
    // ages 29 34 41 25 38 → ids by age: 4 1 2 5 3
    assert_eq!(ids(&by_age().head(2), &mut client), [4, 1]);
    assert_eq!(ids(&by_age().offset(1).limit(2), &mut client), [1, 2]);
    assert_eq!(ids(&by_age().offset(3), &mut client), [5, 3]);
    assert_eq!(ids(&by_age().tail(2), &mut client), [5, 3]);
    assert_eq!(
        ids(&by_age().offset(9).limit(2), &mut client),
        Vec::<i64>::new()
    );
    assert!(by_age().tail(1).limit(1).compile().is_err());
}

/// One rule for strings: a Rust string inserted or upserted into a SYMBOL column becomes a
/// symbol and into a STR column a string, in every data form (row, rows, columns, by name).
#[test]
fn plain_strings_fit_symbol_and_string_columns_alike() {
    let (_server, mut c) = common::connected();
    let reset = "(set people (table [name note n] (list (as 'SYMBOL []) (as 'STR []) [])))";
    let people = || TableRef::named("people");
    let check = |after: &Value, names: &[&str], notes: &[&str]| {
        assert_eq!(syms(column(after, "name")), names);
        match column(after, "note") {
            Vector::Str(t) => assert_eq!(t.iter_lossy().collect::<Vec<_>>(), notes),
            other => panic!("note is {other:?}"),
        }
    };
    let (_, after) = mutate(
        &mut c,
        reset,
        &people()
            .insert()
            .row([Value::from("ivan"), Value::from("hi there"), 1i64.into()]),
        "people",
    );
    check(&after, &["ivan"], &["hi there"]);
    let (_, after) = mutate(
        &mut c,
        reset,
        &people().insert().rows([
            [Value::from("a"), Value::from("x"), 1i64.into()],
            [Value::from("b"), Value::from("y"), 2i64.into()],
        ]),
        "people",
    );
    check(&after, &["a", "b"], &["x", "y"]);
    let (_, after) = mutate(
        &mut c,
        reset,
        &people().insert().values([
            ("name", Value::from(vec!["a", "b"])),
            ("note", Value::from(vec!["x", "y"])),
            ("n", Value::from(vec![1i64, 2])),
        ]),
        "people",
    );
    check(&after, &["a", "b"], &["x", "y"]);
    c.execute(reset).unwrap();
    c.execute(&people().insert().values([
        ("name", Value::from("a")),
        ("note", Value::from("old")),
        ("n", Value::I64(1)),
    ]))
    .unwrap();
    c.execute(&people().upsert(1).values([
        ("name", Value::from(vec!["a", "b"])),
        ("note", Value::from(vec!["new", "b's"])),
        ("n", Value::from(vec![10i64, 20])),
    ]))
    .unwrap();
    let after = c.execute("people").unwrap();
    check(&after, &["a", "b"], &["new", "b's"]);
    assert_eq!(column(&after, "n").as_i64().unwrap(), [10, 20]);
    // One row of atoms (an upsert sends them as one-element columns).
    c.execute(&people().upsert(1).values([
        ("name", Value::from("b")),
        ("note", Value::from("atom")),
        ("n", Value::I64(21)),
    ]))
    .unwrap();
    let after = c.execute("people").unwrap();
    check(&after, &["a", "b"], &["new", "atom"]);
}

/// concat, drop_columns, rename, cast, pivot and tables on disk (CSV, splayed), each one
/// request, checked against the expected table; the source table is never changed.
#[test]
fn reshaping_and_tables_on_disk() {
    use rayforce_client::query::{read_csv, read_splayed};
    let (_server, mut c) = common::connected();
    c.execute("(set t (table [k a b] (list ['x 'y 'x] [1 2 3] [10.0 20.0 30.0])))")
        .unwrap();
    let t = || TableRef::named("t");
    let original = c.execute("t").unwrap();

    let both = read(&mut c, &t().concat(t()));
    assert_eq!(column(&both, "a").as_i64().unwrap(), [1, 2, 3, 1, 2, 3]);

    let dropped = read(&mut c, &t().drop_columns(&["b"]).unwrap());
    assert_eq!(names(&dropped), ["k", "a"]);

    let renamed = read(&mut c, &t().rename(&[("a", "qty"), ("k", "sym")]).unwrap());
    assert_eq!(names(&renamed), ["sym", "qty", "b"]);
    assert_eq!(column(&renamed, "qty").as_i64().unwrap(), [1, 2, 3]);

    let cast = read(&mut c, &t().cast("a", Type::F64).unwrap());
    assert_eq!(column(&cast, "a").as_f64().unwrap(), [1.0, 2.0, 3.0]);
    assert!(
        same(&c.execute("t").unwrap(), &original),
        "cast works on a copy"
    );

    // Operations compose on any query's result.
    let q = t().select(["k", "a"]).filter(col("a").gt(1));
    let composed = read(
        &mut c,
        &rayforce_client::query::Query::from(q)
            .rename(&[("a", "n")])
            .unwrap(),
    );
    assert_eq!(names(&composed), ["k", "n"]);
    assert_eq!(column(&composed, "n").as_i64().unwrap(), [2, 3]);

    let pivot = read(&mut c, &t().pivot(&["k"], "a", "b", "max").unwrap());
    assert_eq!(names(&pivot), ["k", "1", "2", "3"]);
    assert_eq!(syms(column(&pivot, "k")), ["x", "y"]);
    let one = column(&pivot, "1").as_f64().unwrap();
    assert!(one[0] == 10.0 && one[1].is_nan());
    assert!(t().pivot(&["k"], "a", "b", "(set pwned 1)").is_err());

    let dir = std::env::temp_dir().join(format!("rayforce-disk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("t.csv");
    c.execute(&t().write_csv(csv.to_str().unwrap()).unwrap())
        .unwrap();
    let back = read(
        &mut c,
        &read_csv(&[Type::Symbol, Type::I64, Type::F64], csv.to_str().unwrap()),
    );
    assert!(same(&back, &original), "{back:?}");
    let splayed = format!("{}/splayed/", dir.display());
    c.execute(&t().write_splayed(&splayed).unwrap()).unwrap();
    let back = read(&mut c, &read_splayed(&splayed));
    assert!(same(&back, &original), "{back:?}");
    // A partitioned table: one splayed table per date, read back with the date first.
    for day in ["2024.01.01", "2024.01.02"] {
        c.execute(
            &t().write_splayed(&format!("{}/db/{day}/t/", dir.display()))
                .unwrap(),
        )
        .unwrap();
    }
    let db = format!("{}/db/", dir.display());
    assert_eq!(
        read(&mut c, &rayforce_client::query::parted_tables(&db)),
        Value::symbols(["t"])
    );
    let parted = read(&mut c, &rayforce_client::query::read_parted(&db, "t"));
    assert_eq!(names(&parted), ["date", "k", "a", "b"]);
    assert_eq!(column(&parted, "a").as_i64().unwrap(), [1, 2, 3, 1, 2, 3]);
    let _ = std::fs::remove_dir_all(&dir);

    // Time-zone shift: UTC+1 moves every timestamp one hour on, keeping the type.
    c.execute("(set ts (table [at] (list (+ 2024.01.01D00:00:00.000000000 [0 1]))))")
        .unwrap();
    let shifted = read(
        &mut c,
        &TableRef::named("ts").select([col("at").shift_tz(3600).alias("at")]),
    );
    match column(&shifted, "at") {
        Vector::Timestamp(v) => {
            assert_eq!(
                v[0],
                Timestamp::from_date_nanos(Date::from_ymd(2024, 1, 1).unwrap(), 3_600_000_000_000)
            )
        }
        other => panic!("{other:?}"),
    }
}

/// An update of a copy returns the changed table and leaves the named table unchanged.
#[test]
fn updates_of_a_copy_leave_the_table_alone() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let before = c.execute("employees").unwrap();
    let q = employees()
        .update()
        .set("salary", col("salary") * 2.0)
        .filter(col("dept").eq("eng"))
        .copy();
    let changed = read(&mut c, &q);
    assert_eq!(
        column(&changed, "salary").as_f64().unwrap(),
        [200.0, 241.0, 90.0, 95.0, 70.0]
    );
    assert!(
        same(&c.execute("employees").unwrap(), &before),
        "the table is unchanged"
    );
}

/// Names given to the reshaping operations travel as data: a hostile column name renames
/// a column and runs nothing; a hostile aggregate name is refused before anything is sent.
#[test]
fn reshaping_names_are_data_never_code() {
    let (_server, mut c) = common::connected();
    c.execute("(set t (table [k a] (list ['x 'y] [1 2])))")
        .unwrap();
    let hostile = "(set pwned 1)";
    let renamed = c
        .execute(&TableRef::named("t").rename(&[("a", hostile)]).unwrap())
        .unwrap();
    assert_eq!(names(&renamed), ["k", hostile]);
    let dropped = c
        .execute(&TableRef::named("t").drop_columns(&[hostile, "a"]).unwrap())
        .unwrap();
    assert_eq!(names(&dropped), ["k"]);
    assert_eq!(
        c.execute("(resolve 'pwned)").unwrap(),
        Value::Null,
        "nothing ran"
    );
    assert!(TableRef::named("t")
        .pivot(&["k"], "a", "a", hostile)
        .is_err());
}
