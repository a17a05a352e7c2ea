//! Who is asking: every data request authenticates here, and the answer is
//! an [`Access`] (the one policy decision point plus the audit log) and the
//! reader's [`Audience`].
//!
//! A token comes in `Authorization: Bearer ...`, or as `access_token` in the
//! query string for WebSocket upgrades (browsers cannot set headers on them).
//! A store with no tokens issued belongs to whoever holds the file (the CLI's
//! rule); over HTTP that is a client on the same machine (loopback) and nobody
//! else: any other peer must authenticate even then.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sealane_share::auth::Scope;

use crate::access::Access;
use crate::{App, Audience};

/// An error answered as JSON `{"error": ...}` with a status.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the caller.
    pub message: String,
}

impl ApiError {
    /// 400 with a message naming the bad input.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 404: also the answer for a record the reader may not see, so that
    /// a forbidden record and a missing one look the same.
    pub fn not_found() -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, message: "not found".into() }
    }

    /// 401.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::UNAUTHORIZED, message: message.into() }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, message: format!("{e:#}") }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = axum::Json(serde_json::json!({"error": self.message, "status": self.status.as_u16()}));
        let mut r = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"sealane\""));
        }
        r
    }
}

/// An authenticated reader of the store.
pub struct Reader {
    /// The decision point and audit log, for this reader.
    pub access: Access,
    /// What the reader may read.
    pub audience: Audience,
    /// The token it came with (a live stream checks it again while connected).
    pub token: Option<String>,
}

/// The token of a request: the bearer header, else `access_token` in the query.
pub fn token_of(parts: &Parts) -> Option<String> {
    let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, rest) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim().to_string())
    });
    header.or_else(|| {
        parts.uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("access_token=").map(percent_decode)))
    })
}

/// Decodes `%XX` escapes and `+` (tokens are URL-safe, but clients may escape anyway).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Authenticates a request's token for the store of `app`.
pub fn authenticate(app: &App, token: Option<&str>, peer: Option<SocketAddr>) -> Result<Reader, ApiError> {
    if token.is_none() && !peer.is_some_and(|p| p.ip().is_loopback()) {
        app.metrics.auth_failures.inc();
        return Err(ApiError::unauthenticated("not authenticated: give a bearer token"));
    }
    let mut access =
        Access::open(&app.store, token, Scope::Read, app.policy.clone(), app.oidc.as_ref()).map_err(|e| {
            app.metrics.auth_failures.inc();
            ApiError::unauthenticated(format!("{e:#}"))
        })?;
    let audience = access.audience();
    Ok(Reader { access, audience, token: token.map(str::to_string) })
}

impl FromRequestParts<Arc<App>> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Reader, ApiError> {
        let token = token_of(parts);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let app = app.clone();
        tokio::task::spawn_blocking(move || authenticate(&app, token.as_deref(), peer))
            .await
            .map_err(|e| ApiError::from(anyhow::anyhow!("authentication task: {e}")))?
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::from(anyhow::anyhow!("request task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_never_panics_and_decodes() {
        assert_eq!(percent_decode("a%2Bb+c"), "a+b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
    }
}
