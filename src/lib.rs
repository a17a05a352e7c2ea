//! # sealane
//!
//! The `sealane` command: it wires the Sealane crates together. This library
//! half holds the commands and the output formats spoken at the edges (gpsd
//! JSON today) so they can be tested in-process; `main.rs` only parses
//! arguments and calls in here.

pub use sealane_server::access;
pub mod bench;
pub mod bench_fuse;
pub mod bench_serve;
pub mod decode;
pub mod demo;
pub mod detect;
pub mod eval;
pub mod export;
pub mod fuse;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod gpsd;
pub mod ingest;
pub mod pipeline;
pub mod query;
pub mod serve;
pub mod simulate;

pub mod json;
