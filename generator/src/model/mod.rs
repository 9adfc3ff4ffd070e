//! Stage 2, *model*: the loaded document resolved into named Rust types and
//! operations. Nothing here knows about tokens; every name is final.

mod aliases;
mod answers;
mod build;
mod canonical;
mod configure;
mod contract;
mod cycles;
mod diagnostics;
mod formats;
mod groups;
mod naming;
mod operation_data;
mod operations;
mod pagination;
mod reach;
mod sample_values;
mod samples;
mod schemas;

pub use build::{build, build_configured, build_with};
pub use contract::{CallArguments, CallBody, ContractCall};
pub use naming::{
    CLIENT_MEMBERS, DATE_TIME_READER, METHOD_ARGUMENTS, METHOD_LOCALS, MOCK_BUILDER_METHODS,
    MOCK_SERVER_MEMBERS, MockNames, WIRE_LOCALS, clean_operation_id, contract_call, crate_ident,
    credential_setter, edit_distance, field_name, paginated_method, provider_setter, type_name,
    variant_name,
};
pub use operation_data::*;
pub use samples::UNKNOWN_VALUE_ORIGIN;

use crate::error::{Pointer, Warning};
use serde_json::Value;

/// Index of a type in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// Everything the emitter needs, and nothing it must look up elsewhere.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// `servers[0].url`, the client's default base URL, when the spec has one.
    pub default_server: Option<String>,
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// The types operations declare (parameters, headers, success and
    /// error enums, forms), in the order of their operations.
    pub operation_types: Vec<OperationType>,
    pub security_schemes: Vec<SecurityScheme>,
    /// Keys of 3.1 `mutualTLS` schemes: the client certificate goes on the
    /// HTTP client the caller brings.
    pub mutual_tls: Vec<String>,
    /// Instances to round-trip through the generated types: the spec's own
    /// examples and instances synthesised from the schemas.
    pub samples: Vec<Sample>,
    /// Synthesised samples left out because no instance satisfying the
    /// schema could be made: test name and why.
    pub skipped_samples: Vec<(String, String)>,
    /// The arguments `cargo xtask contract` calls each operation with.
    pub contract_calls: Vec<ContractCall>,
    pub warnings: Vec<Warning>,
    /// Names of std types (`String`, `Option`, ...) that a schema type of
    /// the same name shadows in the types module.
    pub shadowed_std_names: std::collections::BTreeSet<String>,
    /// JSON keys whose values error messages must not quote: the wire
    /// names of every sensitive property and parameter, and the common
    /// credential names. Sorted.
    pub sensitive_keys: Vec<String>,
    /// Types that only ever stand for a multipart form (FastAPI's
    /// `Body_upload_upload_post`): the operation's form struct describes
    /// that body, with its files as `FilePart`s, so these are not emitted
    /// (as JSON types they would describe files as strings).
    pub form_only: std::collections::BTreeSet<TypeId>,
    /// Types no operation the configuration keeps reaches: not emitted.
    pub pruned: std::collections::BTreeSet<TypeId>,
    /// `[dependencies]` lines the configuration's replacement types need.
    pub extra_dependencies: Vec<String>,
    /// Tag groups of operations, when the configuration asks for them.
    pub groups: Vec<OperationGroup>,
    /// The crates that hold formatted strings (`[formats]`).
    pub formats: Formats,
    /// Suggestions, not problems (see [`WarningKind::Suggestion`](crate::error::WarningKind::Suggestion)).
    pub notes: Vec<Warning>,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub fn operation_type(&self, id: OperationTypeId) -> &OperationType {
        &self.operation_types[id.0]
    }

    /// The fields of `op`'s multipart form, when it has one.
    pub fn form_fields(&self, op: &Operation) -> Option<&[FormField]> {
        match &self.operation_type(op.form_type?).kind {
            OperationTypeKind::Form(fields) => Some(fields),
            _ => None,
        }
    }

    /// How docs name the method that calls `op`, and the rustdoc path
    /// they link it by: (`Client::list`, `crate::Client::list`), or
    /// (`Repos::get`, `crate::groups::Repos::get`) for a grouped one.
    pub fn method_link(&self, op: &Operation) -> (String, String) {
        let method = op.call_name();
        match op
            .group
            .as_ref()
            .and_then(|place| self.groups.get(place.group))
        {
            Some(group) => (
                format!("{}::{method}", group.type_name),
                format!("crate::groups::{}::{method}", group.type_name),
            ),
            None => (
                format!("Client::{method}"),
                format!("crate::Client::{method}"),
            ),
        }
    }

    /// The operations of group `index` (of [`Api::groups`]), in order.
    pub fn operations_in_group(&self, index: usize) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .filter(move |op| op.group.as_ref().is_some_and(|place| place.group == index))
    }

    /// The group `op` is called through, when it is grouped.
    pub fn group_of(&self, op: &Operation) -> Option<&OperationGroup> {
        op.group
            .as_ref()
            .and_then(|place| self.groups.get(place.group))
    }

    /// The types the generated crate declares, with their ids.
    pub fn emitted_types(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types
            .iter()
            .enumerate()
            .map(|(i, t)| (TypeId(i), t))
            .filter(|(id, _)| !self.form_only.contains(id) && !self.pruned.contains(id))
    }

    /// `ty` with aliases followed to what they name (a named struct, enum
    /// or union stays named).
    pub fn resolve_alias<'a>(&'a self, ty: &'a TypeRef) -> &'a TypeRef {
        aliases::resolve(ty, self.types.len(), aliases::Nulls::Kept, |id| {
            self.types.get(id.0).map(|t| &t.kind)
        })
    }

    /// Whether a struct field that is absent from the JSON reads as `None`
    /// rather than being an error: the Rust type is an `Option`, directly or
    /// through aliases (a required, nullable property too, as serde has it).
    pub fn absent_reads_as_none(&self, field: &Field) -> bool {
        if field.is_option() {
            return true;
        }
        matches!(self.resolve_alias(&field.ty), TypeRef::Nullable(_))
    }

    /// The sensitive string fields at the top of a request body's type (a
    /// refresh token, a password), which the client blanks out of error
    /// text should a server echo them.
    pub fn secret_body_fields(&self, body: &TypeRef) -> Vec<&Field> {
        self.struct_behind(body).map_or_else(Vec::new, |s| {
            s.fields
                .iter()
                .filter(|f| f.sensitive && f.ty == TypeRef::String)
                .collect()
        })
    }

    /// The struct `ty` names, through aliases.
    pub fn struct_behind(&self, ty: &TypeRef) -> Option<&StructDef> {
        match self.resolve_alias(ty) {
            TypeRef::Named(id) => match &self.ty(*id).kind {
                TypeKind::Struct(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether any type use in the API satisfies `matches` (to decide which
    /// optional dependencies the generated crate needs).
    pub fn uses(&self, matches: impl Fn(&TypeRef) -> bool + Copy) -> bool {
        let in_types = self.emitted_types().any(|(_, t)| match &t.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(&s.additional)
                .any(|t| t.contains(matches)),
            TypeKind::Union(u) => u.variants.iter().any(|v| v.ty.contains(matches)),
            TypeKind::Tagged(t) => t.variants.iter().any(|v| v.ty.contains(matches)),
            TypeKind::Alias(t) => t.contains(matches),
            TypeKind::Enum(_) => false,
        });
        let in_operations = self.operations.iter().any(|op| {
            let body = |b: &ResponseBody| match b {
                ResponseBody::Json(t)
                | ResponseBody::EventStream(Some(t))
                | ResponseBody::JsonLines(t) => t.contains(matches),
                _ => false,
            };
            op.params.iter().any(|p| p.ty.contains(matches))
                || op.response_headers.iter().any(|h| h.ty.contains(matches))
                || op.body.as_ref().is_some_and(|b| b.ty.contains(matches))
                || op.successes.iter().any(|e| body(&e.body))
                || op.errors.iter().any(|e| body(&e.body))
        });
        in_types || in_operations
    }
}

/// Rendered documentation of an item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Docs {
    /// Markdown text for `///` comments.
    pub text: Option<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Where the schema lives in the document.
    pub origin: Pointer,
    pub docs: Docs,
    /// A 3.0 `nullable: true` on a component applies to every reference to it.
    pub nullable: bool,
    pub kind: TypeKind,
    /// Derives the configuration adds (`Eq`, `Hash`, `schemars::JsonSchema`),
    /// beside those every type has.
    pub derives: Vec<String>,
    /// The caller's type that stands for this schema (`[replace]`): the
    /// crate declares an alias of it instead.
    pub replaced_by: Option<String>,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
    /// A `oneOf` with a `discriminator`: the tag property picks the variant.
    Tagged(TaggedDef),
    Alias(TypeRef),
}

#[derive(Debug, Clone)]
pub struct TaggedDef {
    /// The discriminator property, as on the wire.
    pub tag: String,
    pub variants: Vec<TaggedVariant>,
}

#[derive(Debug, Clone)]
pub struct TaggedVariant {
    pub name: String,
    /// Tag values that select this variant; the first is written.
    pub values: Vec<String>,
    pub ty: TypeRef,
    /// Whether the variant's own type declares the tag property (then it
    /// serialises the tag itself; otherwise the union adds it).
    pub has_tag_field: bool,
    pub boxed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: a flattened map.
    pub additional: Option<TypeRef>,
    /// The Rust field that holds that map, clear of the declared fields.
    pub additional_name: String,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub wire_name: String,
    /// The value's type, without the `Option` that optionality or
    /// nullability adds.
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Must not show in `Debug` output (tokens, passwords, keys).
    pub sensitive: bool,
    /// Set where the field closes a cycle of types that contain each other.
    pub boxed: bool,
    /// The one value the schema allows (`const`, or a one-value `enum`), of
    /// any JSON type: it tells union variants apart.
    pub constant: Option<Value>,
    /// In the schema's `required`, even where the Rust field is optional
    /// (read- and write-only properties).
    pub schema_required: bool,
    /// Where the property's schema is, for samples that satisfy it.
    pub origin: Pointer,
    pub docs: Docs,
    /// Absent, `null` and a value are kept apart (`Nullable<T>` rather
    /// than `Option<T>`): optional and nullable, in a type request bodies
    /// send (`reach::mark_explicit_nulls`).
    pub explicit_null: bool,
}

impl Field {
    /// Present in Rust as `Option<T>`.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }

    /// The local that holds the field's value while its struct is read.
    pub fn slot(&self) -> String {
        naming::field_slot(&self.name)
    }
}

impl StructDef {
    /// The local that collects the properties beyond the declared ones.
    pub fn additional_slot(&self) -> String {
        naming::field_slot(&self.additional_name)
    }
}

/// A string enum. Values the spec does not list land in a catch-all variant,
/// so a server adding a value does not break deserialisation. A single-value
/// enum (a `const`) has none: such a field tells union variants apart, so it
/// must reject other values.
#[derive(Debug, Clone)]
pub struct EnumDef {
    pub variants: Vec<EnumVariant>,
    /// Name of the `(String)` variant holding values the spec does not list.
    pub catch_all: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub name: String,
    pub value: String,
}

/// An untagged union. The variants are tried in order; one whose constants
/// the payload contradicts is skipped, and among those that accept it, the
/// first that keeps every property present wins over the first that
/// accepts it at all.
#[derive(Debug, Clone)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
    pub boxed: bool,
    /// Properties whose one allowed value selects this variant: wire name,
    /// value, and whether the property is required.
    pub constants: Vec<(String, Value, bool)>,
    /// The properties a struct variant keeps, when it keeps no others (no
    /// map for additional properties); `None` for other variants.
    pub known_fields: Option<Vec<String>>,
}

impl UnionVariant {
    /// Whether `value` shows this variant's constants: a required one
    /// present with its value, an optional one absent or with its value.
    pub fn constants_hold(&self, value: &Value) -> bool {
        self.constants
            .iter()
            .all(|(wire, constant, required)| match value.get(wire) {
                Some(found) => found == constant,
                None => !required,
            })
    }

    /// Whether the variant keeps every property `value` has.
    pub fn covers(&self, value: &Value) -> bool {
        match (&self.known_fields, value.as_object()) {
            (Some(known), Some(map)) => map.keys().all(|k| known.contains(k)),
            _ => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntKind {
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatKind {
    F32,
    F64,
}

/// The Rust types of formatted strings, as `codegen.toml` chooses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub date_time: TimeCrate,
    pub date: TimeCrate,
    /// `format: uuid` as `uuid::Uuid` (else `String`).
    pub uuid: bool,
    /// Decimals as `rust_decimal::Decimal` (else `String`).
    pub decimal: bool,
}

impl Formats {
    /// What a crate gets without a `[formats]` table.
    pub const DEFAULT: Formats = Formats {
        date_time: TimeCrate::Chrono,
        date: TimeCrate::Chrono,
        uuid: true,
        decimal: false,
    };
}

/// The crate for dates and date-times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TimeCrate {
    #[default]
    Chrono,
    Jiff,
    /// A plain `String`, as the server wrote it.
    Text,
}

/// A use of a type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    Named(TypeId),
    String,
    Bool,
    Integer(IntKind),
    Float(FloatKind),
    /// Any JSON value.
    Any,
    /// Any JSON object.
    Object,
    Array(Box<TypeRef>),
    /// A JSON object with values of one type.
    Map(Box<TypeRef>),
    /// `null` or the inner type.
    Nullable(Box<TypeRef>),
    /// `format: date-time` (RFC 3339), held in UTC.
    DateTime,
    /// `format: date` (`YYYY-MM-DD`).
    Date,
    /// `format: uuid`.
    Uuid,
    /// `format: decimal` on a string, and FastAPI's `Decimal` (a number or
    /// a decimal string): a `String`, or `rust_decimal::Decimal` when
    /// `codegen.toml` chooses it.
    Decimal,
    /// `format: binary`: a string in JSON, a file in multipart bodies.
    Binary,
    /// A fixed-length array (`prefixItems`, or array-valued `items` in 3.0).
    Tuple(Vec<TypeRef>),
}

impl TypeRef {
    /// Whether this type, or a type it is built from (not following
    /// names), satisfies `matches`.
    pub fn contains(&self, matches: impl Fn(&TypeRef) -> bool + Copy) -> bool {
        matches(self)
            || match self {
                TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                    inner.contains(matches)
                }
                TypeRef::Tuple(members) => members.iter().any(|m| m.contains(matches)),
                _ => false,
            }
    }

    /// Splits off a top-level `Nullable`.
    pub fn strip_nullable(self) -> (TypeRef, bool) {
        match self {
            TypeRef::Nullable(inner) => (*inner, true),
            other => (other, false),
        }
    }
}

/// A JSON instance of a type, and the JSON the type must serialise it back to.
#[derive(Debug, Clone)]
pub struct Sample {
    pub ty: TypeRef,
    /// Unique snake_case name for the test (`hosted_login_token_minimal`).
    pub test_name: String,
    /// Where the instance came from, for test failure messages.
    pub origin: String,
    pub input: Value,
    pub expected: Value,
}
