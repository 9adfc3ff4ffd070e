//! What an operation owns, completed once every schema type and operation
//! is known: the fields of multipart forms, which error enums are shared,
//! the names and answer statuses of its mock.

use crate::model::aliases::{self, Nulls};
use crate::model::naming;
use crate::model::{
    Api, Field, FormField, FormFile, Operation, ParamLocation, RequestBody, ResponseBody,
    ResponseCase, StatusMatch, TypeDef, TypeId, TypeKind, TypeRef,
};
use std::collections::HashMap;

pub fn finish(types: &[TypeDef], operations: &mut [Operation]) {
    for op in operations.iter_mut() {
        if let Some(body) = &mut op.body {
            if let Some(form) = &mut body.form {
                form.fields = struct_fields(types, &body.ty)
                    .iter()
                    .map(form_field)
                    .collect();
            }
        }
    }
    share_error_enums(operations);
    let method_names: Vec<&str> = operations
        .iter()
        .map(|op| op.method_name.as_str())
        .collect();
    let mut names = naming::mock_names(&method_names);
    for (op, mut mock) in operations.iter_mut().zip(names.drain(..)) {
        mock.path_methods = op
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .map(|p| naming::mock_path_method(&p.name))
            .collect();
        op.mock = mock;
        let statuses: Vec<u16> = op
            .successes
            .iter()
            .chain(&op.errors)
            .map(|case| op.answer_status(case))
            .collect();
        for (case, status) in op.successes.iter_mut().chain(&mut op.errors).zip(statuses) {
            case.answer_status = status;
        }
    }
}

/// The fields of the struct behind a type, through aliases.
fn struct_fields<'a>(types: &'a [TypeDef], ty: &'a TypeRef) -> &'a [Field] {
    let kind_of = |id: TypeId| types.get(id.0).map(|t| &t.kind);
    match aliases::resolve(ty, types.len(), Nulls::LookedThrough, kind_of) {
        TypeRef::Named(id) => match kind_of(*id) {
            Some(TypeKind::Struct(s)) => &s.fields,
            _ => &[],
        },
        _ => &[],
    }
}

fn form_field(field: &Field) -> FormField {
    let file = match &field.ty {
        TypeRef::Binary => Some(FormFile::One),
        TypeRef::Array(inner) if **inner == TypeRef::Binary => Some(FormFile::Many),
        _ => None,
    };
    FormField {
        name: field.name.clone(),
        wire_name: field.wire_name.clone(),
        ty: field.ty.clone(),
        file,
        optional: field.is_option(),
        docs: field.docs.clone(),
    }
}

/// What makes two error enums the same type: their cases' statuses,
/// variant names and bodies (descriptions only document them), written
/// out as a key.
fn shape(cases: &[ResponseCase]) -> String {
    let parts: Vec<(StatusMatch, &str, &ResponseBody)> = cases
        .iter()
        .map(|c| (c.status, c.variant.as_str(), &c.body))
        .collect();
    format!("{parts:?}")
}

/// Operations whose error enums would be identical (typical of APIs with
/// one error schema for every 4XX and 5XX) share the first one's: later
/// names become aliases of it, so the crate compiles one enum instead of
/// one per operation.
fn share_error_enums(operations: &mut [Operation]) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for i in 0..operations.len() {
        // A streaming twin declares none of its own.
        if operations[i].error_type.is_none() || operations[i].variant_of.is_some() {
            continue;
        }
        let key = shape(&operations[i].errors);
        match first.get(&key) {
            Some(&owner) => {
                let owner_name = operations[owner]
                    .error_type
                    .as_ref()
                    .map(|e| e.name.clone());
                let method = operations[i].method_name.clone();
                if let Some(owner_enum) = &mut operations[owner].error_type {
                    owner_enum.shared_with.push(method);
                }
                if let Some(error) = &mut operations[i].error_type {
                    error.same_as = owner_name;
                }
            }
            None => {
                first.insert(key, i);
            }
        }
    }
}

/// The types that stand only for multipart forms: the root type of a
/// multipart body that nothing else reaches (no other body, parameter,
/// response, header or type refers to it, directly or through others).
pub(crate) fn form_only(api: &Api) -> std::collections::BTreeSet<TypeId> {
    let mut roots: Vec<&TypeRef> = Vec::new();
    let mut forms: Vec<TypeId> = Vec::new();
    for op in &api.operations {
        roots.extend(crate::model::reach::parameter_and_answer_types(op));
        match &op.body {
            Some(RequestBody {
                form: Some(form),
                ty,
                ..
            }) => {
                roots.extend(
                    form.fields
                        .iter()
                        .filter(|f| f.file.is_none())
                        .map(|f| &f.ty),
                );
                if let TypeRef::Named(id) = ty {
                    forms.push(*id);
                }
            }
            Some(body) => roots.push(&body.ty),
            None => {}
        }
    }
    if forms.is_empty() {
        return Default::default();
    }
    // Every type reached from the roots, through fields, variants, aliases.
    let reached = crate::model::reach::reached(api, roots);
    forms
        .into_iter()
        .filter(|id| !reached.contains(id))
        .collect()
}
