//! What `journeymap serve` watches: the project folder, even when it is deleted and
//! created again.

mod common;

use std::time::Duration;

use common::serve::*;
use common::*;

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
