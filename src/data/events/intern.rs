//! Interning of user ids: each distinct id becomes a dense `u32`.
//!
//! Exports hold millions of rows but far fewer users, and the KPIs only ever compare user
//! ids for equality. Keeping one copy of each id in a single byte arena, and only a `u32`
//! index plus 32 hash bits in the hash table, costs about 14 bytes per user beyond the id
//! itself, instead of a `String` (24 bytes + a heap block) per user or per row. The stored
//! hash bits let the table grow without touching the arena, and skip most byte compares.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

pub struct Interner {
    /// (index, 32 bits of the id's hash).
    table: HashTable<(u32, u32)>,
    arena: Vec<u8>,
    /// `ends[i]` is where id `i` ends in `arena`; it starts at `ends[i - 1]` (or 0).
    ends: Vec<u32>,
    /// Most bytes the arena may hold: `ends` are `u32`.
    max_bytes: usize,
}

impl Default for Interner {
    fn default() -> Interner {
        Interner::with_max_bytes(u32::MAX as usize)
    }
}

impl Interner {
    /// An interner whose ids may take at most `max_bytes` (at most 4 GiB).
    pub fn with_max_bytes(max_bytes: usize) -> Interner {
        Interner {
            table: HashTable::new(),
            arena: Vec::new(),
            ends: Vec::new(),
            max_bytes: max_bytes.min(u32::MAX as usize),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    fn get<'a>(arena: &'a [u8], ends: &[u32], i: u32) -> &'a [u8] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        &arena[start..ends[i] as usize]
    }

    #[cfg(test)]
    pub fn get_id(&self, i: u32) -> &[u8] {
        Self::get(&self.arena, &self.ends, i)
    }

    /// hashbrown takes its bucket from the low bits and its tag from the top 7 bits:
    /// spread the stored 32 bits over both.
    #[inline]
    fn spread(h: u32) -> u64 {
        u64::from(h) | (u64::from(h) << 32)
    }

    /// The index of `id`, adding it when new. `None` when the ids would take more than
    /// the interner's bytes, or there would be more than 2^32 users.
    #[inline]
    pub fn intern(&mut self, id: &[u8]) -> Option<u32> {
        let h = FxBuildHasher.hash_one(id);
        let h = (h ^ (h >> 32)) as u32;
        let (arena, ends) = (&self.arena, &self.ends);
        if let Some(&(i, _)) = self
            .table
            .find(Self::spread(h), |&(i, hi)| hi == h && Self::get(arena, ends, i) == id)
        {
            return Some(i);
        }
        let index = u32::try_from(self.ends.len()).ok()?;
        let end = self.arena.len() + id.len();
        if end > self.max_bytes {
            return None;
        }
        let end = end as u32;
        self.arena.extend_from_slice(id);
        self.ends.push(end);
        self.table
            .insert_unique(Self::spread(h), (index, h), |&(_, hi)| Self::spread(hi));
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
            assert_eq!(it.get_id(i), s.as_bytes());
        }
        assert_eq!(got[0], 0);
        assert_eq!(got[3_000], 0);
        assert_eq!(it.intern(b""), Some(3_000));
    }
}
