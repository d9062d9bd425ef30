//! The collecting thread: interns user ids and keeps, for each row of a mapped event, its
//! user, time and touchpoint; folds segments, orders and revenue per user as rows stream
//! by. Limits of the compact layout (2^32 users, 4 GiB of distinct ids, 2^32 − 1 stored
//! rows) stop the read with an error at the row that would pass them: nothing is dropped
//! or wrapped silently.

use std::sync::mpsc::{Receiver, Sender};

use super::intern::Interner;
use super::NONE;

/// Rows per batch handed from the decoding thread to the collecting thread.
const BATCH_ROWS: usize = 8192;
/// A batch is also handed over once its user ids hold this many bytes.
const BATCH_ID_BYTES: usize = 1 << 20;

/// Valid rows on their way from the decoding thread to the collecting thread.
#[derive(Default)]
pub struct Batch {
    /// The user ids, concatenated; row i's ends at `id_ends[i]`.
    ids: Vec<u8>,
    id_ends: Vec<usize>,
    time: Vec<i64>,
    /// Touchpoint index, or [`NONE`] for an unmapped event.
    touchpoint: Vec<u16>,
    /// Segment code, or [`NONE`] when the row has no segment value.
    segment: Vec<u16>,
    /// Revenue in millionths, when the row is an order.
    revenue: Vec<Option<i64>>,
    /// The file line of each row, for an error that only the collecting thread can see.
    line: Vec<u64>,
}

impl Batch {
    /// Adds a row; true when the batch is full and should be handed over. (Inlined into
    /// the row loop: as a call it cost 4 % of the instructions of a read.)
    #[inline(always)]
    pub fn push(
        &mut self,
        user: &[u8],
        time: i64,
        touchpoint: u16,
        segment: u16,
        revenue: Option<i64>,
        line: u64,
    ) -> bool {
        self.ids.extend_from_slice(user);
        self.id_ends.push(self.ids.len());
        self.time.push(time);
        self.touchpoint.push(touchpoint);
        self.segment.push(segment);
        self.revenue.push(revenue);
        self.line.push(line);
        self.time.len() == BATCH_ROWS || self.ids.len() >= BATCH_ID_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.id_ends.clear();
        self.time.clear();
        self.touchpoint.clear();
        self.segment.clear();
        self.revenue.clear();
        self.line.clear();
    }
}

/// Which limit a file passed, and at which line.
#[derive(Debug, Clone, Copy)]
pub struct Overflow {
    pub line: u64,
    pub what: &'static str,
}

/// What the collecting thread builds: users and the rows of mapped events.
#[derive(Default)]
pub struct Collected {
    pub users: Interner,
    // Per mapped row, in file order until grouped by user.
    pub row_user: Vec<u32>,
    pub time: Vec<i64>,
    pub touchpoint: Vec<u16>,
    // Per user: the time and code of the earliest row with a segment.
    pub segment_time: Vec<i64>,
    pub user_segment: Vec<u16>,
    /// Orders per user, counted up to 255: the KPIs only tell 0, 1 and "2 or more" apart.
    pub user_orders: Vec<u8>,
    /// In millionths: exact whatever the order of the rows, and an `i64` amount per row
    /// cannot overflow it.
    pub revenue_total: i128,
    pub revenue_orders: u64,
    pub overflow: Option<Overflow>,
}

/// What one read may hold.
#[derive(Clone, Copy)]
pub struct Limits {
    /// Stored rows (row offsets are `u32`).
    pub rows: usize,
    /// Bytes of distinct user ids (the interner's ends are `u32`).
    pub id_bytes: usize,
}

impl Limits {
    pub const MAX: Limits = Limits {
        rows: u32::MAX as usize,
        id_bytes: u32::MAX as usize,
    };
}

pub fn collect(full: Receiver<Batch>, empty: Sender<Batch>, limits: Limits) -> Collected {
    let mut c = Collected {
        users: Interner::with_max_bytes(limits.id_bytes),
        ..Collected::default()
    };
    for mut batch in full {
        let mut start = 0;
        for i in 0..batch.time.len() {
            let end = batch.id_ends[i];
            let id = &batch.ids[start..end];
            start = end;
            let Some(u) = c.users.intern(id) else {
                c.overflow = Some(Overflow {
                    line: batch.line[i],
                    what: "distinct user ids (at most 4,294,967,295 users and 4 GiB of ids)",
                });
                // Dropping the receiver stops the decoding thread.
                return c;
            };
            let u = u as usize;
            if u == c.segment_time.len() {
                c.segment_time.push(i64::MAX);
                c.user_segment.push(0);
                c.user_orders.push(0);
            }
            let t = batch.time[i];
            let tp = batch.touchpoint[i];
            if tp != NONE {
                if c.row_user.len() == limits.rows {
                    c.overflow = Some(Overflow {
                        line: batch.line[i],
                        what: "rows of mapped events (at most 4,294,967,295)",
                    });
                    return c;
                }
                c.row_user.push(u as u32);
                c.time.push(t);
                c.touchpoint.push(tp);
            }
            let seg = batch.segment[i];
            // Earliest row with a value wins; on equal times the earlier line (strict <).
            if seg != NONE && t < c.segment_time[u] {
                c.segment_time[u] = t;
                c.user_segment[u] = seg;
            }
            if let Some(v) = batch.revenue[i] {
                c.revenue_orders += 1;
                c.revenue_total += i128::from(v);
                c.user_orders[u] = c.user_orders[u].saturating_add(1);
            }
        }
        batch.clear();
        let _ = empty.send(batch);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_handed_over_by_rows_or_by_id_bytes() {
        let mut b = Batch::default();
        for i in 0..BATCH_ROWS - 1 {
            assert!(!b.push(b"u", 0, 0, NONE, None, i as u64));
        }
        assert!(b.push(b"u", 0, 0, NONE, None, 0));
        let mut b = Batch::default();
        let long = vec![b'x'; BATCH_ID_BYTES / 2];
        assert!(!b.push(&long, 0, 0, NONE, None, 2));
        assert!(b.push(&long, 0, 0, NONE, None, 3));
    }

    #[test]
    fn revenue_sums_exactly_past_the_range_of_one_amount() {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel(4);
        let (empty_tx, _empty_rx) = std::sync::mpsc::channel();
        let mut b = Batch::default();
        b.push(b"a", 0, NONE, NONE, Some(i64::MAX), 2);
        b.push(b"a", 0, NONE, NONE, Some(i64::MAX), 3);
        b.push(b"b", 0, NONE, NONE, Some(-1), 4);
        full_tx.send(b).unwrap();
        drop(full_tx);
        let c = collect(full_rx, empty_tx, Limits::MAX);
        assert_eq!(c.revenue_total, 2 * i128::from(i64::MAX) - 1);
        assert_eq!((c.revenue_orders, c.user_orders.clone()), (3, vec![2, 1]));
    }

    /// Past a limit the read stops with the line of the row that would pass it; nothing
    /// is dropped or wrapped.
    #[test]
    fn limits_stop_the_read_at_a_line() {
        let run = |limits: Limits| {
            let (full_tx, full_rx) = std::sync::mpsc::sync_channel(4);
            let (empty_tx, _empty_rx) = std::sync::mpsc::channel();
            let mut b = Batch::default();
            for (i, user) in ["ann", "bob", "ann", "cy", "dee"].iter().enumerate() {
                b.push(user.as_bytes(), 0, 0, NONE, None, i as u64 + 2);
            }
            full_tx.send(b).unwrap();
            drop(full_tx);
            collect(full_rx, empty_tx, limits)
        };
        let c = run(Limits { rows: 3, id_bytes: 100 });
        let o = c.overflow.unwrap();
        assert_eq!((o.line, c.row_user.len()), (5, 3));
        assert!(o.what.starts_with("rows"), "{}", o.what);
        // "ann" + "bob" take 6 bytes; "cy" (line 5) would make 8.
        let c = run(Limits { rows: 100, id_bytes: 7 });
        let o = c.overflow.unwrap();
        assert_eq!((o.line, c.users.len()), (5, 2));
        assert!(o.what.starts_with("distinct user ids"), "{}", o.what);
        assert!(run(Limits::MAX).overflow.is_none());
    }
}
