//! Watchlists: vessels whose MMSI, IMO, or name and call sign together match
//! a sanctions or watch list.
//!
//! Three CSV forms are read: the official OFAC `sdn.csv` (no header; vessel
//! rows have SDN_Type `vessel`, with IMO and MMSI in the remarks), the
//! vessel extract of it (`ent_num,name,program,call_sign,...,imo,mmsi,remarks`)
//! and a plain list `imo,mmsi,name,callsign,list,reason`.

use sealane_core::hash::{FxHashMap, FxHashSet};
use sealane_core::{EventKind, Evidence, Identity, Origin, mmsi};
use sealane_track::{LabelId, Tracks, VesselId};

use crate::details;
use crate::draft::{Draft, LabelSet};

/// The OFAC SDN vessels of 2024-05-03, compiled in.
pub const DEFAULT_WATCHLIST: (&str, &str) =
    ("ofac_sdn_vessels_2024-05-03.csv", include_str!("../data/watchlists/ofac_sdn_vessels_2024-05-03.csv"));

/// One listed vessel.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// IMO numbers.
    pub imo: Vec<u32>,
    /// MMSIs.
    pub mmsi: Vec<u32>,
    /// Name.
    pub name: String,
    /// Call sign.
    pub callsign: String,
    /// The list (e.g. `OFAC SDN`) and program (e.g. `DPRK3`).
    pub list: String,
    /// Why it is listed.
    pub reason: String,
}

/// Listed vessels indexed by MMSI, IMO and name + call sign.
#[derive(Debug, Default)]
pub struct Watchlist {
    entries: Vec<Entry>,
    by_mmsi: FxHashMap<u32, Vec<u32>>,
    by_imo: FxHashMap<u32, Vec<u32>>,
    by_name_callsign: FxHashMap<(String, String), Vec<u32>>,
    /// Rows that name no IMO, MMSI, or name with call sign (nothing to match on).
    skipped: Vec<String>,
}

/// Upper case, letters and digits only: how names and call signs are compared.
pub fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

fn imo_numbers(remarks: &str) -> Vec<u32> {
    let mut v = numbers(remarks, "IMO");
    for n in numbers(remarks, "IDENTIFICATION") {
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v.retain(|&n| (1_000_000..=9_999_999).contains(&n));
    v
}

fn numbers(s: &str, keyword: &str) -> Vec<u32> {
    // "IMO 1234567; MMSI 123456789" in remarks, or "1234567;7654321" in a column.
    let mut out = Vec::new();
    let upper = s.to_uppercase();
    if keyword.is_empty() {
        for part in upper.split([';', ' ', '|']) {
            if let Ok(n) = part.trim().parse::<u32>() {
                out.push(n);
            }
        }
        return out;
    }
    let mut rest = upper.as_str();
    while let Some(at) = rest.find(keyword) {
        rest = &rest[at + keyword.len()..];
        let mut after = rest.trim_start();
        // "Vessel Registration Identification IMO 1234567" or "... Identification 1234567".
        if keyword == "IDENTIFICATION" {
            after = after.strip_prefix("IMO").unwrap_or(after).trim_start();
        }
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(n) = digits.parse::<u32>() {
            out.push(n);
        }
    }
    out
}

/// OFAC writes "-0-" for an empty field.
fn split_csv(line: &str) -> Vec<String> {
    sealane_core::csv::split_quoted(line)
        .into_iter()
        .map(|f| {
            let t = f.trim();
            if t == "-0-" { String::new() } else { t.to_string() }
        })
        .collect()
}

impl Watchlist {
    /// An empty list.
    pub fn none() -> Watchlist {
        Watchlist::default()
    }

    /// The compiled-in OFAC SDN vessels.
    pub fn default_list() -> Watchlist {
        let mut w = Watchlist::default();
        w.add_csv(DEFAULT_WATCHLIST.1, DEFAULT_WATCHLIST.0).expect("the compiled-in watchlist is valid");
        w
    }

    /// Adds the vessels of a CSV text in one of the three forms; `what` names it in errors.
    /// Returns how many vessels were added.
    pub fn add_csv(&mut self, text: &str, what: &str) -> Result<usize, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((_, first)) = lines.next() else { return Err(format!("{what}: empty")) };
        let head = split_csv(first.trim_start_matches('\u{feff}'));
        let lower: Vec<String> = head.iter().map(|h| h.to_lowercase()).collect();
        let col = |n: &str| lower.iter().position(|h| h == n);
        let before = self.entries.len();
        if lower.contains(&"ent_num".to_string()) || (col("imo").is_some() && col("mmsi").is_some()) {
            let (imo, mmsi_c) = (col("imo"), col("mmsi"));
            let name = col("name");
            let cs = col("callsign").or(col("call_sign"));
            let list = col("list");
            let program = col("program");
            let reason = col("reason").or(col("remarks"));
            for (i, line) in lines {
                let f = split_csv(line);
                let get = |c: Option<usize>| c.and_then(|c| f.get(c)).map(String::as_str).unwrap_or("");
                let mut imos = numbers(get(imo), "");
                if imos.is_empty() {
                    imos = imo_numbers(get(reason));
                }
                let e = Entry {
                    imo: imos,
                    mmsi: numbers(get(mmsi_c), ""),
                    name: get(name).to_string(),
                    callsign: get(cs).to_string(),
                    list: match (list, program) {
                        (Some(_), _) => get(list).to_string(),
                        (None, Some(_)) => format!("OFAC SDN {}", get(program)),
                        _ => what.to_string(),
                    },
                    reason: get(reason).to_string(),
                };
                if e.imo.is_empty() && e.mmsi.is_empty() && (e.name.is_empty() || e.callsign.is_empty()) {
                    self.skipped.push(format!(
                        "{what}:{}: {:?} has no IMO, MMSI, or name and call sign",
                        i + 1,
                        e.name
                    ));
                    continue;
                }
                self.push(e);
            }
        } else if head.len() >= 12 && head[0].parse::<u64>().is_ok() {
            // The official sdn.csv: no header; the first line is already a record.
            for (i, line) in std::iter::once((0, first)).chain(lines) {
                let f = split_csv(line);
                if f.len() < 12 {
                    return Err(format!("{what}:{}: {} fields, the OFAC sdn.csv form has 12", i + 1, f.len()));
                }
                if !f[2].eq_ignore_ascii_case("vessel") {
                    continue;
                }
                let remarks = &f[11];
                self.push(Entry {
                    imo: imo_numbers(remarks),
                    mmsi: numbers(remarks, "MMSI"),
                    name: f[1].clone(),
                    callsign: f[5].clone(),
                    list: format!("OFAC SDN {}", f[3]),
                    reason: remarks.clone(),
                });
            }
        } else {
            return Err(format!(
                "{what}: not a watchlist: expected a header with imo,mmsi,name,callsign,list,reason, the OFAC vessel \
                 extract (ent_num,...), or the OFAC sdn.csv (12 columns, no header)"
            ));
        }
        Ok(self.entries.len() - before)
    }

    fn push(&mut self, e: Entry) {
        let i = self.entries.len() as u32;
        for &m in &e.mmsi {
            self.by_mmsi.entry(m).or_default().push(i);
        }
        for &m in &e.imo {
            self.by_imo.entry(m).or_default().push(i);
        }
        let (n, c) = (normalise(&e.name), normalise(&e.callsign));
        if !n.is_empty() && !c.is_empty() {
            self.by_name_callsign.entry((n, c)).or_default().push(i);
        }
        self.entries.push(e);
    }

    /// Vessels listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries listing an IMO number.
    pub fn by_imo(&self, imo: u32) -> impl Iterator<Item = &Entry> {
        self.by_imo.get(&imo).into_iter().flatten().map(|&i| &self.entries[i as usize])
    }

    /// Rows skipped because they give nothing to match on, each with its place.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

/// The watchlist detector: one event per vessel and entry.
#[derive(Debug, Default)]
pub struct WatchlistDetector {
    list: Watchlist,
    reported: FxHashSet<(VesselId, u32)>,
}

impl WatchlistDetector {
    /// A detector over this list.
    pub fn new(list: Watchlist) -> WatchlistDetector {
        WatchlistDetector { list, reported: FxHashSet::default() }
    }

    /// The list.
    pub fn list(&self) -> &Watchlist {
        &self.list
    }

    #[allow(clippy::too_many_arguments)]
    fn hit(
        &mut self,
        id: VesselId,
        vessel_mmsi: u32,
        entry: u32,
        matched_on: &str,
        time_ms: i64,
        lat_lon: Option<(f64, f64)>,
        label: LabelId,
        origin: Origin,
        out: &mut Vec<Draft>,
    ) {
        if !self.reported.insert((id, entry)) {
            return;
        }
        let e = &self.list.entries[entry as usize];
        let (lat, lon) = lat_lon.unwrap_or((f64::NAN, f64::NAN));
        out.push(Draft {
            kind: EventKind::WatchlistHit,
            start_ms: time_ms,
            end_ms: time_ms,
            mmsi: vec![vessel_mmsi],
            lat,
            lon,
            confidence: match matched_on {
                "imo" => 0.95,
                "mmsi" => 0.85,
                _ => 0.75,
            },
            details: details![
                "matched_on" => matched_on,
                "list" => e.list,
                "listed_name" => e.name,
                "listed_callsign" => e.callsign,
                "listed_imo" => e.imo,
                "listed_mmsi" => e.mmsi,
                "reason" => e.reason,
                "flag" => mmsi::flag(vessel_mmsi),
            ],
            evidence: vec![Evidence { mmsi: vessel_mmsi, time_ms, lat_lon, origin }],
            labels: LabelSet::of(label),
            discriminator: format!("{matched_on}{entry}"),
        });
    }

    /// A vessel seen for the first time: its MMSI.
    #[allow(clippy::too_many_arguments)]
    pub fn first_sight(
        &mut self,
        tracks: &Tracks,
        id: VesselId,
        time_ms: i64,
        lat_lon: Option<(f64, f64)>,
        label: LabelId,
        origin: Origin,
        out: &mut Vec<Draft>,
    ) {
        let m = tracks.vessel(id).mmsi;
        let Some(entries) = self.list.by_mmsi.get(&m).cloned() else { return };
        for e in entries {
            self.hit(id, m, e, "mmsi", time_ms, lat_lon, label, origin, out);
        }
    }

    /// An identity report: its IMO, and its name with its call sign.
    pub fn on_identity(
        &mut self,
        tracks: &Tracks,
        id: VesselId,
        obs: &Identity,
        label: LabelId,
        origin: Origin,
        out: &mut Vec<Draft>,
    ) {
        if self.list.is_empty() {
            return;
        }
        let v = tracks.vessel(id);
        let lat_lon = (v.fixes > 0).then_some((v.last.lat, v.last.lon));
        if let Some(entries) = obs.imo.and_then(|i| self.list.by_imo.get(&i)).cloned() {
            for e in entries {
                self.hit(id, v.mmsi, e, "imo", obs.time_ms, lat_lon, label, origin, out);
            }
        }
        if let (Some(n), Some(c)) = (&obs.name, &obs.callsign) {
            let key = (normalise(n), normalise(c));
            if let Some(entries) = self.list.by_name_callsign.get(&key).cloned() {
                for e in entries {
                    self.hit(id, v.mmsi, e, "name_callsign", obs.time_ms, lat_lon, label, origin, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_forms() {
        let w = Watchlist::default_list();
        assert!(w.len() > 800, "{}", w.len());
        assert!(w.by_mmsi.contains_key(&518_100_626), "the MMSI the shared Spire sample contains");
        let mut plain = Watchlist::none();
        let n = plain
            .add_csv("imo,mmsi,name,callsign,list,reason\n9074626,,CHON MA SAN,HMYN,UN 1718,DPRK oil\n,440123456,,,KR,watch\n", "p.csv")
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(plain.by_imo[&9_074_626], vec![0]);
        assert_eq!(plain.by_name_callsign[&("CHONMASAN".into(), "HMYN".into())], vec![0]);
        let mut sdn = Watchlist::none();
        let text = "4243,\"EBANO\",\"vessel\",\"CUBA\",-0- ,-0- ,\"General Cargo\",\"2595\",\"1865\",\"Panama\",-0- ,\"Vessel Registration Identification IMO 7406784; MMSI 352001234.\"\n\
                    36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Havana, Cuba.\"\n";
        assert_eq!(sdn.add_csv(text, "sdn.csv").unwrap(), 1);
        assert_eq!(sdn.entries[0].imo, vec![7_406_784]);
        assert_eq!(sdn.entries[0].mmsi, vec![352_001_234]);
        assert_eq!(sdn.entries[0].list, "OFAC SDN CUBA");
        let e = Watchlist::none().add_csv("a,b\n1,2\n", "bad.csv").unwrap_err();
        assert!(e.contains("bad.csv") && e.contains("not a watchlist"), "{e}");
        let mut only_name = Watchlist::none();
        assert_eq!(only_name.add_csv("imo,mmsi,name,callsign,list,reason\n,,NAME ONLY,,x,y\n", "p.csv").unwrap(), 0);
        assert!(only_name.skipped()[0].starts_with("p.csv:2:"), "{:?}", only_name.skipped());
        // "Vessel Registration Identification 8606173" (no "IMO") is an IMO number.
        let w = Watchlist::default_list();
        assert!(w.by_imo.contains_key(&8_606_173));
    }
}
