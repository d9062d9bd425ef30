//! Watching the project for changes: every file under the root except generated output,
//! version-control and dependency folders, editor temporary files and what the project's
//! `.gitignore` ignores. Bursts of events (an editor's save-rename-chmod) are debounced into
//! one rebuild; saving by rename (vim, JetBrains) is just another event in the burst. A
//! project folder deleted and created again is watched again.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use ignore::gitignore::Gitignore;
use notify::{RecursiveMode, Watcher};

/// Quiet time that ends a burst of events.
const QUIET: Duration = Duration::from_millis(30);
/// A burst never delays a rebuild longer than this.
const MAX_WAIT: Duration = Duration::from_millis(300);
/// How often the watcher checks that the folder at the project's path is the one it
/// watches (one `stat`).
const ROOT_CHECK: Duration = Duration::from_millis(500);

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

/// The watched folder. Deleting or moving it ends its watches for good (inotify, kqueue and
/// ReadDirectoryChangesW watch the directory, not its path), so a folder created again at
/// the same path needs a new watcher.
struct Folder {
    root: PathBuf,
    /// Which directory is watched; a fallback for back ends that do not report that the
    /// folder itself went away (inode numbers are reused, so it can miss a quick re-creation).
    id: Option<(u64, u64)>,
    /// The watcher reported that the folder itself was removed or moved.
    lost: bool,
    watcher: Option<notify::RecommendedWatcher>,
    tx: Sender<notify::Result<notify::Event>>,
}

impl Folder {
    fn watch(&mut self) -> notify::Result<()> {
        self.watcher = None;
        self.id = identity(&self.root);
        let mut watcher = notify::recommended_watcher(self.tx.clone())?;
        watcher.watch(&self.root, RecursiveMode::Recursive)?;
        self.watcher = Some(watcher);
        self.lost = false;
        Ok(())
    }

    /// Notes an event about the folder itself: removed, or moved away.
    fn saw(&mut self, ev: &notify::Event) {
        use notify::event::{EventKind, ModifyKind};
        if matches!(ev.kind, EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)))
            && ev.paths.contains(&self.root)
        {
            self.lost = true;
        }
    }

    /// `true` when the watched folder was lost, and the one now at its path is watched.
    fn rewatched(&mut self) -> bool {
        let now = identity(&self.root);
        if now == self.id && !self.lost {
            return false;
        }
        if now.is_none() {
            if self.watcher.take().is_some() {
                eprintln!(
                    "`{}` is gone; it is watched again when it comes back",
                    self.root.display()
                );
            }
            self.id = None;
            self.lost = true;
            return false;
        }
        // On failure, retried at the next check.
        let ok = self.watch().is_ok();
        if ok {
            eprintln!("`{}` is back: watching it again", self.root.display());
        }
        ok
    }
}

/// Which directory is at `path`: its device and inode (on Unix; elsewhere, only whether
/// there is one, so that a folder deleted and created again between two checks is missed).
fn identity(path: &Path) -> Option<(u64, u64)> {
    let m = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        Some((0, 0))
    }
}

/// Starts watching `root` on a thread of its own; `on_change` runs on that thread after
/// each burst, and after the folder, deleted, is back.
pub fn start(root: &Path, mut on_change: impl FnMut(&[PathBuf]) + Send + 'static) -> notify::Result<()> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut folder = Folder {
        root: root.clone(),
        id: None,
        lost: false,
        watcher: None,
        tx,
    };
    folder.watch()?;
    std::thread::spawn(move || {
        let mut gitignore = Gitignore::new(root.join(".gitignore")).0;
        let relevant = |ev: &notify::Event, gitignore: &Gitignore| -> Vec<PathBuf> {
            if matches!(ev.kind, notify::EventKind::Access(_)) {
                return Vec::new();
            }
            ev.paths
                .iter()
                .filter(|p| is_relevant(&root, gitignore, p))
                .cloned()
                .collect()
        };
        loop {
            // Wait for the first relevant event of a burst, checking the folder meanwhile.
            let first = rx.recv_timeout(ROOT_CHECK);
            if let Ok(Ok(ev)) = &first {
                folder.saw(ev);
            }
            if folder.rewatched() {
                gitignore = Gitignore::new(root.join(".gitignore")).0;
                on_change(std::slice::from_ref(&root));
                continue;
            }
            let mut changed = match first {
                Ok(Ok(ev)) => relevant(&ev, &gitignore),
                Ok(Err(_)) | Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if changed.is_empty() {
                continue;
            }
            let start = Instant::now();
            loop {
                match rx.recv_timeout(QUIET) {
                    Ok(Ok(ev)) => {
                        folder.saw(&ev);
                        changed.extend(relevant(&ev, &gitignore));
                    }
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
    Ok(())
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
