//! Paths and security schemes → client operations and credentials.

use super::naming::{self, Namespace};
use super::schemas::Converter;
use super::{
    BodyEncoding, Docs, Operation, Param, ParamLocation, ParamStyle, PathSegment, RequestBody,
    ResponseBody, ResponseCase, SchemeKind, SecurityScheme, StatusMatch, TypeRef,
};
use crate::error::{Error, Pointer};
use crate::load::Document;
use indexmap::IndexMap;
use openapiv3::{
    MediaType, Parameter, ParameterSchemaOrContent, ReferenceOr, SecurityRequirement, StatusCode,
};

/// Methods and fields of the generated `Client` that operations must not
/// shadow.
pub const CLIENT_RESERVED: &[&str] = &[
    "new",
    "builder",
    "with_base_url",
    "with_http_client",
    "base_url",
    "http_client",
    "http",
    "config",
    "clone",
    "fmt",
    "default",
    "with_config",
    "with_timeout",
    "with_retry_policy",
    "assume_idempotent",
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn security_schemes(doc: &Document, converter: &mut Converter) -> Vec<SecurityScheme> {
    let Some(components) = &doc.openapi.components else {
        return Vec::new();
    };
    let base = Pointer::root().join("components").join("securitySchemes");
    let mut entries: Vec<_> = components.security_schemes.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut schemes = Vec::new();
    for (key, scheme) in entries {
        let at = base.join(key);
        let ReferenceOr::Item(scheme) = scheme else {
            converter.warn(
                &at,
                "referenced security schemes are not supported; scheme skipped",
            );
            continue;
        };
        use openapiv3::SecurityScheme as S;
        let (kind, description) = match scheme {
            S::HTTP {
                scheme,
                description,
                ..
            } => match scheme.to_ascii_lowercase().as_str() {
                "bearer" => (SchemeKind::Bearer, description),
                "basic" => (SchemeKind::Basic, description),
                other => {
                    converter.warn(
                        &at,
                        format!("HTTP auth scheme `{other}` is not supported; scheme skipped"),
                    );
                    continue;
                }
            },
            S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                (SchemeKind::Bearer, description)
            }
            S::APIKey {
                location,
                name,
                description,
                ..
            } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Query => ParamLocation::Query,
                    openapiv3::APIKeyLocation::Header => ParamLocation::Header,
                    openapiv3::APIKeyLocation::Cookie => ParamLocation::Cookie,
                };
                (
                    SchemeKind::ApiKey {
                        location,
                        name: name.clone(),
                    },
                    description,
                )
            }
        };
        schemes.push(SecurityScheme {
            key: key.clone(),
            kind,
            field: String::new(),
            setter: String::new(),
            docs: Docs {
                text: description.clone(),
                deprecated: false,
            },
        });
    }
    // `with_bearer_token` when there is one bearer scheme; otherwise the
    // scheme's key tells them apart.
    let mut names = Namespace::with_reserved(CLIENT_RESERVED);
    let kinds: Vec<&'static str> = schemes.iter().map(|s| kind_word(&s.kind)).collect();
    for (scheme, kind) in schemes.iter_mut().zip(&kinds) {
        let alone = kinds.iter().filter(|k| *k == kind).count() == 1;
        let key = naming::field_name(&scheme.key);
        let field = if alone {
            (*kind).to_owned()
        } else if kind.split('_').any(|word| key.contains(word)) {
            // `apiKeyHeader` reads well as it is: `api_key_header`.
            key
        } else {
            format!("{key}_{kind}")
        };
        let (field, _) = names.claim(&field);
        scheme.setter = format!("with_{field}");
        scheme.field = field;
    }
    schemes
}

fn kind_word(kind: &SchemeKind) -> &'static str {
    match kind {
        SchemeKind::Bearer => "bearer_token",
        SchemeKind::Basic => "basic_auth",
        SchemeKind::ApiKey { .. } => "api_key",
    }
}

pub(super) fn operations<'a>(
    doc: &'a Document,
    converter: &mut Converter<'a>,
    schemes: &[SecurityScheme],
) -> Vec<Operation> {
    let mut reserved: Vec<&str> = CLIENT_RESERVED.to_vec();
    reserved.extend(schemes.iter().map(|s| s.setter.as_str()));
    let mut method_names = Namespace::with_reserved(&reserved);
    let mut method_owners: std::collections::HashMap<String, Pointer> = Default::default();
    let mut operation_ids: std::collections::HashMap<String, Pointer> = Default::default();
    let mut paths: Vec<_> = doc.openapi.paths.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (path, item) in paths {
        let path_at = Pointer::root().join("paths").join(path);
        let ReferenceOr::Item(item) = item else {
            converter.errors.push(Error::invalid(
                &path_at,
                "path item $refs are not supported",
            ));
            continue;
        };
        for method in METHODS {
            let op = match method {
                "get" => &item.get,
                "put" => &item.put,
                "post" => &item.post,
                "delete" => &item.delete,
                "options" => &item.options,
                "head" => &item.head,
                "patch" => &item.patch,
                _ => &item.trace,
            };
            let Some(op) = op else { continue };
            let at = path_at.join(method);
            if let Some(id) = &op.operation_id {
                if let Some(first) = operation_ids.get(id) {
                    converter.errors.push(Error::invalid(
                        &at.join("operationId"),
                        format!("operationId `{id}` is already used by {first}; operationIds must be unique"),
                    ));
                }
                operation_ids
                    .entry(id.clone())
                    .or_insert_with(|| at.clone());
            }
            let desired = naming::clean_operation_id(op.operation_id.as_deref(), method, path);
            let (method_name, renamed) = method_names.claim(&desired);
            if renamed {
                let owner = method_owners
                    .get(&desired)
                    .map_or_else(|| "the client itself".to_owned(), Pointer::to_string);
                converter.warn(
                    &at,
                    format!("method name `{desired}` is already used by {owner}; this operation is `{method_name}`"),
                );
            }
            method_owners.insert(method_name.clone(), at.clone());
            let builder = OperationBuilder {
                doc,
                converter: &mut *converter,
                at: at.clone(),
                prefix: naming::type_name(&method_name),
            };
            out.push(builder.build(method_name, method, path, &item.parameters, op, schemes));
        }
    }
    out
}

struct OperationBuilder<'a, 'c> {
    doc: &'a Document,
    converter: &'c mut Converter<'a>,
    at: Pointer,
    /// PascalCase stem for types this operation introduces.
    prefix: String,
}

impl<'a> OperationBuilder<'a, '_> {
    fn build(
        mut self,
        method_name: String,
        method: &str,
        path: &str,
        path_params: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        schemes: &[SecurityScheme],
    ) -> Operation {
        let params = self.params(path_params, &op.parameters);
        let segments = self.segments(path, &params);
        let params_type = params
            .iter()
            .any(|p| p.location != ParamLocation::Path)
            .then(|| {
                self.converter
                    .claim_type_name(&format!("{}Params", self.prefix), &self.at)
            });
        let body = op.request_body.as_ref().and_then(|b| self.body(b));
        let (successes, errors) = self.responses(&op.responses);
        // One body for every success status: return it. Different bodies:
        // an enum with a variant per status keeps them apart.
        let uniform = successes.iter().all(|c| c.body == successes[0].body);
        let success = if uniform {
            successes[0].body.clone()
        } else {
            ResponseBody::Empty
        };
        let success_type = (!uniform).then(|| {
            self.converter
                .claim_type_name(&format!("{}Success", self.prefix), &self.at)
        });
        let error_type = (!errors.is_empty()).then(|| {
            self.converter
                .claim_type_name(&format!("{}Error", self.prefix), &self.at)
        });
        let security = self.security(op.security.as_ref(), schemes);
        let text = match (op.summary.as_deref(), op.description.as_deref()) {
            (Some(s), Some(d)) if !d.trim().is_empty() => {
                Some(format!("{}\n\n{}", s.trim(), d.trim()))
            }
            (Some(s), _) => Some(s.trim().to_owned()),
            (None, Some(d)) => Some(d.trim().to_owned()),
            (None, None) => None,
        };
        Operation {
            method_name,
            http_method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            segments,
            params,
            params_type,
            body,
            successes,
            success,
            success_type,
            errors,
            error_type,
            security,
            docs: Docs {
                text: text.filter(|t| !t.is_empty()),
                deprecated: op.deprecated,
            },
            origin: self.at,
        }
    }

    fn resolve_param<'p>(
        &mut self,
        param: &'p ReferenceOr<Parameter>,
        at: &Pointer,
    ) -> Option<&'p Parameter>
    where
        'a: 'p,
    {
        match param {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let doc: &'a Document = self.doc;
                let found = reference
                    .strip_prefix("#/components/parameters/")
                    .and_then(|name| doc.openapi.components.as_ref()?.parameters.get(name))
                    .and_then(ReferenceOr::as_item);
                if found.is_none() {
                    self.converter.errors.push(Error::invalid(at, format!("parameter $ref `{reference}` does not resolve to a parameter in #/components/parameters")));
                }
                found
            }
        }
    }

    fn params(
        &mut self,
        path_level: &'a [ReferenceOr<Parameter>],
        op_level: &'a [ReferenceOr<Parameter>],
    ) -> Vec<Param> {
        // Operation-level parameters override path-level ones with the same
        // name and location.
        let mut merged: IndexMap<(String, &'static str), (&Parameter, Pointer)> = IndexMap::new();
        let path_at = self.at.segments().collect::<Vec<_>>();
        let path_item_at = Pointer::root()
            .join("paths")
            .join(path_at.get(1).cloned().unwrap_or_default());
        for (list, base) in [
            (path_level, path_item_at.join("parameters")),
            (op_level, self.at.join("parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let at = base.join(i.to_string());
                if let Some(param) = self.resolve_param(p, &at) {
                    let data = param.parameter_data_ref();
                    merged.insert((data.name.clone(), location_key(param)), (param, at));
                }
            }
        }
        let mut names = Namespace::with_reserved(&["body", "params"]);
        let mut out = Vec::new();
        for ((_, _), (param, at)) in merged {
            let data = param.parameter_data_ref();
            let location = match param {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Query { .. } => ParamLocation::Query,
                Parameter::Header { .. } => ParamLocation::Header,
                Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let hint = format!("{}{}", self.prefix, naming::type_name(&data.name));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    self.converter.convert(schema, &at.join("schema"), &hint)
                }
                ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                    Some((
                        media,
                        MediaType {
                            schema: Some(schema),
                            ..
                        },
                    )) => self.converter.convert(
                        schema,
                        &at.join("content").join(media).join("schema"),
                        &hint,
                    ),
                    _ => TypeRef::String,
                },
            };
            let (ty, _) = ty.strip_nullable();
            let style = param_style(param);
            // OpenAPI: `explode` defaults to true for `form`, false otherwise.
            let explode = data.explode.unwrap_or(style == ParamStyle::Form);
            let (name, _) = names.claim(&naming::field_name(&data.name));
            out.push(Param {
                name,
                wire_name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                style,
                explode,
                sensitive: naming::is_sensitive_name(&data.name),
                docs: Docs {
                    text: data.description.clone().filter(|d| !d.trim().is_empty()),
                    deprecated: data.deprecated.unwrap_or(false),
                },
            });
        }
        out
    }

    fn segments(&mut self, path: &str, params: &[Param]) -> Vec<PathSegment> {
        let mut segments = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.converter.errors.push(Error::invalid(
                    &self.at,
                    format!("path template `{path}` has an unclosed `{{`"),
                ));
                return segments;
            };
            let name = &rest[open + 1..open + close];
            match params.iter().position(|p| p.location == ParamLocation::Path && p.wire_name == name) {
                Some(i) => segments.push(PathSegment::Param(i)),
                None => self.converter.errors.push(Error::invalid(
                    &self.at.join("parameters"),
                    format!("path template `{path}` uses `{{{name}}}`, but no path parameter `{name}` is declared"),
                )),
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        for p in params.iter().filter(|p| p.location == ParamLocation::Path) {
            if !path.contains(&format!("{{{}}}", p.wire_name)) {
                self.converter.warn(&self.at.join("parameters"), format!("path parameter `{}` does not appear in the path template `{path}`; it is ignored", p.wire_name));
            }
        }
        segments
    }

    fn body(&mut self, body: &ReferenceOr<openapiv3::RequestBody>) -> Option<RequestBody> {
        let at = self.at.join("requestBody");
        let body = match body {
            ReferenceOr::Item(b) => b,
            ReferenceOr::Reference { reference } => {
                let found = reference
                    .strip_prefix("#/components/requestBodies/")
                    .and_then(|name| {
                        self.doc
                            .openapi
                            .components
                            .as_ref()?
                            .request_bodies
                            .get(name)
                    })
                    .and_then(ReferenceOr::as_item);
                match found {
                    Some(b) => b,
                    None => {
                        self.converter.errors.push(Error::invalid(&at, format!("request body $ref `{reference}` does not resolve to #/components/requestBodies")));
                        return None;
                    }
                }
            }
        };
        let (content_type, media) = pick_media(&body.content)?;
        let media_at = at.join("content").join(content_type);
        let hint = format!("{}Body", self.prefix);
        let mut encoding = media_encoding(content_type);
        let mut form_type = None;
        let ty = match (encoding, &media.schema) {
            (BodyEncoding::Text, _) => TypeRef::String,
            (BodyEncoding::Bytes, _) => TypeRef::Any,
            (_, None) => TypeRef::Any,
            (_, Some(schema)) => {
                let ty = self
                    .converter
                    .convert(schema, &media_at.join("schema"), &hint);
                if encoding == BodyEncoding::Json {
                    self.examples(media, &media_at, &ty, "body");
                }
                ty
            }
        };
        if encoding == BodyEncoding::Multipart {
            if self.converter.is_struct(&ty) {
                form_type = Some(
                    self.converter
                        .claim_type_name(&format!("{}Form", self.prefix), &media_at),
                );
            } else {
                self.converter.warn(&media_at, "multipart body is not an object with properties; it is sent as pre-encoded bytes");
                encoding = BodyEncoding::Bytes;
            }
        }
        if encoding == BodyEncoding::Form && ty == TypeRef::Any {
            self.converter.warn(
                &media_at,
                "form body has no schema; it is sent as pre-encoded bytes",
            );
            encoding = BodyEncoding::Bytes;
        }
        Some(RequestBody {
            ty,
            encoding,
            content_type: content_type.to_owned(),
            required: body.required,
            form_type,
        })
    }

    /// Declared success cases (at least one) and error cases.
    fn responses(
        &mut self,
        responses: &openapiv3::Responses,
    ) -> (Vec<ResponseCase>, Vec<ResponseCase>) {
        let at = self.at.join("responses");
        let mut cases: Vec<(StatusMatch, ResponseBody, String)> = Vec::new();
        let mut declared: Vec<(StatusMatch, &ReferenceOr<openapiv3::Response>, Pointer)> =
            responses
                .responses
                .iter()
                .map(|(code, r)| {
                    let status = match code {
                        StatusCode::Code(c) => StatusMatch::Code(*c),
                        StatusCode::Range(r) => StatusMatch::Range(*r),
                    };
                    (status, r, at.join(code.to_string()))
                })
                .collect();
        if let Some(default) = &responses.default {
            declared.push((StatusMatch::Default, default, at.join("default")));
        }
        declared.sort_by_key(|(s, _, _)| *s);
        for (status, response, rat) in declared {
            let response = match response {
                ReferenceOr::Item(r) => r,
                ReferenceOr::Reference { reference } => {
                    let found = reference
                        .strip_prefix("#/components/responses/")
                        .and_then(|name| self.doc.openapi.components.as_ref()?.responses.get(name))
                        .and_then(ReferenceOr::as_item);
                    match found {
                        Some(r) => r,
                        None => {
                            self.converter.errors.push(Error::invalid(&rat, format!("response $ref `{reference}` does not resolve to #/components/responses")));
                            continue;
                        }
                    }
                }
            };
            let hint = match status {
                StatusMatch::Code(c) if (200..300).contains(&c) => {
                    format!("{}Response", self.prefix)
                }
                _ => format!("{}{}", self.prefix, status_variant(status)),
            };
            let body = match pick_media(&response.content) {
                None => ResponseBody::Empty,
                Some((content_type, media)) => match media_encoding(content_type) {
                    BodyEncoding::Json => match &media.schema {
                        Some(schema) => {
                            let media_at = rat.join("content").join(content_type);
                            let ty =
                                self.converter
                                    .convert(schema, &media_at.join("schema"), &hint);
                            self.examples(
                                media,
                                &media_at,
                                &ty,
                                &format!("response_{}", status_variant(status)),
                            );
                            ResponseBody::Json(ty)
                        }
                        None => ResponseBody::Json(TypeRef::Any),
                    },
                    BodyEncoding::Text => ResponseBody::Text,
                    BodyEncoding::Bytes | BodyEncoding::Form | BodyEncoding::Multipart => {
                        ResponseBody::Bytes
                    }
                },
            };
            cases.push((status, body, response.description.clone()));
        }
        let is_success = |s: &StatusMatch| match s {
            StatusMatch::Code(c) => (200..300).contains(c),
            StatusMatch::Range(r) => *r == 2,
            StatusMatch::Default => false,
        };
        let mut successes: Vec<ResponseCase> = cases
            .iter()
            .filter(|c| is_success(&c.0))
            .map(|(status, body, description)| ResponseCase {
                status: *status,
                body: body.clone(),
                variant: status_variant(*status),
                description: description.clone(),
            })
            .collect();
        if successes.is_empty() {
            // Only `default` (or nothing) declared: any 2XX is a success.
            let body = cases
                .iter()
                .find(|c| c.0 == StatusMatch::Default)
                .map(|c| c.1.clone())
                .unwrap_or(ResponseBody::Empty);
            successes.push(ResponseCase {
                status: StatusMatch::Range(2),
                body,
                variant: status_variant(StatusMatch::Range(2)),
                description: String::new(),
            });
        }
        let errors = cases
            .into_iter()
            .filter(|c| !is_success(&c.0))
            .map(|(status, body, description)| ResponseCase {
                status,
                body,
                variant: status_variant(status),
                description,
            })
            .collect();
        (successes, errors)
    }

    /// Records a media type's `example` and `examples` for round-trip tests.
    fn examples(&mut self, media: &MediaType, at: &Pointer, ty: &TypeRef, context: &str) {
        let context = naming::field_name(&format!("{}_{context}", self.prefix));
        let mut found: Vec<(serde_json::Value, Pointer)> = Vec::new();
        if let Some(value) = &media.example {
            found.push((value.clone(), at.join("example")));
        }
        for (name, example) in &media.examples {
            let eat = at.join("examples").join(name);
            let value = match example {
                ReferenceOr::Item(e) => e.value.clone(),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/examples/")
                    .and_then(|n| self.doc.openapi.components.as_ref()?.examples.get(n))
                    .and_then(ReferenceOr::as_item)
                    .and_then(|e| e.value.clone()),
            };
            match value {
                Some(value) => found.push((value, eat.join("value"))),
                None => self.converter.warn(
                    &eat,
                    "example has no inline `value` (external examples are not checked)",
                ),
            }
        }
        for (value, origin) in found {
            self.converter.examples.push(super::schemas::MediaExample {
                ty: ty.clone(),
                context: context.clone(),
                value,
                origin,
            });
        }
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
                match schemes.iter().position(|s| &s.key == key) {
                    Some(index) => all.push(index),
                    None => self.converter.errors.push(Error::invalid(&at.join(i.to_string()), format!("security requirement names `{key}`, which is not in #/components/securitySchemes"))),
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

fn param_style(p: &Parameter) -> ParamStyle {
    use openapiv3::{PathStyle, QueryStyle};
    match p {
        Parameter::Path { style, .. } => match style {
            PathStyle::Simple => ParamStyle::Simple,
            PathStyle::Label => ParamStyle::Label,
            PathStyle::Matrix => ParamStyle::Matrix,
        },
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => ParamStyle::Form,
            QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
            QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        Parameter::Header { .. } => ParamStyle::Simple,
        Parameter::Cookie { .. } => ParamStyle::Form,
    }
}

fn location_key(p: &Parameter) -> &'static str {
    match p {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// JSON first (`application/json`, then any `+json`), then the first listed.
fn pick_media(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    let json = content
        .iter()
        .find(|(k, _)| {
            k.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        })
        .or_else(|| {
            content.iter().find(|(k, _)| {
                k.split(';')
                    .next()
                    .is_some_and(|m| m.trim().ends_with("+json"))
            })
        });
    json.or_else(|| content.iter().next())
        .map(|(k, v)| (k.as_str(), v))
}

fn media_encoding(content_type: &str) -> BodyEncoding {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") || essence == "*/*" {
        BodyEncoding::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if essence == "multipart/form-data" {
        BodyEncoding::Multipart
    } else if essence.starts_with("text/") {
        BodyEncoding::Text
    } else {
        BodyEncoding::Bytes
    }
}

/// Variant name for a status in an operation's error enum.
pub fn status_variant(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => reason_phrase(code)
            .map(naming::type_name)
            .unwrap_or_else(|| format!("Status{code}")),
        StatusMatch::Range(1) => "Informational".into(),
        StatusMatch::Range(2) => "Success".into(),
        StatusMatch::Range(3) => "Redirection".into(),
        StatusMatch::Range(4) => "ClientError".into(),
        StatusMatch::Range(5) => "ServerError".into(),
        StatusMatch::Range(n) => format!("Status{n}xx"),
        StatusMatch::Default => "Other".into(),
    }
}

fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_variants_read_well() {
        assert_eq!(
            status_variant(StatusMatch::Code(422)),
            "UnprocessableEntity"
        );
        assert_eq!(status_variant(StatusMatch::Code(404)), "NotFound");
        assert_eq!(status_variant(StatusMatch::Code(599)), "Status599");
        assert_eq!(status_variant(StatusMatch::Range(5)), "ServerError");
        assert_eq!(status_variant(StatusMatch::Default), "Other");
    }

    #[test]
    fn json_is_preferred() {
        let mut content = IndexMap::new();
        content.insert("text/plain".to_owned(), MediaType::default());
        content.insert("application/problem+json".to_owned(), MediaType::default());
        assert_eq!(pick_media(&content).unwrap().0, "application/problem+json");
        content.insert(
            "application/json; charset=utf-8".to_owned(),
            MediaType::default(),
        );
        assert_eq!(
            pick_media(&content).unwrap().0,
            "application/json; charset=utf-8"
        );
    }
}
