//! Security labels: who produced a record and who may read it (NATO ADatP-4774
//! confidentiality labels, EU CISE access model). Every observation, event and
//! product carries one. Combining labels (an event drawn from several
//! sources) is defined here with the rules it needs ([`LabelRules`]: the
//! order of classification levels and the nation groups); deciding who may
//! read what is `sealane-share`'s job.

use serde::{Deserialize, Serialize};

/// Traffic Light Protocol sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tlp {
    /// Public.
    Clear,
    /// Community.
    Green,
    /// Limited distribution.
    Amber,
    /// Named recipients only.
    Red,
}

/// The nation and agency a record comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Originator {
    /// Nation code (ISO 3166 alpha-3, e.g. `CAN`, `KOR`), or `INT` for public sources.
    pub nation: String,
    /// Agency or source system.
    pub agency: String,
}

/// A confidentiality label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    /// Who produced the record.
    pub originator: Originator,
    /// Classification level name, ordered by the policy (e.g. `UNCLASSIFIED`).
    pub classification: String,
    /// Nations (or groups, expanded by the policy) the record may be released to; `ALL` is everyone.
    pub rel_to: Vec<String>,
    /// Restrictive caveats a reader must all hold (e.g. `ORCON`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
    /// Purposes the record may be used for; `None` means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purposes: Option<Vec<String>>,
    /// Traffic Light Protocol.
    pub tlp: Tlp,
    /// Time after which the record must no longer be served, ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until: Option<i64>,
}

impl Label {
    /// The label of public AIS: unclassified, releasable to all, TLP:CLEAR.
    pub fn public_ais() -> Label {
        Label {
            originator: Originator { nation: "INT".into(), agency: "public-ais".into() },
            classification: "UNCLASSIFIED".into(),
            rel_to: vec!["ALL".into()],
            caveats: Vec::new(),
            purposes: None,
            tlp: Tlp::Clear,
            retain_until: None,
        }
    }

    /// Sorts and deduplicates the sets so that equal labels serialise equally.
    pub fn canonical(mut self) -> Label {
        for v in [&mut self.rel_to, &mut self.caveats] {
            v.sort();
            v.dedup();
        }
        if let Some(p) = &mut self.purposes {
            p.sort();
            p.dedup();
        }
        self
    }

    /// Canonical JSON, the form stored and compared.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.clone().canonical()).unwrap_or_default()
    }

    /// Reads a label given on a command line or in configuration: `public`, or JSON.
    pub fn parse(spec: &str) -> Result<Label, String> {
        let s = spec.trim();
        if s.eq_ignore_ascii_case("public") {
            return Ok(Label::public_ais());
        }
        serde_json::from_str::<Label>(s)
            .map(Label::canonical)
            .map_err(|e| format!("label {spec:?} is neither `public` nor a JSON label: {e}"))
    }

    /// The marking people read, e.g. `UNCLASSIFIED // REL TO CAN, KOR // TLP:AMBER`.
    pub fn marking(&self) -> String {
        let mut parts = vec![self.classification.clone()];
        if !self.caveats.is_empty() {
            parts.push(self.caveats.join("/"));
        }
        if !(self.rel_to.len() == 1 && self.rel_to[0] == "ALL") {
            parts.push(format!("REL TO {}", self.rel_to.join(", ")));
        }
        let tlp = match self.tlp {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::Red => "TLP:RED",
        };
        parts.push(tlp.to_string());
        parts.join(" // ")
    }
}

/// What combining and comparing labels needs to know: the order of
/// classification levels and the groups that expand to nations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRules {
    /// Classification levels, lowest first.
    pub levels: Vec<String>,
    /// Groups (e.g. `FVEY`) and the nations they stand for.
    pub groups: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for LabelRules {
    fn default() -> Self {
        let levels = ["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"];
        let fvey = ["AUS", "CAN", "GBR", "NZL", "USA"];
        let nato = [
            "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL", "ITA",
            "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR",
            "GBR", "USA",
        ];
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        LabelRules {
            levels: strings(&levels),
            groups: [("FVEY".to_string(), strings(&fvey)), ("NATO".to_string(), strings(&nato))].into_iter().collect(),
        }
    }
}

impl LabelRules {
    /// Rank of a classification level; unknown levels rank above every known one,
    /// so a combination containing one stays unreadable rather than becoming readable.
    pub fn rank(&self, level: &str) -> usize {
        self.levels.iter().position(|l| l.eq_ignore_ascii_case(level)).unwrap_or(usize::MAX)
    }

    /// Nations a `rel_to` list stands for, groups expanded; `None` means everyone (`ALL`).
    pub fn expand(&self, rel_to: &[String]) -> Option<std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeSet::new();
        for r in rel_to {
            if r == "ALL" {
                return None;
            }
            match self.groups.get(r) {
                Some(nations) => out.extend(nations.iter().cloned()),
                None => {
                    out.insert(r.clone());
                }
            }
        }
        Some(out)
    }

    /// The label of something derived from records labelled `a` and `b`:
    /// classification max, releasability intersection (after expanding groups),
    /// caveats union, purposes intersection, TLP max, retention min.
    pub fn combine(&self, a: &Label, b: &Label) -> Label {
        if a == b {
            return a.clone();
        }
        let classification = if self.rank(&b.classification) > self.rank(&a.classification) {
            &b.classification
        } else {
            &a.classification
        };
        let rel_to = match (self.expand(&a.rel_to), self.expand(&b.rel_to)) {
            (None, None) => vec!["ALL".to_string()],
            (Some(x), None) | (None, Some(x)) => x.into_iter().collect(),
            (Some(x), Some(y)) => x.intersection(&y).cloned().collect(),
        };
        let mut caveats = a.caveats.clone();
        caveats.extend(b.caveats.iter().cloned());
        let purposes = match (&a.purposes, &b.purposes) {
            (None, None) => None,
            (Some(p), None) | (None, Some(p)) => Some(p.clone()),
            (Some(p), Some(q)) => Some(p.iter().filter(|x| q.contains(x)).cloned().collect()),
        };
        let originator = if a.originator == b.originator {
            a.originator.clone()
        } else {
            let mut nations: Vec<&str> = a.originator.nation.split('+').chain(b.originator.nation.split('+')).collect();
            nations.sort_unstable();
            nations.dedup();
            Originator { nation: nations.join("+"), agency: "combined".into() }
        };
        Label {
            originator,
            classification: classification.clone(),
            rel_to,
            caveats,
            purposes,
            tlp: a.tlp.max(b.tlp),
            retain_until: match (a.retain_until, b.retain_until) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            },
        }
        .canonical()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_marks() {
        let l = Label::parse(
            r#"{"originator":{"nation":"KOR","agency":"KCG"},"classification":"SECRET",
                "rel_to":["KOR","CAN","KOR"],"caveats":["ORCON"],"tlp":"AMBER"}"#,
        )
        .unwrap();
        assert_eq!(l.rel_to, vec!["CAN", "KOR"]);
        assert_eq!(l.marking(), "SECRET // ORCON // REL TO CAN, KOR // TLP:AMBER");
        assert_eq!(Label::parse("public").unwrap(), Label::public_ais());
        assert_eq!(Label::public_ais().marking(), "UNCLASSIFIED // TLP:CLEAR");
        assert!(Label::parse("{oops").unwrap_err().contains("{oops"));
        assert_eq!(Label::parse(&l.to_json()).unwrap(), l);
    }

    fn label(json: &str) -> Label {
        Label::parse(json).unwrap()
    }

    #[test]
    fn combining_takes_the_most_restrictive_of_each_part() {
        let rules = LabelRules::default();
        let kor = label(
            r#"{"originator":{"nation":"KOR","agency":"KCG"},"classification":"CONFIDENTIAL",
                "rel_to":["KOR","CAN","USA"],"caveats":["ORCON"],"purposes":["maritime-safety","sanctions"],
                "tlp":"AMBER","retain_until":2000}"#,
        );
        let can = label(
            r#"{"originator":{"nation":"CAN","agency":"DND"},"classification":"SECRET",
                "rel_to":["FVEY"],"purposes":["sanctions"],"tlp":"GREEN","retain_until":1000}"#,
        );
        let c = rules.combine(&kor, &can);
        assert_eq!(c.classification, "SECRET");
        assert_eq!(c.rel_to, vec!["CAN", "USA"], "FVEY expands before the intersection");
        assert_eq!(c.caveats, vec!["ORCON"]);
        assert_eq!(c.purposes, Some(vec!["sanctions".to_string()]));
        assert_eq!(c.tlp, Tlp::Amber);
        assert_eq!(c.retain_until, Some(1000));
        assert_eq!(c.originator.nation, "CAN+KOR");
        // Public data adds nothing restrictive.
        assert_eq!(rules.combine(&Label::public_ais(), &kor), rules.combine(&kor, &Label::public_ais()));
        assert_eq!(rules.combine(&Label::public_ais(), &kor).rel_to, vec!["CAN", "KOR", "USA"]);
        assert_eq!(rules.combine(&Label::public_ais(), &Label::public_ais()), Label::public_ais());
        // An unknown level outranks every known one.
        let odd = label(
            r#"{"originator":{"nation":"KOR","agency":"X"},"classification":"COSMIC","rel_to":["ALL"],"tlp":"CLEAR"}"#,
        );
        assert_eq!(rules.combine(&can, &odd).classification, "COSMIC");
    }
}
