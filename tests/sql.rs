//! SQL: exact lowering of the spec's SQL rows, every construct against the real server
//! checked against the equivalent DSL query, hostile parameters, and unsupported SQL.
#![cfg(feature = "sql")]

mod common;

use rayforce_client::query::{col, desc, SqlQuery, TableRef};
use rayforce_client::{Client, Error, Value};

const EMPLOYEES: &str = "(set employees (table [id name dept salary age]
  (list [1 2 3 4 5] ['alice 'bob 'carol 'dave 'eve] ['eng 'eng 'sales 'sales 'hr]
        [100.0 120.5 90.0 95.0 70.0] [29 34 41 25 38])))";

fn text(sql: &str) -> String {
    SqlQuery::on(TableRef::named("employees"), sql)
        .to_rayfall()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn spec_sql_rows_lower_exactly() {
    let rows = [
        (
            "SELECT name, age FROM self WHERE age > 30",
            "(select {name: name age: age from: employees where: (> age 30)})",
        ),
        // FIXED: ORDER BY is applied (rayforce-py drops it).
        (
            "SELECT name, age FROM self WHERE age > 30 ORDER BY salary DESC",
            "(select {name: name age: age from: employees where: (> age 30) desc: salary})",
        ),
        (
            "SELECT dept, SUM(salary) AS total, COUNT(id) AS n, AVG(age) FROM self GROUP BY dept",
            "(select {dept: dept total: (sum salary) n: (count id) avg_age: (avg age) by: {dept: dept} from: employees})",
        ),
        (
            "SELECT MIN(salary), MAX(salary), MEDIAN(salary) FROM self",
            "(select {min_salary: (min salary) max_salary: (max salary) median_salary: (med salary) from: employees})",
        ),
        (
            "SELECT id, salary * 2 AS s2 FROM self WHERE (dept IN ('eng','hr') AND NOT age < 30) OR id = 4",
            "(select {id: id s2: (* salary 2) from: employees where: (or (and (in dept (as (type dept) [\"eng\" \"hr\"])) (not (< age 30))) (== id 4))})",
        ),
        (
            "SELECT DISTINCT dept FROM self",
            "(select {dept: (distinct dept) from: employees})",
        ),
        // FIXED: the string literal adapts to the column type instead of (quote "ops").
        (
            "UPDATE self SET salary = salary + 1, dept = 'ops' WHERE id = 1",
            "(update {salary: (+ salary 1) dept: (as (type dept) \"ops\") from: 'employees where: (== id 1)})",
        ),
        (
            "INSERT INTO self (id,name,dept,salary,age) VALUES (6,'zed','eng',1.0,20),(7,'yo','hr',2.5,21)",
            "(insert 'employees {id: [6 7] name: ['zed 'yo] dept: ['eng 'hr] salary: [1.0 2.5] age: [20 21]})",
        ),
        (
            "INSERT INTO self VALUES (6,'zed','eng',1.0,20)",
            "(insert 'employees (list 6 'zed 'eng 1.0 20))",
        ),
        // FIXED: SET is checked, not ignored.
        (
            "INSERT INTO self (id,name,dept,salary,age) VALUES (1,'a','x',1.0,2),(9,'b','y',2.0,3) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, dept = excluded.dept, \
             salary = excluded.salary, age = excluded.age",
            "(upsert 'employees 1 {id: [1 9] name: ['a 'b] dept: ['x 'y] salary: [1.0 2.0] age: [2 3]})",
        ),
    ];
    for (sql, want) in rows {
        assert_eq!(text(sql), want, "{sql}");
    }
    // The FROM table is used, not ignored.
    assert_eq!(
        SqlQuery::new("SELECT id FROM people").to_rayfall().unwrap(),
        "(select {id: id from: people})"
    );
}

#[test]
fn sql_and_dsl_compile_to_the_same_tree() {
    let pairs: Vec<(SqlQuery, rayforce_client::Value)> = vec![
        (
            SqlQuery::new(
                "SELECT id, name FROM employees WHERE age > 30 ORDER BY age DESC LIMIT 2",
            ),
            TableRef::named("employees")
                .select(["id", "name"])
                .filter(col("age").gt(30))
                .order_by([desc("age")])
                .limit(2)
                .compile()
                .unwrap(),
        ),
        (
            SqlQuery::new("SELECT * FROM employees WHERE name LIKE 'a%' AND age BETWEEN 20 AND 40"),
            TableRef::named("employees")
                .filter(col("name").like("a*") & col("age").within(20, 40))
                .compile()
                .unwrap(),
        ),
    ];
    for (sql, dsl) in pairs {
        assert_eq!(sql.compile().unwrap(), dsl, "{}", sql.sql());
    }
}

fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn run(c: &mut Client, q: &SqlQuery) -> Value {
    c.execute(q).unwrap_or_else(|e| panic!("{}: {e}", q.sql()))
}

#[test]
fn every_construct_against_the_server_matches_the_dsl() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let e = || TableRef::named("employees");
    let cases: Vec<(&str, rayforce_client::query::Query)> = vec![
        ("SELECT * FROM employees", e().select(Vec::<&str>::new()).into()),
        (
            "SELECT id, name AS who, salary * 2 AS s2 FROM employees WHERE dept = 'eng'",
            e().select([col("id"), col("name").alias("who"), (col("salary") * 2).alias("s2")])
                .filter(col("dept").eq("eng"))
                .into(),
        ),
        (
            "SELECT id FROM employees WHERE NOT (age < 30 OR dept <> 'eng')",
            e().select(["id"])
                .filter((col("age").lt(30) | col("dept").ne("eng")).not())
                .into(),
        ),
        (
            "SELECT id FROM employees WHERE id IN (1, 3, 5) AND name NOT IN ('carol')",
            e().select(["id"])
                .filter(col("id").is_in([1, 3, 5]) & col("name").is_in(["carol"]).not())
                .into(),
        ),
        (
            "SELECT id FROM employees WHERE salary BETWEEN 90.0 AND 100.0",
            e().select(["id"]).filter(col("salary").within(90.0, 100.0)).into(),
        ),
        (
            "SELECT dept, COUNT(*), COUNT(DISTINCT age), FIRST(name), LAST(name) FROM employees GROUP BY dept",
            e().select([
                col("dept"),
                col("dept").count().alias("count"),
                col("age").distinct().count().alias("count_age"),
                col("name").first().alias("first_name"),
                col("name").last().alias("last_name"),
            ])
            .by(["dept"])
            .into(),
        ),
        (
            "SELECT dept, AVG(salary) AS a FROM employees GROUP BY dept ORDER BY a DESC LIMIT 2",
            e().select([col("dept"), col("salary").avg().alias("a")])
                .by(["dept"])
                .order_by([desc("a")])
                .limit(2)
                .into(),
        ),
        (
            "SELECT DISTINCT dept FROM employees ORDER BY dept",
            e().select([col("dept").distinct().alias("dept")]).order_by(["dept"]).into(),
        ),
    ];
    for (sql, dsl) in cases {
        let by_sql = run(&mut c, &SqlQuery::new(sql));
        let by_dsl = c.execute(&dsl).unwrap();
        assert!(
            same(&by_sql, &by_dsl),
            "{sql}\nsql: {by_sql}\ndsl: {by_dsl}"
        );
    }
    // COUNT(*) without any other column counts the (filtered) rows.
    let r = run(
        &mut c,
        &SqlQuery::new("SELECT COUNT(*) FROM employees WHERE age > 30"),
    );
    let n = r
        .as_table()
        .unwrap()
        .column("count")
        .unwrap()
        .item(0)
        .unwrap();
    assert_eq!(n, Value::I64(3));
    let r = run(
        &mut c,
        &SqlQuery::new("SELECT COUNT(*) AS n FROM employees"),
    );
    assert_eq!(
        r.as_table().unwrap().column("n").unwrap().item(0),
        Some(Value::I64(5))
    );
    // IS NULL / IS NOT NULL.
    c.execute("(set nn (table [id x] (list [1 2 3] [1.0 0Nf 3.0])))")
        .unwrap();
    let r = run(&mut c, &SqlQuery::new("SELECT id FROM nn WHERE x IS NULL"));
    assert_eq!(
        r.as_table()
            .unwrap()
            .column("id")
            .unwrap()
            .as_vector()
            .unwrap()
            .as_i64(),
        Some(&[2i64][..])
    );
    let r = run(
        &mut c,
        &SqlQuery::new("SELECT id FROM nn WHERE x IS NOT NULL"),
    );
    assert_eq!(
        r.as_table()
            .unwrap()
            .column("id")
            .unwrap()
            .as_vector()
            .unwrap()
            .as_i64(),
        Some(&[1i64, 3][..])
    );
}

#[test]
fn joins_updates_inserts_and_upserts_against_the_server() {
    let (_server, mut c) = common::connected();
    c.execute("(set trades (table [sym price] (list ['a 'b 'c] [1.0 2.0 3.0])))")
        .unwrap();
    c.execute("(set quotes (table [sym bid] (list ['a 'b] [0.5 1.5])))")
        .unwrap();
    for (sql, dsl) in [
        (
            "SELECT * FROM trades JOIN quotes USING (sym)",
            TableRef::named("trades").inner_join(TableRef::named("quotes"), ["sym"]).into(),
        ),
        (
            "SELECT * FROM trades t LEFT JOIN quotes q ON t.sym = q.sym",
            TableRef::named("trades").left_join(TableRef::named("quotes"), ["sym"]).into(),
        ),
        (
            "SELECT sym, price - bid AS spread FROM trades INNER JOIN quotes ON trades.sym = quotes.sym",
            rayforce_client::query::Query::from(
                TableRef::named("trades")
                    .inner_join(TableRef::named("quotes"), ["sym"])
                    .select([col("sym"), (col("price") - col("bid")).alias("spread")]),
            ),
        ),
    ] {
        let dsl: rayforce_client::query::Query = dsl;
        let by_sql = run(&mut c, &SqlQuery::new(sql));
        let by_dsl = c.execute(&dsl).unwrap();
        assert!(same(&by_sql, &by_dsl), "{sql}");
        assert!(by_sql.as_table().unwrap().num_rows() >= 2, "{sql}: {by_sql}");
    }

    c.execute(EMPLOYEES).unwrap();
    run(
        &mut c,
        &SqlQuery::new("UPDATE employees SET dept = 'ops', salary = salary + 1 WHERE id = 1"),
    );
    let r = c.execute("(at employees 'dept)").unwrap();
    assert_eq!(r.item(0).unwrap().as_str(), Some("ops"));
    run(
        &mut c,
        &SqlQuery::new(
            "INSERT INTO employees (id, name, dept, salary, age) VALUES (6, 'zed', 'eng', 1.0, NULL), (7, 'yo', 'hr', NULL, 21)",
        ),
    );
    let ages = c.execute("(at employees 'age)").unwrap();
    assert_eq!(
        ages.as_vector().unwrap().as_i64().unwrap()[5..],
        [i64::MIN, 21]
    );
    run(
        &mut c,
        &SqlQuery::new("INSERT INTO employees VALUES (8, 'x', 'y', 2.0, 30)"),
    );
    assert_eq!(c.execute("(count employees)").unwrap(), Value::I64(8));
    run(
        &mut c,
        &SqlQuery::new(
            "INSERT INTO employees (id, name, dept, salary, age) VALUES (1, 'alice', 'mgmt', 500.0, 30), (9, 'new', 'hr', 1.0, 1) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, dept = excluded.dept, salary = excluded.salary, age = excluded.age",
        ),
    );
    assert_eq!(c.execute("(count employees)").unwrap(), Value::I64(9));
    let sal = c.execute("(at employees 'salary)").unwrap();
    assert_eq!(sal.as_vector().unwrap().as_f64().unwrap()[0], 500.0);
}

#[test]
fn parameters_travel_as_data() {
    let (_server, mut c) = common::connected();
    c.execute("(set notes (table [id who note] (list [1] ['a] [\"x\"])))")
        .unwrap();
    for (i, hostile) in [
        "'); DROP TABLE notes; --",
        "\"); (exit 0); (\"",
        "a\\b\nc",
        "日本 ✓",
    ]
    .into_iter()
    .enumerate()
    {
        let id = i as i64 + 2;
        let q = SqlQuery::new("INSERT INTO notes (id, who, note) VALUES (?, ?, $3)")
            .bind(id)
            .bind(Value::symbol(hostile))
            .bind_value(Value::from(hostile));
        run(&mut c, &q);
        let r = run(
            &mut c,
            &SqlQuery::new("SELECT id, who, note FROM notes WHERE note = ?").bind(hostile),
        );
        let t = r.as_table().unwrap();
        assert_eq!(
            t.column("id").unwrap().item(0),
            Some(Value::I64(id)),
            "{hostile:?}"
        );
        assert_eq!(
            t.column("who")
                .unwrap()
                .as_vector()
                .unwrap()
                .as_symbols()
                .unwrap()
                .get_str(0),
            Some(hostile)
        );
        let r = run(
            &mut c,
            &SqlQuery::new("UPDATE notes SET note = ? WHERE id = ?")
                .bind(format!("{hostile}!"))
                .bind(id),
        );
        assert!(matches!(r, Value::Symbol(_)));
    }
    assert_eq!(c.execute("(count notes)").unwrap(), Value::I64(5));
    // Unbound or extra parameters are errors.
    assert!(matches!(
        SqlQuery::new("SELECT id FROM notes WHERE id = ?").compile(),
        Err(Error::Sql { .. })
    ));
    assert!(matches!(
        SqlQuery::new("SELECT id FROM notes").bind(1).compile(),
        Err(Error::Sql { .. })
    ));
}

#[test]
fn unsupported_sql_is_a_typed_error_quoting_the_fragment() {
    let cases = [
        ("SELECT UPPER(name) FROM t", "UPPER"),
        ("SELECT id FROM t ORDER BY id LIMIT -5", "LIMIT"),
        ("SELECT dept FROM t GROUP BY dept HAVING COUNT(id) > 1", "HAVING"),
        ("SELECT * FROM a, b", "b"),
        ("SELECT id FROM t WHERE id IN (SELECT id FROM u)", "SELECT id FROM u"),
        ("DELETE FROM t WHERE id = 1", "DELETE"),
        ("SELECT * FROM t RIGHT JOIN u USING (k)", "RIGHT"),
        ("SELECT * FROM t JOIN u ON t.a = u.b", "t.a = u.b"),
        (
            "INSERT INTO t (id, v) VALUES (1, 2) ON CONFLICT (id) DO NOTHING",
            "DO NOTHING",
        ),
        (
            "INSERT INTO t (a, b, v, w) VALUES (1, 2, 3, 4) ON CONFLICT (a, b) DO UPDATE SET v = excluded.v",
            "single conflict column",
        ),
        (
            "INSERT INTO t (id, v, w) VALUES (1, 2, 3), (1, 5, 6) ON CONFLICT (id) DO UPDATE SET v = excluded.v",
            "same key twice",
        ),
        (
            "INSERT INTO t (id, v) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = 5",
            "v = 5",
        ),
        ("SELECT id, * FROM t", "*"),
        ("SELEC id FROM t", "SELEC"),
        ("SELECT 1; SELECT 2", "SELECT 1"),
        ("SELECT id FROM self", "self"),
    ];
    for (sql, fragment) in cases {
        match SqlQuery::new(sql).compile() {
            Err(Error::Sql {
                reason,
                fragment: got,
            }) => assert!(
                got.contains(fragment) || reason.contains(fragment),
                "{sql}: fragment {got:?} / reason {reason:?} should mention {fragment:?}"
            ),
            other => panic!("{sql}: expected an SQL error, got {other:?}"),
        }
    }
}

/// Runs `f` on a thread with the 2 MiB stack that spawned threads and tokio workers get.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow")
}

#[test]
fn deep_sql_and_deep_expressions_are_errors_not_stack_overflows() {
    on_small_stack(|| {
        let terms: Vec<String> = (0..5000).map(|i| format!("id = {i}")).collect();
        let sql = format!("SELECT id FROM t WHERE {}", terms.join(" OR "));
        let err = SqlQuery::new(&sql).compile().unwrap_err();
        assert!(
            matches!(&err, Error::Sql { reason, .. } if reason.contains("deeper than")),
            "{err:?}"
        );
        // A hundred terms are fine.
        let sql = format!("SELECT id FROM t WHERE {}", terms[..100].join(" OR "));
        assert!(SqlQuery::new(&sql).compile().is_ok());
        // The DSL: a chain of 5,000 ORs.
        let mut e = col("id").eq(0);
        for i in 1..5000 {
            e = e.or(col("id").eq(i));
        }
        let err = TableRef::named("t")
            .select(["id"])
            .filter(e)
            .compile()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidQuery(m) if m.contains("deeper than")),
            "{err:?}"
        );
    });
}

#[test]
fn i64_min_never_panics_or_turns_into_null() {
    for (sql, bind) in [
        ("SELECT id FROM t WHERE id > -9223372036854775808", None),
        ("SELECT id FROM t WHERE id > -?", Some(i64::MIN)),
        ("SELECT id FROM t WHERE id > 9223372036854775808", None),
    ] {
        let q = match bind {
            Some(v) => SqlQuery::new(sql).bind(v),
            None => SqlQuery::new(sql),
        };
        let err = on_small_stack(move || q.compile()).unwrap_err();
        assert!(matches!(err, Error::Sql { .. }), "{sql}: {err:?}");
    }
    // The largest negation that exists is fine.
    let q = SqlQuery::new("SELECT id FROM t WHERE id > -9223372036854775807");
    assert!(q.to_rayfall().unwrap().contains("-9223372036854775807"));
}

#[test]
fn strings_nulls_wildcards_and_count_star_behave_as_sql_says() {
    let (_server, mut c) = common::connected();
    c.execute(
        "(set notes (table [id s n] (list [1 2 3 4] ['a*b 'axb 'a?c 'abc] [\"a*b\" \"axb\" \"a?c\" \"abc\"])))",
    )
    .unwrap();
    let ids = |c: &mut Client, q: &SqlQuery| -> Vec<i64> {
        let t = c.execute(q).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        match &t.as_table().unwrap().columns()[0] {
            Value::Vector(rayforce_client::Vector::I64(v)) => v.clone(),
            other => panic!("{other:?}"),
        }
    };
    // IN with strings matches a STR column and a SYMBOL column alike (DSL and SQL).
    for column in ["s", "n"] {
        let dsl = TableRef::named("notes")
            .select(["id"])
            .filter(col(column).is_in(["axb", "abc"]));
        let by_dsl = c.execute(&dsl).unwrap();
        let t = by_dsl.as_table().unwrap();
        assert_eq!(t.num_rows(), 2, "{column}: {by_dsl}");
        let sql = SqlQuery::new(&format!(
            "SELECT id FROM notes WHERE {column} IN ('axb', 'abc')"
        ));
        assert_eq!(ids(&mut c, &sql), vec![2, 4], "{column}");
    }
    // LIKE: the server's own wildcards in a SQL pattern are matched literally.
    for column in ["s", "n"] {
        let sql =
            |p: &str| SqlQuery::new(&format!("SELECT id FROM notes WHERE {column} LIKE '{p}'"));
        assert_eq!(ids(&mut c, &sql("a*b")), vec![1], "{column}");
        assert_eq!(ids(&mut c, &sql("a?c")), vec![3], "{column}");
        assert_eq!(ids(&mut c, &sql("a_b")), vec![1, 2], "{column}");
        assert_eq!(ids(&mut c, &sql("a%")), vec![1, 2, 3, 4], "{column}");
    }
    // COUNT(*) outside the select list is refused, never sent half-translated.
    for sql in [
        "SELECT id FROM notes WHERE COUNT(*) > 1",
        "UPDATE notes SET id = COUNT(*)",
    ] {
        let err = SqlQuery::new(sql).compile().unwrap_err();
        assert!(err.to_string().contains("COUNT(*)"), "{sql}: {err}");
    }
    // NULL takes its column's type, in one-row and many-row inserts, with and without a
    // column list, and when a column holds nothing but NULLs.
    c.execute("(set people (table [id name score day] (list [1] ['ann] [1.5] [2024.01.01])))")
        .unwrap();
    for sql in [
        "INSERT INTO people VALUES (2, NULL, NULL, NULL)",
        "INSERT INTO people (id, name, score, day) VALUES (3, 'bo', NULL, NULL)",
        "INSERT INTO people (id, score, name, day) VALUES (4, NULL, NULL, DATE '2024-01-04'), (5, 2.5, NULL, NULL)",
        "INSERT INTO people VALUES (6, 'cy', 3.5, DATE '2024-01-06'), (7, NULL, NULL, NULL)",
    ] {
        c.execute(&SqlQuery::new(sql)).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let t = c.execute("people").unwrap();
    let t = t.as_table().unwrap();
    assert_eq!(t.num_rows(), 7);
    assert_eq!(
        t.column("id").unwrap(),
        &Value::from(vec![1i64, 2, 3, 4, 5, 6, 7])
    );
    let names: Vec<String> = match t.column("name").unwrap() {
        Value::Vector(rayforce_client::Vector::Symbol(s)) => {
            s.iter_lossy().map(|x| x.into_owned()).collect()
        }
        other => panic!("name column changed type: {other:?}"),
    };
    assert_eq!(names, ["ann", "", "bo", "", "", "cy", ""]);
    match t.column("score").unwrap() {
        Value::Vector(rayforce_client::Vector::F64(v)) => {
            assert_eq!(v.iter().filter(|x| x.is_nan()).count(), 4, "{v:?}");
            assert_eq!(v[4], 2.5);
        }
        other => panic!("score column changed type: {other:?}"),
    }
    assert!(matches!(
        t.column("day").unwrap(),
        Value::Vector(rayforce_client::Vector::Date(_))
    ));
    // The null symbol atom is the empty symbol, not a lookup of the empty name.
    let v = c
        .execute(&Value::call(
            "list",
            [Value::TypedNull(rayforce_client::Type::Symbol)],
        ))
        .unwrap();
    assert_eq!(v, Value::List(vec![Value::symbol("")]));
}

/// With a bound table, the statement's only table is that table whatever the SQL calls it
/// (it used to query a server table named `t` and fail with `name`); joins keep `self`.
#[test]
fn a_bound_table_is_the_statements_only_table() {
    let (_server, mut c) = common::connected();
    c.execute(EMPLOYEES).unwrap();
    let bound = || TableRef::named("employees");
    for sql in [
        "SELECT id FROM t WHERE age > 30",
        "SELECT id FROM self WHERE age > 30",
        "SELECT id FROM employees WHERE age > 30",
    ] {
        let q = SqlQuery::on(bound(), sql);
        assert_eq!(
            q.compile().unwrap(),
            bound()
                .select(["id"])
                .filter(col("age").gt(30))
                .compile()
                .unwrap(),
            "{sql}"
        );
        let rows = c.execute(&q).unwrap();
        assert_eq!(rows.as_table().unwrap().num_rows(), 3, "{sql}");
    }
    c.execute(&SqlQuery::on(
        bound(),
        "UPDATE t SET salary = 1.0 WHERE id = 1",
    ))
    .unwrap();
    let one = c
        .execute(&SqlQuery::on(bound(), "SELECT salary FROM x WHERE id = 1"))
        .unwrap();
    assert_eq!(
        one.as_table().unwrap().columns()[0],
        Value::from(vec![1.0f64])
    );
}

/// `ON CONFLICT (k) DO UPDATE SET c = excluded.c` for some columns: existing keys get only
/// the named columns, new keys are inserted whole; checked row by row against what the SQL
/// standard says the table must hold.
#[test]
fn partial_upserts_update_only_the_named_columns() {
    let (_server, mut c) = common::connected();
    c.execute("(set stock (table [sku qty price note] (list ['a 'b 'c] [1 2 3] [10.0 20.0 30.0] ['x 'y 'z])))")
        .unwrap();
    let q = SqlQuery::new(
        "INSERT INTO stock (sku, qty, price, note) VALUES ('b', 50, 99.0, 'new-b'), ('d', 7, 70.0, 'new-d'), ('a', 11, 11.0, 'new-a') \
         ON CONFLICT (sku) DO UPDATE SET qty = excluded.qty, note = excluded.note",
    );
    c.execute(&q).unwrap();
    let t = c.execute("stock").unwrap();
    let t = t.as_table().unwrap();
    let col = |name: &str| t.column(name).unwrap().clone();
    assert_eq!(col("sku"), Value::symbols(["a", "b", "c", "d"]));
    assert_eq!(
        col("qty"),
        Value::from(vec![11i64, 50, 3, 7]),
        "qty set from excluded"
    );
    assert_eq!(
        col("price"),
        Value::from(vec![10.0, 20.0, 30.0, 70.0]),
        "price kept on conflict, taken whole for the new key"
    );
    assert_eq!(
        col("note"),
        Value::symbols(["new-a", "new-b", "z", "new-d"])
    );
    // The same statement as text evaluates the same way.
    c.execute("(set stock (table [sku qty price note] (list ['a 'b 'c] [1 2 3] [10.0 20.0 30.0] ['x 'y 'z])))")
        .unwrap();
    c.execute(&q.to_rayfall().unwrap()).unwrap();
    assert_eq!(c.execute("stock").unwrap().as_table().unwrap(), t);
}

/// `LIMIT n OFFSET m` pages through ordered rows on the server.
#[test]
fn limit_and_offset_page_through_rows() {
    let (_server, mut c) = common::connected();
    c.execute("(set pg (table [id] (list [5 3 9 1 7])))")
        .unwrap();
    let ids = |c: &mut rayforce_client::Client, sql: &str| -> Vec<i64> {
        let t = c.execute(&SqlQuery::new(sql)).unwrap();
        t.as_table()
            .unwrap()
            .column("id")
            .unwrap()
            .as_vector()
            .unwrap()
            .as_i64()
            .unwrap()
            .to_vec()
    };
    assert_eq!(
        ids(&mut c, "SELECT id FROM pg ORDER BY id LIMIT 2 OFFSET 1"),
        [3, 5]
    );
    assert_eq!(
        ids(&mut c, "SELECT id FROM pg ORDER BY id OFFSET 3"),
        [7, 9]
    );
    assert_eq!(
        ids(&mut c, "SELECT id FROM pg ORDER BY id LIMIT 2 OFFSET 4"),
        [9]
    );
}
