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
use rayforce::query::{col, lit, Expr, Table};
use rayforce::wire::{self, Limits};
use rayforce::{Date, Dict, Guid, Symbol, Text, TextColumn, Time, Timestamp, Type, Value, Vector};

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
                        Value::Table(rayforce::value::Table::from_parts(names, columns).unwrap())
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
        prop_assert!(same(&back, &v), "{:?}\n{:?}", v, back);
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
    if let Ok(frame) = rayforce::transport::read_frame(&mut &bytes[..], 1 << 20) {
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
            .prop_map(|s| col("sym").eq(rayforce::query::sym(s))),
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
            let mut q = Table::named("nums").select(cols).filter(pred);
            q = q.order_by([if descending {
                rayforce::query::desc("id")
            } else {
                rayforce::query::asc("id")
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
