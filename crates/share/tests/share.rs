//! Properties of label combination under the policy, tokens, and the audit chain.

use proptest::prelude::*;
use sealane_core::Label;
use sealane_core::label::{Originator, Tlp};
use sealane_share::auth::{self, AuthError, Scope};
use sealane_share::{Policy, RecordState, Subject, audit, decide};

const NATIONS: [&str; 6] = ["CAN", "KOR", "USA", "PHL", "JPN", "AUS"];
const RELS: [&str; 9] = ["CAN", "KOR", "USA", "PHL", "JPN", "AUS", "FVEY", "CAN-KOR", "ALL"];
const LEVELS: [&str; 4] = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"];

fn label() -> impl Strategy<Value = Label> {
    (
        0..NATIONS.len(),
        0..LEVELS.len(),
        proptest::sample::subsequence(RELS.to_vec(), 1..4),
        any::<bool>(),
        proptest::option::of(proptest::sample::subsequence(vec!["fisheries", "maritime-security"], 1..3)),
        0..4u8,
    )
        .prop_map(|(n, l, rel, orcon, purposes, tlp)| {
            Label {
                originator: Originator { nation: NATIONS[n].into(), agency: "a".into() },
                classification: LEVELS[l].into(),
                rel_to: rel.into_iter().map(String::from).collect(),
                caveats: if orcon { vec!["ORCON".into()] } else { Vec::new() },
                purposes: purposes.map(|p| p.into_iter().map(String::from).collect()),
                tlp: [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::Red][tlp as usize],
                retain_until: None,
            }
            .canonical()
        })
}

fn subject() -> impl Strategy<Value = Subject> {
    (
        0..NATIONS.len(),
        0..LEVELS.len(),
        any::<bool>(),
        proptest::option::of(prop_oneof![Just("fisheries"), Just("maritime-security")]),
    )
        .prop_map(|(n, l, orcon, purpose)| Subject {
            id: "s".into(),
            nation: NATIONS[n].into(),
            clearance: LEVELS[l].into(),
            caveats: if orcon { vec!["ORCON".into()] } else { Vec::new() },
            purpose: purpose.map(String::from),
        })
}

/// Two labels are the same for every reader.
fn same_readers(p: &Policy, a: &Label, b: &Label) -> bool {
    let mut subjects = Vec::new();
    for n in NATIONS {
        for l in LEVELS {
            for c in [false, true] {
                for purpose in [None, Some("fisheries"), Some("maritime-security")] {
                    subjects.push(Subject {
                        id: "s".into(),
                        nation: n.into(),
                        clearance: l.into(),
                        caveats: if c { vec!["ORCON".into()] } else { Vec::new() },
                        purpose: purpose.map(String::from),
                    });
                }
            }
        }
    }
    subjects.iter().all(|s| {
        decide(p, s, a, 0, RecordState::default()).is_ok() == decide(p, s, b, 0, RecordState::default()).is_ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn combination_is_commutative_associative_idempotent(a in label(), b in label(), c in label()) {
        let p = Policy::bilateral();
        let r = p.rules();
        prop_assert!(same_readers(&p, &r.combine(&a, &b), &r.combine(&b, &a)));
        prop_assert!(same_readers(&p, &r.combine(&r.combine(&a, &b), &c), &r.combine(&a, &r.combine(&b, &c))));
        prop_assert!(same_readers(&p, &r.combine(&a, &a), &a));
    }

    #[test]
    fn combination_is_monotone(a in label(), b in label(), s in subject()) {
        // Whoever may read a combination may read each part.
        let p = Policy::bilateral();
        let ab = p.rules().combine(&a, &b);
        if decide(&p, &s, &ab, 0, RecordState::default()).is_ok() {
            prop_assert!(decide(&p, &s, &a, 0, RecordState::default()).is_ok() || a.originator.nation == s.nation);
            prop_assert!(decide(&p, &s, &b, 0, RecordState::default()).is_ok() || b.originator.nation == s.nation);
        }
    }
}

fn temp(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("sealane-share-{name}-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn tokens_missing_wrong_tampered_expired_revoked_and_out_of_scope_are_refused() {
    let path = temp("tokens");
    let conn = sealane_share::open(&path).unwrap();
    let kor = Subject {
        id: "kor-analyst".into(),
        nation: "KOR".into(),
        clearance: "SECRET".into(),
        caveats: vec![],
        purpose: None,
    };
    let (token, id) = auth::create(&conn, &kor, Scope::Read, 1_000, 10_000).unwrap();
    assert!(token.starts_with("sl_") && token.len() == 67);
    let ok = auth::authenticate(&conn, Some(&token), Scope::Read, 2_000).unwrap();
    assert_eq!(ok.subject, kor);
    assert_eq!(auth::authenticate(&conn, None, Scope::Read, 2_000), Err(AuthError::Missing));
    assert_eq!(auth::authenticate(&conn, Some("sl_nope"), Scope::Read, 2_000), Err(AuthError::Unknown));
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(auth::authenticate(&conn, Some(&tampered), Scope::Read, 2_000), Err(AuthError::Unknown));
    assert_eq!(auth::authenticate(&conn, Some(&token), Scope::Read, 10_000), Err(AuthError::Expired));
    assert_eq!(auth::authenticate(&conn, Some(&token), Scope::Admin, 2_000), Err(AuthError::Scope));
    // Only the hash is stored.
    let stored: String = conn.query_row("SELECT group_concat(hash) FROM share_tokens", [], |r| r.get(0)).unwrap();
    assert!(!stored.contains(&token[3..]));
    assert!(auth::revoke(&conn, id).unwrap());
    assert_eq!(auth::authenticate(&conn, Some(&token), Scope::Read, 2_000), Err(AuthError::Unknown));
    let _ = std::fs::remove_file(&path);
}

fn chain(name: &str, n: i64) -> (std::path::PathBuf, rusqlite::Connection) {
    let path = temp(name);
    let mut conn = sealane_share::open(&path).unwrap();
    for k in 1..=n {
        audit::append(&mut conn, 1_000 + k, "kor-analyst", "read", &format!("query {k}"), "{\"rows\":3}").unwrap();
    }
    (path, conn)
}

#[test]
fn audit_verify_names_the_first_altered_removed_or_reordered_entry() {
    let (path, conn) = chain("intact", 10);
    assert_eq!(audit::verify(&conn).unwrap(), Ok(10));
    let _ = std::fs::remove_file(&path);

    let (path, conn) = chain("edit", 10);
    conn.execute("UPDATE share_audit SET object = 'query 99' WHERE seq = 4", []).unwrap();
    let b = audit::verify(&conn).unwrap().unwrap_err();
    assert_eq!(b.seq, 4, "{b}");
    assert!(b.reason.contains("altered"));
    let _ = std::fs::remove_file(&path);

    let (path, conn) = chain("delete", 10);
    conn.execute("DELETE FROM share_audit WHERE seq = 6", []).unwrap();
    let b = audit::verify(&conn).unwrap().unwrap_err();
    assert_eq!(b.seq, 6, "{b}");
    assert!(b.reason.contains("missing"));
    let _ = std::fs::remove_file(&path);

    // Deleting the last entry and re-appending a forged one breaks the link.
    let (path, mut conn) = chain("forge", 5);
    conn.execute("UPDATE share_audit SET prev = 'x' WHERE seq = 3", []).unwrap();
    assert_eq!(audit::verify(&conn).unwrap().unwrap_err().seq, 3);
    audit::append(&mut conn, 9, "a", "b", "c", "d").unwrap();
    let _ = std::fs::remove_file(&path);

    // Reordering: entries 7 and 8 swap places in the log.
    let (path, conn) = chain("reorder", 10);
    conn.execute_batch(
        "UPDATE share_audit SET seq = -7 WHERE seq = 7;
         UPDATE share_audit SET seq = 7, time_ms = time_ms WHERE seq = 8;
         UPDATE share_audit SET seq = 8 WHERE seq = -7;",
    )
    .unwrap();
    let b = audit::verify(&conn).unwrap().unwrap_err();
    assert_eq!(b.seq, 7, "{b}");
    let _ = std::fs::remove_file(&path);
}
