//! Every captured vector in `shared/spec/vectors/` (see its `index.tsv`) decodes to the
//! value its row describes and re-encodes byte for byte; every frame and handshake parses.
//! No file is skipped: the test fails if any row of the index is not checked.
//!
//! The vectors are read from `$RAYFORCE_VECTORS`, else `../shared/spec/vectors` beside the
//! repository, else the copy in `tests/vectors/`.

use rayforce_client::wire::{self, handshake, Frame, Limits, MsgType};
use rayforce_client::{
    Builtin, BuiltinKind, DecodeError, Dict, Guid, Lambda, ServerErrorCode, Symbol, Table, Text,
    TextColumn, Type, Value, Vector,
};
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RAYFORCE_VECTORS") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/spec/vectors");
    if shared.join("index.tsv").is_file() {
        shared
    } else {
        root.join("tests/vectors")
    }
}

fn read_hex(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(vectors_dir().join(name))
        .unwrap_or_else(|e| panic!("cannot read vector {name}: {e}"));
    let text = text.trim();
    assert!(text.len() % 2 == 0, "{name}: odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

// ---- a tiny parser for the Python-literal "decoded:" descriptions -----------------------

#[derive(Debug, Clone)]
enum Py {
    Str(String),
    Int(i128),
    Float(f64),
    Seq(Vec<Py>),
}

impl Py {
    fn str(&self) -> &str {
        match self {
            Py::Str(s) => s,
            other => panic!("expected a string, got {other:?}"),
        }
    }
    fn int(&self) -> i128 {
        match self {
            Py::Int(i) => *i,
            other => panic!("expected an int, got {other:?}"),
        }
    }
    fn float(&self) -> f64 {
        match self {
            Py::Float(f) => *f,
            Py::Int(i) => *i as f64,
            other => panic!("expected a float, got {other:?}"),
        }
    }
    fn seq(&self) -> &[Py] {
        match self {
            Py::Seq(items) => items,
            other => panic!("expected a sequence, got {other:?}"),
        }
    }
}

fn parse_py(text: &str) -> Py {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    parse_py_at(&chars, &mut pos)
}

fn parse_py_at(c: &[char], pos: &mut usize) -> Py {
    while c[*pos] == ' ' {
        *pos += 1;
    }
    match c[*pos] {
        '(' | '[' => {
            let close = if c[*pos] == '(' { ')' } else { ']' };
            *pos += 1;
            let mut items = Vec::new();
            loop {
                while c[*pos] == ' ' || c[*pos] == ',' {
                    *pos += 1;
                }
                if c[*pos] == close {
                    *pos += 1;
                    return Py::Seq(items);
                }
                items.push(parse_py_at(c, pos));
            }
        }
        '\'' => {
            *pos += 1;
            let mut s = String::new();
            while c[*pos] != '\'' {
                if c[*pos] == '\\' {
                    *pos += 1;
                    s.push(match c[*pos] {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    s.push(c[*pos]);
                }
                *pos += 1;
            }
            *pos += 1;
            Py::Str(s)
        }
        _ => {
            let start = *pos;
            while !matches!(c[*pos], ',' | ')' | ']' | ' ') {
                *pos += 1;
            }
            let tok: String = c[start..*pos].iter().collect();
            if tok == "nan" {
                Py::Float(f64::NAN)
            } else if let Ok(i) = tok.parse::<i128>() {
                Py::Int(i)
            } else {
                Py::Float(tok.parse().unwrap_or_else(|_| panic!("bad token {tok}")))
            }
        }
    }
}

fn elem_type(name: &str) -> Type {
    match name {
        "BOOL" => Type::Bool,
        "U8" => Type::U8,
        "I16" => Type::I16,
        "I32" => Type::I32,
        "I64" => Type::I64,
        "F32" => Type::F32,
        "F64" => Type::F64,
        "DATE" => Type::Date,
        "TIME" => Type::Time,
        "TIMESTAMP" => Type::Timestamp,
        "GUID" => Type::Guid,
        "SYM" => Type::Symbol,
        "STR" => Type::Str,
        other => panic!("unknown type {other}"),
    }
}

fn guid(hex: &str) -> Guid {
    let mut g = [0u8; 16];
    for (i, b) in g.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    Guid(g)
}

fn texts(items: &[Py]) -> TextColumn {
    items.iter().map(|p| p.str().to_string()).collect()
}

/// The value a description like `('vec', 'I64', 0, [1, 2])` stands for.
fn expected(desc: &Py) -> Value {
    let d = desc.seq();
    match d[0].str() {
        "null" => Value::Null,
        "error" => Value::Error(ServerErrorCode::from_code(d[1].str())),
        "UNARY" | "BINARY" => Value::Builtin(Builtin {
            kind: if d[0].str() == "UNARY" {
                BuiltinKind::Unary
            } else {
                BuiltinKind::Binary
            },
            name: Text::from(d[1].str()),
        }),
        "DICT" => Value::Dict(Dict::new(expected(&d[2]), expected(&d[3]))),
        "TABLE" => {
            let names = texts(d[2].seq()[3].seq());
            let cols = match expected(&d[3]) {
                Value::List(c) => c,
                other => panic!("table columns {other:?}"),
            };
            Value::Table(Table::from_parts(names, cols).unwrap())
        }
        "LAMBDA" => {
            let params = texts(d[2].seq()[3].seq());
            let body = match expected(&d[3]) {
                Value::List(b) => b,
                other => panic!("lambda body {other:?}"),
            };
            Value::Lambda(Lambda {
                attrs: d[1].int() as u8,
                params,
                body,
                closure: None,
            })
        }
        "atom" => {
            let t = elem_type(d[1].str());
            let flags = d[2].int();
            if flags & 1 == 1 {
                return Value::TypedNull(t);
            }
            let v = &d[3];
            match t {
                Type::Bool => Value::Bool(v.int() != 0),
                Type::U8 => Value::U8(v.int() as u8),
                Type::I16 => Value::I16(v.int() as i16),
                Type::I32 => Value::I32(v.int() as i32),
                Type::I64 => Value::I64(v.int() as i64),
                Type::F32 => Value::F32(v.float() as f32),
                Type::F64 => Value::F64(v.float()),
                Type::Date => Value::Date(rayforce_client::Date(v.int() as i32)),
                Type::Time => Value::Time(rayforce_client::Time(v.int() as i32)),
                Type::Timestamp => Value::Timestamp(rayforce_client::Timestamp(v.int() as i64)),
                Type::Guid => Value::Guid(guid(v.str())),
                Type::Symbol => Value::Symbol(Symbol {
                    text: Text::from(v.str()),
                    quoted: flags & 0x20 != 0,
                }),
                Type::Str => Value::Str(Text::from(v.str())),
            }
        }
        "vec" => {
            if d[1].str() == "LIST" {
                return Value::List(d[3].seq().iter().map(expected).collect());
            }
            let t = elem_type(d[1].str());
            if let Py::Str(s) = &d[3] {
                // '<300 elems>': the decompressed `(til 300)` capture.
                assert_eq!(s, "<300 elems>");
                return Value::from((0..300i64).collect::<Vec<_>>());
            }
            let items = d[3].seq();
            Value::Vector(match t {
                Type::Bool => Vector::Bool(items.iter().map(|p| p.int() != 0).collect()),
                Type::U8 => Vector::U8(items.iter().map(|p| p.int() as u8).collect()),
                Type::I16 => Vector::I16(items.iter().map(|p| p.int() as i16).collect()),
                Type::I32 => Vector::I32(items.iter().map(|p| p.int() as i32).collect()),
                Type::I64 => Vector::I64(items.iter().map(|p| p.int() as i64).collect()),
                Type::F32 => Vector::F32(items.iter().map(|p| p.float() as f32).collect()),
                Type::F64 => Vector::F64(items.iter().map(|p| p.float()).collect()),
                Type::Date => Vector::Date(
                    items
                        .iter()
                        .map(|p| rayforce_client::Date(p.int() as i32))
                        .collect(),
                ),
                Type::Time => Vector::Time(
                    items
                        .iter()
                        .map(|p| rayforce_client::Time(p.int() as i32))
                        .collect(),
                ),
                Type::Timestamp => Vector::Timestamp(
                    items
                        .iter()
                        .map(|p| rayforce_client::Timestamp(p.int() as i64))
                        .collect(),
                ),
                Type::Guid => Vector::Guid(items.iter().map(|p| guid(p.str())).collect()),
                Type::Symbol => Vector::Symbol(texts(items)),
                Type::Str => Vector::Str(texts(items)),
            })
        }
        other => panic!("unknown description kind {other}"),
    }
}

/// NaN-aware equality: compare debug renderings (NaN prints as NaN on both sides).
fn same(a: &Value, b: &Value) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

struct Row {
    file: String,
    kind: String,
    source: String,
    meaning: String,
}

fn rows() -> Vec<Row> {
    let index = std::fs::read_to_string(vectors_dir().join("index.tsv")).expect("index.tsv");
    index
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "index row {l}");
            Row {
                file: cols[0].into(),
                kind: cols[1].into(),
                source: cols[2].into(),
                meaning: cols[3].into(),
            }
        })
        .collect()
}

fn check_value_payload(row: &Row) {
    let bytes = read_hex(&row.file);
    let limits = Limits::default();
    let decoded = wire::decode(&bytes, &limits)
        .unwrap_or_else(|e| panic!("{}: decode failed: {e}", row.file));
    let desc = match row.meaning.split("decoded: ").nth(1) {
        Some(desc) => desc,
        None if row.meaning.starts_with('(') => row.meaning.as_str(),
        None => panic!("{}: no decoded form in the index", row.file),
    };
    let want = expected(&parse_py(desc));
    assert!(
        same(&decoded, &want),
        "{}: decoded {decoded:?}, index says {want:?}",
        row.file
    );
    assert_eq!(
        wire::encode(&decoded).unwrap(),
        bytes,
        "{}: re-encoding the decoded value differs",
        row.file
    );
    assert_eq!(
        wire::encode(&want).unwrap(),
        bytes,
        "{}: encoding the described value differs",
        row.file
    );
    assert_eq!(wire::encoded_len(&decoded), bytes.len(), "{}", row.file);
}

fn check_ser_output(row: &Row) {
    let bytes = read_hex(&row.file);
    let frame =
        Frame::parse(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", row.file));
    assert_eq!(frame.header.msg_type, MsgType::Async, "{}", row.file);
    assert_eq!(frame.header.flags, 0);
    let payload_file = row.file.replace(".ser.hex", ".hex");
    assert_eq!(frame.payload, read_hex(&payload_file), "{}", row.file);
    assert_eq!(frame.to_bytes(), bytes, "{}: header re-encode", row.file);
}

fn check_frame(row: &Row) {
    let limits = Limits::default();
    let bytes = read_hex(&row.file);
    let frame = Frame::parse(&bytes, &limits).unwrap_or_else(|e| panic!("{}: {e}", row.file));
    assert_eq!(frame.to_bytes(), bytes, "{}: frame re-encode", row.file);
    let plain = frame.plain_payload(&limits).unwrap().into_owned();
    if frame.header.is_compressed() {
        // Our compressor is byte-exact with the binary's.
        assert_eq!(
            wire::compress(&plain),
            frame.payload,
            "{}: compress",
            row.file
        );
    }
    if row.file == "frame_sync_req_bad_type_0x50.hex" {
        assert!(matches!(
            wire::decode(&plain, &limits),
            Err(DecodeError::UnknownType { code: 0x50, .. })
        ));
        return;
    }
    let value = wire::decode(&plain, &limits).unwrap_or_else(|e| panic!("{}: {e}", row.file));
    assert_eq!(
        wire::encode(&value).unwrap(),
        plain,
        "{}: payload re-encode",
        row.file
    );
    let expected_msg = if row.file.starts_with("frame_resp") {
        MsgType::Response
    } else if row.file.contains("async") {
        MsgType::Async
    } else {
        MsgType::Sync
    };
    assert_eq!(frame.header.msg_type, expected_msg, "{}", row.file);
    // Spot-check the values the index spells out.
    let want: Option<Value> = match row.file.as_str() {
        "frame_sync_req_plus_1_2.hex" => Some(Value::from("(+ 1 2)")),
        "frame_resp_plus_1_2.hex" | "frame_resp_list_plus_1_2.hex" => Some(Value::I64(3)),
        "frame_resp_error_type.hex" => Some(Value::Error(ServerErrorCode::Type)),
        "frame_resp_error_name.hex" => Some(Value::Error(ServerErrorCode::Name)),
        "frame_resp_error_access.hex" => Some(Value::Error(ServerErrorCode::Access)),
        "frame_sync_req_list_plus_1_2.hex" => {
            Some(Value::call("+", [Value::I64(1), Value::I64(2)]))
        }
        "frame_sync_req_sym_var_a.hex" => Some(Value::name("a")),
        "frame_sync_req_sym_quoted_a.hex" | "frame_resp_sym_quoted_a.hex" => {
            Some(Value::symbol("a"))
        }
        "frame_resp_compressed_count.hex" => Some(Value::I64(3000)),
        "frame_compressed_til300_from_binary.hex" => {
            Some(Value::from((0..300i64).collect::<Vec<_>>()))
        }
        "frame_resp_verbose_println.hex" => {
            Some(Value::List(vec![Value::from("hello\n"), Value::Null]))
        }
        "frame_resp_null.hex" => Some(Value::Null),
        _ => None,
    };
    if let Some(want) = want {
        assert!(same(&value, &want), "{}: got {value:?}", row.file);
    }
}

fn check_handshake(row: &Row) {
    let bytes = read_hex(&row.file);
    match row.file.as_str() {
        "hs_client_hello.hex" => assert_eq!(bytes, handshake::HELLO),
        "hs_server_reply_noauth.hex" => assert_eq!(
            handshake::parse_hello_reply([bytes[0], bytes[1]]),
            Ok(handshake::HelloReply::Ready)
        ),
        "hs_server_reply_auth_required.hex" => assert_eq!(
            handshake::parse_hello_reply([bytes[0], bytes[1]]),
            Ok(handshake::HelloReply::CredentialsRequired)
        ),
        "auth_reply_ok.hex" => assert!(bytes.len() == 1 && handshake::auth_accepted(bytes[0])),
        "auth_reply_bad.hex" => assert!(bytes.len() == 1 && !handshake::auth_accepted(bytes[0])),
        file => {
            let (user, password) = match file {
                "auth_client_creds_empty_user_secret.hex" => ("", "secret"),
                "auth_client_creds_empty_user_wrong.hex" => ("", "wrong"),
                "auth_client_creds_pyclient.hex" => ("bob", "secret"),
                "auth_client_creds_binclient.hex" => ("alice", "pw1"),
                other => panic!("handshake vector {other} is not checked"),
            };
            assert_eq!(
                handshake::credentials(user, password).unwrap(),
                bytes,
                "{file} ({})",
                row.source
            );
        }
    }
}

#[test]
fn every_vector_in_the_index_is_checked() {
    let rows = rows();
    assert!(rows.len() >= 235, "only {} rows in index.tsv", rows.len());
    let mut counts = std::collections::BTreeMap::new();
    for row in &rows {
        match row.kind.as_str() {
            "value-payload" => check_value_payload(row),
            "ser-output" => check_ser_output(row),
            "frame" => check_frame(row),
            "handshake" => check_handshake(row),
            other => panic!("{}: unknown kind {other}", row.file),
        }
        *counts.entry(row.kind.clone()).or_insert(0) += 1;
    }
    // Every file in the folder is listed in the index (and therefore checked).
    let listed: std::collections::HashSet<_> = rows.iter().map(|r| r.file.clone()).collect();
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".hex") {
            assert!(listed.contains(&name), "{name} is not in index.tsv");
        }
    }
    println!("checked: {counts:?}");
    assert_eq!(counts.values().sum::<usize>(), rows.len());
}

#[test]
fn in_repo_copy_matches_shared_vectors_when_present() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/spec/vectors");
    if !shared.join("index.tsv").is_file() {
        return; // outside the team's workspace there is only the copy
    }
    for entry in std::fs::read_dir(&shared).unwrap() {
        let entry = entry.unwrap();
        let copy = root.join("tests/vectors").join(entry.file_name());
        assert_eq!(
            std::fs::read(entry.path()).unwrap(),
            std::fs::read(&copy).unwrap_or_default(),
            "tests/vectors/{} differs from shared/",
            entry.file_name().to_string_lossy()
        );
    }
}

/// The one handshake implementation (both sides' state machines) replays the captured
/// conversations byte for byte, and the two sides complete against each other.
#[test]
fn handshake_state_machines_replay_the_captured_conversations() {
    use handshake::{ClientHandshake, ClientHandshakeError, ServerHandshake, ServerOutcome, Step};
    let hex = |name: &str| read_hex(&format!("{name}.hex"));
    // Client side, against the server's captured replies.
    for (result, want) in [
        ("auth_reply_ok", Ok(())),
        ("auth_reply_bad", Err(ClientHandshakeError::AuthFailed)),
    ] {
        let mut c = ClientHandshake::new(Some(("bob".into(), "secret".into())));
        assert_eq!(c.step(), Step::Write(hex("hs_client_hello")));
        assert_eq!(c.step(), Step::Read(2));
        c.receive(&hex("hs_server_reply_auth_required")).unwrap();
        assert_eq!(c.step(), Step::Write(hex("auth_client_creds_pyclient")));
        assert_eq!(c.step(), Step::Read(1));
        assert_eq!(c.receive(&hex(result)), want);
    }
    let mut c = ClientHandshake::new(None);
    c.step();
    c.step();
    assert_eq!(
        c.receive(&hex("hs_server_reply_auth_required")),
        Err(ClientHandshakeError::PasswordRequired)
    );
    // Server side, against the clients' captured bytes.
    for (creds, password, reply, user) in [
        (
            "auth_client_creds_pyclient",
            "secret",
            "auth_reply_ok",
            Some("bob"),
        ),
        (
            "auth_client_creds_binclient",
            "pw1",
            "auth_reply_ok",
            Some("alice"),
        ),
        (
            "auth_client_creds_empty_user_secret",
            "secret",
            "auth_reply_ok",
            Some(""),
        ),
        (
            "auth_client_creds_empty_user_wrong",
            "secret",
            "auth_reply_bad",
            None,
        ),
    ] {
        let mut s = ServerHandshake::new(Some(password.into()));
        assert_eq!(s.step(), Step::Read(2));
        s.receive(&hex("hs_client_hello"));
        assert_eq!(s.step(), Step::Write(hex("hs_server_reply_auth_required")));
        let creds = hex(creds);
        assert_eq!(s.step(), Step::Read(1));
        s.receive(&creds[..1]);
        assert_eq!(s.step(), Step::Read(creds.len() - 1));
        s.receive(&creds[1..]);
        match user {
            Some(user) => {
                assert_eq!(s.step(), Step::Write(hex(reply)));
                assert_eq!(
                    s.outcome(),
                    Some(&ServerOutcome::Accepted {
                        user: Some(user.into())
                    })
                );
            }
            None => {
                assert_eq!(s.step(), Step::Done);
                assert_eq!(
                    s.outcome(),
                    Some(&ServerOutcome::Rejected {
                        reply: hex(reply),
                        failed_login: true
                    })
                );
            }
        }
    }
    // Both sides against each other, with and without a password.
    for (server_pw, client_pw, ok) in [
        (None, None, true),
        (Some("pw"), Some("pw"), true),
        (Some("pw"), Some("no"), false),
    ] {
        let mut c = ClientHandshake::new(client_pw.map(|p| ("u".to_string(), p.to_string())));
        let mut s = ServerHandshake::new(server_pw.map(str::to_string));
        let mut to_server: Vec<u8> = Vec::new();
        let mut to_client: Vec<u8> = Vec::new();
        let mut client_result = Ok(());
        for _ in 0..20 {
            match c.step() {
                Step::Write(b) => to_server.extend(b),
                Step::Read(n) if to_client.len() >= n => {
                    let bytes: Vec<u8> = to_client.drain(..n).collect();
                    client_result = c.receive(&bytes);
                    if client_result.is_err() {
                        break;
                    }
                }
                _ => {}
            }
            match s.step() {
                Step::Write(b) => to_client.extend(b),
                Step::Read(n) if to_server.len() >= n => {
                    let bytes: Vec<u8> = to_server.drain(..n).collect();
                    s.receive(&bytes);
                }
                Step::Done => {
                    if let Some(ServerOutcome::Rejected { reply, .. }) = s.outcome() {
                        if to_client.is_empty() {
                            to_client.extend(reply.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            client_result.is_ok() && c.step() == Step::Done,
            ok,
            "{server_pw:?}/{client_pw:?}"
        );
    }
}
