//! Binary application payloads carried by types 6 and 8 (IMO SN.1/Circ.236 and
//! 289, Inland AIS, GLA AtoN monitoring), decoded on demand from a message's
//! data so that decoding position reports never pays for them.
//!
//! Bit positions follow the circulars; a payload whose length cannot hold the
//! application is left undecoded (`None`), and its raw bits stay available.

use crate::bits::{BinaryData, Reader, Text};
use crate::message::{AddressedBinary, BinaryBroadcast};

macro_rules! app_layout {
    (
        $(#[$m:meta])*
        pub struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty = $kind:ident $width:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $ty ),*
        }
        impl $name {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            fn read(r: &mut Reader<'_>) -> Self {
                $name { $( $field: app_layout!(@read r, $kind, $width) ),* }
            }
        }
    };
    (@read $r:ident, u, $w:literal) => { $r.u($w) as _ };
    (@read $r:ident, i, $w:literal) => { $r.i($w) as _ };
    (@read $r:ident, b, $w:literal) => { $r.b() };
    (@read $r:ident, t, $w:literal) => { $r.text($w) };
}

app_layout! {
    /// Inland AIS 6/200/21: ETA at lock, bridge or terminal.
    pub struct InlandEta {
        /// UN country code.
        country: Text<2> = t 2,
        /// UN/LOCODE.
        locode: Text<3> = t 3,
        /// Fairway section number.
        section: Text<5> = t 5,
        /// Terminal code.
        terminal: Text<5> = t 5,
        /// Fairway hectometre.
        hectometre: Text<5> = t 5,
        /// ETA month.
        month: u8 = u 4,
        /// ETA day.
        day: u8 = u 5,
        /// ETA hour.
        hour: u8 = u 5,
        /// ETA minute.
        minute: u8 = u 6,
        /// Number of assisting tugboats.
        tugs: u8 = u 3,
        /// Air draught, 1/100 m.
        airdraught: u16 = u 12,
    }
}

app_layout! {
    /// Inland AIS 6/200/22: RTA at lock, bridge or terminal.
    pub struct InlandRta {
        /// UN country code.
        country: Text<2> = t 2,
        /// UN/LOCODE.
        locode: Text<3> = t 3,
        /// Fairway section number.
        section: Text<5> = t 5,
        /// Terminal code.
        terminal: Text<5> = t 5,
        /// Fairway hectometre.
        hectometre: Text<5> = t 5,
        /// RTA month.
        month: u8 = u 4,
        /// RTA day.
        day: u8 = u 5,
        /// RTA hour.
        hour: u8 = u 5,
        /// RTA minute.
        minute: u8 = u 6,
        /// Lock/bridge/terminal status.
        status: u8 = u 2,
    }
}

app_layout! {
    /// Inland AIS 6/200/55: number of persons on board.
    pub struct InlandPersons {
        /// Crew members, 255 unknown.
        crew: u8 = u 8,
        /// Passengers, 8191 unknown.
        passengers: u16 = u 13,
        /// Shipboard personnel, 255 unknown.
        personnel: u8 = u 8,
    }
}

app_layout! {
    /// GLA (DAC 235/250) 6/x/10: AtoN monitoring data.
    pub struct AtonMonitoring {
        /// Analogue internal supply voltage, 0.05 V.
        ana_int: u16 = u 10,
        /// Analogue external 1, 0.05 V.
        ana_ext1: u16 = u 10,
        /// Analogue external 2, 0.05 V.
        ana_ext2: u16 = u 10,
        /// RACON status.
        racon: u8 = u 2,
        /// Light status.
        light: u8 = u 2,
        /// Alarm flag.
        alarm: bool = b 1,
        /// Extended digital status bits.
        stat_ext: u8 = u 8,
        /// Off-position status.
        off_pos: bool = b 1,
    }
}

app_layout! {
    /// IMO236 6/1/12: dangerous cargo indication.
    pub struct DangerousCargo {
        /// Last port of call (UN/LOCODE).
        lastport: Text<5> = t 5,
        /// Departure month.
        lmonth: u8 = u 4,
        /// Departure day.
        lday: u8 = u 5,
        /// Departure hour.
        lhour: u8 = u 5,
        /// Departure minute.
        lminute: u8 = u 6,
        /// Next port of call.
        nextport: Text<5> = t 5,
        /// ETA month.
        nmonth: u8 = u 4,
        /// ETA day.
        nday: u8 = u 5,
        /// ETA hour.
        nhour: u8 = u 5,
        /// ETA minute.
        nminute: u8 = u 6,
        /// Main dangerous good.
        dangerous: Text<20> = t 20,
        /// IMD category.
        imdcat: Text<4> = t 4,
        /// UN number.
        unid: u16 = u 13,
        /// Amount of cargo.
        amount: u16 = u 10,
        /// Unit of quantity.
        unit: u8 = u 2,
    }
}

app_layout! {
    /// IMO289 6/1/18: clearance time to enter port.
    pub struct ClearanceTime {
        /// Message linkage ID.
        linkage: u16 = u 10,
        /// Month.
        month: u8 = u 4,
        /// Day.
        day: u8 = u 5,
        /// Hour.
        hour: u8 = u 5,
        /// Minute.
        minute: u8 = u 6,
        /// Port and berth name.
        portname: Text<20> = t 20,
        /// Destination UN/LOCODE.
        destination: Text<5> = t 5,
        /// Longitude, 1/1000 minute.
        lon: i32 = i 25,
        /// Latitude, 1/1000 minute.
        lat: i32 = i 24,
    }
}

app_layout! {
    /// IMO289 6/1/20: berthing data.
    pub struct BerthingData {
        /// Message linkage ID.
        linkage: u16 = u 10,
        /// Berth length, metres.
        berth_length: u16 = u 9,
        /// Water depth at berth, 1/10 m.
        berth_depth: u8 = u 8,
        /// Mooring position.
        position: u8 = u 3,
        /// Month.
        month: u8 = u 4,
        /// Day.
        day: u8 = u 5,
        /// Hour.
        hour: u8 = u 5,
        /// Minute.
        minute: u8 = u 6,
        /// Services availability.
        availability: bool = b 1,
        /// Agent.
        agent: u8 = u 2,
        /// Bunker/fuel.
        fuel: u8 = u 2,
        /// Chandler.
        chandler: u8 = u 2,
        /// Stevedore.
        stevedore: u8 = u 2,
        /// Electrical.
        electrical: u8 = u 2,
        /// Potable water.
        water: u8 = u 2,
        /// Customs house.
        customs: u8 = u 2,
        /// Cartage.
        cartage: u8 = u 2,
        /// Crane(s).
        crane: u8 = u 2,
        /// Lift(s).
        lift: u8 = u 2,
        /// Medical facilities.
        medical: u8 = u 2,
        /// Navigation repair.
        navrepair: u8 = u 2,
        /// Provisions.
        provisions: u8 = u 2,
        /// Ship repair.
        shiprepair: u8 = u 2,
        /// Surveyor.
        surveyor: u8 = u 2,
        /// Steam.
        steam: u8 = u 2,
        /// Tugs.
        tugs: u8 = u 2,
        /// Solid waste disposal.
        solidwaste: u8 = u 2,
        /// Liquid waste disposal.
        liquidwaste: u8 = u 2,
        /// Hazardous waste disposal.
        hazardouswaste: u8 = u 2,
        /// Reserved ballast exchange.
        ballast: u8 = u 2,
        /// Additional services.
        additional: u8 = u 2,
        /// Regional reserved 1.
        regional1: u8 = u 2,
        /// Regional reserved 2.
        regional2: u8 = u 2,
        /// Reserved for future use 1.
        future1: u8 = u 2,
        /// Reserved for future use 2.
        future2: u8 = u 2,
        /// Berth name.
        berth_name: Text<20> = t 20,
        /// Berth longitude, 1/1000 minute.
        berth_lon: i32 = i 25,
        /// Berth latitude, 1/1000 minute.
        berth_lat: i32 = i 24,
    }
}

app_layout! {
    /// IMO236 8/1/11: meteorological and hydrological data (superseded by 8/1/31).
    pub struct MetHydro11 {
        /// Latitude, 1/1000 minute.
        lat: i32 = i 24,
        /// Longitude, 1/1000 minute.
        lon: i32 = i 25,
        /// UTC day.
        day: u8 = u 5,
        /// UTC hour.
        hour: u8 = u 5,
        /// UTC minute.
        minute: u8 = u 6,
        /// Average wind speed, knots.
        wspeed: u8 = u 7,
        /// Wind gust, knots.
        wgust: u8 = u 7,
        /// Wind direction, degrees.
        wdir: u16 = u 9,
        /// Wind gust direction, degrees.
        wgustdir: u16 = u 9,
        /// Air temperature, 0.1 C offset by -60 C.
        airtemp: u16 = u 11,
        /// Relative humidity, percent.
        humidity: u8 = u 7,
        /// Dew point, 0.1 C offset by -20 C.
        dewpoint: u16 = u 10,
        /// Air pressure, hPa offset by 800.
        pressure: u16 = u 9,
        /// Pressure tendency.
        pressuretend: u8 = u 2,
        /// Horizontal visibility, 0.1 nm.
        visibility: u8 = u 8,
        /// Water level, 0.1 m offset by -10 m.
        waterlevel: u16 = u 9,
        /// Water level trend.
        leveltrend: u8 = u 2,
        /// Surface current speed, 0.1 knot.
        cspeed: u8 = u 8,
        /// Surface current direction.
        cdir: u16 = u 9,
        /// Current 2 speed.
        cspeed2: u8 = u 8,
        /// Current 2 direction.
        cdir2: u16 = u 9,
        /// Current 2 depth, metres.
        cdepth2: u8 = u 5,
        /// Current 3 speed.
        cspeed3: u8 = u 8,
        /// Current 3 direction.
        cdir3: u16 = u 9,
        /// Current 3 depth, metres.
        cdepth3: u8 = u 5,
        /// Significant wave height, 0.1 m.
        waveheight: u8 = u 8,
        /// Wave period, seconds.
        waveperiod: u8 = u 6,
        /// Wave direction.
        wavedir: u16 = u 9,
        /// Swell height, 0.1 m.
        swellheight: u8 = u 8,
        /// Swell period, seconds.
        swellperiod: u8 = u 6,
        /// Swell direction.
        swelldir: u16 = u 9,
        /// Sea state, Beaufort.
        seastate: u8 = u 4,
        /// Water temperature, 0.1 C offset by -10 C.
        watertemp: u16 = u 10,
        /// Precipitation type (WMO code table 4.201).
        preciptype: u8 = u 3,
        /// Salinity, 0.1 per mille.
        salinity: u16 = u 9,
        /// Ice.
        ice: u8 = u 2,
    }
}

app_layout! {
    /// IMO236 8/1/13: fairway closed.
    pub struct FairwayClosed {
        /// Reason for closing.
        reason: Text<20> = t 20,
        /// Location of closing from.
        closefrom: Text<20> = t 20,
        /// Location of closing to.
        closeto: Text<20> = t 20,
        /// Radius extension.
        radius: u16 = u 10,
        /// Unit of extension.
        extunit: u8 = u 2,
        /// Closing from day.
        fday: u8 = u 5,
        /// Closing from month.
        fmonth: u8 = u 4,
        /// From hour.
        fhour: u8 = u 5,
        /// From minute.
        fminute: u8 = u 6,
        /// To day.
        tday: u8 = u 5,
        /// To month.
        tmonth: u8 = u 4,
        /// To hour.
        thour: u8 = u 5,
        /// To minute.
        tminute: u8 = u 6,
    }
}

app_layout! {
    /// IMO289 8/1/19: marine traffic signal.
    pub struct MarineTrafficSignal {
        /// Message linkage ID.
        linkage: u16 = u 10,
        /// Name of signal station.
        station: Text<20> = t 20,
        /// Longitude, 1/1000 minute.
        lon: i32 = i 25,
        /// Latitude, 1/1000 minute.
        lat: i32 = i 24,
        /// Status of signal.
        status: u8 = u 2,
        /// Signal in service.
        signal: u8 = u 5,
        /// UTC hour of next signal shift.
        hour: u8 = u 5,
        /// UTC minute of next signal shift.
        minute: u8 = u 6,
        /// Expected next signal.
        nextsignal: u8 = u 5,
    }
}

app_layout! {
    /// IMO289 8/1/31: meteorological and hydrological data.
    pub struct MetHydro31 {
        /// Longitude, 1/1000 minute.
        lon: i32 = i 25,
        /// Latitude, 1/1000 minute.
        lat: i32 = i 24,
        /// Position accuracy.
        accuracy: bool = b 1,
        /// UTC day.
        day: u8 = u 5,
        /// UTC hour.
        hour: u8 = u 5,
        /// UTC minute.
        minute: u8 = u 6,
        /// Average wind speed, knots.
        wspeed: u8 = u 7,
        /// Wind gust, knots.
        wgust: u8 = u 7,
        /// Wind direction.
        wdir: u16 = u 9,
        /// Wind gust direction.
        wgustdir: u16 = u 9,
        /// Air temperature, 0.1 C (signed).
        airtemp: i16 = i 11,
        /// Relative humidity, percent.
        humidity: u8 = u 7,
        /// Dew point, 0.1 C (signed).
        dewpoint: i16 = i 10,
        /// Air pressure, hPa offset by 799.
        pressure: u16 = u 9,
        /// Pressure tendency.
        pressuretend: u8 = u 2,
        /// Visibility greater than the maximum.
        visgreater: bool = b 1,
        /// Horizontal visibility, 0.1 nm.
        visibility: u8 = u 7,
        /// Water level, 0.01 m offset by -10 m.
        waterlevel: u16 = u 12,
        /// Water level trend.
        leveltrend: u8 = u 2,
        /// Surface current speed, 0.1 knot.
        cspeed: u8 = u 8,
        /// Surface current direction.
        cdir: u16 = u 9,
        /// Current 2 speed.
        cspeed2: u8 = u 8,
        /// Current 2 direction.
        cdir2: u16 = u 9,
        /// Current 2 depth, 0.1 m.
        cdepth2: u8 = u 5,
        /// Current 3 speed.
        cspeed3: u8 = u 8,
        /// Current 3 direction.
        cdir3: u16 = u 9,
        /// Current 3 depth.
        cdepth3: u8 = u 5,
        /// Significant wave height, 0.1 m.
        waveheight: u8 = u 8,
        /// Wave period, seconds.
        waveperiod: u8 = u 6,
        /// Wave direction.
        wavedir: u16 = u 9,
        /// Swell height, 0.1 m.
        swellheight: u8 = u 8,
        /// Swell period, seconds.
        swellperiod: u8 = u 6,
        /// Swell direction.
        swelldir: u16 = u 9,
        /// Sea state, Beaufort.
        seastate: u8 = u 4,
        /// Water temperature, 0.1 C (signed).
        watertemp: i16 = i 10,
        /// Precipitation type.
        preciptype: u8 = u 3,
        /// Salinity, 0.1 per mille.
        salinity: u16 = u 9,
        /// Ice.
        ice: u8 = u 2,
    }
}

app_layout! {
    /// Inland AIS 8/200/10: inland ship static and voyage related data.
    pub struct InlandStatic {
        /// European vessel identification number.
        vin: Text<8> = t 8,
        /// Length of ship, 0.1 m.
        length: u16 = u 13,
        /// Beam, 0.1 m.
        beam: u16 = u 10,
        /// ERI ship or combination type.
        shiptype: u16 = u 14,
        /// Hazardous cargo (number of blue cones).
        hazard: u8 = u 3,
        /// Draught, 0.01 m.
        draught: u16 = u 11,
        /// Loaded/unloaded.
        loaded: u8 = u 2,
        /// Quality of speed information.
        speed_q: bool = b 1,
        /// Quality of course information.
        course_q: bool = b 1,
        /// Quality of heading information.
        heading_q: bool = b 1,
    }
}

app_layout! {
    /// Inland AIS 8/200/23: EMMA weather warning.
    pub struct EmmaWarning {
        /// Start year since 2000.
        start_year: u8 = u 8,
        /// Start month.
        start_month: u8 = u 4,
        /// Start day.
        start_day: u8 = u 5,
        /// End year since 2000.
        end_year: u8 = u 8,
        /// End month.
        end_month: u8 = u 4,
        /// End day.
        end_day: u8 = u 5,
        /// Start hour.
        start_hour: u8 = u 5,
        /// Start minute.
        start_minute: u8 = u 6,
        /// End hour.
        end_hour: u8 = u 5,
        /// End minute.
        end_minute: u8 = u 6,
        /// Start longitude, 1/10 000 minute.
        start_lon: i32 = i 28,
        /// Start latitude.
        start_lat: i32 = i 27,
        /// End longitude.
        end_lon: i32 = i 28,
        /// End latitude.
        end_lat: i32 = i 27,
        /// Type of weather warning.
        kind: u8 = u 4,
        /// Minimum value.
        min: i16 = i 9,
        /// Maximum value.
        max: i16 = i 9,
        /// Classification.
        intensity: u8 = u 2,
        /// Wind direction.
        wind: u8 = u 4,
    }
}

app_layout! {
    /// Inland AIS 8/200/40: signal status.
    pub struct SignalStatus {
        /// Longitude, 1/10 000 minute.
        lon: i32 = i 28,
        /// Latitude.
        lat: i32 = i 27,
        /// Signal form.
        form: u8 = u 4,
        /// Orientation of signal, degrees.
        facing: u16 = u 9,
        /// Direction of impact.
        direction: u8 = u 3,
        /// Light status, 10 lights of 3 bits.
        status: u32 = u 30,
    }
}

/// One tidal window entry (IMO236 6/1/14 or IMO289 6/1/32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tidal {
    /// Latitude (1/10 000 minute for FI 14, 1/1000 minute for FI 32).
    pub lat: i32,
    /// Longitude.
    pub lon: i32,
    /// From hour.
    pub from_hour: u8,
    /// From minute.
    pub from_min: u8,
    /// To hour.
    pub to_hour: u8,
    /// To minute.
    pub to_min: u8,
    /// Current direction.
    pub cdir: u16,
    /// Current speed, 0.1 knot.
    pub cspeed: u8,
}

/// IMO236 6/1/14 and IMO289 6/1/32: tidal window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TidalWindow {
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
    /// Windows, in transmitted order.
    pub tidals: Vec<Tidal>,
}

/// One cargo of IMO289 6/1/25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cargo {
    /// Code under which the cargo is listed.
    pub code: u8,
    /// Cargo subtype.
    pub subtype: u16,
}

/// IMO289 6/1/25: dangerous cargo indication.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CargoIndication {
    /// Unit of quantity.
    pub unit: u8,
    /// Amount of cargo.
    pub amount: u16,
    /// Cargos.
    pub cargos: Vec<Cargo>,
}

/// A waypoint of a route (1/10 000 minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waypoint {
    /// Longitude.
    pub lon: i32,
    /// Latitude.
    pub lat: i32,
}

/// IMO289 route information, 6/1/28 (addressed) and 8/1/27 (broadcast).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteInfo {
    /// Message linkage ID.
    pub linkage: u16,
    /// Sender classification.
    pub sender: u8,
    /// Route type.
    pub rtype: u8,
    /// Start month.
    pub month: u8,
    /// Start day.
    pub day: u8,
    /// Start hour.
    pub hour: u8,
    /// Start minute.
    pub minute: u8,
    /// Duration, minutes.
    pub duration: u32,
    /// Waypoints.
    pub waypoints: Vec<Waypoint>,
}

/// IMO289 text description, 6/1/30 (addressed) and 8/1/29 (broadcast).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextDescription {
    /// Message linkage ID.
    pub linkage: u16,
    /// Text.
    pub text: String,
}

/// Identifier of a VTS target (IMO289 8/1/17).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetId {
    /// MMSI.
    Mmsi(u64),
    /// IMO number.
    Imo(u64),
    /// Call sign.
    Callsign(String),
    /// Other identifier.
    Other(String),
}

/// One VTS-generated target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtsTarget {
    /// Identifier.
    pub id: TargetId,
    /// Latitude, 1/1000 minute.
    pub lat: i32,
    /// Longitude, 1/1000 minute.
    pub lon: i32,
    /// Course over ground, degrees.
    pub course: u16,
    /// UTC second.
    pub second: u8,
    /// Speed, knots.
    pub speed: u16,
}

/// One gauge of Inland AIS 8/200/24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gauge {
    /// Gauge ID.
    pub id: u16,
    /// Water level, cm (signed).
    pub level: i16,
}

/// Inland AIS 8/200/24: water levels.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaterLevels {
    /// UN country code.
    pub country: Text<2>,
    /// Gauges.
    pub gauges: Vec<Gauge>,
}

/// A decoded application payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Application {
    /// 6/200/21.
    InlandEta(InlandEta),
    /// 6/200/22.
    InlandRta(InlandRta),
    /// 6/200/55.
    InlandPersons(InlandPersons),
    /// 6/235/10 and 6/250/10.
    AtonMonitoring(AtonMonitoring),
    /// 6/1/12.
    DangerousCargo(DangerousCargo),
    /// 6/1/14 and 6/1/32.
    TidalWindow(TidalWindow),
    /// 6/1/15 and 8/1/15: air draught, decimetres.
    AirDraught(u16),
    /// 6/1/16 and 8/1/16: number of persons on board.
    PersonsOnBoard(u16),
    /// 6/1/18.
    ClearanceTime(ClearanceTime),
    /// 6/1/20.
    BerthingData(BerthingData),
    /// 6/1/25.
    CargoIndication(CargoIndication),
    /// 6/1/28 and 8/1/27.
    RouteInfo(RouteInfo),
    /// 6/1/30 and 8/1/29.
    TextDescription(TextDescription),
    /// 8/1/11.
    MetHydro11(MetHydro11),
    /// 8/1/13.
    FairwayClosed(FairwayClosed),
    /// 8/1/17.
    VtsTargets(Vec<VtsTarget>),
    /// 8/1/19.
    MarineTrafficSignal(MarineTrafficSignal),
    /// 8/1/31.
    MetHydro31(MetHydro31),
    /// 8/200/10.
    InlandStatic(InlandStatic),
    /// 8/200/23.
    EmmaWarning(EmmaWarning),
    /// 8/200/24.
    WaterLevels(WaterLevels),
    /// 8/200/40.
    SignalStatus(SignalStatus),
}

/// Six-bit text from `pos` to the end of the data, as a string (stops at '@', trailing spaces trimmed).
fn text_to_end(data: &BinaryData, pos: usize) -> String {
    let bits = data.bits();
    if bits.len() <= pos {
        return String::new();
    }
    let t: Text<161> = bits.reader(pos).text_rest();
    t.as_str().to_string()
}

impl AddressedBinary {
    /// Decodes the application payload, when its DAC/FI is known and its length fits.
    pub fn application(&self) -> Option<Application> {
        let d = &self.data;
        let n = d.len_bits();
        let mut r = d.bits().reader(0);
        // Lengths below are of the whole message (88 header bits + data), as in the circulars.
        let total = n + 88;
        let app = match (self.dac, self.fid) {
            (200, 21) if total == 248 => Application::InlandEta(InlandEta::read(&mut r)),
            (200, 22) if total == 232 => Application::InlandRta(InlandRta::read(&mut r)),
            (200, 55) if total == 168 => Application::InlandPersons(InlandPersons::read(&mut r)),
            (235 | 250, 10) if total == 136 => Application::AtonMonitoring(AtonMonitoring::read(&mut r)),
            (1, 12) => Application::DangerousCargo(DangerousCargo::read(&mut r)),
            (1, 14) => Application::TidalWindow(tidal_window(d, 93, true)),
            (1, 32) => Application::TidalWindow(tidal_window(d, 88, false)),
            #[allow(clippy::cast_possible_truncation)]
            (1, 15) => Application::AirDraught(r.u(11) as u16),
            #[allow(clippy::cast_possible_truncation)]
            (1, 16) => Application::PersonsOnBoard(r.u(13) as u16),
            (1, 18) => Application::ClearanceTime(ClearanceTime::read(&mut r)),
            (1, 20) => Application::BerthingData(BerthingData::read(&mut r)),
            (1, 25) => {
                #[allow(clippy::cast_possible_truncation)]
                let (unit, amount) = (r.u(2) as u8, r.u(10) as u16);
                let mut cargos = Vec::new();
                let mut pos = 12;
                while pos < n {
                    #[allow(clippy::cast_possible_truncation)]
                    cargos.push(Cargo { code: d.bits().u(pos, 4) as u8, subtype: d.bits().u(pos + 4, 13) as u16 });
                    pos += 17;
                }
                Application::CargoIndication(CargoIndication { unit, amount, cargos })
            }
            (1, 28) => Application::RouteInfo(route_info(&mut r)),
            #[allow(clippy::cast_possible_truncation)]
            (1, 30) => {
                Application::TextDescription(TextDescription { linkage: r.u(10) as u16, text: text_to_end(d, 10) })
            }
            _ => return None,
        };
        Some(app)
    }
}

impl BinaryBroadcast {
    /// Decodes the application payload, when its DAC/FI is known and its length fits.
    pub fn application(&self) -> Option<Application> {
        let d = &self.data;
        let n = d.len_bits();
        let mut r = d.bits().reader(0);
        let total = n + 56;
        let app = match (self.dac, self.fid) {
            (1, 11) => Application::MetHydro11(MetHydro11::read(&mut r)),
            (1, 13) => Application::FairwayClosed(FairwayClosed::read(&mut r)),
            #[allow(clippy::cast_possible_truncation)]
            (1, 15) => Application::AirDraught(r.u(11) as u16),
            // IMO289 8/1/16 is 72 bits in all; other lengths are unknown variants.
            #[allow(clippy::cast_possible_truncation)]
            (1, 16) if total == 72 => Application::PersonsOnBoard(r.u(13) as u16),
            (1, 17) => Application::VtsTargets(vts_targets(d)),
            (1, 19) => Application::MarineTrafficSignal(MarineTrafficSignal::read(&mut r)),
            (1, 27) => Application::RouteInfo(route_info(&mut r)),
            #[allow(clippy::cast_possible_truncation)]
            (1, 29) => {
                Application::TextDescription(TextDescription { linkage: r.u(10) as u16, text: text_to_end(d, 10) })
            }
            (1, 31) => Application::MetHydro31(MetHydro31::read(&mut r)),
            (200, 10) if total == 168 => {
                let s = InlandStatic::read(&mut r);
                // Range check against false matches: hazard codes stop at 5 (unknown).
                if s.hazard > 5 {
                    return None;
                }
                Application::InlandStatic(s)
            }
            (200, 23) if total == 256 => Application::EmmaWarning(EmmaWarning::read(&mut r)),
            (200, 24) if total == 168 => {
                let country = r.text(2);
                let mut gauges = Vec::new();
                let mut pos = 12;
                while pos + 56 < total {
                    #[allow(clippy::cast_possible_truncation)]
                    gauges.push(Gauge { id: d.bits().u(pos, 11) as u16, level: d.bits().i(pos + 11, 14) as i16 });
                    pos += 25;
                }
                Application::WaterLevels(WaterLevels { country, gauges })
            }
            (200, 40) if total == 168 => Application::SignalStatus(SignalStatus::read(&mut r)),
            _ => return None,
        };
        Some(app)
    }
}

#[allow(clippy::cast_possible_truncation)]
fn tidal_window(d: &BinaryData, element: usize, lat_first: bool) -> TidalWindow {
    let b = d.bits();
    let mut w = TidalWindow { month: b.u(0, 4) as u8, day: b.u(4, 5) as u8, tidals: Vec::new() };
    let mut pos = 9;
    // An element whose start is present is kept; its missing bits read as zero (as gpsd does).
    while pos < b.len() {
        let (lat, lon, rest) = if lat_first {
            (b.i(pos, 27) as i32, b.i(pos + 27, 28) as i32, pos + 55)
        } else {
            (b.i(pos + 25, 24) as i32, b.i(pos, 25) as i32, pos + 49)
        };
        let speed_bits = if lat_first { 7 } else { 8 };
        w.tidals.push(Tidal {
            lat,
            lon,
            from_hour: b.u(rest, 5) as u8,
            from_min: b.u(rest + 5, 6) as u8,
            to_hour: b.u(rest + 11, 5) as u8,
            to_min: b.u(rest + 16, 6) as u8,
            cdir: b.u(rest + 22, 9) as u16,
            cspeed: b.u(rest + 31, speed_bits) as u8,
        });
        pos += element;
    }
    w
}

#[allow(clippy::cast_possible_truncation)]
fn route_info(r: &mut Reader<'_>) -> RouteInfo {
    let mut ri = RouteInfo {
        linkage: r.u(10) as u16,
        sender: r.u(3) as u8,
        rtype: r.u(5) as u8,
        month: r.u(4) as u8,
        day: r.u(5) as u8,
        hour: r.u(5) as u8,
        minute: r.u(6) as u8,
        duration: r.u(18) as u32,
        waypoints: Vec::new(),
    };
    let count = r.u(5) as usize;
    for _ in 0..count {
        if r.remaining() < 55 {
            break;
        }
        ri.waypoints.push(Waypoint { lon: r.i(28) as i32, lat: r.i(27) as i32 });
    }
    ri
}

#[allow(clippy::cast_possible_truncation)]
fn vts_targets(d: &BinaryData) -> Vec<VtsTarget> {
    let b = d.bits();
    let mut out = Vec::new();
    let mut a = 0;
    while a < b.len() {
        let id = match b.u(a, 2) {
            0 => TargetId::Mmsi(b.u(a + 2, 42)),
            1 => TargetId::Imo(b.u(a + 2, 42)),
            2 => TargetId::Callsign(b.reader(a + 2).text::<7>(7).as_str().to_string()),
            _ => TargetId::Other(b.reader(a + 2).text::<7>(7).as_str().to_string()),
        };
        out.push(VtsTarget {
            id,
            lat: b.i(a + 48, 24) as i32,
            lon: b.i(a + 72, 25) as i32,
            course: b.u(a + 97, 9) as u16,
            second: b.u(a + 106, 6) as u8,
            speed: b.u(a + 112, 10) as u16,
        });
        a += 122;
    }
    out
}
