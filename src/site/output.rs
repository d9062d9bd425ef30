//! Writing the site without ever losing anything.
//!
//! The whole site is rendered in memory first; then it is written to a fresh directory
//! beside the output and swapped in only when complete, so a failed build leaves the
//! previous site byte-identical. Output directories journeymap creates carry a marker file;
//! an existing non-empty directory without it is never deleted, emptied or written into.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};

/// The file in every output directory journeymap creates.
pub const MARKER: &str = ".journeymap-output";
const MARKER_TEXT: &str = "This directory is written by `journeymap build` and replaced on every build.\n";

/// A rendered site: relative paths (with `/`) to contents, in a stable order.
pub type SiteFiles = BTreeMap<String, Vec<u8>>;

enum Existing {
    Missing,
    Ours,
    EmptyForeign,
}

fn error(out: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(message).at(Location::file(&out.display().to_string()))
}

fn classify(out: &Path) -> Result<Existing, Diagnostic> {
    if !out.exists() {
        return Ok(Existing::Missing);
    }
    if !out.is_dir() {
        return Err(error(out, "the output path exists and is not a directory").help("choose another output with `-o`"));
    }
    if out.join(MARKER).is_file() {
        return Ok(Existing::Ours);
    }
    let mut entries =
        std::fs::read_dir(out).map_err(|e| error(out, format!("cannot read the output directory: {e}")))?;
    if entries.next().is_none() {
        return Ok(Existing::EmptyForeign);
    }
    Err(error(
        out,
        format!(
            "refusing to write into `{}`: it is not empty and was not created by journeymap (no {MARKER} file)",
            out.display()
        ),
    )
    .help("choose another output directory with `-o`, or empty this one yourself"))
}

/// A sibling path that does not exist yet: `.<name>.<what>-<pid>-<n>`.
fn sibling(out: &Path, what: &str) -> PathBuf {
    let parent = out.parent().unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    (0..)
        .map(|i| parent.join(format!(".{name}.{what}-{}-{i}", std::process::id())))
        .find(|p| !p.exists())
        .expect("an unused name exists")
}

fn write_tree(dir: &Path, files: &SiteFiles) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

/// Writes `files` as the new content of `out`, atomically where the platform allows.
pub fn write(out: &Path, files: &SiteFiles) -> Result<(), Diagnostic> {
    let existing = classify(out)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| error(out, format!("cannot create `{}`: {e}", parent.display())))?;
    }
    let tmp = sibling(out, "tmp");
    if let Err(e) = write_tree(&tmp, files) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(error(out, format!("cannot write the site: {e}")));
    }
    let result = match existing {
        Existing::Missing => std::fs::rename(&tmp, out),
        Existing::Ours => {
            let old = sibling(out, "old");
            std::fs::rename(out, &old).and_then(|_| match std::fs::rename(&tmp, out) {
                Ok(()) => {
                    // `old` is the previous build (it had our marker): safe to delete.
                    let _ = std::fs::remove_dir_all(&old);
                    Ok(())
                }
                Err(e) => {
                    let _ = std::fs::rename(&old, out);
                    Err(e)
                }
            })
        }
        Existing::EmptyForeign => move_entries(&tmp, out),
    };
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(error(out, format!("cannot move the new site into place: {e}")));
    }
    Ok(())
}

/// Moves the entries of `from` (ours) into the empty directory `to` (the user's).
fn move_entries(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::rename(entry.path(), to.join(entry.file_name()))?;
    }
    std::fs::remove_dir(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(content: &str) -> SiteFiles {
        [
            ("index.html".to_string(), content.as_bytes().to_vec()),
            ("a/b.css".to_string(), b"x".to_vec()),
        ]
        .into()
    }

    #[test]
    fn creates_replaces_and_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &files("one")).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "one");
        assert!(out.join(MARKER).is_file());
        std::fs::write(out.join("stale.html"), "old").unwrap();
        write(&out, &files("two")).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(
            !out.join("stale.html").exists(),
            "a rebuild replaces the whole directory"
        );
        // No temporary directory is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);

        let foreign = dir.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        let e = write(&foreign, &files("x")).unwrap_err();
        assert!(e.message.contains("refusing to write into"), "{}", e.message);
        assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);

        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write(&empty, &files("e")).unwrap();
        assert_eq!(std::fs::read_to_string(empty.join("index.html")).unwrap(), "e");

        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(write(&file, &files("x")).is_err());
    }
}
