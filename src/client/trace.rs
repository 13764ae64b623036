//! One `tracing` span per request (feature `tracing`): `rayforce.request` at DEBUG level
//! with the peer, the message type, the request and reply sizes in bytes, the duration and
//! the outcome (`ok`, `server:<code>`, `cancelled`, `timeout:<op>`, `lost`, …). Values and
//! query text are never recorded, and the SDK installs no subscriber: nothing is logged
//! unless the application asks for it. Without the feature this is a zero-sized no-op.

use crate::{Error, Result};

/// The outcome of a request as one short word, for the span.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) fn outcome<T>(result: &Result<T>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(Error::Server { code, .. }) => format!("server:{code}"),
        Err(Error::Cancelled { .. }) => "cancelled".into(),
        Err(Error::Timeout { op, .. }) => format!("timeout:{op}"),
        Err(Error::ConnectionLost { .. } | Error::Io { .. }) => "lost".into(),
        Err(Error::Protocol { .. }) => "protocol".into(),
        Err(Error::Dead { .. }) => "dead".into(),
        Err(Error::Closed) => "closed".into(),
        Err(_) => "error".into(),
    }
}

#[cfg(feature = "tracing")]
mod imp {
    use crate::Result;
    use std::time::Instant;
    use tracing::field::Empty;

    /// A request's span; cheap to clone (the reader of the async client records the reply
    /// size on a clone).
    #[derive(Clone, Debug)]
    pub(crate) struct RequestSpan {
        span: tracing::Span,
        start: Instant,
    }

    impl RequestSpan {
        pub(crate) fn start(peer: &str, msg_type: &'static str) -> RequestSpan {
            RequestSpan {
                span: tracing::debug_span!(
                    "rayforce.request",
                    peer,
                    msg_type,
                    request_bytes = Empty,
                    reply_bytes = Empty,
                    duration_us = Empty,
                    outcome = Empty,
                ),
                start: Instant::now(),
            }
        }

        pub(crate) fn request_bytes(&self, bytes: usize) {
            self.span.record("request_bytes", bytes as u64);
        }

        pub(crate) fn reply_bytes(&self, bytes: u64) {
            self.span.record("reply_bytes", bytes);
        }

        pub(crate) fn finish<T>(&self, result: &Result<T>) {
            let micros = self.start.elapsed().as_micros() as u64;
            self.span.record("duration_us", micros);
            self.span.record("outcome", super::outcome(result).as_str());
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod imp {
    use crate::Result;

    /// The no-op span of builds without the `tracing` feature.
    #[derive(Clone, Debug)]
    pub(crate) struct RequestSpan;

    impl RequestSpan {
        #[inline(always)]
        pub(crate) fn start(_peer: &str, _msg_type: &'static str) -> RequestSpan {
            RequestSpan
        }
        #[inline(always)]
        pub(crate) fn request_bytes(&self, _bytes: usize) {}
        #[inline(always)]
        pub(crate) fn reply_bytes(&self, _bytes: u64) {}
        #[inline(always)]
        pub(crate) fn finish<T>(&self, _result: &Result<T>) {}
    }
}

pub(crate) use imp::RequestSpan;
