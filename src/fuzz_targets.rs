//! Body of the `gpsd_json` fuzz target (see `fuzz/`), replayed by `cargo test`.

use sealane_ais::bits::Bits;
use sealane_ais::decoder::{Decoded, Meta, StationId};
use sealane_ais::{Message, Repairs};

use crate::gpsd::GpsdWriter;

/// Arbitrary bytes as a message: whatever decodes must render as one valid JSON object per line.
pub fn gpsd_json(data: &[u8]) {
    let Some((&extra, bytes)) = data.split_first() else { return };
    let len = (bytes.len() * 8).saturating_sub((extra & 7) as usize);
    let Ok((message, repairs)) = Message::decode(Bits::new(bytes, len), false) else { return };
    let d = Decoded {
        message,
        repairs: if extra & 8 != 0 { Repairs::SHORT } else { repairs },
        meta: Meta {
            talker: *b"AI",
            own_ship: false,
            channel: None,
            fragments: 1,
            received: None,
            station: StationId::default(),
            payload_bits: 0,
            payload_hash: 0,
        },
    };
    for scaled in [false, true] {
        let mut w = GpsdWriter::new(scaled);
        let mut out = Vec::new();
        w.write(&d, 1, &mut out);
        w.write(&d, 2, &mut out);
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let v: serde_json::Value = serde_json::from_slice(line)
                .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(line)));
            assert!(v.is_object());
        }
    }
}
