//! The 3.1 → 3.0 rewrites, one spelling at a time.

use super::*;

fn norm(input: Value) -> Value {
    let mut v = input;
    schema(&mut v, &Pointer::root()).unwrap();
    v
}

#[test]
fn fastapi_optional_string_becomes_nullable_string() {
    let out =
        norm(json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Organization Id"}));
    assert_eq!(
        out,
        json!({"type": "string", "nullable": true, "title": "Organization Id"})
    );
}

#[test]
fn nullable_ref_keeps_the_reference() {
    let out = norm(json!({"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}));
    assert_eq!(
        out,
        json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
    );
}

#[test]
fn union_with_null_keeps_other_members() {
    let out = norm(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}));
    assert_eq!(
        out,
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
}

#[test]
fn type_arrays() {
    assert_eq!(
        norm(json!({"type": ["integer", "null"]})),
        json!({"type": "integer", "nullable": true})
    );
    assert_eq!(
        norm(json!({"type": ["string", "integer"], "format": "int64", "minLength": 1})),
        json!({"anyOf": [{"type": "string", "format": "int64", "minLength": 1}, {"type": "integer", "format": "int64"}]})
    );
    assert_eq!(
        norm(json!({"type": ["null"]})),
        json!({"nullable": true, X_NULL: true})
    );
}

#[test]
fn examples_const_and_exclusive_bounds() {
    let out = norm(json!({"type": "integer", "examples": [3, 4], "exclusiveMinimum": 2}));
    assert_eq!(
        out,
        json!({"type": "integer", "example": 3, X_EXAMPLES: [3, 4], "minimum": 2, "exclusiveMinimum": true})
    );
    let out = norm(json!({"const": "fixed"}));
    assert_eq!(
        out,
        json!({"type": "string", "enum": ["fixed"], X_CONST: "fixed"})
    );
}

#[test]
fn ref_siblings_survive() {
    let out =
        norm(json!({"$ref": "#/components/schemas/A", "description": "why", "nullable": true}));
    assert_eq!(
        out,
        json!({"allOf": [{"$ref": "#/components/schemas/A"}], "description": "why", "nullable": true})
    );
    // A bare reference is left alone.
    assert_eq!(norm(json!({"$ref": "#/x"})), json!({"$ref": "#/x"}));
}

#[test]
fn nested_schemas_are_normalised() {
    let out = norm(json!({
        "type": "object",
        "properties": {"a": {"type": ["string", "null"]}},
        "additionalProperties": {"type": ["integer", "null"]},
        "items": true
    }));
    assert_eq!(
        out["properties"]["a"],
        json!({"type": "string", "nullable": true})
    );
    assert_eq!(
        out["additionalProperties"],
        json!({"type": "integer", "nullable": true})
    );
    assert!(out.get("items").is_none());
}

#[test]
fn boolean_schemas_and_tuples() {
    assert_eq!(norm(json!(true)), json!({}));
    assert_eq!(norm(json!(false)), json!({"not": {}}));
    let out = norm(
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": ["integer", "null"]}]}),
    );
    assert_eq!(
        out[X_PREFIX_ITEMS][1],
        json!({"type": "integer", "nullable": true})
    );
}

#[test]
fn non_schema_values_are_located_errors() {
    let mut doc =
        json!({"openapi": "3.1.0", "components": {"schemas": {"A": {"properties": {"b": 5}}}}});
    let err = normalize_document(&mut doc).unwrap_err();
    assert_eq!(
        err.pointer().unwrap().to_string(),
        "#/components/schemas/A/properties/b"
    );
}

#[test]
fn document_level_defaults() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "components": {"responses": {"R": {"content": {"application/json": {"schema": {"type": "null"}}}}}}
    });
    normalize_document(&mut doc).unwrap();
    assert_eq!(doc["paths"], json!({}));
    assert_eq!(
        doc["components"]["responses"]["R"]["description"],
        json!("")
    );
}

#[test]
fn numbers_the_typed_document_cannot_hold_are_set_aside() {
    let out = norm(json!({
        "type": "integer",
        "minimum": -9.223372036854776e18,
        "maximum": 1.8446744073709552e19,
        "multipleOf": 2.0,
        "maxLength": -1,
    }));
    assert_eq!(
        out,
        json!({
            "type": "integer",
            "minimum": i64::MIN,
            "multipleOf": 2,
            "x-oapi-unfit": {"maximum": 1.8446744073709552e19, "maxLength": -1},
        })
    );
    let out = norm(json!({"type": "number", "maximum": ".inf", "exclusiveMinimum": 1e300}));
    assert_eq!(
        out,
        json!({
            "type": "number",
            "minimum": 1e300,
            "exclusiveMinimum": true,
            "x-oapi-unfit": {"maximum": ".inf"},
        })
    );
}
