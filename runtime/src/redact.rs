//! Keeping secrets out of output: redacted `Debug` pieces, URLs shown without credentials or
//! query strings, server-controlled text escaped, and the client's secrets scrubbed from anything
//! a server may echo back (error bodies, headers, decoder messages).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use reqwest::header::HeaderMap;

/// What replaces a secret in output.
pub(crate) const REDACTED: &str = "<redacted>";
/// How many bytes of a response body are shown by `Display` and `Debug`.
pub(crate) const DISPLAY_BODY_LIMIT: usize = 512;

/// Prints `"<redacted>"` in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{REDACTED}\"")
    }
}

/// Prints the keys of the configured settings but not their values, which may be secret.
pub(crate) struct SettingKeys<'a>(pub(crate) &'a [(&'static str, String)]);

impl fmt::Debug for SettingKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(key, _)| key))
            .finish()
    }
}

/// The client's secrets (token, keys, passwords), scrubbed from everything a server sends back
/// before it is shown: a server may echo the `Authorization` header in an error body or header.
///
/// Each secret is also scrubbed in the forms an echo usually takes: JSON-escaped and
/// percent-encoded.
#[derive(Clone, Default)]
pub(crate) struct Secrets(Option<Arc<[String]>>);

impl Secrets {
    /// The scrub list for these secrets (empty ones are ignored).
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut forms: Vec<String> = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let json = serde_json::to_string(&secret).unwrap_or_default();
            let json = json.trim_matches('"').to_owned();
            // JSON may also escape `/` as `\/`.
            let json_slash = json.replace('/', "\\/");
            let encoded = utf8_percent_encode(&secret, NON_ALPHANUMERIC).to_string();
            for form in [secret, json, json_slash, encoded] {
                if !form.is_empty() && !forms.contains(&form) {
                    forms.push(form);
                }
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        Self((!forms.is_empty()).then(|| forms.into()))
    }

    /// The longest form of any secret, in bytes.
    fn longest(&self) -> usize {
        self.0
            .as_deref()
            .and_then(|forms| forms.first())
            .map_or(0, String::len)
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some(forms) = self.0.as_deref() else {
            return Cow::Borrowed(text);
        };
        let mut out = Cow::Borrowed(text);
        for form in forms {
            if out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        out
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.as_deref().map_or(0, <[String]>::len);
        write!(f, "Secrets({count} forms)")
    }
}

/// A URL as it may be shown in an error: without user information (`user:password@`), query or
/// fragment (where people put API keys).
///
/// When the text may hold credentials, everything after the scheme is hidden: the end of the
/// user information cannot be found reliably (a password may contain `@`, `/`, `?` or `#`
/// unencoded), and hiding more than the credentials is better than hiding less.
pub(crate) fn redact_url(raw: &str) -> String {
    let start = raw.find("://").map_or(0, |i| i + 3);
    let credentials = match Url::parse(raw) {
        Ok(url) if url.has_host() => !url.username().is_empty() || url.password().is_some(),
        _ => raw[start..].contains('@'),
    };
    let mut out = raw[..start].to_owned();
    if credentials {
        out.push_str(REDACTED);
        return out;
    }
    let rest = &raw[start..];
    match rest.find(['?', '#']) {
        Some(index) => {
            out.push_str(&rest[..=index]);
            out.push_str(REDACTED);
        }
        None => out.push_str(rest),
    }
    out
}

/// Prints server-controlled text with control characters escaped, so that it cannot forge log
/// lines or terminal escape sequences.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// At most [`DISPLAY_BODY_LIMIT`] bytes of `body` as lossy UTF-8, with the secrets scrubbed,
/// and whether the body was truncated.
///
/// Secrets are scrubbed before truncating, over a window long enough to hold any secret that
/// starts within the limit, so a secret cut by the limit never shows in part.
pub(crate) fn body_prefix(body: &[u8], secrets: &Secrets) -> (String, bool) {
    let window = DISPLAY_BODY_LIMIT + 3 * secrets.longest() + 4;
    let text = String::from_utf8_lossy(&body[..body.len().min(window)]);
    let scrubbed = secrets.scrub(&text);
    if body.len() <= DISPLAY_BODY_LIMIT && scrubbed.len() <= DISPLAY_BODY_LIMIT {
        return (scrubbed.into_owned(), false);
    }
    let mut end = DISPLAY_BODY_LIMIT.min(scrubbed.len());
    while !scrubbed.is_char_boundary(end) {
        end -= 1;
    }
    let truncated = end < scrubbed.len() || body.len() > window;
    (scrubbed[..end].to_owned(), truncated)
}

/// Appends a bounded, escaped and scrubbed view of a response body to an error message.
pub(crate) fn write_body(
    f: &mut fmt::Formatter<'_>,
    body: &[u8],
    secrets: &Secrets,
) -> fmt::Result {
    let (text, truncated) = body_prefix(body, secrets);
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    write!(f, ": {}", Escaped(text))?;
    if truncated {
        write!(f, "... ({} bytes in total)", body.len())?;
    }
    Ok(())
}

/// Prints a bounded, scrubbed view of a response body for `Debug`.
pub(crate) struct BodyPreview<'a>(pub(crate) &'a [u8], pub(crate) &'a Secrets);

impl fmt::Debug for BodyPreview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (text, truncated) = body_prefix(self.0, self.1);
        write!(f, "{text:?}")?;
        if truncated {
            write!(f, " (truncated, {} bytes in total)", self.0.len())?;
        }
        Ok(())
    }
}

/// Header names whose values are credentials whoever sends them.
pub(crate) fn is_secret_header(name: &str) -> bool {
    matches!(
        name,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    )
}

/// Prints headers for `Debug`, hiding credentials and cookies and scrubbing the client's
/// secrets from every other value.
pub(crate) struct HeadersDebug<'a>(pub(crate) &'a HeaderMap, pub(crate) &'a Secrets);

impl fmt::Debug for HeadersDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_secret_header(name.as_str()) {
                map.entry(&name.as_str(), &Redacted);
            } else {
                let text = String::from_utf8_lossy(value.as_bytes());
                map.entry(&name.as_str(), &self.1.scrub(&text));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_never_show_credentials_or_query_strings() {
        // A password may contain `@`, `/`, `?` and `#` unencoded: everything after the scheme
        // is hidden when the text may hold credentials.
        for raw in [
            "https://user:p@ss/w0rd@api.example.test/v1",
            "https://user:pw@exa mple.test/a@b",
            "https://user:pw/with/slashes@exa mple.test/a",
            "https://user:pw?#x@host:99999/a",
            "https://user:p@ss@host.test/a@b",
            "https://u:hunter2@host.test",
        ] {
            let shown = redact_url(raw);
            assert_eq!(shown, "https://<redacted>", "{raw}");
        }
        assert_eq!(redact_url("user@host"), "<redacted>");
        assert_eq!(redact_url("u:hunter2@host.test"), "<redacted>");
        // Query strings and fragments often hold keys.
        assert_eq!(
            redact_url("https://api.example.test/v1?api_key=abc123"),
            "https://api.example.test/v1?<redacted>"
        );
        assert_eq!(
            redact_url("https://api.example.test/#tok=abc"),
            "https://api.example.test/#<redacted>"
        );
        // Nothing secret: shown as given, `@` in a path included.
        assert_eq!(redact_url("https://host.test/a"), "https://host.test/a");
        assert_eq!(redact_url("https://host/path@x"), "https://host/path@x");
        assert_eq!(redact_url("file:///etc/hosts"), "file:///etc/hosts");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn secrets_are_scrubbed_in_every_form_an_echo_takes() {
        let secrets = Secrets::new(["s3cr/et\"x".to_owned(), String::new()]);
        let echoed = r#"{"auth":"Bearer s3cr\/et\"x","q":"s3cr%2Fet%22x","raw":"s3cr/et"x"}"#;
        let scrubbed = secrets.scrub(echoed);
        assert!(!scrubbed.contains("s3cr"), "{scrubbed}");
        assert_eq!(scrubbed.matches(REDACTED).count(), 3, "{scrubbed}");
        assert!(matches!(Secrets::default().scrub("x"), Cow::Borrowed("x")));
        assert_eq!(format!("{secrets:?}"), "Secrets(4 forms)");
    }

    #[test]
    fn a_secret_cut_by_the_display_limit_never_shows_in_part() {
        let secret = "TOKEN-abcdefghijklmnopqrstuvwxyz";
        let secrets = Secrets::new([secret.to_owned()]);
        for offset in DISPLAY_BODY_LIMIT - secret.len()..DISPLAY_BODY_LIMIT + 2 {
            let body = format!("{}{secret}{}", "x".repeat(offset), "y".repeat(100));
            let (text, truncated) = body_prefix(body.as_bytes(), &secrets);
            assert!(truncated);
            assert!(!text.contains("TOKEN-a"), "offset {offset}: {text}");
            assert!(text.len() <= DISPLAY_BODY_LIMIT);
        }
        let (text, truncated) = body_prefix(format!("a {secret} b").as_bytes(), &secrets);
        assert_eq!((text.as_str(), truncated), ("a <redacted> b", false));
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        let accents = "é".repeat(400);
        let (text, truncated) = body_prefix(accents.as_bytes(), &Secrets::default());
        assert!(truncated);
        assert!(!text.contains('\u{fffd}'));
        assert!(text.len() <= DISPLAY_BODY_LIMIT);
    }
}
