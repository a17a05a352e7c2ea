//! What a decoded AIS message says, as observations: positions only when the
//! position is known, every "not available" sentinel as `None`, text trimmed.

use sealane_ais::decoder::{Decoded, TimeSource as AisTimeSource};
use sealane_ais::message::{Dimensions, StaticDataPart};
use sealane_ais::{Message, Text, units};

use crate::observation::{Identity, Observation, Position, TimeSource, VesselClass};

/// The receive time of a decoded message and its origin, or `arrival_ms` marked as arrival.
pub fn receive_time(d: &Decoded, arrival_ms: i64) -> (i64, TimeSource) {
    match d.meta.received {
        Some(t) => (
            t.ms,
            match t.source {
                AisTimeSource::TagBlock => TimeSource::TagBlock,
                AisTimeSource::Pghp | AisTimeSource::Prefix | AisTimeSource::Trailer => TimeSource::Receiver,
            },
        ),
        None => (arrival_ms, TimeSource::Arrival),
    }
}

fn text<const N: usize>(t: &Text<N>) -> Option<String> {
    let s = t.as_str().trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn dims(b: u16, s: u16, p: u8, sb: u8) -> Option<[u16; 4]> {
    let d = [b, s, p as u16, sb as u16];
    (d != [0; 4]).then_some(d)
}

/// `MM-DDTHH:MM`. Written digit by digit: `format!` cost about 3,000 instructions a
/// static report, 1.2 % of an ingest. Every field is below 100 (4 to 6 bits).
fn eta(month: u8, day: u8, hour: u8, minute: u8) -> Option<String> {
    (month != 0 && day != 0).then(|| {
        let mut s = String::with_capacity(11);
        for (v, sep) in [(month, None), (day, Some('-')), (hour, Some('T')), (minute, Some(':'))] {
            s.extend(sep);
            s.push(char::from(b'0' + v / 10 % 10));
            s.push(char::from(b'0' + v % 10));
        }
        s
    })
}

/// Appends the observations a decoded message carries to `out` (none, one or two).
pub fn observe(d: &Decoded, arrival_ms: i64, out: &mut Vec<Observation>) {
    let (time_ms, time_source) = receive_time(d, arrival_ms);
    let m = &d.message;
    let mmsi = m.mmsi();
    #[allow(clippy::too_many_arguments)]
    let position = |lat: Option<f64>,
                    lon: Option<f64>,
                    sog: Option<f64>,
                    cog: Option<f64>,
                    heading: Option<f64>,
                    nav_status: Option<u8>,
                    rot: Option<f64>,
                    accuracy: bool,
                    class: VesselClass| {
        let (lat, lon) = (lat?, lon?);
        Some(Observation::Position(Position {
            mmsi,
            time_ms,
            time_source,
            lat,
            lon,
            sog: sog.map(|v| v as f32),
            cog: cog.map(|v| v as f32),
            heading: heading.map(|h| h as u16),
            nav_status: nav_status.filter(|&s| s < 15),
            rot: rot.map(|v| v as f32),
            accuracy,
            class,
            msg_type: m.msg_type(),
        }))
    };
    let identity = |f: &dyn Fn(&mut Identity)| {
        let mut i = Identity { mmsi, time_ms, ..Identity::default() };
        f(&mut i);
        Observation::Identity(Box::new(i))
    };
    let long_range_deg = |raw: i32, limit: f64| {
        let d = raw as f64 / 600.0;
        (d.abs() <= limit).then_some(d)
    };
    // At most two observations a message; an array, not a Vec: no allocation per message.
    let obs: [Option<Observation>; 2] = match m {
        Message::Position(p) => [
            position(
                units::lat_deg(p.lat),
                units::lon_deg(p.lon),
                units::speed_knots(p.speed),
                units::course_deg(p.course),
                units::heading_deg(p.heading),
                Some(p.status),
                units::turn_deg_per_min(p.turn),
                p.accuracy,
                VesselClass::A,
            ),
            None,
        ],
        Message::ClassBPosition(p) => [
            position(
                units::lat_deg(p.lat),
                units::lon_deg(p.lon),
                units::speed_knots(p.speed),
                units::course_deg(p.course),
                units::heading_deg(p.heading),
                None,
                None,
                p.accuracy,
                VesselClass::B,
            ),
            None,
        ],
        Message::ClassBExtended(p) => [
            position(
                units::lat_deg(p.lat),
                units::lon_deg(p.lon),
                units::speed_knots(p.speed),
                units::course_deg(p.course),
                units::heading_deg(p.heading),
                None,
                None,
                p.accuracy,
                VesselClass::B,
            ),
            Some(identity(&|i| {
                i.name = text(&p.shipname);
                i.shiptype = (p.shiptype != 0).then_some(p.shiptype);
                i.dims = dims(p.to_bow, p.to_stern, p.to_port, p.to_starboard);
            })),
        ],
        Message::LongRange(p) => [
            position(
                long_range_deg(p.lat, 90.0),
                long_range_deg(p.lon, 180.0),
                (p.speed < 63).then_some(p.speed as f64),
                (p.course < 360).then_some(p.course as f64),
                None,
                Some(p.status),
                None,
                p.accuracy,
                VesselClass::A,
            ),
            None,
        ],
        Message::SarAircraft(p) => [
            position(
                units::lat_deg(p.lat),
                units::lon_deg(p.lon),
                (p.speed < 1023).then_some(p.speed as f64),
                units::course_deg(p.course),
                None,
                None,
                None,
                p.accuracy,
                VesselClass::Sar,
            ),
            None,
        ],
        Message::BaseStation(b) if b.msg_type == 4 => [
            position(
                units::lat_deg(b.lat),
                units::lon_deg(b.lon),
                None,
                None,
                None,
                None,
                None,
                b.accuracy,
                VesselClass::Base,
            ),
            None,
        ],
        Message::AidToNavigation(a) => {
            let f = &a.fixed;
            [
                position(
                    units::lat_deg(f.lat),
                    units::lon_deg(f.lon),
                    None,
                    None,
                    None,
                    None,
                    None,
                    f.accuracy,
                    VesselClass::AtoN,
                ),
                Some(identity(&|i| {
                    let n = a.full_name();
                    i.name = (!n.is_empty()).then_some(n);
                    i.dims = dims(f.to_bow, f.to_stern, f.to_port, f.to_starboard);
                })),
            ]
        }
        Message::StaticVoyage(s) => [
            Some(identity(&|i| {
                i.name = text(&s.shipname);
                i.callsign = text(&s.callsign);
                i.imo = (s.imo != 0).then_some(s.imo);
                i.shiptype = (s.shiptype != 0).then_some(s.shiptype);
                i.dims = dims(s.to_bow, s.to_stern, s.to_port, s.to_starboard);
                i.draught = units::draught_m(s.draught).map(|v| v as f32);
                i.destination = text(&s.destination);
                i.eta = eta(s.month, s.day, s.hour, s.minute);
            })),
            None,
        ],
        Message::StaticDataReport(r) => [
            Some(identity(&|i| match &r.part {
                StaticDataPart::A { shipname } => i.name = text(shipname),
                StaticDataPart::B { shiptype, callsign, dimensions, .. } => {
                    i.callsign = text(callsign);
                    i.shiptype = (*shiptype != 0).then_some(*shiptype);
                    if let Dimensions::Ship { to_bow, to_stern, to_port, to_starboard } = *dimensions {
                        i.dims = dims(to_bow, to_stern, to_port, to_starboard);
                    }
                }
            })),
            None,
        ],
        _ => [None, None],
    };
    out.extend(obs.into_iter().flatten());
}

#[cfg(test)]
mod tests {
    #[test]
    fn eta_reads_as_formatted() {
        for (m, d, h, mi) in
            [(1, 1, 0, 0), (12, 31, 23, 59), (15, 31, 24, 60), (3, 9, 31, 63), (0, 5, 1, 1), (4, 0, 1, 1)]
        {
            let want = (m != 0 && d != 0).then(|| format!("{m:02}-{d:02}T{h:02}:{mi:02}"));
            assert_eq!(super::eta(m, d, h, mi), want);
        }
    }

    use super::*;
    use sealane_ais::Decoder;

    fn one(line: &str) -> Vec<Observation> {
        let mut d = Decoder::default();
        let dec = *d.feed(line.as_bytes()).unwrap().unwrap();
        let mut out = Vec::new();
        observe(&dec, 42, &mut out);
        out
    }

    #[test]
    fn position_with_sentinels_as_none() {
        let o = one("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A");
        let Observation::Position(p) = &o[0] else { panic!() };
        assert_eq!(p.mmsi, 371798000);
        assert!((p.lat - 48.381633).abs() < 1e-6 && (p.lon + 123.395383).abs() < 1e-6);
        assert_eq!(p.sog, Some(12.3));
        assert_eq!(p.rot, None, "fast turn: direction only");
        assert_eq!(p.time_ms, 42);
        assert_eq!(p.time_source, TimeSource::Arrival);
    }

    #[test]
    fn type_5_identity() {
        let mut d = Decoder::default();
        d.feed(b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C").unwrap();
        let dec = *d.feed(b"!AIVDM,2,2,1,A,88888888880,2*25").unwrap().unwrap();
        let mut out = Vec::new();
        observe(&dec, 0, &mut out);
        let Observation::Identity(i) = &out[0] else { panic!() };
        assert_eq!(i.name.as_deref(), Some("EVER DIADEM"));
        assert_eq!(i.callsign.as_deref(), Some("3FOF8"));
        assert_eq!(i.imo, Some(9134270));
        assert_eq!(i.destination.as_deref(), Some("NEW YORK"));
        assert_eq!(i.length_m(), Some(295));
    }
}
