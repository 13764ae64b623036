//! Text forms of values.
//!
//! * [`Value::to_rayfall`] writes Rayfall source that the server parses back into the same
//!   value (a LIST whose head is a name or builtin is written as a call `(f x y)`).
//! * `Display` is the same, except that a table prints as an aligned text grid, the way
//!   a query result is expected to look in a terminal.

use super::{Symbol, Table, TextColumn, Type, Value, Vector};
use std::fmt::{self, Write};

/// How many rows a table's `Display` shows before it truncates.
pub const DISPLAY_ROWS: usize = 20;

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Table(t) => fmt::Display::fmt(t, f),
            other => f.write_str(&other.to_rayfall()),
        }
    }
}

impl fmt::Display for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_vector(&mut out, self);
        f.write_str(&out)
    }
}

impl Value {
    /// Rayfall source text for this value.
    ///
    /// ```
    /// use rayforce::{Value, Vector};
    /// assert_eq!(Value::call("+", [1i64.into(), 2.5.into()]).to_rayfall(), "(+ 1 2.5)");
    /// assert_eq!(Value::symbol("a b").to_rayfall(), "(as 'symbol \"a b\")");
    /// assert_eq!(Value::from("say \"hi\"\n").to_rayfall(), r#""say \"hi\"\n""#);
    /// assert_eq!(Value::from(Vec::<f64>::new()).to_rayfall(), "(as 'F64 [])");
    /// ```
    pub fn to_rayfall(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self);
        out
    }
}

/// Whether `text` can be written as a bare identifier / after a quote.
pub(crate) fn is_plain_identifier(text: &[u8]) -> bool {
    !text.is_empty()
        && text.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/' | b'|' | b'?' | b'!')
        })
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::U8(x) => {
            let _ = write!(out, "0x{x:02x}");
        }
        Value::I16(x) => {
            let _ = write!(out, "{x}h");
        }
        Value::I32(x) => {
            let _ = write!(out, "{x}i");
        }
        Value::I64(x) => {
            let _ = write!(out, "{x}");
        }
        Value::F32(x) => write_f32(out, *x),
        Value::F64(x) => write_f64(out, *x),
        Value::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Value::Time(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Timestamp(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Guid(g) => {
            let _ = write!(out, "(as 'guid \"{g}\")");
        }
        Value::Symbol(s) => write_symbol(out, s),
        Value::Str(t) => write_string(out, t.as_bytes()),
        Value::TypedNull(t) => out.push_str(null_literal(*t)),
        Value::Vector(v) => write_vector(out, v),
        Value::List(items) => write_list(out, items),
        Value::Dict(d) => write_dict(out, &d.keys, &d.values),
        Value::Table(t) => write_table_literal(out, t),
        Value::Lambda(l) => {
            out.push_str("(fn [");
            write_names(out, &l.params);
            out.push(']');
            for expr in &l.body {
                out.push(' ');
                write_value(out, expr);
            }
            out.push(')');
        }
        Value::Builtin(b) => out.push_str(&b.name.to_string_lossy()),
        Value::Null => out.push_str("null"),
        Value::Error(code) => {
            let _ = write!(out, "(raise \"{code}\")");
        }
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

fn write_f64(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("0Nf");
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 {
            "(/ 1.0 0.0)"
        } else {
            "(/ -1.0 0.0)"
        });
    } else {
        // Debug gives the shortest round-trip form and always has a `.` or an exponent.
        let _ = write!(out, "{x:?}");
    }
}

fn write_f32(out: &mut String, x: f32) {
    if x.is_nan() {
        out.push_str("0Ne");
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 {
            "(as 'F32 (/ 1.0 0.0))"
        } else {
            "(as 'F32 (/ -1.0 0.0))"
        });
    } else {
        let text = format!("{x}");
        out.push_str(&text);
        if !text.contains('.') {
            out.push_str(".0");
        }
        out.push('e');
    }
}

fn write_symbol(out: &mut String, s: &Symbol) {
    let bytes = s.text.as_bytes();
    if !s.quoted {
        out.push_str(&s.text.to_string_lossy());
    } else if is_plain_identifier(bytes) {
        out.push('\'');
        out.push_str(&s.text.to_string_lossy());
    } else if bytes.is_empty() {
        out.push('\'');
    } else {
        out.push_str("(as 'symbol ");
        write_string(out, bytes);
        out.push(')');
    }
}

/// Writes a double-quoted Rayfall string with the parser's escapes.
pub(crate) fn write_string(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for ch in String::from_utf8_lossy(bytes).chars() {
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
}

fn write_names(out: &mut String, names: &TextColumn) {
    for (i, n) in names.iter_lossy().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&n);
    }
}

fn write_items<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        each(out, x);
    }
    out.push(']');
}

fn write_vector(out: &mut String, v: &Vector) {
    if v.is_empty() {
        if v.elem_type() == Type::I64 {
            out.push_str("[]");
        } else {
            let _ = write!(out, "(as '{} [])", v.elem_type().name());
        }
        return;
    }
    match v {
        Vector::Bool(x) => {
            write_items(out, x, |o, b| o.push_str(if *b { "true" } else { "false" }))
        }
        Vector::U8(x) => write_items(out, x, |o, b| {
            let _ = write!(o, "0x{b:02x}");
        }),
        Vector::I16(x) => write_items(out, x, |o, n| {
            if *n == i16::MIN {
                o.push_str("0Nh")
            } else {
                let _ = write!(o, "{n}h");
            }
        }),
        Vector::I32(x) => write_items(out, x, |o, n| {
            if *n == i32::MIN {
                o.push_str("0Ni")
            } else {
                let _ = write!(o, "{n}i");
            }
        }),
        Vector::I64(x) => write_items(out, x, |o, n| {
            if *n == i64::MIN {
                o.push_str("0Nl")
            } else {
                let _ = write!(o, "{n}");
            }
        }),
        Vector::F32(x) => write_items(out, x, |o, n| write_f32(o, *n)),
        Vector::F64(x) => write_items(out, x, |o, n| write_f64(o, *n)),
        Vector::Date(x) => write_items(out, x, |o, d| {
            let _ = write!(o, "{d}");
        }),
        Vector::Time(x) => write_items(out, x, |o, d| {
            let _ = write!(o, "{d}");
        }),
        Vector::Timestamp(x) => write_items(out, x, |o, d| {
            let _ = write!(o, "{d}");
        }),
        Vector::Guid(x) => {
            out.push_str("(as 'GUID (list");
            for g in x {
                let _ = write!(out, " \"{g}\"");
            }
            out.push_str("))");
        }
        Vector::Symbol(col) => {
            if col.iter().all(|s| s.is_empty() || is_plain_identifier(s)) {
                out.push('[');
                for (i, s) in col.iter_lossy().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push('\'');
                    out.push_str(&s);
                }
                out.push(']');
            } else {
                out.push_str("(as 'SYMBOL (list");
                for s in col.iter() {
                    out.push(' ');
                    write_string(out, s);
                }
                out.push_str("))");
            }
        }
        Vector::Str(col) => {
            out.push('[');
            for (i, s) in col.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_string(out, s);
            }
            out.push(']');
        }
    }
}

fn write_list(out: &mut String, items: &[Value]) {
    let is_call = matches!(
        items.first(),
        Some(Value::Symbol(Symbol { quoted: false, .. })) | Some(Value::Builtin(_))
    );
    out.push('(');
    if !is_call {
        out.push_str("list");
        if !items.is_empty() {
            out.push(' ');
        }
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(out, item);
    }
    out.push(')');
}

fn write_dict(out: &mut String, keys: &Value, values: &Value) {
    let plain_keys = match keys {
        Value::Vector(Vector::Symbol(k)) => k.iter().all(is_plain_identifier).then_some(k),
        _ => None,
    };
    match (plain_keys, values) {
        (Some(k), Value::List(vals)) if k.len() == vals.len() => {
            out.push('{');
            for (i, (key, val)) in k.iter_lossy().zip(vals).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&key);
                out.push_str(": ");
                write_value(out, val);
            }
            out.push('}');
        }
        _ => {
            out.push_str("(dict ");
            write_value(out, keys);
            out.push(' ');
            match values {
                Value::List(vals) => write_list_data(out, vals),
                other => write_value(out, other),
            }
            out.push(')');
        }
    }
}

/// A LIST written as data, `(list …)`, even when its head looks callable.
fn write_list_data(out: &mut String, items: &[Value]) {
    out.push_str("(list");
    for item in items {
        out.push(' ');
        write_value(out, item);
    }
    out.push(')');
}

fn write_table_literal(out: &mut String, t: &Table) {
    out.push_str("(table ");
    write_vector(out, &Vector::Symbol(t.names().clone()));
    out.push(' ');
    write_list_data(out, t.columns());
    out.push(')');
}

/// One cell of the text grid: atoms without Rayfall quoting.
fn cell_text(v: &Value) -> String {
    match v {
        Value::Symbol(s) => s.text.to_string_lossy().into_owned(),
        Value::Str(t) => t.to_string_lossy().into_owned(),
        Value::TypedNull(_) | Value::Null => "null".into(),
        Value::F64(x) if x.is_nan() => "null".into(),
        Value::F32(x) if x.is_nan() => "null".into(),
        other => other.to_rayfall(),
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
            assert_eq!(v.to_rayfall(), text, "{v:?}");
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
