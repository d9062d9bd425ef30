//! The files a project may read, and how they are opened. Everything journeymap reads —
//! specs, pages, data exports, themes, templates — must be a regular file inside the
//! project folder once symbolic links and `..` are resolved (the check Zola added against
//! file inclusion): a spec must not be able to publish `/etc/passwd`, and a FIFO or a
//! device must not hang or exhaust a run.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Spec files (TOML, Markdown, templates) larger than this are refused; data exports are
/// streamed and have no such limit.
pub const MAX_SPEC_BYTES: u64 = 32 << 20;

/// Why a path may not be read.
#[derive(Debug)]
pub enum Refusal {
    /// It resolves (through `..` or a symbolic link) to a place outside the project.
    Outside,
    /// It exists but is a directory, a FIFO, a socket or a device.
    NotRegular(&'static str),
    /// It is larger than the limit for its kind.
    TooLarge(u64),
    /// It cannot be looked at (missing, no permission…).
    Io(io::Error),
}

impl Refusal {
    /// A message about `shown` (the path as the user wrote it).
    pub fn message(&self, shown: &str) -> String {
        match self {
            Refusal::Outside => format!("`{shown}` leads outside the project folder"),
            Refusal::NotRegular(kind) => format!("`{shown}` is {kind}, not a regular file"),
            Refusal::TooLarge(n) => format!(
                "`{shown}` is too large ({} MiB; a spec file may have at most {} MiB)",
                n >> 20,
                MAX_SPEC_BYTES >> 20
            ),
            Refusal::Io(e) => format!("cannot read `{shown}`: {e}"),
        }
    }

    pub fn help(&self) -> Option<&'static str> {
        match self {
            Refusal::Outside => Some("everything a project reads must be inside its folder: copy the file in"),
            _ => None,
        }
    }
}

fn kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// The project folder with symbolic links resolved, which every path read must be under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    pub fn new(root: &Path) -> io::Result<Root> {
        Ok(Root {
            canonical: root.canonicalize()?,
        })
    }

    /// `path` resolved, if it is inside the project.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = path.canonicalize().map_err(Refusal::Io)?;
        if real.starts_with(&self.canonical) {
            Ok(real)
        } else {
            Err(Refusal::Outside)
        }
    }

    /// `path` if it names (through any links) a regular file inside the project.
    pub fn regular_file(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = self.resolve(path)?;
        let meta = std::fs::metadata(&real).map_err(Refusal::Io)?;
        if !meta.is_file() {
            return Err(Refusal::NotRegular(kind(meta.file_type())));
        }
        Ok(real)
    }

    /// `path` if it is a directory inside the project; `None` if there is nothing there.
    pub fn directory(&self, path: &Path) -> Result<Option<PathBuf>, Refusal> {
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(None);
        }
        let real = self.resolve(path)?;
        let meta = std::fs::metadata(&real).map_err(Refusal::Io)?;
        if !meta.is_dir() {
            return Err(Refusal::NotRegular(kind(meta.file_type())));
        }
        Ok(Some(real))
    }

    /// Opens a regular file inside the project.
    pub fn open(&self, path: &Path) -> Result<File, Refusal> {
        let real = self.regular_file(path)?;
        File::open(real).map_err(Refusal::Io)
    }

    /// Reads a spec file (at most [`MAX_SPEC_BYTES`]).
    pub fn read_spec(&self, path: &Path) -> Result<Vec<u8>, Refusal> {
        use std::io::Read;
        let f = self.open(path)?;
        let mut bytes = Vec::new();
        // One byte more than allowed tells a file at the limit from a larger one, even if
        // it grows while it is read.
        f.take(MAX_SPEC_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(Refusal::Io)?;
        if bytes.len() as u64 > MAX_SPEC_BYTES {
            return Err(Refusal::TooLarge(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/ok.csv"), "a").unwrap();
        let root = Root::new(dir.path()).unwrap();
        assert!(root.regular_file(&dir.path().join("data/ok.csv")).is_ok());
        assert!(root.regular_file(&dir.path().join("data/../data/ok.csv")).is_ok());
        let escape = dir
            .path()
            .join("data/../../")
            .join(outside.path().file_name().unwrap())
            .join("secret");
        assert!(matches!(root.regular_file(&escape), Err(Refusal::Outside)));
        assert!(matches!(
            root.regular_file(&outside.path().join("secret")),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            root.regular_file(&dir.path().join("data")),
            Err(Refusal::NotRegular("a directory"))
        ));
        assert!(matches!(
            root.regular_file(&dir.path().join("nope")),
            Err(Refusal::Io(_))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("data/link.csv")).unwrap();
            assert!(matches!(
                root.regular_file(&dir.path().join("data/link.csv")),
                Err(Refusal::Outside)
            ));
            std::os::unix::fs::symlink(dir.path().join("data/ok.csv"), dir.path().join("data/inner.csv")).unwrap();
            assert!(root.regular_file(&dir.path().join("data/inner.csv")).is_ok());
            let fifo = dir.path().join("data/fifo.csv");
            assert!(std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success());
            assert!(matches!(root.regular_file(&fifo), Err(Refusal::NotRegular("a FIFO"))));
        }
    }
}
