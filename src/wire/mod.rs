//! The wire layer: Rayforce's own binary protocol (version 3), as pure functions.
//!
//! It is the sans-IO protocol core under every connection: payload encoding and decoding
//! ([`encode`], [`decode`]), the 16-byte [`FrameHeader`], the handshake of both sides as
//! state machines ([`handshake`]), what a request is ([`Request`]), compression
//! ([`compress`], [`decompress`]) and the [`Limits`] that bound what untrusted bytes may
//! cost. The clients, transports and the server only move its bytes. It never does I/O
//! and never panics on any input.

mod compress;
mod decode;
mod encode;
pub mod handshake;
mod header;
pub(crate) mod hugepages;
mod request;

pub use compress::{compress, decompress};
pub(crate) use decode::next_capacity;
pub use decode::{
    decode, decode_column_into, decode_prefix, decode_stream, decode_stream_into, ColumnElement,
    ColumnReply, StreamError,
};
pub use encode::{
    encode, encode_dict_header, encode_into, encode_list_header, encode_str_into,
    encode_table_into, encode_table_to, encode_to, encoded_len, Parts, Sink, ATTR_HAS_NULLS,
    ATTR_TABLE_NAMES, BORROW_ABOVE, MAX_ENCODE_DEPTH,
};
pub use header::{FrameHeader, MsgType, FLAG_COMPRESSED, FLAG_VERBOSE, HEADER_LEN, MAGIC, VERSION};
pub use request::Request;

use crate::{DecodeError, Value};

#[cfg(target_endian = "big")]
compile_error!("the rayforce wire codec bulk-copies little-endian columns; big-endian targets are not supported");

/// Bounds on what decoding untrusted bytes may cost.
///
/// ```
/// use rayforce_client::wire::Limits;
/// let l = Limits::default();
/// assert_eq!(l.max_frame_size, 4 << 30);
/// assert_eq!(l.max_depth, 512);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest frame payload accepted, in bytes. The server sends frames above the 256 MiB
    /// it accepts itself, so the default is 4 GiB.
    pub max_frame_size: u64,
    /// Largest uncompressed size accepted for a compressed frame (default 256 MiB, the
    /// largest the protocol allows).
    pub max_decompressed_size: usize,
    /// Deepest nesting of lists, dicts and tables accepted (default 512, like the server).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_frame_size: 4 << 30,
            max_decompressed_size: 256 << 20,
            max_depth: MAX_ENCODE_DEPTH,
        }
    }
}

/// A whole frame in memory: header plus (possibly compressed) payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The header as received or to be sent.
    pub header: FrameHeader,
    /// The payload bytes exactly as on the wire.
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame carrying `payload` uncompressed.
    pub fn new(msg_type: MsgType, payload: Vec<u8>) -> Frame {
        Frame {
            header: FrameHeader::new(msg_type, payload.len() as u64),
            payload,
        }
    }

    /// A frame that compresses `payload` when that makes it smaller (as the server does:
    /// only when `compressed + 4 < raw`).
    pub fn compressed(msg_type: MsgType, payload: Vec<u8>) -> Frame {
        let packed = compress(&payload);
        if packed.len() < payload.len() {
            let mut frame = Frame::new(msg_type, packed);
            frame.header.flags |= FLAG_COMPRESSED;
            frame
        } else {
            Frame::new(msg_type, payload)
        }
    }

    /// Parses a complete frame from bytes (header and exactly `size` payload bytes).
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Frame, DecodeError> {
        let head: &[u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(DecodeError::Truncated {
                offset: bytes.len(),
                needed: HEADER_LEN.saturating_sub(bytes.len()),
            })?;
        let header = FrameHeader::decode(head, limits.max_frame_size)?;
        let body = &bytes[HEADER_LEN..];
        if (body.len() as u64) < header.size {
            return Err(DecodeError::Truncated {
                offset: bytes.len(),
                needed: (header.size - body.len() as u64) as usize,
            });
        }
        if body.len() as u64 > header.size {
            return Err(DecodeError::TrailingBytes(
                body.len() - header.size as usize,
            ));
        }
        Ok(Frame {
            header,
            payload: body.to_vec(),
        })
    }

    /// Header and payload as one byte vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        out.extend_from_slice(&self.header.encode());
        out.extend_from_slice(&self.payload);
        out
    }

    /// The uncompressed payload.
    pub fn plain_payload(
        &self,
        limits: &Limits,
    ) -> Result<std::borrow::Cow<'_, [u8]>, DecodeError> {
        if self.header.is_compressed() {
            decompress(&self.payload, limits.max_decompressed_size).map(Into::into)
        } else {
            Ok((&self.payload[..]).into())
        }
    }

    /// Decodes the payload (decompressing first if needed) into a value.
    pub fn value(&self, limits: &Limits) -> Result<Value, DecodeError> {
        decode(&self.plain_payload(limits)?, limits)
    }
}
