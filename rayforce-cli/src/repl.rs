//! The interactive loop on rustyline: multi-line input (a statement continues until its
//! brackets balance, or until `;` in SQL mode), persistent history, and completion of
//! globals and column names fetched from the server.

use crate::session::{Outcome, Session};
use crate::split::{self, Mode};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The editor's helper: completion from the session's names, validation by bracket
/// balance (Rayfall) or a final `;` (SQL).
struct RfqHelper {
    names: Arc<Mutex<Vec<String>>>,
    mode: Arc<Mutex<Mode>>,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '?')
}

impl Completer for RfqHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .char_indices()
            .rev()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &line[start..pos];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        let candidates = names
            .iter()
            .filter(|n| n.starts_with(word))
            .map(|n| Pair {
                display: n.clone(),
                replacement: n.clone(),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for RfqHelper {
    type Hint = String;
}

impl Highlighter for RfqHelper {}

impl Validator for RfqHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let mode = *self.mode.lock().unwrap_or_else(|p| p.into_inner());
        if split::is_complete(ctx.input(), mode) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for RfqHelper {}

/// Where history is kept: `$RFQ_HISTORY`, else `~/.rfq_history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RFQ_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".rfq_history"))
}

/// Runs the REPL until `\q` or end of input; the exit status is 0.
pub fn run(session: &mut Session, running: &AtomicBool) -> rustyline::Result<()> {
    let mode = Arc::new(Mutex::new(session.mode));
    let helper = RfqHelper {
        names: Arc::clone(&session.names),
        mode: Arc::clone(&mode),
    };
    let mut editor: Editor<RfqHelper, FileHistory> = Editor::new()?;
    editor.set_helper(Some(helper));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    session.refresh_names();
    loop {
        let prompt = match session.mode {
            Mode::Rayfall => "rf> ",
            Mode::Sql => "sql> ",
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                // rustyline owns SIGINT while it edits; while the statement runs, Ctrl-C
                // is ours: it cancels the query on the server.
                let outcome = {
                    let _ours = crate::interrupt::Handler::install();
                    running.store(true, Ordering::SeqCst);
                    let outcome = session.run(&line);
                    running.store(false, Ordering::SeqCst);
                    outcome
                };
                *mode.lock().unwrap_or_else(|p| p.into_inner()) = session.mode;
                // Names for completion, fetched again after each statement (only here:
                // scripts and -c need none).
                session.refresh_names();
                match outcome {
                    Ok(Outcome::Quit) => break,
                    Ok(Outcome::Continue) => {}
                    Err(failure) => eprintln!("{}", crate::paint_error(&failure.0)),
                }
            }
            // Ctrl-C at the prompt clears the line; Ctrl-D ends the session.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}
