//! New stores get `PAGE_SIZE` pages; stores made with other page sizes keep
//! theirs and work as before (a WAL file cannot change its page size).

mod common;

use common::{fresh_dir, pos};
use sealane_core::Label;
use sealane_store::{PAGE_SIZE, Store};

fn page_size(path: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap()
}

/// Writes 2,000 positions of one vessel in one commit and reads them back.
fn write_and_read(path: &std::path::Path) {
    let mut store = Store::open(path).unwrap();
    store.source("t", "file", &Label::public_ais()).unwrap();
    let mut w = store.writer().unwrap();
    for t in 0..2_000 {
        w.position(pos(7, t * 1000));
    }
    w.commit().unwrap();
    drop(w);
    assert_eq!(store.track(7, 0, i64::MAX).unwrap().len(), 2_000);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn new_stores_get_the_page_size_and_old_ones_keep_theirs() {
    let dir = fresh_dir("page-size");

    let new = dir.join("new.sqlite");
    write_and_read(&new);
    assert_eq!(page_size(&new), PAGE_SIZE);

    // A store made before: 4 KB pages, already in WAL mode.
    let old = dir.join("old.sqlite");
    {
        let c = rusqlite::Connection::open(&old).unwrap();
        c.pragma_update(None, "page_size", 4096).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
    }
    write_and_read(&old);
    assert_eq!(page_size(&old), 4096);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_wal_is_checkpointed_every_few_megabytes_whatever_the_page_size() {
    let dir = fresh_dir("wal-size");
    let path = dir.join("wal.sqlite");
    let mut store = Store::open(&path).unwrap();
    let source = store.source("t", "file", &Label::public_ais()).unwrap();
    let mut w = store.writer().unwrap();
    // 24 MB of random hex raw lines (zstd halves them at best), in twelve commits of 2 MB.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for commit in 0..12u64 {
        for k in 0..512u64 {
            let line: String = (0..256)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    format!("{:016x}", x)
                })
                .collect::<String>();
            w.raw_line(source, "random.nmea", commit * 512 + k, &line.as_bytes()[..4096]);
        }
        w.commit().unwrap();
    }
    drop(w);
    let wal = std::fs::metadata(dir.join("wal.sqlite-wal")).map_or(0, |m| m.len());
    // Checkpoints every 4 MB: the WAL never holds much more than that plus one commit.
    assert!(wal < 8 << 20, "WAL of {wal} bytes");
    assert_eq!(store.stats().unwrap().raw_lines, 12 * 512);
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}
