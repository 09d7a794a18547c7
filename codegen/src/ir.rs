//! The intermediate representation: what the emitters need to know about an API, with every
//! name already decided. Nothing here refers to `openapiv3`, `syn` or `quote`.

/// A name in both worlds: the Rust identifier and the spelling on the wire (or in the spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The Rust identifier, already cased, escaped and de-duplicated.
    pub rust: String,
    /// The name as the spec writes it (property name, operationId, schema name, header name).
    pub wire: String,
}

/// Documentation text from the spec, as paragraphs of markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Docs(pub Vec<String>);

impl Docs {
    /// Docs from optional paragraphs, skipping empty ones.
    pub fn from_parts<I, S>(parts: I) -> Self
    where
        I: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        Docs(
            parts
                .into_iter()
                .flatten()
                .map(|s| s.as_ref().trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }

    /// Whether there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends a paragraph.
    pub fn push(&mut self, paragraph: impl Into<String>) {
        let paragraph = paragraph.into();
        if !paragraph.trim().is_empty() {
            self.0.push(paragraph);
        }
    }
}

/// The whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description` and friends.
    pub docs: Docs,
    /// The first server URL, if the spec has one.
    pub default_base_url: Option<String>,
    /// The servers with absolute URLs, in spec order, for the client's `Server` enum.
    pub servers: Vec<Server>,
    /// Whether every operation needs credentials (so a client built without any is refused).
    pub requires_token: bool,
    /// The security schemes the client can serve, in spec order.
    pub auth: Vec<AuthScheme>,
    /// Where the spec came from, for generated docs.
    pub source: String,
    /// Client-wide settings (header parameters marked `x-client-setting`), in spec order.
    pub settings: Vec<Setting>,
    /// Every named type, in spec order (components first, then inline types as met).
    pub types: Vec<TypeDef>,
    /// Every operation, in spec order (paths, then methods in `get, put, post, delete,
    /// options, head, patch, trace` order).
    pub operations: Vec<Operation>,
}

/// A value set once on the client builder and sent with every operation that takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// `wire` is the key from `x-client-setting` (e.g. `accountId`); `rust` is the builder
    /// method (e.g. `account_id`).
    pub name: Name,
    /// The HTTP header that carries it.
    pub header: String,
    /// The parameter's description where the setting was first declared.
    pub docs: Docs,
}

/// A security scheme the client serves: one builder setting named after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthScheme {
    /// `wire` is the scheme's name in `components/securitySchemes`; `rust` the builder method.
    pub name: Name,
    /// How the credential is sent.
    pub kind: AuthKind,
    /// The scheme's description.
    pub docs: Docs,
}

/// How a security scheme's credential is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    /// `Authorization: Bearer <token>` (http bearer, OAuth2, OpenID Connect).
    Bearer,
    /// `Authorization: Basic <user:password>`.
    Basic,
    /// An API key in a header, the query string or a cookie, under this name.
    ApiKey {
        /// Where the key goes.
        location: Location,
        /// The header, query parameter or cookie name.
        name: String,
    },
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// `rust` is the type name; `wire` is the schema name or a description of where the
    /// inline schema sits.
    pub name: Name,
    /// The schema's description.
    pub docs: Docs,
    /// What the type is.
    pub kind: TypeKind,
    /// Whether requests carry values of it (in a body or a parameter, directly or inside
    /// another type), so that users build them: such structs get `with_…` setters.
    pub sent: bool,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enum; unknown values decode into a catch-all variant.
    Enum(StringEnum),
    /// An integer enum; unknown values decode into a catch-all variant.
    IntEnum(IntEnum),
    /// A `oneOf`/`anyOf`: one of several shapes.
    Union(Union),
    /// A name for another type (`type Ids = Vec<String>`).
    Alias(TypeRef),
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// Typed `additionalProperties`, collected into a map field named `extra`.
    pub additional: Option<TypeRef>,
}

impl Struct {
    /// Whether every field may be absent, so the struct can derive `Default`.
    pub fn all_optional(&self) -> bool {
        self.fields.iter().all(|f| !f.required)
    }
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust field name and wire property name.
    pub name: Name,
    /// The field's type, without the `Option` that `required: false` adds.
    pub ty: TypeRef,
    /// Whether the property must be present.
    pub required: bool,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// The property's description.
    pub docs: Docs,
    /// The JSON pointer of the property's declaration, for reports.
    pub origin: String,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnum {
    /// Known values in spec order.
    pub variants: Vec<Name>,
}

/// An integer enum.
#[derive(Debug, Clone, PartialEq)]
pub struct IntEnum {
    /// Variant names and their values, in spec order.
    pub variants: Vec<(String, i64)>,
}

/// A union of shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Alternatives, tried in spec order when there is no discriminator.
    pub variants: Vec<UnionVariant>,
    /// The discriminator property, when the spec names one.
    pub tag: Option<String>,
    /// The catch-all variant that keeps, as a JSON value, shapes (or tag values) this version
    /// does not know.
    pub fallback: String,
}

/// One alternative of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The variant name.
    pub name: String,
    /// The payload type.
    pub ty: TypeRef,
    /// The discriminator value that selects it.
    pub tag_value: Option<String>,
}

/// A reference to a type, as used in fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `String`.
    String,
    /// Any JSON value.
    Json,
    /// A JSON object with unknown properties.
    JsonObject,
    /// A named type in the types module, by Rust name.
    Named(String),
    /// Binary data (`format: binary`): bytes with an optional file name and content type.
    Binary,
    /// `Box<T>`, inserted where a type contains itself.
    Boxed(Box<TypeRef>),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>`, for nullable values that are not fields.
    Option(Box<TypeRef>),
}

/// The Rust type as a reader would write it (`Vec<String>`, `BTreeMap<String, i64>`), for
/// reports.
impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Bool => f.write_str("bool"),
            TypeRef::I32 => f.write_str("i32"),
            TypeRef::I64 => f.write_str("i64"),
            TypeRef::F32 => f.write_str("f32"),
            TypeRef::F64 => f.write_str("f64"),
            TypeRef::String => f.write_str("String"),
            TypeRef::Json => f.write_str("serde_json::Value"),
            TypeRef::JsonObject => f.write_str("serde_json::Map<String, serde_json::Value>"),
            TypeRef::Named(name) => f.write_str(name),
            TypeRef::Binary => f.write_str("Binary"),
            TypeRef::Boxed(inner) => write!(f, "Box<{inner}>"),
            TypeRef::Vec(inner) => write!(f, "Vec<{inner}>"),
            TypeRef::Map(inner) => write!(f, "BTreeMap<String, {inner}>"),
            TypeRef::Option(inner) => write!(f, "Option<{inner}>"),
        }
    }
}

impl TypeRef {
    /// Whether values of this type are strings on the wire and in Rust.
    pub fn is_string(&self) -> bool {
        matches!(self, TypeRef::String)
    }

    /// Whether this is a Rust number type.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64
        )
    }
}

/// HTTP methods OpenAPI 3.0 knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The upper-case method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `rust` is the client method (`list_badges`); `wire` the operationId (`listBadges`).
    pub name: Name,
    /// The request builder type (`ListBadges`).
    pub builder: String,
    /// The expectation builder type of the mock server (`ListBadgesMock`).
    pub mock: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template as written in the spec, e.g. `/badges/{id}`.
    pub path: String,
    /// The path split into literals and parameters.
    pub path_parts: Vec<PathPart>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `Some(note)` when the operation is deprecated.
    pub deprecated: Option<String>,
    /// Parameters in spec order (path-level first, then operation-level).
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// Every documented response in spec order.
    pub responses: Vec<Response>,
    /// How `send()` returns a success.
    pub success: Success,
    /// A page-walking stream, from `x-pagination`.
    pub pagination: Option<Pagination>,
    /// The credentials the operation takes: alternatives, each a set of indices into
    /// [`Api::auth`] sent together; an empty alternative means none is needed.
    pub security: Vec<Vec<usize>>,
    /// The media types the operation's success responses come in, for `Accept`.
    pub accept: Vec<String>,
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text, sent as written.
    Literal(String),
    /// The path parameter at this index of [`Operation::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl Location {
    /// The location as OpenAPI names it: `path`, `query`, `header` or `cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// One server the API is served at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// `rust` is the `Server` variant; `wire` the URL as the spec writes it.
    pub name: Name,
    /// The URL with variables replaced by their defaults, without a trailing slash.
    pub url: String,
    /// The server's description.
    pub docs: Docs,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// `rust` is the argument/setter name; `wire` the parameter name.
    pub name: Name,
    /// Where it goes.
    pub location: Location,
    /// Whether the caller must give it. Required parameters that are not client settings
    /// become method arguments.
    pub required: bool,
    /// The value type (for arrays, `Vec<T>`, sent as repeated query pairs).
    pub ty: TypeRef,
    /// The description.
    pub docs: Docs,
    /// The spec's example value, rendered as JSON.
    pub example: Option<String>,
    /// The client setting (index into [`Api::settings`]) that supplies it by default.
    pub setting: Option<usize>,
    /// Whether the parameter is deprecated.
    pub deprecated: bool,
    /// How the value is serialized (OpenAPI `style`, or `content` as JSON).
    pub style: Style,
    /// OpenAPI `explode`.
    pub explode: bool,
    /// OpenAPI `allowReserved`: reserved characters are sent unencoded in the query.
    pub allow_reserved: bool,
    /// The schema's `minimum`/`maximum` of a numeric parameter, checked before sending.
    pub bounds: Bounds,
    /// The JSON pointer of the parameter object, for reports.
    pub origin: String,
}

/// The range a number must be in (JSON Schema `minimum`, `maximum` and their exclusive forms).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// The lower bound and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    /// The upper bound and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
}

impl Bounds {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.minimum.is_none() && self.maximum.is_none()
    }
}

/// How a parameter (or form field) is serialized, as OpenAPI names the RFC 6570 styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Style {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    /// Described by `content: application/json`: the value's JSON text.
    Json,
}

impl Style {
    /// The style as OpenAPI names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Simple => "simple",
            Style::Label => "label",
            Style::Matrix => "matrix",
            Style::Form => "form",
            Style::SpaceDelimited => "spaceDelimited",
            Style::PipeDelimited => "pipeDelimited",
            Style::DeepObject => "deepObject",
            Style::Json => "json",
        }
    }
}

impl Param {
    /// Whether the parameter is a method argument rather than a builder setter.
    pub fn is_argument(&self) -> bool {
        self.required && self.setting.is_none()
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Argument or setter name (from `x-body-name`, else `body`).
    pub name: String,
    /// Whether it must be sent.
    pub required: bool,
    /// The description.
    pub docs: Docs,
    /// The media types the operation accepts, the default (JSON where there is one) first.
    pub kinds: Vec<BodyKind>,
    /// When there are several: the enum that holds one of them (`CreateThingBody`).
    pub choice: Option<String>,
    /// The variant name of each media type in that enum (`Json`, `Form`, `ImagePng`).
    pub words: Vec<String>,
}

impl Body {
    /// The default media type's kind.
    pub fn default_kind(&self) -> &BodyKind {
        &self.kinds[0]
    }
}

/// One media type of a request body.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// JSON (`application/json`, `*+json`).
    Json {
        /// The media type.
        media: String,
        /// The value's type.
        ty: TypeRef,
    },
    /// `application/x-www-form-urlencoded`: the value's fields as form pairs.
    Form {
        /// The media type.
        media: String,
        /// The value's type.
        ty: TypeRef,
        /// Per-property encodings (`encoding` in the spec): property, style, explode.
        encodings: Vec<(String, Style, bool)>,
    },
    /// `multipart/form-data` (and other `multipart/*`): one part per property.
    Multipart {
        /// The media type.
        media: String,
        /// The value's type.
        ty: TypeRef,
        /// The parts, from the struct's fields.
        parts: Vec<MultipartPart>,
    },
    /// Bytes sent as they are (`application/octet-stream`, images, `*/*`).
    Binary {
        /// The media type (the `Content-Type` sent; `application/octet-stream` for `*/*`).
        media: String,
    },
    /// Text (`text/plain` and other `text/*`).
    Text {
        /// The media type.
        media: String,
    },
}

impl BodyKind {
    /// The media type.
    pub fn media(&self) -> &str {
        match self {
            BodyKind::Json { media, .. }
            | BodyKind::Form { media, .. }
            | BodyKind::Multipart { media, .. }
            | BodyKind::Binary { media }
            | BodyKind::Text { media } => media,
        }
    }

    /// A short word for the kind, used in names (`Json`, `Form`, `Multipart`, `Bytes`, `Text`).
    pub fn word(&self) -> &'static str {
        match self {
            BodyKind::Json { .. } => "Json",
            BodyKind::Form { .. } => "Form",
            BodyKind::Multipart { .. } => "Multipart",
            BodyKind::Binary { .. } => "Bytes",
            BodyKind::Text { .. } => "Text",
        }
    }
}

/// One part of a multipart body: a field of the body's struct.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartPart {
    /// The field (`rust`) and part name (`wire`).
    pub name: Name,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// How the part is made from the field.
    pub kind: PartKind,
}

/// How a multipart part is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A file: bytes with a file name and content type.
    File,
    /// A list of files, one part each.
    Files,
    /// Text: strings as they are, other values as JSON.
    Value,
}

/// A status the spec documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// One code.
    Code(u16),
    /// `1XX` … `5XX`: the hundreds digit.
    Range(u16),
    /// `default`: any status not otherwise documented.
    Default,
}

impl Status {
    /// Whether the status (or range) is a success.
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(code) => (200..300).contains(&code),
            Status::Range(hundreds) => hundreds == 2,
            Status::Default => false,
        }
    }
}

/// A response body's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    /// JSON decoded into this type.
    Json(TypeRef),
    /// Text, returned as a `String`.
    Text,
    /// Bytes (PDF, images, archives, `application/octet-stream`), returned as they are.
    Binary,
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status or range.
    pub status: Status,
    /// The spec's description (e.g. "unauthorized").
    pub description: String,
    /// The body, if the spec documents one.
    pub body: Option<ResponseBody>,
}

/// What a successful `send()` returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// Every success status carries the same body (or none): `ResponseValue<T>`.
    Single(Option<ResponseBody>),
    /// Success statuses carry different bodies: an enum in the types module, one variant per
    /// status, named after the status.
    Multi {
        /// The enum's name.
        name: String,
        /// One variant per success response, in spec order.
        variants: Vec<SuccessVariant>,
    },
}

/// One variant of a multi-status success enum.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessVariant {
    /// Variant name (`Ok`, `Created`, …).
    pub name: String,
    /// The status it matches.
    pub status: Status,
    /// Its body, if any.
    pub body: Option<ResponseBody>,
    /// The spec's description.
    pub description: String,
}

/// How to walk a paged list operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index of the offset parameter (e.g. `skip`) in [`Operation::params`].
    pub offset: usize,
    /// Index of the page-size parameter (e.g. `take`).
    pub limit: usize,
    /// Rust name of the response field holding the page's items.
    pub items_field: String,
    /// Rust name of the response field holding the total count.
    pub total_field: Option<String>,
    /// Whether the items field is an `Option`.
    pub items_optional: bool,
    /// Whether the total field is an `Option`.
    pub total_optional: bool,
    /// The item type.
    pub item: TypeRef,
}
