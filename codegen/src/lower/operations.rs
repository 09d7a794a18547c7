//! Operation lowering: paths, parameters, bodies and responses → [`Operation`]s.

use openapiv3::{
    MediaType, Parameter, ParameterData, ParameterSchemaOrContent, PathStyle, QueryStyle,
    ReferenceOr, SecurityScheme, StatusCode,
};

use super::{Cx, TypeSpace};
use crate::error::Pointer;
use crate::ir::{
    Body, Docs, Location, Method, Name, Operation, Pagination, Param, PathPart, Response,
    ResponseBody, Setting, Status, Success, SuccessVariant, TypeKind, TypeRef,
};
use crate::names::{self, Namespace};

/// Methods of the runtime `Client` that operations must not shadow.
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
    "Error",
    "ErrorResponse",
    "BuildError",
    "RetryPolicy",
    "ResponseValue",
    "InvalidBodyKind",
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
const BUILDER_METHODS: &[&str] = &[
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
/// Methods of the runtime `ClientBuilder` that settings must not shadow.
const CLIENT_BUILDER_METHODS: &[&str] = &[
    "token",
    "base_url",
    "connect_timeout",
    "timeout",
    "retry_policy",
    "max_response_bytes",
    "allow_insecure_http",
    "user_agent",
    "http_client",
    "default_headers",
    "record_spec_mismatches",
    "build",
    "setting",
    "fmt",
];

/// The operations and the client settings they declare.
pub(crate) struct Lowered {
    pub(crate) settings: Vec<Setting>,
    pub(crate) operations: Vec<Operation>,
}

struct Names {
    /// operationIds seen so far, which must be unique.
    operation_ids: std::collections::BTreeSet<String>,
    methods: Namespace,
    builders: Namespace,
    mocks: Namespace,
    setters: Namespace,
    settings: Vec<Setting>,
}

pub(crate) fn lower_operations<'a>(cx: &mut Cx<'a>, types: &mut TypeSpace) -> Lowered {
    let mut names = Names {
        operation_ids: std::collections::BTreeSet::new(),
        methods: Namespace::with_reserved(CLIENT_METHODS),
        builders: Namespace::with_reserved(ROOT_NAMES),
        mocks: Namespace::with_reserved(MOCK_NAMES),
        setters: Namespace::with_reserved(CLIENT_BUILDER_METHODS),
        settings: Vec::new(),
    };
    let mut operations = Vec::new();
    let doc = cx.doc;
    for (path, item) in &doc.paths.paths {
        let path_pointer = Pointer::root().join("paths").join(path);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                cx.sink.report(
                    &path_pointer,
                    format!("unsupported path item $ref `{reference}`: inline the path item"),
                );
                continue;
            }
        };
        let shared: Vec<_> = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, path_pointer.join("parameters").join(i)))
            .collect();
        for (method, operation) in item.iter() {
            let pointer = path_pointer.join(method);
            if let Some(operation) = lower_operation(
                cx, types, &mut names, path, &shared, method, operation, &pointer,
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
    path: &str,
    shared: &[(&'a ReferenceOr<Parameter>, Pointer)],
    method: &str,
    operation: &'a openapiv3::Operation,
    pointer: &Pointer,
) -> Option<Operation> {
    let method = match method {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        _ => Method::Trace,
    };
    let operation_id = operation
        .operation_id
        .clone()
        .unwrap_or_else(|| derived_id(method, path));
    if !names.operation_ids.insert(operation_id.clone()) {
        cx.sink.report(
            &pointer.join("operationId"),
            format!("operationId `{operation_id}` is used by more than one operation"),
        );
        return None;
    }

    let mut method_candidates = Vec::new();
    if let Some(rust) = cx.rust_name_extension(&operation.extensions, pointer) {
        method_candidates.push(rust);
    }
    let base = names::snake_name(&operation_id);
    method_candidates.extend([base.clone(), format!("{base}_operation")]);
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
    let body = lower_body(cx, types, &builder, operation, &mut arg_names, pointer);
    let responses = lower_responses(cx, types, &builder, operation, pointer);
    let success = success_of(cx, names, &builder, &responses, pointer);

    let deprecation_note =
        cx.string_extension(&operation.extensions, "x-deprecation-note", pointer);
    let deprecated = match (operation.deprecated, deprecation_note) {
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
        summary: operation.summary.clone(),
        description: operation.description.clone(),
        deprecated,
        params,
        body,
        responses,
        success,
        pagination: None,
    };
    if let Some(value) = operation.extensions.get("x-pagination") {
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

#[allow(clippy::too_many_arguments)]
fn lower_params<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    builder: &str,
    shared: &[(&'a ReferenceOr<Parameter>, Pointer)],
    operation: &'a openapiv3::Operation,
    arg_names: &mut Namespace,
    pointer: &Pointer,
) -> Vec<Param> {
    // Resolve path-level then operation-level parameters; an operation-level parameter
    // replaces a path-level one with the same name and location.
    let own = operation
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (p, pointer.join("parameters").join(i)));
    let mut resolved: Vec<(&'a Parameter, Pointer)> = Vec::new();
    for (parameter, at) in shared.iter().cloned().chain(own) {
        let Some((parameter, at)) = cx.resolve(
            parameter,
            "parameters",
            |doc, name| doc.components.as_ref()?.parameters.get(name),
            &at,
        ) else {
            continue;
        };
        let key = param_key(parameter);
        match resolved.iter().position(|(p, _)| param_key(p) == key) {
            Some(index) => resolved[index] = (parameter, at),
            None => resolved.push((parameter, at)),
        }
    }

    let mut params = Vec::new();
    for (parameter, at) in resolved {
        let (data, location) = match parameter {
            Parameter::Query {
                parameter_data,
                style,
                ..
            } => {
                if *style != QueryStyle::Form {
                    cx.sink.report(
                        &at.join("style"),
                        "unsupported query parameter style: only `form` is supported",
                    );
                    continue;
                }
                (parameter_data, Location::Query)
            }
            Parameter::Header { parameter_data, .. } => {
                // OpenAPI says these three are ignored when declared as parameters; the
                // client sets them itself.
                let name = parameter_data.name.to_ascii_lowercase();
                if ["accept", "content-type", "authorization"].contains(&name.as_str()) {
                    continue;
                }
                (parameter_data, Location::Header)
            }
            Parameter::Path {
                parameter_data,
                style,
            } => {
                if *style != PathStyle::Simple {
                    cx.sink.report(
                        &at.join("style"),
                        "unsupported path parameter style: only `simple` is supported",
                    );
                    continue;
                }
                if !parameter_data.required {
                    cx.sink.report(
                        &at.join("required"),
                        "path parameters must be `required: true`",
                    );
                }
                (parameter_data, Location::Path)
            }
            Parameter::Cookie { .. } => {
                cx.sink
                    .report(&at, "unsupported parameter location `cookie`");
                continue;
            }
        };
        if let Some(param) = lower_param(cx, types, names, builder, data, location, arg_names, &at)
        {
            params.push(param);
        }
    }
    params
}

fn param_key(parameter: &Parameter) -> (String, &'static str) {
    let location = match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    };
    let name = parameter.parameter_data_ref().name.clone();
    // Header names are case-insensitive.
    let name = if location == "header" {
        name.to_ascii_lowercase()
    } else {
        name
    };
    (name, location)
}

#[allow(clippy::too_many_arguments)]
fn lower_param<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    names: &mut Names,
    builder: &str,
    data: &'a ParameterData,
    location: Location,
    arg_names: &mut Namespace,
    at: &Pointer,
) -> Option<Param> {
    let schema = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => schema,
        ParameterSchemaOrContent::Content(_) => {
            cx.sink.report(
                &at.join("content"),
                "unsupported: parameters described by `content` (use `schema`)",
            );
            return None;
        }
    };
    let hint = vec![format!("{builder}{}", names::type_name(&data.name))];
    let ty = types.lower(cx, schema, &hint, &at.join("schema")).ty;
    let scalar = |ty: &TypeRef| is_scalar(types, ty);
    let allowed = match location {
        Location::Path | Location::Header => scalar(&ty),
        Location::Query => match &ty {
            TypeRef::Vec(inner) => scalar(inner),
            other => scalar(other),
        },
    };
    if !allowed {
        cx.sink.report(
            &at.join("schema"),
            format!(
                "unsupported type for {} parameter `{}`: only strings, numbers, booleans, string \
                 enums{} are supported",
                location.as_str(),
                data.name,
                if location == Location::Query {
                    " and arrays of them"
                } else {
                    ""
                }
            ),
        );
        return None;
    }
    if matches!(ty, TypeRef::Vec(_)) && data.explode == Some(false) {
        cx.sink.report(
            &at.join("explode"),
            "unsupported: `explode: false` arrays in the query string",
        );
        return None;
    }

    let setting = match cx.string_extension(&data.extensions, "x-client-setting", at) {
        None => None,
        Some(key) => {
            if location != Location::Header || ty != TypeRef::String {
                cx.sink.report(
                    &at.join("x-client-setting"),
                    "`x-client-setting` is supported on string header parameters only",
                );
                None
            } else {
                register_setting(cx, names, &key, &data.name, data.description.as_deref(), at)
            }
        }
    };

    let mut candidates = Vec::new();
    if let Some(index) = setting {
        candidates.push(names.settings[index].name.rust.clone());
    }
    if let Some(rust) = cx.rust_name_extension(&data.extensions, at) {
        candidates.push(rust);
    }
    let base = names::snake_name(&data.name);
    candidates.push(base.clone());
    candidates.push(format!("{base}_{}", location.as_str()));
    let Some(rust) = arg_names.claim(candidates) else {
        cx.sink.report(
            at,
            format!(
                "parameter `{}` has no free Rust name; set `x-rust-name`",
                data.name
            ),
        );
        return None;
    };

    let example = data.example.as_ref().or_else(|| {
        data.examples.values().find_map(|example| match example {
            ReferenceOr::Item(example) => example.value.as_ref(),
            ReferenceOr::Reference { .. } => None,
        })
    });
    Some(Param {
        name: Name {
            rust,
            wire: data.name.clone(),
        },
        location,
        required: data.required,
        ty,
        docs: Docs::from_parts([data.description.as_deref()]),
        example: example.map(|v| v.to_string()),
        setting,
        deprecated: data.deprecated == Some(true),
    })
}

fn is_scalar(types: &TypeSpace, ty: &TypeRef) -> bool {
    match types.resolve_alias(ty) {
        TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::String => true,
        TypeRef::Named(name) => matches!(types.def(name).map(|d| &d.kind), Some(TypeKind::Enum(_))),
        _ => false,
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

fn parse_path(
    cx: &mut Cx<'_>,
    path: &str,
    params: &[Param],
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
            cx.sink.report(
                pointer,
                format!(
                    "path parameter `{}` does not appear in the path template `{path}`",
                    param.name.wire
                ),
            );
            ok = false;
        }
    }
    ok.then_some(parts)
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

fn is_text(media_type: &str) -> bool {
    media_type.trim().to_ascii_lowercase().starts_with("text/")
}

fn lower_body<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    builder: &str,
    operation: &'a openapiv3::Operation,
    arg_names: &mut Namespace,
    pointer: &Pointer,
) -> Option<Body> {
    let body = operation.request_body.as_ref()?;
    let (body, at) = cx.resolve(
        body,
        "requestBodies",
        |doc, name| doc.components.as_ref()?.request_bodies.get(name),
        &pointer.join("requestBody"),
    )?;
    let Some((media_type, media)) = body.content.iter().find(|(ct, _)| is_json(ct)) else {
        let found: Vec<&str> = body.content.keys().map(String::as_str).collect();
        cx.sink.report(
            &at.join("content"),
            format!(
                "unsupported request body content type(s) {found:?}: only JSON bodies are supported"
            ),
        );
        return None;
    };
    let ty = json_type(
        cx,
        types,
        media,
        vec![format!("{builder}Body")],
        &at.join("content").join(media_type),
    );
    let mut candidates = Vec::new();
    if let Some(name) = cx.string_extension(&body.extensions, "x-body-name", &at) {
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
    Some(Body {
        name,
        ty,
        required: body.required,
        docs: Docs::from_parts([body.description.as_deref()]),
    })
}

fn json_type<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    media: &'a MediaType,
    hint: Vec<String>,
    at: &Pointer,
) -> TypeRef {
    match &media.schema {
        Some(schema) => {
            let lowered = types.lower(cx, schema, &hint, &at.join("schema"));
            if lowered.nullable {
                TypeRef::Option(Box::new(lowered.ty))
            } else {
                lowered.ty
            }
        }
        None => TypeRef::Json,
    }
}

fn lower_responses<'a>(
    cx: &mut Cx<'a>,
    types: &mut TypeSpace,
    builder: &str,
    operation: &'a openapiv3::Operation,
    pointer: &Pointer,
) -> Vec<Response> {
    let documented = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| {
            let status = match status {
                StatusCode::Code(code) => Status::Code(*code),
                StatusCode::Range(hundreds) => Status::Range(*hundreds),
            };
            (status, response)
        })
        .chain(
            operation
                .responses
                .default
                .iter()
                .map(|response| (Status::Default, response)),
        );
    let documented: Vec<_> = documented.collect();
    let successes_with_content = documented
        .iter()
        .filter(|(status, response)| {
            let has_content = match response {
                ReferenceOr::Reference { .. } => true,
                ReferenceOr::Item(response) => !response.content.is_empty(),
            };
            status.is_success() && has_content
        })
        .count();

    let mut responses = Vec::new();
    for (status, response) in documented {
        let key = match status {
            Status::Code(code) => code.to_string(),
            Status::Range(hundreds) => format!("{hundreds}XX"),
            Status::Default => "default".to_owned(),
        };
        let Some((response, at)) = cx.resolve(
            response,
            "responses",
            |doc, name| doc.components.as_ref()?.responses.get(name),
            &pointer.join("responses").join(&key),
        ) else {
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
        let body = if let Some((media_type, media)) =
            response.content.iter().find(|(ct, _)| is_json(ct))
        {
            Some(ResponseBody::Json(json_type(
                cx,
                types,
                media,
                hint,
                &at.join("content").join(media_type),
            )))
        } else if response.content.keys().any(|ct| is_text(ct)) {
            Some(ResponseBody::Text)
        } else if response.content.is_empty() || !status.is_success() {
            // Error bodies in other formats are kept as raw bytes in the error.
            None
        } else {
            let found: Vec<&str> = response.content.keys().map(String::as_str).collect();
            cx.sink.report(
                &at.join("content"),
                format!("unsupported response content type(s) {found:?}: only JSON and text are supported"),
            );
            None
        };
        responses.push(Response {
            status,
            description: response.description.clone(),
            body,
        });
    }
    responses
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
    value: &serde_json::Value,
    at: &Pointer,
) -> Option<Pagination> {
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
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

/// Whether the spec requires a bearer token. Reports security schemes the client cannot
/// satisfy (API keys, basic auth).
pub(crate) fn requires_token(cx: &mut Cx<'_>) -> bool {
    let doc = cx.doc;
    let global = doc.security.as_deref().unwrap_or_default();
    let mut anonymous = global.is_empty() || global.iter().any(|r| r.is_empty());
    let mut used: Vec<String> = global.iter().flat_map(|r| r.keys().cloned()).collect();
    for (_, _, operation) in doc.operations() {
        if let Some(security) = &operation.security {
            anonymous |= security.is_empty() || security.iter().any(|r| r.is_empty());
            used.extend(security.iter().flat_map(|r| r.keys().cloned()));
        }
    }
    used.sort();
    used.dedup();
    let mut bearer = false;
    for name in used {
        let at = Pointer::root()
            .join("components")
            .join("securitySchemes")
            .join(&name);
        let scheme = doc
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(&name));
        match scheme {
            Some(ReferenceOr::Item(SecurityScheme::HTTP { scheme, .. }))
                if scheme.eq_ignore_ascii_case("bearer") =>
            {
                bearer = true;
            }
            Some(ReferenceOr::Item(
                SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. },
            )) => {
                bearer = true;
            }
            Some(ReferenceOr::Item(_)) => {
                cx.sink.report(&at, "unsupported security scheme: only bearer tokens (http bearer, oauth2, openIdConnect) are supported");
            }
            Some(ReferenceOr::Reference { .. }) => {
                cx.sink.report(&at, "unsupported: security scheme $refs");
            }
            None => cx.sink.report(
                &at,
                format!("security requirement names undefined scheme `{name}`"),
            ),
        }
    }
    bearer && !anonymous
}
