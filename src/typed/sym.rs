//! [`Sym`]: a symbol field that needs no allocation per cell. Symbols are mostly short
//! (tickers, venues, categories): up to [`Sym::INLINE`] bytes are stored inline, like a
//! small array; longer ones share one allocation per distinct text of a decoded column.
//! Either way a cell costs no allocation and no atomic operation for short symbols, where a
//! `String` field costs an allocation per cell.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// A symbol's text, compact: up to [`Sym::INLINE`] bytes inline (cloning copies 24
/// bytes), longer texts shared (cloning is a reference-count bump). Use it for `SYMBOL`
/// columns in `#[derive(RayTable)]` structs and serde rows alike; it derefs to `str`.
///
/// ```
/// use rayforce_client::typed::Sym;
/// let a = Sym::from("AAPL");
/// assert_eq!(a, "AAPL");
/// assert_eq!(a.len(), 4); // derefs to `str`
/// assert_eq!(std::mem::size_of::<Sym>(), std::mem::size_of::<String>());
/// let long = Sym::from("a symbol longer than twenty-two bytes");
/// assert!(Sym::ptr_eq(&long, &long.clone()));
/// ```
#[derive(Clone)]
pub struct Sym(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes of UTF-8 text at the start of `bytes`.
    Inline {
        len: u8,
        bytes: [u8; Sym::INLINE],
    },
    Shared(Arc<str>),
}

impl Sym {
    /// The longest text stored inline, in bytes.
    pub const INLINE: usize = 22;

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                // SAFETY: `Inline` holds `len` bytes of a `&str` (`Sym::new`) or of a
                // window whose first `len` bytes are valid UTF-8 (`Sym::from_window`).
                unsafe { std::str::from_utf8_unchecked(&bytes[..*len as usize]) }
            }
            Repr::Shared(s) => s,
        }
    }

    /// A symbol holding `text` (inline when it fits, else in a new shared allocation).
    #[inline]
    pub fn new(text: &str) -> Sym {
        if text.len() <= Sym::INLINE {
            let mut bytes = [0u8; Sym::INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Sym(Repr::Inline {
                len: text.len() as u8,
                bytes,
            })
        } else {
            Sym(Repr::Shared(Arc::from(text)))
        }
    }

    /// An inline symbol of the first `len` bytes of `window` (the rest is ignored), with
    /// no variable-length copy: a decoder hands over a fixed window of its buffer.
    ///
    /// # Safety
    /// `len <= Sym::INLINE` and `window[..len]` is valid UTF-8.
    #[inline(always)]
    pub(crate) unsafe fn from_window(window: [u8; Sym::INLINE], len: usize) -> Sym {
        debug_assert!(len <= Sym::INLINE && std::str::from_utf8(&window[..len]).is_ok());
        Sym(Repr::Inline {
            len: len as u8,
            bytes: window,
        })
    }

    /// Whether `a` and `b` share one allocation (long texts of one decoded column do;
    /// inline texts never do).
    pub fn ptr_eq(a: &Sym, b: &Sym) -> bool {
        matches!((&a.0, &b.0), (Repr::Shared(x), Repr::Shared(y)) if Arc::ptr_eq(x, y))
    }

    /// Whether the text is stored inline.
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::new("")
    }
}

impl PartialEq for Sym {
    fn eq(&self, other: &Sym) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Sym {}

impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Sym) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sym {
    fn cmp(&self, other: &Sym) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Sym {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Sym {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym::new(s)
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym::new(&s)
    }
}

impl From<Arc<str>> for Sym {
    fn from(s: Arc<str>) -> Sym {
        if s.len() <= Sym::INLINE {
            Sym::new(&s)
        } else {
            Sym(Repr::Shared(s))
        }
    }
}

impl From<Sym> for String {
    fn from(s: Sym) -> String {
        s.as_str().to_owned()
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Sym {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        <std::borrow::Cow<'de, str>>::deserialize(d).map(|s| Sym::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::Sym;

    #[test]
    fn inline_and_shared_texts_behave_alike() {
        for text in [
            "",
            "a",
            "AAPL",
            "exactly-22-bytes-long!",
            "twenty-three bytes long",
            "ünïcödé ✓ longer than inline",
        ] {
            let s = Sym::new(text);
            assert_eq!(s.as_str(), text);
            assert_eq!(s.is_inline(), text.len() <= Sym::INLINE, "{text}");
            assert_eq!(s.clone(), s);
            assert_eq!(format!("{s}"), text);
            assert_eq!(String::from(s.clone()), text);
        }
        assert!(Sym::new("b") > Sym::new("a"));
        assert!(Sym::new("a longer text than the inline room") < Sym::new("b"));
    }
}
