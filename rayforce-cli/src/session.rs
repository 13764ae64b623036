//! One session: a connection, the input mode (Rayfall or SQL), the output format and
//! target, and the backslash commands. Shared by `-c`, scripts and the REPL.

use crate::render::{self, Format, Layout};
use crate::split::Mode;
use rayforce_client::query::SqlQuery;
use rayforce_client::{Client, Error, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What the caller does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Read the next statement.
    Continue,
    /// `\q`: end the session.
    Quit,
}

/// A failed statement, as the one line to print.
#[derive(Debug)]
pub struct Failure(pub String);

/// The backslash commands, for `\?`.
pub const HELP: &str = "\
\\sql            SQL input (statements end with ;)
\\rf             Rayfall input (the default)
\\t              list tables
\\d NAME         a table's columns and types
\\timing         toggle timing of each statement
\\format FORMAT  table, csv, json or arrow (with --output)
\\q              quit
Ctrl-C cancels the running query on the server and keeps the session.";

/// A connected session.
pub struct Session {
    pub client: Client,
    pub mode: Mode,
    pub format: Format,
    pub timing: bool,
    pub layout: Layout,
    /// Where results go (stdout or `--output FILE`).
    pub out: Box<dyn Write>,
    /// Names offered by completion: globals and table columns.
    pub names: Arc<Mutex<Vec<String>>>,
    /// With `--format arrow`, the last result's Arrow file, written by [`finish`](Self::finish)
    /// (one file holds one table).
    pub arrow_last: Option<Vec<u8>>,
}

impl Session {
    /// Runs one statement or backslash command and writes its result.
    pub fn run(&mut self, statement: &str) -> Result<Outcome, Failure> {
        let statement = statement.trim();
        if statement.is_empty() {
            return Ok(Outcome::Continue);
        }
        if let Some(command) = statement.strip_prefix('\\') {
            return self.command(command);
        }
        let start = Instant::now();
        let result = match self.mode {
            Mode::Rayfall => self.client.execute(statement),
            Mode::Sql => {
                let sql = statement.trim_end_matches(';');
                self.client.execute(&SqlQuery::new(sql))
            }
        };
        let elapsed = start.elapsed();
        let value = result.map_err(|e| failure(&e, statement))?;
        self.show(&value)?;
        if self.timing {
            let _ = writeln!(self.out, "Time: {:.3} ms", elapsed.as_secs_f64() * 1e3);
        }
        let _ = self.out.flush();
        Ok(Outcome::Continue)
    }

    fn show(&mut self, value: &Value) -> Result<(), Failure> {
        let bytes = render::render(value, self.format, self.layout).map_err(Failure)?;
        if self.format == Format::Arrow {
            self.arrow_last = Some(bytes);
            return Ok(());
        }
        self.out
            .write_all(&bytes)
            .map_err(|e| Failure(format!("cannot write the result: {e}")))
    }

    fn command(&mut self, command: &str) -> Result<Outcome, Failure> {
        let mut words = command.split_whitespace();
        let name = words.next().unwrap_or("");
        let arg = words.next();
        match (name, arg) {
            ("q" | "quit", _) => return Ok(Outcome::Quit),
            ("sql", _) => self.mode = Mode::Sql,
            ("rf" | "rayfall", _) => self.mode = Mode::Rayfall,
            ("timing", _) => {
                self.timing = !self.timing;
                let state = if self.timing { "on" } else { "off" };
                let _ = writeln!(self.out, "Timing is {state}.");
            }
            ("format", Some(f)) => {
                self.format = <Format as clap::ValueEnum>::from_str(f, true).map_err(|_| {
                    Failure(format!("unknown format `{f}` (table, csv, json, arrow)"))
                })?;
            }
            ("t", _) => {
                let tables = self.client.tables().map_err(|e| failure(&e, "\\t"))?;
                let column = Value::symbols(tables.iter().map(String::as_str));
                let table = rayforce_client::Table::new(["table"], vec![column])
                    .map_err(|e| Failure(e.to_string()))?;
                self.show(&Value::Table(table))?;
            }
            ("d", Some(table)) => {
                let schema = self
                    .client
                    .table_schema(table)
                    .map_err(|e| failure(&e, &format!("\\d {table}")))?;
                let names = Value::symbols(schema.iter().map(|(n, _)| n.as_str()));
                let types = Value::symbols(schema.iter().map(|(_, t)| match t {
                    Some(t) => t.name(),
                    None => "LIST",
                }));
                let table = rayforce_client::Table::new(["column", "type"], vec![names, types])
                    .map_err(|e| Failure(e.to_string()))?;
                self.show(&Value::Table(table))?;
            }
            ("?" | "help", _) => {
                let _ = writeln!(self.out, "{HELP}");
            }
            _ => {
                return Err(Failure(format!(
                    "unknown command `\\{command}` (\\? lists them)"
                )))
            }
        }
        let _ = self.out.flush();
        Ok(Outcome::Continue)
    }

    /// Writes what is still held (the Arrow file) and flushes the output.
    pub fn finish(&mut self) -> Result<(), Failure> {
        if let Some(bytes) = self.arrow_last.take() {
            self.out
                .write_all(&bytes)
                .map_err(|e| Failure(format!("cannot write the result: {e}")))?;
        }
        self.out
            .flush()
            .map_err(|e| Failure(format!("cannot write the result: {e}")))
    }

    /// Reloads the names completion offers: every global (`env 0`) and the columns of
    /// every table. Failures leave the old names.
    pub fn refresh_names(&mut self) {
        let mut names: Vec<String> = match self.client.execute("(key (env 0))") {
            Ok(Value::Vector(rayforce_client::Vector::Symbol(all))) => {
                all.iter_lossy().map(|n| n.into_owned()).collect()
            }
            _ => return,
        };
        for table in self.client.tables().unwrap_or_default().iter().take(200) {
            if let Ok(schema) = self.client.table_schema(table) {
                names.extend(schema.into_iter().map(|(n, _)| n));
            }
        }
        names.sort();
        names.dedup();
        *self.names.lock().unwrap_or_else(|p| p.into_inner()) = names;
    }
}

/// One line for a failed statement: the error code (for server errors), the message, and
/// the statement (its first line).
pub fn failure(e: &Error, statement: &str) -> Failure {
    let first = statement.lines().next().unwrap_or("");
    let more = if statement.lines().nth(1).is_some() {
        " …"
    } else {
        ""
    };
    match e {
        Error::Server { code, .. } => Failure(format!("ERROR {code}: {e} — in: {first}{more}")),
        Error::Cancelled { .. } => Failure(format!("cancelled — in: {first}{more}")),
        other => Failure(format!("ERROR: {other} — in: {first}{more}")),
    }
}
