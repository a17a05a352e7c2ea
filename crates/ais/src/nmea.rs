//! NMEA 0183 framing of AIS: `!xxVDM`/`!xxVDO` sentences, IEC 61162-450 /
//! NMEA 4 tag blocks, and the receiver decorations real logs carry (`$PGHP`
//! timestamp sentences, leading epoch or ISO timestamps, trailing USCG metadata).
//!
//! [`parse_line`] never panics and never allocates; every rejection names the
//! byte offset where the line stopped making sense.

use crate::time::{civil_to_unix_ms, parse_iso_ms};

/// State of a sentence's `*hh` checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// Present and correct.
    Valid,
    /// No `*hh` field.
    Missing,
    /// Present but wrong.
    Mismatch {
        /// Checksum computed over the sentence.
        computed: u8,
        /// Checksum found in the sentence.
        found: u8,
    },
}

/// One `!xxVDM` or `!xxVDO` sentence, borrowing from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Talker ID, e.g. `AI`, `AB`, `BS`, `SA`.
    pub talker: [u8; 2],
    /// True for VDO (own ship), false for VDM.
    pub own_ship: bool,
    /// Number of sentences in the message (1-9).
    pub fragment_count: u8,
    /// This sentence's number (1-based).
    pub fragment_number: u8,
    /// Sequential message identifier that links fragments (0-9), if given.
    pub sequence_id: Option<u8>,
    /// Radio channel (`A`, `B`, `1`, `2`, ...), if given.
    pub channel: Option<u8>,
    /// Armoured payload characters.
    pub payload: &'a [u8],
    /// Fill bits, if the field holds a digit 0-5.
    pub fill_bits: Option<u8>,
    /// Checksum state.
    pub checksum: Checksum,
}

/// Tag-block grouping of a multi-sentence message (`g:1-2-1234`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagGroup {
    /// This sentence's number in the group.
    pub number: u8,
    /// Sentences in the group.
    pub count: u8,
    /// Group identifier.
    pub id: u32,
}

/// NMEA 4 / IEC 61162-450 tag block fields (all tag blocks of a line merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TagBlock<'a> {
    /// `c:` receiver time, milliseconds since the Unix epoch.
    pub time_ms: Option<i64>,
    /// `s:` source (station) identifier.
    pub source: Option<&'a [u8]>,
    /// `g:` sentence grouping.
    pub group: Option<TagGroup>,
    /// `n:` line count.
    pub line_count: Option<u32>,
    /// `d:` destination identifier.
    pub destination: Option<&'a [u8]>,
    /// `t:` free text.
    pub text: Option<&'a [u8]>,
    /// `r:` relative time.
    pub relative_time: Option<i64>,
    /// False if a tag block's checksum was wrong or missing, or it was malformed.
    pub valid: bool,
    /// True if the line had at least one tag block.
    pub present: bool,
}

/// Receiver metadata appended after the checksum (USCG NAIS format:
/// `,d-109,S2105,t050056.00,T56.13,r003669946,1325394060,1325394001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trailer<'a> {
    /// `r...` or `b...` receiving station.
    pub station: Option<&'a [u8]>,
    /// First integer field, read as Unix seconds.
    pub time_ms: Option<i64>,
}

/// What one input line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// An AIS sentence with its decorations.
    Ais {
        /// Time from a leading timestamp before the sentence, ms since the epoch.
        prefix_time_ms: Option<i64>,
        /// Tag block(s).
        tag: TagBlock<'a>,
        /// The sentence.
        sentence: Sentence<'a>,
        /// Trailing receiver metadata.
        trailer: Trailer<'a>,
    },
    /// A Danish Maritime Authority `$PGHP` timestamp for the next sentence.
    Pghp {
        /// Time, ms since the epoch.
        time_ms: i64,
    },
    /// Any other NMEA sentence (GPS, other AIS sentence formatters) or text: not AIS data.
    Other,
    /// Empty line or comment.
    Blank,
}

/// Why a line is not a usable AIS sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameErrorKind {
    /// The sentence does not have the seven comma-separated VDM/VDO fields.
    FieldCount,
    /// The fragment count or number is missing, out of range or inconsistent.
    FragmentNumbers,
    /// The sequential message ID is not a digit.
    SequenceId,
    /// The checksum is not two hexadecimal digits.
    ChecksumSyntax,
    /// A tag block is not closed by a backslash.
    UnterminatedTagBlock,
}

/// A framing error and the byte offset in the line where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameError {
    /// What is wrong.
    pub kind: FrameErrorKind,
    /// Byte offset in the line.
    pub offset: usize,
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = match self.kind {
            FrameErrorKind::FieldCount => {
                "expected 7 comma-separated fields (!xxVDM,count,number,seq,channel,payload,fill)"
            }
            FrameErrorKind::FragmentNumbers => "fragment count/number missing, not 1-9, or number > count",
            FrameErrorKind::SequenceId => "sequential message ID is not a digit",
            FrameErrorKind::ChecksumSyntax => "checksum after '*' is not two hexadecimal digits",
            FrameErrorKind::UnterminatedTagBlock => "tag block not closed by '\\'",
        };
        write!(f, "{what} (at byte {})", self.offset)
    }
}

/// XOR of all bytes, eight at a time.
#[inline]
pub fn nmea_checksum(body: &[u8]) -> u8 {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let mut chunks = body.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        acc ^= word(c);
    }
    let tail = chunks.remainder().len();
    if tail > 0 {
        if body.len() >= 8 {
            // The last eight bytes again, shifted so only the unread tail remains.
            acc ^= word(&body[body.len() - 8..]) >> (8 * (8 - tail));
        } else {
            for &b in body {
                acc ^= u64::from(b);
            }
        }
    }
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    acc as u8
}

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Parses an unsigned decimal integer that fits in u64.
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u64;
    }
    Some(v)
}

/// Reads a tag block `c:` time: Unix seconds (optionally with a fraction), or
/// milliseconds when it has 12 or more digits and no fraction.
fn parse_tag_time_ms(s: &[u8]) -> Option<i64> {
    let (time_ms, used) = read_tag_time(s)?;
    (used == s.len()).then_some(time_ms)
}

/// A tag-block time at the start of `s`, and how many bytes it takes; the
/// caller decides what may follow. One pass: this runs for nearly every line
/// of a tagged feed.
fn read_tag_time(s: &[u8]) -> Option<(i64, usize)> {
    // A time has ten digits or more: the first eight in one step when they are digits.
    let (mut v, mut i) = match s.get(..8).and_then(eight_digits) {
        Some(v) => (v, 8),
        None => (0, 0),
    };
    while i < s.len() && s[i].is_ascii_digit() {
        if i == 19 {
            return None;
        }
        v = v * 10 + u64::from(s[i] - b'0');
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let v = i64::try_from(v).ok()?;
    if s.get(i) != Some(&b'.') {
        return Some((if i >= 12 { v } else { v.checked_mul(1000)? }, i));
    }
    // Milliseconds from the fraction's first three digits; more are read and ignored.
    let mut ms = 0i64;
    let mut j = i + 1;
    while j < s.len() && s[j].is_ascii_digit() {
        if j - i <= 3 {
            ms = ms * 10 + i64::from(s[j] - b'0');
        }
        j += 1;
    }
    for _ in (j - i)..4 {
        ms *= 10;
    }
    Some((v.checked_mul(1000)?.checked_add(ms)?, j))
}

/// The value of eight ASCII decimal digits, or `None` if any is not a digit.
fn eight_digits(s: &[u8]) -> Option<u64> {
    let x = u64::from_le_bytes(s.try_into().ok()?);
    // Every byte's high nibble is 3, and adding 6 keeps it 3 (so the low nibble is at most 9).
    let high = 0xF0F0_F0F0_F0F0_F0F0;
    if (x & high) | ((x.wrapping_add(0x0606_0606_0606_0606) & high) >> 4) != 0x3333_3333_3333_3333 {
        return None;
    }
    // Pairs, then fours, then all eight; the first character is the low byte.
    let d = x & 0x0F0F_0F0F_0F0F_0F0F;
    let d = (d.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let d = (d.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    Some(d.wrapping_mul(10_000 << 32 | 1) >> 32)
}

/// A `c:` value starting at `start` when it is a well-formed time running to
/// the next comma or the end: the time and where the value ends. Otherwise
/// `None`, and the general path reads the field.
fn tag_time_field(content: &[u8], start: usize) -> Option<(i64, usize)> {
    let (time_ms, used) = read_tag_time(&content[start..])?;
    let end = start + used;
    (end == content.len() || content[end] == b',').then_some((time_ms, end))
}

/// Milliseconds in the digits after a decimal point (beyond the third ignored).
fn fraction_ms(frac: &[u8]) -> Option<i64> {
    if !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut f = 0i64;
    for k in 0..3 {
        f = f * 10 + frac.get(k).map_or(0, |d| (d - b'0') as i64);
    }
    Some(f)
}

/// Reads an epoch time in a receiver prefix or trailer, where a bare number
/// must look like a plausible epoch: 9-11 digits of seconds (optionally with a
/// fraction) or 13 digits of milliseconds.
fn parse_epoch_ms(s: &[u8]) -> Option<i64> {
    let (int, frac) = match s.iter().position(|&b| b == b'.') {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, &s[s.len()..]),
    };
    let v = parse_u64(int)?;
    let mut ms = if int.len() >= 13 && frac.is_empty() {
        i64::try_from(v).ok()?
    } else if (9..=11).contains(&int.len()) {
        i64::try_from(v).ok()?.checked_mul(1000)?
    } else {
        return None;
    };
    if !frac.is_empty() {
        ms += fraction_ms(frac)?;
    }
    Some(ms)
}

/// A line without its trailing whitespace and line terminator.
#[inline]
pub fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n' | b' ' | b'\t' | 0) {
        end -= 1;
    }
    &line[..end]
}

/// Parses one line (without requiring its line terminator).
pub fn parse_line(line: &[u8]) -> Result<Line<'_>, FrameError> {
    let line = trim_line_end(line);
    let mut start = 0;
    while start < line.len() && matches!(line[start], b' ' | b'\t') {
        start += 1;
    }
    if start == line.len() || line[start] == b'#' {
        return Ok(Line::Blank);
    }
    // Locate the first structural character; what precedes it is a receiver prefix.
    let Some(first) = line[start..].iter().position(|&b| matches!(b, b'!' | b'\\' | b'$')) else {
        return Ok(Line::Other);
    };
    let first = start + first;
    let prefix_time_ms = if first > start { parse_prefix_time(&line[start..first]) } else { None };

    let mut pos = first;
    let mut tag = TagBlock::default();
    while pos < line.len() && line[pos] == b'\\' {
        let Some(close) = find_byte(line, pos + 1, b'\\') else {
            return Err(FrameError { kind: FrameErrorKind::UnterminatedTagBlock, offset: pos });
        };
        parse_tag_block(&line[pos + 1..close], &mut tag);
        pos = close + 1;
    }
    if pos >= line.len() {
        return Ok(Line::Other);
    }
    if let Some((sentence, after)) = parse_plain_sentence(&line[pos..]) {
        return Ok(Line::Ais { prefix_time_ms, tag, sentence, trailer: parse_trailer(after) });
    }
    let lead = line[pos];
    if lead != b'!' && lead != b'$' {
        return Ok(Line::Other);
    }
    let rest = &line[pos..];
    if rest.len() >= 6 && &rest[1..6] == b"PGHP," {
        return Ok(parse_pghp(rest).map_or(Line::Other, |time_ms| Line::Pghp { time_ms }));
    }
    if rest.len() < 7 || rest[6] != b',' || !matches!(&rest[3..6], b"VDM" | b"VDO") {
        return Ok(Line::Other);
    }
    let (sentence, trailer) = parse_sentence(rest).map_err(|mut e| {
        e.offset += pos;
        e
    })?;
    Ok(Line::Ais { prefix_time_ms, tag, sentence, trailer })
}

fn parse_prefix_time(p: &[u8]) -> Option<i64> {
    // Drop separators between the timestamp and the sentence.
    let mut e = p.len();
    while e > 0 && matches!(p[e - 1], b' ' | b'\t' | b',' | b';' | b':' | b'|') {
        e -= 1;
    }
    let p = &p[..e];
    parse_epoch_ms(p).or_else(|| core::str::from_utf8(p).ok().and_then(parse_iso_ms))
}

fn parse_tag_block<'a>(block: &'a [u8], tag: &mut TagBlock<'a>) {
    let first_block = !tag.present;
    tag.present = true;
    if first_block {
        tag.valid = true;
    }
    // The checksum ends the block; look further only when it is not in its place.
    let star = match block.len().checked_sub(3) {
        Some(p) if block[p] == b'*' => Some(p),
        _ => memchr::memrchr(b'*', block),
    };
    let (content, ok) = match star {
        Some(star) => {
            let cs = &block[star + 1..];
            let ok = cs.len() == 2
                && match (hex_val(cs[0]), hex_val(cs[1])) {
                    (Some(h), Some(l)) => (h << 4 | l) == nmea_checksum(&block[..star]),
                    _ => false,
                };
            (&block[..star], ok)
        }
        None => (block, false),
    };
    if !ok {
        tag.valid = false;
    }
    let mut from = 0;
    while from < content.len() {
        // The time is in nearly every block: read it where it stands, digits up to the comma.
        if content[from..].starts_with(b"c:") {
            if let Some((time_ms, end)) = tag_time_field(content, from + 2) {
                tag.time_ms = Some(time_ms);
                from = end + 1;
                continue;
            }
        }
        let end = find_byte(content, from, b',').unwrap_or(content.len());
        let field = &content[from..end];
        from = end + 1;
        if field.len() < 2 {
            continue;
        }
        // Keys are one letter except the old-style grouping ("1G2:0125").
        let colon = if field[1] == b':' && field[0] != b':' { Some(1) } else { field.iter().position(|&b| b == b':') };
        let Some(colon) = colon else {
            tag.valid = false;
            continue;
        };
        let (key, value) = (&field[..colon], &field[colon + 1..]);
        match key {
            b"c" => tag.time_ms = parse_tag_time_ms(value),
            b"s" => tag.source = Some(value),
            b"d" => tag.destination = Some(value),
            b"t" => tag.text = Some(value),
            b"n" => tag.line_count = parse_u64(value).and_then(|v| u32::try_from(v).ok()),
            b"r" => tag.relative_time = parse_u64(value).and_then(|v| i64::try_from(v).ok()),
            b"g" => tag.group = parse_group(value, b'-'),
            // Old-style grouping "1G2:0125": number, 'G', count, then the id as the value.
            k if k.len() >= 3 && k.contains(&b'G') => {
                let g = k.iter().position(|&b| b == b'G').unwrap_or(0);
                let number = parse_u64(&k[..g]);
                let count = parse_u64(&k[g + 1..]);
                let id = parse_u64(value);
                if let (Some(number), Some(count), Some(id)) = (number, count, id) {
                    tag.group = make_group(number, count, id);
                }
            }
            _ => {}
        }
    }
}

fn make_group(number: u64, count: u64, id: u64) -> Option<TagGroup> {
    Some(TagGroup { number: u8::try_from(number).ok()?, count: u8::try_from(count).ok()?, id: u32::try_from(id).ok()? })
}

fn parse_group(v: &[u8], sep: u8) -> Option<TagGroup> {
    let mut it = v.split(|&b| b == sep);
    let number = parse_u64(it.next()?)?;
    let count = parse_u64(it.next()?)?;
    let id = parse_u64(it.next()?)?;
    make_group(number, count, id)
}

/// `$PGHP,1,<year>,<month>,<day>,<hour>,<minute>,<second>,<ms>,...*hh` (DMA receiver timestamp).
fn parse_pghp(s: &[u8]) -> Option<i64> {
    let star = s.iter().rposition(|&b| b == b'*')?;
    let cs = s.get(star + 1..star + 3)?;
    let found = hex_val(cs[0])? << 4 | hex_val(cs[1])?;
    if found != nmea_checksum(&s[1..star]) {
        return None;
    }
    let mut f = s[..star].split(|&b| b == b',');
    f.next(); // $PGHP
    if f.next()? != b"1" {
        return None;
    }
    let mut n = [0i64; 7];
    for v in n.iter_mut() {
        *v = i64::try_from(parse_u64(f.next()?)?).ok()?;
    }
    civil_to_unix_ms(n[0], n[1], n[2], n[3], n[4], n[5], n[6])
}

fn parse_sentence(s: &[u8]) -> Result<(Sentence<'_>, Trailer<'_>), FrameError> {
    // `s` starts at '!' (or '$'); the payload alphabet excludes '*', so the
    // first '*' ends the checksummed body.
    let star = memchr::memchr(b'*', s);
    let body_end = star.unwrap_or(s.len());
    let body = &s[1..body_end];
    let (checksum, after) = match star {
        Some(p) => {
            let (Some(&h), Some(&l)) = (s.get(p + 1), s.get(p + 2)) else {
                return Err(FrameError { kind: FrameErrorKind::ChecksumSyntax, offset: p });
            };
            let (Some(h), Some(l)) = (hex_val(h), hex_val(l)) else {
                return Err(FrameError { kind: FrameErrorKind::ChecksumSyntax, offset: p });
            };
            let found = h << 4 | l;
            let computed = nmea_checksum(body);
            let c = if found == computed { Checksum::Valid } else { Checksum::Mismatch { computed, found } };
            (c, &s[p + 3..])
        }
        None => (Checksum::Missing, &s[s.len()..]),
    };

    // body = "AIVDM,count,number,seq,channel,payload,fill". The four short
    // header fields are walked; the payload runs to the last comma.
    let field_err = |at: usize| FrameError { kind: FrameErrorKind::FieldCount, offset: 1 + at };
    let mut starts = [0usize; 5];
    let mut ends = [0usize; 5];
    let mut i = 6; // just after "AIVDM,"
    for k in 0..4 {
        starts[k] = i;
        while i < body.len() && body[i] != b',' {
            i += 1;
            if i - starts[k] > 20 {
                return Err(field_err(i));
            }
        }
        if i >= body.len() {
            return Err(field_err(i));
        }
        ends[k] = i;
        i += 1;
    }
    let Some(last_comma) = memchr::memrchr(b',', body).filter(|&c| c >= i) else {
        return Err(field_err(body.len()));
    };
    let payload = &body[i..last_comma];
    if let Some(extra) = memchr::memchr(b',', payload) {
        return Err(field_err(i + extra));
    }
    let fill_field = &body[last_comma + 1..];
    let field = |k: usize| &body[starts[k]..ends[k]];
    let talker = [body[0], body[1]];
    let own_ship = &body[2..5] == b"VDO";
    let count = parse_u64(field(0)).filter(|c| (1..=9).contains(c));
    let number = parse_u64(field(1)).filter(|n| *n >= 1);
    let (Some(count), Some(number)) = (count, number) else {
        let off = if count.is_none() { starts[0] } else { starts[1] };
        return Err(FrameError { kind: FrameErrorKind::FragmentNumbers, offset: 1 + off });
    };
    if number > count {
        return Err(FrameError { kind: FrameErrorKind::FragmentNumbers, offset: 1 + starts[1] });
    }
    let sequence_id = match field(2) {
        [] => None,
        [d] if d.is_ascii_digit() => Some(d - b'0'),
        _ => {
            return Err(FrameError { kind: FrameErrorKind::SequenceId, offset: 1 + starts[2] });
        }
    };
    let channel = field(3).first().copied();
    let fill_bits = match fill_field {
        [d @ b'0'..=b'5'] => Some(d - b'0'),
        _ => None,
    };
    let trailer = parse_trailer(after);
    #[allow(clippy::cast_possible_truncation)]
    let sentence = Sentence {
        talker,
        own_ship,
        fragment_count: count as u8,
        fragment_number: number as u8,
        sequence_id,
        channel,
        payload,
        fill_bits,
        checksum,
    };
    Ok((sentence, trailer))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Index of the first `b` in `s` from `from`, eight bytes at a time.
#[inline(always)]
fn find_byte(s: &[u8], from: usize, b: u8) -> Option<usize> {
    let mut i = from;
    let pattern = ONES * b as u64;
    while i + 8 <= s.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ pattern;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i < s.len() {
        if s[i] == b {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The common line — `!ccVDM,n,m,s,c,payload,f*hh` with nothing before it —
/// in one forward pass. Returns the sentence and the bytes after the
/// checksum, or `None` to defer to [`parse_line`], which handles every other
/// form and reports errors precisely.
#[inline]
pub fn parse_plain_sentence(line: &[u8]) -> Option<(Sentence<'_>, &[u8])> {
    if line.len() < 16 || line[0] != b'!' || line[6] != b',' || line[3] != b'V' || line[4] != b'D' {
        return None;
    }
    let own_ship = match line[5] {
        b'M' => false,
        b'O' => true,
        _ => return None,
    };
    let count = line[7].wrapping_sub(b'0');
    let number = line[9].wrapping_sub(b'0');
    if !(1..=9).contains(&count) || !(1..=count).contains(&number) || line[8] != b',' || line[10] != b',' {
        return None;
    }
    let mut i = 11;
    let sequence_id = match line[i] {
        b',' => None,
        d @ b'0'..=b'9' if line[i + 1] == b',' => {
            i += 1;
            Some(d - b'0')
        }
        _ => return None,
    };
    i += 1;
    let channel = match line[i] {
        b',' => None,
        c if line.get(i + 1) == Some(&b',') => {
            i += 1;
            Some(c)
        }
        _ => return None,
    };
    i += 1;
    let payload_start = i;
    let comma = find_byte(line, payload_start, b',')?;
    // fill digit, '*', two hex digits
    if comma + 4 >= line.len() || line[comma + 2] != b'*' {
        return None;
    }
    let fill_bits = match line[comma + 1] {
        d @ b'0'..=b'5' => Some(d - b'0'),
        _ => return None,
    };
    let star = comma + 2;
    let found = hex_val(line[star + 1])? << 4 | hex_val(line[star + 2])?;
    let computed = nmea_checksum(&line[1..star]);
    let checksum = if found == computed { Checksum::Valid } else { Checksum::Mismatch { computed, found } };
    let sentence = Sentence {
        talker: [line[1], line[2]],
        own_ship,
        fragment_count: count,
        fragment_number: number,
        sequence_id,
        channel,
        payload: &line[payload_start..comma],
        fill_bits,
        checksum,
    };
    Some((sentence, &line[star + 3..]))
}

/// The common tagged line — one tag block, then a plain sentence
/// (`\\s:...,c:...*hh\\!AIVDM,...`) — without [`parse_line`]'s search for
/// prefixes and further blocks. `None` defers to [`parse_line`]; the line's end
/// should be trimmed ([`trim_line_end`]) as [`parse_line`] does. The tag block
/// is read into `tag` (which should start as `TagBlock::default()`) rather than
/// returned: a hundred bytes copied per line are worth avoiding here.
#[inline]
pub fn parse_tagged_sentence<'a>(line: &'a [u8], tag: &mut TagBlock<'a>) -> Option<(Sentence<'a>, &'a [u8])> {
    if line.first() != Some(&b'\\') {
        return None;
    }
    let close = find_byte(line, 1, b'\\')?;
    let (sentence, after) = parse_plain_sentence(&line[close + 1..])?;
    parse_tag_block(&line[1..close], tag);
    Some((sentence, after))
}

/// Reads receiver metadata that follows a sentence's checksum.
pub fn parse_trailer(t: &[u8]) -> Trailer<'_> {
    let mut tr = Trailer::default();
    if t.first() != Some(&b',') {
        return tr;
    }
    for f in t[1..].split(|&b| b == b',') {
        match f.first() {
            Some(b'r' | b'b') if f.len() > 1 && tr.station.is_none() => tr.station = Some(&f[1..]),
            Some(b'0'..=b'9') if tr.time_ms.is_none() => tr.time_ms = parse_epoch_ms(f),
            _ => {}
        }
    }
    tr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_plain_sentence() {
        let Line::Ais { sentence: s, tag, .. } =
            parse_line(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n").unwrap()
        else {
            panic!()
        };
        assert_eq!(&s.talker, b"AI");
        assert!(!s.own_ship);
        assert_eq!((s.fragment_count, s.fragment_number, s.sequence_id), (1, 1, None));
        assert_eq!(s.channel, Some(b'A'));
        assert_eq!(s.payload, b"15RTgt0PAso;90TKcjM8h6g208CQ");
        assert_eq!(s.fill_bits, Some(0));
        assert_eq!(s.checksum, Checksum::Valid);
        assert!(!tag.present);
    }

    #[test]
    fn reports_a_wrong_checksum() {
        let Line::Ais { sentence: s, .. } = parse_line(b"!AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*FF").unwrap()
        else {
            panic!()
        };
        assert!(matches!(s.checksum, Checksum::Mismatch { found: 0xFF, .. }));
    }

    #[test]
    fn reads_tag_block_time_source_and_group() {
        let line = br"\g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*37\!AIVDM,2,1,6,A,53@o0E000001Q0CG37U8u<Tp4q@D00000000000018330400000000000000,0*63";
        let Line::Ais { tag, sentence, .. } = parse_line(line).unwrap() else { panic!() };
        assert!(tag.valid);
        assert_eq!(tag.time_ms, Some(1_418_169_601_000));
        assert_eq!(tag.source, Some(&b"rORBCOMM008"[..]));
        assert_eq!(tag.group, Some(TagGroup { number: 1, count: 2, id: 1604 }));
        assert_eq!(sentence.sequence_id, Some(6));
    }

    #[test]
    fn reads_tag_block_times_in_seconds_fractions_and_milliseconds() {
        assert_eq!(parse_tag_time_ms(b"1418169601"), Some(1_418_169_601_000));
        assert_eq!(parse_tag_time_ms(b"1418169601.25"), Some(1_418_169_601_250));
        assert_eq!(parse_tag_time_ms(b"1418169601.2567"), Some(1_418_169_601_256));
        assert_eq!(parse_tag_time_ms(b"1418169601."), Some(1_418_169_601_000));
        assert_eq!(parse_tag_time_ms(b"1418169601250"), Some(1_418_169_601_250));
        for bad in [&b""[..], b".5", b"14181x9601", b"1418169601.2x", b"12345678901234567890", b"-1"] {
            assert_eq!(parse_tag_time_ms(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        // A wrong tag-block checksum keeps the fields but marks the block invalid.
        let Line::Ais { tag, .. } =
            parse_line(br"\c:1418169601*00\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap()
        else {
            panic!()
        };
        assert_eq!((tag.time_ms, tag.valid), (Some(1_418_169_601_000), false));
        assert_eq!(
            parse_line(br"\c:1418169601*00!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap_err().kind,
            FrameErrorKind::UnterminatedTagBlock
        );
    }

    #[test]
    fn reads_old_style_group_and_pghp() {
        let Line::Ais { tag, .. } = parse_line(
            br"\1G2:0125,c:1354719387*0D\!AIVDM,2,1,4,A,539LiHP2;42`@pE<000<tq@V1<TpL4000000001?1SV@@73R0J0TQCAD,0*1E",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(tag.group, Some(TagGroup { number: 1, count: 2, id: 125 }));
        assert_eq!(
            parse_line(b"$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B").unwrap(),
            Line::Pghp { time_ms: 1_276_256_771_390 }
        );
    }

    #[test]
    fn reads_uscg_trailer_and_prefixes() {
        let Line::Ais { trailer, .. } = parse_line(
            b"!AIVDM,1,1,,A,403Ovl@000Htt<tSF0l4Q@100`Pq,0*28,d-109,S2105,t050056.00,T56.13718694,r003669946,1325394060,1325394001",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(trailer.station, Some(&b"003669946"[..]));
        assert_eq!(trailer.time_ms, Some(1_325_394_060_000));
        let Line::Ais { prefix_time_ms, .. } =
            parse_line(b"1428451253.25 !AIVDM,1,1,,A,13nN34?000QFpgRWnQLLSPpF00SO,0*1C").unwrap()
        else {
            panic!()
        };
        assert_eq!(prefix_time_ms, Some(1_428_451_253_250));
        let Line::Ais { prefix_time_ms, .. } =
            parse_line(b"2015-04-08T00:00:53Z,!AIVDM,1,1,,A,13nN34?000QFpgRWnQLLSPpF00SO,0*1C").unwrap()
        else {
            panic!()
        };
        assert_eq!(prefix_time_ms, Some(1_428_451_253_000));
    }

    #[test]
    fn errors_name_the_offset() {
        let e = parse_line(b"!AIVDM,1,11111111111111111111,,A,403Ovl@000Htt<tSF0l4Q@100`Pq,0*28").unwrap_err();
        assert_eq!(e.kind, FrameErrorKind::FragmentNumbers);
        assert_eq!(e.offset, 9);
        assert_eq!(parse_line(b"!AIVDM,1,1").unwrap_err().kind, FrameErrorKind::FieldCount);
    }

    /// A tag-block field, as written and as it should read back.
    #[derive(Debug, Clone)]
    enum Field {
        Time(String, Option<i64>),
        Source(String),
        Group(u8, u8, u32),
        Other(String),
    }

    fn field() -> impl proptest::strategy::Strategy<Value = Field> {
        use proptest::prelude::*;
        prop_oneof![
            (1_000_000_000i64..2_000_000_000).prop_map(|s| Field::Time(s.to_string(), Some(s * 1000))),
            (1_000_000_000i64..2_000_000_000, 0i64..1000)
                .prop_map(|(s, ms)| Field::Time(format!("{s}.{ms:03}"), Some(s * 1000 + ms))),
            (1_000_000_000i64..2_000_000_000, 0i64..10)
                .prop_map(|(s, d)| Field::Time(format!("{s}.{d}"), Some(s * 1000 + d * 100))),
            (1_000_000_000_000i64..2_000_000_000_000).prop_map(|ms| Field::Time(ms.to_string(), Some(ms))),
            "[0-9]{1,12}[x.:-][0-9a-z]{0,3}".prop_map(|v| {
                let t = parse_tag_time_ms(v.as_bytes());
                Field::Time(v, t)
            }),
            "[A-Za-z0-9_]{1,12}".prop_map(Field::Source),
            (1u8..=9, 1u8..=9, 0u32..100_000).prop_map(|(n, c, id)| Field::Group(n, c, id)),
            "[dt]:[A-Za-z0-9 ]{0,10}".prop_map(Field::Other),
        ]
    }

    proptest::proptest! {
        #[test]
        fn tag_blocks_read_back_what_was_written(fields in proptest::collection::vec(field(), 1..5)) {
            let text: Vec<String> = fields
                .iter()
                .map(|f| match f {
                    Field::Time(v, _) => format!("c:{v}"),
                    Field::Source(v) => format!("s:{v}"),
                    Field::Group(n, c, id) => format!("g:{n}-{c}-{id}"),
                    Field::Other(v) => v.clone(),
                })
                .collect();
            let block = text.join(",");
            let line = format!("\\{block}*{:02X}\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", nmea_checksum(block.as_bytes()));
            let Ok(Line::Ais { tag, .. }) = parse_line(line.as_bytes()) else { panic!("{line}") };
            proptest::prop_assert!(tag.valid, "{}", line);
            // The last of each kind wins.
            let time = fields.iter().rev().find_map(|f| if let Field::Time(_, t) = f { Some(*t) } else { None });
            proptest::prop_assert_eq!(tag.time_ms, time.flatten(), "{}", line);
            let source = fields.iter().rev().find_map(|f| if let Field::Source(v) = f { Some(v.as_bytes()) } else { None });
            proptest::prop_assert_eq!(tag.source, source, "{}", line);
            let group = fields.iter().rev().find_map(|f| if let Field::Group(n, c, id) = f { Some(TagGroup { number: *n, count: *c, id: *id }) } else { None });
            proptest::prop_assert_eq!(tag.group, group, "{}", line);
        }

        #[test]
        fn eight_digits_read_as_a_number(n in 0u64..100_000_000, noise in 0usize..16, at in 0usize..8) {
            let mut text = format!("{n:08}").into_bytes();
            proptest::prop_assert_eq!(eight_digits(&text), Some(n));
            // Any byte that is not a digit, anywhere, refuses the lot.
            text[at] = [b'/', b':', b'.', b' ', 0, 0xB0, b'a', b'F', 0xFF, 0x39 + 0x80, 0x30 - 1, 0x3A, 0x40, 0x29, 0x7F, 0xCA][noise];
            proptest::prop_assert_eq!(eight_digits(&text), None);
        }

        #[test]
        fn checksum_is_the_xor_of_every_byte(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100)) {
            proptest::prop_assert_eq!(nmea_checksum(&body), body.iter().fold(0, |x, b| x ^ b));
        }
    }

    #[test]
    fn non_ais_lines_are_not_errors() {
        assert_eq!(parse_line(b"$GPGGA,123519,4807.038,N*47").unwrap(), Line::Other);
        assert_eq!(parse_line(b"").unwrap(), Line::Blank);
        assert_eq!(parse_line(b"# comment").unwrap(), Line::Blank);
        assert_eq!(parse_line(b"!AIALR,1,2,3*00").unwrap(), Line::Other);
    }
}
