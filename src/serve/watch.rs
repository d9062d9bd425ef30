//! Watching the project for changes: every file under the root except generated output,
//! version-control and dependency folders, editor temporary files and what the project's
//! `.gitignore` ignores. Bursts of events (an editor's save-rename-chmod) are debounced into
//! one rebuild; saving by rename (vim, JetBrains) is just another event in the burst.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use ignore::gitignore::Gitignore;
use notify::{RecursiveMode, Watcher};

/// Quiet time that ends a burst of events.
const QUIET: Duration = Duration::from_millis(30);
/// A burst never delays a rebuild longer than this.
const MAX_WAIT: Duration = Duration::from_millis(300);

const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "target", "node_modules", "public"];

/// Editor leftovers: vim swap and test files, emacs locks and backups, JetBrains safe-write
/// temporaries, and generic temporaries.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with('~')
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            "___jb_tmp___",
            "___jb_old___",
            ".crswap",
        ]
        .iter()
        .any(|s| name.ends_with(s))
        || name == "4913"
        || name == ".DS_Store"
}

/// Whether a change to `path` (under `root`) can change the site.
pub fn is_relevant(root: &Path, gitignore: &Gitignore, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    if rel.as_os_str().is_empty() {
        return false;
    }
    let mut comps = rel.components().map(|c| c.as_os_str().to_string_lossy());
    if comps.any(|c| SKIPPED_DIRS.contains(&c.as_ref()) || c.starts_with(".public.")) {
        return false;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_temporary(&name) {
        return false;
    }
    !gitignore.matched_path_or_any_parents(rel, path.is_dir()).is_ignore()
}

/// Starts watching `root`; `on_change` runs on the watcher's thread after each burst.
pub fn start(
    root: &Path,
    mut on_change: impl FnMut(&[PathBuf]) + Send + 'static,
) -> notify::Result<notify::RecommendedWatcher> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (gitignore, _) = Gitignore::new(root.join(".gitignore"));
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher.watch(&root, RecursiveMode::Recursive)?;
    std::thread::spawn(move || {
        let relevant = |ev: &notify::Event| -> Vec<PathBuf> {
            if matches!(ev.kind, notify::EventKind::Access(_)) {
                return Vec::new();
            }
            ev.paths
                .iter()
                .filter(|p| is_relevant(&root, &gitignore, p))
                .cloned()
                .collect()
        };
        loop {
            // Wait for the first relevant event of a burst.
            let mut changed = match rx.recv() {
                Ok(Ok(ev)) => relevant(&ev),
                Ok(Err(_)) => continue,
                Err(_) => return,
            };
            if changed.is_empty() {
                continue;
            }
            let start = Instant::now();
            loop {
                match rx.recv_timeout(QUIET) {
                    Ok(Ok(ev)) => changed.extend(relevant(&ev)),
                    Ok(Err(_)) => {}
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if start.elapsed() > MAX_WAIT {
                    break;
                }
            }
            changed.sort();
            changed.dedup();
            on_change(&changed);
        }
    });
    Ok(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_and_ignored_files() {
        for t in [
            ".journey.toml.swp",
            "4913",
            "journey.toml~",
            ".#journey.toml",
            "#j.toml#",
            "j.toml___jb_tmp___",
        ] {
            assert!(is_temporary(t), "{t}");
        }
        assert!(!is_temporary("journey.toml"));
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "/scratch/\n*.bak\n").unwrap();
        let (gi, _) = Gitignore::new(root.join(".gitignore"));
        assert!(is_relevant(root, &gi, &root.join("journeys/a.toml")));
        assert!(is_relevant(root, &gi, &root.join("data/events.csv")));
        assert!(!is_relevant(root, &gi, &root.join("scratch/x.toml")));
        assert!(!is_relevant(root, &gi, &root.join("journeys/a.bak")));
        assert!(!is_relevant(root, &gi, &root.join("public/index.html")));
        assert!(!is_relevant(root, &gi, &root.join(".git/index")));
        assert!(!is_relevant(root, &gi, &root.join("journeys/.a.toml.swp")));
        assert!(!is_relevant(root, &gi, Path::new("/elsewhere/x")));
    }
}
