//! # sealane-ais
//!
//! Sans-IO decoding and encoding of AIS, the Automatic Identification System
//! of ITU-R M.1371-5, as carried in NMEA 0183 `!AIVDM`/`!AIVDO` sentences.
//! Bytes in, messages out: this crate opens no files and no sockets, and
//! decoding a single-sentence position report allocates nothing.
//!
//! What it does:
//! - frames sentences from any talker (`AI`, `AB`, `BS`, `SA`, ...), verifies
//!   checksums, reads NMEA 4 tag blocks and the receive timestamps real logs
//!   carry (`$PGHP`, leading epoch or ISO times, USCG trailers);
//! - reassembles multi-sentence messages, interleaved across channels and
//!   sources, with bounded memory and counted eviction;
//! - decodes all 27 message types with every field, and the binary
//!   application payloads of types 6 and 8 on demand ([`Application`]);
//! - encodes messages back into sentences ([`encode_sentences`]).
//!
//! What it does not do: scale values into physical units for you beyond the
//! helpers in [`units`], keep vessel state, or speak any output format such
//! as gpsd JSON; those live with the programs that need them.
//!
//! The decoder never fails as a whole. Every line gives a message, nothing,
//! or a [`DecodeError`] with a stable reason name, and the [`Stats`] keep
//! count of each.
//!
//! ```
//! use sealane_ais::{Decoder, Message};
//!
//! let mut decoder = Decoder::default();
//! let decoded = decoder
//!     .feed(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A")
//!     .expect("valid sentence")
//!     .expect("complete message");
//! let Message::Position(report) = decoded.message else { unreachable!() };
//! assert_eq!(report.mmsi, 371798000);
//! assert_eq!(sealane_ais::units::speed_knots(report.speed), Some(12.3));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod application;
pub mod bits;
pub mod decoder;
pub mod encode;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod message;
pub mod nmea;
pub mod time;
pub mod units;

pub use application::Application;
pub use bits::{BinaryData, Text};
pub use decoder::{DecodeError, Decoded, Decoder, ErrorKind, Meta, Options, ReceiveTime, Stats, TimeSource};
pub use encode::{Framing, encode_sentences};
pub use message::{Message, MessageError, Repairs};
