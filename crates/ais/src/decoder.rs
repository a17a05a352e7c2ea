//! The line-in, message-out decoder: framing, multi-sentence reassembly,
//! de-armouring and message decoding, with every rejection counted by reason.
//!
//! It never fails as a whole: each line yields a message, nothing (a fragment
//! was stored, or the line is not AIS), or a [`DecodeError`] that is also
//! tallied in [`Stats`]. Single-sentence messages, the vast majority, take a
//! path with no allocation and no reassembly bookkeeping.

use crate::bits::{ArmorError, PayloadBuf};
use crate::message::{Message, MessageError, Repairs};
use crate::nmea::{
    Checksum, FrameError, FrameErrorKind, Line, Sentence, TagBlock, Trailer, parse_line, parse_plain_sentence,
    parse_tagged_sentence, parse_trailer, trim_line_end,
};

/// Decoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Strict mode: reject missing checksums, out-of-range fill bits, bad tag
    /// blocks and any bit length ITU-R M.1371-5 does not allow. Lenient mode
    /// (the default) keeps such messages and records the repair.
    pub strict: bool,
    /// Most incomplete multi-sentence groups held at once; the oldest is evicted beyond it.
    pub max_pending_groups: usize,
    /// A pending group is dropped after this many further sentences without completing.
    pub max_group_age_sentences: u64,
    /// ... or after this much receive time, when receive times are known.
    pub max_group_age_ms: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options { strict: false, max_pending_groups: 64, max_group_age_sentences: 1024, max_group_age_ms: 60_000 }
    }
}

/// Where a receive time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// NMEA 4 tag block `c:`.
    TagBlock,
    /// A `$PGHP` sentence on the previous line.
    Pghp,
    /// A timestamp before the sentence on the same line.
    Prefix,
    /// Trailing receiver metadata after the checksum.
    Trailer,
}

/// A receive time in milliseconds since the Unix epoch, with its origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveTime {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub ms: i64,
    /// Where it came from.
    pub source: TimeSource,
}

/// A short receiving-station identifier stored inline (longer ones are cut).
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct StationId {
    len: u8,
    bytes: [u8; 23],
}

impl StationId {
    fn new(b: &[u8]) -> Self {
        let mut s = StationId::default();
        let n = b.len().min(23);
        s.bytes[..n].copy_from_slice(&b[..n]);
        s.len = n as u8;
        s
    }

    /// The identifier, lossily as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("?")
    }

    /// True if no identifier is known.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Grouping key of the station; 0 means unknown.
    fn hash(&self) -> u64 {
        if self.len == 0 {
            return 0;
        }
        // FNV-1a: identifiers are short and this is only a grouping key.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in &self.bytes[..self.len as usize] {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

impl core::fmt::Debug for StationId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// Sentence-level facts about a decoded message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Talker ID of the (last) sentence.
    pub talker: [u8; 2],
    /// True for VDO (own ship).
    pub own_ship: bool,
    /// Radio channel, if given.
    pub channel: Option<u8>,
    /// Number of sentences the message spanned.
    pub fragments: u8,
    /// Receive time, if the input carried one.
    pub received: Option<ReceiveTime>,
    /// Receiving station, from a tag block `s:` or trailing metadata.
    pub station: StationId,
    /// Payload length in bits.
    pub payload_bits: u16,
    /// A hash of the payload's bits: equal for the same message heard twice
    /// (several receivers, or a feed's repeat). See [`crate::bits::PayloadBuf::content_hash`].
    pub payload_hash: u64,
}

/// One decoded message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    /// The message.
    pub message: Message,
    /// What lenient mode assumed to keep it.
    pub repairs: Repairs,
    /// Sentence-level facts.
    pub meta: Meta,
}

/// Why a line did not yield a message. Each has a stable [`ErrorKind::reason`] name for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Framing error (see the offset).
    Frame(FrameErrorKind),
    /// Checksum does not match.
    BadChecksum {
        /// Computed.
        computed: u8,
        /// Found.
        found: u8,
    },
    /// No checksum (strict mode).
    MissingChecksum,
    /// Fill-bit field missing or not 0-5 (strict mode).
    BadFillBits,
    /// Tag block with a wrong checksum or malformed (strict mode).
    BadTagBlock,
    /// A payload character outside the six-bit alphabet.
    InvalidPayloadChar(u8),
    /// More payload than any message can hold.
    PayloadTooLong,
    /// A later fragment whose first fragment never arrived.
    OrphanFragment,
    /// A fragment number received twice for the same group.
    DuplicateFragment,
    /// The payload is not a message.
    Message(MessageError),
}

impl ErrorKind {
    /// Stable, machine-friendly name of the reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ErrorKind::Frame(FrameErrorKind::FieldCount) => "malformed_sentence",
            ErrorKind::Frame(FrameErrorKind::FragmentNumbers) => "bad_fragment_numbers",
            ErrorKind::Frame(FrameErrorKind::SequenceId) => "bad_sequence_id",
            ErrorKind::Frame(FrameErrorKind::ChecksumSyntax) => "malformed_checksum",
            ErrorKind::Frame(FrameErrorKind::UnterminatedTagBlock) => "bad_tag_block",
            ErrorKind::BadChecksum { .. } => "bad_checksum",
            ErrorKind::MissingChecksum => "missing_checksum",
            ErrorKind::BadFillBits => "bad_fill_bits",
            ErrorKind::BadTagBlock => "bad_tag_block",
            ErrorKind::InvalidPayloadChar(_) => "invalid_payload_char",
            ErrorKind::PayloadTooLong => "payload_too_long",
            ErrorKind::OrphanFragment => "orphan_fragment",
            ErrorKind::DuplicateFragment => "duplicate_fragment",
            ErrorKind::Message(MessageError::Empty) => "empty_payload",
            ErrorKind::Message(MessageError::UnknownType(_)) => "unknown_message_type",
            ErrorKind::Message(MessageError::Length { .. }) => "bad_length",
            ErrorKind::Message(MessageError::UnknownPart(_)) => "unknown_type24_part",
            ErrorKind::Message(MessageError::TooShortForMode { .. }) => "too_short_for_mode",
        }
    }
}

/// A rejected line, with the byte offset where the problem is when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong.
    pub kind: ErrorKind,
    /// Byte offset within the line.
    pub offset: Option<usize>,
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.kind {
            ErrorKind::Frame(kind) => {
                return FrameError { kind, offset: self.offset.unwrap_or(0) }.fmt(f);
            }
            ErrorKind::BadChecksum { computed, found } => {
                write!(f, "checksum is {found:02X}, sentence sums to {computed:02X}")?
            }
            ErrorKind::MissingChecksum => f.write_str("no checksum (strict mode)")?,
            ErrorKind::BadFillBits => f.write_str("fill-bit field is not a digit 0-5 (strict mode)")?,
            ErrorKind::BadTagBlock => f.write_str("tag block checksum wrong or tag block malformed (strict mode)")?,
            ErrorKind::InvalidPayloadChar(c) => {
                write!(f, "payload character {:?} is outside the six-bit alphabet", c as char)?
            }
            ErrorKind::PayloadTooLong => f.write_str("payload longer than any AIS message")?,
            ErrorKind::OrphanFragment => f.write_str("fragment of a group whose first sentence was not received")?,
            ErrorKind::DuplicateFragment => f.write_str("fragment number already received for this group")?,
            ErrorKind::Message(m) => m.fmt(f)?,
        }
        if let Some(o) = self.offset {
            write!(f, " (at byte {o})")?;
        }
        Ok(())
    }
}

/// Number of distinct rejection reasons (see [`ErrorKind::reason`]).
pub const REASONS: [&str; 18] = [
    "malformed_sentence",
    "bad_fragment_numbers",
    "bad_sequence_id",
    "malformed_checksum",
    "bad_tag_block",
    "bad_checksum",
    "missing_checksum",
    "bad_fill_bits",
    "invalid_payload_char",
    "payload_too_long",
    "orphan_fragment",
    "duplicate_fragment",
    "incomplete_group",
    "empty_payload",
    "unknown_message_type",
    "bad_length",
    "unknown_type24_part",
    "too_short_for_mode",
];

/// Running counts kept by the decoder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    /// Lines fed.
    pub lines: u64,
    /// AIS sentences seen (valid framing).
    pub sentences: u64,
    /// Lines that were not AIS (other NMEA, text, `$PGHP`, blank).
    pub ignored: u64,
    /// Messages decoded, by type (index 1-27).
    pub by_type: [u64; 28],
    /// Rejections, indexed like [`REASONS`].
    pub errors: [u64; REASONS.len()],
    /// Messages kept with repairs, by repair name (see [`Repairs::names`]).
    pub repairs: [u64; 5],
}

impl Stats {
    /// Messages decoded.
    pub fn messages(&self) -> u64 {
        self.by_type.iter().sum()
    }

    /// Rejections in total.
    pub fn rejected(&self) -> u64 {
        self.errors.iter().sum()
    }

    /// (reason, count) for every reason with a non-zero count.
    pub fn errors_by_reason(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        REASONS.iter().zip(self.errors.iter()).filter(|(_, n)| **n > 0).map(|(r, n)| (*r, *n))
    }

    fn count_error(&mut self, reason: &str) {
        if let Some(i) = REASONS.iter().position(|r| *r == reason) {
            self.errors[i] += 1;
        }
    }

    /// Adds another decoder's counts (for parallel decoding of independent inputs).
    pub fn merge(&mut self, o: &Stats) {
        self.lines += o.lines;
        self.sentences += o.sentences;
        self.ignored += o.ignored;
        for (a, b) in self.by_type.iter_mut().zip(o.by_type.iter()) {
            *a += b;
        }
        for (a, b) in self.errors.iter_mut().zip(o.errors.iter()) {
            *a += b;
        }
        for (a, b) in self.repairs.iter_mut().zip(o.repairs.iter()) {
            *a += b;
        }
    }
}

const MAX_FRAGMENTS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GroupKey {
    station: u64,
    tag_group: Option<u32>,
    channel: u8,
    seq: Option<u8>,
    count: u8,
    own_ship: bool,
}

impl GroupKey {
    /// Same group: every part equal, except that an unknown station (some
    /// logs put the receiver only on some lines of a group) matches any.
    fn matches(&self, o: &GroupKey) -> bool {
        (self.station == o.station || self.station == 0 || o.station == 0)
            && self.tag_group == o.tag_group
            && self.channel == o.channel
            && self.seq == o.seq
            && self.count == o.count
            && self.own_ship == o.own_ship
    }
}

#[derive(Debug)]
struct Pending {
    key: GroupKey,
    received: u16,
    parts: [(u32, u16); MAX_FRAGMENTS],
    chars: Vec<u8>,
    fill_bits: u8,
    first_time: Option<ReceiveTime>,
    station: StationId,
    born_at_sentence: u64,
    born_at_ms: Option<i64>,
    repairs: Repairs,
}

/// The decoder. Feed it lines; it keeps the state multi-sentence messages need.
#[derive(Debug)]
pub struct Decoder {
    opts: Options,
    payload: PayloadBuf,
    pending: Vec<Pending>,
    spare: Vec<Pending>,
    pghp_time: Option<i64>,
    stats: Stats,
    // The last message, kept here so that callers borrow it instead of copying it.
    last: Decoded,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(Options::default())
    }
}

impl Decoder {
    /// A decoder with these options.
    pub fn new(opts: Options) -> Self {
        let last = Decoded {
            message: Message::Position(Default::default()),
            repairs: Repairs::NONE,
            meta: Meta {
                talker: *b"AI",
                own_ship: false,
                channel: None,
                fragments: 0,
                received: None,
                station: StationId::default(),
                payload_bits: 0,
                payload_hash: 0,
            },
        };
        Decoder {
            opts,
            payload: PayloadBuf::default(),
            pending: Vec::new(),
            spare: Vec::new(),
            pghp_time: None,
            stats: Stats::default(),
            last,
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Options in use.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Forgets pending fragments and timestamps, counting unfinished groups as incomplete.
    /// Call at the end of an input.
    pub fn finish(&mut self) {
        for p in self.pending.drain(..) {
            self.stats.count_error("incomplete_group");
            self.spare.push(p);
        }
        self.pghp_time = None;
    }

    /// Feeds one line. Returns the message it completed, if any, borrowed
    /// from the decoder until the next call.
    pub fn feed(&mut self, line: &[u8]) -> Result<Option<&Decoded>, DecodeError> {
        self.stats.lines += 1;
        match self.feed_inner(line) {
            Ok(true) => {
                let d = &self.last;
                self.stats.by_type[d.message.msg_type() as usize] += 1;
                if !d.repairs.is_empty() {
                    for (i, name) in Repairs::ALL_NAMES.iter().enumerate() {
                        if d.repairs.names().any(|n| n == *name) {
                            self.stats.repairs[i] += 1;
                        }
                    }
                }
                Ok(Some(&self.last))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                self.stats.count_error(e.kind.reason());
                Err(e)
            }
        }
    }

    fn feed_inner(&mut self, line: &[u8]) -> Result<bool, DecodeError> {
        // The two common forms, a bare sentence and one with a tag block, each in
        // one pass; parse_line reads every form.
        let trimmed = trim_line_end(line);
        if let Some((sentence, after)) = parse_plain_sentence(trimmed) {
            return self.sentence(line, None, &TagBlock::default(), &sentence, &parse_trailer(after));
        }
        let mut tag = TagBlock::default();
        if let Some((sentence, after)) = parse_tagged_sentence(trimmed, &mut tag) {
            return self.sentence(line, None, &tag, &sentence, &parse_trailer(after));
        }
        let parsed =
            parse_line(line).map_err(|e| DecodeError { kind: ErrorKind::Frame(e.kind), offset: Some(e.offset) })?;
        match parsed {
            Line::Ais { prefix_time_ms, tag, sentence, trailer } => {
                self.sentence(line, prefix_time_ms, &tag, &sentence, &trailer)
            }
            Line::Pghp { time_ms } => {
                self.stats.ignored += 1;
                self.pghp_time = Some(time_ms);
                Ok(false)
            }
            Line::Other | Line::Blank => {
                self.stats.ignored += 1;
                Ok(false)
            }
        }
    }

    fn sentence(
        &mut self,
        line: &[u8],
        prefix_time_ms: Option<i64>,
        tag: &TagBlock<'_>,
        sentence: &Sentence<'_>,
        trailer: &Trailer<'_>,
    ) -> Result<bool, DecodeError> {
        self.stats.sentences += 1;
        let pghp = self.pghp_time.take();
        let mut repairs = Repairs::NONE;
        let strict = self.opts.strict;

        match sentence.checksum {
            Checksum::Valid => {}
            Checksum::Missing if !strict => repairs.insert(Repairs::NO_CHECKSUM),
            Checksum::Missing => {
                return Err(DecodeError { kind: ErrorKind::MissingChecksum, offset: None });
            }
            Checksum::Mismatch { computed, found } => {
                return Err(DecodeError { kind: ErrorKind::BadChecksum { computed, found }, offset: None });
            }
        }
        let no_tag = TagBlock::default();
        let tag = if tag.present && !tag.valid {
            if strict {
                return Err(DecodeError { kind: ErrorKind::BadTagBlock, offset: None });
            }
            repairs.insert(Repairs::BAD_TAG_BLOCK);
            &no_tag
        } else {
            tag
        };
        let fill = match sentence.fill_bits {
            Some(f) => f,
            None if strict => {
                return Err(DecodeError { kind: ErrorKind::BadFillBits, offset: None });
            }
            None => {
                repairs.insert(Repairs::FILL_BITS);
                0
            }
        };
        let received = receive_time(tag, pghp, prefix_time_ms, trailer);
        let station = match (tag.source, trailer.station) {
            (Some(s), _) | (None, Some(s)) => StationId::new(s),
            (None, None) => StationId::default(),
        };
        let meta = Meta {
            talker: sentence.talker,
            own_ship: sentence.own_ship,
            channel: sentence.channel,
            fragments: sentence.fragment_count,
            received,
            station,
            payload_bits: 0,
            payload_hash: 0,
        };

        if sentence.fragment_count == 1 {
            self.payload.clear();
            if let Err(e) = self.payload.push_armored(sentence.payload) {
                return Err(armor_error(e, payload_offset(line, sentence)));
            }
            self.payload.trim_fill(fill as usize);
            return self.decode_payload(meta, repairs);
        }
        self.add_fragment(sentence, tag, fill, meta, repairs, payload_offset(line, sentence))
    }

    fn decode_payload(&mut self, mut meta: Meta, mut repairs: Repairs) -> Result<bool, DecodeError> {
        let bits = self.payload.bits();
        meta.payload_bits = bits.len().min(u16::MAX as usize) as u16;
        meta.payload_hash = self.payload.content_hash();
        let more = Message::decode_into(bits, self.opts.strict, &mut self.last.message)
            .map_err(|e| DecodeError { kind: ErrorKind::Message(e), offset: None })?;
        repairs.insert(more);
        self.last.repairs = repairs;
        self.last.meta = meta;
        Ok(true)
    }

    fn add_fragment(
        &mut self,
        s: &Sentence<'_>,
        tag: &TagBlock<'_>,
        fill: u8,
        meta: Meta,
        repairs: Repairs,
        payload_offset: usize,
    ) -> Result<bool, DecodeError> {
        let now_sentence = self.stats.sentences;
        let now_ms = meta.received.map(|t| t.ms);
        self.expire(now_sentence, now_ms);

        // With a tag-block group the group id links the fragments, and later
        // fragments often omit the source; otherwise the station does.
        let key = GroupKey {
            station: if tag.group.is_some() { 0 } else { meta.station.hash() },
            tag_group: tag.group.map(|g| g.id),
            channel: s.channel.unwrap_or(0),
            seq: s.sequence_id,
            count: s.fragment_count,
            own_ship: s.own_ship,
        };
        let number = s.fragment_number as usize;
        let bit = 1u16 << (number - 1);
        let idx = self.pending.iter().position(|p| p.key.matches(&key));

        let idx = match idx {
            Some(i) if self.pending[i].received & bit != 0 => {
                let p = &self.pending[i];
                let (start, len) = p.parts[number - 1];
                let same = &p.chars[start as usize..start as usize + len as usize] == s.payload;
                if same {
                    return Err(DecodeError { kind: ErrorKind::DuplicateFragment, offset: None });
                }
                // Same key, different content: the sender reused the sequence id
                // for a new message; the old group will never complete.
                self.drop_pending(i);
                if number != 1 {
                    return Err(DecodeError { kind: ErrorKind::OrphanFragment, offset: None });
                }
                self.new_pending(key, meta, now_sentence)
            }
            Some(i) => i,
            None => {
                if number != 1 {
                    return Err(DecodeError { kind: ErrorKind::OrphanFragment, offset: None });
                }
                self.new_pending(key, meta, now_sentence)
            }
        };
        let p = &mut self.pending[idx];
        let start = p.chars.len();
        p.chars.extend_from_slice(s.payload);
        #[allow(clippy::cast_possible_truncation)]
        {
            p.parts[number - 1] = (start as u32, s.payload.len().min(u16::MAX as usize) as u16);
        }
        p.received |= bit;
        p.repairs.insert(repairs);
        if number == s.fragment_count as usize {
            p.fill_bits = fill;
        }
        let all = (1u16 << s.fragment_count) - 1;
        if p.received != all {
            return Ok(false);
        }
        // Complete: assemble in fragment order.
        let p = self.pending.swap_remove(idx);
        self.payload.clear();
        let mut result = Ok(());
        for k in 0..p.key.count as usize {
            let (start, len) = p.parts[k];
            if let Err(e) = self.payload.push_armored(&p.chars[start as usize..start as usize + len as usize]) {
                // Offsets refer to the last line only when the bad fragment is the last one.
                let off = if k + 1 == p.key.count as usize { payload_offset } else { 0 };
                result = Err(armor_error(e, off));
                break;
            }
        }
        self.payload.trim_fill(p.fill_bits as usize);
        let meta = Meta {
            received: p.first_time.or(meta.received),
            station: if p.station.is_empty() { meta.station } else { p.station },
            ..meta
        };
        let repairs = p.repairs;
        self.recycle(p);
        result?;
        self.decode_payload(meta, repairs)
    }

    fn new_pending(&mut self, key: GroupKey, meta: Meta, now_sentence: u64) -> usize {
        if self.pending.len() >= self.opts.max_pending_groups.max(1) {
            // Evict the oldest.
            let oldest = (0..self.pending.len()).min_by_key(|&i| self.pending[i].born_at_sentence).unwrap_or(0);
            self.drop_pending(oldest);
        }
        let mut p = self.spare.pop().unwrap_or_else(|| Pending {
            key,
            received: 0,
            parts: [(0, 0); MAX_FRAGMENTS],
            chars: Vec::with_capacity(256),
            fill_bits: 0,
            first_time: None,
            station: StationId::default(),
            born_at_sentence: 0,
            born_at_ms: None,
            repairs: Repairs::NONE,
        });
        p.key = key;
        p.received = 0;
        p.chars.clear();
        p.fill_bits = 0;
        p.first_time = meta.received;
        p.station = meta.station;
        p.born_at_sentence = now_sentence;
        p.born_at_ms = meta.received.map(|t| t.ms);
        p.repairs = Repairs::NONE;
        self.pending.push(p);
        self.pending.len() - 1
    }

    fn drop_pending(&mut self, i: usize) {
        let p = self.pending.swap_remove(i);
        self.stats.count_error("incomplete_group");
        self.recycle(p);
    }

    fn recycle(&mut self, p: Pending) {
        if self.spare.len() < 8 {
            self.spare.push(p);
        }
    }

    fn expire(&mut self, now_sentence: u64, now_ms: Option<i64>) {
        let max_age = self.opts.max_group_age_sentences;
        let max_ms = self.opts.max_group_age_ms;
        let mut i = 0;
        while i < self.pending.len() {
            let p = &self.pending[i];
            let too_old = now_sentence.saturating_sub(p.born_at_sentence) > max_age
                || matches!((now_ms, p.born_at_ms), (Some(n), Some(b)) if (n - b).abs() > max_ms);
            if too_old {
                self.drop_pending(i);
            } else {
                i += 1;
            }
        }
    }
}

fn receive_time(
    tag: &TagBlock<'_>,
    pghp: Option<i64>,
    prefix: Option<i64>,
    trailer: &Trailer<'_>,
) -> Option<ReceiveTime> {
    if let Some(ms) = tag.time_ms {
        return Some(ReceiveTime { ms, source: TimeSource::TagBlock });
    }
    if let Some(ms) = pghp {
        return Some(ReceiveTime { ms, source: TimeSource::Pghp });
    }
    if let Some(ms) = prefix {
        return Some(ReceiveTime { ms, source: TimeSource::Prefix });
    }
    trailer.time_ms.map(|ms| ReceiveTime { ms, source: TimeSource::Trailer })
}

fn payload_offset(line: &[u8], s: &Sentence<'_>) -> usize {
    // The payload slice borrows from the line, so its offset is pointer distance.
    (s.payload.as_ptr() as usize).saturating_sub(line.as_ptr() as usize)
}

fn armor_error(e: ArmorError, payload_offset: usize) -> DecodeError {
    match e {
        ArmorError::InvalidChar { index, byte } => {
            DecodeError { kind: ErrorKind::InvalidPayloadChar(byte), offset: Some(payload_offset + index) }
        }
        ArmorError::TooLong { .. } => DecodeError { kind: ErrorKind::PayloadTooLong, offset: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(lines: &[&str]) -> (Vec<Decoded>, Stats) {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for l in lines {
            if let Ok(Some(m)) = d.feed(l.as_bytes()) {
                out.push(*m);
            }
        }
        d.finish();
        (out, d.stats().clone())
    }

    const TYPE5_A: &str = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
    const TYPE5_B: &str = "!AIVDM,2,2,1,A,88888888880,2*25";

    #[test]
    fn reassembles_two_fragments() {
        let (out, stats) = decode_all(&[TYPE5_A, TYPE5_B]);
        assert_eq!(out.len(), 1);
        let Message::StaticVoyage(m) = out[0].message else { panic!() };
        assert_eq!(m.mmsi, 351759000);
        assert_eq!(m.shipname.as_str(), "EVER DIADEM");
        assert_eq!(m.destination.as_str(), "NEW YORK");
        assert_eq!(out[0].meta.fragments, 2);
        assert_eq!(stats.by_type[5], 1);
    }

    #[test]
    fn reassembles_out_of_order_and_interleaved_channels() {
        let other = with_checksum("AIVDM,2,1,1,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0");
        let other_b = with_checksum("AIVDM,2,2,1,B,88888888880,2");
        let (out, stats) = decode_all(&[TYPE5_B, &other, TYPE5_A, &other_b]);
        // TYPE5_B first is an orphan (nothing pending); the B-channel pair completes.
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].meta.channel, Some(b'B'));
        assert_eq!(stats.errors_by_reason().collect::<Vec<_>>(), vec![("orphan_fragment", 1), ("incomplete_group", 1)]);
    }

    #[test]
    fn duplicate_fragments_are_counted_not_fatal() {
        let (out, stats) = decode_all(&[TYPE5_A, TYPE5_A, TYPE5_B]);
        assert_eq!(out.len(), 1);
        assert_eq!(stats.errors_by_reason().collect::<Vec<_>>(), vec![("duplicate_fragment", 1)]);
    }

    #[test]
    fn stale_groups_are_evicted() {
        let mut d = Decoder::new(Options { max_group_age_sentences: 2, ..Options::default() });
        d.feed(TYPE5_A.as_bytes()).unwrap();
        for _ in 0..3 {
            d.feed(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap();
        }
        assert_eq!(d.feed(TYPE5_B.as_bytes()).unwrap_err().kind, ErrorKind::OrphanFragment);
        assert_eq!(
            d.stats().errors_by_reason().collect::<Vec<_>>(),
            vec![("orphan_fragment", 1), ("incomplete_group", 1)]
        );
    }

    #[test]
    fn pghp_time_applies_to_the_next_sentence_only() {
        let (out, _) = decode_all(&[
            "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B",
            "!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B",
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
        ]);
        assert_eq!(out[0].meta.received, Some(ReceiveTime { ms: 1_276_256_771_390, source: TimeSource::Pghp }));
        assert_eq!(out[1].meta.received, None);
    }

    #[test]
    fn strict_and_lenient_differ_on_missing_checksum() {
        let line = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0";
        let mut lenient = Decoder::default();
        assert!(lenient.feed(line).unwrap().unwrap().repairs.contains(Repairs::NO_CHECKSUM));
        let mut strict = Decoder::new(Options { strict: true, ..Options::default() });
        assert_eq!(strict.feed(line).unwrap_err().kind, ErrorKind::MissingChecksum);
    }

    fn with_checksum(body: &str) -> String {
        format!("!{body}*{:02X}", crate::nmea::nmea_checksum(body.as_bytes()))
    }

    #[test]
    fn invalid_payload_character_names_its_byte() {
        let line = with_checksum("AIVDM,1,1,,A,15RT!t0PAso;90TKcjM8h6g208CQ,0");
        let e = Decoder::default().feed(line.as_bytes()).unwrap_err();
        assert_eq!(e.kind.reason(), "invalid_payload_char");
        assert_eq!(e.offset, Some(18));
    }
}
