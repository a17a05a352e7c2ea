//! API tokens, the embedded default of authentication: random, shown once,
//! stored only as a SHA-256 hash with the subject they stand for, a scope and
//! an expiry. Tables live in the store file beside the data they guard.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::pdp::Subject;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Read data (through the policy decision point).
    Read,
    /// Read, and manage users, tokens and releases.
    Admin,
}

impl Scope {
    /// `read` or `admin`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Admin => "admin",
        }
    }

    /// Parses `read` or `admin`.
    pub fn parse(s: &str) -> Result<Scope, String> {
        match s {
            "read" => Ok(Scope::Read),
            "admin" => Ok(Scope::Admin),
            _ => Err(format!("scope {s:?} is neither read nor admin")),
        }
    }
}

/// Why a token was refused (all look the same to the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No token was presented.
    Missing,
    /// No such token (wrong, tampered with or revoked).
    Unknown,
    /// Past its expiry.
    Expired,
    /// Its scope does not allow this.
    Scope,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One message for every case: a caller learns nothing about which tokens exist.
        f.write_str("not authenticated: give a valid, unexpired token with the required scope (--token)")
    }
}

/// A token's record (never the token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// Row id.
    pub id: i64,
    /// Who it stands for.
    pub subject: Subject,
    /// Scope.
    pub scope: Scope,
    /// Expiry, ms.
    pub expires_ms: i64,
    /// Created, ms.
    pub created_ms: i64,
}

fn hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    crate::hex(&d)
}

/// Creates the tables if missing.
pub fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS share_tokens (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            subject TEXT NOT NULL,
            scope TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0
        );",
    )
}

/// Issues a token for `subject`; returns the token (shown once) and its id.
pub fn create(
    conn: &Connection,
    subject: &Subject,
    scope: Scope,
    now_ms: i64,
    expires_ms: i64,
) -> Result<(String, i64), String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    let token = format!("sl_{}", crate::hex(&bytes));
    let subject_json = serde_json::to_string(subject).map_err(|e| e.to_string())?;
    conn.execute(
        "INSERT INTO share_tokens (hash, subject, scope, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash(&token), subject_json, scope.name(), now_ms, expires_ms],
    )
    .map_err(|e| e.to_string())?;
    Ok((token, conn.last_insert_rowid()))
}

/// The subject a presented token stands for, if it is valid for `need` at `now_ms`.
pub fn authenticate(conn: &Connection, token: Option<&str>, need: Scope, now_ms: i64) -> Result<TokenInfo, AuthError> {
    let token = token.filter(|t| !t.is_empty()).ok_or(AuthError::Missing)?;
    let row = conn
        .query_row(
            "SELECT id, subject, scope, created_ms, expires_ms FROM share_tokens WHERE hash = ?1 AND revoked = 0",
            params![hash(token)],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(|_| AuthError::Unknown)?;
    let Some((id, subject, scope, created_ms, expires_ms)) = row else { return Err(AuthError::Unknown) };
    let subject: Subject = serde_json::from_str(&subject).map_err(|_| AuthError::Unknown)?;
    let scope = Scope::parse(&scope).map_err(|_| AuthError::Unknown)?;
    if now_ms >= expires_ms {
        return Err(AuthError::Expired);
    }
    if need == Scope::Admin && scope != Scope::Admin {
        return Err(AuthError::Scope);
    }
    Ok(TokenInfo { id, subject, scope, expires_ms, created_ms })
}

/// Every token's record.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<(TokenInfo, bool)>> {
    let mut st =
        conn.prepare("SELECT id, subject, scope, created_ms, expires_ms, revoked FROM share_tokens ORDER BY id")?;
    let rows = st.query_map([], |r| {
        let subject: String = r.get(1)?;
        let scope: String = r.get(2)?;
        Ok((
            TokenInfo {
                id: r.get(0)?,
                subject: serde_json::from_str(&subject).unwrap_or(Subject {
                    id: "?".into(),
                    nation: "?".into(),
                    clearance: "?".into(),
                    caveats: Vec::new(),
                    purpose: None,
                }),
                scope: Scope::parse(&scope).unwrap_or(Scope::Read),
                created_ms: r.get(3)?,
                expires_ms: r.get(4)?,
            },
            r.get::<_, i64>(5)? != 0,
        ))
    })?;
    rows.collect()
}

/// Revokes token `id`; false if there is none.
pub fn revoke(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE share_tokens SET revoked = 1 WHERE id = ?1", params![id])? == 1)
}
