//! Credentials: the security schemes an API declares (bearer tokens, basic auth, API keys in a
//! header, the query or a cookie), the values the caller sets for them, and which of them each
//! operation sends. Credentials go to the API's origin only (see [`crate::redirect`]) and are
//! scrubbed from every output.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::redact::Redacted;

/// A security scheme the API declares, as generated code describes it.
#[derive(Debug)]
pub struct SchemeInfo {
    /// The scheme's name in the API description (`bearerAuth`).
    pub key: &'static str,
    /// The generated builder method that sets it (`bearer_auth`), named in errors.
    pub setter: &'static str,
    /// How its credential is sent.
    pub kind: SchemeKind,
}

/// How a scheme's credential is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`.
    Basic,
    /// An API key in this header.
    HeaderKey(&'static str),
    /// An API key in this query parameter.
    QueryKey(&'static str),
    /// An API key in this cookie.
    CookieKey(&'static str),
}

/// A credential set on the builder.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token or an API key.
    Secret(String),
    /// A user name and password.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secret(_) => f.debug_tuple("Secret").field(&Redacted).finish(),
            Self::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &Redacted)
                .finish(),
        }
    }
}

impl Credential {
    /// The secret parts, to scrub from output.
    pub(crate) fn secrets(&self) -> Vec<String> {
        match self {
            Self::Secret(secret) => vec![secret.trim().to_owned()],
            Self::Basic { username, password } => {
                let encoded = base64(format!("{username}:{password}").as_bytes());
                vec![password.clone(), encoded]
            }
        }
    }
}

/// What a request carries for its credentials besides headers (which [`Credentials::apply`]
/// writes into the request's own map), to add before it is sent.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) cookies: Vec<String>,
}

/// The credentials of one client.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    pub(crate) schemes: &'static [SchemeInfo],
    /// One slot per scheme.
    pub(crate) values: Vec<Option<Credential>>,
    /// The `token()` of the builder: the credential of every bearer scheme not set on its own.
    pub(crate) token: Option<HeaderValue>,
}

impl Credentials {
    /// Whether any credential is set.
    pub(crate) fn any(&self) -> bool {
        self.token.is_some() || self.values.iter().any(Option::is_some)
    }

    fn value(&self, index: usize) -> Option<&Credential> {
        self.values.get(index).and_then(Option::as_ref)
    }

    fn satisfies(&self, index: usize) -> bool {
        match self.schemes.get(index).map(|s| s.kind) {
            Some(SchemeKind::Bearer) => self.value(index).is_some() || self.token.is_some(),
            Some(_) => self.value(index).is_some(),
            None => false,
        }
    }

    /// The credentials for a request: the first alternative (in the API description's order)
    /// whose every scheme has a credential, preferring one that sends credentials over one
    /// that needs none. `None` for `security` means the operation states none: the token, if
    /// any, is sent. Credential headers replace any of the same name in `headers`. `Err` names
    /// the setters when nothing would do.
    pub(crate) fn apply(
        &self,
        security: Option<&'static [&'static [u16]]>,
        headers: &mut HeaderMap,
    ) -> Result<Applied, String> {
        let mut applied = Applied::default();
        let Some(alternatives) = security else {
            if let Some(token) = &self.token {
                headers.insert(AUTHORIZATION, token.clone());
            }
            return Ok(applied);
        };
        let chosen = alternatives
            .iter()
            .filter(|alternative| !alternative.is_empty())
            .find(|alternative| alternative.iter().all(|&i| self.satisfies(usize::from(i))))
            .or_else(|| {
                alternatives
                    .iter()
                    .find(|alternative| alternative.is_empty())
            });
        let Some(chosen) = chosen else {
            let setters: Vec<String> = alternatives
                .iter()
                .map(|alternative| {
                    alternative
                        .iter()
                        .filter_map(|&i| self.schemes.get(usize::from(i)))
                        .map(|s| format!("`{}()`", s.setter))
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect();
            return Err(format!(
                "the operation needs credentials the client does not have: set {}",
                setters.join(" or ")
            ));
        };
        for &index in chosen.iter() {
            let index = usize::from(index);
            let Some(scheme) = self.schemes.get(index) else {
                continue;
            };
            match (scheme.kind, self.value(index)) {
                (SchemeKind::Bearer, Some(Credential::Secret(token))) => {
                    if let Some(value) = sensitive(&format!("Bearer {}", token.trim())) {
                        headers.insert(AUTHORIZATION, value);
                    }
                }
                (SchemeKind::Bearer, _) => {
                    if let Some(token) = &self.token {
                        headers.insert(AUTHORIZATION, token.clone());
                    }
                }
                (SchemeKind::Basic, Some(Credential::Basic { username, password })) => {
                    let encoded = base64(format!("{username}:{password}").as_bytes());
                    if let Some(value) = sensitive(&format!("Basic {encoded}")) {
                        headers.insert(AUTHORIZATION, value);
                    }
                }
                (SchemeKind::HeaderKey(name), Some(Credential::Secret(key))) => {
                    if let (Ok(name), Some(value)) =
                        (HeaderName::from_bytes(name.as_bytes()), sensitive(key))
                    {
                        headers.insert(name, value);
                    }
                }
                (SchemeKind::QueryKey(name), Some(Credential::Secret(key))) => {
                    applied.query.push((name, key.clone()));
                }
                (SchemeKind::CookieKey(name), Some(Credential::Secret(key))) => {
                    applied.cookies.push(format!("{name}={key}"));
                }
                _ => {}
            }
        }
        Ok(applied)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = self
            .schemes
            .iter()
            .zip(&self.values)
            .filter(|(_, value)| value.is_some())
            .map(|(scheme, _)| scheme.key)
            .collect();
        f.debug_struct("Credentials")
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("schemes_set", &set)
            .finish()
    }
}

/// A header value marked sensitive (never printed by `http`'s `Debug`), if it is valid.
fn sensitive(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Standard base64 with padding (RFC 4648), for basic authentication.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static SCHEMES: [SchemeInfo; 4] = [
        SchemeInfo {
            key: "bearerAuth",
            setter: "bearer_auth",
            kind: SchemeKind::Bearer,
        },
        SchemeInfo {
            key: "basicAuth",
            setter: "basic_auth",
            kind: SchemeKind::Basic,
        },
        SchemeInfo {
            key: "apiKey",
            setter: "api_key",
            kind: SchemeKind::QueryKey("api_key"),
        },
        SchemeInfo {
            key: "session",
            setter: "session",
            kind: SchemeKind::CookieKey("sid"),
        },
    ];

    fn credentials(values: Vec<Option<Credential>>) -> Credentials {
        Credentials {
            schemes: &SCHEMES,
            values,
            token: None,
        }
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("Aladdin:open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn the_first_satisfied_alternative_is_sent_and_anonymous_comes_last() {
        let set = credentials(vec![
            None,
            Some(Credential::Basic {
                username: "u".into(),
                password: "p".into(),
            }),
            Some(Credential::Secret("k3y".into())),
            None,
        ]);
        let mut headers = HeaderMap::new();
        let applied = set
            .apply(Some(&[&[], &[0], &[1, 2]]), &mut headers)
            .unwrap();
        assert_eq!(headers[AUTHORIZATION], "Basic dTpw");
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert_eq!(applied.query, [("api_key", "k3y".to_owned())]);
        let mut anonymous = HeaderMap::new();
        set.apply(Some(&[&[0], &[]]), &mut anonymous).unwrap();
        assert!(anonymous.is_empty());
        let error = set
            .apply(Some(&[&[0], &[3]]), &mut HeaderMap::new())
            .unwrap_err();
        assert!(error.contains("`bearer_auth()` or `session()`"), "{error}");
    }

    #[test]
    fn the_token_serves_every_bearer_scheme_and_cookies_are_collected() {
        let mut set = credentials(vec![
            None,
            None,
            None,
            Some(Credential::Secret("s1".into())),
        ]);
        set.token = sensitive("Bearer t0k");
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("replaced"));
        let applied = set.apply(Some(&[&[0, 3]]), &mut headers).unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer t0k");
        assert_eq!(headers.len(), 1);
        assert_eq!(applied.cookies, ["sid=s1"]);
        let mut legacy = HeaderMap::new();
        set.apply(None, &mut legacy).unwrap();
        assert_eq!(legacy[AUTHORIZATION], "Bearer t0k");
        let shown = format!("{set:?}");
        assert!(!shown.contains("t0k") && !shown.contains("s1\""), "{shown}");
    }
}
