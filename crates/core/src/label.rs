//! Security labels: who produced a record and who may read it (NATO ADatP-4774
//! confidentiality labels, EU CISE access model). Every observation, event and
//! product carries one. Combining labels and deciding access is
//! `sealane-share`'s job; this is the data.

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
}
