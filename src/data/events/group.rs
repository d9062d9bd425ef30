//! Grouping the stored rows by user, each user's rows sorted by time, so that the KPI code
//! walks one contiguous slice per user.

/// Groups the rows by user (a counting sort; file order kept within a user), then sorts
/// each user's rows by time. The rows are scattered into new vectors rather than permuted
/// in place: the scatter's writes do not depend on one another, so the CPU overlaps their
/// cache misses, where following a permutation's cycles waits for one miss after another.
/// The copy fits in the memory the user-id table held until just before. Two threads share
/// the work, each the rows of half of the users. Returns the offsets of each user's rows.
pub fn group_by_user(
    n_users: usize,
    row_user: &[u32],
    time: &[i64],
    touchpoint: &[u16],
) -> (Vec<u32>, Vec<i64>, Vec<u16>) {
    let mut offsets = vec![0u32; n_users + 1];
    for &u in row_user {
        offsets[u as usize + 1] += 1;
    }
    for i in 0..n_users {
        offsets[i + 1] += offsets[i];
    }
    let mut grouped_time = vec![0i64; time.len()];
    let mut grouped_tp = vec![0u16; touchpoint.len()];
    let mid = n_users / 2;
    let split = offsets[mid] as usize;
    let (time_lo, time_hi) = grouped_time.split_at_mut(split);
    let (tp_lo, tp_hi) = grouped_tp.split_at_mut(split);
    let rows = (row_user, time, touchpoint);
    std::thread::scope(|s| {
        s.spawn(|| group_part(0, &offsets[..=mid], rows, time_lo, tp_lo));
        group_part(mid as u32, &offsets[mid..], rows, time_hi, tp_hi);
    });
    (offsets, grouped_time, grouped_tp)
}

/// Groups and sorts the rows of the users from `first` on whose `offsets` are given (the
/// output slices start at row `offsets[0]`); every row is read, only theirs are written.
fn group_part(first: u32, offsets: &[u32], rows: (&[u32], &[i64], &[u16]), time: &mut [i64], touchpoint: &mut [u16]) {
    let base = offsets[0];
    let mut cursor: Vec<u32> = offsets[..offsets.len() - 1].iter().map(|&o| o - base).collect();
    let users = cursor.len() as u32;
    let (row_user, row_time, row_tp) = rows;
    for ((&u, &t), &tp) in row_user.iter().zip(row_time).zip(row_tp) {
        let k = u.wrapping_sub(first);
        if k < users {
            let c = &mut cursor[k as usize];
            time[*c as usize] = t;
            touchpoint[*c as usize] = tp;
            *c += 1;
        }
    }
    sort_within_users(offsets, time, touchpoint);
}

/// Sorts each user's rows by time, stably, so rows with equal times keep file order.
/// `time` and `touchpoint` start at row `offsets[0]`.
fn sort_within_users(offsets: &[u32], time: &mut [i64], touchpoint: &mut [u16]) {
    let mut idx: Vec<u32> = Vec::new();
    let mut tmp: Vec<(i64, u16)> = Vec::new();
    let base = offsets.first().copied().unwrap_or(0);
    for w in offsets.windows(2) {
        let (s, e) = ((w[0] - base) as usize, (w[1] - base) as usize);
        let (t, tp) = (&mut time[s..e], &mut touchpoint[s..e]);
        if t.windows(2).all(|p| p[0] <= p[1]) {
            continue;
        }
        if t.len() <= 32 {
            // Insertion sort: stable, and fastest on the few rows most users have.
            for i in 1..t.len() {
                let mut j = i;
                while j > 0 && t[j - 1] > t[j] {
                    t.swap(j - 1, j);
                    tp.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            idx.clear();
            idx.extend(0..t.len() as u32);
            idx.sort_by_key(|&i| t[i as usize]);
            tmp.clear();
            tmp.extend(idx.iter().map(|&i| (t[i as usize], tp[i as usize])));
            for (k, &(a, b)) in tmp.iter().enumerate() {
                t[k] = a;
                tp[k] = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_file_order_within_users() {
        let users = vec![2, 0, 2, 1, 0, 2];
        let (offsets, time, tp) = group_by_user(3, &users, &[10, 20, 30, 40, 50, 60], &[0, 1, 2, 3, 4, 5]);
        assert_eq!(offsets, vec![0, 2, 3, 6]);
        assert_eq!(time, vec![20, 50, 40, 10, 30, 60]);
        assert_eq!(tp, vec![1, 4, 3, 0, 2, 5]);
    }

    #[test]
    fn grouping_sorts_each_users_rows_by_time_in_both_halves() {
        // Users 0 and 1 are grouped by one thread, 2 and 3 by the other.
        let users = vec![3, 0, 1, 3, 0, 2, 3, 1];
        let time = [30, 20, 7, 10, 10, 1, 20, 5];
        let (offsets, time, tp) = group_by_user(4, &users, &time, &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(offsets, vec![0, 2, 4, 5, 8]);
        assert_eq!(time, vec![10, 20, 5, 7, 1, 10, 20, 30]);
        assert_eq!(tp, vec![4, 1, 7, 2, 5, 3, 6, 0]);
    }

    #[test]
    fn sorting_is_stable_for_equal_times() {
        let offsets = vec![0, 4, 44];
        let mut time: Vec<i64> = vec![5, 1, 5, 1];
        time.extend((0..40).map(|i| 40 - i / 2));
        let mut tp: Vec<u16> = (0..44).collect();
        sort_within_users(&offsets, &mut time, &mut tp);
        assert_eq!(&time[..4], &[1, 1, 5, 5]);
        assert_eq!(&tp[..4], &[1, 3, 0, 2]);
        assert!(time[4..].windows(2).all(|w| w[0] <= w[1]));
        // Within equal times, original (file) order: the larger index came first in file.
        for w in (4..44).collect::<Vec<_>>().windows(2) {
            if time[w[0]] == time[w[1]] {
                assert!(tp[w[0]] < tp[w[1]]);
            }
        }
    }
}
