//! README.md's console blocks are what the binary prints today: each block's command is
//! run and its output compared with the block. A block may be preceded by
//! `<!-- readme-test: in FILE replace "FROM" with "TO" -->`: the command then runs on a copy
//! of the example project with that change. A last line `...` means that more output
//! follows the lines shown.

mod common;

use std::path::Path;

use common::*;

struct Block {
    /// The line of the block's command in README.md.
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
    edit: Option<(String, String, String)>,
}

/// The text between the first two double-quoted parts after `key`.
fn quoted_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let rest = &text[text.find(key)? + key.len()..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(&rest[start..end])
}

fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] != "```console" {
            i += 1;
            continue;
        }
        let edit = i.checked_sub(1).and_then(|p| {
            let marker = lines[p].strip_prefix("<!-- readme-test: in ")?;
            let file = marker.split_whitespace().next()?.to_string();
            Some((
                file,
                quoted_after(marker, "replace")?.to_string(),
                quoted_after(marker, "with")?.to_string(),
            ))
        });
        let command = lines[i + 1]
            .strip_prefix("$ cargo run --release -- ")
            .unwrap_or_else(|| {
                panic!(
                    "README.md:{}: a console block starts with `$ cargo run --release -- `",
                    i + 2
                )
            });
        let mut expected = Vec::new();
        let mut j = i + 2;
        while lines[j] != "```" {
            expected.push(lines[j].to_string());
            j += 1;
        }
        out.push(Block {
            line: i + 2,
            args: command.split_whitespace().map(String::from).collect(),
            expected,
            edit,
        });
        i = j + 1;
    }
    out
}

#[test]
fn console_blocks_show_what_the_binary_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(blocks.len() >= 2, "README.md has its console blocks");
    for b in blocks {
        let copy = Project::example();
        let mut args = b.args.clone();
        if let Some((file, from, to)) = &b.edit {
            copy.replace(file, from, to);
            for a in args.iter_mut().filter(|a| *a == "example-journey") {
                *a = copy.arg().to_string();
            }
        }
        let out = journeymap().current_dir(root).args(&args).output().unwrap();
        let printed = stdout(&out) + &stderr(&out);
        let printed = printed.replace(copy.arg(), "example-journey");
        let printed: Vec<&str> = printed.lines().collect();
        let (shown, more) = match b.expected.split_last() {
            Some((last, shown)) if last == "..." => (shown, true),
            _ => (&b.expected[..], false),
        };
        let got = if more {
            &printed[..shown.len().min(printed.len())]
        } else {
            &printed[..]
        };
        assert_eq!(got, shown, "README.md:{}: `{}` prints", b.line, b.args.join(" "));
    }
}
