//! `rfq`: a terminal client for Rayforce. The name is short to type (like `psql`), reads as
//! "RayForce Query", and does not clash with the server binary, which is called `rayforce`.
//!
//! Rayfall by default, SQL with `\sql`; `-c` and scripts on stdin for automation (exit
//! status 1 on the first error); results as aligned tables, CSV or JSON; Ctrl-C cancels
//! the running query on the server and keeps the session.

mod interrupt;
mod render;
mod repl;
mod session;
mod split;

use clap::Parser;
use rayforce_client::{Client, ClientBuilder, LocalServer};
use render::{Format, Layout};
use session::{Outcome, Session};
use split::Mode;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// rfq — a terminal client for the Rayforce database.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Connection URL: rayforce://user:password@host:port?read_timeout=30s (or RAYFORCE_URL).
    url: Option<String>,
    /// Server host (when no URL is given).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server port (when no URL is given).
    #[arg(short, long, default_value_t = 5000)]
    port: u16,
    /// User name sent with the password.
    #[arg(short, long)]
    user: Option<String>,
    /// Password (servers started with -u or -U); or set RAYFORCE_PASSWORD.
    #[arg(long, env = "RAYFORCE_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Start a local server for this session (the SDK's LocalServer).
    #[arg(long)]
    local: bool,
    /// Run this statement (repeatable) and exit; status 1 on the first error.
    #[arg(short = 'c', long = "command")]
    commands: Vec<String>,
    /// Run the statements in this file and exit.
    #[arg(short, long)]
    file: Option<PathBuf>,
    /// Read SQL instead of Rayfall.
    #[arg(long)]
    sql: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write results to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Rows shown by the table format before the rest is cut (with a count).
    #[arg(long, default_value_t = 100)]
    max_rows: usize,
    /// Print the time each statement took.
    #[arg(long)]
    timing: bool,
}

/// Red on a terminal (and without NO_COLOR), plain otherwise.
pub fn paint_error(text: &str) -> String {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        format!("\x1b[31m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn connect(args: &Args) -> Result<(Client, Option<LocalServer>), String> {
    if args.local {
        let server = LocalServer::start().map_err(|e| e.to_string())?;
        let client = server.client().map_err(|e| e.to_string())?;
        return Ok((client, Some(server)));
    }
    let mut builder = match (&args.url, std::env::var("RAYFORCE_URL")) {
        (Some(url), _) => ClientBuilder::from_url(url),
        (None, Ok(url)) => ClientBuilder::from_url(&url),
        (None, Err(_)) => Ok(Client::builder(&args.host, args.port)),
    }
    .map_err(|e| e.to_string())?;
    if let Some(user) = &args.user {
        builder = builder.user(user);
    }
    if let Some(password) = &args.password {
        builder = builder.password(password);
    }
    builder
        .connect()
        .map(|c| (c, None))
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (mut client, _server) = match connect(&args) {
        Ok(connected) => connected,
        Err(e) => {
            eprintln!("{}", paint_error(&format!("rfq: {e}")));
            return ExitCode::from(2);
        }
    };
    let interactive =
        args.commands.is_empty() && args.file.is_none() && std::io::stdin().is_terminal();
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    if args.format == Format::Arrow && to_terminal {
        eprintln!("rfq: --format arrow writes binary data: use --output FILE or a pipe");
        return ExitCode::from(2);
    }

    // Ctrl-C while a statement runs cancels it on the server; the session goes on.
    let running = Arc::new(AtomicBool::new(false));
    interrupt::watch(client.cancel_handle(), Arc::clone(&running), !interactive);
    if std::io::stderr().is_terminal() {
        client.on_progress(progress_bar());
    }

    let out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("rfq: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Box::new(std::io::stdout()),
    };
    let width = terminal_size::terminal_size()
        .filter(|_| to_terminal)
        .map_or(usize::MAX, |(w, _)| w.0 as usize);
    let mut session = Session {
        client,
        mode: if args.sql { Mode::Sql } else { Mode::Rayfall },
        format: args.format,
        timing: args.timing,
        layout: Layout {
            width,
            max_rows: args.max_rows,
            color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        },
        out,
        names: Arc::default(),
        arrow_last: None,
    };

    if interactive {
        println!(
            "rfq {} connected to {} — \\? for help, \\q to quit",
            env!("CARGO_PKG_VERSION"),
            session.client.peer()
        );
        return match repl::run(&mut session, &running).map(|()| session.finish()) {
            Ok(Ok(())) => ExitCode::SUCCESS,
            Ok(Err(failure)) => {
                eprintln!("{}", paint_error(&failure.0));
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("rfq: {e}");
                ExitCode::FAILURE
            }
        };
    }

    let statements = if !args.commands.is_empty() {
        args.commands.clone()
    } else {
        let mut script = String::new();
        let read = match &args.file {
            Some(path) => std::fs::read_to_string(path).map(|s| script = s),
            None => std::io::stdin().read_to_string(&mut script).map(drop),
        };
        if let Err(e) = read {
            eprintln!("rfq: cannot read the script: {e}");
            return ExitCode::from(2);
        }
        split::statements(&script, session.mode)
    };
    let _ours = interrupt::Handler::install();
    for statement in statements {
        running.store(true, Ordering::SeqCst);
        let outcome = session.run(&statement);
        running.store(false, Ordering::SeqCst);
        match outcome {
            Ok(Outcome::Continue) => {}
            Ok(Outcome::Quit) => break,
            Err(failure) => {
                eprintln!("{}", paint_error(&failure.0));
                let _ = session.finish();
                return ExitCode::FAILURE;
            }
        }
    }
    match session.finish() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", paint_error(&failure.0));
            ExitCode::FAILURE
        }
    }
}

/// A progress bar on stderr for frames of 1 MiB and more (exact: the frame header gives
/// the size).
fn progress_bar() -> impl FnMut(rayforce_client::transport::Progress) + Send + 'static {
    use rayforce_client::transport::Direction;
    let mut bar: Option<indicatif::ProgressBar> = None;
    move |p| {
        let current = bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(p.total);
            let label = match p.direction {
                Direction::Sending => "sending",
                Direction::Receiving => "receiving",
            };
            b.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "{label} {{bar:40}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}}"
                ))
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        current.set_position(p.done);
        if p.done >= p.total {
            current.finish_and_clear();
            bar = None;
        }
    }
}
