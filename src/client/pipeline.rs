//! [`Pipeline`]: many requests written back to back on one connection, replies read in
//! order. The server answers SYNC frames strictly in order, so no request ids are needed.

use super::{Client, Request};
use crate::wire::MsgType;
use crate::{Result, Value};

/// At most this many requests are in flight at once.
const MAX_IN_FLIGHT: usize = 1024;
/// At most this many request bytes are in flight at once, so neither side can block on a
/// full socket buffer while the other waits.
const MAX_IN_FLIGHT_BYTES: usize = 4 << 20;

/// A batch of requests for one round of pipelining.
///
/// ```no_run
/// use rayforce::Client;
/// let mut client = Client::connect("127.0.0.1", 5000)?;
/// let mut batch = client.pipeline();
/// for i in 0..100 {
///     batch.push(&format!("(+ {i} 1)"))?;
/// }
/// let replies = batch.run()?; // one Result per request, in order
/// assert_eq!(replies[99].as_ref().unwrap(), &rayforce::Value::I64(100));
/// # Ok::<(), rayforce::Error>(())
/// ```
pub struct Pipeline<'c> {
    client: &'c mut Client,
    payloads: Vec<Vec<u8>>,
}

impl<'c> Pipeline<'c> {
    pub(super) fn new(client: &'c mut Client) -> Pipeline<'c> {
        Pipeline {
            client,
            payloads: Vec::new(),
        }
    }

    /// Adds a request (encoded now; nothing is sent until [`run`](Self::run)).
    pub fn push<R: Request + ?Sized>(&mut self, request: &R) -> Result<&mut Self> {
        let mut payload = Vec::new();
        request.write_payload(&mut payload)?;
        self.payloads.push(payload);
        Ok(self)
    }

    /// Number of queued requests.
    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    /// Whether no request is queued.
    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    /// Sends every request and collects the replies in order. The outer error is a
    /// transport or protocol failure (the client is then dead); each inner result is one
    /// request's outcome, so a server error in one request does not hide the others.
    pub fn run(self) -> Result<Vec<Result<Value>>> {
        let Pipeline { client, payloads } = self;
        client.ensure_ready()?;
        let mut replies = Vec::with_capacity(payloads.len());
        let mut sent = 0;
        let mut in_flight_bytes = 0;
        while replies.len() < payloads.len() {
            while sent < payloads.len()
                && sent - replies.len() < MAX_IN_FLIGHT
                && (in_flight_bytes < MAX_IN_FLIGHT_BYTES || sent == replies.len())
            {
                client.send_request(MsgType::Sync, &RawPayload(&payloads[sent]))?;
                in_flight_bytes += payloads[sent].len();
                sent += 1;
            }
            client.flush()?;
            let reply = client.recv_reply();
            in_flight_bytes -= payloads[replies.len()].len();
            if let Err(e) = &reply {
                if e.is_fatal() {
                    return Err(reply.unwrap_err());
                }
            }
            replies.push(reply);
        }
        Ok(replies)
    }
}

/// An already-encoded payload.
struct RawPayload<'a>(&'a [u8]);

impl Request for RawPayload<'_> {
    fn write_payload(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(self.0);
        Ok(())
    }
}
