//! Safety of the output directory (docs/site.md "Safety of your files", docs/security.md):
//! folders journeymap did not create are written in place and keep every other file, links
//! stay links. The swap and its fallback are unit-tested in src/site/output/.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Asserts `dir` holds exactly `expected`, naming the paths that differ (not the bytes).
fn assert_tree(dir: &Path, expected: &BTreeMap<String, Vec<u8>>, what: &str) {
    let actual = tree(dir);
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (k, v) in expected {
        assert!(&actual[k] == v, "{what}: {k} differs");
    }
}

fn assert_builds(p: &Project) {
    let o = p.run("build", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Names in `dir` that look like journeymap's temporary folders or files.
fn leftovers(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-") || n.contains("journeymap-tmp"))
        .collect()
}

fn marker(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(".journeymap-output")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("marker is not JSON ({e}): {text}"))
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[test]
fn a_folder_the_user_made_is_written_in_place_and_keeps_their_files() {
    let p = Project::fixture("site/override");
    let out = p.path().join("public");
    std::fs::create_dir(&out).unwrap();
    #[cfg(unix)]
    let ino = inode(&out);
    assert_builds(&p);
    assert!(out.join("index.html").is_file() && out.join("assets/logo.txt").is_file());
    // The user adds files between two builds, and the site loses one of its files.
    p.write("public/CNAME", "journeys.example\n");
    p.write("public/assets/team.txt", "not journeymap's\n");
    p.remove("static/logo.txt");
    assert_builds(&p);
    assert_eq!(p.read("public/CNAME"), "journeys.example\n");
    assert_eq!(p.read("public/assets/team.txt"), "not journeymap's\n");
    assert!(out.join("index.html").is_file() && out.join("assets/style.css").is_file());
    assert!(
        !out.join("assets/logo.txt").exists(),
        "a file journeymap wrote that the site no longer has is removed"
    );
    #[cfg(unix)]
    assert_eq!(inode(&out), ino, "the folder itself is never replaced");
    assert_eq!(marker(&out)["created"], false, "the marker records who made the folder");
    assert!(leftovers(p.path()).is_empty(), "{:?}", leftovers(p.path()));
}

#[test]
fn a_file_journeymap_did_not_write_is_never_overwritten() {
    let p = Project::fixture("site/override");
    std::fs::create_dir(p.path().join("public")).unwrap();
    let logo = p.read("static/logo.txt");
    p.remove("static/logo.txt");
    assert_builds(&p);
    // The user puts a file where the next site has one of its own.
    p.write("public/assets/logo.txt", "the user's logo");
    p.write("static/logo.txt", logo);
    let before = tree(&p.path().join("public"));
    let o = p.run("build", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("refusing to write") && err.contains("assets/logo.txt") && err.contains("-o"),
        "{err}"
    );
    assert_eq!(
        tree(&p.path().join("public")),
        before,
        "a refused build changes nothing"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_stays_a_link_and_its_target_is_written_in_place() {
    let p = Project::fixture("site/override");
    // A folder journeymap created, then published through a link.
    let target = p.path().join("elsewhere");
    let o = p.run("build", &["-o", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::os::unix::fs::symlink(&target, p.path().join("public")).unwrap();
    assert_builds(&p);
    p.write("elsewhere/CNAME", "journeys.example\n");
    assert_builds(&p);
    let link = std::fs::symlink_metadata(p.path().join("public")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is never replaced");
    assert!(target.join("index.html").is_file() && target.join("assets/site.js").is_file());
    assert_eq!(p.read("elsewhere/CNAME"), "journeys.example\n");
    assert!(leftovers(p.path()).is_empty(), "{:?}", leftovers(p.path()));

    // A link to nothing is an error, not replaced by a folder.
    let dangling = p.path().join("dangling");
    std::os::unix::fs::symlink(p.path().join("nowhere"), &dangling).unwrap();
    let o = p.run("build", &["-o", dangling.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
    assert!(!p.path().join("nowhere").exists());

    // A link to a folder that is not journeymap's is refused like the folder itself.
    let mine = p.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.md"), "precious").unwrap();
    let link = p.path().join("link-to-mine");
    std::os::unix::fs::symlink(&mine, &link).unwrap();
    let o = p.run("build", &["-o", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to write into"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
}

/// Above Linux's largest pid_max (2^22), so never a running process.
const DEAD: u32 = 4_194_304;

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Marks the folder's marker as being written by process `pid`, as a build does first.
fn set_pending(dir: &Path, pid: u32) {
    let mut m = marker(dir);
    m["pending"] = pid.into();
    std::fs::write(dir.join(".journeymap-output"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

#[test]
fn a_build_killed_between_the_renames_of_the_swap_is_undone_by_the_next_run() {
    let p = Project::fixture("site/override");
    let (out, aside) = (p.path().join("public"), |what: &str| {
        p.path().join(format!(".public.{what}"))
    });
    assert_builds(&p);
    let previous = tree(&out);

    // Killed after `public` was moved aside, while the new site was still being written.
    std::fs::rename(&out, aside(&format!("old-{DEAD}-0"))).unwrap();
    copy_tree(&aside(&format!("old-{DEAD}-0")), &aside(&format!("tmp-{DEAD}-0")));
    set_pending(&aside(&format!("tmp-{DEAD}-0")), DEAD);
    std::fs::remove_file(aside(&format!("tmp-{DEAD}-0")).join("index.html")).unwrap();
    // Look-alikes that are not a killed build's: no marker inside; a process still running.
    p.write(&format!(".public.tmp-{DEAD}-1/notes.txt"), "not journeymap's");
    copy_tree(
        &aside(&format!("old-{DEAD}-0")),
        &aside(&format!("old-{}-0", std::process::id())),
    );

    // Even a build that fails puts the previous site back.
    p.write("journeys/j.toml", "title = 3");
    assert_eq!(p.run("build", &[]).status.code(), Some(1));
    assert_tree(&out, &previous, "the previous site is back");
    assert!(!aside(&format!("old-{DEAD}-0")).exists() && !aside(&format!("tmp-{DEAD}-0")).exists());
    assert_eq!(p.read(&format!(".public.tmp-{DEAD}-1/notes.txt")), "not journeymap's");
    assert_tree(&aside(&format!("old-{}-0", std::process::id())), &previous, "kept");

    // Killed after the new site was complete: the swap is completed.
    let original = Project::fixture("site/override");
    p.write("journeys/j.toml", original.read("journeys/j.toml"));
    p.write("static/logo.txt", "new logo\n");
    let next = p.path().join("next");
    assert_eq!(p.run("build", &["-o", next.to_str().unwrap()]).status.code(), Some(0));
    let new = tree(&next);
    std::fs::rename(&out, aside(&format!("old-{DEAD}-0"))).unwrap();
    std::fs::rename(&next, aside(&format!("tmp-{DEAD}-0"))).unwrap();
    p.write("journeys/j.toml", "title = 3");
    assert_eq!(p.run("build", &[]).status.code(), Some(1));
    assert_tree(&out, &new, "the complete new site is swapped in");
    assert!(!aside(&format!("old-{DEAD}-0")).exists() && !aside(&format!("tmp-{DEAD}-0")).exists());

    // Killed with `public` in place and folders aside: a build removes them.
    copy_tree(&out, &aside(&format!("tmp-{DEAD}-3")));
    copy_tree(&out, &aside(&format!("old-{DEAD}-4")));
    std::fs::create_dir(aside(&format!("old-{DEAD}-5"))).unwrap(); // killed before its marker
    p.write("journeys/j.toml", original.read("journeys/j.toml"));
    assert_builds(&p);
    let mut names: Vec<_> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            format!(".public.old-{}-0", std::process::id()),
            format!(".public.tmp-{DEAD}-1")
        ]
    );
}

#[test]
fn a_build_killed_while_writing_in_place_is_cleaned_up_by_the_next_run() {
    let p = Project::fixture("site/override");
    let out = p.path().join("public");
    std::fs::create_dir(&out).unwrap();
    assert_builds(&p);
    let previous = tree(&out);
    // Killed after staging two files and while replacing the marker.
    set_pending(&out, DEAD);
    p.write(&format!("public/.index.html.journeymap-tmp-{DEAD}"), "staged");
    p.write(&format!("public/assets/.style.css.journeymap-tmp-{DEAD}"), "staged");
    p.write(
        &format!("public/..journeymap-output.journeymap-tmp-{DEAD}"),
        "{\n  \"journeymap-output\": \"Wri",
    );
    // Named like a staged file, but of no file journeymap wrote.
    p.write(&format!("public/.notes.journeymap-tmp-{DEAD}"), "the user's");
    assert_builds(&p);
    let mut expected = previous;
    expected.insert(format!(".notes.journeymap-tmp-{DEAD}"), b"the user's".to_vec());
    assert_tree(&out, &expected, "staged files removed, the user's kept");
    assert!(marker(&out).get("pending").is_none());
}
