//! The `tracing` feature: one `rayforce.request` span per request, with peer, message type,
//! request and reply sizes, duration and outcome, and never a value; for both clients.
#![cfg(all(feature = "tracing", feature = "tokio"))]

mod common;

use rayforce_client::{Client, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = BTreeMap<String, String>;

/// Records every span's name and fields (a minimal subscriber, so the test needs no
/// subscriber crate).
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<(String, Fields)>>>,
    next: Arc<AtomicU64>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attrs.metadata().name().to_string(), fields));
        self.next.fetch_add(1, Ordering::Relaxed);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let fields = &mut spans[span.into_u64() as usize - 1].1;
        values.record(&mut Collect(fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Runs `work` under a recorder; returns the request spans it made.
fn spans_of(work: impl FnOnce()) -> Vec<Fields> {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), work);
    let spans = recorder.spans.lock().unwrap().clone();
    spans
        .into_iter()
        .filter(|(name, _)| name == "rayforce.request")
        .map(|(_, fields)| fields)
        .collect()
}

/// A request carrying a value that must never reach a log.
fn secret_request() -> Value {
    Value::call("count", [Value::symbols(["hunter2-do-not-log"])])
}

fn check(spans: &[Fields], peer: &str) {
    assert_eq!(spans.len(), 3, "one span per request: {spans:#?}");
    let ok = &spans[0];
    assert_eq!(ok["peer"], peer);
    assert_eq!(ok["msg_type"], "sync");
    let request = Client::encode_request("(+ 1 2)").unwrap();
    assert_eq!(ok["request_bytes"], request.len().to_string());
    assert_eq!(ok["reply_bytes"], "10", "an I64 atom: 10 bytes");
    assert_eq!(ok["outcome"], "ok");
    assert!(ok["duration_us"].parse::<u64>().is_ok());
    assert_eq!(spans[1]["outcome"], "server:type");
    let secret = &spans[2];
    assert_eq!(secret["outcome"], "ok");
    for fields in spans {
        for value in fields.values() {
            assert!(
                !value.contains("hunter2"),
                "a value was recorded: {fields:?}"
            );
        }
    }
}

#[test]
fn sync_client_makes_one_span_per_request_without_values() {
    let server = common::server();
    let mut client = server.client().unwrap();
    let spans = spans_of(|| {
        client.execute("(+ 1 2)").unwrap();
        client.execute("(+ 1 'a)").unwrap_err();
        client.execute(&secret_request()).unwrap();
    });
    check(&spans, &format!("127.0.0.1:{}", server.port()));
}

#[test]
fn async_client_makes_one_span_per_request_without_values() {
    let server = common::server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = rt
        .block_on(Client::builder("127.0.0.1", server.port()).connect_async())
        .unwrap();
    let spans = spans_of(|| {
        rt.block_on(async {
            client.execute("(+ 1 2)").await.unwrap();
            client.execute("(+ 1 'a)").await.unwrap_err();
            client.execute(&secret_request()).await.unwrap();
        })
    });
    check(&spans, &format!("127.0.0.1:{}", server.port()));
}
