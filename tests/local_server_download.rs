//! The self-installing server (feature `local-server-download`): into an empty cache
//! folder, the pinned wheel is downloaded from PyPI, checked and unpacked; the binary it
//! gives answers queries; a second install reuses it without downloading.
#![cfg(feature = "local-server-download")]

use rayforce_client::server::download;
use rayforce_client::{LocalServer, Value};
use std::time::Instant;

#[test]
fn installs_the_pinned_binary_into_an_empty_cache_and_reuses_it() {
    let cache = std::env::temp_dir().join(format!("rayforce-download-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let binary = download::install(&cache).unwrap();
    assert!(binary.starts_with(&cache) && binary.is_file());
    let installed = std::fs::metadata(&binary).unwrap().modified().unwrap();

    let server = LocalServer::builder().binary(&binary).start().unwrap();
    let mut client = server.client().unwrap();
    assert_eq!(client.execute("(+ 1 2)").unwrap(), Value::I64(3));

    let start = Instant::now();
    assert_eq!(download::install(&cache).unwrap(), binary);
    assert!(
        start.elapsed().as_millis() < 100,
        "reused, not downloaded again"
    );
    assert_eq!(
        std::fs::metadata(&binary).unwrap().modified().unwrap(),
        installed
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&cache);
}
