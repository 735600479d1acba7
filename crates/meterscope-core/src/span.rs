//! Byte spans: half-open ranges into the decoded byte string.

/// A half-open byte range `[start, end)` into the bytes of a dissection.
///
/// Spans are absolute: they index the whole input byte string, not the frame,
/// so a frame's nodes, checks and diagnostics can be highlighted directly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive). `end < start` is clamped to empty.
    pub const fn new(start: usize, end: usize) -> Self {
        let end = if end < start { start } else { end };
        Span { start, end }
    }

    /// A span of `len` bytes starting at `start`.
    pub const fn at(start: usize, len: usize) -> Self {
        Span::new(start, start.saturating_add(len))
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Whether byte offset `offset` lies inside the span.
    pub const fn contains(&self, offset: usize) -> bool {
        offset >= self.start && offset < self.end
    }

    /// Whether `other` lies entirely inside this span.
    pub const fn encloses(&self, other: Span) -> bool {
        other.start >= self.start && other.end <= self.end
    }

    /// This span moved right by `delta` bytes.
    pub const fn shift(self, delta: usize) -> Self {
        Span::new(self.start + delta, self.end + delta)
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Self {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn range(&self) -> core::ops::Range<usize> {
        self.start..self.end
    }
}

impl From<core::ops::Range<usize>> for Span {
    fn from(r: core::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.start)?;
        t.serialize_element(&self.end)?;
        t.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let s = Span::at(4, 3);
        assert_eq!((s.start, s.end, s.len()), (4, 7, 3));
        assert!(s.contains(4) && s.contains(6) && !s.contains(7) && !s.contains(3));
        assert!(Span::new(0, 10).encloses(s));
        assert!(!s.encloses(Span::new(3, 5)));
        assert_eq!(s.shift(2), Span::new(6, 9));
        assert_eq!(Span::new(5, 2), Span::new(5, 5));
        assert!(Span::new(5, 2).is_empty());
        assert_eq!(Span::new(1, 2).cover(Span::new(5, 9)), Span::new(1, 9));
    }
}
