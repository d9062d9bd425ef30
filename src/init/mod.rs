//! `journeymap init`: scaffolds a small, working project.
//!
//! The files live beside this module (`src/init/files/`) so that they are ordinary files a
//! reader can open, and are checked by the test suite like any project.

use std::path::{Path, PathBuf};

const FILES: &[(&str, &str)] = &[
    ("journeymap.toml", include_str!("files/journeymap.toml")),
    ("journeys/signup.toml", include_str!("files/journeys/signup.toml")),
    ("pages/about.md", include_str!("files/pages/about.md")),
    ("data/events.csv", include_str!("files/data/events.csv")),
    (".gitignore", "/public\n"),
];

#[derive(Debug)]
pub enum InitError {
    /// Files that already exist; nothing was written.
    Exists(Vec<PathBuf>),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Exists(paths) => {
                let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "refusing to overwrite existing files: {} (init never overwrites; choose an empty directory)",
                    list.join(", ")
                )
            }
            InitError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

/// Writes the starter project into `dir` (created if needed). Checks every target first, so
/// either all files are written or none is.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let targets: Vec<PathBuf> = FILES.iter().map(|(rel, _)| dir.join(rel)).collect();
    let existing: Vec<PathBuf> = targets.iter().filter(|p| p.exists()).cloned().collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    for ((_, content), path) in FILES.iter().zip(&targets) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InitError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, content.as_bytes()))
            .map_err(|e| InitError::Io(path.clone(), e))?;
    }
    Ok(targets)
}
