//! Two frames side by side: their trees aligned field by field (by id,
//! in order) and their bytes aligned (longest common subsequence), so a
//! request and its reply, or a good and a bad frame, show what differs.
//! Works on rendered frames and knows no protocol.

use crate::view::Node;

/// How a field of one frame compares with the field of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Same,
    /// Both have the field; its value, unit, text or bytes differ.
    Changed,
    OnlyA,
    OnlyB,
}

/// One side of a row: what the frame shows for the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Value with its unit, else the text, else the bytes in hex.
    pub shown: String,
    pub bytes: Vec<u8>,
}

/// One field of the aligned trees, in tree order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub depth: usize,
    pub id: String,
    pub label: String,
    pub a: Option<Side>,
    pub b: Option<Side>,
    pub change: Change,
    /// Some field below this one differs.
    pub inner: bool,
}

/// The trees of two frames aligned. `a_bytes` and `b_bytes` are the bytes
/// the trees' spans index (each frame's input).
pub fn trees(a: &Node, a_bytes: &[u8], b: &Node, b_bytes: &[u8]) -> Vec<Row> {
    let mut out = Vec::new();
    pair(Some(a), a_bytes, Some(b), b_bytes, 0, &mut out);
    out
}

fn side(n: &Node, bytes: &[u8]) -> Side {
    let raw = bytes.get(n.span.range()).unwrap_or_default().to_vec();
    let shown = match (&n.value, &n.unit, &n.text) {
        (Some(v), Some(u), _) => format!("{v} {u}"),
        (Some(v), None, _) => v.clone(),
        (None, _, Some(t)) => t.clone(),
        (None, _, None) => crate::wire::hex(&raw),
    };
    Side { shown, bytes: raw }
}

/// Adds the row of `a`/`b` (one may be missing) and their children's; says
/// whether anything in it differs.
fn pair(a: Option<&Node>, ab: &[u8], b: Option<&Node>, bb: &[u8], depth: usize, out: &mut Vec<Row>) -> bool {
    let Some(n) = a.or(b) else { return false };
    let (sa, sb) = (a.map(|n| side(n, ab)), b.map(|n| side(n, bb)));
    let change = match (&sa, &sb) {
        (Some(x), Some(y)) => {
            let leaf = a.is_some_and(|n| n.children.is_empty()) && b.is_some_and(|n| n.children.is_empty());
            // A container is judged by its fields; a leaf by what it shows and its bytes.
            let differs = x.shown != y.shown || (leaf && x.bytes != y.bytes);
            if differs && (leaf || a.and_then(|n| n.value.as_ref()) != b.and_then(|n| n.value.as_ref())) {
                Change::Changed
            } else {
                Change::Same
            }
        }
        (Some(_), None) => Change::OnlyA,
        _ => Change::OnlyB,
    };
    let at = out.len();
    out.push(Row { depth, id: n.id.clone(), label: n.label.clone(), a: sa, b: sb, change, inner: false });
    let empty: &[Node] = &[];
    let (ca, cb) = (a.map_or(empty, |n| &n.children), b.map_or(empty, |n| &n.children));
    let mut inner = false;
    for (x, y) in align(ca, cb) {
        inner |= pair(x, ab, y, bb, depth + 1, out);
    }
    out[at].inner = inner;
    inner || change != Change::Same
}

/// How far past the last match a child of `b` is looked for.
const LOOK_AHEAD: usize = 64;

/// Children of both sides matched by id in order: each child of `a` with
/// the first child of `b` of the same id past the last match (within
/// [`LOOK_AHEAD`], which keeps long arrays linear); `b`'s children skipped
/// on the way stand where they are, as `b`'s only.
fn align<'n>(a: &'n [Node], b: &'n [Node]) -> Vec<(Option<&'n Node>, Option<&'n Node>)> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let mut next_b = 0;
    for x in a {
        let window = &b[next_b..b.len().min(next_b + LOOK_AHEAD)];
        match window.iter().position(|y| y.id == x.id) {
            Some(k) => {
                out.extend(b[next_b..next_b + k].iter().map(|n| (None, Some(n))));
                out.push((Some(x), Some(&b[next_b + k])));
                next_b += k + 1;
            }
            None => out.push((Some(x), None)),
        }
    }
    out.extend(b[next_b..].iter().map(|n| (None, Some(n))));
    out
}

/// Which bytes of each frame differ from the other's: the two aligned by
/// their longest common subsequence (by position when the frames are long).
pub fn bytes(a: &[u8], b: &[u8]) -> (Vec<bool>, Vec<bool>) {
    const MAX_CELLS: usize = 1 << 20;
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS {
        let marks = |x: &[u8], y: &[u8]| (0..x.len()).map(|i| y.get(i) != Some(&x[i])).collect();
        return (marks(a, b), marks(b, a));
    }
    // lcs[i][j]: the common subsequence of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] =
                if a[i] == b[j] { lcs[(i + 1) * w + j + 1] + 1 } else { lcs[(i + 1) * w + j].max(lcs[i * w + j + 1]) };
        }
    }
    let (mut da, mut db) = (vec![true; n], vec![true; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            da[i] = false;
            db[j] = false;
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (da, db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Options, Registry};

    fn frame(hex: &str) -> (crate::view::Frame, Vec<u8>) {
        let b = crate::testkit::bytes(hex);
        let d = Registry::default().dissect(&b, &[], &Options::default()).render(crate::Lang::En);
        (d.frames.into_iter().next().unwrap(), b)
    }

    #[test]
    fn a_request_and_its_reply_differ_in_control_length_data_and_checksum() {
        // DL/T 645-2007: read 00010000, and the reply with the energy.
        let (q, qb) = frame("68 12 34 56 78 90 12 68 11 04 33 33 34 33 B1 16");
        let (r, rb) = frame("68 12 34 56 78 90 12 68 91 08 33 33 34 33 33 45 33 33 1F 16");
        let rows = trees(&q.tree, &qb, &r.tree, &rb);
        let by = |id: &str| rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("{id}: {rows:#?}"));
        assert_eq!(by("dlt645.address").change, Change::Same);
        assert_eq!(by("dlt645.control").change, Change::Changed);
        assert_eq!(by("dlt645.length").change, Change::Changed);
        assert_eq!(by("dlt645.cs").change, Change::Changed);
        assert!(rows.iter().any(|r| r.change == Change::OnlyB), "the reply's value: {rows:#?}");
        assert!(rows[0].inner);
        // A frame against itself: nothing differs.
        let same = trees(&q.tree, &qb, &q.tree, &qb);
        assert!(same.iter().all(|r| r.change == Change::Same && !r.inner));
    }

    #[test]
    fn bytes_align_around_an_insertion() {
        let (a, b) = bytes(&[1, 2, 3, 4], &[1, 2, 9, 3, 4]);
        assert_eq!(a, [false; 4]);
        assert_eq!(b, [false, false, true, false, false]);
        let (a, b) = bytes(&[1, 2], &[]);
        assert_eq!((a, b), (vec![true, true], vec![]));
    }

    #[test]
    fn children_of_one_side_only_keep_their_place() {
        let leaf = |id: &str, v: &str| {
            let mut n = Node::new(id, id, crate::Span::new(0, 0));
            n.value = Some(v.into());
            n
        };
        let mut a = Node::new("root", "root", crate::Span::new(0, 0));
        a.children = vec![leaf("x", "1"), leaf("z", "3")];
        let mut b = a.clone();
        b.children = vec![leaf("x", "1"), leaf("y", "2"), leaf("z", "4")];
        let rows = trees(&a, &[], &b, &[]);
        let shape: Vec<_> = rows.iter().map(|r| (r.id.as_str(), r.change)).collect();
        assert_eq!(shape, [("root", Change::Same), ("x", Change::Same), ("y", Change::OnlyB), ("z", Change::Changed)]);
    }
}
