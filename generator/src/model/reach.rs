//! Which types a set of roots reaches, through fields, variants and
//! aliases; and what follows from it for the types requests send.

use super::{Api, BodyEncoding, Operation, ResponseBody, TypeId, TypeKind, TypeRef};
use std::collections::BTreeSet;

/// The types an operation takes and answers with, but its request body:
/// parameters, response headers, and the bodies of its declared statuses.
pub(crate) fn parameter_and_answer_types(op: &Operation) -> impl Iterator<Item = &TypeRef> {
    let answers = op
        .successes
        .iter()
        .chain(&op.errors)
        .filter_map(|case| match &case.body {
            ResponseBody::Json(ty)
            | ResponseBody::EventStream(Some(ty))
            | ResponseBody::JsonLines(ty) => Some(ty),
            _ => None,
        });
    op.params
        .iter()
        .map(|p| &p.ty)
        .chain(op.response_headers.iter().map(|h| &h.ty))
        .chain(answers)
}

/// Every named type `roots` reach, themselves included.
pub(crate) fn reached<'a>(
    api: &Api,
    roots: impl IntoIterator<Item = &'a TypeRef>,
) -> BTreeSet<TypeId> {
    fn visit(ty: &TypeRef, pending: &mut Vec<TypeId>) {
        match ty {
            TypeRef::Named(id) => pending.push(*id),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                visit(inner, pending)
            }
            TypeRef::Tuple(members) => members.iter().for_each(|m| visit(m, pending)),
            _ => {}
        }
    }
    let mut reached = BTreeSet::new();
    let mut pending: Vec<TypeId> = Vec::new();
    for root in roots {
        visit(root, &mut pending);
    }
    while let Some(id) = pending.pop() {
        if !reached.insert(id) {
            continue;
        }
        match &api.ty(id).kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    visit(&f.ty, &mut pending);
                }
                if let Some(extra) = &s.additional {
                    visit(extra, &mut pending);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| visit(&v.ty, &mut pending)),
            TypeKind::Tagged(t) => t.variants.iter().for_each(|v| visit(&v.ty, &mut pending)),
            TypeKind::Alias(ty) => visit(ty, &mut pending),
            TypeKind::Enum(_) => {}
        }
    }
    reached
}

/// Marks the fields that keep absent, `null` and a value apart
/// ([`Field::explicit_null`](super::Field)): optional and nullable, in a
/// type a JSON request body sends. Such a field is the runtime's
/// `Nullable<T>`; everywhere else (responses, forms, whose encodings have
/// no `null`) an `Option<T>` reads both as `None`, the common case. A
/// field that is any JSON value already carries `null` as a value.
pub(crate) fn mark_explicit_nulls(api: &mut Api) {
    let bodies = |json: bool| {
        api.operations
            .iter()
            .filter_map(|op| op.body.as_ref())
            .filter(move |body| (body.encoding == BodyEncoding::Json) == json)
            .map(|body| &body.ty)
    };
    let forms = reached(api, bodies(false));
    let sent: Vec<TypeId> = reached(api, bodies(true))
        .into_iter()
        .filter(|id| !forms.contains(id))
        .collect();
    for id in sent {
        if let TypeKind::Struct(s) = &mut api.types[id.0].kind {
            for f in &mut s.fields {
                f.explicit_null = !f.required && f.nullable && f.ty != TypeRef::Any;
            }
        }
    }
}
