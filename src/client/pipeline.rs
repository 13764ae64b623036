//! [`Pipeline`]: a batch of requests as a value of its own, run on either client; the
//! requests are written back to back and the replies read in order. The server answers
//! SYNC frames strictly in order, so no request ids are needed.

use super::{Client, Request};
use crate::wire::MsgType;
use crate::{Result, Value};

/// At most this many requests are in flight at once on the sync client.
const MAX_IN_FLIGHT: usize = 1024;
/// At most this many request bytes are in flight at once on the sync client, so neither
/// side can block on a full socket buffer while the other waits.
const MAX_IN_FLIGHT_BYTES: usize = 4 << 20;

/// A batch of requests of any kinds (text, values, queries), encoded when pushed.
///
/// ```no_run
/// use rayforce_client::client::Pipeline;
/// use rayforce_client::query::TableRef;
/// use rayforce_client::Client;
/// let mut batch = Pipeline::new();
/// batch.push("(set x 1)")?.push(&TableRef::named("t").select(["id"]))?;
/// for i in 0..100 {
///     batch.push(&format!("(+ {i} 1)"))?;
/// }
/// let mut client = Client::connect("127.0.0.1", 5000)?;
/// let replies = client.run(&batch)?; // one Result per request, in order
/// assert_eq!(replies[101].as_ref().unwrap(), &rayforce_client::Value::I64(100));
/// # Ok::<(), rayforce_client::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    payloads: Vec<Vec<u8>>,
}

impl Pipeline {
    /// An empty batch.
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// Adds a request (encoded now; nothing is sent until the pipeline runs).
    pub fn push<R: Request + ?Sized>(&mut self, request: &R) -> Result<&mut Self> {
        let mut payload = Vec::new();
        request.write_payload(&mut payload)?;
        self.payloads.push(payload);
        Ok(self)
    }

    /// Adds a request already encoded (a payload as [`Request::write_payload`] writes it).
    pub(crate) fn push_encoded(&mut self, payload: Vec<u8>) {
        self.payloads.push(payload);
    }

    /// Number of queued requests.
    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    /// Whether no request is queued.
    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    pub(crate) fn payloads(&self) -> &[Vec<u8>] {
        &self.payloads
    }
}

impl Client {
    /// Runs a [`Pipeline`]: sends every request and collects the replies in order. The
    /// outer error is a transport or protocol failure (the client is then dead); each
    /// inner result is one request's outcome, so a server error in one request does not
    /// hide the others.
    pub fn run(&mut self, pipeline: &Pipeline) -> Result<Vec<Result<Value>>> {
        let payloads = pipeline.payloads();
        self.ensure_ready()?;
        let mut replies = Vec::with_capacity(payloads.len());
        let mut sent = 0;
        let mut in_flight_bytes = 0;
        let mut spans = std::collections::VecDeque::new();
        while replies.len() < payloads.len() {
            while sent < payloads.len()
                && sent - replies.len() < MAX_IN_FLIGHT
                && (in_flight_bytes < MAX_IN_FLIGHT_BYTES || sent == replies.len())
            {
                let span = super::trace::RequestSpan::start(self.peer(), "sync");
                span.request_bytes(self.send_request(MsgType::Sync, &RawPayload(&payloads[sent]))?);
                spans.push_back(span);
                in_flight_bytes += payloads[sent].len();
                sent += 1;
            }
            self.flush()?;
            let reply = self.recv_reply();
            if let Some(span) = spans.pop_front() {
                span.reply_bytes(self.reply_bytes);
                span.finish(&reply);
            }
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
