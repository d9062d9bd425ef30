use super::*;

fn files(content: &str) -> SiteFiles {
    [
        ("index.html".to_string(), content.as_bytes().to_vec()),
        ("a/b.css".to_string(), b"x".to_vec()),
    ]
    .into()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn marker_of(dir: &Path) -> Marker {
    match marker::read(dir).unwrap() {
        Found::Ours(m, _) => m,
        _ => panic!("no readable marker in {}", dir.display()),
    }
}

#[test]
fn creates_replaces_and_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, &files("one")).unwrap();
    assert_eq!(read(&out.join("index.html")), "one");
    let m = marker_of(&out);
    assert!(m.created && m.pending.is_none());
    assert_eq!(m.files, ["a/b.css".to_string(), "index.html".to_string()].into());
    let mut fewer = files("two");
    fewer.remove("a/b.css");
    write(&out, &fewer).unwrap();
    assert_eq!(read(&out.join("index.html")), "two");
    assert!(
        !out.join("a").exists(),
        "a rebuild replaces the whole folder journeymap made"
    );
    assert_eq!(names(dir.path()), ["public"], "no temporary folder is left behind");

    let foreign = dir.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let e = write(&foreign, &files("x")).unwrap_err();
    assert!(e.message.contains("refusing to write into"), "{}", e.message);
    assert_eq!(names(&foreign), ["notes.txt"]);

    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert!(write(&file, &files("x")).is_err());
}

#[test]
fn a_file_the_user_adds_to_journeymaps_folder_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, &files("one")).unwrap();
    std::fs::write(out.join("CNAME"), "example.org").unwrap();
    let mut fewer = files("two");
    fewer.remove("a/b.css");
    write(&out, &fewer).unwrap();
    assert_eq!(read(&out.join("CNAME")), "example.org");
    assert_eq!(read(&out.join("index.html")), "two");
    assert!(
        !out.join("a").exists(),
        "journeymap's stale file and folder are removed"
    );
    assert!(marker_of(&out).created, "the folder is still journeymap's");
    assert_eq!(names(dir.path()), ["public"]);
    assert_eq!(names(&out), [MARKER, "CNAME", "index.html"]);
}

#[test]
fn an_empty_folder_is_written_in_place_and_stays_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    write(&out, &files("e")).unwrap();
    assert_eq!(read(&out.join("index.html")), "e");
    let m = marker_of(&out);
    assert!(!m.created, "the user made it");
    assert_eq!(m.dirs, ["a".to_string()].into(), "journeymap made `a`");
    std::fs::write(out.join("a/mine.txt"), "mine").unwrap();
    write(&out, &[("index.html".to_string(), b"f".to_vec())].into()).unwrap();
    assert_eq!(names(&out), [MARKER, "a", "index.html"]);
    assert_eq!(
        names(&out.join("a")),
        ["mine.txt"],
        "a folder holding the user's file stays"
    );
    assert_eq!(names(dir.path()), ["empty"]);
    // Once the user's file is gone, the next build removes the folder journeymap made.
    std::fs::remove_file(out.join("a/mine.txt")).unwrap();
    write(&out, &[("index.html".to_string(), b"g".to_vec())].into()).unwrap();
    assert_eq!(names(&out), [MARKER, "index.html"]);
}

#[test]
fn a_marker_from_before_manifests_replaces_site_files_and_removes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    std::fs::create_dir(&out).unwrap();
    let legacy = "This directory is written by `journeymap build` and replaced on every build.\n";
    std::fs::write(out.join(MARKER), legacy).unwrap();
    std::fs::write(out.join("index.html"), "old").unwrap();
    std::fs::write(out.join("old.html"), "old page").unwrap();
    write(&out, &files("new")).unwrap();
    assert_eq!(read(&out.join("index.html")), "new");
    assert_eq!(read(&out.join("old.html")), "old page");
    assert!(!marker_of(&out).created);
}

#[cfg(unix)]
#[test]
fn a_crafted_marker_cannot_remove_anything_outside_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let (out, outside) = (dir.path().join("public"), dir.path().join("outside"));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("victim.txt"), "precious").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
    let mut m = Marker::new(false);
    m.files.insert("link/victim.txt".into());
    m.dirs.insert("link".into());
    std::fs::write(out.join(MARKER), m.render()).unwrap();
    write(&out, &files("x")).unwrap();
    assert_eq!(read(&outside.join("victim.txt")), "precious");
    // `..` in a marker makes it untrusted altogether.
    m.files = ["../outside/victim.txt".to_string()].into();
    std::fs::write(out.join(MARKER), m.render()).unwrap();
    write(&out, &files("y")).unwrap();
    assert_eq!(read(&outside.join("victim.txt")), "precious");
    assert!(std::fs::symlink_metadata(out.join("link"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

/// Renames as a mount point does: the output folder itself cannot move.
fn mount_point(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.file_name() == Some("public".as_ref()) {
        return Err(std::io::ErrorKind::CrossesDevices.into());
    }
    std::fs::rename(from, to)
}

#[test]
fn a_folder_that_cannot_be_renamed_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, &files("one")).unwrap();
    #[cfg(unix)]
    let ino = inode(&out);
    let mut fewer = files("two");
    fewer.remove("a/b.css");
    write_with(&out, &fewer, mount_point).unwrap();
    assert_eq!(read(&out.join("index.html")), "two");
    assert!(
        !out.join("a").exists(),
        "journeymap's stale file and folder are removed"
    );
    assert_eq!(names(&out), [MARKER, "index.html"]);
    #[cfg(unix)]
    assert_eq!(inode(&out), ino, "the same folder, written in place");
    assert!(marker_of(&out).created, "still journeymap's own folder");
    assert_eq!(names(dir.path()), ["public"], "no temporary folder is left behind");
}

#[cfg(target_os = "linux")]
#[test]
fn a_mount_point_is_known_before_any_rename() {
    let dir = tempfile::tempdir().unwrap();
    assert!(can_rename(dir.path()));
    // /proc is its own file system wherever it is mounted.
    if Path::new("/proc/self").exists() {
        assert!(!can_rename(Path::new("/proc")));
    }
}

#[cfg(unix)]
#[test]
fn a_marker_that_is_not_a_regular_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(dir.path().join("elsewhere"), "x").unwrap();
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join(MARKER)).unwrap();
    let e = write(&out, &files("x")).unwrap_err();
    assert!(e.message.contains("not a regular file"), "{}", e.message);
    assert_eq!(names(&out), [MARKER]);
}
