//! The one harness of the integration tests (mdBook's `BookTest` is the model): a
//! [`Project`] in a temporary directory, made from a base fixture or the bundled example
//! plus the differences a test needs, and the real binary run on it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

pub mod serve;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-journey")
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

/// A project in a temporary directory, removed when dropped.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An empty directory.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Project {
        let p = Project::empty();
        copy_dir(&fixtures().join(name), p.path());
        p
    }

    /// A copy of the bundled example project, without a built site.
    pub fn example() -> Project {
        let p = Project::empty();
        copy_dir(&example(), p.path());
        let _ = std::fs::remove_dir_all(p.path().join("public"));
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn arg(&self) -> &str {
        self.path().to_str().unwrap()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Writes a file, creating its directory.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Replaces the first occurrence of `from` (which must occur) by `to`.
    pub fn replace(&self, rel: &str, from: &str, to: &str) -> &Self {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} lacks {from:?}");
        self.write(rel, text.replacen(from, to, 1))
    }

    /// Replaces line `n` (1-based) by `text`, which may hold several lines.
    pub fn set_line(&self, rel: &str, n: usize, text: &str) -> &Self {
        let mut lines: Vec<String> = self.read(rel).lines().map(String::from).collect();
        assert!(n >= 1 && n <= lines.len(), "{rel} has {} lines, not {n}", lines.len());
        lines[n - 1] = text.to_string();
        self.write(rel, lines.join("\n") + "\n")
    }

    pub fn append(&self, rel: &str, text: &str) -> &Self {
        let old = self.read(rel);
        self.write(rel, old + text)
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path().join(rel)).unwrap();
        self
    }

    /// `journeymap <command> <project> <args…>`.
    pub fn run(&self, command: &str, args: &[&str]) -> Output {
        let mut all = vec![command, self.arg()];
        all.extend_from_slice(args);
        run(&all)
    }

    /// `check --format json`: the exit code and the document.
    pub fn check_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let out = self.run("check", &all);
        let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&out)));
        (out.status.code().unwrap(), doc)
    }

    /// The `kpis.json` document, asserting success.
    pub fn kpis(&self) -> Value {
        let out = self.run("kpis", &["--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The KPIs of the project's first journey.
    pub fn journey_kpis(&self) -> Value {
        self.kpis()["journeys"][0].clone()
    }
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

/// Every file of a directory: relative path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The journey `id` of a kpis.json document.
pub fn journey_of<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id)
        .unwrap_or_else(|| panic!("no journey `{id}` in kpis.json"))
}
