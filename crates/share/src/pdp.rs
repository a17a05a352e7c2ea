//! The one policy decision point: may this subject read this record?
//!
//! DESIGN.md: a subject may read a record iff its clearance is at least the
//! classification, its nation is in the releasability (or it is the
//! originator's), it holds every caveat, its declared purpose is allowed, the
//! record is neither retracted nor past retention, and the policy knows every
//! term involved. Anything unknown is denied.

use sealane_core::Label;
use serde::{Deserialize, Serialize};

use crate::policy::{Policy, Releasable};

/// Who is asking: known from authentication, never from a request's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// User or peer node name.
    pub id: String,
    /// Nation (ISO 3166 alpha-3).
    pub nation: String,
    /// Clearance: a level or national marking name.
    pub clearance: String,
    /// Caveats held.
    #[serde(default)]
    pub caveats: Vec<String>,
    /// Declared purpose.
    #[serde(default)]
    pub purpose: Option<String>,
}

/// Why a read was refused (for the audit log; never shown to the subject, so a
/// forbidden record and a missing one look alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deny {
    /// The record's classification or the subject's clearance is not in the policy.
    UnknownLevel,
    /// Clearance below classification.
    Clearance,
    /// Releasability names something the policy does not know.
    UnknownReleasability,
    /// The subject's nation is not in the releasability.
    NotReleasable,
    /// A caveat the subject does not hold, or one the policy does not know.
    Caveat,
    /// The subject's purpose is not among the record's.
    Purpose,
    /// Past its retention date.
    Expired,
    /// Retracted by its originator.
    Retracted,
}

/// A decision.
pub type Decision = Result<(), Deny>;

/// What the log says of a record beyond its label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordState<'a> {
    /// Retracted by its originator.
    pub retracted: bool,
    /// Nations an ORCON record has been released to (recorded approvals).
    pub released_to: &'a [String],
}

/// Decides whether `subject` may read a record labelled `label` at `now_ms`.
///
/// ORCON (originator controlled): beyond the originator's own nation, the
/// record is readable only by nations its originator has approved a release
/// to (and then only within the label's other limits).
pub fn decide(policy: &Policy, subject: &Subject, label: &Label, now_ms: i64, state: RecordState<'_>) -> Decision {
    if state.retracted {
        return Err(Deny::Retracted);
    }
    if label.retain_until.is_some_and(|t| now_ms > t) {
        return Err(Deny::Expired);
    }
    let (Some(have), Some(need)) = (policy.rank(&subject.clearance), policy.rank(&label.classification)) else {
        return Err(Deny::UnknownLevel);
    };
    if have < need {
        return Err(Deny::Clearance);
    }
    if !policy.nations.contains(&subject.nation) {
        return Err(Deny::UnknownReleasability);
    }
    match policy.expand(&label.rel_to) {
        None => return Err(Deny::UnknownReleasability),
        Some(Releasable::All) => {}
        Some(Releasable::Nations(n)) => {
            // The originator may always read its own records (ORCON included).
            if !n.contains(&subject.nation) && label.originator.nation != subject.nation {
                return Err(Deny::NotReleasable);
            }
        }
    }
    for c in &label.caveats {
        if !policy.caveats.contains(c) {
            return Err(Deny::Caveat);
        }
        if c == "ORCON" {
            if label.originator.nation != subject.nation && !state.released_to.contains(&subject.nation) {
                return Err(Deny::Caveat);
            }
        } else if !subject.caveats.contains(c) {
            return Err(Deny::Caveat);
        }
    }
    if let Some(purposes) = &label.purposes {
        match &subject.purpose {
            Some(p) if purposes.contains(p) && policy.purposes.contains(p) => {}
            _ => return Err(Deny::Purpose),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealane_core::label::{Originator, Tlp};

    fn label(nation: &str, level: &str, rel_to: &[&str]) -> Label {
        Label {
            originator: Originator { nation: nation.into(), agency: "x".into() },
            classification: level.into(),
            rel_to: rel_to.iter().map(|s| s.to_string()).collect(),
            caveats: Vec::new(),
            purposes: None,
            tlp: Tlp::Amber,
            retain_until: None,
        }
    }

    fn subject(nation: &str, clearance: &str) -> Subject {
        Subject {
            id: "s".into(),
            nation: nation.into(),
            clearance: clearance.into(),
            caveats: Vec::new(),
            purpose: None,
        }
    }

    #[test]
    fn the_rules_of_design_md() {
        let p = Policy::bilateral();
        let kor = subject("KOR", "SECRET");
        let phl = subject("PHL", "SECRET");
        let can_low = subject("CAN", "UNCLASSIFIED");
        let l = label("CAN", "RESTRICTED", &["CAN-KOR"]);
        assert_eq!(decide(&p, &kor, &l, 0, RecordState::default()), Ok(()));
        assert_eq!(decide(&p, &phl, &l, 0, RecordState::default()), Err(Deny::NotReleasable));
        assert_eq!(decide(&p, &can_low, &l, 0, RecordState::default()), Err(Deny::Clearance));
        // National markings map to levels: a Korean 2급비밀 clearance reads RESTRICTED.
        assert_eq!(decide(&p, &subject("KOR", "2급비밀"), &l, 0, RecordState::default()), Ok(()));
        // Unknown terms deny.
        assert_eq!(
            decide(&p, &kor, &label("CAN", "COSMIC", &["KOR"]), 0, RecordState::default()),
            Err(Deny::UnknownLevel)
        );
        assert_eq!(
            decide(&p, &kor, &label("CAN", "RESTRICTED", &["MARS"]), 0, RecordState::default()),
            Err(Deny::UnknownReleasability)
        );
        assert_eq!(
            decide(&p, &subject("ATL", "SECRET"), &Label::public_ais(), 0, RecordState::default()),
            Err(Deny::UnknownReleasability)
        );
        // Public AIS is readable by all known subjects.
        assert_eq!(decide(&p, &phl, &Label::public_ais(), 0, RecordState::default()), Ok(()));
        // The originator reads its own record whatever the releasability; ORCON too.
        let mut orcon = label("KOR", "SECRET", &["KOR"]);
        orcon.caveats = vec!["ORCON".into()];
        assert_eq!(decide(&p, &kor, &orcon, 0, RecordState::default()), Ok(()));
        assert_eq!(decide(&p, &subject("CAN", "SECRET"), &orcon, 0, RecordState::default()), Err(Deny::NotReleasable));
        let mut rel = orcon.clone();
        rel.rel_to = vec!["CAN-KOR".into()];
        assert_eq!(decide(&p, &subject("CAN", "SECRET"), &rel, 0, RecordState::default()), Err(Deny::Caveat));
        // ... until Korea approves its release to Canada.
        let to_can = ["CAN".to_string()];
        let released = RecordState { retracted: false, released_to: &to_can };
        assert_eq!(decide(&p, &subject("CAN", "SECRET"), &rel, 0, released), Ok(()));
        assert_eq!(decide(&p, &subject("PHL", "SECRET"), &rel, 0, released), Err(Deny::NotReleasable));
        // Purpose, retention, retraction.
        let mut purposed = label("CAN", "UNCLASSIFIED", &["ALL"]);
        purposed.purposes = Some(vec!["fisheries".into()]);
        assert_eq!(decide(&p, &kor, &purposed, 0, RecordState::default()), Err(Deny::Purpose));
        let fish = Subject { purpose: Some("fisheries".into()), ..kor.clone() };
        assert_eq!(decide(&p, &fish, &purposed, 0, RecordState::default()), Ok(()));
        let mut old = l.clone();
        old.retain_until = Some(10);
        assert_eq!(decide(&p, &kor, &old, 11, RecordState::default()), Err(Deny::Expired));
        assert_eq!(decide(&p, &kor, &l, 0, RecordState { retracted: true, released_to: &[] }), Err(Deny::Retracted));
    }
}
