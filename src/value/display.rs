//! Text forms of values.
//!
//! * [`Value::to_rayfall`] writes Rayfall source that the server parses back into the same
//!   value (a LIST whose head is a name or builtin is written as a call `(f x y)`).
//! * `Display` is the same, except that a table prints as an aligned text grid, the way
//!   a query result is expected to look in a terminal.

use super::{Symbol, Table, TextColumn, Type, Value, Vector};
use crate::{Error, Result};
use std::fmt::{self, Write};

/// How many rows a table's `Display` shows before it truncates.
pub const DISPLAY_ROWS: usize = 20;

impl fmt::Display for Value {
    /// Rayfall text as [`Value::to_rayfall`], but never failing: what has no exact text
    /// form is shown as close as possible (a table prints as an aligned grid).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Table(t) => fmt::Display::fmt(t, f),
            other => f.write_str(&Renderer::render(other, Mode::Lenient).unwrap_or_default()),
        }
    }
}

impl fmt::Display for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Renderer::new(Mode::Lenient);
        let _ = r.vector(self);
        f.write_str(&r.out)
    }
}

impl Value {
    /// Rayfall source text that the server evaluates to exactly what this value (sent as
    /// an expression tree) evaluates to, or [`Error::Render`] when there is no such text:
    /// a name that is not an identifier (it would be parsed as something else, or run as
    /// code), a string with a NUL byte or invalid UTF-8, an infinity, a B8 or U8 null, a
    /// dict with unusual keys over unevaluated values, or nesting deeper than 512.
    ///
    /// ```
    /// use rayforce_client::{Value, Vector};
    /// assert_eq!(Value::call("+", [1i64.into(), 2.5.into()]).to_rayfall().unwrap(), "(+ 1 2.5)");
    /// assert_eq!(Value::symbol("a b").to_rayfall().unwrap(), "(as 'symbol \"a b\")");
    /// assert_eq!(Value::from("say \"hi\"\n").to_rayfall().unwrap(), r#""say \"hi\"\n""#);
    /// assert_eq!(Value::from(Vec::<f64>::new()).to_rayfall().unwrap(), "(as 'F64 [])");
    /// // A name that would run as code is refused, never pasted.
    /// assert!(Value::name("(set pwned 1)").to_rayfall().is_err());
    /// assert!(Value::F64(f64::INFINITY).to_rayfall().is_err());
    /// ```
    pub fn to_rayfall(&self) -> Result<String> {
        Renderer::render(self, Mode::Strict)
    }
}

/// Whether `text` can be written after a quote as a literal symbol (`'abc`, `'001`).
pub(crate) fn is_plain_identifier(text: &[u8]) -> bool {
    !text.is_empty()
        && text.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/' | b'|' | b'?' | b'!')
        })
}

/// The operator tokens the parser reads as names.
const OPERATORS: [&str; 11] = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">="];

/// Whether `text` written bare is read back as a reference to the name `text`: identifier
/// characters, not starting like a number (`1a`, `-1`, `.5`), not a literal (`true`,
/// `false`, `null`), or one of the operator tokens.
pub(crate) fn is_name(text: &[u8]) -> bool {
    if OPERATORS.iter().any(|op| op.as_bytes() == text) {
        return true;
    }
    let starts_like_a_name = match text {
        [first, ..] if first.is_ascii_alphabetic() || *first == b'_' => true,
        [b'.', second, ..] => second.is_ascii_alphabetic() || *second == b'_',
        _ => false,
    };
    starts_like_a_name && is_plain_identifier(text) && !matches!(text, b"true" | b"false" | b"null")
}

/// Whether `text` works as a key of a `{key: value}` dict literal (a symbol key).
fn is_dict_key(text: &[u8]) -> bool {
    let starts_well = match text {
        [first, ..] if first.is_ascii_alphabetic() || *first == b'_' => true,
        [b'.', second, ..] => second.is_ascii_alphabetic() || *second == b'_',
        _ => false,
    };
    starts_well && is_plain_identifier(text)
}

/// The deepest nesting rendered (as deep as the wire encoder goes).
const MAX_RENDER_DEPTH: usize = crate::wire::MAX_ENCODE_DEPTH;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Exact text or an error.
    Strict,
    /// Best-effort text for people (Display).
    Lenient,
}

/// Writes Rayfall text; in strict mode anything without an exact form is an error.
struct Renderer {
    out: String,
    mode: Mode,
    depth: usize,
}

type Res = Result<()>;

impl Renderer {
    fn new(mode: Mode) -> Renderer {
        Renderer {
            out: String::new(),
            mode,
            depth: 0,
        }
    }

    fn render(v: &Value, mode: Mode) -> Result<String> {
        let mut r = Renderer::new(mode);
        r.value(v)?;
        Ok(r.out)
    }

    /// In strict mode an error; in lenient mode writes `fallback` instead.
    fn inexact(&mut self, reason: impl FnOnce() -> String, fallback: &str) -> Res {
        match self.mode {
            Mode::Strict => Err(Error::Render(reason())),
            Mode::Lenient => {
                self.out.push_str(fallback);
                Ok(())
            }
        }
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn value(&mut self, v: &Value) -> Res {
        if self.depth >= MAX_RENDER_DEPTH {
            return self.inexact(
                || format!("value nested deeper than {MAX_RENDER_DEPTH} levels"),
                "…",
            );
        }
        self.depth += 1;
        let result = self.value_inner(v);
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, v: &Value) -> Res {
        match v {
            Value::List(items) => self.list(items),
            Value::Dict(d) => self.dict(&d.keys, &d.values),
            Value::Table(t) => self.table_literal(t),
            Value::Lambda(l) => {
                self.push("(fn [");
                self.names(&l.params)?;
                self.push("]");
                for expr in &l.body {
                    self.push(" ");
                    self.value(expr)?;
                }
                self.push(")");
                Ok(())
            }
            leaf => self.leaf(leaf),
        }
    }

    #[inline(never)]
    fn leaf(&mut self, v: &Value) -> Res {
        let out = &mut self.out;
        match v {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::U8(x) => {
                let _ = write!(out, "0x{x:02x}");
            }
            // The smallest value of each type is its null sentinel; as an atom it is not
            // flagged null (`0Nh` would be), and `-32768h` is a domain error.
            Value::I16(i16::MIN) => out.push_str("(as 'I16 -32768)"),
            Value::I32(i32::MIN) => out.push_str("(as 'I32 -2147483648)"),
            Value::I64(i64::MIN) => out.push_str("-9223372036854775808"),
            Value::I16(x) => {
                let _ = write!(out, "{x}h");
            }
            Value::I32(x) => {
                let _ = write!(out, "{x}i");
            }
            Value::I64(x) => {
                let _ = write!(out, "{x}");
            }
            Value::F32(x) => return self.f32(*x),
            Value::F64(x) => return self.f64(*x),
            Value::Date(d) => return self.date(*d),
            Value::Time(t) => return self.time(*t),
            Value::Timestamp(t) => return self.timestamp(*t),
            Value::Guid(g) => {
                let _ = write!(out, "(as 'guid \"{g}\")");
            }
            Value::Symbol(s) => return self.symbol(s),
            Value::Str(t) => return self.string(t.as_bytes()),
            Value::TypedNull(t) => return self.typed_null(*t),
            Value::Vector(v) => return self.vector(v),
            Value::Builtin(b) => return self.name(b.name.as_bytes()),
            Value::Null => out.push_str("null"),
            Value::Error(code) => {
                let _ = write!(out, "(raise \"{code}\")");
            }
            Value::List(_) | Value::Dict(_) | Value::Table(_) | Value::Lambda(_) => {
                return self.value_inner(v)
            }
        }
        Ok(())
    }

    fn typed_null(&mut self, t: Type) -> Res {
        match t {
            Type::Bool | Type::U8 => self.inexact(
                || format!("a {} null has no text form", t.name()),
                if t == Type::Bool {
                    "(as 'B8 null)"
                } else {
                    "(as 'U8 null)"
                },
            ),
            t => {
                self.push(null_literal(t));
                Ok(())
            }
        }
    }

    /// A name reference, written bare.
    fn name(&mut self, text: &[u8]) -> Res {
        if is_name(text) {
            self.push(std::str::from_utf8(text).expect("names are ASCII"));
            return Ok(());
        }
        let lossy = String::from_utf8_lossy(text).into_owned();
        self.inexact(
            || format!("the name {lossy:?} is not a Rayfall identifier and has no text form"),
            &lossy,
        )
    }

    fn f64(&mut self, x: f64) -> Res {
        if x.is_nan() {
            self.push("0Nf");
        } else if x.is_infinite() {
            return self.inexact(
                || {
                    "Rayfall text has no infinity (the server reads 1e999 and (/ 1.0 0.0) as null)"
                        .into()
                },
                if x > 0.0 { "inf" } else { "-inf" },
            );
        } else {
            // Debug gives the shortest round-trip form and always has a `.` or an exponent.
            let _ = write!(self.out, "{x:?}");
        }
        Ok(())
    }

    fn f32(&mut self, x: f32) -> Res {
        if x.is_nan() {
            self.push("0Ne");
        } else if x.is_infinite() {
            return self.inexact(
                || "Rayfall text has no infinity".into(),
                if x > 0.0 { "inf" } else { "-inf" },
            );
        } else {
            let text = format!("{x}");
            self.push(&text);
            if !text.contains('.') {
                self.push(".0");
            }
            self.push("e");
        }
        Ok(())
    }

    /// Dates from 0001.01.01 to 9999.12.31 as literals; others (which the parser does not
    /// read) by their day count.
    fn date(&mut self, d: super::Date) -> Res {
        const FIRST: i32 = -730_119; // 0001.01.01
        const LAST: i32 = 2_921_939; // 9999.12.31
        if d.0 == i32::MIN {
            self.push("0Nd");
        } else if (FIRST..=LAST).contains(&d.0) {
            let _ = write!(self.out, "{d}");
        } else {
            let _ = write!(self.out, "(as 'date {}i)", d.0);
        }
        Ok(())
    }

    /// Times from 00:00:00.000 to 99:59:59.999 as literals; others by their milliseconds.
    fn time(&mut self, t: super::Time) -> Res {
        if t.0 == i32::MIN {
            self.push("0Nt");
        } else if (0..100 * 3_600_000).contains(&t.0) {
            let _ = write!(self.out, "{t}");
        } else {
            let _ = write!(self.out, "(as 'time {}i)", t.0);
        }
        Ok(())
    }

    /// Timestamps from 1800 to 2261 as literals; others by their nanoseconds.
    fn timestamp(&mut self, t: super::Timestamp) -> Res {
        const FIRST: i64 = -6_311_433_600_000_000_000; // 1800.01.01D00:00:00
        const LAST: i64 = 8_203_507_200_000_000_000; // 2260.01.01D00:00:00
        if t.0 == i64::MIN {
            self.push("0Np");
        } else if (FIRST..LAST).contains(&t.0) {
            let _ = write!(self.out, "{t}");
        } else {
            let _ = write!(self.out, "(as 'timestamp {})", t.0);
        }
        Ok(())
    }

    fn symbol(&mut self, s: &Symbol) -> Res {
        let bytes = s.text.as_bytes();
        if !s.quoted {
            return self.name(bytes);
        }
        if is_plain_identifier(bytes) {
            self.push("'");
            self.push(std::str::from_utf8(bytes).expect("identifiers are ASCII"));
        } else if bytes.is_empty() {
            self.push("'");
        } else {
            self.push("(as 'symbol ");
            self.string(bytes)?;
            self.push(")");
        }
        Ok(())
    }

    /// A double-quoted Rayfall string with the parser's escapes. A NUL byte (which would
    /// end the text early) and invalid UTF-8 have no text form.
    fn string(&mut self, bytes: &[u8]) -> Res {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                self.inexact(|| format!("the string {lossy:?} is not valid UTF-8"), "")?;
                return self.escaped(&lossy);
            }
        };
        if text.contains('\0') {
            self.inexact(
                || format!("the string {text:?} holds a NUL byte, which Rayfall text cannot carry"),
                "",
            )?;
        }
        self.escaped(text)
    }

    fn escaped(&mut self, text: &str) -> Res {
        let out = &mut self.out;
        out.push('"');
        for ch in text.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
        out.push('"');
        Ok(())
    }

    fn names(&mut self, names: &TextColumn) -> Res {
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            self.name(n)?;
        }
        Ok(())
    }

    fn items<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T) -> Res) -> Res {
        self.push("[");
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            each(self, x)?;
        }
        self.push("]");
        Ok(())
    }

    fn vector(&mut self, v: &Vector) -> Res {
        if v.is_empty() {
            if v.elem_type() == Type::I64 {
                self.push("[]");
            } else {
                let _ = write!(self.out, "(as '{} [])", v.elem_type().name());
            }
            return Ok(());
        }
        match v {
            Vector::Bool(x) => self.items(x, |r, b| {
                r.push(if *b { "true" } else { "false" });
                Ok(())
            }),
            Vector::U8(x) => self.items(x, |r, b| {
                let _ = write!(r.out, "0x{b:02x}");
                Ok(())
            }),
            Vector::I16(x) => self.items(x, |r, n| {
                match *n {
                    i16::MIN => r.push("0Nh"),
                    n => r.push(&format!("{n}h")),
                }
                Ok(())
            }),
            Vector::I32(x) => self.items(x, |r, n| {
                match *n {
                    i32::MIN => r.push("0Ni"),
                    n => r.push(&format!("{n}i")),
                }
                Ok(())
            }),
            Vector::I64(x) => self.items(x, |r, n| {
                match *n {
                    i64::MIN => r.push("0Nl"),
                    n => r.push(&n.to_string()),
                }
                Ok(())
            }),
            Vector::F32(x) => self.items(x, |r, n| r.f32(*n)),
            Vector::F64(x) => self.items(x, |r, n| r.f64(*n)),
            // Vectors of values outside the literal ranges are cast from integers.
            Vector::Date(x) => {
                self.temporal_items(x, |d| d.0 as i64, "DATE", "i", |r, d| r.date(*d))
            }
            Vector::Time(x) => {
                self.temporal_items(x, |t| t.0 as i64, "TIME", "i", |r, t| r.time(*t))
            }
            Vector::Timestamp(x) => {
                self.temporal_items(x, |t| t.0, "TIMESTAMP", "", |r, t| r.timestamp(*t))
            }
            Vector::Guid(x) => {
                self.push("(as 'GUID (list");
                for g in x {
                    let _ = write!(self.out, " \"{g}\"");
                }
                self.push("))");
                Ok(())
            }
            Vector::Symbol(col) => {
                if col.iter().all(|s| s.is_empty() || is_plain_identifier(s)) {
                    self.push("[");
                    for (i, s) in col.iter().enumerate() {
                        if i > 0 {
                            self.push(" ");
                        }
                        self.push("'");
                        self.push(std::str::from_utf8(s).expect("identifiers are ASCII"));
                    }
                    self.push("]");
                    Ok(())
                } else {
                    self.push("(as 'SYMBOL (list");
                    for s in col.iter() {
                        self.push(" ");
                        self.string(s)?;
                    }
                    self.push("))");
                    Ok(())
                }
            }
            Vector::Str(col) => {
                self.push("[");
                for (i, s) in col.iter().enumerate() {
                    if i > 0 {
                        self.push(" ");
                    }
                    self.string(s)?;
                }
                self.push("]");
                Ok(())
            }
        }
    }

    /// A temporal vector: `[lit lit]` when every element has a literal form, else
    /// `(as 'TYPE [n n])` from the raw integers (nulls as the integer null).
    fn temporal_items<T>(
        &mut self,
        items: &[T],
        raw: impl Fn(&T) -> i64,
        type_name: &str,
        suffix: &str,
        each: impl FnMut(&mut Self, &T) -> Res,
    ) -> Res {
        let mut plain = Renderer::new(self.mode);
        plain.items(items, each)?;
        if !plain.out.contains("(as ") {
            self.push(&plain.out);
            return Ok(());
        }
        let _ = write!(self.out, "(as '{type_name} [");
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            let n = raw(x);
            let null = if suffix == "i" {
                i32::MIN as i64
            } else {
                i64::MIN
            };
            if n == null {
                self.push(if suffix == "i" { "0Ni" } else { "0Nl" });
            } else {
                let _ = write!(self.out, "{n}{suffix}");
            }
        }
        self.push("])");
        Ok(())
    }

    fn list(&mut self, items: &[Value]) -> Res {
        // The server calls a LIST whose head is a name, a builtin or a lambda.
        let is_call = matches!(
            items.first(),
            Some(Value::Symbol(Symbol { quoted: false, .. }))
                | Some(Value::Builtin(_))
                | Some(Value::Lambda(_))
        );
        self.push("(");
        if !is_call {
            self.push("list");
            if !items.is_empty() {
                self.push(" ");
            }
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            self.value(item)?;
        }
        self.push(")");
        Ok(())
    }

    fn dict(&mut self, keys: &Value, values: &Value) -> Res {
        let plain_keys = match keys {
            Value::Vector(Vector::Symbol(k)) => k.iter().all(is_dict_key).then_some(k),
            _ => None,
        };
        match (plain_keys, values) {
            (Some(k), Value::List(vals)) if k.len() == vals.len() => {
                self.push("{");
                for (i, (key, val)) in k.iter().zip(vals).enumerate() {
                    if i > 0 {
                        self.push(" ");
                    }
                    self.push(std::str::from_utf8(key).expect("identifiers are ASCII"));
                    self.push(": ");
                    self.value(val)?;
                }
                self.push("}");
                Ok(())
            }
            _ => {
                // `(dict keys values)` evaluates its values, which `{…}` does not: exact only
                // when no value refers to a name.
                if self.mode == Mode::Strict && refers_to_names(values) {
                    return Err(Error::Render(format!(
                        "a dict with keys {} over expressions has no text form",
                        Renderer::render(keys, Mode::Lenient).unwrap_or_default()
                    )));
                }
                self.push("(dict ");
                self.value(keys)?;
                self.push(" ");
                match values {
                    Value::List(vals) => self.list_data(vals)?,
                    other => self.value(other)?,
                }
                self.push(")");
                Ok(())
            }
        }
    }

    /// A LIST written as data, `(list …)`, even when its head looks callable.
    fn list_data(&mut self, items: &[Value]) -> Res {
        self.push("(list");
        for item in items {
            self.push(" ");
            self.value(item)?;
        }
        self.push(")");
        Ok(())
    }

    fn table_literal(&mut self, t: &Table) -> Res {
        self.push("(table ");
        self.vector(&Vector::Symbol(t.names().clone()))?;
        self.push(" ");
        self.list_data(t.columns())?;
        self.push(")");
        Ok(())
    }
}

/// Whether evaluating `v` would look up a name (an unquoted symbol anywhere inside).
fn refers_to_names(v: &Value) -> bool {
    match v {
        Value::Symbol(s) => !s.quoted,
        Value::List(items) => items.iter().any(refers_to_names),
        Value::Dict(d) => refers_to_names(&d.keys) || refers_to_names(&d.values),
        Value::Lambda(_) | Value::Builtin(_) => true,
        _ => false,
    }
}

fn null_literal(t: Type) -> &'static str {
    match t {
        Type::Bool => "(as 'B8 null)",
        Type::U8 => "(as 'U8 null)",
        Type::I16 => "0Nh",
        Type::I32 => "0Ni",
        Type::I64 => "0Nl",
        Type::F32 => "0Ne",
        Type::F64 => "0Nf",
        Type::Date => "0Nd",
        Type::Time => "0Nt",
        Type::Timestamp => "0Np",
        Type::Guid => "0Ng",
        Type::Symbol => "'",
        Type::Str => "\"\"",
    }
}

/// One cell of the text grid: atoms without Rayfall quoting.
fn cell_text(v: &Value) -> String {
    match v {
        Value::Symbol(s) => s.text.to_string_lossy().into_owned(),
        Value::Str(t) => t.to_string_lossy().into_owned(),
        Value::TypedNull(_) | Value::Null => "null".into(),
        Value::F64(x) if x.is_nan() => "null".into(),
        Value::F32(x) if x.is_nan() => "null".into(),
        other => other.to_string(),
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.num_rows();
        let shown: Vec<usize> = if rows <= DISPLAY_ROWS {
            (0..rows).collect()
        } else {
            (0..DISPLAY_ROWS / 2)
                .chain(rows - DISPLAY_ROWS / 2..rows)
                .collect()
        };
        let mut grid: Vec<Vec<String>> = Vec::with_capacity(self.num_columns());
        let mut numeric = Vec::with_capacity(self.num_columns());
        for (name, col) in self.names().iter_lossy().zip(self.columns()) {
            let mut cells = vec![name.into_owned()];
            cells.extend(
                shown
                    .iter()
                    .map(|&i| col.item(i).map(|v| cell_text(&v)).unwrap_or_default()),
            );
            numeric.push(matches!(
                col.elem_type(),
                Some(Type::I16 | Type::I32 | Type::I64 | Type::F32 | Type::F64 | Type::U8)
            ));
            grid.push(cells);
        }
        let widths: Vec<usize> = grid
            .iter()
            .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
            .collect();
        let line = |f: &mut fmt::Formatter<'_>, row: usize| -> fmt::Result {
            let mut text = String::new();
            for (c, cells) in grid.iter().enumerate() {
                if c > 0 {
                    text.push_str("  ");
                }
                let cell = &cells[row];
                let pad = widths[c] - cell.chars().count();
                if numeric[c] && row > 0 {
                    text.extend(std::iter::repeat_n(' ', pad));
                    text.push_str(cell);
                } else {
                    text.push_str(cell);
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(f, "{}", text.trim_end())
        };
        line(f, 0)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(f, "{}", rule.join("  "))?;
        for r in 0..shown.len() {
            if rows > DISPLAY_ROWS && r == DISPLAY_ROWS / 2 {
                writeln!(f, "…")?;
            }
            line(f, r + 1)?;
        }
        write!(
            f,
            "({rows} row{}, {} column{})",
            if rows == 1 { "" } else { "s" },
            self.num_columns(),
            if self.num_columns() == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_print_as_rayfall_literals() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::Bool(true), "true"),
            (Value::U8(42), "0x2a"),
            (Value::I16(42), "42h"),
            (Value::I32(-7), "-7i"),
            (Value::I64(-5), "-5"),
            (Value::F32(1.5), "1.5e"),
            (Value::F64(100.0), "100.0"),
            (Value::F64(1e-7), "1e-7"),
            (Value::TypedNull(Type::I64), "0Nl"),
            (Value::symbol("abc"), "'abc"),
            (Value::name("salary"), "salary"),
            (Value::from(vec!["a", "b\"c"]), "[\"a\" \"b\\\"c\"]"),
            (Value::from(vec![Some(1i64), None]), "[1 0Nl]"),
            (
                Value::List(vec![1i64.into(), Value::symbol("a")]),
                "(list 1 'a)",
            ),
        ];
        for (v, text) in cases {
            assert_eq!(v.to_rayfall().unwrap(), text, "{v:?}");
        }
    }

    #[test]
    fn tables_print_as_aligned_grids_and_truncate() {
        let t = Table::new(
            ["id", "name"],
            vec![
                Value::from((0..30i64).collect::<Vec<_>>()),
                Value::Vector(Vector::Symbol((0..30).map(|i| format!("n{i}")).collect())),
            ],
        )
        .unwrap();
        let text = t.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "id  name");
        assert_eq!(lines[1], "--  ----");
        assert_eq!(lines[2], " 0  n0");
        assert!(text.contains("…"));
        assert!(lines.last().unwrap().contains("(30 rows, 2 columns)"));
        assert_eq!(lines.len(), 2 + DISPLAY_ROWS + 1 + 1);
    }
}
