//! Parsed data files kept between rebuilds (`journeymap serve`), keyed by types.
//!
//! An entry is reused only when its key is equal: the reader's whole input (a `Hash + Eq`
//! struct such as [`super::events::EventsInput`], which is all the reader is given, so a
//! new setting cannot be left out of the key) and the file's [`FileStamp`]. Places in the
//! spec (for messages) are carried as [`Place`]s, which every key treats as equal: moving a
//! line of a journey file does not re-read its data.
//!
//! A stamp can miss a change when a file is rewritten within the file system's timestamp
//! granularity with the same size (the "racy git" problem). So an entry whose file changed
//! shortly before it was read also keeps a hash of the file's bytes, checked while the
//! change is that recent.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::files::Root;

/// A place in the spec, for messages only: equal to every other place, so that keys
/// holding one do not change when the spec's lines move.
#[derive(Clone, Debug)]
pub struct Place(pub Location);

impl PartialEq for Place {
    fn eq(&self, _: &Place) -> bool {
        true
    }
}

impl Eq for Place {}

impl Hash for Place {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// A data file as the readers see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileInput {
    pub path: PathBuf,
    /// The project folder, which the file must be inside.
    pub root: Root,
    /// As written in the spec, shown in messages (including cached warnings).
    pub shown: String,
    /// Where the spec names the file.
    pub place: Place,
    pub options: crate::spec::ReadOptions,
}

impl FileInput {
    pub fn of(file: &crate::spec::DataFile) -> FileInput {
        FileInput {
            path: file.path.clone(),
            root: file.root.clone(),
            shown: file.display.clone(),
            place: Place(file.loc.clone()),
            options: file.options,
        }
    }

    /// An error about the whole file, at the place the spec names it.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at(self.place.0.clone())
    }
}

/// What tells one version of a file from another without reading it: size, modification
/// and change times, and (on Unix) the inode. The change time cannot be set by programs, so
/// a rewrite that restores the size and modification time (`cp -p`, `rsync -t`,
/// `touch -r`) still changes the stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileStamp {
    len: u64,
    modified: Option<Duration>,
    changed: Option<Duration>,
    inode: u64,
    device: u64,
}

impl FileStamp {
    pub fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        let since_epoch = |t: SystemTime| t.duration_since(UNIX_EPOCH).ok();
        #[cfg(unix)]
        let (changed, inode, device) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(m.ctime())
                .ok()
                .map(|s| Duration::new(s, m.ctime_nsec().clamp(0, 999_999_999) as u32));
            (changed, m.ino(), m.dev())
        };
        #[cfg(not(unix))]
        let (changed, inode, device) = (m.created().ok().and_then(since_epoch), 0, 0);
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok().and_then(since_epoch),
            changed,
            inode,
            device,
        })
    }

    /// The latest of the file's times.
    fn latest(&self) -> Option<Duration> {
        self.modified.max(self.changed)
    }
}

/// A hash of a file's bytes, for entries whose stamp is too recent to be trusted.
fn content_hash(file: &FileInput) -> Option<u64> {
    use std::io::Read;
    let mut f = file.root.open(&file.path).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return Some(h.finish());
        }
        h.write(&buf[..n]);
    }
}

/// Every read gets a new version; equal versions mean the very same parsed data, which is
/// what the KPI cache keys on.
fn next_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A parsed file and the version of this read.
#[derive(Debug)]
pub struct Read<T> {
    pub value: Arc<T>,
    pub version: u64,
}

struct Entry<I, T> {
    stamp: FileStamp,
    input: I,
    read: Arc<T>,
    version: u64,
    /// The reader's warnings (they point into the data file, so they hold while it is
    /// unchanged): a hit repeats them.
    warnings: Vec<Diagnostic>,
    /// For an entry read while its stamp was recent: the file's content hash.
    racy: Option<u64>,
}

/// The entries of one kind of data file, by journey id.
pub(super) struct Slots<I, T> {
    entries: HashMap<String, Entry<I, T>>,
}

impl<I, T> Default for Slots<I, T> {
    fn default() -> Self {
        Slots {
            entries: HashMap::new(),
        }
    }
}

/// Settings and bookkeeping shared by the slots of a [`super::Cache`].
pub(super) struct Clock {
    /// False for a one-off run: nothing is kept (nor hashed for keeping).
    pub keep: bool,
    /// A stamp this close to the start of a read is not trusted on its own.
    pub racy_window: Duration,
    /// Files read (not served from the cache) by the last load.
    pub reads: Vec<String>,
}

impl<I: Eq, T> Slots<I, T> {
    /// The cached read of `journey`'s file for `input`, or `read`'s result (kept when the
    /// read succeeded and the file has a stamp).
    pub fn get_or_read(
        &mut self,
        journey: &str,
        input: I,
        file: &FileInput,
        clock: &mut Clock,
        diags: &mut Diagnostics,
        read: impl FnOnce(&I, &mut Diagnostics) -> Option<T>,
    ) -> Option<Read<T>> {
        let stamp = FileStamp::of(&file.path);
        if let (Some(stamp), Some(e)) = (stamp, self.entries.get_mut(journey)) {
            if e.stamp == stamp && e.input == input && still_racy_ok(e, stamp, file, clock) {
                diags.items.extend(e.warnings.iter().cloned());
                return Some(Read {
                    value: e.read.clone(),
                    version: e.version,
                });
            }
        }
        clock.reads.push(file.shown.clone());
        // A file that changed just before the read may change again within the same tick
        // of its clock: its bytes are hashed before and after the read, and the entry kept
        // only if they are the same (they are then what was read).
        let recent = clock.keep && stamp.is_some_and(|s| is_recent(s, SystemTime::now(), clock.racy_window));
        let before = if recent { content_hash(file) } else { None };
        let mut local = Diagnostics::default();
        let value = read(&input, &mut local).map(Arc::new);
        let warnings: Vec<Diagnostic> = local.warnings().cloned().collect();
        diags.extend(local);
        let value = value?;
        let version = next_version();
        if !clock.keep {
            return Some(Read { value, version });
        }
        // Cached warnings are repeated on a hit whatever the spec's lines are now: they must
        // point into the data file, never at a place in the spec.
        debug_assert!(warnings
            .iter()
            .all(|w| w.location.as_ref().is_some_and(|l| l.file == file.shown)));
        let unchanged = stamp.filter(|s| FileStamp::of(&file.path) == Some(*s));
        let racy = if recent { content_hash(file) } else { None };
        match unchanged {
            Some(stamp) if !recent || (before.is_some() && before == racy) => {
                self.entries.insert(
                    journey.to_string(),
                    Entry {
                        stamp,
                        input,
                        read: value.clone(),
                        version,
                        warnings,
                        racy,
                    },
                );
            }
            // The file changed while it was read (or has no stamp): read it again next time.
            _ => {
                self.entries.remove(journey);
            }
        }
        Some(Read { value, version })
    }

    /// Drops the entries of journeys not in `keep`.
    pub fn retain(&mut self, keep: &[&str]) {
        self.entries.retain(|id, _| keep.contains(&id.as_str()));
    }
}

fn is_recent(stamp: FileStamp, read_started: SystemTime, window: Duration) -> bool {
    let Some(latest) = stamp.latest() else { return true };
    match read_started.duration_since(UNIX_EPOCH) {
        Ok(now) => latest + window >= now,
        Err(_) => true,
    }
}

/// A hit on an entry read while its file had just changed holds only if the bytes are the
/// same; once the change is old enough, the stamp alone is trusted again.
fn still_racy_ok<I, T>(e: &mut Entry<I, T>, stamp: FileStamp, file: &FileInput, clock: &Clock) -> bool {
    let Some(hash) = e.racy else { return true };
    // The time is taken before hashing, which may take longer than the window.
    let now = SystemTime::now();
    if content_hash(file) != Some(hash) {
        return false;
    }
    if !is_recent(stamp, now, clock.racy_window) {
        e.racy = None;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_never_change_a_key() {
        let a = Place(Location::at_line("a.toml", 1, 1, None));
        let b = Place(Location::at_line("b.toml", 9, 3, None));
        assert_eq!(a, b);
        let hash = |p: &Place| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            p.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&b));
    }

    #[test]
    fn a_rewrite_that_restores_size_and_mtime_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        let before = FileStamp::of(&path).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "a,b\n3,4\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let after = FileStamp::of(&path).unwrap();
        assert_eq!((before.len, before.modified), (after.len, after.modified));
        assert_ne!(before, after);
    }

    /// A rewrite within one tick of the file system's clock can leave the stamp as it was:
    /// an entry read while its file had just changed is checked against the file's bytes.
    #[test]
    fn a_racy_entry_is_checked_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, "a\n1\n").unwrap();
        let file = FileInput {
            path: path.clone(),
            root: Root::new(dir.path()).unwrap(),
            shown: "f.csv".into(),
            place: Place(Location::file("j.toml")),
            options: Default::default(),
        };
        let mut clock = Clock {
            keep: true,
            racy_window: Duration::from_secs(3600),
            reads: Vec::new(),
        };
        let mut slots: Slots<(), String> = Slots::default();
        let read = |_: &(), _: &mut Diagnostics| std::fs::read_to_string(&path).ok();
        let get = |slots: &mut Slots<(), String>, clock: &mut Clock| {
            let r = slots.get_or_read("j", (), &file, clock, &mut Diagnostics::default(), read);
            r.unwrap().value.as_str().to_string()
        };
        assert_eq!(get(&mut slots, &mut clock), "a\n1\n");
        assert!(slots.entries["j"].racy.is_some(), "read just after a change");
        assert_eq!(get(&mut slots, &mut clock), "a\n1\n");
        assert_eq!(clock.reads.len(), 1, "same bytes: a hit");
        // Rewrite, then make the entry's stamp the new one, as a same-tick rewrite would.
        std::fs::write(&path, "a\n2\n").unwrap();
        slots.entries.get_mut("j").unwrap().stamp = FileStamp::of(&path).unwrap();
        assert_eq!(get(&mut slots, &mut clock), "a\n2\n");
        assert_eq!(clock.reads.len(), 2, "other bytes: read again");
        // Once the change is older than the window, the stamp alone is trusted again.
        clock.racy_window = Duration::ZERO;
        assert_eq!(get(&mut slots, &mut clock), "a\n2\n");
        assert!(slots.entries["j"].racy.is_none());
    }
}
