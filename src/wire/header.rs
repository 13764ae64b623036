//! The 16-byte frame header (wire spec §3): magic, version, flags, endianness, message
//! type and payload size.

use crate::DecodeError;

/// The frame magic `0xCEFADEFA` (`fa de fa ce` on the wire).
pub const MAGIC: u32 = 0xCEFA_DEFA;
/// The wire version this crate speaks.
pub const VERSION: u8 = 3;
/// Length of a frame header in bytes.
pub const HEADER_LEN: usize = 16;
/// Flag: the payload is compressed (§4).
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Flag: the server captures stdout/stderr and answers `[output, result]`.
pub const FLAG_VERBOSE: u8 = 0x04;

/// What a frame is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MsgType {
    /// Evaluate, no reply (0).
    Async,
    /// Evaluate and reply with exactly one RESPONSE (1).
    Sync,
    /// A reply (2).
    Response,
    /// Any other code; the server treats these like ASYNC.
    Other(u8),
}

impl MsgType {
    /// The wire code.
    pub fn code(self) -> u8 {
        match self {
            MsgType::Async => 0,
            MsgType::Sync => 1,
            MsgType::Response => 2,
            MsgType::Other(c) => c,
        }
    }

    /// The message type for a wire code.
    pub fn from_code(code: u8) -> MsgType {
        match code {
            0 => MsgType::Async,
            1 => MsgType::Sync,
            2 => MsgType::Response,
            c => MsgType::Other(c),
        }
    }
}

/// A parsed frame header.
///
/// ```
/// use rayforce_client::wire::{FrameHeader, MsgType};
/// let h = FrameHeader::new(MsgType::Sync, 17);
/// let bytes = h.encode();
/// assert_eq!(&bytes[..8], &[0xfa, 0xde, 0xfa, 0xce, 3, 0, 0, 1]);
/// assert_eq!(FrameHeader::decode(&bytes, u64::MAX).unwrap(), h);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameHeader {
    /// Flag bits (`FLAG_COMPRESSED`, `FLAG_VERBOSE`, …).
    pub flags: u8,
    /// The message type.
    pub msg_type: MsgType,
    /// Payload length in bytes, not counting the header.
    pub size: u64,
}

impl FrameHeader {
    /// A header with no flags.
    pub fn new(msg_type: MsgType, size: u64) -> FrameHeader {
        FrameHeader {
            flags: 0,
            msg_type,
            size,
        }
    }

    /// Whether the payload is compressed.
    pub fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }

    /// The 16 header bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..4].copy_from_slice(&MAGIC.to_le_bytes());
        out[4] = VERSION;
        out[5] = self.flags;
        out[6] = 0;
        out[7] = self.msg_type.code();
        out[8..].copy_from_slice(&self.size.to_le_bytes());
        out
    }

    /// Parses and validates a header; `max_size` bounds the payload size it will accept.
    pub fn decode(bytes: &[u8; HEADER_LEN], max_size: u64) -> Result<FrameHeader, DecodeError> {
        let magic = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if magic != MAGIC {
            return Err(DecodeError::BadMagic(magic));
        }
        if bytes[4] != VERSION {
            return Err(DecodeError::BadVersion(bytes[4]));
        }
        if bytes[6] != 0 {
            return Err(DecodeError::BadEndian(bytes[6]));
        }
        let mut size = [0u8; 8];
        size.copy_from_slice(&bytes[8..]);
        let size = i64::from_le_bytes(size);
        if size < 0 {
            return Err(DecodeError::BadSize(size));
        }
        if size as u64 > max_size {
            return Err(DecodeError::FrameTooLarge {
                size: size as u64,
                max: max_size,
            });
        }
        Ok(FrameHeader {
            flags: bytes[5],
            msg_type: MsgType::from_code(bytes[7]),
            size: size as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_bytes(magic: u32, version: u8, endian: u8, size: i64) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&magic.to_le_bytes());
        b[4] = version;
        b[6] = endian;
        b[7] = 2;
        b[8..].copy_from_slice(&size.to_le_bytes());
        b
    }

    #[test]
    fn every_invalid_field_is_a_typed_error() {
        let max = 1 << 20;
        assert_eq!(
            FrameHeader::decode(&header_bytes(1, 3, 0, 1), max),
            Err(DecodeError::BadMagic(1))
        );
        assert_eq!(
            FrameHeader::decode(&header_bytes(MAGIC, 2, 0, 1), max),
            Err(DecodeError::BadVersion(2))
        );
        assert_eq!(
            FrameHeader::decode(&header_bytes(MAGIC, 3, 1, 1), max),
            Err(DecodeError::BadEndian(1))
        );
        assert_eq!(
            FrameHeader::decode(&header_bytes(MAGIC, 3, 0, -1), max),
            Err(DecodeError::BadSize(-1))
        );
        assert_eq!(
            FrameHeader::decode(&header_bytes(MAGIC, 3, 0, i64::MAX), max),
            Err(DecodeError::FrameTooLarge {
                size: i64::MAX as u64,
                max
            })
        );
    }
}
