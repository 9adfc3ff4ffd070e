//! Request bodies and responses: content types, body types, status cases
//! and the examples they carry.

use super::OperationBuilder;
use crate::error::Pointer;
use crate::error::WarningKind;
use crate::model::naming;
use crate::model::{
    BodyEncoding, RequestBody, ResponseBody, ResponseCase, ResponseHeader, StatusMatch, TypeRef,
};
use indexmap::IndexMap;
use openapiv3::{MediaType, ReferenceOr, StatusCode};

impl<'a> OperationBuilder<'a, '_> {
    /// The request body, and for a multipart one the name of the form
    /// struct the caller fills.
    pub(super) fn body(
        &mut self,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
    ) -> Option<(RequestBody, Option<String>)> {
        let (body, at) =
            self.resolve(body, &self.at.join("requestBody"), "requestBodies", |c| {
                &c.request_bodies
            })?;
        let (content_type, media) = pick_media(&body.content)?;
        let media_at = at.join("content").join(content_type);
        let hint = format!("{}Body", self.prefix);
        let mut encoding = media_encoding(content_type);
        let mut form = None;
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
                // Its fields are copied once every type is final
                // (`owned::finish`).
                form = Some(
                    self.converter
                        .claim_type_name(&format!("{}Form", self.prefix), &media_at),
                );
            } else {
                self.diagnostics.warn(WarningKind::BodyAsBytes, &media_at, "multipart body is not an object with properties; it is sent as pre-encoded bytes");
                encoding = BodyEncoding::Bytes;
            }
        }
        if encoding == BodyEncoding::Form && ty == TypeRef::Any {
            self.diagnostics.warn(
                WarningKind::BodyAsBytes,
                &media_at,
                "form body has no schema; it is sent as pre-encoded bytes",
            );
            encoding = BodyEncoding::Bytes;
        }
        let body = RequestBody {
            ty,
            encoding,
            content_type: content_type.to_owned(),
            required: body.required,
        };
        Some((body, form))
    }

    /// Declared success cases (at least one) and error cases.
    pub(super) fn responses(
        &mut self,
        responses: &'a openapiv3::Responses,
    ) -> (Vec<ResponseCase>, Vec<ResponseCase>, Vec<ResponseHeader>) {
        let at = self.at.join("responses");
        let mut headers: Vec<ResponseHeader> = Vec::new();
        let is_success = |s: &StatusMatch| match s {
            StatusMatch::Code(c) => (200..300).contains(c),
            StatusMatch::Range(r) => *r == 2,
            StatusMatch::Default => false,
        };
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
            let Some((response, rat)) = self.resolve(response, &rat, "responses", |c| &c.responses)
            else {
                continue;
            };
            let hint = match status {
                StatusMatch::Code(c) if (200..300).contains(&c) => {
                    format!("{}Response", self.prefix)
                }
                _ => format!("{}{}", self.prefix, status_variant(status)),
            };
            let picked = match (
                self.prefer_stream && is_success(&status),
                stream_media(&response.content),
            ) {
                (true, Some(stream)) => Some(stream),
                _ => pick_media(&response.content),
            };
            let body = match picked {
                None => ResponseBody::Empty,
                Some((content_type, media)) if stream_kind(content_type).is_some() => {
                    let media_at = rat.join("content").join(content_type);
                    let sse = stream_kind(content_type) == Some(StreamKind::Events);
                    if is_success(&status) {
                        self.stream_media = Some(content_type.to_owned());
                    }
                    self.stream_body(media, &media_at, &hint, sse)
                }
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
            if is_success(&status) {
                self.response_headers(response, &rat, &mut headers);
            }
            cases.push((status, body, response.description.clone()));
        }
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
        (successes, errors, headers)
    }

    /// Adds the headers a response declares (each name once; `Content-Type`
    /// is described by the content itself, so OpenAPI ignores it).
    fn response_headers(
        &mut self,
        response: &'a openapiv3::Response,
        at: &Pointer,
        out: &mut Vec<ResponseHeader>,
    ) {
        for (wire, header) in &response.headers {
            if wire.eq_ignore_ascii_case("content-type")
                || out.iter().any(|h| h.wire_name.eq_ignore_ascii_case(wire))
            {
                continue;
            }
            let mut hat = at.join("headers").join(wire);
            let (format, description, deprecated) = match self.parameter_as_header(header, &hat) {
                Some(param) => (&param.format, &param.description, param.deprecated),
                None => {
                    let Some((header, place)) =
                        self.resolve(header, &hat, "headers", |c| &c.headers)
                    else {
                        continue;
                    };
                    hat = place;
                    (&header.format, &header.description, header.deprecated)
                }
            };
            let hint = format!("{}{}", self.prefix, naming::type_name(wire));
            let ty = match format {
                openapiv3::ParameterSchemaOrContent::Schema(schema) => {
                    self.converter.convert(schema, &hat.join("schema"), &hint)
                }
                openapiv3::ParameterSchemaOrContent::Content(_) => TypeRef::String,
            };
            let names: Vec<&str> = out.iter().map(|h| h.name.as_str()).collect();
            let mut namespace = naming::Namespace::with_reserved(&names);
            let (name, _) = namespace.claim(&naming::field_name(wire));
            out.push(ResponseHeader {
                name,
                wire_name: wire.clone(),
                ty: ty.strip_nullable().0,
                sensitive: naming::is_sensitive_name(wire),
                docs: crate::model::Docs {
                    text: description.clone().filter(|d| !d.trim().is_empty()),
                    deprecated: deprecated.unwrap_or(false),
                },
            });
        }
    }

    /// A response header that `$ref`s a parameter component
    /// (`#/components/parameters/X`) instead of a header: common, and its
    /// meaning is plain, so the parameter's schema and description serve,
    /// with a warning.
    fn parameter_as_header(
        &mut self,
        header: &ReferenceOr<openapiv3::Header>,
        at: &Pointer,
    ) -> Option<&'a openapiv3::ParameterData> {
        let ReferenceOr::Reference { reference } = header else {
            return None;
        };
        let name = reference.strip_prefix("#/components/parameters/")?;
        let doc: &'a crate::load::Document = self.doc;
        let param = doc
            .openapi
            .components
            .as_ref()?
            .parameters
            .get(name)?
            .as_item()?;
        self.diagnostics.warn(
            WarningKind::Loosened,at,
            format!("response header $ref `{reference}` points to a parameter, not a header; its schema and description are used"),
        );
        Some(param.parameter_data_ref())
    }

    /// A streamed response's body: its item type from `itemSchema`
    /// (OpenAPI 3.2; for events, the `data` property's `contentSchema`, as
    /// FastAPI writes it, or `data` itself), else from `schema`, where
    /// older documents put the item; events nothing types carry their text.
    fn stream_body(
        &mut self,
        media: &MediaType,
        media_at: &Pointer,
        hint: &str,
        sse: bool,
    ) -> ResponseBody {
        let hint = format!("{hint}Item");
        let item_at = media_at.join("itemSchema");
        let item = item_at.resolve(&self.doc.raw).cloned();
        let typed = |at: Pointer, value: Option<&serde_json::Value>| {
            value
                .and_then(|v| {
                    serde_json::from_value::<ReferenceOr<openapiv3::Schema>>(v.clone()).ok()
                })
                .map(|schema| (at, schema))
        };
        let found = match (&item, sse) {
            (Some(item), true) => {
                let data_at = item_at.join("properties").join("data");
                let data = item.get("properties").and_then(|p| p.get("data"));
                match data {
                    Some(data) if data.get("contentSchema").is_some() => {
                        typed(data_at.join("contentSchema"), data.get("contentSchema"))
                    }
                    Some(data) if data.get("type").and_then(|t| t.as_str()) != Some("string") => {
                        typed(data_at, Some(data))
                    }
                    _ => None,
                }
            }
            (Some(item), false) => typed(item_at, Some(item)),
            (None, _) => match &media.schema {
                Some(ReferenceOr::Item(schema))
                    if sse
                        && matches!(
                            schema.schema_kind,
                            openapiv3::SchemaKind::Type(openapiv3::Type::String(_))
                        ) =>
                {
                    None
                }
                Some(schema) => Some((media_at.join("schema"), schema.clone())),
                None => None,
            },
        };
        let ty = found.map(|(at, schema)| self.converter.convert(&schema, &at, &hint));
        match (sse, ty) {
            (true, ty) => ResponseBody::EventStream(ty),
            (false, Some(ty)) => ResponseBody::JsonLines(ty),
            (false, None) => ResponseBody::JsonLines(TypeRef::Any),
        }
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
                ReferenceOr::Reference { reference } => {
                    super::component(self.doc, reference, "examples", |c| &c.examples)
                        .and_then(|e| e.value.clone())
                }
            };
            match value {
                Some(value) => found.push((value, eat.join("value"))),
                None => self.diagnostics.warn(
                    WarningKind::Example,
                    &eat,
                    "example has no inline `value` (external examples are not checked)",
                ),
            }
        }
        for (value, origin) in found {
            self.examples.push(super::MediaExample {
                ty: ty.clone(),
                context: context.clone(),
                value,
                origin,
            });
        }
    }
}

/// The first streamed media type a response offers.
fn stream_media(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    content
        .iter()
        .find(|(k, _)| stream_kind(k).is_some())
        .map(|(k, v)| (k.as_str(), v))
}

/// Whether a success response offers JSON and a stream (picked by
/// `Accept`, or a `stream: true` in the body), so that the operation gets a
/// streaming twin beside its buffered method.
pub(super) fn offers_json_and_stream(
    doc: &crate::load::Document,
    responses: &openapiv3::Responses,
) -> bool {
    responses.responses.iter().any(|(code, response)| {
        let success = match code {
            openapiv3::StatusCode::Code(c) => (200..300).contains(c),
            openapiv3::StatusCode::Range(r) => *r == 2,
        };
        let response = match response {
            ReferenceOr::Item(response) => Some(response),
            ReferenceOr::Reference { reference } => {
                super::component(doc, reference, "responses", |c| &c.responses)
            }
        };
        success
            && response.is_some_and(|r| {
                stream_media(&r.content).is_some()
                    && pick_media(&r.content)
                        .is_some_and(|(k, _)| media_encoding(k) == BodyEncoding::Json)
            })
    })
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

/// How a streamed response frames its items.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamKind {
    /// `text/event-stream`.
    Events,
    /// JSON Lines, NDJSON, JSON text sequences.
    Lines,
}

fn stream_kind(content_type: &str) -> Option<StreamKind> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/event-stream" => Some(StreamKind::Events),
        "application/jsonl"
        | "application/x-jsonl"
        | "application/jsonlines"
        | "application/x-jsonlines"
        | "application/x-ndjson"
        | "application/ndjson"
        | "application/json-seq" => Some(StreamKind::Lines),
        _ => None,
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
