//! YAML → JSON, for every number and key YAML can write.
//!
//! `serde_yaml::Value` refuses integers beyond 64 bits (real specs write
//! `minimum: -9223372036854776000` for int64), so the tree is built by a
//! visitor of our own: integers that do not fit `i64`/`u64` are read as the
//! nearest float, as JSON parsers do, and non-finite floats (`.inf`, `.nan`)
//! are kept as their text, since JSON has no number for them. Keys that are
//! not strings (`200:` for a status code is common) become strings.

use serde::de::{self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value read from YAML.
pub struct Json(pub Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or_else(|| Value::String(yaml_float_text(f)), Value::Number)
}

/// How YAML writes the floats JSON cannot.
fn yaml_float_text(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_owned()
    } else if f > 0.0 {
        ".inf".to_owned()
    } else {
        "-.inf".to_owned()
    }
}

impl<'de> de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Value::from(i),
            (_, Ok(u)) => Value::from(u),
            _ => float(v as f64),
        })
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match u64::try_from(v) {
            Ok(u) => Value::from(u),
            Err(_) => float(v as f64),
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Json(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Json(key)) = map.next_key()? {
            let key = match key {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_owned(),
                other => {
                    return Err(de::Error::custom(format!(
                        "mapping key must be a string, found {other}"
                    )));
                }
            };
            let Json(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    /// A tagged node (`!custom value`): the tag carries no meaning for
    /// OpenAPI, the value does.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant::<Json>().map(|j| j.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Json;
    use serde_json::json;

    fn read(text: &str) -> serde_json::Value {
        serde_yaml::from_str::<Json>(text).unwrap().0
    }

    #[test]
    fn integers_beyond_64_bits_read_as_floats() {
        let v =
            read("min: -9223372036854776000\nmax: 18446744073709551616\nu: 18446744073709551615\n");
        assert_eq!(v["min"], json!(-9.223372036854776e18));
        assert_eq!(v["max"], json!(1.8446744073709552e19));
        assert_eq!(v["u"], json!(u64::MAX));
    }

    #[test]
    fn non_finite_floats_are_kept_as_text() {
        let v = read("a: .inf\nb: -.inf\nc: .nan\nd: 1.5\n");
        assert_eq!(v, json!({"a": ".inf", "b": "-.inf", "c": ".nan", "d": 1.5}));
    }

    #[test]
    fn scalar_keys_and_tags() {
        let v = read("200: ok\ntrue: yes\n~: n\nt: !custom {a: 1}\n");
        assert_eq!(
            v,
            json!({"200": "ok", "true": "yes", "null": "n", "t": {"a": 1}})
        );
        assert!(serde_yaml::from_str::<Json>("? [1]\n: x\n").is_err());
    }
}
