//! A project as it was at a git revision (`git:REV`), written out to a folder of its own so
//! that the ordinary pipeline can read it. Through the `git` command line: every machine that
//! has the repository has it, and reading a tree needs three plumbing commands.
//!
//! Data exports are often kept out of git (too large, or private). A data file the spec at
//! REV names but REV does not hold is taken from the work tree, as it is now.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostics::Diagnostic;

/// The project at a revision, in a temporary folder that is removed when this is dropped.
pub struct Checkout {
    dir: PathBuf,
    /// `git:REV (abc1234)`.
    pub label: String,
    /// Data files taken from the work tree because REV does not track them.
    pub from_work_tree: Vec<String>,
}

impl Checkout {
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Diagnostic> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Diagnostic::error(format!("cannot run git: {e}")).help("`git:REV` needs git on the PATH"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Diagnostic::error(format!("git {} failed: {why}", args.join(" "))));
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim_end_matches('\n').to_string()
}

/// Writes the project folder `project` as it is at `rev` to a new temporary folder.
pub fn checkout(project: &Path, rev: &str) -> Result<Checkout, Diagnostic> {
    let shown = project.display();
    let top = git(project, &["rev-parse", "--show-toplevel"])
        .map_err(|e| Diagnostic::error(format!("`{shown}` is not in a git repository")).help_opt(Some(e.message)))?;
    let top = PathBuf::from(text(top));
    let prefix = text(git(project, &["rev-parse", "--show-prefix"])?);
    let commit = git(
        project,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        Diagnostic::error(format!("unknown revision `{rev}` in the repository of `{shown}`"))
            .help("name a commit, a branch or a tag: git:main, git:HEAD~1, git:v1.2")
    })?;
    let commit = text(commit);
    let listing = git(
        &top,
        &[
            "ls-tree",
            "-r",
            "-z",
            &commit,
            "--",
            if prefix.is_empty() { "." } else { &prefix },
        ],
    )?;
    let mut blobs = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (mode, kind, sha) = (meta.next(), meta.next(), meta.next());
        // Symbolic links and submodules are not a project's files.
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        let Some(rel) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if Path::new(rel).components().all(|c| matches!(c, Component::Normal(_))) {
            blobs.push((sha.unwrap_or_default().to_string(), rel.to_string()));
        }
    }
    if blobs.is_empty() {
        return Err(Diagnostic::error(format!(
            "the project folder `{}` holds no file at `{rev}`",
            if prefix.is_empty() {
                "."
            } else {
                prefix.trim_end_matches('/')
            }
        )));
    }
    let mut out = Checkout {
        dir: new_temp_dir().map_err(|e| Diagnostic::error(format!("cannot create a temporary folder: {e}")))?,
        label: format!("git:{rev} ({})", &commit[..commit.len().min(7)]),
        from_work_tree: Vec::new(),
    };
    write_blobs(&top, &blobs, &out.dir)?;
    out.from_work_tree = untracked_data(project, &out.dir)?;
    Ok(out)
}

/// Reads every blob through one `git cat-file --batch` and writes it at its path under `to`.
fn write_blobs(top: &Path, blobs: &[(String, String)], to: &Path) -> Result<(), Diagnostic> {
    let failed = |e: std::io::Error| Diagnostic::error(format!("cannot read the revision through git: {e}"));
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let names: String = blobs.iter().map(|(sha, _)| format!("{sha}\n")).collect();
    // A thread feeds the names while the blobs are read, so that neither pipe fills up.
    let feeder = std::thread::spawn(move || stdin.write_all(names.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut result = Ok(());
    for (_, rel) in blobs {
        let mut header = String::new();
        if let Err(e) = reader.read_line(&mut header) {
            result = Err(failed(e));
            break;
        }
        let size: Option<u64> = header.trim_end().rsplit(' ').next().and_then(|s| s.parse().ok());
        let Some(size) = size.filter(|_| header.contains(" blob ")) else {
            result = Err(Diagnostic::error(format!(
                "git gave no content for `{rel}`: {}",
                header.trim_end()
            )));
            break;
        };
        let path = to.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::File::create(&path))
            .and_then(|mut f| std::io::copy(&mut (&mut reader).take(size), &mut f))
            .and_then(|n| {
                let mut newline = [0u8; 1];
                reader.read_exact(&mut newline)?;
                if n == size {
                    Ok(())
                } else {
                    Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "short blob"))
                }
            });
        if let Err(e) = written {
            result = Err(Diagnostic::error(format!("cannot write `{rel}` of the revision: {e}")));
            break;
        }
    }
    drop(reader);
    let _ = feeder.join();
    let _ = child.wait();
    result
}

/// Links (or copies) into `checkout` the data files its spec names that the revision does
/// not hold but the work tree does; returns their paths as the spec gives them.
fn untracked_data(work: &Path, checkout: &Path) -> Result<Vec<String>, Diagnostic> {
    let (Some(project), _) = crate::spec::load(checkout) else {
        return Ok(Vec::new());
    };
    let mut taken = Vec::new();
    for path in project.journeys.iter().flat_map(|j| j.data_files()) {
        let Ok(rel) = path.strip_prefix(&project.root) else {
            continue;
        };
        let (there, here) = (checkout.join(rel), work.join(rel));
        if there.exists() || !here.is_file() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            continue;
        }
        let copied = there
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::hard_link(&here, &there).or_else(|_| std::fs::copy(&here, &there).map(|_| ())));
        copied.map_err(|e| Diagnostic::error(format!("cannot take `{}` from the work tree: {e}", rel.display())))?;
        taken.push(rel.display().to_string());
    }
    taken.sort();
    taken.dedup();
    Ok(taken)
}

fn new_temp_dir() -> std::io::Result<PathBuf> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("journeymap-diff-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}
