//! Property tests (proptest):
//! * encode → decode is the identity for arbitrary values of every type, nested lists,
//!   dicts and tables, nulls included, and `encoded_len` is exact;
//! * the decoder, the frame reader and the decompressor never panic on arbitrary or
//!   mutated bytes (the same entry points as the cargo-fuzz targets in `fuzz/`);
//! * generated queries render to text that the real server evaluates to the same result
//!   as the expression tree (a bounded sample).

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rayforce_client::query::{col, lit, Expr, TableRef};
use rayforce_client::wire::{self, Limits};
use rayforce_client::{
    Date, Dict, Guid, Symbol, Text, TextColumn, Time, Timestamp, Type, Value, Vector,
};

fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z]{0,8}".prop_map(String::into_bytes),
        "\\PC{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

fn symbol_bytes() -> impl Strategy<Value = Vec<u8>> {
    text_bytes().prop_map(|b| b.into_iter().filter(|c| *c != 0).collect())
}

fn elem_type() -> impl Strategy<Value = Type> {
    proptest::sample::select(Type::ALL.to_vec())
}

fn atom() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<u8>().prop_map(Value::U8),
        any::<i16>().prop_map(Value::I16),
        any::<i32>().prop_map(Value::I32),
        any::<i64>().prop_map(Value::I64),
        any::<f32>().prop_map(Value::F32),
        any::<f64>().prop_map(Value::F64),
        any::<i32>().prop_map(|d| Value::Date(Date(d))),
        any::<i32>().prop_map(|t| Value::Time(Time(t))),
        any::<i64>().prop_map(|t| Value::Timestamp(Timestamp(t))),
        any::<[u8; 16]>().prop_map(|g| Value::Guid(Guid(g))),
        (symbol_bytes(), any::<bool>()).prop_map(|(b, quoted)| Value::Symbol(Symbol {
            text: Text::from_bytes(b),
            quoted
        })),
        text_bytes().prop_map(|b| Value::Str(Text::from_bytes(b))),
        elem_type().prop_map(Value::TypedNull),
        Just(Value::Null),
    ]
}

fn vector(len: usize) -> impl Strategy<Value = Vector> {
    use proptest::collection::vec;
    prop_oneof![
        vec(any::<bool>(), len).prop_map(Vector::Bool),
        vec(any::<u8>(), len).prop_map(Vector::U8),
        vec(any::<i16>(), len).prop_map(Vector::I16),
        vec(any::<i32>(), len).prop_map(Vector::I32),
        vec(any::<i64>(), len).prop_map(Vector::I64),
        vec(any::<f32>(), len).prop_map(Vector::F32),
        vec(any::<f64>(), len).prop_map(Vector::F64),
        vec(any::<i32>().prop_map(Date), len).prop_map(Vector::Date),
        vec(any::<i32>().prop_map(Time), len).prop_map(Vector::Time),
        vec(any::<i64>().prop_map(Timestamp), len).prop_map(Vector::Timestamp),
        vec(any::<[u8; 16]>().prop_map(Guid), len).prop_map(Vector::Guid),
        vec(symbol_bytes(), len).prop_map(|v| Vector::Symbol(v.into_iter().collect())),
        vec(text_bytes(), len).prop_map(|v| Vector::Str(v.into_iter().collect())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        atom(),
        (0usize..6).prop_flat_map(vector).prop_map(Value::Vector),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::List),
            proptest::collection::vec((symbol_bytes(), inner.clone()), 0..4)
                .prop_map(|pairs| { Value::Dict(Dict::from_pairs(pairs)) }),
            (0usize..4, 1usize..4).prop_flat_map(|(rows, cols)| {
                (
                    proptest::collection::vec(symbol_bytes(), cols),
                    proptest::collection::vec(vector(rows).prop_map(Value::Vector), cols),
                )
                    .prop_map(|(names, columns)| {
                        let names: TextColumn = names.into_iter().collect();
                        Value::Table(
                            rayforce_client::value::Table::from_parts(names, columns).unwrap(),
                        )
                    })
            }),
        ]
    })
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    #[test]
    fn encode_decode_is_the_identity(v in value()) {
        let bytes = wire::encode(&v).unwrap();
        prop_assert_eq!(bytes.len(), wire::encoded_len(&v));
        let back = wire::decode(&bytes, &Limits::default()).unwrap();
        // The one deliberate exception: a null symbol atom travels as the empty quoted
        // symbol `'` (the server reads anything else as a name lookup).
        let expected = format!("{v:?}")
            .replace("TypedNull(Symbol)", "Symbol(Symbol { text: \"\", quoted: true })");
        prop_assert!(format!("{back:?}") == expected, "{:?}\n{:?}", v, back);
        prop_assert_eq!(wire::encode(&back).unwrap(), bytes);
    }

    #[test]
    fn compression_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..4000), runs in any::<bool>()) {
        let input: Vec<u8> = if runs { bytes.iter().flat_map(|b| std::iter::repeat_n(*b, (*b % 7) as usize)).collect() } else { bytes };
        let packed = wire::compress(&input);
        prop_assert_eq!(wire::decompress(&packed, usize::MAX).unwrap(), input);
    }
}

/// The fuzz entry points: none may panic, whatever the bytes.
fn fuzz_decode(bytes: &[u8]) {
    let limits = Limits {
        max_depth: 64,
        ..Limits::default()
    };
    if let Ok(v) = wire::decode(bytes, &limits) {
        // Whatever decodes re-encodes to the same bytes (NUL-free symbols aside).
        if let Ok(again) = wire::encode(&v) {
            let v2 = wire::decode(&again, &limits).unwrap();
            assert!(same(&v, &v2));
        }
    }
}

fn fuzz_frame(bytes: &[u8]) {
    if let Ok(frame) = rayforce_client::transport::read_frame(&mut &bytes[..], 1 << 20) {
        let _ = frame.value(&Limits {
            max_decompressed_size: 1 << 20,
            ..Limits::default()
        });
    }
    let _ = wire::Frame::parse(bytes, &Limits::default());
}

fn fuzz_decompress(bytes: &[u8]) {
    if let Ok(out) = wire::decompress(bytes, 1 << 20) {
        assert!(out.len() <= 1 << 20);
    }
}

proptest! {
    #![proptest_config(Config { cases: 20_000, ..Config::default() })]

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        fuzz_decode(&bytes);
        fuzz_frame(&bytes);
        fuzz_decompress(&bytes);
    }
}

proptest! {
    #![proptest_config(Config { cases: 3000, ..Config::default() })]

    #[test]
    fn decoders_never_panic_on_mutated_valid_bytes(
        v in value(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = wire::encode(&v).unwrap();
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let cut = cut.index(bytes.len() + 1);
        fuzz_decode(&bytes[..cut]);
        let mut frame = wire::Frame::new(wire::MsgType::Response, bytes.clone()).to_bytes();
        frame.truncate(cut + 16);
        fuzz_frame(&frame);
        let packed = wire::compress(&bytes);
        fuzz_decompress(&packed[..cut.min(packed.len())]);
    }
}

/// A client's bytes to the native server: hello, credentials when `password`, then the
/// given values as SYNC frames (every other one compressed).
fn client_session(password: bool, values: &[Value]) -> Vec<u8> {
    let mut out = vec![u8::from(password), 3, 0];
    if password {
        out.extend_from_slice(&rayforce_client::wire::handshake::credentials("u", "pw").unwrap());
    }
    for (i, v) in values.iter().enumerate() {
        let payload = wire::encode(v).unwrap();
        let frame = if i % 2 == 1 {
            wire::Frame::compressed(wire::MsgType::Sync, payload)
        } else {
            wire::Frame::new(wire::MsgType::Sync, payload)
        };
        out.extend_from_slice(&frame.to_bytes());
    }
    out
}

proptest! {
    #![proptest_config(Config { cases: 2000, ..Config::default() })]

    /// The server's connection handling (the cargo-fuzz target `server_requests`) never
    /// panics and always releases its memory budget, on sessions with a few edits.
    #[test]
    fn server_connections_never_panic_on_mutated_sessions(
        password in any::<bool>(),
        values in proptest::collection::vec(value(), 0..4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = client_session(password, &values);
        for (i, b) in edits {
            let at = 1 + i.index(bytes.len() - 1);
            bytes[at] = b;
        }
        let cut = cut.index(bytes.len() + 1);
        rayforce_client::server::fuzz_connection(&bytes[..cut]);
    }
}

// ---- text rendering against the real server -------------------------------------------

const NUMS: &str =
    "(set nums (table [id x px sym note day] (list (til 20) (- 10 (til 20)) (* 0.5 (til 20)) \
    (take ['a 'b 'c 'd] 20) (take [\"p\" \"q \\\"r\\\"\" \"s\\nt\"] 20) (+ 2024.01.01 (til 20)))))";

fn int_col() -> impl Strategy<Value = Expr> {
    prop_oneof![Just(col("id")), Just(col("x"))]
}

fn predicate() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (int_col(), -12i64..25).prop_map(|(c, n)| c.gt(n)),
        (int_col(), -12i64..25).prop_map(|(c, n)| c.le(n)),
        (-2.0f64..12.0).prop_map(|f| col("px").ge(f)),
        proptest::sample::select(vec!["a", "b", "c", "zz"])
            .prop_map(|s| col("sym").eq(rayforce_client::query::sym(s))),
        proptest::sample::subsequence(vec!["a", "b", "c", "d"], 0..4)
            .prop_map(|v| col("sym").is_in(v)),
        proptest::sample::select(vec!["p", "q \"r\"", "s\nt", "(exit 0)"])
            .prop_map(|s| col("note").eq(s)),
        (0i64..20, 0i64..20).prop_map(|(a, b)| col("id").within(a.min(b), a.max(b))),
        (0u32..25).prop_map(|d| col("day").lt(lit(Value::Date(
            Date::from_ymd(2024, 1, 1 + d.min(27)).unwrap()
        )))),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a & b),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a | b),
            inner.prop_map(|a| !a),
        ]
    })
}

#[test]
fn rendered_text_evaluates_like_the_tree_on_the_real_server() {
    let (_server, mut client) = common::connected();
    client.execute(NUMS).unwrap();
    let client = std::cell::RefCell::new(client);
    let mut runner = TestRunner::new(Config {
        cases: 96,
        ..Config::default()
    });
    let strategy = (
        predicate(),
        proptest::option::of(0i64..25),
        any::<bool>(),
        proptest::sample::subsequence(vec!["id", "x", "px", "sym", "note", "day"], 1..6),
    );
    runner
        .run(&strategy, |(pred, limit, descending, cols)| {
            let mut q = TableRef::named("nums").select(cols).filter(pred);
            q = q.order_by([if descending {
                rayforce_client::query::desc("id")
            } else {
                rayforce_client::query::asc("id")
            }]);
            if let Some(n) = limit {
                q = q.limit(n);
            }
            let text = q.to_rayfall().unwrap();
            let by_tree = client.borrow_mut().execute(&q).unwrap();
            let by_text = client.borrow_mut().execute(&text).unwrap();
            prop_assert!(
                same(&by_tree, &by_text),
                "{}\ntree: {:?}\ntext: {:?}",
                text,
                by_tree,
                by_text
            );
            Ok(())
        })
        .unwrap();
}

/// Names and texts an attacker (or an unlucky user) might pick.
fn hostile_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        symbol_bytes(),
        proptest::sample::select(vec![
            "(set pwned 1)",
            "a b",
            "x)",
            "'q",
            "1abc",
            "-1",
            ".5",
            "true",
            "null",
            "0Nl",
            "from",
            "by",
            "where",
            "a:b",
            "é",
            "\"",
            "\\",
            "a\nb",
            "",
            "+",
            "<=",
            "a-b",
            "_x",
            ".sys.args",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        Just(b"nul\0inside".to_vec()),
        Just(vec![0xff, 0xfe, b'a']),
    ]
}

/// Atoms and vectors with the edges of every type: each integer type's smallest value
/// (its null on the wire), infinities, NaN, dates and times outside the literal ranges.
fn extreme_leaf() -> impl Strategy<Value = Value> {
    let edges = vec![
        Value::I16(i16::MIN),
        Value::I16(i16::MAX),
        Value::I32(i32::MIN),
        Value::I32(i32::MAX),
        Value::I64(i64::MIN),
        Value::I64(i64::MAX),
        Value::F64(f64::INFINITY),
        Value::F64(f64::NEG_INFINITY),
        Value::F64(f64::NAN),
        Value::F64(-0.0),
        Value::F64(f64::MIN_POSITIVE),
        Value::F64(f64::MAX),
        Value::F32(f32::MAX),
        Value::F32(f32::INFINITY),
        Value::Date(Date(i32::MAX)),
        Value::Date(Date(i32::MIN + 1)),
        Value::Date(Date(-730_119)),
        Value::Date(Date(2_921_939)),
        Value::Time(Time(-5)),
        Value::Time(Time(i32::MAX)),
        Value::Time(Time(86_399_999)),
        Value::Timestamp(Timestamp(i64::MAX)),
        Value::Timestamp(Timestamp(i64::MIN + 1)),
        Value::Timestamp(Timestamp(0)),
        Value::Vector(Vector::I16(vec![i16::MIN, 1])),
        Value::Vector(Vector::Date(vec![Date(i32::MAX), Date(0), Date(i32::MIN)])),
        Value::Vector(Vector::Time(vec![Time(-1), Time(i32::MIN)])),
        Value::Vector(Vector::Timestamp(vec![Timestamp(i64::MAX), Timestamp(5)])),
        Value::Vector(Vector::F64(vec![1.0, f64::INFINITY])),
        Value::TypedNull(Type::Symbol),
        Value::TypedNull(Type::Bool),
    ];
    prop_oneof![
        proptest::sample::select(edges),
        atom(),
        (0usize..4).prop_flat_map(vector).prop_map(Value::Vector),
        (hostile_text(), any::<bool>()).prop_map(|(b, quoted)| Value::Symbol(Symbol {
            text: Text::from_bytes(b),
            quoted
        })),
        hostile_text().prop_map(|b| Value::Str(Text::from_bytes(b))),
        proptest::collection::vec(hostile_text(), 0..3)
            .prop_map(|v| Value::Vector(Vector::Symbol(v.into_iter().collect()))),
    ]
}

/// Every value renders to text that the server evaluates exactly like the tree, or
/// rendering fails with `Error::Render`: a hostile name never runs as code.
#[test]
fn values_render_to_text_that_evaluates_like_the_tree_or_not_at_all() {
    let (_server, mut client) = common::connected();
    client.execute("(set pwned 0)").unwrap();
    let client = std::cell::RefCell::new(client);
    let rendered = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 1000,
        ..Config::default()
    });
    runner
        .run(&extreme_leaf(), |v| {
            // `(list v)` evaluates `v` as an argument, the way a query uses a value.
            let tree = Value::call("list", [v.clone()]);
            let text = match tree.to_rayfall() {
                Ok(text) => text,
                Err(e) => {
                    prop_assert!(matches!(e, rayforce_client::Error::Render(_)), "{e:?}");
                    return Ok(());
                }
            };
            rendered.set(rendered.get() + 1);
            let mut c = client.borrow_mut();
            let by_tree = c.execute(&tree);
            let by_text = c.execute(&text);
            // The quote flag of a symbol in a result is not part of its value: the server
            // drops it itself (`(first ['ab])` and `(as 'symbol "a b")` answer flags 0).
            // A float NaN (an empty string) is the float (string) null whether or not the
            // atom's null flag is set.
            let outcome = |r: &rayforce_client::Result<Value>| match r {
                Ok(v) => format!("{v:?}")
                    .replace("quoted: true", "quoted: false")
                    .replace("F64(NaN)", "TypedNull(F64)")
                    .replace("F32(NaN)", "TypedNull(F32)")
                    .replace("Str(\"\")", "TypedNull(Str)"),
                Err(e) => format!("error {:?}", e.server_code()),
            };
            prop_assert_eq!(
                outcome(&by_tree),
                outcome(&by_text),
                "value {:?} rendered as {}",
                v,
                text
            );
            Ok(())
        })
        .unwrap();
    let mut c = client.borrow_mut();
    assert_eq!(
        c.execute("pwned").unwrap(),
        Value::I64(0),
        "a name ran as code"
    );
    assert!(
        rendered.get() > 500,
        "only {} of 1000 rendered",
        rendered.get()
    );
}
