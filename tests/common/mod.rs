//! Shared helpers for integration tests: a real `rayforce` server on a free loopback
//! port (stopped on drop) and a client connected to it.
#![allow(dead_code)]

#[cfg(feature = "arrow")]
pub mod every_type;

use rayforce_client::{Client, LocalServer};

/// Starts the real server. Fails loudly (never skips) when the binary is missing.
pub fn server() -> LocalServer {
    LocalServer::start()
        .unwrap_or_else(|e| panic!("integration tests need the real rayforce binary: {e}"))
}

/// A server plus a connected client.
pub fn connected() -> (LocalServer, Client) {
    let server = server();
    let client = server.client().expect("connect to the local server");
    (server, client)
}

/// A fake server on a free loopback port: on its first connection it does the server's
/// side of the handshake (no password), then runs `behave`. For tests of clients facing a
/// misbehaving server.
pub fn fake_server(behave: impl FnOnce(std::net::TcpStream) + Send + 'static) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut hello = [0u8; 2];
            if s.read_exact(&mut hello).is_ok() && s.write_all(&[3, 0]).is_ok() {
                behave(s);
            }
        }
    });
    port
}

/// Writes one RESPONSE frame carrying `value` (flags as given).
pub fn write_reply(stream: &mut std::net::TcpStream, value: &rayforce_client::Value) {
    use std::io::Write;
    let payload = rayforce_client::wire::encode(value).unwrap();
    let header = rayforce_client::wire::FrameHeader::new(
        rayforce_client::wire::MsgType::Response,
        payload.len() as u64,
    );
    let _ = stream.write_all(&[&header.encode()[..], &payload].concat());
}

/// A request the real server takes ~6 s to answer here (120 × `sum (til 100000000)`, 800 MB
/// at a time) and stops within ~0.1 s when cancelled.
#[allow(dead_code)]
pub fn slow_query() -> String {
    format!("(do {})", "(sum (til 100000000)) ".repeat(120))
}

/// Longest a cancelled [`slow_query`] may take to answer (with the 300 ms before the cancel):
/// well under the ~6 s it takes to finish.
#[allow(dead_code)]
pub const CANCELLED_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// A loopback port that refuses connections for as long as the guard lives: a socket bound
/// to it but never listening holds the port, so no other test's server can take it
/// (dropping a listener and hoping the port stays free races with parallel tests).
#[allow(dead_code)]
pub struct ClosedPort {
    fd: i32,
    pub port: u16,
}

#[allow(dead_code)]
pub fn closed_port() -> ClosedPort {
    // SAFETY: plain socket calls on a descriptor this function owns; `addr` and `len` outlive
    // the calls that write them.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket");
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        addr.sin_port = 0;
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), len),
            0,
            "bind"
        );
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut bound_len = len;
        libc::getsockname(
            fd,
            (&mut bound as *mut libc::sockaddr_in).cast(),
            &mut bound_len,
        );
        ClosedPort {
            fd,
            port: u16::from_be(bound.sin_port),
        }
    }
}

impl Drop for ClosedPort {
    fn drop(&mut self) {
        // SAFETY: closes the descriptor `closed_port` opened.
        unsafe { libc::close(self.fd) };
    }
}
