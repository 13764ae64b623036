//! Byte-string values: [`Text`] (one string or symbol name), [`Symbol`] (a symbol atom with
//! its quoted/name-reference flag) and [`TextColumn`] (a whole SYM or STR vector stored as
//! one byte buffer plus end offsets, so decoding a million symbols makes two allocations,
//! not a million).
//!
//! Rayforce strings are bytes: they are usually UTF-8 but nothing on the wire enforces it,
//! so these types keep the bytes verbatim and offer checked and lossy `&str` views.

use std::borrow::Cow;
use std::fmt;

/// An owned byte string (a STR atom, or a symbol's name), usually UTF-8.
///
/// ```
/// use rayforce_client::Text;
/// let t = Text::from("héllo");
/// assert_eq!(t.as_str(), Some("héllo"));
/// assert_eq!(t.len(), 6); // bytes, like the server's `count`
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(Box<[u8]>);

impl Text {
    /// Wraps raw bytes.
    pub fn from_bytes(bytes: impl Into<Box<[u8]>>) -> Text {
        Text(bytes.into())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text, when it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The text with invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.as_bytes().into())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s.into_bytes().into_boxed_slice())
    }
}

impl From<&[u8]> for Text {
    fn from(b: &[u8]) -> Text {
        Text(b.into())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == other.as_bytes()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => write!(f, "{s:?}"),
            None => write!(f, "b{:?}", self.to_string_lossy()),
        }
    }
}

/// A symbol atom.
///
/// On the wire a symbol carries a flag that changes how the server evaluates it (wire spec
/// §6): a **quoted** symbol (`'abc`) is a literal value, an unquoted one is a **name
/// reference** that the server looks up. [`Symbol::literal`] makes the first,
/// [`Symbol::name`] the second.
///
/// ```
/// use rayforce_client::Symbol;
/// assert!(Symbol::literal("abc").quoted);
/// assert!(!Symbol::name("employees").quoted);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Symbol {
    /// The symbol's bytes (no NUL allowed: symbols are NUL-terminated on the wire).
    pub text: Text,
    /// `true` for a literal symbol (wire flag 0x20), `false` for a name reference.
    pub quoted: bool,
}

impl Symbol {
    /// A literal (quoted) symbol: evaluates to itself.
    pub fn literal(text: impl Into<Text>) -> Symbol {
        Symbol {
            text: text.into(),
            quoted: true,
        }
    }

    /// A name reference: the server looks the name up (a variable, column or function).
    pub fn name(text: impl Into<Text>) -> Symbol {
        Symbol {
            text: text.into(),
            quoted: false,
        }
    }
}

/// A column of byte strings: the elements of a SYM or STR vector, stored contiguously.
///
/// ```
/// use rayforce_client::TextColumn;
/// let col: TextColumn = ["a", "bb", ""].into_iter().collect();
/// assert_eq!(col.len(), 3);
/// assert_eq!(col.get_str(1), Some("bb"));
/// assert_eq!(col.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![1, 2, 0]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct TextColumn {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl TextColumn {
    /// An empty column.
    pub fn new() -> TextColumn {
        TextColumn::default()
    }

    /// An empty column with room for `items` elements and `bytes` bytes of text.
    pub fn with_capacity(items: usize, bytes: usize) -> TextColumn {
        TextColumn {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(items),
        }
    }

    /// Appends one element.
    pub fn push(&mut self, item: impl AsRef<[u8]>) {
        self.bytes.extend_from_slice(item.as_ref());
        self.ends.push(self.bytes.len());
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Element `i` as bytes.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.bytes[start..end])
    }

    /// Element `i` as `&str`, when it exists and is valid UTF-8.
    pub fn get_str(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Iterates over the elements as byte slices.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let item = &self.bytes[start..end];
            start = end;
            item
        })
    }

    /// Iterates over the elements as text, replacing invalid UTF-8.
    pub fn iter_lossy(&self) -> impl ExactSizeIterator<Item = Cow<'_, str>> + '_ {
        self.iter().map(String::from_utf8_lossy)
    }

    /// All elements' bytes, concatenated.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Each element's end offset in [`bytes`](Self::bytes) (element `i` spans
    /// `ends[i - 1]..ends[i]`, the first starts at 0).
    pub fn ends(&self) -> &[usize] {
        &self.ends
    }

    /// Whether any element is empty (the server's null for symbols and strings).
    pub fn has_empty(&self) -> bool {
        let mut start = 0;
        self.ends.iter().any(|&end| {
            let empty = end == start;
            start = end;
            empty
        })
    }

    /// The column's parts: concatenated bytes and each element's end offset (no copy).
    pub fn into_parts(self) -> (Vec<u8>, Vec<usize>) {
        (self.bytes, self.ends)
    }

    /// Builds a column from parts a decoder produced in one pass (ascending offsets ending at
    /// `bytes.len()` by construction), without checking them again; checked in debug builds.
    pub(crate) fn from_split(bytes: Vec<u8>, ends: Vec<usize>) -> TextColumn {
        debug_assert!(TextColumn::from_parts(bytes.clone(), ends.clone()).is_some());
        TextColumn { bytes, ends }
    }

    /// Builds a column from its parts: concatenated bytes and each element's end offset.
    /// Fails when the offsets are not ascending or overrun the bytes.
    pub fn from_parts(bytes: Vec<u8>, ends: Vec<usize>) -> Option<TextColumn> {
        let mut prev = 0;
        for &end in &ends {
            if end < prev || end > bytes.len() {
                return None;
            }
            prev = end;
        }
        if prev != bytes.len() {
            return None;
        }
        Some(TextColumn { bytes, ends })
    }
}

impl<S: AsRef<[u8]>> FromIterator<S> for TextColumn {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> TextColumn {
        let mut col = TextColumn::new();
        for item in iter {
            col.push(item);
        }
        col
    }
}

impl fmt::Debug for TextColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter_lossy()).finish()
    }
}
