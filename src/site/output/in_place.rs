//! Writing into a folder that must stay where it is: one journeymap did not create, or one
//! it cannot replace whole. Files journeymap did not write are never touched.
//!
//! Every file is staged beside its place first and renamed over it only once all are
//! staged, so an I/O error while writing (a full disk) leaves the previous site as it was.
//! Before anything is staged, the marker lists every file and folder the build may leave
//! behind and the writing process, so that a kill at any point leaves nothing the next
//! build cannot recognise and clean up.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::path::Path;

use super::marker::{self, Marker, MARKER};
use super::{error, SiteFiles};
use crate::diagnostics::Diagnostic;

/// What a folder held before this build, according to its marker.
pub struct Previous {
    pub marker: Marker,
    /// The marker's manifest is unknown: a file at a path of the site is taken as
    /// journeymap's (its marker said it replaces them), and nothing is removed.
    pub overwrite_any: bool,
    /// The marker file as it was, put back if the build fails; `None`: there was none.
    pub bytes: Option<Vec<u8>>,
}

impl Previous {
    /// An empty folder journeymap did not create.
    pub fn foreign() -> Previous {
        Previous {
            marker: Marker::new(false),
            overwrite_any: false,
            bytes: None,
        }
    }
}

/// Removes `rel` with `remove` unless that would follow a link inside `out` (a crafted
/// marker must not reach outside it); whether it is gone.
pub fn remove(out: &Path, rel: &str, remove: fn(&Path) -> std::io::Result<()>) -> bool {
    for d in marker::ancestors([&rel.to_string()]) {
        match std::fs::symlink_metadata(out.join(&d)) {
            Ok(m) if m.is_dir() => {}
            Err(e) if e.kind() == ErrorKind::NotFound => return true,
            _ => return false,
        }
    }
    match remove(&out.join(rel)) {
        Ok(()) => true,
        Err(e) => e.kind() == ErrorKind::NotFound,
    }
}

fn refuse(out: &Path, rel: &str, why: &str) -> Diagnostic {
    error(
        out,
        format!("refusing to write the site into `{}`: `{rel}` {why}", out.display()),
    )
    .help("move it out of the way, or choose another output directory with `-o`")
}

/// The folders to create for `files`; refuses if a path of the site is taken by something
/// journeymap did not write, or would be reached through a link.
fn check(out: &Path, files: &SiteFiles, prev: &Previous) -> Result<BTreeSet<String>, Diagnostic> {
    let io = |rel: &str, e: std::io::Error| error(out, format!("cannot read `{rel}` in the output: {e}"));
    let mut create = BTreeSet::new();
    for d in &marker::ancestors(files.keys()) {
        match std::fs::symlink_metadata(out.join(d)) {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(
                    out,
                    d,
                    "is a symbolic link, and no link inside the output is followed",
                ))
            }
            Ok(_) => return Err(refuse(out, d, "is a file where the site has a folder")),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                create.insert(d.clone());
            }
            Err(e) => return Err(io(d, e)),
        }
    }
    for rel in files.keys() {
        match std::fs::symlink_metadata(out.join(rel)) {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Ok(m) if m.is_dir() => return Err(refuse(out, rel, "is a folder where the site has a file")),
            Ok(_) if prev.overwrite_any || prev.marker.files.contains(rel) => {}
            Ok(_) => return Err(refuse(out, rel, "is a file journeymap did not write")),
            Err(e) => return Err(io(rel, e)),
        }
    }
    Ok(create)
}

pub fn write(out: &Path, files: &SiteFiles, prev: Previous) -> Result<(), Diagnostic> {
    let create = check(out, files, &prev)?;
    let pid = std::process::id();
    let mut manifest = prev.marker.clone();
    manifest.files.extend(files.keys().cloned());
    manifest.dirs.extend(create.iter().cloned());
    manifest.pending = Some(pid);
    let marker_path = out.join(MARKER);
    marker::replace(&marker_path, &manifest.render())
        .map_err(|e| error(out, format!("cannot write `{MARKER}` in the output: {e}")))?;

    let mut staged = Vec::with_capacity(files.len());
    let mut stage = || -> std::io::Result<()> {
        for d in &create {
            std::fs::create_dir(out.join(d))?;
        }
        for (rel, bytes) in files {
            let path = out.join(rel);
            let tmp = marker::staged(&path, pid);
            marker::write_new(&tmp, bytes)?;
            staged.push((tmp, path));
        }
        Ok(())
    };
    if let Err(e) = stage() {
        for (tmp, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        for d in create.iter().rev() {
            let _ = std::fs::remove_dir(out.join(d));
        }
        let _ = match &prev.bytes {
            Some(bytes) => marker::replace(&marker_path, bytes),
            None => std::fs::remove_file(&marker_path),
        };
        return Err(error(out, format!("cannot write the site: {e}")));
    }

    for (i, (tmp, path)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for (tmp, _) in &staged[i..] {
                let _ = std::fs::remove_file(tmp);
            }
            manifest.pending = None;
            let _ = marker::replace(&marker_path, &manifest.render());
            return Err(error(
                out,
                format!(
                    "the site is only partly updated: cannot replace `{}`: {e}",
                    path.display()
                ),
            )
            .help("fix the cause and build again"));
        }
    }

    let done = remove_stale(out, files, manifest);
    marker::replace(&marker_path, &done.render())
        .map_err(|e| error(out, format!("cannot write `{MARKER}` in the output: {e}")))
}

/// Removes the files and folders journeymap wrote that the site no longer has; returns the
/// marker of what is left. What cannot be removed stays listed, for the next build.
fn remove_stale(out: &Path, files: &SiteFiles, manifest: Marker) -> Marker {
    let mut done = Marker::new(manifest.created);
    let used = marker::ancestors(files.keys());
    for rel in &manifest.files {
        if files.contains_key(rel) || !remove(out, rel, |p| std::fs::remove_file(p)) {
            done.files.insert(rel.clone());
        }
    }
    // Deepest first, so a folder's subfolders go before it; a folder still holding a file
    // (journeymap's or not) is kept.
    for d in manifest.dirs.iter().rev() {
        if used.contains(d) || !remove(out, d, |p| std::fs::remove_dir(p)) {
            done.dirs.insert(d.clone());
        }
    }
    done
}
