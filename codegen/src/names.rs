//! Naming: every Rust identifier in the output is decided here, once, while lowering.
//!
//! Spec names become `PascalCase` types, `snake_case` fields and methods and `PascalCase`
//! enum variants. Rust keywords get a trailing underscore (`type` → `type_`), names that would
//! shadow prelude items get a suffix, and collisions are resolved by [`Namespace`] from a list
//! of descriptive candidates, never by numbering.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Every strict and reserved keyword of Rust 2024.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names the generated modules use unqualified (the prelude), which a spec type must not
/// shadow.
const RESERVED_TYPES: &[&str] = &[
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "Into",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "Vec",
];

/// A spec name as a Rust type name: `usersResponse` → `UsersResponse`, `ID` → `Id`.
pub fn type_name(raw: &str) -> String {
    thread_local!(static SEEN: Cache = RefCell::default());
    SEEN.with(|seen| remembered(seen, raw, derive_type_name))
}

fn derive_type_name(raw: &str) -> String {
    let mut name = clean(raw).to_upper_camel_case();
    if name.is_empty() {
        name.push_str("Unnamed");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Value");
    }
    escape_keyword(name)
}

/// A spec name as a Rust field, method or argument name: `isSSOBased` → `is_sso_based`,
/// `type` → `type_`, `2fa` → `v_2fa`.
pub fn snake_name(raw: &str) -> String {
    thread_local!(static SEEN: Cache = RefCell::default());
    SEEN.with(|seen| remembered(seen, raw, derive_snake_name))
}

fn derive_snake_name(raw: &str) -> String {
    let mut name = clean(raw).to_snake_case();
    if name.is_empty() {
        name.push_str("value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "v_");
    }
    escape_keyword(name)
}

/// Names already derived on this thread, by spec name. The same property names (`id`, `name`,
/// `createdAt`) come back in schema after schema, and case conversion is the costliest step of
/// naming; a derived name depends on nothing but its spec name.
type Cache = RefCell<HashMap<Box<str>, Box<str>>>;

/// Entries a cache holds before it starts over, so a long-lived thread that generates document
/// after document keeps a bounded cache.
const CACHE_LIMIT: usize = 1 << 16;

fn remembered(cache: &Cache, raw: &str, derive: fn(&str) -> String) -> String {
    if let Some(name) = cache.borrow().get(raw) {
        return name.to_string();
    }
    let name = derive(raw);
    let mut cache = cache.borrow_mut();
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(raw.into(), name.as_str().into());
    name
}

/// Operators and punctuation as variant names, longest first.
const SYMBOLS: &[(&str, &str)] = &[
    ("!==", "NotEqEq"),
    ("===", "EqEqEq"),
    ("!=", "Ne"),
    ("<>", "NotEqual"),
    ("<=", "Le"),
    (">=", "Ge"),
    ("==", "EqEq"),
    ("=~", "Matches"),
    ("!~", "NotMatches"),
    ("&&", "And"),
    ("||", "Or"),
    ("->", "Arrow"),
    ("=", "Eq"),
    ("<", "Lt"),
    (">", "Gt"),
    ("!", "Not"),
    ("+", "Plus"),
    ("-", "Minus"),
    ("*", "Star"),
    ("/", "Slash"),
    ("\\", "Backslash"),
    ("%", "Percent"),
    ("^", "Caret"),
    ("~", "Tilde"),
    ("&", "Amp"),
    ("|", "Pipe"),
    ("?", "Question"),
    ("#", "Hash"),
    ("@", "At"),
    ("$", "Dollar"),
    (".", "Dot"),
    (",", "Comma"),
    (":", "Colon"),
    (";", "Semicolon"),
    ("_", "Underscore"),
    (" ", "Space"),
    ("(", "OpenParen"),
    (")", "CloseParen"),
    ("[", "OpenBracket"),
    ("]", "CloseBracket"),
    ("{", "OpenBrace"),
    ("}", "CloseBrace"),
    ("'", "Quote"),
    ("\"", "DoubleQuote"),
    ("`", "Backtick"),
];

/// An enum value as a variant name: `at_least` → `AtLeast`, `2021` → `V2021`, `4.1` → `V4_1`,
/// `-1` → `Minus1`, `""` → `Empty`, `!=` → `Ne`, `/` → `Slash`. Every value gets a name;
/// collisions are for [`Namespace`] to resolve.
pub fn variant_name(raw: &str) -> String {
    if raw.is_empty() {
        return "Empty".to_owned();
    }
    if !raw.chars().any(|c| c.is_ascii_alphanumeric()) {
        return symbol_name(raw);
    }
    let mut name = String::new();
    // A sign before a number is part of its name.
    let rest = match raw.as_bytes() {
        [b'-', next, ..] if next.is_ascii_digit() => {
            name.push_str("Minus");
            &raw[1..]
        }
        [b'+', next, ..] if next.is_ascii_digit() => {
            name.push_str("Plus");
            &raw[1..]
        }
        _ => raw,
    };
    let words: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for word in words {
        let word = word.to_upper_camel_case();
        // Numbers side by side keep a separator: `4.1` is `4_1`, not `41`.
        if name.ends_with(|c: char| c.is_ascii_digit())
            && word.starts_with(|c: char| c.is_ascii_digit())
        {
            name.push('_');
        }
        name.push_str(&word);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    escape_keyword(name)
}

/// A name that keeps every character of `raw`: words camel-cased, punctuation spelled out.
fn spelled_name(raw: &str) -> String {
    let mut name = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, name: &mut String| {
        if !word.is_empty() {
            let cased = word.to_upper_camel_case();
            if name.ends_with(|c: char| c.is_ascii_digit())
                && cased.starts_with(|c: char| c.is_ascii_digit())
            {
                name.push('_');
            }
            name.push_str(&cased);
            word.clear();
        }
    };
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut name);
            name.push_str(&symbol_name(&c.to_string()));
        }
    }
    flush(&mut word, &mut name);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    escape_keyword(name)
}

/// A name for text made only of punctuation (and other non-alphanumeric characters).
fn symbol_name(raw: &str) -> String {
    let mut name = String::new();
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match SYMBOLS.iter().find(|(symbol, _)| rest.starts_with(symbol)) {
            Some((symbol, word)) => {
                name.push_str(word);
                rest = &rest[symbol.len()..];
            }
            None => {
                name.push_str(&format!("U{:X}", u32::from(c)));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    name
}

/// Candidate type names for a schema named `raw` (whose plain name is `base`), most natural
/// first: names that differ only in case or separators (`foo_bar`, `FooBar`) get the next one.
pub fn type_candidates(base: &str, raw: &str) -> Vec<String> {
    let mut candidates = vec![base.to_owned()];
    // Keep a visible trace of what told the spellings apart.
    if raw.contains(['.', '-', '_', ' ']) {
        let separated = raw
            .split(['.', '-', '_', ' '])
            .filter(|w| !w.is_empty())
            .map(|w| w.to_upper_camel_case())
            .collect::<Vec<_>>()
            .join("_");
        if separated != base && is_identifier(&separated) {
            candidates.push(separated);
        }
    }
    for suffix in ["Schema", "Model", "Type", "Object", "Data"] {
        candidates.push(format!("{base}{suffix}"));
    }
    candidates
}

/// Whether `name` can be used as a Rust identifier as written (for `x-rust-name` overrides).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !KEYWORDS.contains(&name)
}

/// Replaces everything that cannot appear in an identifier with a word break.
fn clean(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

fn escape_keyword(mut name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A set of names in one Rust scope (a module's types, a struct's fields, a builder's methods).
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    used: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            used: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Claims the first free name among `candidates` (most natural first). `None` when every
    /// candidate is taken: the caller reports that the spec needs an `x-rust-name`.
    pub fn claim<I, S>(&mut self, candidates: I) -> Option<String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for candidate in candidates {
            let candidate = candidate.into();
            if !self.used.contains(&candidate) {
                self.used.insert(candidate.clone());
                return Some(candidate);
            }
        }
        None
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

/// Candidate `Server` variant names for a server: the lead phrase of its description (up to
/// the first `:`, `.`, `,`, `;`, `(` or ` - `) when that is at most five words, without a
/// trailing word "server"; then its URL's host, then host and path. `Production server (live
/// data)` → `Production`, `https://api.eu.example.com/v2` → `ApiEuExampleCom`.
pub fn server_candidates(description: Option<&str>, url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(description) = description {
        let lead = description
            .split([':', '.', ',', ';', '(', '\n'])
            .next()
            .unwrap_or_default();
        let lead = lead.split(" - ").next().unwrap_or_default();
        let mut words: Vec<&str> = lead.split_whitespace().collect();
        if words.len() > 1
            && ["a", "an", "the"]
                .iter()
                .any(|a| words[0].eq_ignore_ascii_case(a))
        {
            words.remove(0);
        }
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| w.eq_ignore_ascii_case("server"))
        {
            words.pop();
        }
        if (1..=5).contains(&words.len()) {
            let name = type_name(&words.join(" "));
            if name != "Unnamed" {
                out.push(name);
            }
        }
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let host = rest.split('/').next().unwrap_or_default();
    let words = |text: &str| text.replace(|c: char| !c.is_ascii_alphanumeric(), " ");
    out.push(type_name(&words(host)));
    out.push(type_name(&words(rest)));
    out
}

/// Candidate field names for a property: the snake name, then one that keeps the wire name's
/// capitalisation visible (`ID` next to `id` becomes `id_upper`).
pub fn field_candidates(wire: &str) -> Vec<String> {
    let base = snake_name(wire);
    let mut candidates = vec![base.clone()];
    let letters: Vec<char> = wire.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if !letters.is_empty() && letters.iter().all(|c| c.is_ascii_uppercase()) {
        candidates.push(format!("{base}_upper"));
    } else if wire.starts_with(|c: char| c.is_ascii_uppercase()) {
        candidates.push(format!("{base}_pascal"));
    }
    if wire.contains(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        candidates.push(format!("{base}_raw"));
    }
    candidates
}

/// Candidate variant names for an enum value: the derived name, then one that spells its
/// punctuation (`+name` beside `name` is `PlusName`, `Etc/GMT-0` is `EtcSlashGmtMinus0`), then
/// `…Value`, then one that keeps the value's capitalisation visible (`unknown` beside `Unknown`
/// becomes `UnknownLower`).
pub fn variant_candidates(base: &str, wire: &str) -> Vec<String> {
    let mut candidates = vec![base.to_owned()];
    let spelled = spelled_name(wire);
    if spelled != base && is_identifier(&spelled) {
        candidates.push(spelled);
    }
    candidates.push(format!("{base}Value"));
    let letters: Vec<char> = wire.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if !letters.is_empty() && letters.iter().all(|c| c.is_ascii_lowercase()) {
        candidates.push(format!("{base}Lower"));
    } else if !letters.is_empty() && letters.iter().all(|c| c.is_ascii_uppercase()) {
        candidates.push(format!("{base}Upper"));
    }
    candidates
}

/// A status code as a name, from its reason phrase where it has a common one: used for
/// variants of multi-status responses and for inline types of error bodies.
pub fn status_name(code: u16) -> String {
    let name = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritative",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        422 => "UnprocessableEntity",
        423 => "Locked",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        other => return format!("Status{other}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_named_by_their_description_then_their_url() {
        let url = "https://app.us.gtmhub.com/api/v1";
        assert_eq!(
            server_candidates(Some("Gtmhub US: accounts at x.us.gtmhub.com."), url),
            ["GtmhubUs", "AppUsGtmhubCom", "AppUsGtmhubComApiV1"]
        );
        assert_eq!(
            server_candidates(Some("Production server (live data)"), url)[0],
            "Production"
        );
        assert_eq!(
            server_candidates(Some("Sandbox - no real money"), url)[0],
            "Sandbox"
        );
        assert_eq!(
            server_candidates(Some("The staging server"), url)[0],
            "Staging"
        );
        // A description that is a sentence rather than a name gives way to the URL.
        assert_eq!(
            server_candidates(
                Some("The server used by every customer in the EU region"),
                url
            )[0],
            "AppUsGtmhubCom"
        );
        assert_eq!(
            server_candidates(None, "https://www.example.com/v2/")[0],
            "ExampleCom"
        );
        assert_eq!(
            server_candidates(Some("server"), "http://localhost:8080")[0],
            "Server"
        );
    }

    #[test]
    fn types_are_pascal_case() {
        assert_eq!(type_name("usersResponse"), "UsersResponse");
        assert_eq!(
            type_name("assignedBadgesResponseV2"),
            "AssignedBadgesResponseV2"
        );
        assert_eq!(type_name("ID"), "Id");
        assert_eq!(type_name("tag-simple"), "TagSimple");
        assert_eq!(type_name("owner_permissions"), "OwnerPermissions");
    }

    #[test]
    fn types_never_shadow_the_prelude_or_keywords() {
        assert_eq!(type_name("string"), "StringValue");
        assert_eq!(type_name("Option"), "OptionValue");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(type_name("2fa"), "V2fa");
        assert_eq!(type_name("$$"), "Unnamed");
    }

    #[test]
    fn fields_are_snake_case_and_keyword_safe() {
        assert_eq!(snake_name("isSSOBased"), "is_sso_based");
        assert_eq!(snake_name("ExternalTeamMapping"), "external_team_mapping");
        assert_eq!(snake_name("owner_permissions"), "owner_permissions");
        assert_eq!(snake_name("gtmhub-accountId"), "gtmhub_account_id");
        assert_eq!(snake_name("type"), "type_");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(snake_name("async"), "async_");
        assert_eq!(snake_name("gen"), "gen_");
        assert_eq!(snake_name("2fa"), "v_2fa");
        assert_eq!(snake_name(""), "value");
    }

    #[test]
    fn overrides_must_be_identifiers() {
        assert!(is_identifier("Gadget"));
        assert!(is_identifier("all_widgets"));
        assert!(!is_identifier("7up"));
        assert!(!is_identifier("not valid"));
        assert!(!is_identifier("type"));
        assert!(!is_identifier("_"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn variants_come_from_values() {
        assert_eq!(variant_name("at_least"), "AtLeast");
        assert_eq!(variant_name("absolute_value"), "AbsoluteValue");
        assert_eq!(variant_name("2021"), "V2021");
        assert_eq!(variant_name("Self"), "Self_");
    }

    #[test]
    fn values_without_letters_get_descriptive_names() {
        for (value, name) in [
            ("", "Empty"),
            ("=", "Eq"),
            ("!=", "Ne"),
            ("<", "Lt"),
            ("<=", "Le"),
            (">", "Gt"),
            (">=", "Ge"),
            ("/", "Slash"),
            ("*", "Star"),
            ("+-", "PlusMinus"),
            (" ", "Space"),
            ("==", "EqEq"),
            ("é", "UE9"),
        ] {
            assert_eq!(variant_name(value), name, "value {value:?}");
        }
    }

    #[test]
    fn numbers_keep_their_separators_and_signs() {
        for (value, name) in [
            ("4.1", "V4_1"),
            ("1.0.0", "V1_0_0"),
            ("v1.2", "V1_2"),
            ("-1", "Minus1"),
            ("+1", "Plus1"),
            ("2021-01", "V2021_01"),
            ("TLS1.2", "Tls1_2"),
        ] {
            assert_eq!(variant_name(value), name, "value {value:?}");
        }
    }

    #[test]
    fn values_that_differ_only_in_punctuation_get_distinct_variants() {
        let mut variants = Namespace::with_reserved(&["Unknown"]);
        let mut claim = |wire: &str| {
            variants
                .claim(variant_candidates(&variant_name(wire), wire))
                .unwrap()
        };
        assert_eq!(claim("contextsCount"), "ContextsCount");
        assert_eq!(claim("+contextsCount"), "PlusContextsCount");
        assert_eq!(claim("-contextsCount"), "MinusContextsCount");
        assert_eq!(claim("Etc/GMT0"), "EtcGmt0");
        assert_eq!(claim("Etc/GMT+0"), "EtcSlashGmtPlus0");
        assert_eq!(claim("Etc/GMT-0"), "EtcSlashGmtMinus0");
    }

    #[test]
    fn type_names_that_differ_only_in_spelling_get_descriptive_candidates() {
        assert_eq!(
            type_candidates("FooBar", "foo_bar")[..2],
            ["FooBar", "Foo_Bar"]
        );
        assert_eq!(
            type_candidates("FooBar", "FooBar")[..2],
            ["FooBar", "FooBarSchema"]
        );
    }

    #[test]
    fn collisions_take_the_next_descriptive_candidate() {
        let mut fields = Namespace::default();
        assert_eq!(fields.claim(field_candidates("id")).as_deref(), Some("id"));
        assert_eq!(
            fields.claim(field_candidates("ID")).as_deref(),
            Some("id_upper")
        );
        assert_eq!(
            fields.claim(field_candidates("Id")).as_deref(),
            Some("id_pascal")
        );
        assert_eq!(
            fields.claim(field_candidates("i-d")).as_deref(),
            Some("i_d")
        );
        assert_eq!(fields.claim(field_candidates("i_d")), None);
    }

    #[test]
    fn enum_values_differing_in_case_get_distinct_variants() {
        let mut variants = Namespace::with_reserved(&["Unknown"]);
        let claim = |ns: &mut Namespace, wire: &str| {
            ns.claim(variant_candidates(&variant_name(wire), wire))
        };
        assert_eq!(
            claim(&mut variants, "Unknown").as_deref(),
            Some("UnknownValue")
        );
        assert_eq!(
            claim(&mut variants, "unknown").as_deref(),
            Some("UnknownLower")
        );
        assert_eq!(
            claim(&mut variants, "UNKNOWN").as_deref(),
            Some("UnknownUpper")
        );
        assert_eq!(
            claim(&mut variants, "Unknown"),
            None,
            "a true duplicate is reported"
        );
    }

    #[test]
    fn reserved_names_are_never_handed_out() {
        let mut methods = Namespace::with_reserved(&["send"]);
        assert_eq!(
            methods.claim(["send", "send_param"]).as_deref(),
            Some("send_param")
        );
        assert!(methods.contains("send_param"));
    }

    #[test]
    fn statuses_are_named_by_reason_phrase() {
        assert_eq!(status_name(200), "Ok");
        assert_eq!(status_name(204), "NoContent");
        assert_eq!(status_name(423), "Locked");
        assert_eq!(status_name(299), "Status299");
    }
}
