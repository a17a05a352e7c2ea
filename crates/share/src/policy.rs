//! The releasability policy: classification levels (and the national marking
//! names that map onto them), nations, groups that expand to nations, known
//! caveats and purposes. Anything the policy does not know is denied.

use std::collections::{BTreeMap, BTreeSet};

use sealane_core::LabelRules;
use serde::Deserialize;

/// A policy, usually read from TOML.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Classification levels, lowest first.
    pub levels: Vec<String>,
    /// National marking names and the level each means (e.g. `"PROTECTED B" = "RESTRICTED"`).
    #[serde(default)]
    pub markings: BTreeMap<String, String>,
    /// Nations (ISO 3166 alpha-3) known to the policy.
    pub nations: Vec<String>,
    /// Groups and the nations they stand for (e.g. `FVEY`, `CAN-KOR`).
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    /// Caveats the policy knows (e.g. `ORCON`).
    #[serde(default)]
    pub caveats: Vec<String>,
    /// Purposes the policy knows.
    #[serde(default)]
    pub purposes: Vec<String>,
}

impl Policy {
    /// The bilateral default: Canada and Korea, their partners in the region, FVEY and NATO.
    pub fn bilateral() -> Policy {
        Policy::from_toml(include_str!("../policy.toml"), "the built-in policy").expect("the built-in policy is valid")
    }

    /// Reads a policy; `what` names it in errors.
    pub fn from_toml(text: &str, what: &str) -> Result<Policy, String> {
        let p: Policy = toml::from_str(text).map_err(|e| format!("{what}: {e}"))?;
        for (m, level) in &p.markings {
            if p.rank(level).is_none() {
                return Err(format!("{what}: marking {m:?} maps to unknown level {level:?}"));
            }
        }
        for (g, members) in &p.groups {
            if let Some(n) = members.iter().find(|n| !p.nations.contains(n)) {
                return Err(format!("{what}: group {g:?} names unknown nation {n:?}"));
            }
        }
        Ok(p)
    }

    /// Rank of a level or national marking name; None if unknown.
    pub fn rank(&self, name: &str) -> Option<usize> {
        let level = self.markings.iter().find(|(m, _)| m.eq_ignore_ascii_case(name)).map_or(name, |(_, l)| l);
        self.levels.iter().position(|l| l.eq_ignore_ascii_case(level))
    }

    /// The nations a releasability list stands for; `None` when it names anything
    /// unknown. `ALL` stands for every nation there is (public data).
    pub fn expand(&self, rel_to: &[String]) -> Option<Releasable> {
        let mut out = BTreeSet::new();
        for r in rel_to {
            if r == "ALL" {
                return Some(Releasable::All);
            } else if let Some(g) = self.groups.get(r) {
                out.extend(g.iter().cloned());
            } else if self.nations.contains(r) {
                out.insert(r.clone());
            } else {
                return None;
            }
        }
        Some(Releasable::Nations(out))
    }

    /// The rules label combination needs (levels and groups).
    pub fn rules(&self) -> LabelRules {
        LabelRules { levels: self.levels.clone(), groups: self.groups.clone() }
    }
}

/// Who a record may be released to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Releasable {
    /// Everyone.
    All,
    /// These nations.
    Nations(BTreeSet<String>),
}
