//! JSON Schemas → named Rust types.
//!
//! Component schemas become types named after their key. Inline schemas that
//! need a type of their own (objects with properties, string enums, unions)
//! are named from where they sit (`ValidationError` + `loc` item →
//! `ValidationErrorLocItem`); each schema position is converted once, so a
//! schema reached along two paths is one type.

mod docs;
mod keywords;
mod objects;
mod scalars;
mod unions;

use crate::error::WarningKind;
use crate::model::aliases::{self, Nulls};
pub(super) use docs::docs;
use scalars::{enum_def, float_kind, format_name, int_kind, string_format};

use super::cycles;
use super::diagnostics::Diagnostics;
use super::naming::{self, Namespace};
use super::{Docs, TypeDef, TypeId, TypeKind, TypeRef};
use crate::error::{Error, LocalKind, Pointer};
use crate::load::Document;
use crate::load::normalize::{X_IGNORED, X_NULL, X_PREFIX_ITEMS};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

/// What a schema turns into before it is given a name (or not).
enum Shape {
    /// An existing type or a type expression; no new definition needed.
    Ref(TypeRef),
    /// A new definition, named by the caller.
    Def(TypeKind),
}

/// The object-ish parts of a schema, gathered across `allOf` members.
struct ObjectPart<'s> {
    properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    at: Pointer,
}

pub(super) struct Converter<'a> {
    doc: &'a Document,
    types: Vec<Option<TypeDef>>,
    /// Component schemas marked `nullable: true`, by type.
    nullable: Vec<bool>,
    /// The type defined for a schema position, so it is converted once.
    by_pointer: HashMap<Pointer, TypeId>,
    /// Titled inline schemas already defined, by their JSON.
    by_content: HashMap<String, TypeId>,
    /// Schemas parsed from the raw tree (targets of deep `$ref`s).
    parsed: HashMap<Pointer, Option<Schema>>,
    names: Namespace,
    /// Local defects become warnings (see [`Converter::local`]).
    /// Where each type name was first claimed, for collision warnings.
    name_owners: HashMap<String, Pointer>,
    /// "did you mean" hints already worked out, by missing name: a large
    /// document may miss one name in thousands of places.
    suggestions: std::cell::RefCell<HashMap<String, String>>,
    /// What converting schemas found wrong or approximate.
    diagnostics: Diagnostics,
    /// The crates `[formats]` chose: a format kept as text is a `String`.
    formats: crate::model::Formats,
}

impl<'a> Converter<'a> {
    pub fn new(doc: &'a Document, lenient: bool, formats: crate::model::Formats) -> Self {
        Converter {
            doc,
            types: Vec::new(),
            nullable: Vec::new(),
            by_pointer: HashMap::new(),
            parsed: HashMap::new(),
            by_content: HashMap::new(),
            names: Namespace::default(),
            name_owners: HashMap::new(),
            suggestions: Default::default(),
            diagnostics: Diagnostics::new(lenient),
            formats,
        }
    }

    fn warn(&mut self, kind: WarningKind, at: &Pointer, message: impl Into<String>) {
        self.diagnostics.warn(kind, at, message);
    }

    fn local(&mut self, kind: LocalKind, at: &Pointer, message: String, degraded: &str) {
        self.diagnostics.local(kind, at, message, degraded);
    }

    /// Claims a name in the shared type namespace (also used for the types
    /// operations add: error enums, parameter structs).
    pub fn claim_type_name(&mut self, desired: &str, at: &Pointer) -> String {
        let (name, renamed) = self.names.claim(desired);
        if renamed {
            let owner = self
                .name_owners
                .get(desired)
                .map_or_else(|| "a built-in name".to_owned(), Pointer::to_string);
            self.warn(
                WarningKind::Renamed,
                at,
                format!("type name `{desired}` is already used by {owner}; this one is `{name}`"),
            );
        }
        self.name_owners.insert(name.clone(), at.clone());
        name
    }

    fn components(&self) -> Vec<(&'a String, &'a ReferenceOr<Schema>)> {
        let mut all: Vec<_> = self
            .doc
            .openapi
            .components
            .iter()
            .flat_map(|c| c.schemas.iter())
            .collect();
        // Sorted, so that names (and collision suffixes) do not depend on
        // the order of keys in the document.
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Reserves a type for every component schema before any is converted,
    /// so references can be resolved in any order (and in cycles).
    pub fn register_components(&mut self) {
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in self.components() {
            let at = base.join(key);
            let name = self.claim_type_name(&naming::type_name(key), &at);
            let nullable = schema.as_item().is_some_and(|s| s.schema_data.nullable);
            let id = self.reserve(at);
            self.nullable[id.0] = nullable;
            // Name is fixed now; the definition comes later.
            self.types[id.0] = Some(TypeDef {
                derives: Vec::new(),
                replaced_by: None,
                name,
                origin: Pointer::root(),
                docs: Docs::default(),
                nullable,
                kind: TypeKind::Alias(TypeRef::Any),
            });
        }
    }

    fn reserve(&mut self, at: Pointer) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(None);
        self.nullable.push(false);
        self.by_pointer.insert(at, id);
        id
    }

    pub fn convert_components(&mut self) {
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in self.components() {
            let at = base.join(key);
            let id = self.by_pointer[&at];
            let name = self.types[id.0]
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let (kind, docs) = match schema {
                ReferenceOr::Reference { reference } => (
                    TypeKind::Alias(self.reference(reference, &at)),
                    Docs::default(),
                ),
                ReferenceOr::Item(schema) => {
                    let docs = docs(schema, key);
                    let kind = match self.shape(schema, &at, &name) {
                        Shape::Def(kind) => kind,
                        Shape::Ref(ty) => TypeKind::Alias(ty),
                    };
                    (kind, docs)
                }
            };
            let nullable = self.nullable[id.0];
            self.types[id.0] = Some(TypeDef {
                derives: Vec::new(),
                replaced_by: None,
                name,
                origin: at,
                docs,
                nullable,
                kind,
            });
        }
    }

    /// Converts a schema in a position that takes a type (a property, an
    /// item, a body); `hint` names a new type if one is needed.
    pub fn convert(&mut self, schema: &ReferenceOr<Schema>, at: &Pointer, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.convert_schema(schema, at, hint),
        }
    }

    fn convert_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        at: &Pointer,
        hint: &str,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.convert_schema(schema, at, hint),
        }
    }

    pub fn convert_schema(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> TypeRef {
        // An inline schema with a title names a concept; the same titled
        // schema repeated inline (common in generated specs) is one type.
        let content_key = schema
            .schema_data
            .title
            .as_ref()
            .and_then(|_| serde_json::to_string(schema).ok());
        if let Some(id) = content_key
            .as_ref()
            .and_then(|key| self.by_content.get(key))
        {
            return nullable_if(schema.schema_data.nullable, TypeRef::Named(*id));
        }
        let base = match self.by_pointer.get(at) {
            Some(id) => TypeRef::Named(*id),
            None => match self.shape(schema, at, hint) {
                Shape::Ref(ty) => ty,
                Shape::Def(kind) => {
                    let docs = docs(schema, hint);
                    let id = self.define(hint, at, docs, kind);
                    if let Some(key) = content_key {
                        self.by_content.insert(key, id);
                    }
                    TypeRef::Named(id)
                }
            },
        };
        nullable_if(schema.schema_data.nullable, base)
    }

    fn define(&mut self, hint: &str, at: &Pointer, docs: Docs, kind: TypeKind) -> TypeId {
        let name = self.claim_type_name(&naming::type_name(hint), at);
        let id = self.reserve(at.clone());
        self.types[id.0] = Some(TypeDef {
            derives: Vec::new(),
            replaced_by: None,
            name,
            origin: at.clone(),
            docs,
            nullable: false,
            kind,
        });
        id
    }

    /// Resolves a `$ref` to the type at its target.
    pub fn reference(&mut self, reference: &str, at: &Pointer) -> TypeRef {
        if reference.trim().is_empty() {
            self.local(
                LocalKind::EmptyRef,
                at,
                "empty $ref".into(),
                "using serde_json::Value",
            );
            return TypeRef::Any;
        }
        let Some(target) = Pointer::from_ref(reference) else {
            self.diagnostics.error(Error::invalid(
                at,
                format!("external $ref `{reference}` is not supported; bundle the document into one file first (e.g. `redocly bundle`)"),
            ));
            return TypeRef::Any;
        };
        if let Some(&id) = self.by_pointer.get(&target) {
            return nullable_if(self.nullable[id.0], TypeRef::Named(id));
        }
        let segments: Vec<String> = target.segments().collect();
        // A pointer may reach into any object (`#/components/parameters/
        // Kind/schema`); only one that lands on a non-schema component, or
        // inside one away from its schemas, is the wrong kind.
        if segments.first().map(String::as_str) == Some("components")
            && segments.get(1).is_some_and(|kind| kind != "schemas")
            && !(segments.len() > 3 && is_schema_place(&segments))
        {
            self.local(
                LocalKind::WrongComponent,
                at,
                format!(
                    "$ref `{reference}` points to a {} component where a schema is expected",
                    segments[1]
                ),
                "using serde_json::Value",
            );
            return TypeRef::Any;
        }
        let Some(schema) = self.schema_at(&target) else {
            let message = format!(
                "$ref `{reference}` does not point to a schema in this document{}",
                self.suggestion(&segments)
            );
            self.local(
                LocalKind::MissingRef,
                at,
                message,
                "using serde_json::Value",
            );
            return TypeRef::Any;
        };
        let hint = naming::reference_hint(&segments);
        // Reserve first: the target may refer back to itself.
        let id = self.reserve(target.clone());
        let name = self.claim_type_name(&naming::type_name(&hint), &target);
        let docs = docs(&schema, &hint);
        let kind = match self.shape(&schema, &target, &name) {
            Shape::Def(kind) => kind,
            Shape::Ref(ty) => TypeKind::Alias(ty),
        };
        self.nullable[id.0] = schema.schema_data.nullable;
        self.types[id.0] = Some(TypeDef {
            derives: Vec::new(),
            replaced_by: None,
            name,
            origin: target,
            docs,
            nullable: schema.schema_data.nullable,
            kind,
        });
        nullable_if(schema.schema_data.nullable, TypeRef::Named(id))
    }

    /// Whether a type is (an alias of) a struct, following names.
    pub fn is_struct(&self, ty: &TypeRef) -> bool {
        let kind_of = |id: TypeId| self.types.get(id.0)?.as_ref().map(|t| &t.kind);
        let resolved = aliases::resolve(ty, self.types.len(), Nulls::LookedThrough, kind_of);
        matches!(resolved, TypeRef::Named(id) if matches!(kind_of(*id), Some(TypeKind::Struct(_))))
    }

    /// "; did you mean ...?" for a missing component schema with a close name.
    fn suggestion(&self, segments: &[String]) -> String {
        let [first, kind, name] = segments else {
            return String::new();
        };
        if first != "components" || kind != "schemas" {
            return String::new();
        }
        if let Some(known) = self.suggestions.borrow().get(name) {
            return known.clone();
        }
        let close_enough = |key: &str| 2.max(key.len() / 4);
        let closest = self
            .components()
            .into_iter()
            // The distance is at least the difference in length: most
            // names are ruled out without computing it.
            .filter(|(key, _)| key.len().abs_diff(name.len()) <= close_enough(key))
            .map(|(key, _)| (naming::edit_distance(key, name), key))
            .filter(|(d, key)| *d <= close_enough(key))
            .min();
        let hint = match closest {
            Some((_, key)) => format!(" (did you mean `#/components/schemas/{key}`?)"),
            None => String::new(),
        };
        self.suggestions
            .borrow_mut()
            .insert(name.clone(), hint.clone());
        hint
    }

    /// The schema at a pointer, parsed from the normalised tree.
    fn schema_at(&mut self, target: &Pointer) -> Option<Schema> {
        if let Some(cached) = self.parsed.get(target) {
            return cached.clone();
        }
        let parsed = target
            .resolve(&self.doc.raw)
            .and_then(|v| serde_json::from_value::<Schema>(v.clone()).ok());
        self.parsed.insert(target.clone(), parsed.clone());
        parsed
    }

    fn shape(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Shape {
        if let Some(serde_json::Value::Array(ignored)) =
            schema.schema_data.extensions.get(X_IGNORED)
        {
            let names: Vec<String> = ignored
                .iter()
                .filter_map(|k| k.as_str())
                .map(|k| format!("`{k}`"))
                .collect();
            self.warn(
                WarningKind::Unenforced,
                at,
                format!(
                    "{} not represented in the generated type; values are not checked against it",
                    names.join(", ")
                ),
            );
        }
        if schema.schema_data.extensions.get(X_NULL) == Some(&serde_json::Value::Bool(true)) {
            return Shape::Ref(TypeRef::Any);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                if values.is_empty() {
                    Shape::Ref(string_format(&format_name(&s.format), self.formats))
                } else {
                    Shape::Def(TypeKind::Enum(enum_def(&values)))
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                Shape::Ref(TypeRef::Integer(int_kind(&format_name(&i.format))))
            }
            SchemaKind::Type(Type::Number(n)) => Shape::Ref(TypeRef::Float(float_kind(
                &format_name(&n.format),
                n.minimum,
                n.maximum,
            ))),
            SchemaKind::Type(Type::Boolean(_)) => Shape::Ref(TypeRef::Bool),
            SchemaKind::Type(Type::Object(o)) => {
                let part = ObjectPart {
                    properties: &o.properties,
                    required: &o.required,
                    additional: o.additional_properties.as_ref(),
                    at: at.clone(),
                };
                self.object_shape(vec![part], hint)
            }
            SchemaKind::Type(Type::Array(a)) => {
                Shape::Ref(self.array(a.items.as_ref(), &schema.schema_data, at, hint))
            }
            SchemaKind::AllOf { all_of } => self.all_of_shape(all_of, None, at, hint),
            SchemaKind::OneOf { one_of } => {
                self.discriminated(one_of, &schema.schema_data, &at.join("oneOf"), hint)
            }
            SchemaKind::AnyOf { any_of } => {
                self.discriminated(any_of, &schema.schema_data, &at.join("anyOf"), hint)
            }
            SchemaKind::Not { .. } => {
                self.warn(
                    WarningKind::Unenforced,
                    at,
                    "`not` cannot be expressed as a Rust type; using serde_json::Value",
                );
                Shape::Ref(TypeRef::Any)
            }
            SchemaKind::Any(any) => self.any_shape(any, &schema.schema_data, at, hint),
        }
    }

    fn array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> TypeRef {
        if let Some(serde_json::Value::Array(members)) = data.extensions.get(X_PREFIX_ITEMS) {
            if items.is_none() && !members.is_empty() {
                return self.tuple(members, at, hint);
            }
            self.warn(
                WarningKind::Loosened,
                at,
                "tuple with additional `items` is represented as an array of serde_json::Value",
            );
            return TypeRef::Array(Box::new(TypeRef::Any));
        }
        let item = match items {
            Some(items) => self.convert_boxed(items, &at.join("items"), &format!("{hint}Item")),
            None => TypeRef::Any,
        };
        TypeRef::Array(Box::new(item))
    }

    fn tuple(&mut self, members: &[serde_json::Value], at: &Pointer, hint: &str) -> TypeRef {
        let mut tys = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_at = at.join("prefixItems").join(i.to_string());
            let ty = match serde_json::from_value::<ReferenceOr<Schema>>(member.clone()) {
                Ok(schema) => self.convert(&schema, &member_at, &format!("{hint}{}", i + 1)),
                Err(e) => {
                    self.diagnostics.error(Error::invalid(
                        &member_at,
                        format!("invalid tuple member schema: {e}"),
                    ));
                    TypeRef::Any
                }
            };
            tys.push(ty);
        }
        TypeRef::Tuple(tys)
    }

    /// Hands back the finished types, with recursion boxed.
    /// The types, complete (union variants described, recursion boxed),
    /// and what converting them found.
    pub fn finish(self) -> (Vec<TypeDef>, Diagnostics) {
        let mut types: Vec<TypeDef> = self
            .types
            .into_iter()
            .map(|t| {
                t.unwrap_or_else(|| TypeDef {
                    derives: Vec::new(),
                    replaced_by: None,
                    name: "Unresolved".into(),
                    origin: Pointer::root(),
                    docs: Docs::default(),
                    nullable: false,
                    kind: TypeKind::Alias(TypeRef::Any),
                })
            })
            .collect();
        let mut diagnostics = self.diagnostics;
        unions::describe_variants(&mut types);
        cycles::order_union_variants(&mut types);
        diagnostics
            .warnings
            .extend(cycles::box_recursion(&mut types));
        (types, diagnostics)
    }
}

fn nullable_if(nullable: bool, ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) | TypeRef::Any => ty,
        ty if nullable => TypeRef::Nullable(Box::new(ty)),
        ty => ty,
    }
}

fn is_password(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s)) if matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Password))
    )
}

/// Whether a pointer's last segments name a place that holds a schema: a
/// parameter's or media type's `schema`, `items`, a property, an `allOf`
/// member, and so on.
fn is_schema_place(segments: &[String]) -> bool {
    const HOLDS_ONE: [&str; 9] = [
        "schema",
        "items",
        "not",
        "additionalProperties",
        "contentSchema",
        "itemSchema",
        "propertyNames",
        "contains",
        "unevaluatedProperties",
    ];
    const HOLDS_MANY_BY_NAME: [&str; 6] = [
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "schemas",
        "dependentSchemas",
    ];
    const HOLDS_MANY_BY_INDEX: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
    let [.., parent, last] = segments else {
        return false;
    };
    HOLDS_ONE.contains(&last.as_str())
        || HOLDS_MANY_BY_NAME.contains(&parent.as_str())
        || (HOLDS_MANY_BY_INDEX.contains(&parent.as_str()) && last.parse::<usize>().is_ok())
}
