//! What a schema's own keywords amount to, read without converting it:
//! the predicates both the conversion of objects (`objects.rs`) and the
//! docs of a composed schema (`docs.rs`) ask.

use crate::load::normalize::{X_NULL, X_PREFIX_ITEMS};
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaKind};

/// Whether a schema adds nothing a Rust type shows: only annotations
/// (`description`, `examples`, `default`, `deprecated`, `nullable`, ...) or
/// constraints that are not modelled (`pattern`, bounds, lengths).
pub(super) fn adds_no_shape(schema: &Schema) -> bool {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return false;
    };
    any.typ.is_none()
        && any.properties.is_empty()
        && any.required.is_empty()
        && composes_nothing(any)
        && any.format.is_none()
        && matches!(
            any.additional_properties,
            None | Some(AdditionalProperties::Any(true))
        )
        && schema.schema_data.discriminator.is_none()
        && !schema.schema_data.extensions.contains_key(X_PREFIX_ITEMS)
        // `{type: 'null'}` says "null only", which is no annotation.
        && !schema.schema_data.extensions.contains_key(X_NULL)
}

/// A `oneOf`/`anyOf` member that only lists `required` properties.
pub(super) fn requires_only(member: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(schema) = member else {
        return false;
    };
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return false;
    };
    !any.required.is_empty()
        && any.typ.as_deref().is_none_or(|t| t == "object")
        && any.properties.is_empty()
        && composes_nothing(any)
        && any.additional_properties.is_none()
}

/// No items, no combinators, no `not`, no `enum`: nothing that makes a
/// schema more than its own keywords.
fn composes_nothing(any: &openapiv3::AnySchema) -> bool {
    any.items.is_none()
        && any.all_of.is_empty()
        && any.one_of.is_empty()
        && any.any_of.is_empty()
        && any.not.is_none()
        && any.enumeration.is_empty()
}
