//! OIDC / JWT bearer tokens for deployments with an identity provider: RS256
//! or ES256 signatures checked against a JSON Web Key Set file, with expiry,
//! audience (and issuer, when configured). The subject's nation, clearance,
//! caveats and purpose come from the token's claims, signed by the provider.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

use crate::auth::{AuthError, Scope};
use crate::pdp::Subject;

/// Where tokens are accepted from.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    jwks: JwkSet,
    audience: String,
    issuer: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    nation: String,
    clearance: String,
    #[serde(default)]
    caveats: Vec<String>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl OidcConfig {
    /// A configuration from a JWKS text; `what` names it in errors.
    pub fn new(jwks_json: &str, what: &str, audience: &str, issuer: Option<&str>) -> Result<OidcConfig, String> {
        let jwks: JwkSet = serde_json::from_str(jwks_json).map_err(|e| format!("{what}: not a JWKS: {e}"))?;
        if jwks.keys.is_empty() {
            return Err(format!("{what}: no keys"));
        }
        Ok(OidcConfig { jwks, audience: audience.to_string(), issuer: issuer.map(str::to_string) })
    }

    /// Whether a presented token looks like a JWT (three dot-separated parts).
    pub fn is_jwt(token: &str) -> bool {
        token.split('.').count() == 3
    }

    /// The subject of a valid token for `need`.
    pub fn authenticate(&self, token: &str, need: Scope) -> Result<Subject, AuthError> {
        let header = decode_header(token).map_err(|_| AuthError::Unknown)?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(AuthError::Unknown);
        }
        // The key named by the token, or the only key of the set.
        let jwk = match &header.kid {
            Some(kid) => self.jwks.find(kid),
            None if self.jwks.keys.len() == 1 => self.jwks.keys.first(),
            None => None,
        }
        .ok_or(AuthError::Unknown)?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| AuthError::Unknown)?;
        let mut v = Validation::new(header.alg);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "aud", "sub"]);
        v.leeway = 0;
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
        }
        let data = decode::<Claims>(token, &key, &v).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AuthError::Expired,
            _ => AuthError::Unknown,
        })?;
        let c = data.claims;
        let scope = c.scope.as_deref().map_or(Ok(Scope::Read), Scope::parse).map_err(|_| AuthError::Unknown)?;
        if need == Scope::Admin && scope != Scope::Admin {
            return Err(AuthError::Scope);
        }
        Ok(Subject { id: c.sub, nation: c.nation, clearance: c.clearance, caveats: c.caveats, purpose: c.purpose })
    }
}
