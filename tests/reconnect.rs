//! Reconnecting clients against a real server that is killed and restarted on the same
//! port under load: writes are sent at most once (none duplicated), every write acknowledged
//! by the new server is there, every other one was reported as an error, and idempotent
//! reads ride over the restart. One body for the sync and the async client.
#![cfg(feature = "tokio")]

mod common;

use rayforce_client::client::{
    AsyncReconnectingClient, Pipeline, ReconnectPolicy, ReconnectingClient,
};
use rayforce_client::query::TableRef;
use rayforce_client::{Client, ClientBuilder, LocalServer, Request, Result, Value, Vector};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

trait Reconnecting: Send + 'static {
    fn open(builder: ClientBuilder, policy: ReconnectPolicy, setup: Pipeline) -> Self;
    fn execute(&mut self, request: &dyn Request) -> Result<Value>;
    fn execute_idempotent(&mut self, request: &dyn Request) -> Result<Value>;
    fn connects(&mut self) -> u64;
}

impl Reconnecting for ReconnectingClient {
    fn open(builder: ClientBuilder, policy: ReconnectPolicy, setup: Pipeline) -> Self {
        ReconnectingClient::new(builder, policy).on_connect(setup)
    }
    fn execute(&mut self, request: &dyn Request) -> Result<Value> {
        ReconnectingClient::execute(self, request)
    }
    fn execute_idempotent(&mut self, request: &dyn Request) -> Result<Value> {
        ReconnectingClient::execute_idempotent(self, request)
    }
    fn connects(&mut self) -> u64 {
        ReconnectingClient::connects(self)
    }
}

struct Async {
    client: AsyncReconnectingClient,
    rt: tokio::runtime::Runtime,
}

impl Reconnecting for Async {
    fn open(builder: ClientBuilder, policy: ReconnectPolicy, setup: Pipeline) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = AsyncReconnectingClient::with_setup(builder, policy, setup);
        Async { client, rt }
    }
    fn execute(&mut self, request: &dyn Request) -> Result<Value> {
        self.rt.block_on(self.client.execute(request))
    }
    fn execute_idempotent(&mut self, request: &dyn Request) -> Result<Value> {
        self.rt.block_on(self.client.execute_idempotent(request))
    }
    fn connects(&mut self) -> u64 {
        self.rt.block_on(self.client.connects())
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ids(value: Value) -> Vec<i64> {
    match value {
        Value::Table(t) => match t.column("id") {
            Some(Value::Vector(Vector::I64(v))) => v.to_vec(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn survives_a_server_restart<C: Reconnecting>() {
    let port = free_port();
    let mut server = LocalServer::builder().port(port).start().unwrap();
    let builder = Client::builder("127.0.0.1", port).read_timeout(Some(Duration::from_secs(5)));
    let policy = ReconnectPolicy::new(Duration::from_millis(20), Duration::from_millis(300), 60);
    // Session setup on every connection: create the table unless it exists.
    let mut setup = Pipeline::new();
    setup
        .push("(try w (set w (table [id] (list []))))")
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (builder, policy, setup) = (builder.clone(), policy.clone(), setup.clone());
        thread::spawn(move || {
            let mut c = C::open(builder, policy, setup);
            let mut outcomes = Vec::new(); // (id, acknowledged, connection number)
            for id in 0..600i64 {
                let insert = TableRef::named("w")
                    .insert()
                    .values([("id", Value::from(vec![id]))]);
                let result = c.execute(&insert);
                outcomes.push((id, result.is_ok(), c.connects()));
                thread::sleep(Duration::from_millis(1));
            }
            (outcomes, c.connects())
        })
    };
    let reader = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut c = C::open(builder, policy, setup);
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                // A read is idempotent: a broken connection is retried, never reported.
                c.execute_idempotent(&"(count w)").unwrap();
                reads += 1;
                thread::sleep(Duration::from_millis(2));
            }
            (reads, c.connects())
        })
    };

    thread::sleep(Duration::from_millis(250));
    server.stop();
    thread::sleep(Duration::from_millis(200));
    let server = LocalServer::builder().port(port).start().unwrap();
    let (outcomes, writer_connects) = writer.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    let (reads, reader_connects) = reader.join().unwrap();
    assert_eq!(writer_connects, 2, "one reconnect after the restart");
    assert_eq!(reader_connects, 2);
    assert!(reads > 10);

    let stored = ids(server.client().unwrap().execute("w").unwrap());
    let mut unique = stored.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), stored.len(), "a write was duplicated");
    for (id, acknowledged, connection) in &outcomes {
        let present = stored.contains(id);
        if *connection == 2 && *acknowledged {
            assert!(
                present,
                "write {id} was acknowledged by the new server but is missing"
            );
        }
        if present {
            assert!(
                *connection == 2 || !*acknowledged,
                "write {id} is on the new server, so it was not acknowledged by the old one"
            );
        }
    }
    let failed = outcomes.iter().filter(|o| !o.1).count();
    let on_new = outcomes.iter().filter(|o| o.2 == 2 && o.1).count();
    eprintln!(
        "{failed} write(s) reported failed, {on_new} acknowledged by the new server, {} stored",
        stored.len()
    );
    assert!(on_new > 100, "writes went on after the restart");
}

#[test]
fn sync_reconnecting_client_survives_a_server_restart() {
    survives_a_server_restart::<ReconnectingClient>();
}

#[test]
fn async_reconnecting_client_survives_a_server_restart() {
    survives_a_server_restart::<Async>();
}

#[test]
fn backoff_is_bounded_and_jittered() {
    let policy = ReconnectPolicy::new(Duration::from_millis(10), Duration::from_millis(80), 8);
    let delays: Vec<Duration> = policy.delays().collect();
    assert_eq!(delays.len(), 7);
    for (step, d) in delays.iter().enumerate() {
        let ceiling = (Duration::from_millis(10) * (1 << step)).min(Duration::from_millis(80));
        assert!(*d >= ceiling / 2 && *d <= ceiling, "step {step}: {d:?}");
    }
    let again: Vec<Duration> = policy.delays().collect();
    assert_ne!(delays, again, "two clients draw different delays");
}

/// A server that is gone for good: the reconnect gives up after the policy's attempts with
/// the connection error, in bounded time.
#[test]
fn a_server_that_stays_down_is_a_clear_error() {
    let closed = common::closed_port();
    let port = closed.port;
    let policy = ReconnectPolicy::new(Duration::from_millis(10), Duration::from_millis(40), 5);
    let mut c = ReconnectingClient::new(Client::builder("127.0.0.1", port), policy);
    let start = std::time::Instant::now();
    let err = c.execute_idempotent("1").unwrap_err();
    assert!(
        matches!(err, rayforce_client::Error::ConnectionRefused { .. }),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}
