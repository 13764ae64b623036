//! Values and expressions against the real server: every type round-trips, text and
//! expression-tree requests, name-reference vs quoted symbols, server error codes.

mod common;

use rayforce_client::{
    Date, Dict, Error, Guid, ServerErrorCode, Table, Text, TextColumn, Time, Timestamp, Type,
    Value, Vector,
};

fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn every_type() -> Vec<Value> {
    let guid: Guid = "00112233-4455-6677-8899-aabbccddeeff".parse().unwrap();
    let mut values = vec![
        Value::Bool(true),
        Value::Bool(false),
        Value::U8(255),
        Value::I16(-12),
        Value::I32(123_456),
        Value::I64(i64::MAX),
        Value::I64(-9_223_372_036_854_775_807),
        Value::F32(1.5),
        Value::F64(-0.1),
        Value::Date(Date::from_ymd(2024, 1, 2).unwrap()),
        Value::Time(Time::from_hms_milli(12, 34, 56, 789).unwrap()),
        Value::Timestamp(Timestamp(757_514_096_123_456_789)),
        Value::Guid(guid),
        Value::symbol("abc"),
        Value::symbol("with space ✓"),
        Value::from("hello \"world\"\n(exit 0)"),
        Value::from(""),
        Value::Null,
        Value::from(vec![true, false]),
        Value::from(vec![1u8, 2, 255]),
        Value::from(vec![Some(1i16), None]),
        Value::from(vec![Some(1i32), None]),
        Value::from(vec![Some(1i64), None, Some(3)]),
        Value::from(vec![Some(1.5f32), None]),
        Value::from(vec![Some(1.5f64), None]),
        Value::from(vec![Some(Date(8767)), None]),
        Value::from(vec![Some(Time(1000)), None]),
        Value::from(vec![Some(Timestamp(1)), None]),
        Value::from(vec![guid, Guid([7; 16])]),
        Value::Vector(Vector::Symbol(["a", "b c", "ünï"].into_iter().collect())),
        Value::from(vec!["x", "", "日本語"]),
        Value::List(vec![
            Value::I64(1),
            Value::symbol("a"),
            Value::from("s"),
            Value::from(vec![1i64, 2]),
        ]),
        Value::Dict(Dict::from_pairs([
            ("a", Value::I64(1)),
            ("b", Value::from("x")),
        ])),
        Value::Table(
            Table::new(
                ["id", "sym", "px", "ts"],
                vec![
                    Value::from(vec![1i64, 2]),
                    Value::Vector(Vector::Symbol(["x", "y"].into_iter().collect())),
                    Value::from(vec![1.5, 2.5]),
                    Value::from(vec![Timestamp(0), Timestamp(1)]),
                ],
            )
            .unwrap(),
        ),
    ];
    for t in Type::ALL {
        if !matches!(t, Type::Bool | Type::U8 | Type::Symbol | Type::Str) {
            values.push(Value::TypedNull(t));
        }
        values.push(Value::Vector(Vector::empty(t)));
    }
    values
}

#[test]
fn every_type_round_trips_through_the_server() {
    let (_server, mut client) = common::connected();
    for value in every_type() {
        // A top-level STR atom is Rayfall source and a LIST is a call (wire spec §6), so
        // those go inside `(quote …)`; every other value is sent bare and echoed.
        let request = match &value {
            Value::Str(_) | Value::List(_) => Value::call("quote", [value.clone()]),
            _ => value.clone(),
        };
        let back = client
            .execute(&request)
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert!(same(&back, &value), "sent {value:?}\n got {back:?}");
    }
}

#[test]
fn every_type_round_trips_through_the_servers_own_ser_and_de() {
    // The server re-serializes what it decoded: (ser x) must equal our header + payload.
    let (_server, mut client) = common::connected();
    for value in every_type() {
        if matches!(value, Value::Null) {
            continue; // (ser null) as an argument is the null object itself
        }
        let quoted = Value::call("quote", [value.clone()]);
        let ser = client.execute(&Value::call("ser", [quoted])).unwrap();
        let bytes = ser.as_vector().and_then(|v| v.as_u8()).unwrap().to_vec();
        let payload = rayforce_client::wire::encode(&value).unwrap();
        assert_eq!(&bytes[16..], &payload[..], "(ser {value:?})");
    }
}

#[test]
fn text_and_expression_requests() {
    let (_server, mut client) = common::connected();
    assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
    assert_eq!(
        client.execute(&"(til 3)".to_string()).unwrap(),
        Value::from(vec![0i64, 1, 2])
    );
    assert_eq!(client.execute("").unwrap(), Value::Null);
    let tree = Value::call("+", [Value::I64(40), Value::I64(2)]);
    assert_eq!(client.execute(&tree).unwrap(), Value::I64(42));
    // Nested calls are evaluated too.
    let nested = Value::call("sum", [Value::call("til", [Value::I64(10)])]);
    assert_eq!(client.execute(&nested).unwrap(), Value::I64(45));
}

#[test]
fn name_references_look_up_and_quoted_symbols_are_data() {
    let (_server, mut client) = common::connected();
    client.execute("(set aa 41)").unwrap();
    // A name reference (flags 0) is a variable lookup.
    assert_eq!(client.execute(&Value::name("aa")).unwrap(), Value::I64(41));
    let plus = Value::call("+", [Value::name("aa"), Value::I64(1)]);
    assert_eq!(client.execute(&plus).unwrap(), Value::I64(42));
    // A quoted symbol is a literal: it comes back as itself...
    assert_eq!(
        client.execute(&Value::symbol("aa")).unwrap(),
        Value::symbol("aa")
    );
    // ...and adding it to a number is a type error, as the spec says.
    let bad = Value::call("+", [Value::symbol("aa"), Value::I64(1)]);
    assert_eq!(
        client.execute(&bad).unwrap_err().server_code(),
        Some(&ServerErrorCode::Type)
    );
    // set with a quoted name stores a global.
    let set = Value::call("set", [Value::symbol("bb"), Value::from("v")]);
    client.execute(&set).unwrap();
    assert_eq!(client.execute("bb").unwrap(), Value::from("v"));
}

#[test]
fn hostile_strings_travel_as_data() {
    let (_server, mut client) = common::connected();
    for s in [
        "\"); (exit 0); (\"",
        "(exit 0)",
        "back\\slash \\\" quote",
        "new\nline\ttab\rcr",
        "nul\0inside",
        "日本語 ✓",
    ] {
        let set = Value::call("set", [Value::symbol("hostile"), Value::from(s)]);
        client.execute(&set).unwrap();
        let back = client.execute("hostile").unwrap();
        assert_eq!(back, Value::Str(Text::from(s)), "{s:?}");
    }
    // Invalid UTF-8 survives byte for byte.
    let raw = Value::Str(Text::from_bytes(vec![0xff, 0xfe, b'a']));
    let quoted = Value::call("quote", [raw.clone()]);
    assert_eq!(client.execute(&quoted).unwrap(), raw);
    // A NUL inside a symbol cannot travel: a typed error, nothing is sent.
    let err = client.execute(&Value::symbol("a\0b")).unwrap_err();
    assert!(matches!(err, Error::Encode(_)), "{err:?}");
    assert_eq!(client.execute("(+ 1 1)").unwrap(), Value::I64(2));
}

#[test]
fn server_errors_map_to_their_codes() {
    let (_server, mut client) = common::connected();
    client
        .execute("(set employees (table [id name] (list [1 2] ['a 'b])))")
        .unwrap();
    let cases = [
        ("(+ 1 'a)", ServerErrorCode::Type),
        ("undefinedname", ServerErrorCode::Name),
        ("\"abc", ServerErrorCode::Parse),
        ("(+ [1 2] [1 2 3])", ServerErrorCode::Length),
        ("(raise \"boom\")", ServerErrorCode::Domain),
        (
            "(select {nosuch: nosuch from: employees})",
            ServerErrorCode::Schema,
        ),
        ("(set \"x\" 1)", ServerErrorCode::Type),
    ];
    for (text, code) in cases {
        match client.execute(text) {
            Err(Error::Server { code: got, addr }) => {
                assert_eq!(got, code, "{text}");
                assert!(addr.starts_with("127.0.0.1:"));
            }
            other => panic!("{text}: expected {code}, got {other:?}"),
        }
        // The connection stays usable after a server error.
        assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));
    }
}

#[test]
fn dict_and_table_accessors_on_server_results() {
    let (_server, mut client) = common::connected();
    let d = client.execute("{a: 1 b: \"x\"}").unwrap();
    let d = d.as_dict().unwrap();
    assert_eq!(d.get("a"), Some(Value::I64(1)));
    assert_eq!(d.get("b"), Some(Value::from("x")));
    let t = client
        .execute("(table [id name] (list [1 2] ['alice 'bob]))")
        .unwrap();
    let t = t.as_table().unwrap();
    assert_eq!(t.num_rows(), 2);
    let names: &TextColumn = t
        .column("name")
        .unwrap()
        .as_vector()
        .unwrap()
        .as_symbols()
        .unwrap();
    assert_eq!(names.get_str(1), Some("bob"));
    let text = t.to_string();
    assert!(text.starts_with("id  name"), "{text}");
    assert!(text.contains("alice"), "{text}");
}

/// A lambda without parameters arrives with an empty I64 vector as its parameter list
/// (the server's empty `[]`); it decodes (it used to kill the connection as malformed), and
/// sent back it still evaluates.
#[test]
fn lambdas_without_parameters_decode_and_travel_back() {
    let (_server, mut client) = common::connected();
    let f = client.execute("(set f0 (fn [] (+ 40 2)))").unwrap();
    match &f {
        Value::Lambda(l) => assert!(l.params.is_empty(), "{l:?}"),
        other => panic!("{other:?}"),
    }
    assert!(client.is_alive());
    assert_eq!(client.execute("(f0)").unwrap(), Value::I64(42));
    let call = Value::List(vec![f]);
    assert_eq!(client.execute(&call).unwrap(), Value::I64(42));
}
