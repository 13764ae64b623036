//! Results as text: aligned tables that fit the terminal (long results cut with a count),
//! CSV and JSON. Nulls are shown as `null` (dimmed on a colour terminal), never as an
//! empty cell in the table format. Pure functions over `Value`.

use rayforce_client::{Table, Value};
use std::fmt::Write as _;

/// How results are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON document: a table is an array of row objects.
    Json,
    /// An Arrow IPC file (Feather v2) holding the result table, for `--output`.
    Arrow,
}

/// Options of the table format.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Terminal width in characters.
    pub width: usize,
    /// Rows shown before the rest is cut (with a count).
    pub max_rows: usize,
    /// ANSI colours (only on a terminal).
    pub color: bool,
}

/// Widest a cell is shown before it is cut with `…`.
const MAX_CELL: usize = 40;

/// A cell's text and whether it is a null.
fn cell(value: &Value) -> (String, bool) {
    if value.is_null_sentinel() {
        return ("null".into(), true);
    }
    let text = match value {
        Value::Symbol(s) => s.text.to_string(),
        Value::Str(t) => t.to_string(),
        other => other.to_string(),
    };
    (text, false)
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn cut(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A table-like view of any value: (column names, columns, rows).
fn grid(value: &Value) -> Option<(Vec<String>, Vec<Value>, usize)> {
    match value {
        Value::Table(t) => Some(table_grid(t)),
        Value::Dict(d) => {
            let rows = d.len();
            Some((
                vec!["key".into(), "value".into()],
                vec![(*d.keys).clone(), (*d.values).clone()],
                rows,
            ))
        }
        _ => None,
    }
}

fn table_grid(t: &Table) -> (Vec<String>, Vec<Value>, usize) {
    let names = t.names().iter_lossy().map(|n| n.into_owned()).collect();
    (names, t.columns().to_vec(), t.num_rows())
}

/// Renders `value` in the table format.
pub fn table(value: &Value, layout: Layout) -> String {
    let Some((names, columns, rows)) = grid(value) else {
        return format!("{value}\n");
    };
    let shown = rows.min(layout.max_rows);
    let cells: Vec<Vec<(String, bool)>> = columns
        .iter()
        .map(|c| {
            (0..shown)
                .map(|i| c.item(i).map(|v| cell(&v)).unwrap_or_default())
                .map(|(t, null)| (cut(&t, MAX_CELL), null))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = names
        .iter()
        .zip(&cells)
        .map(|(n, col)| {
            col.iter()
                .map(|(t, _)| width(t))
                .max()
                .unwrap_or(0)
                .max(width(n))
        })
        .collect();
    // Columns that fit the terminal (at least one).
    let mut fit = 0;
    let mut used = 0;
    for w in &widths {
        let need = if fit == 0 { *w } else { w + 3 };
        if fit > 0 && used + need > layout.width {
            break;
        }
        used += need;
        fit += 1;
    }
    let paint = |text: &str, code: &str| {
        if layout.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let header: Vec<String> = (0..fit)
        .map(|c| {
            paint(
                &format!("{:<w$}", cut(&names[c], widths[c]), w = widths[c]),
                "1",
            )
        })
        .collect();
    let _ = writeln!(out, "{}", header.join(" | ").trim_end());
    let rule: Vec<String> = (0..fit).map(|c| "-".repeat(widths[c])).collect();
    let _ = writeln!(out, "{}", rule.join("-+-"));
    let cells = &cells;
    let row_cells = |r: usize| (0..fit).map(move |c| (c, &cells[c][r]));
    for row in (0..shown).map(row_cells) {
        let line: Vec<String> = row
            .map(|(c, (text, null))| {
                let padded = format!("{:<w$}", text, w = widths[c]);
                if *null {
                    paint(&padded, "2")
                } else {
                    padded
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join(" | ").trim_end());
    }
    let mut footer = format!("({rows} row{}", if rows == 1 { "" } else { "s" });
    if shown < rows {
        let _ = write!(footer, ", first {shown} shown");
    }
    if fit < names.len() {
        let hidden = names.len() - fit;
        let _ = write!(
            footer,
            ", {hidden} more column{} not shown: {}",
            if hidden == 1 { "" } else { "s" },
            names[fit..].join(", ")
        );
    }
    let _ = writeln!(out, "{footer})");
    out
}

/// Renders `value` as CSV (a table, a dict, or one column of a vector; an atom is one
/// cell). Nulls are empty fields.
pub fn csv(value: &Value) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let plain = |v: &Value| {
        let (text, null) = cell(v);
        if null {
            String::new()
        } else {
            text
        }
    };
    let err = |e: csv::Error| e.to_string();
    match grid(value) {
        Some((names, columns, rows)) => {
            w.write_record(&names).map_err(err)?;
            for r in 0..rows {
                let row: Vec<String> = columns
                    .iter()
                    .map(|c| c.item(r).map(|v| plain(&v)).unwrap_or_default())
                    .collect();
                w.write_record(&row).map_err(err)?;
            }
        }
        None => match value.count() {
            Some(n) => {
                w.write_record(["value"]).map_err(err)?;
                for i in 0..n {
                    let v = value.item(i).unwrap_or(Value::Null);
                    w.write_record([plain(&v)]).map_err(err)?;
                }
            }
            None => {
                w.write_record(["value"]).map_err(err)?;
                w.write_record([plain(value)]).map_err(err)?;
            }
        },
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A value as JSON: numbers as numbers, nulls (and NaN) as `null`, text and temporal values
/// as strings, vectors and lists as arrays, a dict as an object, a table as an array of
/// row objects.
pub fn json_value(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    if value.is_null_sentinel() {
        return J::Null;
    }
    match value {
        Value::Bool(b) => J::Bool(*b),
        Value::U8(x) => J::from(*x),
        Value::I16(x) => J::from(*x),
        Value::I32(x) => J::from(*x),
        Value::I64(x) => J::from(*x),
        Value::F32(x) => serde_json::Number::from_f64(f64::from(*x)).map_or(J::Null, J::Number),
        Value::F64(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Value::Table(t) => {
            let (names, columns, rows) = table_grid(t);
            J::Array(
                (0..rows)
                    .map(|r| {
                        J::Object(
                            names
                                .iter()
                                .zip(&columns)
                                .map(|(n, c)| {
                                    let v = c.item(r).unwrap_or(Value::Null);
                                    (n.clone(), json_value(&v))
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            )
        }
        Value::Dict(d) => {
            let n = d.len();
            J::Object(
                (0..n)
                    .map(|i| {
                        let key = d.keys.item(i).map(|k| cell(&k).0).unwrap_or_default();
                        let v = d.values.item(i).unwrap_or(Value::Null);
                        (key, json_value(&v))
                    })
                    .collect(),
            )
        }
        other => match other.count() {
            Some(n) => J::Array(
                (0..n)
                    .map(|i| json_value(&other.item(i).unwrap_or(Value::Null)))
                    .collect(),
            ),
            None => J::String(cell(other).0),
        },
    }
}

/// Renders `value` as a JSON document with a trailing newline.
pub fn json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&json_value(value)).unwrap_or_default();
    text.push('\n');
    text
}

/// Renders a result table as an Arrow IPC file (symbols dictionary-encoded).
pub fn arrow(value: &Value) -> Result<Vec<u8>, String> {
    use rayforce_client::arrow::{to_record_batch, ArrowOptions, SymbolEncoding};
    let Value::Table(t) = value else {
        return Err(format!(
            "--format arrow needs a table result, not {}",
            value.kind_name()
        ));
    };
    let options = ArrowOptions::default().symbols(SymbolEncoding::Dictionary);
    let batch = to_record_batch(t.clone(), options).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut out, batch.schema().as_ref())
        .map_err(|e| e.to_string())?;
    writer.write(&batch).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    drop(writer);
    Ok(out)
}

/// Renders `value` in `format`.
pub fn render(value: &Value, format: Format, layout: Layout) -> Result<Vec<u8>, String> {
    match format {
        Format::Table => Ok(table(value, layout).into_bytes()),
        Format::Csv => csv(value).map(String::into_bytes),
        Format::Json => Ok(json(value).into_bytes()),
        Format::Arrow => arrow(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayforce_client::Table;

    fn sample() -> Value {
        let t = Table::new(
            ["id", "name", "px"],
            vec![
                Value::from(vec![1i64, i64::MIN]),
                Value::symbols(["ann", ""]),
                Value::from(vec![1.5f64, f64::NAN]),
            ],
        )
        .unwrap();
        Value::Table(t)
    }

    const WIDE: Layout = Layout {
        width: 80,
        max_rows: 100,
        color: false,
    };

    #[test]
    fn tables_align_and_show_nulls() {
        assert_eq!(
            table(&sample(), WIDE),
            "id   | name | px\n-----+------+-----\n1    | ann  | 1.5\nnull | null | null\n(2 rows)\n"
        );
    }

    #[test]
    fn long_and_wide_results_are_cut_with_a_count() {
        let narrow = Layout {
            width: 12,
            max_rows: 1,
            color: false,
        };
        assert_eq!(
            table(&sample(), narrow),
            "id | name\n---+-----\n1  | ann\n(2 rows, first 1 shown, 1 more column not shown: px)\n"
        );
    }

    #[test]
    fn csv_and_json_keep_nulls_distinct() {
        assert_eq!(csv(&sample()).unwrap(), "id,name,px\n1,ann,1.5\n,,\n");
        assert_eq!(
            serde_json::to_string(&json_value(&sample())).unwrap(),
            r#"[{"id":1,"name":"ann","px":1.5},{"id":null,"name":null,"px":null}]"#
        );
        assert_eq!(json(&Value::I64(3)), "3\n");
    }
}
