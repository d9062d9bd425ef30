//! What `journeymap serve` watches: every file of the project except ignored ones, and
//! every data file the journeys read whatever the ignore rules say; and the project folder
//! itself, even when it is deleted and created again.

mod common;

use std::time::Duration;

use common::serve::*;
use common::*;

fn rebuilt_reading(s: &Server, file: &str) -> usize {
    s.log()
        .iter()
        .filter(|l| l.starts_with("rebuilt in") && l.contains(file))
        .count()
}

#[test]
fn a_project_folder_deleted_and_created_again_is_watched_again() {
    let s = start(example_copy());
    let page = || get(s.port, "/journeys/online-purchase/").2;
    assert!(page().contains("<h1>Online purchase</h1>"));
    let same = example_copy();
    std::fs::remove_dir_all(s.dir.path()).unwrap();
    assert!(
        wait_for(|| page().contains("journeymap-error"), Duration::from_secs(10)),
        "the deletion was not seen: {:?}",
        s.log()
    );
    copy_dir(same.path(), s.dir.path());
    assert!(
        wait_for(|| !page().contains("journeymap-error"), Duration::from_secs(10)),
        "the folder created again was not built: {:?}",
        s.log()
    );
    edit(
        &s.dir.path().join("journeys/online-purchase.toml"),
        "title = \"Online purchase\"",
        "title = \"Back again\"",
    );
    assert!(
        wait_for(|| page().contains("<h1>Back again</h1>"), Duration::from_secs(10)),
        "an edit in the folder created again was not seen: {:?}",
        s.log()
    );
    // Moved away and replaced at once (as a checkout tool may): the new folder is watched.
    let away = tempfile::tempdir().unwrap();
    std::fs::rename(s.dir.path(), away.path().join("old")).unwrap();
    copy_dir(same.path(), s.dir.path());
    edit(
        &s.dir.path().join("journeys/online-purchase.toml"),
        "title = \"Online purchase\"",
        "title = \"Replaced\"",
    );
    assert!(
        wait_for(|| page().contains("<h1>Replaced</h1>"), Duration::from_secs(10)),
        "an edit in the replacing folder was not seen: {:?}",
        s.log()
    );
}

#[test]
fn data_files_are_watched_even_when_gitignored_or_under_public() {
    let dir = example_copy();
    // Teams often ignore large exports; this one also keeps an export under public/.
    dir.write(".gitignore", "data/*.csv\nnotes/\n");
    dir.write("public/b2b-metrics.csv", dir.read("data/b2b-metrics.csv"));
    dir.remove("data/b2b-metrics.csv");
    dir.replace(
        "journeys/b2b-lead.toml",
        "path = \"data/b2b-metrics.csv\"",
        "path = \"public/b2b-metrics.csv\"",
    );
    let s = start_with(dir, free_port(), |c| {
        c.env("JOURNEYMAP_TIMINGS", "1");
    });
    assert_eq!(rebuilt_reading(&s, "data/events.csv"), 1);

    let events = s.dir.read("data/events.csv");
    let last = events.lines().last().unwrap().to_string();
    s.dir.append("data/events.csv", &format!("{last}\n"));
    assert!(
        wait_for(|| rebuilt_reading(&s, "data/events.csv") == 2, Duration::from_secs(10)),
        "an edit of a gitignored data file was not seen: {:?}",
        s.log()
    );
    s.dir.replace(
        "public/b2b-metrics.csv",
        "2026-01-05,discovery,users,",
        "2026-01-05,discovery,users,1",
    );
    assert!(
        wait_for(
            || rebuilt_reading(&s, "(read public/b2b-metrics.csv)") == 1,
            Duration::from_secs(10)
        ),
        "an edit of a data file under public/ was not seen: {:?}",
        s.log()
    );

    // Other ignored files stay ignored: once a later edit is served, their events have
    // been seen, and they caused no rebuild of their own, nor joined this one.
    let rebuilds = || s.log().iter().filter(|l| l.starts_with("rebuilt in")).count();
    let changed = || {
        s.log()
            .into_iter()
            .filter(|l| l.starts_with("changed: "))
            .collect::<Vec<_>>()
    };
    let (before, changed_before) = (rebuilds(), changed().len());
    s.dir.write("notes/ideas.toml", "x");
    s.dir.write("data/unused.csv", "x");
    s.dir.replace(
        "journeys/online-purchase.toml",
        "title = \"Online purchase\"",
        "title = \"Later\"",
    );
    assert!(wait_for(
        || get(s.port, "/journeys/online-purchase/").2.contains("<h1>Later</h1>"),
        Duration::from_secs(10)
    ));
    assert_eq!(rebuilds(), before + 1, "{:?}", s.log());
    let new: Vec<String> = changed().into_iter().skip(changed_before).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].ends_with("journeys/online-purchase.toml"), "{new:?}");
}
