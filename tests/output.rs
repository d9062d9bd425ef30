//! Safety of the output directory (docs/site.md "Safety of your files", docs/security.md):
//! folders journeymap did not create are written in place and keep every other file, links
//! stay links. The swap and its fallback are unit-tested in src/site/output/.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Every file of a directory: relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
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
