//! Encoding messages as NMEA sentences, for tests, replay and simulation.
//!
//! [`encode_sentences`] appends complete lines (with checksum, and optionally
//! an NMEA 4 tag block carrying receive time, source and group) to a byte
//! buffer, splitting payloads over several sentences as receivers do.

use crate::bits::Writer;
use crate::message::Message;
use crate::nmea::nmea_checksum;

/// How to frame the sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing<'a> {
    /// Talker ID.
    pub talker: [u8; 2],
    /// VDO (own ship) rather than VDM.
    pub own_ship: bool,
    /// Radio channel.
    pub channel: Option<u8>,
    /// Sequential message ID for multi-sentence messages (0-9).
    pub sequence_id: u8,
    /// Most payload characters per sentence (60 keeps lines within NMEA's 82 characters).
    pub max_payload_chars: usize,
    /// Tag block receive time (`c:`), whole seconds are written.
    pub tag_time_ms: Option<i64>,
    /// Tag block source (`s:`).
    pub tag_source: Option<&'a str>,
    /// Tag block group id (`g:`), written on multi-sentence messages when a tag block is written.
    pub tag_group_id: Option<u32>,
}

impl Default for Framing<'_> {
    fn default() -> Self {
        Framing {
            talker: *b"AI",
            own_ship: false,
            channel: Some(b'A'),
            sequence_id: 0,
            max_payload_chars: 60,
            tag_time_ms: None,
            tag_source: None,
            tag_group_id: None,
        }
    }
}

/// Encodes `msg` and appends one line per sentence (each ending in `\r\n`) to `out`.
/// Returns the number of sentences.
pub fn encode_sentences(msg: &Message, framing: &Framing<'_>, out: &mut Vec<u8>) -> usize {
    let mut w = Writer::default();
    msg.encode(&mut w);
    let mut payload = Vec::with_capacity(w.len().div_ceil(6));
    let fill = w.armor(&mut payload);
    encode_payload(&payload, fill, framing, out)
}

/// Frames an already armoured payload.
pub fn encode_payload(payload: &[u8], fill: u8, framing: &Framing<'_>, out: &mut Vec<u8>) -> usize {
    let mut per = framing.max_payload_chars.max(1);
    // At most 9 sentences: longer payloads get longer sentences.
    if payload.len().div_ceil(per) > 9 {
        per = payload.len().div_ceil(9);
    }
    let count = payload.len().div_ceil(per).max(1);
    for k in 0..count {
        let chunk = &payload[(k * per).min(payload.len())..((k + 1) * per).min(payload.len())];
        if framing.tag_time_ms.is_some() || framing.tag_source.is_some() {
            write_tag_block(framing, k + 1, count, out);
        }
        let start = out.len();
        out.push(b'!');
        out.extend_from_slice(&framing.talker);
        out.extend_from_slice(if framing.own_ship { b"VDO," } else { b"VDM," });
        push_digit(out, count as u8);
        out.push(b',');
        push_digit(out, (k + 1) as u8);
        out.push(b',');
        if count > 1 {
            push_digit(out, framing.sequence_id % 10);
        }
        out.push(b',');
        if let Some(c) = framing.channel {
            out.push(c);
        }
        out.push(b',');
        out.extend_from_slice(chunk);
        out.push(b',');
        push_digit(out, if k + 1 == count { fill } else { 0 });
        let cs = nmea_checksum(&out[start + 1..]);
        out.push(b'*');
        push_hex(out, cs);
        out.extend_from_slice(b"\r\n");
    }
    count
}

fn write_tag_block(f: &Framing<'_>, number: usize, count: usize, out: &mut Vec<u8>) {
    use std::io::Write;
    out.push(b'\\');
    let start = out.len();
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        if !first {
            out.push(b',');
        }
        first = false;
    };
    if count > 1 {
        sep(out);
        let _ = write!(out, "g:{number}-{count}-{}", f.tag_group_id.unwrap_or(f.sequence_id as u32));
    }
    if let Some(s) = f.tag_source {
        sep(out);
        out.extend_from_slice(b"s:");
        // Tag block values may not contain the delimiters.
        out.extend(s.bytes().filter(|b| !matches!(b, b',' | b'*' | b'\\' | b'!' | b'$')));
    }
    if let Some(t) = f.tag_time_ms {
        sep(out);
        let _ = write!(out, "c:{}", t.div_euclid(1000));
    }
    let cs = nmea_checksum(&out[start..]);
    out.push(b'*');
    push_hex(out, cs);
    out.push(b'\\');
}

fn push_digit(out: &mut Vec<u8>, d: u8) {
    out.push(b'0' + d % 10);
}

fn push_hex(out: &mut Vec<u8>, v: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(HEX[(v >> 4) as usize]);
    out.push(HEX[(v & 15) as usize]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::Decoder;
    use crate::message::PositionReport;

    #[test]
    fn encodes_the_reference_type_1_sentence() {
        let m = Message::Position(PositionReport {
            msg_type: 1,
            mmsi: 371798000,
            turn: -127,
            speed: 123,
            accuracy: true,
            lon: -74037230,
            lat: 29028980,
            course: 2240,
            heading: 215,
            second: 33,
            radio: 34017,
            ..Default::default()
        });
        let mut out = Vec::new();
        assert_eq!(encode_sentences(&m, &Framing::default(), &mut out), 1);
        assert_eq!(out, b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n");
    }

    #[test]
    fn long_messages_split_and_reassemble_with_tag_blocks() {
        let m = crate::message::StaticVoyage {
            msg_type: 5,
            mmsi: 440123456,
            shipname: crate::Text::from_ascii("HANJIN BUSAN"),
            destination: crate::Text::from_ascii("KRPUS"),
            ..Default::default()
        };
        let framing = Framing {
            tag_time_ms: Some(1_600_000_000_000),
            tag_source: Some("KOR-01"),
            sequence_id: 3,
            ..Framing::default()
        };
        let mut out = Vec::new();
        let n = encode_sentences(&Message::StaticVoyage(m), &framing, &mut out);
        assert_eq!(n, 2);
        let mut d = Decoder::default();
        let mut got = None;
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if let Some(x) = d.feed(line).unwrap() {
                got = Some(*x);
            }
        }
        let got = got.unwrap();
        assert_eq!(got.message, Message::StaticVoyage(m));
        assert_eq!(got.meta.station.as_str(), "KOR-01");
        assert_eq!(got.meta.received.unwrap().ms, 1_600_000_000_000);
    }
}
