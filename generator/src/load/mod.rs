//! Stage 1, *load*: YAML or JSON text → a checked `openapiv3::OpenAPI`.
//!
//! `openapiv3` only models OpenAPI 3.0, so a 3.1 document is first rewritten
//! into its 3.0 equivalent by [`normalize`], on the untyped JSON tree. The
//! rewrite keeps every piece of meaning the generator uses (nullability,
//! schema examples, `const`, `$ref` siblings); what 3.0 has no keyword for is
//! carried in `x-oapi-*` extensions, which `openapiv3` keeps.

mod locate;
pub mod normalize;
mod yaml;

use crate::error::{Error, Pointer};
use serde_json::Value;

/// Which OpenAPI line the document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    V3_0,
    V3_1,
    /// Read as 3.1 plus what 3.2 adds that the client uses (`itemSchema`);
    /// the rest is warned about where it appears.
    V3_2,
}

/// A loaded document: the typed view, plus the normalised JSON tree for
/// lookups by pointer (examples, `$ref`s into non-component places).
#[derive(Debug, Clone)]
pub struct Document {
    pub openapi: openapiv3::OpenAPI,
    pub raw: Value,
    pub version: SpecVersion,
}

/// Parses and normalises an OpenAPI 3.0, 3.1 or 3.2 document.
pub fn load(text: &str) -> Result<Document, Error> {
    let mut raw = parse_text(text)?;
    let version = detect_version(&raw)?;
    normalize::normalize_document(&mut raw)?;
    let mut typed = raw.clone();
    // `openapiv3` only accepts 3.0.x; everything 3.1-specific is gone by now.
    typed["openapi"] = Value::String("3.0.3".into());
    let mut openapi: openapiv3::OpenAPI =
        serde_path_to_error::deserialize(&typed).map_err(|e| {
            let pointer = path_to_pointer(e.path());
            locate::locate(&typed, Error::invalid(&pointer, e.inner().to_string()))
        })?;
    openapi.openapi = raw["openapi"].as_str().unwrap_or_default().to_owned();
    Ok(Document {
        openapi,
        raw,
        version,
    })
}

/// The document as a JSON tree, before any checking. YAML is a superset of
/// JSON, but JSON gets its own parser for better errors.
pub fn parse_text(text: &str) -> Result<Value, Error> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| Error::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        });
    }
    let yaml: yaml::Json = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        Error::Syntax {
            format: "YAML",
            line,
            column,
            message: strip_position(&e.to_string()),
        }
    })?;
    Ok(yaml.0)
}

/// Drops the first " at line L column C" (reported separately) and keeps
/// any context after it ("while parsing a flow sequence at line 3 ...").
fn strip_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_owned();
    };
    let rest = &message[start + 1..];
    let end = rest.find(", ").map_or(message.len(), |i| start + 1 + i);
    format!("{}{}", &message[..start], &message[end..])
}

fn detect_version(raw: &Value) -> Result<SpecVersion, Error> {
    let Some(root) = raw.as_object() else {
        return Err(Error::invalid(
            &Pointer::root(),
            "expected an OpenAPI document (a mapping at the top level)",
        ));
    };
    if root.contains_key("swagger") {
        return Err(Error::Swagger2);
    }
    let pointer = Pointer::root().join("openapi");
    let version = match root.get("openapi") {
        Some(Value::String(v)) => v.as_str(),
        Some(other) => {
            return Err(Error::UnsupportedVersion {
                pointer,
                message: format!("expected a version string such as \"3.1.0\", found {other}"),
            });
        }
        None => {
            return Err(Error::UnsupportedVersion {
                pointer,
                message: "missing `openapi` field; is this an OpenAPI document?".into(),
            });
        }
    };
    if version.starts_with("3.0") {
        Ok(SpecVersion::V3_0)
    } else if version.starts_with("3.1") {
        Ok(SpecVersion::V3_1)
    } else if version.starts_with("3.2") {
        Ok(SpecVersion::V3_2)
    } else {
        Err(Error::UnsupportedVersion {
            pointer,
            message: format!("OpenAPI {version} is not supported; expected 3.0.x, 3.1.x or 3.2.x"),
        })
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(Pointer::root(), |p, segment| match segment {
            Segment::Seq { index } => p.join(index.to_string()),
            Segment::Map { key } => p.join(key),
            Segment::Enum { variant } => p.join(variant),
            Segment::Unknown => p,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_integer_keys_become_strings() {
        let doc = load(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
        )
        .unwrap();
        let op = doc.openapi.paths.paths["/a"].as_item().unwrap();
        let responses = &op.get.as_ref().unwrap().responses.responses;
        assert!(responses.contains_key(&openapiv3::StatusCode::Code(200)));
    }

    #[test]
    fn swagger_2_is_refused_with_advice() {
        let err = load("{\"swagger\": \"2.0\", \"info\": {}}").unwrap_err();
        assert!(matches!(err, Error::Swagger2));
        assert!(err.to_string().contains("Convert it first"));
    }

    #[test]
    fn unknown_major_version_names_the_field() {
        let err = load("openapi: 4.0.0\ninfo: {title: t, version: '1'}\n").unwrap_err();
        assert_eq!(err.pointer().unwrap().to_string(), "#/openapi");
        assert!(err.to_string().contains("4.0.0"), "{err}");
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = load("openapi: 3.1.0\ninfo: [unclosed\n").unwrap_err();
        match err {
            Error::Syntax { format, line, .. } => {
                assert_eq!(format, "YAML");
                assert!(line >= 2, "line {line}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = load("{\"openapi\": \"3.1.0\",,}").unwrap_err();
        assert!(matches!(
            err,
            Error::Syntax {
                format: "JSON",
                line: 1,
                ..
            }
        ));
    }

    #[test]
    fn syntax_error_context_is_kept() {
        assert_eq!(
            strip_position(
                "did not find expected ',' at line 4 column 1, while parsing a flow sequence at line 3 column 10"
            ),
            "did not find expected ',', while parsing a flow sequence at line 3 column 10"
        );
        assert_eq!(
            strip_position("expected value at line 1 column 2"),
            "expected value"
        );
    }

    #[test]
    fn schema_errors_name_the_place() {
        let err = load(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      required: 5\n",
        )
        .unwrap_err();
        let pointer = err.pointer().expect("pointer").to_string();
        assert!(pointer.starts_with("#/components/schemas/A"), "{pointer}");
    }

    #[test]
    fn numbers_beyond_64_bits_load_in_yaml_and_json() {
        let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: integer\n      format: int64\n      minimum: -9223372036854776000\n      maximum: 99999999999999999999999\n      maxLength: 1e30\n      example: 123456789012345678901234567890\n";
        let doc = load(yaml).unwrap();
        assert!(doc.openapi.components.unwrap().schemas.contains_key("A"));
        let json = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"A": {"type": "integer", "minimum": -9223372036854776000,
            "maximum": 99999999999999999999999, "enum": [1, 18446744073709551616]}}}}"#;
        load(json).unwrap();
    }

    #[test]
    fn version_3_1_is_kept_on_the_typed_document() {
        let doc = load("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n").unwrap();
        assert_eq!(doc.version, SpecVersion::V3_1);
        assert_eq!(doc.openapi.openapi, "3.1.0");
        assert!(doc.openapi.paths.paths.is_empty());
    }
}
