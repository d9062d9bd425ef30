//! `journeymap diff` and `build --baseline`: every kind of spec change, KPI deltas checked
//! against the two kpis.json documents, git revisions (with data kept out of git), the
//! Markdown comment as a snapshot, exit codes, and the "vs baseline" deltas on the pages.

mod common;

use std::path::Path;
use std::process::Command;

use common::{journeymap, stderr, stdout, Project};
use serde_json::Value;

const SPEC: &str = r#"title = "Shop"
conversion_window = "30d"

[data.events]
path = "data/events.csv"

[targets]
conversion_rate = { min = 0.25 }
aov = { min = 20.0 }

[[stages]]
id = "visit"
name = "Visit"

  [[stages.touchpoints]]
  id = "home"
  channel = "web"
  events = ["view"]

[[stages]]
id = "cart"
name = "Cart"

  [[stages.touchpoints]]
  id = "add"
  channel = "web"
  events = ["add_to_cart"]

  [[stages.touchpoints]]
  id = "wishlist"
  channel = "web"
  events = ["wish"]

[[stages]]
id = "buy"
name = "Buy"

  [[stages.touchpoints]]
  id = "checkout"
  channel = "web"
  events = ["buy"]
"#;

/// Events of `visitors` people: the first `carts` add to the cart and the first `buyers`
/// buy (for 30.00 each).
fn events(visitors: usize, carts: usize, buyers: usize) -> String {
    let mut out = String::from("user_id,timestamp,event,revenue\n");
    for u in 0..visitors {
        out += &format!("u{u},2026-01-05T10:00:00Z,view,\n");
        if u < carts {
            out += &format!("u{u},2026-01-05T10:05:00Z,add_to_cart,\n");
        }
        if u < buyers {
            out += &format!("u{u},2026-01-05T10:10:00Z,buy,30.00\n");
        }
    }
    out
}

fn shop(visitors: usize, carts: usize, buyers: usize) -> Project {
    let p = Project::fixture("check/base");
    p.remove("journeys/j.toml");
    p.write("journeys/shop.toml", SPEC);
    p.write("data/events.csv", events(visitors, carts, buyers));
    p
}

fn diff_json(args: &[&str], cwd: &Path) -> (i32, Value) {
    let out = journeymap()
        .current_dir(cwd)
        .arg("diff")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (out.status.code().unwrap(), doc)
}

fn changes(doc: &Value) -> Vec<String> {
    doc["spec"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_kind_of_spec_change_is_reported() {
    let old = shop(10, 6, 3);
    let new = shop(10, 6, 3);
    let spec = SPEC
        .replace("title = \"Shop\"", "title = \"Web shop\"")
        .replace("\"30d\"", "\"7d\"")
        .replace("name = \"Cart\"", "name = \"Basket\"")
        .replace("events = [\"add_to_cart\"]", "events = [\"add_to_cart\", \"add_item\"]\n  occurrence = \"first\"")
        .replace("  id = \"home\"\n  channel = \"web\"", "  id = \"home\"\n  channel = \"email\"")
        .replace("aov = { min = 20.0 }", "repeat_purchase_rate = { min = 0.1 }")
        .replace("conversion_rate = { min = 0.25 }", "conversion_rate = { min = 0.2 }")
        // `wishlist` moves from the cart to the new `browse` stage; `checkout` is renamed.
        .replace(
            "  [[stages.touchpoints]]\n  id = \"wishlist\"\n  channel = \"web\"\n  events = [\"wish\"]\n",
            "",
        )
        .replace(
            "[[stages]]\nid = \"cart\"",
            "[[stages]]\nid = \"browse\"\n\n  [[stages.touchpoints]]\n  id = \"wishlist\"\n  channel = \"web\"\n  events = [\"wish\"]\n\n[[stages]]\nid = \"cart\"",
        )
        .replace("  id = \"checkout\"\n", "  id = \"checkout\"\n  name = \"Pay\"\n");
    new.write("journeys/shop.toml", spec);
    new.write("journeys/extra.toml", "title = \"Extra\"\n[[stages]]\nid = \"one\"\n");
    let (code, doc) = diff_json(&[old.arg(), new.arg()], old.path());
    assert_eq!(code, 0);
    assert_eq!(doc["spec_detail"], true);
    let find = |kind: &str| -> Vec<&Value> {
        doc["spec"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["change"] == kind)
            .collect()
    };
    assert_eq!(find("journey_added")[0]["journey"], "extra");
    assert_eq!(find("journey_renamed")[0]["new"], "Web shop");
    assert_eq!(
        (
            find("window_changed")[0]["old"].as_i64(),
            find("window_changed")[0]["new"].as_i64()
        ),
        (Some(30 * 86400), Some(7 * 86400))
    );
    assert_eq!(find("stage_added")[0]["stage"], "browse");
    assert_eq!(find("stage_added")[0]["position"], 2);
    assert_eq!(find("stage_renamed")[0]["new"], "Basket");
    assert_eq!(find("touchpoint_moved")[0]["touchpoint"], "wishlist");
    assert_eq!(find("touchpoint_moved")[0]["new"], "browse");
    assert_eq!(find("touchpoint_renamed")[0]["new"], "Pay");
    assert_eq!(find("channel_changed")[0]["new"], "email");
    assert_eq!(find("events_changed")[0]["added"], serde_json::json!(["add_item"]));
    assert_eq!(find("filter_changed")[0]["new"], "occurrence = first");
    assert_eq!(find("target_added")[0]["kpi"], "repeat_purchase_rate");
    assert_eq!(find("target_removed")[0]["kpi"], "aov");
    assert_eq!(find("target_changed")[0]["new"]["min"], 0.2);
    assert!(find("stages_reordered").is_empty(), "adding a stage is not reordering");

    // Reordering is its own change; removing a stage and a touchpoint are too.
    let moved = shop(10, 6, 3);
    moved.write(
        "journeys/shop.toml",
        SPEC.replace("id = \"visit\"", "id = \"tmp\"")
            .replace("id = \"buy\"", "id = \"visit\"")
            .replace("id = \"tmp\"", "id = \"buy\""),
    );
    let (_, doc) = diff_json(&[old.arg(), moved.arg()], old.path());
    // (The ids changed places, the names stayed: each stage is renamed too.)
    assert_eq!(
        changes(&doc),
        [
            "stage_renamed",
            "stage_renamed",
            "stages_reordered",
            "touchpoint_moved",
            "touchpoint_moved"
        ],
        "{doc:#}"
    );
    assert_eq!(doc["spec"][2]["new"], serde_json::json!(["buy", "cart", "visit"]));
    let fewer = shop(10, 6, 3);
    fewer.write(
        "journeys/shop.toml",
        SPEC.replace(
            "  [[stages.touchpoints]]\n  id = \"wishlist\"\n  channel = \"web\"\n  events = [\"wish\"]\n",
            "",
        ),
    );
    let (_, doc) = diff_json(&[old.arg(), fewer.arg()], old.path());
    assert_eq!(changes(&doc), ["touchpoint_removed"]);
}

#[test]
fn a_kpis_json_side_compares_ids_and_targets_but_not_names() {
    let old = shop(10, 6, 3);
    let new = shop(10, 6, 3);
    new.replace("journeys/shop.toml", "name = \"Cart\"", "name = \"Basket\"");
    new.replace("journeys/shop.toml", "aov = { min = 20.0 }", "aov = { min = 25.0 }");
    old.write("kpis.json", serde_json::to_string(&old.kpis()).unwrap());
    let (_, doc) = diff_json(&[old.path().join("kpis.json").to_str().unwrap(), new.arg()], old.path());
    assert_eq!(doc["spec_detail"], false);
    assert_eq!(
        changes(&doc),
        ["target_changed"],
        "the renamed stage is not seen: a kpis.json has no names"
    );
    // The same numbers from a file and from a project are equal to the bit: nothing moved.
    assert!(doc["journeys"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["users"]["absolute"] == 0.0));
    let human = stdout(
        &journeymap()
            .arg("diff")
            .arg(old.path().join("kpis.json"))
            .arg(new.path())
            .output()
            .unwrap(),
    );
    assert!(human.contains("0 numbers changed"), "{human}");
}

/// Every delta of the report is the difference of the two kpis.json documents.
#[test]
fn kpi_deltas_are_the_differences_of_the_two_documents() {
    let old = shop(40, 20, 8);
    let new = shop(50, 18, 12);
    let (a, b) = (old.kpis(), new.kpis());
    let (code, doc) = diff_json(&[old.arg(), new.arg()], old.path());
    assert_eq!(code, 0);
    let j = &doc["journeys"][0];
    let check = |d: &Value, was: &Value, now: &Value| {
        let (o, n) = (was.as_f64().unwrap(), now.as_f64().unwrap());
        assert_eq!((d["old"].as_f64(), d["new"].as_f64()), (Some(o), Some(n)));
        assert_eq!(d["absolute"].as_f64().unwrap(), n - o);
        if o != 0.0 {
            assert_eq!(d["relative"].as_f64().unwrap(), (n - o) / o.abs());
        } else {
            assert!(d["relative"].is_null());
        }
    };
    for (i, s) in j["steps"].as_array().unwrap().iter().enumerate() {
        let (ws, ns) = (
            &a["journeys"][0]["funnel"]["steps"][i],
            &b["journeys"][0]["funnel"]["steps"][i],
        );
        assert_eq!(s["stage"], ns["stage"]);
        check(&s["users"], &ws["users"], &ns["users"]);
        check(
            &s["conversion_from_start"],
            &ws["conversion_from_start"],
            &ns["conversion_from_start"],
        );
    }
    let line = |kpi: &str| {
        j["headline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kpi"] == kpi)
            .unwrap()
            .clone()
    };
    check(
        &line("conversion_rate"),
        &a["journeys"][0]["conversion_rate"],
        &b["journeys"][0]["conversion_rate"],
    );
    check(
        &line("revenue.total"),
        &a["journeys"][0]["revenue"]["total"],
        &b["journeys"][0]["revenue"]["total"],
    );
    check(
        &line("started"),
        &a["journeys"][0]["funnel"]["steps"][0]["users"],
        &b["journeys"][0]["funnel"]["steps"][0]["users"],
    );
    assert_eq!(line("conversion_rate")["unit"], "rate");
    // 8/40 = 20% missed the 25% target; 12/50 = 24% still misses it.
    // Missed targets before met ones.
    let t = &j["targets"][0];
    assert_eq!(
        (t["kpi"].as_str(), t["outcome"].as_str()),
        (Some("conversion_rate"), Some("still_missed"))
    );
    assert_eq!(
        (j["targets"][1]["kpi"].as_str(), j["targets"][1]["outcome"].as_str()),
        (Some("aov"), Some("still_met"))
    );
}

#[test]
fn targets_newly_missed_come_first_and_fail_on_regression_exits_1() {
    let old = shop(10, 6, 3); // 30% ≥ 25%: met
    let new = shop(10, 6, 2); // 20%: missed
    let (code, doc) = diff_json(&[old.arg(), new.arg()], old.path());
    assert_eq!(code, 0, "a regression alone does not fail");
    assert_eq!(doc["regressions"], 1);
    let t = &doc["journeys"][0]["targets"][0];
    assert_eq!(
        (t["kpi"].as_str(), t["outcome"].as_str()),
        (Some("conversion_rate"), Some("newly_missed"))
    );
    let out = journeymap()
        .args(["diff", old.arg(), new.arg(), "--fail-on-regression"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("1 target met before and missed now"),
        "{}",
        stderr(&out)
    );
    let human = stdout(&out);
    let targets = human.find("\nTargets").unwrap();
    assert!(
        human[targets..]
            .starts_with("\nTargets\n  ✗ shop: conversion_rate newly missed — 30.0% → 20.0% (target ≥ 25.0%)"),
        "{human}"
    );
    // The other way round, it is newly met, and nothing fails.
    let out = journeymap()
        .args(["diff", new.arg(), old.arg(), "--fail-on-regression"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("✓ shop: conversion_rate newly met"));
}

#[test]
fn markdown_comment() {
    let root = Project::empty();
    let (old, new) = (shop(40, 20, 8), shop(50, 18, 12));
    common::copy_dir(old.path(), &root.path().join("old"));
    common::copy_dir(new.path(), &root.path().join("new"));
    root.replace(
        "new/journeys/shop.toml",
        "name = \"Cart\"",
        "name = \"Basket | *cart*\"",
    );
    root.replace(
        "new/journeys/shop.toml",
        "events = [\"buy\"]",
        "events = [\"buy\", \"`order`\"]",
    );
    let out = journeymap()
        .current_dir(root.path())
        .args(["diff", "old", "new", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository whose project folder is `shop/`, with the events kept out of git.
fn repository() -> Project {
    let repo = Project::empty();
    common::copy_dir(shop(10, 6, 3).path(), &repo.path().join("shop"));
    repo.write(".gitignore", "shop/data/events.csv\n");
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "one"]);
    repo
}

#[test]
fn git_revision_reads_the_spec_then_and_untracked_data_now() {
    let repo = repository();
    let project = repo.path().join("shop");
    repo.replace(
        "shop/journeys/shop.toml",
        "conversion_rate = { min = 0.25 }",
        "conversion_rate = { min = 0.35 }",
    );
    // The events are not in git: both sides read today's file, so no number moves.
    let (code, doc) = diff_json(&["git:HEAD"], &project);
    assert_eq!(code, 0);
    assert!(doc["old"].as_str().unwrap().starts_with("git:HEAD ("), "{}", doc["old"]);
    assert_eq!(doc["new"], "work tree (.)");
    assert_eq!(changes(&doc), ["target_changed"]);
    assert_eq!(doc["regressions"], 1, "30% met ≥ 25% and misses ≥ 35%");
    assert!(doc["journeys"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["users"]["absolute"] == 0.0));

    // Tracked data is read as it was at the revision.
    git(repo.path(), &["add", "-f", "shop/data/events.csv", "shop/journeys"]);
    git(repo.path(), &["commit", "-q", "-m", "two"]);
    repo.write("shop/data/events.csv", events(20, 6, 3));
    let (_, doc) = diff_json(&["git:HEAD", "."], &project);
    let started = &doc["journeys"][0]["headline"][0];
    assert_eq!(
        (started["old"].as_f64(), started["new"].as_f64()),
        (Some(10.0), Some(20.0))
    );
    // Two revisions, from outside the project with --project, and a subfolder of the repository.
    let (_, doc) = diff_json(
        &["git:HEAD~1", "git:HEAD", "--project", project.to_str().unwrap()],
        repo.path(),
    );
    assert_eq!(changes(&doc), ["target_changed"]);

    // The temporary checkouts are gone.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("journeymap-diff-"))
        .filter(|e| e.path().join("shop.toml").exists() || e.path().join("journeys/shop.toml").exists())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_sides_are_clear_errors() {
    let repo = repository();
    let project = repo.path().join("shop");
    let out = journeymap()
        .current_dir(&project)
        .args(["diff", "git:no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: unknown revision `no-such-branch`"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("git:HEAD~1"), "the help shows the forms");

    let out = journeymap()
        .args(["diff", "missing.json", project.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read `missing.json`"), "{}", stderr(&out));

    repo.write(
        "old.json",
        "{\n  \"generator\": \"journeymap 0.1.0\",\n  \"journeys\": {}\n}\n",
    );
    let out = journeymap()
        .current_dir(repo.path())
        .args(["diff", "old.json", "shop"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("old.json:3:"), "{err}");
    assert!(
        err.contains("not a kpis.json document: invalid type: map, expected a sequence"),
        "{err}"
    );

    repo.replace("shop/journeys/shop.toml", "id = \"visit\"", "id = \"Visit!\"");
    let out = journeymap()
        .current_dir(&project)
        .args(["diff", "git:HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("diff failed: the new side has 1 error"),
        "{}",
        stderr(&out)
    );

    let plain = Project::empty();
    common::copy_dir(shop(3, 2, 1).path(), plain.path());
    let out = journeymap()
        .current_dir(plain.path())
        .args(["diff", "git:HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not in a git repository"), "{}", stderr(&out));
}

#[test]
fn build_with_a_baseline_shows_deltas_in_both_languages() {
    let old = shop(40, 20, 8);
    let new = shop(50, 18, 12);
    old.write("base.json", serde_json::to_string_pretty(&old.kpis()).unwrap());
    let base = old.path().join("base.json");
    let out = new.run("build", &["--baseline", base.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let journey = new.read("public/journeys/shop/index.html");
    // 8/40 → 12/50: 20.0% → 24.0%.
    assert!(journey.contains(r#"<span class="delta up" title="Baseline: 20.0% → 24.0% (+20.0%)">▲ +4.0&nbsp;pts <span class="vs">vs baseline</span>"#) || journey.contains("▲ +4.0\u{a0}pts <span class=\"vs\">vs baseline</span>"), "{journey}");
    assert!(
        journey.contains("▲ +10 <span class=\"vs\">vs baseline</span>"),
        "started: 40 → 50"
    );
    assert!(journey.contains("(base.json)"), "the note names the baseline");
    // The funnel table: the cart step went from 20 to 18 people.
    let table = &journey[journey.find("funnel-table").unwrap()..];
    assert!(
        table.contains("<span class=\"delta down\" title=\"Baseline: 20 → 18 (−10.0%)\">▼ −2<"),
        "{table}"
    );
    let home = new.read("public/index.html");
    assert!(
        home.contains("title=\"Baseline: 20.0% → 24.0% (+20.0%)\">▲ +4.0"),
        "the home card"
    );

    // French, and a journey the baseline does not have.
    new.replace(
        "journeymap.toml",
        "title = \"Fixture project\"",
        "title = \"Fixture project\"\nlanguage = \"fr\"",
    );
    new.write(
        "journeys/extra.toml",
        SPEC.replace("title = \"Shop\"", "title = \"Extra\""),
    );
    let out = new.run("build", &["--baseline", base.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let journey = new.read("public/journeys/shop/index.html");
    assert!(
        journey.contains("▲ +4,0\u{a0}pt <span class=\"vs\">vs référence</span>"),
        "{journey}"
    );
    let extra = new.read("public/journeys/extra/index.html");
    assert!(
        extra.contains("Nouveau depuis la référence") && !extra.contains("class=\"delta"),
        "{extra}"
    );
    assert!(new.read("public/index.html").contains("Nouveau depuis la référence"));

    // Without --baseline, no delta at all.
    let out = new.run("build", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!new.read("public/journeys/shop/index.html").contains("class=\"delta"));
}

#[test]
fn a_bad_baseline_fails_the_build_and_keeps_the_previous_site() {
    let p = shop(10, 6, 3);
    assert_eq!(p.run("build", &[]).status.code(), Some(0));
    let before = common::tree(&p.path().join("public"));
    p.write("base.json", "{\"generator\": \"x\", \"journeys\": [ {\"id\": 3} ]}");
    let out = p.run("build", &["--baseline", p.path().join("base.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("base.json:1:")
            && err.contains("not a kpis.json document: invalid type: integer `3`, expected a string"),
        "{err}"
    );
    assert!(err.contains("build failed; the previous output is untouched"));
    assert_eq!(common::tree(&p.path().join("public")), before);
    let out = p.run("build", &["--baseline", "no/such.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the baseline `no/such.json`"));
}
