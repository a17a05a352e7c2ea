//! Sealane's releasability: each nation's data reaches exactly those it is
//! releasable to.
//!
//! - [`policy`]: levels (with national marking names), nations, groups,
//!   caveats, purposes; anything unknown is denied.
//! - [`pdp`]: the one policy decision point every read path calls.
//! - [`auth`]: API tokens (random, stored hashed, scoped, expiring) giving the
//!   [`pdp::Subject`] of a caller; [`oidc`]: OIDC/JWT bearer tokens (RS256/ES256
//!   against a JWKS file) for deployments with an identity provider.
//! - [`audit`]: the hash-chained audit log and its verification.
//! - [`release`]: ORCON release approvals and retractions, per source.
//!
//! Label combination itself is `sealane_core::LabelRules::combine`;
//! [`Policy::rules`] supplies its levels and groups.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod auth;
pub mod oidc;
pub mod pdp;
pub mod policy;
pub mod release;

pub use pdp::{Decision, Deny, RecordState, Subject, decide};
pub use policy::Policy;

/// Lower-case hexadecimal of bytes (token text, hashes).
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Opens the share tables in a store file (creating them if missing).
pub fn open(path: &std::path::Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    auth::init(&conn)?;
    audit::init(&conn)?;
    release::init(&conn)?;
    Ok(conn)
}
