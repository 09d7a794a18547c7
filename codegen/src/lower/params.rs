//! Parameter lowering: path, query, header and cookie parameters of any schema, with their
//! serialization style, and the client-wide settings some of them are.

use super::operations::{BUILDER_METHODS, Names, is_json};
use super::{Cx, TypeSpace};
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{Bounds, Docs, Location, Name, Param, Setting, Style, TypeRef};
use crate::names::{self, Namespace};

/// One parameter as written, resolved: the object, where it is, and the component name it
/// came from (a shared parameter's types are named after it).
struct Resolved<'a> {
    node: &'a Node,
    at: Pointer,
    component: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn lower_params<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    builder: &str,
    shared: &[(&'a Node, Pointer)],
    operation: &'a Node,
    arg_names: &mut Namespace,
    pointer: &Pointer,
) -> Vec<Param> {
    debug_assert!(BUILDER_METHODS.iter().all(|m| arg_names.contains(m)));
    // Resolve path-level then operation-level parameters; an operation-level parameter
    // replaces a path-level one with the same name and location.
    let own = operation
        .items("parameters")
        .iter()
        .enumerate()
        .map(|(i, p)| (p, pointer.join("parameters").join(i)));
    let mut resolved: Vec<Resolved<'a>> = Vec::new();
    for (parameter, at) in shared.iter().cloned().chain(own) {
        let component = parameter
            .str_field("$ref")
            .and_then(|r| super::component_name(r, "parameters"));
        let Some((node, at)) = cx.resolve(parameter, &at) else {
            continue;
        };
        let Some(key) = param_key(cx, node, &at) else {
            continue;
        };
        let entry = Resolved {
            node,
            at,
            component,
        };
        match resolved
            .iter()
            .position(|r| param_key_quiet(r.node).as_ref() == Some(&key))
        {
            Some(index) => resolved[index] = entry,
            None => resolved.push(entry),
        }
    }

    let mut params = Vec::new();
    for Resolved {
        node,
        at,
        component,
    } in resolved
    {
        let Some((location, name)) = param_key_quiet(node) else {
            continue;
        };
        // OpenAPI says these are ignored when declared as parameters; the client sets them.
        if location == Location::Header
            && ["accept", "content-type", "authorization"].contains(&name.as_str())
        {
            continue;
        }
        if let Some(param) = lower_param(
            cx,
            types,
            names,
            builder,
            node,
            location,
            component.as_deref(),
            arg_names,
            &at,
        ) {
            params.push(param);
        }
    }
    params
}

/// Where a parameter goes and its name (header names folded to lower case), reporting a
/// parameter without them.
fn param_key(cx: &mut Cx<'_>, node: &Node, at: &Pointer) -> Option<(Location, String)> {
    if node.str_field("name").is_none() {
        cx.sink
            .report(&at.join("name"), "a parameter needs a `name`");
        return None;
    }
    let key = param_key_quiet(node);
    if key.is_none() {
        let found = node
            .get("in")
            .map_or_else(|| "nothing".to_owned(), Node::to_string);
        cx.sink.report(
            &at.join("in"),
            format!("a parameter is `in` path, query, header or cookie, not {found}"),
        );
    }
    key
}

fn param_key_quiet(node: &Node) -> Option<(Location, String)> {
    let location = match node.str_field("in")? {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" => Location::Header,
        "cookie" => Location::Cookie,
        _ => return None,
    };
    let name = node.str_field("name")?.to_owned();
    // Header names are case-insensitive.
    let name = if location == Location::Header {
        name.to_ascii_lowercase()
    } else {
        name
    };
    Some((location, name))
}

/// The style a parameter is serialized in, checked against its location.
fn style_of(cx: &mut Cx<'_>, node: &Node, location: Location, at: &Pointer) -> Style {
    let default = match location {
        Location::Path | Location::Header => Style::Simple,
        Location::Query | Location::Cookie => Style::Form,
    };
    let Some(written) = node.str_field("style") else {
        return default;
    };
    let style = match written {
        "simple" => Style::Simple,
        "label" => Style::Label,
        "matrix" => Style::Matrix,
        "form" => Style::Form,
        "spaceDelimited" => Style::SpaceDelimited,
        "pipeDelimited" => Style::PipeDelimited,
        "deepObject" => Style::DeepObject,
        other => {
            cx.sink.warn(
                &at.join("style"),
                format!(
                    "unknown parameter style `{other}`; `{}` is used",
                    default.as_str()
                ),
            );
            return default;
        }
    };
    let allowed = match location {
        Location::Path => matches!(style, Style::Simple | Style::Label | Style::Matrix),
        Location::Query => matches!(
            style,
            Style::Form | Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject
        ),
        Location::Header => style == Style::Simple,
        Location::Cookie => style == Style::Form,
    };
    if !allowed {
        cx.sink.warn(
            &at.join("style"),
            format!(
                "style `{written}` does not apply to {} parameters; `{}` is used",
                location.as_str(),
                default.as_str()
            ),
        );
        return default;
    }
    style
}

#[allow(clippy::too_many_arguments)]
fn lower_param<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    builder: &str,
    node: &'a Node,
    location: Location,
    component: Option<&str>,
    arg_names: &mut Namespace,
    at: &Pointer,
) -> Option<Param> {
    let wire = node.str_field("name").unwrap_or_default().to_owned();
    let mut hint = Vec::new();
    if let Some(component) = component {
        hint.push(names::type_name(component));
    }
    hint.push(format!("{builder}{}", names::type_name(&wire)));
    // A parameter is described by a `schema`, or by `content` with one media type.
    let (style, ty) = match (node.get("schema"), node.entries("content")) {
        (Some(schema), _) => {
            let lowered = types.lower(cx, schema, &hint, &at.join("schema"));
            (style_of(cx, node, location, at), lowered.ty)
        }
        (None, [(media, content), ..]) => {
            let ty = match content.get("schema") {
                Some(schema) => {
                    let at = at.join("content").join(media).join("schema");
                    types.lower(cx, schema, &hint, &at).ty
                }
                None => TypeRef::Json,
            };
            if !is_json(media) && !ty.is_string() {
                cx.sink.warn(
                    &at.join("content"),
                    format!("a parameter in `{media}` is sent as the value's JSON text"),
                );
            }
            let style = if ty.is_string() {
                style_of(cx, node, location, at)
            } else {
                Style::Json
            };
            (style, ty)
        }
        (None, []) => {
            cx.sink.warn(
                at,
                format!("parameter `{wire}` has no `schema`; it is sent as a string"),
            );
            (style_of(cx, node, location, at), TypeRef::String)
        }
    };
    let bounds = if types.resolve_alias(&ty).is_number() {
        bounds_of(cx, node.get("schema"), at)
    } else {
        Bounds::default()
    };
    let required = location == Location::Path || node.flag("required");
    if location == Location::Path && !node.flag("required") {
        cx.sink.warn(
            &at.join("required"),
            "path parameters are always required (the path cannot be built without them)",
        );
    }
    let explode = node
        .get("explode")
        .and_then(Node::as_bool)
        .unwrap_or(style == Style::Form);

    let setting = match cx.string_extension(node, "x-client-setting", at) {
        None => None,
        Some(key) => {
            if location != Location::Header || ty != TypeRef::String {
                cx.sink.report(
                    &at.join("x-client-setting"),
                    "`x-client-setting` is supported on string header parameters only",
                );
                None
            } else {
                register_setting(cx, names, &key, &wire, node.str_field("description"), at)
            }
        }
    };

    let mut candidates = Vec::new();
    if let Some(index) = setting {
        candidates.push(names.settings[index].name.rust.clone());
    }
    if let Some(rust) = cx.rust_name_extension(node, at) {
        candidates.push(rust);
    }
    let base = names::snake_name(&wire);
    candidates.push(base.clone());
    candidates.push(format!("{base}_{}", location.as_str()));
    candidates.push(format!("{base}_param"));
    let Some(rust) = arg_names.claim(candidates) else {
        cx.sink.report(
            at,
            format!("parameter `{wire}` has no free Rust name; set `x-rust-name`"),
        );
        return None;
    };

    let example = node.get("example").or_else(|| {
        node.entries("examples")
            .iter()
            .find_map(|(_, example)| example.get("value"))
    });
    Some(Param {
        name: Name { rust, wire },
        location,
        required,
        ty,
        docs: Docs::from_parts([node.str_field("description")]),
        example: example.map(|v| v.to_json().to_string()),
        setting,
        deprecated: node.flag("deprecated"),
        style,
        explode,
        allow_reserved: node.flag("allowReserved"),
        bounds,
        origin: at.to_string(),
    })
}

/// The range of a numeric parameter's schema, in 3.0's form (`exclusiveMinimum: true` beside
/// `minimum`) or 3.1's (`exclusiveMinimum: 5`); the tighter wins where both are given.
fn bounds_of<'a>(cx: &mut Cx<'a>, schema: Option<&'a Node>, at: &Pointer) -> Bounds {
    let Some((schema, _)) = schema.and_then(|s| cx.resolve(s, &at.join("schema"))) else {
        return Bounds::default();
    };
    let number = |key: &str| match schema.get(key) {
        Some(Node::Int(i)) => Some(*i as f64),
        Some(Node::Float(f)) if f.is_finite() => Some(*f),
        _ => None,
    };
    // `raises` says which of two bounds is tighter: the larger minimum, the smaller maximum.
    let side = |inclusive: &str, exclusive: &str, raises: fn(f64, f64) -> bool| {
        let closed = number(inclusive).map(|v| (v, schema.flag(exclusive)));
        let open = number(exclusive).map(|v| (v, true));
        match (closed, open) {
            (Some(a), Some(b)) if raises(a.0, b.0) => Some(a),
            (Some(a), Some(b)) if a.0 == b.0 => Some((a.0, true)),
            (None, b @ Some(_)) | (Some(_), b @ Some(_)) => b,
            (a, None) => a,
        }
    };
    Bounds {
        minimum: side("minimum", "exclusiveMinimum", |a, b| a > b),
        maximum: side("maximum", "exclusiveMaximum", |a, b| a < b),
    }
}

fn register_setting(
    cx: &mut Cx<'_>,
    names: &mut Names,
    key: &str,
    header: &str,
    description: Option<&str>,
    at: &Pointer,
) -> Option<usize> {
    if let Some(index) = names.settings.iter().position(|s| s.name.wire == key) {
        let known = &names.settings[index].header;
        if !known.eq_ignore_ascii_case(header) {
            let message = format!(
                "client setting `{key}` is carried by header `{header}` here but by `{known}` elsewhere"
            );
            cx.sink.report(&at.join("x-client-setting"), message);
            return None;
        }
        return Some(index);
    }
    let base = names::snake_name(key);
    let Some(rust) = names
        .setters
        .claim([base.clone(), format!("{base}_setting")])
    else {
        cx.sink.report(
            &at.join("x-client-setting"),
            format!("client setting `{key}` has no free builder method name"),
        );
        return None;
    };
    names.settings.push(Setting {
        name: Name {
            rust,
            wire: key.to_owned(),
        },
        header: header.to_owned(),
        docs: Docs::from_parts([description]),
    });
    Some(names.settings.len() - 1)
}
