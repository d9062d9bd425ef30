//! Which touchpoint a row belongs to: the first touchpoint, in the journey's order, that
//! lists its event name, whose `where` globs all match the row's properties and whose
//! `occurrence` (any, first, repeat) keeps it (docs/data.md, "Touchpoints matched by
//! properties").
//!
//! Most rows are decided while the file streams by: their name is listed only by
//! touchpoints with `occurrence = "any"`, so the first one whose globs match takes them.
//! A row whose name a `first`/`repeat` touchpoint lists depends on the user's earlier rows
//! in *time* order, which only the grouped data has: it is stored with a class code (its
//! name and the touchpoints whose globs it matches) and decided by [`resolve`] once each
//! user's rows are sorted.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::NONE;
use crate::spec::Occurrence;

/// A touchpoint as the matcher sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    pub events: Vec<String>,
    /// (index into the declared properties, globs of which one must match).
    pub conditions: Vec<(usize, Vec<String>)>,
    pub occurrence: Occurrence,
}

/// Touchpoints that list one name and depend on a user's earlier rows: at most this many
/// (their matches are a bit set; validation enforces it).
use crate::spec::MAX_OCCURRENCE_CANDIDATES;

/// What a name's rows may become.
enum Name {
    /// Every row of the name goes to this touchpoint.
    Direct(u16),
    /// The touchpoints listing the name, in order; `deferred` when one of them has
    /// `occurrence` first or repeat.
    Candidates { id: u32, list: Vec<u16>, deferred: bool },
}

/// The rows of one name that matched the globs of the same touchpoints.
#[derive(Debug)]
struct Class {
    name: String,
    /// The touchpoints whose events and globs accept the rows, in order.
    accepting: Vec<u16>,
}

pub struct Matcher<'a> {
    rules: &'a [Rule],
    /// Per rule, its conditions with compiled globs.
    conditions: Vec<Vec<(usize, Vec<Glob>)>>,
    names: FxHashMap<Box<[u8]>, Name>,
    classes: Vec<Class>,
    class_codes: FxHashMap<(u32, u64), u16>,
}

/// What became of a row.
pub enum Assigned {
    Touchpoint(u16),
    /// To be decided by [`resolve`]: a code above every touchpoint index.
    Class(u16),
    Unmapped,
    /// More classes than codes.
    Overflow,
}

impl<'a> Matcher<'a> {
    pub fn new(rules: &'a [Rule]) -> Matcher<'a> {
        let mut lists: FxHashMap<&str, Vec<u16>> = FxHashMap::default();
        let mut order: Vec<&str> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for e in &r.events {
                let list = lists.entry(e).or_insert_with(|| {
                    order.push(e);
                    Vec::new()
                });
                // Validation caps a journey's touchpoints below `NONE`.
                if !list.contains(&(i as u16)) {
                    list.push(i as u16);
                }
            }
        }
        let mut names = FxHashMap::default();
        for (id, e) in order.into_iter().enumerate() {
            let list = lists.remove(e).unwrap_or_default();
            let first = &rules[list[0] as usize];
            // A `first`/`repeat` touchpoint counts every row of its names, taken or not.
            let deferred = list.iter().any(|&t| rules[t as usize].occurrence != Occurrence::Any);
            let name = if first.conditions.is_empty() && first.occurrence == Occurrence::Any && !deferred {
                Name::Direct(list[0])
            } else {
                Name::Candidates {
                    id: id as u32,
                    list,
                    deferred,
                }
            };
            names.insert(e.as_bytes().into(), name);
        }
        Matcher {
            rules,
            conditions: rules
                .iter()
                .map(|r| {
                    r.conditions
                        .iter()
                        .map(|(k, globs)| (*k, globs.iter().map(|g| Glob::new(g)).collect()))
                        .collect()
                })
                .collect(),
            names,
            classes: Vec::new(),
            class_codes: FxHashMap::default(),
        }
    }

    /// The touchpoint of a row named `name` whose `k`th declared property is `property(k)`.
    #[inline]
    pub fn assign<'r>(&mut self, name: &[u8], property: impl Fn(usize) -> &'r [u8]) -> Assigned {
        let Some(n) = self.names.get(name) else {
            return Assigned::Unmapped;
        };
        let (id, list, deferred) = match n {
            Name::Direct(t) => return Assigned::Touchpoint(*t),
            Name::Candidates { id, list, deferred } => (*id, list, *deferred),
        };
        let conditions = &self.conditions;
        let accepts = |t: u16| {
            conditions[t as usize]
                .iter()
                .all(|(k, globs)| matches_any(globs, property(*k)))
        };
        if !deferred {
            return list
                .iter()
                .copied()
                .find(|&t| accepts(t))
                .map_or(Assigned::Unmapped, Assigned::Touchpoint);
        }
        let mut mask = 0u64;
        // Validation allows a name at most this many touchpoints when one has `occurrence`.
        for (bit, &t) in list.iter().enumerate().take(MAX_OCCURRENCE_CANDIDATES) {
            if accepts(t) {
                mask |= 1 << bit;
            }
        }
        if mask == 0 {
            return Assigned::Unmapped;
        }
        if let Some(&code) = self.class_codes.get(&(id, mask)) {
            return Assigned::Class(code);
        }
        let code = self.rules.len() + self.classes.len();
        if code >= NONE as usize {
            return Assigned::Overflow;
        }
        let accepting = list
            .iter()
            .enumerate()
            .filter(|(bit, _)| mask >> bit & 1 == 1)
            .map(|(_, &t)| t)
            .collect();
        self.classes.push(Class {
            name: String::from_utf8_lossy(name).into_owned(),
            accepting,
        });
        self.class_codes.insert((id, mask), code as u16);
        Assigned::Class(code as u16)
    }

    pub fn into_classes(self) -> Classes {
        Classes {
            occurrence: self.rules.iter().map(|r| r.occurrence).collect(),
            classes: self.classes,
        }
    }
}

/// The classes a read found, for [`resolve`].
pub struct Classes {
    occurrence: Vec<Occurrence>,
    classes: Vec<Class>,
}

impl Classes {
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }
}

/// Decides the rows stored with a class code, user by user in time order, and removes
/// those no touchpoint keeps (counted by name in `unmapped`). `offsets`, `time` and
/// `touchpoint` are the grouped rows (each user's sorted by time, then file order).
pub fn resolve(
    c: &Classes,
    offsets: &mut [u32],
    time: &mut Vec<i64>,
    touchpoint: &mut Vec<u16>,
    touchpoint_rows: &mut [u64],
    unmapped: &mut BTreeMap<String, u64>,
) {
    let base = c.occurrence.len();
    // Per touchpoint: the last user with a row it accepted (so "seen" needs no reset).
    let mut seen: Vec<u32> = vec![u32::MAX; base];
    let mut write = 0usize;
    let mut dropped: Vec<u64> = vec![0; c.classes.len()];
    for u in 0..offsets.len().saturating_sub(1) {
        let (start, end) = (offsets[u] as usize, offsets[u + 1] as usize);
        offsets[u] = write as u32;
        for i in start..end {
            let mut tp = touchpoint[i];
            if tp as usize >= base {
                let class = &c.classes[tp as usize - base];
                let mut chosen = None;
                for &t in &class.accepting {
                    let first = seen[t as usize] != u as u32;
                    seen[t as usize] = u as u32;
                    let keeps = match c.occurrence[t as usize] {
                        Occurrence::Any => true,
                        Occurrence::First => first,
                        Occurrence::Repeat => !first,
                    };
                    if keeps && chosen.is_none() {
                        chosen = Some(t);
                    }
                }
                match chosen {
                    Some(t) => {
                        touchpoint_rows[t as usize] += 1;
                        tp = t;
                    }
                    None => {
                        dropped[tp as usize - base] += 1;
                        continue;
                    }
                }
            }
            time[write] = time[i];
            touchpoint[write] = tp;
            write += 1;
        }
    }
    if let Some(last) = offsets.last_mut() {
        *last = write as u32;
    }
    time.truncate(write);
    touchpoint.truncate(write);
    for (class, n) in c.classes.iter().zip(dropped) {
        if n > 0 {
            *unmapped.entry(class.name.clone()).or_default() += n;
        }
    }
}

/// Whether one of the globs matches the whole value; an empty value matches nothing.
#[inline]
fn matches_any(globs: &[Glob], value: &[u8]) -> bool {
    !value.is_empty() && globs.iter().any(|g| g.matches(value))
}

/// A glob compiled once. Without `?`, a glob is literal pieces between stars: the first
/// must begin the value, the last end it, and the others are found in order, leftmost
/// first (which is enough: a star matches anything between them) with `memmem`.
enum Glob {
    Pieces {
        prefix: Vec<u8>,
        middle: Vec<memchr::memmem::Finder<'static>>,
        suffix: Vec<u8>,
    },
    Literal(Vec<u8>),
    /// With a `?`: the backtracking matcher.
    General(Vec<u8>),
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        let p = pattern.as_bytes();
        if p.contains(&b'?') {
            return Glob::General(p.to_vec());
        }
        if !p.contains(&b'*') {
            return Glob::Literal(p.to_vec());
        }
        let pieces: Vec<&[u8]> = p.split(|&c| c == b'*').collect();
        let (first, rest) = pieces.split_first().expect("split gives at least one piece");
        let (last, middle) = rest.split_last().expect("a star gives two pieces");
        Glob::Pieces {
            prefix: first.to_vec(),
            middle: middle
                .iter()
                .filter(|m| !m.is_empty())
                .map(|m| memchr::memmem::Finder::new(m).into_owned())
                .collect(),
            suffix: last.to_vec(),
        }
    }

    #[inline]
    fn matches(&self, value: &[u8]) -> bool {
        match self {
            Glob::Literal(l) => l == value,
            Glob::General(p) => glob(p, value),
            Glob::Pieces { prefix, middle, suffix } => {
                // (Tested for emptiness first: a call to `memcmp` costs more than most matches.)
                if value.len() < prefix.len() + suffix.len()
                    || !(prefix.is_empty() || value.starts_with(prefix))
                    || !(suffix.is_empty() || value.ends_with(suffix))
                {
                    return false;
                }
                let mut rest = &value[prefix.len()..value.len() - suffix.len()];
                middle.iter().all(|f| match f.find(rest) {
                    Some(at) => {
                        rest = &rest[at + f.needle().len()..];
                        true
                    }
                    None => false,
                })
            }
        }
    }
}

/// `*` matches any run of bytes (none included), `?` one character, everything else
/// itself; case-sensitive, the whole value. Linear backtracking on the last `*`: at most
/// `pattern.len() × value.len()` steps.
fn glob(pattern: &[u8], value: &[u8]) -> bool {
    let (mut p, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                v += utf8_len(value[v]);
            }
            Some(&c) if c == value[v] => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    p = sp + 1;
                    v = sv + utf8_len(value[sv]);
                    star = Some((sp, v));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*') && v == value.len()
}

/// The length of the UTF-8 sequence a byte starts (1 for anything else), so that `?` is
/// one character of a UTF-8 value.
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn globs() {
        assert!(glob(b"*/blog/*", b"https://shop.fr/blog/post-1"));
        assert!(!glob(b"*/blog/*", b"https://shop.fr/blog"));
        assert!(glob(b"*/blog*", b"https://shop.fr/blog"));
        assert!(glob(b"email", b"email"));
        assert!(!glob(b"email", b"Email"));
        assert!(!glob(b"email", b"emails"));
        assert!(glob(b"e?ail", b"email"));
        assert!(glob(b"caf?", "café".as_bytes()));
        assert!(!glob(b"caf??", "café".as_bytes()));
        assert!(glob(b"*", b"x"));
        assert!(glob(b"**a*", b"banana"));
        assert!(!glob(b"*c", b"banana"));
        assert!(glob(b"a*b*c", b"a-b-b-c"));
        assert!(!matches_any(&[Glob::new("*")], b""));
        assert!(matches_any(&[Glob::new("x"), Glob::new("y*")], b"yes"));
    }

    /// The reference: a regular expression built from the glob, by recursion.
    fn naive(p: &[char], v: &[char]) -> bool {
        match p.first() {
            None => v.is_empty(),
            Some('*') => (0..=v.len()).any(|k| naive(&p[1..], &v[k..])),
            Some('?') => !v.is_empty() && naive(&p[1..], &v[1..]),
            Some(c) => v.first() == Some(c) && naive(&p[1..], &v[1..]),
        }
    }

    proptest! {
        #[test]
        fn glob_matches_the_reference(p in "[ab*?é]{0,7}", v in "[abé]{0,9}") {
            let (pc, vc): (Vec<char>, Vec<char>) = (p.chars().collect(), v.chars().collect());
            prop_assert_eq!(glob(p.as_bytes(), v.as_bytes()), naive(&pc, &vc));
            prop_assert_eq!(Glob::new(&p).matches(v.as_bytes()), naive(&pc, &vc));
        }

        /// Stars only: the compiled pieces, against the reference, on longer values.
        #[test]
        fn compiled_globs_match_the_reference(p in "[ab*]{0,9}", v in "[ab]{0,14}") {
            let (pc, vc): (Vec<char>, Vec<char>) = (p.chars().collect(), v.chars().collect());
            prop_assert_eq!(Glob::new(&p).matches(v.as_bytes()), naive(&pc, &vc));
        }
    }
}
