//! Interning of user ids: each distinct id becomes a dense `u32`.
//!
//! Exports hold millions of rows but far fewer users, and the KPIs only ever compare user
//! ids for equality. Keeping one copy of each id in a single byte arena, and only `u32`
//! indices in the hash table, costs about 10 bytes per user beyond the id itself, instead
//! of a `String` (24 bytes + a heap block) per user or per row.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

#[derive(Default)]
pub struct Interner {
    table: HashTable<u32>,
    arena: Vec<u8>,
    /// `ends[i]` is where id `i` ends in `arena`; it starts at `ends[i - 1]` (or 0).
    ends: Vec<u32>,
}

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn get<'a>(arena: &'a [u8], ends: &[u32], i: u32) -> &'a [u8] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        &arena[start..ends[i] as usize]
    }

    #[cfg(test)]
    pub fn resolve(&self, i: u32) -> &[u8] {
        Self::get(&self.arena, &self.ends, i)
    }

    /// The index of `id`, adding it when new. `None` when the arena would exceed 4 GiB
    /// or there are more than 2^32 users.
    #[inline]
    pub fn intern(&mut self, id: &[u8]) -> Option<u32> {
        let hash = FxBuildHasher.hash_one(id);
        let (arena, ends) = (&self.arena, &self.ends);
        if let Some(&i) = self.table.find(hash, |&i| Self::get(arena, ends, i) == id) {
            return Some(i);
        }
        let index = u32::try_from(self.ends.len()).ok()?;
        let end = u32::try_from(self.arena.len() + id.len()).ok()?;
        self.arena.extend_from_slice(id);
        self.ends.push(end);
        let (arena, ends) = (&self.arena, &self.ends);
        self.table
            .insert_unique(hash, index, |&i| FxBuildHasher.hash_one(Self::get(arena, ends, i)));
        Some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn dense_stable_indices() {
        let mut it = Interner::default();
        let ids: Vec<String> = (0..10_000).map(|i| format!("user-{}", i % 3_000)).collect();
        let got: Vec<u32> = ids.iter().map(|s| it.intern(s.as_bytes()).unwrap()).collect();
        assert_eq!(it.len(), 3_000);
        for (s, &i) in ids.iter().zip(&got) {
            assert_eq!(it.resolve(i), s.as_bytes());
        }
        assert_eq!(got[0], 0);
        assert_eq!(got[3_000], 0);
        assert_eq!(it.intern(b""), Some(3_000));
    }
}
