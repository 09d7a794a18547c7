//! Parameter and form serialization as OpenAPI specifies it (RFC 6570 styles): path `simple`,
//! `label` and `matrix`; query `form`, `spaceDelimited`, `pipeDelimited` and `deepObject`;
//! headers; cookies; and `application/x-www-form-urlencoded` bodies with nested objects in the
//! bracket style (`a[b]=c`). Values arrive as JSON (from `serde`); what comes out is percent-encoded
//! where it goes into a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// Everything but the RFC 3986 unreserved characters is encoded in a query value.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// With `allowReserved`, the reserved characters that cannot break the query stay as they are.
const QUERY_RESERVED: &AsciiSet = &QUERY
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b';')
    .remove(b'[')
    .remove(b']');

/// How a value is serialized; the names are OpenAPI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a,b` (path, header).
    Simple,
    /// `.a.b` (path).
    Label,
    /// `;name=a` (path).
    Matrix,
    /// `name=a&name=b` (query, cookie, form bodies).
    Form,
    /// `name=a%20b` (query arrays).
    SpaceDelimited,
    /// `name=a|b` (query arrays).
    PipeDelimited,
    /// `name[key]=value` (query objects, form bodies).
    DeepObject,
    /// The value's JSON text (a parameter described by `content`).
    Json,
}

/// A value as the styles see it: one scalar, a list of scalars, or key–scalar pairs; deeper
/// values are their JSON text.
enum Flat {
    Scalar(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn flatten(value: &Value, style: Style) -> Flat {
    if style == Style::Json {
        return Flat::Scalar(value.to_string());
    }
    match value {
        Value::Array(items) => Flat::List(items.iter().map(scalar).collect()),
        Value::Object(map) => {
            Flat::Object(map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect())
        }
        other => Flat::Scalar(scalar(other)),
    }
}

fn encode(text: &str, set: &'static AsciiSet) -> String {
    utf8_percent_encode(text, set).to_string()
}

/// A path parameter's text (already percent-encoded), with the style's prefix; each value is
/// checked by `check` to stay within one segment.
pub(crate) fn path(
    name: &str,
    value: &Value,
    style: Style,
    explode: bool,
    segment: &dyn Fn(&str) -> Result<String, &'static str>,
) -> Result<String, &'static str> {
    let (prefix, separator) = match style {
        Style::Label => (".", if explode { "." } else { "," }),
        Style::Matrix => (";", if explode { ";" } else { "," }),
        _ => ("", ","),
    };
    let named = |text: String| match style {
        Style::Matrix => format!("{name}={text}"),
        _ => text,
    };
    Ok(match flatten(value, style) {
        Flat::Scalar(text) => format!("{prefix}{}", named(segment(&text)?)),
        Flat::List(items) => {
            let items: Vec<String> = items.iter().map(|i| segment(i)).collect::<Result<_, _>>()?;
            if style == Style::Matrix && explode {
                let pairs: Vec<String> = items.into_iter().map(|i| format!("{name}={i}")).collect();
                format!("{prefix}{}", pairs.join(separator))
            } else {
                format!("{prefix}{}", named(items.join(separator)))
            }
        }
        Flat::Object(pairs) => {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| Ok((segment(k)?, segment(v)?)))
                .collect::<Result<_, &'static str>>()?;
            if explode {
                let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{prefix}{}", joined.join(separator))
            } else {
                let joined: Vec<String> = pairs
                    .iter()
                    .flat_map(|(k, v)| [k.clone(), v.clone()])
                    .collect();
                format!("{prefix}{}", named(joined.join(",")))
            }
        }
    })
}

/// The query pairs of a parameter, each `name=value` percent-encoded.
pub(crate) fn query(
    name: &str,
    value: &Value,
    style: Style,
    explode: bool,
    allow_reserved: bool,
) -> Vec<String> {
    let set = if allow_reserved {
        QUERY_RESERVED
    } else {
        QUERY
    };
    let key = encode(name, QUERY);
    let pair = |k: &str, v: &str| format!("{k}={}", encode(v, set));
    if style == Style::DeepObject {
        let mut pairs = Vec::new();
        deep(name, value, &mut |k, v| {
            pairs.push(format!("{}={}", encode_key(k), encode(&v, set)))
        });
        return pairs;
    }
    match flatten(value, style) {
        Flat::Scalar(text) => vec![pair(&key, &text)],
        Flat::List(items) => match (style, explode) {
            (Style::Form, true) => items.iter().map(|i| pair(&key, i)).collect(),
            (Style::SpaceDelimited, _) => vec![pair(&key, &items.join(" "))],
            (Style::PipeDelimited, _) => vec![pair(&key, &items.join("|"))],
            _ => {
                let encoded: Vec<String> = items.iter().map(|i| encode(i, set)).collect();
                vec![format!("{key}={}", encoded.join(","))]
            }
        },
        Flat::Object(pairs) => {
            if explode {
                pairs
                    .iter()
                    .map(|(k, v)| pair(&encode(k, QUERY), v))
                    .collect()
            } else {
                let encoded: Vec<String> = pairs
                    .iter()
                    .flat_map(|(k, v)| [encode(k, set), encode(v, set)])
                    .collect();
                vec![format!("{key}={}", encoded.join(","))]
            }
        }
    }
}

/// A `name[a][b]` key with its brackets kept and its names encoded.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (index, part) in key.split('[').enumerate() {
        if index > 0 {
            out.push('[');
            let inner = part.strip_suffix(']').unwrap_or(part);
            out.push_str(&encode(inner, QUERY));
            out.push(']');
        } else {
            out.push_str(&encode(part, QUERY));
        }
    }
    out
}

/// Visits the leaves of `value` under `name` in the bracket style: `name[key][0]`.
fn deep(name: &str, value: &Value, emit: &mut dyn FnMut(&str, String)) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                deep(&format!("{name}[{key}]"), inner, emit);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                deep(&format!("{name}[{index}]"), inner, emit);
            }
        }
        other => emit(name, scalar(other)),
    }
}

/// A header parameter's value in the `simple` style (not percent-encoded; the transport
/// refuses control characters).
pub(crate) fn header(value: &Value, style: Style, explode: bool) -> String {
    match flatten(value, style) {
        Flat::Scalar(text) => text,
        Flat::List(items) => items.join(","),
        Flat::Object(pairs) if explode => {
            let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            joined.join(",")
        }
        Flat::Object(pairs) => {
            let joined: Vec<String> = pairs.into_iter().flat_map(|(k, v)| [k, v]).collect();
            joined.join(",")
        }
    }
}

/// A cookie parameter as `name=value` pairs (`form` style; values percent-encoded).
pub(crate) fn cookie(name: &str, value: &Value, explode: bool) -> Vec<String> {
    match flatten(value, Style::Form) {
        Flat::Scalar(text) => vec![format!("{name}={}", encode(&text, QUERY))],
        Flat::List(items) if explode => items
            .iter()
            .map(|i| format!("{name}={}", encode(i, QUERY)))
            .collect(),
        Flat::List(items) => {
            let encoded: Vec<String> = items.iter().map(|i| encode(i, QUERY)).collect();
            vec![format!("{name}={}", encoded.join(","))]
        }
        Flat::Object(pairs) if explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k, QUERY), encode(v, QUERY)))
            .collect(),
        Flat::Object(pairs) => {
            let encoded: Vec<String> = pairs
                .iter()
                .flat_map(|(k, v)| [encode(k, QUERY), encode(v, QUERY)])
                .collect();
            vec![format!("{name}={}", encoded.join(","))]
        }
    }
}

/// An `application/x-www-form-urlencoded` body: each top-level property in its style (by
/// default `form`, exploded); objects under `deepObject` nest in brackets (`a[b][0]=c`), as
/// payment APIs expect.
pub(crate) fn form(value: &Value, encodings: &[(&str, Style, bool)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let Value::Object(map) = value else {
        if !value.is_null() {
            out.append_pair("value", &scalar(value));
        }
        return out.finish();
    };
    for (name, inner) in map {
        if inner.is_null() {
            continue;
        }
        let (style, explode) = encodings
            .iter()
            .find(|(property, ..)| property == name)
            .map_or((Style::Form, true), |(_, style, explode)| {
                (*style, *explode)
            });
        if style == Style::DeepObject {
            deep(name, inner, &mut |k, v| {
                out.append_pair(k, &v);
            });
            continue;
        }
        match (flatten(inner, style), explode) {
            (Flat::Scalar(text), _) => {
                out.append_pair(name, &text);
            }
            (Flat::List(items), true) if style == Style::Form => {
                for item in items {
                    out.append_pair(name, &item);
                }
            }
            (Flat::List(items), _) => {
                let separator = match style {
                    Style::SpaceDelimited => " ",
                    Style::PipeDelimited => "|",
                    _ => ",",
                };
                out.append_pair(name, &items.join(separator));
            }
            (Flat::Object(pairs), true) => {
                for (key, value) in pairs {
                    out.append_pair(&key, &value);
                }
            }
            (Flat::Object(pairs), false) => {
                let joined: Vec<String> = pairs.into_iter().flat_map(|(k, v)| [k, v]).collect();
                out.append_pair(name, &joined.join(","));
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn segment(text: &str) -> Result<String, &'static str> {
        Ok(utf8_percent_encode(text, crate::request::PATH_SEGMENT).to_string())
    }

    // Object properties come in name order (serde_json's map), so the examples use sorted keys.
    #[test]
    fn path_styles_follow_rfc_6570() {
        let list = json!(["blue", "black", "brown"]);
        let object = json!({"B": 150, "G": 200, "R": 100});
        let cases = [
            (json!(5), Style::Simple, false, "5"),
            (list.clone(), Style::Simple, false, "blue,black,brown"),
            (object.clone(), Style::Simple, false, "B,150,G,200,R,100"),
            (object.clone(), Style::Simple, true, "B=150,G=200,R=100"),
            (json!(5), Style::Label, false, ".5"),
            (list.clone(), Style::Label, false, ".blue,black,brown"),
            (list.clone(), Style::Label, true, ".blue.black.brown"),
            (object.clone(), Style::Label, true, ".B=150.G=200.R=100"),
            (json!(5), Style::Matrix, false, ";color=5"),
            (
                list.clone(),
                Style::Matrix,
                false,
                ";color=blue,black,brown",
            ),
            (
                list.clone(),
                Style::Matrix,
                true,
                ";color=blue;color=black;color=brown",
            ),
            (
                object.clone(),
                Style::Matrix,
                false,
                ";color=B,150,G,200,R,100",
            ),
            (object, Style::Matrix, true, ";B=150;G=200;R=100"),
            (json!("a b/c"), Style::Simple, false, "a%20b%2Fc"),
        ];
        for (value, style, explode, expected) in cases {
            assert_eq!(
                path("color", &value, style, explode, &segment).unwrap(),
                expected,
                "{value} {style:?} {explode}"
            );
        }
    }

    #[test]
    fn query_styles_follow_rfc_6570() {
        let list = json!(["blue", "black", "brown"]);
        let object = json!({"G": 200, "R": 100});
        let cases = [
            (json!("a b&c"), Style::Form, true, "color=a%20b%26c"),
            (
                list.clone(),
                Style::Form,
                true,
                "color=blue&color=black&color=brown",
            ),
            (list.clone(), Style::Form, false, "color=blue,black,brown"),
            (
                list.clone(),
                Style::SpaceDelimited,
                false,
                "color=blue%20black%20brown",
            ),
            (
                list.clone(),
                Style::PipeDelimited,
                false,
                "color=blue%7Cblack%7Cbrown",
            ),
            (object.clone(), Style::Form, true, "G=200&R=100"),
            (object.clone(), Style::Form, false, "color=G,200,R,100"),
            (object, Style::DeepObject, true, "color[G]=200&color[R]=100"),
            (
                json!({"a": {"b": [1, 2]}}),
                Style::DeepObject,
                true,
                "color[a][b][0]=1&color[a][b][1]=2",
            ),
            (
                json!({"q": 1}),
                Style::Json,
                false,
                "color=%7B%22q%22%3A1%7D",
            ),
        ];
        for (value, style, explode, expected) in cases {
            assert_eq!(
                query("color", &value, style, explode, false).join("&"),
                expected,
                "{value} {style:?} {explode}"
            );
        }
        assert_eq!(
            query("u", &json!("a/b:c"), Style::Form, true, true),
            ["u=a/b:c"]
        );
        assert_eq!(
            query("u", &json!("a/b:c"), Style::Form, true, false),
            ["u=a%2Fb%3Ac"]
        );
    }

    #[test]
    fn headers_and_cookies() {
        assert_eq!(header(&json!([1, 2]), Style::Simple, false), "1,2");
        assert_eq!(
            header(&json!({"a": 1, "b": "x"}), Style::Simple, true),
            "a=1,b=x"
        );
        assert_eq!(cookie("id", &json!("a b"), true), ["id=a%20b"]);
        assert_eq!(cookie("ids", &json!([3, 4]), false), ["ids=3,4"]);
    }

    #[test]
    fn form_bodies_nest_objects_in_brackets() {
        let body = json!({
            "amount": 2000,
            "currency": "usd",
            "metadata": {"order_id": "6735", "note": "a b"},
            "expand": ["customer", "invoice"],
            "items": [{"price": "p_1", "quantity": 2}],
            "skipped": null
        });
        let encoded = form(
            &body,
            &[
                ("metadata", Style::DeepObject, true),
                ("expand", Style::DeepObject, true),
                ("items", Style::DeepObject, true),
            ],
        );
        // Properties come in name order (serde_json's map).
        assert_eq!(
            encoded,
            "amount=2000&currency=usd&expand%5B0%5D=customer&expand%5B1%5D=invoice\
             &items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2\
             &metadata%5Bnote%5D=a+b&metadata%5Border_id%5D=6735"
        );
        assert_eq!(form(&json!({"tags": ["a", "b"]}), &[]), "tags=a&tags=b");
    }
}
