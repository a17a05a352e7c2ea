//! Helpers shared by the integration tests that drive the `sealane` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use sealane_ais::message::PositionReport;
use sealane_ais::{Framing, Message, encode_sentences};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sealane")
}

pub fn run(args: &[&str], token: Option<&str>) -> Output {
    let mut c = Command::new(bin());
    c.args(args).env_remove("SEALANE_TOKEN");
    if let Some(t) = token {
        c.env("SEALANE_TOKEN", t);
    }
    c.output().unwrap()
}

pub fn ok(args: &[&str], token: Option<&str>) -> String {
    let o = run(args, token);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// NMEA position reports for `mmsis` (vessel `i`'s `k`-th minute at `place(k, i)` =
/// lat, lon, speed in 0.1 kn), one a minute for `n` minutes from `t0`.
fn reports(path: &Path, mmsis: &[u32], t0: i64, n: i64, place: impl Fn(i64, usize) -> (f64, f64, u16)) {
    let mut out = Vec::new();
    for k in 0..n {
        for (i, &mmsi) in mmsis.iter().enumerate() {
            let (lat, lon, speed) = place(k, i);
            let m = Message::Position(PositionReport {
                msg_type: 1,
                mmsi,
                speed,
                lat: (lat * 600_000.0) as i32,
                lon: (lon * 600_000.0) as i32,
                course: 900,
                heading: 90,
                second: 0,
                ..PositionReport::default()
            });
            let f = Framing { tag_time_ms: Some(t0 + k * 60_000), tag_source: Some("rx"), ..Framing::default() };
            encode_sentences(&m, &f, &mut out);
        }
    }
    std::fs::write(path, out).unwrap();
}

/// NMEA position reports for `mmsis` steaming east at 10 kn, 0.1 degree of latitude
/// apart from `lat`, one a minute for `n` minutes from `t0`.
pub fn nmea(path: &Path, mmsis: &[u32], t0: i64, n: i64, lat: f64) {
    reports(path, mmsis, t0, n, |k, i| (lat + i as f64 * 0.1, 126.0 + k as f64 * 0.003, 100));
}

pub const PUBLIC: [u32; 2] = [366000001, 366000002];
pub const KOREAN: [u32; 2] = [440000001, 440000002];
pub const CANADIAN: [u32; 1] = [316000001];

pub fn korean_label() -> String {
    r#"{"originator":{"nation":"KOR","agency":"ROKN"},"classification":"RESTRICTED","rel_to":["KOR"],"tlp":"AMBER"}"#
        .into()
}
pub fn canadian_orcon() -> String {
    r#"{"originator":{"nation":"CAN","agency":"RCN"},"classification":"CONFIDENTIAL","rel_to":["CAN-KOR"],"caveats":["ORCON"],"tlp":"AMBER"}"#.into()
}

pub fn base64_url_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        acc = (acc << 6) | A.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

pub fn base64_url_encode(b: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &x in b {
        acc = (acc << 8) | x as u32;
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(A[((acc >> bits) & 63) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(A[((acc << (6 - bits)) & 63) as usize] as char);
    }
    out
}

/// NMEA position reports of `mmsis` lying still side by side (about 50 m
/// apart) at `lat`, `lon`, one a minute for `n` minutes from `t0`: an
/// encounter, and loitering, far enough out at sea.
pub fn nmea_still(path: &Path, mmsis: &[u32], t0: i64, n: i64, lat: f64, lon: f64) {
    reports(path, mmsis, t0, n, |_, i| (lat + i as f64 * 0.0005, lon, 1));
}
