//! The AIS messages of ITU-R M.1371-5, types 1 to 27, with every field.
//!
//! Fields hold the transmitted integer values (latitude in 1/10 000 minute,
//! speed in 1/10 knot, ...): no scaling, no "not available" conversion, so a
//! message re-encodes bit for bit. Scaled views live in [`crate::units`].
//! Fixed layouts are written once, with [`layout!`], and that single list
//! drives both the decoder and the encoder.

use crate::bits::{BinaryData, Bits, Reader, Text, WordReader, Writer};

/// Describes a message body as a sequence of fields; generates the struct and
/// its `read`/`write` so that decoding and encoding share one layout.
macro_rules! layout {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty = $kind:ident $width:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
        pub struct $name {
            /// Message type (6 bits).
            pub msg_type: u8,
            /// Repeat indicator (2 bits).
            pub repeat: u8,
            /// Source MMSI (30 bits).
            pub mmsi: u32,
            $( $(#[$fm])* pub $field: $ty ),*
        }
        impl $name {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            #[inline]
            pub(crate) fn read(bits: &Bits<'_>) -> Self {
                let r = &mut WordReader::<8>::new(bits);
                let msg_type = r.u(6) as u8;
                let repeat = r.u(2) as u8;
                let mmsi = r.u(30) as u32;
                $name { msg_type, repeat, mmsi, $( $field: layout!(@read r, $kind, $width) ),* }
            }
            pub(crate) fn write(&self, w: &mut Writer) {
                w.u(self.msg_type as u64, 6);
                w.u(self.repeat as u64, 2);
                w.u(self.mmsi as u64, 30);
                $( layout!(@write w, $kind, $width, self.$field); )*
            }
            /// Bits in the standard layout.
            pub const BITS: usize = 38 $( + layout!(@width $kind, $width) )*;
        }
    };
    (@read $r:ident, u, $w:literal) => { $r.u($w) as _ };
    (@read $r:ident, i, $w:literal) => { $r.i($w) as _ };
    (@read $r:ident, b, $w:literal) => { $r.b() };
    (@read $r:ident, t, $w:literal) => { $r.text($w) };
    (@write $w:ident, u, $n:literal, $v:expr) => { $w.u($v as u64, $n) };
    (@write $w:ident, i, $n:literal, $v:expr) => { $w.i($v as i64, $n) };
    (@write $w:ident, b, $n:literal, $v:expr) => { $w.b($v) };
    (@write $w:ident, t, $n:literal, $v:expr) => { $w.text(&$v, $n) };
    (@width u, $n:literal) => { $n };
    (@width i, $n:literal) => { $n };
    (@width b, $n:literal) => { 1 };
    (@width t, $n:literal) => { 6 * $n };
}

layout! {
    /// Types 1, 2 and 3: Class A position report (scheduled, assigned, interrogated).
    pub struct PositionReport {
        /// Navigational status (0 under way using engine ... 15 not defined).
        status: u8 = u 4,
        /// Rate of turn indicator: 0..=126 and 0..=-126 encode 4.733 * sqrt(deg/min); 127/-127 fast turn; -128 not available.
        turn: i8 = i 8,
        /// Speed over ground, 1/10 knot; 1023 not available, 1022 means 102.2 knots or more.
        speed: u16 = u 10,
        /// Position accuracy flag: true is better than 10 m.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute; 181 degrees (108 600 000) not available.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute; 91 degrees (54 600 000) not available.
        lat: i32 = i 27,
        /// Course over ground, 1/10 degree; 3600 not available.
        course: u16 = u 12,
        /// True heading, degrees; 511 not available.
        heading: u16 = u 9,
        /// UTC second of the position fix; 60 not available, 61-63 special.
        second: u8 = u 6,
        /// Special manoeuvre indicator.
        maneuver: u8 = u 2,
        /// Spare.
        spare: u8 = u 3,
        /// RAIM flag.
        raim: bool = b 1,
        /// Communication state (SOTDMA or ITDMA), 19 bits.
        radio: u32 = u 19,
    }
}

layout! {
    /// Types 4 (base station report) and 11 (UTC/date response).
    pub struct BaseStationReport {
        /// UTC year, 0 not available.
        year: u16 = u 14,
        /// UTC month, 0 not available.
        month: u8 = u 4,
        /// UTC day, 0 not available.
        day: u8 = u 5,
        /// UTC hour, 24 not available.
        hour: u8 = u 5,
        /// UTC minute, 60 not available.
        minute: u8 = u 6,
        /// UTC second, 60 not available.
        second: u8 = u 6,
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute.
        lat: i32 = i 27,
        /// Type of electronic position fixing device.
        epfd: u8 = u 4,
        /// Transmission control for long-range broadcast (1 bit) and spare (9 bits).
        spare: u16 = u 10,
        /// RAIM flag.
        raim: bool = b 1,
        /// SOTDMA communication state.
        radio: u32 = u 19,
    }
}

layout! {
    /// Type 5: Class A static and voyage related data.
    pub struct StaticVoyage {
        /// AIS version indicator.
        ais_version: u8 = u 2,
        /// IMO number, 0 not available.
        imo: u32 = u 30,
        /// Call sign.
        callsign: Text<7> = t 7,
        /// Vessel name.
        shipname: Text<20> = t 20,
        /// Type of ship and cargo.
        shiptype: u8 = u 8,
        /// Distance from the reference point to the bow, metres (511 means 511 m or more).
        to_bow: u16 = u 9,
        /// Distance to the stern, metres.
        to_stern: u16 = u 9,
        /// Distance to port, metres (63 means 63 m or more).
        to_port: u8 = u 6,
        /// Distance to starboard, metres.
        to_starboard: u8 = u 6,
        /// Type of electronic position fixing device.
        epfd: u8 = u 4,
        /// ETA month, 0 not available.
        month: u8 = u 4,
        /// ETA day, 0 not available.
        day: u8 = u 5,
        /// ETA hour, 24 not available.
        hour: u8 = u 5,
        /// ETA minute, 60 not available.
        minute: u8 = u 6,
        /// Maximum present static draught, 1/10 metre.
        draught: u8 = u 8,
        /// Destination.
        destination: Text<20> = t 20,
        /// DTE flag: true means not available.
        dte: bool = b 1,
        /// Spare.
        spare: u8 = u 1,
    }
}

layout! {
    /// Type 9: standard SAR aircraft position report.
    pub struct SarAircraft {
        /// Altitude, metres; 4095 not available, 4094 means 4094 m or higher.
        alt: u16 = u 12,
        /// Speed over ground, knots; 1023 not available, 1022 means 1022 knots or more.
        speed: u16 = u 10,
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute.
        lat: i32 = i 27,
        /// Course over ground, 1/10 degree.
        course: u16 = u 12,
        /// UTC second.
        second: u8 = u 6,
        /// Altitude sensor (1 bit) and regional reserved bits (7 bits).
        regional: u8 = u 8,
        /// DTE flag.
        dte: bool = b 1,
        /// Spare.
        spare: u8 = u 3,
        /// Assigned mode flag.
        assigned: bool = b 1,
        /// RAIM flag.
        raim: bool = b 1,
        /// Communication state selector and state, 20 bits.
        radio: u32 = u 20,
    }
}

layout! {
    /// Type 10: UTC and date inquiry.
    pub struct UtcInquiry {
        /// Spare.
        spare: u8 = u 2,
        /// Destination MMSI.
        dest_mmsi: u32 = u 30,
        /// Spare.
        spare2: u8 = u 2,
    }
}

layout! {
    /// Type 17: GNSS broadcast binary message (DGNSS corrections).
    pub struct GnssBroadcastHeader {
        /// Spare.
        spare: u8 = u 2,
        /// Reference station longitude, 1/10 minute.
        lon: i32 = i 18,
        /// Reference station latitude, 1/10 minute.
        lat: i32 = i 17,
        /// Spare.
        spare2: u8 = u 5,
    }
}

layout! {
    /// Type 18: standard Class B equipment position report.
    pub struct ClassBPosition {
        /// Regional reserved bits.
        reserved: u8 = u 8,
        /// Speed over ground, 1/10 knot.
        speed: u16 = u 10,
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute.
        lat: i32 = i 27,
        /// Course over ground, 1/10 degree.
        course: u16 = u 12,
        /// True heading, degrees.
        heading: u16 = u 9,
        /// UTC second.
        second: u8 = u 6,
        /// Regional reserved bits.
        regional: u8 = u 2,
        /// Class B unit flag: true is a carrier-sense (CS) unit.
        cs: bool = b 1,
        /// Class B display flag.
        display: bool = b 1,
        /// Class B DSC flag.
        dsc: bool = b 1,
        /// Class B band flag.
        band: bool = b 1,
        /// Class B message 22 flag.
        msg22: bool = b 1,
        /// Assigned mode flag.
        assigned: bool = b 1,
        /// RAIM flag.
        raim: bool = b 1,
        /// Communication state selector and state, 20 bits.
        radio: u32 = u 20,
    }
}

layout! {
    /// Type 19: extended Class B equipment position report.
    pub struct ClassBExtended {
        /// Regional reserved bits.
        reserved: u8 = u 8,
        /// Speed over ground, 1/10 knot.
        speed: u16 = u 10,
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute.
        lat: i32 = i 27,
        /// Course over ground, 1/10 degree.
        course: u16 = u 12,
        /// True heading, degrees.
        heading: u16 = u 9,
        /// UTC second.
        second: u8 = u 6,
        /// Regional reserved bits.
        regional: u8 = u 4,
        /// Vessel name.
        shipname: Text<20> = t 20,
        /// Type of ship and cargo.
        shiptype: u8 = u 8,
        /// Distance to bow, metres.
        to_bow: u16 = u 9,
        /// Distance to stern, metres.
        to_stern: u16 = u 9,
        /// Distance to port, metres.
        to_port: u8 = u 6,
        /// Distance to starboard, metres.
        to_starboard: u8 = u 6,
        /// Type of electronic position fixing device.
        epfd: u8 = u 4,
        /// RAIM flag.
        raim: bool = b 1,
        /// DTE flag.
        dte: bool = b 1,
        /// Assigned mode flag.
        assigned: bool = b 1,
        /// Spare.
        spare: u8 = u 4,
    }
}

layout! {
    /// Type 21 fixed part: aid-to-navigation report (the name extension follows).
    pub struct AidToNavigationFixed {
        /// Type of aid to navigation.
        aid_type: u8 = u 5,
        /// Name (first 20 characters).
        name: Text<20> = t 20,
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude, 1/10 000 minute.
        lat: i32 = i 27,
        /// Dimension to bow, metres.
        to_bow: u16 = u 9,
        /// Dimension to stern, metres.
        to_stern: u16 = u 9,
        /// Dimension to port, metres.
        to_port: u8 = u 6,
        /// Dimension to starboard, metres.
        to_starboard: u8 = u 6,
        /// Type of electronic position fixing device.
        epfd: u8 = u 4,
        /// UTC second.
        second: u8 = u 6,
        /// Off-position indicator.
        off_position: bool = b 1,
        /// AtoN status / regional reserved bits.
        regional: u8 = u 8,
        /// RAIM flag.
        raim: bool = b 1,
        /// Virtual aid flag.
        virtual_aid: bool = b 1,
        /// Assigned mode flag.
        assigned: bool = b 1,
        /// Spare.
        spare: u8 = u 1,
    }
}

layout! {
    /// Type 23: group assignment command.
    pub struct GroupAssignment {
        /// Spare.
        spare: u8 = u 2,
        /// North-east corner longitude, 1/10 minute.
        ne_lon: i32 = i 18,
        /// North-east corner latitude, 1/10 minute.
        ne_lat: i32 = i 17,
        /// South-west corner longitude, 1/10 minute.
        sw_lon: i32 = i 18,
        /// South-west corner latitude, 1/10 minute.
        sw_lat: i32 = i 17,
        /// Station type.
        station_type: u8 = u 4,
        /// Type of ship and cargo.
        shiptype: u8 = u 8,
        /// Spare.
        spare2: u32 = u 22,
        /// Tx/Rx mode.
        txrx: u8 = u 2,
        /// Reporting interval.
        interval: u8 = u 4,
        /// Quiet time, minutes.
        quiet: u8 = u 4,
        /// Spare.
        spare3: u8 = u 6,
    }
}

layout! {
    /// Type 27: long-range AIS broadcast message.
    pub struct LongRange {
        /// Position accuracy flag.
        accuracy: bool = b 1,
        /// RAIM flag.
        raim: bool = b 1,
        /// Navigational status.
        status: u8 = u 4,
        /// Longitude, 1/10 minute; 181 degrees (108 600) not available.
        lon: i32 = i 18,
        /// Latitude, 1/10 minute; 91 degrees (54 600) not available.
        lat: i32 = i 17,
        /// Speed over ground, knots; 63 not available.
        speed: u8 = u 6,
        /// Course over ground, degrees; 511 not available.
        course: u16 = u 9,
        /// GNSS position status: false is a current GNSS position.
        gnss: bool = b 1,
        /// Spare.
        spare: u8 = u 1,
    }
}

/// Common first 38 bits of every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Header {
    /// Message type (6 bits).
    pub msg_type: u8,
    /// Repeat indicator (2 bits).
    pub repeat: u8,
    /// Source MMSI (30 bits).
    pub mmsi: u32,
}

impl Header {
    #[allow(clippy::cast_possible_truncation)]
    fn read(r: &mut Reader<'_>) -> Self {
        Header { msg_type: r.u(6) as u8, repeat: r.u(2) as u8, mmsi: r.u(30) as u32 }
    }

    fn write(&self, w: &mut Writer) {
        w.u(self.msg_type as u64, 6);
        w.u(self.repeat as u64, 2);
        w.u(self.mmsi as u64, 30);
    }
}

/// Type 6: addressed binary message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct AddressedBinary {
    /// Message header.
    pub header: Header,
    /// Sequence number.
    pub seqno: u8,
    /// Destination MMSI.
    pub dest_mmsi: u32,
    /// Retransmit flag.
    pub retransmit: bool,
    /// Spare.
    pub spare: u8,
    /// Designated area code.
    pub dac: u16,
    /// Function identifier.
    pub fid: u8,
    /// Application data after DAC and FI.
    pub data: BinaryData,
}

/// One acknowledgement of a type 7 or 13 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Ack {
    /// Acknowledged MMSI.
    pub mmsi: u32,
    /// Sequence number of the acknowledged message.
    pub seqno: u8,
}

/// Types 7 (binary acknowledge) and 13 (safety related acknowledge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Acknowledge {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// Acknowledgements; only the first `count` are present.
    pub acks: [Ack; 4],
    /// Number of acknowledgements (1 to 4).
    pub count: u8,
}

/// Type 8: binary broadcast message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct BinaryBroadcast {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// Designated area code.
    pub dac: u16,
    /// Function identifier.
    pub fid: u8,
    /// Application data after DAC and FI.
    pub data: BinaryData,
}

/// Type 12: addressed safety related message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SafetyAddressed {
    /// Message header.
    pub header: Header,
    /// Sequence number.
    pub seqno: u8,
    /// Destination MMSI.
    pub dest_mmsi: u32,
    /// Retransmit flag.
    pub retransmit: bool,
    /// Spare.
    pub spare: u8,
    /// Safety related text.
    pub text: Text<156>,
}

/// Type 14: safety related broadcast message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SafetyBroadcast {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// Safety related text.
    pub text: Text<161>,
}

/// Type 15: interrogation. Requests that are absent read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Interrogation {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// First interrogated MMSI.
    pub mmsi1: u32,
    /// First requested message type from the first station.
    pub type1_1: u8,
    /// Slot offset of the first response.
    pub offset1_1: u16,
    /// Spare.
    pub spare2: u8,
    /// Second requested message type from the first station.
    pub type1_2: u8,
    /// Slot offset of the second response.
    pub offset1_2: u16,
    /// Spare.
    pub spare3: u8,
    /// Second interrogated MMSI.
    pub mmsi2: u32,
    /// Requested message type from the second station.
    pub type2_1: u8,
    /// Slot offset of its response.
    pub offset2_1: u16,
    /// Spare.
    pub spare4: u8,
}

/// Type 16: assigned mode command, for one or two stations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct AssignedMode {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// First destination MMSI.
    pub mmsi1: u32,
    /// Offset for the first station.
    pub offset1: u16,
    /// Increment for the first station.
    pub increment1: u16,
    /// Second destination MMSI, 0 when absent.
    pub mmsi2: u32,
    /// Offset for the second station.
    pub offset2: u16,
    /// Increment for the second station.
    pub increment2: u16,
    /// Trailing spare of the one-station form.
    pub spare2: u8,
}

/// Type 17: GNSS broadcast binary message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct GnssBroadcast {
    /// Message header and reference position.
    pub fixed: GnssBroadcastHeader,
    /// DGNSS correction data.
    pub data: BinaryData,
}

/// One reservation block of a type 20 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SlotReservation {
    /// Reserved offset number.
    pub offset: u16,
    /// Number of reserved consecutive slots.
    pub number: u8,
    /// Time-out in minutes.
    pub timeout: u8,
    /// Increment to repeat the reservation.
    pub increment: u16,
}

/// Type 20: data link management message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DataLinkManagement {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// Reservations; only the first `count` are present.
    pub reservations: [SlotReservation; 4],
    /// Number of reservations (1 to 4).
    pub count: u8,
}

/// Type 21: aid-to-navigation report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct AidToNavigation {
    /// Header and fixed fields.
    pub fixed: AidToNavigationFixed,
    /// Name extension (0 to 14 characters), used when the name fills 20 characters.
    pub name_ext: Text<14>,
}

impl AidToNavigation {
    /// The full name: the 20-character name, extended when it is full.
    pub fn full_name(&self) -> String {
        let name = self.fixed.name;
        let mut s = name.as_str().to_string();
        if !name.raw().contains('@') && name.len() == 20 {
            // Untrimmed first part followed by the extension, as ITU-R M.1371 prescribes.
            s = name.raw().to_string();
            s.push_str(self.name_ext.as_str());
            while s.ends_with(' ') {
                s.pop();
            }
        }
        s
    }
}

/// The 70-bit target field of a type 22 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelTarget {
    /// Broadcast to a rectangular area (corners in 1/10 minute).
    Area {
        /// North-east longitude.
        ne_lon: i32,
        /// North-east latitude.
        ne_lat: i32,
        /// South-west longitude.
        sw_lon: i32,
        /// South-west latitude.
        sw_lat: i32,
    },
    /// Addressed to one or two stations.
    Addressed {
        /// First destination MMSI.
        dest1: u32,
        /// Spare.
        spare1: u8,
        /// Second destination MMSI.
        dest2: u32,
        /// Spare.
        spare2: u8,
    },
}

impl Default for ChannelTarget {
    fn default() -> Self {
        ChannelTarget::Area { ne_lon: 0, ne_lat: 0, sw_lon: 0, sw_lat: 0 }
    }
}

/// Type 22: channel management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ChannelManagement {
    /// Message header.
    pub header: Header,
    /// Spare.
    pub spare: u8,
    /// Channel A number.
    pub channel_a: u16,
    /// Channel B number.
    pub channel_b: u16,
    /// Tx/Rx mode.
    pub txrx: u8,
    /// Power: true is low.
    pub power: bool,
    /// Area or addressed stations (selected by the addressed flag).
    pub target: ChannelTarget,
    /// Channel A bandwidth flag.
    pub band_a: bool,
    /// Channel B bandwidth flag.
    pub band_b: bool,
    /// Transitional zone size.
    pub zonesize: u8,
    /// Spare.
    pub spare2: u32,
}

/// Dimensions or mother ship of a type 24 part B report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimensions {
    /// Dimensions from the reference point, metres.
    Ship {
        /// To bow.
        to_bow: u16,
        /// To stern.
        to_stern: u16,
        /// To port.
        to_port: u8,
        /// To starboard.
        to_starboard: u8,
    },
    /// Mother ship MMSI of an auxiliary craft (MMSI 98MIDxxxx).
    Mothership(u32),
}

impl Default for Dimensions {
    fn default() -> Self {
        Dimensions::Ship { to_bow: 0, to_stern: 0, to_port: 0, to_starboard: 0 }
    }
}

/// The two parts of a type 24 static data report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaticDataPart {
    /// Part A: the name.
    A {
        /// Vessel name.
        shipname: Text<20>,
    },
    /// Part B: type, vendor, call sign, dimensions.
    B {
        /// Type of ship and cargo.
        shiptype: u8,
        /// Manufacturer's ID (3 characters).
        vendor_id: Text<3>,
        /// Unit model code.
        model: u8,
        /// Unit serial number.
        serial: u32,
        /// Call sign.
        callsign: Text<7>,
        /// Dimensions or mother ship MMSI.
        dimensions: Dimensions,
        /// Type of electronic position fixing device (added by M.1371-5; 0 from older units).
        epfd: u8,
        /// Spare.
        spare: u8,
    },
}

impl Default for StaticDataPart {
    fn default() -> Self {
        StaticDataPart::A { shipname: Text::default() }
    }
}

/// Type 24: Class B static data report, part A or part B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct StaticDataReport {
    /// Message header.
    pub header: Header,
    /// The part carried by this message.
    pub part: StaticDataPart,
}

/// Types 25 and 26 addressing and structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct SlotBinary {
    /// Message header.
    pub header: Header,
    /// Destination MMSI when addressed.
    pub dest_mmsi: Option<u32>,
    /// Application identifier (DAC << 6 | FI) when structured.
    pub app_id: Option<u16>,
    /// Binary data.
    pub data: BinaryData,
    /// Communication state (type 26 only), 20 bits.
    pub radio: u32,
}

/// A decoded AIS message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)] // deliberately inline: no allocation per message
pub enum Message {
    /// Types 1, 2, 3.
    Position(PositionReport),
    /// Types 4 and 11.
    BaseStation(BaseStationReport),
    /// Type 5.
    StaticVoyage(StaticVoyage),
    /// Type 6.
    AddressedBinary(AddressedBinary),
    /// Types 7 and 13.
    Acknowledge(Acknowledge),
    /// Type 8.
    BinaryBroadcast(BinaryBroadcast),
    /// Type 9.
    SarAircraft(SarAircraft),
    /// Type 10.
    UtcInquiry(UtcInquiry),
    /// Type 12.
    SafetyAddressed(SafetyAddressed),
    /// Type 14.
    SafetyBroadcast(SafetyBroadcast),
    /// Type 15.
    Interrogation(Interrogation),
    /// Type 16.
    AssignedMode(AssignedMode),
    /// Type 17.
    GnssBroadcast(GnssBroadcast),
    /// Type 18.
    ClassBPosition(ClassBPosition),
    /// Type 19.
    ClassBExtended(ClassBExtended),
    /// Type 20.
    DataLinkManagement(DataLinkManagement),
    /// Type 21.
    AidToNavigation(AidToNavigation),
    /// Type 22.
    ChannelManagement(ChannelManagement),
    /// Type 23.
    GroupAssignment(GroupAssignment),
    /// Type 24.
    StaticDataReport(StaticDataReport),
    /// Type 25.
    SingleSlotBinary(SlotBinary),
    /// Type 26.
    MultiSlotBinary(SlotBinary),
    /// Type 27.
    LongRange(LongRange),
}

/// Why a payload is not a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// The payload has no bits.
    Empty,
    /// Message type 0 or 28-63, which ITU-R M.1371-5 does not define.
    UnknownType(u8),
    /// The bit length is outside what this type allows (in the current mode).
    Length {
        /// Message type.
        msg_type: u8,
        /// Bits received.
        bits: usize,
    },
    /// A type 24 part number other than A (0) or B (1).
    UnknownPart(u8),
    /// A type 25/26 message too short for its addressing and structure flags.
    TooShortForMode {
        /// Message type.
        msg_type: u8,
        /// Bits received.
        bits: usize,
    },
}

impl core::fmt::Display for MessageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MessageError::Empty => f.write_str("empty payload"),
            MessageError::UnknownType(t) => {
                write!(f, "message type {t} is not defined by ITU-R M.1371-5")
            }
            MessageError::Length { msg_type, bits } => {
                let (lo, hi) = lenient_range(*msg_type);
                write!(f, "type {msg_type} message of {bits} bits (expected {lo}")?;
                if hi != lo {
                    write!(f, "..={hi}")?;
                }
                f.write_str(" bits)")
            }
            MessageError::UnknownPart(p) => {
                write!(f, "type 24 part number {p} (expected 0 for A or 1 for B)")
            }
            MessageError::TooShortForMode { msg_type, bits } => {
                write!(f, "type {msg_type} message of {bits} bits is too short for its addressing flags")
            }
        }
    }
}

/// What the decoder changed or assumed to keep a message (lenient mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Repairs(u8);

impl Repairs {
    /// No repair.
    pub const NONE: Repairs = Repairs(0);
    /// Fewer bits than the standard layout: missing trailing fields read as zero.
    pub const SHORT: Repairs = Repairs(1);
    /// More bits than the standard layout: the extra bits were ignored.
    pub const LONG: Repairs = Repairs(2);
    /// The sentence had no checksum field.
    pub const NO_CHECKSUM: Repairs = Repairs(4);
    /// A tag block checksum was wrong and the tag block was ignored.
    pub const BAD_TAG_BLOCK: Repairs = Repairs(8);
    /// The fill-bit count was missing or out of range and was taken as zero.
    pub const FILL_BITS: Repairs = Repairs(16);

    /// True when no repair was made.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every repair in `other` was made.
    pub fn contains(self, other: Repairs) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Adds repairs.
    pub fn insert(&mut self, other: Repairs) {
        self.0 |= other.0;
    }

    /// Every repair name, in bit order.
    pub const ALL_NAMES: [&'static str; 5] =
        ["short_payload", "long_payload", "no_checksum", "bad_tag_block", "fill_bits"];

    /// Names of the repairs made, for output and counting.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        (0..Self::ALL_NAMES.len()).filter(move |k| self.0 & (1 << k) != 0).map(|k| Self::ALL_NAMES[k])
    }
}

/// Standard bit length of a type (the shortest standard form for variable types).
fn standard_range(msg_type: u8) -> (usize, usize) {
    match msg_type {
        1..=3 | 4 | 11 | 9 | 18 | 22 => (168, 168),
        5 => (424, 424),
        6 => (88, 1008),
        7 | 13 => (72, 168),
        8 => (56, 1008),
        10 => (72, 72),
        12 => (72, 1008),
        14 => (40, 1008),
        15 => (88, 160),
        16 => (96, 144),
        17 => (80, 816),
        19 => (312, 312),
        20 => (72, 160),
        21 => (272, 360),
        23 => (160, 160),
        24 => (160, 168),
        25 => (40, 168),
        26 => (60, 1004),
        27 => (96, 96),
        _ => (0, 0),
    }
}

/// Lengths the lenient mode accepts. These are the ranges gpsd accepts after
/// years of field data (e.g. type 5 of 420-422 bits, type 27 sent in a full 168-bit slot).
fn lenient_range(msg_type: u8) -> (usize, usize) {
    match msg_type {
        1..=3 => (163, 204),
        4 | 11 | 9 | 18 | 22 => (168, usize::MAX),
        5 => (420, usize::MAX),
        6 => (88, 1008),
        7 | 13 => (72, 168),
        8 => (56, 1008),
        10 => (72, usize::MAX),
        12 => (72, 1008),
        // gpsd stops at 960; a full 5-slot message is longer and is still a message.
        14 => (40, 1008),
        15 => (88, 168),
        16 => (96, 168),
        17 => (80, 816),
        19 => (312, usize::MAX),
        20 => (72, 186),
        21 => (272, 368),
        23 => (160, usize::MAX),
        24 => (160, usize::MAX),
        25 => (40, 168),
        26 => (60, 1004),
        27 => (96, 168),
        _ => (0, 0),
    }
}

fn strict_length_ok(msg_type: u8, bits: usize) -> bool {
    let (lo, hi) = standard_range(msg_type);
    if bits < lo || bits > hi {
        return false;
    }
    match msg_type {
        7 | 13 => matches!(bits, 72 | 104 | 136 | 168),
        16 => matches!(bits, 96 | 144),
        20 => matches!(bits, 72 | 104 | 136 | 160),
        27 => bits == 96,
        _ => true,
    }
}

impl Message {
    /// Decodes one message from its bit string.
    ///
    /// In strict mode the bit length must be one ITU-R M.1371-5 allows for the
    /// type; in lenient mode the wider ranges seen in field data are accepted
    /// and the returned [`Repairs`] say what was assumed.
    pub fn decode(bits: Bits<'_>, strict: bool) -> Result<(Message, Repairs), MessageError> {
        let mut m = Message::Position(PositionReport::default());
        let repairs = Message::decode_into(bits, strict, &mut m)?;
        Ok((m, repairs))
    }

    /// As [`Message::decode`], writing into `out` (left unchanged on error);
    /// lets a decoder reuse one message slot instead of moving messages around.
    #[inline]
    pub fn decode_into(bits: Bits<'_>, strict: bool, out: &mut Message) -> Result<Repairs, MessageError> {
        let len = bits.len();
        if len < 6 {
            return Err(MessageError::Empty);
        }
        #[allow(clippy::cast_possible_truncation)]
        let msg_type = bits.u(0, 6) as u8;
        if msg_type == 0 || msg_type > 27 {
            return Err(MessageError::UnknownType(msg_type));
        }
        let mut repairs = Repairs::NONE;
        if strict {
            if !strict_length_ok(msg_type, len) {
                return Err(MessageError::Length { msg_type, bits: len });
            }
        } else {
            let (lo, hi) = lenient_range(msg_type);
            if len < lo || len > hi {
                return Err(MessageError::Length { msg_type, bits: len });
            }
            let (slo, shi) = standard_range(msg_type);
            if len < slo {
                repairs.insert(Repairs::SHORT);
            } else if len > shi {
                repairs.insert(Repairs::LONG);
            }
        }
        let mut r = bits.reader(0);
        if let 1..=3 = msg_type {
            // The overwhelming majority of traffic: written in place.
            *out = Message::Position(PositionReport::read(&bits));
            return Ok(repairs);
        }
        let msg = match msg_type {
            1..=3 => Message::Position(PositionReport::read(&bits)),
            4 | 11 => Message::BaseStation(BaseStationReport::read(&bits)),
            5 => Message::StaticVoyage(StaticVoyage::read(&bits)),
            6 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let m = AddressedBinary {
                    header,
                    seqno: r.u(2) as u8,
                    dest_mmsi: r.u(30) as u32,
                    retransmit: r.b(),
                    spare: r.u(1) as u8,
                    dac: r.u(10) as u16,
                    fid: r.u(6) as u8,
                    data: r.binary_rest(),
                };
                Message::AddressedBinary(m)
            }
            7 | 13 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let spare = r.u(2) as u8;
                let mut acks = [Ack::default(); 4];
                // A standard length holds whole acknowledgements. Field data also has
                // odd lengths; then an acknowledgement counts when its first bit is
                // present and its missing bits read as zero, as gpsd does.
                let count = if matches!(len, 72 | 104 | 136 | 168) {
                    (len - 40) / 32
                } else {
                    repairs.insert(Repairs::SHORT);
                    (len.saturating_sub(40)).div_ceil(32).clamp(1, 4)
                };
                for a in acks.iter_mut().take(count) {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        *a = Ack { mmsi: r.u(30) as u32, seqno: r.u(2) as u8 };
                    }
                }
                #[allow(clippy::cast_possible_truncation)]
                Message::Acknowledge(Acknowledge { header, spare, acks, count: count as u8 })
            }
            8 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let m = BinaryBroadcast {
                    header,
                    spare: r.u(2) as u8,
                    dac: r.u(10) as u16,
                    fid: r.u(6) as u8,
                    data: r.binary_rest(),
                };
                Message::BinaryBroadcast(m)
            }
            9 => Message::SarAircraft(SarAircraft::read(&bits)),
            10 => Message::UtcInquiry(UtcInquiry::read(&bits)),
            12 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let m = SafetyAddressed {
                    header,
                    seqno: r.u(2) as u8,
                    dest_mmsi: r.u(30) as u32,
                    retransmit: r.b(),
                    spare: r.u(1) as u8,
                    text: r.text_rest(),
                };
                Message::SafetyAddressed(m)
            }
            14 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let spare = r.u(2) as u8;
                Message::SafetyBroadcast(SafetyBroadcast { header, spare, text: r.text_rest() })
            }
            15 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let m = Interrogation {
                    header,
                    spare: r.u(2) as u8,
                    mmsi1: r.u(30) as u32,
                    type1_1: r.u(6) as u8,
                    offset1_1: r.u(12) as u16,
                    spare2: r.u(2) as u8,
                    type1_2: r.u(6) as u8,
                    offset1_2: r.u(12) as u16,
                    spare3: r.u(2) as u8,
                    mmsi2: r.u(30) as u32,
                    type2_1: r.u(6) as u8,
                    offset2_1: r.u(12) as u16,
                    spare4: r.u(2) as u8,
                };
                Message::Interrogation(m)
            }
            16 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let mut m = AssignedMode {
                    header,
                    spare: r.u(2) as u8,
                    mmsi1: r.u(30) as u32,
                    offset1: r.u(12) as u16,
                    increment1: r.u(10) as u16,
                    ..AssignedMode::default()
                };
                if len >= 144 {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        m.mmsi2 = r.u(30) as u32;
                        m.offset2 = r.u(12) as u16;
                        m.increment2 = r.u(10) as u16;
                    }
                } else {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        m.spare2 = r.u(4) as u8;
                    }
                }
                Message::AssignedMode(m)
            }
            17 => {
                let fixed = GnssBroadcastHeader::read(&bits);
                let data = bits.reader(GnssBroadcastHeader::BITS).binary_rest();
                Message::GnssBroadcast(GnssBroadcast { fixed, data })
            }
            18 => Message::ClassBPosition(ClassBPosition::read(&bits)),
            19 => Message::ClassBExtended(ClassBExtended::read(&bits)),
            20 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let spare = r.u(2) as u8;
                // Standard lengths are padded to a byte boundary and hold whole
                // reservations; other lengths keep a partial last one (see type 7).
                let count = if matches!(len, 72 | 104 | 136 | 160) {
                    (len - 40) / 30
                } else {
                    repairs.insert(Repairs::SHORT);
                    (len.saturating_sub(40)).div_ceil(30).clamp(1, 4)
                };
                let mut reservations = [SlotReservation::default(); 4];
                for s in reservations.iter_mut().take(count) {
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        *s = SlotReservation {
                            offset: r.u(12) as u16,
                            number: r.u(4) as u8,
                            timeout: r.u(3) as u8,
                            increment: r.u(11) as u16,
                        };
                    }
                }
                #[allow(clippy::cast_possible_truncation)]
                Message::DataLinkManagement(DataLinkManagement { header, spare, reservations, count: count as u8 })
            }
            21 => {
                let fixed = AidToNavigationFixed::read(&bits);
                let name_ext = bits.reader(AidToNavigationFixed::BITS).text_rest();
                Message::AidToNavigation(AidToNavigation { fixed, name_ext })
            }
            22 => {
                let header = Header::read(&mut r);
                let addressed = bits.u(139, 1) == 1;
                #[allow(clippy::cast_possible_truncation)]
                let mut m = ChannelManagement {
                    header,
                    spare: r.u(2) as u8,
                    channel_a: r.u(12) as u16,
                    channel_b: r.u(12) as u16,
                    txrx: r.u(4) as u8,
                    power: r.b(),
                    ..ChannelManagement::default()
                };
                #[allow(clippy::cast_possible_truncation)]
                {
                    m.target = if addressed {
                        ChannelTarget::Addressed {
                            dest1: r.u(30) as u32,
                            spare1: r.u(5) as u8,
                            dest2: r.u(30) as u32,
                            spare2: r.u(5) as u8,
                        }
                    } else {
                        ChannelTarget::Area {
                            ne_lon: r.i(18) as i32,
                            ne_lat: r.i(17) as i32,
                            sw_lon: r.i(18) as i32,
                            sw_lat: r.i(17) as i32,
                        }
                    };
                    r.skip(1);
                    m.band_a = r.b();
                    m.band_b = r.b();
                    m.zonesize = r.u(3) as u8;
                    m.spare2 = r.u(23) as u32;
                }
                Message::ChannelManagement(m)
            }
            23 => Message::GroupAssignment(GroupAssignment::read(&bits)),
            24 => {
                let header = Header::read(&mut r);
                #[allow(clippy::cast_possible_truncation)]
                let part_no = r.u(2) as u8;
                let part = match part_no {
                    0 => {
                        if !strict && len > 168 {
                            return Err(MessageError::Length { msg_type, bits: len });
                        }
                        StaticDataPart::A { shipname: r.text(20) }
                    }
                    1 => {
                        if len < 168 {
                            return Err(MessageError::Length { msg_type, bits: len });
                        }
                        if strict && len != 168 {
                            return Err(MessageError::Length { msg_type, bits: len });
                        }
                        #[allow(clippy::cast_possible_truncation)]
                        let shiptype = r.u(8) as u8;
                        let vendor_id = r.text(3);
                        #[allow(clippy::cast_possible_truncation)]
                        let model = r.u(4) as u8;
                        #[allow(clippy::cast_possible_truncation)]
                        let serial = r.u(20) as u32;
                        let callsign = r.text(7);
                        #[allow(clippy::cast_possible_truncation)]
                        let dimensions = if is_auxiliary_mmsi(header.mmsi) {
                            Dimensions::Mothership(r.u(30) as u32)
                        } else {
                            Dimensions::Ship {
                                to_bow: r.u(9) as u16,
                                to_stern: r.u(9) as u16,
                                to_port: r.u(6) as u8,
                                to_starboard: r.u(6) as u8,
                            }
                        };
                        #[allow(clippy::cast_possible_truncation)]
                        let (epfd, spare) = (r.u(4) as u8, r.u(2) as u8);
                        StaticDataPart::B { shiptype, vendor_id, model, serial, callsign, dimensions, epfd, spare }
                    }
                    p => return Err(MessageError::UnknownPart(p)),
                };
                Message::StaticDataReport(StaticDataReport { header, part })
            }
            25 | 26 => {
                let header = Header::read(&mut r);
                let addressed = r.b();
                let structured = r.b();
                let radio_bits = if msg_type == 26 { 20 } else { 0 };
                let need = 40 + 30 * addressed as usize + 16 * structured as usize + radio_bits;
                if len < need {
                    return Err(MessageError::TooShortForMode { msg_type, bits: len });
                }
                #[allow(clippy::cast_possible_truncation)]
                let dest_mmsi = addressed.then(|| r.u(30) as u32);
                #[allow(clippy::cast_possible_truncation)]
                let app_id = structured.then(|| r.u(16) as u16);
                let data_len = len - r.pos() - radio_bits;
                let data = bits.slice_to_binary(r.pos(), data_len);
                #[allow(clippy::cast_possible_truncation)]
                let radio = if msg_type == 26 { bits.u(len - 20, 20) as u32 } else { 0 };
                let m = SlotBinary { header, dest_mmsi, app_id, data, radio };
                if msg_type == 25 { Message::SingleSlotBinary(m) } else { Message::MultiSlotBinary(m) }
            }
            27 => Message::LongRange(LongRange::read(&bits)),
            _ => return Err(MessageError::UnknownType(msg_type)),
        };
        *out = msg;
        Ok(repairs)
    }

    /// Encodes the message into a bit string.
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Message::Position(m) => m.write(w),
            Message::BaseStation(m) => m.write(w),
            Message::StaticVoyage(m) => m.write(w),
            Message::AddressedBinary(m) => {
                m.header.write(w);
                w.u(m.seqno as u64, 2);
                w.u(m.dest_mmsi as u64, 30);
                w.b(m.retransmit);
                w.u(m.spare as u64, 1);
                w.u(m.dac as u64, 10);
                w.u(m.fid as u64, 6);
                w.binary(&m.data);
            }
            Message::Acknowledge(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                for a in m.acks.iter().take(m.count.clamp(1, 4) as usize) {
                    w.u(a.mmsi as u64, 30);
                    w.u(a.seqno as u64, 2);
                }
            }
            Message::BinaryBroadcast(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                w.u(m.dac as u64, 10);
                w.u(m.fid as u64, 6);
                w.binary(&m.data);
            }
            Message::SarAircraft(m) => m.write(w),
            Message::UtcInquiry(m) => m.write(w),
            Message::SafetyAddressed(m) => {
                m.header.write(w);
                w.u(m.seqno as u64, 2);
                w.u(m.dest_mmsi as u64, 30);
                w.b(m.retransmit);
                w.u(m.spare as u64, 1);
                w.text(&m.text, m.text.len());
            }
            Message::SafetyBroadcast(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                w.text(&m.text, m.text.len());
            }
            Message::Interrogation(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                w.u(m.mmsi1 as u64, 30);
                w.u(m.type1_1 as u64, 6);
                w.u(m.offset1_1 as u64, 12);
                let second_request = m.spare2 != 0 || m.type1_2 != 0 || m.offset1_2 != 0 || m.spare3 != 0;
                let second_station = m.mmsi2 != 0 || m.type2_1 != 0 || m.offset2_1 != 0 || m.spare4 != 0;
                if second_request || second_station {
                    w.u(m.spare2 as u64, 2);
                    w.u(m.type1_2 as u64, 6);
                    w.u(m.offset1_2 as u64, 12);
                    w.u(m.spare3 as u64, 2);
                    if second_station {
                        w.u(m.mmsi2 as u64, 30);
                        w.u(m.type2_1 as u64, 6);
                        w.u(m.offset2_1 as u64, 12);
                        w.u(m.spare4 as u64, 2);
                    } else {
                        // 110 bits padded to a byte boundary.
                        w.u(0, 2);
                    }
                }
            }
            Message::AssignedMode(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                w.u(m.mmsi1 as u64, 30);
                w.u(m.offset1 as u64, 12);
                w.u(m.increment1 as u64, 10);
                if m.mmsi2 != 0 || m.offset2 != 0 || m.increment2 != 0 {
                    w.u(m.mmsi2 as u64, 30);
                    w.u(m.offset2 as u64, 12);
                    w.u(m.increment2 as u64, 10);
                } else {
                    w.u(m.spare2 as u64, 4);
                }
            }
            Message::GnssBroadcast(m) => {
                m.fixed.write(w);
                w.binary(&m.data);
            }
            Message::ClassBPosition(m) => m.write(w),
            Message::ClassBExtended(m) => m.write(w),
            Message::DataLinkManagement(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                for s in m.reservations.iter().take(m.count.clamp(1, 4) as usize) {
                    w.u(s.offset as u64, 12);
                    w.u(s.number as u64, 4);
                    w.u(s.timeout as u64, 3);
                    w.u(s.increment as u64, 11);
                }
                pad_to_byte(w);
            }
            Message::AidToNavigation(m) => {
                m.fixed.write(w);
                w.text(&m.name_ext, m.name_ext.len());
                pad_to_byte(w);
            }
            Message::ChannelManagement(m) => {
                m.header.write(w);
                w.u(m.spare as u64, 2);
                w.u(m.channel_a as u64, 12);
                w.u(m.channel_b as u64, 12);
                w.u(m.txrx as u64, 4);
                w.b(m.power);
                match m.target {
                    ChannelTarget::Area { ne_lon, ne_lat, sw_lon, sw_lat } => {
                        w.i(ne_lon as i64, 18);
                        w.i(ne_lat as i64, 17);
                        w.i(sw_lon as i64, 18);
                        w.i(sw_lat as i64, 17);
                        w.b(false);
                    }
                    ChannelTarget::Addressed { dest1, spare1, dest2, spare2 } => {
                        w.u(dest1 as u64, 30);
                        w.u(spare1 as u64, 5);
                        w.u(dest2 as u64, 30);
                        w.u(spare2 as u64, 5);
                        w.b(true);
                    }
                }
                w.b(m.band_a);
                w.b(m.band_b);
                w.u(m.zonesize as u64, 3);
                w.u(m.spare2 as u64, 23);
            }
            Message::GroupAssignment(m) => m.write(w),
            Message::StaticDataReport(m) => {
                m.header.write(w);
                match m.part {
                    StaticDataPart::A { shipname } => {
                        w.u(0, 2);
                        w.text(&shipname, 20);
                    }
                    StaticDataPart::B { shiptype, vendor_id, model, serial, callsign, dimensions, epfd, spare } => {
                        w.u(1, 2);
                        w.u(shiptype as u64, 8);
                        w.text(&vendor_id, 3);
                        w.u(model as u64, 4);
                        w.u(serial as u64, 20);
                        w.text(&callsign, 7);
                        match dimensions {
                            Dimensions::Ship { to_bow, to_stern, to_port, to_starboard } => {
                                w.u(to_bow as u64, 9);
                                w.u(to_stern as u64, 9);
                                w.u(to_port as u64, 6);
                                w.u(to_starboard as u64, 6);
                            }
                            Dimensions::Mothership(mmsi) => w.u(mmsi as u64, 30),
                        }
                        w.u(epfd as u64, 4);
                        w.u(spare as u64, 2);
                    }
                }
            }
            Message::SingleSlotBinary(m) | Message::MultiSlotBinary(m) => {
                m.header.write(w);
                w.b(m.dest_mmsi.is_some());
                w.b(m.app_id.is_some());
                if let Some(d) = m.dest_mmsi {
                    w.u(d as u64, 30);
                }
                if let Some(a) = m.app_id {
                    w.u(a as u64, 16);
                }
                w.binary(&m.data);
                if m.header.msg_type == 26 {
                    w.u(m.radio as u64, 20);
                }
            }
            Message::LongRange(m) => m.write(w),
        }
    }

    /// The common header fields.
    pub fn header(&self) -> Header {
        match self {
            Message::Position(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::BaseStation(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::StaticVoyage(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::SarAircraft(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::UtcInquiry(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::ClassBPosition(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::ClassBExtended(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::GroupAssignment(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::LongRange(m) => Header { msg_type: m.msg_type, repeat: m.repeat, mmsi: m.mmsi },
            Message::GnssBroadcast(m) => {
                Header { msg_type: m.fixed.msg_type, repeat: m.fixed.repeat, mmsi: m.fixed.mmsi }
            }
            Message::AidToNavigation(m) => {
                Header { msg_type: m.fixed.msg_type, repeat: m.fixed.repeat, mmsi: m.fixed.mmsi }
            }
            Message::AddressedBinary(m) => m.header,
            Message::Acknowledge(m) => m.header,
            Message::BinaryBroadcast(m) => m.header,
            Message::SafetyAddressed(m) => m.header,
            Message::SafetyBroadcast(m) => m.header,
            Message::Interrogation(m) => m.header,
            Message::AssignedMode(m) => m.header,
            Message::DataLinkManagement(m) => m.header,
            Message::ChannelManagement(m) => m.header,
            Message::StaticDataReport(m) => m.header,
            Message::SingleSlotBinary(m) | Message::MultiSlotBinary(m) => m.header,
        }
    }

    /// Message type, 1 to 27.
    pub fn msg_type(&self) -> u8 {
        self.header().msg_type
    }

    /// Source MMSI.
    pub fn mmsi(&self) -> u32 {
        self.header().mmsi
    }
}

fn pad_to_byte(w: &mut Writer) {
    let rem = w.len() % 8;
    if rem != 0 {
        w.u(0, 8 - rem);
    }
}

/// True for the MMSI of an auxiliary craft associated with a parent ship
/// (98MIDxxxx), whose type 24 part B carries the mother ship's MMSI.
pub fn is_auxiliary_mmsi(mmsi: u32) -> bool {
    mmsi / 10_000_000 == 98
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::PayloadBuf;

    fn decode(payload: &str, fill: usize) -> Message {
        let mut p = PayloadBuf::default();
        p.push_armored(payload.as_bytes()).unwrap();
        p.trim_fill(fill);
        Message::decode(p.bits(), false).unwrap().0
    }

    #[test]
    fn layout_lengths_match_the_standard() {
        assert_eq!(PositionReport::BITS, 168);
        assert_eq!(BaseStationReport::BITS, 168);
        assert_eq!(StaticVoyage::BITS, 424);
        assert_eq!(SarAircraft::BITS, 168);
        assert_eq!(UtcInquiry::BITS, 72);
        assert_eq!(ClassBPosition::BITS, 168);
        assert_eq!(ClassBExtended::BITS, 312);
        assert_eq!(AidToNavigationFixed::BITS, 272);
        assert_eq!(GroupAssignment::BITS, 160);
        assert_eq!(LongRange::BITS, 96);
        assert_eq!(GnssBroadcastHeader::BITS, 80);
    }

    #[test]
    fn decodes_a_type_1_known_to_noaadata() {
        // Kurt Schwehr's sample from gpsd's test/sample.aivdm, checked with noaadata.
        let Message::Position(p) = decode("15RTgt0PAso;90TKcjM8h6g208CQ", 0) else { panic!() };
        assert_eq!(p.mmsi, 371798000);
        assert_eq!(p.turn, -127);
        assert_eq!(p.speed, 123);
        assert_eq!(p.lon, -74037230);
        assert_eq!(p.lat, 29028980);
        assert_eq!(p.course, 2240);
        assert_eq!(p.heading, 215);
        assert_eq!(p.second, 33);
        assert_eq!(p.radio, 34017);
    }

    #[test]
    fn unknown_types_are_errors() {
        let mut p = PayloadBuf::default();
        p.push_armored(b"L000000000000000000000000000").unwrap(); // type 28
        assert_eq!(Message::decode(p.bits(), false), Err(MessageError::UnknownType(28)));
    }

    #[test]
    fn lenient_accepts_every_length_strict_accepts() {
        for t in 1..=27u8 {
            let (lo, hi) = lenient_range(t);
            for len in 0..1100 {
                if strict_length_ok(t, len) {
                    assert!(lo <= len && len <= hi, "type {t}, {len} bits");
                }
            }
        }
    }

    #[test]
    fn strict_rejects_short_type_5_that_lenient_repairs() {
        let mut w = Writer::default();
        let m = StaticVoyage { msg_type: 5, mmsi: 1, ..Default::default() };
        m.write(&mut w);
        let bits = Bits::new(w.bits().bytes(), 420);
        assert!(matches!(Message::decode(bits, true), Err(MessageError::Length { msg_type: 5, bits: 420 })));
        let (_, repairs) = Message::decode(bits, false).unwrap();
        assert!(repairs.contains(Repairs::SHORT));
    }
}
