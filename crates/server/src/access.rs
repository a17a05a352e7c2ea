//! Who is reading a store, and what they may see: every CLI read of a store
//! goes through here, to the one policy decision point (`sealane_share::decide`),
//! and is written to the audit log.
//!
//! A store with no tokens issued is a personal store: its reader is the local
//! owner (audited as `local`). Once `sealane admin token create` has issued a
//! token, every read needs one (`--token` or `SEALANE_TOKEN`).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use sealane_core::Label;
use sealane_share::auth::{self, Scope};
use sealane_share::oidc::OidcConfig;
use sealane_share::{Policy, RecordState, Subject, audit, decide, release};
use sealane_store::{Provenance, Store, StoredPosition};

/// The environment variable a token may come from.
pub const TOKEN_ENV: &str = "SEALANE_TOKEN";

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// An authenticated reader of one store.
pub struct Access {
    conn: rusqlite::Connection,
    policy: Policy,
    /// `None`: the local owner of a store without tokens (reads everything).
    subject: Option<Subject>,
    labels: HashMap<u32, Label>,
    decided: HashMap<u32, bool>,
}

/// The token given on the command line, else in the environment.
pub fn token_arg(token: Option<String>) -> Option<String> {
    token.or_else(|| std::env::var(TOKEN_ENV).ok()).filter(|t| !t.is_empty())
}

/// Reads a JWKS file for OIDC bearer tokens.
pub fn load_oidc(jwks: Option<&Path>, audience: &str, issuer: Option<&str>) -> Result<Option<OidcConfig>> {
    let Some(p) = jwks else { return Ok(None) };
    let text = std::fs::read_to_string(p).with_context(|| format!("reading JWKS {}", p.display()))?;
    Ok(Some(OidcConfig::new(&text, &p.display().to_string(), audience, issuer).map_err(anyhow::Error::msg)?))
}

/// Reads a policy file, or the built-in policy.
pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    match path {
        None => Ok(Policy::bilateral()),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading policy {}", p.display()))?;
            Policy::from_toml(&text, &p.display().to_string()).map_err(anyhow::Error::msg)
        }
    }
}

fn has_tokens(conn: &rusqlite::Connection) -> Result<bool> {
    // Ever issued, revoked or not: revoking every token must not reopen the store.
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM share_tokens)", [], |r| r.get(0))?)
}

impl Access {
    /// Authenticates `token` against the store at `path` for `need`: a JWT against
    /// `oidc` when one is configured (which makes a token mandatory), else an API token.
    pub fn open(
        path: &Path,
        token: Option<&str>,
        need: Scope,
        policy: Policy,
        oidc: Option<&OidcConfig>,
    ) -> Result<Access> {
        if !path.exists() {
            bail!("no store at {}", path.display());
        }
        let conn = sealane_share::open(path).with_context(|| format!("opening {}", path.display()))?;
        let subject = match (oidc, token) {
            (Some(o), Some(t)) if OidcConfig::is_jwt(t) => {
                Some(o.authenticate(t, need).map_err(|e| anyhow::anyhow!("{e}"))?)
            }
            (None, None) if !has_tokens(&conn)? => None,
            _ => Some(auth::authenticate(&conn, token, need, now_ms()).map_err(|e| anyhow::anyhow!("{e}"))?.subject),
        };
        let store = Store::open_read_only(path)?;
        let labels = store.sources()?.into_iter().map(|(id, _, _, label)| (id, label)).collect();
        Ok(Access { conn, policy, subject, labels, decided: HashMap::new() })
    }

    /// Who is reading (for messages and the audit log).
    pub fn actor(&self) -> String {
        self.subject.as_ref().map_or("local".to_string(), |s| s.id.clone())
    }

    /// The subject, when authenticated.
    pub fn subject(&self) -> Option<&Subject> {
        self.subject.as_ref()
    }

    /// May the reader see records of `source` (through the policy decision point)?
    /// Retracted sources are hidden from everyone, the local owner included.
    pub fn may_read_source(&mut self, source: u32) -> bool {
        if let Some(&d) = self.decided.get(&source) {
            return d;
        }
        let retracted = release::is_retracted(&self.conn, source).unwrap_or(true);
        let released = release::released_to(&self.conn, source).unwrap_or_default();
        let state = RecordState { retracted, released_to: &released };
        let d = match &self.subject {
            None => !retracted,
            // A source the store does not describe has no known label: denied.
            Some(subject) => {
                self.labels.get(&source).is_some_and(|l| decide(&self.policy, subject, l, now_ms(), state).is_ok())
            }
        };
        self.decided.insert(source, d);
        d
    }

    /// The sources the reader may see, or None when it may see them all.
    pub fn readable_sources(&mut self) -> Option<std::collections::BTreeSet<u32>> {
        if self.reads_everything() {
            return None;
        }
        let ids: Vec<u32> = self.labels.keys().copied().collect();
        Some(ids.into_iter().filter(|&s| self.may_read_source(s)).collect())
    }

    /// The label of a source, if the store describes it.
    pub fn label(&self, source: u32) -> Option<&Label> {
        self.labels.get(&source)
    }

    /// May the reader see every source of the store?
    pub fn reads_everything(&mut self) -> bool {
        let ids: Vec<u32> = self.labels.keys().copied().collect();
        ids.into_iter().all(|s| self.may_read_source(s))
    }

    /// What the reader may read, for derived products.
    pub fn audience(&mut self) -> crate::Audience {
        let readable = self.readable_sources();
        crate::Audience { subject: self.subject.clone(), readable, policy: std::sync::Arc::new(self.policy.clone()) }
    }

    /// The policy decisions are made against.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// A stored position as the reader may see it: readable if any report of it
    /// (first or duplicate) is, showing only the readable reports, so neither a
    /// restricted source's id nor its marking leaks through a duplicate.
    pub fn visible(&mut self, p: &StoredPosition) -> Option<StoredPosition> {
        let mut reports: Vec<Provenance> =
            std::iter::once(&p.provenance).chain(&p.also).filter(|r| self.may_read_source(r.source)).copied().collect();
        if reports.is_empty() {
            return None;
        }
        let mut q = p.clone();
        q.provenance = reports.remove(0);
        q.also = reports;
        Some(q)
    }

    /// The positions of `rows` the reader may see ([`Access::visible`]).
    pub fn readable(&mut self, rows: &[StoredPosition]) -> Vec<StoredPosition> {
        rows.iter().filter_map(|p| self.visible(p)).collect()
    }

    /// Appends to the audit log.
    pub fn audit(&mut self, action: &str, object: &str, detail: &str) -> Result<()> {
        let actor = self.actor();
        audit::append(&mut self.conn, now_ms(), &actor, action, object, detail)?;
        Ok(())
    }
}

/// Bootstrap or admin check for `sealane admin`: the first token of a store may
/// be created by its local owner; after that an admin token is needed. Returns
/// the connection, the actor's name and, when authenticated, its subject.
pub fn admin(path: &Path, token: Option<&str>) -> Result<(rusqlite::Connection, String, Option<Subject>)> {
    if !path.exists() {
        bail!("no store at {}", path.display());
    }
    let conn = sealane_share::open(path).with_context(|| format!("opening {}", path.display()))?;
    if !has_tokens(&conn)? {
        return Ok((conn, "local-bootstrap".to_string(), None));
    }
    let s = auth::authenticate(&conn, token, Scope::Admin, now_ms()).map_err(|e| anyhow::anyhow!("{e}"))?.subject;
    Ok((conn, s.id.clone(), Some(s)))
}

/// Only the originator's nation may release or retract a source's records.
pub fn originator_check(path: &Path, source: u32, subject: Option<&Subject>) -> Result<Label> {
    let store = Store::open_read_only(path)?;
    let label = store
        .sources()?
        .into_iter()
        .find(|(id, _, _, _)| *id == source)
        .map(|(_, _, _, l)| l)
        .with_context(|| format!("no source {source} in {}", path.display()))?;
    if let Some(s) = subject {
        if s.nation != label.originator.nation {
            bail!("only the originator ({}) may release or retract source {source}", label.originator.nation);
        }
    }
    Ok(label)
}
