//! Paths and security schemes → client operations and credentials.

use super::diagnostics::Diagnostics;
use super::naming::{self, Namespace};
use super::schemas::Converter;
use super::{
    Docs, HttpMethod, Param, ParamLocation, PathPiece, RequestBody, ResponseBody, ResponseCase,
    ResponseHeader, SecurityScheme, Success, TypeRef,
};
use crate::error::WarningKind;
use crate::error::{Error, LocalKind, Pointer};
use crate::load::Document;
use indexmap::IndexMap;
use openapiv3::{Parameter, ReferenceOr, SecurityRequirement};

mod content;
mod owned;
mod params;
mod path;
mod security;

pub(super) use owned::{finish, form_only};
pub(super) use security::security_schemes;

/// An operation as its path item gives it: everything [`finish`] needs to
/// build its [`Operation`](super::Operation) once every type is final and
/// the other operations are known (form fields, shared error enums, mock
/// names, the ids of its own types).
#[derive(Debug, Clone)]
pub(in crate::model) struct Draft {
    pub method_name: String,
    pub http_method: HttpMethod,
    pub path: String,
    pub path_pieces: Vec<PathPiece>,
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    pub successes: Vec<ResponseCase>,
    /// What a success returns; the success enum by the name it was given.
    pub success: Success<String>,
    pub errors: Vec<ResponseCase>,
    pub response_headers: Vec<ResponseHeader>,
    pub security: Vec<Vec<usize>>,
    pub accept: Option<String>,
    pub variant_of: Option<String>,
    pub docs: Docs,
    pub origin: Pointer,
    /// The names of the types it declares, claimed beside the schema
    /// types' (a streaming twin has its buffered operation's).
    pub names: OwnedNames,
}

/// The names of the types an operation declares, when it declares them.
#[derive(Debug, Clone, Default)]
pub(in crate::model) struct OwnedNames {
    pub params: Option<String>,
    pub headers: Option<String>,
    pub errors: Option<String>,
    pub form: Option<String>,
}

/// An example given on a media type, for the round-trip tests.
#[derive(Debug, Clone)]
pub struct MediaExample {
    pub ty: TypeRef,
    /// Snake-case context for the test name (`refresh_token_body`).
    pub context: String,
    pub value: serde_json::Value,
    pub origin: Pointer,
}

/// What became of a `[rename.operations]` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::model) enum RenameOutcome {
    /// No operation has the id or method name it gives.
    Unmatched,
    /// Its operation has the new name.
    Applied,
    /// The new name was taken (by the client or another operation).
    Taken,
}

/// The operations of the document, the examples their bodies carry, and
/// what became of each of `renames` (operation id or method name, new
/// name). Their schemas go into `converter`; what is wrong with the
/// operations themselves into `diagnostics`.
pub(super) fn operations<'a>(
    doc: &'a Document,
    converter: &mut Converter<'a>,
    diagnostics: &mut Diagnostics,
    schemes: &[SecurityScheme],
    renames: &[(String, String)],
) -> (Vec<Draft>, Vec<MediaExample>, Vec<RenameOutcome>) {
    let mut outcomes = vec![RenameOutcome::Unmatched; renames.len()];
    let mut reserved: Vec<&str> = naming::CLIENT_MEMBERS.to_vec();
    reserved.extend(schemes.iter().map(|s| s.setter.as_str()));
    reserved.extend(schemes.iter().map(|s| s.provider_setter.as_str()));
    let mut method_names = Namespace::with_reserved(&reserved);
    let mut method_owners: std::collections::HashMap<String, Pointer> = Default::default();
    let mut operation_ids: std::collections::HashMap<String, Pointer> = Default::default();
    let mut paths: Vec<_> = doc.openapi.paths.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    let mut examples = Vec::new();
    for (key, item) in paths {
        let path_at = Pointer::root().join("paths").join(key);
        // `/items#stream`: a fragment lets a document put two operations on
        // one path; it names the operation, and is never sent.
        let path = match key.split_once('#') {
            Some((path, fragment)) => {
                diagnostics.warn(
                    WarningKind::LeftOut,
                    &path_at,
                    format!("path `{key}` has a fragment (`#{fragment}`), which is never part of a request; its operations are sent to `{path}`"),
                );
                path
            }
            None => key.as_str(),
        };
        let item = match item {
            ReferenceOr::Item(item) => item,
            // Local targets were copied in by normalisation.
            ReferenceOr::Reference { reference } if reference.starts_with('#') => {
                diagnostics.local(
                    LocalKind::MissingRef,
                    &path_at,
                    format!("$ref `{reference}` does not point to a path item in this document"),
                    "the path is left out",
                );
                continue;
            }
            ReferenceOr::Reference { reference } => {
                diagnostics.error(Error::invalid(
                    &path_at,
                    format!("external $ref `{reference}` is not supported; bundle the document into one file first (e.g. `redocly bundle`)"),
                ));
                continue;
            }
        };
        for method in HttpMethod::ALL {
            let op = match method {
                HttpMethod::Get => &item.get,
                HttpMethod::Put => &item.put,
                HttpMethod::Post => &item.post,
                HttpMethod::Delete => &item.delete,
                HttpMethod::Options => &item.options,
                HttpMethod::Head => &item.head,
                HttpMethod::Patch => &item.patch,
                HttpMethod::Trace => &item.trace,
            };
            let Some(op) = op else { continue };
            let at = path_at.join(method.key());
            let desired = naming::clean_operation_id(op.operation_id.as_deref(), method.key(), key);
            // The configuration's name, given by operation id or method name.
            let rename = renames.iter().position(|(from, _)| {
                *from == desired || Some(from.as_str()) == op.operation_id.as_deref()
            });
            let desired = rename.map_or(desired, |i| renames[i].1.clone());
            let (method_name, renamed) = method_names.claim(&desired);
            // An entry that names two operations (an id and a method name
            // they share) renamed the first: the second takes a suffix.
            if let Some(i) = rename.filter(|i| outcomes[*i] != RenameOutcome::Applied) {
                outcomes[i] = match renamed {
                    true => RenameOutcome::Taken,
                    false => RenameOutcome::Applied,
                };
            }
            let mut duplicate = false;
            if let Some(id) = &op.operation_id {
                if let Some(first) = operation_ids.get(id) {
                    duplicate = true;
                    diagnostics.local(
                        LocalKind::DuplicateOperationId,
                        &at.join("operationId"),
                        format!("operationId `{id}` is already used by {first}; operationIds must be unique"),
                        &format!("this operation's method is `{method_name}`"),
                    );
                }
                operation_ids
                    .entry(id.clone())
                    .or_insert_with(|| at.clone());
            }
            if renamed && !duplicate {
                let owner = method_owners
                    .get(&desired)
                    .map_or_else(|| "the client itself".to_owned(), Pointer::to_string);
                diagnostics.warn(
                    WarningKind::Renamed,&at,
                    format!("method name `{desired}` is already used by {owner}; this operation is `{method_name}`"),
                );
            }
            method_owners.insert(method_name.clone(), at.clone());
            let builder = OperationBuilder {
                doc,
                converter: &mut *converter,
                diagnostics: &mut *diagnostics,
                examples: &mut examples,
                at: at.clone(),
                prefix: naming::type_name(&method_name),
                stream_media: None,
                prefer_stream: false,
            };
            let base = builder.build(method_name, method, path, &item.parameters, op, schemes);
            // A response that offers JSON and a stream: the buffered method,
            // and a streaming twin beside it.
            if content::offers_json_and_stream(doc, &op.responses) {
                let desired = naming::stream_method(&base.method_name);
                let (twin_name, renamed) = method_names.claim(&desired);
                if renamed {
                    diagnostics.warn(
                        WarningKind::Renamed,
                        &at,
                        format!("method name `{desired}` for the streaming form of `{}` is already used; it is `{twin_name}`", base.method_name),
                    );
                }
                method_owners.insert(twin_name.clone(), at.clone());
                let builder = OperationBuilder {
                    doc,
                    converter: &mut *converter,
                    diagnostics: &mut *diagnostics,
                    examples: &mut examples,
                    at: at.clone(),
                    prefix: naming::type_name(&twin_name),
                    stream_media: None,
                    prefer_stream: true,
                };
                let twin = builder.stream_twin(&base, twin_name, &op.responses);
                out.push(base);
                out.extend(twin);
            } else {
                out.push(base);
            }
        }
    }
    (out, examples, outcomes)
}

struct OperationBuilder<'a, 'c> {
    doc: &'a Document,
    converter: &'c mut Converter<'a>,
    diagnostics: &'c mut Diagnostics,
    examples: &'c mut Vec<MediaExample>,
    at: Pointer,
    /// PascalCase stem for types this operation introduces.
    prefix: String,
    /// The media type of a streamed success response, which the request
    /// asks for (`Accept`).
    stream_media: Option<String>,
    /// Read a success response that offers JSON and a stream as the
    /// stream (for an operation's streaming twin).
    prefer_stream: bool,
}

impl<'a> OperationBuilder<'a, '_> {
    fn build(
        mut self,
        method_name: String,
        method: HttpMethod,
        path: &str,
        path_params: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        schemes: &[SecurityScheme],
    ) -> Draft {
        let mut params = self.params(path_params, &op.parameters);
        self.check_path_template(path, &mut params);
        let path_pieces = path::pieces(path, &params);
        let mut names = OwnedNames::default();
        if params.iter().any(|p| p.location != ParamLocation::Path) {
            names.params = Some(self.claim_name("Params"));
        }
        let body = op.request_body.as_ref().and_then(|b| self.body(b));
        let (body, form) = body.map_or((None, None), |(body, form)| (Some(body), form));
        names.form = form;
        let (mut successes, mut errors, response_headers) = self.responses(&op.responses);
        let accept = successes
            .first()
            .filter(|c| c.body.is_stream())
            .and(self.stream_media.take());
        // Only a single success body is read as a stream; errors and an
        // enum of bodies are read whole.
        for case in &mut errors {
            case.body = std::mem::replace(&mut case.body, ResponseBody::Empty).buffered();
        }
        if !successes.iter().all(|c| c.body == successes[0].body) {
            for case in &mut successes {
                case.body = std::mem::replace(&mut case.body, ResponseBody::Empty).buffered();
            }
        }
        if !response_headers.is_empty() {
            names.headers = Some(self.claim_name("Headers"));
        }
        // One body for every success status: return it. Different bodies:
        // an enum with a variant per status keeps them apart.
        let uniform = successes.iter().all(|c| c.body == successes[0].body);
        let success = match uniform {
            true => Success::Body(successes[0].body.clone()),
            false => Success::PerStatus(self.claim_name("Success")),
        };
        if !errors.is_empty() {
            names.errors = Some(self.claim_name("Error"));
        }
        let security = self.security(op.security.as_ref(), schemes);
        let text = match (op.summary.as_deref(), op.description.as_deref()) {
            (Some(s), Some(d)) if !d.trim().is_empty() => {
                Some(format!("{}\n\n{}", s.trim(), d.trim()))
            }
            (Some(s), _) => Some(s.trim().to_owned()),
            (None, Some(d)) => Some(d.trim().to_owned()),
            (None, None) => None,
        };
        let streamed = matches!(&success, Success::Body(body) if body.is_stream());
        Draft {
            method_name,
            variant_of: None,
            accept: accept.filter(|_| streamed),
            http_method: method,
            path: path.to_owned(),
            path_pieces,
            params,
            body,
            successes,
            success,
            response_headers,
            errors,
            security,
            docs: Docs {
                text: text.filter(|t| !t.is_empty()),
                deprecated: op.deprecated,
            },
            origin: self.at,
            names,
        }
    }

    /// The name of a type this operation declares (`ListPetsParams`),
    /// claimed beside the schema types'.
    fn claim_name(&mut self, suffix: &str) -> String {
        self.converter
            .claim_type_name(&format!("{}{suffix}", self.prefix), &self.at)
    }

    /// The streaming twin of `base`: the same request, its success read as
    /// the stream the response also offers. `None` when no success turns
    /// out to be a stream after all.
    fn stream_twin(
        mut self,
        base: &Draft,
        method_name: String,
        responses: &'a openapiv3::Responses,
    ) -> Option<Draft> {
        let (successes, _, _) = self.responses(responses);
        let [success] = successes.as_slice() else {
            return None;
        };
        if !success.body.is_stream() {
            return None;
        }
        let accept = self.stream_media.take();
        let note = format!(
            "The streaming form of [`Self::{}`]: asks for `{}` and yields each item as it arrives.",
            base.method_name,
            accept.as_deref().unwrap_or_default()
        );
        let docs = Docs {
            text: Some(match &base.docs.text {
                Some(text) => format!("{note}\n\n{text}"),
                None => note,
            }),
            deprecated: base.docs.deprecated,
        };
        Some(Draft {
            method_name,
            docs,
            accept,
            success: Success::Body(success.body.clone()),
            successes,
            variant_of: Some(base.method_name.clone()),
            ..base.clone()
        })
    }

    /// The item of a `ReferenceOr`, following a `$ref` into one section of
    /// `components` (`what` names the section in the error when it does
    /// not resolve), and where the item lies: `at`, or the component. The
    /// schemas inside a component are converted at the component's place,
    /// so that their types' origins exist in the document and every
    /// operation that refers to it shares them.
    fn resolve<'p, T: 'a>(
        &mut self,
        item: &'p ReferenceOr<T>,
        at: &Pointer,
        what: &str,
        section: impl FnOnce(&'a openapiv3::Components) -> &'a IndexMap<String, ReferenceOr<T>>,
    ) -> Option<(&'p T, Pointer)>
    where
        'a: 'p,
    {
        let reference = match item {
            ReferenceOr::Item(item) => return Some((item, at.clone())),
            ReferenceOr::Reference { reference } => reference,
        };
        let found = component(self.doc, reference, what, section);
        if found.is_none() {
            let (kind, message) = if reference.trim().is_empty() {
                (LocalKind::EmptyRef, "empty $ref".to_owned())
            } else {
                let elsewhere = reference.starts_with("#/components/")
                    && !reference.starts_with(&format!("#/components/{what}/"));
                let kind = if elsewhere {
                    LocalKind::WrongComponent
                } else {
                    LocalKind::MissingRef
                };
                (
                    kind,
                    format!(
                        "$ref `{reference}` does not resolve to an entry of #/components/{what}"
                    ),
                )
            };
            self.diagnostics.local(
                kind,
                at,
                message,
                &format!("this entry of {what} is left out"),
            );
        }
        let place = Pointer::from_ref(reference).unwrap_or_else(|| at.clone());
        found.map(|item| (item, place))
    }

    fn security(
        &mut self,
        requirement: Option<&Vec<SecurityRequirement>>,
        schemes: &[SecurityScheme],
    ) -> Vec<Vec<usize>> {
        let (requirements, at) = match requirement {
            Some(r) => (r, self.at.join("security")),
            None => match &self.doc.openapi.security {
                Some(r) => (r, Pointer::root().join("security")),
                None => return Vec::new(),
            },
        };
        let mut alternatives = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let mut all = Vec::new();
            for key in requirement.keys() {
                if let Some(index) = schemes.iter().position(|s| &s.key == key) {
                    all.push(index);
                } else if !self.declared_scheme(key) {
                    // The schemes that exist still work; the server decides
                    // about the rest.
                    self.diagnostics.warn(
                        WarningKind::LeftOut,&at.join(i.to_string()),
                        format!("security requirement names `{key}`, which is not in #/components/securitySchemes; the requirement is ignored"),
                    );
                }
            }
            alternatives.push(all);
        }
        // `security: []` or an empty alternative means auth is optional.
        if alternatives.iter().any(Vec::is_empty) {
            alternatives.retain(|a| !a.is_empty());
            alternatives.push(Vec::new());
        }
        alternatives
    }
}

impl OperationBuilder<'_, '_> {
    /// Whether `components.securitySchemes` declares `key` (a scheme the
    /// client cannot apply was skipped with its own warning).
    fn declared_scheme(&self, key: &str) -> bool {
        let components = self.doc.openapi.components.as_ref();
        components.is_some_and(|c| c.security_schemes.contains_key(key))
            || crate::load::normalize::mutual_tls_schemes(&self.doc.raw).contains_key(key)
    }
}

/// The entry of one section of `components` a local `$ref` names
/// (`#/components/{what}/{name}`), the one lookup for every kind of entry.
fn component<'a, T>(
    doc: &'a Document,
    reference: &str,
    what: &str,
    section: impl FnOnce(&'a openapiv3::Components) -> &'a IndexMap<String, ReferenceOr<T>>,
) -> Option<&'a T> {
    reference
        .strip_prefix("#/components/")?
        .strip_prefix(what)?
        .strip_prefix('/')
        .and_then(|name| section(doc.openapi.components.as_ref()?).get(name))
        .and_then(ReferenceOr::as_item)
}
