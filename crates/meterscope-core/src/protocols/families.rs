//! The protocol families as a set, and registries that dissect only some of
//! them: what lets the embeddable decoder ship one module per family.
//!
//! A registry of [`Registry::of`] frames every input exactly as the full one
//! does, with the framing of every family, and dissects the frames of the
//! families in its set. The frames of the others come out unrecognised but
//! named ([`Framed`]), and the bare APDUs of the others, which only their
//! dissectors can frame, are left out ([`Absent`]). [`needs`] says which
//! families an input's dissection takes; where they are all in the set, the
//! dissection is the full registry's, frame for frame (the `families` test
//! checks it on every vector). The set is decided when the code is compiled,
//! so the linker keeps only the dissectors, dictionaries and analyses that the
//! set's families reach: their own, and those of the families they nest (M-Bus
//! telegrams carry DLMS and SML, Q/GDW 1376 frames carry DL/T 645 and 698.45).

use super::{dlms, dlt645, dlt698, iec62056, mbus, qgdw1376, sml};
use crate::lang::Lang;
use crate::model::Frame;
use crate::registry::{Analyser, FrameStatus, Options, Piece, Protocol, Registry};

/// DL/T 645-2007 and -1997.
pub const DLT645: u16 = 1 << 0;
/// DL/T 698.45, framed and bare APDUs.
pub const DLT698: u16 = 1 << 1;
/// IEC 62056-21 and DSMR P1.
pub const IEC62056: u16 = 1 << 2;
/// DLMS/COSEM over HDLC (plain and byte-stuffed), the wrapper, bare APDUs.
pub const DLMS: u16 = 1 << 3;
/// Q/GDW 1376.1 and 1376.2.
pub const QGDW1376: u16 = 1 << 4;
/// SML.
pub const SML: u16 = 1 << 5;
/// Wired M-Bus and wireless M-Bus/OMS.
pub const MBUS: u16 = 1 << 6;
/// Every family.
pub const ALL: u16 = (1 << 7) - 1;

/// Each family's name and bit, in bit order: the names of the embed's family
/// modules and of [`needs`]'s answer.
pub const NAMES: [(&str, u16); 7] = [
    ("dlt645", DLT645),
    ("dlt698", DLT698),
    ("iec62056", IEC62056),
    ("dlms", DLMS),
    ("qgdw1376", QGDW1376),
    ("sml", SML),
    ("mbus", MBUS),
];

/// The family of a registry protocol name, by its prefix (`dlt645-2007`,
/// `dsmr-p1`, `wmbus`…); 0 for `unknown` and any other name.
pub fn family_of(protocol: &str) -> u16 {
    let p = protocol.to_ascii_lowercase();
    let starts = |s: &str| p.starts_with(s);
    if starts("dlt645") {
        DLT645
    } else if starts("dlt698") {
        DLT698
    } else if starts("iec62056") || starts("dsmr") {
        IEC62056
    } else if starts("dlms") {
        DLMS
    } else if starts("qgdw1376") {
        QGDW1376
    } else if starts("sml") {
        SML
    } else if starts("mbus") || starts("wmbus") {
        MBUS
    } else {
        0
    }
}

/// `a,b` for the families of `set`, in bit order.
pub fn names(set: u16) -> String {
    NAMES.iter().filter(|(_, bit)| set & bit != 0).map(|(n, _)| *n).collect::<Vec<_>>().join(",")
}

/// A protocol of a family the registry does not dissect: framed and scored as
/// in the full registry; its frames are unrecognised bytes carrying its name.
struct Framed<P>(P);

impl<P: Protocol> Protocol for Framed<P> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn title(&self, lang: Lang) -> &'static str {
        self.0.title(lang)
    }
    fn frame(&self, bytes: &[u8]) -> FrameStatus {
        self.0.frame(bytes)
    }
    fn score(&self, frame: &[u8]) -> u8 {
        self.0.score(frame)
    }
    fn anchored(&self) -> bool {
        self.0.anchored()
    }
    fn preamble_byte(&self) -> Option<u8> {
        self.0.preamble_byte()
    }
    fn may_start(&self, b: u8) -> bool {
        self.0.may_start(b)
    }
    fn framing_key(&self) -> Option<&'static str> {
        self.0.framing_key()
    }
    fn text(&self) -> bool {
        self.0.text()
    }
    fn dissect(&self, frame: &[u8], base: usize, _: &Options) -> Frame {
        let mut f = crate::unknown::dissect(frame, base);
        f.protocol = self.0.name();
        f
    }
}

/// A bare-APDU protocol of a family the registry does not dissect: only its
/// dissector can frame it, so it frames nothing here. It keeps its name and
/// title (the registry's names stay complete); [`needs`] asks for its family
/// wherever it could start at a position it is tried.
struct Absent<P>(P);

impl<P: Protocol> Protocol for Absent<P> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn title(&self, lang: Lang) -> &'static str {
        self.0.title(lang)
    }
    fn frame(&self, _: &[u8]) -> FrameStatus {
        FrameStatus::NoMatch
    }
    fn score(&self, _: &[u8]) -> u8 {
        0
    }
    fn anchored(&self) -> bool {
        true
    }
    fn may_start(&self, _: u8) -> bool {
        false
    }
    fn dissect(&self, frame: &[u8], base: usize, _: &Options) -> Frame {
        let mut f = crate::unknown::dissect(frame, base);
        f.protocol = self.0.name();
        f
    }
}

/// `p` itself when its family `F` is in `D`, else framed only.
fn framed<const D: u16, const F: u16, P: Protocol + 'static>(p: P) -> Box<dyn Protocol> {
    if D & F != 0 { Box::new(p) } else { Box::new(Framed(p)) }
}

/// A bare-APDU protocol `p` when its family `F` is in `D`, else absent.
fn bare<const D: u16, const F: u16, P: Protocol + 'static>(p: P) -> Box<dyn Protocol> {
    if D & F != 0 { Box::new(p) } else { Box::new(Absent(p)) }
}

/// Every protocol in registry order, the families of `D` dissected.
pub fn protocols<const D: u16>() -> Vec<Box<dyn Protocol>> {
    vec![
        framed::<D, DLT645, _>(dlt645::Dlt645::V2007),
        framed::<D, DLT645, _>(dlt645::Dlt645::V1997),
        framed::<D, DLT698, _>(dlt698::Dlt698),
        bare::<D, DLT698, _>(dlt698::Dlt698Apdu),
        framed::<D, IEC62056, _>(iec62056::Iec62056_21),
        framed::<D, IEC62056, _>(iec62056::DsmrP1),
        framed::<D, DLMS, _>(dlms::DlmsHdlc),
        framed::<D, DLMS, _>(dlms::DlmsHdlcStuffed),
        framed::<D, DLMS, _>(dlms::DlmsWrapper),
        bare::<D, DLMS, _>(dlms::DlmsApdu),
        framed::<D, QGDW1376, _>(qgdw1376::Qgdw13761),
        framed::<D, QGDW1376, _>(qgdw1376::Qgdw13762),
        framed::<D, SML, _>(sml::Sml),
        framed::<D, MBUS, _>(mbus::Mbus),
        framed::<D, MBUS, _>(mbus::wireless::Wmbus),
    ]
}

/// The analyses across frames of the families of `D`, in the order they run
/// (each test on `D` is decided when compiled: a family left out leaves no
/// reference to its analysis).
pub fn analysers<const D: u16>() -> Vec<Analyser> {
    let mut out = Vec::new();
    if D & DLT698 != 0 {
        out.push(Analyser { protocols: &[dlt698::NAME], run: dlt698::reassembly::analyses });
    }
    if D & DLMS != 0 {
        out.push(Analyser { protocols: &[dlms::HDLC, dlms::WRAPPER, dlms::APDU], run: dlms::reassembly::analyses });
    }
    if D & IEC62056 != 0 {
        // IEC 62056-21 read at 7 data bits with even parity, found in unrecognised bytes.
        out.push(Analyser { protocols: &[crate::unknown::NAME], run: iec62056::parity_analyses });
    }
    if D & QGDW1376 != 0 {
        out.push(Analyser { protocols: &[qgdw1376::gdw1::NAME], run: qgdw1376::multiframe::analyses });
    }
    if D & MBUS != 0 {
        out.push(Analyser { protocols: &[mbus::NAME], run: mbus::telegrams::analyses });
    }
    out
}

impl Registry {
    /// The registry that dissects the families of `D` ([`ALL`]: the default
    /// registry) and frames the others.
    pub fn of<const D: u16>() -> Registry {
        Registry::new(protocols::<D>()).with_analysers(analysers::<D>())
    }
}

/// The families a registry must dissect for `bytes` to come out as the full
/// registry gives them, found with `registry` (one of [`Registry::of`]`::<D>`):
///
/// - the family of each frame (and of the protocol the options name, if the
///   registry has it: then it alone frames);
/// - IEC 62056, whose analysis reads unrecognised bytes, where some may be
///   text sent at 7E1 ([`iec62056::sent_at_7e1`]);
/// - the families of `D`'s absent bare APDUs wherever one could start at a
///   position they are tried (the input's start, a line's start), unless a
///   protocol is named.
///
/// Where the answer is within `D`, `registry` gives the full registry's dissection.
pub fn needs<const D: u16>(registry: &Registry, bytes: &[u8], line_starts: &[usize], opts: &Options) -> u16 {
    // A protocol the options name, the registry's: it alone frames.
    let forced =
        opts.protocol.as_deref().filter(|n| !n.eq_ignore_ascii_case("auto")).filter(|n| registry.get(n).is_some());
    let mut need = forced.map_or(0, family_of);
    for piece in registry.split(bytes, line_starts, opts) {
        need |= match piece {
            Piece::Frame { protocol, span } if protocol == crate::unknown::NAME => {
                if bytes.get(span.range()).is_some_and(iec62056::sent_at_7e1) { IEC62056 } else { 0 }
            }
            Piece::Frame { protocol, .. } => family_of(protocol),
            Piece::Junk { .. } => 0,
        };
    }
    let anchors: &[usize] = if forced.is_some() { &[] } else { line_starts };
    for &at in core::iter::once(&0).filter(|_| forced.is_none()).chain(anchors) {
        let Some(&b) = bytes.get(at) else { continue };
        if D & DLT698 == 0 && dlt698::Dlt698Apdu.may_start(b) {
            need |= DLT698;
        }
        if D & DLMS == 0 && dlms::DlmsApdu.may_start(b) {
            need |= DLMS;
        }
    }
    need
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, parse_input};

    /// The sets the embed's modules dissect (scripts/build-embed.sh), each
    /// family alone, one more, and none.
    const SETS: [u16; 12] = [
        0,
        DLT645,
        DLT698,
        IEC62056,
        DLMS,
        QGDW1376,
        SML,
        MBUS,
        DLT645 | DLT698 | QGDW1376,
        DLMS | IEC62056,
        MBUS | SML,
        MBUS | SML | DLMS,
    ];

    fn of(set: u16) -> Registry {
        // One registry per set of `SETS` (const generics want each spelled out).
        match set {
            0 => Registry::of::<0>(),
            DLT645 => Registry::of::<DLT645>(),
            DLT698 => Registry::of::<DLT698>(),
            IEC62056 => Registry::of::<IEC62056>(),
            DLMS => Registry::of::<DLMS>(),
            QGDW1376 => Registry::of::<QGDW1376>(),
            SML => Registry::of::<SML>(),
            MBUS => Registry::of::<MBUS>(),
            0x13 => Registry::of::<{ DLT645 | DLT698 | QGDW1376 }>(),
            0x0C => Registry::of::<{ DLMS | IEC62056 }>(),
            0x60 => Registry::of::<{ MBUS | SML }>(),
            0x68 => Registry::of::<{ MBUS | SML | DLMS }>(),
            _ => unreachable!(),
        }
    }

    fn needs_in(set: u16, r: &Registry, bytes: &[u8], lines: &[usize], opts: &Options) -> u16 {
        match set {
            0 => needs::<0>(r, bytes, lines, opts),
            DLT645 => needs::<DLT645>(r, bytes, lines, opts),
            DLT698 => needs::<DLT698>(r, bytes, lines, opts),
            IEC62056 => needs::<IEC62056>(r, bytes, lines, opts),
            DLMS => needs::<DLMS>(r, bytes, lines, opts),
            QGDW1376 => needs::<QGDW1376>(r, bytes, lines, opts),
            SML => needs::<SML>(r, bytes, lines, opts),
            MBUS => needs::<MBUS>(r, bytes, lines, opts),
            0x13 => needs::<{ DLT645 | DLT698 | QGDW1376 }>(r, bytes, lines, opts),
            0x0C => needs::<{ DLMS | IEC62056 }>(r, bytes, lines, opts),
            0x60 => needs::<{ MBUS | SML }>(r, bytes, lines, opts),
            0x68 => needs::<{ MBUS | SML | DLMS }>(r, bytes, lines, opts),
            _ => unreachable!(),
        }
    }

    /// Every vector, alone and two to an input (on two lines), through every
    /// set: where `needs` finds the set enough, the dissection is the full
    /// registry's in both languages; and every family's own vectors are
    /// enough for its set alone.
    #[test]
    fn a_set_that_is_enough_dissects_as_the_full_registry() {
        let full = Registry::default();
        let registries: Vec<Registry> = SETS.iter().map(|&s| of(s)).collect();
        let vectors = crate::testkit::all_vector_inputs();
        let mut inputs: Vec<String> = vectors.clone();
        inputs.extend(vectors.windows(2).map(|w| format!("{}\n{}", w[0], w[1])));
        let mut enough = [0usize; SETS.len()];
        for text in &inputs {
            let Ok(input) = parse_input(text) else { continue };
            let (bytes, lines) = (&input.bytes, &input.line_starts);
            // Detected, and named as the protocol of the first frame.
            let first = full.dissect(bytes, lines, &Options::default()).frames.first().map(|f| f.protocol);
            let named = Options { protocol: first.map(str::to_string), ..Options::default() };
            for opts in [Options::default(), named] {
                let whole = full.dissect(bytes, lines, &opts);
                for (k, (&set, r)) in SETS.iter().zip(&registries).enumerate() {
                    let need = needs_in(set, r, bytes, lines, &opts);
                    if need & !set != 0 {
                        continue;
                    }
                    enough[k] += 1;
                    let part = r.dissect(bytes, lines, &opts);
                    for lang in [Lang::En, Lang::Zh] {
                        let protocol = opts.protocol.as_deref().unwrap_or("auto");
                        assert_eq!(part.render(lang), whole.render(lang), "set {} on {text} ({protocol})", names(set));
                    }
                }
            }
        }
        for (k, &set) in SETS.iter().enumerate().skip(1) {
            assert!(enough[k] >= 3, "set {} was enough for {} inputs only", names(set), enough[k]);
        }
    }

    /// Vectors changed at random (bytes replaced, inserted, removed, flipped,
    /// cut short): where a set is enough, it still dissects as the full registry.
    #[test]
    fn changed_vectors_too() {
        let full = Registry::default();
        let registries: Vec<Registry> = SETS.iter().map(|&s| of(s)).collect();
        let vectors: Vec<Vec<u8>> =
            crate::testkit::all_vector_inputs().iter().filter_map(|t| parse_input(t).ok()).map(|i| i.bytes).collect();
        let mut rng = crate::testkit::Rng::new(11);
        let (mut tried, mut enough) = (0, 0);
        for _ in 0..3000 {
            let mut bytes = vectors[rng.below(vectors.len())].clone();
            rng.mutate(&mut bytes, |r| r.pick(&[0x68, 0x16, 0x7E, 0x00, 0xFE, 0x10, 0xE5, 0x1B]));
            let whole = full.dissect(&bytes, &[], &Options::default()).render(Lang::En);
            for (&set, r) in SETS.iter().zip(&registries) {
                tried += 1;
                if needs_in(set, r, &bytes, &[], &Options::default()) & !set == 0 {
                    enough += 1;
                    assert_eq!(r.dissect(&bytes, &[], &Options::default()).render(Lang::En), whole, "{bytes:02X?}");
                }
            }
        }
        assert!(enough * 20 > tried, "{enough} of {tried}");
    }

    /// A forced protocol needs its family; a bare APDU's family is needed
    /// where it could start, though no frame of it is found.
    #[test]
    fn forced_protocols_and_bare_apdus_are_needed() {
        let r = Registry::of::<DLT645>();
        let bytes = parse_input("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16").unwrap().bytes;
        assert_eq!(needs::<DLT645>(&r, &bytes, &[], &Options::default()), DLT645);
        let forced = Options { protocol: Some("dlt698.45".into()), ..Options::default() };
        assert_eq!(needs::<DLT645>(&r, &bytes, &[], &forced) & DLT698, DLT698);
        // A DLMS get-request (C0) and a DL/T 698.45 get-request (05) as bare APDUs.
        let get = parse_input("C0 01 C1 00 03 01 01 01 08 00 FF 02 00").unwrap().bytes;
        assert_eq!(needs::<DLT645>(&r, &get, &[], &Options::default()) & DLMS, DLMS);
        let get = parse_input("05 01 00 40 01 02 00 00").unwrap().bytes;
        assert_eq!(needs::<DLT645>(&r, &get, &[], &Options::default()) & DLT698, DLT698);
        // Named, a protocol alone frames: no bare APDU is looked for.
        let dlt645 = Options { protocol: Some("dlt645-2007".into()), ..Options::default() };
        let mut woken = vec![0x05];
        woken.extend(&bytes);
        assert_eq!(needs::<DLT645>(&r, &woken, &[], &Options::default()) & DLT698, DLT698);
        assert_eq!(needs::<DLT645>(&r, &woken, &[], &dlt645) & DLT698, 0);
        assert_eq!(needs::<DLT645>(&r, &bytes, &[], &dlt645), DLT645);
        // Unrecognised bytes that cannot be 7E1 text need nothing more.
        let mut stray = bytes.clone();
        stray.extend([0xC3, 0xC3]);
        assert_eq!(needs::<DLT645>(&r, &stray, &[], &Options::default()), DLT645);
        // IEC 62056-21's sign-on "/?!" sent with even parity in bit 7: unrecognised
        // bytes, read by IEC 62056's analysis.
        let seven = [0xAF, 0x3F, 0x21, 0x8D, 0x0A];
        assert!(!Registry::default().dissect(&seven, &[], &Options::default()).analyses.is_empty());
        assert!(r.dissect(&seven, &[], &Options::default()).analyses.is_empty());
        assert_eq!(needs::<DLT645>(&r, &seven, &[], &Options::default()), IEC62056);
    }

    /// Every registry name has a family, every family a protocol, and the
    /// names stay complete in a registry of one family.
    #[test]
    fn names_and_families() {
        let full = Registry::default();
        let mut seen = 0;
        for name in full.names() {
            let f = family_of(name);
            assert_ne!(f, 0, "{name}");
            seen |= f;
        }
        assert_eq!(seen, ALL);
        assert_eq!(NAMES.iter().fold(0, |a, (_, b)| a | b), ALL);
        assert_eq!(family_of(crate::unknown::NAME), 0);
        assert_eq!(Registry::of::<SML>().names(), full.names());
        assert_eq!(names(DLT645 | MBUS), "dlt645,mbus");
    }
}
