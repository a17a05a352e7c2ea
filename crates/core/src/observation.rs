//! Observations: what a source said about a vessel at a time.

/// How a record's time was obtained, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeSource {
    /// A time column of an archive (e.g. MarineCadastre `BaseDateTime`).
    Column,
    /// NMEA 4 tag block `c:`.
    TagBlock,
    /// A receiver's timestamp line or prefix (`$PGHP`, leading epoch, USCG trailer).
    Receiver,
    /// The time the record reached us: a last resort, and marked as such.
    Arrival,
}

impl TimeSource {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            TimeSource::Column => "column",
            TimeSource::TagBlock => "tag_block",
            TimeSource::Receiver => "receiver",
            TimeSource::Arrival => "arrival",
        }
    }

    /// Inverse of [`TimeSource::name`].
    pub fn from_name(s: &str) -> Option<TimeSource> {
        Some(match s {
            "column" => TimeSource::Column,
            "tag_block" => TimeSource::TagBlock,
            "receiver" => TimeSource::Receiver,
            "arrival" => TimeSource::Arrival,
            _ => return None,
        })
    }
}

/// The kind of station a report comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VesselClass {
    /// Class A shipborne (types 1-3, 5).
    A,
    /// Class B shipborne (types 18, 19, 24).
    B,
    /// SAR aircraft (type 9).
    Sar,
    /// Aid to navigation (type 21).
    AtoN,
    /// Base station (type 4).
    Base,
    /// Unknown (archives without the information).
    Unknown,
}

impl VesselClass {
    /// Stable one-letter-ish code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            VesselClass::A => "A",
            VesselClass::B => "B",
            VesselClass::Sar => "SAR",
            VesselClass::AtoN => "AtoN",
            VesselClass::Base => "BASE",
            VesselClass::Unknown => "",
        }
    }

    /// Inverse of [`VesselClass::code`].
    pub fn from_code(s: &str) -> VesselClass {
        match s {
            "A" => VesselClass::A,
            "B" => VesselClass::B,
            "SAR" => VesselClass::Sar,
            "AtoN" => VesselClass::AtoN,
            "BASE" => VesselClass::Base,
            _ => VesselClass::Unknown,
        }
    }
}

/// Where a record came from: source, raw log reference, input line. Events
/// carry these as evidence, so every conclusion leads back to raw messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    /// Source id.
    pub source: u32,
    /// Raw log chunk id (`-1` when the run keeps no raw log).
    pub chunk: i64,
    /// Index in the chunk.
    pub index: u32,
    /// Line number in the run's input (1-based, counted across inputs).
    pub line: u64,
}

/// A position report. Unknown values are `None`, never sentinel numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// Reporting MMSI.
    pub mmsi: u32,
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Where the time came from.
    pub time_source: TimeSource,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub sog: Option<f32>,
    /// Course over ground, degrees.
    pub cog: Option<f32>,
    /// True heading, degrees.
    pub heading: Option<u16>,
    /// Navigational status code (0-14; 15 "not defined" is `None`).
    pub nav_status: Option<u8>,
    /// Rate of turn, degrees per minute (signed; `None` when not available or only a direction).
    pub rot: Option<f32>,
    /// Position accuracy better than 10 m.
    pub accuracy: bool,
    /// Station class.
    pub class: VesselClass,
    /// AIS message type it came from (0 for archives).
    pub msg_type: u8,
}

/// Static and voyage data: who a vessel says it is and where it says it goes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Identity {
    /// Reporting MMSI.
    pub mmsi: u32,
    /// Time, ms since the epoch.
    pub time_ms: i64,
    /// Vessel name.
    pub name: Option<String>,
    /// Call sign.
    pub callsign: Option<String>,
    /// IMO number.
    pub imo: Option<u32>,
    /// Type of ship and cargo code.
    pub shiptype: Option<u8>,
    /// Dimensions to bow, stern, port, starboard, metres.
    pub dims: Option<[u16; 4]>,
    /// Draught, metres.
    pub draught: Option<f32>,
    /// Destination.
    pub destination: Option<String>,
    /// ETA as `MM-DDTHH:MM` (the year is not transmitted).
    pub eta: Option<String>,
}

impl Identity {
    /// Length overall from the dimensions, metres.
    pub fn length_m(&self) -> Option<u16> {
        self.dims.map(|d| d[0] + d[1]).filter(|&l| l > 0)
    }

    /// Beam from the dimensions, metres.
    pub fn beam_m(&self) -> Option<u16> {
        self.dims.map(|d| d[2] + d[3]).filter(|&b| b > 0)
    }

    /// Fields of `other` that are known replace ours (type 24 parts and type 5 each carry some).
    pub fn merge(&mut self, other: &Identity) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() && self.$f != other.$f { self.$f.clone_from(&other.$f); } )* };
        }
        take!(name, callsign, imo, shiptype, dims, draught, destination, eta);
        self.time_ms = self.time_ms.max(other.time_ms);
    }
}

/// One thing a source said.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A position.
    Position(Position),
    /// Identity or voyage data (boxed: positions, the common case, stay small).
    Identity(Box<Identity>),
}

impl Observation {
    /// Reporting MMSI.
    pub fn mmsi(&self) -> u32 {
        match self {
            Observation::Position(p) => p.mmsi,
            Observation::Identity(i) => i.mmsi,
        }
    }

    /// Time, ms since the epoch.
    pub fn time_ms(&self) -> i64 {
        match self {
            Observation::Position(p) => p.time_ms,
            Observation::Identity(i) => i.time_ms,
        }
    }
}
