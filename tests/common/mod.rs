//! Helpers shared by the integration tests: fixture projects in temporary directories and
//! running the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary project: `tests/fixtures/<feature>/base` overlaid with `<feature>/<name>`.
pub fn overlay(feature: &str, name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join(feature).join("base"), dir.path());
    copy_dir(&fixtures().join(feature).join(name), dir.path());
    dir
}

pub fn journeymap() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("journeymap").unwrap()
}

pub fn run(args: &[&str]) -> Output {
    journeymap().args(args).output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-journey")
}
