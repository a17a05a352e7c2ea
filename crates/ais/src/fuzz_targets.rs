//! Bodies of the fuzz targets in `fuzz/`, kept here so that `cargo test`
//! replays the saved corpora on stable with exactly the code the fuzzer runs.
//! Each panics only when an invariant is broken.

use crate::bits::{Bits, Writer};
use crate::{Decoder, Message, Options, nmea};

/// Arbitrary bytes as lines of NMEA through the whole decoder, in both modes.
pub fn sentences(data: &[u8]) {
    for strict in [false, true] {
        let mut d = Decoder::new(Options { strict, max_pending_groups: 4, ..Options::default() });
        for line in data.split(|&b| b == b'\n') {
            let parsed = nmea::parse_line(line);
            // The decoder's one-pass forms must read a line as parse_line does.
            let trimmed = nmea::trim_line_end(line);
            let mut tag = nmea::TagBlock::default();
            let fast = match nmea::parse_plain_sentence(trimmed) {
                Some(plain) => Some(plain),
                None => nmea::parse_tagged_sentence(trimmed, &mut tag),
            };
            if let Some((sentence, after)) = fast {
                let trailer = nmea::parse_trailer(after);
                let expected = nmea::Line::Ais { prefix_time_ms: None, tag, sentence, trailer };
                assert_eq!(parsed, Ok(expected), "a one-pass form read a line differently");
            }
            if let Ok(Some(m)) = d.feed(line) {
                // What the decoder returns must survive re-encoding.
                let mut w = Writer::default();
                m.message.encode(&mut w);
                let again = Message::decode(w.bits(), false).map(|(m, _)| m);
                assert_eq!(again, Ok(m.message), "re-encoding changed a decoded message");
            }
        }
        d.finish();
        let s = d.stats();
        assert_eq!(s.lines, data.split(|&b| b == b'\n').count() as u64);
    }
}

/// Arbitrary bytes as a message bit string: decode, application payloads, re-encode.
pub fn payload(data: &[u8]) {
    let Some((&extra, bytes)) = data.split_first() else { return };
    // The first byte trims up to 7 bits so that every bit length is reachable.
    let len = (bytes.len() * 8).saturating_sub((extra & 7) as usize);
    for strict in [false, true] {
        let Ok((m, _)) = Message::decode(Bits::new(bytes, len), strict) else { continue };
        match &m {
            Message::AddressedBinary(b) => {
                let _ = b.application();
            }
            Message::BinaryBroadcast(b) => {
                let _ = b.application();
            }
            Message::AidToNavigation(a) => {
                let _ = a.full_name();
            }
            _ => {}
        }
        let mut w = Writer::default();
        m.encode(&mut w);
        let (again, _) = Message::decode(w.bits(), false).expect("an encoded message decodes");
        assert_eq!(again, m, "decode(encode(m)) != m");
    }
}
