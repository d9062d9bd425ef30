//! Writing the site without ever losing anything (docs/site.md "Safety of your files").
//!
//! The whole site is rendered in memory first. A folder journeymap created itself and that
//! holds only its files is replaced whole: the site is written to a fresh folder beside it
//! and swapped in only when complete, so a failed build leaves the previous site
//! byte-identical. Any other folder journeymap may write (an empty one the user made, one
//! holding the user's files too, the target of a symbolic link, a mount point) is written
//! in place by [`in_place`], never touching a file journeymap did not write. The marker
//! file ([`marker`]) says which case a folder is and lists journeymap's files; an existing
//! non-empty folder without it is never deleted, emptied or written into. What a killed
//! build leaves is undone first by [`recover`].

mod in_place;
mod marker;
mod recover;

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Location};
use in_place::Previous;
pub use marker::MARKER;
use marker::{Found, Marker};
pub use recover::recover;

/// A rendered site: relative paths (with `/`) to contents, in a stable order.
pub type SiteFiles = BTreeMap<String, Vec<u8>>;

type RenameDir = fn(&Path, &Path) -> std::io::Result<()>;

/// How a build writes its output.
enum Plan {
    /// Nothing is there: write a new folder beside it and rename it into place.
    Create,
    /// A folder journeymap created that holds only its files: replace it whole, or write
    /// it in place (as `Previous` says) when it cannot be renamed.
    Swap(Previous),
    /// Any other folder journeymap may write: write into it file by file.
    InPlace(Previous),
}

fn error(out: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(message).at(Location::file(&out.display().to_string()))
}

fn plan(out: &Path) -> Result<Plan, Diagnostic> {
    let is_link = match std::fs::symlink_metadata(out) {
        Ok(m) => m.file_type().is_symlink(),
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Plan::Create),
        Err(e) => return Err(error(out, format!("cannot read the output path: {e}"))),
    };
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => {}
        // Creating the folder would replace the link with it: the user means the target.
        Err(e) if is_link && e.kind() == ErrorKind::NotFound => {
            let target = std::fs::read_link(out).unwrap_or_default();
            return Err(error(
                out,
                format!(
                    "the output is a symbolic link to `{}`, which does not exist",
                    target.display()
                ),
            )
            .help("create that directory, or choose another output with `-o`"));
        }
        _ => {
            return Err(
                error(out, "the output path exists and is not a directory").help("choose another output with `-o`")
            )
        }
    }
    let found = marker::read(out).map_err(|e| error(out, format!("cannot read `{MARKER}` in the output: {e}")))?;
    Ok(match found {
        // Renaming a link would move the link, not its target: a linked folder is written
        // in place, whoever created it.
        Found::Ours(marker, bytes) => {
            let swap = !is_link && marker.created && can_rename(out) && only_ours(out, &marker);
            let previous = Previous {
                marker,
                overwrite_any: false,
                bytes: Some(bytes),
            };
            if swap {
                Plan::Swap(previous)
            } else {
                Plan::InPlace(previous)
            }
        }
        Found::Unknown(bytes) => Plan::InPlace(Previous {
            marker: Marker::new(false),
            overwrite_any: true,
            bytes: Some(bytes),
        }),
        Found::Absent if is_empty(out)? => Plan::InPlace(Previous::foreign()),
        Found::Absent => {
            return Err(error(
                out,
                format!(
                    "refusing to write into `{}`: it is not empty and was not created by journeymap (no {MARKER} file)",
                    out.display()
                ),
            )
            .help("choose another output directory with `-o`, or empty this one yourself"))
        }
    })
}

fn is_empty(dir: &Path) -> Result<bool, Diagnostic> {
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| error(dir, format!("cannot read the output directory: {e}")))?;
    Ok(entries.next().is_none())
}

/// Whether `out` can be renamed: it has a name, and is not a mount point (on another device
/// than its parent) — known ahead, so nothing is written beside it for nothing. A rename
/// that fails anyway falls back the same way.
fn can_rename(out: &Path) -> bool {
    let Some(parent) = out.parent().filter(|_| out.file_name().is_some()) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        match (std::fs::metadata(out), std::fs::metadata(parent)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = parent;
        true
    }
}

/// Whether everything in `out` is journeymap's: the marker, its files and its folders. A
/// file the user added makes the folder one to write in place, so the file is kept.
fn only_ours(out: &Path, m: &Marker) -> bool {
    walkdir::WalkDir::new(out).min_depth(1).into_iter().all(|entry| {
        let Ok(entry) = entry else { return false };
        let Ok(rel) = entry.path().strip_prefix(out) else {
            return false;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace(std::path::MAIN_SEPARATOR, "/")) else {
            return false;
        };
        if entry.file_type().is_dir() {
            m.dirs.contains(&rel)
        } else {
            rel == MARKER || m.files.contains(&rel)
        }
    })
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

/// Removes a temporary folder of journeymap's, its marker last: a kill midway leaves a
/// folder the next build still recognises, and finishes removing.
fn remove_ours(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten().filter(|e| e.file_name() != MARKER) {
            let _ = match entry.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(entry.path()),
                _ => std::fs::remove_file(entry.path()),
            };
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    let _ = std::fs::remove_dir(dir);
}

/// Writes a complete new output folder at `dir`. The marker goes first, saying the folder
/// is still being written, so a kill leaves a folder recognisable as journeymap's and as
/// incomplete; it is rewritten last, atomically, when every file is there.
fn write_tree(dir: &Path, files: &SiteFiles) -> std::io::Result<()> {
    std::fs::create_dir(dir)?;
    let mut m = Marker::whole(files.keys());
    m.pending = Some(std::process::id());
    std::fs::write(dir.join(MARKER), m.render())?;
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    m.pending = None;
    marker::replace(&dir.join(MARKER), &m.render())
}

/// Writes `files` as the new content of `out`, atomically where the platform allows.
pub fn write(out: &Path, files: &SiteFiles) -> Result<(), Diagnostic> {
    write_with(out, files, |from, to| std::fs::rename(from, to))
}

/// [`write`], with `rename_dir` renaming the output folder itself aside: a seam for tests
/// to make it fail as it does on a mount point.
fn write_with(out: &Path, files: &SiteFiles, rename_dir: RenameDir) -> Result<(), Diagnostic> {
    recover(out)?;
    match plan(out)? {
        Plan::InPlace(previous) => in_place::write(out, files, previous),
        Plan::Create => create(out, files),
        Plan::Swap(previous) => match swap(out, files, rename_dir) {
            Ok(()) => Ok(()),
            // The folder cannot be renamed (a mount point: EXDEV, EBUSY) or nothing can be
            // written beside it: nothing has changed, and the same folder is written in place.
            Err(Swap::NotDone) => in_place::write(out, files, previous),
            Err(Swap::Aside(old, e)) => Err(error(
                out,
                format!(
                    "cannot move the new site into place ({e}), nor the previous one back: it is in `{}`",
                    old.display()
                ),
            )
            .help("the next build puts it back")),
        },
    }
}

fn create(out: &Path, files: &SiteFiles) -> Result<(), Diagnostic> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| error(out, format!("cannot create `{}`: {e}", parent.display())))?;
    }
    let tmp = sibling(out, "tmp");
    let result = write_tree(&tmp, files)
        .map_err(|e| format!("cannot write the site: {e}"))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(|e| format!("cannot move the new site into place: {e}")));
    result.map_err(|message| {
        remove_ours(&tmp);
        error(out, message)
    })
}

enum Swap {
    /// Nothing changed: the previous site is where it was.
    NotDone,
    /// The previous site was moved aside and could not be moved back.
    Aside(PathBuf, std::io::Error),
}

fn swap(out: &Path, files: &SiteFiles, rename_dir: RenameDir) -> Result<(), Swap> {
    let tmp = sibling(out, "tmp");
    if write_tree(&tmp, files).is_err() {
        remove_ours(&tmp);
        return Err(Swap::NotDone);
    }
    let old = sibling(out, "old");
    if rename_dir(out, &old).is_err() {
        remove_ours(&tmp);
        return Err(Swap::NotDone);
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        remove_ours(&tmp);
        return match std::fs::rename(&old, out) {
            Ok(()) => Err(Swap::NotDone),
            Err(_) => Err(Swap::Aside(old, e)),
        };
    }
    // `old` is a previous build in a folder journeymap created, holding only its files
    // (checked by `plan`): safe to delete.
    remove_ours(&old);
    Ok(())
}

#[cfg(test)]
mod tests;
