//! Rewrites an OpenAPI 3.1 document (JSON Schema 2020-12 dialect) into the
//! OpenAPI 3.0 shape `openapiv3` understands, keeping its meaning.
//!
//! | 3.1 spelling                          | rewritten as                                   |
//! |---------------------------------------|------------------------------------------------|
//! | `type: [T, 'null']`                   | `type: T, nullable: true`                      |
//! | `type: [A, B]`                        | `anyOf: [{type: A}, {type: B}]`                |
//! | `anyOf`/`oneOf` with `{type: 'null'}` | the other members, `nullable: true`            |
//! | `type: 'null'` alone                  | `nullable: true, x-oapi-null: true`            |
//! | `examples: [..]` on a schema          | `example: <first>`, `x-oapi-examples: [..]`    |
//! | `exclusiveMinimum: 5`                 | `minimum: 5, exclusiveMinimum: true`           |
//! | `const: v`                            | `enum: [v]`, `x-oapi-const: v`                 |
//! | `$ref` with sibling keywords          | `allOf: [{$ref}]` plus the siblings            |
//! | `prefixItems: [..]`                   | `x-oapi-prefix-items: [..]`                    |
//! | boolean schemas `true` / `false`      | `{}` / `{not: {}}`                             |
//! | `contentEncoding: base64`             | `format: byte`                                 |
//!
//! The pass is also applied to 3.0 documents: the only rewrites that can fire
//! there (`$ref` siblings such as `nullable`) are ones real 3.0 specs rely on.

mod anchors;
mod deep_refs;
mod types;

use crate::error::{Error, Pointer};
use serde_json::{Map, Value, json};
use types::{json_type, null_members, type_array};

/// Extension marking a schema that only admits `null`.
pub const X_NULL: &str = "x-oapi-null";
/// Extension holding every example of a 3.1 `examples` array.
pub const X_EXAMPLES: &str = "x-oapi-examples";
/// Extension holding the value of a `const`.
pub const X_CONST: &str = "x-oapi-const";
/// Extension holding 3.1 `prefixItems` (tuple members).
pub const X_PREFIX_ITEMS: &str = "x-oapi-prefix-items";
/// Extension listing keywords of the schema the generated types do not
/// represent, so the model can warn about them where it meets them.
pub const X_IGNORED: &str = "x-oapi-ignored";

/// Extension holding numeric keywords whose value does not fit what the
/// typed document (or the Rust type) can hold: `minimum: -9223372036854776000`
/// on an integer, `maximum: .inf`, `maxLength: -1`. Shown in the docs.
pub const X_UNFIT: &str = "x-oapi-unfit";

/// JSON Schema keywords with no Rust-type counterpart here.
const IGNORED_KEYWORDS: [&str; 10] = [
    "$dynamicRef",
    "if",
    "then",
    "else",
    "patternProperties",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "propertyNames",
    "contains",
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Extension of the document root listing what normalisation left out
/// (3.2 features the client does not support yet): `[{pointer, message}]`,
/// for the model to warn about.
pub const X_LEFT_OUT: &str = "x-oapi-left-out";

/// Normalises the whole document in place.
pub fn normalize_document(doc: &mut Value) -> Result<(), Error> {
    let root = Pointer::root();
    set_aside_unsupported(doc);
    anchors::resolve(doc);
    inline_path_item_refs(doc);
    deep_refs::inline(doc);
    let Some(obj) = doc.as_object_mut() else {
        return Ok(());
    };
    // 3.1 made `paths` optional; `openapiv3` still requires it.
    obj.entry("paths").or_insert_with(|| json!({}));
    if let Some(Value::Object(paths)) = obj.get_mut("paths") {
        let at = root.join("paths");
        for (path, item) in paths.iter_mut() {
            path_item(item, &at.join(path))?;
        }
    }
    if let Some(Value::Object(components)) = obj.get_mut("components") {
        let at = root.join("components");
        set_aside_mutual_tls(components);
        for_each_entry(components, "schemas", &at, schema)?;
        for_each_entry(components, "parameters", &at, parameter)?;
        for_each_entry(components, "headers", &at, parameter)?;
        for_each_entry(components, "requestBodies", &at, request_body)?;
        for_each_entry(components, "responses", &at, response)?;
        for_each_entry(components, "pathItems", &at, path_item)?;
    }
    Ok(())
}

/// What OpenAPI 3.2 adds that the client cannot send yet, taken out where
/// it would stop the typed document from loading and listed under
/// [`X_LEFT_OUT`] with its place: the `query` method and
/// `additionalOperations` (operations on other methods), `in: querystring`
/// parameters (a whole query string as one value), and `$self` (a base for
/// relative references).
fn set_aside_unsupported(doc: &mut Value) {
    let mut left_out: Vec<Value> = Vec::new();
    let mut note = |at: &Pointer, message: &str| {
        left_out.push(json!({"pointer": at.to_string(), "message": message}));
    };
    let root = Pointer::root();
    if doc.get("$self").is_some() {
        note(
            &root.join("$self"),
            "`$self` is not used: relative references resolve against this document only",
        );
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let at = root.join("paths").join(path);
            if item.contains_key("query") {
                note(
                    &at.join("query"),
                    "the `query` method (OpenAPI 3.2) is not supported yet; this operation is left out",
                );
            }
            if item.contains_key("additionalOperations") {
                note(
                    &at.join("additionalOperations"),
                    "`additionalOperations` (OpenAPI 3.2) are not supported yet; they are left out",
                );
            }
            let mut lists: Vec<(Pointer, &mut Value)> = Vec::new();
            for (key, value) in item.iter_mut() {
                if key == "parameters" {
                    lists.push((at.join("parameters"), value));
                } else if METHODS.contains(&key.as_str()) {
                    if let Some(params) = value.get_mut("parameters") {
                        lists.push((at.join(key).join("parameters"), params));
                    }
                }
            }
            for (list_at, list) in lists {
                let Value::Array(params) = list else { continue };
                let mut index = 0;
                params.retain(|p| {
                    let keep = p.get("in").and_then(Value::as_str) != Some("querystring");
                    if !keep {
                        note(&list_at.join(index.to_string()), "`in: querystring` parameters (OpenAPI 3.2) are not supported yet; this one is left out");
                    }
                    index += 1;
                    keep
                });
            }
        }
    }
    if !left_out.is_empty() {
        if let Some(root) = doc.as_object_mut() {
            root.insert(X_LEFT_OUT.into(), Value::Array(left_out));
        }
    }
}

/// Extension of `components` holding the 3.1 `mutualTLS` security schemes,
/// which `openapiv3` does not model; by key.
pub const X_MUTUAL_TLS: &str = "x-oapi-mutual-tls";

/// `type: mutualTLS` schemes move to [`X_MUTUAL_TLS`] (the credential is a
/// client certificate, set on the HTTP client, not per request).
fn set_aside_mutual_tls(components: &mut Map<String, Value>) {
    let Some(Value::Object(schemes)) = components.get_mut("securitySchemes") else {
        return;
    };
    let keys: Vec<String> = schemes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(k, _)| k.clone())
        .collect();
    if keys.is_empty() {
        return;
    }
    let mut moved = Map::new();
    for key in keys {
        if let Some(scheme) = schemes.shift_remove(&key) {
            moved.insert(key, scheme);
        }
    }
    components.insert(X_MUTUAL_TLS.into(), Value::Object(moved));
}

/// The `mutualTLS` schemes of a normalised document, by key.
pub fn mutual_tls_schemes(raw: &Value) -> Map<String, Value> {
    raw.get("components")
        .and_then(|c| c.get(X_MUTUAL_TLS))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// 3.1 lets `paths` entries `$ref` a path item (`#/components/pathItems/X`);
/// `openapiv3` does not, so the target is copied in (the entry's own
/// `summary`/`description` win).
fn inline_path_item_refs(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return;
    };
    let resolved: Vec<(String, Value)> = paths
        .iter()
        .filter_map(|(path, item)| {
            let target = Pointer::from_ref(item.get("$ref")?.as_str()?)?;
            let mut copy = target.resolve(doc)?.as_object()?.clone();
            copy.remove("$ref"); // a chain of references is not followed
            for (k, v) in item.as_object()? {
                if k != "$ref" {
                    copy.insert(k.clone(), v.clone());
                }
            }
            Some((path.clone(), Value::Object(copy)))
        })
        .collect();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in resolved {
            paths.insert(path, item);
        }
    }
}

type Visit = fn(&mut Value, &Pointer) -> Result<(), Error>;

fn for_each_entry(
    map: &mut Map<String, Value>,
    key: &str,
    at: &Pointer,
    visit: Visit,
) -> Result<(), Error> {
    if let Some(Value::Object(entries)) = map.get_mut(key) {
        let at = at.join(key);
        for (name, value) in entries.iter_mut() {
            visit(value, &at.join(name))?;
        }
    }
    Ok(())
}

fn for_each_item(
    map: &mut Map<String, Value>,
    key: &str,
    at: &Pointer,
    visit: Visit,
) -> Result<(), Error> {
    if let Some(Value::Array(items)) = map.get_mut(key) {
        let at = at.join(key);
        for (i, value) in items.iter_mut().enumerate() {
            visit(value, &at.join(i.to_string()))?;
        }
    }
    Ok(())
}

fn path_item(item: &mut Value, at: &Pointer) -> Result<(), Error> {
    let Some(obj) = item.as_object_mut() else {
        return Ok(());
    };
    for_each_item(obj, "parameters", at, parameter)?;
    for method in METHODS {
        let Some(Value::Object(op)) = obj.get_mut(method) else {
            continue;
        };
        let at = at.join(method);
        // 3.1 made `responses` optional; `openapiv3` still requires it.
        op.entry("responses").or_insert_with(|| json!({}));
        for_each_item(op, "parameters", &at, parameter)?;
        if let Some(body) = op.get_mut("requestBody") {
            request_body(body, &at.join("requestBody"))?;
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            let at = at.join("responses");
            for (status, value) in responses.iter_mut() {
                if !status.starts_with("x-") {
                    response(value, &at.join(status))?;
                }
            }
        }
        if let Some(Value::Object(callbacks)) = op.get_mut("callbacks") {
            let at = at.join("callbacks");
            for (name, callback) in callbacks.iter_mut() {
                if let Some(expressions) = callback.as_object_mut() {
                    let at = at.join(name);
                    for (expression, item) in expressions.iter_mut() {
                        path_item(item, &at.join(expression))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Parameters and headers share their shape: `schema` or `content`.
fn parameter(param: &mut Value, at: &Pointer) -> Result<(), Error> {
    let Some(obj) = param.as_object_mut() else {
        return Ok(());
    };
    if let Some(s) = obj.get_mut("schema") {
        schema(s, &at.join("schema"))?;
    }
    content(obj, at)
}

fn request_body(body: &mut Value, at: &Pointer) -> Result<(), Error> {
    match body.as_object_mut() {
        Some(obj) => content(obj, at),
        None => Ok(()),
    }
}

fn response(resp: &mut Value, at: &Pointer) -> Result<(), Error> {
    let Some(obj) = resp.as_object_mut() else {
        return Ok(());
    };
    if !obj.contains_key("$ref") {
        // Required by 3.0, often left out in practice and not needed here.
        obj.entry("description").or_insert_with(|| json!(""));
    }
    for_each_entry(obj, "headers", at, parameter)?;
    content(obj, at)
}

fn content(obj: &mut Map<String, Value>, at: &Pointer) -> Result<(), Error> {
    if let Some(Value::Object(media)) = obj.get_mut("content") {
        let at = at.join("content");
        for (media_type, value) in media.iter_mut() {
            if let Some(s) = value.get_mut("schema") {
                schema(s, &at.join(media_type).join("schema"))?;
            }
            // 3.2: the schema of each item of a stream, which the model
            // reads from the normalised tree (`openapiv3` drops it); for
            // events, the item's `data` may carry its own `contentSchema`.
            if let Some(item) = value.get_mut("itemSchema") {
                let item_at = at.join(media_type).join("itemSchema");
                schema(item, &item_at)?;
                if let Some(content) = item.pointer_mut("/properties/data/contentSchema") {
                    let content_at = item_at
                        .join("properties")
                        .join("data")
                        .join("contentSchema");
                    schema(content, &content_at)?;
                }
            }
        }
    }
    Ok(())
}

/// Normalises one schema and, first, every schema nested in it.
pub fn schema(value: &mut Value, at: &Pointer) -> Result<(), Error> {
    // Boolean schemas: `true` accepts anything, `false` nothing.
    if let Value::Bool(accepts) = value {
        *value = if *accepts {
            json!({})
        } else {
            json!({"not": {}})
        };
        return Ok(());
    }
    let Some(obj) = value.as_object_mut() else {
        return Err(Error::invalid(
            at,
            format!("expected a schema object, found {value}"),
        ));
    };
    nested_schemas(obj, at)?;
    let ignored: Vec<Value> = IGNORED_KEYWORDS
        .iter()
        .filter(|k| obj.contains_key(**k))
        .map(|k| json!(k))
        .collect();
    if !ignored.is_empty() {
        obj.insert(X_IGNORED.into(), Value::Array(ignored));
    }

    if obj.contains_key("$ref") && obj.len() > 1 {
        ref_with_siblings(obj);
    }
    unfit_numbers(obj);
    type_array(obj, at)?;
    if obj.get("type").and_then(Value::as_str) == Some("null") {
        obj.remove("type");
        obj.insert("nullable".into(), json!(true));
        obj.insert(X_NULL.into(), json!(true));
    }
    for key in ["anyOf", "oneOf"] {
        null_members(obj, key);
    }
    if let Some(Value::Array(examples)) = obj.remove("examples") {
        if let Some(first) = examples.first() {
            obj.entry("example").or_insert_with(|| first.clone());
        }
        obj.insert(X_EXAMPLES.into(), Value::Array(examples));
    }
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(bound @ Value::Number(_)) = obj.get(exclusive).cloned() {
            obj.insert(inclusive.into(), bound);
            obj.insert(exclusive.into(), json!(true));
        }
    }
    if let Some(constant) = obj.remove("const") {
        if !obj.contains_key("type") {
            if let Some(t) = json_type(&constant) {
                obj.insert("type".into(), json!(t));
            }
        }
        obj.insert("enum".into(), json!([constant.clone()]));
        obj.insert(X_CONST.into(), constant);
    }
    if obj
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|e| e.contains(&Value::Null))
    {
        obj.insert("nullable".into(), json!(true));
    }
    if obj.get("type").and_then(Value::as_str) == Some("string") && !obj.contains_key("format") {
        if obj.get("contentEncoding").and_then(Value::as_str) == Some("base64") {
            obj.insert("format".into(), json!("byte"));
        } else if obj.get("contentMediaType").is_some_and(|m| {
            m != "application/json" && !m.as_str().is_some_and(|m| m.starts_with("text/"))
        }) {
            obj.insert("format".into(), json!("binary"));
        }
    }
    Ok(())
}

/// Moves numeric keywords whose value the typed document cannot hold into
/// [`X_UNFIT`], so that any number a document writes loads. Integral floats
/// that fit (`minimum: 1.0` on an integer) are written as integers instead.
fn unfit_numbers(obj: &mut Map<String, Value>) {
    const BOUNDS: [&str; 5] = [
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ];
    const COUNTS: [&str; 6] = [
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ];
    let integer = obj.get("type").and_then(Value::as_str) == Some("integer");
    let mut unfit = Map::new();
    for key in BOUNDS.iter().chain(&COUNTS) {
        let Some(value) = obj.get(*key) else { continue };
        let is_count = COUNTS.contains(key);
        let fitted = match value {
            // 3.0's `exclusiveMinimum: true`.
            Value::Bool(_) if key.starts_with("exclusive") => Some(value.clone()),
            Value::Number(n) if is_count => n
                .as_u64()
                .or_else(|| n.as_f64().and_then(integral_u64))
                .map(Value::from),
            // Exclusive bounds that are numbers (3.1) become bounds later;
            // they must fit as the bound they become.
            Value::Number(n) if integer => n
                .as_i64()
                .or_else(|| n.as_f64().and_then(integral_i64))
                .map(Value::from),
            Value::Number(_) => Some(value.clone()),
            _ => None,
        };
        match fitted {
            Some(v) => {
                obj.insert((*key).to_owned(), v);
            }
            None => {
                if let Some(v) = obj.remove(*key) {
                    unfit.insert((*key).to_owned(), v);
                }
            }
        }
    }
    if !unfit.is_empty() {
        obj.insert(X_UNFIT.into(), Value::Object(unfit));
    }
}

/// `f` as an `i64` when it is a whole number in range.
fn integral_i64(f: f64) -> Option<i64> {
    // -2^63 is exact in f64; 2^63 is one past the range.
    (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
        .then_some(f as i64)
}

fn integral_u64(f: f64) -> Option<u64> {
    (f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f)).then_some(f as u64)
}

fn nested_schemas(obj: &mut Map<String, Value>, at: &Pointer) -> Result<(), Error> {
    for key in ["properties", "patternProperties", "$defs", "definitions"] {
        for_each_entry(obj, key, at, schema)?;
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        for_each_item(obj, key, at, schema)?;
    }
    for key in [
        "not",
        "additionalProperties",
        "contains",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedProperties",
    ] {
        if let Some(v) = obj.get_mut(key) {
            // `additionalProperties: true/false` is valid 3.0 as it is.
            if key == "additionalProperties" && v.is_boolean() {
                continue;
            }
            schema(v, &at.join(key))?;
        }
    }
    match obj.get_mut("items") {
        // 3.0 never had boolean `items`; both mean "no constraint we model".
        Some(Value::Bool(_)) => {
            obj.remove("items");
        }
        // Array-valued `items` is the pre-2020-12 spelling of a tuple.
        Some(Value::Array(_)) => {
            if let Some(items) = obj.remove("items") {
                obj.insert("prefixItems".into(), items);
                for_each_item(obj, "prefixItems", at, schema)?;
            }
        }
        Some(items) => schema(items, &at.join("items"))?,
        None => {}
    }
    if let Some(prefix) = obj.remove("prefixItems") {
        obj.insert(X_PREFIX_ITEMS.into(), prefix);
    }
    Ok(())
}

/// `{$ref: X, description: d, nullable: true}`: 3.0 ignores the siblings, 3.1
/// applies them. Wrapping the reference in `allOf` keeps them meaningful.
fn ref_with_siblings(obj: &mut Map<String, Value>) {
    let reference = obj.remove("$ref").unwrap_or(Value::Null);
    let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
    if let Value::Array(members) = all_of {
        members.insert(0, json!({ "$ref": reference }));
    }
}

#[cfg(test)]
mod tests;
