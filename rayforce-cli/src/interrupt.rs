//! Ctrl-C: while a statement runs, SIGINT cancels it on the server (the session goes on);
//! between statements in a script it ends `rfq` with status 130. The signal handler only
//! writes a byte to a pipe (async-signal-safe); a watcher thread does the rest. The REPL
//! installs the handler around each statement, because rustyline owns SIGINT while it edits.

use rayforce_client::CancelHandle;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

/// The pipe's write end, for the handler.
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_sigint(_: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: `write` is async-signal-safe; the byte outlives the call.
        unsafe { libc::write(fd, b"!".as_ptr().cast(), 1) };
    }
}

/// Starts the watcher: on each SIGINT, cancels the running statement, or exits with 130
/// when none runs and `exit_when_idle`.
pub fn watch(cancel: CancelHandle, running: Arc<AtomicBool>, exit_when_idle: bool) {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `pipe` fills the two descriptors when it returns 0.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return;
    }
    PIPE_WRITE.store(fds[1], Ordering::Relaxed);
    let read_end = fds[0];
    std::thread::spawn(move || loop {
        let mut byte = 0u8;
        // SAFETY: reads at most one byte into `byte`, which outlives the call.
        let n = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            return;
        }
        if running.load(Ordering::SeqCst) {
            let _ = cancel.cancel();
        } else if exit_when_idle {
            std::process::exit(130);
        }
    });
}

/// Our SIGINT handler while it lives; the previous one is put back on drop.
pub struct Handler {
    previous: libc::sigaction,
}

impl Handler {
    pub fn install() -> Handler {
        // SAFETY: plain sigaction calls with zero-initialised, then filled, structs.
        unsafe {
            let mut ours: libc::sigaction = std::mem::zeroed();
            ours.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
            ours.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut ours.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &ours, &mut previous);
            Handler { previous }
        }
    }
}

impl Drop for Handler {
    fn drop(&mut self) {
        // SAFETY: restores the handler saved by `install`.
        unsafe { libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut()) };
    }
}
