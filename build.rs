//! Build script: the browser files of the GraphiQL page on `GET /graphql`
//! (GraphiQL's and React's UMD builds and their licence texts), written into
//! `OUT_DIR`, where `src/http/graphiql/assets.rs` embeds them with
//! `include_bytes!`. They are a dependency fetched at build time, like
//! crates, and never part of the repository.
//!
//! Where they come from, the first that applies:
//! 1. `JUNCTION_GRAPHIQL_ASSETS=none`, or `CARGO_NET_OFFLINE=true` without a
//!    directory: no GraphiQL in this binary.
//! 2. `JUNCTION_GRAPHIQL_ASSETS=<dir>` (offline and packager builds): each
//!    package's npm tarball if the directory holds it (`graphiql-3.9.0.tgz`,
//!    …, checked against its pinned integrity), else the files themselves,
//!    flat (`react.production.min.js`, `react-dom.production.min.js`,
//!    `graphiql.min.js`, `graphiql.min.css`, and optionally the licences
//!    `react.LICENSE`, `react-dom.LICENSE`, `graphiql.LICENSE`). A file that
//!    differs from the pinned release is used with a warning; a missing or
//!    empty one fails the build (the directory was asked for).
//! 3. `OUT_DIR` already holds every file of the pinned releases: nothing to do.
//! 4. Otherwise the tarballs are downloaded from registry.npmjs.org with
//!    `curl` and checked against the `sha512` integrity npm publishes for
//!    them (`dist.integrity`). If that fails (no network, no curl), the
//!    build goes on with a warning and empty files, and the binary answers
//!    the page with 501 and how to build it with GraphiQL.
//!
//! The files are served as they are in the packages (MIT licensed), their
//! licence headers included.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256, Sha512};

/// One npm package and the files taken from it.
struct Package {
    name: &'static str,
    version: &'static str,
    /// npm's `dist.integrity` of the tarball.
    integrity: &'static str,
    files: &'static [Asset],
}

/// One file of a package: where it is in the tarball, its name in
/// `OUT_DIR`, and the SHA-256 (hex) of the pinned release's copy.
struct Asset {
    entry: &'static str,
    name: &'static str,
    sha256: &'static str,
    /// Optional in a directory of files (a licence text).
    optional: bool,
}

const PACKAGES: [Package; 3] = [
    Package {
        name: "react",
        version: "18.3.1",
        integrity: "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        files: &[
            Asset {
                entry: "package/umd/react.production.min.js",
                name: "react.production.min.js",
                sha256: "d949f1c3687aedadcedac85261865f29b17cd273997e7f6b2bfc53b2f9d4c4dd",
                optional: false,
            },
            Asset {
                entry: "package/LICENSE",
                name: "react.LICENSE",
                sha256: "52412d7bc7ce4157ea628bbaacb8829e0a9cb3c58f57f99176126bc8cf2bfc85",
                optional: true,
            },
        ],
    },
    Package {
        name: "react-dom",
        version: "18.3.1",
        integrity: "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        files: &[
            Asset {
                entry: "package/umd/react-dom.production.min.js",
                name: "react-dom.production.min.js",
                sha256: "35f4f974f4b2bcd44da73963347f8952e341f83909e4498227d4e26b98f66f0d",
                optional: false,
            },
            Asset {
                entry: "package/LICENSE",
                name: "react-dom.LICENSE",
                sha256: "52412d7bc7ce4157ea628bbaacb8829e0a9cb3c58f57f99176126bc8cf2bfc85",
                optional: true,
            },
        ],
    },
    Package {
        name: "graphiql",
        version: "3.9.0",
        integrity: "sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==",
        files: &[
            Asset {
                entry: "package/graphiql.min.js",
                name: "graphiql.min.js",
                sha256: "a330a2be1d2389486840a9d0a834767d9083a23f105879e0de54e4fce83d3513",
                optional: false,
            },
            Asset {
                entry: "package/graphiql.min.css",
                name: "graphiql.min.css",
                sha256: "bdddd50aac5bdb0edd83e5c862ba2fed9db2964e4c75d4655ab62b0a7d5bd730",
                optional: false,
            },
            Asset {
                entry: "package/LICENSE",
                name: "graphiql.LICENSE",
                sha256: "4b18fbe55c4e8f9169cb702be138f4d858a2dad920c39857204ffdc9c1c9fdc4",
                optional: true,
            },
        ],
    },
];

const REGISTRY: &str = "https://registry.npmjs.org";
const ASSETS_ENV: &str = "JUNCTION_GRAPHIQL_ASSETS";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={ASSETS_ENV}");
    println!("cargo:rerun-if-env-changed=CARGO_NET_OFFLINE");
    let packages: Vec<String> = PACKAGES
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    println!(
        "cargo:rustc-env=JUNCTION_GRAPHIQL_PACKAGES={}",
        packages.join(", ")
    );
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    let source = std::env::var(ASSETS_ENV).ok().filter(|s| !s.is_empty());
    let offline = std::env::var("CARGO_NET_OFFLINE").is_ok_and(|v| v == "true");
    let result = match source.as_deref() {
        Some("none") => Err(format!("{ASSETS_ENV}=none")),
        Some(dir) => {
            let dir = PathBuf::from(dir);
            println!("cargo:rerun-if-changed={}", dir.display());
            // The directory was asked for: what is wrong with it fails the build.
            if let Err(error) = from_directory(&dir, &out_dir) {
                panic!("{ASSETS_ENV}={}: {error}", dir.display());
            }
            Ok(())
        }
        None if all_present(&out_dir) => Ok(()),
        None if offline => Err("CARGO_NET_OFFLINE=true".to_string()),
        None => download_all(&out_dir),
    };
    if let Err(reason) = result {
        println!(
            "cargo:warning=GraphiQL is not built into this binary ({reason}); \
             GET /graphql from a browser will say so. To include it, build with \
             network access and curl, or set {ASSETS_ENV} to a directory holding \
             the files (see build.rs); then `touch build.rs` and build again."
        );
        write_placeholders(&out_dir);
    }
}

/// Does `OUT_DIR` hold every file of the pinned releases already?
fn all_present(out_dir: &Path) -> bool {
    assets().all(|(_, asset)| {
        fs::read(out_dir.join(asset.name)).is_ok_and(|bytes| sha256_hex(&bytes) == asset.sha256)
    })
}

fn assets() -> impl Iterator<Item = (&'static Package, &'static Asset)> {
    PACKAGES
        .iter()
        .flat_map(|package| package.files.iter().map(move |asset| (package, asset)))
}

/// Downloads and unpacks every package; the first failure stops it.
fn download_all(out_dir: &Path) -> Result<(), String> {
    for package in &PACKAGES {
        let tarball = out_dir.join(tarball_name(package));
        let url = format!("{REGISTRY}/{}/-/{}", package.name, tarball_name(package));
        let status = Command::new("curl")
            .args([
                "--fail",
                "--silent",
                "--show-error",
                "--location",
                "--proto",
                "=https",
                "--retry",
                "2",
                "--connect-timeout",
                "20",
                "--max-time",
                "300",
                "--output",
            ])
            .arg(&tarball)
            .arg(&url)
            .status()
            .map_err(|error| format!("cannot run curl: {error}"))?;
        if !status.success() {
            let _ = fs::remove_file(&tarball);
            return Err(format!("curl could not download {url} ({status})"));
        }
        let bytes = fs::read(&tarball).map_err(|e| format!("cannot read {url}'s tarball: {e}"));
        let _ = fs::remove_file(&tarball);
        unpack(package, &bytes?, out_dir)?;
    }
    Ok(())
}

fn tarball_name(package: &Package) -> String {
    format!("{}-{}.tgz", package.name, package.version)
}

/// Checks a tarball against the package's integrity and writes its files.
fn unpack(package: &Package, tarball: &[u8], out_dir: &Path) -> Result<(), String> {
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(tarball));
    if format!("sha512-{digest}") != package.integrity {
        return Err(format!(
            "{}'s tarball does not match its pinned integrity {}",
            tarball_name(package),
            package.integrity
        ));
    }
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball));
    let entries = archive
        .entries()
        .map_err(|e| format!("{}: {e}", tarball_name(package)))?;
    let mut found = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{}: {e}", tarball_name(package)))?;
        let path = entry.path().map(|p| p.to_string_lossy().into_owned());
        let Some(asset) = path
            .ok()
            .and_then(|path| package.files.iter().find(|a| a.entry == path))
        else {
            continue;
        };
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", tarball_name(package)))?;
        // The tarball matched its integrity, so this holds unless a pin is wrong.
        if sha256_hex(&bytes) != asset.sha256 {
            return Err(format!(
                "{} in {} does not match its pinned SHA-256",
                asset.entry,
                tarball_name(package)
            ));
        }
        write(out_dir, asset.name, &bytes)?;
        found.push(asset.name);
    }
    match package.files.iter().find(|a| !found.contains(&a.name)) {
        Some(missing) => Err(format!(
            "{} has no {}",
            tarball_name(package),
            missing.entry
        )),
        None => Ok(()),
    }
}

/// The files from a directory: each package's tarball if it is there,
/// else its files, flat.
fn from_directory(dir: &Path, out_dir: &Path) -> Result<(), String> {
    for package in &PACKAGES {
        if let Ok(tarball) = fs::read(dir.join(tarball_name(package))) {
            unpack(package, &tarball, out_dir)?;
            continue;
        }
        for asset in package.files {
            let path = dir.join(asset.name);
            let bytes = match fs::read(&path) {
                Ok(bytes) if !bytes.is_empty() => bytes,
                _ if asset.optional => {
                    println!(
                        "cargo:warning={} not found in {ASSETS_ENV}: the licence page will lack it",
                        asset.name
                    );
                    Vec::new()
                }
                Ok(_) => return Err(format!("{} is empty", path.display())),
                Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
            };
            if !bytes.is_empty() && sha256_hex(&bytes) != asset.sha256 {
                println!(
                    "cargo:warning={} is not the file of {} {}; using it as given",
                    path.display(),
                    package.name,
                    package.version
                );
            }
            write(out_dir, asset.name, &bytes)?;
        }
    }
    Ok(())
}

/// Empty files in place of the assets, so that `include_bytes!` compiles;
/// the binary then knows it has no GraphiQL.
fn write_placeholders(out_dir: &Path) {
    for (_, asset) in assets() {
        if let Err(error) = write(out_dir, asset.name, &[]) {
            panic!("{error}");
        }
    }
}

/// Writes a file whole or not at all (through a temporary name).
fn write(out_dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = out_dir.join(name);
    let partial = out_dir.join(format!("{name}.partial"));
    fs::write(&partial, bytes)
        .and_then(|()| fs::rename(&partial, &path))
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
