//! `journeymap build`: the pages of docs/site.md, relative links, offline, determinism, language
//! formatting, output safety and sanitizing. Fixtures: tests/fixtures/site/ and the example.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Builds `project` into a fresh temporary directory; returns (tempdir, output path).
fn build(project: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = run(&["build", project.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (tmp, out)
}

fn fixture(name: &str) -> PathBuf {
    fixtures().join("site").join(name)
}

fn html_files(dir: &Path) -> Vec<(String, String)> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect()
}

/// Values of `attr="…"` in an HTML text.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    html.match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

#[test]
fn example_site_has_every_page() {
    let (_tmp, out) = build(&example());
    for page in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "kpis.json",
        "assets/style.css",
        "assets/site.js",
        "journeys/online-purchase/index.html",
        "journeys/online-purchase/awareness/index.html",
        "journeys/online-purchase/retention/index.html",
        "journeys/online-purchase/cohort-retention/index.html",
        "journeys/online-purchase/touchpoints/search-ad/index.html",
        "journeys/b2b-lead/index.html",
        "journeys/b2b-lead/offer/index.html",
        "journeys/b2b-lead/touchpoints/webinar/index.html",
        "pages/methodology/index.html",
        ".journeymap-output",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    // The b2b journey has no retention data: no retention page.
    assert!(!out.join("journeys/b2b-lead/retention").exists());
    // A stage called "retention" keeps its address; the cohort page moves aside.
    let stage = std::fs::read_to_string(out.join("journeys/online-purchase/retention/index.html")).unwrap();
    assert!(stage.contains("Opens the order email"), "the stage page");
    let cohorts = std::fs::read_to_string(out.join("journeys/online-purchase/cohort-retention/index.html")).unwrap();
    assert!(cohorts.contains("class=\"chart heatmap\""));
    // kpis.json is the same document `journeymap kpis` prints.
    let kpis = run(&["kpis", example().to_str().unwrap()]);
    assert_eq!(std::fs::read(out.join("kpis.json")).unwrap(), kpis.stdout);
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://journeys.northwind.example/journeys/online-purchase/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn journey_map_shows_numbers_from_the_kpis() {
    let (_tmp, out) = build(&example());
    let html = std::fs::read_to_string(out.join("journeys/online-purchase/index.html")).unwrap();
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("kpis.json")).unwrap()).unwrap();
    let j = journey_of(&kpis, "online-purchase");
    let n = journeymap::locale::Numbers::EN;
    for step in j["funnel"]["steps"].as_array().unwrap() {
        let users = n.integer(step["users"].as_f64().unwrap());
        assert!(html.contains(&format!(">{users}<")), "users {users} not on the map");
        if let Some(c) = step["conversion_from_previous"].as_f64() {
            assert!(
                html.contains(&n.percent(c)),
                "conversion {} not on the map",
                n.percent(c)
            );
        }
    }
    for lane in [
        "Actions",
        "Questions",
        "Touchpoints",
        "Emotion",
        "What customers say",
        "Pain points",
        "Opportunities",
        "KPIs",
    ] {
        // The emotion lane's header also holds the key of its two lines (with surveys).
        assert!(
            html.contains(&format!("<th scope=\"row\" class=\"lane\">{lane}</th>"))
                || html.contains(&format!(
                    "<th scope=\"row\" class=\"lane\">{lane}<span class=\"e-key\">"
                )),
            "lane {lane}"
        );
    }
    assert!(html.contains("class=\"chart fluid funnel\"") && html.contains("class=\"emotion-line\""));
    assert!(
        html.contains("Target ≥\u{a0}30.0%</span> <span class=\"nw\">· missed"),
        "the purchase stage target is missed in the example, and says against what"
    );
    // Where people leave: after each stage but the last, as many as the funnel loses at
    // the next step.
    let steps = j["funnel"]["steps"].as_array().unwrap();
    let stage_names = ["Awareness", "Consideration", "Purchase", "Retention"];
    for (k, name) in stage_names.iter().enumerate() {
        let lost = steps[k + 1]["drop_off"].as_f64().unwrap();
        let card = format!(
            "{name}</a></h3>\n      <p class=\"exit-count\"><strong>{}\u{a0}left</strong>",
            n.integer(lost)
        );
        assert!(html.contains(&card), "no card of {lost} left after {name}");
    }
    assert!(
        !html.contains("Advocacy</a></h3>\n      <p class=\"exit-count\">"),
        "nobody leaves after the last stage"
    );
    // People without a segment value are named, and come last.
    let none = html
        .find("<em>No segment value</em>")
        .expect("the (none) segment, named");
    for named in ["desktop", "mobile", "tablet"] {
        let at = html.find(&format!("<th scope=\"row\">{named}</th>")).unwrap();
        assert!(at < none, "{named} before the people without a segment value");
    }
    assert!(!html.contains("(none)"));
    // Every number has its definition beside it.
    assert!(html.contains("<details class=\"info\"><summary title=\"Reached in order\">"));
    assert!(html.contains("how-numbers-are-computed/index.html#md-reached-in-order"));
    // Every KPI links to its stage or touchpoint.
    assert!(html.contains("href=\"../../journeys/online-purchase/purchase/index.html\""));
    assert!(html.contains("href=\"../../journeys/online-purchase/touchpoints/checkout/index.html\""));
}

#[test]
fn all_links_resolve_and_nothing_is_requested_from_elsewhere() {
    let (_tmp, out) = build(&example());
    for (path, html) in html_files(&out) {
        if path == "404.html" {
            continue; // links from the base URL path; checked below
        }
        let dir = out.join(&path).parent().unwrap().to_path_buf();
        for url in attr_values(&html, "href").into_iter().chain(attr_values(&html, "src")) {
            if url.starts_with('#') || url.starts_with("https://journeys.northwind.example/") {
                continue; // fragments; the canonical link
            }
            assert!(
                !url.contains("://") && !url.starts_with("//"),
                "{path}: external URL {url}"
            );
            let (file, fragment) = url.split_once('#').unwrap_or((url, ""));
            let target = dir.join(file);
            assert!(target.is_file(), "{path}: broken link {url}");
            if !fragment.is_empty() {
                let html = std::fs::read_to_string(&target).unwrap();
                assert!(
                    html.contains(&format!(" id=\"{fragment}\"")),
                    "{path}: no #{fragment} in {file}"
                );
            }
            assert!(!url.ends_with('/'), "{path}: {url} would not open from file://");
        }
        // Resources the browser fetches are all local.
        assert!(!html.contains("@import") && !html.contains("url(http"), "{path}");
    }
    let css = std::fs::read_to_string(out.join("assets/style.css")).unwrap();
    assert!(!css.contains("http"), "the stylesheet fetches nothing");
    let not_found = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(
        not_found.contains("href=\"/assets/style.css\""),
        "404 links from the base URL path"
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let (_a, out_a) = build(&example());
    let (_b, out_b) = build(&example());
    let (a, b) = (tree(&out_a), tree(&out_b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between builds");
    }
}

#[test]
fn french_numbers_and_strings() {
    let (_tmp, out) = build(&fixture("fr"));
    let html = std::fs::read_to_string(out.join("journeys/achat/index.html")).unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(
        html.contains("1\u{202f}234"),
        "thousands grouped with a narrow no-break space"
    );
    assert!(html.contains("12,5\u{a0}%"), "154/1234 = 12,5 %");
    assert!(
        html.contains("Taux de conversion")
            && html.contains("Carte du parcours")
            && html.contains("Points de friction")
    );
    assert!(
        html.contains("190\u{202f}113,00\u{a0}€"),
        "revenue 154 × 1234.5, in euros as French writes them"
    );
    assert!(!html.contains("Conversion rate"), "no English string left");
    let (_tmp2, en_out) = build(&example());
    let en = std::fs::read_to_string(en_out.join("journeys/online-purchase/index.html")).unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Conversion rate"));
}

#[test]
fn activity_over_time_on_event_touchpoint_pages_only_with_dates_in_the_site_language() {
    let (_tmp, out) = build(&fixture("fr"));
    let page = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
    let tp = page("journeys/achat/touchpoints/pub/index.html");
    assert!(
        tp.contains("<h2 id=\"activity-h\">Personnes et événements par jour</h2>"),
        "{tp}"
    );
    assert!(
        tp.contains("<th scope=\"row\">5\u{a0}janv.\u{a0}2026</th>"),
        "a French date in the table"
    );
    let retention = page("journeys/achat/retention/index.html");
    assert!(retention.contains(">Semaine\u{a0}0</th>") && retention.contains(">Semaine\u{a0}0</text>"));
    assert!(
        retention.contains("La colonne «\u{a0}Semaine N\u{a0}» donne la part"),
        "what a column counts, in French"
    );
    let (_tmp2, en) = build(&example());
    let page = |rel: &str| std::fs::read_to_string(en.join(rel)).unwrap();
    assert!(page("journeys/online-purchase/touchpoints/checkout/index.html").contains("People and events per week"));
    let retention = page("journeys/online-purchase/cohort-retention/index.html");
    assert!(retention.contains("the people who first reached Purchase in that week. Column “Week N” is the share of them back at Purchase N weeks later"));
    let metrics_only = page("journeys/b2b-lead/touchpoints/webinar/index.html");
    assert!(!metrics_only.contains("activity-h"), "no activity without event data");
    assert!(metrics_only.contains("class=\"chart line wide\""));
}

/// The integers in the `<td class="num">` cells of the first table with class `class`.
fn table_numbers(html: &str, class: &str) -> Vec<u64> {
    let Some(at) = html.find(&format!("class=\"data compact {class}\"")) else {
        return vec![];
    };
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    table
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c[..c.find('<').unwrap()].replace(',', "").parse().unwrap())
        .collect()
}

#[test]
fn a_touchpoint_page_splits_its_exits_by_the_furthest_stage_reached() {
    let (_tmp, out) = build(&example());
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("kpis.json")).unwrap()).unwrap();
    let j = journey_of(&kpis, "online-purchase");
    let mut pages = 0;
    for stage in j["stages"].as_array().unwrap() {
        for tp in stage["touchpoints"].as_array().unwrap() {
            let id = tp["id"].as_str().unwrap();
            let html =
                std::fs::read_to_string(out.join(format!("journeys/online-purchase/touchpoints/{id}/index.html")))
                    .unwrap();
            let exits = tp["exits"].as_u64().unwrap();
            let rows = table_numbers(&html, "left-here");
            assert_eq!(rows.iter().sum::<u64>(), exits, "{id}: the rows add up to its exits");
            assert_eq!(rows.is_empty(), exits == 0, "{id}");
            pages += usize::from(exits > 0);
        }
    }
    assert!(pages >= 5, "the example has touchpoints where people leave");
    let checkout =
        std::fs::read_to_string(out.join("journeys/online-purchase/touchpoints/checkout/index.html")).unwrap();
    assert!(checkout.contains("<p class=\"meta\">Channel: Web"));
    assert!(checkout.contains("<summary title=\"Last seen here\">"));
}

#[test]
fn no_block_inside_a_paragraph_which_the_browser_would_split() {
    for project in [example(), fixture("fr")] {
        let (_tmp, out) = build(&project);
        for (path, html) in html_files(&out) {
            for (at, _) in html.match_indices("<p") {
                let rest = &html[at + 2..];
                if !(rest.starts_with('>') || rest.starts_with(' ')) {
                    continue;
                }
                let body = &rest[..rest.find("</p>").unwrap_or(rest.len())];
                for tag in [
                    "<details", "<div", "<ul", "<ol", "<table", "<section", "<figure", "<dl", "<h2", "<h3",
                ] {
                    assert!(
                        !body.contains(tag),
                        "{path}: {tag} inside a <p>: {}",
                        &body[..body.len().min(300)]
                    );
                }
            }
        }
    }
}

#[test]
fn script_injection_in_every_text_field_is_neutralised() {
    let (_tmp, out) = build(&fixture("evil"));
    let pages = html_files(&out);
    assert!(pages.len() >= 8);
    for (path, html) in &pages {
        let lower = html.to_lowercase();
        let scripts = lower.matches("<script").count();
        let theirs = if path.ends_with("poster.html") { 2 } else { 1 };
        assert_eq!(scripts, theirs, "{path}: only the theme's own script tags");
        assert!(
            lower.contains("<script src=\"") && lower.contains("assets/site.js\" defer></script>"),
            "{path}"
        );
        // Escaped text may still spell these; inside a tag they would run.
        for bad in ["onerror", "onclick", "onload", "javascript:", "<iframe"] {
            for (i, _) in lower.match_indices(bad) {
                let before = &lower[..i];
                let in_tag = before.rfind('<') > before.rfind('>');
                assert!(
                    !in_tag && bad != "<iframe",
                    "{path}: live {bad} at {}",
                    &html[i.saturating_sub(60)..i + 20]
                );
            }
        }
    }
    // The text is still there, escaped.
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt;"),
        "titles are escaped, not dropped"
    );
    let svg_page = std::fs::read_to_string(out.join("journeys/j/index.html")).unwrap();
    assert!(svg_page.contains("Stage &lt;script&gt;"), "chart labels are escaped");
}

#[test]
fn project_templates_and_static_files_override_the_theme() {
    let (_tmp, out) = build(&fixture("override"));
    let stage = std::fs::read_to_string(out.join("journeys/j/a/index.html")).unwrap();
    assert!(
        stage.contains("<p id=\"custom-stage\">Custom stage page for A</p>"),
        "{stage}"
    );
    assert!(
        stage.contains("assets/style.css"),
        "the base layout is still the theme's"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("assets/style.css")).unwrap(),
        "/* project stylesheet */\nbody { color: purple; }\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("assets/logo.txt")).unwrap(),
        "team logo\n"
    );
    assert!(
        out.join("assets/site.js").is_file(),
        "files not overridden come from the theme"
    );
}

#[test]
fn a_template_error_is_reported_and_keeps_the_previous_site() {
    let p = Project::fixture("site/override");
    let out = p.path().join("public");
    assert_eq!(p.run("build", &[]).status.code(), Some(0));
    let before = tree(&out);
    p.write(
        "templates/stage.html",
        "{% extends \"base.html\" %}{% block content %}{{ stage.name | nosuchfilter }}{% endblock content %}",
    );
    let o = p.run("build", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("templates/stage.html"), "{}", stderr(&o));
    assert_eq!(tree(&out), before, "the previous site is byte-identical");
    // A spec error also fails before anything is written.
    p.write("templates/stage.html", "ok");
    p.write("journeys/j.toml", "title = 3");
    assert_eq!(p.run("build", &[]).status.code(), Some(1));
    assert_eq!(tree(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(p.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary directory left behind");
}

#[test]
fn a_foreign_output_directory_is_never_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("my-docs");
    std::fs::create_dir_all(mine.join("sub")).unwrap();
    std::fs::write(mine.join("notes.md"), "precious").unwrap();
    std::fs::write(mine.join("sub/index.html"), "mine").unwrap();
    let before = tree(&mine);
    let o = run(&["build", example().to_str().unwrap(), "-o", mine.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("refusing to write into") && err.contains("my-docs") && err.contains("-o"),
        "{err}"
    );
    assert_eq!(tree(&mine), before);
    // The project root itself is a non-empty directory journeymap did not create.
    let proj = Project::fixture("site/override");
    let before = tree(proj.path());
    let o = proj.run("build", &["-o", proj.arg()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(tree(proj.path()), before);
}

#[test]
fn base_url_flag_sets_sitemap_and_canonical_links() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&[
        "build",
        fixture("override").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--base-url",
        "https://x.example/sub",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://x.example/sub/journeys/j/</loc>"),
        "{sitemap}"
    );
    let page = std::fs::read_to_string(out.join("journeys/j/index.html")).unwrap();
    assert!(page.contains("<link rel=\"canonical\" href=\"https://x.example/sub/journeys/j/\">"));
    let nf = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(nf.contains("href=\"/sub/assets/style.css\""));
}

#[test]
fn docs_list_every_ui_string() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/site.md")).unwrap();
    let strings = serde_json::to_value(&journeymap::site::i18n::EN).unwrap();
    // Groups of strings (`voice`) are listed by their dotted names (`voice.gap`).
    let mut keys = Vec::new();
    for (key, value) in strings.as_object().unwrap().iter().filter(|(k, _)| *k != "lang") {
        match value.as_object() {
            Some(group) => keys.extend(group.keys().map(|k| format!("{key}.{k}"))),
            None => keys.push(key.clone()),
        }
    }
    assert!(keys.iter().any(|k| k == "voice.gap"), "the survey strings are checked");
    for key in keys {
        assert!(
            docs.contains(&format!("| `{key}` |")),
            "docs/site.md lacks the UI string `{key}`"
        );
    }
}

/// Builds a project made with the test builder; returns (tempdir, output path).
fn build_project(p: &Project) -> (tempfile::TempDir, PathBuf) {
    build(p.path())
}

#[test]
fn a_journey_without_data_says_so_and_its_targets_are_pending() {
    let p = Project::empty();
    p.write("journeymap.toml", "title = \"New\"\n").write(
        "journeys/j.toml",
        "title = \"Fresh journey\"\n\n[targets]\nconversion_rate = { min = 0.02 }\n\n\
         [[stages]]\nid = \"a\"\nname = \"Discover\"\n\n[[stages]]\nid = \"b\"\nname = \"Buy\"\n\
         target = { min = 0.3 }\n",
    );
    let check = p.run("check", &[]);
    assert!(
        stderr(&check).contains("target not checked in journey `j`: `conversion_rate` has no value yet (no data)"),
        "{}",
        stderr(&check)
    );
    assert!(!stderr(&check).contains("target missed"));
    let (_tmp, out) = build_project(&p);
    let journey = std::fs::read_to_string(out.join("journeys/j/index.html")).unwrap();
    assert!(journey.contains("No data yet"), "the no-data state");
    assert!(journey.contains("class=\"badge pending\""), "targets pending");
    assert!(
        !journey.contains("badge missed"),
        "nothing is missed before there is data"
    );
    assert!(!journey.contains("class=\"chart funnel\""), "no empty chart");
    assert!(!journey.contains("class=\"summary\""), "no tiles of dashes");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("No data yet") && home.contains("0 of 2\u{a0}targets met"),
        "home card"
    );
    assert!(!home.contains("badge missed"));
}

#[test]
fn a_value_just_under_its_target_never_reads_as_the_target() {
    // The example's LinkedIn click-through rate is 0.78 %, its target at least 0.8 %.
    let (_tmp, out) = build(&example());
    let b2b = std::fs::read_to_string(out.join("journeys/b2b-lead/index.html")).unwrap();
    let row = b2b
        .split("<tr class=\"row-missed\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .find(|r| r.contains("LinkedIn post"))
        .expect("the row");
    assert!(row.contains("≥\u{a0}0.8%") && row.contains("0.78%"), "{row}");
    // Aggregates are labelled as sums of periods, with their dates.
    assert!(b2b.contains("sum of periods · 12\u{a0}dates, 5\u{a0}Jan\u{a0}2026 – 23\u{a0}Mar\u{a0}2026"));
    // A retention target says which return, when.
    let shop = std::fs::read_to_string(out.join("journeys/online-purchase/index.html")).unwrap();
    assert!(shop.contains("Retention: back at Purchase in week 4"));
}

#[test]
fn french_channels_segments_and_typography() {
    let p = Project::example();
    p.replace("journeymap.toml", "language = \"en\"", "language = \"fr\"");
    let (_tmp, out) = build_project(&p);
    let b2b = std::fs::read_to_string(out.join("journeys/b2b-lead/index.html")).unwrap();
    assert!(
        b2b.contains("Organisers&#39; newsletter"),
        "an escaped apostrophe is not punctuation"
    );
    let shop = std::fs::read_to_string(out.join("journeys/online-purchase/index.html")).unwrap();
    for channel in ["Moteur de recherche", "Réseaux sociaux", "Magasin"] {
        assert!(shop.contains(channel), "channel {channel} in French");
    }
    assert!(shop.contains("<em>Sans segment</em>") && !shop.contains("(none)"));
    assert!(shop.contains("Persona\u{a0}:"), "a no-break space before the colon");
    assert!(shop.contains("non atteint") && !shop.contains("manqué"));
    let b2b = std::fs::read_to_string(out.join("journeys/b2b-lead/index.html")).unwrap();
    assert!(b2b.contains("5\u{a0}janv.\u{a0}2026"), "dates as French writes them");
    let how = std::fs::read_to_string(out.join("how-numbers-are-computed/index.html")).unwrap();
    assert!(how.contains("<h1>Comment ces chiffres sont calculés</h1>"));
    assert!(
        how.contains("id=\"md-atteint-dans-lordre\""),
        "the definitions' anchors"
    );
}
