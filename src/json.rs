//! A small, allocation-free JSON object writer for hot output paths.
//!
//! Objects are formatted into a fixed [`LineBuf`] and copied out once: keys
//! are compile-time literals, numbers are formatted without `core::fmt`, and
//! strings are escaped the way gpsd's `json_stringify` does. (Writing byte by
//! byte into a `Vec` is slower: every store may alias the vector's own length.)

/// Capacity of one formatted line; gpsd's own limit for one AIS object is smaller.
pub const LINE_CAPACITY: usize = 8192;

/// A fixed-capacity byte buffer for one output line. Writes past the capacity
/// are dropped rather than panicking (no gpsd object comes close).
pub struct LineBuf {
    b: Box<[u8; LINE_CAPACITY]>,
    n: usize,
}

impl Default for LineBuf {
    fn default() -> Self {
        LineBuf { b: Box::new([0; LINE_CAPACITY]), n: 0 }
    }
}

impl LineBuf {
    /// Empties the buffer.
    #[inline(always)]
    pub fn clear(&mut self) {
        self.n = 0;
    }

    /// The bytes written.
    #[inline(always)]
    pub fn as_slice(&self) -> &[u8] {
        &self.b[..self.n]
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn push(&mut self, c: u8) {
        if let Some(x) = self.b.get_mut(self.n) {
            *x = c;
            self.n += 1;
        }
    }

    /// Appends bytes.
    #[inline(always)]
    pub fn extend_from_slice(&mut self, s: &[u8]) {
        if let Some(dst) = self.b.get_mut(self.n..self.n + s.len()) {
            dst.copy_from_slice(s);
            self.n += s.len();
        }
    }
}

impl std::io::Write for LineBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes one JSON object into `out`.
pub struct Obj<'a> {
    out: &'a mut LineBuf,
}

const DIGITS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal form of `v`. Small values (most AIS fields) take a
/// short path; longer ones are copied with a fixed-size move per length
/// instead of a `memcpy` call.
#[inline(always)]
pub fn push_u64(out: &mut LineBuf, v: u64) {
    if v < 10 {
        out.push(b'0' + v as u8);
    } else if v < 100 {
        let d = v as usize * 2;
        out.extend_from_slice(&[DIGITS[d], DIGITS[d + 1]]);
    } else {
        push_u64_long(out, v);
    }
}

#[inline(never)]
fn push_u64_long(out: &mut LineBuf, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = 20;
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i] = DIGITS[d];
        buf[i + 1] = DIGITS[d + 1];
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        buf[i] = DIGITS[d];
        buf[i + 1] = DIGITS[d + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    macro_rules! copy_fixed {
        ($($n:literal)*) => {
            match 20 - i {
                $($n => out.extend_from_slice(&<[u8; $n]>::try_from(&buf[20 - $n..]).unwrap_or([0; $n])),)*
                _ => out.extend_from_slice(&buf[i..]),
            }
        };
    }
    copy_fixed!(3 4 5 6 7 8 9 10 11 12);
}

/// Appends the decimal form of `v`.
#[inline]
pub fn push_i64(out: &mut LineBuf, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

/// Appends `v` zero-padded to at least `width` digits.
#[inline]
pub fn push_u64_padded(out: &mut LineBuf, v: u64, width: usize) {
    let mut n = 1;
    let mut t = v;
    while t >= 10 {
        t /= 10;
        n += 1;
    }
    for _ in n..width {
        out.push(b'0');
    }
    push_u64(out, v);
}

/// Appends `num / den` rounded to `decimals` places, exactly as C's `printf("%.Nf")`
/// prints the double `num as f64 / den as f64`. Exact integer rounding gives the
/// same digits unless the rational is a tie, where printf rounds the double (which
/// lies just above or below the tie); ties are handed to the float formatter.
pub fn push_ratio(out: &mut LineBuf, num: i64, den: i64, decimals: u32) {
    let scale = 10i128.pow(decimals);
    let n = num as i128 * scale;
    let d = den as i128;
    let neg = (n < 0) != (d < 0);
    let (n, d) = (n.abs(), d.abs());
    let mut q = n / d;
    let r = n % d;
    if 2 * r == d {
        push_f64(out, num as f64 / den as f64, decimals as usize);
        return;
    }
    if 2 * r > d {
        q += 1;
    }
    if neg && q != 0 {
        out.push(b'-');
    } else if neg && q == 0 && n != 0 {
        // printf keeps the sign of a negative value that rounds to zero.
        out.push(b'-');
    }
    let int = q / scale;
    let frac = q % scale;
    push_u64(out, int as u64);
    if decimals > 0 {
        out.push(b'.');
        push_u64_padded(out, frac as u64, decimals as usize);
    }
}

/// Appends a double with `decimals` places, as printf's `%.Nf` would.
pub fn push_f64(out: &mut LineBuf, v: f64, decimals: usize) {
    use std::io::Write;
    let _ = write!(out, "{v:.decimals$}");
}

/// Appends `s` escaped as gpsd's `json_stringify` escapes: quote and backslash
/// are backslash-escaped, control and non-ASCII bytes become `\uXXXX`.
#[inline]
pub fn push_escaped(out: &mut LineBuf, s: &[u8]) {
    if !s.iter().any(|&c| c == b'"' || c == b'\\' || !(0x20..0x7f).contains(&c)) {
        out.extend_from_slice(s);
        return;
    }
    for &c in s {
        match c {
            b'"' | b'\\' => {
                out.push(b'\\');
                out.push(c);
            }
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            c if !(0x20..0x7f).contains(&c) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
            }
            c => out.push(c),
        }
    }
}

/// `k!("name")` is the literal `,"name":` that precedes a member after the first;
/// `k0!("name")` is `"name":` for the first member. Keys are spelled out at
/// compile time so each member costs one fixed-size copy.
#[macro_export]
macro_rules! k {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// See [`k!`]: the key of an object's first member.
#[macro_export]
macro_rules! k0 {
    ($name:literal) => {
        concat!("\"", $name, "\":")
    };
}

impl<'a> Obj<'a> {
    /// Starts an object; the first member must use a [`k0!`] key.
    #[inline(always)]
    pub fn new(out: &'a mut LineBuf) -> Self {
        out.push(b'{');
        Obj { out }
    }

    /// Continues an object whose opening (and first members) were written directly.
    #[inline(always)]
    pub fn resume(out: &'a mut LineBuf) -> Self {
        Obj { out }
    }

    /// Writes a key made by [`k!`] or [`k0!`] and returns the buffer for the value.
    #[inline(always)]
    pub fn key(&mut self, k: &'static str) -> &mut LineBuf {
        self.out.extend_from_slice(k.as_bytes());
        self.out
    }

    /// Unsigned integer member.
    #[inline(always)]
    pub fn u(&mut self, k: &'static str, v: impl Into<u64>) -> &mut Self {
        let v = v.into();
        push_u64(self.key(k), v);
        self
    }

    /// Signed integer member.
    #[inline(always)]
    pub fn i(&mut self, k: &'static str, v: impl Into<i64>) -> &mut Self {
        let v = v.into();
        push_i64(self.key(k), v);
        self
    }

    /// Boolean member.
    #[inline(always)]
    pub fn b(&mut self, k: &'static str, v: bool) -> &mut Self {
        let out = self.key(k);
        if v {
            out.extend_from_slice(b"true");
        } else {
            out.extend_from_slice(b"false");
        }
        self
    }

    /// String member (escaped).
    #[inline(always)]
    pub fn s(&mut self, k: &'static str, v: &str) -> &mut Self {
        let out = self.key(k);
        out.push(b'"');
        push_escaped(out, v.as_bytes());
        out.push(b'"');
        self
    }

    /// String member known to need no escaping (legends, literals).
    #[inline(always)]
    pub fn lit(&mut self, k: &'static str, v: &'static str) -> &mut Self {
        let out = self.key(k);
        out.push(b'"');
        out.extend_from_slice(v.as_bytes());
        out.push(b'"');
        self
    }

    /// `num/den` with fixed decimals.
    #[inline(always)]
    pub fn ratio(&mut self, k: &'static str, num: i64, den: i64, decimals: u32) -> &mut Self {
        push_ratio(self.key(k), num, den, decimals);
        self
    }

    /// Double with fixed decimals.
    #[inline(always)]
    pub fn f(&mut self, k: &'static str, v: f64, decimals: usize) -> &mut Self {
        push_f64(self.key(k), v, decimals);
        self
    }

    /// Closes the object.
    #[inline(always)]
    pub fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(n: i64, d: i64, p: u32) -> String {
        let mut v = LineBuf::default();
        push_ratio(&mut v, n, d, p);
        String::from_utf8(v.as_slice().to_vec()).unwrap()
    }

    #[test]
    fn ratio_matches_printf() {
        assert_eq!(ratio(-74037230, 600000, 6), "-123.395383");
        assert_eq!(ratio(29028980, 600000, 6), "48.381633");
        assert_eq!(ratio(123, 10, 1), "12.3");
        assert_eq!(ratio(0, 10, 1), "0.0");
        assert_eq!(ratio(-1, 600000, 6), "-0.000002");
        assert_eq!(ratio(-1, 6000000, 6), "-0.000000");
        for n in [-108600000i64, -1, 0, 1, 54600000, 12345678, -9876543] {
            assert_eq!(ratio(n, 600000, 6), format!("{:.6}", n as f64 / 600000.0), "{n}");
        }
    }

    #[test]
    fn integers_and_escapes() {
        let mut v = LineBuf::default();
        push_i64(&mut v, -1234567890123);
        push_u64(&mut v, 0);
        push_u64(&mut v, 1234567);
        push_escaped(&mut v, b"A\"B\\C\x01");
        assert_eq!(v.as_slice(), b"-123456789012301234567A\\\"B\\\\C\\u0001");
    }
}
