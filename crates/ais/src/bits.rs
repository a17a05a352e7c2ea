//! Bit strings: six-bit de-armouring, field reads and writes, six-bit text.
//!
//! AIS payloads are bit strings transmitted most significant bit first. In
//! NMEA they are "armoured": every 6 bits become one printable character.
//! Reads beyond the end of a payload return zero bits, which is what the
//! reference decoders do and what lets the lenient mode keep messages that are
//! a few bits short; the message decoders check lengths before trusting them.

use core::fmt;

/// Largest payload, in bytes, that one message may carry once de-armoured.
/// ITU-R M.1371 caps a message at 5 slots (1008 data bits = 126 bytes); the
/// extra room lets over-long but otherwise decodable messages through to the
/// length check, which then reports them by name instead of by truncation.
pub const MAX_PAYLOAD_BYTES: usize = 256;

/// Most armoured characters a message may have: `MAX_PAYLOAD_BYTES * 8 / 6`.
pub const MAX_PAYLOAD_CHARS: usize = MAX_PAYLOAD_BYTES * 8 / 6;

const INVALID: u8 = 0xFF;

/// Eight armoured characters as 48 bits, the first character highest; `None`
/// if any is outside the alphabet. All eight at once, in one word: the
/// alphabet is `0`..=`W` (values 0..=39) and `` ` ``..=`w` (40..=63).
#[inline]
fn dearmor_eight(chars: &[u8]) -> Option<u64> {
    const EACH: u64 = 0x0101_0101_0101_0101;
    let x = u64::from_le_bytes(chars.try_into().ok()?);
    // For bytes below 128, adding 128 - n sets a byte's high bit when it is at least n.
    let at_least = |n: u64| x.wrapping_add((128 - n) * EACH) & (0x80 * EACH);
    let (ge48, ge88, ge96, ge120) = (at_least(48), at_least(88), at_least(96), at_least(120));
    let valid = ge48 & !ge120 & (!ge88 | ge96);
    if x & (0x80 * EACH) != 0 || valid != 0x80 * EACH {
        return None;
    }
    // Six-bit values, one per byte (the first character in the low byte).
    let d = x - 0x30 * EACH - (ge96 >> 4);
    // Pack pairs into 12 bits, then fours into 24, then all eight into 48.
    let pairs = (d & 0x00FF_00FF_00FF_00FF) << 6 | (d >> 8) & 0x00FF_00FF_00FF_00FF;
    let fours = (pairs & 0x0000_FFFF_0000_FFFF) << 12 | (pairs >> 16) & 0x0000_FFFF_0000_FFFF;
    Some((fours & 0xFFFF_FFFF) << 24 | fours >> 32)
}

/// Armoured character -> six-bit value; `INVALID` for characters outside the alphabet.
static DEARMOR: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut c = 48usize;
    while c < 120 {
        if !(c >= 88 && c < 96) {
            let mut v = c - 48;
            if v > 40 {
                v -= 8;
            }
            t[c] = v as u8;
        }
        c += 1;
    }
    t
};

/// Six-bit value -> armoured character.
static ARMOR: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut v = 0usize;
    while v < 64 {
        t[v] = if v < 40 { (v + 48) as u8 } else { (v + 56) as u8 };
        v += 1;
    }
    t
};

/// Six-bit value -> ASCII text character (ITU-R M.1371 table 47).
#[inline]
pub(crate) fn sixbit_to_ascii(v: u8) -> u8 {
    if v < 32 { v + 64 } else { v }
}

/// ASCII text character -> six-bit value; characters outside the table become '?'
/// (63) except lower case, which is folded to upper case as transmitters do.
#[inline]
pub(crate) fn ascii_to_sixbit(c: u8) -> u8 {
    let c = c.to_ascii_uppercase();
    match c {
        64..=95 => c - 64,
        32..=63 => c,
        _ => 63,
    }
}

/// Armoured character for a six-bit value (only the low 6 bits are used).
#[inline]
pub fn armor_char(v: u8) -> u8 {
    ARMOR[(v & 63) as usize]
}

/// Why a payload could not be de-armoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmorError {
    /// A character outside the six-bit alphabet, at this index of the payload.
    InvalidChar {
        /// Index of the character in the payload.
        index: usize,
        /// The character.
        byte: u8,
    },
    /// More characters than one message can hold.
    TooLong {
        /// Characters offered.
        chars: usize,
    },
}

/// A de-armoured payload: up to [`MAX_PAYLOAD_BYTES`] bytes plus zero padding,
/// so any field read can load eight bytes without a bounds branch.
#[derive(Clone)]
pub struct PayloadBuf {
    bytes: [u8; MAX_PAYLOAD_BYTES + 8],
    len_bits: usize,
}

impl Default for PayloadBuf {
    fn default() -> Self {
        PayloadBuf { bytes: [0; MAX_PAYLOAD_BYTES + 8], len_bits: 0 }
    }
}

impl fmt::Debug for PayloadBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PayloadBuf({} bits)", self.len_bits)
    }
}

impl PayloadBuf {
    /// Starts an empty payload.
    pub fn clear(&mut self) {
        let used = self.len_bits.div_ceil(8).min(MAX_PAYLOAD_BYTES);
        self.bytes[..used + 1].fill(0);
        self.len_bits = 0;
    }

    /// Appends armoured characters. On error the buffer keeps what was appended before.
    pub fn push_armored(&mut self, chars: &[u8]) -> Result<(), ArmorError> {
        // Only whole characters are appended; fill bits are trimmed once, at the end.
        let start_chars = self.len_bits / 6;
        if start_chars + chars.len() > MAX_PAYLOAD_CHARS {
            return Err(ArmorError::TooLong { chars: start_chars + chars.len() });
        }
        let mut bit = self.len_bits;
        // Eight characters make six bytes, four make three: whole bytes while
        // aligned (every first sentence, most continuations), one char at a time after.
        let mut i = 0;
        if bit % 8 == 0 {
            while i + 8 <= chars.len() {
                let Some(v) = dearmor_eight(&chars[i..i + 8]) else { break };
                // One 8-byte store: the last two bytes are zero, and are either past the
                // end (which must read zero) or written by the next characters.
                let o = bit / 8;
                self.bytes[o..o + 8].copy_from_slice(&(v << 16).to_be_bytes());
                bit += 48;
                i += 8;
            }
            while i + 4 <= chars.len() {
                let a = DEARMOR[chars[i] as usize];
                let b = DEARMOR[chars[i + 1] as usize];
                let c = DEARMOR[chars[i + 2] as usize];
                let d = DEARMOR[chars[i + 3] as usize];
                // Valid values are 0..=63, so any high bit means an invalid character.
                if (a | b | c | d) & 0xC0 != 0 {
                    break;
                }
                let v = (a as u32) << 18 | (b as u32) << 12 | (c as u32) << 6 | d as u32;
                let o = bit / 8;
                self.bytes[o] = (v >> 16) as u8;
                self.bytes[o + 1] = (v >> 8) as u8;
                self.bytes[o + 2] = v as u8;
                bit += 24;
                i += 4;
            }
        }
        while i < chars.len() {
            let v = DEARMOR[chars[i] as usize];
            if v == INVALID {
                self.len_bits = bit;
                return Err(ArmorError::InvalidChar { index: i, byte: chars[i] });
            }
            self.put6(bit, v);
            bit += 6;
            i += 1;
        }
        self.len_bits = bit;
        Ok(())
    }

    /// Removes the trailing fill bits announced by the last sentence.
    pub fn trim_fill(&mut self, fill_bits: usize) {
        let keep = self.len_bits.saturating_sub(fill_bits);
        // Zero the dropped bits so that reads past the end stay zero.
        let mut b = keep;
        while b < self.len_bits {
            self.bytes[b / 8] &= !(0x80u8 >> (b % 8));
            b += 1;
        }
        self.len_bits = keep;
    }

    /// ORs a six-bit value in at bit position `bit` (the bits there are zero).
    #[inline]
    fn put6(&mut self, bit: usize, v: u8) {
        let byte = bit / 8;
        let shift = bit % 8;
        if shift <= 2 {
            self.bytes[byte] |= v << (2 - shift);
        } else {
            self.bytes[byte] |= v >> (shift - 2);
            self.bytes[byte + 1] |= v << (10 - shift);
        }
    }

    /// A 64-bit hash of the bits and their number: equal for equal payloads,
    /// whatever the buffer held before. The same message heard by several
    /// receivers has one payload, so this finds duplicates in a few
    /// multiplications (a word at a time) rather than a field at a time.
    pub fn content_hash(&self) -> u64 {
        // rustc's FxHash step: for a fixed state, a bijection of the word, so
        // payloads of one length that differ in one word never collide.
        #[inline]
        fn mix(h: u64, w: u64) -> u64 {
            (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
        }
        // Bits past the length are zero (`clear`, `trim_fill`).
        let used = &self.bytes[..self.len_bits.div_ceil(8)];
        let mut words = used.chunks_exact(8);
        let mut h = 0;
        for w in &mut words {
            h = mix(h, u64::from_le_bytes(w.try_into().expect("chunks of 8")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = mix(h, u64::from_le_bytes(w));
        }
        mix(h, self.len_bits as u64)
    }

    /// The payload as a bit string.
    #[inline]
    pub fn bits(&self) -> Bits<'_> {
        Bits { bytes: &self.bytes, len: self.len_bits }
    }

    /// Length in bits.
    #[inline]
    pub fn len_bits(&self) -> usize {
        self.len_bits
    }
}

/// A read-only bit string. Reads past `len` return zero bits.
#[derive(Clone, Copy)]
pub struct Bits<'a> {
    bytes: &'a [u8],
    len: usize,
}

impl fmt::Debug for Bits<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bits({} bits)", self.len)
    }
}

impl<'a> Bits<'a> {
    /// Wraps `len` bits stored most significant bit first in `bytes`.
    pub fn new(bytes: &'a [u8], len: usize) -> Self {
        Bits { bytes, len: len.min(bytes.len() * 8) }
    }

    /// Number of bits.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The underlying bytes (bits beyond `len` are zero when built by [`PayloadBuf`]).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Unsigned field of `n` bits (n <= 57) starting at bit `pos`.
    #[inline]
    pub fn u(&self, pos: usize, n: usize) -> u64 {
        debug_assert!(n <= 57);
        if n == 0 || pos >= self.len {
            return 0;
        }
        let byte = pos / 8;
        let raw = if byte + 8 <= self.bytes.len() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&self.bytes[byte..byte + 8]);
            u64::from_be_bytes(w)
        } else {
            let mut w = [0u8; 8];
            let avail = self.bytes.len().saturating_sub(byte).min(8);
            w[..avail].copy_from_slice(&self.bytes[byte..byte + avail]);
            u64::from_be_bytes(w)
        };
        let v = (raw << (pos % 8)) >> (64 - n);
        // Mask bits beyond the end of the string so reads past the end are zero
        // even when the backing bytes are not.
        let end = pos + n;
        if end > self.len { (v >> (end - self.len)) << (end - self.len) } else { v }
    }

    /// Signed (two's complement) field of `n` bits starting at bit `pos`.
    #[inline]
    pub fn i(&self, pos: usize, n: usize) -> i64 {
        if n == 0 {
            return 0;
        }
        let v = self.u(pos, n);
        ((v << (64 - n)) as i64) >> (64 - n)
    }

    /// Copies `len` bits starting at `pos` into a left-aligned [`BinaryData`].
    pub fn slice_to_binary(&self, pos: usize, len: usize) -> BinaryData {
        let mut out = BinaryData::default();
        let len = len.min(BinaryData::CAPACITY_BITS).min(self.len.saturating_sub(pos));
        // Seven whole bytes per read; the tail of the last byte reads as zero.
        let sub = Bits { bytes: self.bytes, len: pos + len };
        let nbytes = len.div_ceil(8);
        let mut k = 0;
        while k < nbytes {
            let take = (nbytes - k).min(7);
            let v = sub.u(pos + 8 * k, 56) << 8;
            out.bytes[k..k + take].copy_from_slice(&v.to_be_bytes()[..take]);
            k += take;
        }
        out.len_bits = len as u16;
        out
    }

    /// The first `N` 64-bit words of the string, big-endian, with every bit at
    /// or past `len` cleared. Fixed message layouts read their fields from
    /// these words at constant offsets.
    #[inline(always)]
    pub fn words<const N: usize>(&self) -> [u64; N] {
        let mut w = [0u64; N];
        for (k, word) in w.iter_mut().enumerate() {
            let start = 8 * k;
            if start + 8 <= self.bytes.len() {
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.bytes[start..start + 8]);
                *word = u64::from_be_bytes(b);
            } else if start < self.bytes.len() {
                let mut b = [0u8; 8];
                b[..self.bytes.len() - start].copy_from_slice(&self.bytes[start..]);
                *word = u64::from_be_bytes(b);
            }
            let lo = 64 * k;
            if self.len <= lo {
                *word = 0;
            } else if self.len < lo + 64 {
                *word &= !(u64::MAX >> (self.len - lo));
            }
        }
        w
    }

    /// A sequential reader starting at bit `pos`.
    #[inline]
    pub fn reader(&self, pos: usize) -> Reader<'a> {
        Reader { bits: *self, pos }
    }
}

/// Sequential field reader over [`Bits`].
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    bits: Bits<'a>,
    pos: usize,
}

impl Reader<'_> {
    /// Current bit position.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bits left before the end of the string (0 when past it).
    #[inline]
    pub fn remaining(&self) -> usize {
        self.bits.len().saturating_sub(self.pos)
    }

    /// Next `n` bits, unsigned.
    #[inline]
    pub fn u(&mut self, n: usize) -> u64 {
        let v = self.bits.u(self.pos, n);
        self.pos += n;
        v
    }

    /// Next `n` bits, two's complement.
    #[inline]
    pub fn i(&mut self, n: usize) -> i64 {
        let v = self.bits.i(self.pos, n);
        self.pos += n;
        v
    }

    /// Next bit as a flag.
    #[inline]
    pub fn b(&mut self) -> bool {
        self.u(1) == 1
    }

    /// Next `chars` six-bit characters.
    #[inline]
    pub fn text<const N: usize>(&mut self, chars: usize) -> Text<N> {
        let t = Text::read(self.bits, self.pos, chars);
        self.pos += chars * 6;
        t
    }

    /// All remaining whole six-bit characters (at most N).
    pub fn text_rest<const N: usize>(&mut self) -> Text<N> {
        let chars = (self.remaining() / 6).min(N);
        self.text(chars)
    }

    /// All remaining bits (at most [`BinaryData::CAPACITY_BITS`]).
    pub fn binary_rest(&mut self) -> BinaryData {
        let n = self.remaining();
        let d = self.bits.slice_to_binary(self.pos, n);
        self.pos += n;
        d
    }

    /// Skips `n` bits.
    #[inline]
    pub fn skip(&mut self, n: usize) {
        self.pos += n;
    }
}

/// Reads fields from pre-loaded words. When the positions are constants (as in
/// the fixed layouts, where every width is a literal) the compiler folds each
/// read into a shift and a mask.
#[derive(Clone, Copy, Debug)]
pub struct WordReader<const N: usize> {
    w: [u64; N],
    pos: usize,
}

impl<const N: usize> WordReader<N> {
    /// Loads the first `64 * N` bits of `bits`.
    #[inline(always)]
    pub fn new(bits: &Bits<'_>) -> Self {
        WordReader { w: bits.words(), pos: 0 }
    }

    /// Next `n` bits (n <= 57), unsigned; zero past the loaded words.
    #[inline(always)]
    pub fn u(&mut self, n: usize) -> u64 {
        let (i, s) = (self.pos / 64, self.pos % 64);
        self.pos += n;
        let hi = if i < N { self.w[i] << s } else { 0 };
        let lo = if s != 0 && i + 1 < N { self.w[i + 1] >> (64 - s) } else { 0 };
        (hi | lo) >> (64 - n)
    }

    /// Next `n` bits, two's complement.
    #[inline(always)]
    pub fn i(&mut self, n: usize) -> i64 {
        let v = self.u(n);
        ((v << (64 - n)) as i64) >> (64 - n)
    }

    /// Next bit as a flag.
    #[inline(always)]
    pub fn b(&mut self) -> bool {
        self.u(1) == 1
    }

    /// Next `chars` six-bit characters, read eight at a time.
    #[inline(always)]
    pub fn text<const M: usize>(&mut self, chars: usize) -> Text<M> {
        let mut t = Text::default();
        let chars = chars.min(M);
        let mut k = 0;
        while k < chars {
            let take = (chars - k).min(8);
            let v = self.u(48) >> (6 * (8 - take));
            for j in 0..take {
                t.chars[k + j] = sixbit_to_ascii(((v >> (6 * (take - 1 - j))) & 63) as u8);
            }
            self.pos -= 6 * (8 - take);
            k += take;
        }
        t.len = chars as u8;
        t
    }
}

/// Bit string builder used by the encoder.
#[derive(Clone)]
pub struct Writer {
    bytes: [u8; MAX_PAYLOAD_BYTES + 8],
    len: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Writer { bytes: [0; MAX_PAYLOAD_BYTES + 8], len: 0 }
    }
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Writer({} bits)", self.len)
    }
}

impl Writer {
    /// Number of bits written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bits written so far.
    pub fn bits(&self) -> Bits<'_> {
        Bits { bytes: &self.bytes, len: self.len }
    }

    /// Appends the low `n` bits of `v`. Bits past capacity are dropped.
    pub fn u(&mut self, v: u64, n: usize) {
        let mut k = 0;
        while k < n {
            let b = self.len + k;
            if b >= MAX_PAYLOAD_BYTES * 8 {
                break;
            }
            if (v >> (n - 1 - k)) & 1 == 1 {
                self.bytes[b / 8] |= 0x80 >> (b % 8);
            }
            k += 1;
        }
        self.len = (self.len + n).min(MAX_PAYLOAD_BYTES * 8);
    }

    /// Appends `v` as an `n`-bit two's complement field.
    pub fn i(&mut self, v: i64, n: usize) {
        let mask = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        self.u(v as u64 & mask, n);
    }

    /// Appends a flag bit.
    pub fn b(&mut self, v: bool) {
        self.u(v as u64, 1);
    }

    /// Appends `chars` six-bit characters of `t`, padding with '@'.
    pub fn text<const N: usize>(&mut self, t: &Text<N>, chars: usize) {
        for k in 0..chars {
            let c = t.raw().as_bytes().get(k).copied().unwrap_or(b'@');
            self.u(ascii_to_sixbit(c) as u64, 6);
        }
    }

    /// Appends the bits of `d`.
    pub fn binary(&mut self, d: &BinaryData) {
        let bits = d.bits();
        let mut done = 0;
        while done < bits.len() {
            let n = (bits.len() - done).min(56);
            self.u(bits.u(done, n), n);
            done += n;
        }
    }

    /// Armours the bits: returns the payload characters and the number of fill bits.
    pub fn armor(&self, out: &mut Vec<u8>) -> u8 {
        let chars = self.len.div_ceil(6);
        let bits = self.bits();
        for k in 0..chars {
            // Reads past the end are zero, which is exactly the fill.
            let v = Bits { bytes: bits.bytes, len: chars * 6 }.u(k * 6, 6) as u8;
            out.push(ARMOR[v as usize]);
        }
        (chars * 6 - self.len) as u8
    }
}

/// Six-bit text of up to `N` characters, stored exactly as transmitted
/// (including '@' padding and trailing spaces) so that encoding is lossless.
/// [`Text::as_str`] gives the meaning: up to the first '@', trailing spaces removed.
///
/// Equality ignores trailing '@' padding: in a fixed-width field "NAME" and
/// "NAME@@@@" encode to the same bits.
#[derive(Clone, Copy)]
pub struct Text<const N: usize> {
    len: u8,
    chars: [u8; N],
}

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Text { len: 0, chars: [b'@'; N] }
    }
}

impl<const N: usize> Text<N> {
    /// Maximum number of characters.
    pub const CAPACITY: usize = N;

    fn read(bits: Bits<'_>, pos: usize, chars: usize) -> Self {
        let mut t = Text::default();
        let chars = chars.min(N);
        let mut k = 0;
        while k < chars {
            let take = (chars - k).min(8);
            let v = bits.u(pos + 6 * k, 6 * take);
            for j in 0..take {
                t.chars[k + j] = sixbit_to_ascii(((v >> (6 * (take - 1 - j))) & 63) as u8);
            }
            k += take;
        }
        t.len = chars as u8;
        t
    }

    /// Builds text from ASCII, upper-casing it and replacing characters outside
    /// the six-bit table with '?'. Longer input is cut at `N` characters.
    pub fn from_ascii(s: &str) -> Self {
        let mut t = Text::default();
        let mut n = 0;
        for &c in s.as_bytes().iter().take(N) {
            t.chars[n] = sixbit_to_ascii(ascii_to_sixbit(c));
            n += 1;
        }
        t.len = n as u8;
        t
    }

    /// Every character as transmitted, padding included.
    pub fn raw(&self) -> &str {
        core::str::from_utf8(&self.chars[..self.len as usize]).unwrap_or("")
    }

    /// The text's meaning: characters before the first '@', trailing spaces removed.
    pub fn as_str(&self) -> &str {
        let raw = &self.chars[..self.len as usize];
        let end = raw.iter().position(|&c| c == b'@').unwrap_or(raw.len());
        let mut end2 = end;
        while end2 > 0 && raw[end2 - 1] == b' ' {
            end2 -= 1;
        }
        core::str::from_utf8(&raw[..end2]).unwrap_or("")
    }

    /// Number of characters transmitted.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when no character was transmitted.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the text's meaning is empty (all padding or spaces).
    pub fn is_blank(&self) -> bool {
        self.as_str().is_empty()
    }
}

impl<const N: usize> Text<N> {
    fn unpadded(&self) -> &[u8] {
        let raw = &self.chars[..self.len as usize];
        let end = raw.iter().rposition(|&c| c != b'@').map_or(0, |p| p + 1);
        &raw[..end]
    }
}

impl<const N: usize> PartialEq for Text<N> {
    fn eq(&self, other: &Self) -> bool {
        self.unpadded() == other.unpadded()
    }
}

impl<const N: usize> Eq for Text<N> {}

impl<const N: usize> core::hash::Hash for Text<N> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.unpadded().hash(state);
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.raw())
    }
}

impl<const N: usize> fmt::Display for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Opaque binary application data, left-aligned, up to 1016 bits
/// (the largest binary field of any message type, with room to spare).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BinaryData {
    len_bits: u16,
    bytes: [u8; 128],
}

impl Default for BinaryData {
    fn default() -> Self {
        BinaryData { len_bits: 0, bytes: [0; 128] }
    }
}

impl BinaryData {
    /// Capacity in bits.
    pub const CAPACITY_BITS: usize = 128 * 8;

    /// Builds binary data from whole bytes (cut at capacity).
    pub fn from_bytes(b: &[u8]) -> Self {
        let mut d = BinaryData::default();
        let n = b.len().min(128);
        d.bytes[..n].copy_from_slice(&b[..n]);
        d.len_bits = (n * 8) as u16;
        d
    }

    /// Builds binary data from the first `len_bits` bits of `b`.
    pub fn from_bits(b: &[u8], len_bits: usize) -> Self {
        let bits = Bits::new(b, len_bits);
        bits.slice_to_binary(0, bits.len())
    }

    /// Length in bits.
    pub fn len_bits(&self) -> usize {
        self.len_bits as usize
    }

    /// The data as a bit string.
    pub fn bits(&self) -> Bits<'_> {
        Bits { bytes: &self.bytes, len: self.len_bits as usize }
    }

    /// The bytes holding the data; the last one is zero-padded.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..(self.len_bits as usize).div_ceil(8)]
    }
}

impl fmt::Debug for BinaryData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.len_bits)?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sextets() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0u8..64, 0..MAX_PAYLOAD_CHARS).prop_map(|v| v.into_iter().map(armor_char).collect())
    }

    proptest! {
        /// A payload's hash depends on its bits alone: not on what the buffer held
        /// before; and any one bit more, less or changed gives another.
        #[test]
        fn payloads_hash_by_their_bits_alone(before in sextets(), chars in sextets(), fill in 0usize..6, flip in any::<usize>()) {
            let mut fresh = PayloadBuf::default();
            fresh.push_armored(&chars).unwrap();
            fresh.trim_fill(fill);
            let mut reused = PayloadBuf::default();
            reused.push_armored(&before).unwrap();
            reused.clear();
            reused.push_armored(&chars).unwrap();
            reused.trim_fill(fill);
            prop_assert_eq!(fresh.content_hash(), reused.content_hash());
            if fresh.len_bits() > 0 {
                let bit = flip % fresh.len_bits();
                let mut changed = PayloadBuf::default();
                changed.push_armored(&chars).unwrap();
                changed.trim_fill(fill);
                changed.bytes[bit / 8] ^= 0x80 >> (bit % 8);
                prop_assert_ne!(changed.content_hash(), fresh.content_hash());
                let mut shorter = PayloadBuf::default();
                shorter.push_armored(&chars).unwrap();
                shorter.trim_fill(fill + 1);
                prop_assert_ne!(shorter.content_hash(), fresh.content_hash());
            }
        }
    }

    #[test]
    fn armor_tables_invert() {
        for v in 0..64u8 {
            assert_eq!(DEARMOR[armor_char(v) as usize], v);
        }
        assert_eq!(DEARMOR[b'X' as usize], INVALID);
        assert_eq!(DEARMOR[b'w' as usize], 63);
        assert_eq!(DEARMOR[b'x' as usize], INVALID);
    }

    #[test]
    fn reads_fields_across_byte_boundaries() {
        let mut p = PayloadBuf::default();
        p.push_armored(b"15RTgt0PAso;90TKcjM8h6g208CQ").unwrap();
        let b = p.bits();
        assert_eq!(b.len(), 168);
        assert_eq!(b.u(0, 6), 1);
        assert_eq!(b.u(8, 30), 371798000);
        assert_eq!(b.i(42, 8), -127);
        assert_eq!(b.i(61, 28), -74037230);
        assert_eq!(b.i(89, 27), 29028980);
    }

    #[test]
    fn reads_past_end_are_zero() {
        let mut p = PayloadBuf::default();
        p.push_armored(b"w").unwrap();
        p.trim_fill(2);
        let b = p.bits();
        assert_eq!(b.len(), 4);
        assert_eq!(b.u(0, 6), 0b111100);
        assert_eq!(b.u(4, 20), 0);
    }

    #[test]
    fn armored_parts_unpack_like_one_bit_at_a_time() {
        let mut seed = 17u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..2000 {
            let len = next(120) as usize;
            let values: Vec<u8> = (0..len).map(|_| next(64) as u8).collect();
            let chars: Vec<u8> = values.iter().map(|&v| armor_char(v)).collect();
            // Split in up to three parts at random (sentences of a multi-part message).
            let mut cuts = [next(len as u64 + 1) as usize, next(len as u64 + 1) as usize];
            cuts.sort_unstable();
            let mut p = PayloadBuf::default();
            for part in [&chars[..cuts[0]], &chars[cuts[0]..cuts[1]], &chars[cuts[1]..]] {
                p.push_armored(part).unwrap();
            }
            let b = p.bits();
            assert_eq!(b.len(), len * 6);
            for (k, &v) in values.iter().enumerate() {
                assert_eq!(b.u(k * 6, 6), v as u64, "char {k} of {len}, cuts {cuts:?}");
            }
            assert_eq!(b.u(len * 6, 30), 0, "past the end reads zero");
        }
        // An invalid character inside an eight-character group: the group falls
        // back to one at a time, keeps what came before, and names the character.
        let mut p = PayloadBuf::default();
        assert_eq!(p.push_armored(b"15RTgt0PAso!90TK"), Err(ArmorError::InvalidChar { index: 11, byte: b'!' }));
        assert_eq!(p.bits().len(), 66);
        assert_eq!(p.bits().u(0, 6), 1);
    }

    #[test]
    fn every_byte_in_every_place_of_a_group_is_judged_like_the_table() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut chars = *b"15RTgt0P";
                chars[at] = b;
                let mut p = PayloadBuf::default();
                let pushed = p.push_armored(&chars);
                assert_eq!(pushed.is_ok(), DEARMOR[b as usize] != INVALID, "byte {b} at {at}");
                if pushed.is_ok() {
                    assert_eq!(p.bits().u(at * 6, 6), DEARMOR[b as usize] as u64, "byte {b} at {at}");
                }
            }
        }
    }

    #[test]
    fn invalid_character_is_reported_with_its_index() {
        let mut p = PayloadBuf::default();
        assert_eq!(p.push_armored(b"15R!"), Err(ArmorError::InvalidChar { index: 3, byte: b'!' }));
    }

    #[test]
    fn text_meaning_stops_at_padding() {
        let t: Text<20> = Text::from_ascii("NAME  @@@X");
        assert_eq!(t.as_str(), "NAME");
        assert_eq!(t.raw(), "NAME  @@@X");
    }

    #[test]
    fn writer_round_trips_signed_fields() {
        let mut w = Writer::default();
        w.i(-5, 8);
        w.u(1, 1);
        assert_eq!(w.bits().i(0, 8), -5);
        assert_eq!(w.bits().u(8, 1), 1);
        let mut out = Vec::new();
        let fill = w.armor(&mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(fill, 3);
    }
}
