//! Where one statement ends: Rayfall statements end when their brackets balance (strings
//! and `;` comments aside); SQL statements end with `;`. Pure functions, used by the REPL
//! (multi-line input) and by scripts read from stdin or a file.

/// The input language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Rayfall expressions.
    Rayfall,
    /// SQL through the SDK's `SqlQuery`.
    Sql,
}

/// The bracket depth at the end of `text` (negative: more closers than openers), ignoring
/// brackets inside strings and after a `;` comment.
pub fn depth(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    for c in text.chars() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            ';' => in_comment = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Whether `text` is a whole statement in `mode` (a backslash command always is).
pub fn is_complete(text: &str, mode: Mode) -> bool {
    let t = text.trim();
    if t.is_empty() || t.starts_with('\\') {
        return true;
    }
    match mode {
        Mode::Rayfall => depth(t) <= 0,
        Mode::Sql => t.ends_with(';'),
    }
}

/// Splits a script into statements (backslash commands are one line each; a statement
/// left open at the end is returned as it is, for the server to report).
pub fn statements(script: &str, start: Mode) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut mode = start;
    for line in script.lines() {
        if current.trim().is_empty() && line.trim_start().starts_with('\\') {
            let command = line.trim().to_string();
            match command.as_str() {
                "\\sql" => mode = Mode::Sql,
                "\\rf" | "\\rayfall" => mode = Mode::Rayfall,
                _ => {}
            }
            out.push(command);
            current.clear();
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if !current.trim().is_empty() && is_complete(&current, mode) {
            out.push(std::mem::take(&mut current).trim().to_string());
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        assert_eq!(depth("(+ 1 2)"), 0);
        assert_eq!(depth("(select {a: a"), 2);
        assert_eq!(depth(r#"(count "((\"(")"#), 0);
        assert_eq!(depth("(+ 1 ; a comment (((\n 2)"), 0);
        assert!(!is_complete("(+ 1", Mode::Rayfall));
        assert!(is_complete("\\d t", Mode::Rayfall));
        assert!(!is_complete("SELECT 1", Mode::Sql));
        assert!(is_complete("SELECT 1;", Mode::Sql));
    }

    #[test]
    fn scripts_split_into_statements_and_commands() {
        let script =
            "(set t (table [a]\n  (list [1 2])))\n(count t)\n\\sql\nSELECT a\nFROM t;\n\\t\n";
        assert_eq!(
            statements(script, Mode::Rayfall),
            [
                "(set t (table [a]\n  (list [1 2])))",
                "(count t)",
                "\\sql",
                "SELECT a\nFROM t;",
                "\\t"
            ]
        );
        assert_eq!(statements("(+ 1", Mode::Rayfall), ["(+ 1"]);
    }
}
