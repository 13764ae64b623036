//! One behavioural test body, run against both clients: the sync `Client` and the tokio
//! `AsyncClient` must behave the same — execute, server errors, pipelines of mixed request
//! kinds, typed fetch and insert, timeouts, and a dead connection that names its cause.
//! Plus the async reply-slot race: a server that closes while requests are queued, and one
//! that stops reading; every caller gets an error within its timeout.
#![cfg(feature = "tokio")]

mod common;

use rayforce_client::client::{AsyncClient, Pipeline};
use rayforce_client::query::{col, TableRef};
use rayforce_client::typed::{FromTable, RayTable, Sym};
use rayforce_client::{
    CancelHandle, Client, ClientBuilder, Error, Request, Result, ServerErrorCode, Value,
};
use serde::{Deserialize, Serialize};
use std::io::Read;

use std::thread;
use std::time::{Duration, Instant};

/// What the test body needs from a client.
trait Api: Sized {
    fn open(builder: ClientBuilder) -> Result<Self>;
    fn execute(&mut self, request: &dyn Request) -> Result<Value>;
    fn run(&mut self, pipeline: &Pipeline) -> Result<Vec<Result<Value>>>;
    fn fetch_all<T: FromTable>(&mut self, request: &dyn Request) -> Result<Vec<T>>;
    fn fetch_one<T: FromTable>(&mut self, request: &dyn Request) -> Result<T>;
    fn fetch_optional<T: FromTable>(&mut self, request: &dyn Request) -> Result<Option<T>>;
    fn fetch_column<T: for<'de> Deserialize<'de>>(
        &mut self,
        request: &dyn Request,
    ) -> Result<Vec<T>>;
    fn fetch_all_into<T: FromTable>(
        &mut self,
        request: &dyn Request,
        out: &mut Vec<T>,
    ) -> Result<()>;
    fn insert_rows<T: Serialize>(&mut self, table: &str, rows: &[T]) -> Result<()>;
    fn is_alive(&mut self) -> bool;
    fn tables(&mut self) -> Result<Vec<String>>;
    fn server_version(&mut self) -> Result<String>;
    fn execute_with_timeout(&mut self, request: &dyn Request, timeout: Duration) -> Result<Value>;
    fn cancel_handle(&self) -> CancelHandle;
    /// The next pushed message within `timeout` (`None` when none came).
    fn recv_push(&mut self, timeout: Duration) -> Result<Option<Value>>;
    fn on_request(
        &mut self,
        handler: impl FnMut(Value) -> std::result::Result<Value, ServerErrorCode> + Send + 'static,
    );
}

impl Api for Client {
    fn open(builder: ClientBuilder) -> Result<Self> {
        builder.connect()
    }
    fn execute(&mut self, request: &dyn Request) -> Result<Value> {
        Client::execute(self, request)
    }
    fn run(&mut self, pipeline: &Pipeline) -> Result<Vec<Result<Value>>> {
        Client::run(self, pipeline)
    }
    fn fetch_all<T: FromTable>(&mut self, request: &dyn Request) -> Result<Vec<T>> {
        Client::fetch_all(self, request)
    }
    fn fetch_one<T: FromTable>(&mut self, request: &dyn Request) -> Result<T> {
        Client::fetch_one(self, request)
    }
    fn fetch_optional<T: FromTable>(&mut self, request: &dyn Request) -> Result<Option<T>> {
        Client::fetch_optional(self, request)
    }
    fn fetch_column<T: for<'de> Deserialize<'de>>(
        &mut self,
        request: &dyn Request,
    ) -> Result<Vec<T>> {
        Client::fetch_column(self, request)
    }
    fn fetch_all_into<T: FromTable>(
        &mut self,
        request: &dyn Request,
        out: &mut Vec<T>,
    ) -> Result<()> {
        Client::fetch_all_into(self, request, out)
    }
    fn insert_rows<T: Serialize>(&mut self, table: &str, rows: &[T]) -> Result<()> {
        Client::insert_rows(self, table, rows)
    }
    fn is_alive(&mut self) -> bool {
        Client::is_alive(self)
    }
    fn tables(&mut self) -> Result<Vec<String>> {
        Client::tables(self)
    }
    fn server_version(&mut self) -> Result<String> {
        Client::server_version(self)
    }
    fn execute_with_timeout(&mut self, request: &dyn Request, timeout: Duration) -> Result<Value> {
        Client::execute_with_timeout(self, request, timeout)
    }
    fn cancel_handle(&self) -> CancelHandle {
        Client::cancel_handle(self)
    }
    fn recv_push(&mut self, timeout: Duration) -> Result<Option<Value>> {
        Client::recv_push(self, Some(timeout))
    }
    fn on_request(
        &mut self,
        handler: impl FnMut(Value) -> std::result::Result<Value, ServerErrorCode> + Send + 'static,
    ) {
        Client::on_request(self, handler)
    }
}

/// The async client, driven from a runtime of its own.
struct Async {
    client: AsyncClient,
    rt: tokio::runtime::Runtime,
}

impl Api for Async {
    fn open(builder: ClientBuilder) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let client = rt.block_on(builder.connect_async())?;
        Ok(Async { client, rt })
    }
    fn execute(&mut self, request: &dyn Request) -> Result<Value> {
        self.rt.block_on(self.client.execute(request))
    }
    fn run(&mut self, pipeline: &Pipeline) -> Result<Vec<Result<Value>>> {
        self.rt.block_on(self.client.run(pipeline))
    }
    fn fetch_all<T: FromTable>(&mut self, request: &dyn Request) -> Result<Vec<T>> {
        self.rt.block_on(self.client.fetch_all(request))
    }
    fn fetch_one<T: FromTable>(&mut self, request: &dyn Request) -> Result<T> {
        self.rt.block_on(self.client.fetch_one(request))
    }
    fn fetch_optional<T: FromTable>(&mut self, request: &dyn Request) -> Result<Option<T>> {
        self.rt.block_on(self.client.fetch_optional(request))
    }
    fn fetch_column<T: for<'de> Deserialize<'de>>(
        &mut self,
        request: &dyn Request,
    ) -> Result<Vec<T>> {
        self.rt.block_on(self.client.fetch_column(request))
    }
    fn fetch_all_into<T: FromTable>(
        &mut self,
        request: &dyn Request,
        out: &mut Vec<T>,
    ) -> Result<()> {
        self.rt.block_on(self.client.fetch_all_into(request, out))
    }
    fn insert_rows<T: Serialize>(&mut self, table: &str, rows: &[T]) -> Result<()> {
        self.rt.block_on(self.client.insert_rows(table, rows))
    }
    fn is_alive(&mut self) -> bool {
        self.client.is_alive()
    }
    fn tables(&mut self) -> Result<Vec<String>> {
        self.rt.block_on(self.client.tables())
    }
    fn server_version(&mut self) -> Result<String> {
        self.rt.block_on(self.client.server_version())
    }
    fn execute_with_timeout(&mut self, request: &dyn Request, timeout: Duration) -> Result<Value> {
        self.rt
            .block_on(self.client.execute_with_timeout(request, timeout))
    }
    fn cancel_handle(&self) -> CancelHandle {
        self.client.cancel_handle()
    }
    fn recv_push(&mut self, timeout: Duration) -> Result<Option<Value>> {
        self.rt.block_on(async {
            match tokio::time::timeout(timeout, self.client.next_push()).await {
                Ok(pushed) => pushed.map(Some),
                Err(_) => Ok(None),
            }
        })
    }
    fn on_request(
        &mut self,
        handler: impl FnMut(Value) -> std::result::Result<Value, ServerErrorCode> + Send + 'static,
    ) {
        self.client.on_request(handler)
    }
}

#[derive(rayforce_client::typed::FromTable, Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Trade {
    id: i64,
    sym: String,
    px: f64,
}

/// The same rows as [`Trade`], decoded column-wise by the derive, symbols shared.
#[derive(RayTable, Debug, PartialEq, Clone)]
#[rayforce(table = "trades")]
struct FastTrade {
    id: i64,
    sym: Sym,
    px: f64,
}

fn behaves_on_the_real_server<C: Api>() {
    let server = common::server();
    let mut c = C::open(Client::builder("127.0.0.1", server.port())).unwrap();
    assert_eq!(c.execute(&"(+ 1 2)").unwrap(), Value::I64(3));
    assert_eq!(
        c.server_version().unwrap(),
        "3.0.1",
        "the core inside rayforce-py 2.4.0"
    );
    assert_eq!(c.tables().unwrap(), Vec::<String>::new());
    c.execute(&"(set zeta (table [a] (list [1])))").unwrap();
    c.execute(&"(set alpha (table [b] (list ['x])))").unwrap();
    c.execute(&"(set not_a_table 5)").unwrap();
    assert_eq!(c.tables().unwrap(), ["alpha", "zeta"]);
    let err = c.execute(&"(+ 1 'a)").unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Type));
    assert!(c.is_alive(), "a server error leaves the connection usable");

    // A pipeline of mixed request kinds, one failing in the middle.
    c.execute(&"(set trades (table [id sym px] (list [] (as 'SYMBOL []) (as 'F64 []))))")
        .unwrap();
    let mut p = Pipeline::new();
    p.push("(+ 40 2)").unwrap();
    p.push(&Value::call("til", [Value::I64(3)])).unwrap();
    p.push("(+ 1 'a)").unwrap();
    p.push(&TableRef::named("trades").select([col("id").count().alias("n")]))
        .unwrap();
    let replies = c.run(&p).unwrap();
    assert_eq!(replies.len(), 4);
    assert_eq!(replies[0].as_ref().unwrap(), &Value::I64(42));
    assert_eq!(replies[1].as_ref().unwrap(), &Value::from(vec![0i64, 1, 2]));
    assert!(replies[2].is_err());
    assert!(replies[3].is_ok());

    // A large reply (16 MB: the async client decodes it while it arrives).
    match c.execute(&"(til 2000000)").unwrap() {
        Value::Vector(rayforce_client::Vector::I64(v)) => {
            assert_eq!(v.len(), 2_000_000);
            assert_eq!(v[1_999_999], 1_999_999);
        }
        other => panic!("{other:?}"),
    }
    let err = c.execute(&"(+ 1 'a)").unwrap_err();
    assert_eq!(
        err.server_code(),
        Some(&ServerErrorCode::Type),
        "still in step"
    );

    // Typed insert and fetch.
    let rows = vec![
        Trade {
            id: 1,
            sym: "a".into(),
            px: 1.5,
        },
        Trade {
            id: 2,
            sym: "b c".into(),
            px: 2.5,
        },
    ];
    c.insert_rows("trades", &rows).unwrap();
    let back: Vec<Trade> = c
        .fetch_all(&TableRef::named("trades").select(["id", "sym", "px"]))
        .unwrap();
    assert_eq!(back, rows);
    // Into a reused vector: the same memory, the same rows, through either decode path;
    // a server error or another shape in between changes nothing for the next call.
    let mut fast: Vec<FastTrade> = Vec::with_capacity(16);
    let at = fast.as_ptr();
    let all = FastTrade::table().select_all();
    for _ in 0..3 {
        c.fetch_all_into(&all, &mut fast).unwrap();
        assert_eq!(fast.as_ptr(), at);
        let expected: Vec<(i64, &str, f64)> =
            rows.iter().map(|r| (r.id, r.sym.as_str(), r.px)).collect();
        let got: Vec<(i64, &str, f64)> =
            fast.iter().map(|r| (r.id, r.sym.as_str(), r.px)).collect();
        assert_eq!(got, expected);
        assert!(c.fetch_all_into(&"(+ 1 'a)", &mut fast).is_err());
        assert!(fast.is_empty());
        let err = c.fetch_all_into(&"(til 3)", &mut fast).unwrap_err();
        assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");
    }
    let mut slow: Vec<Trade> = vec![rows[0].clone(); 5];
    c.fetch_all_into(&all, &mut slow).unwrap();
    assert_eq!(slow, rows);
    let pairs: Vec<(i64, String)> = c
        .fetch_all(&TableRef::named("trades").select(["id", "sym"]))
        .unwrap();
    assert_eq!(pairs, vec![(1, "a".to_string()), (2, "b c".to_string())]);
    let by_id = |id: i64| {
        TableRef::named("trades")
            .select(["id", "sym", "px"])
            .filter(col("id").eq(id))
    };
    assert_eq!(c.fetch_one::<Trade>(&by_id(2)).unwrap(), rows[1]);
    assert!(matches!(
        c.fetch_one::<Trade>(&by_id(9)),
        Err(Error::Row(_))
    ));
    assert_eq!(c.fetch_optional::<Trade>(&by_id(9)).unwrap(), None);
    assert_eq!(
        c.fetch_optional::<Trade>(&by_id(1)).unwrap(),
        Some(rows[0].clone())
    );
    let all = TableRef::named("trades").select(["id", "sym", "px"]);
    assert!(matches!(
        c.fetch_optional::<Trade>(&all),
        Err(Error::Row(_))
    ));
    let syms: Vec<String> = c
        .fetch_column(&TableRef::named("trades").select(["sym"]))
        .unwrap();
    assert_eq!(syms, ["a", "b c"]);
    let ids: Vec<i64> = c.fetch_column(&"(at trades 'id)").unwrap();
    assert_eq!(ids, [1, 2]);
    assert!(matches!(c.fetch_column::<i64>(&all), Err(Error::Row(_))));
}

#[test]
fn sync_client_behaves_on_the_real_server() {
    behaves_on_the_real_server::<Client>();
}

#[test]
fn async_client_behaves_on_the_real_server() {
    behaves_on_the_real_server::<Async>();
}

/// Cancel from another thread, a request deadline, and an idle cancel: each leaves the
/// connection in step (the next request gets its own answer).
fn cancels_and_keeps_the_connection<C: Api>() {
    let server = common::server();
    let mut c = C::open(Client::builder("127.0.0.1", server.port())).unwrap();
    let slow = common::slow_query();

    let cancel = c.cancel_handle();
    assert!(!cancel.cancel().unwrap(), "nothing runs: nothing to cancel");
    assert_eq!(
        c.execute(&"(+ 1 2)").unwrap(),
        Value::I64(3),
        "an idle cancel changes nothing"
    );
    let canceller = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        cancel.cancel().unwrap()
    });
    let start = Instant::now();
    let err = c.execute(&slow.as_str()).unwrap_err();
    let took = start.elapsed();
    assert!(
        canceller.join().unwrap(),
        "the cancel found the running request"
    );
    assert!(matches!(err, Error::Cancelled { .. }), "{err:?}");
    assert!(!err.is_fatal());
    assert!(took < common::CANCELLED_WITHIN, "cancelled after {took:?}");
    assert_eq!(
        c.execute(&"(+ 40 2)").unwrap(),
        Value::I64(42),
        "in step after a cancel"
    );

    let start = Instant::now();
    let err = c
        .execute_with_timeout(&slow.as_str(), Duration::from_millis(300))
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(err, Error::Timeout { op: "request", .. }),
        "{err:?}"
    );
    assert!(!err.is_fatal() && c.is_alive());
    // The next answer comes at once: the server stopped the expired request.
    let start = Instant::now();
    assert_eq!(c.execute(&"(+ 1 1)").unwrap(), Value::I64(2));
    let next = start.elapsed();
    assert!(
        took + next < common::CANCELLED_WITHIN,
        "deadline after {took:?}, next answer after {next:?}"
    );
}

#[test]
fn sync_client_cancels_and_keeps_the_connection() {
    cancels_and_keeps_the_connection::<Client>();
}

#[test]
fn async_client_cancels_and_keeps_the_connection() {
    cancels_and_keeps_the_connection::<Async>();
}

/// Messages the server pushes (`.ipc.post`) and requests it sends (`.ipc.send`) while
/// requests go on over the same connection; a full push buffer drops the oldest.
fn takes_pushes_and_answers_server_requests<C: Api>() {
    let server = common::server();
    let mut c = C::open(Client::builder("127.0.0.1", server.port()).push_buffer(3)).unwrap();
    assert_eq!(c.recv_push(Duration::from_millis(50)).unwrap(), None);
    let posted = c
        .execute(&"(do (.ipc.post (.ipc.handle) 1) (.ipc.post (.ipc.handle) [2 3]) 4)")
        .unwrap();
    assert_eq!(
        posted,
        Value::I64(4),
        "the reply after the pushes is the request's"
    );
    assert_eq!(c.execute(&"(+ 1 2)").unwrap(), Value::I64(3));
    let wait = Duration::from_secs(2);
    assert_eq!(c.recv_push(wait).unwrap(), Some(Value::I64(1)));
    assert_eq!(c.recv_push(wait).unwrap(), Some(Value::from(vec![2i64, 3])));
    assert_eq!(c.recv_push(Duration::from_millis(50)).unwrap(), None);

    // Overflow: 5 pushed into a buffer of 3: the 2 oldest are dropped and reported once.
    c.execute(&"(do (.ipc.post (.ipc.handle) 10) (.ipc.post (.ipc.handle) 11) (.ipc.post (.ipc.handle) 12) (.ipc.post (.ipc.handle) 13) (.ipc.post (.ipc.handle) 14))")
        .unwrap();
    c.execute(&"0").unwrap();
    let lagged = c.recv_push(wait).unwrap_err();
    assert!(
        matches!(lagged, Error::Lagged { missed: 2, .. }),
        "{lagged:?}"
    );
    for expected in 12..15i64 {
        assert_eq!(c.recv_push(wait).unwrap(), Some(Value::I64(expected)));
    }

    // A server request with no handler is answered with an error, never a dead connection.
    let err = c.execute(&"(.ipc.send (.ipc.handle) 7)").unwrap_err();
    assert!(err.server_code().is_some(), "{err:?}");
    assert!(c.is_alive());
    c.on_request(|v| match v {
        Value::I64(x) => Ok(Value::I64(x * 2)),
        _ => Err(ServerErrorCode::Type),
    });
    assert_eq!(
        c.execute(&"(.ipc.send (.ipc.handle) 21)").unwrap(),
        Value::I64(42)
    );
    let err = c.execute(&"(.ipc.send (.ipc.handle) 'x)").unwrap_err();
    assert_eq!(err.server_code(), Some(&ServerErrorCode::Type));
    assert_eq!(c.execute(&"(+ 1 2)").unwrap(), Value::I64(3));
}

#[test]
fn sync_client_takes_pushes_and_answers_server_requests() {
    takes_pushes_and_answers_server_requests::<Client>();
}

#[test]
fn async_client_takes_pushes_and_answers_server_requests() {
    takes_pushes_and_answers_server_requests::<Async>();
}

/// Dropping an async request's future cancels it on the server (it was the only one
/// running), so the next request is answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_async_request_cancels_it_on_the_server() {
    let server = common::server();
    let client = Client::builder("127.0.0.1", server.port())
        .connect_async()
        .await
        .unwrap();
    let slow = common::slow_query();
    let dropped =
        tokio::time::timeout(Duration::from_millis(300), client.execute(slow.as_str())).await;
    assert!(dropped.is_err(), "the slow request was still running");
    let start = Instant::now();
    assert_eq!(client.execute("(+ 1 2)").await.unwrap(), Value::I64(3));
    let next = start.elapsed();
    assert!(
        next + Duration::from_millis(300) < common::CANCELLED_WITHIN,
        "next answer after {next:?}"
    );
}

use common::fake_server;

fn times_out_then_dies_with_its_cause<C: Api>() {
    // Reads requests, never answers, then closes after 1.5 s.
    let port = fake_server(|mut s| {
        let _ = s.set_read_timeout(Some(Duration::from_millis(1500)));
        let mut sink = [0u8; 4096];
        while s.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    });
    let mut c = C::open(
        Client::builder("127.0.0.1", port)
            .read_timeout(Some(Duration::from_millis(300)))
            .cancel_grace(Duration::from_millis(200)),
    )
    .unwrap();
    let start = Instant::now();
    let err = c.execute(&"1").unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    // Once the server has gone, every call fails, and says why.
    thread::sleep(Duration::from_millis(1700));
    let mut last = None;
    for _ in 0..3 {
        last = Some(c.execute(&"1").unwrap_err());
    }
    assert!(!c.is_alive());
    match last.unwrap() {
        Error::Dead { cause, .. } => assert!(cause.is_fatal(), "{cause:?}"),
        other => panic!("expected Error::Dead carrying the cause, got {other:?}"),
    }
}

#[test]
fn sync_client_times_out_then_dies_with_its_cause() {
    times_out_then_dies_with_its_cause::<Client>();
}

#[test]
fn async_client_times_out_then_dies_with_its_cause() {
    times_out_then_dies_with_its_cause::<Async>();
}

/// Many requests queued on one async connection when the server closes: every caller gets
/// an error, within its timeout, and none hangs (the old client could orphan a slot that
/// the writer queued after the reader had drained the queue).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_closing_with_requests_queued_fails_every_caller() {
    for round in 0..20 {
        let port = fake_server(move |mut s| {
            // Read a little, then close mid-stream.
            let mut buf = vec![0u8; 64 + round * 37];
            let _ = s.read(&mut buf);
        });
        let client = Client::builder("127.0.0.1", port)
            .read_timeout(Some(Duration::from_secs(3)))
            .connect_async()
            .await
            .unwrap();
        let start = Instant::now();
        let calls: Vec<_> = (0..50)
            .map(|i| {
                let c = client.clone();
                tokio::spawn(async move { c.execute(&Value::I64(i)).await })
            })
            .collect();
        for result in join_all_within(calls, Duration::from_secs(5)).await {
            assert!(result.is_err(), "round {round}: {result:?}");
        }
        assert!(start.elapsed() < Duration::from_secs(4), "round {round}");
        assert!(!client.is_alive());
    }
}

/// A server that stops reading: writes block once the socket buffers fill; the write
/// timeout turns that into an error for every caller, and none hangs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_that_stops_reading_fails_every_caller_within_the_timeouts() {
    let port = fake_server(|s| {
        thread::sleep(Duration::from_secs(8));
        drop(s);
    });
    let client = Client::builder("127.0.0.1", port)
        .read_timeout(Some(Duration::from_secs(2)))
        .write_timeout(Some(Duration::from_millis(500)))
        .connect_async()
        .await
        .unwrap();
    let big = Value::from(vec![7i64; 1 << 20]); // 8 MiB per request
    let start = Instant::now();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let (c, v) = (client.clone(), big.clone());
            tokio::spawn(async move { c.execute(&v).await })
        })
        .collect();
    for result in join_all_within(calls, Duration::from_secs(5)).await {
        assert!(
            matches!(result, Err(Error::Timeout { .. } | Error::Dead { .. })),
            "{result:?}"
        );
    }
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

/// Closing the client while a large reply is being decoded as it arrives (the server sent
/// its header and stalled): the caller gets an error at once (and the socket is shut down,
/// which ends the decode blocked on it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_ends_a_stalled_streaming_decode() {
    use std::io::Write;
    let port = fake_server(|mut s| {
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf);
        let header = rayforce_client::wire::FrameHeader::new(
            rayforce_client::wire::MsgType::Response,
            80_000_010,
        );
        let mut start = header.encode().to_vec();
        start.extend_from_slice(&[5, 0]);
        start.extend_from_slice(&10_000_000i64.to_le_bytes());
        start.extend_from_slice(&[0u8; 4096]);
        let _ = s.write_all(&start);
        thread::sleep(Duration::from_secs(10));
    });
    let client = Client::builder("127.0.0.1", port)
        .read_timeout(None)
        .connect_async()
        .await
        .unwrap();
    let call = {
        let c = client.clone();
        tokio::spawn(async move { c.execute("(til 10000000)").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    client.close().await.unwrap();
    let result = join_all_within(vec![call], Duration::from_secs(3)).await;
    assert!(result[0].is_err(), "{:?}", result[0]);
    assert!(start.elapsed() < Duration::from_secs(2));
}

/// Every task's output; a task still running after `limit` is a hung caller (a failure).
async fn join_all_within<T>(tasks: Vec<tokio::task::JoinHandle<T>>, limit: Duration) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(
            tokio::time::timeout(limit, task)
                .await
                .expect("a caller hung")
                .unwrap(),
        );
    }
    out
}
