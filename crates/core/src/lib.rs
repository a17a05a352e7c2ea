//! # sealane-core
//!
//! The domain model every Sealane crate speaks: what was observed about a
//! vessel ([`Observation`]: positions and identity reports, each with its
//! receive time, source and label), who may read it ([`Label`]), and the
//! rules of identifiers ([`mmsi`]: MID to flag state, kinds of MMSI). Also the
//! time and geodesy helpers the rest share.
//!
//! It knows nothing of files, databases, networks or wire formats: those live
//! in `sealane-ingest`, `sealane-store` and the server. It turns decoded AIS
//! ([`sealane_ais`]) into observations ([`observe`]) because that mapping is
//! part of the model: what a message means, not how it travels.
//!
//! ```
//! use sealane_core::{mmsi, time};
//! assert_eq!(mmsi::flag(440_123_456), Some("Korea (Republic of)"));
//! assert_eq!(time::parse_time("2020-06-30T00:00:00Z"), Ok(1_593_475_200_000));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod csv;
pub mod event;
pub mod geo;
pub mod hash;
pub mod label;
pub mod mmsi;
pub mod observation;
pub mod observe;
pub mod time;

pub use event::{Event, EventKind, Evidence};
pub use label::{Label, LabelRules};
pub use observation::{Identity, Observation, Origin, Position, TimeSource, VesselClass};
