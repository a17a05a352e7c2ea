//! # sealane-track
//!
//! Per-vessel state for the detectors ([`Tracks`]: last fixes, segments,
//! implied speed, interpolation and dead reckoning) and the geography they
//! judge it against: [`Land`] (on land? how far from shore?), [`Ports`]
//! (nearest port), and [`RegionIndex`], the point-in-polygon index both land
//! and zones use.
//!
//! ```
//! use sealane_track::Land;
//! let land = Land::natural_earth();
//! assert!(land.contains(37.5665, 126.978)); // Seoul
//! assert!(!land.contains(34.5, 129.0)); // Korea Strait
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod coast;
pub mod land;
pub mod ports;
pub mod region;
pub mod routes;
pub mod sphere;
pub mod topojson;
pub mod tracks;

pub use coast::CoastIndex;
pub use land::Land;
pub use ports::{Port, Ports};
pub use region::{RegionIndex, Ring};
pub use routes::Routes;
pub use topojson::{GeometryError, NamedRings, geojson_features, topojson_rings};
pub use tracks::{Fix, LabelId, Step, Tracks, Vessel, VesselId, implied, interpolate};
