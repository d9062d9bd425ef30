//! The marker file: whether journeymap created the output folder, and which files and
//! folders it wrote there — the only ones a later build may replace or remove.
//!
//! JSON, so that any file name survives. Its first key never changes, so a marker cut
//! short by a kill is still recognised as journeymap's: a truncated file keeps its start.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file in every output folder journeymap writes.
pub const MARKER: &str = ".journeymap-output";

const NOTE: &str = "Written by `journeymap build`. The next build replaces the files listed here, \
removes those the site no longer has and leaves every other file alone.";

/// How every marker starts: serde_json writes the fields in declaration order.
const SIGNATURE: &[u8] = b"{\n  \"journeymap-output\":";

/// How the marker of versions before the manifest starts (it had no list of files).
const LEGACY_SIGNATURE: &[u8] = b"This directory is written by `journeymap build`";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    #[serde(rename = "journeymap-output")]
    note: String,
    /// Whether journeymap created the folder itself: only then may a build replace it whole.
    pub created: bool,
    /// Files journeymap wrote, relative, with `/`.
    pub files: BTreeSet<String>,
    /// Folders journeymap created inside the output (removed once empty and unused).
    pub dirs: BTreeSet<String>,
    /// The process writing the folder, while it does: its staged files are named after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u32>,
}

impl Marker {
    pub fn new(created: bool) -> Marker {
        Marker {
            note: NOTE.into(),
            created,
            files: BTreeSet::new(),
            dirs: BTreeSet::new(),
            pending: None,
        }
    }

    /// The marker of a folder holding exactly `files`, every folder of which journeymap made.
    pub fn whole<'a>(files: impl IntoIterator<Item = &'a String>) -> Marker {
        let mut m = Marker::new(true);
        m.files = files.into_iter().cloned().collect();
        m.dirs = ancestors(&m.files);
        m
    }

    pub fn render(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec_pretty(self).expect("a marker serializes");
        text.push(b'\n');
        text
    }
}

/// What the marker file of a folder says.
pub enum Found {
    Absent,
    Ours(Marker, Vec<u8>),
    /// A marker whose manifest cannot be trusted or read (an older version's, an edited one):
    /// the bytes, to put back if the build fails.
    Unknown(Vec<u8>),
}

/// A marker is a small file; anything larger is not one journeymap wrote.
const MAX_BYTES: u64 = 64 << 20;

/// The content of the marker file at `path`, `None` if there is none. Only a regular file
/// is read: an output folder can come from anywhere (a cloned repository), and a FIFO, a
/// device or a link there must not hang a build or be followed.
pub fn read_file(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Err(std::io::Error::other("it is not a regular file of at most 64 MiB"));
    }
    std::fs::read(path).map(Some)
}

pub fn read(dir: &Path) -> std::io::Result<Found> {
    let Some(bytes) = read_file(&dir.join(MARKER))? else {
        return Ok(Found::Absent);
    };
    Ok(match serde_json::from_slice::<Marker>(&bytes) {
        // A listed path that leaves the folder (`..`, absolute) would let a crafted marker
        // remove files elsewhere: such a marker is not trusted at all.
        Ok(m) if m.files.iter().chain(&m.dirs).all(|p| is_plain(p)) => Found::Ours(m, bytes),
        _ => Found::Unknown(bytes),
    })
}

/// Whether these bytes are (the start of) a marker journeymap wrote; empty counts, as a
/// kill can come between creating the file and writing it.
pub fn recognised(bytes: &[u8]) -> bool {
    let starts = |sig: &[u8]| bytes.starts_with(sig) || sig.starts_with(bytes);
    starts(SIGNATURE) || starts(LEGACY_SIGNATURE)
}

/// A relative path of plain names only: no `..`, `.`, root or prefix.
pub fn is_plain(rel: &str) -> bool {
    !rel.is_empty() && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

/// Every folder above the given relative paths ("a/b/c" → "a", "a/b").
pub fn ancestors<'a>(paths: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    for p in paths {
        let mut end = 0;
        while let Some(i) = p[end..].find('/') {
            end += i;
            dirs.insert(p[..end].to_string());
            end += 1;
        }
    }
    dirs
}

/// Where `path` is staged by process `pid` before it is renamed over `path`: beside it, so
/// the rename stays in one folder (and so atomic).
pub fn staged(path: &Path, pid: u32) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.journeymap-tmp-{pid}"))
}

/// Writes a new file (never one that exists); a partly written file is removed.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })
}

/// Replaces `path` with `bytes` atomically: readers and a kill see the old or the new file.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = staged(path, std::process::id());
    write_new(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_are_recognised_when_cut_short() {
        let mut m = Marker::whole(&["a/b/c.html".to_string(), "x.css".to_string()]);
        m.pending = Some(7);
        let bytes = m.render();
        assert_eq!(serde_json::from_slice::<Marker>(&bytes).unwrap(), m);
        assert_eq!(m.dirs, ["a".to_string(), "a/b".to_string()].into());
        for cut in [0, 5, 30, bytes.len() / 2, bytes.len()] {
            assert!(recognised(&bytes[..cut]), "cut at {cut}");
        }
        assert!(recognised(
            b"This directory is written by `journeymap build` and replaced on every build.\n"
        ));
        assert!(!recognised(b"my notes"));
    }

    #[test]
    fn a_marker_listing_paths_outside_the_folder_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", "./a", ""] {
            let mut m = Marker::new(true);
            m.files.insert(bad.into());
            std::fs::write(dir.path().join(MARKER), m.render()).unwrap();
            assert!(matches!(read(dir.path()).unwrap(), Found::Unknown(_)), "{bad}");
        }
    }
}
