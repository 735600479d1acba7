//! The rows of a long log's frame list: its frames and junk runs in byte
//! order. With nothing filtered, a row is found from its index by binary
//! search, so a log of a million frames needs no list of a million rows
//! (building it held the page up when the split arrived); a filter picks its
//! rows in one merge.

/// A split as the log worker hands it over: `[start, end, index]` per frame
/// and per junk run, each in byte order (the index names the protocol or the
/// reason).
#[derive(Clone, Copy, Debug)]
pub struct Split<'a> {
    pub frames: &'a [u32],
    pub junk: &'a [u32],
}

/// One row of the frame list: a frame or a junk run, by its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Frame(usize),
    Junk(usize),
}

impl Split<'_> {
    pub fn frame_count(&self) -> usize {
        self.frames.len() / 3
    }

    pub fn junk_count(&self) -> usize {
        self.junk.len() / 3
    }

    /// Rows of the whole list: every frame and junk run.
    pub fn len(&self) -> usize {
        self.frame_count() + self.junk_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row of junk run `j`: the junk runs before it, and the frames that
    /// start at or before it (a frame and a junk run that start together: the
    /// frame first, as [`Split::merge`] orders them).
    fn junk_row(&self, j: usize) -> usize {
        let at = self.junk[j * 3];
        let (mut lo, mut hi) = (0, self.frame_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.frames[mid * 3] <= at {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        j + lo
    }

    /// The item at `row` of the whole list, without building it.
    pub fn item(&self, row: usize) -> Option<Item> {
        if row >= self.len() {
            return None;
        }
        // The junk runs at or above this row.
        let (mut lo, mut hi) = (0, self.junk_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.junk_row(mid) <= row {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo > 0 && self.junk_row(lo - 1) == row {
            return Some(Item::Junk(lo - 1));
        }
        Some(Item::Frame(row - lo))
    }

    /// The rows `keep` keeps, in byte order.
    pub fn merge(&self, mut keep: impl FnMut(Item) -> bool) -> Vec<Item> {
        let (frames, junk) = (self.frame_count(), self.junk_count());
        let mut out = Vec::new();
        let (mut f, mut j) = (0, 0);
        while f < frames || j < junk {
            let item = if j >= junk || (f < frames && self.frames[f * 3] <= self.junk[j * 3]) {
                f += 1;
                Item::Frame(f - 1)
            } else {
                j += 1;
                Item::Junk(j - 1)
            };
            if keep(item) {
                out.push(item);
            }
        }
        out
    }
}

/// The rows a list shows: the whole list, found by index, or the rows a
/// filter chose.
#[derive(Clone, Debug)]
pub enum Rows {
    All,
    Chosen(std::sync::Arc<Vec<Item>>),
}

impl Rows {
    pub fn len(&self, split: Split) -> usize {
        match self {
            Rows::All => split.len(),
            Rows::Chosen(items) => items.len(),
        }
    }

    pub fn is_empty(&self, split: Split) -> bool {
        self.len(split) == 0
    }

    pub fn get(&self, split: Split, row: usize) -> Option<Item> {
        match self {
            Rows::All => split.item(row),
            Rows::Chosen(items) => items.get(row).copied(),
        }
    }
}

impl PartialEq for Rows {
    /// The whole list equals itself; a list of chosen rows only itself (two
    /// lists of a million rows compared item by item cost more than showing
    /// the rows in view again).
    fn eq(&self, other: &Rows) -> bool {
        match (self, other) {
            (Rows::All, Rows::All) => true,
            (Rows::Chosen(a), Rows::Chosen(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split of `frames` frames and `junk` junk runs at starts drawn from a
    /// small range (so that many start together), each list in byte order.
    fn split(seed: u64, frames: usize, junk: usize) -> (Vec<u32>, Vec<u32>) {
        let mut s = seed;
        let mut next = move |n: u32| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as u32) % n
        };
        let range = (frames + junk) as u32 * 2 + 1;
        let mut starts = |n: usize| {
            let mut v: Vec<u32> = (0..n).map(|_| next(range)).collect();
            v.sort_unstable();
            v.into_iter().flat_map(|s| [s, s + 1, 0]).collect::<Vec<u32>>()
        };
        (starts(frames), starts(junk))
    }

    #[test]
    fn every_row_by_index_is_the_merges() {
        for seed in 0..200u64 {
            let (frames, junk) = split(seed, (seed % 17) as usize, (seed % 7) as usize * 3 % 11);
            let s = Split { frames: &frames, junk: &junk };
            let all = s.merge(|_| true);
            assert_eq!(all.len(), s.len());
            for (row, item) in all.iter().enumerate() {
                assert_eq!(s.item(row), Some(*item), "seed {seed}, row {row}");
                assert_eq!(Rows::All.get(s, row), Some(*item));
            }
            assert_eq!(s.item(all.len()), None);
        }
    }

    #[test]
    fn a_frame_and_junk_that_start_together_list_the_frame_first() {
        let frames = [5, 9, 0, 20, 30, 1];
        let junk = [0, 5, 0, 5, 6, 0, 25, 26, 1];
        let s = Split { frames: &frames, junk: &junk };
        let want = [Item::Junk(0), Item::Frame(0), Item::Junk(1), Item::Frame(1), Item::Junk(2)];
        assert_eq!(s.merge(|_| true), want);
        assert_eq!((0..5).map(|r| s.item(r).unwrap()).collect::<Vec<_>>(), want);
    }

    #[test]
    fn chosen_rows_compare_by_identity() {
        let a = Rows::Chosen(std::sync::Arc::new(vec![Item::Frame(0)]));
        let b = Rows::Chosen(std::sync::Arc::new(vec![Item::Frame(0)]));
        assert!(a == a.clone());
        assert!(a != b);
        assert!(Rows::All == Rows::All);
        assert!(Rows::All != a);
    }
}
