//! Operations built once every schema type is final and every operation
//! known: the types they declare (with multipart forms' fields copied and
//! identical error enums shared), and their mocks' names.

use super::{Draft, OwnedNames};
use crate::model::aliases::{self, Nulls};
use crate::model::naming;
use crate::model::{
    Api, Field, FormField, FormFile, Operation, OperationType, OperationTypeId, OperationTypeKind,
    ParamLocation, ResponseBody, ResponseCase, StatusMatch, Success, TypeDef, TypeId, TypeKind,
    TypeRef,
};
use std::collections::HashMap;

/// The operations, each built once, and the types they declare, in
/// their order.
pub fn finish(types: &[TypeDef], drafts: Vec<Draft>) -> (Vec<Operation>, Vec<OperationType>) {
    let mock_names: Vec<(&str, Vec<&str>)> = drafts
        .iter()
        .map(|op| {
            let path_arguments = op
                .params
                .iter()
                .filter(|p| p.location == ParamLocation::Path);
            let path_arguments = path_arguments.map(|p| p.name.as_str()).collect();
            (op.method_name.as_str(), path_arguments)
        })
        .collect();
    let mocks = naming::mock_names(&mock_names);
    let mut table = TypeTable::default();
    let mut operations = Vec::with_capacity(drafts.len());
    for (index, (draft, mock)) in drafts.into_iter().zip(mocks).enumerate() {
        let OwnedNames {
            params,
            headers,
            errors,
            form,
        } = draft.names;
        let mut declare = |name: Option<String>, kind: OperationTypeKind| {
            name.map(|name| table.declare(name, index, kind))
        };
        let params_type = declare(params, OperationTypeKind::Params);
        let headers_type = declare(headers, OperationTypeKind::Headers);
        let form_fields = match (&form, &draft.body) {
            (Some(_), Some(body)) => struct_fields(types, &body.ty),
            _ => &[],
        };
        let form_fields = form_fields.iter().map(form_field).collect();
        let form_type = declare(form, OperationTypeKind::Form(form_fields));
        let success = match draft.success {
            Success::Body(body) => Success::Body(body),
            Success::PerStatus(name) => {
                Success::PerStatus(table.declare(name, index, OperationTypeKind::Success))
            }
        };
        let error_type = errors.map(|name| table.declare_errors(name, index, &draft.errors));
        operations.push(Operation {
            method_name: draft.method_name,
            http_method: draft.http_method,
            path: draft.path,
            path_pieces: draft.path_pieces,
            params: draft.params,
            params_type,
            body: draft.body,
            form_type,
            successes: draft.successes,
            success,
            errors: draft.errors,
            error_type,
            response_headers: draft.response_headers,
            headers_type,
            security: draft.security,
            accept: draft.accept,
            variant_of: draft.variant_of,
            docs: draft.docs,
            origin: draft.origin,
            mock,
            // Set by the configuration, on the finished model.
            pagination: None,
            group: None,
        });
    }
    (operations, table.types)
}

/// The types operations declare, as they are declared.
#[derive(Default)]
struct TypeTable {
    types: Vec<OperationType>,
    /// Names are unique (claimed beside the schema types'): a name seen
    /// again is a streaming twin's, which uses its operation's type.
    by_name: HashMap<String, OperationTypeId>,
    /// Error enums by their [`shape`]: the first operation's.
    errors_by_shape: HashMap<String, OperationTypeId>,
}

impl TypeTable {
    /// The type named `name`, declared by operation `owner` unless an
    /// earlier operation (its buffered form) did.
    fn declare(&mut self, name: String, owner: usize, kind: OperationTypeKind) -> OperationTypeId {
        if let Some(id) = self.by_name.get(&name) {
            return *id;
        }
        let id = OperationTypeId(self.types.len());
        self.by_name.insert(name.clone(), id);
        self.types.push(OperationType { name, owner, kind });
        id
    }

    /// Operations whose error enums would be identical (typical of APIs
    /// with one error schema for every 4XX and 5XX) share the first one's:
    /// later names become aliases of it, so the crate compiles one enum
    /// instead of one per operation.
    fn declare_errors(
        &mut self,
        name: String,
        owner: usize,
        cases: &[ResponseCase],
    ) -> OperationTypeId {
        if let Some(id) = self.by_name.get(&name) {
            return *id;
        }
        let key = shape(cases);
        let first = self.errors_by_shape.get(&key).copied();
        let kind = match first {
            Some(first) => OperationTypeKind::ErrorsAlias(first),
            None => OperationTypeKind::Errors {
                shared_with: Vec::new(),
            },
        };
        let id = self.declare(name, owner, kind);
        match first {
            Some(first) => {
                if let OperationTypeKind::Errors { shared_with } = &mut self.types[first.0].kind {
                    shared_with.push(owner);
                }
            }
            None => {
                self.errors_by_shape.insert(key, id);
            }
        }
        id
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

/// The types that stand only for multipart forms: the root type of a
/// multipart body that nothing else reaches (no other body, parameter,
/// response, header or type refers to it, directly or through others).
pub(crate) fn form_only(api: &Api) -> std::collections::BTreeSet<TypeId> {
    let mut roots: Vec<&TypeRef> = Vec::new();
    let mut forms: Vec<TypeId> = Vec::new();
    for op in &api.operations {
        roots.extend(crate::model::reach::parameter_and_answer_types(op));
        match (&op.body, api.form_fields(op)) {
            (Some(body), Some(fields)) => {
                roots.extend(fields.iter().filter(|f| f.file.is_none()).map(|f| &f.ty));
                if let TypeRef::Named(id) = &body.ty {
                    forms.push(*id);
                }
            }
            (Some(body), None) => roots.push(&body.ty),
            (None, _) => {}
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
