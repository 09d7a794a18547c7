//! Operation lowering: paths, parameters, bodies and responses → [`Operation`]s.

use super::params::lower_params;
use super::security::Security;
use super::{Cx, TypeSpace};
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{
    Body, BodyKind, Docs, Location, Method, MultipartPart, Name, Operation, Pagination, PartKind,
    PathPart, Response, ResponseBody, Setting, Status, Style, Success, SuccessVariant, TypeKind,
    TypeRef,
};
use crate::names::{self, Namespace};

/// Methods of the generated `Client` (and of the mock server) that operations must not shadow.
const CLIENT_METHODS: &[&str] = &[
    "builder",
    "base_url",
    "http_client",
    "clone",
    "fmt",
    "spec_mismatches",
    // The mock server's own methods, beside one per operation.
    "start",
    "uri",
    "client_builder",
    "verify",
    "api_version",
    "baseurl",
    "client",
    "inner",
];
/// Names at the generated crate's root that builders must not take.
const ROOT_NAMES: &[&str] = &[
    "Client",
    "CallOptions",
    "HeaderMap",
    "JsonError",
    "MismatchKind",
    "RequestOptions",
    "SpecMismatch",
    "StatusCode",
    "reqwest",
    "ClientBuilder",
    "Server",
    "Error",
    "ErrorResponse",
    "BuildError",
    "RetryPolicy",
    "ResponseValue",
    "InvalidBodyKind",
    "Binary",
    "ApiInfo",
    "SettingInfo",
    "Request",
    "Response",
    "Page",
    "Stream",
    "types",
];
/// Names in the generated mock module that expectation builders must not take.
const MOCK_NAMES: &[&str] = &["MockServer", "MockResponse"];
/// Methods every request builder has (its own and those of `RequestOptions`) and its fields.
pub(super) const BUILDER_METHODS: &[&str] = &[
    "send",
    "stream",
    "new",
    "clone",
    "fmt",
    "client",
    "options",
    "header",
    "timeout",
    "retry_policy",
    "call_options",
    // The mock's expectation builders mirror the request builders' setters, beside these.
    "inner",
    "expect_calls",
    "respond_with",
    "respond_ok",
    "respond_status",
];

/// The HTTP methods of a path item, in the order they are generated.
const METHODS: [(&str, Method); 8] = [
    ("get", Method::Get),
    ("put", Method::Put),
    ("post", Method::Post),
    ("delete", Method::Delete),
    ("options", Method::Options),
    ("head", Method::Head),
    ("patch", Method::Patch),
    ("trace", Method::Trace),
];

/// The operations and the client settings they declare.
pub(crate) struct Lowered {
    pub(crate) settings: Vec<Setting>,
    pub(crate) operations: Vec<Operation>,
}

pub(super) struct Names {
    /// operationIds seen so far, which must be unique.
    operation_ids: std::collections::BTreeSet<String>,
    methods: Namespace,
    pub(super) builders: Namespace,
    mocks: Namespace,
    pub(super) setters: Namespace,
    pub(super) settings: Vec<Setting>,
}

pub(crate) fn lower_operations<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    security: &Security,
    setters: Namespace,
) -> Lowered {
    let mut names = Names {
        operation_ids: std::collections::BTreeSet::new(),
        methods: Namespace::with_reserved(CLIENT_METHODS),
        builders: Namespace::with_reserved(ROOT_NAMES),
        mocks: Namespace::with_reserved(MOCK_NAMES),
        setters,
        settings: Vec::new(),
    };
    let mut operations = Vec::new();
    let root = cx.doc.root();
    let Some(paths) = root.get("paths").and_then(Node::as_map) else {
        return Lowered {
            settings: names.settings,
            operations,
        };
    };
    for (path, item) in paths.iter() {
        let path_pointer = Pointer::root().join("paths").join(path);
        if path.starts_with("x-") {
            continue;
        }
        let Some((item, item_at)) = cx.resolve(item, &path_pointer) else {
            continue;
        };
        let shared: Vec<(&'a Node, Pointer)> = item
            .items("parameters")
            .iter()
            .enumerate()
            .map(|(i, p)| (p, item_at.join("parameters").join(i)))
            .collect();
        for (key, method) in METHODS {
            let Some(operation) = item.get(key) else {
                continue;
            };
            let pointer = item_at.join(key);
            if !operation.is_map() {
                cx.sink.report(
                    &pointer,
                    format!("an operation must be an object, found {}", operation.kind()),
                );
                continue;
            }
            if let Some(operation) = lower_operation(
                cx, types, &mut names, security, path, &shared, method, operation, &pointer,
            ) {
                operations.push(operation);
            }
        }
    }
    Lowered {
        settings: names.settings,
        operations,
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_operation<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    security: &Security,
    path: &str,
    shared: &[(&'a Node, Pointer)],
    method: Method,
    operation: &'a Node,
    pointer: &Pointer,
) -> Option<Operation> {
    let operation_id = match operation.get("operationId") {
        Some(Node::Str(id)) if !id.trim().is_empty() => id.to_string(),
        Some(Node::Str(_)) | None => derived_id(method, path),
        Some(other) => {
            cx.sink.report(
                &pointer.join("operationId"),
                format!("`operationId` must be a string, found {}", other.kind()),
            );
            derived_id(method, path)
        }
    };
    if !names.operation_ids.insert(operation_id.clone()) {
        cx.sink.report(
            &pointer.join("operationId"),
            format!("operationId `{operation_id}` is used by more than one operation"),
        );
        return None;
    }

    let mut method_candidates = Vec::new();
    if let Some(rust) = cx.rust_name_extension(operation, pointer) {
        method_candidates.push(rust);
    }
    let base = names::snake_name(&operation_id);
    let derived = names::snake_name(&derived_id(method, path));
    method_candidates.extend([base.clone(), format!("{base}_operation"), derived]);
    let Some(rust_method) = names.methods.claim(method_candidates) else {
        cx.sink.report(
            &pointer.join("operationId"),
            format!("operation `{operation_id}` has no free Rust method name; set `x-rust-name`"),
        );
        return None;
    };
    let builder_base = names::type_name(&rust_method);
    let Some(builder) = names
        .builders
        .claim([builder_base.clone(), format!("{builder_base}Request")])
    else {
        cx.sink.report(
            &pointer.join("operationId"),
            format!("operation `{operation_id}` has no free request builder name"),
        );
        return None;
    };
    let Some(mock) = names
        .mocks
        .claim([format!("{builder}Mock"), format!("{builder}Expectation")])
    else {
        cx.sink.report(
            &pointer.join("operationId"),
            format!("operation `{operation_id}` has no free mock builder name"),
        );
        return None;
    };

    let mut arg_names = Namespace::with_reserved(BUILDER_METHODS);
    let params = lower_params(
        cx,
        types,
        names,
        &builder,
        shared,
        operation,
        &mut arg_names,
        pointer,
    );
    let path_parts = parse_path(cx, path, &params, pointer)?;
    let body = lower_body(
        cx,
        types,
        names,
        &builder,
        operation,
        &mut arg_names,
        pointer,
    );
    let responses = lower_responses(cx, types, &builder, operation, pointer);
    let success = success_of(cx, names, &builder, &responses, pointer);
    let accept = accepted(operation, cx, pointer);

    let deprecation_note = cx.string_extension(operation, "x-deprecation-note", pointer);
    let deprecated = match (operation.flag("deprecated"), deprecation_note) {
        (true, note) => {
            Some(note.unwrap_or_else(|| "deprecated in the API description".to_owned()))
        }
        (false, Some(_)) => {
            cx.sink.report(
                &pointer.join("x-deprecation-note"),
                "`x-deprecation-note` on an operation that is not `deprecated: true`",
            );
            None
        }
        (false, None) => None,
    };
    if operation.get("callbacks").is_some() {
        cx.sink.warn(
            &pointer.join("callbacks"),
            "callbacks are requests the API sends, not calls a client makes; they are not generated",
        );
    }

    let mut lowered = Operation {
        name: Name {
            rust: rust_method,
            wire: operation_id,
        },
        builder,
        mock,
        method,
        path: path.to_owned(),
        path_parts,
        summary: operation.str_field("summary").map(str::to_owned),
        description: operation.str_field("description").map(str::to_owned),
        deprecated,
        params,
        body,
        responses,
        success,
        pagination: None,
        security: security.requirements(cx, operation, pointer),
        accept,
    };
    if let Some(value) = operation.get("x-pagination") {
        lowered.pagination =
            lower_pagination(cx, types, &lowered, value, &pointer.join("x-pagination"));
    }
    Some(lowered)
}

/// An operation id for operations that have none: `get /badges/{id}` → `get_badges_by_id`.
fn derived_id(method: Method, path: &str) -> String {
    let mut words = vec![method.as_str().to_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{param}")),
            None => words.push(segment.to_owned()),
        }
    }
    words.join("_")
}

fn parse_path(
    cx: &mut Cx<'_>,
    path: &str,
    params: &[crate::ir::Param],
    pointer: &Pointer,
) -> Option<Vec<PathPart>> {
    let mut parts = Vec::new();
    let mut used = vec![false; params.len()];
    let mut rest = path;
    let mut ok = true;
    while !rest.is_empty() {
        match rest.find('{') {
            None => {
                parts.push(PathPart::Literal(rest.to_owned()));
                rest = "";
            }
            Some(open) => {
                if open > 0 {
                    parts.push(PathPart::Literal(rest[..open].to_owned()));
                }
                let Some(close) = rest[open..].find('}') else {
                    cx.sink
                        .report(pointer, format!("unclosed `{{` in path template `{path}`"));
                    return None;
                };
                let name = &rest[open + 1..open + close];
                match params
                    .iter()
                    .position(|p| p.location == Location::Path && p.name.wire == name)
                {
                    Some(index) => {
                        used[index] = true;
                        parts.push(PathPart::Param(index));
                    }
                    None => {
                        cx.sink.report(
                            pointer,
                            format!("path template `{path}` names `{{{name}}}` but no path parameter declares it"),
                        );
                        ok = false;
                    }
                }
                rest = &rest[open + close + 1..];
            }
        }
    }
    for (index, param) in params.iter().enumerate() {
        if param.location == Location::Path && !used[index] {
            cx.sink.warn(
                pointer,
                format!(
                    "path parameter `{}` does not appear in the path template `{path}`; it is not sent",
                    param.name.wire
                ),
            );
        }
    }
    ok.then_some(parts)
}

/// The essence of a media type (`application/json; charset=utf-8` → `application/json`).
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

pub(super) fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json"
        || essence.ends_with("+json")
        || essence == "*/json"
        || essence == "application/x-json"
        || essence == "text/json"
}

fn is_text(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence == "application/xml"
        || essence == "application/x-ndjson"
        || essence == "application/jsonl"
        || essence == "application/yaml"
        || essence == "application/x-yaml"
        || essence == "application/javascript"
        || essence == "application/graphql"
}

/// The variant name of a body media type in a body enum.
fn media_word(kind: &BodyKind) -> String {
    match essence(kind.media()).as_str() {
        "application/json" => "Json".to_owned(),
        "application/x-www-form-urlencoded" => "Form".to_owned(),
        "multipart/form-data" => "Multipart".to_owned(),
        "application/octet-stream" => "Bytes".to_owned(),
        "text/plain" => "Text".to_owned(),
        other => names::type_name(other.strip_prefix("application/").unwrap_or(other)),
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_body<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    builder: &str,
    operation: &'a Node,
    arg_names: &mut Namespace,
    pointer: &Pointer,
) -> Option<Body> {
    let body = operation.get("requestBody")?;
    let (body, at) = cx.resolve(body, &pointer.join("requestBody"))?;
    let content = body.entries("content");
    let hint = vec![format!("{builder}Body")];
    let mut kinds = Vec::new();
    for (media, media_node) in content.iter() {
        let media_at = at.join("content").join(media);
        let schema = media_node.get("schema");
        let lowered = |cx: &mut Cx<'a>, types: &mut TypeSpace| match schema {
            Some(schema) => {
                super::schemas::optional(types.lower(cx, schema, &hint, &media_at.join("schema")))
            }
            None => TypeRef::Json,
        };
        let essence = essence(media);
        let kind = if is_json(media) {
            BodyKind::Json {
                media: media.to_string(),
                ty: lowered(cx, types),
            }
        } else if essence == "application/x-www-form-urlencoded" {
            let ty = lowered(cx, types);
            BodyKind::Form {
                media: media.to_string(),
                ty,
                encodings: form_encodings(media_node),
            }
        } else if essence.starts_with("multipart/") {
            let ty = match schema {
                Some(_) => lowered(cx, types),
                None => TypeRef::JsonObject,
            };
            let parts = multipart_parts(types, &ty);
            BodyKind::Multipart {
                media: media.to_string(),
                ty,
                parts,
            }
        } else if is_text(media) {
            BodyKind::Text {
                media: media.to_string(),
            }
        } else {
            let media = if essence.contains('*') {
                "application/octet-stream".to_owned()
            } else {
                media.to_string()
            };
            BodyKind::Binary { media }
        };
        kinds.push(kind);
    }
    if kinds.is_empty() {
        cx.sink.warn(
            &at.join("content"),
            "the request body documents no media type; none is sent",
        );
        return None;
    }
    // JSON first, then forms, then whatever the document lists first.
    let rank = |k: &BodyKind| match k {
        BodyKind::Json { .. } => 0,
        BodyKind::Form { .. } => 1,
        BodyKind::Multipart { .. } => 2,
        _ => 3,
    };
    kinds.sort_by_key(rank);
    let mut candidates = Vec::new();
    if let Some(name) = cx.string_extension(body, "x-body-name", &at) {
        candidates.push(names::snake_name(&name));
    }
    candidates.extend(["body".to_owned(), "request_body".to_owned()]);
    let Some(name) = arg_names.claim(candidates) else {
        cx.sink.report(
            &at,
            "the request body has no free Rust argument name; set `x-body-name`",
        );
        return None;
    };
    let choice = if kinds.len() > 1 {
        let base = format!("{builder}Body");
        let claimed = names.builders.claim([
            base.clone(),
            format!("{base}Choice"),
            format!("{builder}Payload"),
        ]);
        if claimed.is_none() {
            cx.sink
                .report(&at, "no free name for the enum of the body's media types");
            kinds.truncate(1);
        }
        claimed
    } else {
        None
    };
    // Each media type's variant is named after it (`Json`, `Form`, `ImagePng`).
    let mut used = Namespace::default();
    let words = kinds
        .iter()
        .enumerate()
        .map(|(index, kind)| {
            let word = media_word(kind);
            used.claim([
                word.clone(),
                format!("{word}{}", kind.word()),
                format!("Media{index}"),
            ])
            .unwrap_or(word)
        })
        .collect();
    Some(Body {
        name,
        required: body.flag("required"),
        docs: Docs::from_parts([body.str_field("description")]),
        kinds,
        choice,
        words,
    })
}

/// Per-property `encoding` of a form body: style and explode.
fn form_encodings(media: &Node) -> Vec<(String, Style, bool)> {
    media
        .entries("encoding")
        .iter()
        .filter_map(|(property, encoding)| {
            let style = match encoding.str_field("style") {
                Some("deepObject") => Style::DeepObject,
                Some("spaceDelimited") => Style::SpaceDelimited,
                Some("pipeDelimited") => Style::PipeDelimited,
                Some("form") | None => Style::Form,
                Some(_) => return None,
            };
            let explode = encoding
                .get("explode")
                .and_then(Node::as_bool)
                .unwrap_or(style == Style::Form || style == Style::DeepObject);
            Some((property.to_string(), style, explode))
        })
        .collect()
}

/// The parts of a multipart body: one per field of its struct; binary fields are files.
fn multipart_parts(types: &TypeSpace, ty: &TypeRef) -> Vec<MultipartPart> {
    let target = types.resolve_alias(ty);
    let TypeRef::Named(name) = target else {
        return Vec::new();
    };
    let Some(TypeKind::Struct(strukt)) = types.def(name).map(|d| &d.kind) else {
        return Vec::new();
    };
    strukt
        .fields
        .iter()
        .map(|field| {
            let kind = match types.resolve_alias(&field.ty) {
                TypeRef::Binary => PartKind::File,
                TypeRef::Vec(inner) if **inner == TypeRef::Binary => PartKind::Files,
                _ => PartKind::Value,
            };
            MultipartPart {
                name: field.name.clone(),
                optional: field.is_option(),
                kind,
            }
        })
        .collect()
}

/// What a response's content is decoded as: JSON if any media type is JSON, else text, else
/// bytes; with the media type chosen.
fn response_body<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    content: &'a [(Box<str>, Node)],
    hint: Vec<String>,
    at: &Pointer,
) -> Option<(ResponseBody, String)> {
    if let Some((media, node)) = content.iter().find(|(m, _)| is_json(m)) {
        let ty = match node.get("schema") {
            Some(schema) => super::schemas::optional(types.lower(
                cx,
                schema,
                &hint,
                &at.join("content").join(media).join("schema"),
            )),
            None => TypeRef::Json,
        };
        return Some((ResponseBody::Json(ty), media.to_string()));
    }
    if let Some((media, _)) = content.iter().find(|(m, _)| is_text(m)) {
        return Some((ResponseBody::Text, media.to_string()));
    }
    let (media, _) = content.first()?;
    let media = if media.contains('*') {
        "*/*".to_owned()
    } else {
        media.to_string()
    };
    Some((ResponseBody::Binary, media))
}

/// The media types success responses come in, for the `Accept` header.
fn accepted<'a>(operation: &'a Node, cx: &mut Cx<'a>, at: &Pointer) -> Vec<String> {
    let mut accept = Vec::new();
    for (status, response) in operation.entries("responses") {
        if !status.starts_with('2') {
            continue;
        }
        let Some((response, _)) = cx.resolve(response, &at.join("responses").join(status)) else {
            continue;
        };
        let content = response.entries("content");
        let chosen = content
            .iter()
            .find(|(m, _)| is_json(m))
            .or_else(|| content.iter().find(|(m, _)| is_text(m)))
            .or_else(|| content.first());
        if let Some((media, _)) = chosen {
            let media = essence(media);
            if !accept.contains(&media) {
                accept.push(media);
            }
        }
    }
    accept
}

fn lower_responses<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    builder: &str,
    operation: &'a Node,
    pointer: &Pointer,
) -> Vec<Response> {
    let Some(entries) = operation.get("responses").map(|r| (r, r.as_map())) else {
        return Vec::new();
    };
    let entries = match entries {
        (_, Some(entries)) => entries,
        (other, None) => {
            cx.sink.report(
                &pointer.join("responses"),
                format!("`responses` must be an object, found {}", other.kind()),
            );
            return Vec::new();
        }
    };
    let mut documented: Vec<(Status, &str, &'a Node)> = Vec::new();
    for (key, response) in entries.iter() {
        let status = match parse_status(key) {
            Some(status) => status,
            None if key.starts_with("x-") => continue,
            None => {
                cx.sink.warn(
                    &pointer.join("responses").join(key),
                    format!("`{key}` is not a status code, a range such as `4XX` or `default`; it is ignored"),
                );
                continue;
            }
        };
        documented.push((status, key, response));
    }
    // `default` comes last, as it matches what the others do not.
    documented.sort_by_key(|(status, ..)| matches!(status, Status::Default));
    let successes_with_content = documented
        .iter()
        .filter(|(status, _, response)| {
            let has_content =
                response.get("$ref").is_some() || !response.entries("content").is_empty();
            status.is_success() && has_content
        })
        .count();

    let mut responses = Vec::new();
    for (status, key, response) in documented {
        let Some((response, at)) = cx.resolve(response, &pointer.join("responses").join(key))
        else {
            continue;
        };
        let status_word = match status {
            Status::Code(code) => names::status_name(code),
            Status::Range(hundreds) => format!("Status{hundreds}xx"),
            Status::Default => "Default".to_owned(),
        };
        let hint = if !status.is_success() {
            vec![format!("{builder}{status_word}Error")]
        } else if successes_with_content > 1 {
            vec![format!("{builder}{status_word}Response")]
        } else {
            vec![format!("{builder}Response")]
        };
        let content = response.entries("content");
        let body = response_body(cx, types, content, hint, &at).map(|(body, _)| body);
        // Error bodies in other formats are kept as raw bytes in the error.
        let body = body.filter(|b| status.is_success() || matches!(b, ResponseBody::Json(_)));
        responses.push(Response {
            status,
            description: response
                .str_field("description")
                .unwrap_or_default()
                .to_owned(),
            body,
        });
    }
    responses
}

/// A response key: a code, a range (`2XX`) or `default`.
fn parse_status(key: &str) -> Option<Status> {
    if key == "default" {
        return Some(Status::Default);
    }
    if let Ok(code) = key.parse::<u16>()
        && (100..=599).contains(&code)
    {
        return Some(Status::Code(code));
    }
    let bytes = key.as_bytes();
    if bytes.len() == 3
        && (b'1'..=b'5').contains(&bytes[0])
        && bytes[1..].iter().all(|b| b.eq_ignore_ascii_case(&b'x'))
    {
        return Some(Status::Range(u16::from(bytes[0] - b'0')));
    }
    None
}

fn success_of(
    cx: &mut Cx<'_>,
    names: &mut Names,
    builder: &str,
    responses: &[Response],
    pointer: &Pointer,
) -> Success {
    let successes: Vec<&Response> = responses.iter().filter(|r| r.status.is_success()).collect();
    let mut bodies: Vec<&Option<ResponseBody>> = Vec::new();
    for response in &successes {
        if !bodies.contains(&&response.body) {
            bodies.push(&response.body);
        }
    }
    if bodies.len() <= 1 {
        return Success::Single(bodies.first().and_then(|b| (*b).clone()));
    }
    let Some(name) = names
        .builders
        .claim([format!("{builder}Response"), format!("{builder}Outcome")])
    else {
        cx.sink.report(
            &pointer.join("responses"),
            "no free name for the operation's response enum",
        );
        return Success::Single(None);
    };
    let mut variant_names = Namespace::default();
    let mut variants = Vec::new();
    for response in successes {
        let base = match response.status {
            Status::Code(code) => names::status_name(code),
            _ => "Success".to_owned(),
        };
        let Some(variant) = variant_names.claim([base.clone(), format!("{base}Status")]) else {
            continue;
        };
        variants.push(SuccessVariant {
            name: variant,
            status: response.status,
            body: response.body.clone(),
            description: response.description.clone(),
        });
    }
    Success::Multi { name, variants }
}

fn lower_pagination(
    cx: &mut Cx<'_>,
    types: &TypeSpace,
    operation: &Operation,
    value: &Node,
    at: &Pointer,
) -> Option<Pagination> {
    let text = |key: &str| value.str_field(key).map(str::to_owned);
    let (Some(offset), Some(limit), Some(items)) = (
        text("offsetParam"),
        text("limitParam"),
        text("itemsProperty"),
    ) else {
        cx.sink.report(
            at,
            "`x-pagination` needs string `offsetParam`, `limitParam` and `itemsProperty`",
        );
        return None;
    };
    let total = text("totalProperty");
    let param = |cx: &mut Cx<'_>, wire: &str| -> Option<usize> {
        let index = operation
            .params
            .iter()
            .position(|p| p.location == Location::Query && p.name.wire == wire);
        match index {
            Some(index)
                if matches!(operation.params[index].ty, TypeRef::I32 | TypeRef::I64)
                    && !operation.params[index].required =>
            {
                Some(index)
            }
            _ => {
                cx.sink.report(at, format!("`x-pagination` names `{wire}`, which must be an optional integer query parameter"));
                None
            }
        }
    };
    let offset = param(cx, &offset);
    let limit = param(cx, &limit);
    let page_type = match &operation.success {
        Success::Single(Some(ResponseBody::Json(ty))) => match types.resolve_alias(ty) {
            TypeRef::Named(name) => types.def(name),
            _ => None,
        },
        _ => None,
    };
    let Some(TypeKind::Struct(page)) = page_type.map(|d| &d.kind) else {
        cx.sink.report(
            at,
            "`x-pagination` needs a success response whose body is an object",
        );
        return None;
    };
    let Some(items_field) = page.fields.iter().find(|f| f.name.wire == items) else {
        cx.sink.report(
            at,
            format!("the response has no property `{items}` named by `itemsProperty`"),
        );
        return None;
    };
    let TypeRef::Vec(item) = types.resolve_alias(&items_field.ty) else {
        cx.sink
            .report(at, format!("`{items}` must be an array to be paged"));
        return None;
    };
    let total_field = match &total {
        None => None,
        Some(total) => match page.fields.iter().find(|f| f.name.wire == *total) {
            Some(field)
                if matches!(
                    types.resolve_alias(&field.ty),
                    TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64
                ) =>
            {
                Some(field)
            }
            _ => {
                cx.sink.report(
                    at,
                    format!(
                        "`totalProperty` `{total}` must name a numeric property of the response"
                    ),
                );
                return None;
            }
        },
    };
    Some(Pagination {
        offset: offset?,
        limit: limit?,
        items_field: items_field.name.rust.clone(),
        items_optional: items_field.is_option(),
        total_field: total_field.map(|f| f.name.rust.clone()),
        total_optional: total_field.is_some_and(|f| f.is_option()),
        item: (**item).clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_codes_ranges_and_default() {
        assert_eq!(parse_status("200"), Some(Status::Code(200)));
        assert_eq!(parse_status("2XX"), Some(Status::Range(2)));
        assert_eq!(parse_status("4xx"), Some(Status::Range(4)));
        assert_eq!(parse_status("default"), Some(Status::Default));
        assert_eq!(parse_status("20"), None);
        assert_eq!(parse_status("600"), None);
        assert_eq!(parse_status("x-note"), None);
    }

    #[test]
    fn media_types_are_classified() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(is_text("text/csv"));
        assert!(is_text("application/xml"));
        assert!(!is_text("application/pdf"));
    }
}
