//! decode(encode(m)) == m for messages of every type, drawn from random bit
//! strings of every length ITU-R M.1371-5 allows, so that every field takes
//! arbitrary values; and the same through NMEA framing, fragmentation, tag
//! blocks and reassembly.

use proptest::prelude::*;
use sealane_ais::bits::{Bits, Writer};
use sealane_ais::{Decoder, Framing, Message, encode_sentences};

/// Standard bit lengths of a type (a sample for the variable-length ones).
fn lengths(t: u8) -> Vec<usize> {
    match t {
        1..=4 | 9 | 11 | 18 | 22 => vec![168],
        5 => vec![424],
        6 => (88..=1008).step_by(8).collect(),
        7 | 13 => vec![72, 104, 136, 168],
        8 => (56..=1008).step_by(8).collect(),
        10 => vec![72],
        12 => (72..=1008).step_by(6).collect(),
        14 => (40..=1000).step_by(6).collect(),
        15 => vec![88, 112, 160],
        16 => vec![96, 144],
        17 => (80..=816).step_by(8).collect(),
        19 => vec![312],
        20 => vec![72, 104, 136, 160],
        21 => (272..=360).step_by(8).collect(),
        23 => vec![160],
        24 => vec![160, 168],
        25 => (40..=168).collect(),
        26 => (60..=1004).collect(),
        27 => vec![96],
        _ => unreachable!(),
    }
}

/// A random message of type `t`, decoded from random bits.
fn message() -> impl Strategy<Value = (Message, Vec<u8>, usize)> {
    (1u8..=27, any::<usize>(), proptest::collection::vec(any::<u8>(), 127)).prop_filter_map(
        "decodable",
        |(t, pick, mut bytes)| {
            let lens = lengths(t);
            let len = lens[pick % lens.len()];
            bytes[0] = (t << 2) | (bytes[0] & 3);
            if t == 24 {
                // part number: A for 160 bits, B for 168
                let part = if len == 160 { 0 } else { 1 };
                bytes[4] = (bytes[4] & !0x30) | (part << 4);
            }
            // Bits beyond the length must be zero, as in a real payload.
            for b in len..bytes.len() * 8 {
                bytes[b / 8] &= !(0x80 >> (b % 8));
            }
            let (m, _) = Message::decode(Bits::new(&bytes, len), true).ok()?;
            Some((m, bytes, len))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn decode_encode_is_identity((m, bytes, len) in message()) {
        let mut w = Writer::default();
        m.encode(&mut w);
        let (again, _) = Message::decode(w.bits(), true).expect("an encoded message decodes in strict mode");
        prop_assert_eq!(again, m);
        // Fixed layouts re-encode bit for bit.
        if matches!(m.msg_type(), 1..=5 | 9..=11 | 18 | 19 | 22 | 23 | 27) {
            prop_assert_eq!(w.len(), len);
            prop_assert_eq!(w.bits().bytes()[..len / 8].to_vec(), bytes[..len / 8].to_vec());
        }
    }

    #[test]
    fn sentences_reassemble_to_the_same_message(
        (m, _, _) in message(),
        per in 1usize..80,
        seq in 0u8..10,
        channel in prop_oneof![Just(None), Just(Some(b'A')), Just(Some(b'B'))],
        tagged in any::<bool>(),
        time in 0i64..4_000_000_000,
    ) {
        let framing = Framing {
            max_payload_chars: per,
            sequence_id: seq,
            channel,
            tag_time_ms: tagged.then_some(time * 1000),
            tag_source: tagged.then_some("r003669945"),
            ..Framing::default()
        };
        let mut out = Vec::new();
        encode_sentences(&m, &framing, &mut out);
        let mut d = Decoder::default();
        let mut got = Vec::new();
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if let Some(x) = d.feed(line).expect("encoded sentences are valid") {
                got.push(*x);
            }
        }
        prop_assert_eq!(got.len(), 1);
        prop_assert_eq!(got[0].message, m);
        if tagged {
            prop_assert_eq!(got[0].meta.received.map(|r| r.ms), Some(time * 1000));
            prop_assert_eq!(got[0].meta.station.as_str(), "r003669945");
        }
    }
}
