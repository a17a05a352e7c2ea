//! Opening inputs: files or standard input, plain, gzip or zstd (detected from
//! the first bytes, not the file name), and fast line iteration over them.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// An input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    /// `-` means standard input; anything else is a path.
    pub fn from_arg(s: &str) -> Self {
        if s == "-" { Input::Stdin } else { Input::File(PathBuf::from(s)) }
    }

    /// Name for messages.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// Size in bytes when known (files), for progress reporting.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }

    /// Opens the input, transparently decompressing gzip and zstd.
    pub fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Input::Stdin => decompress(Box::new(io::stdin())),
            Input::File(p) => open_path(p),
        }
    }
}

fn open_path(p: &Path) -> Result<Box<dyn Read + Send>> {
    let f = File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
    decompress(Box::new(f)).with_context(|| format!("cannot read {}", p.display()))
}

/// Wraps `r` in a decompressor when its first bytes are a gzip or zstd magic number.
pub fn decompress(r: Box<dyn Read + Send>) -> Result<Box<dyn Read + Send>> {
    // Smaller than `for_each_line`'s reads, which then bypass this buffer rather
    // than being copied through it (75 MB of copying for the ingest benchmark).
    let mut br = BufReader::with_capacity(64 << 10, r);
    let head = br.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(br)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(zstd::stream::read::Decoder::with_buffer(br)?))
    } else {
        Ok(Box::new(br))
    }
}

/// Calls `f(line_number, line)` for every line of `r` (1-based numbers; the
/// terminator is not included; a last line without terminator is still a line)
/// until `f` returns false. Reads in large blocks so that per-line overhead is
/// a `memchr`. Returns the number of bytes read.
pub fn for_each_line(mut r: impl Read, mut f: impl FnMut(u64, &[u8]) -> bool) -> io::Result<u64> {
    const BLOCK: usize = 1 << 20;
    let mut buf = vec![0u8; BLOCK];
    let mut filled = 0; // bytes of buf holding data
    let mut line_no = 0u64;
    let mut total = 0u64;
    loop {
        if filled == buf.len() {
            // A single line longer than the buffer: grow.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match r.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        let end = filled + n;
        let mut start = 0;
        let search_from = filled;
        let mut pos = search_from;
        while let Some(i) = memchr::memchr(b'\n', &buf[pos..end]) {
            let nl = pos + i;
            line_no += 1;
            if !f(line_no, &buf[start..nl]) {
                return Ok(total);
            }
            start = nl + 1;
            pos = start;
        }
        if n == 0 {
            if start < end {
                line_no += 1;
                f(line_no, &buf[start..end]);
            }
            return Ok(total);
        }
        buf.copy_within(start..end, 0);
        filled = end - start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_across_blocks_and_without_final_newline() {
        let data = b"a\r\nbb\n\nccc".to_vec();
        let mut got = Vec::new();
        for_each_line(&data[..], |n, l| {
            got.push((n, l.to_vec()));
            true
        })
        .unwrap();
        assert_eq!(got, vec![(1, b"a\r".to_vec()), (2, b"bb".to_vec()), (3, b"".to_vec()), (4, b"ccc".to_vec())]);
    }

    #[test]
    fn detects_gzip_and_zstd() {
        use std::io::Write;
        let text = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::encode_all(&text[..], 3).unwrap();
        for data in [text.to_vec(), gz, zs] {
            let mut out = Vec::new();
            decompress(Box::new(io::Cursor::new(data))).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }
}
