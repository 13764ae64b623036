//! Payload compression (wire spec §4): a u32 uncompressed size, then a run-length
//! encoding of the byte-wise delta stream. Byte-exact with the server's encoder.
//!
//! Decompression is bounded: the declared size must be at most the caller's limit and
//! at most what the input could possibly expand to (a 2-byte run yields 127 bytes), so a
//! tiny input can never make the decoder allocate a large buffer.

use crate::DecodeError;

/// The largest run the encoder emits.
const MAX_RUN: usize = 127;
/// The largest literal block the encoder emits.
const MAX_LITERAL: usize = 128;

/// Compresses `src` into `u32 size + RLE(delta(src))`.
///
/// ```
/// use rayforce_client::wire::{compress, decompress};
/// let data = vec![7u8; 3000];
/// let packed = compress(&data);
/// assert!(packed.len() < 100);
/// assert_eq!(decompress(&packed, 1 << 20).unwrap(), data);
/// ```
pub fn compress(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + src.len() / 2 + 16);
    out.extend_from_slice(&(src.len() as u32).to_le_bytes());
    let delta: Vec<u8> = src
        .iter()
        .scan(0u8, |prev, &b| {
            let d = b.wrapping_sub(*prev);
            *prev = b;
            Some(d)
        })
        .collect();
    let n = delta.len();
    let pair_at = |i: usize| i + 1 < n && delta[i] == delta[i + 1];
    let mut i = 0;
    while i < n {
        if pair_at(i) {
            let mut run = 2;
            while i + run < n && delta[i + run] == delta[i] && run < MAX_RUN {
                run += 1;
            }
            out.push(run as u8);
            out.push(delta[i]);
            i += run;
        } else {
            let start = i;
            while i < n && i - start < MAX_LITERAL && !pair_at(i) {
                i += 1;
            }
            out.push((-((i - start) as i32)) as i8 as u8);
            out.extend_from_slice(&delta[start..i]);
        }
    }
    out
}

/// Decompresses a payload produced by [`compress`] (or by the server), refusing a
/// declared size above `max_size` and any malformed stream.
pub fn decompress(src: &[u8], max_size: usize) -> Result<Vec<u8>, DecodeError> {
    let bad = |msg: String| DecodeError::Compression(msg);
    if src.len() < 4 {
        return Err(bad("missing the 4-byte size prefix".into()));
    }
    let size = u32::from_le_bytes([src[0], src[1], src[2], src[3]]) as usize;
    let body = &src[4..];
    if size > max_size {
        return Err(bad(format!(
            "declared size {size} exceeds the limit of {max_size} bytes"
        )));
    }
    if size > body.len().saturating_mul(MAX_RUN.div_ceil(2) + 1) {
        return Err(bad(format!(
            "declared size {size} is impossible for {} compressed bytes",
            body.len()
        )));
    }
    let mut out = Vec::new();
    out.try_reserve_exact(size)
        .map_err(|_| bad(format!("no memory for {size} decompressed bytes")))?;
    let mut i = 0;
    while i < body.len() && out.len() < size {
        let c = body[i] as i8;
        i += 1;
        if c > 0 {
            let v = *body
                .get(i)
                .ok_or_else(|| bad("run without a value".into()))?;
            i += 1;
            let run = c as usize;
            if run > size - out.len() {
                return Err(bad("a run goes past the declared size".into()));
            }
            out.extend(std::iter::repeat_n(v, run));
        } else {
            let len = c.unsigned_abs() as usize;
            let lit = body
                .get(i..i + len)
                .ok_or_else(|| bad("literal block runs past the end".into()))?;
            i += len;
            if len > size - out.len() {
                return Err(bad("a literal block goes past the declared size".into()));
            }
            out.extend_from_slice(lit);
        }
    }
    if out.len() != size {
        return Err(bad(format!(
            "stream decodes to {} bytes, header says {size}",
            out.len()
        )));
    }
    if i != body.len() {
        return Err(bad(format!(
            "{} byte(s) follow the complete stream",
            body.len() - i
        )));
    }
    let mut prev = 0u8;
    for b in &mut out {
        *b = b.wrapping_add(prev);
        prev = *b;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_assorted_inputs() {
        let inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![1],
            vec![1, 1],
            (0..=255).collect(),
            (0..1000u32).map(|i| (i * 7 % 13) as u8).collect(),
            vec![0; 5000],
        ];
        for input in inputs {
            let packed = compress(&input);
            assert_eq!(decompress(&packed, usize::MAX).unwrap(), input);
        }
    }

    #[test]
    fn bombs_and_garbage_are_refused() {
        // Declares 100 MB from 6 bytes.
        let mut bomb = (100_000_000u32).to_le_bytes().to_vec();
        bomb.extend_from_slice(&[127, 0]);
        assert!(decompress(&bomb, usize::MAX).is_err());
        let mut over = (2000u32).to_le_bytes().to_vec();
        over.extend_from_slice(&[127, 0].repeat(20));
        assert!(decompress(&over, 1000).is_err());
        assert!(decompress(&[1, 0], 10).is_err());
        assert!(decompress(&[5, 0, 0, 0, 0xfb, 1], 10).is_err());
    }

    #[test]
    fn short_and_overlong_streams_are_errors() {
        // Shorter than the 4-byte size prefix: nothing to decode, never an empty value.
        for short in [&[][..], &[0], &[3, 0, 0]] {
            assert!(
                matches!(decompress(short, 1 << 20), Err(DecodeError::Compression(_))),
                "{short:?}"
            );
        }
        // A complete stream followed by more bytes.
        let mut packed = compress(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            decompress(&packed, 1 << 20).unwrap(),
            [1, 2, 3, 4, 5, 6, 7, 8]
        );
        packed.extend_from_slice(&[2, 9]);
        let err = decompress(&packed, 1 << 20).unwrap_err();
        assert!(
            err.to_string().contains("follow the complete stream"),
            "{err}"
        );
        // A run that overshoots the declared size is extra bytes too.
        let mut over = 3u32.to_le_bytes().to_vec();
        over.extend_from_slice(&[5, 1]);
        assert!(decompress(&over, 1 << 20).is_err());
    }
}
