//! Finishing what a killed build left behind, before the next one writes.
//!
//! A kill between the two renames of a swap leaves no output at all: the previous site is
//! in `.NAME.old-PID-N` and the new one, complete or not, in `.NAME.tmp-PID-N`. A kill while
//! writing in place leaves staged `.FILE.journeymap-tmp-PID` files. Each is recognised by its
//! name AND by journeymap's marker (inside the folder, or naming the staged files), and only
//! once the process named in it is gone; nothing else is ever removed, but for an empty
//! folder of such a name.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::marker::{self, Found, Marker, MARKER};
use super::{error, in_place};
use crate::diagnostics::Diagnostic;

/// Whether process `pid` may still be writing. Only a `/proc` can tell; without one (not
/// Linux) a leftover is taken as a killed build's, so two builds into one output at once
/// are not supported there.
fn running(pid: u32) -> bool {
    pid != std::process::id() && Path::new("/proc/self").exists() && Path::new(&format!("/proc/{pid}")).exists()
}

struct Leftover {
    path: PathBuf,
    /// `tmp` (a new site) rather than `old` (a previous one).
    new: bool,
    /// A new site whose marker says it was written to the end, with every listed file.
    complete: bool,
}

/// The PID in a name `<prefix><pid>` or `<prefix><pid>-<n>`.
fn pid_in(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let (pid, n) = rest.split_once('-').unwrap_or((rest, "0"));
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

/// The temporary folders of killed swaps beside `out`.
fn leftovers(out: &Path) -> Vec<Leftover> {
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<Leftover> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file_name = entry.file_name();
            let n = file_name.to_str()?;
            let new = pid_in(n, &format!(".{name}.tmp-"));
            let pid = new.or_else(|| pid_in(n, &format!(".{name}.old-")))?;
            // A link named like a leftover is not one: `file_type` does not follow it.
            if running(pid) || !entry.file_type().ok()?.is_dir() {
                return None;
            }
            let path = entry.path();
            let Ok(Some(bytes)) = marker::read_file(&path.join(MARKER)) else {
                // A kill between creating the folder and writing its marker, or between
                // removing the marker and the folder, leaves it empty: removing an empty
                // folder (the call fails on any other) loses nothing.
                let _ = std::fs::remove_dir(&path);
                return None;
            };
            if !marker::recognised(&bytes) {
                return None;
            }
            let complete = new.is_some()
                && serde_json::from_slice::<Marker>(&bytes).is_ok_and(|m| {
                    m.pending.is_none() && m.files.iter().all(|f| marker::is_plain(f) && path.join(f).is_file())
                });
            Some(Leftover {
                path,
                new: new.is_some(),
                complete,
            })
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Puts back an output a killed build left missing, and removes what killed builds left.
pub fn recover(out: &Path) -> Result<(), Diagnostic> {
    let mut found = leftovers(out);
    if std::fs::symlink_metadata(out).is_err_and(|e| e.kind() == ErrorKind::NotFound) {
        // The new site if it was complete (the swap is finished), else the previous one.
        let pick = (found.iter().rposition(|l| l.complete)).or_else(|| found.iter().rposition(|l| !l.new));
        if let Some(i) = pick {
            let restored = found.remove(i);
            std::fs::rename(&restored.path, out).map_err(|e| {
                error(
                    out,
                    format!(
                        "the output is missing after an interrupted build, and `{}` cannot be put in its place: {e}",
                        restored.path.display()
                    ),
                )
                .help(format!(
                    "rename `{}` to `{}` yourself",
                    restored.path.display(),
                    out.display()
                ))
            })?;
        }
    }
    for l in &found {
        super::remove_ours(&l.path);
    }
    if std::fs::metadata(out).is_ok_and(|m| m.is_dir()) {
        in_place_leftovers(out);
    }
    Ok(())
}

/// Staged files of a build killed while writing `out` in place.
fn in_place_leftovers(out: &Path) {
    if let Ok(Found::Ours(mut m, _)) = marker::read(out) {
        if let Some(pid) = m.pending.filter(|p| !running(*p)) {
            for rel in &m.files {
                let staged = marker::staged(Path::new(rel), pid);
                if let Some(staged) = staged.to_str() {
                    in_place::remove(out, staged, |p| std::fs::remove_file(p));
                }
            }
            m.pending = None;
            let _ = marker::replace(&out.join(MARKER), &m.render());
        }
    }
    // A kill while the marker itself was being replaced leaves its staged copy.
    let prefix = format!(".{MARKER}.journeymap-tmp-");
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| pid_in(n, &prefix)) else {
            continue;
        };
        let path = entry.path();
        if !running(pid) && marker::read_file(&path).is_ok_and(|b| b.is_some_and(|b| marker::recognised(&b))) {
            let _ = std::fs::remove_file(path);
        }
    }
}
