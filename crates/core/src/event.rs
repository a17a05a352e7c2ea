//! Behaviour events: what a detector concluded, over which vessels and time,
//! with the evidence that raised it and the label that evidence allows.

use crate::hash::FxHasher;
use crate::{Label, Origin};
use std::hash::Hasher;

/// The kinds of event (the `type` field of the JSON contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// AIS silence: a raw gap, or a suspected disabling.
    Gap,
    /// Two vessels together at sea (ship-to-ship transfer profile).
    Encounter,
    /// One vessel slow at sea for hours.
    Loitering,
    /// A vessel entered a zone.
    ZoneEntry,
    /// A vessel left a zone.
    ZoneExit,
    /// A vessel stayed in a zone.
    ZoneDwell,
    /// Positions that cannot be true: impossible speed, two places at once, on land.
    Spoofing,
    /// Name, call sign, IMO, ship type or flag changed.
    IdentityChange,
    /// An MMSI or MID that cannot be a ship's.
    InvalidIdentity,
    /// A vessel matches a sanctions or watch list.
    WatchlistHit,
    /// A satellite detection no AIS track explains.
    DarkVessel,
}

impl EventKind {
    /// Every kind, in a stable order.
    pub const ALL: [EventKind; 11] = [
        EventKind::Gap,
        EventKind::Encounter,
        EventKind::Loitering,
        EventKind::ZoneEntry,
        EventKind::ZoneExit,
        EventKind::ZoneDwell,
        EventKind::Spoofing,
        EventKind::IdentityChange,
        EventKind::InvalidIdentity,
        EventKind::WatchlistHit,
        EventKind::DarkVessel,
    ];

    /// The name used in JSON and the store.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Gap => "gap",
            EventKind::Encounter => "encounter",
            EventKind::Loitering => "loitering",
            EventKind::ZoneEntry => "zone_entry",
            EventKind::ZoneExit => "zone_exit",
            EventKind::ZoneDwell => "zone_dwell",
            EventKind::Spoofing => "spoofing",
            EventKind::IdentityChange => "identity_change",
            EventKind::InvalidIdentity => "invalid_identity",
            EventKind::WatchlistHit => "watchlist_hit",
            EventKind::DarkVessel => "dark_vessel",
        }
    }

    /// Inverse of [`EventKind::name`].
    pub fn from_name(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One piece of evidence: a fix or message the event rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Vessel.
    pub mmsi: u32,
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Position, when the evidence is a position.
    pub lat_lon: Option<(f64, f64)>,
    /// Where it came from.
    pub origin: Origin,
}

/// A behaviour event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable id: the same input gives the same id (see [`Event::make_id`]).
    pub id: String,
    /// Kind.
    pub kind: EventKind,
    /// Start, ms since the epoch.
    pub start_ms: i64,
    /// End, ms since the epoch.
    pub end_ms: i64,
    /// Vessels involved, ascending (one for most kinds, two for encounters).
    pub mmsi: Vec<u32>,
    /// Representative latitude.
    pub lat: f64,
    /// Representative longitude.
    pub lon: f64,
    /// 0–1.
    pub confidence: f64,
    /// The combination of the evidence's labels.
    pub label: Label,
    /// Kind-specific facts.
    pub details: serde_json::Map<String, serde_json::Value>,
    /// What raised it (a bounded sample: first, last and a few between).
    pub evidence: Vec<Evidence>,
}

impl Event {
    /// The id of an event of `kind` over `mmsi` starting at `start_ms`, with a
    /// `discriminator` for kinds that can start twice at once (zone name, list entry).
    pub fn make_id(kind: EventKind, mmsi: &[u32], start_ms: i64, discriminator: &str) -> String {
        let mut h = FxHasher::default();
        for m in mmsi {
            h.write_u32(*m);
        }
        h.write_i64(start_ms);
        h.write(discriminator.as_bytes());
        let a = h.finish();
        // A second, differently seeded pass widens the id to 96 bits.
        let mut h2 = FxHasher::default();
        h2.write_u64(a ^ 0x9e37_79b9_7f4a_7c15);
        h2.write(discriminator.as_bytes());
        format!("{}-{:016x}{:08x}", kind.name(), a, h2.finish() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ids_are_stable() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_name(k.name()), Some(k));
        }
        let a = Event::make_id(EventKind::Encounter, &[1, 2], 1000, "");
        assert_eq!(a, Event::make_id(EventKind::Encounter, &[1, 2], 1000, ""));
        assert_ne!(a, Event::make_id(EventKind::Encounter, &[1, 2], 1001, ""));
        assert_ne!(a, Event::make_id(EventKind::Encounter, &[1, 3], 1000, ""));
        assert_ne!(
            Event::make_id(EventKind::ZoneEntry, &[1], 0, "Korea Strait"),
            Event::make_id(EventKind::ZoneEntry, &[1], 0, "Taiwan Strait")
        );
        assert!(a.starts_with("encounter-"));
    }
}
