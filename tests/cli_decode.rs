//! `sealane decode` end to end: the real binary on real files (plain, gzip,
//! zstd) and on standard input, with good and bad lines mixed.

use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sealane");

const INPUT: &str = "\
!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A
this line is not NMEA
!AIVDM,1,1,,B,15NG6V0P01G?cFhE`R2IU?wn28R>,0*FF
!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C
!AIVDM,2,2,1,A,88888888880,2*25
!AIVDM,2,2,3,B,88888888880,2*24
!AIVDM,1,1,,A,L000000000000000000000000000,0*5A
";

/// A sentence with its checksum.
fn sentence(body: &str) -> String {
    format!("!{body}*{:02X}", sealane_ais::nmea::nmea_checksum(body.as_bytes()))
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> (String, String, bool) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(data) = stdin {
        child.stdin.take().unwrap().write_all(data).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap(), out.status.success())
}

fn objects(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).expect("each line is a JSON object")).collect()
}

#[test]
fn decodes_files_of_every_compression_and_stdin_alike() {
    let dir = std::env::temp_dir().join(format!("sealane-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("in.nmea");
    std::fs::write(&plain, INPUT).unwrap();
    let gz = dir.join("in.nmea.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(INPUT.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let zst = dir.join("in.nmea.zst");
    std::fs::write(&zst, zstd::encode_all(INPUT.as_bytes(), 3).unwrap()).unwrap();

    let (base, err, ok) = run(&["decode", "--unscaled", plain.to_str().unwrap()], None);
    assert!(ok);
    let msgs = objects(&base);
    assert_eq!(msgs.len(), 2, "{base}");
    assert_eq!(msgs[0]["mmsi"], 371798000);
    assert_eq!(msgs[0]["line"], 1);
    assert_eq!(msgs[0]["lat"], 29028980);
    assert_eq!(msgs[1]["type"], 5);
    assert_eq!(msgs[1]["shipname"], "EVER DIADEM");
    assert_eq!(msgs[1]["line"], 5, "line of the sentence that completed the message");
    // Rejections are named with file, line (and byte when known) and counted by reason.
    assert!(err.contains(&format!("{}:3: bad_checksum", plain.display())), "{err}");
    assert!(err.contains(&format!("{}:6: orphan_fragment", plain.display())), "{err}");
    assert!(err.contains(&format!("{}:7: unknown_message_type", plain.display())), "{err}");
    assert!(err.contains("2 messages from 7 lines"), "{err}");
    assert!(
        err.contains("bad_checksum:1") && err.contains("orphan_fragment:1") && err.contains("unknown_message_type:1"),
        "{err}"
    );
    assert!(err.contains("messages by type: 1:1 5:1"), "{err}");

    for f in [&gz, &zst] {
        let (out, _, ok) = run(&["decode", "--unscaled", f.to_str().unwrap()], None);
        assert!(ok);
        assert_eq!(out, base, "{} decodes like the plain file", f.display());
    }
    let (out, err, ok) = run(&["decode", "--unscaled", "-"], Some(INPUT.as_bytes()));
    assert!(ok);
    assert_eq!(out, base);
    assert!(err.contains("<stdin>:3: bad_checksum"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn scaled_output_and_meta() {
    let tag = "s:rORBCOMM007,c:1418171722";
    let input = format!(
        "\\{tag}*{:02X}\\{}\n",
        sealane_ais::nmea::nmea_checksum(tag.as_bytes()),
        sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")
    );
    let (out, _, ok) = run(&["decode", "--meta", "-q"], Some(input.as_bytes()));
    assert!(ok);
    let m = &objects(&out)[0];
    assert_eq!(m["scaled"], true);
    assert_eq!(m["lon"].as_f64(), Some(-123.395383));
    assert_eq!(m["speed"].as_f64(), Some(12.3));
    assert_eq!(m["turn"], "fastleft");
    assert_eq!(m["rxtime"], "2014-12-10T00:35:22Z");
    assert_eq!(m["station"], "rORBCOMM007");
    assert_eq!(m["channel"], "A");
}

#[test]
fn strict_rejects_what_lenient_repairs() {
    // A type 5 of 420 bits: real transmitters send them; ITU-R M.1371-5 says 424.
    let line = sentence("AIVDM,1,1,,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp88888888888,0") + "\n";
    let (lenient, _, _) = run(&["decode", "-q"], Some(line.as_bytes()));
    let (strict, err, _) = run(&["decode", "--strict"], Some(line.as_bytes()));
    let m = objects(&lenient);
    assert_eq!(m.len(), 1, "lenient keeps it");
    assert_eq!(m[0]["shipname"], "EVER DIADEM");
    assert_eq!(m[0]["repaired"][0], "short_payload");
    assert!(strict.is_empty(), "strict must reject: {strict}");
    assert!(err.contains("bad_length"), "{err}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let (_, err, ok) = run(&["decode", "/nonexistent/feed.nmea"], None);
    assert!(!ok);
    assert!(err.contains("cannot open /nonexistent/feed.nmea"), "{err}");
}
