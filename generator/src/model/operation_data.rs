//! The model's data for operations: parameters, bodies, responses, the
//! types an operation owns, and security schemes. (`operations/` builds
//! them from the document.)

use super::{Docs, MockNames, TypeRef};
use crate::error::Pointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    /// OpenAPI `style`: how the value is written.
    pub style: ParamStyle,
    /// For arrays and objects: one entry per item (`a=1&a=2`) or one
    /// joined value (`a=1,2`).
    pub explode: bool,
    /// Holds a credential: redacted in `Debug`.
    pub sensitive: bool,
    pub docs: Docs,
}

/// OpenAPI parameter styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    /// In the order a path item lists them, which is the order operations
    /// are generated in.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// As HTTP writes it (`GET`), which is also `reqwest::Method`'s constant.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// As a path item's key (`get`).
    pub fn key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }
}

/// How a request body is put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `serde_json` of the body type.
    Json,
    /// A `String`, sent as it is.
    Text,
    /// Raw bytes, sent as they are.
    Bytes,
    /// `application/x-www-form-urlencoded` of the body type.
    Form,
    /// `multipart/form-data` from the operation's form struct.
    Multipart,
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub ty: TypeRef,
    pub encoding: BodyEncoding,
    pub content_type: String,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct FormField {
    pub name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    /// Whether the part is a file (or a list of files) rather than a value.
    pub file: Option<FormFile>,
    /// `Option` in the struct: absent parts are not sent.
    pub optional: bool,
    pub docs: Docs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFile {
    One,
    Many,
}

/// Which statuses a response case covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `4XX`: the hundreds digit.
    Range(u16),
    Default,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    Empty,
    Json(TypeRef),
    Text,
    Bytes,
    /// Server-Sent Events, each `data` of the item type (`None`: the text
    /// itself, as nothing types it).
    EventStream(Option<TypeRef>),
    /// JSON records, one per line, of the item type.
    JsonLines(TypeRef),
}

impl ResponseBody {
    /// Read item by item as it arrives, rather than buffered whole.
    pub fn is_stream(&self) -> bool {
        matches!(
            self,
            ResponseBody::EventStream(_) | ResponseBody::JsonLines(_)
        )
    }

    /// The same body read whole: a stream where only a buffered body can
    /// go (an enum of several success bodies, an error body).
    pub fn buffered(self) -> ResponseBody {
        match self {
            ResponseBody::EventStream(_) => ResponseBody::Text,
            ResponseBody::JsonLines(_) => ResponseBody::Bytes,
            other => other,
        }
    }
}

/// A header a success response declares.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    pub name: String,
    pub wire_name: String,
    pub ty: TypeRef,
    pub sensitive: bool,
    pub docs: Docs,
}

#[derive(Debug, Clone)]
pub struct ResponseCase {
    pub status: StatusMatch,
    pub body: ResponseBody,
    /// Variant name in the operation's error enum.
    pub variant: String,
    pub description: String,
}

/// What a successful call of an operation returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Success<Enum = OperationTypeId> {
    /// Every success status has this body (`Bytes` is streamed).
    Body(ResponseBody),
    /// Success statuses with different bodies: the enum, one variant per
    /// status, that holds them (while operations are built, by its name).
    PerStatus(Enum),
}

/// A type an operation declares, by its index in
/// [`Api::operation_types`](super::Api::operation_types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationTypeId(pub usize);

/// A type that exists for an operation rather than for a schema: its
/// parameters, response headers, success or error enum, multipart form.
/// These share the namespace of the schema types (and `[rename.types]`).
#[derive(Debug, Clone)]
pub struct OperationType {
    pub name: String,
    /// The operation that declares it, by its index in
    /// [`Api::operations`](super::Api::operations) (a streaming twin uses
    /// its buffered operation's types).
    pub owner: usize,
    pub kind: OperationTypeKind,
}

#[derive(Debug, Clone)]
pub enum OperationTypeKind {
    /// Its query, header and cookie parameters (the path ones are
    /// arguments of the method).
    Params,
    /// The headers its success responses declare.
    Headers,
    /// Its success responses, one variant per status.
    Success,
    /// Its declared error responses, one variant per case. `shared_with`:
    /// the later operations (indices) whose errors have the same
    /// statuses, variants and bodies, and whose error types alias this
    /// one, to keep the crate small.
    Errors { shared_with: Vec<usize> },
    /// The same error responses as an earlier operation's: an alias of
    /// its enum under this operation's name.
    ErrorsAlias(OperationTypeId),
    /// The struct a caller fills for a multipart body: a copy of the body
    /// schema's fields, with `format: binary` ones as files.
    Form(Vec<FormField>),
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The client method, snake_case.
    pub method_name: String,
    pub http_method: HttpMethod,
    /// The path template (`/items/{id}`), as docs, tracing and hooks show it.
    pub path: String,
    /// The template in pieces, in order, as the request builds the path.
    pub path_pieces: Vec<PathPiece>,
    pub params: Vec<Param>,
    /// Struct holding query, header and cookie parameters, when there are any.
    pub params_type: Option<OperationTypeId>,
    pub body: Option<RequestBody>,
    /// The struct a caller fills for a multipart body.
    pub form_type: Option<OperationTypeId>,
    /// Statuses that count as success (all 2XX when none is declared),
    /// each with its body.
    pub successes: Vec<ResponseCase>,
    /// What a success returns.
    pub success: Success,
    /// Declared statuses whose body goes into the error enum.
    pub errors: Vec<ResponseCase>,
    /// The error enum (or its alias), when `errors` is not empty.
    pub error_type: Option<OperationTypeId>,
    /// Headers the success responses declare.
    pub response_headers: Vec<ResponseHeader>,
    /// Struct that reads them from a response, when there are any.
    pub headers_type: Option<OperationTypeId>,
    /// Alternatives (any one suffices); each lists indices into
    /// [`Api::security_schemes`] that must all be applied. Empty: no auth.
    pub security: Vec<Vec<usize>>,
    /// The `Accept` a streamed success asks for (`text/event-stream`).
    pub accept: Option<String>,
    /// For the streaming twin of an operation whose response offers JSON
    /// and a stream: the buffered method's name. The twin shares that
    /// method's parameter, form, header and error types.
    pub variant_of: Option<String>,
    pub docs: Docs,
    pub origin: Pointer,
    /// Its names in the generated `mock` module.
    pub mock: MockNames,
    /// Its page helper, when `codegen.toml` paginates it.
    pub pagination: Option<Pagination>,
    /// Its place in a tag group, when `codegen.toml` groups operations
    /// (`[client] group_by = "tag"`); `None`: a method of `Client`.
    pub group: Option<GroupPlace>,
}

impl Operation {
    /// The name of the method that calls it: `method_name`, or its name in
    /// its group.
    pub fn call_name(&self) -> &str {
        self.group
            .as_ref()
            .map_or(&self.method_name, |place| &place.method)
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPiece {
    /// Text sent as it is (`/items/`).
    Literal(String),
    /// A path parameter's value, by its index in [`Operation::params`].
    Param(usize),
}

impl Operation {
    /// Whether the path has parameters to fill (else the template is the
    /// path).
    pub fn path_has_params(&self) -> bool {
        self.path_pieces
            .iter()
            .any(|piece| matches!(piece, PathPiece::Param(_)))
    }
}

/// Where a grouped operation is called: `client.<accessor>().<method>()`.
#[derive(Debug, Clone)]
pub struct GroupPlace {
    /// Index into [`Api::groups`](super::Api::groups).
    pub group: usize,
    /// The method's name in the group (`get` for `repos_get` in `repos`).
    /// `method_name` stays the operation's unique name: tracing, hooks,
    /// the mock builders and the contract program use it.
    pub method: String,
}

/// The operations of one tag (`client.repos()`), and its names.
#[derive(Debug, Clone)]
pub struct OperationGroup {
    /// The tag, as the document names it.
    pub tag: String,
    /// The `Client` method that returns the group (`repos`), also the
    /// `MockServer` method that returns the group's mocks.
    pub accessor: String,
    /// The group's type in the `groups` module (`Repos`).
    pub type_name: String,
    /// The group's type in the `mock` module (`ReposMocks`).
    pub mock_type: String,
    /// The tag's description.
    pub docs: Docs,
}

/// A list operation's page helper (`list_pets_all`): every item, page
/// after page.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The `Client` method that walks the pages.
    pub helper: String,
    pub style: PageStyleKind,
    /// The parameters struct's field that says where a page starts, its
    /// type, and whether it is an `Option`.
    pub param_field: String,
    pub param_ty: TypeRef,
    pub param_optional: bool,
    /// The response struct's field that holds the items (and whether it is
    /// an `Option`); `None`: the response is the list.
    pub items_field: Option<(String, bool)>,
    pub item_ty: TypeRef,
    /// For [`PageStyleKind::Cursor`]: the response field with the next
    /// cursor, and whether it is an `Option`.
    pub next_field: Option<(String, bool)>,
    pub max_pages: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyleKind {
    Cursor,
    /// The cursor is the parameter's value in a `Link: rel="next"` target.
    Link,
    Offset,
    Number {
        first: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// `Authorization: Basic <base64(user:password)>`.
    Basic,
    ApiKey {
        location: ParamLocation,
        name: String,
    },
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// The key in `components.securitySchemes`.
    pub key: String,
    pub kind: SchemeKind,
    /// Field on the generated `Client` holding the credential.
    pub field: String,
    /// `Client` method that sets it.
    pub setter: String,
    /// `Client` method that sets a provider asked for it on every request.
    pub provider_setter: String,
    pub docs: Docs,
}
