//! Watching the project for changes: every file under the root except generated output,
//! version-control and dependency folders, editor temporary files and what the project's
//! `.gitignore` ignores; but every data file the journeys read, wherever it is and whatever
//! `.gitignore` says (teams often ignore large exports). Bursts of events (an editor's save-rename-chmod) are debounced into
//! one rebuild; saving by rename (vim, JetBrains) is just another event in the burst. A
//! project folder deleted and created again is watched again.

use std::path::{Component, Path, PathBuf};
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

/// Whether a change to `path` (under `root`) can change the site. `reads` are the data
/// files the journeys read (see [`data_paths`]): they count whatever the ignore rules say.
/// `None` (before any build has said what it reads): every file but editor leftovers
/// counts, so that no edit made during the first build is missed.
pub fn is_relevant(root: &Path, gitignore: &Gitignore, reads: Option<&[PathBuf]>, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return false };
    if rel.as_os_str().is_empty() {
        return false;
    }
    if reads.is_some_and(|r| r.iter().any(|p| p == path)) {
        return true;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_temporary(&name) {
        return false;
    }
    if reads.is_none() {
        return true;
    }
    let mut comps = rel.components().map(|c| c.as_os_str().to_string_lossy());
    if comps.any(|c| SKIPPED_DIRS.contains(&c.as_ref()) || c.starts_with(".public.")) {
        return false;
    }
    !gitignore.matched_path_or_any_parents(rel, path.is_dir()).is_ignore()
}

/// The paths under which the watcher reports changes to `files` (data files joined with
/// `root`, as the spec gives them): each as written, under the canonical root without `.`
/// and `..`, and where it leads through symbolic links.
pub fn data_paths<'a>(root: &Path, files: impl IntoIterator<Item = &'a Path>) -> Vec<PathBuf> {
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    for file in files {
        if let Ok(rel) = file.strip_prefix(root) {
            let mut p = canonical.clone();
            for c in rel.components() {
                match c {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        p.pop();
                    }
                    c => p.push(c),
                }
            }
            out.push(p);
        }
        out.extend(file.canonicalize());
    }
    out.sort();
    out.dedup();
    out
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

/// Starts watching `root` on a thread of its own; `reads` gives the data files of the
/// last build that said ([`data_paths`]); `on_change` runs on that thread after each burst,
/// and after the folder, deleted, is back.
pub fn start(
    root: &Path,
    reads: impl Fn() -> Option<Vec<PathBuf>> + Send + 'static,
    mut on_change: impl FnMut(&[PathBuf]) + Send + 'static,
) -> notify::Result<()> {
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
            let reads = reads();
            ev.paths
                .iter()
                .filter(|p| is_relevant(&root, gitignore, reads.as_deref(), p))
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
        let none = Some(&[][..]);
        assert!(is_relevant(root, &gi, none, &root.join("journeys/a.toml")));
        assert!(is_relevant(root, &gi, none, &root.join("data/events.csv")));
        assert!(!is_relevant(root, &gi, none, &root.join("scratch/x.toml")));
        assert!(!is_relevant(root, &gi, none, &root.join("journeys/a.bak")));
        assert!(!is_relevant(root, &gi, none, &root.join("public/index.html")));
        assert!(!is_relevant(root, &gi, none, &root.join(".git/index")));
        assert!(!is_relevant(root, &gi, none, &root.join("journeys/.a.toml.swp")));
        assert!(!is_relevant(root, &gi, none, Path::new("/elsewhere/x")));
    }

    #[test]
    fn data_files_count_whatever_the_ignore_rules_say() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join(".gitignore"), "/exports/\n").unwrap();
        std::fs::create_dir_all(root.join("exports")).unwrap();
        std::fs::write(root.join("exports/real.csv"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("../exports/real.csv", root.join("exports/link.csv")).unwrap();
        let (gi, _) = Gitignore::new(root.join(".gitignore"));
        let files = [
            root.join("./exports/../exports/events.csv"),
            root.join("public/metrics.csv"),
            root.join("exports/link.csv"),
        ];
        let reads = data_paths(&root, files.iter().map(PathBuf::as_path));
        let reads = Some(&reads[..]);
        for read in ["exports/events.csv", "public/metrics.csv", "exports/link.csv"] {
            assert!(is_relevant(&root, &gi, reads, &root.join(read)), "{read}");
        }
        #[cfg(unix)]
        assert!(is_relevant(&root, &gi, reads, &root.join("exports/real.csv")));
        assert!(!is_relevant(&root, &gi, reads, &root.join("exports/other.csv")));
        assert!(!is_relevant(&root, &gi, reads, &root.join("public/index.html")));
        // Before any build has said what it reads, only editor leftovers are left out.
        assert!(is_relevant(&root, &gi, None, &root.join("exports/other.csv")));
        assert!(!is_relevant(&root, &gi, None, &root.join("exports/.x.swp")));
    }
}
