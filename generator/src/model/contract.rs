//! The arguments `cargo xtask contract` calls each operation with:
//! instances synthesised to satisfy the parameters' and body's schemas (the
//! round-trip samples' machinery), as JSON the generated types read, or why
//! an operation cannot be called meaningfully.

use super::samples::{Mode, Synth};
use super::{Api, BodyEncoding, FormFile, Operation, ParamLocation, TypeRef};
use crate::error::Pointer;
use serde_json::Value;

/// One operation's call, or why it is skipped.
#[derive(Debug, Clone)]
pub struct ContractCall {
    /// The client method.
    pub method_name: String,
    pub arguments: Result<CallArguments, String>,
}

/// Each argument as JSON text (what `serde_json` reads into its type).
#[derive(Debug, Clone, Default)]
pub struct CallArguments {
    /// Path parameters, in the method's order: type and value.
    pub path: Vec<(TypeRef, String)>,
    pub body: Option<CallBody>,
    /// The parameters struct's fields (query, header, cookie): field name,
    /// and the value (every parameter is given, optional ones too, so that
    /// their styles are checked).
    pub params: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum CallBody {
    /// A JSON or form body of the body type.
    Value(String),
    Text,
    Bytes,
    /// A multipart form: each field's name and its value (`None`: a file).
    Form(Vec<(String, Option<String>, Option<FormFile>)>),
}

pub(super) fn calls(api: &Api, raw: &Value) -> Vec<ContractCall> {
    let synth = Synth { api, raw };
    api.operations
        .iter()
        .map(|op| ContractCall {
            method_name: op.method_name.clone(),
            arguments: arguments(&synth, op, raw),
        })
        .collect()
}

fn arguments(synth: &Synth<'_>, op: &Operation, raw: &Value) -> Result<CallArguments, String> {
    let mut out = CallArguments::default();
    for p in &op.params {
        let schema = param_schema(raw, &op.origin, &p.wire_name, p.location);
        let value = synth
            .synth(&p.ty, Mode::Full, &mut Vec::new(), schema)
            .map_err(|why| format!("parameter `{}`: {why}", p.wire_name))?;
        let text = match p.location {
            ParamLocation::Path => value,
            _ => two_items(value, schema),
        }
        .to_string();
        match p.location {
            ParamLocation::Path => out.path.push((p.ty.clone(), text)),
            _ => out.params.push((p.name.clone(), text)),
        }
    }
    out.body = match &op.body {
        None => None,
        Some(body) => Some(match (body.encoding, synth.api.form_fields(op)) {
            (BodyEncoding::Json | BodyEncoding::Form, _) => {
                let schema = body_schema(raw, &op.origin, &body.content_type);
                let mut value = synth
                    .synth(&body.ty, Mode::Full, &mut Vec::new(), schema)
                    .map_err(|why| format!("body: {why}"))?;
                if let (BodyEncoding::Form, Value::Object(fields)) = (body.encoding, &mut value) {
                    for field in fields.values_mut() {
                        *field = two_items(std::mem::take(field), schema);
                    }
                }
                CallBody::Value(value.to_string())
            }
            (BodyEncoding::Text, _) => CallBody::Text,
            (BodyEncoding::Bytes, _) | (BodyEncoding::Multipart, None) => CallBody::Bytes,
            (BodyEncoding::Multipart, Some(form)) => {
                let mut fields = Vec::new();
                for f in form {
                    let value = match f.file {
                        Some(_) => None,
                        None => Some(
                            synth
                                .synth(&f.ty, Mode::Minimal, &mut Vec::new(), None)
                                .map_err(|why| format!("form field `{}`: {why}", f.wire_name))?
                                .to_string(),
                        ),
                    };
                    fields.push((f.name.clone(), value, f.file));
                }
                CallBody::Form(fields)
            }
        }),
    };
    Ok(out)
}

/// A one-item array made two (where the schema does not ask for unique
/// items): sent exploded, one item (`tags=a`) cannot be told from a plain
/// value, and a validator that does not coerce by the schema (Prism's)
/// refuses it; `tags=a&tags=a` is an array to anyone.
fn two_items(value: Value, schema: Option<&Value>) -> Value {
    let unique = schema.is_some_and(|s| s.to_string().contains("\"uniqueItems\":true"));
    match value {
        Value::Array(mut items) if items.len() == 1 && !unique => {
            items.push(items[0].clone());
            Value::Array(items)
        }
        other => other,
    }
}

/// The schema of the parameter `name` in `location`, declared on the
/// operation or its path item.
fn param_schema<'a>(
    raw: &'a Value,
    operation: &Pointer,
    name: &str,
    location: ParamLocation,
) -> Option<&'a Value> {
    let place = match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let segments: Vec<String> = operation.segments().collect();
    let path_item = segments
        .split_last()
        .map(|(_, parent)| parent.iter().fold(Pointer::root(), |p, s| p.join(s)));
    [Some(operation.clone()), path_item]
        .into_iter()
        .flatten()
        .filter_map(|at| at.join("parameters").resolve(raw)?.as_array())
        .flatten()
        .filter_map(|param| match param.get("$ref").and_then(Value::as_str) {
            Some(reference) => Pointer::from_ref(reference)?.resolve(raw),
            None => Some(param),
        })
        .find(|param| {
            param.get("name").and_then(Value::as_str) == Some(name)
                && param.get("in").and_then(Value::as_str) == Some(place)
        })
        .and_then(|param| param.get("schema"))
}

/// The schema of the request body's `content_type`.
fn body_schema<'a>(raw: &'a Value, operation: &Pointer, content_type: &str) -> Option<&'a Value> {
    let body = operation.join("requestBody").resolve(raw)?;
    let body = match body.get("$ref").and_then(Value::as_str) {
        Some(reference) => Pointer::from_ref(reference)?.resolve(raw)?,
        None => body,
    };
    body.get("content")?.get(content_type)?.get("schema")
}
