//! `rfq` driven as a user would, against the real server (`--local` starts one per test):
//! `-c` with each format, `--output`, scripts on stdin, exit codes and error lines, and one
//! interactive session under a pseudo-terminal (completion, a multi-line statement, `\d`,
//! and Ctrl-C cancelling a long query while the session goes on).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn rfq() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rfq"));
    cmd.env("NO_COLOR", "1").env_remove("RAYFORCE_URL");
    cmd
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = rfq()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MAKE: &str = "(set t (table [id name px] (list [1 2 0Nl] ['ann 'bob 'cy] [1.5 0Nf 3.0])))";

#[test]
fn each_format_with_dash_c() {
    let table = run(&["--local", "-c", MAKE, "-c", "(select {from: t})"], None);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.contains("id   | name | px\n-----+------+-----\n1    | ann  | 1.5\n2    | bob  | null\nnull | cy   | 3.0\n(3 rows)\n"), "{text}");

    let csv = run(
        &[
            "--local",
            "--format",
            "csv",
            "-c",
            MAKE,
            "-c",
            "(select {from: t})",
        ],
        None,
    );
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert!(
        stdout(&csv).ends_with("id,name,px\n1,ann,1.5\n2,bob,\n,cy,3.0\n"),
        "{}",
        stdout(&csv)
    );

    let json = run(
        &[
            "--local",
            "--format",
            "json",
            "-c",
            "(select {from: (table [a] (list [1 0Nl]))})",
        ],
        None,
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(parsed, serde_json::json!([{"a": 1}, {"a": null}]));
}

#[test]
fn arrow_files_hold_the_result_table() {
    let file = std::env::temp_dir().join(format!("rfq-out-{}.arrow", std::process::id()));
    let o = run(
        &[
            "--local",
            "--format",
            "arrow",
            "--output",
            file.to_str().unwrap(),
            "-c",
            MAKE,
            "-c",
            "(select {id: id name: name from: t})",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let reader =
        arrow_ipc::reader::FileReader::try_new(std::fs::File::open(&file).unwrap(), None).unwrap();
    let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 1, "one file, the last statement's table");
    let last = &batches[0];
    assert_eq!(last.num_rows(), 3);
    assert_eq!(last.schema().field(1).name(), "name");
    assert_eq!(
        last.num_columns(),
        2,
        "the select's columns, not the first table's"
    );
    assert_eq!(last.column(0).null_count(), 1);
    let _ = std::fs::remove_file(&file);
}

#[test]
fn output_file_and_sql() {
    let file = std::env::temp_dir().join(format!("rfq-out-{}.csv", std::process::id()));
    let o = run(
        &[
            "--local",
            "--format",
            "csv",
            "--output",
            file.to_str().unwrap(),
            "-c",
            MAKE,
            "-c",
            "\\sql",
            "-c",
            "SELECT name FROM t WHERE px > 1.0;",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.ends_with("name\nann\ncy\n"), "{written}");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn scripts_on_stdin_run_in_order_and_stop_at_the_first_error() {
    let script = format!("{MAKE}\n(count\n  t)\n\\t\n(+ 1 'a)\n(set never 1)\n");
    let o = run(&["--local"], Some(&script));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("3\n"), "{out}");
    assert!(out.contains("table\n-----\nt\n(1 row)"), "{out}");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(
        err.starts_with("ERROR type: ") && err.contains("in: (+ 1 'a)"),
        "{err}"
    );

    let ok = run(&["--local"], Some("(+ 1 2)\n"));
    assert!(ok.status.success());
    assert_eq!(stdout(&ok), "3\n");
}

#[test]
fn connection_failures_exit_with_two() {
    // A port bound but never listening: it refuses, and no parallel test can take it.
    // SAFETY: plain socket calls on a descriptor owned here and closed below.
    let (fd, port) = unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
            0
        );
        libc::getsockname(fd, (&mut addr as *mut libc::sockaddr_in).cast(), &mut len);
        (fd, u16::from_be(addr.sin_port))
    };
    let o = run(&["--port", &port.to_string(), "-c", "1"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
    // SAFETY: closes the descriptor opened above.
    unsafe { libc::close(fd) };
    let o = run(&["rayforce://localhost?colour=blue", "-c", "1"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown option `colour`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn interactive_session_under_a_pty() {
    let history = std::env::temp_dir().join(format!("rfq-history-{}", std::process::id()));
    let mut cmd = rfq();
    cmd.arg("--local")
        .env("RFQ_HISTORY", &history)
        .env("TERM", "xterm");
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s.expect("rf> ").unwrap();
    s.send_line("(set trades (table [sym price] (list ['a 'b] [1.0 2.0])))")
        .unwrap();
    s.expect("(2 rows)").unwrap();
    s.expect("rf> ").unwrap();

    // Completion of a table name fetched from the server.
    s.send("(count trad").unwrap();
    s.send("\t").unwrap();
    s.send(")\r").unwrap();
    s.expect("\n2").unwrap();
    s.expect("rf> ").unwrap();

    // A statement over two lines.
    s.send("(+ 40\r").unwrap();
    s.send("2)\r").unwrap();
    s.expect("42").unwrap();
    s.expect("rf> ").unwrap();

    // \d shows the schema.
    s.send_line("\\d trades").unwrap();
    s.expect("price  | F64").unwrap();
    s.expect("rf> ").unwrap();

    // Ctrl-C cancels a long query on the server; the session goes on.
    s.send_line("(times [i 200] (sum (til 100000000)))")
        .unwrap(); // ~10 s of work
    std::thread::sleep(Duration::from_millis(2000));
    let start = Instant::now();
    s.send([3u8]).unwrap(); // Ctrl-C
    s.expect("cancelled").unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    s.expect("rf> ").unwrap();
    s.send_line("(+ 1 2)").unwrap();
    s.expect("3").unwrap();
    s.expect("rf> ").unwrap();
    s.send_line("\\q").unwrap();
    s.expect(expectrl::Eof).unwrap();
    let saved = std::fs::read_to_string(&history).unwrap_or_default();
    assert!(saved.contains("\\d trades"), "history kept: {saved}");
    let _ = std::fs::remove_file(&history);
}
